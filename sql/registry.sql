-- The endpoint registry: registration, validation, the view, privileges,
-- removal and the backend cache.  Nothing here connects anywhere, so the
-- URLs are literal.  Every database name starts with reg_ so the test does
-- not meet rows of other tests.
-- quiet whether or not an earlier test created the extension
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS "grant";
RESET client_min_messages;

-- make the ids in the output independent of earlier tests
SELECT setval('grant_fdw.endpoints_id_seq', 1000) > 0 AS ids_from_1001;

-- an error's message, detail and hint as one line, or 'no error'
CREATE FUNCTION pg_temp.error_text(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  m text;
  d text;
  h text;
BEGIN
  EXECUTE sql;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
  RETURN concat_ws(' | ', m, NULLIF(d, ''), NULLIF(h, ''));
END
$$;

--
-- Registration, PostgreSQL: URIs and libpq keyword strings (libpq's parser)
--
SELECT grant_fdw.establish_connection('reg_app', NULL,
  'postgresql://app:canary_pw_93@127.0.0.1:5999/app?sslmode=require&sslpassword=canary_ssl_93&connect_timeout=3');
SELECT grant_fdw.establish_connection('reg_app', 'pg',
  'host=127.0.0.1 port=5998 dbname=app user=app password=canary_pw_93', 'reading');
SELECT grant_fdw.establish_connection('reg_app', 'postgres',
  'POSTGRES://app:canary_pw_93@[::1]:5997/app', role => 'reading', weight => 3);
SELECT grant_fdw.establish_connection('reg_app', 'PostgreSQL',
  'host=/var/run/postgresql dbname=app', 'writing', shard => 'eu');
SELECT grant_fdw.establish_connection('reg_app', '',
  'postgresql:///app', 'reading', 'eu', 0);

SELECT id, database, adapter, role, shard, weight, host, port, dbname, username,
       options, url, has_password
  FROM grant_fdw.connections WHERE database = 'reg_app' ORDER BY id;

-- the table holds the secrets (readable by superusers only)
SELECT id, password, options FROM grant_fdw.endpoints
 WHERE database = 'reg_app' ORDER BY id;

--
-- Registration, MySQL: our own parser, part by part
--
-- percent-encoded user and password
SELECT grant_fdw.establish_connection('reg_my1', 'mysql',
  'mysql://sh%40p:s%3Acr%40t%2F%25@db.example:3306/shop');
-- IPv6 host and port, no user
SELECT grant_fdw.establish_connection('reg_my2', 'mariadb', 'mysql://[::1]:3307/shop');
-- mariadb:// scheme, no port, no database
SELECT grant_fdw.establish_connection('reg_my3', NULL, 'mariadb://reader@db.example');
-- query parameters: names in either spelling, values normalized; the
-- passphrase is a secret
SELECT grant_fdw.establish_connection('reg_my4', NULL,
  'mysql://u:canary_pw_93@db.example/shop?charset=utf8mb4&ssl_mode=verify_ca'
  '&ssl-ca=%2Fetc%2Fssl%2Fca.pem&Connect-Timeout=5&compress=on&ssl-passphrase=canary_ssl_93');
-- percent-encoded database name, empty password
SELECT grant_fdw.establish_connection('reg_my5', NULL, 'mysql://u:@h/my%20shop');

SELECT database, adapter, host, port, dbname, username, options, url, has_password
  FROM grant_fdw.connections WHERE database LIKE 'reg_my%' ORDER BY database;
SELECT database, password FROM grant_fdw.endpoints
 WHERE database LIKE 'reg_my%' ORDER BY database;

--
-- Validation: each a clear error, nothing written
--
SELECT count(*) AS endpoints_before FROM grant_fdw.endpoints \gset
-- bad scheme (only the scheme is named)
SELECT grant_fdw.establish_connection('reg_x', NULL, 'http://u:canary_pw_93@h/db');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'canary_pw_93');
-- adapter/url mismatch
SELECT grant_fdw.establish_connection('reg_x', 'mysql', 'postgresql://u:canary_pw_93@h/db');
SELECT grant_fdw.establish_connection('reg_x', 'pg', 'mysql://u:canary_pw_93@h/db');
SELECT grant_fdw.establish_connection('reg_x', 'mysql', 'host=h password=canary_pw_93');
-- unknown adapter
SELECT grant_fdw.establish_connection('reg_x', 'oracle', 'mysql://u:canary_pw_93@h/db');
-- unknown role
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://h/db', 'replica');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://h/db', NULL);
-- empty database name, empty shard
SELECT grant_fdw.establish_connection('', NULL, 'mysql://h/db');
SELECT grant_fdw.establish_connection(NULL, NULL, 'mysql://h/db');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://h/db', 'writing', '');
-- empty URL
SELECT grant_fdw.establish_connection('reg_x', NULL, '');
-- port out of range or not a number
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary_pw_93@h:70000/db');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary_pw_93@h:0/db');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'postgresql://u:canary_pw_93@h:65536/db');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'host=h port=0 password=canary_pw_93');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://h:canary_pw_93/db');
-- negative weight
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://h/db', 'reading', 'default', -1);
-- the same endpoint twice (even under another role or user)
SELECT grant_fdw.establish_connection('reg_app', NULL,
  'postgresql://other:canary_pw_93@127.0.0.1:5998/app', 'reading');
