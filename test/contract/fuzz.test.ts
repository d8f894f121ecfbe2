import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { onPostgres } from '../helpers/env.js';
import {
  createResponseValidator,
  leaksIn,
  listen,
  operationsOf,
  problemShapeErrors,
  seedWorld,
  send,
  urlFor,
  valueArb,
  type JsonSchema,
  type OpenApiDocument,
  type Operation,
  type World,
} from './openapi-support.js';

/*
 * Contract fuzzing (issue 7, item 1). For every operation of the document the live app generates,
 * fast-check derives requests from the operation's parameter and body schemas — valid-looking ones
 * and deliberately broken ones — and each answer must be: below 500, a status the document lists
 * for the operation, problem+json for errors, and a body matching the documented schema for 2xx.
 * Seeded and bounded: FUZZ_SEED and FUZZ_RUNS (requests per operation) reproduce or widen a run.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_107);
// The embedded database answers about a third as fast: fewer requests per operation there.
const RUNS = Number(process.env.FUZZ_RUNS ?? (onPostgres ? 40 : 15));

let t: TestApp;
let base: string;
let doc: OpenApiDocument;
let world: World;

beforeAll(async () => {
  t = await setupApp({ env: { WEBHOOK_WORKER: 'false' } });
  base = await listen(t);
  doc = t.app.swagger() as unknown as OpenApiDocument;
  world = await seedWorld(base, doc, t.adminKey);
});
afterAll(async () => {
  await t?.close();
});

type Spec = { kind: string; url: string; headers: Record<string, string>; body?: string | Uint8Array };

const ODD_STRINGS = [
  '\u0000',
  '\ud800',
  '\u202egnp.exe',
  '𝕿𝖊𝖘𝖙 🇻🇳 👩‍👩‍👧',
  `a${'\u0301\u0302\u0303'.repeat(60)}`,
  "'; drop table agencies; --",
  '${jndi:ldap://127.0.0.1/a}',
  '<script>alert(1)</script>',
  '%00%ff%c0%af',
  'x'.repeat(5_000),
  ' \t ',
  '',
  'ＡＢＣ１２３',
  '\r\nSet-Cookie: a=b',
  'NaN',
  '2025-02-30',
  '-0',
  '../../etc/passwd',
];
const HUGE_NUMBERS = [1e308, -1e308, 2 ** 53 + 2, -(2 ** 63), 1.5, -0.0001, 0, -1, 2 ** 31, 1e21, 4_294_967_296];
const BAD_IDS = ['not-a-uuid', '00000000-0000-0000-0000-00000000000g', '1', '..%2f..%2f', 'a'.repeat(250), '😀', "' or 1=1--", '{id}', '0x10', '-1'];
const BAD_LIMITS = ['0', '-1', '501', '1e20', 'abc', '1.5', '', '99999999999999999999999', 'NaN', ' 5'];
const WRONG_TYPES: unknown[] = [null, true, 0, -7, 'x', [], [1, 'a'], {}, { nested: { deeper: [null] } }];
const CONTENT_TYPES = ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'text/csv'];
const IF_MATCH = ['"v1"', '"v999999"', 'W/"v1"', '*', 'garbage', '"v-1"', '"v99999999999"'];
const IDEMPOTENCY_KEYS = ['fuzz-key-1', 'fuzz-key-2', 'fuzz-key-3', ' has spaces ', 'x'.repeat(201)];

const pick = <T,>(xs: readonly T[]) => fc.constantFrom(...xs);

function serializeQuery(values: Record<string, unknown>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) v.forEach((x) => qs.append(k, String(x)));
    else qs.append(k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  }
  const s = qs.toString();
  return s ? `?${s}` : '';
}

function queryArb(op: Operation): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(op.queryParams.map((p) => [p.name, valueArb(p.schema, doc)]));
  return fc.record(fields, { requiredKeys: op.queryParams.filter((p) => p.required).map((p) => p.name) });
}

const setKey = (obj: unknown, key: string | undefined, value: unknown) =>
  obj && typeof obj === 'object' && !Array.isArray(obj) && key !== undefined ? { ...obj, [key]: value } : obj;
const keysOf = (obj: unknown) => (obj && typeof obj === 'object' && !Array.isArray(obj) ? Object.keys(obj) : []);
const json = (v: unknown) => ({ 'content-type': 'application/json', body: JSON.stringify(v) });

/** Requests for one operation: one mutation each, over a valid-looking base. */
function specArb(op: Operation, key: string): fc.Arbitrary<Spec> {
  const takesBody = op.method === 'post' || op.method === 'put' || op.method === 'patch';
  const bodySchema: JsonSchema = op.body ?? {};
  const required = op.body?.required ?? [];
  const validBody = op.body ? valueArb(op.body, doc) : fc.constant(undefined);
  const hasId = op.pathParams.length > 0;
  const hasLimit = op.queryParams.some((p) => p.name === 'limit');

  type Mutation = { kind: string; arb: fc.Arbitrary<(b: unknown, q: Record<string, unknown>) => Partial<Spec> & { body2?: unknown; query?: Record<string, unknown> }> };
  const m = (kind: string, arb: Mutation['arb']): Mutation => ({ kind, arb });
  const muts: Mutation[] = [m('valid', fc.constant(() => ({}))), m('valid', fc.constant(() => ({})))];
  if (takesBody) {
    muts.push(
      m('extra-field', fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 1 })).map(([k, v]) => (b) => ({ body2: setKey(b ?? {}, `x_${k}`, v) }))),
      m('wrong-type', fc.tuple(fc.nat(), pick(WRONG_TYPES)).map(([i, v]) => (b) => ({ body2: setKey(b, keysOf(b)[i % Math.max(1, keysOf(b).length)], v) }))),
      m('odd-string', fc.tuple(fc.nat(), pick(ODD_STRINGS)).map(([i, v]) => (b) => ({ body2: setKey(b, keysOf(b)[i % Math.max(1, keysOf(b).length)], v) }))),
      m('huge-number', fc.tuple(fc.nat(), pick(HUGE_NUMBERS)).map(([i, v]) => (b) => ({ body2: setKey(b, keysOf(b)[i % Math.max(1, keysOf(b).length)], v) }))),
      m('array-for-object', fc.constant((b) => ({ body2: [b] }))),
      m('scalar-body', pick(WRONG_TYPES).map((v) => () => ({ body2: v }))),
      m('malformed-json', pick(['{"a":', '{', '[1,]', '{"a":1}}', 'nul', '\u0000', '{"a":"\\ud800"}']).map((raw) => () => ({ headers: { 'content-type': 'application/json' }, body: raw }))),
      m('proto-pollution', pick(['{"__proto__":{"role":"admin"}}', '{"constructor":{"prototype":{"admin":true}}}']).map((raw) => () => ({ headers: { 'content-type': 'application/json' }, body: raw }))),
      m('wrong-content-type', pick(CONTENT_TYPES).map((ct) => (b) => ({ headers: { 'content-type': ct }, body: JSON.stringify(b ?? {}) }))),
      m('empty-body', fc.constant(() => ({ headers: { 'content-type': 'application/json' }, body: '' }))),
      m('invalid-utf8', fc.constant(() => ({ headers: { 'content-type': 'application/json' }, body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x22, 0x7d]) }))),
      m('deep-nesting', fc.integer({ min: 500, max: 3000 }).map((n) => () => ({ headers: { 'content-type': 'application/json' }, body: '['.repeat(n) + ']'.repeat(n) }))),
    );
    if (required.length > 0) muts.push(m('missing-field', fc.nat().map((i) => (b) => {
      const copy = { ...(b as Record<string, unknown>) };
      delete copy[required[i % required.length]!];
      return { body2: copy };
    })));
    if (bodySchema.type === 'array') muts.push(m('object-for-array', fc.constant((b) => ({ body2: { items: b } }))));
  }
  if (hasId) {
    muts.push(
      m('random-id', fc.constant(() => ({ url: urlFor(op, null) }))),
      m('raw-bad-path', pick(['%', '%zz', '%E0%A4%A', '%C0%AF', '%00']).map((raw) => () => ({ url: urlFor(op, world, Object.fromEntries(op.pathParams.map((p) => [p.name, 'RAW']))).replaceAll('RAW', raw) }))),
      m('bad-id', pick(BAD_IDS).map((bad) => () => ({ url: urlFor(op, world, Object.fromEntries(op.pathParams.map((p) => [p.name, bad]))) }))),
    );
  }
  if (hasLimit) muts.push(m('bad-limit', pick(BAD_LIMITS).map((l) => (_b, q) => ({ query: { ...q, limit: l } }))));
  if (op.queryParams.length > 0) {
    muts.push(
      m('bad-cursor', pick(['garbage', Buffer.from('{"id":"x"}').toString('base64url'), Buffer.from('[]').toString('base64url'), 'x'.repeat(600)]).map((c) => (_b, q) => ({ query: { ...q, cursor: c } }))),
      m('odd-query', fc.tuple(fc.nat(), pick(ODD_STRINGS.filter((s) => s.length < 500))).map(([i, v]) => (_b, q) => ({ query: { ...q, [op.queryParams[i % op.queryParams.length]!.name]: v } }))),
      m('repeated-query', fc.nat().map((i) => (_b, q) => ({ query: { ...q, [op.queryParams[i % op.queryParams.length]!.name]: ['1', '2'] } }))),
    );
  }
  muts.push(m('unknown-query', fc.constant((_b, q) => ({ query: { ...q, zz_unknown: '1' } }))));
  if (op.method !== 'get') {
    muts.push(
      m('if-match', pick(IF_MATCH).map((v) => () => ({ headers: { 'if-match': v } }))),
      m('idempotency-key', pick(IDEMPOTENCY_KEYS).map((v) => () => ({ headers: { 'idempotency-key': v } }))),
    );
  }

  return fc
    .tuple(fc.constantFrom(...muts), validBody, queryArb(op))
    .chain(([mut, body, query]) => mut.arb.map((apply) => ({ mut, body, query, apply })))
    .map(({ mut, body, query, apply }) => {
      const changed = apply(body, query);
      const url = (changed.url ?? urlFor(op, world)) + serializeQuery(changed.query ?? query);
      const headers: Record<string, string> = { authorization: `Bearer ${key}`, ...(changed.headers ?? {}) };
      let payload: string | Uint8Array | undefined = changed.body;
      if (payload === undefined && takesBody) {
        const v = 'body2' in changed ? changed.body2 : body;
        if (v !== undefined) {
          const j = json(v);
          headers['content-type'] ??= j['content-type'];
          payload = j.body;
        }
      }
      return { kind: mut.kind, url, headers, ...(payload !== undefined ? { body: payload } : {}) };
    });
}

