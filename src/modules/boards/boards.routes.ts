import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth.js';
import { problems } from '../../http/openapi.js';
import { idParams } from '../../http/primitives.js';
import { ORGANIZERS, READERS } from '../../http/roles.js';
import type { Role } from '../api-keys/api-keys.table.js';
import {
  appointBody,
  boardParams,
  boardsSchema,
  conflictSchema,
  createdMemberKeySchema,
  declaredRelativeSchema,
  manualConflictBody,
  memberKeyBody,
  memberKeyParams,
  memberKeySchema,
  memberParams,
  memberSchema,
  relativeBody,
  relativeSchema,
  removalSchema,
  removeBody,
  supervisionReportBody,
  supervisionReportSchema,
} from './boards.schemas.js';
import type { BoardsService } from './boards.service.js';
import { boards } from './boards.table.js';

const tags = ['boards'];
const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.null() });
const BOARD_READERS: readonly Role[] = [...READERS, 'supervisor'];
const CONFLICT_RAISERS: readonly Role[] = ['organizer', 'council'];
const ALL_BOARDS = boards;

const appointNote =
  'The head of the recruiting agency (board agency_head) is recorded first; the head forms the council and the supervision board, ' +
  'the council’s chair forms the other boards (170 Art. 8(1), 8(2)(a); Quy chế Art. 23(1)); appointedByMemberId defaults to that seat. ' +
  'Refusals: 422 board.member_disciplined, board.member_related_to_candidate, board.member_is_candidate, board.head_not_recorded, ' +
  'board.council_not_formed, board.appointer_invalid; 409 board.supervision_exclusive (Quy chế Art. 23(7)(c)), board.head_recorded, board.drive_closed.';

