import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { onPostgres } from '../helpers/env.js';
import { createCandidate, makeNationalId, register, windowAroundToday } from '../factories/candidates.js';
import { createAgencyWithHeadcount, createDrive, createJobPosition, openDrive } from '../factories/drives.js';
import { compute, computeOk, resultsOf, round2, rowsOf, scoredRound, toMarking, workflow } from '../factories/results.js';

/*
 * Positions recruited jointly for several user agencies (Decree 170/2025 Art. 3(2)(b), Art. 10(1)(b),
 * 10(3)): the position belongs to the recruiting authority, with one quota per user agency held
 * against that agency's headcount; an application ranks the user agencies it accepts; everyone is
 * ranked over the position; winners are placed in score order at their highest-ranked agency with a
 * slot left; a tie at an agency's last slot follows Art. 10(2) and waits for the head, and so do the
 * placements that depend on it.
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

type Setup = { authority: string; agencies: string[]; positionId: string; driveId: string; quotas: string[] };

/** The recruiting authority (organiser) with user agencies under it, a joint position at the authority, a draft nd170 drive. */
async function jointDrive(slots: number[], o: { assigned?: number[] } = {}): Promise<Setup & { open: () => Promise<void> }> {
  const { agencyId: authority } = await createAgencyWithHeadcount(t, { name: 'Sở Nội vụ (cơ quan có thẩm quyền tuyển dụng)' });
  const agencies: string[] = [];
  for (const [i] of slots.entries()) {
    agencies.push((await createAgencyWithHeadcount(t, { parentId: authority, name: `Cơ quan sử dụng ${i + 1}`, assigned: o.assigned?.[i] ?? 100 })).agencyId);
  }
  const res = await t.http
    .post('/v1/job-positions')
    .set(bearer(t.adminKey))
    .send({ agencyId: authority, code: `VT-CHUNG-${Math.random().toString(36).slice(2, 8)}`, name: 'Chuyên viên tuyển dụng chung', staffCategory: 'civil_servant', joint: true });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.joint).toBe(true);
  const positionId = res.body.id as string;
  const driveId = await createDrive(t, { organizingAgencyId: authority, preset: 'nd170', ...windowAroundToday() });
  const quotas: string[] = [];
  for (const [i, n] of slots.entries()) {
    const q = await t.http.post(`/v1/drives/${driveId}/quotas`).set(bearer(t.adminKey)).send({ agencyId: agencies[i], jobPositionId: positionId, slots: n });
    expect(q.status, JSON.stringify(q.body)).toBe(201);
    quotas.push(q.body.id);
  }
  return { authority, agencies, positionId, driveId, quotas, open: async () => void (await openDrive(t, driveId)) };
}

type Person = { name: string; score: string; prefs: number[] };

/** Registers each person to the quota of their first preference, with their preferences; returns application ids. */
async function registerJoint(s: Setup, people: Person[]): Promise<string[]> {
  const ids: string[] = [];
  for (const p of people) {
    const c = await createCandidate(t, { fullName: p.name });
    const res = await register(t, s.driveId, { candidateId: c.id, quotaId: s.quotas[p.prefs[0]!]!, agencyPreferences: p.prefs.map((i) => s.agencies[i]!) } as Parameters<typeof register>[2]);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids.push(res.body.id);
  }
  return ids;
}

async function examined(slots: number[], people: Person[]) {
  const s = await jointDrive(slots);
  await s.open();
  const apps = await registerJoint(s, people);
  await toMarking(t, s.driveId);
  await scoredRound(t, s.driveId, round2(), apps.map((applicationId, i) => ({ applicationId, partCode: 'professional', score: people[i]!.score })));
  return { ...s, apps };
}

/** Every row of the drive by application id (rows stay under the quota they were registered to). */
async function allRows(driveId: string) {
  const out = new Map<string, { outcome: string; rank: number | null; winnerSlot: number | null; joint: { placedAgencyId: string | null; placedPreference: number | null; pendingTie: { quotaId: string; applicationIds: string[] } | null; agencyPreferences: string[] } | null }>();
  for (const q of (await resultsOf(t, driveId)).values()) for (const [id, r] of rowsOf(q)) out.set(id, r as never);
  return out;
}

