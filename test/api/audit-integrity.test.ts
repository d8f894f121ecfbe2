import { createAuditKeyring } from '../../src/crypto/audit-keys.js';
import { bindAuditKeyring } from '../../src/modules/audit/audit.writer.js';
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { createNationalIdProtector } from '../../src/crypto/national-id.js';
import { rotateNationalIdKey } from '../../src/modules/candidates/candidates.key-rotation.js';
import { bearer, setupApp, testConfig, TEST_AUDIT_KEY, TEST_DATA_KEY, type TestApp } from '../helpers/app.js';
import { needsPostgres } from '../helpers/env.js';
import { createAgency } from '../factories/agencies.js';
import { createCandidate } from '../factories/candidates.js';
import supertest from 'supertest';

/*
 * Issue 12, item 7: an audit trail that cannot be rewritten and still verify. The attacker here can
 * write the database (as its owner, the strongest case) but holds neither AUDIT_KEY nor the
 * checkpoints copied off the machine.
 */

let t: TestApp;
let auditor: string;
beforeAll(async () => {
  // Checkpoints only on demand: each test decides where they are.
  t = await setupApp({ env: { AUDIT_CHECKPOINT_INTERVAL_MS: '0', WEBHOOK_WORKER: 'false' } });
  auditor = await t.keyFor('auditor');
});
afterAll(async () => {
  await t.close();
});

type Verification = {
  valid: boolean;
  mode: string;
  checkpoint: { id: string; keyId: string } | null;
  events: number;
  totalEvents: number;
  streams: number;
  breaks: { stream: number | null; seq: number | null; problem: string }[];
  complete: boolean;
  nextCursor: string | null;
};
type Checkpoint = { id: string; createdAt: string; keyId: string; heads: { stream: number; seq: number; hash: string }[]; signature: string; signedPayload: string };

const verify = async (query: Record<string, string | number> = {}, http = t.http): Promise<Verification> => {
  const res = await http.get('/v1/audit-events/verify').query(query).set(bearer(auditor));
  expect(res.status).toBe(200);
  return res.body;
};
const checkpoint = async (http = t.http): Promise<Checkpoint> => {
  const res = await http.post('/v1/audit-events/checkpoints').set(bearer(auditor));
  expect(res.status).toBe(201);
  return res.body;
};
const eventCount = async () => (await t.sql<{ n: number }>('select count(*)::int as n from audit_events'))[0]!.n;

/** A stream holding at least `n` events (writes agencies until one does). */
async function streamWith(n: number): Promise<number> {
  const find = () =>
    t.sql<{ stream: number }>('select stream from audit_events group by stream having count(*) >= $1 order by count(*) desc limit 1', [n]);
  for (let i = 0; i < 600 && (await find()).length === 0; i++) await createAgency(t);
  return (await find())[0]!.stream;
}

type EventRow = Record<string, unknown> & { id: string; seq: number; hash: string; prev_hash: string };

/** The hash as it was before the chain was keyed: plain SHA-256 of the canonical event. Anyone can compute it. */
function sha256Hash(e: EventRow, prevHash: string): string {
  const canonical = canonicalize({
    stream: e.stream,
    seq: Number(e.seq),
    occurredAt: new Date(e.occurred_at as string).toISOString(),
    actorKeyId: e.actor_key_id,
    actorRole: e.actor_role,
    onBehalfOf: e.on_behalf_of,
    requestId: e.request_id,
    action: e.action,
    resourceType: e.resource_type,
    resourceId: e.resource_id,
    agencyId: e.agency_id,
    driveId: e.drive_id,
    before: e.before ?? null,
    after: e.after ?? null,
    prevHash,
  });
  return createHash('sha256').update(canonical ?? '').digest('hex');
}

