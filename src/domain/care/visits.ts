// A visit as a grid worker's phone submits it: validated whole (every failing field named at once,
// because re-typing on a phone in a stairwell is costly), made idempotent for retries over bad
// signal, and judged for whether it must alert the family doctor or call the care team out.

import { type FieldError, fail, isRecord, ok, type Result } from "./result.ts";
import {
  assessVitals,
  levelRank,
  type VitalFinding,
  type VitalLevel,
  type Vitals,
  validateVitals,
  worstLevel,
} from "./vitals.ts";

export const VISIT_KINDS = ["door", "phone", "video", "wechat"] as const;
export type VisitKind = (typeof VISIT_KINDS)[number];
export const VISIT_KIND_LABELS: Record<VisitKind, string> = {
  door: "上门",
  phone: "电话",
  video: "视频",
  wechat: "微信",
};

export const NEED_KINDS = ["medicine", "groceries", "companionship", "repair", "medical"] as const;
export type NeedKind = (typeof NEED_KINDS)[number];
export const NEED_LABELS: Record<NeedKind, string> = {
  medicine: "用药",
  groceries: "买菜",
  companionship: "陪伴",
  repair: "维修",
  medical: "就医",
};

export const URGENCIES = ["routine", "urgent"] as const;
export type Urgency = (typeof URGENCIES)[number];
export const URGENCY_LABELS: Record<Urgency, string> = { routine: "一般", urgent: "紧急" };

export interface Need {
  kind: NeedKind;
  urgency: Urgency;
  note: string;
}

export interface Visit {
  /** Generated on the phone once per submission; retries resend the same one. */
  clientId: string;
  residentId: number;
  kind: VisitKind;
  visitedAt: Date;
  durationMinutes: number;
  findings: string;
  needs: Need[];
  vitals: Vitals;
}

export const DURATION_MINUTES = { min: 1, max: 480 } as const;
export const MAX_FINDINGS_CHARS = 2000;
export const MAX_NOTE_CHARS = 200;
export const MAX_NEEDS = NEED_KINDS.length;
/** Phones sync late after a day offline, but a visit a month old is a data-entry mistake. */
export const MAX_BACKDATE_DAYS = 30;
/** Phone clocks drift; a few minutes ahead is not a future visit. */
const CLOCK_SKEW_MS = 5 * 60_000;

const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;
const listOf = (labels: Record<string, string>) => {
  const l = Object.values(labels);
  return `${l.slice(0, -1).join("、")} 或 ${l[l.length - 1]}`;
};

function readText(raw: unknown, field: string, label: string, max: number, errors: FieldError[]): string {
  if (raw === undefined || raw === null) return "";
  if (typeof raw !== "string") {
    errors.push({ field, message: `${label}应为文字` });
    return "";
  }
  const t = raw.trim();
  if (t.length > max) errors.push({ field, message: `${label}不能超过 ${max} 字` });
  return t;
}

function readNeeds(raw: unknown, errors: FieldError[]): Need[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    errors.push({ field: "needs", message: "需求格式不正确" });
    return [];
  }
  if (raw.length > MAX_NEEDS) errors.push({ field: "needs", message: `需求最多 ${MAX_NEEDS} 项` });
  const needs: Need[] = [];
  const seen = new Set<string>();
  raw.slice(0, MAX_NEEDS).forEach((item, i) => {
    const at = `needs[${i}]`;
    if (!isRecord(item)) {
      errors.push({ field: at, message: "需求格式不正确" });
      return;
    }
    const kind = item.kind;
    if (!(NEED_KINDS as readonly unknown[]).includes(kind)) {
      errors.push({ field: `${at}.kind`, message: `需求类型应为 ${listOf(NEED_LABELS)}` });
      return;
    }
    if (seen.has(kind as string))
      errors.push({ field: `${at}.kind`, message: `需求「${NEED_LABELS[kind as NeedKind]}」重复填写` });
    seen.add(kind as string);
    const urgency = item.urgency ?? "routine";
    if (!(URGENCIES as readonly unknown[]).includes(urgency))
      errors.push({ field: `${at}.urgency`, message: "紧急程度应为 一般 或 紧急" });
    const note = readText(item.note, `${at}.note`, "需求说明", MAX_NOTE_CHARS, errors);
    needs.push({ kind: kind as NeedKind, urgency: urgency as Urgency, note });
  });
  return needs;
}

function readVisitedAt(raw: unknown, now: Date, errors: FieldError[]): Date {
  const d = raw instanceof Date ? raw : typeof raw === "string" && raw.trim() ? new Date(raw) : null;
  if (!d || Number.isNaN(d.getTime())) {
    errors.push({ field: "visitedAt", message: "请填写有效的走访时间" });
    return now;
  }
  if (d.getTime() > now.getTime() + CLOCK_SKEW_MS)
    errors.push({ field: "visitedAt", message: "走访时间不能晚于当前时间" });
  else if (d.getTime() < now.getTime() - MAX_BACKDATE_DAYS * 86_400_000)
    errors.push({ field: "visitedAt", message: `走访时间不能早于 ${MAX_BACKDATE_DAYS} 天前` });
  return d;
}

