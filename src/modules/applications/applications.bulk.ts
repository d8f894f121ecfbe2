import { randomFillSync } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { DbOrTx } from '../../db/client.js';
import type { PriorityClaim } from '../candidates/candidates.table.js';

/*
 * The bulk import's statements. A batch takes two: one read of everything the rules need about the
 * batch's existing candidates, and one write that creates the new candidates and all applications
 * together. Values travel as one array literal per column (unnest), so a batch of any size is one
 * round trip and one plan per statement, on PostgreSQL and PGlite alike.
 */

/** A PostgreSQL array literal of text values (NULL for null), for one-parameter bulk statements. */
function arrayLiteral(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i > 0) out += ',';
    out += v === null ? 'NULL' : `"${v.includes('"') || v.includes('\\') ? v.replace(/["\\]/g, (c) => `\\${c}`) : v}"`;
  }
  return `${out}}`;
}

/*
 * Ids of the rows the import creates: UUIDv7 like newId(), their random bits cut from a pool the
 * CSPRNG fills 1,024 ids at a time (newId() asks the CSPRNG once per id, which costs more than the
 * rest of making the id; an import makes two ids per row).
 */
const ID_BYTES = 16;
const idPool = Buffer.alloc(ID_BYTES * 1024);
let idOffset = idPool.length;
export function bulkId(): string {
  if (idOffset === idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  const random = idPool.subarray(idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return uuidv7({ random });
}

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/** An existing candidate as the import's rules see it, with what it already holds in the drive. */
export type ExistingCandidate = {
  id: string;
  nationalIdIndex: string;
  birthDate: string;
  nationality: string;
  priorityClaims: PriorityClaim[];
  /** A bar not lifted applies to this drive (as barredAmong decides). */
  barred: boolean;
  /** Its active (not withdrawn) applications in the drive. */
  active: { id: string; quotaId: string; choice: number }[];
};

/**
 * The candidates with these blind indexes, each with its bar and its active applications in the
 * drive: one statement (the three lookups of a registration, for a whole batch).
 */
export async function existingCandidates(tx: DbOrTx, driveId: string, opensOn: string | null, indexes: string[]): Promise<ExistingCandidate[]> {
  if (indexes.length === 0) return [];
  const result = await tx.execute(sql`
    select c.id, c.national_id_index, c.birth_date::text as birth_date, c.nationality, c.priority_claims,
           exists (select 1 from candidate_bars b
                    where b.candidate_id = c.id and b.lifted_at is null
                      and (b.barred_until is null or ${opensOn}::date is null or ${opensOn}::date <= b.barred_until)
                      and (b.drives_remaining is null or b.drives_remaining > 0)
                      and (b.source_drive_id is null or b.source_drive_id <> ${driveId}::uuid)) as barred,
           coalesce((select json_agg(json_build_object('id', a.id, 'quotaId', a.quota_id, 'choice', a.choice))
                       from applications a
                      where a.drive_id = ${driveId}::uuid and a.candidate_id = c.id and a.status <> 'withdrawn'), '[]'::json) as active
      from candidates c
     where c.national_id_index = any(${arrayLiteral(indexes)}::text[])`);
  return rowsOf<{
    id: string;
    national_id_index: string;
    birth_date: string;
    nationality: string;
    priority_claims: PriorityClaim[];
    barred: boolean;
    active: { id: string; quotaId: string; choice: number }[];
  }>(result).map((r) => ({
    id: r.id,
    nationalIdIndex: r.national_id_index,
    birthDate: r.birth_date,
    nationality: r.nationality,
    priorityClaims: r.priority_claims,
    barred: r.barred,
    active: r.active,
  }));
}

/** A candidate to create; its fields are already normalised and its national ID protected. */
export type NewCandidate = {
  id: string;
  fullName: string;
  fullNameSearch: string;
  nationalIdCiphertext: string;
  nationalIdIndex: string;
  nationalIdMasked: string;
  birthDate: string;
  gender: string;
  ethnicity: string;
  nationality: string;
  /** JSON text of the contacts object. */
  contacts: string;
  /** JSON text of the priority claims. */
  priorityClaims: string;
};

/**
 * An application to create. Its candidate is `candidateId` when known, otherwise the candidate of
 * the same statement with national ID index `candidateIndex`.
 */
export type NewApplication = {
  id: string;
  quotaId: string;
  candidateId: string | null;
  candidateIndex: string;
  choice: number;
  /** JSON text of the priority claims. */
  priorityClaims: string;
  priorityCategory: string | null;
  priorityPoints: string;
};

export type BatchInsert = {
  /** Candidates inserted, by national ID index (a candidate another request created first is not). */
  candidates: Map<string, string>;
  /** Ids of the applications inserted (a row that would break one active per choice/quota is not). */
  applications: Set<string>;
};

/**
 * One statement: inserts the new candidates (skipping a national ID another request created
 * meanwhile), then the applications, whose new candidates are joined by national ID index. An
 * application whose candidate was skipped is not inserted (its candidate id is not known here:
 * the caller looks it up and inserts it again with the id).
 */
export async function insertBatch(
  tx: DbOrTx,
  common: { driveId: string; registeredByAgencyId: string | null; submittedAt: Date },
  candidates: NewCandidate[],
  applications: NewApplication[],
): Promise<BatchInsert> {
  const out: BatchInsert = { candidates: new Map(), applications: new Set() };
  if (applications.length === 0 && candidates.length === 0) return out;
  const c = <K extends keyof NewCandidate>(k: K) => arrayLiteral(candidates.map((r) => r[k] as string));
  const a = <K extends keyof NewApplication>(k: K) => arrayLiteral(applications.map((r) => (r[k] === null ? null : String(r[k]))));
  const agency = common.registeredByAgencyId;
  const result = await tx.execute(sql`
    with c_in as (
      select * from unnest(${c('id')}::uuid[], ${c('fullName')}::text[], ${c('fullNameSearch')}::text[], ${c('nationalIdCiphertext')}::text[],
                           ${c('nationalIdIndex')}::text[], ${c('nationalIdMasked')}::text[], ${c('birthDate')}::date[], ${c('gender')}::text[],
                           ${c('ethnicity')}::text[], ${c('nationality')}::text[], ${c('contacts')}::jsonb[], ${c('priorityClaims')}::jsonb[])
        as t(id, full_name, full_name_search, national_id_ciphertext, national_id_index, national_id_masked, birth_date, gender,
             ethnicity, nationality, contacts, priority_claims)
    ), c_new as (
      insert into candidates (id, full_name, full_name_search, national_id_ciphertext, national_id_index, national_id_masked,
                              birth_date, gender, ethnicity, nationality, contacts, education, priority_claims, registered_by_agency_id)
      select id, full_name, full_name_search, national_id_ciphertext, national_id_index, national_id_masked,
             birth_date, gender, ethnicity, nationality, contacts, '{}'::jsonb, priority_claims, ${agency}::uuid
        from c_in
      on conflict (national_id_index) do nothing
      returning id, national_id_index
    ), a_in as (
      select * from unnest(${a('id')}::uuid[], ${a('quotaId')}::uuid[], ${a('candidateId')}::uuid[], ${a('candidateIndex')}::text[],
                           ${a('choice')}::int[], ${a('priorityClaims')}::jsonb[], ${a('priorityCategory')}::text[], ${a('priorityPoints')}::numeric[])
        as t(id, quota_id, candidate_id, candidate_index, choice, priority_claims, priority_category, priority_points)
    ), a_new as (
      insert into applications (id, drive_id, quota_id, candidate_id, choice, priority_claims, priority_category, priority_points,
                                exemptions, registered_by_agency_id, submitted_at)
      select a_in.id, ${common.driveId}::uuid, a_in.quota_id, coalesce(a_in.candidate_id, c_new.id), a_in.choice, a_in.priority_claims,
             a_in.priority_category, a_in.priority_points, '[]'::jsonb, ${agency}::uuid, ${common.submittedAt.toISOString()}::timestamptz
        from a_in left join c_new on a_in.candidate_id is null and c_new.national_id_index = a_in.candidate_index
       where coalesce(a_in.candidate_id, c_new.id) is not null
      on conflict do nothing
      returning id
    )
    select id::text as id, national_id_index from c_new
    union all
    select id::text, null from a_new`);
  for (const r of rowsOf<{ id: string; national_id_index: string | null }>(result)) {
    if (r.national_id_index === null) out.applications.add(r.id);
    else out.candidates.set(r.national_id_index, r.id);
  }
  return out;
}

/** Candidate ids by national ID index (candidates another request created during this batch). */
export async function candidateIdsByIndex(tx: DbOrTx, indexes: string[]): Promise<Map<string, string>> {
  if (indexes.length === 0) return new Map();
  const result = await tx.execute(
    sql`select id::text as id, national_id_index from candidates where national_id_index = any(${arrayLiteral(indexes)}::text[])`,
  );
  return new Map(rowsOf<{ id: string; national_id_index: string }>(result).map((r) => [r.national_id_index, r.id]));
}

/** Active (not withdrawn) applications of these candidates in the drive. */
export async function activeApplications(
  tx: DbOrTx,
  driveId: string,
  candidateIds: string[],
): Promise<{ id: string; candidateId: string; quotaId: string; choice: number }[]> {
  if (candidateIds.length === 0) return [];
  const result = await tx.execute(sql`
    select id::text as id, candidate_id::text as candidate_id, quota_id::text as quota_id, choice from applications
     where drive_id = ${driveId}::uuid and candidate_id = any(${arrayLiteral(candidateIds)}::uuid[]) and status <> 'withdrawn'`);
  return rowsOf<{ id: string; candidate_id: string; quota_id: string; choice: number }>(result).map((r) => ({
    id: r.id,
    candidateId: r.candidate_id,
    quotaId: r.quota_id,
    choice: r.choice,
  }));
}
