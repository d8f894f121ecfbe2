import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
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
    expect(lines.length).toBeGreaterThan(4);
    expect(text).toContain('log-test-1');
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain(body.nationalId);
    expect(text).not.toContain(t.adminKey);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
