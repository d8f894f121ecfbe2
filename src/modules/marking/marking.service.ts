import type { Caller, Clock } from '../../context.js';
import type { Db } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { examinesLanguage } from '../../domain/foreign-language.js';
import { formatScore, localDate, parseScore } from '../../domain/index.js';
import { markingRules, type EffectiveMarking } from '../../domain/marking-tt22.js';
import { leadershipPanelScores } from '../../domain/rule-sets.js';
import { normalizeScriptCode, newScriptCodes, newScriptId, shuffled } from '../../domain/script-codes.js';
import { conflict, unprocessable } from '../../errors.js';
import { audited } from '../audit/audit.writer.js';
import { requirePersonAct } from '../boards/boards.acts.js';
import { SCORING_BOARDS, type Board } from '../boards/boards.table.js';
import { DECIDED_RULES, slotKind, spreadOf, type ScriptOutcome } from '../rounds/rounds.marking.js';
import type { MarkRow, RoundsRepository } from '../rounds/rounds.repository.js';
import type { DecisionInput, MarkRowInput, ReconciliationQuery, ScoreRowInput } from '../rounds/rounds.schemas.js';
import { concerns, isRowError, partExemptions, rowError, scoreOf, type RoundsService, type RowError } from '../rounds/rounds.service.js';
import type { ScriptRow } from '../rounds/rounds.table.js';
import { reconcileFor, regimeOf } from './marking.rules.js';
import type { MarkingRepository } from './marking.repository.js';

/*
 * Marks, reconciliation decisions and direct score imports of a round (PUT /rounds/{id}/marks,
 * GET/POST /rounds/{id}/reconciliation, PUT /rounds/{id}/scores). The rule that turns marks into a
 * score is the drive's marking regime (marking.rules.ts): Circular 22/2025 Quy chế Art. 16 and 22 for
 * civil-servant drives under Decree 170/2025 (and leadership panels by analogy), the Circular 6/2020
 * spread rule of the rule set for the others.
 */

export type MarkingDeps = { db: Db; repo: RoundsRepository; marking: MarkingRepository; rounds: RoundsService; clock: Clock };

/** Boards whose head settles a script's score: the marking board (paper scripts), the panels, the council's chair. */
const PANEL_BOARDS: readonly Board[] = ['interview', 'oral', 'practical', 'project'];
export const DECIDING_BOARDS: readonly Board[] = ['marking', 'council', ...PANEL_BOARDS];

const hundredthsOf = (numeric: string) => parseScore(numeric);
const asText = (h: number | null) => (h === null ? null : formatScore(h));

