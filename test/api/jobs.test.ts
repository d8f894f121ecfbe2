import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { createOpenDriveNow } from '../factories/candidates.js';
import { importAsJob, importCsv, waitForJob, type JobBody } from '../factories/jobs.js';
import { computeOk, openDriveWithQuotas, registerAll, round2, scoredRound, toMarking } from '../factories/results.js';
import { createWebhook } from '../factories/webhooks.js';

/*
 * Long work as jobs (issue 18, item 1): `Prefer: respond-async` → 202 + Location /v1/jobs/{id}.
 * `t` runs jobs; `q` only queues them (JOBS_WORKER=false), so that queued jobs stay queued.
 */
let t: TestApp;
let q: TestApp;
const receivers: Receiver[] = [];
beforeAll(async () => {
  t = await setupApp({ env: { JOBS_POLL_INTERVAL_MS: '50', JOBS_EVENTS_INTERVAL_MS: '20', WEBHOOK_POLL_INTERVAL_MS: '20' } });
  q = await setupApp({ env: { JOBS_WORKER: 'false', JOBS_MAX_PER_KEY: '2', JOBS_TTL_MS: '6000', JOBS_POLL_INTERVAL_MS: '50' } });
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await t?.close();
  await q?.close();
});

const keyIdOf = async (app: TestApp, key: string) => {
  const { hashApiKey } = await import('../../src/modules/api-keys/api-keys.crypto.js');
  return (await app.sql<{ id: string }>('select id from api_keys where key_hash = $1', [hashApiKey(key)]))[0]!.id;
};

/** A drive in marking with one quota and scored candidates: ready to compute. */
async function examined(scores: string[]) {
  const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd138', slots: [1] });
  const apps = await registerAll(
    t,
    driveId,
    scores.map((_, i) => ({ fullName: `Đỗ Văn Thí Sinh ${String.fromCharCode(65 + i)}`, quotaId: quotaIds[0]! })),
  );
  await toMarking(t, driveId);
  await scoredRound(t, driveId, round2(), apps.map((a, i) => ({ applicationId: a.applicationId, partCode: 'professional', score: scores[i]! })));
  return { driveId, apps };
}

