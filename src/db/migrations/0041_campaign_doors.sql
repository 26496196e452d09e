ALTER TABLE "campaign_households" ADD COLUMN "address" text;--> statement-breakpoint
ALTER TABLE "campaign_households" ADD COLUMN "building_name" text;--> statement-breakpoint
-- Campaigns launched before this keep their doors' addresses too (the member's list reads only this table).
UPDATE "campaign_households" ch SET "address" = h."address", "building_name" = b."name"
  FROM "households" h JOIN "buildings" b ON b."id" = h."building_id"
 WHERE h."id" = ch."household_id";
