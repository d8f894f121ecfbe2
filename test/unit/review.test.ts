import { describe, expect, it } from 'vitest';
import type { ApplicationScore, QuotaResult, RankingQuota } from '../../src/domain/ranking.js';
import {
  checkReviewQuota,
  checkReviewRegistration,
  checkReviewRound,
  computeResultsByMethod,
  oralDueBy,
  reviewPartAppealable,
  reviewRankingRuleSet,
  type QuotaMethod,
  type ReviewGroup,
} from '../../src/domain/review.js';
import { resolveRuleSet } from '../../src/domain/rule-sets.js';
import { app, part } from './fixtures.js';

/*
 * Selection by review (xét tuyển): Decree 170/2025 Art. 3(2)(d), 5, 11, 12, 16(6); Decree 115/2020
 * Art. 11–12 as amended by 85/2023.
 */

const nd170 = resolveRuleSet('nd170');
const nd115 = resolveRuleSet('nd115');
const nd138 = resolveRuleSet('nd138');
const leadership = resolveRuleSet('leadership');

describe('the rule sets’ review section (data)', () => {
  it('170 Art. 5, 11, 12, 16(6) and 115 Art. 11–12: groups, forms, 100 points, the ≥ 50 gate, the summons limit, appeals, ties', () => {
    expect(nd170.review).toMatchObject({
      groups: ['disadvantaged_area_commitment', 'cu_tuyen_graduate', 'talent'],
      round2Forms: ['oral'],
      round2MaxScore: 10000,
      oralMinutes: 30,
      oralPreparationMaxMinutes: 15,
      round2MinRaw: 5000,
      oralWithinDaysOfSummons: 15,
      appeals: 'never',
      tieBreak: ['ranking_round_raw', 'head_decision'],
    });
    expect(resolveRuleSet('nd170-300').review).toEqual(nd170.review);
    expect(nd115.review).toMatchObject({ groups: [], round2Forms: ['oral', 'practical', 'written'], oralWithinDaysOfSummons: null, appeals: 'written_parts', tieBreak: ['round1_general_knowledge', 'head_decision'] });
    expect(nd138.review).toBeUndefined();
  });

  it('a province may override a limit the law lets vary, but not add reviews to a preset without them', () => {
    expect(resolveRuleSet('nd170', { review: { oralWithinDaysOfSummons: 10 } }).review?.oralWithinDaysOfSummons).toBe(10);
    expect(() => resolveRuleSet('nd138', { review: { round2MinRaw: 5000 } })).toThrow(/no selection by review/);
  });

  it('reviewRankingRuleSet: round 2 ≥ 50 without a part gate, the review’s tie chain, first choices only', () => {
    const r = reviewRankingRuleSet(nd115);
    expect(r.gate).toMatchObject({ rankingRoundMinRaw: 5000, rankingRoundPartMinPercent: null });
    expect(r.tieBreak).toEqual(['round1_general_knowledge', 'head_decision']);
    expect(r.applicationsPerCandidate).toBe(1);
  });
});

describe('checkReviewQuota (170 Art. 3(2)(d), 5; Art. 12(4): no carry-over)', () => {
  const q = (method: QuotaMethod, reviewGroup: ReviewGroup | null, secondChoiceOpen = false) => ({ method, reviewGroup, secondChoiceOpen, leadership: false });
  const cases: [string, ReturnType<typeof resolveRuleSet>, ReturnType<typeof q>, string | null][] = [
    ['an exam quota', nd170, q('exam', null), null],
    ['an exam quota naming a group', nd170, q('exam', 'talent'), 'quota.review_group_not_applicable'],
    ['a 170 review quota of the talent group', nd170, q('review', 'talent'), null],
    ['a 170 review quota without a group', nd170, q('review', null), 'quota.review_group_required'],
    ['a 115 review quota (no groups)', nd115, q('review', null), null],
    ['a 115 review quota naming a group', nd115, q('review', 'cu_tuyen_graduate'), 'quota.review_group_not_applicable'],
    ['a review quota open to NV2', nd115, q('review', null, true), 'quota.review_second_choice'],
    ['a review quota under 138 (no review rules)', nd138, q('review', null), 'quota.review_not_allowed'],
  ];
  it.each(cases)('when %s, then %s', (_name, ruleSet, quota, code) => {
    expect(checkReviewQuota(ruleSet, quota)?.code ?? null).toBe(code);
  });
  it('a leadership title is never reviewed', () => {
    expect(checkReviewQuota(leadership, { ...q('review', null), leadership: true })?.code).toBe('quota.review_not_allowed');
  });
});

