import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMetricsServer } from '../../src/http/metrics.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

describe('errors are problem+json', () => {
  it('when the route is unknown, then 404 problem+json with a stable code and the request id', async () => {
    const res = await t.http.get('/v1/nope').set(bearer(t.adminKey)).set('x-request-id', 'req-123');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(res.body).toMatchObject({ status: 404, code: 'route.not_found', requestId: 'req-123', title: 'Not Found' });
    expect(res.body.type).toContain('route.not_found');
  });

  it('when a known path is asked with a method it does not have, then 405 with Allow (RFC 9110 §15.5.6), not 404', async () => {
    const agency = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).send({ code: `A405-${Date.now()}`, name: 'Sở Nội vụ', bloc: 'state' });
    expect(agency.status, JSON.stringify(agency.body)).toBe(201);
    const res = await t.http.put(`/v1/agencies/${agency.body.id}/nothing-here`).set(bearer(t.adminKey));
    expect(res.status).toBe(404);
    const wrong = await t.http.post(`/v1/agencies/${agency.body.id}`).set(bearer(t.adminKey)).send({});
    expect(wrong.status).toBe(405);
    expect(wrong.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(wrong.body).toMatchObject({ status: 405, code: 'route.method_not_allowed', title: 'Method Not Allowed' });
    const allow = wrong.headers.allow!.split(', ');
    expect(allow).toEqual(expect.arrayContaining(['GET', 'HEAD', 'PATCH']));
    expect(allow).not.toContain('POST');
    // A trailing slash is the same path, as the router treats it.
    expect((await t.http.delete('/v1/agencies/').set(bearer(t.adminKey))).status).toBe(405);
  });

  it('when the body violates the schema, then 400 with errors[] per field', async () => {
    const res = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).send({ code: '', name: 'x', bloc: 'nope', extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('request.invalid');
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.code', 'body.bloc']));
  });

  it('when the JSON is malformed, then 400 request.malformed', async () => {
    const res = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('content-type', 'application/json').send('{"code":');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('request.malformed');
  });

  it('when a JSON string holds a lone surrogate escape, then 400 request.malformed naming the field, and nothing is written', async () => {
    const before = await t.http.get('/v1/agencies?limit=500').set(bearer(t.adminKey));
    const res = await t.http
      .post('/v1/agencies')
      .set(bearer(t.adminKey))
      .set('content-type', 'application/json')
      .send('{"code":"LONE-1","name":"S\\ud800ở Nội vụ","bloc":"state"}');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'request.malformed', errors: [{ path: 'body.name' }] });
    const after = await t.http.get('/v1/agencies?limit=500').set(bearer(t.adminKey));
    expect(after.body.items).toHaveLength(before.body.items.length);
    // A pair written as escapes is one character and is accepted; a lone key is refused too.
    const pair = await t.http
      .post('/v1/agencies')
      .set(bearer(t.adminKey))
      .set('content-type', 'application/json')
      .send('{"code":"LONE-2","name":"S\\ud83d\\ude00","bloc":"state"}');
    expect(pair.status).toBe(201);
    expect(pair.body.name).toBe('S\u{1F600}');
    const key = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('content-type', 'application/json').send('{"\\udc00":1}');
    expect(key.status).toBe(400);
    expect(key.body.code).toBe('request.malformed');
  });

  it('when the media type is not accepted, then 415', async () => {
    const res = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('content-type', 'application/xml').send('<a/>');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('request.unsupported_media_type');
  });

  it('when the body is larger than the limit, then 413', async () => {
    const res = await t.http
      .post('/v1/agencies')
      .set(bearer(t.adminKey))
      .send({ code: 'X', name: 'a'.repeat(t.config.bodyLimitBytes + 10), bloc: 'state' });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('request.too_large');
  });
});

describe('auth', () => {
  it('when no key is given, then 401 with WWW-Authenticate', async () => {
    const res = await t.http.get('/v1/agencies');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/Bearer/);
    expect(res.body.code).toBe('auth.unauthorized');
  });

  it('when the key is unknown, then 401', async () => {
    const res = await t.http.get('/v1/agencies').set(bearer(`td_${'A'.repeat(43)}`));
    expect(res.status).toBe(401);
  });

  it('when a role may not call a route, then 403', async () => {
    const marker = await t.keyFor('marker');
    const res = await t.http.get('/v1/agencies').set(bearer(marker));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('auth.forbidden');
  });

  it('when an admin creates a key, then it is shown once and works; revoked, it is refused at once', async () => {
    const created = await t.http.post('/v1/api-keys').set(bearer(t.adminKey)).send({ name: 'HR portal', role: 'registrar' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^td_/);
    const rows = await t.sql<{ key_hash: string }>('select key_hash from api_keys where id = $1', [created.body.id]);
    expect(rows[0]!.key_hash).not.toContain(created.body.key);
    const list = await t.http.get('/v1/api-keys').set(bearer(t.adminKey));
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    expect((await t.http.get('/v1/agencies').set(bearer(created.body.key))).status).toBe(200);
    const revoked = await t.http.delete(`/v1/api-keys/${created.body.id}`).set(bearer(t.adminKey));
    expect(revoked.status).toBe(200);
    expect((await t.http.get('/v1/agencies').set(bearer(created.body.key))).status).toBe(401);
  });

  it('when a non-admin calls the key endpoints, then 403', async () => {
    const organizer = await t.keyFor('organizer');
    expect((await t.http.get('/v1/api-keys').set(bearer(organizer))).status).toBe(403);
  });
});

describe('operations', () => {
  it('when the process is up, then /healthz and /readyz answer', async () => {
    expect((await t.http.get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await t.http.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
  });

  it('when metrics are scraped on the metrics listener, then request counts and pool stats are in Prometheus format, and the API port has no /metrics', async () => {
    await t.http.get('/healthz');
    expect((await t.http.get('/metrics')).status).toBe(404);
    const metricsServer = buildMetricsServer(t.app.metricsRegistry, t.app.log);
    const res = await metricsServer.inject({ method: 'GET', url: '/metrics' });
    await metricsServer.close();
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('http_requests_total');
    expect(res.body).toContain('http_request_duration_seconds_bucket');
    expect(res.body).toContain('db_pool_connections');
  });

  it('when the document is fetched, then it is OpenAPI 3.1 with the bearer scheme, and /docs serves', async () => {
    const res = await t.http.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const docs = await t.http.get('/docs/').redirects(1);
    expect(docs.status).toBe(200);
    // Served over plain HTTP on an intranet host, the page must not send its assets to https.
    for (const path of ['/docs/', '/docs/static/index.html', '/docs/static/swagger-initializer.js']) {
      const page = await t.http.get(path).set('host', 'tuyendung.intranet:3000').redirects(1);
      expect(page.status, path).toBe(200);
      const csp = String(page.headers['content-security-policy'] ?? '');
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).not.toContain('upgrade-insecure-requests');
    }
  });

  it('when any response is sent, then security headers are set', async () => {
    const res = await t.http.get('/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
  });
});
