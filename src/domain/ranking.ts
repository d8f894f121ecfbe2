import { assertHundredths, formatScore, reachesPercent } from './decimal.js';
import { DomainError } from './errors.js';
import type { RuleSet, TieStep } from './rule-sets.js';
import { rankWithTieChain, type DecidedBy, type RankedGroup, type ScoreTieStep } from './tie-chain.js';
import { jointQuotaResults, type JointQuotaExtras, type JointResultInfo } from './joint-results.js';

export { rankWithTieChain } from './tie-chain.js';
export type { DecidedBy, RankedGroup, RankedItem, RankWithTieChainOptions, ScoreTieStep } from './tie-chain.js';
export {
  computeLeadershipResults,
  LEADERSHIP_TITLE_OUTCOMES,
  LEADERSHIP_CANDIDATE_OUTCOMES,
} from './leadership.js';
export type {
  LeadershipCandidate,
  LeadershipCandidateResult,
  LeadershipInput,
  LeadershipTitleOutcome,
  LeadershipCandidateOutcome,
  TitleResult,
} from './leadership.js';

/*
 * Determining winners per quota (DOMAIN.md "Determining winners"):
 * Decree 138/2020 Art. 9; Decree 115/2020 Art. 10 as amended by Decree 85/2023; Decree 170/2025.
 * One piece of code, driven by the rule set: the gate, the tie-break chain, NV2.
 * All scores are integer hundredths.
 */

export interface RankingPart {
  code: string;
  score: number;
  max: number;
  /** Written parts count for the `written_part` tie-break step (Decree 170/2025). */
  written: boolean;
  weight: number;
}

export interface GateRoundOutcome {
  passed: boolean;
  parts: { code: string; correct: number; total: number }[];
}

export interface ApplicationScore {
  applicationId: string;
  quotaId: string;
  /** Links a candidate's NV1 and NV2 applications; needed when NV2 is allowed. */
  candidateId?: string;
  /** 1 = NV1, 2 = NV2 (second choice, Decree 115/2020 as amended by Decree 85/2023). */
  choice: 1 | 2;
  /** Exempt from the gate round (e.g. input-quality verification, Decree 06/2023). */
  exempt?: boolean;
  /** Result of the gate round (round 1). Absent/null when the drive has none or the candidate is exempt. */
  gateRounds?: GateRoundOutcome | null;
  /** Round-1 general-knowledge result, compared by the `round1_general_knowledge` tie-break step. */
  round1GeneralKnowledge?: number | null;
  /**
   * The foreign-language condition of Decree 170/2025 Art. 9(5), for an application whose quota
   * requires it: not passed, the candidate fails with `reason` (the score is never counted). Absent:
   * not required.
   */
  foreignLanguage?: { passed: boolean; reason: string };
  /** Ranking round (round 2); total on a 100-point scale. null = did not sit. */
  rankingRound: { total: number; parts: RankingPart[] } | null;
  priorityPoints: number;
  priorityCategory: string | null;
  /** For a jointly recruited position (Decree 170/2025 Art. 10(3)): the user agencies accepted, best first. */
  agencyPreferences?: string[];
  /** Ethnic group code (src/domain/ethnicity.ts), read where a quota sets per-group slots (Decree 170/2025 Art. 3(2)(c)). */
  ethnicityCode?: string | null;
}

/** A quota as the engine sees it. */
export interface RankingQuota {
  id: string;
  slots: number;
  /** The user agency of a quota of a jointly recruited position (with `jointKey`). */
  agencyId?: string;
  /** Quotas sharing a jointKey are one jointly recruited position (Decree 170/2025 Art. 10(3)); null/absent: an ordinary quota. */
  jointKey?: string | null;
  /** Slots the plan sets per ethnic group of a reserved quota (Decree 170/2025 Art. 3(2)(c)); null slots: none set. */
  ethnicGroups?: readonly { code: string; slots: number | null }[];
}

export interface TieDecision {
  quotaId: string;
  /** The head's order of the tied applications, best first. Must list every tied id. */
  orderedApplicationIds: string[];
}

export interface RecruitmentInput {
  ruleSet: RuleSet;
  quotas: RankingQuota[];
  applications: ApplicationScore[];
  tieDecisions?: TieDecision[];
}

export const APPLICATION_OUTCOMES = [
  'winner',
  'reserve',
  'failed',
  'tied_pending',
  'absent',
  /** NV2 application of a candidate who already won their NV1. */
  'not_considered',
  /** NV2 application placed within the slots while the candidate's NV1 tie awaits a decision. */
  'awaiting_nv1',
  /** Winner whose result was cancelled (dossier, fraud, no-show); set by promoteReserve. */
  'cancelled',
  /** Jointly recruited position: the placement depends on a tie at an agency's last slot awaiting the head (Decree 170/2025 Art. 10(3)). */
  'pending_tie',
] as const;
export type ApplicationOutcome = (typeof APPLICATION_OUTCOMES)[number];

