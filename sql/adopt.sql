--
-- Migration bridge: grant_fdw.adopt_server() moves the foreign tables of a
-- postgres_fdw or mysql_fdw server to grant_fdw in place (same OIDs, so
-- views and privileges stay), and registry-less grant servers are pointed
-- at a registry database.
--
\i sql/include/fdw_setup.sql
\getenv mysql_port GRANT_MYSQL_PORT
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE EXTENSION IF NOT EXISTS mysql_fdw;
RESET client_min_messages;
CREATE ROLE adopt_reader;
CREATE ROLE adopt_other;

SELECT on_node('writer', $$
  DROP TABLE IF EXISTS public.adopt_items;
  CREATE TABLE public.adopt_items (id int PRIMARY KEY, name text NOT NULL);
  INSERT INTO public.adopt_items VALUES (1, 'one'), (2, 'two');
  GRANT ALL ON public.adopt_items TO grant_test, grant_trust;
$$);
SELECT wait_for_reader();

-- a postgres_fdw setup as an application has it: server, user mappings,
-- foreign tables (one with a renamed column), a view, privileges
CREATE SERVER legacy FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '127.0.0.1', port :'writer_port', dbname 'app',
           fetch_size '500', use_remote_estimate 'true');
CREATE USER MAPPING FOR CURRENT_USER SERVER legacy
  OPTIONS (user 'grant_test', password :'password');
-- adopt_reader connects as another remote user (trusted from 127.0.0.1)
CREATE USER MAPPING FOR adopt_reader SERVER legacy
  OPTIONS (user 'grant_trust', password 'unused', password_required 'false');
CREATE FOREIGN TABLE adopt_items (id int, label text)
  SERVER legacy OPTIONS (table_name 'adopt_items', use_remote_estimate 'false');
ALTER FOREIGN TABLE adopt_items ALTER COLUMN label OPTIONS (column_name 'name');
CREATE FOREIGN TABLE adopt_whoami (port int, in_recovery boolean, usr text)
  SERVER legacy OPTIONS (schema_name 'public', table_name 'whoami');
CREATE VIEW adopt_items_v AS
  SELECT i.id, i.label, node_of(w.port) AS node FROM adopt_items i, adopt_whoami w;
GRANT SELECT ON adopt_items_v TO adopt_reader;
GRANT SELECT, INSERT ON adopt_items TO adopt_reader;
GRANT SELECT ON adopt_whoami TO adopt_reader;
SELECT 'adopt_items'::regclass::oid AS items_oid \gset
SELECT * FROM adopt_items_v ORDER BY id;
PREPARE items_q AS SELECT id, label FROM adopt_items ORDER BY id;
EXECUTE items_q;

-- only a superuser may adopt, even when granted EXECUTE
SET ROLE adopt_other;
SELECT * FROM show_error($$SELECT * FROM grant_fdw.adopt_server('legacy')$$);
RESET ROLE;
GRANT EXECUTE ON FUNCTION grant_fdw.adopt_server(name, text) TO adopt_other;
SET ROLE adopt_other;
SELECT * FROM show_error($$SELECT * FROM grant_fdw.adopt_server('legacy')$$);
RESET ROLE;
REVOKE EXECUTE ON FUNCTION grant_fdw.adopt_server(name, text) FROM adopt_other;
-- the wrapper must be postgres_fdw, mysql_fdw or grant_fdw
CREATE SERVER adopt_dblink FOREIGN DATA WRAPPER dblink_fdw OPTIONS (dbname 'app');
SELECT * FROM show_error($$SELECT * FROM grant_fdw.adopt_server('adopt_dblink')$$);
DROP SERVER adopt_dblink;
-- the endpoint is registered with the caller's (or PUBLIC's) user mapping
CREATE SERVER legacy_nomap FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'app');
SELECT * FROM show_error($$SELECT * FROM grant_fdw.adopt_server('legacy_nomap')$$);
DROP SERVER legacy_nomap;

-- (its notices name the endpoint with its port: the effects are checked below)
SET client_min_messages = warning;
SELECT * FROM grant_fdw.adopt_server('legacy');
RESET client_min_messages;

-- same table (same OID), same columns, now on grant_fdw
SELECT 'adopt_items'::regclass::oid = :items_oid AS same_oid;
SELECT c.relname, s.srvname, w.fdwname, t.ftoptions
  FROM pg_foreign_table t JOIN pg_class c ON c.oid = t.ftrelid
  JOIN pg_foreign_server s ON s.oid = t.ftserver
  JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
 WHERE c.relname LIKE 'adopt%' ORDER BY 1;
