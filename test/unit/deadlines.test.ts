import { describe, expect, it } from 'vitest';
import {
  addDays,
  appealWindow,
  daysBetween,
  dossierDueOn,
  isWithinWindow,
  localDate,
  registrationCloses,
} from '../../src/domain/deadlines.js';
import { DomainError } from '../../src/domain/errors.js';
import { resolveRuleSet } from '../../src/domain/rule-sets.js';

const nd138 = resolveRuleSet('nd138');

describe('localDate in Asia/Ho_Chi_Minh (UTC+7, no DST)', () => {
  it.each([
    ['2025-03-31T16:59:59.999Z', '2025-03-31', '23:59:59.999 local is still the 31st'],
    ['2025-03-31T17:00:00.000Z', '2025-04-01', 'midnight local is already the 1st'],
    ['2025-03-31T23:30:00.000Z', '2025-04-01', 'just before midnight UTC is the next local day'],
    ['2025-04-01T00:00:00.000Z', '2025-04-01', 'midnight UTC is 07:00 local'],
    ['2024-02-28T17:00:00.000Z', '2024-02-29', 'leap day'],
    ['2024-12-31T17:00:00.000Z', '2025-01-01', 'new year'],
  ])('when the instant is %s, then the local date is %s (%s)', (iso, expected) => {
    expect(localDate(new Date(iso))).toBe(expected);
  });

  it('when another zone is given, then that zone is used', () => {
    expect(localDate(new Date('2025-03-31T23:30:00Z'), 'UTC')).toBe('2025-03-31');
  });

  it('when the instant or zone is invalid, then date.invalid is thrown', () => {
    expect(() => localDate(new Date('nope'))).toThrow(DomainError);
    expect(() => localDate(new Date(), 'Mars/Olympus')).toThrow(DomainError);
  });
});

describe('calendar arithmetic', () => {
  it.each([
    ['2025-03-01', 30, '2025-03-31'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2025-02-28', 1, '2025-03-01'],
    ['2025-12-31', 1, '2026-01-01'],
    ['2025-03-01', -1, '2025-02-28'],
  ])('when %s plus %i days, then %s', (d, n, r) => {
    expect(addDays(d, n)).toBe(r);
    expect(daysBetween(d, r)).toBe(n);
  });
});

describe('deadlines (Civil Code 2015 Art. 147: the event day is not counted)', () => {
  it('Decree 138/2020 Art. 14(2): when announced on 2025-03-01, then 30 days of registration end on 2025-03-31', () => {
    expect(registrationCloses('2025-03-01', nd138)).toBe('2025-03-31');
  });

  it('Decree 138/2020 Art. 17(1): when notified on 2025-06-10, then the dossier is due 2025-07-10', () => {
    expect(dossierDueOn('2025-06-10', nd138)).toBe('2025-07-10');
  });

  it('Circular 6/2020: when results are published at 23:30 local (16:30Z), then the 15-day window counts from that local day', () => {
    expect(appealWindow(new Date('2025-05-10T16:30:00Z'), nd138)).toEqual({
      opensOn: '2025-05-10',
      closesOn: '2025-05-25',
      resolutionDueOn: '2025-06-09',
    });
  });

  it('Circular 6/2020: when results are published at 00:30 local (17:30Z the day before), then the window starts on the local day', () => {
    expect(appealWindow(new Date('2025-05-09T17:30:00Z'), nd138).opensOn).toBe('2025-05-10');
  });

  it('when the rule set shortens the appeal window, then the dates follow it', () => {
    const rs = resolveRuleSet('nd138', { deadlines: { appealWindowDays: 10, appealResolutionDays: 5 } });
    expect(appealWindow(new Date('2025-05-10T03:00:00Z'), rs)).toEqual({ opensOn: '2025-05-10', closesOn: '2025-05-20', resolutionDueOn: '2025-05-25' });
  });

  it.each([
    ['2025-03-31T16:59:59Z', true, 'last local second of the closing day'],
    ['2025-03-31T17:00:00Z', false, 'first local second after the closing day'],
    ['2025-02-28T16:59:59Z', false, 'the local day before opening'],
    ['2025-02-28T17:00:00Z', true, 'local midnight of the opening day'],
  ])('when the instant is %s, then within the 2025-03-01 – 2025-03-31 window is %s (%s)', (iso, expected) => {
    expect(isWithinWindow(new Date(iso), { opensOn: '2025-03-01', closesOn: '2025-03-31' })).toBe(expected);
  });
});
