import { sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { ALL_DRIVES, WHOLE_DRIVE } from './reports.table.js';
import type { ReviewGroup } from '../../domain/review.js';

/*
 * Report queries. Every figure is counted from the rows (applications, scripts, results,
 * quota outcomes), never read from a stored total, and each query is one set-based statement
 * over indexed keys: applications(drive_id, …), scripts(round_id, …), results(drive_id, …),
 * the partial unique index on winners (quota_id, winner_slot) where outcome = 'winner',
 * drives(year, kind), quotas(drive_id, …). Counts are cast to int: the two drivers differ on bigint.
 */

export type QuotaFiguresRow = {
  quota_id: string;
  agency_id: string;
  agency_code: string;
  agency_name: string;
  job_position_id: string;
  /** The report's order is (agency_code, job_position_code, quota_id). */
  job_position_code: string;
  position: string;
  slots: number;
  outcome: string | null;
  applications: number;
  candidates: number;
  eligible: number;
  withdrawn: number;
  results: number;
  winners: number;
  passed_gate: number;
  method: 'exam' | 'review';
  review_group: ReviewGroup | null;
};

export type CandidateQuotaRow = { candidate_id: string; quota_id: string };
export type RoundRow = { id: string; order: number; code: string; name: string; kind: 'gate' | 'scored' };
export type QuotaRoundRow = { quota_id: string; round_id: string; sat: number; passed: number };

export type LeadershipRow = {
  drive_id: string | null;
  code: string | null;
  name: string | null;
  status: string | null;
  titles: number;
  agencies: number;
  with_winner: number;
  without_winner: number;
  not_held: number;
  pending: number;
};

async function rows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** Ids as one array literal parameter (cast to uuid[] in SQL): one parameter however many ids. */
const uuidArray = (ids: readonly string[]) => `{${ids.join(',')}}`;

export function createReportsRepository(db: Db) {
  return {
    /**
     * Runs `fn` in one REPEATABLE READ, READ ONLY transaction: every statement reads the same
     * snapshot, so the report's figures agree with each other.
     */
    inSnapshot<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return db.transaction(fn, { isolationLevel: 'repeatable read', accessMode: 'read only' });
    },

    /** The snapshot the transaction reads, as pg_snapshot text (`xmin:xmax:xip,…`). */
    async snapshot(tx: Tx): Promise<string> {
      const [row] = await rows<{ s: string }>(tx, sql`select pg_current_snapshot()::text as s`);
      return row!.s;
    },

    /**
     * Whether a report computed in `snapshot` still holds: no transaction that snapshot did not see
     * has changed the drive (or every drive), and the change rows it needs have not been pruned.
     * One probe of drive_changes' primary key per drive id.
     */
    async unchangedSince(driveId: string, snapshot: string, q: DbOrTx = db): Promise<boolean> {
      const [row] = await rows<{ fresh: boolean | null }>(
        q,
        sql`select (select horizon from drive_changes_horizon) <= pg_snapshot_xmin(${snapshot}::pg_snapshot)
                   and not exists (
                     select 1 from drive_changes c
                      where c.drive_id in (${driveId}::uuid, ${ALL_DRIVES}::uuid)
                        and c.xid >= pg_snapshot_xmin(${snapshot}::pg_snapshot)
                        and not pg_visible_in_snapshot(c.xid, ${snapshot}::pg_snapshot)) as fresh`,
      );
      return row?.fresh === true;
    },

    /**
     * Deletes change rows no cached report can need, at most once per `everySeconds` across all
     * instances (the horizon row is the lock): rows below the xmin seen by the previous prune go, and
     * reports computed before that prune stop being trusted (see driveChangesHorizon).
     */
    async pruneChanges(everySeconds: number): Promise<number> {
      const r = (await db.execute(
        sql`with h as (
              update drive_changes_horizon
                 set horizon = next, next = pg_snapshot_xmin(pg_current_snapshot()), pruned_at = now()
               where pruned_at <= now() - make_interval(secs => ${everySeconds})
               returning horizon
            )
            delete from drive_changes where xid < (select horizon from h)`,
      )) as unknown as { rowCount?: number | null; affectedRows?: number };
      return r.rowCount ?? r.affectedRows ?? 0;
    },

    /**
     * The quotas changed by transactions that `snapshot` did not see and the transaction `tx` reads
     * does see (one row each), with WHOLE_DRIVE among them if one such change was not one quota's or
     * if change rows the answer needs may have been pruned. Run in the snapshot of a new report.
     */
    async changedQuotas(driveId: string, snapshot: string, tx: Tx): Promise<string[]> {
      const r = await rows<{ quota_id: string }>(
        tx,
        sql`select distinct c.quota_id::text as quota_id
              from drive_changes c
             where c.drive_id in (${driveId}::uuid, ${ALL_DRIVES}::uuid)
               and c.xid >= pg_snapshot_xmin(${snapshot}::pg_snapshot)
               and not pg_visible_in_snapshot(c.xid, ${snapshot}::pg_snapshot)
            union
            select ${WHOLE_DRIVE}::text
             where not (select horizon from drive_changes_horizon) <= pg_snapshot_xmin(${snapshot}::pg_snapshot)`,
      );
      return r.map((x) => x.quota_id);
    },

    /**
     * One row per quota (of `quotaIds` only, if given): registrations, results and outcome counted
     * per quota in one statement, in the report's order.
     */
    quotaFigures(driveId: string, quotaIds: readonly string[] | null, q: DbOrTx = db): Promise<QuotaFiguresRow[]> {
      const only = (column: SQL) => (quotaIds ? sql`and ${column} = any(${uuidArray(quotaIds)}::uuid[])` : sql``);
      return rows<QuotaFiguresRow>(
        q,
        sql`with app as (
              select quota_id,
                     count(*)::int as applications,
                     count(distinct candidate_id)::int as candidates,
                     (count(*) filter (where status = 'eligible'))::int as eligible,
                     (count(*) filter (where status = 'withdrawn'))::int as withdrawn
                from applications
               where drive_id = ${driveId} ${only(sql`quota_id`)}
               group by quota_id
            ), res as (
              select quota_id,
                     count(*)::int as results,
                     (count(*) filter (where outcome = 'winner'))::int as winners,
                     (count(*) filter (where explanation->'gate'->>'passed' = 'true'))::int as passed_gate
                from results
               where drive_id = ${driveId} ${only(sql`quota_id`)}
               group by quota_id
            )
            select q.id as quota_id, q.agency_id, ag.code as agency_code, ag.name as agency_name,
                   q.job_position_id, jp.code as job_position_code, coalesce(q.title, jp.name) as position, q.slots, qr.status as outcome,
                   coalesce(app.applications, 0) as applications, coalesce(app.candidates, 0) as candidates,
                   coalesce(app.eligible, 0) as eligible, coalesce(app.withdrawn, 0) as withdrawn,
                   coalesce(res.results, 0) as results, coalesce(res.winners, 0) as winners,
                   coalesce(res.passed_gate, 0) as passed_gate, q.method, q.review_group
              from quotas q
              join agencies ag on ag.id = q.agency_id
              join job_positions jp on jp.id = q.job_position_id
              left join app on app.quota_id = q.id
              left join res on res.quota_id = q.id
              left join quota_results qr on qr.quota_id = q.id
             where q.drive_id = ${driveId} ${only(sql`q.id`)}
             order by ag.code, jp.code, q.id`,
      );
    },

    /** The drive's quota ids in the report's order (the order of quotaFigures). */
    async quotaOrder(driveId: string, q: DbOrTx = db): Promise<string[]> {
      const r = await rows<{ id: string }>(
        q,
        sql`select q.id from quotas q
              join agencies ag on ag.id = q.agency_id
              join job_positions jp on jp.id = q.job_position_id
             where q.drive_id = ${driveId}
             order by ag.code, jp.code, q.id`,
      );
      return r.map((x) => x.id);
    },

    /**
     * The candidates with applications (any status) in more than one of the drive's quotas, with
     * each of those quotas: with every quota's count of distinct candidates, what the drive's count
     * of distinct candidates is made of (see reports.service.ts).
     */
    multiQuotaCandidates(driveId: string, q: DbOrTx = db): Promise<CandidateQuotaRow[]> {
      return rows<CandidateQuotaRow>(
        q,
        // min <> max instead of count(distinct): a hash aggregate, no sort per group.
        sql`select distinct a.candidate_id::text as candidate_id, a.quota_id::text as quota_id
              from applications a
             where a.drive_id = ${driveId}
               and a.candidate_id in (select candidate_id from applications where drive_id = ${driveId}
                                       group by candidate_id having min(quota_id::text) <> max(quota_id::text))`,
      );
    },

    /**
     * Each quota of the drive that candidates have applications in (any status), for the candidates
     * with an application in `quotaIds` and the `candidateIds`: through the quota_id and
     * candidate_id indexes.
     */
    candidateQuotas(driveId: string, quotaIds: readonly string[], candidateIds: readonly string[], q: DbOrTx = db): Promise<CandidateQuotaRow[]> {
      return rows<CandidateQuotaRow>(
        q,
        sql`select distinct a.candidate_id::text as candidate_id, a.quota_id::text as quota_id
              from applications a
             where a.drive_id = ${driveId}
               and a.candidate_id in (select candidate_id from applications
                                       where drive_id = ${driveId} and quota_id = any(${uuidArray(quotaIds)}::uuid[])
                                      union all
                                      select unnest(${uuidArray(candidateIds)}::uuid[]))`,
      );
    },

    rounds(driveId: string, q: DbOrTx = db): Promise<RoundRow[]> {
      return rows<RoundRow>(
        q,
        sql`select id, "order", code, name, kind from rounds where drive_id = ${driveId} order by "order"`,
      );
    },

    /**
     * Per quota (of `quotaIds` only, if given) and round: applications that sat (a script not marked
     * absent) and, for gate rounds, passed (every script they took is scored and reaches the part's
     * pass mark and the rule set's share of the maximum — Decree 138/2020 Art. 8: ≥ 50 % in each
     * part of round 1).
     */
    quotaRoundFigures(driveId: string, gatePercent: number, quotaIds: readonly string[] | null, q: DbOrTx = db): Promise<QuotaRoundRow[]> {
      return rows<QuotaRoundRow>(
        q,
        // Scripts joined to their application first, then grouped per (quota, round, application):
        // one grouping pass over the scripts fewer than grouping per (round, application) and
        // joining afterwards (≈ 10 % less time on the national drive's 574,000 scripts). For a few
        // quotas, their applications lead (quota_id index) and their scripts follow (application_id).
        sql`with per_app as (
              select a.quota_id, s.round_id,
                     bool_or(not s.absent) as sat,
                     bool_and(not s.absent and s.final_score is not null
                              and s.final_score * 100 >= p.max_score * ${gatePercent}
                              and (p.pass_mark is null or s.final_score >= p.pass_mark)) as passed
                from scripts s
                join parts p on p.id = s.part_id
                join applications a on a.id = s.application_id
               where s.round_id in (select id from rounds where drive_id = ${driveId})
                     ${quotaIds ? sql`and a.quota_id = any(${uuidArray(quotaIds)}::uuid[])` : sql``}
               group by a.quota_id, s.round_id, s.application_id
            )
            select quota_id, round_id,
                   (count(*) filter (where sat))::int as sat,
                   (count(*) filter (where sat and passed))::int as passed
              from per_app
             group by quota_id, round_id`,
      );
    },

    /**
     * Leadership titles of a year, per drive and in total (grouping sets): a title's outcome is
     * read from its rows — a current winner, else the quota outcome recorded by the results engine.
     * `scopePath` (the caller's subtree) and `subtreePath` (the agencyId filter) limit titles by the
     * title's agency.
     */
    leadership(year: number, scopePath: string | null, subtreePath: string | null): Promise<LeadershipRow[]> {
      return rows<LeadershipRow>(
        db,
        sql`with titles as (
              select q.id, q.agency_id, q.drive_id
                from drives d
                join quotas q on q.drive_id = d.id
                join agencies ag on ag.id = q.agency_id
               where d.year = ${year} and d.kind = 'leadership' and d.status not in ('draft', 'cancelled')
                 and (${scopePath}::text is null or ag.path like ${scopePath}::text || '%')
                 and (${subtreePath}::text is null or ag.path like ${subtreePath}::text || '%')
            ), won as (
              select r.quota_id, count(*)::int as winners
                from results r
               where r.outcome = 'winner' and r.quota_id in (select id from titles)
               group by r.quota_id
            ), outcome as (
              select t.drive_id, t.agency_id,
                     case when coalesce(w.winners, 0) > 0 then 'with_winner'
                          -- examined but no current winner (none passed, or the winner's result was cancelled with no reserve)
                          when qr.status in ('no_winner', 'winner') then 'without_winner'
                          when qr.status = 'not_held' then 'not_held'
                          else 'pending' end as o
                from titles t
                left join won w on w.quota_id = t.id
                left join quota_results qr on qr.quota_id = t.id
            ), agg as (
              select drive_id, grouping(drive_id) as total,
                     count(*)::int as titles,
                     count(distinct agency_id)::int as agencies,
                     (count(*) filter (where o = 'with_winner'))::int as with_winner,
                     (count(*) filter (where o = 'without_winner'))::int as without_winner,
                     (count(*) filter (where o = 'not_held'))::int as not_held,
                     (count(*) filter (where o = 'pending'))::int as pending
                from outcome
               group by grouping sets ((drive_id), ())
            )
            select agg.drive_id, d.code, d.name, d.status, agg.titles, agg.agencies,
                   agg.with_winner, agg.without_winner, agg.not_held, agg.pending
              from agg
              left join drives d on d.id = agg.drive_id
             order by agg.total desc, d.code`,
      );
    },
  };
}
export type ReportsRepository = ReturnType<typeof createReportsRepository>;
