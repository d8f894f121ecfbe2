import { and, desc, eq, sql } from 'drizzle-orm';
import type { Caller, Clock } from '../../context.js';
import type { NationalIdProtector } from '../../crypto/national-id.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { isUniqueViolation } from '../../db/pg-error.js';
import { normalizeName, searchKey } from '../../domain/names.js';
import { nationalIdContradiction } from '../../domain/plausibility.js';
import { AppError, conflict, notFound, unprocessable } from '../../errors.js';
import { audited } from '../audit/audit.writer.js';
import type { CandidatesRepository } from '../candidates/candidates.repository.js';
import { candidateProfiles, candidates } from '../candidates/candidates.table.js';
import { approvedIdentities, identityCorrections, type IdentityCorrectionRow, type IdentityFields } from './identity.table.js';

/*
 * Nothing changes after approval except through the law's paths (170 Art. 17: the head approves
 * the results; the approved list is what is published). The identity of every application is
 * frozen when the head approves; a candidate's identity (a typo in the name, a wrong birth date)
 * is then corrected only by a correction the approver authorises, kept with its before and after.
 * A wrong national ID is corrected the same way: the corrected number waits encrypted with the data
 * key (and its keyed blind index), is re-encrypted and re-indexed under the data key current when the
 * approver authorises it, stays unique (one person per national ID, so one application per drive per
 * person still holds), and appears only masked in responses, the history, audit events and webhooks.
 * Each request and decision raises a webhook event (identity_correction.requested / .decided) whose
 * payload names ids and field names only.
 */

export type IdentityDeps = { db: Db; candidates: CandidatesRepository; nationalIds: NationalIdProtector; clock: Clock };

/** Drive statuses whose results the head has approved. */
export const APPROVED_STATUSES = ['approved', 'published', 'finished'] as const;

const correctionView = (c: IdentityCorrectionRow) => ({
  id: c.id,
  candidateId: c.candidateId,
  status: c.status,
  before: c.before,
  after: c.after,
  reason: c.reason,
  evidence: c.evidence,
  decisionNote: c.decisionNote,
  decidedAt: c.decidedAt,
  createdAt: c.createdAt,
  version: c.version,
});
export type IdentityCorrectionView = ReturnType<typeof correctionView>;

/** The corrected fields as codes (nationalIdMasked → nationalId), for audit events and webhooks. */
const fieldCodes = (f: IdentityFields) => Object.keys(f).map((k) => (k === 'nationalIdMasked' ? 'nationalId' : k));

/** Whether the person has an application in a drive whose results are approved (then the identity is frozen). */
export async function identityFrozen(tx: DbOrTx, candidateId: string): Promise<boolean> {
  const res = (await tx.execute(
    sql`select 1 from applications a join drives d on d.id = a.drive_id
         where a.candidate_id = ${candidateId} and d.status in ('approved', 'published', 'finished') limit 1`,
  )) as unknown as { rows: unknown[] };
  return res.rows.length > 0;
}

/** Whether another person holds this blind index (candidates_national_id_index_unique: one person per national ID). */
async function nationalIdTaken(tx: DbOrTx, index: string, candidateId: string): Promise<boolean> {
  const res = (await tx.execute(sql`select 1 from candidates where national_id_index = ${index} and id <> ${candidateId} limit 1`)) as unknown as { rows: unknown[] };
  return res.rows.length > 0;
}

const nationalIdTakenError = () =>
  conflict('identity_correction.national_id_taken', 'Another candidate holds this national ID: one person per national ID (and so one application per drive)');

/** The drives whose frozen identity of the candidate a correction concerns (ids only). */
async function approvedDrivesOf(tx: DbOrTx, candidateId: string): Promise<string[]> {
  const rows = await tx.selectDistinct({ driveId: approvedIdentities.driveId }).from(approvedIdentities).where(eq(approvedIdentities.candidateId, candidateId));
  return rows.map((r) => r.driveId).sort();
}

