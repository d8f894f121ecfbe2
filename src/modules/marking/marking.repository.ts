import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { boardMembers } from '../boards/boards.table.js';
import { marks } from '../rounds/rounds.table.js';

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
