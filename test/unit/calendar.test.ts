import { describe, expect, it } from 'vitest';
import {
  addCalendarDays,
  addWorkingDays,
  calendarData,
  calendarYear,
  checkEntry,
  dayInfo,
  isWorkingDay,
  periodEnd,
  workingDaysBetween,
  type CalendarEntry,
  type Decision,
} from '../../src/domain/calendar.js';

// The government's decisions as seeded by migrations/0027_calendar_seed.sql.
const VPCP_8726: Decision = { number: '8726/VPCP-KGVX', date: '2024-11-26', issuer: 'Văn phòng Chính phủ' };
const BNV_9441: Decision = { number: '9441/TB-BNV', date: '2025-10-16', issuer: 'Bộ Nội vụ' };
const entry = (date: string, kind: CalendarEntry['kind'], decision: Decision, name = 'x'): CalendarEntry => ({ date, kind, name, decision });
const DECISIONS: CalendarEntry[] = [
  ...['2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31'].map((d) => entry(d, 'tet', VPCP_8726)),
  entry('2025-04-26', 'working_day', VPCP_8726),
  entry('2025-05-02', 'day_off', VPCP_8726),
  entry('2025-09-01', 'national_day', VPCP_8726),
  ...['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'].map((d) => entry(d, 'tet', BNV_9441)),
  entry('2026-08-22', 'working_day', BNV_9441),
  entry('2026-08-31', 'day_off', BNV_9441),
  entry('2026-09-01', 'national_day', BNV_9441),
];
const data = calendarData(DECISIONS);
const lawOnly = calendarData([]);

describe('addWorkingDays: N working days, the starting day not counted (Civil Code Art. 147(1))', () => {
  it.each([
    // [why, start, n, expected]
    ['Tết 2026 (16–20 Feb, 9441/TB-BNV) and two weekends are skipped', '2026-02-13', 5, '2026-02-27'],
    ['Tết 2027 not yet fixed: 5–9 Feb by default, Sat 6 and Sun 7 give Wed 10 and Thu 11 off (Art. 111(3))', '2027-02-04', 5, '2027-02-18'],
    ['the working Saturday 2025-04-26 counts and the swapped Friday 2025-05-02 does not (8726/VPCP-KGVX)', '2025-04-24', 5, '2025-05-05'],
    ['the working Saturday 2026-08-22 counts (9441/TB-BNV)', '2026-08-20', 5, '2026-08-26'],
    ['Mon 31 Aug 2026 is swapped off, 1 and 2 Sep are holidays (Art. 112(1)(đ))', '2026-08-28', 3, '2026-09-07'],
    ['Hùng Kings 2026 falls on Sunday 26 Apr: Monday 27 is off (Art. 111(3)); then 30 Apr and 1 May', '2026-04-24', 5, '2026-05-06'],
    ['Tết 2025 as fixed (27–31 Jan): the first working day after Friday 24 Jan is Monday 3 Feb', '2025-01-24', 1, '2025-02-03'],
    ['the starting day is not counted', '2026-03-02', 1, '2026-03-03'],
    ['a period starting on a holiday counts from the next working day', '2026-02-17', 1, '2026-02-23'],
    ['five working days from a Friday end on the next Friday', '2026-03-06', 5, '2026-03-13'],
    ['zero days is the starting day itself', '2026-03-07', 0, '2026-03-07'],
  ])('when %s, then %s + %i working days = %s', (_why, start, n, expected) => {
    expect(addWorkingDays(start, n, data)).toBe(expected);
  });

  it('when the government has not fixed Tết 2025, then the Labour Code default applies (28 Jan–1 Feb, Saturday 1 Feb → Monday 3 Feb off)', () => {
    expect(addWorkingDays('2025-01-24', 1, lawOnly)).toBe('2025-01-27');
    expect(isWorkingDay('2025-02-03', lawOnly)).toBe(false);
    expect(isWorkingDay('2025-02-03', data)).toBe(true);
  });

  it('when a period is negative, fractional or too long, then date.invalid', () => {
    for (const n of [-1, 1.5, 10_000]) expect(() => addWorkingDays('2026-01-05', n, data)).toThrow(expect.objectContaining({ code: 'date.invalid' }));
  });

  it('when a date is before the Labour Code 2019, then calendar.out_of_range', () => {
    expect(() => addWorkingDays('2020-12-31', 1, data)).toThrow(expect.objectContaining({ code: 'calendar.out_of_range' }));
  });
});

