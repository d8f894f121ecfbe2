import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { startReceiver } from '../helpers/receiver.js';
import {
  auth,
  collectionOf,
  hasOperation,
  leaksIn,
  listen,
  operationsOf,
  problemShapeErrors,
  resolve,
  seedWorld,
  send,
  urlFor,
  valueArb,
  type JsonSchema,
  type OpenApiDocument,
  type Operation,
  type Sent,
  type World,
} from '../contract/openapi-support.js';

/*
 * OWASP API Security Top 10 (2023), one group per item (issue 7, item 2). Every check walks the
 * OpenAPI document the live app generates, so operations added later are covered as they appear.
 * Each group prints what it checked; modules whose endpoints are not present are skipped with a note.
 */

const ROLES = ['admin', 'organizer', 'registrar', 'anonymizer', 'marker', 'council', 'approver', 'auditor'] as const;
type Role = (typeof ROLES)[number];
const BODY_LIMIT = 16_384;

let t: TestApp;
let base: string;
let doc: OpenApiDocument;
let ops: Operation[];
let worldA: World;
let agencyB: string;
const keys = {} as Record<Role, string>;
/** Every problem body this file received, for the API8 scan. */
const problemsSeen: { where: string; res: Sent }[] = [];

const note = (line: string) => process.stdout.write(`[owasp] ${line}\n`);

async function call(method: string, url: string, opts: { key?: string | null; headers?: Record<string, string>; body?: unknown; raw?: string } = {}) {
  const headers: Record<string, string> = { ...(opts.key ? auth(opts.key) : {}), ...(opts.headers ?? {}) };
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await send(base, method, url, { headers, ...(body !== undefined ? { body } : {}) });
  if (res.status >= 400) problemsSeen.push({ where: `${method.toUpperCase()} ${url}`, res });
  return res;
}

const sample = (schema: JsonSchema, seed: number, n = 1) => fc.sample(valueArb(schema, doc), { seed, numRuns: n });

beforeAll(async () => {
  t = await setupApp({ env: { WEBHOOK_WORKER: 'false', BODY_LIMIT_BYTES: String(BODY_LIMIT), IMPORT_BODY_LIMIT_BYTES: String(BODY_LIMIT * 2) } });
  base = await listen(t);
  doc = t.app.swagger() as unknown as OpenApiDocument;
  ops = operationsOf(doc);
  worldA = await seedWorld(base, doc, t.adminKey);
  const b = await call('post', '/v1/agencies', { key: t.adminKey, body: { code: `AGB-${Date.now()}`, name: 'Sở Tài chính', bloc: 'state', parentId: null } });
  expect(b.status).toBe(201);
  agencyB = (b.json as { id: string }).id;
  for (const role of ROLES) keys[role] = role === 'admin' ? t.adminKey : await t.keyFor(role);
  if (worldA.notes.length) note(`seeding notes: ${worldA.notes.join(' | ')}`);
});
afterAll(async () => {
  await t?.close();
});

const secured = () => ops.filter((o) => !o.isPublic);
const allowedRole = (op: Operation): Role => (op.roles?.find((r) => r !== 'admin') as Role | undefined) ?? 'admin';

