CREATE TABLE "order_flow_daily" (
	"day" date NOT NULL,
	"org_path" text NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"closed" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "order_flow_daily_day_org_path_pk" PRIMARY KEY("day","org_path")
);
--> statement-breakpoint
CREATE TABLE "order_mix_daily" (
	"day" date NOT NULL,
	"org_path" text NOT NULL,
	"dim" text NOT NULL,
	"key" text NOT NULL,
	"n" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "order_mix_daily_day_org_path_dim_key_pk" PRIMARY KEY("day","org_path","dim","key")
);
--> statement-breakpoint
CREATE INDEX "order_flow_daily_path_idx" ON "order_flow_daily" USING btree ("org_path" text_pattern_ops,"day");--> statement-breakpoint
CREATE INDEX "order_mix_daily_path_idx" ON "order_mix_daily" USING btree ("org_path" text_pattern_ops,"day");--> statement-breakpoint
-- What one order contributes to order_flow_daily: received on its creation day unless merged, closed on its
-- closing day, under its community (the routed path cut after three levels; a shorter path as it is).
-- sign = -1 takes a row's old contribution back when it changes. Days are Asia/Shanghai (UTC+8, no DST).
CREATE FUNCTION order_flow_facts(p_sign int, p_org_path text, p_created_at timestamptz, p_closed_at timestamptz,
  p_state text)
RETURNS TABLE (day date, org_path text, received int, closed int)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT v.day, coalesce(substring(p_org_path from '^(/[^/]+/[^/]+/[^/]+/)'), p_org_path), p_sign * v.r, p_sign * v.c
  FROM (VALUES
    ((p_created_at AT TIME ZONE INTERVAL '+08:00')::date, (p_state <> 'merged')::int, 0),
    ((p_closed_at AT TIME ZONE INTERVAL '+08:00')::date, 0, 1)
  ) AS v(day, r, c)
  WHERE v.day IS NOT NULL AND (v.r <> 0 OR v.c <> 0)
$$;
--> statement-breakpoint
-- What one order contributes to order_mix_daily: on its creation day, under its street, one count each by
-- category, channel and current state; nothing while merged.
CREATE FUNCTION order_mix_facts(p_sign int, p_org_path text, p_created_at timestamptz, p_state text,
  p_category_id int, p_channel text)
RETURNS TABLE (day date, org_path text, dim text, key text, n int)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (p_created_at AT TIME ZONE INTERVAL '+08:00')::date,
    coalesce(substring(p_org_path from '^(/[^/]+/[^/]+/)'), p_org_path), v.dim, v.key, p_sign
  FROM (VALUES ('category', p_category_id::text), ('channel', p_channel), ('state', p_state)) AS v(dim, key)
  WHERE p_state <> 'merged' AND v.key IS NOT NULL
$$;
--> statement-breakpoint
-- Applies the facts of a statement's changed rows (+1 for new rows, -1 for old ones), one upsert per table, keys
-- in order so concurrent writers lock rows in the same order. An update counts only rows whose path, days,
-- state, category or channel changed (an SLA sweep or a note writes nothing here). The transition tables are
-- named in the statement text, which is why it is built per operation.
CREATE FUNCTION order_figures_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cols constant text := 'org_path, created_at, closed_at, state, category_id, channel';
  changed text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    changed := format('SELECT 1 AS sign, %s FROM new_rows', cols);
  ELSIF TG_OP = 'DELETE' THEN
    changed := format('SELECT -1 AS sign, %s FROM old_rows', cols);
  ELSE
    changed := 'SELECT s.* FROM new_rows n JOIN old_rows o ON o.id = n.id
      CROSS JOIN LATERAL (VALUES
        (1, n.org_path, n.created_at, n.closed_at, n.state, n.category_id, n.channel),
        (-1, o.org_path, o.created_at, o.closed_at, o.state, o.category_id, o.channel)
      ) AS s(sign, org_path, created_at, closed_at, state, category_id, channel)
      WHERE (n.org_path, n.created_at, n.closed_at, n.state, n.category_id, n.channel)
        IS DISTINCT FROM (o.org_path, o.created_at, o.closed_at, o.state, o.category_id, o.channel)';
  END IF;
  EXECUTE format($q$
    INSERT INTO order_flow_daily AS d (day, org_path, received, closed)
    SELECT f.day, f.org_path, sum(f.received), sum(f.closed)
    FROM (%s) c CROSS JOIN LATERAL order_flow_facts(c.sign, c.org_path, c.created_at, c.closed_at, c.state) f
    GROUP BY f.day, f.org_path
    HAVING sum(f.received) <> 0 OR sum(f.closed) <> 0
    ORDER BY f.day, f.org_path
    ON CONFLICT (day, org_path) DO UPDATE
      SET received = d.received + excluded.received, closed = d.closed + excluded.closed$q$, changed);
  EXECUTE format($q$
    INSERT INTO order_mix_daily AS d (day, org_path, dim, key, n)
    SELECT f.day, f.org_path, f.dim, f.key, sum(f.n)
    FROM (%s) c
    CROSS JOIN LATERAL order_mix_facts(c.sign, c.org_path, c.created_at, c.state, c.category_id, c.channel) f
    GROUP BY f.day, f.org_path, f.dim, f.key
    HAVING sum(f.n) <> 0
    ORDER BY f.day, f.org_path, f.dim, f.key
    ON CONFLICT (day, org_path, dim, key) DO UPDATE SET n = d.n + excluded.n$q$, changed);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER order_figures_insert AFTER INSERT ON work_orders REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION order_figures_changed();
--> statement-breakpoint
CREATE TRIGGER order_figures_update AFTER UPDATE ON work_orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION order_figures_changed();
--> statement-breakpoint
CREATE TRIGGER order_figures_delete AFTER DELETE ON work_orders REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION order_figures_changed();
--> statement-breakpoint
-- Recomputes both tables from the orders (the backfill below; `gridkeeper rates rebuild` runs it too).
CREATE FUNCTION order_figures_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  LOCK TABLE order_flow_daily, order_mix_daily IN EXCLUSIVE MODE;
  DELETE FROM order_flow_daily;
  DELETE FROM order_mix_daily;
  INSERT INTO order_flow_daily (day, org_path, received, closed)
  SELECT f.day, f.org_path, sum(f.received), sum(f.closed)
  FROM work_orders w CROSS JOIN LATERAL order_flow_facts(1, w.org_path, w.created_at, w.closed_at, w.state) f
  GROUP BY f.day, f.org_path;
  GET DIAGNOSTICS n = ROW_COUNT;
  INSERT INTO order_mix_daily (day, org_path, dim, key, n)
  SELECT f.day, f.org_path, f.dim, f.key, sum(f.n)
  FROM work_orders w
  CROSS JOIN LATERAL order_mix_facts(1, w.org_path, w.created_at, w.state, w.category_id, w.channel) f
  GROUP BY f.day, f.org_path, f.dim, f.key;
  RETURN n;
END $$;
--> statement-breakpoint
SELECT order_figures_rebuild();
