import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNationalIdProtector } from '../../src/crypto/national-id.js';
import { createLogger } from '../../src/logger.js';
import { rotateNationalIdKey } from '../../src/modules/candidates/candidates.key-rotation.js';
import { bearer, setupApp, TEST_DATA_KEY, type TestApp } from '../helpers/app.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { createCandidate, makeNationalId } from '../factories/candidates.js';
import { computeOk, openDriveWithQuotas, registerAll, round2, scoredRound, toMarking, workflow } from '../factories/results.js';
import { createWebhook, waitForDeliveries } from '../factories/webhooks.js';

/*
 * Nothing changes after approval except through the law's paths (170 Art. 17; issue #16 item 6): a
 * wrong national ID is corrected, like a name or a birth date, only by a correction the approver
 * authorises; the number is re-encrypted and re-indexed with the data key, stays unique to one person
 * (so one application per drive per person still holds), and is shown only masked — in responses, the
 * correction history, the public list frozen at approval, audit events and webhooks — and never in logs.
 */

let t: TestApp;
let approver: string;
let registrar: string;
let receiver: Receiver;
const lines: string[] = [];
beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  t = await setupApp({ logger: createLogger('trace', sink), env: { WEBHOOK_POLL_INTERVAL_MS: '20' } });
  [approver, registrar] = await Promise.all([t.keyFor('approver'), t.keyFor('registrar')]);
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await t.close();
});

/** A published nd138 drive: the winner born 1995 (male), the reserve; identities frozen at approval. */
async function publishedDrive() {
  const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd138', slots: [1] });
  const people = await registerAll(t, driveId, [
    { fullName: 'Phạm Văn Chính', quotaId: quotaIds[0]! },
    { fullName: 'Vũ Thị Dự', quotaId: quotaIds[0]! },
  ]);
  await toMarking(t, driveId);
  await scoredRound(t, driveId, round2(), [
    { applicationId: people[0]!.applicationId, partCode: 'professional', score: '88' },
    { applicationId: people[1]!.applicationId, partCode: 'professional', score: '72' },
  ]);
  await computeOk(t, driveId);
  expect((await workflow(t, driveId, 'submit')).status).toBe(200);
  expect((await workflow(t, driveId, 'approve', approver)).status).toBe(200);
  expect((await workflow(t, driveId, 'publish')).status).toBe(200);
  return { driveId, winner: people[0]!, reserve: people[1]! };
}

const publicWinner = async (driveId: string) => (await t.http.get(`/v1/public/drives/${driveId}/results`)).body.items[0].winners[0];
const request = (candidateId: string, body: object) => t.http.post(`/v1/candidates/${candidateId}/identity-corrections`).set(bearer(registrar)).send(body);
const decide = (id: string, approve: boolean, note: string) => t.http.post(`/v1/identity-corrections/${id}/decision`).set(bearer(approver)).send({ approve, note });