/** Edits one event and rehashes it and every later event of its stream with SHA-256, then moves the head. */
async function editAndRehash(stream: number, opts: { dropKeyId: boolean }) {
  const rows = await t.sql<EventRow>('select * from audit_events where stream = $1 order by seq', [stream]);
  const victim = rows[rows.length - 2]!;
  let prev = victim.prev_hash;
  for (const e of rows.slice(rows.length - 2)) {
    if (e.id === victim.id) e.after = { ...(e.after as object), name: 'forged' };
    const hash = sha256Hash(e, prev);
    await t.sql(`update audit_events set after = $1::jsonb, prev_hash = $2, hash = $3 ${opts.dropKeyId ? ', key_id = null' : ''} where id = $4`, [
      JSON.stringify(e.after),
      prev,
      hash,
      e.id,
    ]);
    prev = hash;
  }
  await t.sql('update audit_streams set last_hash = $1 where stream = $2', [prev, stream]);
}

describe('keyed chain', () => {
  it('when an event is edited and its stream rehashed with SHA-256 (no key), then verification fails', async () => {
    const stream = await streamWith(3);
    const saved = await t.sql<EventRow>('select * from audit_events where stream = $1 order by seq', [stream]);
    const head = (await t.sql<{ last_hash: string }>('select last_hash from audit_streams where stream = $1', [stream]))[0]!;
    expect((await verify({ mode: 'full' })).valid).toBe(true);

    await editAndRehash(stream, { dropKeyId: false });
    const keyed = await verify({ mode: 'full' });
    expect(keyed.valid).toBe(false);
    expect(keyed.breaks[0]).toMatchObject({ stream, problem: expect.stringMatching(/hash/) });

    // Passing the forged events off as written before the chain was keyed does not help either.
    await editAndRehash(stream, { dropKeyId: true });
    const unkeyed = await verify({ mode: 'full' });
    expect(unkeyed.valid).toBe(false);
    expect(unkeyed.breaks[0]!.problem).toMatch(/no audit key/);

    for (const e of saved) {
      await t.sql('update audit_events set after = $1::jsonb, prev_hash = $2, hash = $3, key_id = $4 where id = $5', [JSON.stringify(e.after), e.prev_hash, e.hash, e.key_id, e.id]);
    }
    await t.sql('update audit_streams set last_hash = $1 where stream = $2', [head.last_hash, stream]);
    expect((await verify({ mode: 'full' })).valid).toBe(true);
  });

  it('when events are written, then each names the audit key its hash is keyed with', async () => {
    await createAgency(t);
    const keys = await t.sql<{ key_id: string | null }>('select distinct key_id from audit_events');
    expect(keys).toHaveLength(1);
    expect(keys[0]!.key_id).toMatch(/^[0-9a-f]{16}$/);
    const res = await t.http.get('/v1/audit-events').query({ limit: 1 }).set(bearer(auditor));
    expect(res.body.items[0].keyId).toBe(keys[0]!.key_id);
  });
});

