import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { conflictingDays, parseHolidayIcs, parseHolidayTable } from "../../../domain/sla/holidayFiles.ts";
import {
  builtInHolidays,
  HOLIDAY_DATA_LAST_YEAR,
  type HolidayEntry,
  holidayDataCovers,
  installHolidays,
} from "../../../domain/sla/holidays.ts";
import { shanghaiDate } from "../../../domain/sla/time.ts";
import type { AppContext, Principal } from "../../context.ts";
import * as audit from "../../platform/audit.ts";
import { NotFound, Unprocessable } from "../../platform/errors.ts";
import { holidayPolicy } from "./policy.ts";
import type { HolidayDay } from "./presenter.ts";

// The arrangement the SLA calendars honour: the package's days, with the district's own on top. Every
// change reloads this process's calendars at once; other processes reload within a minute (background).

/** Reads the entered days and hands them to the calendars. */
export async function loadHolidays(ctx: AppContext): Promise<number> {
  const rows = await ctx.database.query<HolidayEntry>(
    `select day::text as day, kind, name from holidays order by day`,
  );
  installHolidays(rows);
  return rows.length;
}

export async function yearView(ctx: AppContext, who: Principal, year: number) {
  holidayPolicy.authorize(who, "read");
  const entered = await ctx.database.query<HolidayEntry>(
    `select day::text as day, kind, name from holidays where day >= $1::date and day < $2::date order by day`,
    [`${year}-01-01`, `${year + 1}-01-01`],
  );
  const byDay = new Map<string, HolidayDay>();
  for (const e of builtInHolidays(year)) byDay.set(e.day, { ...e, source: "builtin" });
  for (const e of entered) byDay.set(e.day, { ...e, source: "entered" });
  return {
    year,
    covered: holidayDataCovers(year),
    days: [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day)),
    canManage: holidayPolicy.can(who, "manage"),
  };
}

/** The coming year: the command center warns when its arrangement is not known yet. */
export function coverage(now = new Date()) {
  const year = Number(shanghaiDate(now).slice(0, 4)) + 1;
  return { year, covered: holidayDataCovers(year), packageLastYear: HOLIDAY_DATA_LAST_YEAR };
}

async function write(
  ctx: AppContext,
  who: Principal,
  entries: HolidayEntry[],
  source: string,
  action: string,
) {
  await ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    await tx.execute(sql`insert into holidays (day, kind, name, source, updated_by)
      select x.day::date, x.kind, x.name, ${source}, ${who.kind === "account" ? who.id : null}
      from jsonb_to_recordset(${JSON.stringify(entries)}::jsonb) as x(day text, kind text, name text)
      on conflict (day) do update set kind = excluded.kind, name = excluded.name, source = excluded.source,
        updated_by = excluded.updated_by, updated_at = now()`);
    await audit.record(tx, who, {
      action,
      entity: "holiday",
      entityId: entries.length === 1 ? entries[0].day : null,
      orgPath: who.orgPath,
      after: { days: entries.length, from: entries[0]?.day, to: entries.at(-1)?.day },
    });
  });
  await loadHolidays(ctx);
}

export async function setDay(ctx: AppContext, who: Principal, entry: HolidayEntry) {
  holidayPolicy.authorize(who, "manage");
  await write(ctx, who, [entry], "manual", "set");
  return yearView(ctx, who, Number(entry.day.slice(0, 4)));
}

export async function removeDay(ctx: AppContext, who: Principal, day: string) {
  holidayPolicy.authorize(who, "manage");
  const removed = await ctx.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const r = (await tx.execute(
      sql`delete from holidays where day = ${day}::date returning day`,
    )) as unknown as {
      rows: unknown[];
    };
    if (r.rows.length)
      await audit.record(tx, who, {
        action: "remove",
        entity: "holiday",
        entityId: day,
        orgPath: who.orgPath,
      });
    return r.rows.length > 0;
  });
  if (!removed) throw NotFound("该日未单独录入（内置数据不能删除，可录入一天覆盖它）");
  await loadHolidays(ctx);
}

/**
 * An arrangement from a file: every line or event is read first; any problem (or a day given two meanings)
 * imports nothing and names each problem. Days already entered are replaced.
 */
export async function importArrangement(
  ctx: AppContext,
  who: Principal,
  text: string,
  format: "ics" | "table",
) {
  holidayPolicy.authorize(who, "manage");
  const parsed = format === "ics" ? parseHolidayIcs(text) : parseHolidayTable(text);
  const errors = [
    ...parsed.errors,
    ...conflictingDays(parsed.entries).map((day) => ({ at: day, message: "同一天既是休息日又是上班日" })),
  ];
  if (errors.length)
    throw Unprocessable(
      `导入失败：${errors.length} 处有误，未导入任何日期。${errors
        .slice(0, 3)
        .map((e) => `${e.at}：${e.message}`)
        .join("；")}`,
      {
        fields: errors.map((e) => ({ field: e.at, message: `${e.at}：${e.message}` })),
      },
    );
  if (parsed.entries.length === 0)
    throw Unprocessable("文件中没有任何节假日安排", { fields: [{ field: "file", message: "没有日期" }] });
  await write(ctx, who, parsed.entries, "import", "import");
  const years = [...new Set(parsed.entries.map((e) => Number(e.day.slice(0, 4))))].sort();
  return {
    days: parsed.entries.length,
    holidays: parsed.entries.filter((e) => e.kind === "holiday").length,
    workdays: parsed.entries.filter((e) => e.kind === "workday").length,
    years,
  };
}
