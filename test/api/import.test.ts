import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { onPostgres } from '../helpers/env.js';
import { createCandidate, createOpenDriveNow, makeNationalId, register } from '../factories/candidates.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const count = async (text: string, params: unknown[]) => (await t.sql<{ n: number }>(`select count(*)::int as n from ${text}`, params))[0]!.n;
const BOM = '\uFEFF';
const HEADER = 'fullName,nationalId,birthDate,gender,ethnicity,nationality,email,phone,address,quotaId,priorityCategory,evidenceRef';

function csvImport(driveId: string, csv: string, opts: { atomic?: boolean; key?: string; idempotencyKey?: string } = {}) {
  let req = t.http
    .post(`/v1/drives/${driveId}/applications/import${opts.atomic ? '?atomic=true' : ''}`)
    .set(bearer(opts.key ?? t.adminKey))
    .set('content-type', 'text/csv; charset=utf-8');
  if (opts.idempotencyKey) req = req.set('idempotency-key', opts.idempotencyKey);
  return req.send(Buffer.from(csv, 'utf8'));
}

/** The file of the issue: BOM, Vietnamese names, a bad date, a national ID twice and an unknown quota. */
function mixedFile(quotaId: string) {
  const ids = [
    makeNationalId({ birthYear: 1996, female: true }),
    makeNationalId({ birthYear: 1994 }),
    makeNationalId({ birthYear: 1990, female: true }),
    makeNationalId({ birthYear: 1992 }),
  ];
  const unknownQuota = '0190a0a0-0000-7000-8000-00000000abcd';
  const lines = [
    HEADER,
    `Nguyễn Thị Ánh,${ids[0]},1996-02-14,nữ,Kinh,VN,anh@example.vn,0912000001,"12 Hàng Bài, Hà Nội",${quotaId},ethnic_minority,GKS-01`,
    `Trần Văn Bình,${ids[1]},1994-02-30,male,Kinh,,,,,${quotaId},,`,
    `Lê Thị Cúc,${ids[2]},1990-11-01,female,Tày,VN,,,,${quotaId},,`,
    `Lê Thị Cúc,${ids[2]},1990-11-01,female,Tày,VN,,,,${quotaId},,`,
    `Phạm Văn Dũng,${ids[3]},1992-07-07,male,Kinh,VN,,,,${unknownQuota},,`,
  ];
  return { csv: BOM + lines.join('\r\n') + '\r\n', ids };
}

