import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { hashApiKey } from '../../src/modules/api-keys/api-keys.crypto.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { candidateBody } from '../factories/candidates.js';

let t: TestApp;
const lines: string[] = [];
beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  t = await setupApp({ logger: createLogger('trace', sink) });
});
afterAll(async () => {
  await t.close();
});

describe('logs', () => {
  it('when requests carry national IDs and keys, then logs have request ids but neither the IDs nor the keys', async () => {
    const body = candidateBody({});
    const created = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).set('x-request-id', 'log-test-1').send(body);
    expect(created.status).toBe(201);
    const found = await t.http.get('/v1/candidates').query({ nationalId: body.nationalId }).set(bearer(t.adminKey));
    expect(found.status).toBe(200);
    const dup = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send(body);
    expect(dup.status).toBe(409);
    const bad = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send({ ...body, nationalId: `${body.nationalId}9` });
    expect(bad.status).toBe(400);
    // The problem body may say which field is wrong, never echo the value.
    expect(JSON.stringify(bad.body)).not.toContain(body.nationalId);

    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(text).toContain('log-test-1');
    expect(text).not.toContain(body.nationalId);
    expect(text).not.toContain(t.adminKey);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('when requests are answered, then each is one line with method, route, status, time, request id and key id, and no URL values', async () => {
    const keyId = (await t.sql<{ id: string }>('select id from api_keys where key_hash = $1', [hashApiKey(t.adminKey)]))[0]!.id;
    const nationalId = candidateBody({}).nationalId;
    const before = lines.length;
    const found = await t.http.get('/v1/candidates').query({ nationalId, q: 'Nguyễn Văn An' }).set(bearer(t.adminKey)).set('x-request-id', 'one-line-1');
    expect(found.status).toBe(200);
    const missing = await t.http.get('/v1/no-such-route').set('x-request-id', 'one-line-2');
    expect(missing.status).toBe(404);
    const refused = await t.http.get('/v1/candidates').set(bearer('td_not_a_key')).set('x-request-id', 'one-line-3');
    expect(refused.status).toBe(401);

    const written = lines.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    const of = (id: string) => written.filter((l) => l.reqId === id);
    expect(of('one-line-1')).toHaveLength(1);
    expect(of('one-line-1')[0]).toMatchObject({ level: 30, msg: 'request', method: 'GET', route: '/v1/candidates', status: 200, keyId });
    expect(typeof of('one-line-1')[0]!.ms).toBe('number');
    expect(of('one-line-2')).toEqual([expect.objectContaining({ route: 'unmatched', status: 404 })]);
    expect(of('one-line-2')[0]).not.toHaveProperty('keyId');
    // A refused key: the 401 is logged once by the request line (no key id: none was accepted).
    expect(of('one-line-3').filter((l) => l.msg === 'request')).toEqual([expect.objectContaining({ route: '/v1/candidates', status: 401 })]);
    const text = lines.slice(before).join('\n');
    expect(text).not.toContain(nationalId);
    expect(text).not.toContain('Nguy');
    expect(text).not.toContain('td_not_a_key');
  });
});