describe('signed checkpoints', () => {
  it('when a stream’s tail is truncated after a checkpoint (head rewound to match), then verification fails', async () => {
    const stream = await streamWith(3);
    const cp = await checkpoint();
    expect((await verify()).valid).toBe(true);
    const [last] = await t.sql<EventRow>('select * from audit_events where stream = $1 order by seq desc limit 1', [stream]);
    await t.sql('delete from audit_events where id = $1', [last!.id]);
    // A careful attacker also rewinds the head, so that the chain "ends where its head says".
    await t.sql('update audit_streams set last_seq = $1, last_hash = $2 where stream = $3', [Number(last!.seq) - 1, last!.prev_hash, stream]);
    for (const mode of ['checkpoint', 'full']) {
      const res = await verify({ mode });
      expect(res.valid).toBe(false);
      expect(res.checkpoint?.id).toBe(cp.id);
      expect(res.breaks.some((b) => b.stream === stream)).toBe(true);
    }
    await t.sql(`insert into audit_events select * from json_populate_record(null::audit_events, $1::json)`, [JSON.stringify(last)]);
    await t.sql('update audit_streams set last_seq = $1, last_hash = $2 where stream = $3', [last!.seq, last!.hash, stream]);
    expect((await verify()).valid).toBe(true);
  });

  it('when a whole stream is deleted (events and head), then verification fails against the checkpoint', async () => {
    const stream = await streamWith(2);
    await createAgency(t);
    await checkpoint();
    const events = await t.sql<EventRow>('select * from audit_events where stream = $1 order by seq', [stream]);
    const [head] = await t.sql('select * from audit_streams where stream = $1', [stream]);
    await t.sql('delete from audit_events where stream = $1', [stream]);
    await t.sql('delete from audit_streams where stream = $1', [stream]);
    const res = await verify();
    expect(res.valid).toBe(false);
    expect(res.breaks).toEqual([expect.objectContaining({ stream, problem: expect.stringMatching(/no longer reaches the signed checkpoint/) })]);
    expect((await verify({ mode: 'full' })).valid).toBe(false);

    for (const e of events) await t.sql(`insert into audit_events select * from json_populate_record(null::audit_events, $1::json)`, [JSON.stringify(e)]);
    await t.sql(`insert into audit_streams select * from json_populate_record(null::audit_streams, $1::json)`, [JSON.stringify(head)]);
    expect((await verify()).valid).toBe(true);
  });

  it('when the stored checkpoint’s signature or heads are tampered with, then verification fails', async () => {
    await createAgency(t);
    const cp = await checkpoint();
    const flipped = Buffer.from(cp.signature, 'base64');
    flipped.writeUInt8(flipped.readUInt8(5) ^ 0xff, 5);
    await t.sql('update audit_checkpoints set signature = $1 where id = $2', [flipped.toString('base64'), cp.id]);
    const res = await verify();
    expect(res.valid).toBe(false);
    expect(res.breaks[0]!.problem).toMatch(/signature/);
    // No new checkpoint is signed on top of a forged one.
    await createAgency(t);
    const refused = await t.http.post('/v1/audit-events/checkpoints').set(bearer(auditor));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('audit.checkpoint_invalid');

    // Lowering a head inside a checkpoint (to hide a truncation) breaks its signature too.
    await t.sql('update audit_checkpoints set signature = $1 where id = $2', [cp.signature, cp.id]);
    const lowered = cp.heads.map((h) => (h.seq > 0 ? { ...h, seq: h.seq - 1 } : h));
    await t.sql('update audit_checkpoints set heads = $1::jsonb where id = $2', [JSON.stringify(lowered), cp.id]);
    expect((await verify()).valid).toBe(false);
    await t.sql('update audit_checkpoints set heads = $1::jsonb where id = $2', [JSON.stringify(cp.heads), cp.id]);
    expect((await verify()).valid).toBe(true);
  });

  it('when an operator supplies a copy of a checkpoint, then the chains are checked against it and a forged copy fails', async () => {
    const stream = await streamWith(2);
    const cp = await checkpoint();
    const listed = await t.http.get('/v1/audit-events/checkpoints').query({ limit: 1 }).set(bearer(auditor));
    expect(listed.status).toBe(200);
    expect(listed.body.items[0]).toEqual(cp);

    const good = await t.http.post('/v1/audit-events/verify').set(bearer(auditor)).send({ checkpoint: cp });
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ valid: true, checkpoint: { id: cp.id } });

    const forged = { ...cp, heads: cp.heads.map((h) => (h.stream === stream ? { ...h, seq: h.seq + 1 } : h)) };
    const bad = await t.http.post('/v1/audit-events/verify').set(bearer(auditor)).send({ checkpoint: forged });
    expect(bad.status).toBe(200);
    expect(bad.body.valid).toBe(false);
    expect(bad.body.breaks[0].problem).toMatch(/signature/);

    // The copy off the machine catches what deleting the stored checkpoints would hide.
    const [last] = await t.sql<EventRow>('select * from audit_events where stream = $1 order by seq desc limit 1', [stream]);
    await t.sql('delete from audit_events where id = $1', [last!.id]);
    await t.sql('update audit_streams set last_seq = $1, last_hash = $2 where stream = $3', [Number(last!.seq) - 1, last!.prev_hash, stream]);
    const saved = await t.sql('select * from audit_checkpoints');
    await t.sql('delete from audit_checkpoints');
    expect((await verify()).valid).toBe(true); // nothing left in the database to compare with…
    const caught = await t.http.post('/v1/audit-events/verify').set(bearer(auditor)).send({ checkpoint: cp });
    expect(caught.body.valid).toBe(false); // …but the operator's copy still says where the stream was.
    for (const c of saved) await t.sql(`insert into audit_checkpoints select * from json_populate_record(null::audit_checkpoints, $1::json)`, [JSON.stringify(c)]);
    await t.sql(`insert into audit_events select * from json_populate_record(null::audit_events, $1::json)`, [JSON.stringify(last)]);
    await t.sql('update audit_streams set last_seq = $1, last_hash = $2 where stream = $3', [last!.seq, last!.hash, stream]);
    expect((await verify()).valid).toBe(true);
  });

  it('when a checkpoint is copied off the machine, then its signature verifies with the published public key alone', async () => {
    await createAgency(t);
    const cp = await checkpoint();
    const keys = await t.http.get('/v1/audit-events/signing-keys').set(bearer(auditor));
    const key = keys.body.items.find((k: { keyId: string }) => k.keyId === cp.keyId);
    expect(key).toMatchObject({ algorithm: 'Ed25519', current: true });
    const ok = verifySignature(null, Buffer.from(cp.signedPayload), createPublicKey(key.publicKeyPem), Buffer.from(cp.signature, 'base64'));
    expect(ok).toBe(true);
    expect(JSON.parse(cp.signedPayload)).toMatchObject({ id: cp.id, keyId: cp.keyId, heads: cp.heads });
    expect(cp.heads).toHaveLength(64);
  });
});

