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
import type { QuotaFiguresRow, QuotaRoundRow, ReportsRepository, RoundRow } from './reports.repository.js';
import { createReportCache } from './report-cache.js';
import { driveReportSchema, type DriveReport, type LeadershipQuery, type LeadershipReport } from './reports.schemas.js';

export type ReportsDeps = {
  repo: ReportsRepository;
  drives: Pick<DrivesService, 'visibleDrive'>;
  agencies: Pick<AgenciesRepository, 'findById'>;
  clock: Clock;
  /** Drive reports kept in memory (each exact until its drive changes); default 16. */
  reportCacheSize?: number;
  /** Least interval between two prunes of the drive change log, across instances; default 300 s. */
  changeLogPruneSeconds?: number;
};

/**
 * A computed drive report with its JSON body (encoded once, as the route's serializer would) and
 * a tag of its figures: equal tags mean equal figures (computedAt aside).
 */
export type ComputedDriveReport = { report: DriveReport; json: Buffer; tag: string };

type Figures = DriveReport['totals'];

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

const sumRounds = (rows: readonly QuotaRoundRow[]) => {
  const m = new Map<string, { sat: number; passed: number }>();
  for (const r of rows) {
    const f = m.get(r.round_id) ?? { sat: 0, passed: 0 };
    m.set(r.round_id, { sat: f.sat + r.sat, passed: f.passed + r.passed });
  }
  return m;
};

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

  /** Every statement in one snapshot; returns the snapshot with the report. */
  async function computeDriveReport(caller: Caller, driveId: string): Promise<{ snapshot: string; value: ComputedDriveReport }> {
    const computed = await repo.inSnapshot(async (tx) => {
      const drive = await drives.visibleDrive(caller, driveId, tx);
      const snapshot = await repo.snapshot(tx);
      const quotas = await repo.quotaFigures(drive.id, tx);
      const rounds = await repo.rounds(drive.id, tx);
      const perQuotaRound = await repo.quotaRoundFigures(drive.id, drive.ruleSet.gate.gateRoundPartMinPercent, tx);
      return { snapshot, report: assemble(drive, quotas, rounds, perQuotaRound) };
    });
    if (Date.now() - lastPrune >= pruneSeconds * 1000) {
      lastPrune = Date.now();
      // Housekeeping only: a failed prune leaves rows behind and changes no answer.
      await repo.pruneChanges(pruneSeconds).catch(() => undefined);
    }
    const { report } = computed;
    const encoded = z.encode(driveReportSchema, report);
    // UTF-8 bytes: a cache hit writes them as they are (no re-encoding of 1.5 MB per request).
    const json = Buffer.from(JSON.stringify(encoded));
    const tag = createHash('sha256')
      .update(JSON.stringify({ ...encoded, computedAt: undefined }))
      .digest('base64url')
      .slice(0, 27);
    return { snapshot: computed.snapshot, value: { report, json, tag } };
  }

  // Keyed by drive: the figures do not depend on the caller. Every caller's scope is checked before
  // the cache is read (driveReportComputed); a computation reads the drive again in its snapshot.
  const cache = createReportCache<ComputedDriveReport, Caller>({
    max: deps.reportCacheSize ?? 16,
    compute: (driveId, caller) => computeDriveReport(caller, driveId),
    fresh: (driveId, snapshot) => repo.unchangedSince(driveId, snapshot),
  });

  /** The drive report as of now, for a caller who may see the drive; from the cache while exact. */
  async function driveReportComputed(caller: Caller, driveId: string): Promise<ComputedDriveReport & { cached: boolean }> {
    const drive = await drives.visibleDrive(caller, driveId);
    const { value, cached } = await cache.get(drive.id, caller);
    return { ...value, cached };
  }

  async function driveReport(caller: Caller, driveId: string): Promise<DriveReport> {
    return (await driveReportComputed(caller, driveId)).report;
  }

  function assemble(
    drive: Awaited<ReturnType<DrivesService['visibleDrive']>>,
    quotas: QuotaFiguresRow[],
    rounds: RoundRow[],
    perQuotaRound: QuotaRoundRow[],
  ): DriveReport {
    const byQuota = new Map<string, QuotaRoundRow[]>();
    for (const r of perQuotaRound) {
      const list = byQuota.get(r.quota_id);
      if (list) list.push(r);
      else byQuota.set(r.quota_id, [r]);
    }

    const total = quotas.reduce(
      (acc, q) => {
        const c = quotaCounts(q);
        for (const k of Object.keys(acc) as (keyof typeof acc)[]) acc[k] += c[k];
        return acc;
      },
      { candidates: 0, applications: 0, eligible: 0, withdrawn: 0, results: 0, passedGate: 0, slots: 0, winners: 0 },
    );
    total.candidates = quotas[0]?.drive_candidates ?? 0;

    return {
      drive: { id: drive.id, code: drive.code, name: drive.name, kind: drive.kind, year: drive.year, status: drive.status },
      rounds: rounds.map((r) => ({ id: r.id, order: r.order, code: r.code, name: r.name, kind: r.kind })),
      totals: figures(total, rounds, sumRounds(perQuotaRound)),
      quotas: quotas.map((q) => ({
        quotaId: q.quota_id,
        agencyId: q.agency_id,
        agencyCode: q.agency_code,
        agencyName: q.agency_name,
        jobPositionId: q.job_position_id,
        position: q.position,
        outcome: q.outcome as DriveReport['quotas'][number]['outcome'],
        ...figures(quotaCounts(q), rounds, sumRounds(byQuota.get(q.quota_id) ?? [])),
      })),
      computedAt: clock(),
    };
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
