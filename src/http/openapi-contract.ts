/*
 * What the route schemas cannot say by themselves, added to the whole generated document (issue 19,
 * item 1), generically so that operations added later get it too:
 * - the roles (and board members) an operation admits, in its description, where /docs shows them;
 * - downloads and uploads that are files (CSV, XLSX) typed as binary, so generated clients do not
 *   decode a workbook as text;
 * - a description for every response instead of "Default Response", and the response headers the
 *   API really sends (x-request-id, Link, ETag, Location, Retry-After, Idempotent-Replayed);
 * - the catalogue of problem codes on the Problem schema;
 * - request body examples.
 */

type Schema = Record<string, unknown> & { $ref?: string; properties?: Record<string, unknown>; description?: string };
type Media = { schema?: Schema; example?: unknown; examples?: unknown };
type Response = { description?: string; headers?: Record<string, unknown>; content?: Record<string, Media> };
type Parameter = { in: string; name: string };
type Operation = {
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, Response>;
  security?: unknown[];
  'x-roles'?: string[];
  'x-member-boards'?: string[];
};
type Document = {
  webhooks?: Record<string, unknown>;
  paths?: Record<string, Record<string, Operation | undefined>>;
  components?: { schemas?: Record<string, Schema>; headers?: Record<string, unknown> };
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const JSON_TYPES = new Set(['application/json', 'application/problem+json']);
/** Streams read as text as they arrive: not files. */
const TEXT_STREAMS = new Set(['text/event-stream']);

/** Reusable header definitions (components.headers), referenced from each response. */
export const RESPONSE_HEADERS: Record<string, { description: string; schema: Record<string, unknown> }> = {
  'x-request-id': {
    description: 'The request’s id (the client’s own X-Request-Id when it sent a valid one); also `requestId` in problem details and in the logs',
    schema: { type: 'string' },
  },
  Link: {
    description: 'RFC 8288 `<absolute URL>; rel="next"` to the next page, present while `nextCursor` is not null',
    schema: { type: 'string' },
  },
  ETag: {
    description: 'The resource’s version (`"v<n>"`): send it back in `If-Match` to change the resource (412 when it moved on)',
    schema: { type: 'string', pattern: '^"v\\d+"$' },
  },
  Location: { description: 'The URL of the created resource (201) or of the job to follow (202)', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } },
  'Idempotent-Replayed': {
    description: '`true` when this is the stored first response to an earlier request with the same Idempotency-Key and body',
    schema: { type: 'string', enum: ['true'] },
  },
};

const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });

const ROLE_NAMES: Record<string, string> = {
  admin: 'admin',
  organizer: 'organizer (the recruiting agency’s HR office)',
  registrar: 'registrar (HR portal)',
  anonymizer: 'anonymizer (script codes)',
  marker: 'marker',
  council: 'council',
  approver: 'approver (the recruiting authority)',
  auditor: 'auditor (read-only)',
};

/** The sentence naming who may call the operation, for its description. */
export function rolesSentence(op: Operation): string {
  if (Array.isArray(op.security) && op.security.length === 0) return 'Roles (x-roles): none — public, no API key needed.';
  const roles = op['x-roles'] ?? ['admin'];
  let text = `Roles (x-roles): ${roles.map((r) => ROLE_NAMES[r] ?? r).join(', ')}.`;
  const boards = op['x-member-boards'] ?? [];
  if (boards.length > 0) {
    text +=
      ` Board members: once the drive records any member, only a key bound to a member of ${boards.join(' or ')} may do this ` +
      '(Decree 170/2025 Art. 8; Circular 22/2025 Quy chế Art. 23); On-Behalf-Of never counts.';
  }
  return text;
}

function resolve(doc: Document, schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let i = 0; i < 10 && s?.$ref; i++) s = doc.components?.schemas?.[s.$ref.replace('#/components/schemas/', '')];
  return s;
}

function jsonSchemaOf(doc: Document, response: Response): Schema | undefined {
  return resolve(doc, response.content?.['application/json']?.schema);
}

const isList = (s: Schema | undefined) => Boolean(s?.properties && 'items' in s.properties && 'nextCursor' in s.properties);
const isVersioned = (s: Schema | undefined) => Boolean(s?.properties && 'version' in s.properties);

function responseDescription(method: string, status: number, op: Operation, list: boolean): string {
  const what = op.summary ? ` (${op.summary.replace(/\.$/, '')})` : '';
  if (status === 201) return `Created${what}; Location names the new resource`;
  if (status === 202) return `Accepted${what}: the work continues as a job; Location names it (GET /v1/jobs/{id})`;
  if (status === 204) return `Done${what}; no content`;
  if (status === 304) return 'Not modified: the representation still matches If-None-Match';
  if (list) return `A page of results${what}: items in a stable order and nextCursor (null on the last page)`;
  if (method === 'get') return `The requested representation${what}`;
  if (method === 'delete') return `Deleted${what}`;
  return `Done${what}: the resulting representation`;
}

/**
 * File formats: a binary string of the media type, keeping the route's own description. A new media
 * object: routes share one between their JSON and CSV bodies, and the JSON one keeps its schema.
 */
function binary(content: Record<string, Media>, mediaType: string): void {
  const media = content[mediaType]!;
  const description = media.schema?.description;
  const { example: _example, ...rest } = media;
  void _example;
  content[mediaType] = { ...rest, schema: { type: 'string', format: 'binary', contentMediaType: mediaType, ...(description ? { description } : {}) } };
}