describe('incremental, bounded, scoped verification', () => {
  it('when verifying from the latest checkpoint, then only the events after it are read; full mode reads them all', async () => {
    await createAgency(t);
    await checkpoint();
    for (let i = 0; i < 7; i++) await createAgency(t);
    const res = await verify();
    expect(res).toMatchObject({ valid: true, mode: 'checkpoint', events: 7, complete: true, nextCursor: null });
    const full = await verify({ mode: 'full' });
    expect(full).toMatchObject({ valid: true, mode: 'full', events: await eventCount(), streams: 64 });
  });

  it('when a call reaches its limit, then it answers a cursor, and following it covers every event once', async () => {
    const total = await eventCount();
    let cursor: string | null = null;
    let calls = 0;
    let read = 0;
    do {
      const res: Verification = await verify({ mode: 'full', maxEvents: 25, ...(cursor ? { cursor } : {}) });
      expect(res.valid).toBe(true);
      expect(res.events).toBeLessThanOrEqual(25);
      read += res.events;
      cursor = res.nextCursor;
      expect(res.complete).toBe(cursor === null);
      if (!cursor) expect(res.totalEvents).toBe(total);
      calls++;
    } while (cursor && calls < 1000);
    expect(read).toBe(total);
    expect(calls).toBeGreaterThanOrEqual(Math.ceil(total / 25));

    const forged = await t.http.get('/v1/audit-events/verify').query({ cursor: Buffer.from('{"mode":"full","stream":63}').toString('base64url') + '.x' }).set(bearer(auditor));
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('request.invalid_cursor');
  });

  it('when no limit is given, then a call reads at most AUDIT_VERIFY_MAX_EVENTS events', async () => {
    const capped = await setupApp({ env: { AUDIT_CHECKPOINT_INTERVAL_MS: '0', AUDIT_VERIFY_MAX_EVENTS: '100', WEBHOOK_WORKER: 'false' } });
    try {
      for (let i = 0; i < 120; i++) await createAgency(capped);
      const key = await capped.keyFor('auditor');
      const res = await capped.http.get('/v1/audit-events/verify').query({ mode: 'full', maxEvents: 100000 }).set(bearer(key));
      expect(res.body).toMatchObject({ valid: true, events: 100, complete: false });
      expect(res.body.nextCursor).toEqual(expect.any(String));
    } finally {
      await capped.close();
    }
  });

  it('when an agency-scoped auditor asks for a verdict or checkpoints, then 403 audit.scoped_key; it still lists its own events', async () => {
    const a = await createAgency(t);
    const scoped = await t.keyFor('auditor', a.id);
    for (const req of [
      t.http.get('/v1/audit-events/verify'),
      t.http.get('/v1/audit-events/verify').query({ mode: 'full' }),
      t.http.post('/v1/audit-events/verify').send({ checkpoint: { id: a.id, createdAt: '2026-01-01T00:00:00Z', keyId: 'x', heads: [], signature: 'x' } }),
      t.http.post('/v1/audit-events/checkpoints'),
      t.http.get('/v1/audit-events/checkpoints'),
    ]) {
      const res = await req.set(bearer(scoped));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('audit.scoped_key');
    }
    const own = await t.http.get('/v1/audit-events').query({ agencyId: a.id }).set(bearer(scoped));
    expect(own.status).toBe(200);
  });
});

