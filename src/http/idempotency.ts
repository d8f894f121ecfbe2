import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import canonicalize from 'canonicalize';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import type { Db, Tx } from '../db/client.js';
import { doWithinNextTransaction, runInRequestScope, type FirstChange } from '../db/request-transaction.js';
import { periodic } from '../periodic.js';
import { AppError } from './errors.js';
import { idempotencyBodyChunks, idempotencyKeys } from './idempotency.table.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A creating POST: honours Idempotency-Key. `true`: the key's record is completed in the
     * business transaction, and the response stored for replay. `'secret'`: the same, but the
     * response carries a secret shown once, so it is never stored (a replay answers 409
     * idempotency.secret_not_replayable with the resource's Location). `'rows'`: a bulk import,
     * idempotent row by row over several transactions: the record is completed after the response.
     */
    idempotent?: boolean | 'secret' | 'rows';
  }
  interface FastifyRequest {
    idempotency: IdempotencyClaim | null;
  }
}

export type IdempotencyClaim = { principal: string; key: string; owner?: string };

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
const WAIT_FOR_FIRST_MS = 15_000;
const REPLAYED_HEADERS = ['content-type', 'location', 'etag', 'cache-control'];

/**
 * Where a created resource is read back, by audit resource type: the answer to a retry whose first
 * request committed but died before its response was stored.
 */
const RESOURCE_PATHS: Readonly<Record<string, string>> = {
  agency: '/v1/agencies/',
  api_key: '/v1/api-keys/',
  application: '/v1/applications/',
  candidate: '/v1/candidates/',
  drive: '/v1/drives/',
  job_position: '/v1/job-positions/',
  quota: '/v1/quotas/',
  round: '/v1/rounds/',
  webhook: '/v1/webhooks/',
};
const locationOf = (type: string | null, id: string | null) => (type && id && RESOURCE_PATHS[type] ? RESOURCE_PATHS[type] + id : undefined);
const DEFAULT_TTL_MS = 24 * 3_600_000;
const SWEEP_BATCH = 1000;
/** Records claimed before owners existed (or by the import route) have none: any holder may complete them. */
const ownedBy = (claim: IdempotencyClaim) => (claim.owner ? or(isNull(idempotencyKeys.owner), eq(idempotencyKeys.owner, claim.owner)) : undefined);

/** Size of one stored piece of a large response (characters). */
const BODY_CHUNK_CHARS = 1 << 20;

