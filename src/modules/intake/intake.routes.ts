import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth.js';
import { expectedVersion, ifMatchHeaders, setEtag } from '../../http/etag.js';
import { idempotencyHeaders } from '../../http/idempotency.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, idCursor, pageOf, toPage, withLink } from '../../http/pagination.js';
import { idParams, year } from '../../http/primitives.js';
import { APPROVERS, COUNCIL, INTAKE_COUNCIL_FORMERS, INTAKE_RECORDERS, READERS, STAFF } from '../../http/roles.js';
import { downloadContent, exportFormat, sendTabular } from '../exports/tabular.js';
import {
  councilBody,
  councilReportBody,
  createCategoryBody,
  createIntakeBody,
  decisionBody,
  intakeCategorySchema,
  intakeSchema,
  listCategoriesQuery,
  listIntakesQuery,
  oralMarksBody,
  recruitmentReportQuery,
  recruitmentReportSchema,
} from './intake.schemas.js';
import type { IntakeService } from './intake.service.js';

const tags = ['intakes'];

export const intakeRoutes: FastifyPluginAsyncZod<{ intake: IntakeService }> = async (app, { intake }) => {
  app.get('/intake-categories', {
    config: { roles: STAFF },
    schema: {
      operationId: 'listIntakeCategories',
      tags,
      summary: 'The catalogue of intake (tiếp nhận) categories: conditions, dossier items with validity, council and oral, who decides',
      description:
        'Data, not code: seeded from Decree 170/2025 Art. 13–14 as issued (civil servants; Decree 300/2026 Art. 3–4 replaced them from ' +
        '2026-08-01 and its text is not held: add its categories as a new catalogue) and Decree 115/2020 Art. 13 as amended by 85/2023 ' +
        '(public employees). `on` keeps the entries in force that day.',
      querystring: listCategoriesQuery,
      response: { 200: z.object({ items: z.array(intakeCategorySchema) }) },
    },
    handler: async (request) => intake.categories(request.query),
  });

  app.post('/intake-categories', {
    config: { roles: [], idempotent: true },
    schema: {
      operationId: 'createIntakeCategory',
      tags,
      summary: 'Add an entry to the intake catalogue (admin): a category of a new version of the law',
      description: '409 intake_category.duplicate; 422 intake_category.min_years_required, intake_category.period_invalid.',
      headers: idempotencyHeaders,
      body: createCategoryBody,
      response: { 201: intakeCategorySchema, ...problems(409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await intake.createCategory(callerOf(request), request.body)),
  });

  app.post('/intakes', {
    config: { roles: INTAKE_RECORDERS, idempotent: true },
    schema: {
      operationId: 'createIntake',
      tags,
      summary: 'Request an intake (tiếp nhận): the person, position, category, conditions and dossier; holds one unit of headcount',
      description:
        'Holds one unit of the agency’s unused headcount of `year` (the decision’s year) under the same guard as quotas, counted with them ' +
        '(422 quota.exceeds_unused_headcount with assigned/filled/reserved/requested/available; 422 quota.no_headcount). The category must be ' +
        'of the position’s staff category (422 intake.category_mismatch) and in force when the dossier was received (422 ' +
        'intake.category_not_in_force). The national ID is stored encrypted with a keyed blind index, shown masked. The `assessment` ' +
        'lists what the conditions (170 Art. 13(3); 115 Art. 13(1)) and the dossier (170 Art. 13(4); 115 Art. 13(3)) still lack.',
      headers: idempotencyHeaders,
      body: createIntakeBody,
      response: { 201: intakeSchema, ...problems(409, 422) },
    },
    handler: async (request, reply) => {
      const created = await intake.create(callerOf(request), request.body);
      setEtag(reply, created.version);
      return reply.code(201).header('location', `/v1/intakes/${created.id}`).send(created);
    },
  });

  app.get('/intakes', {
    config: { roles: STAFF },
    schema: {
      operationId: 'listIntakes',
      tags,
      summary: 'List intakes in the key’s agency subtree (national IDs masked)',
      querystring: listIntakesQuery,
      response: { 200: pageOf(intakeSchema) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, idCursor);
      const rows = await intake.list(callerOf(request), request.query, after?.id);
      return withLink(request, reply, toPage(rows, request.query.limit, (r) => ({ id: r.id })));
    },
  });

  app.get('/intakes/export', {
    config: { roles: READERS },
    schema: {
      operationId: 'exportIntakes',
      tags,
      summary: 'Download the intakes of the key’s subtree (CSV or XLSX), national IDs masked',
      querystring: z.object({ year: year.optional() }).strict(),
      response: { 200: { description: 'One row per intake', content: downloadContent }, ...problems(406) },
    },
    handler: async (request, reply) => {
      const format = exportFormat(request.headers.accept);
      const data = await intake.exportRows(callerOf(request), request.query.year);
      return sendTabular(reply, format, data, (err) => request.log.error({ err }, 'intake export failed'));
    },
  });

  app.get('/intakes/:id', {
    config: { roles: STAFF },
    schema: {
      operationId: 'getIntake',
      tags,
      summary: 'Get an intake with its assessment, council, oral and decision',
      description: '404 intake.not_found also for another agency’s intake. The full national ID only for admin, registrar and council keys.',
      params: idParams,
      response: { 200: intakeSchema, ...problems(404) },
    },
    handler: async (request, reply) => {
      const found = await intake.get(callerOf(request), request.params.id);
      setEtag(reply, found.version);
      return found;
    },
  });

  app.put('/intakes/:id/council', {
    config: { roles: INTAKE_COUNCIL_FORMERS },
    schema: {
      operationId: 'formIntakeCouncil',
      tags,
      summary: 'Record the review council (Hội đồng kiểm tra, sát hạch) formed by the head',
      description:
        'Formed as the recruitment council (170 Art. 14(1)(a), 8(1)): 5 or 7 members, one chair (head), one deputy, one secretary (422 ' +
        'intake.council_composition). No member under discipline (422 intake.member_disciplined), the person (intake.member_is_subject) or ' +
        'related to the person (intake.member_related; 170 Art. 14(3)). 409 intake.no_council for a category or leadership post decided ' +
        'without one (170 Art. 14(2); 115 Art. 13(4)); 409 intake.council_reported; 409 intake.decided.',
      params: idParams,
      headers: ifMatchHeaders,
      body: councilBody,
      response: { 200: intakeSchema, ...problems(404, 409, 412, 422) },
    },
    handler: async (request, reply) => {
      const updated = await intake.formCouncil(callerOf(request), request.params.id, expectedVersion(request), request.body);
      setEtag(reply, updated.version);
      return updated;
    },
  });

  app.put('/intakes/:id/oral-marks', {
    config: { roles: COUNCIL },
    schema: {
      operationId: 'putIntakeOralMarks',
      tags,
      summary: 'Council members’ marks for the oral (sát hạch vấn đáp), out of 100',
      description:
        'The score is the members’ mean at 2 decimals; past a 10-point spread the chair decides (Circular 22/2025 Quy chế Art. 22(1)). ' +
        '409 intake.no_oral; 422 intake.not_a_member.',
      params: idParams,
      body: oralMarksBody,
      response: { 200: intakeSchema, ...problems(404, 409, 422) },
    },
    handler: async (request, reply) => {
      const updated = await intake.putOralMarks(callerOf(request), request.params.id, request.body);
      setEtag(reply, updated.version);
      return updated;
    },
  });

  app.post('/intakes/:id/council-report', {
    config: { roles: COUNCIL },
    schema: {
      operationId: 'reportIntakeCouncil',
      tags,
      summary: 'The council’s report to the head: passed or failed, with the oral’s score',
      description: '170 Art. 14(1)(b)–(c). 409 intake.council_not_formed, intake.oral_not_final (give chairDecidedScore past a 10-point spread), intake.council_reported.',
      params: idParams,
      headers: ifMatchHeaders,
      body: councilReportBody,
      response: { 200: intakeSchema, ...problems(404, 409, 412, 422) },
    },
    handler: async (request, reply) => {
      const updated = await intake.reportCouncil(callerOf(request), request.params.id, expectedVersion(request), request.body);
      setEtag(reply, updated.version);
      return updated;
    },
  });

  app.post('/intakes/:id/decision', {
    config: { roles: APPROVERS },
    schema: {
      operationId: 'decideIntake',
      tags,
      summary: 'The decision of the authority the category names: accepted (fills the headcount unit) or refused (releases it)',
      description:
        '`authority` must be the category’s (422 intake.wrong_authority; 170 Art. 13(2)); a managing-authority category is not decided with a ' +
        'key scoped to the receiving agency (403). The decision falls in the intake’s year (422 intake.decision_year_mismatch). Acceptance ' +
        'needs the conditions and dossier (422 intake.conditions_not_met, with problems[]) and, where a council sits, its passing report ' +
        '(409 intake.council_pending, intake.council_failed). A refusal states its reason (422 intake.reason_required). 409 intake.decided.',
      params: idParams,
      headers: ifMatchHeaders,
      body: decisionBody,
      response: { 200: intakeSchema, ...problems(403, 404, 409, 412, 422) },
    },
    handler: async (request, reply) => {
      const updated = await intake.decide(callerOf(request), request.params.id, expectedVersion(request), request.body);
      setEtag(reply, updated.version);
      return updated;
    },
  });

  app.get('/reports/recruitment', {
    config: { roles: STAFF },
    schema: {
      operationId: 'getRecruitmentReport',
      tags: ['reports'],
      summary: 'Recruited in a year, per agency: by exam, by review (xét tuyển) and by intake (tiếp nhận)',
      description:
        'Winners of the year’s recruitment drives whose results were approved (approved, published, finished; cancelled winners not counted), ' +
        'by their quota’s method, and intakes accepted with a decision of the year. Computed from the rows. 404 for an agency out of scope.',
      querystring: recruitmentReportQuery,
      response: { 200: recruitmentReportSchema, ...problems(404) },
    },
    handler: async (request) => intake.recruitmentReport(callerOf(request), request.query.year, request.query.agencyId),
  });
};
