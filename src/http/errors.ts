import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isDomainError } from '../domain/errors.js';
import { isDatabaseUnavailable, pgErrorOf } from '../db/pg-error.js';

export * from '../errors.js';
import { AppError, problemTypePath, type FieldError } from '../errors.js';
import { languageOf, localizedDetail, problemTitle, validationMessage, type Language } from './i18n.js';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string(),
    requestId: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });
export type Problem = z.infer<typeof problemSchema>;

/** The absolute URL of the page describing `code`: PUBLIC_BASE_URL when set, else the request's own scheme and host. */
export function problemTypeUrl(request: FastifyRequest | undefined, code: string): string {
  const path = problemTypePath(code);
  if (!request) return path;
  const configured = (request.server as unknown as { publicBaseUrl?: string }).publicBaseUrl;
  const base = configured ? configured.replace(/\/+$/, '') : `${request.protocol}://${request.host}`;
  return `${base}${path}`;
}

const RESERVED = new Set(['type', 'title', 'status', 'detail', 'code', 'requestId', 'instance']);

/**
 * What localises a problem: the parameters of its code's template (src/http/i18n.vi.ts), or a detail
 * already rendered in the request's language (validation).
 */
export type ProblemI18n = { params?: Record<string, unknown>; detail?: Partial<Record<Language, string>> };

export function sendProblem(
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  extras: Record<string, unknown> = {},
  i18n: ProblemI18n = {},
): FastifyReply {
  // Issue #19 item 3: title and detail in the language the client asks for (English by default);
  // `code` and `type` never change with it.
  const lang = languageOf(reply.request.headers['accept-language']);
  const text = i18n.detail?.[lang] ?? (lang === 'en' ? detail : localizedDetail(lang, status, code, { ...extras, ...i18n.params }));
  // The RFC 9457 members are ours: an extra with one of their names (a service passing the
  // resource's `status: 'draft'`) would otherwise replace the HTTP status and break the contract;
  // such extras move under `details`.
  const own: Record<string, unknown> = {};
  const moved: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(extras)) (RESERVED.has(k) ? moved : own)[k] = v;
  if (Object.keys(moved).length > 0) {
    const details = own.details;
    own.details = details && typeof details === 'object' && !Array.isArray(details) ? { ...details, ...moved } : moved;
  }
  const body: Problem = {
    // A page served by this API describes the code (src/http/problems.ts).
    type: problemTypeUrl(reply.request, code),
    title: problemTitle(lang, status),
    status,
    detail: text,
    code,
    requestId: String(reply.request.id),
    instance: reply.request.url.split('?')[0],
    ...own,
  };
  void reply.header('content-language', lang);
  void reply.header('vary', varyWith(reply.getHeader('vary'), 'Accept-Language'));
  return reply.code(status).type('application/problem+json').send(body);
}

