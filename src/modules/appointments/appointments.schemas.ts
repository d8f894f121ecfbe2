import { z } from 'zod';
import { APPOINTMENT_STEPS, STRIKE_OFF_GROUNDS } from '../../domain/appointment.js';
import { PERIOD_UNITS } from '../../domain/calendar.js';
import { isoDate, text, timestamp, uuid } from '../../http/primitives.js';
import { decisionRef } from '../boards/boards.schemas.js';
import { APPOINTMENT_BASES, APPOINTMENT_STATUSES, STRIKE_OFF_MODES } from './appointments.table.js';

const groundEnum = z
  .enum(STRIKE_OFF_GROUNDS)
  .describe('no_dossier | fraud (in the registration form) | invalid_diplomas | criminal_record_bar | no_take_up (170 Art. 18(2), 19(3); 300 Art. 5(3); 115 Art. 17(2), 18(3))');

export const stepBody = z
  .discriminatedUnion('step', [
    z.strictObject({ step: z.literal('notice_received'), on: isoDate.describe('The day the person received the notice of results (115 Art. 17(1) counts from it)') }),
    z.strictObject({
      step: z.literal('dossier_received'),
      on: isoDate.describe('The day the complete dossier was received'),
      items: z.array(text(200)).max(50).describe('What the dossier holds (copies of diplomas, priority certificates, the criminal-record extract under 115)'),
    }),
    z.strictObject({ step: z.literal('record_requested'), on: isoDate.describe('The day the agency requested the criminal-record extract (170 Art. 19(1); 300 Art. 5(2))') }),
    z.strictObject({
      step: z.literal('record_received'),
      on: isoDate.describe('The day the extract was received'),
      bar: z.boolean().describe('The extract shows a ground barring recruitment: struck off automatically under 300; otherwise the head decides'),
    }),
    z.strictObject({ step: z.literal('decision'), number: text(100).describe('Recruitment decision number'), date: isoDate.describe('Its date') }),
    z.strictObject({ step: z.literal('decision_received'), on: isoDate.describe('The day the person received the decision (300 Art. 6(2), 115 Art. 18(2) count from it)') }),
    z.strictObject({ step: z.literal('took_up_post'), on: isoDate.describe('The day the person took up the post: fills one place of the agency headcount') }),
  ])
  .meta({ id: 'AppointmentStepInput' });
export type StepInput = z.infer<typeof stepBody>;

export const strikeOffBody = z
  .strictObject({
    ground: groundEnum,
    note: text(1000).optional(),
    decision: decisionRef.optional().describe('The head’s decision (number, date): required under 170 as issued and 115; not needed under 300 (automatic)'),
  })
  .meta({ id: 'StrikeOffInput' });
export type StrikeOffInput = z.infer<typeof strikeOffBody>;

export const replacementBody = z
  .strictObject({
    recruit: z.boolean().describe('300 Art. 5(4): whether to recruit the next-lower candidate; under 170 as issued and 115 always true'),
    applicationId: uuid.optional().describe('The head’s choice among tied next-lower candidates'),
    decision: decisionRef.optional().describe('The head’s decision (number, date); required from a role key'),
  })
  .meta({ id: 'ReplacementDecisionInput' });
export type ReplacementInput = z.infer<typeof replacementBody>;

export const newNeedBody = z
  .strictObject({
    quotaId: uuid.describe('The quota whose next-lower list fills the need'),
    applicationId: uuid.optional().describe('The head’s choice among tied next-lower candidates'),
    decision: decisionRef.optional().describe('The head’s decision (number, date); required from a role key'),
  })
  .meta({ id: 'NewNeedInput' });
export type NewNeedInput = z.infer<typeof newNeedBody>;

