import { z } from 'zod';
import { decisionRef } from '../boards/boards.schemas.js';
import { ruleSetOverridesSchema, ruleSetSchema } from '../../domain/rule-sets.js';
import { pageQuery } from '../../http/pagination.js';
import { text, timestamp, uuid } from '../../http/primitives.js';
import { driveStatuses } from '../drives/drives.table.js';
import { cancelReasons, outcomes, quotaOutcomes } from './results.table.js';

const decimal = z.string().describe('Exact decimal with two places, e.g. "78.50"');

export const computeQuery = z
  .object({
    dryRun: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true')
      .describe('true: a what-if preview under the given overrides; nothing is saved and the drive does not move'),
    quotaId: uuid.optional().describe('Dry run only: preview one quota'),
  })
  .strict();

export const computeBody = z
  .object({
    overrides: ruleSetOverridesSchema
      .optional()
      .describe('Dry run only: rule-set overrides merged over the drive’s own (objects merge, arrays replace; scores in hundredths)'),
  })
  .strict()
  .optional();
export type ComputeInput = { overrides?: z.infer<typeof ruleSetOverridesSchema> | undefined; quotaId?: string | undefined };

const gateSchema = z.object({
  passed: z.boolean(),
  reasons: z.array(z.object({ code: z.string(), message: z.string() })),
});

export const resultRowSchema = z
  .object({
    resultId: uuid.nullable().describe('null in a dry-run preview'),
    applicationId: uuid,
    candidateNumber: z.string().nullable(),
    choice: z.number().int().describe('1 = NV1, 2 = NV2'),
    outcome: z.enum(outcomes),
    rank: z
      .number()
      .int()
      .nullable()
      .describe(
        'Place within the quota after the whole tie-break chain of the rule set: 1, 2, 3…; only applications the chain could not separate (awaiting the head’s decision) share a rank. null when not ranked (failed a gate, absent, cancelled, not considered)',
      ),
    winnerSlot: z.number().int().nullable(),
    rawScore: decimal.nullable().describe('Ranking-round total on 100 (leadership: written part)'),
    priorityPoints: decimal.describe('Highest priority category only (no stacking)'),
    priorityCategory: z.string().nullable(),
    rankingScore: decimal.nullable().describe('raw + priority (leadership: combined weighted score)'),
    gate: gateSchema,
    decidedBy: z
      .string()
      .nullable()
      .describe('Which rule placed it: score, ranking_round_raw, round1_general_knowledge, written_part, head_decision; null while tied'),
    tiedWith: z.array(z.string()),
    parts: z.array(z.object({ code: z.string(), score: decimal.nullable(), max: decimal.nullable(), weight: z.number().int().nullable() })),
    joint: z
      .object({
        agencyPreferences: z.array(uuid).describe('The user agencies the application accepts, best first (Phiếu đăng ký dự tuyển)'),
        placedAgencyId: uuid.nullable().describe('The user agency the winner is placed at; null when not placed (yet)'),
        placedQuotaId: uuid.nullable().describe("That agency's quota of the position"),
        placedPreference: z.number().int().nullable().describe('Which of its preferences the placement is (1 = first)'),
        pendingTie: z
          .object({
            quotaId: uuid.describe('The quota (user agency) whose last slot is tied: the head decides on it (POST …/results/tie-decisions)'),
            agencyId: uuid,
            applicationIds: z.array(uuid).describe('The tied applications'),
            openSlots: z.number().int(),
          })
          .nullable()
          .describe('The undecided tie this row is part of (tied_pending) or waits for (pending_tie)'),
      })
      .nullable()
      .describe(
        'Only for a position recruited jointly for several user agencies (Decree 170/2025 Art. 10(3)): the row stays under the quota it was ' +
          'registered to; winners are placed in score order at their highest-ranked agency with a slot left. null for any other quota',
      ),
    explanation: z.string(),
    cancellation: z
      .object({ reason: z.enum(cancelReasons).nullable(), note: z.string().nullable(), at: timestamp, replacedByResultId: uuid.nullable() })
      .nullable(),
    promotion: z.object({ at: timestamp, replacesResultId: uuid.nullable() }).nullable(),
  })
  .meta({ id: 'ResultRow' });

export const quotaResultSchema = z
  .object({
    quotaId: uuid,
    agencyId: uuid.nullable(),
    jobPositionId: uuid.nullable(),
    title: z.string().nullable(),
    status: z.enum(quotaOutcomes),
    slots: z.number().int(),
    winnersCount: z.number().int(),
    passedCount: z.number().int(),
    candidateCount: z.number().int(),
    openSlotsInTie: z.number().int(),
    tiedApplicationIds: z.array(z.string()),
    reserveTies: z.array(z.array(z.string())),
    explanation: z.string(),
    computedAt: timestamp.nullable(),
    winners: z.array(resultRowSchema),
    tied: z.array(resultRowSchema).describe('Tied across the last slot, awaiting the head’s decision'),
    reserves: z.array(resultRowSchema).describe('In rank order'),
    failed: z.array(resultRowSchema).describe('Failed a gate or absent'),
    others: z.array(resultRowSchema).describe('Cancelled, NV2 not considered, leadership not selected / pending / not held'),
    rows: z
      .array(resultRowSchema)
      .describe('Every row of the quota in one list, beside the buckets above: ranked rows by `rank` (rows still tied share it), then rows without a rank (failed, absent, cancelled, not considered)'),
  })
  .meta({ id: 'QuotaResult' });