describe('addCalendarDays: a last day that is not a working day moves to the next working day (Civil Code Art. 148(5))', () => {
  it.each([
    ['a window ending on Saturday 30 Aug 2025, before the 2 September holidays (1–2 Sep), ends on Wednesday 3 Sep', '2025-08-20', 10, '2025-09-03'],
    ['a window ending on Tết (17 Feb 2026) ends on Monday 23 Feb', '2026-01-18', 30, '2026-02-23'],
    ['a window ending on a working day stays', '2025-03-01', 30, '2025-03-31'],
    ['a window ending on a working Saturday stays (26 Apr 2025)', '2025-04-16', 10, '2025-04-26'],
  ])('when %s', (_why, start, n, expected) => {
    expect(addCalendarDays(start, n, data)).toBe(expected);
  });

  it('when the end moved, then the nominal end and the rule are given', () => {
    expect(periodEnd('2025-08-20', 10, 'calendar_days', data)).toMatchObject({
      endsOn: '2025-09-03',
      nominalEndsOn: '2025-08-30',
      provisional: false,
    });
  });
});

describe('the year calendar (Labour Code 2019 Art. 111–112)', () => {
  it('when 2027 is not fixed by the government, then Tết and the 2 September day are provisional defaults', () => {
    const days = calendarYear(2027, data);
    const tet = days.filter((d) => d.holiday === 'tet' && d.status === 'holiday');
    expect(tet.map((d) => d.date)).toEqual(['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09']);
    expect(tet.every((d) => d.provisional && d.decision === null)).toBe(true);
    expect(days.filter((d) => d.status === 'compensatory_day_off').map((d) => d.date)).toEqual(['2027-02-10', '2027-02-11', '2027-05-03']);
    // 2 September 2027 is a Thursday: Friday 3 September by default.
    expect(dayInfo('2027-09-03', data)).toMatchObject({ holiday: 'national_day', provisional: true });
    expect(dayInfo('2027-04-16', data)).toMatchObject({ holiday: 'hung_kings', provisional: false });
    expect(periodEnd('2027-02-04', 5, 'working_days', data).provisional).toBe(true);
  });

  it('when the government fixed 2025, then its days carry the decision and the default days are gone', () => {
    expect(dayInfo('2025-01-27', data)).toMatchObject({ holiday: 'tet', decision: VPCP_8726, provisional: false });
    expect(dayInfo('2025-02-01', data)).toBeUndefined();
    expect(dayInfo('2025-04-26', data)).toMatchObject({ status: 'working_day', decision: VPCP_8726 });
    expect(dayInfo('2025-05-02', data)).toMatchObject({ status: 'day_off' });
    expect(calendarYear(2025, data).some((d) => d.provisional)).toBe(false);
  });

  it('when counting working days between two dates, then the first is not counted', () => {
    expect(workingDaysBetween('2026-02-13', '2026-02-27', data)).toBe(5);
    expect(workingDaysBetween('2026-02-27', '2026-02-13', data)).toBe(0);
  });
});

describe('checkEntry: what the government may fix', () => {
  it.each([
    [entry('2027-03-20', 'tet', BNV_9441), 'calendar.tet_out_of_season'],
    [entry('2027-09-04', 'national_day', BNV_9441), 'calendar.national_day_not_adjacent'],
    [entry('2027-02-13', 'day_off', BNV_9441), 'calendar.already_rest_day'],
    [entry('2027-03-03', 'working_day', BNV_9441), 'calendar.already_working_day'],
    [entry('2025-09-03', 'national_day', BNV_9441), 'calendar.national_day_taken'],
    [entry('2025-02-03', 'tet', BNV_9441), 'calendar.tet_days_exceeded'],
  ])('when %o, then %s', (e, code) => {
    expect(checkEntry(e, DECISIONS)?.code).toBe(code);
  });

  it.each([
    entry('2027-02-04', 'tet', BNV_9441),
    entry('2027-09-01', 'national_day', BNV_9441),
    entry('2027-02-12', 'day_off', BNV_9441),
    entry('2027-02-20', 'working_day', BNV_9441),
    entry('2027-02-10', 'working_day', BNV_9441), // a compensatory day may be worked by decision
    entry('2025-01-31', 'tet', VPCP_8726), // replacing a stored entry of the same date
  ])('when %o, then it is accepted', (e) => {
    expect(checkEntry(e, DECISIONS)).toBeNull();
  });
});
