import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CODE_TTL_MS,
  codeUsable,
  MAX_GUESSES,
  newCode,
  normaliseMobile,
  sameCode,
} from "../oneTimeCodes/codes.ts";
import { attendanceFigures, checkInOpen, inAudience } from "./events.ts";
import {
  addDays,
  daysLeft,
  dispenseRefusal,
  expiryStatus,
  medicineKey,
  nextRequestState,
  pickBatch,
  requestClock,
  requestSla,
} from "./medicine.ts";

const dayArb = fc
  .date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2035-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const batchArb = fc.record({
  id: fc.integer({ min: 1, max: 1000 }),
  expiresOn: dayArb,
  quantity: fc.integer({ min: 0, max: 50 }),
});

describe("medicine boxes", () => {
  it("counts days to expiry and adds days back (round trip)", () => {
    fc.assert(
      fc.property(dayArb, fc.integer({ min: -800, max: 800 }), (d, n) => {
        expect(daysLeft(addDays(d, n), d)).toBe(n);
      }),
    );
  });

  it("warns 30 days ahead; a batch is usable through its expiry day", () => {
    expect(expiryStatus("2026-12-31", "2026-12-31")).toBe("expiring");
    expect(expiryStatus("2026-12-30", "2026-12-31")).toBe("expired");
    expect(expiryStatus("2027-01-30", "2026-12-31")).toBe("expiring");
    expect(expiryStatus("2027-01-31", "2026-12-31")).toBe("ok");
  });

  it("refuses an expired batch, more than there is, and a quantity that is not a positive integer", () => {
    const b = { id: 1, expiresOn: "2026-12-31", quantity: 3 };
    expect(dispenseRefusal(b, 3, "2026-12-31")).toBeNull();
    expect(dispenseRefusal(b, 4, "2026-12-31")).toBe("insufficient");
    expect(dispenseRefusal(b, 1, "2027-01-01")).toBe("expired");
    expect(dispenseRefusal(b, 0, "2026-01-01")).toBe("quantity");
    expect(dispenseRefusal(b, 1.5, "2026-01-01")).toBe("quantity");
  });

  it("matches first-expiring-first-out among the batches that can give the whole quantity (law)", () => {
    fc.assert(
      fc.property(
        fc.array(batchArb, { maxLength: 12 }),
        fc.integer({ min: 1, max: 10 }),
        dayArb,
        (bs, q, today) => {
          const pick = pickBatch(bs, q, today);
          const able = bs.filter((b) => dispenseRefusal(b, q, today) === null);
          if (able.length === 0) {
            expect(pick).toBeNull();
            return;
          }
          expect(pick).not.toBeNull();
          expect(dispenseRefusal(pick!, q, today)).toBeNull();
          for (const b of able) expect(pick!.expiresOn <= b.expiresOn).toBe(true);
        },
      ),
    );
  });

  it("folds medicine names as people type them", () => {
    expect(medicineKey(" 布洛芬 缓释胶囊 ")).toBe("布洛芬缓释胶囊");
    expect(medicineKey("ＶＣ银翘片")).toBe("vc银翘片");
  });
});

describe("medicine requests", () => {
  it("moves only along its path", () => {
    expect(nextRequestState("matched", "claim")).toBe("claimed");
    expect(nextRequestState("requested", "claim")).toBeNull();
    expect(nextRequestState("claimed", "deliver")).toBe("delivered");
    expect(nextRequestState("delivered", "confirm")).toBe("confirmed");
    expect(nextRequestState("delivered", "cancel")).toBeNull();
    expect(nextRequestState("confirmed", "claim")).toBeNull();
  });

  it("runs one hour from the request, stops at delivery, and never ends before it starts (law)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 7_200_000 }),
        (start, took) => {
          const created = new Date(1_780_000_000_000 + start);
          const delivered = new Date(created.getTime() + took);
          const c = requestClock(created, delivered, new Date(delivered.getTime() + 1));
          expect(c.deadline.getTime() - created.getTime()).toBe(3600_000);
          expect(requestSla(created, delivered, new Date(delivered.getTime() + 99_999_999))).toBe(
            took <= 3600_000 ? "ok" : "overdue",
          );
        },
      ),
    );
    const created = new Date("2026-12-01T10:00:00Z");
    expect(requestSla(created, null, new Date("2026-12-01T10:50:00Z"))).toBe("warning");
    expect(requestSla(created, null, new Date("2026-12-01T11:00:01Z"))).toBe("overdue");
  });
});

