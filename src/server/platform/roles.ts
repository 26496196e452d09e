// What each role of DESIGN §3 may do. Scope (which org subtree) is checked separately in policy.ts.

import { ROLE_LABELS, ROLES, type Role } from "../../domain/roles/roles.ts";

export { ROLE_LABELS, ROLES, type Role };

const staff: Role[] = [
  "sysadmin",
  "commander",
  "community_admin",
  "grid_head",
  "grid_worker",
  "doctor",
  "police",
  "agent",
];

export const PERMISSIONS = {
  "org.read": [...staff, "volunteer"] as Role[],
  "resident.read": staff,
  "resident.write": ["sysadmin", "community_admin", "grid_head", "grid_worker"] as Role[],
  /** Seeing a full ID number or phone: people who must call or identify a resident, never the big screen. */
  "resident.reveal": [
    "sysadmin",
    "community_admin",
    "grid_head",
    "grid_worker",
    "doctor",
    "police",
    "agent",
  ] as Role[],
  "resident.export": ["sysadmin", "commander", "community_admin", "grid_head"] as Role[],
  "audit.read": ["sysadmin", "commander", "community_admin"] as Role[],
  "account.manage": ["sysadmin"] as Role[],
  "order.create": ["sysadmin", "agent", "commander", "community_admin", "grid_head", "grid_worker"] as Role[],
  "order.read": staff,
  "order.act": staff,
  "rates.read": ["sysadmin", "commander", "community_admin", "grid_head"] as Role[],
  /** The red/black list's weights: a district-wide setting (the policy adds: at district level only). */
  "rates.manage": ["sysadmin", "commander"] as Role[],
  "notification.read": ["sysadmin", "commander", "community_admin", "grid_head"] as Role[],
  /** The command center's dashboard, big screen and daily report: commanders, and a community for its own. */
  "command.read": ["sysadmin", "commander", "community_admin"] as Role[],
  /**
   * The city scope: every district's figures side by side, from the city database. A commander at the top of the
   * tree of a deployment configured with CITY_DATABASE_URL is the city's commander (the policy adds the level).
   */
  "command.city": ["sysadmin", "commander"] as Role[],
  "category.manage": ["sysadmin", "commander"] as Role[],
  /** Importing the areas (GeoJSON boundaries) of communities and grids, inside one's own subtree. */
  "org.area": ["sysadmin", "commander"] as Role[],
  /** Care ledger (who is a key resident, plans, due visits): care staff, the doctor, and the command center's counts. */
  "care.read": ["sysadmin", "commander", "community_admin", "grid_head", "grid_worker", "doctor"] as Role[],
  /** Tagging residents and recording visits. */
  "care.write": ["sysadmin", "community_admin", "grid_head", "grid_worker", "doctor"] as Role[],
  /** Choosing a key resident's responsible grid worker and family doctor: the community and the grid head. */
  "care.assign": ["sysadmin", "community_admin", "grid_head"] as Role[],
  /** Ledger import, community visit-frequency config, care-team roster, hospital list. */
  "care.manage": ["sysadmin", "community_admin"] as Role[],
  /** Health data (vitals, alerts, consultations, referrals): doctor and care roles only, audited on read. */
  "health.read": ["sysadmin", "community_admin", "grid_head", "grid_worker", "doctor"] as Role[],
  /** Clinical writes: contracts, consultations, alert acknowledgement, referrals. */
  "health.write": ["sysadmin", "community_admin", "doctor"] as Role[],
  /** Referrals: care roles in scope, and a hospital's liaison for that hospital's referrals only. */
  "referral.read": [
    "sysadmin",
    "community_admin",
    "grid_head",
    "grid_worker",
    "doctor",
    "hospital_liaison",
  ] as Role[],
  "open311.manage": ["sysadmin", "commander"] as Role[],
  /** Holiday arrangements for the SLA calendars: read by every staff role, kept by the district. */
  "holiday.read": staff,
  "holiday.manage": ["sysadmin", "commander"] as Role[],
  /** 双报到 · 志愿服务: a member's own actions (register, claim, check in, redeem, answer a call-out). */
  "volunteer.self": ["volunteer"] as Role[],
  /** Seeing a community's members, tasks, wishes, redemptions and rankings. */
  "volunteer.read": ["sysadmin", "commander", "community_admin", "grid_head", "grid_worker"] as Role[],
  /** Confirming registrations, publishing tasks, confirming hours, reviewing wishes, dispatching 点单,
   * sounding the call 集结号, keeping the catalogue and reversing redemptions. */
  "volunteer.manage": ["sysadmin", "community_admin", "grid_head"] as Role[],
  /** Posting a resident's micro-wish or 点单 and confirming it done: the grid's staff. */
  "wish.post": ["sysadmin", "community_admin", "grid_head", "grid_worker"] as Role[],
  /** Bulk list verification 大数据核查: importing a list, its classification, progress and export. */
  "verification.manage": ["sysadmin", "commander", "community_admin"] as Role[],
  /** Verification tasks at the door: a grid's workers and head record the outcome. */
  "verification.task": ["sysadmin", "community_admin", "grid_head", "grid_worker"] as Role[],
  /** 共享药箱 · 服务阵地 · 活动: seeing boxes, stock, medicine requests, service points and events. */
  "mutualaid.read": [...staff, "volunteer"] as Role[],
  /** Keeping a box's stock: donations in, dispensing at the box, disposal of expired batches, new boxes. */
  "medicine.stock": ["sysadmin", "community_admin", "grid_head", "grid_worker", "doctor"] as Role[],
  /** Filing a medicine request for a resident: the grid's staff and the hotline. */
  "medicine.request": ["sysadmin", "community_admin", "grid_head", "grid_worker", "agent"] as Role[],
  /** Claiming and delivering a medicine request: the care team 爱心专班 and volunteers. */
  "medicine.deliver": [
    "sysadmin",
    "community_admin",
    "grid_head",
    "grid_worker",
    "doctor",
    "police",
    "volunteer",
  ] as Role[],
  /** A doctor's approval for prescription medicine 处方药. */
  "medicine.approve": ["sysadmin", "doctor"] as Role[],
  /** The service-point directory 驿站 · 读书角 · 党群服务中心: kept by the community. */
  "service_point.manage": ["sysadmin", "community_admin"] as Role[],
  /** Publishing events 义诊 · 便民集市 and checking people in. */
  "event.manage": ["sysadmin", "community_admin", "grid_head"] as Role[],
  /** Mass notices 群发 to residents' phones: the community and the grid head. */
  "notice.send": ["sysadmin", "community_admin", "grid_head"] as Role[],
  /** Signing a resident up for an event on their behalf. */
  "event.signup": ["sysadmin", "community_admin", "grid_head", "grid_worker"] as Role[],
  /** 敲门行动: a campaign's progress, households and results (the street, the community, the grid head). */
  "campaign.read": ["sysadmin", "commander", "community_admin", "grid_head"] as Role[],
  /** Launching a campaign over one's grids, changing its questionnaire, reassigning households, export. */
  "campaign.manage": ["sysadmin", "commander", "community_admin"] as Role[],
  /** A member at the door: their assigned households, records synced from the phone. */
  "campaign.field": ["grid_worker", "grid_head"] as Role[],
  /** Community affairs (实事项目, 议事, 重点工程, 企业检查): lists, boards, registers and summaries. */
  "affairs.read": ["sysadmin", "commander", "community_admin", "grid_head", "grid_worker"] as Role[],
  /** Publishing project lists, meetings and decisions, key projects, the enterprise register, templates, campaigns. */
  "affairs.manage": ["sysadmin", "commander", "community_admin"] as Role[],
  /** Collecting proposals 征集, putting a topic on the table, recording a household's vote. */
  "affairs.propose": ["sysadmin", "commander", "community_admin", "grid_head", "grid_worker"] as Role[],
  /** Checking an enterprise on one's own campaign assignments and re-inspecting its rectifications. */
  "inspection.perform": ["sysadmin", "commander", "community_admin", "grid_head", "grid_worker"] as Role[],
  /** Reading /metrics by hand (a scraper uses METRICS_TOKEN instead). */
  "metrics.read": ["sysadmin"] as Role[],
} satisfies Record<string, Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function hasPermission(role: string, permission: Permission): boolean {
  return (PERMISSIONS[permission] as string[]).includes(role);
}

export function permissionsOf(role: string): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => hasPermission(role, p));
}
