CREATE TABLE "attachments" (
	"id" serial PRIMARY KEY NOT NULL,
	"order_id" integer NOT NULL,
	"filename" text NOT NULL,
	"mime" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"storage_path" text NOT NULL,
	"uploaded_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "categories" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"initials" text NOT NULL,
	"sla_policy" text NOT NULL,
	"owner_role" text NOT NULL,
	"department" text,
	"active" boolean DEFAULT true NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"transport" text DEFAULT 'log' NOT NULL,
	"recipient_account_id" integer,
	"recipient_org_id" integer,
	"order_id" integer,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"org_path" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "work_order_events" (
	"id" serial PRIMARY KEY NOT NULL,
	"order_id" integer NOT NULL,
	"action" text NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"actor_id" integer,
	"actor_name" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"note" text,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "work_orders" (
	"id" serial PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"channel" text NOT NULL,
	"category_id" integer NOT NULL,
	"sla_policy" text NOT NULL,
	"state" text NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"description" text NOT NULL,
	"resident_id" integer,
	"caller_name" text,
	"caller_phone_cipher" text,
	"caller_phone_hash" text,
	"caller_phone_tail" text,
	"address" text,
	"building_id" integer,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"routed_level" text NOT NULL,
	"assignee_id" integer,
	"flow" jsonb NOT NULL,
	"next_due_at" timestamp with time zone,
	"next_warn_at" timestamp with time zone,
	"overdue_at" timestamp with time zone,
	"warned_at" timestamp with time zone,
	"dispatched_at" timestamp with time zone,
	"accepted_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"accepted_on_time" boolean,
	"resolved_on_time" boolean,
	"callback_solved" boolean,
	"satisfaction" text,
	"rating_comment" text,
	"rated_at" timestamp with time zone,
	"merged_into_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "attachments_order_idx" ON "attachments" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "categories_code_uq" ON "categories" USING btree ("code");--> statement-breakpoint
CREATE INDEX "notifications_due_idx" ON "notifications" USING btree ("next_attempt_at") WHERE "notifications"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "notifications_order_idx" ON "notifications" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "work_order_events_order_idx" ON "work_order_events" USING btree ("order_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "work_orders_number_uq" ON "work_orders" USING btree ("number");--> statement-breakpoint
CREATE INDEX "work_orders_org_path_idx" ON "work_orders" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "work_orders_assignee_idx" ON "work_orders" USING btree ("assignee_id","state");--> statement-breakpoint
CREATE INDEX "work_orders_next_due_idx" ON "work_orders" USING btree ("next_due_at") WHERE "work_orders"."next_due_at" is not null and "work_orders"."overdue_at" is null;--> statement-breakpoint
CREATE INDEX "work_orders_next_warn_idx" ON "work_orders" USING btree ("next_warn_at") WHERE "work_orders"."next_warn_at" is not null and "work_orders"."warned_at" is null;--> statement-breakpoint
CREATE INDEX "work_orders_building_idx" ON "work_orders" USING btree ("building_id","created_at");--> statement-breakpoint
CREATE INDEX "work_orders_created_idx" ON "work_orders" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "work_orders_phone_idx" ON "work_orders" USING btree ("caller_phone_hash");