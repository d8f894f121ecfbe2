import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildMetricsServer } from '../../src/http/metrics.js';
import { createWebhooksRepository } from '../../src/modules/webhooks/webhooks.repository.js';
import { createWebhookWorker } from '../../src/modules/webhooks/webhooks.worker.js';
import { createAgency } from '../factories/agencies.js';
import { createOpenDriveNow, makeNationalId } from '../factories/candidates.js';
import { createOpenDrive, transitionDrive } from '../factories/drives.js';
import { computeOk, openDriveWithQuotas, registerAll, round2, scoredRound, toMarking } from '../factories/results.js';
import { createWebhook } from '../factories/webhooks.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, onPostgres } from '../helpers/env.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

let t: TestApp;
const receivers: Receiver[] = [];
beforeAll(async () => {
  // Deliveries are sent by the test's own worker; scrape-time reads are not cached.
  t = await setupApp({ env: { WEBHOOK_WORKER: 'false', METRICS_DB_CACHE_MS: '0' } });
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await t.close();
});

/** The metrics endpoint as the operator's scraper sees it. */
async function scrape(app: TestApp = t): Promise<string> {
  const server = buildMetricsServer(app.app.metricsRegistry, app.app.log);
  try {
    const res = await server.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    return res.body;
  } finally {
    await server.close();
  }
}

