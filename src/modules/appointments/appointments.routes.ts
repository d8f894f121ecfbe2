import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth.js';
import { problems } from '../../http/openapi.js';
import { idParams } from '../../http/primitives.js';
import { STAFF } from '../../http/roles.js';
import type { Role } from '../api-keys/api-keys.table.js';
import {
  appointmentListSchema,
  appointmentSchema,
  newNeedBody,
  newNeedResultSchema,
  publicCancellationsSchema,
  replacementBody,
  replacementResultSchema,
  stepBody,
  strikeOffBody,
  strikeOffResultSchema,
} from './appointments.schemas.js';
import type { AppointmentsService } from './appointments.service.js';

const tags = ['appointments'];
// The organiser keeps the papers of each winner; the council records grounds; the head's acts come from the approver (or the head's seat).
const RECORDERS: readonly Role[] = ['organizer', 'council'];
const STRIKERS: readonly Role[] = ['organizer', 'council', 'approver'];
const HEAD: readonly Role[] = ['approver'];

export const appointmentsRoutes: FastifyPluginAsyncZod<{ appointments: AppointmentsService }> = async (app, { appointments }) => {
  app.get('/drives/:id/appointments', {
    config: { roles: STAFF },
    schema: {
      operationId: 'listDriveAppointments',
      tags,
      summary: 'Each winner’s path to appointment: dossier, criminal-record extract, decision, taking up the post — due dates and status',
      description:
        'Once results are published, every winner (and every next-lower candidate called) has a path. Each step carries its due date ' +
        'from the drive’s preset (170 Art. 18–19, as amended by 300 Art. 5–6 and with its Art. 35(1) transition; 115 Art. 17–18), ' +
        'counted with the working-day calendar (Civil Code Art. 147, 148), and its status: pending, upcoming, due_soon, overdue, met. ' +
        'Due-soon and overdue steps are also raised once each as appointment.step_due_soon / appointment.step_overdue webhooks. 404 for a drive out of scope.',
      params: idParams,
      response: { 200: appointmentListSchema, ...problems(404) },
    },
    handler: async (request) => appointments.list(callerOf(request), request.params.id),
  });

  app.get('/appointments/:id', {
    config: { roles: STAFF },
    schema: {
      operationId: 'getAppointment',
      tags,
      summary: 'One person’s path to appointment',
      description: '404 appointment.not_found also for another agency’s appointment.',
      params: idParams,
      response: { 200: appointmentSchema, ...problems(404) },
    },
    handler: async (request) => appointments.get(callerOf(request), request.params.id),
  });

  app.post('/appointments/:id/steps', {
    config: { roles: RECORDERS },
    schema: {
      operationId: 'recordAppointmentStep',
      tags,
      summary: 'Record a step of the path: notice received, dossier, criminal-record extract, decision, decision received, taking up the post',
      description:
        'Dates are the papers’ dates, not later than today (422 appointment.date_in_future). A decision needs the dossier (409 ' +
        'appointment.dossier_missing); taking up the post needs the decision (409 appointment.decision_missing) and fills one place of ' +
        'the quota agency’s headcount for the drive’s year (422 appointment.no_headcount, 409 appointment.headcount_full). An extract ' +
        'showing a bar strikes the person off at once under 300 (Art. 5(3)); under 170 as issued and 115 the head decides (…/strike-off). ' +
        '409 appointment.closed once struck off or taken up.',
      params: idParams,
      body: stepBody,
      response: { 200: appointmentSchema, ...problems(404, 409, 422) },
    },
    handler: async (request) => appointments.recordStep(callerOf(request), request.params.id, request.body),
  });

  app.post('/appointments/:id/strike-off', {
    config: { roles: STRIKERS, members: ['agency_head'] },
    schema: {
      operationId: 'strikeOffAppointment',
      tags,
      summary: 'Strike a person off the winners’ list on a ground',
      description:
        'Under 300 (and 170 as issued from 2027-02-01, 300 Art. 35(1)) a recorded ground strikes off automatically (Art. 5(3)); a passed ' +
        'dossier or take-up deadline does so from the periodic sweep. Under 170 as issued (Art. 18(2), 19(3)) and 115 (Art. 17(2), 18(3)) ' +
        'it is the head’s decision: from the head’s seat or an approver key with decision { number, date } (403 head_decision.head_only, 422 ' +
        'head_decision.reference_required); the next-lower candidate is then called at once (170 Art. 19(4), 115 Art. 18(4)) unless tied ' +
        '(tiedApplicationIds: the head chooses with …/replacement). Fraud and invalid diplomas also bar the person from the authority’s next ' +
        'recruitment. The drive’s cancellation list is public: GET /v1/public/drives/{id}/cancellations.',
      params: idParams,
      body: strikeOffBody,
      response: { 200: strikeOffResultSchema, ...problems(403, 404, 409, 422) },
    },
    handler: async (request) => appointments.strikeOff(callerOf(request), request.params.id, request.body),
  });

  app.post('/appointments/:id/replacement', {
    config: { roles: HEAD, members: ['agency_head'] },
    schema: {
      operationId: 'decideAppointmentReplacement',
      tags,
      summary: 'The head’s decision on the next-lower candidate for a struck-off place',
      description:
        'Under 300 (Art. 5(4)) the head decides whether to recruit the next-lower candidate: recruit=false calls no one; recruit=true ' +
        'publishes the ordered next-lower list (listPublishedOn, due listDueOn = 5 working days after the cancellation list) and calls the ' +
        'next one, who walks the path from that day. Under 170 as issued and 115 the next-lower is called anyway: this records the head’s ' +
        'choice among tied candidates (applicationId). 409 appointment.not_struck_off, appointment.replacement_decided, appointment.next_lower_tied, ' +
        'appointment.no_next_lower; 422 appointment.replacement_required, appointment.not_next_lower.',
      params: idParams,
      body: replacementBody,
      response: { 200: replacementResultSchema, ...problems(403, 404, 409, 422) },
    },
    handler: async (request) => appointments.decideReplacement(callerOf(request), request.params.id, request.body),
  });

  app.post('/drives/:id/appointments/new-need', {
    config: { roles: HEAD, members: ['agency_head'] },
    schema: {
      operationId: 'fillNewNeedFromNextLower',
      tags,
      summary: 'Fill a new need from the next-lower list (115 Art. 18(4)), within 12 months of the plan’s approval',
      description:
        'Only for Decree 115/2020 drives (422 appointment.new_need_not_applicable) with published results. The text counts the 12 months ' +
        'from the approval of the drive’s plan (planApprovedOn), not from the results: after that day 422 appointment.new_need_window_closed ' +
        'with windowEndsOn. The next reserve of the quota not yet called walks the path from today; ties are the head’s (applicationId; 409 ' +
        'appointment.next_lower_tied), 409 appointment.no_next_lower when none is left.',
      params: idParams,
      body: newNeedBody,
      response: { 201: newNeedResultSchema, ...problems(403, 404, 409, 422) },
    },
    handler: async (request, reply) => {
      const r = await appointments.fillNewNeed(callerOf(request), request.params.id, request.body);
      return reply.code(201).send(r);
    },
  });
};

/** The cancellation list, no key needed (300 Art. 5(3): published with reasons). */
export const publicAppointmentsRoutes: FastifyPluginAsyncZod<{ appointments: AppointmentsService }> = async (app, { appointments }) => {
  app.get('/public/drives/:id/cancellations', {
    config: { public: true },
    schema: {
      operationId: 'getPublicCancellations',
      tags,
      summary: 'The drive’s cancellation list: persons struck off the winners’ list, with the ground (no key)',
      description: 'Only for drives whose results are published or finished (404 results.not_published). Names as the law publishes them; never IDs or contacts.',
      params: idParams,
      response: { 200: publicCancellationsSchema, ...problems(404) },
    },
    handler: async (request) => appointments.publicCancellations(request.params.id),
  });
};
