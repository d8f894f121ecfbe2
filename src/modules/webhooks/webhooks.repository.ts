import { and, desc, eq, gt, inArray, like, lt, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agencies } from '../agencies/agencies.table.js';
import { apiKeys } from '../api-keys/api-keys.table.js';
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
  subscriptionId: string;
  eventId: string;
  eventType: string;
  payload: unknown;
  occurredAt: Date;
  url: string;
  secret: string;
  /** The trace of the request that raised the event (null when it was not traced). */
  traceParent: string | null;
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
     * Takes up to `limit` due deliveries and moves their schedule `leaseMs` ahead, in one statement,
     * fairly: at most `perSubscription` deliveries of any one subscription, taken round-robin (every
     * subscription's first due delivery before any subscription's second), so one receiver's backlog
     * never fills the batch. Skipped: subscriptions in `exclude` (this worker is still sending to
     * them), backed-off ones (their receiver timed out or was unreachable), inactive ones, and those
     * whose creating API key has been revoked (revocation also deactivates them; this covers
     * subscriptions of keys revoked before it did). The lateral join reads only the first few due
     * rows of each subscription (index webhook_deliveries_subscription_due_idx), however long a
     * backlog is. SKIP LOCKED (in the lateral read, so a subscription's next rows are found past the
     * ones another worker holds) lets several instances poll together: each row goes to exactly one
     * of them, and a row another worker is claiming is skipped rather than waited for.
     */
    async claimDue(opts: { limit: number; leaseMs: number; perSubscription: number; exclude: readonly string[] }): Promise<ClaimedDelivery[]> {
      const { limit, leaseMs, perSubscription, exclude } = opts;
      const excluded = exclude.length === 0 ? sql`` : sql`and s.id not in (${sql.join(exclude.map((id) => sql`${id}::uuid`), sql`, `)})`;
      const rows = rowsOf<{
        id: string;
        attempts: number;
        subscription_id: string;
        event_id: string;
        type: string;
        payload: unknown;
        occurred_at: Date | string;
        url: string;
        secret: string;
        trace_parent: string | null;
      }>(
        await db.execute(sql`
          with candidates as (
            select x.id, x.next_attempt_at,
                   row_number() over (partition by s.id order by x.next_attempt_at, x.id) as turn
            from webhook_subscriptions s
            cross join lateral (
              select d.id, d.next_attempt_at from webhook_deliveries d
              where d.subscription_id = s.id and d.status in ('pending', 'failed') and d.next_attempt_at <= now()
              order by d.next_attempt_at
              limit ${perSubscription}
              for update of d skip locked
            ) x
            where s.active
              and (s.backoff_until is null or s.backoff_until <= now())
              and (s.created_by is null or exists (select 1 from api_keys k where k.id = s.created_by and k.revoked_at is null))
              ${excluded}
          ),
          picked as (
            select id from candidates order by turn, next_attempt_at limit ${limit}
          )
          update webhook_deliveries d
          set attempts = d.attempts + 1,
              next_attempt_at = now() + ${`${leaseMs} milliseconds`}::interval,
              last_attempt_at = now()
          from picked, webhook_events e, webhook_subscriptions s
          where d.id = picked.id and e.id = d.event_id and s.id = d.subscription_id
          returning d.id, d.attempts, d.subscription_id, e.id as event_id, e.type, e.payload, e.occurred_at, e.trace_parent, s.url, s.secret`),
      );
      return rows.map((r) => ({
        id: r.id,
        attempts: Number(r.attempts),
        subscriptionId: r.subscription_id,
        eventId: r.event_id,
        eventType: r.type,
        payload: r.payload,
        occurredAt: new Date(r.occurred_at),
        url: r.url,
        secret: r.secret,
        traceParent: r.trace_parent,
      }));
    },

    /**
     * The receiver timed out or could not be reached: nothing more is sent to it for a while
     * (base·2^(n−1), capped, n the failures in a row), so its owed deliveries do not each wait for a
     * timeout in turn while other subscriptions' deliveries queue behind them.
     */
    async backOffSubscription(id: string, baseMs: number, maxMs: number): Promise<void> {
      await db.execute(sql`
        update webhook_subscriptions
        set consecutive_failures = consecutive_failures + 1,
            backoff_until = now() + least(${maxMs}::float8, ${baseMs}::float8 * power(2, least(consecutive_failures, 30))) * interval '1 millisecond'
        where id = ${id}`);
    },

    /** The receiver answered: a backed-off subscription is healthy again. */
    async clearSubscriptionBackoff(id: string): Promise<void> {
      await db.execute(sql`
        update webhook_subscriptions set consecutive_failures = 0, backoff_until = null
        where id = ${id} and (consecutive_failures > 0 or backoff_until is not null)`);
    },

    /**
     * Subscriptions created by an API key (every one it made, active or not). The key's row is
     * locked until `tx` ends, so that concurrent creates by one key count one after the other.
     */
    async countByCreator(tx: DbOrTx, keyId: string): Promise<number> {
      await tx.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.id, keyId)).for('update');
      const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(webhookSubscriptions).where(eq(webhookSubscriptions.createdBy, keyId));
      return Number(row?.n ?? 0);
    },

    /** Pauses every active subscription an API key created (the key is being revoked in `tx`). */
    async deactivateByCreator(tx: DbOrTx, keyId: string): Promise<WebhookSubscriptionRow[]> {
      return tx
        .update(webhookSubscriptions)
        .set({ active: false, version: sql`${webhookSubscriptions.version} + 1`, updatedAt: sql`now()` })
        .where(and(eq(webhookSubscriptions.createdBy, keyId), eq(webhookSubscriptions.active, true)))
        .returning();
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
