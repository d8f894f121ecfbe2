import { hash } from 'node:crypto';
import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import type { JobGrade } from '../../domain/rule-sets.js';
import { approvedIdentities } from '../identity/identity.table.js';
import type { DisciplineKind } from '../../domain/discipline.js';
import { newId } from '../../db/columns.js';
import { pgErrorOf } from '../../db/pg-error.js';
import { conflict } from '../../errors.js';
import { agencies } from '../agencies/agencies.table.js';
import { applications } from '../applications/applications.table.js';
import { submittedFullName } from '../applications/applications.repository.js';
import { candidateBars, candidateProfiles, candidates } from '../candidates/candidates.table.js';
import { drives } from '../drives/drives.table.js';
import { jobPositions } from '../job-positions/job-positions.table.js';
import { quotas } from '../quotas/quotas.table.js';
import { parts, rounds } from '../rounds/rounds.table.js';
import { parsePartScores, type InputApplication, type InputRound } from './results.input.js';
import { quotaResults, results, tieDecisions, type QuotaResultRow, type ResultRow, type StoredExplanation, type TieDecisionRow } from './results.table.js';

export type NewResultRow = Omit<typeof results.$inferInsert, 'id' | 'driveId'>;
export type NewQuotaResultRow = Omit<typeof quotaResults.$inferInsert, 'driveId' | 'computedAt'>;
/** `shownQuotaId`: the quota the row is listed under (see shownQuota). */
export type ResultWithNumber = ResultRow & { candidateNumber: string | null; priorityCategory: string | null; shownQuotaId: string };

/**
 * The quota a result is listed under: its own (the quota its application was registered to), except a
 * winner of a jointly recruited position, listed under the quota of the user agency it is placed at
 * (Decree 170/2025 Art. 10(3)).
 */
export const shownQuota = (r: { quotaId: string; outcome: string; explanation: StoredExplanation }): string =>
  (r.outcome === 'winner' ? r.explanation.joint?.placedQuotaId : null) ?? r.quotaId;

/** The other quotas of the jointly recruited positions among `quotaIds` (none for ordinary quotas). */
async function jointSiblings(tx: DbOrTx, quotaIds: readonly string[]): Promise<string[]> {
  const res = await tx.execute(sql`
    select distinct q2.id::text as id
      from quotas q1
      join job_positions jp on jp.id = q1.job_position_id and jp.joint
      join quotas q2 on q2.drive_id = q1.drive_id and q2.job_position_id = q1.job_position_id
     where q1.id = any(${sql.param(quotaIds)}::uuid[]) and q2.id <> all(${sql.param(quotaIds)}::uuid[])`);
  return (res as unknown as { rows: { id: string }[] }).rows.map((r) => r.id);
}
export type QuotaResultWithQuota = QuotaResultRow & { agencyId: string; jobPositionId: string; title: string | null };

/** Rows per set-based insert. */
const CHUNK = 10_000;

type AppRow = {
  id: string;
  quota_id: string;
  candidate_id: string;
  choice: number;
  priority_hundredths: number;
  priority_category: string | null;
  exemptions: string[];
  candidate_number: string | null;
  scores: string | null;
  grade?: JobGrade | null;
  agency_preferences?: string[];
  ethnicity_code?: string | null;
  discipline: { partId: string; kind: DisciplineKind; minuteRef: string }[] | null;
};

/** SQLSTATE raised by the results_guard_approved triggers (migration 0004). */
export const isResultsImmutable = (err: unknown) => pgErrorOf(err)?.code === 'TDR01';

/**
 * n time-ordered UUIDs (v7) in ascending order, for rows written together: one fresh v7 id, then
 * its random tail incremented per row (RFC 9562 §6.2, method 2 "monotonic random"). Reads order
 * rows of equal rank by id, so ids must follow the engine's order exactly as newId() per row did;
 * one random draw instead of one per row.
 */
export function idSequence(n: number): string[] {
  const first = newId();
  const head = first.slice(0, 24);
  // The last 48 bits are random; clearing the top one leaves room to add n without carrying.
  const tail = Number.parseInt(first.slice(24), 16) % 2 ** 47;
  const ids: string[] = new Array(n);
  for (let i = 0; i < n; i++) ids[i] = head + (tail + i).toString(16).padStart(12, '0');
  return ids;
}

