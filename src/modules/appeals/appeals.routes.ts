import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth.js';
import { setEtag } from '../../http/etag.js';
import { idempotencyHeaders } from '../../http/idempotency.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, idCursor, pageQuery, toPage, withLink } from '../../http/pagination.js';
import { idParams } from '../../http/primitives.js';
import type { Role } from '../api-keys/api-keys.table.js';
import {
  appealListSchema,
  appealResultsSchema,
  appealSchema,
  createAppealBody,
  recodeSchema,
  remarkBody,
  remarkSchema,
  resolveAppealBody,
} from './appeals.schemas.js';
import type { AppealsService } from './appeals.service.js';

const tags = ['appeals'];
const APPEAL_FILERS: readonly Role[] = ['registrar', 'council', 'organizer'];
const APPEAL_READERS: readonly Role[] = ['registrar', 'council', 'organizer', 'approver', 'auditor'];
const COUNCIL: readonly Role[] = ['council'];
const REMARKERS: readonly Role[] = ['marker'];

export const appealsRoutes: FastifyPluginAsyncZod<{ appeals: AppealsService }> = async (app, { appeals }) => {
  app.post('/applications/:id/appeals', {
    config: { roles: APPEAL_FILERS, idempotent: true },
    schema: {
      operationId: 'fileAppeal',
      tags,
      summary: 'File an appeal (phúc khảo) for a paper written part, inside the window after the round’s publication',
      description:
        'Decree 170/2025 Art. 16(4)(b): received for 5 working days from the publication of the round’s results (the day of publication not ' +
        'counted; the working-day calendar of /v1/calendar), re-marking due 10 days after the window (20 when the chair lengthened re-marking ' +
        'on the drive’s timeline). Rule sets of older presets keep their deadlines.appealWindowDays in calendar days. A part on computer is ' +
        'never appealed (422 appeal.part_on_computer); a late appeal is 422 appeal.window_closed (Quy chế Art. 17(8)).',
      params: idParams,
      headers: idempotencyHeaders,
      body: createAppealBody,
      response: { 201: appealSchema, ...problems(404, 409, 422) },
    },
    handler: async (request, reply) => {
      const appeal = await appeals.fileAppeal(callerOf(request), request.params.id, request.body);
      setEtag(reply, appeal.version);
      return reply.code(201).send(appeal);
    },
  });

  app.get('/applications/:id/appeals', {
    config: { roles: APPEAL_READERS },
    schema: {
      operationId: 'listAppeals',
      tags,
      summary: 'Appeals of an application',
      params: idParams,
      querystring: z.object(pageQuery).strict(),
      response: { 200: appealListSchema, ...problems(404) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, idCursor);
      const rows = await appeals.listAppeals(callerOf(request), request.params.id, after?.id, request.query.limit);
      return withLink(request, reply, toPage(rows, request.query.limit, (a) => ({ id: a.id })));
    },
  });

  app.post('/appeals/:id/recode', {
    config: { roles: COUNCIL, members: ['council'] },
    schema: {
      operationId: 'recodeAppeal',
      tags,
      summary: 'Give the appealed script a new code for re-marking (Quy chế Art. 17(1)(c))',
      description:
        'The chair decides whether appealed scripts are re-coded. Roles: council; once the drive records its boards, the key of the council’s ' +
        'head (403 member.wrong_seat). Refused once re-marking started (409 appeal.remarking_started).',
      params: idParams,
      response: { 200: recodeSchema, ...problems(404, 409) },
    },
    handler: async (request) => appeals.recode(callerOf(request), request.params.id),
  });

  app.post('/appeals/:id/remarks', {
    config: { roles: REMARKERS, members: ['appeals'] },
    schema: {
      operationId: 'remarkAppeal',
      tags,
      summary: 'A re-mark of an appealed script by a member of the appeals board (Quy chế Art. 17(2)–(3))',
      description:
        'Two re-markers; a third when their marks differ. A member who marked the script (under any seat) is refused (409 ' +
        'appeal.remarker_marked_script), as is a second re-mark by the same member (409 appeal.remarker_repeated). The answer shows neither ' +
        'the earlier marks nor who gave them, nor the other re-marks. Once the drive records its boards: a key bound to an appeals-board member.',
      params: idParams,
      body: remarkBody,
      response: { 201: remarkSchema, ...problems(404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await appeals.remark(callerOf(request), request.params.id, request.body)),
  });

  app.post('/appeals/:id/resolution', {
    config: { roles: COUNCIL, members: ['council'] },
    schema: {
      operationId: 'resolveAppeal',
      tags,
      summary: 'Settle an appeal on the appeals board’s result (Quy chế Art. 18)',
      description:
        'Needs the re-marks (409 appeal.remarking_incomplete). Less than 5 points from the published score: the appeal score is adopted ' +
        '(a different newScore is 422 appeal.score_fixed). 5 or more: the chair decides after hearing the heads of the marking and appeals ' +
        'boards: newScore and minuteRef (422 appeal.chair_decision_required). The decided score replaces the final score; both stay in the ' +
        'score history. Roles: council; once the drive records its boards, the key of the council’s head.',
      params: idParams,
      body: resolveAppealBody,
      response: { 200: appealSchema, ...problems(404, 409, 422) },
    },
    handler: async (request, reply) => {
      const appeal = await appeals.resolveAppeal(callerOf(request), request.params.id, request.body);
      setEtag(reply, appeal.version);
      return appeal;
    },
  });

  app.post('/rounds/:id/appeal-results', {
    config: { roles: COUNCIL, members: ['council'] },
    schema: {
      operationId: 'publishAppealResults',
      tags,
      summary: 'Publish the round’s resolved appeals (Quy chế Art. 17(5))',
      description: 'Marks every resolved, unpublished appeal of the round published and returns the published list (by candidate number).',
      params: idParams,
      response: { 200: appealResultsSchema, ...problems(404) },
    },
    handler: async (request) => appeals.publishResults(callerOf(request), request.params.id),
  });

  app.get('/rounds/:id/appeal-results', {
    config: { roles: APPEAL_READERS },
    schema: {
      operationId: 'getAppealResults',
      tags,
      summary: 'The published appeal results of a round',
      params: idParams,
      response: { 200: appealResultsSchema, ...problems(404) },
    },
    handler: async (request) => appeals.results(callerOf(request), request.params.id),
  });
};