describe('API1 broken object level authorization', () => {
  it('when a key scoped to agency B names agency A’s resources by id, then 404 on every operation, never data', async () => {
    const scoped = new Map<Role, string>();
    const keyB = async (role: Role) => {
      if (!scoped.has(role)) scoped.set(role, await t.keyFor(role, agencyB));
      return scoped.get(role)!;
    };
    const failures: string[] = [];
    const covered = new Set<string>();
    let checked = 0;
    let sameAsMissing = 0;
    let refusedScoped = 0;
    const targets = ops.filter((o) => !o.isPublic && o.pathParams.some((p) => p.name === 'id') && worldA.ids[collectionOf(o.path) ?? '']);
    // Reads first, then changes, deletions last: every target still exists when it is tried.
    const order = { get: 0, put: 1, patch: 1, post: 2, delete: 3 } as const;
    targets.sort((a, b) => order[a.method] - order[b.method]);
    for (const op of targets) {
      const collection = collectionOf(op.path)!;
      const url = urlFor(op, worldA);
      if (op.method === 'get') {
        const control = await call('get', url, { key: t.adminKey });
        if (control.status !== 200) {
          note(`API1: ${op.key} control read by admin answered ${control.status}; not counted`);
          continue;
        }
      }
      const key = await keyB(allowedRole(op));
      const bodies: unknown[] = op.body ? sample(op.body, 7, 5) : [undefined];
      let last: Sent | null = null;
      let body: unknown;
      for (body of bodies) {
        last = await call(op.method, url, { key, ...(body !== undefined ? { body } : {}) });
        if (last.status !== 400) break; // past validation: the answer is about the object
      }
      checked++;
      const s = last!.status;
      if (s >= 200 && s < 300) failures.push(`${op.key} answered ${s} with ${last!.text.slice(0, 200)}`);
      else if (s === 404) covered.add(collection);
      else if (s === 403 && (last!.json as { code?: string } | undefined)?.code === 'auth.forbidden') refusedScoped++;
      else {
        // A refusal other than 404 is acceptable only when a non-existent id gets the very same
        // answer (the body was refused before any lookup): it then tells nothing about A's object.
        const ghost = await call(op.method, urlFor(op, null), { key, ...(body !== undefined ? { body } : {}) });
        const code = (r: Sent) => (r.json as { code?: string } | undefined)?.code;
        if (op.method === 'get' || op.method === 'delete' || ghost.status !== s || code(ghost) !== code(last!)) {
          failures.push(`${op.key} answered ${s} ${code(last!)} (a non-existent id: ${ghost.status} ${code(ghost)}): ${last!.text.slice(0, 160)}`);
        } else sameAsMissing++;
      }
      for (const id of Object.values(worldA.ids)) if (s < 300 && last!.text.includes(id)) failures.push(`${op.key} leaked id ${id}`);
    }
    // Lists: nothing of agency A in what a key scoped to B can list.
    let lists = 0;
    for (const op of ops.filter((o) => o.method === 'get' && !o.isPublic && o.pathParams.length === 0)) {
      const res = await call('get', op.path, { key: await keyB(allowedRole(op)) });
      lists++;
      if (res.status !== 200) continue;
      for (const [name, id] of Object.entries(worldA.ids)) {
        if (name === 'api-keys') continue; // keys are listed by admins only, not scoped by agency
        if (res.text.includes(id)) failures.push(`${op.key} listed agency A's ${name} ${id} to a key scoped to B`);
      }
    }
    const expected = ['agencies', 'job-positions', 'drives', 'quotas', 'candidates', 'applications', 'rounds', 'webhooks'];
    const missing = expected.filter((c) => !covered.has(c));
    note(`API1: ${checked} by-id requests with B-scoped keys over ${covered.size} resource kinds (${[...covered].join(', ')}), ` +
      `${sameAsMissing} refused exactly as for a non-existent id, ${refusedScoped} refused to scoped keys (403), ${lists} lists scanned` +
      (missing.length ? `; not covered (module absent or not seeded): ${missing.join(', ')}` : ''));
    expect(failures).toEqual([]);
    expect(covered.has('agencies')).toBe(true);
  });
});

describe('API1 broken object level authorization: API keys', () => {
  // Admin-only routes refuse agency-scoped keys outright (src/http/auth.ts): 403 is the expected answer.
  it('when an admin key scoped to agency B manages keys, then it can neither mint a key outside B’s subtree nor see or revoke others', async () => {
    const scopedAdmin = await t.keyFor('admin', agencyB);
    const outside = [
      { name: 'escalated', role: 'admin' },
      { name: 'escalated', role: 'admin', agencyId: null },
      { name: 'into A', role: 'organizer', agencyId: worldA.ids.agencies },
    ];
    const failures: string[] = [];
    for (const body of outside) {
      const res = await call('post', '/v1/api-keys', { key: scopedAdmin, body });
      if (res.status < 300) failures.push(`POST /v1/api-keys ${JSON.stringify(body)} by a B-scoped admin answered ${res.status}`);
    }
    const list = await call('get', '/v1/api-keys?limit=500', { key: scopedAdmin });
    const foreign = ((list.json as { items?: { agencyId: string | null }[] } | undefined)?.items ?? []).filter((k) => k.agencyId !== agencyB);
    if (foreign.length) failures.push(`GET /v1/api-keys shows a B-scoped admin ${foreign.length} keys outside B`);
    const victim = (await call('post', '/v1/api-keys', { key: t.adminKey, body: { name: 'A organizer', role: 'organizer', agencyId: worldA.ids.agencies } })).json as { id: string };
    const revoke = await call('delete', `/v1/api-keys/${victim.id}`, { key: scopedAdmin });
    if (revoke.status !== 404 && revoke.status !== 403) failures.push(`DELETE /v1/api-keys/{id} of agency A's key by a B-scoped admin answered ${revoke.status}`);
    expect(failures).toEqual([]);
  });
});

