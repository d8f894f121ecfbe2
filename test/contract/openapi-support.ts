import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { TestApp } from '../helpers/app.js';

/*
 * Shared machinery of the contract and security harnesses: everything is derived from the OpenAPI
 * document the live app generates from its routes, so operations added later are covered without
 * editing these files.
 */

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
}

type MediaMap = Record<string, { schema?: JsonSchema }>;
type RawOperation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  parameters?: { in: string; name: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { required?: boolean; content?: MediaMap };
  responses?: Record<string, { description?: string; content?: MediaMap }>;
  security?: unknown[];
  'x-roles'?: string[];
};
export type OpenApiDocument = {
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
};

export type Operation = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  key: string;
  raw: RawOperation;
  operationId: string;
  isPublic: boolean;
  roles: string[] | null;
  pathParams: { name: string; schema: JsonSchema }[];
  queryParams: { name: string; required: boolean; schema: JsonSchema }[];
  headerParams: { name: string; required: boolean; schema: JsonSchema }[];
  /** JSON request body schema (resolved), when the operation takes one. */
  body: JsonSchema | null;
  bodyRequired: boolean;
  bodyMediaTypes: string[];
  statuses: number[];
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const raw = item[method];
      if (!raw) continue;
      const params = raw.parameters ?? [];
      const content = raw.requestBody?.content ?? {};
      const jsonBody = content['application/json']?.schema;
      ops.push({
        method,
        path,
        key: `${method.toUpperCase()} ${path}`,
        raw,
        operationId: raw.operationId ?? `${method} ${path}`,
        isPublic: Array.isArray(raw.security) && raw.security.length === 0,
        roles: raw['x-roles'] ?? null,
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: Boolean(p.required), schema: p.schema ?? {} })),
        headerParams: params.filter((p) => p.in === 'header').map((p) => ({ name: p.name, required: Boolean(p.required), schema: p.schema ?? {} })),
        body: jsonBody ? resolve(doc, jsonBody) : null,
        bodyRequired: Boolean(raw.requestBody?.required),
        bodyMediaTypes: Object.keys(content),
        statuses: Object.keys(raw.responses ?? {}).map(Number).filter(Number.isFinite),
      });
    }
  }
  return ops;
}

export function resolve(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; i < 10 && s.$ref; i++) {
    const name = s.$ref.replace('#/components/schemas/', '');
    s = doc.components?.schemas?.[name] ?? {};
  }
  return s;
}

