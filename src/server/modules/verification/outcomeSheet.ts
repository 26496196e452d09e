// Outcomes back as a spreadsheet 结果回填: a community downloads its tasks of a list as xlsx (masked as every
// export, a task key column and an outcome column with a dropdown of the outcome codes), fills it in at the
// office and uploads it. The file is read by the house's streaming reader (bounded cost, refused as every
// upload is); each row is checked on its own and either applied (audited as an outcome recorded at the door
// would be) or refused with its reason in Chinese. A task already finished keeps its outcome: a different
// one in the sheet is a conflict, listed and not written.
import { sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import type { Db } from "../../../db/client.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import { OUTCOME_LABELS, OUTCOMES, type Outcome } from "../../../domain/verification/match.ts";
import { cleanText } from "../../../domain/verification/rows.ts";
import type { Actor, AppContext } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { NotFound, Unprocessable } from "../../platform/errors.ts";
import { type SheetRow, streamSpreadsheet, workbookBuffer } from "../../platform/spreadsheet/index.ts";
import { giveWay } from "../../platform/turns.ts";
import { verificationPolicy } from "./policy.ts";
import { presentRow, type RowRecord } from "./presenter.ts";

/** Rows a filled sheet may hold (a street's tasks of one list are some thousands). */
export const MAX_SHEET_ROWS = 100_000;
/** Refused rows listed in the report (the count is always whole). */
const KEEP_REFUSED = 2_000;
/** What a filled sheet may expand to (its tasks fill a few MB; a zip that expands past this is refused, 413). */
export const SHEET_BYTES = 100 * 1024 * 1024;

export const SHEET_HEADERS = {
  key: "任务编号",
  outcome: "核查结果",
  note: "备注",
} as const;
const KEY_PREFIX = "HC";
export const taskKey = (id: number) => `${KEY_PREFIX}${id}`;
const parseKey = (s: string) => {
  const m = /^HC0*(\d{1,15})$/i.exec(s.replace(/\s/g, ""));
  return m ? Number(m[1]) : null;
};
const OUTCOME_BY_LABEL = new Map<string, Outcome>(OUTCOMES.map((o) => [OUTCOME_LABELS[o], o]));
const LABEL_LIST = OUTCOMES.map((o) => OUTCOME_LABELS[o]).join("/");

export const REFUSALS = {
  notFound: "未找到该任务编号（不存在、不属于本名单或不在本辖区）",
  noKey: "缺少任务编号",
  unknownOutcome: (v: string) => `核查结果「${v}」不是可选项（${LABEL_LIST}）`,
  otherNeedsNote: "选择「其他」时须在备注中说明",
  conflict: (was: string, now: string) => `该任务已登记为「${was}」，与表中的「${now}」不一致，未覆盖`,
} as const;

const execRows = async <T>(db: Db, q: ReturnType<typeof sql>) =>
  ((await db.execute(q)) as unknown as { rows: T[] }).rows;

/** A list the caller may fill outcomes for: one whose area holds theirs or lies within it (else 404). */
async function sheetList(ctx: AppContext, actor: Actor, id: number) {
  verificationPolicy.authorize(actor, "task");
  const [l] = await ctx.database.query<{ id: number; title: string; orgPath: string; state: string }>(
    `select id, title, org_path as "orgPath", state from verification_lists
     where id = $1 and (org_path like $2 or $3 like org_path || '%')`,
    [id, subtreePattern(actor.orgPath), actor.orgPath],
  );
  if (!l) throw NotFound("核查名单不存在");
  return l;
}

const SHEET_COLUMNS = `v.id, v.n, v.name, v.id_tail as "idTail", v.id_status as "idStatus", v.phone_tail as "phoneTail",
  v.address, v.stated_community as "statedCommunity", v.class, v.reasons, v.match_by as "matchBy", v.score,
  v.street_code as "streetCode", v.community_code as "communityCode", v.grid_path as "gridPath",
  g.name as "gridName", v.outcome, v.outcome_note as "outcomeNote", v.outcome_at as "outcomeAt",
  v.outcome_by_name as "outcomeByName", v.original_cipher as "originalCipher", v.id_cipher as "idCipher",
  v.phone_cipher as "phoneCipher", l.title as "listTitle", l.deadline::text as deadline, v.list_id as "listId"`;

/**
 * The caller's tasks of a list as an xlsx to fill in: ID numbers and phones masked, finished tasks with
 * their outcome, the outcome column a dropdown. Audited as an export.
 */
export async function outcomeSheet(ctx: AppContext, actor: Actor, id: number) {
  const l = await sheetList(ctx, actor, id);
  const rows = await ctx.database.query<RowRecord>(
    `select ${SHEET_COLUMNS} from verification_rows v join verification_lists l on l.id = v.list_id
     left join org_units g on g.path = v.grid_path
     where v.list_id = $1 and v.grid_path like $2 and l.state = 'succeeded' order by v.grid_path, v.n`,
    [id, subtreePattern(actor.orgPath)],
  );
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("核查结果回填");
  ws.columns = [
    { header: SHEET_HEADERS.key, key: "key", width: 14 },
    { header: "原表行号", key: "n", width: 8 },
    { header: "网格", key: "gridName", width: 18 },
    { header: "姓名", key: "name", width: 10 },
    { header: "身份证号", key: "idNumber", width: 22 },
    { header: "联系电话", key: "phone", width: 16 },
    { header: "现住址", key: "address", width: 30 },
    { header: SHEET_HEADERS.outcome, key: "outcome", width: 12 },
    { header: SHEET_HEADERS.note, key: "note", width: 30 },
  ];
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: "frozen", ySplit: 1 }];
  const list = `"${OUTCOMES.map((o) => OUTCOME_LABELS[o]).join(",")}"`;
  for (const r of rows) {
    const p = presentRow(r, "staff", ctx);
    const row = ws.addRow({
      key: taskKey(p.id),
      n: p.n,
      gridName: p.gridName ?? "",
      name: p.name,
      idNumber: p.idNumber,
      phone: p.phone,
      address: p.address,
      outcome: p.outcome ? OUTCOME_LABELS[p.outcome as Outcome] : "",
      note: p.outcomeNote ?? "",
    });
    row.getCell("outcome").dataValidation = {
      type: "list",
      allowBlank: true,
      formulae: [list],
      showErrorMessage: true,
      errorTitle: "核查结果",
      error: `请从下拉列表中选择：${LABEL_LIST}`,
    };
  }
  ws.getColumn("key").numFmt = "@";
  await audit.record(ctx.database.db, actor, {
    action: "export_outcome_sheet",
    entity: "verification_list",
    entityId: id,
    orgPath: l.orgPath,
    after: { rows: rows.length, masked: true },
  });
  const body = await workbookBuffer(wb);
  return { filename: `verification-${id}-outcomes.xlsx`, body };
}

