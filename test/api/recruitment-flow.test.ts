import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import {
  compute,
  openDriveWithQuotas,
  registerAll,
  resultsOf,
  round1,
  round2,
  rowsOf,
  scoredRound,
  toMarking,
  workflow,
} from '../factories/results.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const claim = (category: string) => ({ category, evidenceRef: `QĐ-${category}` });

describe('a recruitment drive from registration to published results (Decree 138/2020)', () => {
  it('when the drive runs end to end, then ties wait for the head, approved results are frozen, the public sees masked winners and a cancelled winner is replaced by the next reserve', async () => {
    // Organising office: agency with headcount, a drive under nd138, one quota of 2 slots.
    const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd138', slots: [2] });
    const quotaId = quotaIds[0]!;

    // HR portal registers six candidates.
    const [a, b, c, d, e, f] = await registerAll(t, driveId, [
      { fullName: 'Nguyễn Văn An', quotaId },
      // Two categories claimed: only the highest (officer, 5) counts (Decree 138/2020 Art. 5(2)).
      { fullName: 'Trần Thị Bình', quotaId, priorityClaims: [claim('military_service'), claim('officer')], exemptions: ['input_quality_verified'] },
      { fullName: 'Lê Minh Châu', quotaId, priorityClaims: [claim('ethnic_minority')] },
      { fullName: 'Phạm Quốc Dũng', quotaId },
      { fullName: 'Hoàng Thu Giang', quotaId, priorityClaims: [claim('war_invalid')] },
      { fullName: 'Vũ Đức Hải', quotaId },
    ]).then((x) => x.map((r) => r.applicationId));
    await toMarking(t, driveId);

    // Round 1 (computer, gate): Bình is exempt (input-quality verification, Decree 06/2023).
    await scoredRound(t, driveId, round1(), [
      ...[a!, c!, d!, e!].flatMap((id) => [
        { applicationId: id, partCode: 'general_knowledge', correct: 30 },
        { applicationId: id, partCode: 'foreign_language', correct: 15 },
      ]),
      { applicationId: f!, partCode: 'general_knowledge', correct: 29 },
      { applicationId: f!, partCode: 'foreign_language', correct: 28 },
    ]);
    // Round 2 (ranking, on 100).
    await scoredRound(t, driveId, round2(), [
      { applicationId: a!, partCode: 'professional', score: '80.00' },
      { applicationId: b!, partCode: 'professional', score: '70.00' },
      { applicationId: c!, partCode: 'professional', score: '70.00' },
      { applicationId: d!, partCode: 'professional', score: '50.00' },
      { applicationId: e!, partCode: 'professional', score: '49.99' },
      // Hải failed round 1 and does not sit round 2.
      { applicationId: f!, partCode: 'professional', absent: true },
    ]);

    // Compute: Bình and Châu tie at 75.00 with the same raw score across the last slot.
    const computed = await compute(t, driveId, await t.keyFor('council'));
    expect(computed.status, JSON.stringify(computed.body)).toBe(200);
    expect(computed.body.driveStatus).toBe('results_computed');
    expect(computed.body.summary).toMatchObject({ quotas: 1, applications: 6, winners: 1 });

    let q = (await resultsOf(t, driveId)).get(quotaId)!;
    expect(q.status).toBe('tie_pending_decision');
    expect(q.winners.map((r) => r.applicationId)).toEqual([a]);
    expect(new Set(q.tied.map((r) => r.applicationId))).toEqual(new Set([b, c]));
    let rows = rowsOf(q);
    expect(rows.get(a!)).toMatchObject({ outcome: 'winner', rank: 1, rawScore: '80.00', rankingScore: '80.00', decidedBy: 'score', winnerSlot: 1 });
    expect(rows.get(b!)).toMatchObject({ outcome: 'tied_pending', rank: 2, rawScore: '70.00', priorityPoints: '5.00', priorityCategory: 'officer', rankingScore: '75.00', decidedBy: null });
    expect(rows.get(b!)!.explanation).toContain("only the head's decision can separate them");
    expect(rows.get(b!)!.explanation).toContain('Exempt from round 1');
    expect(rows.get(c!)).toMatchObject({ outcome: 'tied_pending', rank: 2, priorityPoints: '5.00', rankingScore: '75.00' });
    // The gate at exactly 50.00 passes; 49.99 fails even with 7.5 priority points (the gate is on the raw score).
    expect(rows.get(d!)).toMatchObject({ outcome: 'reserve', rank: 4, rawScore: '50.00', gate: { passed: true, reasons: [] } });
    expect(rows.get(e!)).toMatchObject({ outcome: 'failed', rank: null, rawScore: '49.99', priorityPoints: '7.50', rankingScore: null });
    expect(rows.get(e!)!.gate).toMatchObject({ passed: false, reasons: [{ code: 'gate.raw_below_minimum' }] });
    expect(rows.get(e!)!.explanation).toContain('49.99 is below 50.00');
    expect(rows.get(f!)!.gate.reasons).toEqual([expect.objectContaining({ code: 'gate.round1_part_below' })]);
    expect(rows.get(f!)!.explanation).toContain('29/60');

    // Submitting is refused while the tie is pending; a decision must order exactly the tied applications.
    const council = await t.keyFor('council');
    const refused = await workflow(t, driveId, 'submit', council);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('results.ties_pending');
    const wrong = await t.http
      .post(`/v1/drives/${driveId}/results/tie-decisions`)
      .set(bearer(await t.keyFor('approver')))
      .send({ quotaId, orderedApplicationIds: [b, d], reason: 'Nhầm danh sách', decision: { number: '15/QĐ-UBND', date: '2025-06-01' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('tie_decision.invalid');

    const decided = await t.http
      .post(`/v1/drives/${driveId}/results/tie-decisions`)
      .set(bearer(await t.keyFor('approver')))
      .send({ quotaId, orderedApplicationIds: [c, b], reason: 'Chủ tịch Hội đồng quyết định theo Điều 9(2) Nghị định 138/2020', decision: { number: '15/QĐ-UBND', date: '2025-06-01' } });
    expect(decided.status, JSON.stringify(decided.body)).toBe(201);
    expect(decided.body.quota.status).toBe('complete');
    q = (await resultsOf(t, driveId)).get(quotaId)!;
    expect(q.winners.map((r) => r.applicationId)).toEqual([a, c]);
    expect(q.reserves.map((r) => r.applicationId)).toEqual([b, d]);
    rows = rowsOf(q);
    expect(rows.get(c!)).toMatchObject({ decidedBy: 'head_decision', rank: 2, winnerSlot: 2 });
    expect(rows.get(b!)).toMatchObject({ decidedBy: 'head_decision', rank: 3, outcome: 'reserve' });
    expect(rows.get(c!)!.explanation).toContain("tie on ranking score broken by the head's decision");
    expect((await t.sql('select 1 from tie_decisions where quota_id = $1', [quotaId])).length).toBe(1);

    // Workflow: submit → approve (approver) → publish. If-Match on the drive is honoured.
    const submitted = await workflow(t, driveId, 'submit', council);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body.status).toBe('submitted');
    const approver = await t.keyFor('approver');
    const stale = await t.http.post(`/v1/drives/${driveId}/results/approve`).set(bearer(approver)).set('if-match', '"v1"').send();
    expect(stale.status).toBe(412);
    const approved = await t.http.post(`/v1/drives/${driveId}/results/approve`).set(bearer(approver)).set('if-match', submitted.headers.etag!).send();
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe('approved');

    // Approved results are immutable: recompute is refused, and the database refuses a direct change.
    const again = await compute(t, driveId);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('results.immutable');
    await expect(t.sql(`update results set raw_score = 99 where application_id = $1`, [d])).rejects.toThrow();
    await expect(t.sql(`delete from results where application_id = $1`, [d])).rejects.toThrow();
    await expect(t.sql(`update quota_results set slots = 5 where quota_id = $1`, [quotaId])).rejects.toThrow();
    expect((await t.sql<{ raw_score: string }>('select raw_score from results where application_id = $1', [d]))[0]!.raw_score).toBe('50.00');

    // Not public before publication.
    const early = await t.http.get(`/v1/public/drives/${driveId}/results`);
    expect(early.status).toBe(404);
    expect(early.body.code).toBe('results.not_published');

    const published = await workflow(t, driveId, 'publish', approver);
    expect(published.status).toBe(200);
    expect(published.body.status).toBe('published');
    expect(published.body.publishedAt).toBeTruthy();

    const pub = await t.http.get(`/v1/public/drives/${driveId}/results`);
    expect(pub.status, JSON.stringify(pub.body)).toBe(200);
    const winners = pub.body.items[0].winners as Record<string, unknown>[];
    expect(winners.map((w) => w.fullName)).toEqual(['Nguyễn Văn An', 'Lê Minh Châu']);
    expect(winners[0]).toMatchObject({ rankingScore: '80.00' });
    expect(winners[0]!.candidateNumber).toBeTruthy();
    expect(String(winners[0]!.nationalIdMasked)).toMatch(/^\d{3}\*+\d{2}$/);
    expect(pub.body.items[0]).toMatchObject({ agencyName: 'Sở Nội vụ Hà Nội', jobPositionName: 'Chuyên viên 1' });
    const text = JSON.stringify(pub.body);
    expect(text).not.toMatch(/birthDate|contacts|1995-05-20|example\.vn|0912345678/);

    // A winner's result is cancelled for fraud, named by the application id an integrator holds: the
    // next reserve (Bình) takes the slot; Châu is barred.
    const resultOfC = rows.get(c!)!.resultId;
    const cancelled = await t.http
      .post(`/v1/results/${c}/cancel`)
      .set(bearer(await t.keyFor('organizer')))
      .send({ reason: 'fraud', note: 'Văn bằng giả' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.status).toBe('promoted');
    expect(cancelled.body.cancelled).toMatchObject({ outcome: 'cancelled', cancellation: { reason: 'fraud', note: 'Văn bằng giả' } });
    expect(cancelled.body.promoted.map((r: { applicationId: string }) => r.applicationId)).toEqual([b]);
    expect(cancelled.body.promoted[0]).toMatchObject({ outcome: 'winner', winnerSlot: 2, promotion: { replacesResultId: resultOfC } });
    expect(cancelled.body.promoted[0].explanation).toContain('Promoted to winner');
    expect(cancelled.body.candidateBarred).toEqual({ drivesRemaining: 1 });
    const bars = await t.sql<{ reason: string; source_drive_id: string; drives_remaining: number }>(
      'select reason, source_drive_id, drives_remaining from candidate_bars b join applications a on a.candidate_id = b.candidate_id where a.id = $1',
      [c],
    );
    expect(bars).toEqual([{ reason: 'fraud', source_drive_id: driveId, drives_remaining: 1 }]);
    const winnersNow = await t.sql<{ application_id: string; winner_slot: number }>(
      `select application_id, winner_slot from results where quota_id = $1 and outcome = 'winner' order by winner_slot`,
      [quotaId],
    );
    expect(winnersNow).toEqual([
      { application_id: a, winner_slot: 1 },
      { application_id: b, winner_slot: 2 },
    ]);
    const pubAfter = await t.http.get(`/v1/public/drives/${driveId}/results`);
    expect(pubAfter.body.items[0].winners.map((w: { fullName: string }) => w.fullName)).toEqual(['Nguyễn Văn An', 'Trần Thị Bình']);

    // Cancelling it again is refused; every step is in the audit trail.
    const twice = await t.http.post(`/v1/results/${resultOfC}/cancel`).set(bearer(t.adminKey)).send({ reason: 'no_show' });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('result.not_winner');
    const twiceByApplication = await t.http.post(`/v1/results/${c}/cancel`).set(bearer(t.adminKey)).send({ reason: 'no_show' });
    expect(twiceByApplication.status).toBe(409);
    expect(twiceByApplication.body.code).toBe('result.not_winner');
    const actions = (await t.sql<{ action: string }>('select action from audit_events where drive_id = $1', [driveId])).map((x) => x.action);
    for (const action of ['results.computed', 'results.tie_decided', 'results.submitted', 'results.approved', 'results.published', 'result.cancelled', 'result.promoted']) {
      expect(actions).toContain(action);
    }
  });
});
