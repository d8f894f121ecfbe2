import { sql } from 'drizzle-orm';
import { boolean, check, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { JOB_GRADES } from '../../domain/rule-sets.js';
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
    /** The grade (ngạch) the position is filled at: it decides the exam structure (Decree 170/2025 Art. 9). Null: not recorded. */
    grade: text({ enum: JOB_GRADES }),
    /**
     * Recruited jointly for several user agencies (Decree 170/2025 Art. 3(2)(b), 10(3)): the position
     * belongs to the recruiting authority; a drive holds one quota of it per user agency.
     */
    joint: boolean().notNull().default(false),
    description: text(),
    active: boolean().notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    uniqueIndex('job_positions_agency_code_unique').on(t.agencyId, t.code),
    index('job_positions_agency_idx').on(t.agencyId, t.id),
    check('job_positions_grade_known', sql`${t.grade} is null or ${t.grade} in ('nhan_vien', 'chuyen_vien', 'chuyen_vien_chinh', 'cao_cap')`),
  ],
);
export type JobPositionRow = typeof jobPositions.$inferSelect;
