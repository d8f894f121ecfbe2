import { and, asc, eq, gt, inArray, type SQL } from 'drizzle-orm';
import type { Caller, Clock } from '../../context.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { DEDUCTION_PERCENT, type DisciplineKind } from '../../domain/discipline.js';
import { AppError, conflict, notFound, unprocessable } from '../../errors.js';
import { audited } from '../audit/audit.writer.js';
import { headDecision, requirePersonAct, type ActingMember } from '../boards/boards.acts.js';
import { boardMembers, type Board } from '../boards/boards.table.js';
import type { RoundsRepository } from '../rounds/rounds.repository.js';
import type { RoundsService } from '../rounds/rounds.service.js';
import { parts } from '../rounds/rounds.table.js';
import type { DisciplineQuery, RecordDisciplineInput } from './discipline.schemas.js';
import { disciplineActs, type DisciplineActRow } from './discipline.table.js';

/*
 * Candidate discipline, Circular 22/2025/TT-BNV Nội quy Art. 2 (rules in src/domain/discipline.ts):
 *  - reprimand and warning: the person who writes the minute decides (an invigilator, or a member of
 *    the interview, oral, practical or Đề án panel: "người có thẩm quyền", Nội quy Art. 1(6)); the
 *    council chair applies the deduction (Art. 2(6)(b));
 *  - suspension: the council chair decides (Art. 2(6)(c)); applied at once;
 *  - cancellation of the result: on the chair's report, by the head of the recruiting agency.
 * Acts are kept, never edited; the results engine applies the applied ones at the next computation.
 */

export type DisciplineDeps = { db: Db; repo: RoundsRepository; rounds: RoundsService; clock: Clock };

/** Boards whose members write an exam-room minute. */
export const MINUTE_WRITERS: readonly Board[] = ['invigilation', 'interview', 'oral', 'practical', 'project'];
/** Drive statuses after which results are approved: discipline no longer changes them (cancellation of a winner goes through results). */
const RESULTS_APPROVED = new Set(['approved', 'published', 'finished', 'cancelled']);

type MemberView = { memberId: string; fullName: string; board: string } | null;

function deduction(kind: DisciplineKind): number {
  return kind === 'reprimand' || kind === 'warning' ? DEDUCTION_PERCENT[kind] : 100;
}

