import pg from 'pg';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { driveReportSchema } from '../../src/modules/reports/reports.schemas.js';
import { WHOLE_DRIVE } from '../../src/modules/reports/reports.table.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { onPostgres } from '../helpers/env.js';
import { createJobPosition } from '../factories/drives.js';
import { buildSmallDrive } from '../factories/reports.js';
import { computeOk, openDriveWithQuotas, registerAll } from '../factories/results.js';

/*
 * After a change to some quotas, the next drive report counts only those quotas again and reuses the
 * others' lines from the report it held: the figures must be those of a report counted from scratch
 * (a new instance, nothing cached), byte for byte, and never the stale ones.
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

type Line = { quotaId: string; candidates: number; applications: number; slots: number; winners: number; rounds: { sat: number; passed: { count: number } | null }[] };
type Report = { totals: Omit<Line, 'quotaId'>; quotas: Line[]; computedAt: string; drive: { name: string } };
type Got = { body: Report; text: string; etag: string };

async function report(driveId: string, http = t.http): Promise<Got> {
  const res = await http.get(`/v1/reports/drives/${driveId}`).set(bearer(t.adminKey));
  expect(res.status, res.text).toBe(200);
  return { body: res.body as Report, text: res.text, etag: res.headers.etag as string };
}

/** The report as counted from scratch: a new instance on the same database, with nothing cached. */
async function fromScratch(driveId: string): Promise<Got> {
  const other = await buildApp({ config: t.config, database: t.database });
  await other.ready();
  try {
    return await report(driveId, supertest(other.server));
  } finally {
    await other.close();
  }
}

/** The body without computedAt: the bytes the figures are written as. */
const figuresOf = (text: string) => text.replace(/,"computedAt":"[^"]*"\}$/, '}');
const line = (r: Got, quotaId: string) => r.body.quotas.find((q) => q.quotaId === quotaId)!;

/** The report equals the one counted from scratch (bytes, tag), and its body is the schema's encoding. */
async function expectAsFromScratch(driveId: string, got: Got) {
  const scratch = await fromScratch(driveId);
  expect(figuresOf(got.text)).toBe(figuresOf(scratch.text));
  expect(got.etag).toBe(scratch.etag);
  const decoded = { ...(JSON.parse(got.text) as Report), computedAt: new Date(got.body.computedAt) };
  expect(got.text).toBe(JSON.stringify(driveReportSchema.encode(decoded as never)));
}

/** The first transaction id not yet assigned: change rows from here on are the next changes'. */
const nextXid = async () => (await t.sql<{ x: string }>(`select pg_snapshot_xmax(pg_current_snapshot())::text as x`))[0]!.x;
const loggedSince = async (driveId: string, xid: string) =>
  (await t.sql<{ q: string }>(`select distinct quota_id::text as q from drive_changes where drive_id = $1 and xid >= $2::text::xid8 order by 1`, [driveId, xid])).map((r) => r.q);

/** A change the log does not see (its table's triggers off): only a report counted in full shows it. */
async function unlogged(table: string, statement: string, params: unknown[]) {
  await t.sql(`alter table ${table} disable trigger user`);
  try {
    await t.sql(statement, params);
  } finally {
    await t.sql(`alter table ${table} enable trigger user`);
  }
}

