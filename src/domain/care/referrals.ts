// Two-way referral 双向转诊: the family doctor refers a resident up to a configured hospital; the
// hospital's liaison accepts, schedules and completes the visit, then the resident is handed back
// down to the community (下转) so the family doctor can follow up. Each step is an append-only
// event; only listed roles may take it, and a refused step says what could be done instead.

import { type FieldError, fail, isRecord, ok, type Result } from "./result.ts";

export const REFERRAL_STATES = [
  "requested",
  "accepted",
  "scheduled",
  "completed",
  "declined",
  "cancelled",
  "returned_to_community",
] as const;
export type ReferralState = (typeof REFERRAL_STATES)[number];
export const REFERRAL_STATE_LABELS: Record<ReferralState, string> = {
  requested: "待接收",
  accepted: "已接收",
  scheduled: "已预约",
  completed: "已就诊",
  declined: "已拒绝",
  cancelled: "已撤销",
  returned_to_community: "已回转社区",
};

export const REFERRAL_ACTIONS = [
  "accept",
  "schedule",
  "complete",
  "decline",
  "cancel",
  "return_to_community",
] as const;
export type ReferralAction = (typeof REFERRAL_ACTIONS)[number];
export const REFERRAL_ACTION_LABELS: Record<ReferralAction | "request", string> = {
  request: "申请转诊",
  accept: "接收",
  schedule: "预约",
  complete: "完成就诊",
  decline: "拒绝",
  cancel: "撤销",
  return_to_community: "回转社区",
};

/**
 * `hospital_liaison` (医院转诊联络员) is not yet a platform role; until it is, sysadmin acts for the
 * hospital. Any other role simply gets "forbidden".
 */
export const REFERRAL_ROLES = ["doctor", "community_admin", "hospital_liaison", "sysadmin"] as const;
export type ReferralRole = (typeof REFERRAL_ROLES)[number];
export const REFERRAL_ROLE_LABELS: Record<ReferralRole | "requester", string> = {
  doctor: "家庭医生",
  community_admin: "社区管理员",
  hospital_liaison: "医院转诊联络员",
  sysadmin: "系统管理员",
  requester: "申请人",
};

const HOSPITAL: ReferralRole[] = ["hospital_liaison", "sysadmin"];
export const REQUEST_ROLES: readonly ReferralRole[] = ["doctor", "community_admin", "sysadmin"];

const TRANSITIONS: Record<
  ReferralAction,
  { from: ReferralState[]; to: ReferralState; roles: ReferralRole[] }
> = {
  accept: { from: ["requested"], to: "accepted", roles: HOSPITAL },
  // The hospital may still decline after accepting, e.g. when no bed or slot can be found.
  decline: { from: ["requested", "accepted"], to: "declined", roles: HOSPITAL },
  // Scheduling again from "scheduled" is a reschedule.
  schedule: { from: ["accepted", "scheduled"], to: "scheduled", roles: HOSPITAL },
  complete: { from: ["scheduled"], to: "completed", roles: HOSPITAL },
  // Only before the hospital has committed; afterwards the hospital must decline.
  cancel: { from: ["requested"], to: "cancelled", roles: ["doctor", "community_admin", "sysadmin"] },
  return_to_community: {
    from: ["completed"],
    to: "returned_to_community",
    roles: ["hospital_liaison", "doctor", "community_admin", "sysadmin"],
  },
};

export interface Hospital {
  code: string;
  name: string;
}

export interface ReferralActor {
  id: number | string;
  role: string;
}

export interface Referral {
  residentId: number;
  hospitalCode: string;
  department: string;
  reason: string;
  /** 绿色通道: skips the queue on the hospital's board. */
  greenChannel: boolean;
  state: ReferralState;
  requestedBy: number | string;
  requestedAt: Date;
  appointmentAt: Date | null;
  /** Bumped on every step, so the service can refuse a stale concurrent update (409). */
  version: number;
}

export interface ReferralEvent {
  action: ReferralAction | "request";
  from: ReferralState | null;
  to: ReferralState;
  actorId: number | string;
  role: string;
  at: Date;
  note: string;
}

