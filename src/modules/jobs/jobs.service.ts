import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Caller } from '../../context.js';
import type { Db } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { isDomainError } from '../../domain/errors.js';
import { AppError, notFound, problemTypePath } from '../../errors.js';
import { periodic } from '../../periodic.js';
import { audited } from '../audit/audit.writer.js';
import type { JobSealer } from './jobs.crypto.js';
import { type JobsRepository } from './jobs.repository.js';
import type { JobKind, JobRow, JobState } from './jobs.table.js';

/** Thrown at a checkpoint of a job that was cancelled (or whose instance is stopping): the handler stops there. */
export class JobStopped extends Error {
  constructor(readonly reason: 'cancelled' | 'stopping' | 'lost') {
    super(`job stopped: ${reason}`);
  }
}

/** The problem a failed job carries (RFC 9457 members, as the API's errors). */
export type JobProblem = { type: string; title: string; status: number; detail: string; code: string; [k: string]: unknown };

/** The RFC 9457 members are ours: an extra with one of their names (a drive's `status`) moves under `details`, as sendProblem does. */
const RESERVED = new Set(['type', 'title', 'status', 'detail', 'code', 'requestId', 'instance']);

export function problemOf(err: unknown): JobProblem {
  if (err instanceof AppError) {
    const { headers: _headers, ...extras } = err.extras;
    void _headers;
    const own: Record<string, unknown> = {};
    const moved: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(extras)) (RESERVED.has(k) ? moved : own)[k] = v;
    if (Object.keys(moved).length > 0) own.details = { ...(typeof own.details === 'object' && own.details ? own.details : {}), ...moved };
    return { type: problemTypePath(err.code), title: titleOf(err.status), status: err.status, detail: err.message, code: err.code, ...own };
  }
  if (isDomainError(err)) {
    const de = err as unknown as { code: string; message: string; details?: Record<string, unknown> };
    return { type: problemTypePath(de.code), title: titleOf(422), status: 422, detail: de.message, code: de.code, ...(de.details ? { details: de.details } : {}) };
  }
  return { type: problemTypePath('job.internal'), title: titleOf(500), status: 500, detail: 'The job failed on an internal error', code: 'job.internal' };
}
const titleOf = (status: number) =>
  ({ 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 412: 'Precondition Failed', 422: 'Unprocessable Content', 429: 'Too Many Requests' })[
    status
  ] ?? (status >= 500 ? 'Internal Server Error' : 'Error');

/** What a handler sees of its job. */
export type JobContext<P = unknown> = {
  job: JobRow;
  caller: Caller;
  params: P;
  /** Throws JobStopped when the job was cancelled, its instance is stopping, or it lost its lease. */
  checkpoint(): void;
  progress(done: number, total?: number | null): Promise<void>;
  /** The job's input, opened piece by piece. */
  input(): AsyncIterable<Buffer>;
  /** Stores the job's output (sealed), replacing any earlier attempt's. */
  output(pieces: AsyncIterable<Buffer | string>): Promise<void>;
  sealer: JobSealer;
  owner: string;
};
export type JobOutcome = { result?: unknown; problem?: JobProblem; hasOutput?: boolean; cancelled?: boolean };
export type JobHandler = (ctx: JobContext<never>) => Promise<JobOutcome>;

export type JobsOptions = {
  worker: boolean;
  concurrency: number;
  pollIntervalMs: number;
  leaseMs: number;
  ttlMs: number;
  maxPerKey: number;
  maxAttempts: number;
};

const PIECE_BYTES = 1024 * 1024;

/** Cuts a byte/text stream into pieces of at most PIECE_BYTES and seals each. */
export async function* sealedPieces(sealer: JobSealer, source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    let b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    while (b.length > 0) {
      const take = Math.min(b.length, PIECE_BYTES - size);
      held.push(b.subarray(0, take));
      size += take;
      b = b.subarray(take);
      if (size === PIECE_BYTES) {
        yield sealer.seal(Buffer.concat(held));
        held = [];
        size = 0;
      }
    }
  }
  if (size > 0) yield sealer.seal(Buffer.concat(held));
}

type Params = { caller: Caller; [k: string]: unknown };

