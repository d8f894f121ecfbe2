import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgency, uniqueCode } from '../factories/agencies.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';

/** Issue 12, items 3 and 14: no secret in the idempotency store, expiry, completion in the business transaction. */
let t: TestApp;
beforeAll(async () => {
  t = await setupApp({ env: { IDEMPOTENCY_SWEEP_INTERVAL_MS: '100', IDEMPOTENCY_LEASE_MS: '1000' } });
});
afterAll(async () => {
  await t.close();
});

/** The whole stored record (and any stored pieces) as text, to search for a secret in it. */
async function storedText(key: string): Promise<string> {
  const rows = await t.sql<{ row: string }>(
    `select row_to_json(k)::text || coalesce((select string_agg(c.body, '') from idempotency_body_chunks c where c.principal = k.principal and c.key = k.key), '') as row
     from idempotency_keys k where k.key = $1`,
    [key],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.row;
}

describe('secrets are not kept for replay', () => {
  it('when an API key is created with an Idempotency-Key, then the secret is no-store, absent from the stored record, and a replay is 409 with its Location', async () => {
    const key = `ak-${uniqueCode()}`;
    const name = `integration ${key}`;
    const first = await t.http.post('/v1/api-keys').set(bearer(t.adminKey)).set('idempotency-key', key).send({ name, role: 'auditor' });
    expect(first.status).toBe(201);
    expect(first.headers['cache-control']).toBe('no-store');
    const secret = first.body.key as string;
    expect(secret).toMatch(/^td_/);

    const stored = await storedText(key);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice(10)); // not even the part after the public prefix

    const replay = await t.http.post('/v1/api-keys').set(bearer(t.adminKey)).set('idempotency-key', key).send({ name, role: 'auditor' });
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('idempotency.secret_not_replayable');
    expect(replay.headers.location).toBe(`/v1/api-keys/${first.body.id}`);
    expect(replay.headers['cache-control']).toBe('no-store');
    expect(JSON.stringify(replay.body)).not.toContain(secret);
    const keys = await t.sql<{ n: number }>('select count(*)::int as n from api_keys where name = $1', [name]);
    expect(keys[0]!.n).toBe(1);
  });

  it('when a webhook is created with an Idempotency-Key (generated or given secret), then the secret is never stored and a replay is 409 with its Location', async () => {
    const root = await createAgency(t);
    const given = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    for (const secretIn of [undefined, given]) {
      const key = `wh-${uniqueCode()}`;
      const body = { url: 'http://127.0.0.1:9/hook', eventTypes: ['agency.created'], agencyId: root.id, active: false, ...(secretIn ? { secret: secretIn } : {}) };
      const first = await t.http.post('/v1/webhooks').set(bearer(t.adminKey)).set('idempotency-key', key).send(body);
      expect(first.status).toBe(201);
      expect(first.headers['cache-control']).toBe('no-store');
      const secret = first.body.secret as string;
      const stored = await storedText(key);
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain(secret.slice('whsec_'.length));

      const replay = await t.http.post('/v1/webhooks').set(bearer(t.adminKey)).set('idempotency-key', key).send(body);
      expect(replay.status).toBe(409);
      expect(replay.body.code).toBe('idempotency.secret_not_replayable');
      expect(replay.headers.location).toBe(`/v1/webhooks/${first.body.id}`);
      expect(JSON.stringify(replay.body)).not.toContain(secret);
    }
    const subs = await t.sql<{ n: number }>('select count(*)::int as n from webhook_subscriptions where agency_id = $1', [root.id]);
    expect(subs[0]!.n).toBe(2);
  });

  it('when a create without a secret is retried, then the stored response is replayed as before', async () => {
    const key = `ag-${uniqueCode()}`;
    const body = { code: uniqueCode(), name: 'Sở Tài chính', bloc: 'state' };
    const first = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', key).send(body);
    const again = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', key).send(body);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });
});

describe('completion in the business transaction', () => {
  it('when a create commits, then its record already names the resource it created (written by the same transaction)', async () => {
    const key = `tx-${uniqueCode()}`;
    const res = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', key).send({ code: uniqueCode(), name: 'Sở Công Thương', bloc: 'state' });
    expect(res.status).toBe(201);
    const [row] = await t.sql<{ state: string; resource_type: string; resource_id: string }>('select state, resource_type, resource_id from idempotency_keys where key = $1', [key]);
    expect(row).toEqual({ state: 'done', resource_type: 'agency', resource_id: res.body.id });
  });

  it('when the first request committed but its response was lost (process died), then a retry reads the resource back instead of creating it again', async () => {
    const key = `lost-${uniqueCode()}`;
    const body = { code: uniqueCode(), name: 'Sở Giáo dục', bloc: 'state' };
    const first = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', key).send(body);
    expect(first.status).toBe(201);
    // The state a SIGKILL between commit and response leaves: committed, no response, lease run out.
    await t.sql("update idempotency_keys set state = 'committed', response_status = null, response_headers = null, response_body = null, locked_until = now() - interval '1 second' where key = $1", [key]);

    const retry = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', key).send(body);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers.location).toBe(`/v1/agencies/${first.body.id}`);
    expect(retry.body).toMatchObject({ id: first.body.id, code: body.code, name: body.name });
    const rows = await t.sql<{ n: number }>('select count(*)::int as n from agencies where code = $1', [body.code]);
    expect(rows[0]!.n).toBe(1);
  });

  it('when a secret-bearing create committed but its response was lost, then a retry is 409 idempotency.secret_not_replayable with the Location', async () => {
    const key = `lost-ak-${uniqueCode()}`;
    const body = { name: `lost ${key}`, role: 'auditor' };
    const first = await t.http.post('/v1/api-keys').set(bearer(t.adminKey)).set('idempotency-key', key).send(body);
    await t.sql("update idempotency_keys set state = 'committed', secret_withheld = false, response_headers = null, locked_until = now() - interval '1 second' where key = $1", [key]);
    const retry = await t.http.post('/v1/api-keys').set(bearer(t.adminKey)).set('idempotency-key', key).send(body);
    expect(retry.status).toBe(409);
    expect(retry.body.code).toBe('idempotency.secret_not_replayable');
    expect(retry.headers.location).toBe(`/v1/api-keys/${first.body.id}`);
  });

  it('when a request fails its business rule, then the key is not left committed and a corrected retry is not blocked by the failure', async () => {
    const parent = await createAgency(t);
    const code = uniqueCode();
    await createAgency(t, { code, parentId: parent.id });
    const key = `dup-${uniqueCode()}`;
    const dup = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', key).send({ code, name: 'Trùng', bloc: 'state' });
    expect(dup.status).toBe(409);
    const rows = await t.sql('select state from idempotency_keys where key = $1', [key]);
    expect(rows).toHaveLength(0);
  });
});

describe('expiry', () => {
  it('when a record (with a stored import report) is older than the TTL, then the sweeper deletes both and the key is free again', async () => {
    const key = `old-${uniqueCode()}`;
    const first = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', key).send({ code: uniqueCode(), name: 'Sở Nội vụ', bloc: 'state' });
    expect(first.status).toBe(201);
    // A large response (an import report) is stored in pieces beside its record.
    await t.sql("insert into idempotency_body_chunks (principal, key, seq, body) select principal, key, 0, '{\"summary\":{}}' from idempotency_keys where key = $1", [key]);
    const fresh = `fresh-${uniqueCode()}`;
    await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', fresh).send({ code: uniqueCode(), name: 'Sở Nội vụ', bloc: 'state' });

    await t.sql("update idempotency_keys set created_at = now() - interval '25 hours' where key = $1", [key]);
    const until = Date.now() + 5_000;
    while ((await t.sql('select 1 from idempotency_keys where key = $1', [key])).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await t.sql('select 1 from idempotency_keys where key = $1', [key])).toHaveLength(0);
    expect(await t.sql('select 1 from idempotency_body_chunks where key = $1', [key])).toHaveLength(0);
    // Records younger than the TTL stay.
    expect(await t.sql('select 1 from idempotency_keys where key = $1', [fresh])).toHaveLength(1);

    // The key is free: another body is a new request, not 422 idempotency.key_reused.
    const reused = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', key).send({ code: uniqueCode(), name: 'Sở Y tế', bloc: 'state' });
    expect(reused.status).toBe(201);
    expect(reused.headers['idempotent-replayed']).toBeUndefined();
  });

  it('when an expired record has not been swept yet, then it is not replayed', async () => {
    const key = `stale-${uniqueCode()}`;
    await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', key).send({ code: uniqueCode(), name: 'Sở A', bloc: 'state' });
    await t.sql("update idempotency_keys set created_at = now() - interval '25 hours' where key = $1", [key]);
    const res = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('idempotency-key', key).send({ code: uniqueCode(), name: 'Sở B', bloc: 'state' });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('Sở B');
  });
});
