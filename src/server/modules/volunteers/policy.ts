import type { Principal } from "../../context.ts";
import { definePolicy, hasRole, permits } from "../../platform/policy.ts";

// The volunteers module's rules in words. Scope (which subtree) is in the queries: a member, task, wish or
// request outside the caller's subtree is 404.

export interface WishFacts {
  state: string;
  memberId: number | null;
}

/**
 * A team as the roll rules read it: its secretary, and the caller's own member row (null for staff). Null before
 * the row is read: then only whether the role may ever keep a roll (a member may, as some team's secretary).
 */
export type TeamFacts = { secretaryMemberId: number; myMemberId: number | null } | null;

export const volunteerPolicy = definePolicy<{
  /** A member's own actions: register, claim, check in/out, redeem, answer a call-out. */
  self: undefined;
  /** Seeing members, tasks with their claims, wishes in full, redemptions. */
  read: undefined;
  /** Tasks and wishes lists and rankings: staff, and members (who see the wall's masked text only). */
  browse: undefined;
  manage: undefined;
  post: undefined;
  /** Fulfilling a wish: the member who claimed it. */
  fulfil: { wish: WishFacts; memberId: number | null };
  /** A community's rules (points, quarterly minimum) and its teams: the community and the levels above it. */
  govern: undefined;
  /** Reading a team's roll: staff who read members, and members (their own team as its secretary only). */
  readRoll: undefined;
  /** Adding to and removing from a roll: the community and above, or the team's own secretary. */
  keepRoll: TeamFacts;
}>(
  {
    self: (who) => permits(who, "volunteer.self"),
    read: (who) => permits(who, "volunteer.read"),
    browse: (who) => permits(who, "volunteer.read") || permits(who, "volunteer.self"),
    manage: (who) => permits(who, "volunteer.manage"),
    post: (who) => permits(who, "wish.post"),
    fulfil: (who, { wish, memberId }) =>
      permits(who, "volunteer.self") && wish.memberId !== null && wish.memberId === memberId,
    govern: (who) => hasRole(who, "sysadmin", "commander", "community_admin"),
    readRoll: (who) => permits(who, "volunteer.read") || permits(who, "volunteer.self"),
    keepRoll: (who, team) =>
      hasRole(who, "sysadmin", "commander", "community_admin") ||
      (permits(who, "volunteer.self") &&
        (team === null || (team.myMemberId !== null && team.secretaryMemberId === team.myMemberId))),
  },
  {
    self: "只有志愿者本人可以报到、认领、签到和兑换",
    read: "当前角色不能查看志愿者信息",
    browse: "当前角色不能查看志愿服务",
    manage: "只有社区或网格长可以审核、发布和确认",
    post: "只有网格工作人员可以代居民登记心愿和点单",
    fulfil: "只有认领该心愿的志愿者可以提交圆梦照片",
    govern: "只有社区及以上可以设置积分规则和组建队伍",
    readRoll: "当前角色不能查看队伍名册",
    keepRoll: "只有社区或本队书记可以调整名册",
  },
);

export const isSelf = (who: Principal) => volunteerPolicy.can(who, "self");
