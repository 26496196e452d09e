// What a list came to: its progress, the classification per street and community (adding up to the rows
// read), the rows behind each count, per-grid task progress, and the exports. A caller sees a list of their
// own area, or one imported above them through its rows inside their area only.
import ExcelJS from "exceljs";
import { subtreePattern } from "../../../domain/org/scope.ts";
import {
  CLASS_LABELS,
  CLASSES,
  OUTCOME_LABELS,
  type Outcome,
  type RowClass,
} from "../../../domain/verification/match.ts";
import { SKIP_LABELS } from "../../../domain/verification/rows.ts";
import type { Actor, AppContext } from "../../context.ts";
import { NotFound } from "../../platform/errors.ts";
import { auditExport, revealedExport } from "../../platform/reveal.ts";
import { workbookBuffer } from "../../platform/spreadsheet/index.ts";
import { verificationPolicy } from "./policy.ts";
import { type ListView, presentList, presentRow, type RowRecord } from "./presenter.ts";

const LIST_COLUMNS = `l.id, l.title, l.filename, l.format, l.state, l.estimate, l.checkpoint, l.counters,
  l.deadline::text as deadline, l.org_path as "orgPath", o.name as "orgName", l.owner_name as "ownerName",
  l.error, l.created_at as "createdAt", l.finished_at as "finishedAt", l.routed_at as "routedAt",
  coalesce(l.campaign_id, l.id) as "campaignId", l.batch_no as "batchNo"`;

/** Lists of the caller's area, and lists imported above it (seen through their rows inside it). */
const VISIBLE = (p: number) => `(l.org_path like $${p} or $${p + 1} like l.org_path || '%')`;

export async function listLists(ctx: AppContext, actor: Actor): Promise<ListView[]> {
  verificationPolicy.authorize(actor, "manage");
  const rows = await ctx.database.query<any>(
    `select ${LIST_COLUMNS} from verification_lists l join org_units o on o.id = l.org_unit_id
     where ${VISIBLE(1)} order by l.id desc limit 100`,
    [subtreePattern(actor.orgPath), actor.orgPath],
  );
  return rows.map((r) => presentList(r, actor));
}

async function visibleList(ctx: AppContext, actor: Actor, id: number) {
  verificationPolicy.authorize(actor, "manage");
  const [l] = await ctx.database.query<any>(
    `select ${LIST_COLUMNS} from verification_lists l join org_units o on o.id = l.org_unit_id
     where l.id = $3 and ${VISIBLE(1)}`,
    [subtreePattern(actor.orgPath), actor.orgPath, id],
  );
  if (!l) throw NotFound("核查名单不存在");
  return l;
}

export type BatchStatus = "new" | "unchanged" | "changed";

/**
 * The batches of the list's campaign, first to last: each with its rows read and what they came to —
 * header, skipped, and the classified rows as new / unchanged / changed (which add up to the rows read).
 */
export async function listBatches(ctx: AppContext, actor: Actor, id: number) {
  const l = await visibleList(ctx, actor, id);
  const lists = await ctx.database.query<any>(
    `select ${LIST_COLUMNS} from verification_lists l join org_units o on o.id = l.org_unit_id
     where coalesce(l.campaign_id, l.id) = $1 order by l.batch_no, l.id`,
    [l.campaignId],
  );
  const counts = await ctx.database.query<{ listId: number; bs: BatchStatus; n: number }>(
    `select list_id as "listId", coalesce(batch_status, 'new') as bs, count(*)::int as n
     from verification_rows where list_id = any($1::int[]) and org_path like $2 group by 1, 2`,
    [lists.map((x) => x.id), subtreePattern(actor.orgPath)],
  );
  return {
    campaignId: l.campaignId,
    items: lists.map((x) => {
      const c = x.counters as Record<string, number>;
      const own = x.orgPath.startsWith(actor.orgPath);
      const by = { new: 0, unchanged: 0, changed: 0 };
      for (const r of counts) if (r.listId === x.id) by[r.bs] += r.n;
      const classified = by.new + by.unchanged + by.changed;
      const skipped = own
        ? ["blank", "title", "header", "total"].reduce((n, k) => n + (c[`skip_${k}`] ?? 0), 0)
        : 0;
      return {
        ...presentList(x, actor),
        rowsRead: own ? (c.rows ?? c.read ?? 0) : classified,
        headerRows: own ? (c.header_row ?? 0) : 0,
        skipped,
        ...by,
      };
    }),
  };
}

export async function getList(ctx: AppContext, actor: Actor, id: number) {
  return presentList(await visibleList(ctx, actor, id), actor);
}

export interface SummaryLine {
  streetCode: string | null;
  streetName: string | null;
  communityCode: string | null;
  communityName: string | null;
  counts: Record<RowClass, number>;
  total: number;
}

/**
 * Rows per street and community by class, with the skipped rows beside them: skipped + classified = rows
 * read (for a list of the caller's own area; below it, the lines of the caller's area only).
 */
