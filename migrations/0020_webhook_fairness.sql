ALTER TABLE "webhook_subscriptions" ADD COLUMN "backoff_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD COLUMN "consecutive_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "webhook_subscriptions_created_by_idx" ON "webhook_subscriptions" USING btree ("created_by");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_subscription_due_idx" ON "webhook_deliveries" USING btree ("subscription_id","next_attempt_at") WHERE "webhook_deliveries"."status" in ('pending', 'failed');
