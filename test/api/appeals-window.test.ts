import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, onPostgres } from '../helpers/env.js';
import { computeOk, openDriveWithQuotas, registerAll, toMarking, workflow } from '../factories/results.js';
import { codesOf, createRound, issueScripts, moveRound, putMarks, writtenPart } from '../factories/rounds.js';

/*
 * The appeal window in working days (170/2025 Art. 16(4)(b)) and the results workflow waiting for
 * it (Quy chế Art. 15(4)(b)): a clock the test sets, so that "today" falls where the case needs it.
 */

let now: Date | null = null;
let t: TestApp;
let council: string;
let registrar: string;
beforeAll(async () => {
  t = await setupApp({ clock: () => now ?? new Date() });
  [council, registrar] = await Promise.all([t.keyFor('council'), t.keyFor('registrar')]);
});
afterAll(async () => {
  await t.close();
});

/** A Decree 170 drive in marking, its round 2 with a paper written part double-marked and published, results computed. */
async function publishedWritten(count: number, publish = true) {
  const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd170', slots: [1] });
  const apps = (await registerAll(t, driveId, Array.from({ length: count }, (_, i) => ({ fullName: `Lê Thị Phúc Khảo ${String.fromCharCode(65 + i)}`, quotaId: quotaIds[0]! })))).map(
    (a) => a.applicationId,
  );
  await toMarking(t, driveId);
  const round = await createRound(t, driveId, { parts: [writtenPart('written')] });
  await issueScripts(t, round.id);
  await moveRound(t, round.id, 'marking');
  const codes = await codesOf(t, round.id, 'written');
  const [m1, m2] = [await t.keyFor('marker'), await t.keyFor('marker')];
  for (const [i, app] of apps.entries()) {
    const score = String(60 + i);
    expect((await putMarks(t, round.id, m1, [{ code: codes.get(app)!, slot: '1', score }])).status).toBe(200);
    expect((await putMarks(t, round.id, m2, [{ code: codes.get(app)!, slot: '2', score }])).status).toBe(200);
  }
  await moveRound(t, round.id, 'locked', council);
  expect((await t.http.post(`/v1/rounds/${round.id}/reveal`).set(bearer(council))).status).toBe(200);
  if (publish) await moveRound(t, round.id, 'published', council);
  await computeOk(t, driveId);
  return { driveId, roundId: round.id, apps };
}

const setPublished = (roundId: string, at: string) => t.sql('update rounds set published_at = $1::timestamptz where id = $2', [at, roundId]);
const file = (applicationId: string) => t.http.post(`/v1/applications/${applicationId}/appeals`).set(bearer(registrar)).send({ partCode: 'written', reason: 'Đề nghị phúc khảo' });

describe('the appeal window in working days (170/2025 Art. 16(4)(b))', () => {
  it('when results are published on Friday 27 Nov 2026, then an appeal on Friday 4 Dec (5th working day, across the weekend) is taken and on Monday 7 Dec (6th) refused', async () => {
    const s = await publishedWritten(2);
    await setPublished(s.roundId, '2026-11-27T03:00:00Z');
    try {
      now = new Date('2026-12-04T09:00:00Z'); // Friday 4 Dec, 16:00 in Hà Nội
      const fifth = await file(s.apps[0]!);
      expect(fifth.status, JSON.stringify(fifth.body)).toBe(201);
      // Re-marking: 10 days from the close of the window.
      expect(fifth.body).toMatchObject({ windowClosesOn: '2026-12-04', dueOn: '2026-12-14' });
      // The round shows the same window as the appeals apply (working days), in its view and in the drive's list.
      const shown = { opensOn: '2026-11-27', closesOn: '2026-12-04', resolutionDueOn: '2026-12-14' };
      expect((await t.http.get(`/v1/rounds/${s.roundId}`).set(bearer(t.adminKey))).body.appealWindow).toEqual(shown);
      const listed = await t.http.get(`/v1/drives/${s.driveId}/rounds`).set(bearer(t.adminKey));
      expect(listed.body.items.find((r: { id: string }) => r.id === s.roundId).appealWindow).toEqual(shown);
      now = new Date('2026-12-07T02:00:00Z'); // Monday 7 Dec
      const sixth = await file(s.apps[1]!);
      expect(sixth.status).toBe(422);
      expect(sixth.body).toMatchObject({ code: 'appeal.window_closed', closesOn: '2026-12-04', appealWindowDays: 5, unit: 'working_days' });
    } finally {
      now = null;
    }
  });
});

