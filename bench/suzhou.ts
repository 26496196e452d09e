// A Suzhou year on one PostgreSQL (issue 19): 15 M work orders and their events in one database, then the
// queue, the district's month rates and intake measured by bench/workOrders.ts on it.
//
//   npx tsx bench/suzhou.ts [--orders 15000000] [--db gk_bench_suzhou]
//
// Needs a base of orders already in the database: `GK_BENCH_ORDERS_DATABASE_URL=…/gk_bench_suzhou npx tsx
// bench/workOrders.ts --step load --orders 1000000` (each order walked through the real workflow domain and
// written by COPY; ~2,300 orders/s here, so 15 M that way would take two hours). This script then generates the
// rest in PostgreSQL itself: copies of the base with new ids and numbers (`INSERT … SELECT`, one statement per
// copy, the events with their orders), the same grids, days and states, until the table holds --orders. Every
// copy goes through the same statement triggers as production writes (rate_counts_daily, order_flow_daily,
// order_mix_daily), so the rollups the dashboards read are what they would be. The secondary indexes are
// dropped during the copies and built again after (as any bulk load would), with the time of each printed.
//
// What the copies are not: a Suzhou year spreads 15 M orders over ~10 districts and ~10,000 grids; here they
// land on one district's 908 grids, ~15× more orders per grid and per district month than Suzhou's — the
// queue and the district's month rates read a harsher database than the real one.
import { arg, log, now, pgUrl, psql, result, secs } from "./lib.ts";

const db = arg("db", "gk_bench_suzhou")!;
const target = Number(arg("orders", "15000000"));

const count = () => Number(psql(db, "select count(*) from work_orders"));
const base = count();
if (base === 0) throw new Error(`${db} holds no orders: load a base first (see the header)`);
const baseMax = Number(psql(db, "select max(id) from work_orders"));
log(`${db}: base of ${base} orders (max id ${baseMax}), target ${target}`);

const ORDER_COLS = psql(
  db,
  `select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns
   where table_name = 'work_orders' and column_name not in ('id', 'number', 'merged_into_id')`,
);
const EVENT_COLS = psql(
  db,
  `select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns
   where table_name = 'work_order_events' and column_name not in ('id', 'order_id')`,
);

// A copy's ids have seven digits or more: lpad(…, 6) would cut them (PostgreSQL's lpad truncates), and the
// numbers would repeat. The day, the whole id, the base's random tail, as orderNumber makes them.

// Secondary indexes off for the copies (primary keys stay), rebuilt afterwards from their own definitions.
const indexes = psql(
  db,
  `select indexname || '|' || indexdef from pg_indexes
   where tablename in ('work_orders', 'work_order_events') and indexname not like '%_pkey'`,
)
  .split("\n")
  .filter(Boolean)
  .map((l) => {
    const i = l.indexOf("|");
    return { name: l.slice(0, i), def: l.slice(i + 1) };
  });

let have = base;
if (have < target) {
  for (const ix of indexes) psql(db, `drop index if exists ${ix.name}`);
  log(`dropped ${indexes.length} secondary indexes for the copies`);
  const t0 = now();
  // The base's ids may have gaps; every copy shifts them by a multiple of the base's highest id.
  for (let k = 1; have < target; k++) {
    const off = k * baseMax;
    const take = Math.min(base, target - have);
    // The copy's last base id: a full copy takes the whole base, the last one only its first `take` orders.
    const last =
      take === base
        ? baseMax
        : Number(
            psql(
              db,
              `select id from work_orders where id <= ${baseMax} order by id offset ${take - 1} limit 1`,
            ),
          );
    const t = now();
    psql(
      db,
      `begin;
       insert into work_orders (id, number, merged_into_id, ${ORDER_COLS})
         select id + ${off}, substr(number, 1, 8) || (id + ${off})::text || right(number, 3),
                merged_into_id + ${off}, ${ORDER_COLS}
         from work_orders where id <= ${last};
       insert into work_order_events (order_id, ${EVENT_COLS})
         select order_id + ${off}, ${EVENT_COLS} from work_order_events where order_id <= ${last} order by id;
       commit;`,
    );
    have += take;
    log(`  copy ${k}: +${take} orders in ${secs(now() - t)} s (${have} in all, ${secs(now() - t0)} s)`);
  }
  const copyMs = now() - t0;
  psql(db, "select setval('work_orders_id_seq', (select max(id) from work_orders))");
  const t1 = now();
  for (const ix of indexes) {
    const t = now();
    psql(db, ix.def);
    log(`  index ${ix.name}: ${secs(now() - t)} s`);
  }
  const indexMs = now() - t1;
  const t2 = now();
  psql(db, "analyze work_orders; analyze work_order_events; analyze rate_counts_daily");
  result(
    `suzhou load: ${base} base orders → ${have} orders by ${Math.ceil((have - base) / base)} generated copies in ${secs(copyMs)} s, ` +
      `${indexes.length} indexes rebuilt in ${secs(indexMs)} s, analyze ${secs(now() - t2)} s`,
  );
}
const sizes = psql(
  db,
  `select (select count(*) from work_order_events) || ' events; work_orders ' ||
     pg_size_pretty(pg_table_size('work_orders')) || ' + indexes ' || pg_size_pretty(pg_indexes_size('work_orders')) ||
     ', events ' || pg_size_pretty(pg_table_size('work_order_events')) || ' + indexes ' ||
     pg_size_pretty(pg_indexes_size('work_order_events')) || ', database ' || pg_size_pretty(pg_database_size(current_database()))`,
);
result(`suzhou database ${db} (${pgUrl(db)}): ${count()} orders, ${sizes}`);
