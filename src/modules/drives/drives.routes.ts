import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth.js';
import { expectedVersion, ifMatchHeaders, setEtag } from '../../http/etag.js';
import { idempotencyHeaders } from '../../http/idempotency.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, idCursor, pageOf, toPage, withLink } from '../../http/pagination.js';
import { idParams } from '../../http/primitives.js';
import { ORGANIZERS, STAFF } from '../../http/roles.js';
import { createDriveBody, driveSchema, listDrivesQuery, patchDriveBody, transitionBody } from './drives.schemas.js';
import type { DrivesService } from './drives.service.js';

const tags = ['drives'];

export const drivesRoutes: FastifyPluginAsyncZod<{ drives: DrivesService }> = async (app, { drives }) => {
  app.post('/drives', {
    config: { roles: ORGANIZERS, idempotent: true },
    schema: {
      operationId: 'createDrive',
      tags,
      summary: 'Create a drive (draft)',
      description:
        'A recruitment drive or a leadership-title exam. The rule set is a preset plus overrides; the effective set is returned ' +
        'and frozen when the drive opens. Refusals: 422 drive.rule_set_mismatch, rule_set.invalid, drive.invalid_window, ' +
        'drive.agency_not_found; 409 drive.code_taken.',
      headers: idempotencyHeaders,
      body: createDriveBody,
      response: { 201: driveSchema, ...problems(409, 422) },
    },
    handler: async (request, reply) => {
      const drive = await drives.create(callerOf(request), request.body);
      setEtag(reply, drive.version);
      return reply.code(201).header('location', `/v1/drives/${drive.id}`).send(drive);
    },
  });

  app.get('/drives', {
    config: { roles: STAFF },
    schema: {
      operationId: 'listDrives',
      tags,
      summary: 'List drives organised by agencies in the caller’s subtree',
      querystring: listDrivesQuery,
      response: { 200: pageOf(driveSchema) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, idCursor);
      const rows = await drives.list(callerOf(request), request.query, after?.id);
      return withLink(request, reply, toPage(rows, request.query.limit, (d) => ({ id: d.id })));
    },
  });

  app.get('/drives/:id', {
    config: { roles: STAFF },
    schema: {
      operationId: 'getDrive',
      tags,
      summary: 'Get a drive with its effective rule set',
      params: idParams,
      response: { 200: driveSchema, ...problems(404) },
    },
    handler: async (request, reply) => {
      const drive = await drives.get(callerOf(request), request.params.id);
      setEtag(reply, drive.version);
      return drive;
    },
  });

  app.patch('/drives/:id', {
    config: { roles: ORGANIZERS },
    schema: {
      operationId: 'updateDrive',
      tags,
      summary: 'Update a draft drive',
      description:
        'Only while draft (409 drive.not_draft). A new rule set is re-resolved; a defaulted closing date follows the opening date.',
      params: idParams,
      headers: ifMatchHeaders,
      body: patchDriveBody,
      response: { 200: driveSchema, ...problems(404, 409, 412, 422) },
    },
    handler: async (request, reply) => {
      const drive = await drives.update(callerOf(request), request.params.id, expectedVersion(request), request.body);
      setEtag(reply, drive.version);
      return drive;
    },
  });

  app.post('/drives/:id/transitions', {
    config: { roles: [...ORGANIZERS, 'approver'] },
    schema: {
      operationId: 'transitionDrive',
      tags,
      summary: 'Move a drive along its lifecycle',
      description:
        'draft → open → closed → examining → marking → … → published → finished; cancelled from any non-final state (reason required). ' +
        'open needs a quota and a registration window and freezes the rule set; closed assigns candidate numbers; examining needs ' +
        'an application that is submitted or eligible; finished needs published results. 409 drive.invalid_transition or ' +
        'drive.precondition_failed (with the reason). Cancelling a drive whose results are approved or published needs an approver key ' +
        '(403 drive.cancel_needs_approver); an approver key does no other transition.',
      params: idParams,
      headers: ifMatchHeaders,
      body: transitionBody,
      response: { 200: driveSchema, ...problems(404, 409, 412) },
    },
    handler: async (request, reply) => {
      const drive = await drives.transition(callerOf(request), request.params.id, expectedVersion(request), request.body);
      setEtag(reply, drive.version);
      return drive;
    },
  });
};
