import { sql } from 'drizzle-orm';
import { check, date, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { agencies } from '../agencies/agencies.table.js';
import { createdAt, idColumn, updatedAt, version } from '../../db/columns.js';

export const genders = ['male', 'female', 'other'] as const;

export type Contacts = { email?: string | null; phone?: string | null; address?: string | null };
export type Education = { level?: string | null; major?: string | null; institution?: string | null; graduationYear?: number | null };
export type PriorityClaim = { category: string; evidenceRef: string };

/**
 * A person (thí sinh). The national ID (CCCD) is stored only encrypted (AES-256-GCM) with a keyed
 * HMAC blind index for uniqueness and exact lookup, plus a masked form for display. One person is
 * one row whoever registers them (one application per drive, fraud bars and conflict checks hold
 * on the person); the other columns are what the first registering agency submitted. Another
 * agency's submission is a candidate_profiles row, and each agency reads only its own.
 */
export const candidates = pgTable(
  'candidates',
  {
    id: idColumn(),
    fullName: text().notNull(),
    /** Lowercase without diacritics: search works with or without accents. */
    fullNameSearch: text().notNull(),
    nationalIdCiphertext: text().notNull(),
    nationalIdIndex: text().notNull().unique('candidates_national_id_index_unique'),
    nationalIdMasked: text().notNull(),
    birthDate: date({ mode: 'string' }).notNull(),
    gender: text({ enum: genders }).notNull(),
    ethnicity: text().notNull(),
    /** The group of the 54 (src/domain/ethnicity.ts) `ethnicity` names; null when it names none (reported, never guessed). */
    ethnicityCode: text(),
    nationality: text().notNull(),
    contacts: jsonb().$type<Contacts>().notNull().default({}),
    education: jsonb().$type<Education>().notNull().default({}),
    priorityClaims: jsonb().$type<PriorityClaim[]>().notNull().default([]),
    /** The agency subtree that registered the candidate (scopes who may see them). */
    registeredByAgencyId: uuid(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    index('candidates_name_search_idx').on(t.fullNameSearch),
    check('candidates_ethnicity_code_valid', sql`${t.ethnicityCode} ~ '^(0[1-9]|[1-4][0-9]|5[0-4])$'`),
  ],
);
export type CandidateRow = typeof candidates.$inferSelect;

/**
 * What an agency other than the first registering one submitted for a person it registered (one
 * per person and agency): its view of the candidate, never shown to another agency.
 */
export const candidateProfiles = pgTable(
  'candidate_profiles',
  {
    id: idColumn(),
    candidateId: uuid()
      .notNull()
      .references(() => candidates.id),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    fullName: text().notNull(),
    fullNameSearch: text().notNull(),
    birthDate: date({ mode: 'string' }).notNull(),
    gender: text({ enum: genders }).notNull(),
    ethnicity: text().notNull(),
    ethnicityCode: text(),
    nationality: text().notNull(),
    contacts: jsonb().$type<Contacts>().notNull().default({}),
    education: jsonb().$type<Education>().notNull().default({}),
    priorityClaims: jsonb().$type<PriorityClaim[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    unique('candidate_profiles_candidate_agency_unique').on(t.candidateId, t.agencyId),
    index('candidate_profiles_name_search_idx').on(t.fullNameSearch),
    check('candidate_profiles_ethnicity_code_valid', sql`${t.ethnicityCode} ~ '^(0[1-9]|[1-4][0-9]|5[0-4])$'`),
  ],
);
export type CandidateProfileRow = typeof candidateProfiles.$inferSelect;

/** A bar on registering (e.g. result cancelled for fraud: barred from the next drive). */
export const candidateBars = pgTable(
  'candidate_bars',
  {
    id: idColumn(),
    candidateId: uuid()
      .notNull()
      .references(() => candidates.id),
    reason: text().notNull(),
    sourceDriveId: uuid(),
    /** Drives whose registration opens on or before this date are barred; null = indefinitely. */
    barredUntil: date({ mode: 'string' }),
    /**
     * Number of following drives barred, for a bar without a source drive. A bar set by a drive applies
     * to that authority's next drive only (barApplies in candidates.repository.ts).
     */
    drivesRemaining: integer(),
    createdAt: createdAt(),
    liftedAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [index('candidate_bars_candidate_idx').on(t.candidateId)],
);
