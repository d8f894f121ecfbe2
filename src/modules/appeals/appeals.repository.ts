import { and, asc, eq, gt, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agencies } from '../agencies/agencies.table.js';
import { applications } from '../applications/applications.table.js';
import { boardMembers } from '../boards/boards.table.js';
import { drives } from '../drives/drives.table.js';
import { driveTimelineExtensions } from '../timeline/timeline.table.js';
import { appeals, marks, parts, rounds, scoreHistory, scripts, type AppealRow } from '../rounds/rounds.table.js';
import { appealRemarks, type AppealRemarkRow } from './appeals.table.js';

export type AppealDrive = {
  id: string;
  status: string;
  ruleSet: unknown;
  ruleSetPreset: string;
  organizingAgencyId: string;
  agencyPath: string;
};

export function createAppealsRepository(db: DbOrTx) {
  return {
    async driveContext(driveId: string, tx: DbOrTx = db, lock?: 'update' | 'share'): Promise<AppealDrive | undefined> {
      const q = tx
        .select({
          id: drives.id,
          status: drives.status,
          ruleSet: drives.ruleSet,
          ruleSetPreset: drives.ruleSetPreset,
          organizingAgencyId: drives.organizingAgencyId,
          agencyPath: agencies.path,
        })
        .from(drives)
        .innerJoin(agencies, eq(agencies.id, drives.organizingAgencyId))
        .where(eq(drives.id, driveId));
      const [row] = lock ? await q.for(lock, { of: drives }) : await q;
      return row;
    },

    async findRound(tx: DbOrTx, id: string) {
      const [row] = await tx.select({ id: rounds.id, driveId: rounds.driveId }).from(rounds).where(eq(rounds.id, id));
      return row;
    },

    async applicationContext(id: string, tx: DbOrTx = db) {
      const [row] = await tx
        .select({ id: applications.id, driveId: applications.driveId, registeredByAgencyId: applications.registeredByAgencyId, candidateNumber: applications.candidateNumber })
        .from(applications)
        .where(eq(applications.id, id));
      return row;
    },

    async agencyPath(id: string, tx: DbOrTx = db): Promise<string | undefined> {
      const [row] = await tx.select({ path: agencies.path }).from(agencies).where(eq(agencies.id, id));
      return row?.path;
    },

    async scriptsOfApplication(tx: DbOrTx, applicationId: string) {
      return tx
        .select({ script: scripts, part: parts, round: rounds })
        .from(scripts)
        .innerJoin(parts, eq(parts.id, scripts.partId))
        .innerJoin(rounds, eq(rounds.id, scripts.roundId))
        .where(eq(scripts.applicationId, applicationId))
        .orderBy(asc(rounds.order), asc(parts.position));
    },

    async scriptWithPart(tx: DbOrTx, scriptId: string, lock = false) {
      const q = tx
        .select({ script: scripts, part: parts, round: rounds })
        .from(scripts)
        .innerJoin(parts, eq(parts.id, scripts.partId))
        .innerJoin(rounds, eq(rounds.id, scripts.roundId))
        .where(eq(scripts.id, scriptId));
      const [row] = lock ? await q.for('update', { of: scripts }) : await q;
      return row;
    },

    async insertAppeal(tx: DbOrTx, row: typeof appeals.$inferInsert): Promise<AppealRow> {
      const [created] = await tx.insert(appeals).values(row).returning();
      return created!;
    },

    async appealsOf(applicationId: string, afterId: string | undefined, limit: number) {
      return db
        .select({ appeal: appeals, partCode: parts.code, roundId: scripts.roundId })
        .from(appeals)
        .innerJoin(scripts, eq(scripts.id, appeals.scriptId))
        .innerJoin(parts, eq(parts.id, scripts.partId))
        .where(and(eq(appeals.applicationId, applicationId), afterId ? gt(appeals.id, afterId) : undefined))
        .orderBy(asc(appeals.id))
        .limit(limit + 1);
    },

    async findAppeal(tx: DbOrTx, id: string, lock = false): Promise<AppealRow | undefined> {
      const q = tx.select().from(appeals).where(eq(appeals.id, id));
      const [row] = lock ? await q.for('update') : await q;
      return row;
    },

    async updateAppeal(tx: DbOrTx, id: string, changes: Partial<typeof appeals.$inferInsert>): Promise<AppealRow> {
      const [row] = await tx
        .update(appeals)
        .set({ ...changes, version: sql`${appeals.version} + 1` })
        .where(eq(appeals.id, id))
        .returning();
      return row!;
    },

    async updateScript(tx: DbOrTx, id: string, changes: Partial<typeof scripts.$inferInsert>) {
      await tx
        .update(scripts)
        .set({ ...changes, updatedAt: new Date(), version: sql`${scripts.version} + 1` })
        .where(eq(scripts.id, id));
    },

    async insertHistory(tx: DbOrTx, row: typeof scoreHistory.$inferInsert) {
      await tx.insert(scoreHistory).values(row);
    },

    async remarksOf(tx: DbOrTx, appealId: string): Promise<AppealRemarkRow[]> {
      return tx.select().from(appealRemarks).where(eq(appealRemarks.appealId, appealId)).orderBy(asc(appealRemarks.slot));
    },

    async insertRemark(tx: DbOrTx, row: typeof appealRemarks.$inferInsert): Promise<AppealRemarkRow> {
      const [created] = await tx.insert(appealRemarks).values(row).returning();
      return created!;
    },

    /** Who entered the script's marks: member ids and key ids. */
    async markersOfScript(tx: DbOrTx, scriptId: string) {
      return tx.select({ memberId: marks.memberId, keyId: marks.markerKeyId }).from(marks).where(eq(marks.scriptId, scriptId));
    },

    /** A seat and the other seats of the same person on the drive (same national-ID index, or same name). */
    async seatsOfSamePerson(tx: DbOrTx, memberId: string): Promise<string[]> {
      const [me] = await tx.select().from(boardMembers).where(eq(boardMembers.id, memberId));
      if (!me) return [memberId];
      const rows = await tx
        .select({ id: boardMembers.id })
        .from(boardMembers)
        .where(
          and(
            eq(boardMembers.driveId, me.driveId),
            me.nationalIdIndex
              ? sql`(${boardMembers.nationalIdIndex} = ${me.nationalIdIndex} or ${boardMembers.fullNameSearch} = ${me.fullNameSearch})`
              : eq(boardMembers.fullNameSearch, me.fullNameSearch),
          ),
        );
      return [...new Set([memberId, ...rows.map((r) => r.id)])];
    },

    async remarkingExtended(tx: DbOrTx, driveId: string): Promise<boolean> {
      const rows = await tx
        .select({ step: driveTimelineExtensions.step })
        .from(driveTimelineExtensions)
        .where(and(eq(driveTimelineExtensions.driveId, driveId), eq(driveTimelineExtensions.step, 'remarking')));
      return rows.length > 0;
    },

    /** Published rounds of the drive with a paper written part that has scripts (the rounds open to appeal). */
    async appealableRounds(tx: DbOrTx, driveId: string) {
      return tx
        .selectDistinct({ id: rounds.id, code: rounds.code, publishedAt: rounds.publishedAt })
        .from(rounds)
        .innerJoin(parts, and(eq(parts.roundId, rounds.id), eq(parts.written, true), eq(parts.computer, false)))
        .innerJoin(scripts, eq(scripts.partId, parts.id))
        .where(and(eq(rounds.driveId, driveId), isNotNull(rounds.publishedAt)));
    },

    /** Rounds with scripts of a paper written part whose results were never published (no appeal window opened). */
    async unpublishedPaperRounds(tx: DbOrTx, driveId: string) {
      return tx
        .selectDistinct({ id: rounds.id, code: rounds.code, status: rounds.status })
        .from(rounds)
        .innerJoin(parts, and(eq(parts.roundId, rounds.id), eq(parts.written, true), eq(parts.computer, false)))
        .innerJoin(scripts, eq(scripts.partId, parts.id))
        .where(and(eq(rounds.driveId, driveId), isNull(rounds.publishedAt)));
    },

    async pendingAppealsOfDrive(tx: DbOrTx, driveId: string) {
      return tx
        .select({ id: appeals.id, dueOn: appeals.dueOn })
        .from(appeals)
        .innerJoin(applications, eq(applications.id, appeals.applicationId))
        .where(and(eq(applications.driveId, driveId), eq(appeals.status, 'pending')))
        .orderBy(asc(appeals.id))
        .limit(100);
    },

    async resolvedAppealsOfRound(tx: DbOrTx, roundId: string, onlyUnpublished: boolean) {
      return tx
        .select({ appeal: appeals, partCode: parts.code, candidateNumber: applications.candidateNumber, finalScore: scripts.finalScore })
        .from(appeals)
        .innerJoin(scripts, eq(scripts.id, appeals.scriptId))
        .innerJoin(parts, eq(parts.id, scripts.partId))
        .innerJoin(applications, eq(applications.id, appeals.applicationId))
        .where(
          and(
            eq(scripts.roundId, roundId),
            inArray(appeals.status, ['upheld', 'changed']),
            onlyUnpublished ? isNull(appeals.publishedAt) : isNotNull(appeals.publishedAt),
          ),
        )
        .orderBy(asc(applications.candidateNumber), asc(parts.code));
    },
  };
}
export type AppealsRepository = ReturnType<typeof createAppealsRepository>;
