import { boolean, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * Responses of creating requests, replayed when a client retries with the same Idempotency-Key.
 * `in_progress`: claimed by the request `owner` until `lockedUntil`; `committed`: its business
 * transaction committed (and recorded `resourceType`/`resourceId` in that same transaction) but the
 * response is not stored yet; `done`: the response is stored. A response that carries a secret (a
 * new API key, a webhook signing secret) is never stored: `secretWithheld`, and `responseBody` null.
 * Records are deleted IDEMPOTENCY_TTL_HOURS after `createdAt`.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    principal: text().notNull(),
    key: text().notNull(),
    method: text().notNull(),
    path: text().notNull(),
    requestHash: text().notNull(),
    state: text({ enum: ['in_progress', 'committed', 'done'] }).notNull(),
    lockedUntil: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    /** The request holding the claim: a request whose lease was taken over cannot complete it. */
    owner: uuid(),
    resourceType: text(),
    resourceId: text(),
    secretWithheld: boolean().notNull().default(false),
    responseStatus: integer(),
    responseHeaders: jsonb().$type<Record<string, string>>(),
    responseBody: text(),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('idempotency_keys_pk').on(t.principal, t.key), index('idempotency_keys_created_idx').on(t.createdAt)],
);

/**
 * Large stored responses (a bulk import's per-row report), kept in ordered pieces so that neither
 * storing nor replaying one needs the whole body in memory. `idempotency_keys.response_body` is
 * null for such a response.
 */
export const idempotencyBodyChunks = pgTable(
  'idempotency_body_chunks',
  {
    principal: text().notNull(),
    key: text().notNull(),
    seq: integer().notNull(),
    body: text().notNull(),
  },
  (t) => [
    primaryKey({ name: 'idempotency_body_chunks_pk', columns: [t.principal, t.key, t.seq] }),
    foreignKey({ name: 'idempotency_body_chunks_key_fk', columns: [t.principal, t.key], foreignColumns: [idempotencyKeys.principal, idempotencyKeys.key] }).onDelete('cascade'),
  ],
);
