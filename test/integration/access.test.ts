import crypto from "node:crypto";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeIdCard } from "../../src/domain/idcard/idcard.ts";
import { forgetUnits } from "../../src/server/modules/orgs/index.ts";
import { settleLists } from "../../src/server/modules/verification/index.ts";
import { qrTokenFor } from "../../src/server/modules/volunteers/index.ts";
import { PERMISSIONS, type Permission } from "../../src/server/platform/roles.ts";
import { type AffairsFixture, affairsFixture } from "../helpers/affairsFixture.ts";
import { createTestApp, DB_KINDS, type TestApp } from "../helpers/app.ts";

// Every route × every role, from one table: a role without the route's permission gets 403; a role with
// it gets its answer for a record inside its scope and 404 for one outside it, exactly as for a record
// that does not exist; a JSON body with a field the caller may not set is refused with nothing changed.
// A route missing from the table fails the test, so a new route cannot land without saying who may call it.
//
// "Outside" is made real by moving one of 苏阳社区's grids (G02, with its buildings, residents, orders and
// care records) under another street's community: for every account below district level it is then
// someone else's, while it keeps realistic data.

type Who = "commander" | "street" | "community" | "grid" | "agent" | "doctor" | "volunteer";
const ACCOUNTS: Record<Who, { username: string; role: string; district: boolean }> = {
  commander: { username: "demo-commander", role: "commander", district: true },
  street: { username: "demo-street", role: "commander", district: false },
  community: { username: "demo-community", role: "community_admin", district: false },
  grid: { username: "demo-grid", role: "grid_worker", district: false },
  agent: { username: "demo-agent", role: "agent", district: true },
  doctor: { username: "demo-doctor", role: "doctor", district: false },
  volunteer: { username: "demo-volunteer", role: "volunteer", district: false },
};
const EVERYONE = Object.keys(ACCOUNTS) as Who[];
const withPermission = (p: Permission) =>
  EVERYONE.filter((w) => (PERMISSIONS[p] as string[]).includes(ACCOUNTS[w].role));

/** The records each case points at: `in` is inside every account's scope, `out` inside none below district. */
interface Fixture {
  /** Community affairs: records made at G01 (inside) or the moved G02 (outside). */
  aff: AffairsFixture;
  /** 双报到 · 志愿服务: records made fresh on each side (the volunteer is a confirmed member with legal specialty). */
  vol: VolFixture;
  /** 共享药箱 · 服务阵地 · 活动: records made fresh per request (inside at G01, outside at the other street's community). */
  ma: MaFixture;
  grid: { in: number; out: number };
  community: { in: number; out: number };
  resident: { in: number; out: number };
  keyResident: { in: number; out: number };
  household: { in: number; out: number };
  building: { in: number; out: number };
  order: { in: number; out: number };
  attachment: { in: number; out: number };
  alert: { in: number; out: number };
  referral: { in: number; out: number };
  /** A visit recorded by the grid worker (inside), and one in the other grid; each with a photo. */
  visit: { in: number; out: number };
  visitPhoto: { in: number; out: number };
  category: number;
  categoryCode: string;
  /** A fresh order in the grid, received and not yet dispatched (for actions that change it). */
  freshOrder(where: "in" | "out"): Promise<number>;
  orderVersion(id: number): Promise<number>;
  hospital: string;
  hospitals: unknown[];
  doctorId: number;
  /** A grid worker's account in the grid (inside), and the other grid's worker (outside). */
  worker: { in: number; out: number };
  emptyLedger: Buffer;
  /** A new Open311 key for the unit, made by the district. */
  freshKey(where: "in" | "out"): Promise<number>;
  /** A new 上级交办 link delivering into the unit, made by the district. */
  freshLink(where: "in" | "out"): Promise<number>;
  /** A GeoJSON import for the community: one of its own grids with the area it already has. */
  areas(where: Where): Promise<unknown>;
  residentVersion(id: number): Promise<number>;
  /** A finished job started by the account (inside) or by another one (outside: 404 to this one). */
  job(where: Where, who: Who): Promise<number>;
  /** A verification list of 苏阳社区 (inside) or of the other street's community (outside), imported. */
  verificationList: { in: number; out: number };
  /** A fresh list, uploaded and not yet started (for start and cancel). */
  freshVerificationList(where: Where): Promise<number>;
  /** A roster uploaded for 苏阳社区 (inside) or the other street's community (outside), not yet started. */
  freshRoster(where: Where): Promise<number>;
  /** An open roster conflict about the inside or the outside resident. */
  freshRosterConflict(where: Where): Promise<number>;
  /** A verification task on G01 (inside) or on the moved G02 (outside), without an outcome yet. */
  verificationTask(where: Where): Promise<number>;
  /** A hot spot on G01 (inside) or the moved G02 (outside): three orders of one kind, as the governance body. */
  hotSpot(where: Where): Promise<unknown>;
  /** An archived daily report of 苏阳社区 (inside) or of the other street's community (outside). */
  dailyReport: { in: number; out: number };
  /** The demo street (its daily report's recipients). */
  street: number;
  /** 敲门行动: a campaign of 苏阳社区 over G01 (inside) and one of the other street's community over the moved G02. */
  campaign: { in: number; out: number };
  /** A household of each campaign held by that grid's worker (inside: the demo grid worker). */
  campaignHousehold: { in: number; out: number };
  /** A photo of a record in each campaign. */
  campaignPhoto: { in: number; out: number };
  /** A fresh record for the household (a new client id each time). */
  campaignRecord(w: Where): Record<string, unknown>;
  /** An uploaded target list of each side (苏阳社区's, the other street's community's). */
  campaignUpload: { in: number; out: number };
  /** A care tag proposed (from a door-knock) for a household of each side; fresh for each request. */
  freshTagProposal(w: Where): Promise<number>;
}

type Where = "in" | "out";
interface MaFixture {
  point(w: Where): Promise<number>;
  box(w: Where): Promise<number>;
  stock(w: Where, opts?: { prescription?: boolean }): Promise<number>;
  request(w: Where, state: string, opts?: { claimedBy?: Who; prescription?: boolean }): Promise<number>;
  event(w: Where, opts?: { now?: boolean }): Promise<number>;
  signup(eventId: number, w: Where): Promise<{ id: number; residentId: number }>;
  resident(w: Where): Promise<number>;
  notice(w: Where): Promise<number>;
}
interface VolFixture {
  member(w: Where, state?: string): Promise<number>;
  task(
    w: Where,
    opts?: { ended?: boolean; claim?: "claimed" | "in" | "out"; future?: boolean },
  ): Promise<number>;
  token(taskId: number): Promise<string>;
  claimOut(w: Where): Promise<number>;
  item: { in: number; out: number };
  redemption: { in: number; out: number };
  /** An award of 5 points to the fixture's member (inside) and to a member of the other street's community. */
  award: { in: number; out: number };
  wish(w: Where, state: string, mine?: boolean, photo?: boolean): Promise<number>;
  request(w: Where, state: string): Promise<number>;
  myMemberId: number;
  callOut: { in: number; out: number };
  /** A fresh team: inside, of 苏阳社区 with the demo volunteer as secretary; outside, of the other street's community. */
  team(w: Where): Promise<number>;
  /** A fresh confirmed member of the team's community, on its roll. */
  onRoll(teamId: number, w: Where): Promise<number>;
}
interface Req {
  url: string;
  body?: unknown;
  raw?: { type: string; data: Buffer };
}
interface Entry {
  /** Who may call it; everyone else gets 403. */
  allow: Who[];
  /** The request for a record inside (and, when the route names a record or a unit, outside) the scope. */
  req: (f: Fixture, where: Where, who: Who) => Req | Promise<Req>;
  /** The route names no record or unit: there is no "outside" to ask for. */
  unscoped?: boolean;
  /** A call that ends its own session (logout) gets a session of its own. */
  ownSession?: boolean;
  /** Outside the scope, the answer a unit or record that does not exist gets (400 when it is a body field). */
  hiddenAs?: number;
  /** Accounts that hold the permission but sit below the unit the request names (a grid worker asking
   * for its community's settings): for them the "inside" request is outside too, and answers 404. */
  below?: Who[];
  /** Statuses that also count as being let through (a state conflict after another role acted first). */
  alsoOk?: number[];
}

const PNG_1x1 = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
const staff = withPermission("order.read");
/** Settings and rosters of a community: kept at community level and above, not by one grid's worker. */
const COMMUNITY_LEVEL = (p: Permission) => withPermission(p).filter((w) => w !== "grid");
const GRID_BELOW: Pick<Entry, "below"> = { below: ["grid"] };
/** Tasks, wishes, 点单, rankings: staff who read the roll, and members (who see the wall's masked text). */
const VOL_BROWSE = [...new Set([...withPermission("volunteer.read"), ...withPermission("volunteer.self")])];
/** A community's rules and teams: the community and the levels above it. */
const VOL_GOVERN: Who[] = ["commander", "street", "community"];
/** A team's roll: kept by the community (and above) and by the team's own secretary, a member. */
const VOL_ROLL: Who[] = [...VOL_GOVERN, "volunteer"];
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const AFF_READ = withPermission("affairs.read");
const AFF_MANAGE = withPermission("affairs.manage");
const AFF_INSPECT = withPermission("inspection.perform");

