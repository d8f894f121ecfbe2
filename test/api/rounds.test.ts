import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, onPostgres } from '../helpers/env.js';
import { createOpenDrive } from '../factories/drives.js';
import { codesOf, createRound, issueScripts, markingSetup, moveRound, putMarks, roundBody, seedApplications, writtenPart } from '../factories/rounds.js';

let t: TestApp;
let organizer: string;
let marker: string;
let anonymizer: string;
let council: string;
beforeAll(async () => {
  t = await setupApp();
  [organizer, marker, anonymizer, council] = await Promise.all([t.keyFor('organizer'), t.keyFor('marker'), t.keyFor('anonymizer'), t.keyFor('council')]);
});
afterAll(async () => {
  await t.close();
});

describe('rounds and parts', () => {
  it('when an organizer creates a round with parts, then it is listed in order with its parts and an ETag', async () => {
    const { driveId } = await createOpenDrive(t);
    const res = await t.http
      .post(`/v1/drives/${driveId}/rounds`)
      .set(bearer(organizer))
      .send(roundBody({ parts: [writtenPart('written', { passMark: '50' }), { code: 'interview', name: 'Phỏng vấn', maxScore: '100', markingMode: 'panel', panelSize: 3, weight: 1 }] }));
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('"v1"');
    expect(res.body).toMatchObject({ driveId, order: 2, code: 'round2', kind: 'scored', ranking: true, status: 'scheduled', appealWindow: null });
    expect(res.body.parts).toEqual([
      expect.objectContaining({ code: 'written', maxScore: '100.00', passMark: '50.00', markingMode: 'double', written: true }),
      expect.objectContaining({ code: 'interview', markingMode: 'panel', panelSize: 3, written: false }),
    ]);
    await createRound(t, driveId, { order: 1, code: 'round1', kind: 'gate', ranking: false, parts: [{ code: 'general_knowledge', maxScore: '60' }] });
    const list = await t.http.get(`/v1/drives/${driveId}/rounds`).set(bearer(marker));
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { order: number }) => r.order)).toEqual([1, 2]);
    const rows = await t.sql<{ n: number }>('select count(*)::int as n from parts p join rounds r on r.id = p.round_id where r.drive_id = $1', [driveId]);
    expect(rows[0]!.n).toBe(3);
  });

  it('when the order or code is taken, or a pass mark exceeds the maximum, then 409 / 422; markers may not create', async () => {
    const { driveId } = await createOpenDrive(t);
    await createRound(t, driveId);
    const dupOrder = await t.http.post(`/v1/drives/${driveId}/rounds`).set(bearer(organizer)).send(roundBody({ code: 'other' }));
    expect(dupOrder.status).toBe(409);
    expect(dupOrder.body.code).toBe('round.order_taken');
    const dupCode = await t.http.post(`/v1/drives/${driveId}/rounds`).set(bearer(organizer)).send(roundBody({ order: 3 }));
    expect(dupCode.body.code).toBe('round.code_taken');
    const pass = await t.http
      .post(`/v1/drives/${driveId}/rounds`)
      .set(bearer(organizer))
      .send(roundBody({ order: 4, code: 'r4', parts: [writtenPart('w', { maxScore: '10', passMark: '11' })] }));
    expect(pass.status).toBe(422);
    expect(pass.body.code).toBe('part.pass_mark_above_max');
    const dupPart = await t.http.post(`/v1/drives/${driveId}/rounds`).set(bearer(organizer)).send(roundBody({ order: 5, code: 'r5', parts: [writtenPart('w'), writtenPart('w')] }));
    expect(dupPart.body.code).toBe('round.duplicate_part_code');
    expect((await t.http.post(`/v1/drives/${driveId}/rounds`).set(bearer(marker)).send(roundBody({ order: 6, code: 'r6' }))).status).toBe(403);
    const other = await t.http.post(`/v1/drives/00000000-0000-7000-8000-000000000000/rounds`).set(bearer(organizer)).send(roundBody());
    expect(other.status).toBe(404);
  });

  it('when the rule set has default rounds, then ?fromRuleSet=true creates them (Decree 170/2025 Art. 9(2): 60 questions, no foreign language, no exemption; written 70 + interview 30)', async () => {
    const { driveId } = await createOpenDrive(t, { preset: 'nd170' });
    const res = await t.http.post(`/v1/drives/${driveId}/rounds?fromRuleSet=true`).set(bearer(organizer));
    expect(res.status).toBe(201);
    const [r1, r2] = res.body.items;
    expect(r1).toMatchObject({ order: 1, code: 'round1', kind: 'gate', ranking: false, exemptionCodes: [] });
    expect(r1.parts.map((p: { code: string; maxScore: string }) => [p.code, p.maxScore])).toEqual([['general_knowledge', '60.00']]);
    expect(r2).toMatchObject({ order: 2, kind: 'scored', ranking: true });
    expect(r2.parts).toEqual([
      expect.objectContaining({ code: 'written', markingMode: 'double', written: true, maxScore: '100.00', weight: 70 }),
      expect.objectContaining({ code: 'interview', markingMode: 'panel', written: false, weight: 30 }),
    ]);
    const again = await t.http.post(`/v1/drives/${driveId}/rounds?fromRuleSet=true`).set(bearer(organizer));
    expect(again.body.items).toEqual([]);
    expect((await t.sql('select 1 from rounds where drive_id = $1', [driveId])).length).toBe(2);
  });

  it('when a round is patched with a stale If-Match, then 412; after it leaves scheduled, then 409 round.not_scheduled', async () => {
    const { driveId } = await createOpenDrive(t);
    const round = await createRound(t, driveId);
    const ok = await t.http.patch(`/v1/rounds/${round.id}`).set(bearer(organizer)).set('if-match', '"v1"').send({ name: 'Vòng thi viết' });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('"v2"');
    const stale = await t.http.patch(`/v1/rounds/${round.id}`).set(bearer(organizer)).set('if-match', '"v1"').send({ name: 'x' });
    expect(stale.status).toBe(412);
    await moveRound(t, round.id, 'marking');
    const late = await t.http.patch(`/v1/rounds/${round.id}`).set(bearer(organizer)).send({ name: 'y' });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('round.not_scheduled');
    const [row] = await t.sql<{ name: string; status: string }>('select name, status from rounds where id = $1', [round.id]);
    expect(row).toEqual({ name: 'Vòng thi viết', status: 'marking' });
  });

  it('when a transition skips a step or goes back, then 409 round.invalid_transition', async () => {
    const { driveId } = await createOpenDrive(t);
    const round = await createRound(t, driveId);
    const skip = await t.http.post(`/v1/rounds/${round.id}/transitions`).set(bearer(organizer)).send({ to: 'published' });
    expect(skip.status).toBe(409);
    expect(skip.body).toMatchObject({ code: 'round.invalid_transition', from: 'scheduled', allowed: 'marking' });
    const byMarker = await t.http.post(`/v1/rounds/${round.id}/transitions`).set(bearer(marker)).send({ to: 'marking' });
    expect(byMarker.status).toBe(403);
    // An empty round locks at once: nothing is left to mark.
    await moveRound(t, round.id, 'marking', organizer);
    await moveRound(t, round.id, 'locked', council);
    const back = await t.http.post(`/v1/rounds/${round.id}/transitions`).set(bearer(organizer)).send({ to: 'marking' });
    expect(back.body.code).toBe('round.invalid_transition');
    const audit = await t.sql<{ action: string }>("select action from audit_events where resource_id = $1 order by occurred_at, id", [round.id]);
    expect(audit.map((a) => a.action)).toEqual(['round.created', 'round.marking', 'round.locked']);
  });
});

