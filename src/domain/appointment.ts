import { nextWorkingDayFrom, periodEnd, workingDaysBetween, type CalendarData } from './calendar.js';
import type { Preset } from './rule-sets.js';
import { buildTimeline, ND170_TRANSITION_ENDS, type TimelineEntry, type TimelineEvent } from './timeline.js';

/*
 * A winner's path from the published results to taking up the post (thủ tục sau trúng tuyển):
 * dossier, criminal-record extract, recruitment decision, taking up the post; striking off and
 * what follows it. Pure: the periods are the drive timeline's own (timeline.ts, buildTimeline) run
 * on one person's dates, so the arithmetic and the 300 Art. 35(1) transition are the timeline's.
 *
 * Decree 170/2025 as issued:
 *   Art. 18(1)  dossier: 20 days from publication of the winners' list;
 *   Art. 18(2)  no complete dossier, fraud in the form, invalid diplomas: the HEAD decides to
 *               cancel the result;
 *   Art. 19(1)  recruitment decision: 5 working days from the end of the dossier period; the agency
 *               requests the criminal-record extract (with the decision);
 *   Art. 19(2)  taking up the post: 30 days from the decision;
 *   Art. 19(3)  no take-up, or a bar shown by the extract: the head cancels the decision;
 *   Art. 19(4)  the next-lower candidates are notified (in order) to complete their dossier; ties
 *               among them go to the head.
 * Decree 300/2026 amending 170 (from 2026-08-01):
 *   Art. 5(1)   dossier: 15 days from publication;  Art. 5(2) the agency requests the extract at
 *               the dossier stage;
 *   Art. 5(3)   no complete dossier, fraud, invalid diplomas, no take-up: struck off AUTOMATICALLY
 *               (đương nhiên bị xóa tên); the council publishes the cancellation list with reasons;
 *   Art. 5(4)   the agency MAY recruit the next-lower candidates; if it does, their ordered list is
 *               published within 5 working days of the cancellation list; ties go to the head;
 *   Art. 6(1)   decision: 3 working days from the end of the dossier period;
 *   Art. 6(2)-(3) take-up: 15 days from receipt of the decision, or the decision lapses by itself.
 *   Art. 35(1)  a plan approved before 2026-08-01 runs under 170 as issued until 2027-01-31; what is
 *               unfinished then follows 300 (here: a striking off on or after 2027-02-01 is automatic).
 * Decree 115/2020 as amended by 85/2023 (public employees):
 *   Art. 17(1)  dossier, including the criminal-record extract No. 1: 30 days from receipt of the notice;
 *   Art. 17(2)  no complete dossier, fraud, invalid diplomas: the head decides the cancellation;
 *   Art. 18(1)-(3) decision within 15 days of the completed dossier; contract and take-up 30 days
 *               from receipt of the decision; otherwise the head cancels the decision;
 *   Art. 18(4)  next-lower candidates are notified in order; a new need arising right after the drive
 *               may be filled from the next-lower list within 12 months of the approval of the
 *               drive's PLAN (the text counts from the plan, not from the results); ties to the head.
 */

export const APPOINTMENT_STEPS = ['dossier', 'criminal_record', 'decision', 'take_up'] as const;
export type AppointmentStep = (typeof APPOINTMENT_STEPS)[number];

export const STRIKE_OFF_GROUNDS = ['no_dossier', 'fraud', 'invalid_diplomas', 'criminal_record_bar', 'no_take_up'] as const;
export type StrikeOffGround = (typeof STRIKE_OFF_GROUNDS)[number];

export type StrikeOffMode = 'automatic' | 'head_decision';
export type StepStatus = 'pending' | 'upcoming' | 'due_soon' | 'overdue' | 'met';

export type AppointmentFacts = {
  preset: Preset;
  /** The day the periods start from: the winners' list published, or (next-lower) their own list/notice published. */
  publishedOn: string | null;
  noticeReceivedOn: string | null;
  dossierReceivedOn: string | null;
  recordRequestedOn: string | null;
  recordReceivedOn: string | null;
  decisionDate: string | null;
  decisionReceivedOn: string | null;
  tookUpOn: string | null;
  today: string;
  dueSoonWorkingDays: number;
};

