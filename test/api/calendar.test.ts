import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, onPostgres } from '../helpers/env.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const BNV_9441 = { number: '9441/TB-BNV', date: '2025-10-16', issuer: 'Bộ Nội vụ' };
const decision = { number: '1234/TB-BNV', date: '2027-10-15', issuer: 'Bộ Nội vụ' };
const put = (date: string, body: unknown, key = t.adminKey) => t.http.put(`/v1/calendar/entries/${date}`).set(bearer(key)).send(body as object);
const year = async (y: number, key = t.adminKey) => t.http.get(`/v1/calendar/${y}`).set(bearer(key));
const deadline = (q: string, key = t.adminKey) => t.http.get(`/v1/calendar/deadline?${q}`).set(bearer(key));
type Day = { date: string; status: string; holiday: string | null; provisional: boolean; decision: unknown; working: boolean };
const dayOf = (body: { days: Day[] }, date: string) => body.days.find((d) => d.date === date);

describe('the working-day calendar (Labour Code 2019 Art. 111–112; seeded decisions)', () => {
  it('when 2026 is read, then Tết 16–20 Feb cites 9441/TB-BNV, the swap of 31 Aug for Saturday 22 Aug is there, and nothing is provisional', async () => {
    const res = await year(2026, await t.keyFor('registrar'));
    expect(res.status).toBe(200);
    expect(res.body.notFixedByGovernment).toEqual([]);
    const tet = res.body.days.filter((d: Day) => d.holiday === 'tet' && d.status === 'holiday');
    expect(tet.map((d: Day) => d.date)).toEqual(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']);
    expect(tet.every((d: Day) => !d.provisional && JSON.stringify(d.decision) === JSON.stringify(BNV_9441))).toBe(true);
    expect(dayOf(res.body, '2026-08-22')).toMatchObject({ status: 'working_day', working: true, weekday: 6 });
    expect(dayOf(res.body, '2026-08-31')).toMatchObject({ status: 'day_off', working: false });
    expect(dayOf(res.body, '2026-09-01')).toMatchObject({ status: 'holiday', holiday: 'national_day', provisional: false });
    // The Hùng Kings day (10/3 âm lịch) falls on Sunday 26 April 2026: Monday 27 is off (Art. 111(3)).
    expect(dayOf(res.body, '2026-04-26')).toMatchObject({ holiday: 'hung_kings', working: false });
    expect(dayOf(res.body, '2026-04-27')).toMatchObject({ status: 'compensatory_day_off', basis: 'Labour Code 2019 Art. 111(3)' });
  });

  it('when 2027 is read, then Tết (5–9 Feb) and the 2 September day are flagged not yet fixed by the government', async () => {
    const res = await year(2027);
    expect(res.status).toBe(200);
    expect(res.body.notFixedByGovernment).toEqual(['tet', 'national_day']);
    expect(dayOf(res.body, '2027-02-05')).toMatchObject({ holiday: 'tet', provisional: true, decision: null });
    expect(dayOf(res.body, '2027-02-10')).toMatchObject({ status: 'compensatory_day_off', provisional: true });
    expect(dayOf(res.body, '2027-09-03')).toMatchObject({ holiday: 'national_day', provisional: true });
  });

  it.each([
    ['from=2026-02-13&days=5', { endsOn: '2026-02-27', provisional: false }],
    ['from=2025-04-24&days=5', { endsOn: '2025-05-05', provisional: false }],
    ['from=2027-02-04&days=5', { endsOn: '2027-02-18', provisional: true }],
    ['from=2025-08-20&days=10&unit=calendar_days', { endsOn: '2025-09-03', nominalEndsOn: '2025-08-30' }],
    ['from=2026-03-02&days=1', { endsOn: '2026-03-03' }],
  ])('when the deadline %s is asked, then it is %o (Civil Code Art. 147–148)', async (q, expected) => {
    const res = await deadline(q, await t.keyFor('council'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject(expected);
  });

  it('when the query is bad or the year is outside the calendar, then 400 or 422 calendar.out_of_range', async () => {
    expect((await deadline('from=2026-02-30&days=5')).status).toBe(400);
    expect((await deadline('from=2026-02-03&days=-1')).status).toBe(400);
    expect((await deadline('from=2026-02-03&days=5&unit=weeks')).status).toBe(400);
    const old = await deadline('from=2020-06-01&days=5');
    expect(old.status).toBe(422);
    expect(old.body.code).toBe('calendar.out_of_range');
    expect((await year(2019)).status).toBe(400);
  });
});

describe('the government’s decisions, recorded by an admin', () => {
  it('when an admin records a working Saturday, then deadlines count it; the change is audited; deleting it restores the rule', async () => {
    // 2028-02-03 is a Thursday: two working days end on Monday 7 Feb, or on Saturday 5 Feb once it is worked.
    expect((await deadline('from=2028-02-03&days=2')).body.endsOn).toBe('2028-02-07');
    const res = await put('2028-02-05', { kind: 'working_day', name: 'Làm bù', decision });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ date: '2028-02-05', kind: 'working_day', decision, note: null, version: 1 });
    expect((await deadline('from=2028-02-03&days=2')).body.endsOn).toBe('2028-02-05');
    const again = await put('2028-02-05', { kind: 'working_day', name: 'Làm bù cho thứ Hai', decision, note: 'sửa tên' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ name: 'Làm bù cho thứ Hai', version: 2 });
    const del = await t.http.delete('/v1/calendar/entries/2028-02-05').set(bearer(t.adminKey));
    expect(del.status).toBe(204);
    expect((await deadline('from=2028-02-03&days=2')).body.endsOn).toBe('2028-02-07');
    const actions = await t.sql<{ action: string }>(
      "select action from audit_events where resource_type = 'calendar_entry' and resource_id = '2028-02-05' order by occurred_at, seq",
    );
    expect(actions.map((a) => a.action)).toEqual(['calendar_entry.created', 'calendar_entry.updated', 'calendar_entry.deleted']);
  });

  it('when the government fixes Tết 2028, then its days replace the default ones and are no longer provisional', async () => {
    // Default Tết 2028: 25–29 Jan (lunar new year 26 Jan), Saturday 29 → Monday 31 off.
    const before = await year(2028);
    expect(before.body.notFixedByGovernment).toContain('tet');
    for (const d of ['2028-01-24', '2028-01-25', '2028-01-26', '2028-01-27', '2028-01-28']) {
      expect((await put(d, { kind: 'tet', name: 'Tết Âm lịch Mậu Thân', decision })).status).toBe(201);
    }
    const after = await year(2028);
    expect(after.body.notFixedByGovernment).not.toContain('tet');
    const tet = after.body.days.filter((d: Day) => d.holiday === 'tet');
    expect(tet.map((d: Day) => d.date)).toEqual(['2028-01-24', '2028-01-25', '2028-01-26', '2028-01-27', '2028-01-28']);
    const sixth = await put('2028-01-31', { kind: 'tet', name: 'x', decision });
    expect(sixth.status).toBe(422);
    expect(sixth.body.code).toBe('calendar.tet_days_exceeded');
    const list = await t.http.get('/v1/calendar/entries?year=2028&limit=2').set(bearer(await t.keyFor('auditor')));
    expect(list.status).toBe(200);
    expect(list.body.items.map((e: { date: string }) => e.date)).toEqual(['2028-01-24', '2028-01-25']);
    expect(list.body.nextCursor).toEqual(expect.any(String));
  });

  it.each([
    ['2028-03-20', { kind: 'tet', name: 'x', decision }, 422, 'calendar.tet_out_of_season'],
    ['2028-09-05', { kind: 'national_day', name: 'x', decision }, 422, 'calendar.national_day_not_adjacent'],
    ['2028-03-04', { kind: 'day_off', name: 'x', decision }, 422, 'calendar.already_rest_day'],
    ['2028-03-06', { kind: 'working_day', name: 'x', decision }, 422, 'calendar.already_working_day'],
    ['2019-03-06', { kind: 'day_off', name: 'x', decision }, 422, 'calendar.out_of_range'],
    ['2028-03-06', { kind: 'day_off', name: 'x' }, 400, 'request.invalid'],
    ['2028-03-06', { kind: 'day_off', name: 'x', decision: { ...decision, number: '' } }, 400, 'request.invalid'],
    ['2028-02-30', { kind: 'day_off', name: 'x', decision }, 400, 'request.invalid'],
  ])('when %s is recorded as %o, then %i %s', async (date, body, status, code) => {
    const res = await put(date, body);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
  });

  it('when a non-admin records or deletes a decision, then 403; deleting an unknown one is 404', async () => {
    const organizer = await t.keyFor('organizer');
    expect((await put('2028-03-06', { kind: 'day_off', name: 'x', decision }, organizer)).status).toBe(403);
    expect((await t.http.delete('/v1/calendar/entries/2025-05-02').set(bearer(organizer))).status).toBe(403);
    const missing = await t.http.delete('/v1/calendar/entries/2028-03-07').set(bearer(t.adminKey));
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('calendar_entry.not_found');
  });

  it.skipIf(!onPostgres)(`when the 1st and the 3rd of September are recorded at once, then only one is taken (${CONCURRENCY_SKIP_REASON})`, async () => {
    const results = await Promise.all([
      put('2029-09-03', { kind: 'national_day', name: 'Quốc khánh', decision }),
      put('2029-09-01', { kind: 'national_day', name: 'Quốc khánh', decision }),
      put('2029-09-03', { kind: 'national_day', name: 'Quốc khánh', decision }),
    ]);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201 || s === 200).length).toBeGreaterThanOrEqual(1);
    const rows = await t.sql<{ date: string }>("select date::text as date from calendar_entries where kind = 'national_day' and date between '2029-01-01' and '2029-12-31'");
    expect(rows).toHaveLength(1);
    for (const r of results) if (r.status === 422) expect(r.body.code).toBe('calendar.national_day_taken');
  });
});
