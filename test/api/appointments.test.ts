import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createAgency } from '../factories/agencies.js';
import { createWebhook } from '../factories/webhooks.js';
import { computeOk, openDriveWithQuotas, registerAll, round2, scoredRound, toMarking, workflow } from '../factories/results.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';

/*
 * The winners' path to appointment through the API. Each drive is run today (real clock), then the
 * publication of the winners' list is recorded as Fri 2026-12-04 and the clock moved to the day each
 * test speaks of. The calendar is the seeded one (2026 fixed by 9441/TB-BNV; 2027 Labour Code
 * defaults): no holiday falls in December 2026; Fri 1 Jan 2027 is New Year.
 * Civil Code Art. 147(1): the starting day is not counted; Art. 148(5): a period of calendar days
 * ending on a rest day ends on the next working day.
 */

let now: string | null = null;
const clock = () => (now ? new Date(`${now}T03:00:00Z`) : new Date());

let t: TestApp;
let approver: string;
const decision = (n: number) => ({ number: `${n}/QĐ-UBND`, date: now! });
beforeAll(async () => {
  t = await setupApp({ clock, env: { TIMELINE_SWEEP_INTERVAL_MS: '0' } });
  approver = await t.keyFor('approver');
});
afterAll(async () => {
  await t?.close();
});

type Step = { step: string; dueOn: string | null; status: string; metOn: string | null; article: string };
type Appointment = {
  id: string;
  applicationId: string;
  basis: string;
  status: string;
  steps: Step[];
  strikeOff: { on: string; ground: string; mode: string; decision: unknown } | null;
  replacement: { rule: string; listDueOn: string | null; listOverdue: boolean; decision: { recruit: boolean; listPublishedOn: string | null } | null; calledAppointmentId: string | null } | null;
  startsFrom: { publishedOn: string | null };
};

/** A drive of `preset` with one place and three registrants (80, 70, 60), results published; the list's publication recorded on Fri 2026-12-04. */
async function publishedDrive(preset: 'nd170' | 'nd170-300' | 'nd115', scores = ['80', '70', '60']) {
  now = null;
  const { driveId, agencyId, quotaIds } = await openDriveWithQuotas(t, { preset, slots: [1], ...(preset === 'nd115' ? { staffCategory: 'public_employee' as const } : {}) });
  const names = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Văn Cường', 'Phạm Thị Dung'];
  const apps = await registerAll(t, driveId, scores.map((_, i) => ({ fullName: names[i]!, quotaId: quotaIds[0]! })));
  await toMarking(t, driveId);
  const todayVn = (await t.http.get(`/v1/drives/${driveId}/timeline`).set(bearer(t.adminKey))).body.today as string;
  await scoredRound(
    t,
    driveId,
    { ...round2(), order: 1, code: 'r1', scheduledOn: todayVn },
    apps.map((a, i) => ({ applicationId: a.applicationId, partCode: 'professional', score: scores[i]! })),
  );
  await computeOk(t, driveId);
  for (const step of ['submit', 'approve', 'publish'] as const) expect((await workflow(t, driveId, step, t.adminKey, step === 'approve' ? { decision: { number: '1/QĐ', date: todayVn } } : {})).status).toBe(200);
  now = '2026-12-04';
  const rec = await t.http.put(`/v1/drives/${driveId}/timeline/events/results_published`).set(bearer(t.adminKey)).send({ date: '2026-12-04', reference: 'TB-1' });
  expect(rec.status, JSON.stringify(rec.body)).toBe(201);
  return { driveId, agencyId, quotaId: quotaIds[0]!, apps: apps.map((a) => a.applicationId) };
}

async function list(driveId: string, key = t.adminKey): Promise<Appointment[]> {
  const res = await t.http.get(`/v1/drives/${driveId}/appointments`).set(bearer(key));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as Appointment[];
}
async function get(id: string): Promise<Appointment> {
  const res = await t.http.get(`/v1/appointments/${id}`).set(bearer(t.adminKey));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Appointment;
}
async function step(id: string, body: object, key = t.adminKey): Promise<Appointment> {
  const res = await t.http.post(`/v1/appointments/${id}/steps`).set(bearer(key)).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Appointment;
}
const due = (a: Appointment) => Object.fromEntries(a.steps.map((s) => [s.step, { dueOn: s.dueOn, status: s.status }]));

