import { assertHundredths, formatScore } from './decimal.js';
import { DomainError } from './errors.js';
import { reconcilePanel } from './reconciliation.js';
import type { RuleSet } from './rule-sets.js';
import { rankWithTieChain, type DecidedBy } from './tie-chain.js';

/*
 * Leadership-title exams (Ministry of Home Affairs letter 2424/BNV-CCVC, 2017, and local practice):
 * a title is held only with enough candidates; part 1 written (gate ≥ 50), part 2 action plan
 * scored by every council member and averaged under the spread rule; the single highest combined
 * score among those passing every gate wins; a tie goes to the chair; nobody passing → no winner.
 */

export interface LeadershipCandidate {
  applicationId: string;
  titleId: string;
  /** Written part, hundredths of 100. undefined = not entered yet; null = did not sit. */
  written?: number | null;
  /** Council members' marks for the action plan (hundredths). Omitted or empty = not entered yet. */
  actionPlanMarks?: number[];
  /**
   * Settled action-plan score when the panel spread needed a decision (see finalPartScore).
   * Takes precedence over the marks; null = did not present the action plan.
   */
  actionPlanScore?: number | null;
}

export interface LeadershipInput {
  ruleSet: RuleSet;
  titles: { id: string }[];
  candidates: LeadershipCandidate[];
  /** The chair's order for a tie (quotaId = titleId). */
  tieDecisions?: { quotaId: string; orderedApplicationIds: string[] }[];
}

export const LEADERSHIP_TITLE_OUTCOMES = ['pending', 'not_held', 'winner', 'no_winner', 'tie_pending_decision'] as const;
export type LeadershipTitleOutcome = (typeof LEADERSHIP_TITLE_OUTCOMES)[number];

export const LEADERSHIP_CANDIDATE_OUTCOMES = [
  'winner',
  'not_selected',
  'failed',
  'absent',
  'tied_pending',
  'pending',
  'not_held',
] as const;
export type LeadershipCandidateOutcome = (typeof LEADERSHIP_CANDIDATE_OUTCOMES)[number];

export interface LeadershipCandidateResult {
  applicationId: string;
  outcome: LeadershipCandidateOutcome;
  written: number | null;
  actionPlan: number | null;
  /** written × weights.written + actionPlan × weights.actionPlan, hundredths. */
  combined: number | null;
  rank: number | null;
  gate: { passed: boolean; reasons: { code: string; message: string }[] };
  decidedBy: DecidedBy;
  explanation: string;
}

export interface TitleResult {
  titleId: string;
  outcome: LeadershipTitleOutcome;
  winnerApplicationId: string | null;
  tiedApplicationIds: string[];
  candidateCount: number;
  candidates: LeadershipCandidateResult[];
  explanation: string;
}

type Evaluation =
  | { state: 'pending'; why: string; written: number | null; actionPlan: number | null }
  | { state: 'absent' | 'failed'; reasons: { code: string; message: string }[]; written: number | null; actionPlan: number | null }
  | { state: 'passed'; written: number; actionPlan: number; combined: number };

function evaluate(c: LeadershipCandidate, ruleSet: RuleSet): Evaluation {
  const rules = ruleSet.leadership;
  if (!rules) throw new DomainError('rule_set.invalid', 'The rule set has no leadership rules');
  if (c.written === undefined) return { state: 'pending', why: 'written score not entered', written: null, actionPlan: null };
  if (c.written === null) {
    return { state: 'absent', reasons: [{ code: 'gate.absent', message: 'Did not sit the written exam' }], written: null, actionPlan: null };
  }
  const written = c.written;
  if (written < rules.writtenGate) {
    return {
      state: 'failed',
      reasons: [{ code: 'gate.written_below_minimum', message: `Written ${formatScore(written)} is below ${formatScore(rules.writtenGate)}` }],
      written,
      actionPlan: null,
    };
  }
  let actionPlan: number;
  if (c.actionPlanScore === null) {
    return { state: 'absent', reasons: [{ code: 'gate.absent', message: 'Did not present the action plan' }], written, actionPlan: null };
  } else if (c.actionPlanScore !== undefined) {
    actionPlan = c.actionPlanScore;
  } else {
    const marks = c.actionPlanMarks ?? [];
    if (marks.length === 0) return { state: 'pending', why: 'action-plan marks not entered', written, actionPlan: null };
    const r = reconcilePanel(marks, ruleSet.reconciliation);
    if (r.status !== 'final') {
      return {
        state: 'pending',
        why: `action-plan marks spread ${formatScore(r.spread)} needs ${r.status === 'head_decides' ? "the head's decision" : 'escalation'}`,
        written,
        actionPlan: null,
      };
    }
    actionPlan = r.score;
  }
  if (rules.actionPlanGate !== null && actionPlan < rules.actionPlanGate) {
    return {
      state: 'failed',
      reasons: [{ code: 'gate.action_plan_below_minimum', message: `Action plan ${formatScore(actionPlan)} is below ${formatScore(rules.actionPlanGate)}` }],
      written,
      actionPlan,
    };
  }
  return { state: 'passed', written, actionPlan, combined: written * rules.weights.written + actionPlan * rules.weights.actionPlan };
}

