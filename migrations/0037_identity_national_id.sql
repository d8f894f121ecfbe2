-- A correction of a candidate's national ID after approval (issue #16): the corrected number waits
-- for the approver encrypted with the data key and indexed by its keyed blind index, like the
-- candidate's own; both are cleared once the correction is decided (the candidate row then holds it).
ALTER TABLE "identity_corrections" ADD COLUMN "national_id_ciphertext" text;--> statement-breakpoint
ALTER TABLE "identity_corrections" ADD COLUMN "national_id_index" text;
--> statement-breakpoint
-- Marking bags (túi bài, Circular 22/2025 Quy chế Art. 16(1)(b), 16(2)(a)–(b)): a paper script belongs
-- to a bag; the second marker is never given a bag they marked first.
ALTER TABLE "scripts" ADD COLUMN "bag" text;--> statement-breakpoint
CREATE INDEX "scripts_round_bag_idx" ON "scripts" USING btree ("round_id","bag") WHERE "bag" is not null;
