import { Readable } from "node:stream";
import { sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { planFrequency } from "../../../domain/care/plans.ts";
import { safeCells } from "../../../domain/files/cells.ts";
import { ID_ERROR_ZH, parseIdCard } from "../../../domain/idcard/idcard.ts";
import { inScope, subtreePattern } from "../../../domain/org/scope.ts";
import { KEY_TAGS, type KeyTag, TAG_LABELS } from "../../../domain/people/generate.ts";
import type { Actor, AppContext } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound, Unprocessable } from "../../platform/errors.ts";
import { authorize } from "../../platform/policy.ts";
import { getOrgUnit } from "../orgs/index.ts";
import { presentResident, RESIDENT_COLUMNS, type ResidentRow } from "../residents/index.ts";
import {
  communityCodeOf,
  gridCodeOf,
  isKeyTag,
  pgArray,
  planConfigs,
  residentInScope,
  rows,
  TAG_DIMENSIONS,
  type Tx,
  tagLabel,
} from "./common.ts";

export const TAG_SOURCES = ["manual", "import", "visit", "registry"] as const;
export const TAG_SOURCE_LABELS: Record<string, string> = {
  manual: "手工标注",
  import: "台账导入",
  visit: "走访核实",
  registry: "户籍登记",
};

export interface TagAssignmentRow {
  id: number;
  residentId: number;
  tag: string;
  source: string;
  note: string | null;
  setBy: number | null;
  setByName: string | null;
  setAt: Date;
  removedAt: Date | null;
  removedNote: string | null;
}

export function presentAssignment(a: TagAssignmentRow) {
  return {
    id: a.id,
    residentId: a.residentId,
    tag: a.tag,
    tagLabel: tagLabel(a.tag),
    source: a.source,
    sourceLabel: TAG_SOURCE_LABELS[a.source] ?? a.source,
    note: a.note,
    setBy: a.setBy,
    setByName: a.setByName,
    setAt: a.setAt,
    removedAt: a.removedAt,
    removedNote: a.removedNote,
    current: a.removedAt === null,
  };
}

const ASSIGNMENT_COLUMNS = `a.id, a.resident_id as "residentId", a.tag, a.source, a.note, a.set_by as "setBy",
  a.set_by_name as "setByName", a.set_at as "setAt", a.removed_at as "removedAt", a.removed_note as "removedNote"`;

function checkTag(tag: string): KeyTag {
  if (!isKeyTag(tag))
    throw Invalid("未知的人群标签", [
      { field: "tag", message: `人群标签应为 ${Object.values(TAG_LABELS).join("、")} 之一` },
    ]);
  return tag;
}

/**
 * Adds tags to a resident inside a transaction: evidence rows, the searchable summary on the resident,
 * and a care plan row so the visit clock starts today. Returns the tags that were new.
 */
async function addTagsTx(
  tx: Tx,
  actor: Actor,
  resident: { id: number; orgPath: string },
  tags: string[],
  source: string,
  note: string | null,
  now: Date,
): Promise<string[]> {
  const added: string[] = [];
  for (const tag of tags) {
    const ins = await rows<{ id: number }>(
      tx,
      sql`insert into care_tag_assignments (resident_id, org_path, tag, source, note, set_by, set_by_name, set_at)
        values (${resident.id}, ${resident.orgPath}, ${tag}, ${source}, ${note}, ${actor.id}, ${actor.displayName}, ${now})
        on conflict (resident_id, tag) where removed_at is null do nothing returning id`,
    );
    if (ins.length) added.push(tag);
  }
  if (added.length) {
    await tx.execute(sql`update residents set tags = tags || array(select x from unnest(${pgArray(added)}::text[]) as x where not x = any(tags)),
      version = version + 1, updated_at = now() where id = ${resident.id}`);
    await tx.execute(sql`insert into care_plans (resident_id, org_path, started_at) values (${resident.id}, ${resident.orgPath}, ${now})
      on conflict (resident_id) do nothing`);
  }
  return added;
}

