import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, onPostgres } from '../helpers/env.js';
import { codesOf, createRound, issueScripts, markingSetup, moveRound, putMarks, seedApplications } from '../factories/rounds.js';
import { createOpenDrive } from '../factories/drives.js';

let t: TestApp;
let marker1: string;
let marker2: string;
let marker3: string;
let council: string;
beforeAll(async () => {
  t = await setupApp();
  [marker1, marker2, marker3, council] = await Promise.all([t.keyFor('marker'), t.keyFor('marker'), t.keyFor('marker'), t.keyFor('council')]);
});
afterAll(async () => {
  await t.close();
});

const scriptRow = async (roundId: string, code: string) =>
  (await t.sql<{ status: string; final_score: string | null; final_rule: string | null; decision_reason: string | null }>(
    'select status, final_score, final_rule, decision_reason from scripts where round_id = $1 and code = $2',
    [roundId, code],
  ))[0]!;

describe('double marking and reconciliation (Circular 6/2020 Art. 31)', () => {
  it('when the spread is exactly 5, then the final score is the average rounded half-up to one decimal', async () => {
    const s = await markingSetup(t, { count: 1 });
    const code = (await codesOf(t, s.round.id)).get(s.apps[0]!.id)!;
    const first = await putMarks(t, s.round.id, marker1, [{ code, slot: '1', score: '70.05' }]);
    expect(first.status).toBe(200);
    expect(first.body.rows[0]).toMatchObject({ status: 'saved', scriptStatus: 'awaiting_marks' });
    const second = await putMarks(t, s.round.id, marker2, [{ code, slot: '2', score: 75.05 }]);
    expect(second.body.rows[0]).toMatchObject({ status: 'saved', scriptStatus: 'final' });
    // 72.55 rounds half-up to 72.6.
    expect(await scriptRow(s.round.id, code)).toMatchObject({ status: 'final', final_score: '72.60', final_rule: 'average' });
    const history = await t.sql<{ new_score: string; rule: string }>('select new_score, rule from score_history h join scripts s on s.id = h.script_id where s.code = $1', [code]);
    expect(history).toEqual([{ new_score: '72.60', rule: 'average' }]);
  });

  it('when the spread is 5.01 or 9.99, then the head decides; at 10 it is escalated and a third marker settles it', async () => {
    const s = await markingSetup(t, { count: 3 });
    const codes = await codesOf(t, s.round.id);
    const [a, b, c] = s.apps.map((x) => codes.get(x.id)!);
    await putMarks(t, s.round.id, marker1, [
      { code: a!, slot: '1', score: '70' },
      { code: b!, slot: '1', score: '70' },
      { code: c!, slot: '1', score: '60' },
    ]);
    const res = await putMarks(t, s.round.id, marker2, [
      { code: a!, slot: '2', score: '75.01' },
      { code: b!, slot: '2', score: '79.99' },
      { code: c!, slot: '2', score: '70' },
    ]);
    expect(res.body.rows.map((r: { scriptStatus: string }) => r.scriptStatus)).toEqual(['head_decides', 'head_decides', 'escalated']);

    const list = await t.http.get(`/v1/rounds/${s.round.id}/reconciliation`).set(bearer(council));
    expect(list.status).toBe(200);
    const byCode = Object.fromEntries(list.body.items.map((i: { code: string }) => [i.code, i]));
    expect(byCode[a!]).toMatchObject({ partCode: 'written', status: 'head_decides', spread: '5.01' });
    expect(byCode[b!]).toMatchObject({ status: 'head_decides', spread: '9.99' });
    expect(byCode[c!]).toMatchObject({ status: 'escalated', spread: '10.00' });
    for (const app of s.apps) expect(JSON.stringify(list.body)).not.toContain(app.id);

    // A third marker is taken only for the escalated script.
    const third = await putMarks(t, s.round.id, marker3, [
      { code: c!, slot: '3', score: '66.5' },
      { code: a!, slot: '3', score: '72' },
    ]);
    expect(third.body.rows[0]).toMatchObject({ status: 'saved', scriptStatus: 'final' });
    expect(third.body.rows[1]).toMatchObject({ status: 'rejected', errors: [{ code: 'mark.third_not_needed' }] });
    expect(await scriptRow(s.round.id, c!)).toMatchObject({ final_score: '66.50', final_rule: 'third_marker' });
  });

  it('when the head decides with a reason, then the score is final and kept in score_history with the rule and reason; without a reason it is refused', async () => {
    const s = await markingSetup(t, { count: 2 });
    const codes = await codesOf(t, s.round.id);
    const [a, b] = s.apps.map((x) => codes.get(x.id)!);
    await putMarks(t, s.round.id, marker1, [{ code: a!, slot: '1', score: '60' }, { code: b!, slot: '1', score: '50' }]);
    await putMarks(t, s.round.id, marker2, [{ code: a!, slot: '2', score: '67' }, { code: b!, slot: '2', score: '50.5' }]);

    const noReason = await t.http.post(`/v1/rounds/${s.round.id}/reconciliation`).set(bearer(council)).send({ decisions: [{ code: a, score: '64' }] });
    expect(noReason.status).toBe(400);

    const notPending = await t.http
      .post(`/v1/rounds/${s.round.id}/reconciliation`)
      .set(bearer(council))
      .send({ decisions: [{ code: a, score: '64', reason: 'Hội đồng thống nhất' }, { code: b, score: '50', reason: 'x' }] });
    expect(notPending.status).toBe(422);
    expect(notPending.body.code).toBe('reconciliation.rejected');
    expect(notPending.body.rows).toEqual([expect.objectContaining({ row: 2, code: 'script.not_pending_decision' })]);
    expect((await scriptRow(s.round.id, a!)).status).toBe('head_decides');

    const tooHigh = await t.http.post(`/v1/rounds/${s.round.id}/reconciliation`).set(bearer(council)).send({ decisions: [{ code: a, score: '100.5', reason: 'r' }] });
    expect(tooHigh.body.rows[0].code).toBe('mark.out_of_range');

    const ok = await t.http
      .post(`/v1/rounds/${s.round.id}/reconciliation`)
      .set(bearer(council))
      .send({ decisions: [{ code: a, score: '64.5', reason: 'Trưởng ban chấm thi quyết định sau khi đối chiếu' }] });
    expect(ok.status).toBe(200);
    expect(ok.body.items).toEqual([{ code: a, score: '64.50', rule: 'head_decision', previousScore: null }]);
    expect(await scriptRow(s.round.id, a!)).toMatchObject({ status: 'final', final_score: '64.50', final_rule: 'head_decision' });
    const h = await t.sql<{ rule: string; reason: string; new_score: string }>(
      'select rule, reason, new_score from score_history h join scripts s on s.id = h.script_id where s.code = $1',
      [a],
    );
    expect(h).toEqual([{ rule: 'head_decision', reason: 'Trưởng ban chấm thi quyết định sau khi đối chiếu', new_score: '64.50' }]);
    const audit = await t.sql<{ n: number }>("select count(*)::int as n from audit_events where action = 'reconciliation.decided' and resource_id = $1", [s.round.id]);
    expect(audit[0]!.n).toBe(1);
    // A decided script takes no more marks.
    const late = await putMarks(t, s.round.id, marker1, [{ code: a!, slot: '1', score: '61' }]);
    expect(late.body.rows[0].errors[0].code).toBe('script.decided');
  });

  it('when the head scores a script 0 for a rule breach, then it is final at 0 with the reason', async () => {
    const s = await markingSetup(t, { count: 1 });
    const code = (await codesOf(t, s.round.id)).get(s.apps[0]!.id)!;
    await putMarks(t, s.round.id, marker1, [{ code, slot: '1', score: '80' }]);
    const res = await t.http
      .post(`/v1/rounds/${s.round.id}/reconciliation`)
      .set(bearer(council))
      .send({ decisions: [{ code, zero: true, reason: 'Bài thi có hai màu mực' }] });
    expect(res.status).toBe(200);
    expect(await scriptRow(s.round.id, code)).toMatchObject({ status: 'final', final_score: '0.00', final_rule: 'zero_for_breach', decision_reason: 'Bài thi có hai màu mực' });
  });
});

