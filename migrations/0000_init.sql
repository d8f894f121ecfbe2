CREATE TABLE "agencies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"name_search" text NOT NULL,
	"bloc" text NOT NULL,
	"parent_id" uuid,
	"path" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "agencies_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "headcounts" (
	"agency_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"staff_category" text NOT NULL,
	"assigned" integer NOT NULL,
	"filled" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "headcounts_pk" PRIMARY KEY("agency_id","year","staff_category"),
	CONSTRAINT "headcounts_filled_within_assigned" CHECK ("headcounts"."filled" >= 0 and "headcounts"."assigned" >= 0 and "headcounts"."filled" <= "headcounts"."assigned")
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"agency_id" uuid,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"stream" integer NOT NULL,
	"seq" bigint NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"actor_key_id" uuid,
	"actor_role" text,
	"on_behalf_of" text,
	"request_id" text,
	"action" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" text NOT NULL,
	"agency_id" uuid,
	"drive_id" uuid,
	"before" jsonb,
	"after" jsonb,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_streams" (
	"stream" integer PRIMARY KEY NOT NULL,
	"last_seq" bigint NOT NULL,
	"last_hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"principal" text NOT NULL,
	"key" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"request_hash" text NOT NULL,
	"state" text NOT NULL,
	"locked_until" timestamp with time zone NOT NULL,
	"response_status" integer,
	"response_headers" jsonb,
	"response_body" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_positions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"agency_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"name_search" text NOT NULL,
	"staff_category" text NOT NULL,
	"leadership" boolean DEFAULT false NOT NULL,
	"description" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "drive_transitions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"drive_id" uuid NOT NULL,
	"from" text NOT NULL,
	"to" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "drives" (
	"id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"name_search" text NOT NULL,
	"kind" text NOT NULL,
	"staff_category" text NOT NULL,
	"year" integer NOT NULL,
	"organizing_agency_id" uuid NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"rule_set_preset" text NOT NULL,
	"rule_set_overrides" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"rule_set" jsonb NOT NULL,
	"rule_set_frozen_at" timestamp with time zone,
	"registration_opens_on" date,
	"registration_closes_on" date,
	"candidate_number_prefix" text,
	"status_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "drives_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "quotas" (
	"id" uuid PRIMARY KEY NOT NULL,
	"drive_id" uuid NOT NULL,
	"agency_id" uuid NOT NULL,
	"job_position_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"staff_category" text NOT NULL,
	"slots" integer NOT NULL,
	"title" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "quotas_slots_positive" CHECK ("quotas"."slots" between 1 and 100000)
);
--> statement-breakpoint
CREATE TABLE "candidate_bars" (
	"id" uuid PRIMARY KEY NOT NULL,
	"candidate_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"source_drive_id" uuid,
	"barred_until" date,
	"drives_remaining" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lifted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "candidates" (
	"id" uuid PRIMARY KEY NOT NULL,
	"full_name" text NOT NULL,
	"full_name_search" text NOT NULL,
	"national_id_ciphertext" text NOT NULL,
	"national_id_index" text NOT NULL,
	"national_id_masked" text NOT NULL,
	"birth_date" date NOT NULL,
	"gender" text NOT NULL,
	"ethnicity" text NOT NULL,
	"nationality" text NOT NULL,
	"contacts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"education" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"priority_claims" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"registered_by_agency_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "candidates_national_id_index_unique" UNIQUE("national_id_index")
);
--> statement-breakpoint
CREATE TABLE "applications" (
	"id" uuid PRIMARY KEY NOT NULL,
	"drive_id" uuid NOT NULL,
	"quota_id" uuid NOT NULL,
	"candidate_id" uuid NOT NULL,
	"choice" integer DEFAULT 1 NOT NULL,
	"status" text DEFAULT 'submitted' NOT NULL,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"priority_claims" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"priority_category" text,
	"priority_points" numeric(5, 2) DEFAULT '0' NOT NULL,
	"exemptions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"candidate_number" text,
	"registered_by_agency_id" uuid,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"withdrawn_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "applications_choice_valid" CHECK ("applications"."choice" in (1, 2))
);
--> statement-breakpoint
CREATE TABLE "appeals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"application_id" uuid NOT NULL,
	"script_id" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"reason" text,
	"filed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"due_on" text NOT NULL,
	"previous_score" numeric(7, 2),
	"new_score" numeric(7, 2),
	"resolution_note" text,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "marks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"script_id" uuid NOT NULL,
	"slot" text NOT NULL,
	"score" numeric(7, 2) NOT NULL,
	"marker_key_id" uuid,
	"entered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "marks_score_nonnegative" CHECK ("marks"."score" >= 0)
);
--> statement-breakpoint
CREATE TABLE "parts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"round_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"max_score" numeric(7, 2) NOT NULL,
	"pass_mark" numeric(7, 2),
	"weight" integer DEFAULT 1 NOT NULL,
	"marking_mode" text DEFAULT 'single' NOT NULL,
	"written" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rounds" (
	"id" uuid PRIMARY KEY NOT NULL,
	"drive_id" uuid NOT NULL,
	"order" integer NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"ranking" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"exemption_codes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"scheduled_on" text,
	"locked_at" timestamp with time zone,
	"revealed_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "score_history" (
	"id" uuid PRIMARY KEY NOT NULL,
	"script_id" uuid NOT NULL,
	"previous_score" numeric(7, 2),
	"new_score" numeric(7, 2),
	"rule" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scripts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"round_id" uuid NOT NULL,
	"part_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"code" text NOT NULL,
	"status" text DEFAULT 'awaiting_marks' NOT NULL,
	"absent" boolean DEFAULT false NOT NULL,
	"final_score" numeric(7, 2),
	"final_rule" text,
	"decision_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "quota_results" (
	"drive_id" uuid NOT NULL,
	"quota_id" uuid PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"slots" integer NOT NULL,
	"winners" integer NOT NULL,
	"tied_application_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "results" (
	"id" uuid PRIMARY KEY NOT NULL,
	"drive_id" uuid NOT NULL,
	"quota_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"outcome" text NOT NULL,
	"rank" integer,
	"winner_slot" integer,
	"quota_slots" integer NOT NULL,
	"ranking_score" numeric(7, 2),
	"raw_score" numeric(7, 2),
	"priority_points" numeric(5, 2) DEFAULT '0' NOT NULL,
	"decided_by" text,
	"explanation" jsonb NOT NULL,
	"cancel_reason" text,
	"cancelled_at" timestamp with time zone,
	"replaced_by_result_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "results_winner_slot_within_quota" CHECK ("results"."winner_slot" is null or "results"."winner_slot" between 1 and "results"."quota_slots")
);
--> statement-breakpoint
CREATE TABLE "tie_decisions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"drive_id" uuid NOT NULL,
	"quota_id" uuid NOT NULL,
	"ordered_application_ids" jsonb NOT NULL,
	"reason" text NOT NULL,
	"decided_by_key_id" uuid,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agencies" ADD CONSTRAINT "agencies_parent_id_agencies_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "headcounts" ADD CONSTRAINT "headcounts_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_positions" ADD CONSTRAINT "job_positions_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drive_transitions" ADD CONSTRAINT "drive_transitions_drive_id_drives_id_fk" FOREIGN KEY ("drive_id") REFERENCES "public"."drives"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drives" ADD CONSTRAINT "drives_organizing_agency_id_agencies_id_fk" FOREIGN KEY ("organizing_agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quotas" ADD CONSTRAINT "quotas_drive_id_drives_id_fk" FOREIGN KEY ("drive_id") REFERENCES "public"."drives"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quotas" ADD CONSTRAINT "quotas_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quotas" ADD CONSTRAINT "quotas_job_position_id_job_positions_id_fk" FOREIGN KEY ("job_position_id") REFERENCES "public"."job_positions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidate_bars" ADD CONSTRAINT "candidate_bars_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."candidates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_drive_id_drives_id_fk" FOREIGN KEY ("drive_id") REFERENCES "public"."drives"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_quota_id_quotas_id_fk" FOREIGN KEY ("quota_id") REFERENCES "public"."quotas"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."candidates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_script_id_scripts_id_fk" FOREIGN KEY ("script_id") REFERENCES "public"."scripts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marks" ADD CONSTRAINT "marks_script_id_scripts_id_fk" FOREIGN KEY ("script_id") REFERENCES "public"."scripts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "parts" ADD CONSTRAINT "parts_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rounds" ADD CONSTRAINT "rounds_drive_id_drives_id_fk" FOREIGN KEY ("drive_id") REFERENCES "public"."drives"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_history" ADD CONSTRAINT "score_history_script_id_scripts_id_fk" FOREIGN KEY ("script_id") REFERENCES "public"."scripts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scripts" ADD CONSTRAINT "scripts_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scripts" ADD CONSTRAINT "scripts_part_id_parts_id_fk" FOREIGN KEY ("part_id") REFERENCES "public"."parts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scripts" ADD CONSTRAINT "scripts_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quota_results" ADD CONSTRAINT "quota_results_drive_id_drives_id_fk" FOREIGN KEY ("drive_id") REFERENCES "public"."drives"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quota_results" ADD CONSTRAINT "quota_results_quota_id_quotas_id_fk" FOREIGN KEY ("quota_id") REFERENCES "public"."quotas"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "results" ADD CONSTRAINT "results_drive_id_drives_id_fk" FOREIGN KEY ("drive_id") REFERENCES "public"."drives"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "results" ADD CONSTRAINT "results_quota_id_quotas_id_fk" FOREIGN KEY ("quota_id") REFERENCES "public"."quotas"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "results" ADD CONSTRAINT "results_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tie_decisions" ADD CONSTRAINT "tie_decisions_drive_id_drives_id_fk" FOREIGN KEY ("drive_id") REFERENCES "public"."drives"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tie_decisions" ADD CONSTRAINT "tie_decisions_quota_id_quotas_id_fk" FOREIGN KEY ("quota_id") REFERENCES "public"."quotas"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agencies_parent_idx" ON "agencies" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "agencies_path_idx" ON "agencies" USING btree ("path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "api_keys_agency_idx" ON "api_keys" USING btree ("agency_id");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_stream_seq_unique" ON "audit_events" USING btree ("stream","seq");--> statement-breakpoint
