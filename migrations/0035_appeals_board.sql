-- Appeals (phúc khảo) per Decree 170/2025 Art. 16(4)(b) and Circular 22/2025 Quy chế Art. 17–18:
-- the re-marks of the appeals board, the appeal score, the chair's decision past 5 points (with the
-- minute of hearing both board heads), the re-coded script and the publication of appeal results.
ALTER TABLE "appeals" ADD COLUMN "appeal_score" numeric(7, 2);--> statement-breakpoint
ALTER TABLE "appeals" ADD COLUMN "appeal_rule" text;--> statement-breakpoint
ALTER TABLE "appeals" ADD COLUMN "remark_code" text;--> statement-breakpoint
ALTER TABLE "appeals" ADD COLUMN "chair_minute_ref" text;--> statement-breakpoint
ALTER TABLE "appeals" ADD COLUMN "decided_by_member_id" uuid;--> statement-breakpoint
ALTER TABLE "appeals" ADD COLUMN "published_at" timestamp with time zone;--> statement-breakpoint
CREATE TABLE "appeal_remarks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"appeal_id" uuid NOT NULL,
	"slot" integer NOT NULL,
	"score" numeric(7, 2) NOT NULL,
	"member_id" uuid,
	"key_id" uuid,
	"entered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appeal_remarks_slot_range" CHECK ("slot" between 1 and 3),
	CONSTRAINT "appeal_remarks_score_nonnegative" CHECK ("score" >= 0)
);--> statement-breakpoint
ALTER TABLE "appeal_remarks" ADD CONSTRAINT "appeal_remarks_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "appeal_remarks_appeal_slot_unique" ON "appeal_remarks" USING btree ("appeal_id","slot");--> statement-breakpoint
CREATE UNIQUE INDEX "appeal_remarks_appeal_member_unique" ON "appeal_remarks" USING btree ("appeal_id","member_id") WHERE "member_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "appeals_remark_code_unique" ON "appeals" USING btree ("remark_code") WHERE "remark_code" is not null;--> statement-breakpoint
-- Identity frozen at approval (nothing changes after approval but through the law's paths) and the
-- corrections of a candidate's identity the approver authorises, with their history.
CREATE TABLE "approved_identities" (
	"drive_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"full_name" text NOT NULL,
	"birth_date" date NOT NULL,
	"national_id_masked" text NOT NULL,
	"correction_id" uuid,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "approved_identities_pk" PRIMARY KEY("drive_id","application_id")
);--> statement-breakpoint
ALTER TABLE "approved_identities" ADD CONSTRAINT "approved_identities_drive_id_drives_id_fk" FOREIGN KEY ("drive_id") REFERENCES "public"."drives"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "approved_identities_candidate_idx" ON "approved_identities" USING btree ("candidate_id");--> statement-breakpoint
CREATE TABLE "identity_corrections" (
	"id" uuid PRIMARY KEY NOT NULL,
	"candidate_id" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"before" jsonb NOT NULL,
	"after" jsonb NOT NULL,
	"reason" text NOT NULL,
	"evidence" text,
	"requested_by_key_id" uuid,
	"decided_by_key_id" uuid,
	"decision_note" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "identity_corrections_status_known" CHECK ("status" in ('pending','approved','rejected'))
);--> statement-breakpoint
ALTER TABLE "identity_corrections" ADD CONSTRAINT "identity_corrections_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."candidates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "identity_corrections_candidate_idx" ON "identity_corrections" USING btree ("candidate_id");--> statement-breakpoint
CREATE UNIQUE INDEX "identity_corrections_one_pending" ON "identity_corrections" USING btree ("candidate_id") WHERE "status" = 'pending';
