/*
 * Investigation helper (not part of the bench): starts the built server (`npm run build` first) with `node --cpu-prof` on a
 * generated bench database, drives 10 s of load at 16 connections, stops it, and leaves the CPU
 * profile in /tmp/td-cpu-profile (open it in Chrome DevTools or summarise it by function).
 *
 *   tsx test/perf/profile-server.ts <td_bench_db> register|get|list [first candidate number]
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeCursor } from '../../src/http/pagination.js';
import { BENCH_AUDIT_KEY, BENCH_DATA_KEY, benchUuid, DRIVE, KIND, quotaNo, urlOf } from './generate.js';
import { createKeys } from './keys.js';

const [db, mode = 'register', first = '0'] = process.argv.slice(2);
if (!db) throw new Error('usage: profile-server.ts <td_bench_db> register|get|list [first candidate number]');
const url = urlOf(db);
const port = 3977;
const keys = await createKeys(url, [{ name: 'registrar', role: 'registrar', agencyId: benchUuid(KIND.agency, 0) }]);
const proc = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/td-cpu-profile', 'dist/server.js'], {
  env: { ...process.env, DATABASE_URL: url, DATA_KEY: BENCH_DATA_KEY, AUDIT_KEY: BENCH_AUDIT_KEY, PORT: String(port), LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '100000000' },
  stdio: 'inherit',
});
for (;;) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
  } catch {
    // not listening yet
  }
  await sleep(100);
}
const national = benchUuid(KIND.drive, DRIVE.national);
const paths =
  mode === 'register'
    ? [`/v1/drives/${benchUuid(KIND.drive, DRIVE.registerApi)}/applications`]
    : Array.from({ length: 1000 }, (_, i) =>
        mode === 'list'
          ? `/v1/drives/${national}/applications?limit=50&cursor=${encodeCursor({ id: benchUuid(KIND.application, i * 97) })}`
          : `/v1/applications/${benchUuid(KIND.application, i * 97)}`,
      );
const bodies =
  mode === 'register'
    ? Array.from({ length: 60_000 }, (_, i) =>
        JSON.stringify({ candidateId: benchUuid(KIND.candidate, Number(first) + i), quotaId: benchUuid(KIND.quota, quotaNo(DRIVE.registerApi, i % 200)) }),
      )
    : undefined;
await writeFile(
  '/tmp/td-profile-load.json',
  JSON.stringify({
    url: `http://127.0.0.1:${port}`,
    method: mode === 'register' ? 'POST' : 'GET',
    connections: 16,
    duration: 10,
    headers: { authorization: `Bearer ${keys.registrar}`, 'content-type': 'application/json' },
    paths,
    ...(bodies ? { bodies } : {}),
  }),
);
process.stdout.write(execFileSync(process.execPath, ['--import', 'tsx', 'test/perf/load.ts', '/tmp/td-profile-load.json']).toString());
proc.kill('SIGTERM');
await new Promise((resolve) => proc.once('exit', resolve));
