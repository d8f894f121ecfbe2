import type { Caller } from '../../context.js';
import type { Db, DbOrTx } from '../../db/client.js';
import {
  CALENDAR_MAX_YEAR,
  calendarData,
  calendarYear,
  checkEntry,
  isWorkingDay,
  periodEnd,
  weekday,
  type CalendarData,
  type CalendarEntry,
} from '../../domain/calendar.js';
import { parseIsoDate } from '../../domain/eligibility.js';
import { notFound, unprocessable } from '../../errors.js';
import { audited } from '../audit/audit.writer.js';
import type { CalendarRepository } from './calendar.repository.js';
import type { DeadlineQuery, ListCalendarEntriesQuery, PutCalendarEntryInput } from './calendar.schemas.js';
import type { CalendarEntryRow } from './calendar.table.js';

export type CalendarDeps = { db: Db; repo: CalendarRepository };

const entryOf = (r: CalendarEntryRow): CalendarEntry => ({
  date: r.date,
  kind: r.kind,
  name: r.name,
  decision: { number: r.decisionNumber, date: r.decisionDate, issuer: r.decisionIssuer },
});

const view = (r: CalendarEntryRow) => ({
  ...entryOf(r),
  note: r.note,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  version: r.version,
});
export type CalendarEntryView = ReturnType<typeof view>;

/** Years a period may span: ten years of days, plus the year it starts in. */
const SPAN_YEARS = 11;

export function createCalendarService(deps: CalendarDeps) {
  const { db, repo } = deps;

  /** The calendar's data for the years `fromYear`–`toYear` (the government's entries of those years). */
  async function dataFor(fromYear: number, toYear: number, tx: DbOrTx = db): Promise<CalendarData> {
    const rows = await repo.between(`${fromYear}-01-01`, `${Math.min(toYear, CALENDAR_MAX_YEAR)}-12-31`, tx);
    return calendarData(rows.map(entryOf));
  }

  return {
    dataFor,

    /** Every special day of `year`: holidays, compensatory days, swapped days and worked rest days. */
    async year(year: number) {
      const data = await dataFor(year, year);
      const days = calendarYear(year, data).map((d) => ({
        ...d,
        weekday: weekday(d.date),
        working: isWorkingDay(d.date, data),
      }));
      const notFixed = (['tet', 'national_day'] as const).filter((h) =>
        days.some((d) => d.holiday === h && d.status === 'holiday' && d.provisional),
      );
      return { year, weeklyRest: [6, 7], notFixedByGovernment: notFixed, days };
    },

    /** The last day of a period from `from` (Civil Code Art. 147–148). */
    async deadline(q: DeadlineQuery) {
      const { year } = parseIsoDate(q.from, 'from');
      const data = await dataFor(year, year + SPAN_YEARS);
      return { from: q.from, days: q.days, unit: q.unit, ...periodEnd(q.from, q.days, q.unit, data) };
    },

    async listEntries(q: ListCalendarEntriesQuery, afterDate: string | undefined): Promise<CalendarEntryView[]> {
      const rows = await repo.list({
        from: q.year ? `${q.year}-01-01` : undefined,
        to: q.year ? `${q.year}-12-31` : undefined,
        afterDate,
        limit: q.limit,
      });
      return rows.map(view);
    },

    /**
     * Records the government's decision for one day (admins). Serializable: two entries of one year
     * written at once cannot both pass the checks that concern the whole year (five Tết days, one
     * day joined to 2 September).
     */
    async putEntry(caller: Caller, date: string, input: PutCalendarEntryInput): Promise<{ entry: CalendarEntryView; created: boolean }> {
      return audited(
        db,
        caller.actor,
        async (tx, record) => {
          const { year } = parseIsoDate(date);
          const current = await repo.findForUpdate(tx, date);
          const entry: CalendarEntry = { date, kind: input.kind, name: input.name, decision: input.decision };
          const others = await repo.between(`${year}-01-01`, `${year}-12-31`, tx);
          const refusal = checkEntry(entry, others.map(entryOf));
          if (refusal) throw unprocessable(refusal.code, refusal.message, { details: refusal.details });
          const row = await repo.upsert(tx, {
            date,
            kind: input.kind,
            name: input.name,
            decisionNumber: input.decision.number,
            decisionDate: input.decision.date,
            decisionIssuer: input.decision.issuer,
            note: input.note ?? null,
          });
          record({
            action: current ? 'calendar_entry.updated' : 'calendar_entry.created',
            resourceType: 'calendar_entry',
            resourceId: date,
            before: current ? view(current) : null,
            after: view(row),
          });
          return { entry: view(row), created: !current };
        },
        { isolation: 'serializable' },
      );
    },

    async deleteEntry(caller: Caller, date: string): Promise<void> {
      await audited(db, caller.actor, async (tx, record) => {
        const current = await repo.findForUpdate(tx, date);
        if (!current) throw notFound('calendar_entry', date);
        await repo.delete(tx, date);
        record({ action: 'calendar_entry.deleted', resourceType: 'calendar_entry', resourceId: date, before: view(current) });
      });
    },
  };
}
export type CalendarService = ReturnType<typeof createCalendarService>;
