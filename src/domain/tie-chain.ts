import type { TieStep } from './rule-sets.js';

export type ScoreTieStep = Exclude<TieStep, 'head_decision'>;

/** What placed an item relative to its neighbours: its own score, a tie-break step, or nothing yet. */
export type DecidedBy = 'score' | TieStep | null;

export interface RankedItem<T> {
  item: T;
  /** null while the item is still tied after the whole chain. */
  decidedBy: DecidedBy;
}

export interface RankedGroup<T> {
  /** 1-based competition rank: members of an unresolved group share it ("1, 2, 2, 4"). */
  rank: number;
  /** true when 2+ items remain tied after the whole chain (including any head decision). */
  tied: boolean;
  /** Step of the chain that left the group unresolved, when tied. */
  stoppedAt: TieStep | null;
  members: RankedItem<T>[];
}

export interface RankWithTieChainOptions<T> {
  id: (item: T) => string;
  /** Primary score, higher is better (integer hundredths). */
  score: (item: T) => number;
  chain: readonly TieStep[];
  /**
   * Value compared by a score step, higher is better. null/undefined for any member of a tied
   * group means the step cannot compare them, so it is skipped for that group (never guessed).
   */
  key: (item: T, step: ScoreTieStep) => number | null | undefined;
  /** Head decisions: orderings of ids; one applies to a tied group when it lists all its ids. */
  decisions?: readonly (readonly string[])[];
}

interface Resolved<T> {
  members: RankedItem<T>[];
  tied: boolean;
  stoppedAt: TieStep | null;
}

function splitByKey<T>(items: readonly T[], value: (t: T) => number): T[][] {
  const sorted = [...items].sort((a, b) => value(b) - value(a));
  const groups: T[][] = [];
  for (const item of sorted) {
    const last = groups.at(-1);
    const first = last?.[0];
    if (last && first !== undefined && value(first) === value(item)) last.push(item);
    else groups.push([item]);
  }
  return groups;
}

/**
 * Orders items high → low by score and breaks ties with the rule set's chain, in order.
 * The chain never falls back on id, name, input order or chance: what it cannot separate stays a
 * tied group, and the caller decides what a tie means at its position (Decree 138/2020 Art. 9(2)).
 * Items within a group keep input order only for stable output; their shared rank says they are tied.
 */
export function rankWithTieChain<T>(items: readonly T[], options: RankWithTieChainOptions<T>): RankedGroup<T>[] {
  const decisions = options.decisions ?? [];

  const resolve = (group: T[], stepIndex: number, decidedSoFar: DecidedBy): Resolved<T>[] => {
    if (group.length === 1) {
      const only = group[0] as T;
      return [{ members: [{ item: only, decidedBy: decidedSoFar }], tied: false, stoppedAt: null }];
    }
    const step = options.chain[stepIndex];
    if (step === undefined) {
      const last = options.chain.at(-1) ?? null;
      return [{ members: group.map((item) => ({ item, decidedBy: null })), tied: true, stoppedAt: last }];
    }
    if (step === 'head_decision') {
      const ids = group.map(options.id);
      const decision = decisions.find((d) => ids.every((id) => d.includes(id)));
      if (!decision) {
        return [{ members: group.map((item) => ({ item, decidedBy: null })), tied: true, stoppedAt: step }];
      }
      const position = (t: T): number => decision.indexOf(options.id(t));
      return [...group]
        .sort((a, b) => position(a) - position(b))
        .map((item) => ({ members: [{ item, decidedBy: 'head_decision' as const }], tied: false, stoppedAt: null }));
    }
    const keys = group.map((t) => options.key(t, step));
    if (keys.some((k) => k === null || k === undefined)) return resolve(group, stepIndex + 1, decidedSoFar);
    const keyOf = new Map<T, number>(group.map((t, i) => [t, keys[i] as number]));
    const parts = splitByKey(group, (t) => keyOf.get(t) as number);
    if (parts.length === 1) return resolve(group, stepIndex + 1, decidedSoFar);
    return parts.flatMap((part) => resolve(part, stepIndex + 1, step));
  };

  const result: RankedGroup<T>[] = [];
  let position = 0;
  for (const primary of splitByKey(items, options.score)) {
    for (const g of resolve(primary, 0, 'score')) {
      result.push({ rank: position + 1, tied: g.tied, stoppedAt: g.stoppedAt, members: g.members });
      position += g.members.length;
    }
  }
  return result;
}
