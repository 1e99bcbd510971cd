--
-- Migration bridge: grant_fdw.adopt_server() moves the foreign tables of a
-- postgres_fdw or mysql_fdw server to grant_fdw in place (same OIDs, so
-- views and privileges stay), and registry-less grant servers are pointed
-- at a registry database.
--
\i sql/include/fdw_setup.sql
\getenv mysql_port GRANT_MYSQL_PORT
\getenv mysql_socket GRANT_MYSQL_SOCKET
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE EXTENSION IF NOT EXISTS mysql_fdw;
RESET client_min_messages;
CREATE ROLE adopt_reader;
CREATE ROLE adopt_other;
CREATE ROLE adopt_app;
CREATE ROLE adopt_super SUPERUSER;
CREATE ROLE adopt_owner;
-- the remote identity (or the error) each local user gets from query: the
-- caller and adopt_app are mapped to grant_test, adopt_reader to
-- grant_trust; adopt_other and the superuser adopt_super have no mapping
-- (adopt_super could log in as the remote postgres, which trusts 127.0.0.1)
CREATE FUNCTION identities(query text) RETURNS TABLE (local_user text, remote text)
LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY[session_user::text, 'adopt_app', 'adopt_reader', 'adopt_other', 'adopt_super'] LOOP
    EXECUTE format('SET LOCAL ROLE %I', r);
    local_user := CASE WHEN r = session_user THEN 'caller' ELSE r END;
    BEGIN
      EXECUTE query INTO remote;
    EXCEPTION WHEN OTHERS THEN
      remote := SQLSTATE || ': ' || SQLERRM;
    END;
    RESET ROLE;
    RETURN NEXT;
  END LOOP;
END $$;

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
CREATE USER MAPPING FOR adopt_app SERVER legacy
  OPTIONS (user 'grant_test', password :'password');
CREATE FOREIGN TABLE adopt_items (id int, label text)
  SERVER legacy OPTIONS (table_name 'adopt_items', use_remote_estimate 'false');
ALTER FOREIGN TABLE adopt_items ALTER COLUMN label OPTIONS (column_name 'name');
CREATE FOREIGN TABLE adopt_whoami (port int, in_recovery boolean, usr text)
  SERVER legacy OPTIONS (schema_name 'public', table_name 'whoami');
CREATE VIEW adopt_items_v AS
  SELECT i.id, i.label, node_of(w.port) AS node FROM adopt_items i, adopt_whoami w;
GRANT SELECT ON adopt_items_v TO adopt_reader;
GRANT SELECT, INSERT ON adopt_items TO adopt_reader;
GRANT SELECT ON adopt_whoami TO adopt_reader, adopt_app, adopt_other;
SELECT 'adopt_items'::regclass::oid AS items_oid \gset
SELECT * FROM adopt_items_v ORDER BY id;
PREPARE items_q AS SELECT id, label FROM adopt_items ORDER BY id;
EXECUTE items_q;
-- who is who on the remote, before adoption
SELECT * FROM identities('SELECT usr FROM adopt_whoami');

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
-- a mapping whose copy would borrow the PUBLIC mapping's credentials,
-- which the endpoint lends, is refused: postgres_fdw connected it as the
-- local server's default user, or without a password
CREATE SERVER legacy_borrow FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '127.0.0.1', port :'writer_port', dbname 'app');
CREATE USER MAPPING FOR PUBLIC SERVER legacy_borrow
  OPTIONS (user 'grant_test', password :'password');
CREATE USER MAPPING FOR adopt_other SERVER legacy_borrow OPTIONS (password 'own');
SELECT * FROM show_error($$SELECT * FROM grant_fdw.adopt_server('legacy_borrow')$$);
ALTER USER MAPPING FOR adopt_other SERVER legacy_borrow
  OPTIONS (ADD user 'grant_test', DROP password);
SELECT * FROM show_error($$SELECT * FROM grant_fdw.adopt_server('legacy_borrow')$$);
ALTER USER MAPPING FOR adopt_other SERVER legacy_borrow
  OPTIONS (ADD password 'own', ADD sslcert '/tmp/own.crt');