export const QUOTA_STATUSES = ['complete', 'unfilled', 'tie_pending_decision', 'awaiting_other_quota'] as const;
export type QuotaStatus = (typeof QUOTA_STATUSES)[number];

export interface GateReason {
  code:
    | 'gate.exempt'
    | 'gate.round1_failed'
    | 'gate.foreign_language_failed'
    | 'gate.round1_part_below'
    | 'gate.absent'
    | 'gate.raw_below_minimum'
    | 'gate.part_below_minimum';
  message: string;
}

/**
 * The ranking round's gate reasons, as the engine writes them; results.explanation.ts derives them
 * back from a stored row with the same builders. `raw`: the raw score as written (formatScore).
 */
export const rankingGateReasons = {
  absent: (): GateReason => ({ code: 'gate.absent', message: 'Did not sit the ranking round' }),
  rawBelowMinimum: (raw: string, minimum: number): GateReason => ({
    code: 'gate.raw_below_minimum',
    message: `Raw ranking-round score ${raw} is below ${formatScore(minimum)}`,
  }),
};

export interface GateResult {
  passed: boolean;
  reasons: GateReason[];
}

export interface ApplicationResult {
  applicationId: string;
  quotaId: string;
  choice: 1 | 2;
  outcome: ApplicationOutcome;
  /** Competition rank among those who passed (tied applications share a rank); null otherwise. */
  rank: number | null;
  rankingScore: number | null;
  rawScore: number | null;
  priorityPoints: number;
  priorityCategory: string | null;
  gate: GateResult;
  decidedBy: DecidedBy;
  /** Other applications this one is still tied with after the whole chain. */
  tiedWith: string[];
  explanation: string;
  /** A jointly recruited position only (Decree 170/2025 Art. 10(3)): preferences, placement, pending tie. */
  joint?: JointResultInfo;
}

export interface QuotaResult {
  quotaId: string;
  slots: number;
  status: QuotaStatus;
  winners: string[];
  /** Applications tied across the last slot, awaiting the head's decision. */
  tiedApplicationIds: string[];
  /** How many of the tied applications can still win. */
  openSlotsInTie: number;
  /** Unresolved ties lower down among reserves (each group shares a rank). */
  reserveTies: string[][];
  passedCount: number;
  /** Ranked applications first (rank order), then not considered, failed and absent. */
  applications: ApplicationResult[];
  explanation: string;
  /** A quota of a jointly recruited position: winner slots numbered over the whole position. */
  jointSlots?: JointQuotaExtras;
}

const STEP_LABEL: Record<TieStep, string> = {
  ranking_round_raw: 'higher raw ranking-round score',
  round1_general_knowledge: 'higher round-1 general-knowledge result',
  written_part: 'higher written-part score',
  head_decision: "the head's decision",
};

function bad(message: string, details?: Record<string, unknown>): never {
  throw new DomainError('ranking.invalid_input', message, details);
}

function validateInput(input: RecruitmentInput): void {
  const quotaIds = new Set<string>();
  for (const q of input.quotas) {
    if (quotaIds.has(q.id)) bad(`Duplicate quota ${q.id}`, { quotaId: q.id });
    if (!Number.isSafeInteger(q.slots) || q.slots < 0) bad(`Quota ${q.id} slots must be a non-negative integer`, { quotaId: q.id });
    quotaIds.add(q.id);
  }
  const appIds = new Set<string>();
  const candidateChoices = new Map<string, number>(); // candidate → bit per choice (1 = NV1, 2 = NV2)
  for (const a of input.applications) {
    if (appIds.has(a.applicationId)) bad(`Duplicate application ${a.applicationId}`, { applicationId: a.applicationId });
    appIds.add(a.applicationId);
    if (!quotaIds.has(a.quotaId)) bad(`Application ${a.applicationId} refers to unknown quota ${a.quotaId}`, { applicationId: a.applicationId, quotaId: a.quotaId });
    if (a.choice !== 1 && a.choice !== 2) bad(`Application ${a.applicationId} choice must be 1 or 2`, { applicationId: a.applicationId });
    if (a.choice === 2 && input.ruleSet.applicationsPerCandidate < 2) {
      bad(`Rule set ${input.ruleSet.preset} does not allow a second choice (NV2)`, { applicationId: a.applicationId });
    }
    if (a.candidateId !== undefined) {
      const seen = candidateChoices.get(a.candidateId) ?? 0;
      if (seen & a.choice) bad(`Candidate ${a.candidateId} has two applications with choice ${a.choice}`, { candidateId: a.candidateId });
      candidateChoices.set(a.candidateId, seen | a.choice);
    }
    assertHundredths(a.priorityPoints, `${a.applicationId}.priorityPoints`, { min: 0 });
    if (a.round1GeneralKnowledge != null) assertHundredths(a.round1GeneralKnowledge, `${a.applicationId}.round1GeneralKnowledge`, { min: 0 });
    if (a.rankingRound) {
      assertHundredths(a.rankingRound.total, `${a.applicationId}.rankingRound.total`, { min: 0, max: 10000 });
      for (const p of a.rankingRound.parts) {
        assertHundredths(p.max, `${a.applicationId}.${p.code}.max`, { min: 1 });
        assertHundredths(p.score, `${a.applicationId}.${p.code}.score`, { min: 0, max: p.max });
      }
    }
    for (const p of a.gateRounds?.parts ?? []) {
      if (!Number.isSafeInteger(p.correct) || !Number.isSafeInteger(p.total) || p.correct < 0 || p.total < 1 || p.correct > p.total) {
        bad(`Application ${a.applicationId} gate part ${p.code} needs 0 ≤ correct ≤ total`, { applicationId: a.applicationId });
      }
    }
  }
  const seenDecision = new Set<string>();
  for (const d of input.tieDecisions ?? []) {
    if (!quotaIds.has(d.quotaId)) {
      throw new DomainError('tie_decision.invalid', `Tie decision for unknown quota ${d.quotaId}`, { quotaId: d.quotaId });
    }
    if (new Set(d.orderedApplicationIds).size !== d.orderedApplicationIds.length || d.orderedApplicationIds.length < 2) {
      throw new DomainError('tie_decision.invalid', 'A tie decision orders at least two distinct applications', { quotaId: d.quotaId });
    }
    for (const id of d.orderedApplicationIds) {
      if (seenDecision.has(`${d.quotaId}\u0000${id}`)) {
        throw new DomainError('tie_decision.invalid', `Application ${id} appears in two decisions`, { quotaId: d.quotaId, applicationId: id });
      }
      seenDecision.add(`${d.quotaId}\u0000${id}`);
    }
  }
}

