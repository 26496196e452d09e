-- INCLUDE (written by hand: the schema builder has no INCLUDE) makes the open-order counts index-only scans.
CREATE INDEX "work_orders_state_path_idx" ON "work_orders" USING btree ("state","org_path" text_pattern_ops) INCLUDE ("overdue_at", "next_due_at");
