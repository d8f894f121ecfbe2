import fc from 'fast-check';
import Fastify from 'fastify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerErrorHandling } from '../../src/http/errors.js';
import { pageOf } from '../../src/http/pagination.js';
import { serializableSchemaOf, serializerCompiler } from '../../src/http/serializer.js';
import { agencySchema, headcountSchema } from '../../src/modules/agencies/agencies.schemas.js';
import { applicationSchema, importResponseSchema } from '../../src/modules/applications/applications.schemas.js';
import { candidateSchema } from '../../src/modules/candidates/candidates.schemas.js';
import { driveSchema } from '../../src/modules/drives/drives.schemas.js';
import { jobPositionSchema } from '../../src/modules/job-positions/job-positions.schemas.js';
import { quotaSchema } from '../../src/modules/quotas/quotas.schemas.js';
import { driveReportSchema, leadershipReportSchema } from '../../src/modules/reports/reports.schemas.js';
import { publicResultsSchema, resultsPageSchema } from '../../src/modules/results/results.schemas.js';
import { appealListSchema } from '../../src/modules/appeals/appeals.schemas.js';
import { reconciliationPage, roundListSchema, roundSchema, scriptPageSchema } from '../../src/modules/rounds/rounds.schemas.js';
import { deliverySchema, webhookSchema } from '../../src/modules/webhooks/webhooks.schemas.js';

/*
 * The compiled response serializer against the type provider's (zod encode, then JSON.stringify):
 * the same bytes for every value zod accepts, on the response schemas of the read routes, with
 * values generated from the schemas themselves (row columns the schema does not list added to
 * every object, nulls, absent optional keys, dates of any year, strings that need escaping).
 */

type Serialize = (data: unknown) => string;
const compile = (schema: z.ZodType, method = 'GET'): Serialize =>
  serializerCompiler({ schema, method, url: '/x', httpStatus: '200' });
const zodSerialize = (schema: z.ZodType): Serialize => zodSerializerCompiler({ schema, method: 'GET', url: '/x', httpStatus: '200' });

/** Columns a row may carry that no response schema lists: they must never reach the wire. */
const PERSONAL = {
  nationalId: '001099012345',
  nationalIdEncrypted: 'djEuYWVzLWdjbS4uLg==',
  nationalIdHash: 'c2VjcmV0LWJsaW5kLWluZGV4',
  email: 'an.nguyen@example.vn',
  phone: '+84 912 345 678',
  keyHash: 'argon2id$v=19$secret',
};
/** The personal-data values of the columns no object of the schema lists. */
function unlistedValues(schema: z.ZodType): string[] {
  const listed = new Set<string>();
  const walk = (s: z.ZodType): void => {
    const def = defOf(s);
    for (const [key, property] of Object.entries(def.shape ?? {})) {
      listed.add(key);
      walk(property);
    }
    for (const inner of [def.element, def.innerType]) if (inner) walk(inner);
  };
  walk(schema);
  return Object.entries(PERSONAL).flatMap(([key, value]) => (listed.has(key) ? [] : [value]));
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  entries?: Record<string, string>;
  values?: unknown[];
};
const defOf = (s: z.ZodType) => s._zod.def as unknown as Def;

const awkwardStrings = fc.constantFrom('', '"', '\\', 'a"b\\c', '\n\t\r\u0000\u001f', '\u2028\u2029', '\ud800', 'x\udfffy', '😀 Nguyễn Thị Ánh', '</script>', ' '.repeat(50));