function validate(input: LeadershipInput): void {
  const titleIds = new Set<string>();
  for (const t of input.titles) {
    if (titleIds.has(t.id)) throw new DomainError('ranking.invalid_input', `Duplicate title ${t.id}`, { titleId: t.id });
    titleIds.add(t.id);
  }
  const ids = new Set<string>();
  for (const c of input.candidates) {
    if (ids.has(c.applicationId)) throw new DomainError('ranking.invalid_input', `Duplicate application ${c.applicationId}`, { applicationId: c.applicationId });
    ids.add(c.applicationId);
    if (!titleIds.has(c.titleId)) {
      throw new DomainError('ranking.invalid_input', `Application ${c.applicationId} refers to unknown title ${c.titleId}`, { applicationId: c.applicationId });
    }
    if (c.written != null) assertHundredths(c.written, `${c.applicationId}.written`, { min: 0, max: 10000 });
    if (c.actionPlanScore != null) assertHundredths(c.actionPlanScore, `${c.applicationId}.actionPlanScore`, { min: 0, max: 10000 });
    (c.actionPlanMarks ?? []).forEach((m, i) => assertHundredths(m, `${c.applicationId}.actionPlanMarks[${i}]`, { min: 0, max: 10000 }));
  }
  for (const d of input.tieDecisions ?? []) {
    if (!titleIds.has(d.quotaId)) throw new DomainError('tie_decision.invalid', `Tie decision for unknown title ${d.quotaId}`, { quotaId: d.quotaId });
  }
}

