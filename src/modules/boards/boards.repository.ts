import { and, asc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { apiKeys } from '../api-keys/api-keys.table.js';
import { applications } from '../applications/applications.table.js';
import { candidates } from '../candidates/candidates.table.js';
import { marks, rounds, scripts } from '../rounds/rounds.table.js';
import {
  boardConflicts,
  boardMemberKeys,
  boardMembers,
  memberRelatives,
  supervisionReports,
  voidedMarks,
  type BoardConflictRow,
  type BoardMemberRow,
  type MemberRelativeRow,
} from './boards.table.js';

export function createBoardsRepository(db: DbOrTx) {
  return {
    async seatsOfDrive(driveId: string, tx: DbOrTx = db): Promise<BoardMemberRow[]> {
      return tx.select().from(boardMembers).where(eq(boardMembers.driveId, driveId)).orderBy(asc(boardMembers.board), asc(boardMembers.id));
    },
    async findSeat(tx: DbOrTx, id: string, lock = false): Promise<BoardMemberRow | undefined> {
      const q = tx.select().from(boardMembers).where(eq(boardMembers.id, id));
      const [row] = lock ? await q.for('update') : await q;
      return row;
    },
    async insertSeat(tx: Tx, row: typeof boardMembers.$inferInsert): Promise<BoardMemberRow> {
      const [created] = await tx.insert(boardMembers).values(row).returning();
      return created!;
    },
    async removeSeat(tx: Tx, id: string, changes: Partial<BoardMemberRow>): Promise<BoardMemberRow> {
      const [row] = await tx
        .update(boardMembers)
        .set({ ...changes, version: sql`${boardMembers.version} + 1` })
        .where(eq(boardMembers.id, id))
        .returning();
      return row!;
    },
    async insertRelatives(tx: Tx, rows: (typeof memberRelatives.$inferInsert)[]): Promise<MemberRelativeRow[]> {
      if (rows.length === 0) return [];
      return tx.insert(memberRelatives).values(rows).returning();
    },
    async relativesOf(memberId: string, tx: DbOrTx = db): Promise<MemberRelativeRow[]> {
      return tx.select().from(memberRelatives).where(eq(memberRelatives.memberId, memberId)).orderBy(asc(memberRelatives.id));
    },
    /** Applications of the drive (not withdrawn) whose candidate has one of these blind indexes. */
    async applicationsByIndexes(tx: DbOrTx, driveId: string, indexes: string[]) {
      if (indexes.length === 0) return [];
      return tx
        .select({ applicationId: applications.id, index: candidates.nationalIdIndex })
        .from(applications)
        .innerJoin(candidates, eq(candidates.id, applications.candidateId))
        .where(and(eq(applications.driveId, driveId), ne(applications.status, 'withdrawn'), inArray(candidates.nationalIdIndex, indexes)));
    },
    async applicationsByNameAndBirth(tx: DbOrTx, driveId: string, nameSearch: string, birthDate: string) {
      return tx
        .select({ applicationId: applications.id, fullName: candidates.fullName, birthDate: candidates.birthDate })
        .from(applications)
        .innerJoin(candidates, eq(candidates.id, applications.candidateId))
        .where(
          and(eq(applications.driveId, driveId), ne(applications.status, 'withdrawn'), eq(candidates.fullNameSearch, nameSearch), eq(candidates.birthDate, birthDate)),
        )
        .limit(20);
    },
    async findApplication(tx: DbOrTx, id: string) {
      const [row] = await tx.select({ id: applications.id, driveId: applications.driveId }).from(applications).where(eq(applications.id, id));
      return row;
    },
    /**
     * Conflicts of the drive not yet recorded: a declared relative (by blind index) of an active
     * seat whose national ID is a candidate's of the drive. Set-based, so registration and imports
     * both call it after inserting applications.
     */
    async raiseConflicts(tx: Tx, driveId: string, at: Date): Promise<BoardConflictRow[]> {
      const found = await tx
        .select({ memberId: memberRelatives.memberId, relativeId: memberRelatives.id, applicationId: applications.id })
        .from(memberRelatives)
        .innerJoin(boardMembers, and(eq(boardMembers.id, memberRelatives.memberId), isNull(boardMembers.removedAt)))
        .innerJoin(candidates, eq(candidates.nationalIdIndex, memberRelatives.nationalIdIndex))
        .innerJoin(applications, and(eq(applications.candidateId, candidates.id), eq(applications.driveId, driveId), ne(applications.status, 'withdrawn')))
        .where(eq(memberRelatives.driveId, driveId));
      if (found.length === 0) return [];
      return tx
        .insert(boardConflicts)
        .values(found.map((f) => ({ ...f, id: newId(), driveId, source: 'national_id' as const, raisedAt: at })))
        .onConflictDoNothing({ target: [boardConflicts.memberId, boardConflicts.applicationId] })
        .returning();
    },
    async insertConflict(tx: Tx, row: typeof boardConflicts.$inferInsert): Promise<BoardConflictRow | undefined> {
      const [created] = await tx.insert(boardConflicts).values(row).onConflictDoNothing({ target: [boardConflicts.memberId, boardConflicts.applicationId] }).returning();
      return created;
    },
    async conflictsOf(driveId: string, tx: DbOrTx = db): Promise<BoardConflictRow[]> {
      return tx.select().from(boardConflicts).where(eq(boardConflicts.driveId, driveId)).orderBy(asc(boardConflicts.raisedAt), asc(boardConflicts.id));
    },
    async resolveConflictsOf(tx: Tx, memberId: string, at: Date): Promise<number> {
      const rows = await tx
        .update(boardConflicts)
        .set({ status: 'member_removed', resolvedAt: at })
        .where(and(eq(boardConflicts.memberId, memberId), eq(boardConflicts.status, 'open')))
        .returning({ id: boardConflicts.id });
      return rows.length;
    },
    async hasOpenConflict(tx: DbOrTx, memberId: string): Promise<string | null> {
      const [row] = await tx
        .select({ id: boardConflicts.id })
        .from(boardConflicts)
        .where(and(eq(boardConflicts.memberId, memberId), eq(boardConflicts.status, 'open')))
        .limit(1);
      return row?.id ?? null;
    },
    async insertMemberKey(tx: Tx, row: typeof boardMemberKeys.$inferInsert): Promise<void> {
      await tx.insert(boardMemberKeys).values(row);
    },
    async keysOf(tx: DbOrTx, memberId: string) {
      return tx
        .select({ id: apiKeys.id, role: apiKeys.role, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt, revokedAt: apiKeys.revokedAt, driveId: boardMemberKeys.driveId })
        .from(boardMemberKeys)
        .innerJoin(apiKeys, eq(apiKeys.id, boardMemberKeys.keyId))
        .where(eq(boardMemberKeys.memberId, memberId))
        .orderBy(asc(apiKeys.id));
    },
    async revokeKeys(tx: Tx, memberId: string, at: Date, keyId?: string): Promise<number> {
      const bound = tx.select({ id: boardMemberKeys.keyId }).from(boardMemberKeys).where(eq(boardMemberKeys.memberId, memberId));
      const rows = await tx
        .update(apiKeys)
        .set({ revokedAt: at })
        .where(and(inArray(apiKeys.id, bound), isNull(apiKeys.revokedAt), keyId ? eq(apiKeys.id, keyId) : undefined))
        .returning({ id: apiKeys.id });
      return rows.length;
    },
    /** The member's marks on the drive, with their script and round, scripts locked. */
    async marksOfMember(tx: Tx, driveId: string, memberId: string) {
      return tx
        .select({ mark: marks, script: scripts, roundId: rounds.id, roundStatus: rounds.status })
        .from(marks)
        .innerJoin(scripts, eq(scripts.id, marks.scriptId))
        .innerJoin(rounds, eq(rounds.id, scripts.roundId))
        .where(and(eq(rounds.driveId, driveId), eq(marks.memberId, memberId)))
        .orderBy(asc(scripts.id))
        .for('update', { of: [scripts] });
    },
    async voidMarks(tx: Tx, rows: (typeof voidedMarks.$inferInsert)[]): Promise<void> {
      if (rows.length === 0) return;
      await tx.insert(voidedMarks).values(rows);
      await tx.delete(marks).where(
        inArray(
          marks.id,
          rows.map((r) => r.id),
        ),
      );
    },
    async insertReport(tx: Tx, row: typeof supervisionReports.$inferInsert) {
      const [created] = await tx.insert(supervisionReports).values(row).returning();
      return created!;
    },
    async reportsOf(driveId: string) {
      return db.select().from(supervisionReports).where(eq(supervisionReports.driveId, driveId)).orderBy(asc(supervisionReports.filedAt));
    },
  };
}
export type BoardsRepository = ReturnType<typeof createBoardsRepository>;
