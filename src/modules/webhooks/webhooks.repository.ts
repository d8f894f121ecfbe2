import { and, desc, eq, gt, inArray, like, lt, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agencies } from '../agencies/agencies.table.js';
import {
  webhookDeliveries,
  webhookEvents,
  webhookSubscriptions,
  type DeliveryStatus,
  type WebhookDeliveryRow,
  type WebhookSubscriptionRow,
} from './webhooks.table.js';

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export type SubscriptionWithPath = WebhookSubscriptionRow & { agencyPath: string | null };
export type DeliveryWithType = WebhookDeliveryRow & { eventType: string };

/** A delivery taken by a worker, with everything needed to send it. */
export type ClaimedDelivery = {
  id: string;
  attempts: number;
  eventId: string;
  eventType: string;
  payload: unknown;
  occurredAt: Date;
  url: string;
  secret: string;
};

const rowsOf = <T>(res: unknown): T[] => (res as { rows: T[] }).rows;

const deliveryColumns = {
  id: webhookDeliveries.id,
  eventId: webhookDeliveries.eventId,
  subscriptionId: webhookDeliveries.subscriptionId,
  status: webhookDeliveries.status,
  attempts: webhookDeliveries.attempts,
  nextAttemptAt: webhookDeliveries.nextAttemptAt,
  lastAttemptAt: webhookDeliveries.lastAttemptAt,
  lastStatusCode: webhookDeliveries.lastStatusCode,
  lastError: webhookDeliveries.lastError,
  deliveredAt: webhookDeliveries.deliveredAt,
  createdAt: webhookDeliveries.createdAt,
  eventType: webhookEvents.type,
};

