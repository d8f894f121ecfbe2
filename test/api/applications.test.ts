import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/domain/deadlines.js';
import { assignCandidateNumbers } from '../../src/modules/applications/applications.service.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, onPostgres } from '../helpers/env.js';
import { createCandidate, createOpenDriveNow, register, today, windowAroundToday } from '../factories/candidates.js';
import { addQuota, createAgencyWithHeadcount, createDrive, createJobPosition, openDrive, transitionDrive } from '../factories/drives.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const count = async (text: string, params: unknown[]) => (await t.sql<{ n: number }>(`select count(*)::int as n from ${text}`, params))[0]!.n;

/** A public-employee drive (nd115: NV2 allowed) with two quotas, open today. */
async function openDriveWithTwoQuotas() {
  const { agencyId } = await createAgencyWithHeadcount(t, { staffCategory: 'public_employee' });
  const jp1 = await createJobPosition(t, agencyId, { staffCategory: 'public_employee' });
  const jp2 = await createJobPosition(t, agencyId, { staffCategory: 'public_employee' });
  const driveId = await createDrive(t, { organizingAgencyId: agencyId, staffCategory: 'public_employee', preset: 'nd115', ...windowAroundToday() });
  const q1 = await addQuota(t, driveId, { agencyId, jobPositionId: jp1, slots: 2, secondChoiceOpen: true });
  const q2 = await addQuota(t, driveId, { agencyId, jobPositionId: jp2, slots: 2, secondChoiceOpen: true });
  const q3 = await addQuota(t, driveId, { agencyId, jobPositionId: await createJobPosition(t, agencyId, { staffCategory: 'public_employee' }), slots: 1, secondChoiceOpen: true });
  await openDrive(t, driveId);
  return { agencyId, driveId, quotas: [q1, q2, q3] as const };
}

