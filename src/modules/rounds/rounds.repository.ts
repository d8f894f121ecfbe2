import { and, asc, eq, gt, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agencies } from '../agencies/agencies.table.js';
import { applications } from '../applications/applications.table.js';
import { submittedFullName } from '../applications/applications.repository.js';
import { boardMembers } from '../boards/boards.table.js';
import { candidateProfiles, candidates } from '../candidates/candidates.table.js';
import { jobPositions } from '../job-positions/job-positions.table.js';
import { quotas } from '../quotas/quotas.table.js';
import { drives } from '../drives/drives.table.js';
import {
  marks,
  parts,
  rounds,
  scoreHistory,
  scripts,
  type PartRow,
  type RoundRow,
  type ScriptRow,
} from './rounds.table.js';

export type MarkRow = typeof marks.$inferSelect;

/** Application statuses that sit exams: registered and not refused or withdrawn. */
export const ACTIVE_APPLICATION_STATUSES = ['submitted', 'eligible'] as const;

const driveColumns = {
  id: drives.id,
  status: drives.status,
  kind: drives.kind,
  ruleSet: drives.ruleSet,
  organizingAgencyId: drives.organizingAgencyId,
  agencyPath: agencies.path,
};
export type DriveContext = { id: string; status: string; kind: string; ruleSet: unknown; organizingAgencyId: string; agencyPath: string };

