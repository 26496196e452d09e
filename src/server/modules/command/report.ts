// 信息日报: one day of a unit's work as the leaders read it the next morning — intake and closures, what is
// overdue and escalated now, the day's rates, the units below, the top categories, hot spots and the care
// line — as xlsx (exceljs) and as a printable PDF (pdfkit with the CJK font embedded). Counts and unit names
// only, as on the dashboard.
import ExcelJS from "exceljs";
import PDFDocument from "pdfkit";
import { safeCell } from "../../../domain/files/cells.ts";
import { MAIN_RATES } from "../../../domain/rates/index.ts";
import { shanghaiDate } from "../../../domain/sla/index.ts";
import type { Actor, AppContext } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { cjkFont } from "../../platform/fonts.ts";
import { permits } from "../../platform/policy.ts";
import { workbookBuffer } from "../../platform/spreadsheet/index.ts";
import * as campaigns from "../campaigns/index.ts";
import * as care from "../care/index.ts";
import { getOrgUnit, type OrgNode, unitLabel } from "../orgs/index.ts";
import { parsePeriod, unitRates } from "../rates/index.ts";
import * as workOrders from "../workOrders/index.ts";
import { commandPolicy } from "./policy.ts";
import { HOT_MIN } from "./service.ts";

const DAY_MS = 86_400_000;
/** The report's hot spots look back a week from the day's end. */
const HOT_REPORT_DAYS = 7;

export type DailyReport = Awaited<ReturnType<typeof dailyReport>>;

/** Yesterday in Asia/Shanghai (the report is read at 08:00 about the day before). */
export const yesterday = (now = new Date()) => shanghaiDate(new Date(now.getTime() - DAY_MS));

export async function dailyReport(
  ctx: AppContext,
  actor: Actor,
  q: { org?: number; date?: string },
  now = new Date(),
) {
  commandPolicy.authorize(actor, "read");
  const unit = await getOrgUnit(ctx, actor, q.org ?? actor.orgUnitId);
  return compileReport(ctx, unit, q.date ?? yesterday(now), permits(actor, "care.read"), now);
}

/**
 * One unit's day, for a unit the caller has already found in its scope: a commander's download, or the
 * 08:00 run working as the system (which includes the care line: its readers are the unit's leaders).
 */
export async function compileReport(
  ctx: AppContext,
  unit: OrgNode,
  date: string,
  withCare: boolean,
  now = new Date(),
) {
  const period = parsePeriod(date, date);
  const depth = unit.path.split("/").filter(Boolean).length - 1;
  const [label, day, rates, children, hot, situation, carePanel, campaignLine] = await Promise.all([
    unitLabel(ctx.database, unit),
    workOrders.orderPeriod(ctx, unit.path, period),
    unitRates(ctx, unit, period),
    workOrders.orderChildren(ctx, unit.path, depth, period),
    workOrders.hotSpots(ctx, unit.path, { days: HOT_REPORT_DAYS, min: HOT_MIN, limit: 10 }, period.to),
    workOrders.orderSituation(ctx, unit.path, now),
    withCare ? care.unitCarePanel(ctx, unit, now) : null,
    campaigns.campaignPanel(ctx, unit),
  ]);
  const byCode = new Map(children.map((c) => [c.code, c]));
  const below = unit.kind === "grid" || unit.kind === "micro_grid" ? [] : rates.children;
  return {
    unit: { id: unit.id, name: unit.name, label, kind: unit.kind, path: unit.path },
    date,
    generatedAt: now,
    received: day.received,
    closed: day.closed,
    overdueNow: situation.overdue,
    escalatedNow: situation.escalated,
    openNow: situation.open,
    rates: rates.rates,
    labels: rates.labels,
    byCategory: day.byCategory,
    byChannel: day.byChannel,
    children: below.map((c) => ({
      name: c.unit.name,
      received: byCode.get(c.unit.code)?.received ?? 0,
      open: byCode.get(c.unit.code)?.open ?? 0,
      overdue: byCode.get(c.unit.code)?.overdue ?? 0,
      rates: c.rates,
    })),
    hotSpots: hot,
    care: carePanel,
    campaigns: campaignLine,
  };
}

