import { sql } from 'drizzle-orm';
import { check, date, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, updatedAt } from '../../db/columns.js';
import { drives } from '../drives/drives.table.js';
import { quotas } from '../quotas/quotas.table.js';
import type { JointResultInfo } from '../../domain/joint-results.js';

/**
 * An application's outcome. Recruitment: winner, reserve, failed, tied_pending, absent,
 * not_considered (NV2 of a candidate who won NV1), awaiting_nv1, cancelled, pending_tie (a jointly
 * recruited position's placement waiting for a tie decision, Decree 170/2025 Art. 10(3)). Leadership titles add
 * not_selected, pending and not_held.
 */
export const outcomes = [
  'winner',
  'reserve',
  'failed',
  'tied_pending',
  'absent',
  'not_considered',
  'awaiting_nv1',
  'cancelled',
  'pending_tie',
  'not_selected',
  'pending',
  'not_held',
] as const;
export type ResultOutcome = (typeof outcomes)[number];
export const quotaOutcomes = [
  'complete',
  'unfilled',
  'tie_pending_decision',
  'awaiting_other_quota',
  'winner',
  'no_winner',
  'not_held',
  'pending',
] as const;
export type QuotaOutcome = (typeof quotaOutcomes)[number];
export const cancelReasons = ['dossier_incomplete', 'fraud', 'no_show'] as const;
export type CancelReason = (typeof cancelReasons)[number];

/** What a result row explains about itself (frozen with the row once results are approved). */
export type ResultExplanation = {
  text: string;
  gate: { passed: boolean; reasons: { code: string; message: string }[] };
  tiedWith: string[];
  priorityCategory: string | null;
  /** Score parts of the ranking round (recruitment) or written / action plan (leadership), decimal strings. */
  parts: { code: string; score: string | null; max: string | null; weight: number | null }[];
  /** A jointly recruited position (Decree 170/2025 Art. 10(3)): the preferences, where the row is placed, the tie it waits for. */
  joint?: JointResultInfo;
};
/**
 * An explanation as stored: a key left out stands for the value derived from the row and the
 * drive's frozen data (see results.explanation.ts); rows read are given their whole explanation.
 */
export type StoredExplanation = {
  text: string;
  gate: { passed: boolean; reasons?: ResultExplanation['gate']['reasons'] };
  tiedWith?: string[];
  priorityCategory?: string | null;
  parts?: ResultExplanation['parts'];
  joint?: JointResultInfo;
};

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
    /** How many of the tied applications can still win. */
    openSlotsInTie: integer().notNull().default(0),
    /** Unresolved ties lower down among reserves. */
    reserveTies: jsonb().$type<string[][]>().notNull().default([]),
    passedCount: integer().notNull().default(0),
    candidateCount: integer().notNull().default(0),
    explanation: text().notNull().default(''),
    computedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [index('quota_results_drive_idx').on(t.driveId, t.quotaId)],
);
export type QuotaResultRow = typeof quotaResults.$inferSelect;

/** One application's place in the results; every row explains itself. */
export const results = pgTable(
  'results',
  {
    id: idColumn(),
    /**
     * The application, its drive and quota. No foreign keys (a per-row check, and a lock written on
     * the application's row, for each of 200,000 rows): a statement-level trigger checks each
     * inserted or updated row against its application once per statement (migrations
     * 0006_results_fast, 0017), and a trigger on applications refuses to delete or renumber an
     * application that has a result, as the foreign key did (23503).
     */
    driveId: uuid().notNull(),
    quotaId: uuid().notNull(),
    applicationId: uuid().notNull(),
    choice: integer().notNull().default(1),
    outcome: text({ enum: outcomes }).notNull(),
    rank: integer(),
    /** For winners: 1..slots. Unique per quota, so no quota ever has more winners than slots. */
    winnerSlot: integer(),
    quotaSlots: integer().notNull(),
    rankingScore: numeric({ precision: 7, scale: 2 }),
    rawScore: numeric({ precision: 7, scale: 2 }),
    priorityPoints: numeric({ precision: 5, scale: 2 }).notNull().default('0'),
    decidedBy: text(),
    explanation: jsonb().$type<StoredExplanation>().notNull(),
    cancelReason: text({ enum: cancelReasons }),
    cancelNote: text(),
    cancelledAt: timestamp({ withTimezone: true, mode: 'date' }),
    /** On a cancelled winner: the reserve promoted into its slot. */
    replacedByResultId: uuid(),
    /** On a promoted reserve: when, and whose slot it took. */
    promotedAt: timestamp({ withTimezone: true, mode: 'date' }),
    replacesResultId: uuid(),
    /**
     * The row's place among the rows of its quota in the engine's order: reads order by rank, then
     * by this, so rows of equal rank (ties, failed, absent) list as the engine listed them even
     * when a recomputation keeps the ids of unchanged rows.
     */
    position: integer().notNull().default(0),
    /**
     * Digest of everything the engine computed for the row (see results.repository.ts
     * fingerprintOf); a recomputation rewrites only rows whose digest changed. Null: unknown.
     */
    fingerprint: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('results_application_unique').on(t.applicationId),
    uniqueIndex('results_one_winner_per_slot').on(t.quotaId, t.winnerSlot).where(sql`${t.outcome} = 'winner'`),
    index('results_drive_idx').on(t.driveId, t.quotaId, t.rank),
    check('results_winner_slot_within_quota', sql`${t.winnerSlot} is null or ${t.winnerSlot} between 1 and ${t.quotaSlots}`),
    check('results_winner_has_slot', sql`${t.outcome} <> 'winner' or ${t.winnerSlot} is not null`),
  ],
);
export type ResultRow = typeof results.$inferSelect;

export const tieDecisionStages = ['results', 'replacement'] as const;

/**
 * The head's (or chair's) decision on a tie that the rule set's chain could not break: while
 * results are computed (`results`), or among reserves replacing a cancelled winner (`replacement`).
 */
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
    stage: text({ enum: tieDecisionStages }).notNull().default('results'),
    decidedByKeyId: uuid(),
    /** The head of the recruiting agency's seat, when a key bound to it decided. */
    decidedByMemberId: uuid(),
    /** The head's decision (quyết định): number and date. */
    decisionNumber: text(),
    decisionDate: date({ mode: 'string' }),
    decidedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('tie_decisions_quota_idx').on(t.driveId, t.quotaId)],
);
export type TieDecisionRow = typeof tieDecisions.$inferSelect;
