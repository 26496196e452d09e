CREATE TABLE "daily_report_recipients" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"account_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "daily_reports" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"date" date NOT NULL,
	"state" text DEFAULT 'generating' NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"pdf" "bytea",
	"xlsx" "bytea",
	"sent_to" integer DEFAULT 0 NOT NULL,
	"ready_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "daily_report_recipients" ADD CONSTRAINT "daily_report_recipients_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "daily_report_recipients" ADD CONSTRAINT "daily_report_recipients_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "daily_reports" ADD CONSTRAINT "daily_reports_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "daily_report_recipients_idx" ON "daily_report_recipients" USING btree ("org_unit_id","account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "daily_reports_unit_date_idx" ON "daily_reports" USING btree ("org_unit_id","date");--> statement-breakpoint
CREATE INDEX "daily_reports_path_idx" ON "daily_reports" USING btree ("org_path" text_pattern_ops,"date");