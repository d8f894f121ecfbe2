CREATE TABLE "calendar_entries" (
	"date" date PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"decision_number" text NOT NULL,
	"decision_date" date NOT NULL,
	"decision_issuer" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "calendar_entries_kind_valid" CHECK ("calendar_entries"."kind" in ('tet', 'national_day', 'day_off', 'working_day'))
);
