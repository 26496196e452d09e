import { definePolicy, hasRole, permits } from "../../platform/policy.ts";

// The mutual-aid module's rules in words. Scope (which subtree) is in the queries: a box, request, point or
// event outside the caller's subtree is 404. Residents in the app hold no role: their routes act only on
// what they started (see resident.ts).

export interface RequestFacts {
  state: string;
  prescription: boolean;
  approvedAt: Date | null;
  claimedBy: number | null;
  createdBy: number | null;
}

export const mutualAidPolicy = definePolicy<{
  read: undefined;
  stock: undefined;
  /** Dispensing prescription medicine at the box: only a doctor (whose act is the approval). */
  dispensePrescription: undefined;
  request: undefined;
  approve: RequestFacts;
  claim: RequestFacts;
  /** Care-team staff claim only on their shift (when the community keeps a roster); volunteers any time. */
  dutyBound: undefined;
  /** Delivering: the member who claimed it. */
  deliver: { request: RequestFacts; accountId: number | null };
  /** Confirming receipt: the staff who filed it, or any staff who may file requests (the hotline's callback). */
  confirm: RequestFacts;
  cancel: RequestFacts;
  managePoints: undefined;
  manageEvents: undefined;
  signUp: undefined;
  notices: undefined;
}>(
  {
    read: (who) => permits(who, "mutualaid.read"),
    stock: (who) => permits(who, "medicine.stock"),
    dispensePrescription: (who) => permits(who, "medicine.approve"),
    request: (who) => permits(who, "medicine.request"),
    approve: (who, r) => permits(who, "medicine.approve") && r.prescription && !r.approvedAt,
    claim: (who, r) => permits(who, "medicine.deliver") && (!r.prescription || r.approvedAt !== null),
    dutyBound: (who) => who.kind === "account" && !hasRole(who, "volunteer", "sysadmin"),
    deliver: (who, { request, accountId }) =>
      permits(who, "medicine.deliver") && request.claimedBy !== null && request.claimedBy === accountId,
    confirm: (who) => permits(who, "medicine.request"),
    cancel: (who) => permits(who, "medicine.request"),
    managePoints: (who) => permits(who, "service_point.manage"),
    manageEvents: (who) => permits(who, "event.manage"),
    signUp: (who) => permits(who, "event.signup"),
    notices: (who) => permits(who, "notice.send"),
  },
  {
    read: "当前角色不能查看互助服务",
    stock: "只有社区、网格工作人员和家庭医生可以管理药箱库存",
    dispensePrescription: "处方药须由医生审核后发放",
    request: "只有网格工作人员和热线坐席可以代居民申请药品",
    approve: "只有医生可以审核处方药申请",
    claim: "处方药申请须先经医生审核，且只有爱心专班成员或志愿者可以认领",
    deliver: "只有认领该申请的人员可以确认送达",
    confirm: "只有网格工作人员和热线坐席可以确认居民已收到",
    cancel: "只有网格工作人员和热线坐席可以取消申请",
    managePoints: "只有社区可以维护服务阵地",
    manageEvents: "只有社区或网格长可以发布和管理活动",
    signUp: "只有网格工作人员可以代居民报名",
    notices: "只有社区或网格长可以群发通知",
  },
);
