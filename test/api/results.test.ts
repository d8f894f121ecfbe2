import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { onPostgres } from '../helpers/env.js';
import {
  compute,
  computeOk,
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
import { createRound } from '../factories/rounds.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

/** A drive in marking with one quota, one ranking round and the given raw scores (one candidate each). */
async function examined(scores: string[], slots = 2, opts: { preset?: 'nd138' | 'nd170' } = {}) {
  const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: opts.preset ?? 'nd138', slots: [slots] });
  const quotaId = quotaIds[0]!;
  const apps = (await registerAll(t, driveId, scores.map((_, i) => ({ fullName: `Đỗ Văn Thí Sinh ${String.fromCharCode(65 + i)}`, quotaId })))).map(
    (a) => a.applicationId,
  );
  await toMarking(t, driveId);
  await scoredRound(
    t,
    driveId,
    round2(),
    apps.map((applicationId, i) => ({ applicationId, partCode: 'professional', score: scores[i]! })),
  );
  return { driveId, quotaId, apps };
}

async function approved(scores: string[], slots = 2) {
  const x = await examined(scores, slots);
  await computeOk(t, x.driveId);
  expect((await workflow(t, x.driveId, 'submit')).status).toBe(200);
  expect((await workflow(t, x.driveId, 'approve')).status).toBe(200);
  return x;
}

const snapshot = (driveId: string) =>
  t.sql<{ application_id: string; outcome: string; rank: number | null; ranking_score: string | null; id: string }>(
    'select id, application_id, outcome, rank, ranking_score from results where drive_id = $1 order by application_id',
    [driveId],
  );

