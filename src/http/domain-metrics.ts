import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Db } from '../db/client.js';
import { ImportFailedError, type ImportSummary } from '../modules/applications/applications.import.js';
import { withSpan } from '../tracing.js';

/**
 * What the service itself is doing, beside the HTTP figures of src/http/metrics.ts:
 * - counted as it happens: import rows by outcome, results computations and their durations,
 *   rate-limit refusals;
 * - read from the database at scrape time (each one indexed query, the answers cached for
 *   METRICS_DB_CACHE_MS so that several scrapers or a short scrape interval cost nothing more):
 *   webhook deliveries owed and dead per subscription, overdue statutory deadlines.
 */
export type DomainMetrics = {
  rateLimitRefused(limit: 'address' | 'auth_failures' | 'key'): void;
  importFinished(summary: ImportSummary, outcome: 'done' | 'refused' | 'failed', atomic: boolean): void;
  computationFinished(seconds: number, opts: { dryRun: boolean; ok: boolean }): void;
};

type Row = Record<string, unknown>;
const rowsOf = (res: unknown): Row[] => (res as { rows: Row[] }).rows;

/** One read shared by every gauge fed from it, repeated at most once per `ttlMs`. */
function cachedRead<T>(read: () => Promise<T>, ttlMs: number, log: FastifyBaseLogger, what: string): () => Promise<T | undefined> {
  let at = -Infinity;
  let last: Promise<T | undefined> | undefined;
  return () => {
    const now = performance.now();
    if (last && now - at < ttlMs) return last;
    at = now;
    last = read().catch((err: unknown) => {
      // A scrape while the database is away shows the figure missing, not a failed /metrics.
      log.warn({ err }, `metrics: could not read ${what}`);
      at = -Infinity;
      return undefined;
    });
    return last;
  };
}

export function registerDomainMetrics(registry: Registry, deps: { db: Db; cacheMs: number; log: FastifyBaseLogger }): DomainMetrics {
  const { db, cacheMs, log } = deps;
  const registers = [registry];

  const refusals = new Counter({
    name: 'rate_limit_refusals_total',
    help: 'Requests refused with 429, by limit (address, auth_failures, key)',
    labelNames: ['limit'],
    registers,
  });
  const importRows = new Counter({
    name: 'import_rows_total',
    help: 'Application import rows read, by outcome (created, exists, error)',
    labelNames: ['outcome'],
    registers,
  });
  const imports = new Counter({
    name: 'imports_total',
    help: 'Application imports finished, by outcome (done, refused: atomic with row errors, failed) and mode',
    labelNames: ['outcome', 'mode'],
    registers,
  });
  const computations = new Histogram({
    name: 'results_computation_duration_seconds',
    help: 'Results computations (whole drive or one quota), by kind (write, dry_run) and outcome (ok, error)',
    labelNames: ['kind', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80],
    registers,
  });

  // Both read through the partial indexes on the deliveries still owed and the dead ones (migration 0041).
  const readDeliveries = cachedRead(
    async () => {
      const owed = rowsOf(
        await db.execute(sql`select subscription_id::text as s, count(*)::int as n from webhook_deliveries where status in ('pending', 'failed') group by 1`),
      );
      const dead = rowsOf(await db.execute(sql`select subscription_id::text as s, count(*)::int as n from webhook_deliveries where status = 'dead' group by 1`));
      return { owed, dead };
    },
    cacheMs,
    log,
    'webhook deliveries',
  );
  new Gauge({
    name: 'webhook_deliveries_backlog',
    help: 'Webhook deliveries owed (pending or failed and to be retried), per subscription',
    labelNames: ['subscription'],
    registers,
    async collect() {
      const r = await readDeliveries();
      if (!r) return;
      this.reset();
      for (const row of r.owed) this.set({ subscription: String(row.s) }, Number(row.n));
    },
  });
  new Gauge({
    name: 'webhook_deliveries_dead',
    help: 'Webhook deliveries given up after the last attempt, per subscription',
    labelNames: ['subscription'],
    registers,
    async collect() {
      const r = await readDeliveries();
      if (!r) return;
      this.reset();
      for (const row of r.dead) this.set({ subscription: String(row.s) }, Number(row.n));
    },
  });

  // The sweeps raise each overdue step once (drive_timeline_alerts, appointment_alerts); counted here
  // while its drive is under way or its appointment path is in progress.
  const readOverdue = cachedRead(
    async () =>
      rowsOf(
        await db.execute(sql`
          select 'drive' as scope, a.step, count(*)::int as n
          from drive_timeline_alerts a join drives d on d.id = a.drive_id
          where a.kind = 'overdue' and d.status not in ('draft', 'finished', 'cancelled')
          group by a.step
          union all
          select 'appointment', a.step, count(*)::int
          from appointment_alerts a join appointments p on p.id = a.appointment_id
          where a.kind = 'overdue' and p.status = 'in_progress'
          group by a.step`),
      ),
    cacheMs,
    log,
    'overdue deadlines',
  );
  new Gauge({
    name: 'statutory_deadlines_overdue',
    help: 'Statutory steps overdue (raised by the timeline and appointment sweeps), by scope (drive, appointment) and step',
    labelNames: ['scope', 'step'],
    registers,
    async collect() {
      const rows = await readOverdue();
      if (!rows) return;
      this.reset();
      for (const row of rows) this.set({ scope: String(row.scope), step: String(row.step) }, Number(row.n));
    },
  });

  return {
    rateLimitRefused: (limit) => refusals.inc({ limit }),
    importFinished(summary, outcome, atomic) {
      imports.inc({ outcome, mode: atomic ? 'atomic' : 'batches' });
      // An atomic import refused for its row errors wrote nothing: its summary counts only the errors.
      importRows.inc({ outcome: 'created' }, summary.created);
      importRows.inc({ outcome: 'exists' }, summary.exists);
      importRows.inc({ outcome: 'error' }, summary.errors);
    },
    computationFinished: (seconds, opts) => computations.observe({ kind: opts.dryRun ? 'dry_run' : 'write', outcome: opts.ok ? 'ok' : 'error' }, seconds),
  };
}