describe('registration', () => {
  it('when a candidate registers, then 201 with the highest priority claim only (no stacking), stored as numeric, audited', async () => {
    const d = await createOpenDriveNow(t);
    const c = await createCandidate(t, {
      priorityClaims: [
        { category: 'military_service', evidenceRef: 'QĐ 12/2020' },
        { category: 'ethnic_minority', evidenceRef: 'GKS 55' },
      ],
    });
    const res = await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotaId });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'submitted', choice: 1, priorityPoints: '5.00', priorityCategory: 'ethnic_minority', candidateNumber: null });
    expect(res.body.candidate.nationalIdMasked).toContain('*');
    const [row] = await t.sql<{ priority_points: string; status: string }>('select priority_points::text, status from applications where id = $1', [res.body.id]);
    expect(row).toEqual({ priority_points: '5.00', status: 'submitted' });
    expect(await count("audit_events where resource_id = $1 and action = 'application.submitted'", [res.body.id])).toBe(1);
    const hero = await createCandidate(t);
    const h = await register(t, d.driveId, { candidateId: hero.id, quotaId: d.quotaId, priorityClaims: [{ category: 'hero', evidenceRef: 'HC 1' }, { category: 'officer', evidenceRef: 'X' }] });
    expect(h.body.priorityPoints).toBe('7.50');
  });

  it('when the drive is not open, or today is outside the window, then 422 application.window_closed', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const jp = await createJobPosition(t, agencyId);
    const draft = await createDrive(t, { organizingAgencyId: agencyId, ...windowAroundToday() });
    const draftQuota = await addQuota(t, draft, { agencyId, jobPositionId: jp, slots: 1 });
    const c = await createCandidate(t);
    const res = await register(t, draft, { candidateId: c.id, quotaId: draftQuota });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('application.window_closed');
    const future = await createOpenDriveNow(t, { registrationOpensOn: addDays(today(), 5), registrationClosesOn: addDays(today(), 30) });
    const early = await register(t, future.driveId, { candidateId: c.id, quotaId: future.quotaId });
    expect(early.status).toBe(422);
    expect(early.body.code).toBe('application.window_closed');
    expect(await count('applications where candidate_id = $1', [c.id])).toBe(0);
  });

  it('when a registrar is scoped, then it registers where the drive or one of its quotas lies in its subtree, with candidates it can see', async () => {
    // The city organises; a district under it holds the second quota; a sibling district holds none.
    const { agencyId: city } = await createAgencyWithHeadcount(t);
    const { agencyId: district } = await createAgencyWithHeadcount(t, { parentId: city });
    const { agencyId: sibling } = await createAgencyWithHeadcount(t);
    const driveId = await createDrive(t, { organizingAgencyId: city, ...windowAroundToday() });
    const cityQuota = await addQuota(t, driveId, { agencyId: city, jobPositionId: await createJobPosition(t, city), slots: 1 });
    const districtQuota = await addQuota(t, driveId, { agencyId: district, jobPositionId: await createJobPosition(t, district), slots: 1 });
    await openDrive(t, driveId);
    const districtKey = await t.keyFor('registrar', district);
    const siblingKey = await t.keyFor('registrar', sibling);
    const own = await createCandidate(t, {}, districtKey);
    const foreign = await createCandidate(t, {}, siblingKey);

    // The drive is visible through the district's quota although the city organises it.
    const ok = await register(t, driveId, { candidateId: own.id, quotaId: districtQuota }, districtKey);
    expect(ok.status).toBe(201);
    expect(ok.body.registeredByAgencyId).toBe(district);
    // A candidate registered by the sibling, with no application in the district's subtree, is not the district's to use.
    const unseen = await register(t, driveId, { candidateId: foreign.id, quotaId: districtQuota }, districtKey);
    expect(unseen.status).toBe(422);
    expect(unseen.body.code).toBe('application.candidate_not_found');
    // The sibling sees neither the drive nor its quotas: 404, as if the drive did not exist.
    const hidden = await register(t, driveId, { candidateId: foreign.id, quotaId: cityQuota }, siblingKey);
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('drive.not_found');
    // An unknown drive is 404 too; nothing was written by the refusals.
    expect((await register(t, '00000000-0000-7000-8000-000000000000', { candidateId: own.id, quotaId: cityQuota }, districtKey)).status).toBe(404);
    expect(await count('applications where drive_id = $1', [driveId])).toBe(1);
  });

  it('when the quota belongs to another drive, then 422 application.quota_not_in_drive', async () => {
    const a = await createOpenDriveNow(t);
    const b = await createOpenDriveNow(t);
    const c = await createCandidate(t);
    const res = await register(t, a.driveId, { candidateId: c.id, quotaId: b.quotaId });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('application.quota_not_in_drive');
  });

  it('when the candidate does not exist, then 422 application.candidate_not_found', async () => {
    const d = await createOpenDriveNow(t);
    const res = await register(t, d.driveId, { candidateId: '0190a0a0-0000-7000-8000-000000000000', quotaId: d.quotaId });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('application.candidate_not_found');
  });

  it('when the candidate is under 18 on the closing date, then 422 application.under_age with the numbers', async () => {
    const w = windowAroundToday();
    const d = await createOpenDriveNow(t, w);
    const eighteenth = `${Number(w.registrationClosesOn.slice(0, 4)) - 18}${w.registrationClosesOn.slice(4)}`;
    const young = await createCandidate(t, { birthDate: addDays(eighteenth, 1) });
    const res = await register(t, d.driveId, { candidateId: young.id, quotaId: d.quotaId });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'application.under_age', age: 17, minAgeYears: 18 });
    const justEighteen = await createCandidate(t, { birthDate: eighteenth });
    expect((await register(t, d.driveId, { candidateId: justEighteen.id, quotaId: d.quotaId })).status).toBe(201);
  });

  it('when the nationality is not allowed, then 422 application.nationality', async () => {
    const d = await createOpenDriveNow(t);
    const c = await createCandidate(t, { nationality: 'US' });
    const res = await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotaId });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('application.nationality');
  });

  it('when the candidate is barred, then 422 application.barred; a lifted bar no longer counts', async () => {
    const d = await createOpenDriveNow(t);
    const c = await createCandidate(t);
    await t.sql("insert into candidate_bars (id, candidate_id, reason) values (gen_random_uuid(), $1, 'fraud')", [c.id]);
    const res = await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotaId });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('application.barred');
    await t.sql('update candidate_bars set lifted_at = now() where candidate_id = $1', [c.id]);
    expect((await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotaId })).status).toBe(201);
  });

  it('when a priority category is not in the drive’s table, then 422 priority.unknown_category', async () => {
    const d = await createOpenDriveNow(t);
    const c = await createCandidate(t);
    const res = await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotaId, priorityClaims: [{ category: 'astronaut', evidenceRef: 'x' }] });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('priority.unknown_category');
    const ex = await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotaId, exemptions: ['no_such_exemption'] });
    expect(ex.body.code).toBe('application.unknown_exemption');
  });

  it('when the rule set allows one application, then a second registration is 409 application.duplicate and NV2 is 422', async () => {
    const d = await createOpenDriveNow(t);
    const c = await createCandidate(t);
    expect((await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotaId })).status).toBe(201);
    const again = await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotaId });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('application.duplicate');
    const nv2 = await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotaId, choice: 2 });
    expect(nv2.status).toBe(422);
    expect(nv2.body.code).toBe('application.second_choice_not_allowed');
    expect(await count('applications where candidate_id = $1', [c.id])).toBe(1);
  });

  it('when the rule set allows NV2 (nd115), then NV1 and NV2 on different quotas succeed, a third is 409', async () => {
    const d = await openDriveWithTwoQuotas();
    const c = await createCandidate(t);
    expect((await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotas[0], choice: 1 })).status).toBe(201);
    const sameQuota = await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotas[0], choice: 2 });
    expect(sameQuota.status).toBe(409);
    expect((await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotas[1], choice: 2 })).status).toBe(201);
    const third = await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotas[2], choice: 2 });
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('application.duplicate');
    expect(await count('applications where candidate_id = $1', [c.id])).toBe(2);
  });

  it.skipIf(!onPostgres)('when 50 identical registrations race, then exactly one application exists', { timeout: 30_000 }, async () => {
    void CONCURRENCY_SKIP_REASON;
    const d = await createOpenDriveNow(t);
    const c = await createCandidate(t);
    const results = await Promise.all(Array.from({ length: 50 }, () => register(t, d.driveId, { candidateId: c.id, quotaId: d.quotaId })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'application.duplicate')).toBe(true);
    expect(await count('applications where candidate_id = $1 and drive_id = $2', [c.id, d.driveId])).toBe(1);
  });

  it('when a marker calls any application route, then 403', async () => {
    const d = await createOpenDriveNow(t);
    const marker = await t.keyFor('marker');
    expect((await t.http.get(`/v1/drives/${d.driveId}/applications`).set(bearer(marker))).status).toBe(403);
    expect((await register(t, d.driveId, { candidateId: d.quotaId, quotaId: d.quotaId }, marker)).status).toBe(403);
  });
});

