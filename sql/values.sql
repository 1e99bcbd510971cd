--
-- Values arrive unchanged: system columns of foreign rows, columns declared
-- with another type than the remote's (read in the remote's UTC/ISO forms,
-- whatever this session's settings), and MySQL floating point, decimal,
-- unsigned, BIT and YEAR values read exactly.
--
\i sql/include/fdw_setup.sql
\getenv mysql_port GRANT_MYSQL_PORT

SELECT on_node('writer', $$
  DROP TABLE IF EXISTS public.vs_users, public.vs_items, public.vs_types CASCADE;
  CREATE TABLE public.vs_users (id int PRIMARY KEY, name text NOT NULL);
  CREATE TABLE public.vs_items (id int PRIMARY KEY, user_id int NOT NULL, v int NOT NULL);
  INSERT INTO public.vs_users VALUES (1, 'ann'), (2, 'bob');
  INSERT INTO public.vs_items VALUES (10, 1, 100), (11, 2, 200), (12, 2, 300);
  CREATE TABLE public.vs_types (id int PRIMARY KEY, tz timestamptz, ts timestamp, d date,
                                iv interval, f8 float8, f4 real, n numeric);
  INSERT INTO public.vs_types VALUES
    (1, '2024-01-01 12:00+00', '2024-01-01 12:00', '2024-03-04', '1 day -02:00:00', 0.1::float8 + 0.2, 0.1, 1.5),
    (2, '2024-07-01 23:30+00', '2024-07-01 23:30', '2024-12-31', '-1 mons 3 days', 1e-300, 3.4e38, -0.000001);
  GRANT ALL ON public.vs_users, public.vs_items, public.vs_types TO grant_test;
$$);
SELECT grant_fdw.establish_connection('vsdb', 'postgresql', :'writer_url') > 0 AS registered;
SELECT grant_fdw.establish_connection('vsmy', 'mysql',
         format('mysql://grant_test:%s@127.0.0.1:%s/app', :'password', :'mysql_port')) > 0 AS registered;
CREATE SERVER vsdb FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'vsdb');
CREATE SERVER vsmy FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'vsmy');
CREATE FOREIGN TABLE vs_users (id int, name text) SERVER vsdb OPTIONS (table_name 'vs_users');
CREATE FOREIGN TABLE vs_items (id int, user_id int, v int) SERVER vsdb OPTIONS (table_name 'vs_items');

-- System columns: tableoid is the foreign table, a foreign row has no xmin,
-- xmax or cmin (0), ctid is the remote row's.
SELECT tableoid::regclass, xmin, xmax, cmin, ctid IS NOT NULL AS has_ctid, id
  FROM vs_users ORDER BY id;
SELECT xmin, id FROM vs_users ORDER BY id;
SELECT tableoid::regclass, count(*) FROM vs_users GROUP BY 1;
SELECT count(*) FROM vs_users WHERE tableoid = 'vs_users'::regclass;
-- in a join the two scans fill them in: the join is not sent as one query
EXPLAIN (COSTS OFF, VERBOSE)
SELECT u.tableoid::regclass, i.v FROM vs_users u JOIN vs_items i ON i.user_id = u.id;
SELECT u.tableoid::regclass, i.tableoid::regclass, u.xmin, i.v
  FROM vs_users u JOIN vs_items i ON i.user_id = u.id ORDER BY i.v;
SELECT u.name, i.v FROM vs_users u LEFT JOIN vs_items i ON i.user_id = u.id AND i.tableoid <> 0
  ORDER BY i.v;