export function createJobsService(deps: { db: Db; repo: JobsRepository; sealer: JobSealer; options: JobsOptions; logger: FastifyBaseLogger }) {
  const { db, repo, sealer, options, logger } = deps;
  const handlers = new Map<JobKind, JobHandler>();
  const owner = randomUUID();
  const running = new Map<string, { stop: (reason: JobStopped['reason']) => void; done: Promise<void> }>();
  let stopping = false;
  /** Listeners told when this instance changes a job (SSE streams of this instance answer at once). */
  const listeners = new Set<(id: string) => void>();
  const changed = (id: string) => {
    for (const l of listeners) l(id);
  };

  const paramsOf = (row: JobRow): Params => JSON.parse(sealer.open(row.params).toString('utf8')) as Params;

  /** Ends a job in one audited transaction that also raises the `job.completed` webhook event. */
  async function finish(row: JobRow, caller: Caller, by: string | null, state: JobState, outcome: JobOutcome): Promise<JobRow | undefined> {
    const ended = await audited(db, caller.actor, async (tx, record) => {
      const done = await repo.finish(tx, row.id, by, { state, result: outcome.result, problem: outcome.problem, hasOutput: outcome.hasOutput ?? false, ttlMs: options.ttlMs });
      if (done) {
        record({
          action: 'job.completed',
          resourceType: 'job',
          resourceId: row.id,
          driveId: row.driveId,
          agencyId: caller.scopeAgencyId,
          after: { id: row.id, kind: row.kind, state, keyId: row.keyId, problemCode: outcome.problem?.code ?? null, href: `/v1/jobs/${row.id}` },
        });
      }
      return done;
    });
    changed(row.id);
    return ended;
  }

  async function execute(row: JobRow): Promise<void> {
    let params: Params;
    try {
      params = paramsOf(row);
    } catch (err) {
      logger.error({ err, jobId: row.id }, 'job parameters do not open');
      await db.transaction((tx) => repo.finish(tx, row.id, owner, { state: 'failed', problem: problemOf(err), ttlMs: options.ttlMs }));
      return;
    }
    const { caller, ...rest } = params;
    if (row.attempts > options.maxAttempts) {
      await finish(row, caller, owner, 'failed', {
        problem: problemOf(new AppError(500, 'job.attempts_exhausted', `The job was started ${options.maxAttempts} times without ending`)),
      });
      return;
    }
    const handler = handlers.get(row.kind);
    if (!handler) throw new Error(`no handler for job kind ${row.kind}`);
    let stopped: JobStopped | undefined = row.cancelRequested ? new JobStopped('cancelled') : undefined;
    const stop = (reason: JobStopped['reason']) => {
      stopped ??= new JobStopped(reason);
    };
    // The lease is renewed a third of the way through; renewing also reads a cancellation request.
    const lease = setInterval(() => {
      repo
        .renew(row.id, owner, options.leaseMs)
        .then((r) => {
          if (!r) stop('lost');
          else if (r.cancelRequested) stop('cancelled');
        })
        .catch((err: unknown) => logger.warn({ err, jobId: row.id }, 'job lease renewal failed'));
    }, Math.max(50, Math.floor(options.leaseMs / 3)));
    lease.unref();
    let lastProgress = 0;
    let pending: { done: number; total?: number | null } | undefined;
    let writing: Promise<void> | undefined;
    const ctx: JobContext<Record<string, unknown>> = {
      job: row,
      caller,
      params: rest,
      owner,
      sealer,
      checkpoint() {
        if (stopped) throw stopped;
      },
      /*
       * Progress is written beside the work, never awaited by it: an atomic import reports from inside
       * its one transaction, and on the embedded database (one session) a write on the outer handle
       * there would wait for that very transaction. Writes are coalesced: one in flight, then the latest.
       */
      progress(done, total) {
        pending = { done, ...(total !== undefined ? { total } : {}) };
        lastProgress = done;
        writing ??= (async () => {
          while (pending) {
            const p = pending;
            pending = undefined;
            const r = await repo.progress(row.id, owner, p.done, p.total);
            if (!r) stop('lost');
            else if (r.cancelRequested) stop('cancelled');
            changed(row.id);
          }
        })()
          .catch((err: unknown) => logger.warn({ err, jobId: row.id }, 'job progress not recorded'))
          .finally(() => {
            writing = undefined;
          });
        return Promise.resolve();
      },
      async *input() {
        for await (const piece of repo.readBlobs(row.id, 'input')) yield sealer.open(piece);
      },
      async output(pieces) {
        await repo.writeBlobs(row.id, 'output', sealedPieces(sealer, pieces));
      },
    };
    const entry = { stop, done: Promise.resolve() };
    running.set(row.id, entry);
    try {
      const outcome = await handler(ctx as JobContext<never>).finally(() => writing);
      if (outcome.cancelled) await finish(row, caller, owner, 'cancelled', { problem: cancelledProblem(), hasOutput: outcome.hasOutput ?? false, result: outcome.result });
      else await finish(row, caller, owner, outcome.problem ? 'failed' : 'succeeded', outcome);
    } catch (err) {
      if (err instanceof JobStopped) {
        if (err.reason === 'cancelled') await finish(row, caller, owner, 'cancelled', { problem: cancelledProblem() });
        // Stopping: back to the queue for any instance (an atomic import or a computation starts again; a non-atomic import resumes).
        else if (err.reason === 'stopping') await repo.release(row.id, owner);
        // Lost: another instance took the job over; it finishes it.
      } else if (err instanceof AppError || isDomainError(err)) {
        await finish(row, caller, owner, 'failed', { problem: problemOf(err) });
      } else if (stopping) {
        // The database going away under a shutdown: the lease lapses and another instance takes the job over.
        logger.warn({ err, jobId: row.id }, 'job interrupted by shutdown');
      } else {
        logger.error({ err, jobId: row.id, kind: row.kind, done: lastProgress }, 'job failed');
        await finish(row, caller, owner, 'failed', { problem: problemOf(err) }).catch((e: unknown) => logger.error({ err: e, jobId: row.id }, 'job end not recorded'));
      }
    } finally {
      clearInterval(lease);
      running.delete(row.id);
    }
  }

  const cancelledProblem = () => problemOf(new AppError(409, 'job.cancelled', 'The job was cancelled'));

  /** Claims and runs jobs while slots are free. Bound to the context it is created in: a job never runs inside a request's scope. */
  const fill = AsyncLocalStorage.bind(async () => {
    while (!stopping && running.size < options.concurrency) {
      const row = await repo.claim(owner, options.leaseMs);
      if (!row) return;
      changed(row.id);
      const done = execute(row).catch((err: unknown) => logger.error({ err, jobId: row.id }, 'job runner error'));
      const entry = running.get(row.id);
      if (entry) entry.done = done;
      else running.set(row.id, { stop: () => undefined, done });
      void done.finally(() => {
        running.delete(row.id);
        // A slot came free: look for the next job at once.
        if (!stopping) void poll();
      });
    }
  });
  let polling: Promise<void> | undefined;
  let again = false;
  const poll = (): Promise<void> => {
    if (polling) {
      again = true;
      return polling;
    }
    polling = (async () => {
      try {
        do {
          again = false;
          await fill();
        } while (again && !stopping);
      } catch (err) {
        logger.warn({ err }, 'job poll failed');
      } finally {
        polling = undefined;
      }
    })();
    return polling;
  };
  const poller = periodic(async () => {
    try {
      const expired = await repo.expire();
      if (expired > 0) logger.info({ expired }, 'jobs expired');
    } catch (err) {
      logger.warn({ err }, 'job expiry failed');
    }
    if (options.worker) await poll();
  }, options.pollIntervalMs);

  return {
    owner,
    register(kind: JobKind, handler: JobHandler) {
      handlers.set(kind, handler);
    },
    /** Enqueues a job (429 job.too_many over the key's cap) and, on a worker instance, starts it at once if a slot is free. */
    async enqueue(kind: JobKind, caller: Caller, params: Record<string, unknown>, opts: { driveId?: string | null; total?: number | null; input?: AsyncIterable<Buffer | string> } = {}) {
      const row = await repo.enqueue(
        {
          id: newId(),
          kind,
          keyId: caller.actor.keyId,
          driveId: opts.driveId ?? null,
          params: sealer.seal(Buffer.from(JSON.stringify({ ...params, caller }), 'utf8')),
          total: opts.total ?? null,
        },
        { ttlMs: options.ttlMs, maxPerKey: options.maxPerKey, ...(opts.input ? { input: sealedPieces(sealer, opts.input) } : {}) },
      );
      if (options.worker && !stopping) void poll();
      return row;
    },
    /** A job the caller may see: its own key's, or any for an admin; 404 otherwise. */
    async visible(caller: Caller, id: string): Promise<JobRow> {
      const row = await repo.get(id);
      if (!row || (caller.role !== 'admin' && row.keyId !== caller.actor.keyId)) throw notFound('job', id);
      return row;
    },
    list: (caller: Caller, filter: { state?: JobState | undefined; beforeId?: string | undefined; limit: number }) =>
      repo.list({ keyId: caller.role === 'admin' ? null : caller.actor.keyId, ...filter }),
    /**
     * Cancels a job: a queued one at once; a running one at its next checkpoint (between import
     * batches, before a computation's write transaction, between an export's pieces). 409
     * job.finished for a job that already ended.
     */
    async cancel(caller: Caller, id: string): Promise<JobRow> {
      const row = await this.visible(caller, id);
      if (row.state === 'queued') {
        const params = paramsOf(row);
        const ended = await finish(row, params.caller, null, 'cancelled', { problem: cancelledProblem() });
        if (ended) return ended;
      }
      const now = (await repo.get(id))!;
      if (now.state !== 'running' && now.state !== 'queued') throw new AppError(409, 'job.finished', `The job already ended (${now.state})`, { state: now.state });
      await repo.requestCancel(id);
      running.get(id)?.stop('cancelled');
      changed(id);
      return (await repo.get(id))!;
    },
    readOutput: (id: string) =>
      (async function* () {
        for await (const piece of repo.readBlobs(id, 'output')) yield sealer.open(piece);
      })(),
    onChange(listener: (id: string) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Expiry runs on every instance; claiming only on workers (JOBS_WORKER). */
    start() {
      poller.start();
    },
    /** Stops claiming; running jobs stop at their next checkpoint and go back to the queue. */
    async stop() {
      stopping = true;
      await poller.stop();
      for (const r of running.values()) r.stop('stopping');
      await Promise.allSettled([...running.values()].map((r) => r.done));
      await polling;
    },
    countByState: () => repo.countByState(),
  };
}
export type JobsService = ReturnType<typeof createJobsService>;
