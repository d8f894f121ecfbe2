import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { hashApiKey } from '../../src/modules/api-keys/api-keys.crypto.js';
import { createWebhooksRepository } from '../../src/modules/webhooks/webhooks.repository.js';
import { backoffMs, createWebhookWorker } from '../../src/modules/webhooks/webhooks.worker.js';
import { createAgency, uniqueCode } from '../factories/agencies.js';
import { addQuota, createAgencyWithHeadcount, createDrive, createJobPosition, openDrive } from '../factories/drives.js';
import { createWebhook, waitForDeliveries } from '../factories/webhooks.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, onPostgres } from '../helpers/env.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

type Delivery = { id: string; eventId: string; eventType: string; status: string; attempts: number; lastStatusCode: number | null; lastError: string | null };

/** Fast retries so that the receiver-down scenarios finish in about a second. */
const FAST = {
  WEBHOOK_POLL_INTERVAL_MS: '20',
  WEBHOOK_BACKOFF_BASE_MS: '100',
  WEBHOOK_BACKOFF_MAX_MS: '300',
  WEBHOOK_MAX_ATTEMPTS: '6',
  WEBHOOK_TIMEOUT_MS: '1000',
};

let t: TestApp;
const receivers: Receiver[] = [];
const receiver = async () => {
  const r = await startReceiver();
  receivers.push(r);
  return r;
};

beforeAll(async () => {
  t = await setupApp({ env: FAST });
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await t.close();
});

const keyIdOf = async (secret: string) =>
  (await t.sql<{ id: string }>('select id from api_keys where key_hash = $1', [hashApiKey(secret)]))[0]!.id;

/** A root agency of its own: a subscription scoped to it sees only this test's events. */
const isolatedRoot = () => createAgency(t, { name: 'Sở Nội vụ thành phố' });

