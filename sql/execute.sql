--
-- Routed raw SQL: grant_fdw.execute() and grant_fdw.query() run on the
-- endpoint the router picks, inside the local transaction, read-only when
-- writes are prevented or the role is reading.
--
\i sql/include/fdw_setup.sql

SELECT on_node('writer', $$
  DROP TABLE IF EXISTS public.ex_items CASCADE;
  CREATE TABLE public.ex_items (id int PRIMARY KEY, name text);
  GRANT ALL ON public.ex_items TO grant_test;
  CREATE OR REPLACE FUNCTION public.ex_hidden_write() RETURNS int LANGUAGE sql
    AS 'INSERT INTO public.ex_items (id, name) VALUES (1000, ''hidden'') RETURNING 1';
$$);
SELECT on_node('shard1', 'CREATE TABLE IF NOT EXISTS public.ex_where (name text); TRUNCATE public.ex_where; INSERT INTO public.ex_where VALUES (''one''); GRANT SELECT ON public.ex_where TO grant_test');
SELECT on_node('shard2', 'CREATE TABLE IF NOT EXISTS public.ex_where (name text); TRUNCATE public.ex_where; INSERT INTO public.ex_where VALUES (''two''); GRANT SELECT ON public.ex_where TO grant_test');
SELECT wait_for_reader();

SELECT grant_fdw.establish_connection('primary', 'postgresql', :'writer_url') > 0 AS registered;
SELECT grant_fdw.establish_connection('primary', 'postgresql', :'reader_url', role => 'reading') > 0 AS registered;

-- which server answers: auto reads go to the reader
SELECT node_of(port), in_recovery, usr
  FROM grant_fdw.query('primary', 'SELECT port, in_recovery, usr FROM public.whoami')
       AS t(port int, in_recovery boolean, usr text);
SELECT node_of(port) FROM grant_fdw.query('primary', 'SELECT current_setting(''port'')::int', role => 'writing') AS t(port int);
-- a query on the writer counts as a write: readers serve the session
-- again once they replayed it
SELECT wait_for_reader();
SELECT node_of(port) FROM grant_fdw.query('primary', 'SELECT current_setting(''port'')::int', role => 'reading') AS t(port int);
-- the setting counts when no argument is given; an argument wins over it
SET "grant".role = 'writing';
SELECT node_of(port) FROM grant_fdw.query('primary', 'SELECT current_setting(''port'')::int') AS t(port int);
SELECT node_of(port) FROM grant_fdw.query('primary', 'SELECT current_setting(''port'')::int', role => 'auto') AS t(port int);
RESET "grant".role;
SHOW "grant".role;

-- execute: the writer, rows affected
SELECT grant_fdw.execute('primary', 'INSERT INTO ex_items SELECT g, ''item '' || g FROM generate_series(1, 3) g') AS inserted;
SELECT grant_fdw.execute('primary', 'UPDATE ex_items SET name = upper(name) WHERE id >= 2') AS updated;
SELECT grant_fdw.execute('primary', 'SELECT * FROM ex_items') AS selected;
SELECT from_node('writer', 'SELECT string_agg(name, '','' ORDER BY id) FROM public.ex_items') AS on_writer;

-- values arrive through the input functions of the declared columns
SELECT * FROM grant_fdw.query('primary', $$
  SELECT 1::int2, 12345678901::int8, 1.50::numeric(5,2), 0.1::float8, true, NULL::text,
         '2024-01-02'::date, '2024-01-02 03:04:05.5+02'::timestamptz,
         '1 day 02:00'::interval, '\x00ff'::bytea, ARRAY[1, NULL, 3], '{"a": 1}'::jsonb,
         'it''s'::text
$$, role => 'writing') AS t(a int2, b int8, c numeric, d float8, e boolean, f text,
                            g date, h timestamptz, i interval, j bytea, k int[], l jsonb, m text);
-- a value the declared type cannot take is an error of its input function
SELECT * FROM show_error($$SELECT * FROM grant_fdw.query('primary', 'SELECT ''abc''') AS t(a int)$$);

-- inside a transaction: reads after a write go to the writer and see it;
-- ROLLBACK leaves nothing on the writer
BEGIN;
SELECT grant_fdw.execute('primary', 'INSERT INTO ex_items VALUES (10, ''ten'')') AS inserted;
SELECT node_of(port), n FROM grant_fdw.query('primary',
  'SELECT current_setting(''port'')::int, count(*) FROM ex_items WHERE id = 10') AS t(port int, n bigint);
