import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import {
  computeRecruitmentResults,
  evaluateGate,
  applyReplacementDecision,
  promoteReserve,
  rankWithTieChain,
  validateTieDecision,
  type ApplicationResult,
  type ApplicationScore,
  type QuotaResult,
  type TieDecision,
} from '../../src/domain/ranking.js';
import { resolveRuleSet, type RuleSet } from '../../src/domain/rule-sets.js';
import { app, part } from './fixtures.js';

const nd138 = resolveRuleSet('nd138');
const nd115 = resolveRuleSet('nd115');
const nd170 = resolveRuleSet('nd170');

function run(ruleSet: RuleSet, slots: number, applications: ApplicationScore[], tieDecisions?: TieDecision[]): QuotaResult {
  const quotaIds = [...new Set(['q1', ...applications.map((a) => a.quotaId)])];
  const input = { ruleSet, quotas: quotaIds.map((id) => ({ id, slots })), applications, ...(tieDecisions ? { tieDecisions } : {}) };
  const r = computeRecruitmentResults(input).find((q) => q.quotaId === 'q1');
  if (!r) throw new Error('no q1');
  return r;
}

function byId(q: QuotaResult, id: string): ApplicationResult {
  const a = q.applications.find((x) => x.applicationId === id);
  if (!a) throw new Error(`no ${id}`);
  return a;
}

function outcomes(q: QuotaResult): Record<string, string> {
  return Object.fromEntries(q.applications.map((a) => [a.applicationId, a.outcome]));
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof DomainError ? err.code : 'not-a-domain-error';
  }
  return undefined;
}

describe('the gate', () => {
  it.each([
    [nd138, '50.00', '0', true, 'Decree 138/2020 Art. 9(1): raw 50.00 passes the gate'],
    [nd138, '49.99', '0', false, 'Decree 138/2020 Art. 9(1): raw 49.99 fails the gate'],
    [nd138, '49.99', '7.5', false, 'Decree 138/2020 Art. 9(1): the gate is on the raw score, priority 7.5 does not lift 49.99'],
    [nd115, '50.00', '0', true, 'Decree 115/2020 Art. 10(1): raw 50.00 passes'],
    [nd115, '49.99', '5', false, 'Decree 115/2020 Art. 10(1): raw 49.99 fails even with priority 5'],
  ] as const)('when %#: raw %s with priority %s, then passed is %s (%s)', (rs, raw, priority, passed, _why) => {
    const q = run(rs, 1, [app('a', raw, { priority })]);
    expect(byId(q, 'a').gate.passed).toBe(passed);
    expect(byId(q, 'a').outcome).toBe(passed ? 'winner' : 'failed');
  });

  it.each([
    ['49.99', '80', false, 'Decree 170/2025: written 49.99 of 100 fails although the total is 64.995'],
    ['50', '50', true, 'Decree 170/2025: written and interview exactly 50 % pass'],
    ['80', '49.99', false, 'Decree 170/2025: interview 49.99 of 100 fails'],
  ])('when nd170 parts are written %s and interview %s, then passed is %s (%s)', (w, i, passed) => {
    const a = app('a', '65', { parts: [part('written', w, true), part('interview', i, false)] });
    expect(evaluateGate(a, nd170).passed).toBe(passed);
  });

  it('Decree 170/2025: when a part has a maximum of 30, then 15 (50 %) passes and 14.99 fails', () => {
    expect(evaluateGate(app('a', '70', { parts: [part('written', '15', true, '30')] }), nd170).passed).toBe(true);
    expect(evaluateGate(app('a', '70', { parts: [part('written', '14.99', true, '30')] }), nd170).passed).toBe(false);
  });

  it.each([
    [30, 15, true, 'Decree 138/2020 Art. 8(1): 30/60 and 15/30 (exactly 50 % each) pass round 1'],
    [29, 30, false, 'Decree 138/2020 Art. 8(1): 29/60 general knowledge fails round 1 whatever the other part'],
    [60, 14, false, 'Decree 138/2020 Art. 8(1): 14/30 foreign language fails round 1'],
  ])('when round 1 is %i/60 and %i/30, then passed is %s (%s)', (gk, fl, passed) => {
    const a = app('a', '90', {
      gateRounds: { passed: true, parts: [{ code: 'general_knowledge', correct: gk, total: 60 }, { code: 'foreign_language', correct: fl, total: 30 }] },
    });
    const g = evaluateGate(a, nd138);
    expect(g.passed).toBe(passed);
    if (!passed) expect(g.reasons[0]?.code).toBe('gate.round1_part_below');
  });

  it('Decree 06/2023: when the candidate is exempt from round 1, then a missing round 1 does not fail them', () => {
    const a = app('a', '70', { exempt: true, gateRounds: { passed: false, parts: [] } });
    const g = evaluateGate(a, nd138);
    expect(g.passed).toBe(true);
    expect(g.reasons.map((r) => r.code)).toEqual(['gate.exempt']);
  });

  it('Decree 138/2020 Art. 8: when round 1 is marked failed, then the application fails even without part detail', () => {
    expect(evaluateGate(app('a', null, { gateRounds: { passed: false, parts: [] } }), nd138).reasons.map((r) => r.code)).toEqual(['gate.round1_failed']);
  });

  it('Decree 138/2020 Art. 9: when the candidate did not sit round 2, then the outcome is absent', () => {
    const q = run(nd138, 1, [app('a', null), app('b', '60')]);
    expect(outcomes(q)).toEqual({ b: 'winner', a: 'absent' });
    expect(byId(q, 'a').rank).toBeNull();
  });
});

