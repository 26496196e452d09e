CREATE TABLE "rate_counts_daily" (
	"day" date NOT NULL,
	"org_path" text NOT NULL,
	"dispatched" integer DEFAULT 0 NOT NULL,
	"accepted_on_time" integer DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"resolved_extended" integer DEFAULT 0 NOT NULL,
	"resolved_on_time" integer DEFAULT 0 NOT NULL,
	"resolved_first_time" integer DEFAULT 0 NOT NULL,
	"callbacks" integer DEFAULT 0 NOT NULL,
	"callbacks_solved" integer DEFAULT 0 NOT NULL,
	"rated_callbacks" integer DEFAULT 0 NOT NULL,
	"rated_satisfied" integer DEFAULT 0 NOT NULL,
	"verified" integer DEFAULT 0 NOT NULL,
	"reworked" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rate_counts_daily_day_org_path_pk" PRIMARY KEY("day","org_path")
);
--> statement-breakpoint
CREATE INDEX "rate_counts_daily_path_idx" ON "rate_counts_daily" USING btree ("org_path" text_pattern_ops,"day");--> statement-breakpoint
-- What one order contributes to the daily counts (DESIGN §3 rate definitions). sign = -1 takes a row's old
-- contribution back when it changes. Days are Asia/Shanghai calendar days (UTC+8 all year, no DST).
CREATE FUNCTION rate_order_facts(p_sign int, p_dispatched_at timestamptz, p_accepted_on_time boolean,
  p_resolved_at timestamptz, p_resolved_on_time boolean, p_flow jsonb)
RETURNS TABLE (day date, dispatched int, accepted_on_time int, resolved int, resolved_extended int,
  resolved_on_time int, resolved_first_time int)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT v.day, p_sign * v.d, p_sign * v.aot, p_sign * v.r, p_sign * v.rext, p_sign * v.rot, p_sign * v.rft
  FROM (VALUES
    ((p_dispatched_at AT TIME ZONE INTERVAL '+08:00')::date, 1, coalesce(p_accepted_on_time, false)::int, 0, 0, 0, 0),
    ((p_resolved_at AT TIME ZONE INTERVAL '+08:00')::date, 0, 0, 1,
      (coalesce((p_flow->'counts'->>'extensionsApproved')::int, 0) > 0)::int,
      -- approved deferrals leave the on-time denominator, so they are never counted on time
      (coalesce(p_resolved_on_time, false) AND coalesce((p_flow->'counts'->>'extensionsApproved')::int, 0) = 0)::int,
      (coalesce((p_flow->'counts'->>'returns')::int, 0) = 0 AND coalesce((p_flow->'counts'->>'reassigns')::int, 0) = 0
        AND coalesce((p_flow->'counts'->>'reopens')::int, 0) = 0)::int)
  ) AS v(day, d, aot, r, rext, rot, rft)
  WHERE v.day IS NOT NULL
$$;
--> statement-breakpoint
-- What one event contributes: callbacks (close, or reopen after an unsolved/unsatisfied callback) and
-- verifications (verify, or rework 返工) count on the day they happened.
CREATE FUNCTION rate_event_facts(p_at timestamptz, p_action text, p_detail jsonb)
RETURNS TABLE (day date, callbacks int, callbacks_solved int, rated_callbacks int, rated_satisfied int,
  verified int, reworked int)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (p_at AT TIME ZONE INTERVAL '+08:00')::date,
    (p_action IN ('close', 'reopen'))::int,
    (p_action IN ('close', 'reopen') AND coalesce((p_detail->'callback'->>'solved')::boolean, false))::int,
    (p_action IN ('close', 'reopen') AND p_detail->'callback'->>'satisfaction' IS NOT NULL)::int,
    (p_action IN ('close', 'reopen')
      AND coalesce(p_detail->'callback'->>'satisfaction' IN ('satisfied', 'basically_satisfied'), false))::int,
    (p_action IN ('verify', 'rework'))::int,
    (p_action = 'rework')::int
  WHERE p_action IN ('close', 'reopen', 'verify', 'rework')
