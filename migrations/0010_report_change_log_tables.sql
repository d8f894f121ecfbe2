CREATE TABLE "drive_changes" (
	"drive_id" uuid NOT NULL,
	"xid" "xid8" NOT NULL,
	CONSTRAINT "drive_changes_drive_id_xid_pk" PRIMARY KEY("drive_id","xid")
);
--> statement-breakpoint
CREATE TABLE "drive_changes_horizon" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"horizon" "xid8" NOT NULL,
	"next" "xid8" NOT NULL,
	"pruned_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "drive_changes_horizon_one_row" CHECK ("drive_changes_horizon"."id")
);
