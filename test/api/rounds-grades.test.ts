import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { computeOk, openDriveWithQuotas, registerAll, resultsOf, rowsOf, scoredRound, toMarking } from '../factories/results.js';
import { windowAroundToday } from '../factories/candidates.js';
import { addQuota, createAgencyWithHeadcount, createDrive, openDrive } from '../factories/drives.js';
import { codesOf, createRound, moveRound, putMarks, type RoundBody } from '../factories/rounds.js';

/*
 * Decree 170/2025 Art. 9 (as amended by Decree 300/2026 Art. 2): who sits which round, through the
 * API on PostgreSQL. Round 2 is sat only by those who passed round 1 (Art. 9(2)(a), 16(3)(c)).
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

// Art. 9(2)(a): one computer test of 60 questions, passed with ≥ 50 % correct; no exemption.
const round1: RoundBody = {
  order: 1,
  code: 'round1',
  name: 'Vòng 1 — kiến thức, năng lực chung',
  kind: 'gate',
  ranking: false,
  exemptionCodes: [],
  parts: [{ code: 'general_knowledge', name: 'Kiến thức chung', maxScore: '60', weight: 0, markingMode: 'single', written: false }],
};

// Art. 9(2)(b): written + interview, combined 70/30; the written test on computer, its scores the machine's
// export (a paper written part is double-marked, never imported: Circular 22/2025 Quy chế Art. 16); the
// interview scored by a panel of two, each member's own mark (Quy chế Art. 20(1), 22(1)).
const round2: RoundBody = {
  order: 2,
  code: 'round2',
  name: 'Vòng 2 — nghiệp vụ chuyên ngành',
  kind: 'scored',
  ranking: true,
  exemptionCodes: [],
  parts: [
    { code: 'written', name: 'Thi viết', maxScore: '100', weight: 70, markingMode: 'single', written: true, computer: true },
    { code: 'interview', name: 'Phỏng vấn', maxScore: '100', weight: 30, markingMode: 'panel', panelSize: 2, written: false },
  ],
};

const scriptsOf = (roundId: string) =>
  t.sql<{ application_id: string; code: string }>('select application_id, code from scripts where round_id = $1 order by application_id, code', [roundId]);

/** A drive in marking with one quota and round 1 scored and revealed: `correct[i]` of 60 (null: absent). */
async function afterRound1(preset: 'nd138' | 'nd170' | 'nd170-300', correct: (number | null)[]) {
  const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset, slots: [2] });
  const quotaId = quotaIds[0]!;
  const apps = (await registerAll(t, driveId, correct.map((_, i) => ({ fullName: `Phan Thị Thí Sinh ${String.fromCharCode(65 + i)}`, quotaId })))).map((a) => a.applicationId);
  await toMarking(t, driveId);
  const round1Id = await scoredRound(
    t,
    driveId,
    round1,
    correct.map((c, i) => (c === null ? { applicationId: apps[i]!, partCode: 'general_knowledge', absent: true } : { applicationId: apps[i]!, partCode: 'general_knowledge', correct: c })),
  );
  return { driveId, quotaId, apps, round1Id };
}

