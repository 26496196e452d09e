CREATE TABLE "idempotency_keys" (
	"id" serial NOT NULL,
	"actor" text NOT NULL,
	"key" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"request_hash" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"lease_until" timestamp with time zone NOT NULL,
	"committed" boolean DEFAULT false NOT NULL,
	"status" integer,
	"content_type" text,
	"body" text,
	"body_encoding" text DEFAULT 'utf8' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_actor_key_pk" PRIMARY KEY("actor","key"),
	CONSTRAINT "idempotency_keys_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");