import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth.js';
import { expectedVersion, ifMatchHeaders, setEtag } from '../../http/etag.js';
import { idempotencyHeaders } from '../../http/idempotency.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, idCursor, pageOf, toPage, withLink } from '../../http/pagination.js';
import { idParams } from '../../http/primitives.js';
import type { Role } from '../api-keys/api-keys.table.js';
import {
  createWebhookBody,
  createdWebhookSchema,
  deliverySchema,
  listDeliveriesQuery,
  listWebhooksQuery,
  patchWebhookBody,
  webhookSchema,
} from './webhooks.schemas.js';
import type { WebhooksService } from './webhooks.service.js';

const tags = ['webhooks'];
/** HR portals (registrar keys) and organizers manage their own agency's subscriptions; admin all. */
const WEBHOOK_MANAGERS: readonly Role[] = ['organizer', 'registrar'];

const signingNote =
  'Each delivery is a POST of `{ id, type, occurredAt, data }` signed per the Standard Webhooks specification ' +
  '(headers webhook-id, webhook-timestamp, webhook-signature). Failed deliveries are retried with exponential backoff.';

export const webhooksRoutes: FastifyPluginAsyncZod<{ webhooks: WebhooksService }> = async (app, { webhooks }) => {
  app.post('/webhooks', {
    config: { roles: WEBHOOK_MANAGERS, idempotent: 'secret' },
    schema: {
      operationId: 'createWebhook',
      tags,
      summary: 'Subscribe a URL to events (the signing secret is shown once)',
      description:
        `${signingNote} URLs resolving to loopback, private, link-local or other non-public addresses are refused (422 webhook.url_not_allowed). ` +
        'The answer carries the signing secret and `Cache-Control: no-store`. A retry with the same Idempotency-Key and body does not ' +
        'create a second subscription and does not show the secret again: it is 409 idempotency.secret_not_replayable with the ' +
        'subscription’s Location (if the secret was lost, delete that subscription and create another). A key may create at most ' +
        'WEBHOOK_MAX_SUBSCRIPTIONS_PER_KEY subscriptions (422 webhook.too_many_subscriptions). Subscriptions stop when the key that ' +
        'created them is revoked. A receiver that times out or cannot be reached is backed off as a whole (its owed deliveries wait).',
      headers: idempotencyHeaders,
      body: createWebhookBody,
      response: { 201: createdWebhookSchema, ...problems(422) },
    },
    handler: async (request, reply) => {
      const created = await webhooks.create(callerOf(request), request.body);
      setEtag(reply, created.version);
      return reply.code(201).header('location', `/v1/webhooks/${created.id}`).header('cache-control', 'no-store').send(created);
    },
  });

  app.get('/webhooks', {
    config: { roles: WEBHOOK_MANAGERS },
    schema: {
      operationId: 'listWebhooks',
      tags,
      summary: 'List webhook subscriptions (secrets are never shown again)',
      querystring: listWebhooksQuery,
      response: { 200: pageOf(webhookSchema) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, idCursor);
      const rows = await webhooks.list(callerOf(request), request.query.limit, after?.id);
      return withLink(request, reply, toPage(rows, request.query.limit, (s) => ({ id: s.id })));
    },
  });

  app.get('/webhooks/:id', {
    config: { roles: WEBHOOK_MANAGERS },
    schema: {
      operationId: 'getWebhook',
      tags,
      summary: 'Get a webhook subscription',
      params: idParams,
      response: { 200: webhookSchema, ...problems(404) },
    },
    handler: async (request, reply) => {
      const sub = await webhooks.get(callerOf(request), request.params.id);
      setEtag(reply, sub.version);
      return sub;
    },
  });

  app.patch('/webhooks/:id', {
    config: { roles: WEBHOOK_MANAGERS },
    schema: {
      operationId: 'updateWebhook',
      tags,
      summary: 'Change the URL, event types, description, or pause/resume a subscription',
      description: 'A paused subscription keeps its owed deliveries and sends them when resumed.',
      params: idParams,
      headers: ifMatchHeaders,
      body: patchWebhookBody,
      response: { 200: webhookSchema, ...problems(404, 412, 422) },
    },
    handler: async (request, reply) => {
      const sub = await webhooks.update(callerOf(request), request.params.id, expectedVersion(request), request.body);
      setEtag(reply, sub.version);
      return sub;
    },
  });

  app.delete('/webhooks/:id', {
    config: { roles: WEBHOOK_MANAGERS },
    schema: {
      operationId: 'deleteWebhook',
      tags,
      summary: 'Delete a subscription and its delivery log',
      params: idParams,
      response: { 204: z.null().describe('Deleted'), ...problems(404) },
    },
    handler: async (request, reply) => {
      await webhooks.remove(callerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  });

  app.get('/webhooks/:id/deliveries', {
    config: { roles: WEBHOOK_MANAGERS },
    schema: {
      operationId: 'listWebhookDeliveries',
      tags,
      summary: 'Delivery log of a subscription (newest first)',
      params: idParams,
      querystring: listDeliveriesQuery,
      response: { 200: pageOf(deliverySchema), ...problems(404) },
    },
    handler: async (request, reply) => {
      const { cursor, ...q } = request.query;
      const before = decodeCursor(cursor, idCursor);
      const rows = await webhooks.deliveries(callerOf(request), request.params.id, q, before?.id);
      return withLink(request, reply, toPage(rows, q.limit, (d) => ({ id: d.id })));
    },
  });

  app.post('/webhook-deliveries/:id/replay', {
    config: { roles: WEBHOOK_MANAGERS },
    schema: {
      operationId: 'replayWebhookDelivery',
      tags,
      summary: 'Send a delivered or dead delivery again',
      description: 'The delivery is queued with a fresh retry budget; one still pending or failed is already queued (409 webhook.delivery_not_finished).',
      params: idParams,
      response: { 202: deliverySchema, ...problems(404, 409) },
    },
    handler: async (request, reply) => reply.code(202).send(await webhooks.replay(callerOf(request), request.params.id)),
  });

  app.post('/webhooks/:id/test', {
    config: { roles: WEBHOOK_MANAGERS },
    schema: {
      operationId: 'testWebhook',
      tags,
      summary: 'Queue a webhook.ping event for this subscription only',
      params: idParams,
      response: { 202: deliverySchema, ...problems(404, 409) },
    },
    handler: async (request, reply) => reply.code(202).send(await webhooks.ping(callerOf(request), request.params.id)),
  });
};