export const boardsRoutes: FastifyPluginAsyncZod<{ boards: BoardsService }> = async (app, { boards: service }) => {
  app.get('/drives/:id/boards', {
    config: { roles: BOARD_READERS },
    schema: {
      operationId: 'listBoards',
      tags,
      summary: 'The drive’s head, council, boards and supervision board, with every seat (removed ones too)',
      description: 'Roles: organizer, registrar, council, approver, auditor; any key bound to a member of the drive (the supervision board reads everything).',
      params: idParams,
      response: { 200: boardsSchema, ...problems(404) },
    },
    handler: async (request) => service.list(callerOf(request), request.params.id),
  });

  app.post('/drives/:id/boards/:board/members', {
    config: { roles: ORGANIZERS, idempotent: true },
    schema: {
      operationId: 'appointBoardMember',
      tags,
      summary: 'Seat a named person on a board, with the appointing decision (number, date) and their declared relatives',
      description: `Roles: organizer (the secretariat records the decision). ${appointNote}`,
      params: boardParams,
      body: appointBody,
      response: { 201: memberSchema, ...problems(404, 409, 422) },
    },
    handler: async (request, reply) => {
      const m = await service.appoint(callerOf(request), request.params.id, request.params.board, request.body);
      return reply.code(201).send(m);
    },
  });

  app.post('/drives/:id/boards/members/:memberId/removal', {
    config: { roles: ORGANIZERS },
    schema: {
      operationId: 'removeBoardMember',
      tags,
      summary: 'Remove a member by the appointing authority’s decision; a conflicted member’s marks are voided for re-marking',
      description:
        'Roles: organizer (recording the appointing authority’s decision). Revokes the member’s keys, closes their open conflicts and, when ' +
        'the member had an open conflict (or voidMarks is true), voids their marks on scripts of rounds still marking: those scripts wait ' +
        'for another member’s mark (audited; score_history rule marks_voided). 409 board.member_removed.',
      params: memberParams,
      body: removeBody,
      response: { 200: removalSchema, ...problems(404, 409) },
    },
    handler: async (request) => service.remove(callerOf(request), request.params.id, request.params.memberId, request.body),
  });

  app.post('/drives/:id/boards/members/:memberId/relatives', {
    config: { roles: ORGANIZERS, members: ALL_BOARDS },
    schema: {
      operationId: 'declareMemberRelative',
      tags,
      summary: 'Declare a relative of a member (170 Art. 8(3)): by national ID (blind index only), or by name and birth date',
      description:
        'Roles: organizer; or the member’s own bound key (any board). A relative who is already a candidate of the drive raises a conflict ' +
        'at once (conflicts[]; audit and webhook board.conflict_raised); a later registration raises it then. Name-and-birth-date ' +
        'declarations are never matched automatically: possibleMatches lists candidates for the council to match by hand.',
      params: memberParams,
      body: relativeBody,
      response: { 201: declaredRelativeSchema, ...problems(404, 409) },
    },
    handler: async (request, reply) => reply.code(201).send(await service.declareRelative(callerOf(request), request.params.id, request.params.memberId, request.body)),
  });

  app.get('/drives/:id/boards/members/:memberId/relatives', {
    config: { roles: BOARD_READERS },
    schema: {
      operationId: 'listMemberRelatives',
      tags,
      summary: 'A member’s declared relatives (national IDs masked; never decryptable)',
      description: 'Roles: organizer, registrar, council, approver, auditor; member keys of the drive.',
      params: memberParams,
      response: { 200: list(relativeSchema), ...problems(404) },
    },
    handler: async (request) => ({ items: await service.relatives(callerOf(request), request.params.id, request.params.memberId), nextCursor: null }),
  });

  app.get('/drives/:id/boards/conflicts', {
    config: { roles: BOARD_READERS },
    schema: {
      operationId: 'listBoardConflicts',
      tags,
      summary: 'Conflicts of interest raised on the drive (open, or closed by the member’s removal)',
      description: 'Roles: organizer, registrar, council, approver, auditor; member keys of the drive.',
      params: idParams,
      response: { 200: list(conflictSchema), ...problems(404) },
    },
    handler: async (request) => ({ items: await service.conflicts(callerOf(request), request.params.id), nextCursor: null }),
  });

  app.post('/drives/:id/boards/conflicts', {
    config: { roles: CONFLICT_RAISERS, members: ['council'] },
    schema: {
      operationId: 'raiseBoardConflict',
      tags,
      summary: 'Record a conflict matched by hand (a relative declared by name and birth date)',
      description: 'Roles: organizer, council; council members’ bound keys. 409 board.conflict_recorded; 422 board.application_not_in_drive.',
      params: idParams,
      body: manualConflictBody,
      response: { 201: conflictSchema, ...problems(404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await service.raiseManualConflict(callerOf(request), request.params.id, request.body)),
  });

  app.post('/drives/:id/boards/members/:memberId/keys', {
    config: { roles: ORGANIZERS },
    schema: {
      operationId: 'issueMemberKey',
      tags,
      summary: 'Issue an API key bound to this member and this drive (shown once)',
      description:
        'Roles: organizer. The key acts as the person: its writes are the acts of its board (x-member-boards of each operation), on this ' +
        'drive only (other drives’ resources answer 404; routes not about one drive 403 member_key.outside_drive). Its role: approver ' +
        '(agency_head), council (council, form_check), anonymizer, marker (marking, appeals, interview, oral, practical, project), ' +
        'supervisor (supervision). 422 member_key.board_has_no_acts (questions, invigilation); 409 board.member_removed.',
      params: memberParams,
      body: memberKeyBody,
      response: { 201: createdMemberKeySchema, ...problems(404, 409, 422) },
    },
    handler: async (request, reply) => {
      const key = await service.issueKey(callerOf(request), request.params.id, request.params.memberId, request.body?.name);
      return reply.code(201).header('cache-control', 'no-store').send(key);
    },
  });

  app.get('/drives/:id/boards/members/:memberId/keys', {
    config: { roles: ORGANIZERS },
    schema: {
      operationId: 'listMemberKeys',
      tags,
      summary: 'Keys bound to a member (secrets are never shown again)',
      description: 'Roles: organizer.',
      params: memberParams,
      response: { 200: list(memberKeySchema), ...problems(404) },
    },
    handler: async (request) => ({ items: await service.keys(callerOf(request), request.params.id, request.params.memberId), nextCursor: null }),
  });

  app.delete('/drives/:id/boards/members/:memberId/keys/:keyId', {
    config: { roles: ORGANIZERS },
    schema: {
      operationId: 'revokeMemberKey',
      tags,
      summary: 'Revoke a key bound to a member (refused from the next request on)',
      description: 'Roles: organizer.',
      params: memberKeyParams,
      response: { 200: memberKeySchema, ...problems(404, 409) },
    },
    handler: async (request) => service.revokeKey(callerOf(request), request.params.id, request.params.memberId, request.params.keyId),
  });

  app.post('/drives/:id/supervision-reports', {
    config: { roles: [], members: ['supervision'] },
    schema: {
      operationId: 'fileSupervisionReport',
      tags,
      summary: 'The supervision board files its report (Quy chế Art. 23(4)(d)) — its only write',
      description: 'Only a key bound to a member of the drive’s supervision board (403 member.key_required otherwise).',
      params: idParams,
      body: supervisionReportBody,
      response: { 201: supervisionReportSchema, ...problems(404) },
    },
    handler: async (request, reply) => reply.code(201).send(await service.fileReport(callerOf(request), request.params.id, request.body)),
  });

  app.get('/drives/:id/supervision-reports', {
    config: { roles: BOARD_READERS },
    schema: {
      operationId: 'listSupervisionReports',
      tags,
      summary: 'The supervision board’s reports on the drive',
      description: 'Roles: organizer, registrar, council, approver, auditor; member keys of the drive.',
      params: idParams,
      response: { 200: list(supervisionReportSchema), ...problems(404) },
    },
    handler: async (request) => ({ items: await service.reports(callerOf(request), request.params.id), nextCursor: null }),
  });
};