describe('ranking within a quota (Decree 138/2020 Art. 9(1)(b))', () => {
  it('Decree 138/2020 Art. 9(1)(b): when ranked by raw + priority, then the top slots win and the rest are ordered reserves', () => {
    const q = run(nd138, 2, [
      app('a', '70'),
      app('b', '75', { priority: '7.5', priorityCategory: 'war_invalid' }),
      app('c', '80'),
      app('d', '60'),
      app('e', '55', { priority: '2.5', priorityCategory: 'military_service' }),
      app('f', '40'),
    ]);
    expect(q.winners).toEqual(['b', 'c']);
    expect(q.status).toBe('complete');
    expect(q.applications.map((a) => [a.applicationId, a.outcome, a.rank, a.rankingScore])).toEqual([
      ['b', 'winner', 1, 8250],
      ['c', 'winner', 2, 8000],
      ['a', 'reserve', 3, 7000],
      ['d', 'reserve', 4, 6000],
      ['e', 'reserve', 5, 5750],
      ['f', 'failed', null, null],
    ]);
    expect(byId(q, 'b').decidedBy).toBe('score');
    expect(byId(q, 'b').explanation).toContain('Ranking score 82.50 = raw 75.00 + priority 7.50 (war_invalid)');
    expect(byId(q, 'f').explanation).toContain('40.00 is below 50.00');
  });

  it('Decree 138/2020 Art. 9: when fewer candidates pass than there are slots, then the quota is unfilled', () => {
    const q = run(nd138, 3, [app('a', '70'), app('b', '45')]);
    expect(q.status).toBe('unfilled');
    expect(q.winners).toEqual(['a']);
    expect(q.explanation).toContain('2 unfilled');
  });

  it('when a quota has no applications, then it is unfilled with no winners', () => {
    const r = computeRecruitmentResults({ ruleSet: nd138, quotas: [{ id: 'q1', slots: 2 }], applications: [] });
    expect(r[0]).toMatchObject({ status: 'unfilled', winners: [], passedCount: 0 });
  });
});