describe('API2 broken authentication', () => {
  it('when the key is missing, malformed, unknown or revoked, then 401 on every non-public operation', async () => {
    const created = await call('post', '/v1/api-keys', { key: t.adminKey, body: { name: 'soon revoked', role: 'organizer' } });
    const revoked = (created.json as { key: string; id: string });
    expect((await call('get', '/v1/agencies', { key: revoked.key })).status).toBe(200);
    expect((await call('delete', `/v1/api-keys/${revoked.id}`, { key: t.adminKey })).status).toBe(200);
    const variants: [string, Record<string, string>][] = [
      ['missing', {}],
      ['basic scheme', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['not a key', { authorization: 'Bearer hunter2' }],
      ['two tokens', { authorization: `Bearer ${t.adminKey} ${t.adminKey}` }],
      ['unknown key', { authorization: `Bearer td_${'A'.repeat(43)}` }],
      ['revoked key', auth(revoked.key)],
    ];
    const failures: string[] = [];
    let n = 0;
    for (const op of secured()) {
      const url = urlFor(op, null);
      for (const [name, headers] of variants) {
        const res = await call(op.method, url, { headers });
        n++;
        if (res.status !== 401) failures.push(`${op.key} with ${name}: ${res.status}`);
        else if (!/Bearer/.test(res.headers.get('www-authenticate') ?? '')) failures.push(`${op.key} with ${name}: 401 without WWW-Authenticate`);
      }
    }
    for (const op of ops.filter((o) => o.isPublic && o.method === 'get' && o.pathParams.length === 0)) {
      const res = await call('get', op.path);
      if (res.status === 401) failures.push(`public ${op.key} asked for a key`);
    }
    note(`API2: ${secured().length} non-public operations × ${variants.length} credential variants = ${n} requests`);
    expect(failures).toEqual([]);
  });

  it('when a key is revoked, then its very next request is refused', async () => {
    const created = await call('post', '/v1/api-keys', { key: t.adminKey, body: { name: 'revoked at once', role: 'auditor' } });
    const k = created.json as { key: string; id: string };
    expect((await call('get', '/v1/audit-events/verify', { key: k.key })).status).toBe(200);
    await call('delete', `/v1/api-keys/${k.id}`, { key: t.adminKey });
    const res = await call('get', '/v1/audit-events/verify', { key: k.key });
    expect(res.status).toBe(401);
    expect((res.json as { code: string }).code).toBe('auth.unauthorized');
  });
});

/** Object schemas in a request body that accept unknown properties. */
function openObjects(schema: JsonSchema, path: string, out: string[], depth = 0): string[] {
  const s = resolve(doc, schema);
  if (depth > 8) return out;
  for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) openObjects(alt, path, out, depth + 1);
  if (s.type === 'object' || s.properties) {
    if (s.properties && (s.additionalProperties === undefined || s.additionalProperties === true)) out.push(path || '(body)');
    for (const [k, v] of Object.entries(s.properties ?? {})) openObjects(v, `${path}.${k}`, out, depth + 1);
    if (typeof s.additionalProperties === 'object') openObjects(s.additionalProperties, `${path}.*`, out, depth + 1);
  }
  if (s.type === 'array' && s.items) openObjects(s.items, `${path}[]`, out, depth + 1);
  return out;
}

const IDENTITY_FIELDS = ['fullName', 'nationalId', 'nationalIdMasked', 'birthDate', 'candidate', 'candidateId', 'applicationId'];

/** Property names anywhere in a response schema. */
function propertyNames(schema: JsonSchema, out = new Set<string>(), depth = 0): Set<string> {
  const s = resolve(doc, schema);
  if (depth > 10) return out;
  for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) propertyNames(alt, out, depth + 1);
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    out.add(k);
    propertyNames(v, out, depth + 1);
  }
  if (s.items) propertyNames(s.items, out, depth + 1);
  return out;
}

