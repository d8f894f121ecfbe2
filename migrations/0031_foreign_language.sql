-- Decree 170/2025 Art. 9(5): where the recruitment plan requires a foreign language for a position,
-- the agency holds a pass/fail foreign-language exam with its own pass mark, before the professional
-- exam, not counted in the score; only those who pass it sit the professional exam. The quota
-- records the requirement ({ language, passMark: percent of the part maximum }, null: none); a round
-- marked foreign_language is that exam, sat only by the candidates of quotas requiring it.
ALTER TABLE "quotas" ADD COLUMN "foreign_language" jsonb;--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "foreign_language" boolean DEFAULT false NOT NULL;
