import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { computeOk, openDriveWithQuotas, registerAll, resultsOf, rowsOf, scoredRound, toMarking, workflow } from '../factories/results.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const writtenRound = {
  order: 1,
  code: 'written',
  name: 'Phần 1 — thi viết',
  kind: 'scored' as const,
  ranking: false,
  exemptionCodes: [],
  parts: [{ code: 'written', name: 'Thi viết', maxScore: '100', weight: 1, markingMode: 'single' as const, written: true }],
};
const actionPlanRound = {
  order: 2,
  code: 'action_plan',
  name: 'Phần 2 — trình bày đề án',
  kind: 'scored' as const,
  ranking: true,
  exemptionCodes: [],
  // A panel names its size (Circular 22/2025 Quy chế Art. 20(1), by analogy: 422 part.panel_size_required without one).
  parts: [{ code: 'action_plan', name: 'Đề án', maxScore: '100', weight: 1, markingMode: 'panel' as const, panelSize: 2, written: false }],
};
/**
 * These tests exercise the results engine on imported panel results: the legacy path a leadership rule
 * set may still choose (leadership.panelScores: 'import'); members' marks are in leadership-panel.test.ts.
 */
const legacyImport = { leadership: { panelScores: 'import' } };

describe('leadership-title exams (2424/BNV-CCVC)', () => {
  it('when titles are examined, then one has a winner, one no winner, one is not held, one waits for the chair, and pending until examined', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, {
      kind: 'leadership',
      staffCategory: 'civil_servant',
      overrides: legacyImport,
      slots: [1, 1, 1, 1],
      titles: ['Trưởng phòng Tổ chức', 'Trưởng phòng Tài chính', 'Trưởng phòng Pháp chế', 'Trưởng phòng Thanh tra'],
    });
    const [winnerTitle, noWinnerTitle, notHeldTitle, tieTitle] = quotaIds as [string, string, string, string];
    const [a1, a2, b1, b2, c1, d1, d2] = (
      await registerAll(t, driveId, [
        { fullName: 'Nguyễn Hữu Anh', quotaId: winnerTitle },
        { fullName: 'Nguyễn Thị Ánh', quotaId: winnerTitle },
        { fullName: 'Trần Văn Bảo', quotaId: noWinnerTitle },
        { fullName: 'Trần Thị Bích', quotaId: noWinnerTitle },
        { fullName: 'Lê Văn Cường', quotaId: notHeldTitle },
        { fullName: 'Phạm Văn Đạt', quotaId: tieTitle },
        { fullName: 'Phạm Thị Diệu', quotaId: tieTitle },
      ])
    ).map((x) => x.applicationId);
    await toMarking(t, driveId);

    // Part 1 written, gate ≥ 50.
    await scoredRound(t, driveId, writtenRound, [
      { applicationId: a1!, partCode: 'written', score: '80.00' },
      { applicationId: a2!, partCode: 'written', score: '70.00' },
      { applicationId: b1!, partCode: 'written', score: '49.99' },
      { applicationId: b2!, partCode: 'written', score: '40.00' },
      { applicationId: c1!, partCode: 'written', score: '90.00' },
      { applicationId: d1!, partCode: 'written', score: '75.00' },
      { applicationId: d2!, partCode: 'written', score: '70.00' },
    ]);
    await computeOk(t, driveId);
    let results = await resultsOf(t, driveId);
    expect(results.get(winnerTitle)!.status).toBe('pending');
    expect(results.get(tieTitle)!.status).toBe('pending');
    expect(results.get(noWinnerTitle)!.status).toBe('no_winner');
    expect(results.get(notHeldTitle)!.status).toBe('not_held');
    expect(results.get(notHeldTitle)!.explanation).toContain('at least 2 required');
    expect(rowsOf(results.get(noWinnerTitle)!).get(b1!)!.explanation).toContain('Written 49.99 is below 50.00');

    // Part 2 action plan, averaged by the council (the panel part).
    await scoredRound(t, driveId, actionPlanRound, [
      { applicationId: a1!, partCode: 'action_plan', score: '75.00' },
      { applicationId: a2!, partCode: 'action_plan', score: '60.00' },
      { applicationId: d1!, partCode: 'action_plan', score: '70.00' },
      { applicationId: d2!, partCode: 'action_plan', score: '75.00' },
      { applicationId: b1!, partCode: 'action_plan', absent: true },
      { applicationId: b2!, partCode: 'action_plan', absent: true },
      { applicationId: c1!, partCode: 'action_plan', absent: true },
    ]);
    await computeOk(t, driveId);
    results = await resultsOf(t, driveId);
    const w = results.get(winnerTitle)!;
    expect(w.status).toBe('winner');
    expect(w.winners.map((r) => r.applicationId)).toEqual([a1]);
    expect(rowsOf(w).get(a1!)).toMatchObject({ outcome: 'winner', rawScore: '80.00', rankingScore: '155.00', decidedBy: 'score', winnerSlot: 1 });
    expect(rowsOf(w).get(a1!)!.explanation).toContain('combined 155.00 = written 80.00 × 1 + action plan 75.00 × 1');
    expect(rowsOf(w).get(a2!)!.outcome).toBe('not_selected');
    const tie = results.get(tieTitle)!;
    expect(tie.status).toBe('tie_pending_decision');
    expect(new Set(tie.tied.map((r) => r.applicationId))).toEqual(new Set([d1, d2]));
    expect((await workflow(t, driveId, 'submit')).body.code).toBe('results.ties_pending');

    const decided = await t.http
      .post(`/v1/drives/${driveId}/results/tie-decisions`)
      .set(bearer(await t.keyFor('approver')))
      .send({ quotaId: tieTitle, orderedApplicationIds: [d2, d1], reason: 'Chủ tịch Hội đồng thi tuyển quyết định', decision: { number: '15/QĐ-UBND', date: '2025-06-01' } });
    expect(decided.status, JSON.stringify(decided.body)).toBe(201);
    expect(decided.body.quota.status).toBe('winner');
    expect(decided.body.quota.winners[0]).toMatchObject({ applicationId: d2, decidedBy: 'head_decision' });

    expect((await workflow(t, driveId, 'submit')).status).toBe(200);
    expect((await workflow(t, driveId, 'approve')).status).toBe(200);
    expect((await workflow(t, driveId, 'publish')).status).toBe(200);
    const pub = await t.http.get(`/v1/public/drives/${driveId}/results`);
    expect(pub.status).toBe(200);
    const byTitle = new Map(pub.body.items.map((i: { quotaId: string }) => [i.quotaId, i])) as Map<string, { status: string; winners: { fullName: string }[] }>;
    expect(byTitle.get(winnerTitle)!.winners.map((x) => x.fullName)).toEqual(['Nguyễn Hữu Anh']);
    expect(byTitle.get(tieTitle)!.winners.map((x) => x.fullName)).toEqual(['Phạm Thị Diệu']);
    expect(byTitle.get(noWinnerTitle)).toMatchObject({ status: 'no_winner', winners: [] });
    expect(byTitle.get(notHeldTitle)).toMatchObject({ status: 'not_held', winners: [] });
  });

  it('when only some titles of a drive have been examined, then the others stay pending in the same results', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, {
      kind: 'leadership',
      staffCategory: 'civil_servant',
      overrides: legacyImport,
      slots: [1, 1],
      titles: ['Phó Trưởng phòng Tổ chức', 'Phó Trưởng phòng Tài chính'],
    });
    const [examined, later] = quotaIds as [string, string];
    const [e1, e2] = (
      await registerAll(t, driveId, [
        { fullName: 'Đỗ Minh Khoa', quotaId: examined },
        { fullName: 'Đỗ Thị Lan', quotaId: examined },
        { fullName: 'Vũ Văn Nam', quotaId: later },
        { fullName: 'Vũ Thị Oanh', quotaId: later },
      ])
    ).map((x) => x.applicationId);
    await toMarking(t, driveId);
    // Only the first title sits its exams now; the second title's candidates get no scripts.
    await scoredRound(t, driveId, writtenRound, [
      { applicationId: e1!, partCode: 'written', score: '82.00' },
      { applicationId: e2!, partCode: 'written', score: '64.00' },
    ]);
    await scoredRound(t, driveId, actionPlanRound, [
      { applicationId: e1!, partCode: 'action_plan', score: '70.00' },
      { applicationId: e2!, partCode: 'action_plan', score: '71.00' },
    ]);
    await computeOk(t, driveId);
    const results = await resultsOf(t, driveId);
    expect(results.get(examined)!.status).toBe('winner');
    expect(results.get(examined)!.winners.map((r) => r.applicationId)).toEqual([e1]);
    expect(results.get(later)!.status).toBe('pending');
  });
});

