import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { computeOk, openDriveWithQuotas, registerAll, resultsOf, round2, rowsOf, toMarking } from '../factories/results.js';
import { createRound, moveRound } from '../factories/rounds.js';

/*
 * Candidate discipline, Circular 22/2025/TT-BNV Nội quy Art. 2: acts with their minutes, who decides
 * and applies them, and what the results engine does with them.
 */

let t: TestApp;
let council: string;
let approver: string;
beforeAll(async () => {
  t = await setupApp();
  [council, approver] = await Promise.all([t.keyFor('council'), t.keyFor('approver')]);
});
afterAll(async () => {
  await t.close();
});

/** A 170 drive with one quota of one slot; round 2 with a computer written test, scores imported, locked and revealed. */
async function examined(scores: string[]) {
  const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd170', slots: [1] });
  const quotaId = quotaIds[0]!;
  const names = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Văn Cường', 'Phạm Thị Dung'];
  const apps = (await registerAll(t, driveId, scores.map((_, i) => ({ fullName: names[i]!, quotaId })))).map((a) => a.applicationId);
  await toMarking(t, driveId);
  const round = await createRound(t, driveId, round2([{ code: 'written', name: 'Thi viết trên máy tính', maxScore: '100', weight: 1, markingMode: 'single', written: true, computer: true }]));
  await moveRound(t, round.id, 'marking');
  const res = await t.http
    .put(`/v1/rounds/${round.id}/scores?atomic=true`)
    .set(bearer(t.adminKey))
    .send(scores.map((score, i) => ({ applicationId: apps[i]!, partCode: 'written', score })));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await moveRound(t, round.id, 'locked');
  expect((await t.http.post(`/v1/rounds/${round.id}/reveal`).set(bearer(t.adminKey))).status).toBe(200);
  return { driveId, quotaId, apps, roundId: round.id };
}

const record = (roundId: string, key: string, body: object) => t.http.post(`/v1/rounds/${roundId}/discipline`).set(bearer(key)).send(body);

