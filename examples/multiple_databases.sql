-- examples/multiple_databases.sql — a walkthrough of grant on the test topology: a writer
-- with its streaming replica, two shards and a MariaDB server with its replica, all behind
-- ordinary foreign tables of one PostgreSQL database.
--
-- Run it with `bash test/demo.sh` (a throwaway topology, every statement echoed), or by
-- hand on a running topology, as a superuser, in a fresh database:
--
--     eval "$(bash test/topology.sh env)"
--     createdb walkthrough && psql -v ON_ERROR_STOP=1 -d walkthrough -f examples/multiple_databases.sql
--
-- Ports and the password come from the environment test/topology.sh writes (psql's
-- \getenv), so nothing here depends on the machine.  test/scenarios/examples.sh runs this
-- file and checks the lines marked "-- checked:".

\getenv writer_port        GRANT_WRITER_PORT
\getenv reader_port        GRANT_READER_PORT
\getenv shard1_port        GRANT_SHARD1_PORT
\getenv shard2_port        GRANT_SHARD2_PORT
\getenv mysql_port         GRANT_MYSQL_PORT
\getenv mysql_replica_port GRANT_MYSQL_REPLICA_PORT
\getenv pw                 GRANT_TEST_PASSWORD

-- The extension's name is a reserved word, hence the quotes; everything else lives in
-- schema grant_fdw.
CREATE EXTENSION IF NOT EXISTS "grant";

-- Which server answered: every remote PostgreSQL server of the topology has a view
-- public.whoami(port, in_recovery, usr); node() names its port.
CREATE TABLE topology (port int PRIMARY KEY, node text NOT NULL);
INSERT INTO topology VALUES (:writer_port, 'writer'), (:reader_port, 'reader'),
  (:shard1_port, 'shard1'), (:shard2_port, 'shard2'),
  (:mysql_port, 'mariadb'), (:mysql_replica_port, 'mariadb replica');
CREATE FUNCTION node(p int) RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT coalesce((SELECT node FROM topology WHERE port = p), p::text) $$;

---------------------------------------------------------------------------------------------
-- 1. The registry: logical databases and their endpoints (Rails' connects_to)
---------------------------------------------------------------------------------------------

-- 'primary': a writer and a reader (a streaming replica of the writer).
SELECT grant_fdw.establish_connection('primary', 'postgresql',
         format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'pw', :'writer_port'));
SELECT grant_fdw.establish_connection('primary', 'postgresql',
         format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'pw', :'reader_port'),
         role => 'reading');

-- 'shop': sharded over two independent servers, one writer per shard.
SELECT grant_fdw.establish_connection('shop', 'postgresql',
         format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'pw', :'shard1_port'),
         shard => 'one');
SELECT grant_fdw.establish_connection('shop', 'postgresql',
         format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'pw', :'shard2_port'),
         shard => 'two');

-- 'legacy': MariaDB, a writer and its GTID replica.
SELECT grant_fdw.establish_connection('legacy', 'mysql',
         format('mysql://grant_test:%s@127.0.0.1:%s/app', :'pw', :'mysql_port'));
SELECT grant_fdw.establish_connection('legacy', 'mysql',
         format('mysql://grant_test:%s@127.0.0.1:%s/app', :'pw', :'mysql_replica_port'),
         role => 'reading');

-- Anyone may read the registry through this view; it never shows a password.
SELECT database, adapter, role, shard, node(port), url
  FROM grant_fdw.connections ORDER BY database, shard, role DESC;

---------------------------------------------------------------------------------------------
-- 2. Remote tables, created through grant: execute() runs one statement on the writer
--    that the router picks (on each shard, with shard =>)
---------------------------------------------------------------------------------------------

SELECT grant_fdw.execute('primary', 'DROP TABLE IF EXISTS public.md_users');
SELECT grant_fdw.execute('primary',
         'CREATE TABLE public.md_users (id int PRIMARY KEY, name text NOT NULL, country char(2))');
