-- Selection by review (xét tuyển) as a method per quota: a plan may hold exam and review positions
-- together (Decree 170/2025 Art. 3(2)(d), (e)). A civil-servant review quota belongs to one group of
-- Art. 5; the candidate declares it at registration with evidence references.
ALTER TABLE "quotas" ADD COLUMN IF NOT EXISTS "method" text DEFAULT 'exam' NOT NULL;
--> statement-breakpoint
ALTER TABLE "quotas" ADD COLUMN IF NOT EXISTS "review_group" text;
--> statement-breakpoint
ALTER TABLE "quotas" ADD CONSTRAINT "quotas_review_group_known" CHECK ("review_group" is null or ("method" = 'review' and "review_group" in ('disadvantaged_area_commitment', 'cu_tuyen_graduate', 'talent')));
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN IF NOT EXISTS "review_group" text;
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN IF NOT EXISTS "review_evidence" jsonb DEFAULT '[]'::jsonb NOT NULL;
--> statement-breakpoint
-- A round of the review quotas (method 'review') or of the exam quotas (null or 'exam'); the oral of
-- a civil-servant review is held within 15 days of the summons (Art. 16(6)).
ALTER TABLE "rounds" ADD COLUMN IF NOT EXISTS "method" text;
--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN IF NOT EXISTS "summoned_on" text;
--> statement-breakpoint
ALTER TABLE "rounds" ADD CONSTRAINT "rounds_method_known" CHECK ("method" is null or "method" in ('exam', 'review'));
--> statement-breakpoint
DROP INDEX IF EXISTS "rounds_drive_order_unique";
--> statement-breakpoint
DROP INDEX IF EXISTS "rounds_drive_code_unique";
--> statement-breakpoint
CREATE UNIQUE INDEX "rounds_drive_order_unique" ON "rounds" USING btree ("drive_id", coalesce("grade", ''), (coalesce("method", 'exam')), "order");
--> statement-breakpoint
CREATE UNIQUE INDEX "rounds_drive_code_unique" ON "rounds" USING btree ("drive_id", coalesce("grade", ''), (coalesce("method", 'exam')), "code");
