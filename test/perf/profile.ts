/*
 * Investigation helper (not part of the bench): runs requests in-process against a generated bench
 * database and prints each statement the service issued with its time, and the time outside SQL.
 *
 *   tsx test/perf/profile.ts --db td_bench_x [--compute] [--report] [--list] [--get] [--reset] [--memory]
 *   tsx test/perf/profile.ts --db td_bench_x --touch [--repeat n]
 *
 * --reset deletes the national drive's stored results first (then vacuums), so that the compute is
 * a first computation rather than a recomputation. Each request also prints the process's resident
 * set peak during it (VmHWM, reset before the request through /proc/self/clear_refs) and the
 * process's CPU time; each request runs on an app of its own, whose start both include. The trace
 * keeps every statement's parameters (a compute's inserted rows among them) until the request
 * ends: --memory runs the requests without it, for the peak of the request alone.
 *
 * --touch measures the report after a change to one quota, as the bench's cold scenario does: one
 * app, a first report (computed in full), then n times the bench's quota update (`update quotas set
 * slots = slots`, from another connection) followed by a report, each printed with its statements.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { encodeCursor } from '../../src/http/pagination.js';
import { createLogger } from '../../src/logger.js';
import { captureRequests, type InjectRequest } from './capture.js';
import { BENCH_AUDIT_KEY, BENCH_DATA_KEY, benchUuid, DRIVE, KIND, quotaNo, urlOf } from './generate.js';
import { createKeys } from './keys.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    compute: { type: 'boolean', default: false },
    report: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    get: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    explain: { type: 'boolean', default: false },
    reset: { type: 'boolean', default: false },
    memory: { type: 'boolean', default: false },
    touch: { type: 'boolean', default: false },
  },
});
if (!values.db) throw new Error('--db td_bench_… is required');
const url = urlOf(values.db);
const keys = await createKeys(url, [{ name: 'organizer', role: 'organizer', agencyId: benchUuid(KIND.agency, 0) }]);
const headers = { authorization: `Bearer ${keys.organizer}`, 'content-type': 'application/json' };
const national = benchUuid(KIND.drive, DRIVE.national);
const requests: InjectRequest[] = [];
for (let i = 0; i < Number(values.repeat); i++) {
  if (values.compute) requests.push({ method: 'POST', url: `/v1/drives/${national}/results/compute`, headers, payload: '{}' });
  if (values.report) requests.push({ method: 'GET', url: `/v1/reports/drives/${national}`, headers });
  if (values.list) requests.push({ method: 'GET', url: `/v1/drives/${national}/applications?limit=50&cursor=${encodeCursor({ id: benchUuid(KIND.application, 1000) })}`, headers });
  if (values.get) requests.push({ method: 'GET', url: `/v1/applications/${benchUuid(KIND.application, 777)}`, headers });
}
const explainer = new pg.Client({ connectionString: url });
await explainer.connect();
if (values.reset) {
  await explainer.query('delete from results where drive_id = $1', [national]);
  await explainer.query('delete from quota_results where drive_id = $1', [national]);
  await explainer.query('vacuum results, quota_results');
}

/** Resident set (current, peak) in MiB, from /proc/self/status (Linux). */
const mib = (field: string) => Number(/\d+/.exec(readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(field)) ?? '')?.[0] ?? NaN) / 1024;
/** One app, the requests made in turn without any trace: status, time, peak resident set and CPU time of each. */
async function untraced(request: InjectRequest) {
  const config = loadConfig({ DATABASE_URL: url, DATA_KEY: BENCH_DATA_KEY, AUDIT_KEY: BENCH_AUDIT_KEY, LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '100000000', WEBHOOK_WORKER: 'false' });
  const database = await openDatabase({ databaseUrl: url, poolMax: 2 });
  const app = await buildApp({ config, database, logger: createLogger('warn') });
  await app.ready();
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    const before = mib('VmRSS');
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const res = await app.inject({ method: request.method, url: request.url, headers: request.headers, ...(request.payload !== undefined ? { payload: request.payload as string } : {}) });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    process.stdout.write(
      `\n=== HTTP ${res.statusCode} in ${ms.toFixed(0)} ms (no trace)\n    RSS ${before.toFixed(0)} MiB before, peak ${mib('VmHWM').toFixed(0)} MiB; process CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms\n`,
    );
    if (res.statusCode >= 300) process.stdout.write(`${res.body.slice(0, 500)}\n`);
  } finally {
    await app.close();
    await database.close();
  }
}

