import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { computeLeadershipResults, type LeadershipCandidate, type TitleResult } from '../../src/domain/ranking.js';
import { resolveRuleSet, type RuleSet } from '../../src/domain/rule-sets.js';
import { pts } from './fixtures.js';

const leadership = resolveRuleSet('leadership');

function cand(id: string, written: string | null | undefined, plan?: string[] | string | null): LeadershipCandidate {
  const c: LeadershipCandidate = { applicationId: id, titleId: 't1' };
  if (written !== undefined) c.written = written === null ? null : pts(written);
  if (Array.isArray(plan)) c.actionPlanMarks = plan.map(pts);
  else if (plan === null) c.actionPlanScore = null;
  else if (plan !== undefined) c.actionPlanScore = pts(plan);
  return c;
}

function title(candidates: LeadershipCandidate[], ruleSet: RuleSet = leadership, decisions?: string[]): TitleResult {
  const r = computeLeadershipResults({
    ruleSet,
    titles: [{ id: 't1' }],
    candidates,
    ...(decisions ? { tieDecisions: [{ quotaId: 't1', orderedApplicationIds: decisions }] } : {}),
  })[0];
  if (!r) throw new Error('no title');
  return r;
}

describe('computeLeadershipResults (2424/BNV-CCVC)', () => {
  it('2424/BNV-CCVC: when two candidates pass both parts, then the highest combined score wins', () => {
    const r = title([cand('a', '70', ['80', '82', '84']), cand('b', '75', ['70', '72', '71'])]);
    expect(r.outcome).toBe('winner');
    expect(r.winnerApplicationId).toBe('a');
    const a = r.candidates.find((c) => c.applicationId === 'a');
    expect(a).toMatchObject({ outcome: 'winner', written: 7000, actionPlan: 8200, combined: 15200, rank: 1, decidedBy: 'score' });
    expect(a?.explanation).toContain('combined 152.00');
    expect(r.candidates.find((c) => c.applicationId === 'b')?.outcome).toBe('not_selected');
  });

  it('2424/BNV-CCVC: when the written part is below 50, then that candidate cannot win even with the best action plan', () => {
    const r = title([cand('a', '49.99', ['100', '100']), cand('b', '50', ['60', '60'])]);
    expect(r.winnerApplicationId).toBe('b');
    expect(r.candidates.find((c) => c.applicationId === 'a')).toMatchObject({ outcome: 'failed', combined: null });
  });

  it('2424/BNV-CCVC: when nobody passes every gate, then the title has no winner', () => {
    const r = title([cand('a', '40'), cand('b', '60', ['45', '48']), cand('c', null)]);
    expect(r.outcome).toBe('no_winner');
    expect(r.winnerApplicationId).toBeNull();
    expect(r.candidates.map((c) => [c.applicationId, c.outcome])).toEqual([
      ['a', 'failed'],
      ['b', 'failed'],
      ['c', 'absent'],
    ]);
  });

  it('2424/BNV-CCVC: when a title has a single candidate, then it is not held', () => {
    const r = title([cand('a', '90', ['90'])]);
    expect(r).toMatchObject({ outcome: 'not_held', candidateCount: 1, winnerApplicationId: null });
    expect(r.explanation).toContain('at least 2');
  });

  it('Đà Nẵng practice: when the rule set requires 3 candidates and there are 2, then the title is not held', () => {
    const danang = resolveRuleSet('leadership', { minCandidatesPerQuota: 3 });
    expect(title([cand('a', '90', ['90']), cand('b', '80', ['80'])], danang).outcome).toBe('not_held');
  });

  it('2424/BNV-CCVC: when no score is entered yet, then the title is pending', () => {
    expect(title([cand('a', undefined), cand('b', undefined)]).outcome).toBe('pending');
  });

  it('2424/BNV-CCVC: when a candidate who passed the written part has no action-plan marks yet, then the title is pending', () => {
    const r = title([cand('a', '70', ['80']), cand('b', '80')]);
    expect(r.outcome).toBe('pending');
    expect(r.explanation).toContain('b (action-plan marks not entered)');
  });

  it('Circular 6/2020 Art. 31: when the action-plan panel spread is 7, then the title is pending until the head decides', () => {
    expect(title([cand('a', '70', ['70', '77']), cand('b', '60', ['60', '61'])]).outcome).toBe('pending');
    expect(title([cand('a', '70', '74'), cand('b', '60', ['60', '61'])]).winnerApplicationId).toBe('a');
  });

  it('2424/BNV-CCVC: when the two best combined scores tie, then the chair decides and nobody is guessed', () => {
    const cands = [cand('a', '70', ['80']), cand('b', '80', ['70']), cand('c', '60', ['60'])];
    const r = title(cands);
    expect(r).toMatchObject({ outcome: 'tie_pending_decision', winnerApplicationId: null, tiedApplicationIds: ['a', 'b'] });
    expect(r.candidates.filter((c) => c.outcome === 'winner')).toEqual([]);
    const decided = title(cands, leadership, ['b', 'a']);
    expect(decided).toMatchObject({ outcome: 'winner', winnerApplicationId: 'b' });
    expect(decided.candidates.find((c) => c.applicationId === 'b')?.decidedBy).toBe('head_decision');
  });

  it('Hanoi practice: when the action plan weighs 2, then the combined score uses the weights', () => {
    const weighted = resolveRuleSet('leadership', { leadership: { weights: { actionPlan: 2 } } });
    const r = title([cand('a', '90', ['60']), cand('b', '60', ['80'])], weighted);
    expect(r.winnerApplicationId).toBe('b'); // 60 + 160 = 220 > 90 + 120 = 210
  });

  it('2424/BNV-CCVC: when the action plan is below its gate, then the candidate fails', () => {
    const r = title([cand('a', '95', ['49']), cand('b', '55', ['55'])]);
    expect(r.winnerApplicationId).toBe('b');
    expect(r.candidates.find((c) => c.applicationId === 'a')?.gate.reasons[0]?.code).toBe('gate.action_plan_below_minimum');
  });

  it('when titles are computed together, then each gets its own outcome', () => {
    const r = computeLeadershipResults({
      ruleSet: leadership,
      titles: [{ id: 't1' }, { id: 't2' }, { id: 't3' }],
      candidates: [
        { applicationId: 'a', titleId: 't1', written: 8000, actionPlanMarks: [8000] },
        { applicationId: 'b', titleId: 't1', written: 7000, actionPlanMarks: [7000] },
        { applicationId: 'c', titleId: 't2', written: 8000 },
      ],
    });
    expect(r.map((t) => [t.titleId, t.outcome])).toEqual([
      ['t1', 'winner'],
      ['t2', 'not_held'],
      ['t3', 'not_held'],
    ]);
  });

  it('when the rule set has no leadership rules, then it throws', () => {
    expect(() => title([cand('a', '70'), cand('b', '70')], resolveRuleSet('nd138'))).toThrow(DomainError);
  });
});
