import type { Database } from "../db/client.ts";
import { csvField } from "../db/client.ts";
import { periodOf, planFrequency, type VisitFrequency } from "../domain/care/plans.ts";
import { shanghaiDayNumber, shanghaiInstant, shanghaiMinuteOfDay } from "../domain/care/shanghai.ts";
import {
  type Need,
  type NeedKind,
  type Visit,
  type VisitKind,
  visitAlert,
  visitFingerprint,
} from "../domain/care/visits.ts";
import type { Vitals } from "../domain/care/vitals.ts";
import { givenName, surname } from "../domain/people/names.ts";
import { createRng, type Rng, type WeightedTable, weightedTable } from "../domain/people/random.ts";
import { KEY_TAGS, type KeyTag } from "../domain/people/tags.ts";
import { hashPassword } from "../server/modules/auth/index.ts";

// Demo care activity: a plan for every key resident (the grid's worker and a family doctor assigned)
// and visits walked period by period through the domain's own calendar (plans.ts), so the ledger,
// today's list and the health timeline look like a community that has been doing the work — mostly
// on time, a few residents slipping into overdue, one per grid never reached, and a handful of
// abnormal readings that alerted the doctor and were followed up. Dates are relative to `now`, so the
// demo always looks current. Per-resident random streams keep it deterministic for a seed whatever
// the load order; COPY in batches of a few thousand rows keeps it fast and memory bounded.
//
// Cost is per row (~50 µs each on PGlite, indexes included): a community is ~1,700 plans and ~13,000
// visits, about a second. The demo loads it for the demo community only (see demo.ts): even a plan
// and a single visit for each of 秦灶街道's 16,600 key residents would be ~33,000 rows, seconds more.

/** How far back the visit history goes (a lapsed resident's last visit may be older). */
const DEFAULT_HISTORY_DAYS = 90;
/** Abnormal readings are placed in the last weeks, where a doctor would still be following them up. */
const ABNORMAL_WITHIN_DAYS = 45;

const VISIT_COLUMNS = [
  "id",
  "idempotency_key",
  "fingerprint",
  "resident_id",
  "org_path",
  "kind",
  "visited_at",
  "duration_minutes",
  "findings",
  "needs",
  "vitals",
  "findings_flags",
  "level",
  "visitor_id",
  "visitor_name",
  "created_at",
];
const PLAN_COLUMNS = [
  "resident_id",
  "org_path",
  "assigned_worker_id",
  "doctor_id",
  "started_at",
  "last_visit_at",
];
const ALERT_COLUMNS = [
  "id",
  "visit_id",
  "resident_id",
  "org_path",
  "doctor_id",
  "level",
  "reasons",
  "state",
  "ack_by",
  "ack_at",
  "ack_note",
  "created_at",
  "updated_at",
];
const CONSULTATION_COLUMNS = [
  "resident_id",
  "org_path",
  "doctor_id",
  "doctor_name",
  "mode",
  "summary",
  "advice",
  "alert_id",
  "at",
  "created_at",
  "updated_at",
];

const FINDINGS = {
  door: [
    "精神状态良好，居家环境整洁",
    "老人在家，饮食起居正常，叮嘱雨天注意防滑",
    "降压药按时服用，子女每周来电",
    "居室通风良好，检查燃气阀门和电器插座无隐患",
    "近期睡眠欠佳，建议到社区卫生服务站就诊",
    "行动较慢但生活能自理，已提醒出门带好老年卡",
    "送上防诈骗宣传资料，讲解常见骗局",
    "与老人聊家常约半小时，情绪稳定",
    "冰箱内食物充足，近期无就医需求",
  ],
  phone: [
    "电话问候，自述身体无不适",
    "电话联系，老人在女儿家小住几天",
    "电话提醒按时服药，约好下次上门时间",
    "电话询问近期饮食起居，一切正常",
    "电话回访，上次反映的问题已解决",
  ],
  video: ["视频通话，精神状态良好", "视频通话，家属在旁，近况平稳"],
  wechat: ["微信联系家属，了解老人近况正常", "微信语音问候，老人回复一切都好"],
  maternal: ["孕期检查按时进行，无不适", "产后恢复良好，已讲解新生儿疫苗接种安排"],
  child: ["孩子学习生活正常，与祖父母同住", "与孩子及监护人交流，近期情绪稳定"],
} as const;

