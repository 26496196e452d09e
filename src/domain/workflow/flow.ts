// A WorkOrder as plain JSON (ISO timestamps) for a jsonb column, and back. Dates are the only values
// JSON would not bring back as they were, so these are the only fields converted.
import type { WorkOrder } from "./workOrder.ts";

type Iso = string;

export type WorkOrderJson = Omit<WorkOrder, "milestones" | "pauses" | "pendingExtension"> & {
  milestones: Partial<Record<keyof WorkOrder["milestones"], Iso>>;
  pauses: { from: Iso; to: Iso | null }[];
  pendingExtension: (Omit<NonNullable<WorkOrder["pendingExtension"]>, "at"> & { at: Iso }) | null;
};

export function workOrderToJson(o: WorkOrder): WorkOrderJson {
  return {
    ...structuredClone(o),
    milestones: Object.fromEntries(Object.entries(o.milestones).map(([k, d]) => [k, d.toISOString()])),
    pauses: o.pauses.map((p) => ({ from: p.from.toISOString(), to: p.to ? p.to.toISOString() : null })),
    pendingExtension: o.pendingExtension
      ? { ...o.pendingExtension, at: o.pendingExtension.at.toISOString() }
      : null,
  };
}

export function workOrderFromJson(j: WorkOrderJson): WorkOrder {
  return {
    ...structuredClone(j),
    milestones: Object.fromEntries(Object.entries(j.milestones).map(([k, s]) => [k, new Date(s as Iso)])),
    pauses: j.pauses.map((p) => ({ from: new Date(p.from), to: p.to ? new Date(p.to) : null })),
    pendingExtension: j.pendingExtension
      ? { ...j.pendingExtension, at: new Date(j.pendingExtension.at) }
      : null,
  };
}