const TABLE: Record<string, Entry> = {
  "GET /api/me": { allow: EVERYONE, unscoped: true, req: () => ({ url: "/api/me" }) },
  "GET /api/orgs": {
    allow: withPermission("org.read"),
    req: (f, w) => ({ url: `/api/orgs?parent=${f.grid[w]}` }),
  },
  "GET /api/orgs/:id": {
    allow: withPermission("org.read"),
    req: (f, w) => ({ url: `/api/orgs/${f.grid[w]}` }),
  },
  // A unit's counts of residents and key residents are for staff, not for volunteers.
  "GET /api/orgs/:id/stats": {
    allow: withPermission("resident.read"),
    req: (f, w) => ({ url: `/api/orgs/${f.grid[w]}/stats` }),
  },
  "GET /api/residents": {
    allow: withPermission("resident.read"),
    req: (f, w) => ({ url: `/api/residents?org=${f.grid[w]}` }),
  },
  "POST /api/residents": {
    allow: withPermission("resident.write"),
    hiddenAs: 400,
    alsoOk: [409],
    req: (f, w) => ({
      url: "/api/residents",
      body: {
        name: "测试居民",
        idNumber: composeIdCard("320602", "1990-01-01", w === "in" ? 901 : 903),
        householdId: f.household[w],
      },
    }),
  },
  "GET /api/residents/export": {
    allow: withPermission("resident.export"),
    req: (f, w) => ({ url: `/api/residents/export?org=${f.grid[w]}` }),
  },
  "GET /api/residents/:id": {
    allow: withPermission("resident.read"),
    req: (f, w) => ({ url: `/api/residents/${f.resident[w]}` }),
  },
  // A community's roster into the registry: whoever keeps the registry, for the community (a grid worker
  // sits below it).
  "POST /api/residents/rosters": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("resident.write"),
    req: (f, w) => ({
      url: `/api/residents/rosters?org=${f.community[w]}&filename=r.csv`,
      raw: { type: "text/csv", data: Buffer.from("姓名,身份证号\n张三,320613195603041230\n") },
    }),
  },
  "GET /api/residents/rosters": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("resident.write"),
    req: (f, w) => ({ url: `/api/residents/rosters?org=${f.community[w]}` }),
  },
  "POST /api/residents/rosters/:id/cancel": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("resident.write"),
    req: async (f, w) => ({ url: `/api/residents/rosters/${await f.freshRoster(w)}/cancel` }),
  },
  "GET /api/residents/rosters/:id": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("resident.write"),
    req: async (f, w) => ({ url: `/api/residents/rosters/${await f.freshRoster(w)}` }),
  },
  "GET /api/residents/rosters/:id/preview": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("resident.write"),
    req: async (f, w) => ({ url: `/api/residents/rosters/${await f.freshRoster(w)}/preview` }),
  },
  "POST /api/residents/rosters/:id/start": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("resident.write"),
    req: async (f, w) => ({
      url: `/api/residents/rosters/${await f.freshRoster(w)}/start`,
      body: { headerRow: 1, mapping: { name: 0, idNumber: 1 } },
    }),
  },
  "GET /api/residents/rosters/:id/flagged.xlsx": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("resident.write"),
    req: async (f, w) => ({ url: `/api/residents/rosters/${await f.freshRoster(w)}/flagged.xlsx` }),
  },
  "GET /api/residents/rosters/:id/conflicts": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("resident.write"),
    req: async (f, w) => ({ url: `/api/residents/rosters/${await f.freshRoster(w)}/conflicts` }),
  },
  "POST /api/residents/roster-conflicts/:id/decide": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("resident.write"),
    req: async (f, w) => ({
      url: `/api/residents/roster-conflicts/${await f.freshRosterConflict(w)}/decide`,
      body: { choice: "registry" },
    }),
  },
  "PATCH /api/residents/:id": {
    allow: withPermission("resident.write"),
    req: async (f, w) => ({
      url: `/api/residents/${f.resident[w]}`,
      body: { version: await f.residentVersion(f.resident[w]), livingArrangement: "with_family" },
    }),
  },
  "POST /api/residents/:id/reveal": {
    allow: withPermission("resident.reveal"),
    req: (f, w) => ({
      url: `/api/residents/${f.resident[w]}/reveal`,
      body: { field: "phone", reason: "回访核实身份" },
    }),
  },
  "GET /api/households/:id": {
    allow: withPermission("resident.read"),
    req: (f, w) => ({ url: `/api/households/${f.household[w]}` }),
  },
  "GET /api/buildings/:id": {
    allow: withPermission("resident.read"),
    req: (f, w) => ({ url: `/api/buildings/${f.building[w]}` }),
  },
  "GET /api/buildings": {
    allow: withPermission("resident.read"),
    req: (f, w) => ({ url: `/api/buildings?org=${f.grid[w]}` }),
  },
  "GET /api/audit": {
    allow: withPermission("audit.read"),
    unscoped: true,
    req: () => ({ url: "/api/audit" }),
  },
  "GET /api/categories": { allow: staff, unscoped: true, req: () => ({ url: "/api/categories" }) },
  "POST /api/categories": {
    allow: withPermission("category.manage").filter((w) => ACCOUNTS[w].district),
    unscoped: true,
    alsoOk: [409],
    req: () => ({
      url: "/api/categories",
      body: { code: "access_test", name: "权限测试", slaPolicy: "12345", ownerRole: "grid_worker" },
    }),
  },
  "PATCH /api/categories/:id": {
    allow: withPermission("category.manage").filter((w) => ACCOUNTS[w].district),
    unscoped: true,
    req: (f) => ({ url: `/api/categories/${f.category}`, body: { department: "社区居委会" } }),
  },
  "POST /api/orders": {
    allow: withPermission("order.create"),
    // The grid is a field of the body: outside the scope it is refused as that field, as a unit that
    // does not exist is.
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/orders",
      body: {
        channel: "hotline_12345",
        categoryCode: f.categoryCode,
        description: "楼道灯不亮",
        orgUnitId: f.grid[w],
        dispatch: false,
      },
    }),
  },
  // The desk's lookups search within the caller's subtree: a building elsewhere finds nothing.
  "GET /api/intake/callers": {
    allow: withPermission("order.create"),
    unscoped: true,
    req: () => ({ url: `/api/intake/callers?q=${encodeURIComponent("王")}` }),
  },
  "GET /api/intake/buildings": {
    allow: withPermission("order.create"),
    unscoped: true,
    req: () => ({ url: `/api/intake/buildings?q=${encodeURIComponent("苏阳 1")}` }),
  },
  "GET /api/intake/duplicates": {
    allow: withPermission("order.create"),
    unscoped: true,
    req: (f) => ({ url: `/api/intake/duplicates?buildingId=${f.building.in}` }),
  },
  "GET /api/orders": {
    allow: staff,
    req: (f, w) => ({ url: `/api/orders?org=${f.grid[w]}&page=1&pageSize=20` }),
  },
  "GET /api/orders/queue": { allow: staff, unscoped: true, req: () => ({ url: "/api/orders/queue" }) },
  "GET /api/orders/:id": { allow: staff, req: (f, w) => ({ url: `/api/orders/${f.order[w]}` }) },
  "GET /api/orders/:id/duplicates": {
    allow: staff,
    req: (f, w) => ({ url: `/api/orders/${f.order[w]}/duplicates` }),
  },
  "POST /api/orders/:id/actions/:action": {
    // Cancelling a call taken in error: the desk, the command center and the community office.
    allow: ["commander", "street", "community", "agent"],
    req: async (f, w) => {
      const id = await f.freshOrder(w);
      return {
        url: `/api/orders/${id}/actions/cancel`,
        body: { version: await f.orderVersion(id), reason: "重复来电" },
      };
    },
  },
  "POST /api/orders/:id/attachments": {
    // A doctor acts only on care orders of residents they are contracted to.
    allow: staff.filter((w) => w !== "doctor"),
    req: (f, w) => ({
      url: `/api/orders/${f.order[w]}/attachments?filename=p.png`,
      raw: { type: "image/png", data: PNG_1x1 },
    }),
  },
  "GET /api/orders/:id/attachments": {
    allow: staff,
    req: (f, w) => ({ url: `/api/orders/${f.order[w]}/attachments` }),
  },
  "GET /api/attachments/:id": {
    allow: staff,
    req: (f, w) => ({ url: `/api/attachments/${f.attachment[w]}` }),
  },
  "GET /api/notifications": {
    allow: withPermission("notification.read"),
    unscoped: true,
    req: () => ({ url: "/api/notifications?limit=20" }),
  },
  "GET /api/rates": {
    allow: withPermission("rates.read"),
    req: (f, w) => ({ url: `/api/rates?org=${f.community[w]}&from=2026-10-01&to=2026-10-31` }),
  },
  "GET /api/rates/ranking": {
    allow: withPermission("rates.read"),
    unscoped: true,
    req: () => ({ url: "/api/rates/ranking?month=2026-10" }),
  },
  "GET /api/rates/weights": {
    allow: withPermission("rates.read"),
    unscoped: true,
    req: () => ({ url: "/api/rates/weights" }),
  },
  "PUT /api/rates/weights": {
    // District-wide settings are kept by the district; streets read them.
    allow: withPermission("rates.read").filter((w) => ACCOUNTS[w].district),
    unscoped: true,
    req: () => ({ url: "/api/rates/weights", body: { response_rate: 0.2 } }),
  },
  // 指挥中心: counts only, for commanders and a community admin on their own unit.
  "GET /api/command/dashboard": {
    allow: withPermission("command.read"),
    req: (f, w) => ({ url: `/api/command/dashboard?org=${f.community[w]}` }),
  },
  // The city scope: a commander at the top of the tree. This app has no city database (CITY_DATABASE_URL), so
  // the allowed answer is 404; test/integration/city.test.ts reads it with one.
  "GET /api/command/city": {
    allow: withPermission("command.city").filter((w) => ACCOUNTS[w].district),
    unscoped: true,
    alsoOk: [404],
    req: () => ({ url: "/api/command/city?month=2026-11" }),
  },
  // Without Accept: text/event-stream the live route answers its change count (a stream never ends).
  "GET /api/command/live": {
    allow: withPermission("command.read"),
    req: (f, w) => ({ url: `/api/command/live?org=${f.community[w]}` }),
  },
  "GET /api/command/daily-report": {
    allow: withPermission("command.read"),
    req: (f, w) => ({ url: `/api/command/daily-report?org=${f.community[w]}&format=xlsx` }),
  },
  "GET /api/command/hotspots": {
    allow: withPermission("command.read"),
    req: (f, w) => ({ url: `/api/command/hotspots?org=${f.community[w]}` }),
  },
  "GET /api/command/map": {
    allow: withPermission("command.read"),
    req: (f, w) => ({ url: `/api/command/map?org=${f.community[w]}` }),
  },
  // 未诉先办: a commander or the community turns a hot spot in its unit into an order (once: then 409).
  "POST /api/command/hotspots/governance": {
    allow: withPermission("command.read").filter((w) => withPermission("order.create").includes(w)),
    alsoOk: [409],
    req: async (f, w) => ({ url: "/api/command/hotspots/governance", body: await f.hotSpot(w) }),
  },
  "GET /api/command/reports": {
    allow: withPermission("command.read"),
    req: (f, w) => ({ url: `/api/command/reports?org=${f.community[w]}` }),
  },
  "GET /api/command/reports/:id": {
    allow: withPermission("command.read"),
    req: (f, w) => ({ url: `/api/command/reports/${f.dailyReport[w]}?format=xlsx` }),
  },
  "GET /api/command/report-recipients": {
    allow: withPermission("command.read"),
    req: (f, w) => ({ url: `/api/command/report-recipients?org=${f.community[w]}` }),
  },
  // Who receives the daily report is a district-wide setting; streets read it.
  "PUT /api/command/report-recipients": {
    allow: withPermission("command.read").filter((w) => ACCOUNTS[w].district),
    unscoped: true,
    req: (f) => ({ url: "/api/command/report-recipients", body: { org: f.street, accountIds: [] } }),
  },
  // 重点人群关爱: the ledger and plans are care.read/care.write/care.assign/care.manage; health data health.*.
  "GET /api/care/ledger/summary": {
    allow: withPermission("care.read"),
    req: (f, w) => ({ url: `/api/care/ledger/summary?org=${f.grid[w]}` }),
  },
  "GET /api/care/ledger": {
    allow: withPermission("care.read"),
    req: (f, w) => ({ url: `/api/care/ledger?org=${f.grid[w]}` }),
  },
  // The ledger leaves the system only with those who may export residents.
  "GET /api/care/ledger/export": {
    allow: withPermission("resident.export"),
    req: (f, w) => ({ url: `/api/care/ledger/export?org=${f.grid[w]}` }),
  },
  "POST /api/care/ledger/import": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("care.manage"),
    // A ledger without rows is read and refused (422), or queued (202): either way the caller got through.
    alsoOk: [202, 422],
    req: (f, w) => ({
      url: `/api/care/ledger/import?org=${f.community[w]}&filename=l.xlsx`,
      raw: { type: XLSX, data: f.emptyLedger },
    }),
  },
  // A background job is seen by the account that started it, and by nobody else.
  "GET /api/jobs/:id": {
    allow: EVERYONE,
    req: async (f, w, who) => ({ url: `/api/jobs/${await f.job(w, who)}` }),
  },
  // Lists are a district, street or community admin's; a grid worker or grid head records the outcomes.
  "POST /api/verification/lists": {
    allow: withPermission("verification.manage"),
    hiddenAs: 400,
    req: (f, w) => ({
      url: `/api/verification/lists?org=${f.community[w]}&filename=l.csv`,
      raw: { type: "text/csv", data: Buffer.from("姓名,身份证号\n张三,320613195603041230\n") },
    }),
  },
  "GET /api/verification/lists": {
    allow: withPermission("verification.manage"),
    unscoped: true,
    req: () => ({ url: "/api/verification/lists" }),
  },
  "GET /api/verification/lists/:id": {
    allow: withPermission("verification.manage"),
    req: (f, w) => ({ url: `/api/verification/lists/${f.verificationList[w]}` }),
  },
  "GET /api/verification/lists/:id/preview": {
    allow: withPermission("verification.manage"),
    req: (f, w) => ({ url: `/api/verification/lists/${f.verificationList[w]}/preview` }),
  },
  "POST /api/verification/lists/:id/start": {
    allow: withPermission("verification.manage"),
    req: async (f, w) => ({
      url: `/api/verification/lists/${await f.freshVerificationList(w)}/start`,
      body: { headerRow: 1, mapping: { name: 0, idNumber: 1 } },
    }),
  },
  "POST /api/verification/lists/:id/cancel": {
    allow: withPermission("verification.manage"),
    req: async (f, w) => ({ url: `/api/verification/lists/${await f.freshVerificationList(w)}/cancel` }),
  },
  "GET /api/verification/lists/:id/summary": {
    allow: withPermission("verification.manage"),
    req: (f, w) => ({ url: `/api/verification/lists/${f.verificationList[w]}/summary` }),
  },
  "GET /api/verification/lists/:id/rows": {
    allow: withPermission("verification.manage"),
    req: (f, w) => ({ url: `/api/verification/lists/${f.verificationList[w]}/rows?class=found` }),
  },
  "GET /api/verification/lists/:id/grids": {
    allow: withPermission("verification.manage"),
    req: (f, w) => ({ url: `/api/verification/lists/${f.verificationList[w]}/grids` }),
  },
  "GET /api/verification/lists/:id/batches": {
    allow: withPermission("verification.manage"),
    req: (f, w) => ({ url: `/api/verification/lists/${f.verificationList[w]}/batches` }),
  },
  // The outcome sheet is the grid's and the community's (those who record outcomes), for lists they see.
  "GET /api/verification/lists/:id/outcome-sheet": {
    allow: withPermission("verification.task"),
    req: (f, w) => ({ url: `/api/verification/lists/${f.verificationList[w]}/outcome-sheet` }),
  },
  "POST /api/verification/lists/:id/outcome-sheet": {
    allow: withPermission("verification.task"),
    req: (f, w) => ({
      url: `/api/verification/lists/${f.verificationList[w]}/outcome-sheet`,
      raw: { type: "text/csv", data: Buffer.from("任务编号,核查结果,备注\n") },
    }),
  },
  "GET /api/verification/lists/:id/export": {
    allow: withPermission("verification.manage"),
    req: (f, w) => ({ url: `/api/verification/lists/${f.verificationList[w]}/export?flagged=true` }),
  },
  "GET /api/verification/tasks": {
    allow: withPermission("verification.task"),
    unscoped: true,
    req: () => ({ url: "/api/verification/tasks?open=true" }),
  },
  "POST /api/verification/tasks/:id/outcome": {
    allow: withPermission("verification.task"),
    req: async (f, w) => ({
      url: `/api/verification/tasks/${await f.verificationTask(w)}/outcome`,
      body: { outcome: "at_home", note: "在家" },
    }),
  },
  "GET /api/care/residents/:id/tags": {
    allow: withPermission("care.read"),
    req: (f, w) => ({ url: `/api/care/residents/${f.keyResident[w]}/tags` }),
  },
  "POST /api/care/residents/:id/tags": {
    allow: withPermission("care.write"),
    alsoOk: [409],
    req: (f, w) => ({
      url: `/api/care/residents/${f.keyResident[w]}/tags`,
      body: { tag: "low_income", note: "民政名单" },
    }),
  },
  "DELETE /api/care/residents/:id/tags/:tag": {
    allow: withPermission("care.write"),
    alsoOk: [404],
    req: (f, w) => ({
      url: `/api/care/residents/${f.keyResident[w]}/tags/low_income?note=${encodeURIComponent("已脱贫")}`,
    }),
  },
  "GET /api/care/residents/:id/plan": {
    allow: withPermission("care.read"),
    req: (f, w) => ({ url: `/api/care/residents/${f.keyResident[w]}/plan` }),
  },
  // How often a key resident is visited is care work; who visits (worker, doctor) is care.assign.
  "PUT /api/care/residents/:id/plan": {
    allow: withPermission("care.write"),
    req: (f, w) => ({
      url: `/api/care/residents/${f.keyResident[w]}/plan`,
      body: { frequencyOverride: null },
    }),
  },
  "GET /api/care/staff": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("care.read"),
    req: (f, w) => ({ url: `/api/care/staff?org=${f.community[w]}` }),
  },
  "GET /api/care/visits/due": {
    allow: withPermission("care.read"),
    req: (f, w) => ({ url: `/api/care/visits/due?org=${f.grid[w]}` }),
  },
  "GET /api/care/config/:communityId": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("care.read"),
    req: (f, w) => ({ url: `/api/care/config/${f.community[w]}` }),
  },
  "PUT /api/care/config/:communityId": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("care.manage"),
    req: (f, w) => ({ url: `/api/care/config/${f.community[w]}`, body: {} }),
  },
  "POST /api/care/visits": {
    allow: withPermission("care.write"),
    req: (f, w, who) => ({
      url: "/api/care/visits",
      body: {
        clientId: `access-${w}-${who}-${Date.now()}`,
        residentId: f.keyResident[w],
        kind: "phone",
        visitedAt: new Date(Date.now() - 3_600_000).toISOString(),
        durationMinutes: 10,
        findings: "电话问候，一切正常",
      },
    }),
  },
  // A visit's findings are read as health data.
  "GET /api/care/residents/:id/visits": {
    allow: withPermission("health.read"),
    req: (f, w) => ({ url: `/api/care/residents/${f.keyResident[w]}/visits` }),
  },
  "GET /api/care/residents/:id/health": {
    allow: withPermission("health.read"),
    req: (f, w) => ({ url: `/api/care/residents/${f.keyResident[w]}/health` }),
  },
  "GET /api/care/alerts": {
    allow: withPermission("health.read"),
    req: (f, w) => ({ url: `/api/care/alerts?org=${f.grid[w]}` }),
  },
  // Photos are added by whoever recorded the visit (or the community's admin): not by a doctor.
  "POST /api/care/visits/:id/photos": {
    allow: withPermission("care.write").filter((w) => w !== "doctor"),
    req: (f, w) => ({
      url: `/api/care/visits/${f.visit[w]}/photos`,
      raw: { type: "image/png", data: PNG_1x1 },
    }),
  },
  // A visit's photos are read as health data.
  "GET /api/care/visits/:id/photos": {
    allow: withPermission("health.read"),
    req: (f, w) => ({ url: `/api/care/visits/${f.visit[w]}/photos` }),
  },
  "GET /api/care/photos/:id": {
    allow: withPermission("health.read"),
    req: (f, w) => ({ url: `/api/care/photos/${f.visitPhoto[w]}` }),
  },
  "POST /api/care/alerts/:id/ack": {
    allow: withPermission("health.write"),
    alsoOk: [409],
    req: (f, w) => ({ url: `/api/care/alerts/${f.alert[w]}/ack`, body: { note: "已电话联系" } }),
  },
  "POST /api/care/contracts": {
    allow: withPermission("health.write"),
    alsoOk: [409],
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/care/contracts",
      body: {
        residentId: f.keyResident[w],
        doctorId: f.doctorId,
        servicePackage: "basic",
        start: "2026-12-01",
        end: "2027-11-30",
      },
    }),
  },
  "POST /api/care/consultations": {
    allow: withPermission("health.write"),
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/care/consultations",
      body: { residentId: f.keyResident[w], mode: "phone", summary: "血压平稳" },
    }),
  },
  "GET /api/care/hospitals": {
    allow: withPermission("care.read"),
    unscoped: true,
    req: () => ({ url: "/api/care/hospitals" }),
  },
  // The referral hospitals are one list for the district, kept by its system admin (no demo account).
  "PUT /api/care/hospitals": {
    allow: [],
    unscoped: true,
    req: (f) => ({ url: "/api/care/hospitals", body: { items: f.hospitals } }),
  },
  "POST /api/care/referrals": {
    allow: withPermission("health.write"),
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/care/referrals",
      body: { residentId: f.keyResident[w], hospital: f.hospital, reason: "血压控制不佳" },
    }),
  },
  "GET /api/care/referrals": {
    allow: withPermission("health.read"),
    req: (f, w) => ({ url: `/api/care/referrals?org=${f.grid[w]}` }),
  },
  "GET /api/care/referrals/:id": {
    allow: withPermission("health.read"),
    req: (f, w) => ({ url: `/api/care/referrals/${f.referral[w]}` }),
  },
  "POST /api/care/referrals/:id/actions/:action": {
    // Withdrawing a request the hospital has not taken yet: the doctor or the community.
    allow: ["community", "doctor"],
    alsoOk: [409],
    req: (f, w) => ({
      url: `/api/care/referrals/${f.referral[w]}/actions/cancel`,
      body: { note: "家属已自行就医" },
    }),
  },
  "GET /api/care/teams/:communityId": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("care.read"),
    req: (f, w) => ({ url: `/api/care/teams/${f.community[w]}` }),
  },
  "POST /api/care/teams/:communityId/members": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("care.manage"),
    req: (f, w, who) => ({
      url: `/api/care/teams/${f.community[w]}/members`,
      body: { teamRole: "volunteer", name: `队员${who}`, phone: "13900001111" },
    }),
  },
  "PUT /api/care/teams/:communityId/roster": {
    ...GRID_BELOW,
    allow: COMMUNITY_LEVEL("care.manage"),
    req: (f, w) => ({
      url: `/api/care/teams/${f.community[w]}/roster`,
      body: { from: "2026-12-01", to: "2026-12-07", entries: [] },
    }),
  },
  "GET /api/care/residents/:id/card.pdf": {
    allow: withPermission("care.read"),
    req: (f, w) => ({ url: `/api/care/residents/${f.keyResident[w]}/card.pdf` }),
  },
  // Before printing: which cards of a grid would carry "—" where a number belongs.
  "GET /api/care/cards/check": {
    allow: withPermission("care.read"),
    req: (f, w) => ({ url: `/api/care/cards/check?grid=${f.grid[w]}` }),
  },
  // Staff work phones: set by whoever keeps the community's care team, read in full by those who call
  // colleagues (with a reason); a community's hotline is kept by the community.
  "PUT /api/accounts/:id/work-phone": {
    allow: EVERYONE.filter(
      (w) =>
        (PERMISSIONS["care.manage"] as string[]).includes(ACCOUNTS[w].role) ||
        (PERMISSIONS["account.manage"] as string[]).includes(ACCOUNTS[w].role),
    ),
    req: (f, w) => ({ url: `/api/accounts/${f.worker[w]}/work-phone`, body: { workPhone: "13962810001" } }),
  },
  "POST /api/accounts/:id/reveal": {
    allow: withPermission("resident.reveal"),
    req: (f, w) => ({
      url: `/api/accounts/${f.worker[w]}/reveal`,
      body: { field: "workPhone", reason: "联系网格员核实走访" },
    }),
  },
  "PUT /api/orgs/:id/duty-phone": {
    allow: EVERYONE.filter((w) => (PERMISSIONS["care.manage"] as string[]).includes(ACCOUNTS[w].role)),
    req: (f, w) => ({ url: `/api/orgs/${f.community[w]}/duty-phone`, body: { dutyPhone: "0513-85550000" } }),
  },
  "GET /api/care/cards.pdf": {
    allow: withPermission("care.read"),
    req: (f, w) => ({ url: `/api/care/cards.pdf?grid=${f.grid[w]}` }),
  },
  // Open311 keys speak for a unit: handed out by the district or a street, for units in its subtree.
  "POST /api/open311/keys": {
    allow: withPermission("open311.manage"),
    req: (f, w) => ({ url: "/api/open311/keys", body: { name: "权限测试平台", orgUnitId: f.community[w] } }),
  },
  "GET /api/open311/keys": {
    allow: withPermission("open311.manage"),
    unscoped: true,
    req: () => ({ url: "/api/open311/keys" }),
  },
  // 上级交办 links deliver into a unit in the caller's subtree; the list shows the caller's subtree's links.
  "POST /api/open311/upstream": {
    allow: withPermission("open311.manage"),
    req: (f, w) => ({
      url: "/api/open311/upstream",
      body: {
        name: "权限测试12345",
        baseUrl: "http://127.0.0.1:9/open311/v2",
        apiKey: "k",
        jurisdictionId: `J${crypto.randomBytes(6).toString("hex")}`,
        orgUnitId: f.community[w],
        defaultCategory: f.categoryCode,
      },
    }),
  },
  "PATCH /api/open311/upstream/:id": {
    allow: withPermission("open311.manage"),
    req: async (f, w) => ({
      url: `/api/open311/upstream/${await f.freshLink(w)}`,
      body: { pollIntervalMinutes: 5, enabled: false },
    }),
  },
  "GET /api/open311/upstream": {
    allow: withPermission("open311.manage"),
    unscoped: true,
    req: () => ({ url: "/api/open311/upstream" }),
  },
  "PUT /api/orgs/:id/areas": {
    allow: withPermission("org.area"),
    req: async (f, w) => ({ url: `/api/orgs/${f.community[w]}/areas`, body: await f.areas(w) }),
  },
  "DELETE /api/open311/keys/:id": {
    allow: withPermission("open311.manage"),
    alsoOk: [409],
    req: async (f, w) => ({ url: `/api/open311/keys/${await f.freshKey(w)}` }),
  },
  // 节假日安排: every staff role reads them; the district keeps them.
  "GET /api/holidays": {
    allow: withPermission("holiday.read"),
    unscoped: true,
    req: () => ({ url: "/api/holidays?year=2027" }),
  },
  "GET /api/holidays/coverage": {
    allow: withPermission("holiday.read"),
    unscoped: true,
    req: () => ({ url: "/api/holidays/coverage" }),
  },
  "PUT /api/holidays/:day": {
    allow: withPermission("holiday.manage").filter((w) => ACCOUNTS[w].district),
    unscoped: true,
    req: () => ({ url: "/api/holidays/2027-10-01", body: { kind: "holiday", name: "国庆节" } }),
  },
  "DELETE /api/holidays/:day": {
    allow: withPermission("holiday.manage").filter((w) => ACCOUNTS[w].district),
    unscoped: true,
    alsoOk: [404],
    req: () => ({ url: "/api/holidays/2027-10-01" }),
  },
  "POST /api/holidays/import": {
    allow: withPermission("holiday.manage").filter((w) => ACCOUNTS[w].district),
    unscoped: true,
    req: () => ({
      url: "/api/holidays/import",
      raw: { type: "text/csv", data: Buffer.from("2027-10-01,2027-10-07,国庆节,休\n") },
    }),
  },
  // 共享药箱 · 服务阵地 · 活动 (the resident app's /api/app/ routes are public to this gate and guard themselves:
  // src/server/modules/mutualAid/mutualAid.test.ts walks them).
  "GET /api/mutual-aid/boxes": {
    allow: withPermission("mutualaid.read"),
    unscoped: true,
    req: () => ({ url: "/api/mutual-aid/boxes" }),
  },
  "POST /api/mutual-aid/boxes": {
    allow: withPermission("medicine.stock"),
    hiddenAs: 400,
    req: async (f, w) => ({
      url: "/api/mutual-aid/boxes",
      body: { servicePointId: await f.ma.point(w), name: "权限测试药箱" },
    }),
  },
  "GET /api/mutual-aid/boxes/:id": {
    allow: withPermission("mutualaid.read"),
    req: async (f, w) => ({ url: `/api/mutual-aid/boxes/${await f.ma.box(w)}` }),
  },
  "POST /api/mutual-aid/boxes/:id/donations": {
    allow: withPermission("medicine.stock"),
    req: async (f, w) => ({
      url: `/api/mutual-aid/boxes/${await f.ma.box(w)}/donations`,
      body: {
        medicineName: "权限测试药",
        spec: "10片",
        batch: "P1",
        expiresOn: new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10),
        quantity: 5,
        prescription: false,
      },
    }),
  },
  "POST /api/mutual-aid/boxes/:id/dispose-expired": {
    allow: withPermission("medicine.stock"),
    req: async (f, w) => ({ url: `/api/mutual-aid/boxes/${await f.ma.box(w)}/dispose-expired` }),
  },
  "POST /api/mutual-aid/stock/:id/dispense": {
    allow: withPermission("medicine.stock"),
    req: async (f, w) => ({
      url: `/api/mutual-aid/stock/${await f.ma.stock(w)}/dispense`,
      body: { quantity: 1 },
    }),
  },
  "GET /api/mutual-aid/stock/expiring": {
    allow: withPermission("mutualaid.read"),
    unscoped: true,
    req: () => ({ url: "/api/mutual-aid/stock/expiring?days=30" }),
  },
  "GET /api/mutual-aid/medicines": {
    allow: withPermission("mutualaid.read"),
    unscoped: true,
    req: () => ({ url: `/api/mutual-aid/medicines?q=${encodeURIComponent("布洛芬")}` }),
  },
  "GET /api/mutual-aid/requests": {
    allow: withPermission("mutualaid.read"),
    unscoped: true,
    req: () => ({ url: "/api/mutual-aid/requests?open=true" }),
  },
  "POST /api/mutual-aid/requests": {
    allow: withPermission("medicine.request"),
    hiddenAs: 400,
    req: async (f, w) => ({
      url: "/api/mutual-aid/requests",
      body: { residentId: await f.ma.resident(w), medicineName: "对乙酰氨基酚片", quantity: 1 },
    }),
  },
  "GET /api/mutual-aid/requests/:id": {
    allow: withPermission("mutualaid.read"),
    req: async (f, w) => ({ url: `/api/mutual-aid/requests/${await f.ma.request(w, "matched")}` }),
  },
  "POST /api/mutual-aid/requests/:id/match": {
    allow: withPermission("medicine.request"),
    req: async (f, w) => ({ url: `/api/mutual-aid/requests/${await f.ma.request(w, "requested")}/match` }),
  },
  "POST /api/mutual-aid/requests/:id/approve": {
    allow: withPermission("medicine.approve"),
    req: async (f, w) => ({
      url: `/api/mutual-aid/requests/${await f.ma.request(w, "matched", { prescription: true })}/approve`,
    }),
  },
  "POST /api/mutual-aid/requests/:id/claim": {
    allow: withPermission("medicine.deliver"),
    req: async (f, w) => ({ url: `/api/mutual-aid/requests/${await f.ma.request(w, "matched")}/claim` }),
  },
  "POST /api/mutual-aid/requests/:id/deliver": {
    allow: withPermission("medicine.deliver"),
    req: async (f, w, who) => ({
      url: `/api/mutual-aid/requests/${await f.ma.request(w, "claimed", { claimedBy: who })}/deliver`,
    }),
  },
  "POST /api/mutual-aid/requests/:id/confirm": {
    allow: withPermission("medicine.request"),
    req: async (f, w) => ({ url: `/api/mutual-aid/requests/${await f.ma.request(w, "delivered")}/confirm` }),
  },
  "POST /api/mutual-aid/requests/:id/cancel": {
    allow: withPermission("medicine.request"),
    req: async (f, w) => ({
      url: `/api/mutual-aid/requests/${await f.ma.request(w, "matched")}/cancel`,
      body: { reason: "居民已自行购药" },
    }),
  },
  "GET /api/mutual-aid/points": {
    allow: withPermission("mutualaid.read"),
    unscoped: true,
    req: () => ({ url: "/api/mutual-aid/points" }),
  },
  "POST /api/mutual-aid/points": {
    allow: withPermission("service_point.manage"),
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/mutual-aid/points",
      body: {
        kind: "rest_station",
        name: "权限测试驿站",
        orgUnitId: f.grid[w],
        address: "测试路 1 号",
        hours: "全天",
        services: ["热水"],
      },
    }),
  },
  "POST /api/mutual-aid/points/:id/active": {
    allow: withPermission("service_point.manage"),
    req: async (f, w) => ({
      url: `/api/mutual-aid/points/${await f.ma.point(w)}/active`,
      body: { active: false },
    }),
  },
  "GET /api/mutual-aid/events": {
    allow: withPermission("mutualaid.read"),
    unscoped: true,
    req: () => ({ url: "/api/mutual-aid/events" }),
  },
  "POST /api/mutual-aid/events": {
    allow: withPermission("event.manage"),
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/mutual-aid/events",
      body: {
        kind: "talk",
        title: "权限测试讲座",
        place: "读书角",
        orgUnitId: f.grid[w],
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        endsAt: new Date(Date.now() + 90_000_000).toISOString(),
        capacity: 5,
        audienceTags: [],
      },
    }),
  },
  "GET /api/mutual-aid/events/:id": {
    allow: withPermission("mutualaid.read"),
    req: async (f, w) => ({ url: `/api/mutual-aid/events/${await f.ma.event(w)}` }),
  },
  "POST /api/mutual-aid/events/:id/signups": {
    allow: withPermission("event.signup"),
    req: async (f, w) => ({
      url: `/api/mutual-aid/events/${await f.ma.event(w)}/signups`,
      body: { residentId: await f.ma.resident("in") },
    }),
  },
  "POST /api/mutual-aid/events/:id/cancellations": {
    allow: withPermission("event.signup"),
    req: async (f, w) => {
      const e = await f.ma.event(w);
      const s = await f.ma.signup(e, w);
      return { url: `/api/mutual-aid/events/${e}/cancellations`, body: { residentId: s.residentId } };
    },
  },
  "POST /api/mutual-aid/events/:id/check-ins": {
    allow: withPermission("event.manage"),
    req: async (f, w) => {
      const e = await f.ma.event(w, { now: true });
      const s = await f.ma.signup(e, w);
      return { url: `/api/mutual-aid/events/${e}/check-ins`, body: { signupId: s.id } };
    },
  },
  "GET /api/mutual-aid/notices": {
    allow: withPermission("notice.send"),
    unscoped: true,
    req: () => ({ url: "/api/mutual-aid/notices" }),
  },
  "POST /api/mutual-aid/notices": {
    allow: withPermission("notice.send"),
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/mutual-aid/notices",
      body: {
        title: "权限测试通知",
        template: "{称呼}您好",
        orgUnitId: f.grid[w],
        audience: { kind: "tags", tags: ["nobody_has_this"] },
      },
    }),
  },
  "GET /api/mutual-aid/notices/:id": {
    allow: withPermission("notice.send"),
    req: async (f, w) => ({ url: `/api/mutual-aid/notices/${await f.ma.notice(w)}` }),
  },
  "POST /api/mutual-aid/notices/:id/send": {
    allow: withPermission("notice.send"),
    req: async (f, w) => ({ url: `/api/mutual-aid/notices/${await f.ma.notice(w)}/send` }),
  },
  // 双报到 · 志愿服务.
  "GET /api/volunteers/me": {
    allow: withPermission("volunteer.self"),
    unscoped: true,
    req: () => ({ url: "/api/volunteers/me" }),
  },
  "POST /api/volunteers/me/registration": {
    allow: withPermission("volunteer.self"),
    unscoped: true,
    alsoOk: [409],
    req: () => ({
      url: "/api/volunteers/me/registration",
      body: {
        kind: "volunteer",
        name: "权限测试",
        idNumber: composeIdCard("320602", "1990-01-01", 905),
        skills: [],
        specialties: [],
      },
    }),
  },
  "GET /api/volunteers/ledger": {
    allow: withPermission("volunteer.self"),
    unscoped: true,
    req: () => ({ url: "/api/volunteers/ledger" }),
  },
  "GET /api/volunteers/members": {
    allow: withPermission("volunteer.read"),
    unscoped: true,
    req: () => ({ url: "/api/volunteers/members" }),
  },
  "POST /api/volunteers/members/:id/decision": {
    allow: withPermission("volunteer.manage"),
    req: async (f, w) => ({
      url: `/api/volunteers/members/${await f.vol.member(w, "pending")}/decision`,
      body: { decision: "confirm" },
    }),
  },
  "GET /api/volunteers/members/:id/ledger": {
    allow: COMMUNITY_LEVEL("volunteer.read"),
    // Members belong to their community: a grid worker reads the roll of no community.
    ...GRID_BELOW,
    req: async (f, w) => ({ url: `/api/volunteers/members/${await f.vol.member(w)}/ledger` }),
  },
  "POST /api/volunteers/awards/:id/reverse": {
    allow: withPermission("volunteer.manage"),
    // Reversing twice answers the first reversal again (idempotent), so every role that may gets 200.
    req: (f, w) => ({
      url: `/api/volunteers/awards/${f.vol.award[w]}/reverse`,
      body: { reason: "权限测试" },
    }),
  },
  "GET /api/volunteers/tasks": {
    allow: VOL_BROWSE,
    unscoped: true,
    req: () => ({ url: "/api/volunteers/tasks" }),
  },
  "POST /api/volunteers/tasks": {
    allow: withPermission("volunteer.manage"),
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/volunteers/tasks",
      body: {
        kind: "task",
        title: "权限测试任务",
        place: "网格服务站",
        orgUnitId: f.grid[w],
        startsAt: new Date(Date.now() + 3600_000).toISOString(),
        endsAt: new Date(Date.now() + 7200_000).toISOString(),
        capacity: 3,
        requiredSkills: [],
      },
    }),
  },
  "GET /api/volunteers/tasks/:id": {
    allow: withPermission("volunteer.read"),
    req: async (f, w) => ({ url: `/api/volunteers/tasks/${await f.vol.task(w)}` }),
  },
  "POST /api/volunteers/tasks/:id/claim": {
    allow: withPermission("volunteer.self"),
    req: async (f, w) => ({ url: `/api/volunteers/tasks/${await f.vol.task(w)}/claim` }),
  },
  "POST /api/volunteers/tasks/:id/cancel": {
    allow: withPermission("volunteer.self"),
    req: async (f, w) => ({
      url: `/api/volunteers/tasks/${await f.vol.task(w, { claim: "claimed", future: true })}/cancel`,
    }),
  },
  "POST /api/volunteers/tasks/:id/close": {
    allow: withPermission("volunteer.manage"),
    req: async (f, w) => ({ url: `/api/volunteers/tasks/${await f.vol.task(w, { ended: true })}/close` }),
  },
  "POST /api/volunteers/check-in": {
    allow: withPermission("volunteer.self"),
    hiddenAs: 400,
    req: async (f, w) => ({
      url: "/api/volunteers/check-in",
      body: { token: await f.vol.token(await f.vol.task(w, { claim: "claimed" })) },
    }),
  },
  "POST /api/volunteers/check-out": {
    allow: withPermission("volunteer.self"),
    hiddenAs: 400,
    req: async (f, w) => ({
      url: "/api/volunteers/check-out",
      body: { token: await f.vol.token(await f.vol.task(w, { claim: "in" })) },
    }),
  },
  "POST /api/volunteers/claims/:id/confirm": {
    allow: withPermission("volunteer.manage"),
    req: async (f, w) => ({ url: `/api/volunteers/claims/${await f.vol.claimOut(w)}/confirm`, body: {} }),
  },
  "GET /api/volunteers/catalogue": {
    allow: VOL_BROWSE,
    unscoped: true,
    req: () => ({ url: "/api/volunteers/catalogue" }),
  },
  "POST /api/volunteers/catalogue": {
    allow: withPermission("volunteer.manage"),
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/volunteers/catalogue",
      body: { communityId: f.community[w], kind: "green_card", name: "绿能卡", cost: 5, stock: 10 },
    }),
  },
  "POST /api/volunteers/redemptions": {
    allow: withPermission("volunteer.self"),
    // The fixture's member has no points yet (redeeming is walked through in volunteers.test.ts).
    alsoOk: [409],
    req: (f, w) => ({ url: "/api/volunteers/redemptions", body: { itemId: f.vol.item[w] } }),
  },
  "GET /api/volunteers/redemptions": {
    allow: withPermission("volunteer.read"),
    unscoped: true,
    req: () => ({ url: "/api/volunteers/redemptions" }),
  },
  "POST /api/volunteers/redemptions/:id/reverse": {
    allow: withPermission("volunteer.manage"),
    // The inside redemption was reversed already: the role gets through to the state check.
    alsoOk: [409],
    req: (f, w) => ({
      url: `/api/volunteers/redemptions/${f.vol.redemption[w]}/reverse`,
      body: { reason: "权限测试" },
    }),
  },
  "GET /api/volunteers/leaderboard": {
    allow: VOL_BROWSE,
    req: (f, w) => ({ url: `/api/volunteers/leaderboard?period=quarter&org=${f.grid[w]}` }),
  },
  "POST /api/volunteers/reminders": {
    allow: withPermission("volunteer.manage"),
    unscoped: true,
    req: () => ({ url: "/api/volunteers/reminders", body: {} }),
  },
  "GET /api/volunteers/reports/work-unit": {
    allow: withPermission("volunteer.read"),
    unscoped: true,
    req: () => ({
      url: `/api/volunteers/reports/work-unit?workUnit=${encodeURIComponent("南通市第二中学")}&period=quarter&at=2026-11`,
    }),
  },
  "GET /api/volunteers/wishes": {
    allow: VOL_BROWSE,
    unscoped: true,
    req: () => ({ url: "/api/volunteers/wishes" }),
  },
  "POST /api/volunteers/wishes": {
    allow: withPermission("wish.post"),
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/volunteers/wishes",
      body: { orgUnitId: f.grid[w], title: "想要一副老花镜", detail: "看报纸费劲" },
    }),
  },
  "POST /api/volunteers/wishes/:id/review": {
    allow: withPermission("volunteer.manage"),
    req: async (f, w) => ({
      url: `/api/volunteers/wishes/${await f.vol.wish(w, "pending")}/review`,
      body: { decision: "publish" },
    }),
  },
  "POST /api/volunteers/wishes/:id/claim": {
    allow: withPermission("volunteer.self"),
    req: async (f, w) => ({ url: `/api/volunteers/wishes/${await f.vol.wish(w, "published")}/claim` }),
  },
  "POST /api/volunteers/wishes/:id/fulfil": {
    allow: withPermission("volunteer.self"),
    req: async (f, w) => ({
      url: `/api/volunteers/wishes/${await f.vol.wish(w, "claimed", true)}/fulfil`,
      raw: { type: "image/png", data: PNG_1x1 },
    }),
  },
  "GET /api/volunteers/wishes/:id/photo": {
    allow: VOL_BROWSE,
    req: async (f, w) => ({
      url: `/api/volunteers/wishes/${await f.vol.wish(w, "fulfilled", true, true)}/photo`,
    }),
  },
  "POST /api/volunteers/wishes/:id/confirm": {
    allow: withPermission("wish.post"),
    req: async (f, w) => ({
      url: `/api/volunteers/wishes/${await f.vol.wish(w, "fulfilled", true, true)}/confirm`,
    }),
  },
  "GET /api/volunteers/requests": {
    allow: VOL_BROWSE,
    unscoped: true,
    req: () => ({ url: "/api/volunteers/requests" }),
  },
  "POST /api/volunteers/requests": {
    allow: withPermission("wish.post"),
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/volunteers/requests",
      body: { orgUnitId: f.grid[w], specialty: "legal", description: "咨询赡养纠纷" },
    }),
  },
  "POST /api/volunteers/requests/:id/accept": {
    allow: withPermission("wish.post"),
    req: async (f, w) => ({
      url: `/api/volunteers/requests/${await f.vol.request(w, "requested")}/accept`,
      body: {},
    }),
  },
  "POST /api/volunteers/requests/:id/dispatch": {
    allow: withPermission("volunteer.manage"),
    req: async (f, w) => ({
      url: `/api/volunteers/requests/${await f.vol.request(w, "accepted")}/dispatch`,
      body: { memberId: f.vol.myMemberId },
    }),
  },
  "POST /api/volunteers/requests/:id/respond": {
    allow: withPermission("volunteer.self"),
    req: async (f, w) => ({
      url: `/api/volunteers/requests/${await f.vol.request(w, "dispatched")}/respond`,
      body: { accept: true },
    }),
  },
  "POST /api/volunteers/requests/:id/finish": {
    allow: withPermission("volunteer.self"),
    req: async (f, w) => ({
      url: `/api/volunteers/requests/${await f.vol.request(w, "taken")}/finish`,
      body: {},
    }),
  },
  "POST /api/volunteers/requests/:id/rate": {
    allow: withPermission("wish.post"),
    req: async (f, w) => ({
      url: `/api/volunteers/requests/${await f.vol.request(w, "done")}/rate`,
      body: { rating: 5 },
    }),
  },
  "GET /api/volunteers/experts": {
    allow: withPermission("volunteer.read"),
    unscoped: true,
    req: () => ({ url: "/api/volunteers/experts?specialty=legal" }),
  },
  "GET /api/volunteers/communities/:id/rules": {
    allow: COMMUNITY_LEVEL("volunteer.read"),
    ...GRID_BELOW,
    req: (f, w) => ({ url: `/api/volunteers/communities/${f.community[w]}/rules` }),
  },
  "PUT /api/volunteers/communities/:id/rules": {
    allow: VOL_GOVERN,
    req: (f, w) => ({
      url: `/api/volunteers/communities/${f.community[w]}/rules`,
      body: { pointsPerHour: 10, pointsPerWish: 20, pointsPerRequest: 30, quarterlyMinHours: 4 },
    }),
  },
  "GET /api/volunteers/teams": {
    allow: VOL_BROWSE,
    unscoped: true,
    req: () => ({ url: "/api/volunteers/teams" }),
  },
  "POST /api/volunteers/teams": {
    allow: VOL_GOVERN,
    req: (f, w) => ({
      url: "/api/volunteers/teams",
      body: {
        communityId: f.community[w],
        kind: "team",
        teamName: `权限测试队${crypto.randomBytes(4).toString("hex")}`,
        complex: "权限小区",
        secretaryMemberId: f.vol.myMemberId,
      },
    }),
  },
  "PATCH /api/volunteers/teams/:id": {
    allow: VOL_GOVERN,
    req: async (f, w) => ({
      url: `/api/volunteers/teams/${await f.vol.team(w)}`,
      body: { complex: "改名小区" },
    }),
  },
  "GET /api/volunteers/teams/:id": {
    allow: VOL_BROWSE.filter((w) => w !== "grid"),
    ...GRID_BELOW,
    req: async (f, w) => ({ url: `/api/volunteers/teams/${await f.vol.team(w)}` }),
  },
  "GET /api/volunteers/teams/:id/candidates": {
    allow: VOL_ROLL,
    req: async (f, w) => ({ url: `/api/volunteers/teams/${await f.vol.team(w)}/candidates` }),
  },
  "POST /api/volunteers/teams/:id/members": {
    allow: VOL_ROLL,
    req: async (f, w) => ({
      url: `/api/volunteers/teams/${await f.vol.team(w)}/members`,
      body: { memberId: await f.vol.member(w) },
    }),
  },
  "POST /api/volunteers/teams/:id/members/:memberId/leave": {
    allow: VOL_ROLL,
    req: async (f, w) => {
      const team = await f.vol.team(w);
      return { url: `/api/volunteers/teams/${team}/members/${await f.vol.onRoll(team, w)}/leave`, body: {} };
    },
  },
  "GET /api/volunteers/callouts": {
    allow: VOL_BROWSE,
    unscoped: true,
    req: () => ({ url: "/api/volunteers/callouts" }),
  },
  "POST /api/volunteers/callouts": {
    allow: withPermission("volunteer.manage"),
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/volunteers/callouts",
      body: { orgUnitId: f.grid[w], title: "权限测试", body: "集合演练" },
    }),
  },
  "GET /api/volunteers/callouts/:id": {
    allow: withPermission("volunteer.read"),
    req: (f, w) => ({ url: `/api/volunteers/callouts/${f.vol.callOut[w]}` }),
  },
  "POST /api/volunteers/callouts/:id/respond": {
    allow: withPermission("volunteer.self"),
    req: (f, w) => ({ url: `/api/volunteers/callouts/${f.vol.callOut[w]}/respond` }),
  },
  // 敲门行动: the street and community run campaigns; the grid worker records at the door.
  "GET /api/campaigns": {
    allow: withPermission("campaign.read"),
    unscoped: true,
    req: () => ({ url: "/api/campaigns" }),
  },
  "POST /api/campaigns": {
    allow: withPermission("campaign.manage"),
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/campaigns",
      body: {
        name: "权限测试行动",
        orgUnitId: f.community[w],
        startsOn: "2026-01-01",
        endsOn: "2026-12-31",
        gridIds: [f.grid[w]],
        target: { kind: "all" },
        questions: [{ id: "q", kind: "yesno", label: "是否在家" }],
      },
    }),
  },
  "GET /api/campaigns/:id": {
    allow: withPermission("campaign.read"),
    req: (f, w) => ({ url: `/api/campaigns/${f.campaign[w]}` }),
  },
  "PUT /api/campaigns/:id/questionnaire": {
    allow: withPermission("campaign.manage"),
    req: (f, w) => ({
      url: `/api/campaigns/${f.campaign[w]}/questionnaire`,
      body: { questions: [{ id: "q", kind: "yesno", label: "是否在家" }] },
    }),
  },
  "GET /api/campaigns/:id/members": {
    allow: withPermission("campaign.manage"),
    req: (f, w) => ({ url: `/api/campaigns/${f.campaign[w]}/members` }),
  },
  "POST /api/campaigns/:id/reassign": {
    allow: withPermission("campaign.manage"),
    req: (f, w) => ({
      url: `/api/campaigns/${f.campaign[w]}/reassign`,
      body: { householdIds: [f.campaignHousehold[w]], toMemberId: f.worker[w] },
    }),
  },
  "GET /api/campaigns/:id/progress": {
    allow: withPermission("campaign.read"),
    req: (f, w) => ({ url: `/api/campaigns/${f.campaign[w]}/progress` }),
  },
  "GET /api/campaigns/:id/households": {
    allow: withPermission("campaign.read"),
    req: (f, w) => ({ url: `/api/campaigns/${f.campaign[w]}/households?flagged=false` }),
  },
  "GET /api/campaigns/:id/households/:householdId/records": {
    allow: withPermission("campaign.read"),
    req: (f, w) => ({
      url: `/api/campaigns/${f.campaign[w]}/households/${f.campaignHousehold[w]}/records`,
    }),
  },
  "GET /api/campaigns/:id/export": {
    allow: withPermission("campaign.manage"),
    req: (f, w) => ({ url: `/api/campaigns/${f.campaign[w]}/export` }),
  },
  "GET /api/campaigns/photos/:id": {
    allow: [...new Set([...withPermission("campaign.read"), ...withPermission("campaign.field")])],
    req: (f, w) => ({ url: `/api/campaigns/photos/${f.campaignPhoto[w]}` }),
  },
  "GET /api/campaigns/field": {
    allow: withPermission("campaign.field"),
    unscoped: true,
    req: () => ({ url: "/api/campaigns/field" }),
  },
  "POST /api/campaigns/sync": {
    allow: withPermission("campaign.field"),
    req: (f, w) => ({ url: "/api/campaigns/sync", body: { records: [f.campaignRecord(w)] } }),
  },
  "POST /api/campaigns/uploads": {
    allow: withPermission("campaign.manage"),
    // A list with its header and no rows is read and refused (422): the caller got through.
    alsoOk: [422],
    req: (f, w) => ({
      url: `/api/campaigns/uploads?org=${f.community[w]}&filename=t.xlsx`,
      raw: { type: XLSX, data: f.emptyLedger },
    }),
  },
  "GET /api/campaigns/uploads/:id": {
    allow: withPermission("campaign.read"),
    req: (f, w) => ({ url: `/api/campaigns/uploads/${f.campaignUpload[w]}` }),
  },
  "GET /api/campaigns/:id/board": {
    allow: withPermission("campaign.manage"),
    req: (f, w) => ({ url: `/api/campaigns/${f.campaign[w]}/board?org=${f.grid[w]}` }),
  },
  "GET /api/care/tag-proposals": {
    allow: withPermission("care.read"),
    unscoped: true,
    req: () => ({ url: "/api/care/tag-proposals" }),
  },
  "POST /api/care/tag-proposals/:id/decision": {
    allow: withPermission("care.write"),
    req: async (f, w) => ({
      url: `/api/care/tag-proposals/${await f.freshTagProposal(w)}/decision`,
      body: { decision: "reject", note: "权限测试" },
    }),
  },
  // Community affairs 实事项目 · 议事 · 重点工程 · 企业检查.
  "GET /api/affairs/proposals": {
    allow: AFF_READ,
    unscoped: true,
    req: () => ({ url: "/api/affairs/proposals" }),
  },
  "POST /api/affairs/proposals": {
    allow: withPermission("affairs.propose"),
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/affairs/proposals",
      body: { orgUnitId: f.grid[w], source: "resident", title: "权限测试", detail: "加装充电桩" },
    }),
  },
  "POST /api/affairs/proposals/:id/decision": {
    allow: AFF_MANAGE,
    req: async (f, w) => ({
      url: `/api/affairs/proposals/${await f.aff.proposal(w)}/decision`,
      body: { decision: "decline" },
    }),
  },
  "GET /api/affairs/projects": {
    allow: AFF_READ,
    unscoped: true,
    req: () => ({ url: "/api/affairs/projects" }),
  },
  "POST /api/affairs/projects": {
    allow: AFF_MANAGE,
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/affairs/projects",
      body: {
        orgUnitId: f.community[w],
        quarter: "2026Q4",
        title: "权限测试项目",
        budget: 1000,
        owner: "社区居委会",
        deadline: "2026-12-31",
        milestones: [],
      },
    }),
  },
  "GET /api/affairs/projects/:id": {
    allow: AFF_READ,
    req: async (f, w) => ({ url: `/api/affairs/projects/${await f.aff.project(w)}` }),
  },
  "POST /api/affairs/projects/:id/publish": {
    allow: AFF_MANAGE,
    req: async (f, w) => ({ url: `/api/affairs/projects/${await f.aff.project(w, "draft")}/publish` }),
  },
  "POST /api/affairs/projects/:id/updates": {
    allow: AFF_MANAGE,
    req: async (f, w) => ({
      url: `/api/affairs/projects/${await f.aff.project(w)}/updates`,
      body: { note: "施工进场", progress: 10 },
    }),
  },
  "POST /api/affairs/project-updates/:id/photos": {
    allow: AFF_MANAGE,
    req: (f, w) => ({
      url: `/api/affairs/project-updates/${f.aff.update[w]}/photos`,
      raw: { type: "image/png", data: PNG_1x1 },
    }),
  },
  "GET /api/affairs/satisfaction": {
    allow: AFF_READ,
    unscoped: true,
    req: () => ({ url: "/api/affairs/satisfaction" }),
  },
  "GET /api/affairs/quarters": {
    allow: AFF_READ,
    unscoped: true,
    req: () => ({ url: "/api/affairs/quarters" }),
  },
  "POST /api/affairs/quarters/close": {
    allow: AFF_MANAGE,
    hiddenAs: 400,
    req: async (f, w) => ({
      url: "/api/affairs/quarters/close",
      body: await f.aff.quarterList(f.community[w]),
    }),
  },
  "GET /api/affairs/photos/:id": {
    allow: AFF_READ,
    req: (f, w) => ({ url: `/api/affairs/photos/${f.aff.photo[w]}` }),
  },
  "GET /api/affairs/deliberations": {
    allow: AFF_READ,
    unscoped: true,
    req: () => ({ url: "/api/affairs/deliberations" }),
  },
  "POST /api/affairs/deliberations": {
    allow: withPermission("affairs.propose"),
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/affairs/deliberations",
      body: { orgUnitId: f.grid[w], title: "权限测试议题", background: "停车难", source: "grid_worker" },
    }),
  },
  "GET /api/affairs/deliberations/:id": {
    allow: AFF_READ,
    req: async (f, w) => ({ url: `/api/affairs/deliberations/${await f.aff.topic(w)}` }),
  },
  "POST /api/affairs/deliberations/:id/meeting": {
    allow: AFF_MANAGE,
    req: async (f, w) => ({
      url: `/api/affairs/deliberations/${await f.aff.topic(w)}/meeting`,
      body: {
        meetingAt: "2026-11-20T10:00:00Z",
        place: "社区议事厅",
        parties: [{ kind: "property", name: "物业", present: true }],
        agenda: "议程",
        minutes: "纪要",
      },
    }),
  },
  "POST /api/affairs/deliberations/:id/decision": {
    allow: AFF_MANAGE,
    req: async (f, w) => ({
      url: `/api/affairs/deliberations/${await f.aff.topic(w)}/decision`,
      body: {
        decision: "形成决定",
        actions: [{ title: "物业巡查", owner: "物业", due: "2026-12-31", carriedBy: "none" }],
      },
    }),
  },
  "POST /api/affairs/deliberation-actions/:id/done": {
    allow: AFF_MANAGE,
    req: async (f, w) => ({ url: `/api/affairs/deliberation-actions/${await f.aff.action(w)}/done` }),
  },
  "POST /api/affairs/deliberations/:id/votes": {
    allow: withPermission("affairs.propose"),
    req: async (f, w) => ({
      url: `/api/affairs/deliberations/${await f.aff.topic(w, true)}/votes`,
      body: { householdId: f.household[w], option: "同意" },
    }),
  },
  "GET /api/affairs/key-projects": {
    allow: AFF_READ,
    unscoped: true,
    req: () => ({ url: "/api/affairs/key-projects" }),
  },
  "POST /api/affairs/key-projects": {
    allow: AFF_MANAGE,
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/affairs/key-projects",
      body: {
        orgUnitId: f.community[w],
        name: "权限测试工程",
        owner: "区重点办",
        budget: 1000,
        startsOn: "2026-01-01",
        endsOn: "2026-12-31",
        milestones: [{ title: "竣工", weight: 100, due: "2026-12-31" }],
      },
    }),
  },
  "GET /api/affairs/key-projects/export": {
    allow: AFF_READ,
    unscoped: true,
    req: () => ({ url: "/api/affairs/key-projects/export?week=2026-11-30" }),
  },
  "GET /api/affairs/key-projects/:id": {
    allow: AFF_READ,
    req: (f, w) => ({ url: `/api/affairs/key-projects/${f.aff.keyProject[w]}` }),
  },
  "POST /api/affairs/key-projects/:id/reports": {
    allow: AFF_MANAGE,
    req: (f, w) => ({
      url: `/api/affairs/key-projects/${f.aff.keyProject[w]}/reports`,
      body: { note: "本周正常推进" },
    }),
  },
  "POST /api/affairs/key-project-reports/:id/photos": {
    allow: AFF_MANAGE,
    req: (f, w) => ({
      url: `/api/affairs/key-project-reports/${f.aff.report[w]}/photos`,
      raw: { type: "image/png", data: PNG_1x1 },
    }),
  },
  "GET /api/affairs/enterprises": {
    allow: AFF_READ,
    unscoped: true,
    req: () => ({ url: "/api/affairs/enterprises" }),
  },
  "POST /api/affairs/enterprises": {
    allow: AFF_MANAGE,
    hiddenAs: 400,
    req: (f, w) => ({
      url: "/api/affairs/enterprises",
      body: {
        orgUnitId: f.grid[w],
        name: "权限测试企业",
        creditCode: f.aff.creditCode(),
        address: "测试路1号",
        contactName: "王经理",
        contactPhone: "13962900001",
        industry: "制造业",
        size: "small",
      },
    }),
  },
  "GET /api/affairs/checklists": {
    allow: AFF_READ,
    unscoped: true,
    req: () => ({ url: "/api/affairs/checklists" }),
  },
  "POST /api/affairs/checklists": {
    allow: AFF_MANAGE,
    unscoped: true,
    req: () => ({
      url: "/api/affairs/checklists",
      body: { name: "权限测试模板", items: [{ code: "a", text: "检查项一" }] },
    }),
  },
  "PUT /api/affairs/checklists/:id": {
    allow: AFF_MANAGE,
    req: (f, w) => ({
      url: `/api/affairs/checklists/${f.aff.template[w]}`,
      body: { name: "权限测试模板", items: [{ code: "a", text: "检查项一" }] },
    }),
  },
  "GET /api/affairs/inspectors": {
    allow: AFF_MANAGE,
    unscoped: true,
    req: () => ({ url: "/api/affairs/inspectors" }),
  },
  "GET /api/affairs/campaigns": {
    allow: AFF_READ,
    unscoped: true,
    req: () => ({ url: "/api/affairs/campaigns" }),
  },
  "POST /api/affairs/campaigns": {
    allow: AFF_MANAGE,
    hiddenAs: 400,
    req: async (f, w) => ({
      url: "/api/affairs/campaigns",
      body: {
        orgUnitId: f.grid[w],
        name: "权限测试检查",
        templateId: f.aff.fiveHaves,
        startsOn: "2026-11-01",
        endsOn: "2026-12-31",
        assignments: [{ enterpriseId: await f.aff.enterprise(w), inspectorId: f.worker.in }],
      },
    }),
  },
  "GET /api/affairs/inspections/mine": {
    allow: AFF_INSPECT,
    unscoped: true,
    req: () => ({ url: "/api/affairs/inspections/mine" }),
  },
  "POST /api/affairs/inspections": {
    allow: AFF_INSPECT,
    req: async (f, w, who) => ({
      url: "/api/affairs/inspections",
      body: {
        ...(await f.aff.assignment(w, ACCOUNTS[who].username)),
        results: ["guide", "rules", "supplies", "medical", "isolation"].map((code) => ({
          code,
          passed: true,
        })),
      },
    }),
  },
  "POST /api/affairs/inspections/:id/photos": {
    allow: AFF_INSPECT,
    req: async (f, w, who) => ({
      url: `/api/affairs/inspections/${await f.aff.inspection(w, ACCOUNTS[who].username)}/photos`,
      raw: { type: "image/png", data: PNG_1x1 },
    }),
  },
  "GET /api/affairs/inspections/summary": {
    allow: AFF_READ,
    unscoped: true,
    req: () => ({ url: "/api/affairs/inspections/summary" }),
  },
  "GET /api/affairs/rectifications": {
    allow: AFF_READ,
    unscoped: true,
    req: () => ({ url: "/api/affairs/rectifications" }),
  },
  "POST /api/affairs/rectifications/:id/reinspection": {
    allow: AFF_INSPECT,
    req: async (f, w) => ({
      url: `/api/affairs/rectifications/${await f.aff.rectification(w, "open")}/reinspection`,
      body: { passed: true },
    }),
  },
  "POST /api/affairs/rectifications/:id/escalation": {
    allow: AFF_MANAGE,
    req: async (f, w) => ({
      url: `/api/affairs/rectifications/${await f.aff.rectification(w, "overdue")}/escalation`,
      body: { note: "逾期未整改" },
    }),
  },
  "POST /api/affairs/rectifications/:id/release": {
    allow: AFF_MANAGE,
    req: async (f, w) => ({
      url: `/api/affairs/rectifications/${await f.aff.rectification(w, "closed_active")}/release`,
      body: { note: "已整改" },
    }),
  },
  "POST /api/auth/logout": {
    allow: EVERYONE,
    unscoped: true,
    ownSession: true,
    req: () => ({ url: "/api/auth/logout" }),
  },
};

