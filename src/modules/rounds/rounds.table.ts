import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, updatedAt, version } from '../../db/columns.js';
import { applications } from '../applications/applications.table.js';
import { drives } from '../drives/drives.table.js';

export const roundKinds = ['gate', 'scored'] as const;
export const roundStatuses = ['scheduled', 'marking', 'locked', 'revealed', 'published'] as const;
export const markingModes = ['single', 'double', 'panel'] as const;

/** An ordered stage of a drive (vòng thi). */
export const rounds = pgTable(
  'rounds',
  {
    id: idColumn(),
    driveId: uuid()
      .notNull()
      .references(() => drives.id),
    order: integer().notNull(),
    code: text().notNull(),
    name: text().notNull(),
    kind: text({ enum: roundKinds }).notNull(),
    /** The round whose score ranks candidates (round 2 of Decree 138/2020 Art. 8). */
    ranking: boolean().notNull().default(false),
    status: text({ enum: roundStatuses }).notNull().default('scheduled'),
    /** Exemption codes whose holders skip this round. */
    exemptionCodes: jsonb().$type<string[]>().notNull().default([]),
    scheduledOn: text(),
    lockedAt: timestamp({ withTimezone: true, mode: 'date' }),
    revealedAt: timestamp({ withTimezone: true, mode: 'date' }),
    publishedAt: timestamp({ withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [uniqueIndex('rounds_drive_order_unique').on(t.driveId, t.order)],
);
export type RoundRow = typeof rounds.$inferSelect;

/** A scored component of a round (môn / phần thi). */
export const parts = pgTable(
  'parts',
  {
    id: idColumn(),
    roundId: uuid()
      .notNull()
      .references(() => rounds.id),
    code: text().notNull(),
    name: text().notNull(),
    /** Maximum score; for computer multiple-choice parts, the number of questions. */
    maxScore: numeric({ precision: 7, scale: 2 }).notNull(),
    passMark: numeric({ precision: 7, scale: 2 }),
    weight: integer().notNull().default(1),
    markingMode: text({ enum: markingModes }).notNull().default('single'),
    /** Written parts are anonymised and open to appeal. */
    written: boolean().notNull().default(false),
  },
  (t) => [uniqueIndex('parts_round_code_unique').on(t.roundId, t.code)],
);
export type PartRow = typeof parts.$inferSelect;

export const scriptStatuses = ['awaiting_marks', 'final', 'head_decides', 'escalated'] as const;

/** One application's work in one part, known to markers only by its anonymous code (số phách). */
export const scripts = pgTable(
  'scripts',
  {
    id: idColumn(),
    roundId: uuid()
      .notNull()
      .references(() => rounds.id),
    partId: uuid()
      .notNull()
      .references(() => parts.id),
    applicationId: uuid()
      .notNull()
      .references(() => applications.id),
    code: text().notNull(),
    status: text({ enum: scriptStatuses }).notNull().default('awaiting_marks'),
    absent: boolean().notNull().default(false),
    finalScore: numeric({ precision: 7, scale: 2 }),
    /** How the final score was reached: average, single, head_decision, third_marker, zero_for_breach, direct_import, appeal. */
    finalRule: text(),
    decisionReason: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    uniqueIndex('scripts_round_code_unique').on(t.roundId, t.code),
    uniqueIndex('scripts_part_application_unique').on(t.partId, t.applicationId),
    index('scripts_application_idx').on(t.applicationId),
  ],
);
export type ScriptRow = typeof scripts.$inferSelect;

/** One marker's score for one script. slot: '1', '2', '3' (third marker) or 'panel:<member>'. */
export const marks = pgTable(
  'marks',
  {
    id: idColumn(),
    scriptId: uuid()
      .notNull()
      .references(() => scripts.id),
    slot: text().notNull(),
    score: numeric({ precision: 7, scale: 2 }).notNull(),
    markerKeyId: uuid(),
    enteredAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('marks_script_slot_unique').on(t.scriptId, t.slot), check('marks_score_nonnegative', sql`${t.score} >= 0`)],
);

/** Every change of a script's final score: both values stay (appeals, head decisions, zeroing). */
export const scoreHistory = pgTable(
  'score_history',
  {
    id: idColumn(),
    scriptId: uuid()
      .notNull()
      .references(() => scripts.id),
    previousScore: numeric({ precision: 7, scale: 2 }),
    newScore: numeric({ precision: 7, scale: 2 }),
    rule: text().notNull(),
    reason: text(),
    at: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('score_history_script_idx').on(t.scriptId)],
);

export const appealStatuses = ['pending', 'upheld', 'changed', 'rejected'] as const;

/** Phúc khảo: a request to re-mark a written part. */
export const appeals = pgTable(
  'appeals',
  {
    id: idColumn(),
    applicationId: uuid()
      .notNull()
      .references(() => applications.id),
    scriptId: uuid()
      .notNull()
      .references(() => scripts.id),
    status: text({ enum: appealStatuses }).notNull().default('pending'),
    reason: text(),
    filedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    dueOn: text().notNull(),
    previousScore: numeric({ precision: 7, scale: 2 }),
    newScore: numeric({ precision: 7, scale: 2 }),
    resolutionNote: text(),
    resolvedAt: timestamp({ withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    version: version(),
  },
  (t) => [
    index('appeals_application_idx').on(t.applicationId),
    uniqueIndex('appeals_one_open_per_script').on(t.scriptId).where(sql`${t.status} = 'pending'`),
  ],
);
export type AppealRow = typeof appeals.$inferSelect;
