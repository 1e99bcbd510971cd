--
-- Upgrade path: a database created at the first released version (0.1),
-- with endpoints registered and foreign tables in use, is updated with
-- ALTER EXTENSION "grant" UPDATE; its registry rows stay, its tables keep
-- working, and it ends up with exactly the objects and privileges of a
-- fresh installation of the default version.  So does one created at 0.2,
-- where what an administrator granted and revoked after installing is kept.
--
\getenv writer_port GRANT_WRITER_PORT
\getenv reader_port GRANT_READER_PORT
\getenv shard1_port GRANT_SHARD1_PORT
\getenv password GRANT_TEST_PASSWORD
\set regress_db :DBNAME
SET client_min_messages = warning;
DROP DATABASE IF EXISTS grant_upgrade_old;
DROP DATABASE IF EXISTS grant_upgrade_new;
DROP DATABASE IF EXISTS grant_upgrade_02;
DROP ROLE IF EXISTS grant_upgrade_app;
RESET client_min_messages;
CREATE DATABASE grant_upgrade_old;
CREATE DATABASE grant_upgrade_new;
CREATE DATABASE grant_upgrade_02;
CREATE ROLE grant_upgrade_app NOLOGIN;

-- the default version is installed from 0.1 and the upgrade scripts
SELECT default_version FROM pg_available_extensions WHERE name = 'grant';
SELECT version FROM pg_available_extension_versions WHERE name = 'grant' ORDER BY 1;
SELECT source, target, path FROM pg_extension_update_paths('grant') ORDER BY 1, 2;

\c grant_upgrade_old
CREATE EXTENSION "grant" VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'grant';
SELECT to_regprocedure('grant_fdw.adopt_server(name, text)') IS NULL AS no_adopt_server_in_0_1;
SELECT grant_fdw.establish_connection('primary', 'postgresql',
  format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'password', :'writer_port')) AS writer_id;
SELECT grant_fdw.establish_connection('primary', 'postgresql',
  format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'password', :'reader_port'),
  role => 'reading', weight => 3) AS reader_id;
SELECT grant_fdw.establish_connection('shop', 'postgresql',
  format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'password', :'shard1_port'),
  shard => 's1') AS shard_id;
SELECT grant_fdw.shard_by_list('shop', 's1', ARRAY['a', 'b']);
CREATE SERVER app FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'primary');
CREATE FOREIGN TABLE whoami (port int, in_recovery boolean, usr text) SERVER app;
SET "grant".role = 'writing';
SELECT port = :writer_port AS on_writer, usr FROM whoami;
RESET "grant".role;
CREATE TABLE registry_before AS
  SELECT id, database, adapter, role, shard, weight, host, port, dbname, username, options, url, has_password
    FROM grant_fdw.connections;

ALTER EXTENSION "grant" UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'grant';

-- the registry is kept, row for row, passwords included
SELECT count(*) AS rows_kept FROM registry_before;
(SELECT id, database, adapter, role, shard, weight, host, port, dbname, username, options, url, has_password
   FROM grant_fdw.connections
 EXCEPT SELECT * FROM registry_before)
UNION ALL
(SELECT * FROM registry_before
 EXCEPT SELECT id, database, adapter, role, shard, weight, host, port, dbname, username, options, url, has_password
          FROM grant_fdw.connections);
SELECT database, shard, list_values FROM grant_fdw.shard_bounds;
-- the sequence goes on after the kept rows
SELECT grant_fdw.establish_connection('other', 'postgresql',
  format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'password', :'writer_port'))
  > (SELECT max(id) FROM registry_before) AS new_id_after_kept_ones;
-- and it all still works, including what 0.2 adds
SET "grant".role = 'writing';
SELECT port = :writer_port AS on_writer, usr FROM whoami;
RESET "grant".role;
SELECT grant_fdw.shard_for('shop', 'a'::text);
SELECT to_regprocedure('grant_fdw.adopt_server(name, text)') IS NOT NULL AS has_adopt_server;
SELECT has_function_privilege('public', 'grant_fdw.adopt_server(name, text)', 'EXECUTE') AS public_may_adopt;

