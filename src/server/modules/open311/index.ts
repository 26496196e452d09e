import type { FastifyInstance } from "fastify";
import { keyRoutes } from "./keys.ts";
import { open311Routes } from "./routes.ts";

// The Open311 module's face: GeoReport v2 for strangers, and the key admin routes.
export async function routes(app: FastifyInstance) {
  await app.register(open311Routes);
  await app.register(keyRoutes);
}
