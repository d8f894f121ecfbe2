import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { sql } from 'drizzle-orm';
import type { AuditKeyring } from '../../crypto/audit-keys.js';
import type { Db, Tx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { isRetryable } from '../../db/pg-error.js';
import { takeWithinTransaction } from '../../db/request-transaction.js';
import { auditEvents, auditStreams } from './audit.table.js';
import { enqueueWebhookEvents, webhookTypeFor } from '../webhooks/webhooks.outbox.js';

/** Who did it: the API key, its role, the person it acted for, and the request. */
export type Actor = {
  keyId: string | null;
  role: string;
  onBehalfOf: string | null;
  requestId: string | null;
};

export const systemActor = (what: string): Actor => ({ keyId: null, role: 'system', onBehalfOf: what, requestId: null });

export type AuditEntry = {
  action: string;
  resourceType: string;
  resourceId: string;
  agencyId?: string | null;
  driveId?: string | null;
  before?: unknown;
  after?: unknown;
};

/** Number of independent hash chains; a transaction locks exactly one stream head. */
export const AUDIT_STREAMS = 64;
export const GENESIS_HASH = '0'.repeat(64);

export type HashedFields = {
  stream: number;
  seq: number;
  occurredAt: Date;
  actorKeyId: string | null;
  actorRole: string | null;
  onBehalfOf: string | null;
  requestId: string | null;
  action: string;
  resourceType: string;
  resourceId: string;
  agencyId: string | null;
  driveId: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
  /** The audit key the event's hash is keyed with; null for events written before the chain was keyed. */
  keyId: string | null;
};

const canonicalEvent = (e: HashedFields) => ({
  stream: e.stream,
  seq: e.seq,
  occurredAt: e.occurredAt.toISOString(),
  actorKeyId: e.actorKeyId,
  actorRole: e.actorRole,
  onBehalfOf: e.onBehalfOf,
  requestId: e.requestId,
  action: e.action,
  resourceType: e.resourceType,
  resourceId: e.resourceId,
  agencyId: e.agencyId,
  driveId: e.driveId,
  before: e.before ?? null,
  after: e.after ?? null,
  prevHash: e.prevHash,
});

/**
 * An event's hash: HMAC-SHA256 under its audit key of the canonical event, which includes the
 * previous hash and the key id. Events from before the chain was keyed (key id null) were hashed
 * with plain SHA-256; verification accepts those only below a signed checkpoint. Undefined when the
 * event names a key this instance does not hold.
 */
export function eventHash(e: HashedFields, keyring: AuditKeyring): string | undefined {
  if (e.keyId === null) return createHash('sha256').update(canonicalize(canonicalEvent(e)) ?? '').digest('hex');
  return keyring.mac(e.keyId, canonicalize({ ...canonicalEvent(e), keyId: e.keyId }) ?? '');
}

// The chain key of each database handle, bound where the services are built (buildServices, the
// CLI): every service writes through `audited(db, …)`, and the key must never be optional there.
const keyrings = new WeakMap<object, AuditKeyring>();

export function bindAuditKeyring(db: Db, keyring: AuditKeyring): void {
  keyrings.set(db, keyring);
}

export function auditKeyringOf(db: Db): AuditKeyring {
  const keyring = keyrings.get(db);
  if (!keyring) throw new Error('No audit key is bound to this database handle (AUDIT_KEY): audited writes are refused');
  return keyring;
}

/** JSON round trip: what is hashed is exactly what jsonb gives back (dates as ISO strings). */
const plain = (v: unknown): unknown => (v === undefined ? null : JSON.parse(JSON.stringify(v)));

function streamFor(seed: string): number {
  return createHash('sha1').update(seed).digest().readUInt32BE(0) % AUDIT_STREAMS;
}

export type Record = (entry: AuditEntry) => void;
export type Clock = () => Date;

/**
 * Runs `fn` in one transaction and appends the audit events it records in that same transaction.
 * Events are buffered and written last, under one stream-head row lock, so no transaction ever
 * holds an audit lock while waiting for a business row (no lock-order deadlocks), and a rolled-back
 * change leaves no event. Serialization failures and deadlocks are retried. The first audited
 * transaction of a request also does the request's pending work (src/db/request-transaction.ts):
 * an idempotent create completes its Idempotency-Key record in the transaction that creates.
 */
export async function audited<T>(
  db: Db,
  actor: Actor,
  fn: (tx: Tx, record: Record) => Promise<T>,
  opts: { clock?: Clock; isolation?: 'read committed' | 'serializable'; retries?: number } = {},
): Promise<T> {
  const clock = opts.clock ?? (() => new Date());
  const retries = opts.retries ?? 5;
  // The request's own work (its idempotency record), done in every attempt of this transaction.
  const within = takeWithinTransaction();
  const keyring = auditKeyringOf(db);
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction(
        async (tx) => {
          const entries: AuditEntry[] = [];
          const result = await fn(tx, (e) => entries.push(e));
          if (entries.length > 0) await appendEvents(tx, keyring, actor, entries, clock());
          if (within) {
            const first = entries[0];
            await within(tx, first ? { resourceType: first.resourceType, resourceId: first.resourceId } : undefined);
          }
          return result;
        },
        opts.isolation ? { isolationLevel: opts.isolation } : undefined,
      );
    } catch (err) {
      if (attempt < retries && isRetryable(err)) {
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
        continue;
      }
      throw err;
    }
  }
}

