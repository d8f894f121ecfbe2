-- The results foreign key to applications is dropped (previous migration): on a first computation
-- of a national drive it checked each of 200,000 inserted rows on its own and wrote a lock on each
-- application's row. What it held is held here instead:
-- * an inserted or updated result names an existing application of its drive and quota: the
--   statement-level triggers results_guard_approved_insert and results_guard_identity_update
--   (migration 0006_results_fast) already check every row of the statement against applications;
-- * an application that has a result is neither deleted nor given another id (23503, as the
--   foreign key raised). Results are only written by a computation, which holds its drive's row
--   lock (FOR UPDATE) until it commits: a delete takes a share lock on the drive's row first, so it
--   waits for a computation in progress and then sees the results it committed.
CREATE OR REPLACE FUNCTION applications_keep_results() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM drives WHERE id = OLD.drive_id FOR SHARE;
  IF EXISTS (SELECT 1 FROM results WHERE application_id = OLD.id) THEN
    RAISE EXCEPTION USING ERRCODE = '23503', MESSAGE = 'results_application_exists',
      DETAIL = format('Application %s has a result: it cannot be deleted or change its id', OLD.id);
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER applications_keep_results_delete BEFORE DELETE ON applications
  FOR EACH ROW EXECUTE FUNCTION applications_keep_results();
--> statement-breakpoint
CREATE TRIGGER applications_keep_results_id BEFORE UPDATE OF id ON applications
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION applications_keep_results();