describe('drive report after a change to some quotas', () => {
  it('when an application is registered in one quota, then the log names that quota and the next report equals one counted from scratch, not the stale one', async () => {
    const d = await openDriveWithQuotas(t, { staffCategory: 'public_employee', preset: 'nd115', slots: [2, 2, 1] });
    const [q1, q2, q3] = d.quotaIds as [string, string, string];
    const [an] = await registerAll(t, d.driveId, [
      { fullName: 'Nguyễn Văn An', quotaId: q1 },
      { fullName: 'Trần Thị Bình', quotaId: q1 },
      { fullName: 'Lê Văn Cường', quotaId: q3 },
    ]);
    const stale = await report(d.driveId);
    expect(stale.body.totals).toMatchObject({ candidates: 3, applications: 3 });

    const since = await nextXid();
    await registerAll(t, d.driveId, [{ fullName: 'Phạm Thị Dung', quotaId: q2 }]);
    expect(await loggedSince(d.driveId, since)).toEqual([q2]);
    const after = await report(d.driveId);
    expect(after.body.computedAt).not.toBe(stale.body.computedAt);
    expect(after.etag).not.toBe(stale.etag);
    expect(after.body.totals).toMatchObject({ candidates: 4, applications: 4 });
    expect(line(after, q2)).toMatchObject({ candidates: 1, applications: 1 });
    expect(line(after, q1)).toEqual(line(stale, q1));
    await expectAsFromScratch(d.driveId, after);

    // A second choice of a candidate already counted: one more application, not one more candidate.
    await registerAll(t, d.driveId, [{ fullName: 'Nguyễn Văn An', quotaId: q2, candidateId: an!.candidateId, choice: 2 }]);
    const nv2 = await report(d.driveId);
    expect(nv2.body.totals).toMatchObject({ candidates: 4, applications: 5 });
    expect(line(nv2, q2)).toMatchObject({ candidates: 2, applications: 2 });
    await expectAsFromScratch(d.driveId, nv2);

    // Withdrawn, the candidate still counts (any status); the quota's line changes.
    const w = await t.http.post(`/v1/applications/${an!.applicationId}/withdraw`).set(bearer(t.adminKey)).send({ reason: 'Rút hồ sơ' });
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    const withdrawn = await report(d.driveId);
    expect(withdrawn.body.totals).toMatchObject({ candidates: 4, applications: 5, withdrawn: 1 });
    await expectAsFromScratch(d.driveId, withdrawn);

    // The candidate's first application gone, its second choice alone counts it.
    await t.sql(`delete from applications where id = $1`, [an!.applicationId]);
    const deleted = await report(d.driveId);
    expect(deleted.body.totals).toMatchObject({ candidates: 4, applications: 4, withdrawn: 0 });
    expect(line(deleted, q1)).toMatchObject({ candidates: 1, applications: 1 });
    await expectAsFromScratch(d.driveId, deleted);
    // And with no application left, not at all.
    await t.sql(`delete from applications where candidate_id = $1`, [an!.candidateId]);
    const gone = await report(d.driveId);
    expect(gone.body.totals).toMatchObject({ candidates: 3, applications: 3 });
    await expectAsFromScratch(d.driveId, gone);
  });

  it('when only some quotas are logged as changed, then only they are counted again and the others’ lines are reused', async () => {
    const d = await buildSmallDrive(t);
    const before = await report(d.driveId);
    // q1's slots change without a change row (triggers off); q2 changes with one.
    await unlogged('quotas', `update quotas set slots = 9 where id = $1`, [d.q1]);
    await t.sql(`update quotas set slots = 2 where id = $1`, [d.q2]);
    const partial = await report(d.driveId);
    expect(line(partial, d.q2).slots).toBe(2);
    expect(line(partial, d.q1).slots).toBe(3);
    expect(partial.body.totals.slots).toBe(5);
    expect(partial.body.computedAt).not.toBe(before.body.computedAt);
    expect(line((await fromScratch(d.driveId)), d.q1).slots).toBe(9);
    // Once q1 is logged too, it is counted again.
    await t.sql(`update quotas set slots = slots where id = $1`, [d.q1]);
    const full = await report(d.driveId);
    expect(line(full, d.q1).slots).toBe(9);
    expect(full.body.totals.slots).toBe(11);
    await expectAsFromScratch(d.driveId, full);
  });

  it('when a quota comes, goes or moves in the report’s order, then the order follows, as from scratch', async () => {
    const d = await openDriveWithQuotas(t, { slots: [1, 1] });
    const [q1, q2] = d.quotaIds as [string, string];
    await registerAll(t, d.driveId, [
      { fullName: 'Nguyễn Văn An', quotaId: q1 },
      { fullName: 'Trần Thị Bình', quotaId: q2 },
    ]);
    const order = (r: Got) => r.body.quotas.map((q) => q.quotaId);
    const first = await report(d.driveId);
    const [a, b] = order(first) as [string, string];
    expect(new Set([a, b])).toEqual(new Set([q1, q2]));

    // The first quota onto a job position whose code sorts last.
    const last = await createJobPosition(t, d.agencyId, { code: 'ZZ-CUOI' });
    await t.sql(`update quotas set job_position_id = $1 where id = $2`, [last, a]);
    const moved = await report(d.driveId);
    expect(order(moved)).toEqual([b, a]);
    await expectAsFromScratch(d.driveId, moved);

    // A new quota on a job position whose code sorts first.
    const firstJp = await createJobPosition(t, d.agencyId, { code: '00-DAU' });
    const [{ id: q3 }] = (await t.sql<{ id: string }>(
      `insert into quotas (id, drive_id, agency_id, job_position_id, year, staff_category, slots)
       select gen_random_uuid(), drive_id, agency_id, $1, year, staff_category, 2 from quotas where id = $2 returning id::text`,
      [firstJp, a],
    )) as [{ id: string }];
    const added = await report(d.driveId);
    expect(order(added)).toEqual([q3, b, a]);
    await expectAsFromScratch(d.driveId, added);

    // b gone, with its application.
    await t.sql(`delete from applications where quota_id = $1`, [b]);
    await t.sql(`delete from quotas where id = $1`, [b]);
    const removed = await report(d.driveId);
    expect(order(removed)).toEqual([q3, a]);
    expect(removed.body.totals).toMatchObject({ candidates: 1, applications: 1, slots: 3 });
    await expectAsFromScratch(d.driveId, removed);
  });

  it('when a mark changes, then the script’s quota (through its application) is logged and counted again', async () => {
    const d = await buildSmallDrive(t);
    const before = await report(d.driveId);
    expect(line(before, d.q1).rounds[0]!.passed!.count).toBe(2);
    const since = await nextXid();
    // Cường's foreign language 10/30 becomes 20/30: he reaches the round-1 gate.
    await t.sql(
      `update scripts set final_score = 20 where application_id = $1 and part_id = (select id from parts where round_id = $2 and code = 'foreign_language')`,
      [d.apps.c, d.round1Id],
    );
    expect(await loggedSince(d.driveId, since)).toEqual([d.q1]);
    const after = await report(d.driveId);
    expect(line(after, d.q1).rounds[0]!.passed!.count).toBe(3);
    expect(after.body.totals.rounds[0]!.passed!.count).toBe(4);
    expect(line(after, d.q2)).toEqual(line(before, d.q2));
    await expectAsFromScratch(d.driveId, after);
  });

  it('when results are recomputed after a change to one quota, then only that quota’s results are logged and the report counts the new winner', async () => {
    const d = await buildSmallDrive(t);
    // Em's round-2 score rises above the gate.
    await t.sql(`update scripts set final_score = 60 where application_id = $1 and round_id = $2`, [d.apps.e, d.round2Id]);
    const before = await report(d.driveId);
    expect(before.body.totals.winners).toBe(2);
    const since = await nextXid();
    await computeOk(t, d.driveId);
    expect(await loggedSince(d.driveId, since)).toEqual([d.q2]);
    const after = await report(d.driveId);
    expect(after.body.totals.winners).toBe(3);
    expect(line(after, d.q2).winners).toBe(1);
    await expectAsFromScratch(d.driveId, after);
  });

  it('when a change is not one quota’s (a part’s pass mark, the drive’s name), then the whole drive is counted again', async () => {
    const d = await buildSmallDrive(t);
    await report(d.driveId);
    await unlogged('quotas', `update quotas set slots = 7 where id = $1`, [d.q1]);
    const since = await nextXid();
    await t.sql(`update parts set pass_mark = 29 where round_id = $1 and code = 'foreign_language'`, [d.round1Id]);
    expect(await loggedSince(d.driveId, since)).toEqual([WHOLE_DRIVE]);
    const afterPart = await report(d.driveId);
    expect(afterPart.body.totals.rounds[0]!.passed!.count).toBe(0);
    // Counted in full: the unlogged change shows too.
    expect(line(afterPart, d.q1).slots).toBe(7);
    await expectAsFromScratch(d.driveId, afterPart);

    await unlogged('quotas', `update quotas set slots = 8 where id = $1`, [d.q1]);
    await t.sql(`update drives set name = 'Kỳ tuyển dụng (đổi tên)' where id = $1`, [d.driveId]);
    const renamed = await report(d.driveId);
    expect(renamed.body.drive.name).toBe('Kỳ tuyển dụng (đổi tên)');
    expect(line(renamed, d.q1).slots).toBe(8);
    await expectAsFromScratch(d.driveId, renamed);
  });

  it('when a statement changes more than 64 quotas at once, then it is logged as one whole-drive change, and the report is counted in full', async () => {
    const d = await openDriveWithQuotas(t, { slots: [1] });
    const [q0] = d.quotaIds as [string];
    // 69 more quotas, each on a job position of its own.
    await t.sql(
      `with jp as (
         insert into job_positions (id, agency_id, code, name, name_search, staff_category)
         select gen_random_uuid(), $1, 'VT-' || i, 'Vị trí ' || i, 'vi tri ' || i, 'civil_servant' from generate_series(1, 69) i
         returning id, agency_id)
       insert into quotas (id, drive_id, agency_id, job_position_id, year, staff_category, slots)
       select gen_random_uuid(), q.drive_id, jp.agency_id, jp.id, q.year, q.staff_category, 1 from jp, quotas q where q.id = $2`,
      [d.agencyId, q0],
    );
    const quotaIds = (await t.sql<{ id: string }>(`select id::text from quotas where drive_id = $1 order by id`, [d.driveId])).map((r) => r.id);
    expect(quotaIds).toHaveLength(70);
    await report(d.driveId);

    let since = await nextXid();
    await t.sql(`update quotas set slots = 2 where id = any($1::uuid[])`, [`{${quotaIds.slice(0, 64).join(',')}}`]);
    expect(await loggedSince(d.driveId, since)).toEqual(quotaIds.slice(0, 64));
    since = await nextXid();
    await t.sql(`update quotas set slots = 3 where drive_id = $1`, [d.driveId]);
    expect(await loggedSince(d.driveId, since)).toEqual([WHOLE_DRIVE]);
    const after = await report(d.driveId);
    expect(after.body.totals.slots).toBe(210);
    await expectAsFromScratch(d.driveId, after);
  });

  it('when another instance registers an application, then this instance’s next report counts it, as from scratch', async () => {
    const d = await openDriveWithQuotas(t, { slots: [2, 1] });
    const [q1, q2] = d.quotaIds as [string, string];
    await registerAll(t, d.driveId, [{ fullName: 'Hoàng Văn Em', quotaId: q1 }]);
    const stale = await report(d.driveId);
    const other = await buildApp({ config: t.config, database: t.database });
    await other.ready();
    try {
      await registerAll({ ...t, http: supertest(other.server) }, d.driveId, [{ fullName: 'Vũ Thị Phương', quotaId: q2 }]);
    } finally {
      await other.close();
    }
    const after = await report(d.driveId);
    expect(after.body.totals.applications).toBe(2);
    expect(after.etag).not.toBe(stale.etag);
    await expectAsFromScratch(d.driveId, after);
  });

  it.skipIf(!onPostgres)('when a change is committed on another connection, then the next report counts it, as from scratch', async () => {
    const d = await buildSmallDrive(t);
    await report(d.driveId);
    const c = new pg.Client({ connectionString: t.config.databaseUrl });
    await c.connect();
    try {
      await c.query('begin');
      await c.query(`update applications set status = 'withdrawn' where id = $1`, [d.apps.e]);
      await c.query(`update quotas set slots = 4 where id = $1`, [d.q1]);
      await c.query('commit');
    } finally {
      await c.end();
    }
    const after = await report(d.driveId);
    expect(after.body.totals).toMatchObject({ withdrawn: 2, slots: 5 });
    await expectAsFromScratch(d.driveId, after);
  });

  it('when several requests arrive together after a change to one quota, then they share one computation, equal to one counted from scratch', async () => {
    const d = await buildSmallDrive(t);
    const stale = await report(d.driveId);
    await t.sql(`update quotas set slots = 2 where id = $1`, [d.q2]);
    const all = await Promise.all(Array.from({ length: 6 }, () => report(d.driveId)));
    expect(new Set(all.map((r) => r.body.computedAt)).size).toBe(1);
    expect(new Set(all.map((r) => r.text)).size).toBe(1);
    expect(all[0]!.body.computedAt).not.toBe(stale.body.computedAt);
    expect(all[0]!.body.totals.slots).toBe(5);
    await expectAsFromScratch(d.driveId, all[0]!);
  });
});
