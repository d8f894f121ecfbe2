import type { Spool, SpoolFile } from '../../crypto/spool.js';
import { csvRows } from '../applications/applications.csv.js';
import { ImportFailedError, type ApplicationsImporter, type ImportResults, type ImportSummary } from '../applications/applications.import.js';
import { jsonRows } from '../applications/applications.json.js';
import { xlsxRows } from '../applications/applications.xlsx.js';
import type { ImportResult } from '../applications/applications.schemas.js';
import type { AuditService, VerifyOptions } from '../audit/audit.service.js';
import type { ExportsService, TabularExport } from '../exports/exports.service.js';
import type { ExportStyle } from '../exports/labels.js';
import { downloadHeaders, spoolTabular, type TabularFormat } from '../exports/tabular.js';
import { computationSchema, type ComputeInput } from '../results/results.schemas.js';
import type { ResultsService } from '../results/results.service.js';
import type { JobsRepository } from './jobs.repository.js';
import { problemOf, type JobContext, type JobOutcome, type JobsService } from './jobs.service.js';

/** xlsx and firstRow: absent in jobs queued before XLSX imports existed (a CSV or JSON body). */
export type ImportJobParams = { driveId: string; atomic: boolean; json: boolean; delimiter: string; xlsx?: boolean; firstRow?: number };
export type ComputeJobParams = { driveId: string; expected: number | undefined; dryRun: boolean; overrides?: ComputeInput['overrides']; quotaId?: string | undefined };
/** `style` absent (a job queued before styles existed) is the `iso` layout those jobs had. */
export type ExportJobParams = { driveId: string; what: 'results' | 'applications'; format: TabularFormat; style?: ExportStyle };
export type AuditVerifyJobParams = { options: VerifyOptions };

/**
 * The job's input copied from the database into this instance's spool (encrypted, src/crypto/spool.ts)
 * before the import reads it: the rows are then read without a database connection, which matters
 * inside an atomic import's one transaction (on the embedded database, one session, a read on the
 * outer handle there would wait for that very transaction).
 */
async function inputFile(ctx: JobContext<unknown>, spool: Spool): Promise<SpoolFile> {
  const writer = spool.create();
  try {
    for await (const piece of ctx.input()) await writer.write(piece);
  } catch (err) {
    await writer.discard();
    throw err;
  }
  return writer.close();
}

/** The report as the synchronous import sends it: `{summary, results: [...]}`, or the import.failed problem with them. */
async function* reportBody(head: object, results: ImportResults): AsyncGenerator<string> {
  const text = JSON.stringify(head);
  yield `${text.slice(0, -1)},"results":[`;
  yield* results.chunks();
  yield ']}';
}

/** Wires the four kinds of long work to the services that do them. */
export function registerJobHandlers(
  jobs: JobsService,
  deps: { repo: JobsRepository; importer: ApplicationsImporter; results: ResultsService; exports: ExportsService; audit: AuditService; spool: Spool },
): void {
  const { repo, importer, results, exports, audit, spool } = deps;

  /**
   * An import. Without `atomic`, each batch's per-row results are kept (sealed) in the batch's own
   * transaction: a job taken over after its instance died resumes after the last committed batch.
   * With `atomic`, the one transaction died with the instance: the import starts again from scratch.
   */
  jobs.register('applications.import', async (raw) => {
    const ctx = raw as JobContext<ImportJobParams>;
    const { driveId, atomic, json, delimiter, xlsx, firstRow } = ctx.params;
    const committed = new Map<number, ImportResult[]>();
    if (!atomic) for (const b of await repo.batches(ctx.job.id)) committed.set(b.firstRow, JSON.parse(ctx.sealer.open(b.results).toString('utf8')) as ImportResult[]);
    const file = await inputFile(ctx, spool);
    const rows = xlsx ? xlsxRows(file) : json ? jsonRows(file) : csvRows(file, delimiter);
    let report: { summary: ImportSummary; results: ImportResults };
    try {
      report = await importer.run(ctx.caller, driveId, rows, { atomic, firstRow: firstRow ?? 1 }, {
        committed,
        ...(atomic ? {} : { batchWritten: (tx, firstRow, out) => repo.saveBatch(tx, ctx.job.id, firstRow, ctx.sealer.seal(Buffer.from(JSON.stringify(out), 'utf8'))) }),
        checkpoint: () => ctx.checkpoint(),
        progress: (n) => ctx.progress(n),
      });
    } catch (err) {
      await file.discard();
      if (!(err instanceof ImportFailedError)) throw err;
      const problem = problemOf(err);
      try {
        await ctx.output(reportBody(problem, err.results));
      } finally {
        await err.results.discard();
      }
      return { problem, hasOutput: true };
    }
    await file.discard();
    try {
      await ctx.output(reportBody({ summary: report.summary }, report.results));
    } finally {
      await report.results.discard();
    }
    return { result: { summary: report.summary }, hasOutput: true };
  });

  /** A computation: one write transaction, so a takeover starts it again; cancellable until that transaction begins. */
  jobs.register('results.compute', async (raw) => {
    const ctx = raw as JobContext<ComputeJobParams>;
    const { driveId, expected, dryRun, overrides, quotaId } = ctx.params;
    await ctx.progress(0, 1);
    ctx.checkpoint();
    const computed = await results.compute(ctx.caller, driveId, expected, { dryRun, overrides, quotaId });
    // What the synchronous route answers: the response schema's members, dates as ISO strings.
    const result: unknown = JSON.parse(JSON.stringify(computationSchema.parse(computed)));
    await ctx.progress(1, 1).catch(() => undefined);
    return { result };
  });

  /** An export: built into a spool file, then stored (sealed) as the job's output; cancellable at any point. */
  jobs.register('export', async (raw): Promise<JobOutcome> => {
    const ctx = raw as JobContext<ExportJobParams>;
    const { driveId, what, format, style = 'iso' } = ctx.params;
    const data = (
      what === 'results' ? await exports.results(ctx.caller, driveId, style) : await exports.applications(ctx.caller, driveId, style)
    ) as TabularExport<unknown>;
    ctx.checkpoint();
    const file = await spoolTabular(spool, format, data);
    try {
      ctx.checkpoint();
      await ctx.progress(0, file.bytes);
      let done = 0;
      const pieces = async function* () {
        for await (const chunk of file.read() as AsyncIterable<Buffer>) {
          ctx.checkpoint();
          done += chunk.length;
          yield chunk;
        }
      };
      await ctx.output(pieces());
      await ctx.progress(done, file.bytes);
      const headers = downloadHeaders(format, data.baseName);
      return { result: { format, bytes: file.bytes, contentType: headers['content-type'], contentDisposition: headers['content-disposition'] }, hasOutput: true };
    } finally {
      await file.discard();
    }
  });

  jobs.register('audit.verify', async (raw) => {
    const ctx = raw as JobContext<AuditVerifyJobParams>;
    await ctx.progress(0, 1);
    const options = ctx.params.options;
    // A supplied checkpoint came through JSON: its date is a string again.
    if (options.checkpoint) options.checkpoint = { ...options.checkpoint, createdAt: new Date(options.checkpoint.createdAt) };
    const verification = await audit.verify(ctx.caller, options);
    await ctx.progress(1, 1).catch(() => undefined);
    return { result: JSON.parse(JSON.stringify(verification)) as unknown };
  });
}