export async function addTag(
  ctx: AppContext,
  actor: Actor,
  residentId: number,
  input: { tag: string; note?: string; source?: string },
  now = new Date(),
) {
  authorize(actor, "care.write");
  const tag = checkTag(input.tag);
  const source = input.source ?? "manual";
  if (!(TAG_SOURCES as readonly string[]).includes(source) || source === "import")
    throw Invalid("来源无效", [{ field: "source", message: "来源应为 手工标注、走访核实 或 户籍登记" }]);
  const r = await residentInScope(ctx, actor, residentId);
  const note = input.note?.trim() || null;
  return ctx.database.db.transaction(async (tx) => {
    const added = await addTagsTx(tx as unknown as Tx, actor, r, [tag], source, note, now);
    if (!added.length) throw Conflict(`该居民已有标签「${TAG_LABELS[tag]}」`);
    // A tag already in the summary from the registry gets its first evidence row now; nothing else changes.
    const [a] = await rows<TagAssignmentRow>(
      tx as unknown as Tx,
      sql`select ${sql.raw(ASSIGNMENT_COLUMNS)} from care_tag_assignments a
        where a.resident_id = ${r.id} and a.tag = ${tag} and a.removed_at is null`,
    );
    await audit.record(tx as any, actor, {
      action: "tag_add",
      entity: "resident",
      entityId: r.id,
      orgPath: r.orgPath,
      before: { tags: r.tags },
      after: { tag, source, note },
    });
    return presentAssignment(a);
  });
}

export async function removeTag(
  ctx: AppContext,
  actor: Actor,
  residentId: number,
  tagRaw: string,
  note: string | null,
  now = new Date(),
) {
  authorize(actor, "care.write");
  const tag = checkTag(tagRaw);
  const r = await residentInScope(ctx, actor, residentId);
  if (!r.tags.includes(tag)) throw NotFound(`该居民没有标签「${TAG_LABELS[tag]}」`);
  await ctx.database.db.transaction(async (tx) => {
    const closed = await rows<{ id: number }>(
      tx as unknown as Tx,
      sql`update care_tag_assignments set removed_at = ${now}, removed_by = ${actor.id}, removed_note = ${note}, updated_at = now()
        where resident_id = ${r.id} and tag = ${tag} and removed_at is null returning id`,
    );
    if (!closed.length) {
      // Set by the registry before the ledger kept evidence: record the removal with a closed row.
      await tx.execute(sql`insert into care_tag_assignments (resident_id, org_path, tag, source, set_at, removed_at, removed_by, removed_note)
        values (${r.id}, ${r.orgPath}, ${tag}, 'registry', ${r.createdAt}, ${now}, ${actor.id}, ${note})`);
    }
    await tx.execute(sql`update residents set tags = array_remove(tags, ${tag}), version = version + 1, updated_at = now()
      where id = ${r.id}`);
    await audit.record(tx as any, actor, {
      action: "tag_remove",
      entity: "resident",
      entityId: r.id,
      orgPath: r.orgPath,
      before: { tags: r.tags },
      after: { removed: tag, note },
    });
  });
  return { residentId: r.id, tags: r.tags.filter((t) => t !== tag) };
}

export async function tagEvidence(ctx: AppContext, actor: Actor, residentId: number) {
  authorize(actor, "care.read");
  const r = await residentInScope(ctx, actor, residentId);
  const list = await ctx.database.query<TagAssignmentRow>(
    `select ${ASSIGNMENT_COLUMNS} from care_tag_assignments a where a.resident_id = $1 order by a.id`,
    [r.id],
  );
  return { residentId: r.id, tags: r.tags, items: list.map(presentAssignment) };
}

async function scopeOf(ctx: AppContext, actor: Actor, org?: number) {
  return org === undefined
    ? { id: actor.orgUnitId, path: actor.orgPath, name: actor.orgName, kind: actor.orgKind }
    : await getOrgUnit(ctx, actor, org);
}