export async function summary(ctx: AppContext, actor: Actor, id: number) {
  const l = await visibleList(ctx, actor, id);
  const rows = await ctx.database.query<{
    st: string | null;
    co: string | null;
    class: RowClass;
    bs: BatchStatus;
    n: number;
  }>(
    `select street_code as st, community_code as co, class, coalesce(batch_status, 'new') as bs,
       count(*)::int as n from verification_rows
     where list_id = $1 and org_path like $2 group by 1, 2, 3, 4`,
    [id, subtreePattern(actor.orgPath)],
  );
  const batch = { campaignId: l.campaignId, batchNo: l.batchNo, new: 0, unchanged: 0, changed: 0 };
  for (const r of rows) batch[r.bs] += r.n;
  const codes = [...new Set(rows.flatMap((r) => [r.st, r.co]).filter((c): c is string => !!c))];
  const names = new Map(
    (
      await ctx.database.query<{ code: string; name: string }>(
        "select code, name from org_units where code = any($1::text[])",
        [codes],
      )
    ).map((u) => [u.code, u.name]),
  );
  const lines = new Map<string, SummaryLine>();
  const zero = () => Object.fromEntries(CLASSES.map((c) => [c, 0])) as Record<RowClass, number>;
  const totals = zero();
  for (const r of rows) {
    const key = `${r.st}|${r.co}`;
    let line = lines.get(key);
    if (!line) {
      line = {
        streetCode: r.st,
        streetName: r.st ? (names.get(r.st) ?? null) : null,
        communityCode: r.co,
        communityName: r.co ? (names.get(r.co) ?? null) : null,
        counts: zero(),
        total: 0,
      };
      lines.set(key, line);
    }
    line.counts[r.class] += r.n;
    line.total += r.n;
    totals[r.class] += r.n;
  }
  const own = l.orgPath.startsWith(actor.orgPath);
  const c = l.counters as Record<string, number>;
  const skipped = own
    ? (["blank", "title", "header", "total"] as const).map((k) => ({
        reason: k,
        label: SKIP_LABELS[k],
        count: c[`skip_${k}`] ?? 0,
      }))
    : [];
  const headerRows = own ? (c.header_row ?? 0) : 0;
  const classified = CLASSES.reduce((s, k) => s + totals[k], 0);
  return {
    listId: id,
    rowsRead: own ? (c.rows ?? c.read ?? 0) : classified,
    headerRows,
    skipped,
    classified,
    totals,
    batch,
    lines: [...lines.values()].sort((a, b) =>
      `${a.streetCode ?? "~"}${a.communityCode ?? "~"}`.localeCompare(
        `${b.streetCode ?? "~"}${b.communityCode ?? "~"}`,
      ),
    ),
  };
}

const ROW_COLUMNS = `v.id, v.n, v.name, v.id_tail as "idTail", v.id_status as "idStatus", v.phone_tail as "phoneTail",
  v.address, v.stated_community as "statedCommunity", v.class, v.reasons, v.match_by as "matchBy", v.score,
  v.street_code as "streetCode", v.community_code as "communityCode", v.grid_path as "gridPath",
  g.name as "gridName", v.outcome, v.outcome_note as "outcomeNote", v.outcome_at as "outcomeAt",
  v.outcome_by_name as "outcomeByName", v.original_cipher as "originalCipher", v.id_cipher as "idCipher",
  v.phone_cipher as "phoneCipher", l.title as "listTitle", l.deadline::text as deadline, v.list_id as "listId",
  v.batch_status as "batchStatus", v.changed_fields as "changedFields"`;
const ROW_FROM = `verification_rows v join verification_lists l on l.id = v.list_id
  left join org_units g on g.path = v.grid_path`;

/** The rows behind a count: by class, street or community, a page at a time (masked). */
export async function listRows(
  ctx: AppContext,
  actor: Actor,
  id: number,
  q: {
    class?: RowClass;
    community?: string;
    street?: string;
    flagged?: boolean;
    batch?: BatchStatus;
    page: number;
    pageSize: number;
  },
) {
  await visibleList(ctx, actor, id);
  const params: unknown[] = [id, subtreePattern(actor.orgPath)];
  const where = ["v.list_id = $1", "v.org_path like $2"];
  if (q.class) where.push(`v.class = $${params.push(q.class)}`);
  if (q.community) where.push(`v.community_code = $${params.push(q.community)}`);
  if (q.street) where.push(`v.street_code = $${params.push(q.street)}`);
  if (q.batch) where.push(`coalesce(v.batch_status, 'new') = $${params.push(q.batch)}`);
  if (q.flagged)
    where.push("(v.class in ('invalid', 'duplicate', 'not_found') or cardinality(v.reasons) > 0)");
  const [{ total }] = await ctx.database.query<{ total: number }>(
    `select count(*)::int as total from verification_rows v where ${where.join(" and ")}`,
    params,
  );
  const rows = await ctx.database.query<RowRecord>(
    `select ${ROW_COLUMNS} from ${ROW_FROM} where ${where.join(" and ")} order by v.n
     limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}`,
    params,
  );
  return { total, items: rows.map((r) => presentRow(r, "staff", ctx)) };
}

