/*
 * Memory timeline probe (investigation helper, preloaded by import-mem.ts --timeline:
 * `node --import ./test/perf/timeline-probe.mjs server.js`): every 100 ms appends one JSON line to
 * TIMELINE_OUT with the time (ms since the probe loaded), RSS, V8 heap used and committed, the
 * main heap spaces, external memory and array buffers (MiB), and the major GCs since the last line
 * with the heap used after each. Not loaded by the server itself.
 */
import { appendFileSync } from 'node:fs';
import process from 'node:process';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { setInterval } from 'node:timers';
import v8 from 'node:v8';

const out = process.env.TIMELINE_OUT ?? '/tmp/td-timeline.jsonl';
const MiB = 2 ** 20;
const r = (n) => Math.round((n / MiB) * 10) / 10;
const t0 = performance.now();
let majors = [];
let scavenges = 0;

new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.detail?.kind === 4) majors.push({ ms: Math.round(e.duration), after: r(process.memoryUsage().heapUsed) });
    else if (e.detail?.kind === 1) scavenges++;
  }
}).observe({ entryTypes: ['gc'] });

setInterval(() => {
  const m = process.memoryUsage();
  const s = Object.fromEntries(v8.getHeapSpaceStatistics().map((x) => [x.space_name, x]));
  const line = {
    t: Math.round(performance.now() - t0),
    rss: r(m.rss),
    used: r(m.heapUsed),
    total: r(m.heapTotal),
    newSpace: r(s.new_space.space_size),
    oldSpace: r(s.old_space.space_size),
    oldUsed: r(s.old_space.space_used_size),
    lo: r(s.large_object_space.space_size + s.new_large_object_space.space_size),
    ext: r(m.external),
    ab: r(m.arrayBuffers),
    scavenges,
    ...(majors.length ? { majors } : {}),
  };
  majors = [];
  appendFileSync(out, `${JSON.stringify(line)}\n`);
}, 100).unref();
