CREATE TABLE "verification_lists" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"title" text NOT NULL,
	"filename" text,
	"format" text NOT NULL,
	"file" "bytea" NOT NULL,
	"header_row" integer DEFAULT 0 NOT NULL,
	"mapping" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"state" text DEFAULT 'previewed' NOT NULL,
	"checkpoint" integer DEFAULT 0 NOT NULL,
	"estimate" integer DEFAULT 0 NOT NULL,
	"counters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"deadline" date,
	"owner_id" integer NOT NULL,
	"owner_name" text NOT NULL,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"heartbeat_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"routed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "verification_rows" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"list_id" integer NOT NULL,
	"n" integer NOT NULL,
	"original_cipher" text NOT NULL,
	"name" text NOT NULL,
	"id_cipher" text,
	"id_hash" text,
	"id_tail" text,
	"id_status" text NOT NULL,
	"phone_cipher" text,
	"phone_tail" text,
	"address" text NOT NULL,
	"stated_community" text NOT NULL,
	"class" text NOT NULL,
	"reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"resident_id" integer,
	"match_by" text,
	"score" real,
	"org_path" text NOT NULL,
	"street_code" text,
	"community_code" text,
	"grid_path" text,
	"dup_key" text,
	"outcome" text,
	"outcome_note" text,
	"outcome_at" timestamp with time zone,
	"outcome_by" integer,
	"outcome_by_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "verification_lists_org_path_idx" ON "verification_lists" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "verification_lists_state_idx" ON "verification_lists" USING btree ("state");--> statement-breakpoint
CREATE UNIQUE INDEX "verification_rows_list_n_uq" ON "verification_rows" USING btree ("list_id","n");--> statement-breakpoint
CREATE INDEX "verification_rows_list_class_idx" ON "verification_rows" USING btree ("list_id","class");--> statement-breakpoint
CREATE INDEX "verification_rows_grid_idx" ON "verification_rows" USING btree ("grid_path" text_pattern_ops,"list_id");