export interface SheetReport {
  listId: number;
  /** Data rows read below the header (blank rows not counted). */
  rows: number;
  applied: number;
  /** Already finished with the same outcome: nothing to do. */
  unchanged: number;
  /** A task key with no outcome chosen: left open. */
  unfilled: number;
  refused: number;
  problems: { n: number; key: string; outcome: string; reason: string }[];
}

interface Line {
  n: number;
  key: string;
  taskId: number | null;
  label: string;
  outcome: Outcome | null;
  note: string | null;
}

/** The header among the first rows: the one naming the task key and outcome columns. */
function findSheetHeader(rows: SheetRow[]) {
  for (const r of rows.slice(0, 30)) {
    const cells = r.cells.map((c) => cleanText(c).replace(/\s/g, ""));
    const key = cells.indexOf(SHEET_HEADERS.key);
    const outcome = cells.indexOf(SHEET_HEADERS.outcome);
    if (key >= 0 && outcome >= 0) return { n: r.n, key, outcome, note: cells.indexOf(SHEET_HEADERS.note) };
  }
  return null;
}

/**
 * Applies a filled sheet to the list's tasks in the caller's scope, a batch of rows per transaction. Refuses
 * the file as a whole only when it cannot be read (400/413/422 as every upload) or has no key and outcome
 * columns (422); a bad row is refused alone, with its reason.
 */
