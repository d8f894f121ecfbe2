import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { addQuota, createAgencyWithHeadcount, createDrive, createJobPosition } from '../factories/drives.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const post = (body: unknown, key = t.adminKey) => t.http.post('/v1/job-positions').set(bearer(key)).send(body as object);

describe('job positions', () => {
  it('when a position is created, then it is stored NFC with a search key, audited, and readable with an ETag', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const name = 'Chuyên viên về tổ chức cán bộ'.normalize('NFD');
    const res = await post({ agencyId, code: 'TCCB-01', name, staffCategory: 'civil_servant', description: 'Ngạch chuyên viên' });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v1/job-positions/${res.body.id}`);
    expect(res.body).toMatchObject({ agencyId, code: 'TCCB-01', name: name.normalize('NFC'), leadership: false, active: true, version: 1 });
    const [row] = await t.sql<{ name: string; name_search: string }>('select name, name_search from job_positions where id = $1', [res.body.id]);
    expect(row).toEqual({ name: 'Chuyên viên về tổ chức cán bộ', name_search: 'chuyen vien ve to chuc can bo' });
    expect(await t.sql("select 1 from audit_events where action = 'job_position.created' and resource_id = $1", [res.body.id])).toHaveLength(1);
    const got = await t.http.get(`/v1/job-positions/${res.body.id}`).set(bearer(t.adminKey));
    expect(got.status).toBe(200);
    expect(got.headers.etag).toBe('"v1"');
  });

  it('when the code is taken at the same agency, then 409 job_position.code_taken; at another agency it is fine', async () => {
    const a = await createAgencyWithHeadcount(t);
    const b = await createAgencyWithHeadcount(t);
    const body = { code: 'KT-01', name: 'Kế toán viên', staffCategory: 'public_employee' };
    expect((await post({ ...body, agencyId: a.agencyId })).status).toBe(201);
    const dup = await post({ ...body, agencyId: a.agencyId });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('job_position.code_taken');
    expect((await post({ ...body, agencyId: b.agencyId })).status).toBe(201);
    expect(await t.sql("select 1 from job_positions where code = 'KT-01' and agency_id = $1", [a.agencyId])).toHaveLength(1);
  });

  it('when the agency is unknown or out of scope, then 422 job_position.agency_not_found', async () => {
    const body = { code: 'X-1', name: 'x', staffCategory: 'civil_servant' };
    expect((await post({ ...body, agencyId: randomUUID() })).body.code).toBe('job_position.agency_not_found');
    const a = await createAgencyWithHeadcount(t);
    const b = await createAgencyWithHeadcount(t);
    const keyA = await t.keyFor('organizer', a.agencyId);
    const res = await post({ ...body, agencyId: b.agencyId }, keyA);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('job_position.agency_not_found');
  });

  it('when patched with a matching If-Match, then it changes; with a stale one, then 412; a renamed code clash is 409', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const id = await createJobPosition(t, agencyId, { code: 'P-1' });
    await createJobPosition(t, agencyId, { code: 'P-2' });
    const ok = await t.http.patch(`/v1/job-positions/${id}`).set(bearer(t.adminKey)).set('if-match', '"v1"').send({ name: 'Phó trưởng phòng', active: false });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('"v2"');
    expect(ok.body).toMatchObject({ name: 'Phó trưởng phòng', active: false });
    const stale = await t.http.patch(`/v1/job-positions/${id}`).set(bearer(t.adminKey)).set('if-match', '"v1"').send({ name: 'x' });
    expect(stale.status).toBe(412);
    const clash = await t.http.patch(`/v1/job-positions/${id}`).set(bearer(t.adminKey)).send({ code: 'P-2' });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('job_position.code_taken');
    expect((await t.sql<{ name: string }>('select name from job_positions where id = $1', [id]))[0]!.name).toBe('Phó trưởng phòng');
  });

  it('when a quota names the position, then its staff category cannot change (409 job_position.in_use)', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const id = await createJobPosition(t, agencyId);
    const driveId = await createDrive(t, { organizingAgencyId: agencyId });
    await addQuota(t, driveId, { agencyId, jobPositionId: id, slots: 1 });
    const res = await t.http.patch(`/v1/job-positions/${id}`).set(bearer(t.adminKey)).send({ staffCategory: 'public_employee' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('job_position.in_use');
    expect((await t.http.patch(`/v1/job-positions/${id}`).set(bearer(t.adminKey)).send({ name: 'Chuyên viên chính' })).status).toBe(200);
  });

  it('when listing, then filters by agency, category, leadership and name without diacritics, scoped to the key’s subtree, paged', async () => {
    const root = await createAgencyWithHeadcount(t);
    const child = await createAgencyWithHeadcount(t, { parentId: root.agencyId });
    const outside = await createAgencyWithHeadcount(t);
    const p1 = await createJobPosition(t, root.agencyId, { name: 'Trưởng phòng Đào tạo', leadership: true });
    const p2 = await createJobPosition(t, child.agencyId, { name: 'Chuyên viên đào tạo' });
    const p3 = await createJobPosition(t, child.agencyId, { name: 'Văn thư', staffCategory: 'public_employee' });
    const p4 = await createJobPosition(t, outside.agencyId, { name: 'Chuyên viên đào tạo' });
    const key = await t.keyFor('registrar', root.agencyId);
    const ids = async (query: string, k = key) =>
      (await t.http.get(`/v1/job-positions?${query}`).set(bearer(k))).body.items.map((p: { id: string }) => p.id);

    expect(await ids('limit=500')).toEqual([p1, p2, p3]);
    expect(await ids('q=dao tao')).toEqual([p1, p2]);
    expect(await ids('q=ĐÀO TẠO')).toEqual([p1, p2]);
    expect(await ids('leadership=true')).toEqual([p1]);
    expect(await ids('leadership=false&staffCategory=civil_servant')).toEqual([p2]);
    expect(await ids(`agencyId=${child.agencyId}`)).toEqual([p2, p3]);
    expect(await ids(`agencyId=${outside.agencyId}`, t.adminKey)).toEqual([p4]);
    expect((await t.http.get(`/v1/job-positions/${p4}`).set(bearer(key))).status).toBe(404);

    const first = await t.http.get('/v1/job-positions?limit=2').set(bearer(key));
    expect(first.body.items).toHaveLength(2);
    const second = await t.http.get(`/v1/job-positions?limit=2&cursor=${first.body.nextCursor}`).set(bearer(key));
    expect(second.body.items.map((p: { id: string }) => p.id)).toEqual([p3]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('when a registrar writes, then 403', async () => {
    const { agencyId } = await createAgencyWithHeadcount(t);
    const res = await post({ agencyId, code: 'R-1', name: 'x', staffCategory: 'civil_servant' }, await t.keyFor('registrar'));
    expect(res.status).toBe(403);
  });
});
