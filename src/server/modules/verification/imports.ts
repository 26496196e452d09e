// Importing a list for verification: upload → preview (header found, columns mapped, the admin confirms) →
// a background run that streams the file from the reader thread, cleans, matches and classifies each
// batch, and writes it with the checkpoint in one transaction. A process killed mid-way leaves whole
// chunks; the run resumes from the checkpoint (the file is kept with the list, sealed at rest:
// platform/uploads.ts) when a process starts.
import { sql } from "drizzle-orm";
import { copyCsvIn, type Db } from "../../../db/client.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import { nameInitials } from "../../../domain/people/pinyin.ts";
import {
  bestFuzzy,
  type Candidate,
  type Classified,
  classify,
  type MatchBy,
} from "../../../domain/verification/match.ts";
import {
  type CleanRow,
  cleanRow,
  duplicateKey,
  emptyMapping,
  findHeader,
  type Mapping,
  mappingProblem,
  type SkipReason,
  skipReason,
  unitKey,
} from "../../../domain/verification/rows.ts";
import type { Actor, AppContext } from "../../context.ts";
import { canSee, systemPrincipal } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound, Unprocessable } from "../../platform/errors.ts";
import { backgroundRunner, type Runner } from "../../platform/runner.ts";
import { type SheetRow, streamSpreadsheet } from "../../platform/spreadsheet/index.ts";
import { giveWay } from "../../platform/turns.ts";
import {
  isUploadKeyMismatch,
  type KeptUpload,
  keptFileColumns,
  openUpload,
  sealPlainUploads,
  sealUpload,
} from "../../platform/uploads.ts";
import { verificationPolicy } from "./policy.ts";
import { estimateRows, headRows, type Preview, previewOf } from "./sheetHead.ts";

/** Rows the reader thread hands over at a time. */
export const BATCH_ROWS = 2_000;
/** Rows of the first chunk; later chunks are sized to take about CHUNK_MS (within MIN..MAX). */
export const CHUNK_ROWS = 500;
const CHUNK_ROWS_MIN = 200;
const CHUNK_ROWS_MAX = 2_000;
/** A chunk's time: on PGlite's one connection, a chunk is the longest anyone waits. */
const CHUNK_MS = 300;

/** verification_rows' columns as the import writes them (COPY csv). */
const ROW_COLUMNS = [
  "list_id",
  "n",
  "original_cipher",
  "name",
  "id_cipher",
  "id_hash",
  "id_tail",
  "id_status",
  "phone_cipher",
  "phone_tail",
  "address",
  "stated_community",
  "class",
  "reasons",
  "resident_id",
  "match_by",
  "score",
  "org_path",
  "street_code",
  "community_code",
  "dup_key",
  "batch_status",
  "changed_fields",
  "prior_row_id",
];

/** A text[] literal: each element quoted, backslash and quote escaped. */
const textArray = (xs: string[]) =>
  `{${xs.map((x) => `"${x.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(",")}}`;

/** One csv line: null unquoted (COPY's NULL), every other value quoted when it must be or is empty. */
const csvLine = (values: unknown[]) => {
  let line = "";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) line += ",";
    if (v === null || v === undefined) continue;
    const s = String(v);
    line += s === "" || /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  }
  return `${line}\n`;
};

/**
 * A chunk's COPY csv as UTF-8 bytes, encoded a few lines at a time as they are made: the lines die young,
 * and the chunk waiting for its write is one buffer outside V8's heap. As one string it was ~1 KB of
 * two-byte text a row that outlived a few scavenges and was promoted, so the main thread's old space filled
 * with finished chunks (300+ MB of garbage between major collections on a 387,300-row list); a buffer
 * counts as external memory instead, whose growth itself starts a major collection after some 64 MB.
 */
class CsvBytes {
  private buf: Buffer;
  private len = 0;
  /** Lines not yet encoded: one write per few kB instead of one per line. */
  private text = "";
  constructor(rows: number) {
    this.buf = Buffer.allocUnsafe(Math.max(16_384, rows * 640));
  }
  push(line: string) {
    this.text += line;
    if (this.text.length >= 8_192) this.encode();
  }
  private encode() {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const need = this.len + this.text.length * 3;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, need));
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    this.len += this.buf.write(this.text, this.len);
    this.text = "";
  }
  bytes(): Buffer {
    this.encode();
    return this.buf.subarray(0, this.len);
  }
}

