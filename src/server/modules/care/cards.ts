import PDFDocument from "pdfkit";
import { CARE_TEAM_ROLE_LABELS, CARE_TEAM_ROLES } from "../../../domain/care/contracts.ts";
import { planFrequency } from "../../../domain/care/plans.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { Actor, AppContext } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Invalid } from "../../platform/errors.ts";
import { cjkFont } from "../../platform/fonts.ts";
import { dutyPhoneOf, getOrgUnit } from "../orgs/index.ts";
import { communityCodeOf, isKeyTag, planConfigs, residentInScope, tagLabel } from "./common.ts";
import { carePolicy } from "./policy.ts";
import type { MemberRow } from "./presenter.ts";
import { teamForCard } from "./teams.ts";

// 一人一专班联系卡: one A5 page per key resident with the phones of their care team, printed and
// left at the door. Chinese needs a CJK font embedded (pdfkit subsets it), so the card is readable
// on any printer. Pages are written as they are drawn and the stream waits for the reader, so a
// grid's 1,400 cards never sit in memory at once.

interface CardResident {
  id: number;
  name: string;
  address: string;
  orgPath: string;
  tags: string[];
  workerName: string | null;
  /** The worker's and the doctor's work phones (accounts.work_phone): the card exists to carry them. */
  workerPhone: string | null;
  doctorName: string | null;
  doctorPhone: string | null;
  doctorAccountId: number | null;
}

const CARD_COLUMNS = `r.id, r.name, r.address, r.org_path as "orgPath", r.tags, w.display_name as "workerName",
  w.work_phone as "workerPhone", d.display_name as "doctorName", d.work_phone as "doctorPhone",
  d.id as "doctorAccountId"`;
const CARD_FROM = `residents r left join care_plans p on p.resident_id = r.id
  left join accounts w on w.id = p.assigned_worker_id
  left join accounts d on d.id = coalesce(p.doctor_id, r.family_doctor_id)`;

interface CommunityInfo {
  id: number;
  name: string;
  /** The community's on-duty hotline 社区值班电话, printed at the foot of every card. */
  dutyPhone: string | null;
  members: MemberRow[];
}

/** What a card would print without: its worker's or doctor's number, or the community's hotline. */
export type CardGap = "worker" | "workerPhone" | "doctor" | "doctorPhone" | "hotline";

export const CARD_GAP_LABELS: Record<CardGap, string> = {
  worker: "未指定责任网格员",
  workerPhone: "责任网格员无工作电话",
  doctor: "未签约家庭医生",
  doctorPhone: "家庭医生无工作电话",
  hotline: "社区未设值班电话",
};

/** The rows of the card's team table: role, name, phone (empty when the card would print "—"). */
function teamRows(r: CardResident, c: CommunityInfo): [string, string, string][] {
  const rows: [string, string, string][] = [];
  if (r.workerName) rows.push(["责任网格员", r.workerName, r.workerPhone ?? ""]);
  if (r.doctorName) {
    // The roster entry of the signed doctor carries the name residents know and a work phone; the doctor's
    // account's work phone stands in when the roster has none.
    const seat = c.members.find((m) => m.accountId !== null && m.accountId === r.doctorAccountId);
    rows.push(["签约家庭医生", seat?.name ?? r.doctorName, seat?.phone || r.doctorPhone || ""]);
  }
  return rows;
}

/** Why this resident's card would be missing a number (an empty list: the card is whole). */
export function cardGaps(r: CardResident, c: CommunityInfo): CardGap[] {
  const gaps: CardGap[] = [];
  const rows = teamRows(r, c);
  const worker = rows.find((x) => x[0] === "责任网格员");
  const doctor = rows.find((x) => x[0] === "签约家庭医生");
  if (!worker) gaps.push("worker");
  else if (!worker[2]) gaps.push("workerPhone");
  if (!doctor) gaps.push("doctor");
  else if (!doctor[2]) gaps.push("doctorPhone");
  if (!c.dutyPhone) gaps.push("hotline");
  return gaps;
}

const HIGH_WATER = 4 * 1024 * 1024;

/** Waits while the reader is behind, so a slow download does not buffer the whole PDF. */
async function backpressure(doc: PDFKit.PDFDocument) {
  while (doc.readableLength > HIGH_WATER && !doc.destroyed)
    await new Promise<void>((resolve) => {
      const done = () => {
        doc.off("data", done);
        doc.off("close", done);
        resolve();
      };
      doc.once("data", done);
      doc.once("close", done);
    });
}

