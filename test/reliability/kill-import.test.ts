import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import supertest from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATA_KEY, TEST_AUDIT_KEY, type TestApp } from '../helpers/app.js';
import { TEST_DATABASE_URL, databaseUrlFor, onPostgres } from '../helpers/env.js';
import { exited, freePort, startServer } from '../helpers/server-process.js';
import { createOpenDriveNow } from '../factories/candidates.js';

const ROWS = 100_000;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function writeCsv(file: string, quotaId: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('\uFEFFfullName,nationalId,birthDate,gender,ethnicity,nationality,quotaId\r\n');
  const family = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi'];
  const given = ['An', 'Ánh', 'Bình', 'Cúc', 'Dũng', 'Giang', 'Hà', 'Yến'];
  for (let i = 0; i < ROWS; i++) {
    const province = String(1 + (i % 96)).padStart(3, '0');
    const yy = 70 + ((i >> 4) % 30);
    // 9973 is coprime with 10^6: the six trailing digits never repeat below a million rows.
    const nationalId = `${province}${i % 2}${yy}${String((i * 9973) % 1_000_000).padStart(6, '0')}`;
    const line = `${family[i % 8]} Văn ${given[(i >> 3) % 8]},${nationalId},19${yy}-0${1 + (i % 9)}-1${i % 9},${i % 2 ? 'female' : 'male'},Kinh,VN,${quotaId}\r\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

describe.skipIf(!onPostgres)('server killed in the middle of a 100,000-row import', () => {
  it('when the process is SIGKILLed mid-import and the client retries with the same Idempotency-Key, then every row exists exactly once', async () => {
    const name = `td_${process.pid}_kill`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    cleanups.push(async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    });
    const url = databaseUrlFor(name);
    const env = { DATABASE_URL: url, DATA_KEY: TEST_DATA_KEY, AUDIT_KEY: TEST_AUDIT_KEY, IDEMPOTENCY_LEASE_MS: '3000', RATE_LIMIT_MAX: '100000', WEBHOOK_WORKER: 'false' };
    const key = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'create', '--role', 'admin', '--name', 'kill'], {
      env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    })
      .toString()
      .trim()
      .split('\n')
      .pop()!;
    const port = await freePort();
    let server = await startServer(env, port);
    cleanups.push(async () => void server.proc.kill('SIGKILL'));
    const client = { http: supertest(server.base), adminKey: key } as unknown as TestApp;
    const { driveId, quotaId } = await createOpenDriveNow(client, { slots: 50 });

    const dir = await mkdtemp(path.join(tmpdir(), 'td-kill-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'rows.csv');
    await writeCsv(file, quotaId);
    const idempotencyKey = `import-${driveId}`;
    const post = () =>
      fetch(`${server.base}/v1/drives/${driveId}/applications/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv', 'idempotency-key': idempotencyKey },
        body: Readable.toWeb(createReadStream(file)) as ReadableStream,
        duplex: 'half',
      } as RequestInit);

    const db = new pg.Client({ connectionString: url });
    await db.connect();
    cleanups.push(() => db.end());
    const count = async () => (await db.query<{ n: number }>('select count(*)::int as n from applications where drive_id = $1', [driveId])).rows[0]!.n;

    const first = post().catch((err: unknown) => err);
    // Kill once some batches have committed and many are still to come.
    let before = 0;
    for (let i = 0; i < 600 && before < 5_000; i++) {
      await new Promise((r) => setTimeout(r, 100));
      before = await count();
    }
    expect(before).toBeGreaterThan(0);
    server.proc.kill('SIGKILL');
    await exited(server.proc);
    expect(await first).toBeInstanceOf(Error);
    const atKill = await count();
    expect(atKill).toBeLessThan(ROWS);

    server = await startServer(env, port);
    let res: Response | undefined;
    for (let attempt = 0; attempt < 40; attempt++) {
      res = await post();
      if (res.status !== 409) break;
      const body = (await res.json()) as { code: string };
      expect(body.code).toBe('idempotency.in_progress');
      await new Promise((r) => setTimeout(r, 1000 * Number(res!.headers.get('retry-after') ?? 1)));
    }
    expect(res!.status).toBe(200);
    const report = (await res!.json()) as { summary: { rows: number; created: number; exists: number; errors: number } };
    expect(report.summary.rows).toBe(ROWS);
    expect(report.summary.errors).toBe(0);
    expect(report.summary.created + report.summary.exists).toBe(ROWS);
    expect(report.summary.exists).toBeGreaterThanOrEqual(atKill);

    const { rows } = await db.query<{ apps: number; candidates: number; all_candidates: number }>(
      `select count(*)::int as apps, count(distinct candidate_id)::int as candidates,
              (select count(*)::int from candidates) as all_candidates
         from applications where drive_id = $1`,
      [driveId],
    );
    expect(rows[0]).toEqual({ apps: ROWS, candidates: ROWS, all_candidates: ROWS });

    // A further retry replays the stored answer; nothing is imported twice.
    const replay = await post();
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await count()).toBe(ROWS);
    server.proc.kill('SIGTERM');
    await exited(server.proc);
  }, 300_000);
});
