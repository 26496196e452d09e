import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assessVitals,
  checkVitals,
  NORMAL_RANGES,
  PLAUSIBLE_RANGES,
  type Vitals,
  validateVitals,
  worstLevel,
} from "./vitals.ts";

const errorsOf = (input: unknown) => {
  const r = validateVitals(input);
  return r.ok ? [] : r.error;
};
const gradeOf = (v: Vitals) => assessVitals(v).map((f) => [f.code, f.level, f.label]);

describe("vital sign validation", () => {
  it("rejects impossible readings with the field and the valid range in Chinese", () => {
    expect(errorsOf({ systolic: 400, diastolic: 20 })).toEqual([
      { field: "systolic", message: "收缩压应在 60–260 mmHg 之间" },
      { field: "diastolic", message: "舒张压应在 30–160 mmHg 之间" },
    ]);
    expect(errorsOf({ temperature: 50 })).toEqual([
      { field: "temperature", message: "体温应在 33.0–43.0 °C 之间" },
    ]);
    expect(errorsOf({ spo2: 101 })).toEqual([{ field: "spo2", message: "血氧饱和度应在 50%–100% 之间" }]);
    expect(errorsOf({ heartRate: 0 })).toEqual([
      { field: "heartRate", message: "心率应在 30–220 次/分 之间" },
    ]);
    expect(errorsOf({ glucose: 60, glucoseContext: "fasting" })).toEqual([
      { field: "glucose", message: "血糖应在 1.0–35.0 mmol/L 之间" },
    ]);
  });
  it("checks blood pressure as a pair", () => {
    expect(errorsOf({ systolic: 120, diastolic: 120 })).toEqual([
      { field: "systolic", message: "收缩压应高于舒张压" },
    ]);
    expect(errorsOf({ systolic: 80, diastolic: 100 })[0].field).toBe("systolic");
    expect(errorsOf({ systolic: 130 })).toEqual([
      { field: "diastolic", message: "请同时填写收缩压和舒张压" },
    ]);
    expect(errorsOf({ diastolic: 80 })).toEqual([{ field: "systolic", message: "请同时填写收缩压和舒张压" }]);
  });
  it("asks whether a glucose reading was fasting or random", () => {
    expect(errorsOf({ glucose: 6.5 })).toEqual([
      { field: "glucoseContext", message: "请选择血糖测量类型（空腹/随机）" },
    ]);
    expect(errorsOf({ glucose: 6.5, glucoseContext: "after_lunch" })[0].field).toBe("glucoseContext");
    expect(validateVitals({ glucose: 6.5, glucoseContext: "fasting" })).toEqual({
      ok: true,
      value: { glucose: 6.5, glucoseContext: "fasting" },
    });
  });
  it("reads numbers typed as text, treats blanks as not measured, rejects words", () => {
    expect(validateVitals({ systolic: " 135 ", diastolic: "85", temperature: "", spo2: null })).toEqual({
      ok: true,
      value: { systolic: 135, diastolic: 85 },
    });
    expect(errorsOf({ heartRate: "快" })).toEqual([{ field: "heartRate", message: "心率应为数字" }]);
    expect(errorsOf({ heartRate: Number.NaN })).toEqual([{ field: "heartRate", message: "心率应为数字" }]);
    expect(errorsOf([1, 2])).toEqual([{ field: "vitals", message: "生命体征格式不正确" }]);
    expect(validateVitals(undefined)).toEqual({ ok: true, value: {} });
  });
  it("accepts the boundaries of the plausible ranges", () => {
    for (const [field, r] of Object.entries(PLAUSIBLE_RANGES)) {
      if (field === "systolic" || field === "diastolic") continue;
      const ctx = field === "glucose" ? { glucoseContext: "random" } : {};
      expect(validateVitals({ [field]: r.min, ...ctx }).ok).toBe(true);
      expect(validateVitals({ [field]: r.max, ...ctx }).ok).toBe(true);
    }
  });
});

