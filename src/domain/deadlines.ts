import { DomainError } from './errors.js';
import { parseIsoDate } from './eligibility.js';
import type { RuleSet } from './rule-sets.js';

/** Every legal deadline is counted in Vietnamese local dates. */
export const VIETNAM_TZ = 'Asia/Ho_Chi_Minh';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-CA', {
        timeZone: tz,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      });
    } catch {
      throw new DomainError('date.invalid', `Unknown time zone ${tz}`, { timeZone: tz });
    }
    formatters.set(tz, f);
  }
  return f;
}

/** The calendar date of `instant` in `tz` as 'YYYY-MM-DD' (2024-03-01T17:00Z → '2024-03-02' in Vietnam). */
export function localDate(instant: Date, tz: string = VIETNAM_TZ): string {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new DomainError('date.invalid', 'Invalid instant', { value: String(instant) });
  }
  const parts = formatterFor(tz).formatToParts(instant);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Calendar arithmetic on 'YYYY-MM-DD' (no time zone involved). */
export function addDays(date: string, n: number): string {
  if (!Number.isSafeInteger(n)) throw new DomainError('date.invalid', 'Days must be an integer', { n });
  const { year, month, day } = parseIsoDate(date);
  const d = new Date(Date.UTC(year, month - 1, day + n));
  const y = d.getUTCFullYear();
  return `${String(y).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(
    d.getUTCDate(),
  ).padStart(2, '0')}`;
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  const a = parseIsoDate(from, 'from');
  const b = parseIsoDate(to, 'to');
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
}

/*
 * Periods "N days from <event>" follow Civil Code 2015 Art. 147(1): the day of the event is not
 * counted, the period starts the next day and ends at the end of its last day. So a 30-day
 * registration announced on 1 March closes at the end of 31 March; people may still file on the
 * announcement day itself. Moving a last day that falls on a rest day or holiday (Art. 148(5)) and
 * periods in working days are in calendar.ts (the working-day calendar); the windows below still
 * count calendar days without moving the last day until the drive's timeline is built on it.
 */

export interface DateWindow {
  opensOn: string;
  closesOn: string;
}

/** Last day (inclusive) to file applications (Decree 138/2020 Art. 14(2); Decree 115/2020 Art. 15). */
export function registrationCloses(opensOn: string, ruleSet: Pick<RuleSet, 'deadlines'>): string {
  return addDays(opensOn, ruleSet.deadlines.registrationDays);
}

/** Last day (inclusive) for a winner to complete the dossier (Decree 138/2020 Art. 17(1)). */
export function dossierDueOn(notifiedOn: string, ruleSet: Pick<RuleSet, 'deadlines'>): string {
  return addDays(notifiedOn, ruleSet.deadlines.dossierDays);
}

export interface AppealWindow extends DateWindow {
  resolutionDueOn: string;
}

/**
 * Appeals (phúc khảo) may be filed from the day results are published up to N days after it;
 * the council must resolve them within M days after the window closes.
 */
export function appealWindow(
  publishedAt: Date,
  ruleSet: Pick<RuleSet, 'deadlines'>,
  tz: string = VIETNAM_TZ,
): AppealWindow {
  const opensOn = localDate(publishedAt, tz);
  const closesOn = addDays(opensOn, ruleSet.deadlines.appealWindowDays);
  return { opensOn, closesOn, resolutionDueOn: addDays(closesOn, ruleSet.deadlines.appealResolutionDays) };
}

/** Whether `instant` falls on a local date within the inclusive window. */
export function isWithinWindow(instant: Date, window: DateWindow, tz: string = VIETNAM_TZ): boolean {
  parseIsoDate(window.opensOn, 'opensOn');
  parseIsoDate(window.closesOn, 'closesOn');
  const today = localDate(instant, tz);
  return today >= window.opensOn && today <= window.closesOn;
}

/** Whether local date `date` is within the inclusive window. */
export function isDateWithin(date: string, window: DateWindow): boolean {
  parseIsoDate(date);
  return date >= window.opensOn && date <= window.closesOn;
}
