import { periodEnd, workingDaysBetween, type CalendarData, type PeriodUnit } from './calendar.js';
import type { Preset } from './rule-sets.js';

/*
 * A drive's timeline: every statutory date of the recruitment, each derived from the event that
 * starts its period, per the drive's preset, with the article it comes from. Pure: the service
 * gathers the events (recorded dates and what the service itself recorded), the extensions the
 * chair decided and the counts, and hands them here with the working-day calendar.
 *
 * Counting (Civil Code 2015): the day of the starting event is not counted (Art. 147(1)); a period
 * of calendar days whose last day is a weekly rest day or a holiday ends on the next working day
 * (Art. 148(5)); periods the decrees give in working days (ngày làm việc) skip rest days and
 * holidays (calendar.ts).
 *
 * Decree 170/2025 (civil servants), as amended by Decree 300/2026 from 2026-08-01:
 *   Art. 16(2)     eligible list and summons: 15 days from the close of registration; 30 days
 *                  when 500 or more registered (automatic, no decision needed);
 *   Art. 16(3)(a)  round 1: within 30 days from the close of registration; 45 days when the period
 *                  of Art. 16(2) is extended and the chair so decides;
 *   Art. 16(4)(a)  round 2: within 10 days from the end of round 1;
 *   Art. 16(4)(b)  written paper: marked and results published within 15 days from the end of the
 *                  written exam (up to 30 by the chair's decision with 1,000 or more round-2
 *                  candidates); appeals: 5 working days from publication of the results;
 *                  re-marking: 10 days from the end of the appeal window (up to 20 by the chair's
 *                  decision when appeals are many);
 *   Art. 16(4)(c)  interview after a computer written test: within 5 working days from its end;
 *   Art. 17(1)     council's report: 5 working days from the end of marking (re-marking
 *                  included); the head's approval: 5 working days from receipt of the report;
 *   Art. 17(2)     publication and notice to the winners: 2 working days from the approval;
 *   Art. 18(1)     dossier: 20 days from publication (300 Art. 5: 15 days);
 *   Art. 19(1)     recruitment decision: 5 working days from the end of the dossier period
 *                  (300 Art. 6: 3 working days);
 *   Art. 19(2)     taking up the post: 30 days from the decision (300 Art. 6: 15 days from
 *                  receipt of the decision).
 * A plan approved before 2026-08-01 continues under 170 as issued for 6 months, to 2027-01-31;
 * what is unfinished then follows Decree 300 (300 Art. 35(1)): here, an after-results step (the
 * periods 300 amended) whose 170 due date falls after 2027-01-31 and is not met by then takes
 * 300's period (unless 300's date is itself on or before 2027-01-31: 300 binds the step only from
 * 2027-02-01, so the 170 date then stands).
 *
 * Decree 115/2020 as amended by 85/2023 (public employees):
 *   Art. 15(2)     form-check board: within 5 working days from the forming of the council;
 *   Art. 15(3)(a)  round 1: within 15 days from the summons to round 1;
 *   Art. 15(3)(c)  round-2 summons: within 5 working days from the end of round-1 marking; round 2:
 *                  within 15 days from that summons;
 *   Art. 16(1)     council's report: 5 working days from the end of round-2 marking;
 *   Art. 16(2)     publication and notice: within 10 days from the head's recognition of results;
 *   Art. 17(1)     dossier: 30 days from receipt of the notice of results;
 *   Art. 18(1)     recruitment decision: within 15 days from the completed dossier;
 *   Art. 18(2)     contract and taking up the post: 30 days from receipt of the decision.
 */

export const TIMELINE_EVENTS = [
  'registration_closed',
  'council_formed',
  'form_check_board_formed',
  'summons_sent',
  'eligible_list_published',
  'round1_held',
  'round1_marked',
  'round2_summons_sent',
  'round2_held',
  'computer_test_held',
  'interview_held',
  'written_results_published',
  'remarking_completed',
  'marking_completed',
  'results_submitted',
  'results_approved',
  'results_published',
  'notice_received',
  'dossiers_completed',
  'recruitment_decided',
  'decision_received',
  'took_up_post',
] as const;
/** The events periods start from and that meet them. */
export type TimelineEvent = (typeof TIMELINE_EVENTS)[number];

export const TIMELINE_STEPS = [
  'eligible_list',
  'form_check_board',
  'round1',
  'round2_summons',
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
] as const;
export type TimelineStep = (typeof TIMELINE_STEPS)[number];