describe('mark entry rules', () => {
  it('when a row has an unknown code, a bad slot or a score above the maximum, then that row is rejected and the others saved', async () => {
    const s = await markingSetup(t, { count: 1 });
    const code = (await codesOf(t, s.round.id)).get(s.apps[0]!.id)!;
    const res = await putMarks(t, s.round.id, marker1, [
      { code: 'ZZZZZZZZ', slot: '1', score: '50' },
      { code, slot: 'panel:a', score: '50' },
      { code, slot: '1', score: '100.01' },
      { code, slot: '1', score: '50.123' },
      { code: code.toLowerCase(), slot: '1', score: '55' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ saved: 1, rejected: 4 });
    expect(res.body.rows.map((r: { errors?: { code: string }[] }) => r.errors?.[0]?.code ?? 'ok')).toEqual([
      'script.not_found',
      'mark.invalid_slot',
      'mark.out_of_range',
      'mark.invalid_score',
      'ok',
    ]);
    const marks = await t.sql<{ score: string }>('select m.score from marks m join scripts s on s.id = m.script_id where s.code = $1', [code]);
    expect(marks).toEqual([{ score: '55.00' }]);
  });

  it('when atomic=true and a row is wrong, then nothing is saved (422 marks.rejected)', async () => {
    const s = await markingSetup(t, { count: 1 });
    const code = (await codesOf(t, s.round.id)).get(s.apps[0]!.id)!;
    const res = await t.http
      .put(`/v1/rounds/${s.round.id}/marks?atomic=true`)
      .set(bearer(marker1))
      .send([{ code, slot: '1', score: '50' }, { code: 'ZZZZZZZZ', slot: '1', score: '1' }]);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('marks.rejected');
    expect((await t.sql('select 1 from marks m join scripts s on s.id = m.script_id where s.code = $1', [code])).length).toBe(0);
  });

  it('when a marker re-enters their own slot, then it is replaced; another marker on that slot gets 409 mark.slot_taken', async () => {
    const s = await markingSetup(t, { count: 1 });
    const code = (await codesOf(t, s.round.id)).get(s.apps[0]!.id)!;
    await putMarks(t, s.round.id, marker1, [{ code, slot: '1', score: '50' }]);
    const again = await putMarks(t, s.round.id, marker1, [{ code, slot: '1', score: '52' }]);
    expect(again.body.rows[0].status).toBe('replaced');
    const other = await putMarks(t, s.round.id, marker2, [{ code, slot: '1', score: '90' }]);
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('mark.slot_taken');
    const marks = await t.sql<{ score: string }>('select m.score from marks m join scripts s on s.id = m.script_id where s.code = $1', [code]);
    expect(marks).toEqual([{ score: '52.00' }]);
    const audit = await t.sql<{ after: { marks: { previous: string | null }[] } }>(
      "select after from audit_events where action = 'marks.entered' and resource_id = $1 order by occurred_at, id",
      [s.round.id],
    );
    expect(audit.map((a) => a.after.marks[0]!.previous)).toEqual([null, '50.00']);
  });

  it('when marks are sent as CSV, then they are read by header code,slot,score', async () => {
    const s = await markingSetup(t, { count: 2 });
    const codes = await codesOf(t, s.round.id);
    const [a, b] = s.apps.map((x) => codes.get(x.id)!);
    const res = await t.http
      .put(`/v1/rounds/${s.round.id}/marks`)
      .set(bearer(marker1))
      .set('content-type', 'text/csv')
      .send(`\uFEFFcode,slot,score\r\n${a},1,61.5\r\n${b},1,48\r\n`);
    expect(res.status).toBe(200);
    expect(res.body.saved).toBe(2);
    const bad = await t.http.put(`/v1/rounds/${s.round.id}/marks`).set(bearer(marker1)).set('content-type', 'text/csv').send('code,slot\r\nX,1\r\n');
    expect(bad.status).toBe(400);
  });

  it('when the round is not marking, then marks are refused with 409 round.not_marking', async () => {
    const drive = await createOpenDrive(t);
    const apps = await seedApplications(t, { driveId: drive.driveId, quotaId: drive.quotaId, count: 1 });
    const round = await createRound(t, drive.driveId);
    await issueScripts(t, round.id);
    const code = (await codesOf(t, round.id)).get(apps[0]!.id)!;
    const res = await putMarks(t, round.id, marker1, [{ code, slot: '1', score: '50' }]);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('round.not_marking');
  });

  it('when a panel part is marked by its members, then the average of all members is final', async () => {
    const s = await markingSetup(t, {
      count: 1,
      round: { parts: [{ code: 'interview', maxScore: '100', markingMode: 'panel', panelSize: 3, written: false }] },
    });
    const code = (await codesOf(t, s.round.id)).get(s.apps[0]!.id)!;
    await putMarks(t, s.round.id, marker1, [{ code, slot: 'panel:m1', score: '80' }]);
    await putMarks(t, s.round.id, marker2, [{ code, slot: 'panel:m2', score: '82' }]);
    expect((await scriptRow(s.round.id, code)).status).toBe('awaiting_marks');
    await putMarks(t, s.round.id, marker3, [{ code, slot: 'panel:m3', score: '84.5' }]);
    expect(await scriptRow(s.round.id, code)).toMatchObject({ status: 'final', final_score: '82.20', final_rule: 'average' });
    const extra = await putMarks(t, s.round.id, t.adminKey, [{ code, slot: 'panel:m4', score: '80' }]);
    expect(extra.body.rows[0].errors[0].code).toBe('mark.panel_full');
  });

  it.skipIf(!onPostgres)(`when two markers enter the same slot at once, then exactly one wins (${CONCURRENCY_SKIP_REASON})`, async () => {
    const s = await markingSetup(t, { count: 1 });
    const code = (await codesOf(t, s.round.id)).get(s.apps[0]!.id)!;
    const keys = [marker1, marker2, marker3, await t.keyFor('marker'), await t.keyFor('marker')];
    const results = await Promise.all(keys.map((k, i) => putMarks(t, s.round.id, k, [{ code, slot: '1', score: String(50 + i) }])));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'mark.slot_taken')).toBe(true);
    const rows = await t.sql<{ n: number }>('select count(*)::int as n from marks m join scripts s on s.id = m.script_id where s.code = $1', [code]);
    expect(rows[0]!.n).toBe(1);
  });
});