describe('each long request as a job (Prefer: respond-async)', () => {
  it('when an import is sent with Prefer: respond-async, then 202 with Location, and polling reaches succeeded with the summary and the full report', async () => {
    const key = await t.keyFor('registrar');
    const d = await createOpenDriveNow(t, { slots: 50 });
    const res = await importAsJob(t, d.driveId, importCsv(d.quotaId, 4500), { key });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.headers.location).toBe(`/v1/jobs/${res.body.id}`);
    expect(res.headers['preference-applied']).toBe('respond-async');
    expect(res.body).toMatchObject({ kind: 'applications.import', driveId: d.driveId, startedBy: { keyId: await keyIdOf(t, key) } });
    expect(res.body.progress.total).toBe(4500);

    const job = await waitForJob(t, res.body.id, key);
    expect(job.state).toBe('succeeded');
    expect(job.result).toEqual({ summary: { rows: 4500, created: 4500, exists: 0, errors: 0 } });
    expect(job.progress).toMatchObject({ done: 4500, total: 4500, percent: 100 });
    const [{ n }] = (await t.sql<{ n: number }>('select count(*)::int as n from applications where drive_id = $1', [d.driveId])) as [{ n: number }];
    expect(n).toBe(4500);

    const report = await t.http.get(job.resultUrl!).set(bearer(key)).buffer(true).parse((r, cb) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (text += c));
      r.on('end', () => cb(null, text));
    });
    expect(report.status).toBe(200);
    const body = JSON.parse(report.body as string) as { summary: unknown; results: { row: number; status: string }[] };
    expect(body.summary).toEqual(job.result && (job.result as { summary: unknown }).summary);
    expect(body.results).toHaveLength(4500);
    expect(body.results.every((r, i) => r.row === i + 1 && r.status === 'created')).toBe(true);
    // The input is not kept once the job ended; nor the per-batch results.
    expect(await t.sql("select 1 from job_blobs where job_id = $1 and part = 'input'", [job.id])).toHaveLength(0);
    expect(await t.sql('select 1 from job_batches where job_id = $1', [job.id])).toHaveLength(0);
  });

  it('when the same import is sent without the header, then it answers 200 as before (no job)', async () => {
    const d = await createOpenDriveNow(t, { slots: 5 });
    const res = await t.http
      .post(`/v1/drives/${d.driveId}/applications/import`)
      .set(bearer(t.adminKey))
      .set('content-type', 'text/csv')
      .send(Buffer.from(importCsv(d.quotaId, 3)));
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ rows: 3, created: 3, exists: 0, errors: 0 });
    expect(await t.sql('select 1 from jobs where drive_id = $1', [d.driveId])).toHaveLength(0);
  });

  it('when an atomic import as a job has a bad row, then the job fails with import.failed, nothing is written, and the report is downloadable', async () => {
    const d = await createOpenDriveNow(t, { slots: 5 });
    const csv = importCsv(d.quotaId, 3) + `Trần Văn Lỗi,123,1990-01-01,male,Kinh,VN,${d.quotaId}\r\n`;
    const res = await importAsJob(t, d.driveId, csv, { atomic: true });
    expect(res.status).toBe(202);
    const job = await waitForJob(t, res.body.id);
    expect(job.state).toBe('failed');
    expect(job.problem).toMatchObject({ code: 'import.failed', status: 422, summary: { rows: 4, errors: 1 } });
    expect(await t.sql('select 1 from applications where drive_id = $1', [d.driveId])).toHaveLength(0);
    const report = await t.http.get(job.resultUrl!).set(bearer(t.adminKey));
    expect(report.headers['content-type']).toContain('application/problem+json');
  });

  it('when the drive is not found, then the asynchronous import is refused with the request (404), no job is made', async () => {
    const d = await createOpenDriveNow(t, { slots: 5 });
    const res = await importAsJob(t, '0190a0a0-0000-7000-8000-00000000abcd', importCsv(d.quotaId, 1));
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('drive.not_found');
  });

  it('when results are computed as a job, then the job’s result is the computation and the drive moved to results_computed', async () => {
    const { driveId } = await examined(['80.00', '65.00']);
    const res = await t.http.post(`/v1/drives/${driveId}/results/compute`).set(bearer(t.adminKey)).set('prefer', 'respond-async').send({});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.headers.location).toBe(`/v1/jobs/${res.body.id}`);
    const job = await waitForJob(t, res.body.id);
    expect(job.state).toBe('succeeded');
    expect(job.result).toMatchObject({ dryRun: false });
    const [drive] = await t.sql<{ status: string }>('select status from drives where id = $1', [driveId]);
    expect(drive!.status).toBe('results_computed');
    expect((await t.sql('select 1 from results where drive_id = $1', [driveId])).length).toBe(2);
  });

  it('when a computation the drive refuses runs as a job, then the job fails with the refusal’s problem', async () => {
    const d = await createOpenDriveNow(t, { slots: 5 });
    const res = await t.http.post(`/v1/drives/${d.driveId}/results/compute`).set(bearer(t.adminKey)).set('prefer', 'respond-async').send({});
    expect(res.status).toBe(202);
    const job = await waitForJob(t, res.body.id);
    expect(job.state).toBe('failed');
    expect(job.problem).toMatchObject({ code: 'results.not_ready', status: 409 });
  });

  it('when an export is asked as a job, then its file is downloaded from resultUrl', async () => {
    const { driveId } = await examined(['70.00']);
    await computeOk(t, driveId);
    const res = await t.http.get(`/v1/drives/${driveId}/results/export`).set(bearer(t.adminKey)).set('prefer', 'respond-async').set('accept', 'text/csv');
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const job = await waitForJob(t, res.body.id);
    expect(job.state).toBe('succeeded');
    expect(job.result).toMatchObject({ format: 'csv' });
    const file = await t.http.get(job.resultUrl!).set(bearer(t.adminKey));
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toContain('text/csv');
    expect(file.headers['content-disposition']).toContain('ket-qua-');
    expect(file.text).toContain('Đỗ Văn Thí Sinh A');
  });

  it('when the audit verification is asked as a job, then the job’s result is the verification', async () => {
    const key = await t.keyFor('auditor');
    const res = await t.http.get('/v1/audit-events/verify?mode=full').set(bearer(key)).set('prefer', 'respond-async');
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const job = await waitForJob(t, res.body.id, key);
    expect(job.state).toBe('succeeded');
    expect(job.result).toMatchObject({ valid: true, mode: 'full', breaks: [] });
  });
});

