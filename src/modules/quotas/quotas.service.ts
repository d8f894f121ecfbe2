import type { Caller } from '../../context.js';
import { inScope } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/pg-error.js';
import { AppError, conflict, notFound, preconditionFailed, unprocessable } from '../../errors.js';
import type { AgenciesRepository } from '../agencies/agencies.repository.js';
import type { StaffCategory } from '../agencies/agencies.table.js';
import { audited } from '../audit/audit.writer.js';
import type { ScopedDrive } from '../drives/drives.repository.js';
import type { DrivesService } from '../drives/drives.service.js';
import type { JobPositionsRepository } from '../job-positions/job-positions.repository.js';
import type { QuotasRepository } from './quotas.repository.js';
import type { CreateQuotaInput, ListQuotasQuery, PatchQuotaInput } from './quotas.schemas.js';
import type { EthnicGroupSlots, QuotaRow } from './quotas.table.js';
import { KINH_CODE } from '../../domain/ethnicity.js';
import { checkReviewQuota, type QuotaMethod, type ReviewGroup } from '../../domain/review.js';
import type { RuleSet } from '../../domain/rule-sets.js';

/** A quota's method and group against the drive's rule set (Decree 170/2025 Art. 3(2)(d), 5): 422 with the rule's code. */
function assertReviewQuota(drive: ScopedDrive, quota: { method: QuotaMethod; reviewGroup: ReviewGroup | null; secondChoiceOpen: boolean }): void {
  const issue = checkReviewQuota(drive.ruleSet as RuleSet, { ...quota, leadership: drive.kind === 'leadership' });
  if (issue) throw unprocessable(issue.code, issue.message, issue.details);
}

export type QuotasDeps = {
  db: Db;
  repo: QuotasRepository;
  drives: Pick<DrivesService, 'visibleDrive' | 'lockVisibleDrive'>;
  agencies: AgenciesRepository;
  jobPositions: JobPositionsRepository;
};

export const quotaView = (q: QuotaRow) => ({
  id: q.id,
  driveId: q.driveId,
  agencyId: q.agencyId,
  jobPositionId: q.jobPositionId,
  year: q.year,
  staffCategory: q.staffCategory,
  slots: q.slots,
  title: q.title,
  secondChoiceOpen: q.secondChoiceOpen,
  ethnicMinorityOnly: q.ethnicMinorityOnly || q.ethnicGroups.length > 0,
  ethnicGroups: q.ethnicGroups,
  foreignLanguage: q.foreignLanguage ?? null,
  method: q.method,
  reviewGroup: q.reviewGroup ?? null,
  createdAt: q.createdAt,
  updatedAt: q.updatedAt,
  version: q.version,
});
export type QuotaView = ReturnType<typeof quotaView>;

/** Quotas cannot change after registration opens (DOMAIN.md "Headcount and quotas"). */
function assertEditable(drive: ScopedDrive): void {
  if (drive.status !== 'draft') {
    throw conflict('quota.frozen', `The drive is ${drive.status}: quotas are frozen once the drive opens`, { driveStatus: drive.status });
  }
}

/** NV2 exists only where the rule set allows a second application (Decree 115/2020 Art. 10(3), 14 as amended by 85/2023). */
function assertSecondChoiceAllowed(drive: { ruleSet: unknown }): void {
  const perCandidate = (drive.ruleSet as { applicationsPerCandidate?: number }).applicationsPerCandidate ?? 1;
  if (perCandidate < 2) {
    throw unprocessable('quota.second_choice_not_allowed', `The drive's rule set allows ${perCandidate} application per candidate: no position can take second choices`, {
      applicationsPerCandidate: perCandidate,
    });
  }
}

/**
 * A reservation for ethnic-minority candidates (Decree 170/2025 Art. 3(2)(c): the plan states the
 * positions reserved for them and the ethnic structure to recruit): named groups are minorities
 * (not Kinh), each once, and the slots the plan sets for them fit in the quota's slots.
 */
function checkEthnicGroups(groups: readonly EthnicGroupSlots[], slots: number): void {
  const invalid = (message: string, extras: Record<string, unknown> = {}) =>
    unprocessable('quota.ethnic_groups_invalid', message, { field: 'ethnicGroups', ...extras });
  const seen = new Set<string>();
  for (const g of groups) {
    if (g.code === KINH_CODE) throw invalid('A reservation names ethnic-minority groups: 01 Kinh is the majority group (Decree 170/2025 Art. 3(2)(c))', { code: g.code });
    if (seen.has(g.code)) throw invalid(`Group ${g.code} is named twice`, { code: g.code });
    seen.add(g.code);
  }
  const reserved = groups.reduce((n, g) => n + (g.slots ?? 0), 0);
  if (reserved > slots) throw invalid(`The groups' slots sum to ${reserved}, more than the quota's ${slots}`, { groupSlots: reserved, slots });
}

