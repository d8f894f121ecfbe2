/*
 * Peak memory of the server while N XLSX (or CSV) exports of one drive run at once (issue 12 item 10).
 * Generates the smoke-scale bench database (test/perf/generate.ts), adds ROWS applications to its
 * national drive in SQL, starts the real server (src/server.ts), fires N exports, and reports the server's peak RSS (VmHWM) and each download's size/time.
 *
 *   npx tsx test/perf/export-mem.ts   (PostgreSQL at BENCH_ADMIN_URL, as test/perf/generate.ts)
 *   env: ROWS (default 50000), N (8), FORMAT (xlsx|csv), SLOW_MS (readers pause this long after the first bytes, default 0)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { dropDatabase, generate } from './generate.js';
import { freePort, startServer } from '../helpers/server-process.js';

const ROWS = Number(process.env.ROWS ?? 50_000);
const N = Number(process.env.N ?? 8);
const FORMAT = process.env.FORMAT ?? 'xlsx';
const SLOW_MS = Number(process.env.SLOW_MS ?? 0);
const data = await generate({ smoke: true, dbName: `td_bench_export_mem_${process.pid}` });
const driveId = data.driveIds.national;
const env = { DATABASE_URL: data.databaseUrl, DATA_KEY: data.dataKey, RATE_LIMIT_MAX: '100000', WEBHOOK_WORKER: 'false', EXPORT_MAX_PER_KEY: '50', EXPORT_MAX_TOTAL: '50' };
const server = await startServer(env, await freePort());
try {
  const key = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'create', '--role', 'admin', '--name', 'mem'], { env: { ...process.env, ...env, LOG_LEVEL: 'silent' } })
    .toString()
    .trim()
    .split('\n')
    .pop()!;
  const db = new pg.Client({ connectionString: data.databaseUrl });
  await db.connect();
  const quotaId = (await db.query('select id from quotas where drive_id = $1 limit 1', [driveId])).rows[0].id as string;
  await db.query(
    `with c as (
       insert into candidates (id, full_name, full_name_search, national_id_ciphertext, national_id_index, national_id_masked, birth_date, gender, ethnicity, nationality)
       select gen_random_uuid(), 'Nguyễn Thị Hoa ' || g, 'nguyen thi hoa ' || g, 'x', 'mem-' || g, '001******' || lpad((g % 1000)::text, 3, '0'), '1990-01-01', 'female', 'Kinh', 'VN'
         from generate_series(1, ${ROWS}) g returning id)
     insert into applications (id, drive_id, quota_id, candidate_id, status) select gen_random_uuid(), $1, $2, c.id, 'eligible' from c`,
    [driveId, quotaId],
  );
  await db.end();
  const hwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'))?.[1]) / 1024;
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'))?.[1]) / 1024;
  const before = rss();
  const accept = FORMAT === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
  const t0 = Date.now();
  const results = await Promise.all(
    Array.from({ length: N }, async () => {
      const res = await fetch(`${server.base}/v1/drives/${driveId}/applications/export`, { headers: { authorization: `Bearer ${key}`, accept } });
      const reader = res.body!.getReader();
      let bytes = 0;
      let first = true;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        if (first && SLOW_MS > 0) await sleep(SLOW_MS);
        first = false;
      }
      return { status: res.status, bytes, ms: Date.now() - t0 };
    }),
  );
  process.stdout.write(
    JSON.stringify({ rows: ROWS, n: N, format: FORMAT, slowMs: SLOW_MS, rssBeforeMiB: Math.round(before), peakRssMiB: Math.round(hwm()), results }, null, 1) + '\n',
  );
} finally {
  server.proc.kill('SIGKILL');
  await sleep(500);
  await dropDatabase(data.dbName);
}