/** The gate (Decree 138/2020 Art. 8–9; Decree 170/2025): round-1 parts, then the raw round-2 score. */
export function evaluateGate(app: ApplicationScore, ruleSet: Pick<RuleSet, 'gate'>): GateResult & { absent: boolean } {
  const reasons: GateReason[] = [];
  const { gate } = ruleSet;
  // Decree 170/2025 Art. 9(5): only those who passed the foreign-language exam sit the professional one.
  if (app.foreignLanguage && !app.foreignLanguage.passed) {
    reasons.push({ code: 'gate.foreign_language_failed', message: app.foreignLanguage.reason });
    return { passed: false, reasons, absent: false };
  }
  if (app.exempt) {
    reasons.push({ code: 'gate.exempt', message: 'Exempt from round 1' });
  } else if (app.gateRounds) {
    let failed = false;
    for (const p of app.gateRounds.parts) {
      if (!reachesPercent(p.correct, p.total, gate.gateRoundPartMinPercent)) {
        failed = true;
        reasons.push({
          code: 'gate.round1_part_below',
          message: `Round 1 ${p.code}: ${p.correct}/${p.total} correct, below ${gate.gateRoundPartMinPercent} %`,
        });
      }
    }
    if (!app.gateRounds.passed && !failed) {
      failed = true;
      reasons.push({ code: 'gate.round1_failed', message: 'Did not pass round 1' });
    }
    if (failed) return { passed: false, reasons, absent: false };
  }
  if (app.rankingRound === null) {
    reasons.push(rankingGateReasons.absent());
    return { passed: false, reasons, absent: true };
  }
  const raw = app.rankingRound.total;
  let passed = true;
  if (gate.rankingRoundMinRaw !== null && raw < gate.rankingRoundMinRaw) {
    passed = false;
    reasons.push(rankingGateReasons.rawBelowMinimum(formatScore(raw), gate.rankingRoundMinRaw));
  }
  if (gate.rankingRoundPartMinPercent !== null) {
    for (const p of app.rankingRound.parts) {
      if (!reachesPercent(p.score, p.max, gate.rankingRoundPartMinPercent)) {
        passed = false;
        reasons.push({
          code: 'gate.part_below_minimum',
          message: `Part ${p.code}: ${formatScore(p.score)} of ${formatScore(p.max)} is below ${gate.rankingRoundPartMinPercent} % of its maximum`,
        });
      }
    }
  }
  return { passed, reasons, absent: false };
}

function tieKey(app: ApplicationScore, step: ScoreTieStep): number | null | undefined {
  switch (step) {
    case 'ranking_round_raw':
      return app.rankingRound?.total;
    case 'round1_general_knowledge':
      return app.round1GeneralKnowledge;
    case 'written_part': {
      const written = app.rankingRound?.parts.filter((p) => p.written) ?? [];
      return written.length === 0 ? null : written.reduce((s, p) => s + p.score, 0);
    }
  }
}

interface Evaluated {
  app: ApplicationScore;
  gate: GateResult;
  absent: boolean;
  rankingScore: number | null;
}

interface Placement {
  outcome: ApplicationOutcome;
  rank: number | null;
  decidedBy: DecidedBy;
  tiedWith: string[];
  /** Why a passer within the slots was passed over (its ethnic group's slots were full). */
  note?: string;
}