describe('API3 broken object property level authorization', () => {
  it('when a body carries a property the contract does not list, then 400 naming it, on every operation with a JSON body (mass assignment)', async () => {
    const failures: string[] = [];
    let n = 0;
    for (const op of ops.filter((o) => o.body && !o.isPublic)) {
      const open = openObjects(op.body!, '', []);
      if (open.length) failures.push(`${op.key}: body objects accept unknown properties at ${open.join(', ')}`);
      const top = resolve(doc, op.body!);
      const [valid] = sample(op.body!, 11);
      let body: unknown;
      if (top.type === 'array') body = [{ ...((valid as unknown[] | undefined)?.[0] as object | undefined), zzMassAssigned: true }];
      else if (top.type === 'object' || top.properties) body = { ...(valid as object), zzMassAssigned: true, role: 'admin', agencyId: agencyB };
      else continue;
      const res = await call(op.method, urlFor(op, worldA), { key: t.adminKey, body });
      n++;
      if (res.status !== 400) failures.push(`${op.key}: unknown property answered ${res.status} ${res.text.slice(0, 200)}`);
      else if (!res.text.includes('zzMassAssigned')) failures.push(`${op.key}: 400 does not name the unknown property: ${res.text.slice(0, 200)}`);
    }
    note(`API3: ${n} operations with JSON bodies refused an unknown property`);
    expect(failures).toEqual([]);
  });

  it('when a marker reads anything it may read, then no identity reaches it (contract and answers)', async () => {
    const markerOps = ops.filter((o) => o.method === 'get' && o.roles?.includes('marker'));
    const failures: string[] = [];
    for (const op of markerOps) {
      for (const [status, r] of Object.entries(op.raw.responses ?? {})) {
        if (!status.startsWith('2')) continue;
        for (const media of Object.values(r.content ?? {})) {
          // A response whose items are alternatives (full view | marker view) must offer one without identities.
          const items = media.schema ? resolve(doc, resolve(doc, media.schema).properties?.items?.items ?? media.schema) : {};
          const shapes = items.anyOf ?? items.oneOf ?? [media.schema ?? {}];
          const clean = shapes.some((shape) => !IDENTITY_FIELDS.some((f) => propertyNames(shape).has(f)));
          if (!clean) failures.push(`${op.key} ${status}: every documented shape gives markers an identity field`);
        }
      }
      const res = await call('get', urlFor(op, worldA), { key: keys.marker });
      if (res.status === 200) {
        if (worldA.identity && (res.text.includes(worldA.identity.fullName) || res.text.includes(worldA.identity.nationalId))) {
          failures.push(`${op.key}: a marker received the candidate's identity`);
        }
        for (const f of IDENTITY_FIELDS) if (res.text.includes(`"${f}"`)) failures.push(`${op.key}: a marker received field ${f}`);
      }
    }
    note(`API3: ${markerOps.length} marker-readable operations checked for identities${worldA.identity ? '' : ' (no candidate seeded: contract check only)'}`);
    expect(failures).toEqual([]);
  });
});

