import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, updatedAt, version } from '../../db/columns.js';

export const blocs = ['party', 'state', 'front', 'public_service'] as const;
export const staffCategories = ['civil_servant', 'public_employee'] as const;
export type StaffCategory = (typeof staffCategories)[number];

export const agencies = pgTable(
  'agencies',
  {
    id: idColumn(),
    code: text().notNull().unique('agencies_code_unique'),
    name: text().notNull(),
    nameSearch: text().notNull(),
    bloc: text({ enum: blocs }).notNull(),
    parentId: uuid().references((): AnyPgColumn => agencies.id),
    /** Materialised path of ids from the root, '/a/b/c/': a subtree is one indexed prefix match. */
    path: text().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    index('agencies_parent_idx').on(t.parentId),
    index('agencies_path_idx').using('btree', sql`${t.path} text_pattern_ops`),
  ],
);
export type AgencyRow = typeof agencies.$inferSelect;

/** Headcount (biên chế / số lượng người làm việc) of one agency, year and staff category. */
export const headcounts = pgTable(
  'headcounts',
  {
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    year: integer().notNull(),
    staffCategory: text({ enum: staffCategories }).notNull(),
    assigned: integer().notNull(),
    filled: integer().notNull(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    primaryKey({ columns: [t.agencyId, t.year, t.staffCategory], name: 'headcounts_pk' }),
    check('headcounts_filled_within_assigned', sql`${t.filled} >= 0 and ${t.assigned} >= 0 and ${t.filled} <= ${t.assigned}`),
  ],
);
export type HeadcountRow = typeof headcounts.$inferSelect;
