import type { ScopedDrive } from '../drives/drives.repository.js';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Caller, Clock } from '../../context.js';
import { inScope } from '../../context.js';
import { notFound } from '../../errors.js';
import type { AgenciesRepository } from '../agencies/agencies.repository.js';
import type { DrivesService } from '../drives/drives.service.js';
import type { TabularExport } from '../exports/exports.service.js';
import { fromArray, type Column } from '../exports/tabular.js';
import { percentText, rate, ratio, ratioText, type Rate } from './rates.js';
import type { CandidateQuotaRow, QuotaFiguresRow, QuotaRoundRow, ReportsRepository, RoundRow } from './reports.repository.js';
import { createReportCache, type Snapshotted } from './report-cache.js';
import { driveReportSchema, quotaReportSchema, type DriveReport, type LeadershipQuery, type LeadershipReport } from './reports.schemas.js';
import { WHOLE_DRIVE } from './reports.table.js';
import { REVIEW_GROUPS, type ReviewGroup } from '../../domain/review.js';

export type ReportsDeps = {
  repo: ReportsRepository;
  drives: Pick<DrivesService, 'visibleDrive'>;
  agencies: Pick<AgenciesRepository, 'findById'>;
  clock: Clock;
  /** Drive reports kept in memory (each exact until its drive changes); default 16. */
  reportCacheSize?: number;
  /** Least interval between two prunes of the drive change log, across instances; default 300 s. */
  changeLogPruneSeconds?: number;
  /** Steps overdue today: the drive's timeline and its winners' paths (counted per request: they change with the day, not the rows). */
  overdue?: (drive: ScopedDrive) => Promise<{ timelineSteps: number; appointmentSteps: number }>;
};

/**
 * A computed drive report with its JSON body (encoded once, as the route's serializer would) and
 * a tag of its figures: equal tags mean equal figures (computedAt aside). `parts` keeps what each
 * quota's line was computed from, so that a later report counts again only the quotas changed since.
 */
export type ComputedDriveReport = { report: DriveReport; json: Buffer; tag: string; parts: ReportParts };

type Figures = DriveReport['totals'];
type QuotaLine = DriveReport['quotas'][number];

/** One quota's rows as counted, its line of the report, and that line encoded as JSON. */
type QuotaPart = { row: QuotaFiguresRow; rounds: QuotaRoundRow[]; line: QuotaLine; json: string };

/**
 * The per-quota parts of a report, in the report's order, the rounds their lines were laid out on,
 * and the candidates with applications in more than one quota (with those quotas). The drive's
 * distinct candidates are the quotas' distinct candidates summed, less each of these candidates
 * counted more than once; only a candidate with an application in a changed quota, or one of these
 * with a changed quota, can change that (see multiAfter).
 */
type ReportParts = { rounds: RoundRow[]; quotas: Map<string, QuotaPart>; multi: Map<string, readonly string[]> };

/**
 * A report this far behind (changed quotas over the drive's quotas, beyond a few) is counted again in
 * full: past it, reading the changed quotas one by one through their indexes costs about as much as
 * reading the whole drive.
 */
const INCREMENTAL_SHARE = 0.25;
const INCREMENTAL_ALWAYS = 16;

const driveShape = driveReportSchema.shape;

/** The figures of one quota, or of the drive (counts summed; distinct candidates counted over the drive). */
function figures(
  counts: { candidates: number; applications: number; eligible: number; withdrawn: number; results: number; passedGate: number; slots: number; winners: number },
  rounds: readonly RoundRow[],
  perRound: ReadonlyMap<string, { sat: number; passed: number }>,
): Figures {
  const { candidates, applications, eligible, withdrawn, results, passedGate, slots, winners } = counts;
  return {
    candidates,
    applications,
    eligible: rate(eligible, applications),
    withdrawn,
    rounds: rounds.map((r) => {
      const f = perRound.get(r.id) ?? { sat: 0, passed: 0 };
      return { roundId: r.id, code: r.code, sat: f.sat, passed: r.kind === 'gate' ? rate(f.passed, f.sat) : null };
    }),
    passedGate: rate(passedGate, results),
    slots,
    winners,
    unfilledSlots: Math.max(slots - winners, 0),
    candidatesPerSlot: ratio(candidates, slots),
    fillRate: rate(winners, slots),
  };
}

