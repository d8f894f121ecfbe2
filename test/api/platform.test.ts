import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { bearer, setupApp, testConfig, TEST_DATA_KEY, TEST_AUDIT_KEY, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, TEST_DATABASE_URL, databaseUrlFor, onPostgres } from '../helpers/env.js';
import { exited, freePort, startServer } from '../helpers/server-process.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});
const track = (t: TestApp) => (cleanups.push(t.close), t);

async function scratchDatabase(): Promise<string> {
  const name = `td_${process.pid}_scratch_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const a = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await a.connect();
    await a.query(`drop database if exists ${name} with (force)`);
    await a.end();
  });
  return databaseUrlFor(name);
}

describe('rate limiting', () => {
  it('when a key exceeds its rate, then 429 problem+json with Retry-After', async () => {
    const t = track(await setupApp({ env: { RATE_LIMIT_MAX: '3' } }));
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await t.http.get('/v1/agencies').set(bearer(t.adminKey));
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last!.headers['retry-after']).toBeDefined();
    expect(last!.headers['content-type']).toMatch(/problem\+json/);
    expect(last!.body.code).toBe('rate_limited');
  });

  it.skipIf(!process.env.TEST_REDIS_URL)('when two instances share Redis, then the limit is shared between them', async () => {
    const prefix = `rl-${Date.now()}`;
    const r1 = new Redis(process.env.TEST_REDIS_URL!, { keyPrefix: prefix });
    const r2 = new Redis(process.env.TEST_REDIS_URL!, { keyPrefix: prefix });
    cleanups.push(async () => void (await Promise.all([r1.quit(), r2.quit()])));
    const a = track(await setupApp({ env: { RATE_LIMIT_MAX: '4' }, redis: r1 }));
    const key = a.adminKey;
    const { database } = a;
    const b = await buildApp({ config: a.config, database, redis: r2 });
    await b.ready();
    cleanups.push(() => b.close());
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await a.http.get('/v1/agencies').set(bearer(key))).status);
    for (let i = 0; i < 3; i++) statuses.push((await b.inject({ method: 'GET', url: '/v1/agencies', headers: bearer(key) })).statusCode);
    // 4 allowed in the window across both instances: the 5th and 6th are refused by the second one.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});

describe('database', () => {
  it('when the database cannot be reached, then requests get 503 problem+json and /readyz fails', async () => {
    const database = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', poolMax: 2 });
    const app = await buildApp({ config: testConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }), database });
    await app.ready();
    cleanups.push(async () => {
      await app.close();
      await database.close();
    });
    const res = await app.inject({ method: 'GET', url: '/v1/agencies', headers: bearer(`td_${'A'.repeat(43)}`) });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.json().code).toBe('database.unavailable');
    expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
  });

  it('when a second process opens the same embedded data directory, then it is refused', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'td-lock-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const first = await openDatabase({ pgliteDir: path.join(dir, 'db') });
    cleanups.push(() => first.close());
    await expect(openDatabase({ pgliteDir: path.join(dir, 'db') })).rejects.toThrow(/in use/);
  });

  it.skipIf(!onPostgres)(`when four instances migrate one database at once, then all succeed once (${CONCURRENCY_SKIP_REASON})`, async () => {
    const url = await scratchDatabase();
    const dbs = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ databaseUrl: url, poolMax: 2 })));
    await Promise.all(dbs.map((d) => runMigrations(d, url)));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
    const files = (await import('node:fs')).readdirSync('migrations').filter((f) => f.endsWith('.sql'));
    expect(rows[0].n).toBe(files.length);
    await client.end();
    await Promise.all(dbs.map((d) => d.close()));
  });
});

describe('server process', () => {
  it.skipIf(!onPostgres)('when SIGTERM arrives with requests in flight, then they complete and the process exits cleanly', async () => {
    const url = await scratchDatabase();
    const { proc, base } = await startServer({ DATABASE_URL: url, DATA_KEY: TEST_DATA_KEY, AUDIT_KEY: TEST_AUDIT_KEY, SHUTDOWN_GRACE_MS: '10000' }, await freePort());
    cleanups.push(async () => void proc.kill('SIGKILL'));
    const inflight = Array.from({ length: 20 }, () => fetch(`${base}/readyz`).then((r) => r.status));
    await Promise.race(inflight);
    proc.kill('SIGTERM');
    const statuses = await Promise.all(inflight.map((p) => p.catch(() => -1)));
    // Every request already accepted completes; none is cut off mid-way.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 503 || s === -1)).toBe(true);
    expect(await exited(proc)).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('when the embedded database starts empty, then the first start prints one admin key that works', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'td-first-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const { proc, base, output } = await startServer({ DATABASE_URL: '', PGLITE_DIR: path.join(dir, 'pglite'), DATA_KEY: '', AUDIT_KEY: '' }, await freePort());
    cleanups.push(async () => void proc.kill('SIGKILL'));
    const key = /td_[A-Za-z0-9_-]{43}/.exec(output())?.[0];
    expect(key).toBeDefined();
    const res = await fetch(`${base}/v1/agencies`, { headers: bearer(key!) });
    expect(res.status).toBe(200);
    proc.kill('SIGTERM');
    expect(await exited(proc)).toBe(0);
  });
});