/** Key residents and per-tag counts for every grid under a unit, plus "not visited in 7 days". */
export async function ledgerSummary(ctx: AppContext, actor: Actor, org?: number, now = new Date()) {
  authorize(actor, "care.read");
  const unit = await scopeOf(ctx, actor, org);
  const pattern = subtreePattern(unit.path);
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  const [tagRows, totals] = await Promise.all([
    ctx.database.query<{ grid: string; tag: string; n: number }>(
      `select split_part(r.org_path, '/', 5) as grid, t.tag, count(*)::int as n
       from residents r cross join lateral unnest(r.tags) as t(tag)
       where r.org_path like $1 and r.tags <> '{}' group by 1, 2`,
      [pattern],
    ),
    ctx.database.query<{ grid: string; total: number; notVisited: number }>(
      `select split_part(r.org_path, '/', 5) as grid, count(*)::int as total,
         (count(*) filter (where p.last_visit_at is null or p.last_visit_at < $2))::int as "notVisited"
       from residents r left join care_plans p on p.resident_id = r.id
       where r.org_path like $1 and r.tags <> '{}' group by 1`,
      [pattern, weekAgo],
    ),
  ]);
  const codes = totals.map((t) => t.grid).filter(Boolean);
  const grids = codes.length
    ? await ctx.database.query<{ id: number; code: string; name: string }>(
        "select id, code, name from org_units where code = any($1::text[])",
        [codes],
      )
    : [];
  const byCode = new Map(grids.map((g) => [g.code, g]));
  const items = totals
    .filter((t) => byCode.has(t.grid))
    .map((t) => {
      const g = byCode.get(t.grid)!;
      const counts = Object.fromEntries(KEY_TAGS.map((k) => [k, 0])) as Record<KeyTag, number>;
      for (const r of tagRows) if (r.grid === t.grid && isKeyTag(r.tag)) counts[r.tag] = r.n;
      return {
        orgUnitId: g.id,
        code: g.code,
        name: g.name,
        keyResidents: t.total,
        notVisitedWeek: t.notVisited,
        counts,
      };
    })
    .sort((a, b) => a.code.localeCompare(b.code));
  const totalCounts = Object.fromEntries(
    KEY_TAGS.map((k) => [k, items.reduce((s, i) => s + i.counts[k], 0)]),
  ) as Record<KeyTag, number>;
  return {
    org: { id: unit.id, name: unit.name, kind: unit.kind },
    tags: KEY_TAGS.map((k) => ({ tag: k, label: TAG_LABELS[k] })),
    dimensions: TAG_DIMENSIONS.map((d) => ({
      ...d,
      tagLabels: d.tags.map((t) => TAG_LABELS[t]),
      count: d.tags.reduce((s, t) => s + totalCounts[t], 0),
    })),
    totals: {
      keyResidents: items.reduce((s, i) => s + i.keyResidents, 0),
      notVisitedWeek: items.reduce((s, i) => s + i.notVisitedWeek, 0),
      counts: totalCounts,
    },
    items,
  };
}

export interface LedgerFilter {
  org?: number;
  tag?: string;
  notVisitedDays?: number;
}

async function ledgerWhere(ctx: AppContext, actor: Actor, f: LedgerFilter, now: Date) {
  const unit = await scopeOf(ctx, actor, f.org);
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const conds = [`r.org_path like ${p(subtreePattern(unit.path))}`, `r.tags <> '{}'`];
  if (f.tag) conds.push(`r.tags @> array[${p(checkTag(f.tag))}]::text[]`);
  if (f.notVisitedDays !== undefined)
    conds.push(
      `(p.last_visit_at is null or p.last_visit_at < ${p(new Date(now.getTime() - f.notVisitedDays * 86_400_000))})`,
    );
  return { where: conds.join(" and "), params, unit };
}

type LedgerRow = ResidentRow & {
  lastVisitAt: Date | null;
  frequencyOverride: string | null;
  createdAt: Date;
};

const LEDGER_FROM = "residents r left join care_plans p on p.resident_id = r.id";
const LEDGER_COLUMNS = `${RESIDENT_COLUMNS}, p.last_visit_at as "lastVisitAt", p.frequency_override as "frequencyOverride"`;

function presentLedgerRow(
  ctx: AppContext,
  r: LedgerRow,
  configs: Map<string, import("../../../domain/care/plans.ts").CarePlanConfig>,
  now: Date,
) {
  const plan = planFrequency(r.tags.filter(isKeyTag), configs.get(communityCodeOf(r.orgPath) ?? "") ?? {});
  return {
    ...presentResident(r, ctx.crypto),
    gridCode: gridCodeOf(r.orgPath),
    frequency: r.frequencyOverride ?? plan?.frequency ?? null,
    frequencyLabel: plan?.label ?? null,
    lastVisitAt: r.lastVisitAt,
    daysSinceVisit: r.lastVisitAt
      ? Math.floor((now.getTime() - new Date(r.lastVisitAt).getTime()) / 86_400_000)
      : null,
  };
}

