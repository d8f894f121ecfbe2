-- A drive's timeline (src/domain/timeline.ts): the dates of events the service does not record
-- itself (or records later than the paper says), the chair's extension decisions, and the
-- due-soon/overdue alerts already raised, so a sweep on any instance raises each alert once.
CREATE TABLE "drive_timeline_events" (
	"drive_id" uuid NOT NULL,
	"event" text NOT NULL,
	"date" date NOT NULL,
	"reference" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "drive_timeline_events_pk" PRIMARY KEY("drive_id","event")
);
--> statement-breakpoint
ALTER TABLE "drive_timeline_events" ADD CONSTRAINT "drive_timeline_events_drive_id_drives_id_fk" FOREIGN KEY ("drive_id") REFERENCES "public"."drives"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE TABLE "drive_timeline_extensions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"drive_id" uuid NOT NULL,
	"step" text NOT NULL,
	"decision_number" text NOT NULL,
	"decision_date" date NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "drive_timeline_extensions_step_valid" CHECK ("drive_timeline_extensions"."step" in ('round1', 'written_results', 'remarking'))
);
--> statement-breakpoint
ALTER TABLE "drive_timeline_extensions" ADD CONSTRAINT "drive_timeline_extensions_drive_id_drives_id_fk" FOREIGN KEY ("drive_id") REFERENCES "public"."drives"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "drive_timeline_extensions_drive_step_unique" ON "drive_timeline_extensions" USING btree ("drive_id","step");
--> statement-breakpoint
CREATE TABLE "drive_timeline_alerts" (
	"drive_id" uuid NOT NULL,
	"step" text NOT NULL,
	"kind" text NOT NULL,
	"due_on" date NOT NULL,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "drive_timeline_alerts_pk" PRIMARY KEY("drive_id","step","kind","due_on"),
	CONSTRAINT "drive_timeline_alerts_kind_valid" CHECK ("drive_timeline_alerts"."kind" in ('due_soon', 'overdue'))
);
--> statement-breakpoint
ALTER TABLE "drive_timeline_alerts" ADD CONSTRAINT "drive_timeline_alerts_drive_id_drives_id_fk" FOREIGN KEY ("drive_id") REFERENCES "public"."drives"("id") ON DELETE no action ON UPDATE no action;
