import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client.js';
import { isUniqueViolation } from '../../db/pg-error.js';
import { conflict } from '../../errors.js';
import { drives } from '../drives/drives.table.js';
import {
  candidateBars,
  candidateProfiles,
  candidates,
  type CandidateProfileRow,
  type CandidateRow,
  type Contacts,
  type Education,
  type PriorityClaim,
} from './candidates.table.js';

/** A PostgreSQL array literal of text values (NULL for null), for one-parameter bulk statements. */
export function pgArrayLiteral(values: (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Whether the subtree with LIKE prefix `prefix` (null: no scope) already submitted for the person
 * `c` (an alias of candidates): it registered them first, or added its own profile. A 409 for a
 * second registration, and reuse as stored on import, are right only then.
 */
export function heldBy(c: SQL, prefix: SQL): SQL {
  return sql`(${prefix}::text is null
    or exists (select 1 from agencies ha where ha.id = ${c}.registered_by_agency_id and ha.path like ${prefix}::text)
    or exists (select 1 from candidate_profiles hp join agencies hpa on hpa.id = hp.agency_id
                where hp.candidate_id = ${c}.id and hpa.path like ${prefix}::text))`;
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

/** A subtree as the LIKE prefix the scoped queries take (null: a key without a scope). */
export const scopePrefixOf = (scopePath: string | null) => (scopePath === null ? null : `${escapeLike(scopePath)}%`);

/** What one agency submitted for a person: the person's own columns (`profileId` null) or a candidate_profiles row. */
export type Submission = {
  profileId: string | null;
  fullName: string;
  fullNameSearch: string;
  birthDate: string;
  gender: CandidateRow['gender'];
  ethnicity: string;
  /** The group `ethnicity` names (src/domain/ethnicity.ts); null when it names none. */
  ethnicityCode: string | null;
  nationality: string;
  contacts: Contacts;
  education: Education;
  priorityClaims: PriorityClaim[];
  agencyId: string | null;
  /** The caller's own subtree submitted it (false: read through an application to one of its quotas). */
  own: boolean;
  createdAt: Date;
  updatedAt: Date;
  version: number;
};
/** A person with the submission the caller reads. */
export type ScopedCandidate = {
  id: string;
  nationalIdCiphertext: string;
  nationalIdIndex: string;
  nationalIdMasked: string;
  submission: Submission;
};

const submissionColumns = (t: string) =>
  sql.raw(`${t}.full_name as "fullName", ${t}.full_name_search as "fullNameSearch", ${t}.birth_date as "birthDate", ${t}.gender,
           ${t}.ethnicity, ${t}.ethnicity_code as "ethnicityCode", ${t}.nationality, ${t}.contacts, ${t}.education, ${t}.priority_claims as "priorityClaims"`);

/**
 * The submission a caller whose subtree is the LIKE prefix `prefix` (null: no scope) reads for the
 * person `candidateId`, as JSON, or null when the person is not visible to it. In order: the
 * person's own columns when its first registering agency lies in the subtree (always, without a
 * scope); else the earliest profile an agency of the subtree submitted; else, for a person seen
 * only through an application to one of the subtree's quotas, the submission that application was
 * registered with. Never another agency's submission: a scoped caller cannot tell from what it
 * reads whether anyone else registered the person.
 */
export function submissionOf(candidateId: SQL, prefix: SQL): SQL {
  return sql`(select to_json(s) from (
      select 1 as rank, null::uuid as "profileId", ${submissionColumns('sc')}, sc.registered_by_agency_id as "agencyId", true as own,
             sc.created_at as "createdAt", sc.updated_at as "updatedAt", sc.version
        from candidates sc
       where sc.id = ${candidateId}
         and (${prefix}::text is null or exists (select 1 from agencies ra where ra.id = sc.registered_by_agency_id and ra.path like ${prefix}::text))
      union all
      select 2, sp.id, ${submissionColumns('sp')}, sp.agency_id, true, sp.created_at, sp.updated_at, sp.version
        from candidate_profiles sp join agencies pa on pa.id = sp.agency_id
       where sp.candidate_id = ${candidateId} and pa.path like ${prefix}::text
      union all
      select 3, sa.profile_id, ${submissionColumns('coalesce_src')}, coalesce_src.agency_id, false, coalesce_src.created_at, coalesce_src.updated_at, coalesce_src.version
        from applications sa
        join quotas sq on sq.id = sa.quota_id
        join agencies qa on qa.id = sq.agency_id
        cross join lateral (
          select p3.full_name, p3.full_name_search, p3.birth_date, p3.gender, p3.ethnicity, p3.ethnicity_code, p3.nationality, p3.contacts, p3.education,
                 p3.priority_claims, p3.agency_id, p3.created_at, p3.updated_at, p3.version
            from candidate_profiles p3 where p3.id = sa.profile_id
          union all
          select c3.full_name, c3.full_name_search, c3.birth_date, c3.gender, c3.ethnicity, c3.ethnicity_code, c3.nationality, c3.contacts, c3.education,
                 c3.priority_claims, c3.registered_by_agency_id, c3.created_at, c3.updated_at, c3.version
            from candidates c3 where c3.id = sa.candidate_id and sa.profile_id is null
        ) coalesce_src
       where sa.candidate_id = ${candidateId} and qa.path like ${prefix}::text
       order by 1, "createdAt"
       limit 1) s)`;
}

type RawSubmission = Omit<Submission, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };
export const submissionFromJson = (s: RawSubmission): Submission => ({
  profileId: s.profileId,
  fullName: s.fullName,
  fullNameSearch: s.fullNameSearch,
  birthDate: s.birthDate,
  gender: s.gender,
  ethnicity: s.ethnicity,
  ethnicityCode: s.ethnicityCode ?? null,
  nationality: s.nationality,
  contacts: s.contacts,
  education: s.education,
  priorityClaims: s.priorityClaims,
  agencyId: s.agencyId,
  own: s.own,
  createdAt: new Date(s.createdAt),
  updatedAt: new Date(s.updatedAt),
  version: s.version,
});

type RawScoped = { id: string; national_id_ciphertext: string; national_id_index: string; national_id_masked: string; s: RawSubmission | string };
const scopedFromRow = (r: RawScoped): ScopedCandidate => ({
  id: r.id,
  nationalIdCiphertext: r.national_id_ciphertext,
  nationalIdIndex: r.national_id_index,
  nationalIdMasked: r.national_id_masked,
  submission: submissionFromJson(typeof r.s === 'string' ? (JSON.parse(r.s) as RawSubmission) : r.s),
});
const rowsOf = <T,>(result: unknown) => (result as { rows: T[] }).rows;

/** The submission fields a create or a correction writes. */
export type SubmissionFields = {
  fullName: string;
  fullNameSearch: string;
  birthDate: string;
  gender: CandidateRow['gender'];
  ethnicity: string;
  ethnicityCode: string | null;
  nationality: string;
  contacts: Contacts;
  education: Education;
  priorityClaims: PriorityClaim[];
};

export function createCandidatesRepository(db: DbOrTx) {
  /** People with the caller's submission, visible ones only; `where` filters `x` (id, national_id_index, s). */
  async function scoped(tx: DbOrTx, scopePath: string | null, where: SQL, tail: SQL = sql``): Promise<ScopedCandidate[]> {
    const prefix = scopePrefixOf(scopePath);
    const result = await tx.execute(sql`
      select * from (
        select c.id, c.national_id_ciphertext, c.national_id_index, c.national_id_masked, ${submissionOf(sql`c.id`, sql`${prefix}`)} as s
          from candidates c) x
       where x.s is not null and ${where} ${tail}`);
    return rowsOf<RawScoped>(result).map(scopedFromRow);
  }

  return {
    async findVisible(id: string, scopePath: string | null, tx: DbOrTx = db): Promise<ScopedCandidate | undefined> {
      const [row] = await scoped(tx, scopePath, sql`x.id = ${id}::uuid`);
      return row;
    },
    async list(f: CandidateFilter): Promise<ScopedCandidate[]> {
      return scoped(
        db,
        f.scopePath,
        sql.join(
          [
            sql`true`,
            ...(f.nationalIdIndex ? [sql`x.national_id_index = ${f.nationalIdIndex}`] : []),
            ...(f.search ? [sql`x.s->>'fullNameSearch' like ${`%${escapeLike(f.search)}%`}`] : []),
            ...(f.afterId ? [sql`x.id > ${f.afterId}::uuid`] : []),
          ],
          sql` and `,
        ),
        sql`order by x.id limit ${f.limit + 1}`,
      );
    },
    /**
     * Ethnicity texts that name none of the 54 groups, with how many submissions hold each: the
     * candidates the caller's subtree registered first and the profiles its agencies submitted
     * (every one without a scope). Texts and counts only, no person.
     */
    async unmappedEthnicities(scopePath: string | null, limit: number): Promise<{ ethnicity: string; count: number }[]> {
      const prefix = scopePrefixOf(scopePath);
      const result = await db.execute(sql`
        select ethnicity, count(*)::int as count from (
          select c.ethnicity from candidates c
           where c.ethnicity_code is null
             and (${prefix}::text is null or exists (select 1 from agencies a where a.id = c.registered_by_agency_id and a.path like ${prefix}::text))
          union all
          select p.ethnicity from candidate_profiles p join agencies pa on pa.id = p.agency_id
           where p.ethnicity_code is null and (${prefix}::text is null or pa.path like ${prefix}::text)
        ) u
        group by ethnicity
        order by count(*) desc, ethnicity
        limit ${limit}`);
      return rowsOf<{ ethnicity: string; count: number }>(result).map((r) => ({ ethnicity: r.ethnicity, count: Number(r.count) }));
    },
    /** Locks the person's row (a correction of any of its submissions serialises on it). */
    async lockPerson(tx: DbOrTx, id: string): Promise<CandidateRow | undefined> {
      const [row] = await tx.select().from(candidates).where(eq(candidates.id, id)).for('update');
      return row;
    },
    /** Creates the person; undefined when one with this national ID exists (nothing is raised: the transaction goes on). */
    async insertIfNew(tx: DbOrTx, row: typeof candidates.$inferInsert): Promise<CandidateRow | undefined> {
      const [created] = await tx.insert(candidates).values(row).onConflictDoNothing({ target: candidates.nationalIdIndex }).returning();
      return created;
    },
    /** The person with this blind index, and whether the caller's subtree already submitted for them. */
    async personByIndex(tx: DbOrTx, index: string, scopePath: string | null): Promise<{ id: string; held: boolean } | undefined> {
      const prefix = scopePrefixOf(scopePath);
      const result = await tx.execute(sql`
        select c.id, ${heldBy(sql`c`, sql`${prefix}`)} as held from candidates c where c.national_id_index = ${index}`);
      return rowsOf<{ id: string; held: boolean }>(result)[0];
    },
    /** Adds an agency's submission for a person; undefined when that agency already has one (a concurrent request). */
    async insertProfile(tx: DbOrTx, row: typeof candidateProfiles.$inferInsert): Promise<CandidateProfileRow | undefined> {
      const [created] = await tx
        .insert(candidateProfiles)
        .values(row)
        .onConflictDoNothing({ target: [candidateProfiles.candidateId, candidateProfiles.agencyId] })
        .returning();
      return created;
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
    async updateProfile(tx: DbOrTx, id: string, expected: number, changes: Partial<typeof candidateProfiles.$inferInsert>) {
      const [row] = await tx
        .update(candidateProfiles)
        .set({ ...changes, version: sql`${candidateProfiles.version} + 1`, updatedAt: sql`now()` })
        .where(and(eq(candidateProfiles.id, id), eq(candidateProfiles.version, expected)))
        .returning();
      return row;
    },
    /** How many agencies submitted for the person besides its first registering one. */
    async profileCount(tx: DbOrTx, id: string): Promise<number> {
      const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(candidateProfiles).where(eq(candidateProfiles.candidateId, id));
      return Number(row?.n ?? 0);
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
