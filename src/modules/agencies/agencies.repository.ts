import { and, asc, eq, gt, isNull, like, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agencies, headcounts, type AgencyRow, type HeadcountRow, type StaffCategory } from './agencies.table.js';

export type AgencyFilter = {
  scopePath: string | null;
  parentId?: string | undefined;
  rootOnly?: boolean;
  bloc?: AgencyRow['bloc'] | undefined;
  search?: string | undefined;
  afterId?: string | undefined;
  limit: number;
};

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createAgenciesRepository(db: DbOrTx) {
  return {
    async findById(id: string, tx: DbOrTx = db): Promise<AgencyRow | undefined> {
      const [row] = await tx.select().from(agencies).where(eq(agencies.id, id));
      return row;
    },
    async findByIdForUpdate(tx: DbOrTx, id: string): Promise<AgencyRow | undefined> {
      const [row] = await tx.select().from(agencies).where(eq(agencies.id, id)).for('update');
      return row;
    },
    async list(f: AgencyFilter): Promise<AgencyRow[]> {
      const where: (SQL | undefined)[] = [
        f.scopePath ? like(agencies.path, `${escapeLike(f.scopePath)}%`) : undefined,
        f.parentId ? eq(agencies.parentId, f.parentId) : undefined,
        f.rootOnly ? isNull(agencies.parentId) : undefined,
        f.bloc ? eq(agencies.bloc, f.bloc) : undefined,
        f.search ? like(agencies.nameSearch, `%${escapeLike(f.search)}%`) : undefined,
        f.afterId ? gt(agencies.id, f.afterId) : undefined,
      ];
      return db
        .select()
        .from(agencies)
        .where(and(...where))
        .orderBy(asc(agencies.id))
        .limit(f.limit + 1);
    },
    async insert(tx: DbOrTx, row: typeof agencies.$inferInsert): Promise<AgencyRow> {
      const [created] = await tx.insert(agencies).values(row).returning();
      return created!;
    },
    /** Updates when the version matches; undefined means someone changed it first. */
    async update(tx: DbOrTx, id: string, expected: number, changes: Partial<typeof agencies.$inferInsert>) {
      const [row] = await tx
        .update(agencies)
        .set({ ...changes, version: sql`${agencies.version} + 1`, updatedAt: sql`now()` })
        .where(and(eq(agencies.id, id), eq(agencies.version, expected)))
        .returning();
      return row;
    },
    /** Re-roots a moved subtree: every descendant's path swaps the old prefix for the new one. */
    async movePaths(tx: DbOrTx, oldPrefix: string, newPrefix: string): Promise<void> {
      await tx
        .update(agencies)
        .set({ path: sql`${newPrefix} || substr(${agencies.path}, ${oldPrefix.length + 1})` })
        .where(like(agencies.path, `${escapeLike(oldPrefix)}%`));
    },
    async headcountsOf(agencyId: string, year: number, tx: DbOrTx = db): Promise<HeadcountRow[]> {
      return tx
        .select()
        .from(headcounts)
        .where(and(eq(headcounts.agencyId, agencyId), eq(headcounts.year, year)))
        .orderBy(asc(headcounts.staffCategory));
    },
    async upsertHeadcount(
      tx: DbOrTx,
      row: { agencyId: string; year: number; staffCategory: StaffCategory; assigned: number; filled: number },
    ): Promise<void> {
      await tx
        .insert(headcounts)
        .values(row)
        .onConflictDoUpdate({
          target: [headcounts.agencyId, headcounts.year, headcounts.staffCategory],
          set: { assigned: row.assigned, filled: row.filled, version: sql`${headcounts.version} + 1`, updatedAt: sql`now()` },
        });
    },
    /** Locks the headcount rows so that quota checks against them serialise. */
    async lockHeadcounts(tx: DbOrTx, agencyId: string, year: number): Promise<HeadcountRow[]> {
      return tx
        .select()
        .from(headcounts)
        .where(and(eq(headcounts.agencyId, agencyId), eq(headcounts.year, year)))
        .for('update');
    },
  };
}
export type AgenciesRepository = ReturnType<typeof createAgenciesRepository>;
