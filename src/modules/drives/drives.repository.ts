import { and, asc, eq, getTableColumns, gt, inArray, like, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agencies, type StaffCategory } from '../agencies/agencies.table.js';
import { applications } from '../applications/applications.table.js';
import { quotas } from '../quotas/quotas.table.js';
import { driveTransitions, drives, type DriveRow, type DriveStatus } from './drives.table.js';

export type DriveFilter = {
  scopePath: string | null;
  organizingAgencyId?: string | undefined;
  kind?: DriveRow['kind'] | undefined;
  status?: DriveStatus | undefined;
  staffCategory?: StaffCategory | undefined;
  year?: number | undefined;
  search?: string | undefined;
  afterId?: string | undefined;
  limit: number;
};

/** A drive with its organising agency's materialised path, for scope checks. */
export type ScopedDrive = DriveRow & { agencyPath: string };

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createDrivesRepository(db: DbOrTx) {
  const scoped = (tx: DbOrTx) =>
    tx
      .select({ ...getTableColumns(drives), agencyPath: agencies.path })
      .from(drives)
      .innerJoin(agencies, eq(agencies.id, drives.organizingAgencyId));

  return {
    async findById(id: string, tx: DbOrTx = db): Promise<ScopedDrive | undefined> {
      const [row] = await scoped(tx).where(eq(drives.id, id));
      return row;
    },
    /**
     * Locks the drive row. `update` for lifecycle changes and edits; `share` for quota writes, which
     * may run side by side but must not interleave with the drive opening (quotas freeze at open).
     */
    async lock(tx: DbOrTx, id: string, strength: 'update' | 'share'): Promise<ScopedDrive | undefined> {
      const [row] = await scoped(tx).where(eq(drives.id, id)).for(strength, { of: drives });
      return row;
    },
    async list(f: DriveFilter): Promise<DriveRow[]> {
      const where: (SQL | undefined)[] = [
        f.scopePath ? like(agencies.path, `${escapeLike(f.scopePath)}%`) : undefined,
        f.organizingAgencyId ? eq(drives.organizingAgencyId, f.organizingAgencyId) : undefined,
        f.kind ? eq(drives.kind, f.kind) : undefined,
        f.status ? eq(drives.status, f.status) : undefined,
        f.staffCategory ? eq(drives.staffCategory, f.staffCategory) : undefined,
        f.year !== undefined ? eq(drives.year, f.year) : undefined,
        f.search ? like(drives.nameSearch, `%${escapeLike(f.search)}%`) : undefined,
        f.afterId ? gt(drives.id, f.afterId) : undefined,
      ];
      return db
        .select(getTableColumns(drives))
        .from(drives)
        .innerJoin(agencies, eq(agencies.id, drives.organizingAgencyId))
        .where(and(...where))
        .orderBy(asc(drives.id))
        .limit(f.limit + 1);
    },
    async insert(tx: DbOrTx, row: typeof drives.$inferInsert): Promise<DriveRow> {
      const [created] = await tx.insert(drives).values(row).returning();
      return created!;
    },
    /** Updates when the version matches; undefined means someone changed it first. */
    async update(tx: DbOrTx, id: string, expected: number, changes: Partial<typeof drives.$inferInsert>): Promise<DriveRow | undefined> {
      const [row] = await tx
        .update(drives)
        .set({ ...changes, version: sql`${drives.version} + 1`, updatedAt: sql`now()` })
        .where(and(eq(drives.id, id), eq(drives.version, expected)))
        .returning();
      return row;
    },
    async insertTransition(tx: DbOrTx, row: typeof driveTransitions.$inferInsert): Promise<void> {
      await tx.insert(driveTransitions).values(row);
    },
    async countQuotas(tx: DbOrTx, driveId: string): Promise<number> {
      const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(quotas).where(eq(quotas.driveId, driveId));
      return Number(row?.n ?? 0);
    },
    /** Applications still in the running: submitted or found eligible. */
    async countActiveApplications(tx: DbOrTx, driveId: string): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(applications)
        .where(and(eq(applications.driveId, driveId), inArray(applications.status, ['submitted', 'eligible'])));
      return Number(row?.n ?? 0);
    },
  };
}
export type DrivesRepository = ReturnType<typeof createDrivesRepository>;
