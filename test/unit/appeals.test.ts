import { describe, expect, it } from 'vitest';
import { appealPeriod, compareWithPublished, remarkOutcome, remarksNeeded } from '../../src/domain/appeals.js';
import { calendarData } from '../../src/domain/calendar.js';
import { parseScore } from '../../src/domain/decimal.js';
import { shuffled } from '../../src/domain/script-codes.js';

const h = (s: string) => parseScore(s);
const noSpecialDays = calendarData([]);
const legacy = { appealWindowDays: 15, appealResolutionDays: 15 };

describe('re-marks of an appeal (Circular 22/2025 Quy chế Art. 17(3))', () => {
  it.each([
    { marks: [], expected: { kind: 'awaiting', needed: 2 }, article: 'Art. 17(3)(a): two re-markers' },
    { marks: ['70'], expected: { kind: 'awaiting', needed: 1 }, article: 'Art. 17(3)(a): two re-markers' },
    { marks: ['70', '70'], expected: { kind: 'score', score: h('70'), rule: 'remark_equal' }, article: 'Art. 17(3)(a): equal → that score' },
    { marks: ['70', '70.01'], expected: { kind: 'awaiting', needed: 1 }, article: 'Art. 17(3)(b): different → a third re-marker' },
    { marks: ['70', '72', '72'], expected: { kind: 'score', score: h('72'), rule: 'remark_two_of_three' }, article: 'Art. 17(3)(b): 2 of 3 equal (2nd and 3rd)' },
    { marks: ['70', '72', '70'], expected: { kind: 'score', score: h('70'), rule: 'remark_two_of_three' }, article: 'Art. 17(3)(b): 2 of 3 equal (1st and 3rd)' },
    { marks: ['70', '72', '71'], expected: { kind: 'score', score: h('71'), rule: 'remark_mean' }, article: 'Art. 17(3)(b): all differ → mean' },
    { marks: ['64', '65', '64.01'], expected: { kind: 'score', score: h('64.34'), rule: 'remark_mean' }, article: 'Art. 17(3)(b): mean 64.336… → 64.34 (2 decimals, half up)' },
    { marks: ['70', '70.01', '70.04'], expected: { kind: 'score', score: h('70.02'), rule: 'remark_mean' }, article: 'Art. 17(3)(b): mean 70.0166… → 70.02' },
  ])('$article: $marks', ({ marks, expected }) => {
    expect(remarkOutcome(marks.map(h))).toMatchObject(expected);
  });

  it('when the first two agree, then no third re-mark is needed; otherwise three', () => {
    expect(remarksNeeded([h('70'), h('70')])).toBe(2);
    expect(remarksNeeded([h('70'), h('71')])).toBe(3);
  });
});

describe('the appeal score against the published score (Quy chế Art. 18(1))', () => {
  it.each([
    { published: '62.50', appeal: '67.49', adopt: true, why: '4.99 up: adopted' },
    { published: '62.50', appeal: '57.51', adopt: true, why: '4.99 down: adopted' },
    { published: '62.50', appeal: '67.50', adopt: false, why: '5.00: the chair decides' },
    { published: '62.50', appeal: '57.50', adopt: false, why: '5.00 down: the chair decides' },
    { published: '62.50', appeal: '62.50', adopt: true, why: 'no change: adopted (upheld)' },
  ])('$why', ({ published, appeal, adopt }) => {
    expect(compareWithPublished(h(published), h(appeal)).adopt).toBe(adopt);
  });
});

describe('the appeal window (170/2025 Art. 16(4)(b))', () => {
  it.each([
    { preset: 'nd170', publishedOn: '2026-11-27', closesOn: '2026-12-04', dueOn: '2026-12-14', why: 'Fri + 5 working days = next Fri; +10 days = Mon 14' },
    { preset: 'nd170-300', publishedOn: '2026-12-02', closesOn: '2026-12-09', dueOn: '2026-12-21', why: 'Wed + 5 working days = next Wed; +10 = Sat 19 → Mon 21 (Civil Code Art. 148(5))' },
    { preset: 'nd138', publishedOn: '2026-12-02', closesOn: '2026-12-17', dueOn: '2027-01-01', why: 'older presets: the rule set’s calendar days' },
  ] as const)('$preset: $why', ({ preset, publishedOn, closesOn, dueOn }) => {
    expect(appealPeriod(preset, publishedOn, legacy, noSpecialDays)).toMatchObject({ closesOn, resolutionDueOn: dueOn });
  });

  it('when the chair lengthened re-marking, then it is due 20 days after the window', () => {
    expect(appealPeriod('nd170', '2026-11-27', legacy, noSpecialDays, true).resolutionDueOn).toBe('2026-12-24');
  });
});

describe('scripts issued in a shuffled order (DOMAIN.md "Anonymous marking")', () => {
  it('when a list is shuffled, then it keeps every item and the order follows the random source', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const out = shuffled(items);
    expect([...out].sort((a, b) => a - b)).toEqual(items);
    expect(shuffled([1, 2, 3], () => 0)).toEqual([2, 3, 1]);
  });
});