const pct = (r: { value: number | null }) => (r.value === null ? "—" : `${(r.value * 100).toFixed(1)}%`);

/** The lines every format shares, in reading order. */
function summaryLines(r: DailyReport): [string, string][] {
  return [
    ["受理", `${r.received} 件`],
    ["结案", `${r.closed} 件`],
    ["当前在办", `${r.openNow} 件`],
    ["当前超期", `${r.overdueNow} 件`],
    ["当前吹哨", `${r.escalatedNow} 件`],
    ...MAIN_RATES.map((n) => [r.labels[n], pct(r.rates[n])] as [string, string]),
    ...(r.care
      ? ([
          ["重点人群", `${r.care.keyResidents} 人`],
          ["走访逾期", `${r.care.visitsOverdue} 人`],
          ["未处置预警", `${r.care.alertsOpen} 条（危急 ${r.care.alertsCritical}）`],
        ] as [string, string][])
      : []),
    ...(r.campaigns.campaigns > 0
      ? ([
          [
            "敲门行动",
            `${r.campaigns.campaigns} 项进行中，已走访 ${r.campaigns.visited}/${r.campaigns.target} 户（${r.campaigns.target ? ((r.campaigns.visited / r.campaigns.target) * 100).toFixed(1) : "0"}%）`,
          ],
          ["待回访", `${r.campaigns.revisit} 户（拒访 ${r.campaigns.refused}）`],
        ] as [string, string][])
      : []),
  ];
}

export async function reportXlsx(r: DailyReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "网格管家";
  const head = (ws: ExcelJS.Worksheet, cols: [string, number][]) => {
    ws.columns = cols.map(([header, width]) => ({ header, width }));
    ws.getRow(1).font = { bold: true };
  };
  const summary = wb.addWorksheet("概况");
  head(summary, [
    ["项目", 16],
    ["数值", 24],
  ]);
  summary.addRow(["单位", safeCell(r.unit.label)]);
  summary.addRow(["日期", r.date]);
  for (const [k, v] of summaryLines(r)) summary.addRow([k, v]);
  const units = wb.addWorksheet("下级单位");
  head(units, [
    ["单位", 18],
    ["受理", 8],
    ["在办", 8],
    ["超期", 8],
    ...MAIN_RATES.map((n) => [r.labels[n], 12] as [string, number]),
  ]);
  for (const c of r.children)
    units.addRow([
      safeCell(c.name),
      c.received,
      c.open,
      c.overdue,
      ...MAIN_RATES.map((n) => pct(c.rates[n])),
    ]);
  const cats = wb.addWorksheet("诉求类别");
  head(cats, [
    ["类别", 16],
    ["件数", 8],
  ]);
  for (const c of r.byCategory) cats.addRow([safeCell(c.name), c.n]);
  const hot = wb.addWorksheet("高频诉求");
  head(hot, [
    ["位置", 40],
    ["类别", 14],
    ["件数", 8],
  ]);
  for (const h of r.hotSpots) hot.addRow([safeCell(h.place), safeCell(h.categoryName), h.count]);
  return await workbookBuffer(wb);
}

