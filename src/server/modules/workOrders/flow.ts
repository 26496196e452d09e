import {
  type ClockDeadline,
  computeDeadlines,
  findPolicy,
  metOnTime,
  nextDeadline,
  type SlaPolicy,
} from "../../../domain/sla/index.ts";
import {
  type WorkOrder,
  type WorkOrderJson,
  workOrderFromJson,
  workOrderToJson,
} from "../../../domain/workflow/index.ts";

// The bridge between a work_orders row and the domain's WorkOrder: the JSON `flow` column holds the
// domain's bookkeeping, and the SLA clocks give the columns queues sort by.

/** The flow column holds the domain order minus what has its own columns (id, state, version). */
export function toDomain(row: { id: number; state: string; version: number; flow: unknown }): WorkOrder {
  const flow = row.flow as Omit<WorkOrderJson, "id" | "status" | "version">;
  return workOrderFromJson({
    ...flow,
    id: String(row.id),
    status: row.state as WorkOrder["status"],
    version: row.version,
  });
}

export function toFlow(order: WorkOrder): Omit<WorkOrderJson, "id" | "status" | "version"> {
  const { id: _id, status: _s, version: _v, ...flow } = workOrderToJson(order);
  return flow;
}

export function policyOf(id: string): SlaPolicy {
  const p = findPolicy(id);
  if (!p) throw new Error(`unknown SLA policy ${id}`);
  return p;
}

export function clocksOf(order: WorkOrder, policyId: string, now: Date): ClockDeadline[] {
  return computeDeadlines({
    policy: policyOf(policyId),
    milestones: order.milestones,
    track: order.track,
    pauses: order.pauses,
    extensions: order.extensions,
    now,
  });
}

/** Columns derived from the clocks: what the queue sorts by, what the sweep looks for, what rates count. */
export function slaColumns(order: WorkOrder, policyId: string, now: Date) {
  const clocks = clocksOf(order, policyId, now);
  const running = clocks.filter((c) => !c.stoppedAt && !c.paused);
  const nextWarn = running.reduce<Date | null>((m, c) => (!m || c.warnAt < m ? c.warnAt : m), null);
  const find = (...names: string[]) => clocks.find((c) => names.includes(c.clock));
  const accept = find("accept", "arrive");
  const resolve = find("resolve", "reply", "arrive");
  const done = ["closed", "merged", "cancelled", "resolved", "callback"].includes(order.status);
  return {
    nextDueAt: done ? null : nextDeadline(running),
    nextWarnAt: done ? null : nextWarn,
    acceptedOnTime: accept ? metOnTime(accept) : null,
    resolvedOnTime: resolve ? metOnTime(resolve) : null,
    clocks,
  };
}