/** Values the zod schema accepts (the generator follows the subset the compiler takes). */
function arbitraryOf(schema: z.ZodType): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  const valid = <T,>(arb: fc.Arbitrary<T>) => arb.filter((v) => schema.safeParse(v).success);
  switch (def.type) {
    case 'string': {
      const format = (schema as z.ZodString).format;
      if (format === 'uuid') return fc.uuid({ version: [4, 7] });
      return valid(fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ maxLength: 400 }), awkwardStrings, fc.stringMatching(/^\d{1,4}(\.\d{1,2})?$/)));
    }
    case 'number':
      return (schema as z.ZodNumber).isInt
        ? valid(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(0, -0, 1, 100)))
        : valid(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(0, -0, 0.1, 1e21, 5e-324)));
    case 'boolean':
      return fc.boolean();
    case 'date':
      return fc.oneof(fc.date({ noInvalidDate: true }), fc.date({ min: new Date('1990-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }));
    case 'null':
      return fc.constant(null);
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries!));
    case 'literal':
      return fc.constantFrom(...def.values!);
    case 'nullable':
      return fc.option(arbitraryOf(def.innerType!), { nil: null, freq: 3 });
    case 'optional':
      return arbitraryOf(def.innerType!);
    case 'array':
      return fc.array(arbitraryOf(def.element!), { maxLength: 4 });
    case 'object': {
      const entries = Object.entries(def.shape!).map(([key, property]) => {
        const optional = property._zod.optout === 'optional';
        // An optional key is absent, present as undefined, or present with a value.
        const value = optional ? fc.oneof(fc.constant(ABSENT), fc.constant(undefined), arbitraryOf(property)) : arbitraryOf(property);
        return [key, value] as const;
      });
      const unlisted = Object.keys(PERSONAL).filter((k) => !(k in def.shape!));
      return fc
        .tuple(fc.tuple(...entries.map(([, v]) => v)), fc.subarray(unlisted), fc.boolean())
        .map(([values, extraKeys, extrasFirst]) => {
          const own = Object.fromEntries(entries.map(([key], i) => [key, values[i]]).filter(([, v]) => v !== ABSENT));
          const extras = Object.fromEntries(extraKeys.map((k) => [k, PERSONAL[k as keyof typeof PERSONAL]]));
          // Rows come with their keys in any order: the output order is the schema's.
          return extrasFirst ? { ...extras, ...Object.fromEntries(Object.entries(own).reverse()) } : { ...own, ...extras };
        });
    }
    default:
      throw new Error(`no generator for zod type ${def.type}`);
  }
}
const ABSENT = Symbol('absent');

/** The response schemas of the read routes: lists (pages) and single resources. */
const readSchemas: Record<string, z.ZodType> = {
  // An optional key (the full national ID, for some roles) before required ones: zod's serializer.
  'GET /candidates': pageOf(candidateSchema),
  'GET /candidates/{id}': candidateSchema,
  'GET /drives/{id}/applications': pageOf(applicationSchema),
  'GET /applications/{id}': applicationSchema,
  'GET /drives/{id}/quotas': pageOf(quotaSchema),
  'GET /quotas/{id}': quotaSchema,
  'GET /agencies': pageOf(agencySchema),
  'GET /agencies/{id}/headcount/{year}': headcountSchema,
  'GET /job-positions': pageOf(jobPositionSchema),
  'GET /drives/{id}/results': resultsPageSchema,
  'GET /public/drives/{id}/results': publicResultsSchema,
  'GET /drives/{id}/rounds': roundListSchema,
  'GET /rounds/{id}': roundSchema,
  'GET /rounds/{id}/reconciliation': reconciliationPage,
  'GET /applications/{id}/appeals': appealListSchema,
  'GET /webhooks': pageOf(webhookSchema),
  'GET /webhooks/{id}/deliveries': pageOf(deliverySchema),
  'GET /reports/drives/{id}': driveReportSchema,
  'GET /reports/leadership': leadershipReportSchema,
  'POST import report (compiled, though writes keep zod)': importResponseSchema,
};