function groupByQuota(rows: readonly QuotaRoundRow[]): Map<string, QuotaRoundRow[]> {
  const byQuota = new Map<string, QuotaRoundRow[]>();
  for (const r of rows) {
    const list = byQuota.get(r.quota_id);
    if (list) list.push(r);
    else byQuota.set(r.quota_id, [r]);
  }
  return byQuota;
}

const sumRounds = (rows: readonly QuotaRoundRow[]) => {
  const m = new Map<string, { sat: number; passed: number }>();
  for (const r of rows) {
    const f = m.get(r.round_id) ?? { sat: 0, passed: 0 };
    m.set(r.round_id, { sat: f.sat + r.sat, passed: f.passed + r.passed });
  }
  return m;
};

const sameSortKey = (a: QuotaFiguresRow | undefined, b: QuotaFiguresRow) =>
  a !== undefined && a.agency_code === b.agency_code && a.job_position_code === b.job_position_code;

const sameRounds = (a: readonly RoundRow[], b: readonly RoundRow[]) =>
  a.length === b.length && a.every((r, i) => JSON.stringify(r) === JSON.stringify(b[i]));

/**
 * The quotas by method, review quotas apart per group (Decree 170/2025 Art. 3(2)(d): a plan holds
 * exam and review positions; Art. 5: each group reviewed apart): exam first, then the review groups
 * in the order of Art. 5.
 */
function methodFigures(rows: readonly QuotaFiguresRow[]): DriveReport['byMethod'] {
  const keys: { method: 'exam' | 'review'; reviewGroup: ReviewGroup | null }[] = [
    { method: 'exam', reviewGroup: null },
    ...[...REVIEW_GROUPS, null].map((g) => ({ method: 'review' as const, reviewGroup: g })),
  ];
  return keys.flatMap(({ method, reviewGroup }) => {
    const own = rows.filter((r) => r.method === method && (method === 'exam' || (r.review_group ?? null) === reviewGroup));
    if (own.length === 0) return [];
    const sum = (f: (r: QuotaFiguresRow) => number) => own.reduce((n, r) => n + f(r), 0);
    const slots = sum((r) => r.slots);
    const winners = sum((r) => r.winners);
    return [{ method, reviewGroup, quotas: own.length, slots, applications: sum((r) => r.applications), eligible: sum((r) => r.eligible), winners, unfilledSlots: Math.max(slots - winners, 0) }];
  });
}

/** One quota's line of the report, encoded once with the response schema. */
function quotaPart(row: QuotaFiguresRow, perRound: QuotaRoundRow[], rounds: readonly RoundRow[]): QuotaPart {
  const line: QuotaLine = {
    quotaId: row.quota_id,
    agencyId: row.agency_id,
    agencyCode: row.agency_code,
    agencyName: row.agency_name,
    jobPositionId: row.job_position_id,
    position: row.position,
    outcome: row.outcome as QuotaLine['outcome'],
    ...figures(quotaCounts(row), rounds, sumRounds(perRound)),
    method: row.method,
    reviewGroup: row.review_group ?? null,
  };
  return { row, rounds: perRound, line, json: JSON.stringify(z.encode(quotaReportSchema, line)) };
}

/**
 * The candidates in more than one quota, from those of the previous report (`before`) once the
 * candidates `touching` changed quotas are set aside, and `now`: every quota (now) of each candidate
 * with an application in a changed quota now and of each of `touching`. A candidate in neither has
 * the same quotas as before: none of its applications is in a changed quota, then or now (one it
 * had in a changed quota, alone, would have left it with no application at all).
 */
