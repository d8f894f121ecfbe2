-- The W3C trace context of the request that raised an event: its webhook deliveries carry it on.
ALTER TABLE "webhook_events" ADD COLUMN "trace_parent" text;--> statement-breakpoint
-- /metrics counts dead deliveries per subscription at scrape time: a partial index keeps that cheap.
CREATE INDEX "webhook_deliveries_dead_idx" ON "webhook_deliveries" USING btree ("subscription_id") WHERE "webhook_deliveries"."status" = 'dead';
