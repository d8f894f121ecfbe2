-- Updates that change nothing a drive report reads are no longer logged as changes: a drive's row is
-- rewritten by every results computation (status_changed_at, version) and every quota's result row
-- by every computation (computed_at), which made each computation a whole-drive change. The report
-- reads a drive's code, name, kind, year, status and rule set, and a quota result's status.
CREATE FUNCTION drive_changes_of_drive_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO drive_changes (drive_id, xid)
    SELECT DISTINCT coalesce(n.id, o.id), pg_current_xact_id()
      FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
     WHERE o.id IS NULL OR n.id IS NULL
        OR (n.code, n.name, n.kind, n.year, n.status, n.rule_set) IS DISTINCT FROM (o.code, o.name, o.kind, o.year, o.status, o.rule_set)
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION drive_changes_of_quota_results_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO drive_changes (drive_id, quota_id, xid)
    SELECT DISTINCT drive_id,
           CASE WHEN count(*) OVER (PARTITION BY drive_id) > 64 THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE quota_id END,
           pg_current_xact_id()
      FROM (SELECT DISTINCT x.drive_id, x.quota_id
              FROM old_rows o FULL JOIN new_rows n ON n.quota_id = o.quota_id
             CROSS JOIN LATERAL (VALUES (o.drive_id, o.quota_id), (n.drive_id, n.quota_id)) x(drive_id, quota_id)
             WHERE x.quota_id IS NOT NULL
               AND (o.quota_id IS NULL OR n.quota_id IS NULL OR (n.drive_id, n.status) IS DISTINCT FROM (o.drive_id, o.status))) c
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER drives_drive_changes_update AFTER UPDATE ON drives REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_of_drive_update();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER quota_results_drive_changes_update AFTER UPDATE ON quota_results REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION drive_changes_of_quota_results_update();