describe('computing results', () => {
  it('when a dry run overrides the gate, then the preview changes and nothing stored or audited changes', async () => {
    const { driveId, quotaId, apps } = await examined(['80.00', '65.00', '55.00']);
    const stored = await computeOk(t, driveId);
    const before = await snapshot(driveId);
    const [drive] = await t.sql<{ version: number; status: string }>('select version, status from drives where id = $1', [driveId]);
    const events = (await t.sql('select id from audit_events where drive_id = $1', [driveId])).length;

    const preview = await t.http
      .post(`/v1/drives/${driveId}/results/compute?dryRun=true`)
      .set(bearer(await t.keyFor('council')))
      .send({ overrides: { gate: { rankingRoundMinRaw: 6000 } } });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.dryRun).toBe(true);
    expect(preview.body.ruleSet.gate.rankingRoundMinRaw).toBe(6000);
    const q = preview.body.quotas[0];
    expect(q.winners.map((r: { applicationId: string }) => r.applicationId)).toEqual([apps[0], apps[1]]);
    expect(q.failed.map((r: { applicationId: string }) => r.applicationId)).toEqual([apps[2]]);
    expect(q.failed[0].explanation).toContain('55.00 is below 60.00');
    expect(q.failed[0].resultId).toBeNull();

    expect(await snapshot(driveId)).toEqual(before);
    expect(before.find((r) => r.application_id === apps[2])!.outcome).toBe('reserve');
    expect(await t.sql('select version, status from drives where id = $1', [driveId])).toEqual([drive]);
    expect((await t.sql('select id from audit_events where drive_id = $1', [driveId])).length).toBe(events);
    expect(stored.summary).toMatchObject({ winners: 2, reserves: 1 });
    expect((await resultsOf(t, driveId)).get(quotaId)!.status).toBe('complete');
  });

  it('when results are stored and read back, then every row (explanation, gate, parts, tiedWith, priority) is the one a dry run previews from the engine', async () => {
    const { driveId, quotaId, apps } = await examined(['80.00', '70.00', '70.00', '60.00', '40.00', '49.99'], 2);
    const preview = await t.http.post(`/v1/drives/${driveId}/results/compute?dryRun=true`).set(bearer(t.adminKey)).send({});
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    await computeOk(t, driveId);
    // Stored compactly: the common rows keep only their text and whether they passed the gate.
    const stored = await t.sql<{ keys: string }>(`select string_agg(k, ',' order by k) as keys from results, jsonb_object_keys(explanation) k where drive_id = $1 group by id`, [
      driveId,
    ]);
    expect(stored.filter((r) => r.keys === 'gate,text').length).toBeGreaterThanOrEqual(4);
    const read = (await resultsOf(t, driveId)).get(quotaId)!;
    const expected = preview.body.quotas[0] as typeof read;
    const strip = (q: typeof read) =>
      (['winners', 'tied', 'reserves', 'failed', 'others'] as const).map((k) => q[k].map(({ resultId: _id, ...row }) => row));
    expect(strip(read)).toEqual(strip(expected));
    expect(rowsOf(read).size).toBe(apps.length);
    expect(read.tied.length + read.winners.length).toBeGreaterThan(0);
  });

  it('when compute is posted with no body at all, or an empty JSON body, then it runs as with {} (every field is optional)', async () => {
    const { driveId, quotaId } = await examined(['70', '60']);
    const bare = await t.http.post(`/v1/drives/${driveId}/results/compute`).set(bearer(t.adminKey));
    expect(bare.status, JSON.stringify(bare.body)).toBe(200);
    const empty = await t.http.post(`/v1/drives/${driveId}/results/compute`).set(bearer(t.adminKey)).set('content-type', 'application/json').send('');
    expect(empty.status, JSON.stringify(empty.body)).toBe(200);
    expect([...rowsOf((await resultsOf(t, driveId)).get(quotaId)!).values()].filter((r) => r.outcome === 'winner')).toHaveLength(2);
    // A route whose body has required fields names them instead of "expected object".
    const agency = await t.http.post('/v1/agencies').set(bearer(t.adminKey));
    expect(agency.status).toBe(400);
    expect(agency.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['body.code', 'body.name']));
  });

  it('when results are read, then each quota also lists every row in rank order (ranked first, the unranked after), beside the buckets', async () => {
    const { driveId, quotaId, apps } = await examined(['30', '60', '70'], 1);
    await computeOk(t, driveId);
    const res = await t.http.get(`/v1/drives/${driveId}/results`).set(bearer(t.adminKey));
    expect(res.status).toBe(200);
    const quota = res.body.items.find((q: { quotaId: string }) => q.quotaId === quotaId);
    const rows = quota.rows as { applicationId: string; outcome: string; rank: number | null }[];
    expect(rows.map((r) => [r.applicationId, r.outcome, r.rank])).toEqual([
      [apps[2], 'winner', 1],
      [apps[1], 'reserve', 2],
      [apps[0], 'failed', null],
    ]);
    const bucketed = ['winners', 'tied', 'reserves', 'failed', 'others'].flatMap((b) => quota[b] as { applicationId: string }[]);
    expect(new Set(rows.map((r) => r.applicationId))).toEqual(new Set(bucketed.map((r) => r.applicationId)));
  });

  it('when overrides come without dryRun, then 422 results.overrides_need_dry_run; invalid overrides are 400', async () => {
    const { driveId } = await examined(['70.00']);
    const res = await t.http.post(`/v1/drives/${driveId}/results/compute`).set(bearer(t.adminKey)).send({ overrides: { minAgeYears: 20 } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('results.overrides_need_dry_run');
    const bad = await t.http
      .post(`/v1/drives/${driveId}/results/compute?dryRun=true`)
      .set(bearer(t.adminKey))
      .send({ overrides: { gate: { rankingRoundMinRaw: 'fifty' } } });
    expect(bad.status).toBe(400);
    expect((await t.sql('select 1 from results where drive_id = $1', [driveId])).length).toBe(0);
  });

  it('when the drive is not yet marking, or a round is not revealed, then 409 with its code and nothing is stored', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, { slots: [1] });
    const early = await compute(t, driveId);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('results.not_ready');
    const [app] = await registerAll(t, driveId, [{ fullName: 'Ngô Thị Lan', quotaId: quotaIds[0]! }]);
    await toMarking(t, driveId);
    await createRound(t, driveId, round2());
    const hidden = await compute(t, driveId);
    expect(hidden.status).toBe(409);
    expect(hidden.body.code).toBe('results.rounds_not_revealed');
    expect(app).toBeTruthy();
    expect((await t.sql('select 1 from quota_results where drive_id = $1', [driveId])).length).toBe(0);
    const none = await t.http.get(`/v1/drives/${driveId}/results`).set(bearer(t.adminKey));
    expect(none.status).toBe(404);
    expect(none.body.code).toBe('results.not_computed');
  });

  it('when a marker, registrar or approver calls what is not theirs, then 403', async () => {
    const { driveId } = await examined(['70.00']);
    const marker = await t.keyFor('marker');
    expect((await t.http.get(`/v1/drives/${driveId}/results`).set(bearer(marker))).status).toBe(403);
    expect((await compute(t, driveId, marker)).status).toBe(403);
    expect((await compute(t, driveId, await t.keyFor('registrar'))).status).toBe(403);
    await computeOk(t, driveId, await t.keyFor('organizer'));
    expect((await workflow(t, driveId, 'submit', await t.keyFor('approver'))).status).toBe(403);
    expect((await workflow(t, driveId, 'approve', await t.keyFor('council'))).status).toBe(403);
    expect((await t.http.get(`/v1/drives/${driveId}/results`).set(bearer(await t.keyFor('auditor')))).status).toBe(200);
  });

  it('when a key is scoped to another agency, then the drive results are 404', async () => {
    const { driveId } = await examined(['70.00']);
    await computeOk(t, driveId);
    const other = await openDriveWithQuotas(t, { slots: [1] });
    const scoped = await t.keyFor('council', other.agencyId);
    expect((await t.http.get(`/v1/drives/${driveId}/results`).set(bearer(scoped))).status).toBe(404);
    expect((await compute(t, driveId, scoped)).status).toBe(404);
  });

  it('when filtering by outcome and paging over quotas, then only those rows and pages come back', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, { slots: [1, 1, 1] });
    const apps = await registerAll(
      t,
      driveId,
      quotaIds.flatMap((quotaId, i) => [
        { fullName: `Cao Văn ${i}A`, quotaId },
        { fullName: `Cao Văn ${i}B`, quotaId },
      ]),
    );
    await toMarking(t, driveId);
    await scoredRound(
      t,
      driveId,
      round2(),
      apps.map((a, i) => ({ applicationId: a.applicationId, partCode: 'professional', score: i % 2 === 0 ? '90.00' : '60.00' })),
    );
    await computeOk(t, driveId);
    const page1 = await t.http.get(`/v1/drives/${driveId}/results?limit=2&outcome=reserve`).set(bearer(t.adminKey));
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.items.every((q: { winners: unknown[]; reserves: unknown[] }) => q.winners.length === 0 && q.reserves.length === 1)).toBe(true);
    expect(page1.headers.link).toContain('cursor=');
    const page2 = await t.http.get(`/v1/drives/${driveId}/results?limit=2&outcome=reserve&cursor=${page1.body.nextCursor}`).set(bearer(t.adminKey));
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    const one = await t.http.get(`/v1/drives/${driveId}/results?quotaId=${quotaIds[1]}`).set(bearer(t.adminKey));
    expect(one.body.items.map((q: { quotaId: string }) => q.quotaId)).toEqual([quotaIds[1]]);
  });
});

