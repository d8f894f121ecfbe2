import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn } from '../../db/columns.js';
import { agencies } from '../agencies/agencies.table.js';

export const roles = ['admin', 'organizer', 'registrar', 'anonymizer', 'marker', 'council', 'approver', 'auditor', 'supervisor'] as const;
/** Roles a key gets only by being bound to a board member (supervision board: Circular 22/2025 Quy chế Art. 23). */
export const MEMBER_ONLY_ROLES: readonly Role[] = ['supervisor'];
export type Role = (typeof roles)[number];

export const apiKeys = pgTable(
  'api_keys',
  {
    id: idColumn(),
    name: text().notNull(),
    role: text({ enum: roles }).notNull(),
    agencyId: uuid().references(() => agencies.id),
    /** SHA-256 of the secret: keys are 256-bit random, so a fast hash is enough and lookup stays indexed. */
    keyHash: text().notNull().unique('api_keys_key_hash_unique'),
    prefix: text().notNull(),
    createdBy: uuid(),
    createdAt: createdAt(),
    revokedAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [index('api_keys_agency_idx').on(t.agencyId)],
);
export type ApiKeyRow = typeof apiKeys.$inferSelect;
