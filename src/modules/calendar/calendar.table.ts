import { sql } from 'drizzle-orm';
import { check, date, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt, version } from '../../db/columns.js';
import { CALENDAR_ENTRY_KINDS } from '../../domain/calendar.js';

/**
 * The government's yearly calendar decisions (one per date): the five Tết days and the day joined
 * to 2 September as fixed, swapped or added days off, and working Saturdays. Each cites its
 * document. The Labour Code's fixed holidays and weekends are computed, not stored
 * (src/domain/calendar.ts).
 */
export const calendarEntries = pgTable(
  'calendar_entries',
  {
    date: date({ mode: 'string' }).primaryKey(),
    kind: text({ enum: CALENDAR_ENTRY_KINDS }).notNull(),
    name: text().notNull(),
    decisionNumber: text().notNull(),
    decisionDate: date({ mode: 'string' }).notNull(),
    decisionIssuer: text().notNull(),
    note: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [check('calendar_entries_kind_valid', sql`${t.kind} in ('tet', 'national_day', 'day_off', 'working_day')`)],
);
export type CalendarEntryRow = typeof calendarEntries.$inferSelect;