/** The app, listening on a loopback port so requests go through real HTTP. */
export async function listen(t: TestApp): Promise<string> {
  if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

export type Sent = { status: number; headers: Headers; text: string; json: unknown };

export async function send(
  base: string,
  method: string,
  url: string,
  opts: { headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<Sent> {
  const res = await fetch(base + url, {
    method: method.toUpperCase(),
    headers: opts.headers ?? {},
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    redirect: 'manual',
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const auth = (key: string) => ({ authorization: `Bearer ${key}` });

// ---------------------------------------------------------------------------------------------
// Prerequisite data, created through the API for the resources whose endpoints exist.

export type World = {
  /** Real ids by the path segment that names the collection: agencies, drives, quotas… */
  ids: Record<string, string>;
  /** Identity values of a seeded candidate (to check they never reach markers). */
  identity: { fullName: string; nationalId: string } | null;
  notes: string[];
};

const uniq = (p: string) => `${p}-${randomBytes(4).toString('hex').toUpperCase()}`;

export function hasOperation(doc: OpenApiDocument, method: string, path: string): boolean {
  return Boolean(doc.paths[path]?.[method]);
}

/**
 * Creates one of each resource the document offers, in agency `parentId` (or a new root agency),
 * through the API with the given key. A resource that cannot be created is left out with a note;
 * operations on it then get random UUIDs (and 404).
 */
export async function seedWorld(base: string, doc: OpenApiDocument, key: string, opts: { webhookUrl?: string } = {}): Promise<World> {
  const world: World = { ids: {}, identity: null, notes: [] };
  const h = { ...auth(key), 'content-type': 'application/json' };
  const create = async (collection: string, method: string, path: string, url: string, body: unknown, ok = [200, 201]) => {
    if (!hasOperation(doc, method, path)) {
      world.notes.push(`${collection}: no ${method.toUpperCase()} ${path} in the document (module not present)`);
      return undefined;
    }
    const res = await send(base, method, url, { headers: h, body: JSON.stringify(body) });
    if (!ok.includes(res.status)) {
      world.notes.push(`${collection}: ${method.toUpperCase()} ${url} answered ${res.status} ${res.text.slice(0, 300)}`);
      return undefined;
    }
    const id = (res.json as { id?: string } | undefined)?.id;
    if (id) world.ids[collection] = id;
    return res.json as Record<string, unknown>;
  };
  // Registration opens yesterday (UTC) so that it is open today in Asia/Ho_Chi_Minh too.
  const opensOn = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const year = Number(opensOn.slice(0, 4));
  const agency = await create('agencies', 'post', '/v1/agencies', '/v1/agencies', { code: uniq('AG'), name: 'Sở Nội vụ thử nghiệm', bloc: 'state', parentId: null });
  if (!agency) return world;
  const agencyId = agency.id as string;
  await create('headcount', 'put', '/v1/agencies/{id}/headcount/{year}', `/v1/agencies/${agencyId}/headcount/${year}`, {
    categories: [{ staffCategory: 'civil_servant', assigned: 100, filled: 0 }],
  });
  await create('job-positions', 'post', '/v1/job-positions', '/v1/job-positions', {
    agencyId,
    code: uniq('VT'),
    name: 'Chuyên viên quản lý nhân sự',
    staffCategory: 'civil_servant',
    leadership: false,
  });
  const drive = await create('drives', 'post', '/v1/drives', '/v1/drives', {
    code: uniq('KT'),
    name: `Kỳ tuyển dụng công chức ${year}`,
    kind: 'recruitment',
    staffCategory: 'civil_servant',
    year,
    organizingAgencyId: agencyId,
    ruleSet: { preset: 'nd138', overrides: {}, use: 'historical', reason: 'Recomputing a Decree 138/2020 drive' },
    planApprovedOn: '2025-01-15',
    registrationOpensOn: opensOn,
  });
  const driveId = drive?.id as string | undefined;
  if (driveId && world.ids['job-positions']) {
    await create('quotas', 'post', '/v1/drives/{id}/quotas', `/v1/drives/${driveId}/quotas`, {
      agencyId,
      jobPositionId: world.ids['job-positions'],
      slots: 3,
    });
  }
  if (driveId) {
    await create('rounds', 'post', '/v1/drives/{id}/rounds', `/v1/drives/${driveId}/rounds`, {
      order: 1,
      code: 'written',
      name: 'Vòng 2: thi viết',
      kind: 'scored',
      ranking: true,
      parts: [{ code: 'written', name: 'Thi viết', maxScore: '100', markingMode: 'double' }],
    });
    if (hasOperation(doc, 'post', '/v1/drives/{id}/transitions')) {
      const res = await send(base, 'post', `/v1/drives/${driveId}/transitions`, { headers: h, body: JSON.stringify({ to: 'open' }) });
      if (res.status !== 200) world.notes.push(`drives: opening answered ${res.status} ${res.text.slice(0, 200)}`);
    }
  }
  // CCCD: province 001 (Hà Nội), century-and-gender digit 1 (female, 1900s), birth year 95, then six digits.
  const nationalId = `001195${String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0')}`;
  const fullName = `Nguyễn Thị Bảo Ngọc ${randomBytes(2).toString('hex')}`;
  const candidate = await create('candidates', 'post', '/v1/candidates', '/v1/candidates', {
    fullName,
    nationalId,
    birthDate: '1995-05-17',
    gender: 'female',
    ethnicity: 'Kinh',
  });
  if (candidate) world.identity = { fullName, nationalId };
  if (driveId && candidate && world.ids.quotas) {
    await create('applications', 'post', '/v1/drives/{id}/applications', `/v1/drives/${driveId}/applications`, {
      candidateId: candidate.id,
      quotaId: world.ids.quotas,
    });
  }
  if (world.ids.applications && world.ids.rounds && hasOperation(doc, 'post', '/v1/rounds/{id}/scripts')) {
    // Anonymous script codes for the registered application, so marker-facing reads have rows.
    const roundUrl = `/v1/rounds/${world.ids.rounds}`;
    const moved = await send(base, 'post', `${roundUrl}/transitions`, { headers: h, body: JSON.stringify({ to: 'marking' }) });
    const issued = await send(base, 'post', `${roundUrl}/scripts`, { headers: h, body: '{}' });
    if (moved.status !== 200 || issued.status !== 200) world.notes.push(`scripts: marking ${moved.status}, issuing ${issued.status} ${issued.text.slice(0, 200)}`);
  }
  await create('webhooks', 'post', '/v1/webhooks', '/v1/webhooks', {
    url: opts.webhookUrl ?? 'https://93.184.215.14/hooks/tuyendung',
    eventTypes: ['agency.created', 'agency.updated'],
    agencyId,
  });
  if (world.ids.webhooks && hasOperation(doc, 'get', '/v1/webhooks/{id}/deliveries')) {
    // A change after subscribing writes a delivery to the outbox (the worker is off in these apps).
    await send(base, 'patch', `/v1/agencies/${agencyId}`, { headers: h, body: JSON.stringify({ name: 'Sở Nội vụ (đổi tên)' }) });
    const res = await send(base, 'get', `/v1/webhooks/${world.ids.webhooks}/deliveries`, { headers: auth(key) });
    const first = (res.json as { items?: { id: string }[] } | undefined)?.items?.[0];
    if (first) world.ids['webhook-deliveries'] = first.id;
    else world.notes.push('webhook-deliveries: none written after a change');
  }
  await create('api-keys', 'post', '/v1/api-keys', '/v1/api-keys', { name: 'throwaway key', role: 'auditor' });
  return world;
}

/** The collection a path's `{id}` names: `/v1/drives/{id}/quotas` → drives. */
export function collectionOf(path: string): string | null {
  const m = /^\/v1\/([a-z-]+)\/\{id\}/.exec(path);
  return m?.[1] ?? null;
}

/** A concrete URL for the operation: real ids where seeded, else a random UUID. */
export function urlFor(op: Operation, world: World | null, overrides: Record<string, string> = {}): string {
  return op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    if (overrides[name] !== undefined) return encodeURIComponent(overrides[name]);
    if (name === 'id') return world?.ids[collectionOf(op.path) ?? ''] ?? randomUUID();
    if (name === 'year') return String(new Date(Date.now() - 86_400_000).getUTCFullYear());
    const p = op.pathParams.find((x) => x.name === name);
    const sample = p ? fc.sample(valueArb(p.schema, null), { numRuns: 1, seed: 1 })[0] : 'x';
    return encodeURIComponent(String(sample));
  });
}

// ---------------------------------------------------------------------------------------------
// Values from schemas.

const URLS = ['https://93.184.215.14/hook', 'https://example.org/a', 'http://127.0.0.1:9/x'];

/** Values that satisfy the schema (as far as a JSON Schema can say: domain rules aside). */
export function valueArb(schema: JsonSchema, doc: OpenApiDocument | null, depth = 0): fc.Arbitrary<unknown> {
  const s = doc ? resolve(doc, schema) : schema;
  if (depth > 6) return fc.constant(null);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (alts && alts.length > 0) return fc.oneof(...alts.map((a) => valueArb(a, doc, depth + 1)));
  if (s.allOf && s.allOf[0]) return valueArb(s.allOf[0], doc, depth + 1);
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((ty) => valueArb({ ...s, type: ty }, doc, depth)));
  switch (s.type) {
    case 'string':
      return stringArb(s);
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? -1_000_000, -(2 ** 31)), max: Math.min(s.maximum ?? 1_000_000, 2 ** 31) });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const min = s.minItems ?? 0;
      return fc.array(valueArb(s.items ?? {}, doc, depth + 1), { minLength: min, maxLength: Math.max(min, Math.min(s.maxItems ?? 3, 3)) });
    }
    case 'object':
    default: {
      if (!s.properties && s.type !== 'object') return fc.jsonValue({ maxDepth: 2 });
      const props = s.properties ?? {};
      const record = fc.record(
        Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valueArb(v, doc, depth + 1)])),
        { requiredKeys: (s.required ?? []).filter((k) => k in props) },
      );
      if (typeof s.additionalProperties === 'object' && Object.keys(props).length === 0) {
        const keyArb = s.propertyNames?.pattern ? stringArb(s.propertyNames) : fc.string({ minLength: 1, maxLength: 10 });
        return fc.dictionary(keyArb as fc.Arbitrary<string>, valueArb(s.additionalProperties, doc, depth + 1), { maxKeys: 3 });
      }
      return record;
    }
  }
}