/** The value of one sample (`name{labels}`), or undefined when it is not exposed. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2] ? m[2].split(/,(?=[a-z_]+=")/) : [];
    if (wanted.every((w) => have.includes(w)) && have.length === wanted.length) return Number(m[3]);
  }
  return undefined;
}

describe('webhook deliveries on /metrics', () => {
  it('when deliveries are owed and one receiver keeps failing, then backlog and dead deliveries are shown per subscription', async () => {
    const ok = await startReceiver();
    const broken = await startReceiver();
    receivers.push(ok, broken);
    broken.respondWith(500);
    const root = await createAgency(t, { name: 'Sở Nội vụ tỉnh Điện Biên' });
    const good = await createWebhook(t, { url: `${ok.url}/hooks`, agencyId: root.id });
    const bad = await createWebhook(t, { url: `${broken.url}/hooks`, agencyId: root.id });
    for (let i = 0; i < 3; i++) await createAgency(t, { parentId: root.id, name: `Phòng ${i + 1}` });

    const before = await scrape();
    expect(sample(before, 'webhook_deliveries_backlog', { subscription: good.id })).toBe(3);
    expect(sample(before, 'webhook_deliveries_backlog', { subscription: bad.id })).toBe(3);
    expect(sample(before, 'webhook_deliveries_dead', { subscription: bad.id })).toBeUndefined();

    // One attempt each: the failing receiver's deliveries are given up at once.
    const worker = createWebhookWorker({
      repo: createWebhooksRepository(t.database.db),
      logger: t.app.log,
      options: { pollIntervalMs: 10, batchSize: 10, perSubscription: 10, timeoutMs: 2000, maxAttempts: 1, backoffBaseMs: 10, backoffMaxMs: 20, allowPrivate: true },
    });
    await worker.runOnce();
    expect(ok.requests).toHaveLength(3);

    const after = await scrape();
    expect(sample(after, 'webhook_deliveries_backlog', { subscription: good.id })).toBeUndefined();
    expect(sample(after, 'webhook_deliveries_backlog', { subscription: bad.id })).toBeUndefined();
    expect(sample(after, 'webhook_deliveries_dead', { subscription: bad.id })).toBe(3);
    expect(sample(after, 'webhook_deliveries_dead', { subscription: good.id })).toBeUndefined();
  });
});

describe('imports and computations on /metrics', () => {
  it('when a file with good and bad rows is imported, then its rows are counted by outcome', async () => {
    const d = await createOpenDriveNow(t);
    const row = (birthYear: number, extra: Record<string, unknown> = {}) => ({
      fullName: 'Hoàng Văn Nhập',
      nationalId: makeNationalId({ birthYear }),
      birthDate: `${birthYear}-03-04`,
      gender: 'male',
      ethnicity: 'Kinh',
      quotaId: d.quotaId,
      ...extra,
    });
    const first = await scrape();
    const created0 = sample(first, 'import_rows_total', { outcome: 'created' }) ?? 0;
    const errors0 = sample(first, 'import_rows_total', { outcome: 'error' }) ?? 0;
    const res = await t.http
      .post(`/v1/drives/${d.driveId}/applications/import`)
      .set(bearer(t.adminKey))
      .send([row(1991), row(1992), row(1993, { nationalId: '12345' })]);
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ rows: 3, created: 2, exists: 0, errors: 1 });

    // Atomic and refused for its bad row: nothing written, the error counted.
    const refused = await t.http
      .post(`/v1/drives/${d.driveId}/applications/import?atomic=true`)
      .set(bearer(t.adminKey))
      .send([row(1994), row(1995, { birthDate: '1995-02-30' })]);
    expect(refused.status).toBe(422);

    const text = await scrape();
    expect(sample(text, 'import_rows_total', { outcome: 'created' })).toBe(created0 + 2);
    expect(sample(text, 'import_rows_total', { outcome: 'error' })).toBe(errors0 + 2);
    expect(sample(text, 'imports_total', { outcome: 'done', mode: 'batches' })).toBe(1);
    expect(sample(text, 'imports_total', { outcome: 'refused', mode: 'atomic' })).toBe(1);
  });

  it('when results are computed, refused and previewed, then each computation is timed by kind and outcome', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd138', slots: [1] });
    const apps = (await registerAll(t, driveId, [{ fullName: 'Đỗ Văn Thí Sinh A', quotaId: quotaIds[0]! }])).map((a) => a.applicationId);
    // Before marking: refused (results.not_ready), still a timed computation that ended in an error.
    const early = await t.http.post(`/v1/drives/${driveId}/results/compute?dryRun=true`).set(bearer(t.adminKey)).send({});
    expect(early.status).toBe(409);
    await toMarking(t, driveId);
    await scoredRound(t, driveId, round2(), [{ applicationId: apps[0]!, partCode: 'professional', score: '70.00' }]);
    await computeOk(t, driveId);
    const preview = await t.http.post(`/v1/drives/${driveId}/results/compute?dryRun=true`).set(bearer(t.adminKey)).send({});
    expect(preview.status).toBe(200);

    const text = await scrape();
    expect(sample(text, 'results_computation_duration_seconds_count', { kind: 'write', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'results_computation_duration_seconds_count', { kind: 'dry_run', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'results_computation_duration_seconds_count', { kind: 'dry_run', outcome: 'error' })).toBe(1);
    expect(sample(text, 'results_computation_duration_seconds_sum', { kind: 'write', outcome: 'ok' })).toBeGreaterThan(0);
  });
});

describe('overdue statutory deadlines on /metrics', () => {
  it('when the sweep finds two steps of a drive overdue, then they are shown by step (170 Art. 16(2), 16(3)(a))', async () => {
    // Today Fri 20 Nov 2026: registration closed Fri 16 Oct; the eligible list (due Mon 2 Nov) and
    // round 1 (due Mon 16 Nov) are both overdue, as in the timeline tests.
    const s = await setupApp({ clock: () => new Date('2026-11-20T03:00:00Z'), env: { TIMELINE_SWEEP_INTERVAL_MS: '100', METRICS_DB_CACHE_MS: '0' } });
    try {
      const empty = await scrape(s);
      expect(sample(empty, 'statutory_deadlines_overdue', { scope: 'drive', step: 'eligible_list' })).toBeUndefined();
      const { driveId } = await createOpenDrive(s, { preset: 'nd170-300', registrationOpensOn: '2026-09-16', registrationClosesOn: '2026-10-16' });
      await transitionDrive(s, driveId, 'closed');
      const until = Date.now() + 10_000;
      while (Date.now() < until) {
        const n = await s.sql<{ n: number }>(`select count(*)::int as n from drive_timeline_alerts where drive_id = $1 and kind = 'overdue'`, [driveId]);
        if (n[0]!.n >= 2) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const text = await scrape(s);
      expect(sample(text, 'statutory_deadlines_overdue', { scope: 'drive', step: 'eligible_list' })).toBe(1);
      expect(sample(text, 'statutory_deadlines_overdue', { scope: 'drive', step: 'round1' })).toBe(1);

      // A cancelled drive's steps are no longer owed.
      await transitionDrive(s, driveId, 'cancelled', { reason: 'Hủy kỳ tuyển dụng (test)' });
      const later = await scrape(s);
      expect(sample(later, 'statutory_deadlines_overdue', { scope: 'drive', step: 'eligible_list' })).toBeUndefined();
    } finally {
      await s.close();
    }
  });
});

describe('rate limits and the pool on /metrics', () => {
  it('when an address keeps failing authentication, then the refusals are counted by limit', async () => {
    const s = await setupApp({ env: { RATE_LIMIT_AUTH_FAILURES_MAX: '2' } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await s.http.get('/v1/agencies').set(bearer(`td_wrong_${i}`))).status);
      expect(codes).toEqual([401, 401, 429, 429]);
      const text = await scrape(s);
      expect(sample(text, 'rate_limit_refusals_total', { limit: 'auth_failures' })).toBe(2);
      // The pool's figures are exposed beside them (0 waits on the embedded database, which has no pool).
      expect(sample(text, 'db_pool_waits_total')).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'db_pool_wait_seconds_total')).toBeGreaterThanOrEqual(0);
    } finally {
      await s.close();
    }
  });

  it.skipIf(!onPostgres)(`when more requests run at once than the pool has connections, then the queued checkouts are counted (${CONCURRENCY_SKIP_REASON})`, async () => {
    const s = await setupApp({ poolMax: 1 });
    try {
      const before = sample(await scrape(s), 'db_pool_waits_total') ?? 0;
      const answers = await Promise.all(Array.from({ length: 8 }, () => s.http.get('/v1/agencies').set(bearer(s.adminKey))));
      expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 8 }, () => 200));
      const text = await scrape(s);
      expect(sample(text, 'db_pool_waits_total')).toBeGreaterThan(before);
      expect(sample(text, 'db_pool_wait_seconds_total')).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });
});
