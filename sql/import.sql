--
-- IMPORT FOREIGN SCHEMA from a PostgreSQL remote, and the connection
-- cache following changes of servers and user mappings.
--
\i sql/include/fdw_setup.sql

SELECT on_node('writer', $$
  DROP SCHEMA IF EXISTS imp CASCADE;
  CREATE SCHEMA imp;
  CREATE TABLE imp.people (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'anon',
                           born date, tags text[], doc jsonb, score numeric(8,3),
                           "Mixed Case" varchar(12));
  CREATE TABLE imp.other (x int);
  CREATE VIEW imp.adults AS SELECT id, name FROM imp.people WHERE born < date '2006-01-01';
  INSERT INTO imp.people VALUES (1, 'ann', '1990-05-01', '{a,b}', '{"k": 1}', 1.5, 'MiXeD'),
                                (2, 'bo', '2010-01-02', NULL, NULL, NULL, NULL);
  GRANT USAGE ON SCHEMA imp TO grant_test;
  GRANT SELECT ON ALL TABLES IN SCHEMA imp TO grant_test;
$$);
SELECT grant_fdw.establish_connection('impdb', 'postgresql', :'writer_url') > 0 AS registered;
CREATE SERVER impdb FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'impdb');

CREATE SCHEMA local_imp;
IMPORT FOREIGN SCHEMA imp FROM SERVER impdb INTO local_imp;
SELECT table_name, column_name, data_type, is_nullable
  FROM information_schema.columns WHERE table_schema = 'local_imp'
  ORDER BY table_name, ordinal_position;
SELECT foreign_table_name, option_name, option_value
  FROM information_schema.foreign_table_options WHERE foreign_table_schema = 'local_imp'
  ORDER BY 1, 2;
SELECT * FROM local_imp.people ORDER BY id;
SELECT * FROM local_imp.adults;

-- LIMIT TO and EXCEPT
CREATE SCHEMA local_imp2;
IMPORT FOREIGN SCHEMA imp LIMIT TO (other) FROM SERVER impdb INTO local_imp2;
IMPORT FOREIGN SCHEMA imp EXCEPT (other, people) FROM SERVER impdb INTO local_imp2;
SELECT relname FROM pg_class WHERE relnamespace = 'local_imp2'::regnamespace ORDER BY 1;
-- import_not_null false, import_default true
CREATE SCHEMA local_imp3;
IMPORT FOREIGN SCHEMA imp LIMIT TO (people) FROM SERVER impdb INTO local_imp3
  OPTIONS (import_not_null 'false', import_default 'true');
SELECT column_name, is_nullable, column_default FROM information_schema.columns
  WHERE table_schema = 'local_imp3' AND column_name IN ('id', 'name') ORDER BY 1;
-- errors
IMPORT FOREIGN SCHEMA nope FROM SERVER impdb INTO local_imp3;
IMPORT FOREIGN SCHEMA imp FROM SERVER impdb INTO local_imp3 OPTIONS (bogus 'x');

-- the connection cache follows changes: a new user mapping takes effect
-- at the next transaction (the old connection is dropped)
CREATE FOREIGN TABLE imp_whoami (usr text) SERVER impdb
  OPTIONS (schema_name 'public', table_name 'whoami');
SELECT usr FROM imp_whoami;
SELECT count(*) AS open FROM grant_fdw.connection_status() WHERE server_name = 'impdb';
CREATE USER MAPPING FOR CURRENT_USER SERVER impdb OPTIONS (user 'grant_trust');
SELECT count(*) AS open FROM grant_fdw.connection_status() WHERE server_name = 'impdb' AND valid;
SELECT usr FROM imp_whoami;
DROP USER MAPPING FOR CURRENT_USER SERVER impdb;
SELECT usr FROM imp_whoami;
-- a registry change is seen by the next statement
SELECT grant_fdw.remove_connection('impdb');
SELECT show_error('SELECT usr FROM imp_whoami');

-- the catalog is the writer's, even with a reader that is behind it
SELECT grant_fdw.establish_connection('impdb2', 'postgresql', :'writer_url') > 0 AS registered;
SELECT grant_fdw.establish_connection('impdb2', 'postgresql', :'reader_url', role => 'reading') > 0 AS registered;
CREATE SERVER impdb2 FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'impdb2');
SELECT wait_for_reader();
SELECT from_node('reader', 'SELECT pg_wal_replay_pause()::text') IS NOT NULL AS paused;
SELECT on_node('writer', 'CREATE TABLE imp.fresh (id int); GRANT SELECT ON imp.fresh TO grant_test');
CREATE SCHEMA local_imp4;
IMPORT FOREIGN SCHEMA imp LIMIT TO (fresh) FROM SERVER impdb2 INTO local_imp4;
SELECT foreign_table_name FROM information_schema.foreign_tables
 WHERE foreign_table_schema = 'local_imp4';
SET "grant".role = 'reading';
IMPORT FOREIGN SCHEMA imp LIMIT TO (people) FROM SERVER impdb2 INTO local_imp4;
RESET "grant".role;
SELECT count(*) AS tables FROM information_schema.foreign_tables
 WHERE foreign_table_schema = 'local_imp4';
SELECT from_node('reader', 'SELECT pg_wal_replay_resume()::text') IS NOT NULL AS resumed;
DROP SCHEMA local_imp4 CASCADE;
DROP SERVER impdb2 CASCADE;
SELECT grant_fdw.remove_connection('impdb2') AS removed;

-- truncatable and updatable are honoured: the table's option, else the server's
SELECT grant_fdw.establish_connection('impdb3', 'postgresql', :'writer_url') > 0 AS registered;
CREATE SERVER impdb3 FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (database 'impdb3', truncatable 'false', updatable 'false');
SELECT on_node('writer', 'CREATE TABLE imp.guarded (id int); INSERT INTO imp.guarded VALUES (1); GRANT ALL ON imp.guarded TO grant_test');
CREATE FOREIGN TABLE guarded (id int) SERVER impdb3 OPTIONS (schema_name 'imp', table_name 'guarded');
SELECT show_error('TRUNCATE guarded');
SELECT show_error('INSERT INTO guarded VALUES (2)');
SELECT show_error('UPDATE guarded SET id = 3');
SELECT show_error('DELETE FROM guarded');
SELECT show_error($$COPY guarded FROM PROGRAM 'echo 4'$$);
SELECT id FROM guarded;
ALTER FOREIGN TABLE guarded OPTIONS (ADD truncatable 'true', ADD updatable 'true');
INSERT INTO guarded VALUES (5);
TRUNCATE guarded;
SELECT count(*) FROM guarded;
DROP SERVER impdb3 CASCADE;
SELECT grant_fdw.remove_connection('impdb3') AS removed;

-- cleanup
DROP SCHEMA local_imp, local_imp2, local_imp3 CASCADE;
DROP SERVER impdb CASCADE;
SELECT on_node('writer', 'DROP SCHEMA imp CASCADE');
