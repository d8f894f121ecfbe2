import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createOpenDrive, transitionDrive } from '../factories/drives.js';
import { computeOk, openDriveWithQuotas, registerAll, round2, scoredRound, toMarking, workflow } from '../factories/results.js';
import { createWebhook } from '../factories/webhooks.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';

/*
 * A drive's timeline through the API, against dates worked out by hand. The calendar is the seeded
 * one (migrations/0027_calendar_seed.sql): 2026 as fixed by 9441/TB-BNV (Tết Mon 16 – Fri 20 Feb;
 * Sat 22 Aug worked for Mon 31 Aug; 1–2 Sep), plus the Labour Code days (1 Jan; 30 Apr; 1 May;
 * Hùng Kings Sun 26 Apr 2026 → compensatory Mon 27 Apr). 2027 is not fixed yet: Tết defaults to
 * Fri 5 – Tue 9 Feb 2027 with Sat 6 and Sun 7 compensated on Wed 10 and Thu 11, so 5–11 Feb 2027
 * are not working days, and a count crossing them is `provisional`.
 *
 * Periods: the day of the starting event is not counted (Civil Code Art. 147(1)); calendar days
 * ending on a rest day or holiday move to the next working day (Art. 148(5)).
 */

type Step = { step: string; article: string; dueOn: string | null; nominalDueOn: string | null; status: string; metOn: string | null; late: boolean; provisional: boolean; basis: { event: string | null; date: string | null }; adjustments: string[] };
type Timeline = { preset: string; today: string; steps: Step[]; events: { event: string; date: string; source: string }[]; overdue: number };

let today = '2027-02-08';
const clock = () => new Date(`${today}T03:00:00Z`); // 10:00 in Việt Nam

let t: TestApp;
beforeAll(async () => {
  t = await setupApp({ clock, env: { TIMELINE_SWEEP_INTERVAL_MS: '0' } });
});
afterAll(async () => {
  await t?.close();
});

