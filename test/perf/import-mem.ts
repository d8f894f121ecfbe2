/*
 * The bulk import's memory and time (investigation helper, not part of the bench). Builds the server
 * bundle (as `npm run build`, into --dist), and for each run: copies a generated bench database
 * (template, so that every run imports into an empty drive 3), starts the bundle on it as bench.ts
 * does, with the probe of mem-probe.mjs preloaded, posts the bench's CSV (the same 200,000 rows
 * bench.ts writes) to POST /v1/drives/{drive 3}/applications/import, and prints the import's wall
 * time, the server's CPU time during it, its RSS peak (sampled every 100 ms and VmHWM) and the
 * probe's figures at the RSS peak (V8 heap spaces, external memory, GC counts).
 *
 *   tsx test/perf/import-mem.ts --template td_bench_x [--db td_bench_x_import] [--runs 3]
 *        [--node="--flag …"] [--rows 200000] [--dist .tmp/import-mem-dist] [--no-build] [--atomic]
 *        [--entry src/server.ts] [--env NAME=value …] [--timeline]
 *
 * The template must have no other session connected (createdb -T); make a private copy first.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { benchUuid, DRIVE, dropDatabase, KIND, person, quotaNo, urlOf } from './generate.js';
import { createKeys } from './keys.js';
import { askProbe, memoryStatus, rssPeakSampler, startProbedServer } from './probed-server.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const { values: opts } = parseArgs({
  options: {
    template: { type: 'string' },
    db: { type: 'string' },
    runs: { type: 'string', default: '1' },
    node: { type: 'string', default: '' },
    rows: { type: 'string', default: '200000' },
    quotas: { type: 'string', default: '2000' },
    // Two levels under the root: the bundle finds migrations/ at ../../migrations, as dist/ does at ../migrations.
    dist: { type: 'string', default: '.tmp/import-mem-dist' },
    'no-build': { type: 'boolean', default: false },
    /** The server entry to bundle (a copy of src/ elsewhere under the root, to compare two versions). */
    entry: { type: 'string', default: 'src/server.ts' },
    atomic: { type: 'boolean', default: false },
    env: { type: 'string', multiple: true, default: [] },
    /** Print the server's memory every 500 ms of the import (test/perf/timeline-probe.mjs). */
    timeline: { type: 'boolean', default: false },
  },
});
if (!opts.template) throw new Error('usage: import-mem.ts --template <td_bench db> [--db name] [--runs n] [--node="flags"]');
const template = opts.template;
const dbName = opts.db ?? `${template}_import`;
const N = Number(opts.rows);
const QUOTAS = Number(opts.quotas);
const port = 3979;
const distDir = path.resolve(ROOT, opts.dist!);
const probeOut = `/tmp/td-import-mem-probe-${process.pid}.jsonl`;
const timelineOut = `/tmp/td-import-mem-timeline-${process.pid}.jsonl`;
const log = (s: string) => process.stdout.write(`${s}\n`);
const psql = (db: string, sql: string) => execFileSync('psql', ['-U', 'postgres', '-h', '127.0.0.1', '-Atqc', sql, db]).toString().trim();

/** The server's CPU time (user + system) in ms, from /proc. */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** CPU time (ms) of the PostgreSQL backends serving the database, from /proc (PostgreSQL on this host). */
async function backendCpuMs(db: string): Promise<Map<number, number>> {
  const pids = psql('postgres', `select pid from pg_stat_activity where datname = '${db}'`).split('\n').filter(Boolean).map(Number);
  const out = new Map<number, number>();
  for (const pid of pids) out.set(pid, await cpuMs(pid).catch(() => 0));
  return out;
}

const probe = (pid: number) => askProbe(probeOut, pid);