function seedOf(s: string): number {
  let h = SEED;
  for (const c of s) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}

describe('contract fuzzing over every documented operation', () => {
  it('when every operation gets valid and broken requests, then no 5xx, only documented statuses, problem+json errors and schema-valid bodies', async () => {
    const validate = createResponseValidator(doc);
    // Destructive operations run last, so the others meet the seeded resources.
    const ops = operationsOf(doc).sort((a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'));
    const failures = new Map<string, { count: number; example: string }>();
    const statusCounts = new Map<number, number>();
    let requests = 0;
    const slowest: { ms: number; what: string }[] = [];
    const fail = (op: Operation, spec: Spec, res: { status: number; text: string }, what: string) => {
      const sig = `${op.key} [${spec.kind}] ${res.status}: ${what}`;
      const f = failures.get(sig);
      if (f) f.count++;
      else {
        const body = typeof spec.body === 'string' ? spec.body.slice(0, 160) : spec.body ? `<${spec.body.length} bytes>` : '';
        const ct = spec.headers['content-type'] ? ` [${spec.headers['content-type']}]` : '';
        failures.set(sig, { count: 1, example: `${op.method.toUpperCase()} ${spec.url.slice(0, 160)}${ct} ${body} → ${res.text.slice(0, 240)}` });
      }
    };
    const started = Date.now();
    for (const op of ops) {
      const specs = fc.sample(specArb(op, t.adminKey), { seed: seedOf(op.key), numRuns: RUNS });
      for (const spec of specs) {
        let res;
        const sentAt = Date.now();
        try {
          res = await send(base, op.method, spec.url, { headers: spec.headers, ...(spec.body !== undefined ? { body: spec.body } : {}) });
        } catch (err) {
          fail(op, spec, { status: 0, text: String(err) }, 'request failed (connection)');
          continue;
        }
        requests++;
        const took = Date.now() - sentAt;
        if (took > (slowest[2]?.ms ?? 0)) {
          slowest.push({ ms: took, what: `${op.method.toUpperCase()} ${spec.url.slice(0, 80)} [${spec.kind}] → ${res.status}` });
          slowest.sort((a, b) => b.ms - a.ms).splice(3);
        }
        statusCounts.set(res.status, (statusCounts.get(res.status) ?? 0) + 1);
        const found: string[] = [];
        if (res.status >= 500) found.push(`server error ${(res.json as { code?: string } | undefined)?.code ?? ''}`);
        if (!op.statuses.includes(res.status)) found.push(`undocumented status (documented: ${op.statuses.join(',')})`);
        const ct = res.headers.get('content-type') ?? '';
        if (res.status >= 400) {
          found.push(...problemShapeErrors(res).map((e) => `problem: ${e}`));
          found.push(...leaksIn(res.text).map((l) => `leaks ${l}`));
        } else if (res.status >= 200 && res.status < 300 && op.statuses.includes(res.status) && res.status !== 204) {
          const problem = validate(op, res.status, ct, res.json ?? res.text);
          if (problem) found.push(problem);
        }
        if (found.length > 0) fail(op, spec, res, found.join('; '));
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const byStatus = [...statusCounts.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    process.stdout.write(
      `\n[fuzz] ${ops.length} operations × ${RUNS} requests = ${requests} requests in ${seconds}s (seed ${SEED}); statuses ${byStatus}; ` +
        `${failures.size} distinct failures\n[fuzz] slowest: ${slowest.map((x) => `${x.ms} ms ${x.what}`).join(' | ')}\n` +
        (world.notes.length ? `[fuzz] seeding notes: ${world.notes.join(' | ')}\n` : ''),
    );
    const report = [...failures.entries()].map(([sig, f]) => `${sig} (×${f.count})\n    e.g. ${f.example}`);
    if (report.length > 0) process.stdout.write(`[fuzz] failures:\n${report.join('\n')}\n`);
    expect(report.length, `${report.length} contract failures (listed above)`).toBe(0);
    expect(requests).toBeGreaterThan(ops.length);
  }, 240_000);
});