SELECT * FROM show_error($$SELECT * FROM grant_fdw.adopt_server('legacy_borrow')$$);
SELECT count(*) AS registered FROM grant_fdw.connections WHERE database = 'legacy_borrow';
DROP SERVER legacy_borrow CASCADE;

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
-- the writer lends no personal credentials: legacy had no PUBLIC mapping
SELECT database, adapter, role, shard, port = :writer_port AS on_writer, username, has_password
  FROM grant_fdw.connections WHERE database = 'legacy';
-- every user mapping is copied, the caller's included (passwords not shown)
SELECT s.srvname, CASE WHEN u.usename = session_user THEN 'caller' ELSE u.usename END AS usename,
       ARRAY(SELECT o FROM unnest(u.umoptions) o WHERE o NOT LIKE 'password=%') AS options,
       EXISTS (SELECT FROM unnest(u.umoptions) o WHERE o LIKE 'password=%') AS has_password
  FROM pg_user_mappings u JOIN pg_foreign_server s ON s.oid = u.srvid
 WHERE s.srvname = 'legacy_grant' ORDER BY 2;
DROP SERVER legacy CASCADE;
-- each local user keeps its remote identity, and who had no mapping still
-- gets an error (the same SQLSTATE), the superuser too
SELECT * FROM identities('SELECT usr FROM adopt_whoami');
-- routed SQL uses the registry's credentials, and there are none
SELECT * FROM show_error($$SELECT grant_fdw.execute('legacy', 'SELECT 1')$$);

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

-- what adoption is for: add a reader, and reads go to it; registered
-- without credentials, it serves each user with its own mapping
SELECT grant_fdw.establish_connection('legacy', 'postgresql',
  format('postgresql://127.0.0.1:%s/app', :'reader_port'), role => 'reading') > 0 AS registered;
SELECT wait_for_reader();
SELECT DISTINCT node FROM adopt_items_v;
SET "grant".role = 'writing';
SELECT DISTINCT node FROM adopt_items_v;
RESET "grant".role;
SELECT * FROM identities('SELECT node_of(port) || '' '' || usr FROM adopt_whoami');

-- another postgres_fdw server of the same endpoint and the same mappings
-- moves to the same grant server; one whose mappings give someone another
-- identity there is refused
CREATE SERVER legacy3 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '127.0.0.1', port :'writer_port', dbname 'app');
CREATE USER MAPPING FOR CURRENT_USER SERVER legacy3
  OPTIONS (user 'grant_test', password :'password');
CREATE USER MAPPING FOR adopt_reader SERVER legacy3
  OPTIONS (user 'grant_trust', password 'unused', password_required 'false');
CREATE USER MAPPING FOR adopt_app SERVER legacy3
  OPTIONS (user 'grant_trust', password_required 'false');
CREATE FOREIGN TABLE adopt_whoami3 (port int, in_recovery boolean, usr text)
  SERVER legacy3 OPTIONS (schema_name 'public', table_name 'whoami');
GRANT SELECT ON adopt_whoami3 TO adopt_reader, adopt_app, adopt_other;
SET client_min_messages = warning;
SELECT * FROM show_error($$SELECT * FROM grant_fdw.adopt_server('legacy3', 'legacy')$$);
ALTER USER MAPPING FOR adopt_app SERVER legacy3
  OPTIONS (SET user 'grant_test', ADD password :'password', DROP password_required);
CREATE USER MAPPING FOR adopt_other SERVER legacy3
  OPTIONS (user 'grant_trust', password_required 'false');
SELECT * FROM show_error($$SELECT * FROM grant_fdw.adopt_server('legacy3', 'legacy')$$);
DROP USER MAPPING FOR adopt_other SERVER legacy3;
SELECT * FROM grant_fdw.adopt_server('legacy3', 'legacy');
RESET client_min_messages;
SELECT count(*) AS mappings FROM pg_user_mappings WHERE srvname = 'legacy_grant';
DROP SERVER legacy3 CASCADE;
SET "grant".role = 'writing';
SELECT * FROM identities('SELECT usr FROM adopt_whoami3');
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
-- a second MariaDB account, and a view telling who reads it (made as root,
-- over the socket)
SELECT grant_fdw.establish_connection('adopt_my_root', 'mysql',
  format('mysql://root@localhost/app?socket=%s', :'mysql_socket')) > 0 AS registered;
