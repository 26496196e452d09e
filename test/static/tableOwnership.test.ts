import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Each table has one owning module, and only that module writes it: everyone else goes through the
// owner's face (residents.addTags, workOrders.raiseCareUrgent, notifications.enqueue, audit.record…).
// This test reads the SQL every server file writes with and names each write to a table it does not own;
// a new table fails the test until it is given an owner here.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SERVER = path.join(root, "src/server");

const OWNER: Record<string, string | string[]> = {
  accounts: "accounts",
  sessions: "auth",
  failure_counts: "platform/failureCounts.ts",
  // Kept by the idempotency hook; intake's batch writer marks its keys committed in the orders' own statement.
  idempotency_keys: ["platform/idempotency.ts", "workOrders"],
  audit_events: "platform/audit.ts",
  org_units: "orgs",
  buildings: "residents",
  households: "residents",
  residents: "residents",
  roster_imports: "residents",
  roster_conflicts: "residents",
  categories: "workOrders",
  work_orders: "workOrders",
  work_order_events: "workOrders",
  attachments: "workOrders",
  notifications: "notifications",
  rate_counts_daily: "rates",
  // Kept by triggers on work_orders (migration 0028); read by workOrders/figures.ts.
  order_flow_daily: "workOrders",
  order_mix_daily: "workOrders",
  // A key–value table: each module writes only its own keys (rate weights; the referral hospitals).
  system_settings: ["rates", "care"],
  open311_keys: "open311",
  upstream_links: "open311",
  upstream_requests: "open311",
  holidays: "holidays",
  care_alerts: "care",
  care_consultations: "care",
  care_plans: "care",
  care_roster: "care",
  care_settings: "care",
  care_tag_assignments: "care",
  care_tag_proposals: "care",
  care_team_members: "care",
  care_visits: "care",
  doctor_contracts: "care",
  referrals: "care",
  referral_events: "care",
  hospital_liaisons: "care",
  care_visit_photos: "care",
  jobs: "jobs",
  affairs_photos: "affairs",
  project_proposals: "affairs",
  practical_projects: "affairs",
  project_updates: "affairs",
  project_ratings: "affairs",
  project_quarters: "affairs",
  deliberations: "affairs",
  deliberation_actions: "affairs",
  deliberation_votes: "affairs",
  key_projects: "affairs",
  key_project_milestones: "affairs",
  key_project_reports: "affairs",
  enterprises: "affairs",
  checklist_templates: "affairs",
  inspection_campaigns: "affairs",
  inspection_assignments: "affairs",
  inspections: "affairs",
  rectifications: "affairs",
  volunteer_members: "volunteers",
  volunteer_tasks: "volunteers",
  volunteer_claims: "volunteers",
  volunteer_settings: "volunteers",
  volunteer_teams: "volunteers",
  volunteer_team_members: "volunteers",
  volunteer_wishes: "volunteers",
  points_accounts: "volunteers",
  points_transactions: "volunteers",
  points_entries: "volunteers",
  // points_monthly and points_quarterly are kept by the trigger on points_entries (migration 0034).
  points_monthly: "volunteers",
  points_quarterly: "volunteers",
  redemption_items: "volunteers",
  redemptions: "volunteers",
  expert_requests: "volunteers",
  call_outs: "volunteers",
  volunteer_reminders: "volunteers",
  call_out_responses: "volunteers",
  verification_lists: "verification",
  verification_rows: "verification",
  campaigns: "campaigns",
  campaign_questionnaires: "campaigns",
  campaign_households: "campaigns",
  campaign_tallies: "campaigns",
  campaign_rollups: "campaigns",
  campaign_day_rollups: "campaigns",
  campaign_uploads: "campaigns",
  campaign_records: "campaigns",
  campaign_photos: "campaigns",
  daily_reports: "command",
  daily_report_recipients: "command",
  service_points: "mutualAid",
  medicine_boxes: "mutualAid",
  medicine_stock: "mutualAid",
  medicine_movements: "mutualAid",
  medicine_requests: "mutualAid",
  community_events: "mutualAid",
  event_signups: "mutualAid",
  event_reminders: "mutualAid",
  resident_accounts: "mutualAid",
  one_time_codes: "platform/oneTimeCodes.ts",
  resident_sessions: "mutualAid",
  resident_reports: "mutualAid",
  mass_notices: "mutualAid",
  notice_recipients: "mutualAid",
  phone_opt_outs: "mutualAid",
};

/**
 * Writes that break the rule and are to move behind the owner's face. Empty: care changes residents' tags and
 * family doctor through residents.addTags / removeTag / setFamilyDoctor. The list may only shrink: an entry
 * that no longer breaks the rule fails the test until removed.
 */
const TO_MOVE: string[] = [];

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** The module a file belongs to ("care"), or its own path for platform files ("platform/audit.ts"). */
function ownerOf(file: string): string {
  const rel = path.relative(SERVER, file).split(path.sep).join("/");
  return rel.startsWith("modules/") ? rel.split("/")[1] : rel;
}

/** Tables the migrations create and no later migration drops (phone_codes and resident_codes are gone). */
const TABLES_IN_MIGRATIONS = () => {
  const dir = path.join(root, "src/db/migrations");
  const sqls = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
  const named = (re: RegExp) => new Set(sqls.flatMap((s) => [...s.matchAll(re)].map((m) => m[1])));
  const dropped = named(/DROP TABLE "([a-z0-9_]+)"/g);
  return [...named(/CREATE TABLE "([a-z0-9_]+)"/g)].filter((t) => !dropped.has(t));
};

describe("table ownership", () => {
  it("every table has an owner", () => {
    expect(TABLES_IN_MIGRATIONS().filter((t) => !OWNER[t])).toEqual([]);
  });

  it("only a table's owner writes it", () => {
    const writes = /\b(?:insert\s+into|update|delete\s+from|copy)\s+"?([a-z][a-z0-9_]*)"?/gi;
    const violations: string[] = [];
    const moving = new Set<string>();
    let seen = 0;
    for (const file of files(SERVER)) {
      const src = fs.readFileSync(file, "utf8");
      for (const m of src.matchAll(writes)) {
        const table = m[1].toLowerCase();
        const owner = OWNER[table];
        if (!owner) continue;
        seen++;
        if (![owner].flat().includes(ownerOf(file))) {
          const line = src.slice(0, m.index).split("\n").length;
          const known = `${path.relative(root, file)} writes ${table}`;
          if (TO_MOVE.includes(known)) moving.add(known);
          else violations.push(`${path.relative(root, file)}:${line} writes ${table} (owned by ${owner})`);
        }
      }
    }
    expect(seen).toBeGreaterThan(30);
    expect(violations).toEqual([]);
    expect(
      TO_MOVE.filter((k) => !moving.has(k)),
      "moved already: take them off TO_MOVE",
    ).toEqual([]);
  });
});
