import { sql } from 'drizzle-orm';
import { boolean, check, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

export const jobStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export type JobState = (typeof jobStates)[number];
export const jobKinds = ['applications.import', 'results.compute', 'export', 'audit.verify'] as const;
export type JobKind = (typeof jobKinds)[number];

const at = () => timestamp({ withTimezone: true, mode: 'date' });

/** Long work run in the background (issue 18): the queue, its leases and each job's progress and outcome. */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid().primaryKey(),
    kind: text().$type<JobKind>().notNull(),
    state: text().$type<JobState>().notNull().default('queued'),
    keyId: uuid(),
    driveId: uuid(),
    /** The caller and the job's parameters, JSON encrypted with the data key (On-Behalf-Of names a person). */
    params: bytea().notNull(),
    total: integer(),
    done: integer().notNull().default(0),
    progressAt: at(),
    attempts: integer().notNull().default(0),
    leaseOwner: text(),
    leaseUntil: at(),
    cancelRequested: boolean().notNull().default(false),
    result: jsonb(),
    problem: jsonb(),
    hasOutput: boolean().notNull().default(false),
    createdAt: at().notNull().defaultNow(),
    startedAt: at(),
    runStartedAt: at(),
    finishedAt: at(),
    expiresAt: at().notNull(),
  },
  (t) => [
    index('jobs_key_idx').on(t.keyId, t.id),
    index('jobs_open_idx').on(t.state, t.createdAt).where(sql`${t.state} in ('queued', 'running')`),
    index('jobs_expires_idx').on(t.expiresAt),
    check('jobs_state_check', sql`${t.state} in ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired')`),
    check('jobs_kind_check', sql`${t.kind} in ('applications.import', 'results.compute', 'export', 'audit.verify')`),
  ],
);
export type JobRow = typeof jobs.$inferSelect;

/** A job's input and output in encrypted pieces of at most 1 MiB. */
export const jobBlobs = pgTable(
  'job_blobs',
  {
    jobId: uuid()
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    part: text().$type<'input' | 'output'>().notNull(),
    seq: integer().notNull(),
    data: bytea().notNull(),
  },
  (t) => [primaryKey({ name: 'job_blobs_pkey', columns: [t.jobId, t.part, t.seq] }), check('job_blobs_part_check', sql`${t.part} in ('input', 'output')`)],
);

/** Per-row results of each committed batch of a non-atomic import (encrypted JSON), written in the batch's transaction. */
export const jobBatches = pgTable(
  'job_batches',
  {
    jobId: uuid()
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    firstRow: integer().notNull(),
    results: bytea().notNull(),
  },
  (t) => [primaryKey({ name: 'job_batches_pkey', columns: [t.jobId, t.firstRow] })],
);
