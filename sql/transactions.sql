--
-- Remote transactions follow the local one: COMMIT, ROLLBACK, savepoints,
-- snapshots, remote errors, lost connections and cancellation.  Every
-- outcome is checked on the writer directly (dblink), never through grant.
--
\i sql/include/fdw_setup.sql

SELECT on_node('writer', $$
  DROP TABLE IF EXISTS public.accounts CASCADE;
  CREATE TABLE public.accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric(12,2) NOT NULL DEFAULT 0
                                CHECK (balance >= 0));
  INSERT INTO public.accounts VALUES (1, 'alice', 100), (2, 'bob', 50);
  GRANT ALL ON public.accounts TO grant_test;
  CREATE OR REPLACE VIEW public.slow AS SELECT pg_sleep(30)::text AS slept;
  GRANT SELECT ON public.slow TO grant_test;
$$);
SELECT grant_fdw.establish_connection('txdb', 'postgresql', :'writer_url') > 0 AS registered;
CREATE SERVER txdb FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'txdb');
CREATE FOREIGN TABLE accounts (id int, owner text, balance numeric(12,2))
  SERVER txdb OPTIONS (table_name 'accounts');
CREATE FOREIGN TABLE slow (slept text) SERVER txdb OPTIONS (table_name 'slow');
CREATE VIEW writer_accounts AS
  SELECT * FROM dblink(format('host=127.0.0.1 port=%s dbname=app user=postgres',
                              current_setting('test.writer_port')),
                       'SELECT id, owner, balance FROM accounts ORDER BY id')
    AS t(id int, owner text, balance numeric);

-- COMMIT keeps the rows
BEGIN;
INSERT INTO accounts VALUES (3, 'carol', 10);
UPDATE accounts SET balance = balance + 1 WHERE id = 1;
COMMIT;
SELECT * FROM writer_accounts;

-- ROLLBACK leaves nothing
BEGIN;
INSERT INTO accounts VALUES (4, 'dave', 10), (5, 'erin', 20);
DELETE FROM accounts WHERE id = 2;
UPDATE accounts SET owner = upper(owner);
SELECT count(*) FROM writer_accounts;  -- other sessions don't see it yet
ROLLBACK;
SELECT * FROM writer_accounts;

-- ROLLBACK TO SAVEPOINT undoes only the remote part after the savepoint
BEGIN;
INSERT INTO accounts VALUES (6, 'frank', 1);
SAVEPOINT a;
INSERT INTO accounts VALUES (7, 'grace', 2);
SAVEPOINT b;
DELETE FROM accounts WHERE id = 1;
ROLLBACK TO SAVEPOINT b;
RELEASE SAVEPOINT b;
SELECT id FROM accounts ORDER BY id;
ROLLBACK TO SAVEPOINT a;
SELECT id FROM accounts ORDER BY id;
COMMIT;
SELECT * FROM writer_accounts;

-- an error inside a subtransaction, then recovery with ROLLBACK TO
BEGIN;
INSERT INTO accounts VALUES (8, 'heidi', 1);
SAVEPOINT s;
SELECT show_error($$INSERT INTO accounts VALUES (8, 'again', 1)$$);
ROLLBACK TO SAVEPOINT s;
INSERT INTO accounts VALUES (9, 'ivan', 1);
COMMIT;
SELECT id, owner FROM writer_accounts WHERE id >= 8;

-- a remote error keeps its SQLSTATE and shows the remote SQL
SELECT show_error($$INSERT INTO accounts VALUES (1, 'dup', 0)$$);
SELECT show_error($$UPDATE accounts SET balance = -1 WHERE id = 1$$);
SELECT show_error($$SELECT * FROM accounts WHERE id = 1 / (id - id)$$);
DO $$
BEGIN
  INSERT INTO accounts VALUES (1, 'dup', 0);
EXCEPTION WHEN unique_violation THEN
  RAISE NOTICE 'caught unique_violation (%)', SQLSTATE;
END $$;

-- the remote transaction runs at the local one's isolation level
SELECT on_node('writer', $$CREATE OR REPLACE VIEW public.xact_isolation AS
  SELECT current_setting('transaction_isolation') AS level$$);
SELECT on_node('writer', 'GRANT SELECT ON public.xact_isolation TO grant_test');
CREATE FOREIGN TABLE xact_isolation (level text) SERVER txdb;
SET "grant".role = 'writing';
BEGIN;
SELECT level FROM xact_isolation;
COMMIT;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT level FROM xact_isolation;
COMMIT;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT level FROM xact_isolation;
COMMIT;
SET "grant".remote_isolation = repeatable_read;
BEGIN;
SELECT level FROM xact_isolation;
COMMIT;
RESET "grant".remote_isolation;
-- READ COMMITTED, as the server: a row committed on the writer meanwhile is
-- seen by the next statement of the transaction
BEGIN;
SELECT count(*) FROM accounts;
SELECT on_node('writer', 'INSERT INTO accounts VALUES (100, ''outside'', 0)');
SELECT count(*) FROM accounts;
COMMIT;
-- REPEATABLE READ: one snapshot for the whole transaction
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM accounts;
SELECT on_node('writer', 'INSERT INTO accounts VALUES (101, ''outside'', 0)');
SELECT count(*) FROM accounts;
COMMIT;
-- and grant.remote_isolation = repeatable_read keeps one for READ COMMITTED
SET "grant".remote_isolation = repeatable_read;
BEGIN;
SELECT count(*) FROM accounts;
SELECT on_node('writer', 'INSERT INTO accounts VALUES (102, ''outside'', 0)');
SELECT count(*) FROM accounts;
COMMIT;
RESET "grant".remote_isolation;
SELECT count(*) FROM accounts;
-- SERIALIZABLE locally means SERIALIZABLE remotely
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT count(*) FROM accounts;
SELECT from_node('writer', $$SELECT count(*) FROM pg_stat_activity
                             WHERE application_name LIKE 'grant/%' AND backend_xmin IS NOT NULL$$)::int >= 1 AS remote_snapshot_held;
