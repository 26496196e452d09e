// Vital signs taken at a visit: first "could a device really show this?" (reject typos such as
// 400/20 with the valid range in Chinese), then "is it clinically worrying?" using common Chinese
// thresholds — 中国高血压防治指南 grades, 中国2型糖尿病防治指南 glucose cut-offs, usual fever and
// SpO₂ bands. The two checks are separate on purpose: an implausible value is an input error,
// an abnormal one is a finding that may alert the family doctor.

import { type FieldError, fail, isRecord, ok, type Result } from "./result.ts";

export type GlucoseContext = "fasting" | "random";
export const GLUCOSE_CONTEXT_LABELS: Record<GlucoseContext, string> = { fasting: "空腹", random: "随机" };

export interface Vitals {
  systolic?: number;
  diastolic?: number;
  glucose?: number;
  glucoseContext?: GlucoseContext;
  temperature?: number;
  spo2?: number;
  heartRate?: number;
}

export type NumericField = "systolic" | "diastolic" | "glucose" | "temperature" | "spo2" | "heartRate";

interface Range {
  label: string;
  min: number;
  max: number;
  unit: string;
  digits: number;
}

/** What a home or clinic device can plausibly show; outside this it is a typo, not a patient. */
export const PLAUSIBLE_RANGES: Record<NumericField, Range> = {
  systolic: { label: "收缩压", min: 60, max: 260, unit: "mmHg", digits: 0 },
  diastolic: { label: "舒张压", min: 30, max: 160, unit: "mmHg", digits: 0 },
  glucose: { label: "血糖", min: 1, max: 35, unit: "mmol/L", digits: 1 },
  temperature: { label: "体温", min: 33, max: 43, unit: "°C", digits: 1 },
  spo2: { label: "血氧饱和度", min: 50, max: 100, unit: "%", digits: 0 },
  heartRate: { label: "心率", min: 30, max: 220, unit: "次/分", digits: 0 },
};

/** Inclusive bounds that count as normal; values inside are never flagged. */
export const NORMAL_RANGES = {
  systolic: { min: 90, max: 119 },
  diastolic: { min: 60, max: 79 },
  glucose: { fasting: { min: 3.9, max: 6.0 }, random: { min: 3.9, max: 7.7 } },
  temperature: { min: 36.0, max: 37.2 },
  spo2: { min: 95, max: 100 },
  heartRate: { min: 60, max: 100 },
} as const;

const FIELDS = Object.keys(PLAUSIBLE_RANGES) as NumericField[];

export function rangeText(field: NumericField): string {
  const r = PLAUSIBLE_RANGES[field];
  const lo = r.min.toFixed(r.digits);
  const hi = r.max.toFixed(r.digits);
  return r.unit === "%" ? `${lo}%–${hi}%` : `${lo}–${hi} ${r.unit}`;
}

/** Numbers from a form may arrive as strings; blanks mean "not measured". */
function readNumber(raw: unknown): number | undefined | "nan" {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === "string") {
    const t = raw.trim();
    if (t === "") return undefined;
    raw = Number(t);
  }
  return typeof raw === "number" && Number.isFinite(raw) ? raw : "nan";
}

/** Total: any input gives either clean vitals or the list of failing fields. */
export function validateVitals(input: unknown): Result<Vitals, FieldError[]> {
  if (input === undefined || input === null) return ok({});
  if (!isRecord(input)) return fail([{ field: "vitals", message: "生命体征格式不正确" }]);
  const errors: FieldError[] = [];
  const out: Vitals = {};
  for (const f of FIELDS) {
    const v = readNumber(input[f]);
    const r = PLAUSIBLE_RANGES[f];
    if (v === "nan") errors.push({ field: f, message: `${r.label}应为数字` });
    else if (v !== undefined && (v < r.min || v > r.max))
      errors.push({ field: f, message: `${r.label}应在 ${rangeText(f)} 之间` });
    else if (v !== undefined) out[f] = v;
  }
  const bad = new Set(errors.map((e) => e.field));
  const hasS = out.systolic !== undefined;
  const hasD = out.diastolic !== undefined;
  if (hasS !== hasD && !bad.has("systolic") && !bad.has("diastolic"))
    errors.push({ field: hasS ? "diastolic" : "systolic", message: "请同时填写收缩压和舒张压" });
  if (hasS && hasD && out.systolic! <= out.diastolic!)
    errors.push({ field: "systolic", message: "收缩压应高于舒张压" });
  if (out.glucose !== undefined) {
    const c = input.glucoseContext;
    if (c === "fasting" || c === "random") out.glucoseContext = c;
    else if (c === undefined || c === null || c === "")
      errors.push({ field: "glucoseContext", message: "请选择血糖测量类型（空腹/随机）" });
    else errors.push({ field: "glucoseContext", message: "血糖测量类型应为 空腹 或 随机" });
  }
  return errors.length ? fail(errors) : ok(out);
}

export const VITAL_LEVELS = ["normal", "attention", "abnormal", "critical"] as const;
export type VitalLevel = (typeof VITAL_LEVELS)[number];
export const VITAL_LEVEL_LABELS: Record<VitalLevel, string> = {
  normal: "正常",
  attention: "关注",
  abnormal: "异常",
  critical: "危急",
};

export type Measure = "blood_pressure" | "glucose" | "temperature" | "spo2" | "heart_rate";

export interface VitalFinding {
  measure: Measure;
  /** Stable code for filters and reports, e.g. "hypertension_2". */
  code: string;
  level: VitalLevel;
  /** Chinese label shown to people, e.g. "2级高血压". */
  label: string;
  /** The reading as shown, e.g. "165/102 mmHg". */
  reading: string;
}

