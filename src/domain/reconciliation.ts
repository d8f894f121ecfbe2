import { assertHundredths, averageRoundedToHundredth, averageRoundedToTenth, formatScore } from './decimal.js';
import { DomainError } from './errors.js';
import type { ReconciliationRule } from './rule-sets.js';

/*
 * Mark reconciliation, Circular 6/2020/TT-BNV Art. 31 (thresholds from the rule set):
 *   spread ≤ averageMaxSpread (5)              → average, rounded half-up to one decimal;
 *   averageMaxSpread < spread < escalateAt (10) → the head of marking decides the score;
 *   spread ≥ escalateAt                          → escalated (third marker or council decision).
 * Spread is max − min over all marks: two markers of a written script, or all members of a panel.
 */

export type Reconciliation =
  | { status: 'final'; score: number; rule: 'average'; spread: number }
  | { status: 'head_decides'; spread: number }
  | { status: 'escalated'; spread: number };

export type ReconcileRule = Pick<ReconciliationRule, 'averageMaxSpread' | 'escalateAtSpread'> &
  Partial<Pick<ReconciliationRule, 'rounding'>>;

export function reconcilePanel(marks: readonly number[], rule: ReconcileRule): Reconciliation {
  if (marks.length === 0) {
    throw new DomainError('reconciliation.invalid', 'At least one mark is required');
  }
  marks.forEach((m, i) => assertHundredths(m, `marks[${i}]`, { min: 0 }));
  const spread = Math.max(...marks) - Math.min(...marks);
  if (spread <= rule.averageMaxSpread) {
    const score = rule.rounding === 'hundredth' ? averageRoundedToHundredth(marks) : averageRoundedToTenth(marks);
    return { status: 'final', score, rule: 'average', spread };
  }
  if (spread < rule.escalateAtSpread) return { status: 'head_decides', spread };
  return { status: 'escalated', spread };
}

export function reconcileDouble(first: number, second: number, rule: ReconcileRule): Reconciliation {
  return reconcilePanel([first, second], rule);
}

export type Resolution =
  | { by: 'head_decision'; score: number; note?: string }
  | { by: 'third_marker'; score: number; note?: string }
  | { by: 'council_decision'; score: number; note?: string };

export interface FinalPartScoreInput {
  marks: readonly number[];
  rule: ReconcileRule;
  /** Maximum of the part in hundredths (default 100 points). */
  max?: number;
  /** Decision that settles a spread the average cannot. */
  resolution?: Resolution;
  /** Head of marking scores the script 0 for a rule breach (two handwritings, two ink colours…). */
  breach?: { reason: string };
}

export type FinalPartScore =
  | {
      status: 'final';
      score: number;
      basis: 'average' | 'head_decision' | 'third_marker' | 'council_decision' | 'breach_zero';
      spread: number | null;
      reason: string;
    }
  | { status: 'head_decides' | 'escalated'; spread: number; reason: string };

/**
 * The score a part ends with. A breach zero overrides marks (with its reason); otherwise the
 * spread rule decides, and a pending spread is settled only by a resolution of the right kind:
 * the head of marking between the thresholds, a third marker or the council at or above escalation.
 */
export function finalPartScore(input: FinalPartScoreInput): FinalPartScore {
  const max = input.max ?? 10000;
  if (input.breach) {
    const reason = input.breach.reason.trim();
    if (reason.length === 0) {
      throw new DomainError('reconciliation.invalid', 'A breach zero needs a reason');
    }
    return { status: 'final', score: 0, basis: 'breach_zero', spread: null, reason: `Scored 0 for a rule breach: ${reason}` };
  }
  input.marks.forEach((m, i) => assertHundredths(m, `marks[${i}]`, { min: 0, max }));
  const r = reconcilePanel(input.marks, input.rule);
  if (r.status === 'final') {
    if (input.resolution) {
      throw new DomainError('reconciliation.invalid', 'Marks are within the averaging spread; no decision is needed', {
        spread: r.spread,
      });
    }
    return {
      status: 'final',
      score: r.score,
      basis: 'average',
      spread: r.spread,
      reason: `Average of ${input.marks.map(formatScore).join(', ')} (spread ${formatScore(r.spread)} ≤ ${formatScore(input.rule.averageMaxSpread)})`,
    };
  }
  const pendingReason =
    r.status === 'head_decides'
      ? `Spread ${formatScore(r.spread)} is above ${formatScore(input.rule.averageMaxSpread)}: the head of marking decides`
      : `Spread ${formatScore(r.spread)} reaches ${formatScore(input.rule.escalateAtSpread)}: escalated to a third marker or the council`;
  if (!input.resolution) return { status: r.status, spread: r.spread, reason: pendingReason };

  const res = input.resolution;
  const allowed = r.status === 'head_decides' ? ['head_decision', 'council_decision'] : ['third_marker', 'council_decision'];
  if (!allowed.includes(res.by)) {
    throw new DomainError('reconciliation.invalid', `A ${res.by} cannot settle a ${r.status} spread`, {
      status: r.status,
      allowed,
    });
  }
  assertHundredths(res.score, 'resolution.score', { min: 0, max });
  return {
    status: 'final',
    score: res.score,
    basis: res.by,
    spread: r.spread,
    reason: `${pendingReason}; settled by ${res.by.replace('_', ' ')} at ${formatScore(res.score)}${res.note ? ` (${res.note})` : ''}`,
  };
}