SELECT grant_fdw.execute('adopt_my_root', 'DROP USER IF EXISTS adopt_my_other@''127.0.0.1''');
SELECT grant_fdw.execute('adopt_my_root',
  format('CREATE USER adopt_my_other@''127.0.0.1'' IDENTIFIED BY %L', :'password'));
SELECT grant_fdw.execute('adopt_my_root', 'GRANT SELECT ON app.* TO adopt_my_other@''127.0.0.1''');
SELECT grant_fdw.execute('adopt_my_root',
  'CREATE OR REPLACE SQL SECURITY INVOKER VIEW app.adopt_mwhoami AS SELECT current_user() AS usr');
CREATE SERVER legacy_my FOREIGN DATA WRAPPER mysql_fdw
  OPTIONS (host '127.0.0.1', port :'mysql_port', fetch_size '200');
CREATE USER MAPPING FOR CURRENT_USER SERVER legacy_my
  OPTIONS (username 'grant_test', password :'password');
CREATE USER MAPPING FOR adopt_app SERVER legacy_my
  OPTIONS (username 'grant_test', password :'password');
CREATE USER MAPPING FOR adopt_reader SERVER legacy_my
  OPTIONS (username 'adopt_my_other', password :'password');
CREATE FOREIGN TABLE adopt_mitems (id int, name text)
  SERVER legacy_my OPTIONS (dbname 'app', table_name 'adopt_mitems', max_blob_size '1000');
CREATE FOREIGN TABLE adopt_mwho (usr text)
  SERVER legacy_my OPTIONS (dbname 'app', table_name 'adopt_mwhoami');
GRANT SELECT ON adopt_mwho TO adopt_reader, adopt_app, adopt_other;
CREATE VIEW adopt_mitems_v AS SELECT id, upper(name) AS name FROM adopt_mitems;
GRANT SELECT ON adopt_mitems_v TO adopt_reader;
SELECT * FROM adopt_mitems_v ORDER BY id;
SELECT 'adopt_mitems'::regclass::oid AS mitems_oid \gset
SELECT * FROM identities('SELECT usr FROM adopt_mwho');

-- not into the registered database: its writer's credentials would serve
-- who has no mapping on legacy_my
CREATE SERVER adopt_my FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'adopt_my');
SELECT replace(e, :'mysql_port', 'MYSQL')
  FROM show_error($$SELECT * FROM grant_fdw.adopt_server('legacy_my', 'adopt_my')$$) e;
SET client_min_messages = warning;
SELECT * FROM grant_fdw.adopt_server('legacy_my', 'adopt_my2');
RESET client_min_messages;
SELECT 'adopt_mitems'::regclass::oid = :mitems_oid AS same_oid;
SELECT s.srvname, t.ftoptions FROM pg_foreign_table t
  JOIN pg_foreign_server s ON s.oid = t.ftserver
 WHERE t.ftrelid IN ('adopt_mitems'::regclass, 'adopt_mwho'::regclass) ORDER BY t.ftrelid;
SELECT database, username, has_password FROM grant_fdw.connections
 WHERE database LIKE 'adopt_my%' ORDER BY 1;
SELECT CASE WHEN usename = session_user THEN 'caller' ELSE usename END AS usename,
       ARRAY(SELECT o FROM unnest(umoptions) o WHERE o NOT LIKE 'password=%') AS options
  FROM pg_user_mappings WHERE srvname = 'adopt_my2' ORDER BY 1;
DROP SERVER legacy_my CASCADE;
SELECT * FROM identities('SELECT usr FROM adopt_mwho');
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
SELECT replace(e, :'mysql_port', 'MYSQL')
  FROM show_error($$SELECT grant_fdw.execute('adopt_my2', 'SELECT 1')$$) e;

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
-- the endpoint is the server's own, without the PUBLIC mapping's
-- credentials: the mapping stays on the server and still serves
SELECT database, role, port = :shard2_port AS on_shard2, username, has_password
  FROM grant_fdw.connections WHERE database = 'adopt_shard2';

