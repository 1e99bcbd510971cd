--
-- Results through grant equal what PostgreSQL computes on a local copy,
-- over all common types (NULLs, numeric, floats with NaN/Infinity,
-- timestamptz, intervals, non-ASCII text, arrays, json, jsonb, bytea,
-- uuid) and a broad set of queries: filters, sorts, limits, aggregates,
-- grouping, joins, subqueries and parameters.
--
\i sql/include/fdw_setup.sql

-- one generator, run on the writer and locally, gives identical data
\set generator 'SELECT i AS id, (i % 7 - 3)::smallint AS i2, (i::bigint * 1000003 - 5000000) AS i8, round((i * 1.37 - 40)::numeric, 4)::numeric(20,6) AS num, CASE WHEN i % 53 = 0 THEN ''NaN''::real WHEN i % 59 = 0 THEN ''-Infinity''::real ELSE (i / 7.0)::real END AS f4, CASE WHEN i % 61 = 0 THEN ''Infinity''::float8 ELSE (i * 0.1 - 3)::float8 END AS f8, CASE WHEN i % 5 = 0 THEN NULL ELSE i % 2 = 0 END AS b, CASE WHEN i % 11 = 0 THEN NULL WHEN i % 3 = 0 THEN ''Zürich '' || i WHEN i % 3 = 1 THEN ''apple'' || (i % 17) ELSE ''Äpfel_'' || (i % 13) || '' %'' END AS t, (''v'' || (i % 23))::varchar(20) AS vc, (''c'' || (i % 4))::char(5) AS ch, (date ''2024-02-27'' + i) AS d, (timestamp ''2024-03-30 23:30:00'' + i * interval ''37 minutes'') AS ts, (timestamptz ''2024-03-30 23:30:00+00'' + i * interval ''1 hour 1 minute'') AS tstz, (i * interval ''1 day 3 hours'') AS iv, CASE WHEN i % 9 = 0 THEN NULL ELSE ARRAY[i, i % 5, NULL] END AS ia, ARRAY[''x'' || i, ''ü'', ''a,b''] AS ta, json_build_object(''k'', i, ''s'', ''v'' || i) AS j, jsonb_build_object(''k'', i % 10, ''tags'', jsonb_build_array(''t'' || (i % 3))) AS jb, md5(i::text)::uuid AS u, decode(md5(i::text), ''hex'') AS by, CASE WHEN i % 4 = 0 THEN NULL ELSE repeat(''é'', i % 6) END AS nt FROM generate_series(1, 300) AS i'

SELECT on_node('writer', 'DROP TABLE IF EXISTS public.typed; CREATE TABLE public.typed AS ' || :'generator'
               || '; ALTER TABLE public.typed ADD PRIMARY KEY (id); GRANT ALL ON public.typed TO grant_test;'
               || 'DROP TABLE IF EXISTS public.owners; CREATE TABLE public.owners AS SELECT g AS k, ''owner '' || g AS label FROM generate_series(0, 9) g;'
               || 'GRANT ALL ON public.owners TO grant_test');
DROP TABLE IF EXISTS typed_local, owners_local;
CREATE TABLE typed_local AS :generator;
CREATE TABLE owners_local AS SELECT g AS k, 'owner ' || g AS label FROM generate_series(0, 9) g;

SELECT grant_fdw.establish_connection('eqdb', 'postgresql', :'writer_url') > 0 AS registered;
CREATE SERVER eqdb FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'eqdb');
CREATE FOREIGN TABLE typed (id int, i2 smallint, i8 bigint, num numeric(20,6), f4 real, f8 float8,
  b boolean, t text, vc varchar(20), ch char(5), d date, ts timestamp, tstz timestamptz, iv interval,
  ia int[], ta text[], j json, jb jsonb, u uuid, by bytea, nt text)
  SERVER eqdb OPTIONS (table_name 'typed');
CREATE FOREIGN TABLE owners (k int, label text) SERVER eqdb OPTIONS (table_name 'owners');
ANALYZE typed_local;

