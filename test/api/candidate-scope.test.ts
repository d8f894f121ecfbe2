import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/domain/deadlines.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { onPostgres } from '../helpers/env.js';
import { candidateBody, createCandidate, makeNationalId, register, today, windowAroundToday } from '../factories/candidates.js';
import { addQuota, createAgencyWithHeadcount, createDrive, createJobPosition, openDrive } from '../factories/drives.js';

/*
 * Issue 12, items 1, 2, 5 (candidates search) and 17: one person across agencies, each agency
 * reading only what it submitted; writes only into quotas the key can read; lookups by national
 * ID in the body; implausible identity data refused.
 */

let t: TestApp;
/** A parent agency organising one drive with a quota for each of its two child agencies A and B. */
let w: {
  driveId: string;
  /** A drive of B alone (organised by B, one quota of B): A cannot see it. */
  driveB: string;
  quotaOfDriveB: string;
  quotaA: string;
  quotaB: string;
  agencyA: string;
  agencyB: string;
  codeB: string;
  jobCodeB: string;
  keyA: string;
  keyB: string;
};

beforeAll(async () => {
  t = await setupApp();
  const { agencyId: parent } = await createAgencyWithHeadcount(t);
  const { agencyId: agencyA } = await createAgencyWithHeadcount(t, { parentId: parent });
  const { agencyId: agencyB } = await createAgencyWithHeadcount(t, { parentId: parent });
  const jobA = await createJobPosition(t, agencyA);
  const jobB = await createJobPosition(t, agencyB);
  const driveId = await createDrive(t, { organizingAgencyId: parent, ...windowAroundToday() });
  const quotaA = await addQuota(t, driveId, { agencyId: agencyA, jobPositionId: jobA, slots: 3 });
  const quotaB = await addQuota(t, driveId, { agencyId: agencyB, jobPositionId: jobB, slots: 3 });
  await openDrive(t, driveId);
  const driveB = await createDrive(t, { organizingAgencyId: agencyB, ...windowAroundToday() });
  const quotaOfDriveB = await addQuota(t, driveB, { agencyId: agencyB, jobPositionId: jobB, slots: 3 });
  await openDrive(t, driveB);
  const codeB = (await t.http.get(`/v1/agencies/${agencyB}`).set(bearer(t.adminKey))).body.code as string;
  const jobCodeB = (await t.http.get(`/v1/job-positions/${jobB}`).set(bearer(t.adminKey))).body.code as string;
  w = { driveId, driveB, quotaOfDriveB, quotaA, quotaB, agencyA, agencyB, codeB, jobCodeB, keyA: await t.keyFor('registrar', agencyA), keyB: await t.keyFor('registrar', agencyB) };
});
afterAll(async () => {
  await t.close();
});

const importRows = (key: string, rows: Record<string, unknown>[]) =>
  t.http.post(`/v1/drives/${w.driveId}/applications/import`).set(bearer(key)).send(rows);

const bSubmission = (nationalId: string) =>
  candidateBody({
    nationalId,
    fullName: 'Trịnh Thị Bảo',
    birthDate: '1995-05-20',
    gender: 'female',
    contacts: { email: 'bao.b@example.vn', phone: '0911111111', address: 'Phố B, Hà Nội' },
  });