const summarySchema = z.object({
  quotas: z.number().int(),
  applications: z.number().int(),
  slots: z.number().int(),
  winners: z.number().int(),
  reserves: z.number().int(),
  quotasByStatus: z.record(z.string(), z.number().int()),
});

export const computationSchema = z
  .object({
    dryRun: z.boolean(),
    driveId: uuid,
    driveStatus: z.enum(driveStatuses),
    version: z.number().int().optional(),
    ruleSet: ruleSetSchema,
    summary: summarySchema,
    quotas: z.array(quotaResultSchema).describe('Dry run: the previewed results; empty when stored (read them with GET)'),
  })
  .meta({ id: 'ResultsComputation' });

export const listResultsQuery = z
  .object({
    ...pageQuery,
    quotaId: uuid.optional(),
    outcome: z.enum(outcomes).optional().describe('Only rows with this outcome'),
  })
  .strict();
export type ListResultsQuery = z.infer<typeof listResultsQuery>;

export const resultsPageSchema = z
  .object({
    drive: z.object({ id: uuid, kind: z.string(), status: z.enum(driveStatuses), version: z.number().int(), ruleSetPreset: z.string() }),
    items: z.array(quotaResultSchema),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'ResultsPage' });

export const tieDecisionBody = z
  .object({
    quotaId: uuid,
    orderedApplicationIds: z.array(uuid).min(2).max(500).describe('The tied applications, best first'),
    reason: text(1000),
    decision: decisionRef
      .optional()
      .describe('The head’s decision (number, date): required unless the key is bound to the head of the recruiting agency'),
  })
  .strict();
export type TieDecisionInput = z.infer<typeof tieDecisionBody>;

export const tieDecisionResultSchema = z
  .object({ decisionId: uuid, driveVersion: z.number().int(), quota: quotaResultSchema })
  .meta({ id: 'ResultsTieDecision' });

export const returnBody = z
  .object({ reason: text(1000), decision: decisionRef.optional().describe('The head’s decision, when an approver key records it') })
  .strict();
export const approveBody = z
  .object({ decision: decisionRef.optional().describe('The head’s decision (number, date): required from a role key once the drive records its boards') })
  .strict()
  .nullish();

export const cancelBody = z
  .object({
    reason: z.enum(cancelReasons).describe('dossier_incomplete | fraud (also bars the candidate) | no_show'),
    note: text(1000).optional(),
  })
  .strict();
export type CancelInput = z.infer<typeof cancelBody>;

export const cancellationSchema = z
  .object({
    status: z
      .enum(['promoted', 'tie_pending_decision', 'no_reserve', 'awaiting_head_decision'])
      .describe(
        'promoted: the next reserve took the slot (170 as issued: called to complete their own dossier); tie_pending_decision: reserves tied ' +
          'for it, the head decides; no_reserve: slot unfilled; awaiting_head_decision (300 Art. 5(4)): no one is promoted until the head ' +
          'decides whether to recruit the next-lower (POST /v1/appointments/{id}/replacement)',
      ),
    explanation: z.string(),
    cancelled: resultRowSchema,
    promoted: z.array(resultRowSchema),
    tiedApplicationIds: z.array(z.string()),
    candidateBarred: z.object({ drivesRemaining: z.number().int() }).nullable(),
    quota: quotaResultSchema,
  })
  .meta({ id: 'ResultCancellation' });

export const publicResultsQuery = z
  .object({ ...pageQuery, quotaId: uuid.optional() })
  .strict();

export const publicResultsSchema = z
  .object({
    drive: z.object({
      id: uuid,
      code: z.string(),
      name: z.string(),
      kind: z.string(),
      year: z.number().int(),
      status: z.enum(driveStatuses),
      publishedAt: timestamp.nullable(),
    }),
    items: z.array(
      z.object({
        quotaId: uuid,
        agencyName: z.string(),
        jobPositionName: z.string(),
        title: z.string().nullable(),
        status: z.enum(quotaOutcomes),
        slots: z.number().int(),
        winners: z.array(
          z.object({
            fullName: z.string(),
            candidateNumber: z.string().nullable(),
            nationalIdMasked: z.string(),
            rankingScore: decimal.nullable(),
            rank: z.number().int().nullable(),
            identityCorrected: z.boolean().describe('The identity shown was corrected after approval by a correction the approver authorised'),
          }),
        ),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'PublicResults' });
