CREATE TABLE "event_reminders" (
	"id" serial PRIMARY KEY NOT NULL,
	"event_id" integer NOT NULL,
	"kind" text NOT NULL,
	"org_path" text NOT NULL,
	"sent" integer DEFAULT 0 NOT NULL,
	"opted_out" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "volunteer_wishes" ADD COLUMN "resident_account_id" integer;--> statement-breakpoint
CREATE UNIQUE INDEX "event_reminders_event_kind_uq" ON "event_reminders" USING btree ("event_id","kind");--> statement-breakpoint
CREATE INDEX "volunteer_wishes_resident_account_idx" ON "volunteer_wishes" USING btree ("resident_account_id","id") WHERE "volunteer_wishes"."resident_account_id" is not null;