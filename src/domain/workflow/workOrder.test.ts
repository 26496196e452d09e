import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeDeadlines } from "../sla/deadline.ts";
import { POLICY_12345, POLICY_52022 } from "../sla/policy.ts";
import { formatShanghai, shanghaiTime } from "../sla/time.ts";
import {
  ACTION_LABELS,
  FINAL_STATES,
  ORDER_ACTIONS,
  ORDER_STATES,
  type OrderAction,
  type OrderState,
  ROLES,
  type Role,
  STATE_LABELS,
} from "./states.ts";
import { allowedActions, TRANSITIONS, targetState, transitionFor } from "./transitions.ts";
import {
  type Actor,
  applyTransition,
  newWorkOrder,
  slaInputOf,
  TRANSITION_ERROR_STATUS,
  type TransitionPayload,
  type WorkOrder,
} from "./workOrder.ts";

const T0 = shanghaiTime(2026, 3, 2, 9);
const min = (n: number) => new Date(T0.getTime() + n * 60_000);
const agent: Actor = { id: "agent-1", roles: ["agent"] };
const worker: Actor = { id: "worker-1", roles: ["grid_worker"] };
const head: Actor = { id: "head-1", roles: ["grid_head"] };
const resident: Actor = { id: "resident-1", roles: ["resident"] };
const system: Actor = { id: "system", roles: ["system"] };

/** Applies steps in order, failing the test on the first refusal. */
function run(order: WorkOrder, steps: [OrderAction, Actor, TransitionPayload?][]): WorkOrder {
  let o = order;
  steps.forEach(([action, actor, payload], i) => {
    const r = applyTransition(o, action, actor, min(i + 1), payload);
    if (!r.ok) throw new Error(`${action}: ${r.error.message}`);
    o = r.order;
  });
  return o;
}

const satisfied = { callback: { solved: true, satisfaction: "satisfied" as const } };
const unhappy = { callback: { solved: false, satisfaction: "unsatisfied" as const } };

describe("the table", () => {
  it("labels every state and action in Chinese", () => {
    for (const s of ORDER_STATES) expect(STATE_LABELS[s]).toMatch(/\p{Script=Han}/u);
    for (const a of ORDER_ACTIONS) expect(ACTION_LABELS[a]).toMatch(/\p{Script=Han}/u);
    expect(STATE_LABELS.escalated).toBe("已吹哨");
    expect(ACTION_LABELS.return).toBe("退单");
  });

  it("has one row per action, only known states and roles, and nothing leaves a final state", () => {
    expect(TRANSITIONS.map((t) => t.action).sort()).toEqual([...ORDER_ACTIONS].sort());
    for (const t of TRANSITIONS) {
      for (const s of t.from) expect(ORDER_STATES).toContain(s);
      if (t.to !== "same") expect(ORDER_STATES).toContain(t.to);
      for (const r of t.roles) expect(ROLES).toContain(r);
    }
    for (const s of FINAL_STATES) expect(allowedActions(s)).toEqual([]);
  });

  it("reaches every state from received", () => {
    const seen = new Set<OrderState>(["received"]);
    const queue: OrderState[] = ["received"];
    while (queue.length) {
      const s = queue.shift()!;
      for (const a of allowedActions(s)) {
        const to = targetState(transitionFor(a), s);
        if (!seen.has(to)) {
          seen.add(to);
          queue.push(to);
        }
      }
    }
    expect([...seen].sort()).toEqual([...ORDER_STATES].sort());
  });

  it("filters next actions by role", () => {
    expect(allowedActions("dispatched", ["grid_worker"])).toEqual([
      "accept",
      "return",
      "escalate",
      "pause",
      "resume",
    ]);
    expect(allowedActions("received", ["resident"])).toEqual([]);
  });
});

