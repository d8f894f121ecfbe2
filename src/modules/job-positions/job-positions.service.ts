import type { Caller } from '../../context.js';
import { inScope } from '../../context.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { isUniqueViolation } from '../../db/pg-error.js';
import { searchKey } from '../../domain/names.js';
import { AppError, conflict, notFound, preconditionFailed, unprocessable } from '../../errors.js';
import type { AgenciesRepository } from '../agencies/agencies.repository.js';
import { audited } from '../audit/audit.writer.js';
import type { JobPositionsRepository, ScopedJobPosition } from './job-positions.repository.js';
import type { CreateJobPositionInput, ListJobPositionsQuery, PatchJobPositionInput } from './job-positions.schemas.js';
import type { JobPositionRow } from './job-positions.table.js';

export type JobPositionsDeps = { db: Db; repo: JobPositionsRepository; agencies: AgenciesRepository };

const view = (p: JobPositionRow) => ({
  id: p.id,
  agencyId: p.agencyId,
  code: p.code,
  name: p.name,
  staffCategory: p.staffCategory,
  leadership: p.leadership,
  grade: p.grade,
  joint: p.joint,
  description: p.description,
  active: p.active,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
  version: p.version,
});
export type JobPositionView = ReturnType<typeof view>;

const codeTaken = (code: string | undefined) => conflict('job_position.code_taken', `Job position code ${code} is already used at this agency`);

export function createJobPositionsService(deps: JobPositionsDeps) {
  const { db, repo } = deps;

  /** A job position the caller may see (its agency in the caller's subtree), else 404. */
  async function visibleJobPosition(caller: Caller, id: string, tx: DbOrTx = db): Promise<ScopedJobPosition> {
    const row = await repo.findById(id, tx);
    if (!row || !inScope(caller, row.agencyPath)) throw notFound('job_position', id);
    return row;
  }

  return {
    visibleJobPosition,

    async create(caller: Caller, input: CreateJobPositionInput): Promise<JobPositionView> {
      return audited(db, caller.actor, async (tx, record) => {
        const agency = await deps.agencies.findById(input.agencyId, tx);
        if (!agency || !inScope(caller, agency.path)) {
          throw unprocessable('job_position.agency_not_found', `No agency ${input.agencyId}`);
        }
        try {
          const row = await repo.insert(tx, {
            id: newId(),
            agencyId: input.agencyId,
            code: input.code,
            name: input.name,
            nameSearch: searchKey(input.name),
            staffCategory: input.staffCategory,
            leadership: input.leadership,
            grade: input.grade ?? null,
            joint: input.joint === true,
            description: input.description ?? null,
          });
          record({ action: 'job_position.created', resourceType: 'job_position', resourceId: row.id, agencyId: row.agencyId, after: view(row) });
          return view(row);
        } catch (err) {
          if (isUniqueViolation(err, 'job_positions_agency_code_unique')) throw codeTaken(input.code);
          throw err;
        }
      });
    },

    async get(caller: Caller, id: string): Promise<JobPositionView> {
      return view(await visibleJobPosition(caller, id));
    },

    async list(caller: Caller, q: ListJobPositionsQuery, afterId: string | undefined): Promise<JobPositionView[]> {
      const rows = await repo.list({
        scopePath: caller.scopePath,
        agencyId: q.agencyId,
        staffCategory: q.staffCategory,
        leadership: q.leadership === undefined ? undefined : q.leadership === 'true',
        active: q.active === undefined ? undefined : q.active === 'true',
        search: q.q ? searchKey(q.q) : undefined,
        afterId,
        limit: q.limit,
      });
      return rows.map(view);
    },

    async update(caller: Caller, id: string, expected: number | undefined, input: PatchJobPositionInput): Promise<JobPositionView> {
      return audited(db, caller.actor, async (tx, record) => {
        const current = await repo.findByIdForUpdate(tx, id);
        if (!current || !inScope(caller, current.agencyPath)) throw notFound('job_position', id);
        if (expected !== undefined && expected !== current.version) throw preconditionFailed();
        const changesKind =
          (input.staffCategory !== undefined && input.staffCategory !== current.staffCategory) ||
          (input.leadership !== undefined && input.leadership !== current.leadership) ||
          (input.grade !== undefined && input.grade !== current.grade) ||
          (input.joint !== undefined && input.joint !== current.joint);
        // Quotas were checked against the position's category and kind, and sit the exam structure
        // of its grade (Decree 170/2025 Art. 9); changing them would silently invalidate those checks
        // (and the headcount they hold, and the rounds their candidates sit).
        if (changesKind && (await repo.hasQuotas(tx, id))) {
          throw conflict('job_position.in_use', 'The position has quotas: its staff category, leadership flag, grade and joint flag can no longer change');
        }
        const changes: Parameters<JobPositionsRepository['update']>[3] = {};
        if (input.code !== undefined) changes.code = input.code;
        if (input.name !== undefined) Object.assign(changes, { name: input.name, nameSearch: searchKey(input.name) });
        if (input.staffCategory !== undefined) changes.staffCategory = input.staffCategory;
        if (input.leadership !== undefined) changes.leadership = input.leadership;
        if (input.grade !== undefined) changes.grade = input.grade;
        if (input.joint !== undefined) changes.joint = input.joint;
        if (input.description !== undefined) changes.description = input.description;
        if (input.active !== undefined) changes.active = input.active;
        try {
          const row = await repo.update(tx, id, current.version, changes);
          if (!row) throw new AppError(409, 'concurrent_change', 'The job position changed while updating; retry');
          record({ action: 'job_position.updated', resourceType: 'job_position', resourceId: id, agencyId: row.agencyId, before: view(current), after: view(row) });
          return view(row);
        } catch (err) {
          if (isUniqueViolation(err, 'job_positions_agency_code_unique')) throw codeTaken(input.code);
          throw err;
        }
      });
    },
  };
}
export type JobPositionsService = ReturnType<typeof createJobPositionsService>;