const NEEDS: { kind: NeedKind; notes: string[] }[] = [
  { kind: "groceries", notes: ["需要代买米面油", "腿脚不便，请帮忙买菜"] },
  { kind: "repair", notes: ["卫生间水龙头漏水", "楼道灯不亮，上下楼不便"] },
  { kind: "companionship", notes: ["子女在外地，希望常有人来聊聊", "想参加社区老年活动"] },
  { kind: "medicine", notes: ["降压药快吃完了，需要代配", "需要到卫生服务站配慢病药"] },
];

const KIND_FRAIL = weightedTable<VisitKind>([
  ["door", 65],
  ["phone", 30],
  ["video", 2],
  ["wechat", 3],
]);
const KIND_USUAL = weightedTable<VisitKind>([
  ["door", 50],
  ["phone", 38],
  ["video", 4],
  ["wechat", 8],
]);
const KIND_YOUNG = weightedTable<VisitKind>([
  ["door", 40],
  ["phone", 30],
  ["wechat", 30],
]);
const DURATION: Record<VisitKind, [number, number]> = {
  door: [10, 45],
  phone: [3, 12],
  video: [5, 15],
  wechat: [2, 10],
};

interface Unit {
  id: number;
  kind: string;
  code: string;
  name: string;
  path: string;
}

interface Staff {
  id: number;
  displayName: string;
  role: string;
  unitId: number;
  path: string;
}

interface KeyResident {
  id: number;
  orgPath: string;
  tags: string[];
}

/** A demo visit: the domain's Visit (no phone-side client id) plus who made it and where. */
interface DraftVisit extends Omit<Visit, "clientId"> {
  orgPath: string;
  visitor: Staff;
  doctor: Staff | null;
  followUp?: FollowUp;
}

interface FollowUp {
  at: Date;
  mode: "phone" | "door";
  summary: string;
  advice: string;
}

export interface CareSeedResult {
  staff: number;
  plans: number;
  visits: number;
  alerts: number;
  followUps: number;
}

const isKeyTag = (t: string): t is KeyTag => (KEY_TAGS as readonly string[]).includes(t);
const minutes = (d: Date, n: number) => new Date(d.getTime() + n * 60_000);

/**
 * Loads the care demo for the key residents under `scope` who have no plan yet. Staff the history
 * needs (a worker per grid, a family doctor per community) are created where missing, with the demo
 * password, and audited like any account creation.
 */
