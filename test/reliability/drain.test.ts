import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AUDIT_KEY, TEST_DATA_KEY, bearer } from '../helpers/app.js';
import { TEST_DATABASE_URL, databaseUrlFor, onPostgres } from '../helpers/env.js';
import { exited, freePort, startServer } from '../helpers/server-process.js';

describe.skipIf(!onPostgres)('server process: metrics port and drain on SIGTERM', () => {
  const name = `td_${process.pid}_drain`;
  let admin: pg.Client;
  let server: Awaited<ReturnType<typeof startServer>>;
  let key: string;
  let metricsPort: number;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    const url = databaseUrlFor(name);
    const { execFileSync } = await import('node:child_process');
    key = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'create', '--role', 'admin', '--name', 'drain'], {
      env: { ...process.env, DATABASE_URL: url, DATA_KEY: TEST_DATA_KEY, AUDIT_KEY: TEST_AUDIT_KEY, LOG_LEVEL: 'silent' },
    })
      .toString()
      .trim()
      .split('\n')
      .pop()!;
    metricsPort = await freePort();
    server = await startServer(
      { DATABASE_URL: url, DATA_KEY: TEST_DATA_KEY, AUDIT_KEY: TEST_AUDIT_KEY, SHUTDOWN_DRAIN_MS: '2500', METRICS_PORT: String(metricsPort) },
      await freePort(),
    );
  }, 120_000);
  afterAll(async () => {
    if (server?.proc.exitCode === null) server.proc.kill('SIGKILL');
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it('when metrics are scraped, then they answer on METRICS_PORT (127.0.0.1) and not on the API port', async () => {
    await fetch(`${server.base}/v1/agencies`, { headers: bearer(key) });
    expect((await fetch(`${server.base}/metrics`)).status).toBe(404);
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('http_requests_total');
  });

  it('when SIGTERM arrives, then /readyz answers 503 for the drain period while /v1 requests still succeed, then the process exits 0', async () => {
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
    const signalled = Date.now();
    server.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const readiness: number[] = [];
    const work: number[] = [];
    // Polled for 2 s of the 2.5 s drain: the instance says "not ready" and still does the work.
    while (Date.now() - signalled < 2_000) {
      const ready = await fetch(`${server.base}/readyz`);
      readiness.push(ready.status);
      if (ready.status === 503) expect(((await ready.json()) as { code: string }).code).toBe('server.draining');
      work.push((await fetch(`${server.base}/v1/agencies`, { headers: bearer(key) })).status);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(readiness.length).toBeGreaterThan(3);
    expect(readiness.every((s) => s === 503)).toBe(true);
    expect(work.every((s) => s === 200)).toBe(true);
    expect(await exited(server.proc)).toBe(0);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(2_500);
    await expect(fetch(`${server.base}/readyz`)).rejects.toThrow();
  });
});
