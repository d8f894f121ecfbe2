import { sql } from 'drizzle-orm';
import { check, date, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, updatedAt, version } from '../../db/columns.js';
import { DRIVE_STATUSES } from '../../domain/drive-lifecycle.js';
import { PRESET_USES } from '../../domain/preset-law.js';
import { PRESETS, type RuleSet, type RuleSetOverrides } from '../../domain/rule-sets.js';
import { agencies, staffCategories } from '../agencies/agencies.table.js';

export const driveKinds = ['recruitment', 'leadership'] as const;
/** The lifecycle's states, from the pure lifecycle table (DOMAIN.md "Drive lifecycle"). */
export const driveStatuses = DRIVE_STATUSES;
export type DriveStatus = (typeof driveStatuses)[number];
export const rulePresets = PRESETS;
export const ruleSetUses = PRESET_USES;

/** One recruitment exam or one leadership-title exam campaign (kỳ tuyển dụng / kỳ thi tuyển). */
export const drives = pgTable(
  'drives',
  {
    id: idColumn(),
    code: text().notNull().unique('drives_code_unique'),
    name: text().notNull(),
    nameSearch: text().notNull(),
    kind: text({ enum: driveKinds }).notNull(),
    staffCategory: text({ enum: staffCategories }).notNull(),
    year: integer().notNull(),
    organizingAgencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    status: text({ enum: driveStatuses }).notNull().default('draft'),
    ruleSetPreset: text({ enum: rulePresets }).notNull(),
    ruleSetOverrides: jsonb().$type<RuleSetOverrides>().notNull().default({}),
    /** The effective rule set: preview while draft, frozen when the drive opens. */
    ruleSet: jsonb().$type<RuleSet>().notNull(),
    ruleSetFrozenAt: timestamp({ withTimezone: true, mode: 'date' }),
    /** How the preset was pinned: in force for the plan date, historical recomputation, or provisional. */
    ruleSetUse: text({ enum: ruleSetUses }).notNull().default('current'),
    /** Why a historical recomputation (required then). */
    ruleSetUseReason: text(),
    /** The date the recruitment plan was approved; it decides the preset (null: the opening date stands in). */
    planApprovedOn: date({ mode: 'string' }),
    registrationOpensOn: date({ mode: 'string' }),
    registrationClosesOn: date({ mode: 'string' }),
    /** Prefix of candidate numbers (số báo danh), e.g. 'HN23'. */
    candidateNumberPrefix: text(),
    statusChangedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    publishedAt: timestamp({ withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    index('drives_agency_idx').on(t.organizingAgencyId, t.id),
    index('drives_year_idx').on(t.year, t.kind),
    index('drives_status_idx').on(t.status),
    check(
      'drives_rule_set_use_valid',
      sql`${t.ruleSetUse} in ('current', 'historical', 'provisional') and (${t.ruleSetUse} <> 'historical' or ${t.ruleSetUseReason} is not null)`,
    ),
  ],
);
export type DriveRow = typeof drives.$inferSelect;

/** Every lifecycle transition, kept for the record (the audit trail holds who did it). */
export const driveTransitions = pgTable(
  'drive_transitions',
  {
    id: idColumn(),
    driveId: uuid()
      .notNull()
      .references(() => drives.id),
    from: text({ enum: driveStatuses }).notNull(),
    to: text({ enum: driveStatuses }).notNull(),
    reason: text(),
    at: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('drive_transitions_drive_idx').on(t.driveId, t.at)],
);
