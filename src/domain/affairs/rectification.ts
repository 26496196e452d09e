// An inspection's failed item becomes a rectification order with a deadline. A re-inspection that passes
// closes it; one that fails keeps it open (the deadline may be moved). An order past its deadline may be
// escalated to enforcement 联合惩戒; enforcement is released once the order is closed.

export type RectState = "open" | "closed";
export type Enforcement = "none" | "active" | "released";

export interface Rectification {
  state: RectState;
  enforcement: Enforcement;
  /** YYYY-MM-DD */
  deadline: string;
}

export type RectAction = "reinspect_pass" | "reinspect_fail" | "escalate" | "release";

/** null when the action is allowed; else why not (a 409's message). */
export function refusal(r: Rectification, action: RectAction, today: string): string | null {
  switch (action) {
    case "reinspect_pass":
    case "reinspect_fail":
      return r.state === "open" ? null : "整改单已销号，无需复查";
    case "escalate":
      if (r.enforcement === "active") return "已移交联合惩戒";
      if (r.state !== "open") return "整改单已销号，不能移交联合惩戒";
      return today > r.deadline ? null : "整改期限未到，不能移交联合惩戒";
    case "release":
      if (r.enforcement !== "active") return "该整改单未被联合惩戒";
      return r.state === "closed" ? null : "整改复查通过（销号）后才能解除联合惩戒";
  }
}

export function apply(r: Rectification, action: RectAction): Rectification {
  switch (action) {
    case "reinspect_pass":
      return { ...r, state: "closed" };
    case "reinspect_fail":
      return r;
    case "escalate":
      return { ...r, enforcement: "active" };
    case "release":
      return { ...r, enforcement: "released" };
  }
}

/** Overdue: open past its deadline. */
export const isOverdue = (r: Rectification, today: string) => r.state === "open" && today > r.deadline;
