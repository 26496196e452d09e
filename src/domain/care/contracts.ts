// Family-doctor sign-up 家庭医生签约 (one contract per resident at a time, usually a year, with a
// service package) and the care team's duty roster (白班 08:00–20:00, 晚班 20:00–08:00 Shanghai time),
// which the public on-duty page reads to show who answers the phone right now, 24 h.

import { type FieldError, fail, isRecord, ok, type Result } from "./result.ts";
import { dateOfDay, dayOfDate, shanghaiDayNumber, shanghaiInstant, shanghaiMinuteOfDay } from "./shanghai.ts";

export const SERVICE_PACKAGES = [
  "basic",
  "elderly",
  "chronic_disease",
  "maternal",
  "child",
  "disability",
] as const;
export type ServicePackage = (typeof SERVICE_PACKAGES)[number];
export const SERVICE_PACKAGE_LABELS: Record<ServicePackage, string> = {
  basic: "基础服务包",
  elderly: "老年人健康管理包",
  chronic_disease: "慢病管理包",
  maternal: "孕产妇健康管理包",
  child: "儿童健康管理包",
  disability: "残疾人康复服务包",
};

export interface DoctorContract {
  residentId: number;
  doctorId: number;
  servicePackage: ServicePackage;
  /** Inclusive Shanghai dates, "YYYY-MM-DD". */
  start: string;
  end: string;
}

/** Contracts run a year as a rule; more than three is a typo (2205 for 2025), not a plan. */
export const MAX_CONTRACT_YEARS = 3;
export const EXPIRING_WITHIN_DAYS = 30;

const positiveId = (x: unknown) => typeof x === "number" && Number.isSafeInteger(x) && x > 0;

export function validateContract(input: unknown): Result<DoctorContract, FieldError[]> {
  if (!isRecord(input)) return fail([{ field: "contract", message: "签约信息格式不正确" }]);
  const errors: FieldError[] = [];
  if (!positiveId(input.residentId)) errors.push({ field: "residentId", message: "请选择签约居民" });
  if (!positiveId(input.doctorId)) errors.push({ field: "doctorId", message: "请选择签约医生" });
  const pkg = input.servicePackage as ServicePackage;
  if (!SERVICE_PACKAGES.includes(pkg))
    errors.push({
      field: "servicePackage",
      message: `服务包应为 ${Object.values(SERVICE_PACKAGE_LABELS).join("、")} 之一`,
    });
  const start = typeof input.start === "string" ? dayOfDate(input.start) : null;
  const end = typeof input.end === "string" ? dayOfDate(input.end) : null;
  if (start === null) errors.push({ field: "start", message: "请填写有效的签约开始日期（YYYY-MM-DD）" });
  if (end === null) errors.push({ field: "end", message: "请填写有效的签约结束日期（YYYY-MM-DD）" });
  if (start !== null && end !== null) {
    if (end < start) errors.push({ field: "end", message: "签约结束日期不能早于开始日期" });
    else if (end - start > MAX_CONTRACT_YEARS * 366)
      errors.push({ field: "end", message: `签约期限不能超过 ${MAX_CONTRACT_YEARS} 年` });
  }
  if (errors.length) return fail(errors);
  return ok({
    residentId: input.residentId as number,
    doctorId: input.doctorId as number,
    servicePackage: pkg,
    start: dateOfDay(start!),
    end: dateOfDay(end!),
  });
}

export const CONTRACT_STATES = ["not_started", "active", "expiring", "expired"] as const;
export type ContractState = (typeof CONTRACT_STATES)[number];
export const CONTRACT_STATE_LABELS: Record<ContractState, string> = {
  not_started: "未生效",
  active: "有效",
  expiring: "即将到期",
  expired: "已到期",
};

export interface ContractStatus {
  state: ContractState;
  label: string;
  /** Days left including today's remainder: 0 on the last day; negative once expired. */
  daysLeft: number;
}

/** "Expiring" is still active: the doctor should renew before the end, not after. */
export function contractStatus(
  c: Pick<DoctorContract, "start" | "end">,
  on: Date,
  expiringWithin = EXPIRING_WITHIN_DAYS,
): ContractStatus {
  const today = shanghaiDayNumber(on);
  const start = dayOfDate(c.start) ?? Number.POSITIVE_INFINITY;
  const end = dayOfDate(c.end) ?? Number.NEGATIVE_INFINITY;
  const daysLeft = end - today;
  const state: ContractState =
    today < start
      ? "not_started"
      : daysLeft < 0
        ? "expired"
        : daysLeft <= expiringWithin
          ? "expiring"
          : "active";
  return { state, label: CONTRACT_STATE_LABELS[state], daysLeft };
}

