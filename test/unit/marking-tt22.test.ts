import { describe, expect, it } from 'vitest';
import { markingRules, reconcileDoubleTt22, reconcilePanelTt22 } from '../../src/domain/marking-tt22.js';
import { resolveRuleSet } from '../../src/domain/rule-sets.js';
import { pts } from './fixtures.js';

describe('paper written scripts, Circular 22/2025 Quy chế Art. 16(2)(c)', () => {
  it.each([
    ['70', '75', { status: 'final', score: 7250, rule: 'average' }, 'Art. 16(2)(c) para. 1: spread exactly 5 → the mean'],
    ['70', '74.95', { status: 'final', score: 7248, rule: 'average' }, 'Art. 16(2)(c) para. 1: mean 72.475 → 72.48 (2 decimals, half up)'],
    ['70.05', '75.05', { status: 'final', score: 7255, rule: 'average' }, 'Art. 16(2)(c) para. 1: 72.55 stays 72.55 (no rounding to one decimal)'],
    ['70', '75.01', { status: 'head_decides', score: null }, 'Art. 16(2)(c) para. 2: spread 5.01 → the head of marking decides'],
    ['70', '79.99', { status: 'head_decides', score: null }, 'Art. 16(2)(c) para. 2: spread 9.99 → still the head'],
    ['70', '80', { status: 'escalated', score: null }, 'Art. 16(2)(c) para. 3: spread exactly 10 → a third member'],
    ['80', '60', { status: 'escalated', score: null }, 'Art. 16(2)(c) para. 3: order of the markers does not matter'],
  ])('when the marks are %s and %s, then %j (%s)', (a: string, b: string, expected: object, _why: string) => {
    expect(reconcileDoubleTt22({ first: pts(a), second: pts(b) })).toMatchObject(expected);
  });

  it('when only one mark is in, then the script waits for its second marker', () => {
    expect(reconcileDoubleTt22({ first: pts('70') })).toMatchObject({ status: 'awaiting_marks', score: null });
  });
});

describe('the third mark, Circular 22/2025 Quy chế Art. 16(2)(d)', () => {
  it.each([
    ['60', '70', '70', { status: 'final', score: 7000, rule: 'two_of_three' }, 'para. 1: the third equals the second → that mark'],
    ['60', '70', '60', { status: 'final', score: 6000, rule: 'two_of_three' }, 'para. 1: the third equals the first → that mark'],
    ['60', '70', '65', { status: 'head_decides', score: null, spread: 1000 }, 'para. 2: all three differ → the head decides after collective marking'],
    ['60', '72', '85', { status: 'head_decides', score: null, spread: 2500 }, 'para. 2: the spread shown is that of the three marks'],
  ])('when the marks are %s, %s and a third %s, then %j (%s)', (a: string, b: string, c: string, expected: object, _why: string) => {
    expect(reconcileDoubleTt22({ first: pts(a), second: pts(b), third: pts(c) })).toMatchObject(expected);
  });
});

describe('panels (oral, interview, practical, Đề án), Circular 22/2025 Quy chế Art. 20(1), 22(1)', () => {
  it.each([
    [['70', '80'], 2, { status: 'final', score: 7500, rule: 'average', spread: 1000 }, 'Art. 22(1): spread exactly 10 → the mean, no decision'],
    [['70', '80.01'], 2, { status: 'head_decides', score: null, spread: 1001 }, 'Art. 22(1): spread 10.01 → the head of the panel decides'],
    [['80', '82', '85'], 3, { status: 'final', score: 8233, rule: 'average' }, 'Art. 22(1): 82.333… → 82.33 (2 decimals)'],
    [['80', '80', '80.5'], 3, { status: 'final', score: 8017, rule: 'average' }, 'Art. 22(1): 80.1666… → 80.17 (half up)'],
    [['70', '78'], 3, { status: 'awaiting_marks', score: null }, 'Art. 20(1): a panel short of its size is not final'],
    [['70', '78'], null, { status: 'awaiting_marks', score: null }, 'Art. 20(1): a part with no panel size cannot be final'],
  ])('when the panel marks are %j with a size of %s, then %j (%s)', (marks: string[], size: number | null, expected: object, _why: string) => {
    expect(reconcilePanelTt22(marks.map(pts), size)).toMatchObject(expected);
  });
});

describe('which marking rules a drive follows (in force like presets)', () => {
  it.each([
    ['nd170', '2026-03-01', { written: 'tt22_2025', panel: 'tt22_2025' }, 'Circular 22/2025 governs 170 drives from 2025-12-10'],
    ['nd170-300', '2026-09-01', { written: 'tt22_2025', panel: 'tt22_2025' }, 'and 170 as amended by 300'],
    ['nd170', '2025-12-09', { written: 'tt06_2020', panel: 'tt06_2020' }, 'the day before Circular 22/2025 is in force the older rule applies'],
    ['nd115', '2026-03-01', { written: 'tt06_2020', panel: 'tt06_2020' }, 'public-employee drives keep today’s rule (Circular 001/2025 not in our hands)'],
    ['leadership', '2026-03-01', { written: 'tt06_2020', panel: 'tt22_2025' }, 'leadership titles take Circular 22’s panel rule by analogy'],
  ])('when the preset is %s on %s, then %j (%s)', (preset: string, date: string, expected: object, _why: string) => {
    expect(markingRules(resolveRuleSet(preset), date)).toMatchObject(expected);
  });

  it('when a leadership drive configures its panel rule, then the override is used and the rest comes from the preset', () => {
    const rs = resolveRuleSet('leadership', { marking: { panel: 'tt06_2020' } });
    expect(rs.marking).toEqual({ written: 'tt06_2020', panel: 'tt06_2020' });
    expect(markingRules(rs, '2026-03-01')).toMatchObject({ written: 'tt06_2020', panel: 'tt06_2020' });
  });
});