describe('compiled response serializer', () => {
  for (const [name, schema] of Object.entries(readSchemas)) {
    it(`when the schema of ${name} is compiled or falls back, then it writes zod's bytes for every value zod accepts, without unlisted columns`, () => {
      expect(serializableSchemaOf(schema)).toHaveProperty(name.startsWith('GET /candidates') ? 'reason' : 'schema');
      const fast = compile(schema);
      const reference = zodSerialize(schema);
      fc.assert(
        fc.property(arbitraryOf(schema), (value) => {
          const expected = reference(value);
          const actual = fast(value);
          expect(actual).toBe(expected);
          for (const secret of unlistedValues(schema)) expect(actual).not.toContain(secret);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('when a page of 50 applications carries candidate personal data and nulls, then the bytes are zod’s and the personal data is dropped', () => {
    const schema = pageOf(applicationSchema);
    const row = (i: number) => ({
      ...PERSONAL,
      id: `0194f7a0-0000-7000-8000-${String(i).padStart(12, '0')}`,
      driveId: '0194f7a0-0000-7000-8000-aaaaaaaaaaaa',
      quotaId: '0194f7a0-0000-7000-8000-bbbbbbbbbbbb',
      candidateId: '0194f7a0-0000-7000-8000-cccccccccccc',
      candidate: { fullName: `Nguyễn Văn "An" ${i}`, nationalIdMasked: '001*******45', birthDate: '1995-03-04', nationalId: PERSONAL.nationalId },
      choice: 1 + (i % 2),
      status: i % 5 === 0 ? 'ineligible' : 'submitted',
      reasons: i % 5 === 0 ? [{ code: 'age.under', message: 'Chưa đủ 18 tuổi\n(điều 5)' }] : [],
      priorityClaims: i % 3 === 0 ? [{ category: 'veteran', evidenceRef: 'QĐ 12/2023' }] : [],
      priorityCategory: i % 3 === 0 ? 'veteran' : null,
      priorityPoints: i % 3 === 0 ? '5.00' : '0.00',
      exemptions: i % 7 === 0 ? ['foreign_language'] : [],
      agencyPreferences: i % 6 === 0 ? ['0194f7a0-0000-7000-8000-dddddddddddd', '0194f7a0-0000-7000-8000-eeeeeeeeeeee'] : [],
      reviewGroup: i % 7 === 0 ? 'talent' : null,
      reviewEvidenceRefs: i % 7 === 0 ? ['Bằng tốt nghiệp xuất sắc 1'] : [],
      candidateNumber: i % 2 ? `HN${String(i).padStart(5, '0')}` : null,
      registeredByAgencyId: i % 4 ? '0194f7a0-0000-7000-8000-dddddddddddd' : null,
      submittedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i, 7)),
      decidedAt: i % 5 === 0 ? new Date(Date.UTC(2026, 1, 2, 3, 4, 5)) : null,
      withdrawnAt: null,
      updatedAt: new Date(Date.UTC(999, 11, 31, 23, 59, 59, 999)),
      version: i,
    });
    const page = { items: Array.from({ length: 50 }, (_, i) => row(i)), nextCursor: 'eyJpZCI6IjAxOTQifQ' };
    const body = compile(schema)(page);
    expect(body).toBe(zodSerialize(schema)(page));
    expect(body).not.toContain(PERSONAL.nationalId);
    expect(body).not.toContain('nationalIdEncrypted');
    const parsed = JSON.parse(body) as { items: Record<string, unknown>[] };
    expect(Object.keys(parsed.items[0]!)).toEqual(Object.keys(applicationSchema.shape));
    expect(parsed.items[0]!.decidedAt).toBe('2026-02-02T03:04:05.000Z');
    expect(parsed.items[0]!.updatedAt).toBe('0999-12-31T23:59:59.999Z');
    expect(parsed.items[1]!.decidedAt).toBeNull();
  });

  it('when a required property is missing (at the root or deep in an item), then serializing throws the response serialization error, as zod does', () => {
    const schema = pageOf(applicationSchema);
    const sample = fc.sample(arbitraryOf(applicationSchema), { numRuns: 1, seed: 7 })[0] as Record<string, unknown>;
    const { version: _v, ...noVersion } = sample;
    const { fullName: _f, ...noName } = sample.candidate as Record<string, unknown>;
    const cases = [
      { items: [sample, noVersion], nextCursor: null },
      { items: [{ ...sample, candidate: noName }], nextCursor: null },
      { items: [sample] },
      { items: [{ ...sample, submittedAt: undefined }], nextCursor: null },
    ];
    for (const bad of cases) {
      expect(() => zodSerialize(schema)(bad)).toThrow(expect.objectContaining({ code: 'FST_ERR_RESPONSE_SERIALIZATION' }));
      expect(() => compile(schema)(bad)).toThrow(expect.objectContaining({ code: 'FST_ERR_RESPONSE_SERIALIZATION', statusCode: 500 }));
    }
  });

  it('when an optional key precedes a required one, or the schema has a record, union or transform, then the route keeps zod’s serializer', () => {
    expect(serializableSchemaOf(candidateSchema)).toEqual({ reason: 'a required property after an optional one' });
    expect(serializableSchemaOf(pageOf(candidateSchema))).toHaveProperty('reason');
    expect(serializableSchemaOf(driveSchema)).toEqual({ reason: 'zod type record' });
    expect(serializableSchemaOf(scriptPageSchema)).toEqual({ reason: 'zod type union' });
    expect(serializableSchemaOf(z.object({ at: z.string().transform((s) => s.length) }))).toEqual({ reason: 'zod type pipe' });
    expect(serializableSchemaOf(z.object({ code: z.string().trim() }))).toEqual({ reason: 'a check that changes the value' });
    expect(serializableSchemaOf(z.object({ a: z.string() }).strict())).toHaveProperty('reason');
    expect(serializableSchemaOf(z.object({ a: z.string() }).passthrough())).toHaveProperty('reason');
    expect(serializableSchemaOf(z.object({ a: z.string().default('x') }))).toHaveProperty('reason');
    expect(serializableSchemaOf(z.array(z.string().optional()))).toHaveProperty('reason');
    expect(serializableSchemaOf(z.object({ n: z.number().nullable() }))).toHaveProperty('schema');

    // A schema that falls back gives exactly zod's behaviour, refusals included.
    const candidate = fc.sample(arbitraryOf(candidateSchema), { numRuns: 1, seed: 3 })[0] as Record<string, unknown>;
    const withId = { ...candidate, nationalId: '001099012345' };
    expect(compile(candidateSchema)(withId)).toBe(zodSerialize(candidateSchema)(withId));
    expect(() => compile(candidateSchema)({ ...candidate, id: 'not-a-uuid' })).toThrow(expect.objectContaining({ code: 'FST_ERR_RESPONSE_SERIALIZATION' }));
  });

  it('when the route is a write, then zod’s serializer (with its format checks) answers, while a read is compiled', () => {
    const schema = z.object({ id: z.string().uuid(), status: z.enum(['a', 'b']) });
    const outOfFormat = { id: 'not-a-uuid', status: 'c' };
    expect(() => compile(schema, 'POST')(outOfFormat)).toThrow(expect.objectContaining({ code: 'FST_ERR_RESPONSE_SERIALIZATION' }));
    expect(() => compile(schema, 'PATCH')(outOfFormat)).toThrow(expect.objectContaining({ code: 'FST_ERR_RESPONSE_SERIALIZATION' }));
    // Formats and enum membership are not re-checked by the compiled serializer (see serializer.ts).
    expect(compile(schema, 'GET')(outOfFormat)).toBe('{"id":"not-a-uuid","status":"c"}');
  });

  it('when a read route answers a row without a required property, then the client gets a 500 problem+json, not a partial body', async () => {
    const app = Fastify({ logger: false });
    registerErrorHandling(app);
    app.setSerializerCompiler(serializerCompiler);
    const schema = pageOf(z.object({ id: z.string(), fullName: z.string(), birthDate: z.string() }));
    app.get('/rows', { schema: { response: { 200: schema } } }, async () => ({
      items: [{ id: 'a', fullName: 'Trần Thị B', birthDate: '1990-01-01', nationalId: PERSONAL.nationalId }, { id: 'b', birthDate: '1990-01-01' }],
      nextCursor: null,
    }));
    app.get('/ok', { schema: { response: { 200: schema } } }, async () => ({
      items: [{ id: 'a', fullName: 'Trần Thị B', birthDate: '1990-01-01', nationalId: PERSONAL.nationalId }],
      nextCursor: null,
    }));
    try {
      const bad = await app.inject({ method: 'GET', url: '/rows' });
      expect(bad.statusCode).toBe(500);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(bad.json()).toMatchObject({ status: 500, code: 'internal' });
      expect(bad.body).not.toContain(PERSONAL.nationalId);
      const ok = await app.inject({ method: 'GET', url: '/ok' });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toBe('{"items":[{"id":"a","fullName":"Trần Thị B","birthDate":"1990-01-01"}],"nextCursor":null}');
    } finally {
      await app.close();
    }
  });
});
