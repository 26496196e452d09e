DROP INDEX "audit_events_at_idx";--> statement-breakpoint
DROP INDEX "work_orders_open311_token_uq";--> statement-breakpoint
DROP INDEX "work_orders_assignee_idx";--> statement-breakpoint
DROP INDEX "work_orders_building_idx";--> statement-breakpoint
DROP INDEX "work_orders_phone_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "work_orders_open311_token_uq" ON "work_orders" USING btree ("open311_token") WHERE "work_orders"."open311_token" is not null;--> statement-breakpoint
CREATE INDEX "work_orders_assignee_idx" ON "work_orders" USING btree ("assignee_id","state") WHERE "work_orders"."assignee_id" is not null;--> statement-breakpoint
CREATE INDEX "work_orders_building_idx" ON "work_orders" USING btree ("building_id","created_at") WHERE "work_orders"."building_id" is not null;--> statement-breakpoint
CREATE INDEX "work_orders_phone_idx" ON "work_orders" USING btree ("caller_phone_hash") WHERE "work_orders"."caller_phone_hash" is not null;