describe('script codes (anonymity)', () => {
  it('when scripts are issued, then every active non-exempt application gets a random code per part; re-issuing keeps codes and adds new applications', async () => {
    const drive = await createOpenDrive(t);
    const apps = await seedApplications(t, { driveId: drive.driveId, quotaId: drive.quotaId, count: 3 });
    const exempt = await seedApplications(t, { driveId: drive.driveId, quotaId: drive.quotaId, count: 1, exemptions: ['input_quality_verified'] });
    await seedApplications(t, { driveId: drive.driveId, quotaId: drive.quotaId, count: 1, status: 'withdrawn' });
    const round = await createRound(t, drive.driveId, {
      order: 1,
      code: 'round1',
      exemptionCodes: ['input_quality_verified'],
      parts: [writtenPart('essay'), writtenPart('law', { markingMode: 'single' })],
    });
    const first = await t.http.post(`/v1/rounds/${round.id}/scripts`).set(bearer(anonymizer));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ issued: 6, existing: 0, exempt: 1, notAdmitted: 0, parts: 2 });
    const before = await t.sql<{ id: string; code: string; application_id: string }>('select id, code, application_id from scripts where round_id = $1 order by id', [round.id]);
    expect(before).toHaveLength(6);
    expect(new Set(before.map((s) => s.code)).size).toBe(6);
    for (const s of before) {
      expect(s.code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/);
      for (const a of apps) expect(s.code).not.toContain(a.candidateNumber);
    }
    expect(before.some((s) => s.application_id === exempt[0]!.id)).toBe(false);

    const late = await seedApplications(t, { driveId: drive.driveId, quotaId: drive.quotaId, count: 1 });
    const second = await issueScripts(t, round.id, council);
    expect(second).toMatchObject({ issued: 2, existing: 6 });
    const after = await t.sql<{ id: string; code: string; application_id: string }>('select id, code, application_id from scripts where round_id = $1 order by id', [round.id]);
    expect(after.filter((s) => before.some((b) => b.id === s.id && b.code === s.code))).toHaveLength(6);
    expect(after.filter((s) => s.application_id === late[0]!.id)).toHaveLength(2);
    expect((await t.http.post(`/v1/rounds/${round.id}/scripts`).set(bearer(marker))).status).toBe(403);
  });

  it('when an application is exempt from a part by the rule set, then it gets no script for that part', async () => {
    const drive = await createOpenDrive(t);
    const [app] = await seedApplications(t, { driveId: drive.driveId, quotaId: drive.quotaId, count: 1, exemptions: ['foreign_language_exempt'] });
    const round = await createRound(t, drive.driveId, {
      order: 1,
      code: 'round1',
      kind: 'gate',
      ranking: false,
      parts: [{ code: 'general_knowledge', maxScore: '60' }, { code: 'foreign_language', maxScore: '30' }],
    });
    await issueScripts(t, round.id, anonymizer);
    const rows = await t.sql<{ code: string }>('select p.code from scripts s join parts p on p.id = s.part_id where s.application_id = $1', [app!.id]);
    expect(rows).toEqual([{ code: 'general_knowledge' }]);
  });

  it('when a marker reads scripts and enters marks, then no response carries a name, candidate number, application or candidate id', async () => {
    const s = await markingSetup(t, { count: 2 });
    const codes = await codesOf(t, s.round.id);
    const bodies: unknown[] = [];
    const list = await t.http.get(`/v1/rounds/${s.round.id}/scripts`).set(bearer(marker));
    expect(list.status).toBe(200);
    bodies.push(list.body);
    expect(Object.keys(list.body.items[0]).sort()).toEqual(['code', 'marks', 'partCode', 'status']);
    const marks = await putMarks(t, s.round.id, marker, s.apps.map((a) => ({ code: codes.get(a.id)!, slot: '1', score: '60' })));
    bodies.push(marks.body);
    const mine = await t.http.get(`/v1/rounds/${s.round.id}/scripts?limit=1`).set(bearer(marker));
    bodies.push(mine.body);
    expect(mine.body.items[0].marks).toEqual([expect.objectContaining({ slot: '1', score: '60.00' })]);
    const next = await t.http.get(`/v1/rounds/${s.round.id}/scripts?limit=1&cursor=${mine.body.nextCursor}`).set(bearer(marker));
    bodies.push(next.body);
    bodies.push((await t.http.get(`/v1/rounds/${s.round.id}`).set(bearer(marker))).body);
    const text = JSON.stringify(bodies) + JSON.stringify(mine.headers);
    for (const a of s.apps) {
      for (const secret of [a.fullName, a.candidateNumber, a.id, a.candidateId]) expect(text).not.toContain(secret);
    }
    // Another marker sees none of the first marker's marks.
    const other = await t.http.get(`/v1/rounds/${s.round.id}/scripts`).set(bearer(await t.keyFor('marker')));
    expect(other.body.items.every((i: { marks: unknown[] }) => i.marks.length === 0)).toBe(true);
    // The council sees codes and marks, but not the application before the reveal; the board does.
    const c = await t.http.get(`/v1/rounds/${s.round.id}/scripts`).set(bearer(council));
    expect(c.body.items[0].applicationId).toBeUndefined();
    const board = await t.http.get(`/v1/rounds/${s.round.id}/scripts`).set(bearer(anonymizer));
    expect(s.apps.map((a) => a.id)).toContain(board.body.items[0].applicationId);
  });

  it('when a marker calls candidate or application resources, then 403', async () => {
    const drive = await createOpenDrive(t);
    const [app] = await seedApplications(t, { driveId: drive.driveId, quotaId: drive.quotaId, count: 1 });
    for (const path of ['/v1/candidates', `/v1/candidates/${app!.candidateId}`, `/v1/drives/${drive.driveId}/applications`, `/v1/applications/${app!.id}`, `/v1/applications/${app!.id}/appeals`]) {
      const res = await t.http.get(path).set(bearer(marker));
      expect([path, res.status]).toEqual([path, 403]);
    }
    expect((await t.http.get(`/v1/rounds/${'0'.repeat(8)}-0000-7000-8000-000000000000/reconciliation`).set(bearer(marker))).status).toBe(403);
    expect((await t.http.post(`/v1/rounds/${'0'.repeat(8)}-0000-7000-8000-000000000000/reveal`).set(bearer(marker))).status).toBe(403);
  });

  it.skipIf(!onPostgres)(`when two anonymizers issue codes at once, then each script exists once (${CONCURRENCY_SKIP_REASON})`, async () => {
    const drive = await createOpenDrive(t);
    await seedApplications(t, { driveId: drive.driveId, quotaId: drive.quotaId, count: 4 });
    const round = await createRound(t, drive.driveId);
    const results = await Promise.all([1, 2, 3, 4].map(() => t.http.post(`/v1/rounds/${round.id}/scripts`).set(bearer(anonymizer))));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.reduce((s, r) => s + r.body.issued, 0)).toBe(4);
    const rows = await t.sql<{ n: number }>('select count(*)::int as n from scripts where round_id = $1', [round.id]);
    expect(rows[0]!.n).toBe(4);
  });
});
