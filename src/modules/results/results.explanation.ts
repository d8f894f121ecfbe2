import { formatScore, parseScore } from '../../domain/decimal.js';
import { rankingGateReasons } from '../../domain/ranking.js';
import type { RuleSet } from '../../domain/rule-sets.js';
import type { ResultExplanation, StoredExplanation } from './results.table.js';

/*
 * A recruitment result's explanation is stored without what follows from the row and the drive's
 * frozen data, and given back whole when rows are read (expandExplanation):
 * - `parts`: the ranking round's one part, scored with the row's raw score (its code, maximum and
 *   weight are the part's, frozen once its round has scripts);
 * - `gate.reasons`: none for a row that passed; "raw score below the minimum" (the frozen rule set's
 *   minimum) for one that failed with a raw score; "did not sit" for one without;
 * - `tiedWith`: none; `priorityCategory`: none.
 * A key left out stands for that derived value; a stored explanation with all its keys (every row
 * stored before, leadership titles, and any row whose explanation differs from the derived one in
 * any way) is used as it is. compactExplanation leaves a key out only when expanding gives back
 * exactly the engine's value, so the API shows the same explanation either way.
 */

/** What the derived parts of an explanation need: the drive's ranking-round part, and its rule set's raw minimum (hundredths). */
export type ExplanationContext = {
  rankingPart: { code: string; maxScore: string; weight: number } | null;
  rankingRoundMinRaw: number | null;
};

/**
 * The context from the drive's rounds (the ranking round's part, when that round is the only
 * ranking round and has one part) and its frozen rule set: the same whether the rows are written
 * or read, since rounds with scripts no longer change.
 */
export function explanationContext(
  rounds: readonly { ranking: boolean; parts: readonly { code: string; maxScore: string; weight: number }[] }[],
  ruleSet: Pick<RuleSet, 'gate'>,
): ExplanationContext {
  const ranking = rounds.filter((r) => r.ranking);
  const only = ranking.length === 1 && ranking[0]!.parts.length === 1 ? ranking[0]!.parts[0]! : null;
  return {
    rankingPart: only ? { code: only.code, maxScore: only.maxScore, weight: only.weight } : null,
    rankingRoundMinRaw: ruleSet.gate.rankingRoundMinRaw,
  };
}

/** True when a stored explanation has all its keys (nothing to derive). */
export const isWhole = (e: StoredExplanation): boolean =>
  e.gate.reasons !== undefined && e.tiedWith !== undefined && e.priorityCategory !== undefined && e.parts !== undefined;

type Reason = ResultExplanation['gate']['reasons'][number];
type Part = ResultExplanation['parts'][number];
type Facts = { rawScore: string | null | undefined };

function derivedReasons(passed: boolean, f: Facts, ctx: ExplanationContext): Reason[] | null {
  if (passed) return [];
  if (f.rawScore === null || f.rawScore === undefined) return [rankingGateReasons.absent()];
  if (ctx.rankingRoundMinRaw === null) return null;
  return [rankingGateReasons.rawBelowMinimum(f.rawScore, ctx.rankingRoundMinRaw)];
}

function derivedParts(f: Facts, ctx: ExplanationContext): Part[] | null {
  const p = ctx.rankingPart;
  if (!p || f.rawScore === null || f.rawScore === undefined) return null;
  return [{ code: p.code, score: f.rawScore, max: formatScore(parseScore(p.maxScore)), weight: p.weight }];
}

const sameReasons = (a: readonly Reason[], b: readonly Reason[] | null) =>
  b !== null && a.length === b.length && a.every((r, i) => r.code === b[i]!.code && r.message === b[i]!.message);
const sameParts = (a: readonly Part[], b: readonly Part[] | null) =>
  b !== null && a.length === b.length && a.every((p, i) => p.code === b[i]!.code && p.score === b[i]!.score && p.max === b[i]!.max && p.weight === b[i]!.weight);

/** The engine's explanation without the keys that expandExplanation derives back exactly. */
export function compactExplanation(e: ResultExplanation, f: Facts, ctx: ExplanationContext): StoredExplanation {
  const out: StoredExplanation = { text: e.text, gate: { passed: e.gate.passed } };
  if (!sameReasons(e.gate.reasons, derivedReasons(e.gate.passed, f, ctx))) out.gate.reasons = e.gate.reasons;
  if (e.tiedWith.length > 0) out.tiedWith = e.tiedWith;
  if (e.priorityCategory !== null) out.priorityCategory = e.priorityCategory;
  if (!sameParts(e.parts, derivedParts(f, ctx))) out.parts = e.parts;
  if (e.joint) out.joint = e.joint;
  return out;
}

/** A stored explanation made whole (a full one as it is). */
export function expandExplanation(e: StoredExplanation, f: Facts, ctx: ExplanationContext): ResultExplanation {
  if (isWhole(e)) return e as ResultExplanation;
  return {
    text: e.text,
    gate: { passed: e.gate.passed, reasons: e.gate.reasons ?? derivedReasons(e.gate.passed, f, ctx) ?? [] },
    tiedWith: e.tiedWith ?? [],
    priorityCategory: e.priorityCategory ?? null,
    parts: e.parts ?? derivedParts(f, ctx) ?? [],
    ...(e.joint ? { joint: e.joint } : {}),
  };
}
