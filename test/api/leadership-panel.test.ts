import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { createOpenDrive } from '../factories/drives.js';
import { computeOk, openDriveWithQuotas, registerAll, resultsOf, rowsOf, scoredRound, toMarking } from '../factories/results.js';
import { codesOf, createRound, issueScripts, moveRound, putMarks, roundBody, writtenPart } from '../factories/rounds.js';

/*
 * Leadership-title exams under Circular 22/2025/TT-BNV by analogy (issue #16):
 * - the panel rule (Quy chế Art. 20(1), 22(1)) as the leadership rule set says (`leadership.panelScores`);
 * - a panel part marked by fewer than two members is refused at configuration (Art. 20(1), 22(1));
 * - candidate discipline (Nội quy Art. 2) applied to leadership results as to recruitment results.
 */

let t: TestApp;
let m1: string;
let m2: string;
beforeAll(async () => {
  t = await setupApp();
  [m1, m2] = await Promise.all([t.keyFor('marker'), t.keyFor('marker')]);
});
afterAll(async () => {
  await t.close();
});

const writtenRound = {
  order: 1,
  code: 'written',
  name: 'Phần 1 — thi viết',
  kind: 'scored' as const,
  ranking: false,
  exemptionCodes: [],
  parts: [{ code: 'written', name: 'Thi viết', maxScore: '100', weight: 1, markingMode: 'single' as const, written: true }],
};
const actionPlanRound = (panelSize: number | null = 2) => ({
  order: 2,
  code: 'action_plan',
  name: 'Phần 2 — trình bày đề án',
  kind: 'scored' as const,
  ranking: true,
  exemptionCodes: [],
  parts: [{ code: 'action_plan', name: 'Đề án', maxScore: '100', weight: 1, markingMode: 'panel' as const, panelSize, written: false }],
});

/** A leadership drive with one title per entry of `people`, in marking, the written part imported. */
async function leadershipDrive(people: { fullName: string; written: string }[][], overrides?: Record<string, unknown>) {
  const { driveId, quotaIds } = await openDriveWithQuotas(t, {
    kind: 'leadership',
    staffCategory: 'civil_servant',
    slots: people.map(() => 1),
    ...(overrides ? { overrides } : {}),
  });
  const flat = people.flatMap((title, i) => title.map((p) => ({ ...p, quotaId: quotaIds[i]! })));
  const apps = (await registerAll(t, driveId, flat)).map((a) => a.applicationId);
  await toMarking(t, driveId);
  const writtenId = await scoredRound(
    t,
    driveId,
    writtenRound,
    flat.map((p, i) => ({ applicationId: apps[i]!, partCode: 'written', score: p.written })),
  );
  return { driveId, quotaIds, apps, writtenId };
}