describe('a position recruited jointly for three user agencies (Decree 170/2025 Art. 10(3))', () => {
  it('Art. 10(1)(b), 10(3): winners ranked over the position are placed in score order at their highest-ranked agency with a slot left; one whose agencies are all full stays on the next-lower list', async () => {
    // Agencies 0, 1, 2 with 1, 1 and 2 slots. Worked by hand:
    //   An 92 [0,1] → 0 · Bình 88 [0,2] → 0 full → 2 · Chi 85 [1] → 1 · Dũng 80 [0,1] → both full: not placed
    //   Em 78 [2,0,1] → 2 (its 2nd slot) · Phúc 75 [2] → 2 full: not placed · Giang 45 [1] fails the gate (Art. 10(1)(a)).
    const people: Person[] = [
      { name: 'Nguyễn Văn An', score: '92.00', prefs: [0, 1] },
      { name: 'Trần Thị Bình', score: '88.00', prefs: [0, 2] },
      { name: 'Lê Thị Chi', score: '85.00', prefs: [1] },
      { name: 'Phạm Văn Dũng', score: '80.00', prefs: [0, 1] },
      { name: 'Hoàng Thị Em', score: '78.00', prefs: [2, 0, 1] },
      { name: 'Vũ Văn Phúc', score: '75.00', prefs: [2] },
      { name: 'Đỗ Thị Giang', score: '45.00', prefs: [1] },
    ];
    const s = await examined([1, 1, 2], people);
    const [an, binh, chi, dung, em, phuc, giang] = s.apps as [string, string, string, string, string, string, string];
    const computed = await computeOk(t, s.driveId);
    expect(computed.summary).toMatchObject({ winners: 4, quotasByStatus: { complete: 3 } });

    const rows = await allRows(s.driveId);
    const placed = (id: string) => [rows.get(id)!.outcome, rows.get(id)!.joint?.placedAgencyId ?? null, rows.get(id)!.joint?.placedPreference ?? null];
    expect(placed(an)).toEqual(['winner', s.agencies[0], 1]);
    expect(placed(binh)).toEqual(['winner', s.agencies[2], 2]);
    expect(placed(chi)).toEqual(['winner', s.agencies[1], 1]);
    expect(placed(dung)).toEqual(['reserve', null, null]);
    expect(placed(em)).toEqual(['winner', s.agencies[2], 1]);
    expect(placed(phuc)).toEqual(['reserve', null, null]);
    expect(rows.get(giang)!.outcome).toBe('failed');
    // Ranks are over the whole position; Dũng stays the first of the next-lower list.
    expect([an, binh, chi, dung, em, phuc].map((id) => rows.get(id)!.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rows.get(binh)!.joint!.agencyPreferences).toEqual([s.agencies[0], s.agencies[2]]);

    // Per user agency: the quota results count the winners placed there.
    const qr = await t.sql<{ quota_id: string; winners: number; status: string }>('select quota_id, winners, status from quota_results where drive_id = $1', [s.driveId]);
    expect(Object.fromEntries(qr.map((q) => [q.quota_id, [q.winners, q.status]]))).toEqual({
      [s.quotas[0]!]: [1, 'complete'],
      [s.quotas[1]!]: [1, 'complete'],
      [s.quotas[2]!]: [2, 'complete'],
    });
    // Winner slots are numbered over the position, each held once.
    const slots = await t.sql<{ winner_slot: number }>(`select winner_slot from results where drive_id = $1 and outcome = 'winner' order by winner_slot`, [s.driveId]);
    expect(slots.map((x) => x.winner_slot)).toEqual([1, 2, 3, 4]);
    const dungRow = (await resultsOf(t, s.driveId)).get(s.quotas[0]!)!;
    expect(rowsOf(dungRow).get(dung)!.explanation).toContain('Art. 10(3)');

    // The application shows its preferences.
    const got = await t.http.get(`/v1/applications/${em}`).set(bearer(t.adminKey));
    expect(got.body.agencyPreferences).toEqual([s.agencies[2], s.agencies[0], s.agencies[1]]);
    // Each user agency's quota lists the winners placed there (Bình was registered under agency 0's quota).
    const views = await resultsOf(t, s.driveId);
    const winnersOf = (i: number) => views.get(s.quotas[i]!)!.winners.map((r) => r.applicationId);
    expect([winnersOf(0), winnersOf(1), winnersOf(2)]).toEqual([[an], [chi], [binh, em]]);
    expect(views.get(s.quotas[0]!)!.reserves.map((r) => r.applicationId)).toEqual([dung]);
    expect(views.get(s.quotas[2]!)!).toMatchObject({ winnersCount: 2, slots: 2 });

    // The export names the agency each winner is placed at.
    const csv = await t.http
      .get(`/v1/drives/${s.driveId}/results/export`)
      .set(bearer(t.adminKey))
      .set('accept', 'text/csv')
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
      });
    expect(csv.status).toBe(200);
    const lines = (csv.body as string).split('\n');
    expect(lines[0]).toContain('Đơn vị sử dụng trúng tuyển (vị trí tuyển chung)');
    expect(lines.filter((l) => l.includes('Cơ quan sử dụng 3'))).toHaveLength(3); // Bình and Em placed there, Phúc registered there

    expect((await workflow(t, s.driveId, 'submit')).status).toBe(200);
    expect((await workflow(t, s.driveId, 'approve')).status).toBe(200);
    expect((await workflow(t, s.driveId, 'publish')).status).toBe(200);
    const pub = await t.http.get(`/v1/public/drives/${s.driveId}/results?limit=10`);
    expect(pub.status).toBe(200);
    const published = Object.fromEntries((pub.body.items as { quotaId: string; winners: { rank: number }[] }[]).map((q) => [q.quotaId, q.winners.map((w) => w.rank)]));
    expect(published).toEqual({ [s.quotas[0]!]: [1], [s.quotas[1]!]: [3], [s.quotas[2]!]: [2, 5] });

    // Replacing a winner of a joint position is refused rather than guessed.
    const cancel = await t.http.post(`/v1/results/${views.get(s.quotas[2]!)!.winners[0]!.resultId}/cancel`).set(bearer(t.adminKey)).send({ reason: 'no_show' });
    expect(cancel.status).toBe(409);
    expect(cancel.body.code).toBe('result.joint_replacement_unsupported');
  });

  it('Art. 10(3), 10(2): a tie at an agency’s last slot waits for the head with the placements depending on it (pending_tie), then the head’s decision places everyone', async () => {
    // Agencies 0, 1, 2 with one slot each. An 80 [0,1] and Bình 80 [0,2] tie for agency 0 (raw scores equal, no written part):
    // whoever loses takes agency 1 or 2, so Chi 75 [1,2] and Dũng 70 [2] wait with them.
    const people: Person[] = [
      { name: 'Nguyễn Văn An', score: '80.00', prefs: [0, 1] },
      { name: 'Trần Thị Bình', score: '80.00', prefs: [0, 2] },
      { name: 'Lê Thị Chi', score: '75.00', prefs: [1, 2] },
      { name: 'Phạm Văn Dũng', score: '70.00', prefs: [2] },
    ];
    const s = await examined([1, 1, 1], people);
    const [an, binh, chi, dung] = s.apps as [string, string, string, string];
    await computeOk(t, s.driveId);
    let rows = await allRows(s.driveId);
    expect([an, binh, chi, dung].map((id) => rows.get(id)!.outcome)).toEqual(['tied_pending', 'tied_pending', 'pending_tie', 'pending_tie']);
    expect(rows.get(chi)!.joint!.pendingTie).toMatchObject({ quotaId: s.quotas[0] });
    expect(new Set(rows.get(dung)!.joint!.pendingTie!.applicationIds)).toEqual(new Set([an, binh]));
    const results = await resultsOf(t, s.driveId);
    expect(results.get(s.quotas[0]!)).toMatchObject({ status: 'tie_pending_decision', openSlotsInTie: 1 });
    expect(results.get(s.quotas[1]!)!.status).toBe('awaiting_other_quota');
    expect(results.get(s.quotas[2]!)!.status).toBe('awaiting_other_quota');
    const refused = await workflow(t, s.driveId, 'submit');
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('results.ties_pending');

    // A decision on another agency's quota, or one leaving out a tied application, is refused.
    const approver = await t.keyFor('approver');
    const decide = (quotaId: string, ids: string[]) =>
      t.http
        .post(`/v1/drives/${s.driveId}/results/tie-decisions`)
        .set(bearer(approver))
        .send({ quotaId, orderedApplicationIds: ids, reason: 'Người đứng đầu quyết định theo Điều 10(2) Nghị định 170/2025', decision: { number: '21/QĐ-SNV', date: '2026-06-01' } });
    const wrong = await decide(s.quotas[1]!, [binh, an]);
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('tie_decision.invalid');

    // The head gives agency 0 to Bình: An goes on to agency 1, so Chi takes agency 2 and Dũng is not placed.
    const decided = await decide(s.quotas[0]!, [binh, an]);
    expect(decided.status, JSON.stringify(decided.body)).toBe(201);
    expect(decided.body.quota.status).toBe('complete');
    rows = await allRows(s.driveId);
    const placed = (id: string) => [rows.get(id)!.outcome, rows.get(id)!.joint?.placedAgencyId ?? null];
    expect(placed(binh)).toEqual(['winner', s.agencies[0]]);
    expect(placed(an)).toEqual(['winner', s.agencies[1]]);
    expect(placed(chi)).toEqual(['winner', s.agencies[2]]);
    expect(placed(dung)).toEqual(['reserve', null]);
    expect(rows.get(binh)!.joint!.pendingTie).toBeNull();
    const qr = await t.sql<{ status: string }>('select status from quota_results where drive_id = $1', [s.driveId]);
    expect(qr.map((q) => q.status)).toEqual(['complete', 'complete', 'complete']);
    expect((await workflow(t, s.driveId, 'submit')).status).toBe(200);
  });
});

