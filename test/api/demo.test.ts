import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices } from '../../src/app.js';
import { DEMO_CODES, demoClock, loadDemo } from '../../src/cli/demo.js';
import { openSpool, type Spool } from '../../src/crypto/spool.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';

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

describe('the Hà Nội 2023 demo', () => {
  it('when loaded through the services, then the reports give the published figures, and a second run changes nothing', { timeout: 180_000 }, async () => {
    const clock = demoClock();
    const services = buildServices({ database: t.database, clock: clock.now, dataKey: t.config.dataKey, spool });
    const first = await loadDemo(services, clock);
    expect(first.loaded).toBe(true);

    const drive = await t.http.get(`/v1/reports/drives/${first.driveIds.recruitment}`).set(bearer(t.adminKey));
    expect(drive.status).toBe(200);
    expect(drive.body.drive).toMatchObject({ code: DEMO_CODES.recruitment, status: 'published', year: 2023 });
    expect(drive.body.totals).toMatchObject({
      candidates: 854,
      applications: 854,
      slots: 184,
      winners: 150,
      unfilledSlots: 34,
      candidatesPerSlot: { count: 854, of: 184, ratio: 4.64 },
      fillRate: { count: 150, of: 184, percent: 81.5 },
    });

    const lead = await t.http.get('/v1/reports/leadership?year=2023').set(bearer(t.adminKey));
    expect(lead.status).toBe(200);
    expect(lead.body).toMatchObject({
      titlesApproved: 76,
      agencies: 46,
      examined: { count: 67, of: 76, percent: 88.2 },
      withWinner: { count: 65, of: 67, percent: 97 },
      withoutWinner: { count: 2, of: 67, percent: 3 },
      notHeld: { count: 0, of: 76, percent: 0 },
      pending: { count: 9, of: 76, percent: 11.8 },
    });
    expect(lead.body.drives.map((d: { code: string; titles: number }) => [d.code, d.titles]).sort()).toEqual(
      [
        [DEMO_CODES.pilot, 69],
        [DEMO_CODES.subPilot, 7],
      ].sort(),
    );

    // The rows behind the figures.
    const [rows] = await t.sql<{ candidates: number; winners: number; approved: number }>(
      `select (select count(distinct candidate_id)::int from applications where drive_id = $1) as candidates,
              (select count(*)::int from results where drive_id = $2 and outcome = 'winner') as winners,
              (select count(*)::int from drive_transitions where drive_id = $3 and "to" = 'approved') as approved`,
      [first.driveIds.recruitment, first.driveIds.recruitment, first.driveIds.recruitment],
    );
    expect(rows).toEqual({ candidates: 854, winners: 150, approved: 1 });

    const counts = async () => (await t.sql<{ n: number }>(`select (select count(*) from agencies) + (select count(*) from applications) + (select count(*) from drives) as n`))[0]!.n;
    const before = await counts();
    const second = await loadDemo(services, demoClock());
    expect(second).toMatchObject({ loaded: false, driveIds: first.driveIds });
    expect(await counts()).toBe(before);
  });
});
