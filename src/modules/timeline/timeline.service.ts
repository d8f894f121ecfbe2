import { and, eq, sql } from 'drizzle-orm';
import type { Caller, Clock } from '../../context.js';
import { inScope } from '../../context.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { isUniqueViolation } from '../../db/pg-error.js';
import { CALENDAR_MAX_YEAR, CALENDAR_MIN_YEAR } from '../../domain/calendar.js';
import { localDate } from '../../domain/deadlines.js';
import {
  buildTimeline,
  checkExtension,
  hasTimeline,
  timelineYears,
  TIMELINE_EVENTS,
  type ExtendableStep,
  type TimelineEntry,
  type TimelineEvent,
} from '../../domain/timeline.js';
import type { Preset } from '../../domain/rule-sets.js';
import { conflict, notFound, unprocessable } from '../../errors.js';
import { audited, systemActor } from '../audit/audit.writer.js';
import type { CalendarService } from '../calendar/calendar.service.js';
import type { DrivesRepository, ScopedDrive } from '../drives/drives.repository.js';
import type { CreateExtensionInput, PutTimelineEventInput } from './timeline.schemas.js';
import {
  driveTimelineAlerts,
  driveTimelineEvents,
  driveTimelineExtensions,
  type DriveTimelineEventRow,
  type DriveTimelineExtensionRow,
  type TimelineAlertKind,
} from './timeline.table.js';

export type TimelineDeps = {
  db: Db;
  drives: DrivesRepository;
  calendar: CalendarService;
  clock: Clock;
  /** Working days before a due date from which a step is due soon (TIMELINE_DUE_SOON_WORKING_DAYS). */
  dueSoonWorkingDays: number;
};

const rowsOf = <T>(res: unknown): T[] => (res as { rows: T[] }).rows;

