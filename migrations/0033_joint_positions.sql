-- Decree 170/2025 Art. 3(2)(b), 10(3): a job position may be recruited jointly for several user
-- agencies (vị trí việc làm được tuyển dụng chung cho nhiều cơ quan sử dụng công chức). Such a position
-- belongs to the recruiting authority; a drive holds one quota of it per user agency, each counted
-- against that agency's headcount. An application to it ranks the user agencies it accepts, in order
-- (the preferences of the registration form), placed by Art. 10(3).
ALTER TABLE "job_positions" ADD COLUMN "joint" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "agency_preferences" jsonb DEFAULT '[]'::jsonb NOT NULL;
