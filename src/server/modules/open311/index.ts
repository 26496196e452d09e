import type { FastifyInstance } from "fastify";
import { keyRoutes } from "./keys.ts";
import { open311Routes } from "./routes.ts";
import { upstreamRoutes } from "./upstreamRoutes.ts";

// The Open311 module's face: GeoReport v2 for strangers, the key admin routes, and 上级交办 (this
// installation as a client of an upstream 12345 platform).
export async function routes(app: FastifyInstance) {
  await app.register(open311Routes);
  await app.register(keyRoutes);
  await app.register(upstreamRoutes);
}

export {
  createLink,
  pollLink,
  queueUpdates,
  syncUpstream,
  UPSTREAM_KIND,
  type UpstreamOptions,
  upstreamOfOrder,
  upstreamTransport,
} from "./upstream.ts";
export { UpstreamOfOrderSchema } from "./upstreamRoutes.ts";
