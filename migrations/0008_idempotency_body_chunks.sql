CREATE TABLE "idempotency_body_chunks" (
	"principal" text NOT NULL,
	"key" text NOT NULL,
	"seq" integer NOT NULL,
	"body" text NOT NULL,
	CONSTRAINT "idempotency_body_chunks_pk" PRIMARY KEY("principal","key","seq")
);
--> statement-breakpoint
ALTER TABLE "idempotency_body_chunks" ADD CONSTRAINT "idempotency_body_chunks_key_fk" FOREIGN KEY ("principal","key") REFERENCES "public"."idempotency_keys"("principal","key") ON DELETE cascade ON UPDATE no action;