import { z } from 'zod';
import { DISCIPLINE_KINDS } from '../../domain/discipline.js';
import { isoDate, text, timestamp, uuid } from '../../http/primitives.js';
import { pageQuery } from '../../http/pagination.js';
import { DISCIPLINE_STATUSES } from './discipline.table.js';

const memberRef = z
  .object({ memberId: uuid, fullName: z.string(), board: z.string() })
  .nullable()
  .describe('The board member whose bound key did the act; null for a role key (a drive that records no boards)');

export const recordDisciplineBody = z
  .object({
    applicationId: uuid.optional(),
    candidateNumber: z.string().max(40).optional().describe('Instead of applicationId: the số báo danh'),
    partCode: z.string().max(64).describe('The paper (part of this round) the act was decided on'),
    kind: z
      .enum(DISCIPLINE_KINDS)
      .describe(
        'reprimand (−25 %) and warning (−50 %): decided by the minute’s writer (Nội quy Art. 2(2), 2(3), 2(6)(b)), applied by the council chair; ' +
          'suspension: the chair, cancels this paper and the later ones (Art. 2(4)); cancellation: the head of the recruiting agency on the chair’s report (Art. 2(5))',
      ),
    minuteRef: text(120).describe('The minute (biên bản) written at the exam room (Nội quy Art. 2(6)(a))'),
    reason: text(500).describe('The breach, as the minute states it'),
    chairReportRef: text(120).optional().describe('cancellation: the council chair’s report'),
    headDecision: z
      .object({ number: text(60), date: isoDate })
      .strict()
      .optional()
      .describe('cancellation recorded by an approver key: the head’s decision (number, date)'),
  })
  .strict();
export type RecordDisciplineInput = z.infer<typeof recordDisciplineBody>;

export const disciplineActSchema = z
  .object({
    id: uuid,
    roundId: uuid,
    partCode: z.string(),
    applicationId: uuid,
    kind: z.enum(DISCIPLINE_KINDS),
    status: z.enum(DISCIPLINE_STATUSES).describe('decided: waiting for the council chair to apply it; applied: the results engine applies it'),
    deductionPercent: z.number().int().nullable().describe('25 or 50 for a deduction; 100 when the paper is cancelled'),
    minuteRef: z.string(),
    reason: z.string(),
    decidedBy: memberRef,
    chairReportRef: z.string().nullable(),
    headDecision: z.object({ number: z.string(), date: z.string() }).nullable(),
    appliedBy: memberRef,
    appliedAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'DisciplineAct' });

export const disciplinePage = z.object({ items: z.array(disciplineActSchema), nextCursor: z.string().nullable() });
export const disciplineQuery = z.object({ ...pageQuery, applicationId: uuid.optional() }).strict();
export type DisciplineQuery = z.infer<typeof disciplineQuery>;
