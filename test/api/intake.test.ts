import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, onPostgres } from '../helpers/env.js';
import { makeNationalId } from '../factories/candidates.js';
import { createAgencyWithHeadcount, createDrive, createJobPosition } from '../factories/drives.js';
import { buildSmallDrive } from '../factories/reports.js';
import { workflow } from '../factories/results.js';
import { createWebhook } from '../factories/webhooks.js';
import { createNationalIdProtector } from '../../src/crypto/national-id.js';
import { rotateIntakeNationalIdKey } from '../../src/modules/intake/intake.key-rotation.js';
import { TEST_DATA_KEY } from '../helpers/app.js';

/*
 * Intake (tiếp nhận) outside drives: Decree 170/2025 Art. 13–14 as issued (the seeded catalogue;
 * replaced by 300/2026 Art. 3–4, held in summary only) and Decree 115/2020 Art. 13.
 */

let t: TestApp;
let categories: Map<string, { id: string; decidingAuthority: string; councilRequired: boolean }>;
beforeAll(async () => {
  t = await setupApp();
  const res = await t.http.get('/v1/intake-categories?staffCategory=civil_servant&on=2026-03-31').set(bearer(t.adminKey));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  categories = new Map(res.body.items.map((c: { code: string; catalogue: string }) => [c.code, c]));
});
afterAll(async () => {
  await t.close();
});

const YEAR = 2026;
const RECEIVED = '2026-03-31';
const fullDossier = [
  { code: 'cv', issuedOn: '2026-03-15' },
  { code: 'diplomas', issuedOn: '2012-06-30' },
  { code: 'health', issuedOn: '2025-10-01' },
  { code: 'self_assessment', issuedOn: '2026-03-20' },
];

const DOSSIER_2025 = [
  { code: 'cv', issuedOn: '2025-09-15' },
  { code: 'diplomas', issuedOn: '2012-06-30' },
  { code: 'health', issuedOn: '2025-08-01' },
  { code: 'self_assessment', issuedOn: '2025-09-20' },
];

async function place(opts: { assigned?: number; filled?: number; year?: number } = {}) {
  const { agencyId } = await createAgencyWithHeadcount(t, { year: opts.year ?? YEAR, assigned: opts.assigned ?? 5, filled: opts.filled ?? 0 });
  const jobPositionId = await createJobPosition(t, agencyId);
  return { agencyId, jobPositionId };
}

function intakeBody(at: { agencyId: string; jobPositionId: string }, code: string, over: Record<string, unknown> = {}) {
  return {
    agencyId: at.agencyId,
    jobPositionId: at.jobPositionId,
    categoryId: categories.get(code)!.id,
    year: YEAR,
    receivedOn: RECEIVED,
    person: { fullName: 'Đặng Thị Hồng', nationalId: makeNationalId({ birthYear: 1988, female: true }), birthDate: '1988-04-12', gender: 'female' },
    currentEmployer: 'Trung tâm Y tế huyện',
    conditions: { insuredMonths: 72, relevantWork: true },
    dossier: fullDossier,
    ...over,
  };
}

const post = (body: unknown, key = t.adminKey) => t.http.post('/v1/intakes').set(bearer(key)).send(body as object);
const decide = (id: string, body: Record<string, unknown>, key?: string) =>
  (async () => t.http.post(`/v1/intakes/${id}/decision`).set(bearer(key ?? (await t.keyFor('approver')))).send(body))();
const accept = (id: string, authority = 'recruiting_authority_head') =>
  decide(id, { outcome: 'accepted', authority, decision: { number: '45/QĐ-SNV', date: '2026-05-10' } });
const headcount = async (agencyId: string) => (await t.http.get(`/v1/agencies/${agencyId}/headcount/${YEAR}`).set(bearer(t.adminKey))).body.categories[0];

function councilMembers(extra: Record<string, unknown> = {}) {
  const seats = ['head', 'deputy', 'secretary', 'member', 'member'];
  return seats.map((seat, i) => ({ seat, fullName: `Thành viên ${i + 1}`, nationalId: makeNationalId({ birthYear: 1970 + i }), ...(i === 3 ? extra : {}) }));
}

