import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { onPostgres } from '../helpers/env.js';
import { addQuota, createAgencyWithHeadcount, createDrive, createJobPosition, openDrive, transitionDrive } from '../factories/drives.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const post = (path: string, body: unknown, key = t.adminKey) => t.http.post(path).set(bearer(key)).send(body as object);

async function draftWithQuota(opts: { opensOn?: string | null } = {}) {
  const { agencyId } = await createAgencyWithHeadcount(t);
  const jobPositionId = await createJobPosition(t, agencyId);
  const driveId = await createDrive(t, { organizingAgencyId: agencyId, ...(opts.opensOn !== undefined ? { registrationOpensOn: opts.opensOn } : {}) });
  const quotaId = await addQuota(t, driveId, { agencyId, jobPositionId, slots: 2 });
  return { agencyId, jobPositionId, driveId, quotaId };
}

/** Registration itself belongs to the applications module; here one submitted application is enough. */
async function insertSubmittedApplication(driveId: string, quotaId: string) {
  const [c] = await t.sql<{ id: string }>(
    `insert into candidates (id, full_name, full_name_search, national_id_ciphertext, national_id_index, national_id_masked,
       birth_date, gender, ethnicity, nationality) values ($1, 'Nguyễn Văn An', 'nguyen van an', 'x', $2, '********1234',
       '1995-01-01', 'male', 'Kinh', 'VN') returning id`,
    [randomUUID(), randomUUID()],
  );
  await t.sql(`insert into applications (id, drive_id, quota_id, candidate_id) values ($1, $2, $3, $4)`, [randomUUID(), driveId, quotaId, c!.id]);
}

