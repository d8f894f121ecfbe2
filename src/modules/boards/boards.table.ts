import { sql } from 'drizzle-orm';
import { check, date, foreignKey, index, jsonb, numeric, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, version } from '../../db/columns.js';
import { apiKeys } from '../api-keys/api-keys.table.js';
import { drives } from '../drives/drives.table.js';

/*
 * The people behind a drive's acts (Decree 170/2025 Art. 8; Circular 22/2025 Quy chế Art. 23):
 * the head of the recruiting agency, the recruitment council, the boards the council forms, and
 * the separate supervision board. One row is one seat: a person sitting on two boards has two.
 */

/** `agency_head` is the head of the recruiting agency (người đứng đầu cơ quan có thẩm quyền tuyển dụng). */
export const boards = [
  'agency_head',
  'council',
  'form_check',
  'questions',
  'invigilation',
  'anonymisation',
  'marking',
  'appeals',
  'interview',
  'oral',
  'practical',
  'project',
  'supervision',
] as const;
export type Board = (typeof boards)[number];

/** The boards the council forms (170 Art. 8(2)(a)); the head forms the council and the supervision board. */
export const COUNCIL_FORMED: readonly Board[] = ['form_check', 'questions', 'invigilation', 'anonymisation', 'marking', 'appeals', 'interview', 'oral', 'practical', 'project'];
/** Boards whose members enter marks. */
export const SCORING_BOARDS: readonly Board[] = ['marking', 'appeals', 'interview', 'oral', 'practical', 'project'];

export const seats = ['head', 'deputy', 'member', 'secretary'] as const;
export type Seat = (typeof seats)[number];

/** 170 Art. 8(3): under discipline, or ever disciplined for corruption or for personnel-work violations. */
export const disciplineStates = ['none', 'under_discipline', 'corruption', 'personnel_violation'] as const;

export const boardMembers = pgTable(
  'board_members',
  {
    id: idColumn(),
    driveId: uuid()
      .notNull()
      .references(() => drives.id),
    board: text({ enum: boards }).notNull(),
    seat: text({ enum: seats }).notNull(),
    fullName: text().notNull(),
    fullNameSearch: text().notNull(),
    /** Keyed blind index of the national ID (never the ID itself: a seat needs no decryptable copy). */
    nationalIdIndex: text(),
    nationalIdMasked: text(),
    title: text(),
    agencyName: text(),
    discipline: text({ enum: disciplineStates }).notNull().default('none'),
    appointedByMemberId: uuid(),
    decisionNumber: text().notNull(),
    decisionDate: date({ mode: 'string' }).notNull(),
    removedAt: timestamp({ withTimezone: true, mode: 'date' }),
    removalReason: text(),
    removalDecisionNumber: text(),
    removalDecisionDate: date({ mode: 'string' }),
    createdByKeyId: uuid(),
    createdAt: createdAt(),
    version: version(),
  },
  (t) => [
    foreignKey({ name: 'board_members_appointed_by_fk', columns: [t.appointedByMemberId], foreignColumns: [t.id] }),
    index('board_members_drive_idx').on(t.driveId, t.board),
    uniqueIndex('board_members_one_agency_head').on(t.driveId).where(sql`${t.board} = 'agency_head' and ${t.removedAt} is null`),
    check('board_members_board_known', sql`${t.board} in ('agency_head','council','form_check','questions','invigilation','anonymisation','marking','appeals','interview','oral','practical','project','supervision')`),
    check('board_members_seat_known', sql`${t.seat} in ('head','deputy','member','secretary')`),
  ],
);
export type BoardMemberRow = typeof boardMembers.$inferSelect;

/** An API key bound to one seat of one drive: the member acts through it. */
export const boardMemberKeys = pgTable(
  'board_member_keys',
  {
    keyId: uuid()
      .primaryKey()
      .references(() => apiKeys.id, { onDelete: 'no action' }),
    memberId: uuid()
      .notNull()
      .references(() => boardMembers.id),
    driveId: uuid().notNull(),
  },
  (t) => [index('board_member_keys_member_idx').on(t.memberId)],
);

/** 170 Art. 8(3) / Quy chế Art. 23(7)(b): the relationships that bar a seat. */
export const relationships = [
  'spouse',
  'father',
  'mother',
  'father_in_law',
  'mother_in_law',
  'adoptive_father',
  'adoptive_mother',
  'child',
  'adopted_child',
  'sibling',
  'aunt_uncle',
  'sibling_in_law',
  'sibling_spouse',
] as const;

export const memberRelatives = pgTable(
  'member_relatives',
  {
    id: idColumn(),
    memberId: uuid()
      .notNull()
      .references(() => boardMembers.id),
    driveId: uuid().notNull(),
    relationship: text({ enum: relationships }).notNull(),
    nationalIdIndex: text(),
    nationalIdMasked: text(),
    fullName: text(),
    fullNameSearch: text(),
    birthDate: date({ mode: 'string' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('member_relatives_drive_index_idx').on(t.driveId, t.nationalIdIndex),
    index('member_relatives_member_idx').on(t.memberId),
    check('member_relatives_identified', sql`${t.nationalIdIndex} is not null or (${t.fullName} is not null and ${t.birthDate} is not null)`),
  ],
);
export type MemberRelativeRow = typeof memberRelatives.$inferSelect;

export const conflictStatuses = ['open', 'member_removed'] as const;

/** A seat found related to a candidate of the drive after it was taken. */
export const boardConflicts = pgTable(
  'board_conflicts',
  {
    id: idColumn(),
    driveId: uuid().notNull(),
    memberId: uuid()
      .notNull()
      .references(() => boardMembers.id),
    relativeId: uuid(),
    applicationId: uuid().notNull(),
    source: text({ enum: ['national_id', 'manual'] }).notNull(),
    status: text({ enum: conflictStatuses }).notNull().default('open'),
    note: text(),
    raisedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    resolvedAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('board_conflicts_member_application_unique').on(t.memberId, t.applicationId),
    index('board_conflicts_drive_idx').on(t.driveId, t.status),
    check('board_conflicts_source_known', sql`${t.source} in ('national_id','manual')`),
    check('board_conflicts_status_known', sql`${t.status} in ('open','member_removed')`),
  ],
);
export type BoardConflictRow = typeof boardConflicts.$inferSelect;

/** Quy chế Art. 23(4)(d): the supervision board's report to the head. */
export const supervisionReports = pgTable(
  'supervision_reports',
  {
    id: idColumn(),
    driveId: uuid().notNull(),
    memberId: uuid()
      .notNull()
      .references(() => boardMembers.id),
    summary: text().notNull(),
    findings: jsonb().$type<string[]>().notNull().default([]),
    filedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('supervision_reports_drive_idx').on(t.driveId)],
);

/** Marks of a member removed for a conflict: kept here, out of the script's reconciliation. */
export const voidedMarks = pgTable(
  'voided_marks',
  {
    id: uuid().primaryKey(),
    scriptId: uuid().notNull(),
    slot: text().notNull(),
    score: numeric({ precision: 7, scale: 2 }).notNull(),
    markerKeyId: uuid(),
    memberId: uuid(),
    enteredByMemberId: uuid(),
    sheetRef: text(),
    enteredAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    conflictId: uuid(),
    voidedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('voided_marks_script_idx').on(t.scriptId)],
);