describe('bulk import', () => {
  it('when a CSV with a BOM has a bad date, a repeated national ID and an unknown quota, then exact per-row errors and the good rows are created', async () => {
    const d = await createOpenDriveNow(t);
    const { csv, ids } = mixedFile(d.quotaId);
    const res = await csvImport(d.driveId, csv);
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ rows: 5, created: 2, exists: 0, errors: 3 });
    const [r1, r2, r3, r4, r5] = res.body.results;
    expect(r1).toMatchObject({ row: 1, status: 'created' });
    expect(r2).toMatchObject({ row: 2, status: 'error', errors: [{ code: 'row.invalid', field: 'birthDate' }] });
    expect(r3).toMatchObject({ row: 3, status: 'created' });
    expect(r4).toMatchObject({ row: 4, status: 'error', errors: [{ code: 'import.duplicate_in_file', field: 'nationalId' }] });
    expect(r4.errors[0].message).toContain('row 3');
    expect(r5).toMatchObject({ row: 5, status: 'error', errors: [{ code: 'application.quota_not_in_drive', field: 'quotaId' }] });

    const apps = await t.sql<{ full_name: string; priority_points: string; national_id_ciphertext: string }>(
      `select c.full_name, a.priority_points::text, c.national_id_ciphertext from applications a join candidates c on c.id = a.candidate_id
       where a.drive_id = $1 order by c.full_name`,
      [d.driveId],
    );
    expect(apps.map((a) => a.full_name)).toEqual(['Lê Thị Cúc', 'Nguyễn Thị Ánh']);
    expect(apps[1]!.priority_points).toBe('5.00');
    for (const a of apps) for (const id of ids) expect(a.national_id_ciphertext).not.toContain(id);
    // Lookup by national ID finds the imported candidate.
    const found = await t.http.get('/v1/candidates').query({ nationalId: ids[0] }).set(bearer(t.adminKey));
    expect(found.body.items).toHaveLength(1);
    expect(found.body.items[0].fullName).toBe('Nguyễn Thị Ánh');
    expect(found.body.items[0].gender).toBe('female');
    expect(await count("audit_events where drive_id = $1 and action = 'applications.imported'", [d.driveId])).toBe(1);

    // Retrying the same file creates nothing twice: the good rows now report "exists".
    const retry = await csvImport(d.driveId, csv);
    expect(retry.body.summary).toEqual({ rows: 5, created: 0, exists: 2, errors: 3 });
    expect(retry.body.results[0].applicationId).toBe(r1.applicationId);
    expect(await count('applications where drive_id = $1', [d.driveId])).toBe(2);
  });

  it('when the same file is imported with ?atomic=true, then 422 import.failed with the report and nothing is written', async () => {
    const d = await createOpenDriveNow(t);
    const { csv, ids } = mixedFile(d.quotaId);
    const candidatesBefore = await count('candidates', []);
    const res = await csvImport(d.driveId, csv, { atomic: true });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('import.failed');
    expect(res.body.summary).toMatchObject({ rows: 5, errors: 3 });
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'error', 'created', 'error', 'error']);
    expect(res.body.results[0].applicationId).toBeUndefined();
    expect(await count('applications where drive_id = $1', [d.driveId])).toBe(0);
    expect(await count('candidates', [])).toBe(candidatesBefore);
    const lookup = await t.http.get('/v1/candidates').query({ nationalId: ids[0] }).set(bearer(t.adminKey));
    expect(lookup.body.items).toHaveLength(0);
  });

  it('when an atomic import has only good rows, then all are written', async () => {
    const d = await createOpenDriveNow(t);
    const csv = [HEADER, `Hoàng Thị Duyên,${makeNationalId({ birthYear: 1993, female: true })},1993-03-03,female,Kinh,VN,,,,${d.quotaId},,`].join('\n');
    const res = await csvImport(d.driveId, csv, { atomic: true });
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ rows: 1, created: 1, exists: 0, errors: 0 });
    expect(await count('applications where drive_id = $1', [d.driveId])).toBe(1);
  });

  it('when a CSV import is replayed with the same Idempotency-Key, then the first answer is replayed and nothing is written twice', async () => {
    const d = await createOpenDriveNow(t);
    const csv = [HEADER, `Đặng Văn Hùng,${makeNationalId({ birthYear: 1991 })},1991-01-01,male,Kinh,VN,,,,${d.quotaId},,`].join('\n');
    const first = await csvImport(d.driveId, csv, { idempotencyKey: 'import-1' });
    expect(first.status).toBe(200);
    const replay = await csvImport(d.driveId, csv, { idempotencyKey: 'import-1' });
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await count('applications where drive_id = $1', [d.driveId])).toBe(1);
    const other = await csvImport(d.driveId, `${csv}\n`, { idempotencyKey: 'import-1' });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency.key_reused');
  });

  it('when rows name the quota by agency and job position code, use ; as Excel does, and reuse an existing candidate, then they import', async () => {
    const d = await createOpenDriveNow(t);
    const agency = (await t.http.get(`/v1/agencies/${d.agencyId}`).set(bearer(t.adminKey))).body;
    const jp = (await t.http.get(`/v1/job-positions/${d.jobPositionId}`).set(bearer(t.adminKey))).body;
    const existing = await createCandidate(t, { fullName: 'Ngô Văn Khoa' });
    const csv = [
      'fullName;nationalId;birthDate;gender;ethnicity;agencyCode;jobPositionCode',
      `Ngô Văn Khoa;${existing.nationalId};1995-05-20;male;Kinh;${agency.code};${jp.code}`,
      `Vương Thị Lan;${makeNationalId({ birthYear: 1997, female: true })};1997-09-09;female;Mường;${agency.code};${jp.code}`,
      `Vương Thị Mai;${makeNationalId({ birthYear: 1997, female: true })};1997-09-09;female;Mường;${agency.code};NO-SUCH`,
    ].join('\n');
    const res = await csvImport(d.driveId, csv);
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ status: 'created', candidateId: existing.id });
    expect(res.body.results[1]).toMatchObject({ status: 'created' });
    expect(res.body.results[2]).toMatchObject({ status: 'error', errors: [{ code: 'application.quota_not_in_drive', field: 'agencyCode' }] });
    expect(await count('candidates where id = $1', [existing.id])).toBe(1);
  });

  it('when a JSON array is imported, then each row is checked like a registration (under age, NV2, unknown category, duplicate)', async () => {
    const d = await createOpenDriveNow(t);
    const registered = await createCandidate(t);
    await register(t, d.driveId, { candidateId: registered.id, quotaId: d.quotaId });
    const base = { birthDate: '1990-01-01', gender: 'male', ethnicity: 'Kinh', quotaId: d.quotaId };
    const rows = [
      { ...base, fullName: 'Mạc Văn Nam', nationalId: makeNationalId({ birthYear: 2015 }), birthDate: '2015-01-01' },
      { ...base, fullName: 'Mạc Văn Nam', nationalId: makeNationalId({ birthYear: 1990 }), choice: 2 },
      { ...base, fullName: 'Mạc Văn Nam', nationalId: makeNationalId({ birthYear: 1990 }), priorityCategory: 'astronaut', evidenceRef: 'x' },
      { ...base, fullName: 'Mạc Văn Nam', nationalId: makeNationalId({ birthYear: 1990 }), nationality: 'FR' },
      { ...base, fullName: 'Mạc Văn Nam', nationalId: '12345' },
      { ...base, fullName: 'Mạc Văn Nam', nationalId: makeNationalId({ birthYear: 1990 }), extra: 'x' },
      { ...base, fullName: 'Mạc Văn Nam', nationalId: makeNationalId({ birthYear: 1990 }), priorityCategory: 'hero', evidenceRef: 'HC-1' },
      { ...base, fullName: 'Same Person Again', nationalId: registered.nationalId, birthDate: '1995-05-20' },
    ];
    const res = await t.http.post(`/v1/drives/${d.driveId}/applications/import`).set(bearer(t.adminKey)).send(rows);
    expect(res.status).toBe(200);
    const codes = res.body.results.map((r: { status: string; errors?: { code: string }[] }) => r.errors?.[0]?.code ?? r.status);
    expect(codes).toEqual([
      'application.under_age',
      'application.second_choice_not_allowed',
      'priority.unknown_category',
      'application.nationality',
      'national_id.invalid',
      'row.unknown_field',
      'created',
      'exists',
    ]);
    const [hero] = await t.sql<{ priority_points: string }>('select priority_points::text from applications where id = $1', [res.body.results[6].applicationId]);
    expect(hero!.priority_points).toBe('7.50');
  });

  it('when rows carry contacts and a priority claim, then the candidate and application store them as a registration does, with UUIDv7 application ids and random person ids', async () => {
    const d = await createOpenDriveNow(t);
    const csv = [
      HEADER,
      `"Đỗ Thị ""Hoa""",${makeNationalId({ birthYear: 1993, female: true })},1993-03-03,female,Kinh,VN,hoa@example.vn,+84 912 000 003,"Số 3, ngõ 5 \\ Phố Huế, Hà Nội 𠀀",${d.quotaId},ethnic_minority,QĐ-7`,
      `Hồ Văn Sơn,${makeNationalId({ birthYear: 1993 })},1993-03-03,male,Kinh,,,,,${d.quotaId},,`,
    ].join('\r\n');
    const res = await csvImport(d.driveId, csv);
    expect(res.body.summary).toEqual({ rows: 2, created: 2, exists: 0, errors: 0 });
    const rows = await t.sql<{ id: string; candidate_id: string }>(
      `select a.id::text, a.candidate_id::text, c.full_name, c.contacts, c.priority_claims as c_claims, a.priority_claims as a_claims,
              a.priority_category, a.priority_points::text, c.education, a.exemptions
         from applications a join candidates c on c.id = a.candidate_id where a.drive_id = $1`,
      [d.driveId],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(res.body.results[0].applicationId)).toEqual({
      id: res.body.results[0].applicationId,
      candidate_id: res.body.results[0].candidateId,
      full_name: 'Đỗ Thị "Hoa"',
      contacts: { email: 'hoa@example.vn', phone: '+84 912 000 003', address: 'Số 3, ngõ 5 \\ Phố Huế, Hà Nội 𠀀' },
      c_claims: [{ category: 'ethnic_minority', evidenceRef: 'QĐ-7' }],
      a_claims: [{ category: 'ethnic_minority', evidenceRef: 'QĐ-7' }],
      priority_category: 'ethnic_minority',
      priority_points: '5.00',
      education: {},
      exemptions: [],
    });
    expect(byId.get(res.body.results[1].applicationId)).toMatchObject({
      candidate_id: res.body.results[1].candidateId,
      contacts: { email: null, phone: null, address: null },
      c_claims: [],
      a_claims: [],
      priority_category: null,
      priority_points: '0.00',
    });
    const uuidv7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const uuidv4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const r of res.body.results as { applicationId: string; candidateId: string }[]) {
      expect(r.applicationId).toMatch(uuidv7);
      // The first 48 bits are the time the id was made, in milliseconds.
      expect(Math.abs(parseInt(r.applicationId.replace('-', '').slice(0, 12), 16) - Date.now())).toBeLessThan(60_000);
      // A person's id is random: a time in it would tell another agency when the person was first registered.
      expect(r.candidateId).toMatch(uuidv4);
    }
  });

  it.skipIf(!onPostgres)(
    'when two imports of the same people run at once, in opposite orders, then each person is created once, and each row is created by one import and exists in the other',
    { timeout: 60_000 },
    async () => {
      const d = await createOpenDriveNow(t, { slots: 10 });
      const ids = Array.from({ length: 3000 }, () => makeNationalId({ birthYear: 1994 }));
      // The second file lists the same people in reverse order: each import's batches meet candidates the other one created.
      const lines = ids.map((id, i) => `Vũ Văn Tài ${i},${id},1994-04-04,male,Kinh,VN,,,,${d.quotaId},,`);
      const csv = [HEADER, ...lines].join('\r\n');
      const reversed = [HEADER, ...[...lines].reverse()].join('\r\n');
      const [a, b] = await Promise.all([csvImport(d.driveId, csv), csvImport(d.driveId, reversed)]);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(a.body.summary.created + b.body.summary.created).toBe(ids.length);
      expect(a.body.summary.exists + b.body.summary.exists).toBe(ids.length);
      for (let i = 0; i < ids.length; i++) {
        const [x, y] = [a.body.results[i], b.body.results[ids.length - 1 - i]];
        expect(y.row).toBe(ids.length - i);
        expect([x.status, y.status].sort()).toEqual(['created', 'exists']);
        expect(x.applicationId).toBe(y.applicationId);
        expect(x.candidateId).toBe(y.candidateId);
      }
      expect(await count('applications where drive_id = $1', [d.driveId])).toBe(ids.length);
      expect(await count('candidates where id in (select candidate_id from applications where drive_id = $1)', [d.driveId])).toBe(ids.length);
    },
  );

  it('when the drive is closed, the header is wrong or the CSV is malformed, then the whole import is refused before any write', async () => {
    const d = await createOpenDriveNow(t);
    const badHeader = await csvImport(d.driveId, 'fullName,nationalId,colour\nA,1,red\n');
    expect(badHeader.status).toBe(400);
    expect(badHeader.body.code).toBe('import.invalid_header');
    const malformed = await csvImport(d.driveId, `${HEADER}\n"Nguyễn Văn A,${makeNationalId({ birthYear: 1990 })},1990-01-01,male,Kinh,VN,,,,${d.quotaId},,\n`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('import.malformed_csv');
    const notArray = await t.http.post(`/v1/drives/${d.driveId}/applications/import`).set(bearer(t.adminKey)).send({ rows: [] });
    expect(notArray.body.code).toBe('import.invalid_body');
    const xml = await t.http.post(`/v1/drives/${d.driveId}/applications/import`).set(bearer(t.adminKey)).set('content-type', 'application/xml').send('<a/>');
    expect(xml.status).toBe(415);
    await t.http.post(`/v1/drives/${d.driveId}/transitions`).set(bearer(t.adminKey)).send({ to: 'closed' });
    const closed = await csvImport(d.driveId, [HEADER, `A B,${makeNationalId({ birthYear: 1990 })},1990-01-01,male,Kinh,VN,,,,${d.quotaId},,`].join('\n'));
    expect(closed.status).toBe(422);
    expect(closed.body.code).toBe('application.window_closed');
    expect(await count('applications where drive_id = $1', [d.driveId])).toBe(0);
    const marker = await t.keyFor('marker');
    expect((await csvImport(d.driveId, HEADER, { key: marker })).status).toBe(403);
  });

  it('when a JSON import is larger than the ordinary body limit, it is read under the import limit; a lone surrogate in it is refused with 400 and nothing is written', async () => {
    const small = await setupApp({ env: { BODY_LIMIT_BYTES: '2048' } });
    try {
      const d = await createOpenDriveNow(small);
      const base = { birthDate: '1990-01-01', gender: 'male', ethnicity: 'Kinh', quotaId: d.quotaId };
      const rows = Array.from({ length: 20 }, (_, i) => ({ ...base, fullName: `Lê Thị Hoa ${i}`, nationalId: makeNationalId({ birthYear: 1990 }) }));
      expect(JSON.stringify(rows).length).toBeGreaterThan(2048);
      const ok = await small.http.post(`/v1/drives/${d.driveId}/applications/import`).set(bearer(small.adminKey)).send(rows);
      expect(ok.status).toBe(200);
      expect(ok.body.summary).toMatchObject({ created: 20, errors: 0 });
      const bad = JSON.stringify([{ ...base, fullName: 'Lê Thị Hoa', nationalId: makeNationalId({ birthYear: 1990 }) }]).replace('Hoa', 'Hoa\\ud800');
      const refused = await small.http
        .post(`/v1/drives/${d.driveId}/applications/import`)
        .set(bearer(small.adminKey))
        .set('content-type', 'application/json')
        .send(bad);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'request.malformed', errors: [{ path: 'body.0.fullName' }] });
      const [count] = await small.sql<{ n: number }>('select count(*)::int as n from applications where drive_id = $1', [d.driveId]);
      expect(count!.n).toBe(20);
    } finally {
      await small.close();
    }
  });

  it('when the CSV is larger than the import limit, then 413', async () => {
    const small = await setupApp({ env: { IMPORT_BODY_LIMIT_BYTES: '2048' } });
    try {
      const big = HEADER + '\n' + 'x,'.repeat(2000);
      const res = await small.http
        .post('/v1/drives/0190a0a0-0000-7000-8000-000000000000/applications/import')
        .set(bearer(small.adminKey))
        .set('content-type', 'text/csv')
        .send(big);
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('request.too_large');
    } finally {
      await small.close();
    }
  });
});