export function createWebhooksRepository(db: DbOrTx) {
  return {
    async insertSubscription(tx: DbOrTx, row: typeof webhookSubscriptions.$inferInsert): Promise<WebhookSubscriptionRow> {
      const [created] = await tx.insert(webhookSubscriptions).values(row).returning();
      return created!;
    },

    async findSubscription(id: string, tx: DbOrTx = db, forUpdate = false): Promise<SubscriptionWithPath | undefined> {
      const q = tx
        .select({ s: webhookSubscriptions, agencyPath: agencies.path })
        .from(webhookSubscriptions)
        .leftJoin(agencies, eq(agencies.id, webhookSubscriptions.agencyId))
        .where(eq(webhookSubscriptions.id, id));
      const [row] = forUpdate ? await q.for('update', { of: webhookSubscriptions }) : await q;
      return row ? { ...row.s, agencyPath: row.agencyPath } : undefined;
    },

    /** Subscriptions in the caller's subtree (an agency-scoped key never sees unscoped ones), oldest first. */
    async listSubscriptions(f: { scopePath: string | null; afterId?: string | undefined; limit: number }): Promise<WebhookSubscriptionRow[]> {
      const where: (SQL | undefined)[] = [
        f.scopePath ? like(agencies.path, `${escapeLike(f.scopePath)}%`) : undefined,
        f.afterId ? gt(webhookSubscriptions.id, f.afterId) : undefined,
      ];
      const rows = await db
        .select({ s: webhookSubscriptions })
        .from(webhookSubscriptions)
        .leftJoin(agencies, eq(agencies.id, webhookSubscriptions.agencyId))
        .where(and(...where))
        .orderBy(webhookSubscriptions.id)
        .limit(f.limit + 1);
      return rows.map((r) => r.s);
    },

    async updateSubscription(tx: DbOrTx, id: string, expected: number | undefined, changes: Partial<typeof webhookSubscriptions.$inferInsert>) {
      const [row] = await tx
        .update(webhookSubscriptions)
        .set({ ...changes, version: sql`${webhookSubscriptions.version} + 1`, updatedAt: sql`now()` })
        .where(and(eq(webhookSubscriptions.id, id), expected === undefined ? undefined : eq(webhookSubscriptions.version, expected)))
        .returning();
      return row;
    },

    async deleteSubscription(tx: DbOrTx, id: string): Promise<void> {
      await tx.delete(webhookSubscriptions).where(eq(webhookSubscriptions.id, id));
    },

    async insertPing(tx: DbOrTx, event: typeof webhookEvents.$inferInsert, delivery: typeof webhookDeliveries.$inferInsert) {
      await tx.insert(webhookEvents).values(event);
      const [row] = await tx.insert(webhookDeliveries).values(delivery).returning();
      return row!;
    },

    /** The delivery log of a subscription, newest first. */
    async listDeliveries(f: { subscriptionId: string; status?: DeliveryStatus | undefined; beforeId?: string | undefined; limit: number }): Promise<DeliveryWithType[]> {
      return db
        .select(deliveryColumns)
        .from(webhookDeliveries)
        .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
        .where(
          and(
            eq(webhookDeliveries.subscriptionId, f.subscriptionId),
            f.status ? eq(webhookDeliveries.status, f.status) : undefined,
            f.beforeId ? lt(webhookDeliveries.id, f.beforeId) : undefined,
          ),
        )
        .orderBy(desc(webhookDeliveries.id))
        .limit(f.limit + 1);
    },

    async findDelivery(id: string, tx: DbOrTx = db, forUpdate = false): Promise<DeliveryWithType | undefined> {
      const q = tx
        .select(deliveryColumns)
        .from(webhookDeliveries)
        .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
        .where(eq(webhookDeliveries.id, id));
      const [row] = forUpdate ? await q.for('update', { of: webhookDeliveries }) : await q;
      return row;
    },

    /** Puts a finished delivery back in the queue with a fresh retry budget. */
    async requeue(tx: DbOrTx, id: string): Promise<void> {
      await tx
        .update(webhookDeliveries)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: sql`now()`, deliveredAt: null })
        .where(eq(webhookDeliveries.id, id));
    },

    /**
     * Takes up to `limit` due deliveries of active subscriptions and moves their schedule `leaseMs`
     * ahead, in one statement. SKIP LOCKED lets several instances poll together: each row goes to
     * exactly one of them, and a row another worker is claiming is skipped rather than waited for.
     */
    async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
      const rows = rowsOf<{
        id: string;
        attempts: number;
        event_id: string;
        type: string;
        payload: unknown;
        occurred_at: Date | string;
        url: string;
        secret: string;
      }>(
        await db.execute(sql`
          with due as (
            select d.id from webhook_deliveries d
            join webhook_subscriptions s on s.id = d.subscription_id
            where d.status in ('pending', 'failed') and d.next_attempt_at <= now() and s.active
            order by d.next_attempt_at
            limit ${limit}
            for update of d skip locked
          )
          update webhook_deliveries d
          set attempts = d.attempts + 1,
              next_attempt_at = now() + ${`${leaseMs} milliseconds`}::interval,
              last_attempt_at = now()
          from due, webhook_events e, webhook_subscriptions s
          where d.id = due.id and e.id = d.event_id and s.id = d.subscription_id
          returning d.id, d.attempts, e.id as event_id, e.type, e.payload, e.occurred_at, s.url, s.secret`),
      );
      return rows.map((r) => ({
        id: r.id,
        attempts: Number(r.attempts),
        eventId: r.event_id,
        eventType: r.type,
        payload: r.payload,
        occurredAt: new Date(r.occurred_at),
        url: r.url,
        secret: r.secret,
      }));
    },

    /**
     * Records the outcome of the attempt the worker claimed. The `attempts` guard ignores a result
     * whose lease ran out and whose delivery was claimed again (or replayed) meanwhile.
     */
    async recordOutcome(
      id: string,
      claimedAttempts: number,
      outcome:
        | { ok: true; statusCode: number }
        | { ok: false; statusCode: number | null; error: string; dead: boolean; retryInMs: number },
    ): Promise<void> {
      const changes = outcome.ok
        ? { status: 'succeeded' as const, lastStatusCode: outcome.statusCode, lastError: null, deliveredAt: sql`now()` }
        : {
            status: outcome.dead ? ('dead' as const) : ('failed' as const),
            lastStatusCode: outcome.statusCode,
            lastError: outcome.error.slice(0, 500),
            nextAttemptAt: sql`now() + ${`${outcome.retryInMs} milliseconds`}::interval`,
          };
      await db
        .update(webhookDeliveries)
        .set(changes)
        .where(
          and(
            eq(webhookDeliveries.id, id),
            eq(webhookDeliveries.attempts, claimedAttempts),
            inArray(webhookDeliveries.status, ['pending', 'failed']),
          ),
        );
    },
  };
}
export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>;
