/*
 * Benchmark (not a test): imports 100,000 CSV rows into a running server and reports the time
 * and, when the server's pid is given, its peak memory.
 *
 *   TD_URL=http://127.0.0.1:3999 TD_KEY=<admin key> [TD_SERVER_PID=<pid>] [TD_ROWS=100000] \
 *     ./node_modules/.bin/tsx test/perf/import-100k.ts
 *
 * It sets up its own agency, job position, drive (registration window around today) and quota
 * through the API, writes the CSV to a temporary file, and streams it to
 * POST /v1/drives/{id}/applications/import.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { addDays, localDate } from '../../src/domain/deadlines.js';

const baseUrl = process.env.TD_URL ?? 'http://127.0.0.1:3999';
const key = process.env.TD_KEY;
const rows = Number(process.env.TD_ROWS ?? 100_000);
const serverPid = process.env.TD_SERVER_PID;
if (!key) throw new Error('TD_KEY (an admin API key) is required');

async function api(method: string, p: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}${p}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function must(method: string, p: string, body: unknown, expected: number): Promise<Record<string, unknown>> {
  const res = await api(method, p, body);
  if (res.status !== expected) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Minh', 'Thu', 'Đức', 'Ngọc', 'Quang'];
const GIVEN = ['An', 'Anh', 'Ánh', 'Bình', 'Cúc', 'Dũng', 'Giang', 'Hà', 'Hùng', 'Khoa', 'Lan', 'Mai', 'Nam', 'Phương', 'Quỳnh', 'Sơn', 'Trang', 'Yến'];

async function writeCsv(file: string, quotaId: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('\uFEFFfullName,nationalId,birthDate,gender,ethnicity,nationality,email,phone,address,quotaId,priorityCategory,evidenceRef\r\n');
  const seed = randomBytes(2).readUInt16BE(0);
  for (let i = 0; i < rows; i++) {
    const name = `${FAMILY[i % FAMILY.length]} ${MIDDLE[(i >> 3) % MIDDLE.length]} ${GIVEN[(i * 7) % GIVEN.length]}`;
    const province = String(1 + ((i + seed) % 96)).padStart(3, '0');
    const yy = 70 + ((i >> 4) % 30);
    const nationalId = `${province}${i % 2}${yy}${String((i * 9973 + seed) % 1_000_000).padStart(6, '0')}`;
    const birth = `19${yy}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    const priority = i % 10 === 0 ? 'military_service,QĐ-' + i : ',';
    const line = `${name},${nationalId},${birth},${i % 2 ? 'female' : 'male'},Kinh,VN,ts${i}@example.vn,09${String(i).padStart(8, '0')},"Số ${i}, phố Huế, Hà Nội",${quotaId},${priority}\r\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function memoryOf(pid: string): Promise<{ rssKb: number; hwmKb: number } | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return null;
  }
}

async function main() {
  const today = localDate(new Date());
  const agency = await must('POST', '/v1/agencies', { code: `PERF-${randomBytes(3).toString('hex')}`, name: 'Sở Nội vụ (đo tải)', bloc: 'state' }, 201);
  await must('PUT', `/v1/agencies/${agency.id}/headcount/${today.slice(0, 4)}`, { categories: [{ staffCategory: 'civil_servant', assigned: 1000, filled: 0 }] }, 200);
  const jp = await must('POST', '/v1/job-positions', { agencyId: agency.id, code: `VT-${randomBytes(3).toString('hex')}`, name: 'Chuyên viên', staffCategory: 'civil_servant' }, 201);
  const drive = await must(
    'POST',
    '/v1/drives',
    {
      code: `PERF-${randomBytes(3).toString('hex')}`,
      name: 'Kỳ tuyển dụng đo tải',
      kind: 'recruitment',
      staffCategory: 'civil_servant',
      year: Number(today.slice(0, 4)),
      organizingAgencyId: agency.id,
      ruleSet: { preset: 'nd138', overrides: {}, use: 'historical', reason: 'Recomputing a Decree 138/2020 drive' },
      planApprovedOn: '2025-01-15',
      registrationOpensOn: addDays(today, -1),
      registrationClosesOn: addDays(today, 29),
    },
    201,
  );
  const quota = await must('POST', `/v1/drives/${drive.id}/quotas`, { agencyId: agency.id, jobPositionId: jp.id, slots: 100 }, 201);
  await must('POST', `/v1/drives/${drive.id}/transitions`, { to: 'open' }, 200);

  const file = path.join(tmpdir(), `td-perf-${process.pid}.csv`);
  await writeCsv(file, String(quota.id));
  const size = (await stat(file)).size;
  process.stdout.write(`CSV: ${rows} rows, ${(size / 1_048_576).toFixed(1)} MiB\n`);

  const before = serverPid ? await memoryOf(serverPid) : null;
  let peakRss = before?.rssKb ?? 0;
  const sampler = serverPid
    ? setInterval(() => {
        void memoryOf(serverPid).then((m) => {
          if (m && m.rssKb > peakRss) peakRss = m.rssKb;
        });
      }, 100)
    : undefined;

  const started = process.hrtime.bigint();
  const url = new URL(`/v1/drives/${drive.id}/applications/import`, baseUrl);
  const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv; charset=utf-8', 'content-length': size, 'idempotency-key': `perf-${drive.id}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sampler) clearInterval(sampler);
  await rm(file, { force: true });

  const parsed = JSON.parse(response.body) as { summary?: unknown; code?: string };
  process.stdout.write(`HTTP ${response.status}; summary ${JSON.stringify(parsed.summary ?? parsed)}\n`);
  process.stdout.write(`Elapsed: ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s); response ${(response.body.length / 1_048_576).toFixed(1)} MiB\n`);
  if (serverPid) {
    const after = await memoryOf(serverPid);
    process.stdout.write(
      `Server RSS before ${Math.round((before?.rssKb ?? 0) / 1024)} MiB, sampled peak ${Math.round(peakRss / 1024)} MiB, ` +
        `VmHWM (lifetime peak) ${Math.round((after?.hwmKb ?? 0) / 1024)} MiB\n`,
    );
  } else {
    process.stdout.write('Set TD_SERVER_PID to report the server’s peak memory.\n');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