interface Prepared {
  csv: Buffer;
  delta: Record<string, number>;
  lastN: number;
  rows: number;
}
/**
 * A run whose heartbeat is older than this has lost its process (PostgreSQL, several processes): a minute,
 * or IMPORT_STALE_MS (the fault tests take a killed process's run over after a few seconds).
 */
export const STALE_MS = Number(process.env.IMPORT_STALE_MS) || 60_000;
const SYSTEM = systemPrincipal("verification_import", "系统（核查名单导入）");

export interface Unit {
  id: number;
  kind: string;
  code: string;
  name: string;
  path: string;
}

const execRows = async <T>(db: Db, q: ReturnType<typeof sql>) =>
  ((await db.execute(q)) as unknown as { rows: T[] }).rows;

/** The unit a list is imported for: the caller's own, or one below it (district, street or community). */
async function listUnit(ctx: AppContext, actor: Actor, org?: number): Promise<Unit> {
  const [u] = await ctx.database.query<Unit>(
    "select id, kind, code, name, path from org_units where id = $1 and path like $2",
    [org ?? actor.orgUnitId, subtreePattern(actor.orgPath)],
  );
  if (!u) throw Invalid("单位不存在", [{ field: "org", message: "单位不存在" }]);
  if (!["district", "street", "community"].includes(u.kind))
    throw Invalid("核查名单按区、街道或社区导入", [{ field: "org", message: "请选择区、街道或社区" }]);
  return u;
}

/** The list's preview: its own fields, and whether its mapping can be used. */
const preview = (rows: SheetRow[], headerRow: number, mapping: Mapping): Preview<Mapping> =>
  previewOf(rows, headerRow, mapping, mappingProblem(mapping));

/** Stores an uploaded list and answers its preview: the header found and the columns mapped. */
export async function createList(
  ctx: AppContext,
  actor: Actor,
  buffer: Buffer,
  opts: { org?: number; filename?: string; title?: string; batchOf?: number },
) {
  verificationPolicy.authorize(actor, "manage");
  // A later batch of a campaign: the campaign's own area, and the next number.
  const campaign = opts.batchOf ? await campaignOf(ctx, actor, opts.batchOf) : null;
  const unit = campaign
    ? { id: campaign.orgUnitId, name: campaign.title, path: campaign.orgPath, kind: "", code: "" }
    : await listUnit(ctx, actor, opts.org);
  const { rows, format } = await headRows(buffer);
  if (!rows.length)
    throw Unprocessable("表格中没有任何内容", { fields: [{ field: "file", message: "没有数据行" }] });
  const header = findHeader(rows);
  if (!header)
    throw Unprocessable("未找到表头：前 30 行中没有「姓名」「身份证号」等列名，请检查文件", {
      fields: [{ field: "file", message: "未找到含「姓名」或「身份证号」的表头行" }],
    });
  const estimate = await estimateRows(buffer, format);
  const title = campaign
    ? `${campaign.title}（第 ${campaign.next} 批）`
    : opts.title || opts.filename?.replace(/\.(xlsx|csv)$/i, "") || `${unit.name}核查名单`;
  const sealed = sealUpload(ctx.crypto, buffer);
  const [list] = await ctx.database.query<{ id: number }>(
    `insert into verification_lists (org_unit_id, org_path, title, filename, format, file, file_key, header_row,
       mapping, estimate, owner_id, owner_name, campaign_id, batch_no)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $14) returning id`,
    [
      unit.id,
      unit.path,
      title.slice(0, 200),
      opts.filename ?? null,
      format,
      sealed.file,
      sealed.fileKey,
      header.n,
      JSON.stringify(header.mapping),
      estimate,
      actor.id,
      actor.displayName,
      campaign?.id ?? null,
      campaign?.next ?? 1,
    ],
  );
  await audit.record(ctx.database.db, actor, {
    action: "upload",
    entity: "verification_list",
    entityId: list.id,
    orgPath: unit.path,
    after: {
      filename: opts.filename ?? null,
      format,
      bytes: buffer.length,
      estimate,
      ...(campaign ? { campaignId: campaign.id, batchNo: campaign.next } : {}),
    },
  });
  return { id: list.id, ...preview(rows, header.n, header.mapping) };
}

interface ListRow {
  id: number;
  orgPath: string;
  state: string;
  headerRow: number;
  mapping: Mapping;
  checkpoint: number;
  counters: Record<string, number>;
  /** The campaign's first list (itself for a first batch). */
  campaignId: number;
}

