import { execFileSync } from 'node:child_process';
import pg from 'pg';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATA_KEY, TEST_AUDIT_KEY, bearer, type TestApp } from '../helpers/app.js';
import { TEST_DATABASE_URL, databaseUrlFor, onPostgres } from '../helpers/env.js';
import { exited, freePort, startServer } from '../helpers/server-process.js';
import { createAgencyWithHeadcount, createDrive, createJobPosition } from '../factories/drives.js';
import { createCandidate, createOpenDriveNow, register } from '../factories/candidates.js';
import { computeOk, openDriveWithQuotas, registerAll, resultsOf, round2, scoredRound, toMarking } from '../factories/results.js';

/*
 * Two server processes on one PostgreSQL database, racing on the invariants the database holds.
 * Counts are checked in SQL afterwards.
 */
describe.skipIf(!onPostgres)('two server processes on one database', () => {
  const name = `td_${process.pid}_two`;
  let url: string;
  let servers: Awaited<ReturnType<typeof startServer>>[] = [];
  let a: TestApp;
  let b: TestApp;
  let sql: pg.Client;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    await admin.end();
    url = databaseUrlFor(name);
    const env = { DATABASE_URL: url, DATA_KEY: TEST_DATA_KEY, AUDIT_KEY: TEST_AUDIT_KEY, RATE_LIMIT_MAX: '100000', WEBHOOK_WORKER: 'false' };
    servers = await Promise.all([startServer(env, await freePort()), startServer(env, await freePort())]);
    const key = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', 'create', '--role', 'admin', '--name', 'race'], {
      env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    })
      .toString()
      .trim()
      .split('\n')
      .pop()!;
    // The factories only need an HTTP client and a key: point them at each process.
    a = { http: supertest(servers[0]!.base), adminKey: key } as unknown as TestApp;
    b = { http: supertest(servers[1]!.base), adminKey: key } as unknown as TestApp;
    sql = new pg.Client({ connectionString: url });
    await sql.connect();
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    for (const s of servers) {
      s.proc.kill('SIGTERM');
      await exited(s.proc);
    }
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it('when both create quotas past the unused headcount at once, then exactly the headcount is taken', async () => {
    const { agencyId } = await createAgencyWithHeadcount(a, { assigned: 25, filled: 20 });
    const positions = await Promise.all(Array.from({ length: 12 }, () => createJobPosition(a, agencyId)));
    const driveId = await createDrive(a, { organizingAgencyId: agencyId });
    const results = await Promise.all(
      positions.map((jobPositionId, i) =>
        (i % 2 ? b : a).http.post(`/v1/drives/${driveId}/quotas`).set(bearer(a.adminKey)).send({ agencyId, jobPositionId, slots: 1 }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(results.filter((r) => r.status === 422).every((r) => r.body.code === 'quota.exceeds_unused_headcount')).toBe(true);
    const { rows } = await sql.query('select coalesce(sum(slots), 0)::int as n from quotas where agency_id = $1', [agencyId]);
    expect(rows[0].n).toBe(5);
  });

  it('when 40 identical registrations arrive through both processes, then one application exists', async () => {
    const { driveId, quotaId } = await createOpenDriveNow(a);
    const candidate = await createCandidate(a);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => register(i % 2 ? b : a, driveId, { candidateId: candidate.id, quotaId })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.body.code === 'application.duplicate')).toBe(true);
    const { rows } = await sql.query("select count(*)::int as n from applications where drive_id = $1 and candidate_id = $2 and status <> 'withdrawn'", [
      driveId,
      candidate.id,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('when both settle the same tie and approve the same results at once, then one decision and one approval stand', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(a, { preset: 'nd138', slots: [1] });
    const quotaId = quotaIds[0]!;
    const apps = (
      await registerAll(a, driveId, [
        { fullName: 'Ngô Văn Tâm', quotaId },
        { fullName: 'Ngô Thị Tâm', quotaId },
      ])
    ).map((x) => x.applicationId);
    await toMarking(a, driveId);
    // Equal raw scores and no priority: the nd138 chain ends with the head's decision.
    await scoredRound(a, driveId, round2(), apps.map((applicationId) => ({ applicationId, partCode: 'professional', score: '70.00' })));
    await computeOk(a, driveId);
    expect((await resultsOf(a, driveId)).get(quotaId)!.status).toBe('tie_pending_decision');

    const decide = (c: TestApp, order: string[]) =>
      c.http
        .post(`/v1/drives/${driveId}/results/tie-decisions`)
        .set(bearer(a.adminKey))
        .send({ quotaId, orderedApplicationIds: order, reason: 'Người đứng đầu quyết định', decision: { number: '15/QĐ-UBND', date: '2025-06-01' } });
    const decisions = await Promise.all([decide(a, apps), decide(b, [...apps].reverse()), decide(a, apps), decide(b, [...apps].reverse())]);
    expect(decisions.filter((r) => r.status === 201)).toHaveLength(1);
    expect(decisions.filter((r) => r.status !== 201).every((r) => r.status === 409 || r.status === 422)).toBe(true);
    const stored = await sql.query('select count(*)::int as n from tie_decisions where quota_id = $1', [quotaId]);
    expect(stored.rows[0].n).toBe(1);
    const winners = await sql.query("select count(*)::int as n from results where quota_id = $1 and outcome = 'winner'", [quotaId]);
    expect(winners.rows[0].n).toBe(1);

    const step = (c: TestApp, s: 'submit' | 'approve') => c.http.post(`/v1/drives/${driveId}/results/${s}`).set(bearer(a.adminKey)).send({});
    const submits = await Promise.all([step(a, 'submit'), step(b, 'submit'), step(a, 'submit'), step(b, 'submit')]);
    expect(submits.filter((r) => r.status === 200)).toHaveLength(1);
    const approvals = await Promise.all([step(a, 'approve'), step(b, 'approve'), step(a, 'approve'), step(b, 'approve')]);
    expect(approvals.filter((r) => r.status === 200)).toHaveLength(1);
    expect(approvals.filter((r) => r.status !== 200).every((r) => r.status === 409)).toBe(true);
    const transitions = await sql.query("select count(*)::int as n from drive_transitions where drive_id = $1 and \"to\" = 'approved'", [driveId]);
    expect(transitions.rows[0].n).toBe(1);
    const audited = await sql.query("select count(*)::int as n from audit_events where drive_id = $1 and action = 'results.approved'", [driveId]);
    expect(audited.rows[0].n).toBe(1);
  });

  it('when the audit trail is verified after the races, then every chain is intact', async () => {
    const auditorRes = await a.http.get('/v1/audit-events/verify').set(bearer(a.adminKey));
    expect(auditorRes.status).toBe(200);
    expect(auditorRes.body.valid).toBe(true);
  });
});
