import { describe, expect, it } from 'vitest';
import { calendarData, type CalendarEntry, type Decision } from '../../src/domain/calendar.js';
import { buildTimeline, checkExtension, type TimelineEntry, type TimelineEvent, type TimelineFacts, type TimelineStep } from '../../src/domain/timeline.js';

/*
 * The calendar as seeded by migrations/0027_calendar_seed.sql for 2026 (9441/TB-BNV): Tết Mon 16 –
 * Fri 20 Feb 2026; Saturday 22 Aug 2026 worked for Monday 31 Aug; 1–2 Sep 2026. Computed: 1 Jan;
 * Hùng Kings Sun 26 Apr 2026 → compensatory Mon 27 Apr; 30 Apr (Thu), 1 May (Fri). 2027 is not
 * fixed by the government: Tết defaults to Fri 5 – Tue 9 Feb 2027 (last day of the lunar year and
 * the first four of Đinh Mùi), with Sat 6 and Sun 7 compensated on Wed 10 and Thu 11 Feb
 * (Labour Code Art. 111(3)), so 5–11 Feb 2027 are not working days, flagged provisional.
 */
const BNV_9441: Decision = { number: '9441/TB-BNV', date: '2025-10-16', issuer: 'Bộ Nội vụ' };
const entry = (date: string, kind: CalendarEntry['kind']): CalendarEntry => ({ date, kind, name: 'x', decision: BNV_9441 });
const data = () =>
  calendarData([
    ...['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'].map((d) => entry(d, 'tet')),
    entry('2026-08-22', 'working_day'),
    entry('2026-08-31', 'day_off'),
    entry('2026-09-01', 'national_day'),
  ]);

const facts = (preset: TimelineFacts['preset'], events: Partial<Record<TimelineEvent, string>>, over: Partial<TimelineFacts> = {}): TimelineFacts => ({
  preset,
  events,
  registrants: 10,
  appealsFiled: 0,
  extensions: [],
  today: '2027-06-30',
  dueSoonWorkingDays: 2,
  ...over,
});
const stepOf = (t: TimelineEntry[], step: TimelineStep) => {
  const s = t.find((x) => x.step === step);
  if (!s) throw new Error(`no step ${step}`);
  return s;
};

type Row = {
  preset: TimelineFacts['preset'];
  step: TimelineStep;
  from: Partial<Record<TimelineEvent, string>>;
  dueOn: string;
  article: string;
  why: string;
  over?: Partial<TimelineFacts>;
};