/** Tasks per grid: how many were routed there and how many have an outcome, by outcome. */
export async function gridProgress(ctx: AppContext, actor: Actor, id: number) {
  await visibleList(ctx, actor, id);
  const rows = await ctx.database.query<{
    gridPath: string;
    gridName: string | null;
    outcome: string | null;
    n: number;
  }>(
    `select v.grid_path as "gridPath", g.name as "gridName", v.outcome, count(*)::int as n
     from verification_rows v left join org_units g on g.path = v.grid_path
     where v.list_id = $1 and v.grid_path like $2 group by 1, 2, 3`,
    [id, subtreePattern(actor.orgPath)],
  );
  const grids = new Map<
    string,
    { gridPath: string; gridName: string; total: number; done: number; outcomes: Record<string, number> }
  >();
  for (const r of rows) {
    let g = grids.get(r.gridPath);
    if (!g) {
      g = { gridPath: r.gridPath, gridName: r.gridName ?? r.gridPath, total: 0, done: 0, outcomes: {} };
      grids.set(r.gridPath, g);
    }
    g.total += r.n;
    if (r.outcome) {
      g.done += r.n;
      g.outcomes[r.outcome] = (g.outcomes[r.outcome] ?? 0) + r.n;
    }
  }
  return { items: [...grids.values()].sort((a, b) => a.gridPath.localeCompare(b.gridPath)) };
}

/**
 * The list's rows as xlsx: every row with its class, reasons and outcome (`flagged`: only rows needing a
 * clerk's eye, with what was typed beside the reason). ID numbers and phones are masked unless the caller
 * may reveal them and states why; every export is audited.
 */
export async function exportRows(
  ctx: AppContext,
  actor: Actor,
  id: number,
  q: { flagged?: boolean; reveal?: boolean; reason?: string },
): Promise<{ filename: string; body: Buffer }> {
  const l = await visibleList(ctx, actor, id);
  revealedExport(q, () => verificationPolicy.authorize(actor, "reveal"));
  const where = `v.list_id = $1 and v.org_path like $2${
    q.flagged ? " and (v.class in ('invalid', 'duplicate', 'not_found') or cardinality(v.reasons) > 0)" : ""
  }`;
  const rows = await ctx.database.query<RowRecord>(
    `select ${ROW_COLUMNS} from ${ROW_FROM} where ${where} order by v.n`,
    [id, subtreePattern(actor.orgPath)],
  );
  const audience = q.reveal ? "reveal" : "export";
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(q.flagged ? "需处理的行" : "核查结果");
  ws.columns = [
    { header: "原表行号", key: "n", width: 8 },
    { header: "姓名", key: "name", width: 10 },
    { header: "身份证号", key: "idNumber", width: 22 },
    { header: "联系电话", key: "phone", width: 16 },
    { header: "现住址", key: "address", width: 30 },
    { header: "名单所填社区", key: "statedCommunity", width: 14 },
    { header: "分类", key: "classLabel", width: 22 },
    { header: "原因 / 说明", key: "reasons", width: 50 },
    ...(q.flagged
      ? [
          { header: "原表身份证号（原样）", key: "idTyped", width: 24 },
          { header: "原表电话（原样）", key: "phoneTyped", width: 18 },
        ]
      : [
          { header: "网格", key: "gridName", width: 18 },
          { header: "核查结果", key: "outcomeLabel", width: 12 },
          { header: "结果备注", key: "outcomeNote", width: 24 },
          { header: "核查人", key: "outcomeByName", width: 12 },
          { header: "核查时间", key: "outcomeAt", width: 18 },
        ]),
  ];
  ws.getRow(1).font = { bold: true };
  for (const r of rows) {
    const p = presentRow(r, audience, ctx);
    ws.addRow({
      ...p,
      classLabel: CLASS_LABELS[p.class as RowClass],
      reasons: p.reasons.join("；"),
      outcomeLabel: p.outcome ? OUTCOME_LABELS[p.outcome as Outcome] : "",
      outcomeAt: p.outcomeAt ? new Date(p.outcomeAt).toISOString().slice(0, 16).replace("T", " ") : "",
    });
  }
  // ID cells as text, so the file opened in Excel does not round them again.
  ws.getColumn("idNumber").numFmt = "@";
  await auditExport(ctx, actor, q, {
    entity: "verification_list",
    entityId: id,
    orgPath: l.orgPath,
    after: { rows: rows.length, flagged: !!q.flagged },
  });
  const body = await workbookBuffer(wb);
  return { filename: `verification-${id}${q.flagged ? "-flagged" : ""}.xlsx`, body };
}
