--
-- Operations in one backend (grant not preloaded): exact per-endpoint
-- counters for a known workload, failovers, the remote application_name,
-- the per-endpoint connection limit and the pooler option's values.
-- test/scenarios/operations.sh covers the shared (preloaded) mode, the
-- routing log, idle connections, progress and PgBouncer.
--
\i sql/include/fdw_setup.sql

SELECT on_node('writer', $$
  DROP TABLE IF EXISTS public.ops_items;
  CREATE TABLE public.ops_items (id int PRIMARY KEY, v text);
  INSERT INTO public.ops_items SELECT g, 'v' || g FROM generate_series(1, 5) g;
  GRANT ALL ON public.ops_items TO grant_test;
$$);
SELECT wait_for_reader();

SELECT grant_fdw.establish_connection('ops', 'postgresql', :'writer_url') > 0 AS registered;
SELECT grant_fdw.establish_connection('ops', 'postgresql', :'reader_url', role => 'reading') > 0 AS registered;
CREATE SERVER ops FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'ops');
CREATE FOREIGN TABLE ops_items (id int, v text) SERVER ops OPTIONS (table_name 'ops_items');
CREATE FOREIGN TABLE ops_whoami (port int) SERVER ops OPTIONS (table_name 'whoami');

-- one row per endpoint seen, with the endpoint's role
CREATE FUNCTION ops_stats() RETURNS TABLE (node text, role text, statements bigint,
    reads bigint, writes bigint, rows bigint, errors bigint, failovers bigint,
    connections bigint, timed boolean, shared boolean)
LANGUAGE sql AS $$
  SELECT node_of(split_part(split_part(endpoint, ':', 2), '/', 1)::int), role,
         statements, reads, writes, rows, errors, failovers, connections,
         remote_time_ms > 0 OR statements = 0, shared
    FROM grant_fdw.stat_endpoints
   WHERE endpoint LIKE '%/app' AND (statements > 0 OR connections > 0)
   ORDER BY 1 $$;

-- start from nothing: no connection, no counts
SELECT grant_fdw.disconnect() IS NOT NULL AS disconnected;
SELECT grant_fdw.stat_reset();
SELECT * FROM ops_stats();

-- 10 reads of one row each, all served by the reader
SELECT v FROM ops_items WHERE id = 1 \gset
SELECT v FROM ops_items WHERE id = 2 \gset
SELECT v FROM ops_items WHERE id = 3 \gset
SELECT v FROM ops_items WHERE id = 4 \gset
SELECT v FROM ops_items WHERE id = 5 \gset
BEGIN;
SELECT count(*) FROM ops_items WHERE id = 1;
SELECT count(*) FROM ops_items WHERE id = 2;
SELECT count(*) FROM ops_items WHERE id = 3;
COMMIT;
SELECT node_of(port) FROM ops_whoami;
SELECT node_of(port) FROM ops_whoami;
-- 3 writes of one row each, and one that fails on the writer
SET "grant".read_your_writes = off;
INSERT INTO ops_items VALUES (6, 'six');
INSERT INTO ops_items VALUES (7, 'seven');
UPDATE ops_items SET v = 'one' WHERE id = 1;
\set VERBOSITY terse
INSERT INTO ops_items VALUES (6, 'again');
\set VERBOSITY default
RESET "grant".read_your_writes;
-- reader: 10 statements, 10 reads, 10 rows; writer: 4 writes, 3 rows, 1
-- error; one connection each
SELECT * FROM ops_stats();

-- a read while the reader is behind the session's own write goes to the
-- writer: a failover, counted on the writer
SELECT from_node('reader', 'SELECT pg_wal_replay_pause()::text') IS NOT NULL AS paused;
INSERT INTO ops_items VALUES (8, 'eight');
SELECT node_of(port) FROM ops_whoami;
SELECT from_node('reader', 'SELECT pg_wal_replay_resume()::text') IS NOT NULL AS resumed;
SELECT wait_for_reader();
SELECT node, statements, reads, writes, rows, errors, failovers FROM ops_stats();

-- a remote DBA finds the local backend in the remote's application_name
CREATE FOREIGN TABLE ops_activity (pid int, application_name text)
  SERVER ops OPTIONS (schema_name 'pg_catalog', table_name 'pg_stat_activity');
SET "grant".role = 'writing';
SELECT pg_backend_pid() AS local_pid \gset
SELECT count(*) AS sessions_of_this_backend
  FROM ops_activity WHERE application_name = 'grant/' || :local_pid;
SELECT substr(application_name, 7)::int = pg_backend_pid() AS names_this_backend
  FROM ops_activity WHERE application_name = 'grant/' || :local_pid;
RESET "grant".role;

-- a second server for the same database reaches it as the same identity:
-- it shares the first one's connection
CREATE SERVER ops2 FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'ops');
CREATE FOREIGN TABLE ops2_whoami (port int) SERVER ops2 OPTIONS (table_name 'whoami');
SET "grant".max_connections_per_endpoint = 1;
SELECT node_of(port) FROM ops_whoami;
SELECT node_of(port) FROM ops2_whoami;
SELECT count(*) AS connections FROM grant_fdw.connection_status() WHERE database = 'ops';
-- at most grant.max_connections_per_endpoint per endpoint and backend:
-- through a transaction pooler it is another identity, with a connection
-- of its own
ALTER SERVER ops2 OPTIONS (ADD pooler 'transaction');
SELECT * FROM show_error('SELECT port FROM ops2_whoami');
SELECT grant_fdw.disconnect('ops') AS disconnected;
SELECT node_of(port) FROM ops2_whoami;
RESET "grant".max_connections_per_endpoint;
ALTER SERVER ops2 OPTIONS (DROP pooler);

-- the pooler option takes none or transaction
ALTER SERVER ops2 OPTIONS (ADD pooler 'session');
SELECT grant_fdw.disconnect('ops') AS disconnected;
SELECT * FROM show_error('SELECT port FROM ops2_whoami');
ALTER SERVER ops2 OPTIONS (SET pooler 'none');
SELECT node_of(port) FROM ops2_whoami;

-- resetting needs registry administration
CREATE ROLE ops_nobody;
SET ROLE ops_nobody;
SELECT count(*) >= 0 AS readable FROM grant_fdw.stat_endpoints;
SELECT count(*) AS running_scans FROM grant_fdw.progress;
\set VERBOSITY terse
SELECT grant_fdw.stat_reset();
\set VERBOSITY default
RESET ROLE;
DROP ROLE ops_nobody;

-- clean up
DROP SERVER ops CASCADE;
DROP SERVER ops2 CASCADE;
DROP FUNCTION ops_stats();
SELECT grant_fdw.remove_connection('ops') AS removed;
SELECT on_node('writer', 'DROP TABLE public.ops_items');
