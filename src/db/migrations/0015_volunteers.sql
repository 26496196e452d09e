CREATE TABLE "call_out_responses" (
	"id" serial PRIMARY KEY NOT NULL,
	"call_out_id" integer NOT NULL,
	"member_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "call_outs" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"sent" integer DEFAULT 0 NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "expert_requests" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"specialty" text NOT NULL,
	"description" text NOT NULL,
	"state" text DEFAULT 'requested' NOT NULL,
	"member_id" integer,
	"declined_by" integer[] DEFAULT '{}'::int[] NOT NULL,
	"rating" smallint,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "points_accounts" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"member_id" integer,
	"community_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"balance" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "points_accounts_member_nonneg_ck" CHECK ("points_accounts"."kind" <> 'member' or "points_accounts"."balance" >= 0)
);
--> statement-breakpoint
CREATE TABLE "points_entries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "points_entries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"transaction_id" integer NOT NULL,
	"account_id" integer NOT NULL,
	"amount" integer NOT NULL,
	"minutes" integer DEFAULT 0 NOT NULL,
	"org_path" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "points_monthly" (
	"account_id" integer NOT NULL,
	"month" text NOT NULL,
	"org_path" text NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"minutes" integer DEFAULT 0 NOT NULL,
	"tasks" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "points_transactions" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"source" text NOT NULL,
	"memo" text,
	"org_path" text NOT NULL,
	"reversal_of" integer,
	"created_by" integer,
	"created_by_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "redemption_items" (
	"id" serial PRIMARY KEY NOT NULL,
	"community_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"cost" integer NOT NULL,
	"stock" integer NOT NULL,
	"active" smallint DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "redemption_items_stock_ck" CHECK ("redemption_items"."stock" >= 0)
);
--> statement-breakpoint
CREATE TABLE "redemptions" (
	"id" serial PRIMARY KEY NOT NULL,
	"item_id" integer NOT NULL,
	"member_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"points" integer NOT NULL,
	"voucher_code" text NOT NULL,
	"state" text DEFAULT 'issued' NOT NULL,
	"reverse_reason" text,
	"transaction_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "volunteer_claims" (
	"id" serial PRIMARY KEY NOT NULL,
	"task_id" integer NOT NULL,
	"member_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"state" text NOT NULL,
	"check_in_at" timestamp with time zone,
	"check_out_at" timestamp with time zone,
	"minutes" integer,
	"confirmed_at" timestamp with time zone,
	"confirmed_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "volunteer_members" (
	"id" serial PRIMARY KEY NOT NULL,
	"account_id" integer,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"id_hash" text NOT NULL,
	"id_cipher" text NOT NULL,
	"phone_cipher" text,
	"phone_tail" text,
	"community_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"work_unit" text,
	"party_branch" text,
	"skills" text[] DEFAULT '{}'::text[] NOT NULL,
	"specialties" text[] DEFAULT '{}'::text[] NOT NULL,
	"availability" text,
	"state" text DEFAULT 'pending' NOT NULL,
	"reject_reason" text,
	"decided_by" integer,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "volunteer_settings" (
	"community_id" integer PRIMARY KEY NOT NULL,
	"org_path" text NOT NULL,
	"points_per_hour" integer DEFAULT 10 NOT NULL,
	"points_per_wish" integer DEFAULT 20 NOT NULL,
	"points_per_request" integer DEFAULT 30 NOT NULL,
	"quarterly_min_hours" integer DEFAULT 4 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "volunteer_tasks" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text DEFAULT 'task' NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"place" text NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"capacity" integer NOT NULL,
	"claimed" integer DEFAULT 0 NOT NULL,
	"required_skills" text[] DEFAULT '{}'::text[] NOT NULL,
	"cancel_cutoff_minutes" integer DEFAULT 120 NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"qr_nonce" text NOT NULL,
	"created_by" integer,
	"created_by_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "volunteer_tasks_capacity_ck" CHECK ("volunteer_tasks"."claimed" >= 0 and "volunteer_tasks"."claimed" <= "volunteer_tasks"."capacity")
);
--> statement-breakpoint
CREATE TABLE "volunteer_wishes" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"resident_id" integer,
	"title" text NOT NULL,
	"detail" text NOT NULL,
	"public_text" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"reject_reason" text,
	"posted_by" integer,
	"posted_by_name" text,
	"member_id" integer,
	"claimed_at" timestamp with time zone,
	"fulfil_note" text,
	"photo" "bytea",
	"photo_type" text,
	"fulfilled_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "call_out_responses_uq" ON "call_out_responses" USING btree ("call_out_id","member_id");--> statement-breakpoint
CREATE INDEX "call_outs_org_idx" ON "call_outs" USING btree ("org_path");--> statement-breakpoint
CREATE INDEX "expert_requests_org_idx" ON "expert_requests" USING btree ("org_path","state");--> statement-breakpoint
CREATE UNIQUE INDEX "points_accounts_member_uq" ON "points_accounts" USING btree ("member_id") WHERE "points_accounts"."kind" = 'member';--> statement-breakpoint
CREATE UNIQUE INDEX "points_accounts_community_uq" ON "points_accounts" USING btree ("community_id","kind") WHERE "points_accounts"."kind" <> 'member';--> statement-breakpoint
CREATE INDEX "points_accounts_org_idx" ON "points_accounts" USING btree ("org_path");--> statement-breakpoint
CREATE INDEX "points_entries_account_idx" ON "points_entries" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "points_entries_tx_idx" ON "points_entries" USING btree ("transaction_id");--> statement-breakpoint
CREATE INDEX "points_entries_created_idx" ON "points_entries" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "points_monthly_uq" ON "points_monthly" USING btree ("account_id","month");--> statement-breakpoint
CREATE INDEX "points_monthly_month_idx" ON "points_monthly" USING btree ("month","org_path");--> statement-breakpoint
CREATE UNIQUE INDEX "points_transactions_source_uq" ON "points_transactions" USING btree ("source");--> statement-breakpoint
CREATE INDEX "points_transactions_org_idx" ON "points_transactions" USING btree ("org_path");--> statement-breakpoint
CREATE INDEX "redemption_items_org_idx" ON "redemption_items" USING btree ("org_path");--> statement-breakpoint
CREATE UNIQUE INDEX "redemptions_voucher_uq" ON "redemptions" USING btree ("voucher_code");--> statement-breakpoint
CREATE INDEX "redemptions_member_idx" ON "redemptions" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "volunteer_claims_task_member_uq" ON "volunteer_claims" USING btree ("task_id","member_id");--> statement-breakpoint
CREATE INDEX "volunteer_claims_task_idx" ON "volunteer_claims" USING btree ("task_id","state","id");--> statement-breakpoint
CREATE INDEX "volunteer_claims_member_idx" ON "volunteer_claims" USING btree ("member_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "volunteer_members_id_hash_uq" ON "volunteer_members" USING btree ("id_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "volunteer_members_account_uq" ON "volunteer_members" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "volunteer_members_org_idx" ON "volunteer_members" USING btree ("org_path","state");--> statement-breakpoint
CREATE INDEX "volunteer_members_work_unit_idx" ON "volunteer_members" USING btree ("work_unit");--> statement-breakpoint
CREATE INDEX "volunteer_tasks_org_idx" ON "volunteer_tasks" USING btree ("org_path","starts_at");--> statement-breakpoint
CREATE INDEX "volunteer_wishes_org_idx" ON "volunteer_wishes" USING btree ("org_path","state");