const stepSchema = z.object({
  step: z.enum(APPOINTMENT_STEPS),
  title: z.string(),
  article: z.string(),
  basis: z.object({ what: z.string(), date: isoDate.nullable() }),
  period: z.object({ days: z.number().int(), unit: z.enum(PERIOD_UNITS) }).nullable(),
  dueOn: isoDate.nullable(),
  adjustments: z.array(z.string()),
  status: z.enum(['pending', 'upcoming', 'due_soon', 'overdue', 'met']),
  metOn: isoDate.nullable(),
  late: z.boolean(),
});

export const appointmentSchema = z
  .object({
    id: uuid,
    driveId: uuid,
    quotaId: uuid,
    resultId: uuid,
    applicationId: uuid,
    preset: z.string(),
    basis: z.enum(APPOINTMENT_BASES).describe('winner | replacement (next-lower called in a struck-off place) | new_need (115 Art. 18(4))'),
    replacesAppointmentId: uuid.nullable(),
    status: z.enum(APPOINTMENT_STATUSES),
    startsFrom: z.object({ publishedOn: isoDate.nullable(), noticeReceivedOn: isoDate.nullable(), decisionReceivedOn: isoDate.nullable() }),
    dossier: z.object({ receivedOn: isoDate.nullable(), items: z.array(z.string()) }),
    criminalRecord: z.object({ requestedOn: isoDate.nullable(), receivedOn: isoDate.nullable(), bar: z.boolean().nullable() }),
    decision: z.object({ number: z.string(), date: isoDate, receivedOn: isoDate.nullable() }).nullable(),
    tookUpOn: isoDate.nullable(),
    steps: z.array(stepSchema),
    overdue: z.number().int(),
    strikeOff: z
      .object({
        on: isoDate,
        ground: z.enum(STRIKE_OFF_GROUNDS),
        mode: z.enum(STRIKE_OFF_MODES),
        article: z.string(),
        decision: z.object({ number: z.string(), date: isoDate }).nullable(),
        note: z.string().nullable(),
      })
      .nullable(),
    replacement: z
      .object({
        rule: z.enum(['head_chooses', 'next_lower_called']),
        article: z.string(),
        listDueOn: isoDate.nullable().describe('300 Art. 5(4): the next-lower list is due 5 working days after the cancellation list'),
        listOverdue: z.boolean().describe('The list is due (listDueOn) and past, and the head has not decided'),
        decision: z
          .object({
            recruit: z.boolean(),
            decisionNumber: z.string(),
            decisionDate: isoDate,
            listDueOn: isoDate.nullable(),
            listPublishedOn: isoDate.nullable(),
            listLate: z.boolean().describe('The list was published after its due date (300 Art. 5(4): 5 working days)'),
            calledAppointmentId: uuid.nullable(),
          })
          .nullable(),
        calledAppointmentId: uuid.nullable(),
      })
      .nullable(),
    version: z.number().int(),
    updatedAt: timestamp,
  })
  .meta({ id: 'Appointment' });

export const appointmentListSchema = z
  .object({ driveId: uuid, preset: z.string(), today: isoDate, items: z.array(appointmentSchema), overdue: z.number().int() })
  .meta({ id: 'AppointmentList' });

export const strikeOffResultSchema = z
  .object({ appointment: appointmentSchema, called: appointmentSchema.nullable(), tiedApplicationIds: z.array(uuid) })
  .meta({ id: 'StrikeOffResult' });

export const replacementResultSchema = z.object({ appointment: appointmentSchema, called: appointmentSchema.nullable() }).meta({ id: 'ReplacementResult' });

export const newNeedResultSchema = z.object({ windowEndsOn: isoDate, appointment: appointmentSchema }).meta({ id: 'NewNeedResult' });

export const publicCancellationsSchema = z
  .object({
    drive: z.object({ id: uuid, code: z.string(), name: z.string() }),
    items: z.array(
      z.object({
        quotaId: uuid,
        candidateNumber: z.string().nullable(),
        fullName: z.string(),
        ground: z.enum(STRIKE_OFF_GROUNDS),
        struckOffOn: isoDate,
        article: z.string(),
      }),
    ),
  })
  .meta({ id: 'PublicCancellations' });