describe('one person across agencies', () => {
  it('when a key scoped to A registers a national ID only B holds, then it gets 201 as for a new person, sees only its own submission, and B’s view is unchanged', async () => {
    const nationalId = makeNationalId({ female: true });
    const byB = await t.http.post('/v1/candidates').set(bearer(w.keyB)).send(bSubmission(nationalId));
    expect(byB.status).toBe(201);

    const fresh = await t.http.post('/v1/candidates').set(bearer(w.keyA)).send(candidateBody({ fullName: 'Người Mới', gender: 'female' }));
    const before = Date.now();
    const aBody = candidateBody({ nationalId, fullName: 'Trịnh Thị Bảo An', birthDate: '1995-01-02', gender: 'female', contacts: { email: 'an.a@example.vn' } });
    const byA = await t.http.post('/v1/candidates').set(bearer(w.keyA)).send(aBody);
    expect(byA.status).toBe(201);
    // The same status, headers and shape as a new person's registration.
    expect(Object.keys(byA.body).sort()).toEqual(Object.keys(fresh.body).sort());
    expect(byA.headers.etag).toBe('"v1"');
    expect(byA.headers.location).toBe(`/v1/candidates/${byA.body.id}`);
    expect(byA.body).toMatchObject({
      fullName: 'Trịnh Thị Bảo An',
      birthDate: '1995-01-02',
      contacts: { email: 'an.a@example.vn', phone: null, address: null },
      registeredByAgencyId: w.agencyA,
      version: 1,
    });
    expect(new Date(byA.body.createdAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    // The id carries no time: it cannot tell when the person was first registered.
    expect(byA.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    expect(JSON.stringify(byA.body)).not.toMatch(/bao\.b@|0911111111|Phố B|1995-05-20|Trịnh Thị Bảo"/);

    // One person: the same record is linked.
    expect(byA.body.id).toBe(byB.body.id);
    const [{ n } = { n: 0 }] = await t.sql<{ n: number }>('select count(*)::int as n from candidates where id = $1', [byA.body.id]);
    expect(n).toBe(1);

    // A's reads: only A's submission, by id, list, search.
    const getA = await t.http.get(`/v1/candidates/${byA.body.id}`).set(bearer(w.keyA));
    expect(getA.status).toBe(200);
    expect(getA.body).toMatchObject({ fullName: 'Trịnh Thị Bảo An', birthDate: '1995-01-02', nationalId, version: 1 });
    expect(getA.headers.etag).toBe('"v1"');
    const searchA = await t.http.post('/v1/candidates/search').set(bearer(w.keyA)).send({ nationalId });
    expect(searchA.body.items).toHaveLength(1);
    expect(searchA.body.items[0]).toMatchObject({ fullName: 'Trịnh Thị Bảo An', birthDate: '1995-01-02' });
    const byNameA = await t.http.post('/v1/candidates/search').set(bearer(w.keyA)).send({ q: 'trinh thi bao' });
    expect(byNameA.body.items.map((i: { fullName: string }) => i.fullName)).toEqual(['Trịnh Thị Bảo An']);

    // B's view is unchanged.
    const getB = await t.http.get(`/v1/candidates/${byB.body.id}`).set(bearer(w.keyB));
    expect(getB.body).toMatchObject({ fullName: 'Trịnh Thị Bảo', birthDate: '1995-05-20', contacts: { email: 'bao.b@example.vn' }, version: 1 });
    expect(getB.body.createdAt).toBe(byB.body.createdAt);

    // A correction by A changes A's submission only.
    const patched = await t.http.patch(`/v1/candidates/${byA.body.id}`).set(bearer(w.keyA)).set('if-match', '"v1"').send({ contacts: { phone: '0922222222' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ version: 2, contacts: { email: 'an.a@example.vn', phone: '0922222222' } });
    expect((await t.http.get(`/v1/candidates/${byB.body.id}`).set(bearer(w.keyB))).body).toMatchObject({ version: 1, contacts: { phone: '0911111111' } });

    // The same agency registering the same person again: 409 as before.
    const again = await t.http.post('/v1/candidates').set(bearer(w.keyA)).send(aBody);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('candidate.duplicate_national_id');
    const againB = await t.http.post('/v1/candidates').set(bearer(w.keyB)).send(bSubmission(nationalId));
    expect(againB.status).toBe(409);
  });

  it('when a registrar scoped to A imports a national ID held by B, then the row is created as for a new person and A never reads B’s contacts, birth date or applications', async () => {
    const nationalId = makeNationalId({ female: true });
    const b = await t.http.post('/v1/candidates').set(bearer(w.keyB)).send(bSubmission(nationalId));
    const bApp = await register(t, w.driveB, { candidateId: b.body.id, quotaId: w.quotaOfDriveB }, w.keyB);
    expect(bApp.status).toBe(201);
    const newId = makeNationalId({ female: true });

    const row = (id: string, name: string) => ({ fullName: name, nationalId: id, birthDate: '1995-03-03', gender: 'female', ethnicity: 'Kinh', quotaId: w.quotaA, choice: 2 });
    const res = await importRows(w.keyA, [row(nationalId, 'Trịnh Bảo Nhập'), row(newId, 'Người Hoàn Toàn Mới')]);
    expect(res.status).toBe(200);
    // The drive allows one choice only: both rows meet the same refusal, a held-elsewhere person and a new one alike.
    expect(res.body.results.map((r: { status: string; errors?: { code: string }[] }) => r.errors?.[0]?.code ?? r.status)).toEqual([
      'application.second_choice_not_allowed',
      'application.second_choice_not_allowed',
    ]);

    const ok = await importRows(w.keyA, [{ ...row(nationalId, 'Trịnh Bảo Nhập'), choice: 1, email: 'nhap.a@example.vn' }, { ...row(newId, 'Người Hoàn Toàn Mới'), choice: 1 }]);
    expect(ok.status).toBe(200);
    const [held, fresh] = ok.body.results;
    // Same status and the same members for a person held by B and a new one.
    expect(held.status).toBe('created');
    expect(fresh.status).toBe('created');
    expect(Object.keys(held).sort()).toEqual(Object.keys(fresh).sort());
    expect(held.candidateId).toBe(b.body.id);

    // A reads the candidate as A submitted it: never B's contacts or birth date.
    const asA = await t.http.get(`/v1/candidates/${held.candidateId}`).set(bearer(w.keyA));
    expect(asA.status).toBe(200);
    expect(asA.body).toMatchObject({ fullName: 'Trịnh Bảo Nhập', birthDate: '1995-03-03', contacts: { email: 'nhap.a@example.vn', phone: null, address: null }, version: 1 });
    expect(JSON.stringify(asA.body)).not.toMatch(/bao\.b@|0911111111|Phố B|1995-05-20/);
    const listA = await t.http.get('/v1/candidates').query({ q: 'trinh' }).set(bearer(w.keyA));
    expect(JSON.stringify(listA.body)).not.toMatch(/Trịnh Thị Bảo"|b\*\*\*@|091\*/);

    // B's application stays invisible to A; A's application shows A's submission.
    expect((await t.http.get(`/v1/applications/${bApp.body.id}`).set(bearer(w.keyA))).status).toBe(404);
    const appsA = await t.http.get(`/v1/drives/${w.driveId}/applications`).query({ candidateId: held.candidateId }).set(bearer(w.keyA));
    expect(appsA.body.items.map((a: { id: string }) => a.id)).toEqual([held.applicationId]);
    expect(appsA.body.items[0].candidate).toMatchObject({ fullName: 'Trịnh Bảo Nhập', birthDate: '1995-03-03' });

    // B's view is unchanged; B sees its own application with its submission, not A's.
    const asB = await t.http.get(`/v1/candidates/${b.body.id}`).set(bearer(w.keyB));
    expect(asB.body).toMatchObject({ fullName: 'Trịnh Thị Bảo', birthDate: '1995-05-20', contacts: { email: 'bao.b@example.vn' }, version: 1 });
    expect((await t.http.get(`/v1/applications/${bApp.body.id}`).set(bearer(w.keyB))).body.candidate.fullName).toBe('Trịnh Thị Bảo');
    expect((await t.http.get(`/v1/applications/${held.applicationId}`).set(bearer(w.keyB))).status).toBe(404);

    // Importing it again is "exists" for A, as for any person A holds.
    const replay = await importRows(w.keyA, [{ ...row(nationalId, 'Trịnh Bảo Nhập'), choice: 1 }]);
    expect(replay.body.results[0]).toMatchObject({ status: 'exists', applicationId: held.applicationId });
    const [{ n } = { n: 0 }] = await t.sql<{ n: number }>('select count(*)::int as n from candidate_profiles where candidate_id = $1', [b.body.id]);
    expect(n).toBe(1);
  });

  it('when a drive’s names are read by its organiser, then each application shows the submission of the agency that registered it', async () => {
    const nationalId = makeNationalId({ female: true });
    const b = await t.http.post('/v1/candidates').set(bearer(w.keyB)).send(bSubmission(nationalId));
    const a = await t.http.post('/v1/candidates').set(bearer(w.keyA)).send(candidateBody({ nationalId, fullName: 'Tên Theo A', gender: 'female' }));
    expect(a.body.id).toBe(b.body.id);
    const app = await register(t, w.driveId, { candidateId: a.body.id, quotaId: w.quotaA }, w.keyA);
    expect(app.status).toBe(201);
    expect(app.body.candidate.fullName).toBe('Tên Theo A');
    const asAdmin = await t.http.get(`/v1/applications/${app.body.id}`).set(bearer(t.adminKey));
    expect(asAdmin.body.candidate.fullName).toBe('Tên Theo A');
    const [stored] = await t.sql<{ profile_id: string | null }>('select profile_id::text from applications where id = $1', [app.body.id]);
    expect(stored!.profile_id).not.toBeNull();
  });
});

describe('one person across agencies, concurrently', () => {
  it.skipIf(!onPostgres)('when A and B each register the same new national ID five times at once, then one person, one submission per agency, one 201 each and 409 for the rest', async () => {
    const nationalId = makeNationalId();
    const bodyA = candidateBody({ nationalId, fullName: 'Đồng Thời A' });
    const bodyB = candidateBody({ nationalId, fullName: 'Đồng Thời B' });
    const res = await Promise.all(
      Array.from({ length: 10 }, (_, i) => t.http.post('/v1/candidates').set(bearer(i % 2 ? w.keyB : w.keyA)).send(i % 2 ? bodyB : bodyA)),
    );
    const created = res.filter((r) => r.status === 201);
    expect(created.map((r) => r.body.fullName).sort()).toEqual(['Đồng Thời A', 'Đồng Thời B']);
    expect(res.filter((r) => r.status === 409)).toHaveLength(8);
    expect(created[0]!.body.id).toBe(created[1]!.body.id);
    const [{ n } = { n: 0 }] = await t.sql<{ n: number }>('select count(*)::int as n from candidate_profiles where candidate_id = $1', [created[0]!.body.id]);
    expect(n).toBe(1);
  });
});

describe('quotas outside the key’s scope', () => {
  it('when A registers or imports into B’s quota of a drive A sees through its own quota, then 404 / a not-found row, by id and by codes', async () => {
    const c = await createCandidate(t, {}, w.keyA);
    const single = await register(t, w.driveId, { candidateId: c.id, quotaId: w.quotaB }, w.keyA);
    expect(single.status).toBe(404);
    expect(single.body.code).toBe('quota.not_found');

    const base = { fullName: 'Lạc Văn Quota', birthDate: '1995-05-20', gender: 'male', ethnicity: 'Kinh' };
    const res = await importRows(w.keyA, [
      { ...base, nationalId: makeNationalId(), quotaId: w.quotaB },
      { ...base, nationalId: makeNationalId(), agencyCode: w.codeB, jobPositionCode: w.jobCodeB },
      { ...base, nationalId: makeNationalId(), quotaId: w.quotaA },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ status: 'error', errors: [{ code: 'quota.not_found', field: 'quotaId' }] });
    expect(res.body.results[1]).toMatchObject({ status: 'error', errors: [{ code: 'quota.not_found', field: 'agencyCode' }] });
    expect(res.body.results[2]).toMatchObject({ status: 'created' });
    const [{ n } = { n: 0 }] = await t.sql<{ n: number }>('select count(*)::int as n from applications where quota_id = $1 and registered_by_agency_id = $2', [w.quotaB, w.agencyA]);
    expect(n).toBe(0);
  });
});

describe('POST /v1/candidates/search', () => {
  it('when searching by national ID in the body, then only candidates in the caller’s scope are found; the GET parameter is deprecated', async () => {
    const mine = await createCandidate(t, { fullName: 'Tìm Thấy Tôi' }, w.keyA);
    const found = await t.http.post('/v1/candidates/search').set(bearer(w.keyA)).send({ nationalId: mine.nationalId });
    expect(found.status).toBe(200);
    expect(found.body.items.map((i: { id: string }) => i.id)).toEqual([mine.id]);
    expect(found.body.items[0].nationalId).toBeUndefined();
    expect(JSON.stringify(found.body)).not.toContain(mine.nationalId);
    expect(found.body.nextCursor).toBeNull();
    const other = await t.http.post('/v1/candidates/search').set(bearer(w.keyB)).send({ nationalId: mine.nationalId });
    expect(other.status).toBe(200);
    expect(other.body.items).toEqual([]);
    const admin = await t.http.post('/v1/candidates/search').set(bearer(t.adminKey)).send({ nationalId: mine.nationalId });
    expect(admin.body.items).toHaveLength(1);
    const bad = await t.http.post('/v1/candidates/search').set(bearer(w.keyA)).send({ nationalId: '12' });
    expect(bad.status).toBe(400);
    const marker = await t.keyFor('marker');
    expect((await t.http.post('/v1/candidates/search').set(bearer(marker)).send({})).status).toBe(403);

    const doc = (await t.http.get('/openapi.json')).body;
    const params = doc.paths['/v1/candidates'].get.parameters as { name: string; deprecated?: boolean }[];
    const param = params.find((p) => p.name === 'nationalId')!;
    expect(param.deprecated).toBe(true);
    expect(doc.paths['/v1/candidates/search'].post.operationId).toBe('searchCandidates');
  });
});

describe('implausible identity data', () => {
  const tomorrow = () => addDays(today(), 1);
  const yearsAgo = (n: number) => `${Number(today().slice(0, 4)) - n}${today().slice(4)}`;
  /** Birth dates that are no one's, each with a national ID agreeing with its year (so only the date is wrong). */
  const badDates = () => [
    { birthDate: '2999-01-01', nationalId: makeNationalId({ birthYear: 2999 }) },
    { birthDate: tomorrow(), nationalId: makeNationalId({ birthYear: Number(tomorrow().slice(0, 4)) }) },
    { birthDate: addDays(yearsAgo(101), 0), nationalId: makeNationalId({ birthYear: Number(yearsAgo(101).slice(0, 4)) }) },
  ];
  const badNames = ['\u200B\u200C\u200D\u2060', 'Nguyễn \u202EnăV nA'];

  it('when a candidate is created with a birth date before the past 100 years or in the future, then 400 candidate.birth_date_implausible', async () => {
    for (const d of badDates()) {
      const res = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send({ ...candidateBody(), ...d });
      expect(res.status, d.birthDate).toBe(400);
      expect(res.body.code).toBe('candidate.birth_date_implausible');
    }
    // Year 0001 is not a date the API takes at all (strict dates, years 1000–9999: src/http/primitives.ts).
    const yearOne = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send({ ...candidateBody(), birthDate: '0001-01-01', nationalId: '001001123456' });
    expect(yearOne.status).toBe(400);
    expect(yearOne.body.code).toBe('request.invalid');
    const oldest = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send(candidateBody({ birthDate: yearsAgo(99) }));
    expect(oldest.status).toBe(201);
  });

  it('when a name is only zero-width characters or carries a bidi override, then 400 candidate.name_invalid', async () => {
    for (const fullName of badNames) {
      const res = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send(candidateBody({ fullName }));
      expect(res.status, JSON.stringify(fullName)).toBe(400);
      expect(res.body.code).toBe('candidate.name_invalid');
    }
  });

  it('when the national ID’s century/sex digit or year contradicts the birth date or gender, then 422 with its code', async () => {
    const wrongCentury = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send(candidateBody({ nationalId: makeNationalId({ birthYear: 2095 }), birthDate: '1995-05-20' }));
    expect(wrongCentury.status).toBe(422);
    expect(wrongCentury.body.code).toBe('national_id.birth_date_mismatch');
    const wrongYear = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send(candidateBody({ nationalId: makeNationalId({ birthYear: 1994 }), birthDate: '1995-05-20' }));
    expect(wrongYear.body.code).toBe('national_id.birth_date_mismatch');
    const wrongSex = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send(candidateBody({ nationalId: makeNationalId({ female: true }), gender: 'male' }));
    expect(wrongSex.status).toBe(422);
    expect(wrongSex.body.code).toBe('national_id.gender_mismatch');
    const other = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send(candidateBody({ nationalId: makeNationalId({ female: true }), gender: 'other' }));
    expect(other.status).toBe(201);
  });

  it('when a correction (PATCH) makes the data implausible, then it is refused with the same codes and nothing changes', async () => {
    const c = await createCandidate(t);
    const date = await t.http.patch(`/v1/candidates/${c.id}`).set(bearer(t.adminKey)).send({ birthDate: '2999-01-01' });
    expect(date.status).toBe(400);
    expect(date.body.code).toBe('candidate.birth_date_implausible');
    const name = await t.http.patch(`/v1/candidates/${c.id}`).set(bearer(t.adminKey)).send({ fullName: badNames[1] });
    expect(name.body.code).toBe('candidate.name_invalid');
    const zw = await t.http.patch(`/v1/candidates/${c.id}`).set(bearer(t.adminKey)).send({ fullName: badNames[0] });
    expect(zw.body.code).toBe('candidate.name_invalid');
    const sex = await t.http.patch(`/v1/candidates/${c.id}`).set(bearer(t.adminKey)).send({ gender: 'female' });
    expect(sex.status).toBe(422);
    expect(sex.body.code).toBe('national_id.gender_mismatch');
    const year = await t.http.patch(`/v1/candidates/${c.id}`).set(bearer(t.adminKey)).send({ birthDate: '1996-05-20' });
    expect(year.body.code).toBe('national_id.birth_date_mismatch');
    const id = await t.http.patch(`/v1/candidates/${c.id}`).set(bearer(t.adminKey)).send({ nationalId: makeNationalId({ birthYear: 2001 }) });
    expect(id.body.code).toBe('national_id.birth_date_mismatch');
    expect((await t.http.get(`/v1/candidates/${c.id}`).set(bearer(t.adminKey))).body.version).toBe(1);
  });

  it('when import rows carry implausible dates, names or national IDs, then each row is refused with the same code', async () => {
    const base = { fullName: 'Hàng Văn Nhập', birthDate: '1995-05-20', gender: 'male', ethnicity: 'Kinh', quotaId: w.quotaA };
    const rows = () => [
      ...badDates().map((d) => ({ ...base, ...d })),
      ...badNames.map((fullName) => ({ ...base, fullName, nationalId: makeNationalId() })),
      { ...base, nationalId: makeNationalId({ birthYear: 2095 }) },
      { ...base, nationalId: makeNationalId({ female: true }) },
      { ...base, nationalId: makeNationalId() },
    ];
    const csv = (list: ReturnType<typeof rows>) =>
      ['fullName,nationalId,birthDate,gender,ethnicity,quotaId', ...list.map((r) => [r.fullName, r.nationalId, r.birthDate, r.gender, r.ethnicity, r.quotaId].join(','))].join('\n');
    for (const format of ['json', 'csv'] as const) {
      const res =
        format === 'json'
          ? await importRows(w.keyA, rows())
          : await t.http.post(`/v1/drives/${w.driveId}/applications/import`).set(bearer(w.keyA)).set('content-type', 'text/csv').send(csv(rows()));
      expect(res.status).toBe(200);
      const codes = res.body.results.map((r: { status: string; errors?: { code: string }[] }) => r.errors?.[0]?.code ?? r.status);
      expect(codes, format).toEqual([
        'candidate.birth_date_implausible',
        'candidate.birth_date_implausible',
        'candidate.birth_date_implausible',
        'candidate.name_invalid',
        'candidate.name_invalid',
        'national_id.birth_date_mismatch',
        'national_id.gender_mismatch',
        'created',
      ]);
    }
  });
});
