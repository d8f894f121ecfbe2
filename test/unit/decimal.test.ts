import { describe, expect, it } from 'vitest';
import {
  averageRoundedToTenth,
  divideRoundHalfUp,
  formatScore,
  parseScore,
  parseSignedHundredths,
  reachesPercent,
  roundToTenth,
  weightedTotalOn100,
} from '../../src/domain/decimal.js';
import { DomainError } from '../../src/domain/errors.js';

describe('parseScore', () => {
  it.each([
    ['78.5', 7850],
    ['78.50', 7850],
    ['78', 7800],
    [78.5, 7850],
    [' 50.00 ', 5000],
    ['49.99', 4999],
    ['0', 0],
    ['100', 10000],
    [0.1, 10],
  ] as const)('when given %j, then it returns %i hundredths', (input, expected) => {
    expect(parseScore(input)).toBe(expected);
  });

  it.each([
    ['78.505', 'Circular 6/2020 Art. 31: scores carry at most 2 decimals, 3 decimals are rejected'],
    ['78.', 'a dangling decimal point'],
    ['.5', 'a missing integer part'],
    ['abc', 'non-numeric text'],
    ['', 'an empty string'],
    ['-1', 'a negative score'],
    ['1e2', 'exponent notation'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [0.1 + 0.2, 'a binary floating-point artefact (0.30000000000000004)'],
  ] as const)('when given %j (%s), then it throws score.invalid', (input: string | number, _why: string) => {
    expect(() => parseScore(input)).toThrow(DomainError);
    try {
      parseScore(input);
    } catch (err) {
      expect((err as DomainError).code).toBe('score.invalid');
    }
  });

  it('when given a signed decimal, then parseSignedHundredths keeps the sign', () => {
    expect(parseSignedHundredths('-0.5')).toBe(-50);
    expect(() => parseSignedHundredths('1.234')).toThrow(DomainError);
  });
});

describe('formatScore', () => {
  it.each([
    [7850, '78.50'],
    [5000, '50.00'],
    [4999, '49.99'],
    [5, '0.05'],
    [0, '0.00'],
    [-50, '-0.50'],
  ])('when given %i hundredths, then it prints %s', (h, s) => {
    expect(formatScore(h)).toBe(s);
  });

  it('when given a non-integer, then it throws', () => {
    expect(() => formatScore(78.5)).toThrow(DomainError);
  });
});

describe('averageRoundedToTenth (Circular 6/2020 Art. 31: average rounded to one decimal, half up)', () => {
  it.each([
    [[7000, 7450], 7230, '72.25 → 72.3 (half up)'],
    [[7000, 7440], 7220, '72.20 stays 72.2'],
    [[7000, 7448], 7220, '72.24 → 72.2'],
    [[7001, 7450], 7230, '72.255 → 72.3'],
    [[8000, 8000, 8050], 8020, '80.1666… → 80.2'],
    [[6000, 6000, 6015], 6010, '60.05 → 60.1'],
    [[6000, 6000, 6014], 6000, '60.0466… → 60.0'],
    [[5000], 5000, 'a single mark'],
  ])('when averaging %j, then the result is %i (%s)', (values, expected) => {
    expect(averageRoundedToTenth(values)).toBe(expected);
  });

  it('when the list is empty, then it throws', () => {
    expect(() => averageRoundedToTenth([])).toThrow(DomainError);
  });

  it('when rounding single values, then halves go up and negatives round away from zero', () => {
    expect(roundToTenth(7225)).toBe(7230);
    expect(roundToTenth(7224)).toBe(7220);
    expect(divideRoundHalfUp(-15, 10)).toBe(-2);
  });
});

describe('reachesPercent (Decree 138/2020 Art. 8(1): ≥ 50 % correct in each part)', () => {
  it.each([
    [30, 60, 50, true, '30/60 is exactly 50 %'],
    [29, 60, 50, false, '29/60 is below 50 %'],
    [15, 30, 50, true, '15/30 is exactly 50 %'],
    [14, 30, 50, false, '14/30 is below 50 %'],
    [0, 0, 50, false, 'an empty part never passes'],
  ])('when %i of %i at %i %, then it is %s (%s)', (part, whole, pct, expected) => {
    expect(reachesPercent(part, whole, pct)).toBe(expected);
  });
});

describe('weightedTotalOn100', () => {
  it('when written and interview weigh 1:1, then the total is their mean on 100', () => {
    expect(weightedTotalOn100([{ score: 7000, max: 10000, weight: 1 }, { score: 8050, max: 10000, weight: 1 }])).toBe(7525);
  });
  it('when parts have other maxima and weights 30:70, then each is rescaled to 100 first', () => {
    // 40/50 → 80 × 0.3 + 60/100 → 60 × 0.7 = 24 + 42 = 66
    expect(weightedTotalOn100([{ score: 4000, max: 5000, weight: 30 }, { score: 6000, max: 10000, weight: 70 }])).toBe(6600);
  });
  it('when the exact result has a third decimal, then it is rounded half up to hundredths', () => {
    // (1/3 × 100 + 0) / 2 = 16.666… → 16.67
    expect(weightedTotalOn100([{ score: 100, max: 300, weight: 1 }, { score: 0, max: 10000, weight: 1 }])).toBe(1667);
  });
});