describe('candidate discipline (Circular 22/2025 Nội quy Art. 2)', () => {
  it('Art. 2(2), 2(3), 2(6)(b): when a reprimand and a warning are decided at the room and the chair applies them, then the paper loses 25 % and 50 % at 2 decimals, explained with the minute', async () => {
    const { driveId, quotaId, apps, roundId } = await examined(['72.35', '80', '50']);
    const reprimand = await record(roundId, t.adminKey, {
      applicationId: apps[0],
      partCode: 'written',
      kind: 'reprimand',
      minuteRef: 'BB-01/PT3',
      reason: 'Trao đổi với thí sinh khác sau khi đã bị nhắc nhở',
    });
    expect(reprimand.status, JSON.stringify(reprimand.body)).toBe(201);
    expect(reprimand.body).toMatchObject({ kind: 'reprimand', status: 'decided', deductionPercent: 25, minuteRef: 'BB-01/PT3', partCode: 'written', appliedAt: null });
    const warning = await record(roundId, council, { applicationId: apps[1], partCode: 'written', kind: 'warning', minuteRef: 'BB-02/PT3', reason: 'Mang điện thoại vào phòng thi' });
    expect(warning.status).toBe(201);

    // Decided but not applied: the engine leaves the scores alone.
    await computeOk(t, driveId);
    let rows = rowsOf((await resultsOf(t, driveId)).get(quotaId)!);
    expect(rows.get(apps[0]!)).toMatchObject({ rawScore: '72.35' });

    // The council chair applies them.
    for (const act of [reprimand.body.id, warning.body.id]) {
      const applied = await t.http.post(`/v1/discipline-acts/${act}/apply`).set(bearer(council));
      expect(applied.status).toBe(200);
      expect(applied.body.status).toBe('applied');
    }
    const again = await t.http.post(`/v1/discipline-acts/${reprimand.body.id}/apply`).set(bearer(council));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('discipline.already_applied');

    await computeOk(t, driveId);
    rows = rowsOf((await resultsOf(t, driveId)).get(quotaId)!);
    // 72.35 × 0.75 = 54.2625 → 54.26, now the winner; 80 × 0.5 = 40.00, below the 50-point minimum (170 Art. 10(1)(a)).
    expect(rows.get(apps[0]!)).toMatchObject({ outcome: 'winner', rawScore: '54.26' });
    expect(rows.get(apps[1]!)).toMatchObject({ outcome: 'failed', rawScore: '40.00' });
    expect(rows.get(apps[2]!)).toMatchObject({ outcome: 'reserve', rawScore: '50.00' });
    expect(rows.get(apps[0]!)!.explanation).toContain('reprimand (Nội quy Art. 2(2)), minute BB-01/PT3');
    expect(rows.get(apps[0]!)!.explanation).toContain('72.35 − 25 % = 54.26');
    expect(rows.get(apps[1]!)!.explanation).toContain('minute BB-02/PT3');

    const list = await t.http.get(`/v1/rounds/${roundId}/discipline`).set(bearer(t.adminKey));
    expect(list.status).toBe(200);
    expect(list.body.items.map((a: { minuteRef: string; status: string }) => [a.minuteRef, a.status])).toEqual(
      expect.arrayContaining([
        ['BB-01/PT3', 'applied'],
        ['BB-02/PT3', 'applied'],
      ]),
    );
    const audit = await t.sql<{ action: string }>("select action from audit_events where drive_id = $1 and action like 'discipline.%' order by seq", [driveId]);
    // Sequence numbers are per audit stream, not global: compare the actions as a multiset.
    expect(audit.map((a) => a.action).sort()).toEqual(['discipline.applied', 'discipline.applied', 'discipline.recorded', 'discipline.recorded']);
  });

  it('Art. 2(4), 2(5): when the chair suspends a candidate, then the paper is cancelled; cancelling a result needs the chair’s report and the head’s decision', async () => {
    const { driveId, quotaId, apps, roundId } = await examined(['90', '70', '60']);
    const suspended = await record(roundId, council, { applicationId: apps[0], partCode: 'written', kind: 'suspension', minuteRef: 'BB-05', reason: 'Sử dụng điện thoại trong phòng thi' });
    expect(suspended.status).toBe(201);
    expect(suspended.body).toMatchObject({ status: 'applied', deductionPercent: 100 });

    const noReport = await record(roundId, approver, {
      applicationId: apps[1],
      partCode: 'written',
      kind: 'cancellation',
      minuteRef: 'BB-06',
      reason: 'Thi hộ',
      headDecision: { number: '15/QĐ-UBND', date: '2026-03-20' },
    });
    expect(noReport.status).toBe(422);
    expect(noReport.body.code).toBe('discipline.chair_report_required');
    const byCouncil = await record(roundId, council, { applicationId: apps[1], partCode: 'written', kind: 'cancellation', minuteRef: 'BB-06', reason: 'Thi hộ', chairReportRef: 'BC-01/HĐTD' });
    expect(byCouncil.status).toBe(403);
    expect(byCouncil.body.code).toBe('head_decision.head_only');
    const noDecision = await record(roundId, approver, { applicationId: apps[1], partCode: 'written', kind: 'cancellation', minuteRef: 'BB-06', reason: 'Thi hộ', chairReportRef: 'BC-01/HĐTD' });
    expect(noDecision.status).toBe(422);
    const cancelled = await record(roundId, approver, {
      applicationId: apps[1],
      partCode: 'written',
      kind: 'cancellation',
      minuteRef: 'BB-06',
      reason: 'Thi hộ',
      chairReportRef: 'BC-01/HĐTD',
      headDecision: { number: '15/QĐ-UBND', date: '2026-03-20' },
    });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(201);
    expect(cancelled.body).toMatchObject({ status: 'applied', chairReportRef: 'BC-01/HĐTD', headDecision: { number: '15/QĐ-UBND', date: '2026-03-20' } });

    await computeOk(t, driveId);
    const rows = rowsOf((await resultsOf(t, driveId)).get(quotaId)!);
    expect(rows.get(apps[0]!)).toMatchObject({ outcome: 'failed', rawScore: '0.00' });
    expect(rows.get(apps[0]!)!.explanation).toContain('suspended (Nội quy Art. 2(4)), minute BB-05');
    expect(rows.get(apps[1]!)).toMatchObject({ outcome: 'failed', rawScore: '0.00' });
    expect(rows.get(apps[2]!)).toMatchObject({ outcome: 'winner', rawScore: '60.00' });
  });

  it('when the part or the application is unknown, then 422 part.not_found / 404; a reprimand is not applied by a non-council key', async () => {
    const { apps, roundId } = await examined(['70']);
    expect((await record(roundId, council, { applicationId: apps[0], partCode: 'nope', kind: 'warning', minuteRef: 'X', reason: 'X' })).body.code).toBe('part.not_found');
    const unknown = await record(roundId, council, { candidateNumber: 'KHÔNG-CÓ', partCode: 'written', kind: 'warning', minuteRef: 'X', reason: 'X' });
    expect(unknown.status).toBe(404);
    const w = await record(roundId, council, { applicationId: apps[0], partCode: 'written', kind: 'warning', minuteRef: 'BB-9', reason: 'Chép bài' });
    const byApprover = await t.http.post(`/v1/discipline-acts/${w.body.id}/apply`).set(bearer(approver));
    expect(byApprover.status).toBe(403);
  });
});