describe('lock and reveal', () => {
  it('when scripts are unreconciled, then lock is refused with their count; once all are final, lock, then reveal (audited)', async () => {
    const s = await markingSetup(t, { count: 2 });
    const codes = await codesOf(t, s.round.id);
    const [a, b] = s.apps.map((x) => codes.get(x.id)!);

    const early = await t.http.post(`/v1/rounds/${s.round.id}/reveal`).set(bearer(council));
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('round.not_locked');

    await putMarks(t, s.round.id, marker1, [{ code: a!, slot: '1', score: '70' }, { code: b!, slot: '1', score: '40' }]);
    await putMarks(t, s.round.id, marker2, [{ code: a!, slot: '2', score: '72' }]);
    const refused = await t.http.post(`/v1/rounds/${s.round.id}/transitions`).set(bearer(council)).send({ to: 'locked' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'round.unreconciled_scripts', unreconciled: 1 });

    const skip = await t.http.post(`/v1/rounds/${s.round.id}/transitions`).set(bearer(council)).send({ to: 'revealed' });
    expect(skip.status).toBe(409);

    await putMarks(t, s.round.id, marker2, [{ code: b!, slot: '2', score: '41' }]);
    const locked = await moveRound(t, s.round.id, 'locked', council);
    expect(locked.status).toBe('locked');
    const viaTransition = await t.http.post(`/v1/rounds/${s.round.id}/transitions`).set(bearer(council)).send({ to: 'revealed' });
    expect(viaTransition.body.code).toBe('round.reveal_required');
    const lateMark = await putMarks(t, s.round.id, marker1, [{ code: a!, slot: '1', score: '71' }]);
    expect(lateMark.body.code).toBe('round.not_marking');

    const marker = await t.http.post(`/v1/rounds/${s.round.id}/reveal`).set(bearer(marker1));
    expect(marker.status).toBe(403);
    const reveal = await t.http.post(`/v1/rounds/${s.round.id}/reveal`).set(bearer(council));
    expect(reveal.status).toBe(200);
    const item = reveal.body.items.find((i: { code: string }) => i.code === a);
    expect(item).toMatchObject({ applicationId: s.apps[0]!.id, candidateNumber: s.apps[0]!.candidateNumber, fullName: s.apps[0]!.fullName, finalScore: '71.00' });
    const [round] = await t.sql<{ status: string; revealed_at: Date | null }>('select status, revealed_at from rounds where id = $1', [s.round.id]);
    expect(round!.status).toBe('revealed');
    expect(round!.revealed_at).not.toBeNull();
    const audit = await t.sql<{ n: number }>("select count(*)::int as n from audit_events where action = 'round.revealed' and resource_id = $1", [s.round.id]);
    expect(audit[0]!.n).toBe(1);
    const published = await moveRound(t, s.round.id, 'published', council);
    expect(published.publishedAt).not.toBeNull();
  });
  it('when an application registered after the codes were issued has no script, then lock is refused until it is scored or marked absent', async () => {
    const s = await markingSetup(t, { count: 1, round: { parts: [{ code: 'written', maxScore: '100', markingMode: 'single', written: true }] } });
    const code = (await codesOf(t, s.round.id)).get(s.apps[0]!.id)!;
    await putMarks(t, s.round.id, marker1, [{ code, slot: '1', score: '55' }]);
    const [late] = await seedApplications(t, { driveId: s.driveId, quotaId: s.quotaId, count: 1 });
    const refused = await t.http.post(`/v1/rounds/${s.round.id}/transitions`).set(bearer(council)).send({ to: 'locked' });
    expect(refused.body).toMatchObject({ code: 'round.unreconciled_scripts', unreconciled: 1, missingScripts: 1 });
    const absent = await t.http.put(`/v1/rounds/${s.round.id}/scores`).set(bearer(council)).send([{ applicationId: late!.id, partCode: 'written', absent: true }]);
    expect(absent.body.saved).toBe(1);
    expect((await moveRound(t, s.round.id, 'locked', council)).status).toBe('locked');
    const [row] = await t.sql<{ absent: boolean; final_score: string | null }>('select absent, final_score from scripts where application_id = $1', [late!.id]);
    expect(row).toEqual({ absent: true, final_score: null });
  });
});