-- the updated extension has the same members and privileges as a fresh one
\i sql/include/extension_members.sql
\i sql/include/extension_acls.sql
SELECT string_agg(m, E'\n') AS members_updated FROM extension_members() m \gset
SELECT string_agg(a, E'\n') AS acls_updated FROM extension_acls() a \gset

-- from 0.2, with privileges an administrator changed after installing
\c grant_upgrade_02
CREATE EXTENSION "grant" VERSION '0.2';
GRANT EXECUTE ON FUNCTION grant_fdw.execute(text, text, text, text) TO grant_upgrade_app;
REVOKE SELECT ON grant_fdw.sharding FROM PUBLIC;
ALTER EXTENSION "grant" UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'grant';
SELECT has_function_privilege('grant_upgrade_app', 'grant_fdw.execute(text, text, text, text)', 'EXECUTE')
         AS app_may_still_execute,
       NOT has_table_privilege('public', 'grant_fdw.sharding', 'SELECT') AS public_still_refused_sharding;
GRANT SELECT ON grant_fdw.sharding TO PUBLIC;
REVOKE EXECUTE ON FUNCTION grant_fdw.execute(text, text, text, text) FROM grant_upgrade_app;
\i sql/include/extension_members.sql
\i sql/include/extension_acls.sql
SELECT string_agg(m, E'\n') AS members_from_02 FROM extension_members() m \gset
SELECT string_agg(a, E'\n') AS acls_from_02 FROM extension_acls() a \gset

\c grant_upgrade_new
CREATE EXTENSION "grant";
SELECT extversion FROM pg_extension WHERE extname = 'grant';
\i sql/include/extension_members.sql
\i sql/include/extension_acls.sql
SELECT count(*) > 30 AS many_members,
       string_agg(m, E'\n') = :'members_updated' AS same_members_as_updated,
       string_agg(m, E'\n') = :'members_from_02' AS same_members_as_from_02
  FROM extension_members() m;
-- what differs, if anything (nothing is expected)
SELECT m AS only_in_fresh FROM extension_members() m
 WHERE m <> ALL (string_to_array(:'members_updated', E'\n'));
SELECT m AS only_in_updated FROM unnest(string_to_array(:'members_updated', E'\n')) m
 WHERE m NOT IN (SELECT extension_members());
-- the privileges of a fresh installation: what the scripts mean
SELECT extension_acls() AS acl;
SELECT string_agg(a, E'\n') = :'acls_updated' AS same_acls_as_updated,
       string_agg(a, E'\n') = :'acls_from_02' AS same_acls_as_from_02
  FROM extension_acls() a;
SELECT a AS acl_only_in_fresh FROM extension_acls() a
 WHERE a <> ALL (string_to_array(:'acls_updated', E'\n'))
    OR a <> ALL (string_to_array(:'acls_from_02', E'\n'));
SELECT a AS acl_only_in_updated
  FROM unnest(string_to_array(:'acls_updated', E'\n') || string_to_array(:'acls_from_02', E'\n')) a
 WHERE a NOT IN (SELECT extension_acls());
-- pg_dump, which dumps the difference from pg_init_privs, finds none
SELECT count(*) AS members_whose_privileges_differ_from_pg_init_privs
  FROM pg_depend d
  LEFT JOIN pg_init_privs i ON i.classoid = d.classid AND i.objoid = d.objid AND i.objsubid = 0
  LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
  LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'grant')
   AND d.classid IN ('pg_class'::regclass, 'pg_proc'::regclass)
   AND coalesce(c.relacl, p.proacl) IS DISTINCT FROM i.initprivs;

\c :regress_db
DROP DATABASE grant_upgrade_old;
DROP DATABASE grant_upgrade_new;
DROP DATABASE grant_upgrade_02;
DROP ROLE grant_upgrade_app;
