-- A result's position (its place among rows of equal rank in its quota, migration 0009) is part of
-- what the approving authority signed, like its rank: frozen with the rest once results are
-- approved (same function as migration 0004, with position added to the frozen columns).
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
        NEW.ranking_score, NEW.raw_score, NEW.priority_points, NEW.explanation, NEW.position, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.drive_id, OLD.quota_id, OLD.application_id, OLD.choice, OLD.rank, OLD.quota_slots,
        OLD.ranking_score, OLD.raw_score, OLD.priority_points, OLD.explanation, OLD.position, OLD.created_at) THEN
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
