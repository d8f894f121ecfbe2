import { randomBytes } from 'node:crypto';
import type { Caller } from '../../context.js';
import { inScope } from '../../context.js';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { assertPublicUrl } from '../../http/ssrf.js';
import { conflict, forbidden, notFound, preconditionFailed, unprocessable } from '../../errors.js';
import type { AgenciesRepository } from '../agencies/agencies.repository.js';
import { audited, type Record as RecordAudit } from '../audit/audit.writer.js';
import { PING_EVENT_TYPE } from './webhooks.outbox.js';
import type { DeliveryWithType, SubscriptionWithPath, WebhooksRepository } from './webhooks.repository.js';
import type { CreateWebhookInput, DeliveryStatusInput, PatchWebhookInput } from './webhooks.schemas.js';
import type { WebhookSubscriptionRow } from './webhooks.table.js';

export type WebhooksDeps = { db: Db; repo: WebhooksRepository; agencies: AgenciesRepository; allowPrivate: boolean; maxPerKey: number };

const view = (s: WebhookSubscriptionRow) => ({
  id: s.id,
  url: s.url,
  description: s.description,
  eventTypes: s.eventTypes,
  active: s.active,
  agencyId: s.agencyId,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
  version: s.version,
});
export type WebhookView = ReturnType<typeof view>;

const deliveryView = (d: DeliveryWithType) => ({
  id: d.id,
  eventId: d.eventId,
  eventType: d.eventType,
  subscriptionId: d.subscriptionId,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' || d.status === 'failed' ? d.nextAttemptAt : null,
  lastAttemptAt: d.lastAttemptAt,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  deliveredAt: d.deliveredAt,
  createdAt: d.createdAt,
});
export type DeliveryView = ReturnType<typeof deliveryView>;

/**
 * Revoking an API key pauses every subscription it created, in the revoking transaction: a revoked
 * key's integration must stop receiving candidate data at once. (The worker also skips
 * subscriptions whose creator is revoked, for keys revoked before this was done.)
 */
export function deactivateWebhooksOfKey(repo: WebhooksRepository) {
  return async (tx: Tx, keyId: string, record: RecordAudit): Promise<void> => {
    for (const row of await repo.deactivateByCreator(tx, keyId)) {
      record({
        action: 'webhook.deactivated',
        resourceType: 'webhook',
        resourceId: row.id,
        agencyId: row.agencyId,
        before: { ...view(row), active: true, version: row.version - 1 },
        after: view(row),
      });
    }
  };
}

const generateSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export function createWebhooksService(deps: WebhooksDeps) {
  const { db, repo } = deps;
  const checkUrl = (url: string) => assertPublicUrl(url, { allowPrivate: deps.allowPrivate, codePrefix: 'webhook' });

  /** A subscription the caller may manage, else 404 (another agency's is not acknowledged). */
  async function visible(caller: Caller, id: string, tx: DbOrTx = db, forUpdate = false): Promise<SubscriptionWithPath> {
    const sub = await repo.findSubscription(id, tx, forUpdate);
    const seen = sub && (caller.scopePath === null || (sub.agencyPath !== null && inScope(caller, sub.agencyPath)));
    if (!seen) throw notFound('webhook', id);
    return sub;
  }

  return {
    async create(caller: Caller, input: CreateWebhookInput) {
      const url = await checkUrl(input.url);
      return audited(db, caller.actor, async (tx, record) => {
        let agencyId: string | null;
        if (input.agencyId) {
          const agency = await deps.agencies.findById(input.agencyId, tx);
          if (!agency || !inScope(caller, agency.path)) throw unprocessable('webhook.agency_not_found', `No agency ${input.agencyId}`);
          agencyId = agency.id;
        } else if (input.agencyId === null) {
          if (caller.scopePath) throw forbidden('A key scoped to an agency can only subscribe to events of its subtree');
          agencyId = null;
        } else {
          agencyId = caller.scopeAgencyId;
        }
        if (caller.actor.keyId) {
          // Bounded so that one integrator's subscriptions cannot crowd the delivery worker (each
          // subscription gets its own turn in every claim).
          const owned = await repo.countByCreator(tx, caller.actor.keyId);
          if (owned >= deps.maxPerKey) {
            throw unprocessable(
              'webhook.too_many_subscriptions',
              `This API key already created ${owned} subscriptions; the limit is ${deps.maxPerKey}. Delete one, or subscribe one URL to more event types`,
            );
          }
        }
        const secret = input.secret ?? generateSecret();
        const row = await repo.insertSubscription(tx, {
          id: newId(),
          url: url.toString(),
          description: input.description ?? null,
          eventTypes: input.eventTypes,
          secret,
          active: input.active ?? true,
          agencyId,
          createdBy: caller.actor.keyId,
        });
        record({ action: 'webhook.created', resourceType: 'webhook', resourceId: row.id, agencyId, after: view(row) });
        return { ...view(row), secret };
      });
    },

    async list(caller: Caller, limit: number, afterId: string | undefined) {
      const rows = await repo.listSubscriptions({ scopePath: caller.scopePath, afterId, limit });
      return rows.map(view);
    },

    async get(caller: Caller, id: string) {
      return view(await visible(caller, id));
    },

    async update(caller: Caller, id: string, expected: number | undefined, input: PatchWebhookInput) {
      const url = input.url === undefined ? undefined : (await checkUrl(input.url)).toString();
      return audited(db, caller.actor, async (tx, record) => {
        const current = await visible(caller, id, tx, true);
        if (expected !== undefined && expected !== current.version) throw preconditionFailed();
        const row = await repo.updateSubscription(tx, id, current.version, {
          ...(url !== undefined ? { url } : {}),
          ...(input.eventTypes !== undefined ? { eventTypes: input.eventTypes } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.active !== undefined ? { active: input.active } : {}),
        });
        if (!row) throw preconditionFailed();
        record({ action: 'webhook.updated', resourceType: 'webhook', resourceId: id, agencyId: row.agencyId, before: view(current), after: view(row) });
        return view(row);
      });
    },

    /** Deletes the subscription and its delivery log; events already owed to it are dropped. */
    async remove(caller: Caller, id: string): Promise<void> {
      await audited(db, caller.actor, async (tx, record) => {
        const current = await visible(caller, id, tx, true);
        await repo.deleteSubscription(tx, id);
        record({ action: 'webhook.deleted', resourceType: 'webhook', resourceId: id, agencyId: current.agencyId, before: view(current) });
      });
    },

    async deliveries(caller: Caller, id: string, q: { status?: DeliveryStatusInput | undefined; limit: number }, beforeId: string | undefined) {
      await visible(caller, id);
      const rows = await repo.listDeliveries({ subscriptionId: id, status: q.status, beforeId, limit: q.limit });
      return rows.map(deliveryView);
    },

    /** Sends a delivery again with a fresh retry budget; one still owed is already queued (409). */
    async replay(caller: Caller, deliveryId: string) {
      return audited(db, caller.actor, async (tx, record) => {
        const delivery = await repo.findDelivery(deliveryId, tx, true);
        if (!delivery) throw notFound('webhook_delivery', deliveryId);
        const sub = await visible(caller, delivery.subscriptionId, tx).catch(() => {
          throw notFound('webhook_delivery', deliveryId);
        });
        if (delivery.status === 'pending' || delivery.status === 'failed') {
          throw conflict('webhook.delivery_not_finished', `Delivery ${deliveryId} is still ${delivery.status}: it is already queued`);
        }
        await repo.requeue(tx, deliveryId);
        const after = await repo.findDelivery(deliveryId, tx);
        record({
          action: 'webhook_delivery.replayed',
          resourceType: 'webhook_delivery',
          resourceId: deliveryId,
          agencyId: sub.agencyId,
          before: deliveryView(delivery),
          after: deliveryView(after!),
        });
        return deliveryView(after!);
      });
    },

    /** Queues a `webhook.ping` event for this subscription alone, to check the receiver and its signature check. */
    async ping(caller: Caller, id: string) {
      return audited(db, caller.actor, async (tx, record) => {
        const sub = await visible(caller, id, tx);
        if (!sub.active) throw conflict('webhook.inactive', `Webhook ${id} is inactive: activate it before testing`);
        const eventId = newId();
        const delivery = await repo.insertPing(
          tx,
          { id: eventId, type: PING_EVENT_TYPE, occurredAt: new Date(), agencyId: sub.agencyId, payload: { subscriptionId: id } },
          { id: newId(), eventId, subscriptionId: id, status: 'pending' },
        );
        record({ action: 'webhook.ping_sent', resourceType: 'webhook', resourceId: id, agencyId: sub.agencyId, after: { eventId, deliveryId: delivery.id } });
        return deliveryView({ ...delivery, eventType: PING_EVENT_TYPE });
      });
    },
  };
}
export type WebhooksService = ReturnType<typeof createWebhooksService>;
