// The points ledger's laws, without I/O. Every award, redemption and reversal is one transaction whose legs
// sum to zero; a member's account never goes below zero; a community's `issued` account is the source of
// every award (it runs negative by the points in circulation) and its `redeemed` account the sink.

export type AccountKind = "member" | "issued" | "redeemed";

export interface Leg {
  account: string;
  kind: AccountKind;
  amount: number;
  minutes?: number;
}

export type Posting =
  | { kind: "award"; member: string; community: string; points: number; minutes?: number }
  | { kind: "redeem"; member: string; community: string; points: number }
  | { kind: "reversal"; of: Leg[] };

export const issuedAccount = (community: string) => `issued:${community}`;
export const redeemedAccount = (community: string) => `redeemed:${community}`;

/** The legs of a posting. Points are positive whole numbers; a reversal negates every leg of the original. */
export function legsOf(p: Posting): Leg[] {
  switch (p.kind) {
    case "award":
      assertPoints(p.points);
      return [
        { account: issuedAccount(p.community), kind: "issued", amount: -p.points },
        { account: p.member, kind: "member", amount: p.points, minutes: p.minutes ?? 0 },
      ];
    case "redeem":
      assertPoints(p.points);
      return [
        { account: p.member, kind: "member", amount: -p.points },
        { account: redeemedAccount(p.community), kind: "redeemed", amount: p.points },
      ];
    case "reversal":
      return p.of.map((l) => ({ ...l, amount: -l.amount, minutes: -(l.minutes ?? 0) }));
  }
}

function assertPoints(n: number) {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`points must be a positive integer: ${n}`);
}

/** Whether a set of legs is one balanced transaction. */
export const balanced = (legs: readonly Leg[]) =>
  legs.length >= 2 && legs.reduce((s, l) => s + l.amount, 0) === 0;

/**
 * Applies legs to balances, all or nothing: returns the new balances, or the member account that would go
 * below zero (the database does the same with a conditional update in one transaction).
 */
export function apply(
  balances: ReadonlyMap<string, number>,
  legs: readonly Leg[],
): { ok: true; balances: Map<string, number> } | { ok: false; short: string } {
  if (!balanced(legs)) throw new Error("unbalanced transaction");
  const next = new Map(balances);
  for (const l of legs) next.set(l.account, (next.get(l.account) ?? 0) + l.amount);
  for (const l of legs)
    if (l.kind === "member" && (next.get(l.account) ?? 0) < 0) return { ok: false, short: l.account };
  return { ok: true, balances: next };
}

/** Points for confirmed service minutes at the community's rate: whole points, rounded half up. */
export const pointsForMinutes = (minutes: number, perHour: number) => Math.round((minutes * perHour) / 60);