describe('ties at the last slot, resolved by each preset chain', () => {
  it('Decree 138/2020 Art. 9(2): when ranking scores tie, then the higher raw round-2 score wins', () => {
    const q = run(nd138, 1, [app('a', '75', { priority: '5', priorityCategory: 'ethnic_minority' }), app('b', '80')]);
    expect(outcomes(q)).toEqual({ b: 'winner', a: 'reserve' });
    expect(byId(q, 'b').decidedBy).toBe('ranking_round_raw');
    expect(byId(q, 'a').decidedBy).toBe('ranking_round_raw');
    expect(byId(q, 'b').explanation).toContain('higher raw ranking-round score');
  });

  it('Decree 138/2020 Art. 9(2): when raw scores also tie, then the quota waits for the head and nobody tied wins', () => {
    const q = run(nd138, 2, [app('top', '90'), app('a', '80', { priority: '5' }), app('b', '80', { priority: '5' }), app('c', '60')]);
    expect(q.status).toBe('tie_pending_decision');
    expect(q.tiedApplicationIds).toEqual(['a', 'b']);
    expect(q.openSlotsInTie).toBe(1);
    expect(q.winners).toEqual(['top']);
    expect(outcomes(q)).toEqual({ top: 'winner', a: 'tied_pending', b: 'tied_pending', c: 'reserve' });
    expect(byId(q, 'a').rank).toBe(2);
    expect(byId(q, 'b').rank).toBe(2);
    expect(byId(q, 'c').rank).toBe(4);
    expect(byId(q, 'a').decidedBy).toBeNull();
    expect(byId(q, 'a').tiedWith).toEqual(['b']);
    expect(byId(q, 'a').explanation).toContain("awaiting the head's decision");
  });

  it.each([
    [['b', 'a'], 'b', 'a'],
    [['a', 'b'], 'a', 'b'],
  ])("Decree 138/2020 Art. 9(2): when the head orders %j, then %s wins and %s is the first reserve", (order, winner, reserve) => {
    const apps = [app('top', '90'), app('a', '80'), app('b', '80'), app('c', '60')];
    const q = run(nd138, 2, apps, [{ quotaId: 'q1', orderedApplicationIds: order }]);
    expect(q.status).toBe('complete');
    expect(q.winners).toEqual(['top', winner]);
    expect(byId(q, winner).decidedBy).toBe('head_decision');
    expect(byId(q, reserve)).toMatchObject({ outcome: 'reserve', rank: 3, decidedBy: 'head_decision' });
    expect(byId(q, 'c').rank).toBe(4);
  });

  it('Decree 115/2020 Art. 10 as amended by 85/2023: when ranking scores tie, then the higher round-1 general knowledge wins', () => {
    const q = run(nd115, 1, [app('a', '80', { gk: '40' }), app('b', '75', { priority: '5', gk: '45' })]);
    expect(outcomes(q)).toEqual({ b: 'winner', a: 'reserve' });
    expect(byId(q, 'b').decidedBy).toBe('round1_general_knowledge');
  });

  it('Decree 115/2020 Art. 10: when nd115 ties on ranking score, then the raw score is NOT a tie-break step', () => {
    const q = run(nd115, 1, [app('a', '80', { gk: '40' }), app('b', '75', { priority: '5', gk: '40' })]);
    expect(q.status).toBe('tie_pending_decision');
    expect(q.tiedApplicationIds).toEqual(['a', 'b']);
  });

  it('Decree 115/2020 Art. 10: when a tied candidate was exempt from round 1 (no general-knowledge result), then the head decides', () => {
    const q = run(nd115, 1, [app('a', '80', { gk: '50' }), app('b', '80', { exempt: true })]);
    expect(q.status).toBe('tie_pending_decision');
  });

  it('Decree 170/2025: when ranking scores tie, then the higher raw round-2 score wins', () => {
    const q = run(nd170, 1, [
      app('a', '75', { priority: '5', parts: [part('written', '90', true), part('interview', '60', false)] }),
      app('b', '80', { parts: [part('written', '60', true), part('interview', '100', false)] }),
    ]);
    expect(q.winners).toEqual(['b']);
    expect(byId(q, 'b').decidedBy).toBe('ranking_round_raw');
  });

  it('Decree 170/2025: when round-2 scores also tie, then the higher written part wins', () => {
    const q = run(nd170, 1, [
      app('a', '80', { parts: [part('written', '70', true), part('interview', '90', false)] }),
      app('b', '80', { parts: [part('written', '90', true), part('interview', '70', false)] }),
    ]);
    expect(q.winners).toEqual(['b']);
    expect(byId(q, 'b').decidedBy).toBe('written_part');
    expect(byId(q, 'a').outcome).toBe('reserve');
  });

  it('Decree 170/2025: when the written part also ties, then the quota waits for the head', () => {
    const q = run(nd170, 1, [
      app('a', '80', { parts: [part('written', '80', true), part('interview', '80', false)] }),
      app('b', '80', { parts: [part('written', '80', true), part('interview', '80', false)] }),
    ]);
    expect(q.status).toBe('tie_pending_decision');
    expect(q.winners).toEqual([]);
    const settled = run(nd170, 1, [
      app('a', '80', { parts: [part('written', '80', true), part('interview', '80', false)] }),
      app('b', '80', { parts: [part('written', '80', true), part('interview', '80', false)] }),
    ], [{ quotaId: 'q1', orderedApplicationIds: ['b', 'a'] }]);
    expect(settled.winners).toEqual(['b']);
    expect(byId(settled, 'b').decidedBy).toBe('head_decision');
  });

  it('Decree 138/2020 Art. 9(2): when three tie for two slots, then the head must order them and none wins before', () => {
    const q = run(nd138, 2, [app('a', '80'), app('b', '80'), app('c', '80')]);
    expect(q).toMatchObject({ status: 'tie_pending_decision', winners: [], openSlotsInTie: 2 });
    expect(q.tiedApplicationIds.sort()).toEqual(['a', 'b', 'c']);
  });

  it('Decree 138/2020 Art. 9(2): when candidates tie but all fit within the slots, then all win and no decision is needed', () => {
    const q = run(nd138, 3, [app('a', '80'), app('b', '80'), app('c', '70'), app('d', '60')]);
    expect(q.status).toBe('complete');
    expect(q.winners).toEqual(['a', 'b', 'c']);
    expect(byId(q, 'a')).toMatchObject({ rank: 1, decidedBy: 'score', tiedWith: ['b'] });
    expect(byId(q, 'b').rank).toBe(1);
    expect(byId(q, 'c').rank).toBe(3);
  });

  it('Decree 138/2020 Art. 9(2): when the decision lists only some of the tied applications, then the tie stays pending', () => {
    const q = run(nd138, 1, [app('a', '80'), app('b', '80'), app('c', '80')], [{ quotaId: 'q1', orderedApplicationIds: ['a', 'b'] }]);
    expect(q.status).toBe('tie_pending_decision');
    expect(q.winners).toEqual([]);
  });

  it('when input order changes, then no tie is broken differently (never by id or position)', () => {
    const apps = [app('z', '80'), app('a', '80'), app('m', '70')];
    const one = run(nd138, 1, apps);
    const two = run(nd138, 1, [...apps].reverse());
    expect(outcomes(one)).toEqual(outcomes(two));
    expect(one.status).toBe('tie_pending_decision');
  });
});

