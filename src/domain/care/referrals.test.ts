import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allowedActions,
  applyReferralAction,
  compareReferrals,
  type Hospital,
  isReferralOpen,
  REFERRAL_ACTIONS,
  REFERRAL_ERROR_STATUS,
  REFERRAL_ROLES,
  type Referral,
  type ReferralAction,
  type ReferralCommand,
  requestReferral,
} from "./referrals.ts";

const hospitals: Hospital[] = [
  { code: "ntdxfy", name: "南通大学附属医院" },
  { code: "ntsdyrmyy", name: "南通市第一人民医院" },
];
const now = new Date("2026-07-01T02:00:00Z");
const doctor = { id: 21, role: "doctor" };
const otherDoctor = { id: 22, role: "doctor" };
const liaison = { id: 900, role: "hospital_liaison" };
const admin = { id: 1, role: "community_admin" };
const request = {
  residentId: 1024,
  hospital: "南通大学附属医院",
  reason: "血压控制不佳，头晕",
  greenChannel: true,
};

function requested(): Referral {
  const r = requestReferral(request, doctor, hospitals, now);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.referral;
}
function step(ref: Referral, command: ReferralCommand, actor: { id: number; role: string }): Referral {
  const r = applyReferralAction(ref, command, actor, now);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.referral;
}
const tomorrow = new Date("2026-07-02T01:00:00Z");

describe("requesting a referral", () => {
  it("creates a requested referral with its first event", () => {
    const r = requestReferral({ ...request, hospital: " ntdxfy " }, doctor, hospitals, now);
    expect(r.ok && r.value).toMatchObject({
      referral: {
        hospitalCode: "ntdxfy",
        state: "requested",
        greenChannel: true,
        requestedBy: 21,
        version: 1,
      },
      event: { action: "request", from: null, to: "requested", actorId: 21, at: now },
    });
  });
  it("refuses a hospital that is not configured with its own error (→ 422)", () => {
    const r = requestReferral({ ...request, hospital: "上海瑞金医院" }, doctor, hospitals, now);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({
      code: "hospital_not_configured",
      message: "「上海瑞金医院」不在本区转诊医院名单中",
      configured: hospitals,
    });
    expect(REFERRAL_ERROR_STATUS[r.error.code]).toBe(422);
  });
  it("names missing fields (→ 400) and refuses roles that cannot refer (→ 403)", () => {
    const r = requestReferral({ residentId: "x", greenChannel: "yes" }, doctor, hospitals, now);
    expect(!r.ok && r.error.code === "invalid" && r.error.fields.map((f) => f.field)).toEqual([
      "residentId",
      "hospital",
      "reason",
      "greenChannel",
    ]);
    const f = requestReferral(request, { id: 5, role: "grid_worker" }, hospitals, now);
    expect(!f.ok && f.error).toMatchObject({
      code: "forbidden",
      message: "无权申请转诊：仅限 家庭医生、社区管理员、系统管理员",
    });
    expect(requestReferral(request, admin, hospitals, now).ok).toBe(true);
  });
});

