import type { DecidedBy, RankedGroup } from './tie-chain.js';

/*
 * Positions recruited jointly for several user agencies (Decree 170/2025 Art. 3(2)(b), Art. 10(3)).
 *
 * Art. 10(1)(b): winners are taken by score over the position, "kể cả đối với vị trí việc làm được
 * tuyển dụng chung cho nhiều cơ quan sử dụng công chức khác nhau". Art. 10(3): the user agency a
 * winner goes to follows the order of preference on their registration form; where more winners ask
 * for one agency than it has slots, the higher result is preferred; equal results at an agency's last
 * slot follow Art. 10(2) (the tie chain, then the head of the recruiting authority).
 *
 * So candidates are taken in score order (the groups of the Art. 10(2) chain, without the head's step)
 * and each is placed at the first agency of their list with a slot left. A candidate whose accepted
 * agencies are all full is not placed and stays on the list of next-lower candidates. Equal candidates
 * (a group the chain left tied) are placed together: each takes the first agency of their list with a
 * slot left; where more of them ask for one agency than it has slots left, that is a tie at the agency's
 * last slot: the head's decision for that agency's quota orders them (the first ones take the slots,
 * the others go on down their lists); without one, they wait, and so does every later placement that
 * depends on it (one that would look at an agency the tied candidates may still take, or at one a
 * waiting candidate may take). Nothing is ever decided by id, name, input order or chance.
 */

export interface JointAgency {
  agencyId: string;
  /** The drive's quota of the position at this agency: ties there are decided on it. */
  quotaId: string;
  slots: number;
}

/** A tie at one agency's last slot(s) that the chain could not break, awaiting the head's decision. */
export interface JointTie {
  agencyId: string;
  quotaId: string;
  /** The tied candidates asking for the agency's last slots, in input order. */
  ids: string[];
  /** How many of them the agency can still take. */
  openSlots: number;
}

export type JointPlacement =
  /** Placed at `agencyId`, their `preference`-th choice (1-based). */
  | { kind: 'placed'; agencyId: string; quotaId: string; preference: number; decidedBy: DecidedBy }
  /** Every accepted agency was full when their turn came: on the list of next-lower candidates. */
  | { kind: 'not_placed' }
  /** Tied at an agency's last slot(s): awaits the head's decision on `tie`. */
  | { kind: 'tied'; tie: JointTie }
  /** Their placement depends on the undecided `tie`. */
  | { kind: 'waiting'; tie: JointTie };

export interface JointPlacementInput<T> {
  agencies: readonly JointAgency[];
  /** Passers in rank order, as the tie chain grouped them (without head decisions). */
  groups: readonly RankedGroup<T>[];
  id: (item: T) => string;
  /** The agencies the candidate accepts, best first (distinct, each one of `agencies`). */
  preferences: (item: T) => readonly string[];
  /** The head's orderings of tied candidates, by the quota of the agency they were tied at. */
  decisions?: readonly { quotaId: string; orderedIds: readonly string[] }[];
}

export interface JointPlacementResult {
  placements: Map<string, JointPlacement>;
  /** Ties awaiting a decision, at most one per agency. */
  ties: JointTie[];
  /** Agencies whose filling depends on an undecided tie, with that tie. */
  uncertain: Map<string, JointTie>;
  /** Per agency, who is placed there, in placement order. */
  placedAt: Map<string, string[]>;
}