describe('intake of a civil servant (170 Art. 13–14 as issued)', () => {
  it('when a talent-category intake (a) passes the council’s oral and the managing authority accepts it, then it fills the unit of headcount it held', async () => {
    const at = await place({ assigned: 5, filled: 2 });
    const body = intakeBody(at, 'a', { conditions: { insuredMonths: 0, resultsRef: 'Giải thưởng khoa học 2024' } });
    const created = await post(body, await t.keyFor('organizer'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'requested', year: YEAR, category: { code: 'a', decidingAuthority: 'managing_authority_head' } });
    expect(created.body.assessment).toEqual({ conditionsMet: true, dossierComplete: true, councilRequired: true, oralRequired: true, problems: [] });
    expect(created.body.person.nationalId).toBeUndefined();
    expect(created.body.person.nationalIdMasked).not.toContain(body.person.nationalId.slice(4, 10));
    // 170 Art. 13(3): taken in within the headcount: the request holds one unit, counted with quotas.
    expect(await headcount(at.agencyId)).toMatchObject({ assigned: 5, filled: 2, reserved: 1, available: 2 });
    const id = created.body.id as string;

    // The council: 5 members formed as the recruitment council (170 Art. 14(1)(a), 8(1)).
    const formed = await t.http.put(`/v1/intakes/${id}/council`).set(bearer(await t.keyFor('organizer'))).send({ decision: { number: '12/QĐ-HĐ', date: '2026-04-05' }, members: councilMembers() });
    expect(formed.status).toBe(200);
    const members = formed.body.council.members as { id: string; seat: string }[];
    expect(members).toHaveLength(5);
    const council = await t.keyFor('council');
    // Too early: the oral has no final score yet.
    const early = await t.http.post(`/v1/intakes/${id}/council-report`).set(bearer(council)).send({ outcome: 'passed', reportedOn: '2026-04-20', minutesRef: 'BB-01' });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('intake.oral_not_final');
    const scores = ['70', '75', '80', '70', '71'];
    const marked = await t.http.put(`/v1/intakes/${id}/oral-marks`).set(bearer(council)).send({ marks: members.map((m, i) => ({ memberId: m.id, score: scores[i] })) });
    expect(marked.status).toBe(200);
    expect(marked.body.council.oral).toMatchObject({ status: 'final', score: '73.20' });
    const reported = await t.http.post(`/v1/intakes/${id}/council-report`).set(bearer(council)).send({ outcome: 'passed', reportedOn: '2026-04-20', minutesRef: 'BB-01' });
    expect(reported.status).toBe(200);
    expect(reported.body.council).toMatchObject({ outcome: 'passed', oral: { score: '73.20' } });

    // 170 Art. 13(2)(b): category a is the managing authority's to decide.
    const wrong = await accept(id, 'recruiting_authority_head');
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('intake.wrong_authority');
    const scopedApprover = await t.keyFor('approver', at.agencyId);
    const scoped = await decide(id, { outcome: 'accepted', authority: 'managing_authority_head', decision: { number: '45/QĐ-UBND', date: '2026-05-10' } }, scopedApprover);
    expect(scoped.status).toBe(403);
    const ok = await accept(id, 'managing_authority_head');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'accepted', decision: { authority: 'managing_authority_head', number: '45/QĐ-SNV', date: '2026-05-10' } });
    expect(await headcount(at.agencyId)).toMatchObject({ filled: 3, reserved: 0, available: 2 });
    expect((await accept(id, 'managing_authority_head')).body.code).toBe('intake.decided');

    // Audit trail and webhooks carry ids and codes, never the person.
    const events = await t.sql<{ action: string; after: unknown }>('select action, after from audit_events where resource_id = $1 order by occurred_at, seq', [id]);
    expect(events.map((e) => e.action)).toEqual(['intake.requested', 'intake.council_formed', 'intake.oral_marked', 'intake.council_reported', 'intake.accepted']);
    const text = JSON.stringify(events);
    expect(text).not.toContain('Đặng Thị Hồng');
    expect(text).not.toContain(body.person.nationalId);

    // The full national ID only on a single intake, for the roles that check identity.
    expect((await t.http.get(`/v1/intakes/${id}`).set(bearer(await t.keyFor('registrar')))).body.person.nationalId).toBe(body.person.nationalId);
    expect((await t.http.get(`/v1/intakes/${id}`).set(bearer(await t.keyFor('auditor')))).body.person.nationalId).toBeUndefined();
    const [stored] = await t.sql<{ national_id_ciphertext: string }>('select national_id_ciphertext from intakes where id = $1', [id]);
    expect(stored!.national_id_ciphertext).not.toContain(body.person.nationalId);
  });

  it('when an intake of category b lacks the 5 years of insured work, then it cannot be accepted, and its refusal releases the headcount', async () => {
    const at = await place({ assigned: 5 });
    const created = await post(intakeBody(at, 'b', { conditions: { insuredMonths: 40, relevantWork: true } }));
    expect(created.status).toBe(201);
    expect(created.body.assessment.conditionsMet).toBe(false);
    expect(created.body.assessment.problems.map((p: { code: string }) => p.code)).toEqual(['insured_years_short']);
    expect(await headcount(at.agencyId)).toMatchObject({ reserved: 1 });
    const refusedAccept = await accept(created.body.id);
    expect(refusedAccept.status).toBe(422);
    expect(refusedAccept.body.code).toBe('intake.conditions_not_met');
    expect(refusedAccept.body.problems[0]).toMatchObject({ code: 'insured_years_short' });
    expect((await decide(created.body.id, { outcome: 'refused', authority: 'recruiting_authority_head', decision: { number: '46/QĐ-SNV', date: '2026-05-11' } })).body.code).toBe(
      'intake.reason_required',
    );
    const refused = await decide(created.body.id, {
      outcome: 'refused',
      authority: 'recruiting_authority_head',
      decision: { number: '46/QĐ-SNV', date: '2026-05-11' },
      reason: 'Chưa đủ 05 năm công tác có đóng bảo hiểm xã hội bắt buộc (Nghị định 170/2025 Điều 13(3)(b))',
    });
    expect(refused.status).toBe(200);
    expect(refused.body.status).toBe('refused');
    expect(await headcount(at.agencyId)).toMatchObject({ filled: 0, reserved: 0, available: 5 });
  });

  it('when an intake of category c (army, police, cipher staff) is decided without a council (Art. 14(2)(a)), then no council is formed and the head accepts it', async () => {
    const at = await place();
    const created = await post(intakeBody(at, 'c'));
    expect(created.body.assessment).toMatchObject({ councilRequired: false, oralRequired: false, problems: [] });
    expect(created.body.council).toBeNull();
    const council = await t.http.put(`/v1/intakes/${created.body.id}/council`).set(bearer(t.adminKey)).send({ decision: { number: '1', date: '2026-04-01' }, members: councilMembers() });
    expect(council.status).toBe(409);
    expect(council.body.code).toBe('intake.no_council');
    const ok = await accept(created.body.id);
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('accepted');
    expect(await headcount(at.agencyId)).toMatchObject({ filled: 1, reserved: 0 });
  });

  it('when an intake of category đ carries the written assignment decision, then it needs no 5 years (Art. 13(3)(c)); without it, it is refused', async () => {
    const at = await place();
    const withDecision = await post(
      intakeBody(at, 'đ', { conditions: { insuredMonths: 14, relevantWork: false, assignmentDecision: { number: '102/QĐ-TU', date: '2023-02-01' } } }),
    );
    expect(withDecision.status).toBe(201);
    expect(withDecision.body.assessment).toMatchObject({ conditionsMet: true, councilRequired: false, problems: [] });
    expect((await accept(withDecision.body.id)).body.status).toBe('accepted');
    const without = await post(intakeBody(at, 'đ', { conditions: { insuredMonths: 120, relevantWork: true } }));
    expect(without.body.assessment.problems.map((p: { code: string }) => p.code)).toEqual(['assignment_decision_missing']);
    expect((await accept(without.body.id)).body.code).toBe('intake.conditions_not_met');
  });

  it('when the dossier has a CV older than 30 days and a health certificate older than 6 months, then the assessment names both and acceptance is refused', async () => {
    const at = await place();
    const created = await post(
      intakeBody(at, 'c', { dossier: [{ code: 'cv', issuedOn: '2026-02-20' }, fullDossier[1], { code: 'health', issuedOn: '2025-09-01' }, fullDossier[3]] }),
    );
    expect(created.body.assessment.problems.map((p: { code: string; item: string }) => `${p.code}:${p.item}`)).toEqual(['dossier_item_expired:cv', 'dossier_item_expired:health']);
    expect((await accept(created.body.id)).body.code).toBe('intake.conditions_not_met');
  });

  it('when a council member declared the person a relative, or is under discipline, then the council is refused (170 Art. 14(3))', async () => {
    const at = await place();
    const body = intakeBody(at, 'd');
    const created = await post(body);
    const related = await t.http
      .put(`/v1/intakes/${created.body.id}/council`)
      .set(bearer(t.adminKey))
      .send({ decision: { number: '1', date: '2026-04-01' }, members: councilMembers({ relatives: [{ relationship: 'sibling', nationalId: body.person.nationalId }] }) });
    expect(related.status).toBe(422);
    expect(related.body.code).toBe('intake.member_related');
    const disciplined = await t.http
      .put(`/v1/intakes/${created.body.id}/council`)
      .set(bearer(t.adminKey))
      .send({ decision: { number: '1', date: '2026-04-01' }, members: councilMembers({ discipline: 'under_discipline' }) });
    expect(disciplined.body.code).toBe('intake.member_disciplined');
    const four = await t.http.put(`/v1/intakes/${created.body.id}/council`).set(bearer(t.adminKey)).send({ decision: { number: '1', date: '2026-04-01' }, members: councilMembers().slice(0, 4) });
    expect(four.body.code).toBe('intake.council_composition');
    // Category d needs the council's passing report before any acceptance.
    expect((await accept(created.body.id, 'managing_authority_head')).body.code).toBe('intake.council_pending');
  });

  it('when no unused headcount is left, then an intake is refused with the same numbers as a quota', async () => {
    const at = await place({ assigned: 2, filled: 1 });
    expect((await post(intakeBody(at, 'c'))).status).toBe(201);
    const over = await post(intakeBody(at, 'c'));
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'quota.exceeds_unused_headcount', assigned: 2, filled: 1, reserved: 1, requested: 1, available: 0 });
    const none = await post({ ...intakeBody(at, 'c'), year: 2027 });
    expect(none.body.code).toBe('quota.no_headcount');
  });

  it('when a key is scoped to another agency, then it never reaches the intake', async () => {
    const at = await place();
    const created = await post(intakeBody(at, 'c'));
    const other = await place();
    const key = await t.keyFor('organizer', other.agencyId);
    expect((await t.http.get(`/v1/intakes/${created.body.id}`).set(bearer(key))).status).toBe(404);
    expect((await t.http.get('/v1/intakes').set(bearer(key))).body.items.map((i: { id: string }) => i.id)).not.toContain(created.body.id);
    expect((await t.http.post(`/v1/intakes/${created.body.id}/decision`).set(bearer(await t.keyFor('approver', other.agencyId))).send({ outcome: 'refused', authority: 'recruiting_authority_head', decision: { number: '1', date: '2026-05-01' }, reason: 'x' })).status).toBe(404);
    expect((await post(intakeBody(at, 'c'), key)).body.code).toBe('intake.agency_not_found');
    const csv = await t.http.get('/v1/intakes/export').set(bearer(await t.keyFor('auditor', at.agencyId)));
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(created.body.id);
    expect(csv.text).toContain(created.body.person.nationalIdMasked);
  });

  it('when a list is read, then national IDs are masked', async () => {
    const at = await place();
    const body = intakeBody(at, 'c');
    const created = await post(body);
    const list = await t.http.get(`/v1/intakes?agencyId=${at.agencyId}`).set(bearer(t.adminKey));
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([created.body.id]);
    expect(JSON.stringify(list.body)).not.toContain(body.person.nationalId);
  });

  it.skipIf(!onPostgres)(`when an intake races a quota for the last unit of headcount, then exactly one wins (${CONCURRENCY_SKIP_REASON})`, async () => {
    for (let i = 0; i < 4; i++) {
      const { agencyId } = await createAgencyWithHeadcount(t, { year: 2025, assigned: 3, filled: 2 });
      const jobPositionId = await createJobPosition(t, agencyId);
      const driveId = await createDrive(t, { organizingAgencyId: agencyId });
      const [quota, intake] = await Promise.all([
        t.http.post(`/v1/drives/${driveId}/quotas`).set(bearer(t.adminKey)).send({ agencyId, jobPositionId, slots: 1 }),
        post({ ...intakeBody({ agencyId, jobPositionId }, 'c'), year: 2025, receivedOn: '2025-09-30', dossier: DOSSIER_2025 }),
      ]);
      expect([quota.status, intake.status].sort()).toEqual([201, 422]);
      const loser = quota.status === 422 ? quota : intake;
      expect(loser.body).toMatchObject({ code: 'quota.exceeds_unused_headcount', available: 0 });
      const [held] = await t.sql<{ n: number }>(
        "select ((select coalesce(sum(slots), 0) from quotas where agency_id = $1) + (select count(*) from intakes where agency_id = $2 and status = 'requested'))::int as n",
        [agencyId, agencyId],
      );
      expect(held!.n).toBe(1);
    }
  });
});

