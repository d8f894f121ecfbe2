import type { Caller, Clock } from '../../context.js';
import { inScope } from '../../context.js';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { isUniqueViolation } from '../../db/pg-error.js';
import { localDate, registrationCloses } from '../../domain/deadlines.js';
import { planTransition, transitionsFrom, type DriveTransitionTarget, type TransitionFacts } from '../../domain/drive-lifecycle.js';
import { searchKey } from '../../domain/names.js';
import { checkPresetChoice, defaultPresetFor, presetUseWarnings, type PresetUse, type PresetWarning } from '../../domain/preset-law.js';
import { resolveRuleSet, type Preset, type RuleSet, type RuleSetOverrides } from '../../domain/rule-sets.js';
import { AppError, conflict, notFound, preconditionFailed, unprocessable } from '../../errors.js';
import type { AgenciesRepository } from '../agencies/agencies.repository.js';
import type { StaffCategory } from '../agencies/agencies.table.js';
import { audited, type Record as RecordAudit } from '../audit/audit.writer.js';
import type { DrivesRepository, ScopedDrive } from './drives.repository.js';
import type { CreateDriveInput, ListDrivesQuery, PatchDriveInput, TransitionInput } from './drives.schemas.js';
import type { DriveRow } from './drives.table.js';

/** Called in the transaction that closes registration (the applications module assigns candidate numbers). */
export type OnRegistrationClosed = (tx: Tx, driveId: string) => Promise<void>;

export type DrivesDeps = {
  db: Db;
  repo: DrivesRepository;
  agencies: AgenciesRepository;
  clock: Clock;
  onRegistrationClosed?: OnRegistrationClosed;
};

/**
 * The date that decides the preset: the plan's approval date; when the client did not record it,
 * the registration opening date, else the day the drive is created (and the drive says so).
 */
function planDateOf(planApprovedOn: string | null, opensOn: string | null, createdOn: string): string {
  return planApprovedOn ?? opensOn ?? createdOn;
}

function driveWarnings(d: DriveRow): PresetWarning[] {
  const warnings: PresetWarning[] = [];
  const planDate = planDateOf(d.planApprovedOn, d.registrationOpensOn, localDate(d.createdAt));
  if (d.kind === 'recruitment' && d.planApprovedOn === null) {
    warnings.push({
      code: 'drive.plan_date_assumed',
      message: `planApprovedOn is not recorded: the rule set is checked as for a plan approved on ${planDate} (${d.registrationOpensOn ? 'the registration opening date' : 'the day the drive was created'})`,
    });
  }
  warnings.push(...presetUseWarnings(d.ruleSetPreset, d.ruleSetUse, planDate));
  return warnings;
}

export const driveView = (d: DriveRow) => ({
  id: d.id,
  code: d.code,
  name: d.name,
  kind: d.kind,
  staffCategory: d.staffCategory,
  year: d.year,
  organizingAgencyId: d.organizingAgencyId,
  status: d.status,
  allowedTransitions: transitionsFrom(d.status),
  ruleSet: {
    preset: d.ruleSetPreset,
    overrides: d.ruleSetOverrides as Record<string, unknown>,
    effective: d.ruleSet,
    frozenAt: d.ruleSetFrozenAt,
    use: d.ruleSetUse,
    reason: d.ruleSetUseReason,
  },
  planApprovedOn: d.planApprovedOn,
  warnings: driveWarnings(d),
  registrationOpensOn: d.registrationOpensOn,
  registrationClosesOn: d.registrationClosesOn,
  candidateNumberPrefix: d.candidateNumberPrefix,
  statusChangedAt: d.statusChangedAt,
  publishedAt: d.publishedAt,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
  version: d.version,
});
export type DriveView = ReturnType<typeof driveView>;

/**
 * The effective rule set of a drive, checked against what the drive is: a leadership-title exam
 * runs under the leadership rules (2424/BNV-CCVC) and nothing else does; a preset written for one
 * staff category (Decree 138/170 civil servants, Decree 115 public employees) does not govern the other.
 */
