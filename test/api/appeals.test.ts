import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDate } from '../../src/domain/deadlines.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, onPostgres } from '../helpers/env.js';
import { codesOf, markingSetup, moveRound, putMarks, writtenPart } from '../factories/rounds.js';
import { formCouncil, memberKey, seat } from '../factories/boards.js';
import { makeNationalId } from '../factories/candidates.js';

let t: TestApp;
let marker: string;
let council: string;
let registrar: string;
beforeAll(async () => {
  t = await setupApp();
  [marker, council, registrar] = await Promise.all([t.keyFor('marker'), t.keyFor('council'), t.keyFor('registrar')]);
});
afterAll(async () => {
  await t.close();
});

/** One application, a round with a written part and an interview, marked (written 62.5), locked and revealed. */
async function markedRound(opts: { publish?: boolean } = {}) {
  const s = await markingSetup(t, {
    count: 1,
    round: { parts: [writtenPart('written', { markingMode: 'single' }), { code: 'interview', name: 'Phỏng vấn', maxScore: '100', markingMode: 'single' }] },
  });
  const app = s.apps[0]!;
  const written = (await codesOf(t, s.round.id, 'written')).get(app.id)!;
  const interview = (await codesOf(t, s.round.id, 'interview')).get(app.id)!;
  const res = await putMarks(t, s.round.id, marker, [
    { code: written, slot: '1', score: '62.5' },
    { code: interview, slot: '1', score: '70' },
  ]);
  expect(res.body.saved).toBe(2);
  await moveRound(t, s.round.id, 'locked', council);
  expect((await t.http.post(`/v1/rounds/${s.round.id}/reveal`).set(bearer(council))).status).toBe(200);
  if (opts.publish !== false) await moveRound(t, s.round.id, 'published', council);
  return { ...s, app, written };
}

const publishedDaysAgo = (roundId: string, days: number) => t.sql('update rounds set published_at = now() - make_interval(days => $1::int) where id = $2', [days, roundId]);

