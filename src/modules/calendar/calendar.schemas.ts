import { z } from 'zod';
import {
  CALENDAR_ENTRY_KINDS,
  CALENDAR_MAX_YEAR,
  CALENDAR_MIN_YEAR,
  DAY_STATUSES,
  HOLIDAYS,
  MAX_PERIOD_DAYS,
  PERIOD_UNITS,
} from '../../domain/calendar.js';
import { pageQuery } from '../../http/pagination.js';
import { isoDate, text, timestamp } from '../../http/primitives.js';

const calendarYear = z.coerce.number().int().min(CALENDAR_MIN_YEAR).max(CALENDAR_MAX_YEAR);

export const yearParams = z.object({ year: calendarYear.describe(`Year (${CALENDAR_MIN_YEAR}–${CALENDAR_MAX_YEAR}: the Labour Code 2019 is in force from 2021)`) });
export const dateParams = z.object({ date: isoDate.describe('The day (YYYY-MM-DD)') });

const decisionSchema = z
  .object({
    number: z.string().describe('Document number, e.g. 9441/TB-BNV'),
    date: isoDate.describe('Date of the document'),
    issuer: z.string().describe('Who issued it, e.g. Bộ Nội vụ, Văn phòng Chính phủ'),
  })
  .meta({ id: 'CalendarDecision' });

const entryKind = z.enum(CALENDAR_ENTRY_KINDS).describe(
  'tet: one of the five Tết days as the government fixed them (replaces the default days of that year); ' +
    'national_day: the day before or after 2 September as fixed; day_off: a weekday off by decision (swap or added day); ' +
    'working_day: a day worked although it would be a rest day (the Saturday of a swap)',
);

export const calendarEntrySchema = z
  .object({
    date: isoDate,
    kind: entryKind,
    name: z.string(),
    decision: decisionSchema,
    note: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    version: z.number().int(),
  })
  .meta({ id: 'CalendarEntry' });

export const putCalendarEntryBody = z
  .object({
    kind: entryKind,
    name: text(300).describe('What the day is, as the document says'),
    decision: z
      .object({
        number: text(100).describe('Document number, e.g. 9441/TB-BNV'),
        date: isoDate.describe('Date of the document'),
        issuer: text(200).describe('Who issued it'),
      })
      .strict()
      .describe('The government document the entry comes from (required)'),
    note: text(2000).nullable().optional(),
  })
  .strict();

export const listCalendarEntriesQuery = z
  .object({
    ...pageQuery,
    year: calendarYear.optional().describe('Only entries of this year'),
  })
  .strict();

export const calendarDaySchema = z
  .object({
    date: isoDate,
    weekday: z.number().int().min(1).max(7).describe('ISO weekday: 1 = Monday … 7 = Sunday'),
    status: z.enum(DAY_STATUSES).describe(
      'holiday: a public holiday (Labour Code Art. 112), also listed on a weekend; compensatory_day_off: the weekday off ' +
        'for a holiday on a weekend (Art. 111(3)); day_off: a weekday off by decision; working_day: a rest day worked by decision',
    ),
    working: z.boolean().describe('Whether the day counts as a working day'),
    holiday: z.enum(HOLIDAYS).nullable(),
    name: z.string(),
    basis: z.string().describe('The article the day comes from'),
    decision: decisionSchema.nullable().describe('The government document that fixed the day, if any'),
    provisional: z.boolean().describe('Not yet fixed by the government: the Labour Code default'),
  })
  .meta({ id: 'CalendarDay' });

export const calendarYearSchema = z
  .object({
    year: z.number().int(),
    weeklyRest: z.array(z.number().int()).describe('ISO weekdays of the weekly rest (6 = Saturday, 7 = Sunday)'),
    notFixedByGovernment: z
      .array(z.enum(['tet', 'national_day']))
      .describe('Holidays of the year still at their Labour Code default (provisional): not yet fixed by the government'),
    days: z.array(calendarDaySchema).describe('Every holiday, day off and worked rest day of the year, in date order'),
  })
  .meta({ id: 'CalendarYear' });

export const deadlineQuery = z
  .object({
    from: isoDate.describe('The day of the starting event (not counted: Civil Code Art. 147(1))'),
    days: z.coerce.number().int().min(0).max(MAX_PERIOD_DAYS).describe('Length of the period'),
    unit: z.enum(PERIOD_UNITS).default('working_days').describe('working_days, or calendar_days (the last day moved to the next working day, Art. 148(5))'),
  })
  .strict();

export const deadlineSchema = z
  .object({
    from: isoDate,
    days: z.number().int(),
    unit: z.enum(PERIOD_UNITS),
    endsOn: isoDate.describe('Last day of the period (inclusive)'),
    nominalEndsOn: isoDate.describe('For calendar days, the last day before Art. 148(5) moved it'),
    provisional: z.boolean().describe('The period crosses a holiday not yet fixed by the government'),
    basis: z.string(),
  })
  .meta({ id: 'CalendarDeadline' });

export type PutCalendarEntryInput = z.infer<typeof putCalendarEntryBody>;
export type ListCalendarEntriesQuery = z.infer<typeof listCalendarEntriesQuery>;
export type DeadlineQuery = z.infer<typeof deadlineQuery>;
