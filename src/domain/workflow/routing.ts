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
