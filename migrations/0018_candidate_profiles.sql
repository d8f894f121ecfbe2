-- One person, one submission per registering agency (issue 12, item 1). `candidates` stays the
-- person (national ID ciphertext and unique blind index) and keeps, in its other columns, what
-- its first registering agency (registered_by_agency_id) submitted. Another agency that registers
-- the same person gets a row here with what it submitted; it never reads the person's columns.
CREATE TABLE "candidate_profiles" (
	"id" uuid PRIMARY KEY NOT NULL,
	"candidate_id" uuid NOT NULL,
	"agency_id" uuid NOT NULL,
	"full_name" text NOT NULL,
	"full_name_search" text NOT NULL,
	"birth_date" date NOT NULL,
	"gender" text NOT NULL,
	"ethnicity" text NOT NULL,
	"nationality" text NOT NULL,
	"contacts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"education" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"priority_claims" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "candidate_profiles_candidate_agency_unique" UNIQUE("candidate_id","agency_id")
);
--> statement-breakpoint
ALTER TABLE "candidate_profiles" ADD CONSTRAINT "candidate_profiles_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."candidates"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "candidate_profiles" ADD CONSTRAINT "candidate_profiles_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "candidate_profiles_name_search_idx" ON "candidate_profiles" USING btree ("full_name_search");
--> statement-breakpoint
-- The submission an application was registered with: null = the person's own columns (its first
-- registering agency's submission). Names in results, exports and lists come from it. No foreign
-- key: the bulk import sets it in the statement that creates the profile, and a profile another
-- request created meanwhile is linked by a second statement (applications.bulk.ts).
ALTER TABLE "applications" ADD COLUMN "profile_id" uuid;
