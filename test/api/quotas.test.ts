import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { onPostgres } from '../helpers/env.js';
import { addQuota, createAgencyWithHeadcount, createDrive, createJobPosition, openDrive } from '../factories/drives.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const postQuota = (driveId: string, body: unknown, key = t.adminKey) => t.http.post(`/v1/drives/${driveId}/quotas`).set(bearer(key)).send(body as object);
const slotsAt = async (agencyId: string) =>
  Number((await t.sql<{ n: number }>('select coalesce(sum(slots), 0)::int as n from quotas where agency_id = $1', [agencyId]))[0]!.n);

async function recruitmentSetup(opts: { assigned?: number; filled?: number } = {}) {
  const { agencyId } = await createAgencyWithHeadcount(t, { assigned: opts.assigned ?? 10, filled: opts.filled ?? 0 });
  const jobPositionId = await createJobPosition(t, agencyId);
  const driveId = await createDrive(t, { organizingAgencyId: agencyId });
  return { agencyId, jobPositionId, driveId };
}

describe('recruitment quotas', () => {
  it('when a quota fits the headcount, then it is created, listed, and the headcount shows it reserved', async () => {
    const { agencyId, jobPositionId, driveId } = await recruitmentSetup({ assigned: 10, filled: 3 });
    const res = await postQuota(driveId, { agencyId, jobPositionId, slots: 4 });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v1/quotas/${res.body.id}`);
    expect(res.body).toMatchObject({ driveId, agencyId, jobPositionId, slots: 4, year: 2025, staffCategory: 'civil_servant', title: null, version: 1 });
    const list = await t.http.get(`/v1/drives/${driveId}/quotas`).set(bearer(t.adminKey));
    expect(list.body.items.map((q: { id: string }) => q.id)).toEqual([res.body.id]);
    expect((await t.http.get(`/v1/quotas/${res.body.id}`).set(bearer(t.adminKey))).headers.etag).toBe('"v1"');
    const hc = await t.http.get(`/v1/agencies/${agencyId}/headcount/2025`).set(bearer(t.adminKey));
    expect(hc.body.categories[0]).toMatchObject({ assigned: 10, filled: 3, unused: 7, reserved: 4, available: 3 });
    expect(await slotsAt(agencyId)).toBe(4);
    expect(await t.sql("select 1 from audit_events where action = 'quota.created' and resource_id = $1", [res.body.id])).toHaveLength(1);
  });

  it('when quotas of all running drives would exceed the unused headcount, then 422 with the numbers', async () => {
    const { agencyId, jobPositionId, driveId } = await recruitmentSetup({ assigned: 10, filled: 4 });
    await addQuota(t, driveId, { agencyId, jobPositionId, slots: 2 });
    const other = await createDrive(t, { organizingAgencyId: agencyId });
    const res = await postQuota(other, { agencyId, jobPositionId, slots: 5 });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'quota.exceeds_unused_headcount', assigned: 10, filled: 4, reserved: 2, requested: 5, available: 4 });
    expect(res.body.detail).toMatch(/Requested 5 slots, but only 4/);
    expect(await slotsAt(agencyId)).toBe(2);
    expect((await postQuota(other, { agencyId, jobPositionId, slots: 4 })).status).toBe(201);
  });

  it('when other drives are cancelled or of the leadership kind, then their quotas hold no headcount', async () => {
    const { agencyId, jobPositionId, driveId } = await recruitmentSetup({ assigned: 3 });
    await addQuota(t, driveId, { agencyId, jobPositionId, slots: 3 });
    const title = await createJobPosition(t, agencyId, { leadership: true });
    const leadership = await createDrive(t, { organizingAgencyId: agencyId, kind: 'leadership' });
    await addQuota(t, leadership, { agencyId, jobPositionId: title });
    const next = await createDrive(t, { organizingAgencyId: agencyId });
    expect((await postQuota(next, { agencyId, jobPositionId, slots: 1 })).body.code).toBe('quota.exceeds_unused_headcount');
    await t.http.post(`/v1/drives/${driveId}/transitions`).set(bearer(t.adminKey)).send({ to: 'cancelled', reason: 'Dừng tuyển' });
    expect((await postQuota(next, { agencyId, jobPositionId, slots: 3 })).status).toBe(201);
  });

  it('when the agency has no headcount for the year and category, then 422 quota.no_headcount', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t, { year: 2025 });
    const jobPositionId = await createJobPosition(t, agencyId);
    const driveId = await createDrive(t, { organizingAgencyId: agencyId, year: 2026, registrationOpensOn: '2026-03-01' });
    const res = await postQuota(driveId, { agencyId, jobPositionId, slots: 1 });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('quota.no_headcount');
    expect(await slotsAt(agencyId)).toBe(0);
  });

  it('when the position is at another agency, then 422 quota.position_not_at_agency', async () => {
    const { agencyId, driveId } = await recruitmentSetup();
    const other = await createAgencyWithHeadcount(t);
    const foreign = await createJobPosition(t, other.agencyId);
    const res = await postQuota(driveId, { agencyId, jobPositionId: foreign, slots: 1 });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('quota.position_not_at_agency');
  });

  it('when the position is for another staff category, then 422 quota.staff_category_mismatch', async () => {
    const { agencyId, driveId } = await recruitmentSetup();
    const pe = await createJobPosition(t, agencyId, { staffCategory: 'public_employee' });
    const res = await postQuota(driveId, { agencyId, jobPositionId: pe, slots: 1 });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('quota.staff_category_mismatch');
  });

  it('when slots are missing, the position is a leadership title, unknown, or the agency unknown, then 422 with its code', async () => {
    const { agencyId, jobPositionId, driveId } = await recruitmentSetup();
    expect((await postQuota(driveId, { agencyId, jobPositionId })).body.code).toBe('quota.slots_required');
    const title = await createJobPosition(t, agencyId, { leadership: true });
    expect((await postQuota(driveId, { agencyId, jobPositionId: title, slots: 1 })).body.code).toBe('quota.position_kind_mismatch');
    expect((await postQuota(driveId, { agencyId, jobPositionId: randomUUID(), slots: 1 })).body.code).toBe('quota.position_not_found');
    expect((await postQuota(driveId, { agencyId: randomUUID(), jobPositionId, slots: 1 })).body.code).toBe('quota.agency_not_found');
    expect((await postQuota(driveId, { agencyId, jobPositionId, slots: 0 })).status).toBe(400);
    expect(await slotsAt(agencyId)).toBe(0);
  });

  it('when the same position at the same agency is added twice, then 409 quota.duplicate', async () => {
    const { agencyId, jobPositionId, driveId } = await recruitmentSetup();
    await addQuota(t, driveId, { agencyId, jobPositionId, slots: 1 });
    const res = await postQuota(driveId, { agencyId, jobPositionId, slots: 1 });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('quota.duplicate');
  });

  it('when the drive has opened, then creating, changing and deleting quotas is 409 quota.frozen', async () => {
    const { agencyId, jobPositionId, driveId } = await recruitmentSetup();
    const quotaId = await addQuota(t, driveId, { agencyId, jobPositionId, slots: 2 });
    await openDrive(t, driveId);
    const other = await createJobPosition(t, agencyId);
    const created = await postQuota(driveId, { agencyId, jobPositionId: other, slots: 1 });
    expect(created.status).toBe(409);
    expect(created.body.code).toBe('quota.frozen');
    const patched = await t.http.patch(`/v1/quotas/${quotaId}`).set(bearer(t.adminKey)).send({ slots: 1 });
    expect(patched.body.code).toBe('quota.frozen');
    const deleted = await t.http.delete(`/v1/quotas/${quotaId}`).set(bearer(t.adminKey));
    expect(deleted.body.code).toBe('quota.frozen');
    expect(await t.sql<{ slots: number }>('select slots from quotas where drive_id = $1', [driveId])).toEqual([{ slots: 2 }]);
  });

  it('when slots are patched, then increases are checked against the headcount, decreases are not, and If-Match is honoured', async () => {
    const { agencyId, jobPositionId, driveId } = await recruitmentSetup({ assigned: 5 });
    const quotaId = await addQuota(t, driveId, { agencyId, jobPositionId, slots: 3 });
    const over = await t.http.patch(`/v1/quotas/${quotaId}`).set(bearer(t.adminKey)).send({ slots: 6 });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'quota.exceeds_unused_headcount', reserved: 0, requested: 6, available: 5 });
    const stale = await t.http.patch(`/v1/quotas/${quotaId}`).set(bearer(t.adminKey)).set('if-match', '"v9"').send({ slots: 5 });
    expect(stale.status).toBe(412);
    const ok = await t.http.patch(`/v1/quotas/${quotaId}`).set(bearer(t.adminKey)).set('if-match', '"v1"').send({ slots: 5, title: 'Chuyên viên' });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('"v2"');
    expect(ok.body).toMatchObject({ slots: 5, title: 'Chuyên viên' });
    expect((await t.http.patch(`/v1/quotas/${quotaId}`).set(bearer(t.adminKey)).send({ slots: 1 })).status).toBe(200);
    expect(await slotsAt(agencyId)).toBe(1);
  });

  it('when a quota of a draft drive is deleted, then it is gone, audited, and its slots are free again', async () => {
    const { agencyId, jobPositionId, driveId } = await recruitmentSetup({ assigned: 2 });
    const quotaId = await addQuota(t, driveId, { agencyId, jobPositionId, slots: 2 });
    const res = await t.http.delete(`/v1/quotas/${quotaId}`).set(bearer(t.adminKey));
    expect(res.status).toBe(204);
    expect(await t.sql('select 1 from quotas where id = $1', [quotaId])).toHaveLength(0);
    expect(await t.sql("select 1 from audit_events where action = 'quota.deleted' and resource_id = $1", [quotaId])).toHaveLength(1);
    expect((await t.http.get(`/v1/quotas/${quotaId}`).set(bearer(t.adminKey))).status).toBe(404);
    expect((await postQuota(driveId, { agencyId, jobPositionId, slots: 2 })).status).toBe(201);
  });
});

describe('leadership quotas', () => {
  it('when a title is added without slots, then it is one slot titled after the position; more than one is refused', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const title = await createJobPosition(t, agencyId, { leadership: true, name: 'Trưởng phòng Kế hoạch – Tài chính' });
    const driveId = await createDrive(t, { organizingAgencyId: agencyId, kind: 'leadership' });
    const two = await postQuota(driveId, { agencyId, jobPositionId: title, slots: 2 });
    expect(two.status).toBe(422);
    expect(two.body.code).toBe('quota.leadership_single_slot');
    const res = await postQuota(driveId, { agencyId, jobPositionId: title });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ slots: 1, title: 'Trưởng phòng Kế hoạch – Tài chính' });
    const patched = await t.http.patch(`/v1/quotas/${res.body.id}`).set(bearer(t.adminKey)).send({ slots: 3 });
    expect(patched.body.code).toBe('quota.leadership_single_slot');
    const regular = await createJobPosition(t, agencyId);
    expect((await postQuota(driveId, { agencyId, jobPositionId: regular })).body.code).toBe('quota.position_kind_mismatch');
  });
});

describe('scope', () => {
  it('when a key is scoped to agency A, then B’s drive quotas and quotas are 404', async () => {
    const a = await createAgencyWithHeadcount(t);
    const { agencyId, jobPositionId, driveId } = await recruitmentSetup();
    const quotaId = await addQuota(t, driveId, { agencyId, jobPositionId, slots: 1 });
    const keyA = await t.keyFor('organizer', a.agencyId);
    expect((await t.http.get(`/v1/drives/${driveId}/quotas`).set(bearer(keyA))).status).toBe(404);
    expect((await postQuota(driveId, { agencyId, jobPositionId, slots: 1 }, keyA)).status).toBe(404);
    const hidden = await t.http.get(`/v1/quotas/${quotaId}`).set(bearer(keyA));
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('quota.not_found');
    expect((await t.http.patch(`/v1/quotas/${quotaId}`).set(bearer(keyA)).send({ slots: 2 })).status).toBe(404);
    expect((await t.http.delete(`/v1/quotas/${quotaId}`).set(bearer(keyA))).status).toBe(404);
  });
});

describe('the headcount guard under concurrency', () => {
  it.skipIf(!onPostgres)('when ten drives race for one slot each against 5 unused, then exactly 5 succeed', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t, { assigned: 8, filled: 3 });
    const jobPositionId = await createJobPosition(t, agencyId);
    const drives = await Promise.all(Array.from({ length: 10 }, () => createDrive(t, { organizingAgencyId: agencyId })));
    const organizers = await Promise.all([t.keyFor('organizer'), t.keyFor('organizer')]);
    const results = await Promise.all(drives.map((d, i) => postQuota(d, { agencyId, jobPositionId, slots: 1 }, organizers[i % 2])));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 422)).toHaveLength(5);
    for (const r of results.filter((x) => x.status === 422)) expect(r.body.code).toBe('quota.exceeds_unused_headcount');
    expect(await slotsAt(agencyId)).toBe(5);
    const hc = await t.http.get(`/v1/agencies/${agencyId}/headcount/2025`).set(bearer(t.adminKey));
    expect(hc.body.categories[0]).toMatchObject({ reserved: 5, available: 0 });
  });

  it.skipIf(!onPostgres)('when two organisers race to raise slots on different quotas, then only one fits', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t, { assigned: 10 });
    const jobPositionId = await createJobPosition(t, agencyId);
    const [d1, d2] = await Promise.all([createDrive(t, { organizingAgencyId: agencyId }), createDrive(t, { organizingAgencyId: agencyId })]);
    const q1 = await addQuota(t, d1!, { agencyId, jobPositionId, slots: 3 });
    const q2 = await addQuota(t, d2!, { agencyId, jobPositionId, slots: 3 });
    const [k1, k2] = await Promise.all([t.keyFor('organizer'), t.keyFor('organizer')]);
    const results = await Promise.all([
      t.http.patch(`/v1/quotas/${q1}`).set(bearer(k1)).send({ slots: 6 }),
      t.http.patch(`/v1/quotas/${q2}`).set(bearer(k2)).send({ slots: 6 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 422]);
    expect(await slotsAt(agencyId)).toBe(9);
  });

  it.skipIf(!onPostgres)('when two organisers patch the same quota with the same If-Match, then one wins and the other gets 412', async () => {
    const { agencyId, jobPositionId, driveId } = await recruitmentSetup({ assigned: 10 });
    const quotaId = await addQuota(t, driveId, { agencyId, jobPositionId, slots: 1 });
    const results = await Promise.all(
      [2, 3].map((slots) => t.http.patch(`/v1/quotas/${quotaId}`).set(bearer(t.adminKey)).set('if-match', '"v1"').send({ slots })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
    const [row] = await t.sql<{ version: number; slots: number }>('select version, slots from quotas where id = $1', [quotaId]);
    expect(row!.version).toBe(2);
    expect(row!.slots).toBe(results.find((r) => r.status === 200)!.body.slots);
  });
});
