import { and, asc, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { AppError } from '../../errors.js';
import { jobBatches, jobBlobs, jobs, type JobKind, type JobRow, type JobState } from './jobs.table.js';

export const OPEN_STATES: readonly JobState[] = ['queued', 'running'];
export const ENDED_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

const rowsOf = <T>(res: unknown): T[] => (res as { rows: T[] }).rows;
const ms = (n: number) => sql`(${String(n)} || ' milliseconds')::interval`;

export type NewJob = {
  id: string;
  kind: JobKind;
  keyId: string | null;
  driveId: string | null;
  params: Buffer;
  total: number | null;
};

export function createJobsRepository(db: Db) {
  return {
    /**
     * Enqueues a job and its input in one transaction, under a per-key transaction-scoped advisory
     * lock (held to commit, so it also works behind PgBouncer in transaction mode): two requests of
     * one key cannot both pass the cap.
     */
    async enqueue(job: NewJob, opts: { ttlMs: number; maxPerKey: number; input?: AsyncIterable<Buffer> }): Promise<JobRow> {
      return db.transaction(async (tx) => {
        if (job.keyId) {
          await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`jobs:${job.keyId}`}, 0))`);
          const [open] = await tx
            .select({ n: sql<number>`count(*)::int` })
            .from(jobs)
            .where(and(eq(jobs.keyId, job.keyId), inArray(jobs.state, [...OPEN_STATES])));
          if ((open?.n ?? 0) >= opts.maxPerKey) {
            throw new AppError(429, 'job.too_many', `This API key already has ${open?.n} jobs queued or running (at most ${opts.maxPerKey})`, {
              limit: opts.maxPerKey,
              headers: { 'retry-after': '5' },
            });
          }
        }
        if (opts.input) {
          // The row is inserted first (the pieces reference it) and queued only once they are all in: the commit publishes both.
          await tx.insert(jobs).values({ ...job, expiresAt: sql`now() + ${ms(opts.ttlMs)}` as unknown as Date });
          let seq = 0;
          for await (const piece of opts.input) await tx.insert(jobBlobs).values({ jobId: job.id, part: 'input', seq: seq++, data: piece });
        } else {
          await tx.insert(jobs).values({ ...job, expiresAt: sql`now() + ${ms(opts.ttlMs)}` as unknown as Date });
        }
        const [row] = await tx.select().from(jobs).where(eq(jobs.id, job.id));
        return row!;
      });
    },

    async get(id: string, tx: DbOrTx = db): Promise<JobRow | undefined> {
      const [row] = await tx.select().from(jobs).where(eq(jobs.id, id));
      return row;
    },

    /** A key's jobs (all jobs for a null key: admins), newest first. */
    async list(filter: { keyId: string | null; state?: JobState | undefined; beforeId?: string | undefined; limit: number }): Promise<JobRow[]> {
      const where: SQL[] = [];
      if (filter.keyId) where.push(eq(jobs.keyId, filter.keyId));
      if (filter.state) where.push(eq(jobs.state, filter.state));
      if (filter.beforeId) where.push(lt(jobs.id, filter.beforeId));
      return db
        .select()
        .from(jobs)
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(jobs.id))
        .limit(filter.limit + 1);
    },

    /**
     * Takes the oldest queued job, or a running one whose lease lapsed (its instance died), in one
     * statement: SKIP LOCKED lets instances claim side by side, the lease replaces a session lock.
     */
    async claim(owner: string, leaseMs: number): Promise<JobRow | undefined> {
      const res = await db.execute(sql`
        update jobs set state = 'running', lease_owner = ${owner}, lease_until = now() + ${ms(leaseMs)},
               attempts = attempts + 1, started_at = coalesce(started_at, now()), run_started_at = now(), cancel_requested = cancel_requested
        where id = (
          select id from jobs
          -- A lapsed lease of this very instance is not taken: the job still runs here (on the embedded
          -- database a long transaction can hold back the renewal past the lease).
          where (state = 'queued' or (state = 'running' and lease_until < now() and lease_owner is distinct from ${owner})) and expires_at > now()
          order by created_at, id
          for update skip locked
          limit 1)
        returning id`);
      const id = rowsOf<{ id: string }>(res)[0]?.id;
      return id ? this.get(id) : undefined;
    },

    /** Extends the lease; undefined when another instance has taken the job over (or it ended). */
    async renew(id: string, owner: string, leaseMs: number): Promise<{ cancelRequested: boolean } | undefined> {
      const rows = await db
        .update(jobs)
        .set({ leaseUntil: sql`now() + ${ms(leaseMs)}` as unknown as Date })
        .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.state, 'running')))
        .returning({ cancelRequested: jobs.cancelRequested });
      return rows[0];
    },

    /** Records progress; answers whether a cancellation was asked for (undefined: the job is no longer this instance's). */
    async progress(id: string, owner: string, done: number, total?: number | null): Promise<{ cancelRequested: boolean } | undefined> {
      const rows = await db
        .update(jobs)
        .set({ done, ...(total !== undefined ? { total } : {}), progressAt: sql`now()` as unknown as Date })
        .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.state, 'running')))
        .returning({ cancelRequested: jobs.cancelRequested });
      return rows[0];
    },

    /** Puts a job this instance gives up (shutdown) back in the queue for any instance. */
    async release(id: string, owner: string): Promise<void> {
      await db
        .update(jobs)
        .set({ state: 'queued', leaseOwner: null, leaseUntil: null })
        .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.state, 'running')));
    },

    /**
     * Ends a job (in the caller's transaction, beside its webhook event): the state, outcome, and a
     * new expiry counted from now. `owner` null: a queued job (cancelled before any instance took it).
     * Undefined when the job was not open (or not this instance's any more).
     */
    async finish(
      tx: Tx,
      id: string,
      owner: string | null,
      end: { state: JobState; result?: unknown; problem?: unknown; hasOutput?: boolean; ttlMs: number },
    ): Promise<JobRow | undefined> {
      const rows = await tx
        .update(jobs)
        .set({
          state: end.state,
          result: end.result ?? null,
          problem: end.problem ?? null,
          hasOutput: end.hasOutput ?? false,
          finishedAt: sql`now()` as unknown as Date,
          expiresAt: sql`now() + ${ms(end.ttlMs)}` as unknown as Date,
          leaseOwner: null,
          leaseUntil: null,
        })
        // Without an owner only a queued job ends here: one an instance claimed meanwhile is its runner's to end.
        .where(and(eq(jobs.id, id), owner ? and(eq(jobs.state, 'running'), eq(jobs.leaseOwner, owner)) : eq(jobs.state, 'queued')))
        .returning();
      if (rows[0]) {
        // The input is kept no longer than the job runs; the batches' results are in the output now.
        await tx.delete(jobBlobs).where(and(eq(jobBlobs.jobId, id), eq(jobBlobs.part, 'input')));
        await tx.delete(jobBatches).where(eq(jobBatches.jobId, id));
      }
      return rows[0];
    },

    async requestCancel(id: string): Promise<void> {
      await db.update(jobs).set({ cancelRequested: true }).where(and(eq(jobs.id, id), eq(jobs.state, 'running')));
    },

    async *readBlobs(id: string, part: 'input' | 'output'): AsyncGenerator<Buffer> {
      // One piece per round trip: a 200 MB body is never held whole.
      for (let seq = 0; ; seq++) {
        const [row] = await db
          .select({ data: jobBlobs.data })
          .from(jobBlobs)
          .where(and(eq(jobBlobs.jobId, id), eq(jobBlobs.part, part), eq(jobBlobs.seq, seq)));
        if (!row) return;
        yield row.data;
      }
    },

    async writeBlobs(id: string, part: 'input' | 'output', pieces: AsyncIterable<Buffer>, tx: DbOrTx = db): Promise<number> {
      await tx.delete(jobBlobs).where(and(eq(jobBlobs.jobId, id), eq(jobBlobs.part, part)));
      let seq = 0;
      for await (const data of pieces) await tx.insert(jobBlobs).values({ jobId: id, part, seq: seq++, data });
      return seq;
    },

    async saveBatch(tx: Tx, id: string, firstRow: number, results: Buffer): Promise<void> {
      await tx.insert(jobBatches).values({ jobId: id, firstRow, results });
    },

    async batches(id: string): Promise<{ firstRow: number; results: Buffer }[]> {
      return db.select({ firstRow: jobBatches.firstRow, results: jobBatches.results }).from(jobBatches).where(eq(jobBatches.jobId, id)).orderBy(asc(jobBatches.firstRow));
    },

    /**
     * Jobs past their expiry: a queued job never run, an ended job's result and output are dropped
     * (the row stays, state expired, so that a poller learns what happened). Returns how many.
     */
    async expire(): Promise<number> {
      const expired = await db
        .update(jobs)
        .set({ state: 'expired', result: null, hasOutput: false, leaseOwner: null, leaseUntil: null, finishedAt: sql`coalesce(${jobs.finishedAt}, now())` as unknown as Date })
        .where(and(inArray(jobs.state, ['queued', ...ENDED_STATES]), lt(jobs.expiresAt, sql`now()`)))
        .returning({ id: jobs.id });
      if (expired.length > 0) {
        const ids = expired.map((e) => e.id);
        await db.delete(jobBlobs).where(inArray(jobBlobs.jobId, ids));
        await db.delete(jobBatches).where(inArray(jobBatches.jobId, ids));
      }
      return expired.length;
    },

    async countByState(): Promise<{ state: JobState; n: number }[]> {
      return db
        .select({ state: jobs.state, n: sql<number>`count(*)::int` })
        .from(jobs)
        .groupBy(jobs.state);
    },
  };
}
export type JobsRepository = ReturnType<typeof createJobsRepository>;