function immutableGuard(err: unknown): never {
  if (isResultsImmutable(err)) throw conflict('results.immutable', 'Approved results cannot change');
  throw err;
}

/**
 * Stored results as a recomputation compares them, by application id: each one's id and digest
 * packed into one string (36 + 22 characters, the digest empty when absent), so that a large drive
 * holds two strings per result rather than a row object and three.
 */
export type StoredResults = Map<string, string>;
const storedId = (v: string) => v.slice(0, 36);
const storedFingerprint = (v: string) => v.slice(36);

/** Text that stands as it is in an array literal (scores, outcomes, rule names): no quote, brace, comma, backslash or space. */
const BARE = /^[\w.+-]+$/;

/** An element of a PostgreSQL array literal: NULL, the value as it is, or double-quoted with `"` and `\\` escaped. */
const element = (v: string | number | null | undefined): string =>
  v === null || v === undefined
    ? 'NULL'
    : typeof v === 'number'
      ? String(v)
      : BARE.test(v) && v.toUpperCase() !== 'NULL'
        ? v
        : `"${v.replace(/["\\]/g, '\\$&')}"`;

/**
 * Rows to insert as one array literal per column, for `unnest` (an array literal is parsed by the
 * server with no JSON document in between, and built here with a join), the explanations as one
 * JSON array (their JSON needs no escaping then): the parameters of one insert statement. Ids are
 * uuids straight from the database or idSequence, so they need no quoting.
 */
class ColumnBatch {
  readonly ids: string[] = [];
  readonly fingerprints: string[] = [];
  readonly quotas: string[] = [];
  readonly applications: string[] = [];
  readonly choices: string[] = [];
  readonly outcomes: string[] = [];
  readonly ranks: string[] = [];
  readonly winnerSlots: string[] = [];
  readonly quotaSlots: string[] = [];
  readonly rankingScores: string[] = [];
  readonly rawScores: string[] = [];
  readonly priorityPoints: string[] = [];
  readonly decidedBy: string[] = [];
  readonly positions: string[] = [];
  readonly explanations: string[] = [];

  get size() {
    return this.ids.length;
  }

  add(id: string, fingerprint: string, r: NewResultRow, explanation: string): void {
    this.ids.push(id);
    this.fingerprints.push(fingerprint);
    this.quotas.push(r.quotaId);
    this.applications.push(r.applicationId);
    this.choices.push(element(r.choice ?? 1));
    this.outcomes.push(element(r.outcome));
    this.ranks.push(element(r.rank));
    this.winnerSlots.push(element(r.winnerSlot));
    this.quotaSlots.push(element(r.quotaSlots));
    this.rankingScores.push(element(r.rankingScore));
    this.rawScores.push(element(r.rawScore));
    this.priorityPoints.push(element(r.priorityPoints ?? '0.00'));
    this.decidedBy.push(element(r.decidedBy));
    this.positions.push(element(r.position ?? 0));
    this.explanations.push(explanation);
  }

  /** The insert of these rows under the drive (the batch is let go: its literals are all that is kept). */
  statement(driveId: string) {
    const a = (xs: string[]) => sql.param(`{${xs.join(',')}}`);
    return sql`
      insert into results (id, drive_id, quota_id, application_id, choice, outcome, rank, winner_slot, quota_slots,
        ranking_score, raw_score, priority_points, decided_by, position, explanation, fingerprint, created_at, updated_at)
      select r.i, ${driveId}::uuid, r.q, r.a, r.c, r.o, r.k, r.w, r.s, r.rs, r.rw, r.pp, r.d, r.p, r.e, r.f, now(), now()
        from unnest(${a(this.ids)}::uuid[], ${a(this.quotas)}::uuid[], ${a(this.applications)}::uuid[], ${a(this.choices)}::int[],
                    ${a(this.outcomes)}::text[], ${a(this.ranks)}::int[], ${a(this.winnerSlots)}::int[], ${a(this.quotaSlots)}::int[],
                    ${a(this.rankingScores)}::numeric[], ${a(this.rawScores)}::numeric[], ${a(this.priorityPoints)}::numeric[],
                    ${a(this.decidedBy)}::text[], ${a(this.positions)}::int[], ${a(this.fingerprints)}::text[],
                    array(select e from jsonb_array_elements(${sql.param(`[${this.explanations.join(',')}]`)}::jsonb) with ordinality as x(e, n) order by n))
          as r(i, q, a, c, o, k, w, s, rs, rw, pp, d, p, f, e)`;
  }
}