export async function applyOutcomeSheet(
  ctx: AppContext,
  actor: Actor,
  id: number,
  buffer: Buffer,
  opts: { filename?: string } = {},
): Promise<SheetReport> {
  const l = await sheetList(ctx, actor, id);
  const scope = subtreePattern(actor.orgPath);
  const report: SheetReport = {
    listId: id,
    rows: 0,
    applied: 0,
    unchanged: 0,
    unfilled: 0,
    refused: 0,
    problems: [],
  };
  const refuse = (x: Line | { n: number; key: string; label: string }, reason: string) => {
    report.refused++;
    if (report.problems.length < KEEP_REFUSED)
      report.problems.push({ n: x.n, key: x.key, outcome: x.label, reason });
  };
  /** Outcomes this sheet wrote, so a key repeated further down meets the task as it now stands. */
  const written = new Map<number, Outcome>();
  let header: ReturnType<typeof findSheetHeader> = null;
  const gen = streamSpreadsheet(
    buffer,
    { rows: MAX_SHEET_ROWS + 100, decompressedBytes: SHEET_BYTES },
    { batchRows: 1_000 },
  );
  for (;;) {
    const next = await gen.next();
    if (next.done) break;
    let batch = next.value;
    if (!header) {
      header = findSheetHeader(batch);
      if (!header) {
        await gen.return(undefined as never);
        throw Unprocessable(
          `未找到表头：前 30 行中没有「${SHEET_HEADERS.key}」和「${SHEET_HEADERS.outcome}」列，请使用下载的结果回填表`,
          {
            fields: [
              { field: "file", message: `未找到「${SHEET_HEADERS.key}」「${SHEET_HEADERS.outcome}」列` },
            ],
          },
        );
      }
      const at = header.n;
      batch = batch.filter((r) => r.n > at);
    }
    const h = header;
    const lines: Line[] = [];
    for (const r of batch) {
      const key = cleanText(r.cells[h.key]).trim();
      const label = cleanText(r.cells[h.outcome]).replace(/\s/g, "");
      const note = h.note >= 0 ? cleanText(r.cells[h.note]).trim().slice(0, 500) || null : null;
      if (!key && !label) continue;
      report.rows++;
      if (report.rows > MAX_SHEET_ROWS) {
        await gen.return(undefined as never);
        throw Unprocessable(`结果回填表最多 ${MAX_SHEET_ROWS} 行，请分批上传`, {
          fields: [{ field: "file", message: `超过 ${MAX_SHEET_ROWS} 行` }],
        });
      }
      if (!key) {
        refuse({ n: r.n, key, label }, REFUSALS.noKey);
        continue;
      }
      if (!label) {
        report.unfilled++;
        continue;
      }
      const outcome = OUTCOME_BY_LABEL.get(label) ?? null;
      const line: Line = { n: r.n, key, taskId: parseKey(key), label, outcome, note };
      if (!outcome) refuse(line, REFUSALS.unknownOutcome(label));
      else if (outcome === "other" && !note) refuse(line, REFUSALS.otherNeedsNote);
      else if (line.taskId === null) refuse(line, REFUSALS.notFound);
      else lines.push(line);
    }
    if (lines.length) await applyLines(ctx, actor, l, scope, lines, written, report, refuse);
    await giveWay();
  }
  await audit.record(ctx.database.db, actor, {
    action: "import_outcome_sheet",
    entity: "verification_list",
    entityId: id,
    orgPath: l.orgPath,
    after: {
      filename: opts.filename ?? null,
      bytes: buffer.length,
      rows: report.rows,
      applied: report.applied,
      unchanged: report.unchanged,
      unfilled: report.unfilled,
      refused: report.refused,
    },
  });
  return report;
}

async function applyLines(
  ctx: AppContext,
  actor: Actor,
  list: { id: number },
  scope: string,
  lines: Line[],
  written: Map<number, Outcome>,
  report: SheetReport,
  refuse: (x: Line, reason: string) => void,
) {
  await ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    // The scope is in the query: a task of another grid, list or area is simply not found.
    const tasks = new Map(
      (
        await execRows<{ id: number; gridPath: string; outcome: Outcome | null }>(
          tx,
          sql`select v.id, v.grid_path as "gridPath", v.outcome from verification_rows v
            join verification_lists l on l.id = v.list_id
            where v.id = any(${`{${[...new Set(lines.map((x) => x.taskId))].join(",")}}`}::bigint[])
              and v.list_id = ${list.id} and v.grid_path like ${scope} and l.state = 'succeeded'
            for update of v`,
        )
      ).map((t) => [Number(t.id), t]),
    );
    for (const line of lines) {
      const task = tasks.get(line.taskId!);
      if (!task) {
        refuse(line, REFUSALS.notFound);
        continue;
      }
      const was = written.get(task.id) ?? task.outcome;
      if (was) {
        if (was === line.outcome) report.unchanged++;
        else refuse(line, REFUSALS.conflict(OUTCOME_LABELS[was], line.label));
        continue;
      }
      const done = await execRows(
        tx,
        sql`update verification_rows set outcome = ${line.outcome}, outcome_note = ${line.note},
          outcome_at = now(), outcome_by = ${actor.id}, outcome_by_name = ${actor.displayName}, updated_at = now()
          where id = ${task.id} and outcome is null returning id`,
      );
      if (!done.length) {
        refuse(line, REFUSALS.conflict("已登记", line.label));
        continue;
      }
      written.set(task.id, line.outcome!);
      report.applied++;
      await audit.record(tx, actor, {
        action: "verify",
        entity: "verification_row",
        entityId: task.id,
        orgPath: task.gridPath,
        after: {
          listId: list.id,
          outcome: line.outcome,
          label: OUTCOME_LABELS[line.outcome!],
          note: line.note,
          via: "sheet",
          sheetRow: line.n,
        },
      });
    }
  });
}
