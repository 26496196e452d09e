ALTER TABLE "buildings" ADD COLUMN "lat" double precision;--> statement-breakpoint
ALTER TABLE "buildings" ADD COLUMN "long" double precision;--> statement-breakpoint
ALTER TABLE "org_units" ADD COLUMN "boundary" jsonb;