describe("lifecycle", () => {
  it("small problem: received → dispatched → accepted → on_site → resolved → callback → closed", () => {
    const o = run(newWorkOrder("WO-1", T0), [
      ["dispatch", agent, { assignee: "320613019010-G03" }],
      ["accept", worker],
      ["arrive", worker],
      ["resolve", worker],
      ["verify", head],
      ["close", resident, satisfied],
    ]);
    expect(o.status).toBe("closed");
    expect(o.version).toBe(6);
    expect(o.lastCallback).toEqual(satisfied.callback);
    expect(Object.keys(o.milestones)).toEqual(["received", "dispatched", "accepted", "on_site", "resolved"]);
  });

  it("complex problem: accepted → planned → replied → resolved, and the order becomes complex", () => {
    const o = run(newWorkOrder("WO-2", T0), [
      ["dispatch", system],
      ["accept", worker],
      ["arrive", worker],
      ["plan", worker, { note: "需协调物业更换水泵" }],
      ["reply", worker],
      ["resolve", worker],
    ]);
    expect(o.status).toBe("resolved");
    expect(o.track).toBe("complex");
  });

  it("returns an event with actor, time and note", () => {
    const r = applyTransition(newWorkOrder("WO-3", T0), "cancel", agent, min(1), {
      reason: "重复来电，无效诉求",
    });
    expect(r).toMatchObject({
      ok: true,
      event: {
        action: "cancel",
        from: "received",
        to: "cancelled",
        actorId: "agent-1",
        at: min(1),
        note: "重复来电，无效诉求",
      },
    });
  });

  it("never mutates the order it was given", () => {
    const o = newWorkOrder("WO-4", T0);
    const copy = structuredClone(o);
    run(o, [
      ["dispatch", agent],
      ["accept", worker],
    ]);
    expect(o).toEqual(copy);
  });
});

describe("refusals", () => {
  it("resolve before accept is an illegal transition naming the allowed next actions and states (409)", () => {
    const o = run(newWorkOrder("WO-5", T0), [["dispatch", agent]]);
    const r = applyTransition(o, "resolve", worker, min(5));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: "illegal_transition", action: "resolve", state: "dispatched" });
    if (r.error.code !== "illegal_transition") return;
    expect(r.error.allowedActions).toContain("accept");
    expect(r.error.allowedStates).toEqual(
      expect.arrayContaining(["accepted", "returned", "escalated", "merged", "cancelled", "dispatched"]),
    );
    expect(TRANSITION_ERROR_STATUS[r.error.code]).toBe(409);
  });

  it("a role not in the row is forbidden (403)", () => {
    const r = applyTransition(newWorkOrder("WO-6", T0), "dispatch", resident, min(1));
    expect(r.ok === false && r.error.code).toBe("forbidden");
  });

  it("a stale version loses (two workers accept at once: one wins)", () => {
    const o = run(newWorkOrder("WO-7", T0), [["dispatch", agent]]);
    const first = applyTransition(o, "accept", worker, min(2), { expectedVersion: o.version });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const second = applyTransition(first.order, "accept", head, min(2), { expectedVersion: o.version });
    expect(second.ok === false && second.error.code).toBe("stale");
  });

  it("return, cancel, rework, escalate and refusal need a reason; merge needs another order", () => {
    const o = run(newWorkOrder("WO-8", T0), [["dispatch", agent]]);
    const bad = (action: OrderAction, actor: Actor, p: TransitionPayload = {}) => {
      const r = applyTransition(o, action, actor, min(3), p);
      return r.ok ? null : r.error.code === "invalid_payload" ? r.error.field : r.error.code;
    };
    expect(bad("return", worker, { reason: "  " })).toBe("reason");
    expect(bad("cancel", agent)).toBe("reason");
    expect(bad("escalate", worker, { reason: "需城管执法" })).toBe("escalateTo");
    expect(bad("merge", agent, { intoOrderId: "WO-8" })).toBe("intoOrderId");
    expect(bad("merge", agent, { intoOrderId: "WO-1" })).toBe(null);
  });
});

