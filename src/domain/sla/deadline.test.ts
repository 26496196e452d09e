import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CALENDAR_24X7, CALENDAR_WORKDAYS } from "./calendar.ts";
import {
  addBusinessMsWithPauses,
  type ClockDeadline,
  clockStatus,
  computeDeadlines,
  type Extension,
  effectiveElapsedMs,
  metOnTime,
  nextDeadline,
  type Pause,
  pauseSpans,
  type SlaInput,
  slaStatus,
} from "./deadline.ts";
import {
  BUILTIN_POLICIES,
  type ClockName,
  findPolicy,
  hotline12345Policy,
  type Milestone,
  POLICY_12345,
  POLICY_52022,
  POLICY_CARE_URGENT,
} from "./policy.ts";
import { formatShanghai, shanghaiTime } from "./time.ts";

const at = (y: number, m: number, d: number, h = 0, mi = 0, s = 0) =>
  new Date(shanghaiTime(y, m, d, h, mi).getTime() + s * 1000);
const NOW = at(2026, 3, 1);

function due(input: Omit<SlaInput, "now"> & { now?: Date }): Record<string, string> {
  const clocks = computeDeadlines({ now: NOW, ...input });
  return Object.fromEntries(clocks.map((c) => [c.clock, formatShanghai(c.deadline)]));
}

describe("12345 across 春节 2026 and 调休 Saturdays", () => {
  it("dispatched Fri Feb 13 10:00: sign by 12:00, resolve by Fri Feb 27 10:00 (Sat 14 counts, 15–23 do not)", () => {
    expect(due({ policy: POLICY_12345, milestones: { dispatched: at(2026, 2, 13, 10) } })).toEqual({
      accept: "2026-02-13 12:00",
      resolve: "2026-02-27 10:00",
    });
  });

  it("dispatched Fri Feb 13 16:30: the sign clock runs on into the 调休 Saturday", () => {
    expect(due({ policy: POLICY_12345, milestones: { dispatched: at(2026, 2, 13, 16, 30) } }).accept).toBe(
      "2026-02-14 09:30",
    );
  });

  it("dispatched on the 调休 Saturday Feb 14 16:00: sign after the holiday, resolve on the 调休 Saturday Feb 28", () => {
    expect(due({ policy: POLICY_12345, milestones: { dispatched: at(2026, 2, 14, 16) } })).toEqual({
      accept: "2026-02-24 09:00",
      resolve: "2026-02-28 16:00",
    });
  });

  it("dispatched during the holiday: the clocks start Tue Feb 24 08:30", () => {
    expect(due({ policy: POLICY_12345, milestones: { dispatched: at(2026, 2, 17, 9) } })).toEqual({
      accept: "2026-02-24 10:30",
      resolve: "2026-02-28 17:30",
    });
  });

  it("国庆 2026: 5 working days from Sep 30 skip Oct 1–7 and use the 调休 Saturday Oct 10", () => {
    expect(due({ policy: POLICY_12345, milestones: { dispatched: at(2026, 9, 30, 10) } }).resolve).toBe(
      "2026-10-13 10:00",
    );
    // Sat Sep 19 is a plain weekend, Sun Sep 20 is a 调休 working day
    expect(due({ policy: POLICY_12345, milestones: { dispatched: at(2026, 9, 18, 17) } }).accept).toBe(
      "2026-09-20 10:00",
    );
  });

  it("takes configurable targets", () => {
    const p = hotline12345Policy({ acceptWorkingHours: 1, resolveWorkingDays: 3 });
    expect(due({ policy: p, milestones: { dispatched: at(2026, 2, 13, 10) } })).toEqual({
      accept: "2026-02-13 11:00",
      resolve: "2026-02-25 10:00",
    });
    expect(() => hotline12345Policy({ warnAt: 1.5 })).toThrow(RangeError);
  });

  it("a pause over a weekend only costs the working time it covered", () => {
    const pauses: Pause[] = [{ from: at(2026, 3, 6, 17), to: at(2026, 3, 9, 9) }];
    const milestones = { dispatched: at(2026, 3, 6, 16) };
    // 16:00–17:30 Friday is 90 minutes, so unpaused the last 30 fall on Monday
    expect(due({ policy: POLICY_12345, milestones }).accept).toBe("2026-03-09 09:00");
    // paused 17:00 Fri – 09:00 Mon: only 30 + 30 working minutes were paused
    expect(due({ policy: POLICY_12345, milestones, pauses }).accept).toBe("2026-03-09 10:00");
  });

  it("an approved 3-day extension moves the resolve deadline by 3 working days (Sat Feb 28 is one)", () => {
    const extensions: Extension[] = [{ clock: "resolve", extra: { amount: 3, unit: "days" } }];
    const clocks = computeDeadlines({
      policy: POLICY_12345,
      milestones: { dispatched: at(2026, 2, 13, 10) },
      extensions,
      now: NOW,
    });
    const resolve = clocks.find((c) => c.clock === "resolve")!;
    expect(formatShanghai(resolve.deadline)).toBe("2026-03-03 10:00");
    expect(resolve.extendedMinutes).toBe(3 * 450);
    expect(resolve.budgetMinutes).toBe(8 * 450);
  });
});