describe('leadership panels (Circular 22/2025 Quy chế Art. 22(1) by analogy, leadership.panelScores)', () => {
  it('Art. 22(1): when the rule set marks the panel by members (the preset), then a direct import of the Đề án is 409 scores.marked_part and the members’ marks give the mean at 2 decimals', async () => {
    const d = await leadershipDrive([
      [
        { fullName: 'Hoàng Văn Sơn', written: '70' },
        { fullName: 'Hoàng Thị Thu', written: '70' },
      ],
    ]);
    const drive = await t.http.get(`/v1/drives/${d.driveId}`).set(bearer(t.adminKey));
    expect(drive.body.ruleSet.effective.leadership.panelScores).toBe('members');
    const [a, b] = d.apps as [string, string];

    const r = await createRound(t, d.driveId, actionPlanRound());
    await issueScripts(t, r.id);
    await moveRound(t, r.id, 'marking');
    const imported = await t.http
      .put(`/v1/rounds/${r.id}/scores`)
      .set(bearer(t.adminKey))
      .send([{ applicationId: a, partCode: 'action_plan', score: '90' }]);
    expect(imported.status).toBe(409);
    expect(imported.body).toMatchObject({ code: 'scores.marked_part', parts: [{ code: 'action_plan', markingMode: 'panel' }] });
    expect(await t.sql('select final_score from scripts where round_id = $1 and final_score is not null', [r.id])).toHaveLength(0);

    const codes = await codesOf(t, r.id);
    const [ca, cb] = [codes.get(a)!, codes.get(b)!];
    await putMarks(t, r.id, m1, [
      { code: ca, slot: 'panel:m1', score: '80.01' },
      { code: cb, slot: 'panel:m1', score: '70' },
    ]);
    const second = await putMarks(t, r.id, m2, [
      { code: ca, slot: 'panel:m2', score: '75' },
      { code: cb, slot: 'panel:m2', score: '72.5' },
    ]);
    expect(second.status).toBe(200);
    expect(second.body.rows.map((x: { scriptStatus: string }) => x.scriptStatus)).toEqual(['final', 'final']);
    await moveRound(t, r.id, 'locked');
    expect((await t.http.post(`/v1/rounds/${r.id}/reveal`).set(bearer(t.adminKey))).status).toBe(200);

    await computeOk(t, d.driveId);
    const title = (await resultsOf(t, d.driveId)).get(d.quotaIds[0]!)!;
    expect(title.status).toBe('winner');
    // (80.01 + 75) / 2 = 77.505 → 77.51, half up at 2 decimals (Art. 22(1)).
    expect(rowsOf(title).get(a)!.explanation).toContain('action plan 77.51');
    expect(title.winners.map((w) => w.applicationId)).toEqual([a]);
  });

  it('when the rule set keeps the legacy import (leadership.panelScores: import), then the panel’s result is imported', async () => {
    const d = await leadershipDrive(
      [
        [
          { fullName: 'Lý Văn Tài', written: '60' },
          { fullName: 'Lý Thị Tâm', written: '65' },
        ],
      ],
      { leadership: { panelScores: 'import' } },
    );
    const [a, b] = d.apps as [string, string];
    await scoredRound(t, d.driveId, actionPlanRound(), [
      { applicationId: a, partCode: 'action_plan', score: '90' },
      { applicationId: b, partCode: 'action_plan', score: '70' },
    ]);
    await computeOk(t, d.driveId);
    expect((await resultsOf(t, d.driveId)).get(d.quotaIds[0]!)!.winners.map((w) => w.applicationId)).toEqual([a]);
  });
});

