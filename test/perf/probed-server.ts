/*
 * The memory investigation helpers' common parts (mem-load.ts, import-mem.ts): the built server
 * started with the probe of mem-probe.mjs preloaded and the bench's environment, /proc readings of
 * its memory, the probe's answers, and an RSS peak sampled every 100 ms (as bench.ts samples it).
 */
import { type ChildProcess, spawn, type StdioOptions } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_AUDIT_KEY, BENCH_DATA_KEY } from './generate.js';

/** Resident memory of a process in MiB, from /proc/<pid>/status. */
export async function memoryStatus(pid: number) {
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (f: string) => Number(new RegExp(`${f}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
}

/** What mem-probe.mjs writes when it gets SIGWINCH. */
export type ProbeAnswer = Record<string, unknown> & {
  cpuMs: number;
  gcs: Record<string, number> & { scavengeMs: number; markSweepMs: number };
  atPeak: Record<string, unknown>;
  max: Record<string, number>;
};

/** Asks the server's probe for its figures (SIGWINCH) and waits for the line it appends to `probeOut`. */
export async function askProbe(probeOut: string, pid: number): Promise<ProbeAnswer> {
  const before = (await readFile(probeOut, 'utf8').catch(() => '')).length;
  process.kill(pid, 'SIGWINCH');
  for (;;) {
    await sleep(50);
    const text = await readFile(probeOut, 'utf8').catch(() => '');
    if (text.length > before) return JSON.parse(text.slice(before).trim()) as ProbeAnswer;
  }
}

export type ProbedServerOptions = {
  cwd: string;
  /** The bundle to run (dist/server.js or another build of it). */
  serverJs: string;
  databaseUrl: string;
  port: number;
  probeOut: string;
  /** V8 flags and other node options, before the preloads. */
  nodeArgs?: readonly string[];
  /** Modules preloaded after mem-probe.mjs. */
  imports?: readonly string[];
  env?: Record<string, string>;
  stdio?: StdioOptions;
};

/** Starts the server as bench.ts does, with mem-probe.mjs preloaded, and resolves once /readyz answers 200. */
export async function startProbedServer(o: ProbedServerOptions): Promise<ChildProcess & { pid: number }> {
  const preloads = ['./test/perf/mem-probe.mjs', ...(o.imports ?? [])].flatMap((m) => ['--import', m]);
  const proc = spawn(process.execPath, [...(o.nodeArgs ?? []), ...preloads, o.serverJs], {
    cwd: o.cwd,
    env: {
      ...process.env,
      DATABASE_URL: o.databaseUrl,
      DATA_KEY: BENCH_DATA_KEY,
      AUDIT_KEY: BENCH_AUDIT_KEY,
      PORT: String(o.port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '100000000',
      CONNECTION_TIMEOUT_MS: '120000',
      MEM_PROBE_OUT: o.probeOut,
      ...o.env,
    },
    stdio: o.stdio ?? ['ignore', 'ignore', 'ignore'],
  });
  for (;;) {
    if (proc.exitCode !== null) throw new Error('server exited early');
    try {
      if ((await fetch(`http://127.0.0.1:${o.port}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  return proc as ChildProcess & { pid: number };
}

/** The process's RSS sampled every 100 ms: the highest value since the start or the last reset. */
export function rssPeakSampler(pid: number) {
  let peak = 0;
  const timer = setInterval(() => {
    void memoryStatus(pid)
      .then((m) => {
        if (m.rss > peak) peak = m.rss;
      })
      .catch(() => undefined);
  }, 100);
  return {
    get peak() {
      return peak;
    },
    reset() {
      peak = 0;
    },
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
