import type { Caller, Clock } from '../../context.js';
import type { EthnicGroupSlots, ForeignLanguageRequirement } from '../quotas/quotas.table.js';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { formatScore, parseScore } from '../../domain/decimal.js';
import { DomainError } from '../../domain/errors.js';
import { maskName } from '../../domain/masking.js';
import { computeLeadershipResults, type TitleResult } from '../../domain/leadership.js';
import {
  applyReplacementDecision,
  promoteReserve,
  validateTieDecision,
  type ApplicationResult,
  type QuotaResult,
  type TieDecision,
} from '../../domain/ranking.js';
import { resolveRuleSet, type RuleSet, type RuleSetOverrides } from '../../domain/rule-sets.js';
import { AppError, conflict, notFound, preconditionFailed, unprocessable } from '../../errors.js';
import { headDecision, type DecisionRef } from '../boards/boards.acts.js';
import { overfilledEthnicGroups, refuseOverfilledEthnicGroups } from './results.ethnic.js';
import { audited, type Record as RecordAudit } from '../audit/audit.writer.js';
import type { ScopedDrive } from '../drives/drives.repository.js';
import { driveView, type DrivesService, type DriveView } from '../drives/drives.service.js';
import { compactExplanation, expandExplanation, explanationContext, isWhole, type ExplanationContext } from './results.explanation.js';
import { assertRoundsRevealed, buildLeadershipInput, buildRecruitmentInput } from './results.input.js';
import { shownQuota, type NewQuotaResultRow, type NewResultRow, type QuotaResultWithQuota, type ResultsRepository, type ResultWithNumber } from './results.repository.js';
import type { CancelInput, ComputeInput, ListResultsQuery, TieDecisionInput } from './results.schemas.js';
import type { QuotaOutcome, QuotaResultRow, ResultExplanation, ResultOutcome, ResultRow, StoredExplanation } from './results.table.js';
import { computeResultsByMethod } from '../../domain/review.js';

export type ResultsDeps = {
  db: Db;
  repo: ResultsRepository;
  drives: DrivesService;
  clock: Clock;
  /** Applications in the running per group of quotas computed at once (see quotaGroups); GROUP_APPLICATIONS unless given. */
  groupApplications?: number;
  /**
   * Cancelling a winner of a 170/300 drive strikes off their path to appointment instead of
   * promoting the next reserve at once (src/modules/appointments: 170 Art. 19(4), 300 Art. 5(4)).
   */
  cancelWinnerPath?: CancelWinnerPath;
  /**
   * Refuses (409) to submit or approve while an appeal window of the drive is open or an appeal is
   * unresolved (Quy chế Art. 15(4)(b)); called under the drive's lock. See src/modules/appeals.
   */
  appealGate?: (tx: Tx, driveId: string, action: 'submitted' | 'approved') => Promise<void>;
  /** Freezes the identity of the drive's applications at approval (src/modules/identity). */
  onApproved?: (tx: Tx, driveId: string) => Promise<void>;
};

export type CancelWinnerPath = (
  tx: Tx,
  drive: ScopedDrive,
  result: { id: string; quotaId: string; applicationId: string },
  input: CancelInput,
  record: RecordAudit,
) => Promise<{
  status: 'promoted' | 'tie_pending_decision' | 'awaiting_head_decision' | 'no_reserve';
  explanation: string;
  promotedResultIds: string[];
  tiedApplicationIds: string[];
  barred: { drivesRemaining: number } | null;
}>;

const FROZEN: readonly string[] = ['approved', 'published', 'finished'];
const REPLACEABLE: readonly string[] = ['approved', 'published'];
const EXAMINED: readonly string[] = ['marking', 'results_computed', 'submitted', 'approved', 'published', 'finished'];
const PENDING_TIE: readonly QuotaOutcome[] = ['tie_pending_decision', 'awaiting_other_quota'];

/**
 * Applications in the running per group of quotas computed at once (see quotaGroups). Each
 * group's rows, engine structures and result rows outlive a few statements, so V8 promotes them
 * to the old generation, which it lets grow to a large limit before its first full collection:
 * the smaller the groups, the less is promoted. On the 192,000-application bench drive, groups of
 * 2,000 rather than 20,000 lowered the peak resident set by about 200 MiB; 1,000 gained little more.
 */
const GROUP_APPLICATIONS = 2_000;

type Tally = { applications: number; winners: number; reserves: number };
const tallyOf = (rows: readonly NewResultRow[]): Tally => {
  let winners = 0;
  let reserves = 0;
  for (const r of rows) {
    if (r.outcome === 'winner') winners++;
    else if (r.outcome === 'reserve') reserves++;
  }
  return { applications: rows.length, winners, reserves };
};

/** foreignLanguage: the quota's requirement of Decree 170/2025 Art. 9(5) (null: none). */
type Quota = {
  id: string;
  slots: number;
  foreignLanguage: ForeignLanguageRequirement | null;
  agencyId: string;
  /** Set on the quotas of a jointly recruited position (Decree 170/2025 Art. 10(3)): ranked together. */
  jointKey: string | null;
  ethnicGroups: EthnicGroupSlots[];
  /** Exam or review (Decree 170/2025 Art. 3(2)(d)): each ranked under its own rules. */
  method: 'exam' | 'review';
};
/** What applicationsWithScores must read beyond scores for these quotas. */
const extrasFor = (quotaList: readonly Quota[]) => ({
  joint: quotaList.some((q) => q.jointKey !== null),
  ethnic: quotaList.some((q) => q.ethnicGroups.some((g) => g.slots !== null)),
});
type Plan = { quotaRows: NewQuotaResultRow[]; resultRows: NewResultRow[]; candidateNumbers: Map<string, string | null> };

/** A result as the API shows it (stored, or previewed by a dry run). */
type RowLike = Pick<
  ResultRow,
  | 'applicationId'
  | 'choice'
  | 'outcome'
  | 'rank'
  | 'winnerSlot'
  | 'rawScore'
  | 'priorityPoints'
  | 'rankingScore'
  | 'decidedBy'
  | 'cancelReason'
  | 'cancelNote'
  | 'cancelledAt'
  | 'replacedByResultId'
  | 'promotedAt'
  | 'replacesResultId'
> & { id: string | null; candidateNumber: string | null; explanation: ResultExplanation };

/** A stored row with its explanation made whole (see results.explanation.ts). */
type Whole<T extends { explanation: StoredExplanation }> = Omit<T, 'explanation'> & { explanation: ResultExplanation };

