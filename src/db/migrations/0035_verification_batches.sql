ALTER TABLE "verification_lists" ADD COLUMN "campaign_id" integer;--> statement-breakpoint
ALTER TABLE "verification_lists" ADD COLUMN "batch_no" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "verification_rows" ADD COLUMN "batch_status" text;--> statement-breakpoint
ALTER TABLE "verification_rows" ADD COLUMN "changed_fields" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "verification_rows" ADD COLUMN "prior_row_id" bigint;--> statement-breakpoint
CREATE INDEX "verification_lists_campaign_idx" ON "verification_lists" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "verification_rows_dup_key_idx" ON "verification_rows" USING btree ("dup_key","list_id");