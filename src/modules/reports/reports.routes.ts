import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
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

/** Weak comparison (RFC 9110 §13.1.2): `*`, or any listed tag equal to `tag` once W/ is set aside. */
function noneMatch(header: string | string[] | undefined, tag: string): boolean {
  if (header === undefined) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  const want = opaque(tag);
  return String(header)
    .split(',')
    .some((t) => t.trim() === '*' || opaque(t) === want);
}

const ifNoneMatchHeaders = z.object({
  'if-none-match': z
    .string()
    .max(2000)
    .optional()
    .describe('ETag of a report you hold (per representation); 304 without a body if its figures are unchanged'),
});

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
      description:
        'Counted from the rows (never stored totals), all figures in one database snapshot. A report computed earlier is served ' +
        'only while no change to the drive’s rows (applications, rounds, scripts, results, quotas, the drive, agency and position names) ' +
        'has been committed since its snapshot; computedAt is when its figures were counted. ' +
        'The weak ETag names the figures (per representation): send it in If-None-Match to get 304 while they are unchanged. ' +
        rateNote,
      params: idParams,
      headers: ifNoneMatchHeaders,
      response: {
        200: { description: 'The drive report', content: { 'application/json': { schema: driveReportSchema }, ...downloadContent } },
        304: z.null().describe('Not modified: the figures are those of the ETag sent in If-None-Match'),
        ...problems(404, 406),
      },
    },
    handler: async (request, reply) => {
      const format = representation(request.headers.accept);
      const caller = callerOf(request);
      const computed = await reports.driveReportComputed(caller, request.params.id);
      // The overdue counts change with the day, not the rows: when any step is overdue they join the tag and the cached body.
      const overdue = computed.overdue && computed.overdue.timelineSteps + computed.overdue.appointmentSteps > 0 ? computed.overdue : null;
      const overdueTag = overdue ? `-${overdue.timelineSteps}_${overdue.appointmentSteps}` : '';
      const etag = `W/"${computed.tag}${overdueTag}${format === 'json' ? '' : `.${format}`}"`;
      void reply.header('etag', etag);
      if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send(null);
      // The body was encoded with the response schema when the report was computed.
      if (format === 'json') {
        const body = overdue
          ? Buffer.concat([computed.json.subarray(0, computed.json.length - 1), Buffer.from(`,"overdue":${JSON.stringify(overdue)}}`)])
          : computed.json;
        return reply.type('application/json; charset=utf-8').send(body as unknown as string);
      }
      const data = reports.driveReportTableOf(computed.report);
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
