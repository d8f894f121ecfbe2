import { z } from 'zod';
import { pageQuery } from '../../http/pagination.js';
import { decimal, isoDate, text, timestamp, uuid } from '../../http/primitives.js';
import { JOB_GRADES } from '../../domain/rule-sets.js';
import { appealStatuses, markingModes, roundKinds, roundStatuses, scriptStatuses } from './rounds.table.js';

const roundCode = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower_snake_case code (max 64)');
const exemptionCode = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower_snake_case code (max 64)');
/** A typed score: decimal string or number with at most two decimals (checked exactly by the service). */
const scoreInput = z.union([z.string().max(20), z.number()]).describe('Score, decimal with at most 2 places ("78.50")');

export const partInput = z
  .object({
    code: roundCode,
    name: text(200).optional().describe('Defaults to the code'),
    maxScore: decimal.describe('Maximum score; for computer multiple-choice parts, the number of questions'),
    passMark: decimal.nullable().optional(),
    weight: z.number().int().min(0).max(100).default(1),
    markingMode: z.enum(markingModes).default('single'),
    panelSize: z.number().int().min(2).max(25).nullable().optional().describe('Panel parts: members whose marks are averaged'),
    written: z.boolean().default(false),
    computer: z
      .boolean()
      .optional()
      .describe(
        'Default false. ' +
        'A written part taken on computer (Decree 170/2025 Art. 9(2)(b): 60–120 questions; written must be true): no appeal (Art. 16(4)(b)); ' +
          'the later parts of the round (the interview) are sat only by those who reached the ranking part minimum in it (Art. 16(4)(c))',
      ),
  })
  .strict();

const roundFields = {
  order: z.number().int().min(1).max(20),
  code: roundCode,
  name: text(200),
  kind: z.enum(roundKinds).describe('gate: pass/fail (e.g. computer round 1); scored: points that may rank'),
  ranking: z.boolean().default(false).describe('The round whose score ranks candidates'),
  exemptionCodes: z.array(exemptionCode).max(20).default([]).describe('Applications holding one of these exemptions skip the round'),
  scheduledOn: isoDate.nullable().optional(),
  grade: z
    .enum(JOB_GRADES)
    .nullable()
    .optional()
    .describe(
      'Only the quotas whose job position has this grade sit the round (Decree 170/2025 Art. 9: each grade its own structure); ' +
        'null or absent: every quota. Orders and codes are unique per grade; a graded round may not share its order with a round of every quota.',
    ),
  foreignLanguage: z
    .boolean()
    .optional()
    .describe(
      'Default false. The foreign-language exam of Decree 170/2025 Art. 9(5): sat only by the candidates of quotas whose plan requires a foreign language ' +
        '(quota `foreignLanguage`), pass/fail at that quota’s pass mark, never counted in the score; later rounds are sat by those candidates ' +
        'only if they passed it (absent: failed). It may not rank nor list exemptions (422 round.foreign_language_invalid).',
    ),
  language: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .nullable()
    .optional()
    .describe(
      'A foreign-language round only (else 422 round.language_without_foreign_language): the language it examines, as the quotas name it ' +
        '(compared without case): sat only by the candidates of quotas requiring that language. Null or absent: every required language. ' +
        'A later round sat by candidates whose language no earlier foreign-language round examines is refused (409 round.foreign_language_exam_missing).',
    ),
  method: z
    .enum(['exam', 'review'])
    .nullable()
    .optional()
    .describe(
      'review: sat only by the candidates of review quotas (xét tuyển; Decree 170/2025 Art. 11, 115/2020 Art. 11): their round 2, ' +
        'in the form the rule set allows (170: oral, 100 points; a written part: 422 round.review_form_not_allowed). Null, absent or exam: ' +
        'sat by the exam quotas only. A review quota’s round 1 is the form check (the eligibility decision), not a round.',
    ),
  summonedOn: isoDate
    .nullable()
    .optional()
    .describe(
      'A review round: the day candidates were summoned to the oral. Decree 170/2025 Art. 16(6): the oral is held within 15 days of it ' +
        '(scheduledOn later: 422 round.review_oral_late); the round shows `oralDueBy`',
    ),
  parts: z.array(partInput).min(1).max(10),
};

