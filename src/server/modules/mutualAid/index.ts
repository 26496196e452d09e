import type { FastifyInstance } from "fastify";
import { publicRoutes } from "./publicRoutes.ts";
import { residentRoutes } from "./residentRoutes.ts";
import { mutualAidRoutes } from "./routes.ts";

// Mutual aid & services (共享药箱, 服务阵地, 活动) and the resident app: the face.

export async function routes(app: FastifyInstance) {
  await app.register(mutualAidRoutes);
  await app.register(publicRoutes);
  await app.register(residentRoutes);
}

/** Event reminders (the day before, 2 h before) through the outbox, once each whatever the process count. */
export { runEventReminders } from "./reminders.ts";
/** Open and overdue medicine requests of a subtree (for the command center). */
export { overdueMedicineRequests } from "./requests.ts";
export { seedMutualAid } from "./seed.ts";
