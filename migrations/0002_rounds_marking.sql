ALTER TABLE "appeals" ADD COLUMN "window_closes_on" text;--> statement-breakpoint
ALTER TABLE "parts" ADD COLUMN "position" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "parts" ADD COLUMN "panel_size" integer;--> statement-breakpoint
ALTER TABLE "score_history" ADD COLUMN "actor_key_id" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "rounds_drive_code_unique" ON "rounds" USING btree ("drive_id","code");--> statement-breakpoint
CREATE INDEX "scripts_round_status_idx" ON "scripts" USING btree ("round_id","status");--> statement-breakpoint
ALTER TABLE "parts" ADD CONSTRAINT "parts_max_score_positive" CHECK ("parts"."max_score" > 0);--> statement-breakpoint
ALTER TABLE "parts" ADD CONSTRAINT "parts_pass_mark_within_max" CHECK ("parts"."pass_mark" is null or ("parts"."pass_mark" >= 0 and "parts"."pass_mark" <= "parts"."max_score"));--> statement-breakpoint
ALTER TABLE "parts" ADD CONSTRAINT "parts_weight_range" CHECK ("parts"."weight" between 0 and 100);--> statement-breakpoint
ALTER TABLE "parts" ADD CONSTRAINT "parts_panel_size_range" CHECK ("parts"."panel_size" is null or "parts"."panel_size" between 2 and 25);--> statement-breakpoint
ALTER TABLE "rounds" ADD CONSTRAINT "rounds_order_range" CHECK ("rounds"."order" between 1 and 20);--> statement-breakpoint
ALTER TABLE "scripts" ADD CONSTRAINT "scripts_final_score_nonnegative" CHECK ("scripts"."final_score" is null or "scripts"."final_score" >= 0);--> statement-breakpoint
ALTER TABLE "scripts" ADD CONSTRAINT "scripts_absent_has_no_score" CHECK (not "scripts"."absent" or "scripts"."final_score" is null);