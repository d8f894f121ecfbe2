import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { PING_EVENT_TYPE, webhookEventTypes } from '../../src/modules/webhooks/webhooks.outbox.js';
import { messageOf } from '../../src/modules/webhooks/webhooks.worker.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { listen, operationsOf, resolve, seedWorld, send, auth, type OpenApiDocument, type Operation, type World } from './openapi-support.js';

/*
 * The contract a client generator reads (issue 19, item 1): checked on the document the live app
 * generates from its routes, so operations added later are held to it without editing this file.
 */

let t: TestApp;
let doc: OpenApiDocument;
let ops: Operation[];
let base: string;
let world: World;

type Header = { $ref?: string };
type RawResponse = { description?: string; headers?: Record<string, Header>; content?: Record<string, { schema?: Record<string, unknown> }> };
const responsesOf = (op: Operation) => Object.entries((op.raw.responses ?? {}) as Record<string, RawResponse>).map(([s, r]) => [Number(s), r] as const);
const description = (op: Operation) => (op.raw as { description?: string }).description ?? '';

beforeAll(async () => {
  t = await setupApp({ env: { WEBHOOK_WORKER: 'false' } });
  doc = t.app.swagger() as unknown as OpenApiDocument;
  ops = operationsOf(doc);
  base = await listen(t);
  world = await seedWorld(base, doc, t.adminKey);
});
afterAll(async () => {
  await t?.close();
});

describe('roles in the description (Swagger UI does not show x-roles)', () => {
  it('every operation names its roles, exactly those of x-roles, and the boards whose members must act', () => {
    const wrong: string[] = [];
    for (const op of ops) {
      const text = description(op);
      const line = /Roles \(x-roles\): ([^\n]*)/.exec(text)?.[1];
      if (!line) {
        wrong.push(`${op.key}: no "Roles (x-roles):" in the description`);
        continue;
      }
      if (op.isPublic) {
        if (!line.startsWith('none')) wrong.push(`${op.key}: public but says ${line}`);
        continue;
      }
      const named = line.split('.')[0]!.split(', ').map((r) => r.split(' ')[0]);
      if (JSON.stringify(named) !== JSON.stringify(op.roles)) wrong.push(`${op.key}: says ${named.join(',')}, x-roles ${op.roles?.join(',')}`);
      const boards = (op.raw as { 'x-member-boards'?: string[] })['x-member-boards'] ?? [];
      for (const b of boards) if (!text.includes(b)) wrong.push(`${op.key}: member board ${b} not named`);
    }
    expect(wrong).toEqual([]);
    expect(ops.length).toBeGreaterThan(100);
  });
});

describe('files are binary', () => {
  it('every CSV or XLSX body, request or response, is a binary string of its media type', () => {
    const wrong: string[] = [];
    let files = 0;
    for (const op of ops) {
      const media: [string, string, Record<string, unknown> | undefined][] = [];
      for (const [type, m] of Object.entries(op.raw.requestBody?.content ?? {})) media.push(['request', type, m.schema as Record<string, unknown>]);
      for (const [status, r] of responsesOf(op)) for (const [type, m] of Object.entries(r.content ?? {})) media.push([String(status), type, m.schema]);
      for (const [where, type, schema] of media) {
        if (!/csv|spreadsheetml/.test(type)) continue;
        files++;
        if (schema?.type !== 'string' || schema.format !== 'binary' || schema.contentMediaType !== type) {
          wrong.push(`${op.key} ${where} ${type}: ${JSON.stringify(schema).slice(0, 120)}`);
        }
      }
    }
    // A route sharing one media object between its JSON and CSV bodies keeps its JSON schema.
    for (const op of ops) {
      const json = op.raw.requestBody?.content?.['application/json']?.schema as Record<string, unknown> | undefined;
      if (json?.format === 'binary') wrong.push(`${op.key}: JSON request body typed as binary`);
    }
    expect(wrong).toEqual([]);
    expect(files).toBeGreaterThanOrEqual(11);
  });
});

