-- Decree 115/2020 Art. 14(2)(e) and 14(6) as amended by 85/2023: a second choice (NV2) may be
-- registered only for the positions the notice designates. Quotas of drives whose rule set allows
-- NV2 keep accepting it as before this column existed; new quotas are closed to NV2 unless marked.
ALTER TABLE "quotas" ADD COLUMN "second_choice_open" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
UPDATE "quotas" SET "second_choice_open" = true
WHERE "drive_id" IN (SELECT "id" FROM "drives" WHERE ("rule_set" ->> 'applicationsPerCandidate') = '2');