export type ReferralError =
  | { code: "invalid"; message: string; fields: FieldError[] }
  | {
      code: "forbidden";
      message: string;
      action: ReferralAction | "request";
      allowedRoles: readonly string[];
    }
  | {
      code: "invalid_transition";
      message: string;
      state: ReferralState;
      action: ReferralAction;
      allowed: ReferralAction[];
    }
  | { code: "hospital_not_configured"; message: string; hospital: string; configured: Hospital[] };

/** HTTP status per error, for the route's single error mapping (DESIGN §5). */
export const REFERRAL_ERROR_STATUS: Record<ReferralError["code"], number> = {
  invalid: 400,
  forbidden: 403,
  invalid_transition: 409,
  hospital_not_configured: 422,
};

export type ReferralStep = Result<{ referral: Referral; event: ReferralEvent }, ReferralError>;

const MAX_REASON = 500;
const MAX_NOTE = 1000;
const CLOCK_SKEW_MS = 5 * 60_000;

const invalid = (fields: FieldError[]): ReferralStep =>
  fail({ code: "invalid", message: fields.map((f) => f.message).join("；"), fields });

function text(raw: unknown, max: number): string | null {
  if (raw === undefined || raw === null) return "";
  if (typeof raw !== "string" || raw.trim().length > max) return null;
  return raw.trim();
}

function forbidden(action: ReferralAction | "request", roles: readonly string[]): ReferralStep {
  const names = roles
    .map((r) => REFERRAL_ROLE_LABELS[r as keyof typeof REFERRAL_ROLE_LABELS] ?? r)
    .join("、");
  return fail({
    code: "forbidden",
    message: `无权${REFERRAL_ACTION_LABELS[action]}：仅限 ${names}`,
    action,
    allowedRoles: roles,
  });
}

/** A hospital is named by its configured code or its exact name; anything else is not configured. */
export function findHospital(hospitals: readonly Hospital[], raw: string): Hospital | null {
  const key = raw.trim();
  return hospitals.find((h) => h.code === key || h.name === key) ?? null;
}

export function requestReferral(
  input: unknown,
  actor: ReferralActor,
  hospitals: readonly Hospital[],
  now: Date,
): ReferralStep {
  if (!(REQUEST_ROLES as readonly string[]).includes(actor.role)) return forbidden("request", REQUEST_ROLES);
  if (!isRecord(input)) return invalid([{ field: "referral", message: "转诊申请格式不正确" }]);
  const fields: FieldError[] = [];
  const residentId = input.residentId;
  if (typeof residentId !== "number" || !Number.isSafeInteger(residentId) || residentId <= 0)
    fields.push({ field: "residentId", message: "请选择转诊居民" });
  const hospital = typeof input.hospital === "string" ? input.hospital.trim() : "";
  if (!hospital) fields.push({ field: "hospital", message: "请选择转诊医院" });
  const reason = text(input.reason, MAX_REASON);
  if (!reason) fields.push({ field: "reason", message: `请填写转诊原因（不超过 ${MAX_REASON} 字）` });
  const department = text(input.department, 50);
  if (department === null) fields.push({ field: "department", message: "科室名称不超过 50 字" });
  const green = input.greenChannel ?? false;
  if (typeof green !== "boolean") fields.push({ field: "greenChannel", message: "绿色通道应为是或否" });
  if (fields.length) return invalid(fields);

  const found = findHospital(hospitals, hospital);
  if (!found)
    return fail({
      code: "hospital_not_configured",
      message: `「${hospital}」不在本区转诊医院名单中`,
      hospital,
      configured: [...hospitals],
    });
  const referral: Referral = {
    residentId: residentId as number,
    hospitalCode: found.code,
    department: department ?? "",
    reason: reason!,
    greenChannel: green as boolean,
    state: "requested",
    requestedBy: actor.id,
    requestedAt: now,
    appointmentAt: null,
    version: 1,
  };
  const event: ReferralEvent = {
    action: "request",
    from: null,
    to: "requested",
    actorId: actor.id,
    role: actor.role,
    at: now,
    note: reason!,
  };
  return ok({ referral, event });
}

