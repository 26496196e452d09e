// A community roster into the registry, through the verification pipeline's pieces: the sheet read in the
// reader thread, the header found and previewed (ID numbers and phones masked), the admin confirming the
// mapping, each row cleaned and flagged as a verification list's row is (full-width digits, 15-digit IDs,
// IDs stored as numbers and so damaged, checksums, phones; title, repeated header, 合计 and blank rows
// skipped). The rows that can go in become a background job (jobs: progress, chunks, checkpoint, resume):
// a person is matched by the ID number's keyed hash; someone new gets a building (by the community and
// its number), a household (building, unit, room) and a resident as needed; someone known is updated only
// where the roster differs (phone, relation to the head), each change audited with before and after.
// What the registry says otherwise — another name for the same ID, another household, another community —
// is never applied here: it becomes a conflict row for a person to decide.
import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { parseIdCard } from "../../../domain/idcard/idcard.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import { nameInitials } from "../../../domain/people/pinyin.ts";
import { unitKey } from "../../../domain/verification/rows.ts";
import type { Actor, AppContext, Principal } from "../../context.ts";
import { canSee } from "../../platform/access.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound, Unprocessable } from "../../platform/errors.ts";
import { streamSpreadsheet } from "../../platform/spreadsheet/index.ts";
import { giveWay } from "../../platform/turns.ts";
import {
  type KeptUpload,
  keptFileColumns,
  openUpload,
  sealPlainUploads,
  sealUpload,
} from "../../platform/uploads.ts";
import * as jobs from "../jobs/index.ts";
import { getOrgUnit } from "../orgs/index.ts";
import { estimateRows, headRows, previewOf } from "../verification/index.ts";
import { residentPolicy } from "./policy.ts";
import {
  buildingKey,
  buildingName,
  emptyRosterMapping,
  findRosterHeader,
  ROSTER_FIELDS,
  type RosterMapping,
  roomKey,
  roomName,
  rosterMappingProblem,
  rosterReader,
  rosterSkipReason,
} from "./rosterRows.ts";
import { insertResident, lockResident } from "./writes.ts";

export const ROSTER_IMPORT = "residents.roster_import";
/** Rows per transaction: on PGlite's one connection, a chunk is the longest anyone waits. */
export const CHUNK_ROWS = 100;
/** Rows a community roster may hold (a community has a few thousand people). */
export const MAX_ROSTER_ROWS = 50_000;
/** Flags kept with an import (row numbers and reasons); the counts are exact beyond it. */
const MAX_FLAGS = 2_000;

interface Community {
  id: number;
  name: string;
  path: string;
}

/** The community a roster is for: in the caller's subtree (else 404, as for none), and a community. */
async function communityOf(ctx: AppContext, actor: Actor, org: number): Promise<Community> {
  const u = await getOrgUnit(ctx, actor, org);
  if (u.kind !== "community")
    throw Invalid("居民花名册按社区导入", [{ field: "org", message: "请选择一个社区" }]);
  return { id: u.id, name: u.name, path: u.path };
}

const noHeader = () =>
  Unprocessable("未找到表头：前 30 行中没有「姓名」「身份证号」等列名，请检查文件", {
    fields: [{ field: "file", message: "未找到含「姓名」或「身份证号」的表头行" }],
  });

/** Stores an uploaded roster and answers its preview: the header found and the columns mapped. */
export async function createRoster(
  ctx: AppContext,
  actor: Actor,
  buffer: Buffer,
  opts: { org: number; filename?: string },
) {
  residentPolicy.authorize(actor, "import");
  const unit = await communityOf(ctx, actor, opts.org);
  const { rows, format } = await headRows(buffer);
  if (!rows.length)
    throw Unprocessable("表格中没有任何内容", { fields: [{ field: "file", message: "没有数据行" }] });
  const header = findRosterHeader(rows);
  if (!header) throw noHeader();
  const estimate = await estimateRows(buffer, format);
  const sealed = sealUpload(ctx.crypto, buffer);
  const [imp] = await ctx.database.query<{ id: number }>(
    `insert into roster_imports (org_unit_id, org_path, filename, format, file, file_key, header_row, mapping,
       counters, owner_id, owner_username, owner_name)
     values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12) returning id`,
    [
      unit.id,
      unit.path,
      opts.filename ?? null,
      format,
      sealed.file,
      sealed.fileKey,
      header.n,
      JSON.stringify(header.mapping),
      JSON.stringify({ estimate }),
      actor.id,
      actor.username,
      actor.displayName,
    ],
  );
  await audit.record(ctx.database.db, actor, {
    action: "upload",
    entity: "roster_import",
    entityId: imp.id,
    orgPath: unit.path,
    after: { filename: opts.filename ?? null, format, bytes: buffer.length, estimate },
  });
  return {
    id: imp.id,
    ...previewOf(rows, header.n, header.mapping, rosterMappingProblem(header.mapping)),
  };
}

