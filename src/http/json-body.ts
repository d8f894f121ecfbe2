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
    parse(req, text, (err, value) => {
      if (err) return done(err, undefined);
      const path = SURROGATE_ESCAPE.test(text) ? lonePath(value, '') : null;
      if (path !== null) {
        const detail = 'The body holds text that is not valid Unicode (a lone UTF-16 surrogate)';
        return done(new AppError(400, 'request.malformed', `${detail} at ${path || '/'}`, { errors: [{ path: `body${path.replaceAll('/', '.')}`, message: detail }] }), undefined);
      }
      done(null, value);
    });
  });
}