describe("52022 minute-level clocks", () => {
  // Dispatched to the grid and accepted at once; the arrive clock runs from the dispatch.
  const accepted = at(2026, 3, 2, 10);
  const dispatched = accepted;

  it("on site 5 minutes after the dispatch, a small problem fixed 20 minutes after arriving", () => {
    expect(due({ policy: POLICY_52022, milestones: { dispatched, accepted } })).toEqual({
      arrive: "2026-03-02 10:05",
    });
    const onSite = at(2026, 3, 2, 10, 4, 30);
    const clocks = computeDeadlines({
      policy: POLICY_52022,
      milestones: { dispatched, accepted, on_site: onSite },
      now: NOW,
    });
    expect(clocks.map((c) => [c.clock, c.deadline.toISOString()])).toEqual([
      ["arrive", "2026-03-02T02:05:00.000Z"],
      ["resolve", "2026-03-02T02:24:30.000Z"],
    ]);
    expect(metOnTime(clocks[0])).toBe(true);
    expect(metOnTime(clocks[1])).toBe(null);
  });

  it("runs from the dispatch, before anyone accepts (an unaccepted emergency is on the clock)", () => {
    const d = at(2026, 3, 2, 10);
    expect(due({ policy: POLICY_52022, milestones: { dispatched: d } })).toEqual({
      arrive: "2026-03-02 10:05",
    });
    // Accepting late does not move it: the five minutes are the grid's, from the moment it had the order.
    expect(
      due({ policy: POLICY_52022, milestones: { dispatched: d, accepted: at(2026, 3, 2, 10, 3) } }).arrive,
    ).toBe("2026-03-02 10:05");
  });

  it("warns at 80% (4 minutes) and is overdue after 5", () => {
    const [arrive] = computeDeadlines({
      policy: POLICY_52022,
      milestones: { dispatched, accepted },
      now: accepted,
    });
    expect(formatShanghai(arrive.warnAt)).toBe("2026-03-02 10:04");
    expect(clockStatus(arrive, at(2026, 3, 2, 10, 3, 59))).toBe("ok");
    expect(clockStatus(arrive, at(2026, 3, 2, 10, 4))).toBe("warning");
    expect(clockStatus(arrive, at(2026, 3, 2, 10, 5))).toBe("warning");
    expect(clockStatus(arrive, at(2026, 3, 2, 10, 5, 1))).toBe("overdue");
  });

  it("a late arrival stays overdue on that clock but the order's status follows its running clocks", () => {
    const clocks = computeDeadlines({
      policy: POLICY_52022,
      milestones: { dispatched, accepted, on_site: at(2026, 3, 2, 10, 7) },
      now: NOW,
    });
    expect(clockStatus(clocks[0], at(2026, 3, 2, 10, 8))).toBe("overdue");
    expect(metOnTime(clocks[0])).toBe(false);
    expect(slaStatus(clocks, at(2026, 3, 2, 10, 8))).toBe("ok");
    expect(slaStatus(clocks, at(2026, 3, 2, 10, 24))).toBe("warning");
    expect(slaStatus(clocks, at(2026, 3, 2, 10, 28))).toBe("overdue");
    expect(nextDeadline(clocks)?.toISOString()).toBe(at(2026, 3, 2, 10, 27).toISOString());
  });

  it("complex problems: plan within 2 days of accepting, reply within 2 days of the plan, holidays included", () => {
    const acc = at(2026, 2, 16, 9);
    expect(
      due({ policy: POLICY_52022, track: "complex", milestones: { dispatched: acc, accepted: acc } }),
    ).toEqual({
      arrive: "2026-02-16 09:05",
      plan: "2026-02-18 09:00",
    });
    const planned = at(2026, 2, 17, 15);
    expect(
      due({ policy: POLICY_52022, track: "complex", milestones: { dispatched: acc, accepted: acc, planned } })
        .reply,
    ).toBe("2026-02-19 15:00");
  });

  it("waiting on the resident pauses the clock; an open pause lasts until now", () => {
    const pauses: Pause[] = [{ from: at(2026, 3, 2, 10, 2), to: at(2026, 3, 2, 10, 12) }];
    expect(due({ policy: POLICY_52022, milestones: { dispatched, accepted }, pauses }).arrive).toBe(
      "2026-03-02 10:15",
    );
    const open: Pause[] = [{ from: at(2026, 3, 2, 10, 2) }];
    const [c] = computeDeadlines({
      policy: POLICY_52022,
      milestones: { dispatched, accepted },
      pauses: open,
      now: at(2026, 3, 2, 10, 30),
    });
    expect(c.paused).toBe(true);
    expect(formatShanghai(c.deadline)).toBe("2026-03-02 10:33");
    expect(clockStatus(c, at(2026, 3, 2, 10, 30))).toBe("ok");
  });

  it("a pause after the clock stopped changes nothing", () => {
    const milestones = { dispatched, accepted, on_site: at(2026, 3, 2, 10, 3) };
    const pauses: Pause[] = [{ from: at(2026, 3, 2, 10, 4), to: at(2026, 3, 2, 11) }];
    const arrive = computeDeadlines({ policy: POLICY_52022, milestones, pauses, now: NOW })[0];
    expect(formatShanghai(arrive.deadline)).toBe("2026-03-02 10:05");
  });
});