describe('results wait for the appeals (Quy chế Art. 15(4)(b))', () => {
  it('when the paper written round was revealed but its results never published, then submit is 409 results.round_not_published naming it (170 Art. 16(4)(b): no window ever opened); once published, the window holds the results', async () => {
    const s = await publishedWritten(1, false);
    const unpublished = await workflow(t, s.driveId, 'submit');
    expect(unpublished.status).toBe(409);
    expect(unpublished.body).toMatchObject({ code: 'results.round_not_published', rounds: [{ id: s.roundId, code: 'round2', status: 'revealed' }] });
    await moveRound(t, s.roundId, 'published', council);
    const open = await workflow(t, s.driveId, 'submit');
    expect(open.status).toBe(409);
    expect(open.body.code).toBe('results.appeals_open');
  });

  it('when a window is open or an appeal unresolved, then submit and approve are 409 results.appeals_open naming them; once resolved and closed, they pass', async () => {
    const s = await publishedWritten(1);
    const open = await workflow(t, s.driveId, 'submit');
    expect(open.status).toBe(409);
    expect(open.body).toMatchObject({ code: 'results.appeals_open', openWindows: [{ roundId: s.roundId, roundCode: 'round2' }], pendingAppealIds: [] });
    const filed = await file(s.apps[0]!);
    expect(filed.status).toBe(201);
    // The window closes (published long ago): the unresolved appeal still holds the results.
    await setPublished(s.roundId, '2026-01-05T03:00:00Z');
    const pending = await workflow(t, s.driveId, 'submit');
    expect(pending.status).toBe(409);
    expect(pending.body).toMatchObject({ code: 'results.appeals_open', openWindows: [], pendingAppealIds: [filed.body.id] });
    // Submitted by hand past the gate: the approval is refused too.
    await t.sql("update drives set status = 'submitted' where id = $1", [s.driveId]);
    const approve = await workflow(t, s.driveId, 'approve', await t.keyFor('approver'));
    expect(approve.status).toBe(409);
    expect(approve.body.pendingAppealIds).toEqual([filed.body.id]);
    await t.sql("update drives set status = 'results_computed' where id = $1", [s.driveId]);
    for (let i = 0; i < 2; i++) expect((await t.http.post(`/v1/appeals/${filed.body.id}/remarks`).set(bearer(await t.keyFor('marker'))).send({ score: '61' })).status).toBe(201);
    expect((await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(council)).send({ note: 'Điều chỉnh' })).status).toBe(200);
    await computeOk(t, s.driveId);
    expect((await workflow(t, s.driveId, 'submit')).status).toBe(200);
    expect((await workflow(t, s.driveId, 'approve', await t.keyFor('approver'))).status).toBe(200);
  });

  it.skipIf(!onPostgres)(`when an approval races appeals, then exactly one side wins and the state agrees with it (${CONCURRENCY_SKIP_REASON})`, async () => {
    const approver = await t.keyFor('approver');
    // Window open on its last day: the appeals win, the approval is refused.
    const a = await publishedWritten(3);
    await t.sql("update drives set status = 'submitted' where id = $1", [a.driveId]);
    const raceA = await Promise.all([workflow(t, a.driveId, 'approve', approver), ...a.apps.map(file)]);
    expect(raceA[0]!.status).toBe(409);
    expect(raceA.slice(1).map((r) => r.status)).toEqual([201, 201, 201]);
    const [driveA] = await t.sql<{ status: string }>('select status from drives where id = $1', [a.driveId]);
    expect(driveA!.status).toBe('submitted');
    // Window closed, nothing pending: the approval wins, the appeals are refused.
    const b = await publishedWritten(3);
    await setPublished(b.roundId, '2026-01-05T03:00:00Z');
    expect((await workflow(t, b.driveId, 'submit')).status).toBe(200);
    const raceB = await Promise.all([workflow(t, b.driveId, 'approve', approver), ...b.apps.map(file)]);
    expect(raceB[0]!.status).toBe(200);
    expect(raceB.slice(1).every((r) => r.status === 422 || r.status === 409)).toBe(true);
    const [n] = await t.sql<{ n: number }>('select count(*)::int as n from appeals p join applications a on a.id = p.application_id where a.drive_id = $1', [b.driveId]);
    expect(n!.n).toBe(0);
  });
});
