import { describe, expect, it } from "vitest";
import type { Actor, Principal, SystemPrincipal } from "../../context.ts";
import { carePolicy, healthPolicy, readsAsHospital, referralPolicy, signsForSelf } from "./policy.ts";

// The care rules one by one, without a database: who reads health data, which residents a family doctor
// acts on, which referrals a hospital's liaison moves.

const account = (role: string, id = 7, orgKind = "community"): Actor => ({
  kind: "account",
  id,
  username: `u${id}`,
  displayName: `用户${id}`,
  role,
  orgUnitId: 1,
  orgPath: "/320613/320613019/320613019010/",
  orgName: "苏阳社区",
  orgKind,
});
const system: SystemPrincipal = {
  kind: "system",
  name: "care_alerts",
  displayName: "系统（关爱预警）",
  orgPath: "/320613/",
};

describe("care policy", () => {
  it("lets care roles in scope read health data, and nobody else", () => {
    for (const role of ["sysadmin", "community_admin", "grid_head", "grid_worker", "doctor"])
      expect(healthPolicy.can(account(role), "read"), role).toBe(true);
    for (const role of ["commander", "agent", "police", "volunteer", "resident", "hospital_liaison"])
      expect(healthPolicy.can(account(role), "read"), role).toBe(false);
    expect(healthPolicy.can(system as Principal, "read")).toBe(false);
    expect(() => healthPolicy.authorize(account("commander"), "read")).toThrow("当前角色不能查看健康信息");
  });

  it("lets a family doctor act only on their own residents or on residents nobody is the doctor of", () => {
    const doctor = account("doctor", 7);
    expect(healthPolicy.can(doctor, "actOn", { doctorId: 7 })).toBe(true);
    expect(healthPolicy.can(doctor, "actOn", { doctorId: null })).toBe(true);
    expect(healthPolicy.can(doctor, "actOn", { doctorId: 8 })).toBe(false);
    // Care staff are bounded by scope (in the query), not by whose resident it is.
    expect(healthPolicy.can(account("community_admin", 9), "actOn", { doctorId: 8 })).toBe(true);
    expect(healthPolicy.can(account("commander", 9), "actOn", { doctorId: null })).toBe(false);
    expect(referralPolicy.can(doctor, "request", { doctorId: 8 })).toBe(false);
    expect(referralPolicy.can(doctor, "request", { doctorId: 7 })).toBe(true);
  });

  it("lets a doctor sign contracts only in their own name; the community signs for any doctor", () => {
    expect(healthPolicy.can(account("doctor", 7), "signAs", { doctorId: 7 })).toBe(true);
    expect(healthPolicy.can(account("doctor", 7), "signAs", { doctorId: 8 })).toBe(false);
    expect(healthPolicy.can(account("community_admin", 9), "signAs", { doctorId: 8 })).toBe(true);
    expect(healthPolicy.can(account("grid_worker", 9), "signAs", { doctorId: 8 })).toBe(false);
    expect(signsForSelf(account("doctor"))).toBe(true);
    expect(signsForSelf(account("community_admin"))).toBe(false);
  });

  it("shows a doctor only their alerts; care staff every alert in scope", () => {
    expect(healthPolicy.can(account("doctor"), "seeEveryAlert")).toBe(false);
    expect(healthPolicy.can(account("grid_worker"), "seeEveryAlert")).toBe(true);
  });

  it("keeps the ledger's writes, assignments and settings to their roles, hospitals to the district", () => {
    expect(carePolicy.can(account("commander"), "read")).toBe(true);
    expect(carePolicy.can(account("commander"), "write")).toBe(false);
    expect(carePolicy.can(account("grid_worker"), "write")).toBe(true);
    expect(carePolicy.can(account("grid_worker"), "assign")).toBe(false);
    expect(carePolicy.can(account("grid_head"), "assign")).toBe(true);
    expect(carePolicy.can(account("community_admin"), "manage")).toBe(true);
    expect(carePolicy.can(account("community_admin"), "manageHospitals")).toBe(false);
    expect(carePolicy.can(account("community_admin", 3, "district"), "manageHospitals")).toBe(true);
    expect(carePolicy.can(account("hospital_liaison"), "read")).toBe(false);
  });

  it("lets a hospital's liaison read referrals, by hospital, and no health record", () => {
    const liaison = account("hospital_liaison", 5, "district");
    expect(referralPolicy.can(liaison, "read")).toBe(true);
    expect(readsAsHospital(liaison)).toBe(true);
    expect(readsAsHospital(account("doctor"))).toBe(false);
    expect(healthPolicy.can(liaison, "read")).toBe(false);
    expect(referralPolicy.can(account("commander"), "read")).toBe(false);
    expect(referralPolicy.can(account("grid_worker"), "read")).toBe(true);
  });
});
