-- The audit chain becomes keyed (HMAC under AUDIT_KEY, outside the database): each event names the
-- key its hash is made with. Events written before this migration keep a null key id and their
-- plain SHA-256 hashes; verification accepts them only below a signed checkpoint.
ALTER TABLE "audit_events" ADD COLUMN "key_id" text;
--> statement-breakpoint
CREATE TABLE "audit_checkpoints" (
	"id" uuid PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"key_id" text NOT NULL,
	"heads" jsonb NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_checkpoints_created_idx" ON "audit_checkpoints" USING btree ("created_at","id");