export async function listLedger(
  ctx: AppContext,
  actor: Actor,
  f: LedgerFilter & { page: number; pageSize: number },
  now = new Date(),
) {
  authorize(actor, "care.read");
  const { where, params } = await ledgerWhere(ctx, actor, f, now);
  const [list, [{ n }], configs] = await Promise.all([
    ctx.database.query<LedgerRow>(
      `select ${LEDGER_COLUMNS} from ${LEDGER_FROM} where ${where} order by r.id limit ${f.pageSize} offset ${(f.page - 1) * f.pageSize}`,
      params,
    ),
    ctx.database.query<{ n: number }>(`select count(*)::int as n from ${LEDGER_FROM} where ${where}`, params),
    planConfigs(ctx, actor.orgPath),
  ]);
  return {
    items: list.map((r) => presentLedgerRow(ctx, r, configs, now)),
    total: n,
    page: f.page,
    pageSize: f.pageSize,
  };
}

// ——— xlsx import ———

/** Chinese headers seen in community ledgers, mapped to our fields. */
const HEADER_ALIASES: Record<string, "name" | "idNumber" | "tags" | "note"> = {
  姓名: "name",
  老人姓名: "name",
  居民姓名: "name",
  身份证号: "idNumber",
  身份证号码: "idNumber",
  公民身份号码: "idNumber",
  证件号码: "idNumber",
  人群类别: "tags",
  人员类别: "tags",
  类别: "tags",
  标签: "tags",
  重点人群类别: "tags",
  备注: "note",
  说明: "note",
};

/** Labels people type for each tag: our label, the code, and common variants. */
const TAG_ALIASES: Record<string, KeyTag> = {
  ...Object.fromEntries(Object.entries(TAG_LABELS).map(([k, v]) => [v, k as KeyTag])),
  ...Object.fromEntries(KEY_TAGS.map((k) => [k, k])),
  独居老人: "living_alone",
  空巢老人: "empty_nest",
  高龄: "aged_80_plus",
  高龄老人: "aged_80_plus",
  "80岁以上": "aged_80_plus",
  失能老人: "disabled_care",
  重度残疾: "severe_disability",
  重残人员: "severe_disability",
  慢性病: "chronic_disease",
  慢病患者: "chronic_disease",
  低保户: "low_income",
  孕产妇: "maternal",
};

export const MAX_IMPORT_ROWS = 50_000;

export interface ImportRowError {
  row: number;
  messages: string[];
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") {
    if ("richText" in v)
      return v.richText
        .map((t) => t.text)
        .join("")
        .trim();
    if ("text" in v) return String(v.text).trim();
    if ("result" in v) return String(v.result ?? "").trim();
    if (v instanceof Date) return v.toISOString().slice(0, 10);
  }
  return String(v).trim();
}

interface ParsedRow {
  row: number;
  name: string;
  idNumber: string;
  tags: string;
  note: string;
}