export function createIdentityService(deps: IdentityDeps) {
  const { db, candidates: candidatesRepo, nationalIds, clock } = deps;

  async function visibleCandidate(caller: Caller, id: string, tx: DbOrTx) {
    const found = await candidatesRepo.findVisible(id, caller.scopePath, tx);
    if (!found) throw notFound('candidate', id);
    return found;
  }

  return {
    /** Freezes the identity each application of the drive shows (called by the approval, in its transaction). */
    async freezeAtApproval(tx: DbOrTx, driveId: string): Promise<void> {
      await tx.execute(sql`
        insert into approved_identities (drive_id, application_id, candidate_id, full_name, birth_date, national_id_masked)
        select a.drive_id, a.id, a.candidate_id, coalesce(cp.full_name, c.full_name), coalesce(cp.birth_date, c.birth_date), c.national_id_masked
          from applications a
          join candidates c on c.id = a.candidate_id
          left join candidate_profiles cp on cp.id = a.profile_id
         where a.drive_id = ${driveId}
        on conflict (drive_id, application_id) do update
           set full_name = excluded.full_name, birth_date = excluded.birth_date, national_id_masked = excluded.national_id_masked, taken_at = now()`);
    },

    async request(
      caller: Caller,
      candidateId: string,
      input: { fullName?: string | undefined; birthDate?: string | undefined; nationalId?: string | undefined; reason: string; evidence?: string | undefined },
    ) {
      return audited(db, caller.actor, async (tx, record) => {
        const current = await visibleCandidate(caller, candidateId, tx);
        const after: IdentityFields = {};
        const before: IdentityFields = {};
        if (input.fullName !== undefined) {
          after.fullName = normalizeName(input.fullName);
          before.fullName = current.submission.fullName;
        }
        if (input.birthDate !== undefined) {
          after.birthDate = input.birthDate;
          before.birthDate = current.submission.birthDate;
        }
        let protectedId: { ciphertext: string; index: string } | null = null;
        if (input.nationalId !== undefined) {
          const p = nationalIds.protect(input.nationalId);
          if (p.index === current.nationalIdIndex) throw unprocessable('identity_correction.national_id_unchanged', 'The candidate already holds this national ID');
          // The digits encode the birth year and sex: they must agree with the (corrected) birth date and the gender.
          const bad = nationalIdContradiction(input.nationalId, after.birthDate ?? current.submission.birthDate, current.submission.gender);
          if (bad) throw new AppError(bad.status, bad.code, bad.message, { field: bad.field });
          if (await nationalIdTaken(tx, p.index, candidateId)) throw nationalIdTakenError();
          after.nationalIdMasked = p.masked;
          before.nationalIdMasked = current.nationalIdMasked;
          protectedId = { ciphertext: p.ciphertext, index: p.index };
        }
        if (Object.keys(after).length === 0) throw unprocessable('identity_correction.empty', 'Give fullName, birthDate or nationalId to correct');
        let row: IdentityCorrectionRow;
        try {
          [row] = (await tx
            .insert(identityCorrections)
            .values({
              id: newId(),
              candidateId,
              before,
              after,
              reason: input.reason,
              evidence: input.evidence ?? null,
              nationalIdCiphertext: protectedId?.ciphertext ?? null,
              nationalIdIndex: protectedId?.index ?? null,
              requestedByKeyId: caller.actor.keyId,
            })
            .returning()) as [IdentityCorrectionRow];
        } catch (err) {
          if (isUniqueViolation(err, 'identity_corrections_one_pending')) throw conflict('identity_correction.pending', 'A correction of this candidate awaits the approver');
          throw err;
        }
        const v = correctionView(row);
        // Ids and field names only: the audit event is also the webhook's payload (no personal data, not even the reason's text).
        record({
          action: 'identity_correction.requested',
          resourceType: 'candidate',
          resourceId: candidateId,
          agencyId: current.submission.agencyId,
          after: { id: v.id, candidateId, status: v.status, fields: fieldCodes(after), driveIds: await approvedDrivesOf(tx, candidateId) },
        });
        return v;
      });
    },

    async list(caller: Caller, candidateId: string) {
      await visibleCandidate(caller, candidateId, db);
      const rows = await db.select().from(identityCorrections).where(eq(identityCorrections.candidateId, candidateId)).orderBy(desc(identityCorrections.createdAt));
      return { items: rows.map(correctionView) };
    },

    /** The approver authorises (or refuses) the correction; authorised, it rewrites the person and the frozen identity, marked with it. */
    async decide(caller: Caller, correctionId: string, input: { approve: boolean; note: string }) {
      if (caller.role !== 'approver' && caller.role !== 'admin') throw new AppError(403, 'auth.forbidden', 'Identity corrections are authorised by the approver');
      return audited(db, caller.actor, async (tx, record) => {
        const [found] = await tx.select().from(identityCorrections).where(eq(identityCorrections.id, correctionId)).for('update');
        if (!found) throw notFound('identity_correction', correctionId);
        const scoped = await visibleCandidate(caller, found.candidateId, tx).catch(() => {
          throw notFound('identity_correction', correctionId);
        });
        if (found.status !== 'pending') throw conflict('identity_correction.decided', `The correction is already ${found.status}`);
        // The corrected number leaves the correction once decided: the candidate row then holds it (or nothing does).
        const [row] = await tx
          .update(identityCorrections)
          .set({
            status: input.approve ? 'approved' : 'rejected',
            decidedByKeyId: caller.actor.keyId,
            decisionNote: input.note,
            decidedAt: clock(),
            nationalIdCiphertext: null,
            nationalIdIndex: null,
            version: sql`${identityCorrections.version} + 1`,
          })
          .where(eq(identityCorrections.id, correctionId))
          .returning();
        if (input.approve) {
          const a = found.after;
          const person: Partial<typeof candidates.$inferInsert> = {};
          if (a.fullName !== undefined) Object.assign(person, { fullName: a.fullName, fullNameSearch: searchKey(a.fullName) });
          if (a.birthDate !== undefined) person.birthDate = a.birthDate;
          const profile = { ...person };
          let masked: string | undefined;
          if (found.nationalIdCiphertext) {
            // Re-encrypted and re-indexed under the data key current now (a rotation may have run since the request).
            const p = nationalIds.protect(nationalIds.decrypt(found.nationalIdCiphertext));
            if (await nationalIdTaken(tx, p.index, found.candidateId)) throw nationalIdTakenError();
            Object.assign(person, { nationalIdCiphertext: p.ciphertext, nationalIdIndex: p.index, nationalIdMasked: p.masked });
            masked = p.masked;
          }
          try {
            await tx.update(candidates).set({ ...person, updatedAt: clock(), version: sql`${candidates.version} + 1` }).where(eq(candidates.id, found.candidateId));
          } catch (err) {
            if (isUniqueViolation(err, 'candidates_national_id_index_unique')) throw nationalIdTakenError();
            throw err;
          }
          if (Object.keys(profile).length > 0) await tx.update(candidateProfiles).set(profile).where(eq(candidateProfiles.candidateId, found.candidateId));
          const frozen: Partial<typeof approvedIdentities.$inferInsert> = { correctionId };
          if (a.fullName !== undefined) frozen.fullName = a.fullName;
          if (a.birthDate !== undefined) frozen.birthDate = a.birthDate;
          if (masked !== undefined) frozen.nationalIdMasked = masked;
          await tx.update(approvedIdentities).set(frozen).where(and(eq(approvedIdentities.candidateId, found.candidateId)));
        }
        const v = correctionView(row!);
        record({
          action: input.approve ? 'identity_correction.approved' : 'identity_correction.rejected',
          resourceType: 'candidate',
          resourceId: found.candidateId,
          agencyId: scoped.submission.agencyId,
          after: { id: v.id, candidateId: found.candidateId, status: v.status, fields: fieldCodes(found.after), driveIds: await approvedDrivesOf(tx, found.candidateId) },
        });
        return v;
      });
    },
  };
}
export type IdentityService = ReturnType<typeof createIdentityService>;