-- a join without system columns still is
EXPLAIN (COSTS OFF, VERBOSE)
SELECT u.name, i.v FROM vs_users u JOIN vs_items i ON i.user_id = u.id;
-- modifications return them too
UPDATE vs_users SET name = name WHERE id = 1 RETURNING tableoid::regclass, xmin, cmin, id;
UPDATE vs_items SET v = v + 1 WHERE id = 10 RETURNING tableoid::regclass, xmax, v;
INSERT INTO vs_users VALUES (3, 'cy') RETURNING tableoid::regclass, xmin, id;
DELETE FROM vs_users WHERE id = 3 RETURNING tableoid::regclass, xmin, name;
-- RETURNING only system columns still returns every row (sent as one statement)
BEGIN;
EXPLAIN (COSTS OFF, VERBOSE) DELETE FROM vs_items WHERE v > 150 RETURNING tableoid::regclass, xmin;
DELETE FROM vs_items WHERE v > 150 RETURNING tableoid::regclass, xmin;
UPDATE vs_items SET v = v WHERE v > 0 RETURNING tableoid::regclass;
ROLLBACK;

-- Columns declared with another type than the remote's, under settings
-- that print every type differently.  A remote timestamptz declared
-- timestamp reads as its UTC time (the time the remote compares with), a
-- remote timestamp declared timestamptz as that time in UTC; so a row
-- always satisfies the filter that found it, in binary and in text.
CREATE FOREIGN TABLE vs_mis (id int, tz timestamp, ts timestamptz, d timestamptz,
                             iv text, f8 numeric, f4 float8, n float8)
  SERVER vsdb OPTIONS (table_name 'vs_types');
CREATE FOREIGN TABLE vs_mis_text (id int, tz timestamp, ts timestamptz, d timestamptz,
                                  iv text, f8 numeric, f4 float8, n float8)
  SERVER vsdb OPTIONS (table_name 'vs_types', binary_transfer 'false');
SET TimeZone = 'America/New_York';
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = -3;
SELECT id, tz, ts, d, iv, f8, f4, n FROM vs_mis ORDER BY id;
SELECT id, tz, ts, d, iv, f8, f4, n FROM vs_mis_text ORDER BY id;
-- what was read satisfies the filter the remote applied, and the reverse
SELECT id, tz FROM vs_mis WHERE tz = '2024-01-01 12:00';
SELECT id, tz FROM vs_mis_text WHERE tz = '2024-01-01 12:00';
SELECT id, ts FROM vs_mis WHERE ts = '2024-01-01 12:00+00';
SELECT id, ts FROM vs_mis_text WHERE ts = '2024-07-01 23:30+00';
SELECT id FROM vs_mis m WHERE tz = (SELECT tz FROM vs_mis WHERE id = m.id);
SELECT id FROM vs_mis m WHERE ts = (SELECT ts FROM vs_mis_text WHERE id = m.id);
SELECT id, f8 FROM vs_mis WHERE f8 = 0.30000000000000004;
EXPLAIN (COSTS OFF, VERBOSE) SELECT id FROM vs_mis WHERE tz = '2024-01-01 12:00';
RESET TimeZone;
RESET DateStyle;
RESET IntervalStyle;
RESET extra_float_digits;

-- MySQL: FLOAT read with its exact value (a 6-digit text would lose it),
-- DOUBLE, DECIMAL, unsigned integers, BIT and YEAR at their edges.
SELECT grant_fdw.execute('vsmy', 'DROP TABLE IF EXISTS vs_fl') IS NOT NULL AS dropped;
SELECT grant_fdw.execute('vsmy', $$
  CREATE TABLE vs_fl (id int PRIMARY KEY, f float, d double,
                      dc decimal(65,30), u int unsigned, bu bigint unsigned,
                      tu tinyint unsigned, su smallint unsigned, mu mediumint unsigned,
                      b bit(10), y year) ENGINE=InnoDB$$) IS NOT NULL AS created;
