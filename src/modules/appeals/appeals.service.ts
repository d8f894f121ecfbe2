import type { Caller, Clock } from '../../context.js';
import { inScope } from '../../context.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { isUniqueViolation } from '../../db/pg-error.js';
import { appealPeriod, compareWithPublished, remarkOutcome, remarksNeeded, WORKING_DAY_WINDOW_PRESETS, type AppealPeriod } from '../../domain/appeals.js';
import { CALENDAR_MAX_YEAR, CALENDAR_MIN_YEAR } from '../../domain/calendar.js';
import { localDate } from '../../domain/deadlines.js';
import { formatScore, isDomainError, parseScore, type Preset, type RuleSet } from '../../domain/index.js';
import { newScriptCode } from '../../domain/script-codes.js';
import { AppError, conflict, notFound, unprocessable } from '../../errors.js';
import { audited } from '../audit/audit.writer.js';
import { requirePersonAct } from '../boards/boards.acts.js';
import type { CalendarService } from '../calendar/calendar.service.js';
import type { AppealRow } from '../rounds/rounds.table.js';
import type { AppealDrive, AppealsRepository } from './appeals.repository.js';
import type { CreateAppealInput, RemarkInput, ResolveAppealInput } from './appeals.schemas.js';
import type { AppealRemarkRow } from './appeals.table.js';
import { reviewPartAppealable } from '../../domain/review.js';

/*
 * Appeals (phúc khảo) of paper written parts: 170/2025 Art. 16(4)(b), Circular 22/2025 Quy chế
 * Art. 17–18; the rules are in src/domain/appeals.ts. The appeals board re-marks blind (no earlier
 * mark, no earlier marker, optionally under a new code); the chair adopts or decides; the council
 * publishes the appeal results; the head may approve only once every window is closed and every
 * appeal resolved (Quy chế Art. 15(4)(b)).
 */

export type AppealsDeps = { db: Db; repo: AppealsRepository; calendar: CalendarService; clock: Clock };

/** Drive statuses after which results are approved: appeals can no longer change them. */
const RESULTS_APPROVED = new Set(['approved', 'published', 'finished']);

function scoreOf(input: string | number, maxScore: string): number {
  let value: number;
  try {
    value = parseScore(input);
  } catch (err) {
    if (isDomainError(err)) throw unprocessable('mark.invalid_score', err.message);
    throw err;
  }
  const max = parseScore(maxScore);
  if (value > max) throw unprocessable('mark.out_of_range', `Score ${formatScore(value)} is above the part's maximum ${formatScore(max)}`);
  return value;
}

function appealView(a: AppealRow, roundId: string, partCode: string, remarks: readonly AppealRemarkRow[]) {
  const resolved = a.status !== 'pending';
  return {
    id: a.id,
    applicationId: a.applicationId,
    scriptId: a.scriptId,
    roundId,
    partCode,
    status: a.status,
    reason: a.reason,
    filedAt: a.filedAt,
    windowClosesOn: a.windowClosesOn,
    dueOn: a.dueOn,
    previousScore: a.previousScore,
    remarks: remarks.length,
    remarksNeeded: remarksNeeded(remarks.map((r) => parseScore(r.score))),
    // The board's scores stay out of every view until the chair has settled the appeal.
    appealScore: resolved ? a.appealScore : null,
    appealRule: resolved ? a.appealRule : null,
    newScore: a.newScore,
    chairDecided: a.chairMinuteRef !== null,
    chairMinuteRef: a.chairMinuteRef,
    recoded: a.remarkCode !== null,
    resolutionNote: a.resolutionNote,
    resolvedAt: a.resolvedAt,
    publishedAt: a.publishedAt,
    version: a.version,
  };
}
export type AppealView = ReturnType<typeof appealView>;

