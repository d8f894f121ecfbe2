import { z } from 'zod';
import { pageQuery } from '../../http/pagination.js';
import { text, timestamp, uuid } from '../../http/primitives.js';
import { staffCategory } from '../agencies/agencies.schemas.js';
import { ethnicityCode } from '../candidates/candidates.schemas.js';
import { QUOTA_METHODS, REVIEW_GROUPS } from '../../domain/review.js';

const slots = z.number().int().min(1).max(100_000);

export const quotaMethod = z
  .enum(QUOTA_METHODS)
  .describe('exam (thi tuyển) or review (xét tuyển): a plan may hold both (Decree 170/2025 Art. 3(2)(d), (e)); fixed once the drive opens');
export const reviewGroup = z
  .enum(REVIEW_GROUPS)
  .describe(
    'Decree 170/2025 Art. 5: disadvantaged_area_commitment (5-year commitment to very disadvantaged areas), cu_tuyen_graduate ' +
      '(cử tuyển graduate returning to the sending locality), talent (excellent graduate or young scientist under the talent policy)',
  );

export const ethnicGroupSlots = z
  .object({
    code: ethnicityCode.describe('An ethnic-minority group (not 01 Kinh)'),
    slots: slots.nullable().default(null).describe('Winners of this group at most (null: the plan sets no slots for it)'),
  })
  .strict()
  .meta({ id: 'QuotaEthnicGroup' });
const ethnicGroupsInput = z
  .array(ethnicGroupSlots)
  .max(53)
  .describe(
    'Decree 170/2025 Art. 3(2)(c): the plan reserves the position for these ethnic groups (the candidates of no other group may register), ' +
      'with each group’s slots where it sets them. Codes unique, never 01 Kinh; the slots set sum to at most the quota’s slots (422 quota.ethnic_groups_invalid). ' +
      'Naming groups implies `ethnicMinorityOnly`',
  );

export const foreignLanguageRequirement = z
  .object({
    required: z.literal(true),
    language: text(100).nullable().default(null).describe('The language examined (e.g. English), as the plan names it'),
    passMark: z
      .number()
      .min(0)
      .max(100)
      .multipleOf(0.01)
      .describe('The agency’s pass mark, in percent of the exam’s maximum: reaching it passes (Art. 9(5): "xác định điểm số đạt kết quả")'),
  })
  .strict()
  .describe(
    'Decree 170/2025 Art. 9(5): the plan requires a foreign-language exam for this position: pass/fail, held before the professional exam ' +
      '(a round marked `foreignLanguage`), not counted in the score; a candidate who fails it or is absent does not sit the professional exam. No exemptions.',
  );

const foreignLanguageView = z
  .object({
    required: z.literal(true),
    language: z.string().nullable().describe('The language examined, as the plan names it'),
    passMark: z.number().describe('The agency’s pass mark, in percent of the exam’s maximum'),
  })
  .meta({ id: 'QuotaForeignLanguage' });

export const quotaSchema = z
  .object({
    id: uuid,
    driveId: uuid,
    agencyId: uuid,
    jobPositionId: uuid,
    year: z.number().int(),
    staffCategory,
    slots: z.number().int(),
    title: z.string().nullable().describe('For leadership drives, the title examined (defaults to the job position’s name)'),
    secondChoiceOpen: z.boolean().describe('The notice designates this position for second choices (NV2; Decree 115/2020 Art. 14 as amended by 85/2023)'),
    ethnicMinorityOnly: z.boolean().describe('Reserved for ethnic-minority candidates (Decree 170/2025 Art. 3(2)(c)): every group but Kinh'),
    ethnicGroups: z
      .array(z.object({ code: ethnicityCode, slots: z.number().int().nullable().describe('Winners of this group at most (null: not set by the plan)') }))
      .describe('Reserved for these groups only (empty: no named groups), with per-group slots where the plan sets them'),
    foreignLanguage: foreignLanguageView
      .nullable()
      .describe('Decree 170/2025 Art. 9(5): the plan requires a pass/fail foreign-language exam for the position, not counted in the score; null: none'),
    method: quotaMethod,
    reviewGroup: reviewGroup.nullable().describe('The Art. 5 group a civil-servant review quota is for (null: an exam quota, or a public-employee review)'),
    createdAt: timestamp,
    updatedAt: timestamp,
    version: z.number().int(),
  })
  .meta({ id: 'Quota' });

export const createQuotaBody = z
  .object({
    agencyId: uuid.describe('The agency whose headcount the slots take'),
    jobPositionId: uuid.describe('A position of that agency, in the drive’s staff category'),
    slots: slots.optional().describe('Required for recruitment drives; a leadership title is always 1'),
    title: text(300).optional(),
    secondChoiceOpen: z
      .boolean()
      .default(false)
      .describe('Open to second choices (NV2): only where the rule set allows NV2 and the notice designates the position'),
    ethnicMinorityOnly: z
      .boolean()
      .default(false)
      .describe(
        'Reserved for ethnic-minority candidates (Decree 170/2025 Art. 3(2)(c)): registration and import refuse a Kinh candidate or one whose ethnicity maps to no group (422 application.ethnicity_restricted)',
      ),
    ethnicGroups: ethnicGroupsInput.default([]),
    foreignLanguage: foreignLanguageRequirement.nullable().default(null),
    method: quotaMethod.default('exam'),
    reviewGroup: reviewGroup
      .nullable()
      .default(null)
      .describe(
        'Required for a civil-servant review quota (each Art. 5 group reviewed apart; 422 quota.review_group_required); ' +
          'none for exam quotas or public-employee reviews (422 quota.review_group_not_applicable). A review quota takes no NV2 (422 quota.review_second_choice)',
      ),
  })
  .strict();

export const patchQuotaBody = z
  .object({
    slots: slots.optional(),
    title: text(300).nullable().optional(),
    secondChoiceOpen: z.boolean().optional(),
    ethnicMinorityOnly: z.boolean().optional().describe('See createQuota'),
    ethnicGroups: ethnicGroupsInput.optional(),
    foreignLanguage: foreignLanguageRequirement.nullable().optional().describe('See createQuota; null removes the requirement'),
    method: quotaMethod.optional().describe('See createQuota'),
    reviewGroup: reviewGroup.nullable().optional().describe('See createQuota'),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one field');

export const listQuotasQuery = z
  .object({ ...pageQuery, agencyId: uuid.optional(), jobPositionId: uuid.optional() })
  .strict();

export type CreateQuotaInput = z.infer<typeof createQuotaBody>;
export type PatchQuotaInput = z.infer<typeof patchQuotaBody>;
export type ListQuotasQuery = z.infer<typeof listQuotasQuery>;
