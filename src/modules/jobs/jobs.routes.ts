import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, idCursor, pageOf, toPage, withLink } from '../../http/pagination.js';
import { idParams } from '../../http/primitives.js';
import { STAFF } from '../../http/roles.js';
import { AppError } from '../../errors.js';
import type { JobsRepository } from './jobs.repository.js';
import { jobSchema, jobView, listJobsQuery } from './jobs.schemas.js';
import type { JobsService } from './jobs.service.js';
import type { JobRow } from './jobs.table.js';

const tags = ['jobs'];
const ROLES = [...STAFF] as const;
const ENDED = new Set(['succeeded', 'failed', 'cancelled', 'expired']);

export const jobsRoutes: FastifyPluginAsyncZod<{ jobs: JobsService; repo: JobsRepository; eventsIntervalMs: number }> = async (
  app,
  { jobs, repo, eventsIntervalMs },
) => {
  app.get('/jobs', {
    config: { roles: ROLES },
    schema: {
      operationId: 'listJobs',
      tags,
      summary: 'The caller’s jobs, newest first',
      description: 'Jobs started by this API key (every key’s for an admin key). Filter by `state`. Cursor paging.',
      querystring: listJobsQuery,
      response: { 200: pageOf(jobSchema) },
    },
    handler: async (request, reply) => {
      const { cursor, limit, state } = request.query;
      const before = decodeCursor(cursor, idCursor);
      const rows = await jobs.list(callerOf(request), { state, beforeId: before?.id, limit });
      const page = toPage(rows, limit, (r) => ({ id: r.id }));
      return withLink(request, reply, { items: page.items.map(jobView), nextCursor: page.nextCursor });
    },
  });

  app.get('/jobs/:id', {
    config: { roles: ROLES },
    schema: {
      operationId: 'getJob',
      tags,
      summary: 'A job: state, progress with an estimate, result or problem, who started it',
      description: 'Poll this (Retry-After suggests when while the job is open) or follow GET /v1/jobs/{id}/events. 404 job.not_found (also another key’s job).',
      params: idParams,
      response: { 200: jobSchema, ...problems(404) },
    },
    handler: async (request, reply) => {
      const row = await jobs.visible(callerOf(request), request.params.id);
      if (!ENDED.has(row.state)) void reply.header('retry-after', '1');
      return jobView(row);
    },
  });

  const cancelSchema = (operationId: string) => ({
    operationId,
    tags,
    summary: 'Cancel a job',
    description:
      'A queued job is cancelled at once; a running one at its next safe point: an import between batches (the batches already ' +
      'committed stay, unless the import is atomic), a computation before its write transaction, an export at any time. The job ' +
      'ends in state cancelled with the problem job.cancelled. 409 job.finished when it already ended.',
    params: idParams,
    response: { 200: jobSchema, ...problems(404, 409) },
  });
  const cancel = async (request: { params: { id: string } } & Parameters<typeof callerOf>[0]) => jobView(await jobs.cancel(callerOf(request), request.params.id));
  app.delete('/jobs/:id', { config: { roles: ROLES }, schema: cancelSchema('cancelJob'), handler: async (request) => cancel(request) });
  app.post('/jobs/:id/cancel', { config: { roles: ROLES }, schema: cancelSchema('cancelJobByPost'), handler: async (request) => cancel(request) });

  app.get('/jobs/:id/events', {
    config: { roles: ROLES },
    schema: {
      operationId: 'followJob',
      tags,
      summary: 'A job’s progress as Server-Sent Events',
      description:
        '`text/event-stream`: an event `progress` with the job (as GET /v1/jobs/{id}) whenever its state or progress changes, and a ' +
        'last event `end` once it ended; then the stream closes.',
      params: idParams,
      response: { 200: { description: 'The event stream', content: { 'text/event-stream': { schema: z.string() } } }, ...problems(404) },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      const first = await jobs.visible(caller, request.params.id);
      // The stream may stay open for the job's whole run: no idle-socket cut meanwhile.
      request.raw.socket?.setTimeout(0);
      let closed = false;
      let wake: (() => void) | undefined;
      const unlisten = jobs.onChange((id) => {
        if (id === first.id) wake?.();
      });
      request.raw.once('close', () => {
        closed = true;
        wake?.();
      });
      async function* events(): AsyncGenerator<string> {
        try {
          let row: JobRow | undefined = first;
          let last = '';
          let n = 0;
          while (row && !closed) {
            const view = jobView(row);
            const ended = ENDED.has(row.state);
            const key = `${view.state}:${view.progress.done}:${view.progress.total}:${view.cancelRequested}`;
            if (key !== last || ended) {
              last = key;
              yield `id: ${++n}\nevent: ${ended ? 'end' : 'progress'}\ndata: ${JSON.stringify(view)}\n\n`;
            }
            if (ended) return;
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, eventsIntervalMs);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = undefined;
            row = await repo.get(first.id);
          }
        } finally {
          unlisten();
        }
      }
      return (reply as FastifyReply).type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache').send(Readable.from(events()));
    },
  });

  app.get('/jobs/:id/result', {
    config: { roles: ROLES },
    schema: {
      operationId: 'getJobResult',
      tags,
      summary: 'Download a job’s output',
      description:
        'An import’s full report (the body the synchronous import answers: summary and per-row results, or the import.failed problem ' +
        'with them), an export’s file. 404 job.no_result when the job has none (yet, or any more: expired).',
      params: idParams,
      response: {
        200: {
          description: 'The output',
          content: {
            'application/json': { schema: z.string() },
            'text/csv': { schema: z.string() },
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().meta({ format: 'binary' }) },
          },
        },
        ...problems(404),
      },
    },
    handler: async (request, reply) => {
      const row = await jobs.visible(callerOf(request), request.params.id);
      if (!row.hasOutput) throw new AppError(404, 'job.no_result', 'This job has no output to download');
      const result = (row.result ?? {}) as { contentType?: string; contentDisposition?: string };
      const contentType = result.contentType ?? (row.problem ? 'application/problem+json; charset=utf-8' : 'application/json; charset=utf-8');
      void reply.type(contentType);
      if (result.contentDisposition) void reply.header('content-disposition', result.contentDisposition).header('cache-control', 'no-store');
      return (reply as FastifyReply).send(Readable.from(jobs.readOutput(row.id)));
    },
  });
};