/** One sweep of a second instance on the same database (alerts; striking off where automatic). */
async function sweep() {
  const second = await buildApp({ config: { ...t.config, timeline: { ...t.config.timeline, sweepIntervalMs: 60_000 } }, database: t.database, clock });
  await second.ready();
  await new Promise((r) => setTimeout(r, 1500));
  await second.close();
}

describe('the winners’ path under Decree 170 as amended by 300', () => {
  it('a winner who completes: dossier due Mon 2026-12-21 (Fri 4 Dec + 15 days = Sat 19 → Mon 21, 300 Art. 5(1); Art. 148(5)), decision due Thu 2026-12-24 (3 working days, Art. 6(1)), take-up due Thu 2026-12-31 (15 days from receipt on Wed 16 Dec, Art. 6(2)); taking up fills the headcount', async () => {
    const d = await publishedDrive('nd170-300');
    const [a] = await list(d.driveId);
    expect(a!.applicationId).toBe(d.apps[0]);
    expect(a!.basis).toBe('winner');
    expect(due(a!)).toMatchObject({ dossier: { dueOn: '2026-12-21', status: 'upcoming' }, decision: { dueOn: '2026-12-24' }, take_up: { dueOn: null, status: 'pending' } });
    // 300 Art. 5(2): the agency requests the extract at the dossier stage, due with the dossier.
    expect(a!.steps.find((s) => s.step === 'criminal_record')).toMatchObject({ dueOn: '2026-12-21', article: '170/2025 Art. 18(2) as amended by 300/2026 Art. 5' });

    now = '2026-12-10';
    await step(a!.id, { step: 'dossier_received', on: '2026-12-10', items: ['Bản sao bằng đại học'] });
    await step(a!.id, { step: 'record_requested', on: '2026-12-10' });
    now = '2026-12-16';
    await step(a!.id, { step: 'decision', number: '15/QĐ-UBND', date: '2026-12-15' });
    const received = await step(a!.id, { step: 'decision_received', on: '2026-12-16' });
    expect(due(received)).toMatchObject({ dossier: { status: 'met' }, criminal_record: { status: 'met' }, decision: { status: 'met' }, take_up: { dueOn: '2026-12-31' } });

    const headcount = async () => (await t.http.get(`/v1/agencies/${d.agencyId}/headcount/2025`).set(bearer(t.adminKey))).body.categories[0];
    const before = await headcount();
    now = '2026-12-21';
    const done = await step(a!.id, { step: 'took_up_post', on: '2026-12-21' });
    expect(done.status).toBe('took_up');
    // The place moves from reserved (the quota) to filled: available is unchanged.
    const after = await headcount();
    expect(after).toMatchObject({ filled: before.filled + 1, reserved: before.reserved - 1, available: before.available });
    const audit = await t.sql<{ action: string }>(`select action from audit_events where resource_id = $1 order by occurred_at`, [a!.id]);
    expect(audit.map((x) => x.action)).toContain('appointment.took_up_post');
    // Closed: nothing more is recorded.
    expect((await t.http.post(`/v1/appointments/${a!.id}/steps`).set(bearer(t.adminKey)).send({ step: 'notice_received', on: '2026-12-21' })).body.code).toBe('appointment.closed');
  });

  it('a winner who misses the dossier deadline (Mon 2026-12-21) is struck off automatically on Tue 22 Dec (300 Art. 5(3)), listed publicly; the head declines to recruit the next-lower (Art. 5(4)): no one is called; list would be due Tue 29 Dec (5 working days)', async () => {
    const d = await publishedDrive('nd170-300');
    await createWebhook(t, { url: 'http://127.0.0.1:9/hook', eventTypes: ['appointment.step_overdue', 'appointment.struck_off', 'appointment.replacement_decided'] });
    const [a] = await list(d.driveId);
    now = '2026-12-22';
    await sweep();
    await sweep(); // raised once across sweeps
    const struck = await get(a!.id);
    expect(struck.status).toBe('struck_off');
    expect(struck.strikeOff).toMatchObject({ on: '2026-12-22', ground: 'no_dossier', mode: 'automatic', decision: null });
    expect(struck.replacement).toMatchObject({ rule: 'head_chooses', listDueOn: '2026-12-29', listOverdue: false, decision: null, calledAppointmentId: null });
    // The webhooks say what was due and by when: the dossier (due Mon 21 Dec) and the extract request due with it, once each.
    const events = await t.sql<{ type: string; step: string | null; due_on: string | null }>(
      `select type, payload->'object'->>'step' as step, payload->'object'->>'dueOn' as due_on from webhook_events where drive_id = $1 and type like 'appointment.%' order by 1, 2`,
      [d.driveId],
    );
    expect(events).toEqual([
      { type: 'appointment.step_overdue', step: 'criminal_record', due_on: '2026-12-21' },
      { type: 'appointment.step_overdue', step: 'dossier', due_on: '2026-12-21' },
      { type: 'appointment.struck_off', step: null, due_on: null },
    ]);
    const audited = await t.sql<{ action: string }>(`select action from audit_events where drive_id = $1 and action like 'appointment.%' order by occurred_at`, [d.driveId]);
    expect(audited.map((x) => x.action)).toEqual(expect.arrayContaining(['appointment.step_overdue', 'appointment.struck_off']));

    const pub = await t.http.get(`/v1/public/drives/${d.driveId}/cancellations`);
    expect(pub.status).toBe(200);
    expect(pub.body.items).toHaveLength(1);
    expect(pub.body.items[0]).toMatchObject({ ground: 'no_dossier', struckOffOn: '2026-12-22', fullName: 'Nguyễn Văn An' });

    // Past the list's due day (Tue 29 Dec) with no decision of the head, the list is overdue.
    now = '2026-12-30';
    expect((await get(a!.id)).replacement).toMatchObject({ listDueOn: '2026-12-29', listOverdue: true });
    // Only the head decides: an organizer key is refused.
    const organizer = await t.keyFor('organizer');
    expect((await t.http.post(`/v1/appointments/${a!.id}/replacement`).set(bearer(organizer)).send({ recruit: false })).status).toBe(403);
    const declined = await t.http.post(`/v1/appointments/${a!.id}/replacement`).set(bearer(approver)).send({ recruit: false, decision: decision(20) });
    expect(declined.status, JSON.stringify(declined.body)).toBe(200);
    expect(declined.body.called).toBeNull();
    expect(declined.body.appointment.replacement.decision).toMatchObject({ recruit: false, listPublishedOn: null });
    expect(await list(d.driveId)).toHaveLength(1);
  });

  it('a recorded ground (fraud) strikes off at once on Tue 2026-12-08 and bars the person; the head chooses replacement: the next-lower list is published Wed 9 Dec (due Tue 15 Dec, 5 working days, 300 Art. 5(4)) and the next-lower walks the path: dossier due Thu 24 Dec (15 days)', async () => {
    const d = await publishedDrive('nd170-300');
    const [a] = await list(d.driveId);
    now = '2026-12-08';
    const res = await t.http.post(`/v1/appointments/${a!.id}/strike-off`).set(bearer(t.adminKey)).send({ ground: 'fraud', note: 'Kê khai sai phiếu đăng ký' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.appointment.strikeOff).toMatchObject({ ground: 'fraud', mode: 'automatic', on: '2026-12-08' });
    expect(res.body.called).toBeNull();
    expect(res.body.appointment.replacement.listDueOn).toBe('2026-12-15');
    const bars = await t.sql<{ n: number }>(`select count(*)::int as n from candidate_bars where source_drive_id = $1`, [d.driveId]);
    expect(bars[0]!.n).toBe(1);

    now = '2026-12-09';
    const chosen = await t.http.post(`/v1/appointments/${a!.id}/replacement`).set(bearer(approver)).send({ recruit: true, decision: decision(21) });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    expect(chosen.body.appointment.replacement.decision).toMatchObject({ recruit: true, listPublishedOn: '2026-12-09', listDueOn: '2026-12-15', listLate: false });
    expect(chosen.body.appointment.replacement.listOverdue).toBe(false);
    const b = chosen.body.called as Appointment;
    expect(b).toMatchObject({ applicationId: d.apps[1], basis: 'replacement', status: 'in_progress', startsFrom: { publishedOn: '2026-12-09' } });
    expect(due(b).dossier).toEqual({ dueOn: '2026-12-24', status: 'upcoming' });
    // The next-lower took the struck-off winner's place in the results.
    const rows = await t.sql<{ outcome: string }>(`select outcome from results where application_id = $1`, [d.apps[1]]);
    expect(rows[0]!.outcome).toBe('winner');
    // Decided once.
    expect((await t.http.post(`/v1/appointments/${a!.id}/replacement`).set(bearer(approver)).send({ recruit: true, decision: decision(22) })).status).toBe(409);
  });

  it('a criminal-record extract showing a bar strikes off at once (300 Art. 5(3), Art. 6(3); 170 Art. 19(3))', async () => {
    const d = await publishedDrive('nd170-300');
    const [a] = await list(d.driveId);
    now = '2026-12-11';
    await step(a!.id, { step: 'dossier_received', on: '2026-12-10', items: ['Bản sao bằng'] });
    await step(a!.id, { step: 'record_requested', on: '2026-12-10' });
    const r = await step(a!.id, { step: 'record_received', on: '2026-12-11', bar: true });
    expect(r.status).toBe('struck_off');
    expect(r.strikeOff).toMatchObject({ ground: 'criminal_record_bar', mode: 'automatic', on: '2026-12-11' });
  });
});

describe('170 as issued: striking off is the head’s decision', () => {
  it('a winner who misses the dossier (Fri 4 Dec + 20 days = Thu 2026-12-24, 170 Art. 18(1)) stays on the list, overdue, on Mon 28 Dec; the head’s decision strikes off and the next-lower is called at once (Art. 18(2), 19(4))', async () => {
    const d = await publishedDrive('nd170');
    const [a] = await list(d.driveId);
    expect(due(a!).dossier!.dueOn).toBe('2026-12-24');
    // 170 as issued: the extract is requested with the decision (Art. 19(1)): due with it, 5 working days after the dossier period (Thu 31 Dec).
    expect(a!.steps.find((s) => s.step === 'criminal_record')).toMatchObject({ dueOn: '2026-12-31', article: '170/2025 Art. 19(1)' });
    now = '2026-12-28';
    await sweep();
    const still = await get(a!.id);
    expect(still.status).toBe('in_progress');
    expect(due(still).dossier!.status).toBe('overdue');
    // The drive report counts overdue steps as of today: the drive's timeline and the winners' paths (the dossier; the extract is due Thu 31 Dec).
    const report = await t.http.get(`/v1/reports/drives/${d.driveId}`).set(bearer(t.adminKey));
    expect(report.status).toBe(200);
    const tl = await t.http.get(`/v1/drives/${d.driveId}/timeline`).set(bearer(t.adminKey));
    expect(report.body.overdue).toEqual({ timelineSteps: tl.body.overdue, appointmentSteps: 1 });
    expect(tl.body.overdue).toBeGreaterThanOrEqual(1);

    const refused = await t.http.post(`/v1/appointments/${a!.id}/strike-off`).set(bearer(t.adminKey)).send({ ground: 'no_dossier' });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('head_decision.reference_required');
    const organizer = await t.keyFor('organizer');
    expect((await t.http.post(`/v1/appointments/${a!.id}/strike-off`).set(bearer(organizer)).send({ ground: 'no_dossier', decision: decision(30) })).body.code).toBe('head_decision.head_only');

    const res = await t.http.post(`/v1/appointments/${a!.id}/strike-off`).set(bearer(approver)).send({ ground: 'no_dossier', decision: decision(31) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.appointment.strikeOff).toMatchObject({ mode: 'head_decision', decision: { number: '31/QĐ-UBND', date: '2026-12-28' } });
    expect(res.body.called).toMatchObject({ applicationId: d.apps[1], basis: 'replacement', startsFrom: { publishedOn: '2026-12-28' } });
  });
});

describe('ties among next-lower candidates are the head’s (170 Art. 19(4) para. 2)', () => {
  it('when the two next-lower candidates are tied, then the winner’s striking off calls no one and the head’s recorded choice calls the chosen one', async () => {
    const d = await publishedDrive('nd170', ['80', '70', '70']);
    const [a] = await list(d.driveId);
    now = '2026-12-09';
    const res = await t.http.post(`/v1/appointments/${a!.id}/strike-off`).set(bearer(approver)).send({ ground: 'no_dossier', decision: decision(50) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.called).toBeNull();
    expect(new Set(res.body.tiedApplicationIds)).toEqual(new Set([d.apps[1], d.apps[2]]));
    const none = await t.http.post(`/v1/appointments/${a!.id}/replacement`).set(bearer(approver)).send({ recruit: true, decision: decision(51) });
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('appointment.next_lower_tied');
    const chosen = await t.http.post(`/v1/appointments/${a!.id}/replacement`).set(bearer(approver)).send({ recruit: true, applicationId: d.apps[2], decision: decision(52) });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    expect(chosen.body.called).toMatchObject({ applicationId: d.apps[2], basis: 'replacement', startsFrom: { publishedOn: '2026-12-09' } });
    const audit = await t.sql<{ after: { head: { decision: { number: string } } } }>(
      `select after from audit_events where resource_id = $1 and action = 'appointment.replacement_decided'`,
      [a!.id],
    );
    expect(audit[0]!.after.head.decision.number).toBe('52/QĐ-UBND');
  });
});

describe('Decree 115: the next-lower candidate walks the path; a new need within 12 months of the plan', () => {
  it('winner struck off by the head; the next-lower (notice received Thu 2026-12-10) has the dossier due Mon 2027-01-11 (30 days = Sat 9 Jan → Mon 11, Art. 17(1)); decision within 15 days of the dossier (Tue 5 Jan → Wed 20 Jan, Art. 18(1)); a new need is filled until Mon 2027-03-01, 12 months from the plan of Sun 2026-03-01 (Art. 18(4)), and refused on Tue 2 Mar', async () => {
    const d = await publishedDrive('nd115');
    const [a] = await list(d.driveId);
    // 115 Art. 17(1): the dossier counts from receipt of the notice: pending until it is recorded.
    expect(due(a!).dossier).toEqual({ dueOn: null, status: 'pending' });
    now = '2026-12-09';
    const res = await t.http.post(`/v1/appointments/${a!.id}/strike-off`).set(bearer(approver)).send({ ground: 'invalid_diplomas', decision: decision(40) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const b = res.body.called as Appointment;
    expect(b).toMatchObject({ applicationId: d.apps[1], basis: 'replacement' });

    now = '2026-12-10';
    const noticed = await step(b.id, { step: 'notice_received', on: '2026-12-10' });
    expect(due(noticed).dossier).toEqual({ dueOn: '2027-01-11', status: 'upcoming' });
    // 115 Art. 17(1)(b): the extract comes with the dossier.
    expect(noticed.steps.find((s) => s.step === 'criminal_record')).toMatchObject({ dueOn: '2027-01-11', article: '115/2020 Art. 17(1)(b) as amended by 85/2023' });
    now = '2027-01-05';
    await step(b.id, { step: 'record_received', on: '2027-01-05', bar: false });
    const filed = await step(b.id, { step: 'dossier_received', on: '2027-01-05', items: ['Bản sao bằng', 'Phiếu lý lịch tư pháp số 1'] });
    expect(due(filed)).toMatchObject({ dossier: { status: 'met' }, criminal_record: { status: 'met' }, decision: { dueOn: '2027-01-20' } });

    now = '2027-03-01';
    const need = await t.http.post(`/v1/drives/${d.driveId}/appointments/new-need`).set(bearer(approver)).send({ quotaId: d.quotaId, decision: decision(41) });
    expect(need.status, JSON.stringify(need.body)).toBe(201);
    expect(need.body).toMatchObject({ windowEndsOn: '2027-03-01', appointment: { applicationId: d.apps[2], basis: 'new_need' } });
    now = '2027-03-02';
    const late = await t.http.post(`/v1/drives/${d.driveId}/appointments/new-need`).set(bearer(approver)).send({ quotaId: d.quotaId, decision: decision(42) });
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('appointment.new_need_window_closed');
  });

  it('a new need is refused outside Decree 115 (appointment.new_need_not_applicable)', async () => {
    const d = await publishedDrive('nd170-300');
    const res = await t.http.post(`/v1/drives/${d.driveId}/appointments/new-need`).set(bearer(approver)).send({ quotaId: d.quotaId, decision: decision(43) });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('appointment.new_need_not_applicable');
  });
});

describe('POST /v1/results/{id}/cancel on 170/300 drives follows the path rules', () => {
  it('under 300 the cancelled winner is struck off and no one is promoted until the head decides (200 awaiting_head_decision, 300 Art. 5(4)); under 170 as issued the next-lower is called and walks their own path (Art. 19(4))', async () => {
    const d300 = await publishedDrive('nd170-300');
    now = '2026-12-08';
    const [r300] = await t.sql<{ id: string }>(`select id from results where drive_id = $1 and outcome = 'winner'`, [d300.driveId]);
    const res = await t.http.post(`/v1/results/${r300!.id}/cancel`).set(bearer(t.adminKey)).send({ reason: 'dossier_incomplete' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'awaiting_head_decision', promoted: [], tiedApplicationIds: [] });
    expect(res.body.quota.status).toBe('unfilled');
    const [a300] = await list(d300.driveId);
    expect(a300).toMatchObject({ status: 'struck_off', strikeOff: { ground: 'no_dossier', mode: 'automatic', on: '2026-12-08' }, replacement: { rule: 'head_chooses', listDueOn: '2026-12-15' } });

    const d170 = await publishedDrive('nd170');
    now = '2026-12-08';
    const [r170] = await t.sql<{ id: string }>(`select id from results where drive_id = $1 and outcome = 'winner'`, [d170.driveId]);
    const res170 = await t.http.post(`/v1/results/${r170!.id}/cancel`).set(bearer(t.adminKey)).send({ reason: 'no_show' });
    expect(res170.status, JSON.stringify(res170.body)).toBe(200);
    expect(res170.body.status).toBe('promoted');
    expect(res170.body.promoted.map((p: { applicationId: string }) => p.applicationId)).toEqual([d170.apps[1]]);
    const items = await list(d170.driveId);
    const called = items.find((i) => i.applicationId === d170.apps[1])!;
    // Their own dossier period: 20 days from Tue 8 Dec = Mon 28 Dec (170 Art. 18(1), 19(4)).
    expect(called).toMatchObject({ basis: 'replacement', startsFrom: { publishedOn: '2026-12-08' } });
    expect(due(called).dossier).toEqual({ dueOn: '2026-12-28', status: 'upcoming' });
  });
});

describe('scope', () => {
  it('a key of another agency cannot read or act on an appointment (404)', async () => {
    const d = await publishedDrive('nd170-300');
    const [a] = await list(d.driveId);
    const other = await createAgency(t);
    const key = await t.keyFor('organizer', other.id);
    expect((await t.http.get(`/v1/appointments/${a!.id}`).set(bearer(key))).status).toBe(404);
    expect((await t.http.get(`/v1/drives/${d.driveId}/appointments`).set(bearer(key))).status).toBe(404);
    const act = await t.http.post(`/v1/appointments/${a!.id}/steps`).set(bearer(key)).send({ step: 'notice_received', on: '2026-12-04' });
    expect(act.status).toBe(404);
    const strike = await t.http.post(`/v1/appointments/${a!.id}/strike-off`).set(bearer(key)).send({ ground: 'fraud' });
    expect(strike.status).toBe(404);
  });
});