describe('delivery', () => {
  it('when an agency is created, then a subscribed receiver gets one event signed per Standard Webhooks', async () => {
    const r = await receiver();
    const root = await isolatedRoot();
    const hook = await createWebhook(t, { url: `${r.url}/hooks`, agencyId: root.id });
    const child = await createAgency(t, { parentId: root.id, name: 'Phòng Tổ chức cán bộ' });

    const [req] = await r.waitFor((reqs) => reqs.length >= 1);
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/hooks');
    expect(req!.headers['content-type']).toBe('application/json');
    // Tracing is off by default: no trace context is made up for the receiver.
    expect(req!.headers.traceparent).toBeUndefined();
    const verified = new Webhook(hook.secret).verify(req!.body, req!.headers) as Record<string, unknown>;
    expect(verified).toMatchObject({ type: 'agency.created', data: { resourceType: 'agency', resourceId: child.id, agencyId: child.id } });
    expect((verified.data as { object: { name: string } }).object.name).toBe('Phòng Tổ chức cán bộ');
    expect(req!.headers['webhook-id']).toBe(verified.id);
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(req!.body, req!.headers)).toThrow();

    const [delivery] = await waitForDeliveries<Delivery>(t, hook.id, (d) => d[0]?.status === 'succeeded');
    expect(delivery).toMatchObject({ eventId: verified.id, eventType: 'agency.created', attempts: 1, lastStatusCode: 204 });
    const events = await t.sql<{ type: string; audit_event_id: string }>('select type, audit_event_id from webhook_events where id = $1', [verified.id]);
    expect(events[0]!.type).toBe('agency.created');
    const audit = await t.sql<{ action: string }>('select action from audit_events where id = $1', [events[0]!.audit_event_id]);
    expect(audit[0]!.action).toBe('agency.created');
    expect(r.requests).toHaveLength(1);
  });

  it('when a drive is opened, then drive.transitioned reaches a subscription of its organizing agency', async () => {
    const r = await receiver();
    const { agencyId } = await createAgencyWithHeadcount(t);
    const jobPositionId = await createJobPosition(t, agencyId);
    const driveId = await createDrive(t, { organizingAgencyId: agencyId });
    await addQuota(t, driveId, { agencyId, jobPositionId, slots: 2 });
    const hook = await createWebhook(t, { url: r.url, agencyId, eventTypes: ['drive.transitioned'] });
    await openDrive(t, driveId);
    const [req] = await r.waitFor((reqs) => reqs.length >= 1);
    const event = new Webhook(hook.secret).verify(req!.body, req!.headers) as { type: string; data: { driveId: string; resourceId: string } };
    expect(event.type).toBe('drive.transitioned');
    expect(event.data.driveId).toBe(driveId);
    await new Promise((res) => setTimeout(res, 100));
    expect(r.requests).toHaveLength(1);
  });

  it('when a change is refused, then no event is written (the outbox shares its transaction)', async () => {
    const r = await receiver();
    const root = await isolatedRoot();
    await createWebhook(t, { url: r.url, agencyId: root.id });
    const taken = await createAgency(t, { parentId: root.id });
    const before = await t.sql<{ n: number }>('select count(*)::int as n from webhook_events');
    const dup = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).send({ code: taken.code, name: 'Trùng mã', bloc: 'state', parentId: root.id });
    expect(dup.status).toBe(409);
    const after = await t.sql<{ n: number }>('select count(*)::int as n from webhook_events');
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('when a subscription is scoped to an agency, then it gets events of its subtree only, and other agencies’ keys do not see it', async () => {
    const r = await receiver();
    const a = await isolatedRoot();
    const b = await isolatedRoot();
    const registrarA = await t.keyFor('registrar', a.id);
    const hook = await createWebhook(t, { url: r.url }, registrarA);
    expect(hook.agencyId).toBe(a.id);
    await createAgency(t, { parentId: b.id });
    const inA = await createAgency(t, { parentId: a.id });
    await r.waitFor((reqs) => reqs.length >= 1);
    await new Promise((res) => setTimeout(res, 150));
    expect(r.requests.map((q) => (q.json as { data: { resourceId: string } }).data.resourceId)).toEqual([inA.id]);

    const registrarB = await t.keyFor('registrar', b.id);
    expect((await t.http.get(`/v1/webhooks/${hook.id}`).set(bearer(registrarB))).status).toBe(404);
    expect((await t.http.get(`/v1/webhooks/${hook.id}/deliveries`).set(bearer(registrarB))).status).toBe(404);
    const listB = await t.http.get('/v1/webhooks').set(bearer(registrarB));
    expect(listB.body.items.map((w: { id: string }) => w.id)).not.toContain(hook.id);
    const listA = await t.http.get('/v1/webhooks').set(bearer(registrarA));
    expect(listA.body.items.map((w: { id: string }) => w.id)).toEqual([hook.id]);
    const unscoped = await t.http.post('/v1/webhooks').set(bearer(registrarA)).send({ url: r.url, eventTypes: ['agency.created'], agencyId: null });
    expect(unscoped.status).toBe(403);
    const outside = await t.http.post('/v1/webhooks').set(bearer(registrarA)).send({ url: r.url, eventTypes: ['agency.created'], agencyId: b.id });
    expect(outside.status).toBe(422);
    expect(outside.body.code).toBe('webhook.agency_not_found');
  });

  it('when the receiver is down for a while, then the delivery is retried with backoff and completes after it returns', async () => {
    const r = await receiver();
    const root = await isolatedRoot();
    const hook = await createWebhook(t, { url: r.url, agencyId: root.id });
    await r.close(); // connection refused from now on
    const child = await createAgency(t, { parentId: root.id });
    const failing = await waitForDeliveries<Delivery>(t, hook.id, (d) => d[0]?.status === 'failed' && d[0].attempts >= 2);
    expect(failing[0]!.lastStatusCode).toBeNull();
    expect(failing[0]!.lastError).toMatch(/ECONNREFUSED|connect/);

    await r.reopen();
    r.respondWith(503); // up, but not yet healthy
    await r.waitFor((reqs) => reqs.length >= 1);
    const unhealthy = await waitForDeliveries<Delivery>(t, hook.id, (d) => d[0]?.lastStatusCode === 503);
    expect(unhealthy[0]!.status).toBe('failed');
    r.respondWith(200);
    const done = await waitForDeliveries<Delivery>(t, hook.id, (d) => d[0]?.status === 'succeeded');
    expect(done[0]!.attempts).toBeGreaterThanOrEqual(4);
    expect(done[0]!.lastStatusCode).toBe(200);
    // Every attempt carried the same message id, so the receiver can drop duplicates.
    expect(new Set(r.requests.map((q) => q.headers['webhook-id'])).size).toBe(1);
    expect((r.requests.at(-1)!.json as { data: { resourceId: string } }).data.resourceId).toBe(child.id);
    const rows = await t.sql<{ status: string; delivered_at: Date | null }>('select status, delivered_at from webhook_deliveries where subscription_id = $1', [hook.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.delivered_at).not.toBeNull();
  });

  it('when the receiver keeps failing, then the delivery is dead after the maximum attempts; replayed, it is delivered', async () => {
    const r = await receiver();
    r.respondWith(500);
    const root = await isolatedRoot();
    const hook = await createWebhook(t, { url: r.url, agencyId: root.id });
    await createAgency(t, { parentId: root.id });
    const [dead] = await waitForDeliveries<Delivery>(t, hook.id, (d) => d[0]?.status === 'dead');
    expect(dead).toMatchObject({ attempts: 6, lastStatusCode: 500 });
    expect(r.requests).toHaveLength(6);

    r.respondWith(204);
    const replay = await t.http.post(`/v1/webhook-deliveries/${dead!.id}/replay`).set(bearer(t.adminKey));
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ id: dead!.id, status: 'pending', attempts: 0 });
    const [done] = await waitForDeliveries<Delivery>(t, hook.id, (d) => d[0]?.status === 'succeeded');
    expect(done).toMatchObject({ id: dead!.id, attempts: 1, lastStatusCode: 204 });
    expect(r.requests).toHaveLength(7);
    const audit = await t.sql<{ n: number }>("select count(*)::int as n from audit_events where action = 'webhook_delivery.replayed' and resource_id = $1", [dead!.id]);
    expect(audit[0]!.n).toBe(1);
  });

  it('when a succeeded delivery is replayed, then the same event is sent again; one still queued is refused with 409', async () => {
    const r = await receiver();
    const root = await isolatedRoot();
    const hook = await createWebhook(t, { url: r.url, agencyId: root.id });
    await createAgency(t, { parentId: root.id });
    const [ok] = await waitForDeliveries<Delivery>(t, hook.id, (d) => d[0]?.status === 'succeeded');
    expect((await t.http.post(`/v1/webhook-deliveries/${ok!.id}/replay`).set(bearer(t.adminKey))).status).toBe(202);
    await r.waitFor((reqs) => reqs.length === 2);
    expect(r.requests[1]!.headers['webhook-id']).toBe(r.requests[0]!.headers['webhook-id']);
    expect(r.requests[1]!.body).toBe(r.requests[0]!.body);

    await t.sql("update webhook_deliveries set status = 'failed', next_attempt_at = now() + interval '1 hour' where id = $1", [ok!.id]);
    const queued = await t.http.post(`/v1/webhook-deliveries/${ok!.id}/replay`).set(bearer(t.adminKey));
    expect(queued.status).toBe(409);
    expect(queued.body.code).toBe('webhook.delivery_not_finished');
    const missing = await t.http.post('/v1/webhook-deliveries/01890000-0000-7000-8000-000000000000/replay').set(bearer(t.adminKey));
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('webhook_delivery.not_found');
  });

  it('when a receiver answers with a redirect, then it is not followed and counts as a failure', async () => {
    const r = await receiver();
    r.respondWith(307);
    const root = await isolatedRoot();
    const hook = await createWebhook(t, { url: r.url, agencyId: root.id });
    await createAgency(t, { parentId: root.id });
    const [d] = await waitForDeliveries<Delivery>(t, hook.id, (items) => items[0]?.lastStatusCode === 307);
    expect(d!.status).toMatch(/failed|dead/);
    expect(r.requests.every((q) => q.path === '/')).toBe(true);
    await t.http.patch(`/v1/webhooks/${hook.id}`).set(bearer(t.adminKey)).send({ active: false });
  });

  it('when a subscription is tested, then a webhook.ping reaches it; an inactive one is refused with 409', async () => {
    const r = await receiver();
    const root = await isolatedRoot();
    const hook = await createWebhook(t, { url: r.url, agencyId: root.id, eventTypes: ['results.published'] });
    const ping = await t.http.post(`/v1/webhooks/${hook.id}/test`).set(bearer(t.adminKey));
    expect(ping.status).toBe(202);
    expect(ping.body).toMatchObject({ eventType: 'webhook.ping', status: 'pending', subscriptionId: hook.id });
    const [req] = await r.waitFor((reqs) => reqs.length >= 1);
    expect(new Webhook(hook.secret).verify(req!.body, req!.headers)).toMatchObject({ type: 'webhook.ping', data: { subscriptionId: hook.id } });

    const paused = await t.http.patch(`/v1/webhooks/${hook.id}`).set(bearer(t.adminKey)).send({ active: false });
    expect(paused.status).toBe(200);
    const refused = await t.http.post(`/v1/webhooks/${hook.id}/test`).set(bearer(t.adminKey));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('webhook.inactive');
  });

  it('when the process restarts, then deliveries written while no worker ran are sent by the next process', async () => {
    const r = await receiver();
    const first = await setupApp({ env: { ...FAST, WEBHOOK_WORKER: 'false' } });
    try {
      const root = await createAgency(first);
      const hook = await createWebhook(first, { url: r.url, agencyId: root.id });
      await createAgency(first, { parentId: root.id });
      await createAgency(first, { parentId: root.id });
      await new Promise((res) => setTimeout(res, 100));
      const owed = await first.sql<{ n: number }>("select count(*)::int as n from webhook_deliveries where subscription_id = $1 and status = 'pending'", [hook.id]);
      expect(owed[0]!.n).toBe(2);
      expect(r.requests).toHaveLength(0);
      await first.app.close();

      // The next process on the same database finds the outbox where the first one left it.
      const next = await buildApp({ config: { ...first.config, webhookDelivery: { ...first.config.webhookDelivery, worker: true } }, database: first.database });
      await next.ready();
      try {
        await r.waitFor((reqs) => reqs.length === 2);
        const done = async () =>
          (await first.sql<{ n: number }>("select count(*)::int as n from webhook_deliveries where subscription_id = $1 and status = 'succeeded' and attempts = 1", [hook.id]))[0]!.n;
        for (let i = 0; i < 100 && (await done()) < 2; i++) await new Promise((res) => setTimeout(res, 30));
        expect(await done()).toBe(2);
        expect(new Set(r.requests.map((q) => q.headers['webhook-id'])).size).toBe(2);
      } finally {
        await next.close();
      }
    } finally {
      await first.close();
    }
  });

  it.skipIf(!onPostgres)('when several workers poll together, then every delivery is sent exactly once', async () => {
    void CONCURRENCY_SKIP_REASON;
    const r = await receiver();
    const idle = await setupApp({ env: { ...FAST, WEBHOOK_WORKER: 'false' } });
    try {
      const root = await createAgency(idle);
      const hook = await createWebhook(idle, { url: r.url, agencyId: root.id });
      await Promise.all(Array.from({ length: 30 }, () => createAgency(idle, { parentId: root.id, code: uniqueCode('W') })));
      const options = { pollIntervalMs: 10, batchSize: 3, perSubscription: 2, timeoutMs: 2000, maxAttempts: 3, backoffBaseMs: 50, backoffMaxMs: 100, allowPrivate: true };
      const workers = Array.from({ length: 4 }, () =>
        createWebhookWorker({ repo: createWebhooksRepository(idle.database.db), logger: idle.app.log, options }),
      );
      // A worker stops when a claim finds nothing it can lock: rows other workers hold are skipped,
      // so a round may end early while they send; the next round (the next poll) takes the rest.
      const attempted = [0, 0, 0, 0];
      for (let round = 0; round < 20 && attempted.reduce((a, b) => a + b, 0) < 30; round++) {
        (await Promise.all(workers.map((w) => w.runOnce()))).forEach((n, i) => (attempted[i]! += n));
      }
      expect(attempted.reduce((a, b) => a + b, 0)).toBe(30);
      expect(attempted.filter((n) => n > 0).length).toBeGreaterThan(1);
      const ids = r.requests.map((q) => q.headers['webhook-id']);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
      const rows = await idle.sql<{ n: number }>(
        "select count(*)::int as n from webhook_deliveries where subscription_id = $1 and status = 'succeeded' and attempts = 1",
        [hook.id],
      );
      expect(rows[0]!.n).toBe(30);
    } finally {
      await idle.close();
    }
  });

  it('when the key that created a subscription is revoked, then the subscription is deactivated with it and receives nothing more', async () => {
    const r = await receiver();
    const root = await isolatedRoot();
    const registrar = await t.keyFor('registrar', root.id);
    const hook = await createWebhook(t, { url: r.url, agencyId: root.id }, registrar);
    const keyId = await keyIdOf(registrar);

    const revoked = await t.http.delete(`/v1/api-keys/${keyId}`).set(bearer(t.adminKey));
    expect(revoked.status).toBe(200);
    const sub = await t.sql<{ active: boolean }>('select active from webhook_subscriptions where id = $1', [hook.id]);
    expect(sub[0]!.active).toBe(false);
    const audit = await t.sql<{ action: string; request_id: string }>(
      "select action, request_id from audit_events where resource_id = $1 and action = 'webhook.deactivated'",
      [hook.id],
    );
    expect(audit).toHaveLength(1);
    // The same transaction as the revocation: both events carry its request id.
    const revocation = await t.sql<{ request_id: string }>("select request_id from audit_events where resource_id = $1 and action = 'api_key.revoked'", [keyId]);
    expect(audit[0]!.request_id).toBe(revocation[0]!.request_id);

    await createAgency(t, { parentId: root.id });
    await new Promise((res) => setTimeout(res, 300));
    expect(r.requests).toHaveLength(0);
  });

  it('when a subscription is still active but its creating key was revoked (before revocation paused it), then the worker sends it nothing', async () => {
    const dead = await receiver();
    const live = await receiver();
    const root = await isolatedRoot();
    const registrar = await t.keyFor('registrar', root.id);
    const orphan = await createWebhook(t, { url: dead.url, agencyId: root.id }, registrar);
    const control = await createWebhook(t, { url: live.url, agencyId: root.id });
    // As a revocation made by the previous version left it: the key revoked, its subscription active.
    await t.sql('update api_keys set revoked_at = now() where id = $1', [await keyIdOf(registrar)]);

    await createAgency(t, { parentId: root.id });
    await live.waitFor((reqs) => reqs.length >= 1);
    await waitForDeliveries<Delivery>(t, control.id, (d) => d[0]?.status === 'succeeded');
    await new Promise((res) => setTimeout(res, 200));
    expect(dead.requests).toHaveLength(0);
    const owed = await t.sql<{ status: string; attempts: number }>('select status, attempts from webhook_deliveries where subscription_id = $1', [orphan.id]);
    expect(owed).toEqual([{ status: 'pending', attempts: 0 }]);
  });

  it('when the backoff is computed, then it doubles per attempt within jitter and stays under the cap', () => {
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffMs(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
});

describe('subscriptions', () => {
  it('when a subscription is created, then its secret is shown once and never again', async () => {
    const r = await receiver();
    const root = await isolatedRoot();
    const created = await t.http.post('/v1/webhooks').set(bearer(t.adminKey)).send({ url: r.url, eventTypes: ['drive.transitioned', 'results.published'], agencyId: root.id, description: 'Cổng tuyển dụng' });
    expect(created.status).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.headers.location).toBe(`/v1/webhooks/${created.body.id}`);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(32);
    const secret: string = created.body.secret;
    const got = await t.http.get(`/v1/webhooks/${created.body.id}`).set(bearer(t.adminKey));
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ ...created.body, secret: undefined, version: 1 });
    expect(JSON.stringify(got.body)).not.toContain(secret.slice(6));
    const list = await t.http.get('/v1/webhooks?limit=500').set(bearer(t.adminKey));
    expect(JSON.stringify(list.body)).not.toContain(secret.slice(6));
    const audit = await t.sql<{ after: unknown }>("select after from audit_events where action = 'webhook.created' and resource_id = $1", [created.body.id]);
    expect(JSON.stringify(audit[0]!.after)).not.toContain(secret.slice(6));
    const stored = await t.sql<{ secret: string; event_types: string[] }>('select secret, event_types from webhook_subscriptions where id = $1', [created.body.id]);
    expect(stored[0]).toEqual({ secret, event_types: ['drive.transitioned', 'results.published'] });
  });

  it('when a secret is given, then deliveries are signed with it', async () => {
    const r = await receiver();
    const root = await isolatedRoot();
    const secret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const hook = await createWebhook(t, { url: r.url, agencyId: root.id, secret });
    expect(hook.secret).toBe(secret);
    await createAgency(t, { parentId: root.id });
    const [req] = await r.waitFor((reqs) => reqs.length >= 1);
    expect(() => new Webhook(secret).verify(req!.body, req!.headers)).not.toThrow();
  });

  it('when a subscription is changed with a stale If-Match, then 412; with the current one, then updated; deleted, then gone with its log', async () => {
    const r = await receiver();
    const root = await isolatedRoot();
    const hook = await createWebhook(t, { url: r.url, agencyId: root.id });
    const stale = await t.http.patch(`/v1/webhooks/${hook.id}`).set(bearer(t.adminKey)).set('if-match', '"v9"').send({ description: 'x' });
    expect(stale.status).toBe(412);
    const ok = await t.http.patch(`/v1/webhooks/${hook.id}`).set(bearer(t.adminKey)).set('if-match', '"v1"').send({ eventTypes: ['agency.created', 'agency.updated'], url: `${r.url}/v2` });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('"v2"');
    expect(ok.body).toMatchObject({ version: 2, url: `${r.url}/v2`, eventTypes: ['agency.created', 'agency.updated'] });
    await t.http.post(`/v1/webhooks/${hook.id}/test`).set(bearer(t.adminKey));
    await r.waitFor((reqs) => reqs.length >= 1);
    expect(r.requests[0]!.path).toBe('/v2');

    const del = await t.http.delete(`/v1/webhooks/${hook.id}`).set(bearer(t.adminKey));
    expect(del.status).toBe(204);
    expect((await t.http.get(`/v1/webhooks/${hook.id}`).set(bearer(t.adminKey))).status).toBe(404);
    expect((await t.http.delete(`/v1/webhooks/${hook.id}`).set(bearer(t.adminKey))).status).toBe(404);
    const rows = await t.sql<{ n: number }>('select count(*)::int as n from webhook_deliveries where subscription_id = $1', [hook.id]);
    expect(rows[0]!.n).toBe(0);
    const audit = await t.sql<{ action: string }>("select action from audit_events where resource_type = 'webhook' and resource_id = $1 order by id", [hook.id]);
    expect(audit.map((a) => a.action)).toEqual(['webhook.created', 'webhook.updated', 'webhook.ping_sent', 'webhook.deleted']);
  });

  it('when the delivery log is paged, then it is newest first with a cursor and filters by status', async () => {
    const r = await receiver();
    const root = await isolatedRoot();
    const hook = await createWebhook(t, { url: r.url, agencyId: root.id });
    for (let i = 0; i < 3; i++) await createAgency(t, { parentId: root.id });
    await waitForDeliveries<Delivery>(t, hook.id, (d) => d.length === 3 && d.every((x) => x.status === 'succeeded'));
    const first = await t.http.get(`/v1/webhooks/${hook.id}/deliveries?limit=2`).set(bearer(t.adminKey));
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.headers.link).toContain('rel="next"');
    const second = await t.http.get(`/v1/webhooks/${hook.id}/deliveries?limit=2&cursor=${first.body.nextCursor}`).set(bearer(t.adminKey));
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const ids = [...first.body.items, ...second.body.items].map((d: Delivery) => d.id);
    expect(ids).toEqual([...ids].sort().reverse());
    const dead = await t.http.get(`/v1/webhooks/${hook.id}/deliveries?status=dead`).set(bearer(t.adminKey));
    expect(dead.body.items).toEqual([]);
    const bad = await t.http.get(`/v1/webhooks/${hook.id}/deliveries?cursor=nope`).set(bearer(t.adminKey));
    expect(bad.status).toBe(400);
  });

  it('when the input is invalid or the caller may not, then 400, 403 or 404', async () => {
    const r = await receiver();
    const unknownType = await t.http.post('/v1/webhooks').set(bearer(t.adminKey)).send({ url: r.url, eventTypes: ['agency.deleted'] });
    expect(unknownType.status).toBe(400);
    const extra = await t.http.post('/v1/webhooks').set(bearer(t.adminKey)).send({ url: r.url, eventTypes: ['agency.created'], verified: true });
    expect(extra.status).toBe(400);
    const weakSecret = await t.http.post('/v1/webhooks').set(bearer(t.adminKey)).send({ url: r.url, eventTypes: ['agency.created'], secret: 'whsec_YWJj' });
    expect(weakSecret.status).toBe(400);
    const dupTypes = await t.http.post('/v1/webhooks').set(bearer(t.adminKey)).send({ url: r.url, eventTypes: ['agency.created', 'agency.created'] });
    expect(dupTypes.status).toBe(400);
    const notUrl = await t.http.post('/v1/webhooks').set(bearer(t.adminKey)).send({ url: 'not a url', eventTypes: ['agency.created'] });
    expect(notUrl.status).toBe(400);
    const marker = await t.keyFor('marker');
    expect((await t.http.get('/v1/webhooks').set(bearer(marker))).status).toBe(403);
    expect((await t.http.post('/v1/webhooks').set(bearer(marker)).send({ url: r.url, eventTypes: ['agency.created'] })).status).toBe(403);
    const missing = await t.http.get('/v1/webhooks/01890000-0000-7000-8000-000000000000').set(bearer(t.adminKey));
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('webhook.not_found');
    expect((await t.http.post('/v1/webhooks/01890000-0000-7000-8000-000000000000/test').set(bearer(t.adminKey))).status).toBe(404);
    const empty = await t.http.patch('/v1/webhooks/01890000-0000-7000-8000-000000000000').set(bearer(t.adminKey)).send({});
    expect(empty.status).toBe(400);
  });
});