SELECT attname, attfdwoptions FROM pg_attribute
 WHERE attrelid = 'adopt_items'::regclass AND attnum > 0 ORDER BY attnum;
-- the dependency moved with it: the old server can go, the tables stay
SELECT s.srvname AS depends_on
  FROM pg_depend d JOIN pg_foreign_server s ON s.oid = d.refobjid
 WHERE d.classid = 'pg_class'::regclass AND d.objid = 'adopt_items'::regclass
   AND d.refclassid = 'pg_foreign_server'::regclass;
SELECT srvname, srvoptions FROM pg_foreign_server WHERE srvname = 'legacy_grant';
SELECT database, adapter, role, shard, port = :writer_port AS on_writer, username, has_password
  FROM grant_fdw.connections WHERE database = 'legacy';
-- user mappings are copied unless they hold the writer's own credentials
SELECT s.srvname, u.usename, u.umoptions
  FROM pg_user_mappings u JOIN pg_foreign_server s ON s.oid = u.srvid
 WHERE s.srvname = 'legacy_grant' ORDER BY 2;
DROP SERVER legacy CASCADE;

-- the view and the prepared statement still work, now through grant
SELECT * FROM adopt_items_v ORDER BY id;
EXECUTE items_q;
SELECT * FROM explain_route('SELECT * FROM adopt_items_v');
-- privileges intact: adopt_reader reads the view (as the view's owner,
-- grant_test remotely) and the table with its own copied user mapping,
-- and writes the table; others still may not
SET ROLE adopt_reader;
SELECT id, label, node FROM adopt_items_v ORDER BY id;
SELECT node_of(port), usr FROM adopt_whoami;
INSERT INTO adopt_items VALUES (3, 'three');
RESET ROLE;
SET ROLE adopt_other;
SELECT * FROM show_error('SELECT * FROM adopt_items_v');
RESET ROLE;
SELECT from_node('writer', 'SELECT name FROM public.adopt_items WHERE id = 3') AS written;

-- what adoption is for: add a reader, and reads go to it
SELECT grant_fdw.establish_connection('legacy', 'postgresql', :'reader_url', role => 'reading') > 0 AS registered;
SELECT wait_for_reader();
SELECT DISTINCT node FROM adopt_items_v;
SET "grant".role = 'writing';
SELECT DISTINCT node FROM adopt_items_v;
RESET "grant".role;

-- adopting again, or into a database with another writer, is refused
SELECT * FROM show_error($$SELECT * FROM grant_fdw.adopt_server('legacy_grant')$$);
CREATE SERVER legacy2 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '127.0.0.1', port :'shard1_port', dbname 'app');
CREATE USER MAPPING FOR PUBLIC SERVER legacy2
  OPTIONS (user 'grant_test', password :'password');
SELECT * FROM show_error($$SELECT * FROM grant_fdw.adopt_server('legacy2', 'legacy')$$);
DROP SERVER legacy2 CASCADE;

--
-- mysql_fdw: the MariaDB table is made through a registered MySQL database
--
SELECT grant_fdw.establish_connection('adopt_my', 'mysql',
  format('mysql://grant_test:%s@127.0.0.1:%s/app', :'password', :'mysql_port')) > 0 AS registered;
SELECT grant_fdw.execute('adopt_my', 'DROP TABLE IF EXISTS adopt_mitems');
SELECT grant_fdw.execute('adopt_my', 'CREATE TABLE adopt_mitems (id int PRIMARY KEY, name varchar(20) NOT NULL)');
SELECT grant_fdw.execute('adopt_my', 'INSERT INTO adopt_mitems VALUES (1, ''uno''), (2, ''dos'')');
CREATE SERVER legacy_my FOREIGN DATA WRAPPER mysql_fdw
  OPTIONS (host '127.0.0.1', port :'mysql_port', fetch_size '200');
CREATE USER MAPPING FOR CURRENT_USER SERVER legacy_my
  OPTIONS (username 'grant_test', password :'password');
CREATE FOREIGN TABLE adopt_mitems (id int, name text)
  SERVER legacy_my OPTIONS (dbname 'app', table_name 'adopt_mitems', max_blob_size '1000');