SELECT grant_fdw.execute('shop', 'DROP TABLE IF EXISTS public.md_orders', shard => s)
  FROM unnest(ARRAY['one', 'two']) s;
SELECT grant_fdw.execute('shop',
         'CREATE TABLE public.md_orders (id int PRIMARY KEY, user_id int NOT NULL, amount numeric(10,2))',
         shard => s)
  FROM unnest(ARRAY['one', 'two']) s;
SELECT grant_fdw.execute('legacy', 'DROP TABLE IF EXISTS md_countries');
SELECT grant_fdw.execute('legacy',
         'CREATE TABLE md_countries (code char(2) PRIMARY KEY, name varchar(40) NOT NULL)');
SELECT grant_fdw.execute('legacy',
         'INSERT INTO md_countries VALUES (''FR'', ''France''), (''JP'', ''Japan''), (''BR'', ''Brazil'')');

---------------------------------------------------------------------------------------------
-- 3. Servers and foreign tables: one server per logical database
---------------------------------------------------------------------------------------------

CREATE SERVER app FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'primary');
CREATE SERVER shop FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'shop');
CREATE SERVER legacy FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'legacy');

CREATE FOREIGN TABLE users (id int, name text, country char(2))
  SERVER app OPTIONS (table_name 'md_users');
CREATE FOREIGN TABLE whoami (port int, in_recovery boolean, usr text) SERVER app;
CREATE FOREIGN TABLE orders (id int, user_id int, amount numeric(10,2))
  SERVER shop OPTIONS (table_name 'md_orders', shard_key 'user_id');
CREATE FOREIGN TABLE shop_whoami (port int, in_recovery boolean, usr text)
  SERVER shop OPTIONS (table_name 'whoami');
-- MySQL tables can also come from IMPORT FOREIGN SCHEMA; by hand, name the key columns.
CREATE FOREIGN TABLE countries (code char(2) OPTIONS (key 'true'), name text)
  SERVER legacy OPTIONS (table_name 'md_countries');

---------------------------------------------------------------------------------------------
-- 4. Automatic role switching: reads go to a reader, writes to the writer
---------------------------------------------------------------------------------------------

-- A reader that has not yet replayed this session's last commit is waited for this long
-- (then the read goes to the writer): long enough here for the walkthrough to be exact.
SET "grant".replica_wait = '10s';

INSERT INTO users VALUES (1, 'Ada', 'FR'), (2, 'Kenji', 'JP'), (3, 'Ana', 'BR');
-- checked: a read after the commit goes to the reader, which shows the committed rows
SELECT node(port) AS read_on, (SELECT count(*) FROM users) AS users FROM whoami;

-- Inside a transaction that wrote, later reads stay on the writer (read your own writes).
BEGIN;
UPDATE users SET name = 'Ada L.' WHERE id = 1;
-- checked: after a write in the transaction, reads go to the writer
SELECT node(port) AS read_after_write_on FROM whoami;
COMMIT;

-- EXPLAIN VERBOSE shows where a statement goes and the remote SQL.
EXPLAIN (VERBOSE, COSTS OFF) SELECT name FROM users WHERE id = 1;

-- grant.role forces a role: 'writing' (everything to the writer) or 'reading'.
SET "grant".role = 'writing';
-- checked: role writing reads on the writer
SELECT node(port) AS role_writing_on FROM whoami;
SET "grant".role = 'reading';
-- checked: role reading refuses writes
DO $$
BEGIN
  INSERT INTO users VALUES (4, 'Zoe', 'FR');
EXCEPTION WHEN read_only_sql_transaction THEN
  RAISE NOTICE 'role reading refused the write: %', SQLERRM;
END $$;
RESET "grant".role;

---------------------------------------------------------------------------------------------
-- 5. while_preventing_writes: grant.prevent_writes
---------------------------------------------------------------------------------------------

SET "grant".prevent_writes = on;
-- checked: prevent_writes refuses writes, reads still work
DO $$
BEGIN
  UPDATE users SET name = 'nobody';
