import { DomainError } from './errors.js';
import type { RuleSet } from './rule-sets.js';

export type PriorityTable = RuleSet['priorityTable'];

export interface PriorityClaim {
  category: string;
  /** Reference to the evidence document; kept by the service, not used by the rule. */
  evidenceRef?: string;
}

export interface PriorityResult {
  /** Hundredths. */
  points: number;
  /** The category that counted, or null when nothing was claimed. */
  category: string | null;
}

/** Throws `priority.unknown_category` listing every claim not in the drive's table. */
export function validatePriorityClaims(claims: readonly PriorityClaim[], table: PriorityTable): void {
  const unknown = claims.map((c) => c.category).filter((c) => !Object.hasOwn(table, c));
  if (unknown.length > 0) {
    throw new DomainError(
      'priority.unknown_category',
      `Unknown priority categor${unknown.length === 1 ? 'y' : 'ies'}: ${unknown.join(', ')}`,
      { unknown, allowed: Object.keys(table).sort() },
    );
  }
}

/**
 * Priority points: only the highest category counts, claims never stack
 * (Decree 138/2020 Art. 5(2); Decree 115/2020 Art. 6(2)). Ties between equal-valued categories
 * report the first claimed, so the explanation follows what the candidate declared.
 */
export function priorityPoints(claims: readonly PriorityClaim[], table: PriorityTable): PriorityResult {
  validatePriorityClaims(claims, table);
  let best: PriorityResult = { points: 0, category: null };
  for (const claim of claims) {
    const points = table[claim.category] ?? 0;
    if (best.category === null || points > best.points) {
      best = { points, category: claim.category };
    }
  }
  return best;
}
