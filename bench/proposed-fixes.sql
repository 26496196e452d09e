-- Proposed fixes in src/ (see bench/README.md "Findings"), each tried inside a transaction that is rolled back.
--   psql -h 127.0.0.1 -X -f bench/proposed-fixes.sql
-- Needs gk_bench_district (bench/seed.ts) and gk_bench_orders (bench/workOrders.ts --step load).
\timing on
\c gk_bench_district

-- A. Keyset from the scope, not from ''. exportResidents (and any keyset on (org_path collate "C", id)) starts at
--    ('', 0): on PostgreSQL 15 the row comparison becomes the btree start key, so the first page walks the index from
--    its beginning up to the scope (~14.7 k index pages for 苏阳社区). Starting at (scopePath, 0) reads 71.
explain (analyze, buffers, costs off) select r.id from residents r where r.org_path collate "C" like '/320613/320613019/320613019010/%'
  and (r.org_path collate "C", r.id) > (''::text collate "C", 0) order by r.org_path collate "C", r.id limit 200;
explain (analyze, buffers, costs off) select r.id from residents r where r.org_path collate "C" like '/320613/320613019/320613019010/%'
  and (r.org_path collate "C", r.id) > ('/320613/320613019/320613019010/'::text collate "C", 0) order by r.org_path collate "C", r.id limit 200;

-- B. Contact cards (care/cards.ts bulkCards) page by "r.org_path like $1 … r.id > $2 order by r.id": for a community
--    the planner walks residents_pkey and filters 1.16 M rows (first page ~0.8 s). Same keyset as A fixes it.
explain (analyze, buffers, costs off) select r.id from residents r left join care_plans p on p.resident_id = r.id
  where r.org_path like '/320613/320613019/320613019010/%' and r.tags <> '{}' and r.id > 0 order by r.id limit 200;
explain (analyze, buffers, costs off) select r.id from residents r left join care_plans p on p.resident_id = r.id
  where r.org_path collate "C" like '/320613/320613019/320613019010/%' and r.tags <> '{}'
  and (r.org_path collate "C", r.id) > ('/320613/320613019/320613019010/'::text collate "C", 0) order by r.org_path collate "C", r.id limit 200;

-- C. Inside a community, let the path index drive: the district-wide GIN/name bitmaps (35 k–89 k entries) cost more
--    than reading the community's ~7 k index entries. Making tag/name tests non-indexable at community scope or below:
explain (analyze, buffers, costs off) select count(*) from (select 1 from residents r where r.org_path collate "C" like '/320613/320613019/320613019010/%'
  and r.tags @> array['living_alone']::text[] limit 10001) s;
explain (analyze, buffers, costs off) select count(*) from (select 1 from residents r where r.org_path collate "C" like '/320613/320613019/320613019010/%'
  and (r.tags || '{}'::text[]) @> array['living_alone']::text[] limit 10001) s;

\c gk_bench_orders
-- D. Rates from a daily per-grid rollup instead of scanning work_orders and work_order_events (1 M + 7.7 M rows).
begin;
create temp table bench_rollup as
select d.day, d.org_path,
  sum(dispatched)::int dispatched, sum(accepted_on_time)::int accepted_on_time, sum(resolved)::int resolved,
  sum(resolved_extended)::int resolved_extended, sum(resolved_on_time)::int resolved_on_time, sum(resolved_first_time)::int resolved_first_time,
  sum(callbacks)::int callbacks, sum(callbacks_solved)::int callbacks_solved, sum(rated)::int rated, sum(rated_satisfied)::int rated_satisfied,
  sum(verified)::int verified, sum(reworked)::int reworked
