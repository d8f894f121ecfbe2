-- Recomputing a national drive replaces 200,000 result rows. Each row had three foreign keys, each
-- checked by its own per-row trigger (a primary-key probe and a FOR KEY SHARE lock per row): about
-- half of the insert time. The application foreign key stays; the drive and quota of a result are
-- its application's, and that is now checked once per INSERT statement by the statement-level
-- trigger that already guards approved results (a single join over the new rows). A result then
-- always names an existing application of the same drive and quota, and its quota cannot be
-- deleted (quota_results and applications keep their own foreign keys to quotas).
-- SQLSTATE 23503 (foreign_key_violation) as the dropped constraints raised.
CREATE OR REPLACE FUNCTION results_guard_approved_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  frozen text;
  stray uuid;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT d.status INTO frozen FROM (SELECT DISTINCT drive_id FROM new_rows) r JOIN drives d ON d.id = r.drive_id
      WHERE d.status IN ('approved', 'published', 'finished') LIMIT 1;
  ELSE
    SELECT d.status INTO frozen FROM (SELECT DISTINCT drive_id FROM old_rows) r JOIN drives d ON d.id = r.drive_id
      WHERE d.status IN ('approved', 'published', 'finished') LIMIT 1;
  END IF;
  IF frozen IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'TDR01', MESSAGE = 'results.immutable',
      DETAIL = format('%s on %s refused: the drive''s results are %s', TG_OP, TG_TABLE_NAME, frozen);
  END IF;
  IF TG_OP = 'INSERT' AND TG_TABLE_NAME = 'results' THEN
    SELECT n.id INTO stray FROM new_rows n LEFT JOIN applications a ON a.id = n.application_id
      WHERE a.id IS NULL OR a.drive_id <> n.drive_id OR a.quota_id <> n.quota_id LIMIT 1;
    IF stray IS NOT NULL THEN
      RAISE EXCEPTION USING ERRCODE = '23503', MESSAGE = 'results_application_drive_quota',
        DETAIL = format('Result %s names a drive or quota other than its application''s', stray);
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Updates of a result's drive, quota or application are checked the same way, once per statement.
CREATE OR REPLACE FUNCTION results_guard_identity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  stray uuid;
BEGIN
  SELECT n.id INTO stray FROM new_rows n LEFT JOIN applications a ON a.id = n.application_id
    WHERE a.id IS NULL OR a.drive_id <> n.drive_id OR a.quota_id <> n.quota_id LIMIT 1;
  IF stray IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = '23503', MESSAGE = 'results_application_drive_quota',
      DETAIL = format('Result %s names a drive or quota other than its application''s', stray);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER results_guard_identity_update AFTER UPDATE ON results REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_guard_identity();
