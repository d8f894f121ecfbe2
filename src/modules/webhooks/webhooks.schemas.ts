import { z } from 'zod';
import { pageQuery } from '../../http/pagination.js';
import { text, timestamp, uuid } from '../../http/primitives.js';
import { webhookEventTypes } from './webhooks.outbox.js';
import { deliveryStatuses } from './webhooks.table.js';

export const webhookEventType = z.enum(webhookEventTypes);

const url = z.string().max(2048).url().describe('http or https URL that receives POSTed events; must resolve to a public address');

/** Standard Webhooks secret: `whsec_` and base64 of 24 to 64 random bytes. */
const secret = z
  .string()
  .max(120)
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'expected whsec_<base64>')
  .refine((s) => {
    const n = Buffer.from(s.slice('whsec_'.length), 'base64').length;
    return n >= 24 && n <= 64;
  }, 'the secret must be 24 to 64 bytes')
  .describe('Signing secret (whsec_<base64>); generated when omitted');

const eventTypes = z
  .array(webhookEventType)
  .min(1)
  .max(webhookEventTypes.length)
  .refine((a) => new Set(a).size === a.length, 'each event type once');

export const webhookSchema = z
  .object({
    id: uuid,
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(z.string()),
    active: z.boolean(),
    agencyId: uuid.nullable().describe('Events of this agency’s subtree only; null: every event (admin)'),
    createdAt: timestamp,
    updatedAt: timestamp,
    version: z.number().int(),
  })
  .meta({ id: 'WebhookSubscription' });

export const createdWebhookSchema = webhookSchema
  .extend({ secret: z.string().describe('The signing secret: shown once, store it now') })
  .meta({ id: 'WebhookSubscriptionCreated' });

export const createWebhookBody = z
  .object({
    url,
    eventTypes,
    description: text(300).optional(),
    secret: secret.optional(),
    active: z.boolean().optional(),
    agencyId: uuid.nullable().optional().describe('Defaults to the key’s agency; an agency-scoped key may only choose inside its subtree'),
  })
  .strict();

export const patchWebhookBody = z
  .object({ url: url.optional(), eventTypes: eventTypes.optional(), description: text(300).nullable().optional(), active: z.boolean().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one field');

export const listWebhooksQuery = z.object({ ...pageQuery }).strict();

export const deliveryStatus = z.enum(deliveryStatuses).describe('pending (not yet sent) | failed (retry scheduled) | succeeded | dead (gave up)');

export const listDeliveriesQuery = z.object({ ...pageQuery, status: deliveryStatus.optional() }).strict();

export const deliverySchema = z
  .object({
    id: uuid,
    eventId: uuid,
    eventType: z.string(),
    subscriptionId: uuid,
    status: deliveryStatus,
    attempts: z.number().int().describe('Attempts made since the delivery was created or last replayed'),
    nextAttemptAt: timestamp.nullable().describe('When the next attempt is due (pending and failed only)'),
    lastAttemptAt: timestamp.nullable(),
    lastStatusCode: z.number().int().nullable().describe('HTTP status of the last attempt; null when no response came'),
    lastError: z.string().nullable(),
    deliveredAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'WebhookDelivery' });

export type CreateWebhookInput = z.infer<typeof createWebhookBody>;
export type PatchWebhookInput = z.infer<typeof patchWebhookBody>;
export type DeliveryStatusInput = z.infer<typeof deliveryStatus>;
