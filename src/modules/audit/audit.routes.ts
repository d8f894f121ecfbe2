import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth.js';
import { decodeCursor, idCursor, pageOf, pageQuery, toPage, withLink } from '../../http/pagination.js';
import { instant, uuid } from '../../http/primitives.js';
import { AUDITORS } from '../../http/roles.js';
import type { AuditService } from './audit.service.js';
import { accepted, wantsAsync } from '../../http/prefer.js';
import { jobSchema, jobView, preferHeaders } from '../jobs/jobs.schemas.js';
import type { JobsService } from '../jobs/jobs.service.js';
import { AUDIT_STREAMS } from './audit.writer.js';

const tags = ['audit'];

const auditEventSchema = z
  .object({
    id: uuid,
    occurredAt: z.date(),
    actor: z.object({ keyId: uuid.nullable(), role: z.string().nullable(), onBehalfOf: z.string().nullable() }),
    requestId: z.string().nullable(),
    action: z.string(),
    resourceType: z.string(),
    resourceId: z.string(),
    agencyId: uuid.nullable(),
    driveId: uuid.nullable(),
    before: z.unknown(),
    after: z.unknown(),
    stream: z.number().int(),
    seq: z.number().int(),
    prevHash: z.string(),
    hash: z.string(),
    keyId: z.string().nullable().describe('Audit key the hash is keyed with (null: written before the chain was keyed)'),
  })
  .meta({ id: 'AuditEvent' });

const listQuery = z
  .object({
    ...pageQuery,
    resourceType: z.string().max(64).optional(),
    resourceId: z.string().max(200).optional(),
    action: z.string().max(100).optional(),
    actorKeyId: uuid.optional(),
    agencyId: uuid.optional(),
    driveId: uuid.optional(),
    from: instant.optional().describe('Events at or after this instant (ISO 8601 with Z or an offset, or YYYY-MM-DD)'),
    to: instant.optional().describe('Events at or before this instant (ISO 8601 with Z or an offset, or YYYY-MM-DD)'),
  })
  .strict();

const hash = z.string().regex(/^[0-9a-f]{64}$/, '64 hex digits');
const headSchema = z.object({ stream: z.number().int().min(0).max(AUDIT_STREAMS - 1), seq: z.number().int().min(0), hash }).strict();

const checkpointSchema = z
  .object({
    id: uuid,
    createdAt: z.date(),
    keyId: z.string(),
    heads: z.array(headSchema).describe('The head of every stream when the checkpoint was signed'),
    signature: z.string().describe('Ed25519 signature (base64) of signedPayload with the audit key keyId'),
    signedPayload: z.string().describe('The exact bytes signed: canonical JSON (RFC 8785) of type, id, createdAt, keyId and heads'),
  })
  .meta({ id: 'AuditCheckpoint' });

const verifySchema = z
  .object({
    valid: z.boolean().describe('No break found in this call nor in the calls its cursor continues'),
    mode: z.enum(['checkpoint', 'full']).describe('checkpoint: from the checkpoint’s heads onwards; full: from the genesis'),
    checkpoint: z.object({ id: uuid, createdAt: z.date(), keyId: z.string() }).nullable().describe('The signed checkpoint the chains were checked against'),
    streams: z.number().int().describe('Streams walked to their head in this call'),
    events: z.number().int().describe('Events read and re-hashed in this call'),
    totalEvents: z.number().int().describe('Events read by this call and those its cursor continues'),
    breaks: z.array(
      z.object({ stream: z.number().int().nullable(), seq: z.number().int().nullable(), eventId: uuid.nullable(), problem: z.string() }),
    ),
    complete: z.boolean().describe('Every stream was walked to its head; else follow nextCursor'),
    nextCursor: z.string().nullable(),
    verifiedAt: z.date(),
  })
  .meta({ id: 'AuditVerification' });

const verifyQuery = z
  .object({
    mode: z.enum(['checkpoint', 'full']).default('checkpoint').describe('checkpoint (default): from the latest signed checkpoint; full: from the genesis'),
    maxEvents: z.coerce.number().int().min(1).max(1_000_000).optional().describe('Most events to read in this call (capped by AUDIT_VERIFY_MAX_EVENTS)'),
    cursor: z.string().max(1024).optional().describe('nextCursor of the previous call'),
  })
  .strict();

const suppliedCheckpoint = z
  .object({
    id: uuid,
    createdAt: instant,
    keyId: z.string().max(64),
    heads: z.array(headSchema).max(AUDIT_STREAMS),
    signature: z.string().max(256),
    signedPayload: z.string().max(20_000).optional().describe('Ignored: the payload is rebuilt from the fields'),
  })
  .strict()
  .describe('A checkpoint as listed by GET /v1/audit-events/checkpoints, e.g. a copy kept off the machine');

const verifyBody = z
  .object({
    checkpoint: suppliedCheckpoint,
    mode: z.enum(['checkpoint', 'full']).default('checkpoint'),
    maxEvents: z.number().int().min(1).max(1_000_000).optional(),
    cursor: z.string().max(1024).optional(),
  })
  .strict();

