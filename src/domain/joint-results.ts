import { formatScore } from './decimal.js';
import { placeJointWinners, type JointAgency, type JointPlacement, type JointTie } from './joint-placement.js';
import type { ApplicationOutcome, ApplicationResult, ApplicationScore, GateResult, QuotaResult, QuotaStatus } from './ranking.js';
import type { RuleSet, TieStep } from './rule-sets.js';
import { rankWithTieChain, type ScoreTieStep } from './tie-chain.js';

/*
 * Results of a position recruited jointly for several user agencies (Decree 170/2025 Art. 3(2)(b),
 * Art. 10(1)(b), 10(3)): one ranking over the whole position, placement by the preferences of the
 * registration form (joint-placement.ts), reported per quota (one per user agency). A result row stays
 * under the quota its application was registered to; its `joint` part says where it is placed.
 */

/** What a result of a joint position says beyond the ordinary result. */
export interface JointResultInfo {
  /** The user agencies the application accepts, best first. */
  agencyPreferences: string[];
  /** Where the winner is placed; null when not placed (yet). */
  placedAgencyId: string | null;
  placedQuotaId: string | null;
  /** Which preference the placement is (1 = first). */
  placedPreference: number | null;
  /** The undecided tie the application is part of or waits for (outcome tied_pending or pending_tie). */
  pendingTie: { quotaId: string; agencyId: string; applicationIds: string[]; openSlots: number } | null;
}

export interface JointQuota {
  id: string;
  slots: number;
  agencyId: string;
}

/** The parts of an evaluated application the joint results need (ranking.ts evaluates the gate). */
export interface JointEvaluated {
  app: ApplicationScore;
  gate: GateResult;
  absent: boolean;
  rankingScore: number | null;
}

export interface JointQuotaExtras {
  /** Winner slots are numbered over the whole position (1..rowSlots), so that rows under one quota never share one. */
  rowSlots: number;
  winnerSlots: Record<string, number>;
}

