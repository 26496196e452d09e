-- Proposed search fixes (see bench/README.md "Findings"), tried on the district PostgreSQL bench database
-- inside a transaction that is rolled back, so nothing is left behind:
--   psql -h 127.0.0.1 -d gk_bench_district -X -f bench/proposed-search-fixes.sql
-- Fix 1: a C-collation (org_path, id) index + "order by org_path collate "C", id" (subtree order by place).
-- Fix 2: building narrowing as "= any(array(select …))" (an InitPlan) instead of "in (select …)" (hashed SubPlan),
--        so the name/building OR can use BitmapOr(residents_name_idx, residents_building_idx).
\timing on
begin;
create index residents_scope_c_idx on residents (org_path collate "C", id);
analyze residents;
-- community list (was 290 ms: pkey walk filtering 1.16 M rows)
explain (analyze, costs off) select r.id from residents r where r.org_path collate "C" like '/320613/320613019/320613019010/%' order by r.org_path collate "C", r.id limit 20;
-- district list
explain (analyze, costs off) select r.id from residents r where r.org_path collate "C" like '/320613/%' order by r.org_path collate "C", r.id limit 20;
\set b 'r.building_id = any(array(select b.id from buildings b where b.org_path like :s and (b.address like :l or :t like \'%\' || b.address || \'%\' or :t like \'%\' || b.name || \'%\')))'
-- commander 陈秀 rows + count
\set s '\'/320613/%\''
\set l '\'%陈秀%\''
\set t '\'陈秀\''
explain (analyze, costs off) select r.id from residents r where r.org_path collate "C" like :s and (r.name like '陈秀%' or (:b and r.address like :l)) order by r.org_path collate "C", r.id limit 20;
explain (analyze, costs off) select count(*) from (select 1 from residents r where r.org_path collate "C" like :s and (r.name like '陈秀%' or (:b and r.address like :l)) limit 10001) s;
-- commander address
\set l '\'%苏阳社区 12幢%\''
\set t '\'苏阳社区 12幢\''
explain (analyze, costs off) select r.id from residents r where r.org_path collate "C" like :s and (r.name like '苏阳社区 12幢%' or (:b and r.address like :l)) order by r.org_path collate "C", r.id limit 20;
explain (analyze, costs off) select count(*) from (select 1 from residents r where r.org_path collate "C" like :s and (r.name like '苏阳社区 12幢%' or (:b and r.address like :l)) limit 10001) s;
-- community 陈秀
\set s '\'/320613/320613019/320613019010/%\''
\set l '\'%陈秀%\''
\set t '\'陈秀\''
explain (analyze, costs off) select r.id from residents r where r.org_path collate "C" like :s and (r.name like '陈秀%' or (:b and r.address like :l)) order by r.org_path collate "C", r.id limit 20;
-- community tag
explain (analyze, costs off) select r.id from residents r where r.org_path collate "C" like :s and r.tags @> array['living_alone'] order by r.org_path collate "C", r.id limit 20;
explain (analyze, costs off) select count(*) from (select 1 from residents r where r.org_path collate "C" like :s and r.tags @> array['living_alone'] limit 10001) s;
-- commander tag + 王
\set s '\'/320613/%\''
\set l '\'%王%\''
\set t '\'王\''
explain (analyze, costs off) select r.id from residents r where r.org_path collate "C" like :s and r.tags @> array['aged_80_plus'] and (r.name like '王%' or (:b and r.address like :l)) order by r.org_path collate "C", r.id limit 20;
explain (analyze, costs off) select count(*) from (select 1 from residents r where r.org_path collate "C" like :s and r.tags @> array['aged_80_plus'] and (r.name like '王%' or (:b and r.address like :l)) limit 10001) s;
-- commander 张 count
\set l '\'%张%\''
\set t '\'张\''
explain (analyze, costs off) select count(*) from (select 1 from residents r where r.org_path collate "C" like :s and (r.name like '张%' or (:b and r.address like :l)) limit 10001) s;
rollback;