/**
 * The campaign a new batch joins: given any of its lists, the first one (title, area) and the next batch
 * number. Only an admin of the campaign's own area adds to it (outside it, 404).
 */
async function campaignOf(ctx: AppContext, actor: Actor, listId: number) {
  const [c] = await ctx.database.query<{
    id: number;
    orgUnitId: number;
    orgPath: string;
    title: string;
    next: number;
  }>(
    `select f.id, f.org_unit_id as "orgUnitId", f.org_path as "orgPath", f.title,
       (select max(batch_no) + 1 from verification_lists b where coalesce(b.campaign_id, b.id) = f.id)::int as next
     from verification_lists l join verification_lists f on f.id = coalesce(l.campaign_id, l.id)
     where l.id = $1 and f.org_path like $2`,
    [listId, subtreePattern(actor.orgPath)],
  );
  if (!c)
    throw Invalid("核查名单不存在", [{ field: "batchOf", message: "所选核查名单不存在或不属于本辖区" }]);
  verificationPolicy.authorize(actor, "changeList", c);
  return c;
}

async function ownList(ctx: AppContext, actor: Actor, id: number): Promise<ListRow> {
  const [l] = await ctx.database.query<ListRow>(
    `select id, org_path as "orgPath", state, header_row as "headerRow", mapping, checkpoint, counters,
       coalesce(campaign_id, id) as "campaignId"
     from verification_lists where id = $1 and org_path like $2`,
    [id, subtreePattern(actor.orgPath)],
  );
  if (!l) throw NotFound("核查名单不存在");
  return l;
}

/** The list's kept upload, opened (the key in force must be the one that sealed it). */
async function listFile(ctx: AppContext, id: number) {
  const [row] = await ctx.database.query<KeptUpload>(
    `select ${keptFileColumns("$2")} from verification_lists where id = $1`,
    [id, ctx.crypto.fingerprint()],
  );
  return row ? openUpload(ctx.crypto, row) : null;
}

/**
 * The app's step at start: lists kept before uploads were sealed at rest are sealed now, one at a time
 * (later ones are sealed as they arrive).
 */
export const sealKeptLists = (ctx: AppContext) =>
  sealPlainUploads(ctx, {
    next: async (after) =>
      (
        await ctx.database.query<{ id: number; file: Uint8Array }>(
          "select id, file from verification_lists where file_key is null and id > $1 order by id limit 1",
          [after],
        )
      )[0],
    put: (id, sealed) =>
      ctx.database.query(
        "update verification_lists set file = $2, file_key = $3 where id = $1 and file_key is null",
        [id, sealed.file, sealed.fileKey],
      ),
  });

/** The preview again (a page reloaded before the mapping was confirmed). */
export async function previewList(ctx: AppContext, actor: Actor, id: number) {
  verificationPolicy.authorize(actor, "manage");
  const l = await ownList(ctx, actor, id);
  const { rows } = await headRows((await listFile(ctx, id))!);
  return { id, ...preview(rows, l.headerRow, l.mapping) };
}

/** The admin confirms (or fixes) the mapping and sets the deadline: the run starts in the background. */
export async function startList(
  ctx: AppContext,
  actor: Actor,
  id: number,
  body: { headerRow: number; mapping: Partial<Mapping>; deadline?: string },
) {
  verificationPolicy.authorize(actor, "manage");
  const l = await ownList(ctx, actor, id);
  verificationPolicy.authorize(actor, "changeList", l);
  const mapping = { ...emptyMapping(), ...body.mapping };
  const problem = mappingProblem(mapping);
  if (problem) throw Invalid(problem, [{ field: "mapping", message: problem }]);
  // A batch compares with the campaign's earlier batches: one of them still importing would be half-read.
  const [started] = await ctx.database.query<{ id: number }>(
    `update verification_lists set state = 'running', header_row = $2, mapping = $3::jsonb, deadline = $4,
       heartbeat_at = null, updated_at = now()
     where id = $1 and state = 'previewed' and not exists (select 1 from verification_lists o
       where coalesce(o.campaign_id, o.id) = $5 and o.id <> $1 and o.state = 'running')
     returning id`,
    [id, body.headerRow, JSON.stringify(mapping), body.deadline ?? null, l.campaignId],
  );
  if (!started) {
    if (l.state === "previewed")
      throw Conflict("同一核查任务的另一批名单正在导入，请等其完成后再开始", { state: l.state });
    throw Conflict("名单已开始导入", { state: l.state });
  }
  await audit.record(ctx.database.db, actor, {
    action: "start",
    entity: "verification_list",
    entityId: id,
    orgPath: l.orgPath,
    after: { headerRow: body.headerRow, mapping, deadline: body.deadline ?? null },
  });
  kick(ctx, id, 0);
  return { id };
}

