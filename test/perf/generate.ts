/*
 * Deterministic benchmark data (not a test): creates a fresh PostgreSQL database, migrates it with
 * the service's own migrator and fills it with set-based SQL.
 *
 *   ./node_modules/.bin/tsx test/perf/generate.ts [--smoke] [--db td_bench_1]
 *
 * What it builds (full scale; --smoke divides by 100):
 * - agencies: one ministry (root) and 99 provincial departments under it; headcount for the year;
 *   20 job positions per agency;
 * - drive 0 "national": 200,000 applications over 2,000 quotas (100 per quota), status marking, rule
 *   set nd138 frozen; round 1 (gate, computer: general knowledge 60 questions, foreign language 30)
 *   and round 2 (ranking, professional /100), both revealed; a script with a final score (and the
 *   marker's mark) for every part every eligible application sat; 1 % absent from round 1;
 * - drives 1–4, open today: registration through the API (1), the same registration as pgbench SQL
 *   (2), CSV import through the API (3) and COPY of the same rows (4); 200 quotas for 1–2, 2,000 for 3–4;
 * - 200,000 candidates (the national drive's), national IDs protected by src/crypto/national-id.ts
 *   exactly as the service stores them. They are also the registration pool for drives 1 and 2.
 *
 * Ids are UUID v7-shaped and a pure function of (kind, n) — see bench_uuid() — so pgbench scripts
 * and load generators can address row n without a lookup table.
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createNationalIdProtector } from '../../src/crypto/national-id.js';
import { openDatabase } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { addDays, localDate } from '../../src/domain/deadlines.js';
import { searchKey } from '../../src/domain/names.js';
import { resolveRuleSet } from '../../src/domain/rule-sets.js';

export const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** A fixed data key: the bench is reproducible and never touches a real key. */
export const BENCH_DATA_KEY = createHash('sha256').update('tuyendung-bench-data-key').digest('base64');
export const BENCH_AUDIT_KEY = createHash('sha256').update('tuyendung-bench-audit-key').digest('base64');

export const KIND = { agency: 1, jobPosition: 2, candidate: 3, quota: 4, application: 5, drive: 6, round: 7, part: 8, script: 9, mark: 10 } as const;

export type Scale = {
  applications: number;
  quotas: number;
  agencies: number;
  /** Quotas of each registration drive (1 and 2). */
  registrationQuotas: number;
};
export const FULL: Scale = { applications: 200_000, quotas: 2_000, agencies: 100, registrationQuotas: 200 };
export const SMOKE: Scale = { applications: 2_000, quotas: 20, agencies: 5, registrationQuotas: 10 };