from (
  select (o.dispatched_at at time zone 'Asia/Shanghai')::date as day, o.org_path, count(*) dispatched, count(*) filter (where o.accepted_on_time) accepted_on_time,
    0 resolved, 0 resolved_extended, 0 resolved_on_time, 0 resolved_first_time, 0 callbacks, 0 callbacks_solved, 0 rated, 0 rated_satisfied, 0 verified, 0 reworked
  from work_orders o where o.dispatched_at is not null group by 1, 2
  union all
  select (o.resolved_at at time zone 'Asia/Shanghai')::date, o.org_path, 0, 0, count(*),
    count(*) filter (where (o.flow->'counts'->>'extensionsApproved')::int > 0),
    count(*) filter (where o.resolved_on_time and (o.flow->'counts'->>'extensionsApproved')::int = 0),
    count(*) filter (where (o.flow->'counts'->>'returns')::int = 0 and (o.flow->'counts'->>'reassigns')::int = 0 and (o.flow->'counts'->>'reopens')::int = 0),
    0,0,0,0,0,0
  from work_orders o where o.resolved_at is not null group by 1, 2
  union all
  select (e.at at time zone 'Asia/Shanghai')::date, o.org_path, 0,0,0,0,0,0,
    count(*) filter (where e.action in ('close','reopen')),
    count(*) filter (where e.action in ('close','reopen') and (e.detail->'callback'->>'solved')::boolean),
    count(*) filter (where e.action in ('close','reopen') and e.detail->'callback'->>'satisfaction' is not null),
    count(*) filter (where e.action in ('close','reopen') and e.detail->'callback'->>'satisfaction' in ('satisfied','basically_satisfied')),
    count(*) filter (where e.action in ('verify','rework')),
    count(*) filter (where e.action = 'rework')
  from work_order_events e join work_orders o on o.id = e.order_id where e.action in ('close','reopen','verify','rework') group by 1, 2
) d group by 1, 2;
create index on bench_rollup (org_path text_pattern_ops, day);
analyze bench_rollup;
set local jit = off;
prepare r(text, date, date, int) as select split_part(org_path, '/', $4) code, sum(dispatched) d, sum(accepted_on_time) a, sum(resolved) r,
  sum(resolved_extended) re, sum(resolved_on_time) rot, sum(resolved_first_time) rft, sum(callbacks) c, sum(callbacks_solved) cs,
  sum(rated) ra, sum(rated_satisfied) rs, sum(verified) v, sum(reworked) rw
  from bench_rollup where org_path like $1 and day >= $2 and day < $3 group by 1;
explain (analyze, buffers, costs off) execute r('/320613/%', '2026-10-01', '2026-11-01', 3);
explain (analyze, buffers, costs off) execute r('/320613/320613019/320613019010/%', '2026-10-01', '2026-11-01', 5);
deallocate r;
rollback;

-- E. The SLA sweep as one statement per batch instead of 3 statements per row (here 4 days ahead, rolled back).
begin;
with due as (
  select o.id from work_orders o where o.next_due_at <= now() + interval '4 days' and o.overdue_at is null
  order by o.next_due_at limit 5000 for update skip locked),
upd as (
  update work_orders o set overdue_at = now() + interval '4 days', updated_at = now() from due where o.id = due.id
  returning o.id, o.number, o.state, o.org_unit_id, o.org_path),
ev as (
  insert into work_order_events (order_id, action, from_state, to_state, actor_name, at, note)
  select id, 'overdue', state, state, '系统', now() + interval '4 days', '超过办理时限' from upd)
insert into notifications (kind, order_id, recipient_org_id, org_path, title, body)
select 'overdue', id, org_unit_id, org_path, '工单 ' || number || ' 已超时', '请尽快办理，已同步上级督办' from upd;
with due as (
  select o.id from work_orders o where o.next_warn_at <= now() + interval '4 days' and o.warned_at is null and o.overdue_at is null
  order by o.next_warn_at limit 5000 for update skip locked),
upd as (
  update work_orders o set warned_at = now() + interval '4 days', updated_at = now() from due where o.id = due.id
  returning o.id, o.number, o.org_unit_id, o.org_path)
insert into notifications (kind, order_id, recipient_org_id, org_path, title, body)
select 'warning', id, org_unit_id, org_path, '工单 ' || number || ' 即将超时', '距办理时限不足 20%' from upd;
rollback;
