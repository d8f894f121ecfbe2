import { codeOfLabel } from '../exports/labels.js';
import { z } from 'zod';
import { pageQuery } from '../../http/pagination.js';
import { isoDate, searchQuery, text, timestamp, uuid } from '../../http/primitives.js';
import { priorityClaimInput, priorityClaimSchema } from '../candidates/candidates.schemas.js';
import { applicationStatuses } from './applications.table.js';
import { REVIEW_GROUPS } from '../../domain/review.js';
import { isoDateOf } from './applications.dates.js';

const reviewGroupInput = z
  .enum(REVIEW_GROUPS)
  .describe(
    'For a review quota of a civil-servant drive (Decree 170/2025 Art. 5): the group the applicant belongs to, which must be the quota’s ' +
      '(422 application.review_group_required, application.review_group_mismatch); none for an exam quota (422 application.review_group_not_applicable)',
  );
const reviewEvidenceInput = z
  .array(text(300))
  .max(10)
  .describe('References of the evidence of the declared group (commitment, cử tuyển decision, diploma, award); at least one with a group (422 application.review_evidence_required)');

export const applicationStatus = z.enum(applicationStatuses).describe('submitted | eligible | ineligible | withdrawn');
const exemptionCode = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower_snake_case exemption code');
const reasonInput = z.object({ code: z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/), message: text(500) }).strict();

export const driveParams = z.object({ id: uuid });

export const registerBody = z
  .object({
    candidateId: uuid,
    quotaId: uuid,
    choice: z.union([z.literal(1), z.literal(2)]).default(1).describe('1 = NV1; 2 = NV2 where the rule set allows a second choice'),
    priorityClaims: z
      .array(priorityClaimInput)
      .max(20)
      .optional()
      .describe('Claims for this application; defaults to the candidate’s own claims'),
    exemptions: z.array(exemptionCode).max(10).default([]).describe('Exemption codes of the drive’s rule set'),
    agencyPreferences: z
      .array(uuid)
      .max(100)
      .optional()
      .describe(
        'Only for a quota of a jointly recruited position (Decree 170/2025 Art. 10(3)): the user agencies the applicant accepts, best first, ' +
          'distinct, each holding a quota of the position in this drive, the quota’s own agency first. Defaults to the quota’s agency alone',
      ),
    reviewGroup: reviewGroupInput.optional(),
    reviewEvidenceRefs: reviewEvidenceInput.default([]),
  })
  .strict();

export const eligibilityBody = z
  .object({
    eligible: z.boolean(),
    reasons: z.array(reasonInput).max(20).default([]).describe('Required when not eligible'),
  })
  .strict()
  .refine((b) => b.eligible || b.reasons.length > 0, { message: 'an ineligible decision needs at least one reason', path: ['reasons'] });

export const withdrawBody = z
  .object({ reason: text(500).optional() })
  .strict()
  .default({});

export const listApplicationsQuery = z
  .object({
    ...pageQuery,
    quotaId: uuid.optional(),
    status: applicationStatus.optional(),
    candidateId: uuid.optional(),
    agencyId: uuid.optional().describe('Quotas of this agency'),
    q: searchQuery.describe('Candidate name, with or without diacritics'),
  })
  .strict();

export const reasonSchema = z.object({ code: z.string(), message: z.string() }).meta({ id: 'ApplicationReason' });

export const applicationSchema = z
  .object({
    id: uuid,
    driveId: uuid,
    quotaId: uuid,
    candidateId: uuid,
    candidate: z.object({ fullName: z.string(), nationalIdMasked: z.string(), birthDate: z.string() }),
    choice: z.number().int(),
    status: applicationStatus,
    reasons: z.array(reasonSchema),
    priorityClaims: z.array(priorityClaimSchema),
    priorityCategory: z.string().nullable().describe('The claim that counted (only the highest counts)'),
    priorityPoints: z.string().describe('Decimal with two places, e.g. "7.50"'),
    exemptions: z.array(z.string()),
    agencyPreferences: z
      .array(uuid)
      .describe('For a jointly recruited position (Decree 170/2025 Art. 10(3)): the user agencies accepted, best first; empty for any other quota'),
    reviewGroup: z.enum(REVIEW_GROUPS).nullable().describe('The Decree 170/2025 Art. 5 group declared for a review quota; null otherwise'),
    reviewEvidenceRefs: z.array(z.string()).describe('References of the evidence of the declared group'),
    candidateNumber: z.string().nullable().describe('Số báo danh, assigned when registration closes'),
    registeredByAgencyId: uuid.nullable(),
    submittedAt: timestamp,
    decidedAt: timestamp.nullable(),
    withdrawnAt: timestamp.nullable(),
    updatedAt: timestamp,
    version: z.number().int(),
  })
  .meta({ id: 'Application' });

// ---- bulk import ----

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
const optional = <T extends z.ZodType>(s: T) => z.preprocess(blankToUndefined, s.optional());
const GENDERS: Record<string, 'male' | 'female' | 'other'> = {
  male: 'male',
  female: 'female',
  other: 'other',
  nam: 'male',
  'nữ': 'female',
  nu: 'female',
  'khác': 'other',
  khac: 'other',
};