describe('responses say what they are and which headers come with them', () => {
  it('no response is described as "Default Response"', () => {
    const vague = ops.flatMap((op) => responsesOf(op).filter(([, r]) => !r.description || r.description === 'Default Response').map(([s]) => `${op.key} ${s}`));
    expect(vague).toEqual([]);
  });

  it('every response documents x-request-id; lists Link; 201/202 Location; 429/503 Retry-After; idempotent writes Idempotent-Replayed', () => {
    const missing: string[] = [];
    const components = (doc as { components?: { headers?: Record<string, unknown> } }).components?.headers ?? {};
    for (const op of ops) {
      const idempotent = op.headerParams.some((p) => p.name.toLowerCase() === 'idempotency-key');
      for (const [status, r] of responsesOf(op)) {
        const h = r.headers ?? {};
        const need = ['x-request-id'];
        const schema = r.content?.['application/json']?.schema;
        const props = schema ? (resolve(doc, schema).properties ?? {}) : {};
        if (status >= 200 && status < 300) {
          if ('items' in props && 'nextCursor' in props) need.push('Link');
          if ('version' in props) need.push('ETag');
          if (status === 201 || status === 202) need.push('Location');
          if (idempotent) need.push('Idempotent-Replayed');
        }
        if (status === 429 || status === 503) need.push('Retry-After');
        for (const name of need) {
          const ref = h[name]?.$ref?.replace('#/components/headers/', '');
          if (!ref || !(ref in components)) missing.push(`${op.key} ${status}: ${name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('the documented headers are the ones sent: x-request-id, ETag on a single resource, Location on 201, Link on a page', async () => {
    expect(world.ids.agencies).toBeTruthy();
    const one = await send(base, 'get', `/v1/agencies/${world.ids.agencies}`, { headers: auth(t.adminKey) });
    expect(one.status).toBe(200);
    expect(one.headers.get('x-request-id')).toBeTruthy();
    expect(one.headers.get('etag')).toMatch(/^"v\d+"$/);
    const created = await send(base, 'post', '/v1/agencies', {
      headers: { ...auth(t.adminKey), 'content-type': 'application/json', 'idempotency-key': `contract-${Date.now()}` },
      body: JSON.stringify({ code: `AG-HDR-${Date.now()}`, name: 'Sở Tư pháp tỉnh Hà Giang', bloc: 'state', parentId: null }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toMatch(/^\/v1\/agencies\//);
    const page = await send(base, 'get', '/v1/agencies?limit=1', { headers: auth(t.adminKey) });
    expect(page.status).toBe(200);
    expect(page.headers.get('link')).toMatch(/rel="next"/);
    // The documented operations carry the headers just seen.
    const getOne = ops.find((o) => o.key === 'GET /v1/agencies/{id}')!;
    expect(Object.keys((getOne.raw.responses?.['200'] as RawResponse).headers ?? {})).toEqual(expect.arrayContaining(['x-request-id', 'ETag']));
  });
});

describe('the webhooks section', () => {
  it('lists every event type, signed headers and a payload schema that the body the worker sends satisfies', () => {
    type Hook = { post: { parameters: { name: string }[]; requestBody: { content: { 'application/json': { schema: Record<string, unknown> } } } } };
    const hooks = (doc as unknown as { webhooks?: Record<string, Hook> }).webhooks ?? {};
    expect(Object.keys(hooks).sort()).toEqual([...webhookEventTypes, PING_EVENT_TYPE].sort());
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormatsModule as unknown as (a: Ajv2020) => Ajv2020)(ajv);
    ajv.addSchema({ $id: 'https://tuyendung.test/openapi.json', components: (doc as { components?: object }).components ?? {} });
    const body = JSON.parse(
      messageOf({
        eventId: '0192f0c4-7b1e-7a3c-9d2e-1f2a3b4c5d6e',
        eventType: 'results.published',
        occurredAt: new Date('2026-11-20T03:00:00Z'),
        payload: { resourceType: 'drive', resourceId: '0192f0c4-7b1e-7a3c-9d2e-1f2a3b4c5d6f', agencyId: null, driveId: '0192f0c4-7b1e-7a3c-9d2e-1f2a3b4c5d6f', object: { status: 'published' }, previous: { status: 'approved' } },
      }),
    ) as unknown;
    const schema = JSON.parse(JSON.stringify(hooks['results.published']!.post.requestBody.content['application/json'].schema).replaceAll('"#/', '"https://tuyendung.test/openapi.json#/')) as object;
    const validate = ajv.compile(schema);
    expect(validate(body), ajv.errorsText(validate.errors)).toBe(true);
    expect(validate({ ...(body as object), type: 'agency.created' })).toBe(false);
    expect(hooks['results.published']!.post.parameters.map((p) => p.name)).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
  });
});
