// An uploaded list as a campaign's target: an xlsx/csv of addresses or ID numbers (the street's own list of
// doors to knock on), read in the platform's reader thread at bounded cost and streamed batch by batch, each
// row matched to a household in the uploader's area. What does not match is kept with its reason in Chinese;
// the file itself is not kept. A campaign launched with `target: { kind: "upload", uploadId }` takes the
// matched households that lie in its grids.
import { maskIdCard } from "../../../domain/mask/mask.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import {
  cleanIdNumber,
  cleanText,
  emptyMapping,
  fieldOfHeader,
  ID_PROBLEMS,
  type Mapping,
  skipReason,
} from "../../../domain/verification/rows.ts";
import type { Actor, AppContext } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Invalid, NotFound, Unprocessable } from "../../platform/errors.ts";
import { type SheetRow, streamSpreadsheet } from "../../platform/spreadsheet/index.ts";
import { giveWay } from "../../platform/turns.ts";
import { pattern } from "./common.ts";
import { campaignPolicy } from "./policy.ts";

/** Data rows a list may hold (a district's doors are some 480,000). */
export const MAX_UPLOAD_ROWS = 500_000;
/** Unmatched rows kept with the upload for the desk to read (the count is always whole). */
const KEEP_UNMATCHED = 5_000;

export const UNMATCHED = {
  noKey: "既没有身份证号，也没有住址",
  idUnknown: "辖区内没有该身份证号的居民",
  noHousehold: "该居民没有登记住户",
  addressUnknown: "辖区内没有该住址的住户（请写到几幢几单元几室）",
  addressMany: "该住址对应多户，请写到门牌号",
} as const;

/** Addresses compare without spaces, full-width characters made plain (as households.address is written). */
const addressKey = (v: unknown) => cleanText(v as string).replace(/\s/g, "");
const SQL_ADDRESS_KEY = `regexp_replace(normalize(h.address, NFKC), '\\s', '', 'g')`;

interface Unmatched {
  n: number;
  text: string;
  reason: string;
}

/** The header among the first rows: one naming an ID number column or an address column. */
function findTargetHeader(rows: SheetRow[]): { n: number; mapping: Mapping } | null {
  for (const r of rows.slice(0, 30)) {
    const mapping = emptyMapping();
    r.cells.forEach((c, i) => {
      const f = fieldOfHeader(c);
      if (f && mapping[f] === null) mapping[f] = i;
    });
    if (mapping.idNumber !== null || mapping.address !== null) return { n: r.n, mapping };
  }
  return null;
}

async function uploadUnit(ctx: AppContext, actor: Actor, org?: number) {
  const [u] = await ctx.database.query<{ id: number; kind: string; path: string; name: string }>(
    "select id, kind, path, name from org_units where id = $1 and path like $2",
    [org ?? actor.orgUnitId, pattern(actor)],
  );
  if (!u) throw NotFound("单位不存在");
  if (!["district", "street", "community"].includes(u.kind))
    throw Invalid("名单按区、街道或社区上传", [{ field: "org", message: "请选择区、街道或社区" }]);
  return u;
}

/**
 * Reads an uploaded list and matches it to households in the unit's area: by ID number (a resident's
 * household) when the row has one, else by address. Refuses a file that is not a spreadsheet, too large or
 * too slow to read (400/413/422, as every upload of the house), or one with no ID number or address column.
 */