function drawCard(doc: PDFKit.PDFDocument, r: CardResident, c: CommunityInfo, frequencyLabel: string | null) {
  doc.addPage({ size: "A5", margin: 36 });
  const left = 36;
  const width = doc.page.width - 72;
  doc
    .rect(24, 24, doc.page.width - 48, doc.page.height - 48)
    .lineWidth(1.5)
    .stroke("#c0392b");
  doc.fillColor("#c0392b").fontSize(20).text("一人一专班联系卡", left, 44, { width, align: "center" });
  doc.fillColor("#555").fontSize(10).text(`${c.name} 爱心专班`, left, 72, { width, align: "center" });

  doc.fillColor("#000").fontSize(12);
  let y = 100;
  const line = (label: string, value: string) => {
    doc.font("cjk").fontSize(11).fillColor("#666").text(label, left, y, { width: 70 });
    doc.fillColor("#000").text(value, left + 72, y, { width: width - 72 });
    y = doc.y + 6;
  };
  line("服务对象", r.name);
  line("住　　址", r.address);
  line("人群类别", r.tags.map(tagLabel).join("、") || "—");
  if (frequencyLabel) line("走访频次", frequencyLabel);

  y += 6;
  doc
    .moveTo(left, y)
    .lineTo(left + width, y)
    .lineWidth(0.5)
    .stroke("#999");
  y += 10;
  doc.fontSize(13).fillColor("#c0392b").text("专班成员", left, y);
  y = doc.y + 6;

  const rows = teamRows(r, c);
  for (const role of CARE_TEAM_ROLES) {
    for (const m of c.members.filter((x) => x.teamRole === role).slice(0, 2)) {
      if (role === "doctor" && m.accountId !== null && m.accountId === r.doctorAccountId) continue;
      rows.push([CARE_TEAM_ROLE_LABELS[role], m.name, m.phone]);
    }
  }
  if (!rows.length) rows.push(["—", "专班成员待安排", ""]);
  const col = [left, left + 96, left + 246];
  const colWidth = [92, 146, width - 246];
  doc.fontSize(10).fillColor("#666");
  doc.text("角色", col[0], y);
  doc.text("姓名", col[1], y);
  doc.text("联系电话", col[2], y);
  y += 18;
  doc.fontSize(12).fillColor("#000");
  const bottom = doc.page.height - 110;
  for (const cells of rows) {
    // Long names (a clinic's full title) wrap; the row is as tall as its tallest cell.
    const h = Math.max(...cells.map((text, i) => doc.heightOfString(text || "—", { width: colWidth[i] })));
    if (y + h > bottom) break;
    for (const [i, text] of cells.entries()) doc.text(text || "—", col[i], y, { width: colWidth[i] });
    y += h + 8;
  }
  const foot = doc.page.height - 96;
  doc
    .moveTo(left, foot)
    .lineTo(left + width, foot)
    .lineWidth(0.5)
    .stroke("#999");
  doc
    .fontSize(10)
    .fillColor("#333")
    .text("紧急情况请拨打 120（急救）、110（报警）、119（火警）。", left, foot + 8, { width })
    .text(
      c.dutyPhone
        ? `爱心专班 24 小时值班，社区值班电话：${c.dutyPhone}`
        : "爱心专班 24 小时值班，有困难请随时联系。",
      left,
      doc.y + 2,
      { width },
    );
}

type Configs = Awaited<ReturnType<typeof planConfigs>>;

function frequencyOf(r: CardResident, configs: Configs) {
  return (
    planFrequency(r.tags.filter(isKeyTag), configs.get(communityCodeOf(r.orgPath) ?? "") ?? {})?.label ?? null
  );
}

async function communityInfo(ctx: AppContext, cache: Map<string, CommunityInfo>, orgPath: string) {
  const code = communityCodeOf(orgPath) ?? "";
  let c = cache.get(code);
  if (!c) {
    const [u] = await ctx.database.query<{ id: number; name: string }>(
      "select id, name from org_units where code = $1",
      [code],
    );
    c = {
      id: u?.id ?? 0,
      name: u?.name ?? "",
      dutyPhone: u ? await dutyPhoneOf(ctx, u.id) : null,
      members: u ? await teamForCard(ctx, u.id) : [],
    };
    cache.set(code, c);
  }
  return c;
}

function newDoc(title: string) {
  const [path, family] = cjkFont();
  const doc = new PDFDocument({
    autoFirstPage: false,
    info: { Title: title, Creator: "Gridkeeper 网格管家" },
  });
  doc.registerFont("cjk", path, family);
  doc.font("cjk");
  return doc;
}