-- a second writer for one database and shard
SELECT grant_fdw.establish_connection('reg_app', NULL,
  'postgresql://app:canary_pw_93@127.0.0.1:5990/app', 'writing');
-- one adapter per shard: a MySQL reader of a PostgreSQL shard is refused
-- (a MySQL shard beside PostgreSQL ones is not: at the end)
SELECT grant_fdw.establish_connection('reg_app', NULL,
  'mysql://app:canary_pw_93@127.0.0.1:5990/app', 'reading');
-- several hosts in one endpoint
SELECT grant_fdw.establish_connection('reg_x', NULL, 'postgresql://u:canary_pw_93@h1,h2/db');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary_pw_93@h1,h2/db');
-- connection options grant manages itself
SELECT grant_fdw.establish_connection('reg_x', NULL, 'host=h client_encoding=latin1');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'host=h dbname=''host=other''');
-- malformed PostgreSQL input: libpq's message, quoted input masked
SELECT grant_fdw.establish_connection('reg_x', NULL, 'postgresql://u:canary_pw_93%zz@h/db');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'postgresql://u:canary_pw_93@[::1/db');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'host=h password canary_pw_93');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'postgresql://h/db?sslpassword');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'postgresql://h/db?bogus=1');
-- malformed MySQL input
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary_pw_93%zz@h/db');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary_pw_93%00@h/db');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary_pw_93@[::1/db');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary_pw_93@[::1]x/db');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary_pw_93@h/db/extra');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary#pw@h/db');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary_pw_93@h/db?bogus=1');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary_pw_93@h/db?charset');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary_pw_93@h/db?ssl-mode=sometimes');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary_pw_93@h/db?connect_timeout=-1');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary_pw_93@h/db?compress=perhaps');
SELECT grant_fdw.establish_connection('reg_x', NULL, 'mysql://u:canary_pw_93@h/db?charset=a&charset=b');
SELECT count(*) - :endpoints_before AS written_by_failures FROM grant_fdw.endpoints;

--
-- Passwords never shown: not by the view, not in any error text
--
SELECT count(*) AS view_rows_with_canary
  FROM grant_fdw.connections c WHERE c::text LIKE '%canary%';
SELECT count(*) AS errors_with_canary
  FROM (VALUES
    ('http://u:canary_pw_93@h/db'),
    ('postgresql://u:canary_pw_93%zz@h/db'),
    ('postgresql://u:canary_pw_93@[::1/db'),
    ('postgresql://u:canary_pw_93@h1,h2/db'),
    ('postgresql://u:canary_pw_93@h:99999/db'),
    ('postgresql://u:canary pw@h/db?x'),
    ('postgresql://h/db?sslpassword=canary_pw_93=x'),
    ('postgresql://h/db?canary_pw_93'),
    ('host=h password canary_pw_93'),
    ('host=h password=''canary_pw_93'),
    ('host=h port=canary_pw_93'),
    ('mysql://u:canary_pw_93%zz@h/db'),
    ('mysql://u:canary_pw_93@[::1/db'),
    ('mysql://h:canary_pw_93/db'),
    ('mysql://u:canary#pw@h/db'),
    ('mysql://u:canary_pw_93@h/db?ssl-passphrase='),
    ('mysql://u:canary_pw_93@127.0.0.1:3306/shop')
  ) AS v(url),
  LATERAL (SELECT pg_temp.error_text(format(
     'SELECT grant_fdw.establish_connection(%L, %L, %L)',
     'reg_my1', 'mysql', url)) AS e) AS r
 WHERE r.e LIKE '%canary%' OR r.e = 'no error';

