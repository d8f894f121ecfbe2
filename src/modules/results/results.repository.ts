import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { pgErrorOf } from '../../db/pg-error.js';
import { conflict } from '../../errors.js';
import { agencies } from '../agencies/agencies.table.js';
import { applications } from '../applications/applications.table.js';
import { candidateBars, candidates } from '../candidates/candidates.table.js';
import { drives } from '../drives/drives.table.js';
import { jobPositions } from '../job-positions/job-positions.table.js';
import { quotas } from '../quotas/quotas.table.js';
import { parts, rounds, scripts } from '../rounds/rounds.table.js';
import type { InputApplication, InputRound, InputScript } from './results.input.js';
import { quotaResults, results, tieDecisions, type QuotaResultRow, type ResultRow, type TieDecisionRow } from './results.table.js';

export type NewResultRow = typeof results.$inferInsert & { id: string };
export type NewQuotaResultRow = typeof quotaResults.$inferInsert;
export type ResultWithNumber = ResultRow & { candidateNumber: string | null; priorityCategory: string | null };
export type QuotaResultWithQuota = QuotaResultRow & { agencyId: string; jobPositionId: string; title: string | null };

/** Rows per set-based insert: one jsonb parameter each, well under any protocol limit. */
const CHUNK = 5000;

/** SQLSTATE raised by the results_guard_approved triggers (migration 0004). */
export const isResultsImmutable = (err: unknown) => pgErrorOf(err)?.code === 'TDR01';

function immutableGuard(err: unknown): never {
  if (isResultsImmutable(err)) throw conflict('results.immutable', 'Approved results cannot change');
  throw err;
}