/** Actions the state allows; with an actor, only those this actor may take. */
export function allowedActions(referral: Referral, actor?: ReferralActor): ReferralAction[] {
  return REFERRAL_ACTIONS.filter((a) => {
    const t = TRANSITIONS[a];
    if (!t.from.includes(referral.state)) return false;
    if (!actor) return true;
    if (!(t.roles as string[]).includes(actor.role)) return false;
    return a !== "cancel" || actor.role === "sysadmin" || String(actor.id) === String(referral.requestedBy);
  });
}

export function isReferralOpen(state: ReferralState): boolean {
  return REFERRAL_ACTIONS.some((a) => TRANSITIONS[a].from.includes(state));
}

export interface ReferralCommand {
  action: ReferralAction;
  /** Required for schedule. */
  appointmentAt?: Date | string;
  /** Required for decline (why) and return_to_community (诊疗结果与康复建议); optional otherwise. */
  note?: string;
}

function transitionError(referral: Referral, action: ReferralAction): ReferralStep {
  const allowed = allowedActions(referral);
  const here = `转诊当前为「${REFERRAL_STATE_LABELS[referral.state]}」`;
  const next = allowed.length
    ? `，可执行：${allowed.map((a) => REFERRAL_ACTION_LABELS[a]).join("、")}`
    : "，流程已结束";
  return fail({
    code: "invalid_transition",
    message: `${here}，不能${REFERRAL_ACTION_LABELS[action]}${next}`,
    state: referral.state,
    action,
    allowed,
  });
}

/** One step of the flow. Checks, in order: who (403), from where (409), with what (400). */
export function applyReferralAction(
  referral: Referral,
  command: ReferralCommand,
  actor: ReferralActor,
  now: Date,
): ReferralStep {
  const t = (TRANSITIONS as Record<string, (typeof TRANSITIONS)[ReferralAction] | undefined>)[command.action];
  if (!t) return invalid([{ field: "action", message: "未知的转诊操作" }]);
  const action = command.action;
  if (!(t.roles as string[]).includes(actor.role)) return forbidden(action, t.roles);
  if (!t.from.includes(referral.state)) return transitionError(referral, action);
  if (action === "cancel" && actor.role !== "sysadmin" && String(actor.id) !== String(referral.requestedBy))
    return forbidden("cancel", ["requester"]);

  const note = text(command.note, MAX_NOTE);
  if (note === null) return invalid([{ field: "note", message: `说明不超过 ${MAX_NOTE} 字` }]);
  if (action === "decline" && !note) return invalid([{ field: "note", message: "请填写拒绝原因" }]);
  if (action === "return_to_community" && !note)
    return invalid([{ field: "note", message: "请填写回转说明（诊疗结果与康复建议）" }]);

  let appointmentAt = referral.appointmentAt;
  if (action === "schedule") {
    const raw = command.appointmentAt;
    const d = raw instanceof Date ? raw : typeof raw === "string" ? new Date(raw) : null;
    if (!d || Number.isNaN(d.getTime()))
      return invalid([{ field: "appointmentAt", message: "请填写预约时间" }]);
    if (d.getTime() < now.getTime() - CLOCK_SKEW_MS)
      return invalid([{ field: "appointmentAt", message: "预约时间不能早于当前时间" }]);
    appointmentAt = d;
  }
  const next: Referral = { ...referral, state: t.to, appointmentAt, version: referral.version + 1 };
  const event: ReferralEvent = {
    action,
    from: referral.state,
    to: t.to,
    actorId: actor.id,
    role: actor.role,
    at: now,
    note: note ?? "",
  };
  return ok({ referral: next, event });
}

/** Board order: green channel first, then first come first served. */
export function compareReferrals(a: Referral, b: Referral): number {
  if (a.greenChannel !== b.greenChannel) return a.greenChannel ? -1 : 1;
  return a.requestedAt.getTime() - b.requestedAt.getTime();
}