/** Steps the chair may lengthen by a decision, with the lawful period and its condition. */
export const EXTENDABLE_STEPS = ['round1', 'written_results', 'remarking'] as const;
export type ExtendableStep = (typeof EXTENDABLE_STEPS)[number];

export const STEP_STATUSES = ['pending', 'upcoming', 'due_soon', 'overdue', 'met'] as const;
/**
 * - `pending`: the event the period starts from has not happened (no date yet);
 * - `upcoming`: due later than the due-soon horizon;
 * - `due_soon`: due within the configured number of working days (today included);
 * - `overdue`: the due date has passed and the event that meets it has not happened;
 * - `met`: the event that meets it happened (`metOn`; `late` when after the due date).
 */
export type StepStatus = (typeof STEP_STATUSES)[number];

/** 170 as issued continues to this day for plans approved before 300 took effect (300 Art. 35(1)). */
export const ND170_TRANSITION_ENDS = '2027-01-31';
export const AUTO_EXTENSION_REGISTRANTS = 500;
export const WRITTEN_EXTENSION_CANDIDATES = 1000;

type Period = { days: number; unit: PeriodUnit };

/** One step's rule: its period, the event it starts from (or the step whose due date it starts from), the event meeting it. */
type StepRule = {
  step: TimelineStep;
  title: string;
  article: string;
  period: Period;
  /** The event starting the period; `afterStep`: the due date of another step starts it. */
  from: { event: TimelineEvent } | { afterStep: TimelineStep };
  metBy: TimelineEvent;
  /** Shown for steps that apply only in some drives. */
  note?: string;
};

export type Extension = { step: ExtendableStep; decisionNumber: string; decisionDate: string };

export type TimelineFacts = {
  preset: Preset;
  /** Dates of the events that happened (local dates, YYYY-MM-DD). */
  events: Partial<Record<TimelineEvent, string>>;
  /** Applications filed (withdrawn ones excluded): 500 or more lengthen 170 Art. 16(2) on their own. */
  registrants: number;
  /** Appeals filed against the written paper (none: re-marking is not needed once the window closes). */
  appealsFiled: number;
  extensions: readonly Extension[];
  /** Today, Vietnam local date. */
  today: string;
  /** Working days before a due date from which a step is due soon (0: only on the day itself). */
  dueSoonWorkingDays: number;
};

export type TimelineEntry = {
  step: TimelineStep;
  title: string;
  article: string;
  /** The event the period starts from, or the step whose due date starts it. */
  basis: { event: TimelineEvent | null; step: TimelineStep | null; date: string | null };
  period: Period;
  /** Why the period is not the ordinary one (an automatic lengthening, a chair's decision, the 300 transition). */
  adjustments: string[];
  extension: Extension | null;
  dueOn: string | null;
  /** For calendar days, the nominal last day before Civil Code Art. 148(5) moved it off a rest day. */
  nominalDueOn: string | null;
  /** The count crossed a holiday the government has not fixed yet (the Labour Code default stands). */
  provisional: boolean;
  status: StepStatus;
  metBy: TimelineEvent;
  metOn: string | null;
  late: boolean;
  note: string | null;
};

const cd = (days: number): Period => ({ days, unit: 'calendar_days' });
const wd = (days: number): Period => ({ days, unit: 'working_days' });