export function effectiveRuleSet(kind: DriveRow['kind'], staffCategory: StaffCategory, preset: Preset, overrides: RuleSetOverrides): RuleSet {
  if ((kind === 'leadership') !== (preset === 'leadership')) {
    throw unprocessable(
      'drive.rule_set_mismatch',
      kind === 'leadership' ? `A leadership drive needs the leadership rule set, not ${preset}` : `A recruitment drive cannot use the leadership rule set`,
      { kind, preset },
    );
  }
  const ruleSet = resolveRuleSet(preset, overrides);
  if (ruleSet.staffCategory !== 'any' && ruleSet.staffCategory !== staffCategory) {
    throw unprocessable(
      'drive.rule_set_mismatch',
      `Rule set ${preset} applies to ${ruleSet.staffCategory}, but the drive recruits ${staffCategory}`,
      { preset, ruleSetStaffCategory: ruleSet.staffCategory, staffCategory },
    );
  }
  return ruleSet;
}

function checkWindow(opensOn: string | null, closesOn: string | null): void {
  if (closesOn && !opensOn) throw unprocessable('drive.invalid_window', 'registrationClosesOn needs registrationOpensOn');
  if (opensOn && closesOn && closesOn < opensOn) {
    throw unprocessable('drive.invalid_window', `Registration would close on ${closesOn}, before it opens on ${opensOn}`, { opensOn, closesOn });
  }
}

const codeTaken = (code: string | undefined) => conflict('drive.code_taken', `Drive code ${code} is already used`);

