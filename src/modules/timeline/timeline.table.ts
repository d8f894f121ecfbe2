import { sql } from 'drizzle-orm';
import { check, date, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, updatedAt, version } from '../../db/columns.js';
import { EXTENDABLE_STEPS, TIMELINE_EVENTS, TIMELINE_STEPS } from '../../domain/timeline.js';
import { drives } from '../drives/drives.table.js';

/**
 * The date of a timeline event as the drive's papers give it (the eligible list published, the
 * summons, the recruitment decision…): events the service does not record itself, or records only
 * as the moment a client told it. A recorded date takes precedence over the service's own record.
 */
export const driveTimelineEvents = pgTable(
  'drive_timeline_events',
  {
    driveId: uuid()
      .notNull()
      .references(() => drives.id),
    event: text({ enum: TIMELINE_EVENTS }).notNull(),
    date: date({ mode: 'string' }).notNull(),
    /** The document that evidences it (a notice number, a decision number). */
    reference: text(),
    note: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [primaryKey({ name: 'drive_timeline_events_pk', columns: [t.driveId, t.event] })],
);
export type DriveTimelineEventRow = typeof driveTimelineEvents.$inferSelect;

/** The chair's decision lengthening a period as the decree allows (170 Art. 16(3)(a), 16(4)(b)); one per step. */
export const driveTimelineExtensions = pgTable(
  'drive_timeline_extensions',
  {
    id: idColumn(),
    driveId: uuid()
      .notNull()
      .references(() => drives.id),
    step: text({ enum: EXTENDABLE_STEPS }).notNull(),
    decisionNumber: text().notNull(),
    decisionDate: date({ mode: 'string' }).notNull(),
    note: text(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('drive_timeline_extensions_drive_step_unique').on(t.driveId, t.step),
    check('drive_timeline_extensions_step_valid', sql`${t.step} in ('round1', 'written_results', 'remarking')`),
  ],
);
export type DriveTimelineExtensionRow = typeof driveTimelineExtensions.$inferSelect;

export const TIMELINE_ALERT_KINDS = ['due_soon', 'overdue'] as const;
export type TimelineAlertKind = (typeof TIMELINE_ALERT_KINDS)[number];

/** A due-soon or overdue alert raised for one due date of one step: the key makes it once, across instances. */
export const driveTimelineAlerts = pgTable(
  'drive_timeline_alerts',
  {
    driveId: uuid()
      .notNull()
      .references(() => drives.id),
    step: text({ enum: TIMELINE_STEPS }).notNull(),
    kind: text({ enum: TIMELINE_ALERT_KINDS }).notNull(),
    dueOn: date({ mode: 'string' }).notNull(),
    raisedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'drive_timeline_alerts_pk', columns: [t.driveId, t.step, t.kind, t.dueOn] }),
    check('drive_timeline_alerts_kind_valid', sql`${t.kind} in ('due_soon', 'overdue')`),
  ],
);