function stringArb(s: JsonSchema): fc.Arbitrary<string> {
  // A pattern fixes its own lengths (^[0-9a-f]{64}$): a default cap under it would filter for ever.
  const max = s.maxLength ?? (s.pattern ? Number.POSITIVE_INFINITY : 60);
  const min = s.minLength ?? 0;
  const fit = (a: fc.Arbitrary<string>) => a.filter((v) => v.length >= min && v.length <= max);
  if (s.format === 'uuid') return fc.uuid();
  if (s.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'date') return fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  if (s.format === 'email') return fit(fc.emailAddress());
  if (s.format === 'uri') return fc.constantFrom(...URLS);
  if (s.pattern) {
    if (s.pattern === '^\\d{4}-\\d{2}-\\d{2}$') {
      return fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    }
    return fit(fc.stringMatching(new RegExp(s.pattern), { size: 'small' }));
  }
  return fc.oneof(
    fc.string({ minLength: Math.max(min, 1), maxLength: Math.min(max, 40), unit: 'grapheme' }),
    fc.constantFrom('Nguyễn Văn An', 'Sở Nội vụ tỉnh Lào Cai', 'Phòng Tổ chức cán bộ').filter((v) => v.length >= min && v.length <= max),
  );
}

// ---------------------------------------------------------------------------------------------
// Response checks.

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export function createResponseValidator(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'https://tuyendung.test/openapi.json', components: doc.components ?? {} });
  const cache = new Map<string, ValidateFunction>();
  const rebase = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rebase);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' && x.startsWith('#/') ? `https://tuyendung.test/openapi.json${x}` : rebase(x)]),
      );
    }
    return v;
  };
  return (op: Operation, status: number, contentType: string, body: unknown): string | null => {
    const response = op.raw.responses?.[String(status)];
    if (!response) return `status ${status} is not documented`;
    const media = contentType.split(';')[0]!.trim();
    const schema = response.content?.[media]?.schema;
    if (!response.content) return null;
    if (!schema) return `content type ${media} not documented for ${status} (documented: ${Object.keys(response.content).join(', ')})`;
    const key = `${op.key} ${status} ${media}`;
    let validate = cache.get(key);
    if (!validate) {
      validate = ajv.compile(rebase(schema) as object);
      cache.set(key, validate);
    }
    if (validate(body)) return null;
    return `body does not match the documented schema: ${ajv.errorsText(validate.errors, { separator: '; ' }).slice(0, 500)}`;
  };
}

