import { addDays } from './deadlines.js';
import { averageRoundedToHundredth } from './decimal.js';
import { periodEnd, type CalendarData } from './calendar.js';
import type { Preset } from './rule-sets.js';

/*
 * Appeals (phúc khảo) of paper written parts.
 *
 * Decree 170/2025 Art. 16(4)(b): appeals are received for 05 working days from the publication of
 * the written results; re-marking is completed within 10 days from the end of that period (up to 20
 * by the chair's decision when appeals are many); no appeal against a written part taken on
 * computer, nor against interview, oral, practical or Đề án results (Art. 16(4)(b), 16(5)).
 * Circular 22/2025 Quy chế Art. 17(3): two re-markers; equal → that score; different → a third
 * re-marker; 2 of 3 equal → that score, otherwise the mean of the three at 2 decimals.
 * Quy chế Art. 18(1): a re-mark differing from the published score by less than 5 points is adopted;
 * 5 or more → the chair decides after hearing the heads of the marking and appeals boards (minuted).
 * Quy chế Art. 15(4)(b): results go to the head for approval only after re-marking (or, with no
 * appeal, after the window closes).
 *
 * Counting (Civil Code 2015 Art. 147(1)): the day of publication is not counted.
 */

/** Presets of Decree 170/2025 (as issued and as amended by 300/2026): windows in working days. */
export const WORKING_DAY_WINDOW_PRESETS: readonly Preset[] = ['nd170', 'nd170-300'];
export const APPEAL_WINDOW_WORKING_DAYS = 5;
export const REMARKING_DAYS = 10;
export const REMARKING_DAYS_EXTENDED = 20;
/** Quy chế Art. 18(1): from this difference (hundredths) the chair decides. */
export const CHAIR_DECIDES_FROM = 500;

export type AppealPeriod = {
  /** The day the round's results were published (Vietnam date). */
  opensOn: string;
  /** The last day an appeal is received. */
  closesOn: string;
  /** Re-marking due. */
  resolutionDueOn: string;
  unit: 'working_days' | 'calendar_days';
  days: number;
  article: string;
};

/**
 * The appeal window of a round published on `publishedOn`. Decree 170 presets: 5 working days and
 * 10 (or, extended, 20) days of re-marking; older presets keep their rule set's calendar days.
 */
export function appealPeriod(
  preset: Preset,
  publishedOn: string,
  legacy: { appealWindowDays: number; appealResolutionDays: number },
  data: CalendarData,
  remarkingExtended = false,
): AppealPeriod {
  if (WORKING_DAY_WINDOW_PRESETS.includes(preset)) {
    const closesOn = periodEnd(publishedOn, APPEAL_WINDOW_WORKING_DAYS, 'working_days', data).endsOn;
    const resolutionDueOn = periodEnd(closesOn, remarkingExtended ? REMARKING_DAYS_EXTENDED : REMARKING_DAYS, 'calendar_days', data).endsOn;
    return { opensOn: publishedOn, closesOn, resolutionDueOn, unit: 'working_days', days: APPEAL_WINDOW_WORKING_DAYS, article: '170/2025 Art. 16(4)(b)' };
  }
  const closesOn = addDays(publishedOn, legacy.appealWindowDays);
  return {
    opensOn: publishedOn,
    closesOn,
    resolutionDueOn: addDays(closesOn, legacy.appealResolutionDays),
    unit: 'calendar_days',
    days: legacy.appealWindowDays,
    article: 'rule set deadlines.appealWindowDays',
  };
}

/** Re-marks of one appeal, in hundredths, in slot order. */
export type RemarkOutcome =
  | { kind: 'awaiting'; needed: number; reason: string }
  | { kind: 'score'; score: number; rule: 'remark_equal' | 'remark_two_of_three' | 'remark_mean' };

/** Quy chế Art. 17(3): what the re-marks give so far. */
export function remarkOutcome(marks: readonly number[]): RemarkOutcome {
  if (marks.length < 2) return { kind: 'awaiting', needed: 2 - marks.length, reason: 'Two re-markers mark each appealed script (Quy chế Art. 17(3)(a))' };
  const [a, b, c] = marks as [number, number, number | undefined];
  if (a === b) return { kind: 'score', score: a, rule: 'remark_equal' };
  if (c === undefined) return { kind: 'awaiting', needed: 1, reason: 'The two re-marks differ: a third re-marker marks it (Quy chế Art. 17(3)(b))' };
  if (a === c || b === c) return { kind: 'score', score: c, rule: 'remark_two_of_three' };
  return { kind: 'score', score: averageRoundedToHundredth([a, b, c]), rule: 'remark_mean' };
}

/** The most re-marks an appeal takes: a third only when the first two differ. */
export function remarksNeeded(marks: readonly number[]): number {
  if (marks.length < 2) return 2;
  return marks[0] === marks[1] ? 2 : 3;
}

export type AppealComparison = { adopt: true; difference: number } | { adopt: false; difference: number };

/** Quy chế Art. 18(1): < 5 points from the published score → adopted; ≥ 5 → the chair decides. */
export function compareWithPublished(published: number, appeal: number): AppealComparison {
  const difference = Math.abs(appeal - published);
  return difference < CHAIR_DECIDES_FROM ? { adopt: true, difference } : { adopt: false, difference };
}
