-- The column comes first, with the whole-drive default: rows already logged keep meaning "the whole
-- drive", and instances still running the previous release (which read drive_id and xid only, and
-- whose probe is a prefix of the new key) keep working while the release rolls out.
ALTER TABLE "drive_changes" ADD COLUMN "quota_id" uuid DEFAULT '00000000-0000-0000-0000-000000000000' NOT NULL;--> statement-breakpoint
ALTER TABLE "drive_changes" DROP CONSTRAINT "drive_changes_drive_id_xid_pk";--> statement-breakpoint
ALTER TABLE "drive_changes" ADD CONSTRAINT "drive_changes_drive_id_xid_quota_id_pk" PRIMARY KEY("drive_id","xid","quota_id");
