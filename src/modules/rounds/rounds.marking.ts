import { formatScore, reconcilePanel, type ReconcileRule } from '../../domain/index.js';
import type { PartRow, ScriptRow } from './rounds.table.js';

/*
 * How the marks of one script turn into its status and final score. Pure: the service loads the
 * script's marks and the drive's rule set, calls this, and stores what it returns.
 *   single  → the one mark is final;
 *   double  → two independent markers, reconciled by the rule set's spread rule (Circular 6/2020
 *             Art. 31: ≤ 5 average to one decimal, 5 < spread < 10 head decides, ≥ 10 escalated);
 *             an escalated script is settled by the third marker's mark (slot '3');
 *   panel   → the average of all members (panelSize of them when the part fixes it), same spread rule.
 */

export type SlotKind = 'single' | 'first' | 'second' | 'third' | 'panel';

export const PANEL_SLOT = /^panel:[A-Za-z0-9._-]{1,64}$/;

/** Scripts whose score was settled by a decision, not by marks: further marks would override it. */
export const DECIDED_RULES = new Set(['head_decision', 'council_decision', 'zero_for_breach', 'direct_import', 'appeal']);

export function slotKind(mode: PartRow['markingMode'], slot: string): SlotKind | null {
  if (mode === 'single') return slot === '1' ? 'single' : null;
  if (mode === 'double') return slot === '1' ? 'first' : slot === '2' ? 'second' : slot === '3' ? 'third' : null;
  return PANEL_SLOT.test(slot) ? 'panel' : null;
}

export type ScriptOutcome = {
  status: ScriptRow['status'];
  /** Hundredths, or null while no final score exists. */
  score: number | null;
  rule: string | null;
  reason: string | null;
  spread: number | null;
};

const pending = (status: ScriptRow['status'], spread: number | null, reason: string | null = null): ScriptOutcome => ({
  status,
  score: null,
  rule: null,
  reason,
  spread,
});

export function reconcileScript(part: Pick<PartRow, 'markingMode' | 'panelSize'>, marks: ReadonlyMap<string, number>, rule: ReconcileRule): ScriptOutcome {
  if (part.markingMode === 'single') {
    const m = marks.get('1');
    return m === undefined ? pending('awaiting_marks', null) : { status: 'final', score: m, rule: 'single', reason: 'Single marker', spread: null };
  }
  if (part.markingMode === 'double') {
    const first = marks.get('1');
    const second = marks.get('2');
    if (first === undefined || second === undefined) return pending('awaiting_marks', null);
    const r = reconcilePanel([first, second], rule);
    if (r.status === 'final') {
      return { status: 'final', score: r.score, rule: 'average', reason: `Average of ${formatScore(first)} and ${formatScore(second)} (spread ${formatScore(r.spread)})`, spread: r.spread };
    }
    const third = marks.get('3');
    if (r.status === 'escalated' && third !== undefined) {
      return {
        status: 'final',
        score: third,
        rule: 'third_marker',
        reason: `Spread ${formatScore(r.spread)} reached ${formatScore(rule.escalateAtSpread)}: third marker's score`,
        spread: r.spread,
      };
    }
    return pending(r.status, r.spread);
  }
  const panel = [...marks.entries()].filter(([slot]) => PANEL_SLOT.test(slot)).map(([, v]) => v);
  const needed = part.panelSize ?? 2;
  if (panel.length < needed) return pending('awaiting_marks', null);
  const r = reconcilePanel(panel, rule);
  if (r.status === 'final') {
    return { status: 'final', score: r.score, rule: 'average', reason: `Average of ${panel.length} panel members (spread ${formatScore(r.spread)})`, spread: r.spread };
  }
  return pending(r.status, r.spread);
}

/** Spread of the marks that count for a script (null when fewer than two). */
export function spreadOf(part: Pick<PartRow, 'markingMode'>, marks: ReadonlyMap<string, number>): number | null {
  const values =
    part.markingMode === 'panel'
      ? [...marks.entries()].filter(([s]) => PANEL_SLOT.test(s)).map(([, v]) => v)
      : [marks.get('1'), marks.get('2')].filter((v): v is number => v !== undefined);
  if (values.length < 2) return null;
  return Math.max(...values) - Math.min(...values);
}
