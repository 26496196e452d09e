import { describe, expect, it } from "vitest";
import { apply, isOverdue, type Rectification, refusal } from "./rectification.ts";

describe("rectification orders", () => {
  const open: Rectification = { state: "open", enforcement: "none", deadline: "2026-12-10" };
  it("closes on a passed re-inspection", () => {
    expect(refusal(open, "reinspect_pass", "2026-12-01")).toBeNull();
    const closed = apply(open, "reinspect_pass");
    expect(closed.state).toBe("closed");
    expect(refusal(closed, "reinspect_pass", "2026-12-01")).not.toBeNull();
  });
  it("escalates only past the deadline, releases only once closed", () => {
    expect(refusal(open, "escalate", "2026-12-10")).not.toBeNull();
    expect(refusal(open, "escalate", "2026-12-11")).toBeNull();
    expect(isOverdue(open, "2026-12-11")).toBe(true);
    const esc = apply(open, "escalate");
    expect(refusal(esc, "release", "2026-12-11")).not.toBeNull();
    const fixed = apply(esc, "reinspect_pass");
    expect(refusal(fixed, "release", "2026-12-12")).toBeNull();
    expect(apply(fixed, "release").enforcement).toBe("released");
  });
});
