import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Need,
  type Visit,
  validateVisit,
  visitAlert,
  visitFingerprint,
  visitIdempotencyKey,
} from "./visits.ts";

const now = new Date("2026-07-01T06:00:00Z");
const good = {
  clientId: "3f1c2a9e-7b7d-4e0f-9d61-2f7a4c1e8b55",
  residentId: 1024,
  kind: "door",
  visitedAt: "2026-07-01T13:30:00+08:00",
  durationMinutes: 20,
  findings: " 老人精神好，药快吃完了 ",
  needs: [{ kind: "medicine", urgency: "routine", note: "降压药" }],
  vitals: { systolic: 150, diastolic: 92 },
};
const errorsOf = (input: unknown) => {
  const r = validateVisit(input, now);
  return r.ok ? [] : r.error;
};
const valid = (input: unknown): Visit => {
  const r = validateVisit(input, now);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

describe("visit validation", () => {
  it("accepts a complete visit and trims text", () => {
    const v = valid(good);
    expect(v.findings).toBe("老人精神好，药快吃完了");
    expect(v.visitedAt.toISOString()).toBe("2026-07-01T05:30:00.000Z");
    expect(v.needs).toEqual([{ kind: "medicine", urgency: "routine", note: "降压药" }]);
    expect(v.vitals).toEqual({ systolic: 150, diastolic: 92 });
  });
  it("needs only the essentials", () => {
    const v = valid({
      clientId: "abcdefgh",
      residentId: "7",
      kind: "phone",
      visitedAt: now,
      durationMinutes: "5",
    });
    expect(v).toMatchObject({ residentId: 7, durationMinutes: 5, findings: "", needs: [], vitals: {} });
  });
  it("names every failing field at once, in Chinese", () => {
    const errors = errorsOf({
      clientId: "x",
      residentId: -1,
      kind: "letter",
      visitedAt: "yesterday-ish",
      durationMinutes: 600,
      findings: 42,
      needs: [{ kind: "medicine" }, { kind: "medicine", urgency: "now" }, { kind: "haircut" }],
      vitals: { systolic: 400, diastolic: 20 },
    });
    expect(Object.fromEntries(errors.map((e) => [e.field, e.message]))).toEqual({
      clientId: "提交编号应为 8–64 位字母、数字、- 或 _",
      residentId: "请选择走访对象",
      kind: "走访方式应为 上门、电话、视频 或 微信",
      visitedAt: "请填写有效的走访时间",
      durationMinutes: "走访时长应为 1–480 分钟之间的整数",
      findings: "走访情况应为文字",
      "needs[1].kind": "需求「用药」重复填写",
      "needs[1].urgency": "紧急程度应为 一般 或 紧急",
      "needs[2].kind": "需求类型应为 用药、买菜、陪伴、维修 或 就医",
      "vitals.systolic": "收缩压应在 60–260 mmHg 之间",
      "vitals.diastolic": "舒张压应在 30–160 mmHg 之间",
    });
  });
  it("bounds duration, visit time and text", () => {
    expect(errorsOf({ ...good, durationMinutes: 0 })[0].field).toBe("durationMinutes");
    expect(errorsOf({ ...good, durationMinutes: 1 })).toEqual([]);
    expect(errorsOf({ ...good, durationMinutes: 480 })).toEqual([]);
    expect(errorsOf({ ...good, durationMinutes: 12.5 })[0].field).toBe("durationMinutes");
    expect(errorsOf({ ...good, visitedAt: "2026-07-01T06:04:00Z" })).toEqual([]); // phone clock a bit fast
    expect(errorsOf({ ...good, visitedAt: "2026-07-01T07:00:00Z" })[0].message).toBe(
      "走访时间不能晚于当前时间",
    );
    expect(errorsOf({ ...good, visitedAt: "2026-05-01T07:00:00Z" })[0].message).toBe(
      "走访时间不能早于 30 天前",
    );
    expect(errorsOf({ ...good, findings: "字".repeat(2001) })[0].message).toBe("走访情况不能超过 2000 字");
    expect(errorsOf("visit")).toEqual([{ field: "visit", message: "走访记录格式不正确" }]);
  });
  it("property: validation is total", () => {
    // Each field is either its good value or anything at all.
    const mutated = fc.record(
      Object.fromEntries(
        Object.entries(good).map(([k, v]) => [k, fc.oneof(fc.constant(v), fc.anything(), fc.string())]),
      ),
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), mutated), (x) => {
        const r = validateVisit(x, now);
        if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe("idempotent submission", () => {
  it("the same client id from the same account gives the same key", () => {
    expect(visitIdempotencyKey(12, good.clientId)).toBe(visitIdempotencyKey(12, ` ${good.clientId} `));
    expect(visitIdempotencyKey(12, good.clientId)).not.toBe(visitIdempotencyKey(13, good.clientId));
    expect(visitIdempotencyKey(12, "abcdefgh")).not.toBe(visitIdempotencyKey(12, "abcdefgi"));
  });
  it("a retry has the same fingerprint; a reused id with other content does not", () => {
    const retry = valid(JSON.parse(JSON.stringify(good)));
    expect(visitFingerprint(retry)).toBe(visitFingerprint(valid(good)));
    expect(visitFingerprint(valid({ ...good, durationMinutes: 21 }))).not.toBe(visitFingerprint(valid(good)));
    // Same instant written in another offset is the same visit.
    expect(visitFingerprint(valid({ ...good, visitedAt: "2026-07-01T05:30:00Z" }))).toBe(
      visitFingerprint(valid(good)),
    );
  });
  it("property: key derivation is deterministic and injective in the client id", () => {
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/);
    fc.assert(
      fc.property(fc.nat(), id, id, (account, a, b) => {
        expect(visitIdempotencyKey(account, a)).toBe(visitIdempotencyKey(account, a));
        expect(visitIdempotencyKey(account, a) === visitIdempotencyKey(account, b)).toBe(a === b);
      }),
    );
  });
});

describe("alerts from a visit", () => {
  const need = (kind: Need["kind"], urgency: Need["urgency"], note = ""): Need => ({ kind, urgency, note });
  it("stays quiet for normal or merely high-normal readings", () => {
    const a = visitAlert({ vitals: { systolic: 128, diastolic: 82 }, needs: [need("groceries", "routine")] });
    expect(a).toMatchObject({ alertDoctor: false, careUrgentOrder: false, level: "attention", reasons: [] });
    expect(a.flagged.map((f) => f.label)).toEqual(["血压正常高值"]);
  });
  it("alerts the doctor on an abnormal reading", () => {
    const a = visitAlert({ vitals: { systolic: 165, diastolic: 102 }, needs: [] });
    expect(a).toMatchObject({
      alertDoctor: true,
      careUrgentOrder: false,
      reasons: ["2级高血压（165/102 mmHg）"],
    });
  });
  it("calls the care team out on a critical reading", () => {
    const a = visitAlert({ vitals: { spo2: 88 }, needs: [] });
    expect(a).toMatchObject({ alertDoctor: true, careUrgentOrder: true, level: "critical" });
  });
  it("treats urgent needs: any alerts the doctor, an urgent 就医 opens a care-urgent order", () => {
    expect(visitAlert({ vitals: {}, needs: [need("repair", "urgent", "燃气味")] })).toMatchObject({
      alertDoctor: true,
      careUrgentOrder: false,
      reasons: ["紧急需求：维修（燃气味）"],
    });
    expect(visitAlert({ vitals: {}, needs: [need("medical", "urgent")] }).careUrgentOrder).toBe(true);
    expect(visitAlert({ vitals: {}, needs: [need("medical", "routine")] }).alertDoctor).toBe(false);
  });
  it("property: a care-urgent order always comes with a doctor alert and a reason", () => {
    const needs = fc.array(
      fc.record({
        kind: fc.constantFrom("medicine", "groceries", "companionship", "repair", "medical"),
        urgency: fc.constantFrom("routine", "urgent"),
        note: fc.constant(""),
      }) as fc.Arbitrary<Need>,
      { maxLength: 5 },
    );
    const vitals = fc.record(
      {
        systolic: fc.integer({ min: 90, max: 260 }),
        diastolic: fc.integer({ min: 30, max: 89 }),
        spo2: fc.integer({ min: 50, max: 100 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(vitals, needs, (v, n) => {
        const a = visitAlert({ vitals: v, needs: n });
        if (a.careUrgentOrder) expect(a.alertDoctor).toBe(true);
        expect(a.alertDoctor).toBe(a.reasons.length > 0);
      }),
    );
  });
});
