import { maskPhone } from "../../../domain/mask/mask.ts";
import { type ClockDeadline, SLA_STATUS_LABELS, slaStatus } from "../../../domain/sla/index.ts";
import {
  ACTION_LABELS,
  allowedActions,
  type OrderAction,
  type OrderState,
  STATE_LABELS,
  type WorkOrder,
} from "../../../domain/workflow/index.ts";
import type { Actor } from "../../context.ts";
import type { FieldCrypto } from "../../platform/crypto.ts";
import { clocksOf, toDomain } from "./flow.ts";
import { CHANNEL_LABELS, type Channel, flowRoles, type OrderRow } from "./service.ts";

/** What the caller may already hold for this row (a create just computed them): not worked out again. */
export interface Known {
  order: WorkOrder;
  clocks: ClockDeadline[];
  phone: string | null;
}

export function presentOrder(
  row: OrderRow,
  crypto: FieldCrypto,
  actor: Actor | null,
  now = new Date(),
  known?: Known,
) {
  const order = known?.order ?? toDomain(row);
  const clocks = known?.clocks ?? clocksOf(order, row.slaPolicy, now);
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
    callerPhoneMasked: known
      ? known.phone && maskPhone(known.phone)
      : row.callerPhoneCipher
        ? maskPhone(crypto.decrypt(row.callerPhoneCipher))
        : null,
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

const str = { type: "string" } as const;
const strOrNull = { type: ["string", "null"] } as const;
const intOrNull = { type: ["integer", "null"] } as const;
const time = { type: "string", format: "date-time" } as const;
const timeOrNull = { type: ["string", "null"], format: "date-time" } as const;

/**
 * The order as the API answers it: documented in OpenAPI, and a known shape lets the serializer write it
 * without inspecting every value (it was a tenth of an intake request). A test holds it to the presenter.
 */
export const orderSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    number: str,
    channel: str,
    channelLabel: str,
    category: str,
    slaPolicy: str,
    state: str,
    stateLabel: str,
    version: { type: "integer" },
    description: str,
    residentId: intOrNull,
    callerName: strOrNull,
    callerPhoneMasked: strOrNull,
    address: strOrNull,
    buildingId: intOrNull,
    orgUnitId: { type: "integer" },
    orgName: str,
    routedLevel: str,
    assigneeId: intOrNull,
    track: str,
    nextDueAt: timeOrNull,
    overdue: { type: "boolean" },
    slaStatus: str,
    slaStatusLabel: str,
    clocks: {
      type: "array",
      items: {
        type: "object",
        properties: {
          clock: str,
          label: str,
          deadline: time,
          stoppedAt: timeOrNull,
          paused: { type: "boolean" },
        },
      },
    },
    counts: { type: "object", additionalProperties: { type: "integer" } },
    pendingExtension: { type: ["object", "null"], additionalProperties: true },
    callbackSolved: { type: ["boolean", "null"] },
    satisfaction: strOrNull,
    ratingComment: strOrNull,
    mergedIntoId: intOrNull,
    createdAt: time,
    allowedActions: {
      type: "array",
      items: { type: "object", properties: { action: str, label: str } },
    },
  },
} as const;
