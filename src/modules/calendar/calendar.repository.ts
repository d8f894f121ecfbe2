import { and, asc, eq, gt, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { calendarEntries, type CalendarEntryRow } from './calendar.table.js';

export function createCalendarRepository(db: DbOrTx) {
  return {
    /** Entries between two dates (inclusive), in date order. */
    async between(from: string, to: string, tx: DbOrTx = db): Promise<CalendarEntryRow[]> {
      return tx
        .select()
        .from(calendarEntries)
        .where(and(gte(calendarEntries.date, from), lte(calendarEntries.date, to)))
        .orderBy(asc(calendarEntries.date));
    },
    async list(f: { from?: string | undefined; to?: string | undefined; afterDate?: string | undefined; limit: number }): Promise<CalendarEntryRow[]> {
      const where: (SQL | undefined)[] = [
        f.from ? gte(calendarEntries.date, f.from) : undefined,
        f.to ? lte(calendarEntries.date, f.to) : undefined,
        f.afterDate ? gt(calendarEntries.date, f.afterDate) : undefined,
      ];
      return db
        .select()
        .from(calendarEntries)
        .where(and(...where))
        .orderBy(asc(calendarEntries.date))
        .limit(f.limit + 1);
    },
    async findForUpdate(tx: DbOrTx, date: string): Promise<CalendarEntryRow | undefined> {
      const [row] = await tx.select().from(calendarEntries).where(eq(calendarEntries.date, date)).for('update');
      return row;
    },
    /** Inserts or replaces the entry of its date (bumping the version of a replaced one). */
    async upsert(tx: DbOrTx, row: Omit<typeof calendarEntries.$inferInsert, 'createdAt' | 'updatedAt' | 'version'>): Promise<CalendarEntryRow> {
      const { date: _date, ...changes } = row;
      const [saved] = await tx
        .insert(calendarEntries)
        .values(row)
        .onConflictDoUpdate({
          target: calendarEntries.date,
          set: { ...changes, version: sql`${calendarEntries.version} + 1`, updatedAt: sql`now()` },
        })
        .returning();
      return saved!;
    },
    async delete(tx: DbOrTx, date: string): Promise<void> {
      await tx.delete(calendarEntries).where(eq(calendarEntries.date, date));
    },
  };
}
export type CalendarRepository = ReturnType<typeof createCalendarRepository>;