describe('Decree 115/2020 as amended by Decree 85/2023: second choice (NV2)', () => {
  it('when a candidate wins NV1, then their NV2 is not considered; an NV2 takes a slot left after every NV1', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, { staffCategory: 'public_employee', preset: 'nd115', slots: [1, 1] });
    const [q1, q2] = quotaIds as [string, string];
    const [x1, y1, z1] = await registerAll(t, driveId, [
      { fullName: 'Đinh Văn Xuân', quotaId: q1 },
      { fullName: 'Đinh Thị Yến', quotaId: q1 },
      { fullName: 'Đinh Văn Zũng', quotaId: q2 },
    ]);
    const [x2, y2] = await registerAll(t, driveId, [
      { fullName: '', quotaId: q2, choice: 2, candidateId: x1!.candidateId },
      { fullName: '', quotaId: q2, choice: 2, candidateId: y1!.candidateId },
    ]);
    await toMarking(t, driveId);
    await scoredRound(t, driveId, round2(), [
      { applicationId: x1!.applicationId, partCode: 'professional', score: '90.00' },
      { applicationId: y1!.applicationId, partCode: 'professional', score: '80.00' },
      { applicationId: z1!.applicationId, partCode: 'professional', score: '45.00' },
      { applicationId: x2!.applicationId, partCode: 'professional', score: '90.00' },
      { applicationId: y2!.applicationId, partCode: 'professional', score: '80.00' },
    ]);
    await computeOk(t, driveId);
    const results = await resultsOf(t, driveId);
    const r1 = rowsOf(results.get(q1)!);
    const r2 = rowsOf(results.get(q2)!);
    expect(r1.get(x1!.applicationId)!.outcome).toBe('winner');
    expect(r1.get(y1!.applicationId)!.outcome).toBe('reserve');
    expect(r2.get(z1!.applicationId)!.outcome).toBe('failed');
    expect(r2.get(x2!.applicationId)).toMatchObject({ outcome: 'not_considered', choice: 2 });
    expect(r2.get(x2!.applicationId)!.explanation).toContain('won their NV1');
    expect(r2.get(y2!.applicationId)).toMatchObject({ outcome: 'winner', choice: 2, winnerSlot: 1 });
    expect(r2.get(y2!.applicationId)!.explanation).toContain('NV2 application');
  });
});