describe('intake of a public employee (115 Art. 13 as amended by 85/2023)', () => {
  it('when a category a intake (5 years) is requested, then a council and oral are needed and the health certificate is valid 30 days only (Art. 13(3)(c))', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t, { year: YEAR, staffCategory: 'public_employee', assigned: 3 });
    const jobPositionId = await createJobPosition(t, agencyId, { staffCategory: 'public_employee' });
    const list = await t.http.get('/v1/intake-categories?staffCategory=public_employee&on=2026-03-31').set(bearer(t.adminKey));
    const a = list.body.items.find((c: { code: string }) => c.code === 'a');
    expect(a).toMatchObject({ catalogue: 'nd115-2020-85-2023', condition: 'insured_years', minYears: 5, councilRequired: true, decidingAuthority: 'recruiting_authority_head' });
    const created = await post({ ...intakeBody({ agencyId, jobPositionId }, 'a'), categoryId: a.id });
    expect(created.status).toBe(201);
    expect(created.body.assessment).toMatchObject({ councilRequired: true, oralRequired: true, conditionsMet: true });
    // Health certificate of 2025-10-01 for a dossier of 2026-03-31: within 6 months (170) but not 30 days (115).
    expect(created.body.assessment.problems.map((p: { code: string; item: string }) => `${p.code}:${p.item}`)).toEqual(['dossier_item_expired:health']);
    // A civil-servant category does not fit a public-employee position.
    expect((await post(intakeBody({ agencyId, jobPositionId }, 'b'))).body.code).toBe('intake.category_mismatch');
  });
});

