import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, updatedAt, version } from '../../db/columns.js';
import { applications } from '../applications/applications.table.js';
import { drives } from '../drives/drives.table.js';
import { JOB_GRADES } from '../../domain/rule-sets.js';

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
    /**
     * The grade whose quotas sit this round (Decree 170/2025 Art. 9: each grade its own structure);
     * null: every quota of the drive.
     */
    grade: text({ enum: JOB_GRADES }),
    /**
     * The foreign-language exam of Decree 170/2025 Art. 9(5): sat only by the candidates of quotas
     * whose plan requires it, pass/fail at the quota's pass mark, never counted in the score; a later
     * round is sat only by those of such quotas who passed it.
     */
    foreignLanguage: boolean().notNull().default(false),
    /**
     * The language a foreign-language round examines (Art. 9(5): the authority sets the language per
     * position): sat only by the candidates of quotas requiring that language. Null: every required
     * language (one exam for all).
     */
    language: text(),
    /**
     * The quotas that sit the round by method: 'review' — those selected by review (Decree 170/2025
     * Art. 11; Decree 115/2020 Art. 11); null or 'exam' — the exam quotas.
     */
    method: text({ enum: ['exam', 'review'] }),
    /** The day candidates were summoned to a review's oral (Decree 170/2025 Art. 16(6): held within 15 days of it). */
    summonedOn: text(),
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
  (t) => [
    uniqueIndex('rounds_drive_order_unique').on(t.driveId, sql`coalesce(${t.grade}, '')`, sql`(coalesce(${t.method}, 'exam'))`, t.order),
    uniqueIndex('rounds_drive_code_unique').on(t.driveId, sql`coalesce(${t.grade}, '')`, sql`(coalesce(${t.method}, 'exam'))`, t.code),
    check('rounds_method_known', sql`${t.method} is null or ${t.method} in ('exam', 'review')`),
    check('rounds_grade_known', sql`${t.grade} is null or ${t.grade} in ('nhan_vien', 'chuyen_vien', 'chuyen_vien_chinh', 'cao_cap')`),
    check('rounds_order_range', sql`${t.order} between 1 and 20`),
  ],
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
    /** Display order of the part inside its round. */
    position: integer().notNull().default(1),
    code: text().notNull(),
    name: text().notNull(),
    /** Maximum score; for computer multiple-choice parts, the number of questions. */
    maxScore: numeric({ precision: 7, scale: 2 }).notNull(),
    passMark: numeric({ precision: 7, scale: 2 }),
    weight: integer().notNull().default(1),
    markingMode: text({ enum: markingModes }).notNull().default('single'),
    /** Panel parts: number of members whose marks are averaged; null = every member who marked. */
    panelSize: integer(),
    /** Written parts are anonymised and open to appeal. */
    written: boolean().notNull().default(false),
    /**
     * A written part taken on computer (Decree 170/2025 Art. 9(2)(b): 60–120 questions): its result is
     * known at once and not open to appeal (Art. 16(4)(b)); the later parts of its round are sat only
     * by those who passed it (Art. 16(4)(c)).
     */
    computer: boolean().notNull().default(false),
  },
  (t) => [
    uniqueIndex('parts_round_code_unique').on(t.roundId, t.code),
    check('parts_max_score_positive', sql`${t.maxScore} > 0`),
    check('parts_pass_mark_within_max', sql`${t.passMark} is null or (${t.passMark} >= 0 and ${t.passMark} <= ${t.maxScore})`),
    check('parts_weight_range', sql`${t.weight} between 0 and 100`),
    check('parts_panel_size_range', sql`${t.panelSize} is null or ${t.panelSize} between 2 and 25`),
  ],
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
    /**
     * How the final score was reached: single, average, head_decision, council_decision, third_marker,
     * zero_for_breach, direct_import, appeal, or absent (then finalScore is null).
     */
    finalRule: text(),
    decisionReason: text(),
    /** The sealed bag (túi bài) the script is marked in (Quy chế Art. 16(2)(a)–(b)); null: not packed in bags. */
    bag: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    uniqueIndex('scripts_round_code_unique').on(t.roundId, t.code),
    index('scripts_round_bag_idx').on(t.roundId, t.bag).where(sql`${t.bag} is not null`),
    uniqueIndex('scripts_part_application_unique').on(t.partId, t.applicationId),
    index('scripts_application_idx').on(t.applicationId),
    index('scripts_round_status_idx').on(t.roundId, t.status),
    check('scripts_final_score_nonnegative', sql`${t.finalScore} is null or ${t.finalScore} >= 0`),
    check('scripts_absent_has_no_score', sql`not ${t.absent} or ${t.finalScore} is null`),
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
    /** The board member whose key entered it (null for a drive whose boards are not recorded). */
    memberId: uuid(),
    /**
     * A panel's secretary who transcribed the member's signed sheet (Circular 22/2025 Quy chế Art.
     * 22(1)): memberId is then the member who gave the mark, sheetRef names the sheet.
     */
    enteredByMemberId: uuid(),
    sheetRef: text(),
    enteredAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('marks_script_slot_unique').on(t.scriptId, t.slot),
    check('marks_score_nonnegative', sql`${t.score} >= 0`),
    check('marks_transcription_has_sheet', sql`(${t.enteredByMemberId} is null) = (${t.sheetRef} is null)`),
  ],
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
    /** The API key that made the change (the audit trail holds the person it acted for). */
    actorKeyId: uuid(),
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
    /** Last day (Vietnam time) of the appeal window the appeal was filed in. */
    windowClosesOn: text(),
    /** Resolution due: window close + appealResolutionDays. */
    dueOn: text().notNull(),
    previousScore: numeric({ precision: 7, scale: 2 }),
    newScore: numeric({ precision: 7, scale: 2 }),
    resolutionNote: text(),
    resolvedAt: timestamp({ withTimezone: true, mode: 'date' }),
    /** The appeals board's result (Quy chế Art. 17(3)) and how it was reached. */
    appealScore: numeric({ precision: 7, scale: 2 }),
    appealRule: text(),
    /** A new code the chair gave the appealed script (Quy chế Art. 17(1)(c)); null: not re-coded. */
    remarkCode: text(),
    /** The minute of the chair hearing both board heads (Quy chế Art. 18(1), difference ≥ 5). */
    chairMinuteRef: text(),
    decidedByMemberId: uuid(),
    /** When the appeal result was published (Quy chế Art. 17(5)). */
    publishedAt: timestamp({ withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    version: version(),
  },
  (t) => [
    uniqueIndex('appeals_remark_code_unique').on(t.remarkCode).where(sql`${t.remarkCode} is not null`),
    index('appeals_application_idx').on(t.applicationId),
    uniqueIndex('appeals_one_open_per_script').on(t.scriptId).where(sql`${t.status} = 'pending'`),
  ],
);
export type AppealRow = typeof appeals.$inferSelect;
