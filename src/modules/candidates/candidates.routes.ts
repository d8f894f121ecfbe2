import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth.js';
import { expectedVersion, ifMatchHeaders, setEtag } from '../../http/etag.js';
import { idempotencyHeaders } from '../../http/idempotency.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, idCursor, pageOf, toPage, withLink } from '../../http/pagination.js';
import { idParams } from '../../http/primitives.js';
import { READERS } from '../../http/roles.js';
import type { Role } from '../api-keys/api-keys.table.js';
import { candidateSchema, createCandidateBody, listCandidatesQuery, patchCandidateBody } from './candidates.schemas.js';
import type { CandidatesService } from './candidates.service.js';

const tags = ['candidates'];
/** HR portals and the organising office register candidates; markers never see identities. */
export const CANDIDATE_WRITERS: readonly Role[] = ['registrar', 'organizer'];

export const candidatesRoutes: FastifyPluginAsyncZod<{ candidates: CandidatesService }> = async (app, { candidates }) => {
  app.post('/candidates', {
    config: { roles: CANDIDATE_WRITERS, idempotent: true },
    schema: {
      operationId: 'createCandidate',
      tags,
      summary: 'Register a candidate (thí sinh)',
      description:
        'The national ID is validated (12 digits, province code), stored encrypted (AES-256-GCM) with a keyed blind index; ' +
        'a second candidate with the same national ID is refused (409 candidate.duplicate_national_id). A key scoped to an agency ' +
        'records that agency as the registering one. The response shows the national ID masked.',
      headers: idempotencyHeaders,
      body: createCandidateBody,
      response: { 201: candidateSchema, ...problems(409, 422) },
    },
    handler: async (request, reply) => {
      const candidate = await candidates.create(callerOf(request), request.body);
      setEtag(reply, candidate.version);
      return reply.code(201).header('location', `/v1/candidates/${candidate.id}`).send(candidate);
    },
  });

  app.get('/candidates', {
    config: { roles: READERS },
    schema: {
      operationId: 'listCandidates',
      tags,
      summary: 'List candidates (masked)',
      description:
        'National IDs and contacts are always masked in lists. `nationalId` finds the candidate with exactly that national ID ' +
        '(through its blind index); `q` searches names with or without diacritics. A scoped key sees the candidates its agency ' +
        'subtree registered or applied to its quotas.',
      querystring: listCandidatesQuery,
      response: { 200: pageOf(candidateSchema) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, idCursor);
      const rows = await candidates.list(callerOf(request), request.query, after?.id);
      return withLink(request, reply, toPage(rows, request.query.limit, (c) => ({ id: c.id })));
    },
  });

  app.get('/candidates/:id', {
    config: { roles: READERS },
    schema: {
      operationId: 'getCandidate',
      tags,
      summary: 'Get a candidate',
      description:
        'Contacts are shown in full. The full `nationalId` is included only for admin, registrar (identity checks when ' +
        'registering) and council (eligibility review) keys; other roles see `nationalIdMasked` only.',
      params: idParams,
      response: { 200: candidateSchema, ...problems(404) },
    },
    handler: async (request, reply) => {
      const candidate = await candidates.get(callerOf(request), request.params.id);
      setEtag(reply, candidate.version);
      return candidate;
    },
  });

  app.patch('/candidates/:id', {
    config: { roles: CANDIDATE_WRITERS },
    schema: {
      operationId: 'updateCandidate',
      tags,
      summary: 'Correct a candidate’s data',
      description: 'Contacts and education merge field by field; priority claims are replaced. Honours If-Match (412).',
      params: idParams,
      headers: ifMatchHeaders,
      body: patchCandidateBody,
      response: { 200: candidateSchema, ...problems(404, 409, 412, 422) },
    },
    handler: async (request, reply) => {
      const candidate = await candidates.update(callerOf(request), request.params.id, expectedVersion(request), request.body);
      setEtag(reply, candidate.version);
      return candidate;
    },
  });
};