describe('yearly figures: recruited by exam, by review and by intake, per agency', () => {
  it('when a drive’s results are approved and an intake is accepted in its year, then the report counts each by its method', async () => {
    const d = await buildSmallDrive(t);
    expect((await workflow(t, d.driveId, 'submit')).status).toBe(200);
    expect((await workflow(t, d.driveId, 'approve', await t.keyFor('approver'))).status).toBe(200);
    const report = async (q = '') => t.http.get(`/v1/reports/recruitment?year=2025${q}`).set(bearer(t.adminKey));
    const first = await report(`&agencyId=${d.agencyId}`);
    expect(first.status).toBe(200);
    expect(first.body.agencies).toEqual([expect.objectContaining({ agencyId: d.agencyId, byExam: 2, byReview: 0, byIntake: 0, total: 2 })]);

    // An intake decided in 2025 at the same agency.
    const jobPositionId = d.jobPositionIds[0]!;
    const created = await post({
      ...intakeBody({ agencyId: d.agencyId, jobPositionId }, 'c'),
      year: 2025,
      receivedOn: '2025-09-30',
      dossier: DOSSIER_2025,
    });
    expect(created.status).toBe(201);
    // Not yet decided: not counted.
    expect((await report(`&agencyId=${d.agencyId}`)).body.agencies[0].byIntake).toBe(0);
    expect((await decide(created.body.id, { outcome: 'accepted', authority: 'recruiting_authority_head', decision: { number: '9/QĐ', date: '2025-10-15' } })).status).toBe(200);
    // The quota is one selected by review (the method the review module sets; here set directly).
    await t.sql("update quotas set method = 'review' where id = $1", [d.q1]);
    const after = await report(`&agencyId=${d.agencyId}`);
    expect(after.body.agencies).toEqual([expect.objectContaining({ byExam: 0, byReview: 2, byIntake: 1, total: 3 })]);
    expect(after.body.totals).toEqual({ byExam: 0, byReview: 2, byIntake: 1, total: 3 });
    // Another year holds none of them; an agency out of the key's scope is 404.
    expect((await t.http.get(`/v1/reports/recruitment?year=2024&agencyId=${d.agencyId}`).set(bearer(t.adminKey))).body.agencies).toEqual([]);
    const other = await place();
    expect((await t.http.get(`/v1/reports/recruitment?year=2025&agencyId=${d.agencyId}`).set(bearer(await t.keyFor('auditor', other.agencyId)))).status).toBe(404);
  });
});

