import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { idColumn } from '../../db/columns.js';

/**
 * Tamper-evident audit trail. Events are hash-chained per stream (one of a fixed set of shards):
 * each event stores the hash of the previous one in its stream, and the stream head records the
 * last sequence number and hash, so a changed, inserted or deleted row (even the last one) breaks
 * verification. Sharding keeps concurrent writers from queueing on a single head row.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: idColumn(),
    stream: integer().notNull(),
    seq: bigint({ mode: 'number' }).notNull(),
    occurredAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    actorKeyId: uuid(),
    actorRole: text(),
    onBehalfOf: text(),
    requestId: text(),
    action: text().notNull(),
    resourceType: text().notNull(),
    resourceId: text().notNull(),
    agencyId: uuid(),
    driveId: uuid(),
    before: jsonb(),
    after: jsonb(),
    prevHash: text().notNull(),
    hash: text().notNull(),
    /** The audit key (id) the hash is keyed with; null only for events from before the chain was keyed. */
    keyId: text(),
  },
  (t) => [
    uniqueIndex('audit_events_stream_seq_unique').on(t.stream, t.seq),
    index('audit_events_resource_idx').on(t.resourceType, t.resourceId),
    index('audit_events_agency_idx').on(t.agencyId, t.id),
    index('audit_events_drive_idx').on(t.driveId, t.id),
    index('audit_events_occurred_idx').on(t.occurredAt),
  ],
);
export type AuditEventRow = typeof auditEvents.$inferSelect;

export const auditStreams = pgTable('audit_streams', {
  stream: integer().primaryKey(),
  lastSeq: bigint({ mode: 'number' }).notNull(),
  lastHash: text().notNull(),
});


export type CheckpointHead = { stream: number; seq: number; hash: string };

/**
 * Signed checkpoints: the head (sequence number and hash) of every stream at one moment, signed
 * with the audit key's Ed25519 half. Verification starts from the latest one whose signature holds
 * and requires every chain to still reach it; an operator copies them off the machine and can hand
 * one back to check the database against it. Like the events, rows are never updated or deleted
 * (migration 0023).
 */
export const auditCheckpoints = pgTable(
  'audit_checkpoints',
  {
    id: idColumn(),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    keyId: text().notNull(),
    /** One entry per stream, 0 … AUDIT_STREAMS − 1 (seq 0 and the genesis hash for a stream never written). */
    heads: jsonb().$type<CheckpointHead[]>().notNull(),
    signature: text().notNull(),
  },
  (t) => [index('audit_checkpoints_created_idx').on(t.createdAt, t.id)],
);
export type AuditCheckpointRow = typeof auditCheckpoints.$inferSelect;
