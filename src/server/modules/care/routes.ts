import type { FastifyInstance } from "fastify";
import { doctorRoutes } from "./doctorRoutes.ts";
import { ledgerRoutes } from "./ledgerRoutes.ts";
import { planRoutes } from "./planRoutes.ts";
import { proposalRoutes } from "./proposalRoutes.ts";
import { teamRoutes } from "./teamRoutes.ts";
import { visitRoutes } from "./visitRoutes.ts";

// The care module's routes, one file per part: the ledger, plans, visits, family doctors and care teams.
// Each route is thin: its TypeBox schema parses, policy.ts authorises, the service acts, presenter.ts
// decides what leaves (and declares the response schema).

export async function careRoutes(app: FastifyInstance) {
  await app.register(ledgerRoutes);
  await app.register(planRoutes);
  await app.register(visitRoutes);
  await app.register(doctorRoutes);
  await app.register(teamRoutes);
  await app.register(proposalRoutes);
}
