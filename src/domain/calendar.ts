import { addDays } from './deadlines.js';
import { parseIsoDate } from './eligibility.js';
import { DomainError } from './errors.js';
import { hungKingsDay, LUNAR_MAX_YEAR, lunarNewYear } from './lunar.js';

/*
 * The working-day calendar of Việt Nam, for periods counted in working days (ngày làm việc).
 *
 * - Weekly rest: Saturday and Sunday (the 40-hour week of state agencies, Decision 188/1999/QĐ-TTg).
 * - Public holidays, Labour Code 2019 Art. 112(1): 1 January; Tết, five days; 30 April; 1 May;
 *   2 September and one day before or after it; the 10th of the 3rd lunar month. The Prime
 *   Minister fixes which five days Tết takes and which day joins 2 September (Art. 112(3)).
 * - A holiday on a weekly rest day gives a compensatory day off on the next working day
 *   (Art. 111(3)).
 * - Each year the government may also swap working days with rest days (a weekday off, a
 *   Saturday worked) or add days. Those decisions are data (`CalendarEntry`), each citing its
 *   document; until the government has fixed a year's Tết or its 2 September day, the Labour Code
 *   default is used and flagged provisional ("not yet fixed by the government").
 *
 * Periods (Civil Code 2015): the day of the starting event is not counted (Art. 147(1)); a period
 * whose last day is a weekly rest day or a holiday ends at the end of the next working day
 * (Art. 148(5)).
 */

/** The Labour Code 2019 (and its two days for 2 September) is in force from 1 January 2021. */
export const CALENDAR_MIN_YEAR = 2021;
export const CALENDAR_MAX_YEAR = LUNAR_MAX_YEAR;

/** Longest period the helpers count, in days (ten years). */
export const MAX_PERIOD_DAYS = 3660;

export const CALENDAR_ENTRY_KINDS = ['tet', 'national_day', 'day_off', 'working_day'] as const;
/**
 * - `tet`: one of the five Tết days as the government fixed them; once a year has any, they replace
 *   the default days of that year's Tết.
 * - `national_day`: the day before or after 2 September the government fixed (replaces the default).
 * - `day_off`: a weekday off by the government's decision (a swapped or added day).
 * - `working_day`: a day worked although it would be a rest day (a working Saturday of a swap).
 */
export type CalendarEntryKind = (typeof CALENDAR_ENTRY_KINDS)[number];

/** The document an entry comes from: its number, date and issuer. */
export type Decision = { number: string; date: string; issuer: string };

export type CalendarEntry = {
  date: string;
  kind: CalendarEntryKind;
  name: string;
  decision: Decision;
};

export const HOLIDAYS = ['new_year', 'tet', 'hung_kings', 'reunification', 'labour_day', 'national_day'] as const;
export type Holiday = (typeof HOLIDAYS)[number];

export const DAY_STATUSES = ['holiday', 'compensatory_day_off', 'day_off', 'working_day'] as const;
/**
 * - `holiday`: a public holiday of Art. 112 (also listed when it falls on a weekend);
 * - `compensatory_day_off`: the weekday off for a holiday that fell on a weekend (Art. 111(3));
 * - `day_off`: a weekday off by the government's decision;
 * - `working_day`: a weekend day (or a day otherwise off) that is worked by decision.
 */
export type DayStatus = (typeof DAY_STATUSES)[number];

export type CalendarDay = {
  date: string;
  status: DayStatus;
  holiday: Holiday | null;
  name: string;
  /** The article the day comes from. */
  basis: string;
  /** The government's document, when the day was fixed by one. */
  decision: Decision | null;
  /** Not yet fixed by the government: the Labour Code default. */
  provisional: boolean;
};

const ART_112 = 'Labour Code 2019 Art. 112(1)';
const ART_112_3 = 'Labour Code 2019 Art. 112(1), (3)';
const ART_111_3 = 'Labour Code 2019 Art. 111(3)';

const HOLIDAY_NAMES: Record<Holiday, string> = {
  new_year: 'Tết Dương lịch',
  tet: 'Tết Âm lịch',
  hung_kings: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)',
  reunification: 'Ngày Chiến thắng (30/4)',
  labour_day: 'Ngày Quốc tế lao động (1/5)',
  national_day: 'Quốc khánh (2/9)',
};

