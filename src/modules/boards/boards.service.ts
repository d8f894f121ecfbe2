import type { Caller, Clock } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { isUniqueViolation } from '../../db/pg-error.js';
import { formatScore, localDate, maskNationalId, parseScore, type RuleSet } from '../../domain/index.js';
import { searchKey } from '../../domain/names.js';
import type { NationalIdProtector } from '../../crypto/national-id.js';
import { AppError, conflict, notFound, unprocessable } from '../../errors.js';
import type { DrivesService } from '../drives/drives.service.js';
import { generateApiKey } from '../api-keys/api-keys.crypto.js';
import type { ApiKeysRepository } from '../api-keys/api-keys.repository.js';
import type { Role } from '../api-keys/api-keys.table.js';
import { audited, type Record as RecordAudit } from '../audit/audit.writer.js';
import { reconcileFor } from '../marking/marking.rules.js';
import { DECIDED_RULES } from '../rounds/rounds.marking.js';
import type { RoundsRepository } from '../rounds/rounds.repository.js';
import { requirePersonAct } from './boards.acts.js';
import type { BoardsRepository } from './boards.repository.js';
import type { AppointInput, RelativeInput, RemoveInput } from './boards.schemas.js';
import { boards as boardOrder, type Board, type BoardConflictRow, type BoardMemberRow, type MemberRelativeRow } from './boards.table.js';

/*
 * The people behind a drive (170 Art. 8; Quy chế Art. 23). The head of the recruiting agency
 * forms the council and the supervision board; the council (its chair signing) forms the boards.
 * Every seat records who appointed it and the decision's number and date.
 */

/** The role a member's key carries: what it may read; its writes are its board's acts (route `members`). */
const KEY_ROLE: Partial<Record<Board, Role>> = {
  agency_head: 'approver',
  council: 'council',
  form_check: 'council',
  // Invigilators check candidates' identity at the room (Nội quy Art. 1(3)) and write the minutes of
  // reprimands and warnings (Art. 2(6)(b)): they read candidates and applications, never scripts.
  invigilation: 'registrar',
  anonymisation: 'anonymizer',
  marking: 'marker',
  appeals: 'marker',
  interview: 'marker',
  oral: 'marker',
  practical: 'marker',
  project: 'marker',
  supervision: 'supervisor',
};

/** Drive statuses after which the boards no longer change. */
const CLOSED = new Set(['finished', 'cancelled']);

export const memberView = (m: BoardMemberRow) => ({
  id: m.id,
  driveId: m.driveId,
  board: m.board,
  seat: m.seat,
  fullName: m.fullName,
  nationalIdMasked: m.nationalIdMasked,
  title: m.title,
  agencyName: m.agencyName,
  discipline: m.discipline,
  appointedByMemberId: m.appointedByMemberId,
  decision: { number: m.decisionNumber, date: m.decisionDate },
  removedAt: m.removedAt,
  removal: m.removedAt ? { reason: m.removalReason, number: m.removalDecisionNumber, date: m.removalDecisionDate } : null,
  createdAt: m.createdAt,
});
type MemberView = ReturnType<typeof memberView>;

const relativeView = (r: MemberRelativeRow) => ({
  id: r.id,
  memberId: r.memberId,
  relationship: r.relationship,
  nationalIdMasked: r.nationalIdMasked,
  fullName: r.fullName,
  birthDate: r.birthDate,
  createdAt: r.createdAt,
});

const conflictView = (c: BoardConflictRow) => ({
  id: c.id,
  driveId: c.driveId,
  memberId: c.memberId,
  relativeId: c.relativeId,
  applicationId: c.applicationId,
  source: c.source,
  status: c.status,
  note: c.note,
  raisedAt: c.raisedAt,
  resolvedAt: c.resolvedAt,
});

export type BoardsDeps = {
  db: Db;
  repo: BoardsRepository;
  rounds: RoundsRepository;
  apiKeys: ApiKeysRepository;
  drives: Pick<DrivesService, 'visibleDrive' | 'lockVisibleDrive'>;
  nationalIds: NationalIdProtector;
  clock: Clock;
};

