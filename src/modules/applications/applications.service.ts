import { sql } from 'drizzle-orm';
import type { Caller, Clock } from '../../context.js';
import { inScope } from '../../context.js';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { candidateNumberOrder, formatCandidateNumber, searchKey } from '../../domain/names.js';
import { AppError, conflict, notFound, preconditionFailed } from '../../errors.js';
import { audited, type Record as AuditRecord } from '../audit/audit.writer.js';
import { requirePersonAct } from '../boards/boards.acts.js';
import type { CandidatesRepository } from '../candidates/candidates.repository.js';
import {
  createApplicationsRepository,
  type ApplicationsRepository,
  type ApplicationWithCandidate,
  type DriveWithAgency,
} from './applications.repository.js';
import { applicantRefusal, ethnicityRefusal, quotaNotInDrive, refuse, reviewRefusal, windowRefusal } from './applications.rules.js';
import { jointPreferences } from './applications.joint.js';
import type { EligibilityInput, ListApplicationsQuery, RegisterInput } from './applications.schemas.js';

export type ApplicationsDeps = {
  db: Db;
  repo: ApplicationsRepository;
  candidates: CandidatesRepository;
  clock: Clock;
  /** Runs in the registering transaction (the boards module raises conflicts of interest). */
  onRegistered?: (tx: Tx, record: AuditRecord, drive: { id: string; organizingAgencyId: string }) => Promise<unknown>;
};

export function applicationView(r: ApplicationWithCandidate) {
  const a = r.app;
  return {
    id: a.id,
    driveId: a.driveId,
    quotaId: a.quotaId,
    candidateId: a.candidateId,
    candidate: { fullName: r.fullName, nationalIdMasked: r.nationalIdMasked, birthDate: r.birthDate },
    choice: a.choice,
    status: a.status,
    reasons: a.reasons,
    priorityClaims: a.priorityClaims,
    priorityCategory: a.priorityCategory,
    priorityPoints: a.priorityPoints,
    exemptions: a.exemptions,
    agencyPreferences: a.agencyPreferences,
    reviewGroup: a.reviewGroup ?? null,
    reviewEvidenceRefs: a.reviewEvidence,
    candidateNumber: a.candidateNumber,
    registeredByAgencyId: a.registeredByAgencyId,
    submittedAt: a.submittedAt,
    decidedAt: a.decidedAt,
    withdrawnAt: a.withdrawnAt,
    updatedAt: a.updatedAt,
    version: a.version,
  };
}
export type ApplicationView = ReturnType<typeof applicationView>;
const auditOf = (v: ApplicationView) => ({ ...v, submittedAt: undefined, updatedAt: undefined });

/** A drive the caller may register to or list: its organising agency in the caller's subtree, or one of its quotas'. */
export async function visibleDrive(repo: ApplicationsRepository, caller: Caller, driveId: string, tx?: DbOrTx): Promise<DriveWithAgency> {
  const found = await repo.findDrive(driveId, tx);
  if (!found) throw notFound('drive', driveId);
  if (caller.scopePath !== null && !inScope(caller, found.agencyPath)) {
    const quotas = await repo.quotasOfDrive(driveId, tx);
    if (!quotas.some((q) => inScope(caller, q.agencyPath))) throw notFound('drive', driveId);
  }
  return found;
}

/**
 * Assigns candidate numbers (số báo danh) when registration closes: every active application of
 * the drive without a number, in the order offices print exam lists (given name, then the rest of
 * the name, Vietnamese collation; then submission time and id), continuing after the highest
 * number already issued. Numbers once issued never change.
 */
export async function assignCandidateNumbers(tx: DbOrTx, driveId: string): Promise<{ assigned: number }> {
  const repo = createApplicationsRepository(tx);
  const found = await repo.findDrive(driveId, tx);
  if (!found) throw notFound('drive', driveId);
  const prefix = found.drive.candidateNumberPrefix ?? '';
  let highest = 0;
  for (const n of await repo.issuedNumbers(tx, driveId)) {
    const seq = n.startsWith(prefix) ? Number(n.slice(prefix.length)) : NaN;
    if (Number.isSafeInteger(seq) && seq > highest) highest = seq;
  }
  const pending = await repo.unnumbered(tx, driveId);
  const ordered = pending
    .map((p) => ({ id: p.id, fullName: p.fullName, tiebreak: `${p.submittedAt.toISOString()}|${p.id}` }))
    .sort(candidateNumberOrder);
  const width = Math.max(4, String(highest + ordered.length).length);
  await repo.setNumbers(
    tx,
    ordered.map((p, i) => ({ id: p.id, candidateNumber: formatCandidateNumber(prefix, highest + i + 1, width) })),
  );
  return { assigned: ordered.length };
}

