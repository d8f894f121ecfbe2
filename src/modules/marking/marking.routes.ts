import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth.js';
import { problems } from '../../http/openapi.js';
import { decodeCursor, toPage, withLink } from '../../http/pagination.js';
import { idParams } from '../../http/primitives.js';
import type { Role } from '../api-keys/api-keys.table.js';
import { SCORING_BOARDS } from '../boards/boards.table.js';
import { codeCursor, csvNote, parseCsv } from '../rounds/rounds.routes.js';
import {
  atomicQuery,
  decisionsResult,
  postDecisionsBody,
  putBagsBody,
  putBagsResult,
  putMarksBody,
  putMarksResult,
  putScoresBody,
  putScoresResult,
  reconciliationPage,
  reconciliationQuery,
} from '../rounds/rounds.schemas.js';
import { DECIDING_BOARDS, type MarkingService } from './marking.service.js';

/*
 * Marks, reconciliation and direct score import of a round. The URLs and shapes are those the
 * rounds module served; the rules are the drive's marking regime (see marking.service.ts).
 */

const tags = ['rounds'];
const MARKERS: readonly Role[] = ['marker'];
/** Packing scripts into bags: the anonymisation board, or the council (Quy chế Art. 15, 16(1)(b)). */
const BAG_PACKERS: readonly Role[] = ['anonymizer', 'council'];
const COUNCIL: readonly Role[] = ['council'];
const RECONCILIATION_READERS: readonly Role[] = ['council', 'organizer'];

