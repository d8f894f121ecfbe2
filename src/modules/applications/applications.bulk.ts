import { randomFillSync } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { heldBy } from '../candidates/candidates.repository.js';
import type { PriorityClaim } from '../candidates/candidates.table.js';
import { barApplies } from '../candidates/candidates.repository.js';

/*
 * The bulk import's statements. A batch takes two: one read of everything the rules need about the
 * batch's existing candidates, and one write that creates the new candidates and all applications
 * together. The rows to write travel as JSON (json_to_recordset) and lists of keys as one array
 * literal: a batch of any size is one round trip and one plan per statement, on PostgreSQL and
 * PGlite alike.
 *
 * Memory: JSON.stringify writes rows as one flat string in one pass (one array literal per column
 * made ten times the garbage, all flattened again to be sent), and a batch's rows go as pieces of
 * JSON_ROWS_PER_PIECE rows, one parameter each, so that every piece stays under V8's large-object
 * size (128 KiB). A larger string is allocated in pages of its own and, still in use (the statement
 * is running) when the young generation is next collected, goes straight to the old generation,
 * where it waits for a full collection: a 2,000-row batch in one string made about 1.5 MiB of that
 * per batch, most of the server's memory growth during a large import.
 */

/** A PostgreSQL array literal of text values (NULL for null), for one-parameter bulk statements. */
function arrayLiteral(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.includes('"') || v.includes('\\') ? v.replace(/["\\]/g, (c) => `\\${c}`) : v}"`)).join(',')}}`;
}

/** Rows per JSON piece: a candidate row is about 500 characters, two bytes each once the text is not Latin-1 (Vietnamese). */
const JSON_ROWS_PER_PIECE = 64;

/** The rows as a json[] of pieces (one parameter each), for `unnest(…) as p(doc), json_to_recordset(p.doc)`. */
function jsonPieces(rows: readonly object[]): SQL {
  const pieces: SQL[] = [];
  for (let i = 0; i < rows.length; i += JSON_ROWS_PER_PIECE) pieces.push(sql`${JSON.stringify(rows.slice(i, i + JSON_ROWS_PER_PIECE))}::json`);
  return sql`array[${sql.join(pieces, sql`, `)}]::json[]`;
}

/*
 * Ids of the rows the import creates: UUIDv7 like newId() (RFC 9562: 48-bit Unix milliseconds,
 * version 7, 74 random bits, variant 10), their random bits cut from a pool the CSPRNG fills 1,024
 * ids at a time (newId() asks the CSPRNG once per id, which costs more than the rest of making the
 * id; an import makes two ids per row), and written as text in one buffer: one string per id.
 */
const ID_BYTES = 16;
const idPool = Buffer.alloc(ID_BYTES * 1024);
let idOffset = idPool.length;
/** The two lowercase hex digits of each byte value, as character codes. */
const HEX = Buffer.from(Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0')).join(''), 'latin1');
const idText = Buffer.alloc(36);
export function bulkId(): string {
  if (idOffset === idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  const o = idOffset;
  idOffset += ID_BYTES;
  idPool.writeUIntBE(Date.now(), o, 6);
  idPool[o + 6] = 0x70 | (idPool[o + 6]! & 0x0f);
  idPool[o + 8] = 0x80 | (idPool[o + 8]! & 0x3f);
  let at = 0;
  for (let i = o; i < o + ID_BYTES; i++) {
    if (i - o === 4 || i - o === 6 || i - o === 8 || i - o === 10) idText[at++] = 0x2d; // '-'
    const b = idPool[i]!;
    idText[at++] = HEX[2 * b]!;
    idText[at++] = HEX[2 * b + 1]!;
  }
  return idText.toString('latin1', 0, 36);
}

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/** An existing candidate as the import's rules see it, with what it already holds in the drive. */
export type ExistingCandidate = {
  id: string;
  nationalIdIndex: string;
  /**
   * The importing key's subtree already submitted for this person (heldBy): the row is matched to
   * that submission, used as stored. Otherwise the row is the subtree's first submission for a
   * person it cannot see, and is stored as its own profile.
   */
  held: boolean;
  /** The held submission: null = the person's own columns, else the profile's id. */
  profileId: string | null;
  /** The held submission's applicant data (null when not held: the row's data are used). */
  birthDate: string | null;
  nationality: string | null;
  ethnicity: string | null;
  ethnicityCode: string | null;
  priorityClaims: PriorityClaim[];
  /** A bar not lifted applies to this drive (as barredAmong decides). */
  barred: boolean;
  /** Its active (not withdrawn) applications in the drive. */
  active: { id: string; quotaId: string; choice: number }[];
};

/**
 * The candidates with these blind indexes, each with the importing subtree's submission (LIKE
 * prefix `scopePrefix`, null without a scope), its bar and its active applications in the drive:
 * one statement (the lookups of a registration, for a whole batch). Persons are matched over every
 * agency, as one person is one record; what is read of another agency's submission goes no further
 * than this function (`held` false, no data).
 */
export async function existingCandidates(
  tx: DbOrTx,
  driveId: string,
  opensOn: string | null,
  scopePrefix: string | null,
  indexes: string[],
): Promise<ExistingCandidate[]> {
  if (indexes.length === 0) return [];
  const result = await tx.execute(sql`
    select c.id, c.national_id_index, own.profile_id, own.birth_date, own.nationality, own.ethnicity, own.ethnicity_code, own.priority_claims,
           exists (select 1 from candidate_bars
                    where candidate_bars.candidate_id = c.id and ${barApplies(sql`${driveId}::uuid`, sql`${opensOn}::date`)}) as barred,
           coalesce((select json_agg(json_build_object('id', a.id, 'quotaId', a.quota_id, 'choice', a.choice))
                       from applications a
                      where a.drive_id = ${driveId}::uuid and a.candidate_id = c.id and a.status <> 'withdrawn'), '[]'::json) as active,
           own.held is not null as held
      from candidates c
      left join lateral (
        select true as held, null::uuid as profile_id, c.birth_date::text as birth_date, c.nationality, c.ethnicity, c.ethnicity_code, c.priority_claims, c.created_at
         where ${scopePrefix}::text is null
            or exists (select 1 from agencies ra where ra.id = c.registered_by_agency_id and ra.path like ${scopePrefix}::text)
        union all
        select true, p.id, p.birth_date::text, p.nationality, p.ethnicity, p.ethnicity_code, p.priority_claims, p.created_at
          from candidate_profiles p join agencies pa on pa.id = p.agency_id
         where p.candidate_id = c.id and pa.path like ${scopePrefix}::text
         order by profile_id nulls first, created_at
         limit 1
      ) own on true
     where c.national_id_index = any(${arrayLiteral(indexes)}::text[])`);
  return rowsOf<{
    id: string;
    national_id_index: string;
    held: boolean;
    profile_id: string | null;
    birth_date: string | null;
    nationality: string | null;
    ethnicity: string | null;
    ethnicity_code: string | null;
    priority_claims: PriorityClaim[] | null;
    barred: boolean;
    active: { id: string; quotaId: string; choice: number }[];
  }>(result).map((r) => ({
    id: r.id,
    nationalIdIndex: r.national_id_index,
    held: r.held,
    profileId: r.profile_id,
    birthDate: r.birth_date,
    nationality: r.nationality,
    ethnicity: r.ethnicity,
    ethnicityCode: r.ethnicity_code,
    priorityClaims: r.priority_claims ?? [],
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
  ethnicityCode: string | null;
  nationality: string;
  contacts: { email: string | null; phone: string | null; address: string | null };
  priorityClaims: PriorityClaim[];
};

/** The importing agency's own submission for a person another agency registered (a candidate_profiles row). */
export type NewProfile = {
  id: string;
  candidateId: string;
  fullName: string;
  fullNameSearch: string;
  birthDate: string;
  gender: string;
  ethnicity: string;
  ethnicityCode: string | null;
  nationality: string;
  contacts: { email: string | null; phone: string | null; address: string | null };
  priorityClaims: PriorityClaim[];
};

/**
 * An application to create. Its candidate is `candidateId` when known, otherwise the candidate of
 * the same statement with national ID index `candidateIndex`; `profileId` is the submission it is
 * registered with (null: the person's own columns).
 */
export type NewApplication = {
  id: string;
  quotaId: string;
  candidateId: string | null;
  candidateIndex: string;
  profileId: string | null;
  choice: number;
  priorityClaims: PriorityClaim[];
  priorityCategory: string | null;
  priorityPoints: string;
  /** Jointly recruited position (Decree 170/2025 Art. 10(3)): the user agencies accepted, best first; empty otherwise. */
  agencyPreferences: string[];
  /** A review quota's declared group and its evidence references (Decree 170/2025 Art. 5). */
  reviewGroup?: string | null;
  reviewEvidence?: string[];
};

/**
 * What one statement did not insert (usually nothing, so that is what comes back rather than
 * thousands of ids the caller made itself).
 */
export type BatchInsert = {
  /** National ID indexes of the candidates not inserted: another request created them first. */
  candidatesSkipped: Set<string>;
  /** Ids of the applications not inserted: one would break one active per choice/quota, or its candidate was skipped. */
  applicationsSkipped: Set<string>;
  /** Ids of the profiles not inserted: another request of the same agency added one for the person first. */
  profilesSkipped: Set<string>;
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
  profiles: NewProfile[] = [],
): Promise<BatchInsert> {
  if (applications.length === 0 && candidates.length === 0) return { candidatesSkipped: new Set(), applicationsSkipped: new Set(), profilesSkipped: new Set() };
  const agency = common.registeredByAgencyId;
  const result = await tx.execute(sql`
    with c_in as (
      select t.* from unnest(${jsonPieces(candidates)}) as p(doc), json_to_recordset(p.doc)
        as t("id" uuid, "fullName" text, "fullNameSearch" text, "nationalIdCiphertext" text, "nationalIdIndex" text, "nationalIdMasked" text,
             "birthDate" date, "gender" text, "ethnicity" text, "ethnicityCode" text, "nationality" text, "contacts" jsonb, "priorityClaims" jsonb)
    ), c_new as (
      insert into candidates (id, full_name, full_name_search, national_id_ciphertext, national_id_index, national_id_masked,
                              birth_date, gender, ethnicity, ethnicity_code, nationality, contacts, education, priority_claims, registered_by_agency_id)
      select "id", "fullName", "fullNameSearch", "nationalIdCiphertext", "nationalIdIndex", "nationalIdMasked",
             "birthDate", "gender", "ethnicity", "ethnicityCode", "nationality", "contacts", '{}'::jsonb, "priorityClaims", ${agency}::uuid
        from c_in
      on conflict (national_id_index) do nothing
      returning id, national_id_index
    ), p_in as (
      select t.* from unnest(${jsonPieces(profiles)}) as p(doc), json_to_recordset(p.doc)
        as t("id" uuid, "candidateId" uuid, "fullName" text, "fullNameSearch" text, "birthDate" date, "gender" text, "ethnicity" text,
             "ethnicityCode" text, "nationality" text, "contacts" jsonb, "priorityClaims" jsonb)
    ), p_new as (
      insert into candidate_profiles (id, candidate_id, agency_id, full_name, full_name_search, birth_date, gender, ethnicity, ethnicity_code,
                                      nationality, contacts, education, priority_claims)
      select "id", "candidateId", ${agency}::uuid, "fullName", "fullNameSearch", "birthDate", "gender", "ethnicity", "ethnicityCode", "nationality",
             "contacts", '{}'::jsonb, "priorityClaims"
        from p_in
      on conflict (candidate_id, agency_id) do nothing
      returning id
    ), a_in as (
      select t.* from unnest(${jsonPieces(applications)}) as p(doc), json_to_recordset(p.doc)
        as t("id" uuid, "quotaId" uuid, "candidateId" uuid, "candidateIndex" text, "profileId" uuid, "choice" int, "priorityClaims" jsonb,
             "priorityCategory" text, "priorityPoints" numeric, "agencyPreferences" jsonb, "reviewGroup" text, "reviewEvidence" jsonb)
    ), a_new as (
      insert into applications (id, drive_id, quota_id, candidate_id, profile_id, choice, priority_claims, priority_category, priority_points,
                                exemptions, registered_by_agency_id, submitted_at, agency_preferences, review_group, review_evidence)
      select a_in."id", ${common.driveId}::uuid, a_in."quotaId", coalesce(a_in."candidateId", c_new.id), a_in."profileId", a_in."choice", a_in."priorityClaims",
             a_in."priorityCategory", a_in."priorityPoints", '[]'::jsonb, ${agency}::uuid, ${common.submittedAt.toISOString()}::timestamptz,
             coalesce(a_in."agencyPreferences", '[]'::jsonb), a_in."reviewGroup", coalesce(a_in."reviewEvidence", '[]'::jsonb)
        from a_in left join c_new on a_in."candidateId" is null and c_new.national_id_index = a_in."candidateIndex"
       where coalesce(a_in."candidateId", c_new.id) is not null
      on conflict do nothing
      returning id
    )
    select (select coalesce(json_agg("nationalIdIndex"), '[]'::json) from c_in where "id" not in (select id from c_new)) as candidates_skipped,
           (select coalesce(json_agg("id"), '[]'::json) from a_in where "id" not in (select id from a_new)) as applications_skipped,
           (select coalesce(json_agg("id"), '[]'::json) from p_in where "id" not in (select id from p_new)) as profiles_skipped`);
  const row = rowsOf<{ candidates_skipped: string[]; applications_skipped: string[]; profiles_skipped: string[] }>(result)[0]!;
  return {
    candidatesSkipped: new Set(row.candidates_skipped),
    applicationsSkipped: new Set(row.applications_skipped),
    profilesSkipped: new Set(row.profiles_skipped),
  };
}

/**
 * Applications written with a profile another request of the same agency beat to it (its insert
 * was skipped) are pointed at that request's profile: the agency's one submission for the person.
 */
export async function relinkProfiles(tx: DbOrTx, agencyId: string, applicationIds: string[]): Promise<void> {
  if (applicationIds.length === 0) return;
  await tx.execute(sql`
    update applications a set profile_id = p.id
      from candidate_profiles p
     where a.id = any(${arrayLiteral(applicationIds)}::uuid[]) and p.candidate_id = a.candidate_id and p.agency_id = ${agencyId}::uuid`);
}

/**
 * Candidate ids by national ID index (candidates another request created during this batch), and
 * whether the importing subtree (LIKE prefix, null without a scope) holds each (heldBy).
 */
export async function candidateIdsByIndex(tx: DbOrTx, scopePrefix: string | null, indexes: string[]): Promise<Map<string, { id: string; held: boolean }>> {
  if (indexes.length === 0) return new Map();
  const result = await tx.execute(
    sql`select c.id::text as id, c.national_id_index, ${heldBy(sql`c`, sql`${scopePrefix}`)} as held
          from candidates c where c.national_id_index = any(${arrayLiteral(indexes)}::text[])`,
  );
  return new Map(rowsOf<{ id: string; national_id_index: string; held: boolean }>(result).map((r) => [r.national_id_index, { id: r.id, held: r.held }]));
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
