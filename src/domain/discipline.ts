import { divideRoundHalfUp, formatScore } from './decimal.js';

/*
 * Candidate discipline, Circular 22/2025/TT-BNV Nội quy Art. 2:
 *  - reprimand (khiển trách, Art. 2(2)): −25 % of the paper's score;
 *  - warning (cảnh cáo, Art. 2(3)): −50 % of the paper's score;
 *    both decided by the person who writes the minute (Art. 2(6)(b)), reported through the head of
 *    the board to the council chair, who applies the deduction;
 *  - suspension (đình chỉ thi, Art. 2(4)): decided by the council chair; the paper's result is
 *    cancelled and the candidate sits no later paper;
 *  - cancellation of the result (hủy kết quả thi, Art. 2(5)): on the chair's report, by the head of
 *    the recruiting agency's decision.
 * The deduction applies to the paper's final score (after any appeal), rounded half up to 2 decimals.
 * A warning given for a repeat after a reprimand (Art. 2(3)(a)) replaces it: the heaviest act on a
 * paper counts, the deductions do not add up. A cancelled paper scores 0.
 */

export const DISCIPLINE_KINDS = ['reprimand', 'warning', 'suspension', 'cancellation'] as const;
export type DisciplineKind = (typeof DISCIPLINE_KINDS)[number];

/** Percent of the paper's score taken away (Nội quy Art. 2(2), 2(3)). */
export const DEDUCTION_PERCENT: Record<'reprimand' | 'warning', number> = { reprimand: 25, warning: 50 };

const WEIGHT: Record<DisciplineKind, number> = { reprimand: 1, warning: 2, suspension: 3, cancellation: 4 };

export type DisciplineAct = { kind: DisciplineKind; minuteRef: string };

export type DisciplinedScore = {
  /** Hundredths after the act. */
  score: number;
  /** The act that counted. */
  act: DisciplineAct;
  /** Percent deducted (100 when the paper is cancelled). */
  percent: number;
  note: string;
};

/** The heaviest of a paper's acts, or undefined. */
export function heaviestAct<T extends DisciplineAct>(acts: readonly T[]): T | undefined {
  let out: T | undefined;
  for (const a of acts) if (!out || WEIGHT[a.kind] > WEIGHT[out.kind]) out = a;
  return out;
}

/** A paper's final score (hundredths) after the acts on it; null when it has no act. */
export function disciplinedScore(finalScore: number, acts: readonly DisciplineAct[]): DisciplinedScore | null {
  const act = heaviestAct(acts);
  if (!act) return null;
  if (act.kind === 'suspension' || act.kind === 'cancellation') {
    const why = act.kind === 'suspension' ? 'suspended (Nội quy Art. 2(4))' : 'result cancelled (Nội quy Art. 2(5))';
    return { score: 0, act, percent: 100, note: `${formatScore(finalScore)} → 0: ${why}, minute ${act.minuteRef}` };
  }
  const percent = DEDUCTION_PERCENT[act.kind];
  const score = divideRoundHalfUp(finalScore * (100 - percent), 100);
  const art = act.kind === 'reprimand' ? '2(2)' : '2(3)';
  return { score, act, percent, note: `${formatScore(finalScore)} − ${percent} % = ${formatScore(score)}: ${act.kind} (Nội quy Art. ${art}), minute ${act.minuteRef}` };
}
