import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { computeOk, openDriveWithQuotas, registerAll, resultsOf, rowsOf, scoredRound, toMarking } from '../factories/results.js';
import { createRound, moveRound, type RoundBody } from '../factories/rounds.js';

/*
 * Decree 170/2025 Art. 9 (as amended by Decree 300/2026 Art. 2): who sits which round, through the
 * API on PostgreSQL. Round 2 is sat only by those who passed round 1 (Art. 9(2)(a), 16(3)(c)).
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

// Art. 9(2)(a): one computer test of 60 questions, passed with ≥ 50 % correct; no exemption.
const round1: RoundBody = {
  order: 1,
  code: 'round1',
  name: 'Vòng 1 — kiến thức, năng lực chung',
  kind: 'gate',
  ranking: false,
  exemptionCodes: [],
  parts: [{ code: 'general_knowledge', name: 'Kiến thức chung', maxScore: '60', weight: 0, markingMode: 'single', written: false }],
};

// Art. 9(2)(b): written + interview, combined 70/30.
const round2: RoundBody = {
  order: 2,
  code: 'round2',
  name: 'Vòng 2 — nghiệp vụ chuyên ngành',
  kind: 'scored',
  ranking: true,
  exemptionCodes: [],
  parts: [
    { code: 'written', name: 'Thi viết', maxScore: '100', weight: 70, markingMode: 'single', written: true },
    { code: 'interview', name: 'Phỏng vấn', maxScore: '100', weight: 30, markingMode: 'single', written: false },
  ],
};

const scriptsOf = (roundId: string) =>
  t.sql<{ application_id: string; code: string }>('select application_id, code from scripts where round_id = $1 order by application_id, code', [roundId]);

/** A drive in marking with one quota and round 1 scored and revealed: `correct[i]` of 60 (null: absent). */
async function afterRound1(preset: 'nd138' | 'nd170' | 'nd170-300', correct: (number | null)[]) {
  const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset, slots: [2] });
  const quotaId = quotaIds[0]!;
  const apps = (await registerAll(t, driveId, correct.map((_, i) => ({ fullName: `Phan Thị Thí Sinh ${String.fromCharCode(65 + i)}`, quotaId })))).map((a) => a.applicationId);
  await toMarking(t, driveId);
  const round1Id = await scoredRound(
    t,
    driveId,
    round1,
    correct.map((c, i) => (c === null ? { applicationId: apps[i]!, partCode: 'general_knowledge', absent: true } : { applicationId: apps[i]!, partCode: 'general_knowledge', correct: c })),
  );
  return { driveId, quotaId, apps, round1Id };
}

describe('Decree 170/2025 Art. 9(2)(a): round 2 is sat only by those who passed round 1', () => {
  it('when one candidate answers 30 of 60, one 29 and one is absent, then only the first gets round-2 scripts, a score for the others is refused, and results still explain the round-1 failure', async () => {
    const { driveId, quotaId, apps } = await afterRound1('nd170-300', [30, 29, null]);
    const r2 = await createRound(t, driveId, round2);
    const issued = await t.http.post(`/v1/rounds/${r2.id}/scripts`).set(bearer(t.adminKey));
    expect(issued.status).toBe(200);
    expect(issued.body).toEqual({ issued: 2, existing: 0, exempt: 0, notAdmitted: 2, parts: 2 });
    const scripts = await scriptsOf(r2.id);
    expect(new Set(scripts.map((s) => s.application_id))).toEqual(new Set([apps[0]]));

    await moveRound(t, r2.id, 'marking');
    // A direct import cannot give the round-1 failure a round-2 script either.
    const refused = await t.http
      .put(`/v1/rounds/${r2.id}/scores?atomic=false`)
      .set(bearer(t.adminKey))
      .send([
        { applicationId: apps[0]!, partCode: 'written', score: '80' },
        { applicationId: apps[0]!, partCode: 'interview', score: '70' },
        { applicationId: apps[1]!, partCode: 'written', score: '95' },
      ]);
    expect(refused.status).toBe(200);
    expect(refused.body.saved).toBe(2);
    expect(refused.body.rows[2]).toMatchObject({ row: 3, status: 'rejected', errors: [{ code: 'script.not_admitted' }] });
    expect((await scriptsOf(r2.id)).every((s) => s.application_id === apps[0])).toBe(true);

    // Locking counts no missing script for those kept out.
    await moveRound(t, r2.id, 'locked');
    expect((await t.http.post(`/v1/rounds/${r2.id}/reveal`).set(bearer(t.adminKey))).status).toBe(200);
    await computeOk(t, driveId);
    const rows = rowsOf((await resultsOf(t, driveId)).get(quotaId)!);
    expect(rows.get(apps[0]!)).toMatchObject({ outcome: 'winner', rawScore: '77.00' });
    expect(rows.get(apps[1]!)!.outcome).toBe('failed');
    expect(rows.get(apps[1]!)!.gate.reasons.map((r) => r.code)).toEqual(['gate.round1_part_below']);
    expect(rows.get(apps[2]!)!.outcome).toBe('absent');
  });

  it('when round 1 is not yet revealed, then round-2 scripts are refused with 409 round.gate_not_revealed', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd170', slots: [1] });
    await registerAll(t, driveId, [{ fullName: 'Đinh Văn Khoa', quotaId: quotaIds[0]! }]);
    await toMarking(t, driveId);
    const r1 = await createRound(t, driveId, round1);
    const r2 = await createRound(t, driveId, round2);
    const res = await t.http.post(`/v1/rounds/${r2.id}/scripts`).set(bearer(t.adminKey));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'round.gate_not_revealed', gateRounds: [{ id: r1.id, code: 'round1', status: 'scheduled' }] });
    expect(await scriptsOf(r2.id)).toEqual([]);
  });

  it('when a Decree 138/2020 drive (historical) has a round-1 failure, then round-2 scripts still go to every active application, as before', async () => {
    const { driveId, apps } = await afterRound1('nd138', [30, 29]);
    const r2 = await createRound(t, driveId, round2);
    const issued = await t.http.post(`/v1/rounds/${r2.id}/scripts`).set(bearer(t.adminKey));
    expect(issued.body).toEqual({ issued: 4, existing: 0, exempt: 0, notAdmitted: 0, parts: 2 });
    expect(new Set((await scriptsOf(r2.id)).map((s) => s.application_id))).toEqual(new Set(apps));
  });
});
