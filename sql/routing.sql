--
-- Role routing: which server answers, for every role mode, for prepared
-- statements and cached plans after a SET, inside transactions.
--
\i sql/include/fdw_setup.sql

SELECT on_node('writer', $$
  DROP TABLE IF EXISTS public.items CASCADE;
  CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL);
  INSERT INTO public.items (id, name) VALUES (1, 'one'), (2, 'two'), (3, 'three');
  GRANT ALL ON public.items TO grant_test;
  CREATE OR REPLACE FUNCTION public.sneaky_write() RETURNS int LANGUAGE sql
    AS 'INSERT INTO public.items (id, name) VALUES (1000, ''sneaky'') RETURNING 1';
  CREATE OR REPLACE VIEW public.sneaky AS SELECT public.sneaky_write() AS one;
  GRANT SELECT ON public.sneaky TO grant_test;
$$);
SELECT wait_for_reader();

SELECT grant_fdw.establish_connection('primary', 'postgresql', :'writer_url') > 0 AS registered;
SELECT grant_fdw.establish_connection('primary', 'postgresql', :'reader_url', role => 'reading') > 0 AS registered;
CREATE SERVER app FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'primary');
CREATE FOREIGN TABLE whoami (port int, in_recovery boolean, usr text)
  SERVER app OPTIONS (schema_name 'public', table_name 'whoami');
CREATE FOREIGN TABLE items (id int, name text)
  SERVER app OPTIONS (schema_name 'public', table_name 'items');
CREATE FOREIGN TABLE sneaky (one int) SERVER app OPTIONS (table_name 'sneaky');

-- auto (default): reads go to the reader
SHOW "grant".role;
SELECT node_of(port), in_recovery, usr FROM whoami;
SELECT * FROM explain_route('SELECT * FROM whoami');

-- writing: everything to the writer
SET "grant".role = 'writing';
SELECT node_of(port), in_recovery FROM whoami;
-- reading: reads to the reader, writes refused with 25006
SET "grant".role = 'reading';
SELECT node_of(port), in_recovery FROM whoami;
\set VERBOSITY default
INSERT INTO items (id, name) VALUES (10, 'ten');
UPDATE items SET name = 'uno' WHERE id = 1;
DELETE FROM items WHERE id = 1;
TRUNCATE items;
\set VERBOSITY terse
SELECT from_node('writer', 'SELECT count(*) FROM items') AS writer_rows;
RESET "grant".role;

-- auto: a write goes to the writer; the same transaction's later reads too
BEGIN;
SELECT node_of(port) FROM whoami;
INSERT INTO items (id, name) VALUES (4, 'four');
SELECT node_of(port) FROM whoami;
SELECT id, name FROM items ORDER BY id;
SELECT from_node('writer', 'SELECT count(*) FROM items WHERE id = 4') AS not_yet_committed;
COMMIT;
SELECT from_node('writer', 'SELECT name FROM items WHERE id = 4') AS on_writer;
SELECT node_of(port) FROM whoami;

-- SELECT ... FOR UPDATE / FOR SHARE go to the writer
SELECT * FROM explain_route('SELECT id FROM items WHERE id = 1 FOR UPDATE') WHERE explain_route LIKE '%Route%';
SELECT * FROM explain_route('SELECT id FROM items WHERE id = 1 FOR SHARE') WHERE explain_route LIKE '%Route%';
BEGIN;
SELECT id FROM items WHERE id = 1 FOR UPDATE;
-- the row is locked on the writer: a direct NOWAIT lock attempt fails there
SELECT on_node('writer', 'SELECT id FROM items WHERE id = 1 FOR UPDATE NOWAIT');
ROLLBACK;

-- a transaction that keeps one snapshot reads it from one endpoint:
-- REPEATABLE READ that may write, and SERIALIZABLE, on the writer from the start
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM explain_route('SELECT * FROM whoami') WHERE explain_route LIKE '%Route%';
SELECT node_of(port), in_recovery FROM whoami;
SELECT node_of(port) FROM whoami;
COMMIT;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT * FROM explain_route('SELECT * FROM whoami') WHERE explain_route LIKE '%Route%';
SELECT node_of(port), in_recovery FROM whoami;
COMMIT;
BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY;
SELECT node_of(port) FROM whoami;
COMMIT;
-- a READ ONLY REPEATABLE READ transaction keeps its one reader
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT node_of(port), in_recovery FROM whoami;
SELECT node_of(port) FROM whoami;
COMMIT;
-- READ COMMITTED still reads on the reader
BEGIN;
SELECT node_of(port) FROM whoami;
COMMIT;
-- role reading cannot be SERIALIZABLE on a hot standby
SET "grant".role = 'reading';
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT node_of(port) FROM whoami;
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT node_of(port) FROM whoami;
COMMIT;
RESET "grant".role;

-- prepared statements follow a later SET (plans are generic here)
SET plan_cache_mode = force_generic_plan;
PREPARE who AS SELECT node_of(port) FROM whoami;
EXECUTE who;
SET "grant".role = 'writing';
EXECUTE who;
SET "grant".role = 'reading';
EXECUTE who;
RESET "grant".role;
EXECUTE who;
PREPARE ins(int, text) AS INSERT INTO items (id, name) VALUES ($1, $2);
SET "grant".role = 'reading';
EXECUTE ins(5, 'five');
RESET "grant".role;
EXECUTE ins(5, 'five');
DEALLOCATE who;
DEALLOCATE ins;
RESET plan_cache_mode;

-- PL/pgSQL cached plans too
CREATE FUNCTION answered_by() RETURNS text LANGUAGE plpgsql AS $$
DECLARE p int;
BEGIN
  SELECT port INTO p FROM whoami;
  RETURN node_of(p);
