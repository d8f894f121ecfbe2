import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth.js';
import { expectedVersion, ifMatchHeaders, setEtag } from '../../http/etag.js';
import { idempotencyHeaders } from '../../http/idempotency.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, idCursor, pageOf, toPage, withLink } from '../../http/pagination.js';
import { idParams } from '../../http/primitives.js';
import { ORGANIZERS, STAFF } from '../../http/roles.js';
import {
  agencySchema,
  createAgencyBody,
  headcountParams,
  headcountSchema,
  listAgenciesQuery,
  patchAgencyBody,
  putHeadcountBody,
} from './agencies.schemas.js';
import type { AgenciesService } from './agencies.service.js';

const tags = ['agencies'];

export const agenciesRoutes: FastifyPluginAsyncZod<{ agencies: AgenciesService }> = async (app, { agencies }) => {
  app.post('/agencies', {
    config: { roles: ORGANIZERS, idempotent: true },
    schema: {
      operationId: 'createAgency',
      tags,
      summary: 'Create an agency',
      description: 'A key scoped to an agency may create agencies only inside its subtree.',
      headers: idempotencyHeaders,
      body: createAgencyBody,
      response: { 201: agencySchema, ...problems(409, 422) },
    },
    handler: async (request, reply) => {
      const agency = await agencies.create(callerOf(request), request.body);
      setEtag(reply, agency.version);
      return reply.code(201).header('location', `/v1/agencies/${agency.id}`).send(agency);
    },
  });

  app.get('/agencies', {
    config: { roles: STAFF },
    schema: {
      operationId: 'listAgencies',
      tags,
      summary: 'List agencies (the caller’s subtree)',
      querystring: listAgenciesQuery,
      response: { 200: pageOf(agencySchema) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, idCursor);
      const rows = await agencies.list(callerOf(request), request.query, after?.id);
      return withLink(request, reply, toPage(rows, request.query.limit, (a) => ({ id: a.id })));
    },
  });

  app.get('/agencies/:id', {
    config: { roles: STAFF },
    schema: {
      operationId: 'getAgency',
      tags,
      summary: 'Get an agency',
      params: idParams,
      response: { 200: agencySchema, ...problems(404) },
    },
    handler: async (request, reply) => {
      const agency = await agencies.get(callerOf(request), request.params.id);
      setEtag(reply, agency.version);
      return agency;
    },
  });

  app.patch('/agencies/:id', {
    config: { roles: ORGANIZERS },
    schema: {
      operationId: 'updateAgency',
      tags,
      summary: 'Update an agency (move it by changing parentId)',
      params: idParams,
      headers: ifMatchHeaders,
      body: patchAgencyBody,
      response: { 200: agencySchema, ...problems(404, 409, 412, 422) },
    },
    handler: async (request, reply) => {
      const agency = await agencies.update(callerOf(request), request.params.id, expectedVersion(request), request.body);
      setEtag(reply, agency.version);
      return agency;
    },
  });

  app.get('/agencies/:id/headcount/:year', {
    config: { roles: STAFF },
    schema: {
      operationId: 'getHeadcount',
      tags,
      summary: 'Headcount of an agency for a year: assigned, filled, unused, reserved by drives, available',
      params: headcountParams,
      response: { 200: headcountSchema, ...problems(404) },
    },
    handler: async (request) => agencies.getHeadcount(callerOf(request), request.params.id, request.params.year),
  });

  app.put('/agencies/:id/headcount/:year', {
    config: { roles: ORGANIZERS },
    schema: {
      operationId: 'putHeadcount',
      tags,
      summary: 'Set assigned and filled headcount per staff category',
      description: 'Refused (422 headcount.below_reserved) when unused headcount would fall below slots already held by drives.',
      params: headcountParams,
      body: putHeadcountBody,
      response: { 200: headcountSchema, ...problems(404, 422) },
    },
    handler: async (request) => agencies.putHeadcount(callerOf(request), request.params.id, request.params.year, request.body),
  });
};
