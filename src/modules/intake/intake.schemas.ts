import { z } from 'zod';
import { intakeAuthorities, intakeConditions } from '../../domain/intake.js';
import { pageQuery } from '../../http/pagination.js';
import { code, decimal, isoDate, text, timestamp, uuid, year } from '../../http/primitives.js';
import { staffCategories } from '../agencies/agencies.table.js';
import { disciplineStates, relationships, seats } from '../boards/boards.table.js';
import { gender, nationalIdInput } from '../candidates/candidates.schemas.js';
import { intakeStatuses } from './intake.table.js';

const authority = z
  .enum(intakeAuthorities)
  .describe('recruiting_authority_head (người đứng đầu cơ quan có thẩm quyền tuyển dụng) | managing_authority_head (người đứng đầu cơ quan quản lý công chức): 170 Art. 13(2)');
const decision = z.strictObject({ number: text(100), date: isoDate }).describe('A written decision: number and date');
const letter = z.string().regex(/^[a-zđ]{1,3}$/u, 'the letter of the article: a, b, …, đ');

const dossierItemRule = z.strictObject({
  code,
  name: text(200),
  validityDays: z.number().int().min(1).max(3650).nullable().describe('Made within this many days before the dossier is received'),
  validityMonths: z.number().int().min(1).max(120).nullable().describe('Made within this many months before the dossier is received'),
});

export const intakeCategorySchema = z
  .object({
    id: uuid,
    catalogue: z.string().describe('The version of the law the entry comes from, e.g. nd170-2025, nd115-2020-85-2023'),
    staffCategory: z.enum(staffCategories),
    code: z.string().describe('The letter of the article: a, b, …, đ'),
    name: z.string(),
    source: z.string().describe('The articles the entry reproduces'),
    condition: z.enum(intakeConditions).describe('insured_years: minYears of insured relevant work; results: results or products (talent); assignment_decision: the written decision instead of the years; none'),
    minYears: z.number().int().nullable(),
    councilRequired: z.boolean().describe('A review council (Hội đồng kiểm tra, sát hạch) checks the person, except for a leadership post'),
    oralRequired: z.boolean().describe('The council holds an oral (sát hạch vấn đáp)'),
    decidingAuthority: authority,
    dossierItems: z.array(z.object({ code: z.string(), name: z.string(), validityDays: z.number().int().nullable(), validityMonths: z.number().int().nullable() })),
    effectiveFrom: isoDate,
    effectiveTo: isoDate.nullable(),
  })
  .meta({ id: 'IntakeCategory' });

export const listCategoriesQuery = z
  .object({
    staffCategory: z.enum(staffCategories).optional(),
    on: isoDate.optional().describe('Only entries in force on this day'),
  })
  .strict();

export const createCategoryBody = z.strictObject({
  catalogue: code.describe('The version of the law, e.g. nd300-2026'),
  staffCategory: z.enum(staffCategories),
  code: letter,
  name: text(300),
  source: text(300),
  condition: z.enum(intakeConditions),
  minYears: z.number().int().min(1).max(40).nullable().default(null),
  councilRequired: z.boolean(),
  oralRequired: z.boolean(),
  decidingAuthority: authority,
  dossierItems: z.array(dossierItemRule).max(20),
  effectiveFrom: isoDate,
  effectiveTo: isoDate.nullable().default(null),
});
export type CreateCategoryInput = z.infer<typeof createCategoryBody>;

const dossierPaper = z.strictObject({ code, issuedOn: isoDate, ref: text(200).nullable().default(null) });

export const createIntakeBody = z.strictObject({
  agencyId: uuid.describe('The agency taking the person in'),
  jobPositionId: uuid,
  categoryId: uuid.describe('An entry of GET /v1/intake-categories in force on receivedOn, of the position’s staff category'),
  year: z.number().int().min(2000).max(2100).describe('The year of the decision: its unused headcount is held'),
  receivedOn: isoDate.describe('The day the dossier was received'),
  person: z.strictObject({ fullName: text(200), nationalId: nationalIdInput, birthDate: isoDate, gender: gender.optional() }),
  currentEmployer: text(300).nullable().default(null),
  leadershipPost: z.boolean().default(false).describe('Taken in to a leadership post: no council (170 Art. 14(2)(b), 14(5); 115 Art. 13(4)(a))'),
  conditions: z.strictObject({
    insuredMonths: z.number().int().min(0).max(720).nullable().default(null).describe('Months of relevant work with compulsory social insurance, added up'),
    relevantWork: z.boolean().default(false),
    resultsRef: text(300).nullable().default(null),
    assignmentDecision: decision.nullable().default(null),
    underDiscipline: z.boolean().default(false),
  }),
  dossier: z.array(dossierPaper).max(30).default([]),
});
export type CreateIntakeInput = z.infer<typeof createIntakeBody>;

const relative = z.strictObject({
  relationship: z.enum(relationships),
  nationalId: nationalIdInput.optional(),
  fullName: text(200).optional(),
  birthDate: isoDate.optional(),
});

