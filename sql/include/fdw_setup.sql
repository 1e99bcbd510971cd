--
-- Shared setup of the FDW tests: the extension, dblink to look at the
-- remote servers directly (never through grant), the ports of the
-- topology, and helpers.  Safe to include more than once.
--
\set ECHO none
\o /dev/null
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS "grant";
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
\getenv writer_port GRANT_WRITER_PORT
\getenv reader_port GRANT_READER_PORT
\getenv shard1_port GRANT_SHARD1_PORT
\getenv shard2_port GRANT_SHARD2_PORT
\getenv password GRANT_TEST_PASSWORD
SELECT set_config('test.writer_port', :'writer_port', false) IS NOT NULL AS ok,
       set_config('test.reader_port', :'reader_port', false) IS NOT NULL AS ok,
       set_config('test.shard1_port', :'shard1_port', false) IS NOT NULL AS ok,
       set_config('test.shard2_port', :'shard2_port', false) IS NOT NULL AS ok;
SELECT format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'password', :'writer_port') AS writer_url,
       format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'password', :'reader_port') AS reader_url
\gset
-- run SQL directly on a node of the topology, as postgres
CREATE OR REPLACE FUNCTION on_node(node text, sql text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dblink_exec(format('host=127.0.0.1 port=%s dbname=app user=postgres',
                             current_setting('test.' || node || '_port')), sql);
END $$;
-- one value read directly from a node
CREATE OR REPLACE FUNCTION from_node(node text, sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
  SELECT t.v INTO v FROM dblink(format('host=127.0.0.1 port=%s dbname=app user=postgres',
                                       current_setting('test.' || node || '_port')), sql) AS t(v text);
  RETURN v;
END $$;
-- wait until the reader has replayed everything the writer has written
CREATE OR REPLACE FUNCTION wait_for_reader() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE target pg_lsn := from_node('writer', 'SELECT pg_current_wal_lsn()')::pg_lsn;
BEGIN
  FOR i IN 1..600 LOOP
    IF from_node('reader', 'SELECT pg_last_wal_replay_lsn()')::pg_lsn >= target THEN
      RETURN;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RAISE EXCEPTION 'the reader did not catch up with the writer';
END $$;
-- which node a port belongs to
CREATE OR REPLACE FUNCTION node_of(port int) RETURNS text
LANGUAGE sql AS $$
  SELECT CASE port::text
    WHEN current_setting('test.writer_port') THEN 'writer'
    WHEN current_setting('test.reader_port') THEN 'reader'
    WHEN current_setting('test.shard1_port') THEN 'shard1'
    WHEN current_setting('test.shard2_port') THEN 'shard2'
    ELSE 'unknown' END $$;
-- a text with the topology's ports replaced by node names
CREATE OR REPLACE FUNCTION mask_ports(line text) RETURNS text
LANGUAGE sql AS $$
  SELECT replace(replace(replace(replace(line,
    ':' || current_setting('test.writer_port') || '/', ':WRITER/'),
    ':' || current_setting('test.reader_port') || '/', ':READER/'),
    ':' || current_setting('test.shard1_port') || '/', ':SHARD1/'),
    ':' || current_setting('test.shard2_port') || '/', ':SHARD2/') $$;
-- EXPLAIN output with the topology's ports replaced by node names
CREATE OR REPLACE FUNCTION explain_route(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
    RETURN NEXT mask_ports(line);
  END LOOP;
END $$;
-- run a statement that must fail: its SQLSTATE, message, detail, hint and
-- context, with the topology's ports replaced by node names
CREATE OR REPLACE FUNCTION show_error(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  state text; msg text; detail text; hint text; ctx text; line text;
BEGIN
  EXECUTE query;
  RETURN NEXT 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
    detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
  FOREACH line IN ARRAY ARRAY[state || ': ' || msg,
                              'detail: ' || nullif(detail, ''),
                              'hint: ' || nullif(hint, ''),
                              'context: ' || nullif(split_part(ctx, E'\n', 1), '')] LOOP
    CONTINUE WHEN line IS NULL;
    RETURN NEXT mask_ports(line);
  END LOOP;
END $$;
\o
\set ECHO all