const ND170_RULES: readonly StepRule[] = [
  {
    step: 'eligible_list',
    title: 'Eligible list published and summons sent',
    article: '170/2025 Art. 16(2)',
    period: cd(15),
    from: { event: 'registration_closed' },
    metBy: 'eligible_list_published',
  },
  {
    step: 'round1',
    title: 'Round 1 held',
    article: '170/2025 Art. 16(3)(a), 16(5)',
    period: cd(30),
    from: { event: 'registration_closed' },
    metBy: 'round1_held',
  },
  {
    step: 'round2',
    title: 'Round 2 held',
    article: '170/2025 Art. 16(4)(a)',
    period: cd(10),
    from: { event: 'round1_held' },
    metBy: 'round2_held',
  },
  {
    step: 'written_results',
    title: 'Written paper marked and results published',
    article: '170/2025 Art. 16(4)(b)',
    period: cd(15),
    from: { event: 'round2_held' },
    metBy: 'written_results_published',
    note: 'A written paper on paper; results of a computer test are given at once (Art. 16(4)(b))',
  },
  {
    step: 'interview',
    title: 'Interview after a computer written test',
    article: '170/2025 Art. 16(4)(c)',
    period: wd(5),
    from: { event: 'computer_test_held' },
    metBy: 'interview_held',
    note: 'Only when round 2 combines a computer written test with an interview',
  },
  {
    step: 'appeals',
    title: 'Appeal window (phúc khảo) closes',
    article: '170/2025 Art. 16(4)(b)',
    period: wd(5),
    from: { event: 'written_results_published' },
    // The window closes by itself: nothing but its own last day meets it.
    metBy: 'written_results_published',
  },
  {
    step: 'remarking',
    title: 'Re-marking completed',
    article: '170/2025 Art. 16(4)(b)',
    period: cd(10),
    from: { afterStep: 'appeals' },
    metBy: 'remarking_completed',
    note: 'Only when appeals were filed',
  },
  {
    step: 'council_report',
    title: 'Council reports the results to the head',
    article: '170/2025 Art. 17(1)',
    period: wd(5),
    from: { event: 'marking_completed' },
    metBy: 'results_submitted',
  },
  {
    step: 'approval',
    title: 'Head approves the results',
    article: '170/2025 Art. 17(1)',
    period: wd(5),
    from: { event: 'results_submitted' },
    metBy: 'results_approved',
  },
  {
    step: 'publication',
    title: 'Results published and winners notified',
    article: '170/2025 Art. 17(2)',
    period: wd(2),
    from: { event: 'results_approved' },
    metBy: 'results_published',
  },
  {
    step: 'dossier',
    title: 'Winners complete their dossiers',
    article: '170/2025 Art. 18(1)',
    period: cd(20),
    from: { event: 'results_published' },
    metBy: 'dossiers_completed',
  },
  {
    step: 'decision',
    title: 'Recruitment decision',
    article: '170/2025 Art. 19(1)',
    period: wd(5),
    from: { afterStep: 'dossier' },
    metBy: 'recruitment_decided',
  },
  {
    step: 'take_up',
    title: 'Taking up the post',
    article: '170/2025 Art. 19(2)',
    period: cd(30),
    from: { event: 'recruitment_decided' },
    metBy: 'took_up_post',
  },
];

/** 300 Art. 5–6 amend 170 Art. 18–19: the after-results periods. */
const ND300_AFTER_RESULTS: Partial<Record<TimelineStep, Pick<StepRule, 'article' | 'period' | 'from'>>> = {
  dossier: { article: '170/2025 Art. 18(1) as amended by 300/2026 Art. 5', period: cd(15), from: { event: 'results_published' } },
  decision: { article: '170/2025 Art. 19(1) as amended by 300/2026 Art. 6', period: wd(3), from: { afterStep: 'dossier' } },
  take_up: { article: '170/2025 Art. 19(2) as amended by 300/2026 Art. 6', period: cd(15), from: { event: 'decision_received' } },
};

const ND300_RULES: readonly StepRule[] = ND170_RULES.map((r) => ({ ...r, ...ND300_AFTER_RESULTS[r.step] }));

const ND115_RULES: readonly StepRule[] = [
  {
    step: 'form_check_board',
    title: 'Form-check board formed',
    article: '115/2020 Art. 15(2)',
    period: wd(5),
    from: { event: 'council_formed' },
    metBy: 'form_check_board_formed',
  },
  {
    step: 'round1',
    title: 'Round 1 held',
    article: '115/2020 Art. 15(3)(a) as amended by 85/2023',
    period: cd(15),
    from: { event: 'summons_sent' },
    metBy: 'round1_held',
  },
  {
    step: 'round2_summons',
    title: 'Round-2 list published and summons sent',
    article: '115/2020 Art. 15(3)(c) as amended by 85/2023',
    period: wd(5),
    from: { event: 'round1_marked' },
    metBy: 'round2_summons_sent',
  },
  {
    step: 'round2',
    title: 'Round 2 held',
    article: '115/2020 Art. 15(3)(c) as amended by 85/2023',
    period: cd(15),
    from: { event: 'round2_summons_sent' },
    metBy: 'round2_held',
  },
  {
    step: 'council_report',
    title: 'Council reports the results to the head',
    article: '115/2020 Art. 16(1)',
    period: wd(5),
    from: { event: 'marking_completed' },
    metBy: 'results_submitted',
  },
  {
    step: 'publication',
    title: 'Results published and winners notified',
    article: '115/2020 Art. 16(2)',
    period: cd(10),
    from: { event: 'results_approved' },
    metBy: 'results_published',
  },
  {
    step: 'dossier',
    title: 'Winners complete their dossiers',
    article: '115/2020 Art. 17(1) as amended by 85/2023',
    period: cd(30),
    from: { event: 'notice_received' },
    metBy: 'dossiers_completed',
  },
  {
    step: 'decision',
    title: 'Recruitment decision',
    article: '115/2020 Art. 18(1) as amended by 85/2023',
    period: cd(15),
    from: { event: 'dossiers_completed' },
    metBy: 'recruitment_decided',
  },
  {
    step: 'take_up',
    title: 'Contract signed and post taken up',
    article: '115/2020 Art. 18(2) as amended by 85/2023',
    period: cd(30),
    from: { event: 'decision_received' },
    metBy: 'took_up_post',
  },
];

