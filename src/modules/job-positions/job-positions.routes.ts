import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth.js';
import { expectedVersion, ifMatchHeaders, setEtag } from '../../http/etag.js';
import { idempotencyHeaders } from '../../http/idempotency.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, idCursor, pageOf, toPage, withLink } from '../../http/pagination.js';
import { idParams } from '../../http/primitives.js';
import { ORGANIZERS, STAFF } from '../../http/roles.js';
import { createJobPositionBody, jobPositionSchema, listJobPositionsQuery, patchJobPositionBody } from './job-positions.schemas.js';
import type { JobPositionsService } from './job-positions.service.js';

const tags = ['job-positions'];

export const jobPositionsRoutes: FastifyPluginAsyncZod<{ jobPositions: JobPositionsService }> = async (app, { jobPositions }) => {
  app.post('/job-positions', {
    config: { roles: ORGANIZERS, idempotent: true },
    schema: {
      operationId: 'createJobPosition',
      tags,
      summary: 'Create a job position (vị trí việc làm) at an agency',
      description: 'The code is unique within the agency (409 job_position.code_taken). The agency must be in the key’s subtree.',
      headers: idempotencyHeaders,
      body: createJobPositionBody,
      response: { 201: jobPositionSchema, ...problems(409, 422) },
    },
    handler: async (request, reply) => {
      const position = await jobPositions.create(callerOf(request), request.body);
      setEtag(reply, position.version);
      return reply.code(201).header('location', `/v1/job-positions/${position.id}`).send(position);
    },
  });

  app.get('/job-positions', {
    config: { roles: STAFF },
    schema: {
      operationId: 'listJobPositions',
      tags,
      summary: 'List job positions (agencies in the caller’s subtree)',
      querystring: listJobPositionsQuery,
      response: { 200: pageOf(jobPositionSchema) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, idCursor);
      const rows = await jobPositions.list(callerOf(request), request.query, after?.id);
      return withLink(request, reply, toPage(rows, request.query.limit, (p) => ({ id: p.id })));
    },
  });

  app.get('/job-positions/:id', {
    config: { roles: STAFF },
    schema: {
      operationId: 'getJobPosition',
      tags,
      summary: 'Get a job position',
      params: idParams,
      response: { 200: jobPositionSchema, ...problems(404) },
    },
    handler: async (request, reply) => {
      const position = await jobPositions.get(callerOf(request), request.params.id);
      setEtag(reply, position.version);
      return position;
    },
  });

  app.patch('/job-positions/:id', {
    config: { roles: ORGANIZERS },
    schema: {
      operationId: 'updateJobPosition',
      tags,
      summary: 'Update a job position',
      description: 'Staff category, leadership flag and grade are fixed once a quota names the position (409 job_position.in_use).',
      params: idParams,
      headers: ifMatchHeaders,
      body: patchJobPositionBody,
      response: { 200: jobPositionSchema, ...problems(404, 409, 412) },
    },
    handler: async (request, reply) => {
      const position = await jobPositions.update(callerOf(request), request.params.id, expectedVersion(request), request.body);
      setEtag(reply, position.version);
      return position;
    },
  });
};
