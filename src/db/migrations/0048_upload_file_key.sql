ALTER TABLE "roster_imports" ADD COLUMN "file_key" text;--> statement-breakpoint
ALTER TABLE "verification_lists" ADD COLUMN "file_key" text;