describe.each(DB_KINDS)("route × role access on %s", (kind) => {
  let t: TestApp;
  let f: Fixture;
  const headers = {} as Record<Who, Record<string, string>>;

  beforeAll(async () => {
    t = await createTestApp(kind);
    f = await fixture(t);
    for (const w of EVERYONE) headers[w] = await t.login(ACCOUNTS[w].username);
  });
  afterAll(() => t?.close());

  const routes = () =>
    t.app.gatedRoutes
      .filter((r) => !r.public && r.method !== "HEAD" && !r.url.startsWith("/api/docs"))
      .map((r) => `${r.method} ${r.url}`);

  it("has an entry for every route, and no entry for a route that does not exist", () => {
    const all = routes();
    expect(
      all.filter((r) => !TABLE[r]),
      "routes without an access entry",
    ).toEqual([]);
    expect(
      Object.keys(TABLE).filter((k) => !all.includes(k)),
      "entries without a route",
    ).toEqual([]);
  });

  it("answers 403 without the permission, its answer inside the scope and 404 outside", async () => {
    const failures: string[] = [];
    const seen: Record<string, number> = {};
    let sent = 0;
    const send = async (who: Who, method: string, r: Req, own = false) => {
      const session = own ? await t.login(ACCOUNTS[who].username) : headers[who];
      const res = await t.app.inject({
        method: method as "GET",
        url: r.url,
        headers: { ...session, ...(r.raw ? { "content-type": r.raw.type } : {}) },
        ...(r.raw ? { payload: r.raw.data } : r.body !== undefined ? { payload: r.body as object } : {}),
      });
      sent++;
      seen[res.statusCode] = (seen[res.statusCode] ?? 0) + 1;
      return res;
    };
    for (const key of routes()) {
      const entry = TABLE[key];
      if (!entry) continue;
      const method = key.split(" ")[0];
      for (const who of EVERYONE) {
        const allowed = entry.allow.includes(who);
        const inside = await send(who, method, await entry.req(f, "in", who), entry.ownSession);
        const ok = inside.statusCode < 300 || (entry.alsoOk ?? []).includes(inside.statusCode);
        if (allowed && !ok)
          failures.push(
            `${key} as ${who} inside → ${inside.statusCode}, expected success: ${inside.body.slice(0, 160)}`,
          );
        if (entry.below?.includes(who)) {
          if (inside.statusCode !== 404 && inside.statusCode !== 403)
            failures.push(`${key} as ${who} (below the unit) → ${inside.statusCode}, expected 404`);
          continue;
        }
        if (!allowed && inside.statusCode !== 403)
          failures.push(`${key} as ${who} inside → ${inside.statusCode}, expected 403`);
        if (entry.unscoped || ACCOUNTS[who].district) continue;
        const outside = await send(who, method, await entry.req(f, "out", who));
        // Without the permission either answer keeps the record hidden; with it, only the answer a
        // missing record gets does.
        const hidden =
          outside.statusCode === 404 ||
          outside.statusCode === entry.hiddenAs ||
          (!allowed && outside.statusCode === 403);
        if (!hidden)
          failures.push(
            `${key} as ${who} outside → ${outside.statusCode}, expected 404: ${outside.body.slice(0, 160)}`,
          );
      }
    }
    console.info(
      `access table on ${kind}: ${Object.keys(TABLE).length} routes × ${EVERYONE.length} accounts, ${sent} requests; statuses ${JSON.stringify(seen)}`,
    );
    expect(failures).toEqual([]);
  }, 300_000);

  it("refuses a field the caller may not set, changing nothing", async () => {
    // Lists started above finish in the background and audit it: let them, so the counts below are quiet.
    await settleLists(t.ctx);
    // Fields no client sets through these routes: where a record belongs, its state, who did it, a role.
    const FORBIDDEN = { orgPath: "/320613/", role: "sysadmin", state: "closed", createdBy: 1, version_: 9 };
    const failures: string[] = [];
    let tried = 0;
    for (const key of routes()) {
      const entry = TABLE[key];
      const who = entry?.allow[0];
      if (!entry || !who) continue;
      const r = await entry.req(f, "in", who);
      if (!r.body || typeof r.body !== "object" || Array.isArray(r.body)) continue;
      const extra = Object.fromEntries(Object.entries(FORBIDDEN).filter(([k]) => !(k in (r.body as object))));
      // Whatever the request builder wrote (a fresh order) is done; from here on nothing may be written.
      const [before] = await t.ctx.database.query<{ n: string }>(
        "select count(*)::text as n from audit_events",
      );
      const res = await t.app.inject({
        method: key.split(" ")[0] as "POST",
        url: r.url,
        headers: headers[who],
        payload: { ...(r.body as object), ...extra },
      });
      const [after] = await t.ctx.database.query<{ n: string }>(
        "select count(*)::text as n from audit_events",
      );
      tried++;
      if (res.statusCode !== 400)
        failures.push(`${key} as ${who} with ${Object.keys(extra).join(",")} → ${res.statusCode}`);
      if (after.n !== before.n) failures.push(`${key} as ${who}: the refused request wrote to the audit log`);
    }
    expect(tried).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  });
});

