DROP TABLE "phone_codes" CASCADE;--> statement-breakpoint
DROP TABLE "resident_codes" CASCADE;