/**
 * Per-group slots of a reserved quota (Decree 170/2025 Art. 3(2)(c): the plan sets the ethnic structure
 * to recruit): a passer whose group's slots are taken is passed over and the next one is placed.
 */
interface GroupLimits {
  codeOf: (applicationId: string) => string | null | undefined;
  slots: ReadonlyMap<string, number>;
}

interface Allocation {
  placements: Map<string, Placement>;
  winners: string[];
  tiedApplicationIds: string[];
  openSlotsInTie: number;
  reserveTies: string[][];
}

/** Gives slots to ranked groups in order; a group straddling the last slot is never split by guess. */
function allocate(groups: readonly RankedGroup<{ id: string }>[], slots: number, limits?: GroupLimits): Allocation {
  const placements = new Map<string, Placement>();
  const winners: string[] = [];
  let tiedApplicationIds: string[] = [];
  let openSlotsInTie = 0;
  const reserveTies: string[][] = [];
  let position = 0;
  const used = new Map<string, number>();
  for (const whole of groups) {
    let g = whole;
    if (limits && position < slots) {
      const left = (code: string | null | undefined): number | null => {
        const limit = code ? limits.slots.get(code) : undefined;
        return limit === undefined ? null : limit - (used.get(code!) ?? 0);
      };
      // Art. 3(2)(c): a passer whose group's slots are all taken cannot win here; the next passer is placed.
      const skipped = g.members.filter((m) => left(limits.codeOf(m.item.id)) === 0);
      for (const m of skipped) {
        const code = limits.codeOf(m.item.id)!;
        placements.set(m.item.id, {
          outcome: 'reserve',
          rank: g.rank,
          decidedBy: m.decidedBy,
          tiedWith: [],
          note: `Passed over: the ${limits.slots.get(code)} slot(s) the plan sets for ethnic group ${code} are taken (Decree 170/2025 Art. 3(2)(c)).`,
        });
      }
      if (skipped.length === g.members.length) continue;
      if (skipped.length > 0) g = { ...g, members: g.members.filter((m) => !skipped.includes(m)), tied: g.tied && g.members.length - skipped.length > 1 };
      // Equal passers of one group asking for more of its slots than are left: a tie at the group's last slot.
      if (g.tied && tiedApplicationIds.length === 0) {
        const byCode = new Map<string, string[]>();
        for (const m of g.members) {
          const code = limits.codeOf(m.item.id);
          if (code && left(code) !== null) byCode.set(code, [...(byCode.get(code) ?? []), m.item.id]);
        }
        const over = [...byCode.entries()].find(([code, ids]) => ids.length > left(code)!);
        if (over) {
          const [code, ids] = over;
          const open = Math.min(left(code)!, slots - position);
          tiedApplicationIds = ids;
          openSlotsInTie = open;
          for (const m of g.members.filter((x) => ids.includes(x.item.id))) {
            placements.set(m.item.id, { outcome: 'tied_pending', rank: g.rank, decidedBy: null, tiedWith: ids.filter((x) => x !== m.item.id) });
          }
          // Whoever the head chooses, `open` of them take slots and the group is then full.
          position += open;
          used.set(code, limits.slots.get(code)!);
          g = { ...g, members: g.members.filter((m) => !ids.includes(m.item.id)) };
          g = { ...g, tied: g.members.length > 1 };
          if (g.members.length === 0) continue;
        }
      }
    }
    const ids = g.members.map((m) => m.item.id);
    const size = ids.length;
    const tiedWith = (id: string): string[] => (g.tied ? ids.filter((x) => x !== id) : []);
    if (position + size <= slots) {
      // Entirely within the slots: a remaining tie does not matter, every member wins on score.
      for (const m of g.members) {
        placements.set(m.item.id, { outcome: 'winner', rank: g.rank, decidedBy: g.tied ? 'score' : m.decidedBy, tiedWith: tiedWith(m.item.id) });
        winners.push(m.item.id);
        const code = limits?.codeOf(m.item.id);
        if (code) used.set(code, (used.get(code) ?? 0) + 1);
      }
    } else if (position < slots) {
      // Only reachable with an unresolved group: resolved groups have one member.
      tiedApplicationIds = ids;
      openSlotsInTie = slots - position;
      for (const m of g.members) {
        placements.set(m.item.id, { outcome: 'tied_pending', rank: g.rank, decidedBy: null, tiedWith: tiedWith(m.item.id) });
      }
    } else {
      if (g.tied) reserveTies.push(ids);
      for (const m of g.members) {
        placements.set(m.item.id, { outcome: 'reserve', rank: g.rank, decidedBy: m.decidedBy, tiedWith: tiedWith(m.item.id) });
      }
    }
    position += size;
  }
  return { placements, winners, tiedApplicationIds, openSlotsInTie, reserveTies };
}

function compared(ruleSet: RuleSet): string {
  const steps = ruleSet.tieBreak.filter((s) => s !== 'head_decision').map((s) => STEP_LABEL[s]);
  const head = ruleSet.tieBreak.includes('head_decision') ? "; only the head's decision can separate them" : '';
  return `${steps.length > 0 ? ` after comparing ${steps.join(', then ')}` : ''}${head}`;
}

