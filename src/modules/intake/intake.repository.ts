import { and, asc, eq, getTableColumns, gt, isNull, like, lte, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agencies, type StaffCategory } from '../agencies/agencies.table.js';
import { intakeCategories, intakeCouncilMembers, intakeOralMarks, intakes, type IntakeCategoryRow, type IntakeCouncilMemberRow, type IntakeRow, type IntakeStatus } from './intake.table.js';

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const rowsOf = <T>(res: unknown): T[] => (res as { rows: T[] }).rows;

export type ScopedIntake = IntakeRow & { agencyPath: string };
export type IntakeFilter = {
  scopePath: string | null;
  agencyId?: string | undefined;
  status?: IntakeStatus | undefined;
  year?: number | undefined;
  afterId?: string | undefined;
  limit: number;
};
export type RecruitmentRow = { agency_id: string; agency_code: string; agency_name: string; by_exam: number; by_review: number; by_intake: number };

export function createIntakeRepository(db: DbOrTx) {
  const scoped = { ...getTableColumns(intakes), agencyPath: agencies.path };
  return {
    async categories(f: { staffCategory?: StaffCategory | undefined; on?: string | undefined }): Promise<IntakeCategoryRow[]> {
      return db
        .select()
        .from(intakeCategories)
        .where(
          and(
            f.staffCategory ? eq(intakeCategories.staffCategory, f.staffCategory) : undefined,
            f.on ? lte(intakeCategories.effectiveFrom, f.on) : undefined,
            f.on ? or(isNull(intakeCategories.effectiveTo), gt(intakeCategories.effectiveTo, f.on)) : undefined,
          ),
        )
        .orderBy(asc(intakeCategories.staffCategory), asc(intakeCategories.effectiveFrom), asc(intakeCategories.catalogue), asc(intakeCategories.code));
    },
    async category(id: string, tx: DbOrTx = db): Promise<IntakeCategoryRow | undefined> {
      const [row] = await tx.select().from(intakeCategories).where(eq(intakeCategories.id, id));
      return row;
    },
    async insertCategory(tx: DbOrTx, row: typeof intakeCategories.$inferInsert): Promise<IntakeCategoryRow> {
      const [created] = await tx.insert(intakeCategories).values(row).returning();
      return created!;
    },
    async insert(tx: DbOrTx, row: typeof intakes.$inferInsert): Promise<IntakeRow> {
      const [created] = await tx.insert(intakes).values(row).returning();
      return created!;
    },
    async find(id: string, tx: DbOrTx = db, lock = false): Promise<ScopedIntake | undefined> {
      const q = tx.select(scoped).from(intakes).innerJoin(agencies, eq(agencies.id, intakes.agencyId)).where(eq(intakes.id, id));
      const [row] = lock ? await q.for('update', { of: intakes }) : await q;
      return row;
    },
    async list(f: IntakeFilter): Promise<ScopedIntake[]> {
      const where: (SQL | undefined)[] = [
        f.scopePath ? like(agencies.path, `${escapeLike(f.scopePath)}%`) : undefined,
        f.agencyId ? eq(intakes.agencyId, f.agencyId) : undefined,
        f.status ? eq(intakes.status, f.status) : undefined,
        f.year ? eq(intakes.year, f.year) : undefined,
        f.afterId ? gt(intakes.id, f.afterId) : undefined,
      ];
      return db
        .select(scoped)
        .from(intakes)
        .innerJoin(agencies, eq(agencies.id, intakes.agencyId))
        .where(and(...where))
        .orderBy(asc(intakes.id))
        .limit(f.limit + 1);
    },
    /** Updates when the version matches; undefined means someone changed it first. */
    async update(tx: DbOrTx, id: string, expected: number, changes: Partial<typeof intakes.$inferInsert>): Promise<IntakeRow | undefined> {
      const [row] = await tx
        .update(intakes)
        .set({ ...changes, version: sql`${intakes.version} + 1`, updatedAt: sql`now()` })
        .where(and(eq(intakes.id, id), eq(intakes.version, expected)))
        .returning();
      return row;
    },
    async members(intakeId: string, tx: DbOrTx = db): Promise<IntakeCouncilMemberRow[]> {
      return tx.select().from(intakeCouncilMembers).where(eq(intakeCouncilMembers.intakeId, intakeId)).orderBy(asc(intakeCouncilMembers.createdAt), asc(intakeCouncilMembers.id));
    },
    async replaceCouncil(tx: DbOrTx, intakeId: string, rows: (typeof intakeCouncilMembers.$inferInsert)[]): Promise<void> {
      await tx.delete(intakeOralMarks).where(eq(intakeOralMarks.intakeId, intakeId));
      await tx.delete(intakeCouncilMembers).where(eq(intakeCouncilMembers.intakeId, intakeId));
      if (rows.length > 0) await tx.insert(intakeCouncilMembers).values(rows);
    },
    async marks(intakeId: string, tx: DbOrTx = db): Promise<{ memberId: string; score: string }[]> {
      return tx.select({ memberId: intakeOralMarks.memberId, score: intakeOralMarks.score }).from(intakeOralMarks).where(eq(intakeOralMarks.intakeId, intakeId));
    },
    async putMarks(tx: DbOrTx, intakeId: string, marks: { memberId: string; score: string }[]): Promise<void> {
      for (const m of marks) {
        await tx
          .insert(intakeOralMarks)
          .values({ intakeId, memberId: m.memberId, score: m.score })
          .onConflictDoUpdate({ target: [intakeOralMarks.intakeId, intakeOralMarks.memberId], set: { score: m.score } });
      }
    },
    /** One unit of the headcount filled by an accepted intake (the guard held the unit while it was requested). */
    async fillHeadcount(tx: DbOrTx, at: { agencyId: string; year: number; staffCategory: StaffCategory }): Promise<number> {
      const res = await tx.execute(
        sql`update headcounts set filled = filled + 1, version = version + 1, updated_at = now()
            where agency_id = ${at.agencyId} and year = ${at.year} and staff_category = ${at.staffCategory} returning filled`,
      );
      return rowsOf<{ filled: number }>(res).length;
    },
    /**
     * Recruited in a year per agency: winners of recruitment drives of that year whose results were
     * approved (approved, published, finished), by the quota's method, and intakes accepted with a
     * decision of that year. Counted from the rows, never from a stored total.
     */
    async recruitment(yearOf: number, scopePath: string | null, agencyId: string | undefined): Promise<RecruitmentRow[]> {
      const scope = scopePath ? sql`and a.path like ${`${escapeLike(scopePath)}%`}` : sql``;
      const only = agencyId ? sql`and a.id = ${agencyId}` : sql``;
      const res = await db.execute(sql`
        with won as (
          select q.agency_id,
                 (count(*) filter (where q.method = 'exam'))::int as by_exam,
                 (count(*) filter (where q.method = 'review'))::int as by_review
          from results r
          join quotas q on q.id = r.quota_id
          join drives d on d.id = r.drive_id
          where r.outcome = 'winner' and d.kind = 'recruitment' and d.year = ${yearOf}
            and d.status in ('approved', 'published', 'finished')
          group by q.agency_id
        ), taken as (
          select agency_id, count(*)::int as by_intake
          from intakes where status = 'accepted' and year = ${yearOf}
          group by agency_id
        )
        select a.id as agency_id, a.code as agency_code, a.name as agency_name,
               coalesce(w.by_exam, 0)::int as by_exam, coalesce(w.by_review, 0)::int as by_review, coalesce(t.by_intake, 0)::int as by_intake
        from agencies a
        left join won w on w.agency_id = a.id
        left join taken t on t.agency_id = a.id
        where (w.agency_id is not null or t.agency_id is not null) ${scope} ${only}
        order by a.code, a.id`);
      return rowsOf<RecruitmentRow>(res);
    },
    async exportRows(scopePath: string | null, yearOf: number | undefined): Promise<(ScopedIntake & { categoryCode: string; catalogue: string })[]> {
      return db
        .select({ ...scoped, categoryCode: intakeCategories.code, catalogue: intakeCategories.catalogue })
        .from(intakes)
        .innerJoin(agencies, eq(agencies.id, intakes.agencyId))
        .innerJoin(intakeCategories, eq(intakeCategories.id, intakes.categoryId))
        .where(and(scopePath ? like(agencies.path, `${escapeLike(scopePath)}%`) : undefined, yearOf ? eq(intakes.year, yearOf) : undefined))
        .orderBy(asc(intakes.id))
        .limit(100_000);
    },
  };
}
export type IntakeRepository = ReturnType<typeof createIntakeRepository>;
