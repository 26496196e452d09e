// What a knock at the door can end in, and what the household's state becomes.

export const OUTCOMES = ["done", "not_home", "refused", "moved", "other"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const OUTCOME_LABELS: Record<Outcome, string> = {
  done: "在家·已完成",
  not_home: "不在家·需复访",
  refused: "拒绝",
  moved: "已搬离",
  other: "其他",
};

export const STATUSES = ["pending", "done", "revisit", "refused", "moved", "other"] as const;
export type Status = (typeof STATUSES)[number];

/** The household's state after a record with this outcome. */
export function statusOf(outcome: Outcome): Status {
  return outcome === "not_home" ? "revisit" : outcome;
}

export const NOTICE_METHODS = ["hand", "door", "phone"] as const;
export type NoticeMethod = (typeof NOTICE_METHODS)[number];
export const NOTICE_METHOD_LABELS: Record<NoticeMethod, string> = {
  hand: "当面递交",
  door: "张贴/塞门",
  phone: "电话/微信",
};

/** A door not opened is knocked on again the next day. */
export const REVISIT_AFTER_HOURS = 24;

/** The floor of a room number such as "1202室" (12) or "301" (3); null when it names no floor ("5号"). */
export function floorOf(roomNo: string | null | undefined): number | null {
  const m = /^(\d{3,4})/.exec(roomNo ?? "");
  return m ? Math.floor(Number(m[1]) / 100) : null;
}

/**
 * When the phone says a visit happened, as the server keeps it: a clock ahead of the server's counts as
 * "now" (a phone cannot have visited in the future), one wildly behind (before the campaign) as its start.
 */
export function visitTime(device: Date, received: Date, earliest: Date): Date {
  if (device.getTime() > received.getTime()) return received;
  if (device.getTime() < earliest.getTime()) return earliest;
  return device;
}

export interface RecordFacts {
  memberId: number;
  outcome: Outcome;
  visitedAt: Date;
  id: number;
}

/**
 * A household's state from all its records, in any order: the latest visit decides (ties by id), two or
 * more members recording it flags it. The same records give the same state however they arrive.
 */
export function householdState(records: RecordFacts[]): {
  status: Status;
  lastVisitAt: Date | null;
  revisitDue: Date | null;
  flagged: boolean;
} {
  if (records.length === 0) return { status: "pending", lastVisitAt: null, revisitDue: null, flagged: false };
  let latest = records[0];
  for (const r of records)
    if (
      r.visitedAt.getTime() > latest.visitedAt.getTime() ||
      (r.visitedAt.getTime() === latest.visitedAt.getTime() && r.id > latest.id)
    )
      latest = r;
  const status = statusOf(latest.outcome);
  return {
    status,
    lastVisitAt: latest.visitedAt,
    revisitDue:
      status === "revisit" ? new Date(latest.visitedAt.getTime() + REVISIT_AFTER_HOURS * 3600_000) : null,
    flagged: new Set(records.map((r) => r.memberId)).size > 1,
  };
}

/** A share in 0..1, 0 when there is nothing to share. */
export function share(part: number, whole: number): number {
  return whole > 0 ? Math.min(1, Math.max(0, part / whole)) : 0;
}