describe("events", () => {
  it("takes everyone without audience tags, else residents with any of them", () => {
    expect(inAudience([], [])).toBe(true);
    expect(inAudience(["aged_80_plus"], ["living_alone"])).toBe(false);
    expect(inAudience(["aged_80_plus", "chronic_disease"], ["chronic_disease"])).toBe(true);
  });

  it("keeps its rates within 0..1 and its counts whole (law)", () => {
    const s = fc.record({
      state: fc.constantFrom("confirmed" as const, "waitlisted" as const, "cancelled" as const),
      checkedIn: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.array(s, { maxLength: 80 }), (cap, list) => {
        const f = attendanceFigures(cap, list);
        expect(f.confirmed + f.waitlisted + f.cancelled).toBe(list.length);
        expect(f.checkedIn).toBeLessThanOrEqual(f.confirmed);
        for (const r of [f.attendanceRate, f.fillRate]) expect(r >= 0 && r <= 1).toBe(true);
      }),
    );
  });

  it("opens check-in an hour before the start until the end", () => {
    const start = new Date("2026-12-05T00:00:00Z");
    const end = new Date("2026-12-05T03:00:00Z");
    expect(checkInOpen(new Date("2026-12-04T22:59:59Z"), start, end)).toBe(false);
    expect(checkInOpen(new Date("2026-12-04T23:00:00Z"), start, end)).toBe(true);
    expect(checkInOpen(new Date("2026-12-05T03:00:01Z"), start, end)).toBe(false);
  });
});

describe("one-time codes", () => {
  it("are six digits", () => {
    for (let i = 0; i < 200; i++) expect(newCode()).toMatch(/^\d{6}$/);
  });
  it("read mainland mobiles with or without +86 and spaces", () => {
    expect(normaliseMobile("+86 139 6290 0080")).toBe("13962900080");
    expect(normaliseMobile("1396290008")).toBeNull();
    expect(normaliseMobile("0513-85123456")).toBeNull();
  });
  it("expire and stop after the fifth wrong guess", () => {
    const now = new Date("2026-12-01T00:00:00Z");
    const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
    expect(codeUsable({ expiresAt, guesses: MAX_GUESSES - 1 }, now)).toBe(true);
    expect(codeUsable({ expiresAt, guesses: MAX_GUESSES }, now)).toBe(false);
    expect(codeUsable({ expiresAt, guesses: 0 }, expiresAt)).toBe(false);
    expect(sameCode("123456", "123456")).toBe(true);
    expect(sameCode("123456", "123457")).toBe(false);
  });
});

describe("mass notices", () => {
  it("know their variables and fill them", async () => {
    const { renderTemplate, unknownVariables, salutation, throttleDelayMs } = await import("./notices.ts");
    expect(unknownVariables("{称呼}您好，{社区}{活动}{时间}{地点}")).toEqual([]);
    expect(unknownVariables("{姓名}{称呼}{身份证}")).toEqual(["姓名", "身份证"]);
    expect(renderTemplate("{称呼}您好，{活动}在{地点}", { 称呼: "王女士", 活动: "义诊" })).toBe(
      "王女士您好，义诊在",
    );
    expect(salutation("王秀英", "female")).toBe("王女士");
    expect(salutation("李强", "male")).toBe("李先生");
    expect(throttleDelayMs(100, 50, 1000)).toBe(1000);
    expect(throttleDelayMs(100, 50, 3000)).toBe(0);
  });
  it("never asks to wait longer than the pace needs (law)", async () => {
    const { throttleDelayMs } = await import("./notices.ts");
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (n, r, e) => {
          const d = throttleDelayMs(n, r, e);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(e + d).toBeGreaterThanOrEqual((n / r) * 1000 - 1);
        },
      ),
    );
  });
});
