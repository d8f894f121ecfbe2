import { z } from 'zod';
import { text, timestamp, uuid } from '../../http/primitives.js';
import { appealStatuses } from '../rounds/rounds.table.js';

const roundCode = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower_snake_case code (max 64)');
const scoreInput = z.union([z.string().max(20), z.number()]).describe('Score, decimal with at most 2 places ("78.50")');

export const createAppealBody = z
  .object({
    partCode: roundCode.optional(),
    roundId: uuid.optional().describe('Disambiguates partCode when two rounds share it'),
    scriptId: uuid.optional(),
    reason: text(2000),
  })
  .strict()
  .refine((b) => (b.partCode === undefined) !== (b.scriptId === undefined), 'give exactly one of partCode or scriptId');

export const appealSchema = z
  .object({
    id: uuid,
    applicationId: uuid,
    scriptId: uuid,
    roundId: uuid,
    partCode: z.string(),
    status: z.enum(appealStatuses),
    reason: z.string().nullable(),
    filedAt: timestamp,
    windowClosesOn: z.string().nullable().describe('Last day appeals are received (170 Art. 16(4)(b): 5 working days from publication)'),
    dueOn: z.string().describe('Re-marking due: 10 days after the window closes, 20 when the chair lengthened re-marking (170 Art. 16(4)(b))'),
    previousScore: z.string().nullable().describe('The published score the appeal is against'),
    remarks: z.number().int().describe('Re-marks entered by the appeals board (their scores stay hidden until the appeal is resolved)'),
    remarksNeeded: z.number().int().describe('2, or 3 when the first two differ (Quy chế Art. 17(3))'),
    appealScore: z.string().nullable().describe('The appeals board’s result (Quy chế Art. 17(3)); shown once resolved'),
    appealRule: z.string().nullable().describe('remark_equal, remark_two_of_three or remark_mean'),
    newScore: z.string().nullable().describe('The score adopted (Quy chế Art. 18)'),
    chairDecided: z.boolean().describe('The re-mark differed by 5 points or more: the chair decided after hearing both board heads'),
    chairMinuteRef: z.string().nullable(),
    recoded: z.boolean().describe('The chair gave the script a new code for re-marking (Quy chế Art. 17(1)(c))'),
    resolutionNote: z.string().nullable(),
    resolvedAt: timestamp.nullable(),
    publishedAt: timestamp.nullable().describe('When the appeal result was published (Quy chế Art. 17(5))'),
    version: z.number().int(),
  })
  .meta({ id: 'Appeal' });
export const appealListSchema = z.object({ items: z.array(appealSchema), nextCursor: z.string().nullable() });

export const remarkBody = z.object({ score: scoreInput }).strict();
export const remarkSchema = z
  .object({
    appealId: uuid,
    code: z.string().describe('The code the re-marker knows the script by (the new one when re-coded)'),
    slot: z.number().int().describe('1, 2, or 3 (third re-marker)'),
    score: z.string(),
    remarksNeeded: z.number().int(),
    complete: z.boolean().describe('The re-marks give a result (the council may now resolve the appeal)'),
  })
  .meta({ id: 'AppealRemark' });

export const recodeSchema = z.object({ appealId: uuid, code: z.string() }).meta({ id: 'AppealRecode' });

export const resolveAppealBody = z
  .object({
    note: text(2000),
    newScore: scoreInput
      .optional()
      .describe('Only when the re-mark differs from the published score by 5 points or more: the score the chair decides (Quy chế Art. 18(1))'),
    minuteRef: text(200).optional().describe('The minute of the chair hearing the heads of the marking and appeals boards (required with newScore)'),
  })
  .strict();

export const appealResultSchema = z.object({
  appealId: uuid,
  candidateNumber: z.string().nullable(),
  partCode: z.string(),
  previousScore: z.string().nullable(),
  appealScore: z.string().nullable(),
  newScore: z.string().nullable(),
  status: z.enum(appealStatuses),
  publishedAt: timestamp.nullable(),
});
export const appealResultsSchema = z.object({ roundId: uuid, published: z.number().int(), items: z.array(appealResultSchema) }).meta({ id: 'AppealResults' });

export type CreateAppealInput = z.infer<typeof createAppealBody>;
export type ResolveAppealInput = z.infer<typeof resolveAppealBody>;
export type RemarkInput = z.infer<typeof remarkBody>;