describe('the results workflow', () => {
  it('when the approver returns results with a reason, then the drive is back in results_computed and may be recomputed; without a reason 400', async () => {
    const { driveId } = await examined(['70.00', '60.00'], 1);
    await computeOk(t, driveId);
    expect((await workflow(t, driveId, 'publish')).body.code).toBe('drive.invalid_transition');
    expect((await workflow(t, driveId, 'submit')).status).toBe(200);
    const again = await compute(t, driveId);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('results.awaiting_approval');
    const approver = await t.keyFor('approver');
    expect((await workflow(t, driveId, 'return', approver, {})).status).toBe(400);
    const returned = await workflow(t, driveId, 'return', approver, { reason: 'Thiếu biên bản chấm phúc khảo' });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(returned.body.status).toBe('results_computed');
    const recomputed = await compute(t, driveId);
    expect(recomputed.status).toBe(200);
    const events = await t.sql<{ action: string; after: { reason: string } }>(`select action, after from audit_events where drive_id = $1 and action = 'results.returned'`, [
      driveId,
    ]);
    expect(events[0]!.after.reason).toBe('Thiếu biên bản chấm phúc khảo');
  });

  it('when results are not approved, then a cancellation is 409 result.not_cancellable', async () => {
    const { driveId } = await examined(['70.00'], 1);
    await computeOk(t, driveId);
    const [row] = await t.sql<{ id: string }>(`select id from results where drive_id = $1`, [driveId]);
    const res = await t.http.post(`/v1/results/${row!.id}/cancel`).set(bearer(t.adminKey)).send({ reason: 'no_show' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('result.not_cancellable');
  });

  it('when the next reserves are tied after the whole chain, then the cancellation stands and the quota awaits the head (200 tie_pending_decision) until a decision promotes one', async () => {
    const { driveId, quotaId, apps } = await approved(['90.00', '80.00', '70.00', '70.00'], 2);
    const rows = rowsOf((await resultsOf(t, driveId)).get(quotaId)!);
    const res = await t.http.post(`/v1/results/${rows.get(apps[1]!)!.resultId}/cancel`).set(bearer(t.adminKey)).send({ reason: 'dossier_incomplete' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('tie_pending_decision');
    expect(res.body.promoted).toEqual([]);
    expect(new Set(res.body.tiedApplicationIds)).toEqual(new Set([apps[2], apps[3]]));
    expect(res.body.quota.status).toBe('tie_pending_decision');
    expect(res.body.candidateBarred).toBeNull();

    const decided = await t.http
      .post(`/v1/drives/${driveId}/results/tie-decisions`)
      .set(bearer(await t.keyFor('approver')))
      .send({ quotaId, orderedApplicationIds: [apps[3], apps[2]], reason: 'Chủ tịch Hội đồng quyết định', decision: { number: '15/QĐ-UBND', date: '2025-06-01' } });
    expect(decided.status, JSON.stringify(decided.body)).toBe(201);
    expect(decided.body.quota.status).toBe('complete');
    const winners = await t.sql<{ application_id: string; winner_slot: number; replaces_result_id: string }>(
      `select application_id, winner_slot, replaces_result_id from results where quota_id = $1 and outcome = 'winner' order by winner_slot`,
      [quotaId],
    );
    expect(winners.map((w) => [w.application_id, w.winner_slot])).toEqual([
      [apps[0], 1],
      [apps[3], 2],
    ]);
    expect(winners[1]!.replaces_result_id).toBe(rows.get(apps[1]!)!.resultId);
    const [left] = await t.sql<{ outcome: string; decided_by: string }>('select outcome, decided_by from results where application_id = $1', [apps[2]]);
    expect(left).toEqual({ outcome: 'reserve', decided_by: 'head_decision' });
  });

  it.skipIf(!onPostgres)('when both winners of a quota are cancelled at the same time, then never more winners than slots and each slot is held once', async () => {
    const { driveId, quotaId, apps } = await approved(['90.00', '85.00', '80.00', '75.00', '70.00'], 2);
    const rows = rowsOf((await resultsOf(t, driveId)).get(quotaId)!);
    const ids = [apps[0]!, apps[1]!].map((a) => rows.get(a)!.resultId);
    const responses = await Promise.all(
      [...ids, ...ids, ...ids].map((id) => t.http.post(`/v1/results/${id}/cancel`).set(bearer(t.adminKey)).send({ reason: 'no_show' })),
    );
    expect(responses.filter((r) => r.status === 200)).toHaveLength(2);
    expect(responses.filter((r) => r.status === 409).every((r) => r.body.code === 'result.not_winner')).toBe(true);
    const winners = await t.sql<{ application_id: string; winner_slot: number }>(
      `select application_id, winner_slot from results where quota_id = $1 and outcome = 'winner' order by winner_slot`,
      [quotaId],
    );
    expect(winners.map((w) => w.winner_slot)).toEqual([1, 2]);
    expect(new Set(winners.map((w) => w.application_id))).toEqual(new Set([apps[2], apps[3]]));
    const [qr] = await t.sql<{ winners: number; status: string }>('select winners, status from quota_results where quota_id = $1', [quotaId]);
    expect(qr).toEqual({ winners: 2, status: 'complete' });
  });
});

describe('gate rounds and priority', () => {
  it('when round 1 is exactly 50 % in each part, then it passes; 29 of 60 fails; the highest priority category alone counts', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, { slots: [3] });
    const quotaId = quotaIds[0]!;
    const [p, q, r] = (
      await registerAll(t, driveId, [
        { fullName: 'Mai Văn Phú', quotaId, priorityClaims: [{ category: 'youth_volunteer', evidenceRef: 'a' }, { category: 'hero', evidenceRef: 'b' }] },
        { fullName: 'Mai Thị Quế', quotaId },
        { fullName: 'Mai Văn Rạng', quotaId },
      ])
    ).map((x) => x.applicationId);
    await toMarking(t, driveId);
    await scoredRound(t, driveId, round1(), [
      { applicationId: p!, partCode: 'general_knowledge', correct: 30 },
      { applicationId: p!, partCode: 'foreign_language', correct: 15 },
      { applicationId: q!, partCode: 'general_knowledge', correct: 29 },
      { applicationId: q!, partCode: 'foreign_language', correct: 30 },
      { applicationId: r!, partCode: 'general_knowledge', absent: true },
      { applicationId: r!, partCode: 'foreign_language', absent: true },
    ]);
    await scoredRound(t, driveId, round2(), [
      { applicationId: p!, partCode: 'professional', score: '60.00' },
      { applicationId: q!, partCode: 'professional', score: '95.00' },
      { applicationId: r!, partCode: 'professional', absent: true },
    ]);
    await computeOk(t, driveId);
    const rows = rowsOf((await resultsOf(t, driveId)).get(quotaId)!);
    expect(rows.get(p!)).toMatchObject({ outcome: 'winner', priorityPoints: '7.50', priorityCategory: 'hero', rankingScore: '67.50' });
    expect(rows.get(q!)).toMatchObject({ outcome: 'failed', rankingScore: null });
    expect(rows.get(q!)!.explanation).toContain('general_knowledge: 29/60 correct, below 50 %');
    expect(rows.get(r!)).toMatchObject({ outcome: 'absent' });
  });
});

describe('result identity held by the database', () => {
  it('when a result row names a drive or quota other than its application’s, or no application, then the database refuses it (23503)', async () => {
    const a = await examined(['80.00', '70.00'], 1);
    const b = await examined(['60.00'], 1);
    await computeOk(t, a.driveId);
    const before = await snapshot(a.driveId);
    expect(before).toHaveLength(2);
    const insert = (driveId: string, quotaId: string, applicationId: string) =>
      t.sql(
        `insert into results (id, drive_id, quota_id, application_id, outcome, quota_slots, explanation)
         values (gen_random_uuid(), $1, $2, $3, 'reserve', 1, '{}'::jsonb)`,
        [driveId, quotaId, applicationId],
      );
    // b's application under a's quota and drive; a's own drive with b's quota; an application that does not exist.
    for (const attempt of [
      () => insert(a.driveId, a.quotaId, b.apps[0]!),
      () => insert(a.driveId, b.quotaId, b.apps[0]!),
      () => insert(b.driveId, b.quotaId, '00000000-0000-7000-8000-00000000dead'),
    ]) {
      const err = await attempt().then(
        () => null,
        (e: unknown) => e as { code?: string; cause?: { code?: string } },
      );
      expect(err?.code ?? err?.cause?.code).toBe('23503');
    }
    // Moving a stored result to another quota is refused the same way.
    const moved = await t
      .sql('update results set quota_id = $1 where id = $2', [b.quotaId, before[0]!.id])
      .then(
        () => null,
        (e: unknown) => e as { code?: string; cause?: { code?: string } },
      );
    expect(moved?.code ?? moved?.cause?.code).toBe('23503');
    expect(await snapshot(a.driveId)).toEqual(before);
    expect((await t.sql('select 1 from results where drive_id = $1', [b.driveId])).length).toBe(0);
  });

  it('when an application has a result, then it can be neither deleted nor given another id (23503); one without a result can', async () => {
    const a = await examined(['80.00', '70.00'], 1);
    const b = await openDriveWithQuotas(t, { preset: 'nd138', slots: [1] });
    const [bApp] = await registerAll(t, b.driveId, [{ fullName: 'Đỗ Văn Không Kết Quả', quotaId: b.quotaIds[0]! }]);
    await computeOk(t, a.driveId);
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => {
          const err = e as { code?: string; cause?: { code?: string } };
          return err.code ?? err.cause?.code;
        },
      );
    expect(await codeOf(t.sql('delete from applications where id = $1', [a.apps[0]!]))).toBe('23503');
    expect(await codeOf(t.sql(`update applications set id = gen_random_uuid() where id = $1`, [a.apps[1]!]))).toBe('23503');
    expect((await t.sql('select 1 from applications where id in ($1, $2)', [a.apps[0]!, a.apps[1]!])).length).toBe(2);
    // An application without a result may go.
    expect(await codeOf(t.sql('delete from applications where id = $1', [bApp!.applicationId]))).toBeNull();
  });
});