describe('the catalogue is data', () => {
  it('when an admin adds a category of a new law, then it is listed in force from its date, and only an admin may add one', async () => {
    const body = {
      catalogue: 'nd300-2026-test',
      staffCategory: 'civil_servant',
      code: 'a',
      name: 'Đối tượng a (Nghị định 300/2026 Điều 3)',
      source: 'Decree 300/2026 Art. 3 (summary)',
      condition: 'insured_years',
      minYears: 5,
      councilRequired: true,
      oralRequired: true,
      decidingAuthority: 'recruiting_authority_head',
      dossierItems: [{ code: 'cv', name: 'Sơ yếu lý lịch', validityDays: 30, validityMonths: null }],
      effectiveFrom: '2030-08-01',
    };
    expect((await t.http.post('/v1/intake-categories').set(bearer(await t.keyFor('organizer'))).send(body)).status).toBe(403);
    const created = await t.http.post('/v1/intake-categories').set(bearer(t.adminKey)).send(body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ catalogue: 'nd300-2026-test', code: 'a', effectiveTo: null });
    expect((await t.http.post('/v1/intake-categories').set(bearer(t.adminKey)).send(body)).body.code).toBe('intake_category.duplicate');
    const before = await t.http.get('/v1/intake-categories?staffCategory=civil_servant&on=2030-07-31').set(bearer(t.adminKey));
    expect(before.body.items.map((c: { id: string }) => c.id)).not.toContain(created.body.id);
    const inForce = await t.http.get('/v1/intake-categories?staffCategory=civil_servant&on=2030-08-01').set(bearer(t.adminKey));
    expect(inForce.body.items.map((c: { id: string }) => c.id)).toContain(created.body.id);
    // A dossier received before the entry is in force cannot use it.
    const at = await place();
    expect((await post({ ...intakeBody(at, 'c'), categoryId: created.body.id })).body.code).toBe('intake.category_not_in_force');
  });
});

