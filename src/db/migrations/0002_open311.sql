CREATE TABLE "open311_keys" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"key_hash" text NOT NULL,
	"key_prefix" text NOT NULL,
	"org_unit_id" integer NOT NULL,
	"created_by" integer,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "work_orders" ADD COLUMN "lat" double precision;--> statement-breakpoint
ALTER TABLE "work_orders" ADD COLUMN "long" double precision;--> statement-breakpoint
ALTER TABLE "work_orders" ADD COLUMN "open311_token" text;--> statement-breakpoint
CREATE UNIQUE INDEX "open311_keys_hash_uq" ON "open311_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "work_orders_open311_token_uq" ON "work_orders" USING btree ("open311_token");