/** Stops a run where it stands: what was written stays, counted, and the list is marked cancelled. */
export async function cancelList(ctx: AppContext, actor: Actor, id: number) {
  verificationPolicy.authorize(actor, "manage");
  const l = await ownList(ctx, actor, id);
  verificationPolicy.authorize(actor, "changeList", l);
  const [done] = await ctx.database.query<{ id: number }>(
    `update verification_lists set state = 'cancelled', finished_at = now(), updated_at = now()
     where id = $1 and state in ('previewed', 'running') returning id`,
    [id],
  );
  if (!done) throw Conflict("名单导入已结束，不能取消", { state: l.state });
  await audit.record(ctx.database.db, actor, {
    action: "cancel",
    entity: "verification_list",
    entityId: id,
    orgPath: l.orgPath,
    after: { checkpoint: l.checkpoint },
  });
  return { id };
}

// ---------------------------------------------------------------------------------------------------------
// The run.

class Halted extends Error {}

/** Per database: what this process is running, and whether it has been told to stop. */
const runs = backgroundRunner(runList);
const kick = (ctx: AppContext, id: number, staleMs = STALE_MS) => runs.kick(ctx, id, staleMs);

/** Picks up runs no live process has (at start on PGlite, every running one: pass 0). */
export async function resumeLists(ctx: AppContext, staleMs = STALE_MS): Promise<number[]> {
  return runs.resume(ctx, staleMs, () =>
    ctx.database.query<{ id: number }>(
      `select id from verification_lists where state = 'running' and (heartbeat_at is null
       or heartbeat_at < now() - make_interval(secs => $1::int / 1000.0)) order by id`,
      [staleMs],
    ),
  );
}

/** Stops this process's runs as a process that exits would (the chunk in flight rolls back). */
export async function haltLists(ctx: AppContext) {
  await runs.halt(ctx);
}

/** Resolves when no run is left in this process (tests and the benchmark). */
export async function settleLists(ctx: AppContext) {
  await runs.settle(ctx);
}

interface Place {
  streets: Map<string, Unit>;
  communities: Unit[];
  byPath: Map<string, Unit>;
}

async function placeOf(ctx: AppContext, path: string): Promise<Place> {
  const units = await ctx.database.query<Unit>(
    `select id, kind, code, name, path from org_units where path like $1 and kind in ('street', 'community')
     union select id, kind, code, name, path from org_units where $2 like path || '%' and kind in ('street', 'community')`,
    [subtreePattern(path), path],
  );
  return {
    streets: new Map(units.filter((u) => u.kind === "street").map((u) => [u.path, u])),
    communities: units.filter((u) => u.kind === "community"),
    byPath: new Map(units.map((u) => [u.path, u])),
  };
}

/** `/d/s/c/g/m/` → the first `depth` segments, as a path. */
const prefix = (path: string, depth: number) => {
  const parts = path.split("/").filter(Boolean);
  return parts.length >= depth ? `/${parts.slice(0, depth).join("/")}/` : null;
};

interface Resident {
  id: number;
  name: string;
  birthDate: string;
  address: string;
  orgPath: string;
  idHash: string;
  phoneHash: string | null;
  nameInitials: string;
}
const RESIDENT = `id, name, birth_date::text as "birthDate", address, org_path as "orgPath", id_hash as "idHash",
  phone_hash as "phoneHash", name_initials as "nameInitials"`;