describe('eligibility and withdrawal', () => {
  it('when the council decides ineligible, then the reasons are kept and audited; a withdrawal keeps the record and allows re-registration', async () => {
    const d = await createOpenDriveNow(t);
    const c = await createCandidate(t);
    const app = (await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotaId })).body;
    const council = await t.keyFor('council');
    const noReason = await t.http.post(`/v1/applications/${app.id}/eligibility`).set(bearer(council)).send({ eligible: false });
    expect(noReason.status).toBe(400);
    const registrar = await t.keyFor('registrar');
    expect((await t.http.post(`/v1/applications/${app.id}/eligibility`).set(bearer(registrar)).send({ eligible: true })).status).toBe(403);
    const stale = await t.http.post(`/v1/applications/${app.id}/eligibility`).set(bearer(council)).set('if-match', '"v7"').send({ eligible: true });
    expect(stale.status).toBe(412);
    const decided = await t.http
      .post(`/v1/applications/${app.id}/eligibility`)
      .set(bearer(council))
      .send({ eligible: false, reasons: [{ code: 'degree_mismatch', message: 'Bằng cấp không phù hợp vị trí' }] });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'ineligible', reasons: [{ code: 'degree_mismatch' }] });
    expect(decided.body.decidedAt).toBeTruthy();

    const withdrawn = await t.http.post(`/v1/applications/${app.id}/withdraw`).set(bearer(registrar)).send({ reason: 'Thí sinh xin rút' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');
    const twice = await t.http.post(`/v1/applications/${app.id}/withdraw`).set(bearer(registrar)).send({});
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('application.already_withdrawn');
    const decideWithdrawn = await t.http.post(`/v1/applications/${app.id}/eligibility`).set(bearer(council)).send({ eligible: true });
    expect(decideWithdrawn.body.code).toBe('application.withdrawn');

    const actions = await t.sql<{ action: string }>('select action from audit_events where resource_id = $1 order by occurred_at, id', [app.id]);
    expect(actions.map((a) => a.action)).toEqual(['application.submitted', 'application.ineligible', 'application.withdrawn']);
    expect(await count("applications where id = $1 and status = 'withdrawn'", [app.id])).toBe(1);
    const again = await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotaId });
    expect(again.status).toBe(201);
    expect(await count('applications where candidate_id = $1', [c.id])).toBe(2);
  });
});

