ALTER TABLE "results" DROP CONSTRAINT "results_drive_id_drives_id_fk";
--> statement-breakpoint
ALTER TABLE "results" DROP CONSTRAINT "results_quota_id_quotas_id_fk";
