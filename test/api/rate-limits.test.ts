import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createRateLimitRedis } from '../../src/http/rate-limits.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, onPostgres } from '../helpers/env.js';
import { freePort } from '../helpers/server-process.js';
import { createAgency } from '../factories/agencies.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});
const track = (t: TestApp) => (cleanups.push(t.close), t);
const madeUpKey = () => `td_${randomBytes(32).toString('base64url')}`;

describe('rate limits', () => {
  it('when each request carries a different made-up Authorization header, then the per-address limit still applies (429)', async () => {
    const t = track(await setupApp({ env: { RATE_LIMIT_IP_MAX: '5' } }));
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await t.http.get('/v1/agencies').set(bearer(madeUpKey()))).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // Health checks are never limited.
    expect((await t.http.get('/readyz')).status).toBe(200);
  });

  it('when an address keeps failing authentication, then it gets 429 (with Retry-After), even with a valid key, until the window passes', async () => {
    const t = track(await setupApp({ env: { RATE_LIMIT_AUTH_FAILURES_MAX: '3' } }));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await t.http.get('/v1/agencies').set(bearer(madeUpKey()))).status);
    const blocked = await t.http.get('/v1/agencies').set(bearer(t.adminKey));
    expect(statuses).toEqual([401, 401, 401]);
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('rate_limited');
    expect(blocked.headers['retry-after']).toBeDefined();
    // Another address is not affected.
    const other = await t.app.inject({ method: 'GET', url: '/v1/agencies', headers: bearer(t.adminKey), remoteAddress: '192.0.2.7' });
    expect(other.statusCode).toBe(200);
  });

  it('when a key is used under different spellings of the header, then it is counted once per key (by its id)', async () => {
    const t = track(await setupApp({ env: { RATE_LIMIT_MAX: '3' } }));
    const headers = [`Bearer ${t.adminKey}`, `bearer ${t.adminKey}`, `BEARER ${t.adminKey}`, `Bearer   ${t.adminKey}`];
    const statuses = [];
    for (const h of headers) statuses.push((await t.app.inject({ method: 'GET', url: '/v1/agencies', headers: { authorization: h }, remoteAddress: `192.0.2.${statuses.length + 1}` })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('when X-Forwarded-For is set, then it is believed only from a configured trusted proxy', async () => {
    const t = track(await setupApp({ env: { RATE_LIMIT_IP_MAX: '2', TRUST_PROXY: '10.0.0.0/8' } }));
    const from = (remoteAddress: string, xff: string) =>
      t.app.inject({ method: 'GET', url: '/v1/agencies', headers: { ...bearer(t.adminKey), 'x-forwarded-for': xff }, remoteAddress }).then((r) => r.statusCode);
    // A client that is not a trusted proxy cannot pick a new address per request.
    expect([await from('198.51.100.1', '203.0.113.1'), await from('198.51.100.1', '203.0.113.2'), await from('198.51.100.1', '203.0.113.3')]).toEqual([200, 200, 429]);
    // Through the trusted load balancer, each client is counted by the address it reports.
    expect([await from('10.0.0.5', '203.0.113.1'), await from('10.0.0.5', '203.0.113.2'), await from('10.0.0.5', '203.0.113.3')]).toEqual([200, 200, 200]);
    expect([await from('10.0.0.5', '203.0.113.9'), await from('10.0.0.6', '203.0.113.9'), await from('10.0.0.7', '203.0.113.9')]).toEqual([200, 200, 429]);
  });

  it('when TRUST_PROXY is true (trust anyone), then the configuration is refused; a hop count or a list is accepted', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' }).trustProxy).toEqual(['10.0.0.1', '192.168.0.0/16']);
    expect(loadConfig({}).trustProxy).toBe(false);
  });
});

describe('Redis down', () => {
  it('when the rate-limit Redis is down, then /v1 keeps working with per-instance limits, counted in metrics; when it is back, counting returns to Redis', async () => {
    const port = await freePort();
    const redis = await createRateLimitRedis(`redis://127.0.0.1:${port}`);
    cleanups.push(async () => void redis.disconnect());
    const t = track(await setupApp({ env: { RATE_LIMIT_MAX: '3' }, redis }));
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.http.get('/v1/agencies').set(bearer(t.adminKey))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    let metrics = await t.app.metricsRegistry.metrics();
    expect(metrics).toMatch(/rate_limit_store_fallback_total 1\b/);
    expect(metrics).toMatch(/rate_limit_store_degraded 1\b/);

    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    cleanups.push(async () => void server.kill('SIGKILL'));
    for (let i = 0; i < 100 && redis.status !== 'ready'; i++) await sleep(100);
    expect(redis.status).toBe('ready');
    const other = await t.keyFor('admin');
    expect((await t.http.get('/v1/agencies').set(bearer(other))).status).toBe(200);
    const probe = new Redis(`redis://127.0.0.1:${port}`);
    cleanups.push(async () => void probe.disconnect());
    expect((await probe.keys('tuyendung-rl-*')).length).toBeGreaterThan(0);
    metrics = await t.app.metricsRegistry.metrics();
    expect(metrics).toMatch(/rate_limit_store_degraded 0\b/);
  });
});

/** Opens a raw connection; resolves with what the server sent and how long until it closed. */
function rawConnection(port: number, drip?: string, everyMs = 100) {
  const socket = net.connect(port, '127.0.0.1');
  const started = Date.now();
  let received = '';
  socket.on('data', (d) => (received += d.toString()));
  socket.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  if (drip) {
    let i = 0;
    timer = setInterval(() => {
      if (i < drip.length && !socket.destroyed) socket.write(drip[i++]!);
    }, everyMs);
  }
  const closed = new Promise<{ received: string; ms: number }>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ received, ms: Date.now() - started });
    }),
  );
  return { socket, closed };
}

