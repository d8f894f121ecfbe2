import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth.js';
import { problems } from '../../http/openapi.js';
import { idParams } from '../../http/primitives.js';
import { STAFF } from '../../http/roles.js';
import { CSV_TYPE, downloadContent, negotiate, notAcceptable, sendTabular, XLSX_TYPE } from '../exports/tabular.js';
import { driveReportSchema, leadershipQuery, leadershipReportSchema } from './reports.schemas.js';
import type { ReportsService } from './reports.service.js';

const tags = ['reports'];
type Representation = 'json' | 'csv' | 'xlsx';
const OFFERED = [
  { type: 'application/json', value: 'json' },
  { type: CSV_TYPE, value: 'csv' },
  { type: XLSX_TYPE, value: 'xlsx' },
] as const;

/** JSON unless the client asks for CSV or XLSX; anything else is 406. */
function representation(accept: string | undefined): Representation {
  const r = negotiate<Representation>(accept, OFFERED);
  if (!r) throw notAcceptable(OFFERED.map((o) => o.type));
  return r;
}

const rateNote =
  'Every rate is `{ count, of, percent }`: the denominator is shown and percent is rounded half up to one decimal with integer arithmetic. ' +
  'Also downloadable: `Accept: text/csv` or the XLSX media type.';

export const reportsRoutes: FastifyPluginAsyncZod<{ reports: ReportsService }> = async (app, { reports }) => {
  app.get('/reports/drives/:id', {
    config: { roles: STAFF },
    schema: {
      operationId: 'getDriveReport',
      tags,
      summary: 'Drive report: candidates, applications, eligible, sat and passed per round, slots, winners, fill rate — per quota and in total',
      description: `Computed from the rows at request time (never stored totals). ${rateNote}`,
      params: idParams,
      response: {
        200: { description: 'The drive report', content: { 'application/json': { schema: driveReportSchema }, ...downloadContent } },
        ...problems(404, 406),
      },
    },
    handler: async (request, reply) => {
      const format = representation(request.headers.accept);
      const caller = callerOf(request);
      if (format === 'json') return reply.type('application/json').send(await reports.driveReport(caller, request.params.id));
      const data = await reports.driveReportTable(caller, request.params.id);
      return sendTabular(reply, format, data, (err) => request.log.error({ err }, 'report export failed'));
    },
  });

  app.get('/reports/leadership', {
    config: { roles: STAFF },
    schema: {
      operationId: 'getLeadershipReport',
      tags,
      summary: 'Leadership-title exams of a year: titles approved, agencies, examined, with and without a winner, not held, pending',
      description:
        'Over the year’s leadership drives past draft and not cancelled, titles at agencies in the caller’s subtree (and under `agencyId` if given). ' +
        'examined = outcome winner or no_winner, out of titles approved; a title not held for lack of candidates is not examined (counted in notHeld). ' +
        `withWinner and withoutWinner are out of titles examined. ${rateNote}`,
      querystring: leadershipQuery,
      response: {
        200: { description: 'The leadership report', content: { 'application/json': { schema: leadershipReportSchema }, ...downloadContent } },
        ...problems(404, 406),
      },
    },
    handler: async (request, reply) => {
      const format = representation(request.headers.accept);
      const caller = callerOf(request);
      if (format === 'json') return reply.type('application/json').send(await reports.leadershipReport(caller, request.query));
      const data = await reports.leadershipReportTable(caller, request.query);
      return sendTabular(reply, format, data, (err) => request.log.error({ err }, 'report export failed'));
    },
  });
};
