CREATE TABLE "campaign_day_rollups" (
	"campaign_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"depth" integer NOT NULL,
	"day" date NOT NULL,
	"records" integer DEFAULT 0 NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"notices" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_day_rollups_campaign_id_org_path_day_pk" PRIMARY KEY("campaign_id","org_path","day")
);
--> statement-breakpoint
CREATE TABLE "campaign_rollups" (
	"campaign_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"depth" integer NOT NULL,
	"target" integer DEFAULT 0 NOT NULL,
	"visited" integer DEFAULT 0 NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"revisit" integer DEFAULT 0 NOT NULL,
	"refused" integer DEFAULT 0 NOT NULL,
	"moved" integer DEFAULT 0 NOT NULL,
	"other" integer DEFAULT 0 NOT NULL,
	"notices" integer DEFAULT 0 NOT NULL,
	"flagged" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_rollups_campaign_id_org_path_pk" PRIMARY KEY("campaign_id","org_path")
);
--> statement-breakpoint
CREATE TABLE "campaign_uploads" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"org_path" text NOT NULL,
	"filename" text,
	"format" text NOT NULL,
	"rows" integer NOT NULL,
	"household_ids" integer[] NOT NULL,
	"unmatched" jsonb NOT NULL,
	"created_by" integer,
	"created_by_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "care_tag_proposals" (
	"id" serial PRIMARY KEY NOT NULL,
	"household_id" integer NOT NULL,
	"resident_id" integer,
	"org_path" text NOT NULL,
	"tag" text NOT NULL,
	"source" text NOT NULL,
	"note" text,
	"source_ref" text,
	"proposed_by_name" text NOT NULL,
	"state" text DEFAULT 'proposed' NOT NULL,
	"decided_by" integer,
	"decided_by_name" text,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "upload_id" integer;--> statement-breakpoint
CREATE INDEX "campaign_day_rollups_depth_idx" ON "campaign_day_rollups" USING btree ("campaign_id","depth","org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "campaign_rollups_depth_idx" ON "campaign_rollups" USING btree ("campaign_id","depth","org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "campaign_uploads_org_path_idx" ON "campaign_uploads" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "care_tag_proposals_open_uq" ON "care_tag_proposals" USING btree ("household_id","tag") WHERE "care_tag_proposals"."state" = 'proposed';--> statement-breakpoint
CREATE INDEX "care_tag_proposals_org_path_idx" ON "care_tag_proposals" USING btree ("org_path" text_pattern_ops,"state");--> statement-breakpoint
-- Campaigns launched before the rollups: their counts per unit below the campaign's own, from the tallies.
INSERT INTO "campaign_rollups" ("campaign_id", "org_path", "depth", "target", "visited", "done", "revisit", "refused", "moved", "other", "notices", "flagged")
SELECT t.campaign_id, '/' || array_to_string(x.parts[1:i], '/') || '/', i - 1, sum(t.target), sum(t.visited), sum(t.done),
       sum(t.revisit), sum(t.refused), sum(t.moved), sum(t.other), sum(t.notices), sum(t.flagged)
  FROM "campaign_tallies" t JOIN "campaigns" c ON c.id = t.campaign_id
  CROSS JOIN LATERAL (SELECT string_to_array(trim(both '/' from t.org_path), '/') AS parts,
                             array_length(string_to_array(trim(both '/' from c.org_path), '/'), 1) AS top) x
  CROSS JOIN LATERAL generate_series(x.top + 1, array_length(x.parts, 1)) i
 GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO "campaign_day_rollups" ("campaign_id", "org_path", "depth", "day", "records", "done", "notices")
SELECT r.campaign_id, '/' || array_to_string(x.parts[1:i], '/') || '/', i - 1, (r.visited_at AT TIME ZONE 'Asia/Shanghai')::date,
       count(*), count(*) FILTER (WHERE r.outcome = 'done'), count(*) FILTER (WHERE r.notice_method IS NOT NULL)
  FROM "campaign_records" r JOIN "campaigns" c ON c.id = r.campaign_id
  CROSS JOIN LATERAL (SELECT string_to_array(trim(both '/' from r.org_path), '/') AS parts,
                             array_length(string_to_array(trim(both '/' from c.org_path), '/'), 1) AS top) x
  CROSS JOIN LATERAL generate_series(x.top + 1, array_length(x.parts, 1)) i
 GROUP BY 1, 2, 3, 4;
