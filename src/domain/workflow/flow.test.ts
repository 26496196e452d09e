import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { workOrderFromJson, workOrderToJson } from "./flow.ts";
import { ORDER_ACTIONS, ROLES } from "./states.ts";
import { applyTransition, cloneOrder, newWorkOrder, type WorkOrder } from "./workOrder.ts";

const attempt = fc.tuple(fc.constantFrom(...ORDER_ACTIONS), fc.integer({ min: 0, max: 10_000 }));

/** An order reached by random attempts (illegal ones are refused and skipped). */
function reach(attempts: [(typeof ORDER_ACTIONS)[number], number][]): WorkOrder {
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
  return o;
}

describe("work order copies", () => {
  it("property: cloneOrder equals structuredClone and shares nothing with the original", () => {
    fc.assert(
      fc.property(fc.array(attempt, { maxLength: 40 }), (attempts) => {
        const o = reach(attempts);
        const copy = cloneOrder(o);
        expect(copy).toStrictEqual(structuredClone(o));
        const before = structuredClone(o);
        // Change every nested thing of the copy: the original must not see it.
        for (const d of Object.values(copy.milestones)) d.setTime(0);
        for (const p of copy.pauses) p.from.setTime(0);
        for (const e of copy.extensions) e.extra.amount = -99;
        copy.counts.reopens = -1;
        if (copy.pendingExtension) copy.pendingExtension.extra.amount = -99;
        if (copy.escalatedTo) copy.escalatedTo.unitId = "x";
        if (copy.lastCallback) copy.lastCallback.solved = !copy.lastCallback.solved;
        expect(o).toStrictEqual(before);
      }),
    );
  });
});

describe("work order JSON", () => {
  it("property: any reachable order survives JSON.stringify → parse", () => {
    fc.assert(
      fc.property(fc.array(attempt, { maxLength: 40 }), (attempts) => {
        const o = reach(attempts);
        const back = workOrderFromJson(JSON.parse(JSON.stringify(workOrderToJson(o))));
        expect(back).toEqual(o);
      }),
    );
  });
});