/** A Vary value with one more header, keeping what is there (`*` already covers everything). */
export function varyWith(current: unknown, header: string): string {
  const list = (Array.isArray(current) ? current.join(',') : typeof current === 'string' ? current : '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  if (list.includes('*') || list.some((h) => h.toLowerCase() === header.toLowerCase())) return list.join(', ');
  return [...list, header].join(', ');
}

type ValidationIssue = { keyword?: string; instancePath?: string; message?: string; params?: Record<string, unknown> };

const SOURCES: Record<string, (r: FastifyRequest) => unknown> = {
  body: (r) => r.body,
  querystring: (r) => r.query,
  params: (r) => r.params,
  headers: (r) => r.headers,
};

function valueAt(root: unknown, segs: readonly string[]): unknown {
  let v = root;
  for (const s of segs) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

/**
 * The field errors of a failed validation in one language. Vietnamese re-renders each zod issue
 * with zod's `vi` locale (the issue's input is read back from the request, as zod's issues do not
 * carry it).
 */
function validationErrors(err: FastifyError, request: FastifyRequest, lang: Language): FieldError[] {
  const context = (err as { validationContext?: string }).validationContext ?? 'body';
  return ((err.validation ?? []) as ValidationIssue[]).map((v) => {
    const issuePath = (v.params?.issue as { path?: unknown[] } | undefined)?.path;
    const segs = Array.isArray(issuePath) ? issuePath.map(String) : (v.instancePath ?? '').split('/').filter(Boolean);
    const english = v.message ?? 'invalid';
    const issue = { ...v.params, code: v.keyword ?? 'custom', path: segs, input: valueAt(SOURCES[context]?.(request), segs) };
    return { path: [context, ...segs].join('.'), message: validationMessage(lang, issue, english) };
  });
}

/**
 * Errors the router raises before any route or hook runs (a path segment longer than the router's
 * maxParamLength, a malformed percent-encoding): without this Fastify answers them with its own
 * plain JSON (and 414), outside the documented contract. They are malformed input: 400 problem+json.
 */
export function frameworkErrorHandler(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const detail =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is longer than this API accepts' : 'The URL path is not validly percent-encoded';
  void sendProblem(reply, 400, 'request.malformed_url', detail, { errors: [{ path: 'params', message: detail }] });
}

/** Maps every error to problem+json; 5xx are logged with the request id and never leak internals. */
export function registerErrorHandling(app: FastifyInstance, allowedMethods: (path: string) => string[] = () => []): void {
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = allowedMethods(path);
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      return sendProblem(reply, 405, 'route.method_not_allowed', `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`, {}, {
        params: { method: request.method, path, allowed: allowed.join(', ') },
      });
    }
    return sendProblem(reply, 404, 'route.not_found', `No route ${request.method} ${path}`, {}, { params: { method: request.method, path } });
  });

  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if ((err as unknown) instanceof AppError) {
      const ae = err as unknown as AppError;
      const { headers, ...extras } = ae.extras;
      if (headers) void reply.headers(headers);
      return sendProblem(reply, ae.status, ae.code, ae.message, extras, { params: ae.params });
    }
    if (isDomainError(err as unknown)) {
      const de = err as unknown as { code: string; message: string; details?: Record<string, unknown> };
      return sendProblem(reply, 422, de.code, de.message, de.details ? { details: de.details } : {}, { params: de.details ?? {} });
    }
    if (err.validation) {
      const lang = languageOf(request.headers['accept-language']);
      const errors = validationErrors(err, request, lang);
      const list = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
      return sendProblem(reply, 400, 'request.invalid', `The request is invalid: ${list}`, { errors }, { params: { list } });
    }
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(reply, 415, 'request.unsupported_media_type', `Unsupported Content-Type: ${request.headers['content-type'] ?? 'none'}`, {}, {
          params: { contentType: request.headers['content-type'] ?? 'none' },
        });
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(reply, 413, 'request.too_large', 'The request body is larger than this endpoint accepts');
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendProblem(reply, 400, 'request.malformed', err.message);
      default:
        break;
    }
    if (err.statusCode === 429) {
      return sendProblem(reply, 429, 'rate_limited', err.message || 'Too many requests');
    }
    if (pgErrorOf(err)?.code === '57014') {
      // statement_timeout (DB_STATEMENT_TIMEOUT_MS) or a cancelled query: the database is too busy now.
      request.log.warn({ err }, 'database statement timed out');
      void reply.header('retry-after', '5');
      return sendProblem(reply, 503, 'database.timeout', 'The database did not answer in time; retry later');
    }
    if (isDatabaseUnavailable(err)) {
      request.log.warn({ err }, 'database unavailable');
      void reply.header('retry-after', '5');
      return sendProblem(reply, 503, 'database.unavailable', 'The database is unavailable; retry later');
    }
    const pg = pgErrorOf(err);
    if (pg?.code === '40001' || pg?.code === '40P01' || pg?.code === '55P03') {
      return sendProblem(reply, 409, 'concurrent_change', 'A concurrent change got there first; retry the request');
    }
    // 22021: text the database cannot store (a NUL): refused at the edge, this is the safety net.
    if (pg?.code === '22P02' || pg?.code === '22003' || pg?.code === '22007' || pg?.code === '22008' || pg?.code === '22021') {
      return sendProblem(reply, 400, 'request.invalid', 'A value is out of range or malformed');
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendProblem(reply, err.statusCode, `request.${(err.code ?? 'error').toLowerCase()}`, err.message);
    }
    request.log.error({ err }, 'unhandled error');
    return sendProblem(reply, 500, 'internal', 'An internal error occurred; it has been logged with this request id');
  });
}