describe('appeals (phúc khảo)', () => {
  it('when an appeal is filed inside the window, then it is pending with the score, window close and due date; a second one is 409 appeal.duplicate', async () => {
    const s = await markedRound();
    const res = await t.http
      .post(`/v1/applications/${s.app.id}/appeals`)
      .set(bearer(registrar))
      .send({ partCode: 'written', reason: 'Thí sinh đề nghị phúc khảo bài thi viết' });
    expect(res.status).toBe(201);
    const today = localDate(new Date());
    expect(res.body).toMatchObject({
      applicationId: s.app.id,
      roundId: s.round.id,
      partCode: 'written',
      status: 'pending',
      previousScore: '62.50',
      newScore: null,
      windowClosesOn: addDays(today, 15),
      dueOn: addDays(today, 30),
    });
    const dup = await t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(council)).send({ partCode: 'written', reason: 'again' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('appeal.duplicate');
    const list = await t.http.get(`/v1/applications/${s.app.id}/appeals`).set(bearer(registrar));
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([res.body.id]);
    const rows = await t.sql<{ n: number }>("select count(*)::int as n from appeals where application_id = $1 and status = 'pending'", [s.app.id]);
    expect(rows[0]!.n).toBe(1);
    expect((await t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(marker)).send({ partCode: 'written', reason: 'x' })).status).toBe(403);
  });

  it('when the round is not published, then 422 appeal.round_not_published', async () => {
    const s = await markedRound({ publish: false });
    const res = await t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(registrar)).send({ partCode: 'written', reason: 'sớm' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('appeal.round_not_published');
  });

  it('when the last day of the window is today, then the appeal is taken; a day later, 422 appeal.window_closed', async () => {
    const s = await markedRound();
    await publishedDaysAgo(s.round.id, 16);
    const late = await t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(registrar)).send({ partCode: 'written', reason: 'muộn' });
    expect(late.status).toBe(422);
    expect(late.body).toMatchObject({ code: 'appeal.window_closed', appealWindowDays: 15, closesOn: addDays(localDate(new Date()), -1) });
    expect((await t.sql('select 1 from appeals where application_id = $1', [s.app.id])).length).toBe(0);
    await publishedDaysAgo(s.round.id, 15);
    const lastDay = await t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(registrar)).send({ partCode: 'written', reason: 'ngày cuối' });
    expect(lastDay.status).toBe(201);
    expect(lastDay.body.windowClosesOn).toBe(localDate(new Date()));
  });

  it('when the part is not written, then 422 appeal.part_not_written', async () => {
    const s = await markedRound();
    const res = await t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(registrar)).send({ partCode: 'interview', reason: 'phỏng vấn' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('appeal.part_not_written');
    const none = await t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(registrar)).send({ partCode: 'nope', reason: 'x' });
    expect(none.status).toBe(404);
  });

  it('when two re-markers agree and the re-mark differs from the published score by 4.99, then the chair adopts it as it is; the original marker and a repeated re-marker are refused (Quy chế Art. 17(3)(a), 18(1))', async () => {
    const s = await markedRound();
    const filed = await t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(registrar)).send({ partCode: 'written', reason: 'phúc khảo' });
    expect(filed.status).toBe(201);
    const early = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(council)).send({ note: 'x' });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('appeal.remarking_incomplete');
    // The marker who marked the script never re-marks it (Quy chế Art. 17(1)(b), 17(2)).
    const own = await t.http.post(`/v1/appeals/${filed.body.id}/remarks`).set(bearer(marker)).send({ score: '67.49' });
    expect(own.status).toBe(409);
    expect(own.body.code).toBe('appeal.remarker_marked_script');
    const [r1, r2] = [await t.keyFor('marker'), await t.keyFor('marker')];
    const first = await t.http.post(`/v1/appeals/${filed.body.id}/remarks`).set(bearer(r1)).send({ score: '67.49' });
    expect(first.status).toBe(201);
    // The re-marker sees neither the earlier marks nor who gave them.
    expect(first.body).toEqual({ appealId: filed.body.id, code: s.written, slot: 1, score: '67.49', remarksNeeded: 2, complete: false });
    const again = await t.http.post(`/v1/appeals/${filed.body.id}/remarks`).set(bearer(r1)).send({ score: '67.49' });
    expect(again.body.code).toBe('appeal.remarker_repeated');
    expect((await t.http.post(`/v1/appeals/${filed.body.id}/remarks`).set(bearer(r2)).send({ score: '67.49' })).body).toMatchObject({ slot: 2, complete: true });
    const pending = await t.http.get(`/v1/applications/${s.app.id}/appeals`).set(bearer(registrar));
    expect(pending.body.items[0]).toMatchObject({ remarks: 2, appealScore: null, newScore: null, status: 'pending' });
    const byRegistrar = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(registrar)).send({ note: 'x' });
    expect(byRegistrar.status).toBe(403);
    const other = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(council)).send({ note: 'x', newScore: '70' });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('appeal.score_fixed');
    const res = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(council)).send({ note: 'Chấm phúc khảo: cộng điểm câu 3' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'changed', previousScore: '62.50', appealScore: '67.49', appealRule: 'remark_equal', newScore: '67.49', chairDecided: false });
    const [script] = await t.sql<{ final_score: string; final_rule: string }>('select final_score, final_rule from scripts where round_id = $1 and code = $2', [s.round.id, s.written]);
    expect(script).toEqual({ final_score: '67.49', final_rule: 'appeal' });
    const history = await t.sql<{ previous_score: string | null; new_score: string; rule: string }>(
      'select previous_score, new_score, rule from score_history h join scripts s on s.id = h.script_id where s.code = $1 and s.round_id = $2 order by h.at, h.id',
      [s.written, s.round.id],
    );
    expect(history.at(-1)).toEqual({ previous_score: '62.50', new_score: '67.49', rule: 'appeal' });
    const audit = await t.sql<{ n: number }>("select count(*)::int as n from audit_events where action = 'appeal.resolved' and resource_id = $1", [filed.body.id]);
    expect(audit[0]!.n).toBe(1);
    const twice = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(council)).send({ note: 'x' });
    expect(twice.body.code).toBe('appeal.already_resolved');
    // Quy chế Art. 17(5): the appeal results are published.
    const pub = await t.http.post(`/v1/rounds/${s.round.id}/appeal-results`).set(bearer(council));
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({ published: 1, items: [{ appealId: filed.body.id, partCode: 'written', previousScore: '62.50', appealScore: '67.49', newScore: '67.49' }] });
    expect((await t.http.get(`/v1/rounds/${s.round.id}/appeal-results`).set(bearer(registrar))).body.items).toHaveLength(1);
  });

  it('when the re-mark differs from the published score by exactly 5, then the chair decides after hearing both board heads, with the minute (Quy chế Art. 18(1))', async () => {
    const s = await markedRound();
    const filed = await t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(registrar)).send({ partCode: 'written', reason: 'phúc khảo' });
    for (const score of ['67.50', '67.50']) expect((await t.http.post(`/v1/appeals/${filed.body.id}/remarks`).set(bearer(await t.keyFor('marker'))).send({ score })).status).toBe(201);
    const bare = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(council)).send({ note: 'x' });
    expect(bare.status).toBe(422);
    expect(bare.body).toMatchObject({ code: 'appeal.chair_decision_required', appealScore: '67.50', difference: '5.00' });
    const noMinute = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(council)).send({ note: 'x', newScore: '66' });
    expect(noMinute.body.code).toBe('appeal.chair_decision_required');
    const res = await t.http
      .post(`/v1/appeals/${filed.body.id}/resolution`)
      .set(bearer(council))
      .send({ note: 'Chủ tịch quyết định sau khi nghe hai Trưởng ban', newScore: '66', minuteRef: 'BB 12/HĐTD ngày 10/12' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'changed', appealScore: '67.50', newScore: '66.00', chairDecided: true, chairMinuteRef: 'BB 12/HĐTD ngày 10/12' });
  });

  it('when the two re-marks differ, then a third re-marker marks: 2 of 3 equal gives that score, otherwise the mean at 2 decimals (Quy chế Art. 17(3)(b))', async () => {
    const cases = [
      { marks: ['64', '66', '66'], appealScore: '66.00', rule: 'remark_two_of_three' },
      { marks: ['64', '65', '64.01'], appealScore: '64.34', rule: 'remark_mean' },
    ];
    for (const c of cases) {
      const s = await markedRound();
      const filed = await t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(registrar)).send({ partCode: 'written', reason: 'phúc khảo' });
      const answers = [];
      for (const score of c.marks) answers.push(await t.http.post(`/v1/appeals/${filed.body.id}/remarks`).set(bearer(await t.keyFor('marker'))).send({ score }));
      expect(answers.map((a) => [a.status, a.body.remarksNeeded, a.body.complete])).toEqual([
        [201, 2, false],
        [201, 3, false],
        [201, 3, true],
      ]);
      const fourth = await t.http.post(`/v1/appeals/${filed.body.id}/remarks`).set(bearer(await t.keyFor('marker'))).send({ score: '1' });
      expect(fourth.body.code).toBe('appeal.remarks_complete');
      const res = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(council)).send({ note: 'x' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ appealScore: c.appealScore, appealRule: c.rule, newScore: c.appealScore });
    }
  });

  it('when the drive records its boards, then only appeals-board members re-mark, never a person who marked the script under another seat, and only the chair settles', async () => {
    const s = await markingSetup(t, { count: 1, round: { parts: [writtenPart('written', { markingMode: 'single' })] } });
    const { chair } = await formCouncil(t, s.driveId);
    const nationalId = makeNationalId();
    const markingSeat = await seat(t, s.driveId, 'marking', { fullName: 'Phạm Văn Chấm', nationalId });
    const samePerson = await seat(t, s.driveId, 'appeals', { fullName: 'Phạm Văn Chấm', nationalId });
    const [a1, a2] = [await seat(t, s.driveId, 'appeals', { fullName: 'Vũ Thị Phúc Khảo' }), await seat(t, s.driveId, 'appeals', { fullName: 'Đinh Văn Phúc Khảo' })];
    const written = (await codesOf(t, s.round.id, 'written')).get(s.apps[0]!.id)!;
    expect((await putMarks(t, s.round.id, await memberKey(t, s.driveId, markingSeat.id), [{ code: written, slot: '1', score: '50' }])).status).toBe(200);
    await moveRound(t, s.round.id, 'locked', council);
    expect((await t.http.post(`/v1/rounds/${s.round.id}/reveal`).set(bearer(council))).status).toBe(200);
    await moveRound(t, s.round.id, 'published', council);
    const filed = await t.http.post(`/v1/applications/${s.apps[0]!.id}/appeals`).set(bearer(registrar)).send({ partCode: 'written', reason: 'phúc khảo' });
    expect(filed.status).toBe(201);
    const chairKey = await memberKey(t, s.driveId, chair.id);
    const recoded = await t.http.post(`/v1/appeals/${filed.body.id}/recode`).set(bearer(chairKey));
    expect(recoded.status).toBe(200);
    expect(recoded.body.code).not.toBe(written);
    const byRoleKey = await t.http.post(`/v1/appeals/${filed.body.id}/remarks`).set(bearer(await t.keyFor('marker'))).send({ score: '50' });
    expect(byRoleKey.body.code).toBe('member.key_required');
    const marked = await t.http.post(`/v1/appeals/${filed.body.id}/remarks`).set(bearer(await memberKey(t, s.driveId, samePerson.id))).send({ score: '50' });
    expect(marked.status).toBe(409);
    expect(marked.body.code).toBe('appeal.remarker_marked_script');
    const ok1 = await t.http.post(`/v1/appeals/${filed.body.id}/remarks`).set(bearer(await memberKey(t, s.driveId, a1.id))).send({ score: '52' });
    expect(ok1.body).toMatchObject({ code: recoded.body.code, slot: 1 });
    expect((await t.http.post(`/v1/appeals/${filed.body.id}/remarks`).set(bearer(await memberKey(t, s.driveId, a2.id))).send({ score: '52' })).status).toBe(201);
    const byCouncilKey = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(council)).send({ note: 'x' });
    expect(byCouncilKey.body.code).toBe('member.key_required');
    const settled = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(chairKey)).send({ note: 'Điều chỉnh theo kết quả phúc khảo' });
    expect(settled.status, JSON.stringify(settled.body)).toBe(200);
    expect(settled.body).toMatchObject({ newScore: '52.00', recoded: true });
  });

  it('when the drive’s results are approved, then an appeal can neither be filed nor change a score (409 appeal.results_approved)', async () => {
    const s = await markedRound();
    const filed = await t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(registrar)).send({ partCode: 'written', reason: 'phúc khảo' });
    await t.sql("update drives set status = 'approved' where id = $1", [s.driveId]);
    const res = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(council)).send({ newScore: '90', note: 'x' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('appeal.results_approved');
    const [script] = await t.sql<{ final_score: string }>('select final_score from scripts where round_id = $1 and code = $2', [s.round.id, s.written]);
    expect(script!.final_score).toBe('62.50');
    const file = await t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(council)).send({ scriptId: filed.body.scriptId, reason: 'x' });
    expect(file.body.code).toBe('appeal.results_approved');
  });

  it.skipIf(!onPostgres)(`when the same appeal is filed several times at once, then one is pending (${CONCURRENCY_SKIP_REASON})`, async () => {
    const s = await markedRound();
    const results = await Promise.all([1, 2, 3, 4].map((i) => t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(registrar)).send({ partCode: 'written', reason: `r${i}` })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'appeal.duplicate')).toBe(true);
    const rows = await t.sql<{ n: number }>("select count(*)::int as n from appeals where application_id = $1 and status = 'pending'", [s.app.id]);
    expect(rows[0]!.n).toBe(1);
  });
});