/**
 * Once the head approved the results, an application changes only through the law's paths: a
 * winner's result is cancelled and the slot given to the next reserve (POST /v1/results/{id}/cancel).
 * Takes the drive's lock in share mode, so an approval in flight either sees this change or refuses it.
 */
async function refuseAfterApproval(tx: DbOrTx, driveId: string, what: string): Promise<void> {
  const rows = (await tx.execute(sql`select status from drives where id = ${driveId} for share`)) as unknown as { rows: { status: string }[] };
  const status = rows.rows[0]?.status;
  if (status === 'approved' || status === 'published' || status === 'finished') {
    throw conflict('application.results_approved', `The drive's results are ${status}: ${what} is no longer possible; cancel the result and replace it from the reserve list (POST /v1/results/{id}/cancel)`, {
      path: 'result_cancellation_and_replacement',
      driveStatus: status,
    });
  }
}

export function createApplicationsService(deps: ApplicationsDeps) {
  const { db, repo, clock } = deps;

  async function visible(caller: Caller, id: string, tx: DbOrTx = db): Promise<ApplicationWithCandidate> {
    const row = await repo.findVisible(id, caller.scopePath, tx);
    if (!row) throw notFound('application', id);
    return row;
  }

  return {
    /**
     * Registers a candidate to a quota. Takes no drive-wide lock: the unique indexes hold the limits.
     * Its checks read one statement before the transaction opens (registrationContext), as read
     * committed would inside it; the transaction then only inserts and audits.
     */
    async register(caller: Caller, driveId: string, input: RegisterInput): Promise<ApplicationView> {
      const ctx = await repo.registrationContext(driveId, input.quotaId, input.candidateId, caller.scopePath);
      if (!ctx || !ctx.driveVisible) throw notFound('drive', driveId);
      const { drive, quota, candidate, submission } = ctx;
      const closed = windowRefusal(drive, clock());
      if (closed) throw refuse(closed);
      if (!quota) throw refuse(quotaNotInDrive(input.quotaId, driveId));
      // A quota of the drive outside the caller's subtree: the drive is visible through another quota,
      // but a key registers only into quotas it can read (issue 12, item 2).
      if (!ctx.quotaVisible) throw notFound('quota', input.quotaId);
      if (!candidate || !submission) {
        throw new AppError(422, 'application.candidate_not_found', `No candidate ${input.candidateId}`, { field: 'candidateId' });
      }
      // The applicant's data are those the caller submitted (its submission), never another agency's.
      const preferences = jointPreferences(quota, ctx.jointAgencyIds, input.agencyPreferences);
      if ('refusal' in preferences) throw refuse(preferences.refusal);
      const restricted = ethnicityRefusal(quota, submission);
      if (restricted) throw refuse(restricted);
      const review = reviewRefusal(quota, { group: input.reviewGroup ?? null, evidenceRefs: input.reviewEvidenceRefs ?? [] }, input.choice);
      if (review) throw refuse(review);
      const priorityClaims = input.priorityClaims ?? submission.priorityClaims;
      const checked = applicantRefusal(drive, drive.ruleSet, submission, ctx.barred, {
        choice: input.choice,
        priorityClaims,
        exemptions: input.exemptions,
        secondChoiceOpen: quota.secondChoiceOpen,
      });
      if ('refusal' in checked) {
        // A refusal for a bar says whose bar it is and until when (the authority's next drive closes).
        const bar = checked.refusal.code === 'application.barred' ? await deps.candidates.barOf(db, candidate.id, driveId) : undefined;
        throw refuse(bar ? { ...checked.refusal, extras: { ...checked.refusal.extras, bar } } : checked.refusal);
      }
      return audited(db, caller.actor, async (tx, record) => {
        const row = await repo.insert(tx, {
          id: newId(),
          driveId,
          quotaId: quota.id,
          candidateId: candidate.id,
          profileId: submission.profileId,
          choice: input.choice,
          priorityClaims,
          exemptions: input.exemptions,
          agencyPreferences: preferences.agencyPreferences,
          reviewGroup: input.reviewGroup ?? null,
          reviewEvidence: input.reviewEvidenceRefs ?? [],
          ...checked.priority,
          registeredByAgencyId: caller.scopeAgencyId,
          submittedAt: clock(),
        });
        const view = applicationView({ app: row, fullName: submission.fullName, nationalIdMasked: candidate.nationalIdMasked, birthDate: submission.birthDate });
        record({ action: 'application.submitted', resourceType: 'application', resourceId: row.id, agencyId: quota.agencyId, driveId, after: auditOf(view) });
        await deps.onRegistered?.(tx, record, { id: driveId, organizingAgencyId: drive.organizingAgencyId });
        return view;
      });
    },

    async get(caller: Caller, id: string): Promise<ApplicationView> {
      return applicationView(await visible(caller, id));
    },

    async list(caller: Caller, driveId: string, q: ListApplicationsQuery, afterId: string | undefined): Promise<ApplicationView[]> {
      await visibleDrive(repo, caller, driveId);
      const rows = await repo.list({
        scopePath: caller.scopePath,
        driveId,
        quotaId: q.quotaId,
        status: q.status,
        candidateId: q.candidateId,
        agencyId: q.agencyId,
        search: q.q ? searchKey(q.q) : undefined,
        afterId,
        limit: q.limit,
      });
      return rows.map(applicationView);
    },

    /** The council's eligibility decision (re-checkable): the record and its reasons are kept, never deleted. */
    async decideEligibility(caller: Caller, id: string, expected: number | undefined, input: EligibilityInput): Promise<ApplicationView> {
      return audited(db, caller.actor, async (tx, record) => {
        const before = await visible(caller, id, tx);
        const locked = await repo.lockForUpdate(tx, id);
        if (!locked) throw notFound('application', id);
        if (expected !== undefined && expected !== locked.version) throw preconditionFailed();
        if (locked.status === 'withdrawn') throw conflict('application.withdrawn', 'A withdrawn application cannot be decided');
        await refuseAfterApproval(tx, locked.driveId, 'an eligibility change');
        // 170 Art. 8(2)(c): the council checks the forms (through its form-check board).
        const member = await requirePersonAct(tx, caller, locked.driveId, { what: 'Eligibility decisions', boards: ['council', 'form_check'] });
        const row = await repo.setStatus(tx, id, {
          status: input.eligible ? 'eligible' : 'ineligible',
          reasons: input.reasons,
          decidedAt: clock(),
        });
        const after = applicationView({ ...before, app: row });
        record({
          action: input.eligible ? 'application.eligible' : 'application.ineligible',
          resourceType: 'application',
          resourceId: id,
          driveId: row.driveId,
          before: auditOf(applicationView({ ...before, app: locked })),
          after: { ...auditOf(after), decidedBy: member },
        });
        return after;
      });
    },

    /** Withdrawal keeps the application (and any candidate number) for the record. */
    async withdraw(caller: Caller, id: string, expected: number | undefined, reason: string | undefined): Promise<ApplicationView> {
      return audited(db, caller.actor, async (tx, record) => {
        const before = await visible(caller, id, tx);
        const locked = await repo.lockForUpdate(tx, id);
        if (!locked) throw notFound('application', id);
        if (expected !== undefined && expected !== locked.version) throw preconditionFailed();
        if (locked.status === 'withdrawn') throw conflict('application.already_withdrawn', 'The application is already withdrawn');
        await refuseAfterApproval(tx, locked.driveId, 'a withdrawal');
        const row = await repo.setStatus(tx, id, {
          status: 'withdrawn',
          withdrawnAt: clock(),
          ...(reason ? { reasons: [...locked.reasons, { code: 'application.withdrawn', message: reason }] } : {}),
        });
        const after = applicationView({ ...before, app: row });
        record({
          action: 'application.withdrawn',
          resourceType: 'application',
          resourceId: id,
          driveId: row.driveId,
          before: auditOf(applicationView({ ...before, app: locked })),
          after: auditOf(after),
        });
        return after;
      });
    },
  };
}
export type ApplicationsService = ReturnType<typeof createApplicationsService>;
