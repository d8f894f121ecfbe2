/*
 * Captures the SQL the service issues for one request: the real app is built in this process on
 * the bench database, node-postgres's Client.query is wrapped to record (text, values), and the
 * request is made with app.inject. The records drive the baselines (pgbench script, bare Fastify
 * routes), so they follow the service's code as it changes.
 */
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { BENCH_AUDIT_KEY } from './generate.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';

export type Statement = { text: string; values: unknown[]; ms?: number };
export type Captured = { status: number; body: string; statements: Statement[]; ms: number };
export type InjectRequest = { method: 'GET' | 'POST'; url: string; headers: Record<string, string>; payload?: unknown };

type QueryFn = (this: unknown, ...args: unknown[]) => unknown;

export async function captureRequests(databaseUrl: string, dataKey: string, requests: InjectRequest[]): Promise<Captured[]> {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    DATA_KEY: dataKey,
    AUDIT_KEY: BENCH_AUDIT_KEY,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '100000000',
    WEBHOOK_WORKER: 'false',
    // Only the request's statements: the job runner's polling would interleave its own.
    JOBS_WORKER: 'false',
  });
  const database = await openDatabase({ databaseUrl, poolMax: 2 });
  const app = await buildApp({ config, database, logger: createLogger('warn') });
  await app.ready();
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  const original = proto.query;
  let sink: Statement[] | null = null;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [first, second] = args;
    let st: Statement | undefined;
    if (sink) {
      if (typeof first === 'string') st = { text: first, values: Array.isArray(second) ? second : [] };
      else if (first && typeof first === 'object' && 'text' in first) {
        const q = first as { text: string; values?: unknown[] };
        st = { text: q.text, values: q.values ?? (Array.isArray(second) ? second : []) };
      }
      if (st) sink.push(st);
    }
    const t0 = performance.now();
    const last = args[args.length - 1];
    if (st && typeof last === 'function') {
      const done = st;
      args[args.length - 1] = (...cbArgs: unknown[]) => {
        done.ms = performance.now() - t0;
        return (last as (...a: unknown[]) => unknown)(...cbArgs);
      };
    }
    const result = original.apply(this, args);
    if (st && result instanceof Promise) {
      const done = st;
      void result.then(
        () => (done.ms = performance.now() - t0),
        () => (done.ms = performance.now() - t0),
      );
    }
    return result;
  };
  const out: Captured[] = [];
  try {
    for (const r of requests) {
      const statements: Statement[] = [];
      sink = statements;
      const t0 = performance.now();
      const res = await app.inject({ method: r.method, url: r.url, headers: r.headers, ...(r.payload !== undefined ? { payload: r.payload as string } : {}) });
      sink = null;
      out.push({ status: res.statusCode, body: res.body, statements, ms: performance.now() - t0 });
    }
  } finally {
    proto.query = original;
    await app.close();
    await database.close();
  }
  return out;
}
