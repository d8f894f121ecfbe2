import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { computeOk, registerAll, resultsOf, rowsOf, toMarking } from '../factories/results.js';
import { windowAroundToday } from '../factories/candidates.js';
import { addQuota, createAgencyWithHeadcount, createDrive, createJobPosition, openDrive } from '../factories/drives.js';
import { createRound, moveRound } from '../factories/rounds.js';

/*
 * Decree 170/2025 Art. 9(5), through the API on PostgreSQL: where the plan requires a foreign
 * language for a position, a pass/fail exam with the agency's pass mark, held before the
 * professional exam, not counted in the score, sat only by that position's candidates; "trường hợp
 * đạt kết quả thi ngoại ngữ thì được dự thi nghiệp vụ chuyên ngành". No exemption.
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const english = { required: true, language: 'English', passMark: 50 };

const languageRound = {
  order: 1,
  code: 'english',
  name: 'Thi ngoại ngữ (tiếng Anh)',
  kind: 'gate',
  ranking: false,
  foreignLanguage: true,
  exemptionCodes: [],
  parts: [{ code: 'english', name: 'Tiếng Anh', maxScore: '100', weight: 0, markingMode: 'single', written: false }],
};

const professionalRound = {
  order: 2,
  code: 'professional',
  name: 'Thi nghiệp vụ chuyên ngành',
  kind: 'scored' as const,
  ranking: true,
  exemptionCodes: [],
  // On computer: a paper written part takes no imported score (Circular 22/2025 Quy chế Art. 16).
  parts: [{ code: 'written', name: 'Thi viết', maxScore: '100', weight: 1, markingMode: 'single' as const, written: true, computer: true }],
};

const scriptsOf = (roundId: string) => t.sql<{ application_id: string }>('select application_id from scripts where round_id = $1', [roundId]);

async function scoreAndReveal(roundId: string, rows: { applicationId: string; partCode: string; score?: string; absent?: boolean }[], marking = false) {
  if (!marking) await moveRound(t, roundId, 'marking');
  const res = await t.http.put(`/v1/rounds/${roundId}/scores?atomic=true`).set(bearer(t.adminKey)).send(rows);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await moveRound(t, roundId, 'locked');
  expect((await t.http.post(`/v1/rounds/${roundId}/reveal`).set(bearer(t.adminKey))).status).toBe(200);
}

describe('Decree 170/2025 Art. 9(5): a foreign language as a per-position condition', () => {
  it('when one of two quotas requires English with pass mark 50, then only its candidates sit the language exam, 49 is kept out of the professional exam and failed with the reason, 80 ranks by the professional score only, and the other quota is unaffected', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t, { staffCategory: 'civil_servant', year: 2025, name: 'Sở Ngoại vụ' });
    const driveId = await createDrive(t, { organizingAgencyId: agencyId, kind: 'recruitment', staffCategory: 'civil_servant', preset: 'nd170-300', ...windowAroundToday() });
    const withLanguage = await addQuota(t, driveId, { agencyId, jobPositionId: await createJobPosition(t, agencyId, { name: 'Chuyên viên hợp tác quốc tế' }), slots: 2 });
    const without = await addQuota(t, driveId, { agencyId, jobPositionId: await createJobPosition(t, agencyId, { name: 'Chuyên viên tổng hợp' }), slots: 1 });

    // The plan's requirement is recorded on the quota while the drive is draft.
    const bad = await t.http.patch(`/v1/quotas/${withLanguage}`).set(bearer(t.adminKey)).send({ foreignLanguage: { ...english, passMark: 101 } });
    expect(bad.status).toBe(400);
    const set = await t.http.patch(`/v1/quotas/${withLanguage}`).set(bearer(t.adminKey)).send({ foreignLanguage: english });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.foreignLanguage).toEqual(english);
    expect((await t.http.get(`/v1/quotas/${without}`).set(bearer(t.adminKey))).body.foreignLanguage).toBeNull();
    const audit = await t.sql<{ action: string }>(`select action from audit_events where resource_id = $1 and action = 'quota.updated'`, [withLanguage]);
    expect(audit.length).toBe(1);
    await openDrive(t, driveId);

    const [fails, passes, other] = (
      await registerAll(t, driveId, [
        { fullName: 'Nguyễn Văn Ngữ', quotaId: withLanguage },
        { fullName: 'Trần Thị Anh', quotaId: withLanguage },
        { fullName: 'Lê Văn Tổng', quotaId: without },
      ])
    ).map((a) => a.applicationId) as [string, string, string];
    await toMarking(t, driveId);

    // The language exam is a condition: it may not rank, and the decree states no exemption from it.
    const ranking = await t.http.post(`/v1/drives/${driveId}/rounds`).set(bearer(t.adminKey)).send({ ...languageRound, ranking: true });
    expect(ranking.status).toBe(422);
    expect(ranking.body.code).toBe('round.foreign_language_invalid');
    const exempt = await t.http.post(`/v1/drives/${driveId}/rounds`).set(bearer(t.adminKey)).send({ ...languageRound, exemptionCodes: ['input_quality'] });
    expect(exempt.status).toBe(422);
    expect(exempt.body.code).toBe('round.foreign_language_invalid');

    const created = await t.http.post(`/v1/drives/${driveId}/rounds`).set(bearer(t.adminKey)).send(languageRound);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.foreignLanguage).toBe(true);
    const lang = created.body.id as string;
    const issued = await t.http.post(`/v1/rounds/${lang}/scripts`).set(bearer(t.adminKey));
    expect(issued.body).toEqual({ issued: 2, existing: 0, exempt: 0, notAdmitted: 0, parts: 1 });
    expect(new Set((await scriptsOf(lang)).map((s) => s.application_id))).toEqual(new Set([fails, passes]));
    // A direct import cannot give the other quota's candidate a language script either.
    await moveRound(t, lang, 'marking');
    const other1 = await t.http.put(`/v1/rounds/${lang}/scores?atomic=false`).set(bearer(t.adminKey)).send([{ applicationId: other, partCode: 'english', score: '90' }]);
    expect(other1.body.rows[0]).toMatchObject({ status: 'rejected', errors: [{ code: 'script.language_not_required' }] });
    await scoreAndReveal(lang, [
      { applicationId: fails, partCode: 'english', score: '49' },
      { applicationId: passes, partCode: 'english', score: '80' },
    ], true);

    // The professional exam: the candidate below the pass mark gets no script; the other quota sits it.
    const prof = await createRound(t, driveId, professionalRound);
    const issued2 = await t.http.post(`/v1/rounds/${prof.id}/scripts`).set(bearer(t.adminKey));
    expect(issued2.body).toEqual({ issued: 2, existing: 0, exempt: 0, notAdmitted: 1, parts: 1 });
    expect(new Set((await scriptsOf(prof.id)).map((s) => s.application_id))).toEqual(new Set([passes, other]));
    await moveRound(t, prof.id, 'marking');
    const refused = await t.http
      .put(`/v1/rounds/${prof.id}/scores?atomic=false`)
      .set(bearer(t.adminKey))
      .send([
        { applicationId: passes, partCode: 'written', score: '70' },
        { applicationId: other, partCode: 'written', score: '60' },
        { applicationId: fails, partCode: 'written', score: '95' },
      ]);
    expect(refused.status).toBe(200);
    expect(refused.body.saved).toBe(2);
    expect(refused.body.rows[2]).toMatchObject({ row: 3, status: 'rejected', errors: [{ code: 'script.not_admitted' }] });
    await moveRound(t, prof.id, 'locked');
    expect((await t.http.post(`/v1/rounds/${prof.id}/reveal`).set(bearer(t.adminKey))).status).toBe(200);

    await computeOk(t, driveId);
    const results = await resultsOf(t, driveId);
    const rows = rowsOf(results.get(withLanguage)!);
    // 80 in English is a condition only: ranked on the professional 70.00.
    expect(rows.get(passes)).toMatchObject({ outcome: 'winner', rawScore: '70.00' });
    expect(rows.get(fails)!.outcome).toBe('failed');
    expect(rows.get(fails)!.gate.reasons).toEqual([
      {
        code: 'gate.foreign_language_failed',
        message: 'Did not pass the foreign-language exam (English) required for the position, pass mark 50 % (Decree 170/2025 Art. 9(5)): english: 49.00 of 100.00',
      },
    ]);
    expect(rowsOf(results.get(without)!).get(other)).toMatchObject({ outcome: 'winner', rawScore: '60.00' });
  });

  it('when a candidate of a quota requiring a language is absent from the exam, then they sit no professional exam and are failed, not absent', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t, { staffCategory: 'civil_servant', year: 2025, name: 'Sở Du lịch' });
    const driveId = await createDrive(t, { organizingAgencyId: agencyId, kind: 'recruitment', staffCategory: 'civil_servant', preset: 'nd170', ...windowAroundToday() });
    const jobPositionId = await createJobPosition(t, agencyId, { name: 'Chuyên viên xúc tiến du lịch' });
    const quota = await t.http
      .post(`/v1/drives/${driveId}/quotas`)
      .set(bearer(t.adminKey))
      .send({ agencyId, jobPositionId, slots: 1, foreignLanguage: { required: true, language: 'French', passMark: 60 } });
    expect(quota.status, JSON.stringify(quota.body)).toBe(201);
    expect(quota.body.foreignLanguage).toEqual({ required: true, language: 'French', passMark: 60 });
    await openDrive(t, driveId);
    const [absent, sat] = (
      await registerAll(t, driveId, [
        { fullName: 'Phạm Văn Vắng', quotaId: quota.body.id },
        { fullName: 'Hoàng Thị Pháp', quotaId: quota.body.id },
      ])
    ).map((a) => a.applicationId) as [string, string];
    await toMarking(t, driveId);
    const lang = (await t.http.post(`/v1/drives/${driveId}/rounds`).set(bearer(t.adminKey)).send({ ...languageRound, code: 'french' })).body.id as string;
    // Before the language exam is revealed, the professional exam waits for it.
    const prof = await createRound(t, driveId, professionalRound);
    const early = await t.http.post(`/v1/rounds/${prof.id}/scripts`).set(bearer(t.adminKey));
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('round.gate_not_revealed');

    expect((await t.http.post(`/v1/rounds/${lang}/scripts`).set(bearer(t.adminKey))).body.issued).toBe(2);
    await scoreAndReveal(lang, [
      { applicationId: absent, partCode: 'english', absent: true },
      { applicationId: sat, partCode: 'english', score: '60' },
    ]);
    const issued = await t.http.post(`/v1/rounds/${prof.id}/scripts`).set(bearer(t.adminKey));
    expect(issued.body).toMatchObject({ issued: 1, notAdmitted: 1 });
    await scoreAndReveal(prof.id, [{ applicationId: sat, partCode: 'written', score: '75' }]);
    await computeOk(t, driveId);
    const rows = rowsOf((await resultsOf(t, driveId)).get(quota.body.id)!);
    expect(rows.get(sat)).toMatchObject({ outcome: 'winner', rawScore: '75.00' });
    expect(rows.get(absent)!.outcome).toBe('failed');
    expect(rows.get(absent)!.gate.reasons[0]).toMatchObject({ code: 'gate.foreign_language_failed' });
    expect(rows.get(absent)!.gate.reasons[0]!.message).toContain('english: absent');
  });

  it('when quotas require English and French and the rounds come from the rule set, then one language round per language comes first (orders 1–2), the rule set\'s rounds follow (3–4), and each language round is sat only by the candidates of its language (Art. 9(5))', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t, { staffCategory: 'civil_servant', year: 2025, name: 'Sở Văn hóa và Thể thao' });
    const driveId = await createDrive(t, { organizingAgencyId: agencyId, kind: 'recruitment', staffCategory: 'civil_servant', preset: 'nd170-300', ...windowAroundToday() });
    const en = await addQuota(t, driveId, { agencyId, jobPositionId: await createJobPosition(t, agencyId, { name: 'Chuyên viên đối ngoại' }), slots: 1 });
    const fr = await addQuota(t, driveId, { agencyId, jobPositionId: await createJobPosition(t, agencyId, { name: 'Chuyên viên hợp tác Pháp ngữ' }), slots: 1 });
    const plain = await addQuota(t, driveId, { agencyId, jobPositionId: await createJobPosition(t, agencyId, { name: 'Chuyên viên văn phòng' }), slots: 1 });
    expect((await t.http.patch(`/v1/quotas/${en}`).set(bearer(t.adminKey)).send({ foreignLanguage: english })).status).toBe(200);
    expect((await t.http.patch(`/v1/quotas/${fr}`).set(bearer(t.adminKey)).send({ foreignLanguage: { required: true, language: 'French', passMark: 60 } })).status).toBe(200);
    await openDrive(t, driveId);
    const [enFails, enPasses, frPasses, plainApp] = (
      await registerAll(t, driveId, [
        { fullName: 'Nguyễn Văn Một', quotaId: en },
        { fullName: 'Trần Thị Hai', quotaId: en },
        { fullName: 'Lê Văn Ba', quotaId: fr },
        { fullName: 'Phạm Thị Bốn', quotaId: plain },
      ])
    ).map((a) => a.applicationId) as [string, string, string, string];
    await toMarking(t, driveId);

    const made = await t.http.post(`/v1/drives/${driveId}/rounds?fromRuleSet=true`).set(bearer(t.adminKey));
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const rounds = (made.body.items as { id: string; order: number; code: string; foreignLanguage: boolean; language: string | null; ranking: boolean; parts: { code: string; computer: boolean; weight: number }[] }[]).sort((a, b) => a.order - b.order);
    expect(rounds.map((r) => [r.order, r.code, r.foreignLanguage, r.language])).toEqual([
      [1, 'foreign_language_1', true, 'English'],
      [2, 'foreign_language_2', true, 'French'],
      [3, 'round1', false, null],
      [4, 'round2', false, null],
    ]);
    expect(rounds[0]!).toMatchObject({ ranking: false, parts: [{ code: 'foreign_language', computer: true, weight: 0 }] });
    const [enRound, frRound, gate] = rounds as [typeof rounds[0], typeof rounds[0], typeof rounds[0]];

    // The gate round cannot be held before the language exams are revealed.
    expect((await t.http.post(`/v1/rounds/${gate.id}/scripts`).set(bearer(t.adminKey))).body.code).toBe('round.gate_not_revealed');
    expect((await t.http.post(`/v1/rounds/${enRound.id}/scripts`).set(bearer(t.adminKey))).body).toMatchObject({ issued: 2 });
    expect(new Set((await scriptsOf(enRound.id)).map((s) => s.application_id))).toEqual(new Set([enFails, enPasses]));
    expect((await t.http.post(`/v1/rounds/${frRound.id}/scripts`).set(bearer(t.adminKey))).body).toMatchObject({ issued: 1 });
    expect((await scriptsOf(frRound.id)).map((s) => s.application_id)).toEqual([frPasses]);

    await moveRound(t, frRound.id, 'marking');
    // The English candidate has no French script to be given (a direct import is refused per row).
    const wrong = await t.http.put(`/v1/rounds/${frRound.id}/scores?atomic=false`).set(bearer(t.adminKey)).send([{ applicationId: enPasses, partCode: 'foreign_language', score: '90' }]);
    expect(wrong.body.rows[0]).toMatchObject({ status: 'rejected', errors: [{ code: 'script.language_not_required' }] });
    await scoreAndReveal(frRound.id, [{ applicationId: frPasses, partCode: 'foreign_language', score: '60' }], true);
    await scoreAndReveal(enRound.id, [
      { applicationId: enFails, partCode: 'foreign_language', score: '49' },
      { applicationId: enPasses, partCode: 'foreign_language', score: '50' },
    ]);
    // The French candidate passed French and is not kept out for lacking an English score.
    const issued = await t.http.post(`/v1/rounds/${gate.id}/scripts`).set(bearer(t.adminKey));
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(issued.body).toMatchObject({ issued: 3, notAdmitted: 1 });
    expect(new Set((await scriptsOf(gate.id)).map((s) => s.application_id))).toEqual(new Set([enPasses, frPasses, plainApp]));
  });

  it('when a quota requires English and no foreign-language round examining English comes before the professional round, then its scripts are refused with 409 round.foreign_language_exam_missing; a language named on a round that is not a language exam is 422', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t, { staffCategory: 'civil_servant', year: 2025, name: 'Sở Khoa học và Công nghệ' });
    const driveId = await createDrive(t, { organizingAgencyId: agencyId, kind: 'recruitment', staffCategory: 'civil_servant', preset: 'nd170-300', ...windowAroundToday() });
    const en = await addQuota(t, driveId, { agencyId, jobPositionId: await createJobPosition(t, agencyId, { name: 'Chuyên viên hợp tác quốc tế' }), slots: 1 });
    expect((await t.http.patch(`/v1/quotas/${en}`).set(bearer(t.adminKey)).send({ foreignLanguage: english })).status).toBe(200);
    await openDrive(t, driveId);
    await registerAll(t, driveId, [{ fullName: 'Đỗ Văn Năm', quotaId: en }]);
    await toMarking(t, driveId);

    const named = await t.http.post(`/v1/drives/${driveId}/rounds`).set(bearer(t.adminKey)).send({ ...professionalRound, language: 'English' });
    expect(named.status).toBe(422);
    expect(named.body.code).toBe('round.language_without_foreign_language');
    // A French exam does not examine English.
    const french = await t.http.post(`/v1/drives/${driveId}/rounds`).set(bearer(t.adminKey)).send({ ...languageRound, code: 'french', language: 'French' });
    expect(french.status, JSON.stringify(french.body)).toBe(201);
    expect(french.body.language).toBe('French');
    const prof = await createRound(t, driveId, professionalRound);
    const refused = await t.http.post(`/v1/rounds/${prof.id}/scripts`).set(bearer(t.adminKey));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'round.foreign_language_exam_missing', languages: ['English'] });
    expect(await scriptsOf(prof.id)).toEqual([]);
  });
});
