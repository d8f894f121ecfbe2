import { boolean, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, updatedAt, version } from '../../db/columns.js';
import { agencies, staffCategories } from '../agencies/agencies.table.js';

/** A position in an agency's position framework (vị trí việc làm). */
export const jobPositions = pgTable(
  'job_positions',
  {
    id: idColumn(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    code: text().notNull(),
    name: text().notNull(),
    nameSearch: text().notNull(),
    staffCategory: text({ enum: staffCategories }).notNull(),
    /** A leadership title (chức danh lãnh đạo, quản lý), e.g. head of a department. */
    leadership: boolean().notNull().default(false),
    description: text(),
    active: boolean().notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [uniqueIndex('job_positions_agency_code_unique').on(t.agencyId, t.code), index('job_positions_agency_idx').on(t.agencyId, t.id)],
);
export type JobPositionRow = typeof jobPositions.$inferSelect;
