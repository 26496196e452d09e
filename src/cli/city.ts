import pg from "pg";

// A city of districts on PostgreSQL's own logical replication. Each district's database publishes its
// rollups (publication `gridkeeper_city`); the city database holds one copy of those tables and one
// subscription per district, so city-wide figures are sums over a few thousand rows, never a query across
// servers. Rows from several districts land in one table without colliding because every key holds the org
// path, and paths start with the district's own code (/320613/…); the city refuses a second district with a
// code it already has. Nothing here is home-made distribution: PostgreSQL keeps the slot, the catch-up
// after an outage and the order of changes.

export const PUBLICATION = "gridkeeper_city";

interface CityTable {
  name: string;
  /** Published columns (a column list: later columns of a district table do not reach the city). */
  columns: [string, string][];
  key: string[];
  index?: string;
}

const counts = (names: string[]): [string, string][] => names.map((n) => [n, "integer not null default 0"]);

export const CITY_TABLES: CityTable[] = [
  {
    name: "rate_counts_daily",
    columns: [
      ["day", "date not null"],
      ["org_path", "text not null"],
      ...counts([
        "dispatched",
        "accepted_on_time",
        "resolved",
        "resolved_extended",
        "resolved_on_time",
        "resolved_first_time",
        "callbacks",
        "callbacks_solved",
        "rated_callbacks",
        "rated_satisfied",
        "verified",
        "reworked",
      ]),
    ],
    key: ["day", "org_path"],
    index: "(day, org_path text_pattern_ops)",
  },
  {
    name: "order_flow_daily",
    columns: [["day", "date not null"], ["org_path", "text not null"], ...counts(["received", "closed"])],
    key: ["day", "org_path"],
    index: "(day, org_path text_pattern_ops)",
  },
  {
    name: "campaign_rollups",
    columns: [
      ["campaign_id", "integer not null"],
      ["org_path", "text not null"],
      ["depth", "integer not null"],
      ...counts(["target", "visited", "done", "revisit", "refused", "moved", "other", "notices", "flagged"]),
    ],
    key: ["campaign_id", "org_path"],
  },
  {
    name: "campaign_day_rollups",
    columns: [
      ["campaign_id", "integer not null"],
      ["org_path", "text not null"],
      ["depth", "integer not null"],
      ["day", "date not null"],
      ...counts(["records", "done", "notices"]),
    ],
    key: ["campaign_id", "org_path", "day"],
    index: "(day, depth)",
  },
  {
    // Keyed by (account_id, month) alone in a district until migration 0043: account ids repeat across
    // districts, so the org path joined the key.
    name: "points_monthly",
    columns: [
      ["account_id", "integer not null"],
      ["month", "text not null"],
      ["org_path", "text not null"],
      ...counts(["points", "minutes", "tasks"]),
    ],
    key: ["org_path", "account_id", "month"],
    index: "(month)",
  },
];

export class CityError extends Error {}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function withClient<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect().catch((e: Error) => {
    throw new CityError(`无法连接 ${redact(url)}：${e.message}`);
  });
  try {
    return await f(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** A URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(无效的连接串)";
  }
}

const OPERATOR_HINT =
  "请在该区的 PostgreSQL 上设置 wal_level = logical（ALTER SYSTEM SET wal_level = logical; 然后重启），" +
  "并保证 max_replication_slots、max_wal_senders 各至少比订阅的市数多 1（默认 10 足够）";

/** The district's own unit: the root of its org tree (one database is one district). */
async function districtOf(c: pg.Client): Promise<{ code: string; name: string }> {
  const { rows } = await c.query<{ code: string; name: string }>(
    "select code, name from org_units where parent_id is null order by id",
  );
  if (rows.length !== 1) throw new CityError(`该库应恰有一个区级单位（组织树的根），实有 ${rows.length} 个`);
  return rows[0];
}

/**
 * On a district's database: the publication of its rollups, created or brought up to date (idempotent).
 * Inserts, updates and deletes only — a TRUNCATE on the city would empty every district's rows.
 */