describe('Decree 170/2025 Art. 9(2)(a): round 2 is sat only by those who passed round 1', () => {
  it('when one candidate answers 30 of 60, one 29 and one is absent, then only the first gets round-2 scripts, a score for the others is refused, and results still explain the round-1 failure', async () => {
    const { driveId, quotaId, apps } = await afterRound1('nd170-300', [30, 29, null]);
    const r2 = await createRound(t, driveId, round2);
    const issued = await t.http.post(`/v1/rounds/${r2.id}/scripts`).set(bearer(t.adminKey));
    expect(issued.status).toBe(200);
    // The written test is on computer: the interview script follows its result (Art. 16(4)(c)).
    expect(issued.body).toEqual({ issued: 1, existing: 0, exempt: 0, notAdmitted: 2, parts: 2 });
    const scripts = await scriptsOf(r2.id);
    expect(new Set(scripts.map((s) => s.application_id))).toEqual(new Set([apps[0]]));

    await moveRound(t, r2.id, 'marking');
    // A direct import cannot give the round-1 failure a round-2 script either.
    const refused = await t.http
      .put(`/v1/rounds/${r2.id}/scores?atomic=false`)
      .set(bearer(t.adminKey))
      .send([
        { applicationId: apps[0]!, partCode: 'written', score: '80' },
        { applicationId: apps[1]!, partCode: 'written', score: '95' },
      ]);
    expect(refused.status).toBe(200);
    expect(refused.body.saved).toBe(1);
    expect(refused.body.rows[1]).toMatchObject({ row: 2, status: 'rejected', errors: [{ code: 'script.not_admitted' }] });
    expect((await scriptsOf(r2.id)).every((s) => s.application_id === apps[0])).toBe(true);

    // The interview follows the computer result (Art. 16(4)(c)); its panel marks the one admitted; locking counts no
    // missing script for those kept out.
    expect((await t.http.post(`/v1/rounds/${r2.id}/scripts`).set(bearer(t.adminKey))).body).toMatchObject({ issued: 1 });
    await markPanelAndReveal(r2.id, 'interview', [[apps[0]!, '70']]);
    await computeOk(t, driveId);
    const rows = rowsOf((await resultsOf(t, driveId)).get(quotaId)!);
    expect(rows.get(apps[0]!)).toMatchObject({ outcome: 'winner', rawScore: '77.00' });
    expect(rows.get(apps[1]!)!.outcome).toBe('failed');
    expect(rows.get(apps[1]!)!.gate.reasons.map((r) => r.code)).toEqual(['gate.round1_part_below']);
    expect(rows.get(apps[2]!)!.outcome).toBe('absent');
  });

  it('when round 1 is not yet revealed, then round-2 scripts are refused with 409 round.gate_not_revealed', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd170', slots: [1] });
    await registerAll(t, driveId, [{ fullName: 'Đinh Văn Khoa', quotaId: quotaIds[0]! }]);
    await toMarking(t, driveId);
    const r1 = await createRound(t, driveId, round1);
    const r2 = await createRound(t, driveId, round2);
    const res = await t.http.post(`/v1/rounds/${r2.id}/scripts`).set(bearer(t.adminKey));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'round.gate_not_revealed', gateRounds: [{ id: r1.id, code: 'round1', status: 'scheduled' }] });
    expect(await scriptsOf(r2.id)).toEqual([]);
  });

  it('when a Decree 138/2020 drive (historical) has a round-1 failure, then round-2 scripts still go to every active application, as before', async () => {
    const { driveId, apps } = await afterRound1('nd138', [30, 29]);
    const r2 = await createRound(t, driveId, round2);
    const issued = await t.http.post(`/v1/rounds/${r2.id}/scripts`).set(bearer(t.adminKey));
    expect(issued.body).toEqual({ issued: 4, existing: 0, exempt: 0, notAdmitted: 0, parts: 2 });
    expect(new Set((await scriptsOf(r2.id)).map((s) => s.application_id))).toEqual(new Set(apps));
  });
});

/** A civil-servant drive under nd170-300 with one quota (1 slot) per grade (null: a position without a grade). */
async function mixedDrive(grades: (string | null)[]) {
  const { agencyId } = await createAgencyWithHeadcount(t, { staffCategory: 'civil_servant', year: 2025, name: 'Sở Tài chính' });
  const window = windowAroundToday();
  const driveId = await createDrive(t, { organizingAgencyId: agencyId, kind: 'recruitment', staffCategory: 'civil_servant', preset: 'nd170-300', ...window });
  const quotaIds: string[] = [];
  const positionIds: string[] = [];
  for (const grade of grades) {
    const pos = await t.http
      .post('/v1/job-positions')
      .set(bearer(t.adminKey))
      .send({
        agencyId,
        code: `VT_${(grade ?? 'none').toUpperCase()}_${Math.random().toString(36).slice(2, 8)}`,
        name: `Vị trí ${grade ?? 'chưa xếp ngạch'}`,
        staffCategory: 'civil_servant',
        ...(grade ? { grade } : {}),
      });
    expect(pos.status, JSON.stringify(pos.body)).toBe(201);
    expect(pos.body.grade).toBe(grade);
    positionIds.push(pos.body.id);
    quotaIds.push(await addQuota(t, driveId, { agencyId, jobPositionId: pos.body.id, slots: 1 }));
  }
  await openDrive(t, driveId);
  return { driveId, quotaIds, positionIds };
}

type Score = { applicationId: string; partCode: string; score?: string; correct?: number; absent?: boolean };