export type AppointmentStepView = {
  step: AppointmentStep;
  title: string;
  article: string;
  /** What the period starts from and its date. */
  basis: { what: string; date: string | null };
  period: { days: number; unit: 'working_days' | 'calendar_days' } | null;
  dueOn: string | null;
  adjustments: string[];
  status: StepStatus;
  metOn: string | null;
  late: boolean;
};

function statusOf(dueOn: string | null, metOn: string | null, today: string, horizon: number, data: CalendarData): StepStatus {
  if (metOn !== null) return 'met';
  if (dueOn === null) return 'pending';
  if (today > dueOn) return 'overdue';
  return workingDaysBetween(today, dueOn, data) <= horizon ? 'due_soon' : 'upcoming';
}

const fromTimeline = (e: TimelineEntry, step: AppointmentStep, what: string): AppointmentStepView => ({
  step,
  title: e.title,
  article: e.article,
  basis: { what, date: e.basis.date },
  period: e.period,
  dueOn: e.dueOn,
  adjustments: e.adjustments,
  status: e.status,
  metOn: e.metOn,
  late: e.late,
});

/** The four steps of one person's path, each with its due date and status. */
export function appointmentSteps(f: AppointmentFacts, data: CalendarData): AppointmentStepView[] {
  const events: Partial<Record<TimelineEvent, string>> = {};
  const put = (k: TimelineEvent, v: string | null) => {
    if (v !== null) events[k] = v;
  };
  put('results_published', f.publishedOn);
  put('notice_received', f.noticeReceivedOn);
  put('dossiers_completed', f.dossierReceivedOn);
  put('recruitment_decided', f.decisionDate);
  put('decision_received', f.decisionReceivedOn);
  put('took_up_post', f.tookUpOn);
  const tl = buildTimeline(
    { preset: f.preset, events, registrants: 0, appealsFiled: 0, extensions: [], today: f.today, dueSoonWorkingDays: f.dueSoonWorkingDays },
    data,
  );
  const byStep = (s: string) => tl.find((e) => e.step === s)!;
  const dossier = fromTimeline(byStep('dossier'), 'dossier', f.preset === 'nd115' ? 'notice of results received' : 'winners’ list published');
  const decision = fromTimeline(byStep('decision'), 'decision', f.preset === 'nd115' ? 'dossier completed' : 'end of the dossier period');
  const takeUp = fromTimeline(byStep('take_up'), 'take_up', takeUpBasis(byStep('take_up')));

  // The criminal-record extract: whose act and by when depends on the text (and the 300 transition).
  let record: AppointmentStepView;
  if (f.preset === 'nd115') {
    record = {
      step: 'criminal_record',
      title: 'Criminal-record extract No. 1 submitted with the dossier',
      article: '115/2020 Art. 17(1)(b) as amended by 85/2023',
      basis: dossier.basis,
      period: dossier.period,
      dueOn: dossier.dueOn,
      adjustments: [],
      status: statusOf(dossier.dueOn, f.recordReceivedOn, f.today, f.dueSoonWorkingDays, data),
      metOn: f.recordReceivedOn,
      late: dossier.dueOn !== null && f.recordReceivedOn !== null && f.recordReceivedOn > dossier.dueOn,
    };
  } else {
    const under300 = f.preset === 'nd170-300' || (dossier.dueOn !== null && dossier.dueOn > ND170_TRANSITION_ENDS && dossier.article.includes('300'));
    const anchor = under300 ? dossier : decision;
    record = {
      step: 'criminal_record',
      title: under300 ? 'Agency requests the criminal-record extract at the dossier stage' : 'Agency requests the criminal-record extract with the decision',
      article: under300 ? '170/2025 Art. 18(2) as amended by 300/2026 Art. 5' : '170/2025 Art. 19(1)',
      basis: anchor.basis,
      period: anchor.period,
      dueOn: anchor.dueOn,
      adjustments: [],
      status: statusOf(anchor.dueOn, f.recordRequestedOn, f.today, f.dueSoonWorkingDays, data),
      metOn: f.recordRequestedOn,
      late: anchor.dueOn !== null && f.recordRequestedOn !== null && f.recordRequestedOn > anchor.dueOn,
    };
  }
  return [dossier, record, decision, takeUp];
}

