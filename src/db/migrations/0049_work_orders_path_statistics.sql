-- A grid worker's queue (open orders under the grid's path) is read through work_orders_state_path_idx. With
-- the default statistics target the planner keeps 16 of a district's ~900 grid paths as common values and
-- guesses a grid's share of the rest from the histogram: at 15 M orders it guessed 13 orders for a grid that
-- had 16,940 and walked them all through the path index (p95 310 ms; bench/suzhou.ts). With a target of 1000
-- every grid path is a common value, the estimate is right and the queue reads only the open orders.
ALTER TABLE "work_orders" ALTER COLUMN "org_path" SET STATISTICS 1000;