/** Moves 苏阳社区's second grid under another street's community and picks the records the table uses. */
async function fixture(t: TestApp): Promise<Fixture> {
  const db = t.ctx.database;
  const one = async <T>(sql: string, params: unknown[] = []) => {
    const rows = await db.query<T>(sql, params);
    if (!rows[0]) throw new Error(`fixture: nothing for ${sql}`);
    return rows[0];
  };
  const g01 = await one<{ id: number; path: string }>(
    "select id, path from org_units where code = '320613019010-G01'",
  );
  const g02 = await one<{ id: number; path: string }>(
    "select id, path from org_units where code = '320613019010-G02'",
  );
  const away = await one<{ id: number; path: string }>(
    "select id, path from org_units where code = '320613001001'",
  );
  const community = await one<{ id: number }>("select id from org_units where code = '320613019010'");
  const cat = await one<{ id: number; code: string }>(
    "select id, code from categories where active and code <> 'care_urgent' order by id limit 1",
  );
  const agent = await t.login("demo-agent");
  const commander = await t.login("demo-commander");
  const freshOrder = async (w: Where) => {
    const r = await t.app.inject({
      method: "POST",
      url: "/api/orders",
      headers: agent,
      payload: {
        channel: "hotline_12345",
        categoryCode: cat.code,
        description: "权限测试用工单",
        orgUnitId: w === "in" ? g01.id : g02.id,
        dispatch: false,
      },
    });
    if (r.statusCode !== 201) throw new Error(`fixture order: ${r.statusCode} ${r.body}`);
    return (r.json().order?.id ?? r.json().id) as number;
  };
  const order = { in: await freshOrder("in"), out: await freshOrder("out") };
  const attach = async (orderId: number) => {
    const r = await t.app.inject({
      method: "POST",
      url: `/api/orders/${orderId}/attachments?filename=p.png`,
      headers: { ...commander, "content-type": "image/png" },
      payload: PNG_1x1,
    });
    if (r.statusCode !== 201 && r.statusCode !== 200)
      throw new Error(`fixture attachment: ${r.statusCode} ${r.body}`);
    return r.json().id as number;
  };
  const community_ = await t.login("demo-community");
  const hospitals = await t.app.inject({ url: "/api/care/hospitals", headers: community_ });
  const hospitalList = hospitals.json().items as { name: string }[];
  const hospital = hospitalList[0].name;
  const doctor = await one<{ id: number }>("select id from accounts where username = 'demo-doctor'");
  const worker = {
    in: (await one<{ id: number }>("select id from accounts where username = 'demo-grid'")).id,
    out: (
      await one<{ id: number }>(
        "select a.id from accounts a join org_units o on o.id = a.org_unit_id where o.id = $1 and a.role = 'grid_worker' order by a.id limit 1",
        [g02.id],
      )
    ).id,
  };
  const book = new ExcelJS.Workbook();
  book.addWorksheet("台账").addRow(["姓名", "身份证号", "重点人群类别"]);
  const emptyLedger = Buffer.from(await book.xlsx.writeBuffer());
  const job = async (w: Where, who: Who) => {
    const me = await one<{ id: number; path: string }>(
      "select a.id, o.path from accounts a join org_units o on o.id = a.org_unit_id where a.username = $1",
      [ACCOUNTS[who].username],
    );
    const owner =
      w === "in"
        ? me.id
        : (await one<{ id: number }>("select id from accounts where id <> $1 order by id limit 1", [me.id]))
            .id;
    const row = await one<{ id: number }>(
      `insert into jobs (kind, state, owner_id, owner_name, org_unit_id, org_path, input, total)
       values ('care.ledger_import', 'succeeded', $1, '测试', 1, $2, '[]', 0) returning id`,
      [owner, me.path],
    );
    return row.id;
  };
  const freshKey = async (w: Where) => {
    const r = await t.app.inject({
      method: "POST",
      url: "/api/open311/keys",
      headers: commander,
      payload: { name: "待吊销的平台", orgUnitId: w === "in" ? community.id : away.id },
    });
    if (r.statusCode !== 201) throw new Error(`fixture key: ${r.statusCode} ${r.body}`);
    return r.json().id as number;
  };
  const freshLink = async (w: Where) => {
    const r = await t.app.inject({
      method: "POST",
      url: "/api/open311/upstream",
      headers: commander,
      payload: {
        name: "待修改的对接",
        baseUrl: "http://127.0.0.1:9/open311/v2",
        apiKey: "k",
        jurisdictionId: `J${crypto.randomBytes(6).toString("hex")}`,
        orgUnitId: w === "in" ? community.id : away.id,
        defaultCategory: cat.code,
      },
    });
    if (r.statusCode !== 201) throw new Error(`fixture link: ${r.statusCode} ${r.body}`);
    return r.json().id as number;
  };
  const keyIn = (
    await one<{ id: number }>(
      "select r.id from residents r join care_plans p on p.resident_id = r.id where r.org_path like $1 order by r.id limit 1",
      [`${g01.path}%`],
    )
  ).id;
  const keyOut = (
    await one<{ id: number }>(
      "select r.id from residents r join care_plans p on p.resident_id = r.id where r.org_path like $1 order by r.id limit 1",
      [`${g02.path}%`],
    )
  ).id;
  const refer = async (residentId: number) => {
    const r = await t.app.inject({
      method: "POST",
      url: "/api/care/referrals",
      headers: community_,
      payload: { residentId, hospital, reason: "血压控制不佳" },
    });
    if (r.statusCode !== 201 && r.statusCode !== 200)
      throw new Error(`fixture referral: ${r.statusCode} ${r.body}`);
    return (r.json().referral?.id ?? r.json().id) as number;
  };
  const referral = { in: await refer(keyIn), out: await refer(keyOut) };
  const gridWorker = await one<{ id: number }>("select id from accounts where username = 'demo-grid'");
  const visit = {
    in: (
      await one<{ id: number }>(
        "select id from care_visits where org_path like $1 and visitor_id = $2 order by id limit 1",
        [`${g01.path}%`, gridWorker.id],
      )
    ).id,
    out: (
      await one<{ id: number }>("select id from care_visits where org_path like $1 order by id limit 1", [
        `${g02.path}%`,
      ])
    ).id,
  };
  const photo = async (visitId: number) => {
    const r = await t.app.inject({
      method: "POST",
      url: `/api/care/visits/${visitId}/photos`,
      headers: { ...community_, "content-type": "image/png" },
      payload: PNG_1x1,
    });
    if (r.statusCode !== 201) throw new Error(`fixture visit photo: ${r.statusCode} ${r.body}`);
    return r.json().id as number;
  };
  const visitPhoto = { in: await photo(visit.in), out: await photo(visit.out) };
  const attachment = { in: await attach(order.in), out: await attach(order.out) };
  const newPath = `${away.path}320613019010-G02/`;
  await db.query("update org_units set parent_id = $1 where id = $2", [away.id, g02.id]);
  await db.query("update org_units set path = $1 || substr(path, length($2) + 1) where path like $2 || '%'", [
    newPath,
    g02.path,
  ]);
  const tables = await db.query<{ table_name: string }>(
    `select c.table_name from information_schema.columns c
       join information_schema.tables t using (table_schema, table_name)
      where c.column_name = 'org_path' and c.table_schema = current_schema() and t.table_type = 'BASE TABLE'`,
  );
  // Ledger entries are append-only history (a trigger refuses updates): they keep where they were posted.
  for (const { table_name } of tables.filter((t) => t.table_name !== "points_entries"))
    await db.query(
      `update ${table_name} set org_path = $1 || substr(org_path, length($2) + 1) where org_path like $2 || '%'`,
      [newPath, g02.path],
    );
  forgetUnits(db);
  const vol = await volFixture(t, { grid: g01, community: { id: community.id }, away });
  const suyang = await one<{ path: string }>("select path from org_units where id = $1", [community.id]);
  const csv = Buffer.from("姓名,身份证号\n张三,320613195603041230\n");
  const freshVerificationList = async (w: Where, state = "previewed") =>
    (
      await one<{ id: number }>(
        `insert into verification_lists (org_unit_id, org_path, title, format, file, header_row, mapping, state,
           owner_id, owner_name) values ($1, $2, '权限测试名单', 'csv', $3, 1, $4::jsonb, $5, 1, '测试') returning id`,
        [
          w === "in" ? community.id : away.id,
          w === "in" ? suyang.path : away.path,
          csv,
          JSON.stringify({ name: 0, idNumber: 1, phone: null, address: null, community: null, street: null }),
          state,
        ],
      )
    ).id;
  const freshRoster = async (w: Where) =>
    (
      await one<{ id: number }>(
        `insert into roster_imports (org_unit_id, org_path, format, file, header_row, mapping, owner_id,
           owner_username, owner_name) values ($1, $2, 'csv', $3, 1, $4::jsonb, 1, 'test', '测试') returning id`,
        [
          w === "in" ? community.id : away.id,
          w === "in" ? suyang.path : away.path,
          csv,
          JSON.stringify({ name: 0, idNumber: 1 }),
        ],
      )
    ).id;
  const freshRosterConflict = async (w: Where) =>
    (
      await one<{ id: number }>(
        `insert into roster_conflicts (import_id, n, resident_id, org_path, kind, registry_value, roster_value, roster)
         values ($1, 2, $2, $3, 'name', '甲', '乙', '{"nm":"乙","b":"","u":null,"r":"","g":""}'::jsonb) returning id`,
        [
          await freshRoster(w),
          (
            await one<{ id: number }>("select id from residents where org_path like $1 order by id limit 1", [
              `${w === "in" ? g01.path : newPath}%`,
            ])
          ).id,
          w === "in" ? suyang.path : away.path,
        ],
      )
    ).id;
  const verificationList = {
    in: await freshVerificationList("in", "succeeded"),
    out: await freshVerificationList("out", "succeeded"),
  };
  let taskRow = 0;
  const verificationTask = async (w: Where) =>
    (
      await one<{ id: number }>(
        `insert into verification_rows (list_id, n, original_cipher, name, id_status, address, stated_community,
           class, org_path, grid_path) values ($1, $2, 'x', '张三', 'ok', '', '', 'found', $3, $3) returning id`,
        [verificationList[w], ++taskRow, w === "in" ? g01.path : newPath],
      )
    ).id;
  // 敲门行动: launched by the district after G02 moved, so the "out" campaign is the other street's own.
  const launchCampaign = async (orgUnitId: number, gridId: number) => {
    const r = await t.app.inject({
      method: "POST",
      url: "/api/campaigns",
      headers: commander,
      payload: {
        name: "权限测试敲门行动",
        orgUnitId,
        startsOn: "2026-01-01",
        endsOn: "2099-12-31",
        gridIds: [gridId],
        target: { kind: "all" },
        questions: [{ id: "q", kind: "yesno", label: "是否在家" }],
      },
    });
    if (r.statusCode !== 201) throw new Error(`fixture campaign: ${r.statusCode} ${r.body}`);
    return r.json().id as number;
  };
  const campaign = {
    in: await launchCampaign(community.id, g01.id),
    out: await launchCampaign(away.id, g02.id),
  };
  const heldBy = async (w: Where) =>
    (
      await one<{ id: number }>(
        "select household_id as id from campaign_households where campaign_id = $1 and member_id = $2 order by household_id limit 1",
        [campaign[w], worker[w]],
      )
    ).id;
  const campaignHousehold = { in: await heldBy("in"), out: await heldBy("out") };
  const campaignRecord = (w: Where) => ({
    clientId: crypto.randomUUID(),
    campaignId: campaign[w],
    householdId: campaignHousehold[w],
    outcome: "done",
    questionnaireVersion: 1,
    answers: { q: "yes" },
    deviceTime: new Date().toISOString(),
  });
  const campaignPhotoOf = async (w: Where) => {
    const username = (
      await one<{ username: string }>("select username from accounts where id = $1", [worker[w]])
    ).username;
    const r = await t.app.inject({
      method: "POST",
      url: "/api/campaigns/sync",
      headers: await t.login(username),
      payload: {
        records: [
          {
            ...campaignRecord(w),
            notice: { method: "hand" },
            photos: [{ key: "notice", data: PNG_1x1.toString("base64") }],
          },
        ],
      },
    });
    if (r.statusCode !== 200) throw new Error(`fixture campaign record: ${r.statusCode} ${r.body}`);
    return (
      await one<{ id: number }>(
        "select p.id from campaign_photos p join campaign_records r on r.id = p.record_id where r.campaign_id = $1 order by p.id desc limit 1",
        [campaign[w]],
      )
    ).id;
  };
  const campaignPhoto = { in: await campaignPhotoOf("in"), out: await campaignPhotoOf("out") };
  const under = (w: Where) => (w === "in" ? g01.path : newPath);
  const pick = async (w: Where, sql: string) => (await one<{ id: number }>(sql, [`${under(w)}%`])).id;
  const both = async (sql: string) => ({ in: await pick("in", sql), out: await pick("out", sql) });
  // The alert the table acks inside the scope is addressed to the demo doctor (which alert comes first depends
  // on the day the demo was seeded, and a doctor may act only on alerts of their own residents).
  await db.query(
    "update care_alerts set doctor_id = $2 where id = (select id from care_alerts where org_path like $1 order by id limit 1)",
    [`${under("in")}%`, doctor.id],
  );

  const topCategory = await one<{ code: string }>(
    "select coalesce(p.code, k.code) as code from categories k left join categories p on p.id = k.parent_id where k.id = $1",
    [cat.id],
  );
  const hot = new Map<Where, unknown>();
  const hotSpot = async (w: Where) => {
    if (!hot.has(w)) {
      for (let i = 0; i < 3; i++) await freshOrder(w);
      hot.set(w, {
        orgUnitId: w === "in" ? g01.id : g02.id,
        buildingId: null,
        categoryCode: topCategory.code,
        days: 30,
      });
    }
    return hot.get(w);
  };
  const archived = async (unitId: number) =>
    (
      await one<{ id: number }>(
        `insert into daily_reports (org_unit_id, org_path, date, state, pdf, xlsx, ready_at)
         select id, path, '2026-10-31', 'ready', $2, $2, now() from org_units where id = $1 returning id`,
        [unitId, Buffer.from("%PDF-1.4 test")],
      )
    ).id;
  const street = await one<{ id: number }>("select id from org_units where code = '320613019'");

  const aff = await affairsFixture(t, {
    in: { id: g01.id, path: g01.path },
    out: { id: g02.id, path: newPath },
  });
  return {
    aff,
    hotSpot,
    dailyReport: { in: await archived(community.id), out: await archived(away.id) },
    street: street.id,
    vol,
    ma: await maFixture(t, { g01, g02Path: newPath, away }),
    grid: { in: g01.id, out: g02.id },
    community: { in: community.id, out: away.id },
    resident: await both("select id from residents where org_path like $1 order by id limit 1"),
    keyResident: { in: keyIn, out: keyOut },
    household: await both("select id from households where org_path like $1 order by id limit 1"),
    building: await both("select id from buildings where org_path like $1 order by id limit 1"),
    order,
    attachment,
    alert: await both("select id from care_alerts where org_path like $1 order by id limit 1"),
    referral,
    visit,
    visitPhoto,
    hospital,
    hospitals: hospitalList,
    doctorId: doctor.id,
    worker,
    emptyLedger,
    freshKey,
    freshLink,
    async areas(w) {
      const c = await one<{ code: string }>("select code from org_units where id = $1", [
        w === "in" ? community.id : away.id,
      ]);
      const g = await one<{ code: string; boundary: unknown }>(
        "select code, boundary from org_units where kind = 'grid' and code like $1 and boundary is not null order by id limit 1",
        [`${c.code}-%`],
      );
      return {
        type: "FeatureCollection",
        features: [{ type: "Feature", properties: { code: g.code }, geometry: g.boundary }],
      };
    },
    job,
    verificationList,
    freshVerificationList,
    freshRoster,
    freshRosterConflict,
    verificationTask,
    campaign,
    campaignHousehold,
    campaignPhoto,
    campaignRecord,
    campaignUpload: {
      in: (
        await one<{ id: number }>(
          `insert into campaign_uploads (org_unit_id, org_path, format, rows, household_ids, unmatched)
           select id, path, 'csv', 0, '{}', '{"count":0,"rows":[]}' from org_units where id = $1 returning id`,
          [community.id],
        )
      ).id,
      out: (
        await one<{ id: number }>(
          `insert into campaign_uploads (org_unit_id, org_path, format, rows, household_ids, unmatched)
           select id, path, 'csv', 0, '{}', '{"count":0,"rows":[]}' from org_units where id = $1 returning id`,
          [away.id],
        )
      ).id,
    },
    async freshTagProposal(w) {
      return (
        await one<{ id: number }>(
          `insert into care_tag_proposals (household_id, org_path, tag, source, proposed_by_name)
           select id, org_path, 'living_alone', 'campaign', '权限测试' from households
            where org_path like $1 order by id limit 1
           on conflict (household_id, tag) where state = 'proposed' do update set updated_at = now() returning id`,
          [`${w === "in" ? g01.path : newPath}%`],
        )
      ).id;
    },
    async orderVersion(id) {
      return (await one<{ version: number }>("select version from work_orders where id = $1", [id])).version;
    },
    category: cat.id,
    categoryCode: cat.code,
    freshOrder,
    async residentVersion(id) {
      return (await one<{ version: number }>("select version from residents where id = $1", [id])).version;
    },
  };
}