/** Mirrors bench_uuid() in SQL: 48-bit millisecond time, version 7, the kind, variant 8, then n. */
export function benchUuid(kind: number, n: number): string {
  const h = (1_764_000_000_000 + n).toString(16).padStart(12, '0');
  const m = n.toString(16).padStart(15, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7${kind.toString(16).padStart(3, '0')}-8${m.slice(0, 3)}-${m.slice(3)}`;
}

export const DRIVE = { national: 0, registerApi: 1, registerSql: 2, importApi: 3, importCopy: 4 } as const;
/** Quota number n of drive d (quotas of every drive in one id space). */
export const quotaNo = (drive: number, j: number) => drive * 100_000 + j;

export type BenchData = {
  dbName: string;
  databaseUrl: string;
  dataKey: string;
  scale: Scale;
  year: number;
  rootAgencyId: string;
  driveIds: Record<keyof typeof DRIVE, string>;
  seconds: number;
};

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Minh', 'Thu', 'Đức', 'Ngọc', 'Quang', 'Thanh', 'Xuân', 'Hoài'];
const GIVEN = ['An', 'Anh', 'Ánh', 'Bình', 'Cúc', 'Dũng', 'Giang', 'Hà', 'Hùng', 'Khoa', 'Lan', 'Mai', 'Nam', 'Phương', 'Quỳnh', 'Sơn', 'Trang', 'Yến', 'Tâm', 'Việt'];

/** Person n of the generated population: name, birth date, gender and a valid, unique national ID. */
export function person(n: number) {
  const fullName = `${FAMILY[n % FAMILY.length]} ${MIDDLE[Math.floor(n / 7) % MIDDLE.length]} ${GIVEN[Math.floor(n / 3) % GIVEN.length]}`;
  const year = 1975 + (n % 26);
  const gender = n % 2 === 0 ? 'male' : 'female';
  // CCCD: province 001–096, century/sex digit (0 male, 1 female in the 1900s), yy, then 6 digits:
  // n < 1,000,000 keeps every generated ID unique.
  const nationalId = `${String(1 + (n % 96)).padStart(3, '0')}${gender === 'male' ? 0 : 1}${String(year % 100).padStart(2, '0')}${String(n % 1_000_000).padStart(6, '0')}`;
  const birthDate = `${year}-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
  return { fullName, nameSearch: searchKey(fullName), gender, nationalId, birthDate };
}

const pgArray = (values: (string | null)[]) => `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(',')}}`;

export function urlOf(dbName: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  return url.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function dropDatabase(dbName: string): Promise<void> {
  await admin((c) => c.query(`drop database if exists ${dbName} with (force)`));
}

export async function generate(opts: { smoke: boolean; dbName: string; log?: (s: string) => void }): Promise<BenchData> {
  const log = opts.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const scale = opts.smoke ? SMOKE : FULL;
  const started = Date.now();
  const dbName = opts.dbName;
  if (!/^td_bench_[a-z0-9_]+$/.test(dbName)) throw new Error('the bench database is named td_bench_<n>');
  await dropDatabase(dbName);
  await admin((c) => c.query(`create database ${dbName}`));
  const databaseUrl = urlOf(dbName);

  const database = await openDatabase({ databaseUrl, poolMax: 1 });
  try {
    await runMigrations(database, databaseUrl);
  } finally {
    await database.close();
  }
  log(`  migrated ${dbName} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const q = (text: string, values?: unknown[]) => c.query(text, values);
  const today = localDate(new Date());
  const year = Number(today.slice(0, 4));
  const ruleSet = resolveRuleSet('nd138', {});
  const { applications: N, quotas: Q, agencies: A, registrationQuotas: QR } = scale;
  const P = Q / A; // job positions per agency
  try {
    await q(`create or replace function bench_uuid(kind int, n bigint) returns uuid language sql immutable parallel safe as $$
      select (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || lpad(to_hex(kind), 3, '0') || '-8' || substr(m, 1, 3) || '-' || substr(m, 4, 12))::uuid
        from (select lpad(to_hex(1764000000000 + n), 12, '0') as h, lpad(to_hex(n), 15, '0') as m) x $$`);
    // Set-based statements that are each a few seconds at most: no need for synchronous commit per row.
    await q('set synchronous_commit = off');
    await q('begin');

    // ---- agencies, headcount, job positions ----
    await q(
      `insert into agencies (id, code, name, name_search, bloc, parent_id, path)
       select bench_uuid(${KIND.agency}, 0), 'BNV', 'Bộ Nội vụ', 'bo noi vu', 'state', null, '/' || bench_uuid(${KIND.agency}, 0) || '/'`,
    );
    await q(
      `insert into agencies (id, code, name, name_search, bloc, parent_id, path)
       select bench_uuid(${KIND.agency}, i), 'SNV-' || lpad(i::text, 3, '0'), 'Sở Nội vụ tỉnh ' || i, 'so noi vu tinh ' || i, 'state',
              bench_uuid(${KIND.agency}, 0), '/' || bench_uuid(${KIND.agency}, 0) || '/' || bench_uuid(${KIND.agency}, i) || '/'
         from generate_series(1, $1::int - 1) i`,
      [A],
    );
    await q(
      `insert into headcounts (agency_id, year, staff_category, assigned, filled)
       select bench_uuid(${KIND.agency}, i), $1, 'civil_servant', 1000000, 0 from generate_series(0, $2::int - 1) i`,
      [year, A],
    );
    await q(
      `insert into job_positions (id, agency_id, code, name, name_search, staff_category)
       select bench_uuid(${KIND.jobPosition}, j), bench_uuid(${KIND.agency}, j / $1), 'VT-' || lpad((j % $1)::text, 2, '0'),
              'Chuyên viên ' || (j % $1), 'chuyen vien ' || (j % $1), 'civil_servant'
         from generate_series(0, $2::int - 1) j`,
      [P, Q],
    );

    // ---- drives and quotas ----
    const drives = [
      { n: DRIVE.national, code: 'QG', name: 'Kỳ thi tuyển công chức toàn quốc', status: 'marking', opens: addDays(today, -60), closes: addDays(today, -30), quotas: Q },
      { n: DRIVE.registerApi, code: 'DK-API', name: 'Đăng ký qua API', status: 'open', opens: addDays(today, -1), closes: addDays(today, 29), quotas: QR },
      { n: DRIVE.registerSql, code: 'DK-SQL', name: 'Đăng ký (pgbench)', status: 'open', opens: addDays(today, -1), closes: addDays(today, 29), quotas: QR },
      { n: DRIVE.importApi, code: 'NHAP-API', name: 'Nhập danh sách qua API', status: 'open', opens: addDays(today, -1), closes: addDays(today, 29), quotas: Q },
      { n: DRIVE.importCopy, code: 'NHAP-COPY', name: 'Nhập danh sách (COPY)', status: 'open', opens: addDays(today, -1), closes: addDays(today, 29), quotas: Q },
    ];
    for (const d of drives) {
      await q(
        `insert into drives (id, code, name, name_search, kind, staff_category, year, organizing_agency_id, status, rule_set_preset,
           rule_set_overrides, rule_set, rule_set_frozen_at, registration_opens_on, registration_closes_on, candidate_number_prefix)
         values (bench_uuid(${KIND.drive}, $1), $2, $3, $4, 'recruitment', 'civil_servant', $5, bench_uuid(${KIND.agency}, 0), $6, 'nd138',
           '{}', $7, now(), $8, $9, $10)`,
        [d.n, `${d.code}-${year}`, d.name, searchKey(d.name), year, d.status, JSON.stringify(ruleSet), d.opens, d.closes, d.code === 'QG' ? 'BN' : null],
      );
      // Quota j of a drive: job position j (agency j / P); 1–10 slots.
      await q(
        `insert into quotas (id, drive_id, agency_id, job_position_id, year, staff_category, slots)
         select bench_uuid(${KIND.quota}, $1::int * 100000 + j), bench_uuid(${KIND.drive}, $1), bench_uuid(${KIND.agency}, j / $2),
                bench_uuid(${KIND.jobPosition}, j), $3, 'civil_servant', 1 + j % 10
           from generate_series(0, $4::int - 1) j`,
        [d.n, P, year, d.quotas],
      );
    }
    log(`  agencies ${A}, job positions ${Q}, drives ${drives.length}`);

    // ---- candidates: national IDs protected in Node by the service's own helper, the rest in SQL ----
    const protector = createNationalIdProtector(BENCH_DATA_KEY);
    const CHUNK = 20_000;
    for (let from = 0; from < N; from += CHUNK) {
      const cols: string[][] = [[], [], [], [], [], [], []];
      for (let n = from; n < Math.min(N, from + CHUNK); n++) {
        const p = person(n);
        const prot = protector.protect(p.nationalId);
        cols[0]!.push(p.fullName);
        cols[1]!.push(p.nameSearch);
        cols[2]!.push(prot.ciphertext);
        cols[3]!.push(prot.index);
        cols[4]!.push(prot.masked);
        cols[5]!.push(p.birthDate);
        cols[6]!.push(p.gender);
      }
      await q(
        `insert into candidates (id, full_name, full_name_search, national_id_ciphertext, national_id_index, national_id_masked, birth_date,
           gender, ethnicity, nationality, contacts, priority_claims, registered_by_agency_id)
         select bench_uuid(${KIND.candidate}, $1::int + o - 1), u.fn, u.fs, u.ct, u.ix, u.mk, u.bd::date, u.g,
                case when ($1::int + o) % 40 = 8 then 'Tày' else 'Kinh' end, 'VN',
                jsonb_build_object('email', 'ts' || ($1::int + o - 1) || '@example.vn', 'phone', '09' || lpad(($1::int + o - 1)::text, 8, '0')),
                '[]'::jsonb, bench_uuid(${KIND.agency}, ($1::int + o - 1) % $9)
           from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) with ordinality
                as u(fn, fs, ct, ix, mk, bd, g, o)`,
        [from, ...cols.map(pgArray), A],
      );
    }
    log(`  candidates ${N} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

    // ---- applications of the national drive: 2 % withdrawn, 2 % ineligible, 10 % military service, 2.5 % ethnic minority ----
    await q(
      `insert into applications (id, drive_id, quota_id, candidate_id, choice, status, reasons, priority_claims, priority_category,
         priority_points, candidate_number, registered_by_agency_id, submitted_at, decided_at, withdrawn_at)
       select bench_uuid(${KIND.application}, n), bench_uuid(${KIND.drive}, 0), bench_uuid(${KIND.quota}, n % $1), bench_uuid(${KIND.candidate}, n), 1,
              case when n % 50 = 0 then 'withdrawn' when n % 50 = 1 then 'ineligible' else 'eligible' end,
              case when n % 50 = 1 then '[{"code":"dossier.incomplete","message":"Thiếu văn bằng"}]'::jsonb else '[]'::jsonb end,
              case when n % 40 = 8 then jsonb_build_array(jsonb_build_object('category', 'ethnic_minority', 'evidenceRef', 'GKS-' || n))
                   when n % 10 = 3 then jsonb_build_array(jsonb_build_object('category', 'military_service', 'evidenceRef', 'QĐ-' || n))
                   else '[]'::jsonb end,
              case when n % 40 = 8 then 'ethnic_minority' when n % 10 = 3 then 'military_service' end,
              case when n % 40 = 8 then 5.00 when n % 10 = 3 then 2.50 else 0 end,
              'BN' || lpad((n + 1)::text, 6, '0'), bench_uuid(${KIND.agency}, (n % $1) / $2),
              now() - interval '45 days' + n * interval '10 ms', now() - interval '25 days', case when n % 50 = 0 then now() - interval '28 days' end
         from generate_series(0, $3::int - 1) n`,
      [Q, P, N],
    );
    log(`  applications ${N} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

    // ---- rounds, parts, scripts, marks ----
    await q(
      `insert into rounds (id, drive_id, "order", code, name, kind, ranking, status, locked_at, revealed_at) values
         (bench_uuid(${KIND.round}, 1), bench_uuid(${KIND.drive}, 0), 1, 'round1', 'Vòng 1: thi trắc nghiệm trên máy tính', 'gate', false, 'revealed', now() - interval '10 days', now() - interval '9 days'),
         (bench_uuid(${KIND.round}, 2), bench_uuid(${KIND.drive}, 0), 2, 'round2', 'Vòng 2: thi môn nghiệp vụ chuyên ngành', 'scored', true, 'revealed', now() - interval '3 days', now() - interval '2 days')`,
    );
    await q(
      `insert into parts (id, round_id, position, code, name, max_score, pass_mark, weight, marking_mode, written) values
         (bench_uuid(${KIND.part}, 1), bench_uuid(${KIND.round}, 1), 1, 'general_knowledge', 'Kiến thức chung', 60, null, 0, 'single', false),
         (bench_uuid(${KIND.part}, 2), bench_uuid(${KIND.round}, 1), 2, 'foreign_language', 'Ngoại ngữ', 30, null, 0, 'single', false),
         (bench_uuid(${KIND.part}, 3), bench_uuid(${KIND.round}, 2), 1, 'professional', 'Nghiệp vụ chuyên ngành', 100, null, 1, 'single', false)`,
    );
    // Script n*3 + part-1 of eligible application n; 1 % absent from round 1 (then no round 2 script).
    // Round 1 scores are questions correct (whole numbers); round 2 in hundredths 30.00–99.99.
    await q(
      `insert into scripts (id, round_id, part_id, application_id, code, status, absent, final_score, final_rule)
       select bench_uuid(${KIND.script}, n * 3 + p - 1), bench_uuid(${KIND.round}, case when p = 3 then 2 else 1 end), bench_uuid(${KIND.part}, p),
              bench_uuid(${KIND.application}, n), 'P' || p || lpad(n::text, 7, '0'), 'final', absent,
              case when absent then null
                   when p = 1 then 25 + (hashint8(n * 3) & 2147483647) % 36
                   when p = 2 then 13 + (hashint8(n * 3 + 1) & 2147483647) % 18
                   else (3000 + (hashint8(n * 3 + 2) & 2147483647) % 7000) / 100.0 end,
              case when absent then 'absent' else 'single' end
         from generate_series(0, $1::int - 1) n
        cross join generate_series(1, 3) p
        cross join lateral (select n % 100 = 5 as absent) x
        where n % 50 > 1 and not (p = 3 and n % 100 = 5)`,
      [N],
    );
    await q(
      `insert into marks (id, script_id, slot, score, entered_at)
       select bench_uuid(${KIND.mark}, (('x' || substr(replace(s.id::text, '-', ''), 18, 15))::bit(60))::bigint), s.id, '1', s.final_score, now() - interval '5 days'
         from scripts s where s.final_score is not null`,
    );
    await q('commit');
    log(`  rounds, parts, scripts and marks (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    await q('vacuum (analyze)');
  } catch (err) {
    await q('rollback').catch(() => undefined);
    throw err;
  } finally {
    await c.end();
  }
  const seconds = (Date.now() - started) / 1000;
  log(`  generated in ${seconds.toFixed(1)} s`);
  return {
    dbName,
    databaseUrl,
    dataKey: BENCH_DATA_KEY,
    scale,
    year,
    rootAgencyId: benchUuid(KIND.agency, 0),
    driveIds: {
      national: benchUuid(KIND.drive, DRIVE.national),
      registerApi: benchUuid(KIND.drive, DRIVE.registerApi),
      registerSql: benchUuid(KIND.drive, DRIVE.registerSql),
      importApi: benchUuid(KIND.drive, DRIVE.importApi),
      importCopy: benchUuid(KIND.drive, DRIVE.importCopy),
    },
    seconds,
  };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const { values } = parseArgs({ options: { smoke: { type: 'boolean', default: false }, db: { type: 'string', default: 'td_bench_gen' } } });
  generate({ smoke: values.smoke, dbName: values.db }).then(
    (d) => process.stdout.write(`${JSON.stringify(d, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
