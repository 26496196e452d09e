-- Campaign rollups are kept per grid and micro-grid only (a street's or community's row made every sync in
-- it wait on that row); the street and community rows 0027 filled in are no longer read or moved.
DELETE FROM "campaign_rollups" WHERE "depth" < 3;
--> statement-breakpoint
DELETE FROM "campaign_day_rollups" WHERE "depth" < 3;