export async function seedCare(
  database: Database,
  opts: { scope: string; seed: number; password: string; now?: Date; historyDays?: number },
): Promise<CareSeedResult> {
  const now = opts.now ?? new Date();
  const HISTORY_DAYS = opts.historyDays ?? DEFAULT_HISTORY_DAYS;
  const [scope] = await database.query<{ path: string }>("select path from org_units where code = $1", [
    opts.scope,
  ]);
  if (!scope) throw new Error(`组织代码 ${opts.scope} 不存在`);
  const units = await database.query<Unit>(
    "select id, kind, code, name, path from org_units where path like $1 and kind in ('community', 'grid') order by path",
    [`${scope.path}%`],
  );
  const communities = units.filter((u) => u.kind === "community");
  const grids = units.filter((u) => u.kind === "grid");
  const gridByCode = new Map(grids.map((g) => [g.code, g]));
  const created = await ensureStaff(database, opts, scope.path, communities, grids);
  const staff = await database.query<Staff>(
    `select a.id, a.display_name as "displayName", a.role, o.id as "unitId", o.path from accounts a
     join org_units o on o.id = a.org_unit_id
     where not a.disabled and a.role in ('grid_worker', 'doctor') and (o.path like $1 or $2 like o.path || '%')
     order by a.id`,
    [`${scope.path}%`, scope.path],
  );
  const workerOfGrid = new Map<number, Staff>();
  for (const s of staff)
    if (s.role === "grid_worker" && !workerOfGrid.has(s.unitId)) workerOfGrid.set(s.unitId, s);
  const doctors = staff.filter((s) => s.role === "doctor");

  const [ids] = await database.query<{ v: number; a: number }>(
    "select (select coalesce(max(id), 0) from care_visits)::int as v, (select coalesce(max(id), 0) from care_alerts)::int as a",
  );
  let visitId = ids.v;
  let alertId = ids.a;
  const result: CareSeedResult = { staff: created, plans: 0, visits: 0, alerts: 0, followUps: 0 };
  const today = shanghaiDayNumber(now);
  const out = {
    plans: new CopyBuffer(database, "care_plans", PLAN_COLUMNS),
    visits: new CopyBuffer(database, "care_visits", VISIT_COLUMNS),
    alerts: new CopyBuffer(database, "care_alerts", ALERT_COLUMNS),
    consultations: new CopyBuffer(database, "care_consultations", CONSULTATION_COLUMNS),
  };

  // Key residents without a plan, in path order: each grid's residents come together.
  const residents = await database.query<KeyResident>(
    `select r.id, r.org_path as "orgPath", r.tags from residents r left join care_plans p on p.resident_id = r.id
     where r.org_path like $1 and r.tags <> '{}' and p.id is null order by r.org_path, r.id`,
    [`${scope.path}%`],
  );
  const byGrid = new Map<Unit, { r: KeyResident; rng: Rng; score: number }[]>();
  for (const r of residents) {
    const grid = gridByCode.get(r.orgPath.split("/")[4]);
    if (!grid) continue;
    const rng = createRng(opts.seed, 9_000_000 + r.id);
    const list = byGrid.get(grid) ?? [];
    list.push({ r, rng, score: rng.next() });
    byGrid.set(grid, list);
  }

  for (const [grid, list] of byGrid) {
    const worker = workerOfGrid.get(grid.id);
    if (!worker) continue;
    const covering = doctors.filter((d) => grid.path.startsWith(d.path));
    // The lowest scores are the grid's gaps: one resident nobody has reached, ~2% who slipped.
    const order = [...list].sort((a, b) => a.score - b.score);
    const never = new Set(list.length >= 20 ? [order[0].r.id] : []);
    const lapsed = new Set(
      order.slice(1, 1 + Math.max(1, Math.round(list.length * 0.02))).map((x) => x.r.id),
    );
    const gridVisits: DraftVisit[] = [];
    for (const { r, rng } of list) {
      const tags = r.tags.filter(isKeyTag);
      const plan = planFrequency(tags);
      if (!plan) continue;
      const doctor = covering.length ? covering[Math.floor(rng.next() * covering.length)] : null;
      // Plans began before the history does, so its first periods are owed too.
      const startedAt = shanghaiInstant(today - HISTORY_DAYS - 10 - rng.int(0, 60), rng.int(480, 1020));
      const visits = never.has(r.id)
        ? []
        : historyOf(r, tags, plan.frequency, lapsed.has(r.id), rng, worker, doctor, now, HISTORY_DAYS);
      for (const v of visits) gridVisits.push(v);
      let last: Date | null = null;
      for (const v of visits) if (!last || v.visitedAt > last) last = v.visitedAt;
      await out.plans.add(
        `${r.id},${r.orgPath},${worker.id},${doctor?.id ?? ""},${startedAt.toISOString()},${last ? last.toISOString() : ""}`,
      );
    }
    markAbnormal(gridVisits, createRng(opts.seed, 8_500_000 + grid.id), now);

    gridVisits.sort((a, b) => a.visitedAt.getTime() - b.visitedAt.getTime());
    for (const v of gridVisits) {
      const id = ++visitId;
      const visit: Visit = {
        clientId: `demo-${id}`,
        residentId: v.residentId,
        kind: v.kind,
        visitedAt: v.visitedAt,
        durationMinutes: v.durationMinutes,
        findings: v.findings,
        needs: v.needs,
        vitals: v.vitals,
      };
      const alert = visitAlert(visit);
      const synced = minutes(v.visitedAt, v.durationMinutes + 2).toISOString();
      await out.visits.add(
        `${id},demo:${id},${quote(visitFingerprint(visit))},${v.residentId},${v.orgPath},${v.kind},${v.visitedAt.toISOString()},${v.durationMinutes},${quoteOnce(v.findings)},${json(v.needs)},${json(v.vitals)},${json(alert.flagged)},${alert.level},${v.visitor.id},${quoteOnce(v.visitor.displayName)},${synced}`,
      );
      if (!alert.alertDoctor) continue;
      const aid = ++alertId;
      const f = v.followUp && v.followUp.at <= now && v.doctor ? v.followUp : null;
      await out.alerts.add(
        [
          aid,
          id,
          v.residentId,
          v.orgPath,
          v.doctor?.id,
          alert.level,
          JSON.stringify(alert.reasons),
          f ? "acknowledged" : "open",
          f && v.doctor?.id,
          f?.at.toISOString(),
          f && `随访：${f.summary.slice(0, 100)}`,
          synced,
          f?.at.toISOString() ?? synced,
        ]
          .map(csvField)
          .join(","),
      );
      result.alerts++;
      if (!f || !v.doctor) continue;
      const at = f.at.toISOString();
      await out.consultations.add(
        [
          v.residentId,
          v.orgPath,
          v.doctor.id,
          v.doctor.displayName,
          f.mode,
          f.summary,
          f.advice,
          aid,
          at,
          at,
          at,
        ]
          .map(csvField)
          .join(","),
      );
      result.followUps++;
    }
  }
  for (const b of Object.values(out)) await b.flush();
  result.plans = out.plans.count;
  result.visits = out.visits.count;
  await database.query("select setval('care_visits_id_seq', greatest((select max(id) from care_visits), 1))");
  await database.query("select setval('care_alerts_id_seq', greatest((select max(id) from care_alerts), 1))");
  return result;
}