describe('national-ID corrections after approval (170 Art. 17; DOMAIN.md "After the results")', () => {
  it('when the approver authorises a national-ID correction, then the number is re-encrypted and re-indexed, the public list shows the new masked number marked as corrected, and the history keeps both masked forms', async () => {
    const d = await publishedDrive();
    const shown = await publicWinner(d.driveId);
    const [old] = await t.sql<{ national_id_ciphertext: string; national_id_index: string; national_id_masked: string }>(
      'select national_id_ciphertext, national_id_index, national_id_masked from candidates where id = $1',
      [d.winner.candidateId],
    );
    expect(shown.nationalIdMasked).toBe(old!.national_id_masked);

    // PATCH stays refused for the national ID once approved.
    const fresh = makeNationalId({ birthYear: 1995 });
    const patch = await t.http.patch(`/v1/candidates/${d.winner.candidateId}`).set(bearer(registrar)).send({ nationalId: fresh });
    expect(patch.body.code).toBe('candidate.identity_frozen');

    const asked = await request(d.winner.candidateId, { nationalId: fresh, reason: 'Nhập sai hai chữ số cuối của số CCCD', evidence: 'Bản sao CCCD có chứng thực' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    expect(asked.body).toMatchObject({ status: 'pending', before: { nationalIdMasked: old!.national_id_masked } });
    expect(asked.body.after.nationalIdMasked).toMatch(/\*/);
    expect(JSON.stringify(asked.body)).not.toContain(fresh);
    // Pending: the number waits encrypted (never in the jsonb history), nothing shown changes.
    const [pending] = await t.sql<{ before: object; after: object; national_id_ciphertext: string | null; national_id_index: string | null }>(
      'select before, after, national_id_ciphertext, national_id_index from identity_corrections where id = $1',
      [asked.body.id],
    );
    expect(pending!.national_id_ciphertext).toBeTruthy();
    expect(pending!.national_id_ciphertext).not.toContain(fresh);
    expect(JSON.stringify([pending!.before, pending!.after])).not.toContain(fresh);
    expect(await publicWinner(d.driveId)).toEqual(shown);

    const approved = await decide(asked.body.id, true, 'Đồng ý đính chính số CCCD');
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const [now] = await t.sql<{ national_id_ciphertext: string; national_id_index: string; national_id_masked: string }>(
      'select national_id_ciphertext, national_id_index, national_id_masked from candidates where id = $1',
      [d.winner.candidateId],
    );
    expect(now!.national_id_ciphertext).not.toBe(old!.national_id_ciphertext);
    expect(now!.national_id_ciphertext).not.toContain(fresh);
    expect(now!.national_id_index).not.toBe(old!.national_id_index);
    expect(now!.national_id_masked).toBe(asked.body.after.nationalIdMasked);
    // The corrected number leaves the correction once decided.
    const [decided] = await t.sql<{ national_id_ciphertext: string | null; national_id_index: string | null }>(
      'select national_id_ciphertext, national_id_index from identity_corrections where id = $1',
      [asked.body.id],
    );
    expect(decided).toEqual({ national_id_ciphertext: null, national_id_index: null });

    // The keyed blind index finds the person by the corrected number, no longer by the old one.
    const byNew = await t.http.post('/v1/candidates/search').set(bearer(t.adminKey)).send({ nationalId: fresh });
    expect(byNew.body.items.map((c: { id: string }) => c.id)).toEqual([d.winner.candidateId]);
    const full = await t.http.get(`/v1/candidates/${d.winner.candidateId}`).set(bearer(t.adminKey));
    expect(full.body.nationalId).toBe(fresh);

    // Public list and export: the snapshot now shows the corrected masked number, marked as corrected.
    const after = await publicWinner(d.driveId);
    expect(after).toMatchObject({ candidateNumber: shown.candidateNumber, fullName: shown.fullName, nationalIdMasked: now!.national_id_masked, identityCorrected: true });
    const [frozen] = await t.sql<{ national_id_masked: string; correction_id: string }>(
      'select national_id_masked, correction_id from approved_identities where application_id = $1',
      [d.winner.applicationId],
    );
    expect(frozen).toEqual({ national_id_masked: now!.national_id_masked, correction_id: asked.body.id });
    const csv = await t.http.get(`/v1/drives/${d.driveId}/results/export`).set(bearer(t.adminKey)).set('accept', 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(now!.national_id_masked);
    expect(csv.text).not.toContain(fresh);

    const history = await t.http.get(`/v1/candidates/${d.winner.candidateId}/identity-corrections`).set(bearer(registrar));
    expect(history.body.items[0]).toMatchObject({
      status: 'approved',
      before: { nationalIdMasked: old!.national_id_masked },
      after: { nationalIdMasked: now!.national_id_masked },
      decisionNote: 'Đồng ý đính chính số CCCD',
    });

    // Audit events name the fields, never the number; logs never hold it.
    const audit = await t.sql<{ action: string; after: unknown }>("select action, after from audit_events where resource_id = $1 and action like 'identity_correction.%' order by occurred_at, seq", [
      d.winner.candidateId,
    ]);
    expect(audit.map((a) => a.action)).toEqual(['identity_correction.requested', 'identity_correction.approved']);
    expect(audit[1]!.after).toMatchObject({ id: asked.body.id, candidateId: d.winner.candidateId, status: 'approved', fields: ['nationalId'], driveIds: [d.driveId] });
    expect(JSON.stringify(audit)).not.toContain(fresh);
    expect(lines.join('\n')).not.toContain(fresh);
  });

  it('when the corrected national ID belongs to another person, then 409 identity_correction.national_id_taken (one person per number, so one application per drive); an ID that contradicts the birth year is 422', async () => {
    const d = await publishedDrive();
    const other = await createCandidate(t, { fullName: 'Người Khác', birthDate: '1995-02-02' });
    const taken = await request(d.winner.candidateId, { nationalId: other.nationalId, reason: 'Sai số CCCD' });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('identity_correction.national_id_taken');
    expect(JSON.stringify(taken.body)).not.toContain(other.nationalId);

    const wrongYear = await request(d.winner.candidateId, { nationalId: makeNationalId({ birthYear: 1980 }), reason: 'Sai số CCCD' });
    expect(wrongYear.status).toBe(422);
    expect(wrongYear.body.code).toBe('national_id.birth_date_mismatch');

    // Taken between the request and the decision: the approval is refused and nothing changes.
    const fresh = makeNationalId({ birthYear: 1995 });
    const asked = await request(d.winner.candidateId, { nationalId: fresh, reason: 'Sai số CCCD' });
    expect(asked.status).toBe(201);
    await createCandidate(t, { fullName: 'Người Đăng Ký Sau', nationalId: fresh, birthDate: '1995-03-03' });
    const refused = await decide(asked.body.id, true, 'Đồng ý');
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('identity_correction.national_id_taken');
    const [row] = await t.sql<{ status: string }>('select status from identity_corrections where id = $1', [asked.body.id]);
    expect(row!.status).toBe('pending');
    expect((await publicWinner(d.driveId)).identityCorrected).toBe(false);
  });
});

describe('identity-correction webhooks', () => {
  it('when a correction is requested and decided, then identity_correction.requested and .decided reach the subscription, carrying ids and field names only', async () => {
    const hook = await createWebhook(t, { url: `${receiver.url}/identity`, eventTypes: ['identity_correction.requested', 'identity_correction.decided'] });
    const d = await publishedDrive();
    const fresh = makeNationalId({ birthYear: 1995 });
    const asked = await request(d.winner.candidateId, { fullName: 'Phạm Văn Chỉnh', nationalId: fresh, reason: 'Sai dấu và sai số CCCD', evidence: 'Giấy xác nhận' });
    expect(asked.status).toBe(201);
    expect((await decide(asked.body.id, false, 'Chưa đủ căn cứ')).status).toBe(200);

    const got = await receiver.waitFor((reqs) => reqs.filter((r) => r.path === '/identity').length >= 2);
    const events = got.filter((r) => r.path === '/identity').map((r) => r.json as { type: string; data: { resourceId: string; object: Record<string, unknown> } });
    expect(events.map((e) => e.type)).toEqual(['identity_correction.requested', 'identity_correction.decided']);
    for (const e of events) {
      expect(e.data.resourceId).toBe(d.winner.candidateId);
      expect(Object.keys(e.data.object).sort()).toEqual(['candidateId', 'driveIds', 'fields', 'id', 'status']);
      expect(e.data.object).toMatchObject({ id: asked.body.id, candidateId: d.winner.candidateId, fields: ['fullName', 'nationalId'], driveIds: [d.driveId] });
    }
    expect(events[1]!.data.object.status).toBe('rejected');
    const body = got.map((r) => r.body).join('\n');
    for (const personal of [fresh, 'Phạm Văn Chỉnh', 'Phạm Văn Chính', 'Sai dấu', 'Chưa đủ căn cứ', asked.body.after.nationalIdMasked, asked.body.before.nationalIdMasked]) {
      expect(body).not.toContain(personal);
    }
    await waitForDeliveries(t, hook.id, (items) => items.length === 2 && items.every((i) => i.status === 'succeeded'));
  });
});

describe('data-key rotation and a pending national-ID correction (docs/keys.md)', () => {
  // Last in the file: the rotation moves every national ID of this database to a key the app does not hold.
  it('when the data key is rotated while a national-ID correction awaits the approver, then the waiting number is re-encrypted and re-indexed under the new key', async () => {
    const person = await createCandidate(t, { fullName: 'Trịnh Văn Xoay', birthDate: '1995-04-04' });
    const fresh = makeNationalId({ birthYear: 1995 });
    const asked = await request(person.id, { nationalId: fresh, reason: 'Sai số CCCD' });
    expect(asked.status).toBe(201);
    const newKey = Buffer.alloc(32, 21).toString('base64');
    const rotating = createNationalIdProtector(newKey, [TEST_DATA_KEY]);
    const { corrections } = await rotateNationalIdKey(t.database.db, rotating, { batchSize: 50 });
    expect(corrections).toBeGreaterThanOrEqual(1);
    const [row] = await t.sql<{ national_id_ciphertext: string; national_id_index: string }>(
      'select national_id_ciphertext, national_id_index from identity_corrections where id = $1',
      [asked.body.id],
    );
    expect(row!.national_id_ciphertext.startsWith(`v2:${rotating.keyId}:`)).toBe(true);
    expect(createNationalIdProtector(newKey).decrypt(row!.national_id_ciphertext)).toBe(fresh);
    expect(row!.national_id_index).toBe(createNationalIdProtector(newKey).blindIndex(fresh));
    expect((await rotateNationalIdKey(t.database.db, rotating)).corrections).toBe(0);
  });
});