/** Moves a round to marking and has two markers give each written script the same mark. */
async function markTwice(roundId: string, marks: [string, string][]) {
  await moveRound(t, roundId, 'marking');
  const codes = await codesOf(t, roundId, 'written');
  const [m1, m2] = await Promise.all([t.keyFor('marker'), t.keyFor('marker')]);
  for (const [key, slot] of [[m1, '1'], [m2, '2']] as const) {
    const res = await putMarks(t, roundId, key, marks.map(([app, score]) => ({ code: codes.get(app)!, slot, score })));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

/** Two panel members give each script the same mark (their mean); the round is then locked and revealed. */
async function markPanelAndReveal(roundId: string, partCode: string, marks: [string, string][]) {
  const codes = await codesOf(t, roundId, partCode);
  const [m1, m2] = await Promise.all([t.keyFor('marker'), t.keyFor('marker')]);
  for (const [key, slot] of [[m1, 'panel:m1'], [m2, 'panel:m2']] as const) {
    const res = await putMarks(t, roundId, key, marks.map(([app, score]) => ({ code: codes.get(app)!, slot, score })));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  await moveRound(t, roundId, 'locked');
  expect((await t.http.post(`/v1/rounds/${roundId}/reveal`).set(bearer(t.adminKey))).status).toBe(200);
}

async function scoreAndReveal(roundId: string, rows: Score[], marking = false) {
  if (!marking) await moveRound(t, roundId, 'marking');
  const res = await t.http.put(`/v1/rounds/${roundId}/scores?atomic=true`).set(bearer(t.adminKey)).send(rows);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await moveRound(t, roundId, 'locked');
  expect((await t.http.post(`/v1/rounds/${roundId}/reveal`).set(bearer(t.adminKey))).status).toBe(200);
}

describe('Decree 170/2025 Art. 9: each grade sits its own structure in one drive', () => {
  it('when a drive holds nhân viên, chuyên viên and chuyên viên chính quotas, then each sits its own rounds, scripts go only to its candidates, and winners are ranked per quota over its own rounds', async () => {
    const { driveId, quotaIds, positionIds } = await mixedDrive(['nhan_vien', 'chuyen_vien', 'chuyen_vien_chinh']);
    const [nv, cv, cvc] = quotaIds as [string, string, string];
    // A position's grade is fixed once a quota names it.
    const regrade = await t.http.patch(`/v1/job-positions/${positionIds[0]}`).set(bearer(t.adminKey)).send({ grade: 'chuyen_vien' });
    expect(regrade.status).toBe(409);
    expect(regrade.body.code).toBe('job_position.in_use');

    const created = await t.http.post(`/v1/drives/${driveId}/rounds?fromRuleSet=true`).set(bearer(t.adminKey));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    type R = { id: string; grade: string; order: number; code: string; kind: string; ranking: boolean; parts: { code: string; maxScore: string; weight: number }[] };
    const rounds = created.body.items as R[];
    expect(rounds.map((r) => [r.grade, r.order, r.code, r.kind, r.ranking])).toEqual([
      ['nhan_vien', 1, 'professional', 'scored', true], // Art. 9(1): one oral or practical exam on 100
      ['chuyen_vien', 1, 'round1', 'gate', false], // Art. 9(2)(a): computer test, 60 questions
      ['chuyen_vien', 2, 'round2', 'scored', true], // Art. 9(2)(b)
      ['chuyen_vien_chinh', 1, 'round2', 'scored', true], // Art. 9(3): round 2 only
    ]);
    expect(rounds[1]!.parts.map((p) => [p.code, p.maxScore])).toEqual([['general_knowledge', '60.00']]);
    expect(rounds[3]!.parts.map((p) => [p.code, p.weight])).toEqual([
      ['written', 70],
      ['interview', 30],
    ]);
    const [nvRound, cvRound1, cvRound2, cvcRound] = rounds.map((r) => r.id) as [string, string, string, string];
    // A round of every quota cannot take an order that a graded round's quotas already sit.
    const clash = await t.http.post(`/v1/drives/${driveId}/rounds`).set(bearer(t.adminKey)).send({ ...round1, code: 'round1_all' });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('round.order_taken');

    const people = [
      { fullName: 'Nguyễn Văn An', quotaId: nv },
      { fullName: 'Trần Thị Bích', quotaId: nv },
      { fullName: 'Lê Văn Cường', quotaId: cv },
      { fullName: 'Phạm Thị Dung', quotaId: cv },
      { fullName: 'Hoàng Văn Em', quotaId: cv },
      { fullName: 'Vũ Thị Phương', quotaId: cvc },
      { fullName: 'Đỗ Văn Giang', quotaId: cvc },
    ];
    const [a, b, c, d, e, f, g] = (await registerAll(t, driveId, people)).map((x) => x.applicationId) as [string, string, string, string, string, string, string];
    await toMarking(t, driveId);

    // Nhân viên: the oral exam, sat by the nhân viên quota only.
    const nvScripts = await t.http.post(`/v1/rounds/${nvRound}/scripts`).set(bearer(t.adminKey));
    expect(nvScripts.body).toMatchObject({ issued: 2, notAdmitted: 0 });
    // The oral is marked by a panel (Circular 22/2025 Quy chế Art. 22(1)): each member's mark, never an imported result.
    await moveRound(t, nvRound, 'marking');
    const imported = await t.http
      .put(`/v1/rounds/${nvRound}/scores?atomic=false`)
      .set(bearer(t.adminKey))
      .send([{ applicationId: a, partCode: 'professional', score: '70' }]);
    expect(imported.status).toBe(409);
    expect(imported.body.code).toBe('scores.marked_part');
    await markPanelAndReveal(nvRound, 'professional', [
      [a, '70'],
      [b, '60'],
    ]);

    // Chuyên viên: round 1 (30 of 60 passes), then round 2 for those who passed. The computer test's export cannot score a nhân viên.
    await moveRound(t, cvRound1, 'marking');
    const other = await t.http
      .put(`/v1/rounds/${cvRound1}/scores?atomic=false`)
      .set(bearer(t.adminKey))
      .send([{ applicationId: a, partCode: 'general_knowledge', correct: 50 }]);
    expect(other.body.rows[0]).toMatchObject({ status: 'rejected', errors: [{ code: 'script.other_grade' }] });
    await scoreAndReveal(cvRound1, [
      { applicationId: c, partCode: 'general_knowledge', correct: 40 },
      { applicationId: d, partCode: 'general_knowledge', correct: 20 },
      { applicationId: e, partCode: 'general_knowledge', correct: 35 },
    ], true);
    const cvScripts = await t.http.post(`/v1/rounds/${cvRound2}/scripts`).set(bearer(t.adminKey));
    expect(cvScripts.body).toEqual({ issued: 4, existing: 0, exempt: 0, notAdmitted: 1, parts: 2 });
    expect(new Set((await scriptsOf(cvRound2)).map((s) => s.application_id))).toEqual(new Set([c, e]));
    // The preset's written part is on paper: two members mark it (Circular 22/2025 Quy chế Art. 16), never an import.
    await markTwice(cvRound2, [
      [c, '80'],
      [e, '60'],
    ]);
    await markPanelAndReveal(cvRound2, 'interview', [
      [c, '70'],
      [e, '60'],
    ]);

    // Chuyên viên chính: round 2 only; the chuyên viên round 1 does not concern it.
    const cvcScripts = await t.http.post(`/v1/rounds/${cvcRound}/scripts`).set(bearer(t.adminKey));
    expect(cvcScripts.body).toEqual({ issued: 4, existing: 0, exempt: 0, notAdmitted: 0, parts: 2 });
    expect(new Set((await scriptsOf(cvcRound)).map((s) => s.application_id))).toEqual(new Set([f, g]));
    await markTwice(cvcRound, [
      [f, '90'],
      [g, '55'],
    ]);
    await markPanelAndReveal(cvcRound, 'interview', [
      [f, '50'],
      [g, '80'],
    ]);

    await computeOk(t, driveId);
    const results = await resultsOf(t, driveId);
    const nvRows = rowsOf(results.get(nv)!);
    expect(nvRows.get(a)).toMatchObject({ outcome: 'winner', rawScore: '70.00' });
    expect(nvRows.get(b)).toMatchObject({ outcome: 'reserve', rawScore: '60.00' });
    const cvRows = rowsOf(results.get(cv)!);
    expect(cvRows.get(c)).toMatchObject({ outcome: 'winner', rawScore: '77.00' }); // 56 + 21
    expect(cvRows.get(e)).toMatchObject({ outcome: 'reserve', rawScore: '60.00' });
    expect(cvRows.get(d)!.outcome).toBe('failed');
    expect(cvRows.get(d)!.gate.reasons.map((r) => r.code)).toEqual(['gate.round1_part_below']);
    const cvcRows = rowsOf(results.get(cvc)!);
    expect(cvcRows.get(f)).toMatchObject({ outcome: 'winner', rawScore: '78.00' }); // 63 + 15
    expect(cvcRows.get(g)).toMatchObject({ outcome: 'reserve', rawScore: '62.50' }); // 38.5 + 24
  });

  it('when some quotas of a graded drive have a position without a grade, then ?fromRuleSet=true is 422 round.quota_without_grade and creates nothing', async () => {
    const { driveId, quotaIds } = await mixedDrive(['chuyen_vien', null]);
    const res = await t.http.post(`/v1/drives/${driveId}/rounds?fromRuleSet=true`).set(bearer(t.adminKey));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'round.quota_without_grade', quotaIds: [quotaIds[1]] });
    expect(await t.sql('select 1 from rounds where drive_id = $1', [driveId])).toEqual([]);
  });
});

describe('Decree 170/2025 Art. 16(4)(c): the interview after a written test', () => {
  const writtenThenInterview = (computer: boolean): RoundBody => ({
    ...round2,
    parts: [
      { code: 'written', name: computer ? 'Thi viết trên máy tính' : 'Thi viết trên giấy', maxScore: '100', weight: 70, markingMode: 'single', written: true, ...(computer ? { computer: true } : {}) },
      { code: 'interview', name: 'Phỏng vấn', maxScore: '100', weight: 30, markingMode: 'panel', panelSize: 2, written: false },
    ],
  });

  it('when the written test is on computer, then only those who passed it get an interview script or score; the failure is failed on the written part, not absent, and cannot appeal', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd170-300', slots: [1] });
    const [p, q, r] = (await registerAll(t, driveId, [
      { fullName: 'Mai Văn Phúc', quotaId: quotaIds[0]! },
      { fullName: 'Lý Thị Quyên', quotaId: quotaIds[0]! },
      { fullName: 'Tạ Văn Rạng', quotaId: quotaIds[0]! },
    ])).map((x) => x.applicationId) as [string, string, string];
    await toMarking(t, driveId);
    const round = await createRound(t, driveId, writtenThenInterview(true));
    expect(round.parts.map((x) => [x.code, (x as { computer?: boolean }).computer])).toEqual([
      ['written', true],
      ['interview', false],
    ]);
    await moveRound(t, round.id, 'marking');
    // Before the computer results, the written test alone.
    const first = await t.http.post(`/v1/rounds/${round.id}/scripts`).set(bearer(t.adminKey));
    expect(first.body).toMatchObject({ issued: 3 });
    // The computer results come in.
    const imported = await t.http
      .put(`/v1/rounds/${round.id}/scores?atomic=false`)
      .set(bearer(t.adminKey))
      .send([
        { applicationId: p, partCode: 'written', score: '60' },
        { applicationId: q, partCode: 'written', score: '45' },
        { applicationId: r, partCode: 'written', absent: true },
      ]);
    expect(imported.status).toBe(200);
    expect(imported.body.saved).toBe(3);
    // The interview goes to the one who passed only: issuing again adds none for the one below half or the absentee.
    expect((await t.http.post(`/v1/rounds/${round.id}/scripts`).set(bearer(t.adminKey))).body).toMatchObject({ issued: 1 });
    const interviews = await t.sql<{ application_id: string }>(
      "select s.application_id from scripts s join parts pt on pt.id = s.part_id where s.round_id = $1 and pt.code = 'interview'",
      [round.id],
    );
    expect(interviews.map((x) => x.application_id)).toEqual([p]);

    await markPanelAndReveal(round.id, 'interview', [[p, '70']]);
    await computeOk(t, driveId);
    const rows = rowsOf((await resultsOf(t, driveId)).get(quotaIds[0]!)!);
    expect(rows.get(p)).toMatchObject({ outcome: 'winner', rawScore: '63.00' }); // 42 + 21
    expect(rows.get(q)!.outcome).toBe('failed');
    expect(rows.get(q)!.gate.reasons.map((x) => x.code)).toContain('gate.part_below_minimum');
    expect(rows.get(r)!.outcome).toBe('absent');

    // Art. 16(4)(b): no appeal against a computer written test.
    await moveRound(t, round.id, 'published');
    const appeal = await t.http.post(`/v1/applications/${q}/appeals`).set(bearer(t.adminKey)).send({ partCode: 'written', reason: 'Xin phúc khảo' });
    expect(appeal.status).toBe(422);
    expect(appeal.body.code).toBe('appeal.part_on_computer');
  });

  it('when the written test is on paper, then the interview follows at once: everyone gets both scripts before any written mark', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd170-300', slots: [1] });
    const apps = (await registerAll(t, driveId, [
      { fullName: 'Kiều Văn Sơn', quotaId: quotaIds[0]! },
      { fullName: 'La Thị Tâm', quotaId: quotaIds[0]! },
    ])).map((x) => x.applicationId);
    await toMarking(t, driveId);
    const round = await createRound(t, driveId, writtenThenInterview(false));
    const issued = await t.http.post(`/v1/rounds/${round.id}/scripts`).set(bearer(t.adminKey));
    expect(issued.body).toMatchObject({ issued: 4, parts: 2 });
    expect(new Set((await scriptsOf(round.id)).map((s) => s.application_id))).toEqual(new Set(apps));
  });

  it('when a part on computer is not written, then 422 part.computer_not_written', async () => {
    const { driveId } = await openDriveWithQuotas(t, { preset: 'nd170-300', slots: [1] });
    const res = await t.http
      .post(`/v1/drives/${driveId}/rounds`)
      .set(bearer(t.adminKey))
      .send({ ...round2, parts: [{ code: 'interview', name: 'Phỏng vấn', maxScore: '100', weight: 1, markingMode: 'single', written: false, computer: true }] });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('part.computer_not_written');
  });

  it('when rounds are built by hand for a graded 170 + 300 drive, then 1 : 1 written + interview is 422 round.weights_not_lawful (Art. 9(2)(b): 70 : 30), a written nhân viên exam and a gate round for chuyên viên chính are 422 round.structure_mismatch (Art. 9(1), 9(3)), and the lawful rounds are created', async () => {
    const { driveId } = await mixedDrive(['nhan_vien', 'chuyen_vien_chinh']);
    const combined = (w: number, i: number): RoundBody => ({
      order: 1,
      code: 'round2',
      name: 'Thi nghiệp vụ chuyên ngành',
      kind: 'scored',
      ranking: true,
      exemptionCodes: [],
      parts: [
        { code: 'written', name: 'Thi viết', maxScore: '100', weight: w, markingMode: 'double', written: true },
        { code: 'interview', name: 'Phỏng vấn', maxScore: '100', weight: i, markingMode: 'panel', panelSize: 2, written: false },
      ],
    });
    const post = (body: RoundBody & { grade?: string }) => t.http.post(`/v1/drives/${driveId}/rounds`).set(bearer(t.adminKey)).send(body);

    const even = await post({ ...combined(1, 1), grade: 'chuyen_vien_chinh' });
    expect(even.status).toBe(422);
    expect(even.body).toMatchObject({ code: 'round.weights_not_lawful', expected: { written: 70, interview: 30 } });
    const gate = await post({ ...round1, grade: 'chuyen_vien_chinh' });
    expect(gate.status).toBe(422);
    expect(gate.body.code).toBe('round.structure_mismatch');
    const writtenNv = await post({ ...combined(70, 30), code: 'nv', grade: 'nhan_vien' });
    expect(writtenNv.status).toBe(422);
    expect(writtenNv.body.code).toBe('round.structure_mismatch');

    const lawful = await post({ ...combined(7, 3), grade: 'chuyen_vien_chinh' });
    expect(lawful.status, JSON.stringify(lawful.body)).toBe(201);
    const oral = await post({
      order: 1,
      code: 'oral',
      name: 'Thi vấn đáp',
      kind: 'scored',
      ranking: true,
      exemptionCodes: [],
      grade: 'nhan_vien',
      parts: [{ code: 'oral', name: 'Vấn đáp', maxScore: '100', weight: 1, markingMode: 'panel', panelSize: 2, written: false }],
    });
    expect(oral.status, JSON.stringify(oral.body)).toBe(201);
    // Changing the weights later is held to the same rule.
    const patched = await t.http.patch(`/v1/rounds/${lawful.body.id}`).set(bearer(t.adminKey)).send({ parts: combined(50, 50).parts });
    expect(patched.status).toBe(422);
    expect(patched.body.code).toBe('round.weights_not_lawful');
  });
});