export async function publishDistrict(districtUrl: string) {
  return withClient(districtUrl, async (c) => {
    const [{ wal_level }] = (await c.query<{ wal_level: string }>("show wal_level")).rows;
    if (wal_level !== "logical")
      throw new CityError(`wal_level 为 ${wal_level}，逻辑复制需要 logical。${OPERATOR_HINT}`);
    const district = await districtOf(c);
    const tables = CITY_TABLES.map(
      (t) => `${ident(t.name)} (${t.columns.map(([n]) => ident(n)).join(", ")})`,
    );
    const exists = (await c.query("select 1 from pg_publication where pubname = $1", [PUBLICATION])).rowCount;
    if (exists) {
      await c.query(`alter publication ${ident(PUBLICATION)} set table ${tables.join(", ")}`);
      await c.query(`alter publication ${ident(PUBLICATION)} set (publish = 'insert, update, delete')`);
    } else
      await c.query(
        `create publication ${ident(PUBLICATION)} for table ${tables.join(", ")} with (publish = 'insert, update, delete')`,
      );
    return { district, created: !exists, tables: CITY_TABLES.map((t) => t.name) };
  });
}

/** On the city database: the tables the districts' rows land in, and the list of districts (idempotent). */
export async function initCity(cityUrl: string) {
  return withClient(cityUrl, (c) => createCityTables(c));
}

async function createCityTables(c: pg.Client) {
  for (const t of CITY_TABLES) {
    await c.query(
      `create table if not exists ${ident(t.name)} (${t.columns.map(([n, type]) => `${ident(n)} ${type}`).join(", ")}, primary key (${t.key.map(ident).join(", ")}))`,
    );
    if (t.index)
      await c.query(
        `create index if not exists ${ident(`${t.name}_city_idx`)} on ${ident(t.name)} ${t.index}`,
      );
  }
  await createDistrictRollup(c);
  await c.query(`create table if not exists city_districts (
    code text primary key,
    name text not null,
    subscription text not null unique,
    created_at timestamptz not null default now()
  )`);
}

const RATE_COUNTS = CITY_TABLES[0].columns.slice(2).map(([n]) => n);

/**
 * The city's month reads one row per district and day, not every grid's: `city_rates_daily`, kept from the
 * replicated rate_counts_daily by a row trigger in the applying transaction. Apply workers fire only triggers
 * enabled ALWAYS (they run as replicas), hence the ALTER. Created with the table's rows summed in under a lock,
 * so a city set up before the trigger existed starts equal too.
 */
async function createDistrictRollup(c: pg.Client) {
  const cols = RATE_COUNTS.join(", ");
  const add = RATE_COUNTS.map((n) => `${n} = r.${n} + excluded.${n}`).join(", ");
  const row = (rec: string, sign: string) =>
    `insert into city_rates_daily as r (day, district, ${cols}) values (${rec}.day, split_part(${rec}.org_path, '/', 2), ${RATE_COUNTS.map((n) => `${sign}${rec}.${n}`).join(", ")}) on conflict (day, district) do update set ${add};`;
  await c.query("begin");
  try {
    await c.query("lock table rate_counts_daily in share row exclusive mode");
    await c.query(
      `create table if not exists city_rates_daily (day date not null, district text not null, ${RATE_COUNTS.map((n) => `${n} integer not null default 0`).join(", ")}, primary key (day, district))`,
    );
    await c.query(`create or replace function city_rates_daily_sync() returns trigger language plpgsql set search_path = public as $$
      begin
        if tg_op in ('UPDATE', 'DELETE') then ${row("old", "-")} end if;
        if tg_op in ('INSERT', 'UPDATE') then ${row("new", "")} end if;
        return null;
      end $$`);
    const had = (await c.query("select 1 from pg_trigger where tgname = 'city_rates_daily_sync'")).rowCount;
    if (!had) {
      await c.query(
        "create trigger city_rates_daily_sync after insert or update or delete on rate_counts_daily for each row execute function city_rates_daily_sync()",
      );
      await c.query("delete from city_rates_daily");
      await c.query(
        `insert into city_rates_daily (day, district, ${cols}) select day, split_part(org_path, '/', 2), ${RATE_COUNTS.map((n) => `sum(${n})`).join(", ")} from rate_counts_daily group by 1, 2`,
      );
    }
    await c.query("alter table rate_counts_daily enable always trigger city_rates_daily_sync");
    await c.query("commit");
  } catch (e) {
    await c.query("rollback");
    throw e;
  }
}

export const subscriptionName = (code: string) => `gk_city_${code.toLowerCase()}`;

/**
 * On the city database: subscribe to a district (its publication must exist). Idempotent: run again it
 * refreshes the table list, re-enables the subscription and keeps the rows. A code the city already holds
 * from another server is refused: its rows would mix with the other's under the same keys.
 */