export function placeJointWinners<T>(input: JointPlacementInput<T>): JointPlacementResult {
  const byAgency = new Map(input.agencies.map((a) => [a.agencyId, a]));
  const remaining = new Map(input.agencies.map((a) => [a.agencyId, a.slots]));
  const uncertain = new Map<string, JointTie>();
  const placements = new Map<string, JointPlacement>();
  const placedAt = new Map<string, string[]>(input.agencies.map((a) => [a.agencyId, []]));
  const ties: JointTie[] = [];
  const decisions = input.decisions ?? [];

  const place = (id: string, agencyId: string, preference: number, decidedBy: DecidedBy): void => {
    remaining.set(agencyId, (remaining.get(agencyId) ?? 0) - 1);
    placements.set(id, { kind: 'placed', agencyId, quotaId: byAgency.get(agencyId)!.quotaId, preference, decidedBy });
    placedAt.get(agencyId)!.push(id);
  };
  /** A candidate waiting on `tie` may still take any agency of their list from `from` on. */
  const wait = (id: string, prefs: readonly string[], from: number, tie: JointTie): void => {
    placements.set(id, { kind: 'waiting', tie });
    for (const a of prefs.slice(from)) if (!uncertain.has(a)) uncertain.set(a, tie);
  };

  type Target = { kind: 'agency'; agencyId: string; index: number } | { kind: 'none' } | { kind: 'uncertain'; index: number; tie: JointTie };
  /** The first agency of the list that certainly has a slot left, skipping those certainly full. */
  const target = (prefs: readonly string[]): Target => {
    for (const [index, agencyId] of prefs.entries()) {
      const tie = uncertain.get(agencyId);
      if (tie) return { kind: 'uncertain', index, tie };
      if ((remaining.get(agencyId) ?? 0) > 0) return { kind: 'agency', agencyId, index };
    }
    return { kind: 'none' };
  };

  const placeOne = (item: T, decidedBy: DecidedBy): void => {
    const id = input.id(item);
    const prefs = input.preferences(item);
    const t = target(prefs);
    if (t.kind === 'agency') place(id, t.agencyId, t.index + 1, decidedBy);
    else if (t.kind === 'uncertain') wait(id, prefs, t.index, t.tie);
    else placements.set(id, { kind: 'not_placed' });
  };

  for (const group of input.groups) {
    if (!group.tied) {
      for (const m of group.members) placeOne(m.item, m.decidedBy);
      continue;
    }
    let open = group.members.map((m) => m.item);
    for (;;) {
      const demand = new Map<string, { item: T; index: number }[]>();
      const next: T[] = [];
      for (const item of open) {
        const id = input.id(item);
        const prefs = input.preferences(item);
        const t = target(prefs);
        if (t.kind === 'none') placements.set(id, { kind: 'not_placed' });
        else if (t.kind === 'uncertain') wait(id, prefs, t.index, t.tie);
        else {
          const list = demand.get(t.agencyId) ?? [];
          list.push({ item, index: t.index });
          demand.set(t.agencyId, list);
          next.push(item);
        }
      }
      open = next;
      const over = [...demand.entries()].filter(([agencyId, asking]) => asking.length > (remaining.get(agencyId) ?? 0));
      if (over.length === 0) {
        // Every one of them gets the agency they ask for: equal results do not matter here.
        for (const [agencyId, asking] of demand) for (const a of asking) place(input.id(a.item), agencyId, a.index + 1, 'score');
        break;
      }
      const decided = over
        .map(([agencyId, asking]) => {
          const quotaId = byAgency.get(agencyId)!.quotaId;
          const ids = asking.map((a) => input.id(a.item));
          const d = decisions.find((x) => x.quotaId === quotaId && ids.every((id) => x.orderedIds.includes(id)));
          return d ? { agencyId, asking, order: d.orderedIds } : null;
        })
        .find((x) => x !== null);
      if (decided) {
        // The head's order (Art. 10(2), last sentence) gives the agency's last slots; the others go on down their lists.
        const slots = remaining.get(decided.agencyId) ?? 0;
        const ordered = [...decided.asking].sort((a, b) => decided.order.indexOf(input.id(a.item)) - decided.order.indexOf(input.id(b.item)));
        const taken = new Set<T>();
        for (const a of ordered.slice(0, slots)) {
          place(input.id(a.item), decided.agencyId, a.index + 1, 'head_decision');
          taken.add(a.item);
        }
        open = open.filter((item) => !taken.has(item));
        continue;
      }
      // Undecided ties: the candidates asking for each over-asked agency wait for the head; what they may
      // still take if they lose becomes uncertain for everyone after them.
      const tiedItems = new Set<T>();
      for (const [agencyId, asking] of over) {
        const tie: JointTie = {
          agencyId,
          quotaId: byAgency.get(agencyId)!.quotaId,
          ids: asking.map((a) => input.id(a.item)),
          openSlots: remaining.get(agencyId) ?? 0,
        };
        ties.push(tie);
        for (const a of asking) {
          tiedItems.add(a.item);
          placements.set(input.id(a.item), { kind: 'tied', tie });
          for (const x of input.preferences(a.item).slice(a.index)) if (!uncertain.has(x)) uncertain.set(x, tie);
        }
      }
      for (const item of open) if (!tiedItems.has(item)) placeOne(item, 'score');
      break;
    }
  }
  return { placements, ties, uncertain, placedAt };
}
