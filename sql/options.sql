-- Options of the grant_fdw wrapper, servers, user mappings, foreign tables
-- and columns, as checked by grant_fdw.grant_fdw_validator.  Every object
-- created here is named opt_* and dropped at the end.
-- quiet whether or not an earlier test created the extension
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS "grant";
RESET client_min_messages;

--
-- The wrapper takes no options
--
ALTER FOREIGN DATA WRAPPER grant_fdw OPTIONS (ADD fetch_size '10');

--
-- Servers
--
-- a registry server
CREATE SERVER opt_registry FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (database 'primary', fetch_size '500', batch_size '20',
           updatable 'false', truncatable 'true');
-- registry-less: a URL plus libpq keywords, or host/port/dbname
CREATE SERVER opt_pg_url FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'postgresql://app@127.0.0.1:5999/app', sslmode 'require',
           connect_timeout '5', application_name 'opt');
CREATE SERVER opt_pg_parts FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', port '5999', dbname 'app', keepalives '1');
-- registry-less MySQL: parameters as in a mysql:// URL, either spelling
CREATE SERVER opt_my FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'mysql://app@[::1]:3306/shop?charset=utf8mb4', ssl_mode 'required');
CREATE SERVER opt_my_parts FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (adapter 'mariadb', host 'db.example', port '3306', dbname 'shop',
           connect_timeout '3');
SELECT srvname, srvoptions FROM pg_foreign_server
 WHERE srvname LIKE 'opt_%' ORDER BY srvname;

-- unknown options: the hint lists the valid ones (for PostgreSQL or MySQL)
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'primary', bogus 'x');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'mysql://h/db', sslmode 'require');
-- mutually exclusive options
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'primary', host 'h');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (database 'primary', url 'postgresql://h/db');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'postgresql://h/db', port '5432');
ALTER SERVER opt_registry OPTIONS (ADD sslmode 'require');
-- no secrets on a server: everyone can read server options
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'postgresql://app:canary_pw_93@h/db');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'postgresql://h/db?sslpassword=canary_pw_93');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'mysql://h/db?ssl-passphrase=canary_pw_93');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host 'h', sslpassword 'canary_pw_93');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host 'h', password 'canary_pw_93');
-- malformed values
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw OPTIONS (database '');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw OPTIONS (adapter 'oracle', host 'h');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (adapter 'mysql', url 'postgresql://h/db');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw OPTIONS (url 'http://u:canary_pw_93@h/db');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw OPTIONS (url 'mysql://h:99999/db');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw OPTIONS (host 'h', port '0');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw OPTIONS (host 'h', port 'fivefour');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw OPTIONS (host 'h', fetch_size '0');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw OPTIONS (host 'h', batch_size '-5');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw OPTIONS (host 'h', updatable 'maybe');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw OPTIONS (host 'h', connect_timeout 'soon');
CREATE SERVER opt_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'mysql://h/db', ssl_mode 'sometimes');
SELECT count(*) AS bad_servers FROM pg_foreign_server WHERE srvname = 'opt_bad';

--
-- User mappings
--
CREATE USER MAPPING FOR CURRENT_USER SERVER opt_registry
  OPTIONS (user 'app', password 'secret', password_required 'true');
CREATE USER MAPPING FOR PUBLIC SERVER opt_registry OPTIONS (user 'app', sslmode 'require');
CREATE USER MAPPING FOR PUBLIC SERVER opt_registry OPTIONS (password_required 'sometimes');
-- only a superuser may drop the password requirement
CREATE ROLE regress_grant_opt_user;
GRANT USAGE ON FOREIGN SERVER opt_registry TO regress_grant_opt_user;
SET ROLE regress_grant_opt_user;
CREATE USER MAPPING FOR CURRENT_USER SERVER opt_registry
  OPTIONS (user 'app', password_required 'false');
CREATE USER MAPPING FOR CURRENT_USER SERVER opt_registry
  OPTIONS (user 'app', password 'secret');
RESET ROLE;
ALTER USER MAPPING FOR regress_grant_opt_user SERVER opt_registry
  OPTIONS (ADD password_required 'false');

--
-- Foreign tables and columns
--
CREATE FOREIGN TABLE opt_users (
  id int OPTIONS (key 'true'),
  name text OPTIONS (column_name 'full_name')
) SERVER opt_registry
  OPTIONS (schema_name 'app', table_name 'users', shard_key 'id', key 'id',
           updatable 'true', truncatable 'false', fetch_size '100', batch_size '10');
CREATE FOREIGN TABLE opt_pairs (a int, b int) SERVER opt_pg_url OPTIONS (key 'a, "B"');
SELECT relname, ftoptions FROM pg_foreign_table JOIN pg_class ON oid = ftrelid
 WHERE relname LIKE 'opt_%' ORDER BY relname;
SELECT attname, attfdwoptions FROM pg_attribute
 WHERE attrelid = 'opt_users'::regclass AND attnum > 0 ORDER BY attnum;

CREATE FOREIGN TABLE opt_bad (a int) SERVER opt_registry OPTIONS (database 'primary');
CREATE FOREIGN TABLE opt_bad (a int) SERVER opt_registry OPTIONS (table_name '');
CREATE FOREIGN TABLE opt_bad (a int) SERVER opt_registry OPTIONS (key 'a,');
CREATE FOREIGN TABLE opt_bad (a int) SERVER opt_registry OPTIONS (key '');
CREATE FOREIGN TABLE opt_bad (a int) SERVER opt_registry OPTIONS (updatable 'yes please');
CREATE FOREIGN TABLE opt_bad (a int) SERVER opt_registry OPTIONS (batch_size '0');
CREATE FOREIGN TABLE opt_bad (a int OPTIONS (colour 'red')) SERVER opt_registry;
CREATE FOREIGN TABLE opt_bad (a int OPTIONS (key 'maybe')) SERVER opt_registry;
CREATE FOREIGN TABLE opt_bad (a int OPTIONS (column_name '')) SERVER opt_registry;
ALTER FOREIGN TABLE opt_users ALTER COLUMN id OPTIONS (ADD shard_key 'true');
ALTER FOREIGN TABLE opt_users OPTIONS (SET fetch_size 'many');

--
-- Clean up
--
DROP FOREIGN TABLE opt_users, opt_pairs;
DROP USER MAPPING FOR CURRENT_USER SERVER opt_registry;
DROP USER MAPPING FOR regress_grant_opt_user SERVER opt_registry;
DROP SERVER opt_registry, opt_pg_url, opt_pg_parts, opt_my, opt_my_parts;
DROP ROLE regress_grant_opt_user;