describe('webhooks and the data key', () => {
  it('when an intake is requested and accepted, then subscribers get intake events with ids and codes only', async () => {
    const at = await place();
    await createWebhook(t, { url: 'http://127.0.0.1:9/hook', eventTypes: ['intake.requested', 'intake.accepted'], agencyId: at.agencyId });
    const body = intakeBody(at, 'c');
    const created = await post(body);
    expect((await accept(created.body.id)).status).toBe(200);
    const events = await t.sql<{ type: string; payload: { resourceId: string; object: Record<string, unknown> } }>(
      'select type, payload from webhook_events where agency_id = $1 order by occurred_at',
      [at.agencyId],
    );
    expect(events.map((e) => e.type)).toEqual(['intake.requested', 'intake.accepted']);
    expect(events[1]!.payload).toMatchObject({ resourceId: created.body.id, object: { status: 'accepted', categoryCode: 'c', catalogue: 'nd170-2025' } });
    expect(JSON.stringify(events)).not.toContain(body.person.fullName);
    expect(JSON.stringify(events)).not.toContain(body.person.nationalId);
  });

  it('when the data key is rotated, then intakes’ national IDs are re-encrypted under the new key and still read the same', async () => {
    const at = await place();
    const body = intakeBody(at, 'c');
    const created = await post(body);
    const newKey = Buffer.alloc(32, 11).toString('base64');
    const rotating = createNationalIdProtector(newKey, [TEST_DATA_KEY]);
    const { rotated } = await rotateIntakeNationalIdKey(t.database.db, rotating, { batchSize: 2 });
    expect(rotated).toBeGreaterThan(0);
    const [row] = await t.sql<{ national_id_ciphertext: string; national_id_index: string }>('select national_id_ciphertext, national_id_index from intakes where id = $1', [created.body.id]);
    expect(row!.national_id_ciphertext.startsWith(`v2:${rotating.keyId}:`)).toBe(true);
    expect(rotating.decrypt(row!.national_id_ciphertext)).toBe(body.person.nationalId);
    expect(row!.national_id_index).toBe(rotating.blindIndex(body.person.nationalId));
    expect((await rotateIntakeNationalIdKey(t.database.db, rotating)).rotated).toBe(0);
  });
});
