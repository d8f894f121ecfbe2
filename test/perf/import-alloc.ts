/*
 * Where the bulk import allocates (investigation helper, not part of the bench). Runs the app
 * in-process on a copy of a generated bench database, posts the bench's CSV to drive 3's import
 * over HTTP, and samples every allocation made meanwhile (V8's sampling heap profiler, objects
 * collected by either GC included): prints the bytes allocated per function and per call site, and
 * the process's CPU time. With --promoted, only the allocations no scavenge collected: what the
 * import promotes to the old generation (and what is alive at the end).
 *
 *   tsx test/perf/import-alloc.ts --template td_bench_x [--db name] [--rows 200000] [--top 40] [--promoted]
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { BENCH_AUDIT_KEY, BENCH_DATA_KEY, benchUuid, DRIVE, dropDatabase, KIND, person, quotaNo, urlOf } from './generate.js';
import { createKeys } from './keys.js';

const { values: opts } = parseArgs({
  options: {
    template: { type: 'string' },
    db: { type: 'string' },
    rows: { type: 'string', default: '200000' },
    top: { type: 'string', default: '40' },
    interval: { type: 'string', default: '16384' },
    /** Only what no scavenge collected (promoted to the old generation, or alive at the end). */
    promoted: { type: 'boolean', default: false },
  },
});
if (!opts.template) throw new Error('usage: import-alloc.ts --template <td_bench db>');
const dbName = opts.db ?? `${opts.template}_alloc`;
const N = Number(opts.rows);
const psql = (db: string, sql: string) => execFileSync('psql', ['-U', 'postgres', '-h', '127.0.0.1', '-Atqc', sql, db]);

const csv = path.join(tmpdir(), `td-import-alloc-${process.pid}.csv`);
process.on('exit', () => rmSync(csv, { force: true }));
const out = createWriteStream(csv);
out.write('\uFEFFfullName,nationalId,birthDate,gender,ethnicity,nationality,email,phone,address,quotaId,priorityCategory,evidenceRef\r\n');
for (let i = 0; i < N; i++) {
  const n = 200_000 + i;
  const p = person(n);
  const prio = i % 10 === 3 ? `military_service,QĐ-${i}` : ',';
  const line = `${p.fullName},${p.nationalId},${p.birthDate},${p.gender},Kinh,VN,ts${n}@example.vn,09${String(n).padStart(8, '0')},"Số ${i}, phố Huế, Hà Nội",${benchUuid(KIND.quota, quotaNo(DRIVE.importApi, i % 2000))},${prio}\r\n`;
  if (!out.write(line)) await once(out, 'drain');
}
out.end();
await once(out, 'finish');
const size = (await stat(csv)).size;

await dropDatabase(dbName);
psql('postgres', `create database ${dbName} template ${opts.template}`);
const url = urlOf(dbName);
const keys = await createKeys(url, [{ name: 'registrar', role: 'registrar', agencyId: benchUuid(KIND.agency, 0) }]);
const config = loadConfig({ DATABASE_URL: url, DATA_KEY: BENCH_DATA_KEY, AUDIT_KEY: BENCH_AUDIT_KEY, LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '100000000', WEBHOOK_WORKER: 'false' });
const database = await openDatabase({ databaseUrl: url, poolMax: 20 });
const app = await buildApp({ config, database, logger: createLogger('warn') });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;

const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', {
  samplingInterval: Number(opts.interval),
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: !opts.promoted,
});
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const res = await new Promise<{ status: number; bytes: number }>((resolve, reject) => {
  const req = request(
    `http://127.0.0.1:${port}/v1/drives/${benchUuid(KIND.drive, DRIVE.importApi)}/applications/import`,
    { method: 'POST', headers: { authorization: `Bearer ${keys.registrar}`, 'content-type': 'text/csv; charset=utf-8', 'content-length': size } },
    (r) => {
      let bytes = 0;
      r.on('data', (c: Buffer) => (bytes += c.length));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, bytes }));
      r.on('error', reject);
    },
  );
  req.on('error', reject);
  createReadStream(csv).pipe(req);
});
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
type Node = { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] };
const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: Node } };
session.disconnect();

const byFunction = new Map<string, number>();
const bySite = new Map<string, number>();
let total = 0;
const short = (u: string) => u.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
function walk(node: Node, stack: string[]) {
  const f = node.callFrame;
  const name = `${f.functionName || '(anonymous)'} ${short(f.url)}:${f.lineNumber + 1}`;
  const here = [...stack, name];
  if (node.selfSize > 0) {
    total += node.selfSize;
    byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
    // The nearest frame of the project's own code (src/) that led here.
    const own = [...here].reverse().find((s) => s.includes('src/')) ?? name;
    bySite.set(own, (bySite.get(own) ?? 0) + node.selfSize);
  }
  for (const c of node.children) walk(c, here);
}
walk(profile.head, []);
const mib = (n: number) => (n / 2 ** 20).toFixed(1).padStart(8);
process.stdout.write(`HTTP ${res.status}, ${(res.bytes / 2 ** 20).toFixed(1)} MiB response in ${(ms / 1000).toFixed(1)} s; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; sampled allocation ${mib(total)} MiB\n`);
const top = Number(opts.top);
process.stdout.write('\nby allocating function (self):\n');
for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${mib(v)}  ${k}\n`);
process.stdout.write('\nby nearest project frame:\n');
for (const [k, v] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${mib(v)}  ${k}\n`);

await app.close();
await database.close();
await rm(csv, { force: true });
await dropDatabase(dbName);
