ALTER TABLE "marks" ADD COLUMN "entered_by_member_id" uuid;--> statement-breakpoint
ALTER TABLE "marks" ADD COLUMN "sheet_ref" text;--> statement-breakpoint
ALTER TABLE "marks" ADD CONSTRAINT "marks_transcription_has_sheet" CHECK (("marks"."entered_by_member_id" is null) = ("marks"."sheet_ref" is null));--> statement-breakpoint
ALTER TABLE "voided_marks" ADD COLUMN "entered_by_member_id" uuid;--> statement-breakpoint
ALTER TABLE "voided_marks" ADD COLUMN "sheet_ref" text;--> statement-breakpoint
CREATE TABLE "discipline_acts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"drive_id" uuid NOT NULL,
	"round_id" uuid NOT NULL,
	"part_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"minute_ref" text NOT NULL,
	"reason" text NOT NULL,
	"decided_by_member_id" uuid,
	"decided_by_key_id" uuid,
	"chair_report_ref" text,
	"head_decision_number" text,
	"head_decision_date" date,
	"applied_by_member_id" uuid,
	"applied_by_key_id" uuid,
	"applied_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "discipline_acts_status_valid" CHECK ("discipline_acts"."status" in ('decided', 'applied')),
	CONSTRAINT "discipline_acts_applied_at" CHECK (("discipline_acts"."status" = 'applied') = ("discipline_acts"."applied_at" is not null)),
	CONSTRAINT "discipline_acts_kind_valid" CHECK ("discipline_acts"."kind" in ('reprimand', 'warning', 'suspension', 'cancellation')),
	CONSTRAINT "discipline_acts_cancellation_refs" CHECK ("discipline_acts"."kind" <> 'cancellation' or ("discipline_acts"."chair_report_ref" is not null and "discipline_acts"."head_decision_number" is not null and "discipline_acts"."head_decision_date" is not null))
);--> statement-breakpoint
ALTER TABLE "discipline_acts" ADD CONSTRAINT "discipline_acts_drive_id_drives_id_fk" FOREIGN KEY ("drive_id") REFERENCES "public"."drives"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discipline_acts" ADD CONSTRAINT "discipline_acts_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "discipline_acts" ADD CONSTRAINT "discipline_acts_part_id_parts_id_fk" FOREIGN KEY ("part_id") REFERENCES "public"."parts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "discipline_acts_application_idx" ON "discipline_acts" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "discipline_acts_drive_idx" ON "discipline_acts" USING btree ("drive_id");
