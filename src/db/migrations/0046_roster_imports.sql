CREATE TABLE "roster_conflicts" (
	"id" serial PRIMARY KEY NOT NULL,
	"import_id" integer NOT NULL,
	"n" integer NOT NULL,
	"resident_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"kind" text NOT NULL,
	"registry_value" text NOT NULL,
	"roster_value" text NOT NULL,
	"roster" jsonb NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"decided_by" integer,
	"decided_by_name" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "roster_imports" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"filename" text,
	"format" text NOT NULL,
	"file" "bytea",
	"header_row" integer NOT NULL,
	"mapping" jsonb NOT NULL,
	"state" text DEFAULT 'previewed' NOT NULL,
	"job_id" integer,
	"counters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"flags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"owner_id" integer NOT NULL,
	"owner_username" text NOT NULL,
	"owner_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "roster_conflicts_import_idx" ON "roster_conflicts" USING btree ("import_id","id");--> statement-breakpoint
CREATE INDEX "roster_conflicts_resident_idx" ON "roster_conflicts" USING btree ("resident_id","kind");--> statement-breakpoint
CREATE INDEX "roster_imports_org_path_idx" ON "roster_imports" USING btree ("org_path" text_pattern_ops);