describe("vital sign flags", () => {
  it("grades blood pressure after the Chinese hypertension guideline", () => {
    expect(gradeOf({ systolic: 118, diastolic: 76 })).toEqual([["normal", "normal", "血压正常"]]);
    expect(gradeOf({ systolic: 128, diastolic: 82 })).toEqual([["high_normal", "attention", "血压正常高值"]]);
    expect(gradeOf({ systolic: 140, diastolic: 85 })).toEqual([["hypertension_1", "abnormal", "1级高血压"]]);
    expect(gradeOf({ systolic: 130, diastolic: 90 })[0][0]).toBe("hypertension_1");
    expect(gradeOf({ systolic: 165, diastolic: 102 })).toEqual([["hypertension_2", "abnormal", "2级高血压"]]);
    expect(gradeOf({ systolic: 180, diastolic: 100 })[0][1]).toBe("critical");
    expect(gradeOf({ systolic: 150, diastolic: 110 })[0][0]).toBe("hypertension_3");
    expect(gradeOf({ systolic: 85, diastolic: 55 })).toEqual([["hypotension", "abnormal", "低血压"]]);
    expect(gradeOf({ systolic: 65, diastolic: 40 })[0][1]).toBe("critical");
  });
  it("grades glucose by fasting or random cut-offs", () => {
    expect(gradeOf({ glucose: 3.8, glucoseContext: "fasting" })[0][0]).toBe("hypoglycemia");
    expect(gradeOf({ glucose: 2.9, glucoseContext: "random" })[0][1]).toBe("critical");
    expect(gradeOf({ glucose: 3.9, glucoseContext: "fasting" })[0][1]).toBe("normal");
    expect(gradeOf({ glucose: 6.1, glucoseContext: "fasting" })[0]).toEqual([
      "impaired_fasting",
      "attention",
      "空腹血糖受损",
    ]);
    expect(gradeOf({ glucose: 7.0, glucoseContext: "fasting" })[0][1]).toBe("abnormal");
    expect(gradeOf({ glucose: 7.0, glucoseContext: "random" })[0][1]).toBe("normal");
    expect(gradeOf({ glucose: 11.1, glucoseContext: "random" })[0][1]).toBe("abnormal");
    expect(gradeOf({ glucose: 16.7, glucoseContext: "random" })[0][1]).toBe("critical");
  });
  it("grades temperature, SpO₂ and heart rate", () => {
    expect(gradeOf({ temperature: 37.2 })[0][1]).toBe("normal");
    expect(gradeOf({ temperature: 37.3 })[0]).toEqual(["low_fever", "abnormal", "低热"]);
    expect(gradeOf({ temperature: 39.5 })[0][0]).toBe("high_fever");
    expect(gradeOf({ temperature: 41 })[0][1]).toBe("critical");
    expect(gradeOf({ temperature: 34.5 })[0][1]).toBe("critical");
    expect(gradeOf({ spo2: 95 })[0][1]).toBe("normal");
    expect(gradeOf({ spo2: 94 })[0][1]).toBe("attention");
    expect(gradeOf({ spo2: 92 })[0][1]).toBe("abnormal");
    expect(gradeOf({ spo2: 89 })[0][1]).toBe("critical");
    expect(gradeOf({ heartRate: 49 })[0]).toEqual(["bradycardia", "abnormal", "心动过缓"]);
    expect(gradeOf({ heartRate: 121 })[0]).toEqual(["tachycardia", "abnormal", "心动过速"]);
    expect(gradeOf({ heartRate: 120 })[0][1]).toBe("attention");
    expect(gradeOf({ heartRate: 35 })[0][1]).toBe("critical");
  });
  it("reports readings with units and the worst level", () => {
    const findings = assessVitals({
      systolic: 185,
      diastolic: 100,
      spo2: 97,
      glucose: 5,
      glucoseContext: "fasting",
    });
    expect(findings.map((f) => f.reading)).toEqual(["185/100 mmHg", "空腹 5 mmol/L", "SpO₂ 97%"]);
    expect(worstLevel(findings)).toBe("critical");
    expect(worstLevel([])).toBe("normal");
  });
  it("validates then assesses raw input", () => {
    const r = checkVitals({ systolic: "150", diastolic: "95" });
    expect(r.ok && r.value.findings[0].label).toBe("1级高血压");
    expect(checkVitals({ systolic: 400, diastolic: 20 }).ok).toBe(false);
  });
});

const inRange = (r: { min: number; max: number }) =>
  fc.double({ min: r.min, max: r.max, noNaN: true, noDefaultInfinity: true });

describe("vital sign properties", () => {
  it("validation and flagging are total", () => {
    const anyField = fc.oneof(fc.anything(), fc.double(), fc.string(), fc.constant(undefined));
    const raw = fc.oneof(
      fc.anything(),
      fc.record({
        systolic: anyField,
        diastolic: anyField,
        glucose: anyField,
        glucoseContext: fc.oneof(fc.constantFrom("fasting", "random"), fc.anything()),
        temperature: anyField,
        spo2: anyField,
        heartRate: anyField,
      }),
    );
    fc.assert(
      fc.property(raw, (input) => {
        const r = checkVitals(input);
        if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
        // Assessing unvalidated junk must not throw either.
        assessVitals(input as Vitals);
      }),
    );
  });
  it("a reading inside the normal ranges is never flagged", () => {
    const n = NORMAL_RANGES;
    fc.assert(
      fc.property(
        inRange(n.systolic),
        inRange(n.diastolic),
        fc.constantFrom("fasting" as const, "random" as const),
        inRange(n.temperature),
        inRange(n.spo2),
        inRange(n.heartRate),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (systolic, diastolic, ctx, temperature, spo2, heartRate, t) => {
          const g = n.glucose[ctx];
          const glucose = g.min + t * (g.max - g.min);
          const v = { systolic, diastolic, glucose, glucoseContext: ctx, temperature, spo2, heartRate };
          expect(validateVitals(v).ok).toBe(true);
          const findings = assessVitals(v);
          expect(findings).toHaveLength(5);
          expect(findings.filter((f) => f.level !== "normal")).toEqual([]);
        },
      ),
    );
  });
  it("a plausible reading is accepted and graded", () => {
    const p = PLAUSIBLE_RANGES;
    fc.assert(
      fc.property(
        inRange(p.temperature),
        inRange(p.spo2),
        inRange(p.heartRate),
        (temperature, spo2, heartRate) => {
          const r = checkVitals({ temperature, spo2, heartRate });
          expect(r.ok && r.value.findings.length).toBe(3);
        },
      ),
    );
  });
  it("a higher blood pressure is never graded less severe", () => {
    const bp = fc.tuple(fc.integer({ min: 60, max: 250 }), fc.integer({ min: 30, max: 59 }));
    fc.assert(
      fc.property(bp, fc.integer({ min: 0, max: 10 }), ([s, d], up) => {
        const rank = (x: Vitals) =>
          ["normal", "attention", "abnormal", "critical"].indexOf(worstLevel(assessVitals(x)));
        // Above 120/80 more pressure can only be worse (below it, low pressure is its own problem).
        const base = { systolic: Math.max(s, 120), diastolic: Math.max(d, 80) - 1 };
        expect(rank({ systolic: base.systolic + up, diastolic: base.diastolic })).toBeGreaterThanOrEqual(
          rank(base),
        );
      }),
    );
  });
});