/** A CSV field that may hold commas, quotes or newlines (names, findings, JSON). */
const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
const quoted = new Map<string, string>();
/** The same few findings and names recur on every row: quote each once. */
function quoteOnce(s: string): string {
  let q = quoted.get(s);
  if (q === undefined) {
    q = quote(s);
    quoted.set(s, q);
  }
  return q;
}
/** Most visits have no needs, vitals or flags: "[]" and "{}" need no quoting. */
function json(x: object): string {
  const s = JSON.stringify(x);
  return s.length === 2 ? s : quote(s);
}

/**
 * Rows for one table, sent a few thousand at a time: the CSV text stays small, and
 * PGlite, which passes the CSV through its in-memory file system, copies small files faster.
 */
class CopyBuffer {
  private rows: string[] = [];
  count = 0;
  constructor(
    private readonly database: Database,
    private readonly table: string,
    private readonly columns: string[],
  ) {}
  async add(row: string) {
    this.rows.push(row);
    this.count++;
    if (this.rows.length >= 4000) await this.flush();
  }
  async flush() {
    if (this.rows.length) await this.database.copyCsv(this.table, this.columns, this.rows.join("\n"));
    this.rows = [];
  }
}

/**
 * One grid worker per grid and one family doctor per community (a 卫生服务站 doctor beside the street
 * health centre's) where none exists yet, in one statement with their audit events.
 */
