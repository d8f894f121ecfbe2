-- A correction of a candidate's national ID after approval (issue #16): the corrected number waits
-- for the approver encrypted with the data key and indexed by its keyed blind index, like the
-- candidate's own; both are cleared once the correction is decided (the candidate row then holds it).
ALTER TABLE "identity_corrections" ADD COLUMN "national_id_ciphertext" text;--> statement-breakpoint
ALTER TABLE "identity_corrections" ADD COLUMN "national_id_index" text;