export function jointQuotaResults(
  quotas: readonly JointQuota[],
  evaluated: readonly JointEvaluated[],
  ruleSet: RuleSet,
  tieKey: (app: ApplicationScore, step: ScoreTieStep) => number | null | undefined,
  decisions: readonly { quotaId: string; orderedApplicationIds: string[] }[],
): (QuotaResult & { jointSlots: JointQuotaExtras })[] {
  const agencyOfQuota = new Map(quotas.map((q) => [q.id, q.agencyId]));
  const agencies: JointAgency[] = quotas.map((q) => ({ agencyId: q.agencyId, quotaId: q.id, slots: q.slots }));
  const known = new Set(agencies.map((a) => a.agencyId));
  const prefsOf = (e: JointEvaluated): string[] => {
    const given = (e.app.agencyPreferences ?? []).filter((a) => known.has(a));
    return given.length > 0 ? given : [agencyOfQuota.get(e.app.quotaId)!];
  };
  const passers = evaluated.filter((e) => e.gate.passed);
  // Art. 10(2) chain over the whole position; the head's step is taken per agency (decisions below).
  const groups = rankWithTieChain(passers, {
    id: (e) => e.app.applicationId,
    score: (e) => e.rankingScore ?? 0,
    chain: ruleSet.tieBreak,
    key: (e, step) => tieKey(e.app, step),
    decisions: [],
  });
  const placed = placeJointWinners({
    agencies,
    groups,
    id: (e) => e.app.applicationId,
    preferences: prefsOf,
    decisions: decisions.map((d) => ({ quotaId: d.quotaId, orderedIds: d.orderedApplicationIds })),
  });

  const rankOf = new Map<string, { rank: number; tied: string[]; decidedBy: ApplicationResult['decidedBy'] }>();
  for (const g of groups) {
    const ids = g.members.map((m) => m.item.app.applicationId);
    for (const m of g.members) {
      const id = m.item.app.applicationId;
      rankOf.set(id, { rank: g.rank, tied: g.tied ? ids.filter((x) => x !== id) : [], decidedBy: m.decidedBy });
    }
  }
  const rowSlots = quotas.reduce((n, q) => n + q.slots, 0);
  const winnerSlots: Record<string, number> = {};
  let slot = 0;
  for (const q of quotas) for (const id of placed.placedAt.get(q.agencyId) ?? []) winnerSlots[id] = ++slot;

  const tieRef = (t: JointTie): JointResultInfo['pendingTie'] => ({ quotaId: t.quotaId, agencyId: t.agencyId, applicationIds: t.ids, openSlots: t.openSlots });
  const chainText = ruleSet.tieBreak.filter((s: TieStep) => s !== 'head_decision').join(', ');

  const resultOf = (e: JointEvaluated): ApplicationResult => {
    const id = e.app.applicationId;
    const p: JointPlacement | undefined = placed.placements.get(id);
    const r = rankOf.get(id);
    const joint: JointResultInfo = { agencyPreferences: prefsOf(e), placedAgencyId: null, placedQuotaId: null, placedPreference: null, pendingTie: null };
    let outcome: ApplicationOutcome;
    let decidedBy: ApplicationResult['decidedBy'] = null;
    let what: string;
    if (!e.gate.passed) {
      outcome = e.absent ? 'absent' : 'failed';
      what = e.absent ? 'Absent from the ranking round: no result.' : `Failed the gate (${ruleSet.legalBasis}): ${e.gate.reasons.filter((x) => x.code !== 'gate.exempt').map((x) => x.message).join('; ')}.`;
    } else if (!p || p.kind === 'not_placed') {
      outcome = 'reserve';
      decidedBy = r?.decidedBy ?? null;
      what = `Not placed: every agency this candidate accepts (${joint.agencyPreferences.join(', ')}) was full when their turn came; on the list of next-lower candidates of the position (Decree 170/2025 Art. 10(3)).`;
    } else if (p.kind === 'placed') {
      outcome = 'winner';
      decidedBy = p.decidedBy;
      joint.placedAgencyId = p.agencyId;
      joint.placedQuotaId = p.quotaId;
      joint.placedPreference = p.preference;
      what = `Winner of the jointly recruited position, placed at agency ${p.agencyId} (preference ${p.preference} of ${joint.agencyPreferences.length}) by score order and the preferences of the registration form (Decree 170/2025 Art. 10(3))${p.decidedBy === 'head_decision' ? ", its last slot given by the head's decision" : ''}.`;
    } else if (p.kind === 'tied') {
      outcome = 'tied_pending';
      joint.pendingTie = tieRef(p.tie);
      what = `Tied with ${p.tie.ids.filter((x) => x !== id).join(', ')} for the last ${p.tie.openSlots} slot${p.tie.openSlots === 1 ? '' : 's'} of agency ${p.tie.agencyId}${chainText ? ` after comparing ${chainText}` : ''}: awaiting the head's decision on quota ${p.tie.quotaId} (Decree 170/2025 Art. 10(2)–(3)).`;
    } else {
      outcome = 'pending_tie';
      joint.pendingTie = tieRef(p.tie);
      what = `Placement waits for the head's decision on the tie at agency ${p.tie.agencyId} (quota ${p.tie.quotaId}): an agency this candidate accepts may still be taken by one of the tied candidates (Decree 170/2025 Art. 10(3)).`;
    }
    const score = e.rankingScore === null ? '' : `Ranking score ${formatScore(e.rankingScore)} (raw ${formatScore(e.app.rankingRound?.total ?? 0)} + priority ${formatScore(e.app.priorityPoints)}); rank ${r?.rank ?? '-'} over the position. `;
    return {
      applicationId: id,
      quotaId: e.app.quotaId,
      choice: e.app.choice,
      outcome,
      rank: e.gate.passed ? (r?.rank ?? null) : null,
      rankingScore: e.rankingScore,
      rawScore: e.app.rankingRound?.total ?? null,
      priorityPoints: e.app.priorityPoints,
      priorityCategory: e.app.priorityCategory,
      gate: e.gate,
      decidedBy,
      tiedWith: outcome === 'tied_pending' ? (joint.pendingTie?.applicationIds.filter((x) => x !== id) ?? []) : (r?.tied ?? []),
      explanation: `${score}${what}`,
      joint,
    };
  };

  const byQuota = new Map<string, JointEvaluated[]>(quotas.map((q) => [q.id, []]));
  for (const e of evaluated) byQuota.get(e.app.quotaId)?.push(e);
  return quotas.map((q) => {
    const own = byQuota.get(q.id) ?? [];
    const rankedOwn = own.filter((e) => e.gate.passed).sort((a, b) => (rankOf.get(a.app.applicationId)?.rank ?? 0) - (rankOf.get(b.app.applicationId)?.rank ?? 0));
    const apps = [...rankedOwn, ...own.filter((e) => !e.gate.passed && !e.absent), ...own.filter((e) => e.absent)].map(resultOf);
    const winners = placed.placedAt.get(q.agencyId) ?? [];
    const tie = placed.ties.find((t) => t.agencyId === q.agencyId);
    const waitingOn = placed.uncertain.get(q.agencyId);
    const status: QuotaStatus = tie ? 'tie_pending_decision' : waitingOn ? 'awaiting_other_quota' : winners.length < q.slots ? 'unfilled' : 'complete';
    const base = `Jointly recruited position (Decree 170/2025 Art. 10(3)): ${winners.length} of ${q.slots} slot${q.slots === 1 ? '' : 's'} of agency ${q.agencyId} filled; ${rankedOwn.length} of this quota's applicants passed the gate`;
    const explanation =
      status === 'tie_pending_decision'
        ? `${base}; ${tie!.ids.length} applications tied for the agency's last ${tie!.openSlots} slot${tie!.openSlots === 1 ? '' : 's'}: the head must decide.`
        : status === 'awaiting_other_quota'
          ? `${base}; its remaining slots depend on the head's decision on the tie at agency ${waitingOn!.agencyId} (quota ${waitingOn!.quotaId}).`
          : status === 'unfilled'
            ? `${base}; ${q.slots - winners.length} unfilled.`
            : `${base}.`;
    return {
      quotaId: q.id,
      slots: q.slots,
      status,
      winners: [...winners],
      tiedApplicationIds: tie ? tie.ids : [],
      openSlotsInTie: tie ? tie.openSlots : 0,
      reserveTies: [],
      passedCount: rankedOwn.length,
      applications: apps,
      explanation,
      jointSlots: { rowSlots, winnerSlots },
    };
  });
}
