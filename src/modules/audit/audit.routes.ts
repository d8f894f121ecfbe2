import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth.js';
import { decodeCursor, idCursor, pageOf, pageQuery, toPage, withLink } from '../../http/pagination.js';
import { uuid } from '../../http/primitives.js';
import { AUDITORS } from '../../http/roles.js';
import type { AuditService } from './audit.service.js';

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
    from: z.coerce.date().optional().describe('Events at or after this instant'),
    to: z.coerce.date().optional().describe('Events at or before this instant'),
  })
  .strict();

const verifySchema = z
  .object({
    valid: z.boolean(),
    streams: z.number().int(),
    events: z.number().int(),
    breaks: z.array(z.object({ stream: z.number().int(), seq: z.number().int().nullable(), eventId: uuid.nullable(), problem: z.string() })),
    verifiedAt: z.date(),
  })
  .meta({ id: 'AuditVerification' });

export const auditRoutes: FastifyPluginAsyncZod<{ audit: AuditService }> = async (app, { audit }) => {
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
      summary: 'Verify every hash chain of the audit trail',
      description: 'Reports each stream whose events were changed, inserted or deleted.',
      response: { 200: verifySchema },
    },
    handler: async () => audit.verify(),
  });
};
