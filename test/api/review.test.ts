import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { createCandidate, makeNationalId, windowAroundToday } from '../factories/candidates.js';
import { createAgencyWithHeadcount, createDrive, createJobPosition, openDrive } from '../factories/drives.js';
import { computeOk, resultsOf, round2, rowsOf, toMarking } from '../factories/results.js';
import { codesOf, issueScripts, moveRound, putMarks } from '../factories/rounds.js';

/*
 * Selection by review (xét tuyển) as a method per quota, through the API: Decree 170/2025 Art. 3(2)(d)
 * (exam and review positions in one plan), Art. 5 (groups, each reviewed apart, checked at
 * registration), Art. 11 (round 1 the form check, round 2 an oral on 100 points by a panel), Art. 12
 * (≥ 50; round 2 + priority; tie → higher round 2 → the head), Art. 16(6) (oral within 15 days of the
 * summons, no appeal); Decree 115/2020 Art. 11–12 (a written round 2, appealable as in the exam).
 */

let t: TestApp;
let m1: string;
let m2: string;
let council: string;
beforeAll(async () => {
  t = await setupApp();
  [m1, m2, council] = await Promise.all([t.keyFor('marker'), t.keyFor('marker'), t.keyFor('council')]);
});
afterAll(async () => {
  await t.close();
});

type QuotaSpec = { method: 'exam' | 'review'; reviewGroup?: 'disadvantaged_area_commitment' | 'cu_tuyen_graduate' | 'talent'; slots: number };

