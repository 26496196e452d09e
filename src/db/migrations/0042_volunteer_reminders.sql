CREATE TABLE "volunteer_reminders" (
	"id" serial PRIMARY KEY NOT NULL,
	"member_id" integer NOT NULL,
	"quarter" text NOT NULL,
	"org_path" text NOT NULL,
	"minutes" integer NOT NULL,
	"min_minutes" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "volunteer_reminders_uq" ON "volunteer_reminders" USING btree ("member_id","quarter");--> statement-breakpoint
CREATE INDEX "volunteer_reminders_org_idx" ON "volunteer_reminders" USING btree ("quarter","org_path");