describe('direct score import (computer rounds)', () => {
  it('when correct-answer counts are imported for a gate round, then they become final direct_import scores; absent and bad rows are handled per row', async () => {
    const drive = await createOpenDrive(t);
    const apps = await seedApplications(t, { driveId: drive.driveId, quotaId: drive.quotaId, count: 3 });
    const round = await createRound(t, drive.driveId, {
      order: 1,
      code: 'round1',
      kind: 'gate',
      ranking: false,
      parts: [
        { code: 'general_knowledge', maxScore: '60', markingMode: 'single', written: false, weight: 0 },
        { code: 'foreign_language', maxScore: '30', markingMode: 'single', written: false, weight: 0 },
      ],
    });
    await moveRound(t, round.id, 'marking');
    const organizer = await t.keyFor('organizer');
    const res = await t.http
      .put(`/v1/rounds/${round.id}/scores`)
      .set(bearer(organizer))
      .send([
        { applicationId: apps[0]!.id, partCode: 'general_knowledge', correct: 30 },
        { candidateNumber: apps[0]!.candidateNumber, partCode: 'foreign_language', score: '15' },
        { applicationId: apps[1]!.id, partCode: 'general_knowledge', absent: true },
        { applicationId: apps[2]!.id, partCode: 'general_knowledge', correct: 61 },
        { applicationId: apps[2]!.id, partCode: 'nope', correct: 1 },
        { applicationId: apps[2]!.id, partCode: 'foreign_language', score: '10.5' },
      ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ saved: 3, rejected: 3 });
    expect(res.body.rows.map((r: { errors?: { code: string }[] }) => r.errors?.[0]?.code ?? 'ok')).toEqual([
      'ok',
      'ok',
      'ok',
      'mark.out_of_range',
      'part.not_found',
      'score.not_a_count',
    ]);
    const rows = await t.sql<{ application_id: string; code: string; final_score: string | null; final_rule: string; absent: boolean }>(
      'select s.application_id, p.code, s.final_score, s.final_rule, s.absent from scripts s join parts p on p.id = s.part_id where s.round_id = $1 order by p.code',
      [round.id],
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { application_id: apps[0]!.id, code: 'general_knowledge', final_score: '30.00', final_rule: 'direct_import', absent: false },
        { application_id: apps[0]!.id, code: 'foreign_language', final_score: '15.00', final_rule: 'direct_import', absent: false },
        { application_id: apps[1]!.id, code: 'general_knowledge', final_score: null, final_rule: 'absent', absent: true },
      ]),
    );
    const csv = await t.http
      .put(`/v1/rounds/${round.id}/scores`)
      .set(bearer(organizer))
      .set('content-type', 'text/csv')
      .send(`candidateNumber,partCode,correct,absent\r\n${apps[2]!.candidateNumber},general_knowledge,45,\r\n${apps[2]!.candidateNumber},foreign_language,,true\r\n`);
    expect(csv.status).toBe(200);
    expect(csv.body.saved).toBe(2);
  });
});
