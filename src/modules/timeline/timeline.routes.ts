import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth.js';
import { setEtag } from '../../http/etag.js';
import { idempotencyHeaders } from '../../http/idempotency.js';
import { problems } from '../../http/openapi.js';
import { idParams } from '../../http/primitives.js';
import { STAFF } from '../../http/roles.js';
import type { Role } from '../api-keys/api-keys.table.js';
import {
  createExtensionBody,
  putTimelineEventBody,
  timelineEventParams,
  timelineEventSchema,
  timelineExtensionSchema,
  timelineSchema,
} from './timeline.schemas.js';
import type { TimelineService } from './timeline.service.js';

const tags = ['timeline'];
// The organiser keeps the drive's papers; the council records what it did and its chair's decisions.
const RECORDERS: readonly Role[] = ['organizer', 'council'];

export const timelineRoutes: FastifyPluginAsyncZod<{ timeline: TimelineService }> = async (app, { timeline }) => {
  app.get('/drives/:id/timeline', {
    config: { roles: STAFF },
    schema: {
      operationId: 'getDriveTimeline',
      tags,
      summary: 'Every statutory date of a drive, with its article and status',
      description:
        'Read-only. Each step of the drive’s preset (170 as issued, 170 as amended by 300, 115/85) with the event its period starts ' +
        'from, its period in working or calendar days, its due date and status (pending, upcoming, due_soon, overdue, met). The ' +
        'starting day is not counted (Civil Code Art. 147(1)); a period of calendar days ending on a rest day or holiday ends on the ' +
        'next working day (Art. 148(5)), by the working-day calendar (/v1/calendar). 500 or more registrants lengthen the eligible ' +
        'list to 30 days by themselves (170 Art. 16(2)); the chair’s extensions are decisions (POST …/timeline/extensions). A 170-as-issued ' +
        'drive’s after-results steps not finished by 2027-01-31 follow 300’s periods (300 Art. 35(1)). Due-soon and overdue steps ' +
        'are also raised once each as drive.deadline_due_soon and drive.deadline_overdue webhooks. Roles: every staff role in scope.',
      params: idParams,
      response: { 200: timelineSchema, ...problems(404) },
    },
    handler: async (request) => timeline.get(callerOf(request), request.params.id),
  });

  app.get('/drives/:id/timeline/events', {
    config: { roles: STAFF },
    schema: {
      operationId: 'listDriveTimelineEvents',
      tags,
      summary: 'The event dates recorded for a drive’s timeline',
      params: idParams,
      response: { 200: z.object({ items: z.array(timelineEventSchema) }), ...problems(404) },
    },
    handler: async (request) => ({ items: await timeline.listEvents(callerOf(request), request.params.id) }),
  });

  app.put('/drives/:id/timeline/events/:event', {
    config: { roles: RECORDERS },
    schema: {
      operationId: 'putDriveTimelineEvent',
      tags,
      summary: 'Record the date an event of the drive happened',
      description:
        'For events the service does not record itself (the eligible list published, summons sent, re-marking done, the recruitment ' +
        'decision, the post taken up…) or records only when a client tells it (results approved on the date of the head’s decision). ' +
        'A recorded date takes precedence over the service’s own record; recording again replaces it. Not later than today ' +
        '(422 timeline.event_in_future) and within the working-day calendar (422 calendar.out_of_range); not on a draft drive ' +
        '(409 timeline.drive_draft). Audited. Roles: organizer, council.',
      params: timelineEventParams,
      body: putTimelineEventBody,
      response: { 200: timelineEventSchema, 201: timelineEventSchema, ...problems(404, 409, 422) },
    },
    handler: async (request, reply) => {
      const { event, created } = await timeline.putEvent(callerOf(request), request.params.id, request.params.event, request.body);
      setEtag(reply, event.version);
      return reply.code(created ? 201 : 200).send(event);
    },
  });

  app.get('/drives/:id/timeline/extensions', {
    config: { roles: STAFF },
    schema: {
      operationId: 'listDriveTimelineExtensions',
      tags,
      summary: 'The chair’s decisions lengthening periods of the drive',
      params: idParams,
      response: { 200: z.object({ items: z.array(timelineExtensionSchema) }), ...problems(404) },
    },
    handler: async (request) => ({ items: await timeline.listExtensions(callerOf(request), request.params.id) }),
  });

  app.post('/drives/:id/timeline/extensions', {
    config: { roles: RECORDERS, idempotent: true },
    schema: {
      operationId: 'createDriveTimelineExtension',
      tags,
      summary: 'Record the chair’s decision lengthening a period',
      description:
        'A lawful extension is a decision on record, not an edit of a date: round 1 within 45 days (170 Art. 16(3)(a), with 500 or ' +
        'more registrants), written results within 30 days (170 Art. 16(4)(b), with 1,000 or more round-2 candidates), re-marking ' +
        'within 20 days (170 Art. 16(4)(b)). The timeline counts the longer period from then on. Refusals: 422 ' +
        'timeline.extension_not_applicable (a preset without such an extension), timeline.extension_not_allowed (its condition is ' +
        'not met), timeline.decision_in_future; 409 timeline.extension_exists, timeline.drive_draft. Audited. Roles: organizer, council.',
      params: idParams,
      headers: idempotencyHeaders,
      body: createExtensionBody,
      response: { 201: timelineExtensionSchema, ...problems(404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await timeline.createExtension(callerOf(request), request.params.id, request.body)),
  });
};
