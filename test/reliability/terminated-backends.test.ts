import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_AUDIT_KEY, TEST_DATA_KEY, bearer } from '../helpers/app.js';
import { TEST_DATABASE_URL, databaseUrlFor, onPostgres } from '../helpers/env.js';
import { exited, freePort, startServer } from '../helpers/server-process.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe.skipIf(!onPostgres)('PostgreSQL backends terminated under load', () => {
  it('when every backend of the service is terminated again and again (idle, mid-query, mid-transaction), then the process stays up, the requests that lost their connection get 503, and it keeps serving', { timeout: 180_000 }, async () => {
    const name = `td_${process.pid}_terminate`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    cleanups.push(async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    });
    const url = databaseUrlFor(name);
    const { execFileSync } = await import('node:child_process');
    const key = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'create', '--role', 'admin', '--name', 'terminate'], {
      env: { ...process.env, DATABASE_URL: url, DATA_KEY: TEST_DATA_KEY, AUDIT_KEY: TEST_AUDIT_KEY, LOG_LEVEL: 'silent' },
    })
      .toString()
      .trim()
      .split('\n')
      .pop()!;
    const server = await startServer({ DATABASE_URL: url, DATA_KEY: TEST_DATA_KEY, AUDIT_KEY: TEST_AUDIT_KEY, DB_POOL_MAX: '8' }, await freePort());
    cleanups.push(async () => {
      server.proc.kill('SIGKILL');
      await exited(server.proc);
    });

    let n = 0;
    const request = () => {
      const i = n++;
      const write = i % 2 === 0;
      return fetch(`${server.base}/v1/agencies${write ? '' : '?limit=20'}`, {
        method: write ? 'POST' : 'GET',
        headers: { ...bearer(key), 'content-type': 'application/json' },
        ...(write ? { body: JSON.stringify({ code: `TERM-${i}`, name: 'Sở Tài chính', bloc: 'state' }) } : {}),
        // A request that never gets an answer is a failure of its own (status -1), not a test timeout.
        signal: AbortSignal.timeout(30_000),
      }).then(
        async (r) => ({ status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() }),
        (err: unknown) => ({ status: -1, type: '', body: String(err) }),
      );
    };
    // 8 clients in a loop while every backend of the database is terminated every 150 ms, 20 times.
    let loading = true;
    const results: Awaited<ReturnType<typeof request>>[] = [];
    const clients = Array.from({ length: 8 }, async () => {
      while (loading) results.push(await request());
    });
    let terminated = 0;
    for (let round = 0; round < 20; round++) {
      const { rows } = await admin.query<{ t: boolean }>(
        'select pg_terminate_backend(pid) as t from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [name],
      );
      terminated += rows.length;
      await new Promise((r) => setTimeout(r, 150));
    }
    loading = false;
    await Promise.all(clients);

    expect(server.proc.exitCode).toBeNull();
    expect(terminated).toBeGreaterThan(20);
    expect(results.length).toBeGreaterThan(50);
    const unexpected = results.filter((r) => ![200, 201, 503].includes(r.status));
    expect(unexpected).toEqual([]);
    for (const r of results.filter((x) => x.status === 503)) {
      expect(r.type).toMatch(/problem\+json/);
      expect(JSON.parse(r.body).code).toMatch(/^database\./);
    }
    // Serving again: every request succeeds once the terminations stop.
    // A pooled connection terminated in the last round is found dead when next used (a 503 of its
    // own): within a few seconds of the last termination, a batch of 10 all succeed.
    let after: Awaited<ReturnType<typeof request>>[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      after = await Promise.all(Array.from({ length: 10 }, () => request()));
      if (after.every((r) => r.status === 200 || r.status === 201)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(after.map((r) => r.status)).toEqual(after.map((r) => (r.status === 201 ? 201 : 200)));
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
    expect(server.proc.exitCode).toBeNull();
  });
});
