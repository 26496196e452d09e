CREATE TABLE "affairs_photos" (
	"id" serial PRIMARY KEY NOT NULL,
	"entity" text NOT NULL,
	"entity_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"data" "bytea" NOT NULL,
	"type" text NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "checklist_templates" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_path" text NOT NULL,
	"name" text NOT NULL,
	"items" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deliberation_actions" (
	"id" serial PRIMARY KEY NOT NULL,
	"deliberation_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"title" text NOT NULL,
	"owner" text NOT NULL,
	"due" date NOT NULL,
	"carried_by" text DEFAULT 'none' NOT NULL,
	"work_order_id" integer,
	"project_id" integer,
	"state" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deliberation_votes" (
	"id" serial PRIMARY KEY NOT NULL,
	"deliberation_id" integer NOT NULL,
	"household_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"option" text NOT NULL,
	"recorded_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deliberations" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"title" text NOT NULL,
	"background" text NOT NULL,
	"source" text NOT NULL,
	"source_ref" text,
	"state" text DEFAULT 'open' NOT NULL,
	"meeting_at" timestamp with time zone,
	"place" text,
	"parties" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"agenda" text,
	"minutes" text,
	"decision" text,
	"vote_question" text,
	"vote_options" text[],
	"vote_open" boolean DEFAULT false NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "enterprises" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"name" text NOT NULL,
	"credit_code" text NOT NULL,
	"address" text NOT NULL,
	"contact_name" text NOT NULL,
	"contact_phone_cipher" text,
	"contact_phone_tail" text,
	"industry" text NOT NULL,
	"size" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inspection_assignments" (
	"id" serial PRIMARY KEY NOT NULL,
	"campaign_id" integer NOT NULL,
	"enterprise_id" integer NOT NULL,
	"inspector_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"inspection_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inspection_campaigns" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"name" text NOT NULL,
	"template_id" integer NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inspections" (
	"id" serial PRIMARY KEY NOT NULL,
	"campaign_id" integer,
	"enterprise_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"inspector_id" integer,
	"inspector_name" text,
	"kind" text DEFAULT 'initial' NOT NULL,
	"rectification_id" integer,
	"results" jsonb NOT NULL,
	"failed" smallint DEFAULT 0 NOT NULL,
	"inspected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "key_project_milestones" (
	"id" serial PRIMARY KEY NOT NULL,
	"project_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"seq" smallint NOT NULL,
	"title" text NOT NULL,
	"weight" smallint NOT NULL,
	"due" date NOT NULL,
	"done_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "key_project_reports" (
	"id" serial PRIMARY KEY NOT NULL,
	"project_id" integer NOT NULL,
	"milestone_id" integer,
	"org_path" text NOT NULL,
	"note" text NOT NULL,
	"created_by" integer,
	"created_by_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "key_projects" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"name" text NOT NULL,
	"owner" text NOT NULL,
	"budget" bigint DEFAULT 0 NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"progress" smallint DEFAULT 0 NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "phone_codes" (
	"id" serial PRIMARY KEY NOT NULL,
	"phone_hash" text NOT NULL,
	"code_hash" text NOT NULL,
	"attempts" smallint DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"pass_hash" text,
	"pass_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "practical_projects" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"quarter" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"budget" bigint NOT NULL,
	"owner" text NOT NULL,
	"deadline" date NOT NULL,
	"milestones" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"state" text DEFAULT 'draft' NOT NULL,
	"progress" smallint DEFAULT 0 NOT NULL,
	"published_at" timestamp with time zone,
	"proposal_id" integer,
	"deliberation_action_id" integer,
	"ratings_satisfied" integer DEFAULT 0 NOT NULL,
	"ratings_basic" integer DEFAULT 0 NOT NULL,
	"ratings_unsatisfied" integer DEFAULT 0 NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "project_proposals" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"source" text NOT NULL,
	"title" text NOT NULL,
	"detail" text NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"project_id" integer,
	"created_by" integer,
	"created_by_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "project_ratings" (
	"id" serial PRIMARY KEY NOT NULL,
	"project_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"phone_hash" text NOT NULL,
	"satisfaction" text NOT NULL,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "project_updates" (
	"id" serial PRIMARY KEY NOT NULL,
	"project_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"note" text NOT NULL,
	"progress" smallint NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rectifications" (
	"id" serial PRIMARY KEY NOT NULL,
	"enterprise_id" integer NOT NULL,
	"inspection_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"item_code" text NOT NULL,
	"item_text" text NOT NULL,
	"finding" text NOT NULL,
	"deadline" date NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by_inspection_id" integer,
	"enforcement" text DEFAULT 'none' NOT NULL,
	"enforcement_note" text,
	"escalated_at" timestamp with time zone,
	"released_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "affairs_photos_entity_idx" ON "affairs_photos" USING btree ("entity","entity_id");--> statement-breakpoint
CREATE INDEX "deliberation_actions_delib_idx" ON "deliberation_actions" USING btree ("deliberation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deliberation_votes_household_uq" ON "deliberation_votes" USING btree ("deliberation_id","household_id");--> statement-breakpoint
CREATE INDEX "deliberations_org_idx" ON "deliberations" USING btree ("org_path");--> statement-breakpoint
CREATE UNIQUE INDEX "enterprises_credit_code_uq" ON "enterprises" USING btree ("credit_code");--> statement-breakpoint
CREATE INDEX "enterprises_org_idx" ON "enterprises" USING btree ("org_path");--> statement-breakpoint
CREATE UNIQUE INDEX "inspection_assignments_uq" ON "inspection_assignments" USING btree ("campaign_id","enterprise_id");--> statement-breakpoint
CREATE INDEX "inspection_assignments_inspector_idx" ON "inspection_assignments" USING btree ("inspector_id","campaign_id");--> statement-breakpoint
CREATE INDEX "inspection_campaigns_org_idx" ON "inspection_campaigns" USING btree ("org_path");--> statement-breakpoint
CREATE INDEX "inspections_org_idx" ON "inspections" USING btree ("org_path","inspected_at");--> statement-breakpoint
CREATE INDEX "inspections_enterprise_idx" ON "inspections" USING btree ("enterprise_id");--> statement-breakpoint
CREATE UNIQUE INDEX "key_project_milestones_seq_uq" ON "key_project_milestones" USING btree ("project_id","seq");--> statement-breakpoint
CREATE INDEX "key_project_reports_project_idx" ON "key_project_reports" USING btree ("project_id","created_at");--> statement-breakpoint
CREATE INDEX "key_projects_org_idx" ON "key_projects" USING btree ("org_path");--> statement-breakpoint
CREATE INDEX "phone_codes_phone_idx" ON "phone_codes" USING btree ("phone_hash");--> statement-breakpoint
CREATE INDEX "phone_codes_pass_idx" ON "phone_codes" USING btree ("pass_hash");--> statement-breakpoint
CREATE INDEX "practical_projects_org_idx" ON "practical_projects" USING btree ("org_path","quarter");--> statement-breakpoint
CREATE INDEX "practical_projects_public_idx" ON "practical_projects" USING btree ("org_unit_id","quarter","state");--> statement-breakpoint
CREATE INDEX "project_proposals_org_idx" ON "project_proposals" USING btree ("org_path","state");--> statement-breakpoint
CREATE UNIQUE INDEX "project_ratings_phone_uq" ON "project_ratings" USING btree ("project_id","phone_hash");--> statement-breakpoint
CREATE INDEX "project_updates_project_idx" ON "project_updates" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "rectifications_org_idx" ON "rectifications" USING btree ("org_path","state");--> statement-breakpoint
CREATE INDEX "rectifications_enterprise_idx" ON "rectifications" USING btree ("enterprise_id");