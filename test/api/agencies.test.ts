import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { createAgency, setHeadcount, uniqueCode } from '../factories/agencies.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

describe('agencies', () => {
  it('when an agency is created, then it is returned with Location and ETag, stored NFC, and audited', async () => {
    const decomposed = 'Ban Tổ chức Thành ủy'.normalize('NFD');
    const res = await t.http
      .post('/v1/agencies')
      .set(bearer(t.adminKey))
      .set('on-behalf-of', encodeURIComponent('Nguyễn Văn An'))
      .send({ code: uniqueCode(), name: decomposed, bloc: 'party' });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v1/agencies/${res.body.id}`);
    expect(res.headers.etag).toBe('"v1"');
    expect(res.body.name).toBe('Ban Tổ chức Thành ủy'.normalize('NFC'));
    const events = await t.sql<{ action: string; on_behalf_of: string; request_id: string }>(
      'select action, on_behalf_of, request_id from audit_events where resource_id = $1',
      [res.body.id],
    );
    expect(events).toEqual([expect.objectContaining({ action: 'agency.created', on_behalf_of: 'Nguyễn Văn An' })]);
    expect(events[0]!.request_id).toBe(res.headers['x-request-id']);
  });

  it('when the code is taken, then 409 agency.code_taken', async () => {
    const a = await createAgency(t);
    const res = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).send({ code: a.code, name: 'X', bloc: 'state' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('agency.code_taken');
  });

  it('when searching without diacritics, then names with diacritics are found', async () => {
    const a = await createAgency(t, { name: 'Sở Tài nguyên và Môi trường Đà Nẵng' });
    const res = await t.http.get('/v1/agencies').query({ q: 'tai nguyen va moi truong da nang' }).set(bearer(t.adminKey));
    expect(res.status).toBe(200);
    expect(res.body.items.map((x: { id: string }) => x.id)).toContain(a.id);
  });

  it('when listing with a small limit, then pages follow the cursor and Link header without repeats', async () => {
    const parent = await createAgency(t);
    for (let i = 0; i < 5; i++) await createAgency(t, { parentId: parent.id });
    const seen: string[] = [];
    let url: string | null = `/v1/agencies?parentId=${parent.id}&limit=2`;
    let pages = 0;
    while (url) {
      const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null }; headers: Record<string, string> } = await t.http.get(url).set(bearer(t.adminKey));
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((x: { id: string }) => x.id));
      const next = res.body.nextCursor ? /<([^>]+)>; rel="next"/.exec(res.headers.link ?? '')![1]! : null;
      // The link is absolute (RFC 8288), on the host the request was sent to.
      if (next) expect(next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/agencies\?/);
      url = next ? next.replace(/^http:\/\/[^/]+/, '') : null;
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
  });

  it('when the cursor is forged, then 400 request.invalid_cursor', async () => {
    const res = await t.http.get('/v1/agencies?cursor=abc').set(bearer(t.adminKey));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('request.invalid_cursor');
  });

  it('when the limit is not a number, then 400 saying a number was expected (not "received NaN")', async () => {
    for (const limit of ['abc', '']) {
      const res = await t.http.get(`/v1/agencies?limit=${limit}`).set(bearer(t.adminKey));
      if (limit === '') {
        expect([200, 400]).toContain(res.status);
        continue;
      }
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('request.invalid');
      expect(res.body.detail).toContain('querystring.limit: Invalid input: expected a number');
      expect(JSON.stringify(res.body)).not.toContain('NaN');
    }
  });

  it('when PUBLIC_BASE_URL is set, then the next-page link is built on it', async () => {
    const behind = await setupApp({ env: { PUBLIC_BASE_URL: 'https://tuyendung.hanoi.gov.vn/api/' } });
    try {
      for (let i = 0; i < 2; i++) await createAgency(behind);
      const res = await behind.http.get('/v1/agencies?limit=1').set(bearer(behind.adminKey));
      expect(res.status).toBe(200);
      expect(res.headers.link).toMatch(/^<https:\/\/tuyendung\.hanoi\.gov\.vn\/api\/v1\/agencies\?limit=1&cursor=[^>]+>; rel="next"$/);
    } finally {
      await behind.close();
    }
  });

  it('when the limit exceeds 500, then 400', async () => {
    const res = await t.http.get('/v1/agencies?limit=501').set(bearer(t.adminKey));
    expect(res.status).toBe(400);
  });

  it('when If-Match is stale, then 412 and nothing changes; when current, then the version moves on', async () => {
    const a = await createAgency(t);
    const ok = await t.http.patch(`/v1/agencies/${a.id}`).set(bearer(t.adminKey)).set('if-match', '"v1"').send({ name: 'Tên mới' });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('"v2"');
    const stale = await t.http.patch(`/v1/agencies/${a.id}`).set(bearer(t.adminKey)).set('if-match', '"v1"').send({ name: 'Khác' });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('precondition.failed');
    const [row] = await t.sql<{ name: string; version: number }>('select name, version from agencies where id = $1', [a.id]);
    expect(row).toEqual({ name: 'Tên mới', version: 2 });
  });

  it('when an agency is moved under its own descendant, then 422 agency.cycle', async () => {
    const root = await createAgency(t);
    const child = await createAgency(t, { parentId: root.id });
    const res = await t.http.patch(`/v1/agencies/${root.id}`).set(bearer(t.adminKey)).send({ parentId: child.id });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('agency.cycle');
  });

  it('when a subtree is moved, then keys scoped to the new parent see it', async () => {
    const a = await createAgency(t);
    const b = await createAgency(t);
    const child = await createAgency(t, { parentId: a.id });
    const grandchild = await createAgency(t, { parentId: child.id });
    const bKey = await t.keyFor('organizer', b.id);
    expect((await t.http.get(`/v1/agencies/${grandchild.id}`).set(bearer(bKey))).status).toBe(404);
    const moved = await t.http.patch(`/v1/agencies/${child.id}`).set(bearer(t.adminKey)).send({ parentId: b.id });
    expect(moved.status).toBe(200);
    expect((await t.http.get(`/v1/agencies/${grandchild.id}`).set(bearer(bKey))).status).toBe(200);
  });
});

describe('agency scope', () => {
  it('when a key is scoped to agency A, then it sees A’s subtree and gets 404 for B', async () => {
    const a = await createAgency(t);
    const aChild = await createAgency(t, { parentId: a.id });
    const b = await createAgency(t);
    const key = await t.keyFor('organizer', a.id);
    expect((await t.http.get(`/v1/agencies/${aChild.id}`).set(bearer(key))).status).toBe(200);
    const other = await t.http.get(`/v1/agencies/${b.id}`).set(bearer(key));
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('agency.not_found');
    const list = await t.http.get('/v1/agencies?limit=500').set(bearer(key));
    const ids = list.body.items.map((x: { id: string }) => x.id);
    expect(ids).toEqual(expect.arrayContaining([a.id, aChild.id]));
    expect(ids).not.toContain(b.id);
    expect((await t.http.put(`/v1/agencies/${b.id}/headcount/2024`).set(bearer(key)).send({ categories: [{ staffCategory: 'civil_servant', assigned: 1, filled: 0 }] })).status).toBe(404);
  });

  it('when a scoped key creates a root agency, then 403; under its subtree, then 201', async () => {
    const a = await createAgency(t);
    const key = await t.keyFor('organizer', a.id);
    expect((await t.http.post('/v1/agencies').set(bearer(key)).send({ code: uniqueCode(), name: 'X', bloc: 'state' })).status).toBe(403);
    expect((await t.http.post('/v1/agencies').set(bearer(key)).send({ code: uniqueCode(), name: 'X', bloc: 'state', parentId: a.id })).status).toBe(201);
  });
});

describe('headcount', () => {
  it('when headcount is set, then unused = assigned − filled per staff category', async () => {
    const a = await createAgency(t);
    const body = await setHeadcount(t, a.id, 2023, [
      { staffCategory: 'civil_servant', assigned: 120, filled: 100 },
      { staffCategory: 'public_employee', assigned: 40, filled: 38 },
    ]);
    expect(body.categories).toEqual([
      expect.objectContaining({ staffCategory: 'civil_servant', assigned: 120, filled: 100, unused: 20 }),
      expect.objectContaining({ staffCategory: 'public_employee', assigned: 40, filled: 38, unused: 2 }),
    ]);
    const get = await t.http.get(`/v1/agencies/${a.id}/headcount/2023`).set(bearer(t.adminKey));
    expect(get.body).toEqual(body);
  });

  it('when filled exceeds assigned, then 400 and nothing is stored', async () => {
    const a = await createAgency(t);
    const res = await t.http
      .put(`/v1/agencies/${a.id}/headcount/2023`)
      .set(bearer(t.adminKey))
      .send({ categories: [{ staffCategory: 'civil_servant', assigned: 5, filled: 6 }] });
    expect(res.status).toBe(400);
    expect(await t.sql('select 1 from headcounts where agency_id = $1', [a.id])).toHaveLength(0);
  });

  it('when the year is out of range, then 400', async () => {
    const a = await createAgency(t);
    expect((await t.http.get(`/v1/agencies/${a.id}/headcount/1850`).set(bearer(t.adminKey))).status).toBe(400);
  });
});

describe('idempotency', () => {
  it('when a create is retried with the same key and body, then the first response is replayed and one row exists', async () => {
    const code = uniqueCode();
    const send = () =>
      t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', `k-${code}`).send({ code, name: 'Sở Y tế', bloc: 'state' });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers.location).toBe(first.headers.location);
    expect(await t.sql('select 1 from agencies where code = $1', [code])).toHaveLength(1);
  });

  it('when the same key comes with a different body, then 422 idempotency.key_reused', async () => {
    const code = uniqueCode();
    await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', `k-${code}`).send({ code, name: 'A', bloc: 'state' });
    const res = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', `k-${code}`).send({ code, name: 'B', bloc: 'state' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('idempotency.key_reused');
  });

  it('when the same key is sent concurrently, then the request is executed once and every caller gets its answer', async () => {
    const code = uniqueCode();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', `c-${code}`).send({ code, name: 'Sở Xây dựng', bloc: 'state' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await t.sql('select 1 from agencies where code = $1', [code])).toHaveLength(1);
  });

  it('when the key is not printable ASCII or too long, then 400', async () => {
    const res = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', 'x'.repeat(201)).send({ code: uniqueCode(), name: 'A', bloc: 'state' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'headers.idempotency-key' })]);
    const bad = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', 'a b').send({ code: uniqueCode(), name: 'A', bloc: 'state' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('idempotency.invalid_key');
  });

  it('when two keys use the same Idempotency-Key, then they do not see each other’s responses', async () => {
    const other = await t.keyFor('organizer');
    const a = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', 'shared').send({ code: uniqueCode(), name: 'A', bloc: 'state' });
    const b = await t.http.post('/v1/agencies').set(bearer(other)).set('idempotency-key', 'shared').send({ code: uniqueCode(), name: 'B', bloc: 'state' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
  });
});
