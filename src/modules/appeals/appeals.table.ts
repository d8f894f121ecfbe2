import { sql } from 'drizzle-orm';
import { check, integer, numeric, pgTable, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { idColumn } from '../../db/columns.js';
import { appeals } from '../rounds/rounds.table.js';

/**
 * One re-mark of an appealed script by a member of the appeals board (Quy chế Art. 17(2)–(3)):
 * slots 1 and 2, and 3 only when the first two differ. A member re-marks an appeal once.
 */
export const appealRemarks = pgTable(
  'appeal_remarks',
  {
    id: idColumn(),
    appealId: uuid()
      .notNull()
      .references(() => appeals.id),
    slot: integer().notNull(),
    score: numeric({ precision: 7, scale: 2 }).notNull(),
    /** The appeals-board member (null on a drive that records no board). */
    memberId: uuid(),
    keyId: uuid(),
    enteredAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('appeal_remarks_appeal_slot_unique').on(t.appealId, t.slot),
    uniqueIndex('appeal_remarks_appeal_member_unique').on(t.appealId, t.memberId).where(sql`${t.memberId} is not null`),
    check('appeal_remarks_slot_range', sql`${t.slot} between 1 and 3`),
    check('appeal_remarks_score_nonnegative', sql`${t.score} >= 0`),
  ],
);
export type AppealRemarkRow = typeof appealRemarks.$inferSelect;