/** A row the import did not take (or took with a field left out), and why. */
export interface RosterFlag {
  n: number;
  reasons: string[];
  imported?: boolean;
}

interface ImportRow {
  id: number;
  orgUnitId: number;
  orgPath: string;
  state: string;
  headerRow: number;
  mapping: RosterMapping;
  jobId: number | null;
  counters: Record<string, number>;
  flags: RosterFlag[];
  filename: string | null;
  format: string;
  createdAt: Date;
}

const IMPORT_COLUMNS = `id, org_unit_id as "orgUnitId", org_path as "orgPath", state, header_row as "headerRow",
  mapping, job_id as "jobId", counters, flags, filename, format, created_at as "createdAt"`;

/** An import in the caller's area; 404 outside it, as for none. */
export async function rosterOf(ctx: AppContext, actor: Actor, id: number): Promise<ImportRow> {
  const [r] = await ctx.database.query<ImportRow>(
    `select ${IMPORT_COLUMNS} from roster_imports where id = $1 and org_path like $2`,
    [id, subtreePattern(actor.orgPath)],
  );
  if (!r) throw NotFound("导入记录不存在");
  return r;
}

/**
 * An import's kept upload, opened (the key in force must be the one that sealed it); null when the row
 * holds none. The caller has checked the import is in its area.
 */
export async function rosterFile(ctx: AppContext, id: number): Promise<Buffer | null> {
  const [row] = await ctx.database.query<KeptUpload>(
    `select ${keptFileColumns("$2")} from roster_imports where id = $1`,
    [id, ctx.crypto.fingerprint()],
  );
  return row ? openUpload(ctx.crypto, row) : null;
}

/**
 * The app's step at start: rosters kept before uploads were sealed at rest are sealed now, one at a time
 * (later ones are sealed as they arrive).
 */
export const sealKeptRosters = (ctx: AppContext) =>
  sealPlainUploads(ctx, {
    next: async (after) =>
      (
        await ctx.database.query<{ id: number; file: Uint8Array }>(
          `select id, file from roster_imports where file_key is null and file is not null and id > $1
           order by id limit 1`,
          [after],
        )
      )[0],
    put: (id, sealed) =>
      ctx.database.query(
        "update roster_imports set file = $2, file_key = $3 where id = $1 and file_key is null",
        [id, sealed.file, sealed.fileKey],
      ),
  });

/** The preview again (a page reloaded before the mapping was confirmed). */
export async function previewRoster(ctx: AppContext, actor: Actor, id: number) {
  residentPolicy.authorize(actor, "import");
  const imp = await rosterOf(ctx, actor, id);
  const { rows } = await headRows((await rosterFile(ctx, id))!);
  return { id, ...previewOf(rows, imp.headerRow, imp.mapping, rosterMappingProblem(imp.mapping)) };
}

/** One row as the job stores it: ID number and phone encrypted, with their keyed hashes. */
interface Item {
  /** The import. */
  i: number;
  n: number;
  nm: string;
  ic: string;
  ih: string;
  it: string;
  bd: string;
  gd: string;
  pc: string | null;
  ph: string | null;
  pt: string | null;
  b: string;
  u: number | null;
  r: string;
  g: string;
  rel: string | null;
}

/**
 * The admin confirms (or fixes) the mapping: the whole sheet is read and cleaned now (the reader thread
 * streams it), rows that cannot go in are flagged with their reasons, and the rest start as a job.
 */
