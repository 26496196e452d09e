// A WorkOrder as plain JSON (ISO timestamps) for a jsonb column, and back. Dates are the only values
// JSON would not bring back as they were, so these are the only fields converted.
import type { WorkOrder } from "./workOrder.ts";

type Iso = string;

export type WorkOrderJson = Omit<WorkOrder, "milestones" | "pauses" | "pendingExtension"> & {
  milestones: Partial<Record<keyof WorkOrder["milestones"], Iso>>;
  pauses: { from: Iso; to: Iso | null }[];
  pendingExtension: (Omit<NonNullable<WorkOrder["pendingExtension"]>, "at"> & { at: Iso }) | null;
};

// Every field is listed (no structuredClone): these run on every order read and write, where the clone
// was the dearest step, and the compiler checks the literals stay complete when WorkOrder grows.

export function workOrderToJson(o: WorkOrder): WorkOrderJson {
  const milestones: WorkOrderJson["milestones"] = {};
  for (const [k, d] of Object.entries(o.milestones))
    milestones[k as keyof typeof milestones] = d.toISOString();
  return {
    ...copyPlain(o),
    milestones,
    pauses: o.pauses.map((p) => ({ from: p.from.toISOString(), to: p.to ? p.to.toISOString() : null })),
    pendingExtension: o.pendingExtension
      ? {
          ...o.pendingExtension,
          extra: { ...o.pendingExtension.extra },
          at: o.pendingExtension.at.toISOString(),
        }
      : null,
  };
}

export function workOrderFromJson(j: WorkOrderJson): WorkOrder {
  const milestones: WorkOrder["milestones"] = {};
  for (const [k, s] of Object.entries(j.milestones))
    milestones[k as keyof typeof milestones] = new Date(s as Iso);
  return {
    ...copyPlain(j),
    milestones,
    pauses: j.pauses.map((p) => ({ from: new Date(p.from), to: p.to ? new Date(p.to) : null })),
    pendingExtension: j.pendingExtension
      ? { ...j.pendingExtension, extra: { ...j.pendingExtension.extra }, at: new Date(j.pendingExtension.at) }
      : null,
  };
}

/** The fields with no dates in them, copied deep. */
function copyPlain(
  o: WorkOrder | WorkOrderJson,
): Omit<WorkOrder, "milestones" | "pauses" | "pendingExtension"> {
  return {
    id: o.id,
    status: o.status,
    version: o.version,
    track: o.track,
    extensions: o.extensions.map((e) => ({ clock: e.clock, extra: { ...e.extra } })),
    counts: { ...o.counts },
    escalatedTo: o.escalatedTo ? { ...o.escalatedTo } : null,
    mergedInto: o.mergedInto,
    lastCallback: o.lastCallback ? { ...o.lastCallback } : null,
  };
}
