import { sql } from 'drizzle-orm';
import { check, date, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, version } from '../../db/columns.js';
import { candidates } from '../candidates/candidates.table.js';
import { drives } from '../drives/drives.table.js';

/**
 * The identity of every application of a drive as it stood when the head approved the results:
 * public results, exports and reports show it, so a later edit of the candidate never rewrites an
 * approved list. Only an identity correction the approver authorises replaces it (correctionId).
 */
export const approvedIdentities = pgTable(
  'approved_identities',
  {
    driveId: uuid()
      .notNull()
      .references(() => drives.id),
    applicationId: uuid().notNull(),
    candidateId: uuid().notNull(),
    fullName: text().notNull(),
    birthDate: date({ mode: 'string' }).notNull(),
    nationalIdMasked: text().notNull(),
    correctionId: uuid(),
    takenAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'approved_identities_pk', columns: [t.driveId, t.applicationId] }), index('approved_identities_candidate_idx').on(t.candidateId)],
);
export type ApprovedIdentityRow = typeof approvedIdentities.$inferSelect;

export const identityCorrectionStatuses = ['pending', 'approved', 'rejected'] as const;
/** What a correction changes; the national ID only in its masked form (the number itself is never in these jsonb columns). */
export type IdentityFields = { fullName?: string; birthDate?: string; nationalIdMasked?: string };

/** A correction of a candidate's identity (a typo in a name, a wrong birth date): requested, then authorised by the approver. */
export const identityCorrections = pgTable(
  'identity_corrections',
  {
    id: idColumn(),
    candidateId: uuid()
      .notNull()
      .references(() => candidates.id),
    status: text({ enum: identityCorrectionStatuses }).notNull().default('pending'),
    before: jsonb().$type<IdentityFields>().notNull(),
    after: jsonb().$type<IdentityFields>().notNull(),
    reason: text().notNull(),
    evidence: text(),
    /** A corrected national ID while the correction is pending: encrypted with the data key, and its keyed blind index; cleared once decided. */
    nationalIdCiphertext: text(),
    nationalIdIndex: text(),
    requestedByKeyId: uuid(),
    decidedByKeyId: uuid(),
    decisionNote: text(),
    decidedAt: timestamp({ withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    version: version(),
  },
  (t) => [
    index('identity_corrections_candidate_idx').on(t.candidateId),
    uniqueIndex('identity_corrections_one_pending').on(t.candidateId).where(sql`${t.status} = 'pending'`),
    check('identity_corrections_status_known', sql`${t.status} in ('pending','approved','rejected')`),
  ],
);
export type IdentityCorrectionRow = typeof identityCorrections.$inferSelect;