export async function residentCard(ctx: AppContext, actor: Actor, residentId: number) {
  carePolicy.authorize(actor, "read");
  const base = await residentInScope(ctx, actor, residentId);
  const [r] = await ctx.database.query<CardResident>(
    `select ${CARD_COLUMNS} from ${CARD_FROM} where r.id = $1`,
    [base.id],
  );
  const configs = await planConfigs(ctx, r.orgPath);
  const community = await communityInfo(ctx, new Map(), r.orgPath);
  const doc = newDoc(`一人一专班联系卡 ${r.name}`);
  drawCard(doc, r, community, frequencyOf(r, configs));
  doc.end();
  await audit.record(ctx.database.db, actor, {
    action: "print",
    entity: "care_card",
    entityId: r.id,
    orgPath: r.orgPath,
  });
  return doc;
}

/** All key residents of a grid (or any unit in scope), one page each, streamed. */
export async function bulkCards(ctx: AppContext, actor: Actor, orgId: number) {
  carePolicy.authorize(actor, "read");
  const unit = await getOrgUnit(ctx, actor, orgId);
  if (unit.kind === "district" || unit.kind === "street")
    throw Invalid("请按社区或网格打印联系卡", [{ field: "grid", message: "请选择社区、网格或微网格" }]);
  const configs = await planConfigs(ctx, unit.path);
  const doc = newDoc(`一人一专班联系卡 ${unit.name}`);
  const cache = new Map<string, CommunityInfo>();
  const pattern = subtreePattern(unit.path);
  const run = async () => {
    // Keyset in place order on the (path collate "C", id) index: a community's pages seek straight to it.
    let after: [string, number] = [unit.path, 0];
    let count = 0;
    for (;;) {
      const page = await ctx.database.query<CardResident>(
        `select ${CARD_COLUMNS} from ${CARD_FROM} where r.org_path collate "C" like $1 and r.tags <> '{}'
           and (r.org_path collate "C", r.id) > ($2::text collate "C", $3::int)
         order by r.org_path collate "C", r.id limit 200`,
        [pattern, ...after],
      );
      for (const r of page) {
        drawCard(doc, r, await communityInfo(ctx, cache, r.orgPath), frequencyOf(r, configs));
        await backpressure(doc);
        if (doc.destroyed) return;
      }
      count += page.length;
      if (page.length < 200) break;
      const last = page[page.length - 1];
      after = [last.orgPath, last.id];
    }
    if (count === 0) {
      doc.addPage({ size: "A5", margin: 36 });
      doc.fontSize(14).text(`${unit.name} 暂无重点人群`, { align: "center" });
    }
    doc.end();
    await audit.record(ctx.database.db, actor, {
      action: "print",
      entity: "care_card",
      orgPath: unit.path,
      after: { org: unit.id, count },
    });
  };
  run().catch((e) => doc.destroy(e));
  return doc;
}

/** How many examples of incomplete cards the check names (the counts cover all). */
const GAP_EXAMPLES = 50;

/**
 * Before printing a grid's cards: which would carry "—" where a number belongs (no worker or doctor, or one
 * without a work phone) and whether the community's hotline is set, so the gaps are filled first.
 */
export async function checkCards(ctx: AppContext, actor: Actor, orgId: number) {
  carePolicy.authorize(actor, "read");
  const unit = await getOrgUnit(ctx, actor, orgId);
  if (unit.kind === "district" || unit.kind === "street")
    throw Invalid("请按社区或网格检查联系卡", [{ field: "grid", message: "请选择社区、网格或微网格" }]);
  const rows = await ctx.database.query<CardResident>(
    `select ${CARD_COLUMNS} from ${CARD_FROM} where r.org_path collate "C" like $1 and r.tags <> '{}'
     order by r.org_path collate "C", r.id`,
    [subtreePattern(unit.path)],
  );
  const cache = new Map<string, CommunityInfo>();
  const counts: Record<CardGap, number> = {
    worker: 0,
    workerPhone: 0,
    doctor: 0,
    doctorPhone: 0,
    hotline: 0,
  };
  const examples: { residentId: number; name: string; gaps: CardGap[]; gapLabels: string[] }[] = [];
  const hotlineMissing = new Set<string>();
  let incomplete = 0;
  for (const r of rows) {
    const c = await communityInfo(ctx, cache, r.orgPath);
    const gaps = cardGaps(r, c);
    for (const g of gaps) counts[g]++;
    if (gaps.includes("hotline")) hotlineMissing.add(c.name);
    if (gaps.some((g) => g !== "hotline")) {
      incomplete++;
      if (examples.length < GAP_EXAMPLES)
        examples.push({
          residentId: r.id,
          name: r.name,
          gaps: gaps.filter((g) => g !== "hotline"),
          gapLabels: gaps.filter((g) => g !== "hotline").map((g) => CARD_GAP_LABELS[g]),
        });
    }
  }
  return {
    org: { id: unit.id, name: unit.name },
    cards: rows.length,
    incomplete,
    counts,
    hotlineMissing: [...hotlineMissing],
    examples,
  };
}
