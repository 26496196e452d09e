// Community events 义诊 / 便民集市 / talks: who the event is for, and its attendance figures.

export const EVENT_KINDS = ["clinic", "fair", "talk"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const EVENT_KIND_LABELS: Record<EventKind, string> = {
  clinic: "义诊",
  fair: "便民集市",
  talk: "讲座",
};

export const SIGNUP_STATES = ["confirmed", "waitlisted", "cancelled"] as const;
export type SignupState = (typeof SIGNUP_STATES)[number];

/** An event for given tags takes residents carrying any of them; one without tags takes everyone in scope. */
export function inAudience(audienceTags: readonly string[], residentTags: readonly string[]): boolean {
  return audienceTags.length === 0 || audienceTags.some((t) => residentTags.includes(t));
}

export interface AttendanceFigures {
  capacity: number;
  confirmed: number;
  waitlisted: number;
  cancelled: number;
  checkedIn: number;
  /** checked in ÷ confirmed, 0..1 (0 when nobody is confirmed). */
  attendanceRate: number;
  /** confirmed ÷ capacity, 0..1. */
  fillRate: number;
}

export function attendanceFigures(
  capacity: number,
  signups: readonly { state: SignupState; checkedIn: boolean }[],
): AttendanceFigures {
  let confirmed = 0;
  let waitlisted = 0;
  let cancelled = 0;
  let checkedIn = 0;
  for (const s of signups) {
    if (s.state === "confirmed") {
      confirmed++;
      if (s.checkedIn) checkedIn++;
    } else if (s.state === "waitlisted") waitlisted++;
    else cancelled++;
  }
  return {
    capacity,
    confirmed,
    waitlisted,
    cancelled,
    checkedIn,
    attendanceRate: confirmed === 0 ? 0 : checkedIn / confirmed,
    fillRate: capacity === 0 ? 0 : Math.min(1, confirmed / capacity),
  };
}

/** Check-in opens an hour before the start and closes at the end. */
export function checkInOpen(now: Date, startsAt: Date, endsAt: Date): boolean {
  return now.getTime() >= startsAt.getTime() - 3600_000 && now <= endsAt;
}
