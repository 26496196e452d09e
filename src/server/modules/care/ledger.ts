import { sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { planFrequency } from "../../../domain/care/plans.ts";
import { safeCells } from "../../../domain/files/cells.ts";
import { subtreePattern } from "../../../domain/org/scope.ts";
import { KEY_TAGS, type KeyTag, TAG_LABELS } from "../../../domain/people/generate.ts";
import type { Actor, AppContext } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { Conflict, Invalid, NotFound } from "../../platform/errors.ts";
import { authorize } from "../../platform/policy.ts";
import { getOrgUnit } from "../orgs/index.ts";
import * as residents from "../residents/index.ts";
import { RESIDENT_COLUMNS } from "../residents/index.ts";
import {
  communityCodeOf,
  gridCodeOf,
  isKeyTag,
  planConfigs,
  residentInScope,
  rows,
  TAG_DIMENSIONS,
  type Tx,
} from "./common.ts";
import { carePolicy } from "./policy.ts";
import {
  type LedgerRow,
  ledgerExportCells,
  presentAssignment,
  presentLedgerRow,
  type TagAssignmentRow,
} from "./presenter.ts";

export const TAG_SOURCES = ["manual", "import", "visit", "registry"] as const;
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
export async function addTagsTx(
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
    await residents.addTags(
      tx,
      added.map((tag) => ({ residentId: resident.id, tag })),
    );
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
  carePolicy.authorize(actor, "write");
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
  carePolicy.authorize(actor, "write");
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
    await residents.removeTag(tx as unknown as Tx, r.id, tag);
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
  carePolicy.authorize(actor, "read");
  const r = await residentInScope(ctx, actor, residentId);
  const list = await ctx.database.query<TagAssignmentRow>(
    `select ${ASSIGNMENT_COLUMNS} from care_tag_assignments a where a.resident_id = $1 order by a.id`,
    [r.id],
  );
  return { residentId: r.id, tags: r.tags, items: list.map(presentAssignment) };
}

export async function scopeOf(ctx: AppContext, actor: Actor, org?: number) {
  return org === undefined
    ? { id: actor.orgUnitId, path: actor.orgPath, name: actor.orgName, kind: actor.orgKind }
    : await getOrgUnit(ctx, actor, org);
}

/** Key residents and per-tag counts for every grid under a unit, plus "not visited in 7 days". */
export async function ledgerSummary(ctx: AppContext, actor: Actor, org?: number, now = new Date()) {
  carePolicy.authorize(actor, "read");
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
      code: d.code,
      label: d.label,
      tags: d.tags,
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

const LEDGER_FROM = "residents r left join care_plans p on p.resident_id = r.id";
const LEDGER_COLUMNS = `${RESIDENT_COLUMNS}, p.last_visit_at as "lastVisitAt", p.frequency_override as "frequencyOverride"`;

function ledgerRow(
  ctx: AppContext,
  r: LedgerRow,
  configs: Map<string, import("../../../domain/care/plans.ts").CarePlanConfig>,
  now: Date,
) {
  const plan = planFrequency(r.tags.filter(isKeyTag), configs.get(communityCodeOf(r.orgPath) ?? "") ?? {});
  return presentLedgerRow(
    r,
    ctx.crypto,
    {
      gridCode: gridCodeOf(r.orgPath),
      frequency: r.frequencyOverride ?? plan?.frequency ?? null,
      label: plan?.label ?? null,
    },
    now,
  );
}

export async function listLedger(
  ctx: AppContext,
  actor: Actor,
  f: LedgerFilter & { page: number; pageSize: number },
  now = new Date(),
) {
  carePolicy.authorize(actor, "read");
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
    items: list.map((r) => ledgerRow(ctx, r, configs, now)),
    total: n,
    page: f.page,
    pageSize: f.pageSize,
  };
}

// ——— xlsx export ———

/** Streams the ledger as xlsx (masked IDs), a page of rows at a time so memory stays flat. */
export async function exportLedger(ctx: AppContext, actor: Actor, f: LedgerFilter, now = new Date()) {
  carePolicy.authorize(actor, "read");
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
        const p = ledgerRow(ctx, r, configs, now);
        ws.addRow(safeCells(ledgerExportCells(p, gridNames.get(p.gridCode ?? "") ?? null))).commit();
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
