import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth.js';
import { expectedVersion, ifMatchHeaders, setEtag } from '../../http/etag.js';
import { idempotencyHeaders } from '../../http/idempotency.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, idCursor, pageOf, toPage, withLink } from '../../http/pagination.js';
import { idParams } from '../../http/primitives.js';
import { READERS } from '../../http/roles.js';
import type { Role } from '../api-keys/api-keys.table.js';
import {
  candidateSchema,
  createCandidateBody,
  listCandidatesQuery,
  patchCandidateBody,
  searchCandidatesBody,
  unmappedEthnicitiesQuery,
  unmappedEthnicitiesSchema,
} from './candidates.schemas.js';
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
        'The national ID is validated (12 digits, province code; its century/sex and year digits must agree with the birth date ' +
        'and gender: 422 national_id.birth_date_mismatch / national_id.gender_mismatch), stored encrypted (AES-256-GCM) with a ' +
        'keyed blind index. Birth dates outside the past 100 years (400 candidate.birth_date_implausible) and names without ' +
        'letters or with bidirectional controls (400 candidate.name_invalid) are refused. A person is one record across agencies: ' +
        'a national ID that the caller’s agency subtree already registered is refused (409 candidate.duplicate_national_id); ' +
        'one registered only elsewhere is linked to the same person and answered exactly as a new registration, and the caller ' +
        'only ever reads what it submitted. The response shows the national ID masked.',
      headers: idempotencyHeaders,
      body: createCandidateBody,
      response: { 201: candidateSchema, ...problems(400, 409, 422) },
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
        'National IDs and contacts are always masked in lists. `nationalId` (deprecated: use POST /v1/candidates/search) finds the ' +
        'candidate with exactly that national ID (through its blind index); `q` searches names with or without diacritics. A scoped ' +
        'key sees the candidates its agency subtree registered or applied to its quotas, as its own subtree submitted them.',
      querystring: listCandidatesQuery,
      response: { 200: pageOf(candidateSchema) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, idCursor);
      const rows = await candidates.list(callerOf(request), request.query, after?.id);
      return withLink(request, reply, toPage(rows, request.query.limit, (c) => ({ id: c.id })));
    },
  });

  app.post('/candidates/search', {
    config: { roles: READERS },
    schema: {
      operationId: 'searchCandidates',
      tags,
      summary: 'Find candidates by national ID or name (lookup in the body)',
      description:
        'The lookups of GET /v1/candidates with the national ID in the JSON body, so that it never travels in a URL (access ' +
        'logs, proxies, browser history). Same scope and masking as the list; page with `cursor` = the previous `nextCursor`.',
      body: searchCandidatesBody,
      response: { 200: pageOf(candidateSchema), ...problems(400) },
    },
    handler: async (request) => {
      const after = decodeCursor(request.body.cursor, idCursor);
      const rows = await candidates.search(callerOf(request), request.body, after?.id);
      return toPage(rows, request.body.limit, (c) => ({ id: c.id }));
    },
  });

  app.get('/candidates/ethnicity-unmapped', {
    config: { roles: ['registrar', 'organizer', 'auditor'] },
    schema: {
      operationId: 'listUnmappedEthnicities',
      tags,
      summary: 'Ethnicity texts that name none of the 54 groups, by count',
      description:
        'Roles: admin, registrar, organizer, auditor. The ethnicity texts of candidates registered by the caller’s agency subtree ' +
        '(every candidate for a key without a scope) whose `ethnicityCode` is null, with how many submissions hold each, most ' +
        'frequent first: what to correct (PATCH /v1/candidates/{id} with `ethnicity` or `ethnicityCode`) before such candidates ' +
        'can register for a quota reserved for ethnic-minority candidates (Decree 170/2025 Art. 3(2)(c)). Texts and counts only.',
      querystring: unmappedEthnicitiesQuery,
      response: { 200: unmappedEthnicitiesSchema },
    },
    handler: async (request) => candidates.unmappedEthnicities(callerOf(request), request.query.limit),
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
