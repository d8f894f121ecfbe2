import { and, eq, sql } from 'drizzle-orm';
import type { Caller } from '../../context.js';
import type { DbOrTx } from '../../db/client.js';
import { AppError, unprocessable } from '../../errors.js';
import { boardMembers, type Board, type Seat } from './boards.table.js';

/*
 * Who may do an act the law gives to a person (170 Art. 8; Quy chế Art. 20–23; DOMAIN.md "Who
 * decides"). Once a drive records any member, such an act is accepted only from a key bound to a
 * member of the right board of that drive: a role key, and whatever On-Behalf-Of it carries, is
 * refused. A drive that records no member keeps accepting role keys (integrators' flows before
 * boards existed); the head's tie decisions need the head in every case (see headDecision).
 */

export type PersonAct = {
  /** What is being done, for messages ("marks", "eligibility decisions"). */
  what: string;
  boards: readonly Board[];
  /** Seats that may do it (default: any seat). */
  seats?: readonly Seat[];
};

/** The member who acted, or null on a drive that records no board. */
export type ActingMember = { id: string; board: Board; seat: Seat; fullName: string } | null;

export type DecisionRef = { number: string; date: string };

/** Whether the drive records its boards (any seat, removed or not). */
export async function recordsBoards(tx: DbOrTx, driveId: string): Promise<boolean> {
  const rows = await tx.select({ one: sql<number>`1` }).from(boardMembers).where(eq(boardMembers.driveId, driveId)).limit(1);
  return rows.length > 0;
}

/** An active seat's row (the key's binding may outlive a removal only until its revocation commits). */
async function activeSeat(tx: DbOrTx, memberId: string) {
  const [row] = await tx
    .select({ id: boardMembers.id, removedAt: boardMembers.removedAt })
    .from(boardMembers)
    .where(and(eq(boardMembers.id, memberId)))
    .for('share');
  return row && !row.removedAt ? row : undefined;
}

export async function requirePersonAct(tx: DbOrTx, caller: Caller, driveId: string, act: PersonAct): Promise<ActingMember> {
  const m = caller.member;
  if (m) {
    if (m.driveId !== driveId) throw new AppError(404, 'drive.not_found', `No drive with id ${driveId}`);
    if (!act.boards.includes(m.board)) {
      throw new AppError(403, 'member.wrong_board', `${act.what} are done by members of the ${act.boards.join(' or ')} board; this key's member sits on the ${m.board} board`, {
        boards: act.boards,
      });
    }
    if (act.seats && !act.seats.includes(m.seat)) {
      throw new AppError(403, 'member.wrong_seat', `${act.what} are done by the ${act.seats.join(' or ')} of the board; this member is ${m.seat}`, { seats: act.seats });
    }
    if (!(await activeSeat(tx, m.id))) throw new AppError(403, 'member.removed', 'The member was removed from the board');
    return { id: m.id, board: m.board, seat: m.seat, fullName: m.fullName };
  }
  if (await recordsBoards(tx, driveId)) {
    throw new AppError(
      403,
      'member.key_required',
      `This drive records its boards: ${act.what} are accepted only from a key bound to a member of the ${act.boards.join(' or ')} board ` +
        '(On-Behalf-Of from another key does not count)',
      { boards: act.boards },
    );
  }
  return null;
}

/**
 * A decision of the head of the recruiting agency (ties left after the legal chain, approval):
 * from a key bound to the head's seat on the drive, or from an approver (or admin) key recording
 * the head's decision by its reference. `always`: the reference is required even on a drive that
 * records no board (ties: the council may no longer post them, 170 Art. 10(2), 12(2)).
 */
export async function headDecision(
  tx: DbOrTx,
  caller: Caller,
  driveId: string,
  decision: DecisionRef | undefined,
  opts: { what: string; always: boolean },
): Promise<{ member: ActingMember; decision: DecisionRef | null }> {
  const m = caller.member;
  if (m) {
    const member = await requirePersonAct(tx, caller, driveId, { what: opts.what, boards: ['agency_head'] });
    return { member, decision: decision ?? null };
  }
  if (caller.role !== 'approver' && caller.role !== 'admin') {
    throw new AppError(403, 'head_decision.head_only', `${opts.what} belong to the head of the recruiting agency, not the ${caller.role}`);
  }
  if (!decision && (opts.always || (await recordsBoards(tx, driveId)))) {
    throw unprocessable('head_decision.reference_required', `${opts.what} recorded by an ${caller.role} key need the head's decision: decision { number, date }`);
  }
  return { member: null, decision: decision ?? null };
}
