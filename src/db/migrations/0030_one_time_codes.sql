CREATE TABLE "one_time_codes" (
	"id" serial PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"phone_hash" text NOT NULL,
	"phone_cipher" text,
	"code_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"guesses" integer DEFAULT 0 NOT NULL,
	"pass_hash" text,
	"pass_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "one_time_codes_purpose_phone_uq" ON "one_time_codes" USING btree ("purpose","phone_hash");--> statement-breakpoint
CREATE INDEX "one_time_codes_pass_idx" ON "one_time_codes" USING btree ("pass_hash");--> statement-breakpoint
-- The resident app's sign-in codes move as they are: same phone hash, same code hash (platform/oneTimeCodes
-- keeps the sign-in's "resident-code" key names), same expiry and guesses. The rating codes of phone_codes
-- cannot move: they were keyed by another hash of the phone, and a pass must now name the phone itself; they
-- live ten minutes (a pass half an hour), so a resident mid-rating asks for a new code. The ratings
-- themselves (project_ratings) keep their key, so a phone that rated a project still cannot rate it again.
INSERT INTO "one_time_codes" ("purpose", "phone_hash", "code_hash", "expires_at", "guesses", "created_at", "updated_at")
SELECT 'resident_sign_in', "phone_hash", "code_hash", "expires_at", "guesses", "created_at", "updated_at" FROM "resident_codes";
