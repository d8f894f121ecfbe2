import { z } from 'zod';
import { code, count, searchQuery, text, timestamp, uuid, year } from '../../http/primitives.js';
import { pageQuery } from '../../http/pagination.js';
import { blocs, staffCategories } from './agencies.table.js';

export const bloc = z.enum(blocs).describe('party | state | front (Fatherland Front and mass organisations) | public_service');
export const staffCategory = z.enum(staffCategories).describe('civil_servant (công chức) | public_employee (viên chức)');

export const agencySchema = z
  .object({
    id: uuid,
    code: z.string(),
    name: z.string(),
    bloc,
    parentId: uuid.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    version: z.number().int(),
  })
  .meta({ id: 'Agency' });

export const createAgencyBody = z
  .object({
    code: code.describe('Unique agency code'),
    name: text(300),
    bloc,
    parentId: uuid.nullable().optional(),
  })
  .strict();

export const patchAgencyBody = z
  .object({ code: code.optional(), name: text(300).optional(), bloc: bloc.optional(), parentId: uuid.nullable().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one field');

export const listAgenciesQuery = z
  .object({
    ...pageQuery,
    parentId: uuid.optional().describe('Direct children of this agency'),
    root: z.enum(['true', 'false']).optional().describe('Only agencies without a parent'),
    bloc: bloc.optional(),
    q: searchQuery,
  })
  .strict();

export const headcountParams = z.object({ id: uuid, year });

export const headcountCategory = z.object({
  staffCategory,
  assigned: count.max(1_000_000).describe('Assigned headcount'),
  filled: count.max(1_000_000).describe('Currently filled'),
});

export const putHeadcountBody = z
  .object({ categories: z.array(headcountCategory.strict()).min(1).max(2) })
  .strict()
  .refine((b) => new Set(b.categories.map((c) => c.staffCategory)).size === b.categories.length, 'each staff category once')
  .refine((b) => b.categories.every((c) => c.filled <= c.assigned), 'filled cannot exceed assigned');

export const headcountSchema = z
  .object({
    agencyId: uuid,
    year: z.number().int(),
    categories: z.array(
      z.object({
        staffCategory,
        assigned: count,
        filled: count,
        unused: z.number().int().describe('assigned − filled'),
        reserved: count.describe('Slots held by quotas of drives that are not finished or cancelled, less the places already taken up (counted in filled), and by intakes still requested'),
        available: z.number().int().describe('unused − reserved: what new quotas may still take'),
        version: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'Headcount' });

export type CreateAgencyInput = z.infer<typeof createAgencyBody>;
export type PatchAgencyInput = z.infer<typeof patchAgencyBody>;
export type ListAgenciesQuery = z.infer<typeof listAgenciesQuery>;
export type PutHeadcountInput = z.infer<typeof putHeadcountBody>;