describe('API4 unrestricted resource consumption', () => {
  it('when a key exceeds the rate limit, then 429 problem+json with Retry-After', async () => {
    const small = await setupApp({ env: { RATE_LIMIT_MAX: '5', WEBHOOK_WORKER: 'false' } });
    try {
      const url = await listen(small);
      const statuses: number[] = [];
      let limited: Sent | null = null;
      for (let i = 0; i < 8; i++) {
        const res = await send(url, 'get', '/v1/agencies', { headers: auth(small.adminKey) });
        statuses.push(res.status);
        if (res.status === 429) limited = res;
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(limited, `statuses ${statuses.join(',')}`).not.toBeNull();
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(problemShapeErrors(limited!)).toEqual([]);
      expect((limited!.json as { code: string }).code).toBe('rate_limited');
      problemsSeen.push({ where: 'rate limit', res: limited! });
    } finally {
      await small.close();
    }
  });

  it('when a body is larger than the limit, then 413 on every operation that takes a body', async () => {
    const failures: string[] = [];
    const writes = ops.filter((o) => (o.method === 'post' || o.method === 'put' || o.method === 'patch') && !o.isPublic);
    const big = JSON.stringify({ name: 'x'.repeat(BODY_LIMIT * 2 + 1024) });
    for (const op of writes) {
      const res = await call(op.method, urlFor(op, worldA), { key: t.adminKey, headers: { 'content-type': 'application/json' }, raw: big });
      if (res.status !== 413) failures.push(`${op.key}: ${res.status}`);
      else if ((res.json as { code?: string }).code !== 'request.too_large') failures.push(`${op.key}: code ${(res.json as { code?: string }).code}`);
    }
    note(`API4: ${writes.length} writing operations refused a ${big.length}-byte body (limit ${BODY_LIMIT})`);
    expect(failures).toEqual([]);
  });

  it('when a page size is above 500 or below 1, then 400; 500 itself is accepted, on every paged list', async () => {
    const failures: string[] = [];
    const paged = ops.filter((o) => o.method === 'get' && o.queryParams.some((p) => p.name === 'limit'));
    for (const op of paged) {
      const key = op.isPublic ? null : t.adminKey;
      const url = urlFor(op, worldA);
      for (const bad of ['501', '0', '100000']) {
        const res = await call('get', `${url}?limit=${bad}`, { key });
        if (res.status !== 400) failures.push(`${op.key} limit=${bad}: ${res.status}`);
      }
      const ok = await call('get', `${url}?limit=500`, { key });
      if (ok.status === 400) failures.push(`${op.key} limit=500 refused: ${ok.text.slice(0, 200)}`);
    }
    note(`API4: ${paged.length} paged lists bound their page size`);
    expect(failures).toEqual([]);
  });
});

describe('API5 broken function level authorization', () => {
  it('when each role calls every operation, then 403 exactly where the documented x-roles exclude it', async () => {
    const failures: string[] = [];
    const noRoles = secured().filter((o) => !o.roles).map((o) => o.key);
    expect(noRoles, 'operations without x-roles').toEqual([]);
    let n = 0;
    for (const op of secured()) {
      const url = urlFor(op, null);
      for (const role of ROLES) {
        const res = await call(op.method, url, { key: keys[role] });
        n++;
        const refused = res.status === 403 && (res.json as { code?: string }).code === 'auth.forbidden';
        const documented = op.roles!.includes(role);
        if (refused === documented) failures.push(`${op.key} as ${role}: ${res.status} but x-roles ${documented ? 'admits' : 'excludes'} it`);
      }
    }
    note(`API5: access matrix ${secured().length} operations × ${ROLES.length} roles = ${n} checks`);
    expect(failures).toEqual([]);
  });
});

describe('API6 unrestricted access to sensitive business flows', () => {
  it('when an Idempotency-Key is replayed with another body, then 422 on every creating operation (no silent double submission)', async () => {
    const failures: string[] = [];
    const creating = ops.filter((o) => o.method === 'post' && o.headerParams.some((h) => h.name === 'idempotency-key'));
    let proven = 0;
    for (const op of creating) {
      const key = `owasp-${op.operationId}`;
      // Random ids in the path: the first request ends in a stored answer (404, 422 or 201), never a new row elsewhere.
      const url = urlFor(op, null);
      const bodies = op.body ? sample(op.body, 13, 12) : [{}];
      const h = { 'idempotency-key': key };
      let i = 0;
      let first: Sent | null = null;
      for (; i < bodies.length; i++) {
        first = await call('post', url, { key: t.adminKey, headers: h, body: bodies[i] });
        if (first.status !== 400) break;
      }
      if (!first || first.status === 400) {
        note(`API6: ${op.key}: no sampled body passed validation; not proven`);
        continue;
      }
      let outcome: Sent | null = null;
      for (const body of bodies.slice(i + 1)) {
        if (JSON.stringify(body) === JSON.stringify(bodies[i])) continue;
        outcome = await call('post', url, { key: t.adminKey, headers: h, body });
        if (outcome.status !== 400) break;
      }
      if (!outcome || outcome.status === 400) continue;
      proven++;
      if (outcome.status !== 422 || (outcome.json as { code?: string }).code !== 'idempotency.key_reused') {
        failures.push(`${op.key}: first ${first.status}, then with another body ${outcome.status} ${outcome.text.slice(0, 160)}`);
      }
    }
    expect(proven).toBeGreaterThan(0);
    note(`API6: ${proven} of ${creating.length} creating operations proven to refuse a reused Idempotency-Key; automated abuse is bounded per key by API4's rate limit`);
    expect(failures).toEqual([]);
  });
});

describe('API7 server-side request forgery', () => {
  it('when a webhook URL points at loopback, private, link-local or non-http targets, then 422 and nothing is stored', async (ctx) => {
    if (!hasOperation(doc, 'post', '/v1/webhooks')) {
      note('API7: no /v1/webhooks in the document: n/a');
      ctx.skip();
      return;
    }
    const strict = await setupApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'false', WEBHOOK_WORKER: 'false' } });
    try {
      const url = await listen(strict);
      const h = { ...auth(strict.adminKey), 'content-type': 'application/json' };
      const targets = [
        'http://127.0.0.1/hook', 'http://localhost:3000/hook', 'http://[::1]/hook', 'http://10.0.0.5/hook', 'http://172.16.0.1/hook',
        'http://192.168.1.1/hook', 'http://169.254.169.254/latest/meta-data/', 'http://[::ffff:127.0.0.1]/hook', 'http://0.0.0.0/hook',
        'http://2130706433/hook', 'http://0x7f000001/hook', 'http://100.64.0.1/hook', 'http://[fd00::1]/hook', 'http://[fe80::1]/hook',
        'file:///etc/passwd', 'gopher://127.0.0.1:6379/_INFO', 'http://user:pass@93.184.215.14/hook',
      ];
      const failures: string[] = [];
      for (const target of targets) {
        const res = await send(url, 'post', '/v1/webhooks', { headers: h, body: JSON.stringify({ url: target, eventTypes: ['agency.created'] }) });
        if (res.status >= 400) problemsSeen.push({ where: `POST /v1/webhooks ${target}`, res });
        if (res.status !== 422 && res.status !== 400) failures.push(`${target}: ${res.status}`);
      }
      const stored = await strict.sql<{ n: number }>('select count(*)::int as n from webhook_subscriptions');
      expect(stored[0]!.n).toBe(0);
      const ok = await send(url, 'post', '/v1/webhooks', { headers: h, body: JSON.stringify({ url: 'https://93.184.215.14/hook', eventTypes: ['agency.created'] }) });
      expect(ok.status).toBe(201);
      const id = (ok.json as { id: string }).id;
      const moved = await send(url, 'patch', `/v1/webhooks/${id}`, { headers: h, body: JSON.stringify({ url: 'http://169.254.169.254/' }) });
      expect(moved.status).toBe(422);
      const row = await strict.sql<{ url: string }>('select url from webhook_subscriptions where id = $1', [id]);
      expect(row[0]!.url).toBe('https://93.184.215.14/hook');
      note(`API7: ${targets.length} forbidden webhook targets refused, plus a change of URL to the metadata address`);
      expect(failures).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});

describe('API10 unsafe consumption of APIs', () => {
  it('when a webhook receiver answers with a redirect, then the delivery does not follow it', async (ctx) => {
    if (!hasOperation(doc, 'post', '/v1/webhooks')) {
      note('API10: no webhooks: the service consumes no third-party API (n/a)');
      ctx.skip();
      return;
    }
    const target = await startReceiver();
    const redirector = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(307, { location: `${target.url}/stolen`, connection: 'close' }).end());
    });
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', () => r()));
    const hits: number[] = [];
    redirector.on('request', () => hits.push(Date.now()));
    const app = await setupApp({ env: { WEBHOOK_WORKER: 'true', WEBHOOK_POLL_INTERVAL_MS: '20', WEBHOOK_BACKOFF_BASE_MS: '60000', WEBHOOK_TIMEOUT_MS: '2000' } });
    try {
      const url = await listen(app);
      const h = { ...auth(app.adminKey), 'content-type': 'application/json' };
      const port = (redirector.address() as AddressInfo).port;
      const sub = await send(url, 'post', '/v1/webhooks', { headers: h, body: JSON.stringify({ url: `http://127.0.0.1:${port}/hook`, eventTypes: ['agency.created'] }) });
      expect(sub.status).toBe(201);
      await send(url, 'post', '/v1/agencies', { headers: h, body: JSON.stringify({ code: `AGR-${Date.now()}`, name: 'Sở Y tế', bloc: 'state', parentId: null }) });
      const until = Date.now() + 10_000;
      while (hits.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      expect(hits.length).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(target.requests).toEqual([]);
      const rows = await app.sql<{ status: string }>('select status from webhook_deliveries');
      expect(rows.map((r) => r.status)).not.toContain('succeeded');
      note('API10: a 307 from a webhook receiver was not followed and the delivery was not counted as delivered (see also test/api/webhooks.test.ts)');
    } finally {
      await app.close();
      await target.close();
      await new Promise((r) => redirector.close(() => r(undefined)));
    }
  });
});

