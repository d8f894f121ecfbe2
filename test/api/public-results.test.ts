import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { computeOk, openDriveWithQuotas, registerAll, round2, scoredRound, toMarking, workflow } from '../factories/results.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

async function driveWithResults(slots: number[]) {
  const { driveId, quotaIds } = await openDriveWithQuotas(t, { slots });
  const apps = await registerAll(
    t,
    driveId,
    quotaIds.flatMap((quotaId, i) => [
      { fullName: `  Nguyễn   Văn Công ${i} `, quotaId },
      { fullName: `Trần Thị Dung ${i}`, quotaId },
    ]),
  );
  await toMarking(t, driveId);
  await scoredRound(
    t,
    driveId,
    round2(),
    apps.map((a, i) => ({ applicationId: a.applicationId, partCode: 'professional', score: i % 2 === 0 ? '88.25' : '51.00' })),
  );
  await computeOk(t, driveId);
  return { driveId, quotaIds };
}

describe('public results', () => {
  it('when results are computed but not published, or the drive does not exist, then 404 results.not_published without a key', async () => {
    const { driveId } = await driveWithResults([1]);
    for (const id of [driveId, randomUUID()]) {
      const res = await t.http.get(`/v1/public/drives/${id}/results`);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('results.not_published');
    }
    expect((await workflow(t, driveId, 'submit')).status).toBe(200);
    expect((await workflow(t, driveId, 'approve')).status).toBe(200);
    expect((await t.http.get(`/v1/public/drives/${driveId}/results`)).status).toBe(404);
  });

  it('when published, then winners per quota carry the name, candidate number, masked national ID and score — nothing else about the person', async () => {
    const { driveId, quotaIds } = await driveWithResults([1, 1, 1]);
    expect((await workflow(t, driveId, 'submit')).status).toBe(200);
    expect((await workflow(t, driveId, 'approve')).status).toBe(200);
    expect((await workflow(t, driveId, 'publish')).status).toBe(200);

    const page1 = await t.http.get(`/v1/public/drives/${driveId}/results?limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.drive).toMatchObject({ id: driveId, status: 'published' });
    expect(page1.body.items).toHaveLength(2);
    const winner = page1.body.items[0].winners[0];
    expect(Object.keys(winner).sort()).toEqual(['candidateNumber', 'fullName', 'identityCorrected', 'nationalIdMasked', 'rank', 'rankingScore']);
    expect(winner.fullName).toMatch(/^Nguyễn Văn Công \d$/);
    expect(winner.rankingScore).toBe('88.25');
    expect(winner.nationalIdMasked).toMatch(/^\d{3}\*{7}\d{2}$/);
    expect(JSON.stringify(page1.body)).not.toMatch(/Trần Thị Dung|birth|contact|email|phone/);
    const page2 = await t.http.get(`/v1/public/drives/${driveId}/results?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items).toHaveLength(1);
    const seen = [...page1.body.items, ...page2.body.items].map((i: { quotaId: string }) => i.quotaId);
    expect(new Set(seen)).toEqual(new Set(quotaIds));
    const one = await t.http.get(`/v1/public/drives/${driveId}/results?quotaId=${quotaIds[2]}`);
    expect(one.body.items.map((i: { quotaId: string }) => i.quotaId)).toEqual([quotaIds[2]]);
  });
});