export function createBoardsService(deps: BoardsDeps) {
  const { db, repo, clock } = deps;
  const active = (m: BoardMemberRow) => m.removedAt === null;

  /** Same person on two seats: by national ID when both seats give it, else by name. */
  const samePerson = (a: { nationalIdIndex: string | null; fullNameSearch: string }, b: BoardMemberRow) =>
    a.nationalIdIndex && b.nationalIdIndex ? a.nationalIdIndex === b.nationalIdIndex : a.fullNameSearch === b.fullNameSearch;

  function protectRelative(memberId: string, driveId: string, r: RelativeInput) {
    return {
      id: newId(),
      memberId,
      driveId,
      relationship: r.relationship,
      nationalIdIndex: r.nationalId ? deps.nationalIds.blindIndex(r.nationalId) : null,
      nationalIdMasked: r.nationalId ? maskNationalId(r.nationalId) : null,
      fullName: r.fullName ?? null,
      fullNameSearch: r.fullName ? searchKey(r.fullName) : null,
      birthDate: r.birthDate ?? null,
    };
  }

  /** The seat that forms `board` (170 Art. 8(1), 8(2)(a); Quy chế Art. 23(1)). */
  function appointerOf(board: Board, seats: BoardMemberRow[], given: string | undefined): BoardMemberRow | null {
    if (board === 'agency_head') {
      if (given) throw unprocessable('board.appointer_invalid', 'The head of the recruiting agency is recorded by its own decision: no appointedByMemberId');
      return null;
    }
    const formedByHead = board === 'council' || board === 'supervision';
    const candidates = seats.filter((s) => active(s) && (formedByHead ? s.board === 'agency_head' : s.board === 'council' && s.seat === 'head'));
    if (candidates.length === 0) {
      throw unprocessable(
        formedByHead ? 'board.head_not_recorded' : 'board.council_not_formed',
        formedByHead
          ? `The head of the recruiting agency forms the ${board}: record the head first (board agency_head)`
          : `The council forms the ${board} board: record the council and its chair (seat head) first`,
      );
    }
    if (!given) return candidates[0]!;
    const found = candidates.find((c) => c.id === given);
    if (!found) {
      throw unprocessable('board.appointer_invalid', formedByHead ? `The ${board} is formed by the head of the recruiting agency` : `The ${board} board is formed by the council's chair`);
    }
    return found;
  }

  async function visibleSeat(caller: Caller, driveId: string, memberId: string, tx: Db | Tx = db, lock = false) {
    await deps.drives.visibleDrive(caller, driveId, tx);
    const seat = await repo.findSeat(tx, memberId, lock);
    if (!seat || seat.driveId !== driveId) throw notFound('board_member', memberId);
    return seat;
  }

  /** Records the drive's new conflicts (one audit event each: webhook `board.conflict_raised`). */
  async function raiseConflicts(tx: Tx, record: RecordAudit, drive: { id: string; organizingAgencyId: string }) {
    const raised = await repo.raiseConflicts(tx, drive.id, clock());
    for (const c of raised) {
      record({ action: 'board.conflict_raised', resourceType: 'board_conflict', resourceId: c.id, agencyId: drive.organizingAgencyId, driveId: drive.id, after: conflictView(c) });
    }
    return raised;
  }

  /**
   * Voids a removed member's marks on scripts of rounds still marking: the marks move to
   * voided_marks, each script is reconciled from the marks left, and another member re-marks.
   */
  async function voidMarksOf(tx: Tx, caller: Caller, driveId: string, memberId: string, conflictId: string | null) {
    const rows = await repo.marksOfMember(tx, driveId, memberId);
    const open = rows.filter((r) => r.roundStatus === 'marking');
    if (open.length === 0) return { voided: 0, kept: rows.length, items: [] as { scriptCode: string; slot: string; score: string }[] };
    const drive = await deps.rounds.driveContext(driveId, tx);
    const ruleSet = drive!.ruleSet as RuleSet;
    await repo.voidMarks(
      tx,
      open.map((r) => ({ ...r.mark, conflictId, voidedAt: clock() })),
    );
    const scripts = new Map(open.map((r) => [r.script.id, r.script]));
    const parts = new Map((await deps.rounds.partsOf([...new Set(open.map((r) => r.roundId))], tx)).map((p) => [p.id, p]));
    const left = await deps.rounds.marksOf([...scripts.keys()], tx);
    for (const script of scripts.values()) {
      if (script.finalRule && DECIDED_RULES.has(script.finalRule)) continue;
      const values = new Map(left.filter((m) => m.scriptId === script.id).map((m) => [m.slot, parseScore(m.score)]));
      const outcome = reconcileFor(parts.get(script.partId)!, values, ruleSet, localDate(clock()));
      const newScore = outcome.score === null ? null : formatScore(outcome.score);
      await deps.rounds.updateScript(tx, script.id, { status: outcome.status, finalScore: newScore, finalRule: outcome.rule, decisionReason: outcome.reason });
      if (script.finalScore !== newScore) {
        await deps.rounds.insertHistory(tx, [
          { scriptId: script.id, previousScore: script.finalScore, newScore, rule: 'marks_voided', reason: 'A marker removed for a conflict of interest', actorKeyId: caller.actor.keyId },
        ]);
      }
    }
    return {
      voided: open.length,
      kept: rows.length - open.length,
      items: open.map((r) => ({ scriptCode: r.script.code, slot: r.mark.slot, score: r.mark.score })),
    };
  }

  return {
    raiseConflicts,

    async list(caller: Caller, driveId: string) {
      await deps.drives.visibleDrive(caller, driveId);
      const seats = await repo.seatsOfDrive(driveId);
      const by = new Map<Board, MemberView[]>();
      for (const s of seats) by.set(s.board, [...(by.get(s.board) ?? []), memberView(s)]);
      return { driveId, boards: boardOrder.filter((b) => by.has(b)).map((board) => ({ board, members: by.get(board)! })) };
    },

    async appoint(caller: Caller, driveId: string, board: Board, input: AppointInput) {
      // 170 Art. 8(3); Quy chế Art. 23(7)(b): discipline bars every seat.
      if (input.discipline !== 'none') {
        throw unprocessable('board.member_disciplined', `A person ${input.discipline.replace('_', ' ')} may not sit on the council, its boards or the supervision board (170 Art. 8(3))`, {
          discipline: input.discipline,
        });
      }
      return audited(db, caller.actor, async (tx, record) => {
        // The drive row lock serialises appointments: the supervision-board exclusion is checked against every seat.
        const drive = await deps.drives.lockVisibleDrive(tx, caller, driveId, 'update');
        if (CLOSED.has(drive.status)) throw conflict('board.drive_closed', `The boards of a ${drive.status} drive no longer change`);
        const seats = await repo.seatsOfDrive(driveId, tx);
        const appointer = appointerOf(board, seats, input.appointedByMemberId);
        const person = {
          nationalIdIndex: input.nationalId ? deps.nationalIds.blindIndex(input.nationalId) : null,
          fullNameSearch: searchKey(input.fullName),
        };
        // Quy chế Art. 23(7)(c): the supervision board sits apart from the council and every board.
        if (board !== 'agency_head') {
          const clash = seats.find(
            (s) => active(s) && s.board !== 'agency_head' && (board === 'supervision') !== (s.board === 'supervision') && samePerson(person, s),
          );
          if (clash) {
            throw conflict('board.supervision_exclusive', `${input.fullName} sits on the ${clash.board}: supervision-board members may not sit on the council or any board`, {
              memberId: clash.id,
              board: clash.board,
            });
          }
        }
        if (board === 'agency_head' && seats.some((s) => active(s) && s.board === 'agency_head')) {
          throw conflict('board.head_recorded', 'The drive already records the head of the recruiting agency: remove that seat first');
        }
        const relatives = input.relatives.map((r) => protectRelative('', driveId, r));
        const indexes = [person.nationalIdIndex, ...relatives.map((r) => r.nationalIdIndex)].filter((x): x is string => x !== null);
        const related = await repo.applicationsByIndexes(tx, driveId, indexes);
        if (related.length > 0) {
          const self = related.some((r) => r.index === person.nationalIdIndex);
          throw unprocessable(
            self ? 'board.member_is_candidate' : 'board.member_related_to_candidate',
            self
              ? `${input.fullName} is a candidate of this drive`
              : `${input.fullName} has a declared relative among the drive's candidates: relatives may not sit on the council, its boards or the supervision board (170 Art. 8(3))`,
            { applicationIds: related.map((r) => r.applicationId) },
          );
        }
        const seat = await repo.insertSeat(tx, {
          id: newId(),
          driveId,
          board,
          seat: input.seat,
          fullName: input.fullName,
          fullNameSearch: person.fullNameSearch,
          nationalIdIndex: person.nationalIdIndex,
          nationalIdMasked: input.nationalId ? maskNationalId(input.nationalId) : null,
          title: input.title ?? null,
          agencyName: input.agencyName ?? null,
          discipline: input.discipline,
          appointedByMemberId: appointer?.id ?? null,
          decisionNumber: input.decision.number,
          decisionDate: input.decision.date,
          createdByKeyId: caller.actor.keyId,
        }).catch((err: unknown) => {
          if (isUniqueViolation(err, 'board_members_one_agency_head')) throw conflict('board.head_recorded', 'The drive already records the head of the recruiting agency');
          throw err;
        });
        await repo.insertRelatives(tx, relatives.map((r) => ({ ...r, memberId: seat.id })));
        const v = memberView(seat);
        record({
          action: 'board.member_appointed',
          resourceType: 'board_member',
          resourceId: seat.id,
          agencyId: drive.organizingAgencyId,
          driveId,
          after: { ...v, appointedBy: appointer ? { id: appointer.id, fullName: appointer.fullName, board: appointer.board } : null, relatives: relatives.length },
        });
        return v;
      });
    },

    /** The appointing authority's removal; a conflicted member's marks are voided and re-marked. */
    async remove(caller: Caller, driveId: string, memberId: string, input: RemoveInput) {
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await deps.drives.lockVisibleDrive(tx, caller, driveId, 'update');
        const seat = await visibleSeat(caller, driveId, memberId, tx, true);
        if (seat.removedAt) throw conflict('board.member_removed', 'The member was already removed');
        const conflictId = await repo.hasOpenConflict(tx, memberId);
        const at = clock();
        const row = await repo.removeSeat(tx, memberId, {
          removedAt: at,
          removalReason: input.reason,
          removalDecisionNumber: input.decision.number,
          removalDecisionDate: input.decision.date,
        });
        const keysRevoked = await repo.revokeKeys(tx, memberId, at);
        const conflictsResolved = await repo.resolveConflictsOf(tx, memberId, at);
        const voiding = input.voidMarks ?? conflictId !== null;
        const voided = voiding ? await voidMarksOf(tx, caller, driveId, memberId, conflictId) : { voided: 0, kept: 0, items: [] };
        const v = memberView(row);
        record({
          action: 'board.member_removed',
          resourceType: 'board_member',
          resourceId: memberId,
          agencyId: drive.organizingAgencyId,
          driveId,
          before: { removedAt: null },
          after: { ...v, keysRevoked, conflictsResolved, marksVoided: voided.items, marksInClosedRounds: voided.kept },
        });
        return { member: v, keysRevoked, marksVoided: voided.voided, marksInClosedRounds: voided.kept, conflictsResolved };
      });
    },

    async declareRelative(caller: Caller, driveId: string, memberId: string, input: RelativeInput) {
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await deps.drives.visibleDrive(caller, driveId, tx);
        const seat = await visibleSeat(caller, driveId, memberId, tx);
        // A member declares their own relatives; the secretariat may record them for the member.
        if (caller.member && caller.member.id !== memberId) throw new AppError(403, 'member.not_self', "A member's key declares that member's own relatives");
        if (seat.removedAt) throw conflict('board.member_removed', 'The member was removed');
        const [relative] = await repo.insertRelatives(tx, [protectRelative(memberId, driveId, input)]);
        record({ action: 'board.relative_declared', resourceType: 'board_member', resourceId: memberId, agencyId: drive.organizingAgencyId, driveId, after: relativeView(relative!) });
        const raised = relative!.nationalIdIndex ? await raiseConflicts(tx, record, drive) : [];
        const possibleMatches =
          relative!.fullNameSearch && relative!.birthDate ? await repo.applicationsByNameAndBirth(tx, driveId, relative!.fullNameSearch, relative!.birthDate) : [];
        return { relative: relativeView(relative!), conflicts: raised.map(conflictView), possibleMatches };
      });
    },

    async relatives(caller: Caller, driveId: string, memberId: string) {
      await visibleSeat(caller, driveId, memberId);
      return (await repo.relativesOf(memberId)).map(relativeView);
    },

    async conflicts(caller: Caller, driveId: string) {
      await deps.drives.visibleDrive(caller, driveId);
      return (await repo.conflictsOf(driveId)).map(conflictView);
    },

    /** The council matches a name-and-birth-date declaration by hand. */
    async raiseManualConflict(caller: Caller, driveId: string, input: { memberId: string; applicationId: string; note: string }) {
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await deps.drives.visibleDrive(caller, driveId, tx);
        const seat = await visibleSeat(caller, driveId, input.memberId, tx);
        if (seat.removedAt) throw conflict('board.member_removed', 'The member was removed');
        const app = await repo.findApplication(tx, input.applicationId);
        if (!app || app.driveId !== driveId) throw unprocessable('board.application_not_in_drive', `No application ${input.applicationId} in this drive`);
        const row = await repo.insertConflict(tx, { id: newId(), driveId, memberId: input.memberId, applicationId: input.applicationId, source: 'manual', note: input.note, raisedAt: clock() });
        if (!row) throw conflict('board.conflict_recorded', 'This conflict is already recorded');
        record({ action: 'board.conflict_raised', resourceType: 'board_conflict', resourceId: row.id, agencyId: drive.organizingAgencyId, driveId, after: conflictView(row) });
        return conflictView(row);
      });
    },

    /** A key bound to the member and the drive, shown once. */
    async issueKey(caller: Caller, driveId: string, memberId: string, name: string | undefined) {
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await deps.drives.visibleDrive(caller, driveId, tx);
        const seat = await visibleSeat(caller, driveId, memberId, tx, true);
        if (seat.removedAt) throw conflict('board.member_removed', 'The member was removed: no key can be issued');
        const role = KEY_ROLE[seat.board];
        if (!role) throw unprocessable('member_key.board_has_no_acts', `Members of the ${seat.board} board do no act through the API`);
        const { secret, hash, prefix } = generateApiKey();
        const key = await deps.apiKeys.insert(tx, {
          id: newId(),
          name: name ?? `${seat.board} ${seat.seat}: ${seat.fullName}`.slice(0, 100),
          role,
          agencyId: drive.organizingAgencyId,
          keyHash: hash,
          prefix,
          createdBy: caller.actor.keyId,
        });
        await repo.insertMemberKey(tx, { keyId: key.id, memberId, driveId });
        const view = { id: key.id, memberId, driveId, role, prefix, createdAt: key.createdAt, revokedAt: key.revokedAt };
        record({ action: 'api_key.created', resourceType: 'api_key', resourceId: key.id, agencyId: drive.organizingAgencyId, driveId, after: view });
        return { ...view, key: secret };
      });
    },

    async keys(caller: Caller, driveId: string, memberId: string) {
      await visibleSeat(caller, driveId, memberId);
      return (await repo.keysOf(db, memberId)).map((k) => ({ ...k, memberId }));
    },

    async revokeKey(caller: Caller, driveId: string, memberId: string, keyId: string) {
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await deps.drives.visibleDrive(caller, driveId, tx);
        await visibleSeat(caller, driveId, memberId, tx);
        const bound = (await repo.keysOf(tx, memberId)).find((k) => k.id === keyId);
        if (!bound) throw notFound('api_key', keyId);
        if (caller.actor.keyId === keyId) throw conflict('api_key.self_revoke', 'A key cannot revoke itself');
        await repo.revokeKeys(tx, memberId, clock(), keyId);
        const after = (await repo.keysOf(tx, memberId)).find((k) => k.id === keyId)!;
        record({ action: 'api_key.revoked', resourceType: 'api_key', resourceId: keyId, agencyId: drive.organizingAgencyId, driveId, after });
        return { ...after, memberId };
      });
    },

    /** Quy chế Art. 23(4)(d): the supervision board's report — its only write. */
    async fileReport(caller: Caller, driveId: string, input: { summary: string; findings: string[] }) {
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await deps.drives.visibleDrive(caller, driveId, tx);
        const member = await requirePersonAct(tx, caller, driveId, { what: 'Supervision reports', boards: ['supervision'] });
        if (!member) throw new AppError(403, 'member.key_required', 'Supervision reports are filed by a key bound to a member of the supervision board');
        const row = await repo.insertReport(tx, { id: newId(), driveId, memberId: member.id, summary: input.summary, findings: input.findings, filedAt: clock() });
        record({ action: 'supervision.report_filed', resourceType: 'supervision_report', resourceId: row.id, agencyId: drive.organizingAgencyId, driveId, after: { ...row, filedAt: undefined } });
        return row;
      });
    },

    async reports(caller: Caller, driveId: string) {
      await deps.drives.visibleDrive(caller, driveId);
      return repo.reportsOf(driveId);
    },
  };
}
export type BoardsService = ReturnType<typeof createBoardsService>;