async function record(driveId: string, events: Record<string, string>, key = t.adminKey) {
  for (const [event, date] of Object.entries(events)) {
    const res = await t.http.put(`/v1/drives/${driveId}/timeline/events/${event}`).set(bearer(key)).send({ date, reference: `TB-${event}` });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
}
async function timelineOf(driveId: string, key = t.adminKey): Promise<Timeline> {
  const res = await t.http.get(`/v1/drives/${driveId}/timeline`).set(bearer(key));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Timeline;
}
const table = (tl: Timeline) => Object.fromEntries(tl.steps.map((s) => [s.step, { dueOn: s.dueOn, status: s.status, metOn: s.metOn, late: s.late }]));

describe('GET /v1/drives/{id}/timeline', () => {
  it('170 as amended by 300: every date, from the events the drive records and those recorded', async () => {
    today = '2027-02-08';
    const { driveId } = await createOpenDrive(t, { preset: 'nd170-300', registrationOpensOn: '2026-09-16', registrationClosesOn: '2026-10-16' });
    await transitionDrive(t, driveId, 'closed'); // registration_closed: the closing date, Fri 16 Oct 2026 (the service's own record)
    await record(driveId, {
      eligible_list_published: '2026-10-30',
      round1_held: '2026-11-08',
      round2_held: '2026-11-15',
      written_results_published: '2026-11-27',
      remarking_completed: '2026-12-11',
      results_submitted: '2026-12-17',
      results_approved: '2026-12-30',
      results_published: '2027-01-04',
      dossiers_completed: '2027-01-19',
      recruitment_decided: '2027-01-22',
      decision_received: '2027-01-25',
    });
    const tl = await timelineOf(driveId);
    expect(tl.preset).toBe('nd170-300');
    expect(tl.events.find((e) => e.event === 'registration_closed')).toMatchObject({ date: '2026-10-16', source: 'service' });
    expect(table(tl)).toEqual({
      // 170 Art. 16(2): Fri 16 Oct + 15 days = Sat 31 Oct → Mon 2 Nov (Art. 148(5)).
      eligible_list: { dueOn: '2026-11-02', status: 'met', metOn: '2026-10-30', late: false },
      // Art. 16(3)(a): + 30 days = Sun 15 Nov → Mon 16 Nov.
      round1: { dueOn: '2026-11-16', status: 'met', metOn: '2026-11-08', late: false },
      // Art. 16(4)(a): Sun 8 Nov + 10 days = Wed 18 Nov.
      round2: { dueOn: '2026-11-18', status: 'met', metOn: '2026-11-15', late: false },
      // Art. 16(4)(b): Sun 15 Nov + 15 days = Mon 30 Nov.
      written_results: { dueOn: '2026-11-30', status: 'met', metOn: '2026-11-27', late: false },
      // Art. 16(4)(c): only after a computer test, none recorded.
      interview: { dueOn: null, status: 'pending', metOn: null, late: false },
      // Appeals: Fri 27 Nov + 5 working days = Fri 4 Dec; closed by itself.
      appeals: { dueOn: '2026-12-04', status: 'met', metOn: '2026-12-04', late: false },
      // Re-marking: 4 Dec + 10 days = Mon 14 Dec.
      remarking: { dueOn: '2026-12-14', status: 'met', metOn: '2026-12-11', late: false },
      // Art. 17(1): marking (re-marking included) done Fri 11 Dec + 5 working days = Fri 18 Dec.
      council_report: { dueOn: '2026-12-18', status: 'met', metOn: '2026-12-17', late: false },
      // Art. 17(1): Thu 17 Dec + 5 working days = Thu 24 Dec; approved Wed 30 Dec, late.
      approval: { dueOn: '2026-12-24', status: 'met', metOn: '2026-12-30', late: true },
      // Art. 17(2): Wed 30 Dec + 2 working days: Thu 31 Dec, (Fri 1 Jan holiday) Mon 4 Jan 2027.
      publication: { dueOn: '2027-01-04', status: 'met', metOn: '2027-01-04', late: false },
      // 300 Art. 5: Mon 4 Jan + 15 days = Tue 19 Jan.
      dossier: { dueOn: '2027-01-19', status: 'met', metOn: '2027-01-19', late: false },
      // 300 Art. 6: 19 Jan + 3 working days = Fri 22 Jan.
      decision: { dueOn: '2027-01-22', status: 'met', metOn: '2027-01-22', late: false },
      // 300 Art. 6: received Mon 25 Jan + 15 days = Tue 9 Feb (Tết) → Wed 10, Thu 11 compensatory → Fri 12 Feb.
      // Today Mon 8 Feb (Tết): one working day (Fri 12) to go, within 2 → due soon.
      take_up: { dueOn: '2027-02-12', status: 'due_soon', metOn: null, late: false },
    });
    const takeUp = tl.steps.find((s) => s.step === 'take_up')!;
    expect(takeUp).toMatchObject({ article: '170/2025 Art. 19(2) as amended by 300/2026 Art. 6', nominalDueOn: '2027-02-09', provisional: true });
    expect(tl.steps.find((s) => s.step === 'eligible_list')!.article).toBe('170/2025 Art. 16(2)');
    expect(tl.overdue).toBe(0);
  });

  it('170 as issued crossing 2027-01-31: after-results steps still open follow 300 (300 Art. 35(1))', async () => {
    today = '2027-02-17';
    const { driveId } = await createOpenDrive(t, { preset: 'nd170', registrationOpensOn: '2026-10-01', registrationClosesOn: '2026-10-31' });
    await transitionDrive(t, driveId, 'closed'); // Sat 31 Oct 2026
    await record(driveId, { results_submitted: '2027-01-08', results_approved: '2027-01-18', results_published: '2027-01-20', dossiers_completed: '2027-02-03' });
    const tl = await timelineOf(driveId);
    const s = table(tl);
    // 170 Art. 16(2): Sat 31 Oct + 15 days = Sun 15 Nov → Mon 16 Nov; nothing recorded since: overdue.
    expect(s.eligible_list).toEqual({ dueOn: '2026-11-16', status: 'overdue', metOn: null, late: false });
    // Art. 16(3)(a): + 30 days = Mon 30 Nov, overdue.
    expect(s.round1).toEqual({ dueOn: '2026-11-30', status: 'overdue', metOn: null, late: false });
    // Art. 17(1): Fri 8 Jan + 5 working days = Fri 15 Jan; approved Mon 18 Jan, late.
    expect(s.approval).toEqual({ dueOn: '2027-01-15', status: 'met', metOn: '2027-01-18', late: true });
    // Art. 17(2): Mon 18 Jan + 2 working days = Wed 20 Jan.
    expect(s.publication).toEqual({ dueOn: '2027-01-20', status: 'met', metOn: '2027-01-20', late: false });
    // Dossier: 170 Art. 18(1) gives Wed 20 Jan + 20 days = Tue 9 Feb, after 31 Jan → 300 Art. 5: + 15 days = Thu 4 Feb.
    expect(s.dossier).toEqual({ dueOn: '2027-02-04', status: 'met', metOn: '2027-02-03', late: false });
    // Decision: 170 Art. 19(1) 5 working days from Thu 4 Feb = Thu 18 Feb (Tết 5–11 Feb skipped) → 300 Art. 6:
    // 3 working days: Fri 12, Mon 15, Tue 16 Feb; not made by today, Wed 17 Feb: overdue.
    expect(s.decision).toEqual({ dueOn: '2027-02-16', status: 'overdue', metOn: null, late: false });
    // Taking up the post: under 300 it runs from receipt of the decision, not yet → pending.
    expect(s.take_up).toEqual({ dueOn: null, status: 'pending', metOn: null, late: false });
    const dossier = tl.steps.find((x) => x.step === 'dossier')!;
    expect(dossier.article).toBe('170/2025 Art. 18(1) as amended by 300/2026 Art. 5; 300/2026 Art. 35(1)');
    expect(dossier.adjustments[0]).toMatch(/300\/2026 Art\. 35\(1\)/);
    expect(tl.steps.find((x) => x.step === 'publication')!.article).toBe('170/2025 Art. 17(2)');
    expect(tl.overdue).toBe(3);
  });

  it('115 as amended by 85: every date', async () => {
    today = '2026-10-16';
    const { driveId } = await createOpenDrive(t, { staffCategory: 'public_employee', preset: 'nd115', registrationOpensOn: '2026-03-10', registrationClosesOn: '2026-04-09' });
    await record(driveId, {
      council_formed: '2026-04-24',
      form_check_board_formed: '2026-04-29',
      summons_sent: '2026-05-15',
      round1_held: '2026-05-31',
      round1_marked: '2026-06-05',
      round2_summons_sent: '2026-06-12',
      round2_held: '2026-06-28',
      marking_completed: '2026-08-20',
      results_submitted: '2026-08-26',
      results_approved: '2026-08-26',
      results_published: '2026-09-04',
      notice_received: '2026-09-07',
      dossiers_completed: '2026-10-02',
    });
    const tl = await timelineOf(driveId);
    expect(tl.preset).toBe('nd115');
    expect(table(tl)).toEqual({
      // 115 Art. 15(2): Fri 24 Apr + 5 working days; Mon 27 Apr (Hùng Kings compensatory), Thu 30 Apr, Fri 1 May off:
      // Tue 28, Wed 29, Mon 4, Tue 5, Wed 6 May.
      form_check_board: { dueOn: '2026-05-06', status: 'met', metOn: '2026-04-29', late: false },
      // Art. 15(3)(a): Fri 15 May + 15 days = Sat 30 May → Mon 1 Jun.
      round1: { dueOn: '2026-06-01', status: 'met', metOn: '2026-05-31', late: false },
      // Art. 15(3)(c): Fri 5 Jun + 5 working days = Fri 12 Jun.
      round2_summons: { dueOn: '2026-06-12', status: 'met', metOn: '2026-06-12', late: false },
      // Art. 15(3)(c): Fri 12 Jun + 15 days = Sat 27 Jun → Mon 29 Jun.
      round2: { dueOn: '2026-06-29', status: 'met', metOn: '2026-06-28', late: false },
      // Art. 16(1): Thu 20 Aug + 5 working days: Fri 21, Sat 22 (worked, 9441/TB-BNV), Mon 24, Tue 25, Wed 26.
      council_report: { dueOn: '2026-08-26', status: 'met', metOn: '2026-08-26', late: false },
      // Art. 16(2): Wed 26 Aug + 10 days = Sat 5 Sep → Mon 7 Sep.
      publication: { dueOn: '2026-09-07', status: 'met', metOn: '2026-09-04', late: false },
      // Art. 17(1): Mon 7 Sep + 30 days = Wed 7 Oct.
      dossier: { dueOn: '2026-10-07', status: 'met', metOn: '2026-10-02', late: false },
      // Art. 18(1): Fri 2 Oct + 15 days = Sat 17 Oct → Mon 19 Oct; today Fri 16 Oct: one working day → due soon.
      decision: { dueOn: '2026-10-19', status: 'due_soon', metOn: null, late: false },
      // Art. 18(2): from receipt of the decision, not yet.
      take_up: { dueOn: null, status: 'pending', metOn: null, late: false },
    });
    expect(tl.steps.find((s) => s.step === 'dossier')!.article).toBe('115/2020 Art. 17(1) as amended by 85/2023');
  });

  it('is scoped: a key of another agency sees 404; before registration closes every step is pending', async () => {
    today = '2026-10-16';
    const { driveId } = await createOpenDrive(t, { preset: 'nd170-300', registrationOpensOn: '2026-09-16', registrationClosesOn: '2026-10-16' });
    const other = await createOpenDrive(t, { preset: 'nd170-300', registrationOpensOn: '2026-09-16', registrationClosesOn: '2026-10-16' });
    const outsider = await t.keyFor('organizer', other.agencyId);
    const res = await t.http.get(`/v1/drives/${driveId}/timeline`).set(bearer(outsider));
    expect(res.status).toBe(404);
    const put = await t.http.put(`/v1/drives/${driveId}/timeline/events/round1_held`).set(bearer(outsider)).send({ date: '2026-10-10' });
    expect(put.status).toBe(404);
    // Registration still open: its close is not an event yet, so nothing has a date.
    const tl = await timelineOf(driveId);
    expect(tl.steps.every((s) => s.status === 'pending')).toBe(true);
  });

  it('refuses an event dated after today or before the calendar, an unknown event, a decision not yet made', async () => {
    today = '2026-10-16';
    const { driveId } = await createOpenDrive(t, { preset: 'nd170-300', registrationOpensOn: '2026-09-16', registrationClosesOn: '2026-10-16' });
    const future = await t.http.put(`/v1/drives/${driveId}/timeline/events/round1_held`).set(bearer(t.adminKey)).send({ date: '2026-10-17' });
    expect(future.status).toBe(422);
    expect(future.body.code).toBe('timeline.event_in_future');
    const unknown = await t.http.put(`/v1/drives/${driveId}/timeline/events/lunch_served`).set(bearer(t.adminKey)).send({ date: '2026-10-10' });
    expect(unknown.status).toBe(400);
    // Before the working-day calendar (2021, the Labour Code 2019): no period can be counted from it.
    const early = await t.http.put(`/v1/drives/${driveId}/timeline/events/round1_held`).set(bearer(t.adminKey)).send({ date: '2019-05-05' });
    expect(early.status).toBe(422);
    expect(early.body.code).toBe('calendar.out_of_range');
    const decision = await t.http
      .post(`/v1/drives/${driveId}/timeline/extensions`)
      .set(bearer(t.adminKey))
      .send({ step: 'remarking', decisionNumber: '3/QĐ-HĐTD', decisionDate: '2026-10-20' });
    expect(decision.status).toBe(422);
    expect(decision.body.code).toBe('timeline.decision_in_future');
  });
});

describe('POST /v1/drives/{id}/timeline/extensions', () => {
  it("the chair's decision moves the re-marking due date; audited; refused where the decree gives none", async () => {
    today = '2026-12-07';
    const { driveId, agencyId } = await createOpenDrive(t, { preset: 'nd170-300', registrationOpensOn: '2026-09-16', registrationClosesOn: '2026-10-16' });
    await record(driveId, { written_results_published: '2026-11-27' });
    const before = (await timelineOf(driveId)).steps.find((s) => s.step === 'remarking')!;
    // Appeal window ends Fri 4 Dec; + 10 days = Mon 14 Dec (170 Art. 16(4)(b)).
    expect(before.dueOn).toBe('2026-12-14');

    const council = await t.keyFor('council', agencyId);
    const res = await t.http
      .post(`/v1/drives/${driveId}/timeline/extensions`)
      .set(bearer(council))
      .send({ step: 'remarking', decisionNumber: '07/QĐ-HĐTD', decisionDate: '2026-12-07' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ step: 'remarking', decisionNumber: '07/QĐ-HĐTD', decisionDate: '2026-12-07' });
    const after = (await timelineOf(driveId)).steps.find((s) => s.step === 'remarking')!;
    // + 20 days from Fri 4 Dec = Thu 24 Dec.
    expect(after).toMatchObject({ dueOn: '2026-12-24', period: { days: 20, unit: 'calendar_days' }, extension: { decisionNumber: '07/QĐ-HĐTD' } });
    expect(after.adjustments[0]).toMatch(/07\/QĐ-HĐTD/);

    const audit = await t.sql<{ action: string }>(`select action from audit_events where drive_id = $1 and action like 'drive.timeline%' order by occurred_at`, [driveId]);
    expect(audit.map((a) => a.action)).toEqual(['drive.timeline_event_recorded', 'drive.timeline_extended']);

    const again = await t.http
      .post(`/v1/drives/${driveId}/timeline/extensions`)
      .set(bearer(council))
      .send({ step: 'remarking', decisionNumber: '08/QĐ-HĐTD', decisionDate: '2026-12-07' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('timeline.extension_exists');
    // Round 1 within 45 days needs 500 or more registrants (170 Art. 16(3)(a)).
    const round1 = await t.http
      .post(`/v1/drives/${driveId}/timeline/extensions`)
      .set(bearer(council))
      .send({ step: 'round1', decisionNumber: '09/QĐ-HĐTD', decisionDate: '2026-12-07' });
    expect(round1.status).toBe(422);
    expect(round1.body.code).toBe('timeline.extension_not_allowed');
    // A registrar may not record a decision.
    const registrar = await t.keyFor('registrar', agencyId);
    const forbidden = await t.http
      .post(`/v1/drives/${driveId}/timeline/extensions`)
      .set(bearer(registrar))
      .send({ step: 'written_results', decisionNumber: '10/QĐ-HĐTD', decisionDate: '2026-12-07' });
    expect(forbidden.status).toBe(403);
  });

  it('115 gives the chair no extension', async () => {
    today = '2026-10-16';
    const { driveId } = await createOpenDrive(t, { staffCategory: 'public_employee', preset: 'nd115', registrationOpensOn: '2026-03-10', registrationClosesOn: '2026-04-09' });
    const res = await t.http
      .post(`/v1/drives/${driveId}/timeline/extensions`)
      .set(bearer(t.adminKey))
      .send({ step: 'remarking', decisionNumber: '1/QĐ', decisionDate: '2026-10-01' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('timeline.extension_not_applicable');
  });
});

describe('due-soon and overdue alerts', () => {
  it('an overdue step raises drive.deadline_overdue exactly once across sweeps and instances', async () => {
    // Today Fri 20 Nov 2026: registration closed Fri 16 Oct; eligible list due Mon 2 Nov and round 1
    // due Mon 16 Nov, neither met: both overdue (170 Art. 16(2), 16(3)(a)).
    today = '2026-11-20';
    const s = await setupApp({ clock: () => new Date('2026-11-20T03:00:00Z'), env: { TIMELINE_SWEEP_INTERVAL_MS: '100' } });
    try {
      await createWebhook(s, { url: 'http://127.0.0.1:9/hook', eventTypes: ['drive.deadline_overdue', 'drive.deadline_due_soon'] });
      const { driveId } = await createOpenDrive(s, { preset: 'nd170-300', registrationOpensOn: '2026-09-16', registrationClosesOn: '2026-10-16' });
      await transitionDrive(s, driveId, 'closed');
      // A second instance on the same database sweeps too.
      const second = await buildApp({ config: s.config, database: s.database, clock: () => new Date('2026-11-20T03:00:00Z') });
      await second.ready();
      const count = async () =>
        s.sql<{ type: string; step: string; n: number }>(
          `select type, payload->'object'->>'step' as step, count(*)::int as n from webhook_events where drive_id = $1 group by 1, 2 order by 2`,
          [driveId],
        );
      const until = Date.now() + 10_000;
      while ((await count()).length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      // Several more sweeps of both instances.
      await new Promise((r) => setTimeout(r, 600));
      await second.close();
      expect(await count()).toEqual([
        { type: 'drive.deadline_overdue', step: 'eligible_list', n: 1 },
        { type: 'drive.deadline_overdue', step: 'round1', n: 1 },
      ]);
      const alerts = await s.sql<{ step: string; kind: string; due_on: string }>(
        `select step, kind, to_char(due_on, 'YYYY-MM-DD') as due_on from drive_timeline_alerts where drive_id = $1 order by step`,
        [driveId],
      );
      expect(alerts).toEqual([
        { step: 'eligible_list', kind: 'overdue', due_on: '2026-11-02' },
        { step: 'round1', kind: 'overdue', due_on: '2026-11-16' },
      ]);
      const audited = await s.sql<{ n: number }>(`select count(*)::int as n from audit_events where drive_id = $1 and action = 'drive.deadline_overdue'`, [driveId]);
      expect(audited[0]!.n).toBe(2);
      // The drive's timeline counts them.
      const tl = (await s.http.get(`/v1/drives/${driveId}/timeline`).set(bearer(s.adminKey))).body as Timeline;
      expect(tl.overdue).toBe(2);
    } finally {
      await s.close();
    }
  });
});

describe('events the service records itself', () => {
  it('closing, rounds held and locked, results submitted, approved and published start and meet the steps', async () => {
    // A real clock: the drive is run today, and the periods are checked against the calendar's own count.
    const s = await setupApp({ env: { TIMELINE_SWEEP_INTERVAL_MS: '0' } });
    try {
      const { driveId, quotaIds } = await openDriveWithQuotas(s, { preset: 'nd170-300', slots: [1] });
      const apps = await registerAll(s, driveId, [
        { fullName: 'Nguyễn Văn An', quotaId: quotaIds[0]! },
        { fullName: 'Trần Thị Bình', quotaId: quotaIds[0]! },
      ]);
      await toMarking(s, driveId);
      const todayVn = (await s.http.get(`/v1/drives/${driveId}/timeline`).set(bearer(s.adminKey))).body.today as string;
      await scoredRound(s, driveId, { ...round2(), order: 1, code: 'r1', scheduledOn: todayVn }, [
        { applicationId: apps[0]!.applicationId, partCode: 'professional', score: '80' },
        { applicationId: apps[1]!.applicationId, partCode: 'professional', score: '60' },
      ]);
      await computeOk(s, driveId);
      expect((await workflow(s, driveId, 'submit')).status).toBe(200);
      expect((await workflow(s, driveId, 'approve')).status).toBe(200);
      expect((await workflow(s, driveId, 'publish')).status).toBe(200);

      const tl = (await s.http.get(`/v1/drives/${driveId}/timeline`).set(bearer(s.adminKey))).body as Timeline;
      const ev = Object.fromEntries(tl.events.map((e) => [e.event, e]));
      // Closed today, before the announced closing day: the period runs from today.
      expect(ev.registration_closed).toMatchObject({ date: todayVn, source: 'service' });
      expect(ev.round1_held).toMatchObject({ date: todayVn, source: 'service' });
      for (const e of ['marking_completed', 'results_submitted', 'results_approved', 'results_published']) expect(ev[e]).toMatchObject({ date: todayVn, source: 'service' });
      const step = (k: string) => tl.steps.find((x) => x.step === k)!;
      const deadline = async (days: number, unit: string) =>
        (await s.http.get(`/v1/calendar/deadline?from=${todayVn}&days=${days}&unit=${unit}`).set(bearer(s.adminKey))).body.endsOn as string;
      expect(step('round1')).toMatchObject({ dueOn: await deadline(30, 'calendar_days'), status: 'met', metOn: todayVn });
      expect(step('council_report')).toMatchObject({ dueOn: await deadline(5, 'working_days'), status: 'met', metOn: todayVn });
      expect(step('approval')).toMatchObject({ dueOn: await deadline(5, 'working_days'), status: 'met', metOn: todayVn });
      expect(step('publication')).toMatchObject({ dueOn: await deadline(2, 'working_days'), status: 'met', metOn: todayVn });
      // 300 Art. 5: 15 days from publication; not met yet.
      expect(step('dossier')).toMatchObject({ dueOn: await deadline(15, 'calendar_days'), metOn: null });
      expect(['upcoming', 'due_soon']).toContain(step('dossier').status);
    } finally {
      await s.close();
    }
  });
});