-- compare a query over the foreign tables with the same query over the
-- local copies, row by row and in order
CREATE FUNCTION same_result(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  remote_rows text;
  local_rows text;
  lq text := replace(replace(q, ' typed', ' typed_local'), ' owners', ' owners_local');
BEGIN
  EXECUTE format('SELECT string_agg(r::text, E''\n'' ORDER BY n) FROM (SELECT r, row_number() OVER () AS n FROM (%s) r) s', q)
    INTO remote_rows;
  EXECUTE format('SELECT string_agg(r::text, E''\n'' ORDER BY n) FROM (SELECT r, row_number() OVER () AS n FROM (%s) r) s', lq)
    INTO local_rows;
  IF remote_rows IS NOT DISTINCT FROM local_rows THEN
    RETURN 'same';
  END IF;
  RETURN 'DIFFERENT';
END $$;

SELECT q, same_result(q) FROM (VALUES
  ('SELECT * FROM typed ORDER BY id'),
  ('SELECT id, t FROM typed WHERE t IS NULL ORDER BY id'),
  ('SELECT id FROM typed WHERE i2 > 0 AND i8 < 0 ORDER BY id'),
  ('SELECT id FROM typed WHERE num BETWEEN 10 AND 100.5 ORDER BY id'),
  ('SELECT id, f4 FROM typed WHERE f4 > 10 ORDER BY id'),
  ('SELECT id, f4 FROM typed WHERE f4 = ''NaN'' OR f4 = ''-Infinity'' ORDER BY id'),
  ('SELECT id FROM typed WHERE f8 >= 20 ORDER BY f8 DESC, id'),
  ('SELECT id FROM typed WHERE b ORDER BY id'),
  ('SELECT id FROM typed WHERE b IS NOT TRUE ORDER BY id'),
  ('SELECT id FROM typed WHERE t = ''apple3'' ORDER BY id'),
  ('SELECT id FROM typed WHERE t LIKE ''Ä%'' ORDER BY id'),
  ('SELECT id FROM typed WHERE t ILIKE ''%ZÜRICH%'' ORDER BY id'),
  ('SELECT id FROM typed WHERE t LIKE ''%\%'' ORDER BY id'),
  ('SELECT id FROM typed WHERE t > ''apple'' ORDER BY id'),
  ('SELECT t FROM typed ORDER BY t, id'),
  ('SELECT t FROM typed ORDER BY t DESC NULLS LAST, id LIMIT 20'),
  ('SELECT t FROM typed ORDER BY t COLLATE "C", id LIMIT 40'),
  ('SELECT id, vc FROM typed WHERE vc = ''v5'' ORDER BY id'),
  ('SELECT id, ch FROM typed WHERE ch = ''c1'' ORDER BY id'),
  ('SELECT id FROM typed WHERE d > date ''2024-06-01'' ORDER BY id'),
  ('SELECT id, ts FROM typed WHERE ts < timestamp ''2024-04-02 12:00'' ORDER BY id'),
  ('SELECT id, tstz FROM typed WHERE tstz >= timestamptz ''2024-04-05 00:00+02'' ORDER BY tstz LIMIT 10'),
  ('SELECT id, date_trunc(''day'', tstz) FROM typed ORDER BY id LIMIT 30'),
  ('SELECT id, iv FROM typed WHERE iv > interval ''100 days'' ORDER BY id'),
  ('SELECT id FROM typed WHERE 3 = ANY(ia) ORDER BY id'),
  ('SELECT id, ia[1] FROM typed WHERE ia[2] = 0 ORDER BY id'),
  ('SELECT id FROM typed WHERE ta @> ARRAY[''x7''] ORDER BY id'),
  ('SELECT id, j->>''s'' FROM typed WHERE (j->>''k'')::int < 5 ORDER BY id'),
  ('SELECT id FROM typed WHERE jb @> ''{"k": 3}'' ORDER BY id'),
  ('SELECT id FROM typed WHERE jb->''tags'' ? ''t1'' ORDER BY id'),
  ('SELECT id FROM typed WHERE u = md5(''42'')::uuid'),
  ('SELECT id, length(by) FROM typed WHERE by > ''\x80''::bytea ORDER BY id'),
  ('SELECT id, nt FROM typed WHERE nt = ''éé'' ORDER BY id'),
  ('SELECT id, nt || t FROM typed ORDER BY id'),
  ('SELECT id, i8 / 7, i8 % 7, num / 3 FROM typed ORDER BY id'),
  ('SELECT id, round(f8::numeric, 3) FROM typed WHERE f8 <> ''Infinity'' ORDER BY id'),
  ('SELECT id FROM typed WHERE id IN (1, 5, 77, 300, 301) ORDER BY id'),
  ('SELECT id FROM typed WHERE id NOT IN (1, 5, 77) AND id < 12 ORDER BY id'),
  ('SELECT id FROM typed WHERE upper(t) = ''APPLE3'' ORDER BY id'),
  ('SELECT id FROM typed WHERE coalesce(nt, ''-'') = ''-'' ORDER BY id'),
  ('SELECT id FROM typed WHERE CASE WHEN b THEN i2 ELSE -i2 END > 1 ORDER BY id'),
  ('SELECT id FROM typed ORDER BY id LIMIT 5 OFFSET 10'),
  ('SELECT id FROM typed ORDER BY num DESC, id LIMIT 7'),
  ('SELECT id FROM typed ORDER BY b NULLS FIRST, id LIMIT 12'),
  ('SELECT count(*), count(t), count(DISTINCT t) FROM typed'),
  ('SELECT sum(i8), avg(num), min(f8), max(f4), sum(f8) FROM typed WHERE f8 <> ''Infinity'''),
  ('SELECT min(t), max(t), min(tstz), max(d), min(iv) FROM typed'),
  ('SELECT i2, count(*), sum(num) FROM typed GROUP BY i2 ORDER BY i2'),
  ('SELECT b, count(*) FROM typed GROUP BY b ORDER BY b NULLS FIRST'),
  ('SELECT t, count(*) FROM typed GROUP BY t ORDER BY t NULLS LAST'),
  ('SELECT ch, avg(i2) FROM typed GROUP BY ch HAVING count(*) > 70 ORDER BY ch'),
  ('SELECT date_trunc(''month'', d) AS m, count(*) FROM typed GROUP BY 1 ORDER BY 1'),
  ('SELECT string_agg(vc, '','' ORDER BY id) FROM typed WHERE id < 20'),
  ('SELECT array_agg(id ORDER BY id) FROM typed WHERE i2 = 2'),
  ('SELECT bool_and(b), bool_or(b) FROM typed'),
  ('SELECT DISTINCT ch FROM typed ORDER BY ch'),
  ('SELECT DISTINCT ON (i2) i2, id FROM typed ORDER BY i2, id'),
  ('SELECT t.id, o.label FROM typed t JOIN owners o ON o.k = t.id % 10 WHERE t.id < 25 ORDER BY t.id'),
  ('SELECT o.k, count(t.id) FROM owners o LEFT JOIN typed t ON t.i2 = o.k GROUP BY o.k ORDER BY o.k'),
  ('SELECT t.id FROM typed t FULL JOIN owners o ON o.k = t.id WHERE coalesce(t.id, 0) < 5 ORDER BY t.id NULLS FIRST'),
  ('SELECT id FROM typed t WHERE EXISTS (SELECT 1 FROM owners o WHERE o.k = t.id) ORDER BY id'),
  ('SELECT id FROM typed t WHERE id NOT IN (SELECT k FROM owners) AND id < 15 ORDER BY id'),
  ('SELECT id, (SELECT label FROM owners o WHERE o.k = t.i2) FROM typed t WHERE id < 10 ORDER BY id'),
  ('SELECT id, row_number() OVER (PARTITION BY ch ORDER BY id) FROM typed ORDER BY id LIMIT 20'),
  ('SELECT count(*) FROM typed WHERE t IS DISTINCT FROM ''apple1'''),
  ('SELECT id FROM typed WHERE t ~ ''^apple1[0-9]$'' ORDER BY id'),
  ('SELECT id FROM typed WHERE tstz::date = date ''2024-04-03'' ORDER BY id'),
  ('SELECT id FROM typed WHERE extract(dow FROM ts) = 0 ORDER BY id'),
  ('SELECT id FROM typed WHERE abs(i8) < 100000 ORDER BY id'),
  ('SELECT id FROM typed WHERE length(t) > 8 ORDER BY id'),
  ('SELECT id FROM typed WHERE f4 < ''Infinity'' ORDER BY f4, id LIMIT 15')
) AS queries(q);

-- parameters: a prepared statement, custom and generic plans
PREPARE p(int, text) AS SELECT id, t FROM typed WHERE id > $1 AND t = $2 ORDER BY id;
PREPARE l(int, text) AS SELECT id, t FROM typed_local WHERE id > $1 AND t = $2 ORDER BY id;
EXECUTE p(10, 'apple3');
EXECUTE l(10, 'apple3');
SET plan_cache_mode = force_generic_plan;
EXECUTE p(100, 'apple3');
EXECUTE l(100, 'apple3');
RESET plan_cache_mode;
DEALLOCATE p;
DEALLOCATE l;
-- a join with the foreign table on the inner side of a nested loop
SELECT same_result('SELECT o.k, t.id FROM owners o JOIN LATERAL (SELECT id FROM typed WHERE id = o.k * 3) t ON true ORDER BY 1');

-- rows travel in binary; a column declared with another built-in type
-- than the remote one converts as text would, a remote type that is not
-- built in needs binary_transfer off
SELECT on_node('writer', $$
  DROP TABLE IF EXISTS public.mixed; DROP TYPE IF EXISTS public.mood;
  CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TABLE public.mixed (i int, n numeric, t text, ts timestamp, m public.mood, f real);
  INSERT INTO public.mixed VALUES (1, 2.5, '42', '2024-01-02 03:04:05', 'happy', 1.5),
                                  (2, NULL, '-7', NULL, 'sad', 'NaN');
  GRANT SELECT ON public.mixed TO grant_test$$);
CREATE FOREIGN TABLE mixed_wide (i bigint, n float8, t int, ts timestamptz, f numeric)
  SERVER eqdb OPTIONS (table_name 'mixed');
SELECT * FROM mixed_wide ORDER BY i;
CREATE FOREIGN TABLE mixed_enum (i int, m text) SERVER eqdb OPTIONS (table_name 'mixed');
SELECT e FROM show_error('SELECT * FROM mixed_enum') e WHERE e NOT LIKE 'context:%';
ALTER FOREIGN TABLE mixed_enum OPTIONS (ADD binary_transfer 'false');
SELECT * FROM mixed_enum ORDER BY i;
DROP FOREIGN TABLE mixed_wide, mixed_enum;
SELECT on_node('writer', 'DROP TABLE public.mixed; DROP TYPE public.mood');

-- constants and parameters reach the remote as the same values whatever
-- the session's output settings: with SQL-style DMY dates '03/04/2024' is
-- April 3 here, but March 4 for a remote reading it as ISO/MDY
SET datestyle = 'SQL, DMY';
SET intervalstyle = 'sql_standard';
SET extra_float_digits = 0;
SET timezone = 'Asia/Kolkata';
SELECT q, same_result(q) FROM (VALUES
  ('SELECT id FROM typed WHERE d = date ''2024-04-03'' ORDER BY id'),
  ('SELECT id FROM typed WHERE d BETWEEN date ''2024-03-04'' AND date ''2024-04-03'' ORDER BY id'),
  ('SELECT id FROM typed WHERE ts > timestamp ''2024-04-03 10:00'' ORDER BY id LIMIT 5'),
  ('SELECT id FROM typed WHERE tstz < timestamptz ''2024-04-03 10:00+05:30'' ORDER BY id DESC LIMIT 5'),
  ('SELECT id FROM typed WHERE iv > interval ''3 days 4 hours'' ORDER BY id LIMIT 5'),
  ('SELECT id FROM typed WHERE f8 = 0.1::float8 * 3 - 3 ORDER BY id'),
  ('SELECT id FROM typed WHERE f8 > 1.0::float8 / 3 ORDER BY id LIMIT 5')
) v(q);
PREPARE by_day(date) AS SELECT id, d FROM typed WHERE d = $1;
EXECUTE by_day('03/04/2024');
SELECT id, d FROM typed_local WHERE d = '03/04/2024';
DEALLOCATE by_day;
RESET datestyle;
RESET intervalstyle;
RESET extra_float_digits;
RESET timezone;

-- the comparison does see a difference: change one remote row
SELECT on_node('writer', 'UPDATE public.typed SET t = ''changed'' WHERE id = 1');
SELECT same_result('SELECT id, t FROM typed WHERE id < 3 ORDER BY id');

-- cleanup
DROP SERVER eqdb CASCADE;
DROP FUNCTION same_result(text);
DROP TABLE typed_local, owners_local;
SELECT grant_fdw.remove_connection('eqdb') AS removed;
SELECT on_node('writer', 'DROP TABLE public.typed; DROP TABLE public.owners');
