/*
 * Benchmark: computing the results of a drive of 100,000 applications over 1,000 quotas.
 * Creates a fresh PostgreSQL database, generates the drive set-based (generate_series) with
 * final scores for round 1 (gate, 2 parts) and round 2 (ranking), then times
 * POST /v1/drives/{id}/results/compute through the real app (engine + replacing 100,000 rows).
 *
 *   PERF_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx test/perf/results-100k.ts
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { resolveRuleSet } from '../../src/domain/rule-sets.js';
import { createAgenciesRepository } from '../../src/modules/agencies/agencies.repository.js';
import { createApiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js';
import { createApiKeysService } from '../../src/modules/api-keys/api-keys.service.js';
import { systemActor } from '../../src/modules/audit/audit.writer.js';

const APPLICATIONS = Number(process.env.PERF_APPLICATIONS ?? 100_000);
const QUOTAS = Number(process.env.PERF_QUOTAS ?? 1_000);
const baseUrl = process.env.PERF_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const log = (s: string) => process.stdout.write(`${s}\n`);
const DRIVE = '00000000-0000-7000-8002-000000000001';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type QueryFn = (this: unknown, ...args: unknown[]) => unknown;

/** Times every statement node-postgres sends until stop() (the service's own pool included). */
function timeQueries() {
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  const original = proto.query;
  const statements: { text: string; ms: number }[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : first && typeof first === 'object' && 'text' in first ? String((first as { text: string }).text) : '?';
    const t0 = performance.now();
    const result = original.apply(this, args);
    if (result instanceof Promise) {
      const st = { text, ms: 0 };
      statements.push(st);
      void result.then(
        () => (st.ms = performance.now() - t0),
        () => (st.ms = performance.now() - t0),
      );
    }
    return result;
  };
  return {
    stop() {
      proto.query = original;
      return statements;
    },
  };
}

/**
 * The hand-written limit: nd138 (Decree 138/2020 Art. 8–9) in one statement, as in bench.ts — gate
 * round parts ≥ 50 % of their maximum; ranking round weighted on 100, ≥ 50 raw; rank() per quota
 * by total (raw + priority) then raw; winners within the slots, the rest reserve, failed or absent.
 */
const RANKING_SQL = `
  with r as (select id, ranking, kind from rounds where drive_id = $1),
  gate as (
    select s.application_id, bool_and(not s.absent and s.final_score * 100 >= p.max_score * 50) as passed, bool_and(s.absent) as absent
      from scripts s join parts p on p.id = s.part_id join r on r.id = s.round_id
     where r.kind = 'gate' and not r.ranking group by s.application_id),
  ranked_round as (
    select s.application_id, sum(s.final_score * 100 / p.max_score * p.weight) / sum(p.weight) as raw, bool_or(s.absent) as absent
      from scripts s join parts p on p.id = s.part_id join r on r.id = s.round_id
     where r.ranking group by s.application_id),
  scored as (
    select a.id, a.quota_id, q.slots, coalesce(g.passed, false) as passed, coalesce(g.absent, true) as absent_gate,
           rr.raw, rr.raw + a.priority_points as total
      from applications a join quotas q on q.id = a.quota_id
      left join gate g on g.application_id = a.id left join ranked_round rr on rr.application_id = a.id
     where a.drive_id = $1 and a.status in ('submitted', 'eligible')),
  ranked as (
    select id, rank() over (partition by quota_id order by total desc, raw desc) as rnk
      from scored where passed and raw >= 50)
  select s.id, s.quota_id, k.rnk, s.total, s.raw,
         case when k.rnk is null then case when s.absent_gate then 'absent' else 'failed' end
              when k.rnk <= s.slots then 'winner' else 'reserve' end as outcome
    from scored s left join ranked k on k.id = s.id`;