/** Outcome per title; every candidate result explains itself. */
export function computeLeadershipResults(input: LeadershipInput): TitleResult[] {
  validate(input);
  const { ruleSet } = input;
  const rules = ruleSet.leadership;
  if (!rules) throw new DomainError('rule_set.invalid', 'The rule set has no leadership rules');

  return input.titles.map((title): TitleResult => {
    const cands = input.candidates.filter((c) => c.titleId === title.id);
    const base = { titleId: title.id, candidateCount: cands.length };
    const row = (
      c: LeadershipCandidate,
      e: Evaluation,
      outcome: LeadershipCandidateOutcome,
      explanation: string,
      extra: Partial<Pick<LeadershipCandidateResult, 'rank' | 'decidedBy'>> = {},
    ): LeadershipCandidateResult => ({
      applicationId: c.applicationId,
      outcome,
      written: e.written,
      actionPlan: e.actionPlan,
      combined: e.state === 'passed' ? e.combined : null,
      rank: extra.rank ?? null,
      gate: e.state === 'passed' ? { passed: true, reasons: [] } : e.state === 'pending' ? { passed: false, reasons: [] } : { passed: false, reasons: e.reasons },
      decidedBy: extra.decidedBy ?? null,
      explanation,
    });

    if (cands.length < ruleSet.minCandidatesPerQuota) {
      const why = `Not held: ${cands.length} candidate${cands.length === 1 ? '' : 's'}, at least ${ruleSet.minCandidatesPerQuota} required (${ruleSet.legalBasis}).`;
      return {
        ...base,
        outcome: 'not_held',
        winnerApplicationId: null,
        tiedApplicationIds: [],
        candidates: cands.map((c) => row(c, { state: 'pending', why: '', written: null, actionPlan: null }, 'not_held', why)),
        explanation: why,
      };
    }

    const evals = cands.map((c) => ({ c, e: evaluate(c, ruleSet) }));
    const pending = evals.filter((x) => x.e.state === 'pending');
    if (pending.length > 0) {
      const why = `Pending: ${pending.map((x) => `${x.c.applicationId} (${x.e.state === 'pending' ? x.e.why : ''})`).join(', ')}.`;
      return {
        ...base,
        outcome: 'pending',
        winnerApplicationId: null,
        tiedApplicationIds: [],
        candidates: evals.map(({ c, e }) =>
          row(c, e, e.state === 'pending' ? 'pending' : e.state === 'passed' ? 'pending' : e.state, e.state === 'pending' ? `Pending: ${e.why}.` : 'Awaiting the other candidates\' scores.'),
        ),
        explanation: why,
      };
    }

    const passers = evals.flatMap((x) => (x.e.state === 'passed' ? [{ c: x.c, e: x.e }] : []));
    const failedRows = evals
      .filter((x) => x.e.state !== 'passed')
      .map(({ c, e }) =>
        row(c, e, e.state === 'absent' ? 'absent' : 'failed', e.state === 'failed' || e.state === 'absent' ? `Did not pass every gate: ${e.reasons.map((r) => r.message).join('; ')}.` : ''),
      );
    if (passers.length === 0) {
      return {
        ...base,
        outcome: 'no_winner',
        winnerApplicationId: null,
        tiedApplicationIds: [],
        candidates: failedRows,
        explanation: `No winner: none of ${cands.length} candidates passed every gate.`,
      };
    }

    const groups = rankWithTieChain(passers, {
      id: (x) => x.c.applicationId,
      score: (x) => x.e.combined,
      chain: ruleSet.tieBreak,
      key: (x, step) => (step === 'written_part' ? x.e.written : step === 'ranking_round_raw' ? x.e.combined : null),
      decisions: (input.tieDecisions ?? []).filter((d) => d.quotaId === title.id).map((d) => d.orderedApplicationIds),
    });
    const combinedText = (x: (typeof passers)[number]): string =>
      `combined ${formatScore(x.e.combined)} = written ${formatScore(x.e.written)} × ${rules.weights.written} + action plan ${formatScore(x.e.actionPlan)} × ${rules.weights.actionPlan}`;
    const top = groups[0];
    const rows: LeadershipCandidateResult[] = [];
    let winner: string | null = null;
    let tied: string[] = [];
    for (const g of groups) {
      for (const m of g.members) {
        const x = m.item;
        if (g === top && g.tied) {
          tied = g.members.map((mm) => mm.item.c.applicationId);
          rows.push(row(x.c, x.e, 'tied_pending', `Passed every gate; ${combinedText(x)}; tied for first place: awaiting the chair's decision.`, { rank: g.rank }));
        } else if (g === top) {
          winner = x.c.applicationId;
          const how = m.decidedBy === 'score' ? 'highest combined score' : `tie broken by ${m.decidedBy === 'head_decision' ? "the chair's decision" : m.decidedBy}`;
          rows.push(row(x.c, x.e, 'winner', `Passed every gate; ${combinedText(x)}; winner (${how}).`, { rank: g.rank, decidedBy: m.decidedBy }));
        } else {
          rows.push(row(x.c, x.e, 'not_selected', `Passed every gate; ${combinedText(x)}; rank ${g.rank}, not selected (one winner per title).`, { rank: g.rank, decidedBy: m.decidedBy }));
        }
      }
    }
    const candidates = [...rows, ...failedRows];
    if (tied.length > 0) {
      return {
        ...base,
        outcome: 'tie_pending_decision',
        winnerApplicationId: null,
        tiedApplicationIds: tied,
        candidates,
        explanation: `${tied.join(', ')} tie on the highest combined score: the chair decides.`,
      };
    }
    return {
      ...base,
      outcome: 'winner',
      winnerApplicationId: winner,
      tiedApplicationIds: [],
      candidates,
      explanation: `Winner ${winner ?? ''}: highest combined score among ${passers.length} of ${cands.length} candidates passing every gate.`,
    };
  });
}
