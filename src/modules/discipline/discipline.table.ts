import { sql } from 'drizzle-orm';
import { check, date, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn } from '../../db/columns.js';
import { DISCIPLINE_KINDS } from '../../domain/discipline.js';
import { drives } from '../drives/drives.table.js';
import { parts, rounds } from '../rounds/rounds.table.js';

/**
 * A disciplinary act against a candidate for one paper (Circular 22/2025 Nội quy Art. 2): its minute,
 * who decided it, and for a cancellation the chair's report and the head's decision. Acts are never
 * deleted; a decided act is applied once: the results engine applies it (src/domain/discipline.ts).
 */
export const DISCIPLINE_STATUSES = ['decided', 'applied'] as const;

export const disciplineActs = pgTable(
  'discipline_acts',
  {
    id: idColumn(),
    driveId: uuid()
      .notNull()
      .references(() => drives.id),
    roundId: uuid()
      .notNull()
      .references(() => rounds.id),
    partId: uuid()
      .notNull()
      .references(() => parts.id),
    applicationId: uuid().notNull(),
    kind: text({ enum: DISCIPLINE_KINDS }).notNull(),
    /**
     * decided: a reprimand or warning decided by the minute's writer, not yet applied by the
     * council chair (Nội quy Art. 2(6)(b)); applied: the engine deducts or cancels.
     */
    status: text({ enum: DISCIPLINE_STATUSES }).notNull(),
    /** The minute (biên bản) written at the exam room (Nội quy Art. 2(6)(a)). */
    minuteRef: text().notNull(),
    reason: text().notNull(),
    decidedByMemberId: uuid(),
    decidedByKeyId: uuid(),
    /** Cancellation: the council chair's report (Nội quy Art. 2(6)(d)). */
    chairReportRef: text(),
    /** Cancellation: the head of the recruiting agency's decision. */
    headDecisionNumber: text(),
    headDecisionDate: date({ mode: 'string' }),
    appliedByMemberId: uuid(),
    appliedByKeyId: uuid(),
    appliedAt: timestamp({ withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('discipline_acts_application_idx').on(t.applicationId),
    index('discipline_acts_drive_idx').on(t.driveId),
    check('discipline_acts_status_valid', sql`${t.status} in ('decided', 'applied')`),
    check('discipline_acts_applied_at', sql`(${t.status} = 'applied') = (${t.appliedAt} is not null)`),
    check('discipline_acts_kind_valid', sql`${t.kind} in ('reprimand', 'warning', 'suspension', 'cancellation')`),
    check(
      'discipline_acts_cancellation_refs',
      sql`${t.kind} <> 'cancellation' or (${t.chairReportRef} is not null and ${t.headDecisionNumber} is not null and ${t.headDecisionDate} is not null)`,
    ),
  ],
);
export type DisciplineActRow = typeof disciplineActs.$inferSelect;
