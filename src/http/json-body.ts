import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

/** A `\uD800`–`\uDFFF` escape: the only way a lone UTF-16 surrogate reaches a parsed JSON body. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (s: string) => !LONE_SURROGATE.test(s);

/** The path of the first string (or key) that is not well-formed Unicode, or null. */
export function lonePath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return wellFormed(value) ? null : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = lonePath(value[i], `${path}/${i}`);
      if (p !== null) return p;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (!wellFormed(k)) return `${path}/${k.replace(new RegExp(LONE_SURROGATE, 'g'), '\uFFFD')}`;
      const p = lonePath(v, `${path}/${k}`);
      if (p !== null) return p;
    }
  }
  return null;
}

/**
 * JSON bodies through Fastify's own parser (prototype-poisoning checks included), refusing text
 * that is not Unicode: a lone surrogate escape (`"\ud800"`) parses, but no UTF-8 column, hash or
 * canonical form can hold it. 400 `request.malformed` naming the field, instead of a failure deep
 * in a service. Bodies with no surrogate escape at all (nearly every one) are not walked.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    // An empty body is no body (curl -X POST -H 'Content-Type: application/json'): see below.
    if (text.trim() === '') return done(null, undefined);
    parse(req, text, (err, value) => {
      if (err) return done(err, undefined);
      const path = SURROGATE_ESCAPE.test(text) ? lonePath(value, '') : null;
      if (path !== null) {
        const detail = 'The body holds text that is not valid Unicode (a lone UTF-16 surrogate)';
        return done(new AppError(400, 'request.malformed', `${detail} at ${path || '/'}`, { errors: [{ path: `body${path.replaceAll('/', '.')}`, message: detail }] }), undefined);
      }
      // JSON text can only carry a NUL as the escape `\u0000`: bodies without one are not walked.
      const nul = text.includes('\\u0000') ? nulPath(value, 'body') : null;
      if (nul !== null) return done(nulByte(nul), undefined);
      done(null, value);
    });
  });
}

/**
 * A POST, PUT or PATCH sent with no body (or a JSON `null`), on a route whose body is an object, is validated as `{}`:
 * an action whose fields are all optional (`POST /drives/{id}/results/compute`) needs no body, and one
 * with required fields names them instead of saying "expected object, received undefined".
 */
export function registerEmptyBodyAsObject(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.body != null || !['POST', 'PUT', 'PATCH'].includes(request.method)) return;
    type ZodLike = { _zod?: { def?: { type?: string; innerType?: ZodLike } }; safeParse?: (v: unknown) => { success: boolean } };
    const declared = request.routeOptions.schema?.body as ZodLike | undefined;
    if (!declared?.safeParse) return;
    // A route that takes a missing body as such (a nullish body schema) gets it as it came; Fastify
    // validates a missing body as null.
    if (declared.safeParse(null).success) return;
    let schema: ZodLike | undefined = declared;
    while (schema?._zod?.def?.type === 'optional' || schema?._zod?.def?.type === 'nullable') schema = schema._zod.def.innerType;
    if (schema?._zod?.def?.type === 'object') request.body = {};
  });
}

/** The path of the first string (or key) holding a NUL character, or null (parsed JSON and query objects only). */
function nulPath(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (depth > 64 || value === null || typeof value !== 'object') return null;
  const proto = Object.getPrototypeOf(value) as unknown;
  // Plain and null-prototype objects (parsed JSON, the query string); never streams or buffers.
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null && Object.getPrototypeOf(proto) !== null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = nulPath(value[i], `${path}.${i}`, depth + 1);
      if (p !== null) return p;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return `${path}.${k.replaceAll('\u0000', '\\0')}`;
    const p = nulPath(v, `${path}.${k}`, depth + 1);
    if (p !== null) return p;
  }
  return null;
}

const nulByte = (path: string) => {
  const detail = 'Text may not contain the NUL character (U+0000)';
  return new AppError(400, 'request.nul_byte', `${detail}: ${path}`, { errors: [{ path, message: detail }] });
};

/**
 * PostgreSQL text cannot hold U+0000: a NUL that reached a query failed it with a 500. Every
 * string of the parsed query and path parameters (and a text body) is checked before validation,
 * JSON bodies as they are parsed (above), and refused with 400 `request.nul_byte` naming the field.
 * CSV imports check their cells row by row.
 */
export function registerNulByteGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const body = typeof request.body === 'string' ? request.body : undefined;
    for (const [part, value] of [['query', request.query], ['params', request.params], ['body', body]] as const) {
      const path = nulPath(value, part);
      if (path !== null) throw nulByte(path);
    }
  });
}
