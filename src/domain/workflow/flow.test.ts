import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { workOrderFromJson, workOrderToJson } from "./flow.ts";
import { ORDER_ACTIONS, ROLES } from "./states.ts";
import { applyTransition, newWorkOrder, type WorkOrder } from "./workOrder.ts";

describe("work order JSON", () => {
  it("property: any reachable order survives JSON.stringify → parse", () => {
    const attempt = fc.tuple(fc.constantFrom(...ORDER_ACTIONS), fc.integer({ min: 0, max: 10_000 }));
    fc.assert(
      fc.property(fc.array(attempt, { maxLength: 40 }), (attempts) => {
        let o: WorkOrder = newWorkOrder("WO-J", new Date("2026-03-02T01:00:00Z"));
        for (const [action, minutes] of attempts) {
          const r = applyTransition(
            o,
            action,
            { id: "x", roles: [...ROLES] },
            new Date(o.milestones.received!.getTime() + minutes * 60_000),
            {
              reason: "原因",
              intoOrderId: "WO-2",
              escalateTo: { level: "street", unitId: "320613019" },
              extra: { amount: 1, unit: "days" },
              callback: { solved: false, satisfaction: "unsatisfied" },
            },
          );
          if (r.ok) o = r.order;
        }
        const back = workOrderFromJson(JSON.parse(JSON.stringify(workOrderToJson(o))));
        expect(back).toEqual(o);
      }),
    );
  });
});