export async function uploadTarget(
  ctx: AppContext,
  actor: Actor,
  buffer: Buffer,
  opts: { org?: number; filename?: string } = {},
) {
  campaignPolicy.authorize(actor, "manage");
  const unit = await uploadUnit(ctx, actor, opts.org);
  const like = subtreePattern(unit.path);
  const gen = streamSpreadsheet(buffer, { rows: MAX_UPLOAD_ROWS + 100 }, { batchRows: 2_000 });
  let header: { n: number; mapping: Mapping } | null = null;
  const households = new Map<number, number>(); // household → first row naming it
  const unmatched: Unmatched[] = [];
  let unmatchedCount = 0;
  let dataRows = 0;
  const miss = (u: Unmatched) => {
    unmatchedCount++;
    if (unmatched.length < KEEP_UNMATCHED) unmatched.push(u);
  };
  let format: "xlsx" | "csv" = buffer[0] === 0x50 ? "xlsx" : "csv";
  try {
    for (;;) {
      const next = await gen.next();
      if (next.done) {
        format = next.value.format;
        break;
      }
      let batch = next.value;
      if (!header) {
        header = findTargetHeader(batch);
        if (!header)
          throw Unprocessable("未找到表头：前 30 行中没有「身份证号」或「住址」列，请检查文件", {
            fields: [{ field: "file", message: "未找到含「身份证号」或「住址」的表头行" }],
          });
        const at = header.n;
        batch = batch.filter((r) => r.n > at);
      }
      const m = header.mapping;
      const byId: { n: number; hash: string; text: string; address: string }[] = [];
      const byAddress: { n: number; key: string; text: string; idReason: string | null }[] = [];
      for (const r of batch) {
        const address = m.address === null ? "" : addressKey(r.cells[m.address]);
        // A row holding only an address is a door, not a merged title (the reader's rule for named lists).
        const skip = skipReason(r.cells, m);
        if (skip && !(skip === "title" && address)) continue;
        dataRows++;
        if (dataRows > MAX_UPLOAD_ROWS)
          throw Unprocessable(`一次最多上传 ${MAX_UPLOAD_ROWS} 行，请分批上传`, {
            fields: [{ field: "file", message: `超过 ${MAX_UPLOAD_ROWS} 行` }],
          });
        const idCell = m.idNumber === null ? undefined : r.cells[m.idNumber];
        const id = cleanIdNumber(idCell);
        if (id.status === "ok" && id.id) {
          byId.push({ n: r.n, hash: ctx.crypto.hash(id.id), text: maskIdCard(id.id), address });
          continue;
        }
        const idReason = id.status === "missing" || id.status === "ok" ? null : ID_PROBLEMS[id.status];
        if (address) byAddress.push({ n: r.n, key: address, text: address, idReason });
        else
          miss({
            n: r.n,
            text: idCell === undefined ? "" : "身份证号有误",
            reason: idReason ?? UNMATCHED.noKey,
          });
      }
      if (byId.length) {
        const found = await ctx.database.query<{ hash: string; household: number | null }>(
          `select id_hash as hash, household_id as household from residents
            where id_hash = any($1::text[]) and org_path like $2`,
          [byId.map((r) => r.hash), like],
        );
        const of = new Map(found.map((f) => [f.hash, f.household]));
        for (const r of byId) {
          const h = of.get(r.hash);
          if (h) {
            if (!households.has(h)) households.set(h, r.n);
          } else if (h === null) miss({ n: r.n, text: r.text, reason: UNMATCHED.noHousehold });
          else if (r.address)
            byAddress.push({ n: r.n, key: r.address, text: r.address, idReason: UNMATCHED.idUnknown });
          else miss({ n: r.n, text: r.text, reason: UNMATCHED.idUnknown });
        }
      }
      if (byAddress.length) {
        const found = await ctx.database.query<{ key: string; ids: number[] }>(
          `select ${SQL_ADDRESS_KEY} as key, array_agg(h.id order by h.id) as ids from households h
            where h.org_path like $2 and ${SQL_ADDRESS_KEY} = any($1::text[]) group by 1`,
          [[...new Set(byAddress.map((r) => r.key))], like],
        );
        const of = new Map(found.map((f) => [f.key, f.ids]));
        for (const r of byAddress) {
          const ids = of.get(r.key);
          if (ids?.length === 1) {
            if (!households.has(ids[0])) households.set(ids[0], r.n);
          } else
            miss({
              n: r.n,
              text: r.text,
              reason: ids
                ? UNMATCHED.addressMany
                : r.idReason
                  ? `${r.idReason}；${UNMATCHED.addressUnknown}`
                  : UNMATCHED.addressUnknown,
            });
        }
      }
      await giveWay();
    }
  } finally {
    await gen.return(undefined as never);
  }
  if (!header || dataRows === 0)
    throw Unprocessable("表格中没有数据行", { fields: [{ field: "file", message: "没有数据行" }] });
  unmatched.sort((a, b) => a.n - b.n);
  const [u] = await ctx.database.query<{ id: number }>(
    `insert into campaign_uploads (org_unit_id, org_path, filename, format, rows, household_ids, unmatched,
       created_by, created_by_name)
     values ($1, $2, $3, $4, $5, $6::int[], $7::jsonb, $8, $9) returning id`,
    [
      unit.id,
      unit.path,
      opts.filename ?? null,
      format,
      dataRows,
      [...households.keys()],
      JSON.stringify({ count: unmatchedCount, rows: unmatched }),
      actor.id,
      actor.displayName,
    ],
  );
  await audit.record(ctx.database.db, actor, {
    action: "upload_target",
    entity: "campaign_upload",
    entityId: u.id,
    orgPath: unit.path,
    after: {
      filename: opts.filename ?? null,
      format,
      rows: dataRows,
      matched: households.size,
      unmatched: unmatchedCount,
    },
  });
  return uploadSummary({
    id: u.id,
    filename: opts.filename ?? null,
    rows: dataRows,
    matched: households.size,
    unmatched: { count: unmatchedCount, rows: unmatched },
  });
}

function uploadSummary(u: {
  id: number;
  filename: string | null;
  rows: number;
  matched: number;
  unmatched: { count: number; rows: Unmatched[] };
}) {
  return {
    id: u.id,
    filename: u.filename,
    rows: u.rows,
    matched: u.matched,
    unmatchedCount: u.unmatched.count,
    unmatched: u.unmatched.rows.slice(0, 500),
  };
}

/** An upload in the caller's subtree: its summary with the first unmatched rows; 404 outside. */
export async function uploadDetail(ctx: AppContext, actor: Actor, id: number) {
  campaignPolicy.authorize(actor, "read");
  const [u] = await ctx.database.query<{
    id: number;
    filename: string | null;
    rows: number;
    matched: number;
    unmatched: { count: number; rows: Unmatched[] };
  }>(
    `select id, filename, rows, cardinality(household_ids) as matched, unmatched from campaign_uploads
      where id = $1 and org_path like $2`,
    [id, pattern(actor)],
  );
  if (!u) throw NotFound("名单不存在");
  return uploadSummary(u);
}

/** For launch: the upload when it lies in the caller's subtree, else null. */
export async function uploadForLaunch(ctx: Pick<AppContext, "database">, actor: Actor, id: number) {
  const [u] = await ctx.database.query<{ id: number }>(
    "select id from campaign_uploads where id = $1 and org_path like $2",
    [id, pattern(actor)],
  );
  return u ?? null;
}