function gateSummary(e: Evaluated): string {
  const nonExempt = e.gate.reasons.filter((r) => r.code !== 'gate.exempt');
  return nonExempt.map((r) => r.message).join('; ');
}

function explainApplication(
  e: Evaluated,
  p: Placement | undefined,
  quota: { id: string; slots: number },
  ruleSet: RuleSet,
  extra: string | null,
): string {
  const exempt = e.app.exempt ? 'Exempt from round 1. ' : '';
  const nv = e.app.choice === 2 ? 'NV2 application, considered only for slots left after all NV1 candidates. ' : '';
  if (e.absent) return `${exempt}${nv}Absent from the ranking round: no result.`;
  if (!e.gate.passed) return `${exempt}${nv}Failed the gate (${ruleSet.legalBasis}): ${gateSummary(e)}.`;
  const raw = e.app.rankingRound?.total ?? 0;
  const score = `Ranking score ${formatScore(e.rankingScore ?? 0)} = raw ${formatScore(raw)} + priority ${formatScore(e.app.priorityPoints)}${
    e.app.priorityCategory ? ` (${e.app.priorityCategory})` : ''
  }`;
  if (!p) return `${exempt}${nv}${score}.${extra ? ` ${extra}` : ''}`;
  const how =
    p.decidedBy === 'score'
      ? p.tiedWith.length > 0
        ? `tied with ${p.tiedWith.join(', ')} but all within the slots`
        : 'place decided by ranking score'
      : p.decidedBy
        ? `tie on ranking score broken by ${STEP_LABEL[p.decidedBy]}`
        : `still tied with ${p.tiedWith.join(', ')}${compared(ruleSet)}`;
  const rank = `rank ${p.rank}`;
  let what: string;
  switch (p.outcome) {
    case 'winner':
      what = `winner (${quota.slots} slot${quota.slots === 1 ? '' : 's'})`;
      break;
    case 'tied_pending':
      what = `tied across the last slot: awaiting the head's decision (${ruleSet.legalBasis})`;
      break;
    case 'reserve':
      what = 'reserve, in rank order, to replace a cancelled winner of this quota';
      break;
    case 'awaiting_nv1':
      what = 'within the slots as NV2, but the NV1 tie of this candidate awaits a decision';
      break;
    default:
      what = p.outcome;
  }
  return `${exempt}${nv}${score}; ${rank}, ${what}; ${how}.${extra ? ` ${extra}` : ''}`;
}

function quotaStatusOf(slots: number, winners: number, tied: number, awaiting: boolean): QuotaStatus {
  if (tied > 0) return 'tie_pending_decision';
  if (awaiting) return 'awaiting_other_quota';
  return winners < slots ? 'unfilled' : 'complete';
}

function explainQuota(q: Omit<QuotaResult, 'explanation'>): string {
  const base = `${q.winners.length} of ${q.slots} slot${q.slots === 1 ? '' : 's'} filled; ${q.passedCount} passed the gate`;
  switch (q.status) {
    case 'tie_pending_decision':
      return `${base}; ${q.tiedApplicationIds.length} applications tied for the last ${q.openSlotsInTie} slot${q.openSlotsInTie === 1 ? '' : 's'}: the head must decide.`;
    case 'awaiting_other_quota':
      return `${base}; an NV2 placement depends on a tie decision in another quota.`;
    case 'unfilled':
      return `${base}; fewer passers than slots, ${q.slots - q.winners.length} unfilled.`;
    case 'complete':
      return `${base}.`;
  }
}

/**
 * Results per quota. NV1 applications are ranked first; NV2 applications follow them and so
 * only take slots left after every NV1 passer (Decree 115/2020 Art. 10 as amended by 85/2023).
 * A tie across the last slot that the chain cannot break is reported, never guessed.
 */