export function createRoundsRepository(db: DbOrTx) {
  return {
    async driveContext(driveId: string, tx: DbOrTx = db, lock?: 'update' | 'share'): Promise<DriveContext | undefined> {
      const q = tx.select(driveColumns).from(drives).innerJoin(agencies, eq(agencies.id, drives.organizingAgencyId)).where(eq(drives.id, driveId));
      const [row] = lock ? await q.for(lock, { of: drives }) : await q;
      return row;
    },

    async findRound(id: string, tx: DbOrTx = db, lock?: 'update' | 'share'): Promise<RoundRow | undefined> {
      const q = tx.select().from(rounds).where(eq(rounds.id, id));
      const [row] = lock ? await q.for(lock) : await q;
      return row;
    },

    async roundsOfDrive(driveId: string, tx: DbOrTx = db): Promise<RoundRow[]> {
      return tx.select().from(rounds).where(eq(rounds.driveId, driveId)).orderBy(asc(rounds.order));
    },

    async partsOf(roundIds: string[], tx: DbOrTx = db): Promise<PartRow[]> {
      if (roundIds.length === 0) return [];
      return tx.select().from(parts).where(inArray(parts.roundId, roundIds)).orderBy(asc(parts.roundId), asc(parts.position));
    },

    async insertRound(tx: DbOrTx, row: typeof rounds.$inferInsert): Promise<RoundRow> {
      const [created] = await tx.insert(rounds).values(row).returning();
      return created!;
    },

    async insertParts(tx: DbOrTx, rows: (typeof parts.$inferInsert)[]): Promise<void> {
      if (rows.length > 0) await tx.insert(parts).values(rows);
    },

    async deleteParts(tx: DbOrTx, roundId: string): Promise<void> {
      await tx.delete(parts).where(eq(parts.roundId, roundId));
    },

    /** Updates when the version matches; undefined means someone changed it first. */
    async updateRound(tx: DbOrTx, id: string, expected: number, changes: Partial<typeof rounds.$inferInsert>): Promise<RoundRow | undefined> {
      const [row] = await tx
        .update(rounds)
        .set({ ...changes, version: sql`${rounds.version} + 1`, updatedAt: sql`now()` })
        .where(and(eq(rounds.id, id), eq(rounds.version, expected)))
        .returning();
      return row;
    },

    async scriptCount(tx: DbOrTx, roundId: string): Promise<number> {
      const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(scripts).where(eq(scripts.roundId, roundId));
      return Number(row?.n ?? 0);
    },

    /** Scripts of active applications that are neither absent nor final: they block the lock. */
    async unreconciledCounts(tx: DbOrTx, roundId: string): Promise<{ status: string; n: number }[]> {
      const rows = await tx
        .select({ status: scripts.status, n: sql<number>`count(*)::int` })
        .from(scripts)
        .innerJoin(applications, eq(applications.id, scripts.applicationId))
        .where(
          and(
            eq(scripts.roundId, roundId),
            eq(scripts.absent, false),
            ne(scripts.status, 'final'),
            inArray(applications.status, [...ACTIVE_APPLICATION_STATUSES]),
          ),
        )
        .groupBy(scripts.status);
      return rows.map((r) => ({ status: r.status, n: Number(r.n) }));
    },

    async activeApplications(tx: DbOrTx, driveId: string) {
      return tx
        .select({
          id: applications.id,
          quotaId: applications.quotaId,
          exemptions: applications.exemptions,
          candidateNumber: applications.candidateNumber,
          /** The grade of the quota's job position: it decides which graded rounds the application sits. */
          grade: jobPositions.grade,
          /** The quota's foreign-language requirement (Decree 170/2025 Art. 9(5)); null: none. */
          foreignLanguage: quotas.foreignLanguage,
          /** Exam or review (Decree 170/2025 Art. 3(2)(d)): a review quota sits the review's rounds only. */
          method: quotas.method,
        })
        .from(applications)
        .innerJoin(quotas, eq(quotas.id, applications.quotaId))
        .innerJoin(jobPositions, eq(jobPositions.id, quotas.jobPositionId))
        .where(and(eq(applications.driveId, driveId), inArray(applications.status, [...ACTIVE_APPLICATION_STATUSES])))
        .orderBy(asc(applications.id));
    },

    /** The drive's quotas with the grade of their job position (null: not recorded). */
    async quotaGradesOfDrive(tx: DbOrTx, driveId: string) {
      return tx
        .select({ id: quotas.id, grade: jobPositions.grade, foreignLanguage: quotas.foreignLanguage, method: quotas.method })
        .from(quotas)
        .innerJoin(jobPositions, eq(jobPositions.id, quotas.jobPositionId))
        .where(eq(quotas.driveId, driveId));
    },

    async quotaIdsOfDrive(tx: DbOrTx, driveId: string): Promise<string[]> {
      const rows = await tx.select({ id: quotas.id }).from(quotas).where(eq(quotas.driveId, driveId));
      return rows.map((r) => r.id);
    },

    /** Final scores of the scripts of these rounds (gate rounds: who passed, who was absent). */
    async finalScoresOf(tx: DbOrTx, roundIds: string[]) {
      if (roundIds.length === 0) return [];
      return tx
        .select({ roundId: scripts.roundId, partId: scripts.partId, applicationId: scripts.applicationId, absent: scripts.absent, finalScore: scripts.finalScore })
        .from(scripts)
        .where(inArray(scripts.roundId, roundIds));
    },

    async scriptKeysOf(tx: DbOrTx, roundId: string) {
      return tx.select({ partId: scripts.partId, applicationId: scripts.applicationId, code: scripts.code }).from(scripts).where(eq(scripts.roundId, roundId));
    },

    async insertScripts(tx: DbOrTx, rows: (typeof scripts.$inferInsert)[]): Promise<number> {
      let inserted = 0;
      for (let i = 0; i < rows.length; i += 1000) {
        const res = await tx
          .insert(scripts)
          .values(rows.slice(i, i + 1000))
          .onConflictDoNothing({ target: [scripts.partId, scripts.applicationId] })
          .returning({ id: scripts.id });
        inserted += res.length;
      }
      return inserted;
    },

    async listScripts(
      roundId: string,
      f: { partId?: string | undefined; status?: ScriptRow['status'] | undefined; statuses?: ScriptRow['status'][]; afterCode?: string | undefined; limit: number; presentOnly?: boolean },
    ): Promise<ScriptRow[]> {
      const where: (SQL | undefined)[] = [
        eq(scripts.roundId, roundId),
        f.presentOnly ? eq(scripts.absent, false) : undefined,
        f.partId ? eq(scripts.partId, f.partId) : undefined,
        f.status ? eq(scripts.status, f.status) : undefined,
        f.statuses ? inArray(scripts.status, f.statuses) : undefined,
        f.afterCode ? gt(scripts.code, f.afterCode) : undefined,
      ];
      return db.select().from(scripts).where(and(...where)).orderBy(asc(scripts.code)).limit(f.limit + 1);
    },

    async marksOf(scriptIds: string[], tx: DbOrTx = db, markerKeyId?: string | null): Promise<MarkRow[]> {
      if (scriptIds.length === 0) return [];
      const where = [inArray(marks.scriptId, scriptIds)];
      if (markerKeyId !== undefined) where.push(markerKeyId === null ? sql`false` : eq(marks.markerKeyId, markerKeyId));
      return tx.select().from(marks).where(and(...where)).orderBy(asc(marks.scriptId), asc(marks.slot));
    },

    /** The board members who entered marks, for the council's views. */
    async membersByIds(ids: string[], tx: DbOrTx = db) {
      if (ids.length === 0) return [];
      return tx
        .select({ memberId: boardMembers.id, fullName: boardMembers.fullName, board: boardMembers.board })
        .from(boardMembers)
        .where(inArray(boardMembers.id, ids));
    },

    /** Locks the scripts a batch touches, in id order so that concurrent batches never deadlock. */
    async lockScriptsByCodes(tx: DbOrTx, roundId: string, codes: string[]): Promise<ScriptRow[]> {
      if (codes.length === 0) return [];
      return tx
        .select()
        .from(scripts)
        .where(and(eq(scripts.roundId, roundId), inArray(scripts.code, codes)))
        .orderBy(asc(scripts.id))
        .for('update');
    },

    async lockScriptsOfApplications(tx: DbOrTx, roundId: string, applicationIds: string[]): Promise<ScriptRow[]> {
      if (applicationIds.length === 0) return [];
      return tx
        .select()
        .from(scripts)
        .where(and(eq(scripts.roundId, roundId), inArray(scripts.applicationId, applicationIds)))
        .orderBy(asc(scripts.id))
        .for('update');
    },

    async insertMark(tx: DbOrTx, row: typeof marks.$inferInsert): Promise<void> {
      await tx.insert(marks).values(row);
    },

    async replaceMark(tx: DbOrTx, id: string, score: string): Promise<void> {
      await tx.update(marks).set({ score, enteredAt: sql`now()` }).where(eq(marks.id, id));
    },

    async updateScript(tx: DbOrTx, id: string, changes: Partial<typeof scripts.$inferInsert>): Promise<ScriptRow> {
      const [row] = await tx
        .update(scripts)
        .set({ ...changes, version: sql`${scripts.version} + 1`, updatedAt: sql`now()` })
        .where(eq(scripts.id, id))
        .returning();
      return row!;
    },

    async insertHistory(tx: DbOrTx, rows: (typeof scoreHistory.$inferInsert)[]): Promise<void> {
      if (rows.length > 0) await tx.insert(scoreHistory).values(rows);
    },

    async applicationsByIdsOrNumbers(tx: DbOrTx, driveId: string, ids: string[], numbers: string[]) {
      const conds: SQL[] = [];
      if (ids.length > 0) conds.push(inArray(applications.id, ids));
      if (numbers.length > 0) conds.push(inArray(applications.candidateNumber, numbers));
      if (conds.length === 0) return [];
      return tx
        .select({
          id: applications.id,
          status: applications.status,
          exemptions: applications.exemptions,
          candidateNumber: applications.candidateNumber,
          grade: jobPositions.grade,
          foreignLanguage: quotas.foreignLanguage,
          method: quotas.method,
        })
        .from(applications)
        .innerJoin(quotas, eq(quotas.id, applications.quotaId))
        .innerJoin(jobPositions, eq(jobPositions.id, quotas.jobPositionId))
        .where(and(eq(applications.driveId, driveId), conds.length === 1 ? conds[0] : sql`(${conds[0]} or ${conds[1]})`));
    },

    /** The code ↔ application join (ghép phách), with the scores each script ended with. */
    async revealJoin(tx: DbOrTx, roundId: string) {
      return tx
        .select({
          code: scripts.code,
          partCode: parts.code,
          applicationId: scripts.applicationId,
          candidateNumber: applications.candidateNumber,
          fullName: submittedFullName,
          absent: scripts.absent,
          finalScore: scripts.finalScore,
          finalRule: scripts.finalRule,
        })
        .from(scripts)
        .innerJoin(parts, eq(parts.id, scripts.partId))
        .innerJoin(applications, eq(applications.id, scripts.applicationId))
        .innerJoin(candidates, eq(candidates.id, applications.candidateId))
        .leftJoin(candidateProfiles, eq(candidateProfiles.id, applications.profileId))
        .where(eq(scripts.roundId, roundId))
        .orderBy(asc(applications.candidateNumber), asc(parts.position), asc(scripts.code));
    },

    async applicationContext(id: string, tx: DbOrTx = db) {
      const [row] = await tx
        .select({ id: applications.id, driveId: applications.driveId, registeredByAgencyId: applications.registeredByAgencyId })
        .from(applications)
        .where(eq(applications.id, id));
      return row;
    },

    async agencyPath(id: string, tx: DbOrTx = db): Promise<string | undefined> {
      const [row] = await tx.select({ path: agencies.path }).from(agencies).where(eq(agencies.id, id));
      return row?.path;
    },
  };
}
export type RoundsRepository = ReturnType<typeof createRoundsRepository>;
