import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  contractStatus,
  isContractActive,
  onDuty,
  overlappingContract,
  type RosterEntry,
  rosterGaps,
  shiftAt,
  shiftWindow,
  validateContract,
} from "./contracts.ts";
import { dateOfDay } from "./shanghai.ts";

const contract = {
  residentId: 1024,
  doctorId: 21,
  servicePackage: "elderly",
  start: "2026-01-01",
  end: "2026-12-31",
};
const shanghai = (local: string) => new Date(`${local}+08:00`);

describe("sign-up contracts", () => {
  it("validates period, package and parties", () => {
    expect(validateContract(contract)).toEqual({ ok: true, value: contract });
    const r = validateContract({ ...contract, servicePackage: "vip", start: "2026-02-30", doctorId: 0 });
    expect(!r.ok && r.error.map((e) => e.field)).toEqual(["doctorId", "servicePackage", "start"]);
    const back = validateContract({ ...contract, end: "2025-12-31" });
    expect(!back.ok && back.error[0].message).toBe("签约结束日期不能早于开始日期");
    const long = validateContract({ ...contract, end: "2205-12-31" });
    expect(!long.ok && long.error[0].message).toBe("签约期限不能超过 3 年");
    expect(validateContract(null).ok).toBe(false);
  });
  it("is active on both its first and last day, by Shanghai date", () => {
    expect(contractStatus(contract, shanghai("2025-12-31T23:59:00")).state).toBe("not_started");
    expect(contractStatus(contract, shanghai("2026-01-01T00:00:00")).state).toBe("active");
    expect(contractStatus(contract, shanghai("2026-12-31T23:59:00"))).toEqual({
      state: "expiring",
      label: "即将到期",
      daysLeft: 0,
    });
    // 2027-01-01 00:30 in Shanghai is still 2026-12-31 in UTC — but the contract has ended.
    expect(contractStatus(contract, new Date("2026-12-31T16:30:00Z"))).toMatchObject({
      state: "expired",
      daysLeft: -1,
    });
  });
  it("warns 30 days before the end", () => {
    expect(contractStatus(contract, shanghai("2026-11-30T12:00:00")).state).toBe("active"); // 31 days left
    expect(contractStatus(contract, shanghai("2026-12-01T12:00:00"))).toMatchObject({
      state: "expiring",
      daysLeft: 30,
    });
    expect(isContractActive(contract, shanghai("2026-12-20T12:00:00"))).toBe(true);
    expect(isContractActive(contract, shanghai("2027-01-02T12:00:00"))).toBe(false);
  });
  it("finds an overlapping contract of the same resident", () => {
    const existing = [contract, { ...contract, residentId: 7 }];
    expect(overlappingContract(existing, { residentId: 1024, start: "2026-12-31", end: "2027-12-30" })).toBe(
      contract,
    );
    expect(
      overlappingContract(existing, { residentId: 1024, start: "2027-01-01", end: "2027-12-31" }),
    ).toBeNull();
    expect(
      overlappingContract(existing, { residentId: 8, start: "2026-06-01", end: "2027-05-31" }),
    ).toBeNull();
  });
  it("property: status is total and ordered through the period", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20_000, max: 21_000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.date({ noInvalidDate: true }),
        (s, len, on) => {
          const st = contractStatus({ start: dateOfDay(s), end: dateOfDay(s + len) }, on);
          expect(st.state === "expired").toBe(st.daysLeft < 0);
          if (st.state === "expiring") expect(st.daysLeft).toBeLessThanOrEqual(30);
        },
      ),
    );
  });
});

describe("day and night shifts", () => {
  it("白班 08:00–20:00, 晚班 20:00–08:00 belonging to the evening it starts", () => {
    expect(shiftAt(shanghai("2026-07-01T08:00:00"))).toEqual({ date: "2026-07-01", shift: "day" });
    expect(shiftAt(shanghai("2026-07-01T19:59:59"))).toEqual({ date: "2026-07-01", shift: "day" });
    expect(shiftAt(shanghai("2026-07-01T20:00:00"))).toEqual({ date: "2026-07-01", shift: "night" });
    expect(shiftAt(shanghai("2026-07-02T07:59:00"))).toEqual({ date: "2026-07-01", shift: "night" });
    expect(shiftWindow({ date: "2026-07-01", shift: "night" })).toEqual({
      start: new Date("2026-07-01T12:00:00Z"),
      end: new Date("2026-07-02T00:00:00Z"),
    });
    expect(shiftWindow({ date: "2026-02-30", shift: "day" })).toBeNull();
  });
  it("lists who is on duty now", () => {
    const roster: (RosterEntry & { phone: string })[] = [
      { date: "2026-07-01", shift: "day", memberId: 1, teamRole: "staff", phone: "13800000001" },
      { date: "2026-07-01", shift: "night", memberId: 2, teamRole: "doctor", phone: "13800000002" },
      { date: "2026-07-01", shift: "night", memberId: 3, teamRole: "police", phone: "13800000003" },
      { date: "2026-07-02", shift: "day", memberId: 4, teamRole: "doctor", phone: "13800000004" },
    ];
    expect(onDuty(roster, shanghai("2026-07-02T03:00:00")).map((e) => e.memberId)).toEqual([2, 3]);
    expect(onDuty(roster, shanghai("2026-07-02T08:00:00")).map((e) => e.phone)).toEqual(["13800000004"]);
    expect(rosterGaps(roster, "2026-07-01", "2026-07-01", ["doctor", "police"])).toEqual([
      { date: "2026-07-01", shift: "day", missing: ["doctor", "police"] },
    ]);
    expect(rosterGaps(roster, "2026-07-01", "2026-07-01")[1]).toEqual({
      date: "2026-07-01",
      shift: "night",
      missing: ["staff", "volunteer"],
    });
  });
  it("property: every instant falls in exactly the window of its shift", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }),
        (at) => {
          const slot = shiftAt(at);
          const w = shiftWindow(slot)!;
          expect(w.start.getTime()).toBeLessThanOrEqual(at.getTime());
          expect(at.getTime()).toBeLessThan(w.end.getTime());
          expect(w.end.getTime() - w.start.getTime()).toBe(12 * 3_600_000);
          expect(shiftAt(w.end)).not.toEqual(slot); // the next shift takes over at the boundary
        },
      ),
    );
  });
});