/** What an error response must look like: problem+json with the fields clients branch on. */
export function problemShapeErrors(res: Sent): string[] {
  const out: string[] = [];
  const ct = res.headers.get('content-type') ?? '';
  if (!ct.startsWith('application/problem+json')) out.push(`content-type ${ct || 'none'} instead of application/problem+json`);
  const b = res.json as Record<string, unknown> | undefined;
  if (!b || typeof b !== 'object') return [...out, `body is not a JSON object: ${res.text.slice(0, 120)}`];
  for (const f of ['type', 'title', 'code', 'requestId']) if (typeof b[f] !== 'string' || !b[f]) out.push(`missing ${f}`);
  if (b.status !== res.status) out.push(`status field ${String(b.status)} ≠ ${res.status}`);
  return out;
}

/** Internals that must never reach a client: stack frames, SQL, driver messages, file paths. */
const LEAKS: [string, RegExp][] = [
  ['stack frame', /\bat [\w$.<>]+ \(?[^)\s]*:\d+:\d+\)?/],
  ['file path', /(?:\/work\/|\/home\/|\/usr\/|node_modules|[A-Za-z]:\\|\.ts:\d+|\.js:\d+)/],
  ['SQL', /\b(?:select\s+[\w*"., ]+\s+from|insert\s+into|update\s+"?\w+"?\s+set|delete\s+from|returning\s+"|where\s+"\w+"\s*=)/i],
  ['driver message', /(?:duplicate key value|violates (?:unique|foreign key|check|not-null) constraint|relation "|column "|syntax error at|invalid input syntax for|DrizzleQueryError|Failed query)/i],
  ['error class', /\b(?:TypeError|ReferenceError|RangeError|SyntaxError): /],
];

export function leaksIn(text: string): string[] {
  return LEAKS.filter(([, re]) => re.test(text)).map(([name]) => name);
}