-- a registry-less server owned by a non-administrator: ownership goes to
-- the caller (only superusers and registry administrators may own a server
-- that uses the registry), USAGE grants stay, the old owner keeps USAGE
-- and its own mapping
GRANT USAGE ON FOREIGN DATA WRAPPER grant_fdw TO adopt_owner;
GRANT CREATE ON SCHEMA public TO adopt_owner;
SET ROLE adopt_owner;
CREATE SERVER solo3 FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', port :'shard1_port', dbname 'app');
CREATE USER MAPPING FOR adopt_owner SERVER solo3
  OPTIONS (user 'grant_test', password :'password');
CREATE FOREIGN TABLE solo3_whoami (port int, in_recovery boolean, usr text)
  SERVER solo3 OPTIONS (schema_name 'public', table_name 'whoami');
GRANT USAGE ON FOREIGN SERVER solo3 TO adopt_app;
GRANT SELECT ON solo3_whoami TO adopt_other;
SELECT node_of(port), usr FROM solo3_whoami;
RESET ROLE;
SET client_min_messages = warning;
SELECT * FROM grant_fdw.adopt_server('solo3', 'adopt_shard1');
RESET client_min_messages;
SELECT srvowner = session_user::regrole AS caller_owns,
       has_server_privilege('adopt_owner', oid, 'USAGE') AS old_owner_usage,
       has_server_privilege('adopt_owner', oid, 'USAGE WITH GRANT OPTION') AS old_owner_grant_option,
       has_server_privilege('adopt_app', oid, 'USAGE') AS granted_usage
  FROM pg_foreign_server WHERE srvname = 'solo3';
SET ROLE adopt_owner;
SELECT node_of(port), usr FROM solo3_whoami;
SELECT * FROM show_error($$CREATE USER MAPPING FOR PUBLIC SERVER solo3 OPTIONS (user 'grant_trust')$$);
SELECT * FROM show_error($$ALTER SERVER solo3 OPTIONS (ADD fetch_size '10')$$);
RESET ROLE;
SET ROLE adopt_other;
SELECT * FROM show_error('SELECT usr FROM solo3_whoami');
RESET ROLE;
-- a registry administrator may own one: it keeps it
CREATE ROLE adopt_admin;
SELECT grant_fdw.add_registry_admin('adopt_admin');
CREATE SERVER solo4 FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', port :'shard2_port', dbname 'app');
ALTER SERVER solo4 OWNER TO adopt_admin;
SET client_min_messages = warning;
SELECT count(*) AS tables FROM grant_fdw.adopt_server('solo4', 'adopt_shard2');
RESET client_min_messages;
SELECT srvowner::regrole AS owner FROM pg_foreign_server WHERE srvname = 'solo4';

-- cleanup
SET client_min_messages = warning;
DROP SERVER legacy_grant, solo, solo2, solo3, solo4, adopt_my, adopt_my2 CASCADE;
SELECT grant_fdw.execute('adopt_my', 'DROP TABLE adopt_mitems');
SELECT grant_fdw.execute('adopt_my_root', 'DROP VIEW app.adopt_mwhoami');
SELECT grant_fdw.execute('adopt_my_root', 'DROP USER adopt_my_other@''127.0.0.1''');
SELECT grant_fdw.remove_connection('adopt_my_root') AS removed;
SELECT grant_fdw.remove_connection('legacy') AS removed;
SELECT grant_fdw.remove_connection('adopt_my') AS removed;
SELECT grant_fdw.remove_connection('adopt_my2') AS removed;
SELECT grant_fdw.remove_connection('adopt_shard1') AS removed;
SELECT grant_fdw.remove_connection('adopt_shard2') AS removed;
SELECT on_node('writer', 'DROP TABLE public.adopt_items');
REVOKE USAGE ON FOREIGN DATA WRAPPER grant_fdw FROM adopt_owner;
REVOKE CREATE ON SCHEMA public FROM adopt_owner;
DROP FUNCTION identities(text);
SELECT grant_fdw.remove_registry_admin('adopt_admin');
DROP ROLE adopt_reader, adopt_other, adopt_app, adopt_super, adopt_owner, adopt_admin;
DROP EXTENSION mysql_fdw;
DROP EXTENSION postgres_fdw;
RESET client_min_messages;