describe('creating drives and their rule sets', () => {
  it('when a drive is created with overrides, then the effective rule set merges them and the closing date follows the registration period', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const res = await post('/v1/drives', {
      code: 'KT-HN-2025-01',
      name: 'Kỳ tuyển dụng công chức Hà Nội 2025',
      kind: 'recruitment',
      staffCategory: 'civil_servant',
      year: 2025,
      organizingAgencyId: agencyId,
      ruleSet: {
        preset: 'nd138',
        overrides: { deadlines: { registrationDays: 20 }, priorityTable: { youth_volunteer: null } },
        use: 'historical',
        reason: 'Recomputing the 2025 drive held under Decree 138/2020',
      },
      registrationOpensOn: '2025-03-01',
    });
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('"v1"');
    expect(res.body).toMatchObject({ status: 'draft', registrationOpensOn: '2025-03-01', registrationClosesOn: '2025-03-21', allowedTransitions: ['open', 'cancelled'] });
    expect(res.body.ruleSet.preset).toBe('nd138');
    expect(res.body.ruleSet.frozenAt).toBeNull();
    expect(res.body.ruleSet.effective.deadlines.registrationDays).toBe(20);
    expect(res.body.ruleSet.effective.priorityTable.youth_volunteer).toBeUndefined();
    expect(res.body.ruleSet.effective.priorityTable.hero).toBe(750);
    const [row] = await t.sql<{ rule_set: { deadlines: { registrationDays: number } }; status: string }>('select rule_set, status from drives where id = $1', [res.body.id]);
    expect(row!.rule_set.deadlines.registrationDays).toBe(20);
    expect(row!.status).toBe('draft');
    const audit = await t.sql('select 1 from audit_events where action = $1 and resource_id = $2', ['drive.created', res.body.id]);
    expect(audit).toHaveLength(1);
  });

  it('when the plan date is not given, then the opening date stands in and the drive carries a warning (existing clients keep working)', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const base = { kind: 'recruitment', staffCategory: 'civil_servant', year: 2026, organizingAgencyId: agencyId, name: 'Tuyển công chức 2026' };
    const late = await post('/v1/drives', { ...base, code: `PA-${randomUUID().slice(0, 8)}`, registrationOpensOn: '2026-09-01' });
    expect(late.status, JSON.stringify(late.body)).toBe(201);
    expect(late.body.ruleSet.preset).toBe('nd170-300');
    expect(late.body.planApprovedOn).toBeNull();
    expect(late.body.warnings).toEqual([expect.objectContaining({ code: 'drive.plan_date_assumed', message: expect.stringContaining('2026-09-01') })]);
    // The recorded plan date wins over the opening date: a plan of June 2026 stays under 170 as issued (300 Art. 35(1)).
    const early = await post('/v1/drives', { ...base, code: `PA-${randomUUID().slice(0, 8)}`, registrationOpensOn: '2026-09-01', planApprovedOn: '2026-06-15' });
    expect(early.status, JSON.stringify(early.body)).toBe(201);
    expect(early.body.ruleSet.preset).toBe('nd170');
    expect(early.body.planApprovedOn).toBe('2026-06-15');
    expect(early.body.warnings).toEqual([]);
    const [row] = await t.sql<{ plan_approved_on: string }>("select to_char(plan_approved_on, 'YYYY-MM-DD') as plan_approved_on from drives where id = $1", [early.body.id]);
    expect(row!.plan_approved_on).toBe('2026-06-15');
  });

  it.each([
    ['nd170', '2026-09-01', 'Decree 300/2026 Art. 36: a plan from 2026-08-01 follows 170 as amended'],
    ['nd170-300', '2026-05-01', 'Decree 300/2026 Art. 36: not in force for a plan of May 2026'],
    ['nd138', '2024-05-01', 'Decree 170/2025 Art. 71(2)(c): 138/2020 repealed, unless historical'],
  ] as const)('when %s is pinned for a plan of %s, then 422 rule_set.not_in_force with the dates (%s)', async (preset, planApprovedOn, _why) => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const code = `NF-${randomUUID().slice(0, 8)}`;
    const res = await post('/v1/drives', { code, name: 'x', kind: 'recruitment', staffCategory: 'civil_servant', year: 2026, organizingAgencyId: agencyId, planApprovedOn, ruleSet: { preset } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('rule_set.not_in_force');
    expect(res.body.details).toMatchObject({ preset, planApprovedOn, period: expect.objectContaining({ planApprovedFrom: expect.any(String) }) });
    expect(await t.sql('select 1 from drives where code = $1', [code])).toHaveLength(0);
  });

  it('when nd138 is pinned as a historical recomputation, then it needs a reason, is accepted, warned and audited with the reason', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const base = { name: 'Tính lại kỳ 2024', kind: 'recruitment', staffCategory: 'civil_servant', year: 2024, organizingAgencyId: agencyId, planApprovedOn: '2024-02-01' };
    const noReason = await post('/v1/drives', { ...base, code: `HI-${randomUUID().slice(0, 8)}`, ruleSet: { preset: 'nd138', use: 'historical' } });
    expect(noReason.status).toBe(400);
    const reason = 'Recomputing the 2024 drive after the court ruling of 2026-10-01';
    const ok = await post('/v1/drives', { ...base, code: `HI-${randomUUID().slice(0, 8)}`, ruleSet: { preset: 'nd138', use: 'historical', reason } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.ruleSet).toMatchObject({ preset: 'nd138', use: 'historical', reason });
    expect(ok.body.warnings.map((w: { code: string }) => w.code)).toEqual(['rule_set.historical']);
    const [audit] = await t.sql<{ after: { ruleSet: { use: string; reason: string } } }>(
      'select after from audit_events where action = $1 and resource_id = $2',
      ['drive.created', ok.body.id],
    );
    expect(audit!.after.ruleSet).toMatchObject({ use: 'historical', reason });
    // Historical does not stretch a text over dates it never governed.
    const outside = await post('/v1/drives', { ...base, code: `HI-${randomUUID().slice(0, 8)}`, planApprovedOn: '2025-09-01', ruleSet: { preset: 'nd138', use: 'historical', reason } });
    expect(outside.status).toBe(422);
    expect(outside.body.code).toBe('rule_set.not_in_force');
  });

  it('when a public-employee plan is approved from 2026-07-01, then nd115 is refused unless pinned as provisional, which warns', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t, { staffCategory: 'public_employee' });
    const base = { name: 'Tuyển viên chức 2026', kind: 'recruitment', staffCategory: 'public_employee', year: 2026, organizingAgencyId: agencyId, planApprovedOn: '2026-09-01' };
    const omitted = await post('/v1/drives', { ...base, code: `PV-${randomUUID().slice(0, 8)}` });
    expect(omitted.status).toBe(422);
    expect(omitted.body.code).toBe('rule_set.not_in_force');
    expect(omitted.body.details.provisionalFrom).toBe('2026-07-01');
    const current = await post('/v1/drives', { ...base, code: `PV-${randomUUID().slice(0, 8)}`, ruleSet: { preset: 'nd115' } });
    expect(current.status).toBe(422);
    const provisional = await post('/v1/drives', { ...base, code: `PV-${randomUUID().slice(0, 8)}`, ruleSet: { preset: 'nd115', use: 'provisional' } });
    expect(provisional.status, JSON.stringify(provisional.body)).toBe(201);
    expect(provisional.body.ruleSet.use).toBe('provisional');
    expect(provisional.body.warnings).toEqual([expect.objectContaining({ code: 'rule_set.provisional' })]);
    // Inside 115's own period there is nothing provisional about it.
    const early = await post('/v1/drives', { ...base, code: `PV-${randomUUID().slice(0, 8)}`, planApprovedOn: '2026-03-01', ruleSet: { preset: 'nd115', use: 'provisional' } });
    expect(early.status).toBe(422);
    expect(early.body.code).toBe('rule_set.provisional_not_applicable');
  });

  it('when a draft without a plan date moves its opening date out of its preset period, then 422 and nothing changes', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const driveId = await createDrive(t, { organizingAgencyId: agencyId, preset: 'nd170', planApprovedOn: null, registrationOpensOn: '2026-05-01' });
    const res = await t.http.patch(`/v1/drives/${driveId}`).set(bearer(t.adminKey)).send({ registrationOpensOn: '2026-09-01' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('rule_set.not_in_force');
    const fixed = await t.http.patch(`/v1/drives/${driveId}`).set(bearer(t.adminKey)).send({ registrationOpensOn: '2026-09-01', planApprovedOn: '2026-07-20' });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    expect(fixed.body).toMatchObject({ planApprovedOn: '2026-07-20', registrationOpensOn: '2026-09-01', warnings: [] });
  });

  it('when the rule set is omitted, then the default preset for the kind and category is used', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const base = { kind: 'recruitment', year: 2025, organizingAgencyId: agencyId, name: 'Tuyển viên chức' };
    const pe = await post('/v1/drives', { ...base, code: `PE-${randomUUID().slice(0, 8)}`, staffCategory: 'public_employee', planApprovedOn: '2026-03-01' });
    expect(pe.body.ruleSet.preset).toBe('nd115');
    const cs = await post('/v1/drives', { ...base, code: `CS-${randomUUID().slice(0, 8)}`, staffCategory: 'civil_servant', registrationOpensOn: '2025-08-01' });
    expect(cs.body.ruleSet.preset).toBe('nd170');
    const ld = await post('/v1/drives', { ...base, code: `LD-${randomUUID().slice(0, 8)}`, kind: 'leadership', staffCategory: 'civil_servant' });
    expect(ld.body.ruleSet.preset).toBe('leadership');
    expect(ld.body.registrationOpensOn).toBeNull();
  });

  it.each([
    ['leadership', 'nd138', 'civil_servant'],
    ['recruitment', 'leadership', 'civil_servant'],
    ['recruitment', 'nd115', 'civil_servant'],
    ['recruitment', 'nd138', 'public_employee'],
  ])('when a %s drive asks for preset %s for %s, then 422 drive.rule_set_mismatch', async (kind, preset, staffCategory) => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const code = `MM-${randomUUID().slice(0, 8)}`;
    const res = await post('/v1/drives', { code, name: 'x', kind, staffCategory, year: 2025, organizingAgencyId: agencyId, ruleSet: { preset } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('drive.rule_set_mismatch');
    expect(await t.sql('select 1 from drives where code = $1', [code])).toHaveLength(0);
  });

  it('when overrides break a rule-set invariant, then 422 rule_set.invalid; when malformed, then 400', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const base = { name: 'x', kind: 'recruitment', staffCategory: 'civil_servant', year: 2025, organizingAgencyId: agencyId };
    const invalid = await post('/v1/drives', { ...base, code: 'RS-1', ruleSet: { preset: 'nd138', overrides: { reconciliation: { escalateAtSpread: 100 } } } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.code).toBe('rule_set.invalid');
    const malformed = await post('/v1/drives', { ...base, code: 'RS-2', ruleSet: { preset: 'nd138', overrides: { minAgeYears: 'eighteen' } } });
    expect(malformed.status).toBe(400);
    const unknownKey = await post('/v1/drives', { ...base, code: 'RS-3', ruleSet: { preset: 'nd138', overrides: { surprise: 1 } } });
    expect(unknownKey.status).toBe(400);
  });

  it('when the window closes before it opens, then 422 drive.invalid_window', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const res = await post('/v1/drives', {
      code: 'WIN-1', name: 'x', kind: 'recruitment', staffCategory: 'civil_servant', year: 2025, organizingAgencyId: agencyId,
      registrationOpensOn: '2025-03-10', registrationClosesOn: '2025-03-01',
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('drive.invalid_window');
  });

  it('when the code is taken, then 409 drive.code_taken', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const body = { code: 'DUP-DRIVE', name: 'x', kind: 'recruitment', staffCategory: 'civil_servant', year: 2025, organizingAgencyId: agencyId };
    expect((await post('/v1/drives', body)).status).toBe(201);
    const res = await post('/v1/drives', body);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('drive.code_taken');
  });

  it('when the organising agency is unknown, then 422 drive.agency_not_found', async () => {
    const res = await post('/v1/drives', { code: 'NOAG', name: 'x', kind: 'recruitment', staffCategory: 'civil_servant', year: 2025, organizingAgencyId: randomUUID() });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('drive.agency_not_found');
  });
});

