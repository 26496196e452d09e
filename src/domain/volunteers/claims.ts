// Claiming a task with a hard capacity and a waitlist, as a pure model of what the database does in one
// statement: a claim takes a place while places remain, else joins the waitlist; cancelling a place hands
// it to the earliest waitlisted claim; cancelling is allowed only before the task's cut-off.

export type ClaimState = "claimed" | "waitlisted" | "cancelled" | "no_show";

export interface Slot {
  capacity: number;
  /** Claims in arrival order. */
  claims: { member: string; state: ClaimState }[];
}

export const taken = (s: Slot) => s.claims.filter((c) => c.state === "claimed").length;

export function claim(s: Slot, member: string): { slot: Slot; state: ClaimState } | { error: "already" } {
  if (s.claims.some((c) => c.member === member && c.state !== "cancelled")) return { error: "already" };
  const state: ClaimState = taken(s) < s.capacity ? "claimed" : "waitlisted";
  return {
    slot: { ...s, claims: [...s.claims.filter((c) => c.member !== member), { member, state }] },
    state,
  };
}

/** Cancels a member's claim; a freed place goes to the first waitlisted claim. Returns who moved up. */
export function cancel(s: Slot, member: string): { slot: Slot; promoted: string | null } {
  let freed = false;
  const claims = s.claims.map((c) => {
    if (c.member !== member || (c.state !== "claimed" && c.state !== "waitlisted")) return c;
    freed = c.state === "claimed";
    return { ...c, state: "cancelled" as const };
  });
  let promoted: string | null = null;
  if (freed) {
    const i = claims.findIndex((c) => c.state === "waitlisted");
    if (i >= 0) {
      claims[i] = { ...claims[i], state: "claimed" };
      promoted = claims[i].member;
    }
  }
  return { slot: { ...s, claims }, promoted };
}

/** Whether a claim may still be cancelled: before the start minus the cut-off. */
export const canCancel = (now: Date, startsAt: Date, cutoffMinutes: number) =>
  now.getTime() <= startsAt.getTime() - cutoffMinutes * 60_000;