export function createDrivesService(deps: DrivesDeps) {
  const { db, repo, clock } = deps;
  const onRegistrationClosed: OnRegistrationClosed = deps.onRegistrationClosed ?? (async () => undefined);

  /** A drive the caller may see (organised by an agency in its subtree), else 404. */
  async function visibleDrive(caller: Caller, id: string, tx: DbOrTx = db): Promise<ScopedDrive> {
    const drive = await repo.findById(id, tx);
    if (!drive || !inScope(caller, drive.agencyPath)) throw notFound('drive', id);
    return drive;
  }

  /** The same, row-locked for the rest of the transaction (`share` lets quota writes run side by side). */
  async function lockVisibleDrive(tx: Tx, caller: Caller, id: string, strength: 'update' | 'share' = 'update'): Promise<ScopedDrive> {
    const drive = await repo.lock(tx, id, strength);
    if (!drive || !inScope(caller, drive.agencyPath)) throw notFound('drive', id);
    return drive;
  }

  /**
   * Moves a locked drive along its lifecycle: checks the transition table and its preconditions,
   * applies it, keeps a drive_transitions row and records the audit event. For the results
   * workflow (results_computed, submitted, approved, returned, published) as much as for clients.
   */
  async function transitionInTx(
    tx: Tx,
    caller: Caller,
    drive: ScopedDrive,
    to: DriveTransitionTarget,
    reason: string | null | undefined,
    record: RecordAudit,
  ): Promise<DriveRow> {
    if (!inScope(caller, drive.agencyPath)) throw notFound('drive', drive.id);
    const facts: TransitionFacts = { reason: reason ?? null };
    if (to === 'open') {
      facts.quotas = await repo.countQuotas(tx, drive.id);
      facts.registrationOpensOn = drive.registrationOpensOn;
      facts.registrationClosesOn = drive.registrationClosesOn;
    }
    if (to === 'examining') facts.activeApplications = await repo.countActiveApplications(tx, drive.id);
    const outcome = planTransition(drive.status, to, facts);
    if (!outcome.ok) throw conflict(outcome.code, outcome.message, { driveStatus: drive.status, to, allowed: transitionsFrom(drive.status) });

    const now = clock();
    const changes: Parameters<DrivesRepository['update']>[3] = { status: outcome.status, statusChangedAt: now };
    if (to === 'open') {
      // The rule set is frozen from here on: candidates register under the published rules.
      changes.ruleSetFrozenAt = now;
      if (!drive.registrationClosesOn && drive.registrationOpensOn) {
        changes.registrationClosesOn = registrationCloses(drive.registrationOpensOn, drive.ruleSet);
      }
    }
    if (to === 'published') changes.publishedAt = now;
    const updated = await repo.update(tx, drive.id, drive.version, changes);
    if (!updated) throw new AppError(409, 'concurrent_change', 'The drive changed while transitioning; retry');
    if (to === 'closed') await onRegistrationClosed(tx, drive.id);
    await repo.insertTransition(tx, { id: newId(), driveId: drive.id, from: drive.status, to: outcome.status, reason: reason ?? null, at: now });
    record({
      action: 'drive.transitioned',
      resourceType: 'drive',
      resourceId: drive.id,
      agencyId: drive.organizingAgencyId,
      driveId: drive.id,
      before: { status: drive.status },
      after: { status: outcome.status, transition: to, reason: reason ?? null },
    });
    return updated;
  }

  return {
    visibleDrive,
    lockVisibleDrive,
    transitionInTx,

    async create(caller: Caller, input: CreateDriveInput): Promise<DriveView> {
      const opensOn = input.registrationOpensOn ?? null;
      const planApprovedOn = input.planApprovedOn ?? null;
      const planDate = planDateOf(planApprovedOn, opensOn, localDate(clock()));
      const preset: Preset =
        input.ruleSet?.preset ?? (input.kind === 'leadership' ? 'leadership' : defaultPresetFor(input.staffCategory, planDate));
      const overrides = input.ruleSet?.overrides ?? {};
      const use: PresetUse = input.ruleSet?.use ?? 'current';
      const ruleSet = effectiveRuleSet(input.kind, input.staffCategory, preset, overrides);
      const closesOn = input.registrationClosesOn ?? (opensOn ? registrationCloses(opensOn, ruleSet) : null);
      checkWindow(opensOn, closesOn);
      checkPresetChoice(preset, planDate, use);
      return audited(db, caller.actor, async (tx, record) => {
        const agency = await deps.agencies.findById(input.organizingAgencyId, tx);
        if (!agency || !inScope(caller, agency.path)) {
          throw unprocessable('drive.agency_not_found', `No agency ${input.organizingAgencyId}`);
        }
        try {
          const row = await repo.insert(tx, {
            id: newId(),
            code: input.code,
            name: input.name,
            nameSearch: searchKey(input.name),
            kind: input.kind,
            staffCategory: input.staffCategory,
            year: input.year,
            organizingAgencyId: input.organizingAgencyId,
            ruleSetPreset: preset,
            ruleSetOverrides: overrides,
            ruleSet,
            ruleSetUse: use,
            ruleSetUseReason: input.ruleSet?.reason ?? null,
            planApprovedOn,
            registrationOpensOn: opensOn,
            registrationClosesOn: closesOn,
            candidateNumberPrefix: input.candidateNumberPrefix ?? null,
            statusChangedAt: clock(),
          });
          record({ action: 'drive.created', resourceType: 'drive', resourceId: row.id, agencyId: row.organizingAgencyId, driveId: row.id, after: driveView(row) });
          return driveView(row);
        } catch (err) {
          if (isUniqueViolation(err, 'drives_code_unique')) throw codeTaken(input.code);
          throw err;
        }
      });
    },

    async get(caller: Caller, id: string): Promise<DriveView> {
      return driveView(await visibleDrive(caller, id));
    },

    async list(caller: Caller, q: ListDrivesQuery, afterId: string | undefined): Promise<DriveView[]> {
      const rows = await repo.list({
        scopePath: caller.scopePath,
        organizingAgencyId: q.organizingAgencyId,
        kind: q.kind,
        status: q.status,
        staffCategory: q.staffCategory,
        year: q.year,
        search: q.q ? searchKey(q.q) : undefined,
        afterId,
        limit: q.limit,
      });
      return rows.map(driveView);
    },

    async update(caller: Caller, id: string, expected: number | undefined, input: PatchDriveInput): Promise<DriveView> {
      return audited(db, caller.actor, async (tx, record) => {
        const current = await lockVisibleDrive(tx, caller, id);
        if (expected !== undefined && expected !== current.version) throw preconditionFailed();
        // Once registration opens, the drive's rules and window are what candidates relied on.
        if (current.status !== 'draft') {
          throw conflict('drive.not_draft', `The drive is ${current.status}; only a draft drive can be edited`, { driveStatus: current.status });
        }
        const changes: Parameters<DrivesRepository['update']>[3] = {};
        if (input.code !== undefined) changes.code = input.code;
        if (input.name !== undefined) Object.assign(changes, { name: input.name, nameSearch: searchKey(input.name) });
        if (input.candidateNumberPrefix !== undefined) changes.candidateNumberPrefix = input.candidateNumberPrefix;

        let ruleSet = current.ruleSet;
        if (input.ruleSet !== undefined) {
          ruleSet = effectiveRuleSet(current.kind, current.staffCategory, input.ruleSet.preset, input.ruleSet.overrides);
          Object.assign(changes, {
            ruleSetPreset: input.ruleSet.preset,
            ruleSetOverrides: input.ruleSet.overrides,
            ruleSet,
            ruleSetUse: input.ruleSet.use,
            ruleSetUseReason: input.ruleSet.reason ?? null,
          });
        }
        if (input.planApprovedOn !== undefined) changes.planApprovedOn = input.planApprovedOn;
        // A closing date that was the default follows the opening date and the rule set's
        // registration period; one set explicitly stays as set.
        const defaultClose = (opens: string | null, rs: RuleSet) => (opens ? registrationCloses(opens, rs) : null);
        const closeWasDefault = current.registrationClosesOn === defaultClose(current.registrationOpensOn, current.ruleSet);
        const opensOn = input.registrationOpensOn !== undefined ? input.registrationOpensOn : current.registrationOpensOn;
        const closesOn =
          input.registrationClosesOn !== undefined
            ? (input.registrationClosesOn ?? defaultClose(opensOn, ruleSet))
            : closeWasDefault
              ? defaultClose(opensOn, ruleSet)
              : current.registrationClosesOn;
        checkWindow(opensOn, closesOn);
        // The pin is checked again whenever what decides it changes: the preset or its use, the
        // plan date, or the opening date standing in for a plan date never recorded.
        const planApprovedOn = input.planApprovedOn !== undefined ? input.planApprovedOn : current.planApprovedOn;
        if (input.ruleSet !== undefined || input.planApprovedOn !== undefined || (planApprovedOn === null && opensOn !== current.registrationOpensOn)) {
          checkPresetChoice(
            changes.ruleSetPreset ?? current.ruleSetPreset,
            planDateOf(planApprovedOn, opensOn, localDate(current.createdAt)),
            changes.ruleSetUse ?? current.ruleSetUse,
          );
        }
        changes.registrationOpensOn = opensOn;
        changes.registrationClosesOn = closesOn;

        try {
          const row = await repo.update(tx, id, current.version, changes);
          if (!row) throw new AppError(409, 'concurrent_change', 'The drive changed while updating; retry');
          record({
            action: 'drive.updated',
            resourceType: 'drive',
            resourceId: id,
            agencyId: row.organizingAgencyId,
            driveId: id,
            before: driveView(current),
            after: driveView(row),
          });
          return driveView(row);
        } catch (err) {
          if (isUniqueViolation(err, 'drives_code_unique')) throw codeTaken(input.code);
          throw err;
        }
      });
    },

    /** A client-driven lifecycle step (POST /drives/{id}/transitions), honouring If-Match. */
    async transition(caller: Caller, id: string, expected: number | undefined, input: TransitionInput): Promise<DriveView> {
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await lockVisibleDrive(tx, caller, id);
        if (expected !== undefined && expected !== drive.version) throw preconditionFailed();
        // Approved or published results are the head's decision: only the approver undoes them by cancelling the drive.
        const approved = drive.status === 'approved' || drive.status === 'published';
        if (caller.role === 'approver' && !(input.to === 'cancelled' && approved)) {
          throw new AppError(403, 'auth.forbidden', 'An approver key moves a drive only to cancel one whose results are approved or published');
        }
        if (input.to === 'cancelled' && approved && caller.role !== 'approver' && caller.role !== 'admin') {
          throw new AppError(403, 'drive.cancel_needs_approver', `The drive's results are ${drive.status}: cancelling it needs the approver (the head of the recruiting agency)`, {
            status: drive.status,
          });
        }
        return driveView(await transitionInTx(tx, caller, drive, input.to, input.reason, record));
      });
    },
  };
}
export type DrivesService = ReturnType<typeof createDrivesService>;
