import type { Principal } from "../../context.ts";
import { definePolicy, permits } from "../../platform/policy.ts";

// The volunteers module's rules in words. Scope (which subtree) is in the queries: a member, task, wish or
// request outside the caller's subtree is 404.

export interface WishFacts {
  state: string;
  memberId: number | null;
}

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
}>(
  {
    self: (who) => permits(who, "volunteer.self"),
    read: (who) => permits(who, "volunteer.read"),
    browse: (who) => permits(who, "volunteer.read") || permits(who, "volunteer.self"),
    manage: (who) => permits(who, "volunteer.manage"),
    post: (who) => permits(who, "wish.post"),
    fulfil: (who, { wish, memberId }) =>
      permits(who, "volunteer.self") && wish.memberId !== null && wish.memberId === memberId,
  },
  {
    self: "只有志愿者本人可以报到、认领、签到和兑换",
    read: "当前角色不能查看志愿者信息",
    browse: "当前角色不能查看志愿服务",
    manage: "只有社区或网格长可以审核、发布和确认",
    post: "只有网格工作人员可以代居民登记心愿和点单",
    fulfil: "只有认领该心愿的志愿者可以提交圆梦照片",
  },
);

export const isSelf = (who: Principal) => volunteerPolicy.can(who, "self");