/** Whether the preset has a statutory timeline (the leadership preset and 138 have none here). */
export function hasTimeline(preset: Preset): boolean {
  return preset === 'nd170' || preset === 'nd170-300' || preset === 'nd115';
}

function rulesOf(preset: Preset): readonly StepRule[] {
  switch (preset) {
    case 'nd170':
      return ND170_RULES;
    case 'nd170-300':
      return ND300_RULES;
    case 'nd115':
      return ND115_RULES;
    default:
      return [];
  }
}

/** The lawful extended period of a step the chair may lengthen, and the article allowing it. */
export const EXTENSION_RULES: Record<ExtendableStep, { days: number; article: string; condition: string }> = {
  round1: {
    days: 45,
    article: '170/2025 Art. 16(3)(a)',
    condition: `the period of Art. 16(2) is lengthened (${AUTO_EXTENSION_REGISTRANTS} or more registrants)`,
  },
  written_results: {
    days: 30,
    article: '170/2025 Art. 16(4)(b)',
    condition: `${WRITTEN_EXTENSION_CANDIDATES} or more candidates in round 2`,
  },
  remarking: { days: 20, article: '170/2025 Art. 16(4)(b)', condition: 'many appeals (the chair judges)' },
};

export type ExtensionRefusal = { code: string; message: string; details: Record<string, unknown> };

/** Whether the chair may lengthen `step` of a drive under `preset`, given the counts. */
export function checkExtension(
  preset: Preset,
  step: ExtendableStep,
  counts: { registrants: number; round2Candidates: number },
): ExtensionRefusal | null {
  if (preset !== 'nd170' && preset !== 'nd170-300') {
    return {
      code: 'timeline.extension_not_applicable',
      message: `Preset ${preset} gives the chair no extension of this period; only Decree 170/2025 Art. 16 does`,
      details: { preset, step },
    };
  }
  const rule = EXTENSION_RULES[step];
  if (step === 'round1' && counts.registrants < AUTO_EXTENSION_REGISTRANTS) {
    return {
      code: 'timeline.extension_not_allowed',
      message: `Round 1 may be held within 45 days only when ${rule.condition} (${rule.article})`,
      details: { step, registrants: counts.registrants, required: AUTO_EXTENSION_REGISTRANTS },
    };
  }
  if (step === 'written_results' && counts.round2Candidates < WRITTEN_EXTENSION_CANDIDATES) {
    return {
      code: 'timeline.extension_not_allowed',
      message: `Marking may be lengthened to 30 days only with ${rule.condition} (${rule.article})`,
      details: { step, round2Candidates: counts.round2Candidates, required: WRITTEN_EXTENSION_CANDIDATES },
    };
  }
  return null;
}

function statusOf(dueOn: string, metOn: string | null, today: string, horizon: number, data: CalendarData): StepStatus {
  if (metOn !== null) return 'met';
  if (today > dueOn) return 'overdue';
  return workingDaysBetween(today, dueOn, data) <= horizon ? 'due_soon' : 'upcoming';
}

/**
 * Every step of the drive's timeline in order. Steps whose starting event has not happened are
 * `pending` without a date. The calendar data must cover the years the periods reach.
 */
