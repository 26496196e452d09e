import crypto from "node:crypto";

// Check-in and check-out by the QR code shown at the place, and the hours they give. The code carries the
// task id and an HMAC of it (with the task's nonce) under the server's key, so a code cannot be made up for
// another task; the phone's time must lie in the task's window.

/** Check-in opens this long before the start; check-out closes this long after the end. */
export const EARLY_MINUTES = 30;
export const LATE_MINUTES = 60;

export function taskToken(key: string, taskId: number, nonce: string): string {
  const mac = crypto
    .createHmac("sha256", key)
    .update(`volunteer-task:${taskId}:${nonce}`)
    .digest("base64url");
  return `VT1.${taskId}.${mac.slice(0, 22)}`;
}

/** The task id a token names, if it is well formed (the signature is checked against the task's nonce). */
export function tokenTaskId(token: string): number | null {
  const m = /^VT1\.(\d{1,9})\.[A-Za-z0-9_-]{22}$/.exec(token.trim());
  return m ? Number(m[1]) : null;
}

export function tokenValid(key: string, token: string, taskId: number, nonce: string): boolean {
  const expected = Buffer.from(taskToken(key, taskId, nonce));
  const given = Buffer.from(token.trim());
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

export type AttendanceError = "before_window" | "after_window" | "already_in" | "not_in" | "already_out";

export interface Attendance {
  checkInAt: Date | null;
  checkOutAt: Date | null;
}

export function checkIn(
  now: Date,
  slot: { startsAt: Date; endsAt: Date },
  a: Attendance,
): AttendanceError | null {
  if (a.checkInAt) return "already_in";
  if (now.getTime() < slot.startsAt.getTime() - EARLY_MINUTES * 60_000) return "before_window";
  if (now.getTime() > slot.endsAt.getTime()) return "after_window";
  return null;
}

export function checkOut(
  now: Date,
  slot: { startsAt: Date; endsAt: Date },
  a: Attendance,
): AttendanceError | null {
  if (!a.checkInAt) return "not_in";
  if (a.checkOutAt) return "already_out";
  if (now.getTime() > slot.endsAt.getTime() + LATE_MINUTES * 60_000) return "after_window";
  return null;
}

/** Service minutes: the time checked in, within the slot (arriving early or staying late does not count). */
export function serviceMinutes(slot: { startsAt: Date; endsAt: Date }, inAt: Date, outAt: Date): number {
  const from = Math.max(inAt.getTime(), slot.startsAt.getTime());
  const to = Math.min(outAt.getTime(), slot.endsAt.getTime());
  return Math.max(0, Math.floor((to - from) / 60_000));
}

const HM = (d: Date) =>
  new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai",
    month: "numeric",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(d);

export function attendanceMessage(e: AttendanceError, slot: { startsAt: Date; endsAt: Date }): string {
  switch (e) {
    case "before_window":
      return `还没到签到时间：本任务 ${HM(slot.startsAt)} 开始，可提前 ${EARLY_MINUTES} 分钟签到`;
    case "after_window":
      return `不在任务时段内：本任务时段为 ${HM(slot.startsAt)} 至 ${HM(slot.endsAt)}，已不能签到或签退`;
    case "already_in":
      return "您已签到，请勿重复签到";
    case "not_in":
      return "您还没有签到，请先扫码签到";
    case "already_out":
      return "您已签退，请勿重复签退";
  }
}
