import { chmod, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Pool as PgPool } from 'pg';
import { sql } from 'drizzle-orm';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle has the same query surface as the database itself. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

/** `waits`/`waitSeconds`: checkouts that found the pool full and queued, and their total time in the queue (since start). */
export type PoolStats = { total: number; idle: number; waiting: number; waits: number; waitSeconds: number };

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Db;
  /** Runs `select 1`; rejects when the database cannot be reached. */
  ping(): Promise<void>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

export type OpenDatabaseOptions = {
  databaseUrl?: string | undefined;
  pgliteDir?: string | undefined;
  poolMax?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
};

/** The embedded database's directory is held by another process (a running server, another command). */
export class DatabaseInUseError extends Error {}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts);
  if (!opts.pgliteDir) throw new Error('either databaseUrl or pgliteDir is required');
  return openPglite(opts.pgliteDir);
}

async function openPostgres(url: string, opts: OpenDatabaseOptions): Promise<Database> {
  // Loaded on demand so that the embedded path never loads pg, and the pg path never loads PGlite.
  const { default: pg } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  // numeric stays a string (exact decimals); bigint counts become numbers, which fit every count we make.
  pg.types.setTypeParser(20, (v: string) => Number(v));
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolMax ?? 20,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: opts.applicationName ?? 'tuyendung',
    // Short OLTP statements and a few aggregate reports: JIT compilation costs more than it saves.
    options: '-c jit=off',
    ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
  });
  // A client losing its server (failover, pg_terminate_backend, idle-in-transaction timeout, a
  // pooler restart) emits 'error'. The pool listens only on idle clients: a checked-out client's
  // error had no listener and stopped the process (node-postgres 3630). The query in flight fails
  // on its own (503), and the pool drops the broken client when it is released.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  const waits = countPoolWaits(pool, opts.poolMax ?? 20);
  const db = drizzle(pool, { schema, casing: 'snake_case' }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    async ping() {
      await pool.query('select 1');
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, waits: waits.count, waitSeconds: waits.seconds }),
    close: () => pool.end(),
  };
}

async function openPglite(dir: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { drizzle } = await import('drizzle-orm/pglite');
  const lockfile = await import('proper-lockfile');
  const inMemory = dir === 'memory://';
  let release: (() => Promise<void>) | undefined;
  if (!inMemory) {
    const abs = path.resolve(dir);
    // The data directory holds every record (national IDs encrypted, names, birth dates in clear):
    // it is private to the service's user. Files PostgreSQL creates later get the umask's cut; the
    // ones PGlite unpacks (mode 0666) and a directory left by an older version are tightened here.
    process.umask(0o077);
    await mkdir(abs, { recursive: true, mode: 0o700 });
    await makePrivate(abs);
    // PGlite has no data-directory lock of its own: two processes on one directory lose writes.
    try {
      release = await lockfile.lock(abs, { lockfilePath: `${abs}.lock`, stale: 15_000, update: 5_000 });
    } catch (err) {
      throw new DatabaseInUseError(`The embedded database at ${abs} is in use by another process (${(err as Error).message})`, { cause: err });
    }
  }
  const client = await PGlite.create(inMemory ? undefined : path.resolve(dir), { extensions: { pg_trgm } });
  // A new data directory is unpacked with explicit 0666 modes, past the umask.
  if (!inMemory) await makePrivate(path.resolve(dir));
  const db = drizzle(client, { schema, casing: 'snake_case' }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    async ping() {
      await db.execute(sql`select 1`);
    },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0, waits: 0, waitSeconds: 0 }),
    async close() {
      await client.close();
      await release?.();
    },
  };
}

type ConnectCallback = (err: Error | undefined, client: unknown, release: unknown) => void;

/**
 * Counts checkouts that queue because every connection is busy, and the time they wait: the sign
 * that DB_POOL_MAX (or the database) is the bottleneck. Every checkout goes through `connect`
 * (pool.query too); the prototype's method is looked up on each call, so a tracing patch applied
 * later (src/tracing-sdk.ts) still runs.
 */
function countPoolWaits(pool: PgPool, max: number) {
  const waits = { count: 0, seconds: 0 };
  const connectOf = () => (Object.getPrototypeOf(pool) as { connect: (this: PgPool, cb?: ConnectCallback) => Promise<unknown> | undefined }).connect;
  Object.defineProperty(pool, 'connect', {
    configurable: true,
    writable: true,
    value(cb?: ConnectCallback) {
      const connect = connectOf();
      if (pool.idleCount > 0 || pool.totalCount < max) return connect.call(pool, cb);
      const started = performance.now();
      const waited = () => {
        waits.count++;
        waits.seconds += (performance.now() - started) / 1000;
      };
      if (cb) {
        return connect.call(pool, (err, client, release) => {
          waited();
          cb(err, client, release);
        });
      }
      return (connect.call(pool) as Promise<unknown>).finally(waited);
    },
  });
  return waits;
}

/** Removes group and other permissions from a directory tree. */
async function makePrivate(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isSymbolicLink()) continue;
    await chmod(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o700 : 0o600);
  }
}
