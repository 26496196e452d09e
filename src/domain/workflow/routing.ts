import { computeDeadlines, type Pause } from "../sla/deadline.ts";
import type { SlaPolicy } from "../sla/policy.ts";

// 属地兜底 fallback routing: an order goes to the grid its place belongs to; when there is no grid, or the
// grid declines it (退单), it falls to the community, then to the street — which cannot decline.

export type RoutingLevel = "grid" | "community" | "street";

export interface Territory {
  gridId: string | null;
  communityId: string | null;
  streetId: string;
}

export interface RoutingTarget {
  level: RoutingLevel;
  orgUnitId: string;
}

export const ROUTING_LEVEL_LABELS: Record<RoutingLevel, string> = {
  grid: "网格",
  community: "社区",
  street: "街道",
};

/** Grid, community, street — the levels that exist for this place, nearest first. */
export function fallbackChain(t: Territory): RoutingTarget[] {
  const chain: RoutingTarget[] = [];
  if (t.gridId) chain.push({ level: "grid", orgUnitId: t.gridId });
  if (t.communityId) chain.push({ level: "community", orgUnitId: t.communityId });
  chain.push({ level: "street", orgUnitId: t.streetId });
  return chain;
}

/** The nearest unit that has not declined the order; the street is the floor. */
export function routeByTerritory(t: Territory, declined: Iterable<string> = []): RoutingTarget {
  const no = new Set(declined);
  const chain = fallbackChain(t);
  return chain.find((c) => !no.has(c.orgUnitId)) ?? chain[chain.length - 1];
}

/** Where an order goes when `current` does not claim it; null at the street. */
export function nextFallback(t: Territory, current: RoutingTarget): RoutingTarget | null {
  const chain = fallbackChain(t);
  const i = chain.findIndex((c) => c.level === current.level && c.orgUnitId === current.orgUnitId);
  if (i < 0) return chain[0];
  return chain[i + 1] ?? null;
}

/**
 * Whether an order the unit it was routed to has not accepted should fall to the next level (属地兜底): the
 * policy's acceptance clock (the clock a dispatched order stops by accepting or arriving), counted from when
 * the order reached this unit, has run out. Counting from the arrival at this unit gives each level its own
 * window, so an order falls one level at a time instead of racing to the street.
 */
export function unclaimedTooLong(
  policy: SlaPolicy,
  routedAt: Date,
  pauses: readonly Pause[],
  now: Date,
): boolean {
  const clocks = computeDeadlines({
    policy,
    milestones: { dispatched: routedAt, received: routedAt },
    pauses,
    now,
  });
  const acceptance = clocks.find((c) => c.clock === "accept" || c.clock === "arrive");
  return acceptance !== undefined && acceptance.deadline.getTime() <= now.getTime();
}

/** The territory an org path names: "/district/street/community/grid/…" (codes, as the tree keeps them). */
export function territoryOf(orgPath: string): Territory {
  const [, street, community, grid] = orgPath.split("/").filter(Boolean);
  return { streetId: street, communityId: community ?? null, gridId: grid ?? null };
}
