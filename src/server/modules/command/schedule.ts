// 信息日报 at 08:00: every morning the district's and each street's report for yesterday is made once,
// archived (PDF + xlsx) and queued through the outbox to the unit's leaders. Any number of server processes
// may run the job: the (unit, date) row is the claim, and a claim whose maker died is taken over after a lease.
import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import { nameInitials } from "../../../domain/people/pinyin.ts";
import { shanghaiDate } from "../../../domain/sla/index.ts";
import type { Actor, AppContext } from "../../context.ts";
import { systemPrincipal } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { Forbidden, Invalid, NotFound } from "../../platform/errors.ts";
import { atDistrictLevel } from "../../platform/policy.ts";
import { hasPermission, PERMISSIONS } from "../../platform/roles.ts";
import * as notifications from "../notifications/index.ts";
import { getOrgUnit, type OrgNode, unitLabel } from "../orgs/index.ts";
import { commandPolicy } from "./policy.ts";
import { compileReport, pdfBytes, reportPdf, reportXlsx } from "./report.ts";

const DAY_MS = 86_400_000;
/** The hour (Asia/Shanghai) from which yesterday's report is due. */
export const REPORT_HOUR = 8;
/** A claim older than this without its files is a maker that died: another process takes it over. */
export const CLAIM_LEASE_MINUTES = 10;
const SYSTEM = systemPrincipal("daily-report", "信息日报");

/**
 * The day whose report should exist at `now`: yesterday from 08:00 on, the day before until then (so a
 * server that was down at 08:00 catches up on its next run, and nobody gets today's half-day).
 */
export function reportDateDue(now: Date): string {
  const hour = Number(
    new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Shanghai", hour: "2-digit", hour12: false }).format(
      now,
    ),
  );
  return shanghaiDate(new Date(now.getTime() - (hour >= REPORT_HOUR ? 1 : 2) * DAY_MS));
}

/** The units that get a report every morning: the district (the tree's roots) and its streets. */
async function reportingUnits(ctx: AppContext): Promise<OrgNode[]> {
  const rows = await ctx.database.query<{ id: number }>(
    "select id from org_units where kind in ('district', 'street') order by path",
  );
  return Promise.all(rows.map((r) => getOrgUnit(ctx, SYSTEM, r.id)));
}

/** Claims the unit's report for the day; true when this process is to make it. */
async function claim(ctx: AppContext, unit: OrgNode, date: string): Promise<boolean> {
  const rows = await ctx.database.query<{ id: number }>(
    `insert into daily_reports (org_unit_id, org_path, date) values ($1, $2, $3)
     on conflict (org_unit_id, date) do update set claimed_at = now(), updated_at = now()
       where daily_reports.state = 'generating'
         and daily_reports.claimed_at < now() - make_interval(mins => $4)
     returning id`,
    [unit.id, unit.path, date, CLAIM_LEASE_MINUTES],
  );
  return rows.length > 0;
}

/** Makes, archives and sends one unit's report for `date` (already claimed). */
async function makeReport(ctx: AppContext, unit: OrgNode, date: string, now: Date) {
  const report = await compileReport(ctx, unit, date, true, now);
  const [pdf, xlsx] = await Promise.all([pdfBytes(reportPdf(report)), reportXlsx(report)]);
  const recipients = await ctx.database.query<{ accountId: number }>(
    `select r.account_id as "accountId" from daily_report_recipients r join accounts a on a.id = r.account_id
     where r.org_unit_id = $1 and not a.disabled order by r.account_id`,
    [unit.id],
  );
  await ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    await tx.execute(sql`update daily_reports set state = 'ready', pdf = ${pdf}, xlsx = ${xlsx},
      sent_to = ${recipients.length}, ready_at = now(), updated_at = now()
      where org_unit_id = ${unit.id} and date = ${date}`);
    for (const r of recipients)
      await notifications.enqueue(tx, {
        kind: "daily_report",
        recipientAccountId: r.accountId,
        orgPath: unit.path,
        title: `${report.unit.label}信息日报（${date}）`,
        body: `受理 ${report.received} 件，结案 ${report.closed} 件，当前超期 ${report.overdueNow} 件。PDF 与 Excel 已存档，请在指挥中心「日报存档」查看`,
      });
    await audit.record(tx, SYSTEM, {
      action: "create",
      entity: "daily_report",
      orgPath: unit.path,
      after: {
        unit: unit.id,
        date,
        recipients: recipients.length,
        pdfBytes: pdf.length,
        xlsxBytes: xlsx.length,
      },
    });
  });
}

/**
 * The scheduled run: for each reporting unit whose report for the due day is missing, claim and make it.
 * Returns what this process made (other processes' work is not counted).
 */
export async function runDailyReports(
  ctx: AppContext,
  now = new Date(),
): Promise<{ date: string; made: number }> {
  const date = reportDateDue(now);
  let made = 0;
  for (const unit of await reportingUnits(ctx)) {
    if (!(await claim(ctx, unit, date))) continue;
    await makeReport(ctx, unit, date, now);
    made++;
  }
  return { date, made };
}

// ── The archive, as commanders read it ────────────────────────────────────────────────────────────────