describe('editing a draft', () => {
  it('when the opening date and rule set change, then a defaulted closing date follows and the rule set is recomputed', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const driveId = await createDrive(t, { organizingAgencyId: agencyId });
    const res = await t.http
      .patch(`/v1/drives/${driveId}`)
      .set(bearer(t.adminKey))
      .set('if-match', '"v1"')
      .send({
        registrationOpensOn: '2025-04-01',
        ruleSet: { preset: 'nd138', overrides: { deadlines: { registrationDays: 10 }, minAgeYears: 20 }, use: 'historical', reason: 'Recomputing a 2025 drive' },
      });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"v2"');
    expect(res.body).toMatchObject({ registrationOpensOn: '2025-04-01', registrationClosesOn: '2025-04-11' });
    expect(res.body.ruleSet.effective.minAgeYears).toBe(20);
    const [row] = await t.sql<{ rule_set: { minAgeYears: number }; registration_closes_on: string }>(
      "select rule_set, to_char(registration_closes_on, 'YYYY-MM-DD') as registration_closes_on from drives where id = $1",
      [driveId],
    );
    expect(row!.rule_set.minAgeYears).toBe(20);
    expect(row!.registration_closes_on).toBe('2025-04-11');
  });

  it('when If-Match is stale, then 412 and nothing changes', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const driveId = await createDrive(t, { organizingAgencyId: agencyId, name: 'Trước' });
    const res = await t.http.patch(`/v1/drives/${driveId}`).set(bearer(t.adminKey)).set('if-match', '"v7"').send({ name: 'Sau' });
    expect(res.status).toBe(412);
    expect((await t.sql<{ name: string }>('select name from drives where id = $1', [driveId]))[0]!.name).toBe('Trước');
  });

  it('when the drive is no longer draft, then 409 drive.not_draft', async () => {
    const { driveId } = await draftWithQuota();
    await openDrive(t, driveId);
    const res = await t.http.patch(`/v1/drives/${driveId}`).set(bearer(t.adminKey)).send({ name: 'Đổi tên' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('drive.not_draft');
  });
});

