import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createReportsRepository } from '../../src/modules/reports/reports.repository.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { onPostgres } from '../helpers/env.js';
import { buildSmallDrive } from '../factories/reports.js';
import { computeOk, openDriveWithQuotas, registerAll } from '../factories/results.js';

/*
 * The drive report is served from memory while it is exact: every change to a row it reads, made
 * through the API or straight in the tables, by this instance or another, shows in the next report.
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

type Report = {
  drive: { name: string };
  totals: { applications: number; withdrawn: number; slots: number; winners: number; rounds: { sat: number; passed: { count: number } | null }[] };
  quotas: { quotaId: string; agencyName: string; position: string; winners: number; slots: number; rounds: { passed: { count: number } | null }[] }[];
  computedAt: string;
};

async function report(driveId: string, http = t.http, headers: Record<string, string> = {}) {
  const res = await http.get(`/v1/reports/drives/${driveId}`).set(bearer(t.adminKey)).set(headers);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { body: res.body as Report, etag: res.headers.etag as string };
}

describe('drive report cache', () => {
  it('when nothing changed, then the same computation is served again with the same ETag; If-None-Match answers 304 without a body', async () => {
    const d = await buildSmallDrive(t);
    const first = await report(d.driveId);
    expect(first.etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    const second = await report(d.driveId);
    expect(second.body.computedAt).toBe(first.body.computedAt);
    expect(second.etag).toBe(first.etag);

    const notModified = await t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey)).set('if-none-match', first.etag);
    expect(notModified.status).toBe(304);
    expect(notModified.text ?? '').toBe('');
    expect(notModified.headers.etag).toBe(first.etag);
    const listed = await t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey)).set('if-none-match', `"other", ${first.etag.slice(2)}`);
    expect(listed.status).toBe(304);
    expect((await t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey)).set('if-none-match', '*')).status).toBe(304);
    expect((await t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey)).set('if-none-match', 'W/"other"')).status).toBe(200);

    // Each representation has its own tag.
    const csv = await t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey)).set('accept', 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.etag).not.toBe(first.etag);
    const csvAgain = await t.http
      .get(`/v1/reports/drives/${d.driveId}`)
      .set(bearer(t.adminKey))
      .set('accept', 'text/csv')
      .set('if-none-match', first.etag);
    expect(csvAgain.status).toBe(200);
    const csvNotModified = await t.http
      .get(`/v1/reports/drives/${d.driveId}`)
      .set(bearer(t.adminKey))
      .set('accept', 'text/csv')
      .set('if-none-match', csv.headers.etag as string);
    expect(csvNotModified.status).toBe(304);

    // A change makes the old tag stale: 200 with the new figures and a new tag.
    await t.sql(`update quotas set slots = slots + 1 where id = $1`, [d.q2]);
    const changed = await t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey)).set('if-none-match', first.etag);
    expect(changed.status).toBe(200);
    expect(changed.body.totals.slots).toBe(5);
    expect(changed.headers.etag).not.toBe(first.etag);
  });

  it('when an application is registered, then the next report counts it', async () => {
    const setup = await openDriveWithQuotas(t, { slots: [2] });
    await registerAll(t, setup.driveId, [{ fullName: 'Nguyễn Văn Hải', quotaId: setup.quotaIds[0]! }]);
    expect((await report(setup.driveId)).body.totals.applications).toBe(1);
    await registerAll(t, setup.driveId, [{ fullName: 'Trần Thị Hoa', quotaId: setup.quotaIds[0]! }]);
    expect((await report(setup.driveId)).body.totals.applications).toBe(2);
  });

  it('when a mark changes, then the next report’s pass figures follow it', async () => {
    const d = await buildSmallDrive(t);
    const before = await report(d.driveId);
    const q1 = () => before.body.quotas.find((q) => q.quotaId === d.q1)!;
    expect(q1().rounds[0]!.passed!.count).toBe(2);
    // Cường's foreign language 10/30 becomes 20/30: he reaches the round-1 gate.
    await t.sql(
      `update scripts set final_score = 20 where application_id = $1 and part_id = (select id from parts where round_id = $2 and code = 'foreign_language')`,
      [d.apps.c, d.round1Id],
    );
    const after = await report(d.driveId);
    expect(after.body.quotas.find((q) => q.quotaId === d.q1)!.rounds[0]!.passed!.count).toBe(3);
    expect(after.body.totals.rounds[0]!.passed!.count).toBe(4);
    // A part's pass mark is read too.
    await t.sql(`update parts set pass_mark = 29 where round_id = $1 and code = 'foreign_language'`, [d.round1Id]);
    expect((await report(d.driveId)).body.totals.rounds[0]!.passed!.count).toBe(0);
  });

  it('when results are recomputed, then the next report counts the new winners', async () => {
    const d = await buildSmallDrive(t);
    // Em's round-2 score rises above the gate; the stored results do not know it yet.
    await t.sql(
      `update scripts set final_score = 60 where application_id = $1 and round_id = $2`,
      [d.apps.e, d.round2Id],
    );
    const before = await report(d.driveId);
    expect(before.body.totals.winners).toBe(2);
    expect((await report(d.driveId)).body.computedAt).toBe(before.body.computedAt);
    await computeOk(t, d.driveId);
    const after = await report(d.driveId);
    expect(after.body.totals.winners).toBe(3);
    expect(after.body.quotas.find((q) => q.quotaId === d.q2)!.winners).toBe(1);
  });

  it('when a quota, the drive, an agency or a job position changes, then the next report shows it', async () => {
    const d = await buildSmallDrive(t);
    expect((await report(d.driveId)).body.totals.slots).toBe(4);
    await t.sql(`update quotas set slots = 5 where id = $1`, [d.q1]);
    expect((await report(d.driveId)).body.totals.slots).toBe(6);

    await t.sql(`update drives set name = 'Kỳ tuyển dụng (đổi tên)' where id = $1`, [d.driveId]);
    expect((await report(d.driveId)).body.drive.name).toBe('Kỳ tuyển dụng (đổi tên)');

    const renamed = await t.http.patch(`/v1/agencies/${d.agencyId}`).set(bearer(t.adminKey)).send({ name: 'Sở Nội vụ (đổi tên)' });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect((await report(d.driveId)).body.quotas.map((q) => q.agencyName)).toEqual(['Sở Nội vụ (đổi tên)', 'Sở Nội vụ (đổi tên)']);

    await t.sql(`update job_positions set name = 'Chuyên viên pháp chế' where id = $1`, [d.jobPositionIds[0]]);
    expect((await report(d.driveId)).body.quotas.map((q) => q.position)).toContain('Chuyên viên pháp chế');

    await t.sql(`update applications set status = 'withdrawn' where id = $1`, [d.apps.d]);
    expect((await report(d.driveId)).body.totals.withdrawn).toBe(2);
  });

  it('when another instance on the same database makes the change, then this instance’s next report shows it', async () => {
    const d = await buildSmallDrive(t);
    const other = await buildApp({ config: t.config, database: t.database });
    await other.ready();
    try {
      const { default: supertest } = await import('supertest');
      const otherHttp = supertest(other.server);
      const first = await report(d.driveId, otherHttp);
      expect(first.body.quotas[0]!.agencyName).not.toBe('Sở Nội vụ (lần hai)');
      expect((await report(d.driveId, otherHttp)).body.computedAt).toBe(first.body.computedAt);
      const renamed = await t.http.patch(`/v1/agencies/${d.agencyId}`).set(bearer(t.adminKey)).send({ name: 'Sở Nội vụ (lần hai)' });
      expect(renamed.status).toBe(200);
      expect((await report(d.driveId, otherHttp)).body.quotas[0]!.agencyName).toBe('Sở Nội vụ (lần hai)');
    } finally {
      await other.close();
    }
  });

  it('when the change log is pruned, then rows below the horizon go and a cached report older than the horizon is computed again, not trusted', async () => {
    const d = await buildSmallDrive(t);
    const first = await report(d.driveId);
    expect((await report(d.driveId)).body.computedAt).toBe(first.body.computedAt);
    const repo = createReportsRepository(t.database.db);
    const horizon = async () => (await t.sql<{ horizon: string; next: string }>(`select horizon::text, next::text from drive_changes_horizon`))[0]!;
    const h0 = await horizon();
    // Two prunes: the horizon moves to the xmin the first one saw; nothing below it is left.
    await repo.pruneChanges(0);
    const h1 = await horizon();
    await repo.pruneChanges(0);
    const h2 = await horizon();
    expect(BigInt(h1.horizon)).toBe(BigInt(h0.next));
    expect(BigInt(h2.horizon)).toBe(BigInt(h1.next));
    const [belowRow] = await t.sql<{ n: number }>(`select count(*)::int as n from drive_changes where xid < (select horizon from drive_changes_horizon)`);
    expect(belowRow?.n).toBe(0);
    // A prune within the interval is refused by the horizon row.
    expect(await repo.pruneChanges(3600)).toBe(0);
    expect(await horizon()).toEqual(h2);

    // A horizon past the cached report's snapshot (as after prunes with no older transaction open):
    // the report may miss pruned change rows, so it is computed again.
    await t.sql(`update drive_changes_horizon set horizon = pg_snapshot_xmax(pg_current_snapshot()), next = pg_snapshot_xmax(pg_current_snapshot())`);
    const again = await report(d.driveId);
    expect(again.body.computedAt).not.toBe(first.body.computedAt);
    expect({ ...again.body, computedAt: null }).toEqual({ ...first.body, computedAt: null });
    expect(again.etag).toBe(first.etag);
    // Back to the horizon the prunes set (an xmin no later than any snapshot taken since): trusted again.
    await t.sql(`update drive_changes_horizon set horizon = $1::text::xid8, next = $2::text::xid8`, [h2.horizon, h2.next]);
    expect((await report(d.driveId)).body.computedAt).toBe(again.body.computedAt);
  });
});

describe.skipIf(!onPostgres)('drive report cache under concurrent writes', () => {
  const withClient = async <T,>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: t.config.databaseUrl });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  /** Waits until a statement of this database waits on a lock (the report's computation, blocked mid-way). */
  const blockedOnLock = async (c: pg.Client) => {
    for (let i = 0; i < 200; i++) {
      const r = await c.query(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%scripts%'`,
      );
      if (r.rows[0].n > 0) return;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error('the report never reached the locked table');
  };

  it(
    'when a change commits while a report is being computed, then that report keeps its own snapshot and the next one shows the change; a request arriving after the change and joining that computation gets the change',
    async () => {
      const d = await buildSmallDrive(t);
      const base = (await report(d.driveId)).body;
      expect(base.totals.withdrawn).toBe(1);
      // Invalidate, so the next request computes.
      await t.sql(`update quotas set slots = slots where id = $1`, [d.q1]);

      await withClient(async (locker) => {
        await withClient(async (watcher) => {
          // Hold parts, read last by the computation, after its snapshot is taken.
          await locker.query('begin');
          await locker.query('lock table parts in access exclusive mode');
          const early = t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey)).then((r) => r);
          await blockedOnLock(watcher);
          // Committed while the early computation is under way, after its snapshot.
          await watcher.query(`update applications set status = 'withdrawn' where id = $1`, [d.apps.d]);
          // Arrives after the change; finds the early computation in flight.
          const late = t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey)).then((r) => r);
          await new Promise((res) => setTimeout(res, 300));
          await locker.query('rollback');
          const [e, l] = await Promise.all([early, late]);
          expect(e.status).toBe(200);
          expect(l.status).toBe(200);
          // The early report is exact for its snapshot (before the change)…
          expect(e.body.totals.withdrawn).toBe(1);
          // …and is not served to the request that came after the change.
          expect(l.body.totals.withdrawn).toBe(2);
          expect(l.headers.etag).not.toBe(e.headers.etag);
        });
      });
      const next = await report(d.driveId);
      expect(next.body.totals.withdrawn).toBe(2);
    },
    30_000,
  );

  it(
    'when several requests for one drive arrive together, then they share one computation',
    async () => {
      const d = await buildSmallDrive(t);
      await withClient(async (locker) => {
        await withClient(async (watcher) => {
          await locker.query('begin');
          await locker.query('lock table parts in access exclusive mode');
          const first = t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey)).then((r) => r);
          await blockedOnLock(watcher);
          const others = Array.from({ length: 4 }, () => t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey)).then((r) => r));
          await new Promise((res) => setTimeout(res, 300));
          const waiting = await watcher.query(
            `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
          );
          expect(waiting.rows[0].n).toBe(1);
          await locker.query('rollback');
          const all = await Promise.all([first, ...others]);
          expect(new Set(all.map((r) => r.body.computedAt)).size).toBe(1);
          expect(all.every((r) => r.status === 200)).toBe(true);
        });
      });
    },
    30_000,
  );
});
