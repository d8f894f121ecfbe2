import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_AUDIT_KEY, TEST_DATA_KEY } from '../helpers/app.js';
import { TEST_DATABASE_URL, databaseUrlFor, onPostgres } from '../helpers/env.js';
import { exited, freePort, startServer } from '../helpers/server-process.js';

/**
 * Issue 12, item 14: the business change committed before the idempotency record was completed, so a
 * SIGKILL between the two let the retry create the resource again (1 in 400 in each of 4 runs).
 *
 * A burst of creates, each with its own Idempotency-Key, is cut by SIGKILL; the server is started
 * again and every key is retried with the same body. Counted in SQL: each key made exactly one
 * subscription. The pool is kept to 2 connections, so requests queue for one: on the old code the
 * completion of the record (a statement of its own after the commit) waited in that queue, and the
 * kill found many requests committed but not completed (each then created twice on retry). Webhook
 * subscriptions are created because nothing else in them is unique: a second creation is not
 * refused by a constraint, it is a duplicate.
 */
const REQUESTS = 160;
const CONCURRENCY = 32;
const KILL_AFTER = 40;

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe.skipIf(!onPostgres)('server killed in the middle of a burst of idempotent creates', () => {
  it('when the process is SIGKILLed mid-burst and every key is retried, then each key yields exactly one resource', async () => {
    const name = `td_${process.pid}_killidem`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    cleanups.push(async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    });
    const url = databaseUrlFor(name);
    const env = {
      DATABASE_URL: url,
      DATA_KEY: TEST_DATA_KEY,
      AUDIT_KEY: TEST_AUDIT_KEY,
      DB_POOL_MAX: '2',
      IDEMPOTENCY_LEASE_MS: '1000',
      RATE_LIMIT_MAX: '100000',
      WEBHOOK_WORKER: 'false',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_MAX_SUBSCRIPTIONS_PER_KEY: '10000',
    };
    const key = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'create', '--role', 'admin', '--name', 'kill-idem'], {
      env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    })
      .toString()
      .trim()
      .split('\n')
      .pop()!;
    const port = await freePort();
    let server = await startServer(env, port);
    cleanups.push(async () => void server.proc.kill('SIGKILL'));

    const run = `r${Date.now()}`;
    const keys = Array.from({ length: REQUESTS }, (_, i) => `${run}-${i}`);
    const create = (k: string) =>
      fetch(`${server.base}/v1/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': k },
        body: JSON.stringify({ url: 'http://127.0.0.1:9/hook', eventTypes: ['agency.created'], active: false, description: k }),
      });

    // The burst: CONCURRENCY requests in flight at any time, SIGKILL once KILL_AFTER have been answered.
    let answered = 0;
    let next = 0;
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      server.proc.kill('SIGKILL');
    };
    const lane = async () => {
      while (next < keys.length && !killed) {
        const k = keys[next++]!;
        try {
          const res = await create(k);
          await res.arrayBuffer();
          answered += 1;
          if (answered >= KILL_AFTER) kill();
        } catch {
          // the connection died with the process
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    kill();
    await exited(server.proc);

    const db = new pg.Client({ connectionString: url });
    await db.connect();
    cleanups.push(() => db.end());
    const atKill = (await db.query<{ n: number }>('select count(*)::int as n from webhook_subscriptions')).rows[0]!.n;
    expect(atKill).toBeGreaterThanOrEqual(KILL_AFTER);

    server = await startServer(env, port);
    // Past the lease: claims of requests that died are free to be taken over.
    await new Promise((r) => setTimeout(r, 1_500));
    const outcomes = new Map<string, number>();
    let cursor = 0;
    const retryLane = async () => {
      while (cursor < keys.length) {
        const k = keys[cursor++]!;
        for (let attempt = 0; ; attempt++) {
          const res = await create(k);
          const body = (await res.json()) as { code?: string };
          if (res.status === 409 && body.code === 'idempotency.in_progress' && attempt < 20) {
            await new Promise((r) => setTimeout(r, 500));
            continue;
          }
          // 201: created now (its first request never committed). 409 secret_not_replayable: the
          // first request committed; its secret was shown once (or never, if the answer was lost).
          expect([201, 409], `${k}: ${res.status} ${JSON.stringify(body)}`).toContain(res.status);
          if (res.status === 409) expect(body.code).toBe('idempotency.secret_not_replayable');
          outcomes.set(k, res.status);
          break;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, retryLane));
    expect(outcomes.size).toBe(REQUESTS);

    const { rows } = await db.query<{ description: string; n: number }>(
      'select description, count(*)::int as n from webhook_subscriptions group by description having count(*) > 1',
    );
    expect(rows, `keys that made more than one subscription: ${rows.length}`).toEqual([]);
    const total = (await db.query<{ n: number }>('select count(*)::int as n from webhook_subscriptions')).rows[0]!.n;
    expect(total).toBe(REQUESTS);
    server.proc.kill('SIGTERM');
    await exited(server.proc);
  }, 300_000);
});
