--
-- What grant computes on a PostgreSQL remote and what it keeps local:
-- the remote SQL of filters, sorts, limits, aggregates, joins and
-- modifications (EXPLAIN VERBOSE, route lines left out: routing has its
-- own test), and for every query that its result equals the same query on
-- a local copy of the data.
--
\i sql/include/fdw_setup.sql

-- the same data on the writer (schema pd) and locally (schema pd_l)
\set gen1 'SELECT i AS id, CASE WHEN i % 10 = 0 THEN NULL ELSE round(i * 1.25 - 20, 2) END AS num, CASE WHEN i % 7 = 0 THEN NULL WHEN i % 2 = 0 THEN ''apple'' || (i % 13) ELSE ''Äpfel '' || (i % 5) END AS t, timestamptz ''2024-03-30 12:00:00+00'' + i * interval ''90 minutes'' AS ts, CASE WHEN i % 9 = 0 THEN NULL ELSE ARRAY[i % 4, i] END AS ia, CASE WHEN i % 6 = 0 THEN NULL ELSE i % 3 = 0 END AS b, i % 8 AS k FROM generate_series(1, 120) AS i'
\set gen2 'SELECT i AS id, i % 30 AS t1_id, ''note '' || i AS note FROM generate_series(1, 90) AS i'
\set gen3 'SELECT g AS k, ''group '' || g AS label FROM generate_series(0, 5) AS g'

SELECT on_node('writer',
  'DROP SCHEMA IF EXISTS pd CASCADE; CREATE SCHEMA pd;'
  || ' CREATE TABLE pd.t1 AS ' || :'gen1' || '; ALTER TABLE pd.t1 ADD PRIMARY KEY (id);'
  || ' CREATE TABLE pd.t2 AS ' || :'gen2' || '; ALTER TABLE pd.t2 ADD PRIMARY KEY (id);'
  || ' CREATE TABLE pd.t3 AS ' || :'gen3' || '; ALTER TABLE pd.t3 ADD PRIMARY KEY (k);'
  || ' GRANT USAGE ON SCHEMA pd TO grant_test; GRANT ALL ON ALL TABLES IN SCHEMA pd TO grant_test');

SET client_min_messages = warning;
DROP SCHEMA IF EXISTS pd CASCADE;
DROP SCHEMA IF EXISTS pd_l CASCADE;
DROP SERVER IF EXISTS pushdb CASCADE;
DO $$ BEGIN PERFORM grant_fdw.remove_connection('pushdb'); EXCEPTION WHEN OTHERS THEN NULL; END $$;
RESET client_min_messages;
CREATE SCHEMA pd;
CREATE SCHEMA pd_l;
CREATE TABLE pd_l.t1 AS :gen1;
ALTER TABLE pd_l.t1 ADD PRIMARY KEY (id);
CREATE TABLE pd_l.t2 AS :gen2;
ALTER TABLE pd_l.t2 ADD PRIMARY KEY (id);
CREATE TABLE pd_l.t3 AS :gen3;
ALTER TABLE pd_l.t3 ADD PRIMARY KEY (k);

SELECT grant_fdw.establish_connection('pushdb', 'postgresql', :'writer_url') > 0 AS registered;
CREATE SERVER pushdb FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'pushdb');
CREATE FOREIGN TABLE pd.t1 (id int, num numeric, t text, ts timestamptz, ia int[], b boolean, k int)
  SERVER pushdb OPTIONS (schema_name 'pd', table_name 't1');
CREATE FOREIGN TABLE pd.t2 (id int, t1_id int, note text)
  SERVER pushdb OPTIONS (schema_name 'pd', table_name 't2');
CREATE FOREIGN TABLE pd.t3 (k int, label text)
  SERVER pushdb OPTIONS (schema_name 'pd', table_name 't3');

-- the plan of a query over the foreign tables, without route lines
CREATE FUNCTION pd_explain(q text) RETURNS SETOF text
LANGUAGE plpgsql SET search_path = pd, public AS $$
DECLARE line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || q LOOP
    IF line !~ '^\s*Route:' THEN
      RETURN NEXT line;
    END IF;
  END LOOP;
END $$;

