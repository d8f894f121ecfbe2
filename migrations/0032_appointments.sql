-- The winners' path to appointment (src/domain/appointment.ts): one row per person walking it (a
-- winner, a next-lower candidate called to replace one, or one taken for a new need under 115 Art.
-- 18(4)), the head's decisions on recruiting next-lower candidates (300 Art. 5(4)), and the
-- due-soon/overdue alerts already raised for a step.
CREATE TABLE "appointments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"drive_id" uuid NOT NULL,
	"quota_id" uuid NOT NULL,
	"result_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"basis" text NOT NULL,
	"replaces_appointment_id" uuid,
	"called_on" date,
	"notice_received_on" date,
	"dossier_received_on" date,
	"dossier_items" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"record_requested_on" date,
	"record_received_on" date,
	"record_bar" boolean,
	"decision_number" text,
	"decision_date" date,
	"decision_received_on" date,
	"took_up_on" date,
	"status" text DEFAULT 'in_progress' NOT NULL,
	"struck_off_on" date,
	"strike_off_ground" text,
	"strike_off_mode" text,
	"strike_off_decision_number" text,
	"strike_off_decision_date" date,
	"strike_off_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "appointments_result_unique" UNIQUE("result_id"),
	CONSTRAINT "appointments_basis_valid" CHECK ("appointments"."basis" in ('winner', 'replacement', 'new_need')),
	CONSTRAINT "appointments_status_valid" CHECK ("appointments"."status" in ('in_progress', 'took_up', 'struck_off')),
	CONSTRAINT "appointments_struck_off_has_ground" CHECK ("appointments"."status" <> 'struck_off' or ("appointments"."struck_off_on" is not null and "appointments"."strike_off_ground" is not null)),
	CONSTRAINT "appointments_took_up_has_date" CHECK ("appointments"."status" <> 'took_up' or "appointments"."took_up_on" is not null)
);
--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_drive_id_drives_id_fk" FOREIGN KEY ("drive_id") REFERENCES "public"."drives"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "appointments_drive_idx" ON "appointments" USING btree ("drive_id","quota_id");
--> statement-breakpoint
CREATE TABLE "appointment_replacement_decisions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"drive_id" uuid NOT NULL,
	"appointment_id" uuid NOT NULL,
	"recruit" boolean NOT NULL,
	"decision_number" text NOT NULL,
	"decision_date" date NOT NULL,
	"list_due_on" date,
	"list_published_on" date,
	"called_appointment_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appointment_replacement_decisions_one" UNIQUE("appointment_id")
);
--> statement-breakpoint
CREATE TABLE "appointment_alerts" (
	"appointment_id" uuid NOT NULL,
	"step" text NOT NULL,
	"kind" text NOT NULL,
	"due_on" date NOT NULL,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appointment_alerts_pk" PRIMARY KEY("appointment_id","step","kind","due_on"),
	CONSTRAINT "appointment_alerts_kind_valid" CHECK ("appointment_alerts"."kind" in ('due_soon', 'overdue'))
);
--> statement-breakpoint
ALTER TABLE "appointment_alerts" ADD CONSTRAINT "appointment_alerts_appointment_id_appointments_id_fk" FOREIGN KEY ("appointment_id") REFERENCES "public"."appointments"("id") ON DELETE no action ON UPDATE no action;