describe('checkReviewRegistration (170 Art. 5: the group checked at registration, with evidence)', () => {
  const exam = { method: 'exam' as const, reviewGroup: null };
  const talent = { method: 'review' as const, reviewGroup: 'talent' as const };
  const pe = { method: 'review' as const, reviewGroup: null };
  const cases: [string, { method: QuotaMethod; reviewGroup: ReviewGroup | null }, ReviewGroup | null, string[], number, string | null][] = [
    ['an exam registration', exam, null, [], 1, null],
    ['a group declared for an exam quota', exam, 'talent', ['QĐ-1'], 1, 'application.review_group_not_applicable'],
    ['the talent group with its diploma', talent, 'talent', ['Bằng TN xuất sắc 123'], 1, null],
    ['the cử tuyển group for a talent quota', talent, 'cu_tuyen_graduate', ['QĐ cử tuyển 45'], 1, 'application.review_group_mismatch'],
    ['no group for a talent quota', talent, null, [], 1, 'application.review_group_required'],
    ['the group without evidence', talent, 'talent', [], 1, 'application.review_evidence_required'],
    ['a second choice on a review quota', talent, 'talent', ['x'], 2, 'application.review_second_choice'],
    ['a public-employee review (no groups)', pe, null, [], 1, null],
    ['a group declared for a public-employee review', pe, 'talent', ['x'], 1, 'application.review_group_not_applicable'],
  ];
  it.each(cases)('when %s, then %s', (_name, quota, group, evidenceRefs, choice, code) => {
    expect(checkReviewRegistration(quota, { group, evidenceRefs }, choice)?.code ?? null).toBe(code);
  });
});

describe('checkReviewRound (170 Art. 11(2), 16(6); 115 Art. 11(2) → 9(2))', () => {
  const oral = [{ code: 'oral', written: false, maxScore: 10000 }];
  const written = [{ code: 'written', written: true, maxScore: 10000 }];
  const round = (parts: typeof oral, summonedOn: string | null = null, scheduledOn: string | null = null) => ({ ranking: true, foreignLanguage: false, parts, summonedOn, scheduledOn });
  const cases: [string, NonNullable<typeof nd170.review>, ReturnType<typeof round>, string | null][] = [
    ['a 170 oral on 100 points', nd170.review!, round(oral), null],
    ['a 170 written round 2', nd170.review!, round(written), 'round.review_form_not_allowed'],
    ['a 115 written round 2', nd115.review!, round(written), null],
    ['a 170 oral on 50 points', nd170.review!, round([{ code: 'oral', written: false, maxScore: 5000 }]), 'round.review_max_score'],
    ['the oral 15 days after the summons', nd170.review!, round(oral, '2026-03-01', '2026-03-16'), null],
    ['the oral 16 days after the summons', nd170.review!, round(oral, '2026-03-01', '2026-03-17'), 'round.review_oral_late'],
    ['the oral before the summons', nd170.review!, round(oral, '2026-03-10', '2026-03-09'), 'round.review_oral_before_summons'],
    ['a 115 oral a month after the summons (no limit)', nd115.review!, round(oral, '2026-03-01', '2026-04-01'), null],
  ];
  it.each(cases)('when %s, then %s', (_name, rules, r, code) => {
    expect(checkReviewRound(rules, r)?.code ?? null).toBe(code);
  });
  it('Art. 16(6): the last day is the 15th after the summons, across a month end', () => {
    expect(oralDueBy(nd170.review!, '2026-01-25')).toBe('2026-02-09');
    expect(oralDueBy(nd115.review!, '2026-01-25')).toBeNull();
    expect(oralDueBy(nd170.review!, null)).toBeNull();
  });
});

describe('reviewPartAppealable (170 Art. 16(6): no appeal; 115: a written round 2 as in the exam)', () => {
  it.each([
    ['170 oral', nd170.review, false, false],
    ['170 written (never allowed anyway)', nd170.review, true, false],
    ['115 written', nd115.review, true, true],
    ['115 oral', nd115.review, false, false],
    ['no review rules', undefined, true, false],
  ] as const)('%s → %s', (_name, rules, written, expected) => {
    expect(reviewPartAppealable(rules, { written })).toBe(expected);
  });
});