export const createRoundBody = z.object(roundFields).strict();
export const createRoundsQuery = z
  .object({ fromRuleSet: z.enum(['true', 'false']).optional().describe('Create the rule set’s default rounds (no body needed)') })
  .strict();

export const patchRoundBody = z
  .object({
    order: roundFields.order.optional(),
    code: roundFields.code.optional(),
    name: roundFields.name.optional(),
    kind: roundFields.kind.optional(),
    ranking: z.boolean().optional(),
    exemptionCodes: z.array(exemptionCode).max(20).optional(),
    scheduledOn: isoDate.nullable().optional(),
    summonedOn: roundFields.summonedOn,
    parts: roundFields.parts.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one field');

export const transitionBody = z.object({ to: z.enum(roundStatuses), reason: text(500).optional() }).strict();

export const partSchema = z
  .object({
    id: uuid,
    code: z.string(),
    name: z.string(),
    maxScore: z.string(),
    passMark: z.string().nullable(),
    weight: z.number().int(),
    markingMode: z.enum(markingModes),
    panelSize: z.number().int().nullable(),
    written: z.boolean(),
    computer: z.boolean().describe('A written part taken on computer: no appeal; later parts only for those who passed it'),
  })
  .meta({ id: 'RoundPart' });

export const roundSchema = z
  .object({
    id: uuid,
    driveId: uuid,
    order: z.number().int(),
    code: z.string(),
    name: z.string(),
    kind: z.enum(roundKinds),
    ranking: z.boolean(),
    grade: z.enum(JOB_GRADES).nullable().describe('The grade whose quotas sit the round; null: every quota'),
    foreignLanguage: z.boolean().describe('The foreign-language exam of Decree 170/2025 Art. 9(5), sat only by quotas requiring it, not counted in the score'),
    language: z.string().nullable().describe('The language a foreign-language round examines; null: every required language (or not a foreign-language round)'),
    method: z.enum(['exam', 'review']).nullable().describe('review: sat by the review quotas only; null or exam: by the exam quotas'),
    summonedOn: z.string().nullable().describe('A review round: the day candidates were summoned to the oral'),
    oralDueBy: z.string().nullable().describe('A review round: the last day the oral may be held (Decree 170/2025 Art. 16(6): 15 days after the summons); null: no limit'),
    status: z.enum(roundStatuses),
    exemptionCodes: z.array(z.string()),
    scheduledOn: z.string().nullable(),
    lockedAt: timestamp.nullable(),
    revealedAt: timestamp.nullable(),
    publishedAt: timestamp.nullable(),
    appealWindow: z
      .object({ opensOn: z.string(), closesOn: z.string(), resolutionDueOn: z.string() })
      .nullable()
      .describe(
        'Once published: appeal window (Vietnam dates, inclusive) and re-marking due date, as the appeals apply them: under the 170 presets ' +
          '5 working days from publication (Decree 170/2025 Art. 16(4)(b)) and 10 days (20 if the chair extended it) after; older presets the rule set’s days',
      ),
    parts: z.array(partSchema),
    createdAt: timestamp,
    updatedAt: timestamp,
    version: z.number().int(),
  })
  .meta({ id: 'Round' });

export const roundListSchema = z.object({ items: z.array(roundSchema), nextCursor: z.string().nullable() });

// --- scripts -------------------------------------------------------------------------------------

export const issueScriptsResult = z
  .object({
    issued: z.number().int(),
    existing: z.number().int(),
    exempt: z.number().int(),
    /** Applications an earlier gate round keeps out (Decree 170/2025 Art. 9(2)(a): round 2 only for those who passed round 1). */
    notAdmitted: z.number().int().meta({ description: 'Applications kept out by an earlier gate round they did not pass or were absent from (Decree 170/2025 Art. 9(2)(a)); 0 under older presets' }),
    parts: z.number().int(),
  })
  .meta({ id: 'ScriptIssueResult' });

export const listScriptsQuery = z
  .object({ ...pageQuery, partCode: roundCode.optional(), status: z.enum(scriptStatuses).optional() })
  .strict();

const markView = z.object({ slot: z.string(), score: z.string(), enteredAt: timestamp });
/** Who entered a mark (the council's views): the board member when a member's key did. */
const markedBy = z
  .object({ memberId: uuid, fullName: z.string(), board: z.string() })
  .nullable()
  .describe('The board member whose bound key entered the mark; null when a role key did (a drive that records no boards)');
const councilMarkView = markView.extend({
  markedBy,
  markerKeyId: uuid.nullable(),
  transcription: z
    .object({ sheetRef: z.string(), by: markedBy })
    .optional()
    .describe("Present when the panel's secretary entered the member's mark from their signed sheet (Circular 22/2025 Quy chế Art. 22(1))"),
});

/** What a marker sees: the code and their own marks, never who wrote the script. */
export const markerScriptSchema = z
  .object({ code: z.string(), partCode: z.string(), status: z.enum(scriptStatuses), marks: z.array(markView) })
  .meta({ id: 'MarkerScript' });

/** The anonymisation board and the council; applicationId only for the board, or once revealed. */
export const scriptSchema = z
  .object({
    id: uuid,
    code: z.string(),
    partCode: z.string(),
    status: z.enum(scriptStatuses),
    absent: z.boolean(),
    finalScore: z.string().nullable(),
    finalRule: z.string().nullable(),
    marks: z.array(councilMarkView),
    applicationId: uuid.optional(),
  })
  .meta({ id: 'Script' });

export const scriptPageSchema = z.object({
  items: z.array(z.union([scriptSchema, markerScriptSchema])),
  nextCursor: z.string().nullable(),
});

// --- marks ---------------------------------------------------------------------------------------

export const markRow = z
  .object({
    code: z.string().max(32),
    slot: z.string().max(80).describe("'1', '2', '3' (third marker) or 'panel:<member>'"),
    score: scoreInput,
    member: uuid
      .optional()
      .describe("A panel secretary transcribing a member's signed sheet: the member (board member id) who gave the mark (Circular 22/2025 Quy chế Art. 22(1))"),
    sheetRef: text(120).optional().describe('The signed scoring sheet transcribed (with member)'),
  })
  .strict();
export const putMarksBody = z.array(markRow).min(1).max(5000);
/** A script packed into a sealed bag (túi bài, Circular 22/2025 Quy chế Art. 16(2)(a)). */
export const bagRow = z
  .object({
    code: z.string().max(32).describe('The script code (số phách)'),
    bag: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{1,32}$/, 'a bag label: letters, digits, dot, dash or underscore (max 32)')
      .describe('The bag label the board gives it (e.g. T01)'),
  })
  .strict();
export const putBagsBody = z.array(bagRow).min(1).max(5000);
export const putBagsResult = z.object({
  packed: z.number().int().describe('Scripts packed by this request'),
  bags: z.array(z.object({ bag: z.string(), scripts: z.number().int().describe('Scripts of this request in the bag') })),
});
export const atomicQuery = z.object({ atomic: z.enum(['true', 'false']).optional().describe('All rows or none') }).strict();

const rowError = z.object({ code: z.string(), message: z.string() });

export const markRowResult = z.object({
  row: z.number().int(),
  status: z.enum(['saved', 'replaced', 'rejected']),
  code: z.string(),
  slot: z.string(),
  scriptStatus: z.enum(scriptStatuses).optional(),
  errors: z.array(rowError).optional(),
});
export const putMarksResult = z
  .object({ saved: z.number().int(), rejected: z.number().int(), rows: z.array(markRowResult) })
  .meta({ id: 'MarksBatchResult' });

// --- reconciliation ------------------------------------------------------------------------------

export const reconciliationItem = z
  .object({
    code: z.string(),
    partCode: z.string(),
    status: z.enum(scriptStatuses),
    marks: z.array(
      z.object({
        slot: z.string(),
        score: z.string(),
        markedBy,
        transcription: z
          .object({ sheetRef: z.string(), by: markedBy })
          .optional()
          .describe("Present when the panel's secretary entered the member's mark from their signed sheet"),
      }),
    ),
    spread: z.string().nullable(),
    reason: z.string().nullable().optional().describe('Why the script waits (the marking rule and its article)'),
  })
  .meta({ id: 'ReconciliationItem' });
export const reconciliationPage = z.object({ items: z.array(reconciliationItem), nextCursor: z.string().nullable() });
export const reconciliationQuery = z.object({ ...pageQuery, partCode: roundCode.optional() }).strict();

export const decisionRow = z.union([
  z.object({ code: z.string().max(32), score: scoreInput, reason: text(500) }).strict(),
  z
    .object({
      code: z.string().max(32),
      zero: z.literal(true),
      reason: text(500).describe('The breach (two handwritings, two ink colours…)'),
      reportRef: text(120)
        .optional()
        .describe("The marker's written report the zero rests on; required under Circular 22/2025 (Quy chế Art. 16(3))"),
    })
    .strict(),
]);
export const postDecisionsBody = z.object({ decisions: z.array(decisionRow).min(1).max(1000) }).strict();
export const decisionsResult = z
  .object({
    decided: z.number().int(),
    items: z.array(z.object({ code: z.string(), score: z.string(), rule: z.string(), previousScore: z.string().nullable() })),
  })
  .meta({ id: 'ReconciliationDecisions' });

// --- direct score import -------------------------------------------------------------------------

const boolish = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])]).transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');
export const scoreRow = z
  .object({
    applicationId: uuid.optional(),
    candidateNumber: z.string().max(40).optional(),
    partCode: roundCode,
    score: scoreInput.optional(),
    correct: z.coerce.number().int().min(0).max(100_000).optional().describe('Gate rounds: number of correct answers'),
    absent: boolish.optional(),
  })
  .strict();