$$;
--> statement-breakpoint
-- Order changes, one statement at a time (an intake batch or a sweep is one upsert, not one per row).
-- Rows are upserted in (day, org_path) order so concurrent writers lock them in the same order.
CREATE FUNCTION rate_counts_orders_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO rate_counts_daily AS d (day, org_path, dispatched, accepted_on_time, resolved, resolved_extended,
      resolved_on_time, resolved_first_time)
    SELECT f.day, n.org_path, sum(f.dispatched), sum(f.accepted_on_time), sum(f.resolved), sum(f.resolved_extended),
      sum(f.resolved_on_time), sum(f.resolved_first_time)
    FROM new_rows n CROSS JOIN LATERAL rate_order_facts(1, n.dispatched_at, n.accepted_on_time, n.resolved_at,
      n.resolved_on_time, n.flow) f
    GROUP BY f.day, n.org_path ORDER BY f.day, n.org_path
    ON CONFLICT (day, org_path) DO UPDATE SET dispatched = d.dispatched + excluded.dispatched,
      accepted_on_time = d.accepted_on_time + excluded.accepted_on_time, resolved = d.resolved + excluded.resolved,
      resolved_extended = d.resolved_extended + excluded.resolved_extended,
      resolved_on_time = d.resolved_on_time + excluded.resolved_on_time,
      resolved_first_time = d.resolved_first_time + excluded.resolved_first_time, updated_at = now();
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO rate_counts_daily AS d (day, org_path, dispatched, accepted_on_time, resolved, resolved_extended,
      resolved_on_time, resolved_first_time)
    SELECT f.day, c.org_path, sum(f.dispatched), sum(f.accepted_on_time), sum(f.resolved), sum(f.resolved_extended),
      sum(f.resolved_on_time), sum(f.resolved_first_time)
    FROM (SELECT 1 AS sign, n.org_path, n.dispatched_at, n.accepted_on_time, n.resolved_at, n.resolved_on_time, n.flow
          FROM new_rows n
          UNION ALL
          SELECT -1, o.org_path, o.dispatched_at, o.accepted_on_time, o.resolved_at, o.resolved_on_time, o.flow
          FROM old_rows o) c
    CROSS JOIN LATERAL rate_order_facts(c.sign, c.dispatched_at, c.accepted_on_time, c.resolved_at,
      c.resolved_on_time, c.flow) f
    GROUP BY f.day, c.org_path
    -- an update that changes no fact (the SLA sweep, a note) nets to zero and writes nothing
    HAVING sum(f.dispatched) <> 0 OR sum(f.accepted_on_time) <> 0 OR sum(f.resolved) <> 0
      OR sum(f.resolved_extended) <> 0 OR sum(f.resolved_on_time) <> 0 OR sum(f.resolved_first_time) <> 0
    ORDER BY f.day, c.org_path
    ON CONFLICT (day, org_path) DO UPDATE SET dispatched = d.dispatched + excluded.dispatched,
      accepted_on_time = d.accepted_on_time + excluded.accepted_on_time, resolved = d.resolved + excluded.resolved,
      resolved_extended = d.resolved_extended + excluded.resolved_extended,
      resolved_on_time = d.resolved_on_time + excluded.resolved_on_time,
      resolved_first_time = d.resolved_first_time + excluded.resolved_first_time, updated_at = now();
  ELSE
    INSERT INTO rate_counts_daily AS d (day, org_path, dispatched, accepted_on_time, resolved, resolved_extended,
      resolved_on_time, resolved_first_time)
    SELECT f.day, o.org_path, sum(f.dispatched), sum(f.accepted_on_time), sum(f.resolved), sum(f.resolved_extended),
      sum(f.resolved_on_time), sum(f.resolved_first_time)
    FROM old_rows o CROSS JOIN LATERAL rate_order_facts(-1, o.dispatched_at, o.accepted_on_time, o.resolved_at,
      o.resolved_on_time, o.flow) f
    GROUP BY f.day, o.org_path ORDER BY f.day, o.org_path
    ON CONFLICT (day, org_path) DO UPDATE SET dispatched = d.dispatched + excluded.dispatched,
      accepted_on_time = d.accepted_on_time + excluded.accepted_on_time, resolved = d.resolved + excluded.resolved,
      resolved_extended = d.resolved_extended + excluded.resolved_extended,
      resolved_on_time = d.resolved_on_time + excluded.resolved_on_time,
      resolved_first_time = d.resolved_first_time + excluded.resolved_first_time, updated_at = now();
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER rate_counts_orders_insert AFTER INSERT ON work_orders REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rate_counts_orders_changed();
--> statement-breakpoint
CREATE TRIGGER rate_counts_orders_update AFTER UPDATE ON work_orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rate_counts_orders_changed();
--> statement-breakpoint
CREATE TRIGGER rate_counts_orders_delete AFTER DELETE ON work_orders REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rate_counts_orders_changed();
--> statement-breakpoint
-- Events are append-only: only inserts count. They count where the order is routed when they happen.
CREATE FUNCTION rate_counts_events_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rate_counts_daily AS d (day, org_path, callbacks, callbacks_solved, rated_callbacks, rated_satisfied,
    verified, reworked)
  SELECT f.day, w.org_path, sum(f.callbacks), sum(f.callbacks_solved), sum(f.rated_callbacks), sum(f.rated_satisfied),
    sum(f.verified), sum(f.reworked)
  FROM new_rows e JOIN work_orders w ON w.id = e.order_id
  CROSS JOIN LATERAL rate_event_facts(e.at, e.action, e.detail) f
  GROUP BY f.day, w.org_path ORDER BY f.day, w.org_path
  ON CONFLICT (day, org_path) DO UPDATE SET callbacks = d.callbacks + excluded.callbacks,
    callbacks_solved = d.callbacks_solved + excluded.callbacks_solved,
    rated_callbacks = d.rated_callbacks + excluded.rated_callbacks,
    rated_satisfied = d.rated_satisfied + excluded.rated_satisfied,
    verified = d.verified + excluded.verified, reworked = d.reworked + excluded.reworked, updated_at = now();
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER rate_counts_events_insert AFTER INSERT ON work_order_events REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rate_counts_events_added();
--> statement-breakpoint
-- Recomputes every day from the orders and events (the backfill below; `gridkeeper rates rebuild` for repair).
CREATE FUNCTION rate_counts_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  LOCK TABLE rate_counts_daily IN EXCLUSIVE MODE;
  DELETE FROM rate_counts_daily;
  INSERT INTO rate_counts_daily (day, org_path, dispatched, accepted_on_time, resolved, resolved_extended,
    resolved_on_time, resolved_first_time, callbacks, callbacks_solved, rated_callbacks, rated_satisfied, verified, reworked)
  SELECT day, org_path, sum(dispatched), sum(accepted_on_time), sum(resolved), sum(resolved_extended),
    sum(resolved_on_time), sum(resolved_first_time), sum(callbacks), sum(callbacks_solved), sum(rated_callbacks),
    sum(rated_satisfied), sum(verified), sum(reworked)
  FROM (
    SELECT f.day, w.org_path, f.dispatched, f.accepted_on_time, f.resolved, f.resolved_extended, f.resolved_on_time,
      f.resolved_first_time, 0 AS callbacks, 0 AS callbacks_solved, 0 AS rated_callbacks, 0 AS rated_satisfied,
      0 AS verified, 0 AS reworked
    FROM work_orders w CROSS JOIN LATERAL rate_order_facts(1, w.dispatched_at, w.accepted_on_time, w.resolved_at,
      w.resolved_on_time, w.flow) f
    UNION ALL
    SELECT f.day, w.org_path, 0, 0, 0, 0, 0, 0, f.callbacks, f.callbacks_solved, f.rated_callbacks, f.rated_satisfied,
      f.verified, f.reworked
    FROM work_order_events e JOIN work_orders w ON w.id = e.order_id
    CROSS JOIN LATERAL rate_event_facts(e.at, e.action, e.detail) f
    WHERE e.action IN ('close', 'reopen', 'verify', 'rework')
  ) facts
  GROUP BY day, org_path;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
--> statement-breakpoint
SELECT rate_counts_rebuild();
