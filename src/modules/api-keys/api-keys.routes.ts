import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth.js';
import { idempotencyHeaders } from '../../http/idempotency.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, pageOf, pageQuery, toPage, withLink } from '../../http/pagination.js';
import { idParams, text, uuid } from '../../http/primitives.js';
import type { ApiKeysService } from './api-keys.service.js';
import { roles } from './api-keys.table.js';

const tags = ['api-keys'];
const role = z.enum(roles);

const apiKeySchema = z
  .object({
    id: uuid,
    name: z.string(),
    role,
    agencyId: uuid.nullable(),
    prefix: z.string().describe('First characters of the key, to recognise it'),
    createdAt: z.date(),
    revokedAt: z.date().nullable(),
  })
  .meta({ id: 'ApiKey' });

const createdKeySchema = apiKeySchema.extend({ key: z.string().describe('The secret: shown once, store it now') }).meta({ id: 'CreatedApiKey' });

const createBody = z
  .object({
    name: text(100),
    role,
    agencyId: uuid.nullable().optional().describe('Limit the key to this agency and its subtree'),
  })
  .strict();

const keyCursor = z.object({ id: uuid });

export const apiKeysRoutes: FastifyPluginAsyncZod<{ apiKeys: ApiKeysService }> = async (app, { apiKeys }) => {
  app.post('/api-keys', {
    config: { idempotent: 'secret' },
    schema: {
      operationId: 'createApiKey',
      tags,
      summary: 'Create an API key (shown once)',
      description:
        'The answer carries the secret and `Cache-Control: no-store`; the secret is stored only as a hash and never shown again. ' +
        'A retry with the same Idempotency-Key and body does not create a second key and does not show the secret again: it is ' +
        '409 idempotency.secret_not_replayable with the key’s Location (if the secret was lost, revoke that key and create another). ' +
        'Revoking a key also pauses every webhook subscription it created.',
      headers: idempotencyHeaders,
      body: createBody,
      response: { 201: createdKeySchema, ...problems(422) },
    },
    handler: async (request, reply) => {
      const key = await apiKeys.create(callerOf(request), request.body);
      return reply.code(201).header('location', `/v1/api-keys/${key.id}`).header('cache-control', 'no-store').send(key);
    },
  });

  app.get('/api-keys', {
    schema: {
      operationId: 'listApiKeys',
      tags,
      summary: 'List API keys (newest first; secrets are never shown again)',
      querystring: z.object({ ...pageQuery }).strict(),
      response: { 200: pageOf(apiKeySchema) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, keyCursor);
      const rows = await apiKeys.list(request.query.limit, after?.id);
      return withLink(request, reply, toPage(rows, request.query.limit, (k) => ({ id: k.id })));
    },
  });

  app.delete('/api-keys/:id', {
    schema: {
      operationId: 'revokeApiKey',
      tags,
      summary: 'Revoke an API key (refused from the next request on)',
      params: idParams,
      response: { 200: apiKeySchema, ...problems(404, 409) },
    },
    handler: async (request) => apiKeys.revoke(callerOf(request), request.params.id),
  });
};