-- the rows of q, in order when ordered, else sorted by their text
CREATE FUNCTION pd_rows(q text, ordered bool) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE format('SELECT count(*) || E'' rows\n'' || coalesce(string_agg(x::text, E''\n'' ORDER BY %s), '''')'
                 ' FROM (SELECT x, row_number() OVER () AS n FROM (%s) x) s',
                 CASE WHEN ordered THEN 'n' ELSE 'x::text' END, q)
    INTO r;
  RETURN r;
END $$;

-- q over the foreign tables (pd) and over the local copies (pd_l)
CREATE FUNCTION pd_check(q text, ordered bool DEFAULT false) RETURNS text
LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  remote_rows text;
  local_rows text;
BEGIN
  PERFORM set_config('search_path', 'pd, public', true);
  remote_rows := pd_rows(q, ordered);
  PERFORM set_config('search_path', 'pd_l, public', true);
  local_rows := pd_rows(q, ordered);
  IF remote_rows = local_rows THEN
    RETURN 'same, ' || split_part(remote_rows, E'\n', 1);
  END IF;
  RETURN format(E'DIFFERENT\nremote: %s\nlocal: %s', remote_rows, local_rows);
END $$;

-- a modification run on both sides: the rows it returns must match
CREATE FUNCTION pd_apply(stmt text) RETURNS text
LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  rec record;
  remote_rows text[] := '{}';
  local_rows text[] := '{}';
BEGIN
  PERFORM set_config('search_path', 'pd, public', true);
  FOR rec IN EXECUTE stmt LOOP
    remote_rows := remote_rows || rec::text;
  END LOOP;
  PERFORM set_config('search_path', 'pd_l, public', true);
  FOR rec IN EXECUTE stmt LOOP
    local_rows := local_rows || rec::text;
  END LOOP;
  IF (SELECT array_agg(x ORDER BY x) FROM unnest(remote_rows) x) IS NOT DISTINCT FROM
     (SELECT array_agg(x ORDER BY x) FROM unnest(local_rows) x) THEN
    RETURN 'same, ' || cardinality(remote_rows) || ' rows returned';
  END IF;
  RETURN format('DIFFERENT remote %s local %s', remote_rows, local_rows);
END $$;

--
-- Filters
--
-- built-in immutable operators ship, with constants cast where needed
SELECT pd_explain('SELECT * FROM t1 WHERE id = 5');
SELECT pd_check('SELECT * FROM t1 WHERE id = 5');
SELECT pd_explain($q$SELECT id, t FROM t1 WHERE t LIKE 'apple%' AND num > 3.5 AND b$q$);
SELECT pd_check($q$SELECT id, t FROM t1 WHERE t LIKE 'apple%' AND num > 3.5 AND b$q$);
SELECT pd_explain($q$SELECT id FROM t1 WHERE upper(t) = 'APPLE4' OR num IS NULL$q$);
SELECT pd_check($q$SELECT id FROM t1 WHERE upper(t) = 'APPLE4' OR num IS NULL$q$);
SELECT pd_explain('SELECT id FROM t1 WHERE id IN (3, 30, 77) OR ia[1] = 3');
SELECT pd_check('SELECT id FROM t1 WHERE id IN (3, 30, 77) OR ia[1] = 3');
SELECT pd_explain('SELECT id FROM t1 WHERE CASE k WHEN 1 THEN 10 WHEN 2 THEN 20 END = 20 AND coalesce(num, 0) >= 0');
SELECT pd_check('SELECT id FROM t1 WHERE CASE k WHEN 1 THEN 10 WHEN 2 THEN 20 END = 20 AND coalesce(num, 0) >= 0');
SELECT pd_explain('SELECT id FROM t1 WHERE CASE WHEN k < 2 THEN num ELSE -num END > 50');
SELECT pd_check('SELECT id FROM t1 WHERE CASE WHEN k < 2 THEN num ELSE -num END > 50');
-- text compared under the default collation but not coming from a column
-- might compare differently on the remote: stays local
SELECT pd_explain($q$SELECT id FROM t1 WHERE CASE k WHEN 1 THEN 'one' WHEN 2 THEN 'two' END = 'two'$q$);
SELECT pd_check($q$SELECT id FROM t1 WHERE CASE k WHEN 1 THEN 'one' WHEN 2 THEN 'two' END = 'two'$q$);
SELECT pd_explain('SELECT id FROM t1 WHERE b IS NOT TRUE AND num IS DISTINCT FROM 5 AND NULLIF(k, 3) IS NULL');
SELECT pd_check('SELECT id FROM t1 WHERE b IS NOT TRUE AND num IS DISTINCT FROM 5 AND NULLIF(k, 3) IS NULL');
SELECT pd_explain($q$SELECT id FROM t1 WHERE ts >= '2024-04-01 00:00:00+00' AND num < -10.5$q$);
SELECT pd_check($q$SELECT id FROM t1 WHERE ts >= '2024-04-01 00:00:00+00' AND num < -10.5$q$);
-- mutable functions stay local
SELECT pd_explain('SELECT id FROM t1 WHERE ts < now() AND id < 10');
SELECT pd_check('SELECT id FROM t1 WHERE ts < now() AND id < 10');
-- a collation other than the column's stays local
SELECT pd_explain($q$SELECT id FROM t1 WHERE t COLLATE "C" > 'apple5'$q$);
SELECT pd_check($q$SELECT id FROM t1 WHERE t COLLATE "C" > 'apple5'$q$);
-- a function that is not built in stays local (plpgsql: never inlined)
CREATE FUNCTION public.pd_twice(int) RETURNS int LANGUAGE plpgsql IMMUTABLE
  AS 'BEGIN RETURN $1 * 2; END';
SELECT pd_explain('SELECT id FROM t1 WHERE pd_twice(k) = 4');
SELECT pd_check('SELECT id FROM t1 WHERE pd_twice(k) = 4');
-- values from the outside are sent as parameters
SELECT pd_explain('SELECT id FROM t1 WHERE k = (SELECT max(k) FROM t3)');
SELECT pd_check('SELECT id FROM t1 WHERE k = (SELECT max(k) FROM t3)');
PREPARE pd_lookup(int) AS SELECT id, t FROM pd.t1 WHERE id = $1;
SET plan_cache_mode = force_generic_plan;
SELECT pd_explain('EXECUTE pd_lookup(4)');
EXECUTE pd_lookup(4);
RESET plan_cache_mode;
DEALLOCATE pd_lookup;

--
-- ORDER BY and LIMIT
--
SELECT pd_explain('SELECT id, num FROM t1 ORDER BY num DESC, id LIMIT 5');
SELECT pd_check('SELECT id, num FROM t1 ORDER BY num DESC, id LIMIT 5', true);
SELECT pd_explain('SELECT id, t FROM t1 ORDER BY t NULLS FIRST, id OFFSET 110');
SELECT pd_check('SELECT id, t FROM t1 ORDER BY t NULLS FIRST, id OFFSET 110', true);
SELECT pd_explain('SELECT id FROM t1 ORDER BY k * 2 + 1 DESC, id LIMIT 4 OFFSET 2');
SELECT pd_check('SELECT id FROM t1 ORDER BY k * 2 + 1 DESC, id LIMIT 4 OFFSET 2', true);
-- a local filter keeps LIMIT local (the remote can't count the rows)
SELECT pd_explain('SELECT id FROM t1 WHERE pd_twice(k) > 4 ORDER BY id LIMIT 3');
SELECT pd_check('SELECT id FROM t1 WHERE pd_twice(k) > 4 ORDER BY id LIMIT 3', true);
-- a sort key that can't be sent is sorted locally
SELECT pd_explain('SELECT id FROM t1 ORDER BY pd_twice(id) LIMIT 3');
SELECT pd_check('SELECT id FROM t1 ORDER BY pd_twice(id) LIMIT 3', true);

--
-- Aggregates
--
SELECT pd_explain('SELECT count(*), sum(num), avg(num), min(t), max(ts) FROM t1');
SELECT pd_check('SELECT count(*), sum(num), avg(num), min(t), max(ts) FROM t1');
SELECT pd_explain('SELECT k, count(*), sum(num) FILTER (WHERE b) FROM t1 WHERE id > 10 GROUP BY k HAVING count(*) > 12 ORDER BY k');
SELECT pd_check('SELECT k, count(*), sum(num) FILTER (WHERE b) FROM t1 WHERE id > 10 GROUP BY k HAVING count(*) > 12 ORDER BY k', true);
SELECT pd_explain($q$SELECT k % 3 AS m, count(DISTINCT t), string_agg(t, ',' ORDER BY t DESC) FROM t1 GROUP BY k % 3$q$);
SELECT pd_check($q$SELECT k % 3 AS m, count(DISTINCT t), string_agg(t, ',' ORDER BY t DESC) FROM t1 GROUP BY k % 3$q$);
SELECT pd_explain('SELECT k, count(*) AS n FROM t1 GROUP BY k ORDER BY n DESC, k LIMIT 3');
SELECT pd_check('SELECT k, count(*) AS n FROM t1 GROUP BY k ORDER BY n DESC, k LIMIT 3', true);
-- an output computed locally from remote aggregates
SELECT pd_explain('SELECT k, pd_twice(count(*)::int) FROM t1 GROUP BY k');
SELECT pd_check('SELECT k, pd_twice(count(*)::int) FROM t1 GROUP BY k');
-- a HAVING clause that can't be sent keeps the aggregation local
SELECT pd_explain('SELECT k, count(*) FROM t1 GROUP BY k HAVING pd_twice(count(*)::int) > 30');
SELECT pd_check('SELECT k, count(*) FROM t1 GROUP BY k HAVING pd_twice(count(*)::int) > 30');
-- rows filtered locally are aggregated locally
SELECT pd_explain('SELECT count(*) FROM t1 WHERE pd_twice(k) = 2');
SELECT pd_check('SELECT count(*) FROM t1 WHERE pd_twice(k) = 2');
-- grouping sets are not sent
SELECT pd_explain('SELECT k, b, count(*) FROM t1 GROUP BY ROLLUP (k, b)');
SELECT pd_check('SELECT k, b, count(*) FROM t1 GROUP BY ROLLUP (k, b)');

--
-- Joins
--
SELECT pd_explain('SELECT t1.id, t2.note FROM t1 JOIN t2 ON t1.id = t2.t1_id WHERE t1.num > 0');
SELECT pd_check('SELECT t1.id, t2.note FROM t1 JOIN t2 ON t1.id = t2.t1_id WHERE t1.num > 0');
SELECT pd_explain('SELECT t1.id, t2.note FROM t1 LEFT JOIN t2 ON t1.id = t2.t1_id AND t2.id > 40 WHERE t1.id < 35');
SELECT pd_check('SELECT t1.id, t2.note FROM t1 LEFT JOIN t2 ON t1.id = t2.t1_id AND t2.id > 40 WHERE t1.id < 35');
SELECT pd_explain('SELECT t2.id, t3.label FROM t3 RIGHT JOIN t2 ON t3.k = t2.t1_id');
SELECT pd_check('SELECT t2.id, t3.label FROM t3 RIGHT JOIN t2 ON t3.k = t2.t1_id');
SELECT pd_explain('SELECT t2.id, t3.label FROM t2 FULL JOIN t3 ON t3.k = t2.id - 85');
SELECT pd_check('SELECT t2.id, t3.label FROM t2 FULL JOIN t3 ON t3.k = t2.id - 85');
-- a filtered side under a FULL JOIN is joined locally
SELECT pd_explain('SELECT t2.id, t3.label FROM (SELECT * FROM t2 WHERE id < 5) t2 FULL JOIN t3 ON t3.k = t2.id');
SELECT pd_check('SELECT t2.id, t3.label FROM (SELECT * FROM t2 WHERE id < 5) t2 FULL JOIN t3 ON t3.k = t2.id');
SELECT pd_explain('SELECT t1.id, t2.id, t3.label FROM t1 JOIN t2 ON t1.id = t2.t1_id LEFT JOIN t3 ON t3.k = t1.k WHERE t2.id % 4 = 0');
SELECT pd_check('SELECT t1.id, t2.id, t3.label FROM t1 JOIN t2 ON t1.id = t2.t1_id LEFT JOIN t3 ON t3.k = t1.k WHERE t2.id % 4 = 0');
-- a join condition that can't be sent keeps the join local
SELECT pd_explain('SELECT t1.id, t3.k FROM t1 JOIN t3 ON pd_twice(t3.k) = t1.k WHERE t1.id < 20');
SELECT pd_check('SELECT t1.id, t3.k FROM t1 JOIN t3 ON pd_twice(t3.k) = t1.k WHERE t1.id < 20');
-- aggregates, sorting and limits over a join
SELECT pd_explain('SELECT t3.label, count(t1.id), max(t1.num) FROM t1 JOIN t3 ON t1.k = t3.k GROUP BY t3.label ORDER BY 1');
SELECT pd_check('SELECT t3.label, count(t1.id), max(t1.num) FROM t1 JOIN t3 ON t1.k = t3.k GROUP BY t3.label ORDER BY 1', true);
SELECT pd_explain('SELECT t1.id, t2.id FROM t1 JOIN t2 ON t1.id = t2.t1_id ORDER BY t2.id DESC');
SELECT pd_check('SELECT t1.id, t2.id FROM t1 JOIN t2 ON t1.id = t2.t1_id ORDER BY t2.id DESC', true);
SELECT pd_explain('SELECT t1.id, t3.label FROM t1 JOIN t3 ON t1.k = t3.k WHERE t1.id < 4 LIMIT 2');
SELECT pd_check('SELECT count(*) FROM (SELECT t1.id, t3.label FROM t1 JOIN t3 ON t1.k = t3.k WHERE t1.id < 4 LIMIT 2) s');
-- row locks: the scan locks remotely, joins are done locally
SELECT pd_explain('SELECT id FROM t1 WHERE id = 7 FOR UPDATE');
SELECT pd_explain('SELECT t1.id FROM t1 JOIN t3 ON t1.k = t3.k WHERE t1.id < 3 FOR SHARE OF t1');

--
-- Modifications
--
-- one remote statement when the whole WHERE ships
SELECT pd_explain('UPDATE t1 SET num = num + 1, t = t || ''!'' WHERE k = 3');
SELECT pd_apply('UPDATE t1 SET num = num + 1, t = t || ''!'' WHERE k = 3 RETURNING id, num, t');
SELECT pd_explain('DELETE FROM t2 WHERE id > 85 RETURNING id, note');
SELECT pd_apply('DELETE FROM t2 WHERE id > 85 RETURNING id, note');
-- row by row (by ctid) when something must be computed locally
SELECT pd_explain('UPDATE t1 SET k = pd_twice(k) WHERE id < 4');
SELECT pd_apply('UPDATE t1 SET k = pd_twice(k) WHERE id < 4 RETURNING id, k');
SELECT pd_explain('DELETE FROM t2 WHERE pd_twice(id) = 20');
SELECT pd_apply('DELETE FROM t2 WHERE pd_twice(id) = 20 RETURNING *');
SELECT pd_explain('UPDATE t2 SET note = t3.label FROM t3 WHERE t2.t1_id = t3.k');
SELECT pd_apply('UPDATE t2 SET note = t3.label FROM t3 WHERE t2.t1_id = t3.k RETURNING t2.id, t2.note');
SELECT pd_explain('INSERT INTO t3 VALUES (10, ''ten''), (11, ''eleven'') ON CONFLICT DO NOTHING RETURNING k');
SELECT pd_apply('INSERT INTO t3 VALUES (10, ''ten''), (11, ''eleven'') ON CONFLICT DO NOTHING RETURNING k');
SELECT pd_apply('INSERT INTO t3 VALUES (10, ''again''), (12, ''twelve'') ON CONFLICT DO NOTHING RETURNING k, label');
SELECT pd_apply('INSERT INTO t2 SELECT id + 1000, k, t FROM t1 WHERE id <= 50 RETURNING id');
SELECT pd_check('SELECT * FROM t1');
SELECT pd_check('SELECT * FROM t2');
SELECT pd_check('SELECT * FROM t3');
TRUNCATE pd.t3;
TRUNCATE pd_l.t3;
SELECT pd_check('SELECT * FROM t3');