export async function listArchive(ctx: AppContext, actor: Actor, q: { org?: number; limit: number }) {
  commandPolicy.authorize(actor, "read");
  const unit = await getOrgUnit(ctx, actor, q.org ?? actor.orgUnitId);
  const rows = await ctx.database.query<{
    id: number;
    orgUnitId: number;
    date: string;
    state: string;
    readyAt: Date | null;
    sentTo: number;
    pdfSize: number | null;
    xlsxSize: number | null;
  }>(
    `select d.id, d.org_unit_id as "orgUnitId", d.date::text as date, d.state, d.ready_at as "readyAt",
       d.sent_to as "sentTo", octet_length(d.pdf) as "pdfSize", octet_length(d.xlsx) as "xlsxSize"
     from daily_reports d where d.org_path like $1 order by d.date desc, d.org_path limit $2`,
    [subtreePattern(unit.path), q.limit],
  );
  const units = new Map<number, { id: number; label: string }>();
  for (const r of rows)
    if (!units.has(r.orgUnitId)) {
      const u = await getOrgUnit(ctx, actor, r.orgUnitId);
      units.set(r.orgUnitId, { id: u.id, label: await unitLabel(ctx.database, u) });
    }
  return {
    items: rows.map((r) => ({
      id: r.id,
      unit: units.get(r.orgUnitId)!,
      date: r.date,
      state: r.state as "generating" | "ready",
      readyAt: r.readyAt,
      sentTo: r.sentTo,
      pdfSize: r.pdfSize,
      xlsxSize: r.xlsxSize,
    })),
  };
}

/** One archived report's file; outside the caller's subtree, or not made yet, it does not exist. */
export async function archivedFile(ctx: AppContext, actor: Actor, id: number, format: "pdf" | "xlsx") {
  commandPolicy.authorize(actor, "read");
  const [row] = await ctx.database.query<{
    orgPath: string;
    orgUnitId: number;
    date: string;
    file: Buffer | null;
  }>(
    `select org_path as "orgPath", org_unit_id as "orgUnitId", date::text as date, ${format === "pdf" ? "pdf" : "xlsx"} as file
     from daily_reports where id = $1 and state = 'ready' and org_path like $2`,
    [id, subtreePattern(actor.orgPath)],
  );
  if (!row?.file) throw NotFound("日报不存在");
  const unit = await getOrgUnit(ctx, actor, row.orgUnitId);
  await audit.record(ctx.database.db, actor, {
    action: "export",
    entity: "daily_report",
    entityId: id,
    orgPath: row.orgPath,
    after: { unit: row.orgUnitId, date: row.date, format, archived: true },
  });
  return { file: Buffer.from(row.file), date: row.date, unitName: unit.name };
}

// ── Recipients: a district-wide setting ─────────────────────────────────────────────────────────────

export async function listRecipients(ctx: AppContext, actor: Actor, org?: number) {
  commandPolicy.authorize(actor, "read");
  const unit = await getOrgUnit(ctx, actor, org ?? actor.orgUnitId);
  const rows = await ctx.database.query<{ id: number; displayName: string; role: string; orgName: string }>(
    `select a.id, a.display_name as "displayName", a.role, o.name as "orgName"
     from daily_report_recipients r join accounts a on a.id = r.account_id join org_units o on o.id = a.org_unit_id
     where r.org_unit_id = $1 order by a.id`,
    [unit.id],
  );
  const editable = atDistrictLevel(actor);
  // Whom the district may pick: accounts that read the command center (commanders, community admins).
  const roles = PERMISSIONS["command.read"];
  const candidates = editable
    ? await ctx.database.query<{ id: number; displayName: string; role: string; orgName: string }>(
        `select a.id, a.display_name as "displayName", a.role, o.name as "orgName"
         from accounts a join org_units o on o.id = a.org_unit_id
         where not a.disabled and a.role = any($1::text[]) and o.path like $2 order by o.path, a.id limit 500`,
        [roles, subtreePattern(actor.orgPath)],
      )
    : [];
  return {
    unit: { id: unit.id, name: unit.name },
    editable,
    items: rows,
    candidates: candidates.map((c) => ({ ...c, initials: nameInitials(c.displayName) })),
  };
}

/** Replaces a unit's recipient list (district level only; each must be an active account that reads the command center). */
export async function setRecipients(ctx: AppContext, actor: Actor, org: number, accountIds: number[]) {
  commandPolicy.authorize(actor, "read");
  if (!atDistrictLevel(actor)) throw Forbidden("日报接收人由区级设置，街道只读");
  const unit = await getOrgUnit(ctx, actor, org);
  if (unit.kind !== "district" && unit.kind !== "street")
    throw Invalid("只有区和街道有每日日报", [{ field: "org", message: "单位: 须为区或街道" }]);
  const ids = [...new Set(accountIds)];
  const found = await ctx.database.query<{ id: number; role: string }>(
    `select a.id, a.role from accounts a join org_units o on o.id = a.org_unit_id
     where a.id = any($1::int[]) and not a.disabled and o.path like $2`,
    [ids, subtreePattern(actor.orgPath)],
  );
  const bad = ids.filter((id) => {
    const a = found.find((f) => f.id === id);
    return !a || !hasPermission(a.role, "command.read");
  });
  if (bad.length)
    throw Invalid("接收人须为可查看指挥中心的在用账号", [
      { field: "accountIds", message: `接收人: 账号 ${bad.join("、")} 不存在或不能查看指挥中心` },
    ]);
  const before = await listRecipients(ctx, actor, org);
  await ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    await tx.execute(sql`delete from daily_report_recipients where org_unit_id = ${unit.id}`);
    for (const id of ids)
      await tx.execute(
        sql`insert into daily_report_recipients (org_unit_id, account_id) values (${unit.id}, ${id})`,
      );
    await audit.record(tx, actor, {
      action: "update",
      entity: "daily_report_recipients",
      entityId: unit.id,
      orgPath: unit.path,
      before: { accountIds: before.items.map((i) => i.id) },
      after: { accountIds: ids },
    });
  });
  return listRecipients(ctx, actor, org);
}
