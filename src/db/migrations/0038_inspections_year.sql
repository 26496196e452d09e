-- INCLUDE (written by hand: the schema builder has no INCLUDE) makes the inspection summary's year of counts
-- per unit an index-only scan instead of reading each inspection's checklist (jsonb) from the heap.
CREATE INDEX "inspections_year_idx" ON "inspections" USING btree ("inspected_at","org_path") INCLUDE ("enterprise_id", "kind", "failed");
