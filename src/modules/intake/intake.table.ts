import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, updatedAt, version } from '../../db/columns.js';
import { intakeAuthorities, intakeConditions, type DossierItemRule } from '../../domain/intake.js';
import { agencies, staffCategories } from '../agencies/agencies.table.js';
import { disciplineStates, seats } from '../boards/boards.table.js';
import { jobPositions } from '../job-positions/job-positions.table.js';

/*
 * Intake (tiếp nhận): taking a person in without an exam, outside any drive. Civil servants:
 * Decree 170/2025 Art. 13–14 as issued (replaced by Decree 300/2026 Art. 3–4, held only in summary);
 * public employees: Decree 115/2020 Art. 13 as amended by 85/2023.
 */

/**
 * The catalogue of intake categories: data, not code. Each row is one category (a letter of the
 * article) in one version of the law (`catalogue`), in force from `effectiveFrom` until
 * `effectiveTo` (exclusive; null: no end known). A new decree is a new set of rows.
 */
export const intakeCategories = pgTable(
  'intake_categories',
  {
    id: idColumn(),
    catalogue: text().notNull(),
    staffCategory: text({ enum: staffCategories }).notNull(),
    /** The letter of the article (a, b, …, đ): the code clients send. */
    code: text().notNull(),
    name: text().notNull(),
    source: text().notNull(),
    condition: text({ enum: intakeConditions }).notNull(),
    minYears: integer(),
    councilRequired: boolean().notNull(),
    oralRequired: boolean().notNull(),
    decidingAuthority: text({ enum: intakeAuthorities }).notNull(),
    dossierItems: jsonb().$type<DossierItemRule[]>().notNull(),
    effectiveFrom: date({ mode: 'string' }).notNull(),
    effectiveTo: date({ mode: 'string' }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('intake_categories_catalogue_code_unique').on(t.catalogue, t.staffCategory, t.code)],
);
export type IntakeCategoryRow = typeof intakeCategories.$inferSelect;

export const intakeStatuses = ['requested', 'accepted', 'refused'] as const;
export type IntakeStatus = (typeof intakeStatuses)[number];

export type IntakeConditionsFacts = {
  insuredMonths: number | null;
  relevantWork: boolean;
  resultsRef: string | null;
  assignmentDecision: { number: string; date: string } | null;
  underDiscipline: boolean;
};
export type DossierPaper = { code: string; issuedOn: string; ref: string | null };

/**
 * One intake: the person (national ID encrypted with the data key, keyed blind index, masked form,
 * as for candidates), the position and agency, the category, the conditions and the dossier. While
 * `requested` it holds one unit of the agency's unused headcount of `year` (the decision's year);
 * accepted, it fills that unit (headcounts.filled); refused, it holds nothing.
 */
export const intakes = pgTable(
  'intakes',
  {
    id: idColumn(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    jobPositionId: uuid()
      .notNull()
      .references(() => jobPositions.id),
    categoryId: uuid()
      .notNull()
      .references(() => intakeCategories.id),
    staffCategory: text({ enum: staffCategories }).notNull(),
    year: integer().notNull(),
    fullName: text().notNull(),
    fullNameSearch: text().notNull(),
    birthDate: date({ mode: 'string' }).notNull(),
    nationalIdCiphertext: text().notNull(),
    nationalIdIndex: text().notNull(),
    nationalIdMasked: text().notNull(),
    currentEmployer: text(),
    leadershipPost: boolean().notNull().default(false),
    conditions: jsonb().$type<IntakeConditionsFacts>().notNull(),
    dossier: jsonb().$type<DossierPaper[]>().notNull().default([]),
    receivedOn: date({ mode: 'string' }).notNull(),
    status: text({ enum: intakeStatuses }).notNull().default('requested'),
    /** The council's report to the head (170 Art. 14(1)(b)): passed or failed, with its minutes. */
    councilOutcome: text({ enum: ['passed', 'failed'] }),
    councilMinutesRef: text(),
    councilReportedOn: date({ mode: 'string' }),
    oralScore: numeric({ precision: 5, scale: 2 }),
    oralRule: text(),
    decisionAuthority: text({ enum: intakeAuthorities }),
    decisionNumber: text(),
    decisionDate: date({ mode: 'string' }),
    decisionReason: text(),
    decidedAt: timestamp({ withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    // The headcount guard sums pending intakes with quotas (quotas.repository.ts reservedSlots).
    index('intakes_headcount_idx').on(t.agencyId, t.year, t.staffCategory, t.status),
    index('intakes_national_id_index_idx').on(t.nationalIdIndex),
    check('intakes_status_known', sql`${t.status} in ('requested','accepted','refused')`),
    check('intakes_year_range', sql`${t.year} between 2000 and 2100`),
  ],
);
export type IntakeRow = typeof intakes.$inferSelect;

/** A seat on the intake's review council (Hội đồng kiểm tra, sát hạch), formed as the recruitment council (170 Art. 14(1)(a), 8(1)). */
export const intakeCouncilMembers = pgTable(
  'intake_council_members',
  {
    id: idColumn(),
    intakeId: uuid()
      .notNull()
      .references(() => intakes.id),
    seat: text({ enum: seats }).notNull(),
    fullName: text().notNull(),
    nationalIdIndex: text(),
    nationalIdMasked: text(),
    title: text(),
    discipline: text({ enum: disciplineStates }).notNull().default('none'),
    /** How many relatives the member declared (checked against the person; never kept). */
    relativesDeclared: integer().notNull().default(0),
    decisionNumber: text().notNull(),
    decisionDate: date({ mode: 'string' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('intake_council_members_intake_idx').on(t.intakeId)],
);
export type IntakeCouncilMemberRow = typeof intakeCouncilMembers.$inferSelect;

/** A council member's mark for the oral, out of 100 (170 Art. 14(1)(b); Quy chế Art. 22(1)). */
export const intakeOralMarks = pgTable(
  'intake_oral_marks',
  {
    intakeId: uuid()
      .notNull()
      .references(() => intakes.id),
    memberId: uuid()
      .notNull()
      .references(() => intakeCouncilMembers.id),
    score: numeric({ precision: 5, scale: 2 }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('intake_oral_marks_member_unique').on(t.intakeId, t.memberId), check('intake_oral_marks_range', sql`${t.score} between 0 and 100`)],
);
