-- The command center's live figures: every new order and every change of an order's state tells listeners
-- (in any server process) which unit it belongs to. PostgreSQL folds identical notifications of one
-- transaction into one and delivers them only after commit.
CREATE OR REPLACE FUNCTION work_orders_notify_change() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('gk_orders', NEW.org_path);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER work_orders_notify_insert AFTER INSERT ON work_orders
  FOR EACH ROW EXECUTE FUNCTION work_orders_notify_change();
--> statement-breakpoint
CREATE TRIGGER work_orders_notify_update AFTER UPDATE OF state, org_path, overdue_at ON work_orders
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.org_path IS DISTINCT FROM NEW.org_path
    OR OLD.overdue_at IS DISTINCT FROM NEW.overdue_at)
  EXECUTE FUNCTION work_orders_notify_change();