const ROWS: Row[] = [
  // ── Decree 170/2025 (as amended by 300/2026 where marked) ──
  { preset: 'nd170-300', step: 'eligible_list', from: { registration_closed: '2026-10-16' }, dueOn: '2026-11-02', article: '170/2025 Art. 16(2)', why: 'Fri 16 Oct + 15 days = Sat 31 Oct → Mon 2 Nov (Civil Code Art. 148(5))' },
  { preset: 'nd170-300', step: 'eligible_list', from: { registration_closed: '2026-10-16' }, dueOn: '2026-11-16', article: '170/2025 Art. 16(2)', why: '500+ registrants: + 30 days = Sun 15 Nov → Mon 16 Nov', over: { registrants: 500 } },
  { preset: 'nd170-300', step: 'round1', from: { registration_closed: '2026-10-16' }, dueOn: '2026-11-16', article: '170/2025 Art. 16(3)(a), 16(5)', why: '+ 30 days = Sun 15 Nov → Mon 16 Nov' },
  { preset: 'nd170-300', step: 'round1', from: { registration_closed: '2026-10-16' }, dueOn: '2026-11-30', article: '170/2025 Art. 16(3)(a), 16(5)', why: "chair's decision: + 45 days = Mon 30 Nov", over: { registrants: 600, extensions: [{ step: 'round1', decisionNumber: '12/QĐ-HĐTD', decisionDate: '2026-10-20' }] } },
  { preset: 'nd170-300', step: 'round2', from: { round1_held: '2026-11-08' }, dueOn: '2026-11-18', article: '170/2025 Art. 16(4)(a)', why: 'Sun 8 Nov + 10 days = Wed 18 Nov' },
  { preset: 'nd170-300', step: 'written_results', from: { round2_held: '2026-11-15' }, dueOn: '2026-11-30', article: '170/2025 Art. 16(4)(b)', why: 'Sun 15 Nov + 15 days = Mon 30 Nov' },
  { preset: 'nd170-300', step: 'interview', from: { computer_test_held: '2026-04-24' }, dueOn: '2026-05-06', article: '170/2025 Art. 16(4)(c)', why: 'Fri 24 Apr + 5 working days: 27 Apr (compensatory), 30 Apr, 1 May off → 28, 29 Apr, 4, 5, 6 May' },
  { preset: 'nd170-300', step: 'appeals', from: { written_results_published: '2026-11-27' }, dueOn: '2026-12-04', article: '170/2025 Art. 16(4)(b)', why: 'Fri 27 Nov + 5 working days = Fri 4 Dec' },
  { preset: 'nd170-300', step: 'remarking', from: { written_results_published: '2026-11-27' }, dueOn: '2026-12-14', article: '170/2025 Art. 16(4)(b)', why: 'appeal window ends Fri 4 Dec + 10 days = Mon 14 Dec' },
  { preset: 'nd170-300', step: 'council_report', from: { marking_completed: '2026-08-20' }, dueOn: '2026-08-26', article: '170/2025 Art. 17(1)', why: 'Thu 20 Aug + 5 working days: Fri 21, Sat 22 (worked, 9441/TB-BNV), Mon 24, Tue 25, Wed 26' },
  { preset: 'nd170-300', step: 'approval', from: { results_submitted: '2026-12-17' }, dueOn: '2026-12-24', article: '170/2025 Art. 17(1)', why: 'Thu 17 Dec + 5 working days = Thu 24 Dec' },
  { preset: 'nd170-300', step: 'publication', from: { results_approved: '2026-12-30' }, dueOn: '2027-01-04', article: '170/2025 Art. 17(2)', why: 'Wed 30 Dec + 2 working days: Thu 31 Dec, (Fri 1 Jan holiday) Mon 4 Jan' },
  { preset: 'nd170-300', step: 'dossier', from: { results_published: '2027-01-04' }, dueOn: '2027-01-19', article: '170/2025 Art. 18(1) as amended by 300/2026 Art. 5', why: 'Mon 4 Jan + 15 days = Tue 19 Jan' },
  { preset: 'nd170-300', step: 'decision', from: { results_published: '2027-01-04' }, dueOn: '2027-01-22', article: '170/2025 Art. 19(1) as amended by 300/2026 Art. 6', why: 'dossier period ends Tue 19 Jan + 3 working days = Fri 22 Jan' },
  { preset: 'nd170-300', step: 'take_up', from: { decision_received: '2027-01-25' }, dueOn: '2027-02-12', article: '170/2025 Art. 19(2) as amended by 300/2026 Art. 6', why: 'Mon 25 Jan + 15 days = Tue 9 Feb (Tết) → 10, 11 compensatory → Fri 12 Feb' },
  { preset: 'nd170', step: 'dossier', from: { results_published: '2026-09-04' }, dueOn: '2026-09-24', article: '170/2025 Art. 18(1)', why: '170 as issued: Fri 4 Sep + 20 days = Thu 24 Sep' },
  { preset: 'nd170', step: 'decision', from: { results_published: '2026-09-04' }, dueOn: '2026-10-01', article: '170/2025 Art. 19(1)', why: 'dossier ends Thu 24 Sep + 5 working days = Thu 1 Oct' },
  { preset: 'nd170', step: 'take_up', from: { recruitment_decided: '2026-10-01' }, dueOn: '2026-11-02', article: '170/2025 Art. 19(2)', why: 'Thu 1 Oct + 30 days = Sat 31 Oct → Mon 2 Nov' },
  // 170 as issued crossing 2027-01-31 (300 Art. 35(1)).
  { preset: 'nd170', step: 'dossier', from: { results_published: '2027-01-20' }, dueOn: '2027-02-04', article: '170/2025 Art. 18(1) as amended by 300/2026 Art. 5; 300/2026 Art. 35(1)', why: '170: + 20 days = Tue 9 Feb, after 31 Jan and not met → 300: Wed 20 Jan + 15 days = Thu 4 Feb' },
  { preset: 'nd170', step: 'decision', from: { results_published: '2027-01-20' }, dueOn: '2027-02-16', article: '170/2025 Art. 19(1) as amended by 300/2026 Art. 6; 300/2026 Art. 35(1)', why: 'dossier ends Thu 4 Feb; 170: 5 working days = Thu 18 Feb → 300: 3 working days past Tết 5–11 Feb: Fri 12, Mon 15, Tue 16' },
  { preset: 'nd170', step: 'dossier', from: { results_published: '2027-01-05' }, dueOn: '2027-01-25', article: '170/2025 Art. 18(1)', why: 'Tue 5 Jan + 20 days = Mon 25 Jan, before the transition ends: 170 stands' },
  { preset: 'nd170', step: 'decision', from: { results_published: '2027-01-05' }, dueOn: '2027-02-01', article: '170/2025 Art. 19(1)', why: '170: Mon 25 Jan + 5 working days = Mon 1 Feb; 300 would give Thu 28 Jan, before 300 binds the step: 170 stands' },
  // ── Decree 115/2020 as amended by 85/2023 ──
  { preset: 'nd115', step: 'form_check_board', from: { council_formed: '2026-04-24' }, dueOn: '2026-05-06', article: '115/2020 Art. 15(2)', why: 'Fri 24 Apr + 5 working days (27 Apr, 30 Apr, 1 May off) = Wed 6 May' },
  { preset: 'nd115', step: 'round1', from: { summons_sent: '2026-05-15' }, dueOn: '2026-06-01', article: '115/2020 Art. 15(3)(a) as amended by 85/2023', why: 'Fri 15 May + 15 days = Sat 30 May → Mon 1 Jun' },
  { preset: 'nd115', step: 'round2_summons', from: { round1_marked: '2026-06-05' }, dueOn: '2026-06-12', article: '115/2020 Art. 15(3)(c) as amended by 85/2023', why: 'Fri 5 Jun + 5 working days = Fri 12 Jun' },
  { preset: 'nd115', step: 'round2', from: { round2_summons_sent: '2026-06-12' }, dueOn: '2026-06-29', article: '115/2020 Art. 15(3)(c) as amended by 85/2023', why: 'Fri 12 Jun + 15 days = Sat 27 Jun → Mon 29 Jun' },
  { preset: 'nd115', step: 'council_report', from: { marking_completed: '2026-08-20' }, dueOn: '2026-08-26', article: '115/2020 Art. 16(1)', why: 'Thu 20 Aug + 5 working days with Sat 22 Aug worked = Wed 26 Aug' },
  { preset: 'nd115', step: 'publication', from: { results_approved: '2026-08-26' }, dueOn: '2026-09-07', article: '115/2020 Art. 16(2)', why: 'Wed 26 Aug + 10 days = Sat 5 Sep → Mon 7 Sep' },
  { preset: 'nd115', step: 'dossier', from: { notice_received: '2026-09-07' }, dueOn: '2026-10-07', article: '115/2020 Art. 17(1) as amended by 85/2023', why: 'Mon 7 Sep + 30 days = Wed 7 Oct' },
  { preset: 'nd115', step: 'decision', from: { dossiers_completed: '2026-10-02' }, dueOn: '2026-10-19', article: '115/2020 Art. 18(1) as amended by 85/2023', why: 'Fri 2 Oct + 15 days = Sat 17 Oct → Mon 19 Oct' },
  { preset: 'nd115', step: 'take_up', from: { decision_received: '2027-01-22' }, dueOn: '2027-02-22', article: '115/2020 Art. 18(2) as amended by 85/2023', why: 'Fri 22 Jan 2027 + 30 days = Sun 21 Feb → Mon 22 Feb' },
];

