CREATE TABLE "hospital_liaisons" (
	"account_id" integer PRIMARY KEY NOT NULL,
	"hospital_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
