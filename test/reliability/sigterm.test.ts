import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATA_KEY, TEST_AUDIT_KEY, bearer } from '../helpers/app.js';
import { TEST_DATABASE_URL, databaseUrlFor, onPostgres } from '../helpers/env.js';
import { exited, freePort, startServer } from '../helpers/server-process.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe.skipIf(!onPostgres)('SIGTERM under load', () => {
  it('when SIGTERM arrives during a burst of writes, then every accepted write completes, the rest are refused cleanly, and the database holds exactly the acknowledged rows', async () => {
    const name = `td_${process.pid}_sigterm`;
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
    const key = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'create', '--role', 'admin', '--name', 'sigterm'], {
      env: { ...process.env, DATABASE_URL: url, DATA_KEY: TEST_DATA_KEY, AUDIT_KEY: TEST_AUDIT_KEY, LOG_LEVEL: 'silent' },
    })
      .toString()
      .trim()
      .split('\n')
      .pop()!;
    const server = await startServer({ DATABASE_URL: url, DATA_KEY: TEST_DATA_KEY, AUDIT_KEY: TEST_AUDIT_KEY, SHUTDOWN_GRACE_MS: '15000' }, await freePort());
    cleanups.push(async () => void server.proc.kill('SIGKILL'));

    const prefix = `SIG-${Date.now()}`;
    const send = (i: number) =>
      fetch(`${server.base}/v1/agencies`, {
        method: 'POST',
        headers: { ...bearer(key), 'content-type': 'application/json' },
        body: JSON.stringify({ code: `${prefix}-${i}`, name: 'Sở Tư pháp', bloc: 'state' }),
      }).then(
        async (r) => ({ i, status: r.status, body: await r.text() }),
        () => ({ i, status: -1, body: '' }),
      );
    const first = Array.from({ length: 60 }, (_, i) => send(i));
    // Signal once the burst is being served: some answered, the rest in flight.
    await Promise.race(first);
    server.proc.kill('SIGTERM');
    const late = Array.from({ length: 20 }, (_, i) => send(100 + i));
    const results = await Promise.all([...first, ...late]);
    expect(await exited(server.proc)).toBe(0);

    const acknowledged = results.filter((r) => r.status === 201).map((r) => `${prefix}-${r.i}`);
    const refused = results.filter((r) => r.status !== 201);
    // Refusals are clean: connection refused, or 503 problem+json while closing — never a 500.
    expect(refused.every((r) => r.status === -1 || r.status === 503)).toBe(true);
    expect(acknowledged.length).toBeGreaterThan(0);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const stored = (await c.query<{ code: string }>('select code from agencies where code like $1', [`${prefix}-%`])).rows.map((r) => r.code);
    const audited = (await c.query<{ n: number }>("select count(*)::int as n from audit_events where action = 'agency.created'")).rows[0]!.n;
    await c.end();
    expect(stored.sort()).toEqual(acknowledged.sort());
    expect(audited).toBe(acknowledged.length);
    // Two child processes start through tsx and migrate a new database: slow on a loaded 2-core machine.
  }, 180_000);
});
