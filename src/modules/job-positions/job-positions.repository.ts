import { and, asc, eq, getTableColumns, gt, like, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agencies, type StaffCategory } from '../agencies/agencies.table.js';
import { quotas } from '../quotas/quotas.table.js';
import { jobPositions, type JobPositionRow } from './job-positions.table.js';

export type JobPositionFilter = {
  scopePath: string | null;
  agencyId?: string | undefined;
  staffCategory?: StaffCategory | undefined;
  leadership?: boolean | undefined;
  active?: boolean | undefined;
  search?: string | undefined;
  afterId?: string | undefined;
  limit: number;
};

/** A job position with its agency's materialised path, for scope checks. */
export type ScopedJobPosition = JobPositionRow & { agencyPath: string };

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createJobPositionsRepository(db: DbOrTx) {
  const scoped = (tx: DbOrTx) =>
    tx
      .select({ ...getTableColumns(jobPositions), agencyPath: agencies.path })
      .from(jobPositions)
      .innerJoin(agencies, eq(agencies.id, jobPositions.agencyId));

  return {
    async findById(id: string, tx: DbOrTx = db): Promise<ScopedJobPosition | undefined> {
      const [row] = await scoped(tx).where(eq(jobPositions.id, id));
      return row;
    },
    async findByIdForUpdate(tx: DbOrTx, id: string): Promise<ScopedJobPosition | undefined> {
      const [row] = await scoped(tx).where(eq(jobPositions.id, id)).for('update', { of: jobPositions });
      return row;
    },
    async list(f: JobPositionFilter): Promise<JobPositionRow[]> {
      const where: (SQL | undefined)[] = [
        f.scopePath ? like(agencies.path, `${escapeLike(f.scopePath)}%`) : undefined,
        f.agencyId ? eq(jobPositions.agencyId, f.agencyId) : undefined,
        f.staffCategory ? eq(jobPositions.staffCategory, f.staffCategory) : undefined,
        f.leadership !== undefined ? eq(jobPositions.leadership, f.leadership) : undefined,
        f.active !== undefined ? eq(jobPositions.active, f.active) : undefined,
        f.search ? like(jobPositions.nameSearch, `%${escapeLike(f.search)}%`) : undefined,
        f.afterId ? gt(jobPositions.id, f.afterId) : undefined,
      ];
      return db
        .select(getTableColumns(jobPositions))
        .from(jobPositions)
        .innerJoin(agencies, eq(agencies.id, jobPositions.agencyId))
        .where(and(...where))
        .orderBy(asc(jobPositions.id))
        .limit(f.limit + 1);
    },
    async insert(tx: DbOrTx, row: typeof jobPositions.$inferInsert): Promise<JobPositionRow> {
      const [created] = await tx.insert(jobPositions).values(row).returning();
      return created!;
    },
    /** Updates when the version matches; undefined means someone changed it first. */
    async update(tx: DbOrTx, id: string, expected: number, changes: Partial<typeof jobPositions.$inferInsert>) {
      const [row] = await tx
        .update(jobPositions)
        .set({ ...changes, version: sql`${jobPositions.version} + 1`, updatedAt: sql`now()` })
        .where(and(eq(jobPositions.id, id), eq(jobPositions.version, expected)))
        .returning();
      return row;
    },
    /** Whether any quota names this position (its category and kind then stay fixed). */
    async hasQuotas(tx: DbOrTx, id: string): Promise<boolean> {
      const [row] = await tx.select({ id: quotas.id }).from(quotas).where(eq(quotas.jobPositionId, id)).limit(1);
      return row !== undefined;
    },
  };
}
export type JobPositionsRepository = ReturnType<typeof createJobPositionsRepository>;
