import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Spool } from '../../crypto/spool.js';
import { callerOf } from '../../http/auth.js';
import { problems } from '../../http/openapi.js';
import { idParams } from '../../http/primitives.js';
import { READERS } from '../../http/roles.js';
import { createExportLimiter, type ExportLimits } from './exports.limits.js';
import type { ExportsService, TabularExport } from './exports.service.js';
import { downloadContent, downloadHeaders, exportFormat, spoolTabular } from './tabular.js';
import { exportQuery, exportStyle, type ExportStyle } from './labels.js';
import { varyWith } from '../../http/errors.js';
import { accepted, wantsAsync } from '../../http/prefer.js';
import { jobSchema, jobView, preferHeaders } from '../jobs/jobs.schemas.js';
import type { JobsService } from '../jobs/jobs.service.js';

const tags = ['exports'];
const description =
  'Download. `Accept: text/csv` (the default) or `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`; ' +
  'any other Accept is 406. National IDs are masked; CSV fields are all quoted, and text cells starting with = + - @ (or tab, CR), ' +
  'and each `;`-separated piece of a cell that would, get a single quote before it. The file is built before the first byte is sent ' +
  '(Content-Length is set). Exports in progress are limited per API key (429 export.too_many) and per instance (503 export.busy), ' +
  'both with Retry-After; a download that makes no progress for EXPORT_IDLE_TIMEOUT_MS is cut. With `Prefer: respond-async` the ' +
  'file is built as a job: 202 with Location /v1/jobs/{id}, then downloaded from the job’s resultUrl (cancellable at any time). ' +
  'Values are laid out for an office opening the file in Excel by default (Vietnamese labels for codes, dd/mm/yyyy dates, ' +
  'Asia/Ho_Chi_Minh times, `Content-Language: vi`); `?format=iso` or `Accept-Language: en` gives the machine layout (codes, ISO dates, UTC).';

export const exportsRoutes: FastifyPluginAsyncZod<{
  exports: ExportsService;
  spool: Spool;
  limits: ExportLimits & { idleTimeoutMs: number };
  jobs?: JobsService;
}> = async (app, { exports, spool, limits, jobs }) => {
  const limiter = createExportLimiter(limits);

  /**
   * Builds the export into a spool file (one of at most maxBuilding builds at once, each holding one
   * database connection for the time the query takes), then streams the file: a slow reader holds a
   * slot and a file, never a connection, and a stalled one is cut after idleTimeoutMs.
   */
  async function sendExport<R>(
    request: FastifyRequest,
    reply: FastifyReply,
    load: (style: ExportStyle) => Promise<TabularExport<R>>,
    what: 'results' | 'applications',
  ): Promise<FastifyReply> {
    const format = exportFormat(request.headers.accept);
    const style = exportStyle((request.query as { format?: ExportStyle }).format, request.headers['accept-language']);
    void reply.header('vary', varyWith(reply.getHeader('vary'), 'Accept-Language'));
    const caller = callerOf(request);
    if (jobs && wantsAsync(request)) {
      const driveId = (request.params as { id: string }).id;
      // The drive is checked now (404 with the request); the rows are read by the job.
      await load(style);
      const job = await jobs.enqueue('export', caller, { driveId, what, format, style }, { driveId });
      return reply.send(accepted(reply, jobView(job)));
    }
    const slot = limiter.acquire(caller.actor.keyId ?? caller.role);
    try {
      const data = await load(style);
      const file = await limiter.building(() => spoolTabular(spool, format, data));
      const stream = file.read();
      stream.once('close', () => {
        slot.release();
        void file.discard();
      });
      // A download that makes no progress for idleTimeoutMs is cut: a watchdog on the bytes the
      // socket has written (the server's own idle timeout spares sockets with a request being
      // answered, src/http/sockets.ts, and a stalled reader must not hold its slot for ever).
      const socket = request.raw.socket;
      let written = socket?.bytesWritten ?? 0;
      let idleSince = Date.now();
      const watchdog = setInterval(() => {
        const now = socket?.bytesWritten ?? 0;
        if (now !== written) {
          written = now;
          idleSince = Date.now();
        } else if (Date.now() - idleSince >= limits.idleTimeoutMs) {
          socket?.destroy();
        }
      }, Math.min(1_000, limits.idleTimeoutMs));
      watchdog.unref();
      reply.raw.once('close', () => clearInterval(watchdog));
      void reply.headers({ ...downloadHeaders(format, data.baseName), 'content-length': String(file.bytes) });
      if (style === 'office') void reply.header('content-language', 'vi');
      return reply.send(stream);
    } catch (err) {
      slot.release();
      throw err;
    }
  }

  app.get('/drives/:id/results/export', {
    config: { roles: READERS },
    schema: {
      operationId: 'exportDriveResults',
      tags,
      summary: 'Download the drive’s current results (CSV or XLSX)',
      description,
      params: idParams,
      querystring: exportQuery,
      headers: preferHeaders,
      response: {
        200: { description: 'The results, one row per application, by quota and rank', content: downloadContent },
        202: jobSchema,
        ...problems(404, 406, 429),
      },
    },
    handler: async (request, reply) => sendExport(request, reply, (style) => exports.results(callerOf(request), request.params.id, style), 'results'),
  });

  app.get('/drives/:id/applications/export', {
    config: { roles: READERS },
    schema: {
      operationId: 'exportDriveApplications',
      tags,
      summary: 'Download the drive’s applications (CSV or XLSX)',
      description,
      params: idParams,
      querystring: exportQuery,
      headers: preferHeaders,
      response: {
        200: { description: 'Every application with its status and reasons, by quota and candidate number', content: downloadContent },
        202: jobSchema,
        ...problems(404, 406, 429),
      },
    },
    handler: async (request, reply) => sendExport(request, reply, (style) => exports.applications(callerOf(request), request.params.id, style), 'applications'),
  });
};