async function runList(ctx: AppContext, runner: Runner, id: number, staleMs: number) {
  const [list] = await ctx.database.query<
    ListRow & { ownerId: number; ownerName: string; estimate: number; earlier: number[] }
  >(
    `update verification_lists set attempts = attempts + 1, heartbeat_at = now(), error = null, updated_at = now()
     where id = $1 and state = 'running' and (heartbeat_at is null
       or heartbeat_at < now() - make_interval(secs => $2::int / 1000.0))
     returning id, org_path as "orgPath", state, header_row as "headerRow", mapping, checkpoint, counters,
       owner_id as "ownerId", owner_name as "ownerName", estimate, coalesce(campaign_id, id) as "campaignId",
       array(select o.id from verification_lists o where coalesce(o.campaign_id, o.id) = coalesce(
         verification_lists.campaign_id, verification_lists.id) and o.id < verification_lists.id
         order by o.id) as earlier`,
    [id, staleMs],
  );
  if (!list) return;
  const { db } = ctx.database;
  const place = await placeOf(ctx, list.orgPath);
  const depthOf = (kind: string) => ({ street: 2, community: 3, grid: 4 })[kind] ?? 0;
  const unitAt = (path: string, kind: "street" | "community") => {
    const p = prefix(path, depthOf(kind));
    return p ? place.byPath.get(p) : undefined;
  };
  const communityByName = new Map<string, Unit>();
  for (const c of place.communities)
    if (canSee({ orgPath: list.orgPath }, c.path)) communityByName.set(unitKey(c.name), c);

  // Duplicates within the list: keys of the rows already written (a resumed run) and of those to come.
  const seen = new Map<string, number>();
  for (const r of await ctx.database.query<{ k: string; n: number }>(
    "select dup_key as k, min(n) as n from verification_rows where list_id = $1 and dup_key is not null group by dup_key",
    [id],
  ))
    seen.set(r.k, r.n);

  let checkpoint = list.checkpoint;
  let counters = { ...list.counters };
  const mapping: Mapping = { ...emptyMapping(), ...list.mapping };
  const scope = subtreePattern(list.orgPath);
  /** A resident outside the list's area is not here: the same as one not in the registry. */
  const inArea = (r: Resident) => canSee({ orgPath: list.orgPath }, r.orgPath);
  const today = new Date();

  /** Cleans, matches and classifies a chunk: its rows as csv for COPY, and what it adds to the counters. */
  async function prepareChunk(rows: SheetRow[], lastN: number): Promise<Prepared> {
    const delta: Record<string, number> = { read: 0 };
    const data: { row: CleanRow; key: string | null; dupOf: number | null }[] = [];
    for (const r of rows) {
      delta.read++;
      if (r.n <= list.headerRow) {
        const k = r.n === list.headerRow ? "header_row" : "skip_title";
        delta[k] = (delta[k] ?? 0) + 1;
        continue;
      }
      const skip: SkipReason | null = skipReason(r.cells, mapping);
      if (skip) {
        delta[`skip_${skip}`] = (delta[`skip_${skip}`] ?? 0) + 1;
        continue;
      }
      const row = cleanRow(r.n, r.cells, mapping, today);
      const k = duplicateKey(row);
      const key = k ? ctx.crypto.hash(k) : null;
      const dupOf = key ? (seen.get(key) ?? null) : null;
      if (key && dupOf === null) seen.set(key, r.n);
      data.push({ row, key, dupOf });
    }
    delta.cleaned = data.length;
    const batch = await compareWithEarlier(ctx, list.earlier ?? [], data);
    for (const b of batch.values()) delta[`batch_${b.status}`] = (delta[`batch_${b.status}`] ?? 0) + 1;
    delta.batch_new = (delta.batch_new ?? 0) + data.length - batch.size;
    await giveWay();
    // Exact by the ID's keyed hash, then the phone's, then name + birth date + address.
    const todo = data.filter((d) => d.dupOf === null);
    const idHash = new Map<CleanRow, string>();
    for (const d of todo) if (d.row.id.id) idHash.set(d.row, ctx.crypto.hash(d.row.id.id));
    // By the unique hash alone, the area checked on each row found: with the area in the WHERE as well,
    // PostgreSQL may scan the whole area's index first (75,000 entries for a street, 70 ms a chunk).
    const byId = new Map<string, Resident>();
    if (idHash.size)
      for (const r of await ctx.database.query<Resident>(
        `select ${RESIDENT} from residents where id_hash = any($1::text[])`,
        [[...idHash.values()]],
      ))
        if (inArea(r)) byId.set(r.idHash, r);
    const match = new Map<CleanRow, { r: Resident; by: MatchBy; score: number }>();
    for (const d of todo) {
      const h = idHash.get(d.row);
      const r = h ? byId.get(h) : undefined;
      if (r) match.set(d.row, { r, by: "id", score: 1 });
    }
    const phoneHash = new Map<CleanRow, string>();
    for (const d of todo)
      if (!match.has(d.row) && d.row.phone && !d.row.id.id)
        phoneHash.set(d.row, ctx.crypto.hash(d.row.phone));
    if (phoneHash.size) {
      const byPhone = new Map<string, Resident[]>();
      for (const r of await ctx.database.query<Resident>(
        `select ${RESIDENT} from residents where phone_hash = any($1::text[])`,
        [[...new Set(phoneHash.values())]],
      ))
        if (inArea(r)) byPhone.set(r.phoneHash!, [...(byPhone.get(r.phoneHash!) ?? []), r]);
      for (const [row, h] of phoneHash) {
        // A phone shared by a household names a person only with the same name.
        const r = (byPhone.get(h) ?? []).find((x) => x.name === row.name);
        if (r) match.set(row, { r, by: "phone", score: 1 });
      }
    }
    const fuzzy = todo.filter((d) => !match.has(d.row) && !d.row.id.id && d.row.id.birthDate && d.row.name);
    if (fuzzy.length) {
      const cands = await ctx.database.query<Resident>(
        `select ${RESIDENT} from residents where birth_date = any($1::date[]) and org_path like $2
           and (name = any($3::text[]) or name_initials = any($4::text[]))`,
        [
          [...new Set(fuzzy.map((d) => d.row.id.birthDate))],
          scope,
          [...new Set(fuzzy.map((d) => d.row.name))],
          [...new Set(fuzzy.map((d) => nameInitials(d.row.name)))],
        ],
      );
      const asCandidate = (r: Resident): Candidate & { r: Resident } => ({
        id: r.id,
        name: r.name,
        birthDate: r.birthDate,
        address: r.address,
        community: unitAt(r.orgPath, "community")?.name ?? "",
        street: unitAt(r.orgPath, "street")?.name ?? "",
        r,
      });
      for (const d of fuzzy) {
        const best = bestFuzzy(
          { name: d.row.name, birthDate: d.row.id.birthDate, address: d.row.address },
          cands.filter((c) => c.birthDate === d.row.id.birthDate).map(asCandidate),
        );
        if (best) match.set(d.row, { r: (best.candidate as any).r, by: "fuzzy", score: best.score });
      }
    }
    await giveWay();
    // The chunk's rows as COPY csv, in ROW_COLUMNS' order.
    const csv = new CsvBytes(data.length);
    for (const { row, key, dupOf } of data) {
      const m = match.get(row);
      const c: Classified = classify(
        row,
        dupOf,
        m
          ? {
              by: m.by,
              score: m.score,
              candidate: {
                id: m.r.id,
                name: m.r.name,
                birthDate: m.r.birthDate,
                address: m.r.address,
                community: unitAt(m.r.orgPath, "community")?.name ?? "",
                street: unitAt(m.r.orgPath, "street")?.name ?? "",
              },
            }
          : null,
      );
      delta[c.class] = (delta[c.class] ?? 0) + 1;
      if (m && dupOf === null) delta.matched = (delta.matched ?? 0) + 1;
      const stated = row.community ? communityByName.get(unitKey(row.community)) : undefined;
      const effective = m && (c.class === "found" || c.class === "routed");
      const at = effective ? m.r.orgPath : (stated?.path ?? list.orgPath);
      const b = batch.get(row);
      const idNo = row.id.id;
      // What was typed is kept only where the cleaned value differs (an ID typed full-width, a phone with
      // spaces): the presenter shows the typed ID and phone; the other fields as typed are in the kept file.
      const typedId = row.original.idNumber;
      const typedPhone = row.original.phone;
      const asCleaned = (typedId ?? null) === idNo && (typedPhone ?? null) === row.phone;
      csv.push(
        csvLine([
          id,
          row.n,
          asCleaned ? null : ctx.crypto.encrypt(JSON.stringify({ idNumber: typedId, phone: typedPhone })),
          row.name.slice(0, 100),
          idNo ? ctx.crypto.encrypt(idNo) : null,
          idNo ? (idHash.get(row) ?? ctx.crypto.hash(idNo)) : null,
          idNo ? idNo.slice(-4) : null,
          row.id.status,
          row.phone ? ctx.crypto.encrypt(row.phone) : null,
          row.phone ? row.phone.slice(-4) : null,
          row.address.slice(0, 300),
          row.community.slice(0, 100),
          c.class,
          textArray(c.reasons),
          effective ? m.r.id : null,
          m && dupOf === null ? m.by : null,
          m && dupOf === null ? m.score : null,
          at,
          unitAt(at, "street")?.code ?? null,
          unitAt(at, "community")?.code ?? null,
          key,
          b?.status ?? "new",
          textArray(b?.changed ?? []),
          b?.prior ?? null,
        ]),
      );
    }
    return { csv: csv.bytes(), delta, lastN, rows: rows.length };
  }

  /** Writes a prepared chunk with the checkpoint and counters in one transaction. */
  async function writeChunk(p: Prepared) {
    await db.transaction(async (txRaw) => {
      const tx = txRaw as unknown as Db;
      if (p.csv.length)
        await copyCsvIn(tx, "verification_rows", ROW_COLUMNS, p.csv).catch((e) => {
          // Rows past our checkpoint already there: another process took the run over and wrote them.
          throw e?.code === "23505" ? new Halted() : e;
        });
      if (runner.halted) throw new Halted();
      const merged = { ...counters };
      for (const [k, v] of Object.entries(p.delta)) merged[k] = (merged[k] ?? 0) + v;
      const moved = await execRows(
        tx,
        sql`update verification_lists set checkpoint = ${p.lastN}, counters = ${JSON.stringify(merged)}::jsonb,
          heartbeat_at = now(), updated_at = now()
          where id = ${id} and checkpoint = ${checkpoint} and state = 'running' returning id`,
      );
      // Cancelled, or taken over by another process: stop here, this chunk undone.
      if (!moved.length) throw new Halted();
      counters = merged;
    });
    checkpoint = p.lastN;
  }

  // Chunk k is written while chunk k+1 is cleaned and matched (on PostgreSQL the two overlap: the database
  // works on one core, this thread on the other). A chunk's size is time-boxed: as many rows as one write
  // cycle takes about CHUNK_MS for, so the progress counter moves several times a second and, on PGlite,
  // nobody waits longer than that for the one connection.
  let writing: Promise<void> | undefined;
  const settleWrite = async () => {
    const w = writing;
    writing = undefined;
    if (w) await w;
  };
  try {
    // The file goes straight to the reader (which copies it): no reference to it is kept here.
    const gen = streamSpreadsheet(
      (await listFile(ctx, id))!,
      {},
      { batchRows: BATCH_ROWS, after: checkpoint },
    );
    let summary: { rowsRead: number } | undefined;
    let pending: SheetRow[] = [];
    let chunkRows = CHUNK_ROWS;
    let cycleStart = performance.now();
    for (;;) {
      let next: IteratorResult<SheetRow[], { rowsRead: number }> | undefined;
      if (pending.length < chunkRows) {
        next = await gen.next();
        if (!next.done) {
          pending = pending.length ? pending.concat(next.value) : next.value;
          if (pending.length < chunkRows) continue;
        } else summary = next.value;
      }
      while (pending.length >= chunkRows || (summary && pending.length)) {
        if (runner.halted) {
          await settleWrite().catch(() => {});
          await gen.return(undefined as never);
          return;
        }
        const slice = pending.slice(0, chunkRows);
        pending = pending.slice(chunkRows);
        const prepared = await prepareChunk(slice, slice[slice.length - 1].n);
        await settleWrite();
        // The cycle: from one write's start to the next, preparing included.
        const cycle = performance.now() - cycleStart;
        cycleStart = performance.now();
        if (cycle > 0)
          chunkRows = Math.max(
            CHUNK_ROWS_MIN,
            Math.min(CHUNK_ROWS_MAX, Math.round((slice.length / cycle) * CHUNK_MS), chunkRows * 2),
          );
        writing = writeChunk(prepared);
        // A failed write is seen when it is settled (next chunk or the end); none is left unhandled.
        writing.catch(() => {});
        await giveWay();
      }
      if (summary) break;
    }
    await settleWrite();
    // Blank rows are counted by the reader; what it read and did not hand over was blank.
    await db.transaction(async (txRaw) => {
      const tx = txRaw as unknown as Db;
      const rowsRead = summary!.rowsRead;
      const final = { ...counters, rows: rowsRead, skip_blank: rowsRead - (counters.read ?? 0) };
      const done = await execRows(
        tx,
        sql`update verification_lists set state = 'succeeded', counters = ${JSON.stringify(final)}::jsonb,
          checkpoint = ${rowsRead}, finished_at = now(), heartbeat_at = now(), updated_at = now()
          where id = ${id} and state = 'running' returning id`,
      );
      if (!done.length) throw new Halted();
      await routeTasks(tx, id);
      await audit.record(tx, SYSTEM, {
        action: "import_done",
        entity: "verification_list",
        entityId: id,
        orgPath: list.orgPath,
        after: { ownerId: list.ownerId, ...final },
      });
    });
  } catch (e) {
    await settleWrite().catch(() => {});
    if (e instanceof Halted || runner.halted) return;
    // The upload sealed under another key (this process started with another GRIDKEEPER_SECRET): the list
    // keeps its state and checkpoint, says why on its page, and is left for a process with the right key
    // (heartbeat cleared: taken at the next start or sweep), instead of failing an import nothing is wrong with.
    if (isUploadKeyMismatch(e)) {
      await ctx.database
        .query(
          `update verification_lists set error = $2, heartbeat_at = null, updated_at = now()
           where id = $1 and state = 'running'`,
          [id, (e as Error).message],
        )
        .catch(() => {});
      return;
    }
    const message =
      e && typeof e === "object" && "status" in e && (e as any).status < 500
        ? String((e as unknown as Error).message)
        : "导入出错，已写入的部分完整保留";
    await ctx.database
      .query(
        `update verification_lists set state = 'failed', error = $2, finished_at = now(), updated_at = now()
         where id = $1 and state = 'running'`,
        [id, message],
      )
      .catch(() => {});
  }
}