--
-- Privileges
--
CREATE ROLE regress_grant_user;
CREATE ROLE regress_grant_registrar;
SELECT grant_fdw.add_registry_admin('regress_grant_registrar');
SET ROLE regress_grant_user;
-- a plain user cannot read the table nor register or remove endpoints
SELECT * FROM grant_fdw.endpoints;
SELECT grant_fdw.establish_connection('reg_priv', NULL, 'mysql://h/db');
SELECT grant_fdw.remove_connection('reg_app');
-- but reads the view
SELECT count(*) AS visible FROM grant_fdw.connections WHERE database LIKE 'reg_%';
RESET ROLE;
SET ROLE regress_grant_registrar;
-- a registry administrator registers and removes, still without reading the table
SELECT grant_fdw.establish_connection('reg_priv', NULL, 'mysql://u:canary_pw_93@h/db');
SELECT database, url, has_password FROM grant_fdw.connections WHERE database = 'reg_priv';
SELECT * FROM grant_fdw.endpoints;
SELECT grant_fdw.remove_connection('reg_priv');
RESET ROLE;
DROP ROLE regress_grant_user;
SELECT grant_fdw.remove_registry_admin('regress_grant_registrar');
DROP ROLE regress_grant_registrar;

--
-- The backend cache: what the router reads, reloaded only after a change
--
SELECT * FROM grant_fdw.registry_cache('reg_app');
SELECT generation AS gen0, loads AS loads0 FROM grant_fdw.registry_cache_stats() \gset
SELECT count(*) FROM grant_fdw.registry_cache('reg_app');
SELECT loads - :loads0 AS reloads_without_change, valid
  FROM grant_fdw.registry_cache_stats();
SELECT grant_fdw.establish_connection('reg_app', NULL,
  'postgresql://app@127.0.0.1:5996/app', 'reading', 'eu');
SELECT id, role, shard, endpoint FROM grant_fdw.registry_cache('reg_app') WHERE shard = 'eu';
SELECT generation > :gen0 AS invalidated, loads > :loads0 AS reloaded
  FROM grant_fdw.registry_cache_stats();
-- a change rolled back is forgotten as well
BEGIN;
SELECT grant_fdw.remove_connection('reg_app', shard => 'eu');
SELECT count(*) AS eu_inside FROM grant_fdw.registry_cache('reg_app') WHERE shard = 'eu';
ROLLBACK;
SELECT count(*) AS eu_after_rollback FROM grant_fdw.registry_cache('reg_app') WHERE shard = 'eu';
SELECT count(*) AS unknown_database FROM grant_fdw.registry_cache('reg_nothing');

--
-- Removal
--
-- by URL (matched on host, port and dbname; the password is irrelevant)
SELECT grant_fdw.remove_connection('reg_app', url => 'postgresql://x:y@[::1]:5997/app');
-- by role and shard
SELECT grant_fdw.remove_connection('reg_app', 'reading', 'eu');
-- by shard
SELECT grant_fdw.remove_connection('reg_app', shard => 'eu');
-- nothing matches
SELECT grant_fdw.remove_connection('reg_app', 'reading', 'eu');
SELECT grant_fdw.remove_connection('reg_app', url => 'mysql://127.0.0.1:5999/app');
SELECT grant_fdw.remove_connection('reg_nothing');
SELECT grant_fdw.remove_connection('reg_app', 'replica');
SELECT grant_fdw.remove_connection('');
SELECT database, role, shard, url FROM grant_fdw.connections
 WHERE database = 'reg_app' ORDER BY id;
-- the database alone removes all its endpoints
SELECT grant_fdw.remove_connection('reg_app');
SELECT grant_fdw.remove_connection('reg_my1') + grant_fdw.remove_connection('reg_my2')
     + grant_fdw.remove_connection('reg_my3') + grant_fdw.remove_connection('reg_my4')
     + grant_fdw.remove_connection('reg_my5') AS removed;
SELECT count(*) AS left_over FROM grant_fdw.endpoints WHERE database LIKE 'reg_%';

-- shards of one database may use different adapters
SELECT grant_fdw.establish_connection('reg_mixed', NULL,
  'postgresql://app:canary_pw_93@127.0.0.1:5990/app', shard => 'pg1') > 0 AS pg_shard;
SELECT grant_fdw.establish_connection('reg_mixed', NULL,
  'mysql://app:canary_pw_93@127.0.0.1:5990/app', shard => 'my1') > 0 AS mysql_shard;
SELECT grant_fdw.establish_connection('reg_mixed', NULL,
  'postgresql://app:canary_pw_93@127.0.0.1:5991/app', 'reading', shard => 'my1');
SELECT shard, adapter, role FROM grant_fdw.connections
 WHERE database = 'reg_mixed' ORDER BY shard;
SELECT grant_fdw.remove_connection('reg_mixed');
