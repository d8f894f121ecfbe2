/*
 * Server memory under load, scenario by scenario (investigation helper, not part of the bench).
 * Starts the built server (`npm run build` first) as bench.ts does, with the probe of mem-probe.mjs
 * preloaded, drives each scenario as bench.ts does (warm-up, then a measured run, 64 connections),
 * and prints for each: the RSS peak sampled every 100 ms from /proc (as bench.ts), VmHWM, and the
 * probe's figures at the RSS peak (V8 heap spaces, external memory), with the server's CPU time
 * per request.
 *
 *   tsx test/perf/mem-load.ts <td_bench_db> [--node="--flag …"] [--only register,get,list]
 *        [--seconds 15] [--warm 5] [--connections 64] [--first <candidate number>] [--runs 1]
 *
 * Registration writes applications to the bench's registration drive, from candidate --first on; a
 * candidate already registered there answers 409, so remove them between runs:
 *   delete from applications where drive_id = '<benchUuid(KIND.drive, DRIVE.registerApi)>'
 * Findings and figures: test/perf/mem-findings.md.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { encodeCursor } from '../../src/http/pagination.js';
import { benchUuid, DRIVE, KIND, quotaNo, urlOf } from './generate.js';
import { createKeys } from './keys.js';
import type { LoadResult, LoadSpec } from './load.js';
import { askProbe, memoryStatus, rssPeakSampler, startProbedServer } from './probed-server.js';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    node: { type: 'string', default: '' },
    only: { type: 'string', default: 'register,get,list' },
    seconds: { type: 'string', default: '15' },
    warm: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
    first: { type: 'string', default: '0' },
    runs: { type: 'string', default: '1' },
  },
});
const db = positionals[0];
if (!db) throw new Error('usage: mem-load.ts <td_bench_db> [--node="flags"] [--only register,get,list] …');
const url = urlOf(db);
const port = 3978;
const probeOut = `/tmp/td-mem-probe-${process.pid}.jsonl`;
const connections = Number(opts.connections);
const log = (s: string) => process.stdout.write(`${s}\n`);

const probe = (pid: number) => askProbe(probeOut, pid);

async function load(spec: LoadSpec): Promise<LoadResult> {
  const file = `/tmp/td-mem-load-${process.pid}.json`;
  await writeFile(file, JSON.stringify(spec));
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'test/perf/load.ts', file], { maxBuffer: 1 << 24 }).toString();
  return JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult;
}

const keys = await createKeys(url, [{ name: 'registrar', role: 'registrar', agencyId: benchUuid(KIND.agency, 0) }]);
const headers = { authorization: `Bearer ${keys.registrar}`, 'content-type': 'application/json' };
const national = benchUuid(KIND.drive, DRIVE.national);
let nextCandidate = Number(opts.first);

for (let run = 0; run < Number(opts.runs); run++) {
  await rm(probeOut, { force: true });
  const nodeArgs = opts.node!.split(/\s+/).filter(Boolean);
  const proc = await startProbedServer({ cwd: process.cwd(), serverJs: 'dist/server.js', databaseUrl: url, port, probeOut, nodeArgs });
  const pid = proc.pid;
  await sleep(2000);
  const rest = await memoryStatus(pid);
  const restProbe = await probe(pid);
  log(`node ${nodeArgs.join(' ')} dist/server.js — at rest: RSS ${rest.rss.toFixed(0)} MiB (anonymous ${rest.anon.toFixed(0)}, files ${rest.file.toFixed(0)}); ${JSON.stringify(restProbe.now)}`);

  const rss = rssPeakSampler(pid);

  const secondsOf = (phase: 'warm' | 'measure') => Number(phase === 'warm' ? opts.warm : opts.seconds);
  /** A GET load over 1,000 applications' paths (other ones for the warm-up). */
  const getLoad = (phase: 'warm' | 'measure', pathOf: (applicationId: string) => string): LoadSpec => ({
    url: `http://127.0.0.1:${port}`,
    method: 'GET',
    connections,
    duration: secondsOf(phase),
    headers,
    paths: Array.from({ length: 1000 }, (_, i) => pathOf(benchUuid(KIND.application, i * 197 + (phase === 'warm' ? 1 : 0)))),
  });
  const scenarios: Record<string, (amount: 'warm' | 'measure') => LoadSpec> = {
    register: (phase) => {
      const seconds = secondsOf(phase);
      // Under 1,500 registrations a second on this machine: bodies enough for the run, each used once.
      const count = seconds * 1_500;
      const from = nextCandidate;
      nextCandidate += count;
      return {
        url: `http://127.0.0.1:${port}`,
        method: 'POST',
        connections,
        duration: seconds,
        headers,
        paths: [`/v1/drives/${benchUuid(KIND.drive, DRIVE.registerApi)}/applications`],
        bodies: Array.from({ length: count }, (_, i) =>
          JSON.stringify({ candidateId: benchUuid(KIND.candidate, from + i), quotaId: benchUuid(KIND.quota, quotaNo(DRIVE.registerApi, (from + i) % 200)) }),
        ),
      };
    },
    get: (phase) => getLoad(phase, (id) => `/v1/applications/${id}`),
    list: (phase) => getLoad(phase, (id) => `/v1/drives/${national}/applications?limit=50&cursor=${encodeCursor({ id })}`),
  };
  for (const name of opts.only!.split(',')) {
    const make = scenarios[name];
    if (!make) throw new Error(`unknown scenario ${name}`);
    await load(make('warm'));
    const cpu0 = (await probe(pid)).cpuMs;
    rss.reset();
    const res = await load(make('measure'));
    const p = await probe(pid);
    const m = await memoryStatus(pid);
    const peak = rss.peak;
    const codes = Object.entries(res.statusCodes).map(([c, n]) => `${c}×${n}`).join(' ');
    log(
      `${name}: RSS peak ${peak.toFixed(0)} MiB (HWM ${m.hwm.toFixed(0)}, now ${m.rss.toFixed(0)}: anonymous ${m.anon.toFixed(0)}, files ${m.file.toFixed(0)}); ${res.requests} requests, ${res.rps.toFixed(0)}/s, p99 ${res.p99} ms, ${codes}; ` +
        `server CPU ${((p.cpuMs - cpu0) / res.requests).toFixed(3)} ms/request, GC ${((p.gcs.scavengeMs + p.gcs.markSweepMs) / res.requests).toFixed(3)} ms/request ${JSON.stringify(p.gcs)}\n  probe at RSS peak ${JSON.stringify(p.atPeak)}\n  max ${JSON.stringify(p.max)} gcs ${JSON.stringify(p.gcs)}${p.afterFullGc ? `\n  after a full GC ${JSON.stringify(p.afterFullGc)}` : ''}`,
    );
  }
  rss.stop();
  proc.kill('SIGTERM');
  await once(proc, 'exit');
}
log(`next candidate: ${nextCandidate}`);