async function ensureStaff(
  database: Database,
  opts: { seed: number; password: string },
  scopePath: string,
  communities: Unit[],
  grids: Unit[],
): Promise<number> {
  const existing = await database.query<{ role: string; unitId: number }>(
    `select a.role, a.org_unit_id as "unitId" from accounts a join org_units o on o.id = a.org_unit_id
     where not a.disabled and o.path like $1`,
    [`${scopePath}%`],
  );
  const has = (role: string, unitId: number) => existing.some((a) => a.role === role && a.unitId === unitId);
  const communityOf = new Map(communities.map((c) => [c.path, c]));
  const person = (unit: Unit) => {
    const rng = createRng(opts.seed, 8_000_000 + unit.id);
    const male = rng.chance(0.4);
    return surname(rng) + givenName(rng, rng.int(1970, 1998), male);
  };
  const rows: { username: string; displayName: string; role: string; unitId: number }[] = [];
  for (const g of grids) {
    if (has("grid_worker", g.id)) continue;
    const c = communityOf.get(`${g.path.split("/").slice(0, 4).join("/")}/`);
    rows.push({
      username: `gw-${g.code.toLowerCase()}`,
      displayName: `${c?.name ?? ""}${g.name} 网格员 ${person(g)}`,
      role: "grid_worker",
      unitId: g.id,
    });
  }
  for (const c of communities) {
    if (has("doctor", c.id)) continue;
    rows.push({
      username: `doc-${c.code}`,
      displayName: `${c.name}卫生服务站 家庭医生 ${person(c)}`,
      role: "doctor",
      unitId: c.id,
    });
  }
  if (!rows.length) return 0;
  const hash = await hashPassword(opts.password);
  const inserted = await database.query<{ id: number }>(
    `with added as (
       insert into accounts (username, display_name, password_hash, role, org_unit_id)
       select u, d, $5, r, o from unnest($1::text[], $2::text[], $3::text[], $4::int[]) as x(u, d, r, o)
       on conflict (username) do nothing
       returning id, username, role, org_unit_id
     ), logged as (
       insert into audit_events (action, entity, entity_id, org_path, after)
       select 'create', 'account', a.id::text, o.path,
         jsonb_build_object('username', a.username, 'role', a.role, 'org', o.code, 'by', 'demo')
       from added a join org_units o on o.id = a.org_unit_id
     )
     select id from added`,
    [
      rows.map((r) => r.username),
      rows.map((r) => r.displayName),
      rows.map((r) => r.role),
      rows.map((r) => r.unitId),
      hash,
    ],
  );
  return inserted.length;
}

/**
 * A resident's visits, period by period back from today: the current period is visited with a
 * chance growing as it runs out, the last one almost always, older ones mostly. A lapsed resident's
 * most recent periods are skipped, so the plan is overdue today.
 */
