-- The date the recruitment plan was approved decides which text governs the drive (Decree 170/2025
-- Art. 71; Decree 300/2026 Art. 35–36); how the preset was pinned (in force, historical
-- recomputation with its reason, or provisional) is recorded beside it. Existing drives keep their
-- stored rule sets untouched: they get no plan date (the API warns it is taken from the opening
-- date) and the 'current' use.
ALTER TABLE "drives" ADD COLUMN "plan_approved_on" date;
--> statement-breakpoint
ALTER TABLE "drives" ADD COLUMN "rule_set_use" text DEFAULT 'current' NOT NULL;
--> statement-breakpoint
ALTER TABLE "drives" ADD COLUMN "rule_set_use_reason" text;
--> statement-breakpoint
ALTER TABLE "drives" ADD CONSTRAINT "drives_rule_set_use_valid" CHECK ("drives"."rule_set_use" in ('current', 'historical', 'provisional') and ("drives"."rule_set_use" <> 'historical' or "drives"."rule_set_use_reason" is not null));