/**
 * The digest of everything the engine computed for a row but its id (the row's fingerprint): its
 * fields in a fixed order, then its explanation's JSON (key order fixed by the engine's object
 * literals), so equal content gives equal text. 128 bits, 22 characters: a collision between two
 * contents of one application is not a concern.
 */
function fingerprintOf(r: NewResultRow, explanation: string): string {
  const content =
    `${r.quotaId}|${r.applicationId}|${r.choice ?? 1}|${r.outcome}|${r.rank ?? ''}|${r.winnerSlot ?? ''}|${r.quotaSlots}|` +
    `${r.rankingScore ?? ''}|${r.rawScore ?? ''}|${r.priorityPoints ?? '0.00'}|${r.decidedBy ?? ''}|${r.position ?? 0}|${explanation}`;
  return hash('md5', content, 'base64url');
}

type QuotaPage = { quotaId?: string | undefined; afterQuotaId?: string | undefined; limit: number };

/** A drive's quota results, optionally one quota, keyset-paged by quota id. */
const quotaPageWhere = (driveId: string, f: QuotaPage) =>
  and(
    eq(quotaResults.driveId, driveId),
    f.quotaId ? eq(quotaResults.quotaId, f.quotaId) : undefined,
    f.afterQuotaId ? gt(quotaResults.quotaId, f.afterQuotaId) : undefined,
  );