export function createMarkingService(deps: MarkingDeps) {
  const { db, repo, clock } = deps;
  const { visibleRound, requireMarking, applyOutcome, markersOf, keptOutByGates, laterPartGate } = deps.rounds.internals;

  const marking = (ruleSet: Parameters<typeof markingRules>[0]): EffectiveMarking => markingRules(ruleSet, localDate(clock()));

  return {
    /**
     * Bulk marks by code and slot. Rows that are wrong in themselves are answered per row; a slot
     * already held by another marker refuses the whole batch (409), so of two markers racing for a
     * slot exactly one wins. Affected scripts are reconciled under the drive's marking regime.
     * A panel's secretary may enter a member's mark from that member's signed sheet, naming the
     * member and the sheet (Circular 22/2025 Quy chế Art. 22(1)); the mark is then the member's.
     */
    async putMarks(caller: Caller, id: string, rows: MarkRowInput[], atomic: boolean) {
      return audited(db, caller.actor, async (tx, record) => {
        // FOR SHARE: batches run side by side, but a lock transition waits for them (and they for it).
        const { round, drive, ruleSet } = await visibleRound(caller, id, tx, 'share');
        requireMarking(round);
        const regime = marking(ruleSet);
        const parts = new Map((await repo.partsOf([id], tx)).map((p) => [p.id, p]));
        const codes = rows.map((r) => normalizeScriptCode(r.code));
        const scripts = await repo.lockScriptsByCodes(tx, id, [...new Set(codes.filter((c): c is string => c !== null))]);
        const byCode = new Map(scripts.map((s) => [s.code, s]));
        const codeOf = new Map(scripts.map((s) => [s.id, s.code]));
        // Marks are a person's act: on a drive that records its boards, only a scoring board's member (170 Art. 8; Quy chế Art. 20, 22).
        const member = await requirePersonAct(tx, caller, drive.id, { what: 'Marks', boards: SCORING_BOARDS });
        const existing = await repo.marksOf(scripts.map((s) => s.id), tx);
        const slots = new Map(existing.map((m) => [`${m.scriptId}/${m.slot}`, m]));
        const me = caller.actor.keyId;
        const memberId = member?.id ?? null;
        // Members a secretary transcribes for: active seats of this drive on the secretary's board.
        const named = [...new Set(rows.flatMap((r) => (r.member ? [r.member] : [])))];
        const sheetsOf = new Map((await deps.marking.activeMembers(drive.id, named, tx)).map((m) => [m.id, m]));
        // Who gave a mark: the member named on a transcribed sheet, else the member whose key entered it, else the key.
        const givenBy = (m: Pick<MarkRow, 'memberId' | 'markerKeyId'>, by: string | null) => (by ? m.memberId === by : m.memberId === null && m.markerKeyId === me);
        // Bags (túi bài) of these scripts, and the first and second marks already given in them (Quy chế Art. 16(2)(a)–(b)).
        const bagOf = new Map(scripts.map((s) => [s.id, s.bag]));
        const bagRows = await deps.marking.bagMarks(tx, id, [...new Set(scripts.flatMap((s) => (s.bag ? [s.bag] : [])))]);
        const heldInBag = (bag: string, slot: string, by: string | null) =>
          bagRows.some((m) => m.bag === bag && m.slot === slot && givenBy(m, by)) ||
          [...slots.values()].some((m) => m.slot === slot && bagOf.get(m.scriptId) === bag && givenBy(m, by));
        const sameBag: { row: number; code: string; slot: string; bag: string }[] = [];
        const sameMarker: { row: number; code: string; slot: string; heldSlot: string }[] = [];
        const results: { row: number; status: 'saved' | 'replaced' | 'rejected'; code: string; slot: string; scriptStatus?: ScriptRow['status']; errors?: RowError[] }[] = [];
        const taken: { row: number; code: string; slot: string }[] = [];
        const writes: { scriptId: string; slot: string; score: number; by: string | null; sheetRef: string | null; replace?: MarkRow }[] = [];
        const touched = new Set<string>();

        rows.forEach((r, i) => {
          const row = i + 1;
          const code = codes[i];
          const script = code ? byCode.get(code) : undefined;
          const reject = (e: RowError) => results.push({ row, status: 'rejected', code: r.code, slot: r.slot, errors: [e] });
          if (!script) return reject(rowError('script.not_found', `No script with code ${r.code} in this round`));
          const part = parts.get(script.partId)!;
          // Computer-based parts take the machine's scores: never double-marked (Quy chế Art. 15; 170 Art. 16(4)(b)).
          if (regimeOf(part, regime) === 'tt22_2025' && part.computer) {
            return reject(rowError('mark.computer_part', `Part ${part.code} is taken on computer: its scores are the machine's export (PUT /rounds/{id}/scores)`));
          }
          if (script.absent) return reject(rowError('script.absent', 'The candidate was absent: the script takes no marks'));
          if (script.finalRule && DECIDED_RULES.has(script.finalRule)) {
            return reject(rowError('script.decided', `The script's score was settled by ${script.finalRule}; marks no longer change it`));
          }
          const kind = slotKind(part.markingMode, r.slot);
          if (!kind) {
            const allowed = part.markingMode === 'single' ? "'1'" : part.markingMode === 'double' ? "'1', '2' or '3'" : "'panel:<member>'";
            return reject(rowError('mark.invalid_slot', `Part ${part.code} is marked ${part.markingMode}: slot must be ${allowed}`));
          }
          if (kind === 'third' && script.status !== 'escalated') {
            return reject(rowError('mark.third_not_needed', 'A third marker is called only for an escalated script'));
          }
          // A secretary's transcription of a member's signed sheet (Quy chế Art. 22(1)).
          let by = memberId;
          let sheetRef: string | null = null;
          if (r.member !== undefined || r.sheetRef !== undefined) {
            if (r.member === undefined || r.sheetRef === undefined) {
              return reject(rowError('mark.transcription_incomplete', 'A transcribed mark names both the member (member) and their signed sheet (sheetRef)'));
            }
            if (kind !== 'panel') return reject(rowError('mark.transcription_panel_only', "Only a panel member's signed sheet is transcribed; written scripts are marked by their markers"));
            if (!member || member.seat !== 'secretary') {
              return reject(rowError('mark.transcription_secretary_only', "A member's sheet is transcribed by the panel's secretary, from a key bound to that seat"));
            }
            const who = sheetsOf.get(r.member);
            if (!who || who.board !== member.board || who.id === member.id) {
              return reject(rowError('mark.transcription_member', `No other active member ${r.member} on the ${member.board} board of this drive`));
            }
            by = who.id;
            sheetRef = r.sheetRef;
          }
          const score = scoreOf(r.score, hundredthsOf(part.maxScore));
          if (isRowError(score)) return reject(score);
          const key = `${script.id}/${r.slot}`;
          const current = slots.get(key);
          if (kind === 'panel' && !current && part.panelSize !== null) {
            const members = [...slots.keys()].filter((k) => k.startsWith(`${script.id}/panel:`)).length;
            if (members >= part.panelSize) return reject(rowError('mark.panel_full', `The panel of part ${part.code} has ${part.panelSize} members`));
          }
          if (current && !givenBy(current, by)) {
            taken.push({ row, code: r.code, slot: r.slot });
            return;
          }
          // Two different markers per script, marker 2 never re-marking what they marked first, and a
          // third person for the third mark (Quy chế Art. 16(2)(b), (c)); panel members score
          // independently (Art. 22(1)).
          const held = [...slots.values()].find((m) => m.scriptId === script.id && m.slot !== r.slot && givenBy(m, by));
          if (held) {
            sameMarker.push({ row, code: r.code, slot: r.slot, heldSlot: held.slot });
            return;
          }
          // Marker 2 is never given back a bag they marked as marker 1 (Quy chế Art. 16(2)(b)): in one bag a member gives
          // first marks or second marks, never both.
          if ((kind === 'first' || kind === 'second') && script.bag !== null && heldInBag(script.bag, kind === 'first' ? '2' : '1', by)) {
            sameBag.push({ row, code: r.code, slot: r.slot, bag: script.bag });
            return;
          }
          if (!current) {
            // A later row of the same batch for the same slot replaces this one.
            slots.set(key, {
              id: newId(),
              scriptId: script.id,
              slot: r.slot,
              score: formatScore(score),
              markerKeyId: me,
              memberId: by,
              enteredByMemberId: sheetRef ? memberId : null,
              sheetRef,
              enteredAt: clock(),
            });
          }
          writes.push({ scriptId: script.id, slot: r.slot, score, by, sheetRef, ...(current ? { replace: current } : {}) });
          touched.add(script.id);
          results.push({ row, status: current ? 'replaced' : 'saved', code: script.code, slot: r.slot });
        });

        if (taken.length > 0) {
          throw conflict('mark.slot_taken', `${taken.length} slot(s) already hold another marker's mark`, { rows: taken });
        }
        if (sameMarker.length > 0) {
          throw conflict('mark.same_marker', `${sameMarker.length} mark(s) would give one script two marks by the same marker`, { rows: sameMarker });
        }
        if (sameBag.length > 0) {
          throw conflict(
            'mark.same_bag',
            `${sameBag.length} mark(s) would have one member mark a bag both first and second (Circular 22/2025 Quy chế Art. 16(2)(b))`,
            { rows: sameBag },
          );
        }
        const rejected = results.filter((r) => r.status === 'rejected');
        if (atomic && rejected.length > 0) {
          throw unprocessable('marks.rejected', `${rejected.length} row(s) were refused; nothing was saved`, { rows: rejected });
        }

        const audit: { code: string; slot: string; score: string; previous: string | null; memberId: string | null; sheetRef?: string }[] = [];
        const written = new Map<string, string>();
        for (const w of writes) {
          const key = `${w.scriptId}/${w.slot}`;
          const score = formatScore(w.score);
          const prior = written.get(key) ?? w.replace?.id;
          const transcription = { enteredByMemberId: w.sheetRef ? memberId : null, sheetRef: w.sheetRef };
          if (prior) await deps.marking.replaceMark(tx, prior, { score, ...transcription });
          else {
            const markId = newId();
            await repo.insertMark(tx, { id: markId, scriptId: w.scriptId, slot: w.slot, score, markerKeyId: me, memberId: w.by, ...transcription });
            written.set(key, markId);
          }
          audit.push({ code: codeOf.get(w.scriptId)!, slot: w.slot, score, previous: w.replace?.score ?? null, memberId: w.by, ...(w.sheetRef ? { sheetRef: w.sheetRef } : {}) });
        }

        // Reconcile every touched script from its full set of marks.
        const status = new Map<string, ScriptRow['status']>();
        const marksBy = new Map<string, Map<string, number>>();
        for (const m of await repo.marksOf([...touched], tx)) {
          const slotsOf = marksBy.get(m.scriptId) ?? new Map<string, number>();
          slotsOf.set(m.slot, hundredthsOf(m.score));
          marksBy.set(m.scriptId, slotsOf);
        }
        const onDate = localDate(clock());
        for (const s of scripts.filter((x) => touched.has(x.id))) {
          const values = marksBy.get(s.id) ?? new Map<string, number>();
          const outcome = reconcileFor(parts.get(s.partId)!, values, ruleSet, onDate);
          const updated = await applyOutcome(tx, caller, s, outcome);
          status.set(s.id, updated.status);
        }
        for (const r of results) {
          if (r.status !== 'rejected') r.scriptStatus = status.get(byCode.get(r.code)!.id);
        }
        if (audit.length > 0) {
          record({ action: 'marks.entered', resourceType: 'round', resourceId: id, agencyId: drive.organizingAgencyId, driveId: drive.id, after: { marks: audit, member } });
        }
        return { saved: results.length - rejected.length, rejected: rejected.length, rows: results };
      });
    },

    /** Scripts waiting for a decision, by code, each mark with the member who gave it (and who transcribed its sheet). */
    async listReconciliation(caller: Caller, id: string, q: ReconciliationQuery, afterCode: string | undefined) {
      const { ruleSet } = await visibleRound(caller, id);
      const regime = marking(ruleSet);
      const parts = await repo.partsOf([id]);
      const partById = new Map(parts.map((p) => [p.id, p]));
      let partId: string | undefined;
      if (q.partCode) {
        partId = parts.find((p) => p.code === q.partCode)?.id;
        if (!partId) return [];
      }
      const rows = await repo.listScripts(id, { partId, statuses: ['head_decides', 'escalated'], afterCode, limit: q.limit });
      const marks = await repo.marksOf(rows.map((r) => r.id));
      const who = await markersOf([...marks, ...marks.flatMap((m) => (m.enteredByMemberId ? [{ ...m, memberId: m.enteredByMemberId }] : []))]);
      return rows.map((s) => {
        const own = marks.filter((m) => m.scriptId === s.id);
        const part = partById.get(s.partId)!;
        const values = new Map(own.map((m) => [m.slot, hundredthsOf(m.score)]));
        const all = [...values.values()];
        // Circular 22 measures the spread of all three marks once a third member has marked.
        const spread = regimeOf(part, regime) === 'tt22_2025' && values.has('3') && all.length >= 2 ? Math.max(...all) - Math.min(...all) : spreadOf(part, values);
        return {
          code: s.code,
          partCode: part.code,
          status: s.status,
          marks: own.map((m) => ({
            slot: m.slot,
            score: m.score,
            markedBy: (m.memberId ? who.get(m.memberId) : undefined) ?? null,
            ...(m.sheetRef ? { transcription: { sheetRef: m.sheetRef, by: (m.enteredByMemberId ? who.get(m.enteredByMemberId) : undefined) ?? null } } : {}),
          })),
          spread: asText(spread),
          reason: s.decisionReason,
        };
      });
    },

    /**
     * The head's decisions: a score for a script whose marks disagree beyond averaging, or 0 for a
     * rule breach; always with a reason. All decisions or none. Under Circular 22/2025 the head of
     * marking decides between 5 and 10 points and after a third mark that agrees with neither
     * (Quy chế Art. 16(2)(c), (d)); a 10-point spread goes to a third member first; the head of a
     * panel decides past a 10-point spread (Art. 22(1)); a zero for a breach of Art. 16(3) rests on
     * a marker's written report.
     */
    async decide(caller: Caller, id: string, decisions: DecisionInput[]) {
      return audited(db, caller.actor, async (tx, record) => {
        const { round, drive, ruleSet } = await visibleRound(caller, id, tx, 'share');
        requireMarking(round);
        const regime = marking(ruleSet);
        // The head of marking or of the panel, or the council's chair, decides (Quy chế Art. 16(2), 22(1)).
        const member = await requirePersonAct(tx, caller, drive.id, { what: 'Reconciliation decisions', boards: DECIDING_BOARDS, seats: ['head'] });
        const parts = new Map((await repo.partsOf([id], tx)).map((p) => [p.id, p]));
        const codes = decisions.map((d) => normalizeScriptCode(d.code));
        const scripts = await repo.lockScriptsByCodes(tx, id, [...new Set(codes.filter((c): c is string => c !== null))]);
        const byCode = new Map(scripts.map((s) => [s.code, s]));
        const errors: { row: number; code: string; message: string }[] = [];
        const plan: { script: ScriptRow; outcome: ScriptOutcome }[] = [];
        const seen = new Set<string>();
        decisions.forEach((d, i) => {
          const row = i + 1;
          const script = codes[i] ? byCode.get(codes[i]!) : undefined;
          if (!script) return errors.push({ row, code: 'script.not_found', message: `No script with code ${d.code} in this round` });
          if (seen.has(script.id)) return errors.push({ row, code: 'decision.duplicate', message: `Script ${script.code} is decided twice` });
          seen.add(script.id);
          if (script.absent) return errors.push({ row, code: 'script.absent', message: 'The candidate was absent' });
          const part = parts.get(script.partId)!;
          const tt22 = regimeOf(part, regime) === 'tt22_2025';
          if (member && member.board !== 'council' && (member.board === 'marking') === (part.markingMode === 'panel')) {
            return errors.push({ row, code: 'decision.other_board', message: `Part ${part.code} is decided by the head of its own board, not the ${member.board} board` });
          }
          if ('zero' in d) {
            if (tt22) {
              // Quy chế Art. 16(3): paper scripts only, on a marker's written report.
              if (!part.written || part.computer) {
                return errors.push({ row, code: 'decision.zero_paper_only', message: 'A zero for a breach applies to paper written scripts (Quy chế Art. 16(3))' });
              }
              if (!d.reportRef) {
                return errors.push({ row, code: 'decision.report_required', message: "A zero for a breach rests on a marker's written report: give reportRef (Quy chế Art. 16(3))" });
              }
            }
            const reason = d.reportRef ? `${d.reason} (marker's report ${d.reportRef})` : d.reason;
            plan.push({ script, outcome: { status: 'final', score: 0, rule: 'zero_for_breach', reason, spread: null } });
            return;
          }
          if (tt22 && script.status === 'escalated') {
            return errors.push({ row, code: 'script.awaits_third_marker', message: `Script ${script.code}: a 10-point spread goes to a third member first (Quy chế Art. 16(2)(c))` });
          }
          if (script.status !== 'head_decides' && script.status !== 'escalated') {
            return errors.push({ row, code: 'script.not_pending_decision', message: `Script ${script.code} is ${script.status}: no decision is needed` });
          }
          const score = scoreOf(d.score, hundredthsOf(part.maxScore));
          if (isRowError(score)) return errors.push({ row, ...score });
          // Between the thresholds (and, under Circular 22, after three differing marks) the head decides;
          // under the older rule an escalated script goes to the council.
          const rule = script.status === 'head_decides' ? 'head_decision' : 'council_decision';
          plan.push({ script, outcome: { status: 'final', score, rule, reason: d.reason, spread: null } });
        });
        if (errors.length > 0) throw unprocessable('reconciliation.rejected', `${errors.length} decision(s) were refused; nothing was saved`, { rows: errors });
        const items = [];
        for (const { script, outcome } of plan) {
          await applyOutcome(tx, caller, script, outcome);
          items.push({ code: script.code, score: formatScore(outcome.score!), rule: outcome.rule!, previousScore: script.finalScore, reason: outcome.reason });
        }
        record({ action: 'reconciliation.decided', resourceType: 'round', resourceId: id, agencyId: drive.organizingAgencyId, driveId: drive.id, after: { decisions: items, member } });
        return { decided: items.length, items: items.map(({ reason: _r, ...rest }) => rest) };
      });
    },

    /**
     * Packs paper scripts into sealed bags (túi bài, Quy chế Art. 16(1)(b), 16(2)(a)): by code, before
     * the scripts are marked. The head of marking then hands each bag to a first marker and, after, to a
     * second marker who did not mark it first (enforced on PUT /marks, 409 mark.same_bag). Bags are named
     * by the board; they carry codes only, so they link no code to a person.
     */
    async packBags(caller: Caller, id: string, rows: { code: string; bag: string }[]) {
      return audited(db, caller.actor, async (tx, record) => {
        const { round, drive } = await visibleRound(caller, id, tx, 'share');
        if (round.status !== 'scheduled' && round.status !== 'marking') {
          throw conflict('bags.round_closed', `Scripts are packed into bags before marking ends; the round is ${round.status}`);
        }
        const member = await requirePersonAct(tx, caller, drive.id, { what: 'Bags', boards: ['anonymisation', 'marking', 'council'] });
        const parts = new Map((await repo.partsOf([id], tx)).map((p) => [p.id, p]));
        const codes = rows.map((r) => normalizeScriptCode(r.code));
        const scripts = await repo.lockScriptsByCodes(tx, id, [...new Set(codes.filter((c): c is string => c !== null))]);
        const byCode = new Map(scripts.map((s) => [s.code, s]));
        const marked = new Set((await deps.marking.markedScripts(tx, scripts.map((s) => s.id))).map((m) => m.scriptId));
        const errors: { row: number; code: string; message: string }[] = [];
        const plan = new Map<string, { id: string; bag: string }>();
        rows.forEach((r, i) => {
          const row = i + 1;
          const script = codes[i] ? byCode.get(codes[i]!) : undefined;
          if (!script) return errors.push({ row, code: 'script.not_found', message: `No script with code ${r.code} in this round` });
          if (parts.get(script.partId)!.markingMode !== 'double') {
            return errors.push({ row, code: 'bag.not_double_marked', message: `Script ${script.code} is not a double-marked paper script: it is not marked in bags` });
          }
          if (marked.has(script.id) && script.bag !== r.bag) {
            return errors.push({ row, code: 'bag.script_marked', message: `Script ${script.code} is already marked in its bag` });
          }
          plan.set(script.id, { id: script.id, bag: r.bag });
        });
        if (errors.length > 0) throw unprocessable('bags.rejected', `${errors.length} row(s) were refused; nothing was saved`, { rows: errors });
        await deps.marking.packBags(tx, [...plan.values()]);
        const counts = new Map<string, number>();
        for (const p of plan.values()) counts.set(p.bag, (counts.get(p.bag) ?? 0) + 1);
        const bags = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([bag, scriptCount]) => ({ bag, scripts: scriptCount }));
        record({ action: 'scripts.bagged', resourceType: 'round', resourceId: id, agencyId: drive.organizingAgencyId, driveId: drive.id, after: { packed: plan.size, bags, member } });
        return { packed: plan.size, bags };
      });
    },

    /**
     * Direct import of final scores: the machine's export of computer-based parts (gate rounds count
     * correct answers: the part's maxScore is the number of questions), and parts scored outside the
     * system. Under Circular 22/2025 a paper written part is marked anonymously by two members: it
     * takes no final score here (409 scores.marked_part). Every changed score is audited with its old
     * and new value and its source.
     */
    async putScores(caller: Caller, id: string, rows: ScoreRowInput[], atomic: boolean) {
      return audited(db, caller.actor, async (tx, record) => {
        const { round, drive, ruleSet } = await visibleRound(caller, id, tx, 'share');
        requireMarking(round);
        const regime = marking(ruleSet);
        const parts = await repo.partsOf([id], tx);
        const partByCode = new Map(parts.map((p) => [p.code, p]));
        // Quy chế Art. 22(1): each panel member marks on their own sheet; a recruitment drive's panel scores come from the
        // members' marks (entered by the member or transcribed by the secretary), not from an import of the panel's result.
        // Leadership drives take the panel rule by analogy, as their rule set says (leadership.panelScores: `members` in the
        // preset; `import` keeps the legacy import of the panel's result).
        const panelMarked = drive.kind === 'recruitment' || leadershipPanelScores(ruleSet) === 'members';
        const marked = parts.filter(
          (p) =>
            regimeOf(p, regime) === 'tt22_2025' &&
            !p.computer &&
            (p.markingMode === 'panel' ? panelMarked : p.written || p.markingMode === 'double'),
        );
        // An absence is the invigilators' minute, not a mark: `absent: true` rows are taken for every part.
        const refused = marked.filter((p) => rows.some((r) => r.partCode === p.code && r.absent !== true));
        if (refused.length > 0) {
          throw conflict(
            'scores.marked_part',
            `Part(s) ${refused.map((p) => p.code).join(', ')} are marked by members (Circular 22/2025 Quy chế Art. 16: paper written parts, ` +
              'anonymously by two members; Art. 22(1): panel parts, each member on their own sheet): their scores come from the marks ' +
              '(PUT /rounds/{id}/marks, a panel secretary transcribing a member’s sheet with member and sheetRef), never from an import',
            { parts: refused.map((p) => ({ code: p.code, markingMode: p.markingMode, written: p.written })) },
          );
        }
        const apps = await repo.applicationsByIdsOrNumbers(
          tx,
          drive.id,
          [...new Set(rows.flatMap((r) => (r.applicationId ? [r.applicationId] : [])))],
          [...new Set(rows.flatMap((r) => (r.candidateNumber ? [r.candidateNumber] : [])))],
        );
        const appById = new Map(apps.map((a) => [a.id, a]));
        const appByNumber = new Map(apps.flatMap((a) => (a.candidateNumber ? [[a.candidateNumber, a] as const] : [])));
        const locked = await repo.lockScriptsOfApplications(tx, id, apps.map((a) => a.id));
        const scriptOf = new Map(locked.map((s) => [`${s.partId}/${s.applicationId}`, s]));
        const taken = new Set((await repo.scriptKeysOf(tx, id)).map((s) => s.code));
        const skipsRound = new Set(round.exemptionCodes);
        const skipsPart = partExemptions(ruleSet);
        const keptOut = await keptOutByGates(tx, round, ruleSet);
        const results: { row: number; status: 'saved' | 'rejected'; scriptCode?: string; errors?: RowError[] }[] = [];
        const plan: { row: number; partId: string; applicationId: string; outcome: ScriptOutcome & { absent: boolean } }[] = [];

        rows.forEach((r, i) => {
          const row = i + 1;
          const reject = (e: RowError) => results.push({ row, status: 'rejected', errors: [e] });
          if ((r.applicationId === undefined) === (r.candidateNumber === undefined)) {
            return reject(rowError('score.identifier', 'Give exactly one of applicationId or candidateNumber'));
          }
          const app = r.applicationId ? appById.get(r.applicationId) : appByNumber.get(r.candidateNumber!);
          if (!app) return reject(rowError('application.not_found', `No application ${r.applicationId ?? r.candidateNumber} in this drive`));
          if (app.status !== 'submitted' && app.status !== 'eligible') return reject(rowError('application.inactive', `The application is ${app.status}`));
          if (!concerns(round, app)) {
            if ((round.method ?? 'exam') !== app.method) {
              return reject(rowError('script.other_method', `Round ${round.code} is sat by the ${round.method === 'review' ? 'review' : 'exam'} quotas only (Decree 170/2025 Art. 3(2)(d), 11)`));
            }
            return reject(rowError('script.other_grade', `Round ${round.code} is sat by quotas of grade ${round.grade} only (Decree 170/2025 Art. 9)`));
          }
          if (round.foreignLanguage && (app.foreignLanguage === null || !examinesLanguage(round.language, app.foreignLanguage.language))) {
            return reject(rowError('script.language_not_required', `Round ${round.code} is the foreign-language exam of the quotas requiring one only (Decree 170/2025 Art. 9(5))`));
          }
          const part = partByCode.get(r.partCode);
          if (!part) return reject(rowError('part.not_found', `No part ${r.partCode} in this round`));
          const partSkip = skipsPart.get(part.code);
          if (app.exemptions.some((e) => skipsRound.has(e) || partSkip?.has(e))) {
            return reject(rowError('script.exempt', 'The application is exempt from this round or part'));
          }
          if (keptOut?.has(app.id)) {
            return reject(rowError('script.not_admitted', 'The candidate did not pass an earlier gate round or the foreign-language exam and does not sit this one (Decree 170/2025 Art. 9(2)(a), 9(5))'));
          }
          const given = [r.score !== undefined, r.correct !== undefined, r.absent === true].filter(Boolean).length;
          if (given !== 1) return reject(rowError('score.missing', 'Give exactly one of score, correct or absent: true'));
          if (r.absent) {
            plan.push({ row, partId: part.id, applicationId: app.id, outcome: { status: 'final', score: null, rule: 'absent', reason: 'Absent from the exam', spread: null, absent: true } });
            return;
          }
          const max = hundredthsOf(part.maxScore);
          const value = r.correct !== undefined ? scoreOf(String(r.correct), max) : scoreOf(r.score!, max);
          if (isRowError(value)) return reject(value);
          if (round.kind === 'gate' && value % 100 !== 0) return reject(rowError('score.not_a_count', 'Gate rounds take the number of correct answers'));
          plan.push({
            row,
            partId: part.id,
            applicationId: app.id,
            outcome: { status: 'final', score: value, rule: 'direct_import', reason: round.kind === 'gate' ? `${value / 100} of ${max / 100} correct` : 'Imported score', spread: null, absent: false },
          });
        });

        // Art. 16(4)(c): a later part after a computer written part only for those who passed it,
        // counting the computer scores imported in this same request.
        const partById = new Map(parts.map((p) => [p.id, p]));
        const now = new Map(plan.filter((p) => partById.get(p.partId)!.computer).map((p) => [`${p.partId}/${p.applicationId}`, p.outcome.absent ? null : p.outcome.score] as const));
        const blocked = await laterPartGate(tx, round, ruleSet, parts, now);
        for (let i = plan.length - 1; i >= 0; i--) {
          const p = plan[i]!;
          if (!blocked(partById.get(p.partId)!, p.applicationId)) continue;
          plan.splice(i, 1);
          results.push({
            row: p.row,
            status: 'rejected',
            errors: [rowError('script.not_admitted', 'The candidate did not pass the computer written test before this part (Decree 170/2025 Art. 16(4)(c))')],
          });
        }
        const rejected = results.length;
        if (atomic && rejected > 0) throw unprocessable('scores.rejected', `${rejected} row(s) were refused; nothing was saved`, { rows: results });
        const missing = plan.filter((p) => !scriptOf.has(`${p.partId}/${p.applicationId}`));
        const uniqueMissing = [...new Map(missing.map((p) => [`${p.partId}/${p.applicationId}`, p])).values()];
        if (uniqueMissing.length > 0) {
          // Computer rounds have no paper to anonymise, but every score still lives on a script with a code.
          const newCodes = newScriptCodes(uniqueMissing.length, taken);
          // Random ids, issued in a shuffled order (DOMAIN.md "Anonymous marking").
          await repo.insertScripts(tx, shuffled(uniqueMissing).map((p, i) => ({ id: newScriptId(), roundId: id, partId: p.partId, applicationId: p.applicationId, code: newCodes[i]! })));
          for (const s of await repo.lockScriptsOfApplications(tx, id, uniqueMissing.map((p) => p.applicationId))) scriptOf.set(`${s.partId}/${s.applicationId}`, s);
        }
        // Every changed score: its old and new value, and where it came from (the machine's export or the importing member/key).
        const member = caller.member ? { id: caller.member.id, board: caller.member.board, seat: caller.member.seat, fullName: caller.member.fullName } : null;
        const changes: { applicationId: string; partCode: string; previous: string | null; score: string | null; previousRule: string | null; rule: string | null; source: string }[] = [];
        for (const p of plan) {
          const key = `${p.partId}/${p.applicationId}`;
          const before = scriptOf.get(key)!;
          const updated = await applyOutcome(tx, caller, before, p.outcome);
          scriptOf.set(key, updated);
          results.push({ row: p.row, status: 'saved', scriptCode: updated.code });
          if (before.finalScore !== updated.finalScore || before.finalRule !== updated.finalRule || before.absent !== updated.absent) {
            const part = partById.get(p.partId)!;
            changes.push({
              applicationId: p.applicationId,
              partCode: part.code,
              previous: before.absent ? 'absent' : before.finalScore,
              score: updated.absent ? 'absent' : updated.finalScore,
              previousRule: before.finalRule,
              rule: updated.finalRule,
              source: part.computer || round.kind === 'gate' ? 'machine_export' : member ? 'member' : 'api_key',
            });
          }
        }
        results.sort((a, b) => a.row - b.row);
        if (plan.length > 0) {
          record({
            action: 'scores.imported',
            resourceType: 'round',
            resourceId: id,
            agencyId: drive.organizingAgencyId,
            driveId: drive.id,
            after: { saved: plan.length, rejected, changed: changes.length, changes, member, keyId: caller.actor.keyId },
          });
        }
        return { saved: plan.length, rejected, rows: results };
      });
    },
  };
}

export type MarkingService = ReturnType<typeof createMarkingService>;