describe('reserves (Decree 138/2020 Art. 17)', () => {
  it('Decree 138/2020 Art. 17: when reserves tie, then the chain orders them and unresolved ones share a rank and are flagged', () => {
    const q = run(nd138, 1, [app('w', '95'), app('r1', '80', { priority: '5' }), app('r2', '85'), app('r3', '70'), app('r4', '70'), app('r5', '60')]);
    expect(q.status).toBe('complete');
    expect(q.applications.map((a) => [a.applicationId, a.outcome, a.rank, a.decidedBy])).toEqual([
      ['w', 'winner', 1, 'score'],
      ['r2', 'reserve', 2, 'ranking_round_raw'],
      ['r1', 'reserve', 3, 'ranking_round_raw'],
      ['r3', 'reserve', 4, null],
      ['r4', 'reserve', 4, null],
      ['r5', 'reserve', 6, 'score'],
    ]);
    expect(q.reserveTies).toEqual([['r3', 'r4']]);
  });
});

describe('NV2: second choice only for leftover slots (Decree 115/2020 Art. 10 as amended by 85/2023)', () => {
  it('Decree 85/2023: when NV2 candidates score higher than NV1, then NV1 passers still take the slots first', () => {
    const q = run(nd115, 3, [
      app('n1', '60', { gk: '30' }),
      app('n2', '55', { gk: '30' }),
      app('n3', '40', { gk: '30' }),
      app('v1', '95', { choice: 2, gk: '30' }),
      app('v2', '90', { choice: 2, gk: '30' }),
    ]);
    expect(q.winners).toEqual(['n1', 'n2', 'v1']);
    expect(outcomes(q)).toEqual({ n1: 'winner', n2: 'winner', v1: 'winner', v2: 'reserve', n3: 'failed' });
    expect(byId(q, 'v1').rank).toBe(3);
    expect(byId(q, 'v1').explanation).toContain('NV2');
  });

  it('Decree 85/2023: when NV1 passers fill every slot, then NV2 candidates are reserves after all NV1 reserves', () => {
    const q = run(nd115, 1, [app('n1', '60'), app('n2', '55'), app('v1', '99', { choice: 2 })]);
    expect(q.applications.map((a) => [a.applicationId, a.outcome, a.rank])).toEqual([
      ['n1', 'winner', 1],
      ['n2', 'reserve', 2],
      ['v1', 'reserve', 3],
    ]);
  });

  it('Decree 85/2023: when a candidate won their NV1, then their NV2 application is not considered', () => {
    const r = computeRecruitmentResults({
      ruleSet: nd115,
      quotas: [{ id: 'qa', slots: 1 }, { id: 'qb', slots: 2 }],
      applications: [
        app('x-nv1', '90', { quotaId: 'qa', candidateId: 'x' }),
        app('y-nv1', '70', { quotaId: 'qa', candidateId: 'y' }),
        app('x-nv2', '90', { quotaId: 'qb', candidateId: 'x', choice: 2 }),
        app('y-nv2', '70', { quotaId: 'qb', candidateId: 'y', choice: 2 }),
        app('z', '60', { quotaId: 'qb', candidateId: 'z' }),
      ],
    });
    const qb = r.find((q) => q.quotaId === 'qb') as QuotaResult;
    expect(outcomes(qb)).toEqual({ z: 'winner', 'y-nv2': 'winner', 'x-nv2': 'not_considered' });
  });

  it("Decree 85/2023: when a candidate's NV1 tie awaits the head, then an NV2 slot they would take is awaiting", () => {
    const r = computeRecruitmentResults({
      ruleSet: nd115,
      quotas: [{ id: 'qa', slots: 1 }, { id: 'qb', slots: 1 }],
      applications: [
        app('x-nv1', '80', { quotaId: 'qa', candidateId: 'x' }),
        app('y-nv1', '80', { quotaId: 'qa', candidateId: 'y' }),
        app('x-nv2', '80', { quotaId: 'qb', candidateId: 'x', choice: 2 }),
        app('w-nv2', '60', { quotaId: 'qb', candidateId: 'w', choice: 2 }),
      ],
    });
    const qb = r.find((q) => q.quotaId === 'qb') as QuotaResult;
    expect(qb.status).toBe('awaiting_other_quota');
    expect(outcomes(qb)).toEqual({ 'x-nv2': 'awaiting_nv1', 'w-nv2': 'reserve' });
  });

  it('Decree 138/2020: when a civil-servant drive receives an NV2 application, then ranking.invalid_input is thrown', () => {
    expect(codeOf(() => run(nd138, 1, [app('a', '70', { choice: 2 })]))).toBe('ranking.invalid_input');
  });
});

