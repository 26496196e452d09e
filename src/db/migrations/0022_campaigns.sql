CREATE TABLE "campaign_households" (
	"campaign_id" integer NOT NULL,
	"household_id" integer NOT NULL,
	"building_id" integer NOT NULL,
	"unit_id" integer NOT NULL,
	"grid_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"member_id" integer,
	"former_member_ids" integer[] DEFAULT '{}'::int[] NOT NULL,
	"unit_no" integer,
	"floor" integer,
	"room_no" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"last_visit_at" timestamp with time zone,
	"revisit_due" timestamp with time zone,
	"records" integer DEFAULT 0 NOT NULL,
	"flagged" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_households_campaign_id_household_id_pk" PRIMARY KEY("campaign_id","household_id")
);
--> statement-breakpoint
CREATE TABLE "campaign_photos" (
	"id" serial PRIMARY KEY NOT NULL,
	"record_id" bigint NOT NULL,
	"key" text NOT NULL,
	"content_type" text NOT NULL,
	"data" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaign_questionnaires" (
	"campaign_id" integer NOT NULL,
	"version" integer NOT NULL,
	"questions" jsonb NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_questionnaires_campaign_id_version_pk" PRIMARY KEY("campaign_id","version")
);
--> statement-breakpoint
CREATE TABLE "campaign_records" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"client_id" uuid NOT NULL,
	"campaign_id" integer NOT NULL,
	"household_id" integer NOT NULL,
	"unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"member_id" integer NOT NULL,
	"member_name" text NOT NULL,
	"outcome" text NOT NULL,
	"note" text,
	"questionnaire_version" integer NOT NULL,
	"answers" jsonb NOT NULL,
	"visited_at" timestamp with time zone NOT NULL,
	"device_time" timestamp with time zone NOT NULL,
	"lat" double precision,
	"long" double precision,
	"accuracy" double precision,
	"notice_method" text,
	"notice_to" text,
	"notice_at" timestamp with time zone,
	"work_order_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaign_tallies" (
	"campaign_id" integer NOT NULL,
	"unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"target" integer DEFAULT 0 NOT NULL,
	"visited" integer DEFAULT 0 NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"revisit" integer DEFAULT 0 NOT NULL,
	"refused" integer DEFAULT 0 NOT NULL,
	"moved" integer DEFAULT 0 NOT NULL,
	"other" integer DEFAULT 0 NOT NULL,
	"notices" integer DEFAULT 0 NOT NULL,
	"flagged" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_tallies_campaign_id_unit_id_pk" PRIMARY KEY("campaign_id","unit_id")
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"name" text NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"grid_ids" integer[] NOT NULL,
	"target_kind" text NOT NULL,
	"target_tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"verification_list_id" integer,
	"questionnaire_version" integer DEFAULT 1 NOT NULL,
	"notice_title" text,
	"notice_body" text,
	"state" text DEFAULT 'running' NOT NULL,
	"created_by" integer,
	"created_by_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "campaign_households_member_idx" ON "campaign_households" USING btree ("member_id","campaign_id","building_id","unit_no","floor","household_id");--> statement-breakpoint
CREATE INDEX "campaign_households_unit_idx" ON "campaign_households" USING btree ("campaign_id","unit_id");--> statement-breakpoint
CREATE INDEX "campaign_photos_record_idx" ON "campaign_photos" USING btree ("record_id");--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_records_client_uq" ON "campaign_records" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "campaign_records_household_idx" ON "campaign_records" USING btree ("campaign_id","household_id");--> statement-breakpoint
CREATE INDEX "campaign_records_day_idx" ON "campaign_records" USING btree ("campaign_id","visited_at");--> statement-breakpoint
CREATE INDEX "campaign_records_unit_idx" ON "campaign_records" USING btree ("campaign_id","unit_id");--> statement-breakpoint
CREATE INDEX "campaigns_org_path_idx" ON "campaigns" USING btree ("org_path" text_pattern_ops);