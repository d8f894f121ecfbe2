import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { createAgency } from '../factories/agencies.js';

let t: TestApp;
let auditor: string;
beforeAll(async () => {
  t = await setupApp();
  auditor = await t.keyFor('auditor');
});
afterAll(async () => {
  await t.close();
});

const verify = async () => (await t.http.get('/v1/audit-events/verify').set(bearer(auditor))).body;

describe('audit trail', () => {
  it('when writes happen, then each appends a chained event with who, what, before and after', async () => {
    const a = await createAgency(t, { name: 'Sở Nội vụ' });
    await t.http.patch(`/v1/agencies/${a.id}`).set(bearer(t.adminKey)).set('on-behalf-of', 'operator-7').send({ name: 'Sở Nội vụ Hà Nội' });
    const res = await t.http.get('/v1/audit-events').query({ resourceId: a.id }).set(bearer(auditor));
    expect(res.status).toBe(200);
    expect(res.body.items.map((e: { action: string }) => e.action)).toEqual(['agency.created', 'agency.updated']);
    const update = res.body.items[1];
    expect(update.before.name).toBe('Sở Nội vụ');
    expect(update.after.name).toBe('Sở Nội vụ Hà Nội');
    expect(update.actor).toMatchObject({ role: 'admin', onBehalfOf: 'operator-7' });
    expect(update.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await verify()).valid).toBe(true);
  });

  it('when a refused write rolls back, then no event is left behind', async () => {
    const a = await createAgency(t);
    const before = await t.sql<{ n: number }>('select count(*)::int as n from audit_events');
    const res = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).send({ code: a.code, name: 'dup', bloc: 'state' });
    expect(res.status).toBe(409);
    const after = await t.sql<{ n: number }>('select count(*)::int as n from audit_events');
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('when a non-auditor reads the trail, then 403', async () => {
    const organizer = await t.keyFor('organizer');
    expect((await t.http.get('/v1/audit-events').set(bearer(organizer))).status).toBe(403);
  });

  it('when an event is altered in the database, then verification names the broken stream', async () => {
    const a = await createAgency(t);
    expect((await verify()).valid).toBe(true);
    await t.sql(`update audit_events set after = jsonb_set(after, '{name}', '"forged"') where resource_id = $1`, [a.id]);
    const res = await verify();
    expect(res.valid).toBe(false);
    expect(res.breaks[0].problem).toMatch(/hash/);
    await t.sql(`update audit_events set after = jsonb_set(after, '{name}', '"Sở Nội vụ"') where resource_id = $1`, [a.id]);
    expect((await verify()).valid).toBe(true);
  });

  it('when an event is deleted, inserted or the last one removed, then verification fails', async () => {
    // Events land in one of 64 streams: write until some stream has an event in the middle of its chain.
    const middle = () =>
      t.sql<{ id: string; stream: number; seq: number }>(
        'select id, stream, seq from audit_events e where seq > 1 and exists (select 1 from audit_events n where n.stream = e.stream and n.seq = e.seq + 1) limit 1',
      );
    for (let i = 0; i < 400 && (await middle()).length === 0; i++) await createAgency(t);
    expect((await verify()).valid).toBe(true);
    const [victim] = await middle();
    const saved = await t.sql('select * from audit_events where id = $1', [victim!.id]);
    await t.sql('delete from audit_events where id = $1', [victim!.id]);
    expect((await verify()).valid).toBe(false);
    // Put it back, then insert a forged event in the middle of the chain.
    const row = saved[0] as Record<string, unknown>;
    await t.sql(
      `insert into audit_events select * from json_populate_record(null::audit_events, $1::json)`,
      [JSON.stringify(row)],
    );
    expect((await verify()).valid).toBe(true);
    await t.sql(
      `insert into audit_events (id, stream, seq, occurred_at, action, resource_type, resource_id, prev_hash, hash)
       select gen_random_uuid(), stream, seq, occurred_at, 'agency.created', 'agency', 'forged', prev_hash, hash from audit_events where id = $1`,
      [victim!.id],
    ).catch(() => undefined);
    // A duplicate (stream, seq) is refused by the unique index; shift the tail to make room instead.
    const [last] = await t.sql<{ stream: number; seq: number; hash: string }>(
      'select e.stream, e.seq, e.hash from audit_events e join audit_streams s on s.stream = e.stream and s.last_seq = e.seq limit 1',
    );
    await t.sql(
      `insert into audit_events (id, stream, seq, occurred_at, action, resource_type, resource_id, prev_hash, hash)
       values (gen_random_uuid(), $1, $2, now(), 'agency.created', 'agency', 'forged', $3, repeat('a', 64))`,
      [last!.stream, last!.seq + 1, last!.hash],
    );
    expect((await verify()).valid).toBe(false);
    await t.sql('delete from audit_events where resource_id = $1', ['forged']);
    expect((await verify()).valid).toBe(true);
    // Removing the newest event of a stream is caught by the stream head.
    await t.sql('delete from audit_events where stream = $1 and seq = $2', [last!.stream, last!.seq]);
    const res = await verify();
    expect(res.valid).toBe(false);
    expect(res.breaks[0].problem).toMatch(/head/);
  });

  it('when listing with filters, then only matching events come back, oldest first, paged', async () => {
    const a = await createAgency(t);
    const child = await createAgency(t, { parentId: a.id });
    const res = await t.http.get('/v1/audit-events').query({ action: 'agency.created', agencyId: child.id, limit: 1 }).set(bearer(auditor));
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0].resourceId).toBe(child.id);
  });
});