describe('sockets', () => {
  it('when a client sends its headers byte by byte, then it is cut off at the headers timeout', async () => {
    const t = track(await setupApp({ env: { HEADERS_TIMEOUT_MS: '1000' } }));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as net.AddressInfo).port;
    const slow = rawConnection(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`, 50);
    const { received, ms } = await slow.closed;
    expect(ms).toBeLessThan(4_000);
    expect(received).not.toContain('200 OK');
  });

  it('when more connections are open than MAX_CONNECTIONS, then the extra ones are refused, and a slot freed is usable again', async () => {
    const t = track(await setupApp({ env: { MAX_CONNECTIONS: '2' } }));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as net.AddressInfo).port;
    const held = [rawConnection(port), rawConnection(port)];
    await Promise.all(held.map((h) => new Promise((r) => h.socket.once('connect', r))));
    await sleep(200);
    const extra = rawConnection(port);
    extra.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const refused = await extra.closed;
    expect(refused.received).toBe('');
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await sleep(100);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    held[1]!.socket.destroy();
  });

  it.skipIf(!onPostgres)(`when a request takes longer than CONNECTION_TIMEOUT_MS to answer, then its socket is kept and the answer arrives (${CONCURRENCY_SKIP_REASON})`, async () => {
    const t = track(await setupApp({ env: { CONNECTION_TIMEOUT_MS: '300' } }));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as net.AddressInfo).port;
    const a = await createAgency(t);
    const locker = new pg.Client({ connectionString: t.config.databaseUrl });
    await locker.connect();
    await locker.query('begin');
    await locker.query('select * from agencies where id = $1 for update', [a.id]);
    const patched = fetch(`http://127.0.0.1:${port}/v1/agencies/${a.id}`, {
      method: 'PATCH',
      headers: { ...bearer(t.adminKey), 'if-match': '"v1"', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Tên sau khóa' }),
    });
    // The write waits on the lock, silent, for three times the inactivity timeout.
    await sleep(1_000);
    await locker.query('commit');
    await locker.end();
    expect((await patched).status).toBe(200);
    // A connection that sends nothing is still cut.
    const idle = await rawConnection(port).closed;
    expect(idle.ms).toBeLessThan(3_000);
  });
});