function historyOf(
  r: KeyResident,
  tags: KeyTag[],
  frequency: VisitFrequency,
  lapsed: boolean,
  rng: Rng,
  worker: Staff,
  doctor: Staff | null,
  now: Date,
  HISTORY_DAYS: number,
): DraftVisit[] {
  const today = shanghaiDayNumber(now);
  const nowMinute = shanghaiMinuteOfDay(now);
  // Before 09:00 nobody has been out yet today.
  const lastDay = nowMinute >= 540 ? today : today - 1;
  const skip = lapsed ? 2 + rng.int(0, frequency === "weekly" ? 2 : frequency === "semimonthly" ? 1 : 0) : 0;
  const frail = tags.some((t) => t === "aged_80_plus" || t === "disabled_care" || t === "severe_disability");
  const young = tags.some((t) => t === "maternal" || t === "left_behind_child");
  const chronic = tags.includes("chronic_disease");
  const kinds: WeightedTable<VisitKind> = young ? KIND_YOUNG : frail ? KIND_FRAIL : KIND_USUAL;
  const measure = chronic ? 0.7 : frail ? 0.5 : young ? 0 : 0.15;
  const baseSys = chronic ? rng.int(118, 132) : rng.int(106, 124);
  const baseHr = rng.int(64, 84);

  const out: DraftVisit[] = [];
  let p = periodOf(today, frequency);
  // Back ~90 days, and for a lapsed resident at least to the period of their last visit.
  for (let k = 0; p.end >= today - HISTORY_DAYS || k <= skip; k++, p = periodOf(p.start - 1, frequency)) {
    if (k < skip) continue;
    const end = Math.min(p.end, lastDay);
    if (end < p.start) continue;
    const progress = (end - p.start + 1) / (p.end - p.start + 1);
    const chance = lapsed && k === skip ? 1 : k === 0 ? progress * 0.9 : k === 1 ? 0.97 : 0.88;
    if (!rng.chance(chance)) continue;
    const day = rng.int(p.start, end);
    const minute = day === today ? rng.int(480, Math.max(480, nowMinute - 5)) : rng.int(510, 1050);
    const kind = rng.weighted(kinds);
    const [dMin, dMax] = DURATION[kind];
    const vitals: Vitals = {};
    if (kind === "door" && rng.chance(measure)) {
      // Kept below 140/90 and above 90/60: an everyday reading is normal or 正常高值, never an alert.
      const s = Math.min(138, baseSys + rng.int(-8, 8));
      vitals.systolic = s;
      vitals.diastolic = Math.max(62, Math.min(88, Math.round(s * 0.62) + rng.int(-4, 6)));
      vitals.heartRate = baseHr + rng.int(-6, 8);
      if (chronic && rng.chance(0.4)) {
        const fasting = rng.chance(0.5);
        vitals.glucose = fasting ? 5 + rng.int(0, 17) / 10 : 6 + rng.int(0, 34) / 10;
        vitals.glucoseContext = fasting ? "fasting" : "random";
      }
      if (rng.chance(0.2)) vitals.temperature = 36 + rng.int(2, 10) / 10;
      if (frail && rng.chance(0.3)) vitals.spo2 = rng.int(95, 99);
    }
    const pool = young ? (tags.includes("maternal") ? FINDINGS.maternal : FINDINGS.child) : FINDINGS[kind];
    const needs: Need[] = [];
    if (!young && rng.chance(0.05)) {
      const n = rng.pick(NEEDS);
      needs.push({ kind: n.kind, urgency: "routine", note: rng.pick(n.notes) });
    }
    out.push({
      residentId: r.id,
      orgPath: r.orgPath,
      kind,
      visitedAt: shanghaiInstant(day, minute),
      durationMinutes: rng.int(dMin, dMax),
      findings: rng.pick(pool),
      needs,
      vitals,
      visitor: worker,
      doctor,
    });
  }
  return out;
}

/**
 * One or two measured visits of the grid's last weeks become abnormal readings (raised blood pressure,
 * high random glucose or a low fever — never critical, which would open a care-urgent work order):
 * the doctor was alerted and followed up within two days, or has not yet if it happened just now.
 */
