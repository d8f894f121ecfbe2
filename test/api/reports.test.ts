import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { createAgencyWithHeadcount } from '../factories/drives.js';
import { buildLeadershipDrive, buildSmallDrive } from '../factories/reports.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const rate = (count: number, of: number, percent: number | null) => ({ count, of, percent });

describe('GET /v1/reports/drives/{id}', () => {
  it('when a drive has registrations, rounds and results, then every figure is counted per quota and in total with its denominator', async () => {
    const d = await buildSmallDrive(t);
    const res = await t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const body = res.body;
    expect(body.drive).toMatchObject({ id: d.driveId, kind: 'recruitment' });
    expect(body.rounds.map((r: { code: string; kind: string }) => [r.code, r.kind])).toEqual([
      ['round1', 'gate'],
      ['round2', 'scored'],
    ]);

    const q1 = body.quotas.find((q: { quotaId: string }) => q.quotaId === d.q1);
    expect(q1).toMatchObject({
      candidates: 4,
      applications: 4,
      eligible: rate(3, 4, 75),
      withdrawn: 0,
      rounds: [
        { roundId: d.round1Id, code: 'round1', sat: 3, passed: rate(2, 3, 66.7) },
        { roundId: d.round2Id, code: 'round2', sat: 2, passed: null },
      ],
      passedGate: rate(2, 4, 50),
      slots: 3,
      winners: 2,
      unfilledSlots: 1,
      candidatesPerSlot: { count: 4, of: 3, ratio: 1.33 },
      fillRate: rate(2, 3, 66.7),
      outcome: 'unfilled',
    });
    const q2 = body.quotas.find((q: { quotaId: string }) => q.quotaId === d.q2);
    expect(q2).toMatchObject({
      candidates: 2,
      applications: 2,
      eligible: rate(1, 2, 50),
      withdrawn: 1,
      rounds: [
        { code: 'round1', sat: 1, passed: rate(1, 1, 100) },
        { code: 'round2', sat: 1, passed: null },
      ],
      passedGate: rate(0, 1, 0),
      slots: 1,
      winners: 0,
      unfilledSlots: 1,
      candidatesPerSlot: { count: 2, of: 1, ratio: 2 },
      fillRate: rate(0, 1, 0),
    });
    expect(body.totals).toMatchObject({
      candidates: 6,
      applications: 6,
      eligible: rate(4, 6, 66.7),
      withdrawn: 1,
      rounds: [
        { code: 'round1', sat: 4, passed: rate(3, 4, 75) },
        { code: 'round2', sat: 3, passed: null },
      ],
      passedGate: rate(2, 5, 40),
      slots: 4,
      winners: 2,
      unfilledSlots: 2,
      candidatesPerSlot: { count: 6, of: 4, ratio: 1.5 },
      fillRate: rate(2, 4, 50),
    });

    // The same figures straight from the rows.
    const [db] = await t.sql<{ winners: number; apps: number }>(
      `select (select count(*)::int from results where drive_id = $1 and outcome = 'winner') as winners,
              (select count(*)::int from applications where drive_id = $2) as apps`,
      [d.driveId, d.driveId],
    );
    expect(db).toEqual({ winners: body.totals.winners, apps: body.totals.applications });
  });

  it('when a winner’s result is cancelled and no reserve is left, then the report counts one winner fewer (computed, not stored)', async () => {
    const d = await buildSmallDrive(t);
    const before = await t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey));
    expect(before.body.totals.winners).toBe(2);
    // Cancel directly in the table: the report must follow the rows whatever changed them.
    await t.sql(`update results set outcome = 'cancelled', winner_slot = null, cancel_reason = 'no_show', cancelled_at = now() where application_id = $1`, [d.apps.a]);
    const after = await t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey));
    expect(after.body.totals).toMatchObject({ winners: 1, unfilledSlots: 3, fillRate: rate(1, 4, 25) });
  });

  it('when the key is scoped to another agency, then the drive report is 404; a marker key is 403', async () => {
    const d = await buildSmallDrive(t);
    const other = await createAgencyWithHeadcount(t, { name: 'Ban Tuyên giáo' });
    const scoped = await t.keyFor('organizer', other.agencyId);
    const res = await t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(scoped));
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('drive.not_found');
    const own = await t.keyFor('auditor', d.agencyId);
    expect((await t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(own))).status).toBe(200);
    const marker = await t.keyFor('marker');
    const m = await t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(marker));
    expect(m.status).toBe(403);
    expect(m.body.code).toBe('auth.forbidden');
  });

  it('when the id is unknown or malformed, then 404 and 400 problems', async () => {
    const unknown = await t.http.get('/v1/reports/drives/0190a000-0000-7000-8000-000000000000').set(bearer(t.adminKey));
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/application\/problem\+json/);
    const bad = await t.http.get('/v1/reports/drives/not-a-uuid').set(bearer(t.adminKey));
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('request.invalid');
  });

  it('when Accept is neither JSON, CSV nor XLSX, then 406 problem+json', async () => {
    const d = await buildSmallDrive(t);
    const res = await t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey)).set('accept', 'application/xml');
    expect(res.status).toBe(406);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('request.not_acceptable');
  });
});

describe('GET /v1/reports/leadership', () => {
  it('when titles are examined, not held and pending the chair’s tie decision, then the report counts them with titles approved and examined as denominators', async () => {
    const year = 2025;
    const d = await buildLeadershipDrive(t, { withWinner: 3, withoutWinner: 1, notHeld: 1, tied: 2 });
    const scoped = await t.keyFor('approver', d.agencyId);
    const res = await t.http.get(`/v1/reports/leadership?year=${year}&agencyId=${d.agencyId}`).set(bearer(scoped));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      year,
      agencyId: d.agencyId,
      titlesApproved: 7,
      agencies: 1,
      examined: rate(4, 7, 57.1),
      withWinner: rate(3, 4, 75),
      withoutWinner: rate(1, 4, 25),
      notHeld: rate(1, 7, 14.3),
      pending: rate(2, 7, 28.6),
    });
    expect(res.body.drives).toEqual([expect.objectContaining({ id: d.driveId, titles: 7 })]);
    const [row] = await t.sql<{ n: number }>(`select count(*)::int as n from quotas where drive_id = $1`, [d.driveId]);
    expect(row!.n).toBe(7);
  });

  it('when the key is scoped to an agency without titles, then it sees zero titles and 404 for another agency’s filter', async () => {
    const d = await buildLeadershipDrive(t, { withWinner: 1, withoutWinner: 0, notHeld: 0, tied: 0 });
    const other = await createAgencyWithHeadcount(t, { name: 'Hội Liên hiệp Phụ nữ' });
    const key = await t.keyFor('organizer', other.agencyId);
    const mine = await t.http.get('/v1/reports/leadership?year=2025').set(bearer(key));
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ titlesApproved: 0, agencies: 0, examined: rate(0, 0, null), drives: [] });
    const theirs = await t.http.get(`/v1/reports/leadership?year=2025&agencyId=${d.agencyId}`).set(bearer(key));
    expect(theirs.status).toBe(404);
    expect(theirs.body.code).toBe('agency.not_found');
  });

  it('when the year is missing or out of range, then 400', async () => {
    for (const q of ['', '?year=1999', '?year=abc', '?year=2025&extra=1']) {
      const res = await t.http.get(`/v1/reports/leadership${q}`).set(bearer(t.adminKey));
      expect(res.status, q).toBe(400);
      expect(res.body.code).toBe('request.invalid');
    }
  });
});