describe('API9 improper inventory management', () => {
  it('when the contract is read, then every operation has an operationId (unique), tags, a summary and the standard error responses', async () => {
    const failures: string[] = [];
    const seen = new Set<string>();
    for (const op of ops) {
      const raw = op.raw;
      if (!raw.operationId) failures.push(`${op.key}: no operationId`);
      else if (seen.has(raw.operationId)) failures.push(`${op.key}: duplicate operationId ${raw.operationId}`);
      else seen.add(raw.operationId);
      if (!raw.tags?.length) failures.push(`${op.key}: no tags`);
      if (!raw.summary) failures.push(`${op.key}: no summary`);
      const required = op.isPublic ? [400, 429, 500] : [400, 401, 403, 429, 500];
      const missing = required.filter((s) => !op.statuses.includes(s));
      if (missing.length) failures.push(`${op.key}: does not document ${missing.join(', ')}`);
      if (!op.isPublic && !op.path.startsWith('/v1/')) failures.push(`${op.key}: a secured operation outside /v1`);
    }
    const served = await call('get', '/openapi.json');
    expect(served.status).toBe(200);
    expect(served.json).toEqual(JSON.parse(JSON.stringify(doc)));
    note(`API9: ${ops.length} operations inventoried`);
    expect(failures).toEqual([]);
  });
});