describe('input validation', () => {
  it.each([
    [[app('a', '70'), app('a', '60')], 'duplicate application id'],
    [[app('a', '70', { quotaId: 'nope' })], 'unknown quota'],
    [[{ ...app('a', '70'), priorityPoints: -1 }], 'negative priority'],
    [[{ ...app('a', '70'), rankingRound: { total: 10001, parts: [] } }], 'raw score above 100'],
    [[{ ...app('a', '70'), rankingRound: { total: 70.5, parts: [] } }], 'float instead of hundredths'],
  ])('when %#: %s, then it throws', (apps) => {
    expect(() =>
      computeRecruitmentResults({ ruleSet: nd138, quotas: [{ id: 'q1', slots: 1 }], applications: apps as ApplicationScore[] }),
    ).toThrow(DomainError);
  });

  it('when a tie decision names an unknown quota, then tie_decision.invalid is thrown', () => {
    expect(codeOf(() => run(nd138, 1, [app('a', '70')], [{ quotaId: 'zz', orderedApplicationIds: ['a', 'b'] }]))).toBe('tie_decision.invalid');
  });
});

describe('validateTieDecision', () => {
  const results = computeRecruitmentResults({
    ruleSet: nd138,
    quotas: [{ id: 'q1', slots: 1 }],
    applications: [app('a', '80'), app('b', '80'), app('c', '70'), app('d', '70')],
  });

  it('Decree 138/2020 Art. 9(2): when the decision orders exactly the tied applications, then it is accepted', () => {
    expect(() => validateTieDecision(results, { quotaId: 'q1', orderedApplicationIds: ['b', 'a'] })).not.toThrow();
    expect(() => validateTieDecision(results, { quotaId: 'q1', orderedApplicationIds: ['d', 'c'] })).not.toThrow();
  });

  it.each([
    [['a'], 'only part of the tie'],
    [['a', 'b', 'c'], 'more than the tie'],
    [['a', 'c'], 'mixing two ties'],
    [['a', 'a'], 'a duplicate'],
  ])('when the decision orders %j (%s), then tie_decision.invalid is thrown', (ids) => {
    expect(codeOf(() => validateTieDecision(results, { quotaId: 'q1', orderedApplicationIds: ids }))).toBe('tie_decision.invalid');
  });
});

