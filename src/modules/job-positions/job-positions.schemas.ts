import { z } from 'zod';
import { pageQuery } from '../../http/pagination.js';
import { code, searchQuery, text, timestamp, uuid } from '../../http/primitives.js';
import { staffCategory } from '../agencies/agencies.schemas.js';

const booleanQuery = z.enum(['true', 'false']);

export const jobPositionSchema = z
  .object({
    id: uuid,
    agencyId: uuid,
    code: z.string(),
    name: z.string(),
    staffCategory,
    leadership: z.boolean().describe('A leadership title (chức danh lãnh đạo, quản lý)'),
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
    description: text(2000).nullable().optional(),
  })
  .strict();

export const patchJobPositionBody = z
  .object({
    code: code.optional(),
    name: text(300).optional(),
    staffCategory: staffCategory.optional(),
    leadership: z.boolean().optional(),
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
