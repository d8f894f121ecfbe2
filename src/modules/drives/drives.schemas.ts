import { z } from 'zod';
import { CLIENT_TRANSITION_TARGETS, DRIVE_TRANSITION_TARGETS } from '../../domain/drive-lifecycle.js';
import { ruleSetOverridesSchema, ruleSetSchema } from '../../domain/rule-sets.js';
import { pageQuery } from '../../http/pagination.js';
import { code, isoDate, searchQuery, text, timestamp, uuid, year } from '../../http/primitives.js';
import { staffCategory } from '../agencies/agencies.schemas.js';
import { driveKinds, driveStatuses, rulePresets, ruleSetUses } from './drives.table.js';

export const driveKind = z.enum(driveKinds).describe('recruitment (tuyển dụng) | leadership (thi tuyển chức danh lãnh đạo, quản lý)');
export const driveStatus = z.enum(driveStatuses);
export const rulePreset = z
  .enum(rulePresets)
  .describe(
    'nd138 (Decree 138/2020, civil servants, historical only) | nd115 (Decree 115/2020 as amended by 85/2023, public employees) | ' +
      'nd170 (Decree 170/2025 as issued) | nd170-300 (Decree 170/2025 as amended by 300/2026) | leadership. ' +
      'Periods and citations: GET /v1/rule-set-presets',
  );
export const ruleSetUse = z
  .enum(ruleSetUses)
  .describe('current: in force for the plan date | historical: recomputing a past drive (reason required) | provisional: nd115 for a public-employee plan approved from 2026-07-01');

const ruleSetInput = z
  .object({
    preset: rulePreset,
    overrides: ruleSetOverridesSchema
      .default({})
      .describe('Deep partial of the rule set: objects merge, arrays replace; scores in integer hundredths'),
    use: ruleSetUse.default('current'),
    reason: text(1000).optional().describe('Required when use is historical; recorded in the audit trail'),
  })
  .strict()
  .refine((r) => r.use !== 'historical' || r.reason !== undefined, { message: 'a historical recomputation needs a reason', path: ['reason'] })
  .refine((r) => r.use === 'historical' || r.reason === undefined, { message: 'reason is only for a historical recomputation', path: ['reason'] });

const warning = z.object({ code: z.string(), message: z.string() });
const planApprovedOn = isoDate.describe('The date the recruitment plan was approved: it decides which preset may govern the drive');

export const driveSchema = z
  .object({
    id: uuid,
    code: z.string(),
    name: z.string(),
    kind: driveKind,
    staffCategory,
    year: z.number().int(),
    organizingAgencyId: uuid,
    status: driveStatus,
    allowedTransitions: z.array(z.enum(DRIVE_TRANSITION_TARGETS)).describe('Transitions the lifecycle allows from the current status'),
    ruleSet: z.object({
      preset: rulePreset,
      overrides: z.record(z.string(), z.unknown()),
      effective: ruleSetSchema.describe('The effective rule set: a preview while draft, frozen when the drive opens'),
      frozenAt: timestamp.nullable(),
      use: ruleSetUse,
      reason: z.string().nullable(),
    }),
    planApprovedOn: planApprovedOn.nullable(),
    warnings: z.array(warning).describe('E.g. drive.plan_date_assumed (no planApprovedOn: the opening date stands in), rule_set.provisional, rule_set.historical'),
    registrationOpensOn: isoDate.nullable(),
    registrationClosesOn: isoDate.nullable().describe('Last day (inclusive) to register'),
    candidateNumberPrefix: z.string().nullable(),
    statusChangedAt: timestamp,
    publishedAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    version: z.number().int(),
  })
  .meta({ id: 'Drive' });

const candidateNumberPrefix = z.string().regex(/^[A-Z0-9]{1,10}$/, 'upper-case letters and digits, at most 10');

export const createDriveBody = z
  .object({
    code: code.describe('Unique drive code'),
    name: text(300),
    kind: driveKind,
    staffCategory,
    year,
    organizingAgencyId: uuid,
    ruleSet: ruleSetInput
      .optional()
      .describe(
        'Omitted: leadership for leadership drives; by the plan date for civil servants nd170-300 (from 2026-08-01) or nd170 ' +
          '(2025-07-01 … 2026-07-31), for public employees nd115 (to 2026-06-30; later it must be pinned as provisional)',
      ),
    planApprovedOn: planApprovedOn.nullable().optional().describe('Omitted: the registration opening date (or today) stands in, with a warning'),
    registrationOpensOn: isoDate.nullable().optional(),
    registrationClosesOn: isoDate
      .nullable()
      .optional()
      .describe('Default: registrationOpensOn + ruleSet.deadlines.registrationDays'),
    candidateNumberPrefix: candidateNumberPrefix.nullable().optional(),
  })
  .strict();

export const patchDriveBody = z
  .object({
    code: code.optional(),
    name: text(300).optional(),
    ruleSet: ruleSetInput.optional(),
    planApprovedOn: planApprovedOn.nullable().optional(),
    registrationOpensOn: isoDate.nullable().optional(),
    registrationClosesOn: isoDate.nullable().optional(),
    candidateNumberPrefix: candidateNumberPrefix.nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one field');

export const transitionBody = z
  .object({
    to: z
      .enum(CLIENT_TRANSITION_TARGETS)
      .describe('results_computed, submitted, approved, returned and published are reached through the results endpoints'),
    reason: text(1000).optional().describe('Required for cancelled'),
  })
  .strict();

export const listDrivesQuery = z
  .object({
    ...pageQuery,
    organizingAgencyId: uuid.optional(),
    kind: driveKind.optional(),
    status: driveStatus.optional(),
    staffCategory: staffCategory.optional(),
    year: year.optional(),
    q: searchQuery,
  })
  .strict();

export type CreateDriveInput = z.infer<typeof createDriveBody>;
export type PatchDriveInput = z.infer<typeof patchDriveBody>;
export type TransitionInput = z.infer<typeof transitionBody>;
export type ListDrivesQuery = z.infer<typeof listDrivesQuery>;
