import { z } from 'zod';
import { PERIOD_UNITS } from '../../domain/calendar.js';
import { EXTENDABLE_STEPS, STEP_STATUSES, TIMELINE_EVENTS, TIMELINE_STEPS } from '../../domain/timeline.js';
import { PRESETS } from '../../domain/rule-sets.js';
import { count, isoDate, text, timestamp, uuid } from '../../http/primitives.js';

const eventEnum = z.enum(TIMELINE_EVENTS).describe(
  'registration_closed, council_formed, form_check_board_formed (115), summons_sent (115: round-1 summons), eligible_list_published (170: ' +
    'list and summons), round1_held, round1_marked, round2_summons_sent (115), round2_held, computer_test_held, interview_held, ' +
    'written_results_published, remarking_completed, marking_completed (re-marking included), results_submitted (council’s report), ' +
    'results_approved (head’s approval / recognition), results_published, notice_received (115), dossiers_completed, ' +
    'recruitment_decided, decision_received, took_up_post',
);
const stepEnum = z.enum(TIMELINE_STEPS);

export const timelineEventParams = z.object({ id: uuid, event: eventEnum });

export const putTimelineEventBody = z
  .strictObject({
    date: isoDate.describe('The day the event happened (Vietnam local date), not later than today'),
    reference: text(200).nullable().optional().describe('The document that evidences it: a notice or decision number'),
    note: text(2000).nullable().optional(),
  })
  .meta({ id: 'PutTimelineEvent' });
export type PutTimelineEventInput = z.infer<typeof putTimelineEventBody>;

export const timelineEventSchema = z
  .object({
    event: eventEnum,
    date: isoDate,
    reference: z.string().nullable(),
    note: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    version: z.number().int(),
  })
  .meta({ id: 'TimelineEventRecord' });

export const createExtensionBody = z
  .strictObject({
    step: z
      .enum(EXTENDABLE_STEPS)
      .describe(
        'round1: 45 days instead of 30 (170 Art. 16(3)(a); only with 500 or more registrants); written_results: up to 30 days instead ' +
          'of 15 (170 Art. 16(4)(b); only with 1,000 or more round-2 candidates); remarking: up to 20 days instead of 10 (170 Art. 16(4)(b))',
      ),
    decisionNumber: text(100).describe('Number of the chair’s decision'),
    decisionDate: isoDate.describe('Date of the chair’s decision'),
    note: text(2000).nullable().optional(),
  })
  .meta({ id: 'CreateTimelineExtension' });
export type CreateExtensionInput = z.infer<typeof createExtensionBody>;

export const timelineExtensionSchema = z
  .object({
    id: uuid,
    driveId: uuid,
    step: z.enum(EXTENDABLE_STEPS),
    decisionNumber: z.string(),
    decisionDate: isoDate,
    note: z.string().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'TimelineExtension' });

const periodSchema = z.object({ days: count, unit: z.enum(PERIOD_UNITS) }).meta({ id: 'TimelinePeriod' });

export const timelineStepSchema = z
  .object({
    step: stepEnum.describe('The statutory step'),
    title: z.string(),
    article: z.string().describe('The article the period comes from'),
    basis: z
      .object({
        event: eventEnum.nullable().describe('The event the period starts from'),
        step: stepEnum.nullable().describe('Or the step whose due date starts it (re-marking after the appeal window; the decision after the dossier period)'),
        date: isoDate.nullable().describe('When it happened (or that step’s due date); null: not yet'),
      })
      .meta({ id: 'TimelineBasis' }),
    period: periodSchema,
    adjustments: z.array(z.string()).describe('Why the period differs from the ordinary one: 500+ registrants, the chair’s decision, the 300/2026 transition'),
    extension: z
      .object({ step: z.enum(EXTENDABLE_STEPS), decisionNumber: z.string(), decisionDate: isoDate })
      .nullable()
      .describe('The chair’s decision lengthening the period, if any'),
    dueOn: isoDate.nullable().describe('The last day of the period (null while pending)'),
    nominalDueOn: isoDate.nullable().describe('Calendar days: the last day before Civil Code Art. 148(5) moved it to a working day'),
    provisional: z.boolean().describe('The count crosses a holiday the government has not fixed yet (Labour Code default used)'),
    status: z
      .enum(STEP_STATUSES)
      .describe(
        'pending: the starting event has not happened (no date); upcoming; due_soon: within the configured working days (TIMELINE_DUE_SOON_WORKING_DAYS); ' +
          'overdue: past the due date and not met; met: the meeting event happened (metOn)',
      ),
    metBy: eventEnum.describe('The event that meets the step'),
    metOn: isoDate.nullable(),
    late: z.boolean().describe('Met after the due date'),
    note: z.string().nullable(),
  })
  .meta({ id: 'TimelineStep' });

export const timelineSchema = z
  .object({
    driveId: uuid,
    preset: z.enum(PRESETS),
    today: isoDate.describe('Vietnam local date the statuses are as of'),
    dueSoonWorkingDays: count,
    registrants: count.describe('Applications not withdrawn: 500 or more lengthen 170 Art. 16(2) to 30 days by themselves'),
    counting: z.string(),
    steps: z.array(timelineStepSchema).describe('Every statutory step of the preset, in order; empty for presets without one (leadership, 138)'),
    events: z
      .array(
        z.object({
          event: eventEnum,
          date: isoDate,
          source: z.enum(['recorded', 'service']).describe('recorded: PUT …/timeline/events/{event}; service: from the drive’s own records (transitions, rounds)'),
          reference: z.string().nullable(),
        }),
      )
      .describe('The events the dates rest on'),
    extensions: z.array(timelineExtensionSchema),
    overdue: count.describe('Steps overdue today'),
  })
  .meta({ id: 'DriveTimeline' });
