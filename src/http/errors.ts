import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isDomainError } from '../domain/errors.js';
import { isDatabaseUnavailable, pgErrorOf } from '../db/pg-error.js';

export * from '../errors.js';
import { AppError, problemTypePath, type FieldError } from '../errors.js';

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

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const RESERVED = new Set(['type', 'title', 'status', 'detail', 'code', 'requestId', 'instance']);

export function sendProblem(
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  extras: Record<string, unknown> = {},
): FastifyReply {
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
    title: titles[status] ?? 'Error',
    status,
    detail,
    code,
    requestId: String(reply.request.id),
    instance: reply.request.url.split('?')[0],
    ...own,
  };
  return reply.code(status).type('application/problem+json').send(body);
}

/** A query or path number that is not one (`?limit=abc`, `?limit=`) reaches zod as NaN: say what was expected. */
const readable = (message: string) => message.replace(/expected number, received NaN/, 'expected a number');

type ValidationIssue = { instancePath?: string; message?: string; params?: Record<string, unknown> };

function validationErrors(err: FastifyError): FieldError[] {
  const context = (err as { validationContext?: string }).validationContext ?? 'body';
  return ((err.validation ?? []) as ValidationIssue[]).map((v) => {
    const issuePath = (v.params?.issue as { path?: unknown[] } | undefined)?.path;
    const segs = Array.isArray(issuePath) ? issuePath.map(String) : (v.instancePath ?? '').split('/').filter(Boolean);
    return { path: [context, ...segs].join('.'), message: readable(v.message ?? 'invalid') };
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
      return sendProblem(reply, 405, 'route.method_not_allowed', `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`);
    }
    return sendProblem(reply, 404, 'route.not_found', `No route ${request.method} ${path}`);
  });

  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if ((err as unknown) instanceof AppError) {
      const ae = err as unknown as AppError;
      const { headers, ...extras } = ae.extras;
      if (headers) void reply.headers(headers);
      return sendProblem(reply, ae.status, ae.code, ae.message, extras);
    }
    if (isDomainError(err as unknown)) {
      const de = err as unknown as { code: string; message: string; details?: Record<string, unknown> };
      return sendProblem(reply, 422, de.code, de.message, de.details ? { details: de.details } : {});
    }
    if (err.validation) {
      const errors = validationErrors(err);
      return sendProblem(reply, 400, 'request.invalid', `The request is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, {
        errors,
      });
    }
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(reply, 415, 'request.unsupported_media_type', `Unsupported Content-Type: ${request.headers['content-type'] ?? 'none'}`);
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