/**
 * The volunteer account as a confirmed member (legal specialty) of 苏阳社区, and factories for the module's
 * records: inside at grid G01, outside in another street's community.
 */
async function volFixture(
  t: TestApp,
  u: { grid: { id: number; path: string }; community: { id: number }; away: { id: number; path: string } },
): Promise<VolFixture> {
  const db = t.ctx.database;
  const first = async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params))[0];
  const home = await first<{ path: string }>("select path from org_units where id = $1", [u.community.id]);
  const acct = await first<{ id: number }>("select id from accounts where username = 'demo-volunteer'");
  // The demo volunteer is registered by the seed; made sure of here (confirmed, legal specialty).
  await db.query(
    `insert into volunteer_members (account_id, kind, name, id_hash, id_cipher, community_id, org_path, state, specialties)
     values ($1, 'party_member', '权限测试党员', 'access-volunteer', 'x', $2, $3, 'confirmed', '{legal}') on conflict do nothing`,
    [acct.id, u.community.id, home.path],
  );
  const me = await first<{ id: number }>(
    "update volunteer_members set state = 'confirmed', specialties = '{legal}' where account_id = $1 returning id",
    [acct.id],
  );
  const at = (w: Where) => (w === "in" ? u.grid : u.away);
  let n = 0;
  const task = async (
    w: Where,
    opts: { ended?: boolean; claim?: "claimed" | "in" | "out"; future?: boolean } = {},
  ) => {
    const start = opts.ended ? -180 : opts.future ? 600 : -10;
    const row = await first<{ id: number }>(
      `insert into volunteer_tasks (title, place, org_unit_id, org_path, starts_at, ends_at, capacity, claimed, qr_nonce)
       values ('权限测试任务', '服务站', $1, $2, now() + make_interval(mins => $3), now() + make_interval(mins => $3 + 60), 5, $4, $5)
       returning id`,
      [at(w).id, at(w).path, start, opts.claim ? 1 : 0, `n${++n}`],
    );
    if (opts.claim)
      await db.query(
        `insert into volunteer_claims (task_id, member_id, org_path, state, check_in_at, check_out_at, minutes)
         values ($1, $2, $3, 'claimed', $4, $5, $6)`,
        [
          row.id,
          me.id,
          at(w).path,
          opts.claim !== "claimed" ? new Date(Date.now() - 5 * 60_000) : null,
          opts.claim === "out" ? new Date() : null,
          opts.claim === "out" ? 5 : null,
        ],
      );
    return row.id;
  };
  const item = async (w: Where) =>
    (
      await first<{ id: number }>(
        "insert into redemption_items (community_id, org_path, kind, name, cost, stock) values ($1, $2, 'goods', '权限测试', 1, 100) returning id",
        [w === "in" ? u.community.id : u.away.id, w === "in" ? home.path : u.away.path],
      )
    ).id;
  const items = { in: await item("in"), out: await item("out") };
  const redemption = async (w: Where) =>
    (
      await first<{ id: number }>(
        `insert into redemptions (item_id, member_id, org_path, points, voucher_code, state)
         values ($1, $2, $3, 1, $4, 'reversed') returning id`,
        [items[w], me.id, w === "in" ? home.path : u.away.path, `ACCESS${w}`],
      )
    ).id;
  // An award posted as the ledger would (issued account −5, member +5 with 30 minutes), balances moved to match.
  const award = async (w: Where) => {
    const c = w === "in" ? { id: u.community.id, path: home.path } : u.away;
    const memberId =
      w === "in"
        ? me.id
        : (
            await first<{ id: number }>(
              `insert into volunteer_members (kind, name, id_hash, id_cipher, community_id, org_path, state)
               values ('volunteer', '权限测试受奖', 'access-award-out', 'x', $1, $2, 'confirmed') returning id`,
              [c.id, c.path],
            )
          ).id;
    await db.query(
      `insert into points_accounts (kind, community_id, org_path) values ('issued', $1, $2)
       on conflict (community_id, kind) where kind <> 'member' do nothing`,
      [c.id, c.path],
    );
    await db.query(
      `insert into points_accounts (kind, member_id, community_id, org_path)
       select 'member', m.id, m.community_id, m.org_path from volunteer_members m where m.id = $1
       on conflict (member_id) where kind = 'member' do nothing`,
      [memberId],
    );
    const x = await first<{ id: number }>(
      "insert into points_transactions (kind, source, memo, org_path) values ('award', $1, '权限测试奖励', $2) returning id",
      [`access-award:${w}`, c.path],
    );
    await db.query(
      `insert into points_entries (transaction_id, account_id, amount, minutes, org_path)
       select $1, id, case when kind = 'member' then 5 else -5 end, case when kind = 'member' then 30 else 0 end, org_path
       from points_accounts where (kind = 'member' and member_id = $2) or (kind = 'issued' and community_id = $3)`,
      [x.id, memberId, c.id],
    );
    await db.query(
      `update points_accounts set balance = balance + case when kind = 'member' then 5 else -5 end
       where (kind = 'member' and member_id = $1) or (kind = 'issued' and community_id = $2)`,
      [memberId, c.id],
    );
    return x.id;
  };
  const callOut = async (w: Where) =>
    (
      await first<{ id: number }>(
        "insert into call_outs (org_unit_id, org_path, title, body) values ($1, $2, '演练', '集合') returning id",
        [at(w).id, at(w).path],
      )
    ).id;
  return {
    myMemberId: me.id,
    async member(w, state = "confirmed") {
      const c = w === "in" ? { id: u.community.id, path: home.path } : u.away;
      return (
        await first<{ id: number }>(
          `insert into volunteer_members (kind, name, id_hash, id_cipher, community_id, org_path, state)
           values ('volunteer', '待确认', $1, 'x', $2, $3, $4) returning id`,
          [`access-${w}-${++n}`, c.id, c.path, state],
        )
      ).id;
    },
    task,
    async token(taskId) {
      return qrTokenFor(t.ctx, taskId);
    },
    async claimOut(w) {
      const id = await task(w, { claim: "out" });
      return (await first<{ id: number }>("select id from volunteer_claims where task_id = $1", [id])).id;
    },
    item: items,
    redemption: { in: await redemption("in"), out: await redemption("out") },
    award: { in: await award("in"), out: await award("out") },
    async wish(w, state, mine = false, photo = false) {
      return (
        await first<{ id: number }>(
          `insert into volunteer_wishes (org_unit_id, org_path, title, detail, public_text, state, member_id, photo, photo_type)
           values ($1, $2, '权限测试心愿', '细节', '细节', $3, $4, $5, $6) returning id`,
          [
            at(w).id,
            at(w).path,
            state,
            mine ? me.id : null,
            photo ? PNG_1x1 : null,
            photo ? "image/png" : null,
          ],
        )
      ).id;
    },
    async request(w, state) {
      return (
        await first<{ id: number }>(
          `insert into expert_requests (org_unit_id, org_path, specialty, description, state, member_id)
           values ($1, $2, 'legal', '咨询', $3, $4) returning id`,
          [at(w).id, at(w).path, state, ["dispatched", "taken", "done"].includes(state) ? me.id : null],
        )
      ).id;
    },
    callOut: { in: await callOut("in"), out: await callOut("out") },
    async team(w) {
      const c = w === "in" ? { id: u.community.id, path: home.path } : u.away;
      const secretary =
        w === "in"
          ? me.id
          : (
              await first<{ id: number }>(
                `insert into volunteer_members (kind, name, id_hash, id_cipher, community_id, org_path, state)
                 values ('party_member', '外社区书记', $1, 'x', $2, $3, 'confirmed') returning id`,
                [`access-secretary-${++n}`, c.id, c.path],
              )
            ).id;
      const team = await first<{ id: number }>(
        `insert into volunteer_teams (kind, name, complex, community_id, org_path, secretary_member_id)
         values ('party_branch', $1, '权限小区', $2, $3, $4) returning id`,
        [`权限测试支部${++n}`, c.id, c.path, secretary],
      );
      await db.query(
        "insert into volunteer_team_members (team_id, member_id, org_path) values ($1, $2, $3)",
        [team.id, secretary, c.path],
      );
      return team.id;
    },
    async onRoll(teamId, w) {
      const c = w === "in" ? { id: u.community.id, path: home.path } : u.away;
      const m = await first<{ id: number }>(
        `insert into volunteer_members (kind, name, id_hash, id_cipher, community_id, org_path, state)
         values ('volunteer', '在册成员', $1, 'x', $2, $3, 'confirmed') returning id`,
        [`access-roll-${++n}`, c.id, c.path],
      );
      await db.query(
        "insert into volunteer_team_members (team_id, member_id, org_path) values ($1, $2, $3)",
        [teamId, m.id, c.path],
      );
      return m.id;
    },
  };
}