COMMIT;
RESET "grant".role;

-- the remote session is pinned: search_path, time zone, date style
SELECT on_node('writer', $$CREATE OR REPLACE VIEW public.session_settings AS
  SELECT current_setting('search_path') AS search_path, current_setting('TimeZone') AS tz,
         current_setting('DateStyle') AS datestyle, current_setting('extra_float_digits') AS efd,
         current_setting('application_name') LIKE 'grant/%' AS app_ok;
  GRANT SELECT ON public.session_settings TO grant_test$$);
CREATE FOREIGN TABLE session_settings (search_path text, tz text, datestyle text, efd text, app_ok boolean)
  SERVER txdb OPTIONS (table_name 'session_settings');
SELECT * FROM session_settings;

-- a remote backend killed between transactions: the next one reconnects
SELECT count(*) FROM accounts;
SELECT from_node('writer', $$SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                             WHERE application_name LIKE 'grant/%'$$) AS terminated;
SELECT pg_sleep(0.2);
SELECT count(*) FROM accounts;
-- ... and inside a transaction: an error, never a silent reconnect
BEGIN;
SELECT count(*) FROM accounts;
SELECT from_node('writer', $$SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                             WHERE application_name LIKE 'grant/%'$$) AS terminated;
SELECT pg_sleep(0.2);
SELECT e FROM show_error('SELECT count(*) FROM accounts') e WHERE e NOT LIKE 'detail:%';
ROLLBACK;
SELECT count(*) FROM accounts;

-- statement_timeout cancels the remote query too
SET statement_timeout = '300ms';
SELECT * FROM slow;
RESET statement_timeout;
SELECT pg_sleep(0.2);
SELECT from_node('writer', $$SELECT count(*) FROM pg_stat_activity
                             WHERE query LIKE '%slow%' AND state = 'active'
                               AND application_name LIKE 'grant/%'$$) AS still_running;
SELECT count(*) FROM accounts;

-- connection_status and disconnect
SELECT server_name, database, role, shard, adapter, in_transaction, valid FROM grant_fdw.connection_status();
SELECT grant_fdw.disconnect('txdb');
SELECT count(*) FROM grant_fdw.connection_status();
SELECT grant_fdw.disconnect();

-- a non-superuser must authenticate with a password the remote asks for
CREATE ROLE grant_tx_user LOGIN;
SELECT grant_fdw.establish_connection('trusty', 'postgresql',
  format('postgresql://grant_trust@127.0.0.1:%s/app', current_setting('test.writer_port'))) > 0 AS registered;
CREATE SERVER trusty FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'trusty');
CREATE FOREIGN TABLE trusty_whoami (port int) SERVER trusty OPTIONS (table_name 'whoami');
GRANT USAGE ON FOREIGN SERVER trusty TO grant_tx_user;
GRANT SELECT ON trusty_whoami TO grant_tx_user;
SELECT node_of(port) FROM trusty_whoami;   -- a superuser may
SET ROLE grant_tx_user;
SELECT show_error('SELECT port FROM trusty_whoami');
RESET ROLE;

-- a statement never sees its own remote changes: where the remote would
-- show them, the read is refused
SELECT show_error($$UPDATE accounts SET balance = balance + 1 RETURNING id, (SELECT sum(balance) FROM accounts)$$);
SELECT show_error($$WITH ins AS (INSERT INTO accounts VALUES (200, 'cte', 0) RETURNING id)
  SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM accounts)$$);
SELECT count(*) FROM accounts WHERE id = 200;   -- and nothing was left behind
-- what reads nothing after writing runs: the CTE's own rows, RETURNING
WITH ins AS (INSERT INTO accounts VALUES (200, 'cte', 0) RETURNING id) SELECT count(*) FROM ins;
-- the next statement of the transaction sees the change, as locally
DO $$
DECLARE n bigint;
BEGIN
  UPDATE accounts SET balance = 7 WHERE id = 200;
  SELECT balance INTO n FROM accounts WHERE id = 200;
  RAISE NOTICE 'the next statement sees %', n;
END $$;
-- RETURNING without a column counts and returns every row (a direct UPDATE)
SELECT * FROM explain_route('UPDATE accounts SET balance = balance WHERE id >= 100 RETURNING 42');
UPDATE accounts SET balance = balance WHERE id >= 100 RETURNING 42;
WITH d AS (DELETE FROM accounts WHERE id = 200 RETURNING 'gone') SELECT * FROM d;

-- cleanup
DROP SERVER txdb, trusty CASCADE;
DROP VIEW writer_accounts;
DROP ROLE grant_tx_user;
SELECT grant_fdw.remove_connection('txdb') AS removed;
SELECT grant_fdw.remove_connection('trusty') AS removed;
SELECT on_node('writer', 'DROP TABLE public.accounts CASCADE; DROP VIEW public.slow; DROP VIEW public.session_settings; DROP VIEW public.xact_isolation');