/** ISO weekday, 1 = Monday … 7 = Sunday. */
export function weekday(date: string): number {
  const { year, month, day } = parseIsoDate(date);
  const d = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return d === 0 ? 7 : d;
}

export const isWeekend = (date: string): boolean => weekday(date) >= 6;

function yearOf(date: string): number {
  const { year } = parseIsoDate(date);
  if (year < CALENDAR_MIN_YEAR || year > CALENDAR_MAX_YEAR) {
    throw new DomainError('calendar.out_of_range', `The working-day calendar covers ${CALENDAR_MIN_YEAR}–${CALENDAR_MAX_YEAR}`, {
      date,
      minYear: CALENDAR_MIN_YEAR,
      maxYear: CALENDAR_MAX_YEAR,
    });
  }
  return year;
}

/** The five Tết days by default: the last day of the lunar year and the first four of the new one. */
export function defaultTetDays(year: number): string[] {
  const first = lunarNewYear(year);
  return [addDays(first, -1), first, addDays(first, 1), addDays(first, 2), addDays(first, 3)];
}

/**
 * The day joined to 2 September until the government fixes it: the one that makes a longer break
 * with the weekend (Tuesday → Monday 1st, Thursday → Friday 3rd; Friday and Saturday → the 1st;
 * otherwise the 3rd), as the government usually chooses.
 */
export function defaultNationalDayPair(year: number): string {
  const second = `${String(year).padStart(4, '0')}-09-02`;
  const wd = weekday(second);
  return wd === 2 || wd === 5 || wd === 6 ? addDays(second, -1) : addDays(second, 1);
}

