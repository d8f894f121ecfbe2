import type { Caller, Clock } from '../../context.js';
import { inScope } from '../../context.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { isUniqueViolation } from '../../db/pg-error.js';
import { searchKey } from '../../domain/names.js';
import { AppError, conflict, forbidden, notFound, preconditionFailed, unprocessable } from '../../errors.js';
import { audited } from '../audit/audit.writer.js';
import type { AgenciesRepository } from './agencies.repository.js';
import type { CreateAgencyInput, ListAgenciesQuery, PatchAgencyInput, PutHeadcountInput } from './agencies.schemas.js';
import type { AgencyRow, StaffCategory } from './agencies.table.js';

/** Slots already held at an agency for a year and category by quotas of drives still running. */
export type ReservedSlots = (tx: DbOrTx, agencyId: string, year: number, category: StaffCategory) => Promise<number>;

export type AgenciesDeps = { db: Db; repo: AgenciesRepository; clock: Clock; reservedSlots: ReservedSlots };

const view = (a: AgencyRow) => ({
  id: a.id,
  code: a.code,
  name: a.name,
  bloc: a.bloc,
  parentId: a.parentId,
  createdAt: a.createdAt,
  updatedAt: a.updatedAt,
  version: a.version,
});
export type AgencyView = ReturnType<typeof view>;

export function createAgenciesService(deps: AgenciesDeps) {
  const { db, repo } = deps;

  /** An agency the caller may see, else 404 (another agency's resource is not acknowledged). */
  async function visibleAgency(caller: Caller, id: string, tx: DbOrTx = db): Promise<AgencyRow> {
    const agency = await repo.findById(id, tx);
    if (!agency || !inScope(caller, agency.path)) throw notFound('agency', id);
    return agency;
  }

  async function headcountView(agencyId: string, year: number, tx: DbOrTx = db) {
    const rows = await repo.headcountsOf(agencyId, year, tx);
    const categories = await Promise.all(
      rows.map(async (r) => {
        const reserved = await deps.reservedSlots(tx, agencyId, year, r.staffCategory);
        const unused = r.assigned - r.filled;
        return { staffCategory: r.staffCategory, assigned: r.assigned, filled: r.filled, unused, reserved, available: unused - reserved, version: r.version };
      }),
    );
    return { agencyId, year, categories };
  }

  return {
    visibleAgency,

    async create(caller: Caller, input: CreateAgencyInput): Promise<AgencyView> {
      return audited(db, caller.actor, async (tx, record) => {
        const id = newId();
        let path = `/${id}/`;
        if (input.parentId) {
          const parent = await repo.findById(input.parentId, tx);
          if (!parent || !inScope(caller, parent.path)) throw unprocessable('agency.parent_not_found', `No parent agency ${input.parentId}`);
          path = `${parent.path}${id}/`;
        } else if (caller.scopePath) {
          throw forbidden('A key scoped to an agency can only create agencies inside its subtree');
        }
        try {
          const row = await repo.insert(tx, { id, code: input.code, name: input.name, nameSearch: searchKey(input.name), bloc: input.bloc, parentId: input.parentId ?? null, path });
          record({ action: 'agency.created', resourceType: 'agency', resourceId: id, agencyId: id, after: view(row) });
          return view(row);
        } catch (err) {
          if (isUniqueViolation(err, 'agencies_code_unique')) throw conflict('agency.code_taken', `Agency code ${input.code} is already used`, {}, { agencyCode: input.code });
          throw err;
        }
      });
    },

    async get(caller: Caller, id: string): Promise<AgencyView> {
      return view(await visibleAgency(caller, id));
    },

    async list(caller: Caller, q: ListAgenciesQuery, afterId: string | undefined) {
      const rows = await repo.list({
        scopePath: caller.scopePath,
        parentId: q.parentId,
        rootOnly: q.root === 'true',
        bloc: q.bloc,
        search: q.q ? searchKey(q.q) : undefined,
        afterId,
        limit: q.limit,
      });
      return rows.map(view);
    },

    async update(caller: Caller, id: string, expected: number | undefined, input: PatchAgencyInput): Promise<AgencyView> {
      return audited(db, caller.actor, async (tx, record) => {
        const current = await repo.findByIdForUpdate(tx, id);
        if (!current || !inScope(caller, current.path)) throw notFound('agency', id);
        if (expected !== undefined && expected !== current.version) throw preconditionFailed();
        const changes: Parameters<AgenciesRepository['update']>[3] = {};
        if (input.code !== undefined) changes.code = input.code;
        if (input.name !== undefined) Object.assign(changes, { name: input.name, nameSearch: searchKey(input.name) });
        if (input.bloc !== undefined) changes.bloc = input.bloc;
        if (input.parentId !== undefined && input.parentId !== current.parentId) {
          let newPath = `/${id}/`;
          if (input.parentId) {
            const parent = await repo.findById(input.parentId, tx);
            if (!parent || !inScope(caller, parent.path)) throw unprocessable('agency.parent_not_found', `No parent agency ${input.parentId}`);
            if (parent.path.startsWith(current.path)) {
              throw unprocessable('agency.cycle', 'An agency cannot be moved under itself or one of its descendants');
            }
            newPath = `${parent.path}${id}/`;
          } else if (caller.scopePath) {
            throw forbidden('A key scoped to an agency cannot make a root agency');
          }
          changes.parentId = input.parentId;
          await repo.movePaths(tx, current.path, newPath);
        }
        try {
          const row = await repo.update(tx, id, current.version, changes);
          if (!row) throw new AppError(409, 'concurrent_change', 'The agency changed while updating; retry');
          record({ action: 'agency.updated', resourceType: 'agency', resourceId: id, agencyId: id, before: view(current), after: view(row) });
          return view(row);
        } catch (err) {
          if (isUniqueViolation(err, 'agencies_code_unique')) throw conflict('agency.code_taken', `Agency code ${input.code} is already used`, {}, { agencyCode: input.code });
          throw err;
        }
      });
    },

    async getHeadcount(caller: Caller, id: string, year: number) {
      await visibleAgency(caller, id);
      return headcountView(id, year);
    },

    async putHeadcount(caller: Caller, id: string, year: number, input: PutHeadcountInput) {
      return audited(db, caller.actor, async (tx, record) => {
        const agency = await repo.findByIdForUpdate(tx, id);
        if (!agency || !inScope(caller, agency.path)) throw notFound('agency', id);
        const before = await headcountView(id, year, tx);
        await repo.lockHeadcounts(tx, id, year);
        for (const c of input.categories) {
          const reserved = await deps.reservedSlots(tx, id, year, c.staffCategory);
          if (c.assigned - c.filled < reserved) {
            throw unprocessable(
              'headcount.below_reserved',
              `Unused headcount for ${c.staffCategory} would be ${c.assigned - c.filled}, but drives already hold ${reserved} slots`,
              { assigned: c.assigned, filled: c.filled, reserved },
            );
          }
          await repo.upsertHeadcount(tx, { agencyId: id, year, ...c });
        }
        const after = await headcountView(id, year, tx);
        record({ action: 'headcount.set', resourceType: 'headcount', resourceId: `${id}/${year}`, agencyId: id, before, after });
        return after;
      });
    },
  };
}
export type AgenciesService = ReturnType<typeof createAgenciesService>;