describe('agency preferences on a joint application (Decree 170/2025 Art. 10(3))', () => {
  it('when the list is empty, repeats an agency, names an agency without a quota of the position or does not start with the quota’s agency, then 422 with a code; omitted means the quota’s agency alone', async () => {
    const s = await jointDrive([1, 1]);
    const { agencyId: stranger } = await createAgencyWithHeadcount(t);
    const plain = await createJobPosition(t, s.authority);
    const plainQuota = await t.http.post(`/v1/drives/${s.driveId}/quotas`).set(bearer(t.adminKey)).send({ agencyId: s.authority, jobPositionId: plain, slots: 1 });
    expect(plainQuota.status).toBe(201);
    await s.open();
    const [a0, a1] = s.agencies as [string, string];
    for (const [prefs, code, quotaId] of [
      [[], 'application.agency_preferences_empty', s.quotas[0]],
      [[a0, a1, a0], 'application.agency_preferences_duplicate', s.quotas[0]],
      [[a0, stranger], 'application.agency_preference_not_user_agency', s.quotas[0]],
      [[a1, a0], 'application.agency_preferences_first_mismatch', s.quotas[0]],
      [[s.authority], 'application.agency_preferences_not_joint', plainQuota.body.id],
    ] as const) {
      const c = await createCandidate(t);
      const res = await register(t, s.driveId, { candidateId: c.id, quotaId: quotaId!, agencyPreferences: [...prefs] } as Parameters<typeof register>[2]);
      expect(res.status, `${code}: ${JSON.stringify(res.body)}`).toBe(422);
      expect(res.body.code).toBe(code);
    }
    const c = await createCandidate(t);
    const bad = await register(t, s.driveId, { candidateId: c.id, quotaId: s.quotas[0]!, agencyPreferences: ['not-a-uuid'] } as Parameters<typeof register>[2]);
    expect(bad.status).toBe(400);
    const ok = await register(t, s.driveId, { candidateId: c.id, quotaId: s.quotas[1]! });
    expect(ok.status).toBe(201);
    expect(ok.body.agencyPreferences).toEqual([a1]);
    const c2 = await createCandidate(t);
    const both = await register(t, s.driveId, { candidateId: c2.id, quotaId: s.quotas[0]!, agencyPreferences: [a0, a1] } as Parameters<typeof register>[2]);
    expect(both.status).toBe(201);
    expect(both.body.agencyPreferences).toEqual([a0, a1]);
    const other = await register(t, s.driveId, { candidateId: (await createCandidate(t)).id, quotaId: plainQuota.body.id });
    expect(other.body.agencyPreferences).toEqual([]);
  });
});

