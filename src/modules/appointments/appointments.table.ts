import { sql } from 'drizzle-orm';
import { boolean, check, date, index, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, updatedAt, version } from '../../db/columns.js';
import { APPOINTMENT_STEPS, STRIKE_OFF_GROUNDS } from '../../domain/appointment.js';
import { drives } from '../drives/drives.table.js';

export const APPOINTMENT_BASES = ['winner', 'replacement', 'new_need'] as const;
export const APPOINTMENT_STATUSES = ['in_progress', 'took_up', 'struck_off'] as const;
export const STRIKE_OFF_MODES = ['automatic', 'head_decision'] as const;

/**
 * One person's path from the results to taking up the post (src/domain/appointment.ts): a winner,
 * a next-lower candidate called in place of one struck off, or one taken for a new need (115 Art.
 * 18(4)). The dates are the papers' dates; the due dates are derived, never stored.
 */
export const appointments = pgTable(
  'appointments',
  {
    id: idColumn(),
    driveId: uuid()
      .notNull()
      .references(() => drives.id),
    quotaId: uuid().notNull(),
    /** The result row of the person (a winner's, or the next-lower reserve's). */
    resultId: uuid().notNull(),
    applicationId: uuid().notNull(),
    basis: text({ enum: APPOINTMENT_BASES }).notNull(),
    replacesAppointmentId: uuid(),
    /** Next-lower candidates: the day their list was published / they were notified (their periods start from it). */
    calledOn: date({ mode: 'string' }),
    noticeReceivedOn: date({ mode: 'string' }),
    dossierReceivedOn: date({ mode: 'string' }),
    dossierItems: jsonb().$type<string[]>().notNull().default([]),
    recordRequestedOn: date({ mode: 'string' }),
    recordReceivedOn: date({ mode: 'string' }),
    /** The extract shows a ground barring recruitment (170 Art. 19(3); Law on Cadres and Civil Servants Art. 19). */
    recordBar: boolean(),
    decisionNumber: text(),
    decisionDate: date({ mode: 'string' }),
    decisionReceivedOn: date({ mode: 'string' }),
    tookUpOn: date({ mode: 'string' }),
    status: text({ enum: APPOINTMENT_STATUSES }).notNull().default('in_progress'),
    struckOffOn: date({ mode: 'string' }),
    strikeOffGround: text({ enum: STRIKE_OFF_GROUNDS }),
    strikeOffMode: text({ enum: STRIKE_OFF_MODES }),
    strikeOffDecisionNumber: text(),
    strikeOffDecisionDate: date({ mode: 'string' }),
    strikeOffNote: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    version: version(),
  },
  (t) => [
    unique('appointments_result_unique').on(t.resultId),
    index('appointments_drive_idx').on(t.driveId, t.quotaId),
    check('appointments_basis_valid', sql`${t.basis} in ('winner', 'replacement', 'new_need')`),
    check('appointments_status_valid', sql`${t.status} in ('in_progress', 'took_up', 'struck_off')`),
    check('appointments_struck_off_has_ground', sql`${t.status} <> 'struck_off' or (${t.struckOffOn} is not null and ${t.strikeOffGround} is not null)`),
    check('appointments_took_up_has_date', sql`${t.status} <> 'took_up' or ${t.tookUpOn} is not null`),
  ],
);
export type AppointmentRow = typeof appointments.$inferSelect;

/** The head's decision whether to recruit next-lower candidates after a striking off (300 Art. 5(4)); one per struck-off person. */
export const appointmentReplacementDecisions = pgTable(
  'appointment_replacement_decisions',
  {
    id: idColumn(),
    driveId: uuid().notNull(),
    appointmentId: uuid().notNull(),
    recruit: boolean().notNull(),
    decisionNumber: text().notNull(),
    decisionDate: date({ mode: 'string' }).notNull(),
    listDueOn: date({ mode: 'string' }),
    listPublishedOn: date({ mode: 'string' }),
    calledAppointmentId: uuid(),
    createdAt: createdAt(),
  },
  (t) => [unique('appointment_replacement_decisions_one').on(t.appointmentId)],
);
export type ReplacementDecisionRow = typeof appointmentReplacementDecisions.$inferSelect;

/** A due-soon or overdue alert raised for one due date of one step of one person: raised once, across instances. */
export const appointmentAlerts = pgTable(
  'appointment_alerts',
  {
    appointmentId: uuid()
      .notNull()
      .references(() => appointments.id),
    step: text({ enum: APPOINTMENT_STEPS }).notNull(),
    kind: text({ enum: ['due_soon', 'overdue'] }).notNull(),
    dueOn: date({ mode: 'string' }).notNull(),
    raisedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'appointment_alerts_pk', columns: [t.appointmentId, t.step, t.kind, t.dueOn] }),
    check('appointment_alerts_kind_valid', sql`${t.kind} in ('due_soon', 'overdue')`),
  ],
);