describe('drive timeline: every period from its starting event, with its article', () => {
  it.each(ROWS.map((r) => [`${r.preset} ${r.step}: ${r.why}`, r] as const))('%s', (_name, r) => {
    const s = stepOf(buildTimeline(facts(r.preset, r.from, r.over), data()), r.step);
    expect(s.dueOn).toBe(r.dueOn);
    expect(s.article).toBe(r.article);
  });
});

describe('drive timeline: statuses', () => {
  it('a step whose starting event has not happened is pending, with no date', () => {
    const t = buildTimeline(facts('nd170-300', {}), data());
    expect(t.every((s) => s.status === 'pending' && s.dueOn === null)).toBe(true);
    expect(t.map((s) => s.step)).toEqual([
      'eligible_list',
      'round1',
      'round2',
      'written_results',
      'interview',
      'appeals',
      'remarking',
      'council_report',
      'approval',
      'publication',
      'dossier',
      'decision',
      'take_up',
    ]);
  });

  it('upcoming, due soon (2 working days), overdue and met, late or not', () => {
    const ev = { registration_closed: '2026-10-16' } as const;
    // Eligible list due Mon 2 Nov 2026.
    const at = (today: string, more: Partial<Record<TimelineEvent, string>> = {}) =>
      stepOf(buildTimeline(facts('nd170-300', { ...ev, ...more }, { today }), data()), 'eligible_list');
    expect(at('2026-10-28').status).toBe('upcoming'); // Wed: Thu 29, Fri 30, Mon 2 = 3 working days away
    expect(at('2026-10-29').status).toBe('due_soon'); // Thu: Fri 30, Mon 2 = 2
    expect(at('2026-11-02').status).toBe('due_soon'); // the day itself
    expect(at('2026-11-03').status).toBe('overdue');
    expect(at('2026-11-03', { eligible_list_published: '2026-10-30' })).toMatchObject({ status: 'met', metOn: '2026-10-30', late: false });
    expect(at('2026-11-05', { eligible_list_published: '2026-11-04' })).toMatchObject({ status: 'met', metOn: '2026-11-04', late: true });
  });

  it('provisional when the count crosses Tết 2027, not yet fixed by the government', () => {
    const s = stepOf(buildTimeline(facts('nd170-300', { decision_received: '2027-01-25' }), data()), 'take_up');
    expect(s).toMatchObject({ dueOn: '2027-02-12', nominalDueOn: '2027-02-09', provisional: true });
  });

  it('re-marking needs no date once the appeal window closed with no appeal (170 Art. 16(4)(b))', () => {
    const t = buildTimeline(facts('nd170-300', { written_results_published: '2026-11-27' }, { today: '2026-12-07', appealsFiled: 0 }), data());
    expect(stepOf(t, 'appeals')).toMatchObject({ status: 'met', metOn: '2026-12-04' });
    expect(stepOf(t, 'remarking')).toMatchObject({ status: 'met', metOn: '2026-12-04' });
    const withAppeals = buildTimeline(facts('nd170-300', { written_results_published: '2026-11-27' }, { today: '2026-12-07', appealsFiled: 3 }), data());
    expect(stepOf(withAppeals, 'remarking')).toMatchObject({ status: 'upcoming', dueOn: '2026-12-14' });
  });

  it("the chair's re-marking extension gives 20 days (170 Art. 16(4)(b))", () => {
    const t = buildTimeline(
      facts('nd170-300', { written_results_published: '2026-11-27' }, { appealsFiled: 1, extensions: [{ step: 'remarking', decisionNumber: '5/QĐ-HĐTD', decisionDate: '2026-12-07' }] }),
      data(),
    );
    // Fri 4 Dec + 20 days = Thu 24 Dec.
    expect(stepOf(t, 'remarking')).toMatchObject({ dueOn: '2026-12-24', period: { days: 20, unit: 'calendar_days' } });
  });
});

describe('extension decisions: only as the decree allows', () => {
  it.each([
    ['nd115', 'remarking', 0, 0, 'timeline.extension_not_applicable'],
    ['nd170-300', 'round1', 499, 0, 'timeline.extension_not_allowed'],
    ['nd170-300', 'round1', 500, 0, null],
    ['nd170', 'written_results', 900, 999, 'timeline.extension_not_allowed'],
    ['nd170', 'written_results', 900, 1000, null],
    ['nd170', 'remarking', 1, 0, null],
  ] as const)('%s %s (registrants %d, round-2 candidates %d) → %s', (preset, step, registrants, round2Candidates, code) => {
    expect(checkExtension(preset, step, { registrants, round2Candidates })?.code ?? null).toBe(code);
  });
});
