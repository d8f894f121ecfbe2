import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { finalPartScore, reconcileDouble, reconcilePanel } from '../../src/domain/reconciliation.js';
import { resolveRuleSet } from '../../src/domain/rule-sets.js';
import { pts } from './fixtures.js';

const rule = resolveRuleSet('nd138').reconciliation;

describe('reconcileDouble (Circular 6/2020 Art. 31)', () => {
  it.each([
    ['70', '70', { status: 'final', score: 7000, rule: 'average', spread: 0 }, 'equal marks'],
    ['70', '75', { status: 'final', score: 7250, rule: 'average', spread: 500 }, 'spread exactly 5 is averaged'],
    ['70', '74.5', { status: 'final', score: 7230, rule: 'average', spread: 450 }, 'average 72.25 rounds half-up to 72.3'],
    ['70', '75.01', { status: 'head_decides', spread: 501 }, 'spread 5.01 goes to the head of marking'],
    ['70', '79.99', { status: 'head_decides', spread: 999 }, 'spread 9.99 still goes to the head'],
    ['70', '80', { status: 'escalated', spread: 1000 }, 'spread exactly 10 is escalated'],
    ['80', '60', { status: 'escalated', spread: 2000 }, 'order of markers does not matter'],
  ])('when marks are %s and %s, then %j (%s)', (a: string, b: string, expected: object, _why: string) => {
    expect(reconcileDouble(pts(a), pts(b), rule)).toEqual(expected);
  });
});

describe('reconcilePanel (Circular 6/2020 Art. 31: panel parts use the spread max − min)', () => {
  it.each([
    [['80', '82', '85'], { status: 'final', score: 8230, rule: 'average', spread: 500 }, '82.333… → 82.3'],
    [['80', '80', '80.5'], { status: 'final', score: 8020, rule: 'average', spread: 50 }, '80.1666… → 80.2'],
    [['70', '72', '75.01', '71'], { status: 'head_decides', spread: 501 }, 'one outlier above 5'],
    [['60', '65', '70'], { status: 'escalated', spread: 1000 }, 'spread 10 across three members'],
  ])('when the panel marks are %j, then %j (%s)', (marks: string[], expected: object, _why: string) => {
    expect(reconcilePanel(marks.map(pts), rule)).toEqual(expected);
  });

  it('when the rule set keeps two decimals, then the average is rounded to hundredths', () => {
    expect(reconcilePanel([pts('80'), pts('80'), pts('80.5')], { ...rule, rounding: 'hundredth' })).toMatchObject({ score: 8017 });
  });

  it('when a province changes the thresholds, then they are used', () => {
    expect(reconcileDouble(pts('70'), pts('73'), { averageMaxSpread: 200, escalateAtSpread: 300, rounding: 'tenth' })).toEqual({ status: 'escalated', spread: 300 });
  });

  it('when there are no marks, then reconciliation.invalid is thrown', () => {
    expect(() => reconcilePanel([], rule)).toThrow(DomainError);
  });
});

describe('finalPartScore', () => {
  it('Circular 6/2020 Art. 31: when the spread is within 5, then the average is final', () => {
    expect(finalPartScore({ marks: [pts('70'), pts('74.5')], rule })).toMatchObject({ status: 'final', score: 7230, basis: 'average' });
  });

  it('Circular 6/2020 Art. 31: when the spread is 7 and no decision yet, then head_decides is pending', () => {
    expect(finalPartScore({ marks: [pts('70'), pts('77')], rule })).toMatchObject({ status: 'head_decides', spread: 700 });
  });

  it("Circular 6/2020 Art. 31: when the spread is 7 and the head decides 74, then 74 is final with the head's basis", () => {
    expect(finalPartScore({ marks: [pts('70'), pts('77')], rule, resolution: { by: 'head_decision', score: pts('74') } })).toMatchObject({
      status: 'final',
      score: 7400,
      basis: 'head_decision',
      spread: 700,
    });
  });

  it('Circular 6/2020 Art. 31: when the spread is 12 and a third marker gives 66, then 66 is final', () => {
    expect(finalPartScore({ marks: [pts('60'), pts('72')], rule, resolution: { by: 'third_marker', score: pts('66') } })).toMatchObject({
      status: 'final',
      score: 6600,
      basis: 'third_marker',
    });
  });

  it('when the head tries to settle an escalated spread, then reconciliation.invalid is thrown', () => {
    expect(() => finalPartScore({ marks: [pts('60'), pts('72')], rule, resolution: { by: 'head_decision', score: pts('66') } })).toThrow(DomainError);
  });

  it('when a decision is given for marks within the spread, then reconciliation.invalid is thrown', () => {
    expect(() => finalPartScore({ marks: [pts('70'), pts('71')], rule, resolution: { by: 'head_decision', score: pts('70') } })).toThrow(DomainError);
  });

  it('Circular 6/2020 (marking rules, breach zero): when the script shows two handwritings, then the head scores 0 with the reason', () => {
    const r = finalPartScore({ marks: [pts('80'), pts('81')], rule, breach: { reason: 'two handwritings' } });
    expect(r).toMatchObject({ status: 'final', score: 0, basis: 'breach_zero' });
    expect(r.reason).toContain('two handwritings');
  });

  it('when a breach has no reason, then reconciliation.invalid is thrown', () => {
    expect(() => finalPartScore({ marks: [], rule, breach: { reason: '  ' } })).toThrow(DomainError);
  });

  it('when a mark exceeds the part maximum, then score.invalid is thrown', () => {
    expect(() => finalPartScore({ marks: [pts('101'), pts('100')], rule })).toThrow(DomainError);
  });
});
