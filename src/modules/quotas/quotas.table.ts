import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, updatedAt, version } from '../../db/columns.js';
import { agencies, staffCategories } from '../agencies/agencies.table.js';
import { drives } from '../drives/drives.table.js';
import { jobPositions } from '../job-positions/job-positions.table.js';
import { REVIEW_GROUPS } from '../../domain/review.js';

export type EthnicGroupSlots = { code: string; slots: number | null };
/**
 * The plan's foreign-language requirement for a position (Decree 170/2025 Art. 9(5)): a pass/fail
 * exam in `language`, passed at `passMark` percent of the part maximum; not counted in the score.
 */
export type ForeignLanguageRequirement = { required: true; language: string | null; passMark: number };

/** Slots a drive opens for one job position at one agency (chỉ tiêu). A leadership title is a quota of 1. */
export const quotas = pgTable(
  'quotas',
  {
    id: idColumn(),
    driveId: uuid()
      .notNull()
      .references(() => drives.id),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    jobPositionId: uuid()
      .notNull()
      .references(() => jobPositions.id),
    /** Copied from the drive so the headcount guard sums one indexed table. */
    year: integer().notNull(),
    staffCategory: text({ enum: staffCategories }).notNull(),
    slots: integer().notNull(),
    title: text(),
    /** The notice designates this position for second choices (NV2): Decree 115/2020 Art. 14(2)(e), (6) as amended by 85/2023. */
    secondChoiceOpen: boolean().notNull().default(false),
    /** Reserved for ethnic-minority candidates (Decree 170/2025 Art. 3(2)(c)): every group but Kinh. */
    ethnicMinorityOnly: boolean().notNull().default(false),
    /** Reserved for these groups (codes of src/domain/ethnicity.ts), with their slots where the plan sets them (null: none set). */
    ethnicGroups: jsonb().$type<EthnicGroupSlots[]>().notNull().default([]),
    /** The plan requires a foreign-language exam for this position (Decree 170/2025 Art. 9(5)); null: not required. */
    foreignLanguage: jsonb().$type<ForeignLanguageRequirement>(),
    /** Exam (thi tuyển) or selection by review (xét tuyển): Decree 170/2025 Art. 3(2)(d); Decree 115/2020 Art. 2. */
    method: text({ enum: ['exam', 'review'] }).notNull().default('exam'),
    /** The group of Decree 170/2025 Art. 5 a civil-servant review quota is for (each group reviewed apart); null: an exam quota or a public-employee review. */
    reviewGroup: text({ enum: REVIEW_GROUPS }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    uniqueIndex('quotas_drive_agency_position_unique').on(t.driveId, t.agencyId, t.jobPositionId),
    index('quotas_headcount_idx').on(t.agencyId, t.year, t.staffCategory),
    index('quotas_drive_idx').on(t.driveId, t.id),
    check('quotas_slots_positive', sql`${t.slots} between 1 and 100000`),
    check(
      'quotas_review_group_known',
      sql`${t.reviewGroup} is null or (${t.method} = 'review' and ${t.reviewGroup} in ('disadvantaged_area_commitment', 'cu_tuyen_graduate', 'talent'))`,
    ),
  ],
);
export type QuotaRow = typeof quotas.$inferSelect;
