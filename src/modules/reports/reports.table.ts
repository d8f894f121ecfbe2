import { sql } from 'drizzle-orm';
import { boolean, check, customType, pgTable, primaryKey, timestamp, uuid } from 'drizzle-orm/pg-core';

/** A full transaction id (PostgreSQL `xid8`), as its decimal text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/** The drive id a change row uses for "every drive" (agency and job position renames). */
export const ALL_DRIVES = '00000000-0000-0000-0000-000000000000';

/**
 * The quota id a change row uses for "the whole drive": a change that is not one quota's (the drive,
 * its rounds and parts, names, TRUNCATE, a statement touching many quotas at once), and every row
 * written before quotas were logged.
 */
export const WHOLE_DRIVE = '00000000-0000-0000-0000-000000000000';

/**
 * Which transactions changed what a drive report reads, and in which quotas: one row per (drive,
 * writing transaction, quota), written by statement-level triggers on every table the report reads
 * (migrations 0011_report_change_log and report_quota_changes). A report computed in snapshot S is
 * still exact iff no row of its drive (or of ALL_DRIVES) has a transaction S does not see: one probe
 * of the primary key. Otherwise only the quotas of those rows need counting again, unless one of
 * them is WHOLE_DRIVE.
 */
export const driveChanges = pgTable(
  'drive_changes',
  {
    driveId: uuid().notNull(),
    xid: xid8().notNull(),
    quotaId: uuid().notNull().default(WHOLE_DRIVE),
  },
  (t) => [primaryKey({ columns: [t.driveId, t.xid, t.quotaId] })],
);

/**
 * One row. Change rows below `horizon` have been deleted, so a report whose snapshot's xmin is below
 * it is not trusted. Each prune moves `horizon` to `next` (the xmin seen by the previous prune) and
 * `next` to the current xmin: reports computed since the previous prune stay valid.
 */
export const driveChangesHorizon = pgTable(
  'drive_changes_horizon',
  {
    id: boolean().primaryKey().default(true),
    horizon: xid8().notNull(),
    next: xid8().notNull(),
    prunedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [check('drive_changes_horizon_one_row', sql`${t.id}`)],
);