/** 共享药箱 · 服务阵地 · 活动: places inside at G01 and outside at the other street's community; requests at G01 / moved G02. */
async function maFixture(
  t: TestApp,
  u: { g01: { id: number; path: string }; g02Path: string; away: { id: number; path: string } },
): Promise<MaFixture> {
  const db = t.ctx.database;
  const first = async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params))[0];
  const place = (w: Where) => (w === "in" ? u.g01 : u.away);
  const soon = new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10);
  const point = async (w: Where) =>
    (
      await first<{ id: number }>(
        `insert into service_points (kind, name, org_unit_id, org_path, address, hours) values ('party_center', '权限测试阵地', $1, $2, '测试路', '全天') returning id`,
        [place(w).id, place(w).path],
      )
    ).id;
  const box = async (w: Where) =>
    (
      await first<{ id: number }>(
        `insert into medicine_boxes (service_point_id, name, org_unit_id, org_path) values ($1, '权限测试药箱', $2, $3) returning id`,
        [await point(w), place(w).id, place(w).path],
      )
    ).id;
  let batch = 0;
  const stock = async (w: Where, opts: { prescription?: boolean } = {}) =>
    (
      await first<{ id: number }>(
        `insert into medicine_stock (box_id, org_path, medicine_name, spec, batch, expires_on, quantity, prescription)
         values ($1, $2, '权限测试药', '10片', $3, $4, 100, $5) returning id`,
        [await box(w), place(w).path, `A${++batch}`, soon, opts.prescription ?? false],
      )
    ).id;
  const resident = async (w: Where) =>
    (
      await first<{ id: number }>("select id from residents where org_path like $1 order by id limit 1", [
        `${w === "in" ? u.g01.path : u.g02Path}%`,
      ])
    ).id;
  const residentRow = async (w: Where) =>
    first<{ id: number; orgUnitId: number; orgPath: string }>(
      `select id, org_unit_id as "orgUnitId", org_path as "orgPath" from residents where id = $1`,
      [await resident(w)],
    );
  const accountOf = async (who: Who) =>
    (await first<{ id: number }>("select id from accounts where username = $1", [ACCOUNTS[who].username])).id;
  return {
    point,
    box,
    stock,
    resident,
    async notice(w) {
      return (
        await first<{ id: number }>(
          `insert into mass_notices (org_unit_id, org_path, title, template, audience_kind, state, created_by_name)
           values ($1, $2, '权限测试通知', '您好', 'scope', 'done', '测试') returning id`,
          [place(w).id, place(w).path],
        )
      ).id;
    },
    async request(w, state, opts = {}) {
      const r = await residentRow(w);
      const s = state === "requested" ? null : await stock(w, { prescription: opts.prescription });
      const sb = s
        ? await first<{ boxId: number }>(`select box_id as "boxId" from medicine_stock where id = $1`, [s])
        : null;
      const claimedBy = opts.claimedBy
        ? await accountOf(opts.claimedBy)
        : state === "claimed" || state === "delivered"
          ? 1
          : null;
      return (
        await first<{ id: number }>(
          `insert into medicine_requests (source, resident_id, org_unit_id, org_path, medicine_name, quantity, state, box_id, stock_id,
             prescription, claimed_by, claimed_by_name, delivered_at, due_at, created_by_name)
           values ('grid', $1, $2, $3, $4, 1, $5, $6, $7, $8, $9, '测试', $10, now() + interval '1 hour', '测试') returning id`,
          [
            r.id,
            r.orgUnitId,
            r.orgPath,
            state === "requested" ? "对乙酰氨基酚片" : "权限测试药",
            state,
            sb?.boxId ?? null,
            s,
            opts.prescription ?? false,
            claimedBy,
            state === "delivered" ? new Date() : null,
          ],
        )
      ).id;
    },
    async event(w, opts = {}) {
      const start = opts.now ? Date.now() - 600_000 : Date.now() + 86_400_000;
      return (
        await first<{ id: number }>(
          `insert into community_events (kind, title, place, org_unit_id, org_path, starts_at, ends_at, capacity)
           values ('clinic', '权限测试义诊', '测试点', $1, $2, $3, $4, 10) returning id`,
          [place(w).id, place(w).path, new Date(start), new Date(start + 3 * 3600_000)],
        )
      ).id;
    },
    async signup(eventId, w) {
      const r = await residentRow(w === "in" ? "in" : "out");
      const s = await first<{ id: number }>(
        `insert into event_signups (event_id, resident_id, org_path, state, signed_up_by_name) values ($1, $2, $3, 'confirmed', '测试') returning id`,
        [eventId, r.id, r.orgPath],
      );
      await db.query("update community_events set taken = taken + 1 where id = $1", [eventId]);
      return { id: s.id, residentId: r.id };
    },
  };
}