EXCEPTION WHEN read_only_sql_transaction THEN
  RAISE NOTICE 'prevent_writes refused the write: %', SQLERRM;
END $$;
SELECT count(*) AS users_while_preventing_writes FROM users;
RESET "grant".prevent_writes;

---------------------------------------------------------------------------------------------
-- 6. connected_to(role:, shard:, prevent_writes:) for the rest of a transaction
---------------------------------------------------------------------------------------------

BEGIN;
SELECT grant_fdw.connected_to(role => 'writing');
-- checked: connected_to(role => writing) reads on the writer
SELECT node(port) AS connected_to_writing_on FROM whoami;
COMMIT;
-- checked: after the transaction, reads go back to the reader
SELECT node(port) AS after_connected_to_on FROM whoami;

BEGIN;
SELECT grant_fdw.connected_to(shard => 'two');
-- checked: connected_to(shard => two) answers from shard2
SELECT node(port) AS connected_to_shard_two_on FROM shop_whoami;
COMMIT;

---------------------------------------------------------------------------------------------
-- 7. Horizontal sharding: rows go to the shard of their key
---------------------------------------------------------------------------------------------

-- The default scheme is a documented hash any application can compute:
-- FNV-1a 32 of the key's text form, modulo the number of shards sorted by name.
SELECT k AS user_id, grant_fdw.shard_for('shop', k) AS shard FROM generate_series(1, 3) k;

-- Each row is routed by its shard key (user_id).
INSERT INTO orders VALUES (10, 1, 25.00), (11, 1, 12.50), (20, 2, 99.90), (30, 3, 7.00);

-- checked: every shard holds exactly the orders shard_for() assigns it
SELECT s AS shard,
       (SELECT n FROM grant_fdw.query('shop', 'SELECT count(*) FROM public.md_orders', shard => s)
          AS t(n bigint)) AS orders_held,
       (SELECT count(*) FROM (VALUES (1), (1), (2), (3)) v(u)
         WHERE grant_fdw.shard_for('shop', u) = s) AS orders_expected
  FROM unnest(ARRAY['one', 'two']) s;

-- A pinned key reads one shard ("by shard key")...
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM orders WHERE user_id = 2;
SELECT id, amount FROM orders WHERE user_id = 2;
-- ...no key fans out to every shard, and the rows are combined here.
EXPLAIN (VERBOSE, COSTS OFF) SELECT sum(amount) FROM orders;
-- checked: a fan-out read sums the orders of both shards
SELECT sum(amount) AS total_all_shards, count(*) AS orders_all_shards FROM orders;

-- grant.shard pins a shard for the session, as connected_to(shard:) does for a transaction.
SET "grant".shard = 'one';
SELECT node(port) AS pinned_shard_on FROM shop_whoami;
RESET "grant".shard;

---------------------------------------------------------------------------------------------
-- 8. One query across PostgreSQL and MariaDB
---------------------------------------------------------------------------------------------

-- checked: users (PostgreSQL), orders (two shards) and countries (MariaDB) in one join
SELECT u.name, c.name AS country, sum(o.amount) AS spent
  FROM users u
  JOIN countries c ON c.code = u.country
  LEFT JOIN orders o ON o.user_id = u.id
 GROUP BY u.name, c.name
 ORDER BY u.name;

-- MariaDB reads go to its replica (role auto) or to the writer when the session wrote there.
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM countries WHERE code = 'JP';

---------------------------------------------------------------------------------------------
-- 9. Clean up the remote tables (the local objects go with the database)
---------------------------------------------------------------------------------------------

SELECT grant_fdw.execute('primary', 'DROP TABLE public.md_users');
SELECT grant_fdw.execute('shop', 'DROP TABLE public.md_orders', shard => s)
  FROM unnest(ARRAY['one', 'two']) s;
SELECT grant_fdw.execute('legacy', 'DROP TABLE md_countries');