describe("care-urgent", () => {
  it("at the door within an hour of the call, around the clock", () => {
    expect(due({ policy: POLICY_CARE_URGENT, milestones: { received: at(2026, 2, 16, 23, 30) } })).toEqual({
      arrive: "2026-02-17 00:30",
    });
  });

  it("finds built-in policies by id", () => {
    expect(findPolicy("care-urgent")).toBe(POLICY_CARE_URGENT);
    expect(findPolicy("nope")).toBeUndefined();
    expect(BUILTIN_POLICIES.map((p) => p.id)).toEqual(["52022", "12345", "care-urgent"]);
  });
});

// ---- properties -------------------------------------------------------------------------------------

const MIN = 60_000;
const base = at(2026, 1, 5).getTime() / MIN;
const minute = fc.integer({ min: base, max: base + 200 * 24 * 60 });
const pauseArb = fc.tuple(minute, fc.integer({ min: 0, max: 5 * 24 * 60 }), fc.boolean()).map(
  ([from, len, open]): Pause => ({
    from: new Date(from * MIN),
    to: open ? null : new Date((from + len) * MIN),
  }),
);
const extensionArb = fc.record({
  clock: fc.constantFrom<ClockName>("accept", "arrive", "resolve", "plan", "reply"),
  extra: fc.record({
    amount: fc.integer({ min: 0, max: 5 }),
    unit: fc.constantFrom("minutes", "hours", "days"),
  }),
}) as fc.Arbitrary<Extension>;
const milestoneOrder: Milestone[] = [
  "received",
  "dispatched",
  "accepted",
  "on_site",
  "planned",
  "replied",
  "resolved",
];
const inputArb = fc
  .record({
    policy: fc.constantFrom(...BUILTIN_POLICIES),
    track: fc.constantFrom("simple" as const, "complex" as const),
    start: minute,
    gaps: fc.array(fc.integer({ min: 0, max: 3 * 24 * 60 }), { minLength: 7, maxLength: 7 }),
    reached: fc.integer({ min: 1, max: 7 }),
    pauses: fc.array(pauseArb, { maxLength: 3 }),
    extensions: fc.array(extensionArb, { maxLength: 2 }),
    now: minute,
  })
  .map(({ policy, track, start, gaps, reached, pauses, extensions, now }): SlaInput => {
    const milestones: Partial<Record<Milestone, Date>> = {};
    let t = start;
    milestoneOrder.slice(0, reached).forEach((m, i) => {
      t += gaps[i];
      milestones[m] = new Date(t * MIN);
    });
    return { policy, track, milestones, pauses, extensions, now: new Date(now * MIN) };
  });