CREATE INDEX "audit_events_resource_idx" ON "audit_events" USING btree ("resource_type","resource_id");--> statement-breakpoint
CREATE INDEX "audit_events_agency_idx" ON "audit_events" USING btree ("agency_id","id");--> statement-breakpoint
CREATE INDEX "audit_events_drive_idx" ON "audit_events" USING btree ("drive_id","id");--> statement-breakpoint
CREATE INDEX "audit_events_occurred_idx" ON "audit_events" USING btree ("occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "idempotency_keys_pk" ON "idempotency_keys" USING btree ("principal","key");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "job_positions_agency_code_unique" ON "job_positions" USING btree ("agency_id","code");--> statement-breakpoint
CREATE INDEX "job_positions_agency_idx" ON "job_positions" USING btree ("agency_id","id");--> statement-breakpoint
CREATE INDEX "drive_transitions_drive_idx" ON "drive_transitions" USING btree ("drive_id","at");--> statement-breakpoint
CREATE INDEX "drives_agency_idx" ON "drives" USING btree ("organizing_agency_id","id");--> statement-breakpoint
CREATE INDEX "drives_year_idx" ON "drives" USING btree ("year","kind");--> statement-breakpoint
CREATE INDEX "drives_status_idx" ON "drives" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "quotas_drive_agency_position_unique" ON "quotas" USING btree ("drive_id","agency_id","job_position_id");--> statement-breakpoint
CREATE INDEX "quotas_headcount_idx" ON "quotas" USING btree ("agency_id","year","staff_category");--> statement-breakpoint
CREATE INDEX "quotas_drive_idx" ON "quotas" USING btree ("drive_id","id");--> statement-breakpoint
CREATE INDEX "candidate_bars_candidate_idx" ON "candidate_bars" USING btree ("candidate_id");--> statement-breakpoint
CREATE INDEX "candidates_name_search_idx" ON "candidates" USING btree ("full_name_search");--> statement-breakpoint
CREATE UNIQUE INDEX "applications_one_active_per_choice" ON "applications" USING btree ("drive_id","candidate_id","choice") WHERE "applications"."status" <> 'withdrawn';--> statement-breakpoint
CREATE UNIQUE INDEX "applications_one_active_per_quota" ON "applications" USING btree ("drive_id","candidate_id","quota_id") WHERE "applications"."status" <> 'withdrawn';--> statement-breakpoint
CREATE UNIQUE INDEX "applications_candidate_number_unique" ON "applications" USING btree ("drive_id","candidate_number");--> statement-breakpoint
CREATE INDEX "applications_drive_idx" ON "applications" USING btree ("drive_id","id");--> statement-breakpoint
CREATE INDEX "applications_quota_idx" ON "applications" USING btree ("quota_id","status");--> statement-breakpoint
CREATE INDEX "applications_candidate_idx" ON "applications" USING btree ("candidate_id");--> statement-breakpoint
CREATE INDEX "appeals_application_idx" ON "appeals" USING btree ("application_id");--> statement-breakpoint
CREATE UNIQUE INDEX "appeals_one_open_per_script" ON "appeals" USING btree ("script_id") WHERE "appeals"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "marks_script_slot_unique" ON "marks" USING btree ("script_id","slot");--> statement-breakpoint
CREATE UNIQUE INDEX "parts_round_code_unique" ON "parts" USING btree ("round_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "rounds_drive_order_unique" ON "rounds" USING btree ("drive_id","order");--> statement-breakpoint
CREATE INDEX "score_history_script_idx" ON "score_history" USING btree ("script_id");--> statement-breakpoint
CREATE UNIQUE INDEX "scripts_round_code_unique" ON "scripts" USING btree ("round_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "scripts_part_application_unique" ON "scripts" USING btree ("part_id","application_id");--> statement-breakpoint
CREATE INDEX "scripts_application_idx" ON "scripts" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "quota_results_drive_idx" ON "quota_results" USING btree ("drive_id");--> statement-breakpoint
CREATE UNIQUE INDEX "results_application_unique" ON "results" USING btree ("application_id");--> statement-breakpoint
CREATE UNIQUE INDEX "results_one_winner_per_slot" ON "results" USING btree ("quota_id","winner_slot") WHERE "results"."outcome" = 'winner';--> statement-breakpoint
CREATE INDEX "results_drive_idx" ON "results" USING btree ("drive_id","quota_id","rank");--> statement-breakpoint
CREATE UNIQUE INDEX "tie_decisions_quota_unique" ON "tie_decisions" USING btree ("quota_id");