describe('promoteReserve: a cancelled winner is replaced by the next reserve of the same quota (Decree 138/2020 Art. 17)', () => {
  const base = (): QuotaResult[] =>
    computeRecruitmentResults({
      ruleSet: nd138,
      quotas: [{ id: 'q1', slots: 2 }, { id: 'q2', slots: 1 }],
      applications: [
        app('a', '90'),
        app('b', '85'),
        app('c', '80'),
        app('d', '75'),
        app('other', '99', { quotaId: 'q2' }),
        app('other2', '98', { quotaId: 'q2' }),
      ],
    });

  it('Decree 138/2020 Art. 17: when a winner is cancelled, then the first reserve of that quota replaces them', () => {
    const p = promoteReserve(base(), 'a');
    expect(p).toMatchObject({ status: 'promoted', quotaId: 'q1', replacementApplicationId: 'c', newWinnerIds: ['c'] });
    const q1 = p.results.find((q) => q.quotaId === 'q1') as QuotaResult;
    expect(q1.winners).toEqual(['b', 'c']);
    expect(outcomes(q1)).toEqual({ a: 'cancelled', b: 'winner', c: 'winner', d: 'reserve' });
    expect(byId(q1, 'c').explanation).toContain('replace cancelled a');
    // the other quota's reserves are untouched, and so is the input
    expect(p.results.find((q) => q.quotaId === 'q2')?.winners).toEqual(['other']);
    expect(base()[0]?.winners).toEqual(['a', 'b']);
  });

  it('Decree 138/2020 Art. 17: when two winners are cancelled in turn, then the reserves are used in rank order', () => {
    const first = promoteReserve(base(), 'a');
    const second = promoteReserve(first.results, 'b');
    expect(second).toMatchObject({ status: 'promoted', replacementApplicationId: 'd' });
    const third = promoteReserve(second.results, 'c');
    expect(third.status).toBe('no_reserve');
    expect(third.results.find((q) => q.quotaId === 'q1')?.status).toBe('unfilled');
  });

  it('Decree 138/2020 Art. 17 with Art. 9(2): when the next reserves are tied, then the replacement waits for the head', () => {
    const results = computeRecruitmentResults({
      ruleSet: nd138,
      quotas: [{ id: 'q1', slots: 1 }],
      applications: [app('w', '90'), app('r1', '80'), app('r2', '80'), app('r3', '70')],
    });
    const p = promoteReserve(results, 'w');
    expect(p).toMatchObject({ status: 'tie_pending_decision', tiedApplicationIds: ['r1', 'r2'], openSlotsInTie: 1 });
    const q1 = p.results[0] as QuotaResult;
    expect(q1.winners).toEqual([]);
    expect(q1.status).toBe('tie_pending_decision');

    // once the head has ordered the reserves, the replacement is determined
    const decided = computeRecruitmentResults({
      ruleSet: nd138,
      quotas: [{ id: 'q1', slots: 1 }],
      applications: [app('w', '90'), app('r1', '80'), app('r2', '80'), app('r3', '70')],
      tieDecisions: [{ quotaId: 'q1', orderedApplicationIds: ['r2', 'r1'] }],
    });
    expect(promoteReserve(decided, 'w')).toMatchObject({ status: 'promoted', replacementApplicationId: 'r2' });
  });

  it('Decree 138/2020 Art. 17 with Art. 9(2): when a reserve ties with a higher-ranked reserve by the chain, then the raw score decides the replacement', () => {
    const results = computeRecruitmentResults({
      ruleSet: nd138,
      quotas: [{ id: 'q1', slots: 1 }],
      applications: [app('w', '90'), app('r1', '75', { priority: '5' }), app('r2', '80')],
    });
    expect(promoteReserve(results, 'w')).toMatchObject({ status: 'promoted', replacementApplicationId: 'r2' });
  });

  it('Decree 138/2020 Art. 17 with Art. 9(2): when the head orders reserves tied for a freed slot, then the first takes it and the rest stay reserves in that order', () => {
    const results = computeRecruitmentResults({
      ruleSet: nd138,
      quotas: [{ id: 'q1', slots: 1 }],
      applications: [app('w', '90'), app('r1', '80'), app('r2', '80'), app('r3', '70')],
    });
    const pending = promoteReserve(results, 'w');
    expect(codeOf(() => applyReplacementDecision(pending.results, { quotaId: 'q1', orderedApplicationIds: ['r1', 'r3'] }))).toBe('tie_decision.invalid');
    expect(codeOf(() => applyReplacementDecision(results, { quotaId: 'q1', orderedApplicationIds: ['r1', 'r2'] }))).toBe('tie_decision.invalid');
    const decided = applyReplacementDecision(pending.results, { quotaId: 'q1', orderedApplicationIds: ['r2', 'r1'] });
    expect(decided.newWinnerIds).toEqual(['r2']);
    const q1 = decided.results[0] as QuotaResult;
    expect(q1).toMatchObject({ status: 'complete', winners: ['r2'], tiedApplicationIds: [] });
    expect(outcomes(q1)).toMatchObject({ w: 'cancelled', r2: 'winner', r1: 'reserve', r3: 'reserve' });
    expect(byId(q1, 'r1')).toMatchObject({ decidedBy: 'head_decision', rank: 3 });
    // a later cancellation goes to r1, now ahead of r3 by the head's order
    expect(promoteReserve(decided.results, 'r2')).toMatchObject({ status: 'promoted', replacementApplicationId: 'r1' });
  });

  it.each([
    ['c', 'a reserve'],
    ['nobody', 'an unknown application'],
  ])('when %s (%s) is cancelled, then promotion.invalid is thrown', (id) => {
    expect(codeOf(() => promoteReserve(base(), id))).toBe('promotion.invalid');
  });
});

