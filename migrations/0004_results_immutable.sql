-- Approved results are immutable (DOMAIN.md "Drive lifecycle": only approved results are published,
-- and what the approving authority signed must not change underneath it). Once a drive is approved,
-- published or finished, no result row may be inserted or deleted, and an update may only carry
-- out a cancellation (winner → cancelled with its reason) or the promotion of a reserve into the
-- freed slot (reserve/tied_pending → winner/tied_pending/reserve, winner_slot, decided_by). Scores,
-- ranks, explanations and identities never change. SQLSTATE TDR01 = results.immutable.
CREATE OR REPLACE FUNCTION results_guard_approved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  drive_status text;
BEGIN
  SELECT status INTO drive_status FROM drives WHERE id = OLD.drive_id;
  IF drive_status IS NULL OR drive_status NOT IN ('approved', 'published', 'finished') THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME = 'results' THEN
    IF (NEW.id, NEW.drive_id, NEW.quota_id, NEW.application_id, NEW.choice, NEW.rank, NEW.quota_slots,
        NEW.ranking_score, NEW.raw_score, NEW.priority_points, NEW.explanation, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.drive_id, OLD.quota_id, OLD.application_id, OLD.choice, OLD.rank, OLD.quota_slots,
        OLD.ranking_score, OLD.raw_score, OLD.priority_points, OLD.explanation, OLD.created_at) THEN
      RAISE EXCEPTION USING ERRCODE = 'TDR01', MESSAGE = 'results.immutable',
        DETAIL = format('Scores, ranks and explanations of result %s are frozen: the drive''s results are %s', OLD.id, drive_status);
    END IF;
    IF NEW.outcome IS DISTINCT FROM OLD.outcome AND NOT (
         (OLD.outcome = 'winner' AND NEW.outcome = 'cancelled')
      OR (OLD.outcome IN ('reserve', 'tied_pending') AND NEW.outcome IN ('winner', 'tied_pending', 'reserve'))
    ) THEN
      RAISE EXCEPTION USING ERRCODE = 'TDR01', MESSAGE = 'results.immutable',
        DETAIL = format('Result %s cannot go from %s to %s after approval', OLD.id, OLD.outcome, NEW.outcome);
    END IF;
    IF OLD.outcome = 'cancelled' AND (NEW.cancel_reason, NEW.cancel_note, NEW.cancelled_at) IS DISTINCT FROM (OLD.cancel_reason, OLD.cancel_note, OLD.cancelled_at) THEN
      RAISE EXCEPTION USING ERRCODE = 'TDR01', MESSAGE = 'results.immutable',
        DETAIL = format('The cancellation of result %s is on record and cannot change', OLD.id);
    END IF;
  ELSE
    IF (NEW.drive_id, NEW.quota_id, NEW.slots, NEW.passed_count, NEW.candidate_count, NEW.computed_at)
       IS DISTINCT FROM (OLD.drive_id, OLD.quota_id, OLD.slots, OLD.passed_count, OLD.candidate_count, OLD.computed_at) THEN
      RAISE EXCEPTION USING ERRCODE = 'TDR01', MESSAGE = 'results.immutable',
        DETAIL = format('Quota result %s is frozen: the drive''s results are %s', OLD.quota_id, drive_status);
    END IF;
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
-- Inserts and deletes are checked once per statement (recomputing a drive replaces 100,000 rows).
CREATE OR REPLACE FUNCTION results_guard_approved_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  frozen text;
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
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER results_guard_approved BEFORE UPDATE ON results
  FOR EACH ROW EXECUTE FUNCTION results_guard_approved();
--> statement-breakpoint
CREATE TRIGGER quota_results_guard_approved BEFORE UPDATE ON quota_results
  FOR EACH ROW EXECUTE FUNCTION results_guard_approved();
--> statement-breakpoint
CREATE TRIGGER results_guard_approved_insert AFTER INSERT ON results REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_guard_approved_rows();
--> statement-breakpoint
CREATE TRIGGER results_guard_approved_delete AFTER DELETE ON results REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_guard_approved_rows();
--> statement-breakpoint
CREATE TRIGGER quota_results_guard_approved_insert AFTER INSERT ON quota_results REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_guard_approved_rows();
--> statement-breakpoint
CREATE TRIGGER quota_results_guard_approved_delete AFTER DELETE ON quota_results REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_guard_approved_rows();