export function computeRecruitmentResults(input: RecruitmentInput): QuotaResult[] {
  validateInput(input);
  const { ruleSet } = input;

  const evaluated = new Map<string, Evaluated>();
  for (const app of input.applications) {
    const g = evaluateGate(app, ruleSet);
    const rankingScore = g.passed && app.rankingRound ? app.rankingRound.total + app.priorityPoints : null;
    evaluated.set(app.applicationId, { app, gate: { passed: g.passed, reasons: g.reasons }, absent: g.absent, rankingScore });
  }
  const byQuota = new Map<string, Evaluated[]>();
  for (const q of input.quotas) byQuota.set(q.id, []);
  for (const e of evaluated.values()) byQuota.get(e.app.quotaId)?.push(e);

  const decisionsByQuota = new Map<string, string[][]>();
  for (const d of input.tieDecisions ?? []) {
    const list = decisionsByQuota.get(d.quotaId) ?? [];
    list.push(d.orderedApplicationIds);
    decisionsByQuota.set(d.quotaId, list);
  }
  const decisionsFor = (quotaId: string): string[][] => decisionsByQuota.get(quotaId) ?? [];

  const rank = (list: Evaluated[], quotaId: string) =>
    rankWithTieChain(
      list.map((e) => ({ id: e.app.applicationId, e })),
      {
        id: (x) => x.id,
        score: (x) => x.e.rankingScore ?? 0,
        chain: ruleSet.tieBreak,
        key: (x, step) => tieKey(x.e.app, step),
        decisions: decisionsFor(quotaId),
      },
    );

  // Decree 170/2025 Art. 10(3): the quotas of a jointly recruited position are ranked together (joint-results.ts).
  const jointResults = new Map<string, QuotaResult>();
  const jointPositions = new Map<string, RankingQuota[]>();
  for (const q of input.quotas) {
    if (!q.jointKey || q.agencyId === undefined) continue;
    jointPositions.set(q.jointKey, [...(jointPositions.get(q.jointKey) ?? []), q]);
  }
  for (const quotas of jointPositions.values()) {
    const ids = new Set(quotas.map((q) => q.id));
    const own = quotas.flatMap((q) => byQuota.get(q.id) ?? []);
    const decisions = (input.tieDecisions ?? []).filter((d) => ids.has(d.quotaId));
    const list = jointQuotaResults(
      quotas.map((q) => ({ id: q.id, slots: q.slots, agencyId: q.agencyId! })),
      own,
      ruleSet,
      tieKey,
      decisions,
    );
    for (const r of list) jointResults.set(r.quotaId, r);
  }
  const ordinary = input.quotas.filter((q) => !jointResults.has(q.id));

  // Decree 170/2025 Art. 3(2)(c): per-group slots of a reserved quota, where the plan sets them.
  const limitsOf = (q: RankingQuota): GroupLimits | undefined => {
    const set = (q.ethnicGroups ?? []).filter((g) => g.slots !== null);
    if (set.length === 0) return undefined;
    return { codeOf: (id) => evaluated.get(id)?.app.ethnicityCode, slots: new Map(set.map((g) => [g.code, g.slots!])) };
  };

  // Phase 1: NV1 in every quota, so that NV2 can exclude candidates who won their first choice.
  const nv1Groups = new Map<string, RankedGroup<{ id: string; e: Evaluated }>[]>();
  const nv1Outcome = new Map<string, ApplicationOutcome>(); // by candidateId
  for (const q of ordinary) {
    const passers = (byQuota.get(q.id) ?? []).filter((e) => e.app.choice === 1 && e.gate.passed);
    const groups = rank(passers, q.id);
    nv1Groups.set(q.id, groups);
    const alloc = allocate(groups, q.slots, limitsOf(q));
    for (const e of passers) {
      const c = e.app.candidateId;
      const p = alloc.placements.get(e.app.applicationId);
      if (c !== undefined && p) nv1Outcome.set(c, p.outcome);
    }
  }

  const results: QuotaResult[] = [];
  for (const q of input.quotas) {
    const joint = jointResults.get(q.id);
    if (joint) {
      results.push(joint);
      continue;
    }
    const all = byQuota.get(q.id) ?? [];
    const nv1 = nv1Groups.get(q.id) ?? [];
    const nv2All = all.filter((e) => e.app.choice === 2 && e.gate.passed);
    const notConsidered = nv2All.filter((e) => e.app.candidateId !== undefined && nv1Outcome.get(e.app.candidateId) === 'winner');
    const skipped = new Set(notConsidered);
    const nv2 = nv2All.filter((e) => !skipped.has(e));
    const nv1Count = nv1.reduce((n, g) => n + g.members.length, 0);
    const nv2Groups = rank(nv2, q.id).map((g) => ({ ...g, rank: g.rank + nv1Count }));
    const groups = [...nv1, ...nv2Groups];
    const alloc = allocate(groups, q.slots, limitsOf(q));

    let awaiting = false;
    for (const e of nv2) {
      const p = alloc.placements.get(e.app.applicationId);
      const c = e.app.candidateId;
      if (p && c !== undefined && nv1Outcome.get(c) === 'tied_pending' && (p.outcome === 'winner' || p.outcome === 'tied_pending')) {
        p.outcome = 'awaiting_nv1';
        awaiting = true;
      }
    }
    const winners = alloc.winners.filter((id) => alloc.placements.get(id)?.outcome === 'winner');

    const ranked = groups.flatMap((g) => g.members.map((m) => m.item.e));
    const failed = all.filter((e) => !e.gate.passed && !e.absent);
    const absent = all.filter((e) => e.absent);
    const apps: ApplicationResult[] = [];
    const push = (e: Evaluated, outcome: ApplicationOutcome, p: Placement | undefined, extra: string | null): void => {
      apps.push({
        applicationId: e.app.applicationId,
        quotaId: q.id,
        choice: e.app.choice,
        outcome,
        rank: p?.rank ?? null,
        rankingScore: e.rankingScore,
        rawScore: e.app.rankingRound?.total ?? null,
        priorityPoints: e.app.priorityPoints,
        priorityCategory: e.app.priorityCategory,
        gate: e.gate,
        decidedBy: p?.decidedBy ?? null,
        tiedWith: p?.tiedWith ?? [],
        explanation: explainApplication(e, p, q, ruleSet, extra),
      });
    };
    for (const e of ranked) {
      const p = alloc.placements.get(e.app.applicationId);
      if (p) push(e, p.outcome, p, p.note ?? null);
    }
    for (const e of notConsidered) push(e, 'not_considered', undefined, 'Not considered: the candidate won their NV1.');
    for (const e of failed) push(e, 'failed', undefined, null);
    for (const e of absent) push(e, 'absent', undefined, null);

    const partial: Omit<QuotaResult, 'explanation'> = {
      quotaId: q.id,
      slots: q.slots,
      status: quotaStatusOf(q.slots, winners.length, alloc.tiedApplicationIds.length, awaiting),
      winners,
      tiedApplicationIds: alloc.tiedApplicationIds,
      openSlotsInTie: alloc.openSlotsInTie,
      reserveTies: alloc.reserveTies,
      passedCount: ranked.length,
      applications: apps,
    };
    results.push({ ...partial, explanation: explainQuota(partial) });
  }
  return results;
}

