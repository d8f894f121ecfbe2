-- The drive report is recomputed per quota after a change (src/modules/reports/reports.service.ts):
-- the change log now says which quotas each transaction changed. Rows whose quota_id is
-- '00000000-0000-0000-0000-000000000000' (the column's default, so every row written before this
-- migration and by the triggers kept from 0011_report_change_log) stand for the whole drive: the
-- drive itself, its rounds and parts, agency and job position names, TRUNCATE. A statement that
-- touches more than 64 quotas of a drive writes that one row too, instead of one row per quota: a
-- report that many quotas behind is counted again from scratch anyway.
--
-- Tables with drive_id and quota_id columns: applications, results, quota_results.
CREATE FUNCTION drive_changes_by_quota() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO drive_changes (drive_id, quota_id, xid)
      SELECT DISTINCT drive_id,
             CASE WHEN count(*) OVER (PARTITION BY drive_id) > 64 THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE quota_id END,
             pg_current_xact_id()
        FROM (SELECT DISTINCT drive_id, quota_id FROM new_rows) c
      ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO drive_changes (drive_id, quota_id, xid)
      SELECT DISTINCT drive_id,
             CASE WHEN count(*) OVER (PARTITION BY drive_id) > 64 THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE quota_id END,
             pg_current_xact_id()
        FROM (SELECT drive_id, quota_id FROM new_rows UNION SELECT drive_id, quota_id FROM old_rows) c
      ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO drive_changes (drive_id, quota_id, xid)
      SELECT DISTINCT drive_id,
             CASE WHEN count(*) OVER (PARTITION BY drive_id) > 64 THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE quota_id END,
             pg_current_xact_id()
        FROM (SELECT DISTINCT drive_id, quota_id FROM old_rows) c
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- quotas: the quota itself (slots, title, agency, job position).
CREATE FUNCTION drive_changes_of_quota() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO drive_changes (drive_id, quota_id, xid)
      SELECT DISTINCT drive_id,
             CASE WHEN count(*) OVER (PARTITION BY drive_id) > 64 THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE id END,
             pg_current_xact_id()
        FROM (SELECT DISTINCT drive_id, id FROM new_rows) c
      ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO drive_changes (drive_id, quota_id, xid)
      SELECT DISTINCT drive_id,
             CASE WHEN count(*) OVER (PARTITION BY drive_id) > 64 THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE id END,
             pg_current_xact_id()
        FROM (SELECT drive_id, id FROM new_rows UNION SELECT drive_id, id FROM old_rows) c
      ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO drive_changes (drive_id, quota_id, xid)
      SELECT DISTINCT drive_id,
             CASE WHEN count(*) OVER (PARTITION BY drive_id) > 64 THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE id END,
             pg_current_xact_id()
        FROM (SELECT DISTINCT drive_id, id FROM old_rows) c
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- scripts have no quota: the drive is their round's, the quota their application's (the report
-- counts a script in its application's quota).
CREATE FUNCTION drive_changes_of_scripts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO drive_changes (drive_id, quota_id, xid)
      SELECT DISTINCT drive_id,
             CASE WHEN count(*) OVER (PARTITION BY drive_id) > 64 THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE quota_id END,
             pg_current_xact_id()
        FROM (SELECT DISTINCT r.drive_id, a.quota_id
                FROM (SELECT DISTINCT round_id, application_id FROM new_rows) s
                JOIN rounds r ON r.id = s.round_id
                JOIN applications a ON a.id = s.application_id) c
      ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO drive_changes (drive_id, quota_id, xid)
      SELECT DISTINCT drive_id,
             CASE WHEN count(*) OVER (PARTITION BY drive_id) > 64 THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE quota_id END,
             pg_current_xact_id()
        FROM (SELECT DISTINCT r.drive_id, a.quota_id
                FROM (SELECT round_id, application_id FROM new_rows UNION SELECT round_id, application_id FROM old_rows) s
                JOIN rounds r ON r.id = s.round_id
                JOIN applications a ON a.id = s.application_id) c
      ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO drive_changes (drive_id, quota_id, xid)
      SELECT DISTINCT drive_id,
             CASE WHEN count(*) OVER (PARTITION BY drive_id) > 64 THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE quota_id END,
             pg_current_xact_id()
        FROM (SELECT DISTINCT r.drive_id, a.quota_id
                FROM (SELECT DISTINCT round_id, application_id FROM old_rows) s
                JOIN rounds r ON r.id = s.round_id
                JOIN applications a ON a.id = s.application_id) c
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER applications_drive_changes_insert AFTER INSERT ON applications REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_quota();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER applications_drive_changes_update AFTER UPDATE ON applications REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_quota();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER applications_drive_changes_delete AFTER DELETE ON applications REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_quota();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER results_drive_changes_insert AFTER INSERT ON results REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_quota();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER results_drive_changes_update AFTER UPDATE ON results REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_quota();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER results_drive_changes_delete AFTER DELETE ON results REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_quota();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER quota_results_drive_changes_insert AFTER INSERT ON quota_results REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_quota();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER quota_results_drive_changes_update AFTER UPDATE ON quota_results REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_quota();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER quota_results_drive_changes_delete AFTER DELETE ON quota_results REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_quota();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER quotas_drive_changes_insert AFTER INSERT ON quotas REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_of_quota();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER quotas_drive_changes_update AFTER UPDATE ON quotas REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_of_quota();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER quotas_drive_changes_delete AFTER DELETE ON quotas REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_of_quota();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER scripts_drive_changes_insert AFTER INSERT ON scripts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_of_scripts();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER scripts_drive_changes_update AFTER UPDATE ON scripts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_of_scripts();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER scripts_drive_changes_delete AFTER DELETE ON scripts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_of_scripts();