SELECT from_node('writer', 'SELECT count(*) FROM public.ex_items WHERE id = 10') AS seen_by_others;
ROLLBACK;
SELECT from_node('writer', 'SELECT count(*) FROM public.ex_items WHERE id = 10') AS after_rollback;
-- COMMIT keeps it; a rolled back savepoint drops its part only
BEGIN;
SELECT grant_fdw.execute('primary', 'INSERT INTO ex_items VALUES (11, ''eleven'')') AS inserted;
SAVEPOINT s;
SELECT grant_fdw.execute('primary', 'INSERT INTO ex_items VALUES (12, ''twelve'')') AS inserted;
ROLLBACK TO SAVEPOINT s;
SELECT grant_fdw.execute('primary', 'INSERT INTO ex_items VALUES (13, ''thirteen'')') AS inserted;
COMMIT;
SELECT from_node('writer', 'SELECT string_agg(id::text, '','' ORDER BY id) FROM public.ex_items WHERE id > 10') AS after_commit;
-- a statement that fails rolls back with the local transaction
BEGIN;
SELECT grant_fdw.execute('primary', 'INSERT INTO ex_items VALUES (14, ''fourteen'')') AS inserted;
\set VERBOSITY terse
SELECT grant_fdw.execute('primary', 'INSERT INTO ex_items VALUES (14, ''again'')');
\set VERBOSITY default
ROLLBACK;
SELECT from_node('writer', 'SELECT count(*) FROM public.ex_items WHERE id = 14') AS after_error;

-- arguments built with sanitize_sql stay values
SELECT grant_fdw.execute('primary', grant_fdw.sanitize_sql('pg',
  'INSERT INTO ex_items VALUES (?, ?)', 20, $$x'); DROP TABLE ex_items; --\$$)) AS inserted;
SELECT from_node('writer', 'SELECT name FROM public.ex_items WHERE id = 20') AS stored;

-- prevent_writes: execute is refused at once; query runs READ ONLY, so a
-- write hidden in a remote function is refused by the remote
SET "grant".prevent_writes = on;
SELECT * FROM show_error($$SELECT grant_fdw.execute('primary', 'DELETE FROM ex_items')$$);
SELECT * FROM show_error($$SELECT * FROM grant_fdw.query('primary', 'SELECT public.ex_hidden_write()', role => 'writing') AS t(a int)$$);
SELECT node_of(port) FROM grant_fdw.query('primary', 'SELECT current_setting(''port'')::int', role => 'writing') AS t(port int);
RESET "grant".prevent_writes;
-- role reading, as a setting or as an argument: the same
SET "grant".role = 'reading';
SELECT * FROM show_error($$SELECT grant_fdw.execute('primary', 'DELETE FROM ex_items')$$);
RESET "grant".role;
SELECT * FROM show_error($$SELECT grant_fdw.execute('primary', 'DELETE FROM ex_items', role => 'reading')$$);
-- a reading query that lands on the writer (no reader may serve) is READ ONLY
SET "grant".reader_fallback = 'writer';
SELECT grant_fdw.remove_connection('primary', role => 'reading') AS removed;
SELECT * FROM show_error($$SELECT * FROM grant_fdw.query('primary', 'SELECT public.ex_hidden_write()', role => 'reading') AS t(a int)$$);
-- even when the remote transaction began read-write: the guard holds for
-- the statement, and writing works again after it
BEGIN;
SELECT grant_fdw.execute('primary', 'INSERT INTO ex_items VALUES (30, ''thirty'')') AS inserted;
SELECT grant_fdw.connected_to(prevent_writes => true);
SELECT * FROM show_error($$SELECT * FROM grant_fdw.query('primary', 'SELECT public.ex_hidden_write()') AS t(a int)$$);
SELECT n FROM grant_fdw.query('primary', 'SELECT count(*) FROM ex_items WHERE id IN (30, 1000)') AS t(n bigint);
SELECT grant_fdw.connected_to(prevent_writes => false);
SELECT grant_fdw.execute('primary', 'INSERT INTO ex_items VALUES (31, ''thirty-one'')') AS inserted;
COMMIT;
SELECT from_node('writer', 'SELECT string_agg(id::text, '','' ORDER BY id) FROM public.ex_items WHERE id >= 30') AS committed;
RESET "grant".reader_fallback;

-- shards: the argument or grant.shard picks one
SELECT grant_fdw.establish_connection('sharded', 'postgresql',
  format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'password', :'shard1_port'), shard => 'one') > 0 AS registered;
SELECT grant_fdw.establish_connection('sharded', 'postgresql',
  format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'password', :'shard2_port'), shard => 'two') > 0 AS registered;
SELECT node_of(port), name FROM grant_fdw.query('sharded',
  'SELECT current_setting(''port'')::int, name FROM ex_where', shard => 'two') AS t(port int, name text);