SELECT grant_fdw.execute('vsmy', $$
  INSERT INTO vs_fl VALUES
   (1, 1234567, 1e-1 + 2e-1, 99999999999999999999999999999999999.999999999999999999999999999999,
    4294967295, 18446744073709551615, 255, 65535, 16777215, b'1111111111', 2155),
   (2, 0.1, 1e308, -0.000000000000000000000000000001, 0, 0, 0, 0, 0, b'0000000001', 1901),
   (3, 3.4028234e38, 4.9e-324, 0, 1, 1, 1, 1, 1, b'1000000000', 2000),
   (4, -1.17549435e-38, -2.2250738585072014e-308, -12345.678901234567890123456789012345, 2147483648,
    9223372036854775808, 128, 32768, 8388608, b'0101010101', 1999),
   (5, 16777217, 123456789012345678, 1, 1, 1, 1, 1, 1, b'0', 2001),
   (6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$) AS inserted;
CREATE SCHEMA vs_imp;
IMPORT FOREIGN SCHEMA app LIMIT TO (vs_fl) FROM SERVER vsmy INTO vs_imp;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'vs_imp.vs_fl'::regclass AND attnum > 0 ORDER BY attnum;
SELECT * FROM vs_imp.vs_fl ORDER BY id;
SELECT id FROM vs_imp.vs_fl WHERE f = 1234567;
SELECT id FROM vs_imp.vs_fl WHERE f = 16777216;
SELECT id FROM vs_imp.vs_fl WHERE d = 0.30000000000000004;
SELECT id, f::float8 AS f_as_double FROM vs_imp.vs_fl WHERE id IN (1, 2, 4) ORDER BY id;
-- the remote agrees: the value read is the value it holds
SELECT * FROM grant_fdw.query('vsmy', 'SELECT id FROM vs_fl WHERE f = 1234567 AND d = 1e-1 + 2e-1 AND bu = 18446744073709551615') AS r(id int);
-- declared float8, a FLOAT reads as its exact double value
CREATE FOREIGN TABLE vs_fl_wide (id int, f float8) SERVER vsmy OPTIONS (table_name 'vs_fl');
SELECT id, f FROM vs_fl_wide WHERE id IN (1, 2) ORDER BY id;
-- system columns of MySQL rows
SELECT tableoid::regclass, xmin, id FROM vs_imp.vs_fl WHERE id < 3 ORDER BY id;
SELECT grant_fdw.execute('vsmy', 'DROP TABLE vs_fl') IS NOT NULL AS dropped;


-- Collations.  IMPORT FOREIGN SCHEMA carries each column's collation, so an
-- ORDER BY sent to the remote sorts as the local column would.
SELECT on_node('writer', $$
  DROP TABLE IF EXISTS public.vs_words;
  DROP COLLATION IF EXISTS public.vs_ci;
  CREATE COLLATION public.vs_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
  CREATE TABLE public.vs_words (id int PRIMARY KEY, w text COLLATE "und-x-icu", c text COLLATE "C",
                                d text, ci text COLLATE public.vs_ci);
  INSERT INTO public.vs_words VALUES (1, 'b', 'b', 'b', 'b'), (2, 'A', 'A', 'A', 'A'),
                                     (3, 'a', 'a', 'a', 'a'), (4, 'B', 'B', 'B', 'B');
  GRANT SELECT ON public.vs_words TO grant_test;
$$);
CREATE SCHEMA vs_coll;
-- the remote's vs_ci is not here: refused, saying which column
IMPORT FOREIGN SCHEMA public LIMIT TO (vs_words) FROM SERVER vsdb INTO vs_coll;
CREATE COLLATION public.vs_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
IMPORT FOREIGN SCHEMA public LIMIT TO (vs_words) FROM SERVER vsdb INTO vs_coll;
SELECT attname, collname FROM pg_attribute a LEFT JOIN pg_collation c ON c.oid = a.attcollation
 WHERE attrelid = 'vs_coll.vs_words'::regclass AND attnum > 0 ORDER BY attnum;
SELECT string_agg(w, ' ' ORDER BY w, id) AS icu, string_agg(c, ' ' ORDER BY c, id) AS c,
       string_agg(d, ' ' ORDER BY d, id) AS dflt FROM vs_coll.vs_words;
EXPLAIN (COSTS OFF, VERBOSE) SELECT w FROM vs_coll.vs_words ORDER BY w;
SELECT w FROM vs_coll.vs_words ORDER BY w;
SELECT c FROM vs_coll.vs_words ORDER BY c;
-- a nondeterministic collation compares case variants as equal, here as there
SELECT id FROM vs_coll.vs_words WHERE ci = 'a' ORDER BY id;
EXPLAIN (COSTS OFF, VERBOSE) SELECT id FROM vs_coll.vs_words WHERE ci = 'a';
-- import_collate 'false': the columns get the local default
CREATE SCHEMA vs_nocoll;
IMPORT FOREIGN SCHEMA public LIMIT TO (vs_words) FROM SERVER vsdb INTO vs_nocoll
  OPTIONS (import_collate 'false');
SELECT attname, collname FROM pg_attribute a LEFT JOIN pg_collation c ON c.oid = a.attcollation
 WHERE attrelid = 'vs_nocoll.vs_words'::regclass AND attnum > 0 ORDER BY attnum;
IMPORT FOREIGN SCHEMA public LIMIT TO (vs_words) FROM SERVER vsdb INTO vs_nocoll
  OPTIONS (import_collate 'maybe');
-- A column declared without COLLATE has the default collation on both
-- sides: an ORDER BY or comparison on it is sent only when the remote
-- database's default collation is this one's (C here).
SELECT dblink_exec(format('host=127.0.0.1 port=%s dbname=app user=postgres', current_setting('test.writer_port')),
  'DROP DATABASE IF EXISTS vs_icu');
SELECT dblink_exec(format('host=127.0.0.1 port=%s dbname=app user=postgres', current_setting('test.writer_port')),
  'CREATE DATABASE vs_icu OWNER grant_test TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE ''und'' LOCALE ''C''');
SELECT grant_fdw.establish_connection('vsicu', 'postgresql',
         replace(:'writer_url', '/app', '/vs_icu')) > 0 AS registered;
CREATE SERVER vsicu FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'vsicu');
SELECT grant_fdw.execute('vsicu', 'CREATE TABLE vs_plain (id int PRIMARY KEY, d text)') IS NOT NULL AS created;
SELECT grant_fdw.execute('vsicu', $$INSERT INTO vs_plain VALUES (1, 'b'), (2, 'A'), (3, 'a'), (4, 'B')$$) AS inserted;
CREATE FOREIGN TABLE vs_plain_icu (id int, d text) SERVER vsicu OPTIONS (table_name 'vs_plain');
-- remote ICU default, local C: sorted and compared here
EXPLAIN (COSTS OFF, VERBOSE) SELECT d FROM vs_plain_icu ORDER BY d;
SELECT d FROM vs_plain_icu ORDER BY d;
EXPLAIN (COSTS OFF, VERBOSE) SELECT id FROM vs_plain_icu WHERE d < 'a';
SELECT id FROM vs_plain_icu WHERE d < 'a' ORDER BY id;
-- equality and non-text columns still ship
EXPLAIN (COSTS OFF, VERBOSE) SELECT id FROM vs_plain_icu WHERE id > 2 ORDER BY id;
-- the same table shape on a remote whose default is C: sent
CREATE FOREIGN TABLE vs_plain_c (id int, d text) SERVER vsdb OPTIONS (table_name 'vs_words');
EXPLAIN (COSTS OFF, VERBOSE) SELECT d FROM vs_plain_c ORDER BY d;
SELECT d FROM vs_plain_c ORDER BY d;
DROP SERVER vsicu CASCADE;
SELECT grant_fdw.remove_connection('vsicu') AS removed;
SELECT dblink_exec(format('host=127.0.0.1 port=%s dbname=app user=postgres', current_setting('test.writer_port')),
  'DROP DATABASE vs_icu WITH (FORCE)');
DROP SCHEMA vs_coll, vs_nocoll CASCADE;
DROP COLLATION public.vs_ci;
SELECT on_node('writer', 'DROP TABLE public.vs_words; DROP COLLATION public.vs_ci');

DROP SCHEMA vs_imp CASCADE;
DROP SERVER vsdb, vsmy CASCADE;
SELECT grant_fdw.remove_connection('vsdb') AS removed, grant_fdw.remove_connection('vsmy') AS removed;
SELECT on_node('writer', 'DROP TABLE public.vs_users, public.vs_items, public.vs_types');