describe('the caller’s jobs', () => {
  it('when two keys start jobs, then each lists only its own, filtered by state, page by page', async () => {
    const a = await q.keyFor('registrar');
    const b = await q.keyFor('registrar');
    const d = await createOpenDriveNow(q, { slots: 5 });
    const ids = [];
    for (let i = 0; i < 2; i++) ids.push((await importAsJob(q, d.driveId, importCsv(d.quotaId, 1), { key: a })).body.id as string);
    const other = (await importAsJob(q, d.driveId, importCsv(d.quotaId, 1), { key: b })).body.id as string;

    const first = await q.http.get('/v1/jobs?limit=1&state=queued').set(bearer(a));
    expect(first.status).toBe(200);
    expect(first.body.items.map((j: JobBody) => j.id)).toEqual([ids[1]]);
    expect(first.headers.link).toContain('rel="next"');
    const second = await q.http.get(`/v1/jobs?limit=1&state=queued&cursor=${first.body.nextCursor}`).set(bearer(a));
    expect(second.body.items.map((j: JobBody) => j.id)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeNull();
    expect((await q.http.get('/v1/jobs?state=succeeded').set(bearer(a))).body.items).toEqual([]);
    // Another key's job is not found (not forbidden: its existence is not disclosed).
    const theirs = await q.http.get(`/v1/jobs/${other}`).set(bearer(a));
    expect(theirs.status).toBe(404);
    expect(theirs.body.code).toBe('job.not_found');
  });

  it('when a key has as many jobs open as its cap, then the next is refused with 429 job.too_many, and accepted once one is cancelled', async () => {
    const key = await q.keyFor('registrar');
    const d = await createOpenDriveNow(q, { slots: 5 });
    const one = await importAsJob(q, d.driveId, importCsv(d.quotaId, 1), { key });
    const two = await importAsJob(q, d.driveId, importCsv(d.quotaId, 1), { key });
    expect([one.status, two.status]).toEqual([202, 202]);
    const three = await importAsJob(q, d.driveId, importCsv(d.quotaId, 1), { key });
    expect(three.status).toBe(429);
    expect(three.body.code).toBe('job.too_many');
    expect(three.headers['retry-after']).toBeDefined();

    const cancelled = await q.http.delete(`/v1/jobs/${one.body.id}`).set(bearer(key));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ state: 'cancelled', problem: { code: 'job.cancelled' } });
    expect(await q.sql("select 1 from job_blobs where job_id = $1 and part = 'input'", [one.body.id])).toHaveLength(0);
    expect((await importAsJob(q, d.driveId, importCsv(d.quotaId, 1), { key })).status).toBe(202);
    const again = await q.http.post(`/v1/jobs/${one.body.id}/cancel`).set(bearer(key));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('job.finished');
  });

  it('when a job is older than JOBS_TTL_MS, then it expires: state expired, its input and result gone', async () => {
    const key = await q.keyFor('registrar');
    const d = await createOpenDriveNow(q, { slots: 5 });
    const res = await importAsJob(q, d.driveId, importCsv(d.quotaId, 2), { key });
    expect(res.status).toBe(202);
    expect(await q.sql("select 1 from job_blobs where job_id = $1 and part = 'input'", [res.body.id])).not.toHaveLength(0);
    const job = await waitForJob(q, res.body.id, key, ['expired'], 45_000);
    expect(job.resultUrl).toBeNull();
    expect(await q.sql('select 1 from job_blobs where job_id = $1', [res.body.id])).toHaveLength(0);
    // An expired job no longer counts against the cap.
    expect((await q.sql<{ state: string }>('select state from jobs where id = $1', [res.body.id]))[0]!.state).toBe('expired');
  });
});