type ServiceFacts = {
  registrants: number;
  round2Candidates: number;
  appealsFiled: number;
  appealsResolvedOn: string | undefined;
  rounds: { order: number; status: string; scheduled_on: string | null; locked_at: Date | null; published_at: Date | null; ranking: boolean }[];
  transitions: { to: string; at: Date }[];
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const onDate = (d: Date | null | undefined): string | undefined => (d ? localDate(d) : undefined);

/**
 * The events the service records itself, as local dates: the close of registration once the drive
 * has closed it (the announced day, or the day it was closed if earlier), rounds held (their
 * scheduled date once they left `scheduled`) and marked (locked), the round-2 results published,
 * re-marking done when every appeal is resolved, and the results workflow's transitions.
 */
function serviceEvents(drive: ScopedDrive, f: ServiceFacts): Partial<Record<TimelineEvent, string>> {
  const e: Partial<Record<TimelineEvent, string>> = {};
  const last = (to: string) => {
    const hits = f.transitions.filter((t) => t.to === to);
    return hits.length > 0 ? onDate(hits[hits.length - 1]!.at) : undefined;
  };
  // The period of receiving forms ends on the announced day (170 Art. 15(4)), or earlier if the drive closed it earlier.
  if (drive.registrationClosesOn && drive.status !== 'draft' && drive.status !== 'open') {
    const closed = last('closed');
    e.registration_closed = closed && closed < drive.registrationClosesOn ? closed : drive.registrationClosesOn;
  }
  const round = (order: number) => f.rounds.find((r) => r.order === order);
  const held = (order: number) => {
    const r = round(order);
    return r && r.status !== 'scheduled' && r.scheduled_on && ISO_DATE.test(r.scheduled_on) ? r.scheduled_on : undefined;
  };
  e.round1_held = held(1);
  e.round2_held = held(2);
  e.round1_marked = onDate(round(1)?.locked_at);
  e.written_results_published = onDate(round(2)?.published_at);
  e.remarking_completed = f.appealsResolvedOn;
  const ranking = f.rounds.find((r) => r.ranking) ?? round(2);
  e.marking_completed = onDate(ranking?.locked_at);
  e.results_submitted = last('submitted');
  e.results_approved = last('approved');
  e.results_published = onDate(drive.publishedAt) ?? last('published');
  for (const k of Object.keys(e) as TimelineEvent[]) if (e[k] === undefined) delete e[k];
  return e;
}

const eventView = (r: DriveTimelineEventRow) => ({
  event: r.event,
  date: r.date,
  reference: r.reference,
  note: r.note,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  version: r.version,
});
const extensionView = (r: DriveTimelineExtensionRow) => ({
  id: r.id,
  driveId: r.driveId,
  step: r.step,
  decisionNumber: r.decisionNumber,
  decisionDate: r.decisionDate,
  note: r.note,
  createdAt: r.createdAt,
});

export function createTimelineService(deps: TimelineDeps) {
  const { db, drives, calendar, clock } = deps;

  async function visibleDrive(caller: Caller, id: string, tx: DbOrTx = db): Promise<ScopedDrive> {
    const drive = await drives.findById(id, tx);
    if (!drive || !inScope(caller, drive.agencyPath)) throw notFound('drive', id);
    return drive;
  }

  async function factsOf(driveId: string, tx: DbOrTx): Promise<ServiceFacts> {
    const [counts] = rowsOf<{ registrants: number; round2_candidates: number; appeals: number; appeals_pending: number; appeals_resolved: Date | null }>(
      await tx.execute(sql`
        select
          (select count(distinct a.candidate_id)::int from applications a where a.drive_id = ${driveId} and a.withdrawn_at is null) as registrants,
          (select count(distinct s.application_id)::int from scripts s join rounds r on r.id = s.round_id
             where r.drive_id = ${driveId} and r."order" = 2) as round2_candidates,
          p.appeals, p.appeals_pending, p.appeals_resolved
        from (select count(*)::int as appeals,
                     (count(*) filter (where p.status = 'pending'))::int as appeals_pending,
                     max(p.resolved_at) as appeals_resolved
              from appeals p join applications a on a.id = p.application_id where a.drive_id = ${driveId}) p`),
    );
    const rounds = rowsOf<ServiceFacts['rounds'][number]>(
      await tx.execute(sql`select "order", status, scheduled_on, locked_at, published_at, ranking from rounds where drive_id = ${driveId} order by "order"`),
    ).map((r) => ({ ...r, locked_at: r.locked_at ? new Date(r.locked_at) : null, published_at: r.published_at ? new Date(r.published_at) : null }));
    const transitions = rowsOf<{ to: string; at: Date }>(
      await tx.execute(sql`select "to", at from drive_transitions where drive_id = ${driveId} order by at, id`),
    ).map((t) => ({ to: t.to, at: new Date(t.at) }));
    return {
      registrants: counts?.registrants ?? 0,
      round2Candidates: counts?.round2_candidates ?? 0,
      appealsFiled: counts?.appeals ?? 0,
      // Every appeal resolved: re-marking is complete on the day of the last resolution.
      appealsResolvedOn:
        counts && counts.appeals > 0 && counts.appeals_pending === 0 && counts.appeals_resolved ? localDate(new Date(counts.appeals_resolved)) : undefined,
      rounds,
      transitions,
    };
  }

  /** The timeline of a drive as of today, with the events it rests on and where each came from. */
  async function timelineOf(drive: ScopedDrive, tx: DbOrTx = db) {
    const today = localDate(clock());
    const preset = drive.ruleSetPreset as Preset;
    const facts = await factsOf(drive.id, tx);
    const recorded = await tx.select().from(driveTimelineEvents).where(eq(driveTimelineEvents.driveId, drive.id));
    const extensions = await tx.select().from(driveTimelineExtensions).where(eq(driveTimelineExtensions.driveId, drive.id));
    const fromService = serviceEvents(drive, facts);
    const events: Partial<Record<TimelineEvent, string>> = { ...fromService };
    for (const r of recorded) events[r.event] = r.date;
    // Re-marking done ends the marking of 170 Art. 17(1) ("kể cả phúc khảo"), unless the date was recorded.
    if (events.remarking_completed && !recorded.some((r) => r.event === 'marking_completed')) {
      if (!events.marking_completed || events.marking_completed < events.remarking_completed) events.marking_completed = events.remarking_completed;
    }
    let steps: TimelineEntry[] = [];
    if (hasTimeline(preset)) {
      const span = timelineYears({ events, today });
      const data = await calendar.dataFor(Math.max(CALENDAR_MIN_YEAR, span.from), Math.min(CALENDAR_MAX_YEAR, span.to), tx);
      steps = buildTimeline(
        {
          preset,
          events,
          registrants: facts.registrants,
          appealsFiled: facts.appealsFiled,
          extensions: extensions.map((x) => ({ step: x.step, decisionNumber: x.decisionNumber, decisionDate: x.decisionDate })),
          today,
          dueSoonWorkingDays: deps.dueSoonWorkingDays,
        },
        data,
      );
    }
    const eventList = TIMELINE_EVENTS.filter((e) => events[e] !== undefined).map((e) => {
      const rec = recorded.find((r) => r.event === e);
      return {
        event: e,
        date: events[e]!,
        source: rec ? ('recorded' as const) : ('service' as const),
        reference: rec?.reference ?? null,
      };
    });
    return {
      driveId: drive.id,
      preset,
      today,
      dueSoonWorkingDays: deps.dueSoonWorkingDays,
      registrants: facts.registrants,
      counting:
        'Civil Code 2015 Art. 147(1): the day of the starting event is not counted; Art. 148(5): a period of calendar days whose last day is a rest day or holiday ends on the next working day',
      steps,
      events: eventList,
      extensions: extensions.map(extensionView),
      overdue: steps.filter((s) => s.status === 'overdue').length,
    };
  }

  /** Raises the due-soon and overdue alerts of one drive not raised before; returns how many. */
  async function sweepDrive(id: string): Promise<number> {
    const drive = await drives.findById(id);
    if (!drive) return 0;
    const t = await timelineOf(drive);
    const due = t.steps.filter((s) => (s.status === 'due_soon' || s.status === 'overdue') && s.dueOn !== null);
    if (due.length === 0) return 0;
    return audited(db, systemActor('timeline sweep'), async (tx, record) => {
      let n = 0;
      for (const s of due) {
        const kind: TimelineAlertKind = s.status === 'overdue' ? 'overdue' : 'due_soon';
        const inserted = await tx
          .insert(driveTimelineAlerts)
          .values({ driveId: id, step: s.step, kind, dueOn: s.dueOn! })
          .onConflictDoNothing()
          .returning({ step: driveTimelineAlerts.step });
        if (inserted.length === 0) continue;
        n++;
        record({
          action: kind === 'overdue' ? 'drive.deadline_overdue' : 'drive.deadline_due_soon',
          resourceType: 'drive_timeline_step',
          resourceId: `${id}:${s.step}`,
          agencyId: drive.organizingAgencyId,
          driveId: id,
          after: { driveId: id, driveCode: drive.code, today: t.today, ...s },
        });
      }
      return n;
    });
  }

  return {
    async get(caller: Caller, driveId: string) {
      return timelineOf(await visibleDrive(caller, driveId));
    },

    /** The dates of the drive's events as the timeline takes them (recorded dates over the service's own). */
    async eventsOf(drive: ScopedDrive, tx: DbOrTx = db): Promise<Partial<Record<TimelineEvent, string>>> {
      const t = await timelineOf(drive, tx);
      return Object.fromEntries(t.events.map((e) => [e.event, e.date]));
    },

    /** Steps overdue today (for the drive report); 0 for a preset without a timeline. */
    async overdueCount(drive: ScopedDrive, tx: DbOrTx = db): Promise<number> {
      return (await timelineOf(drive, tx)).overdue;
    },

    async listEvents(caller: Caller, driveId: string) {
      await visibleDrive(caller, driveId);
      const rows = await db.select().from(driveTimelineEvents).where(eq(driveTimelineEvents.driveId, driveId)).orderBy(driveTimelineEvents.date);
      return rows.map(eventView);
    },

    /** Records the date of an event as the drive's papers give it (replacing an earlier record). */
    async putEvent(caller: Caller, driveId: string, event: TimelineEvent, input: PutTimelineEventInput) {
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await drives.lock(tx, driveId, 'share');
        if (!drive || !inScope(caller, drive.agencyPath)) throw notFound('drive', driveId);
        if (drive.status === 'draft') throw conflict('timeline.drive_draft', 'A draft drive has no timeline yet: open it first', { driveStatus: drive.status });
        const today = localDate(clock());
        if (input.date > today) {
          throw unprocessable('timeline.event_in_future', `An event is recorded once it has happened; ${input.date} is after today (${today})`, {
            date: input.date,
            today,
          });
        }
        const year = Number(input.date.slice(0, 4));
        if (year < CALENDAR_MIN_YEAR || year > CALENDAR_MAX_YEAR) {
          throw unprocessable('calendar.out_of_range', `The working-day calendar covers ${CALENDAR_MIN_YEAR}–${CALENDAR_MAX_YEAR}`, {
            date: input.date,
            minYear: CALENDAR_MIN_YEAR,
            maxYear: CALENDAR_MAX_YEAR,
          });
        }
        const [current] = await tx
          .select()
          .from(driveTimelineEvents)
          .where(and(eq(driveTimelineEvents.driveId, driveId), eq(driveTimelineEvents.event, event)))
          .for('update');
        const values = { driveId, event, date: input.date, reference: input.reference ?? null, note: input.note ?? null };
        const [row] = await tx
          .insert(driveTimelineEvents)
          .values(values)
          .onConflictDoUpdate({
            target: [driveTimelineEvents.driveId, driveTimelineEvents.event],
            set: { date: values.date, reference: values.reference, note: values.note, updatedAt: sql`now()`, version: sql`${driveTimelineEvents.version} + 1` },
          })
          .returning();
        record({
          action: current ? 'drive.timeline_event_updated' : 'drive.timeline_event_recorded',
          resourceType: 'drive_timeline_event',
          resourceId: `${driveId}:${event}`,
          agencyId: drive.organizingAgencyId,
          driveId,
          before: current ? eventView(current) : null,
          after: eventView(row!),
        });
        return { event: eventView(row!), created: !current };
      });
    },

    async listExtensions(caller: Caller, driveId: string) {
      await visibleDrive(caller, driveId);
      const rows = await db.select().from(driveTimelineExtensions).where(eq(driveTimelineExtensions.driveId, driveId)).orderBy(driveTimelineExtensions.createdAt);
      return rows.map(extensionView);
    },

    /** Records the chair's decision lengthening a period (170 Art. 16(3)(a), 16(4)(b)); one per step. */
    async createExtension(caller: Caller, driveId: string, input: CreateExtensionInput) {
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await drives.lock(tx, driveId, 'share');
        if (!drive || !inScope(caller, drive.agencyPath)) throw notFound('drive', driveId);
        if (drive.status === 'draft') throw conflict('timeline.drive_draft', 'A draft drive has no timeline yet: open it first', { driveStatus: drive.status });
        const today = localDate(clock());
        if (input.decisionDate > today) {
          throw unprocessable('timeline.decision_in_future', `A decision is recorded once made; ${input.decisionDate} is after today (${today})`, {
            decisionDate: input.decisionDate,
            today,
          });
        }
        const facts = await factsOf(driveId, tx);
        const refusal = checkExtension(drive.ruleSetPreset as Preset, input.step as ExtendableStep, facts);
        if (refusal) throw unprocessable(refusal.code, refusal.message, { details: refusal.details });
        try {
          const [row] = await tx
            .insert(driveTimelineExtensions)
            .values({ driveId, step: input.step, decisionNumber: input.decisionNumber, decisionDate: input.decisionDate, note: input.note ?? null })
            .returning();
          record({
            action: 'drive.timeline_extended',
            resourceType: 'drive_timeline_extension',
            resourceId: row!.id,
            agencyId: drive.organizingAgencyId,
            driveId,
            after: extensionView(row!),
          });
          return extensionView(row!);
        } catch (err) {
          if (isUniqueViolation(err, 'drive_timeline_extensions_drive_step_unique')) {
            throw conflict('timeline.extension_exists', `The chair has already extended ${input.step} for this drive`, { step: input.step });
          }
          throw err;
        }
      });
    },

    /**
     * One sweep: for every drive under way, each step due soon or overdue today raises its alert
     * once (drive.deadline_due_soon / drive.deadline_overdue, audited and sent as webhooks). The
     * alert's key (drive, step, kind, due date) makes it once across sweeps and instances: the
     * insert that loses the race writes nothing, and neither does its audit event. Returns the
     * alerts raised.
     */
    async sweep(): Promise<{ raised: number; failed: { driveId: string; error: unknown }[] }> {
      const ids = rowsOf<{ id: string }>(
        await db.execute(
          sql`select id from drives where status not in ('draft', 'finished', 'cancelled') and rule_set_preset in ('nd170', 'nd170-300', 'nd115') order by id`,
        ),
      );
      let raised = 0;
      const failed: { driveId: string; error: unknown }[] = [];
      for (const { id } of ids) {
        // One drive that cannot be swept (a date outside the calendar) does not stop the others.
        try {
          raised += await sweepDrive(id);
        } catch (error) {
          failed.push({ driveId: id, error });
        }
      }
      return { raised, failed };
    },
  };
}
export type TimelineService = ReturnType<typeof createTimelineService>;
