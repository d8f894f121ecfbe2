import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { boardMembers } from '../boards/boards.table.js';
import { marks, scripts } from '../rounds/rounds.table.js';

/** The marking module's own reads and writes; scripts, parts and marks are otherwise the rounds repository's. */
export function createMarkingRepository(db: DbOrTx) {
  return {
    /** Active seats of the drive among these ids (the members a panel secretary transcribes for). */
    async activeMembers(driveId: string, ids: string[], tx: DbOrTx = db) {
      if (ids.length === 0) return [];
      return tx
        .select({ id: boardMembers.id, board: boardMembers.board, seat: boardMembers.seat, fullName: boardMembers.fullName })
        .from(boardMembers)
        .where(and(eq(boardMembers.driveId, driveId), inArray(boardMembers.id, ids), isNull(boardMembers.removedAt)));
    },

    /** The first and second marks given in these bags of the round, with who gave them (Quy chế Art. 16(2)(b)). */
    async bagMarks(tx: DbOrTx, roundId: string, bags: string[]) {
      if (bags.length === 0) return [];
      return tx
        .select({ bag: scripts.bag, scriptId: marks.scriptId, slot: marks.slot, memberId: marks.memberId, markerKeyId: marks.markerKeyId })
        .from(marks)
        .innerJoin(scripts, eq(scripts.id, marks.scriptId))
        .where(and(eq(scripts.roundId, roundId), inArray(scripts.bag, bags), inArray(marks.slot, ['1', '2'])));
    },

    /** Scripts of the round holding any mark (a marked script stays in its bag). */
    async markedScripts(tx: DbOrTx, scriptIds: string[]) {
      if (scriptIds.length === 0) return [];
      return tx.selectDistinct({ scriptId: marks.scriptId }).from(marks).where(inArray(marks.scriptId, scriptIds));
    },

    async packBags(tx: DbOrTx, rows: { id: string; bag: string }[]): Promise<void> {
      for (const r of rows) await tx.update(scripts).set({ bag: r.bag, updatedAt: sql`now()` }).where(eq(scripts.id, r.id));
    },

    /** A re-entered mark: its score, and who transcribed which sheet (or nothing when the member entered it). */
    async replaceMark(tx: DbOrTx, id: string, change: { score: string; enteredByMemberId: string | null; sheetRef: string | null }): Promise<void> {
      await tx
        .update(marks)
        .set({ ...change, enteredAt: sql`now()` })
        .where(eq(marks.id, id));
    },
  };
}
export type MarkingRepository = ReturnType<typeof createMarkingRepository>;
