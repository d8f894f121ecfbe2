import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditKeyring } from '../../src/crypto/audit-keys.js';
import { openDatabase } from '../../src/db/client.js';
import { createAgenciesRepository } from '../../src/modules/agencies/agencies.repository.js';
import { createApiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js';
import { createApiKeysService } from '../../src/modules/api-keys/api-keys.service.js';
import { bindAuditKeyring, systemActor } from '../../src/modules/audit/audit.writer.js';
import { TEST_AUDIT_KEY, TEST_DATA_KEY } from '../helpers/app.js';
import { TEST_DATABASE_URL, needsPostgres } from '../helpers/env.js';
import { exited, freePort, startServer } from '../helpers/server-process.js';
import { makeNationalId } from '../factories/candidates.js';

/*
 * Issue 12, item 7: the service's runtime role cannot rewrite the audit trail. A fresh database and
 * a login role of its own are made here; the role gets exactly the grants docs/keys.md tells
 * operators to give; the real server runs as that role, with migrations through
 * MIGRATION_DATABASE_URL (the owner). Normal work succeeds and is audited; UPDATE, DELETE and
 * TRUNCATE of audit rows fail for the role, even after it is granted every privilege on them.
 */

const suffix = randomBytes(3).toString('hex');
const role = `td_app_${process.pid}_${suffix}`;
const dbName = `td_rr_${process.pid}_${suffix}`;
const urlAs = (user: string) => {
  const u = new URL(TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  u.username = user;
  u.pathname = `/${dbName}`;
  return u.toString();
};
const ownerUrl = () => urlAs(new URL(TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1/x').username || 'postgres');

let server: { proc: ChildProcess; base: string; output: () => string } | undefined;
let adminKey: string;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const api = (method: string, path: string, body?: unknown) =>
  fetch(`${server!.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

describe.skipIf(needsPostgres)('runtime database role (PostgreSQL)', () => {
  beforeAll(async () => {
    await withClient(TEST_DATABASE_URL!, async (c) => {
      await c.query(`create role ${role} login`);
      await c.query(`create database ${dbName}`);
    });
    // docs/keys.md, "Database roles": what an operator runs once, as the owner, before the first start.
    await withClient(ownerUrl(), async (c) => {
      await c.query(`grant usage on schema public to ${role}`);
      await c.query(`alter default privileges in schema public grant select, insert, update, delete on tables to ${role}`);
      await c.query(`alter default privileges in schema public grant usage, select, update on sequences to ${role}`);
    });
    server = await startServer(
      {
        DATABASE_URL: urlAs(role),
        MIGRATION_DATABASE_URL: ownerUrl(),
        DATA_KEY: TEST_DATA_KEY,
        AUDIT_KEY: TEST_AUDIT_KEY,
        AUDIT_CHECKPOINT_INTERVAL_MS: '0',
        RATE_LIMIT_MAX: '100000',
      },
      await freePort(),
    );
    // The first admin key, made the way the CLI makes it, through the runtime role.
    const database = await openDatabase({ databaseUrl: urlAs(role), poolMax: 1 });
    try {
      bindAuditKeyring(database.db, createAuditKeyring(TEST_AUDIT_KEY));
      const keys = createApiKeysService({ db: database.db, repo: createApiKeysRepository(database.db), agencies: createAgenciesRepository(database.db) });
      adminKey = (await keys.createAs(systemActor('test'), { name: 'admin', role: 'admin' })).key;
    } finally {
      await database.close();
    }
  }, 120_000);

  afterAll(async () => {
    if (server) {
      server.proc.kill('SIGTERM');
      await exited(server.proc);
    }
    await withClient(TEST_DATABASE_URL!, async (c) => {
      await c.query(`drop database if exists ${dbName} with (force)`);
      await c.query(`drop role if exists ${role}`);
    });
  });

  it('when the service runs as a non-owner role, then normal work is audited and verifies', async () => {
    const agency = await api('POST', '/v1/agencies', { code: `RR-${suffix}`, name: 'Sở Nội vụ', bloc: 'state', parentId: null });
    expect(agency.status).toBe(201);
    const { id } = (await agency.json()) as { id: string };
    expect((await api('PATCH', `/v1/agencies/${id}`, { name: 'Sở Nội vụ Hà Nội' })).status).toBe(200);
    const candidate = await api('POST', '/v1/candidates', {
      fullName: 'Trần Thị Bình',
      nationalId: makeNationalId({ birthYear: 1995, female: true }),
      birthDate: '1995-05-20',
      gender: 'female',
      ethnicity: 'Kinh',
    });
    expect(candidate.status).toBe(201);
    expect((await api('POST', '/v1/audit-events/checkpoints')).status).toBe(201);
    const verdict = (await (await api('GET', '/v1/audit-events/verify?mode=full')).json()) as { valid: boolean; events: number };
    expect(verdict.valid).toBe(true);
    expect(verdict.events).toBeGreaterThanOrEqual(4);
    const owner = await withClient(urlAs(role), async (c) => (await c.query(`select tableowner from pg_tables where tablename = 'audit_events'`)).rows[0]);
    expect(owner.tableowner).not.toBe(role);
  });

  const attempts = [
    `update audit_events set action = 'forged'`,
    `delete from audit_events`,
    `truncate audit_events`,
    `update audit_checkpoints set signature = 'forged'`,
    `delete from audit_checkpoints`,
    `truncate audit_checkpoints`,
    `update audit_streams set last_seq = 0`,
    `delete from audit_streams`,
    `truncate audit_streams`,
  ];

  it('when the runtime role tries to update, delete or truncate audit rows, then PostgreSQL refuses (42501)', async () => {
    await withClient(urlAs(role), async (c) => {
      for (const statement of attempts) {
        await expect(c.query(statement), statement).rejects.toMatchObject({ code: '42501' });
      }
    });
  });

  it('when the runtime role is later granted every privilege on the audit tables, then the append-only triggers still refuse', async () => {
    await withClient(ownerUrl(), (c) => c.query(`grant all on audit_events, audit_checkpoints, audit_streams to ${role}`));
    await withClient(urlAs(role), async (c) => {
      for (const statement of attempts) {
        await expect(c.query(statement), statement).rejects.toMatchObject({ code: '42501', message: 'audit_append_only' });
      }
    });
    // The owner keeps the power (it could drop the triggers anyway): rewriting as owner is what the keyed chain catches.
    const n = await withClient(ownerUrl(), async (c) => (await c.query(`update audit_events set action = action`)).rowCount);
    expect(n).toBeGreaterThan(0);
  });
});