const byClock = (clocks: ClockDeadline[]) => new Map(clocks.map((c) => [c.clock, c]));

describe("deadline laws", () => {
  it("property: deadline ≥ start, warning between them, and effective elapsed time == budget", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const cal = input.policy.calendar === "24x7" ? CALENDAR_24X7 : CALENDAR_WORKDAYS;
        for (const c of computeDeadlines(input)) {
          const start = c.startedAt.getTime();
          expect(c.deadline.getTime()).toBeGreaterThanOrEqual(start);
          expect(c.warnAt.getTime()).toBeGreaterThanOrEqual(start);
          expect(c.warnAt.getTime()).toBeLessThanOrEqual(c.deadline.getTime());
          if (input.pauses?.length === 0) {
            const elapsed = effectiveElapsedMs(cal, start, c.deadline.getTime(), []);
            expect(elapsed).toBe(Math.round(c.budgetMinutes * MIN));
          }
        }
      }),
    );
  });

  it("property: with pauses, business time outside them up to the deadline equals the budget", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(CALENDAR_24X7, CALENDAR_WORKDAYS),
        minute,
        fc.array(pauseArb, { maxLength: 4 }),
        fc.integer({ min: 0, max: 6000 }),
        (cal, start, pauses, budget) => {
          const spans = pauseSpans(pauses, start * MIN, start * MIN, Number.POSITIVE_INFINITY);
          const end = addBusinessMsWithPauses(cal, start * MIN, budget * MIN, spans);
          expect(end).toBeGreaterThanOrEqual(start * MIN);
          expect(effectiveElapsedMs(cal, start * MIN, end, spans)).toBe(budget * MIN);
        },
      ),
    );
  });

  it("property: adding a pause or an extension never moves a deadline backwards", () => {
    fc.assert(
      fc.property(inputArb, pauseArb, extensionArb, (input, pause, extension) => {
        const before = byClock(computeDeadlines(input));
        const withPause = computeDeadlines({ ...input, pauses: [...(input.pauses ?? []), pause] });
        const withExt = computeDeadlines({ ...input, extensions: [...(input.extensions ?? []), extension] });
        for (const after of [withPause, withExt]) {
          expect(after.length).toBe(before.size);
          for (const c of after) {
            const b = before.get(c.clock)!;
            expect(c.deadline.getTime()).toBeGreaterThanOrEqual(b.deadline.getTime());
          }
        }
      }),
    );
  });

  it("property: an open pause's deadline only grows as time passes", () => {
    fc.assert(
      fc.property(inputArb, fc.integer({ min: 0, max: 10_000 }), (input, later) => {
        const a = byClock(computeDeadlines(input));
        const b = computeDeadlines({ ...input, now: new Date(input.now.getTime() + later * MIN) });
        for (const c of b)
          expect(c.deadline.getTime()).toBeGreaterThanOrEqual(a.get(c.clock)!.deadline.getTime());
      }),
    );
  });

  it("property: status goes ok → warning → overdue and never back as time passes", () => {
    const rank = { ok: 0, warning: 1, overdue: 2 };
    fc.assert(
      fc.property(inputArb, fc.integer({ min: 0, max: 10_000 }), (input, later) => {
        const clocks = computeDeadlines(input);
        const t1 = input.now;
        const t2 = new Date(t1.getTime() + later * MIN);
        expect(rank[slaStatus(clocks, t2)]).toBeGreaterThanOrEqual(rank[slaStatus(clocks, t1)]);
      }),
    );
  });
});
