CREATE TABLE "board_members" (
	"id" uuid PRIMARY KEY NOT NULL,
	"drive_id" uuid NOT NULL,
	"board" text NOT NULL,
	"seat" text NOT NULL,
	"full_name" text NOT NULL,
	"full_name_search" text NOT NULL,
	"national_id_index" text,
	"national_id_masked" text,
	"title" text,
	"agency_name" text,
	"discipline" text DEFAULT 'none' NOT NULL,
	"appointed_by_member_id" uuid,
	"decision_number" text NOT NULL,
	"decision_date" date NOT NULL,
	"removed_at" timestamp with time zone,
	"removal_reason" text,
	"removal_decision_number" text,
	"removal_decision_date" date,
	"created_by_key_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "board_members_board_known" CHECK ("board" in ('agency_head','council','form_check','questions','invigilation','anonymisation','marking','appeals','interview','oral','practical','project','supervision')),
	CONSTRAINT "board_members_seat_known" CHECK ("seat" in ('head','deputy','member','secretary'))
);--> statement-breakpoint
ALTER TABLE "board_members" ADD CONSTRAINT "board_members_drive_id_drives_id_fk" FOREIGN KEY ("drive_id") REFERENCES "public"."drives"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "board_members" ADD CONSTRAINT "board_members_appointed_by_fk" FOREIGN KEY ("appointed_by_member_id") REFERENCES "public"."board_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "board_members_drive_idx" ON "board_members" USING btree ("drive_id","board");--> statement-breakpoint
CREATE UNIQUE INDEX "board_members_one_agency_head" ON "board_members" USING btree ("drive_id") WHERE "board" = 'agency_head' and "removed_at" is null;--> statement-breakpoint
CREATE TABLE "board_member_keys" (
	"key_id" uuid PRIMARY KEY NOT NULL,
	"member_id" uuid NOT NULL,
	"drive_id" uuid NOT NULL
);--> statement-breakpoint
ALTER TABLE "board_member_keys" ADD CONSTRAINT "board_member_keys_key_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "board_member_keys" ADD CONSTRAINT "board_member_keys_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."board_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "board_member_keys_member_idx" ON "board_member_keys" USING btree ("member_id");--> statement-breakpoint
CREATE TABLE "member_relatives" (
	"id" uuid PRIMARY KEY NOT NULL,
	"member_id" uuid NOT NULL,
	"drive_id" uuid NOT NULL,
	"relationship" text NOT NULL,
	"national_id_index" text,
	"national_id_masked" text,
	"full_name" text,
	"full_name_search" text,
	"birth_date" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "member_relatives_identified" CHECK ("national_id_index" is not null or ("full_name" is not null and "birth_date" is not null))
);--> statement-breakpoint
ALTER TABLE "member_relatives" ADD CONSTRAINT "member_relatives_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."board_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "member_relatives_drive_index_idx" ON "member_relatives" USING btree ("drive_id","national_id_index");--> statement-breakpoint
CREATE INDEX "member_relatives_member_idx" ON "member_relatives" USING btree ("member_id");--> statement-breakpoint
CREATE TABLE "board_conflicts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"drive_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"relative_id" uuid,
	"application_id" uuid NOT NULL,
	"source" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"note" text,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "board_conflicts_source_known" CHECK ("source" in ('national_id','manual')),
	CONSTRAINT "board_conflicts_status_known" CHECK ("status" in ('open','member_removed'))
);--> statement-breakpoint
ALTER TABLE "board_conflicts" ADD CONSTRAINT "board_conflicts_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."board_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "board_conflicts_member_application_unique" ON "board_conflicts" USING btree ("member_id","application_id");--> statement-breakpoint
CREATE INDEX "board_conflicts_drive_idx" ON "board_conflicts" USING btree ("drive_id","status");--> statement-breakpoint
CREATE TABLE "supervision_reports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"drive_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"summary" text NOT NULL,
	"findings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"filed_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
ALTER TABLE "supervision_reports" ADD CONSTRAINT "supervision_reports_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."board_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "supervision_reports_drive_idx" ON "supervision_reports" USING btree ("drive_id");--> statement-breakpoint
ALTER TABLE "marks" ADD COLUMN "member_id" uuid;--> statement-breakpoint
CREATE TABLE "voided_marks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"script_id" uuid NOT NULL,
	"slot" text NOT NULL,
	"score" numeric(7, 2) NOT NULL,
	"marker_key_id" uuid,
	"member_id" uuid,
	"entered_at" timestamp with time zone NOT NULL,
	"conflict_id" uuid,
	"voided_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE INDEX "voided_marks_script_idx" ON "voided_marks" USING btree ("script_id");--> statement-breakpoint
ALTER TABLE "tie_decisions" ADD COLUMN "decided_by_member_id" uuid;--> statement-breakpoint
ALTER TABLE "tie_decisions" ADD COLUMN "decision_number" text;--> statement-breakpoint
ALTER TABLE "tie_decisions" ADD COLUMN "decision_date" date;
