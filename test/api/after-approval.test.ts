import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { computeOk, openDriveWithQuotas, registerAll, round2, scoredRound, toMarking, workflow } from '../factories/results.js';

/*
 * Nothing changes after approval except through the law's paths (170 Art. 17; DOMAIN.md "Results"):
 * withdrawal and eligibility are refused (cancellation and replacement is the path), the identity is
 * frozen at approval and corrected only by a correction the approver authorises, and cancelling an
 * approved or published drive needs the approver.
 */

let t: TestApp;
let approver: string;
beforeAll(async () => {
  t = await setupApp();
  approver = await t.keyFor('approver');
});
afterAll(async () => {
  await t.close();
});

async function approvedDrive(publish: boolean) {
  const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd138', slots: [1] });
  const people = await registerAll(t, driveId, [
    { fullName: 'Nguyễn Văn Trúng', quotaId: quotaIds[0]! },
    { fullName: 'Trần Thị Dự Bị', quotaId: quotaIds[0]! },
  ]);
  await toMarking(t, driveId);
  await scoredRound(t, driveId, round2(), [
    { applicationId: people[0]!.applicationId, partCode: 'professional', score: '90' },
    { applicationId: people[1]!.applicationId, partCode: 'professional', score: '70' },
  ]);
  await computeOk(t, driveId);
  expect((await workflow(t, driveId, 'submit')).status).toBe(200);
  expect((await workflow(t, driveId, 'approve', approver)).status).toBe(200);
  if (publish) expect((await workflow(t, driveId, 'publish')).status).toBe(200);
  return { driveId, winner: people[0]!, reserve: people[1]! };
}

const move = (driveId: string, to: string, key: string, reason?: string) =>
  t.http
    .post(`/v1/drives/${driveId}/transitions`)
    .set(bearer(key))
    .send({ to, ...(reason ? { reason } : {}) });

describe('after approval', () => {
  it('when results are approved, then a withdrawal or an eligibility change is 409 application.results_approved naming cancellation and replacement', async () => {
    const d = await approvedDrive(false);
    const withdraw = await t.http.post(`/v1/applications/${d.winner.applicationId}/withdraw`).set(bearer(t.adminKey)).send({ reason: 'Xin rút' });
    expect(withdraw.status).toBe(409);
    expect(withdraw.body).toMatchObject({ code: 'application.results_approved', path: 'result_cancellation_and_replacement' });
    const ineligible = await t.http
      .post(`/v1/applications/${d.winner.applicationId}/eligibility`)
      .set(bearer(t.adminKey))
      .send({ eligible: false, reasons: [{ code: 'form.missing', message: 'Thiếu văn bằng' }] });
    expect(ineligible.status).toBe(409);
    expect(ineligible.body.code).toBe('application.results_approved');
    const [row] = await t.sql<{ status: string }>('select status from applications where id = $1', [d.winner.applicationId]);
    expect(row!.status).not.toBe('withdrawn');
  });

  it('when a published winner’s identity is edited, then PATCH is refused; a correction the approver authorises changes the public list, marked as corrected, and keeps its history', async () => {
    const d = await approvedDrive(true);
    const before = await t.http.get(`/v1/public/drives/${d.driveId}/results`);
    const shown = before.body.items[0].winners[0];
    expect(shown).toMatchObject({ identityCorrected: false });
    const registrar = await t.keyFor('registrar');
    const rewrite = await t.http.patch(`/v1/candidates/${d.winner.candidateId}`).set(bearer(registrar)).send({ fullName: 'Lê Văn Khác', birthDate: '1990-01-01' });
    expect(rewrite.status).toBe(409);
    expect(rewrite.body).toMatchObject({ code: 'candidate.identity_frozen', path: 'identity_correction' });
    // Contacts are not identity: they may still be corrected.
    expect((await t.http.patch(`/v1/candidates/${d.winner.candidateId}`).set(bearer(registrar)).send({ contacts: { phone: '0912345678' } })).status).toBe(200);

    const requested = await t.http
      .post(`/v1/candidates/${d.winner.candidateId}/identity-corrections`)
      .set(bearer(registrar))
      .send({ fullName: 'Nguyễn Văn Trung', reason: 'Gõ nhầm dấu trong họ tên', evidence: 'Bản sao CCCD' });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ status: 'pending', before: { fullName: 'Nguyễn Văn Trúng' }, after: { fullName: 'Nguyễn Văn Trung' } });
    // Pending: nothing shown changes.
    expect((await t.http.get(`/v1/public/drives/${d.driveId}/results`)).body.items[0].winners[0]).toEqual(shown);
    expect((await t.http.post(`/v1/identity-corrections/${requested.body.id}/decision`).set(bearer(registrar)).send({ approve: true, note: 'x' })).status).toBe(403);
    const approved = await t.http.post(`/v1/identity-corrections/${requested.body.id}/decision`).set(bearer(approver)).send({ approve: true, note: 'Đồng ý đính chính' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe('approved');
    const after = (await t.http.get(`/v1/public/drives/${d.driveId}/results`)).body.items[0].winners[0];
    expect(after).toMatchObject({ candidateNumber: shown.candidateNumber, nationalIdMasked: shown.nationalIdMasked, identityCorrected: true });
    const [frozen] = await t.sql<{ full_name: string; correction_id: string }>('select full_name, correction_id from approved_identities where application_id = $1', [d.winner.applicationId]);
    expect(frozen).toEqual({ full_name: 'Nguyễn Văn Trung', correction_id: requested.body.id });
    // The public list shows the identity frozen at approval (as corrected), not whatever the row says later.
    await t.sql("update candidates set national_id_masked = '099******' where id = $1", [d.winner.candidateId]);
    expect((await t.http.get(`/v1/public/drives/${d.driveId}/results`)).body.items[0].winners[0]).toEqual(after);
    const history = await t.http.get(`/v1/candidates/${d.winner.candidateId}/identity-corrections`).set(bearer(registrar));
    expect(history.body.items).toHaveLength(1);
    expect(history.body.items[0]).toMatchObject({ before: { fullName: 'Nguyễn Văn Trúng' }, after: { fullName: 'Nguyễn Văn Trung' }, status: 'approved', decisionNote: 'Đồng ý đính chính' });
    const twice = await t.http.post(`/v1/identity-corrections/${requested.body.id}/decision`).set(bearer(approver)).send({ approve: true, note: 'x' });
    expect(twice.body.code).toBe('identity_correction.decided');
  });

  it('when a drive’s results are approved or published, then an organizer key cannot cancel it (403 drive.cancel_needs_approver) and the approver can', async () => {
    for (const publish of [false, true]) {
      const d = await approvedDrive(publish);
      const organizer = await t.keyFor('organizer');
      const byOrganizer = await move(d.driveId, 'cancelled', organizer, 'Hủy kỳ tuyển dụng');
      expect(byOrganizer.status).toBe(403);
      expect(byOrganizer.body.code).toBe('drive.cancel_needs_approver');
      const otherMove = await move(d.driveId, 'finished', approver);
      expect(otherMove.status).toBe(403);
      const byApprover = await move(d.driveId, 'cancelled', approver, 'Người đứng đầu quyết định hủy');
      expect(byApprover.status, JSON.stringify(byApprover.body)).toBe(200);
      expect(byApprover.body.status).toBe('cancelled');
    }
  });
});
