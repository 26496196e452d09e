import type { FastifyInstance } from "fastify";
import type { Db } from "../../../db/client.ts";
import { VITAL_LEVEL_LABELS, type VitalLevel } from "../../../domain/care/vitals.ts";
import type { AppContext, SystemPrincipal } from "../../context.ts";
import { attachmentRoutes } from "./attachments.ts";
import { publicOrderRoutes } from "./public.ts";
import { workOrderRoutes } from "./routes.ts";
import { createPreparedIn, type PreparedOrder, prepareOrder } from "./service.ts";

// The work-order module's face: the only file other modules (and the app, CLI and seeds) import.

/** Staff routes, the resident's status page and order photos. */
export async function routes(app: FastifyInstance) {
  await app.register(workOrderRoutes);
  await app.register(publicOrderRoutes);
  await app.register(attachmentRoutes);
}

export { DEFAULT_CATEGORIES, listServices, type ServiceAttribute, seedCategories } from "./categories.ts";
export { slaColumns, toFlow } from "./flow.ts";
export { CHANNEL_LABELS, CHANNELS, type Channel, type PublicOrder } from "./presenter.ts";
export {
  addClientUpdate,
  countPublic,
  listPublic,
  listPublicUpdates,
  type PublicFilter,
  type PublicUpdate,
  publicIdByToken,
} from "./public.ts";
export { type CreateOrderInput, createOrder, type OrderExtras, QUEUE_LIMIT } from "./service.ts";
export { SLA_SWEEP, sweepSla } from "./sweep.ts";

/**
 * Care's urgent order (爱心专班: someone at the door within the hour), in two steps so it can be written in
 * the same transaction as the visit that raised it: `prepareCareUrgent` reads and routes (before the
 * transaction), `raiseCareUrgent` writes (inside it). The order says which alert, never the readings: health
 * data stays in the care module, behind its own permissions.
 */
export function prepareCareUrgent(
  ctx: AppContext,
  system: SystemPrincipal,
  input: { residentId: number; level: VitalLevel },
  now = new Date(),
): Promise<PreparedOrder> {
  return prepareOrder(
    ctx,
    system,
    {
      channel: "care_hotline",
      categoryCode: "medical",
      description: `走访预警（${VITAL_LEVEL_LABELS[input.level]}），详见关爱档案`,
      residentId: input.residentId,
    },
    now,
  );
}

export function raiseCareUrgent(tx: Db, prepared: PreparedOrder) {
  return createPreparedIn(tx, prepared);
}
export {
  type HotSpot,
  hotSpots,
  type OrderPoint,
  openOrderPoints,
  openProactiveOrder,
  orderChildren,
  orderPeriod,
  orderSituation,
  orderTotals,
} from "./figures.ts";
export {
  type AppOrder,
  addAppPhoto,
  ordersForResident,
  photoForResident,
  raiseFromApp,
  rateFromApp,
} from "./residentApp.ts";
export type { PreparedOrder };

/**
 * Another module's order filed inside its own transaction (a deliberation's agreed action): `prepareOrder`
 * validates and routes before the transaction, `writePreparedOrder` writes in it, so the order commits or
 * rolls back with the change that raised it.
 */
export { prepareOrder };
export const writePreparedOrder = (tx: Db, prepared: PreparedOrder) => createPreparedIn(tx, prepared);
