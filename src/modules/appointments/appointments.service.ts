import { and, asc, eq, sql } from 'drizzle-orm';
import type { Caller, Clock } from '../../context.js';
import { inScope } from '../../context.js';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { isUniqueViolation } from '../../db/pg-error.js';
import {
  appointmentSteps,
  lapsedGround,
  newNeedWindowEnds,
  nextLower,
  nextLowerListDue,
  replacementRule,
  strikeOffArticle,
  strikeOffMode,
  type AppointmentStepView,
  type StrikeOffGround,
} from '../../domain/appointment.js';
import { CALENDAR_MAX_YEAR, CALENDAR_MIN_YEAR } from '../../domain/calendar.js';
import { localDate } from '../../domain/deadlines.js';
import { maskName } from '../../domain/masking.js';
import type { Preset } from '../../domain/rule-sets.js';
import { hasTimeline } from '../../domain/timeline.js';
import { AppError, conflict, notFound, unprocessable } from '../../errors.js';
import { applications } from '../applications/applications.table.js';
import { submittedFullName } from '../applications/applications.repository.js';
import { audited, systemActor, type Record as RecordAudit } from '../audit/audit.writer.js';
import { headDecision, type DecisionRef } from '../boards/boards.acts.js';
import type { CalendarService } from '../calendar/calendar.service.js';
import { candidateBars, candidateProfiles, candidates } from '../candidates/candidates.table.js';
import type { DrivesRepository, ScopedDrive } from '../drives/drives.repository.js';
import { quotas } from '../quotas/quotas.table.js';
import { results } from '../results/results.table.js';
import type { TimelineService } from '../timeline/timeline.service.js';
import type { NewNeedInput, ReplacementInput, StepInput, StrikeOffInput } from './appointments.schemas.js';
import { appointmentAlerts, appointmentReplacementDecisions, appointments, type AppointmentRow, type ReplacementDecisionRow } from './appointments.table.js';

export type AppointmentsDeps = {
  db: Db;
  drives: DrivesRepository;
  calendar: CalendarService;
  timeline: TimelineService;
  clock: Clock;
  dueSoonWorkingDays: number;
};

const AFTER_RESULTS: readonly string[] = ['published', 'finished'];
const CANCEL_REASON: Record<StrikeOffGround, 'dossier_incomplete' | 'fraud' | 'no_show' | null> = {
  no_dossier: 'dossier_incomplete',
  fraud: 'fraud',
  invalid_diplomas: 'fraud',
  criminal_record_bar: null,
  no_take_up: 'no_show',
};

/**
 * The winners' path to appointment (src/domain/appointment.ts): each person's dates, steps due,
 * striking off and what follows it, and taking up the post, which fills the agency's headcount.
 */