export function createResultsRepository(db: DbOrTx) {
  return {
    async quotasOf(driveId: string, tx: DbOrTx = db) {
      return tx
        .select({
          id: quotas.id,
          slots: quotas.slots,
          foreignLanguage: quotas.foreignLanguage,
          method: quotas.method,
          agencyId: quotas.agencyId,
          // Decree 170/2025 Art. 10(3): the quotas of one jointly recruited position are ranked together.
          jointKey: sql<string | null>`case when ${jobPositions.joint} then ${jobPositions.id}::text end`,
          ethnicGroups: quotas.ethnicGroups,
        })
        .from(quotas)
        .innerJoin(jobPositions, eq(jobPositions.id, quotas.jobPositionId))
        .where(eq(quotas.driveId, driveId))
        .orderBy(asc(quotas.id));
    },

    async roundsOf(driveId: string, tx: DbOrTx = db): Promise<InputRound[]> {
      const rs = await tx
        .select({
          id: rounds.id,
          order: rounds.order,
          code: rounds.code,
          kind: rounds.kind,
          ranking: rounds.ranking,
          grade: rounds.grade,
          foreignLanguage: rounds.foreignLanguage,
          language: rounds.language,
          method: rounds.method,
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
          computer: parts.computer,
        })
        .from(parts)
        .where(
          inArray(
            parts.roundId,
            rs.map((r) => r.id),
          ),
        )
        .orderBy(asc(parts.position), asc(parts.code));
      let index = 0;
      return rs.map((r) => ({ ...r, parts: ps.filter((p) => p.roundId === r.id).map((p) => ({ ...p, index: index++ })) }));
    },

    /**
     * Per quota, the number of applications still in the running (submitted or eligible), and
     * whether any of them is a second choice (NV2): what is needed to split the drive into groups
     * of quotas before reading the applications themselves.
     */
    async runningPerQuota(driveId: string, tx: DbOrTx = db): Promise<{ perQuota: Map<string, number>; secondChoice: boolean }> {
      const res = await tx.execute(sql`
        select quota_id, count(*)::int as n, bool_or(choice = 2) as nv2
          from applications
         where drive_id = ${driveId} and status in ('submitted', 'eligible')
         group by quota_id`);
      const rows = (res as unknown as { rows: { quota_id: string; n: number | string; nv2: boolean }[] }).rows;
      const perQuota = new Map<string, number>();
      let secondChoice = false;
      for (const r of rows) {
        perQuota.set(r.quota_id, Number(r.n));
        if (r.nv2) secondChoice = true;
      }
      return { perQuota, secondChoice };
    },

    /**
     * Applications still in the running (submitted or eligible; withdrawn and ineligible take no
     * place) with the final scores of all their scripts, ordered by id: scores are turned into
     * integer hundredths in SQL (numeric × 100 is exact at scale 2) and listed compactly as
     * "partIndex:value" (see parsePartScores), so no per-script row crosses the wire. The whole
     * drive is one hash aggregate of its scripts; a group of quotas (`quotaIds`) is read through
     * applications_quota_idx, each application's scripts through scripts_application_idx.
     */
    async applicationsWithScores(
      driveId: string,
      roundList: readonly InputRound[],
      tx: DbOrTx = db,
      quotaIds?: readonly string[],
      extras: { joint?: boolean; ethnic?: boolean } = {},
    ): Promise<InputApplication[]> {
      const partIds = roundList.flatMap((r) => r.parts.map((p) => p.id));
      const indexOf = new Map(roundList.flatMap((r) => r.parts.map((p) => [p.id, p.index] as const)));
      const ordered = partIds.map((id) => indexOf.get(id)!);
      const scores = sql`string_agg((${sql.param(ordered)}::int[])[array_position(${sql.param(partIds)}::uuid[], s.part_id)]::text || ':' ||
                     case when s.absent then 'a' when s.final_score is null then 'p' else ((s.final_score * 100)::int)::text end, ',')`;
      // The grade of the quota's job position, read only when a round concerns one grade (Decree 170/2025 Art. 9).
      const graded = roundList.some((r) => r.grade !== null);
      const gradeColumn = graded
        ? sql`, (select jp.grade from quotas q join job_positions jp on jp.id = q.job_position_id where q.id = a.quota_id) as grade`
        : sql``;
      // Preferences of a jointly recruited position (Decree 170/2025 Art. 10(3)), and the ethnic group where a
      // quota sets per-group slots (Art. 3(2)(c)): read only when the drive has such quotas.
      const jointColumn = extras.joint ? sql`, a.agency_preferences` : sql``;
      const ethnicColumn = extras.ethnic
        ? sql`, (select coalesce(p.ethnicity_code, case when a.profile_id is null then c.ethnicity_code end)
                   from candidates c left join candidate_profiles p on p.id = a.profile_id where c.id = a.candidate_id) as ethnicity_code`
        : sql``;
      // Applied disciplinary acts (Circular 22/2025 Nội quy Art. 2), through discipline_acts_application_idx.
      const discipline = sql`(select json_agg(json_build_object('partId', d.part_id, 'kind', d.kind, 'minuteRef', d.minute_ref) order by d.created_at, d.id)
                from discipline_acts d where d.application_id = a.id and d.status = 'applied') as discipline`;
      const columns = sql`a.id, a.quota_id, a.candidate_id, a.choice, (a.priority_points * 100)::int as priority_hundredths,
               a.priority_category, a.exemptions, a.candidate_number, s.scores${gradeColumn}${jointColumn}${ethnicColumn}, ${discipline}`;
      const res = quotaIds
        ? await tx.execute(sql`
        select ${columns}
          from applications a
          left join lateral (
            select ${scores} as scores
              from scripts s
             where s.application_id = a.id and s.part_id = any(${sql.param(partIds)}::uuid[])
          ) s on true
         where a.quota_id = any(${sql.param(quotaIds)}::uuid[]) and a.status in ('submitted', 'eligible') and a.drive_id = ${driveId}
         order by a.id`)
        : await tx.execute(sql`
        select ${columns}
          from applications a
          left join (
            select s.application_id, ${scores} as scores
              from scripts s
             where s.part_id = any(${sql.param(partIds)}::uuid[])
             group by s.application_id
          ) s on s.application_id = a.id
         where a.drive_id = ${driveId} and a.status in ('submitted', 'eligible')
         order by a.id`);
      const rows = (res as unknown as { rows: (AppRow | undefined)[] }).rows;
      const out: InputApplication[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        rows[i] = undefined; // each raw row can go as soon as it is mapped
        out[i] = {
          id: r.id,
          quotaId: r.quota_id,
          candidateId: r.candidate_id,
          choice: r.choice,
          priorityPoints: r.priority_hundredths,
          priorityCategory: r.priority_category,
          exemptions: r.exemptions,
          candidateNumber: r.candidate_number,
          scores: parsePartScores(r.scores),
          grade: r.grade ?? null,
          ...(r.discipline ? { discipline: r.discipline } : {}),
        };
        if (extras.joint) out[i]!.agencyPreferences = r.agency_preferences ?? [];
        if (extras.ethnic) out[i]!.ethnicityCode = r.ethnicity_code ?? null;
      }
      return out;
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

    /**
     * The drive's stored results by application id, or those of some quotas: a result's quota is
     * its application's (trigger results_application_drive_quota, migration 0006), which an
     * application keeps, so a group of quotas holds all the stored results of its applications.
     */
    async storedResults(tx: Tx, driveId: string, quotaIds?: readonly string[]): Promise<StoredResults> {
      const res = await tx.execute(sql`
        select application_id, id::text || coalesce(fingerprint, '') as v
          from results
         where drive_id = ${driveId}${quotaIds ? sql` and quota_id = any(${sql.param(quotaIds)}::uuid[])` : sql``}`);
      const rows = (res as unknown as { rows: ({ application_id: string; v: string } | undefined)[] }).rows;
      const out: StoredResults = new Map();
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        rows[i] = undefined;
        out.set(r.application_id, r.v);
      }
      return out;
    },

    /**
     * Brings stored result rows to the computed ones (the caller holds the drive lock), writing
     * only what changed; `stored` holds the stored results of the quotas computed (storedResults),
     * consumed: a row whose content digest is unchanged keeps its id and is not written;
     * stored rows whose application is no longer among the computed ones are deleted; a changed
     * row is deleted and inserted again under the same id (cheaper than an update through the
     * row-level immutability trigger, and no winner slot is held twice in between); new rows get
     * new ids (idSequence). Set-based: one delete, then inserts of CHUNK rows each (unnest of one
     * array per column).
     *
     * The statements are only issued (through `turn`, in order): `written` settles when they have
     * run, so that the caller can compute what comes next meanwhile; the counts are known at once.
     */
    writeResultRows(
      tx: Tx,
      driveId: string,
      resultRows: readonly NewResultRow[],
      stored: StoredResults,
      /** Runs each statement when the connection's earlier statements are done (the rows are prepared meanwhile). */
      turn: <T>(statement: () => Promise<T>) => Promise<T> = (statement) => statement(),
    ): { inserted: number; replaced: number; deleted: number; unchanged: number; written: Promise<void> } {
      const batches: ColumnBatch[] = [];
      let batch = new ColumnBatch();
      const gone: string[] = [];
      let replaced = 0;
      let unchanged = 0;
      const ids = idSequence(resultRows.length);
      for (let i = 0; i < resultRows.length; i++) {
        const r = resultRows[i]!;
        const explanation = JSON.stringify(r.explanation);
        const f = fingerprintOf(r, explanation);
        let id = ids[i]!;
        if (stored.size > 0) {
          const old = stored.get(r.applicationId);
          if (old !== undefined) {
            stored.delete(r.applicationId);
            if (storedFingerprint(old) === f) {
              unchanged++;
              continue;
            }
            id = storedId(old);
            gone.push(id);
            replaced++;
          }
        }
        if (batch.size === CHUNK) {
          batches.push(batch);
          batch = new ColumnBatch();
        }
        batch.add(id, f, r, explanation);
      }
      if (batch.size > 0) batches.push(batch);
      // Stored rows left over have vanished.
      const deleted = stored.size;
      for (const v of stored.values()) gone.push(storedId(v));
      stored.clear();
      const statements: Promise<unknown>[] = [];
      if (gone.length > 0) statements.push(turn(() => tx.execute(sql`delete from results where id = any(${sql.param(gone)}::uuid[])`)));
      for (const b of batches) {
        const statement = b.statement(driveId);
        statements.push(turn(() => tx.execute(statement)));
      }
      const written = Promise.all(statements).then(() => undefined, immutableGuard);
      const inserted = batches.reduce((n, b) => n + b.size, 0) - replaced;
      return { inserted, replaced, deleted, unchanged, written };
    },

    /** Upserts quota results (each carries the computation time). */
    async writeQuotaResults(tx: Tx, driveId: string, quotaRows: readonly NewQuotaResultRow[]): Promise<void> {
      if (quotaRows.length === 0) return;
      try {
        const col = <T>(f: (q: NewQuotaResultRow) => T) => sql.param(quotaRows.map(f));
        await tx.execute(sql`
          insert into quota_results (drive_id, quota_id, status, slots, winners, tied_application_ids, open_slots_in_tie,
            reserve_ties, passed_count, candidate_count, explanation, computed_at, updated_at)
          select ${driveId}::uuid, r.quota_id, r.status, r.slots, r.winners, r.tied_application_ids, r.open_slots_in_tie,
            r.reserve_ties, r.passed_count, r.candidate_count, r.explanation, now(), now()
          from unnest(${col((q) => q.quotaId)}::uuid[], ${col((q) => q.status)}::text[], ${col((q) => q.slots)}::int[],
                      ${col((q) => q.winners)}::int[], ${col((q) => JSON.stringify(q.tiedApplicationIds ?? []))}::jsonb[],
                      ${col((q) => q.openSlotsInTie ?? 0)}::int[], ${col((q) => JSON.stringify(q.reserveTies ?? []))}::jsonb[],
                      ${col((q) => q.passedCount ?? 0)}::int[], ${col((q) => q.candidateCount ?? 0)}::int[], ${col((q) => q.explanation ?? '')}::text[])
            as r(quota_id, status, slots, winners, tied_application_ids, open_slots_in_tie, reserve_ties, passed_count, candidate_count, explanation)
          on conflict (quota_id) do update set status = excluded.status, slots = excluded.slots, winners = excluded.winners,
            tied_application_ids = excluded.tied_application_ids, open_slots_in_tie = excluded.open_slots_in_tie,
            reserve_ties = excluded.reserve_ties, passed_count = excluded.passed_count, candidate_count = excluded.candidate_count,
            explanation = excluded.explanation, computed_at = excluded.computed_at, updated_at = excluded.updated_at`);
      } catch (err) {
        immutableGuard(err);
      }
    },

    /** Deletes the drive's quota results of quotas other than these. */
    async deleteOtherQuotaResults(tx: Tx, driveId: string, quotaIds: readonly string[]): Promise<void> {
      try {
        await tx.execute(sql`delete from quota_results where drive_id = ${driveId} and not (quota_id = any(${sql.param(quotaIds)}::uuid[]))`);
      } catch (err) {
        immutableGuard(err);
      }
    },

    /** Quota results of a drive, keyset-paged by quota id. */
    async quotaResultsPage(
      driveId: string,
      f: QuotaPage,
      tx: DbOrTx = db,
    ): Promise<QuotaResultWithQuota[]> {
      const rows = await tx
        .select({ q: quotaResults, agencyId: quotas.agencyId, jobPositionId: quotas.jobPositionId, title: quotas.title })
        .from(quotaResults)
        .innerJoin(quotas, eq(quotas.id, quotaResults.quotaId))
        .where(quotaPageWhere(driveId, f))
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
        .orderBy(asc(results.quotaId), sql`${results.rank} asc nulls last`, asc(results.position), asc(results.id));
      const out = rows.map((x) => ({ ...x.r, candidateNumber: x.candidateNumber, priorityCategory: x.priorityCategory, shownQuotaId: shownQuota(x.r) }));
      // Decree 170/2025 Art. 10(3): winners of a joint position registered under a sibling quota but placed at one of these.
      const siblings = outcome === undefined || outcome === 'winner' ? await jointSiblings(tx, quotaIds) : [];
      if (siblings.length === 0 && out.every((r) => r.shownQuotaId === r.quotaId)) return out;
      const placed = siblings.length === 0 ? [] : await tx
        .select({ r: results, candidateNumber: applications.candidateNumber, priorityCategory: applications.priorityCategory })
        .from(results)
        .innerJoin(applications, eq(applications.id, results.applicationId))
        .where(and(inArray(results.quotaId, siblings), eq(results.outcome, 'winner')));
      const wanted = new Set(quotaIds);
      return [...out, ...placed.map((x) => ({ ...x.r, candidateNumber: x.candidateNumber, priorityCategory: x.priorityCategory, shownQuotaId: shownQuota(x.r) }))]
        .filter((r) => wanted.has(r.shownQuotaId))
        .sort((a, b) => (a.shownQuotaId < b.shownQuotaId ? -1 : a.shownQuotaId > b.shownQuotaId ? 1 : (a.rank ?? Infinity) - (b.rank ?? Infinity) || (a.id < b.id ? -1 : 1)));
    },

    async findResult(id: string, tx: DbOrTx = db): Promise<ResultRow | undefined> {
      const [row] = await tx.select().from(results).where(eq(results.id, id));
      return row;
    },

    /** An application's result, its winning row first (an NV1/NV2 application has one per choice). */
    async findResultOfApplication(applicationId: string, tx: DbOrTx = db): Promise<ResultRow | undefined> {
      const [row] = await tx
        .select()
        .from(results)
        .where(eq(results.applicationId, applicationId))
        .orderBy(sql`${results.outcome} = 'winner' desc`, results.choice)
        .limit(1);
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
      return tx.select().from(results).where(eq(results.quotaId, quotaId)).orderBy(sql`${results.rank} asc nulls last`, asc(results.position), asc(results.id));
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

    async publicQuotas(driveId: string, f: QuotaPage, tx: DbOrTx = db) {
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
        .where(quotaPageWhere(driveId, f))
        .orderBy(asc(quotaResults.quotaId))
        .limit(f.limit + 1);
    },

    /** Winners only, with the identity the law has published (never birth date or contacts). */
    async publicWinners(quotaIds: string[], tx: DbOrTx = db) {
      if (quotaIds.length === 0) return [];
      // Decree 170/2025 Art. 10(3): a joint position's winners are published under the user agency they are placed at.
      const wanted = new Set(quotaIds);
      const all = [...quotaIds, ...(await jointSiblings(tx, quotaIds))];
      const rows = await tx
        .select({
          registeredQuotaId: results.quotaId,
          explanation: results.explanation,
          outcome: results.outcome,
          rank: results.rank,
          winnerSlot: results.winnerSlot,
          rankingScore: results.rankingScore,
          candidateNumber: applications.candidateNumber,
          // The identity frozen at approval; else the name the registering agency submitted (submittedFullName).
          fullName: sql<string>`coalesce(${approvedIdentities.fullName}, ${submittedFullName})`,
          nationalIdMasked: sql<string>`coalesce(${approvedIdentities.nationalIdMasked}, ${candidates.nationalIdMasked})`,
          correctionId: approvedIdentities.correctionId,
        })
        .from(results)
        .innerJoin(applications, eq(applications.id, results.applicationId))
        .innerJoin(candidates, eq(candidates.id, applications.candidateId))
        .leftJoin(candidateProfiles, eq(candidateProfiles.id, applications.profileId))
        .leftJoin(approvedIdentities, and(eq(approvedIdentities.driveId, results.driveId), eq(approvedIdentities.applicationId, results.applicationId)))
        .where(and(inArray(results.quotaId, all), eq(results.outcome, 'winner')))
        .orderBy(asc(results.quotaId), asc(results.winnerSlot));
      return rows
        .map(({ registeredQuotaId, explanation, outcome, ...w }) => ({ quotaId: shownQuota({ quotaId: registeredQuotaId, outcome, explanation }), ...w }))
        .filter((w) => wanted.has(w.quotaId))
        .sort((a, b) => (a.quotaId < b.quotaId ? -1 : a.quotaId > b.quotaId ? 1 : (a.winnerSlot ?? 0) - (b.winnerSlot ?? 0)));
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
