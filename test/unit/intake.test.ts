import { describe, expect, it } from 'vitest';
import {
  assessIntake,
  checkCouncilComposition,
  checkDossier,
  councilNeeded,
  earliestIssue,
  minusMonths,
  oralOutcome,
  type DossierItemRule,
  type IntakeCategoryRule,
  type IntakeFacts,
} from '../../src/domain/intake.js';

/*
 * Decree 170/2025 Art. 13(3)–(4), 14(1)–(3) as issued; Decree 115/2020 Art. 13 as amended by 85/2023.
 * The catalogue entries below mirror the seed of migrations/0039_intake.sql.
 */
const dossier170: DossierItemRule[] = [
  { code: 'cv', name: 'CV', validityDays: 30, validityMonths: null },
  { code: 'diplomas', name: 'Diplomas', validityDays: null, validityMonths: null },
  { code: 'health', name: 'Health certificate', validityDays: null, validityMonths: 6 },
  { code: 'self_assessment', name: 'Self-assessment', validityDays: null, validityMonths: null },
];
const rule = (over: Partial<IntakeCategoryRule>): IntakeCategoryRule => ({ condition: 'insured_years', minYears: 5, councilRequired: false, oralRequired: false, dossierItems: dossier170, ...over });
const RECEIVED = '2026-03-31';
const fullDossier = [
  { code: 'cv', issuedOn: '2026-03-15' },
  { code: 'diplomas', issuedOn: '2010-06-30' },
  { code: 'health', issuedOn: '2025-10-01' },
  { code: 'self_assessment', issuedOn: '2026-03-20' },
];
const facts = (over: Partial<IntakeFacts>): IntakeFacts => ({
  insuredMonths: 60,
  relevantWork: true,
  resultsRef: null,
  assignmentDecision: null,
  underDiscipline: false,
  leadershipPost: false,
  receivedOn: RECEIVED,
  dossier: fullDossier,
  ...over,
});

describe('170 Art. 13(3): the conditions of each category', () => {
  it.each([
    // label, category rule, facts, problem codes
    ['b: 5 years of insured relevant work', rule({}), facts({}), []],
    ['b: 59 months is short of 5 years', rule({}), facts({ insuredMonths: 59 }), ['insured_years_short']],
    ['b: no insured months recorded', rule({}), facts({ insuredMonths: null }), ['insured_years_short']],
    ['b: years in unrelated work', rule({}), facts({ relevantWork: false }), ['work_not_relevant']],
    ['a (talent): results fitting the position', rule({ condition: 'results', minYears: null }), facts({ insuredMonths: 0, resultsRef: 'Bằng sáng chế 123' }), []],
    ['a (talent): no results', rule({ condition: 'results', minYears: null }), facts({}), ['results_missing']],
    ['đ: the written decision replaces the 5 years (Art. 13(3)(c))', rule({ condition: 'assignment_decision', minYears: null }), facts({ insuredMonths: 12, assignmentDecision: { number: '12/QĐ-UBND', date: '2022-01-05' } }), []],
    ['đ: without the written decision', rule({ condition: 'assignment_decision', minYears: null }), facts({ insuredMonths: 120 }), ['assignment_decision_missing']],
    ['115 Art. 13(1)(d): 3 years', rule({ minYears: 3 }), facts({ insuredMonths: 36 }), []],
    ['under discipline bars every category', rule({ condition: 'none', minYears: null }), facts({ underDiscipline: true }), ['under_discipline']],
  ] as const)('when %s, then the problems are %j', (_label, r, f, codes) => {
    expect(assessIntake(r, f).problems.map((p) => p.code)).toEqual(codes);
  });
});