/**
 * Checks a head decision against computed results before it is stored: it must order exactly
 * the applications of one unresolved tie of that quota. Throws `tie_decision.invalid`.
 */
export function validateTieDecision(results: readonly QuotaResult[], decision: TieDecision): void {
  const quota = results.find((q) => q.quotaId === decision.quotaId);
  if (!quota) throw new DomainError('tie_decision.invalid', `Unknown quota ${decision.quotaId}`, { quotaId: decision.quotaId });
  const groups = [quota.tiedApplicationIds, ...quota.reserveTies].filter((g) => g.length > 0);
  const wanted = new Set(decision.orderedApplicationIds);
  const match = groups.find((g) => g.length === wanted.size && g.length === decision.orderedApplicationIds.length && g.every((id) => wanted.has(id)));
  if (!match) {
    throw new DomainError('tie_decision.invalid', 'The decision must order exactly the applications of one unresolved tie', {
      quotaId: decision.quotaId,
      unresolvedTies: groups,
    });
  }
}

export type PromotionResult =
  | {
      status: 'promoted';
      quotaId: string;
      cancelledApplicationId: string;
      /** The next reserve taking the freed slot. */
      replacementApplicationId: string;
      /** Every application that became a winner (more than one when a pending tie now fits the slots). */
      newWinnerIds: string[];
      explanation: string;
      results: QuotaResult[];
    }
  | {
      status: 'tie_pending_decision';
      quotaId: string;
      cancelledApplicationId: string;
      tiedApplicationIds: string[];
      openSlotsInTie: number;
      explanation: string;
      results: QuotaResult[];
    }
  | {
      status: 'no_reserve';
      quotaId: string;
      cancelledApplicationId: string;
      explanation: string;
      results: QuotaResult[];
    };

/**
 * Gives a quota's slots again from the stored shared ranks (cancelled rows drop out). Reserves keep
 * the order the tie chain gave them; a group still tied across the freed slot stays pending.
 * Mutates `quota`; returns who newly wins.
 */
function reallocate(quota: QuotaResult, why: string, slotText: string): { newlyWinning: string[]; alloc: Allocation } {
  const before = new Set(quota.winners);
  const ranked = quota.applications
    .filter((a) => a.rank !== null && (a.outcome === 'winner' || a.outcome === 'reserve' || a.outcome === 'tied_pending'))
    .sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
  const groups: RankedGroup<{ id: string }>[] = [];
  for (const a of ranked) {
    const last = groups.at(-1);
    if (last && last.rank === a.rank) {
      last.members.push({ item: { id: a.applicationId }, decidedBy: a.decidedBy });
      last.tied = true;
    } else {
      groups.push({ rank: a.rank ?? 0, tied: false, stoppedAt: null, members: [{ item: { id: a.applicationId }, decidedBy: a.decidedBy }] });
    }
  }
  const alloc = allocate(groups, quota.slots);
  const newlyWinning: string[] = [];
  for (const a of quota.applications) {
    const p = alloc.placements.get(a.applicationId);
    if (!p) continue;
    const was = a.outcome;
    a.outcome = p.outcome;
    a.tiedWith = p.tiedWith;
    if (p.outcome === 'winner' && !before.has(a.applicationId)) {
      newlyWinning.push(a.applicationId);
      a.explanation = `${a.explanation} Promoted from ${was} to winner ${why}.`;
    } else if (p.outcome === 'tied_pending' && was !== 'tied_pending') {
      a.explanation = `${a.explanation} Now tied for ${slotText}: awaiting the head's decision.`;
    }
    if (p.outcome === 'winner' || p.outcome === 'tied_pending') a.decidedBy = p.decidedBy;
  }
  quota.winners = alloc.winners;
  quota.tiedApplicationIds = alloc.tiedApplicationIds;
  quota.openSlotsInTie = alloc.openSlotsInTie;
  quota.reserveTies = alloc.reserveTies;
  quota.status = quotaStatusOf(quota.slots, alloc.winners.length, alloc.tiedApplicationIds.length, false);
  const { explanation: _old, ...rest } = quota;
  quota.explanation = explainQuota(rest);
  return { newlyWinning, alloc };
}