describe('strict date and timestamp parameters (item 16)', () => {
  it.each([
    ['99999-01-01'],
    ['2023-02-30'],
    ['2023-02-29'],
    ['0000-01-01'],
    ['0999-12-31'],
    ['2024-13-01'],
    ['2024-01-01T24:00:00Z'],
    ['2024-01-01T10:00:00'],
    ['2024-01-01T10:00:00+15:00'],
    ['yesterday'],
    ['1700000000000'],
  ])('when audit-events is filtered from=%s, then 400 request.invalid', async (from) => {
    for (const param of ['from', 'to']) {
      const res = await t.http.get('/v1/audit-events').query({ [param]: from }).set(bearer(auditor));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('request.invalid');
      expect(res.body.errors[0].path).toBe(`querystring.${param}`);
    }
  });

  it('when audit-events is filtered by real dates and instants (with an offset, or a + decoded as a space), then they are honoured', async () => {
    const a = await createAgency(t);
    const at = (await t.sql<{ at: Date }>(`select occurred_at as at from audit_events where resource_id = $1`, [a.id]))[0]!.at;
    const iso = new Date(at).toISOString();
    const hanoi = new Date(new Date(at).getTime() + 7 * 3_600_000).toISOString().replace('Z', '+07:00');
    for (const from of [iso, hanoi, hanoi.replace('+', ' '), '2024-02-29']) {
      const res = await t.http.get('/v1/audit-events').query({ from, resourceId: a.id }).set(bearer(auditor));
      expect(res.status).toBe(200);
      expect(res.body.items.map((e: { resourceId: string }) => e.resourceId)).toEqual([a.id]);
    }
    const after = await t.http.get('/v1/audit-events').query({ from: new Date(new Date(at).getTime() + 1).toISOString(), resourceId: a.id }).set(bearer(auditor));
    expect(after.body.items).toEqual([]);
  });

  it('when a date body field names a day that does not exist or a year before 1000, then 400 (candidates)', async () => {
    for (const birthDate of ['0999-05-20', '1995-02-29', '1995-04-31']) {
      const res = await t.http
        .post('/v1/candidates')
        .set(bearer(t.adminKey))
        .send({ fullName: 'Nguyễn Văn An', nationalId: '001095000001', birthDate, gender: 'male', ethnicity: 'Kinh' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('request.invalid');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.birthDate');
    }
  });
});

describe.skipIf(needsPostgres)('key rotation', () => {
  const A = TEST_AUDIT_KEY;
  const B = Buffer.alloc(32, 11).toString('base64');

  async function appOn(env: Record<string, string>): Promise<{ http: ReturnType<typeof supertest>; database: Database; close: () => Promise<void> }> {
    const database = await openDatabase({ databaseUrl: t.config.databaseUrl!, poolMax: 5 });
    const config = testConfig({ DATABASE_URL: t.config.databaseUrl!, AUDIT_CHECKPOINT_INTERVAL_MS: '0', WEBHOOK_WORKER: 'false', ...env });
    const app = await buildApp({ config, database });
    await app.ready();
    return {
      http: supertest(app.server),
      database,
      close: async () => {
        await app.close();
        await database.close();
      },
    };
  }

  it('when the audit key is rotated, then new events use the new key id and the whole chain and old checkpoints still verify with the old key retired', async () => {
    await createAgency(t);
    const before = await checkpoint();
    const rotated = await appOn({ AUDIT_KEY: B, AUDIT_KEYS_RETIRED: A });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await rotated.http.post('/v1/agencies').set(bearer(t.adminKey)).send({ code: `ROT-${i}-${Date.now()}`, name: 'Sở Tư pháp', bloc: 'state', parentId: null });
        expect(res.status).toBe(201);
      }
      const keyIds = await t.sql<{ key_id: string }>('select distinct key_id from audit_events');
      expect(keyIds).toHaveLength(2);
      const incremental = await verify({}, rotated.http);
      expect(incremental).toMatchObject({ valid: true, checkpoint: { id: before.id, keyId: before.keyId }, events: 5 });
      expect((await verify({ mode: 'full' }, rotated.http)).valid).toBe(true);
      const after = await checkpoint(rotated.http);
      expect(after.keyId).not.toBe(before.keyId);
      const keys = (await rotated.http.get('/v1/audit-events/signing-keys').set(bearer(auditor))).body.items;
      expect(keys.map((k: { keyId: string; current: boolean }) => [k.keyId, k.current])).toEqual([
        [after.keyId, true],
        [before.keyId, false],
      ]);
      // The old key stays needed: without it the events it keyed and its checkpoints no longer verify.
      const forgetful = await appOn({ AUDIT_KEY: B });
      try {
        const full = await verify({ mode: 'full' }, forgetful.http);
        expect(full.valid).toBe(false);
        expect(full.breaks[0]!.problem).toMatch(/not configured/);
        const old = await forgetful.http.post('/v1/audit-events/verify').set(bearer(auditor)).send({ checkpoint: before });
        expect(old.body.valid).toBe(false);
      } finally {
        await forgetful.close();
      }
    } finally {
      await rotated.close();
    }
  });

  it('when the data key is rotated, then every national ID is re-encrypted and re-indexed in batches and still decrypts and is found by lookup', async () => {
    const people = [];
    for (let i = 0; i < 5; i++) people.push(await createCandidate(t));
    const newKey = Buffer.alloc(32, 13).toString('base64');
    const rotating = createNationalIdProtector(newKey, [TEST_DATA_KEY]);
    const second = await openDatabase({ databaseUrl: t.config.databaseUrl!, poolMax: 2 });
    try {
      bindAuditKeyring(second.db, createAuditKeyring(TEST_AUDIT_KEY));
      const batches: number[] = [];
      const { rotated } = await rotateNationalIdKey(second.db, rotating, { batchSize: 2, onBatch: (n) => batches.push(n) });
      expect(rotated).toBeGreaterThanOrEqual(5);
      expect(batches.slice(0, 3)).toEqual([2, 4, 6].map((n) => Math.min(n, rotated)));
      // A rerun finds nothing left: resumable after a crash.
      expect((await rotateNationalIdKey(second.db, rotating, { batchSize: 2 })).rotated).toBe(0);
    } finally {
      await second.close();
    }
    const left = await t.sql<{ n: number }>(`select count(*)::int as n from candidates where national_id_ciphertext not like $1`, [`v2:${rotating.keyId}:%`]);
    expect(left[0]!.n).toBe(0);

    const after = await appOn({ DATA_KEY: newKey, AUDIT_KEY: B, AUDIT_KEYS_RETIRED: A });
    try {
      for (const p of people) {
        const got = await after.http.get(`/v1/candidates/${p.id}`).set(bearer(t.adminKey));
        expect(got.status).toBe(200);
        expect(got.body.nationalId).toBe(p.nationalId);
        // The blind index was recomputed under the new key: exact lookup finds the person.
        const found = await t.sql<{ id: string }>('select id from candidates where national_id_index = $1', [createNationalIdProtector(newKey).blindIndex(p.nationalId)]);
        expect(found.map((r) => r.id)).toEqual([p.id]);
      }
      expect((await verify({ mode: 'full' }, after.http)).valid).toBe(true);
    } finally {
      await after.close();
    }
  });
});

