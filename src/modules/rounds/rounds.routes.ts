import { parse } from 'csv-parse/sync';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { expectedVersion, ifMatchHeaders, setEtag } from '../../http/etag.js';
import { idempotencyHeaders } from '../../http/idempotency.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, toPage, withLink } from '../../http/pagination.js';
import { idParams, uuid } from '../../http/primitives.js';
import { ORGANIZERS, STAFF } from '../../http/roles.js';
import type { Role } from '../api-keys/api-keys.table.js';
import {
  createRoundBody,
  createRoundsQuery,
  issueScriptsResult,
  listScriptsQuery,
  patchRoundBody,
  revealSchema,
  roundListSchema,
  roundSchema,
  scriptPageSchema,
  transitionBody,
} from './rounds.schemas.js';
import type { RoundsService } from './rounds.service.js';

const tags = ['rounds'];

// Markers may read round structure and scripts by code; they never reach candidates or applications.
const ROUND_READERS: readonly Role[] = [...STAFF, 'marker'];
const ROUND_MOVERS: readonly Role[] = ['organizer', 'council'];
const SCRIPT_READERS: readonly Role[] = ['marker', 'anonymizer', 'council'];
const SCRIPT_ISSUERS: readonly Role[] = ['anonymizer', 'council'];
const COUNCIL: readonly Role[] = ['council'];

export const codeCursor = z.object({ code: z.string().max(32) });
export const csvNote = 'Accepts application/json (an array) or text/csv (UTF-8, header row) and answers per row.';

/** text/csv bodies (as exported from Excel) become arrays of row objects; blank cells are omitted. */
export function parseCsv(body: string): Record<string, string>[] {
  try {
    const records = parse(body, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
    return records.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== '')));
  } catch (err) {
    throw new AppError(400, 'request.malformed_csv', `The CSV could not be read: ${(err as Error).message}`);
  }
}