SET "grant".shard = 'one';
SELECT node_of(port), name FROM grant_fdw.query('sharded',
  'SELECT current_setting(''port'')::int, name FROM ex_where') AS t(port int, name text);
RESET "grant".shard;
SELECT * FROM show_error($$SELECT * FROM grant_fdw.query('sharded', 'SELECT 1') AS t(a int)$$);
SELECT * FROM show_error($$SELECT * FROM grant_fdw.query('sharded', 'SELECT 1', shard => 'three') AS t(a int)$$);

-- refused statements and calls
SELECT * FROM show_error($$SELECT grant_fdw.execute('primary', 'COMMIT')$$);
SELECT * FROM show_error($$SELECT grant_fdw.execute('primary', '/* c */ ROLLBACK')$$);
SELECT * FROM show_error($$SELECT grant_fdw.execute('primary', 'SELECT 1; SELECT 2')$$);
SELECT * FROM show_error($$SELECT grant_fdw.execute('primary', '  ')$$);
SELECT * FROM show_error($$SELECT grant_fdw.execute('nowhere', 'SELECT 1')$$);
SELECT * FROM show_error($$SELECT grant_fdw.execute(NULL, 'SELECT 1')$$);
SELECT * FROM show_error($$SELECT * FROM grant_fdw.query('primary', 'SELECT 1, 2') AS t(a int)$$);
SELECT * FROM show_error($$SELECT * FROM grant_fdw.query('primary', 'SET search_path = public') AS t(a int)$$);
SELECT * FROM show_error($$SELECT grant_fdw.execute('primary', 'SELECT 1', role => 'sideways')$$);

-- privileges: grant_admin members (and superusers) only
CREATE ROLE ex_plain;
CREATE ROLE ex_admin;
SELECT grant_fdw.add_registry_admin('ex_admin');
SET ROLE ex_plain;
SELECT * FROM show_error($$SELECT grant_fdw.execute('primary', 'SELECT 1')$$);
SELECT * FROM show_error($$SELECT * FROM grant_fdw.query('primary', 'SELECT 1') AS t(a int)$$);
SET ROLE ex_admin;
SELECT a, usr FROM grant_fdw.query('primary', 'SELECT 1, current_user::text') AS t(a int, usr text);
RESET ROLE;
SELECT grant_fdw.remove_registry_admin('ex_admin');
DROP ROLE ex_plain, ex_admin;

-- MySQL: the same functions, literals from sanitize_sql
\getenv mysql_port GRANT_MYSQL_PORT
SELECT grant_fdw.establish_connection('my', 'mysql',
  format('mysql://grant_test:%s@127.0.0.1:%s/app', :'password', :'mysql_port')) > 0 AS registered;
SELECT port = :mysql_port AS on_mysql
  FROM grant_fdw.query('my', 'SELECT @@port') AS t(port int);
SELECT grant_fdw.execute('my', 'DROP TABLE IF EXISTS ex_mitems');
SELECT grant_fdw.execute('my', 'CREATE TABLE ex_mitems (id int PRIMARY KEY, name varchar(100), at datetime(6), d date)');
SELECT grant_fdw.execute('my', grant_fdw.sanitize_sql('mysql',
  'INSERT INTO ex_mitems VALUES (?, ?, ?, ?), (?, ?, ?, ?)',
  1, $$it's \ "quoted" `tick` -- /* # żółw 🐢$$, '2024-01-02 03:04:05.25'::timestamp, '2024-01-02'::date,
  -2, NULL::text, NULL::timestamp, NULL::date)) AS inserted;
SELECT * FROM grant_fdw.query('my', 'SELECT id, name, at, d FROM ex_mitems ORDER BY id')
  AS t(id int, name text, at timestamp, d date);
