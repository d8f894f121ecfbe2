DROP INDEX "tie_decisions_quota_unique";--> statement-breakpoint
DROP INDEX "quota_results_drive_idx";--> statement-breakpoint
ALTER TABLE "quota_results" ADD COLUMN "open_slots_in_tie" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "quota_results" ADD COLUMN "reserve_ties" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "quota_results" ADD COLUMN "passed_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "quota_results" ADD COLUMN "candidate_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "quota_results" ADD COLUMN "explanation" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "quota_results" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "results" ADD COLUMN "choice" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "results" ADD COLUMN "cancel_note" text;--> statement-breakpoint
ALTER TABLE "results" ADD COLUMN "promoted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "results" ADD COLUMN "replaces_result_id" uuid;--> statement-breakpoint
ALTER TABLE "tie_decisions" ADD COLUMN "stage" text DEFAULT 'results' NOT NULL;--> statement-breakpoint
CREATE INDEX "tie_decisions_quota_idx" ON "tie_decisions" USING btree ("drive_id","quota_id");--> statement-breakpoint
CREATE INDEX "quota_results_drive_idx" ON "quota_results" USING btree ("drive_id","quota_id");--> statement-breakpoint
ALTER TABLE "results" ADD CONSTRAINT "results_winner_has_slot" CHECK ("results"."outcome" <> 'winner' or "results"."winner_slot" is not null);