async function reviewDrive(preset: 'nd170' | 'nd115', quotas: QuotaSpec[]) {
  const staffCategory = preset === 'nd115' ? 'public_employee' : 'civil_servant';
  const { agencyId } = await createAgencyWithHeadcount(t, { staffCategory, year: 2025, name: 'UBND huyện Mường Tè' });
  const window = windowAroundToday();
  const driveId = await createDrive(t, { organizingAgencyId: agencyId, staffCategory, preset, registrationOpensOn: window.registrationOpensOn, registrationClosesOn: window.registrationClosesOn });
  const quotaIds: string[] = [];
  for (const [i, q] of quotas.entries()) {
    const jobPositionId = await createJobPosition(t, agencyId, { staffCategory, name: `Chuyên viên ${i + 1}` });
    const res = await t.http
      .post(`/v1/drives/${driveId}/quotas`)
      .set(bearer(t.adminKey))
      .send({ agencyId, jobPositionId, slots: q.slots, method: q.method, ...(q.reviewGroup ? { reviewGroup: q.reviewGroup } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ method: q.method, reviewGroup: q.reviewGroup ?? null });
    quotaIds.push(res.body.id);
  }
  await openDrive(t, driveId);
  return { driveId, agencyId, quotaIds };
}

async function register(driveId: string, quotaId: string, fullName: string, review?: { group: string; evidence: string[] }, extra: Record<string, unknown> = {}) {
  const { id: candidateId } = await createCandidate(t, { fullName });
  return t.http
    .post(`/v1/drives/${driveId}/applications`)
    .set(bearer(t.adminKey))
    .send({ candidateId, quotaId, ...(review ? { reviewGroup: review.group, reviewEvidenceRefs: review.evidence } : {}), ...extra });
}

async function registered(driveId: string, quotaId: string, fullName: string, review?: { group: string; evidence: string[] }): Promise<string> {
  const res = await register(driveId, quotaId, fullName, review);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** The review's oral round (Art. 11(2)): one panel part on 100 points, summoned and held within 15 days. */
async function oralRound(driveId: string) {
  const res = await t.http
    .post(`/v1/drives/${driveId}/rounds`)
    .set(bearer(t.adminKey))
    .send({
      order: 2,
      code: 'review_oral',
      name: 'Vòng 2 — vấn đáp xét tuyển',
      kind: 'scored',
      ranking: true,
      method: 'review',
      summonedOn: '2026-03-02',
      scheduledOn: '2026-03-17',
      parts: [{ code: 'oral', name: 'Vấn đáp', maxScore: '100', weight: 1, markingMode: 'panel', panelSize: 2, written: false }],
    });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body).toMatchObject({ method: 'review', summonedOn: '2026-03-02', oralDueBy: '2026-03-17' });
  return res.body as { id: string };
}

/** Both panel members' marks (Circular 22/2025 Quy chế Art. 22(1)), by application. */
async function panelMarks(roundId: string, marks: [string, string, string][]) {
  const codes = await codesOf(t, roundId);
  for (const [key, slot, i] of [
    [m1, 'panel:m1', 1],
    [m2, 'panel:m2', 2],
  ] as const) {
    const res = await putMarks(
      t,
      roundId,
      key,
      marks.map((m) => ({ code: codes.get(m[0])!, slot, score: m[i] })),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  return codes;
}

async function lockAndReveal(roundId: string) {
  await moveRound(t, roundId, 'locked');
  const rev = await t.http.post(`/v1/rounds/${roundId}/reveal`).set(bearer(t.adminKey));
  expect(rev.status, JSON.stringify(rev.body)).toBe(200);
}

describe('Decree 170/2025 Art. 5, 11, 12: a review quota per group', () => {
  it('when each group is reviewed apart by an oral panel, then the mean at 2 decimals, the head past a 10-point spread, ≥ 50 wins, and a tie on round 2 goes to the head (Art. 12(2)); no appeal (Art. 16(6))', async () => {
    const { driveId, quotaIds } = await reviewDrive('nd170', [
      { method: 'review', reviewGroup: 'disadvantaged_area_commitment', slots: 1 },
      { method: 'review', reviewGroup: 'cu_tuyen_graduate', slots: 1 },
      { method: 'review', reviewGroup: 'talent', slots: 1 },
    ]);
    const [qArea, qCuTuyen, qTalent] = quotaIds as [string, string, string];
    const a = await registered(driveId, qArea, 'Lò Văn An', { group: 'disadvantaged_area_commitment', evidence: ['Bản cam kết 5 năm số 12/CK'] });
    const b = await registered(driveId, qArea, 'Pờ Thị Bình', { group: 'disadvantaged_area_commitment', evidence: ['Bản cam kết 5 năm số 13/CK'] });
    const c = await registered(driveId, qCuTuyen, 'Chang A Chu', { group: 'cu_tuyen_graduate', evidence: ['QĐ cử tuyển 45/QĐ-UBND', 'Bằng tốt nghiệp 2025'] });
    const d = await registered(driveId, qTalent, 'Nguyễn Minh Đức', { group: 'talent', evidence: ['Bằng tốt nghiệp xuất sắc 0091'] });
    const e = await registered(driveId, qTalent, 'Trần Thu Hà', { group: 'talent', evidence: ['Giải thưởng nhà khoa học trẻ 2024'] });
    const app = await t.http.get(`/v1/applications/${c}`).set(bearer(t.adminKey));
    expect(app.body).toMatchObject({ reviewGroup: 'cu_tuyen_graduate', reviewEvidenceRefs: ['QĐ cử tuyển 45/QĐ-UBND', 'Bằng tốt nghiệp 2025'] });

    // Quotas are fixed once registration opened: the method too.
    const frozen = await t.http.patch(`/v1/quotas/${qArea}`).set(bearer(t.adminKey)).send({ method: 'exam' });
    expect(frozen.status).toBe(409);
    expect(frozen.body.code).toBe('quota.frozen');

    await toMarking(t, driveId);
    // The rule set's rounds for a drive of review quotas only: the review's oral (round 1 is the form check).
    const made = await t.http.post(`/v1/drives/${driveId}/rounds?fromRuleSet=true`).set(bearer(t.adminKey));
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.items ?? made.body).toHaveLength(1);
    const round = (made.body.items ?? made.body)[0] as { id: string; version: number; method: string; parts: { code: string; markingMode: string; maxScore: string }[] };
    expect(round).toMatchObject({ method: 'review', parts: [{ code: 'oral', markingMode: 'panel', maxScore: '100.00' }] });

    // Art. 16(6): the oral is held within 15 days of the summons.
    const late = await t.http.patch(`/v1/rounds/${round.id}`).set(bearer(t.adminKey)).send({ summonedOn: '2026-03-02', scheduledOn: '2026-03-18' });
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('round.review_oral_late');
    const onTime = await t.http.patch(`/v1/rounds/${round.id}`).set(bearer(t.adminKey)).send({ summonedOn: '2026-03-02', scheduledOn: '2026-03-17' });
    expect(onTime.status, JSON.stringify(onTime.body)).toBe(200);
    expect(onTime.body.oralDueBy).toBe('2026-03-17');
    // Art. 11(2)(a): the review's round 2 is an oral.
    const written = await t.http
      .patch(`/v1/rounds/${round.id}`)
      .set(bearer(t.adminKey))
      .send({ parts: [{ code: 'written', maxScore: '100', weight: 1, markingMode: 'double', written: true }] });
    expect(written.status).toBe(422);
    expect(written.body.code).toBe('round.review_form_not_allowed');

    expect((await issueScripts(t, round.id)).issued).toBe(5);
    await moveRound(t, round.id, 'marking');
    const codes = await panelMarks(round.id, [
      [a, '80', '81.25'], // 80.625 → 80.63
      [b, '70', '75'], // 72.50
      [c, '60', '40'], // spread 20 > 10: the head of the panel decides
      [d, '77', '79'], // 78.00
      [e, '78', '78'], // 78.00
    ]);
    const decided = await t.http
      .post(`/v1/rounds/${round.id}/reconciliation`)
      .set(bearer(council))
      .send({ decisions: [{ code: codes.get(c)!, score: '50', reason: 'Trưởng ban vấn đáp quyết định sau khi trao đổi' }] });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    await lockAndReveal(round.id);
    await computeOk(t, driveId);

    const results = await resultsOf(t, driveId);
    const area = rowsOf(results.get(qArea)!);
    expect(area.get(a)).toMatchObject({ outcome: 'winner', rawScore: '80.63' });
    expect(area.get(b)).toMatchObject({ outcome: 'reserve', rawScore: '72.50' });
    expect(rowsOf(results.get(qCuTuyen)!).get(c)).toMatchObject({ outcome: 'winner', rawScore: '50.00' });
    const talent = results.get(qTalent)!;
    expect(talent.status).toBe('tie_pending_decision');

    const tie = await t.http
      .post(`/v1/drives/${driveId}/results/tie-decisions`)
      .set(bearer(await t.keyFor('approver')))
      .send({ quotaId: qTalent, orderedApplicationIds: [e, d], reason: 'Người đứng đầu cơ quan quyết định (Điều 12(2))', decision: { number: '21/QĐ-UBND', date: '2026-03-20' } });
    expect(tie.status, JSON.stringify(tie.body)).toBe(201);
    expect(tie.body.quota.status).toBe('complete');
    const after = rowsOf((await resultsOf(t, driveId)).get(qTalent)!);
    expect(after.get(e)).toMatchObject({ outcome: 'winner', rawScore: '78.00' });
    expect(after.get(d)).toMatchObject({ outcome: 'reserve' });

    // Art. 16(6): "Không thực hiện việc phúc khảo đối với kết quả vấn đáp".
    await moveRound(t, round.id, 'published');
    const appeal = await t.http.post(`/v1/applications/${b}/appeals`).set(bearer(t.adminKey)).send({ partCode: 'oral', reason: 'Xin phúc khảo' });
    expect(appeal.status).toBe(422);
    expect(appeal.body.code).toBe('appeal.review_not_appealable');
  });

  it('Art. 5: when a candidate declares another group than the quota’s, or none, or no evidence, then registration and the bulk import refuse with stable codes', async () => {
    const { driveId, quotaIds } = await reviewDrive('nd170', [
      { method: 'review', reviewGroup: 'talent', slots: 1 },
      { method: 'exam', slots: 1 },
    ]);
    const [qTalent, qExam] = quotaIds as [string, string];
    const wrong = await register(driveId, qTalent, 'Hà Văn Sai', { group: 'cu_tuyen_graduate', evidence: ['QĐ cử tuyển 9'] });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({ code: 'application.review_group_mismatch', quotaGroup: 'talent', declaredGroup: 'cu_tuyen_graduate' });
    expect((await register(driveId, qTalent, 'Hà Văn Thiếu')).body.code).toBe('application.review_group_required');
    expect((await register(driveId, qTalent, 'Hà Văn Không', { group: 'talent', evidence: [] })).body.code).toBe('application.review_evidence_required');
    expect((await register(driveId, qExam, 'Hà Văn Thi', { group: 'talent', evidence: ['x'] })).body.code).toBe('application.review_group_not_applicable');
    expect((await t.sql('select 1 from applications where drive_id = $1', [driveId])).length).toBe(0);

    const base = { birthDate: '1998-04-02', gender: 'nam', ethnicity: 'Thái', quotaId: qTalent };
    const rows = [
      { ...base, fullName: 'Lường Văn Một', nationalId: makeNationalId({ birthYear: 1998 }), reviewGroup: 'disadvantaged_area_commitment', reviewEvidenceRefs: 'CK-1' },
      { ...base, fullName: 'Lường Văn Hai', nationalId: makeNationalId({ birthYear: 1998 }) },
      { ...base, fullName: 'Lường Văn Ba', nationalId: makeNationalId({ birthYear: 1998 }), reviewGroup: 'talent', reviewEvidenceRefs: 'Bằng XS 1; Giải thưởng 2' },
    ];
    const res = await t.http.post(`/v1/drives/${driveId}/applications/import`).set(bearer(t.adminKey)).send(rows);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results.map((r: { status: string; errors?: { code: string }[] }) => r.errors?.[0]?.code ?? r.status)).toEqual([
      'application.review_group_mismatch',
      'application.review_group_required',
      'created',
    ]);
    const [stored] = await t.sql<{ review_group: string; review_evidence: string[] }>('select review_group, review_evidence from applications where id = $1', [res.body.results[2].applicationId]);
    expect(stored).toEqual({ review_group: 'talent', review_evidence: ['Bằng XS 1', 'Giải thưởng 2'] });
  });

  it('Art. 5: when a 170 review quota names no group, then 422; a review position takes no NV2 (170 Art. 12(4), 115 Art. 12(2): no carry-over)', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t, { year: 2025 });
    const window = windowAroundToday();
    const driveId = await createDrive(t, { organizingAgencyId: agencyId, preset: 'nd170', registrationOpensOn: window.registrationOpensOn, registrationClosesOn: window.registrationClosesOn });
    const jobPositionId = await createJobPosition(t, agencyId);
    const res = await t.http.post(`/v1/drives/${driveId}/quotas`).set(bearer(t.adminKey)).send({ agencyId, jobPositionId, slots: 1, method: 'review' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('quota.review_group_required');

    const pe = await createAgencyWithHeadcount(t, { year: 2025, staffCategory: 'public_employee' });
    const peDrive = await createDrive(t, {
      organizingAgencyId: pe.agencyId,
      staffCategory: 'public_employee',
      preset: 'nd115',
      registrationOpensOn: window.registrationOpensOn,
      registrationClosesOn: window.registrationClosesOn,
    });
    const pePosition = await createJobPosition(t, pe.agencyId, { staffCategory: 'public_employee' });
    const nv2 = await t.http.post(`/v1/drives/${peDrive}/quotas`).set(bearer(t.adminKey)).send({ agencyId: pe.agencyId, jobPositionId: pePosition, slots: 1, method: 'review', secondChoiceOpen: true });
    expect(nv2.status).toBe(422);
    expect(nv2.body.code).toBe('quota.review_second_choice');
  });
});

describe('Decree 170/2025 Art. 3(2)(d): a drive with exam and review quotas', () => {
  it('when one drive holds an exam and a review quota, then each sits its own round, ranks under its own rules, and the drive report counts the review apart', async () => {
    const { driveId, quotaIds } = await reviewDrive('nd170', [
      { method: 'exam', slots: 1 },
      { method: 'review', reviewGroup: 'cu_tuyen_graduate', slots: 1 },
    ]);
    const [qExam, qReview] = quotaIds as [string, string];
    const x1 = await registered(driveId, qExam, 'Đinh Văn Khải');
    const x2 = await registered(driveId, qExam, 'Đinh Thị Lan');
    const r1 = await registered(driveId, qReview, 'Giàng A Lử', { group: 'cu_tuyen_graduate', evidence: ['QĐ cử tuyển 7'] });
    const r2 = await registered(driveId, qReview, 'Sùng Thị Mai', { group: 'cu_tuyen_graduate', evidence: ['QĐ cử tuyển 8'] });
    await toMarking(t, driveId);

    // The exam quota's round 2 (a round of no method: the exam quotas); a review application has no place in it.
    const exam = await t.http.post(`/v1/drives/${driveId}/rounds`).set(bearer(t.adminKey)).send(round2());
    expect(exam.status, JSON.stringify(exam.body)).toBe(201);
    expect(exam.body.method).toBeNull();
    await moveRound(t, exam.body.id, 'marking');
    const scores = await t.http
      .put(`/v1/rounds/${exam.body.id}/scores`)
      .set(bearer(t.adminKey))
      .send([
        { applicationId: x1, partCode: 'professional', score: '62' },
        { applicationId: x2, partCode: 'professional', score: '45' },
        { applicationId: r1, partCode: 'professional', score: '90' },
      ]);
    expect(scores.status, JSON.stringify(scores.body)).toBe(200);
    expect(scores.body.rows.map((r: { status: string; errors?: { code: string }[] }) => r.errors?.[0]?.code ?? r.status)).toEqual(['saved', 'saved', 'script.other_method']);
    await lockAndReveal(exam.body.id);

    const oral = await oralRound(driveId);
    expect((await issueScripts(t, oral.id)).issued).toBe(2);
    await moveRound(t, oral.id, 'marking');
    await panelMarks(oral.id, [
      [r1, '49', '50'], // 49.50: below 50
      [r2, '66', '70'], // 68.00
    ]);
    await lockAndReveal(oral.id);
    await computeOk(t, driveId);

    const results = await resultsOf(t, driveId);
    const ex = rowsOf(results.get(qExam)!);
    expect(ex.get(x1)).toMatchObject({ outcome: 'winner', rawScore: '62.00' });
    expect(ex.get(x2)!.outcome).toBe('failed');
    const rv = rowsOf(results.get(qReview)!);
    expect(rv.get(r2)).toMatchObject({ outcome: 'winner', rawScore: '68.00' });
    expect(rv.get(r1)).toMatchObject({ outcome: 'failed', rawScore: '49.50' });

    const report = await t.http.get(`/v1/reports/drives/${driveId}`).set(bearer(t.adminKey));
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(report.body.byMethod).toEqual([
      { method: 'exam', reviewGroup: null, quotas: 1, slots: 1, applications: 2, eligible: 0, winners: 1, unfilledSlots: 0 },
      { method: 'review', reviewGroup: 'cu_tuyen_graduate', quotas: 1, slots: 1, applications: 2, eligible: 0, winners: 1, unfilledSlots: 0 },
    ]);
    const line = report.body.quotas.find((q: { quotaId: string }) => q.quotaId === qReview);
    expect(line).toMatchObject({ method: 'review', reviewGroup: 'cu_tuyen_graduate', winners: 1 });
  });
});

describe('Decree 115/2020 Art. 11–12: a public-employee review', () => {
  it('when the notice sets a written round 2, then it is marked and ranked (≥ 50, Art. 10), and its result is open to appeal as in the exam', async () => {
    const { driveId, quotaIds } = await reviewDrive('nd115', [{ method: 'review', slots: 1 }]);
    const q = quotaIds[0]!;
    // No groups in 115 (Art. 11): none is declared.
    const grouped = await register(driveId, q, 'Vi Văn Nhóm', { group: 'talent', evidence: ['x'] });
    expect(grouped.status).toBe(422);
    expect(grouped.body.code).toBe('application.review_group_not_applicable');
    const p1 = await registered(driveId, q, 'Lương Thị Oanh');
    const p2 = await registered(driveId, q, 'Hoàng Văn Phúc');
    await toMarking(t, driveId);
    const res = await t.http
      .post(`/v1/drives/${driveId}/rounds`)
      .set(bearer(t.adminKey))
      .send({
        order: 2,
        code: 'review_written',
        name: 'Vòng 2 — xét tuyển (viết)',
        kind: 'scored',
        ranking: true,
        method: 'review',
        parts: [{ code: 'written', name: 'Thi viết', maxScore: '100', weight: 1, markingMode: 'single', written: true }],
      });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.oralDueBy).toBeNull();
    await moveRound(t, res.body.id, 'marking');
    const scores = await t.http
      .put(`/v1/rounds/${res.body.id}/scores?atomic=true`)
      .set(bearer(t.adminKey))
      .send([
        { applicationId: p1, partCode: 'written', score: '71.5' },
        { applicationId: p2, partCode: 'written', score: '64' },
      ]);
    expect(scores.status, JSON.stringify(scores.body)).toBe(200);
    await lockAndReveal(res.body.id);
    await computeOk(t, driveId);
    const rows = rowsOf((await resultsOf(t, driveId)).get(q)!);
    expect(rows.get(p1)).toMatchObject({ outcome: 'winner', rawScore: '71.50' });
    expect(rows.get(p2)).toMatchObject({ outcome: 'reserve' });

    await moveRound(t, res.body.id, 'published');
    const appeal = await t.http.post(`/v1/applications/${p2}/appeals`).set(bearer(t.adminKey)).send({ partCode: 'written', reason: 'Đề nghị phúc khảo bài viết' });
    expect(appeal.status, JSON.stringify(appeal.body)).toBe(201);
    expect(appeal.body.status).toBe('pending');
  });
});