export function isContractActive(c: Pick<DoctorContract, "start" | "end">, on: Date): boolean {
  const s = contractStatus(c, on).state;
  return s === "active" || s === "expiring";
}

/** A resident signs with one doctor at a time: the first existing contract whose period overlaps. */
export function overlappingContract<T extends Pick<DoctorContract, "residentId" | "start" | "end">>(
  existing: readonly T[],
  candidate: Pick<DoctorContract, "residentId" | "start" | "end">,
): T | null {
  return (
    existing.find(
      (c) => c.residentId === candidate.residentId && c.start <= candidate.end && candidate.start <= c.end,
    ) ?? null
  );
}

// ——— Duty roster ———

export const SHIFTS = ["day", "night"] as const;
export type Shift = (typeof SHIFTS)[number];
export const SHIFT_LABELS: Record<Shift, string> = { day: "白班", night: "晚班" };
const DAY_START = 8 * 60;
const NIGHT_START = 20 * 60;

/** 社区工作人员 + 家庭医生 + 志愿者 + 社区民警: the four seats of a care team 爱心专班. */
export const CARE_TEAM_ROLES = ["staff", "doctor", "volunteer", "police"] as const;
export type CareTeamRole = (typeof CARE_TEAM_ROLES)[number];
export const CARE_TEAM_ROLE_LABELS: Record<CareTeamRole, string> = {
  staff: "社区工作人员",
  doctor: "家庭医生",
  volunteer: "志愿者",
  police: "社区民警",
};

export interface ShiftSlot {
  /** The date the shift starts on; a 晚班 dated the 1st runs until 08:00 on the 2nd. */
  date: string;
  shift: Shift;
}

/** Which shift is running at an instant. Before 08:00 it is still the previous day's 晚班. */
export function shiftAt(at: Date): ShiftSlot {
  const day = shanghaiDayNumber(at);
  const minute = shanghaiMinuteOfDay(at);
  if (minute < DAY_START) return { date: dateOfDay(day - 1), shift: "night" };
  return { date: dateOfDay(day), shift: minute < NIGHT_START ? "day" : "night" };
}

/** Start (inclusive) and end (exclusive) of a shift; null for a date that does not exist. */
export function shiftWindow(slot: ShiftSlot): { start: Date; end: Date } | null {
  const day = dayOfDate(slot.date);
  if (day === null) return null;
  return slot.shift === "day"
    ? { start: shanghaiInstant(day, DAY_START), end: shanghaiInstant(day, NIGHT_START) }
    : { start: shanghaiInstant(day, NIGHT_START), end: shanghaiInstant(day + 1, DAY_START) };
}

export interface RosterEntry extends ShiftSlot {
  memberId: number | string;
  teamRole: CareTeamRole;
}

/** Everyone rostered on the shift running at `at`, in roster order. */
export function onDuty<T extends RosterEntry>(roster: readonly T[], at: Date): T[] {
  const now = shiftAt(at);
  return roster.filter((e) => e.date === now.date && e.shift === now.shift);
}

/**
 * Shifts between two dates (inclusive) that miss one of the required seats — so a community sees
 * the night with no doctor before it happens, not when a resident calls.
 */
export function rosterGaps(
  roster: readonly RosterEntry[],
  from: string,
  to: string,
  required: readonly CareTeamRole[] = CARE_TEAM_ROLES,
): (ShiftSlot & { missing: CareTeamRole[] })[] {
  const first = dayOfDate(from);
  const last = dayOfDate(to);
  if (first === null || last === null) return [];
  const seated = new Set(roster.map((e) => `${e.date}|${e.shift}|${e.teamRole}`));
  const gaps: (ShiftSlot & { missing: CareTeamRole[] })[] = [];
  // A roster is planned weeks ahead; capping at a year keeps a typo'd range from looping for ages.
  for (let d = first; d <= Math.min(last, first + 365); d++) {
    for (const shift of SHIFTS) {
      const date = dateOfDay(d);
      const missing = required.filter((r) => !seated.has(`${date}|${shift}|${r}`));
      if (missing.length) gaps.push({ date, shift, missing });
    }
  }
  return gaps;
}
