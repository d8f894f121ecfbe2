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

