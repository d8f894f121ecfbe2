import { z } from 'zod';
import { isoDate, text, uuid } from '../../http/primitives.js';
import { boards, conflictStatuses, disciplineStates, relationships, seats } from './boards.table.js';

const nationalId = z.string().regex(/^\d{12}$/, '12 digits (CCCD)');

export const decisionRef = z
  .object({
    number: text(50).describe('Decision number, e.g. 123/QĐ-UBND'),
    date: isoDate,
  })
  .strict()
  .describe('The decision (quyết định) that did it');

export const boardParams = z.object({ id: uuid, board: z.enum(boards) });
export const memberParams = z.object({ id: uuid, memberId: uuid });
export const memberKeyParams = z.object({ id: uuid, memberId: uuid, keyId: uuid });

export const relativeBody = z
  .object({
    relationship: z.enum(relationships).describe('170 Art. 8(3): spouse, parents, parents-in-law, adoptive parents, children, siblings, aunts/uncles, siblings-in-law, siblings’ spouses'),
    nationalId: nationalId.optional().describe('Kept only as a keyed blind index and a masked form; never decryptable'),
    fullName: text(200).optional().describe('When the national ID is unknown: name and birth date, matched by hand'),
    birthDate: isoDate.optional(),
  })
  .strict()
  .refine((r) => r.nationalId !== undefined || (r.fullName !== undefined && r.birthDate !== undefined), {
    message: 'Give nationalId, or fullName and birthDate',
    path: ['nationalId'],
  });
export type RelativeInput = z.infer<typeof relativeBody>;

export const appointBody = z
  .object({
    fullName: text(200),
    nationalId: nationalId.optional().describe('Kept only as a keyed blind index and a masked form'),
    title: text(200).optional().describe('Chức vụ'),
    agencyName: text(300).optional().describe('Cơ quan công tác'),
    seat: z.enum(seats).describe('head (Chủ tịch / Trưởng ban), deputy, member, secretary'),
    discipline: z
      .enum(disciplineStates)
      .default('none')
      .describe('170 Art. 8(3): under_discipline, corruption (ever disciplined for it) or personnel_violation bar the seat'),
    appointedByMemberId: uuid
      .optional()
      .describe('The seat that formed this board: the head of the recruiting agency (council, supervision) or the council chair (other boards). Default: that seat.'),
    decision: decisionRef,
    relatives: z.array(relativeBody).max(50).default([]),
  })
  .strict();
export type AppointInput = z.infer<typeof appointBody>;

export const removeBody = z
  .object({
    decision: decisionRef,
    reason: text(1000),
    voidMarks: z.boolean().optional().describe('Void the member’s marks on the drive (default: when the member has an open conflict)'),
  })
  .strict();
export type RemoveInput = z.infer<typeof removeBody>;

export const memberSchema = z
  .object({
    id: uuid,
    driveId: uuid,
    board: z.enum(boards),
    seat: z.enum(seats),
    fullName: z.string(),
    nationalIdMasked: z.string().nullable(),
    title: z.string().nullable(),
    agencyName: z.string().nullable(),
    discipline: z.enum(disciplineStates),
    appointedByMemberId: uuid.nullable(),
    decision: z.object({ number: z.string(), date: z.string() }),
    removedAt: z.date().nullable(),
    removal: z.object({ reason: z.string().nullable(), number: z.string().nullable(), date: z.string().nullable() }).nullable(),
    createdAt: z.date(),
  })
  .meta({ id: 'BoardMember' });

export const boardsSchema = z
  .object({
    driveId: uuid,
    boards: z.array(z.object({ board: z.enum(boards), members: z.array(memberSchema) })),
  })
  .meta({ id: 'DriveBoards' });

export const relativeSchema = z
  .object({
    id: uuid,
    memberId: uuid,
    relationship: z.enum(relationships),
    nationalIdMasked: z.string().nullable(),
    fullName: z.string().nullable(),
    birthDate: z.string().nullable(),
    createdAt: z.date(),
  })
  .meta({ id: 'MemberRelative' });

export const conflictSchema = z
  .object({
    id: uuid,
    driveId: uuid,
    memberId: uuid,
    relativeId: uuid.nullable(),
    applicationId: uuid,
    source: z.enum(['national_id', 'manual']),
    status: z.enum(conflictStatuses),
    note: z.string().nullable(),
    raisedAt: z.date(),
    resolvedAt: z.date().nullable(),
  })
  .meta({ id: 'BoardConflict' });

export const declaredRelativeSchema = z
  .object({
    relative: relativeSchema,
    conflicts: z.array(conflictSchema).describe('Conflicts raised at once: the relative is already a candidate of the drive'),
    possibleMatches: z
      .array(z.object({ applicationId: uuid, fullName: z.string(), birthDate: z.string() }))
      .describe('Name-and-birth-date declarations: candidates of the drive with that name and birth date, for the council to match by hand'),
  })
  .meta({ id: 'DeclaredRelative' });

export const manualConflictBody = z.object({ memberId: uuid, applicationId: uuid, note: text(1000) }).strict();

export const removalSchema = z
  .object({
    member: memberSchema,
    keysRevoked: z.number().int(),
    marksVoided: z.number().int().describe('Marks moved out of their scripts (rounds still marking): another member re-marks them'),
    marksInClosedRounds: z.number().int().describe('Marks in rounds already locked or later: left for the council to act on'),
    conflictsResolved: z.number().int(),
  })
  .meta({ id: 'BoardMemberRemoval' });

export const memberKeyBody = z.object({ name: text(100).optional() }).strict().nullish();

export const memberKeySchema = z
  .object({
    id: uuid,
    memberId: uuid,
    driveId: uuid,
    role: z.string(),
    prefix: z.string(),
    createdAt: z.date(),
    revokedAt: z.date().nullable(),
  })
  .meta({ id: 'MemberKey' });
export const createdMemberKeySchema = memberKeySchema.extend({ key: z.string().describe('The secret: shown once, store it now') }).meta({ id: 'CreatedMemberKey' });

export const supervisionReportBody = z
  .object({
    summary: text(10000),
    findings: z.array(text(2000)).max(200).default([]),
  })
  .strict();

export const supervisionReportSchema = z
  .object({ id: uuid, driveId: uuid, memberId: uuid, summary: z.string(), findings: z.array(z.string()), filedAt: z.date() })
  .meta({ id: 'SupervisionReport' });