describe('API8 security misconfiguration', () => {
  it('when any answer is sent, then the security headers are present and no framework banner', async () => {
    const samples = [await call('get', '/v1/agencies', { key: t.adminKey }), await call('get', '/v1/agencies'), await call('get', '/v1/nope', { key: t.adminKey }), await call('get', '/healthz')];
    for (const res of samples) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(res.headers.get('x-frame-options')).toBeTruthy();
      expect(res.headers.get('referrer-policy')).toBeTruthy();
      expect(res.headers.get('cross-origin-resource-policy')).toBeTruthy();
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-request-id')).toBeTruthy();
    }
    const cors = await send(base, 'options', '/v1/agencies', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(cors.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('when every problem body this file received is scanned, then none carries a stack trace, SQL, a driver message or a file path', () => {
    const failures: string[] = [];
    for (const { where, res } of problemsSeen) {
      for (const leak of leaksIn(res.text)) failures.push(`${where} → ${res.status} leaks ${leak}: ${res.text.slice(0, 200)}`);
      for (const e of problemShapeErrors(res)) failures.push(`${where} → ${res.status}: ${e}`);
    }
    note(`API8: ${problemsSeen.length} problem bodies scanned`);
    expect(problemsSeen.length).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  });
});

describe('audit trail tamper evidence', () => {
  // Alteration, insertion and deletion of single rows are covered one by one in test/api/audit.test.ts;
  // this checks the chain survived all of this file's traffic and still catches a deletion.
  it('when this file’s traffic is done, then the chain verifies; when a row is deleted directly, then it fails', async () => {
    const auditor = keys.auditor;
    const ok = await call('get', '/v1/audit-events/verify', { key: auditor });
    expect(ok.status).toBe(200);
    expect((ok.json as { valid: boolean }).valid).toBe(true);
    const [victim] = await t.sql<{ id: string }>(
      'select id from audit_events e where exists (select 1 from audit_events n where n.stream = e.stream and n.seq = e.seq + 1) limit 1',
    );
    await t.sql('delete from audit_events where id = $1', [victim!.id]);
    // In full: by default verification starts at the latest signed checkpoint (this file's traffic
    // made some), below which a middle row is not read again (test/api/audit-integrity.test.ts).
    const broken = await call('get', '/v1/audit-events/verify?mode=full', { key: auditor });
    expect((broken.json as { valid: boolean }).valid).toBe(false);
  });
});
