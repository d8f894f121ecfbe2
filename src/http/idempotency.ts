import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import canonicalize from 'canonicalize';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { AppError } from './errors.js';
import { idempotencyBodyChunks, idempotencyKeys } from './idempotency.table.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A creating POST: honours Idempotency-Key. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotency: IdempotencyClaim | null;
  }
}

export type IdempotencyClaim = { principal: string; key: string };

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
const WAIT_FOR_FIRST_MS = 15_000;
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'];
/** Size of one stored piece of a large response (characters). */
const BODY_CHUNK_CHARS = 1 << 20;

export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .max(200)
    .optional()
    .describe('Makes retries safe: the same key and body replays the first response; another body is refused (422)'),
});

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n`)
    .update(typeof body === 'string' ? body : (canonicalize(body ?? null) ?? ''))
    .digest('hex');
}

/**
 * `leaseMs`: how long a claimed key stays reserved for the request that claimed it. A request that
 * dies (process killed) frees its key when the lease runs out; long requests renew it.
 */
export function createIdempotencyStore(db: Db, leaseMs = 30_000) {
  const table = idempotencyKeys;
  const LEASE_MS = leaseMs;
  const chunks = idempotencyBodyChunks;
  async function* storedChunks(claim: IdempotencyClaim): AsyncGenerator<string> {
    for (let seq = 0; ; seq++) {
      const [piece] = await db
        .select({ body: chunks.body })
        .from(chunks)
        .where(and(eq(chunks.principal, claim.principal), eq(chunks.key, claim.key), eq(chunks.seq, seq)));
      if (!piece) return;
      yield piece.body;
    }
  }
  return {
    /** Long requests renew their claim this often (a third of the lease). */
    renewEveryMs: Math.max(1_000, Math.floor(leaseMs / 3)),
    /** Claims the key for this request, or says what happened to the first request that used it. */
    async begin(
      claim: IdempotencyClaim,
      method: string,
      path: string,
      hash: string,
    ): Promise<
      | { kind: 'claimed' }
      | { kind: 'replay'; status: number; headers: Record<string, string>; body: string | Readable }
      | { kind: 'mismatch' }
      | { kind: 'busy' }
    > {
      const deadline = Date.now() + WAIT_FOR_FIRST_MS;
      for (;;) {
        const inserted = await db
          .insert(table)
          .values({ ...claim, method, path, requestHash: hash, state: 'in_progress', lockedUntil: new Date(Date.now() + LEASE_MS) })
          .onConflictDoNothing()
          .returning({ key: table.key });
        if (inserted.length > 0) return { kind: 'claimed' };
        const [row] = await db
          .select()
          .from(table)
          .where(and(eq(table.principal, claim.principal), eq(table.key, claim.key)));
        if (!row) continue; // removed between the two statements: claim again
        if (row.requestHash !== hash) return { kind: 'mismatch' };
        if (row.state === 'done') {
          // A null body was stored in pieces (completeStreamed): replayed as a stream, piece by piece.
          const body = row.responseBody ?? Readable.from(storedChunks(claim));
          return { kind: 'replay', status: row.responseStatus ?? 200, headers: row.responseHeaders ?? {}, body };
        }
        // The first request died without answering (its lease ran out): take over.
        const taken = await db
          .update(table)
          .set({ lockedUntil: new Date(Date.now() + LEASE_MS) })
          .where(and(eq(table.principal, claim.principal), eq(table.key, claim.key), eq(table.state, 'in_progress'), lt(table.lockedUntil, sql`now()`)))
          .returning({ key: table.key });
        if (taken.length > 0) return { kind: 'claimed' };
        if (Date.now() > deadline) return { kind: 'busy' };
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async renew(claim: IdempotencyClaim): Promise<void> {
      await db
        .update(table)
        .set({ lockedUntil: new Date(Date.now() + LEASE_MS) })
        .where(and(eq(table.principal, claim.principal), eq(table.key, claim.key), eq(table.state, 'in_progress')));
    },
    async complete(claim: IdempotencyClaim, status: number, headers: Record<string, string>, body: string): Promise<void> {
      await db
        .update(table)
        .set({ state: 'done', responseStatus: status, responseHeaders: headers, responseBody: body })
        .where(and(eq(table.principal, claim.principal), eq(table.key, claim.key)));
    },
    /**
     * Stores a large response given as a sequence of pieces (a file streamed from disk), in pieces of
     * about 1 MiB, so the body is never one string in memory; replayed by `begin` as a stream.
     */
    async completeStreamed(claim: IdempotencyClaim, status: number, headers: Record<string, string>, body: AsyncIterable<string>): Promise<void> {
      const owner = and(eq(chunks.principal, claim.principal), eq(chunks.key, claim.key));
      await db.transaction(async (tx) => {
        await tx.delete(chunks).where(owner);
        let seq = 0;
        let pending = '';
        const flush = async () => {
          await tx.insert(chunks).values({ ...claim, seq: seq++, body: pending });
          pending = '';
        };
        for await (const piece of body) {
          pending += piece;
          if (pending.length >= BODY_CHUNK_CHARS) await flush();
        }
        if (pending.length > 0 || seq === 0) await flush();
        await tx
          .update(table)
          .set({ state: 'done', responseStatus: status, responseHeaders: headers, responseBody: null })
          .where(and(eq(table.principal, claim.principal), eq(table.key, claim.key)));
      });
    },
    async release(claim: IdempotencyClaim): Promise<void> {
      await db.delete(table).where(and(eq(table.principal, claim.principal), eq(table.key, claim.key), eq(table.state, 'in_progress')));
    },
  };
}
export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;

/** Outcomes worth replaying: a success or a definite refusal. Transient ones are released for a retry. */
const storable = (status: number) => status < 500 && status !== 409 && status !== 429 && status !== 408;

export function readIdempotencyKey(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = String(raw);
  if (!KEY_PATTERN.test(key)) {
    throw new AppError(400, 'idempotency.invalid_key', 'Idempotency-Key must be 1–200 visible ASCII characters', {
      errors: [{ path: 'headers.idempotency-key', message: 'invalid' }],
    });
  }
  return key;
}

/**
 * Claims the key and, when the request was already answered, replays that answer.
 * Returns true when the reply has been sent (replay); the caller then stops.
 */
export async function claimOrReplay(
  store: IdempotencyStore,
  request: FastifyRequest,
  reply: FastifyReply,
  hash: string,
): Promise<boolean> {
  const key = readIdempotencyKey(request);
  if (!key || !request.principal) return false;
  const claim = { principal: request.principal.keyId, key };
  const path = request.url.split('?')[0] ?? request.url;
  const outcome = await store.begin(claim, request.method, path, hash);
  switch (outcome.kind) {
    case 'claimed':
      request.idempotency = claim;
      return false;
    case 'mismatch':
      throw new AppError(422, 'idempotency.key_reused', 'This Idempotency-Key was used with a different request body');
    case 'busy':
      throw new AppError(409, 'idempotency.in_progress', 'A request with this Idempotency-Key is still being processed', {
        headers: { 'retry-after': '2' },
      });
    case 'replay':
      await reply.code(outcome.status).headers({ ...outcome.headers, 'idempotent-replayed': 'true' }).send(outcome.body);
      return true;
  }
}

export const idempotencyPlugin = fp(
  async (app: FastifyInstance, opts: { db: Db; leaseMs?: number }) => {
    const store = createIdempotencyStore(opts.db, opts.leaseMs);
    app.decorate('idempotencyStore', store);
    app.decorateRequest('idempotency', null);
    app.addHook('preHandler', async (request, reply) => {
      if (request.method !== 'POST' || !request.routeOptions.config.idempotent) return;
      // Streamed bodies (CSV import) are claimed by their handler, once the body's hash is known.
      if (request.body === undefined || isStream(request.body)) return;
      const path = request.url.split('?')[0] ?? request.url;
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      await claimOrReplay(store, request, reply, requestHash(request.method, path + query, request.body));
    });
    app.addHook('onSend', async (request, reply, payload) => {
      const claim = request.idempotency;
      if (!claim) return payload;
      request.idempotency = null;
      if (storable(reply.statusCode) && (typeof payload === 'string' || Buffer.isBuffer(payload) || payload == null)) {
        const headers: Record<string, string> = {};
        for (const h of REPLAYED_HEADERS) {
          const v = reply.getHeader(h);
          if (v !== undefined) headers[h] = String(v);
        }
        await store.complete(claim, reply.statusCode, headers, payload == null ? '' : payload.toString());
      } else {
        await store.release(claim);
      }
      return payload;
    });
  },
  { name: 'idempotency', dependencies: ['auth'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    idempotencyStore: IdempotencyStore;
  }
}

function isStream(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { pipe?: unknown }).pipe === 'function';
}