describe('rankWithTieChain', () => {
  const items = [
    { id: 'a', s: 80, raw: 75, w: 60 },
    { id: 'b', s: 80, raw: 80, w: 50 },
    { id: 'c', s: 80, raw: 80, w: 70 },
    { id: 'd', s: 90, raw: 90, w: 0 },
  ];
  it('Decree 170/2025: when the chain is raw → written → head, then each step only orders what the previous left tied', () => {
    const groups = rankWithTieChain(items, {
      id: (x) => x.id,
      score: (x) => x.s,
      chain: ['ranking_round_raw', 'written_part', 'head_decision'],
      key: (x, step) => (step === 'ranking_round_raw' ? x.raw : step === 'written_part' ? x.w : null),
    });
    expect(groups.map((g) => [g.rank, g.tied, g.members.map((m) => `${m.item.id}:${m.decidedBy}`)])).toEqual([
      [1, false, ['d:score']],
      [2, false, ['c:written_part']],
      [3, false, ['b:written_part']],
      [4, false, ['a:ranking_round_raw']],
    ]);
  });
  it('2424/BNV-CCVC: when the chain is only the head and there is no decision, then equal scores stay one tied group', () => {
    const groups = rankWithTieChain(items, { id: (x) => x.id, score: (x) => x.s, chain: ['head_decision'], key: () => null });
    expect(groups.map((g) => [g.rank, g.tied, g.stoppedAt, g.members.length])).toEqual([
      [1, false, null, 1],
      [2, true, 'head_decision', 3],
    ]);
  });
});