CREATE VIEW adopt_mitems_v AS SELECT id, upper(name) AS name FROM adopt_mitems;
GRANT SELECT ON adopt_mitems_v TO adopt_reader;
SELECT * FROM adopt_mitems_v ORDER BY id;
SELECT 'adopt_mitems'::regclass::oid AS mitems_oid \gset

-- into the registered database: its writer and its server are reused
CREATE SERVER adopt_my FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'adopt_my');
SET client_min_messages = warning;
SELECT * FROM grant_fdw.adopt_server('legacy_my', 'adopt_my');
RESET client_min_messages;
SELECT 'adopt_mitems'::regclass::oid = :mitems_oid AS same_oid;
SELECT s.srvname, t.ftoptions FROM pg_foreign_table t
  JOIN pg_foreign_server s ON s.oid = t.ftserver WHERE t.ftrelid = 'adopt_mitems'::regclass;
SELECT count(*) AS writers FROM grant_fdw.connections WHERE database = 'adopt_my';
DROP SERVER legacy_my CASCADE;
SELECT * FROM adopt_mitems_v ORDER BY id;
SELECT replace(line, :'mysql_port', 'MYSQL') FROM explain_route('SELECT * FROM adopt_mitems_v') line
 WHERE line LIKE '%Route%' OR line LIKE '%Remote SQL%';
-- UPDATE and DELETE find rows by the first column, as mysql_fdw did
UPDATE adopt_mitems SET name = 'one' WHERE id = 1;
DELETE FROM adopt_mitems WHERE id = 2;
SELECT * FROM grant_fdw.query('adopt_my', 'SELECT id, name FROM adopt_mitems ORDER BY id') AS t(id int, name text);
SET ROLE adopt_reader;
SELECT * FROM adopt_mitems_v ORDER BY id;
RESET ROLE;

--
-- Registry-less grant servers keep working beside registry ones, and can
-- be pointed at a registry database, by hand or by adopt_server()
--
CREATE SERVER solo FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', port :'writer_port', dbname 'app');
CREATE USER MAPPING FOR CURRENT_USER SERVER solo
  OPTIONS (user 'grant_test', password :'password');
CREATE FOREIGN TABLE solo_whoami (port int, in_recovery boolean, usr text)
  SERVER solo OPTIONS (schema_name 'public', table_name 'whoami');
SELECT node_of(port) FROM solo_whoami;
ALTER SERVER solo OPTIONS (DROP host, DROP port, DROP dbname, ADD database 'legacy');
SELECT node_of(port) FROM solo_whoami;
SELECT mask_ports(line) FROM explain_route('SELECT * FROM solo_whoami') line WHERE line LIKE '%Route%';

SELECT format('postgresql://127.0.0.1:%s/app', :'shard2_port') AS solo2_url \gset
CREATE SERVER solo2 FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url :'solo2_url', fetch_size '50');
CREATE USER MAPPING FOR PUBLIC SERVER solo2
  OPTIONS (user 'grant_test', password :'password');
CREATE FOREIGN TABLE solo2_whoami (port int, in_recovery boolean, usr text)
  SERVER solo2 OPTIONS (schema_name 'public', table_name 'whoami');
SELECT node_of(port), usr FROM solo2_whoami;
SET client_min_messages = warning;
SELECT * FROM grant_fdw.adopt_server('solo2', 'adopt_shard2');
RESET client_min_messages;
SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'solo2';
SELECT mask_ports(line) FROM explain_route('SELECT * FROM solo2_whoami') line WHERE line LIKE '%Route%';
SELECT node_of(port), usr FROM solo2_whoami;
SELECT database, role, port = :shard2_port AS on_shard2, has_password
  FROM grant_fdw.connections WHERE database = 'adopt_shard2';

-- cleanup
SET client_min_messages = warning;
DROP SERVER legacy_grant, solo, solo2, adopt_my CASCADE;
SELECT grant_fdw.execute('adopt_my', 'DROP TABLE adopt_mitems');
SELECT grant_fdw.remove_connection('legacy') AS removed;
SELECT grant_fdw.remove_connection('adopt_my') AS removed;
SELECT grant_fdw.remove_connection('adopt_shard2') AS removed;
SELECT on_node('writer', 'DROP TABLE public.adopt_items');
DROP ROLE adopt_reader, adopt_other;
DROP EXTENSION mysql_fdw;
DROP EXTENSION postgres_fdw;
RESET client_min_messages;
