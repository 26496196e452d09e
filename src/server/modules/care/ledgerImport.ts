// The care ledger import: a community's key-population spreadsheet read into tags with evidence.
import { Readable } from "node:stream";
import ExcelJS from "exceljs";
import { ID_ERROR_ZH, parseIdCard } from "../../../domain/idcard/idcard.ts";
import { inScope } from "../../../domain/org/scope.ts";
import { KEY_TAGS, type KeyTag, TAG_LABELS } from "../../../domain/people/generate.ts";
import type { Actor, AppContext } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Unprocessable } from "../../platform/errors.ts";
import { authorize } from "../../platform/policy.ts";
import type { Tx } from "./common.ts";
import { addTagsTx, scopeOf } from "./ledger.ts";

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
