import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { compute, computeOk, openDriveWithQuotas, registerAll, resultsOf, round2, scoredRound, toMarking, workflow } from '../factories/results.js';

/*
 * A recomputation writes only what changed: a result whose content is unchanged keeps its id and
 * its stored row version (xmin), changed rows are updated in place, vanished ones deleted — and the
 * results read exactly as if they had been computed from scratch.
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

/** A drive in marking with two quotas; the first gets `scores`, the second three fixed ones. */
async function examined(scores: string[], slots = 2) {
  const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd138', slots: [slots, 1] });
  const [quotaId, otherQuotaId] = quotaIds as [string, string];
  const people = [
    ...scores.map((_, i) => ({ fullName: `Nguyễn Văn Thí Sinh ${String.fromCharCode(65 + i)}`, quotaId })),
    ...['75.00', '65.00', '50.00'].map((_, i) => ({ fullName: `Trần Thị Dự Thi ${String.fromCharCode(65 + i)}`, quotaId: otherQuotaId })),
  ];
  const ids = (await registerAll(t, driveId, people)).map((a) => a.applicationId);
  const all = [...scores, '75.00', '65.00', '50.00'];
  await toMarking(t, driveId);
  await scoredRound(
    t,
    driveId,
    round2(),
    ids.map((applicationId, i) => ({ applicationId, partCode: 'professional', score: all[i]! })),
  );
  return { driveId, quotaId, otherQuotaId, apps: ids.slice(0, scores.length), others: ids.slice(scores.length) };
}

type Stored = { application_id: string; id: string; version: string; outcome: string; winner_slot: number | null };
const stored = async (driveId: string) =>
  new Map(
    (
      await t.sql<Stored>('select application_id, id, xmin::text as version, outcome, winner_slot from results where drive_id = $1', [driveId])
    ).map((r) => [r.application_id, r]),
  );

/** The drive's results as the API lists them, without what differs between two computations (result ids, computation time). */
async function listed(driveId: string) {
  const res = await t.http.get(`/v1/drives/${driveId}/results?limit=500`).set(bearer(t.adminKey));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return JSON.parse(JSON.stringify(res.body.items), (k, v: unknown) => (k === 'resultId' || k === 'computedAt' ? undefined : v)) as unknown;
}

/** What a computation from nothing lists: the stored results are removed, then computed again. */
async function expectSameAsFromScratch(driveId: string) {
  const recomputed = await listed(driveId);
  await t.sql('delete from results where drive_id = $1', [driveId]);
  await t.sql('delete from quota_results where drive_id = $1', [driveId]);
  await computeOk(t, driveId);
  expect(recomputed).toEqual(await listed(driveId));
}

