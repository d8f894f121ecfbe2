import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { Logger } from 'pino';
import supertest from 'supertest';
import { inject } from 'vitest';
import { buildApp, type AppDeps } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { createAgenciesRepository } from '../../src/modules/agencies/agencies.repository.js';
import { createApiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js';
import { createApiKeysService } from '../../src/modules/api-keys/api-keys.service.js';
import type { Role } from '../../src/modules/api-keys/api-keys.table.js';
import { systemActor } from '../../src/modules/audit/audit.writer.js';
import { TEST_DATABASE_URL, databaseUrlFor } from './env.js';

export type TestApp = {
  app: FastifyInstance;
  http: ReturnType<typeof supertest>;
  database: Database;
  config: Config;
  /** Raw SQL on the test database (for asserting stored state and for tampering). */
  sql: <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;
  adminKey: string;
  keyFor: (role: Role, agencyId?: string | null) => Promise<string>;
  close: () => Promise<void>;
};

let counter = 0;

/** A fresh database (a clone of the migrated template on PostgreSQL) for one test file. */
export async function freshDatabase(poolMax = 30): Promise<{ database: Database; url: string | undefined; drop: () => Promise<void> }> {
  const template = inject('templateDatabase');
  if (!TEST_DATABASE_URL || !template) {
    const database = await openDatabase({ pgliteDir: 'memory://' });
    await runMigrations(database);
    return { database, url: undefined, drop: async () => undefined };
  }
  const name = `td_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name} template ${template}`);
  await admin.end();
  const url = databaseUrlFor(name);
  const database = await openDatabase({ databaseUrl: url, poolMax });
  return {
    database,
    url,
    drop: async () => {
      const a = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export const TEST_DATA_KEY = Buffer.alloc(32, 7).toString('base64');
export const TEST_AUDIT_KEY = Buffer.alloc(32, 9).toString('base64');

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '100000', RATE_LIMIT_IP_MAX: '1000000', RATE_LIMIT_AUTH_FAILURES_MAX: '100000', DATA_KEY: TEST_DATA_KEY, AUDIT_KEY: TEST_AUDIT_KEY, WEBHOOK_ALLOW_PRIVATE: 'true', ...overrides });
}

export async function setupApp(
  opts: { env?: Record<string, string>; redis?: unknown; logger?: Logger; poolMax?: number; clock?: () => Date; spanProcessors?: AppDeps['spanProcessors'] } = {},
): Promise<TestApp> {
  const { database, url, drop } = await freshDatabase(opts.poolMax);
  const config = testConfig({ ...(url ? { DATABASE_URL: url } : {}), ...opts.env });
  const app = await buildApp({ config, database, redis: opts.redis, ...(opts.logger ? { logger: opts.logger } : {}), ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.spanProcessors ? { spanProcessors: opts.spanProcessors } : {}) });
  await app.ready();
  const { db } = database;
  const keys = createApiKeysService({ db, repo: createApiKeysRepository(db), agencies: createAgenciesRepository(db) });
  const keyFor = async (role: Role, agencyId: string | null = null) =>
    (await keys.createAs(systemActor('test'), { name: `${role} test key`, role, agencyId })).key;
  const adminKey = await keyFor('admin');
  const sqlFn = async <T,>(text: string, params: unknown[] = []) => {
    const { sql } = await import('drizzle-orm');
    const chunks = text.split(/\$\d+/);
    const query = sql.empty();
    chunks.forEach((chunk, i) => {
      query.append(sql.raw(chunk));
      if (i < chunks.length - 1) query.append(sql`${params[i]}`);
    });
    const res = (await db.execute(query)) as unknown as { rows: T[] };
    return res.rows;
  };
  return {
    app,
    http: supertest(app.server),
    database,
    config,
    sql: sqlFn,
    adminKey,
    keyFor,
    close: async () => {
      await app.close();
      await database.close();
      await drop();
    },
  };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
