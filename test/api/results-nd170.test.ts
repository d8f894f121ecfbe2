import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { computeOk, openDriveWithQuotas, registerAll, resultsOf, round2, rowsOf, toMarking, type Registrant } from '../factories/results.js';
import { codesOf, createRound, moveRound, putMarks } from '../factories/rounds.js';

/*
 * Decree 170/2025 through the API on the database: round 2 written + interview combined 70/30 and
 * rounded to 2 decimals half up (Art. 9(2)(b)); the gate on that rounded score and on each part
 * (Art. 10(1)(a)); the tie chain (Art. 10(2)); priority points (Art. 6 as amended by 300 Art. 1).
 */

let t: TestApp;
let m1: string;
let m2: string;
beforeAll(async () => {
  t = await setupApp();
  [m1, m2] = await Promise.all([t.keyFor('marker'), t.keyFor('marker')]);
});
afterAll(async () => {
  await t.close();
});

// The preset's round 2 (its weights read from the drive's rule set): the written test is taken on
// computer (Art. 9(2)(b)), its final scores imported (a paper written part is double-marked and takes no
// imported score under Circular 22/2025, Quy chế Art. 16); the interview is scored by a panel of two,
// each member's own mark (Quy chế Art. 20(1), 22(1)), both giving the score listed (their mean).
async function combinedRound(driveId: string) {
  const drive = await t.http.get(`/v1/drives/${driveId}`).set(bearer(t.adminKey));
  const parts = drive.body.ruleSet.effective.roundDefaults.find((r: { order: number }) => r.order === 2).parts as { code: string; weight: number }[];
  const weight = (code: string) => parts.find((p) => p.code === code)!.weight;
  return round2([
    { code: 'written', name: 'Thi viết', maxScore: '100', weight: weight('written'), markingMode: 'single', written: true, computer: true },
    { code: 'interview', name: 'Phỏng vấn', maxScore: '100', weight: weight('interview'), markingMode: 'panel', panelSize: 2, written: false },
  ]);
}

type Sitting = { name: string; written: string | null; interview: string | null; priority?: string };

async function examined(preset: 'nd170' | 'nd170-300', slots: number, people: Sitting[], overrides?: Record<string, unknown>) {
  const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset, slots: [slots], ...(overrides ? { overrides } : {}) });
  const quotaId = quotaIds[0]!;
  const registrants: Registrant[] = people.map((p) => ({
    fullName: p.name,
    quotaId,
    ...(p.priority ? { priorityClaims: [{ category: p.priority, evidenceRef: 'QĐ-01' }] } : {}),
  }));
  const apps = (await registerAll(t, driveId, registrants)).map((a) => a.applicationId);
  await toMarking(t, driveId);
  const scores = people.flatMap((p, i) => [
    p.written === null ? { applicationId: apps[i]!, partCode: 'written', absent: true } : { applicationId: apps[i]!, partCode: 'written', score: p.written },
    // An absence is the invigilators' minute, taken on any part.
    ...(p.interview === null ? [{ applicationId: apps[i]!, partCode: 'interview', absent: true }] : []),
  ]);
  const round = await createRound(t, driveId, await combinedRound(driveId));
  await moveRound(t, round.id, 'marking');
  const imported = await t.http.put(`/v1/rounds/${round.id}/scores?atomic=true`).set(bearer(t.adminKey)).send(scores);
  expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  // The interview scripts follow the computer written test (Art. 16(4)(c)); each panel member marks.
  await t.http.post(`/v1/rounds/${round.id}/scripts`).set(bearer(t.adminKey)).expect(200);
  const codes = await codesOf(t, round.id, 'interview');
  const marked = people.flatMap((p, i) => (p.interview === null ? [] : [{ code: codes.get(apps[i]!)!, score: p.interview }]));
  for (const [key, slot] of [[m1, 'panel:m1'], [m2, 'panel:m2']] as const) {
    const res = await putMarks(t, round.id, key, marked.map((m) => ({ ...m, slot })));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  await moveRound(t, round.id, 'locked');
  await t.http.post(`/v1/rounds/${round.id}/reveal`).set(bearer(t.adminKey)).expect(200);
  await computeOk(t, driveId);
  const q = (await resultsOf(t, driveId)).get(quotaId)!;
  return { q, rows: rowsOf(q), apps };
}

