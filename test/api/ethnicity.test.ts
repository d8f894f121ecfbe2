import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { createCandidate, makeNationalId, register, windowAroundToday } from '../factories/candidates.js';
import { createAgencyWithHeadcount, createDrive, createJobPosition, openDrive } from '../factories/drives.js';
import { computeOk, round2, scoredRound, toMarking, workflow } from '../factories/results.js';

/*
 * Decree 170/2025 Art. 3(2)(c): the recruitment plan states the positions reserved for
 * ethnic-minority candidates and the ethnic structure to recruit. Ethnicity is coded over the 54
 * groups of the General Statistics Office list; a reserved quota refuses others at registration
 * and import; per-group slots are checked on the results before submission.
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

type QuotaOpts = { slots?: number; ethnicMinorityOnly?: boolean; ethnicGroups?: { code: string; slots?: number | null }[] };

/** A draft drive (window around today) at a new agency; quotas added with `quota`, then `open`. */
async function draftDrive() {
  const { agencyId } = await createAgencyWithHeadcount(t);
  const driveId = await createDrive(t, { organizingAgencyId: agencyId, ...windowAroundToday() });
  const quota = async (o: QuotaOpts = {}) => {
    const res = await t.http
      .post(`/v1/drives/${driveId}/quotas`)
      .set(bearer(t.adminKey))
      .send({ agencyId, jobPositionId: await createJobPosition(t, agencyId), slots: o.slots ?? 3, ...o });
    return res;
  };
  return { agencyId, driveId, quota };
}

async function reservedDrive(o: QuotaOpts) {
  const d = await draftDrive();
  const reserved = await d.quota(o);
  expect(reserved.status, JSON.stringify(reserved.body)).toBe(201);
  const open = await d.quota();
  await openDrive(t, d.driveId);
  return { ...d, reservedId: reserved.body.id as string, openId: open.body.id as string, reserved: reserved.body };
}

const importRows = (driveId: string, rows: Record<string, unknown>[]) =>
  t.http.post(`/v1/drives/${driveId}/applications/import`).set(bearer(t.adminKey)).send(rows);
const row = (quotaId: string, ethnicity: string, fullName = 'Lò Văn Sáng') => ({
  fullName,
  nationalId: makeNationalId({ birthYear: 1996 }),
  birthDate: '1996-04-12',
  gender: 'male',
  ethnicity,
  quotaId,
});

