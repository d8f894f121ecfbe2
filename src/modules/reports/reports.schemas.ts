import { z } from 'zod';
import { count, uuid, year } from '../../http/primitives.js';
import { driveKinds, driveStatuses } from '../drives/drives.table.js';
import { quotaOutcomes } from '../results/results.table.js';
import { QUOTA_METHODS, REVIEW_GROUPS } from '../../domain/review.js';

/** The quotas of one method (and review group), counted apart (Decree 170/2025 Art. 3(2)(d), 5). */
export const methodFiguresSchema = z
  .object({
    method: z.enum(QUOTA_METHODS).describe('exam (thi tuyển) or review (xét tuyển)'),
    reviewGroup: z.enum(REVIEW_GROUPS).nullable().describe('For review quotas: the Decree 170/2025 Art. 5 group (null: an exam line, or reviews without groups)'),
    quotas: count,
    slots: count,
    applications: count,
    eligible: count.describe('Applications with status eligible (for a review: those who passed round 1, the form check)'),
    winners: count,
    unfilledSlots: count,
  })
  .meta({ id: 'ReportMethodFigures' });

/** A rate with its denominator shown: count of of, percent rounded half up to one decimal (null when of is 0). */
export const rateSchema = z
  .object({
    count,
    of: count,
    percent: z.number().nullable().describe('count / of × 100, rounded half up to one decimal with integer arithmetic; null when of = 0'),
  })
  .meta({ id: 'ReportRate' });

export const ratioSchema = z
  .object({
    count,
    of: count,
    ratio: z.number().nullable().describe('count / of, rounded half up to two decimals with integer arithmetic; null when of = 0'),
  })
  .meta({ id: 'ReportRatio' });

export const roundFiguresSchema = z
  .object({
    roundId: uuid,
    code: z.string(),
    sat: count.describe('Applications with at least one script of the round not marked absent'),
    passed: rateSchema
      .nullable()
      .describe('Gate rounds: applications that sat and reached the gate in every part they took, of those who sat; null for scored rounds'),
  })
  .meta({ id: 'ReportRoundFigures' });

export const driveFiguresSchema = z
  .object({
    candidates: count.describe('Distinct candidates with an application (any status)'),
    applications: count,
    eligible: rateSchema.describe('Applications with status eligible, of all applications'),
    withdrawn: count,
    rounds: z.array(roundFiguresSchema),
    passedGate: rateSchema.describe('Current results whose gate was passed (raw ranking score and gate rounds), of current results'),
    slots: count.describe('Quota slots'),
    winners: count.describe('Current winners (cancelled results excluded, promoted reserves included)'),
    unfilledSlots: count,
    candidatesPerSlot: ratioSchema,
    fillRate: rateSchema.describe('Winners of slots'),
  })
  .meta({ id: 'ReportDriveFigures' });

export const quotaReportSchema = driveFiguresSchema
  .extend({
    quotaId: uuid,
    agencyId: uuid,
    agencyCode: z.string(),
    agencyName: z.string(),
    jobPositionId: uuid,
    position: z.string().describe('The quota title, else the job position name'),
    outcome: z.enum(quotaOutcomes).nullable().describe('The quota’s outcome in the current results; null before results are computed'),
    method: z.enum(QUOTA_METHODS).describe('exam (thi tuyển) or review (xét tuyển)'),
    reviewGroup: z.enum(REVIEW_GROUPS).nullable().describe('The Decree 170/2025 Art. 5 group of a review quota'),
  })
  .meta({ id: 'ReportQuota' });

export const driveReportSchema = z
  .object({
    drive: z.object({
      id: uuid,
      code: z.string(),
      name: z.string(),
      kind: z.enum(driveKinds),
      year: z.number().int(),
      status: z.enum(driveStatuses),
    }),
    rounds: z.array(z.object({ id: uuid, order: z.number().int(), code: z.string(), name: z.string(), kind: z.enum(['gate', 'scored']) })),
    totals: driveFiguresSchema,
    byMethod: z
      .array(methodFiguresSchema)
      .describe('The quotas by method, review quotas apart per Art. 5 group: exam first, then each review group present; a line only where quotas exist'),
    quotas: z.array(quotaReportSchema),
    computedAt: z.date(),
    overdue: z
      .object({
        timelineSteps: count.describe('Statutory dates of the drive’s timeline overdue today (GET /v1/drives/{id}/timeline)'),
        appointmentSteps: count.describe('Steps of the winners’ paths to appointment overdue today (GET /v1/drives/{id}/appointments)'),
      })
      .optional()
      .describe('Present when any step is overdue today (Vietnam); counted per request, not from the cached figures'),
  })
  .meta({ id: 'DriveReport' });
export type DriveReport = z.infer<typeof driveReportSchema>;

export const leadershipQuery = z
  .object({
    year: year.describe('Year of the leadership drives'),
    agencyId: uuid.optional().describe('Only titles at this agency and its subtree'),
  })
  .strict();
export type LeadershipQuery = z.infer<typeof leadershipQuery>;

export const leadershipReportSchema = z
  .object({
    year: z.number().int(),
    agencyId: uuid.nullable(),
    drives: z.array(z.object({ id: uuid, code: z.string(), name: z.string(), status: z.enum(driveStatuses), titles: count })),
    titlesApproved: count.describe('Titles (quotas) of the year’s leadership drives that are past draft and not cancelled'),
    agencies: count.describe('Distinct agencies with at least one title'),
    examined: rateSchema.describe('Titles whose outcome is winner or no_winner, of titles approved (not_held titles are not examined)'),
    withWinner: rateSchema.describe('Examined titles with a current winner, of titles examined'),
    withoutWinner: rateSchema.describe('Examined titles without a winner, of titles examined'),
    notHeld: rateSchema.describe('Titles not held (too few candidates), of titles approved'),
    pending: rateSchema.describe('Titles not yet decided (not examined, tie awaiting the chair, no results yet), of titles approved'),
    computedAt: z.date(),
  })
  .meta({ id: 'LeadershipReport' });
export type LeadershipReport = z.infer<typeof leadershipReportSchema>;