function multiAfter(before: ReadonlyMap<string, readonly string[]>, touching: readonly string[], now: readonly CandidateQuotaRow[]): Map<string, readonly string[]> {
  const multi = new Map(before);
  for (const c of touching) multi.delete(c);
  const quotasOf = new Map<string, string[]>();
  for (const r of now) {
    const list = quotasOf.get(r.candidate_id);
    if (list) list.push(r.quota_id);
    else quotasOf.set(r.candidate_id, [r.quota_id]);
  }
  for (const [c, qs] of quotasOf) {
    if (qs.length > 1) multi.set(c, qs);
    else multi.delete(c);
  }
  return multi;
}

/**
 * The quota parts of a report after the `changed` quotas were counted again (`rows`, `perQuotaRound`:
 * those quotas' rows; a changed quota without a row is gone), in `order`, the drive's quotas now;
 * the other quotas' parts are the previous report's. Undefined if the two disagree on a quota that
 * did not change (then the report is counted in full).
 */
function mergeParts(
  before: ReportParts,
  order: readonly string[],
  changed: ReadonlySet<string>,
  rows: readonly QuotaFiguresRow[],
  perQuotaRound: readonly QuotaRoundRow[],
  rounds: readonly RoundRow[],
): Map<string, QuotaPart> | undefined {
  const fresh = new Map(rows.map((r) => [r.quota_id, r]));
  const byQuota = groupByQuota(perQuotaRound);
  const quotas = new Map<string, QuotaPart>();
  for (const id of order) {
    const row = fresh.get(id);
    const part = changed.has(id) ? row && quotaPart(row, byQuota.get(id) ?? [], rounds) : before.quotas.get(id);
    if (!part) return undefined;
    quotas.set(id, part);
  }
  return quotas;
}

const quotaCounts = (q: QuotaFiguresRow) => ({
  candidates: q.candidates,
  applications: q.applications,
  eligible: q.eligible,
  withdrawn: q.withdrawn,
  results: q.results,
  passedGate: q.passed_gate,
  slots: q.slots,
  winners: q.winners,
});

