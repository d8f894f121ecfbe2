/*
 * Strict reading of the dates and timestamps the API accepts. JavaScript's Date rolls impossible
 * dates over (2023-02-30 becomes March 2nd) and reads years far outside what PostgreSQL or anyone
 * means (99999-01-01, 0000-01-01): every date and timestamp parameter goes through these instead, so
 * such input is refused rather than reinterpreted.
 */

export const MIN_YEAR = 1000;
export const MAX_YEAR = 9999;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// A date, or a date and time with seconds optional, a fraction optional, and an explicit offset.
// A space where the offset's sign should be is a "+" that a query string decoded as a space.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+\- ](\d{2}):(\d{2})))?$/;

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, m: number, d: number): boolean {
  if (y < MIN_YEAR || y > MAX_YEAR || m < 1 || m > 12 || d < 1) return false;
  return d <= (m === 2 && isLeap(y) ? 29 : DAYS[m - 1]!);
}

/** Whether `s` is `YYYY-MM-DD` naming a day that exists, in years 1000–9999. */
export function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * An ISO 8601 instant: `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z`
 * or `±HH:MM`. A time without an offset is refused (its meaning depends on a time zone nobody
 * stated). Undefined when `s` is none of these or names a date or time that does not exist.
 */
export function parseInstant(s: string): Date | undefined {
  const m = INSTANT.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!validDate(y, mo, d)) return undefined;
  if (m[4] === undefined) return new Date(Date.UTC(y, mo - 1, d));
  const [h, mi, sec] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (h > 23 || mi > 59 || sec > 59) return undefined;
  const ms = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  let offsetMinutes = 0;
  if (m[8] !== 'Z') {
    const [oh, om] = [Number(m[9]), Number(m[10])];
    if (oh > 14 || om > 59) return undefined;
    offsetMinutes = (m[8]!.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  return new Date(Date.UTC(y, mo - 1, d, h, mi, sec, Math.floor(ms)) - offsetMinutes * 60_000);
}
