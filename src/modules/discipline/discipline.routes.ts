import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth.js';
import { idempotencyHeaders } from '../../http/idempotency.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, idCursor, toPage, withLink } from '../../http/pagination.js';
import { idParams } from '../../http/primitives.js';
import type { Role } from '../api-keys/api-keys.table.js';
import { disciplineActSchema, disciplinePage, disciplineQuery, recordDisciplineBody } from './discipline.schemas.js';
import { MINUTE_WRITERS, type DisciplineService } from './discipline.service.js';

const tags = ['discipline'];
const RECORDERS: readonly Role[] = ['council', 'organizer', 'approver'];
const READERS: readonly Role[] = ['council', 'organizer', 'approver', 'auditor', 'registrar'];

export const disciplineRoutes: FastifyPluginAsyncZod<{ discipline: DisciplineService }> = async (app, { discipline }) => {
  app.post('/rounds/:id/discipline', {
    config: { roles: RECORDERS, idempotent: true, members: [...MINUTE_WRITERS, 'council', 'agency_head'] },
    schema: {
      operationId: 'recordDiscipline',
      tags,
      summary: 'Record a disciplinary act against a candidate for a paper of this round, with its minute (Circular 22/2025 Nội quy Art. 2)',
      description:
        'reprimand (−25 %) and warning (−50 %): decided by the member who wrote the minute (invigilation board, or the interview, oral, ' +
        'practical or Đề án panel), status `decided` until the council chair applies it (POST /discipline-acts/{id}/apply). suspension: ' +
        'the council chair; cancels this paper and the later ones. cancellation: the head of the recruiting agency (its member key, or an ' +
        'approver key) with the chair’s report `chairReportRef` and the decision `headDecision`. On a drive that records no boards, role keys ' +
        'record them (council or organizer for reprimands and warnings; council for suspensions; approver for cancellations). Applied acts ' +
        'take effect at the next results computation: the deduction applies to the paper’s final score (after any appeal) at 2 decimals half ' +
        'up, and the result’s explanation names the act and its minute. Refusals: 404 application.not_found; 409 discipline.results_approved; ' +
        '422 part.not_found, discipline.identifier, discipline.chair_report_required, head_decision.reference_required; 403 member.* or ' +
        'discipline.wrong_role.',
      params: idParams,
      headers: idempotencyHeaders,
      body: recordDisciplineBody,
      response: { 201: disciplineActSchema, ...problems(403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await discipline.record(callerOf(request), request.params.id, request.body)),
  });

  app.get('/rounds/:id/discipline', {
    config: { roles: READERS },
    schema: {
      operationId: 'listDiscipline',
      tags,
      summary: 'Disciplinary acts of a round, oldest first, each with its minute and who decided and applied it',
      params: idParams,
      querystring: disciplineQuery,
      response: { 200: disciplinePage, ...problems(404) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, idCursor);
      const rows = await discipline.list(callerOf(request), request.params.id, request.query, after?.id);
      return withLink(request, reply, toPage(rows, request.query.limit, (r) => ({ id: r.id })));
    },
  });

  app.post('/discipline-acts/:id/apply', {
    config: { roles: ['council'], members: ['council'] },
    schema: {
      operationId: 'applyDiscipline',
      tags,
      summary: 'The council chair applies a reprimand or warning decided at the exam room (Nội quy Art. 2(6)(b))',
      description: 'Roles: council; on a drive that records its boards, the key of the council’s chair. 409 discipline.already_applied, discipline.results_approved.',
      params: idParams,
      response: { 200: disciplineActSchema, ...problems(403, 404, 409) },
    },
    handler: async (request) => discipline.apply(callerOf(request), request.params.id),
  });
};