END $$;
SELECT answered_by(), answered_by();
SET "grant".role = 'writing';
SELECT answered_by();
RESET "grant".role;
SELECT answered_by();

-- prevent_writes: refused locally with 25006, reads still served
SET "grant".prevent_writes = on;
\set VERBOSITY default
INSERT INTO items (id, name) VALUES (6, 'six');
UPDATE items SET name = 'x';
DELETE FROM items;
TRUNCATE items;
\set VERBOSITY terse
SELECT count(*) FROM items;
-- ... and remote transactions are READ ONLY: a write hidden in a remote
-- function is refused by the writer itself
SET "grant".role = 'writing';
SELECT * FROM sneaky;
RESET "grant".role;
RESET "grant".prevent_writes;
SELECT from_node('writer', 'SELECT count(*) FROM items WHERE id = 1000') AS sneaky_rows;

-- connected_to: settings for the rest of the transaction only
BEGIN;
SELECT grant_fdw.connected_to(role => 'writing');
SELECT node_of(port) FROM whoami;
SHOW "grant".role;
COMMIT;
SHOW "grant".role;
SELECT node_of(port) FROM whoami;
BEGIN;
SELECT grant_fdw.connected_to(prevent_writes => true);
INSERT INTO items (id, name) VALUES (7, 'seven');
ROLLBACK;
BEGIN;
SELECT grant_fdw.connected_to(role => 'bogus');
ROLLBACK;
SELECT grant_fdw.connected_to(role => 'writing');

-- one reader serves a whole transaction; weight 0 never serves
SELECT grant_fdw.establish_connection('solo', 'postgresql', :'writer_url') > 0 AS registered;
CREATE SERVER solo FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'solo');
CREATE FOREIGN TABLE solo_whoami (port int, in_recovery boolean)
  SERVER solo OPTIONS (table_name 'whoami');
-- a database without a reader reads from its writer
SELECT node_of(port) FROM solo_whoami;
SELECT * FROM explain_route('SELECT * FROM solo_whoami') WHERE explain_route LIKE '%Route%';
SELECT grant_fdw.establish_connection('solo', 'postgresql', :'reader_url', role => 'reading', weight => 0) > 0 AS registered;
SELECT node_of(port) FROM solo_whoami;
SELECT grant_fdw.remove_connection('solo', role => 'reading');
SELECT grant_fdw.establish_connection('solo', 'postgresql', :'reader_url', role => 'reading', weight => 5) > 0 AS registered;
SELECT node_of(port) FROM solo_whoami;

-- two readers (the same server reached by two names): chosen by weight,
-- one reader for a whole transaction
SELECT grant_fdw.establish_connection('duo', 'postgresql', :'writer_url') > 0 AS registered;
SELECT grant_fdw.establish_connection('duo', 'postgresql', :'reader_url', role => 'reading') > 0 AS registered;
SELECT grant_fdw.establish_connection('duo', 'postgresql',
  format('postgresql://grant_test:%s@localhost:%s/app', :'password', :'reader_port'), role => 'reading') > 0 AS registered;
CREATE SERVER duo FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'duo');
CREATE FOREIGN TABLE duo_whoami (port int) SERVER duo OPTIONS (table_name 'whoami');
CREATE TEMP TABLE duo_seen (xact int, endpoint text);
-- (40 explicit transaction blocks, run quietly)
\set ECHO none
\o /dev/null
SELECT format('BEGIN; SELECT count(*) FROM duo_whoami; SELECT count(*) FROM duo_whoami; '
              'SELECT count(*) FROM duo_whoami; INSERT INTO duo_seen SELECT %s, endpoint '
              'FROM grant_fdw.connection_status() WHERE server_name = ''duo'' AND in_transaction; '
              'COMMIT;', g)
  FROM generate_series(1, 40) g \gexec
\o
\set ECHO all
-- within each transaction, exactly one reader was used
SELECT count(*) FILTER (WHERE n <> 1) AS xacts_with_other_than_one_reader
  FROM (SELECT xact, count(DISTINCT endpoint) AS n FROM duo_seen GROUP BY xact) s;
-- over 40 transactions both readers served (all on one: chance 2 in 10^12)
SELECT count(DISTINCT endpoint) AS readers_used FROM duo_seen;

-- a database with no endpoint at all
CREATE SERVER ghost FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'ghost');
CREATE FOREIGN TABLE ghost_t (a int) SERVER ghost;
\set VERBOSITY default
SELECT * FROM ghost_t;
\set VERBOSITY terse

-- registry-less server: one endpoint named by the server itself
CREATE SERVER direct FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', port :'reader_port', dbname 'app');
CREATE USER MAPPING FOR CURRENT_USER SERVER direct
  OPTIONS (user 'grant_test', password :'password');
CREATE FOREIGN TABLE direct_whoami (port int, in_recovery boolean) SERVER direct
  OPTIONS (table_name 'whoami');
SELECT node_of(port), in_recovery FROM direct_whoami;
SET "grant".role = 'writing';
SELECT node_of(port) FROM direct_whoami;
RESET "grant".role;

-- cleanup
DROP SERVER app, solo, ghost, direct, duo CASCADE;
SELECT grant_fdw.remove_connection('primary') AS removed;
SELECT grant_fdw.remove_connection('solo') AS removed;
SELECT grant_fdw.remove_connection('duo') AS removed;
DROP FUNCTION answered_by();
SELECT on_node('writer', 'DROP VIEW public.sneaky; DROP TABLE public.items; DROP FUNCTION public.sneaky_write()');
