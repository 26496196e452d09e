CREATE TABLE "points_quarterly" (
	"account_id" integer NOT NULL,
	"quarter" text NOT NULL,
	"org_path" text NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"minutes" integer DEFAULT 0 NOT NULL,
	"tasks" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
DROP INDEX "points_entries_account_idx";--> statement-breakpoint
DROP INDEX "points_monthly_month_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "points_quarterly_uq" ON "points_quarterly" USING btree ("account_id","quarter");--> statement-breakpoint
CREATE INDEX "points_quarterly_points_idx" ON "points_quarterly" USING btree ("quarter","points" DESC NULLS LAST,"account_id");--> statement-breakpoint
CREATE INDEX "points_quarterly_minutes_idx" ON "points_quarterly" USING btree ("quarter","minutes" DESC NULLS LAST,"account_id");--> statement-breakpoint
CREATE INDEX "points_quarterly_path_idx" ON "points_quarterly" USING btree ("quarter","org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "points_monthly_points_idx" ON "points_monthly" USING btree ("month","points" DESC NULLS LAST,"account_id");--> statement-breakpoint
CREATE INDEX "points_monthly_minutes_idx" ON "points_monthly" USING btree ("month","minutes" DESC NULLS LAST,"account_id");--> statement-breakpoint
CREATE INDEX "points_entries_account_idx" ON "points_entries" USING btree ("account_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "points_monthly_month_idx" ON "points_monthly" USING btree ("month","org_path" text_pattern_ops);--> statement-breakpoint
-- What each ledger entry adds to what a member earned: the member leg of an award (+1 task) and the member leg of
-- the reversal of an award (−1 task); redemptions and their reversals move balances only. Months and quarters are
-- Asia/Shanghai (UTC+8, no DST). The check command compares points_monthly and points_quarterly with this view.
CREATE VIEW points_earned AS
  SELECT e.account_id, e.org_path,
    to_char(e.created_at AT TIME ZONE INTERVAL '+08:00', 'YYYY-MM') AS month,
    to_char(e.created_at AT TIME ZONE INTERVAL '+08:00', 'YYYY-"Q"Q') AS quarter,
    e.amount AS points, e.minutes, CASE WHEN x.kind = 'award' THEN 1 ELSE -1 END AS tasks
  FROM points_entries e
  JOIN points_accounts a ON a.id = e.account_id AND a.kind = 'member'
  JOIN points_transactions x ON x.id = e.transaction_id
  WHERE x.kind = 'award'
    OR (x.kind = 'reversal' AND EXISTS (SELECT 1 FROM points_transactions o WHERE o.id = x.reversal_of AND o.kind = 'award'));
--> statement-breakpoint
-- The same rule over a statement's new entries, added to both rollups in the statement's own transaction: one
-- upsert per table, keys in order so concurrent postings lock rollup rows in the same order.
CREATE FUNCTION points_rollups_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH earned AS MATERIALIZED (
    SELECT n.account_id, n.org_path,
      to_char(n.created_at AT TIME ZONE INTERVAL '+08:00', 'YYYY-MM') AS month,
      to_char(n.created_at AT TIME ZONE INTERVAL '+08:00', 'YYYY-"Q"Q') AS quarter,
      n.amount AS points, n.minutes, CASE WHEN x.kind = 'award' THEN 1 ELSE -1 END AS tasks
    FROM new_rows n
    JOIN points_accounts a ON a.id = n.account_id AND a.kind = 'member'
    JOIN points_transactions x ON x.id = n.transaction_id
    WHERE x.kind = 'award'
      OR (x.kind = 'reversal' AND EXISTS (SELECT 1 FROM points_transactions o WHERE o.id = x.reversal_of AND o.kind = 'award'))
  ), m AS (
    INSERT INTO points_monthly AS r (account_id, month, org_path, points, minutes, tasks)
    SELECT account_id, month, min(org_path), sum(points), sum(minutes), sum(tasks)
    FROM earned GROUP BY account_id, month ORDER BY account_id, month
    ON CONFLICT (account_id, month) DO UPDATE SET points = r.points + excluded.points,
      minutes = r.minutes + excluded.minutes, tasks = r.tasks + excluded.tasks
  )
  INSERT INTO points_quarterly AS r (account_id, quarter, org_path, points, minutes, tasks)
  SELECT account_id, quarter, min(org_path), sum(points), sum(minutes), sum(tasks)
  FROM earned GROUP BY account_id, quarter ORDER BY account_id, quarter
  ON CONFLICT (account_id, quarter) DO UPDATE SET points = r.points + excluded.points,
    minutes = r.minutes + excluded.minutes, tasks = r.tasks + excluded.tasks;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER points_rollups_insert AFTER INSERT ON points_entries REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION points_rollups_changed();
--> statement-breakpoint
-- Entries are append-only (a mistake is corrected by a reversal), so the rollups need no update or delete path;
-- refusing both keeps them equal to the entries.
CREATE FUNCTION points_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'points_entries is append-only: post a reversal instead';
END $$;
--> statement-breakpoint
CREATE TRIGGER points_entries_append_only BEFORE UPDATE OR DELETE ON points_entries
  FOR EACH STATEMENT EXECUTE FUNCTION points_entries_append_only();
--> statement-breakpoint
-- Both rollups rebuilt from the entries under the rule above (before, the monthly one was kept by the app).
DELETE FROM points_monthly;
--> statement-breakpoint
INSERT INTO points_monthly (account_id, month, org_path, points, minutes, tasks)
  SELECT account_id, month, min(org_path), sum(points), sum(minutes), sum(tasks) FROM points_earned GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO points_quarterly (account_id, quarter, org_path, points, minutes, tasks)
  SELECT account_id, quarter, min(org_path), sum(points), sum(minutes), sum(tasks) FROM points_earned GROUP BY 1, 2;
