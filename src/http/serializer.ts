import fastJson, { type Schema as FjsSchema } from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify';
import { ResponseSerializationError, serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * Response serialization: a route's zod response schema compiled once into a fast-json-stringify
 * function, or the type provider's serializer (zod encode, then JSON.stringify) where that cannot
 * give the same bytes.
 *
 * Why: zod encodes every response by walking it (a page of 50 applications is a thousand values
 * checked and copied), then JSON.stringify walks the copy again; that was a large share of a
 * listing's CPU time. The compiled function writes the JSON straight from the rows.
 *
 * What stays the same: the bytes of every response (keys in schema order, optional keys omitted
 * when absent, dates as ISO 8601 UTC strings, nulls), only the schema's properties reach the wire
 * (a row's other columns — personal data among them — are dropped), and a missing required
 * property is an error (500 problem+json, as a zod mismatch is).
 * What the compiled function does not re-check: formats and patterns (uuid, decimal strings),
 * enum membership, integer bounds, refinements, and a value of the wrong type or a null where the
 * schema has none is coerced (fast-json-stringify's rules) rather than refused. Handlers' return
 * types are checked against the schema by the type provider at compile time, and the formats
 * come from database columns and constraints.
 *
 * Where: GET (and HEAD) routes only. Reads are where serialization is a measurable share of a
 * request: a listing serializes a whole page per request, at the highest request rates. A write
 * answers one resource after its transaction, where zod's complete output check costs nothing
 * measurable and stays as a safety net over the code that assembles those responses (RETURNING
 * rows merged with what the service computed).
 *
 * Which schemas: decided per schema when the route is compiled. Only objects (zod's default
 * stripping), arrays, strings, numbers, booleans, dates, enums and literals, nullable, and
 * optional object properties are compiled. Anything that zod's encode would change or judge in a
 * way the JSON Schema does not carry falls back to zod: transforms, pipes and codecs, defaults,
 * catch, value-changing string checks (trim, case), strict or catch-all objects, records, unions,
 * unknown/any, lazy and recursive schemas; and an object whose optional property comes before a
 * required one (fast-json-stringify writes required properties first, zod in schema order).
 */

type ZodDef = {
  type: string;
  checks?: { _zod: { def: { check: string } } }[];
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  entries?: Record<string, unknown>;
  values?: unknown[];
};

const defOf = (schema: z.ZodType) => schema._zod.def as unknown as ZodDef;

/** Throws when the zod schema uses anything the compiled serializer would not reproduce exactly. */
function assertCompilable(schema: z.ZodType, seen: Set<z.ZodType>, position: 'property' | 'value'): void {
  if (seen.has(schema)) throw new Error('recursive schema');
  const def = defOf(schema);
  if (def.checks?.some((c) => c._zod.def.check === 'overwrite')) throw new Error('a check that changes the value');
  seen.add(schema);
  try {
    switch (def.type) {
      case 'string':
      case 'number':
      case 'boolean':
      case 'date':
      case 'null':
        return;
      case 'enum':
        if (!Object.values(def.entries ?? {}).every((v) => typeof v === 'string')) throw new Error('a non-string enum');
        return;
      case 'literal':
        if (def.values?.length !== 1 || !['string', 'number', 'boolean'].includes(typeof def.values[0])) throw new Error('a literal of several values');
        return;
      case 'nullable':
        return assertCompilable(def.innerType!, seen, 'value');
      case 'optional':
        // An optional array item or root would be written by JSON.stringify as null or nothing.
        if (position !== 'property') throw new Error('optional outside an object property');
        return assertCompilable(def.innerType!, seen, 'value');
      case 'array':
        return assertCompilable(def.element!, seen, 'value');
      case 'object': {
        if (def.catchall !== undefined) throw new Error('a strict or catch-all object');
        let optionalSeen = false;
        for (const property of Object.values(def.shape ?? {})) {
          const optional = property._zod.optout === 'optional';
          if (optionalSeen && !optional) throw new Error('a required property after an optional one');
          optionalSeen ||= optional;
          assertCompilable(property, seen, 'property');
        }
        return;
      }
      default:
        throw new Error(`zod type ${def.type}`);
    }
  } finally {
    seen.delete(schema);
  }
}

type JsonSchema = Record<string, unknown>;
const PRIMITIVES = new Set(['string', 'number', 'integer', 'boolean']);
/** Keywords that only describe or validate: fast-json-stringify's output does not depend on them. */
const ANNOTATIONS = new Set([
  'description',
  'title',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'id',
  'format',
  'pattern',
  'enum',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
]);

/**
 * Rewrites zod's JSON Schema into the subset fast-json-stringify serializes without validating at
 * run time: `$ref`s inlined, `anyOf [X, null]` made a nullable X (its anyOf would run Ajv on every
 * value, and reject a Date against `type: string`), `const` dropped (it would be written whatever
 * the value). Throws on anything else.
 */
function toSerializable(node: JsonSchema, defs: Record<string, JsonSchema>, depth = 0): JsonSchema {
  if (depth > 32) throw new Error('schema too deep');
  if (typeof node.$ref === 'string') {
    const name = /^#\/\$defs\/(.+)$/.exec(node.$ref)?.[1];
    const target = name === undefined ? undefined : defs[name];
    if (!target) throw new Error(`unresolved ${node.$ref}`);
    const { $ref: _ref, ...siblings } = node;
    return toSerializable({ ...target, ...siblings }, defs, depth + 1);
  }
  if (Array.isArray(node.anyOf)) {
    const branches = node.anyOf as JsonSchema[];
    const others = branches.filter((b) => !(b.type === 'null' && Object.keys(b).length === 1));
    if (branches.length !== 2 || others.length !== 1) throw new Error('a union');
    const { anyOf: _anyOf, ...siblings } = node;
    const inner = toSerializable({ ...others[0], ...siblings }, defs, depth + 1);
    // A single primitive type becomes [type, 'null']: fast-json-stringify then refuses a value of
    // another type instead of coercing it. Objects and arrays take `nullable`.
    return typeof inner.type === 'string' && PRIMITIVES.has(inner.type) ? { ...inner, type: [inner.type, 'null'] } : { ...inner, nullable: true };
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (ANNOTATIONS.has(key) || key === 'const' || key === '$schema' || key === '$defs') continue;
    switch (key) {
      case 'type': {
        const types = Array.isArray(value) ? value : [value];
        if (!types.every((t) => typeof t === 'string' && (PRIMITIVES.has(t) || t === 'null' || t === 'object' || t === 'array'))) {
          throw new Error(`type ${JSON.stringify(value)}`);
        }
        if (types.length > 1 && !(types.length === 2 && types.includes('null') && types.some((t) => PRIMITIVES.has(t as string)))) {
          throw new Error(`type ${JSON.stringify(value)}`);
        }
        out.type = value;
        // The date-time format decides how a Date is written; other formats only validate.
        if (node.format === 'date-time') out.format = 'date-time';
        break;
      }
      case 'properties':
        out.properties = Object.fromEntries(
          Object.entries(value as Record<string, JsonSchema>).map(([name, property]) => [name, toSerializable(property, defs, depth + 1)]),
        );
        break;
      case 'items':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('tuple items');
        out.items = toSerializable(value as JsonSchema, defs, depth + 1);
        break;
      case 'required':
        out.required = value;
        break;
      case 'additionalProperties':
        if (value !== false) throw new Error('additional properties');
        out.additionalProperties = false;
        break;
      default:
        throw new Error(`keyword ${key}`);
    }
  }
  if (out.type === undefined) throw new Error('a schema without a type');
  if (out.type === 'object' && out.additionalProperties !== false) throw new Error('an open object');
  return out;
}

/**
 * The JSON Schema a zod response schema compiles to, or the reason it cannot be compiled (then the
 * route keeps zod's serializer). The output side, with dates as the type provider documents them.
 */
export function serializableSchemaOf(schema: z.ZodType): { schema: JsonSchema } | { reason: string } {
  try {
    assertCompilable(schema, new Set(), 'value');
    const json = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io: 'output',
      unrepresentable: 'any',
      cycles: 'throw',
      reused: 'inline',
      override: (ctx) => {
        if ((ctx.zodSchema._zod.def as { type: string }).type === 'date') {
          ctx.jsonSchema.type = 'string';
          ctx.jsonSchema.format = 'date-time';
        }
      },
    }) as JsonSchema;
    return { schema: toSerializable(json, (json.$defs ?? {}) as Record<string, JsonSchema>) };
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
}

/** A serializer compiled from the schema, or undefined when the schema must keep zod's serializer. */
export function compileSerializer(schema: z.ZodType): ((data: unknown) => string) | undefined {
  const found = serializableSchemaOf(schema);
  if (!('schema' in found)) return undefined;
  return fastJson(found.schema as unknown as FjsSchema);
}

const READS = new Set(['GET', 'HEAD']);
const compiled = new WeakMap<z.ZodType, ((data: unknown) => string) | null>();

function zodSchemaOf(maybeSchema: unknown): z.ZodType | undefined {
  if (maybeSchema instanceof z.ZodType) return maybeSchema;
  const properties = (maybeSchema as { properties?: unknown } | null)?.properties;
  return properties instanceof z.ZodType ? properties : undefined;
}

/** The serializer compiler for the routes' scopes (see the comment at the top of this file). */
export const serializerCompiler: FastifySerializerCompiler<z.ZodType | { properties: z.ZodType }> = (route) => {
  const zodSchema = zodSchemaOf(route.schema);
  const method = String(route.method).toUpperCase();
  if (!zodSchema || !READS.has(method)) return zodSerializerCompiler(route);
  let serialize = compiled.get(zodSchema);
  if (serialize === undefined) {
    serialize = compileSerializer(zodSchema) ?? null;
    compiled.set(zodSchema, serialize);
  }
  if (serialize === null) return zodSerializerCompiler(route);
  const fast = serialize;
  return (data: unknown) => {
    try {
      return fast(data);
    } catch (cause) {
      // The same error as a zod mismatch (logged, answered 500); its cause is fast-json-stringify's
      // message ('"id" is required!', a value that cannot be written) instead of zod issues.
      throw new ResponseSerializationError(route.method, route.url, { cause: cause as never });
    }
  };
};