describe('panel parts at configuration (Circular 22/2025 Quy chế Art. 20(1), 22(1): at least two members score each candidate)', () => {
  const interviewRound = (interview: Record<string, unknown>) =>
    roundBody({ parts: [writtenPart('written', { weight: 70 }), { code: 'interview', maxScore: '100', weight: 30, written: false, ...interview }] });

  it('Art. 20(1): when a 170 drive’s round has a panel part without a size, or the rule set’s interview marked single, then 422 part.panel_size_required / part.panel_required, on create and on update', async () => {
    const d = await createOpenDrive(t, { preset: 'nd170' });
    const post = (body: object) => t.http.post(`/v1/drives/${d.driveId}/rounds`).set(bearer(t.adminKey)).send(body);

    const unsized = await post(interviewRound({ markingMode: 'panel' }));
    expect(unsized.status).toBe(422);
    expect(unsized.body).toMatchObject({ code: 'part.panel_size_required', parts: ['interview'], minimum: 2 });
    const single = await post(interviewRound({ markingMode: 'single' }));
    expect(single.status).toBe(422);
    expect(single.body).toMatchObject({ code: 'part.panel_required', parts: [{ code: 'interview', markingMode: 'single' }] });
    // A panel of one is not a panel (the schema's minimum).
    expect((await post(interviewRound({ markingMode: 'panel', panelSize: 1 }))).status).toBe(400);

    const ok = await post(interviewRound({ markingMode: 'panel', panelSize: 3 }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const patched = await t.http
      .patch(`/v1/rounds/${ok.body.id}`)
      .set(bearer(t.adminKey))
      .send({ parts: interviewRound({ markingMode: 'panel', panelSize: null }).parts });
    expect(patched.status).toBe(422);
    expect(patched.body.code).toBe('part.panel_size_required');
    const parts = await t.sql<{ code: string; panel_size: number | null }>('select code, panel_size from parts where round_id = $1 order by position', [ok.body.id]);
    expect(parts).toEqual([
      { code: 'written', panel_size: null },
      { code: 'interview', panel_size: 3 },
    ]);
  });

  it('when a leadership drive’s Đề án panel has no size, then 422 part.panel_size_required; a public-employee drive (Circular 6/2020 kept) still takes it', async () => {
    const leadership = await createOpenDrive(t, { kind: 'leadership', preset: 'leadership' });
    const refused = await t.http.post(`/v1/drives/${leadership.driveId}/rounds`).set(bearer(t.adminKey)).send(actionPlanRound(null));
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('part.panel_size_required');

    const nd115 = await createOpenDrive(t, { staffCategory: 'public_employee', preset: 'nd115' });
    const kept = await t.http
      .post(`/v1/drives/${nd115.driveId}/rounds`)
      .set(bearer(t.adminKey))
      .send(roundBody({ parts: [{ code: 'interview', maxScore: '100', markingMode: 'panel', written: false }] }));
    expect(kept.status, JSON.stringify(kept.body)).toBe(201);
  });
});

describe('discipline on leadership results (Circular 22/2025 Nội quy Art. 2)', () => {
  it('Art. 2(2), 2(4): when a reprimand is applied on a written paper and a candidate is suspended, then the leadership results deduct 25 %, cancel the suspended papers, and the explanation names each act', async () => {
    const d = await leadershipDrive(
      [
        [
          { fullName: 'Cao Văn Khải', written: '80' },
          { fullName: 'Cao Thị Kim', written: '70' },
        ],
        [
          { fullName: 'Đinh Văn Lâm', written: '90' },
          { fullName: 'Đinh Thị Liên', written: '60' },
        ],
      ],
      { leadership: { panelScores: 'import' } },
    );
    const [a, b, c, e] = d.apps as [string, string, string, string];
    await scoredRound(t, d.driveId, actionPlanRound(), [
      { applicationId: a, partCode: 'action_plan', score: '70' },
      { applicationId: b, partCode: 'action_plan', score: '75' },
      { applicationId: c, partCode: 'action_plan', score: '90' },
      { applicationId: e, partCode: 'action_plan', score: '60' },
    ]);
    await computeOk(t, d.driveId);
    let results = await resultsOf(t, d.driveId);
    // Without discipline: 80 + 70 = 150 beats 70 + 75 = 145; 90 + 90 beats 60 + 60.
    expect(results.get(d.quotaIds[0]!)!.winners.map((w) => w.applicationId)).toEqual([a]);
    expect(results.get(d.quotaIds[1]!)!.winners.map((w) => w.applicationId)).toEqual([c]);

    const act = (body: object) => t.http.post(`/v1/rounds/${d.writtenId}/discipline`).set(bearer(t.adminKey)).send(body);
    const reprimand = await act({ applicationId: a, partCode: 'written', kind: 'reprimand', minuteRef: 'BB-07/PT', reason: 'Trao đổi với thí sinh khác sau khi đã bị nhắc nhở' });
    expect(reprimand.status, JSON.stringify(reprimand.body)).toBe(201);
    expect(reprimand.body.status).toBe('decided');
    expect((await t.http.post(`/v1/discipline-acts/${reprimand.body.id}/apply`).set(bearer(t.adminKey))).status).toBe(200);
    const suspension = await act({ applicationId: c, partCode: 'written', kind: 'suspension', minuteRef: 'BB-08/PT', reason: 'Mang tài liệu vào phòng thi' });
    expect(suspension.status, JSON.stringify(suspension.body)).toBe(201);

    await computeOk(t, d.driveId);
    results = await resultsOf(t, d.driveId);
    const first = results.get(d.quotaIds[0]!)!;
    // 80 − 25 % = 60: 60 + 70 = 130 < 145.
    expect(first.winners.map((w) => w.applicationId)).toEqual([b]);
    const reprimanded = rowsOf(first).get(a)!;
    expect(reprimanded.rawScore).toBe('60.00');
    expect(reprimanded.explanation).toContain('Discipline (Nội quy Art. 2): written.written: 80.00 − 25 % = 60.00: reprimand (Nội quy Art. 2(2)), minute BB-07/PT');
    const second = results.get(d.quotaIds[1]!)!;
    // The suspended paper and the later one (the Đề án) are cancelled: 0 fails the written gate.
    expect(second.winners.map((w) => w.applicationId)).toEqual([e]);
    const suspended = rowsOf(second).get(c)!;
    expect(suspended.outcome).not.toBe('winner');
    expect(suspended.explanation).toContain('written.written: 90.00 → 0: suspended (Nội quy Art. 2(4)), minute BB-08/PT');
    expect(suspended.explanation).toContain('action_plan.action_plan: 90.00 → 0');
  });
});