describe("side paths", () => {
  it("退单 goes back to the dispatcher with a reason and is counted", () => {
    const o = run(newWorkOrder("WO-9", T0), [
      ["dispatch", agent],
      ["accept", worker],
      ["return", worker, { reason: "不属于本网格" }],
      ["dispatch", agent, { assignee: "320613019010-G04" }],
    ]);
    expect(o.status).toBe("dispatched");
    expect(o.counts.returns).toBe(1);
    expect(o.milestones.accepted).toBeUndefined();
  });

  it("吹哨 escalates to a street or department, and the street can take it on", () => {
    const o = run(newWorkOrder("WO-10", T0), [
      ["dispatch", agent],
      ["accept", worker],
      ["escalate", head, { reason: "违法建设需执法", escalateTo: { level: "department", unitId: "城管局" } }],
      ["accept", { id: "cmd-1", roles: ["commander"] }],
    ]);
    expect(o.counts.escalations).toBe(1);
    expect(o.escalatedTo).toEqual({ level: "department", unitId: "城管局" });
    expect(o.status).toBe("accepted");
  });

  it("核查 rework sends a result back to the worker and is counted", () => {
    const o = run(newWorkOrder("WO-11", T0), [
      ["dispatch", agent],
      ["accept", worker],
      ["arrive", worker],
      ["resolve", worker],
      ["rework", head, { reason: "照片显示垃圾未清运" }],
    ]);
    expect(o.status).toBe("accepted");
    expect(o.counts.reworks).toBe(1);
    expect(o.milestones.resolved).toBeUndefined();
  });

  it("reopens only after an unsolved or unsatisfied callback, counted, with fresh clocks", () => {
    const resolved = run(newWorkOrder("WO-12", T0), [
      ["dispatch", agent],
      ["accept", worker],
      ["arrive", worker],
      ["resolve", worker],
      ["verify", head],
    ]);
    const refused = applyTransition(resolved, "reopen", agent, min(9), satisfied);
    expect(refused.ok === false && refused.error.code).toBe("invalid_payload");
    const o = run(resolved, [
      ["reopen", resident, unhappy],
      ["dispatch", agent],
    ]);
    expect(o.status).toBe("dispatched");
    expect(o.counts.reopens).toBe(1);
    expect(Object.keys(o.milestones)).toEqual(["received", "dispatched"]);
    expect(o.lastCallback).toEqual(unhappy.callback);
  });

  it("merges a duplicate into another order", () => {
    const o = run(newWorkOrder("WO-13", T0), [["merge", agent, { intoOrderId: "WO-1" }]]);
    expect(o).toMatchObject({ status: "merged", mergedInto: "WO-1" });
    expect(allowedActions(o.status)).toEqual([]);
  });

  it("extension: request, then approve (moves the deadline, counted) or refuse", () => {
    const accepted = run(newWorkOrder("WO-14", T0), [
      ["dispatch", agent],
      ["accept", worker],
    ]);
    const extra = { amount: 2, unit: "days" as const };
    const requested = run(accepted, [["request_extension", worker, { reason: "等待配件", extra }]]);
    expect(requested.pendingExtension).toMatchObject({ requestedBy: "worker-1", extra });
    expect(requested.status).toBe("accepted");
    const again = applyTransition(requested, "request_extension", worker, min(5), { reason: "再等", extra });
    expect(again.ok === false && again.error.code).toBe("invalid_payload");

    const approved = run(requested, [["approve_extension", head]]);
    expect(approved.extensions).toEqual([{ clock: "resolve", extra }]);
    expect(approved.counts.extensionsApproved).toBe(1);
    const before = computeDeadlines(slaInputOf(accepted, POLICY_12345, min(10))).find(
      (c) => c.clock === "resolve",
    )!;
    const after = computeDeadlines(slaInputOf(approved, POLICY_12345, min(10))).find(
      (c) => c.clock === "resolve",
    )!;
    expect(formatShanghai(before.deadline)).toBe("2026-03-09 09:01");
    expect(formatShanghai(after.deadline)).toBe("2026-03-11 09:01");

    const refused = run(requested, [["refuse_extension", head, { reason: "可当日完成" }]]);
    expect(refused.counts.extensionsRefused).toBe(1);
    expect(refused.extensions).toEqual([]);
    const nothing = applyTransition(accepted, "approve_extension", head, min(5));
    expect(nothing.ok === false && nothing.error.code).toBe("invalid_payload");
  });

  it("waiting on the resident pauses the clock until resumed, or until the order moves on", () => {
    const accepted = run(newWorkOrder("WO-15", T0), [
      ["dispatch", agent],
      ["accept", worker],
    ]);
    const paused = applyTransition(accepted, "pause", worker, min(3), { reason: "居民不在家，约定明早" });
    expect(paused.ok).toBe(true);
    if (!paused.ok) return;
    const twice = applyTransition(paused.order, "pause", worker, min(4), { reason: "x" });
    expect(twice.ok === false && twice.error.code).toBe("invalid_payload");
    const arrived = applyTransition(paused.order, "arrive", worker, min(30));
    expect(arrived.ok && arrived.order.pauses).toEqual([{ from: min(3), to: min(30) }]);
    // 52022: on site 5 minutes after the dispatch (minute 1), plus the 27 paused minutes
    if (!arrived.ok) return;
    const [arrive] = computeDeadlines(slaInputOf(arrived.order, POLICY_52022, min(40)));
    expect(arrived.order.milestones.dispatched).toEqual(min(1));
    expect(arrive.deadline).toEqual(min(1 + 5 + 27));
  });
});