async function generate(c: pg.Client): Promise<void> {
  const t0 = Date.now();
  const ruleSet = resolveRuleSet('nd138');
  await c.query('begin');
  await c.query(`insert into agencies (id, code, name, name_search, bloc, path) values ('00000000-0000-7000-8000-000000000001', 'PERF', 'Sở Nội vụ', 'so noi vu', 'state', '/00000000-0000-7000-8000-000000000001/')`);
  await c.query(
    `insert into job_positions (id, agency_id, code, name, name_search, staff_category)
     select ('00000000-0000-7000-8001-' || lpad(g::text, 12, '0'))::uuid, '00000000-0000-7000-8000-000000000001', 'VT' || g, 'Chuyên viên ' || g, 'chuyen vien ' || g, 'civil_servant'
     from generate_series(1, $1) g`,
    [QUOTAS],
  );
  await c.query(
    `insert into drives (id, code, name, name_search, kind, staff_category, year, organizing_agency_id, status, rule_set_preset, rule_set, rule_set_frozen_at)
     values ('00000000-0000-7000-8002-000000000001', 'PERF', 'Kỳ tuyển dụng 100k', 'ky tuyen dung 100k', 'recruitment', 'civil_servant', 2025,
             '00000000-0000-7000-8000-000000000001', 'marking', 'nd138', $1::jsonb, now())`,
    [JSON.stringify(ruleSet)],
  );
  await c.query(
    `insert into quotas (id, drive_id, agency_id, job_position_id, year, staff_category, slots)
     select ('00000000-0000-7000-8003-' || lpad(g::text, 12, '0'))::uuid, '00000000-0000-7000-8002-000000000001', '00000000-0000-7000-8000-000000000001',
            ('00000000-0000-7000-8001-' || lpad(g::text, 12, '0'))::uuid, 2025, 'civil_servant', 10
     from generate_series(1, $1) g`,
    [QUOTAS],
  );
  await c.query(
    `insert into candidates (id, full_name, full_name_search, national_id_ciphertext, national_id_index, national_id_masked, birth_date, gender, ethnicity, nationality)
     select ('00000000-0000-7000-8004-' || lpad(g::text, 12, '0'))::uuid, 'Thí sinh ' || g, 'thi sinh ' || g, 'x', 'idx' || g, '001*******' || lpad((g % 100)::text, 2, '0'),
            '1995-01-01', 'male', 'Kinh', 'VN'
     from generate_series(1, $1) g`,
    [APPLICATIONS],
  );
  await c.query(
    `insert into applications (id, drive_id, quota_id, candidate_id, status, priority_points, priority_category, candidate_number)
     select ('00000000-0000-7000-8005-' || lpad(g::text, 12, '0'))::uuid, '00000000-0000-7000-8002-000000000001',
            ('00000000-0000-7000-8003-' || lpad((g % $2 + 1)::text, 12, '0'))::uuid, ('00000000-0000-7000-8004-' || lpad(g::text, 12, '0'))::uuid,
            'eligible', case when g % 10 = 0 then 5 when g % 7 = 0 then 2.5 else 0 end,
            case when g % 10 = 0 then 'officer' when g % 7 = 0 then 'military_service' end, 'TS' || lpad(g::text, 6, '0')
     from generate_series(1, $1) g`,
    [APPLICATIONS, QUOTAS],
  );
  await c.query(`insert into rounds (id, drive_id, "order", code, name, kind, ranking, status) values
    ('00000000-0000-7000-8006-000000000001', '00000000-0000-7000-8002-000000000001', 1, 'round1', 'Vòng 1', 'gate', false, 'revealed'),
    ('00000000-0000-7000-8006-000000000002', '00000000-0000-7000-8002-000000000001', 2, 'round2', 'Vòng 2', 'scored', true, 'revealed')`);
  await c.query(`insert into parts (id, round_id, position, code, name, max_score, weight, written) values
    ('00000000-0000-7000-8007-000000000001', '00000000-0000-7000-8006-000000000001', 1, 'general_knowledge', 'Kiến thức chung', 60, 0, false),
    ('00000000-0000-7000-8007-000000000002', '00000000-0000-7000-8006-000000000001', 2, 'foreign_language', 'Ngoại ngữ', 30, 0, false),
    ('00000000-0000-7000-8007-000000000003', '00000000-0000-7000-8006-000000000002', 1, 'professional', 'Nghiệp vụ', 100, 1, true)`);
  // Scores: round 1 mostly passing; round 2 on one decimal between 30 and 100, so ties happen.
  await c.query(
    `insert into scripts (id, round_id, part_id, application_id, code, status, final_score, final_rule)
     select gen_random_uuid(), p.round_id, p.id, ('00000000-0000-7000-8005-' || lpad(g::text, 12, '0'))::uuid, p.code || '-' || g, 'final',
            case p.code when 'general_knowledge' then 25 + (g::bigint * 7919) % 36
                        when 'foreign_language' then 12 + (g::bigint * 104729) % 19
                        else round((30 + ((g::bigint * 2654435761) % 7001) / 100.0)::numeric, 1) end,
            'direct_import'
     from generate_series(1, $1) g cross join parts p`,
    [APPLICATIONS],
  );
  await c.query('commit');
  await c.query('analyze');
  log(`generated ${APPLICATIONS} applications over ${QUOTAS} quotas (${APPLICATIONS * 3} scripts) in ${Date.now() - t0} ms`);
}