/** Reads the first sheet with the streaming reader; the first non-empty row is the header. */
async function readSheet(buffer: Buffer): Promise<ParsedRow[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([buffer]), {
    sharedStrings: "cache",
    worksheets: "emit",
    styles: "ignore",
    hyperlinks: "ignore",
  });
  const out: ParsedRow[] = [];
  type Columns = Partial<Record<"name" | "idNumber" | "tags" | "note", number>>;
  let columns: Columns | null = null;
  try {
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        const values = row.values as ExcelJS.CellValue[];
        if (!columns) {
          const found: Columns = {};
          values.forEach((v, i) => {
            const key = HEADER_ALIASES[cellText(v).replace(/\s/g, "")];
            if (key && found[key] === undefined) found[key] = i;
          });
          if (Object.keys(found).length === 0) continue;
          const missing = (["name", "idNumber", "tags"] as const).filter((k) => found[k] === undefined);
          if (missing.length)
            throw Unprocessable(
              `表头缺少：${missing.map((k) => ({ name: "姓名", idNumber: "身份证号", tags: "人群类别" })[k]).join("、")}`,
              { fields: [{ field: "header", message: `第 ${row.number} 行表头缺少必需的列` }] },
            );
          columns = found;
          continue;
        }
        const get = (k: keyof Columns) => (columns![k] === undefined ? "" : cellText(values[columns![k]!]));
        const parsed = {
          row: row.number,
          name: get("name"),
          idNumber: get("idNumber"),
          tags: get("tags"),
          note: get("note"),
        };
        if (!parsed.name && !parsed.idNumber && !parsed.tags && !parsed.note) continue;
        out.push(parsed);
        if (out.length > MAX_IMPORT_ROWS)
          throw Unprocessable(`一次最多导入 ${MAX_IMPORT_ROWS} 行，请分批导入`, {
            fields: [{ field: "file", message: `超过 ${MAX_IMPORT_ROWS} 行` }],
          });
      }
      break; // the first worksheet only
    }
  } catch (e) {
    if ((e as { status?: number }).status) throw e;
    throw Unprocessable("无法读取 xlsx 文件，请确认文件为 Excel 2007 及以上格式", {
      fields: [{ field: "file", message: "文件不是有效的 xlsx" }],
    });
  }
  if (!columns)
    throw Unprocessable("未找到表头（需要 姓名、身份证号、人群类别 列）", {
      fields: [{ field: "header", message: "未找到表头" }],
    });
  return out;
}

/**
 * Imports an elderly (or any key-population) ledger. Everything is checked first; one bad row rejects
 * the whole batch (422, each row named), otherwise every row lands in one transaction.
 */
export async function importLedger(
  ctx: AppContext,
  actor: Actor,
  buffer: Buffer,
  opts: { org?: number; filename?: string } = {},
  now = new Date(),
) {
  authorize(actor, "care.manage");
  const unit = await scopeOf(ctx, actor, opts.org);
  const parsed = await readSheet(buffer);
  if (parsed.length === 0)
    throw Unprocessable("表格中没有数据行", { fields: [{ field: "file", message: "没有数据行" }], rows: [] });

  const errors: ImportRowError[] = [];
  const good: { row: ParsedRow; hash: string; tags: KeyTag[] }[] = [];
  const seen = new Map<string, number>();
  for (const row of parsed) {
    const messages: string[] = [];
    if (!row.name) messages.push("姓名为空");
    let hash = "";
    const id = parseIdCard(row.idNumber);
    if (!row.idNumber) messages.push("身份证号为空");
    else if (!id.ok) messages.push(ID_ERROR_ZH[id.error]);
    else {
      hash = ctx.crypto.hash(id.info.id);
      const first = seen.get(hash);
      if (first !== undefined) messages.push(`身份证号与第 ${first} 行重复`);
      else seen.set(hash, row.row);
    }
    const labels = row.tags.split(/[、,，;；/\s]+/).filter(Boolean);
    const tags: KeyTag[] = [];
    if (!labels.length) messages.push("人群类别为空");
    for (const l of labels) {
      const t = TAG_ALIASES[l];
      if (!t) messages.push(`人群类别「${l}」无法识别`);
      else if (!tags.includes(t)) tags.push(t);
    }
    if (row.note.length > 200) messages.push("备注不能超过 200 字");
    if (messages.length) errors.push({ row: row.row, messages });
    else good.push({ row, hash, tags });
  }

  // Match by ID hash against the registry, in chunks so a big ledger is a few queries, not thousands.
  const matched = new Map<string, { id: number; name: string; orgPath: string; tags: string[] }>();
  for (let i = 0; i < good.length; i += 1000) {
    const hashes = good.slice(i, i + 1000).map((g) => g.hash);
    const found = await ctx.database.query<{
      id: number;
      name: string;
      orgPath: string;
      tags: string[];
      idHash: string;
    }>(
      `select id, name, org_path as "orgPath", tags, id_hash as "idHash" from residents where id_hash = any($1::text[])`,
      [hashes],
    );
    for (const f of found) matched.set(f.idHash, f);
  }
  for (const g of good) {
    const r = matched.get(g.hash);
    const messages: string[] = [];
    if (!r) messages.push("身份证号在居民库中未找到，请先登记居民");
    else {
      if (!inScope(unit.path, r.orgPath)) messages.push("该居民不在您的管辖范围内");
      if (r.name !== g.row.name.replace(/\s/g, "")) messages.push("姓名与身份证号登记的居民不一致");
    }
    if (messages.length) errors.push({ row: g.row.row, messages });
  }
  if (errors.length) {
    errors.sort((a, b) => a.row - b.row);
    const fields = errors.map((e) => ({
      field: `row:${e.row}`,
      message: `第 ${e.row} 行：${e.messages.join("；")}`,
    }));
    throw Unprocessable(
      `导入失败：${errors.length} 行有误，本批次未导入任何数据。${fields
        .slice(0, 5)
        .map((f) => f.message)
        .join("；")}`,
      {
        fields,
        rows: errors,
        imported: 0,
      },
    );
  }

  let tagsAdded = 0;
  let residentsChanged = 0;
  await ctx.database.db.transaction(async (tx) => {
    for (const g of good) {
      const r = matched.get(g.hash)!;
      const added = await addTagsTx(tx as unknown as Tx, actor, r, g.tags, "import", g.row.note || null, now);
      tagsAdded += added.length;
      if (added.length) residentsChanged++;
    }
    await audit.record(tx as any, actor, {
      action: "import",
      entity: "care_ledger",
      orgPath: unit.path,
      after: { filename: opts.filename ?? null, rows: good.length, tagsAdded, residentsChanged },
    });
  });
  return { rows: good.length, residentsChanged, tagsAdded, unchanged: good.length - residentsChanged };
}