export function buildTimeline(facts: TimelineFacts, data: CalendarData): TimelineEntry[] {
  const ruleList = rulesOf(facts.preset);
  const byStep = new Map<TimelineStep, TimelineEntry>();
  const out: TimelineEntry[] = [];
  for (const base of ruleList) {
    let rule: StepRule = base;
    const adjustments: string[] = [];
    let extension: Extension | null = null;

    if (rule.step === 'eligible_list' && facts.registrants >= AUTO_EXTENSION_REGISTRANTS) {
      rule = { ...rule, period: cd(30) };
      adjustments.push(`30 days: ${facts.registrants} registrants, ${AUTO_EXTENSION_REGISTRANTS} or more (170/2025 Art. 16(2))`);
    }
    const ext = facts.extensions.find((e) => e.step === rule.step);
    if (ext && (facts.preset === 'nd170' || facts.preset === 'nd170-300')) {
      const er = EXTENSION_RULES[ext.step];
      rule = { ...rule, period: cd(er.days) };
      extension = ext;
      adjustments.push(`${er.days} days by the chair's decision ${ext.decisionNumber} of ${ext.decisionDate} (${er.article})`);
    }

    const basisOf = (r: StepRule): { event: TimelineEvent | null; step: TimelineStep | null; date: string | null } =>
      'event' in r.from
        ? { event: r.from.event, step: null, date: facts.events[r.from.event] ?? null }
        : { event: null, step: r.from.afterStep, date: byStep.get(r.from.afterStep)?.dueOn ?? null };

    let basis = basisOf(rule);
    let end = basis.date === null ? null : periodEnd(basis.date, rule.period.days, rule.period.unit, data);
    const metOf = (r: StepRule) => facts.events[r.metBy] ?? null;

    // 300 Art. 35(1): a 170-as-issued after-results step not finished by 2027-01-31 follows 300.
    const amended = ND300_AFTER_RESULTS[rule.step];
    if (facts.preset === 'nd170' && amended && end !== null && end.endsOn > ND170_TRANSITION_ENDS) {
      const met = metOf(rule);
      const amendedRule: StepRule = { ...rule, ...amended, article: `${amended.article}; 300/2026 Art. 35(1)` };
      const amendedBasis = basisOf(amendedRule);
      const amendedEnd =
        amendedBasis.date === null ? null : periodEnd(amendedBasis.date, amendedRule.period.days, amendedRule.period.unit, data);
      // 300 governs the step only from 2027-02-01: a 300 date before then cannot bind it, and the
      // 170 date stands. A 300 period whose starting event has not happened leaves the step pending.
      if ((met === null || met > ND170_TRANSITION_ENDS) && (amendedEnd === null || amendedEnd.endsOn > ND170_TRANSITION_ENDS)) {
        rule = amendedRule;
        adjustments.push(
          `Not finished by ${ND170_TRANSITION_ENDS}: follows Decree 300/2026 (${rule.period.days} ${rule.period.unit.replace('_', ' ')}) (300/2026 Art. 35(1))`,
        );
        basis = amendedBasis;
        end = amendedEnd;
      }
    }

    const metOn = metOf(rule);
    const entry: TimelineEntry = {
      step: rule.step,
      title: rule.title,
      article: rule.article,
      basis,
      period: rule.period,
      adjustments,
      extension,
      dueOn: end?.endsOn ?? null,
      nominalDueOn: end?.nominalEndsOn ?? null,
      provisional: end?.provisional ?? false,
      status: end === null ? 'pending' : statusOf(end.endsOn, rule.step === 'appeals' ? null : metOn, facts.today, facts.dueSoonWorkingDays, data),
      metBy: rule.metBy,
      metOn: rule.step === 'appeals' ? null : metOn,
      late: end !== null && metOn !== null && rule.step !== 'appeals' && metOn > end.endsOn,
      note: rule.note ?? null,
    };
    // The appeal window is not a duty of the office: it closes on its last day and is then met.
    if (rule.step === 'appeals' && end !== null && facts.today > end.endsOn) {
      entry.status = 'met';
      entry.metOn = end.endsOn;
    }
    // No appeal filed by the end of the window: there is nothing to re-mark.
    if (rule.step === 'remarking' && basis.date !== null && facts.appealsFiled === 0 && facts.today > basis.date && metOn === null) {
      entry.status = 'met';
      entry.metOn = basis.date;
      entry.note = 'No appeal was filed: nothing to re-mark';
    }
    byStep.set(rule.step, entry);
    out.push(entry);
  }
  return out;
}

/** The latest day any period may reach from `events` (for loading enough of the calendar). */
export function timelineYears(facts: Pick<TimelineFacts, 'events' | 'today'>): { from: number; to: number } {
  const years = [facts.today, ...Object.values(facts.events)].filter((d): d is string => typeof d === 'string').map((d) => Number(d.slice(0, 4)));
  return { from: Math.min(...years), to: Math.max(...years) + 1 };
}
