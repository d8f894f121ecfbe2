import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth.js';
import { expectedVersion, ifMatchHeaders, setEtag } from '../../http/etag.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, encodeCursor, idCursor, withLink } from '../../http/pagination.js';
import { idParams } from '../../http/primitives.js';
import { STAFF } from '../../http/roles.js';
import type { Role } from '../api-keys/api-keys.table.js';
import type { Board } from '../boards/boards.table.js';
import { driveSchema } from '../drives/drives.schemas.js';
import {
  cancelBody,
  cancellationSchema,
  computationSchema,
  computeBody,
  computeQuery,
  listResultsQuery,
  publicResultsQuery,
  publicResultsSchema,
  resultsPageSchema,
  returnBody,
  approveBody,
  tieDecisionBody,
  tieDecisionResultSchema,
} from './results.schemas.js';
import type { ResultsService } from './results.service.js';
import { accepted, wantsAsync } from '../../http/prefer.js';
import { jobSchema, jobView, preferHeaders } from '../jobs/jobs.schemas.js';
import type { JobsService } from '../jobs/jobs.service.js';

const tags = ['results'];
type TransitionBody = { reason?: string; decision?: { number: string; date: string } };
const COMPUTERS: readonly Role[] = ['council', 'organizer'];
const COUNCIL: readonly Role[] = ['council'];
// Ties left after the legal chain are the head's (170 Art. 10(2), 12(2)): the approver records them, the council may not.
const HEAD: readonly Role[] = ['approver'];
const APPROVERS: readonly Role[] = ['approver'];
const PUBLISHERS: readonly Role[] = ['organizer', 'approver'];
const CANCELLERS: readonly Role[] = ['organizer', 'council'];

const nextCursorOf = <T extends { quotaId: string }>(rows: T[], limit: number) => {
  const last = rows[limit - 1];
  return rows.length > limit && last ? encodeCursor({ id: last.quotaId }) : null;
};