/** One import row, as CSV cells (strings) or JSON values. */
export const importRowSchema = z
  .object({
    fullName: text(200),
    nationalId: z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().trim().max(20)),
    birthDate: z.preprocess((v) => (typeof v === 'string' ? isoDateOf(v.trim()) : v), isoDate.describe('YYYY-MM-DD, or dd/mm/yyyy as Excel shows dates')),
    gender: z.preprocess(
      (v) => (typeof v === 'string' ? (GENDERS[v.normalize('NFC').trim().toLowerCase()] ?? v) : v),
      z.enum(['male', 'female', 'other']),
    ),
    ethnicity: text(100),
    nationality: z.preprocess(
      (v) => (v === '' || v === undefined || v === null ? 'VN' : v),
      z.string().trim().regex(/^[A-Za-z]{2}$/, 'ISO 3166-1 alpha-2 code').transform((s) => s.toUpperCase()),
    ),
    email: optional(z.string().trim().max(254).email()),
    phone: optional(z.string().trim().regex(/^\+?[0-9 .-]{6,20}$/, 'a phone number')),
    address: optional(text(500)),
    quotaId: optional(uuid),
    agencyCode: optional(z.string().trim().max(64)),
    jobPositionCode: optional(z.string().trim().max(64)),
    // The export's Vietnamese label of a category ("Thương binh") is read back as its code.
    priorityCategory: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() !== '' ? (codeOfLabel('priority', v) ?? v) : v),
      optional(z.string().trim().regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower_snake_case category code')),
    ),
    evidenceRef: optional(text(300)),
    choice: z.preprocess((v) => (v === '' || v === undefined || v === null ? 1 : Number(v)), z.union([z.literal(1), z.literal(2)])),
    agencyPreferences: optional(text(2000)),
    reviewGroup: optional(z.enum(REVIEW_GROUPS)),
    reviewEvidenceRefs: optional(text(3000)),
  })
  .strict()
  .refine((r) => r.quotaId !== undefined || (r.agencyCode !== undefined && r.jobPositionCode !== undefined), {
    message: 'give quotaId, or agencyCode and jobPositionCode',
    path: ['quotaId'],
  })
  .refine((r) => r.priorityCategory === undefined || r.evidenceRef !== undefined, {
    message: 'a priority category needs an evidence reference',
    path: ['evidenceRef'],
  });
export type ImportRow = z.infer<typeof importRowSchema>;

export const IMPORT_COLUMNS = [
  'fullName',
  'nationalId',
  'birthDate',
  'gender',
  'ethnicity',
  'nationality',
  'email',
  'phone',
  'address',
  'quotaId',
  'agencyCode',
  'jobPositionCode',
  'priorityCategory',
  'evidenceRef',
  'choice',
  'agencyPreferences',
  'reviewGroup',
  'reviewEvidenceRefs',
] as const;
export const REQUIRED_IMPORT_COLUMNS = ['fullName', 'nationalId', 'birthDate', 'gender', 'ethnicity'] as const;
export const MAX_JSON_IMPORT_ROWS = 20_000;

export const importQuery = z
  .object({
    atomic: z.enum(['true', 'false']).default('false').describe('true: all rows or none (any row error → 422 import.failed, nothing written)'),
  })
  .strict();

const importRowDoc = z.object({
  fullName: z.string(),
  nationalId: z.string(),
  birthDate: isoDate,
  gender: z.string().describe('male | female | other (also nam | nữ | khác)'),
  ethnicity: z.string(),
  nationality: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  address: z.string().optional(),
  quotaId: uuid.optional(),
  agencyCode: z.string().optional(),
  jobPositionCode: z.string().optional(),
  priorityCategory: z.string().optional(),
  evidenceRef: z.string().optional(),
  choice: z.union([z.literal(1), z.literal(2), z.string()]).optional(),
  agencyPreferences: z
    .string()
    .optional()
    .describe(
      'Jointly recruited position only (Decree 170/2025 Art. 10(3)): the codes of the user agencies accepted, best first, separated by ";" ' +
        '(the row’s own agency first); blank: that agency alone',
    ),
  reviewGroup: z.enum(REVIEW_GROUPS).optional().describe('Review quota of a civil-servant drive (Decree 170/2025 Art. 5): the group declared, which must be the quota’s'),
  reviewEvidenceRefs: z.string().optional().describe('The evidence references of the declared group, separated by ";"'),
});

/**
 * The body is validated row by row by the service (a bad row is reported, not the whole request),
 * so the route accepts anything here and documents the shape for the OpenAPI document.
 */
export const importBody = z.unknown().meta({
  description:
    `JSON: an array (at most ${MAX_JSON_IMPORT_ROWS} rows) of row objects. CSV (text/csv) or XLSX (an Excel workbook, first worksheet): ` +
    'the same fields, or the applications export’s Vietnamese headers, as header columns.',
  anyOf: [
    { type: 'array', maxItems: MAX_JSON_IMPORT_ROWS, items: z.toJSONSchema(importRowDoc, { target: 'draft-2020-12' }) },
    { type: 'string', description: 'CSV text, UTF-8 with or without BOM, header row' },
    { type: 'string', contentMediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', description: 'XLSX workbook (binary)' },
  ],
});

export const importRowErrorSchema = z.object({ code: z.string(), message: z.string(), field: z.string().optional() });
export const importResultSchema = z
  .object({
    row: z.number().int().describe('1-based data row (the CSV header is not counted)'),
    status: z.enum(['created', 'exists', 'error']),
    applicationId: uuid.optional(),
    candidateId: uuid.optional(),
    errors: z.array(importRowErrorSchema).optional(),
  })
  .meta({ id: 'ApplicationImportResult' });
export const importSummarySchema = z.object({
  rows: z.number().int(),
  created: z.number().int(),
  exists: z.number().int(),
  errors: z.number().int(),
});
export const importResponseSchema = z
  .object({ summary: importSummarySchema, results: z.array(importResultSchema) })
  .meta({ id: 'ApplicationImportReport' });

export type RegisterInput = z.infer<typeof registerBody>;
export type EligibilityInput = z.infer<typeof eligibilityBody>;
export type ListApplicationsQuery = z.infer<typeof listApplicationsQuery>;
export type ImportResult = z.infer<typeof importResultSchema>;
export type ImportRowError = z.infer<typeof importRowErrorSchema>;