export function enrichDocument<T>(input: T, opts: { problemCodes?: readonly string[]; requestExamples?: Record<string, unknown>; webhookEvents?: readonly string[] } = {}): T {
  const doc = input as unknown as Document;
  const components = (doc.components ??= {});
  components.headers = { ...(components.headers ?? {}), ...RESPONSE_HEADERS };
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      // e. request body examples (src/http/openapi-examples.ts).
      const example = opts.requestExamples?.[`${method.toUpperCase()} ${path}`];
      const jsonBody = op.requestBody?.content?.['application/json'];
      if (example !== undefined && jsonBody) jsonBody.example = example;
      // a. roles, where /docs shows them.
      const sentence = rolesSentence(op);
      if (!op.description?.includes(sentence)) op.description = op.description ? `${op.description}\n\n${sentence}` : sentence;
      // b. files are binary, in both directions.
      const requestContent = op.requestBody?.content ?? {};
      for (const type of Object.keys(requestContent)) if (!JSON_TYPES.has(type) && !TEXT_STREAMS.has(type)) binary(requestContent, type);
      const headerParams = new Set((op.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()));
      for (const [code, response] of Object.entries(op.responses ?? {})) {
        const status = Number(code);
        const content = response.content ?? {};
        for (const type of Object.keys(content)) if (!JSON_TYPES.has(type) && !TEXT_STREAMS.has(type)) binary(content, type);
        // c. descriptions and headers.
        const schema = jsonSchemaOf(doc, response);
        const list = isList(schema);
        if (!response.description || response.description === 'Default Response') {
          response.description = responseDescription(method, status, op, list);
        }
        const headers: Record<string, unknown> = { 'x-request-id': ref('x-request-id'), ...(response.headers ?? {}) };
        if (status >= 200 && status < 300) {
          if (list) headers.Link = ref('Link');
          if (isVersioned(schema) || headerParams.has('if-none-match')) headers.ETag = ref('ETag');
          if (status === 201 || status === 202) headers.Location = ref('Location');
          if (headerParams.has('idempotency-key')) headers['Idempotent-Replayed'] = ref('Idempotent-Replayed');
        }
        if (status === 429 || status === 503) headers['Retry-After'] = ref('Retry-After');
        response.headers = headers;
      }
    }
  }
  // d. every problem code the API can send, on the Problem schema.
  const problem = components.schemas?.Problem as (Schema & { properties?: Record<string, Schema> }) | undefined;
  if (problem?.properties?.code && opts.problemCodes && opts.problemCodes.length > 0) {
    problem.properties.code = {
      ...problem.properties.code,
      description:
        'Stable code clients branch on; `type` is the URL of a page describing it (GET /problems/{code}). The codes the API sends are ' +
        'listed in x-codes; new ones may be added, existing ones never change meaning.',
      'x-codes': [...opts.problemCodes],
    };
  }
  // f. the webhooks section: what a subscription's URL receives, per event type.
  if (opts.webhookEvents && opts.webhookEvents.length > 0) {
    const schemas = (components.schemas ??= {});
    schemas.WebhookEventData = WEBHOOK_EVENT_DATA;
    doc.webhooks = Object.fromEntries(opts.webhookEvents.map((type) => [type, webhookOperation(type)]));
  }
  return input;
}

/** `data` of every delivery (src/modules/webhooks/webhooks.outbox.ts): the audited change. */
const WEBHOOK_EVENT_DATA: Schema = {
  type: 'object',
  description: 'The audited change the event reports: the resource after (object) and before (previous) it, as the API represents it',
  properties: {
    resourceType: { type: 'string', description: 'agency, drive, quota, application, result, appeal, job…' },
    resourceId: { type: 'string' },
    agencyId: { type: ['string', 'null'], format: 'uuid', description: 'The agency the event belongs to (its own, else the drive’s organizing agency)' },
    driveId: { type: ['string', 'null'], format: 'uuid' },
    object: { description: 'The resource after the change; null when deleted' },
    previous: { description: 'The resource before the change; null when created' },
  },
  required: ['resourceType', 'resourceId', 'agencyId', 'driveId', 'object', 'previous'],
};

function webhookOperation(type: string) {
  const signed = (name: string, description: string) => ({ name, in: 'header', required: true, description, schema: { type: 'string' } });
  return {
    post: {
      operationId: `webhook_${type.replace(/[^A-Za-z0-9]+/g, '_')}`,
      tags: ['webhooks'],
      summary: `Event ${type}`,
      // The receiver checks the signature headers; it is called with no API key.
      security: [],
      description:
        'POSTed to each active subscription that lists this type (an agency-scoped one only for events in its subtree), signed per the ' +
        'Standard Webhooks specification; retried with backoff until the receiver answers 2xx. Payloads carry codes, never display text.',
      parameters: [
        signed('webhook-id', 'The event id: the same on every retry, so receivers can drop duplicates'),
        signed('webhook-timestamp', 'Seconds since the epoch when this attempt was signed'),
        signed('webhook-signature', '`v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the subscription’s secret'),
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                id: { type: 'string', format: 'uuid' },
                type: { type: 'string', const: type },
                occurredAt: { type: 'string', format: 'date-time' },
                data: { $ref: '#/components/schemas/WebhookEventData' },
              },
              required: ['id', 'type', 'occurredAt', 'data'],
            },
          },
        },
      },
      responses: { '2XX': { description: 'Received: the delivery is done' }, default: { description: 'Not received: the delivery is retried' } },
    },
  };
}
