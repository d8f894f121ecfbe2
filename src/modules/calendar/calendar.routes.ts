import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth.js';
import { setEtag } from '../../http/etag.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, pageOf, toPage, withLink } from '../../http/pagination.js';
import { isoDate } from '../../http/primitives.js';
import { STAFF } from '../../http/roles.js';
import {
  calendarEntrySchema,
  calendarYearSchema,
  dateParams,
  deadlineQuery,
  deadlineSchema,
  listCalendarEntriesQuery,
  putCalendarEntryBody,
  yearParams,
} from './calendar.schemas.js';
import type { CalendarService } from './calendar.service.js';

const tags = ['calendar'];
const dateCursor = z.object({ date: isoDate });
// Every role that works on drives reads the calendar; only an admin records the government's decisions.
const READ_ROLES = [...STAFF, 'marker' as const];

export const calendarRoutes: FastifyPluginAsyncZod<{ calendar: CalendarService }> = async (app, { calendar }) => {
  app.get('/calendar/deadline', {
    config: { roles: READ_ROLES },
    schema: {
      operationId: 'computeCalendarDeadline',
      tags,
      summary: 'The last day of a period of working or calendar days',
      description:
        'The starting day is not counted (Civil Code 2015 Art. 147(1)). Working days skip weekends, public holidays, ' +
        'compensatory and swapped days off, and count worked Saturdays. A period of calendar days whose last day is not a ' +
        'working day ends on the next working day (Art. 148(5)). provisional: the period crosses a holiday the government has not fixed yet.',
      querystring: deadlineQuery,
      response: { 200: deadlineSchema, ...problems(422) },
    },
    handler: async (request) => calendar.deadline(request.query),
  });

  app.get('/calendar/entries', {
    config: { roles: READ_ROLES },
    schema: {
      operationId: 'listCalendarEntries',
      tags,
      summary: 'The government’s recorded calendar decisions (fixed Tết days, swapped days, worked Saturdays)',
      querystring: listCalendarEntriesQuery,
      response: { 200: pageOf(calendarEntrySchema) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, dateCursor);
      const rows = await calendar.listEntries(request.query, after?.date);
      return withLink(request, reply, toPage(rows, request.query.limit, (e) => ({ date: e.date })));
    },
  });

  app.put('/calendar/entries/:date', {
    schema: {
      operationId: 'putCalendarEntry',
      tags,
      summary: 'Record the government’s decision for one day (admin)',
      description:
        'One entry per date, each citing its document (number, date, issuer). Refused with 422: a Tết day more than ten days ' +
        'from the lunar new year (calendar.tet_out_of_season) or a sixth one (calendar.tet_days_exceeded); a 2 September day ' +
        'other than the 1st or 3rd (calendar.national_day_not_adjacent) or a second one (calendar.national_day_taken); a day ' +
        'off on a weekend (calendar.already_rest_day); a working day on a day already worked (calendar.already_working_day); ' +
        'a year outside the calendar (calendar.out_of_range). Audited.',
      params: dateParams,
      body: putCalendarEntryBody,
      response: { 200: calendarEntrySchema, 201: calendarEntrySchema, ...problems(422) },
    },
    handler: async (request, reply) => {
      const { entry, created } = await calendar.putEntry(callerOf(request), request.params.date, request.body);
      setEtag(reply, entry.version);
      return reply.code(created ? 201 : 200).send(entry);
    },
  });

  app.delete('/calendar/entries/:date', {
    schema: {
      operationId: 'deleteCalendarEntry',
      tags,
      summary: 'Delete the recorded decision of one day (admin); the Labour Code default applies again',
      params: dateParams,
      response: { 204: z.null().describe('Deleted'), ...problems(404) },
    },
    handler: async (request, reply) => {
      await calendar.deleteEntry(callerOf(request), request.params.date);
      return reply.code(204).send(null);
    },
  });

  app.get('/calendar/:year', {
    config: { roles: READ_ROLES },
    schema: {
      operationId: 'getCalendarYear',
      tags,
      summary: 'The working-day calendar of a year: holidays, compensatory and swapped days off, worked Saturdays',
      description:
        'Public holidays of the Labour Code 2019 Art. 112 (Tết and the Hùng Kings day from the Vietnamese lunar calendar, UTC+7), ' +
        'compensatory days for holidays on a weekend (Art. 111(3)) and the government’s decisions, each with its article or document. ' +
        'Days still at their Labour Code default are provisional (notFixedByGovernment).',
      params: yearParams,
      response: { 200: calendarYearSchema, ...problems(422) },
    },
    handler: async (request) => calendar.year(request.params.year),
  });
};
