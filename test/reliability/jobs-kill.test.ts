import { execFileSync } from 'node:child_process';
import pg from 'pg';
import supertest from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { bearer, TEST_AUDIT_KEY, TEST_DATA_KEY, type TestApp } from '../helpers/app.js';
import { TEST_DATABASE_URL, databaseUrlFor, onPostgres } from '../helpers/env.js';
import { exited, freePort, startServer } from '../helpers/server-process.js';
import { createOpenDriveNow } from '../factories/candidates.js';
import { importAsJob, importCsv, waitForJob } from '../factories/jobs.js';
import { openDriveWithQuotas, registerAll, round2, scoredRound, toMarking } from '../factories/results.js';

/*
 * A job survives the death of its instance (issue 18, item 1): the lease it held lapses and another
 * instance takes it over. A non-atomic import resumes after its last committed batch (the batches'
 * results were kept in their own transactions); a computation starts again from scratch, its write
 * transaction having died with the process (nothing half-written).
 */
const ROWS = 30_000;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function freshServerDatabase(tag: string) {
  const name = `td_${process.pid}_jobs_${tag}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  cleanups.push(async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  const url = databaseUrlFor(name);
  // A short lease: the surviving instance takes the job over soon after the kill.
  const env = {
    DATABASE_URL: url,
    DATA_KEY: TEST_DATA_KEY,
    AUDIT_KEY: TEST_AUDIT_KEY,
    RATE_LIMIT_MAX: '100000',
    WEBHOOK_WORKER: 'false',
    JOBS_LEASE_MS: '1500',
    JOBS_POLL_INTERVAL_MS: '100',
  };
  // The migrations run as the key is created.
  const key = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'create', '--role', 'admin', '--name', 'jobs-kill'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
  })
    .toString()
    .trim()
    .split('\n')
    .pop()!;
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  cleanups.push(() => db.end());
  return { env, key, db };
}

describe.skipIf(!onPostgres)('a job whose instance is SIGKILLed', () => {
  it('when the instance running a non-atomic import dies, then another takes the job over and resumes after the last committed batch: every row written once', async () => {
    const { env, key, db } = await freshServerDatabase('import');
    const port = await freePort();
    let server = await startServer(env, port);
    cleanups.push(async () => void server.proc.kill('SIGKILL'));
    const client = { http: supertest(server.base), adminKey: key } as unknown as TestApp;
    const { driveId, quotaId } = await createOpenDriveNow(client, { slots: 50 });
    const started = await importAsJob(client, driveId, importCsv(quotaId, ROWS));
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const jobId = started.body.id as string;

    // Kill once a few batches have committed and many are still to come.
    let done = 0;
    for (let i = 0; i < 1200 && done < 4000; i++) {
      await new Promise((r) => setTimeout(r, 50));
      done = (await db.query<{ done: number }>('select done from jobs where id = $1', [jobId])).rows[0]!.done;
    }
    expect(done).toBeGreaterThanOrEqual(4000);
    server.proc.kill('SIGKILL');
    await exited(server.proc);
    const committed = (await db.query<{ first_row: number }>('select first_row from job_batches where job_id = $1 order by first_row', [jobId])).rows.map((r) => r.first_row);
    const atKill = (await db.query<{ n: number }>('select count(*)::int as n from applications where drive_id = $1', [driveId])).rows[0]!.n;
    expect(committed.length).toBeGreaterThan(0);
    // Each committed batch wrote its 2,000 rows and its results in one transaction: nothing half-written.
    expect(atKill).toBe(committed.length * 2000);
    expect(atKill).toBeLessThan(ROWS);
    expect((await db.query<{ state: string }>('select state from jobs where id = $1', [jobId])).rows[0]!.state).toBe('running');

    server = await startServer(env, port);
    const after = { http: supertest(server.base), adminKey: key } as unknown as TestApp;
    const job = await waitForJob(after, jobId, key);
    expect(job.state).toBe('succeeded');
    expect(job.attempts).toBe(2);
    // Resumed, not redone: a committed batch run again would report its rows as `exists`.
    expect(job.result).toEqual({ summary: { rows: ROWS, created: ROWS, exists: 0, errors: 0 } });
    const { rows } = await db.query<{ apps: number; candidates: number }>(
      'select count(*)::int as apps, count(distinct candidate_id)::int as candidates from applications where drive_id = $1',
      [driveId],
    );
    expect(rows[0]).toEqual({ apps: ROWS, candidates: ROWS });
    // One audit event per batch, as in one uninterrupted run.
    const events = await db.query<{ n: number }>("select count(*)::int as n from audit_events where drive_id = $1 and action = 'applications.imported'", [driveId]);
    expect(events.rows[0]!.n).toBe(ROWS / 2000);
    server.proc.kill('SIGTERM');
    await exited(server.proc);
  }, 300_000);

  it('when the instance dies inside a computation’s write transaction, then nothing of it is written, and another instance computes again from scratch', async () => {
    const { env, key, db } = await freshServerDatabase('compute');
    const port = await freePort();
    let server = await startServer(env, port);
    cleanups.push(async () => void server.proc.kill('SIGKILL'));
    const client = { http: supertest(server.base), adminKey: key } as unknown as TestApp;
    const { driveId, quotaIds } = await openDriveWithQuotas(client, { preset: 'nd138', slots: [1] });
    const apps = await registerAll(client, driveId, [
      { fullName: 'Đỗ Văn An', quotaId: quotaIds[0]! },
      { fullName: 'Đỗ Thị Bình', quotaId: quotaIds[0]! },
    ]);
    await toMarking(client, driveId);
    await scoredRound(client, driveId, round2(), apps.map((a, i) => ({ applicationId: a.applicationId, partCode: 'professional', score: ['81.00', '64.00'][i]! })));

    // Hold the drive's row: the computation's write transaction (it locks the drive first) waits there.
    const holder = new pg.Client({ connectionString: env.DATABASE_URL });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('begin');
    await holder.query('select 1 from drives where id = $1 for update', [driveId]);
    const started = await client.http.post(`/v1/drives/${driveId}/results/compute`).set(bearer(key)).set('prefer', 'respond-async').send({});
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const jobId = started.body.id as string;
    for (let i = 0; i < 600; i++) {
      const waiting = await db.query(
        "select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and application_name = 'tuyendung'",
      );
      if (waiting.rowCount) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await db.query<{ state: string }>('select state from jobs where id = $1', [jobId])).rows[0]!.state).toBe('running');
    server.proc.kill('SIGKILL');
    await exited(server.proc);
    await holder.query('rollback');
    expect((await db.query('select 1 from results where drive_id = $1', [driveId])).rowCount).toBe(0);
    expect((await db.query<{ status: string }>('select status from drives where id = $1', [driveId])).rows[0]!.status).toBe('marking');

    server = await startServer(env, port);
    const after = { http: supertest(server.base), adminKey: key } as unknown as TestApp;
    const job = await waitForJob(after, jobId, key);
    expect(job.state).toBe('succeeded');
    expect(job.attempts).toBe(2);
    expect(job.result).toMatchObject({ dryRun: false, driveStatus: 'results_computed' });
    expect((await db.query('select 1 from results where drive_id = $1', [driveId])).rowCount).toBe(2);
    const computed = await db.query<{ n: number }>("select count(*)::int as n from audit_events where drive_id = $1 and action = 'results.computed'", [driveId]);
    expect(computed.rows[0]!.n).toBe(1);
    server.proc.kill('SIGTERM');
    await exited(server.proc);
  }, 300_000);
});