export const resultsRoutes: FastifyPluginAsyncZod<{ results: ResultsService; jobs?: JobsService }> = async (app, { results, jobs }) => {
  app.post('/drives/:id/results/compute', {
    config: { roles: COMPUTERS, members: ['council'] },
    schema: {
      operationId: 'computeResults',
      tags,
      summary: 'Compute the drive’s results (or preview them with ?dryRun=true)',
      description:
        'Runs the results engine over the frozen rule set, quotas, active applications, priority points, choices, exemptions and final ' +
        'part scores, replaces the stored results in one transaction and moves the drive to results_computed (from marking or ' +
        'results_computed; a returned drive is back in results_computed). With ?dryRun=true and a body { overrides } it returns a ' +
        'what-if preview under the merged rule set without saving anything. Refusals: 409 results.immutable (approved or later), ' +
        'results.awaiting_approval (submitted), results.not_ready, results.rounds_not_revealed, results.scores_incomplete, ' +
        'results.no_ranking_round; 422 results.overrides_need_dry_run, rule_set.invalid; 412 If-Match. ' +
        'The quotas of a position recruited jointly for several user agencies (Decree 170/2025 Art. 10(3)) are ranked together: winners ' +
        'are placed in score order at the first agency of their preferences with a slot left (`joint.placedAgencyId` on the row, listed ' +
        'under that agency’s quota); one whose agencies are all full stays a reserve; a tie at an agency’s last slot makes that quota ' +
        'tie_pending_decision, and rows whose placement depends on it are pending_tie (`joint.pendingTie`, quota awaiting_other_quota). ' +
        'Per-group slots of a reserved quota (Art. 3(2)(c)) are respected: a candidate whose group is full is passed over. ' +
        'With `Prefer: respond-async` the computation runs as a job: 202 with Location /v1/jobs/{id}; the job’s result is this ' +
        'response’s body, a refusal its problem; cancellable until its write transaction begins; a job whose instance died starts again.',
      params: idParams,
      querystring: computeQuery,
      headers: ifMatchHeaders.extend(preferHeaders.shape),
      body: computeBody,
      response: { 200: computationSchema, 202: jobSchema, ...problems(404, 409, 412, 422, 429) },
    },
    handler: async (request, reply) => {
      if (jobs && wantsAsync(request)) {
        const params = { driveId: request.params.id, expected: expectedVersion(request), dryRun: request.query.dryRun, overrides: request.body?.overrides, quotaId: request.query.quotaId };
        return accepted(reply, jobView(await jobs.enqueue('results.compute', callerOf(request), params, { driveId: request.params.id, total: 1 })));
      }
      const r = await results.compute(callerOf(request), request.params.id, expectedVersion(request), {
        dryRun: request.query.dryRun,
        overrides: request.body?.overrides,
        quotaId: request.query.quotaId,
      });
      if (!r.dryRun) setEtag(reply, r.version);
      return r;
    },
  });

  app.get('/drives/:id/results', {
    config: { roles: STAFF },
    schema: {
      operationId: 'listResults',
      tags,
      summary: 'Results per quota: status, winners, tied, reserves in order, failed; every row explains itself',
      description:
        'Paged over quotas (limit quotas per page, cursor). Filters: quotaId, outcome. 404 results.not_computed before the first computation.',
      params: idParams,
      querystring: listResultsQuery,
      response: { 200: resultsPageSchema, ...problems(404) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, idCursor);
      const r = await results.list(callerOf(request), request.params.id, request.query, after?.id);
      const limit = request.query.limit;
      setEtag(reply, r.drive.version);
      return withLink(request, reply, { drive: r.drive, items: r.items.slice(0, limit), nextCursor: nextCursorOf(r.items, limit) });
    },
  });

  app.post('/drives/:id/results/tie-decisions', {
    config: { roles: HEAD, members: ['agency_head'] },
    schema: {
      operationId: 'decideResultsTie',
      tags,
      summary: 'Record the head’s decision on a tie the rule set’s chain could not break',
      description:
        'Orders exactly the applications of one unresolved tie (across the last slot, or among reserves; for a jointly recruited position, ' +
        'the tie at the last slot of the user agency whose quota is given, Decree 170/2025 Art. 10(3)). While results are computed, ' +
        'the results are recomputed with it. After approval it settles a tie among reserves for a slot freed by a cancellation and ' +
        'promotes the first of them. 422 tie_decision.invalid; 409 results.not_decidable. Roles: approver, acting as the head of the ' +
        'recruiting agency with the decision’s reference (decision { number, date }; 422 head_decision.reference_required), or a key ' +
        'bound to the head’s seat (board agency_head). The council may no longer post them (403 auth.forbidden).',
      params: idParams,
      headers: ifMatchHeaders,
      body: tieDecisionBody,
      response: { 201: tieDecisionResultSchema, ...problems(404, 409, 412, 422) },
    },
    handler: async (request, reply) => {
      const r = await results.decideTie(callerOf(request), request.params.id, expectedVersion(request), request.body);
      setEtag(reply, r.driveVersion);
      return reply.code(201).send(r);
    },
  });

  const transition = (
    path: string,
    operationId: string,
    summary: string,
    roles: readonly Role[],
    run: (caller: ReturnType<typeof callerOf>, id: string, expected: number | undefined, body: TransitionBody | undefined) => ReturnType<ResultsService['approve']>,
    description: string,
    body?: typeof returnBody | typeof approveBody,
    members: readonly Board[] = ['council'],
  ) =>
    app.post(`/drives/:id/results/${path}`, {
      config: { roles, members },
      schema: {
        operationId,
        tags,
        summary,
        description,
        params: idParams,
        headers: ifMatchHeaders,
        ...(body ? { body } : {}),
        response: { 200: driveSchema, ...problems(404, 409, 412) },
      },
      handler: async (request, reply) => {
        const drive = await run(callerOf(request), (request.params as { id: string }).id, expectedVersion(request), (request.body ?? undefined) as TransitionBody | undefined);
        setEtag(reply, drive.version);
        return drive;
      },
    });

  transition(
    'submit',
    'submitResults',
    'Submit computed results to the approving authority',
    COUNCIL,
    (c, id, v) => results.submit(c, id, v),
    'results_computed → submitted. 409 results.ties_pending while a quota awaits a tie decision; 409 results.ethnic_group_slots_exceeded when a ' +
      'quota reserved for named ethnic groups has more winners of a group than the slots the plan set for it (Decree 170/2025 Art. 3(2)(c)); ' +
      '409 drive.invalid_transition otherwise.',
  );
  const headNote =
    ' Roles: approver; or a key bound to the head of the recruiting agency (board agency_head). Once the drive records its boards, an ' +
    'approver key must give the head’s decision { number, date } (422 head_decision.reference_required).';
  transition(
    'approve',
    'approveResults',
    'Approve submitted results (they become immutable)',
    APPROVERS,
    (c, id, v, body) => results.approve(c, id, v, body?.decision),
    `submitted → approved.${headNote}`,
    approveBody,
    ['agency_head'],
  );
  transition(
    'return',
    'returnResults',
    'Return submitted results to the council, with a reason',
    APPROVERS,
    (c, id, v, body) => results.returnResults(c, id, v, body?.reason ?? '', body?.decision),
    `submitted → results_computed (returned). The reason is recorded.${headNote}`,
    returnBody,
    ['agency_head'],
  );
  transition(
    'publish',
    'publishResults',
    'Publish approved results (public page)',
    PUBLISHERS,
    (c, id, v) => results.publish(c, id, v),
    'approved → published; sets publishedAt. 409 drive.invalid_transition for unapproved results.',
    undefined,
    ['agency_head'],
  );

  app.post('/results/:id/cancel', {
    config: { roles: CANCELLERS, members: ['council'] },
    schema: {
      operationId: 'cancelResult',
      tags,
      summary: 'Cancel a winner’s result; the next reserve of the same quota takes the slot',
      description:
        'Only a winner of approved or published results (409 result.not_cancellable, result.not_winner). fraud also bars the candidate ' +
        'from the following drives. Answers 200 with status promoted, no_reserve, or tie_pending_decision when the next reserves are ' +
        'tied: the cancellation stands and the quota awaits the head’s decision (POST …/results/tie-decisions). The id is the ' +
        'result’s (resultId) or the application’s: an application’s winning row is cancelled.',
      params: idParams,
      body: cancelBody,
      response: { 200: cancellationSchema, ...problems(404, 409, 422) },
    },
    handler: async (request) => results.cancel(callerOf(request), request.params.id, request.body),
  });
};

/** Published results, no key needed. */
export const publicResultsRoutes: FastifyPluginAsyncZod<{ results: ResultsService }> = async (app, { results }) => {
  app.get('/public/drives/:id/results', {
    config: { public: true },
    schema: {
      operationId: 'getPublicResults',
      tags,
      summary: 'Published results: winners per quota with masked identity (no key)',
      description:
        'Only for drives whose results are published or finished (404 results.not_published). Full names and candidate numbers as the ' +
        'law publishes them, national IDs masked; never birth dates or contacts.',
      params: idParams,
      querystring: publicResultsQuery,
      response: { 200: publicResultsSchema, ...problems(404) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, idCursor);
      const r = await results.publicResults(request.params.id, request.query, after?.id);
      const limit = request.query.limit;
      return withLink(request, reply, { drive: r.drive, items: r.items.slice(0, limit), nextCursor: nextCursorOf(r.items, limit) });
    },
  });
};