/**
 * Two statements per audited transaction, whatever the number of events: (1) lock (or create) the
 * stream head and read it, (2) insert the events and move the head in one statement. Statement (1)
 * also answers whether any active webhook subscription takes one of these events' types (an index
 * probe on the same round trip), so the outbox is consulted only when one does: a write nobody
 * subscribed to costs no extra round trip, and a subscription committed by any instance is seen by
 * the next write at once (no cache to go stale).
 */
export async function appendEvents(tx: Tx, keyring: AuditKeyring, actor: Actor, entries: AuditEntry[], at: Date): Promise<void> {
  const stream = streamFor(actor.requestId ?? newId());
  const types = [...new Set(entries.map((e) => webhookTypeFor(e.action)).filter((t) => t !== undefined))];
  const subscribed =
    types.length === 0
      ? sql`false`
      : sql`exists (select 1 from webhook_subscriptions s where s.active and s.event_types && array[${sql.join(
          types.map((t) => sql`${t}`),
          sql`, `,
        )}]::text[])`;
  // Creates the head on first use; otherwise locks it. Either way this row is ours until commit.
  const head = await tx.execute(sql`
    insert into ${auditStreams} (stream, last_seq, last_hash) values (${stream}, 0, ${GENESIS_HASH})
    on conflict (stream) do update set stream = excluded.stream
    returning last_seq, last_hash, ${subscribed} as subscribed`);
  const row = (head as unknown as { rows: { last_seq: number | string; last_hash: string; subscribed: boolean }[] }).rows[0];
  if (!row) throw new Error('audit stream head missing');
  let seq = Number(row.last_seq);
  let prevHash = row.last_hash;
  const rows = entries.map((e) => {
    seq += 1;
    const fields: HashedFields = {
      stream,
      seq,
      occurredAt: at,
      actorKeyId: actor.keyId,
      actorRole: actor.role,
      onBehalfOf: actor.onBehalfOf,
      requestId: actor.requestId,
      action: e.action,
      resourceType: e.resourceType,
      resourceId: e.resourceId,
      agencyId: e.agencyId ?? null,
      driveId: e.driveId ?? null,
      before: plain(e.before),
      after: plain(e.after),
      prevHash,
      keyId: keyring.currentId,
    };
    const hash = eventHash(fields, keyring)!;
    prevHash = hash;
    return { id: newId(), ...fields, hash };
  });
  // A data-modifying CTE always runs to completion: the events are inserted and the head moved together.
  // (Drizzle parenthesises the embedded insert, which is the CTE's body.)
  await tx.execute(sql`
    with inserted as ${tx.insert(auditEvents).values(rows)}
    update ${auditStreams} set last_seq = ${seq}, last_hash = ${prevHash} where stream = ${stream}`);
  // The webhook outbox rides in the same transaction: an event exists exactly when its change committed.
  if (row.subscribed) await enqueueWebhookEvents(tx, rows);
}