export const markingRoutes: FastifyPluginAsyncZod<{ marking: MarkingService }> = async (app, { marking }) => {
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseCsv(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.put('/rounds/:id/marks', {
    config: { roles: MARKERS, members: SCORING_BOARDS },
    schema: {
      operationId: 'putMarks',
      tags,
      summary: 'Enter marks by script code and marker slot (bulk)',
      description:
        `${csvNote} CSV header: code,slot,score. Slots: '1' (single), '1'/'2' (double; '3' = third marker for an escalated script), ` +
        "'panel:<member>' (panel). A slot already held by another marker refuses the batch with 409 mark.slot_taken. " +
        'Re-entering your own slot replaces it (the audit trail keeps the previous value). One marker never holds two slots of a script ' +
        '(slots 1 and 2, the third mark after 1 or 2, two panel slots): 409 mark.same_marker. Roles: marker. Member binding: once the ' +
        'drive records its boards, only a key bound to a member of a scoring board (marking, appeals, interview, oral, practical, project); ' +
        'a role key is refused 403 member.key_required whatever its On-Behalf-Of says. The council’s views name the member of each mark. ' +
        'Marking regime (rule set `marking`, default by preset): under Circular 22/2025 (Decree 170 drives) a paper written script is ' +
        'double-marked: spread ≤ 5 → mean at 2 decimals; 5 < spread < 10 → the head decides; ≥ 10 → a third member (slot 3); 2 of 3 ' +
        'equal → that mark, else the head decides (Quy chế Art. 16(2)); a panel part is the mean of its panelSize members at 2 decimals, ' +
        'the head deciding past a 10-point spread, and cannot be final without a panel size (Art. 20(1), 22(1)); computer-based parts take ' +
        'no marks (`mark.computer_part`). A panel secretary enters a member’s mark from their signed sheet with `member` and `sheetRef` ' +
        '(`mark.transcription_*` row errors otherwise).',
      params: idParams,
      querystring: atomicQuery,
      body: putMarksBody,
      response: { 200: putMarksResult, ...problems(404, 409, 422) },
    },
    handler: async (request) => marking.putMarks(callerOf(request), request.params.id, request.body, request.query.atomic === 'true'),
  });

  app.put('/rounds/:id/bags', {
    config: { roles: BAG_PACKERS, members: ['anonymisation', 'marking', 'council'] },
    schema: {
      operationId: 'packBags',
      tags,
      summary: 'Pack paper scripts into sealed bags (túi bài) by code',
      description:
        'Circular 22/2025 Quy chế Art. 16(1)(b), 16(2)(a)–(b): double-marked paper scripts are marked bag by bag; the head of marking ' +
        'hands each bag to a first marker and later to a second marker who did not mark it first. Once packed, PUT /rounds/{id}/marks ' +
        'refuses a first or second mark by a member who gave the other one in the same bag (409 mark.same_bag). Packing (or repacking) ' +
        'is by code while the round is scheduled or marking (409 bags.round_closed); a script already marked keeps its bag. Row errors ' +
        '(script.not_found, bag.not_double_marked, bag.script_marked) refuse the whole request with 422 bags.rejected. Roles: anonymizer, council.',
      params: idParams,
      body: putBagsBody,
      response: { 200: putBagsResult, ...problems(403, 404, 409, 422) },
    },
    handler: async (request) => marking.packBags(callerOf(request), request.params.id, request.body),
  });

  app.get('/rounds/:id/reconciliation', {
    config: { roles: RECONCILIATION_READERS },
    schema: {
      operationId: 'listReconciliation',
      tags,
      summary: 'Scripts whose marks need a decision (head decides or escalated), by code only',
      params: idParams,
      querystring: reconciliationQuery,
      response: { 200: reconciliationPage, ...problems(404) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, codeCursor);
      const rows = await marking.listReconciliation(callerOf(request), request.params.id, request.query, after?.code);
      return withLink(request, reply, toPage(rows, request.query.limit, (s) => ({ code: s.code })));
    },
  });

  app.post('/rounds/:id/reconciliation', {
    config: { roles: COUNCIL, members: DECIDING_BOARDS },
    schema: {
      operationId: 'decideReconciliation',
      tags,
      summary: 'The head’s decided scores, or 0 for a rule breach, each with a reason (all or none)',
      description:
        'Roles: council. Member binding: once the drive records its boards, only a key bound to the head of the marking board or the ' +
        'council’s chair; for panel parts the head of the panel (403 member.key_required, member.wrong_board, member.wrong_seat). ' +
        'Under Circular 22/2025 an escalated script waits for its third member (`script.awaits_third_marker`), and a zero for a breach ' +
        'applies to paper scripts and needs the marker’s written report `reportRef` (Quy chế Art. 16(3); `decision.report_required`).',
      params: idParams,
      body: postDecisionsBody,
      response: { 200: decisionsResult, ...problems(404, 409, 422) },
    },
    handler: async (request) => marking.decide(callerOf(request), request.params.id, request.body.decisions),
  });

  app.put('/rounds/:id/scores', {
    config: { roles: ['organizer', 'council'], members: ['council'] },
    schema: {
      operationId: 'putScores',
      tags,
      summary: 'Import final scores directly (the machine’s export of computer-based parts)',
      description:
        `${csvNote} Columns: applicationId or candidateNumber, partCode, and one of score, correct (gate rounds: correct answers; ` +
        'the part’s maxScore is the number of questions) or absent=true. Under Decree 170/2025 a row for a candidate who did not pass an ' +
        'earlier gate round, or for a part after a `computer` written part they did not pass (scores in the same request count), is refused ' +
        '(`script.not_admitted`, Art. 9(2)(a), 16(4)(c)); so is one for a candidate who did not pass the foreign-language exam (Art. 9(5)). ' +
        'A row for a quota of another grade than the round’s is refused with `script.other_grade`; one in a `foreignLanguage` round for a quota ' +
        'not requiring a foreign language, `script.language_not_required`. Under Circular 22/2025 a paper written part (double-marked ' +
        'anonymously, Quy chế Art. 16) and a panel part of a recruitment drive, or of a leadership drive whose rule set says ' +
        '`leadership.panelScores: members` (the preset; `import` keeps the legacy import), (each member’s own sheet, Art. 22(1): PUT /marks, the ' +
        'secretary transcribing with member and sheetRef) take no imported score: 409 `scores.marked_part` naming the parts. The audit event `scores.imported` lists every changed score with its old and new value ' +
        'and its source (machine_export, member or api_key).',
      params: idParams,
      querystring: atomicQuery,
      body: putScoresBody,
      response: { 200: putScoresResult, ...problems(404, 409, 422) },
    },
    handler: async (request) => marking.putScores(callerOf(request), request.params.id, request.body, request.query.atomic === 'true'),
  });
};