describe("the referral flow", () => {
  it("goes up to the hospital and back down to the community", () => {
    let r = requested();
    expect(allowedActions(r, liaison)).toEqual(["accept", "decline"]);
    r = step(r, { action: "accept" }, liaison);
    r = step(r, { action: "schedule", appointmentAt: tomorrow }, liaison);
    expect(r).toMatchObject({ state: "scheduled", appointmentAt: tomorrow });
    r = step(r, { action: "schedule", appointmentAt: "2026-07-03T01:00:00Z" }, liaison); // rescheduled
    r = step(r, { action: "complete", note: "调整降压方案" }, liaison);
    expect(isReferralOpen(r.state)).toBe(true);
    const back = applyReferralAction(
      r,
      { action: "return_to_community", note: "氨氯地平 5mg qd，两周后社区复查" },
      doctor,
      now,
    );
    expect(back.ok && back.value.event).toMatchObject({
      from: "completed",
      to: "returned_to_community",
      actorId: 21,
    });
    expect(back.ok && back.value.referral).toMatchObject({ state: "returned_to_community", version: 6 });
    expect(back.ok && isReferralOpen(back.value.referral.state)).toBe(false);
  });
  it("a wrong step names the allowed next actions (→ 409)", () => {
    const r = applyReferralAction(requested(), { action: "complete" }, liaison, now);
    expect(!r.ok && r.error).toEqual({
      code: "invalid_transition",
      message: "转诊当前为「待接收」，不能完成就诊，可执行：接收、拒绝、撤销",
      state: "requested",
      action: "complete",
      allowed: ["accept", "decline", "cancel"],
    });
    const cancelled = step(requested(), { action: "cancel" }, doctor);
    const again = applyReferralAction(cancelled, { action: "cancel" }, doctor, now);
    expect(!again.ok && again.error.message).toBe("转诊当前为「已撤销」，不能撤销，流程已结束");
  });
  it("only the hospital side accepts; only the requester cancels, and only before acceptance", () => {
    const r = requested();
    const byDoctor = applyReferralAction(r, { action: "accept" }, doctor, now);
    expect(!byDoctor.ok && byDoctor.error.code).toBe("forbidden");
    const byOther = applyReferralAction(r, { action: "cancel" }, otherDoctor, now);
    expect(!byOther.ok && byOther.error).toMatchObject({
      code: "forbidden",
      message: "无权撤销：仅限 申请人",
    });
    expect(allowedActions(r, otherDoctor)).toEqual([]);
    expect(step(r, { action: "cancel" }, { id: 2, role: "sysadmin" }).state).toBe("cancelled");
    const accepted = step(r, { action: "accept" }, liaison);
    const late = applyReferralAction(accepted, { action: "cancel" }, doctor, now);
    expect(!late.ok && late.error.code).toBe("invalid_transition");
  });
  it("asks for what a step needs", () => {
    const accepted = step(requested(), { action: "accept" }, liaison);
    const noReason = applyReferralAction(accepted, { action: "decline" }, liaison, now);
    expect(!noReason.ok && noReason.error.message).toBe("请填写拒绝原因");
    expect(step(accepted, { action: "decline", note: "床位已满，建议转市一院" }, liaison).state).toBe(
      "declined",
    );
    const past = applyReferralAction(
      accepted,
      { action: "schedule", appointmentAt: "2026-06-30T01:00:00Z" },
      liaison,
      now,
    );
    expect(!past.ok && past.error.message).toBe("预约时间不能早于当前时间");
    const none = applyReferralAction(accepted, { action: "schedule" }, liaison, now);
    expect(!none.ok && none.error.code).toBe("invalid");
    const bogus = applyReferralAction(accepted, { action: "teleport" as ReferralAction }, liaison, now);
    expect(!bogus.ok && bogus.error.code).toBe("invalid");
  });
  it("puts green-channel referrals first on the board", () => {
    const a = { ...requested(), greenChannel: false, requestedAt: new Date("2026-07-01T01:00:00Z") };
    const b = { ...requested(), greenChannel: true, requestedAt: new Date("2026-07-01T03:00:00Z") };
    const c = { ...requested(), greenChannel: false, requestedAt: new Date("2026-07-01T00:00:00Z") };
    expect([a, b, c].sort(compareReferrals)).toEqual([b, c, a]);
  });
});

describe("referral properties", () => {
  const actor = fc.record({
    id: fc.constantFrom(21, 22, 900),
    role: fc.constantFrom(...REFERRAL_ROLES, "grid_worker", "resident"),
  });
  const command = fc.record({
    action: fc.constantFrom(...REFERRAL_ACTIONS),
    note: fc.constantFrom(undefined, "说明"),
    appointmentAt: fc.constant(tomorrow),
  });
  it("any sequence of attempts only ever takes allowed steps, by allowed actors", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(command, actor), { maxLength: 12 }), (attempts) => {
        let r = requested();
        for (const [c, a] of attempts) {
          const offered = allowedActions(r, a).includes(c.action);
          const res = applyReferralAction(r, c, a, now);
          if (res.ok) {
            expect(offered).toBe(true);
            expect(res.value.referral.version).toBe(r.version + 1);
            expect(res.value.event.from).toBe(r.state);
            r = res.value.referral;
          } else if (offered) {
            // Offered but refused: only for missing details, never for who or when.
            expect(res.error.code).toBe("invalid");
          } else if (res.error.code === "invalid_transition") {
            expect(res.error.allowed).toEqual(allowedActions(r));
          }
        }
        // Once closed, nothing moves it.
        if (!isReferralOpen(r.state)) expect(allowedActions(r)).toEqual([]);
      }),
    );
  });
});