const score = (h: number | null | undefined): string | null => (h === null || h === undefined ? null : formatScore(h));

/** Decree 170/2025 Art. 10(3): a jointly recruited position's row says where it is placed, or which tie it waits for. */
function jointView(j: NonNullable<ResultExplanation['joint']>) {
  return {
    agencyPreferences: j.agencyPreferences,
    placedAgencyId: j.placedAgencyId,
    placedQuotaId: j.placedQuotaId,
    placedPreference: j.placedPreference,
    pendingTie: j.pendingTie,
  };
}

function rowView(r: RowLike) {
  const e = r.explanation;
  let text = e.text;
  if (r.outcome === 'cancelled' && r.cancelledAt) {
    text += ` Result cancelled on ${r.cancelledAt.toISOString().slice(0, 10)} (${r.cancelReason ?? 'cancelled'}${r.cancelNote ? `: ${r.cancelNote}` : ''})`;
    text += r.replacedByResultId ? `; the slot went to result ${r.replacedByResultId}.` : '; the replacement is pending.';
  }
  if (r.promotedAt) text += ` Promoted to winner on ${r.promotedAt.toISOString().slice(0, 10)} to replace cancelled result ${r.replacesResultId ?? ''}.`;
  return {
    resultId: r.id,
    applicationId: r.applicationId,
    candidateNumber: r.candidateNumber,
    choice: r.choice,
    outcome: r.outcome,
    rank: r.rank,
    winnerSlot: r.winnerSlot,
    rawScore: r.rawScore,
    priorityPoints: r.priorityPoints,
    priorityCategory: e.priorityCategory,
    rankingScore: r.rankingScore,
    gate: e.gate,
    decidedBy: r.decidedBy,
    tiedWith: e.tiedWith,
    parts: e.parts,
    joint: e.joint ? jointView(e.joint) : null,
    explanation: text,
    cancellation: r.cancelledAt ? { reason: r.cancelReason, note: r.cancelNote, at: r.cancelledAt, replacedByResultId: r.replacedByResultId } : null,
    promotion: r.promotedAt ? { at: r.promotedAt, replacesResultId: r.replacesResultId } : null,
  };
}
export type ResultRowView = ReturnType<typeof rowView>;

type QuotaLike = Pick<
  QuotaResultRow,
  'quotaId' | 'status' | 'slots' | 'winners' | 'tiedApplicationIds' | 'openSlotsInTie' | 'reserveTies' | 'passedCount' | 'candidateCount' | 'explanation'
> & { agencyId: string | null; jobPositionId: string | null; title: string | null; computedAt: Date | null };

function quotaView(q: QuotaLike, rows: RowLike[]) {
  const views = rows.map(rowView);
  const by = (...o: ResultOutcome[]) => views.filter((v) => o.includes(v.outcome));
  return {
    quotaId: q.quotaId,
    agencyId: q.agencyId,
    jobPositionId: q.jobPositionId,
    title: q.title,
    status: q.status,
    slots: q.slots,
    winnersCount: q.winners,
    passedCount: q.passedCount,
    candidateCount: q.candidateCount,
    openSlotsInTie: q.openSlotsInTie,
    tiedApplicationIds: q.tiedApplicationIds,
    reserveTies: q.reserveTies,
    explanation: q.explanation,
    computedAt: q.computedAt,
    winners: by('winner'),
    tied: by('tied_pending'),
    reserves: by('reserve'),
    failed: by('failed', 'absent'),
    others: by('not_considered', 'awaiting_nv1', 'cancelled', 'not_selected', 'pending', 'not_held', 'pending_tie'),
    rows: inRankOrder(views),
  };
}

/** Every row of a quota in one list: ranked rows by rank (rows still tied share one), then the unranked in their buckets' order. */
function inRankOrder<V extends { rank: number | null; outcome: ResultOutcome }>(views: V[]): V[] {
  const bucket = (o: ResultOutcome) => (['winner', 'tied_pending', 'reserve'].includes(o) ? 0 : o === 'failed' || o === 'absent' ? 1 : 2);
  return views
    .map((v, i) => ({ v, i }))
    .sort((a, b) => {
      const ra = a.v.rank ?? Number.POSITIVE_INFINITY;
      const rb = b.v.rank ?? Number.POSITIVE_INFINITY;
      return ra !== rb ? ra - rb : bucket(a.v.outcome) - bucket(b.v.outcome) || a.i - b.i;
    })
    .map(({ v }) => v);
}
export type QuotaResultView = ReturnType<typeof quotaView>;

/** Overrides on top of overrides: objects merge key by key, arrays and scalars replace. */
function mergeOverrides(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return base;
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(base) && isObj(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(patch)) out[k] = mergeOverrides(base[k], v);
    return out;
  }
  return patch;
}

/** An explanation followed by the disciplinary acts the engine applied (Circular 22/2025 Nội quy Art. 2), each with its minute. */
const disciplineText = (text: string, discipline?: readonly string[]) => (discipline?.length ? `${text} Discipline (Nội quy Art. 2): ${discipline.join('; ')}.` : text);

function explanationOf(a: ApplicationResult, parts: ResultExplanation['parts'], discipline?: readonly string[]): ResultExplanation {
  const text = disciplineText(a.explanation, discipline);
  return { text, gate: a.gate, tiedWith: a.tiedWith, priorityCategory: a.priorityCategory, parts, ...(a.joint ? { joint: a.joint } : {}) };
}

function recruitmentPlan(
  quotaResults: QuotaResult[],
  parts: Map<string, ResultExplanation['parts']>,
  discipline: ReadonlyMap<string, readonly string[]> = new Map(),
): Omit<Plan, 'candidateNumbers'> {
  const quotaRows: NewQuotaResultRow[] = [];
  const resultRows: NewResultRow[] = [];
  for (const q of quotaResults) {
    quotaRows.push({
      quotaId: q.quotaId,
      status: q.status,
      slots: q.slots,
      winners: q.winners.length,
      tiedApplicationIds: q.tiedApplicationIds,
      openSlotsInTie: q.openSlotsInTie,
      reserveTies: q.reserveTies,
      passedCount: q.passedCount,
      candidateCount: q.applications.length,
      explanation: q.explanation,
    });
    // A jointly recruited position numbers its winner slots over the whole position (rows stay under their own quota).
    const slotOf = q.jointSlots ? new Map(Object.entries(q.jointSlots.winnerSlots)) : new Map(q.winners.map((id, i) => [id, i + 1]));
    for (const [position, a] of q.applications.entries()) {
      resultRows.push({
        position,
        quotaId: q.quotaId,
        applicationId: a.applicationId,
        choice: a.choice,
        outcome: a.outcome,
        rank: a.rank,
        winnerSlot: a.outcome === 'winner' ? (slotOf.get(a.applicationId) ?? null) : null,
        quotaSlots: q.jointSlots?.rowSlots ?? q.slots,
        rankingScore: score(a.rankingScore),
        rawScore: score(a.rawScore),
        priorityPoints: formatScore(a.priorityPoints),
        decidedBy: a.decidedBy,
        explanation: explanationOf(a, parts.get(a.applicationId) ?? [], discipline.get(a.applicationId)),
      });
    }
  }
  return { quotaRows, resultRows };
}

