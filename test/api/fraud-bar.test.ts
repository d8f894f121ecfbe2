import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/domain/deadlines.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { createCandidate, createOpenDriveNow, register, today } from '../factories/candidates.js';
import { addQuota, createDrive, createJobPosition, openDrive, transitionDrive } from '../factories/drives.js';

// Decree 170/2025 (and 138/2020 before it): a person found to have cheated is not accepted by that
// recruiting authority (the drive's organising agency) for its next recruitment — the first of its
// drives whose registration opens after the bar is set (the next one if that drive is cancelled);
// the bar is spent when that drive's registration closes.

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

/** An open drive of `agencyId` whose registration opened `opensAgo` days ago. */
async function driveOf(agencyId: string, opensAgo: number) {
  const jobPositionId = await createJobPosition(t, agencyId);
  const closesOn = addDays(today(), 20);
  const driveId = await createDrive(t, { organizingAgencyId: agencyId, registrationOpensOn: addDays(today(), -opensAgo), registrationClosesOn: closesOn });
  const quotaId = await addQuota(t, driveId, { agencyId, jobPositionId, slots: 1 });
  await openDrive(t, driveId);
  return { driveId, quotaId, closesOn };
}

/** A fraud bar set by `sourceDriveId` `daysAgo` days ago (as a fraud cancellation records it). */
async function barFrom(candidateId: string, sourceDriveId: string, daysAgo: number) {
  await t.sql(
    `insert into candidate_bars (id, candidate_id, reason, source_drive_id, drives_remaining, created_at)
     values (gen_random_uuid(), $1, 'fraud', $2, 1, now() - make_interval(days => $3::int))`,
    [candidateId, sourceDriveId, daysAgo],
  );
}

describe('the fraud bar (one next recruitment of the same authority)', () => {
  it('when the authority’s next drive is registered to, then 422 application.barred naming the authority, the drive that caused it and when it ends; another authority’s drive and a later drive of the same authority accept', async () => {
    const source = await createOpenDriveNow(t);
    const c = await createCandidate(t);
    await barFrom(c.id, source.driveId, 10);
    const next = await driveOf(source.agencyId, 3);
    const later = await driveOf(source.agencyId, 1);
    const other = await createOpenDriveNow(t);

    const refused = await register(t, next.driveId, { candidateId: c.id, quotaId: next.quotaId });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('application.barred');
    expect(refused.body.bar).toEqual({ reason: 'fraud', authorityAgencyId: source.agencyId, sourceDriveId: source.driveId, endsOn: next.closesOn });

    expect((await register(t, other.driveId, { candidateId: c.id, quotaId: other.quotaId })).status).toBe(201);
    expect((await register(t, later.driveId, { candidateId: c.id, quotaId: later.quotaId })).status).toBe(201);
  });

  it('when the authority’s next drive is cancelled, then the bar moves to the one after it', async () => {
    const source = await createOpenDriveNow(t);
    const c = await createCandidate(t);
    await barFrom(c.id, source.driveId, 10);
    const next = await driveOf(source.agencyId, 3);
    const after = await driveOf(source.agencyId, 1);
    expect((await register(t, after.driveId, { candidateId: c.id, quotaId: after.quotaId })).status).toBe(201);
    await t.sql('delete from applications where drive_id = $1', [after.driveId]);
    await transitionDrive(t, next.driveId, 'cancelled', { reason: 'Hủy kỳ tuyển dụng' });
    const refused = await register(t, after.driveId, { candidateId: c.id, quotaId: after.quotaId });
    expect(refused.status).toBe(422);
    expect(refused.body.bar).toMatchObject({ sourceDriveId: source.driveId, endsOn: after.closesOn });
  });

  it('when a drive’s registration opened before the bar was set, then it is not the next recruitment and accepts', async () => {
    const source = await createOpenDriveNow(t);
    const c = await createCandidate(t);
    const already = await driveOf(source.agencyId, 2);
    await barFrom(c.id, source.driveId, 0);
    expect((await register(t, already.driveId, { candidateId: c.id, quotaId: already.quotaId })).status).toBe(201);
    expect((await register(t, source.driveId, { candidateId: c.id, quotaId: source.quotaId })).status).toBe(201);
  });

  it('when the bar is met in a bulk import, then the row is refused at the authority’s next drive and created at another authority’s', async () => {
    const source = await createOpenDriveNow(t);
    const c = await createCandidate(t);
    await barFrom(c.id, source.driveId, 10);
    const next = await driveOf(source.agencyId, 3);
    const other = await createOpenDriveNow(t);
    const row = (quotaId: string) => [{ fullName: 'Nguyễn Văn An', nationalId: c.nationalId, birthDate: '1995-05-20', gender: 'male', ethnicity: 'Kinh', quotaId }];
    const refused = await t.http.post(`/v1/drives/${next.driveId}/applications/import`).set(bearer(t.adminKey)).send(row(next.quotaId));
    expect(refused.status).toBe(200);
    expect(refused.body.results[0]).toMatchObject({ status: 'error', errors: [{ code: 'application.barred' }] });
    const accepted = await t.http.post(`/v1/drives/${other.driveId}/applications/import`).set(bearer(t.adminKey)).send(row(other.quotaId));
    expect(accepted.body.results[0]).toMatchObject({ status: 'created' });
  });

  it('when a registrant who did not win is found to have cheated (170 Art. 18(2) para. 2; 115 Art. 17(2) para. 2: any registrant), then the authority’s next drive refuses them and another authority’s accepts', async () => {
    const source = await createOpenDriveNow(t);
    const c = await createCandidate(t);
    const applied = await register(t, source.driveId, { candidateId: c.id, quotaId: source.quotaId });
    expect(applied.status).toBe(201);
    const found = await t.http.post(`/v1/applications/${applied.body.id}/fraud-finding`).set(bearer(t.adminKey)).send({ kind: 'fraud', note: 'Kê khai sai đối tượng ưu tiên' });
    expect(found.status, JSON.stringify(found.body)).toBe(201);
    expect(found.body).toMatchObject({ candidateId: c.id, authorityAgencyId: source.agencyId, sourceDriveId: source.driveId });
    expect((await t.http.post(`/v1/applications/${applied.body.id}/fraud-finding`).set(bearer(t.adminKey)).send({ kind: 'fraud' })).body.code).toBe(
      'application.fraud_already_found',
    );
    // The finding was made ten days ago: the authority's drive opening three days ago is its next recruitment.
    await t.sql(`update candidate_bars set created_at = now() - interval '10 days' where id = $1`, [found.body.barId]);
    const next = await driveOf(source.agencyId, 3);
    const other = await createOpenDriveNow(t);
    const refused = await register(t, next.driveId, { candidateId: c.id, quotaId: next.quotaId });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('application.barred');
    expect(refused.body.bar).toMatchObject({ authorityAgencyId: source.agencyId, sourceDriveId: source.driveId, endsOn: next.closesOn });
    expect((await register(t, other.driveId, { candidateId: c.id, quotaId: other.quotaId })).status).toBe(201);
    // Another agency's key cannot record a finding on this application.
    const stranger = await t.keyFor('council', other.agencyId);
    expect((await t.http.post(`/v1/applications/${applied.body.id}/fraud-finding`).set(bearer(stranger)).send({ kind: 'fraud' })).status).toBe(404);
  });
});
