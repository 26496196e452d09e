import type { Answer } from "../../app/api.ts";

export type VolMe = Answer<"/api/volunteers/me">;
export type VolTask = Answer<"/api/volunteers/tasks">["items"][number];
export type VolWish = Answer<"/api/volunteers/wishes">["items"][number];
export type VolLedger = Answer<"/api/volunteers/ledger">;
export type VolItem = Answer<"/api/volunteers/catalogue">["items"][number];
export type VolRequest = Answer<"/api/volunteers/requests">["items"][number];
export type VolCallOut = Answer<"/api/volunteers/callouts">["items"][number];
export type VolBoard = Answer<"/api/volunteers/leaderboard">;
export type VolMemberLedger = Answer<"/api/volunteers/members/{id}/ledger">;
export type VolMember = Answer<"/api/volunteers/members">["items"][number];
export type VolTaskDetail = Answer<"/api/volunteers/tasks/{id}">;
export type VolRedemption = Answer<"/api/volunteers/redemptions">["items"][number];
export type VolTeam = Answer<"/api/volunteers/teams">["items"][number];
export type VolRoll = Answer<"/api/volunteers/teams/{id}">;
export type VolRollMember = VolRoll["members"][number];
export type VolRollCandidate = Answer<"/api/volunteers/teams/{id}/candidates">["items"][number];
export type VolRules = Answer<"/api/volunteers/communities/{id}/rules">;

export const hours = (minutes: number) => Math.round(minutes / 6) / 10;
export const SPECIALTIES = [
  "legal",
  "medical",
  "psychological",
  "education",
  "repairs",
  "it",
  "other",
] as const;