describe('the lifecycle', () => {
  it('when a drive goes draft → open → closed → examining → marking, then each step is recorded and audited, and the rule set is frozen at open', async () => {
    const { driveId, quotaId } = await draftWithQuota();
    const opened = await post(`/v1/drives/${driveId}/transitions`, { to: 'open' });
    expect(opened.status).toBe(200);
    expect(opened.body.status).toBe('open');
    expect(opened.headers.etag).toBe(`"v${opened.body.version}"`);
    expect(opened.body.ruleSet.frozenAt).not.toBeNull();
    const got = await t.http.get(`/v1/drives/${driveId}`).set(bearer(t.adminKey));
    expect(got.body.ruleSet.frozenAt).toBe(opened.body.ruleSet.frozenAt);
    expect(got.body.ruleSet.effective.preset).toBe('nd138');
    expect(got.body.ruleSet.effective.gate.rankingRoundMinRaw).toBe(5000);

    await transitionDrive(t, driveId, 'closed');
    await insertSubmittedApplication(driveId, quotaId);
    await transitionDrive(t, driveId, 'examining');
    const marking = await transitionDrive(t, driveId, 'marking');
    expect(marking.status).toBe('marking');

    const rows = await t.sql<{ from: string; to: string }>('select "from", "to" from drive_transitions where drive_id = $1 order by at, id', [driveId]);
    expect(rows.map((r) => `${r.from}>${r.to}`)).toEqual(['draft>open', 'open>closed', 'closed>examining', 'examining>marking']);
    const audits = await t.sql<{ before: { status: string }; after: { status: string } }>(
      "select before, after from audit_events where action = 'drive.transitioned' and drive_id = $1 order by occurred_at, id",
      [driveId],
    );
    expect(audits).toHaveLength(4);
    expect(audits[0]).toMatchObject({ before: { status: 'draft' }, after: { status: 'open' } });
  });

  it('when opening without quotas or without a registration window, then 409 drive.precondition_failed with the reason', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const bare = await createDrive(t, { organizingAgencyId: agencyId });
    const noQuota = await post(`/v1/drives/${bare}/transitions`, { to: 'open' });
    expect(noQuota.status).toBe(409);
    expect(noQuota.body.code).toBe('drive.precondition_failed');
    expect(noQuota.body.detail).toMatch(/quota/);

    const { driveId } = await draftWithQuota({ opensOn: null });
    const noWindow = await post(`/v1/drives/${driveId}/transitions`, { to: 'open' });
    expect(noWindow.status).toBe(409);
    expect(noWindow.body.code).toBe('drive.precondition_failed');
    expect(noWindow.body.detail).toMatch(/registration window/);
    expect((await t.sql<{ status: string }>('select status from drives where id = $1', [driveId]))[0]!.status).toBe('draft');
  });

  it('when examining without any submitted or eligible application, then 409 drive.precondition_failed', async () => {
    const { driveId } = await draftWithQuota();
    await openDrive(t, driveId);
    await transitionDrive(t, driveId, 'closed');
    const res = await post(`/v1/drives/${driveId}/transitions`, { to: 'examining' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('drive.precondition_failed');
  });

  it('when a transition is not in the table, then 409 drive.invalid_transition; finishing unpublished results is a failed precondition', async () => {
    const { driveId } = await draftWithQuota();
    const skip = await post(`/v1/drives/${driveId}/transitions`, { to: 'closed' });
    expect(skip.status).toBe(409);
    expect(skip.body.code).toBe('drive.invalid_transition');
    expect(skip.body.allowed).toEqual(['open', 'cancelled']);
    const finish = await post(`/v1/drives/${driveId}/transitions`, { to: 'finished' });
    expect(finish.status).toBe(409);
    expect(finish.body.code).toBe('drive.precondition_failed');
    const resultsStep = await post(`/v1/drives/${driveId}/transitions`, { to: 'published' });
    expect(resultsStep.status).toBe(400);
    expect(await t.sql('select 1 from drive_transitions where drive_id = $1', [driveId])).toHaveLength(0);
  });

  it('when cancelled with a reason, then the drive is final and its slots are released; without a reason, then refused', async () => {
    const { driveId, agencyId } = await draftWithQuota();
    const hcBefore = await t.http.get(`/v1/agencies/${agencyId}/headcount/2025`).set(bearer(t.adminKey));
    expect(hcBefore.body.categories[0]).toMatchObject({ reserved: 2, available: 98 });
    const noReason = await post(`/v1/drives/${driveId}/transitions`, { to: 'cancelled' });
    expect(noReason.status).toBe(409);
    expect(noReason.body.code).toBe('drive.precondition_failed');
    const cancelled = await post(`/v1/drives/${driveId}/transitions`, { to: 'cancelled', reason: 'Chủ trương thay đổi' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', allowedTransitions: [] });
    const again = await post(`/v1/drives/${driveId}/transitions`, { to: 'open' });
    expect(again.body.code).toBe('drive.invalid_transition');
    const hcAfter = await t.http.get(`/v1/agencies/${agencyId}/headcount/2025`).set(bearer(t.adminKey));
    expect(hcAfter.body.categories[0]).toMatchObject({ reserved: 0, available: 100 });
    const [row] = await t.sql<{ reason: string }>("select reason from drive_transitions where drive_id = $1 and \"to\" = 'cancelled'", [driveId]);
    expect(row!.reason).toBe('Chủ trương thay đổi');
  });

  it('when If-Match on a transition is stale, then 412 and the status is unchanged', async () => {
    const { driveId } = await draftWithQuota();
    await t.http.patch(`/v1/drives/${driveId}`).set(bearer(t.adminKey)).send({ name: 'Đổi tên lần 1' });
    const res = await t.http.post(`/v1/drives/${driveId}/transitions`).set(bearer(t.adminKey)).set('if-match', '"v1"').send({ to: 'open' });
    expect(res.status).toBe(412);
    expect(res.body.code).toBe('precondition.failed');
    expect((await t.sql<{ status: string }>('select status from drives where id = $1', [driveId]))[0]!.status).toBe('draft');
    const ok = await t.http.post(`/v1/drives/${driveId}/transitions`).set(bearer(t.adminKey)).set('if-match', '"v2"').send({ to: 'open' });
    expect(ok.status).toBe(200);
  });

  it.skipIf(!onPostgres)('when two organisers open the same drive at once, then exactly one transition is recorded', async () => {
    const { driveId } = await draftWithQuota();
    const results = await Promise.all([0, 1, 2, 3].map(() => post(`/v1/drives/${driveId}/transitions`, { to: 'open' })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    expect(await t.sql('select 1 from drive_transitions where drive_id = $1', [driveId])).toHaveLength(1);
  });
});

describe('scope, roles and listing', () => {
  it('when a key is scoped to agency A, then B’s drive is 404 and lists show only A’s subtree', async () => {
    const a = await createAgencyWithHeadcount(t, { name: 'Ủy ban nhân dân quận Ba Đình' });
    const aChild = await createAgencyWithHeadcount(t, { parentId: a.agencyId });
    const b = await createAgencyWithHeadcount(t);
    const driveA = await createDrive(t, { organizingAgencyId: aChild.agencyId, name: 'Tuyển dụng quận Ba Đình' });
    const driveB = await createDrive(t, { organizingAgencyId: b.agencyId });
    const keyA = await t.keyFor('organizer', a.agencyId);

    expect((await t.http.get(`/v1/drives/${driveA}`).set(bearer(keyA))).status).toBe(200);
    const hidden = await t.http.get(`/v1/drives/${driveB}`).set(bearer(keyA));
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('drive.not_found');
    expect((await t.http.patch(`/v1/drives/${driveB}`).set(bearer(keyA)).send({ name: 'x' })).status).toBe(404);
    expect((await post(`/v1/drives/${driveB}/transitions`, { to: 'open' }, keyA)).status).toBe(404);
    const created = await post('/v1/drives', { code: 'SCOPE-B', name: 'x', kind: 'recruitment', staffCategory: 'civil_servant', year: 2025, organizingAgencyId: b.agencyId }, keyA);
    expect(created.status).toBe(422);
    expect(created.body.code).toBe('drive.agency_not_found');

    const list = await t.http.get('/v1/drives?limit=500').set(bearer(keyA));
    const ids = list.body.items.map((d: { id: string }) => d.id);
    expect(ids).toContain(driveA);
    expect(ids).not.toContain(driveB);
    const search = await t.http.get('/v1/drives?q=ba dinh').set(bearer(t.adminKey));
    expect(search.body.items.map((d: { id: string }) => d.id)).toEqual([driveA]);
  });

  it('when a non-organiser writes, then 403; staff roles may read', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const driveId = await createDrive(t, { organizingAgencyId: agencyId });
    const council = await t.keyFor('council');
    expect((await t.http.get(`/v1/drives/${driveId}`).set(bearer(council))).status).toBe(200);
    expect((await post(`/v1/drives/${driveId}/transitions`, { to: 'open' }, council)).status).toBe(403);
    expect((await t.http.get(`/v1/drives/${driveId}`).set(bearer(await t.keyFor('marker')))).status).toBe(403);
  });

  it('when listing with filters and a small page, then cursor paging walks every match once', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await createDrive(t, { organizingAgencyId: agencyId, year: 2031 }));
    const first = await t.http.get(`/v1/drives?organizingAgencyId=${agencyId}&year=2031&status=draft&kind=recruitment&limit=2`).set(bearer(t.adminKey));
    expect(first.body.items).toHaveLength(2);
    expect(first.headers.link).toMatch(/rel="next"/);
    const second = await t.http.get(`/v1/drives?organizingAgencyId=${agencyId}&year=2031&status=draft&kind=recruitment&limit=2&cursor=${first.body.nextCursor}`).set(bearer(t.adminKey));
    expect([...first.body.items, ...second.body.items].map((d: { id: string }) => d.id)).toEqual(ids);
    expect(second.body.nextCursor).toBeNull();
  });
});