/** Every rest day, holiday and working weekend day of `year`, by date. */
export function buildYear(year: number, entries: readonly CalendarEntry[]): Map<string, CalendarDay> {
  if (!Number.isInteger(year) || year < CALENDAR_MIN_YEAR || year > CALENDAR_MAX_YEAR) {
    throw new DomainError('calendar.out_of_range', `The working-day calendar covers ${CALENDAR_MIN_YEAR}–${CALENDAR_MAX_YEAR}`, {
      year,
      minYear: CALENDAR_MIN_YEAR,
      maxYear: CALENDAR_MAX_YEAR,
    });
  }
  const y = String(year).padStart(4, '0');
  const mine = entries.filter((e) => e.date.startsWith(`${y}-`));
  const days = new Map<string, CalendarDay>();
  const holiday = (date: string, h: Holiday, basis: string, decision: Decision | null, provisional: boolean) =>
    days.set(date, { date, status: 'holiday', holiday: h, name: HOLIDAY_NAMES[h], basis, decision, provisional });

  holiday(`${y}-01-01`, 'new_year', `${ART_112}(a)`, null, false);
  const tet = mine.filter((e) => e.kind === 'tet');
  if (tet.length > 0) for (const e of tet) holiday(e.date, 'tet', `${ART_112_3}(b)`, e.decision, false);
  else for (const d of defaultTetDays(year)) holiday(d, 'tet', `${ART_112}(b)`, null, true);
  holiday(hungKingsDay(year), 'hung_kings', `${ART_112}(e)`, null, false);
  holiday(`${y}-04-30`, 'reunification', `${ART_112}(c)`, null, false);
  holiday(`${y}-05-01`, 'labour_day', `${ART_112}(d)`, null, false);
  holiday(`${y}-09-02`, 'national_day', `${ART_112}(đ)`, null, false);
  const pair = mine.find((e) => e.kind === 'national_day');
  if (pair) holiday(pair.date, 'national_day', `${ART_112_3}(đ)`, pair.decision, false);
  else holiday(defaultNationalDayPair(year), 'national_day', `${ART_112}(đ)`, null, true);

  const dayOffs = new Set(mine.filter((e) => e.kind === 'day_off').map((e) => e.date));
  // Art. 111(3): each holiday on a Saturday or Sunday moves the rest to the next weekday that is not
  // already off, in date order (Tết 2027: Saturday and Sunday → Wednesday 10 and Thursday 11 Feb).
  const onWeekend = [...days.values()].filter((d) => isWeekend(d.date)).sort((a, b) => a.date.localeCompare(b.date));
  for (const h of onWeekend) {
    let d = addDays(h.date, 1);
    while (isWeekend(d) || days.has(d) || dayOffs.has(d)) d = addDays(d, 1);
    days.set(d, {
      date: d,
      status: 'compensatory_day_off',
      holiday: h.holiday,
      name: `Nghỉ bù ${h.name} (${h.date})`,
      basis: ART_111_3,
      decision: null,
      provisional: h.provisional,
    });
  }
  for (const e of mine) {
    if (e.kind === 'day_off' && !days.has(e.date)) {
      days.set(e.date, { date: e.date, status: 'day_off', holiday: null, name: e.name, basis: ART_112_3, decision: e.decision, provisional: false });
    }
    if (e.kind === 'working_day') {
      // A worked day overrides whatever rest the rules gave it (the Saturday of a swap).
      days.set(e.date, { date: e.date, status: 'working_day', holiday: null, name: e.name, basis: ART_112_3, decision: e.decision, provisional: false });
    }
  }
  return new Map([...days.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** The calendar's data: the government's entries, with each year's days built once when first asked. */
export type CalendarData = {
  readonly entries: readonly CalendarEntry[];
  readonly years: Map<number, Map<string, CalendarDay>>;
};

export function calendarData(entries: readonly CalendarEntry[]): CalendarData {
  return { entries, years: new Map() };
}

function yearDays(year: number, data: CalendarData): Map<string, CalendarDay> {
  let days = data.years.get(year);
  if (!days) {
    days = buildYear(year, data.entries);
    data.years.set(year, days);
  }
  return days;
}

/** The calendar's special days of `year` in date order (holidays, days off, working weekend days). */
export function calendarYear(year: number, data: CalendarData): CalendarDay[] {
  return [...yearDays(year, data).values()];
}

/** What the calendar says of `date`, if it is a special day. */
export function dayInfo(date: string, data: CalendarData): CalendarDay | undefined {
  return yearDays(yearOf(date), data).get(date);
}

export function isWorkingDay(date: string, data: CalendarData): boolean {
  const info = dayInfo(date, data);
  if (info) return info.status === 'working_day';
  return !isWeekend(date);
}

function checkDays(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_PERIOD_DAYS) {
    throw new DomainError('date.invalid', `A period is a whole number of days from 0 to ${MAX_PERIOD_DAYS}`, { days: n });
  }
}

/** The first working day on or after `date`. */
export function nextWorkingDayFrom(date: string, data: CalendarData): string {
  let d = date;
  for (let i = 0; !isWorkingDay(d, data); i++) {
    if (i > 366) throw new DomainError('calendar.invalid', 'No working day within a year', { date });
    d = addDays(d, 1);
  }
  return d;
}

/**
 * The last day of a period of `n` working days from `start`: the starting day is not counted
 * (Civil Code Art. 147(1)), so 5 working days from Friday 2026-03-06 end on Friday 2026-03-13.
 */
export function addWorkingDays(start: string, n: number, data: CalendarData): string {
  checkDays(n);
  let d = start;
  yearOf(d);
  for (let counted = 0; counted < n; ) {
    d = addDays(d, 1);
    if (isWorkingDay(d, data)) counted++;
  }
  return d;
}

/**
 * The last day of a period of `n` calendar days from `start` (the starting day not counted,
 * Art. 147(1)); when that day is a rest day or a holiday, the period ends on the next working day
 * (Art. 148(5)).
 */
export function addCalendarDays(start: string, n: number, data: CalendarData): string {
  return periodEnd(start, n, 'calendar_days', data).endsOn;
}

export const PERIOD_UNITS = ['working_days', 'calendar_days'] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];

export type PeriodEnd = {
  /** The last day of the period (inclusive). */
  endsOn: string;
  /** For calendar days: the nominal last day before Art. 148(5) moved it (equal when not moved). */
  nominalEndsOn: string;
  /** Some day the count crossed or ended on is a Labour Code default the government has not fixed yet. */
  provisional: boolean;
  basis: string;
};

/** A period of `n` days of `unit` from `start`, with what it rests on. */
export function periodEnd(start: string, n: number, unit: PeriodUnit, data: CalendarData): PeriodEnd {
  checkDays(n);
  yearOf(start);
  const nominal = unit === 'working_days' ? addWorkingDays(start, n, data) : addDays(start, n);
  const endsOn = unit === 'working_days' ? nominal : nextWorkingDayFrom(nominal, data);
  let provisional = false;
  for (let d = addDays(start, 1); d <= endsOn; d = addDays(d, 1)) {
    if (dayInfo(d, data)?.provisional) {
      provisional = true;
      break;
    }
  }
  const basis =
    unit === 'working_days'
      ? 'Civil Code 2015 Art. 147(1): the starting day is not counted; working days exclude weekly rest days and holidays'
      : endsOn === nominal
        ? 'Civil Code 2015 Art. 147(1): the starting day is not counted'
        : 'Civil Code 2015 Art. 147(1), 148(5): the last day is a rest day or holiday, so the period ends on the next working day';
  return { endsOn, nominalEndsOn: nominal, provisional, basis };
}

/** Working days in (from, to]: the count a period of working days from `from` has reached on `to`. */
export function workingDaysBetween(from: string, to: string, data: CalendarData): number {
  yearOf(from);
  yearOf(to);
  if (to <= from) return 0;
  let n = 0;
  for (let d = addDays(from, 1), i = 0; d <= to; d = addDays(d, 1), i++) {
    if (i > MAX_PERIOD_DAYS) throw new DomainError('date.invalid', `A period is at most ${MAX_PERIOD_DAYS} days`, { from, to });
    if (isWorkingDay(d, data)) n++;
  }
  return n;
}

export type EntryRefusal = { code: string; message: string; details: Record<string, unknown> };

/**
 * Whether `entry` may join the calendar beside `others` (the other entries, this date's excluded):
 * a Tết day near that year's Tết, at most five; the 2 September day on the 1st or 3rd, one a year;
 * a day off on a weekday; a working day on a day that would otherwise be a rest day.
 */
export function checkEntry(entry: CalendarEntry, others: readonly CalendarEntry[]): EntryRefusal | null {
  const year = yearOf(entry.date);
  const sameYear = others.filter((e) => e.date !== entry.date && e.date.startsWith(`${String(year).padStart(4, '0')}-`));
  switch (entry.kind) {
    case 'tet': {
      const first = lunarNewYear(year);
      const from = addDays(first, -10);
      const to = addDays(first, 10);
      if (entry.date < from || entry.date > to) {
        return {
          code: 'calendar.tet_out_of_season',
          message: `A Tết day of ${year} must be within ten days of the lunar new year (${first})`,
          details: { date: entry.date, lunarNewYear: first, from, to },
        };
      }
      const count = sameYear.filter((e) => e.kind === 'tet').length + 1;
      if (count > 5) {
        return {
          code: 'calendar.tet_days_exceeded',
          message: 'Tết has five days (Labour Code 2019 Art. 112(1)(b)); delete one first',
          details: { date: entry.date, max: 5 },
        };
      }
      return null;
    }
    case 'national_day': {
      const ok = [`${year}-09-01`, `${year}-09-03`];
      if (!ok.includes(entry.date)) {
        return {
          code: 'calendar.national_day_not_adjacent',
          message: 'The day joined to 2 September is the 1st or the 3rd (Labour Code 2019 Art. 112(1)(đ))',
          details: { date: entry.date, allowed: ok },
        };
      }
      const other = sameYear.find((e) => e.kind === 'national_day');
      if (other) {
        return {
          code: 'calendar.national_day_taken',
          message: `The day joined to 2 September ${year} is already ${other.date}; delete it first`,
          details: { date: entry.date, existing: other.date },
        };
      }
      return null;
    }
    case 'day_off':
      if (isWeekend(entry.date)) {
        return {
          code: 'calendar.already_rest_day',
          message: `${entry.date} is a weekend day: a day off is a weekday`,
          details: { date: entry.date, weekday: weekday(entry.date) },
        };
      }
      return null;
    case 'working_day': {
      const without = buildYear(year, sameYear);
      if (!isWeekend(entry.date) && !without.has(entry.date)) {
        return {
          code: 'calendar.already_working_day',
          message: `${entry.date} is already a working day`,
          details: { date: entry.date, weekday: weekday(entry.date) },
        };
      }
      return null;
    }
  }
}
