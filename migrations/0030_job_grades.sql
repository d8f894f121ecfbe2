-- Decree 170/2025 Art. 9 (Art. 9(4) as amended by Decree 300/2026 Art. 2): the exam structure
-- follows the grade (ngạch) of the job position. A job position may record its grade (optional:
-- existing positions have none); a round may concern the quotas of one grade only, so one drive can
-- hold quotas of different grades, each sitting its own rounds. A round without a grade concerns
-- every quota, as before; orders and codes are unique per drive and grade.
ALTER TABLE "job_positions" ADD COLUMN "grade" text;--> statement-breakpoint
ALTER TABLE "job_positions" ADD CONSTRAINT "job_positions_grade_known" CHECK ("grade" is null or "grade" in ('nhan_vien', 'chuyen_vien', 'chuyen_vien_chinh', 'cao_cap'));--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "grade" text;--> statement-breakpoint
ALTER TABLE "rounds" ADD CONSTRAINT "rounds_grade_known" CHECK ("grade" is null or "grade" in ('nhan_vien', 'chuyen_vien', 'chuyen_vien_chinh', 'cao_cap'));--> statement-breakpoint
DROP INDEX "rounds_drive_order_unique";--> statement-breakpoint
CREATE UNIQUE INDEX "rounds_drive_order_unique" ON "rounds" USING btree ("drive_id", coalesce("grade", ''), "order");--> statement-breakpoint
DROP INDEX "rounds_drive_code_unique";--> statement-breakpoint
CREATE UNIQUE INDEX "rounds_drive_code_unique" ON "rounds" USING btree ("drive_id", coalesce("grade", ''), "code");--> statement-breakpoint
-- Decree 170/2025 Art. 9(2)(b), 16(4)(b)–(c): a written part may be taken on computer (60–120
-- questions, results at once, no appeal); the interview after it is sat only by those who passed it.
ALTER TABLE "parts" ADD COLUMN "computer" boolean DEFAULT false NOT NULL;
