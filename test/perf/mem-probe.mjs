/*
 * Memory probe preloaded into the server by mem-load.ts (`node --import ./test/perf/mem-probe.mjs dist/server.js`):
 * every 50 ms it reads process.memoryUsage() and V8's heap spaces and keeps, since the last reset, the
 * sample with the highest RSS and the highest value of each field. SIGWINCH (close-with-grace shuts down on SIGUSR2) writes that summary as one
 * JSON line to MEM_PROBE_OUT and starts a new window; with --expose-gc it then collects and adds what
 * the heap holds afterwards (retained, as opposed to garbage not yet collected). Not loaded by the server itself.
 */
import { appendFileSync } from 'node:fs';
import process from 'node:process';
import { setInterval } from 'node:timers';
import v8 from 'node:v8';

const out = process.env.MEM_PROBE_OUT ?? '/tmp/td-mem-probe.jsonl';
const MiB = 2 ** 20;
const r = (n) => Math.round((n / MiB) * 10) / 10;
let atPeak = null;
let max = {};
let gcs = { scavenge: 0, markSweep: 0, scavengeMs: 0, markSweepMs: 0 };

function sample() {
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, r(s.space_size)]));
  const s = { rss: r(m.rss), heapTotal: r(m.heapTotal), heapUsed: r(m.heapUsed), external: r(m.external), arrayBuffers: r(m.arrayBuffers), spaces };
  if (!atPeak || s.rss > atPeak.rss) atPeak = s;
  for (const k of ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers']) max[k] = Math.max(max[k] ?? 0, s[k]);
  for (const [k, v] of Object.entries(spaces)) max[k] = Math.max(max[k] ?? 0, v);
  return s;
}
setInterval(sample, 50).unref();

const { PerformanceObserver } = await import('node:perf_hooks');
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = e.detail?.kind;
    if (kind === 1) {
      gcs.scavenge++;
      gcs.scavengeMs += e.duration;
    } else if (kind === 4) {
      gcs.markSweep++;
      gcs.markSweepMs += e.duration;
    } else if (kind === 8) {
      gcs.markSweepMs += e.duration; // incremental marking steps
    }
  }
}).observe({ entryTypes: ['gc'] });

process.on('SIGWINCH', () => {
  const now = sample();
  const cpu = process.cpuUsage();
  // With --expose-gc: what stays after a full collection (retained) versus what was garbage.
  let afterFullGc;
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    const m = process.memoryUsage();
    afterFullGc = { rss: r(m.rss), heapTotal: r(m.heapTotal), heapUsed: r(m.heapUsed), external: r(m.external) };
  }
  gcs.scavengeMs = Math.round(gcs.scavengeMs);
  gcs.markSweepMs = Math.round(gcs.markSweepMs);
  appendFileSync(out, `${JSON.stringify({ now, atPeak, max, gcs, afterFullGc, cpuMs: Math.round((cpu.user + cpu.system) / 1000) })}\n`);
  atPeak = null;
  max = {};
  gcs = { scavenge: 0, markSweep: 0, scavengeMs: 0, markSweepMs: 0 };
});