/** What a batch's row is against the campaign's earlier batches. */
export const CHANGED_FIELDS = ["name", "idNumber", "phone", "address", "community"] as const;
interface BatchMark {
  status: "unchanged" | "changed";
  changed: string[];
  prior: number;
}

/**
 * The rows of a chunk that the campaign's earlier batches already held (the same person by the list's own
 * key: the ID number, or name and phone), each compared field by field with the latest earlier row.
 * Rows absent from the map are new.
 */
async function compareWithEarlier(
  ctx: AppContext,
  earlier: number[],
  data: { row: CleanRow; key: string | null }[],
): Promise<Map<CleanRow, BatchMark>> {
  const marks = new Map<CleanRow, BatchMark>();
  const keys = [...new Set(data.map((d) => d.key).filter((k): k is string => !!k))];
  if (!earlier.length || !keys.length) return marks;
  const prior = new Map(
    (
      await ctx.database.query<{
        id: number;
        k: string;
        name: string;
        idHash: string | null;
        phoneCipher: string | null;
        address: string;
        community: string;
      }>(
        `select distinct on (dup_key) id, dup_key as k, name, id_hash as "idHash", phone_cipher as "phoneCipher",
           address, stated_community as community
         from verification_rows where dup_key = any($1::text[]) and list_id = any($2::int[])
         order by dup_key, list_id desc, n`,
        [keys, earlier],
      )
    ).map((p) => [p.k, p]),
  );
  for (const d of data) {
    const p = d.key ? prior.get(d.key) : undefined;
    if (!p) continue;
    const now = {
      name: d.row.name.slice(0, 100),
      idNumber: d.row.id.id ? ctx.crypto.hash(d.row.id.id) : null,
      phone: d.row.phone || null,
      address: d.row.address.slice(0, 300),
      community: d.row.community.slice(0, 100),
    };
    const was = {
      name: p.name,
      idNumber: p.idHash,
      phone: p.phoneCipher ? ctx.crypto.decrypt(p.phoneCipher) : null,
      address: p.address,
      community: p.community,
    };
    const changed = CHANGED_FIELDS.filter((f) => now[f] !== was[f]);
    marks.set(d.row, { status: changed.length ? "changed" : "unchanged", changed, prior: p.id });
  }
  return marks;
}

/**
 * The effective rows (found, routed) become tasks on their resident's grid: one set-based statement over
 * the list, so ~21,000 rows route in well under a second. A row already routed keeps its grid and outcome.
 * A person an earlier batch of the campaign already made a task of gets none again (that task, finished or
 * not, stays as it is).
 */
export async function routeTasks(tx: Db, listId: number) {
  await tx.execute(sql`
    update verification_rows v set grid_path = substring(r.org_path from '^(/[^/]+/[^/]+/[^/]+/[^/]+/)'),
      updated_at = now()
    from residents r, verification_lists l
    where v.list_id = ${listId} and v.class in ('found', 'routed') and v.grid_path is null and r.id = v.resident_id
      and l.id = v.list_id and (v.batch_status is null or v.batch_status = 'new' or not exists (
        select 1 from verification_rows p join verification_lists pl on pl.id = p.list_id
        where p.dup_key = v.dup_key and p.grid_path is not null and p.list_id < v.list_id
          and coalesce(pl.campaign_id, pl.id) = coalesce(l.campaign_id, l.id)))`);
  await tx.execute(sql`update verification_lists set routed_at = now() where id = ${listId}`);
}
