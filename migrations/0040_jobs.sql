-- Long work as jobs (issue 18, item 1): import, results computation, exports and the audit
-- verification run in the background when the request says `Prefer: respond-async`. The queue is
-- this table, claimed with FOR UPDATE SKIP LOCKED under a lease (no LISTEN/NOTIFY, no session
-- advisory lock): it works on the embedded database (one session) and behind PgBouncer in
-- transaction mode. See README "Jobs" for the comparison with pg-boss and graphile-worker.
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"key_id" uuid,
	"drive_id" uuid,
	"params" "bytea" NOT NULL,
	"total" integer,
	"done" integer DEFAULT 0 NOT NULL,
	"progress_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"cancel_requested" boolean DEFAULT false NOT NULL,
	"result" jsonb,
	"problem" jsonb,
	"has_output" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"run_started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "jobs_state_check" CHECK ("state" in ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired')),
	CONSTRAINT "jobs_kind_check" CHECK ("kind" in ('applications.import', 'results.compute', 'export', 'audit.verify'))
);
--> statement-breakpoint
CREATE INDEX "jobs_key_idx" ON "jobs" USING btree ("key_id","id");
--> statement-breakpoint
CREATE INDEX "jobs_open_idx" ON "jobs" USING btree ("state","created_at") WHERE "state" in ('queued', 'running');
--> statement-breakpoint
CREATE INDEX "jobs_expires_idx" ON "jobs" USING btree ("expires_at");
--> statement-breakpoint
-- A job's input (an import body) and output (an import's per-row report, an export file), in
-- pieces of at most 1 MiB, each encrypted with a key derived from the data key (AES-256-GCM).
CREATE TABLE "job_blobs" (
	"job_id" uuid NOT NULL,
	"part" text NOT NULL,
	"seq" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "job_blobs_pkey" PRIMARY KEY("job_id","part","seq"),
	CONSTRAINT "job_blobs_part_check" CHECK ("part" in ('input', 'output'))
);
--> statement-breakpoint
ALTER TABLE "job_blobs" ADD CONSTRAINT "job_blobs_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- The per-row results of each committed batch of a non-atomic import, written in the batch's own
-- transaction: a job taken over after its instance died resumes after the last committed batch.
CREATE TABLE "job_batches" (
	"job_id" uuid NOT NULL,
	"first_row" integer NOT NULL,
	"results" "bytea" NOT NULL,
	CONSTRAINT "job_batches_pkey" PRIMARY KEY("job_id","first_row")
);
--> statement-breakpoint
ALTER TABLE "job_batches" ADD CONSTRAINT "job_batches_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;
