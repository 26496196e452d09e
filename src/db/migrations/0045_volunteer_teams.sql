CREATE TABLE "volunteer_team_members" (
	"id" serial PRIMARY KEY NOT NULL,
	"team_id" integer NOT NULL,
	"member_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"left_at" timestamp with time zone,
	"leave_reason" text,
	"added_by_name" text,
	"removed_by_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "volunteer_teams" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"complex" text NOT NULL,
	"community_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"secretary_member_id" integer NOT NULL,
	"created_by" integer,
	"created_by_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "volunteer_team_members_open_uq" ON "volunteer_team_members" USING btree ("team_id","member_id") WHERE "volunteer_team_members"."left_at" is null;--> statement-breakpoint
CREATE INDEX "volunteer_team_members_team_idx" ON "volunteer_team_members" USING btree ("team_id","joined_at");--> statement-breakpoint
CREATE INDEX "volunteer_team_members_member_idx" ON "volunteer_team_members" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "volunteer_teams_name_uq" ON "volunteer_teams" USING btree ("community_id","name");--> statement-breakpoint
CREATE INDEX "volunteer_teams_org_idx" ON "volunteer_teams" USING btree ("org_path");--> statement-breakpoint
CREATE INDEX "volunteer_teams_secretary_idx" ON "volunteer_teams" USING btree ("secretary_member_id");