export function createAppealsService(deps: AppealsDeps) {
  const { db, repo, calendar, clock } = deps;

  async function visibleApplication(caller: Caller, applicationId: string, tx: DbOrTx = db, lock?: 'share') {
    const app = await repo.applicationContext(applicationId, tx);
    if (!app) throw notFound('application', applicationId);
    const drive = await repo.driveContext(app.driveId, tx, lock);
    if (!drive) throw notFound('application', applicationId);
    const registeredPath = app.registeredByAgencyId ? await repo.agencyPath(app.registeredByAgencyId, tx) : undefined;
    if (!inScope(caller, drive.agencyPath) && !(registeredPath && inScope(caller, registeredPath))) throw notFound('application', applicationId);
    return { app, drive, ruleSet: drive.ruleSet as RuleSet };
  }

  /** The window of a round published at `publishedAt`, on the working-day calendar. */
  async function periodOf(tx: DbOrTx, drive: AppealDrive, publishedAt: Date): Promise<AppealPeriod> {
    const publishedOn = localDate(publishedAt);
    const year = Number(publishedOn.slice(0, 4));
    const data = await calendar.dataFor(Math.max(CALENDAR_MIN_YEAR, year), Math.min(CALENDAR_MAX_YEAR, year + 1), tx);
    const ruleSet = drive.ruleSet as RuleSet;
    return appealPeriod(drive.ruleSetPreset as Preset, publishedOn, ruleSet.deadlines, data, await repo.remarkingExtended(tx, drive.id));
  }

  /** The appeal with its drive, visible to the caller (404 otherwise), locked when asked. */
  async function visibleAppeal(caller: Caller, appealId: string, tx: DbOrTx, lock: boolean) {
    const appeal = await repo.findAppeal(tx, appealId, lock);
    if (!appeal) throw notFound('appeal', appealId);
    const { drive } = await visibleApplication(caller, appeal.applicationId, tx, lock ? 'share' : undefined).catch(() => {
      throw notFound('appeal', appealId);
    });
    return { appeal, drive };
  }

  const refuseApproved = (drive: AppealDrive) => {
    if (RESULTS_APPROVED.has(drive.status)) throw conflict('appeal.results_approved', `The drive's results are ${drive.status}: appeals can no longer change them`);
  };

  return {
    /** A published round's appeal window for views outside this module (rounds): the same period the appeals use. */
    async appealPeriodOf(tx: DbOrTx, driveId: string, publishedAt: Date): Promise<AppealPeriod | null> {
      const drive = await repo.driveContext(driveId, tx);
      return drive ? periodOf(tx, drive, publishedAt) : null;
    },

    /**
     * Phúc khảo (170 Art. 16(4)(b)): paper written parts only, received for 5 working days from
     * the publication of the round's results (day of publication not counted); re-marking due 10
     * days after the window (20 when the chair lengthened it). Quy chế Art. 17(8): late ones are refused.
     */
    async fileAppeal(caller: Caller, applicationId: string, input: CreateAppealInput): Promise<AppealView> {
      return audited(db, caller.actor, async (tx, record) => {
        // Shares the drive's lock with the approval (which takes it exclusively): one of them goes first.
        const { drive } = await visibleApplication(caller, applicationId, tx, 'share');
        const candidates = (await repo.scriptsOfApplication(tx, applicationId)).filter((c) =>
          input.scriptId ? c.script.id === input.scriptId : c.part.code === input.partCode && (!input.roundId || c.round.id === input.roundId),
        );
        if (candidates.length === 0) throw notFound('script', input.scriptId);
        if (candidates.length > 1) {
          throw unprocessable('appeal.part_ambiguous', `Part ${input.partCode} exists in several rounds: give roundId or scriptId`, {
            roundIds: candidates.map((c) => c.round.id),
          });
        }
        const { script, part, round } = (await repo.scriptWithPart(tx, candidates[0]!.script.id, true))!;
        // A review's result is not appealed under Decree 170/2025 Art. 16(6) ("Không thực hiện việc phúc khảo đối với
        // kết quả vấn đáp"); a public employee's written review round is, as in the exam (115 Art. 11(2) → 9(2)).
        if (round.method === 'review' && !reviewPartAppealable((drive.ruleSet as RuleSet).review, part)) {
          throw unprocessable('appeal.review_not_appealable', `Round ${round.code} is a selection by review: its result is not open to appeal (${(drive.ruleSet as RuleSet).review?.legalBasis ?? 'Decree 170/2025 Art. 16(6)'})`, {
            roundId: round.id,
          });
        }
        if (!part.written) throw unprocessable('appeal.part_not_written', `Part ${part.code} is not written: only written parts can be appealed (170 Art. 16(4)(b), 16(5))`);
        if (part.computer) throw unprocessable('appeal.part_on_computer', `Part ${part.code} was taken on computer: its result is not open to appeal (Decree 170/2025 Art. 16(4)(b))`);
        refuseApproved(drive);
        if (!round.publishedAt) throw unprocessable('appeal.round_not_published', `Round ${round.code} is not published yet: the appeal window has not opened`);
        const window = await periodOf(tx, drive, round.publishedAt);
        const today = localDate(clock());
        if (today > window.closesOn) {
          throw unprocessable(
            'appeal.window_closed',
            `The appeal window (${window.days} ${window.unit === 'working_days' ? 'working days' : 'days'} from ${window.opensOn}, ${window.article}) closed on ${window.closesOn} (today is ${today}); late appeals are not re-marked (Quy chế Art. 17(8))`,
            { opensOn: window.opensOn, closesOn: window.closesOn, appealWindowDays: window.days, unit: window.unit },
          );
        }
        if (script.absent) throw unprocessable('appeal.script_absent', 'The candidate was absent: there is no script to re-mark');
        let appeal: AppealRow;
        try {
          appeal = await repo.insertAppeal(tx, {
            id: newId(),
            applicationId,
            scriptId: script.id,
            reason: input.reason,
            windowClosesOn: window.closesOn,
            dueOn: window.resolutionDueOn,
            previousScore: script.finalScore,
          });
        } catch (err) {
          if (isUniqueViolation(err, 'appeals_one_open_per_script')) throw conflict('appeal.duplicate', 'This script already has a pending appeal');
          throw err;
        }
        const v = appealView(appeal, round.id, part.code, []);
        record({ action: 'appeal.filed', resourceType: 'appeal', resourceId: appeal.id, agencyId: drive.organizingAgencyId, driveId: drive.id, after: v });
        return v;
      });
    },

    async listAppeals(caller: Caller, applicationId: string, afterId: string | undefined, limit: number) {
      await visibleApplication(caller, applicationId);
      const rows = await repo.appealsOf(applicationId, afterId, limit);
      return Promise.all(rows.map(async (r) => appealView(r.appeal, r.roundId, r.partCode, await repo.remarksOf(db, r.appeal.id))));
    },

    /** Quy chế Art. 17(1)(c): the chair may give the appealed script a new code before re-marking. */
    async recode(caller: Caller, appealId: string) {
      return audited(db, caller.actor, async (tx, record) => {
        const { appeal, drive } = await visibleAppeal(caller, appealId, tx, true);
        const member = await requirePersonAct(tx, caller, drive.id, { what: 'Re-coding appealed scripts', boards: ['council'], seats: ['head'] });
        if (appeal.status !== 'pending') throw conflict('appeal.already_resolved', `The appeal is already ${appeal.status}`);
        if ((await repo.remarksOf(tx, appealId)).length > 0) throw conflict('appeal.remarking_started', 'Re-marking has started: the script keeps the code the re-markers know');
        let row: AppealRow | undefined;
        for (let i = 0; i < 5 && !row; i++) {
          try {
            row = await repo.updateAppeal(tx, appealId, { remarkCode: newScriptCode() });
          } catch (err) {
            if (!isUniqueViolation(err, 'appeals_remark_code_unique')) throw err;
          }
        }
        // The code itself is the secret of the anonymisation work: the audit trail records that it changed.
        record({ action: 'appeal.recoded', resourceType: 'appeal', resourceId: appealId, agencyId: drive.organizingAgencyId, driveId: drive.id, after: { recoded: true, member } });
        return { appealId, code: row!.remarkCode! };
      });
    },

    /**
     * A re-mark by a member of the appeals board (Quy chế Art. 17(2)–(3)): never one who marked the
     * script (any seat of the same person), once per appeal; the answer shows no earlier mark.
     */
    async remark(caller: Caller, appealId: string, input: RemarkInput) {
      return audited(db, caller.actor, async (tx, record) => {
        const { appeal, drive } = await visibleAppeal(caller, appealId, tx, true);
        const member = await requirePersonAct(tx, caller, drive.id, { what: 'Appeal re-marks', boards: ['appeals'] });
        if (appeal.status !== 'pending') throw conflict('appeal.already_resolved', `The appeal is already ${appeal.status}`);
        refuseApproved(drive);
        const { script, part } = (await repo.scriptWithPart(tx, appeal.scriptId))!;
        const markers = await repo.markersOfScript(tx, script.id);
        const self = member ? await repo.seatsOfSamePerson(tx, member.id) : [];
        const markedIt = markers.some((m) => (m.memberId && self.includes(m.memberId)) || (m.keyId !== null && m.keyId === caller.actor.keyId));
        if (markedIt) {
          throw conflict('appeal.remarker_marked_script', 'A re-marker never marked the script before (Quy chế Art. 17(1)(b), 17(2)): another member of the appeals board re-marks it');
        }
        const remarks = await repo.remarksOf(tx, appealId);
        if (remarks.some((r) => (member && r.memberId && self.includes(r.memberId)) || (!member && r.keyId === caller.actor.keyId))) {
          throw conflict('appeal.remarker_repeated', 'Each re-mark of an appeal is by a different member of the appeals board (Quy chế Art. 17(3))');
        }
        const needed = remarksNeeded(remarks.map((r) => parseScore(r.score)));
        if (remarks.length >= needed) throw conflict('appeal.remarks_complete', 'The re-marks of this appeal are complete: the council resolves it');
        const score = scoreOf(input.score, part.maxScore);
        const row = await repo.insertRemark(tx, { id: newId(), appealId, slot: remarks.length + 1, score: formatScore(score), memberId: member?.id ?? null, keyId: caller.actor.keyId });
        const all = [...remarks, row].map((r) => parseScore(r.score));
        const outcome = remarkOutcome(all);
        if (outcome.kind === 'score') await repo.updateAppeal(tx, appealId, { appealScore: formatScore(outcome.score), appealRule: outcome.rule });
        else await repo.updateAppeal(tx, appealId, {});
        record({
          action: 'appeal.remarked',
          resourceType: 'appeal',
          resourceId: appealId,
          agencyId: drive.organizingAgencyId,
          driveId: drive.id,
          after: { slot: row.slot, score: row.score, member },
        });
        return {
          appealId,
          code: appeal.remarkCode ?? script.code,
          slot: row.slot,
          score: row.score,
          remarksNeeded: remarksNeeded(all),
          complete: outcome.kind === 'score',
        };
      });
    },

    /**
     * Quy chế Art. 18(1): the chair settles the appeal on the board's result. Less than 5 points
     * from the published score: the appeal score is adopted (newScore, if given, must equal it).
     * 5 or more: the chair decides (newScore) after hearing the heads of both boards (minuteRef).
     */
    async resolveAppeal(caller: Caller, appealId: string, input: ResolveAppealInput): Promise<AppealView> {
      return audited(db, caller.actor, async (tx, record) => {
        const { appeal, drive } = await visibleAppeal(caller, appealId, tx, true);
        if (appeal.status !== 'pending') throw conflict('appeal.already_resolved', `The appeal is already ${appeal.status}`);
        const member = await requirePersonAct(tx, caller, drive.id, { what: 'Decisions on appeals', boards: ['council'], seats: ['head'] });
        refuseApproved(drive);
        const { script, part, round } = (await repo.scriptWithPart(tx, appeal.scriptId, true))!;
        const remarks = await repo.remarksOf(tx, appealId);
        const outcome = remarkOutcome(remarks.map((r) => parseScore(r.score)));
        if (outcome.kind !== 'score') {
          throw conflict('appeal.remarking_incomplete', `The appeals board has not finished: ${outcome.reason}`, { remarks: remarks.length, needed: outcome.needed });
        }
        const published = appeal.previousScore === null ? 0 : parseScore(appeal.previousScore);
        const cmp = compareWithPublished(published, outcome.score);
        let decided: number;
        if (cmp.adopt) {
          if (input.newScore !== undefined && scoreOf(input.newScore, part.maxScore) !== outcome.score) {
            throw unprocessable('appeal.score_fixed', `The re-mark ${formatScore(outcome.score)} differs from the published score by less than 5 points: it is adopted as it is (Quy chế Art. 18(1))`, {
              appealScore: formatScore(outcome.score),
            });
          }
          decided = outcome.score;
        } else {
          if (input.newScore === undefined || !input.minuteRef) {
            throw unprocessable(
              'appeal.chair_decision_required',
              `The re-mark differs from the published score by ${formatScore(cmp.difference)} points (5 or more): the chair decides after hearing the heads of the marking and appeals boards (Quy chế Art. 18(1)): give newScore and minuteRef`,
              { appealScore: formatScore(outcome.score), publishedScore: appeal.previousScore, difference: formatScore(cmp.difference) },
            );
          }
          decided = scoreOf(input.newScore, part.maxScore);
        }
        const previous = script.finalScore;
        const newScore = formatScore(decided);
        const changed = previous !== newScore;
        if (changed) await repo.updateScript(tx, script.id, { finalScore: newScore, finalRule: 'appeal', decisionReason: input.note, status: 'final' });
        await repo.insertHistory(tx, { scriptId: script.id, previousScore: previous, newScore, rule: changed ? 'appeal' : 'appeal_upheld', reason: input.note, actorKeyId: caller.actor.keyId });
        const row = await repo.updateAppeal(tx, appealId, {
          status: changed ? 'changed' : 'upheld',
          newScore,
          chairMinuteRef: cmp.adopt ? null : input.minuteRef!,
          decidedByMemberId: member?.id ?? null,
          resolutionNote: input.note,
          resolvedAt: clock(),
        });
        const v = appealView(row, round.id, part.code, remarks);
        record({
          action: 'appeal.resolved',
          resourceType: 'appeal',
          resourceId: appealId,
          agencyId: drive.organizingAgencyId,
          driveId: drive.id,
          before: { status: appeal.status, score: previous },
          after: { ...v, remarks: remarks.map((r) => ({ slot: r.slot, score: r.score, memberId: r.memberId })), member },
        });
        return v;
      });
    },

    /** Quy chế Art. 17(5): the council publishes the round's resolved appeals not yet published. */
    async publishResults(caller: Caller, roundId: string) {
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await roundDrive(caller, roundId, tx);
        await requirePersonAct(tx, caller, drive.id, { what: 'Publications of appeal results', boards: ['council'] });
        const rows = await repo.resolvedAppealsOfRound(tx, roundId, true);
        const now = clock();
        for (const r of rows) await repo.updateAppeal(tx, r.appeal.id, { publishedAt: now });
        if (rows.length > 0) {
          record({ action: 'appeals.published', resourceType: 'round', resourceId: roundId, agencyId: drive.organizingAgencyId, driveId: drive.id, after: { published: rows.length } });
        }
        const items = await repo.resolvedAppealsOfRound(tx, roundId, false);
        return { roundId, published: rows.length, items: items.map(resultView) };
      });
    },

    async results(caller: Caller, roundId: string) {
      await roundDrive(caller, roundId, db);
      const items = await repo.resolvedAppealsOfRound(db, roundId, false);
      return { roundId, published: items.length, items: items.map(resultView) };
    },

    /**
     * Quy chế Art. 15(4)(b), 170 Art. 17(1): results go to the head only after the appeal windows
     * have closed and every appeal is resolved. Called under the drive's exclusive lock.
     */
    async refuseWhileAppealsOpen(tx: DbOrTx, driveId: string, action: 'submitted' | 'approved') {
      const drive = await repo.driveContext(driveId, tx);
      if (!drive) return;
      // 170 Art. 16(4)(b): a paper written part's results are announced and open to appeal; results
      // whose written round was never published would skip the window altogether.
      if (WORKING_DAY_WINDOW_PRESETS.includes(drive.ruleSetPreset as Preset)) {
        const unpublished = await repo.unpublishedPaperRounds(tx, driveId);
        if (unpublished.length > 0) {
          throw new AppError(
            409,
            'results.round_not_published',
            `Results cannot be ${action} yet: the results of round(s) ${unpublished.map((r) => r.code).join(', ')} with a paper written part were not published, so no appeal window opened (Decree 170/2025 Art. 16(4)(b))`,
            { rounds: unpublished },
          );
        }
      }
      const today = localDate(clock());
      const open: { roundId: string; roundCode: string; closesOn: string }[] = [];
      for (const r of await repo.appealableRounds(tx, driveId)) {
        const w = await periodOf(tx, drive, r.publishedAt!);
        if (today <= w.closesOn) open.push({ roundId: r.id, roundCode: r.code, closesOn: w.closesOn });
      }
      const pending = await repo.pendingAppealsOfDrive(tx, driveId);
      if (open.length === 0 && pending.length === 0) return;
      const what = [
        ...open.map((o) => `the appeal window of round ${o.roundCode} is open until ${o.closesOn}`),
        ...(pending.length > 0 ? [`${pending.length} appeal(s) are not resolved`] : []),
      ].join('; ');
      throw new AppError(409, 'results.appeals_open', `Results cannot be ${action} yet: ${what} (Quy chế Art. 15(4)(b); 170 Art. 16(4)(b), 17(1))`, {
        openWindows: open,
        pendingAppealIds: pending.map((p) => p.id),
      });
    },
  };

  async function roundDrive(caller: Caller, roundId: string, tx: DbOrTx) {
    const round = await repo.findRound(tx, roundId);
    if (!round) throw notFound('round', roundId);
    const drive = await repo.driveContext(round.driveId, tx);
    if (!drive || !inScope(caller, drive.agencyPath)) throw notFound('round', roundId);
    return drive;
  }
}

function resultView(r: { appeal: AppealRow; partCode: string; candidateNumber: string | null }) {
  return {
    appealId: r.appeal.id,
    candidateNumber: r.candidateNumber,
    partCode: r.partCode,
    previousScore: r.appeal.previousScore,
    appealScore: r.appeal.appealScore,
    newScore: r.appeal.newScore,
    status: r.appeal.status,
    publishedAt: r.appeal.publishedAt,
  };
}

export type AppealsService = ReturnType<typeof createAppealsService>;