export function createAppointmentsService(deps: AppointmentsDeps) {
  const { db, drives, calendar, timeline, clock } = deps;
  const today = () => localDate(clock());

  async function visibleDrive(caller: Caller, id: string, tx: DbOrTx = db): Promise<ScopedDrive> {
    const drive = await drives.findById(id, tx);
    if (!drive || !inScope(caller, drive.agencyPath)) throw notFound('drive', id);
    return drive;
  }

  /** Winners of published results each have their path (created on first sight; idempotent). */
  async function ensure(drive: ScopedDrive, tx: DbOrTx = db) {
    if (!AFTER_RESULTS.includes(drive.status) || !hasTimeline(drive.ruleSetPreset as Preset)) return;
    await tx.execute(sql`
      insert into appointments (id, drive_id, quota_id, result_id, application_id, basis)
      select gen_random_uuid(), r.drive_id, r.quota_id, r.id, r.application_id, 'winner'
        from results r where r.drive_id = ${drive.id} and r.outcome = 'winner'
      on conflict on constraint appointments_result_unique do nothing`);
  }

  /** The calendar for the years the dates span, read in the caller's transaction (the embedded database has one session). */
  async function dataFor(dates: (string | null | undefined)[], tx: DbOrTx = db) {
    const years = dates.filter((d): d is string => typeof d === 'string').map((d) => Number(d.slice(0, 4)));
    const from = Math.max(CALENDAR_MIN_YEAR, Math.min(...years));
    const to = Math.min(CALENDAR_MAX_YEAR, Math.max(...years) + 1);
    return calendar.dataFor(from, to, tx);
  }

  async function stepsOf(drive: ScopedDrive, row: AppointmentRow, publishedOn: string | null, on = today(), tx: DbOrTx = db): Promise<AppointmentStepView[]> {
    const start = row.calledOn ?? publishedOn;
    const data = await dataFor([on, start, row.decisionDate, row.decisionReceivedOn], tx);
    return appointmentSteps(
      {
        preset: drive.ruleSetPreset as Preset,
        publishedOn: start,
        noticeReceivedOn: row.noticeReceivedOn,
        dossierReceivedOn: row.dossierReceivedOn,
        recordRequestedOn: row.recordRequestedOn,
        recordReceivedOn: row.recordReceivedOn,
        decisionDate: row.decisionDate,
        decisionReceivedOn: row.decisionReceivedOn,
        tookUpOn: row.tookUpOn,
        today: on,
        dueSoonWorkingDays: deps.dueSoonWorkingDays,
      },
      data,
    );
  }

  async function replacementOf(drive: ScopedDrive, row: AppointmentRow, tx: DbOrTx) {
    if (row.status !== 'struck_off' || !row.struckOffOn) return null;
    const rule = replacementRule(drive.ruleSetPreset as Preset, row.struckOffOn);
    const [decision] = await tx.select().from(appointmentReplacementDecisions).where(eq(appointmentReplacementDecisions.appointmentId, row.id));
    const [called] = await tx.select({ id: appointments.id }).from(appointments).where(eq(appointments.replacesAppointmentId, row.id));
    const listDueOn = rule === 'head_chooses' ? nextLowerListDue(row.struckOffOn, await dataFor([row.struckOffOn], tx)) : null;
    return {
      rule,
      article: rule === 'head_chooses' ? '170/2025 Art. 18(4) as amended by 300/2026 Art. 5' : drive.ruleSetPreset === 'nd115' ? '115/2020 Art. 18(4)' : '170/2025 Art. 19(4)',
      listDueOn,
      // 300 Art. 5(4): the list is due 5 working days after the cancellation list; past that day with no decision, overdue.
      listOverdue: listDueOn !== null && !decision && today() > listDueOn,
      decision: decision ? decisionView(decision) : null,
      calledAppointmentId: called?.id ?? null,
    };
  }

  const decisionView = (d: ReplacementDecisionRow) => ({
    recruit: d.recruit,
    decisionNumber: d.decisionNumber,
    decisionDate: d.decisionDate,
    listDueOn: d.listDueOn,
    listPublishedOn: d.listPublishedOn,
    listLate: d.listDueOn !== null && d.listPublishedOn !== null && d.listPublishedOn > d.listDueOn,
    calledAppointmentId: d.calledAppointmentId,
  });

  async function view(drive: ScopedDrive, row: AppointmentRow, publishedOn: string | null, tx: DbOrTx = db) {
    const steps = await stepsOf(drive, row, publishedOn, today(), tx);
    return {
      id: row.id,
      driveId: row.driveId,
      quotaId: row.quotaId,
      resultId: row.resultId,
      applicationId: row.applicationId,
      preset: drive.ruleSetPreset,
      basis: row.basis,
      replacesAppointmentId: row.replacesAppointmentId,
      status: row.status,
      startsFrom: { publishedOn: row.calledOn ?? publishedOn, noticeReceivedOn: row.noticeReceivedOn, decisionReceivedOn: row.decisionReceivedOn },
      dossier: { receivedOn: row.dossierReceivedOn, items: row.dossierItems },
      criminalRecord: { requestedOn: row.recordRequestedOn, receivedOn: row.recordReceivedOn, bar: row.recordBar },
      decision: row.decisionNumber && row.decisionDate ? { number: row.decisionNumber, date: row.decisionDate, receivedOn: row.decisionReceivedOn } : null,
      tookUpOn: row.tookUpOn,
      steps: row.status === 'in_progress' ? steps : steps.map((s) => (s.status === 'met' ? s : { ...s, status: 'pending' as const })),
      overdue: row.status === 'in_progress' ? steps.filter((s) => s.status === 'overdue').length : 0,
      strikeOff:
        row.status === 'struck_off'
          ? {
              on: row.struckOffOn!,
              ground: row.strikeOffGround!,
              mode: row.strikeOffMode!,
              article: strikeOffArticle(drive.ruleSetPreset as Preset, row.strikeOffMode!, row.strikeOffGround!),
              decision: row.strikeOffDecisionNumber ? { number: row.strikeOffDecisionNumber, date: row.strikeOffDecisionDate! } : null,
              note: row.strikeOffNote,
            }
          : null,
      replacement: await replacementOf(drive, row, tx),
      version: row.version,
      updatedAt: row.updatedAt,
    };
  }
  type AppointmentView = Awaited<ReturnType<typeof view>>;

  async function findVisible(caller: Caller, id: string, tx: DbOrTx = db, lock = false) {
    const q = tx.select().from(appointments).where(eq(appointments.id, id));
    const [row] = lock ? await q.for('update') : await q;
    if (!row) throw notFound('appointment', id);
    const drive = await drives.findById(row.driveId, tx);
    if (!drive || !inScope(caller, drive.agencyPath)) throw notFound('appointment', id);
    return { row, drive };
  }

  async function publishedOnOf(drive: ScopedDrive, tx: DbOrTx = db) {
    return (await timeline.eventsOf(drive, tx)).results_published ?? null;
  }

  /** Calls the next-lower candidate of the quota (or `chosen` among those tied): their own path from `on`. */
  async function callNextLower(
    tx: Tx,
    drive: ScopedDrive,
    quotaId: string,
    on: string,
    basis: 'replacement' | 'new_need',
    replaces: AppointmentRow | null,
    chosen: string | undefined,
    record: RecordAudit,
  ): Promise<{ called: AppointmentRow | null; tiedApplicationIds: string[] }> {
    const reserves = await tx
      .select({ id: results.id, applicationId: results.applicationId, rank: results.rank })
      .from(results)
      .where(
        and(
          eq(results.quotaId, quotaId),
          eq(results.outcome, 'reserve'),
          sql`not exists (select 1 from appointments a where a.result_id = ${results.id})`,
        ),
      )
      .orderBy(asc(results.rank), asc(results.position))
      .for('update');
    const { next, tied } = nextLower(reserves);
    let pick = next;
    if (!pick && tied.length > 0) {
      if (!chosen) return { called: null, tiedApplicationIds: tied.map((t) => t.applicationId) };
      pick = tied.find((t) => t.applicationId === chosen) ?? null;
      if (!pick) {
        throw unprocessable('appointment.not_next_lower', 'The chosen application is not among the next-lower candidates tied for the place', {
          tiedApplicationIds: tied.map((t) => t.applicationId),
        });
      }
    } else if (pick && chosen && chosen !== pick.applicationId) {
      throw unprocessable('appointment.not_next_lower', 'The next-lower candidate is not tied with another: there is nothing to choose', {
        nextApplicationId: pick.applicationId,
      });
    }
    if (!pick) return { called: null, tiedApplicationIds: [] };
    if (basis === 'replacement' && replaces) {
      // The next-lower candidate takes the struck-off winner's slot in the results.
      const [old] = await tx.select({ winnerSlot: results.winnerSlot }).from(results).where(eq(results.id, replaces.resultId));
      await tx
        .update(results)
        .set({ outcome: 'winner', winnerSlot: old?.winnerSlot ?? null, promotedAt: clock(), replacesResultId: replaces.resultId, updatedAt: sql`now()` })
        .where(eq(results.id, pick.id));
      await tx.update(results).set({ replacedByResultId: pick.id }).where(eq(results.id, replaces.resultId));
    }
    let called: AppointmentRow | undefined;
    try {
      [called] = await tx
        .insert(appointments)
        .values({ id: newId(), driveId: drive.id, quotaId, resultId: pick.id, applicationId: pick.applicationId, basis, replacesAppointmentId: replaces?.id ?? null, calledOn: on })
        .returning();
    } catch (err) {
      // Two places of one quota filled at once reached for the same next-lower candidate: the loser retries.
      if (isUniqueViolation(err, 'appointments_result_unique')) throw conflict('appointment.concurrent_change', 'The next-lower candidate was just called in another place; try again');
      throw err;
    }
    record({
      action: 'appointment.next_lower_called',
      resourceType: 'appointment',
      resourceId: called!.id,
      agencyId: drive.organizingAgencyId,
      driveId: drive.id,
      after: { appointmentId: called!.id, applicationId: pick.applicationId, quotaId, basis, calledOn: on, replacesAppointmentId: replaces?.id ?? null },
    });
    return { called: called!, tiedApplicationIds: [] };
  }

  /** Strikes a person off (a recorded ground, or a deadline passed) and does what the text says follows. */
  async function strikeOff(
    tx: Tx,
    drive: ScopedDrive,
    row: AppointmentRow,
    input: { ground: StrikeOffGround; on: string; note: string | null; decision: DecisionRef | null; mode: 'automatic' | 'head_decision' },
    record: RecordAudit,
  ) {
    const [updated] = await tx
      .update(appointments)
      .set({
        status: 'struck_off',
        struckOffOn: input.on,
        strikeOffGround: input.ground,
        strikeOffMode: input.mode,
        strikeOffDecisionNumber: input.decision?.number ?? null,
        strikeOffDecisionDate: input.decision?.date ?? null,
        strikeOffNote: input.note,
        updatedAt: sql`now()`,
        version: sql`${appointments.version} + 1`,
      })
      .where(eq(appointments.id, row.id))
      .returning();
    if (row.basis !== 'new_need') {
      await tx
        .update(results)
        .set({ outcome: 'cancelled', cancelReason: CANCEL_REASON[input.ground], cancelNote: `${input.ground}${input.note ? `: ${input.note}` : ''}`, cancelledAt: clock(), updatedAt: sql`now()` })
        .where(eq(results.id, row.resultId));
    }
    record({
      action: 'appointment.struck_off',
      resourceType: 'appointment',
      resourceId: row.id,
      agencyId: drive.organizingAgencyId,
      driveId: drive.id,
      before: { status: row.status },
      after: {
        status: 'struck_off',
        ground: input.ground,
        on: input.on,
        mode: input.mode,
        article: strikeOffArticle(drive.ruleSetPreset as Preset, input.mode, input.ground),
        decision: input.decision,
        applicationId: row.applicationId,
        quotaId: row.quotaId,
      },
    });
    // Fraud in the form or invalid diplomas: not accepted by this authority for one next recruitment
    // (170 Art. 18(2) para. 2; 300 Art. 5(3); 115 Art. 17(2) para. 2).
    if (input.ground === 'fraud' || input.ground === 'invalid_diplomas') await barCandidate(tx, drive, row.applicationId, record);
    let next: { called: AppointmentRow | null; tiedApplicationIds: string[] } = { called: null, tiedApplicationIds: [] };
    if (row.basis !== 'new_need' && replacementRule(drive.ruleSetPreset as Preset, input.on) === 'next_lower_called') {
      next = await callNextLower(tx, drive, row.quotaId, input.on, 'replacement', updated!, undefined, record);
    }
    return { row: updated!, next };
  }

  async function barCandidate(tx: Tx, drive: ScopedDrive, applicationId: string, record: RecordAudit) {
    const [app] = await tx.select({ candidateId: applications.candidateId }).from(applications).where(eq(applications.id, applicationId));
    if (!app) return;
    const drivesRemaining = Math.max(1, drive.ruleSet.barredAfterFraudDrives);
    await tx.insert(candidateBars).values({ id: newId(), candidateId: app.candidateId, reason: 'fraud', sourceDriveId: drive.id, drivesRemaining });
    record({
      action: 'candidate.barred',
      resourceType: 'candidate',
      resourceId: app.candidateId,
      agencyId: drive.organizingAgencyId,
      driveId: drive.id,
      after: { reason: 'fraud', sourceDriveId: drive.id, drivesRemaining },
    });
  }

  function checkDate(on: string, what: string) {
    const t = today();
    if (on > t) throw unprocessable('appointment.date_in_future', `${what} is recorded once it has happened; ${on} is after today (${t})`, { date: on, today: t });
    const year = Number(on.slice(0, 4));
    if (year < CALENDAR_MIN_YEAR || year > CALENDAR_MAX_YEAR) {
      throw unprocessable('calendar.out_of_range', `The working-day calendar covers ${CALENDAR_MIN_YEAR}–${CALENDAR_MAX_YEAR}`, { date: on });
    }
  }

  /** Taking up the post fills one place of the quota's agency headcount (the quota's year and staff category). */
  async function fillHeadcount(tx: Tx, quotaId: string) {
    const [q] = await tx.select({ agencyId: quotas.agencyId, year: quotas.year, staffCategory: quotas.staffCategory }).from(quotas).where(eq(quotas.id, quotaId));
    if (!q) throw notFound('quota', quotaId);
    try {
      const res = await tx.execute(
        sql`update headcounts set filled = filled + 1, version = version + 1, updated_at = now()
             where agency_id = ${q.agencyId} and year = ${q.year} and staff_category = ${q.staffCategory} returning filled`,
      );
      const rows = (res as unknown as { rows: { filled: number }[] }).rows;
      if (rows.length === 0) {
        throw unprocessable('appointment.no_headcount', `The agency has no ${q.staffCategory} headcount for ${q.year} to fill`, {
          agencyId: q.agencyId,
          year: q.year,
        });
      }
      return { agencyId: q.agencyId, year: q.year, staffCategory: q.staffCategory, filled: Number(rows[0]!.filled) };
    } catch (err) {
      if ((err as { cause?: { constraint?: string } }).cause?.constraint === 'headcounts_filled_within_assigned') {
        throw conflict('appointment.headcount_full', `The agency's ${q.year} headcount is already filled`, { agencyId: q.agencyId, year: q.year });
      }
      throw err;
    }
  }

  /** Raises the due-soon/overdue alerts of one drive's paths and strikes off automatically where the text does. */
  async function sweepDrive(driveId: string): Promise<number> {
    const drive = await drives.findById(driveId);
    if (!drive) return 0;
    await ensure(drive);
    const rows = await db.select().from(appointments).where(and(eq(appointments.driveId, driveId), eq(appointments.status, 'in_progress')));
    if (rows.length === 0) return 0;
    const publishedOn = await publishedOnOf(drive);
    const on = today();
    let n = 0;
    for (const row of rows) {
      const steps = await stepsOf(drive, row, publishedOn, on);
      const due = steps.filter((s) => (s.status === 'due_soon' || s.status === 'overdue') && s.dueOn !== null);
      const ground = lapsedGround(steps);
      const automatic = ground !== null && strikeOffMode(drive.ruleSetPreset as Preset, on) === 'automatic';
      if (due.length === 0 && !automatic) continue;
      n += await audited(db, systemActor('appointment sweep'), async (tx, record) => {
        const [current] = await tx.select().from(appointments).where(eq(appointments.id, row.id)).for('update');
        if (!current || current.status !== 'in_progress' || current.version !== row.version) return 0;
        let raised = 0;
        for (const s of due) {
          const kind = s.status === 'overdue' ? 'overdue' : 'due_soon';
          const inserted = await tx.insert(appointmentAlerts).values({ appointmentId: row.id, step: s.step, kind, dueOn: s.dueOn! }).onConflictDoNothing().returning();
          if (inserted.length === 0) continue;
          raised++;
          record({
            action: kind === 'overdue' ? 'appointment.step_overdue' : 'appointment.step_due_soon',
            resourceType: 'appointment_step',
            resourceId: `${row.id}:${s.step}`,
            agencyId: drive.organizingAgencyId,
            driveId: drive.id,
            after: { appointmentId: row.id, applicationId: row.applicationId, quotaId: row.quotaId, today: on, step: s.step, article: s.article, dueOn: s.dueOn, status: s.status },
          });
        }
        // 300 Art. 5(3), 6(3): the passing of the deadline strikes off by itself.
        if (automatic) {
          await strikeOff(tx, drive, current, { ground: ground!, on, note: 'deadline passed', decision: null, mode: 'automatic' }, record);
          raised++;
        }
        return raised;
      });
    }
    return n;
  }

  /**
   * POST /v1/results/{id}/cancel on a 170/300 drive: the cancellation is a striking off of the
   * winner's path, and what follows is the text's (300 Art. 5(4): no one until the head decides;
   * 170 Art. 19(4) as issued: the next-lower is called and walks the path), not an immediate
   * promotion of the next reserve.
   */
  async function cancelWinner(
    tx: Tx,
    drive: ScopedDrive,
    result: { id: string; quotaId: string; applicationId: string },
    input: { reason: 'dossier_incomplete' | 'fraud' | 'no_show'; note?: string | null | undefined },
    record: RecordAudit,
  ) {
    await tx
      .insert(appointments)
      .values({ id: newId(), driveId: drive.id, quotaId: result.quotaId, resultId: result.id, applicationId: result.applicationId, basis: 'winner' })
      .onConflictDoNothing();
    const [row] = await tx.select().from(appointments).where(eq(appointments.resultId, result.id)).for('update');
    if (row!.status !== 'in_progress') throw conflict('appointment.closed', `The winner's path is ${row!.status}`, { status: row!.status });
    const ground: StrikeOffGround = input.reason === 'dossier_incomplete' ? 'no_dossier' : input.reason === 'no_show' ? 'no_take_up' : 'fraud';
    const on = today();
    const mode = strikeOffMode(drive.ruleSetPreset as Preset, on);
    const { next } = await strikeOff(tx, drive, row!, { ground, on, note: input.note ?? 'recorded through POST /v1/results/{id}/cancel', decision: null, mode }, record);
    await tx.execute(sql`
      update quota_results qr set winners = w.n, status = case when w.n >= qr.slots then 'complete' else 'unfilled' end, updated_at = now()
        from (select count(*)::int as n from results where quota_id = ${result.quotaId} and outcome = 'winner') w
       where qr.quota_id = ${result.quotaId}`);
    const status = next.called ? 'promoted' : next.tiedApplicationIds.length > 0 ? 'tie_pending_decision' : mode === 'automatic' ? 'awaiting_head_decision' : 'no_reserve';
    const explanation =
      status === 'awaiting_head_decision'
        ? `Struck off (${ground}) on ${on}: the head decides whether to recruit the next-lower candidate, whose ordered list is then due within 5 working days (170/2025 Art. 18(4) as amended by 300/2026 Art. 5)`
        : status === 'promoted'
          ? `Struck off (${ground}) on ${on}: the next-lower candidate is called and completes their own dossier (170/2025 Art. 19(4))`
          : status === 'tie_pending_decision'
            ? `Struck off (${ground}) on ${on}: next-lower candidates are tied; the head chooses (POST /v1/appointments/{id}/replacement; 170/2025 Art. 19(4))`
            : `Struck off (${ground}) on ${on}: no next-lower candidate is left`;
    return {
      status: status as 'promoted' | 'tie_pending_decision' | 'awaiting_head_decision' | 'no_reserve',
      explanation,
      promotedResultIds: next.called ? [next.called.resultId] : [],
      tiedApplicationIds: next.tiedApplicationIds,
      barred: ground === 'fraud' ? { drivesRemaining: Math.max(1, drive.ruleSet.barredAfterFraudDrives) } : null,
    };
  }

  return {
    cancelWinner,

    /** Steps of the drive's paths overdue today (for the drive report). */
    async overdueCount(drive: ScopedDrive): Promise<number> {
      if (!AFTER_RESULTS.includes(drive.status) || !hasTimeline(drive.ruleSetPreset as Preset)) return 0;
      await ensure(drive);
      const rows = await db.select().from(appointments).where(and(eq(appointments.driveId, drive.id), eq(appointments.status, 'in_progress')));
      if (rows.length === 0) return 0;
      const publishedOn = await publishedOnOf(drive);
      let n = 0;
      for (const r of rows) n += (await stepsOf(drive, r, publishedOn)).filter((s) => s.status === 'overdue').length;
      return n;
    },
    async list(caller: Caller, driveId: string) {
      const drive = await visibleDrive(caller, driveId);
      await ensure(drive);
      const rows = await db.select().from(appointments).where(eq(appointments.driveId, drive.id)).orderBy(asc(appointments.quotaId), asc(appointments.createdAt), asc(appointments.id));
      const publishedOn = await publishedOnOf(drive);
      const items: AppointmentView[] = [];
      for (const r of rows) items.push(await view(drive, r, publishedOn));
      return { driveId: drive.id, preset: drive.ruleSetPreset, today: today(), items, overdue: items.reduce((a, i) => a + i.overdue, 0) };
    },

    async get(caller: Caller, id: string) {
      const { row, drive } = await findVisible(caller, id);
      return view(drive, row, await publishedOnOf(drive));
    },

    /** Records one step of the path as the papers give it. */
    async recordStep(caller: Caller, id: string, input: StepInput) {
      await findVisible(caller, id);
      return audited(db, caller.actor, async (tx, record) => {
        const { row, drive } = await findVisible(caller, id, tx, true);
        if (row.status !== 'in_progress') throw conflict('appointment.closed', `The path is ${row.status}`, { status: row.status });
        const set: Partial<typeof appointments.$inferInsert> = {};
        let headcount: Awaited<ReturnType<typeof fillHeadcount>> | null = null;
        switch (input.step) {
          case 'notice_received':
            checkDate(input.on, 'A notice received');
            set.noticeReceivedOn = input.on;
            break;
          case 'dossier_received':
            checkDate(input.on, 'A dossier');
            set.dossierReceivedOn = input.on;
            set.dossierItems = input.items;
            break;
          case 'record_requested':
            checkDate(input.on, 'A request for the criminal-record extract');
            set.recordRequestedOn = input.on;
            break;
          case 'record_received':
            checkDate(input.on, 'The criminal-record extract');
            set.recordReceivedOn = input.on;
            set.recordBar = input.bar;
            break;
          case 'decision':
            checkDate(input.date, 'A recruitment decision');
            if (!row.dossierReceivedOn) throw conflict('appointment.dossier_missing', 'A recruitment decision follows the completed dossier (170 Art. 19(1); 115 Art. 18(1))');
            set.decisionNumber = input.number;
            set.decisionDate = input.date;
            break;
          case 'decision_received':
            checkDate(input.on, 'A decision received');
            if (!row.decisionDate) throw conflict('appointment.decision_missing', 'No recruitment decision is recorded yet');
            set.decisionReceivedOn = input.on;
            break;
          case 'took_up_post':
            checkDate(input.on, 'Taking up the post');
            if (!row.decisionDate) throw conflict('appointment.decision_missing', 'The post is taken up under a recruitment decision; none is recorded yet');
            if (row.recordBar) throw conflict('appointment.record_bar', 'The criminal-record extract shows a bar: the decision is to be cancelled, not taken up');
            set.tookUpOn = input.on;
            set.status = 'took_up';
            headcount = await fillHeadcount(tx, row.quotaId);
            break;
        }
        const [updated] = await tx
          .update(appointments)
          .set({ ...set, updatedAt: sql`now()`, version: sql`${appointments.version} + 1` })
          .where(eq(appointments.id, row.id))
          .returning();
        record({
          action: input.step === 'took_up_post' ? 'appointment.took_up_post' : 'appointment.step_recorded',
          resourceType: 'appointment',
          resourceId: row.id,
          agencyId: drive.organizingAgencyId,
          driveId: drive.id,
          after: { ...input, applicationId: row.applicationId, ...(headcount ? { headcount } : {}) },
        });
        // A bar shown by the extract: struck off by itself under 300 (Art. 5(3) with 19(3) as amended); otherwise the head decides.
        let final = updated!;
        if (input.step === 'record_received' && input.bar && strikeOffMode(drive.ruleSetPreset as Preset, input.on) === 'automatic') {
          final = (await strikeOff(tx, drive, updated!, { ground: 'criminal_record_bar', on: today(), note: null, decision: null, mode: 'automatic' }, record)).row;
        }
        return view(drive, final, await publishedOnOf(drive, tx), tx);
      });
    },

    /** Strikes off on a recorded ground: automatic under 300 (Art. 5(3)); the head's decision under 170 as issued and 115. */
    async strikeOff(caller: Caller, id: string, input: StrikeOffInput) {
      await findVisible(caller, id);
      return audited(db, caller.actor, async (tx, record) => {
        const { row, drive } = await findVisible(caller, id, tx, true);
        if (row.status !== 'in_progress') throw conflict('appointment.closed', `The path is ${row.status}`, { status: row.status });
        const on = today();
        const mode = strikeOffMode(drive.ruleSetPreset as Preset, on);
        let decision: DecisionRef | null = null;
        if (mode === 'head_decision') {
          decision = (await headDecision(tx, caller, drive.id, input.decision, { what: 'Cancellations of results and decisions', always: true })).decision;
        } else if (caller.role !== 'organizer' && caller.role !== 'council' && caller.role !== 'admin' && caller.role !== 'approver') {
          throw new AppError(403, 'auth.forbidden', 'This key may not record a ground of striking off');
        }
        const { row: updated, next } = await strikeOff(tx, drive, row, { ground: input.ground, on, note: input.note ?? null, decision, mode }, record);
        const publishedOn = await publishedOnOf(drive, tx);
        return {
          appointment: await view(drive, updated, publishedOn, tx),
          called: next.called ? await view(drive, next.called, publishedOn, tx) : null,
          tiedApplicationIds: next.tiedApplicationIds,
        };
      });
    },

    /**
     * After a striking off: under 300 the head decides whether to recruit the next-lower candidates
     * (Art. 5(4)); under 170 as issued and 115 the head chooses among tied next-lower candidates.
     */
    async decideReplacement(caller: Caller, id: string, input: ReplacementInput) {
      await findVisible(caller, id);
      return audited(db, caller.actor, async (tx, record) => {
        const { row, drive } = await findVisible(caller, id, tx, true);
        if (row.status !== 'struck_off' || !row.struckOffOn) throw conflict('appointment.not_struck_off', 'Only after a striking off is a replacement decided', { status: row.status });
        const head = await headDecision(tx, caller, drive.id, input.decision, { what: 'Decisions on next-lower candidates', always: true });
        const rule = replacementRule(drive.ruleSetPreset as Preset, row.struckOffOn);
        const [called] = await tx.select().from(appointments).where(eq(appointments.replacesAppointmentId, row.id));
        if (called) throw conflict('appointment.replacement_decided', 'A next-lower candidate has already been called in this place', { calledAppointmentId: called.id });
        if (rule === 'next_lower_called' && !input.recruit) {
          throw unprocessable('appointment.replacement_required', 'Under this decree the next-lower candidate is called (170 Art. 19(4); 115 Art. 18(4)): the head only chooses among tied ones');
        }
        const on = today();
        const listDueOn = rule === 'head_chooses' ? nextLowerListDue(row.struckOffOn, await dataFor([row.struckOffOn], tx)) : null;
        let next: { called: AppointmentRow | null; tiedApplicationIds: string[] } = { called: null, tiedApplicationIds: [] };
        if (input.recruit) {
          next = await callNextLower(tx, drive, row.quotaId, on, 'replacement', row, input.applicationId, record);
          if (!next.called && next.tiedApplicationIds.length > 0) {
            throw conflict('appointment.next_lower_tied', 'Next-lower candidates are tied: the head chooses one (applicationId)', { tiedApplicationIds: next.tiedApplicationIds });
          }
          if (!next.called) throw conflict('appointment.no_next_lower', 'No next-lower candidate is left in this quota');
        }
        if (rule === 'head_chooses') {
          try {
            await tx.insert(appointmentReplacementDecisions).values({
              id: newId(),
              driveId: drive.id,
              appointmentId: row.id,
              recruit: input.recruit,
              decisionNumber: head.decision?.number ?? input.decision?.number ?? '',
              decisionDate: head.decision?.date ?? input.decision?.date ?? on,
              listDueOn,
              listPublishedOn: input.recruit ? on : null,
              calledAppointmentId: next.called?.id ?? null,
            });
          } catch (err) {
            if ((err as { cause?: { constraint?: string } }).cause?.constraint === 'appointment_replacement_decisions_one') {
              throw conflict('appointment.replacement_decided', 'The head has already decided on this place');
            }
            throw err;
          }
        }
        record({
          action: 'appointment.replacement_decided',
          resourceType: 'appointment',
          resourceId: row.id,
          agencyId: drive.organizingAgencyId,
          driveId: drive.id,
          after: { recruit: input.recruit, rule, listDueOn, listPublishedOn: input.recruit ? on : null, calledAppointmentId: next.called?.id ?? null, head },
        });
        const publishedOn = await publishedOnOf(drive, tx);
        const [fresh] = await tx.select().from(appointments).where(eq(appointments.id, row.id));
        return { appointment: await view(drive, fresh!, publishedOn, tx), called: next.called ? await view(drive, next.called, publishedOn, tx) : null };
      });
    },

    /** 115 Art. 18(4): a new need right after the drive is filled from the next-lower list, within 12 months of the plan's approval. */
    async fillNewNeed(caller: Caller, driveId: string, input: NewNeedInput) {
      await visibleDrive(caller, driveId);
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await drives.lock(tx, driveId, 'share');
        if (!drive || !inScope(caller, drive.agencyPath)) throw notFound('drive', driveId);
        if (drive.ruleSetPreset !== 'nd115') {
          throw unprocessable('appointment.new_need_not_applicable', 'Only Decree 115/2020 Art. 18(4) (public employees) fills a new need from the next-lower list', {
            preset: drive.ruleSetPreset,
          });
        }
        if (!AFTER_RESULTS.includes(drive.status)) throw conflict('appointment.results_not_published', 'The results are not published', { status: drive.status });
        if (!drive.planApprovedOn) throw unprocessable('appointment.plan_date_missing', 'The drive records no plan approval date: the 12 months of 115 Art. 18(4) count from it');
        const on = today();
        const endsOn = newNeedWindowEnds(drive.planApprovedOn, await dataFor([drive.planApprovedOn, on], tx));
        if (on > endsOn) {
          throw unprocessable('appointment.new_need_window_closed', `A new need is filled from the next-lower list only within 12 months of the plan's approval (${drive.planApprovedOn}): until ${endsOn} (115/2020 Art. 18(4))`, {
            planApprovedOn: drive.planApprovedOn,
            windowEndsOn: endsOn,
            today: on,
          });
        }
        const [q] = await tx.select({ id: quotas.id }).from(quotas).where(and(eq(quotas.id, input.quotaId), eq(quotas.driveId, drive.id)));
        if (!q) throw notFound('quota', input.quotaId);
        const head = await headDecision(tx, caller, drive.id, input.decision, { what: 'Decisions on a new need', always: true });
        const next = await callNextLower(tx, drive, input.quotaId, on, 'new_need', null, input.applicationId, record);
        if (!next.called && next.tiedApplicationIds.length > 0) {
          throw conflict('appointment.next_lower_tied', 'Next-lower candidates are tied: the head chooses one (applicationId)', { tiedApplicationIds: next.tiedApplicationIds });
        }
        if (!next.called) throw conflict('appointment.no_next_lower', 'No next-lower candidate is left in this quota');
        record({
          action: 'appointment.new_need_filled',
          resourceType: 'appointment',
          resourceId: next.called.id,
          agencyId: drive.organizingAgencyId,
          driveId: drive.id,
          after: { quotaId: input.quotaId, windowEndsOn: endsOn, head },
        });
        return { windowEndsOn: endsOn, appointment: await view(drive, next.called, await publishedOnOf(drive, tx), tx) };
      });
    },

    /** The drive's cancellation list, public (300 Art. 5(3): published with reasons). Masked names. */
    async publicCancellations(driveId: string) {
      const drive = await drives.findById(driveId);
      if (!drive || !AFTER_RESULTS.includes(drive.status)) throw new AppError(404, 'results.not_published', `No published results for drive ${driveId}`);
      const rows = await db
        .select({
          quotaId: appointments.quotaId,
          candidateNumber: applications.candidateNumber,
          fullName: submittedFullName,
          ground: appointments.strikeOffGround,
          on: appointments.struckOffOn,
          mode: appointments.strikeOffMode,
        })
        .from(appointments)
        .innerJoin(applications, eq(applications.id, appointments.applicationId))
        .innerJoin(candidates, eq(candidates.id, applications.candidateId))
        .leftJoin(candidateProfiles, eq(candidateProfiles.id, applications.profileId))
        .where(and(eq(appointments.driveId, drive.id), eq(appointments.status, 'struck_off')))
        .orderBy(asc(appointments.struckOffOn), asc(appointments.id));
      return {
        drive: { id: drive.id, code: drive.code, name: drive.name },
        items: rows.map((r) => ({
          quotaId: r.quotaId,
          candidateNumber: r.candidateNumber,
          fullName: maskName(r.fullName),
          ground: r.ground!,
          struckOffOn: r.on!,
          article: strikeOffArticle(drive.ruleSetPreset as Preset, r.mode!, r.ground!),
        })),
      };
    },

    /** Every drive with results published: alerts once, automatic striking off where the text makes it so. */
    async sweep(): Promise<{ raised: number; failed: { driveId: string; error: unknown }[] }> {
      const ids = (
        (await db.execute(
          sql`select id from drives where status in ('published', 'finished') and rule_set_preset in ('nd170', 'nd170-300', 'nd115') order by id`,
        )) as unknown as { rows: { id: string }[] }
      ).rows;
      let raised = 0;
      const failed: { driveId: string; error: unknown }[] = [];
      for (const { id } of ids) {
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
export type AppointmentsService = ReturnType<typeof createAppointmentsService>;