describe('importing applications to a joint position (Decree 170/2025 Art. 10(3))', () => {
  it('when rows carry agencyPreferences as agency codes, then they are stored in order; an unknown code, a repeat or another first agency is an error row', async () => {
    const s = await jointDrive([1, 1, 1]);
    await s.open();
    const codes: string[] = [];
    for (const id of s.agencies) codes.push((await t.http.get(`/v1/agencies/${id}`).set(bearer(t.adminKey))).body.code);
    const row = (n: number, quotaIndex: number, agencyPreferences?: string) => ({
      fullName: `Người dự tuyển ${n}`,
      nationalId: makeNationalId({ birthYear: 1996 }),
      birthDate: '1996-04-12',
      gender: 'male',
      ethnicity: 'Kinh',
      quotaId: s.quotas[quotaIndex],
      ...(agencyPreferences === undefined ? {} : { agencyPreferences }),
    });
    const res = await t.http
      .post(`/v1/drives/${s.driveId}/applications/import`)
      .set(bearer(t.adminKey))
      .send([
        row(1, 0, `${codes[0]}; ${codes[2]};${codes[1]}`),
        row(2, 1),
        row(3, 0, `${codes[0]};KHONG-CO`),
        row(4, 0, `${codes[0]};${codes[0]}`),
        row(5, 0, `${codes[1]};${codes[0]}`),
      ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [r1, r2, r3, r4, r5] = res.body.results;
    expect(r1, JSON.stringify(r1)).toMatchObject({ status: 'created' });
    expect(r2).toMatchObject({ status: 'created' });
    expect(r3).toMatchObject({ status: 'error', errors: [{ code: 'application.agency_preference_not_user_agency', field: 'agencyPreferences' }] });
    expect(r4).toMatchObject({ status: 'error', errors: [{ code: 'application.agency_preferences_duplicate' }] });
    expect(r5).toMatchObject({ status: 'error', errors: [{ code: 'application.agency_preferences_first_mismatch' }] });
    const stored = await t.sql<{ quota_id: string; agency_preferences: string[] }>('select quota_id, agency_preferences from applications where drive_id = $1 order by quota_id', [s.driveId]);
    expect(Object.fromEntries(stored.map((a) => [a.quota_id, a.agency_preferences]))).toEqual({
      [s.quotas[0]!]: [s.agencies[0], s.agencies[2], s.agencies[1]],
      [s.quotas[1]!]: [s.agencies[1]],
    });
  });
});

describe('joint quotas within each user agency’s headcount (Decree 170/2025 Art. 3(2)(a)–(b))', () => {
  it('when a joint quota asks more slots than the user agency’s unused headcount, then 422 quota.exceeds_unused_headcount, whatever the authority holds', async () => {
    const s = await jointDrive([1], { assigned: [2] });
    const { agencyId: small } = await createAgencyWithHeadcount(t, { parentId: s.authority, assigned: 2 });
    const res = await t.http.post(`/v1/drives/${s.driveId}/quotas`).set(bearer(t.adminKey)).send({ agencyId: small, jobPositionId: s.positionId, slots: 3 });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'quota.exceeds_unused_headcount', available: 2, requested: 3 });
    // Agency 0 already holds 1 of its 2 for this drive's joint quota.
    const raise = await t.http.patch(`/v1/quotas/${s.quotas[0]}`).set(bearer(t.adminKey)).send({ slots: 3 });
    expect(raise.status).toBe(422);
    expect(raise.body.code).toBe('quota.exceeds_unused_headcount');
    const hc = await t.http.get(`/v1/agencies/${s.agencies[0]}/headcount/2025`).set(bearer(t.adminKey));
    expect(hc.body.categories[0]).toMatchObject({ reserved: 1, available: 1 });
  });

  it('when a joint position does not belong to the drive’s organising agency, then 422 quota.joint_position_not_of_authority; a second quota for one user agency is 409 quota.duplicate', async () => {
    const s = await jointDrive([1]);
    const foreign = await t.http
      .post('/v1/job-positions')
      .set(bearer(t.adminKey))
      .send({ agencyId: s.agencies[0], code: 'VT-CHUNG-KHAC', name: 'Vị trí tuyển chung của cơ quan khác', staffCategory: 'civil_servant', joint: true });
    expect(foreign.status).toBe(201);
    const res = await t.http.post(`/v1/drives/${s.driveId}/quotas`).set(bearer(t.adminKey)).send({ agencyId: s.agencies[0], jobPositionId: foreign.body.id, slots: 1 });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('quota.joint_position_not_of_authority');
    const dup = await t.http.post(`/v1/drives/${s.driveId}/quotas`).set(bearer(t.adminKey)).send({ agencyId: s.agencies[0], jobPositionId: s.positionId, slots: 1 });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('quota.duplicate');
  });

  it.skipIf(!onPostgres)('when two joint quotas race for one user agency’s last slots, then only one fits', async () => {
    const s = await jointDrive([1], { assigned: [4] });
    const second = await t.http
      .post('/v1/job-positions')
      .set(bearer(t.adminKey))
      .send({ agencyId: s.authority, code: 'VT-CHUNG-2', name: 'Chuyên viên tuyển dụng chung 2', staffCategory: 'civil_servant', joint: true });
    const third = await t.http
      .post('/v1/job-positions')
      .set(bearer(t.adminKey))
      .send({ agencyId: s.authority, code: 'VT-CHUNG-3', name: 'Chuyên viên tuyển dụng chung 3', staffCategory: 'civil_servant', joint: true });
    const [k1, k2] = await Promise.all([t.keyFor('organizer'), t.keyFor('organizer')]);
    const results = await Promise.all([
      t.http.post(`/v1/drives/${s.driveId}/quotas`).set(bearer(k1)).send({ agencyId: s.agencies[0], jobPositionId: second.body.id, slots: 2 }),
      t.http.post(`/v1/drives/${s.driveId}/quotas`).set(bearer(k2)).send({ agencyId: s.agencies[0], jobPositionId: third.body.id, slots: 2 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 422]);
    const [sum] = await t.sql<{ n: number }>('select sum(slots)::int as n from quotas where agency_id = $1', [s.agencies[0]]);
    expect(sum!.n).toBe(3);
  });
});

describe('scope of a joint position', () => {
  it('when a key of an unrelated agency reads the results, decides a tie, adds a joint quota or registers, then it gets 404 or 422 as for any drive outside its scope', async () => {
    const s = await examined([1, 1], [
      { name: 'Nguyễn Văn An', score: '80.00', prefs: [0, 1] },
      { name: 'Trần Thị Bình', score: '80.00', prefs: [0] },
    ]);
    await computeOk(t, s.driveId);
    const { agencyId: unrelated } = await createAgencyWithHeadcount(t);
    const key = await t.keyFor('admin', unrelated);
    const read = await t.http.get(`/v1/drives/${s.driveId}/results`).set(bearer(key));
    expect(read.status).toBe(404);
    const decide = await t.http
      .post(`/v1/drives/${s.driveId}/results/tie-decisions`)
      .set(bearer(key))
      .send({ quotaId: s.quotas[0], orderedApplicationIds: [s.apps[1], s.apps[0]], reason: 'Không có thẩm quyền', decision: { number: '1/QĐ', date: '2026-06-01' } });
    expect(decide.status).toBe(404);
    expect((await compute(t, s.driveId, key)).status).toBe(404);
    const app = await t.http.get(`/v1/applications/${s.apps[0]}`).set(bearer(key));
    expect(app.status).toBe(404);
    const c = await createCandidate(t, {}, key);
    const reg = await register(t, s.driveId, { candidateId: c.id, quotaId: s.quotas[0]!, agencyPreferences: [s.agencies[0]!] } as Parameters<typeof register>[2], key);
    expect(reg.status).toBe(404);

    // A key of one user agency sees its own quota's drive but cannot add a quota for another user agency.
    const userKey = await t.keyFor('admin', s.agencies[0]);
    const d2 = await jointDrive([1]);
    const quota = await t.http.post(`/v1/drives/${d2.driveId}/quotas`).set(bearer(userKey)).send({ agencyId: s.agencies[1], jobPositionId: s.positionId, slots: 1 });
    expect(quota.status).toBe(404);
  });
});
