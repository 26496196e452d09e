import { maskPhone } from "../../../domain/mask/mask.ts";
import { SLA_STATUS_LABELS, slaStatus } from "../../../domain/sla/index.ts";
import {
  ACTION_LABELS,
  allowedActions,
  type OrderAction,
  type OrderState,
  STATE_LABELS,
} from "../../../domain/workflow/index.ts";
import type { Actor } from "../../context.ts";
import type { FieldCrypto } from "../../platform/crypto.ts";
import { clocksOf, toDomain } from "./flow.ts";
import { CHANNEL_LABELS, type Channel, flowRoles, type OrderRow } from "./service.ts";

export function presentOrder(row: OrderRow, crypto: FieldCrypto, actor: Actor | null, now = new Date()) {
  const order = toDomain(row);
  const clocks = clocksOf(order, row.slaPolicy, now);
  const status = slaStatus(clocks, now);
  // The table knows states; whether a clock is paused or an extension pending is the order's own fact.
  const paused = order.pauses.some((p) => !p.to);
  const actions = (actor ? allowedActions(row.state as OrderState, flowRoles(actor)) : []).filter(
    (a) =>
      !(a === "resume" && !paused) &&
      !(a === "pause" && paused) &&
      !((a === "approve_extension" || a === "refuse_extension") && !order.pendingExtension) &&
      !(a === "request_extension" && order.pendingExtension),
  );
  return {
    id: row.id,
    number: row.number,
    channel: row.channel,
    channelLabel: CHANNEL_LABELS[row.channel as Channel] ?? row.channel,
    category: row.categoryName,
    slaPolicy: row.slaPolicy,
    state: row.state,
    stateLabel: STATE_LABELS[row.state as OrderState] ?? row.state,
    version: row.version,
    description: row.description,
    residentId: row.residentId,
    callerName: row.callerName,
    callerPhoneMasked: row.callerPhoneCipher ? maskPhone(crypto.decrypt(row.callerPhoneCipher)) : null,
    address: row.address,
    buildingId: row.buildingId,
    orgUnitId: row.orgUnitId,
    orgName: row.orgName,
    routedLevel: row.routedLevel,
    assigneeId: row.assigneeId,
    track: order.track,
    nextDueAt: row.nextDueAt,
    overdue: row.overdueAt !== null || status === "overdue",
    slaStatus: status,
    slaStatusLabel: SLA_STATUS_LABELS[status],
    clocks: clocks.map((c) => ({
      clock: c.clock,
      label: c.label,
      deadline: c.deadline,
      stoppedAt: c.stoppedAt,
      paused: c.paused,
    })),
    counts: order.counts,
    pendingExtension: order.pendingExtension,
    callbackSolved: row.callbackSolved,
    satisfaction: row.satisfaction,
    ratingComment: row.ratingComment,
    mergedIntoId: row.mergedIntoId,
    createdAt: row.createdAt,
    allowedActions: actions.map((a) => ({ action: a, label: ACTION_LABELS[a as OrderAction] })),
  };
}

export const orderSchema = { type: "object", additionalProperties: true } as const;
