import { z } from 'zod';
import { pageQuery } from '../../http/pagination.js';
import { code, searchQuery, text, timestamp, uuid } from '../../http/primitives.js';
import { staffCategory } from '../agencies/agencies.schemas.js';
import { JOB_GRADES } from '../../domain/rule-sets.js';

/** Decree 170/2025 Art. 9(1)–(4): the grade decides the exam structure. */
export const jobGrade = z
  .enum(JOB_GRADES)
  .describe(
    'Grade (ngạch) the position is filled at, deciding its exam structure (Decree 170/2025 Art. 9): nhan_vien (nhân viên: one oral or practical exam); ' +
      'chuyen_vien (chuyên viên, cán sự and equivalents: round 1 computer test, then round 2); chuyen_vien_chinh (chuyên viên chính: round 2 only); ' +
      'cao_cap (chuyên viên cao cấp, chuyên gia cao cấp: a Đề án)',
  );

const jointFlag = z.boolean().describe(
  'Recruited jointly for several user agencies (Decree 170/2025 Art. 3(2)(b), 10(3)): the position belongs to the recruiting authority ' +
    '(the organising agency of the drives holding it), and a drive holds one quota of it per user agency, each within that agency\'s headcount',
);

const booleanQuery = z.enum(['true', 'false']);

export const jobPositionSchema = z
  .object({
    id: uuid,
    agencyId: uuid,
    code: z.string(),
    name: z.string(),
    staffCategory,
    leadership: z.boolean().describe('A leadership title (chức danh lãnh đạo, quản lý)'),
    grade: jobGrade.nullable().describe('The grade deciding the exam structure (Decree 170/2025 Art. 9); null: not recorded'),
    joint: jointFlag,
    description: z.string().nullable(),
    active: z.boolean(),
    createdAt: timestamp,
    updatedAt: timestamp,
    version: z.number().int(),
  })
  .meta({ id: 'JobPosition' });

export const createJobPositionBody = z
  .object({
    agencyId: uuid.describe('The agency whose position framework holds this position'),
    code: code.describe('Unique within the agency'),
    name: text(300),
    staffCategory,
    leadership: z.boolean().default(false),
    grade: jobGrade.nullable().optional(),
    joint: jointFlag.optional(),
    description: text(2000).nullable().optional(),
  })
  .strict();

export const patchJobPositionBody = z
  .object({
    code: code.optional(),
    name: text(300).optional(),
    staffCategory: staffCategory.optional(),
    leadership: z.boolean().optional(),
    grade: jobGrade.nullable().optional(),
    joint: jointFlag.optional(),
    description: text(2000).nullable().optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one field');

export const listJobPositionsQuery = z
  .object({
    ...pageQuery,
    agencyId: uuid.optional(),
    staffCategory: staffCategory.optional(),
    leadership: booleanQuery.optional().describe('Only leadership titles (true) or only other positions (false)'),
    active: booleanQuery.optional(),
    q: searchQuery,
  })
  .strict();

export type CreateJobPositionInput = z.infer<typeof createJobPositionBody>;
export type PatchJobPositionInput = z.infer<typeof patchJobPositionBody>;
export type ListJobPositionsQuery = z.infer<typeof listJobPositionsQuery>;