/** One app: a report, then (the bench's quota update, a report) × --repeat, each with its statements. */
async function touched() {
  const config = loadConfig({ DATABASE_URL: url, DATA_KEY: BENCH_DATA_KEY, AUDIT_KEY: BENCH_AUDIT_KEY, LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '100000000', WEBHOOK_WORKER: 'false' });
  const database = await openDatabase({ databaseUrl: url, poolMax: 2 });
  const app = await buildApp({ config, database, logger: createLogger('warn') });
  await app.ready();
  type Query = (this: unknown, ...args: unknown[]) => unknown;
  const proto = pg.Client.prototype as unknown as { query: Query };
  const original = proto.query;
  let sink: { text: string; ms: number }[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : first && typeof first === 'object' && 'text' in first ? String(first.text) : '';
    const st = { text, ms: NaN };
    sink.push(st);
    const t0 = performance.now();
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (...cbArgs: unknown[]) => {
        st.ms = performance.now() - t0;
        return (last as (...a: unknown[]) => unknown)(...cbArgs);
      };
    }
    const result = original.apply(this, args);
    if (result instanceof Promise) void result.then(() => (st.ms = performance.now() - t0), () => (st.ms = performance.now() - t0));
    return result;
  };
  const quota = benchUuid(KIND.quota, quotaNo(DRIVE.national, 0));
  try {
    for (let i = 0; i <= Number(values.repeat); i++) {
      if (i > 0) await explainer.query('update quotas set slots = slots where id = $1', [quota]);
      sink = [];
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const res = await app.inject({ method: 'GET', url: `/v1/reports/drives/${national}`, headers });
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const sqlMs = sink.reduce((a, s) => a + (Number.isNaN(s.ms) ? 0 : s.ms), 0);
      process.stdout.write(
        `\n=== ${i === 0 ? 'first report' : 'after the quota update'}: HTTP ${res.statusCode} in ${ms.toFixed(0)} ms; ${sink.length} statements, ${sqlMs.toFixed(0)} ms in SQL, ${(ms - sqlMs).toFixed(0)} ms outside; process CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms\n`,
      );
      for (const s of sink) process.stdout.write(`  ${s.ms.toFixed(1).padStart(8)} ms  ${s.text.replace(/\s+/g, ' ').slice(0, 150)}\n`);
    }
  } finally {
    proto.query = original;
    await app.close();
    await database.close();
  }
}

if (values.touch) await touched();
for (const request of values.memory || values.touch ? [] : requests) {
  // One app per request, so that the peak below is this request's (the app's start is included).
  writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current resident set
  const before = mib('VmRSS');
  const cpu0 = process.cpuUsage();
  const r = (await captureRequests(url, BENCH_DATA_KEY, [request]))[0]!;
  const cpu = process.cpuUsage(cpu0);
  const peak = mib('VmHWM');
  const sqlMs = r.statements.reduce((a, s) => a + (s.ms ?? 0), 0);
  process.stdout.write(`\n=== HTTP ${r.status} in ${r.ms.toFixed(0)} ms; ${r.statements.length} statements, ${sqlMs.toFixed(0)} ms in SQL, ${(r.ms - sqlMs).toFixed(0)} ms outside\n`);
  process.stdout.write(`    RSS ${before.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB; process CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms (app start included)\n`);
  if (r.status >= 300) process.stdout.write(`${r.body.slice(0, 500)}\n`);
  for (const s of r.statements) {
    process.stdout.write(`  ${(s.ms ?? NaN).toFixed(1).padStart(8)} ms  ${s.text.replace(/\s+/g, ' ').slice(0, 150)}\n`);
    if (values.explain && (s.ms ?? 0) > 20 && /^\s*(select|with)/i.test(s.text)) {
      const plan = await explainer.query(`explain (analyze, buffers) ${s.text}`, s.values as unknown[]);
      process.stdout.write(`${(plan.rows as { 'QUERY PLAN': string }[]).map((x) => `      ${x['QUERY PLAN']}`).join('\n')}\n`);
    }
  }
}
if (values.memory && !values.touch) for (const request of requests) await untraced(request);
await explainer.end();