type Grade = [code: string, level: VitalLevel, label: string];

function gradeBloodPressure(s: number, d: number): Grade {
  if (s >= 180 || d >= 110) return ["hypertension_3", "critical", "3级高血压（危急）"];
  if (s < 70) return ["hypotension_severe", "critical", "严重低血压（危急）"];
  if (s >= 160 || d >= 100) return ["hypertension_2", "abnormal", "2级高血压"];
  if (s >= 140 || d >= 90) return ["hypertension_1", "abnormal", "1级高血压"];
  if (s < 90 || d < 60) return ["hypotension", "abnormal", "低血压"];
  if (s >= 120 || d >= 80) return ["high_normal", "attention", "血压正常高值"];
  return ["normal", "normal", "血压正常"];
}

function gradeGlucose(g: number, context: GlucoseContext): Grade {
  if (g < 3.0) return ["hypoglycemia_severe", "critical", "严重低血糖（危急）"];
  // 16.7 mmol/L is where the guidelines ask to check for ketoacidosis / hyperosmolar state.
  if (g >= 16.7) return ["hyperglycemia_severe", "critical", "严重高血糖（危急）"];
  if (g < 3.9) return ["hypoglycemia", "abnormal", "低血糖"];
  if (context === "fasting") {
    if (g >= 7.0) return ["hyperglycemia", "abnormal", "空腹血糖升高"];
    if (g >= 6.1) return ["impaired_fasting", "attention", "空腹血糖受损"];
  } else {
    if (g >= 11.1) return ["hyperglycemia", "abnormal", "随机血糖升高"];
    if (g >= 7.8) return ["elevated_random", "attention", "随机血糖偏高"];
  }
  return ["normal", "normal", "血糖正常"];
}

function gradeTemperature(t: number): Grade {
  if (t < 35.0) return ["hypothermia", "critical", "低体温（危急）"];
  if (t >= 41.0) return ["hyperpyrexia", "critical", "超高热（危急）"];
  if (t >= 39.1) return ["high_fever", "abnormal", "高热"];
  if (t >= 38.1) return ["moderate_fever", "abnormal", "中度发热"];
  // Elderly people often run a blunted fever, so even 低热 goes to the doctor.
  if (t >= 37.3) return ["low_fever", "abnormal", "低热"];
  if (t < 36.0) return ["low_temperature", "attention", "体温偏低"];
  return ["normal", "normal", "体温正常"];
}

function gradeSpo2(p: number): Grade {
  if (p < 90) return ["hypoxemia_severe", "critical", "重度低氧（危急）"];
  if (p < 93) return ["hypoxemia", "abnormal", "血氧饱和度偏低"];
  if (p < 95) return ["borderline_spo2", "attention", "血氧饱和度临界"];
  return ["normal", "normal", "血氧正常"];
}

function gradeHeartRate(h: number): Grade {
  if (h < 40) return ["bradycardia_severe", "critical", "严重心动过缓（危急）"];
  if (h > 150) return ["tachycardia_severe", "critical", "严重心动过速（危急）"];
  if (h < 50) return ["bradycardia", "abnormal", "心动过缓"];
  if (h > 120) return ["tachycardia", "abnormal", "心动过速"];
  if (h < 60) return ["slow", "attention", "心率偏慢"];
  if (h > 100) return ["fast", "attention", "心率偏快"];
  return ["normal", "normal", "心率正常"];
}

const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
const finding = (measure: Measure, [code, level, label]: Grade, reading: string): VitalFinding => ({
  measure,
  code,
  level,
  label,
  reading,
});

/**
 * One finding per measured item, normal ones included (the health timeline shows them too).
 * Total: missing or non-finite values are skipped, never guessed.
 */
export function assessVitals(v: Vitals): VitalFinding[] {
  const out: VitalFinding[] = [];
  if (!isRecord(v)) return out;
  if (finite(v.systolic) && finite(v.diastolic))
    out.push(
      finding(
        "blood_pressure",
        gradeBloodPressure(v.systolic, v.diastolic),
        `${v.systolic}/${v.diastolic} mmHg`,
      ),
    );
  if (finite(v.glucose)) {
    // Without a stated context, judge as random: its cut-offs are the looser, so nothing is over-called.
    const ctx: GlucoseContext = v.glucoseContext === "fasting" ? "fasting" : "random";
    out.push(
      finding("glucose", gradeGlucose(v.glucose, ctx), `${GLUCOSE_CONTEXT_LABELS[ctx]} ${v.glucose} mmol/L`),
    );
  }
  if (finite(v.temperature))
    out.push(finding("temperature", gradeTemperature(v.temperature), `${v.temperature} °C`));
  if (finite(v.spo2)) out.push(finding("spo2", gradeSpo2(v.spo2), `SpO₂ ${v.spo2}%`));
  if (finite(v.heartRate))
    out.push(finding("heart_rate", gradeHeartRate(v.heartRate), `${v.heartRate} 次/分`));
  return out;
}

export const levelRank = (l: VitalLevel): number => VITAL_LEVELS.indexOf(l);

/** The most serious level among findings; "normal" when there are none. */
export function worstLevel(findings: readonly VitalFinding[]): VitalLevel {
  let worst: VitalLevel = "normal";
  for (const f of findings) if (levelRank(f.level) > levelRank(worst)) worst = f.level;
  return worst;
}

/** Validate then assess, for a route that takes raw input. */
export function checkVitals(
  input: unknown,
): Result<{ vitals: Vitals; findings: VitalFinding[] }, FieldError[]> {
  const v = validateVitals(input);
  return v.ok ? ok({ vitals: v.value, findings: assessVitals(v.value) }) : v;
}
