import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATA_KEY, TEST_AUDIT_KEY, bearer } from '../helpers/app.js';
import { onPostgres } from '../helpers/env.js';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { exited, freePort, startServer } from '../helpers/server-process.js';

const enabled = onPostgres && privatePostgresAvailable();

describe.skipIf(!enabled)('PostgreSQL stopped under load (needs PostgreSQL server binaries and root to run a private server)', () => {
  let pg: PrivatePostgres;
  let server: Awaited<ReturnType<typeof startServer>>;
  let key: string;
  beforeAll(async () => {
    // A port the OS says is free now; a port picked by hand can be a client's ephemeral port.
    pg = await startPrivatePostgres(freePort);
    server = await startServer({ DATABASE_URL: pg.url(), DATA_KEY: TEST_DATA_KEY, AUDIT_KEY: TEST_AUDIT_KEY, DB_STATEMENT_TIMEOUT_MS: '5000' }, await freePort());
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'create', '--role', 'admin', '--name', 'outage'], {
      env: { ...process.env, DATABASE_URL: pg.url(), DATA_KEY: TEST_DATA_KEY, AUDIT_KEY: TEST_AUDIT_KEY, LOG_LEVEL: 'silent' },
    }).toString();
    key = out.trim().split('\n').pop()!;
  }, 120_000);
  afterAll(async () => {
    server?.proc.kill('SIGTERM');
    if (server) await exited(server.proc);
    pg?.destroy();
  });

  it('when PostgreSQL stops, then requests get 503 problem+json and /readyz fails; when it is back, the same process serves again', async () => {
    const load = async (n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          fetch(`${server.base}/v1/agencies`, {
            method: 'POST',
            headers: { ...bearer(key), 'content-type': 'application/json' },
            body: JSON.stringify({ code: `OUT-${Date.now()}-${i}-${Math.random().toString(36).slice(2, 6)}`, name: 'Sở Nội vụ', bloc: 'state' }),
          }).then(async (r) => ({ status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() })),
        ),
      );
    const before = await load(20);
    expect(before.every((r) => r.status === 201)).toBe(true);

    pg.stop();
    const during = await load(30);
    expect(during.every((r) => r.status === 503)).toBe(true);
    expect(during.every((r) => r.type.startsWith('application/problem+json'))).toBe(true);
    expect(during.every((r) => JSON.parse(r.body).code === 'database.unavailable')).toBe(true);
    expect((await fetch(`${server.base}/readyz`)).status).toBe(503);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);

    pg.start();
    let ready = false;
    for (let i = 0; i < 50 && !ready; i++) {
      ready = (await fetch(`${server.base}/readyz`)).status === 200;
      if (!ready) await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready).toBe(true);
    const after = await load(20);
    expect(after.every((r) => r.status === 201)).toBe(true);
    expect(server.proc.exitCode).toBeNull();
  });
});