describe('ethnicity as a coded field', () => {
  it('when a candidate is registered with a spelling variant, then ethnicityCode is the group’s; an unknown text is accepted with a null code', async () => {
    for (const [text, code] of [
      ['Mường', '06'],
      ['muong', '06'],
      ["H'Mông", '08'],
      ['Êđê', '12'],
      ['Hán', '04'],
    ] as const) {
      const c = await createCandidate(t, { ethnicity: text });
      const got = await t.http.get(`/v1/candidates/${c.id}`).set(bearer(t.adminKey));
      expect(got.body).toMatchObject({ ethnicity: text, ethnicityCode: code });
    }
    const odd = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send({ ...body('Không xác định') });
    expect(odd.status).toBe(201);
    expect(odd.body).toMatchObject({ ethnicity: 'Không xác định', ethnicityCode: null });
  });

  it('when a client sends ethnicityCode, then it is stored; a text naming another group is 422 candidate.ethnicity_mismatch; PATCH maps a new text again', async () => {
    const given = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send({ ...body('Tày Nùng'), ethnicityCode: '07' });
    expect(given.status).toBe(201);
    expect(given.body.ethnicityCode).toBe('07');
    const mismatch = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send({ ...body('Kinh'), ethnicityCode: '02' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.code).toBe('candidate.ethnicity_mismatch');
    const bad = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send({ ...body('Kinh'), ethnicityCode: '55' });
    expect(bad.status).toBe(400);

    const patched = await t.http.patch(`/v1/candidates/${given.body.id}`).set(bearer(t.adminKey)).send({ ethnicity: 'Thái' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ ethnicity: 'Thái', ethnicityCode: '03' });
    const unknown = await t.http.patch(`/v1/candidates/${given.body.id}`).set(bearer(t.adminKey)).send({ ethnicity: 'Khác' });
    expect(unknown.body.ethnicityCode).toBeNull();
    const coded = await t.http.patch(`/v1/candidates/${given.body.id}`).set(bearer(t.adminKey)).send({ ethnicityCode: '29' });
    expect(coded.body).toMatchObject({ ethnicity: 'Khác', ethnicityCode: '29' });
  });

  it('migration 0029: stored texts are mapped to codes; a text naming no group keeps a null code', async () => {
    const insert = async (ethnicity: string) =>
      (
        await t.sql<{ id: string }>(
          `insert into candidates (id, full_name, full_name_search, national_id_ciphertext, national_id_index, national_id_masked,
             birth_date, gender, ethnicity, nationality) values ($1, 'Hà Văn Tú', 'ha van tu', 'x', $2, '********1234', '1990-01-01', 'male', $3, 'VN')
           returning id`,
          [randomUUID(), randomUUID(), ethnicity],
        )
      )[0]!.id;
    const ids = {
      muong: await insert('Dân tộc Mường'),
      hmong: await insert('H’MÔNG'),
      ede: await insert('Ê - đê'),
      nfd: await insert('Tày'.normalize('NFD')),
      none: await insert('Kinh Tày'),
    };
    const migration = readFileSync(new URL('../../migrations/0029_ethnicity_codes.sql', import.meta.url), 'utf8');
    for (const statement of migration.split('--> statement-breakpoint').filter((s) => s.includes('UPDATE'))) await t.sql(statement);
    const codes = new Map(
      (await t.sql<{ id: string; ethnicity_code: string | null }>(`select id::text, ethnicity_code from candidates where id = any($1::uuid[])`, [`{${Object.values(ids).join(',')}}`])).map(
        (r) => [r.id, r.ethnicity_code],
      ),
    );
    expect(codes.get(ids.muong)).toBe('06');
    expect(codes.get(ids.hmong)).toBe('08');
    expect(codes.get(ids.ede)).toBe('12');
    expect(codes.get(ids.nfd)).toBe('02');
    expect(codes.get(ids.none)).toBeNull();
  });

  it('GET /v1/candidates/ethnicity-unmapped lists unmapped texts by count within the caller’s scope, without personal data', async () => {
    const marker = `Dân tộc lạ ${randomBytes(3).toString('hex')}`;
    const { agencyId: a } = await createAgencyWithHeadcount(t);
    const { agencyId: b } = await createAgencyWithHeadcount(t);
    const keyA = await t.keyFor('registrar', a);
    const keyB = await t.keyFor('registrar', b);
    await createCandidate(t, { ethnicity: marker }, keyA);
    await createCandidate(t, { ethnicity: marker }, keyA);
    await createCandidate(t, { ethnicity: 'Tày' }, keyA);
    await createCandidate(t, { ethnicity: marker }, keyB);

    const all = await t.http.get('/v1/candidates/ethnicity-unmapped').set(bearer(t.adminKey));
    expect(all.status).toBe(200);
    expect(all.body.items).toContainEqual({ ethnicity: marker, count: 3 });
    const scoped = await t.http.get('/v1/candidates/ethnicity-unmapped').set(bearer(keyA));
    expect(scoped.body).toEqual({ items: [{ ethnicity: marker, count: 2 }], total: 2 });
    expect(JSON.stringify(scoped.body)).not.toMatch(/fullName|nationalId|id"/);
    const marker2 = await t.keyFor('marker');
    expect((await t.http.get('/v1/candidates/ethnicity-unmapped').set(bearer(marker2))).status).toBe(403);
  });
});

describe('quotas reserved for ethnic-minority candidates (Decree 170/2025 Art. 3(2)(c))', () => {
  it('when a quota is ethnic-minority only, then registering a Kinh candidate is 422 application.ethnicity_restricted; a Tày candidate registers; the open quota takes both', async () => {
    const d = await reservedDrive({ ethnicMinorityOnly: true });
    expect(d.reserved).toMatchObject({ ethnicMinorityOnly: true, ethnicGroups: [] });
    const kinh = await createCandidate(t, { ethnicity: 'Kinh' });
    const tay = await createCandidate(t, { ethnicity: 'Tày' });
    const unmapped = await createCandidate(t, { ethnicity: 'Không rõ' });

    const refused = await register(t, d.driveId, { candidateId: kinh.id, quotaId: d.reservedId });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: 'application.ethnicity_restricted',
      restriction: { ethnicMinorityOnly: true, ethnicGroups: [] },
      ethnicityCode: '01',
    });
    expect(refused.body.detail).toContain('ethnic-minority');
    expect(refused.body.detail).toContain('Kinh');
    const noCode = await register(t, d.driveId, { candidateId: unmapped.id, quotaId: d.reservedId });
    expect(noCode.status).toBe(422);
    expect(noCode.body).toMatchObject({ code: 'application.ethnicity_restricted', ethnicityCode: null });
    expect((await register(t, d.driveId, { candidateId: tay.id, quotaId: d.reservedId })).status).toBe(201);
    // A quota without a restriction is unchanged: Kinh and unmapped register as before.
    expect((await register(t, d.driveId, { candidateId: kinh.id, quotaId: d.openId })).status).toBe(201);
    expect((await register(t, d.driveId, { candidateId: unmapped.id, quotaId: d.openId })).status).toBe(201);
  });

  it('when rows are imported into an ethnic-minority quota, then Kinh and unmapped rows fail with application.ethnicity_restricted and a Tày row is created', async () => {
    const d = await reservedDrive({ ethnicMinorityOnly: true });
    const existingKinh = await createCandidate(t, { ethnicity: 'Kinh' });
    const res = await importRows(d.driveId, [
      row(d.reservedId, 'Kinh', 'Nguyễn Văn Kiên'),
      row(d.reservedId, 'Tày'),
      row(d.reservedId, 'Chưa rõ', 'Lê Văn Minh'),
      row(d.openId, 'Kinh', 'Nguyễn Văn Hùng'),
      { ...row(d.reservedId, 'Tày', 'Nguyễn Văn Kiên'), nationalId: existingKinh.nationalId, birthDate: '1995-05-20' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ rows: 5, created: 2, exists: 0, errors: 3 });
    const [r1, r2, r3, r4, r5] = res.body.results;
    expect(r1).toMatchObject({ status: 'error', errors: [{ code: 'application.ethnicity_restricted', field: 'ethnicity' }] });
    expect(r1.errors[0].message).toContain('Kinh');
    expect(r2).toMatchObject({ status: 'created' });
    expect(r3).toMatchObject({ status: 'error', errors: [{ code: 'application.ethnicity_restricted' }] });
    expect(r4).toMatchObject({ status: 'created' });
    // A person the importing key already registered is taken as stored (Kinh), whatever the row says.
    expect(r5).toMatchObject({ status: 'error', errors: [{ code: 'application.ethnicity_restricted' }] });
    const [tay] = await t.sql<{ ethnicity_code: string }>(`select c.ethnicity_code from candidates c where c.id = $1`, [r2.candidateId]);
    expect(tay!.ethnicity_code).toBe('02');
  });

  it('when a quota names groups with slots, then only those groups register; Kinh or a slot sum above the quota is 422 quota.ethnic_groups_invalid', async () => {
    const d = await draftDrive();
    for (const [groups, slots] of [
      [[{ code: '01', slots: 1 }], 3],
      [[{ code: '02', slots: 2 }, { code: '02', slots: 1 }], 3],
      [[{ code: '02', slots: 2 }, { code: '07', slots: 2 }], 3],
    ] as const) {
      const res = await d.quota({ slots, ethnicGroups: [...groups] });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('quota.ethnic_groups_invalid');
    }
    const ok = await d.quota({ slots: 3, ethnicGroups: [{ code: '02', slots: 1 }, { code: '07', slots: 1 }, { code: '08' }] });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ ethnicMinorityOnly: true, ethnicGroups: [{ code: '02', slots: 1 }, { code: '07', slots: 1 }, { code: '08', slots: null }] });
    // Fewer slots than the groups hold is refused on PATCH too.
    const shrink = await t.http.patch(`/v1/quotas/${ok.body.id}`).set(bearer(t.adminKey)).send({ slots: 1 });
    expect(shrink.status).toBe(422);
    expect(shrink.body.code).toBe('quota.ethnic_groups_invalid');
    await openDrive(t, d.driveId);

    const thai = await createCandidate(t, { ethnicity: 'Thái' });
    const refused = await register(t, d.driveId, { candidateId: thai.id, quotaId: ok.body.id });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('application.ethnicity_restricted');
    expect(refused.body.detail).toContain('Tày (02): 1 slot, Nùng (07): 1 slot, HMông (08)');
    for (const e of ['Tày', 'Nùng', 'Mông']) {
      const c = await createCandidate(t, { ethnicity: e });
      expect((await register(t, d.driveId, { candidateId: c.id, quotaId: ok.body.id })).status).toBe(201);
    }
  });

  it('Art. 3(2)(c): when a named group’s slots are taken, then the ranking passes over its next candidate and places the next eligible one; the results submit', async () => {
    const d = await draftDrive();
    const q = await d.quota({ slots: 2, ethnicGroups: [{ code: '02', slots: 1 }, { code: '07', slots: 1 }] });
    const other = await d.quota({ slots: 1 });
    await openDrive(t, d.driveId);
    const apps: string[] = [];
    for (const [e, quotaId] of [
      ['Tày', q.body.id],
      ['Tày', q.body.id],
      ['Nùng', q.body.id],
      ['Kinh', other.body.id],
    ] as const) {
      const c = await createCandidate(t, { ethnicity: e });
      const res = await register(t, d.driveId, { candidateId: c.id, quotaId });
      expect(res.status).toBe(201);
      apps.push(res.body.id);
    }
    await toMarking(t, d.driveId);
    // The two Tày candidates rank first and second; the Nùng candidate third.
    const scores = ['90.00', '85.00', '70.00', '80.00'];
    await scoredRound(
      t,
      d.driveId,
      round2(),
      apps.map((applicationId, i) => ({ applicationId, partCode: 'professional', score: scores[i]! })),
    );
    await computeOk(t, d.driveId);
    const rows = await t.sql<{ application_id: string; outcome: string; explanation: { text: string } }>(
      'select application_id, outcome, explanation from results where quota_id = $1',
      [q.body.id],
    );
    const outcome = Object.fromEntries(rows.map((r) => [r.application_id, r.outcome]));
    expect([outcome[apps[0]!], outcome[apps[1]!], outcome[apps[2]!]]).toEqual(['winner', 'reserve', 'winner']);
    expect(rows.find((r) => r.application_id === apps[1])!.explanation.text).toContain('ethnic group 02');
    expect((await workflow(t, d.driveId, 'submit')).status).toBe(200);
  });

  it('Art. 3(2)(c): when a winner’s recorded group changes after the computation so that a group holds more winners than its slots, then submitting is still 409 results.ethnic_group_slots_exceeded (safety net)', async () => {
    const d = await draftDrive();
    const q = await d.quota({ slots: 2, ethnicGroups: [{ code: '02', slots: 1 }, { code: '07', slots: 1 }] });
    await openDrive(t, d.driveId);
    const apps: string[] = [];
    for (const e of ['Tày', 'Nùng']) {
      const c = await createCandidate(t, { ethnicity: e });
      apps.push((await register(t, d.driveId, { candidateId: c.id, quotaId: q.body.id })).body.id);
    }
    await toMarking(t, d.driveId);
    await scoredRound(t, d.driveId, round2(), apps.map((applicationId, i) => ({ applicationId, partCode: 'professional', score: ['90.00', '85.00'][i]! })));
    await computeOk(t, d.driveId);
    // The stored data change under the computed results (e.g. a correction written straight to the database).
    await t.sql(`update candidates set ethnicity_code = '02' where id = (select candidate_id from applications where id = $1)`, [apps[1]]);
    await t.sql(`update candidate_profiles set ethnicity_code = '02' where id = (select profile_id from applications where id = $1)`, [apps[1]]);
    const refused = await workflow(t, d.driveId, 'submit');
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('results.ethnic_group_slots_exceeded');
    expect(refused.body.groups).toEqual([{ quotaId: q.body.id, code: '02', name: 'Tày', slots: 1, winners: 2 }]);
  });

  it('when per-group slots are met, then the results submit as before', async () => {
    const d = await draftDrive();
    const q = await d.quota({ slots: 2, ethnicGroups: [{ code: '02', slots: 1 }, { code: '07', slots: 1 }] });
    await openDrive(t, d.driveId);
    const apps: string[] = [];
    for (const e of ['Tày', 'Nùng', 'Tày']) {
      const c = await createCandidate(t, { ethnicity: e });
      apps.push((await register(t, d.driveId, { candidateId: c.id, quotaId: q.body.id })).body.id);
    }
    await toMarking(t, d.driveId);
    const scores = ['90.00', '85.00', '70.00'];
    await scoredRound(t, d.driveId, round2(), apps.map((applicationId, i) => ({ applicationId, partCode: 'professional', score: scores[i]! })));
    await computeOk(t, d.driveId);
    expect((await workflow(t, d.driveId, 'submit')).status).toBe(200);
  });
});

function body(ethnicity: string) {
  return {
    fullName: 'Hoàng Thị Mai',
    nationalId: makeNationalId({ birthYear: 1995, female: true }),
    birthDate: '1995-05-20',
    gender: 'female',
    ethnicity,
  };
}