function markAbnormal(visits: DraftVisit[], rng: Rng, now: Date) {
  const since = now.getTime() - ABNORMAL_WITHIN_DAYS * 86_400_000;
  const measured = visits.filter(
    (v) => v.vitals.systolic !== undefined && v.visitedAt.getTime() >= since && v.doctor,
  );
  const n = Math.min(measured.length, 1 + (rng.chance(0.5) ? 1 : 0));
  for (let i = 0; i < n; i++) {
    const v = measured.splice(Math.floor(rng.next() * measured.length), 1)[0];
    const at = minutes(v.visitedAt, rng.int(120, 2400));
    const kind = rng.int(0, 3);
    if (kind <= 1) {
      const grade2 = kind === 1;
      const s = grade2 ? rng.int(162, 172) : rng.int(144, 156);
      v.vitals = { ...v.vitals, systolic: s, diastolic: grade2 ? rng.int(96, 104) : rng.int(86, 94) };
      v.findings = "老人自述头晕，近两天降压药漏服，已告知家庭医生";
      v.followUp = {
        at,
        mode: rng.chance(0.7) ? "phone" : "door",
        summary: `复测血压 ${s - rng.int(14, 22)}/${rng.int(80, 88)} mmHg，已恢复规律服药，头晕缓解`,
        advice: "规律服用降压药，低盐饮食，每日早晚测量血压并记录",
      };
    } else if (kind === 2) {
      const g = 11.5 + rng.int(0, 30) / 10;
      v.vitals = { ...v.vitals, glucose: g, glucoseContext: "random" };
      v.findings = "近期饮食控制欠佳，随机血糖偏高，已告知家庭医生";
      v.followUp = {
        at,
        mode: rng.chance(0.5) ? "phone" : "door",
        summary: `复测空腹血糖 ${(6.4 + rng.int(0, 8) / 10).toFixed(1)} mmol/L，讲解饮食控制要点`,
        advice: "控制主食和甜食，按时服用降糖药，一周后复查空腹血糖",
      };
    } else {
      v.vitals = { ...v.vitals, temperature: 37.4 + rng.int(0, 6) / 10 };
      v.findings = "老人咽痛、乏力，测体温偏高，已告知家庭医生";
      v.followUp = {
        at,
        mode: "phone",
        summary: "电话随访：体温已降至 36.8 °C，咽痛减轻，无咳喘",
        advice: "多饮水，注意休息，如再发热及时到社区卫生服务站就诊",
      };
    }
  }
}

/**
 * The hospital side of 双向转诊 in the demo: the liaison account works for 南通大学附属医院, and two of the demo
 * doctor's residents wait there, so the liaison's list is not empty on the first login.
 */
export async function seedReferrals(
  database: Database,
  opts: { liaison: string; doctor: string; hospital: { code: string; name: string }; now?: Date },
): Promise<number> {
  const now = opts.now ?? new Date();
  await database.query(
    `insert into hospital_liaisons (account_id, hospital_code) select id, $2 from accounts where username = $1
     on conflict (account_id) do nothing`,
    [opts.liaison, opts.hospital.code],
  );
  const residents = await database.query<{
    id: number;
    orgPath: string;
    doctorId: number;
    doctorName: string;
  }>(
    `select r.id, r.org_path as "orgPath", a.id as "doctorId", a.display_name as "doctorName"
     from care_plans p join residents r on r.id = p.resident_id join accounts a on a.id = p.doctor_id
     where a.username = $1 and r.tags && array['chronic_disease']::text[] order by r.id desc limit 2`,
    [opts.doctor],
  );
  const reasons = [
    { department: "心内科", reason: "血压控制不佳，随访后仍 170/105，请专科调整用药", green: false },
    { department: "内分泌科", reason: "空腹血糖反复偏高，申请专科评估", green: false },
  ];
  for (const [i, r] of residents.entries()) {
    const at = new Date(now.getTime() - (i + 1) * 3 * 3600_000);
    const x = reasons[i];
    const [f] = await database.query<{ id: number }>(
      `insert into referrals (resident_id, org_path, hospital_code, hospital_name, department, reason, green_channel,
         state, requested_by, requested_at, version)
       values ($1, $2, $3, $4, $5, $6, $7, 'requested', $8, $9, 1) returning id`,
      [
        r.id,
        r.orgPath,
        opts.hospital.code,
        opts.hospital.name,
        x.department,
        x.reason,
        x.green,
        r.doctorId,
        at,
      ],
    );
    await database.query(
      `insert into referral_events (referral_id, action, from_state, to_state, actor_id, actor_name, role, at, note)
       values ($1, 'request', null, 'requested', $2, $3, 'doctor', $4, $5)`,
      [f.id, r.doctorId, r.doctorName, at, x.reason],
    );
  }
  return residents.length;
}