export function createReportsService(deps: ReportsDeps) {
  const { repo, drives, clock } = deps;
  const pruneSeconds = deps.changeLogPruneSeconds ?? 300;
  let lastPrune = 0;

  /**
   * Every statement in one snapshot; returns the snapshot with the report. Given the report of an
   * earlier snapshot, only the quotas changed since are counted again (unless a change was not one
   * quota's), and their lines are merged with the others' and the totals summed again: the same
   * figures as counting everything in this snapshot, since no other quota's rows changed.
   */
  async function computeDriveReport(
    caller: Caller,
    driveId: string,
    previous: Snapshotted<ComputedDriveReport> | undefined,
  ): Promise<{ snapshot: string; value: ComputedDriveReport }> {
    const computed = await repo.inSnapshot(async (tx) => {
      const drive = await drives.visibleDrive(caller, driveId, tx);
      const snapshot = await repo.snapshot(tx);
      const gate = drive.ruleSet.gate.gateRoundPartMinPercent;
      const rounds = await repo.rounds(drive.id, tx);
      const before = previous?.value.parts;
      if (previous && before && sameRounds(before.rounds, rounds)) {
        const changed = await repo.changedQuotas(drive.id, previous.snapshot, tx);
        if (!changed.includes(WHOLE_DRIVE) && changed.length <= Math.max(INCREMENTAL_ALWAYS, before.quotas.size * INCREMENTAL_SHARE)) {
          const rows = changed.length > 0 ? await repo.quotaFigures(drive.id, changed, tx) : [];
          // The order (agency code, job position code, id) changes only if a quota came, went or
          // changed agency or job position: renaming or recoding those is a whole-drive change.
          const sameOrder = rows.length === changed.length && rows.every((r) => sameSortKey(before.quotas.get(r.quota_id)?.row, r));
          const order = sameOrder ? [...before.quotas.keys()] : await repo.quotaOrder(drive.id, tx);
          const perQuotaRound = changed.length > 0 ? await repo.quotaRoundFigures(drive.id, gate, changed, tx) : [];
          const changedSet = new Set(changed);
          const quotas = mergeParts(before, order, changedSet, rows, perQuotaRound, rounds);
          if (quotas) {
            const touching = [...before.multi].filter(([, qs]) => qs.some((q) => changedSet.has(q))).map(([c]) => c);
            const now = changed.length > 0 ? await repo.candidateQuotas(drive.id, changed, touching, tx) : [];
            return { snapshot, drive, rounds, quotas, multi: multiAfter(before.multi, touching, now) };
          }
        }
      }
      const rows = await repo.quotaFigures(drive.id, null, tx);
      const perQuotaRound = await repo.quotaRoundFigures(drive.id, gate, null, tx);
      const byQuota = groupByQuota(perQuotaRound);
      const quotas = new Map(rows.map((r) => [r.quota_id, quotaPart(r, byQuota.get(r.quota_id) ?? [], rounds)]));
      return { snapshot, drive, rounds, quotas, multi: multiAfter(new Map(), [], await repo.multiQuotaCandidates(drive.id, tx)) };
    });
    if (Date.now() - lastPrune >= pruneSeconds * 1000) {
      lastPrune = Date.now();
      // Housekeeping only: a failed prune leaves rows behind and changes no answer.
      await repo.pruneChanges(pruneSeconds).catch(() => undefined);
    }
    const { drive, rounds, quotas, multi } = computed;
    return { snapshot: computed.snapshot, value: assemble(drive, rounds, quotas, multi) };
  }

  // Keyed by drive: the figures do not depend on the caller. Every caller's scope is checked before
  // the cache is read (driveReportComputed); a computation reads the drive again in its snapshot.
  const cache = createReportCache<ComputedDriveReport, Caller>({
    max: deps.reportCacheSize ?? 16,
    compute: (driveId, caller, previous) => computeDriveReport(caller, driveId, previous),
    fresh: (driveId, snapshot) => repo.unchangedSince(driveId, snapshot),
  });

  /** The drive report as of now, for a caller who may see the drive; from the cache while exact. */
  async function driveReportComputed(
    caller: Caller,
    driveId: string,
  ): Promise<ComputedDriveReport & { cached: boolean; overdue: { timelineSteps: number; appointmentSteps: number } | null }> {
    const drive = await drives.visibleDrive(caller, driveId);
    const { value, cached } = await cache.get(drive.id, caller);
    const overdue = deps.overdue ? await deps.overdue(drive) : null;
    return { ...value, cached, overdue };
  }

  async function driveReport(caller: Caller, driveId: string): Promise<DriveReport> {
    return (await driveReportComputed(caller, driveId)).report;
  }

  /**
   * The report from its quota parts: totals summed over them (distinct candidates: each candidate
   * in several quotas counted once), each quota's line as encoded before, the whole encoded as the
   * route's serializer would (the same bytes as encoding the report at once) and tagged.
   */
  function assemble(
    drive: Awaited<ReturnType<DrivesService['visibleDrive']>>,
    rounds: RoundRow[],
    quotas: Map<string, QuotaPart>,
    multi: Map<string, readonly string[]>,
  ): ComputedDriveReport {
    let counted = 0;
    for (const qs of multi.values()) counted += qs.length - 1;
    const total = { candidates: -counted, applications: 0, eligible: 0, withdrawn: 0, results: 0, passedGate: 0, slots: 0, winners: 0 };
    const parts = [...quotas.values()];
    for (const p of parts) {
      const c = quotaCounts(p.row);
      for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += c[k];
    }
    const perRound = sumRounds(parts.flatMap((p) => p.rounds));
    const lines = parts.map((p) => p.line);
    const jsonLines = parts.map((p) => p.json);
    const byMethod = methodFigures(parts.map((p) => p.row));
    const report: DriveReport = {
      drive: { id: drive.id, code: drive.code, name: drive.name, kind: drive.kind, year: drive.year, status: drive.status },
      rounds: rounds.map((r) => ({ id: r.id, order: r.order, code: r.code, name: r.name, kind: r.kind })),
      totals: figures(total, rounds, perRound),
      byMethod,
      quotas: lines,
      computedAt: clock(),
    };
    // The keys in the schema's order, as z.encode(driveReportSchema, report) would write them.
    const figuresJson =
      `{"drive":${JSON.stringify(z.encode(driveShape.drive, report.drive))}` +
      `,"rounds":${JSON.stringify(z.encode(driveShape.rounds, report.rounds))}` +
      `,"totals":${JSON.stringify(z.encode(driveShape.totals, report.totals))}` +
      `,"byMethod":${JSON.stringify(z.encode(driveShape.byMethod, report.byMethod))}` +
      `,"quotas":[${jsonLines.join(',')}]`;
    const tag = createHash('sha256').update(figuresJson).update('}').digest('base64url').slice(0, 27);
    // UTF-8 bytes: a cache hit writes them as they are (no re-encoding of 1.5 MB per request).
    const json = Buffer.from(`${figuresJson},"computedAt":${JSON.stringify(z.encode(driveShape.computedAt, report.computedAt))}}`);
    return { report, json, tag, parts: { rounds, quotas, multi } };
  }

  async function leadershipReport(caller: Caller, q: LeadershipQuery): Promise<LeadershipReport> {
    let subtreePath: string | null = null;
    if (q.agencyId) {
      const agency = await deps.agencies.findById(q.agencyId);
      if (!agency || !inScope(caller, agency.path)) throw notFound('agency', q.agencyId);
      subtreePath = agency.path;
    }
    const rows = await repo.leadership(q.year, caller.scopePath, subtreePath);
    const totalRow = rows.find((r) => r.drive_id === null);
    const t = totalRow ?? { titles: 0, agencies: 0, with_winner: 0, without_winner: 0, not_held: 0, pending: 0 };
    const examined = t.with_winner + t.without_winner;
    return {
      year: q.year,
      agencyId: q.agencyId ?? null,
      drives: rows
        .filter((r) => r.drive_id !== null)
        .map((r) => ({ id: r.drive_id!, code: r.code ?? '', name: r.name ?? '', status: r.status as LeadershipReport['drives'][number]['status'], titles: r.titles })),
      titlesApproved: t.titles,
      agencies: t.agencies,
      examined: rate(examined, t.titles),
      withWinner: rate(t.with_winner, examined),
      withoutWinner: rate(t.without_winner, examined),
      notHeld: rate(t.not_held, t.titles),
      pending: rate(t.pending, t.titles),
      computedAt: clock(),
    };
  }

  /** A drive report as a table: one row per quota, then the drive total. */
  function driveReportTableOf(report: DriveReport): TabularExport<DriveReportLine> {
    const roundColumns: Column<DriveReportLine>[] = report.rounds.flatMap((r, i) => {
      const cols: Column<DriveReportLine>[] = [
        { header: `Dự thi ${r.code}`, kind: 'int', value: (l) => l.figures.rounds[i]?.sat },
      ];
      if (r.kind === 'gate') {
        const passed = (l: DriveReportLine) => l.figures.rounds[i]?.passed ?? null;
        cols.push(
          { header: `Đạt ${r.code}`, kind: 'int', value: (l) => passed(l)?.count },
          { header: `Tỷ lệ đạt ${r.code} (%)`, kind: 'decimal', value: (l) => { const p = passed(l); return p ? percentText(p) : null; } },
        );
      }
      return cols;
    });
    const pct = (pick: (f: Figures) => Rate): Column<DriveReportLine>['value'] => (l) => percentText(pick(l.figures));
    const columns: Column<DriveReportLine>[] = [
      { header: 'Mã đơn vị', value: (l) => l.agencyCode },
      { header: 'Đơn vị', value: (l) => l.agencyName, width: 40 },
      { header: 'Vị trí / chức danh', value: (l) => l.position, width: 40 },
      { header: 'Kết quả chỉ tiêu', value: (l) => l.outcome },
      { header: 'Số thí sinh', kind: 'int', value: (l) => l.figures.candidates },
      { header: 'Số hồ sơ', kind: 'int', value: (l) => l.figures.applications },
      { header: 'Đủ điều kiện', kind: 'int', value: (l) => l.figures.eligible.count },
      { header: 'Rút hồ sơ', kind: 'int', value: (l) => l.figures.withdrawn },
      ...roundColumns,
      { header: 'Đạt điều kiện xét', kind: 'int', value: (l) => l.figures.passedGate.count },
      { header: 'Chỉ tiêu', kind: 'int', value: (l) => l.figures.slots },
      { header: 'Trúng tuyển', kind: 'int', value: (l) => l.figures.winners },
      { header: 'Chỉ tiêu còn trống', kind: 'int', value: (l) => l.figures.unfilledSlots },
      { header: 'Thí sinh / chỉ tiêu', kind: 'decimal', value: (l) => ratioText(l.figures.candidatesPerSlot) },
      { header: 'Tỷ lệ lấp đầy (%)', kind: 'decimal', value: pct((f) => f.fillRate) },
    ];
    const lines: DriveReportLine[] = [
      ...report.quotas.map((q) => ({ agencyCode: q.agencyCode, agencyName: q.agencyName, position: q.position, outcome: q.outcome, figures: q })),
      { agencyCode: '', agencyName: 'Tổng cộng', position: report.drive.name, outcome: null, figures: report.totals },
    ];
    return { baseName: `bao-cao-${report.drive.code}`, sheetName: 'Báo cáo kỳ tuyển dụng', columns, rows: fromArray(lines) };
  }

  return {
    driveReport,
    driveReportComputed,
    leadershipReport,

    /** The drive report as a table: one row per quota, then the drive total. */
    async driveReportTable(caller: Caller, driveId: string): Promise<TabularExport<DriveReportLine>> {
      return driveReportTableOf(await driveReport(caller, driveId));
    },
    driveReportTableOf,

    /** The leadership report as a table: one row per figure with its count, denominator and percent. */
    async leadershipReportTable(caller: Caller, q: LeadershipQuery): Promise<TabularExport<LeadershipLine>> {
      const r = await leadershipReport(caller, q);
      const line = (label: string, x: Rate | number): LeadershipLine =>
        typeof x === 'number' ? { label, count: x, of: null, percent: null } : { label, count: x.count, of: x.of, percent: percentText(x) || null };
      const lines: LeadershipLine[] = [
        line('Chức danh được phê duyệt thi tuyển', r.titlesApproved),
        line('Cơ quan, đơn vị có chức danh thi tuyển', r.agencies),
        line('Chức danh đã tổ chức thi', r.examined),
        line('Chức danh có người trúng tuyển', r.withWinner),
        line('Chức danh không có người trúng tuyển', r.withoutWinner),
        line('Chức danh không tổ chức thi (không đủ thí sinh)', r.notHeld),
        line('Chức danh chưa thi', r.pending),
      ];
      const columns: Column<LeadershipLine>[] = [
        { header: 'Chỉ tiêu báo cáo', value: (l) => l.label, width: 50 },
        { header: 'Số lượng', kind: 'int', value: (l) => l.count },
        { header: 'Trên tổng số', kind: 'int', value: (l) => l.of },
        { header: 'Tỷ lệ (%)', kind: 'decimal', value: (l) => l.percent },
      ];
      const suffix = q.agencyId ? `-${q.agencyId.slice(0, 8)}` : '';
      return { baseName: `bao-cao-thi-tuyen-lanh-dao-${q.year}${suffix}`, sheetName: `Thi tuyển lãnh đạo ${q.year}`, columns, rows: fromArray(lines) };
    },
  };
}
export type ReportsService = ReturnType<typeof createReportsService>;

export type DriveReportLine = { agencyCode: string; agencyName: string; position: string; outcome: string | null; figures: Figures };
export type LeadershipLine = { label: string; count: number; of: number | null; percent: string | null };