// ——— xlsx export ———

/** Streams the ledger as xlsx (masked IDs), a page of rows at a time so memory stays flat. */
export async function exportLedger(ctx: AppContext, actor: Actor, f: LedgerFilter, now = new Date()) {
  authorize(actor, "care.read");
  authorize(actor, "resident.export");
  const { where, params, unit } = await ledgerWhere(ctx, actor, f, now);
  const configs = await planConfigs(ctx, actor.orgPath);
  const gridNames = new Map(
    (
      await ctx.database.query<{ code: string; name: string }>(
        "select code, name from org_units where kind = 'grid' and (path like $1 or $2 like path || '%')",
        [subtreePattern(unit.path), unit.path],
      )
    ).map((g) => [g.code, g.name]),
  );
  const { PassThrough } = await import("node:stream");
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: true,
  });
  const ws = wb.addWorksheet("重点人群台账");
  ws.columns = [
    { header: "网格", key: "grid", width: 14 },
    { header: "姓名", key: "name", width: 10 },
    { header: "性别", key: "gender", width: 6 },
    { header: "年龄", key: "age", width: 6 },
    { header: "身份证号", key: "id", width: 22 },
    { header: "住址", key: "address", width: 36 },
    { header: "人群类别", key: "tags", width: 24 },
    { header: "走访频次", key: "frequency", width: 14 },
    { header: "最近走访", key: "lastVisit", width: 12 },
  ];
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  let count = 0;
  const run = async () => {
    let after = 0;
    for (;;) {
      const page = await ctx.database.query<LedgerRow>(
        `select ${LEDGER_COLUMNS} from ${LEDGER_FROM} where ${where} and r.id > $${params.length + 1} order by r.id limit 1000`,
        [...params, after],
      );
      for (const r of page) {
        const p = presentLedgerRow(ctx, r, configs, now);
        ws.addRow(
          safeCells({
            grid: gridNames.get(p.gridCode ?? "") ?? p.gridCode,
            name: p.name,
            gender: p.genderLabel,
            age: p.age,
            id: p.idNumberMasked,
            address: p.address,
            tags: p.tagLabels.join("、"),
            frequency: p.frequencyLabel ?? "",
            lastVisit: p.lastVisitAt ? new Date(p.lastVisitAt).toISOString().slice(0, 10) : "未走访",
          }),
        ).commit();
      }
      count += page.length;
      if (page.length < 1000) break;
      after = page[page.length - 1].id;
    }
    ws.commit();
    await wb.commit();
    await audit.record(ctx.database.db, actor, {
      action: "export",
      entity: "care_ledger",
      orgPath: actor.orgPath,
      after: { filter: f, count },
    });
  };
  run().catch((e) => out.destroy(e));
  return out;
}