export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .max(200)
    .optional()
    .describe(
      'Makes retries safe: the same key and body replays the first response (Idempotent-Replayed: true); another body is refused (422). ' +
        'Keys are kept IDEMPOTENCY_TTL_HOURS (24 h by default). A response carrying a secret is not replayed ' +
        '(409 idempotency.secret_not_replayable with Location); one lost to a crash after its change committed is answered by the resource read back.',
    ),
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
export function createIdempotencyStore(db: Db, leaseMs = 30_000, ttlMs = DEFAULT_TTL_MS) {
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
      | { kind: 'claimed'; owner: string }
      | { kind: 'replay'; status: number; headers: Record<string, string>; body: string | Readable }
      | { kind: 'withheld'; location: string | undefined }
      | { kind: 'lost'; location: string | undefined }
      | { kind: 'mismatch' }
      | { kind: 'busy' }
    > {
      const deadline = Date.now() + WAIT_FOR_FIRST_MS;
      const owner = randomUUID();
      const whose = and(eq(table.principal, claim.principal), eq(table.key, claim.key));
      for (;;) {
        const inserted = await db
          .insert(table)
          .values({ principal: claim.principal, key: claim.key, method, path, requestHash: hash, state: 'in_progress', owner, lockedUntil: new Date(Date.now() + LEASE_MS) })
          .onConflictDoNothing()
          .returning({ key: table.key });
        if (inserted.length > 0) return { kind: 'claimed', owner };
        const [row] = await db.select().from(table).where(whose);
        if (!row) continue; // removed between the two statements: claim again
        if (row.createdAt.getTime() < Date.now() - ttlMs) {
          // Expired but not swept yet: the key is free again.
          await db.delete(table).where(and(whose, lt(table.createdAt, new Date(Date.now() - ttlMs))));
          continue;
        }
        if (row.requestHash !== hash) return { kind: 'mismatch' };
        if (row.state === 'done') {
          if (row.secretWithheld) return { kind: 'withheld', location: row.responseHeaders?.location ?? locationOf(row.resourceType, row.resourceId) };
          // A null body was stored in pieces (completeStreamed): replayed as a stream, piece by piece.
          const body = row.responseBody ?? Readable.from(storedChunks(claim));
          return { kind: 'replay', status: row.responseStatus ?? 200, headers: row.responseHeaders ?? {}, body };
        }
        const expired = row.lockedUntil.getTime() < Date.now();
        // Committed, and its request died before storing the answer: the change is there, not the response.
        if (row.state === 'committed' && expired) return { kind: 'lost', location: locationOf(row.resourceType, row.resourceId) };
        if (row.state === 'in_progress' && expired) {
          // The first request died without committing (its lease ran out): take over. The new owner
          // fences it off: were it still alive, its transaction could no longer complete the record.
          const taken = await db
            .update(table)
            .set({ lockedUntil: new Date(Date.now() + LEASE_MS), owner })
            .where(and(whose, eq(table.state, 'in_progress'), lt(table.lockedUntil, sql`now()`)))
            .returning({ key: table.key });
          if (taken.length > 0) return { kind: 'claimed', owner };
        }
        if (Date.now() > deadline) return { kind: 'busy' };
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    /**
     * Done inside the request's business transaction: the record says the change committed (and
     * which resource it made), atomically with the change itself. A request that lost its claim to
     * another (its lease ran out) rolls its change back instead of completing someone else's record.
     */
    async markCommitted(tx: Tx, claim: IdempotencyClaim, first: FirstChange): Promise<void> {
      const marked = await tx
        .update(table)
        .set({ state: 'committed', resourceType: first?.resourceType ?? null, resourceId: first?.resourceId ?? null })
        .where(and(eq(table.principal, claim.principal), eq(table.key, claim.key), ownedBy(claim), eq(table.state, 'in_progress')))
        .returning({ key: table.key });
      if (marked.length === 0) {
        throw new AppError(409, 'idempotency.in_progress', 'Another request took over this Idempotency-Key: retry to get its outcome', {
          headers: { 'retry-after': '2' },
        });
      }
    },
    async renew(claim: IdempotencyClaim): Promise<void> {
      await db
        .update(table)
        .set({ lockedUntil: new Date(Date.now() + LEASE_MS) })
        .where(and(eq(table.principal, claim.principal), eq(table.key, claim.key), eq(table.state, 'in_progress')));
    },
    /** Stores the response (`body` null: it carried a secret, which is never stored). */
    async complete(claim: IdempotencyClaim, status: number, headers: Record<string, string>, body: string | null): Promise<void> {
      await db
        .update(table)
        .set({ state: 'done', responseStatus: status, responseHeaders: headers, responseBody: body, secretWithheld: body === null })
        .where(and(eq(table.principal, claim.principal), eq(table.key, claim.key), ownedBy(claim)));
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
      await db.delete(table).where(and(eq(table.principal, claim.principal), eq(table.key, claim.key), ownedBy(claim), eq(table.state, 'in_progress')));
    },
    /**
     * Deletes records (and the import reports stored with them) older than the TTL, a bounded
     * number per statement so no statement holds many locks. Several instances may sweep at once:
     * rows another sweeper holds are skipped. Returns how many were deleted.
     */
    async sweep(batch = SWEEP_BATCH): Promise<number> {
      let total = 0;
      for (;;) {
        const res = await db.execute(sql`
          delete from ${table} where (principal, key) in (
            select principal, key from ${table}
            where created_at < now() - ${`${ttlMs} milliseconds`}::interval
            limit ${batch}
            for update skip locked)`);
        const n = Number((res as unknown as { rowCount?: number; affectedRows?: number }).rowCount ?? (res as unknown as { affectedRows?: number }).affectedRows ?? 0);
        total += n;
        if (n < batch) return total;
      }
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

const secretNotReplayable = (location: string | undefined) =>
  new AppError(
    409,
    'idempotency.secret_not_replayable',
    'The first request with this Idempotency-Key succeeded, and its response carried a secret that is shown only once and never stored. ' +
      'The resource is at Location; if the secret was lost, revoke or delete it and create a new one',
    { headers: { ...(location ? { location } : {}), 'cache-control': 'no-store' } },
  );

/**
 * Claims the key and, when the request was already answered, replays that answer.
 * Returns true when the reply has been sent (replay); the caller then stops.
 *
 * Replays: the stored response, with `Idempotent-Replayed: true`. A response that carried a secret
 * was not stored: 409 idempotency.secret_not_replayable with the resource's Location. A request
 * that committed its change but died before its response was stored: the created resource read
 * back (201, as the creating operations answer), else 409 idempotency.response_lost with its Location.
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
  const mode = request.routeOptions.config.idempotent;
  const outcome = await store.begin(claim, request.method, path, hash);
  switch (outcome.kind) {
    case 'claimed': {
      const owned = { ...claim, owner: outcome.owner };
      request.idempotency = owned;
      // The record is completed by the transaction that creates, so that a crash after the commit
      // cannot let a retry create again. A bulk import commits row batches and is idempotent per row.
      if (mode !== 'rows') doWithinNextTransaction((tx, first) => store.markCommitted(tx, owned, first));
      return false;
    }
    case 'mismatch':
      throw new AppError(422, 'idempotency.key_reused', 'This Idempotency-Key was used with a different request body');
    case 'busy':
      throw new AppError(409, 'idempotency.in_progress', 'A request with this Idempotency-Key is still being processed', {
        headers: { 'retry-after': '2' },
      });
    case 'replay':
      await reply.code(outcome.status).headers({ ...outcome.headers, 'idempotent-replayed': 'true' }).send(outcome.body);
      return true;
    case 'withheld':
      throw secretNotReplayable(outcome.location);
    case 'lost': {
      if (mode === 'secret') throw secretNotReplayable(outcome.location);
      const reread = outcome.location
        ? await request.server.inject({ method: 'GET', url: outcome.location, headers: { authorization: request.headers.authorization ?? '' } })
        : undefined;
      if (reread?.statusCode !== 200) {
        throw new AppError(
          409,
          'idempotency.response_lost',
          'The first request with this Idempotency-Key made its change, but its response was lost (the service stopped before sending it)' +
            (outcome.location ? ': the resource is at Location' : ''),
          { headers: outcome.location ? { location: outcome.location } : {} },
        );
      }
      const headers: Record<string, string> = { location: outcome.location!, 'idempotent-replayed': 'true' };
      for (const h of ['content-type', 'etag']) {
        const v = reread.headers[h];
        if (v !== undefined) headers[h] = String(v);
      }
      await reply.code(201).headers(headers).send(reread.body);
      return true;
    }
  }
}

export const idempotencyPlugin = fp(
  async (app: FastifyInstance, opts: { db: Db; leaseMs?: number; ttlMs?: number; sweepIntervalMs?: number }) => {
    const store = createIdempotencyStore(opts.db, opts.leaseMs, opts.ttlMs);
    app.decorate('idempotencyStore', store);
    app.decorateRequest('idempotency', null);
    const idempotent = (request: FastifyRequest) => request.method === 'POST' && Boolean(request.routeOptions.config.idempotent);
    // The rest of an idempotent request runs in a scope that carries work into its business
    // transaction (a callback hook: the scope then holds for the next hooks and the handler).
    app.addHook('preHandler', (request, _reply, done) => {
      if (!idempotent(request)) return done();
      runInRequestScope(() => done());
    });
    app.addHook('preHandler', async (request, reply) => {
      if (!idempotent(request)) return;
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
        // A response marked no-store (it carries a secret) is not stored here either.
        const noStore = /(^|,)\s*no-store\s*(,|$)/i.test(headers['cache-control'] ?? '');
        await store.complete(claim, reply.statusCode, headers, noStore ? null : payload == null ? '' : payload.toString());
      } else {
        await store.release(claim);
      }
      return payload;
    });

    // Expiry: records (and the import reports stored with them) older than the TTL are swept.
    const sweeper = periodic(
      () =>
        store
          .sweep()
          .then((n) => n > 0 && app.log.info({ deleted: n }, 'expired idempotency records swept'))
          .catch((err: unknown) => app.log.warn({ err }, 'idempotency sweep failed')),
      opts.sweepIntervalMs ?? 300_000,
      { runAtStart: false },
    );
    app.addHook('onReady', async () => sweeper.start());
    app.addHook('onClose', async () => sweeper.stop());
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
