/*
 * Rates the office pastes into its reports, in exact integer arithmetic: a percent is rounded half
 * up to one decimal (67 of 76 → 88.2), a ratio to two decimals (854 per 184 → 4.64). The result
 * is an integer number of tenths (or hundredths) divided once by 10 (or 100), so it prints as the
 * decimal it stands for; binary floating point never does the rounding.
 */

/** floor((2·n·scale + d) / (2·d)) = n·scale / d rounded half up, for n ≥ 0, d > 0. */
function roundedQuotient(n: number, d: number, scale: number): number {
  const num = BigInt(n) * BigInt(scale) * 2n + BigInt(d);
  return Number(num / (2n * BigInt(d)));
}

export type Rate = { count: number; of: number; percent: number | null };
export type Ratio = { count: number; of: number; ratio: number | null };

export function rate(count: number, of: number): Rate {
  return { count, of, percent: of > 0 ? roundedQuotient(count, of, 1000) / 10 : null };
}

export function ratio(count: number, of: number): Ratio {
  return { count, of, ratio: of > 0 ? roundedQuotient(count, of, 100) / 100 : null };
}

/** "88.2", "3.0": one decimal always, for exports. */
export const percentText = (r: Rate): string => (r.percent === null ? '' : r.percent.toFixed(1));
export const ratioText = (r: Ratio): string => (r.ratio === null ? '' : r.ratio.toFixed(2));