describe('following and cancelling a running job', () => {
  it('when a client follows an import’s events, then it gets progress events with rising counts and an end event', async () => {
    const d = await createOpenDriveNow(t, { slots: 50 });
    const res = await importAsJob(t, d.driveId, importCsv(d.quotaId, 8000));
    expect(res.status).toBe(202);
    const stream = await t.http
      .get(`/v1/jobs/${res.body.id}/events`)
      .set(bearer(t.adminKey))
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (text += c));
        r.on('end', () => cb(null, text));
      });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toContain('text/event-stream');
    const events = (stream.body as string)
      .split('\n\n')
      .filter(Boolean)
      .map((block) => ({
        event: /^event: (.*)$/m.exec(block)![1],
        data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as JobBody,
      }));
    expect(events.at(-1)).toMatchObject({ event: 'end', data: { state: 'succeeded', progress: { done: 8000 } } });
    expect(events.slice(0, -1).every((e) => e.event === 'progress')).toBe(true);
    const done = events.map((e) => e.data.progress.done);
    expect(done).toEqual([...done].sort((x, y) => x - y));
  });

  it('when a running non-atomic import is cancelled, then it stops between batches: the committed batches stay, whole', async () => {
    const d = await createOpenDriveNow(t, { slots: 50 });
    const res = await importAsJob(t, d.driveId, importCsv(d.quotaId, 40_000));
    expect(res.status).toBe(202);
    await waitForJob(t, res.body.id, t.adminKey, ['running']);
    // Once the first batch is committed, cancel.
    for (let i = 0; i < 2000; i++) {
      const [row] = await t.sql<{ done: number }>('select done from jobs where id = $1', [res.body.id]);
      if (row!.done > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const cancel = await t.http.post(`/v1/jobs/${res.body.id}/cancel`).set(bearer(t.adminKey));
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    const job = await waitForJob(t, res.body.id);
    expect(job.state).toBe('cancelled');
    const [{ n }] = (await t.sql<{ n: number }>('select count(*)::int as n from applications where drive_id = $1', [d.driveId])) as [{ n: number }];
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(40_000);
    // Whole batches only (IMPORT_BATCH_ROWS = 2000): nothing half-written.
    expect(n % 2000).toBe(0);
  });

  it('when a job ends, then a job.completed webhook event reaches a subscribed receiver', async () => {
    const r = await startReceiver();
    receivers.push(r);
    const key = await t.keyFor('registrar');
    await createWebhook(t, { url: `${r.url}/hooks`, eventTypes: ['job.completed'] });
    const d = await createOpenDriveNow(t, { slots: 5 });
    const res = await importAsJob(t, d.driveId, importCsv(d.quotaId, 2), { key });
    const job = await waitForJob(t, res.body.id, key);
    const received = await r.waitFor((reqs) => reqs.some((x) => (x.json as { data: { resourceId: string } }).data.resourceId === job.id), 10_000);
    const event = received.find((x) => (x.json as { data: { resourceId: string } }).data.resourceId === job.id)!.json as {
      type: string;
      data: { resourceType: string; object: { state: string; kind: string; href: string } };
    };
    expect(event.type).toBe('job.completed');
    expect(event.data).toMatchObject({ resourceType: 'job', object: { state: 'succeeded', kind: 'applications.import', href: `/v1/jobs/${job.id}` } });
  });
});
