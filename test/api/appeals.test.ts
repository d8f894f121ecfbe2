import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDate } from '../../src/domain/deadlines.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, onPostgres } from '../helpers/env.js';
import { codesOf, markingSetup, moveRound, putMarks, writtenPart } from '../factories/rounds.js';

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

  it('when the council resolves with a new score, then it replaces the final score and both values stay on the appeal and in score_history', async () => {
    const s = await markedRound();
    const filed = await t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(registrar)).send({ partCode: 'written', reason: 'phúc khảo' });
    const byRegistrar = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(registrar)).send({ newScore: '70', note: 'x' });
    expect(byRegistrar.status).toBe(403);
    const tooHigh = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(council)).send({ newScore: '100.5', note: 'x' });
    expect(tooHigh.status).toBe(422);
    expect(tooHigh.body.code).toBe('mark.out_of_range');
    const res = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(council)).send({ newScore: '68.25', note: 'Chấm phúc khảo: cộng điểm câu 3' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'changed', previousScore: '62.50', newScore: '68.25', resolutionNote: 'Chấm phúc khảo: cộng điểm câu 3' });
    const [script] = await t.sql<{ final_score: string; final_rule: string }>('select final_score, final_rule from scripts where round_id = $1 and code = $2', [s.round.id, s.written]);
    expect(script).toEqual({ final_score: '68.25', final_rule: 'appeal' });
    const history = await t.sql<{ previous_score: string | null; new_score: string; rule: string }>(
      'select previous_score, new_score, rule from score_history h join scripts s on s.id = h.script_id where s.code = $1 order by h.at, h.id',
      [s.written],
    );
    expect(history).toEqual([
      { previous_score: null, new_score: '62.50', rule: 'single' },
      { previous_score: '62.50', new_score: '68.25', rule: 'appeal' },
    ]);
    const audit = await t.sql<{ n: number }>("select count(*)::int as n from audit_events where action = 'appeal.resolved' and resource_id = $1", [filed.body.id]);
    expect(audit[0]!.n).toBe(1);
    const again = await t.http.post(`/v1/appeals/${filed.body.id}/resolution`).set(bearer(council)).send({ newScore: '70', note: 'x' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('appeal.already_resolved');
    // A resolved appeal frees the script for a new one.
    const second = await t.http.post(`/v1/applications/${s.app.id}/appeals`).set(bearer(registrar)).send({ partCode: 'written', reason: 'lần hai' });
    expect(second.status).toBe(201);
    const upheld = await t.http.post(`/v1/appeals/${second.body.id}/resolution`).set(bearer(council)).send({ newScore: '68.25', note: 'Giữ nguyên' });
    expect(upheld.body).toMatchObject({ status: 'upheld', previousScore: '68.25', newScore: '68.25' });
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