/**
 * The head's decision on reserves tied for a slot freed by a cancellation (after approval): the
 * decided order separates them, then the freed slots go to the first of them (Decree 138/2020
 * Art. 9(2), Art. 17). Throws `tie_decision.invalid` unless it orders exactly the pending tie.
 * Returns updated copies and who newly wins.
 */
export function applyReplacementDecision(
  results: readonly QuotaResult[],
  decision: TieDecision,
): { results: QuotaResult[]; newWinnerIds: string[] } {
  const copy: QuotaResult[] = structuredClone(results as QuotaResult[]);
  const quota = copy.find((q) => q.quotaId === decision.quotaId);
  const ids = decision.orderedApplicationIds;
  if (!quota || quota.tiedApplicationIds.length === 0) {
    throw new DomainError('tie_decision.invalid', `Quota ${decision.quotaId} has no tie awaiting a decision`, { quotaId: decision.quotaId });
  }
  const wanted = new Set(ids);
  if (quota.tiedApplicationIds.length !== ids.length || wanted.size !== ids.length || !quota.tiedApplicationIds.every((id) => wanted.has(id))) {
    throw new DomainError('tie_decision.invalid', 'The decision must order exactly the applications tied for the freed slot', {
      quotaId: decision.quotaId,
      unresolvedTies: [quota.tiedApplicationIds],
    });
  }
  for (const a of quota.applications) {
    const i = ids.indexOf(a.applicationId);
    if (i < 0) continue;
    a.rank = (a.rank ?? 0) + i;
    a.outcome = 'reserve';
    a.decidedBy = 'head_decision';
  }
  const { newlyWinning } = reallocate(quota, "by the head's decision on a tie among reserves", 'the freed slot');
  return { results: copy, newWinnerIds: newlyWinning };
}

/**
 * A cancelled winner (incomplete dossier, fraud, no-show) is replaced by the next reserve of the
 * same quota (Decree 138/2020 Art. 17; Decree 115/2020 Art. 18). Reserves keep the order the tie
 * chain gave them; if the next reserves are still tied, the head must decide first (pending).
 * Returns updated copies of the results; the input is not modified.
 */
export function promoteReserve(results: readonly QuotaResult[], cancelledApplicationId: string): PromotionResult {
  const copy: QuotaResult[] = structuredClone(results as QuotaResult[]);
  const quota = copy.find((q) => q.applications.some((a) => a.applicationId === cancelledApplicationId));
  const cancelled = quota?.applications.find((a) => a.applicationId === cancelledApplicationId);
  if (!quota || !cancelled) {
    throw new DomainError('promotion.invalid', `Unknown application ${cancelledApplicationId}`, { applicationId: cancelledApplicationId });
  }
  if (cancelled.outcome !== 'winner') {
    throw new DomainError('promotion.invalid', `Application ${cancelledApplicationId} is not a winner (${cancelled.outcome})`, {
      applicationId: cancelledApplicationId,
      outcome: cancelled.outcome,
    });
  }
  if (quota.status === 'awaiting_other_quota') {
    throw new DomainError('promotion.tie_pending', 'Settle the pending NV1 tie decision before replacing winners', { quotaId: quota.quotaId });
  }

  cancelled.outcome = 'cancelled';
  cancelled.explanation = `${cancelled.explanation} Result cancelled; the slot goes to the next reserve of this quota.`;
  const { newlyWinning, alloc } = reallocate(quota, `to replace cancelled ${cancelledApplicationId}`, `the slot freed by cancelled ${cancelledApplicationId}`);

  const base = { quotaId: quota.quotaId, cancelledApplicationId, results: copy };
  const replacement = newlyWinning[0];
  if (replacement !== undefined) {
    return {
      status: 'promoted',
      ...base,
      replacementApplicationId: replacement,
      newWinnerIds: newlyWinning,
      explanation: `${newlyWinning.join(', ')} ${newlyWinning.length === 1 ? 'replaces' : 'replace'} cancelled winner ${cancelledApplicationId} as the next reserve of quota ${quota.quotaId}.`,
    };
  }
  if (alloc.tiedApplicationIds.length > 0) {
    return {
      status: 'tie_pending_decision',
      ...base,
      tiedApplicationIds: alloc.tiedApplicationIds,
      openSlotsInTie: alloc.openSlotsInTie,
      explanation: `The next reserves ${alloc.tiedApplicationIds.join(', ')} are tied after the whole chain: the head must decide who replaces ${cancelledApplicationId}.`,
    };
  }
  return { status: 'no_reserve', ...base, explanation: `No reserve left in quota ${quota.quotaId}: the slot stays unfilled.` };
}