/**
 * A quota of a jointly recruited position (Decree 170/2025 Art. 3(2)(b), 10(3)): the position is the
 * recruiting authority's (the drive's organising agency); each quota's agency is a user agency, whose
 * headcount holds the quota's slots (guardHeadcount, as for any quota). The winners are placed by the
 * preferences of a first choice, so a joint quota takes no second choices.
 */
function assertJointQuota(drive: ScopedDrive, position: { code: string; agencyId: string }, secondChoiceOpen: boolean | undefined): void {
  if (drive.kind !== 'recruitment') {
    throw unprocessable('quota.joint_not_recruitment', `Job position ${position.code} is recruited jointly (Decree 170/2025 Art. 3(2)(b)): it is filled through a recruitment drive`);
  }
  if (position.agencyId !== drive.organizingAgencyId) {
    throw unprocessable(
      'quota.joint_position_not_of_authority',
      `Job position ${position.code} is recruited jointly: it must belong to the recruiting authority, the drive's organising agency (Decree 170/2025 Art. 3(2)(b))`,
      { jobPositionAgencyId: position.agencyId, organizingAgencyId: drive.organizingAgencyId },
    );
  }
  if (secondChoiceOpen === true) {
    throw unprocessable('quota.joint_second_choice', `Job position ${position.code} is recruited jointly: its winners are placed by their preferences, not by a second choice`);
  }
}

const leadershipSingleSlot = (slots: number) =>
  unprocessable('quota.leadership_single_slot', `A leadership title is a quota of exactly 1 slot, not ${slots}`, { slots });

