import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { candidateBody, createCandidate, makeNationalId } from '../factories/candidates.js';
import { createAgencyWithHeadcount } from '../factories/drives.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

describe('candidates', () => {
  it('when a candidate is created, then the name is NFC, the national ID is masked in the response and unreadable in the table', async () => {
    const nationalId = makeNationalId();
    const decomposed = 'Nguyễn Thị Ánh'.normalize('NFD');
    const res = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send(candidateBody({ fullName: `  ${decomposed} `, nationalId }));
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('"v1"');
    expect(res.body.fullName).toBe('Nguyễn Thị Ánh'.normalize('NFC'));
    expect(res.body.nationalIdMasked).toBe(`${nationalId.slice(0, 3)}*******${nationalId.slice(-2)}`);
    expect(res.body.nationalId).toBeUndefined();
    expect(res.body.nationality).toBe('VN');
    const [row] = await t.sql<Record<string, string>>('select * from candidates where id = $1', [res.body.id]);
    expect(row!.national_id_ciphertext).toMatch(/^v2:[0-9a-f]{16}:[^:]+:[^:]+:[^:]+$/);
    for (const value of Object.values(row!)) expect(JSON.stringify(value ?? '')).not.toContain(nationalId);
    const audit = await t.sql<{ after: unknown }>("select after from audit_events where resource_id = $1", [res.body.id]);
    expect(JSON.stringify(audit)).not.toContain(nationalId);
  });

  it('when the national ID is already registered, then 409 candidate.duplicate_national_id', async () => {
    const nationalId = makeNationalId();
    await createCandidate(t, { nationalId });
    const res = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send(candidateBody({ nationalId, fullName: 'Trần Văn Bình' }));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('candidate.duplicate_national_id');
    const [c] = await t.sql<{ n: number }>('select count(*)::int as n from candidates where national_id_masked = $1', [
      `${nationalId.slice(0, 3)}*******${nationalId.slice(-2)}`,
    ]);
    expect(c!.n).toBe(1);
  });

  it('when the national ID is malformed or has no valid province code, then 400 / 422 national_id.invalid', async () => {
    const short = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send(candidateBody({ nationalId: '12345' }));
    expect(short.status).toBe(400);
    const province = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send(candidateBody({ nationalId: '099095123456' }));
    expect(province.status).toBe(422);
    expect(province.body.code).toBe('national_id.invalid');
  });

  it('when listing, then national IDs and contacts are masked; ?nationalId= finds exactly one; ?q= ignores diacritics', async () => {
    const nationalId = makeNationalId();
    const c = await createCandidate(t, { nationalId, fullName: 'Lê Thị Hương Giang' });
    const byId = await t.http.get('/v1/candidates').query({ nationalId }).set(bearer(t.adminKey));
    expect(byId.status).toBe(200);
    expect(byId.body.items).toHaveLength(1);
    expect(byId.body.items[0].id).toBe(c.id);
    expect(JSON.stringify(byId.body)).not.toContain(nationalId);
    expect(byId.body.items[0].nationalId).toBeUndefined();
    expect(byId.body.items[0].contacts).toEqual({ email: 'a***@example.vn', phone: '091*****78', address: '***' });
    const byName = await t.http.get('/v1/candidates').query({ q: 'le thi huong giang' }).set(bearer(t.adminKey));
    expect(byName.body.items.map((i: { id: string }) => i.id)).toContain(c.id);
  });

  it('when a registrar reads one candidate, then the full national ID is shown; an auditor sees it masked; a marker is refused', async () => {
    const nationalId = makeNationalId();
    const c = await createCandidate(t, { nationalId });
    const registrar = await t.keyFor('registrar');
    const full = await t.http.get(`/v1/candidates/${c.id}`).set(bearer(registrar));
    expect(full.status).toBe(200);
    expect(full.body.nationalId).toBe(nationalId);
    expect(full.body.contacts.phone).toBe('0912345678');
    const auditor = await t.keyFor('auditor');
    const masked = await t.http.get(`/v1/candidates/${c.id}`).set(bearer(auditor));
    expect(masked.body.nationalId).toBeUndefined();
    expect(masked.body.nationalIdMasked).toContain('*');
    const marker = await t.keyFor('marker');
    expect((await t.http.get(`/v1/candidates/${c.id}`).set(bearer(marker))).status).toBe(403);
    expect((await t.http.get('/v1/candidates').set(bearer(marker))).status).toBe(403);
    expect((await t.http.post('/v1/candidates').set(bearer(marker)).send(candidateBody())).status).toBe(403);
  });

  it('when patched with a stale If-Match, then 412; with the current one, then the change is saved and audited', async () => {
    const c = await createCandidate(t);
    const stale = await t.http.patch(`/v1/candidates/${c.id}`).set(bearer(t.adminKey)).set('if-match', '"v9"').send({ ethnicity: 'Tày' });
    expect(stale.status).toBe(412);
    const ok = await t.http
      .patch(`/v1/candidates/${c.id}`)
      .set(bearer(t.adminKey))
      .set('if-match', '"v1"')
      .send({ ethnicity: 'Tày', contacts: { phone: '0987654321' } });
    expect(ok.status).toBe(200);
    expect(ok.body.ethnicity).toBe('Tày');
    expect(ok.body.contacts).toMatchObject({ phone: '0987654321', email: 'an.nguyen@example.vn' });
    expect(ok.headers.etag).toBe('"v2"');
    const events = await t.sql<{ action: string }>('select action from audit_events where resource_id = $1 order by occurred_at, id', [c.id]);
    expect(events.map((e) => e.action)).toEqual(['candidate.created', 'candidate.updated']);
  });

  it('when a key is scoped to an agency, then it sees only candidates its subtree registered', async () => {
    const { agencyId: a } = await createAgencyWithHeadcount(t);
    const { agencyId: b } = await createAgencyWithHeadcount(t);
    const keyA = await t.keyFor('registrar', a);
    const keyB = await t.keyFor('registrar', b);
    const mine = await createCandidate(t, {}, keyA);
    const [row] = await t.sql<{ registered_by_agency_id: string }>('select registered_by_agency_id from candidates where id = $1', [mine.id]);
    expect(row!.registered_by_agency_id).toBe(a);
    expect((await t.http.get(`/v1/candidates/${mine.id}`).set(bearer(keyA))).status).toBe(200);
    expect((await t.http.get(`/v1/candidates/${mine.id}`).set(bearer(keyB))).status).toBe(404);
    const listB = await t.http.get('/v1/candidates').query({ nationalId: mine.nationalId }).set(bearer(keyB));
    expect(listB.body.items).toHaveLength(0);
    expect((await t.http.get(`/v1/candidates/${mine.id}`).set(bearer(t.adminKey))).status).toBe(200);
  });

  it('when listing page by page, then the cursor walks every candidate once', async () => {
    for (let i = 0; i < 3; i++) await createCandidate(t, { fullName: `Phạm Văn Trang ${i}` });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await t.http.get('/v1/candidates').query({ q: 'pham van trang', limit: 2, ...(cursor ? { cursor } : {}) }).set(bearer(t.adminKey));
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(3);
  });
});
