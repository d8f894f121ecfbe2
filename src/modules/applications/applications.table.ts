import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, updatedAt, version } from '../../db/columns.js';
import { candidates, type PriorityClaim } from '../candidates/candidates.table.js';
import { drives } from '../drives/drives.table.js';
import { quotas } from '../quotas/quotas.table.js';
import { REVIEW_GROUPS } from '../../domain/review.js';

export const applicationStatuses = ['submitted', 'eligible', 'ineligible', 'withdrawn'] as const;
export type ApplicationStatus = (typeof applicationStatuses)[number];
export type Reason = { code: string; message: string };

/** A candidate's registration to one quota of one drive (phiếu đăng ký dự tuyển). */
export const applications = pgTable(
  'applications',
  {
    id: idColumn(),
    driveId: uuid()
      .notNull()
      .references(() => drives.id),
    quotaId: uuid()
      .notNull()
      .references(() => quotas.id),
    candidateId: uuid()
      .notNull()
      .references(() => candidates.id),
    /** 1 = first choice (NV1); 2 = second choice (NV2) where the rule set allows it. */
    choice: integer().notNull().default(1),
    status: text({ enum: applicationStatuses }).notNull().default('submitted'),
    reasons: jsonb().$type<Reason[]>().notNull().default([]),
    priorityClaims: jsonb().$type<PriorityClaim[]>().notNull().default([]),
    priorityCategory: text(),
    /** Only the highest claimed category counts (no stacking). */
    priorityPoints: numeric({ precision: 5, scale: 2 }).notNull().default('0'),
    /** Exemption codes from the rule set (e.g. input-quality verification: skips round 1). */
    exemptions: jsonb().$type<string[]>().notNull().default([]),
    /**
     * For a quota of a jointly recruited position (Decree 170/2025 Art. 10(3)): the user agencies the
     * applicant accepts, in the order of the registration form, the quota's agency first. Empty otherwise.
     */
    agencyPreferences: jsonb().$type<string[]>().notNull().default([]),
    /** For a review quota (Decree 170/2025 Art. 5): the group the applicant declares, checked against the quota's at registration. */
    reviewGroup: text({ enum: REVIEW_GROUPS }),
    /** References of the evidence of the declared group (the commitment, the cử tuyển decision, the diploma or award). */
    reviewEvidence: jsonb().$type<string[]>().notNull().default([]),
    /** Số báo danh: assigned when registration closes, stable once issued. */
    candidateNumber: text(),
    /** The agency (subtree) whose HR portal registered it. */
    registeredByAgencyId: uuid(),
    /** The submission (candidate_profiles) it was registered with; null = the person's own columns. */
    profileId: uuid(),
    submittedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    decidedAt: timestamp({ withTimezone: true, mode: 'date' }),
    withdrawnAt: timestamp({ withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    // One active application per candidate and choice in a drive: held by the database, so
    // concurrent identical registrations create exactly one.
    uniqueIndex('applications_one_active_per_choice')
      .on(t.driveId, t.candidateId, t.choice)
      .where(sql`${t.status} <> 'withdrawn'`),
    uniqueIndex('applications_one_active_per_quota')
      .on(t.driveId, t.candidateId, t.quotaId)
      .where(sql`${t.status} <> 'withdrawn'`),
    uniqueIndex('applications_candidate_number_unique').on(t.driveId, t.candidateNumber),
    index('applications_drive_idx').on(t.driveId, t.id),
    index('applications_quota_idx').on(t.quotaId, t.status),
    index('applications_candidate_idx').on(t.candidateId),
    check('applications_choice_valid', sql`${t.choice} in (1, 2)`),
  ],
);
export type ApplicationRow = typeof applications.$inferSelect;
