import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { IdParams, stdErrors } from "../../platform/schemas.ts";
import { JobSchema } from "./presenter.ts";
import { getJob, haltJobs, resumeJobs, STALE_MS } from "./service.ts";

export async function jobRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const ctx = app.ctx;
  let sweep: NodeJS.Timeout | undefined;
  // Jobs a dead process left behind continue from their checkpoint. On PGlite this process is the only
  // one, so whatever is `running` at start is dead; on PostgreSQL a job is dead once its heartbeat is stale.
  app.addHook("onReady", async () => {
    await resumeJobs(ctx, ctx.database.kind === "pglite" ? 0 : STALE_MS);
    if (ctx.database.kind === "postgres")
      sweep = setInterval(() => void resumeJobs(ctx).catch(() => {}), STALE_MS / 2).unref();
  });
  app.addHook("onClose", async () => {
    clearInterval(sweep);
    await haltJobs(ctx);
  });

  app.get(
    "/api/jobs/:id",
    {
      schema: {
        tags: ["jobs"],
        summary: "后台任务进度（导入等）：仅发起人可查看",
        params: IdParams,
        response: { 200: JobSchema, ...stdErrors },
      },
    },
    async (req) => getJob(ctx, req.actor, req.params.id),
  );
}
