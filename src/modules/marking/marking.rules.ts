import { markingRules, reconcileDoubleTt22, reconcilePanelTt22, type EffectiveMarking } from '../../domain/marking-tt22.js';
import type { RuleSet } from '../../domain/rule-sets.js';
import { PANEL_SLOT, reconcileScript, type ScriptOutcome } from '../rounds/rounds.marking.js';
import type { PartRow } from '../rounds/rounds.table.js';

/*
 * Which rule turns a script's marks into its outcome: Circular 22/2025 (src/domain/marking-tt22.ts)
 * for the parts its regime covers, the rule set's Circular 6/2020 spread rule (rounds.marking.ts)
 * otherwise. Paper written parts are double-marked under Circular 22 (Quy chế Art. 16(2)); panels
 * under Art. 22(1); computer-based parts take the machine's score (never double-marked).
 */

export type MarkedPart = Pick<PartRow, 'markingMode' | 'panelSize' | 'written' | 'computer'>;

/** The regime that governs a part's marks. */
export function regimeOf(part: MarkedPart, marking: EffectiveMarking): 'tt22_2025' | 'tt06_2020' {
  return part.markingMode === 'panel' ? marking.panel : marking.written;
}

export function reconcileFor(part: MarkedPart, marks: ReadonlyMap<string, number>, ruleSet: RuleSet, onDate: string): ScriptOutcome {
  const marking = markingRules(ruleSet, onDate);
  if (regimeOf(part, marking) === 'tt06_2020') return reconcileScript(part, marks, ruleSet.reconciliation);
  if (part.written && !part.computer && part.markingMode !== 'double') {
    return { status: 'awaiting_marks', score: null, rule: null, spread: null, reason: 'A paper written part is double-marked (Circular 22/2025 Quy chế Art. 16(2)): set its marking mode to double' };
  }
  if (part.markingMode === 'double') return reconcileDoubleTt22({ first: marks.get('1'), second: marks.get('2'), third: marks.get('3') });
  if (part.markingMode === 'panel') {
    return reconcilePanelTt22(
      [...marks.entries()].filter(([slot]) => PANEL_SLOT.test(slot)).map(([, v]) => v),
      part.panelSize,
    );
  }
  return reconcileScript(part, marks, ruleSet.reconciliation);
}