describe('computeResultsByMethod (170 Art. 12; 115 Art. 12 → 10)', () => {
  const methods = (review: string[]) => (id: string) => (review.includes(id) ? 'review' : 'exam') as QuotaMethod;
  const run = (ruleSet: ReturnType<typeof resolveRuleSet>, quotas: RankingQuota[], applications: ApplicationScore[], review: string[], tieDecisions?: { quotaId: string; orderedApplicationIds: string[] }[]) =>
    new Map<string, QuotaResult>(computeResultsByMethod({ ruleSet, quotas, applications, ...(tieDecisions ? { tieDecisions } : {}) }, methods(review)).map((r) => [r.quotaId, r]));
  const outcomes = (q: QuotaResult) => Object.fromEntries(q.applications.map((a) => [a.applicationId, a.outcome]));

  it('Art. 12(1): round 2 ≥ 50 before priority, ranked on round 2 + priority; 49.99 + 7.5 fails', () => {
    const r = run(nd170, [{ id: 'r', slots: 2 }], [app('a', '80', { quotaId: 'r' }), app('b', '70', { quotaId: 'r', priority: '7.5' }), app('c', '49.99', { quotaId: 'r', priority: '7.5' }), app('d', '72', { quotaId: 'r' })], ['r']).get('r')!;
    expect(outcomes(r)).toEqual({ a: 'winner', b: 'winner', d: 'reserve', c: 'failed' });
    expect(r.applications.find((x) => x.applicationId === 'b')!.rankingScore).toBe(7750);
  });

  it('Art. 12(2): equal round 2 + priority → the higher round 2; still equal → the head decides', () => {
    const q = [{ id: 'r', slots: 1 }];
    const higherRaw = run(nd170, q, [app('a', '75', { quotaId: 'r' }), app('b', '70', { quotaId: 'r', priority: '5' })], ['r']).get('r')!;
    expect(outcomes(higherRaw)).toEqual({ a: 'winner', b: 'reserve' });
    const equal = [app('a', '75', { quotaId: 'r' }), app('b', '75', { quotaId: 'r' })];
    const pending = run(nd170, q, equal, ['r']).get('r')!;
    expect(pending.status).toBe('tie_pending_decision');
    expect(pending.tiedApplicationIds.sort()).toEqual(['a', 'b']);
    const decided = run(nd170, q, equal, ['r'], [{ quotaId: 'r', orderedApplicationIds: ['b', 'a'] }]).get('r')!;
    expect(outcomes(decided)).toEqual({ b: 'winner', a: 'reserve' });
  });

  it('Art. 3(2)(d): in one drive, an exam quota breaks a tie on the written part (Art. 10(2)) and fails a part below 50 %; a review quota does neither', () => {
    const parts = (w: string, i: string) => ({ parts: [part('written', w, true), part('interview', i, false)] });
    const quotas = [
      { id: 'e', slots: 1 },
      { id: 'r', slots: 1 },
    ];
    const res = run(
      nd170,
      quotas,
      [
        app('e1', '70', { quotaId: 'e', ...parts('80', '60') }),
        app('e2', '70', { quotaId: 'e', ...parts('60', '80') }),
        app('e3', '72', { quotaId: 'e', ...parts('100', '45') }),
        app('r1', '70', { quotaId: 'r', ...parts('80', '60') }),
        app('r2', '70', { quotaId: 'r', ...parts('60', '80') }),
      ],
      ['r'],
    );
    expect(outcomes(res.get('e')!)).toEqual({ e1: 'winner', e2: 'reserve', e3: 'failed' });
    expect(res.get('r')!.status).toBe('tie_pending_decision');
    expect([...res.keys()]).toEqual(['e', 'r']);
  });

  it('115 Art. 12 → 10(2): a review has no round-1 score, so a tie goes to the head', () => {
    const r = run(nd115, [{ id: 'r', slots: 1 }], [app('a', '66', { quotaId: 'r' }), app('b', '66', { quotaId: 'r' })], ['r']).get('r')!;
    expect(r.status).toBe('tie_pending_decision');
  });

  it('Art. 12(3): a jointly recruited position is ranked together within its method; exam and review quotas of one position are refused', () => {
    const joint = [
      { id: 'r1', slots: 1, agencyId: 'A', jointKey: 'jp' },
      { id: 'r2', slots: 1, agencyId: 'B', jointKey: 'jp' },
    ];
    const apps = [
      { ...app('a', '90', { quotaId: 'r1' }), agencyPreferences: ['A', 'B'] },
      { ...app('b', '80', { quotaId: 'r1' }), agencyPreferences: ['A', 'B'] },
    ];
    const res = run(nd170, joint, apps, ['r1', 'r2']);
    expect(res.get('r1')!.winners).toEqual(['a']);
    expect(res.get('r2')!.winners).toEqual(['b']);
    expect(() => run(nd170, joint, apps, ['r1'])).toThrow(/mixes exam and review/);
  });
});