export function createQuotasService(deps: QuotasDeps) {
  const { db, repo } = deps;

  /**
   * A drive's quotas at an agency may not exceed the agency's unused headcount for the drive's
   * year and staff category, less the slots other running recruitment drives already hold
   * (Decree 62/2020 on positions and headcount; DOMAIN.md "Headcount and quotas"). The headcount
   * row is locked first, so concurrent quota writes at one agency are checked one after another.
   */
  async function guardHeadcount(
    tx: Tx,
    at: { agencyId: string; year: number; staffCategory: StaffCategory },
    requested: number,
    exceptQuotaId?: string,
  ): Promise<void> {
    const rows = await deps.agencies.lockHeadcounts(tx, at.agencyId, at.year);
    const headcount = rows.find((r) => r.staffCategory === at.staffCategory);
    if (!headcount) {
      throw unprocessable('quota.no_headcount', `The agency has no ${at.staffCategory} headcount for ${at.year}`, {
        agencyId: at.agencyId,
        year: at.year,
        staffCategory: at.staffCategory,
      });
    }
    const reserved = await repo.reservedSlots(tx, at.agencyId, at.year, at.staffCategory, exceptQuotaId);
    const { assigned, filled } = headcount;
    const available = assigned - filled - reserved;
    if (requested > available) {
      throw unprocessable(
        'quota.exceeds_unused_headcount',
        `Requested ${requested} slots, but only ${available} are available: assigned ${assigned} − filled ${filled} − ` +
          `held by running drives and pending intakes ${reserved} (${at.staffCategory}, ${at.year})`,
        { assigned, filled, reserved, requested, available },
      );
    }
  }

  /** The quota and its drive, locked in that order (drive shared, quota exclusive); 404 outside scope. */
  async function lockQuota(tx: Tx, caller: Caller, id: string): Promise<{ drive: ScopedDrive; quota: QuotaRow }> {
    const found = await repo.findById(id, tx);
    if (!found) throw notFound('quota', id);
    const drive = await deps.drives.lockVisibleDrive(tx, caller, found.driveId, 'share').catch((err: unknown) => {
      if (err instanceof AppError && err.status === 404) throw notFound('quota', id);
      throw err;
    });
    const quota = await repo.findByIdForUpdate(tx, id);
    if (!quota) throw notFound('quota', id);
    return { drive, quota };
  }

  return {
    /** The one headcount guard, shared with intakes (src/modules/intake): both lock the headcount row first. */
    guardHeadcount,

    async create(caller: Caller, driveId: string, input: CreateQuotaInput): Promise<QuotaView> {
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await deps.drives.lockVisibleDrive(tx, caller, driveId, 'share');
        assertEditable(drive);
        const agency = await deps.agencies.findById(input.agencyId, tx);
        if (!agency || !inScope(caller, agency.path)) throw unprocessable('quota.agency_not_found', `No agency ${input.agencyId}`);
        const position = await deps.jobPositions.findById(input.jobPositionId, tx);
        if (!position || !inScope(caller, position.agencyPath)) {
          throw unprocessable('quota.position_not_found', `No job position ${input.jobPositionId}`);
        }
        if (position.joint) {
          // Decree 170/2025 Art. 3(2)(b), 10(3): a jointly recruited position belongs to the recruiting
          // authority; its quota here is one user agency's share, held against that agency's headcount.
          assertJointQuota(drive, position, input.secondChoiceOpen);
        } else if (position.agencyId !== input.agencyId) {
          throw unprocessable('quota.position_not_at_agency', `Job position ${position.code} belongs to another agency`, {
            jobPositionAgencyId: position.agencyId,
            agencyId: input.agencyId,
          });
        }
        if (!position.active) throw unprocessable('quota.position_inactive', `Job position ${position.code} is inactive`);
        if (position.staffCategory !== drive.staffCategory) {
          throw unprocessable(
            'quota.staff_category_mismatch',
            `Job position ${position.code} is for ${position.staffCategory}, the drive recruits ${drive.staffCategory}`,
            { positionStaffCategory: position.staffCategory, driveStaffCategory: drive.staffCategory },
          );
        }
        if (position.leadership !== (drive.kind === 'leadership')) {
          throw unprocessable(
            'quota.position_kind_mismatch',
            drive.kind === 'leadership'
              ? `Job position ${position.code} is not a leadership title`
              : `Job position ${position.code} is a leadership title: it is filled through a leadership drive`,
          );
        }
        if (input.secondChoiceOpen) assertSecondChoiceAllowed(drive);
        let slots: number;
        let title: string | null;
        if (drive.kind === 'leadership') {
          // A leadership title is a quota of one (2424/BNV-CCVC): one appointment per title.
          slots = input.slots ?? 1;
          if (slots !== 1) throw leadershipSingleSlot(slots);
          title = input.title ?? position.name;
        } else {
          if (input.slots === undefined) throw unprocessable('quota.slots_required', 'A recruitment quota needs slots');
          slots = input.slots;
          title = input.title ?? null;
          await guardHeadcount(tx, { agencyId: input.agencyId, year: drive.year, staffCategory: drive.staffCategory }, slots);
        }
        // In-process callers (the demo loader) may pass a body without zod's defaults.
        const ethnicGroups = (input as Partial<CreateQuotaInput>).ethnicGroups ?? [];
        checkEthnicGroups(ethnicGroups, slots);
        const method = (input as Partial<CreateQuotaInput>).method ?? 'exam';
        const reviewGroup = (input as Partial<CreateQuotaInput>).reviewGroup ?? null;
        assertReviewQuota(drive, { method, reviewGroup, secondChoiceOpen: input.secondChoiceOpen === true });
        try {
          const row = await repo.insert(tx, {
            id: newId(),
            driveId,
            agencyId: input.agencyId,
            jobPositionId: input.jobPositionId,
            year: drive.year,
            staffCategory: drive.staffCategory,
            slots,
            title,
            secondChoiceOpen: input.secondChoiceOpen,
            ethnicMinorityOnly: input.ethnicMinorityOnly === true || ethnicGroups.length > 0,
            ethnicGroups,
            foreignLanguage: (input as Partial<CreateQuotaInput>).foreignLanguage ?? null,
            method,
            reviewGroup,
          });
          record({ action: 'quota.created', resourceType: 'quota', resourceId: row.id, agencyId: row.agencyId, driveId, after: quotaView(row) });
          return quotaView(row);
        } catch (err) {
          if (isUniqueViolation(err, 'quotas_drive_agency_position_unique')) {
            throw conflict('quota.duplicate', 'The drive already has a quota for this job position at this agency');
          }
          throw err;
        }
      });
    },

    async get(caller: Caller, id: string): Promise<QuotaView> {
      const quota = await repo.findById(id);
      if (!quota) throw notFound('quota', id);
      await deps.drives.visibleDrive(caller, quota.driveId).catch((err: unknown) => {
        if (err instanceof AppError && err.status === 404) throw notFound('quota', id);
        throw err;
      });
      return quotaView(quota);
    },

    async list(caller: Caller, driveId: string, q: ListQuotasQuery, afterId: string | undefined): Promise<QuotaView[]> {
      await deps.drives.visibleDrive(caller, driveId);
      const rows = await repo.list({ driveId, agencyId: q.agencyId, jobPositionId: q.jobPositionId, afterId, limit: q.limit });
      return rows.map(quotaView);
    },

    async update(caller: Caller, id: string, expected: number | undefined, input: PatchQuotaInput): Promise<QuotaView> {
      return audited(db, caller.actor, async (tx, record) => {
        const { drive, quota } = await lockQuota(tx, caller, id);
        if (expected !== undefined && expected !== quota.version) throw preconditionFailed();
        assertEditable(drive);
        const changes: Parameters<QuotasRepository['update']>[3] = {};
        if (input.slots !== undefined && input.slots !== quota.slots) {
          if (drive.kind === 'leadership') throw leadershipSingleSlot(input.slots);
          // Fewer slots never exceed the headcount; more are checked like a new quota.
          if (input.slots > quota.slots) {
            await guardHeadcount(tx, { agencyId: quota.agencyId, year: quota.year, staffCategory: quota.staffCategory }, input.slots, quota.id);
          }
          changes.slots = input.slots;
        }
        if (input.title !== undefined) changes.title = input.title;
        if (input.secondChoiceOpen !== undefined) {
          if (input.secondChoiceOpen) assertSecondChoiceAllowed(drive);
          changes.secondChoiceOpen = input.secondChoiceOpen;
        }
        if (input.ethnicMinorityOnly !== undefined) changes.ethnicMinorityOnly = input.ethnicMinorityOnly;
        if (input.ethnicGroups !== undefined) changes.ethnicGroups = input.ethnicGroups;
        if (input.foreignLanguage !== undefined) changes.foreignLanguage = input.foreignLanguage;
        if (input.method !== undefined) changes.method = input.method;
        if (input.reviewGroup !== undefined) changes.reviewGroup = input.reviewGroup;
        // An exam quota turned review drops nothing silently: the group and NV2 are checked together.
        if (input.method !== undefined || input.reviewGroup !== undefined || input.secondChoiceOpen !== undefined) {
          const method = changes.method ?? quota.method;
          if (method === 'exam' && input.method === 'exam' && input.reviewGroup === undefined) changes.reviewGroup = null;
          assertReviewQuota(drive, { method, reviewGroup: changes.reviewGroup !== undefined ? changes.reviewGroup : quota.reviewGroup, secondChoiceOpen: changes.secondChoiceOpen ?? quota.secondChoiceOpen });
        }
        if (input.ethnicGroups !== undefined || input.slots !== undefined) checkEthnicGroups(changes.ethnicGroups ?? quota.ethnicGroups, changes.slots ?? quota.slots);
        // Named groups are minorities: naming them reserves the quota for minorities.
        if ((changes.ethnicGroups ?? quota.ethnicGroups).length > 0) changes.ethnicMinorityOnly = true;
        const row = await repo.update(tx, id, quota.version, changes);
        if (!row) throw new AppError(409, 'concurrent_change', 'The quota changed while updating; retry');
        record({ action: 'quota.updated', resourceType: 'quota', resourceId: id, agencyId: row.agencyId, driveId: row.driveId, before: quotaView(quota), after: quotaView(row) });
        return quotaView(row);
      });
    },

    async remove(caller: Caller, id: string, expected: number | undefined): Promise<QuotaView> {
      return audited(db, caller.actor, async (tx, record) => {
        const { drive, quota } = await lockQuota(tx, caller, id);
        if (expected !== undefined && expected !== quota.version) throw preconditionFailed();
        assertEditable(drive);
        try {
          await repo.delete(tx, id);
        } catch (err) {
          if (isForeignKeyViolation(err)) throw conflict('quota.in_use', 'Records refer to this quota; it cannot be deleted');
          throw err;
        }
        record({ action: 'quota.deleted', resourceType: 'quota', resourceId: id, agencyId: quota.agencyId, driveId: quota.driveId, before: quotaView(quota) });
        return quotaView(quota);
      });
    },
  };
}
export type QuotasService = ReturnType<typeof createQuotasService>;