/** Total: any input gives a clean visit or every failing field with a Chinese message. */
export function validateVisit(input: unknown, now: Date): Result<Visit, FieldError[]> {
  if (!isRecord(input)) return fail([{ field: "visit", message: "走访记录格式不正确" }]);
  const errors: FieldError[] = [];

  const clientId = typeof input.clientId === "string" ? input.clientId.trim() : "";
  if (!CLIENT_ID.test(clientId))
    errors.push({ field: "clientId", message: "提交编号应为 8–64 位字母、数字、- 或 _" });

  const rid =
    typeof input.residentId === "string" && /^\d+$/.test(input.residentId)
      ? Number(input.residentId)
      : input.residentId;
  const residentId = typeof rid === "number" && Number.isSafeInteger(rid) && rid > 0 ? rid : 0;
  if (!residentId) errors.push({ field: "residentId", message: "请选择走访对象" });

  const kind = input.kind as VisitKind;
  if (!VISIT_KINDS.includes(kind))
    errors.push({ field: "kind", message: `走访方式应为 ${listOf(VISIT_KIND_LABELS)}` });

  const visitedAt = readVisitedAt(input.visitedAt, now, errors);

  const rawDur = input.durationMinutes;
  const dur = typeof rawDur === "string" && rawDur.trim() !== "" ? Number(rawDur) : rawDur;
  const { min, max } = DURATION_MINUTES;
  if (typeof dur !== "number" || !Number.isInteger(dur) || dur < min || dur > max)
    errors.push({ field: "durationMinutes", message: `走访时长应为 ${min}–${max} 分钟之间的整数` });

  const findings = readText(input.findings, "findings", "走访情况", MAX_FINDINGS_CHARS, errors);
  const needs = readNeeds(input.needs, errors);

  const v = validateVitals(input.vitals);
  if (!v.ok) for (const e of v.error) errors.push({ field: `vitals.${e.field}`, message: e.message });

  if (errors.length) return fail(errors);
  return ok({
    clientId,
    residentId,
    kind,
    visitedAt,
    durationMinutes: dur as number,
    findings,
    needs,
    vitals: v.ok ? v.value : {},
  });
}

/**
 * The same submission retried by a phone maps to the same key, so it is stored once. Scoped to the
 * submitting account: two phones that happen to pick the same id cannot collide, and nobody can
 * occupy another worker's key.
 */
export function visitIdempotencyKey(accountId: number | string, clientId: string): string {
  return `visit:${accountId}:${clientId.trim()}`;
}

/**
 * A canonical text of a validated visit. Same key and same fingerprint → a retry (return the stored
 * visit); same key, different fingerprint → a client bug reusing an id (409, never overwrite).
 */
export function visitFingerprint(v: Visit): string {
  const vitals = v.vitals;
  return JSON.stringify([
    v.residentId,
    v.kind,
    v.visitedAt.toISOString(),
    v.durationMinutes,
    v.findings,
    v.needs.map((n) => [n.kind, n.urgency, n.note]),
    [
      vitals.systolic,
      vitals.diastolic,
      vitals.glucose,
      vitals.glucoseContext,
      vitals.temperature,
      vitals.spo2,
      vitals.heartRate,
    ].map((x) => x ?? null),
  ]);
}

export interface VisitAlert {
  /** Notify the resident's family doctor. */
  alertDoctor: boolean;
  /** Open a `care-urgent` work order (someone at the door within an hour). */
  careUrgentOrder: boolean;
  level: VitalLevel;
  /** Flagged findings (attention and worse), for the alert text and the timeline. */
  flagged: VitalFinding[];
  /** Chinese reasons, one per line of the alert. */
  reasons: string[];
}

/**
 * Abnormal or critical vitals, or any urgent need → the doctor is alerted. Critical vitals or an
 * urgent need to see a doctor (就医) → a care-urgent order too. "Attention" (e.g. 正常高值) is only
 * recorded: alerting on it would train doctors to ignore alerts.
 */
export function visitAlert(visit: { vitals: Vitals; needs: readonly Need[] }): VisitAlert {
  const findings = assessVitals(visit.vitals);
  const flagged = findings.filter((f) => f.level !== "normal");
  const level = worstLevel(findings);
  const urgentNeeds = visit.needs.filter((n) => n.urgency === "urgent");
  const reasons = [
    ...flagged
      .filter((f) => levelRank(f.level) >= levelRank("abnormal"))
      .map((f) => `${f.label}（${f.reading}）`),
    ...urgentNeeds.map((n) => `紧急需求：${NEED_LABELS[n.kind]}${n.note ? `（${n.note}）` : ""}`),
  ];
  const urgentMedical = urgentNeeds.some((n) => n.kind === "medical");
  return {
    alertDoctor: levelRank(level) >= levelRank("abnormal") || urgentNeeds.length > 0,
    careUrgentOrder: level === "critical" || urgentMedical,
    level,
    flagged,
    reasons,
  };
}