export async function subscribeDistrict(cityUrl: string, districtUrl: string) {
  const district = await withClient(districtUrl, async (c) => {
    const d = await districtOf(c);
    const pub = await c.query("select 1 from pg_publication where pubname = $1", [PUBLICATION]);
    if (!pub.rowCount)
      throw new CityError(`区 ${d.code} ${d.name} 尚未发布：先在该区运行 gridkeeper city publish`);
    // Every published row must sit under the district's own code, or keys could meet another district's.
    for (const t of CITY_TABLES) {
      const { rows } = await c.query<{ n: number }>(
        `select count(*)::int as n from ${ident(t.name)} where org_path not like $1`,
        [`/${d.code}/%`],
      );
      if (rows[0].n > 0)
        throw new CityError(`区 ${d.code} 的 ${t.name} 有 ${rows[0].n} 行不在本区路径 /${d.code}/ 下`);
    }
    return d;
  });
  const sub = subscriptionName(district.code);
  return withClient(cityUrl, async (c) => {
    await createCityTables(c);
    const { rows } = await c.query<{ conninfo: string }>(
      "select subconninfo as conninfo from pg_subscription where subname = $1",
      [sub],
    );
    if (rows.length > 0) {
      if (!sameServer(rows[0].conninfo, districtUrl))
        throw new CityError(
          `市库已订阅另一个编码为 ${district.code} 的区（${redact(rows[0].conninfo)}）；换库请先 gridkeeper city unsubscribe ${district.code}`,
        );
      await c.query(`alter subscription ${ident(sub)} enable`);
      await c.query(`alter subscription ${ident(sub)} refresh publication`);
    } else {
      await c.query(
        "insert into city_districts (code, name, subscription) values ($1, $2, $3) on conflict (code) do update set name = excluded.name",
        [district.code, district.name, sub],
      );
      // Its own statement, outside a transaction: creating the slot on the district cannot run in one.
      await c.query(
        `create subscription ${ident(sub)} connection ${literal(districtUrl)} publication ${ident(PUBLICATION)}`,
      );
    }
    await c.query("update city_districts set name = $2 where code = $1", [district.code, district.name]);
    return { district, subscription: sub, created: rows.length === 0 };
  });
}

/** Drops a district's subscription (and its slot on the district when reachable) and its rows from the city. */
export async function unsubscribeDistrict(cityUrl: string, code: string) {
  const sub = subscriptionName(code);
  return withClient(cityUrl, async (c) => {
    const exists = (await c.query("select 1 from pg_subscription where subname = $1", [sub])).rowCount;
    if (exists) {
      await c.query(`alter subscription ${ident(sub)} disable`);
      try {
        await c.query(`drop subscription ${ident(sub)}`);
      } catch {
        // The district is gone: drop without its slot (the district's operator drops the slot there).
        await c.query(`alter subscription ${ident(sub)} set (slot_name = none)`);
        await c.query(`drop subscription ${ident(sub)}`);
      }
    }
    let rows = 0;
    // The district's rows leave city_rates_daily through its trigger, as its deletes.
    for (const t of CITY_TABLES)
      rows +=
        (await c.query(`delete from ${ident(t.name)} where org_path like $1`, [`/${code}/%`])).rowCount ?? 0;
    await c.query("delete from city_rates_daily where district = $1", [code]);
    await c.query("delete from city_districts where code = $1", [code]);
    return { dropped: Boolean(exists), rows };
  });
}

/** What the city holds from each district and how fresh it is. */
export async function cityStatus(cityUrl: string) {
  return withClient(cityUrl, async (c) => {
    const { rows } = await c.query<{
      code: string;
      name: string;
      subscription: string;
      enabled: boolean | null;
      received_at: Date | null;
      tables_ready: number;
      tables: number;
    }>(
      `select d.code, d.name, d.subscription, s.subenabled as enabled,
         (select max(last_msg_receipt_time) from pg_stat_subscription x where x.subname = d.subscription) as received_at,
         (select count(*) filter (where r.srsubstate = 'r')::int from pg_subscription_rel r where r.srsubid = s.oid) as tables_ready,
         (select count(*)::int from pg_subscription_rel r where r.srsubid = s.oid) as tables
       from city_districts d left join pg_subscription s on s.subname = d.subscription order by d.code`,
    );
    return rows;
  });
}

/** Whether two connection strings name the same server and database (a password change is not a move). */
function sameServer(a: string, b: string): boolean {
  const parts = (s: string) => {
    try {
      const u = new URL(s);
      return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
    } catch {
      return s;
    }
  };
  return parts(a) === parts(b);
}
