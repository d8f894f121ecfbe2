import { DomainError } from './errors.js';

/*
 * Scores and points are integer hundredths (78.50 → 7850) held in a JS number that is always a
 * safe integer. Every comparison the law makes ("≥ 50", "spread ≤ 5") is then exact: binary
 * floating point never decides who passes.
 */

const SCORE_PATTERN = /^(\d{1,9})(?:\.(\d{1,2}))?$/;
const SIGNED_PATTERN = /^(-?)(\d{1,9})(?:\.(\d{1,2}))?$/;

/** Largest hundredths value accepted by parsers (well inside Number.MAX_SAFE_INTEGER). */
export const MAX_HUNDREDTHS = 99_999_999_999;

function toText(input: string | number, code: string): string {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) {
      throw new DomainError(code, `Not a finite number: ${String(input)}`, { value: String(input) });
    }
    // String(78.5) === '78.5'; a value such as 0.1 + 0.2 prints with 17 digits and is rejected.
    return String(input);
  }
  if (typeof input !== 'string') {
    throw new DomainError(code, 'Expected a decimal string or number', { value: String(input) });
  }
  return input.trim();
}

/**
 * Parses a non-negative score with at most two decimals into hundredths.
 * "78.5", "78.50", "78" and 78.5 all give 7850; "78.505", "-1", "abc", "" throw `score.invalid`.
 */
export function parseScore(input: string | number): number {
  const text = toText(input, 'score.invalid');
  const match = SCORE_PATTERN.exec(text);
  if (!match) {
    throw new DomainError(
      'score.invalid',
      `Invalid score "${text}": expected a non-negative number with at most 2 decimals`,
      { value: text },
    );
  }
  const whole = Number(match[1]);
  const frac = Number((match[2] ?? '').padEnd(2, '0'));
  return whole * 100 + frac;
}

/** Like parseScore but accepts a leading minus sign; throws `decimal.invalid`. */
export function parseSignedHundredths(input: string | number): number {
  const text = toText(input, 'decimal.invalid');
  const match = SIGNED_PATTERN.exec(text);
  if (!match) {
    throw new DomainError('decimal.invalid', `Invalid decimal "${text}": at most 2 decimals`, {
      value: text,
    });
  }
  const value = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -value : value;
}

/** 7850 → "78.50"; -50 → "-0.50". */
export function formatScore(hundredths: number): string {
  assertHundredths(hundredths, 'hundredths');
  const sign = hundredths < 0 ? '-' : '';
  const abs = Math.abs(hundredths);
  const whole = Math.floor(abs / 100);
  const frac = abs % 100;
  return `${sign}${whole}.${String(frac).padStart(2, '0')}`;
}

/** Throws `score.invalid` unless the value is a safe integer (optionally within bounds). */
export function assertHundredths(
  value: unknown,
  label: string,
  bounds: { min?: number; max?: number } = {},
): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new DomainError('score.invalid', `${label} must be an integer number of hundredths`, {
      field: label,
      value,
    });
  }
  if (bounds.min !== undefined && value < bounds.min) {
    throw new DomainError('score.invalid', `${label} must be ≥ ${formatScore(bounds.min)}`, {
      field: label,
      value,
    });
  }
  if (bounds.max !== undefined && value > bounds.max) {
    throw new DomainError('score.invalid', `${label} must be ≤ ${formatScore(bounds.max)}`, {
      field: label,
      value,
    });
  }
}

/**
 * Integer division of `numerator / denominator` rounded half away from zero (the "half-up"
 * rounding Vietnamese marking rules use). Exact for safe integers.
 */
export function divideRoundHalfUp(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator === 0) {
    throw new DomainError('decimal.invalid', 'Division needs safe integers and a non-zero divisor', {
      numerator,
      denominator,
    });
  }
  const negative = numerator < 0 !== denominator < 0;
  const n = Math.abs(numerator);
  const d = Math.abs(denominator);
  const quotient = Math.floor(n / d);
  const remainder = n - quotient * d;
  const rounded = remainder * 2 >= d ? quotient + 1 : quotient;
  return negative ? -rounded : rounded;
}

/** Rounds a hundredths value half-up to one decimal: 7225 → 7230, 7224 → 7220. */
export function roundToTenth(hundredths: number): number {
  return divideRoundHalfUp(hundredths, 10) * 10;
}

/**
 * Average of hundredths values, rounded half-up to one decimal, returned in hundredths
 * (Circular 6/2020 Art. 31: the reconciled score is rounded to one decimal).
 * [7000, 7450] → 7230 (72.25 → 72.3).
 */
export function averageRoundedToTenth(values: readonly number[]): number {
  if (values.length === 0) {
    throw new DomainError('decimal.invalid', 'Cannot average an empty list of scores');
  }
  let sum = 0;
  for (const [i, v] of values.entries()) {
    assertHundredths(v, `values[${i}]`);
    sum += v;
  }
  // sum / n hundredths → tenths = sum / (10 n), rounded half-up, back to hundredths.
  return divideRoundHalfUp(sum, values.length * 10) * 10;
}

/** Average rounded half-up to the hundredth (used when the rule set asks for 2 decimals). */
export function averageRoundedToHundredth(values: readonly number[]): number {
  if (values.length === 0) {
    throw new DomainError('decimal.invalid', 'Cannot average an empty list of scores');
  }
  let sum = 0;
  for (const [i, v] of values.entries()) {
    assertHundredths(v, `values[${i}]`);
    sum += v;
  }
  return divideRoundHalfUp(sum, values.length);
}

/** True when correct/total ≥ percent/100, computed on integers (e.g. 30 of 60 at 50 % passes). */
export function reachesPercent(part: number, whole: number, percent: number): boolean {
  if (whole <= 0) return false;
  return part * 100 >= percent * whole;
}

/**
 * Weighted total of parts rescaled to 100 points, in hundredths, rounded half-up:
 * Σ (score_i / max_i × 100 × w_i) / Σ w_i. Uses BigInt so the intermediate products stay exact.
 * Weights are non-negative integers (e.g. 1:1, 30:70); at least one must be positive.
 */
export function weightedTotalOn100(
  parts: readonly { score: number; max: number; weight: number }[],
): number {
  if (parts.length === 0) throw new DomainError('score.invalid', 'No parts to combine');
  let weightSum = 0n;
  // Common denominator: product of all maxima (few parts, so no overflow concerns with BigInt).
  let denominator = 1n;
  for (const [i, p] of parts.entries()) {
    assertHundredths(p.score, `parts[${i}].score`, { min: 0, max: p.max });
    assertHundredths(p.max, `parts[${i}].max`, { min: 1 });
    if (!Number.isSafeInteger(p.weight) || p.weight < 0) {
      throw new DomainError('score.invalid', `parts[${i}].weight must be a non-negative integer`, {
        weight: p.weight,
      });
    }
    weightSum += BigInt(p.weight);
    denominator *= BigInt(p.max);
  }
  if (weightSum === 0n) throw new DomainError('score.invalid', 'At least one weight must be > 0');
  let numerator = 0n;
  for (const p of parts) {
    numerator += (BigInt(p.score) * 10000n * BigInt(p.weight) * denominator) / BigInt(p.max);
  }
  const d = denominator * weightSum;
  const q = numerator / d;
  const r = numerator - q * d;
  return Number(r * 2n >= d ? q + 1n : q);
}
