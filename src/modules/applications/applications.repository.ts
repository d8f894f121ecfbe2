import { and, asc, eq, gt, inArray, isNotNull, isNull, like, ne, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client.js';
import { isUniqueViolation } from '../../db/pg-error.js';
import { conflict } from '../../errors.js';
import { agencies } from '../agencies/agencies.table.js';
import { barApplies, pgArrayLiteral, submissionFromJson, submissionOf, type Submission } from '../candidates/candidates.repository.js';
import { candidateBars, candidateProfiles, candidates, type CandidateRow } from '../candidates/candidates.table.js';
import { drives, type DriveRow } from '../drives/drives.table.js';
import { jobPositions } from '../job-positions/job-positions.table.js';
import { quotas, type QuotaRow } from '../quotas/quotas.table.js';
import { applications, type ApplicationRow, type ApplicationStatus, type Reason } from './applications.table.js';

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export const ONE_PER_CHOICE = 'applications_one_active_per_choice';
export const ONE_PER_QUOTA = 'applications_one_active_per_quota';

const quotaAgency = alias(agencies, 'quota_agency');
const driveAgency = alias(agencies, 'drive_agency');
const registeringAgency = alias(agencies, 'registering_agency');

/**
 * An application is visible to a scoped key when its quota's agency, the drive's organising
 * agency or the agency that registered it lies in the key's subtree.
 */
function applicationInScope(scopePath: string | null): SQL | undefined {
  if (scopePath === null) return undefined;
  const prefix = `${escapeLike(scopePath)}%`;
  return sql`(${quotaAgency.path} like ${prefix} or ${driveAgency.path} like ${prefix} or coalesce(${registeringAgency.path}, '') like ${prefix})`;
}

/**
 * A person's name and birth date as the application's registering agency submitted them (the
 * profile the application was registered with, else the person's own columns): what lists,
 * results and exports of the drive show. Join candidate_profiles on applications.profile_id.
 */
export const submittedFullName = sql<string>`coalesce(${candidateProfiles.fullName}, ${candidates.fullName})`;
export const submittedNameSearch = sql<string>`coalesce(${candidateProfiles.fullNameSearch}, ${candidates.fullNameSearch})`;
const submittedBirthDate = sql<string>`coalesce(${candidateProfiles.birthDate}, ${candidates.birthDate})::text`;

const withCandidate = {
  app: applications,
  fullName: submittedFullName,
  nationalIdMasked: candidates.nationalIdMasked,
  birthDate: submittedBirthDate,
};
export type ApplicationWithCandidate = { app: ApplicationRow; fullName: string; nationalIdMasked: string; birthDate: string };

export type ApplicationFilter = {
  scopePath: string | null;
  driveId: string;
  quotaId?: string | undefined;
  status?: ApplicationStatus | undefined;
  candidateId?: string | undefined;
  agencyId?: string | undefined;
  search?: string | undefined;
  afterId?: string | undefined;
  limit: number;
};

export type DriveWithAgency = { drive: DriveRow; agencyPath: string };
/** `joint`: the quota's job position is recruited jointly for several user agencies (Decree 170/2025 Art. 10(3)). */
export type QuotaWithCodes = { quota: QuotaRow; agencyPath: string; agencyCode: string; jobPositionCode: string; joint: boolean };

/** Everything a registration checks, read in one statement (registrationContext). */
export type RegistrationContext = {
  drive: DriveRow;
  /** The drive's organising agency, or one of its quotas' agencies, lies in the caller's subtree. */
  driveVisible: boolean;
  quota: QuotaRow | null;
  /** The quota's agency lies in the caller's subtree (a key registers only into quotas it can read). */
  quotaVisible: boolean;
  /** The person, when it exists and is visible to the caller. */
  candidate: CandidateRow | null;
  /** What the caller reads of the person (submissionOf): its applicant data for the checks; null when not visible. */
  submission: Submission | null;
  barred: boolean;
  /** When the quota's job position is recruited jointly (Decree 170/2025 Art. 10(3)): the agencies holding a quota of it in the drive; else null. */
  jointAgencyIds: string[] | null;
};

const scopePrefix = sql.placeholder('scopePrefix');
type RawSubmissionJson = Parameters<typeof submissionFromJson>[0] | string;

/**
 * A registration's lookups (drive, quota with its scope, the caller's submission of the candidate,
 * an active bar) as one named prepared statement: one round trip instead of four, no SQL text built
 * per request, and PostgreSQL plans it once per connection. `scopePrefix` is the caller's subtree
 * as a LIKE prefix, or null for a key without a scope. The submission and the bar are those the
 * candidates module reads (submissionOf) and barredAmong decides (barApplies).
 */
function prepareRegistrationContext(db: DbOrTx) {
  const inScope = (path: SQL | typeof agencies.path) => sql`(${scopePrefix}::text is null or ${path} like ${scopePrefix}::text)`;
  return db
    .select({
      drive: drives,
      driveVisible: sql<boolean>`case when ${inScope(agencies.path)} then true else exists (
          select 1 from ${quotas} oq join ${agencies} oa on oa.id = oq.agency_id
           where oq.drive_id = ${drives.id} and oa.path like ${scopePrefix}::text) end`,
      quota: quotas,
      quotaVisible: sql<boolean>`(${scopePrefix}::text is null or exists (
          select 1 from ${agencies} qa where qa.id = ${quotas.agencyId} and qa.path like ${scopePrefix}::text))`,
      candidate: candidates,
      submission: sql<RawSubmissionJson | null>`${submissionOf(sql`${candidates.id}`, sql`${scopePrefix}`)}`,
      jointAgencyIds: sql<string[] | null>`(select case when jp.joint then (
          select array_agg(jq.agency_id::text order by jq.agency_id) from ${quotas} jq
           where jq.drive_id = ${drives.id} and jq.job_position_id = jp.id) end
          from ${jobPositions} jp where jp.id = ${quotas.jobPositionId})`,
      barred: sql<boolean>`exists (
          select 1 from ${candidateBars}
           where ${candidateBars.candidateId} = ${candidates.id} and ${barApplies(drives.id, drives.registrationOpensOn)})`,
    })
    .from(drives)
    .innerJoin(agencies, eq(agencies.id, drives.organizingAgencyId))
    .leftJoin(quotas, and(eq(quotas.id, sql.placeholder('quotaId')), eq(quotas.driveId, drives.id)))
    .leftJoin(candidates, eq(candidates.id, sql.placeholder('candidateId')))
    .where(eq(drives.id, sql.placeholder('driveId')))
    .prepare('registration_context');
}

const duplicate = () =>
  conflict('application.duplicate', 'The candidate already holds an active application for this choice or quota in this drive');

export function createApplicationsRepository(db: DbOrTx) {
  let registrationContext: ReturnType<typeof prepareRegistrationContext> | undefined;
  function scopedSelect(tx: DbOrTx) {
    return tx
      .select(withCandidate)
      .from(applications)
      .innerJoin(candidates, eq(candidates.id, applications.candidateId))
      .leftJoin(candidateProfiles, eq(candidateProfiles.id, applications.profileId))
      .innerJoin(quotas, eq(quotas.id, applications.quotaId))
      .innerJoin(quotaAgency, eq(quotaAgency.id, quotas.agencyId))
      .innerJoin(drives, eq(drives.id, applications.driveId))
      .innerJoin(driveAgency, eq(driveAgency.id, drives.organizingAgencyId))
      .leftJoin(registeringAgency, eq(registeringAgency.id, applications.registeredByAgencyId));
  }

  return {
    /** Runs on the repository's own connection pool, before the registration's transaction opens. */
    async registrationContext(driveId: string, quotaId: string, candidateId: string, scopePath: string | null): Promise<RegistrationContext | undefined> {
      registrationContext ??= prepareRegistrationContext(db);
      const [row] = await registrationContext.execute({
        driveId,
        quotaId,
        candidateId,
        scopePrefix: scopePath === null ? null : `${escapeLike(scopePath)}%`,
      });
      if (!row) return undefined;
      const raw = row.submission;
      const submission = raw === null ? null : submissionFromJson(typeof raw === 'string' ? JSON.parse(raw) : raw);
      return { ...row, candidate: submission ? row.candidate : null, submission };
    },
    async findDrive(driveId: string, tx: DbOrTx = db): Promise<DriveWithAgency | undefined> {
      const [row] = await tx
        .select({ drive: drives, agencyPath: agencies.path })
        .from(drives)
        .innerJoin(agencies, eq(agencies.id, drives.organizingAgencyId))
        .where(eq(drives.id, driveId));
      return row;
    },
    async findQuota(quotaId: string, tx: DbOrTx = db): Promise<QuotaWithCodes | undefined> {
      const [row] = await tx
        .select({ quota: quotas, agencyPath: agencies.path, agencyCode: agencies.code, jobPositionCode: jobPositions.code, joint: jobPositions.joint })
        .from(quotas)
        .innerJoin(agencies, eq(agencies.id, quotas.agencyId))
        .innerJoin(jobPositions, eq(jobPositions.id, quotas.jobPositionId))
        .where(eq(quotas.id, quotaId));
      return row;
    },
    async quotasOfDrive(driveId: string, tx: DbOrTx = db): Promise<QuotaWithCodes[]> {
      return tx
        .select({ quota: quotas, agencyPath: agencies.path, agencyCode: agencies.code, jobPositionCode: jobPositions.code, joint: jobPositions.joint })
        .from(quotas)
        .innerJoin(agencies, eq(agencies.id, quotas.agencyId))
        .innerJoin(jobPositions, eq(jobPositions.id, quotas.jobPositionId))
        .where(eq(quotas.driveId, driveId));
    },
    async insert(tx: DbOrTx, row: typeof applications.$inferInsert): Promise<ApplicationRow> {
      try {
        const [created] = await tx.insert(applications).values(row).returning();
        return created!;
      } catch (err) {
        if (isUniqueViolation(err, ONE_PER_CHOICE) || isUniqueViolation(err, ONE_PER_QUOTA)) throw duplicate();
        throw err;
      }
    },
    /**
     * Inserts many (bulk import) in one statement over column arrays; a row that would break
     * one-active-per-choice/quota is skipped. Returns the ids inserted.
     */
    async insertMany(tx: DbOrTx, rows: (typeof applications.$inferInsert & { id: string })[]): Promise<Set<string>> {
      if (rows.length === 0) return new Set();
      const col = (f: (r: (typeof rows)[number]) => string | null) => pgArrayLiteral(rows.map(f));
      const result = await tx.execute(sql`
        insert into ${applications} (id, drive_id, quota_id, candidate_id, choice, priority_claims, priority_category, priority_points,
          exemptions, registered_by_agency_id, submitted_at)
        select * from unnest(${col((r) => r.id)}::uuid[], ${col((r) => r.driveId)}::uuid[], ${col((r) => r.quotaId)}::uuid[],
          ${col((r) => r.candidateId)}::uuid[], ${col((r) => String(r.choice ?? 1))}::int[], ${col((r) => JSON.stringify(r.priorityClaims ?? []))}::jsonb[],
          ${col((r) => r.priorityCategory ?? null)}::text[], ${col((r) => r.priorityPoints ?? '0')}::numeric[],
          ${col((r) => JSON.stringify(r.exemptions ?? []))}::jsonb[], ${col((r) => r.registeredByAgencyId ?? null)}::uuid[],
          ${col((r) => (r.submittedAt ?? new Date()).toISOString())}::timestamptz[])
        on conflict do nothing
        returning id`);
      return new Set((result as unknown as { rows: { id: string }[] }).rows.map((r) => r.id));
    },
    /** Active (not withdrawn) applications of these candidates in a drive. */
    async activeOf(tx: DbOrTx, driveId: string, candidateIds: string[]): Promise<ApplicationRow[]> {
      if (candidateIds.length === 0) return [];
      return tx
        .select()
        .from(applications)
        .where(and(eq(applications.driveId, driveId), inArray(applications.candidateId, candidateIds), ne(applications.status, 'withdrawn')));
    },
    async findVisible(id: string, scopePath: string | null, tx: DbOrTx = db): Promise<ApplicationWithCandidate | undefined> {
      const [row] = await scopedSelect(tx).where(and(eq(applications.id, id), applicationInScope(scopePath)));
      return row;
    },
    async lockForUpdate(tx: DbOrTx, id: string): Promise<ApplicationRow | undefined> {
      const [row] = await tx.select().from(applications).where(eq(applications.id, id)).for('update');
      return row;
    },
    async list(f: ApplicationFilter): Promise<ApplicationWithCandidate[]> {
      return scopedSelect(db)
        .where(
          and(
            eq(applications.driveId, f.driveId),
            applicationInScope(f.scopePath),
            f.quotaId ? eq(applications.quotaId, f.quotaId) : undefined,
            f.status ? eq(applications.status, f.status) : undefined,
            f.candidateId ? eq(applications.candidateId, f.candidateId) : undefined,
            f.agencyId ? eq(quotas.agencyId, f.agencyId) : undefined,
            f.search ? like(submittedNameSearch, `%${escapeLike(f.search)}%`) : undefined,
            f.afterId ? gt(applications.id, f.afterId) : undefined,
          ),
        )
        .orderBy(asc(applications.id))
        .limit(f.limit + 1);
    },
    async setStatus(
      tx: DbOrTx,
      id: string,
      changes: { status: ApplicationStatus; reasons?: Reason[]; decidedAt?: Date; withdrawnAt?: Date },
    ): Promise<ApplicationRow> {
      const [row] = await tx
        .update(applications)
        .set({ ...changes, version: sql`${applications.version} + 1`, updatedAt: sql`now()` })
        .where(eq(applications.id, id))
        .returning();
      return row!;
    },
    // ---- candidate numbers ----
    async issuedNumbers(tx: DbOrTx, driveId: string): Promise<string[]> {
      const rows = await tx
        .select({ n: applications.candidateNumber })
        .from(applications)
        .where(and(eq(applications.driveId, driveId), isNotNull(applications.candidateNumber)));
      return rows.map((r) => r.n!);
    },
    async unnumbered(tx: DbOrTx, driveId: string) {
      return tx
        .select({ id: applications.id, submittedAt: applications.submittedAt, fullName: submittedFullName })
        .from(applications)
        .innerJoin(candidates, eq(candidates.id, applications.candidateId))
        .leftJoin(candidateProfiles, eq(candidateProfiles.id, applications.profileId))
        .where(and(eq(applications.driveId, driveId), ne(applications.status, 'withdrawn'), isNull(applications.candidateNumber)));
    },
    async setNumbers(tx: DbOrTx, numbers: { id: string; candidateNumber: string }[]): Promise<void> {
      for (let i = 0; i < numbers.length; i += 5000) {
        const chunk = numbers.slice(i, i + 5000);
        const ids = pgArrayLiteral(chunk.map((n) => n.id));
        const nums = pgArrayLiteral(chunk.map((n) => n.candidateNumber));
        await tx.execute(sql`
          update ${applications} set candidate_number = v.num, version = ${applications.version} + 1, updated_at = now()
          from unnest(${ids}::uuid[], ${nums}::text[]) as v(id, num)
          where ${applications.id} = v.id and ${applications.candidateNumber} is null`);
      }
    },
  };
}
export type ApplicationsRepository = ReturnType<typeof createApplicationsRepository>;