describe('170 Art. 13(4); 115 Art. 13(3): dossier items within their validity, counted back from the dossier', () => {
  it.each([
    ['complete and in time', fullDossier, []],
    ['CV made 30 days before', [{ code: 'cv', issuedOn: '2026-03-01' }, ...fullDossier.slice(1)], []],
    ['CV made 31 days before', [{ code: 'cv', issuedOn: '2026-02-28' }, ...fullDossier.slice(1)], ['dossier_item_expired:cv']],
    ['health certificate exactly 6 months before', [...fullDossier.slice(0, 2), { code: 'health', issuedOn: '2025-09-30' }, fullDossier[3]!], []],
    ['health certificate 6 months and a day before', [...fullDossier.slice(0, 2), { code: 'health', issuedOn: '2025-09-29' }, fullDossier[3]!], ['dossier_item_expired:health']],
    ['a paper dated after the dossier', [{ code: 'cv', issuedOn: '2026-04-01' }, ...fullDossier.slice(1)], ['dossier_item_after_receipt:cv']],
    ['no self-assessment', fullDossier.slice(0, 3), ['dossier_item_missing:self_assessment']],
  ] as const)('when %s, then %j', (_label, given, expected) => {
    expect(checkDossier(dossier170, RECEIVED, given).map((p) => `${p.code}:${p.item}`)).toEqual(expected);
  });

  it.each([
    ['2026-08-31', 6, '2026-02-28'],
    ['2028-08-31', 6, '2028-02-29'],
    ['2026-03-31', 6, '2025-09-30'],
    ['2026-01-15', 1, '2025-12-15'],
  ])('when counting back from %s by %d months, then the day is %s (clamped to the month’s end)', (date, months, expected) => {
    expect(minusMonths(date, months)).toBe(expected);
  });

  it('when the 115 health certificate is 30 days (Art. 13(3)(c)), then the earliest day is 30 days back', () => {
    expect(earliestIssue({ code: 'health', name: 'h', validityDays: 30, validityMonths: null }, '2026-03-31')).toBe('2026-03-01');
  });
});

describe('170 Art. 14(1)–(2); 115 Art. 13(2), (4): when a council sits', () => {
  it.each([
    ['category with a council, not a leadership post', true, false, true],
    ['category with a council, taken in to a leadership post (Art. 14(2)(b))', true, true, false],
    ['category without a council (b, c, đ; Art. 14(2)(a))', false, false, false],
  ])('when %s, then a council is needed: %j', (_label, required, leadership, expected) => {
    expect(councilNeeded({ councilRequired: required }, leadership)).toBe(expected);
  });

  it('when the category needs a council and an oral but the post is a leadership one, then neither', () => {
    const a = assessIntake(rule({ condition: 'results', minYears: null, councilRequired: true, oralRequired: true }), facts({ resultsRef: 'x', leadershipPost: true }));
    expect([a.councilRequired, a.oralRequired]).toEqual([false, false]);
  });
});

describe('170 Art. 14(1)(a), 8(1): the council is formed as the recruitment council', () => {
  it.each([
    [['head', 'deputy', 'secretary', 'member', 'member'], null],
    [['head', 'deputy', 'secretary', 'member', 'member', 'member', 'member'], null],
    [['head', 'deputy', 'secretary', 'member'], 'The council has 4 members: it has 5 or 7 (170 Art. 8(1))'],
    [['head', 'head', 'secretary', 'member', 'member'], 'The council has 2 chairs: it has exactly one (170 Art. 8(1))'],
    [['head', 'member', 'secretary', 'member', 'member'], 'The council has 0 deputy chairs: it has exactly one (170 Art. 8(1))'],
  ])('when the seats are %j, then %j', (seats, expected) => {
    expect(checkCouncilComposition(seats)).toBe(expected);
  });
});

describe('the oral: members’ mean at 2 decimals, the chair past 10 points (Quy chế Art. 22(1))', () => {
  it.each([
    [[7000, 7500, 8000, 7000, 7100], 'final', 7320],
    [[7000, 7033], 'final', 7017],
    [[6000, 7100], 'head_decides', null],
    [[7000], 'awaiting_marks', null],
  ])('when the marks are %j, then %s with %j', (marks, status, score) => {
    const o = oralOutcome(marks);
    expect([o.status, o.score]).toEqual([status, score]);
  });
});
