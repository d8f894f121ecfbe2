import type { FastifyInstance, RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { problemSchema } from './errors.js';
import { enrichDocument } from './openapi-contract.js';
import { REQUEST_EXAMPLES } from './openapi-examples.js';
import { PROBLEM_CODES } from './problem-codes.generated.js';
import { PING_EVENT_TYPE, webhookEventTypes } from '../modules/webhooks/webhooks.outbox.js';

const descriptions: Record<number, string> = {
  400: 'Malformed or invalid input (see errors[])',
  401: 'Missing, unknown or revoked API key',
  403: 'The key’s role may not do this',
  404: 'Not found (or outside the key’s agency scope)',
  409: 'Conflict: duplicate, wrong state or concurrent change',
  412: 'If-Match does not match the current version',
  413: 'Body too large',
  415: 'Unsupported Content-Type',
  422: 'A domain rule refused the request (its numbers in detail)',
  429: 'Rate limited (see Retry-After)',
  500: 'Internal error (logged with the request id)',
  503: 'Database unavailable; retry later',
};

export const problem = (status: number, description = descriptions[status] ?? 'Error') => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/** Problem responses for the given statuses, for a route's `response` map. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, problem(s)])) as Record<number, ReturnType<typeof problem>>;
}

/**
 * Every route gets the problem responses any request can meet (and the bearer scheme unless public),
 * so the document lists every status a client can see without each route repeating them.
 */
export function addStandardResponses(route: RouteOptions): void {
  const schema = (route.schema ??= {});
  if ((schema as { hide?: boolean }).hide) return;
  const isPublic = Boolean(route.config && (route.config as { public?: boolean }).public);
  const response = ((schema as { response?: Record<string, unknown> }).response ??= {});
  const statuses = [400, 429, 500, 503];
  if (!isPublic) statuses.push(401, 403);
  if (route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH') statuses.push(413, 415);
  // Idempotency-Key: 409 idempotency.in_progress, idempotency.secret_not_replayable, idempotency.response_lost.
  if (route.config && (route.config as { idempotent?: unknown }).idempotent) statuses.push(409);
  for (const s of statuses) if (!(s in response)) response[s] = problem(s);
  if (!isPublic && !(schema as { security?: unknown }).security) {
    (schema as { security?: unknown }).security = [{ bearerAuth: [] }];
  }
  if (isPublic) (schema as { security?: unknown }).security = [];
  else {
    // The roles the route admits (admin always is), so the access matrix can be checked against the contract.
    const roles = (route.config as { roles?: readonly string[] } | undefined)?.roles ?? [];
    (schema as Record<string, unknown>)['x-roles'] = ['admin', ...roles.filter((r) => r !== 'admin')];
    // The boards whose members' keys may do this act as a person (keys bound to a board member).
    const members = (route.config as { members?: readonly string[] } | undefined)?.members ?? [];
    if (members.length > 0) (schema as Record<string, unknown>)['x-member-boards'] = [...members];
  }
}

export async function registerOpenApi(app: FastifyInstance, opts: { serverUrl?: string | undefined }) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'tuyendung API',
        version: '1.0.0',
        description:
          'Civil-service recruitment drives and leadership-title competitive exams: agencies and headcount, drives and quotas, ' +
          'candidates and applications, anonymous double marking, appeals, winner determination, approval, publication, reports ' +
          'and a tamper-evident audit trail. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      servers: [{ url: opts.serverUrl ?? '/' }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'API key (td_…) created by an admin' },
        },
      },
      tags: [
        { name: 'agencies', description: 'Agencies (cơ quan, đơn vị) and headcount (biên chế)' },
        { name: 'api-keys', description: 'API keys (admin)' },
        { name: 'audit', description: 'Tamper-evident audit trail' },
        { name: 'job-positions', description: 'Job positions (vị trí việc làm) per agency' },
        { name: 'drives', description: 'Recruitment and leadership drives (kỳ tuyển dụng / thi tuyển), rule sets and lifecycle' },
        { name: 'quotas', description: 'Quotas (chỉ tiêu) within unused headcount; a leadership title is a quota of 1' },
        { name: 'candidates', description: 'Candidates (thí sinh); national IDs encrypted, masked in lists' },
        { name: 'applications', description: 'Applications (phiếu đăng ký dự tuyển), eligibility, withdrawal, bulk import' },
        { name: 'rounds', description: 'Exam rounds and parts, anonymous script codes, marks, reconciliation, reveal' },
        { name: 'appeals', description: 'Appeals (phúc khảo) of written parts' },
        {
          name: 'discipline',
          description:
            'Candidate discipline (Circular 22/2025 Nội quy Art. 2): reprimand −25 %, warning −50 %, suspension, cancellation of the result, ' +
            'each with its minute; applied by the results engine and named in the result’s explanation',
        },
        { name: 'results', description: 'Winner determination, tie decisions, approval, publication, cancellation' },
        {
          name: 'boards',
          description:
            'The people behind each act (Decree 170/2025 Art. 8; Circular 22/2025 Quy chế Art. 23): the head of the recruiting agency, the ' +
            'council, its boards and the separate supervision board; relatives declared; conflicts; keys bound to a member. Once a drive ' +
            'records any member, the acts the law gives to a person (marks, reconciliation, appeal re-marks, eligibility, the head’s ' +
            'decisions) are accepted only from keys bound to a member of the right board (x-member-boards); On-Behalf-Of never counts.',
        },
        { name: 'public', description: 'Published results, no key needed' },
        { name: 'reports', description: 'Figures computed from the data, with denominators' },
        { name: 'calendar', description: 'Working-day calendar: weekends, public holidays (lunar dates at UTC+7), the government’s swapped days; deadlines' },
        { name: 'timeline', description: 'A drive’s statutory timeline: every due date from its starting event, with its article, status and the chair’s extensions' },
        { name: 'webhooks', description: 'Event subscriptions, signed deliveries (Standard Webhooks), delivery log' },
        { name: 'operations', description: 'Health, readiness, metrics' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: (doc) =>
      enrichDocument(markDeprecatedParameters(jsonSchemaTransformObject(doc)), {
        problemCodes: PROBLEM_CODES.map((p) => p.code),
        requestExamples: REQUEST_EXAMPLES,
        webhookEvents: [...webhookEventTypes, PING_EVENT_TYPE],
      }),
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // The plugin's policy ends in upgrade-insecure-requests: on a plain-HTTP host that is not
    // localhost (an office intranet) the browser then fetches the page's own assets over https and
    // the page stays blank. The rest of the policy (self-only scripts with their hashes) stays.
    transformStaticCSP: (header: string) => header.replace(/\s*upgrade-insecure-requests;?/g, '').trim(),
  });
}

type ParameterLike = { deprecated?: boolean; schema?: { deprecated?: boolean } };
/**
 * A parameter whose schema says `deprecated` (zod `.meta({ deprecated: true })`) is marked
 * deprecated itself, where OpenAPI puts it (Parameter Object) and where clients and Swagger UI look.
 */
function markDeprecatedParameters<T>(doc: T): T {
  const paths = (doc as { paths?: Record<string, Record<string, { parameters?: ParameterLike[] } | undefined>> }).paths ?? {};
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) {
      for (const p of (op && Array.isArray(op.parameters) ? op.parameters : [])) if (p.schema?.deprecated === true) p.deprecated = true;
    }
  }
  return doc;
}