const signingKeySchema = z
  .object({ keyId: z.string(), algorithm: z.literal('Ed25519'), current: z.boolean(), publicKeyPem: z.string() })
  .meta({ id: 'AuditSigningKey' });

const asyncDescription =
  'With `Prefer: respond-async` the verification runs as a job: 202 with Location /v1/jobs/{id}; the job’s result is this response’s body.';

const verifyDescription =
  'Checks that every one of the 64 streams still reaches the signed checkpoint, then re-hashes (HMAC under the audit key) ' +
  'each event after it up to the current head; `mode=full` starts at the genesis. Bounded: at most `maxEvents` events ' +
  '(AUDIT_VERIFY_MAX_EVENTS) per call, continued with `cursor`. Agency-scoped keys are refused (403 `audit.scoped_key`).';

export const auditRoutes: FastifyPluginAsyncZod<{ audit: AuditService; jobs?: JobsService }> = async (app, { audit, jobs }) => {
  app.get('/audit-events', {
    config: { roles: AUDITORS },
    schema: {
      operationId: 'listAuditEvents',
      tags,
      summary: 'List audit events (oldest first) with filters',
      querystring: listQuery,
      response: { 200: pageOf(auditEventSchema) },
    },
    handler: async (request, reply) => {
      const { cursor, limit, ...filters } = request.query;
      const after = decodeCursor(cursor, idCursor);
      const rows = await audit.list(callerOf(request), { ...filters, limit, afterId: after?.id });
      return withLink(request, reply, toPage(rows, limit, (e) => ({ id: e.id })));
    },
  });

  app.get('/audit-events/verify', {
    config: { roles: AUDITORS },
    schema: {
      operationId: 'verifyAuditTrail',
      tags,
      summary: 'Verify the audit chains from the latest signed checkpoint (bounded, resumable)',
      description: `${verifyDescription} ${asyncDescription}`,
      querystring: verifyQuery,
      headers: preferHeaders,
      response: { 200: verifySchema, 202: jobSchema },
    },
    handler: async (request, reply) => {
      if (jobs && wantsAsync(request)) return accepted(reply, jobView(await jobs.enqueue('audit.verify', callerOf(request), { options: request.query }, { total: 1 })));
      return audit.verify(callerOf(request), request.query);
    },
  });

  app.post('/audit-events/verify', {
    config: { roles: AUDITORS },
    schema: {
      operationId: 'verifyAuditTrailAgainstCheckpoint',
      tags,
      summary: 'Verify the audit chains against a checkpoint kept elsewhere',
      description: `The supplied checkpoint's signature must hold under a configured audit key; the chains must still reach its heads. ${verifyDescription} ${asyncDescription}`,
      body: verifyBody,
      headers: preferHeaders,
      response: { 200: verifySchema, 202: jobSchema },
    },
    handler: async (request, reply) => {
      if (jobs && wantsAsync(request)) return accepted(reply, jobView(await jobs.enqueue('audit.verify', callerOf(request), { options: request.body }, { total: 1 })));
      return audit.verify(callerOf(request), request.body);
    },
  });

  app.post('/audit-events/checkpoints', {
    config: { roles: AUDITORS },
    schema: {
      operationId: 'createAuditCheckpoint',
      tags,
      summary: 'Sign a checkpoint of the current stream heads now',
      description:
        'Verifies the chains since the previous checkpoint, then signs the head of every stream (Ed25519). 201 with the new ' +
        'checkpoint; 200 with the latest one when no stream moved since. 409 `audit.chain_broken` when the chains do not verify.',
      response: { 200: checkpointSchema, 201: checkpointSchema, 204: z.null().describe('Nothing was ever written: nothing to sign') },
    },
    handler: async (request, reply) => {
      const { checkpoint, created } = await audit.createCheckpoint(callerOf(request));
      if (!checkpoint) return reply.code(204).send(null);
      return reply.code(created ? 201 : 200).send(checkpoint);
    },
  });

  app.get('/audit-events/checkpoints', {
    config: { roles: AUDITORS },
    schema: {
      operationId: 'listAuditCheckpoints',
      tags,
      summary: 'List signed checkpoints, newest first (copy them off the machine)',
      querystring: z.object(pageQuery).strict(),
      response: { 200: pageOf(checkpointSchema) },
    },
    handler: async (request, reply) => {
      const { cursor, limit } = request.query;
      const before = decodeCursor(cursor, idCursor);
      const rows = await audit.listCheckpoints(callerOf(request), limit, before?.id);
      return withLink(request, reply, toPage(rows, limit, (c) => ({ id: c.id })));
    },
  });

  app.get('/audit-events/signing-keys', {
    config: { roles: AUDITORS },
    schema: {
      operationId: 'listAuditSigningKeys',
      tags,
      summary: 'Public keys that verify checkpoint signatures (keep a copy off the machine)',
      response: { 200: z.object({ items: z.array(signingKeySchema) }) },
    },
    handler: async () => ({ items: audit.signingKeys() }),
  });
};