export const putScoresBody = z.array(scoreRow).min(1).max(20_000);
export const scoreRowResult = z.object({
  row: z.number().int(),
  status: z.enum(['saved', 'rejected']),
  scriptCode: z.string().optional(),
  errors: z.array(rowError).optional(),
});
export const putScoresResult = z
  .object({ saved: z.number().int(), rejected: z.number().int(), rows: z.array(scoreRowResult) })
  .meta({ id: 'ScoresImportResult' });

// --- reveal --------------------------------------------------------------------------------------

export const revealSchema = z
  .object({
    roundId: uuid,
    revealedAt: timestamp,
    items: z.array(
      z.object({
        code: z.string(),
        partCode: z.string(),
        applicationId: uuid,
        candidateNumber: z.string().nullable(),
        fullName: z.string(),
        absent: z.boolean(),
        finalScore: z.string().nullable(),
        finalRule: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'RoundReveal' });

export type CreateRoundInput = z.infer<typeof createRoundBody>;
export type PatchRoundInput = z.infer<typeof patchRoundBody>;
export type PartInput = z.infer<typeof partInput>;
export type MarkRowInput = z.infer<typeof markRow>;
export type DecisionInput = z.infer<typeof decisionRow>;
export type ScoreRowInput = z.infer<typeof scoreRow>;
export type ListScriptsQuery = z.infer<typeof listScriptsQuery>;
export type ReconciliationQuery = z.infer<typeof reconciliationQuery>;
export { appealStatuses };