async function main() {
  // PERF_REUSE_DB=<name> times an existing database made by PERF_KEEP_DB=1 (skips generation).
  const reuse = process.env.PERF_REUSE_DB;
  const keep = process.env.PERF_KEEP_DB === '1' || reuse !== undefined;
  const name = reuse ?? `td_perf_${process.pid}_${randomBytes(2).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  if (!reuse) await admin.query(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const database = await openDatabase({ databaseUrl, poolMax: 5 });
  try {
    await runMigrations(database, databaseUrl);
    const c = new pg.Client({ connectionString: databaseUrl });
    c.on('error', () => undefined);
    await c.connect();
    if (!reuse) await generate(c);

    const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl, DATA_KEY: Buffer.alloc(32, 7).toString('base64'), AUDIT_KEY: Buffer.alloc(32, 9).toString('base64'), RATE_LIMIT_MAX: '100000' });
    const app = await buildApp({ config, database });
    await app.ready();
    const keys = createApiKeysService({ db: database.db, repo: createApiKeysRepository(database.db), agencies: createAgenciesRepository(database.db) });
    const key = (await keys.createAs(systemActor('perf'), { name: 'perf', role: 'council', agencyId: null })).key;
    const RUNS = Number(process.env.PERF_RUNS ?? 3);
    const runs: number[] = [];
    const sqlShare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const timing = timeQueries();
      const start = process.hrtime.bigint();
      const res = await app.inject({
        method: 'POST',
        url: `/v1/drives/${DRIVE}/results/compute`,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: '{}',
      });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const statements = timing.stop();
      if (res.statusCode !== 200) throw new Error(`compute: ${res.statusCode} ${res.body.slice(0, 500)}`);
      runs.push(ms);
      const inSql = statements.reduce((n, x) => n + x.ms, 0);
      sqlShare.push(inSql);
      log(`compute run ${i + 1}: ${ms.toFixed(0)} ms (${inSql.toFixed(0)} ms in ${statements.length} statements) — ${JSON.stringify(JSON.parse(res.body).summary)}`);
      if (process.env.PERF_STATEMENTS === '1') {
        for (const x of statements) log(`    ${x.ms.toFixed(1).padStart(8)} ms  ${x.text.replace(/\s+/g, ' ').slice(0, 140)}`);
      }
    }
    const stored = await c.query('select count(*)::int as n from results');

    // The limit: the same ranking in one hand-written statement, written into a temporary table.
    const baseline: number[] = [];
    let rankedRows = 0;
    for (let i = 0; i < RUNS + 1; i++) {
      await c.query('begin');
      const t0 = performance.now();
      const r = await c.query(`create temp table ranked_baseline on commit drop as ${RANKING_SQL}`, [DRIVE]);
      const ms = performance.now() - t0;
      await c.query('commit');
      rankedRows = r.rowCount ?? 0;
      if (i > 0) baseline.push(ms); // the first run warms the cache
    }
    const med = median(runs);
    const base = median(baseline);
    log(`results rows stored: ${stored.rows[0].n}; compute best ${Math.min(...runs).toFixed(0)} ms, median ${med.toFixed(0)} ms (median ${median(sqlShare).toFixed(0)} ms in SQL)`);
    log(`hand-written SQL ranking into a temp table (${rankedRows} rows): median ${base.toFixed(0)} ms; ratio ${(med / base).toFixed(2)}×`);
    log(`load average: ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')} on ${cpus().length} CPUs`);
    await c.end();
    await app.close();
  } finally {
    await database.close().catch(() => undefined);
    if (keep) log(`database kept: PERF_REUSE_DB=${name}`);
    else await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