type Importer = {
  run(caller: never, driveId: string, rows: never, opts: { atomic: boolean }, ...rest: never[]): Promise<{ summary: ImportSummary }>;
};
type Computer = { compute(caller: never, driveId: string, expected: never, input: { dryRun: boolean }, ...rest: never[]): Promise<unknown> };

/**
 * Counts imports and times computations where they run (the services), so that every way of
 * starting them (a request, a job) is counted once, and traces each as a span of its own (tracing
 * on). The methods are replaced in place: the routes and any job runner call them through the same
 * objects.
 */
export function observeServices(services: { applicationsImporter: Importer; results: Computer }, metrics: DomainMetrics): void {
  const importer = services.applicationsImporter;
  const run = importer.run.bind(importer);
  // Every argument passes through (a job runner's hooks come fifth).
  importer.run = (caller, driveId, rows, opts, ...rest) =>
    withSpan(
      'applications.import',
      async (span) => {
        try {
          const report = await run(caller, driveId, rows, opts, ...rest);
          metrics.importFinished(report.summary, 'done', opts.atomic);
          span.setAttributes({ 'import.rows': report.summary.rows, 'import.errors': report.summary.errors });
          return report;
        } catch (err) {
          if (err instanceof ImportFailedError) metrics.importFinished(err.summary, 'refused', opts.atomic);
          else metrics.importFinished({ rows: 0, created: 0, exists: 0, errors: 0 }, 'failed', opts.atomic);
          throw err;
        }
      },
      { attributes: { 'drive.id': driveId, 'import.atomic': opts.atomic } },
    );
  const results = services.results;
  const compute = results.compute.bind(results);
  results.compute = (caller, driveId, expected, input, ...rest) =>
    withSpan(
      'results.compute',
      async () => {
        const started = performance.now();
        let ok = false;
        try {
          const r = await compute(caller, driveId, expected, input, ...rest);
          ok = true;
          return r;
        } finally {
          metrics.computationFinished((performance.now() - started) / 1000, { dryRun: input.dryRun, ok });
        }
      },
      { attributes: { 'drive.id': driveId, 'results.dry_run': input.dryRun } },
    );
}