function leadershipPlan(
  titles: TitleResult[],
  slots: Map<string, number>,
  ruleSet: RuleSet,
  discipline: ReadonlyMap<string, readonly string[]> = new Map(),
): Omit<Plan, 'candidateNumbers'> {
  const weights = ruleSet.leadership?.weights ?? { written: 1, actionPlan: 1 };
  const quotaRows: NewQuotaResultRow[] = [];
  const resultRows: NewResultRow[] = [];
  for (const t of titles) {
    const n = slots.get(t.titleId) ?? 1;
    quotaRows.push({
      quotaId: t.titleId,
      status: t.outcome,
      slots: n,
      winners: t.winnerApplicationId ? 1 : 0,
      tiedApplicationIds: t.tiedApplicationIds,
      openSlotsInTie: t.tiedApplicationIds.length > 0 ? 1 : 0,
      reserveTies: [],
      passedCount: t.candidates.filter((c) => c.combined !== null).length,
      candidateCount: t.candidateCount,
      explanation: t.explanation,
    });
    for (const [position, c] of t.candidates.entries()) {
      resultRows.push({
        position,
        quotaId: t.titleId,
        applicationId: c.applicationId,
        choice: 1,
        outcome: c.outcome,
        rank: c.rank,
        winnerSlot: c.outcome === 'winner' ? 1 : null,
        quotaSlots: n,
        rankingScore: score(c.combined),
        rawScore: score(c.written),
        priorityPoints: '0.00',
        decidedBy: c.decidedBy,
        explanation: {
          text: disciplineText(c.explanation, discipline.get(c.applicationId)),
          gate: c.gate,
          tiedWith: c.outcome === 'tied_pending' ? t.tiedApplicationIds.filter((id) => id !== c.applicationId) : [],
          priorityCategory: null,
          parts: [
            { code: 'written', score: score(c.written), max: '100.00', weight: weights.written },
            { code: 'action_plan', score: score(c.actionPlan), max: '100.00', weight: weights.actionPlan },
          ],
        },
      });
    }
  }
  return { quotaRows, resultRows };
}

/** Rebuilds the engine's view of one stored quota, so a replacement follows the same rules. */
function storedQuota(q: QuotaResultRow, rows: Whole<ResultRow>[], replacementOrders: string[][]): QuotaResult {
  const rankOf = new Map(rows.map((r) => [r.applicationId, r.rank]));
  // A replacement decision ordered members that share a rank: give them distinct ranks in memory.
  for (const order of replacementOrders) {
    order.forEach((id, i) => {
      const base = rankOf.get(id);
      if (base !== undefined && base !== null) rankOf.set(id, base + i);
    });
  }
  const applications: ApplicationResult[] = rows.map((r) => ({
    applicationId: r.applicationId,
    quotaId: r.quotaId,
    choice: r.choice === 2 ? 2 : 1,
    outcome: r.outcome as ApplicationResult['outcome'],
    rank: rankOf.get(r.applicationId) ?? null,
    rankingScore: r.rankingScore === null ? null : parseScore(r.rankingScore),
    rawScore: r.rawScore === null ? null : parseScore(r.rawScore),
    priorityPoints: parseScore(r.priorityPoints),
    priorityCategory: r.explanation.priorityCategory,
    gate: r.explanation.gate as ApplicationResult['gate'],
    decidedBy: r.decidedBy as ApplicationResult['decidedBy'],
    tiedWith: r.explanation.tiedWith,
    explanation: '',
  }));
  return {
    quotaId: q.quotaId,
    slots: q.slots,
    status: (['complete', 'unfilled', 'tie_pending_decision'].includes(q.status) ? q.status : 'unfilled') as QuotaResult['status'],
    winners: rows.filter((r) => r.outcome === 'winner').map((r) => r.applicationId),
    tiedApplicationIds: q.tiedApplicationIds,
    openSlotsInTie: q.openSlotsInTie,
    reserveTies: q.reserveTies,
    passedCount: q.passedCount,
    applications,
    explanation: q.explanation,
  };
}

type Summary = {
  quotas: number;
  applications: number;
  slots: number;
  winners: number;
  reserves: number;
  quotasByStatus: Record<string, number>;
};

