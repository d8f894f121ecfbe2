import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { createCandidate, register, windowAroundToday } from '../factories/candidates.js';
import { addQuota, createAgencyWithHeadcount, createDrive, createJobPosition, openDrive } from '../factories/drives.js';

/*
 * Decree 115/2020 Art. 14(2)(e) and 14(6) as amended by 85/2023: the notice names the positions open
 * to a second choice (NV2); a quota carries that designation.
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

describe('second choices (NV2) only for designated positions', () => {
  it('Art. 14(6): when a position is not designated for NV2, then a second choice there is 422 application.second_choice_not_designated; a designated one accepts it', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t, { staffCategory: 'public_employee' });
    const jp = () => createJobPosition(t, agencyId, { staffCategory: 'public_employee' });
    const driveId = await createDrive(t, { organizingAgencyId: agencyId, staffCategory: 'public_employee', preset: 'nd115', ...windowAroundToday() });
    const first = await addQuota(t, driveId, { agencyId, jobPositionId: await jp(), slots: 2 });
    const closed = await addQuota(t, driveId, { agencyId, jobPositionId: await jp(), slots: 2 });
    const designated = await addQuota(t, driveId, { agencyId, jobPositionId: await jp(), slots: 2, secondChoiceOpen: true });
    await openDrive(t, driveId);
    const c = await createCandidate(t);
    expect((await register(t, driveId, { candidateId: c.id, quotaId: first })).status).toBe(201);
    const refused = await register(t, driveId, { candidateId: c.id, quotaId: closed, choice: 2 });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('application.second_choice_not_designated');
    expect((await register(t, driveId, { candidateId: c.id, quotaId: designated, choice: 2 })).status).toBe(201);
    const q = await t.http.get(`/v1/quotas/${designated}`).set(bearer(t.adminKey));
    expect(q.body.secondChoiceOpen).toBe(true);
  });

  it('when a drive whose rule set allows no NV2 designates a position, then 422 quota.second_choice_not_allowed', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const driveId = await createDrive(t, { organizingAgencyId: agencyId, preset: 'nd170' });
    const res = await t.http
      .post(`/v1/drives/${driveId}/quotas`)
      .set(bearer(t.adminKey))
      .send({ agencyId, jobPositionId: await createJobPosition(t, agencyId), slots: 1, secondChoiceOpen: true });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('quota.second_choice_not_allowed');
  });
});