describe('listing', () => {
  it('when filtering by status, quota, candidate name and agency, then only matching applications come back, scoped to the key', async () => {
    const d = await createOpenDriveNow(t);
    const other = await createOpenDriveNow(t);
    const a = await createCandidate(t, { fullName: 'Đỗ Thị Ánh' });
    const b = await createCandidate(t, { fullName: 'Vũ Văn Bảo' });
    const appA = (await register(t, d.driveId, { candidateId: a.id, quotaId: d.quotaId })).body;
    await register(t, d.driveId, { candidateId: b.id, quotaId: d.quotaId });
    await register(t, other.driveId, { candidateId: a.id, quotaId: other.quotaId });
    const council = await t.keyFor('council');
    await t.http.post(`/v1/applications/${appA.id}/eligibility`).set(bearer(council)).send({ eligible: true });

    const all = await t.http.get(`/v1/drives/${d.driveId}/applications`).set(bearer(t.adminKey));
    expect(all.body.items).toHaveLength(2);
    const eligible = await t.http.get(`/v1/drives/${d.driveId}/applications`).query({ status: 'eligible' }).set(bearer(t.adminKey));
    expect(eligible.body.items.map((i: { id: string }) => i.id)).toEqual([appA.id]);
    const byName = await t.http.get(`/v1/drives/${d.driveId}/applications`).query({ q: 'do thi anh' }).set(bearer(t.adminKey));
    expect(byName.body.items.map((i: { id: string }) => i.id)).toEqual([appA.id]);
    const byAgency = await t.http.get(`/v1/drives/${d.driveId}/applications`).query({ agencyId: other.agencyId }).set(bearer(t.adminKey));
    expect(byAgency.body.items).toHaveLength(0);
    const page = await t.http.get(`/v1/drives/${d.driveId}/applications`).query({ limit: 1, quotaId: d.quotaId }).set(bearer(t.adminKey));
    expect(page.body.items).toHaveLength(1);
    expect(page.body.nextCursor).toBeTruthy();
    expect(page.headers.link).toContain('rel="next"');

    const scopedOther = await t.keyFor('registrar', other.agencyId);
    expect((await t.http.get(`/v1/drives/${d.driveId}/applications`).set(bearer(scopedOther))).status).toBe(404);
    expect((await t.http.get(`/v1/applications/${appA.id}`).set(bearer(scopedOther))).status).toBe(404);
    const scopedOwn = await t.keyFor('registrar', d.agencyId);
    expect((await t.http.get(`/v1/applications/${appA.id}`).set(bearer(scopedOwn))).status).toBe(200);
    // The candidate registered to a quota of the scoped agency is visible to it.
    expect((await t.http.get(`/v1/candidates/${a.id}`).set(bearer(scopedOwn))).status).toBe(200);
  });
});

describe('candidate numbers', () => {
  it('when registration closes, then numbers follow given name then family name (Vietnamese collation) and stay stable', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const jp = await createJobPosition(t, agencyId);
    const driveId = await createDrive(t, { organizingAgencyId: agencyId, ...windowAroundToday() });
    await t.http.patch(`/v1/drives/${driveId}`).set(bearer(t.adminKey)).send({ candidateNumberPrefix: 'HN' });
    const quotaId = await addQuota(t, driveId, { agencyId, jobPositionId: jp, slots: 5 });
    await openDrive(t, driveId);
    const names = ['Nguyễn Văn Bình', 'Trần Thị Ánh', 'Lê Văn An', 'Phạm Thị Anh', 'Hoàng Văn Ân'];
    const ids: Record<string, string> = {};
    for (const fullName of names) {
      const c = await createCandidate(t, { fullName });
      ids[fullName] = (await register(t, driveId, { candidateId: c.id, quotaId })).body.id;
    }
    // One number issued early (e.g. a list drawn up for a first batch) must not move.
    await t.database.db.transaction((tx) => assignCandidateNumbers(tx, driveId));
    const late = await createCandidate(t, { fullName: 'Bùi Thị An' });
    ids['Bùi Thị An'] = (await register(t, driveId, { candidateId: late.id, quotaId })).body.id;
    const before = await t.sql<{ id: string; candidate_number: string }>('select id, candidate_number from applications where drive_id = $1 and candidate_number is not null', [driveId]);
    expect(before).toHaveLength(5);

    await transitionDrive(t, driveId, 'closed');
    const rows = await t.sql<{ id: string; candidate_number: string }>('select id, candidate_number from applications where drive_id = $1 order by candidate_number', [driveId]);
    const byId = new Map(rows.map((r) => [r.id, r.candidate_number]));
    // First batch in list order: An (Lê Văn), Anh (Phạm Thị), Ánh (Trần Thị), Ân (Hoàng Văn), Bình.
    expect(byId.get(ids['Lê Văn An']!)).toBe('HN0001');
    expect(byId.get(ids['Phạm Thị Anh']!)).toBe('HN0002');
    expect(byId.get(ids['Trần Thị Ánh']!)).toBe('HN0003');
    expect(byId.get(ids['Hoàng Văn Ân']!)).toBe('HN0004');
    expect(byId.get(ids['Nguyễn Văn Bình']!)).toBe('HN0005');
    expect(byId.get(ids['Bùi Thị An']!)).toBe('HN0006');
    for (const r of before) expect(byId.get(r.id)).toBe(r.candidate_number);
    const again = await t.database.db.transaction((tx) => assignCandidateNumbers(tx, driveId));
    expect(again.assigned).toBe(0);
    const got = await t.http.get(`/v1/applications/${ids['Lê Văn An']!}`).set(bearer(t.adminKey));
    expect(got.body.candidateNumber).toBe('HN0001');
  });
});
