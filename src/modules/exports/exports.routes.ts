import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth.js';
import { problems } from '../../http/openapi.js';
import { idParams } from '../../http/primitives.js';
import { READERS } from '../../http/roles.js';
import type { ExportsService } from './exports.service.js';
import { downloadContent, exportFormat, sendTabular } from './tabular.js';

const tags = ['exports'];
const description =
  'Streamed download. `Accept: text/csv` (the default) or `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`; ' +
  'any other Accept is 406. National IDs are masked; cells starting with = + - @ (or tab, CR) are prefixed with a single quote.';

export const exportsRoutes: FastifyPluginAsyncZod<{ exports: ExportsService }> = async (app, { exports }) => {
  app.get('/drives/:id/results/export', {
    config: { roles: READERS },
    schema: {
      operationId: 'exportDriveResults',
      tags,
      summary: 'Download the drive’s current results (CSV or XLSX)',
      description,
      params: idParams,
      response: { 200: { description: 'The results, one row per application, by quota and rank', content: downloadContent }, ...problems(404, 406) },
    },
    handler: async (request, reply) => {
      const format = exportFormat(request.headers.accept);
      const data = await exports.results(callerOf(request), request.params.id);
      return sendTabular(reply, format, data, (err) => request.log.error({ err }, 'results export failed mid-stream'));
    },
  });

  app.get('/drives/:id/applications/export', {
    config: { roles: READERS },
    schema: {
      operationId: 'exportDriveApplications',
      tags,
      summary: 'Download the drive’s applications (CSV or XLSX)',
      description,
      params: idParams,
      response: { 200: { description: 'Every application with its status and reasons, by quota and candidate number', content: downloadContent }, ...problems(404, 406) },
    },
    handler: async (request, reply) => {
      const format = exportFormat(request.headers.accept);
      const data = await exports.applications(callerOf(request), request.params.id);
      return sendTabular(reply, format, data, (err) => request.log.error({ err }, 'applications export failed mid-stream'));
    },
  });
};
