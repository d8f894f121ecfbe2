import { describe, expect, it } from 'vitest';
import {
  appointmentSteps,
  lapsedGround,
  newNeedWindowEnds,
  nextLower,
  nextLowerListDue,
  replacementRule,
  strikeOffMode,
  type AppointmentFacts,
} from '../../src/domain/appointment.js';
import { calendarData, type CalendarEntry, type Decision } from '../../src/domain/calendar.js';

/*
 * The calendar as seeded for 2026 (9441/TB-BNV): Tết Mon 16 – Fri 20 Feb 2026; 2027 defaults:
 * Fri 1 Jan; Tết Fri 5 – Tue 9 Feb 2027 with Wed 10 and Thu 11 compensated (provisional).
 * Civil Code 2015 Art. 147(1): the starting day is not counted; Art. 148(5): a period of calendar
 * days whose last day is not a working day ends on the next working day.
 */
const BNV_9441: Decision = { number: '9441/TB-BNV', date: '2025-10-16', issuer: 'Bộ Nội vụ' };
const entry = (date: string, kind: CalendarEntry['kind']): CalendarEntry => ({ date, kind, name: 'x', decision: BNV_9441 });
const data = () => calendarData(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'].map((d) => entry(d, 'tet')));

const facts = (preset: AppointmentFacts['preset'], over: Partial<AppointmentFacts> = {}): AppointmentFacts => ({
  preset,
  publishedOn: '2026-12-04',
  noticeReceivedOn: null,
  dossierReceivedOn: null,
  recordRequestedOn: null,
  recordReceivedOn: null,
  decisionDate: null,
  decisionReceivedOn: null,
  tookUpOn: null,
  today: '2026-12-07',
  dueSoonWorkingDays: 2,
  ...over,
});
const dues = (f: AppointmentFacts) => Object.fromEntries(appointmentSteps(f, data()).map((s) => [s.step, s.dueOn]));

describe('appointmentSteps: due dates per preset (from the timeline’s periods)', () => {
  it.each([
    // [case, preset, facts, expected due dates]
    [
      '300 Art. 5(1): Fri 4 Dec 2026 + 15 days = Sat 19 → Mon 21 Dec (Art. 148(5)); Art. 6(1): +3 working days = Thu 24 Dec; Art. 5(2): extract requested by the dossier deadline; Art. 6(2): 15 days from receipt Wed 16 Dec = Thu 31 Dec',
      'nd170-300',
      { decisionDate: '2026-12-15', decisionReceivedOn: '2026-12-16' },
      { dossier: '2026-12-21', criminal_record: '2026-12-21', decision: '2026-12-24', take_up: '2026-12-31' },
    ],
    [
      '170 as issued Art. 18(1): + 20 days = Thu 24 Dec; Art. 19(1): +5 working days = Thu 31 Dec, the extract requested with the decision; Art. 19(2): 30 days from the decision of Tue 29 Dec = Thu 28 Jan 2027',
      'nd170',
      { decisionDate: '2026-12-29' },
      { dossier: '2026-12-24', criminal_record: '2026-12-31', decision: '2026-12-31', take_up: '2027-01-28' },
    ],
    [
      '115 Art. 17(1): 30 days from receipt of the notice Thu 10 Dec = Sat 9 Jan 2027 → Mon 11 Jan, extract in the dossier; Art. 18(1): 15 days from the dossier of Tue 5 Jan = Wed 20 Jan; Art. 18(2): 30 days from receipt Mon 18 Jan = Wed 17 Feb',
      'nd115',
      { noticeReceivedOn: '2026-12-10', dossierReceivedOn: '2027-01-05', decisionDate: '2027-01-15', decisionReceivedOn: '2027-01-18' },
      { dossier: '2027-01-11', criminal_record: '2027-01-11', decision: '2027-01-20', take_up: '2027-02-17' },
    ],
    [
      '115 Art. 17(1): no notice received yet: nothing runs',
      'nd115',
      {},
      { dossier: null, criminal_record: null, decision: null, take_up: null },
    ],
  ] as const)('%s', (_case, preset, over, expected) => {
    expect(dues(facts(preset, over))).toEqual(expected);
  });

  it('status: met, due soon (within 2 working days), overdue', () => {
    const s = (today: string, over: Partial<AppointmentFacts> = {}) =>
      appointmentSteps(facts('nd170-300', { today, ...over }), data()).find((x) => x.step === 'dossier')!.status;
    expect(s('2026-12-07')).toBe('upcoming');
    expect(s('2026-12-17')).toBe('due_soon'); // Thu 17 → Mon 21: 2 working days
    expect(s('2026-12-22')).toBe('overdue');
    expect(s('2026-12-22', { dossierReceivedOn: '2026-12-20' })).toBe('met');
  });
});

describe('striking off and what follows', () => {
  it.each([
    ['300 Art. 5(3): automatic', 'nd170-300', '2026-12-22', 'automatic', 'head_chooses'],
    ['170 Art. 18(2), 19(3)-(4) as issued: the head decides; next-lower called', 'nd170', '2027-01-31', 'head_decision', 'next_lower_called'],
    ['300 Art. 35(1): a 170 drive unfinished after 2027-01-31 follows 300', 'nd170', '2027-02-01', 'automatic', 'head_chooses'],
    ['115 Art. 17(2), 18(3)-(4): the head decides; next-lower called', 'nd115', '2027-06-01', 'head_decision', 'next_lower_called'],
  ] as const)('%s', (_c, preset, on, mode, rule) => {
    expect(strikeOffMode(preset, on)).toBe(mode);
    expect(replacementRule(preset, on)).toBe(rule);
  });

  it('a passed dossier or take-up deadline is a ground by itself (300 Art. 5(3), 6(3)); a late decision is not', () => {
    const steps = (over: Partial<AppointmentFacts>) => appointmentSteps(facts('nd170-300', over), data());
    expect(lapsedGround(steps({ today: '2026-12-22' }))).toBe('no_dossier');
    expect(lapsedGround(steps({ today: '2026-12-29', dossierReceivedOn: '2026-12-10' }))).toBeNull();
    expect(lapsedGround(steps({ today: '2027-01-04', dossierReceivedOn: '2026-12-10', decisionDate: '2026-12-15', decisionReceivedOn: '2026-12-16' }))).toBe('no_take_up');
  });

  it.each([
    ['300 Art. 5(4): Tue 22 Dec 2026 + 5 working days = Tue 29 Dec', '2026-12-22', '2026-12-29'],
    ['across New Year (Fri 1 Jan 2027): Tue 29 Dec + 5 working days = Wed 6 Jan', '2026-12-29', '2027-01-06'],
    ['across Tết 2026 (16–20 Feb): Fri 13 Feb + 5 working days = Fri 27 Feb', '2026-02-13', '2026-02-27'],
  ])('next-lower list due: %s', (_c, from, expected) => {
    expect(nextLowerListDue(from, data())).toBe(expected);
  });

  it.each([
    ['115 Art. 18(4): plan Sun 1 Mar 2026 → Mon 1 Mar 2027', '2026-03-01', '2027-03-01'],
    ['a last day on a Sunday moves (Art. 148(5)): plan 7 Mar 2026 → Sun 7 Mar 2027 → Mon 8 Mar', '2026-03-07', '2027-03-08'],
    ['no such day: 29 Feb 2028 → 28 Feb 2029 (the month’s last day)', '2028-02-29', '2029-02-28'],
  ])('new-need window: %s', (_c, plan, expected) => {
    expect(newNeedWindowEnds(plan, data())).toBe(expected);
  });

  it('next-lower: the best-ranked reserve, or the tied group for the head (170 Art. 19(4) para. 2; 115 Art. 18(4) para. 3)', () => {
    expect(nextLower([{ applicationId: 'b', rank: 3 }, { applicationId: 'a', rank: 2 }]).next?.applicationId).toBe('a');
    expect(nextLower([{ applicationId: 'a', rank: 2 }, { applicationId: 'b', rank: 2 }, { applicationId: 'c', rank: 4 }]).tied.map((x) => x.applicationId)).toEqual(['a', 'b']);
    expect(nextLower([])).toEqual({ next: null, tied: [] });
  });
});