SELECT * FROM grant_fdw.query('my', grant_fdw.sanitize_sql('mysql',
  'SELECT count(*) FROM ex_mitems WHERE id IN ? AND name = ?', ARRAY[1, 5], $$it's \ "quoted" `tick` -- /* # żółw 🐢$$))
  AS t(n int);
-- ROLLBACK leaves nothing
BEGIN;
SELECT grant_fdw.execute('my', 'INSERT INTO ex_mitems (id) VALUES (3)') AS inserted;
SELECT n FROM grant_fdw.query('my', 'SELECT count(*) FROM ex_mitems') AS t(n int);
ROLLBACK;
SELECT n FROM grant_fdw.query('my', 'SELECT count(*) FROM ex_mitems') AS t(n int);
-- prevent_writes: the remote transaction is READ ONLY
SET "grant".prevent_writes = on;
SELECT replace(e, :'mysql_port', 'MYSQL') FROM show_error($$SELECT * FROM grant_fdw.query('my', 'INSERT INTO ex_mitems (id) VALUES (4) RETURNING id') AS t(id int)$$) e;
RESET "grant".prevent_writes;
-- a MySQL transaction that began read-write cannot become read-only
BEGIN;
SELECT grant_fdw.execute('my', 'INSERT INTO ex_mitems (id) VALUES (5)') AS inserted;
SELECT replace(e, :'mysql_port', 'MYSQL') FROM show_error($$SELECT * FROM grant_fdw.query('my', 'SELECT 1', role => 'reading') AS t(a int)$$) e;
ROLLBACK;
-- inside a transaction block, statements MySQL commits before are refused
BEGIN;
SELECT * FROM show_error($$SELECT grant_fdw.execute('my', 'CREATE TABLE ex_other (a int)')$$);
SELECT grant_fdw.execute('my', 'CREATE TEMPORARY TABLE ex_temp (a int)') AS temp_table_allowed;
ROLLBACK;
SELECT grant_fdw.execute('my', 'DROP TABLE ex_mitems');

-- execute(), query() and the foreign tables of a database reach the remote
-- as one identity (the registry's credentials): one remote transaction
CREATE SERVER ex_srv FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'primary');
CREATE FOREIGN TABLE ex_items_ft (id int, name text) SERVER ex_srv OPTIONS (table_name 'ex_items');
BEGIN;
SELECT grant_fdw.execute('primary', 'INSERT INTO ex_items VALUES (120, ''twenty'')') AS inserted;
SELECT id, name FROM ex_items_ft WHERE id = 120;
UPDATE ex_items_ft SET name = 'changed' WHERE id = 1;
-- the row lock is this transaction's own: execute() does not wait on it
SET LOCAL statement_timeout = '5s';
SELECT grant_fdw.execute('primary', 'UPDATE ex_items SET name = name || ''!'' WHERE id = 1') AS updated;
SELECT name FROM ex_items_ft WHERE id = 1;
SELECT n FROM grant_fdw.query('primary', 'SELECT count(*) FROM ex_items WHERE id IN (1, 120) AND name IN (''changed!'', ''twenty'')',
                             role => 'writing') AS t(n int);
ROLLBACK;
SELECT from_node('writer', $$SELECT count(*) FROM public.ex_items WHERE id = 120 OR name = 'changed!'$$) AS nothing_left;
-- a SET in execute()'s SQL does not stay in the shared session
BEGIN;
SELECT grant_fdw.execute('primary', 'SET TimeZone = ''America/New_York''') AS set;
SELECT tz FROM grant_fdw.query('primary', 'SELECT current_setting(''TimeZone'')', role => 'writing') AS t(tz text);
COMMIT;
SELECT tz FROM grant_fdw.query('primary', 'SELECT current_setting(''TimeZone'')', role => 'writing') AS t(tz text);
-- a view owned by another local role that reaches the remote as the same
-- identity reads in the same remote transaction
CREATE ROLE ex_viewer;
CREATE ROLE ex_reader;
GRANT USAGE ON FOREIGN SERVER ex_srv TO ex_viewer, ex_reader;
GRANT SELECT ON ex_items_ft TO ex_viewer;
GRANT SELECT, INSERT ON ex_items_ft TO ex_reader;
CREATE VIEW ex_items_view AS SELECT id, name FROM ex_items_ft;
ALTER VIEW ex_items_view OWNER TO ex_viewer;
GRANT SELECT ON ex_items_view TO ex_reader;
SET ROLE ex_reader;
BEGIN;
INSERT INTO ex_items_ft VALUES (130, 'thirty');
SELECT id, name FROM ex_items_view WHERE id = 130;
SELECT count(*) AS connections FROM grant_fdw.connection_status() WHERE database = 'primary' AND in_transaction;
ROLLBACK;
RESET ROLE;
SELECT from_node('writer', 'SELECT count(*) FROM public.ex_items WHERE id = 130') AS rolled_back;
DROP VIEW ex_items_view;
DROP FOREIGN TABLE ex_items_ft;
DROP SERVER ex_srv;
DROP ROLE ex_viewer, ex_reader;

-- cleanup
SELECT grant_fdw.remove_connection('primary') AS removed;
SELECT grant_fdw.remove_connection('sharded') AS removed;
SELECT grant_fdw.remove_connection('my') AS removed;
SELECT on_node('writer', 'DROP TABLE public.ex_items; DROP FUNCTION public.ex_hidden_write()');
SELECT on_node('shard1', 'DROP TABLE public.ex_where');
SELECT on_node('shard2', 'DROP TABLE public.ex_where');
