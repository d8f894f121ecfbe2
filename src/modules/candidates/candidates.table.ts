import { date, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, updatedAt, version } from '../../db/columns.js';

export const genders = ['male', 'female', 'other'] as const;

export type Contacts = { email?: string | null; phone?: string | null; address?: string | null };
export type Education = { level?: string | null; major?: string | null; institution?: string | null; graduationYear?: number | null };
export type PriorityClaim = { category: string; evidenceRef: string };

/**
 * A person (thí sinh). The national ID (CCCD) is stored only encrypted (AES-256-GCM) with a keyed
 * HMAC blind index for uniqueness and exact lookup, plus a masked form for display.
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
  (t) => [index('candidates_name_search_idx').on(t.fullNameSearch)],
);
export type CandidateRow = typeof candidates.$inferSelect;

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