export function createResultsService(deps: ResultsDeps) {
  const { db, repo, drives, clock } = deps;
  const groupSize = deps.groupApplications ?? GROUP_APPLICATIONS;

  async function lockDrive(tx: Tx, caller: Caller, driveId: string, expected: number | undefined): Promise<ScopedDrive> {
    const drive = await drives.lockVisibleDrive(tx, caller, driveId);
    if (expected !== undefined && expected !== drive.version) throw preconditionFailed();
    return drive;
  }

  /** Loads what the engine needs, in a few set-based reads (one after the other: a transaction is one connection). */
  async function load(tx: DbOrTx, drive: ScopedDrive) {
    const quotaList = await repo.quotasOf(drive.id, tx);
    const rounds = await repo.roundsOf(drive.id, tx);
    const apps = await repo.applicationsWithScores(drive.id, rounds, tx, undefined, extrasFor(quotaList));
    const decisions = await repo.tieDecisionsOf(drive.id, tx);
    return { quotaList, rounds, apps, decisions };
  }

  /** Runs the engine under the given rule set over loaded data (pure, synchronous). */
  function evaluate(data: Awaited<ReturnType<typeof load>>, drive: ScopedDrive, ruleSet: RuleSet): Omit<Plan, 'candidateNumbers'> {
    const { quotaList, rounds, apps, decisions } = data;
    const tieDecisions: TieDecision[] = decisions
      .filter((d) => d.stage === 'results')
      .map((d) => ({ quotaId: d.quotaId, orderedApplicationIds: d.orderedApplicationIds }));
    if (drive.kind === 'leadership') {
      // Discipline (Nội quy Art. 2) on leadership papers as on recruitment ones, named in the explanation.
      const discipline = new Map<string, string[]>();
      const titles = computeLeadershipResults({
        ruleSet,
        titles: quotaList.map((q) => ({ id: q.id })),
        candidates: buildLeadershipInput(rounds, apps, discipline),
        tieDecisions,
      });
      return leadershipPlan(titles, new Map(quotaList.map((q) => [q.id, q.slots])), ruleSet, discipline);
    }
    assertRoundsRevealed(rounds);
    // Decree 170/2025 Art. 9(5): the quotas whose plan requires a foreign language.
    const languageOf = new Map(quotaList.flatMap((q) => (q.foreignLanguage ? [[q.id, { language: q.foreignLanguage.language, passMark: q.foreignLanguage.passMark }] as const] : [])));
    // Decree 170/2025 Art. 3(2)(d): review quotas sit the review's rounds and rank under its rules (src/domain/review.ts).
    const review = new Set(quotaList.filter((q) => q.method === 'review').map((q) => q.id));
    const own = review.size === 0 ? apps : apps.map((a) => ({ ...a, method: review.has(a.quotaId) ? ('review' as const) : ('exam' as const) }));
    const built = buildRecruitmentInput(ruleSet, rounds, own, languageOf);
    const quotaResults = computeResultsByMethod({ ruleSet, quotas: quotaList, applications: built.applications, tieDecisions }, (id) => (review.has(id) ? 'review' : 'exam'));
    return recruitmentPlan(quotaResults, built.parts, built.discipline);
  }

  /** Loads the drive's data and runs the engine under the given rule set. */
  async function plan(tx: DbOrTx, drive: ScopedDrive, ruleSet: RuleSet): Promise<Plan> {
    const data = await load(tx, drive);
    return { ...evaluate(data, drive, ruleSet), candidateNumbers: new Map(data.apps.map((a) => [a.id, a.candidateNumber])) };
  }

  function summaryOf(quotaRows: readonly NewQuotaResultRow[], tally: Tally) {
    const count = (s: QuotaOutcome) => quotaRows.filter((q) => q.status === s).length;
    return {
      quotas: quotaRows.length,
      applications: tally.applications,
      slots: quotaRows.reduce((n, q) => n + q.slots, 0),
      winners: tally.winners,
      reserves: tally.reserves,
      quotasByStatus: Object.fromEntries(
        (['complete', 'unfilled', 'tie_pending_decision', 'awaiting_other_quota', 'winner', 'no_winner', 'not_held', 'pending'] as const)
          .map((s) => [s, count(s)] as const)
          .filter(([, n]) => n > 0),
      ),
    };
  }

  function refuseUnlessComputable(drive: ScopedDrive): void {
    if (FROZEN.includes(drive.status)) {
      throw conflict('results.immutable', `The drive's results are ${drive.status}: approved results cannot be recomputed`, { status: drive.status });
    }
    if (drive.status === 'submitted') {
      throw conflict('results.awaiting_approval', 'The results are submitted for approval; the approver must return them before they change', {
        status: drive.status,
      });
    }
    if (drive.status !== 'marking' && drive.status !== 'results_computed') {
      throw conflict('results.not_ready', `Results are computed once marking is under way; the drive is ${drive.status}`, { status: drive.status });
    }
  }

  /**
   * The drive's quotas in groups of about groupSize applications in the running (in quota order),
   * each read, run through the engine and written on its own so that the applications, the
   * engine's structures and the result rows of the whole drive are never held at once; null for
   * one group of every quota, read at once. Quotas are independent only in a recruitment drive
   * where no application is a second choice (NV2 depends on NV1 outcomes in other quotas); a drive
   * of at most groupSize applications is one group.
   */
  async function quotaGroups(tx: Tx, drive: ScopedDrive, quotaList: Quota[]): Promise<Quota[][] | null> {
    if (drive.kind !== 'recruitment') return null;
    const { perQuota, secondChoice } = await repo.runningPerQuota(drive.id, tx);
    let total = 0;
    for (const n of perQuota.values()) total += n;
    // A jointly recruited position's quotas are ranked together (Decree 170/2025 Art. 10(3)): one group.
    if (total <= groupSize || secondChoice || quotaList.some((q) => q.jointKey !== null)) return null;
    const known = new Set(quotaList.map((q) => q.id));
    for (const id of perQuota.keys()) if (!known.has(id)) return null; // an application of an unknown quota: the engine refuses it
    const groups: Quota[][] = [];
    let size = groupSize;
    for (const q of quotaList) {
      if (size >= groupSize) {
        groups.push([]);
        size = 0;
      }
      groups.at(-1)!.push(q);
      size += perQuota.get(q.id) ?? 0;
    }
    return groups;
  }

  /**
   * Recomputes and stores, then moves the drive to results_computed (audited by the caller's
   * record): group by group (quotaGroups), a read of the group's applications and one of its
   * stored results (the next group's are read while the engine computes this one), the engine,
   * and the writes of what changed.
   */
  async function recompute(tx: Tx, caller: Caller, drive: ScopedDrive, record: RecordAudit): Promise<{ summary: Summary; drive: DriveView }> {
    const quotaList = await repo.quotasOf(drive.id, tx);
    const rounds = await repo.roundsOf(drive.id, tx);
    const decisions = await repo.tieDecisionsOf(drive.id, tx);
    const groups = (await quotaGroups(tx, drive, quotaList)) ?? [quotaList];
    // Recruitment explanations are stored without what is derived back from the row when read.
    const compactContext = drive.kind === 'recruitment' ? explanationContext(rounds, drive.ruleSet) : null;
    const whole = groups.length === 1;
    // The transaction's statements one after another (one connection runs one query at a time),
    // issued ahead: the next group's reads run in the database while the engine computes this one,
    // and a group's inserts while the engine computes the next. Once one statement has failed, the
    // transaction is aborted: the later ones are not sent, and each of them fails with that first error.
    let tail: Promise<unknown> = Promise.resolve();
    let failure: { error: unknown } | undefined;
    const inTurn = <T>(f: () => Promise<T>): Promise<T> => {
      const p = tail.then(() => {
        if (failure) throw failure.error;
        return f().catch((error: unknown) => {
          failure ??= { error };
          throw error;
        });
      });
      tail = p.catch(() => undefined);
      return p;
    };
    const read = (quotas: Quota[]) => {
      const quotaIds = whole ? undefined : quotas.map((q) => q.id);
      const apps = inTurn(() => repo.applicationsWithScores(drive.id, rounds, tx, quotaIds, extrasFor(quotas)));
      const stored = inTurn(() => repo.storedResults(tx, drive.id, quotaIds));
      apps.catch(() => undefined); // awaited below
      stored.catch(() => undefined);
      return { apps, stored };
    };
    let next = read(groups[0]!);
    const quotaRows: NewQuotaResultRow[] = [];
    const tally: Tally = { applications: 0, winners: 0, reserves: 0 };
    const writes: Promise<void>[] = [];
    try {
      for (let i = 0; i < groups.length; i++) {
        const quotas = groups[i]!;
        const current = next;
        const apps = await current.apps;
        if (i + 1 < groups.length) next = read(groups[i + 1]!);
        let p: Omit<Plan, 'candidateNumbers'>;
        try {
          const inGroup = new Set(quotas.map((q) => q.id));
          const groupDecisions = whole ? decisions : decisions.filter((d) => inGroup.has(d.quotaId));
          p = evaluate({ quotaList: quotas, rounds, apps, decisions: groupDecisions }, drive, drive.ruleSet);
        } catch (err) {
          // The transaction rolls back after its last statement.
          await tail;
          // An error names what is wrong in the whole drive (e.g. every incomplete script), not in one group.
          if (!whole) evaluate(await load(tx, drive), drive, drive.ruleSet);
          throw err;
        }
        // The rows are compared and serialised now; their statements follow the next group's reads
        // and run while the engine computes the next group.
        if (compactContext) for (const r of p.resultRows) r.explanation = compactExplanation(r.explanation as ResultExplanation, { rawScore: r.rawScore as string | null }, compactContext);
        const { written } = repo.writeResultRows(tx, drive.id, p.resultRows, await current.stored, inTurn);
        written.catch(() => undefined); // awaited below
        writes.push(written);
        quotaRows.push(...p.quotaRows);
        const t = tallyOf(p.resultRows);
        tally.applications += t.applications;
        tally.winners += t.winners;
        tally.reserves += t.reserves;
      }
      for (const w of writes) await w;
    } catch (err) {
      // The first statement that failed is the cause (a later one only found the transaction aborted).
      for (const w of writes) await w;
      throw err;
    }
    await repo.writeQuotaResults(tx, drive.id, quotaRows);
    await repo.deleteOtherQuotaResults(
      tx,
      drive.id,
      quotaRows.map((q) => q.quotaId),
    );
    const updated = await drives.transitionInTx(tx, caller, drive, 'results_computed', null, record);
    return { summary: summaryOf(quotaRows, tally), drive: driveView(updated) };
  }

  async function workflow(
    caller: Caller,
    driveId: string,
    expected: number | undefined,
    to: 'submitted' | 'approved' | 'returned' | 'published',
    reason: string | null,
    check?: (tx: Tx, drive: ScopedDrive) => Promise<unknown>,
  ): Promise<DriveView> {
    return audited(db, caller.actor, async (tx, record) => {
      const drive = await lockDrive(tx, caller, driveId, expected);
      const decidedBy = await check?.(tx, drive);
      const updated = await drives.transitionInTx(tx, caller, drive, to, reason, record);
      record({
        action: `results.${to}`,
        resourceType: 'drive_results',
        resourceId: drive.id,
        agencyId: drive.organizingAgencyId,
        driveId: drive.id,
        before: { status: drive.status },
        after: { status: updated.status, reason, ...(decidedBy ? { decidedBy } : {}) },
      });
      return driveView(updated);
    });
  }

  /** Applies a promotion (or a replacement decision) computed by the engine to the stored rows. */
  async function applyReplacement(
    tx: Tx,
    drive: ScopedDrive,
    q: QuotaResultRow,
    rows: ResultRow[],
    after: QuotaResult,
    cancelled: ResultRow[],
    record: RecordAudit,
  ) {
    const byApp = new Map(rows.map((r) => [r.applicationId, r]));
    const now = clock();
    const held = new Set(
      after.applications
        .filter((a) => a.outcome === 'winner' && byApp.get(a.applicationId)?.outcome === 'winner')
        .map((a) => byApp.get(a.applicationId)?.winnerSlot),
    );
    const free = Array.from({ length: q.slots }, (_, i) => i + 1).filter((s) => !held.has(s));
    const promoted: ResultRow[] = [];
    const waiting = [...cancelled];
    const newWinners = after.applications
      .filter((a) => a.outcome === 'winner' && byApp.get(a.applicationId)?.outcome !== 'winner')
      .sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
    for (const a of after.applications) {
      const row = byApp.get(a.applicationId)!;
      if (a.outcome === row.outcome || a.outcome === 'winner' || a.outcome === 'cancelled') continue;
      await repo.updateResult(tx, row.id, { outcome: a.outcome, decidedBy: a.decidedBy });
    }
    for (const a of newWinners) {
      const row = byApp.get(a.applicationId)!;
      const slot = free.shift();
      if (slot === undefined) throw conflict('result.slot_taken', `Quota ${q.quotaId} has no free winner slot`);
      const replaces = waiting.shift();
      const updated = await repo.updateResult(tx, row.id, {
        outcome: 'winner',
        winnerSlot: slot,
        decidedBy: a.decidedBy,
        promotedAt: now,
        replacesResultId: replaces?.id ?? null,
      });
      if (replaces) await repo.updateResult(tx, replaces.id, { replacedByResultId: row.id });
      promoted.push(updated);
      record({
        action: 'result.promoted',
        resourceType: 'result',
        resourceId: row.id,
        agencyId: drive.organizingAgencyId,
        driveId: drive.id,
        before: { outcome: row.outcome, winnerSlot: row.winnerSlot },
        after: { outcome: 'winner', winnerSlot: slot, replacesResultId: replaces?.id ?? null },
      });
    }
    const winners = after.applications.filter((a) => a.outcome === 'winner').length;
    const tied = after.tiedApplicationIds;
    const status: QuotaOutcome =
      drive.kind === 'leadership' ? (tied.length > 0 ? 'tie_pending_decision' : winners > 0 ? 'winner' : 'no_winner') : after.status;
    const quota = await repo.updateQuotaResult(tx, q.quotaId, {
      status,
      winners,
      tiedApplicationIds: tied,
      openSlotsInTie: after.openSlotsInTie,
      reserveTies: after.reserveTies,
      explanation: after.explanation,
    });
    return { promoted, quota };
  }

  async function quotaViewOf(tx: DbOrTx, quotaId: string, drive: ScopedDrive): Promise<QuotaResultView> {
    const [q] = await repo.quotaResultsPage(drive.id, { quotaId, limit: 1 }, tx);
    const rows = await whole(drive, await repo.resultsOfQuotas([quotaId], undefined, tx), tx);
    return quotaView(q!, rows);
  }

  /** Stored rows with their explanations made whole; the drive's rounds are read only when a row needs them. */
  async function whole<T extends { explanation: StoredExplanation; rawScore: string | null }>(drive: ScopedDrive, rows: T[], tx: DbOrTx = db): Promise<Whole<T>[]> {
    let ctx: ExplanationContext | undefined;
    if (!rows.every((r) => isWhole(r.explanation))) ctx = explanationContext(await repo.roundsOf(drive.id, tx), drive.ruleSet);
    return rows.map((r) => ({ ...r, explanation: ctx ? expandExplanation(r.explanation, r, ctx) : (r.explanation as ResultExplanation) }));
  }

  return {
    async compute(caller: Caller, driveId: string, expected: number | undefined, input: ComputeInput & { dryRun: boolean }) {
      if (input.dryRun) {
        const drive = await drives.visibleDrive(caller, driveId);
        if (!EXAMINED.includes(drive.status)) {
          throw conflict('results.not_ready', `Results are computed once marking is under way; the drive is ${drive.status}`, { status: drive.status });
        }
        const overrides = mergeOverrides(drive.ruleSetOverrides, input.overrides ?? {}) as RuleSetOverrides;
        const ruleSet = resolveRuleSet(drive.ruleSetPreset, overrides);
        const p = await plan(db, drive, ruleSet);
        const rowsByQuota = new Map<string, RowLike[]>();
        for (const r of p.resultRows) {
          // Decree 170/2025 Art. 10(3): a joint position's winner is listed under the user agency it is placed at.
          const shown = shownQuota({ quotaId: r.quotaId, outcome: r.outcome, explanation: r.explanation as ResultExplanation });
          const list = rowsByQuota.get(shown) ?? [];
          list.push({
            id: null,
            applicationId: r.applicationId,
            candidateNumber: p.candidateNumbers.get(r.applicationId) ?? null,
            choice: r.choice ?? 1,
            outcome: r.outcome,
            rank: r.rank ?? null,
            winnerSlot: r.winnerSlot ?? null,
            rawScore: r.rawScore ?? null,
            priorityPoints: r.priorityPoints ?? '0.00',
            rankingScore: r.rankingScore ?? null,
            decidedBy: r.decidedBy ?? null,
            explanation: r.explanation as ResultExplanation, // the engine's, whole
            cancelReason: null,
            cancelNote: null,
            cancelledAt: null,
            replacedByResultId: null,
            promotedAt: null,
            replacesResultId: null,
          });
          rowsByQuota.set(shown, list);
        }
        const quotas = p.quotaRows
          .filter((q) => !input.quotaId || q.quotaId === input.quotaId)
          .map((q) =>
            quotaView(
              {
                quotaId: q.quotaId,
                status: q.status,
                slots: q.slots,
                winners: q.winners,
                tiedApplicationIds: q.tiedApplicationIds ?? [],
                openSlotsInTie: q.openSlotsInTie ?? 0,
                reserveTies: q.reserveTies ?? [],
                passedCount: q.passedCount ?? 0,
                candidateCount: q.candidateCount ?? 0,
                explanation: q.explanation ?? '',
                agencyId: null,
                jobPositionId: null,
                title: null,
                computedAt: null,
              },
              rowsByQuota.get(q.quotaId) ?? [],
            ),
          );
        return { dryRun: true as const, driveId: drive.id, driveStatus: drive.status, ruleSet, summary: summaryOf(p.quotaRows, tallyOf(p.resultRows)), quotas };
      }

      if (input.overrides !== undefined) {
        throw unprocessable('results.overrides_need_dry_run', 'Rule overrides are only for a what-if preview (?dryRun=true); stored results use the drive’s frozen rule set');
      }
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await lockDrive(tx, caller, driveId, expected);
        refuseUnlessComputable(drive);
        const { summary, drive: updated } = await recompute(tx, caller, drive, record);
        record({
          action: 'results.computed',
          resourceType: 'drive_results',
          resourceId: drive.id,
          agencyId: drive.organizingAgencyId,
          driveId: drive.id,
          after: summary,
        });
        return { dryRun: false as const, driveId: drive.id, driveStatus: updated.status, version: updated.version, ruleSet: drive.ruleSet, summary, quotas: [] };
      });
    },

    async list(caller: Caller, driveId: string, q: ListResultsQuery, afterQuotaId: string | undefined) {
      const drive = await drives.visibleDrive(caller, driveId);
      const page = await repo.quotaResultsPage(drive.id, { quotaId: q.quotaId, afterQuotaId, limit: q.limit });
      if (page.length === 0 && !afterQuotaId && !(await repo.hasResults(drive.id))) {
        throw new AppError(404, 'results.not_computed', `Results of drive ${drive.id} have not been computed`);
      }
      const shown = page.slice(0, q.limit);
      const rows = await whole(
        drive,
        await repo.resultsOfQuotas(
          shown.map((x) => x.quotaId),
          q.outcome,
        ),
      );
      const byQuota = new Map<string, Whole<ResultWithNumber>[]>();
      for (const r of rows) {
        const list = byQuota.get(r.shownQuotaId) ?? [];
        list.push(r);
        byQuota.set(r.shownQuotaId, list);
      }
      const items = page.map((x: QuotaResultWithQuota) => ({ ...quotaView(x, byQuota.get(x.quotaId) ?? []), id: x.quotaId }));
      return { drive: { id: drive.id, kind: drive.kind, status: drive.status, version: drive.version, ruleSetPreset: drive.ruleSetPreset }, items };
    },

    async decideTie(caller: Caller, driveId: string, expected: number | undefined, input: TieDecisionInput) {
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await lockDrive(tx, caller, driveId, expected);
        // Ties left after the legal chain are the head's (170 Art. 10(2), 12(2); 115 Art. 10(2)): never the council's.
        const head = await headDecision(tx, caller, drive.id, input.decision, { what: 'Tie decisions', always: true });
        const by = {
          decidedByMemberId: head.member?.id ?? null,
          decisionNumber: head.decision?.number ?? null,
          decisionDate: head.decision?.date ?? null,
        };
        const decision: TieDecision = { quotaId: input.quotaId, orderedApplicationIds: input.orderedApplicationIds };

        if (REPLACEABLE.includes(drive.status)) {
          // After approval, only a tie among reserves replacing a cancelled winner can still be decided.
          const q = await repo.lockQuotaResult(tx, input.quotaId);
          if (!q || q.driveId !== drive.id) throw new DomainError('tie_decision.invalid', `Unknown quota ${input.quotaId} in this drive's results`);
          if (q.status !== 'tie_pending_decision') {
            throw new DomainError('tie_decision.invalid', `Quota ${q.quotaId} has no tie awaiting a decision (status ${q.status})`, { status: q.status });
          }
          const rows = await whole(drive, await repo.resultsOfQuota(tx, q.quotaId), tx);
          const replacementOrders = (await repo.tieDecisionsOf(drive.id, tx))
            .filter((d) => d.stage === 'replacement' && d.quotaId === q.quotaId)
            .map((d) => d.orderedApplicationIds);
          const stored = storedQuota(q, rows, replacementOrders);
          const { results: decided } = applyReplacementDecision([stored], decision);
          const saved = await repo.insertTieDecision(tx, {
            id: newId(),
            driveId: drive.id,
            quotaId: q.quotaId,
            orderedApplicationIds: input.orderedApplicationIds,
            reason: input.reason,
            stage: 'replacement',
            decidedByKeyId: caller.actor.keyId,
            ...by,
            decidedAt: clock(),
          });
          const after = decided[0]!;
          const { quota } = await applyReplacement(tx, drive, q, rows, after, await repo.awaitingReplacement(tx, q.quotaId), record);
          record({
            action: 'results.tie_decided',
            resourceType: 'tie_decision',
            resourceId: saved.id,
            agencyId: drive.organizingAgencyId,
            driveId: drive.id,
            after: { quotaId: q.quotaId, orderedApplicationIds: input.orderedApplicationIds, reason: input.reason, stage: 'replacement', head },
          });
          return { decisionId: saved.id, quota: await quotaViewOf(tx, quota.quotaId, drive), driveVersion: drive.version };
        }

        if (drive.status !== 'results_computed') {
          throw conflict('results.not_decidable', `Ties are decided on computed results; the drive is ${drive.status}`, { status: drive.status });
        }
        const current = await plan(tx, drive, drive.ruleSet);
        const quota = current.quotaRows.find((x) => x.quotaId === input.quotaId);
        if (!quota) throw new DomainError('tie_decision.invalid', `Unknown quota ${input.quotaId} in this drive's results`, { quotaId: input.quotaId });
        if (drive.kind === 'leadership') {
          const tied = quota.tiedApplicationIds ?? [];
          const wanted = new Set(input.orderedApplicationIds);
          if (tied.length === 0 || tied.length !== wanted.size || !tied.every((id) => wanted.has(id))) {
            throw new DomainError('tie_decision.invalid', 'The decision must order exactly the applications tied for the title', {
              quotaId: input.quotaId,
              unresolvedTies: tied.length > 0 ? [tied] : [],
            });
          }
        } else {
          validateTieDecision(
            [{ quotaId: quota.quotaId, tiedApplicationIds: quota.tiedApplicationIds ?? [], reserveTies: quota.reserveTies ?? [] } as QuotaResult],
            decision,
          );
        }
        await repo.deleteOverlappingDecisions(tx, input.quotaId, input.orderedApplicationIds);
        const saved = await repo.insertTieDecision(tx, {
          id: newId(),
          driveId: drive.id,
          quotaId: input.quotaId,
          orderedApplicationIds: input.orderedApplicationIds,
          reason: input.reason,
          stage: 'results',
          decidedByKeyId: caller.actor.keyId,
          ...by,
          decidedAt: clock(),
        });
        record({
          action: 'results.tie_decided',
          resourceType: 'tie_decision',
          resourceId: saved.id,
          agencyId: drive.organizingAgencyId,
          driveId: drive.id,
          after: { quotaId: input.quotaId, orderedApplicationIds: input.orderedApplicationIds, reason: input.reason, stage: 'results', head },
        });
        const { drive: updated } = await recompute(tx, caller, drive, record);
        return { decisionId: saved.id, quota: await quotaViewOf(tx, input.quotaId, drive), driveVersion: updated.version };
      });
    },

    submit: (caller: Caller, driveId: string, expected: number | undefined) =>
      workflow(caller, driveId, expected, 'submitted', null, async (tx, drive) => {
        await deps.appealGate?.(tx, drive.id, 'submitted');
        const pending = (await repo.quotaResultsOf(drive.id, tx)).filter((q) => PENDING_TIE.includes(q.status));
        if (pending.length > 0) {
          throw conflict('results.ties_pending', `${pending.length} quota(s) have a tie awaiting the head's decision`, {
            quotaIds: pending.map((q) => q.quotaId).slice(0, 100),
          });
        }
        refuseOverfilledEthnicGroups(await overfilledEthnicGroups(tx, drive.id));
      }),
    // The head of the recruiting agency approves or returns the results (170 Art. 8(2)(d), 17).
    approve: (caller: Caller, driveId: string, expected: number | undefined, decision?: DecisionRef) =>
      workflow(caller, driveId, expected, 'approved', null, async (tx, drive) => {
        const decided = await headDecision(tx, caller, drive.id, decision, { what: 'Approvals of results', always: false });
        await deps.appealGate?.(tx, drive.id, 'approved');
        await deps.onApproved?.(tx, drive.id);
        return decided;
      }),
    returnResults: (caller: Caller, driveId: string, expected: number | undefined, reason: string, decision?: DecisionRef) =>
      workflow(caller, driveId, expected, 'returned', reason, (tx, drive) => headDecision(tx, caller, drive.id, decision, { what: 'Returns of results', always: false })),
    publish: (caller: Caller, driveId: string, expected: number | undefined) => workflow(caller, driveId, expected, 'published', null),

    /**
     * Cancels a winner (dossier not completed in time, fraud, no-show) and gives the slot to the
     * next reserve of the same quota (Decree 138/2020 Art. 17; Decree 115/2020 Art. 18). Fraud also
     * bars the candidate from the following drives (rule set barredAfterFraudDrives).
     */
    async cancel(caller: Caller, id: string, input: CancelInput) {
      // The id of a result, or of the application it belongs to (integrators hold application ids).
      const found = (await repo.findResult(id)) ?? (await repo.findResultOfApplication(id));
      if (!found) throw notFound('result', id);
      const resultId = found.id;
      try {
        await drives.visibleDrive(caller, found.driveId);
      } catch {
        throw notFound('result', resultId);
      }
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await drives.lockVisibleDrive(tx, caller, found.driveId, 'share');
        if (!REPLACEABLE.includes(drive.status)) {
          throw conflict('result.not_cancellable', `Only winners of approved or published results can be cancelled; the drive is ${drive.status}`, {
            status: drive.status,
          });
        }
        const q = await repo.lockQuotaResult(tx, found.quotaId);
        const rows = await whole(drive, await repo.resultsOfQuota(tx, found.quotaId), tx);
        const target = rows.find((r) => r.id === resultId);
        if (!q || !target) throw notFound('result', resultId);
        if (rows.some((r) => r.explanation.joint)) {
          // Decree 170/2025 Art. 10(3): the next-lower list of a jointly recruited position spans its user agencies; a
          // per-quota replacement would ignore the preferences, so it is refused rather than guessed.
          throw conflict('result.joint_replacement_unsupported', 'Replacing a winner of a jointly recruited position is not supported yet', {
            quotaId: q.quotaId,
          });
        }
        if (target.outcome !== 'winner') {
          throw conflict('result.not_winner', `Result ${resultId} is ${target.outcome}; only a winner's result can be cancelled`, { outcome: target.outcome });
        }
        if (deps.cancelWinnerPath && drive.kind === 'recruitment' && (drive.ruleSetPreset === 'nd170' || drive.ruleSetPreset === 'nd170-300')) {
          record({
            action: 'result.cancelled',
            resourceType: 'result',
            resourceId: target.id,
            agencyId: drive.organizingAgencyId,
            driveId: drive.id,
            before: { outcome: 'winner', winnerSlot: target.winnerSlot },
            after: { outcome: 'cancelled', reason: input.reason, note: input.note ?? null },
          });
          const out = await deps.cancelWinnerPath(tx, drive, target, input, record);
          const fresh = await whole(drive, await repo.resultsOfQuotas([q.quotaId], undefined, tx), tx);
          const view = (id: string) => rowView(fresh.find((r) => r.id === id)!);
          return {
            status: out.status,
            explanation: out.explanation,
            cancelled: view(target.id),
            promoted: out.promotedResultIds.map(view),
            tiedApplicationIds: out.tiedApplicationIds,
            candidateBarred: out.barred,
            quota: await quotaViewOf(tx, q.quotaId, drive),
          };
        }
        const replacementOrders = (await repo.tieDecisionsOf(drive.id, tx))
          .filter((d) => d.stage === 'replacement' && d.quotaId === q.quotaId)
          .map((d) => d.orderedApplicationIds);
        const promotion = promoteReserve([storedQuota(q, rows, replacementOrders)], target.applicationId);
        const now = clock();
        const cancelled = await repo.updateResult(tx, target.id, {
          outcome: 'cancelled',
          cancelReason: input.reason,
          cancelNote: input.note ?? null,
          cancelledAt: now,
        });
        record({
          action: 'result.cancelled',
          resourceType: 'result',
          resourceId: target.id,
          agencyId: drive.organizingAgencyId,
          driveId: drive.id,
          before: { outcome: 'winner', winnerSlot: target.winnerSlot },
          after: { outcome: 'cancelled', reason: input.reason, note: input.note ?? null },
        });
        const after = promotion.results[0]!;
        const waiting = [cancelled, ...(await repo.awaitingReplacement(tx, q.quotaId)).filter((r) => r.id !== cancelled.id)];
        const { promoted } = await applyReplacement(tx, drive, q, rows, after, waiting, record);

        let bar: { drivesRemaining: number } | null = null;
        if (input.reason === 'fraud' && drive.ruleSet.barredAfterFraudDrives > 0) {
          const candidateId = await repo.candidateOf(tx, target.applicationId);
          if (candidateId) {
            await repo.insertBar(tx, {
              id: newId(),
              candidateId,
              reason: 'fraud',
              sourceDriveId: drive.id,
              drivesRemaining: drive.ruleSet.barredAfterFraudDrives,
            });
            bar = { drivesRemaining: drive.ruleSet.barredAfterFraudDrives };
            record({
              action: 'candidate.barred',
              resourceType: 'candidate',
              resourceId: candidateId,
              agencyId: drive.organizingAgencyId,
              driveId: drive.id,
              after: { reason: 'fraud', sourceDriveId: drive.id, drivesRemaining: bar.drivesRemaining },
            });
          }
        }
        const quota = await quotaViewOf(tx, q.quotaId, drive);
        const fresh = await whole(drive, await repo.resultsOfQuotas([q.quotaId], undefined, tx), tx);
        const view = (id: string) => rowView(fresh.find((r) => r.id === id)!);
        return {
          status: promotion.status,
          explanation: promotion.explanation,
          cancelled: view(cancelled.id),
          promoted: promoted.map((p) => view(p.id)),
          tiedApplicationIds: promotion.status === 'tie_pending_decision' ? promotion.tiedApplicationIds : [],
          candidateBarred: bar,
          quota,
        };
      });
    },

    /** Published results for everyone: winners per quota, identity as the law publishes it. */
    async publicResults(driveId: string, q: { quotaId?: string | undefined; limit: number }, afterQuotaId: string | undefined) {
      const drive = await repo.publicDrive(driveId);
      if (!drive || (drive.status !== 'published' && drive.status !== 'finished')) {
        throw new AppError(404, 'results.not_published', `No published results for drive ${driveId}`);
      }
      const page = await repo.publicQuotas(drive.id, { quotaId: q.quotaId, afterQuotaId, limit: q.limit });
      const winners = await repo.publicWinners(page.slice(0, q.limit).map((x) => x.quotaId));
      return {
        drive,
        items: page.map((x) => ({
          ...x,
          winners: winners
            .filter((w) => w.quotaId === x.quotaId)
            .map((w) => ({
              fullName: maskName(w.fullName),
              candidateNumber: w.candidateNumber,
              nationalIdMasked: w.nationalIdMasked,
              rankingScore: w.rankingScore,
              rank: w.rank,
              identityCorrected: w.correctionId !== null,
            })),
        })),
      };
    },
  };
}
export type ResultsService = ReturnType<typeof createResultsService>;

