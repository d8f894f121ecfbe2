ALTER TABLE "idempotency_keys" ADD COLUMN "owner" uuid;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "resource_type" text;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "resource_id" text;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "secret_withheld" boolean DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE "idempotency_keys" SET "response_body" = NULL, "secret_withheld" = true WHERE "state" = 'done' AND "path" IN ('/v1/api-keys', '/v1/webhooks') AND "response_status" = 201;