describe('SSRF: URLs to non-public addresses', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await setupApp({ env: { ...FAST, WEBHOOK_ALLOW_PRIVATE: 'false' } });
  });
  afterAll(async () => {
    await strict.close();
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://10.0.0.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/hook',
    'http://localhost/hook',
    'https://192.168.1.10/hook',
    'http://172.16.5.4/hook',
    'http://100.64.0.1/hook',
    'http://0.0.0.0/hook',
    'http://[fe80::1]/hook',
    'http://[fd00::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:a9fe:a9fe]/hook',
    'http://2130706433/hook',
    // IPv4 inside IPv6, other encodings of IPv4 literals, and trailing dots (issue 12, item 20).
    'http://[::127.0.0.1]/hook',
    'http://[::7f00:1]/hook',
    'http://[::10.0.0.1]/hook',
    'http://[::169.254.169.254]/hook',
    'http://[::ffff:7f00:1]/hook',
    'http://[0:0:0:0:0:ffff:127.0.0.1]/hook',
    'http://[::ffff:0:7f00:1]/hook',
    'http://[::]/hook',
    'http://[64:ff9b::a00:1]/hook',
    'http://[64:ff9b::7f00:1]/hook',
    'http://[64:ff9b:1::c0a8:101]/hook',
    'http://[2002:7f00:1::]/hook',
    'http://0/hook',
    'http://0177.0.0.1/hook',
    'http://0x7f.0.0.1/hook',
    'http://0x7f000001/hook',
    'http://127.1/hook',
    'http://017700000001/hook',
    'http://127.0.0.1./hook',
    'http://localhost./hook',
    'http://api.localhost/hook',
    'http://LOCALHOST/hook',
  ])('when the URL is %s and private targets are not allowed, then 422 webhook.url_not_allowed', async (url) => {
    const res = await strict.http.post('/v1/webhooks').set(bearer(strict.adminKey)).send({ url, eventTypes: ['agency.created'] });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('webhook.url_not_allowed');
    const rows = await strict.sql<{ n: number }>('select count(*)::int as n from webhook_subscriptions');
    expect(rows[0]!.n).toBe(0);
  });

  it('when the scheme is not http(s) or the URL carries credentials, then 422 webhook.url_not_allowed', async () => {
    for (const url of ['ftp://example.org/x', 'file:///etc/passwd', 'http://user:pw@example.org/x']) {
      const res = await strict.http.post('/v1/webhooks').set(bearer(strict.adminKey)).send({ url, eventTypes: ['agency.created'] });
      expect(res.status, url).toBe(422);
      expect(res.body.code).toBe('webhook.url_not_allowed');
    }
  });

  it('when the host does not resolve, then 422 webhook.url_unresolvable', async () => {
    const res = await strict.http.post('/v1/webhooks').set(bearer(strict.adminKey)).send({ url: 'http://no-such-host.invalid/hook', eventTypes: ['agency.created'] });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('webhook.url_unresolvable');
  });

  it('when a URL is changed to a private address, then 422 and the subscription is unchanged', async () => {
    const rows = await strict.sql<{ id: string }>(
      "insert into webhook_subscriptions (id, url, event_types, secret) values ('01890000-0000-7000-8000-0000000000aa', 'https://example.org/hook', '{agency.created}', $1) returning id",
      [`whsec_${Buffer.alloc(32, 3).toString('base64')}`],
    );
    const res = await strict.http.patch(`/v1/webhooks/${rows[0]!.id}`).set(bearer(strict.adminKey)).send({ url: 'http://169.254.169.254/' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('webhook.url_not_allowed');
    const after = await strict.sql<{ url: string; active: boolean }>('select url from webhook_subscriptions where id = $1', [rows[0]!.id]);
    expect(after[0]!.url).toBe('https://example.org/hook');
    await strict.sql('delete from webhook_subscriptions where id = $1', [rows[0]!.id]);
  });

  it('when a saved URL now resolves to loopback (DNS rebinding), then the worker refuses to connect at delivery time', async () => {
    const r = await receiver();
    const sub = await strict.sql<{ id: string }>(
      "insert into webhook_subscriptions (id, url, event_types, secret) values ('01890000-0000-7000-8000-0000000000bb', $1, '{agency.created}', $2) returning id",
      [`http://localhost:${r.port}/hook`, `whsec_${Buffer.alloc(32, 4).toString('base64')}`],
    );
    const literal = await strict.sql<{ id: string }>(
      "insert into webhook_subscriptions (id, url, event_types, secret) values ('01890000-0000-7000-8000-0000000000cc', $1, '{agency.created}', $2) returning id",
      [`${r.url}/hook`, `whsec_${Buffer.alloc(32, 4).toString('base64')}`],
    );
    const res = await strict.http.post('/v1/agencies').set(bearer(strict.adminKey)).send({ code: uniqueCode(), name: 'Sở Tư pháp', bloc: 'state' });
    expect(res.status).toBe(201);
    for (const id of [sub[0]!.id, literal[0]!.id]) {
      const [d] = await waitForDeliveries<Delivery>(strict, id, (items) => (items[0]?.attempts ?? 0) >= 1 && items[0]?.status !== 'pending');
      expect(d!.lastError).toMatch(/non-public|not a public address/);
      expect(d!.lastStatusCode).toBeNull();
    }
    expect(r.requests).toHaveLength(0);
    await strict.sql('delete from webhook_subscriptions where id in ($1, $2)', [sub[0]!.id, literal[0]!.id]);
  });
});