export function createResultsRepository(db: DbOrTx) {
  return {
    async quotasOf(driveId: string, tx: DbOrTx = db) {
      return tx
        .select({ id: quotas.id, slots: quotas.slots })
        .from(quotas)
        .where(eq(quotas.driveId, driveId))
        .orderBy(asc(quotas.id));
    },

    /** Applications still in the running (submitted or eligible); withdrawn and ineligible take no place. */
    async activeApplications(driveId: string, tx: DbOrTx = db): Promise<(InputApplication & { candidateNumber: string | null })[]> {
      return tx
        .select({
          id: applications.id,
          quotaId: applications.quotaId,
          candidateId: applications.candidateId,
          choice: applications.choice,
          priorityPoints: applications.priorityPoints,
          priorityCategory: applications.priorityCategory,
          exemptions: applications.exemptions,
          candidateNumber: applications.candidateNumber,
        })
        .from(applications)
        .where(and(eq(applications.driveId, driveId), inArray(applications.status, ['submitted', 'eligible'])))
        .orderBy(asc(applications.id));
    },

    async roundsOf(driveId: string, tx: DbOrTx = db): Promise<InputRound[]> {
      const rs = await tx
        .select({
          id: rounds.id,
          order: rounds.order,
          code: rounds.code,
          kind: rounds.kind,
          ranking: rounds.ranking,
          status: rounds.status,
          exemptionCodes: rounds.exemptionCodes,
        })
        .from(rounds)
        .where(eq(rounds.driveId, driveId))
        .orderBy(asc(rounds.order));
      if (rs.length === 0) return [];
      const ps = await tx
        .select({
          id: parts.id,
          roundId: parts.roundId,
          code: parts.code,
          maxScore: parts.maxScore,
          weight: parts.weight,
          written: parts.written,
          markingMode: parts.markingMode,
        })
        .from(parts)
        .where(
          inArray(
            parts.roundId,
            rs.map((r) => r.id),
          ),
        )
        .orderBy(asc(parts.position), asc(parts.code));
      return rs.map((r) => ({ ...r, parts: ps.filter((p) => p.roundId === r.id) }));
    },

    /** Final part scores of every script of the drive (one set-based read). */
    async scriptsOf(driveId: string, tx: DbOrTx = db): Promise<InputScript[]> {
      return tx
        .select({
          applicationId: scripts.applicationId,
          partId: scripts.partId,
          absent: scripts.absent,
          finalScore: scripts.finalScore,
          status: scripts.status,
        })
        .from(scripts)
        .innerJoin(rounds, eq(rounds.id, scripts.roundId))
        .where(eq(rounds.driveId, driveId));
    },

    async tieDecisionsOf(driveId: string, tx: DbOrTx = db): Promise<TieDecisionRow[]> {
      return tx.select().from(tieDecisions).where(eq(tieDecisions.driveId, driveId)).orderBy(asc(tieDecisions.decidedAt));
    },

    async insertTieDecision(tx: Tx, row: typeof tieDecisions.$inferInsert): Promise<TieDecisionRow> {
      const [created] = await tx.insert(tieDecisions).values(row).returning();
      return created!;
    },

    /** Earlier decisions of the quota that order any of these applications are superseded. */
    async deleteOverlappingDecisions(tx: Tx, quotaId: string, applicationIds: string[]): Promise<void> {
      await tx.execute(sql`
        delete from ${tieDecisions}
        where ${tieDecisions.quotaId} = ${quotaId}
          and ${tieDecisions.stage} = 'results'
          and ${tieDecisions.orderedApplicationIds} ?| ${sql`array[${sql.join(
            applicationIds.map((id) => sql`${id}`),
            sql`, `,
          )}]::text[]`}`);
    },

    async hasResults(driveId: string, tx: DbOrTx = db): Promise<boolean> {
      const [row] = await tx.select({ quotaId: quotaResults.quotaId }).from(quotaResults).where(eq(quotaResults.driveId, driveId)).limit(1);
      return row !== undefined;
    },

    /** Replaces the drive's results in set-based statements (the caller holds the drive lock). */
    async replaceResults(tx: Tx, driveId: string, quotaRows: NewQuotaResultRow[], resultRows: NewResultRow[]): Promise<void> {
      try {
        await tx.delete(results).where(eq(results.driveId, driveId));
        await tx.delete(quotaResults).where(eq(quotaResults.driveId, driveId));
        for (let i = 0; i < quotaRows.length; i += CHUNK) {
          const chunk = quotaRows.slice(i, i + CHUNK).map((q) => ({
            quota_id: q.quotaId,
            status: q.status,
            slots: q.slots,
            winners: q.winners,
            tied_application_ids: q.tiedApplicationIds ?? [],
            open_slots_in_tie: q.openSlotsInTie ?? 0,
            reserve_ties: q.reserveTies ?? [],
            passed_count: q.passedCount ?? 0,
            candidate_count: q.candidateCount ?? 0,
            explanation: q.explanation ?? '',
          }));
          await tx.execute(sql`
            insert into quota_results (drive_id, quota_id, status, slots, winners, tied_application_ids, open_slots_in_tie,
              reserve_ties, passed_count, candidate_count, explanation, computed_at, updated_at)
            select ${driveId}::uuid, r.quota_id, r.status, r.slots, r.winners, r.tied_application_ids, r.open_slots_in_tie,
              r.reserve_ties, r.passed_count, r.candidate_count, r.explanation, now(), now()
            from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as r(quota_id uuid, status text, slots int, winners int,
              tied_application_ids jsonb, open_slots_in_tie int, reserve_ties jsonb, passed_count int, candidate_count int, explanation text)`);
        }
        for (let i = 0; i < resultRows.length; i += CHUNK) {
          const chunk = resultRows.slice(i, i + CHUNK).map((r) => ({
            id: r.id,
            quota_id: r.quotaId,
            application_id: r.applicationId,
            choice: r.choice ?? 1,
            outcome: r.outcome,
            rank: r.rank ?? null,
            winner_slot: r.winnerSlot ?? null,
            quota_slots: r.quotaSlots,
            ranking_score: r.rankingScore ?? null,
            raw_score: r.rawScore ?? null,
            priority_points: r.priorityPoints ?? '0',
            decided_by: r.decidedBy ?? null,
            explanation: r.explanation,
          }));
          await tx.execute(sql`
            insert into results (id, drive_id, quota_id, application_id, choice, outcome, rank, winner_slot, quota_slots,
              ranking_score, raw_score, priority_points, decided_by, explanation, created_at, updated_at)
            select r.id, ${driveId}::uuid, r.quota_id, r.application_id, r.choice, r.outcome, r.rank, r.winner_slot, r.quota_slots,
              r.ranking_score, r.raw_score, r.priority_points, r.decided_by, r.explanation, now(), now()
            from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as r(id uuid, quota_id uuid, application_id uuid, choice int,
              outcome text, rank int, winner_slot int, quota_slots int, ranking_score numeric, raw_score numeric,
              priority_points numeric, decided_by text, explanation jsonb)`);
        }
      } catch (err) {
        immutableGuard(err);
      }
    },

    /** Quota results of a drive, keyset-paged by quota id. */
    async quotaResultsPage(
      driveId: string,
      f: { quotaId?: string | undefined; afterQuotaId?: string | undefined; limit: number },
      tx: DbOrTx = db,
    ): Promise<QuotaResultWithQuota[]> {
      const rows = await tx
        .select({ q: quotaResults, agencyId: quotas.agencyId, jobPositionId: quotas.jobPositionId, title: quotas.title })
        .from(quotaResults)
        .innerJoin(quotas, eq(quotas.id, quotaResults.quotaId))
        .where(
          and(
            eq(quotaResults.driveId, driveId),
            f.quotaId ? eq(quotaResults.quotaId, f.quotaId) : undefined,
            f.afterQuotaId ? gt(quotaResults.quotaId, f.afterQuotaId) : undefined,
          ),
        )
        .orderBy(asc(quotaResults.quotaId))
        .limit(f.limit + 1);
      return rows.map((r) => ({ ...r.q, agencyId: r.agencyId, jobPositionId: r.jobPositionId, title: r.title }));
    },

    async resultsOfQuotas(quotaIds: string[], outcome?: string, tx: DbOrTx = db): Promise<ResultWithNumber[]> {
      if (quotaIds.length === 0) return [];
      const rows = await tx
        .select({ r: results, candidateNumber: applications.candidateNumber, priorityCategory: applications.priorityCategory })
        .from(results)
        .innerJoin(applications, eq(applications.id, results.applicationId))
        .where(and(inArray(results.quotaId, quotaIds), outcome ? eq(results.outcome, outcome as ResultRow['outcome']) : undefined))
        .orderBy(asc(results.quotaId), sql`${results.rank} asc nulls last`, asc(results.id));
      return rows.map((x) => ({ ...x.r, candidateNumber: x.candidateNumber, priorityCategory: x.priorityCategory }));
    },

    async findResult(id: string, tx: DbOrTx = db): Promise<ResultRow | undefined> {
      const [row] = await tx.select().from(results).where(eq(results.id, id));
      return row;
    },

    /** Serialises replacements in one quota: every cancel and replacement decision takes this lock first. */
    async lockQuotaResult(tx: Tx, quotaId: string): Promise<QuotaResultRow | undefined> {
      const [row] = await tx.select().from(quotaResults).where(eq(quotaResults.quotaId, quotaId)).for('update');
      return row;
    },

    async quotaResultsOf(driveId: string, tx: DbOrTx = db): Promise<QuotaResultRow[]> {
      return tx.select().from(quotaResults).where(eq(quotaResults.driveId, driveId));
    },

    async resultsOfQuota(tx: DbOrTx, quotaId: string): Promise<ResultRow[]> {
      return tx.select().from(results).where(eq(results.quotaId, quotaId)).orderBy(sql`${results.rank} asc nulls last`, asc(results.id));
    },

    async updateResult(tx: Tx, id: string, changes: Partial<typeof results.$inferInsert>): Promise<ResultRow> {
      try {
        const [row] = await tx
          .update(results)
          .set({ ...changes, updatedAt: sql`now()` })
          .where(eq(results.id, id))
          .returning();
        return row!;
      } catch (err) {
        if (pgErrorOf(err)?.code === '23505' || pgErrorOf(err)?.code === '23514') {
          throw conflict('result.slot_taken', 'Another change took this winner slot first; retry');
        }
        immutableGuard(err);
      }
    },

    async updateQuotaResult(tx: Tx, quotaId: string, changes: Partial<typeof quotaResults.$inferInsert>): Promise<QuotaResultRow> {
      try {
        const [row] = await tx
          .update(quotaResults)
          .set({ ...changes, updatedAt: sql`now()` })
          .where(eq(quotaResults.quotaId, quotaId))
          .returning();
        return row!;
      } catch (err) {
        immutableGuard(err);
      }
    },

    async candidateOf(tx: DbOrTx, applicationId: string): Promise<string | undefined> {
      const [row] = await tx.select({ candidateId: applications.candidateId }).from(applications).where(eq(applications.id, applicationId));
      return row?.candidateId;
    },

    async insertBar(tx: Tx, row: typeof candidateBars.$inferInsert): Promise<void> {
      await tx.insert(candidateBars).values(row);
    },

    /** The drive, for the public page: only its id, name, status and publication date. */
    async publicDrive(id: string, tx: DbOrTx = db) {
      const [row] = await tx
        .select({ id: drives.id, code: drives.code, name: drives.name, kind: drives.kind, status: drives.status, year: drives.year, publishedAt: drives.publishedAt })
        .from(drives)
        .where(eq(drives.id, id));
      return row;
    },

    async publicQuotas(driveId: string, f: { quotaId?: string | undefined; afterQuotaId?: string | undefined; limit: number }, tx: DbOrTx = db) {
      return tx
        .select({
          quotaId: quotaResults.quotaId,
          status: quotaResults.status,
          slots: quotaResults.slots,
          title: quotas.title,
          agencyName: agencies.name,
          jobPositionName: jobPositions.name,
        })
        .from(quotaResults)
        .innerJoin(quotas, eq(quotas.id, quotaResults.quotaId))
        .innerJoin(agencies, eq(agencies.id, quotas.agencyId))
        .innerJoin(jobPositions, eq(jobPositions.id, quotas.jobPositionId))
        .where(
          and(
            eq(quotaResults.driveId, driveId),
            f.quotaId ? eq(quotaResults.quotaId, f.quotaId) : undefined,
            f.afterQuotaId ? gt(quotaResults.quotaId, f.afterQuotaId) : undefined,
          ),
        )
        .orderBy(asc(quotaResults.quotaId))
        .limit(f.limit + 1);
    },

    /** Winners only, with the identity the law has published (never birth date or contacts). */
    async publicWinners(quotaIds: string[], tx: DbOrTx = db) {
      if (quotaIds.length === 0) return [];
      return tx
        .select({
          quotaId: results.quotaId,
          rank: results.rank,
          winnerSlot: results.winnerSlot,
          rankingScore: results.rankingScore,
          candidateNumber: applications.candidateNumber,
          fullName: candidates.fullName,
          nationalIdMasked: candidates.nationalIdMasked,
        })
        .from(results)
        .innerJoin(applications, eq(applications.id, results.applicationId))
        .innerJoin(candidates, eq(candidates.id, applications.candidateId))
        .where(and(inArray(results.quotaId, quotaIds), eq(results.outcome, 'winner')))
        .orderBy(asc(results.quotaId), asc(results.winnerSlot));
    },

    /** Cancelled winners of a quota still waiting for a replacement. */
    async awaitingReplacement(tx: DbOrTx, quotaId: string): Promise<ResultRow[]> {
      return tx
        .select()
        .from(results)
        .where(and(eq(results.quotaId, quotaId), eq(results.outcome, 'cancelled'), isNull(results.replacedByResultId)))
        .orderBy(asc(results.cancelledAt));
    },
  };
}
export type ResultsRepository = ReturnType<typeof createResultsRepository>;
