CREATE TABLE "upstream_links" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"base_url" text NOT NULL,
	"api_key_cipher" text NOT NULL,
	"jurisdiction_id" text NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"default_category" text NOT NULL,
	"poll_cursor" timestamp with time zone NOT NULL,
	"last_poll_at" timestamp with time zone,
	"last_poll_ok_at" timestamp with time zone,
	"last_poll_error" text,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "upstream_requests" (
	"id" serial PRIMARY KEY NOT NULL,
	"link_id" integer NOT NULL,
	"origin" text NOT NULL,
	"upstream_id" text NOT NULL,
	"order_id" integer,
	"requested_at" timestamp with time zone,
	"pushed_event_id" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "payload" jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX "upstream_links_jurisdiction_uq" ON "upstream_links" USING btree ("base_url","jurisdiction_id");--> statement-breakpoint
CREATE UNIQUE INDEX "upstream_requests_origin_uq" ON "upstream_requests" USING btree ("origin","upstream_id");--> statement-breakpoint
CREATE UNIQUE INDEX "upstream_requests_order_uq" ON "upstream_requests" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "upstream_requests_link_idx" ON "upstream_requests" USING btree ("link_id");