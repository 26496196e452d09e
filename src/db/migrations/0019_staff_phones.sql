ALTER TABLE "accounts" ADD COLUMN "work_phone" text;--> statement-breakpoint
ALTER TABLE "org_units" ADD COLUMN "duty_phone" text;