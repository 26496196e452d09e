CREATE TABLE "care_alerts" (
	"id" serial PRIMARY KEY NOT NULL,
	"visit_id" integer,
	"resident_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"doctor_id" integer,
	"level" text NOT NULL,
	"reasons" jsonb NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"work_order_id" integer,
	"ack_by" integer,
	"ack_at" timestamp with time zone,
	"ack_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "care_consultations" (
	"id" serial PRIMARY KEY NOT NULL,
	"resident_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"doctor_id" integer NOT NULL,
	"doctor_name" text NOT NULL,
	"mode" text NOT NULL,
	"summary" text NOT NULL,
	"advice" text,
	"alert_id" integer,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "care_plans" (
	"id" serial PRIMARY KEY NOT NULL,
	"resident_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"frequency_override" text,
	"assigned_worker_id" integer,
	"doctor_id" integer,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_visit_at" timestamp with time zone,
	"warned_due_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "care_roster" (
	"id" serial PRIMARY KEY NOT NULL,
	"community_id" integer NOT NULL,
	"member_id" integer NOT NULL,
	"date" date NOT NULL,
	"shift" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "care_settings" (
	"community_id" integer PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "care_tag_assignments" (
	"id" serial PRIMARY KEY NOT NULL,
	"resident_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"tag" text NOT NULL,
	"source" text NOT NULL,
	"note" text,
	"set_by" integer,
	"set_by_name" text,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	"removed_by" integer,
	"removed_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "care_team_members" (
	"id" serial PRIMARY KEY NOT NULL,
	"community_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"team_role" text NOT NULL,
	"name" text NOT NULL,
	"phone" text NOT NULL,
	"account_id" integer,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "care_visits" (
	"id" serial PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"resident_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"kind" text NOT NULL,
	"visited_at" timestamp with time zone NOT NULL,
	"duration_minutes" integer NOT NULL,
	"findings" text NOT NULL,
	"needs" jsonb NOT NULL,
	"vitals" jsonb NOT NULL,
	"findings_flags" jsonb NOT NULL,
	"level" text NOT NULL,
	"visitor_id" integer NOT NULL,
	"visitor_name" text NOT NULL,
	"work_order_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "doctor_contracts" (
	"id" serial PRIMARY KEY NOT NULL,
	"resident_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"doctor_id" integer NOT NULL,
	"service_package" text NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "referral_events" (
	"id" serial PRIMARY KEY NOT NULL,
	"referral_id" integer NOT NULL,
	"action" text NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"actor_id" integer,
	"actor_name" text,
	"role" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "referrals" (
	"id" serial PRIMARY KEY NOT NULL,
	"resident_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"hospital_code" text NOT NULL,
	"hospital_name" text NOT NULL,
	"department" text NOT NULL,
	"reason" text NOT NULL,
	"green_channel" boolean DEFAULT false NOT NULL,
	"state" text NOT NULL,
	"requested_by" integer NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"appointment_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "care_alerts_open_idx" ON "care_alerts" USING btree ("state","id");--> statement-breakpoint
CREATE INDEX "care_alerts_resident_idx" ON "care_alerts" USING btree ("resident_id","id");--> statement-breakpoint
CREATE INDEX "care_alerts_org_path_idx" ON "care_alerts" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "care_consultations_resident_idx" ON "care_consultations" USING btree ("resident_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "care_plans_resident_uq" ON "care_plans" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "care_plans_org_path_idx" ON "care_plans" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "care_roster_slot_uq" ON "care_roster" USING btree ("community_id","date","shift","member_id");--> statement-breakpoint
CREATE INDEX "care_roster_member_idx" ON "care_roster" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "care_tag_assignments_current_uq" ON "care_tag_assignments" USING btree ("resident_id","tag") WHERE "care_tag_assignments"."removed_at" is null;--> statement-breakpoint
CREATE INDEX "care_tag_assignments_resident_idx" ON "care_tag_assignments" USING btree ("resident_id","id");--> statement-breakpoint
CREATE INDEX "care_team_members_community_idx" ON "care_team_members" USING btree ("community_id");--> statement-breakpoint
CREATE UNIQUE INDEX "care_visits_idempotency_uq" ON "care_visits" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "care_visits_resident_idx" ON "care_visits" USING btree ("resident_id","visited_at");--> statement-breakpoint
CREATE INDEX "care_visits_org_path_idx" ON "care_visits" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "doctor_contracts_resident_idx" ON "doctor_contracts" USING btree ("resident_id","start_date");--> statement-breakpoint
CREATE INDEX "doctor_contracts_doctor_idx" ON "doctor_contracts" USING btree ("doctor_id","end_date");--> statement-breakpoint
CREATE INDEX "referral_events_referral_idx" ON "referral_events" USING btree ("referral_id","id");--> statement-breakpoint
CREATE INDEX "referrals_state_idx" ON "referrals" USING btree ("state","green_channel","requested_at");--> statement-breakpoint
CREATE INDEX "referrals_resident_idx" ON "referrals" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "referrals_org_path_idx" ON "referrals" USING btree ("org_path" text_pattern_ops);