export async function startRoster(
  ctx: AppContext,
  actor: Actor,
  id: number,
  body: { headerRow: number; mapping: Partial<RosterMapping> },
) {
  residentPolicy.authorize(actor, "import");
  const imp = await rosterOf(ctx, actor, id);
  const mapping = { ...emptyRosterMapping(), ...body.mapping };
  const problem = rosterMappingProblem(mapping);
  if (problem) throw Invalid(problem, [{ field: "mapping", message: problem }]);
  const [claimed] = await ctx.database.query<{ id: number }>(
    `update roster_imports set state = 'reading', header_row = $2, mapping = $3::jsonb, updated_at = now()
     where id = $1 and state = 'previewed' returning id`,
    [id, body.headerRow, JSON.stringify(mapping)],
  );
  if (!claimed) throw Conflict("花名册已开始导入", { state: imp.state });
  try {
    const counters: Record<string, number> = { rows: 0, flagged: 0, items: 0 };
    const bump = (k: string) => {
      counters[k] = (counters[k] ?? 0) + 1;
    };
    const flags: ImportRow["flags"] = [];
    const flag = (f: ImportRow["flags"][number]) => {
      if (flags.length < MAX_FLAGS) flags.push(f);
    };
    const items: Item[] = [];
    const firstRow = new Map<string, number>();
    const read = rosterReader(mapping);
    let handed = 0;
    const gen = streamSpreadsheet((await rosterFile(ctx, id))!, {}, { batchRows: 2_000 });
    let rowsRead = 0;
    for (;;) {
      const next = await gen.next();
      if (next.done) {
        rowsRead = next.value.rowsRead;
        break;
      }
      for (const r of next.value) {
        handed++;
        if (handed > MAX_ROSTER_ROWS + 100) {
          await gen.return(undefined as never);
          throw Unprocessable(`一次最多导入 ${MAX_ROSTER_ROWS} 行，请分批导入`, {
            fields: [{ field: "file", message: `超过 ${MAX_ROSTER_ROWS} 行` }],
          });
        }
        if (r.n < body.headerRow) {
          bump("skip_title");
          continue;
        }
        if (r.n === body.headerRow) {
          bump("skip_header");
          continue;
        }
        const skip = rosterSkipReason(r.cells, mapping);
        if (skip) {
          bump(`skip_${skip}`);
          continue;
        }
        const row = read(r.n, r.cells);
        const idNo = row.clean.id.id;
        if (row.problems.length || !idNo) {
          bump("flagged");
          flag({ n: r.n, reasons: row.problems });
          continue;
        }
        const dup = firstRow.get(idNo);
        if (dup !== undefined) {
          bump("flagged");
          flag({ n: r.n, reasons: [`名单内重复：与第 ${dup} 行身份证号相同`] });
          continue;
        }
        firstRow.set(idNo, r.n);
        if (row.notes.length) flag({ n: r.n, reasons: row.notes, imported: true });
        const info = parseIdCard(idNo);
        const phone = row.clean.phone;
        items.push({
          i: id,
          n: r.n,
          nm: row.clean.name.slice(0, 30),
          ic: ctx.crypto.encrypt(idNo),
          ih: ctx.crypto.hash(idNo),
          it: idNo.slice(-4),
          bd: info.ok ? info.info.birthDate : (row.clean.id.birthDate ?? ""),
          gd: info.ok ? info.info.gender : "unknown",
          pc: phone ? ctx.crypto.encrypt(phone) : null,
          ph: phone ? ctx.crypto.hash(phone) : null,
          pt: phone ? phone.slice(-4) : null,
          b: row.building.slice(0, 40),
          u: row.unit,
          r: row.room.slice(0, 20),
          g: row.grid.slice(0, 60),
          rel: row.relation,
        });
      }
      await giveWay();
    }
    counters.rows = rowsRead;
    counters.items = items.length;
    // What the reader read and did not hand over was blank.
    counters.skip_blank = rowsRead - handed;
    const job = await jobs.startJob(
      ctx,
      actor,
      ROSTER_IMPORT,
      { orgUnitId: imp.orgUnitId, orgPath: imp.orgPath },
      items,
    );
    // The job is running already: a chunk may have appended its own flags (a new resident without a room),
    // which an assignment would wipe (seen on PostgreSQL under load): the reading's flags go before them.
    await ctx.database.query(
      `update roster_imports set state = 'started', job_id = $2, counters = $3::jsonb,
         flags = $4::jsonb || flags, updated_at = now() where id = $1`,
      [id, job.id, JSON.stringify(counters), JSON.stringify(flags)],
    );
    await audit.record(ctx.database.db, actor, {
      action: "start",
      entity: "roster_import",
      entityId: id,
      orgPath: imp.orgPath,
      after: { headerRow: body.headerRow, mapping, jobId: job.id, ...counters },
    });
    return { id, jobId: job.id };
  } catch (e) {
    await ctx.database.query(
      "update roster_imports set state = 'previewed', updated_at = now() where id = $1 and state = 'reading'",
      [id],
    );
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Places: the community's buildings by number, households by unit and room, made when missing.

interface Building {
  id: number;
  orgUnitId: number;
  orgPath: string;
  name: string;
  address: string;
}

const rowsOf = async <T>(tx: Db, q: ReturnType<typeof sql>) =>
  ((await tx.execute(q)) as unknown as { rows: T[] }).rows;

/** What a chunk (or a decision) knows of the community: its buildings and grids, read once. */
export interface Places {
  community: Community;
  buildings: Map<string, Building>;
  grids: { id: number; name: string; code: string; path: string }[];
}

async function placesOf(tx: Db, orgPath: string): Promise<Places> {
  const [c] = await rowsOf<Community>(tx, sql`select id, name, path from org_units where path = ${orgPath}`);
  const buildings = new Map<string, Building>();
  for (const b of await rowsOf<Building>(
    tx,
    sql`select id, org_unit_id as "orgUnitId", org_path as "orgPath", name, address from buildings
        where org_path like ${subtreePattern(orgPath)} order by id`,
  )) {
    const k = buildingKey(b.name);
    if (!buildings.has(k)) buildings.set(k, b);
  }
  const grids = await rowsOf<Places["grids"][number]>(
    tx,
    sql`select id, name, code, path from org_units where path like ${subtreePattern(orgPath)}
        and kind in ('grid', 'micro_grid') order by path`,
  );
  return { community: c, buildings, grids };
}

const gridKey = (s: string) => unitKey(s).replace(/(微网格|网格)$/, "");

/** The building a roster row names, made (in its grid, or the community) when the community has none. */
async function buildingFor(tx: Db, who: Principal, p: Places, key: string, grid: string) {
  const known = p.buildings.get(key);
  if (known) return known;
  const g = grid
    ? p.grids.find((u) => gridKey(u.name) === gridKey(grid) || u.code.endsWith(`-${grid}`) || u.code === grid)
    : undefined;
  const name = buildingName(key);
  const address = `${p.community.name} ${name}`;
  const [b] = await rowsOf<Building>(
    tx,
    sql`insert into buildings (org_unit_id, org_path, name, address)
        values (${g?.id ?? p.community.id}, ${g?.path ?? p.community.path}, ${name}, ${address})
        returning id, org_unit_id as "orgUnitId", org_path as "orgPath", name, address`,
  );
  p.buildings.set(key, b);
  await audit.record(tx, who, {
    action: "create",
    entity: "building",
    entityId: b.id,
    orgPath: b.orgPath,
    after: { name, address, source: "roster" },
  });
  return b;
}

/** The household at a building's unit and room, made when missing. */
async function householdFor(tx: Db, who: Principal, b: Building, unit: number | null, room: string) {
  const homes = await rowsOf<{ id: number; unitNo: number | null; roomNo: string | null }>(
    tx,
    sql`select id, unit_no as "unitNo", room_no as "roomNo" from households where building_id = ${b.id} order by id`,
  );
  const h = homes.find((x) => x.unitNo === unit && roomKey(x.roomNo ?? "") === room);
  if (h) {
    const [full] = await rowsOf<{ id: number; address: string }>(
      tx,
      sql`select id, address from households where id = ${h.id}`,
    );
    return { id: h.id, buildingId: b.id, orgUnitId: b.orgUnitId, orgPath: b.orgPath, address: full.address };
  }
  const address = `${b.address}${unit ? ` ${unit}单元` : ""} ${roomName(room)}`;
  const [made] = await rowsOf<{ id: number }>(
    tx,
    sql`insert into households (building_id, org_unit_id, org_path, unit_no, room_no, address)
        values (${b.id}, ${b.orgUnitId}, ${b.orgPath}, ${unit}, ${roomName(room)}, ${address}) returning id`,
  );
  await audit.record(tx, who, {
    action: "create",
    entity: "household",
    entityId: made.id,
    orgPath: b.orgPath,
    after: { buildingId: b.id, unitNo: unit, roomNo: roomName(room), address, source: "roster" },
  });
  return { id: made.id, buildingId: b.id, orgUnitId: b.orgUnitId, orgPath: b.orgPath, address };
}

/** "12幢 2单元 301室" from the parts a roster row gives. */
const placeText = (b: string, u: number | null, r: string) =>
  [b ? buildingName(b) : "", u ? `${u}单元` : "", r ? roomName(r) : ""].filter(Boolean).join(" ");

// ---------------------------------------------------------------------------------------------------------
// The job.

interface Known {
  id: number;
  name: string;
  orgPath: string;
  householdId: number | null;
  phoneHash: string | null;
  phoneTail: string | null;
  relationToHead: string | null;
  unitNo: number | null;
  roomNo: string | null;
  building: string | null;
}

/** The importer, as the audit names them for what the job writes on their behalf. */
async function ownerOf(tx: Db, importId: number): Promise<Principal> {
  const [o] = await rowsOf<{ id: number; username: string }>(
    tx,
    sql`select owner_id as id, owner_username as username from roster_imports where id = ${importId}`,
  );
  return { kind: "account", id: o.id, username: o.username } as Actor;
}

/** A conflict for a person to decide; the same one still open from an earlier import is not listed twice. */
async function addConflict(
  tx: Db,
  it: Item,
  orgPath: string,
  residentId: number,
  kind: "name" | "household" | "community",
  registryValue: string,
  rosterValue: string,
) {
  const roster = { nm: it.nm, b: it.b, u: it.u, r: it.r, g: it.g };
  await tx.execute(sql`
    insert into roster_conflicts (import_id, n, resident_id, org_path, kind, registry_value, roster_value, roster)
    select ${it.i}, ${it.n}, ${residentId}, ${orgPath}, ${kind}, ${registryValue}, ${rosterValue}, ${JSON.stringify(roster)}::jsonb
    where not exists (select 1 from roster_conflicts where resident_id = ${residentId} and kind = ${kind}
      and state = 'open' and roster_value = ${rosterValue})`);
}

/**
 * A cancelled import's job stops at its next chunk: the chunk rolls back and the job ends `cancelled` (with
 * this message), what earlier chunks wrote stays. The row lock makes a cancel wait for a chunk in flight,
 * so the counts the cancel leaves are those of whole chunks.
 */
async function stopIfCancelled(tx: Db, importId: number) {
  const [imp] = await rowsOf<{ state: string }>(
    tx,
    sql`select state from roster_imports where id = ${importId} for update`,
  );
  if (imp?.state === "cancelled") throw new jobs.JobCancelled(CANCELLED);
}
const CANCELLED = "花名册导入已取消，已写入的行保留";

jobs.defineJobKind<Item>(ROSTER_IMPORT, {
  chunkSize: CHUNK_ROWS,
  async writeChunk(tx, job, items) {
    const delta: Record<string, number> = { created: 0, updated: 0, unchanged: 0, conflicts: 0, unplaced: 0 };
    if (!items.length) return delta;
    await stopIfCancelled(tx, items[0].i);
    const who = await ownerOf(tx, items[0].i);
    const places = await placesOf(tx, job.orgPath);
    const known = new Map(
      (
        await rowsOf<Known & { idHash: string }>(
          tx,
          sql`select r.id, r.name, r.org_path as "orgPath", r.household_id as "householdId", r.phone_hash as "phoneHash",
            r.phone_tail as "phoneTail", r.relation_to_head as "relationToHead", r.id_hash as "idHash",
            h.unit_no as "unitNo", h.room_no as "roomNo", b.name as building
          from residents r left join households h on h.id = r.household_id left join buildings b on b.id = r.building_id
          where r.id_hash = any(${`{${items.map((i) => i.ih).join(",")}}`}::text[])`,
        )
      ).map((k) => [k.idHash, k]),
    );
    const unplaced: { n: number; reasons: string[] }[] = [];
    for (const it of items) {
      const k = known.get(it.ih);
      if (!k) {
        if (!it.b || !it.r) {
          delta.unplaced++;
          unplaced.push({ n: it.n, reasons: ["新居民缺少楼栋或房号，无法建户登记"] });
          continue;
        }
        const b = await buildingFor(tx, who, places, it.b, it.g);
        const h = await householdFor(tx, who, b, it.u, it.r);
        const row = await insertResident(tx, h, {
          name: it.nm,
          birthDate: it.bd,
          gender: it.gd,
          idCipher: it.ic,
          idHash: it.ih,
          idTail: it.it,
          phoneCipher: it.pc,
          phoneHash: it.ph,
          phoneTail: it.pt,
          relationToHead: it.rel,
        });
        await audit.record(tx, who, {
          action: "create",
          entity: "resident",
          entityId: row.id,
          orgPath: h.orgPath,
          after: {
            name: it.nm,
            idTail: it.it,
            phoneTail: it.pt,
            householdId: h.id,
            address: h.address,
            relationToHead: it.rel,
            source: "roster",
            importId: it.i,
            n: it.n,
          },
        });
        delta.created++;
        continue;
      }
      // Someone registered elsewhere: only a person decides whether they moved here.
      if (!canSee({ orgPath: job.orgPath }, k.orgPath)) {
        await addConflict(
          tx,
          it,
          job.orgPath,
          k.id,
          "community",
          "已登记在其他社区",
          `${places.community.name} ${placeText(it.b, it.u, it.r)}`.trim(),
        );
        delta.conflicts++;
        continue;
      }
      let conflicted = false;
      if (k.name !== it.nm) {
        await addConflict(tx, it, job.orgPath, k.id, "name", k.name, it.nm);
        conflicted = true;
      }
      const here = placeText(buildingKey(k.building ?? ""), k.unitNo, roomKey(k.roomNo ?? ""));
      const there = placeText(it.b, it.u, it.r);
      if (it.b && it.r && here !== there) {
        await addConflict(tx, it, job.orgPath, k.id, "household", here || "未分户", there);
        conflicted = true;
      }
      // What the roster may change by itself: the phone (a readable one), the relation to the head.
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      if (it.ph && it.ph !== k.phoneHash) {
        before.phoneTail = k.phoneTail;
        after.phoneTail = it.pt;
      }
      if (it.rel && it.rel !== k.relationToHead) {
        before.relationToHead = k.relationToHead;
        after.relationToHead = it.rel;
      }
      if (Object.keys(after).length) {
        await tx.execute(sql`update residents set
          phone_cipher = ${"phoneTail" in after ? it.pc : sql`phone_cipher`},
          phone_hash = ${"phoneTail" in after ? it.ph : sql`phone_hash`},
          phone_tail = ${"phoneTail" in after ? it.pt : sql`phone_tail`},
          relation_to_head = ${"relationToHead" in after ? it.rel : sql`relation_to_head`},
          version = version + 1, updated_at = now() where id = ${k.id}`);
        await audit.record(tx, who, {
          action: "update",
          entity: "resident",
          entityId: k.id,
          orgPath: k.orgPath,
          before,
          after: { ...after, source: "roster", importId: it.i, n: it.n },
        });
      }
      if (conflicted) delta.conflicts++;
      else if (Object.keys(after).length) delta.updated++;
      else delta.unchanged++;
    }
    if (unplaced.length)
      await tx.execute(sql`update roster_imports set flags = flags || ${JSON.stringify(unplaced)}::jsonb,
        updated_at = now() where id = ${items[0].i}`);
    return delta;
  },
  async finish(tx, job, counters) {
    const [imp] = await rowsOf<{ id: number; counters: Record<string, number> }>(
      tx,
      sql`select id, counters from roster_imports where job_id = ${job.id}`,
    );
    if (imp) await stopIfCancelled(tx, imp.id);
    const result = summaryOf(imp?.counters ?? {}, counters);
    await audit.record(tx, imp ? await ownerOf(tx, imp.id) : null, {
      action: "import_done",
      entity: "roster_import",
      entityId: imp?.id ?? null,
      orgPath: job.orgPath,
      after: { jobId: job.id, ...result },
    });
    return result;
  },
});

/** The summary: every row read is exactly one of these. */
export function summaryOf(read: Record<string, number>, written: Record<string, number>) {
  const skipped = Object.entries(read)
    .filter(([k]) => k.startsWith("skip_"))
    .reduce((s, [, v]) => s + v, 0);
  return {
    rows: read.rows ?? 0,
    created: written.created ?? 0,
    updated: written.updated ?? 0,
    unchanged: written.unchanged ?? 0,
    conflicts: written.conflicts ?? 0,
    flagged: (read.flagged ?? 0) + (written.unplaced ?? 0),
    skipped,
    skippedBy: Object.fromEntries(
      Object.entries(read)
        .filter(([k]) => k.startsWith("skip_"))
        .map(([k, v]) => [k.slice(5), v]),
    ),
  };
}

export const ROSTER_STATES = [
  "previewed",
  "reading",
  "queued",
  "running",
  "succeeded",
  "failed",
  "cancelled",
] as const;
type RosterState = (typeof ROSTER_STATES)[number];

/** What a person sees: the import's own state until its job starts, then the job's (a cancel stays one). */
const stateOf = (imp: string, job: string | undefined): RosterState =>
  (imp !== "started" ? imp : (job ?? "running")) as RosterState;

/** An import: its state, the job's progress and the summary so far, the rows flagged. */
export async function getRoster(ctx: AppContext, actor: Actor, id: number) {
  residentPolicy.authorize(actor, "import");
  const imp = await rosterOf(ctx, actor, id);
  const [job] = imp.jobId
    ? await ctx.database.query<{
        state: string;
        total: number;
        checkpoint: number;
        counters: Record<string, number>;
        error: string | null;
      }>("select state, total, checkpoint, counters, error from jobs where id = $1", [imp.jobId])
    : [];
  return {
    id: imp.id,
    orgUnitId: imp.orgUnitId,
    filename: imp.filename,
    state: stateOf(imp.state, job?.state),
    jobId: imp.jobId,
    total: job?.total ?? 0,
    done: job?.checkpoint ?? 0,
    error: imp.state === "cancelled" ? null : (job?.error ?? null),
    summary: summaryOf(imp.counters, job?.counters ?? {}),
    flags: imp.flags.sort((a, b) => a.n - b.n),
    createdAt: imp.createdAt,
  };
}

/**
 * The imports of the caller's area (or of one unit in it: outside, 404), newest first, a page at a time,
 * each with its state, progress and summary; the rows flagged are on the import's own page.
 */
export async function listRosters(
  ctx: AppContext,
  actor: Actor,
  opts: { org?: number; page: number; pageSize: number },
) {
  residentPolicy.authorize(actor, "import");
  const path = opts.org === undefined ? actor.orgPath : (await getOrgUnit(ctx, actor, opts.org)).path;
  const pattern = subtreePattern(path);
  const [{ n }] = await ctx.database.query<{ n: number }>(
    "select count(*)::int as n from roster_imports where org_path like $1",
    [pattern],
  );
  const rows = await ctx.database.query<{
    id: number;
    orgUnitId: number;
    orgName: string;
    filename: string | null;
    state: string;
    counters: Record<string, number>;
    ownerName: string;
    createdAt: Date;
    jobState: string | null;
    total: number | null;
    checkpoint: number | null;
    jobCounters: Record<string, number> | null;
  }>(
    `select i.id, i.org_unit_id as "orgUnitId", o.name as "orgName", i.filename, i.state, i.counters,
       i.owner_name as "ownerName", i.created_at as "createdAt", j.state as "jobState", j.total, j.checkpoint,
       j.counters as "jobCounters"
     from roster_imports i join org_units o on o.id = i.org_unit_id left join jobs j on j.id = i.job_id
     where i.org_path like $1 order by i.created_at desc, i.id desc limit $2 offset $3`,
    [pattern, opts.pageSize, (opts.page - 1) * opts.pageSize],
  );
  return {
    total: n,
    items: rows.map((r) => ({
      id: r.id,
      orgUnitId: r.orgUnitId,
      orgName: r.orgName,
      filename: r.filename,
      state: stateOf(r.state, r.jobState ?? undefined),
      total: r.total ?? 0,
      done: r.checkpoint ?? 0,
      summary: summaryOf(r.counters, r.jobCounters ?? {}),
      ownerName: r.ownerName,
      createdAt: r.createdAt,
    })),
  };
}

/**
 * Stops an import where it stands: one not started is simply closed; a running one's job stops at its next
 * chunk, and what it wrote stays (counted in the summary). Finished, failed or already cancelled: 409.
 */
export async function cancelRoster(ctx: AppContext, actor: Actor, id: number) {
  residentPolicy.authorize(actor, "import");
  const imp = await rosterOf(ctx, actor, id);
  const [done] = await ctx.database.query<{ id: number }>(
    `update roster_imports i set state = 'cancelled', updated_at = now()
     where i.id = $1 and (i.state = 'previewed' or (i.state = 'started'
       and exists (select 1 from jobs j where j.id = i.job_id and j.state in ('queued', 'running'))))
     returning i.id`,
    [id],
  );
  if (!done) {
    const current = (await getRoster(ctx, actor, id)).state;
    throw Conflict(current === "reading" ? "正在读取花名册，请稍后再取消" : "花名册导入已结束，不能取消", {
      state: current,
    });
  }
  const [job] = imp.jobId
    ? await ctx.database.query<{ checkpoint: number }>("select checkpoint from jobs where id = $1", [
        imp.jobId,
      ])
    : [];
  await audit.record(ctx.database.db, actor, {
    action: "cancel",
    entity: "roster_import",
    entityId: id,
    orgPath: imp.orgPath,
    after: { from: imp.state, jobId: imp.jobId, checkpoint: job?.checkpoint ?? 0 },
  });
  return getRoster(ctx, actor, id);
}

// ---------------------------------------------------------------------------------------------------------
// Conflicts: listed for a person, decided one at a time.

interface ConflictRow {
  id: number;
  importId: number;
  n: number;
  residentId: number;
  orgPath: string;
  kind: "name" | "household" | "community";
  registryValue: string;
  rosterValue: string;
  roster: { nm: string; b: string; u: number | null; r: string; g: string };
  state: "open" | "applied" | "kept";
  decidedByName: string | null;
  decidedAt: Date | null;
}
const CONFLICT_COLUMNS = `c.id, c.import_id as "importId", c.n, c.resident_id as "residentId", c.org_path as "orgPath",
  c.kind, c.registry_value as "registryValue", c.roster_value as "rosterValue", c.roster, c.state,
  c.decided_by_name as "decidedByName", c.decided_at as "decidedAt"`;

type ConflictRead = ConflictRow & { residentName: string; residentPath: string; rosterName: string };
/** The registry's name of a resident outside the reader's area stays there: the roster's own name is shown. */
const CONFLICT_READ = `${CONFLICT_COLUMNS}, r.name as "residentName", r.org_path as "residentPath",
  c.roster->>'nm' as "rosterName"`;

const presentConflict = (actor: Actor, c: ConflictRead) => ({
  id: c.id,
  importId: c.importId,
  n: c.n,
  residentId: c.residentId,
  residentName: canSee(actor, c.residentPath) ? c.residentName : c.rosterName,
  kind: c.kind,
  registryValue: c.registryValue,
  rosterValue: c.rosterValue,
  state: c.state,
  decidedByName: c.decidedByName,
  decidedAt: c.decidedAt,
});

/** The conflicts an import found (the same one already open from an earlier import is listed there). */
export async function listConflicts(ctx: AppContext, actor: Actor, importId: number) {
  residentPolicy.authorize(actor, "import");
  await rosterOf(ctx, actor, importId);
  const rows = await ctx.database.query<ConflictRead>(
    `select ${CONFLICT_READ} from roster_conflicts c join residents r on r.id = c.resident_id
     where c.import_id = $1 order by c.n, c.id`,
    [importId],
  );
  return { items: rows.map((c) => presentConflict(actor, c)) };
}

/**
 * A person decides: apply the roster's value (rename, or move the resident into the household the roster
 * names, made if missing) or keep the registry's. Either way audited; a decided conflict is 409.
 */
export async function decideConflict(
  ctx: AppContext,
  actor: Actor,
  id: number,
  choice: "roster" | "registry",
) {
  residentPolicy.authorize(actor, "import");
  residentPolicy.authorize(actor, "write");
  const [c] = await ctx.database.query<ConflictRow & { residentName: string; residentPath: string }>(
    `select ${CONFLICT_COLUMNS}, r.name as "residentName", r.org_path as "residentPath" from roster_conflicts c
     join residents r on r.id = c.resident_id where c.id = $1 and c.org_path like $2`,
    [id, subtreePattern(actor.orgPath)],
  );
  if (!c) throw NotFound("冲突记录不存在");
  if (c.state !== "open") throw Conflict("该冲突已处理", { state: c.state });
  if (choice === "roster" && !canSee(actor, c.residentPath))
    throw Conflict("该居民登记在您的辖区以外，请联系其所在社区办理迁入", { kind: c.kind });
  await ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const taken = await rowsOf(
      tx,
      sql`update roster_conflicts set state = ${choice === "roster" ? "applied" : "kept"}, decided_by = ${actor.id},
        decided_by_name = ${actor.displayName}, decided_at = now(), updated_at = now()
        where id = ${id} and state = 'open' returning id`,
    );
    if (!taken.length) throw Conflict("该冲突已处理", { state: "decided" });
    let before: Record<string, unknown> | undefined;
    let after: Record<string, unknown> | undefined;
    if (choice === "roster") {
      await lockResident(tx, c.residentId);
      const [r] = await rowsOf<{
        name: string;
        householdId: number | null;
        address: string;
        orgPath: string;
      }>(
        tx,
        sql`select name, household_id as "householdId", address, org_path as "orgPath" from residents where id = ${c.residentId}`,
      );
      if (c.kind === "name") {
        before = { name: r.name };
        after = { name: c.roster.nm };
        await tx.execute(sql`update residents set name = ${c.roster.nm}, name_initials = ${nameInitials(c.roster.nm)},
          version = version + 1, updated_at = now() where id = ${c.residentId}`);
      } else {
        const places = await placesOf(tx, c.orgPath);
        const b = await buildingFor(tx, actor, places, c.roster.b, c.roster.g);
        const h = await householdFor(tx, actor, b, c.roster.u, c.roster.r);
        before = { householdId: r.householdId, address: r.address, orgPath: r.orgPath };
        after = { householdId: h.id, address: h.address, orgPath: h.orgPath };
        await tx.execute(sql`update residents set household_id = ${h.id}, building_id = ${h.buildingId},
          org_unit_id = ${h.orgUnitId}, org_path = ${h.orgPath}, address = ${h.address},
          version = version + 1, updated_at = now() where id = ${c.residentId}`);
      }
      await audit.record(tx, actor, {
        action: "update",
        entity: "resident",
        entityId: c.residentId,
        orgPath: after.orgPath ? String(after.orgPath) : r.orgPath,
        before,
        after: { ...after, source: "roster_conflict", conflictId: id },
      });
    }
    await audit.record(tx, actor, {
      action: choice === "roster" ? "apply" : "keep",
      entity: "roster_conflict",
      entityId: id,
      orgPath: c.orgPath,
      after: { kind: c.kind, registryValue: c.registryValue, rosterValue: c.rosterValue },
    });
  });
  const [row] = await ctx.database.query<ConflictRead>(
    `select ${CONFLICT_READ} from roster_conflicts c join residents r on r.id = c.resident_id where c.id = $1`,
    [id],
  );
  return presentConflict(actor, row);
}

export { ROSTER_FIELDS };