/** The CSV bench.ts writes for its import scenario (people N … 2N − 1, drive 3's quotas in turn). */
async function writeCsv(file: string): Promise<number> {
  const out = createWriteStream(file);
  out.write('\uFEFFfullName,nationalId,birthDate,gender,ethnicity,nationality,email,phone,address,quotaId,priorityCategory,evidenceRef\r\n');
  for (let i = 0; i < N; i++) {
    const n = 200_000 + i;
    const p = person(n);
    const prio = i % 10 === 3 ? `military_service,QĐ-${i}` : ',';
    const line = `${p.fullName},${p.nationalId},${p.birthDate},${p.gender},Kinh,VN,ts${n}@example.vn,09${String(n).padStart(8, '0')},"Số ${i}, phố Huế, Hà Nội",${benchUuid(KIND.quota, quotaNo(DRIVE.importApi, i % QUOTAS))},${prio}\r\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return (await stat(file)).size;
}

/** Client-side moments of the request (ms since it started): body sent, response headers received. */
const marks: Record<string, number> = {};
async function postFile(url: string, key: string, file: string, size: number): Promise<{ status: number; body: Buffer; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv; charset=utf-8', 'content-length': size } }, (res) => {
      marks.headers = performance.now() - t0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('finish', () => (marks.sent = performance.now() - t0));
    createReadStream(file).pipe(req);
  });
}

if (!opts['no-build']) {
  await build({
    absWorkingDir: ROOT,
    entryPoints: { server: opts.entry! },
    outdir: distDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    sourcemap: true,
    external: Object.keys((JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies)
      .filter((name) => name !== 'drizzle-orm')
      .flatMap((name) => [name, `${name}/*`]),
    logLevel: 'warning',
  });
}
const csv = path.join(tmpdir(), `td-import-mem-${process.pid}.csv`);
const size = await writeCsv(csv);
log(`CSV: ${N} rows, ${(size / 2 ** 20).toFixed(1)} MiB; bundle ${path.relative(ROOT, distDir)}/server.js; node ${opts.node}`);
const drive = benchUuid(KIND.drive, DRIVE.importApi);

try {
  for (let run = 0; run < Number(opts.runs); run++) {
    await dropDatabase(dbName);
    psql('postgres', `create database ${dbName} template ${template}`);
    const url = urlOf(dbName);
    psql(dbName, 'checkpoint');
    const keys = await createKeys(url, [{ name: 'registrar', role: 'registrar', agencyId: benchUuid(KIND.agency, 0) }]);
    await rm(probeOut, { force: true });
    await rm(timelineOut, { force: true });
    const nodeArgs = opts.node!.split(/\s+/).filter(Boolean);
    const extraEnv = Object.fromEntries(opts.env!.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    const proc = await startProbedServer({
      cwd: ROOT,
      serverJs: path.join(distDir, 'server.js'),
      databaseUrl: url,
      port,
      probeOut,
      nodeArgs,
      imports: opts.timeline ? ['./test/perf/timeline-probe.mjs'] : [],
      env: { TIMELINE_OUT: timelineOut, ...extraEnv },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const pid = proc.pid;
    await sleep(1000);
    const rest = await memoryStatus(pid);
    await probe(pid);
    const rss = rssPeakSampler(pid);
    const cpu0 = await cpuMs(pid);
    const db0 = await backendCpuMs(dbName);
    const startedAt = (await readFile(timelineOut, 'utf8').catch(() => '')).trim().split('\n').length;
    const res = await postFile(`http://127.0.0.1:${port}/v1/drives/${drive}/applications/import${opts.atomic ? '?atomic=true' : ''}`, keys.registrar!, csv, size);
    const cpu1 = await cpuMs(pid);
    const db1 = await backendCpuMs(dbName);
    let dbCpu = 0;
    for (const [p, ms] of db1) dbCpu += ms - (db0.get(p) ?? 0);
    const peak = rss.stop();
    const p = await probe(pid);
    const m = await memoryStatus(pid);
    const summary = (JSON.parse(res.body.toString('utf8')) as { summary?: unknown }).summary;
    log(
      `run ${run + 1}: HTTP ${res.status} ${JSON.stringify(summary)}; ${(res.ms / 1000).toFixed(1)} s, server CPU ${(cpu1 - cpu0) / 1000} s, PostgreSQL backends' CPU ${(dbCpu / 1000).toFixed(2)} s; ` +
        `RSS at rest ${rest.rss.toFixed(0)} MiB, sampled peak ${peak.toFixed(0)}, VmHWM ${m.hwm.toFixed(0)} MiB (now ${m.rss.toFixed(0)}: anonymous ${m.anon.toFixed(0)}, files ${m.file.toFixed(0)}); response ${(res.body.length / 2 ** 20).toFixed(1)} MiB\n` +
        `  probe at RSS peak ${JSON.stringify(p.atPeak)}\n  max ${JSON.stringify(p.max)}\n  gcs ${JSON.stringify(p.gcs)}`,
    );
    if (opts.timeline) {
      const lines = (await readFile(timelineOut, 'utf8')).trim().split('\n').slice(startedAt).map((l) => JSON.parse(l) as Record<string, unknown> & { t: number; majors?: unknown });
      const t0 = lines[0]?.t ?? 0;
      log(`  timeline (s since the request; body sent at ${((marks.sent ?? 0) / 1000).toFixed(1)} s, response headers at ${((marks.headers ?? 0) / 1000).toFixed(1)} s):`);
      for (const [i, l] of lines.entries()) if (i % 5 === 0 || l.majors) log(`  ${((l.t - t0) / 1000).toFixed(1)} ${JSON.stringify({ ...l, t: undefined })}`);
    }
    proc.kill('SIGTERM');
    await once(proc, 'exit');
  }
} finally {
  await rm(csv, { force: true });
  await rm(probeOut, { force: true });
  await rm(timelineOut, { force: true });
  await dropDatabase(dbName).catch(() => undefined);
}
