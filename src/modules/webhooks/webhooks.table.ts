import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, updatedAt, version } from '../../db/columns.js';
import { agencies } from '../agencies/agencies.table.js';

export const deliveryStatuses = ['pending', 'failed', 'succeeded', 'dead'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/**
 * An integrator's endpoint. The signing secret is kept as given (it is needed in clear to sign
 * every delivery) and is returned only once, when the subscription is created. A subscription
 * scoped to an agency receives only events of that agency's subtree; unscoped (admin) ones get all.
 */
export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: idColumn(),
    url: text().notNull(),
    description: text(),
    eventTypes: text().array().notNull(),
    secret: text().notNull(),
    active: boolean().notNull().default(true),
    agencyId: uuid().references(() => agencies.id),
    /** The API key that created it: its deliveries stop when that key is revoked. */
    createdBy: uuid(),
    /**
     * While set and in the future, nothing is sent to this receiver: it timed out or could not be
     * reached, and every owed delivery waits rather than each one hitting it again.
     */
    backoffUntil: timestamp({ withTimezone: true, mode: 'date' }),
    consecutiveFailures: integer().notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    index('webhook_subscriptions_agency_idx').on(t.agencyId, t.id),
    index('webhook_subscriptions_created_by_idx').on(t.createdBy),
    // Fan-out asks "which active subscriptions want any of these types": a GIN index answers `&&`.
    index('webhook_subscriptions_types_idx').using('gin', t.eventTypes).where(sql`${t.active}`),
  ],
);
export type WebhookSubscriptionRow = typeof webhookSubscriptions.$inferSelect;

/** The outbox: one row per event, written in the same transaction as the change it reports. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: idColumn(),
    type: text().notNull(),
    payload: jsonb().notNull(),
    occurredAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    agencyId: uuid(),
    driveId: uuid(),
    auditEventId: uuid(),
    /** The W3C `traceparent` of the request that raised it (tracing on): its deliveries continue that trace. */
    traceParent: text(),
  },
  (t) => [index('webhook_events_occurred_idx').on(t.occurredAt)],
);
export type WebhookEventRow = typeof webhookEvents.$inferSelect;

/**
 * One event for one subscription. `nextAttemptAt` is both the retry schedule and the claim lease:
 * a worker that takes a delivery pushes it into the future before sending, so no other worker
 * picks it up, and a worker that dies mid-send leaves it to be retried when the lease runs out.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: idColumn(),
    eventId: uuid()
      .notNull()
      .references(() => webhookEvents.id, { onDelete: 'cascade' }),
    subscriptionId: uuid()
      .notNull()
      .references(() => webhookSubscriptions.id, { onDelete: 'cascade' }),
    status: text({ enum: deliveryStatuses }).notNull().default('pending'),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastAttemptAt: timestamp({ withTimezone: true, mode: 'date' }),
    lastStatusCode: integer(),
    lastError: text(),
    deliveredAt: timestamp({ withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    // The worker's query: due deliveries still owed, oldest schedule first.
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} in ('pending', 'failed')`),
    index('webhook_deliveries_subscription_idx').on(t.subscriptionId, t.id),
    // The fair claim: the first few due deliveries of each subscription.
    index('webhook_deliveries_subscription_due_idx').on(t.subscriptionId, t.nextAttemptAt).where(sql`${t.status} in ('pending', 'failed')`),
    index('webhook_deliveries_event_idx').on(t.eventId),
    // Dead deliveries per subscription, counted by /metrics at scrape time.
    index('webhook_deliveries_dead_idx').on(t.subscriptionId).where(sql`${t.status} = 'dead'`),
    check('webhook_deliveries_attempts_nonnegative', sql`${t.attempts} >= 0`),
  ],
);
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
