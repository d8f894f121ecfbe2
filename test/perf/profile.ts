/*
 * Investigation helper (not part of the bench): runs requests in-process against a generated bench
 * database and prints each statement the service issued with its time, and the time outside SQL.
 *
 *   tsx test/perf/profile.ts --db td_bench_x [--compute] [--report] [--list] [--get]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { encodeCursor } from '../../src/http/pagination.js';
import { captureRequests, type InjectRequest } from './capture.js';
import { BENCH_DATA_KEY, benchUuid, DRIVE, KIND, urlOf } from './generate.js';
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
for (const r of await captureRequests(url, BENCH_DATA_KEY, requests)) {
  const sqlMs = r.statements.reduce((a, s) => a + (s.ms ?? 0), 0);
  process.stdout.write(`\n=== HTTP ${r.status} in ${r.ms.toFixed(0)} ms; ${r.statements.length} statements, ${sqlMs.toFixed(0)} ms in SQL, ${(r.ms - sqlMs).toFixed(0)} ms outside\n`);
  if (r.status >= 300) process.stdout.write(`${r.body.slice(0, 500)}\n`);
  for (const s of r.statements) {
    process.stdout.write(`  ${(s.ms ?? NaN).toFixed(1).padStart(8)} ms  ${s.text.replace(/\s+/g, ' ').slice(0, 150)}\n`);
    if (values.explain && (s.ms ?? 0) > 20 && /^\s*(select|with)/i.test(s.text)) {
      const plan = await explainer.query(`explain (analyze, buffers) ${s.text}`, s.values as unknown[]);
      process.stdout.write(`${(plan.rows as { 'QUERY PLAN': string }[]).map((x) => `      ${x['QUERY PLAN']}`).join('\n')}\n`);
    }
  }
}
await explainer.end();
