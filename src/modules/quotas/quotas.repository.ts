import { and, asc, eq, gt, ne, notInArray, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { StaffCategory } from '../agencies/agencies.table.js';
import { drives } from '../drives/drives.table.js';
import { intakes } from '../intake/intake.table.js';
import { quotas, type QuotaRow } from './quotas.table.js';

export type QuotaFilter = {
  driveId: string;
  agencyId?: string | undefined;
  jobPositionId?: string | undefined;
  afterId?: string | undefined;
  limit: number;
};

export function createQuotasRepository(db: DbOrTx) {
  return {
    async findById(id: string, tx: DbOrTx = db): Promise<QuotaRow | undefined> {
      const [row] = await tx.select().from(quotas).where(eq(quotas.id, id));
      return row;
    },
    async findByIdForUpdate(tx: DbOrTx, id: string): Promise<QuotaRow | undefined> {
      const [row] = await tx.select().from(quotas).where(eq(quotas.id, id)).for('update');
      return row;
    },
    async list(f: QuotaFilter): Promise<QuotaRow[]> {
      const where: (SQL | undefined)[] = [
        eq(quotas.driveId, f.driveId),
        f.agencyId ? eq(quotas.agencyId, f.agencyId) : undefined,
        f.jobPositionId ? eq(quotas.jobPositionId, f.jobPositionId) : undefined,
        f.afterId ? gt(quotas.id, f.afterId) : undefined,
      ];
      return db
        .select()
        .from(quotas)
        .where(and(...where))
        .orderBy(asc(quotas.id))
        .limit(f.limit + 1);
    },
    async insert(tx: DbOrTx, row: typeof quotas.$inferInsert): Promise<QuotaRow> {
      const [created] = await tx.insert(quotas).values(row).returning();
      return created!;
    },
    /** Updates when the version matches; undefined means someone changed it first. */
    async update(tx: DbOrTx, id: string, expected: number, changes: Partial<typeof quotas.$inferInsert>): Promise<QuotaRow | undefined> {
      const [row] = await tx
        .update(quotas)
        .set({ ...changes, version: sql`${quotas.version} + 1`, updatedAt: sql`now()` })
        .where(and(eq(quotas.id, id), eq(quotas.version, expected)))
        .returning();
      return row;
    },
    async delete(tx: DbOrTx, id: string): Promise<void> {
      await tx.delete(quotas).where(eq(quotas.id, id));
    },
    /**
     * Slots held at an agency for a year and staff category by quotas of recruitment drives that
     * are still running (not finished, not cancelled). Leadership titles fill existing posts and
     * hold no headcount. `exceptQuotaId` leaves out a quota whose slots are being changed.
     * Intakes still requested hold one unit each (Decree 170/2025 Art. 13(3); 115/2020 Art. 13(1):
     * taken in within the headcount assigned), so quotas and intakes are counted together.
     */
    async reservedSlots(tx: DbOrTx, agencyId: string, year: number, category: StaffCategory, exceptQuotaId?: string): Promise<number> {
      const [row] = await tx
        // A place taken up (appointments.status took_up) is counted in the headcount's filled figure: no longer reserved.
        .select({
          n: sql<number>`coalesce(sum(greatest(${quotas.slots} - (select count(*) from appointments ap where ap.quota_id = ${quotas.id} and ap.status = 'took_up')::int, 0)), 0)::int`,
        })
        .from(quotas)
        .innerJoin(drives, eq(drives.id, quotas.driveId))
        .where(
          and(
            eq(quotas.agencyId, agencyId),
            eq(quotas.year, year),
            eq(quotas.staffCategory, category),
            eq(drives.kind, 'recruitment'),
            notInArray(drives.status, ['finished', 'cancelled']),
            exceptQuotaId ? ne(quotas.id, exceptQuotaId) : undefined,
          ),
        );
      const [held] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(intakes)
        .where(and(eq(intakes.agencyId, agencyId), eq(intakes.year, year), eq(intakes.staffCategory, category), eq(intakes.status, 'requested')));
      return Number(row?.n ?? 0) + Number(held?.n ?? 0);
    },
  };
}
export type QuotasRepository = ReturnType<typeof createQuotasRepository>;
