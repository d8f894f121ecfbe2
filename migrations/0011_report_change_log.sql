-- The drive report is cached per drive (src/modules/reports/report-cache.ts). A cached report is
-- exact as long as no transaction it did not see has changed a row it reads. These statement-level
-- triggers record, once per (drive, transaction), that a transaction wrote such rows: one insert per
-- writing statement, whatever its row count (transition tables), and none at all for tables and
-- columns the report does not read. '00000000-0000-0000-0000-000000000000' stands for every drive:
-- agency and job position names and codes appear in every drive's report.
INSERT INTO drive_changes_horizon (id, horizon, next, pruned_at)
  VALUES (true, pg_snapshot_xmin(pg_current_snapshot()), pg_snapshot_xmin(pg_current_snapshot()), now())
  ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- Tables with a drive_id column: applications, quotas, rounds, results, quota_results.
CREATE FUNCTION drive_changes_by_drive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO drive_changes (drive_id, xid) SELECT DISTINCT drive_id, pg_current_xact_id() FROM new_rows
      ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO drive_changes (drive_id, xid)
      SELECT c.drive_id, pg_current_xact_id() FROM (SELECT drive_id FROM new_rows UNION SELECT drive_id FROM old_rows) c
      ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO drive_changes (drive_id, xid) SELECT DISTINCT drive_id, pg_current_xact_id() FROM old_rows
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- drives: the drive itself (code, name, status, rule set).
CREATE FUNCTION drive_changes_of_drive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO drive_changes (drive_id, xid) SELECT DISTINCT id, pg_current_xact_id() FROM new_rows
      ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO drive_changes (drive_id, xid) SELECT DISTINCT id, pg_current_xact_id() FROM old_rows
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- scripts and parts: the drive of their round.
CREATE FUNCTION drive_changes_by_round() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO drive_changes (drive_id, xid)
      SELECT DISTINCT r.drive_id, pg_current_xact_id() FROM (SELECT DISTINCT round_id FROM new_rows) c JOIN rounds r ON r.id = c.round_id
      ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO drive_changes (drive_id, xid)
      SELECT DISTINCT r.drive_id, pg_current_xact_id()
        FROM (SELECT round_id FROM new_rows UNION SELECT round_id FROM old_rows) c JOIN rounds r ON r.id = c.round_id
      ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO drive_changes (drive_id, xid)
      SELECT DISTINCT r.drive_id, pg_current_xact_id() FROM (SELECT DISTINCT round_id FROM old_rows) c JOIN rounds r ON r.id = c.round_id
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- agencies and job_positions (their code and name are in every report), and TRUNCATE of any table
-- the report reads: every drive.
CREATE FUNCTION drive_changes_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO drive_changes (drive_id, xid) VALUES ('00000000-0000-0000-0000-000000000000', pg_current_xact_id())
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER applications_drive_changes_insert AFTER INSERT ON applications REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER applications_drive_changes_update AFTER UPDATE ON applications REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER applications_drive_changes_delete AFTER DELETE ON applications REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER quotas_drive_changes_insert AFTER INSERT ON quotas REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER quotas_drive_changes_update AFTER UPDATE ON quotas REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER quotas_drive_changes_delete AFTER DELETE ON quotas REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER rounds_drive_changes_insert AFTER INSERT ON rounds REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER rounds_drive_changes_update AFTER UPDATE ON rounds REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER rounds_drive_changes_delete AFTER DELETE ON rounds REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER results_drive_changes_insert AFTER INSERT ON results REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER results_drive_changes_update AFTER UPDATE ON results REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER results_drive_changes_delete AFTER DELETE ON results REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER quota_results_drive_changes_insert AFTER INSERT ON quota_results REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER quota_results_drive_changes_update AFTER UPDATE ON quota_results REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER quota_results_drive_changes_delete AFTER DELETE ON quota_results REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_drive();
--> statement-breakpoint
CREATE TRIGGER drives_drive_changes_update AFTER UPDATE ON drives REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_of_drive();
--> statement-breakpoint
CREATE TRIGGER drives_drive_changes_delete AFTER DELETE ON drives REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_of_drive();
--> statement-breakpoint
CREATE TRIGGER scripts_drive_changes_insert AFTER INSERT ON scripts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_round();
--> statement-breakpoint
CREATE TRIGGER scripts_drive_changes_update AFTER UPDATE ON scripts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_round();
--> statement-breakpoint
CREATE TRIGGER scripts_drive_changes_delete AFTER DELETE ON scripts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_round();
--> statement-breakpoint
CREATE TRIGGER parts_drive_changes_insert AFTER INSERT ON parts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_round();
--> statement-breakpoint
CREATE TRIGGER parts_drive_changes_update AFTER UPDATE ON parts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_round();
--> statement-breakpoint
CREATE TRIGGER parts_drive_changes_delete AFTER DELETE ON parts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_by_round();
--> statement-breakpoint
CREATE TRIGGER agencies_drive_changes AFTER UPDATE OR DELETE ON agencies
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_all();
--> statement-breakpoint
CREATE TRIGGER job_positions_drive_changes AFTER UPDATE OR DELETE ON job_positions
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_all();
--> statement-breakpoint
CREATE TRIGGER applications_drive_changes_truncate AFTER TRUNCATE ON applications FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_all();
--> statement-breakpoint
CREATE TRIGGER quotas_drive_changes_truncate AFTER TRUNCATE ON quotas FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_all();
--> statement-breakpoint
CREATE TRIGGER rounds_drive_changes_truncate AFTER TRUNCATE ON rounds FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_all();
--> statement-breakpoint
CREATE TRIGGER results_drive_changes_truncate AFTER TRUNCATE ON results FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_all();
--> statement-breakpoint
CREATE TRIGGER quota_results_drive_changes_truncate AFTER TRUNCATE ON quota_results FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_all();
--> statement-breakpoint
CREATE TRIGGER drives_drive_changes_truncate AFTER TRUNCATE ON drives FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_all();
--> statement-breakpoint
CREATE TRIGGER scripts_drive_changes_truncate AFTER TRUNCATE ON scripts FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_all();
--> statement-breakpoint
CREATE TRIGGER parts_drive_changes_truncate AFTER TRUNCATE ON parts FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_all();
--> statement-breakpoint
CREATE TRIGGER agencies_drive_changes_truncate AFTER TRUNCATE ON agencies FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_all();
--> statement-breakpoint
CREATE TRIGGER job_positions_drive_changes_truncate AFTER TRUNCATE ON job_positions FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_all();
