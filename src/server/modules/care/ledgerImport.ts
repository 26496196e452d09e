// The care ledger import: a community's key-population spreadsheet (xlsx or csv) read into tags with
// evidence. The file is read in a worker thread with bounded cost (platform/spreadsheet); every row is
// checked and matched before anything is written, and one bad row rejects the batch (422, each row
// named). A good batch becomes a background job that writes a few hundred rows per transaction, so other
// requests keep being served, and a kill mid-way leaves whole chunks and a checkpoint to resume from.
import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import {
  findHeader,
  ledgerRowChecker,
  NAME_MISMATCH,
  NOT_IN_SCOPE,
  type RowError,
} from "../../../domain/care/ledgerRows.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import type { KeyTag } from "../../../domain/people/tags.ts";
import type { Actor, AppContext } from "../../context.ts";
import { systemPrincipal } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { Unprocessable } from "../../platform/errors.ts";
import { authorize } from "../../platform/policy.ts";
import { readSpreadsheet } from "../../platform/spreadsheet/index.ts";
import { giveWay } from "../../platform/turns.ts";
import * as jobs from "../jobs/index.ts";
import * as residents from "../residents/index.ts";
import { scopeOf } from "./ledger.ts";

export const LEDGER_IMPORT = "care.ledger_import";
/** Data rows per import (the header and blank rows above it get some room in the sheet limit). */
export const MAX_IMPORT_ROWS = 50_000;
/** Rows per transaction: on PGlite's one connection, a chunk is the longest anyone waits. */
export const CHUNK_ROWS = 100;
/** Rows checked, or ID numbers looked up, between two turns given to other requests. */
const SLICE = 250;

const IMPORT_SYSTEM = systemPrincipal("ledger_import", "系统（台账导入）");

/** One matched row as the job stores it: resident, tags, note. No names or ID numbers. */
interface ImportItem {
  r: number;
  t: KeyTag[];
  o: string | null;
}

function rejectRows(errors: RowError[]): never {
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
    { fields, rows: errors, imported: 0 },
  );
}

/**
 * Reads, checks and matches a ledger, then starts the job that writes it (the caller answers 202 with it).
 * Residents are looked up inside the importer's area only: an ID outside it, or unknown, gets the same
 * words, and a name is compared only with a resident the importer may see anyway.
 */
export async function importLedger(
  ctx: AppContext,
  actor: Actor,
  buffer: Buffer,
  opts: { org?: number; filename?: string } = {},
) {
  authorize(actor, "care.manage");
  const unit = await scopeOf(ctx, actor, opts.org);
  const sheet = await readSpreadsheet(buffer, { rows: MAX_IMPORT_ROWS + 100 });
  const header = findHeader(sheet.rows.slice(0, 20));
  if (!header.ok)
    throw Unprocessable(header.message, { fields: [{ field: "header", message: header.message }] });
  const checker = ledgerRowChecker(header);
  for (let i = 0; i < sheet.rows.length; i += SLICE) {
    checker.check(sheet.rows.slice(i, i + SLICE));
    await giveWay();
  }
  const { good, errors } = checker.result();
  if (good.length + errors.length === 0)
    throw Unprocessable("表格中没有数据行", { fields: [{ field: "file", message: "没有数据行" }], rows: [] });
  if (good.length + errors.length > MAX_IMPORT_ROWS)
    throw Unprocessable(`一次最多导入 ${MAX_IMPORT_ROWS} 行，请分批导入`, {
      fields: [{ field: "file", message: `超过 ${MAX_IMPORT_ROWS} 行` }],
    });

  const hashes: string[] = [];
  const found = new Map<string, { id: number; name: string }>();
  for (let i = 0; i < good.length; i += SLICE) {
    const slice = good.slice(i, i + SLICE).map((g) => ctx.crypto.hash(g.idNumber));
    hashes.push(...slice);
    const list = await ctx.database.query<{ id: number; name: string; idHash: string }>(
      `select id, name, id_hash as "idHash" from residents where id_hash = any($1::text[]) and org_path like $2`,
      [slice, subtreePattern(unit.path)],
    );
    for (const r of list) found.set(r.idHash, r);
    await giveWay();
  }
  const items: ImportItem[] = [];
  good.forEach((g, i) => {
    const r = found.get(hashes[i]);
    if (!r) errors.push({ row: g.n, messages: [NOT_IN_SCOPE] });
    else if (r.name.replace(/\s+/g, "") !== g.name) errors.push({ row: g.n, messages: [NAME_MISMATCH] });
    else items.push({ r: r.id, t: g.tags, o: g.note });
  });
  if (errors.length) rejectRows(errors);

  await audit.record(ctx.database.db, actor, {
    action: "import",
    entity: "care_ledger",
    orgPath: unit.path,
    after: { filename: opts.filename ?? null, rows: items.length, format: sheet.format },
  });
  return jobs.startJob(ctx, actor, LEDGER_IMPORT, { orgUnitId: unit.id, orgPath: unit.path }, items);
}

jobs.defineJobKind<ImportItem>(LEDGER_IMPORT, {
  chunkSize: CHUNK_ROWS,
  /**
   * One set-based statement per chunk. Tags are compared with the resident's as they are now, so a row
   * that adds nothing writes nothing (no evidence row, no version bump), and a chunk run twice (a resumed
   * job) adds nothing the second time.
   */
  async writeChunk(tx: Db, job, items) {
    const input = items.flatMap((i) => i.t.map((t) => ({ r: i.r, t, o: i.o })));
    const now = new Date();
    // The evidence and the plans are care's; the residents' tag summary changes through the residents face,
    // with the pairs the same statement found missing (read before anything in this chunk changed it).
    const res = (await tx.execute(sql`
      with input as (
        select x.r as resident_id, x.t as tag, x.o as note
        from jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as x(r int, t text, o text)
      ), adds as (
        select i.resident_id, r.org_path, i.tag, i.note from input i join residents r on r.id = i.resident_id
        where r.org_path like ${subtreePattern(job.orgPath)} and not (i.tag = any(r.tags))
      ), evidence as (
        insert into care_tag_assignments (resident_id, org_path, tag, source, note, set_by, set_by_name, set_at)
        select resident_id, org_path, tag, 'import', note, ${job.ownerId}, ${job.ownerName}, ${now} from adds
        on conflict (resident_id, tag) where removed_at is null do nothing returning id
      ), plans as (
        insert into care_plans (resident_id, org_path, started_at)
        select distinct resident_id, org_path, ${now}::timestamptz from adds
        on conflict (resident_id) do nothing returning resident_id
      )
      -- data-modifying CTEs run to completion whether or not the select reads them
      select resident_id as "residentId", tag from adds`)) as unknown as {
      rows: { residentId: number; tag: string }[];
    };
    const tagsAdded = res.rows.length;
    const residentsChanged = (await residents.addTags(tx, res.rows)).length;
    return { rows: items.length, tagsAdded, residentsChanged, unchanged: items.length - residentsChanged };
  },
  async finish(tx, job, counters) {
    const result = {
      rows: counters.rows ?? 0,
      residentsChanged: counters.residentsChanged ?? 0,
      tagsAdded: counters.tagsAdded ?? 0,
      unchanged: counters.unchanged ?? 0,
    };
    await audit.record(tx, IMPORT_SYSTEM, {
      action: "import_done",
      entity: "care_ledger",
      entityId: job.id,
      orgPath: job.orgPath,
      after: { jobId: job.id, ownerId: job.ownerId, ...result },
    });
    return result;
  },
});
