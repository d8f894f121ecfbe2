import { z } from 'zod';
import { pageQuery } from '../../http/pagination.js';
import { uuid } from '../../http/primitives.js';
import { jobKinds, jobStates, type JobRow } from './jobs.table.js';

export const jobSchema = z
  .object({
    id: uuid,
    kind: z.enum(jobKinds),
    state: z.enum(jobStates).describe('queued → running → succeeded | failed | cancelled; any ended (or never run) job becomes expired after JOBS_TTL_MS'),
    startedBy: z.object({ keyId: uuid.nullable().describe('The API key that started the job') }),
    driveId: uuid.nullable(),
    progress: z.object({
      done: z.number().int().describe('Rows (import), quotas (computation), bytes (export) or events done'),
      total: z.number().int().nullable().describe('Of this many, when known'),
      unit: z.enum(['rows', 'computations', 'bytes', 'verifications']),
      percent: z.number().nullable(),
      estimatedSecondsLeft: z.number().int().nullable().describe('From the rate of this attempt so far; null until there is one'),
      updatedAt: z.date().nullable(),
    }),
    attempts: z.number().int().describe('Starts, counting each takeover after an instance died'),
    cancelRequested: z.boolean(),
    result: z.unknown().nullable().describe('When succeeded: what the synchronous request would have answered (an import: its summary; the per-row report at resultUrl)'),
    problem: z
      .object({ type: z.string(), title: z.string(), status: z.number().int(), detail: z.string(), code: z.string() })
      .catchall(z.unknown())
      .nullable()
      .describe('When failed or cancelled: the problem the synchronous request would have answered (job.cancelled when cancelled)'),
    resultUrl: z.string().nullable().describe('Where the job’s output is downloaded (an import’s full report, an export’s file)'),
    createdAt: z.date(),
    startedAt: z.date().nullable(),
    finishedAt: z.date().nullable(),
    expiresAt: z.date(),
  })
  .meta({ id: 'Job' });
export type JobView = z.infer<typeof jobSchema>;

export const listJobsQuery = z.object({ ...pageQuery, state: z.enum(jobStates).optional() }).strict();

export const preferHeaders = z.object({
  prefer: z
    .string()
    .max(200)
    .optional()
    .describe('`respond-async`: the work runs as a job; 202 with Location /v1/jobs/{id} and Preference-Applied: respond-async'),
});

const units = { 'applications.import': 'rows', 'results.compute': 'computations', export: 'bytes', 'audit.verify': 'verifications' } as const;

/** The API view of a job: progress with an estimate from this attempt's rate. */
export function jobView(row: JobRow): JobView {
  const { total, done } = row;
  let estimate: number | null = null;
  if (row.state === 'running' && total && done > 0 && done < total && row.runStartedAt && row.progressAt) {
    const elapsed = row.progressAt.getTime() - row.runStartedAt.getTime();
    if (elapsed > 0) estimate = Math.ceil(((total - done) * elapsed) / done / 1000);
  }
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    startedBy: { keyId: row.keyId },
    driveId: row.driveId,
    progress: {
      done,
      total,
      unit: units[row.kind],
      percent: total ? Math.min(100, Math.round((done * 1000) / total) / 10) : null,
      estimatedSecondsLeft: estimate,
      updatedAt: row.progressAt,
    },
    attempts: row.attempts,
    cancelRequested: row.cancelRequested,
    result: row.result ?? null,
    problem: (row.problem as JobView['problem']) ?? null,
    resultUrl: row.hasOutput ? `/v1/jobs/${row.id}/result` : null,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    expiresAt: row.expiresAt,
  };
}