export const roundsRoutes: FastifyPluginAsyncZod<{ rounds: RoundsService }> = async (app, { rounds }) => {
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseCsv(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.post('/drives/:id/rounds', {
    config: { roles: ORGANIZERS, idempotent: true },
    schema: {
      operationId: 'createRound',
      tags,
      summary: 'Create a round with its parts, or the rule set’s default rounds (?fromRuleSet=true)',
      description:
        'With ?fromRuleSet=true the body is ignored and every default round of the drive’s rule set that does not exist yet is created ' +
        '(exemption codes from the rule set’s exemptions). Where quotas require a foreign language (Decree 170/2025 Art. 9(5)), one ' +
        'foreign-language round per language comes first (orders 1…k, a 100-point computer test by default, parts changeable while scheduled) ' +
        'and the rule set’s rounds follow it. Answers 201 with the list of rounds created. A hand-built round of a drive whose rule set has ' +
        'per-grade structures (Decree 170/2025 Art. 9) keeps them: written + interview combine as the rule set does (70 : 30, else 422 ' +
        'round.weights_not_lawful); nhân viên sit no written part, chuyên viên chính and cao cấp no gate round, the Đề án is panel-marked ' +
        '(422 round.structure_mismatch). Where the drive’s panels follow Circular 22/2025 (Quy chế Art. 20(1), 22(1): at least two members ' +
        'score each candidate), a panel part names its panelSize (422 part.panel_size_required) and a part the rule set makes a panel part ' +
        '(interview, oral or practical, Đề án, leadership action plan) is not marked single or double (422 part.panel_required).',
      params: idParams,
      querystring: createRoundsQuery,
      headers: idempotencyHeaders,
      body: createRoundBody.nullish(),
      response: { 201: z.union([roundSchema, roundListSchema]), ...problems(404, 409, 422) },
    },
    handler: async (request, reply) => {
      const caller = callerOf(request);
      if (request.query.fromRuleSet === 'true') {
        const items = await rounds.createFromRuleSet(caller, request.params.id);
        return reply.code(201).send({ items, nextCursor: null });
      }
      const parsed = createRoundBody.safeParse(request.body);
      if (!parsed.success) {
        throw new AppError(400, 'request.invalid', 'A round body is required (or ?fromRuleSet=true)', {
          errors: parsed.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })),
        });
      }
      const round = await rounds.create(caller, request.params.id, parsed.data);
      setEtag(reply, round.version);
      return reply.code(201).header('location', `/v1/rounds/${round.id}`).send(round);
    },
  });

  app.get('/drives/:id/rounds', {
    config: { roles: ROUND_READERS },
    schema: {
      operationId: 'listRounds',
      tags,
      summary: 'Rounds of a drive in order, with their parts',
      params: idParams,
      response: { 200: roundListSchema, ...problems(404) },
    },
    handler: async (request) => ({ items: await rounds.list(callerOf(request), request.params.id), nextCursor: null }),
  });

  app.get('/rounds/:id', {
    config: { roles: ROUND_READERS },
    schema: { operationId: 'getRound', tags, summary: 'Get a round', params: idParams, response: { 200: roundSchema, ...problems(404) } },
    handler: async (request, reply) => {
      const round = await rounds.get(callerOf(request), request.params.id);
      setEtag(reply, round.version);
      return round;
    },
  });

  app.patch('/rounds/:id', {
    config: { roles: ORGANIZERS },
    schema: {
      operationId: 'updateRound',
      tags,
      summary: 'Change a round (only while scheduled; parts only before script codes are issued)',
      description:
        'New parts follow the same checks as on creation, including the panel rules of Circular 22/2025 (Quy chế Art. 20(1), 22(1)): 422 ' +
        'part.panel_size_required, part.panel_required.',
      params: idParams,
      headers: ifMatchHeaders,
      body: patchRoundBody,
      response: { 200: roundSchema, ...problems(404, 409, 412, 422) },
    },
    handler: async (request, reply) => {
      const round = await rounds.update(callerOf(request), request.params.id, expectedVersion(request), request.body);
      setEtag(reply, round.version);
      return round;
    },
  });

  app.post('/rounds/:id/transitions', {
    config: { roles: ROUND_MOVERS, members: ['council'] },
    schema: {
      operationId: 'transitionRound',
      tags,
      summary: 'Move a round: scheduled → marking → locked → (reveal) → published',
      description:
        'locked needs every script of an active, present candidate to have its final score (409 round.unreconciled_scripts). ' +
        'revealed is reached only through POST /v1/rounds/{id}/reveal. published opens the appeal window.',
      params: idParams,
      headers: ifMatchHeaders,
      body: transitionBody,
      response: { 200: roundSchema, ...problems(404, 409, 412, 422) },
    },
    handler: async (request, reply) => {
      const round = await rounds.transition(callerOf(request), request.params.id, expectedVersion(request), request.body.to, request.body.reason);
      setEtag(reply, round.version);
      return round;
    },
  });

  app.post('/rounds/:id/scripts', {
    config: { roles: SCRIPT_ISSUERS, members: ['anonymisation', 'council'] },
    schema: {
      operationId: 'issueScripts',
      tags,
      summary: 'Issue random script codes (số phách) for every part of every active, non-exempt application',
      description:
        'Idempotent: codes already issued never change; applications registered since get new codes. ' +
        'For a leadership drive, `quotaIds` names the titles examined now (default: every title); titles without scripts stay pending. ' +
        'Under Decree 170/2025 (presets nd170, nd170-300) a round after a gate round is sat only by those who passed it (Art. 9(2)(a)): ' +
        'the others get no script (`notAdmitted`), and the gate round must be revealed first (409 `round.gate_not_revealed`). ' +
        'A graded round (`grade`) is sat by the quotas of that grade only. After a `computer` written part, the later parts of the round ' +
        '(the interview) are issued only to those who passed it (Art. 16(4)(c)): issue again once its scores are in. ' +
        'A `foreignLanguage` round is sat only by the candidates of quotas requiring a foreign language (Art. 9(5)); under every preset, ' +
        'those of them below their quota’s pass mark in it, or absent, get no script in a later round (`notAdmitted`; revealed first, 409 `round.gate_not_revealed`).',
      params: idParams,
      body: z.object({ quotaIds: z.array(uuid).min(1).max(5000).optional() }).strict().nullish(),
      response: { 200: issueScriptsResult, ...problems(404, 409) },
    },
    handler: async (request) => rounds.issueScripts(callerOf(request), request.params.id, request.body?.quotaIds),
  });

  app.get('/rounds/:id/scripts', {
    config: { roles: SCRIPT_READERS },
    schema: {
      operationId: 'listScripts',
      tags,
      summary: 'Scripts by code. Markers see the code, part, status and their own marks only',
      params: idParams,
      querystring: listScriptsQuery,
      response: { 200: scriptPageSchema, ...problems(404) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, codeCursor);
      const rows = await rounds.listScripts(callerOf(request), request.params.id, request.query, after?.code);
      return withLink(request, reply, toPage(rows, request.query.limit, (s) => ({ code: s.code })));
    },
  });

  app.post('/rounds/:id/reveal', {
    config: { roles: COUNCIL, members: ['council', 'supervision'] },
    schema: {
      operationId: 'revealRound',
      tags,
      summary: 'Join script codes to applications (ghép phách) — only after the round is locked; audited',
      description:
        'Roles: council; council members’ bound keys. Supervision-board members’ keys attend: they read the map once the round is ' +
        'revealed (403 supervision.read_only before).',
      params: idParams,
      response: { 200: revealSchema, ...problems(404, 409) },
    },
    handler: async (request) => rounds.reveal(callerOf(request), request.params.id),
  });
};