export function createDisciplineService(deps: DisciplineDeps) {
  const { db, repo, clock } = deps;
  const { visibleRound } = deps.rounds.internals;

  async function membersOf(ids: (string | null)[], tx: DbOrTx = db): Promise<Map<string, MemberView>> {
    const wanted = [...new Set(ids.filter((x): x is string => x !== null))];
    if (wanted.length === 0) return new Map();
    const rows = await tx
      .select({ memberId: boardMembers.id, fullName: boardMembers.fullName, board: boardMembers.board })
      .from(boardMembers)
      .where(inArray(boardMembers.id, wanted));
    return new Map(rows.map((r) => [r.memberId, r]));
  }

  async function views(rows: DisciplineActRow[], tx: DbOrTx = db) {
    const who = await membersOf(rows.flatMap((r) => [r.decidedByMemberId, r.appliedByMemberId]), tx);
    const partIds = [...new Set(rows.map((r) => r.partId))];
    const codes = new Map(
      partIds.length === 0 ? [] : (await tx.select({ id: parts.id, code: parts.code }).from(parts).where(inArray(parts.id, partIds))).map((p) => [p.id, p.code]),
    );
    return rows.map((r) => ({
      id: r.id,
      roundId: r.roundId,
      partCode: codes.get(r.partId) ?? '',
      applicationId: r.applicationId,
      kind: r.kind,
      status: r.status,
      deductionPercent: deduction(r.kind),
      minuteRef: r.minuteRef,
      reason: r.reason,
      decidedBy: (r.decidedByMemberId ? who.get(r.decidedByMemberId) : null) ?? null,
      chairReportRef: r.chairReportRef,
      headDecision: r.headDecisionNumber && r.headDecisionDate ? { number: r.headDecisionNumber, date: r.headDecisionDate } : null,
      appliedBy: (r.appliedByMemberId ? who.get(r.appliedByMemberId) : null) ?? null,
      appliedAt: r.appliedAt,
      createdAt: r.createdAt,
    }));
  }

  const chair = (tx: DbOrTx, caller: Caller, driveId: string, what: string) => requirePersonAct(tx, caller, driveId, { what, boards: ['council'], seats: ['head'] });

  /** A role key acts only for the roles the law's person stands behind on a drive that records no boards. */
  function roleMay(caller: Caller, member: ActingMember, roles: readonly string[], what: string) {
    if (member || caller.role === 'admin' || roles.includes(caller.role)) return;
    throw new AppError(403, 'discipline.wrong_role', `${what} are not recorded by a ${caller.role} key`, { roles });
  }

  return {
    async record(caller: Caller, roundId: string, input: RecordDisciplineInput) {
      return audited(db, caller.actor, async (tx, record) => {
        const { round, drive } = await visibleRound(caller, roundId, tx, 'share');
        if (RESULTS_APPROVED.has(drive.status)) {
          throw conflict('discipline.results_approved', `The drive is ${drive.status}: a disciplinary act no longer changes its results`, { driveStatus: drive.status });
        }
        const part = (await repo.partsOf([round.id], tx)).find((p) => p.code === input.partCode);
        if (!part) throw unprocessable('part.not_found', `No part ${input.partCode} in round ${round.code}`);
        if ((input.applicationId === undefined) === (input.candidateNumber === undefined)) {
          throw unprocessable('discipline.identifier', 'Give exactly one of applicationId or candidateNumber');
        }
        const [app] = await repo.applicationsByIdsOrNumbers(tx, drive.id, input.applicationId ? [input.applicationId] : [], input.candidateNumber ? [input.candidateNumber] : []);
        if (!app) throw notFound('application', input.applicationId ?? input.candidateNumber ?? '');

        let member: ActingMember;
        let status: DisciplineActRow['status'] = 'applied';
        let head: { number: string; date: string } | null = null;
        let chairReportRef: string | null = null;
        if (input.kind === 'reprimand' || input.kind === 'warning') {
          // Nội quy Art. 2(6)(b): the minute's writer decides; the chair applies it afterwards.
          member = await requirePersonAct(tx, caller, drive.id, { what: 'Reprimands and warnings', boards: MINUTE_WRITERS });
          roleMay(caller, member, ['council', 'organizer'], 'Reprimands and warnings');
          status = 'decided';
        } else if (input.kind === 'suspension') {
          // Nội quy Art. 2(6)(c): the council chair decides a suspension.
          member = await chair(tx, caller, drive.id, 'Suspensions');
          roleMay(caller, member, ['council'], 'Suspensions');
        } else {
          // Nội quy Art. 2(5): the result is cancelled on the chair's report, by the head's decision.
          if (!input.chairReportRef) throw unprocessable('discipline.chair_report_required', "Cancelling a candidate's result needs the council chair's report: chairReportRef");
          const decided = await headDecision(tx, caller, drive.id, input.headDecision, { what: "Cancelling a candidate's result", always: true });
          member = decided.member;
          // The head's decision is a document: its number and date are kept whoever records it.
          head = decided.decision ?? input.headDecision ?? null;
          if (!head) throw unprocessable('head_decision.reference_required', "Cancelling a candidate's result needs the head's decision: headDecision { number, date }");
          chairReportRef = input.chairReportRef;
        }
        const now = clock();
        const [row] = await tx
          .insert(disciplineActs)
          .values({
            id: newId(),
            driveId: drive.id,
            roundId: round.id,
            partId: part.id,
            applicationId: app.id,
            kind: input.kind,
            status,
            minuteRef: input.minuteRef,
            reason: input.reason,
            decidedByMemberId: member?.id ?? null,
            decidedByKeyId: caller.actor.keyId,
            chairReportRef,
            headDecisionNumber: head?.number ?? null,
            headDecisionDate: head?.date ?? null,
            ...(status === 'applied' ? { appliedByMemberId: member?.id ?? null, appliedByKeyId: caller.actor.keyId, appliedAt: now } : {}),
          })
          .returning();
        record({
          action: 'discipline.recorded',
          resourceType: 'discipline_act',
          resourceId: row!.id,
          agencyId: drive.organizingAgencyId,
          driveId: drive.id,
          after: { roundId: round.id, partCode: part.code, applicationId: app.id, kind: input.kind, status, minuteRef: input.minuteRef, chairReportRef, headDecision: head, member },
        });
        return (await views([row!], tx))[0]!;
      });
    },

    /** The council chair applies a reprimand or warning decided at the exam room (Nội quy Art. 2(6)(b)). */
    async apply(caller: Caller, actId: string) {
      return audited(db, caller.actor, async (tx, record) => {
        const [act] = await tx.select().from(disciplineActs).where(eq(disciplineActs.id, actId)).for('update');
        if (!act) throw notFound('discipline_act', actId);
        const { drive } = await visibleRound(caller, act.roundId, tx, 'share').catch(() => {
          throw notFound('discipline_act', actId);
        });
        if (RESULTS_APPROVED.has(drive.status)) {
          throw conflict('discipline.results_approved', `The drive is ${drive.status}: a disciplinary act no longer changes its results`, { driveStatus: drive.status });
        }
        if (act.status === 'applied') throw conflict('discipline.already_applied', 'The act is already applied');
        const member = await chair(tx, caller, drive.id, 'Applying reprimands and warnings');
        roleMay(caller, member, ['council'], 'Applying reprimands and warnings');
        const [row] = await tx
          .update(disciplineActs)
          .set({ status: 'applied', appliedByMemberId: member?.id ?? null, appliedByKeyId: caller.actor.keyId, appliedAt: clock() })
          .where(eq(disciplineActs.id, actId))
          .returning();
        record({
          action: 'discipline.applied',
          resourceType: 'discipline_act',
          resourceId: actId,
          agencyId: drive.organizingAgencyId,
          driveId: drive.id,
          before: { status: act.status },
          after: { status: 'applied', kind: act.kind, deductionPercent: deduction(act.kind), minuteRef: act.minuteRef, member },
        });
        return (await views([row!], tx))[0]!;
      });
    },

    async list(caller: Caller, roundId: string, q: DisciplineQuery, afterId: string | undefined) {
      await visibleRound(caller, roundId);
      const where: SQL[] = [eq(disciplineActs.roundId, roundId)];
      if (q.applicationId) where.push(eq(disciplineActs.applicationId, q.applicationId));
      if (afterId) where.push(gt(disciplineActs.id, afterId));
      const rows = await db
        .select()
        .from(disciplineActs)
        .where(and(...where))
        .orderBy(asc(disciplineActs.id))
        .limit(q.limit + 1);
      return views(rows);
    },
  };
}

export type DisciplineService = ReturnType<typeof createDisciplineService>;
