import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth.js';
import { problems } from '../../http/openapi.js';
import { idParams } from '../../http/primitives.js';
import { READERS } from '../../http/roles.js';
import type { Role } from '../api-keys/api-keys.table.js';
import { correctionListSchema, correctionSchema, createCorrectionBody, decideCorrectionBody } from './identity.schemas.js';
import type { IdentityService } from './identity.service.js';

const tags = ['candidates'];
const REQUESTERS: readonly Role[] = ['registrar', 'organizer'];
const APPROVERS: readonly Role[] = ['approver'];

export const identityRoutes: FastifyPluginAsyncZod<{ identity: IdentityService }> = async (app, { identity }) => {
  app.post('/candidates/:id/identity-corrections', {
    config: { roles: REQUESTERS, idempotent: true },
    schema: {
      operationId: 'requestIdentityCorrection',
      tags,
      summary: 'Ask the approver to correct a candidate’s identity (name, birth date, national ID)',
      description:
        'Once a drive the candidate applied to has approved results, PATCH /v1/candidates/{id} refuses identity fields (409 ' +
        'candidate.identity_frozen): the correction goes through here and takes effect when the approver authorises it. One pending ' +
        'correction per candidate (409 identity_correction.pending). A corrected national ID waits encrypted and is shown only masked ' +
        '(before/after nationalIdMasked); it must belong to no other person (409 identity_correction.national_id_taken), differ from the ' +
        'current one (422 identity_correction.national_id_unchanged) and agree with the birth year and sex (422 national_id.*). Raises the ' +
        'webhook event identity_correction.requested (ids and field names only).',
      params: idParams,
      body: createCorrectionBody,
      response: { 201: correctionSchema, ...problems(404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await identity.request(callerOf(request), request.params.id, request.body)),
  });

  app.get('/candidates/:id/identity-corrections', {
    config: { roles: READERS },
    schema: {
      operationId: 'listIdentityCorrections',
      tags,
      summary: 'The history of corrections of a candidate’s identity (newest first)',
      params: idParams,
      response: { 200: correctionListSchema, ...problems(404) },
    },
    handler: async (request) => identity.list(callerOf(request), request.params.id),
  });

  app.post('/identity-corrections/:id/decision', {
    config: { roles: APPROVERS },
    schema: {
      operationId: 'decideIdentityCorrection',
      tags,
      summary: 'The approver authorises or refuses an identity correction',
      description:
        'Authorised, it corrects the person and the identity frozen at approval (public results and exports show the corrected identity, ' +
        'marked as corrected); the before and after stay in the history. A corrected national ID is re-encrypted and re-indexed under the ' +
        'current data key, and refused if another person took it meanwhile (409 identity_correction.national_id_taken). Raises the webhook ' +
        'event identity_correction.decided (ids, status and field names only). Roles: approver.',
      params: idParams,
      body: decideCorrectionBody,
      response: { 200: correctionSchema, ...problems(404, 409) },
    },
    handler: async (request) => identity.decide(callerOf(request), request.params.id, request.body),
  });
};