describe('Decree 170/2025 round 2: written + interview', () => {
  it('Art. 9(2)(b): when written 71.35 and interview 80, then 73.945 rounds half up to 73.95, ties with an exact 73.95 and wins on the written part (Art. 10(2)(b))', async () => {
    const { q, rows, apps } = await examined('nd170-300', 1, [
      { name: 'Nguyễn Thị An', written: '71.35', interview: '80' }, // 49.945 + 24 = 73.945 → 73.95
      { name: 'Trần Văn Bình', written: '71.10', interview: '80.60' }, // 49.77 + 24.18 = 73.95
    ]);
    expect(rows.get(apps[0]!)).toMatchObject({ outcome: 'winner', rawScore: '73.95', rankingScore: '73.95' });
    expect(rows.get(apps[1]!)).toMatchObject({ outcome: 'reserve', rawScore: '73.95' });
    // Exact arithmetic (73.945 < 73.95) or truncation (73.94) would have made Bình the winner.
    expect(q.winners.map((r) => r.applicationId)).toEqual([apps[0]]);
  });

  it('Art. 10(1)(a): when the part gate is switched off, then the ≥ 50 gate compares the rounded score (49.995 → 50.00 passes, 49.988 → 49.99 fails)', async () => {
    const { rows, apps } = await examined(
      'nd170',
      2,
      [
        { name: 'Lê Văn Cường', written: '57.15', interview: '33.30' }, // 40.005 + 9.99 = 49.995 → 50.00
        { name: 'Phạm Thị Dung', written: '57.14', interview: '33.30' }, // 39.998 + 9.99 = 49.988 → 49.99
      ],
      { gate: { rankingRoundPartMinPercent: null } },
    );
    expect(rows.get(apps[0]!)).toMatchObject({ outcome: 'winner', rawScore: '50.00' });
    expect(rows.get(apps[1]!)).toMatchObject({ outcome: 'failed' });
    expect(rows.get(apps[1]!)!.gate.reasons.map((r) => r.code)).toEqual(['gate.raw_below_minimum']);
  });

  it('Art. 10(1)(a): when written reaches 50 % but the interview only 45 %, then the candidate fails; one who missed the interview did not sit', async () => {
    const { rows, apps } = await examined('nd170', 3, [
      { name: 'Hoàng Văn Em', written: '50', interview: '45' }, // 35 + 13.5 = 48.5, and the interview is below half
      { name: 'Đỗ Thị Giang', written: '90', interview: '45' }, // 63 + 13.5 = 76.5, but the interview is below half
      { name: 'Vũ Văn Hải', written: '90', interview: null },
    ]);
    expect(rows.get(apps[0]!)!.outcome).toBe('failed');
    expect(rows.get(apps[1]!)!.outcome).toBe('failed');
    expect(rows.get(apps[1]!)!.gate.reasons.map((r) => r.code)).toEqual(['gate.part_below_minimum']);
    expect(rows.get(apps[1]!)!.gate.reasons[0]!.message).toContain('interview');
    expect(rows.get(apps[2]!)!.outcome).toBe('absent');
  });
});

describe('Decree 170/2025 Art. 6: priority points', () => {
  it('Art. 6(1)(d): when a grassroots trade-union officer scores 70.00, then 1.50 points lift them above a 71.00 without priority', async () => {
    const { rows, apps } = await examined('nd170', 1, [
      { name: 'Ngô Thị Kim', written: '70', interview: '70', priority: 'trade_union_officer' },
      { name: 'Bùi Văn Long', written: '71', interview: '71' },
    ]);
    expect(rows.get(apps[0]!)).toMatchObject({ outcome: 'winner', rawScore: '70.00', priorityPoints: '1.50', rankingScore: '71.50' });
    expect(rows.get(apps[1]!)).toMatchObject({ outcome: 'reserve', rankingScore: '71.00' });
  });

  it('300 Art. 1: when a discharged defence worker registers, then nd170-300 grants 2.5 and nd170 as issued refuses the category', async () => {
    const { rows, apps } = await examined('nd170-300', 1, [{ name: 'Lý Văn Minh', written: '60', interview: '60', priority: 'defence_worker_discharged' }]);
    expect(rows.get(apps[0]!)).toMatchObject({ priorityPoints: '2.50', rankingScore: '62.50' });

    const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd170', slots: [1] });
    const res = await registerAll(t, driveId, [{ fullName: 'Lý Văn Nam', quotaId: quotaIds[0]!, priorityClaims: [{ category: 'defence_worker_discharged', evidenceRef: 'QĐ-02' }] }]).catch(
      (err: Error) => err.message,
    );
    expect(res).toContain('priority.unknown_category');
  });
});

describe('the drive keeps the rules it was opened with', () => {
  it('when a drive was stored with an older nd170 rule set (1:1 round 2), then reading it shows that stored set unchanged', async () => {
    const { driveId } = await openDriveWithQuotas(t, { preset: 'nd170', slots: [1] });
    // A rule set frozen before this release: written and interview weighed 1:1, a foreign-language part in round 1.
    await t.sql(
      `update drives set rule_set = jsonb_set(jsonb_set(rule_set, '{roundDefaults,1,parts,0,weight}', '1'), '{roundDefaults,1,parts,1,weight}', '1') where id = $1`,
      [driveId],
    );
    const res = await t.http.get(`/v1/drives/${driveId}`).set(bearer(t.adminKey));
    expect(res.status).toBe(200);
    expect(res.body.ruleSet.effective.roundDefaults[1].parts.map((p: { weight: number }) => p.weight)).toEqual([1, 1]);
  });
});
