import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices } from '../../src/app.js';
import type { Caller } from '../../src/context.js';
import { openSpool, type Spool } from '../../src/crypto/spool.js';
import { AppError } from '../../src/errors.js';
import { systemActor } from '../../src/modules/audit/audit.writer.js';
import { createResultsRepository } from '../../src/modules/results/results.repository.js';
import { createResultsService } from '../../src/modules/results/results.service.js';
import { bearer, setupApp, TEST_DATA_KEY, type TestApp } from '../helpers/app.js';
import { computeOk, openDriveWithQuotas, registerAll, round2, scoredRound, toMarking } from '../factories/results.js';

/*
 * A recruitment drive without second choices is computed group of quotas by group (each group's
 * applications read on their own): the stored results must be exactly those of the drive computed
 * at once, and an error must still name everything wrong in the whole drive.
 */

let t: TestApp;
let spool: Spool;
beforeAll(async () => {
  t = await setupApp();
  spool = await openSpool(t.config.spoolDir);
});
afterAll(async () => {
  await spool.close();
  await t.close();
});

const caller: Caller = { actor: systemActor('results grouped test'), role: 'admin', scopePath: null, scopeAgencyId: null };

/** The results service computing groups of about `size` applications; `reads` records the quotas of each application read (undefined: the whole drive). */
function groupedService(size: number) {
  const { db } = t.database;
  const services = buildServices({ database: t.database, clock: () => new Date(), dataKey: TEST_DATA_KEY, spool });
  const repo = createResultsRepository(db);
  const reads: (readonly string[] | undefined)[] = [];
  const spied: typeof repo = {
    ...repo,
    applicationsWithScores: (driveId, rounds, tx, quotaIds) => {
      reads.push(quotaIds);
      return repo.applicationsWithScores(driveId, rounds, tx, quotaIds);
    },
  };
  const service = createResultsService({ db, repo: spied, drives: services.drives, clock: () => new Date(), groupApplications: size });
  return { reads, compute: (driveId: string) => service.compute(caller, driveId, undefined, { dryRun: false }) };
}

/** Four quotas of 5, 3, 4 and 2 applications, with ties and failures, in marking. */
async function examined() {
  const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd138', slots: [2, 1, 2, 1] });
  const scores = [
    ['80.00', '70.00', '70.00', '60.00', '40.00'],
    ['55.00', '55.00', '90.00'],
    ['65.00', '30.00', '75.50', '65.00'],
    ['49.00', '88.25'],
  ];
  const people = scores.flatMap((list, q) => list.map((_, i) => ({ fullName: `Nguyễn Văn Nhóm ${q}${String.fromCharCode(65 + i)}`, quotaId: quotaIds[q]! })));
  const ids = (await registerAll(t, driveId, people)).map((a) => a.applicationId);
  await toMarking(t, driveId);
  const all = scores.flat();
  await scoredRound(
    t,
    driveId,
    round2(),
    ids.map((applicationId, i) => ({ applicationId, partCode: 'professional', score: all[i]! })),
  );
  return { driveId, quotaIds, ids };
}

/** Everything stored of the drive's results but ids and times: equal content gives equal rows. */
async function storedContent(driveId: string) {
  const rows = await t.sql(
    `select quota_id, application_id, choice, outcome, rank, winner_slot, quota_slots, ranking_score::text, raw_score::text,
            priority_points::text, decided_by, position, explanation::text, fingerprint
       from results where drive_id = $1 order by application_id`,
    [driveId],
  );
  const quotas = await t.sql(
    `select quota_id, status, slots, winners, tied_application_ids::text, open_slots_in_tie, reserve_ties::text, passed_count, candidate_count, explanation
       from quota_results where drive_id = $1 order by quota_id`,
    [driveId],
  );
  return { rows, quotas };
}

/** The drive's results as the API lists them, without result ids and computation times. */
async function listed(driveId: string) {
  const res = await t.http.get(`/v1/drives/${driveId}/results?limit=500`).set(bearer(t.adminKey));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return JSON.parse(JSON.stringify(res.body.items), (k, v: unknown) => (k === 'resultId' || k === 'computedAt' ? undefined : v)) as unknown;
}

async function clear(driveId: string) {
  await t.sql('delete from results where drive_id = $1', [driveId]);
  await t.sql('delete from quota_results where drive_id = $1', [driveId]);
}

describe('computing results group of quotas by group', () => {
  it('when the drive is larger than a group, then each group is read on its own and the results are exactly those computed at once', async () => {
    const { driveId, quotaIds } = await examined();
    await computeOk(t, driveId); // 14 applications: one group of the whole drive
    const whole = await storedContent(driveId);
    const wholeListed = await listed(driveId);
    expect(whole.rows).toHaveLength(14);
    expect(whole.quotas).toHaveLength(4);

    await clear(driveId);
    const grouped = groupedService(4);
    await grouped.compute(driveId);
    // Quotas of 5 | 3 + 4 | 2 applications, in quota order: three reads, each of its own quotas.
    expect(grouped.reads).toHaveLength(3);
    expect(grouped.reads.every((q) => q !== undefined)).toBe(true);
    expect(grouped.reads.flatMap((q) => [...q!]).sort()).toEqual([...quotaIds].sort());
    expect(await storedContent(driveId)).toEqual(whole);
    expect(await listed(driveId)).toEqual(wholeListed);

    // A grouped recomputation over stored results changes nothing, row versions included.
    const version = async () => t.sql('select id, xmin::text as v from results where drive_id = $1 order by id', [driveId]);
    const before = await version();
    await grouped.compute(driveId);
    expect(await version()).toEqual(before);

    // A corrected score and a withdrawal, recomputed grouped, give what a computation at once gives.
    const [first] = (await t.sql<{ application_id: string }>(`select application_id from results where drive_id = $1 and outcome = 'winner' order by application_id limit 1`, [driveId])).map((r) => r.application_id);
    const withdrawn = await t.http.post(`/v1/applications/${first}/withdraw`).set(bearer(t.adminKey)).send({ reason: 'Thí sinh xin rút' });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    await t.sql(
      `update scripts set final_score = 99 where application_id = (select id from applications where drive_id = $1 and quota_id = $2 and status <> 'withdrawn' order by id desc limit 1)`,
      [driveId, quotaIds[3]],
    );
    await grouped.compute(driveId);
    const regrouped = await storedContent(driveId);
    expect(regrouped.rows).toHaveLength(13);
    await clear(driveId);
    await computeOk(t, driveId);
    expect(await storedContent(driveId)).toEqual(regrouped);
  });

  it('when scripts lack a final score in two groups, then the error names both, as for the drive computed at once', async () => {
    const { driveId, quotaIds } = await examined();
    await t.sql(
      `update scripts set final_score = null
        where application_id in (select distinct on (quota_id) id from applications where drive_id = $1 and quota_id in ($2, $3) order by quota_id, id)`,
      [driveId, quotaIds[0], quotaIds[3]],
    );
    const grouped = groupedService(4);
    const err = await grouped.compute(driveId).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('results.scores_incomplete');
    expect((err as AppError).extras.count).toBe(2);
    expect(grouped.reads.filter((q) => q !== undefined).length).toBeGreaterThanOrEqual(1);
    expect(await t.sql('select 1 from results where drive_id = $1', [driveId])).toHaveLength(0);
  });
});