export const councilBody = z.strictObject({
  decision,
  members: z
    .array(
      z.strictObject({
        seat: z.enum(seats),
        fullName: text(200),
        nationalId: nationalIdInput.optional(),
        title: text(200).optional(),
        discipline: z.enum(disciplineStates).default('none'),
        relatives: z.array(relative).max(50).default([]),
      }),
    )
    .min(1)
    .max(7),
});
export type CouncilInput = z.infer<typeof councilBody>;

export const oralMarksBody = z.strictObject({
  marks: z.array(z.strictObject({ memberId: uuid, score: decimal.describe('Out of 100, up to 2 decimals') })).min(1).max(7),
});
export type OralMarksInput = z.infer<typeof oralMarksBody>;

export const councilReportBody = z.strictObject({
  outcome: z.enum(['passed', 'failed']).describe('The council’s majority finding (170 Art. 14(1)(c))'),
  reportedOn: isoDate,
  minutesRef: text(200),
  chairDecidedScore: decimal.optional().describe('The chair’s score when the members differ by more than 10 points (Quy chế Art. 22(1))'),
});
export type CouncilReportInput = z.infer<typeof councilReportBody>;

export const decisionBody = z.strictObject({
  outcome: z.enum(['accepted', 'refused']),
  authority,
  decision,
  reason: text(1000).optional(),
});
export type DecisionInput = z.infer<typeof decisionBody>;

export const listIntakesQuery = z
  .object({
    agencyId: uuid.optional(),
    status: z.enum(intakeStatuses).optional(),
    year: year.optional(),
    ...pageQuery,
  })
  .strict();
export type ListIntakesQuery = z.infer<typeof listIntakesQuery>;

const problem = z.object({ code: z.string(), message: z.string(), item: z.string().optional() });

const memberSchema = z.object({
  id: uuid,
  seat: z.enum(seats),
  fullName: z.string(),
  nationalIdMasked: z.string().nullable(),
  title: z.string().nullable(),
  relativesDeclared: z.number().int(),
  decisionNumber: z.string(),
  decisionDate: isoDate,
  oralScore: z.string().nullable().describe('This member’s mark for the oral'),
});

export const intakeSchema = z
  .object({
    id: uuid,
    agencyId: uuid,
    jobPositionId: uuid,
    staffCategory: z.enum(staffCategories),
    year: z.number().int(),
    category: z.object({ id: uuid, catalogue: z.string(), code: z.string(), name: z.string(), decidingAuthority: authority }),
    person: z.object({
      fullName: z.string(),
      nationalIdMasked: z.string(),
      nationalId: z.string().optional().describe('Only for admin, registrar and council keys, on a single intake'),
      birthDate: isoDate,
    }),
    currentEmployer: z.string().nullable(),
    leadershipPost: z.boolean(),
    conditions: z.object({
      insuredMonths: z.number().int().nullable(),
      relevantWork: z.boolean(),
      resultsRef: z.string().nullable(),
      assignmentDecision: z.object({ number: z.string(), date: isoDate }).nullable(),
      underDiscipline: z.boolean(),
    }),
    dossier: z.array(z.object({ code: z.string(), issuedOn: isoDate, ref: z.string().nullable() })),
    receivedOn: isoDate,
    assessment: z.object({
      conditionsMet: z.boolean(),
      dossierComplete: z.boolean(),
      councilRequired: z.boolean(),
      oralRequired: z.boolean(),
      problems: z.array(problem),
    }),
    status: z.enum(intakeStatuses).describe('requested (holds one unit of headcount), accepted (fills it), refused (holds nothing)'),
    council: z
      .object({
        members: z.array(memberSchema),
        oral: z.object({ status: z.string(), score: z.string().nullable(), reason: z.string().nullable() }).nullable(),
        outcome: z.enum(['passed', 'failed']).nullable(),
        reportedOn: isoDate.nullable(),
        minutesRef: z.string().nullable(),
      })
      .nullable(),
    decision: z
      .object({ authority, number: z.string(), date: isoDate, reason: z.string().nullable() })
      .nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    version: z.number().int(),
  })
  .meta({ id: 'Intake' });

export const recruitmentReportQuery = z.object({ year, agencyId: uuid.optional() }).strict();
export const recruitmentReportSchema = z
  .object({
    year: z.number().int(),
    agencies: z.array(
      z.object({
        agencyId: uuid,
        agencyCode: z.string(),
        agencyName: z.string(),
        byExam: z.number().int().describe('Winners of exam quotas of approved recruitment drives of the year (cancelled winners not counted)'),
        byReview: z.number().int().describe('Winners of review quotas (method review) of the same drives'),
        byIntake: z.number().int().describe('Intakes accepted, decided in the year'),
        total: z.number().int(),
      }),
    ),
    totals: z.object({ byExam: z.number().int(), byReview: z.number().int(), byIntake: z.number().int(), total: z.number().int() }),
  })
  .meta({ id: 'RecruitmentReport' });