function takeUpBasis(e: TimelineEntry): string {
  return e.basis.event === 'decision_received' ? 'decision received' : 'decision date';
}

/**
 * Whether striking off on `onDate` is automatic (300 Art. 5(3)) or a decision of the head (170 Art.
 * 18(2), 19(3) as issued; 115 Art. 17(2), 18(3)). A 170-as-issued drive follows 300 from 2027-02-01
 * (300 Art. 35(1)).
 */
export function strikeOffMode(preset: Preset, onDate: string): StrikeOffMode {
  if (preset === 'nd170-300') return 'automatic';
  if (preset === 'nd170' && onDate > ND170_TRANSITION_ENDS) return 'automatic';
  return 'head_decision';
}

/** The article a ground of striking off rests on. */
export function strikeOffArticle(preset: Preset, mode: StrikeOffMode, ground: StrikeOffGround): string {
  if (preset === 'nd115') return ground === 'no_take_up' || ground === 'criminal_record_bar' ? '115/2020 Art. 18(3)' : '115/2020 Art. 17(2)';
  if (mode === 'automatic') return '170/2025 Art. 18(3) as amended by 300/2026 Art. 5; Art. 19(3) as amended by Art. 6';
  return ground === 'no_take_up' || ground === 'criminal_record_bar' ? '170/2025 Art. 19(3)' : '170/2025 Art. 18(2)';
}

/**
 * A ground the passing of a deadline itself gives: no complete dossier by its due date, no take-up
 * by its due date (300 Art. 5(3), 6(3)). Null while nothing lapsed.
 */
export function lapsedGround(steps: readonly AppointmentStepView[]): StrikeOffGround | null {
  const s = (k: AppointmentStep) => steps.find((x) => x.step === k);
  if (s('dossier')?.status === 'overdue') return 'no_dossier';
  if (s('take_up')?.status === 'overdue') return 'no_take_up';
  return null;
}

/** What follows a striking off: the head's choice (300 Art. 5(4)) or the next-lower candidate is called (170 Art. 19(4), 115 Art. 18(4)). */
export function replacementRule(preset: Preset, onDate: string): 'head_chooses' | 'next_lower_called' {
  return strikeOffMode(preset, onDate) === 'automatic' ? 'head_chooses' : 'next_lower_called';
}

/** 300 Art. 5(4): the ordered next-lower list is published within 5 working days of the cancellation list. */
export function nextLowerListDue(cancellationPublishedOn: string, data: CalendarData): string {
  return periodEnd(cancellationPublishedOn, 5, 'working_days', data).endsOn;
}

/**
 * 115 Art. 18(4): the last day a new need may be filled from the next-lower list — 12 months from
 * the approval of the drive's plan. A period of months ends on the same day of the last month, or
 * that month's last day when it has none (Civil Code 2015 Art. 147(1), 148(1)(b)); a last day that is
 * not a working day moves to the next working day (Art. 148(5)).
 */
export function newNeedWindowEnds(planApprovedOn: string, data: CalendarData): string {
  const [y, m, d] = planApprovedOn.split('-').map(Number) as [number, number, number];
  const year = y + 1;
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  const day = Math.min(d, last);
  const nominal = `${year}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return nextWorkingDayFrom(nominal, data);
}

/** Among reserves in rank order not yet called: the next one, or the tied group the head must choose from. */
export function nextLower<T extends { applicationId: string; rank: number | null }>(reserves: readonly T[]): { next: T | null; tied: T[] } {
  const ranked = reserves.filter((r) => r.rank !== null).sort((a, b) => a.rank! - b.rank!);
  const first = ranked[0];
  if (!first) return { next: null, tied: [] };
  const tied = ranked.filter((r) => r.rank === first.rank);
  return tied.length > 1 ? { next: null, tied } : { next: first, tied: [] };
}