describe('recomputing results', () => {
  it('when nothing changed, then no result row is written and every result keeps its id', async () => {
    const { driveId } = await examined(['80.00', '70.00', '60.00', '40.00']);
    await computeOk(t, driveId);
    const before = await stored(driveId);
    expect(before.size).toBe(7);
    expect((await t.sql<{ n: number }>('select count(*)::int as n from results where drive_id = $1 and fingerprint is null', [driveId]))[0]!.n).toBe(0);
    const listedBefore = await listed(driveId);

    await computeOk(t, driveId);
    expect(await stored(driveId)).toEqual(before);
    expect(await listed(driveId)).toEqual(listedBefore);
    await expectSameAsFromScratch(driveId);
  });

  it('when a tie decision changes two outcomes, then only those two rows are updated in place; the others keep id and row version', async () => {
    const { driveId, quotaId, apps, others } = await examined(['80.00', '70.00', '70.00', '60.00']);
    const [a, b, c, d] = apps as [string, string, string, string];
    await computeOk(t, driveId);
    const before = await stored(driveId);
    expect(before.get(b)!.outcome).toBe('tied_pending');
    expect(before.get(c)!.outcome).toBe('tied_pending');

    const decided = await t.http
      .post(`/v1/drives/${driveId}/results/tie-decisions`)
      .set(bearer(await t.keyFor('approver')))
      .send({ quotaId, orderedApplicationIds: [c, b], reason: 'Chủ tịch Hội đồng quyết định theo Điều 9(2) Nghị định 138/2020', decision: { number: '15/QĐ-UBND', date: '2025-06-01' } });
    expect(decided.status, JSON.stringify(decided.body)).toBe(201);

    const after = await stored(driveId);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [app, row] of after) expect(row.id, app).toBe(before.get(app)!.id);
    expect(after.get(c)).toMatchObject({ outcome: 'winner', winner_slot: 2 });
    expect(after.get(b)).toMatchObject({ outcome: 'reserve', winner_slot: null });
    expect(after.get(c)!.version).not.toBe(before.get(c)!.version);
    expect(after.get(b)!.version).not.toBe(before.get(b)!.version);
    for (const app of [a, d, ...others]) expect(after.get(app)!.version, app).toBe(before.get(app)!.version);

    const q = (await resultsOf(t, driveId)).get(quotaId)!;
    expect(q.winners.map((r) => [r.applicationId, r.resultId])).toEqual([
      [a, before.get(a)!.id],
      [c, before.get(c)!.id],
    ]);
    await expectSameAsFromScratch(driveId);
  });

  it('when a corrected score makes two winners swap slots, then both rows are updated in place and each slot is held once', async () => {
    const { driveId, quotaId, apps } = await examined(['80.00', '70.00', '60.00']);
    const [a, b] = apps as [string, string, string];
    await computeOk(t, driveId);
    const before = await stored(driveId);
    expect(before.get(a)!.winner_slot).toBe(1);
    expect(before.get(b)!.winner_slot).toBe(2);

    // A corrected final score (as an upheld appeal leaves it), then the results computed again.
    await t.sql(
      `update scripts set final_score = 90 where application_id = $1 and part_id in (select p.id from parts p join rounds r on r.id = p.round_id where r.drive_id = $2)`,
      [b, driveId],
    );
    await computeOk(t, driveId);

    const after = await stored(driveId);
    expect(after.get(b)).toMatchObject({ id: before.get(b)!.id, outcome: 'winner', winner_slot: 1 });
    expect(after.get(a)).toMatchObject({ id: before.get(a)!.id, outcome: 'winner', winner_slot: 2 });
    const q = (await resultsOf(t, driveId)).get(quotaId)!;
    expect(q.winners.map((r) => r.applicationId)).toEqual([b, a]);
    expect(q.winners[0]!.rankingScore).toBe('90.00');
    await expectSameAsFromScratch(driveId);
  });

  it('when a winner withdraws, then the recomputation deletes their row, the next candidate takes the slot and unchanged rows keep their ids', async () => {
    const { driveId, quotaId, apps, others } = await examined(['80.00', '70.00', '60.00', '40.00', '30.00']);
    const [a, b, c] = apps as [string, string, string, string, string];
    await computeOk(t, driveId);
    const before = await stored(driveId);

    const withdrawn = await t.http.post(`/v1/applications/${a}/withdraw`).set(bearer(t.adminKey)).send({ reason: 'Thí sinh xin rút' });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    await computeOk(t, driveId);

    const after = await stored(driveId);
    expect(after.has(a)).toBe(false);
    expect(after.size).toBe(before.size - 1);
    for (const [app, row] of after) expect(row.id, app).toBe(before.get(app)!.id);
    expect(after.get(b)).toMatchObject({ outcome: 'winner', winner_slot: 1 });
    expect(after.get(c)).toMatchObject({ outcome: 'winner', winner_slot: 2 });
    for (const app of others) expect(after.get(app)!.version, app).toBe(before.get(app)!.version);
    expect((await t.sql('select 1 from results where id = $1', [before.get(a)!.id])).length).toBe(0);

    const q = (await resultsOf(t, driveId)).get(quotaId)!;
    expect(q.winners.map((r) => r.applicationId)).toEqual([b, c]);
    await expectSameAsFromScratch(driveId);
  });

  it('when results are approved, then a recomputation is refused (409 results.immutable) and no row changes', async () => {
    const { driveId } = await examined(['80.00', '70.00', '60.00']);
    await computeOk(t, driveId);
    expect((await workflow(t, driveId, 'submit')).status).toBe(200);
    expect((await workflow(t, driveId, 'approve')).status).toBe(200);
    const before = await stored(driveId);

    const refused = await compute(t, driveId);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('results.immutable');
    expect(await stored(driveId)).toEqual(before);
    // The database itself refuses to reorder approved rows.
    const err = await t.sql('update results set position = position + 1 where drive_id = $1', [driveId]).then(
      () => null,
      (e: unknown) => e as { code?: string; cause?: { code?: string } },
    );
    expect(err?.code ?? err?.cause?.code).toBe('TDR01');
  });
});
