import { and, asc, eq, gt, inArray, like, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client.js';
import { isUniqueViolation } from '../../db/pg-error.js';
import { conflict } from '../../errors.js';
import { agencies } from '../agencies/agencies.table.js';
import { applications } from '../applications/applications.table.js';
import { drives } from '../drives/drives.table.js';
import { quotas } from '../quotas/quotas.table.js';
import { candidateBars, candidates, type CandidateRow } from './candidates.table.js';

/** A PostgreSQL array literal of text values (NULL for null), for one-parameter bulk statements. */
export function pgArrayLiteral(values: (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A candidate is visible to a key scoped to an agency subtree when an agency of that subtree
 * registered them, or applied them to one of its quotas. An unscoped key sees everyone.
 */
export function candidateInScope(scopePath: string | null): SQL | undefined {
  if (scopePath === null) return undefined;
  return candidateUnder(`${escapeLike(scopePath)}%`);
}

/** candidateInScope's condition for a subtree given as a LIKE prefix (a value, or SQL such as a placeholder). */
export function candidateUnder(prefix: string | SQL): SQL {
  return sql`(exists (select 1 from ${agencies} ra where ra.id = ${candidates.registeredByAgencyId} and ra.path like ${prefix})
    or exists (select 1 from ${applications} sa join ${quotas} sq on sq.id = sa.quota_id join ${agencies} qa on qa.id = sq.agency_id
               where sa.candidate_id = ${candidates.id} and qa.path like ${prefix}))`;
}

/**
 * The one drive a bar set by a drive applies to: a person found to have cheated is not accepted by
 * that recruiting authority (the source drive's organising agency) for its next recruitment — the
 * first of its drives, not cancelled, whose registration opens after the day the bar was set
 * (Vietnamese date). The bar is spent once that drive's registration has closed, as no later drive
 * is then the first.
 */
const barredDriveId = sql`(select nd.id from drives nd join drives sd on sd.id = ${candidateBars.sourceDriveId}
   where nd.organizing_agency_id = sd.organizing_agency_id and nd.id <> sd.id and nd.status <> 'cancelled'
     and nd.registration_opens_on > (${candidateBars.createdAt} at time zone 'Asia/Ho_Chi_Minh')::date
   order by nd.registration_opens_on, nd.id limit 1)`;

/**
 * A candidate_bars row applies to a drive whose registration opens on `opensOn`: not lifted, not
 * expired before that date, and either set by a drive and this is that authority's next drive
 * (barredDriveId), or set otherwise (no source drive) with drives still to serve.
 */
export function barApplies(driveId: string | SQL | AnyPgColumn, opensOn: SQL | AnyPgColumn): SQL {
  return sql`(${candidateBars.liftedAt} is null
    and (${candidateBars.barredUntil} is null or ${opensOn} is null or ${opensOn} <= ${candidateBars.barredUntil})
    and (case when ${candidateBars.sourceDriveId} is null
              then (${candidateBars.drivesRemaining} is null or ${candidateBars.drivesRemaining} > 0)
              else ${barredDriveId} = ${driveId} end))`;
}

/** What a refusal says of the bar: the authority, the drive that caused it and the day it is spent. */
export type BarDetails = { reason: string; authorityAgencyId: string | null; sourceDriveId: string | null; endsOn: string | null };

export type CandidateFilter = {
  scopePath: string | null;
  nationalIdIndex?: string | undefined;
  search?: string | undefined;
  afterId?: string | undefined;
  limit: number;
};

export const DUPLICATE_NATIONAL_ID = 'candidates_national_id_index_unique';
const duplicate = () => conflict('candidate.duplicate_national_id', 'A candidate with this national ID already exists');

export function createCandidatesRepository(db: DbOrTx) {
  return {
    async findVisible(id: string, scopePath: string | null, tx: DbOrTx = db): Promise<CandidateRow | undefined> {
      const [row] = await tx
        .select()
        .from(candidates)
        .where(and(eq(candidates.id, id), candidateInScope(scopePath)));
      return row;
    },
    async findVisibleForUpdate(tx: DbOrTx, id: string, scopePath: string | null): Promise<CandidateRow | undefined> {
      const [row] = await tx
        .select()
        .from(candidates)
        .where(and(eq(candidates.id, id), candidateInScope(scopePath)))
        .for('update', { of: candidates });
      return row;
    },
    async list(f: CandidateFilter): Promise<CandidateRow[]> {
      return db
        .select()
        .from(candidates)
        .where(
          and(
            candidateInScope(f.scopePath),
            f.nationalIdIndex ? eq(candidates.nationalIdIndex, f.nationalIdIndex) : undefined,
            f.search ? like(candidates.fullNameSearch, `%${escapeLike(f.search)}%`) : undefined,
            f.afterId ? gt(candidates.id, f.afterId) : undefined,
          ),
        )
        .orderBy(asc(candidates.id))
        .limit(f.limit + 1);
    },
    async insert(tx: DbOrTx, row: typeof candidates.$inferInsert): Promise<CandidateRow> {
      try {
        const [created] = await tx.insert(candidates).values(row).returning();
        return created!;
      } catch (err) {
        if (isUniqueViolation(err, DUPLICATE_NATIONAL_ID)) throw duplicate();
        throw err;
      }
    },
    async update(tx: DbOrTx, id: string, expected: number, changes: Partial<typeof candidates.$inferInsert>) {
      try {
        const [row] = await tx
          .update(candidates)
          .set({ ...changes, version: sql`${candidates.version} + 1`, updatedAt: sql`now()` })
          .where(and(eq(candidates.id, id), eq(candidates.version, expected)))
          .returning();
        return row;
      } catch (err) {
        if (isUniqueViolation(err, DUPLICATE_NATIONAL_ID)) throw duplicate();
        throw err;
      }
    },
    /** Candidates by blind index (bulk import matching). */
    async findByIndexes(tx: DbOrTx, indexes: string[]): Promise<CandidateRow[]> {
      if (indexes.length === 0) return [];
      return tx.select().from(candidates).where(inArray(candidates.nationalIdIndex, indexes));
    },
    /**
     * Inserts the rows whose national ID is new (bulk import); rows another request created first
     * are skipped. One statement over column arrays (unnest): a batch is one round trip and one plan.
     */
    async insertMissing(tx: DbOrTx, rows: (typeof candidates.$inferInsert & { id: string })[]): Promise<{ id: string; nationalIdIndex: string }[]> {
      if (rows.length === 0) return [];
      const col = <T,>(f: (r: (typeof rows)[number]) => T) => pgArrayLiteral(rows.map((r) => f(r) as string | null));
      const json = (v: unknown) => JSON.stringify(v ?? null);
      const result = await tx.execute(sql`
        insert into ${candidates} (id, full_name, full_name_search, national_id_ciphertext, national_id_index, national_id_masked,
          birth_date, gender, ethnicity, nationality, contacts, education, priority_claims, registered_by_agency_id)
        select * from unnest(${col((r) => r.id)}::uuid[], ${col((r) => r.fullName)}::text[], ${col((r) => r.fullNameSearch)}::text[],
          ${col((r) => r.nationalIdCiphertext)}::text[], ${col((r) => r.nationalIdIndex)}::text[], ${col((r) => r.nationalIdMasked)}::text[],
          ${col((r) => r.birthDate)}::date[], ${col((r) => r.gender)}::text[], ${col((r) => r.ethnicity)}::text[], ${col((r) => r.nationality)}::text[],
          ${col((r) => json(r.contacts ?? {}))}::jsonb[], ${col((r) => json(r.education ?? {}))}::jsonb[], ${col((r) => json(r.priorityClaims ?? []))}::jsonb[],
          ${col((r) => r.registeredByAgencyId ?? null)}::uuid[])
        on conflict (national_id_index) do nothing
        returning id, national_id_index`);
      return (result as unknown as { rows: { id: string; national_id_index: string }[] }).rows.map((r) => ({ id: r.id, nationalIdIndex: r.national_id_index }));
    },
    /**
     * Candidates barred from a drive whose registration opens on `opensOn`: a bar not lifted, not
     * expired before that date, with drives still to serve, and imposed by another drive.
     */
    async barredAmong(tx: DbOrTx, candidateIds: string[], driveId: string, opensOn: string | null): Promise<Set<string>> {
      if (candidateIds.length === 0) return new Set();
      const rows = await tx
        .selectDistinct({ candidateId: candidateBars.candidateId })
        .from(candidateBars)
        .where(and(inArray(candidateBars.candidateId, candidateIds), barApplies(driveId, sql`${opensOn}::date`)));
      return new Set(rows.map((r) => r.candidateId));
    },
    /** The bar that keeps a candidate out of a drive, with what a refusal says of it. */
    async barOf(tx: DbOrTx, candidateId: string, driveId: string): Promise<BarDetails | undefined> {
      const [row] = await tx
        .select({
          reason: candidateBars.reason,
          authorityAgencyId: sql<string | null>`(select organizing_agency_id from drives where id = ${candidateBars.sourceDriveId})`,
          sourceDriveId: candidateBars.sourceDriveId,
          endsOn: sql<string | null>`(select registration_closes_on::text from drives where id = ${driveId}::uuid and ${candidateBars.sourceDriveId} is not null)`,
        })
        .from(candidateBars)
        .innerJoin(drives, eq(drives.id, sql`${driveId}::uuid`))
        .where(and(eq(candidateBars.candidateId, candidateId), barApplies(drives.id, drives.registrationOpensOn)))
        .limit(1);
      return row;
    },
  };
}
export type CandidatesRepository = ReturnType<typeof createCandidatesRepository>;
