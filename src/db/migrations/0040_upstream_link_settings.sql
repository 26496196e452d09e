ALTER TABLE "upstream_links" ADD COLUMN "enabled" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "upstream_links" ADD COLUMN "poll_interval_minutes" integer DEFAULT 1 NOT NULL;