CREATE TABLE "community_events" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"place" text NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"capacity" integer NOT NULL,
	"taken" integer DEFAULT 0 NOT NULL,
	"audience_tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"created_by" integer,
	"created_by_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "community_events_taken_ck" CHECK ("community_events"."taken" >= 0 and "community_events"."taken" <= "community_events"."capacity")
);
--> statement-breakpoint
CREATE TABLE "event_signups" (
	"id" serial PRIMARY KEY NOT NULL,
	"event_id" integer NOT NULL,
	"resident_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"state" text NOT NULL,
	"signed_up_by" integer,
	"signed_up_by_name" text NOT NULL,
	"checked_in_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mass_notices" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"title" text NOT NULL,
	"template" text NOT NULL,
	"audience_kind" text NOT NULL,
	"audience_tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"event_id" integer,
	"rate_per_second" integer DEFAULT 50 NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"recipients" integer DEFAULT 0 NOT NULL,
	"duplicates" integer DEFAULT 0 NOT NULL,
	"opted_out" integer DEFAULT 0 NOT NULL,
	"created_by" integer,
	"created_by_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "medicine_boxes" (
	"id" serial PRIMARY KEY NOT NULL,
	"service_point_id" integer NOT NULL,
	"name" text NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "medicine_movements" (
	"id" serial PRIMARY KEY NOT NULL,
	"stock_id" integer NOT NULL,
	"box_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"kind" text NOT NULL,
	"quantity" integer NOT NULL,
	"request_id" integer,
	"approved_by" integer,
	"note" text,
	"actor_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "medicine_requests" (
	"id" serial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"resident_id" integer,
	"resident_account_id" integer,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"medicine_name" text NOT NULL,
	"quantity" integer NOT NULL,
	"note" text,
	"state" text NOT NULL,
	"box_id" integer,
	"stock_id" integer,
	"prescription" boolean DEFAULT false NOT NULL,
	"approved_by" integer,
	"approved_by_name" text,
	"approved_at" timestamp with time zone,
	"claimed_by" integer,
	"claimed_by_name" text,
	"claimed_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"due_at" timestamp with time zone NOT NULL,
	"created_by" integer,
	"created_by_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "medicine_stock" (
	"id" serial PRIMARY KEY NOT NULL,
	"box_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"medicine_name" text NOT NULL,
	"spec" text NOT NULL,
	"batch" text NOT NULL,
	"expires_on" date NOT NULL,
	"quantity" integer NOT NULL,
	"prescription" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "medicine_stock_quantity_ck" CHECK ("medicine_stock"."quantity" >= 0)
);
--> statement-breakpoint
CREATE TABLE "notice_recipients" (
	"id" serial PRIMARY KEY NOT NULL,
	"notice_id" integer NOT NULL,
	"resident_id" integer NOT NULL,
	"phone_hash" text NOT NULL,
	"phone_cipher" text NOT NULL,
	"body" text NOT NULL,
	"state" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"sent_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "phone_opt_outs" (
	"phone_hash" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resident_accounts" (
	"id" serial PRIMARY KEY NOT NULL,
	"resident_id" integer NOT NULL,
	"phone_hash" text NOT NULL,
	"org_path" text NOT NULL,
	"last_sign_in_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resident_codes" (
	"phone_hash" text PRIMARY KEY NOT NULL,
	"code_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"guesses" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resident_reports" (
	"id" serial PRIMARY KEY NOT NULL,
	"resident_account_id" integer NOT NULL,
	"order_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resident_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"resident_account_id" integer NOT NULL,
	"csrf_token" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_points" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"address" text NOT NULL,
	"lat" double precision,
	"long" double precision,
	"hours" text NOT NULL,
	"services" text[] DEFAULT '{}'::text[] NOT NULL,
	"phone" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "community_events_org_idx" ON "community_events" USING btree ("org_path","starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "event_signups_event_resident_uq" ON "event_signups" USING btree ("event_id","resident_id");--> statement-breakpoint
CREATE INDEX "event_signups_event_idx" ON "event_signups" USING btree ("event_id","state","id");--> statement-breakpoint
CREATE INDEX "event_signups_resident_idx" ON "event_signups" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "mass_notices_org_idx" ON "mass_notices" USING btree ("org_path","id");--> statement-breakpoint
CREATE INDEX "medicine_boxes_org_idx" ON "medicine_boxes" USING btree ("org_path");--> statement-breakpoint
CREATE INDEX "medicine_movements_stock_idx" ON "medicine_movements" USING btree ("stock_id","id");--> statement-breakpoint
CREATE INDEX "medicine_requests_org_idx" ON "medicine_requests" USING btree ("org_path","state");--> statement-breakpoint
CREATE INDEX "medicine_requests_due_idx" ON "medicine_requests" USING btree ("due_at") WHERE delivered_at is null and state <> 'cancelled';--> statement-breakpoint
CREATE INDEX "medicine_requests_account_idx" ON "medicine_requests" USING btree ("resident_account_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "medicine_stock_batch_uq" ON "medicine_stock" USING btree ("box_id","medicine_name","spec","batch");--> statement-breakpoint
CREATE INDEX "medicine_stock_org_idx" ON "medicine_stock" USING btree ("org_path","medicine_name");--> statement-breakpoint
CREATE INDEX "medicine_stock_expiry_idx" ON "medicine_stock" USING btree ("expires_on");--> statement-breakpoint
CREATE UNIQUE INDEX "notice_recipients_phone_uq" ON "notice_recipients" USING btree ("notice_id","phone_hash");--> statement-breakpoint
CREATE INDEX "notice_recipients_pending_idx" ON "notice_recipients" USING btree ("notice_id","id") WHERE state = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "resident_accounts_resident_uq" ON "resident_accounts" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "resident_accounts_phone_idx" ON "resident_accounts" USING btree ("phone_hash");--> statement-breakpoint
CREATE INDEX "resident_reports_account_idx" ON "resident_reports" USING btree ("resident_account_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "resident_reports_order_uq" ON "resident_reports" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "resident_sessions_account_idx" ON "resident_sessions" USING btree ("resident_account_id");--> statement-breakpoint
CREATE INDEX "service_points_org_idx" ON "service_points" USING btree ("org_path","kind");