// ---- property: random attempts never escape the table ------------------------------------------------

const actorArb = fc.record({
  id: fc.constantFrom("a", "b", "c"),
  roles: fc.subarray([...ROLES], { minLength: 1, maxLength: 3 }) as fc.Arbitrary<Role[]>,
});
const payloadArb: fc.Arbitrary<TransitionPayload> = fc.record(
  {
    reason: fc.constantFrom("原因", "", "  "),
    intoOrderId: fc.constantFrom("WO-P", "WO-OTHER"),
    escalateTo: fc.constant({ level: "street" as const, unitId: "320613019" }),
    extra: fc.record({ amount: fc.integer({ min: -1, max: 3 }), unit: fc.constant("days" as const) }),
    callback: fc.record({
      solved: fc.boolean(),
      satisfaction: fc.constantFrom(
        "satisfied" as const,
        "basically_satisfied" as const,
        "unsatisfied" as const,
        null,
      ),
    }),
  },
  { requiredKeys: [] },
);
const attemptArb = fc.tuple(fc.constantFrom(...ORDER_ACTIONS), actorArb, payloadArb);

describe("workflow laws", () => {
  it("property: any sequence of attempts stays within the table, and each success is an allowed move", () => {
    fc.assert(
      fc.property(fc.array(attemptArb, { maxLength: 60 }), (attempts) => {
        let o = newWorkOrder("WO-P", T0);
        attempts.forEach(([action, actor, payload], i) => {
          const r = applyTransition(o, action, actor, min(i), payload);
          if (!r.ok) return;
          const row = transitionFor(action);
          expect(row.from).toContain(o.status);
          expect(row.roles.some((role) => actor.roles.includes(role))).toBe(true);
          expect(r.event.from).toBe(o.status);
          expect(r.event.to).toBe(targetState(row, o.status));
          expect(ORDER_STATES).toContain(r.order.status);
          expect(r.order.status).toBe(r.event.to);
          expect(r.order.version).toBe(o.version + 1);
          // counters only grow
          for (const [k, v] of Object.entries(o.counts)) {
            expect(r.order.counts[k as keyof typeof o.counts]).toBeGreaterThanOrEqual(v);
          }
          // at most one open pause
          expect(r.order.pauses.filter((p) => !p.to).length).toBeLessThanOrEqual(1);
          o = r.order;
        });
      }),
      { numRuns: 300 },
    );
  });

  it("property: a refusal from a legal-looking state lists only actions that exist from there", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ORDER_STATES), fc.constantFrom(...ORDER_ACTIONS), (state, action) => {
        const o = { ...newWorkOrder("WO-Q", T0), status: state };
        const r = applyTransition(o, action, { id: "x", roles: [...ROLES] }, T0, {});
        if (r.ok || r.error.code !== "illegal_transition") return;
        expect(transitionFor(action).from).not.toContain(state);
        expect(r.error.allowedActions).toEqual(allowedActions(state));
      }),
    );
  });
});
