import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth.js';
import { expectedVersion, ifMatchHeaders, setEtag } from '../../http/etag.js';
import { idempotencyHeaders } from '../../http/idempotency.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, idCursor, pageOf, toPage, withLink } from '../../http/pagination.js';
import { idParams } from '../../http/primitives.js';
import { ORGANIZERS, STAFF } from '../../http/roles.js';
import { createQuotaBody, listQuotasQuery, patchQuotaBody, quotaSchema } from './quotas.schemas.js';
import type { QuotasService } from './quotas.service.js';

const tags = ['quotas'];

export const quotasRoutes: FastifyPluginAsyncZod<{ quotas: QuotasService }> = async (app, { quotas }) => {
  app.post('/drives/:id/quotas', {
    config: { roles: ORGANIZERS, idempotent: true },
    schema: {
      operationId: 'createQuota',
      tags,
      summary: 'Add a quota (chỉ tiêu) to a draft drive',
      description:
        'Only while the drive is draft (409 quota.frozen). Recruitment quotas must fit the agency’s unused headcount less the slots ' +
        'held by other running recruitment drives (422 quota.exceeds_unused_headcount, with assigned/filled/reserved/requested/available; ' +
        '422 quota.no_headcount). The position must be at the agency (quota.position_not_at_agency) and in the drive’s staff category ' +
        '(quota.staff_category_mismatch). A leadership title is a quota of 1 (quota.leadership_single_slot). 409 quota.duplicate. ' +
        'Where the plan requires a foreign language for the position (Decree 170/2025 Art. 9(5)), `foreignLanguage` records it with the agency’s pass mark. ' +
        'A position the plan reserves for ethnic-minority candidates (Decree 170/2025 Art. 3(2)(c)) sets `ethnicMinorityOnly`, or names ' +
        'the groups in `ethnicGroups` with their slots where the plan sets them (422 quota.ethnic_groups_invalid: Kinh, a group twice, ' +
        'or slots summing above the quota’s); registration then refuses other candidates (422 application.ethnicity_restricted) and ' +
        'the ranking passes over a candidate whose group’s slots are taken, and the results are not submitted while a group has more winners ' +
        'than its slots (409 results.ethnic_group_slots_exceeded, a safety net). ' +
        'A position recruited jointly for several user agencies (job position `joint`, Decree 170/2025 Art. 3(2)(b), 10(3)) belongs to the ' +
        'recruiting authority, the drive’s organising agency (422 quota.joint_position_not_of_authority), and gets one quota per user agency ' +
        '(`agencyId`), each within that agency’s headcount as above; it takes no second choices (422 quota.joint_second_choice) and is ' +
        'filled through a recruitment drive (422 quota.joint_not_recruitment).',
      params: idParams,
      headers: idempotencyHeaders,
      body: createQuotaBody,
      response: { 201: quotaSchema, ...problems(404, 409, 422) },
    },
    handler: async (request, reply) => {
      const quota = await quotas.create(callerOf(request), request.params.id, request.body);
      setEtag(reply, quota.version);
      return reply.code(201).header('location', `/v1/quotas/${quota.id}`).send(quota);
    },
  });

  app.get('/drives/:id/quotas', {
    config: { roles: STAFF },
    schema: {
      operationId: 'listQuotas',
      tags,
      summary: 'List a drive’s quotas',
      params: idParams,
      querystring: listQuotasQuery,
      response: { 200: pageOf(quotaSchema), ...problems(404) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, idCursor);
      const rows = await quotas.list(callerOf(request), request.params.id, request.query, after?.id);
      return withLink(request, reply, toPage(rows, request.query.limit, (q) => ({ id: q.id })));
    },
  });

  app.get('/quotas/:id', {
    config: { roles: STAFF },
    schema: {
      operationId: 'getQuota',
      tags,
      summary: 'Get a quota',
      params: idParams,
      response: { 200: quotaSchema, ...problems(404) },
    },
    handler: async (request, reply) => {
      const quota = await quotas.get(callerOf(request), request.params.id);
      setEtag(reply, quota.version);
      return quota;
    },
  });

  app.patch('/quotas/:id', {
    config: { roles: ORGANIZERS },
    schema: {
      operationId: 'updateQuota',
      tags,
      summary: 'Change a quota’s slots or title (draft drives only)',
      params: idParams,
      headers: ifMatchHeaders,
      body: patchQuotaBody,
      response: { 200: quotaSchema, ...problems(404, 409, 412, 422) },
    },
    handler: async (request, reply) => {
      const quota = await quotas.update(callerOf(request), request.params.id, expectedVersion(request), request.body);
      setEtag(reply, quota.version);
      return quota;
    },
  });

  app.delete('/quotas/:id', {
    config: { roles: ORGANIZERS },
    schema: {
      operationId: 'deleteQuota',
      tags,
      summary: 'Remove a quota from a draft drive',
      params: idParams,
      headers: ifMatchHeaders,
      response: { 204: z.null().describe('Deleted'), ...problems(404, 409, 412) },
    },
    handler: async (request, reply) => {
      await quotas.remove(callerOf(request), request.params.id, expectedVersion(request));
      return reply.code(204).send(null);
    },
  });
};
