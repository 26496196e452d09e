import type { FastifyInstance } from "fastify";
import { acceptPhotoBodies } from "../../platform/photos.ts";
import { deliberationRoutes } from "./deliberation.ts";
import { inspectionRoutes } from "./inspections.ts";
import { keyProjectRoutes } from "./keyProjects.ts";
import { projectRoutes } from "./projects.ts";

// Community affairs: the face. Practical projects 列单-晒单-评单, deliberation 有事好商量, key projects
// 序时进度 and enterprise inspections 企业"五有".

export async function routes(app: FastifyInstance) {
  await app.register(async (scope) => {
    acceptPhotoBodies(scope);
    await scope.register(projectRoutes);
    await scope.register(deliberationRoutes);
    await scope.register(keyProjectRoutes);
    await scope.register(inspectionRoutes);
  });
}

export { FIVE_HAVES, WINTER_SAFETY } from "./inspections.ts";
export { type AffairsSeed, seedAffairs } from "./seed.ts";
