--
-- The statement cache: a query with parameters is prepared once per remote
-- connection and then only executed.  Entries are named grant_s<n>; the
-- remote's own pg_prepared_statements (read through the same connection)
-- shows them.  Results must not depend on the cache: errors, a remote
-- column that changes type, statements dropped by DEALLOCATE ALL, more
-- statements than the cache holds.
--
\i sql/include/fdw_setup.sql

SELECT on_node('writer', 'DROP TABLE IF EXISTS public.st; CREATE TABLE public.st (id int PRIMARY KEY, v int, w text);'
               || ' INSERT INTO public.st SELECT g, g * 10, ''w'' || g FROM generate_series(1, 100) g;'
               || ' GRANT ALL ON public.st TO grant_test');
SELECT grant_fdw.establish_connection('stdb', 'postgresql', :'writer_url') > 0 AS registered;
CREATE SERVER stdb FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'stdb');
CREATE FOREIGN TABLE st (id int, v int, w text) SERVER stdb;
CREATE FOREIGN TABLE remote_statements (name text, statement text)
  SERVER stdb OPTIONS (schema_name 'pg_catalog', table_name 'pg_prepared_statements');
SET "grant".role = writing;
-- the local plan keeps $1, so the remote query has a parameter
SET plan_cache_mode = force_generic_plan;

PREPARE by_id(int) AS SELECT v, w FROM st WHERE id = $1;
EXECUTE by_id(1);
EXECUTE by_id(2);
EXECUTE by_id(3);
SELECT name ~ '^grant_s[0-9]+$' AS named, statement FROM remote_statements
 WHERE statement LIKE '%public.st%' ORDER BY statement;

-- constants go as parameters too: one statement serves every value, and
-- EXPLAIN still shows the literal
RESET plan_cache_mode;
SELECT v FROM st WHERE id = 10;
SELECT v FROM st WHERE id = 11;
SELECT count(*) AS statements FROM remote_statements
 WHERE statement = 'SELECT v FROM public.st WHERE ((id = $1::integer))';
EXPLAIN (VERBOSE, COSTS OFF) SELECT v FROM st WHERE id = 12;
-- many constants (beyond 10000 they stay literals in the SQL)
DO $$
DECLARE n bigint;
BEGIN
  EXECUTE 'SELECT count(*) FROM st WHERE ' ||
          (SELECT string_agg(format('(id = %s AND v = %s)', g, g * 10), ' OR ') FROM generate_series(1, 5001) g)
    INTO n;
  RAISE NOTICE '% rows', n;
END $$;
SET plan_cache_mode = force_generic_plan;

-- an error in the transaction does not lose the statement
BEGIN;
EXECUTE by_id(4);
SELECT 1 / 0;
ROLLBACK;
EXECUTE by_id(4);
SELECT count(*) AS statements FROM remote_statements
 WHERE statement = 'SELECT v, w FROM public.st WHERE ((id = $1::integer))';

-- the remote column changes type: the prepared statement cannot run any
-- more.  A read in autocommit is sent again, prepared afresh; inside a
-- transaction block the remote says so once (its transaction is aborted)
SELECT on_node('writer', 'ALTER TABLE public.st ALTER COLUMN v TYPE bigint');
EXECUTE by_id(5);
SELECT on_node('writer', 'ALTER TABLE public.st ALTER COLUMN v TYPE integer');
BEGIN;
SELECT e FROM show_error('EXECUTE by_id(6)') e WHERE e NOT LIKE 'context:%';
ROLLBACK;
BEGIN;
EXECUTE by_id(6);
COMMIT;
SELECT count(*) AS statements FROM remote_statements
 WHERE statement = 'SELECT v, w FROM public.st WHERE ((id = $1::integer))';

-- a failed INSERT leaves its own statement to DEALLOCATE ALL at commit,
-- which drops the cache's too: the next execution prepares it again
BEGIN;
SAVEPOINT a;
INSERT INTO st VALUES (1, 1, 'duplicate');
ROLLBACK TO a;
COMMIT;
EXECUTE by_id(7);
SELECT count(*) AS statements FROM remote_statements
 WHERE statement = 'SELECT v, w FROM public.st WHERE ((id = $1::integer))';

-- more distinct statements than the cache holds: the least recently used
-- ones are deallocated, every answer is right
DO $$
DECLARE
  total bigint := 0;
  x bigint;
BEGIN
  FOR k IN 1..40 LOOP
    EXECUTE format('PREPARE p%s(int) AS SELECT v FROM st WHERE id = $1 AND v > %s', k, k);
  END LOOP;
  FOR round IN 1..2 LOOP
    FOR k IN 1..40 LOOP
      EXECUTE format('EXECUTE p%s(%s)', k, k) INTO x;
      total := total + x;
      IF round = 2 THEN
        EXECUTE format('DEALLOCATE p%s', k);
      END IF;
    END LOOP;
  END LOOP;
  RAISE NOTICE 'sum %', total;
END $$;
SELECT count(*) <= 32 AS bounded FROM remote_statements;

RESET plan_cache_mode;
RESET "grant".role;
DEALLOCATE by_id;
DROP SERVER stdb CASCADE;
SELECT grant_fdw.remove_connection('stdb') AS removed;
SELECT on_node('writer', 'DROP TABLE public.st');