/** An A4 page (or two): title, the figures, a bar chart of the categories, the units below, hot spots. */
export function reportPdf(r: DailyReport): PDFKit.PDFDocument {
  const [fontPath, family] = cjkFont();
  const doc = new PDFDocument({
    size: "A4",
    margin: 48,
    info: { Title: `${r.unit.label} 信息日报 ${r.date}` },
  });
  doc.registerFont("cjk", fontPath, family);
  doc.font("cjk");
  const left = 48;
  const width = doc.page.width - 96;
  doc
    .fontSize(22)
    .fillColor("#a8071a")
    .text(`${r.unit.label} 信息日报`, left, 48, { width, align: "center" });
  doc
    .fontSize(11)
    .fillColor("#555")
    .text(`${r.date}（生成于 ${fmt(r.generatedAt)}）`, { width, align: "center" });
  doc.moveDown(1);

  // The figures in two columns.
  const lines = summaryLines(r);
  const colW = width / 2;
  let y = doc.y;
  lines.forEach(([k, v], i) => {
    const x = left + (i % 2) * colW;
    if (i % 2 === 0 && i > 0) y += 22;
    doc.fontSize(12).fillColor("#666").text(k, x, y, { width: 90 });
    doc.fillColor("#000").text(v, x + 90, y, { width: colW - 90 });
  });
  y += 36;

  // Categories as bars: the eye finds the biggest first.
  doc.fontSize(14).fillColor("#1d39c4").text("诉求类别", left, y);
  y += 24;
  const top = r.byCategory.slice(0, 8);
  const max = Math.max(1, ...top.map((c) => c.n));
  if (!top.length) {
    doc.fontSize(11).fillColor("#888").text("当日没有工单", left, y);
    y += 20;
  }
  for (const c of top) {
    doc.fontSize(10).fillColor("#333").text(c.name, left, y, { width: 80 });
    const w = ((width - 130) * c.n) / max;
    doc.rect(left + 84, y + 1, Math.max(2, w), 11).fill("#fa8c16");
    doc.fillColor("#333").text(String(c.n), left + 90 + w, y, { width: 40 });
    y += 18;
  }
  y += 12;

  const table = (title: string, header: string[], rows: string[][], widths: number[]) => {
    if (y > doc.page.height - 140) {
      doc.addPage();
      y = 48;
    }
    doc.fontSize(14).fillColor("#1d39c4").text(title, left, y);
    y += 24;
    const row = (cells: string[], bold: boolean) => {
      let x = left;
      doc.fontSize(10).fillColor(bold ? "#000" : "#333");
      cells.forEach((cell, i) => {
        doc.text(cell, x, y, { width: widths[i] - 4, lineBreak: false, ellipsis: true });
        x += widths[i];
      });
      y += 16;
      doc
        .moveTo(left, y - 3)
        .lineTo(left + width, y - 3)
        .lineWidth(0.3)
        .strokeColor("#ddd")
        .stroke();
      if (y > doc.page.height - 60) {
        doc.addPage();
        y = 48;
      }
    };
    row(header, true);
    if (!rows.length) row(["（无）"], false);
    for (const cells of rows) row(cells, false);
    y += 12;
  };
  if (r.children.length)
    table(
      "下级单位",
      ["单位", "受理", "在办", "超期", ...MAIN_RATES.map((n) => r.labels[n])],
      r.children.map((c) => [
        c.name,
        String(c.received),
        String(c.open),
        String(c.overdue),
        ...MAIN_RATES.map((n) => pct(c.rates[n])),
      ]),
      [90, 36, 36, 36, ...MAIN_RATES.map(() => (width - 198) / MAIN_RATES.length)],
    );
  table(
    `高频诉求（截至当日的近 ${HOT_REPORT_DAYS} 天，同类 ≥ ${HOT_MIN} 件）`,
    ["位置", "类别", "件数"],
    r.hotSpots.map((h) => [h.place, h.categoryName, String(h.count)]),
    [width - 140, 100, 40],
  );
  doc.end();
  return doc;
}

const fmt = (d: Date) =>
  d.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }).replaceAll("/", "-");

/** Downloading the report is a read of figures, but it leaves the system: the audit log says who took it. */
export function recordDownload(ctx: AppContext, actor: Actor, r: DailyReport, format: string) {
  return audit.record(ctx.database.db, actor, {
    action: "export",
    entity: "daily_report",
    orgPath: r.unit.path,
    after: { unit: r.unit.id, date: r.date, format },
  });
}

/** The PDF as bytes, for the archive. */
export function pdfBytes(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    doc.on("data", (b: Buffer) => parts.push(b));
    doc.on("end", () => resolve(Buffer.concat(parts)));
    doc.on("error", reject);
  });
}
