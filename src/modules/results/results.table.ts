import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, updatedAt } from '../../db/columns.js';
import { applications } from '../applications/applications.table.js';
import { drives } from '../drives/drives.table.js';
import { quotas } from '../quotas/quotas.table.js';

export const outcomes = ['winner', 'reserve', 'failed', 'tied_pending', 'absent', 'cancelled'] as const;
export const quotaOutcomes = ['complete', 'unfilled', 'tie_pending_decision', 'winner', 'no_winner', 'not_held', 'pending'] as const;

/** The outcome of one quota (or leadership title) in the drive's current results. */
export const quotaResults = pgTable(
  'quota_results',
  {
    driveId: uuid()
      .notNull()
      .references(() => drives.id),
    quotaId: uuid()
      .primaryKey()
      .references(() => quotas.id),
    status: text({ enum: quotaOutcomes }).notNull(),
    slots: integer().notNull(),
    winners: integer().notNull(),
    tiedApplicationIds: jsonb().$type<string[]>().notNull().default([]),
    computedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('quota_results_drive_idx').on(t.driveId)],
);

/** One application's place in the results; every row explains itself. */
export const results = pgTable(
  'results',
  {
    id: idColumn(),
    driveId: uuid()
      .notNull()
      .references(() => drives.id),
    quotaId: uuid()
      .notNull()
      .references(() => quotas.id),
    applicationId: uuid()
      .notNull()
      .references(() => applications.id),
    outcome: text({ enum: outcomes }).notNull(),
    rank: integer(),
    /** For winners: 1..slots. Unique per quota, so no quota ever has more winners than slots. */
    winnerSlot: integer(),
    quotaSlots: integer().notNull(),
    rankingScore: numeric({ precision: 7, scale: 2 }),
    rawScore: numeric({ precision: 7, scale: 2 }),
    priorityPoints: numeric({ precision: 5, scale: 2 }).notNull().default('0'),
    decidedBy: text(),
    explanation: jsonb().notNull(),
    cancelReason: text(),
    cancelledAt: timestamp({ withTimezone: true, mode: 'date' }),
    replacedByResultId: uuid(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('results_application_unique').on(t.applicationId),
    uniqueIndex('results_one_winner_per_slot').on(t.quotaId, t.winnerSlot).where(sql`${t.outcome} = 'winner'`),
    index('results_drive_idx').on(t.driveId, t.quotaId, t.rank),
    check('results_winner_slot_within_quota', sql`${t.winnerSlot} is null or ${t.winnerSlot} between 1 and ${t.quotaSlots}`),
  ],
);
export type ResultRow = typeof results.$inferSelect;

/** The head's (or chair's) decision on a tie that the rule set's chain could not break. */
export const tieDecisions = pgTable(
  'tie_decisions',
  {
    id: idColumn(),
    driveId: uuid()
      .notNull()
      .references(() => drives.id),
    quotaId: uuid()
      .notNull()
      .references(() => quotas.id),
    orderedApplicationIds: jsonb().$type<string[]>().notNull(),
    reason: text().notNull(),
    decidedByKeyId: uuid(),
    decidedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('tie_decisions_quota_unique').on(t.quotaId)],
);
