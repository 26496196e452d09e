ALTER TABLE "audit_events" ADD COLUMN "actor_kind" text;--> statement-breakpoint
ALTER TABLE "categories" ADD COLUMN "visibility" text DEFAULT 'public' NOT NULL;--> statement-breakpoint
ALTER TABLE "categories" ADD COLUMN "public_wording" text;--> statement-breakpoint
-- Health, safety and family matters are not for strangers: these built-in categories show their wording, not
-- the caller's text, and medical requests stay off public lists altogether.
UPDATE "categories" SET "visibility" = 'hidden', "public_wording" = '医疗健康服务' WHERE "code" = 'medical';--> statement-breakpoint
UPDATE "categories" SET "visibility" = 'private', "public_wording" = '养老助残服务' WHERE "code" = 'elderly_care';--> statement-breakpoint
UPDATE "categories" SET "visibility" = 'private', "public_wording" = '邻里纠纷调解' WHERE "code" = 'neighbour_dispute';--> statement-breakpoint
UPDATE "categories" SET "visibility" = 'private', "public_wording" = '治安隐患（已转公安处理）' WHERE "code" = 'public_safety';--> statement-breakpoint
-- Orders raised by a visit alert carried the readings in their text; the readings live in the care module.
UPDATE "work_orders" o SET "description" = '走访预警（' || CASE a."level" WHEN 'critical' THEN '危急' ELSE '异常' END || '），详见关爱档案'
FROM "care_alerts" a WHERE a."work_order_id" = o."id";
