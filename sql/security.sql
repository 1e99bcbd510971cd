--
-- The security model (docs/SECURITY.md), attacked as a non-superuser:
-- options that would borrow the local server's identity, who may use the
-- registry's credentials, the password a non-superuser must bring and the
-- remote must use, the registry table's privileges and the install
-- script's SECURITY DEFINER functions.  Secrets in views, EXPLAIN, errors,
-- logs and dumps are the scenario security_leaks.sh; TLS is security_tls.sh.
-- Every object made here is named sec_* and dropped at the end.
--
\i sql/include/fdw_setup.sql

CREATE ROLE sec_user;
CREATE ROLE sec_admin;
SELECT grant_fdw.add_registry_admin('sec_admin');
GRANT USAGE ON FOREIGN DATA WRAPPER grant_fdw TO sec_user, sec_admin;
GRANT CREATE ON SCHEMA public TO sec_user, sec_admin;

--
-- Superuser-only options, refused to a non-superuser at CREATE / ALTER
--
SET ROLE sec_user;
-- libpq: a client certificate and key, a password file, a service file
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', sslcert '/var/lib/postgresql/.postgresql/postgresql.crt')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', sslkey '/var/lib/postgresql/.postgresql/postgresql.key')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', passfile '/var/lib/postgresql/.pgpass')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', service 'admin')$$);
-- the same inside a server's url
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'postgresql://127.0.0.1/app?sslkey=/tmp/k&sslmode=require')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'host=127.0.0.1 dbname=app service=admin')$$);
-- the key's passphrase is a secret: refused on any server, superuser or not
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', sslpassword 'x')$$);
-- MySQL: a client certificate and key, a Unix socket (named, or taken for
-- localhost or no host), option files (not even known to grant)
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (adapter 'mysql', host '127.0.0.1', ssl_cert '/tmp/c.pem')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'mysql://127.0.0.1/app?ssl-key=/tmp/k.pem')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (adapter 'mysql', host '127.0.0.1', socket '/run/mysqld/mysqld.sock')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'mysql://LocalHost/app')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (adapter 'mysql', dbname 'app')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'mysql://127.0.0.1/app?read_default_file=/etc/mysql/debian.cnf')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (adapter 'mysql', host '127.0.0.1', read_default_group 'client')$$);
-- one endpoint is one host: lists are refused (for everyone)
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1,127.0.0.2', port '5432')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (hostaddr '127.0.0.1,127.0.0.2')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'postgresql://127.0.0.1:1,127.0.0.2:2/app')$$);
-- a server for a registry database would use the registry's credentials
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (database 'sec_db')$$);
-- what a non-superuser may set: TLS verification, a host, a timeout
CREATE SERVER sec_tls FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', port '5432', dbname 'app', sslmode 'verify-full',
           sslrootcert '/tmp/ca.crt', sslcrl '/tmp/ca.crl', connect_timeout '3');
CREATE SERVER sec_my_tls FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'mysql://127.0.0.1:3306/app?ssl-mode=verify_identity&ssl-ca=/tmp/ca.crt');
-- ... but not add a superuser-only option later, nor drop the requirement
-- of a password
SELECT show_error($$ALTER SERVER sec_tls OPTIONS (ADD sslcert '/tmp/c.crt')$$);
SELECT show_error($$ALTER SERVER sec_my_tls OPTIONS (ADD socket '/tmp/my.sock')$$);
SELECT show_error($$CREATE USER MAPPING FOR CURRENT_USER SERVER sec_tls
  OPTIONS (user 'app', password 'pw', password_required 'false')$$);
SELECT srvname, srvoptions FROM pg_foreign_server WHERE srvname LIKE 'sec_%' ORDER BY 1;
RESET ROLE;
SELECT count(*) AS refused_servers_made FROM pg_foreign_server WHERE srvname = 'sec_bad';

-- a superuser may set each of them
CREATE SERVER sec_super FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', sslcert '/tmp/c.crt', sslkey '/tmp/c.key',
           passfile '/tmp/pgpass', service 'admin');
CREATE SERVER sec_super_my FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'mysql://localhost/app?ssl-cert=/tmp/c.pem&ssl-key=/tmp/k.pem&socket=/tmp/my.sock');
ALTER SERVER sec_tls OPTIONS (ADD sslkey '/tmp/c.key');
-- and then the server's owner may not change it without a superuser
ALTER SERVER sec_tls OWNER TO sec_user;
SET ROLE sec_user;
SELECT show_error($$ALTER SERVER sec_tls OPTIONS (SET connect_timeout '5')$$);
RESET ROLE;

--
-- Registration by a grant_admin member: the same limits
--
SET ROLE sec_admin;
SELECT show_error(format($$SELECT grant_fdw.establish_connection('sec_db', NULL,
  'postgresql://grant_test@127.0.0.1:%s/app?sslcert=/tmp/c.crt&sslkey=/tmp/c.key')$$,
  current_setting('test.writer_port')));
SELECT show_error($$SELECT grant_fdw.establish_connection('sec_db', NULL,
  'host=127.0.0.1 dbname=app passfile=/var/lib/postgresql/.pgpass')$$);
SELECT show_error($$SELECT grant_fdw.establish_connection('sec_db', NULL,
  'postgresql:///app?service=admin')$$);
SELECT show_error($$SELECT grant_fdw.establish_connection('sec_db', NULL,
  'postgresql://127.0.0.1/app?sslpassword=canary_sec_41')$$);
SELECT show_error($$SELECT grant_fdw.establish_connection('sec_my', NULL,
  'mysql://grant_test:canary_sec_41@localhost/app')$$);
SELECT show_error($$SELECT grant_fdw.establish_connection('sec_my', NULL,
  'mysql://grant_test:canary_sec_41@127.0.0.1/app?socket=/tmp/my.sock')$$);
SELECT show_error($$SELECT grant_fdw.establish_connection('sec_my', NULL,
  'mysql://grant_test:canary_sec_41@127.0.0.1/app?ssl-passphrase=canary_sec_41')$$);
SELECT show_error($$SELECT grant_fdw.establish_connection('sec_my', NULL,
  'mysql://grant_test@127.0.0.1/app?read_default_file=/etc/mysql/debian.cnf')$$);
SELECT show_error($$SELECT grant_fdw.establish_connection('sec_db', NULL,
  'postgresql://grant_test@127.0.0.1,127.0.0.2/app')$$);
SELECT show_error($$SELECT grant_fdw.establish_connection('sec_db', NULL,
  'host=127.0.0.1 hostaddr=127.0.0.1,127.0.0.2 dbname=app')$$);
SELECT count(*) AS registered FROM grant_fdw.connections WHERE database LIKE 'sec_%';
-- an ordinary endpoint, and a server for it: a registry administrator may
SELECT grant_fdw.establish_connection('sec_db', NULL,
  format('postgresql://grant_test:%s@127.0.0.1:%s/app?sslmode=prefer', :'password',
         current_setting('test.writer_port'))) > 0 AS registered;
CREATE SERVER sec_registry FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'sec_db');
-- the table itself stays out of reach, the view has no password column
SELECT show_error('SELECT password FROM grant_fdw.endpoints');
SELECT show_error('SELECT count(*) FROM grant_fdw.endpoints');
RESET ROLE;
SELECT grantee, privilege_type FROM information_schema.role_table_grants
 WHERE table_schema = 'grant_fdw' AND table_name = 'endpoints'
   AND grantee <> (SELECT tableowner FROM pg_tables
                    WHERE schemaname = 'grant_fdw' AND tablename = 'endpoints')::text;
SELECT attname FROM pg_attribute
 WHERE attrelid = 'grant_fdw.connections'::regclass AND attnum > 0
   AND attname ~ 'pass' ORDER BY 1;
-- a superuser may register a client certificate
SELECT grant_fdw.establish_connection('sec_super', NULL,
  'postgresql://grant_test@127.0.0.1:1/app?sslcert=/tmp/c.crt&sslkey=/tmp/c.key&sslpassword=canary_sec_41') > 0 AS registered;
SELECT options, url FROM grant_fdw.connections WHERE database = 'sec_super';

--
-- The password a non-superuser brings, and the remote must use
--
CREATE FOREIGN TABLE sec_whoami (port int, in_recovery bool, usr text)
  SERVER sec_registry OPTIONS (table_name 'whoami');
GRANT SELECT ON sec_whoami TO sec_user;
GRANT USAGE ON FOREIGN SERVER sec_registry TO sec_user;
-- the registry's credentials serve whoever has no mapping
SET ROLE sec_user;
SELECT node_of(port), usr FROM sec_whoami;
RESET ROLE;
-- a mapping naming another user does not borrow the registry's password:
-- it is stopped before connecting (libpq would otherwise look for one in
-- the local server's environment and password file)
CREATE USER MAPPING FOR sec_user SERVER sec_registry OPTIONS (user 'grant_trust');
SET ROLE sec_user;
SELECT show_error('SELECT usr FROM sec_whoami');
RESET ROLE;
-- with a password the remote does not ask for (trust), the check after
-- connecting refuses the connection
ALTER USER MAPPING FOR sec_user SERVER sec_registry OPTIONS (ADD password 'ignored');
SET ROLE sec_user;
SELECT show_error('SELECT usr FROM sec_whoami');
RESET ROLE;
-- a superuser may use trust, but not on an endpoint a non-superuser chose:
-- sec_db was registered by sec_admin, so a superuser's connection follows
-- the rules of non-superusers there (a password required, and used)
SELECT registered_by FROM grant_fdw.connections WHERE database = 'sec_db';
CREATE USER MAPPING FOR CURRENT_USER SERVER sec_registry OPTIONS (user 'grant_trust');
SELECT show_error('SELECT usr FROM sec_whoami');
ALTER USER MAPPING FOR CURRENT_USER SERVER sec_registry OPTIONS (ADD password 'ignored');
SELECT show_error('SELECT usr FROM sec_whoami');
DROP USER MAPPING FOR CURRENT_USER SERVER sec_registry;
-- on an endpoint a superuser registered, trust serves a superuser
SELECT grant_fdw.establish_connection('sec_su', NULL,
  format('postgresql://grant_trust@127.0.0.1:%s/app', current_setting('test.writer_port'))) > 0 AS registered;
SELECT registered_by FROM grant_fdw.connections WHERE database = 'sec_su';
CREATE SERVER sec_su FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'sec_su');
CREATE FOREIGN TABLE sec_su_whoami (port int, in_recovery bool, usr text)
  SERVER sec_su OPTIONS (table_name 'whoami');
SELECT usr FROM sec_su_whoami;
-- a registry-less server owned by a non-superuser is that user's choice too
SET ROLE sec_admin;
CREATE SERVER sec_su_less FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', port :'writer_port', dbname 'app');
RESET ROLE;
CREATE USER MAPPING FOR CURRENT_USER SERVER sec_su_less OPTIONS (user 'grant_trust');
CREATE FOREIGN TABLE sec_su_less_whoami (port int, in_recovery bool, usr text)
  SERVER sec_su_less OPTIONS (table_name 'whoami');
SELECT show_error('SELECT usr FROM sec_su_less_whoami');
ALTER SERVER sec_su_less OWNER TO CURRENT_USER;
SELECT usr FROM sec_su_less_whoami;
-- a wrong password fails; the right one works
ALTER USER MAPPING FOR sec_user SERVER sec_registry
  OPTIONS (SET user 'grant_test', SET password 'wrong_sec_41');
SET ROLE sec_user;
SELECT regexp_replace(show_error('SELECT usr FROM sec_whoami'), 'port [0-9]+', 'port WRITER');
RESET ROLE;
ALTER USER MAPPING FOR sec_user SERVER sec_registry OPTIONS (SET password :'password');
SET ROLE sec_user;
SELECT node_of(port), usr FROM sec_whoami;
RESET ROLE;
-- the same user as the registry's, without a password: the registry's serves
ALTER USER MAPPING FOR sec_user SERVER sec_registry OPTIONS (DROP password);
SET ROLE sec_user;
SELECT node_of(port), usr FROM sec_whoami;
RESET ROLE;
-- a registered endpoint without a password is refused to a non-superuser
-- before any connection is tried
DROP USER MAPPING FOR sec_user SERVER sec_registry;
SELECT grant_fdw.establish_connection('sec_nopw', NULL,
  format('postgresql://grant_trust@127.0.0.1:%s/app', current_setting('test.writer_port'))) > 0 AS registered;
CREATE SERVER sec_nopw FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'sec_nopw');
CREATE FOREIGN TABLE sec_nopw_whoami (port int) SERVER sec_nopw OPTIONS (table_name 'whoami');
GRANT SELECT ON sec_nopw_whoami TO sec_user;
SET ROLE sec_user;
SELECT show_error('SELECT port FROM sec_nopw_whoami');
RESET ROLE;

--
-- Connection options: a whitelist for non-superusers
--
SET ROLE sec_user;
-- what would send the local server's Kerberos credentials or ticket
-- elsewhere, or connect to another address than the host checked
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', gssencmode 'require')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', krbsrvname 'postgres')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host 'db.example', hostaddr '127.0.0.1')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '/var/run/postgresql', requirepeer 'postgres')$$);
-- the same in a url, including keywords that have no server option
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'postgresql://127.0.0.1/app?gsslib=gssapi')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'host=db.example hostaddr=127.0.0.1 dbname=app')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'postgresql://127.0.0.1/app?fallback_application_name=x')$$);
-- what tunes or secures the transport is allowed
CREATE SERVER sec_transport FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'postgresql://127.0.0.1/app?channel_binding=require&sslsni=1',
           target_session_attrs 'read-write', keepalives '1', keepalives_idle '30',
           keepalives_interval '5', keepalives_count '3', tcp_user_timeout '1000',
           ssl_min_protocol_version 'TLSv1.2', sslcrldir '/tmp/crl');
CREATE SERVER sec_my_transport FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'mysql://127.0.0.1/app?tls-version=TLSv1.3&ssl-crl=/tmp/ca.crl&compress=1',
           read_timeout '5', write_timeout '5');
RESET ROLE;
-- a grant_admin member registering a URL: the same whitelist
SET ROLE sec_admin;
SELECT show_error($$SELECT grant_fdw.establish_connection('sec_db2', NULL,
  'postgresql://grant_test:x@db.example/app?hostaddr=127.0.0.1&krbsrvname=postgres')$$);
SELECT show_error($$SELECT grant_fdw.establish_connection('sec_db2', NULL,
  'host=127.0.0.1 dbname=app user=grant_test password=x gssencmode=require')$$);
RESET ROLE;
SELECT count(*) AS registered FROM grant_fdw.connections WHERE database = 'sec_db2';
-- a superuser may
CREATE SERVER sec_super_gss FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host 'db.example', hostaddr '127.0.0.1', gssencmode 'prefer',
           krbsrvname 'postgres');

--
-- libpq "options" never overrides the settings grant pins on the remote:
-- refused for everyone, in every spelling the remote backend reads
--
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', options '-c search_path=evil,pg_catalog')$$);
SELECT o AS options, x.refused
  FROM unnest(ARRAY['-csearch_path=evil', '--search_path=evil', '--search-path=evil',
                    '-c SEARCH_PATH=evil', E'  -c\tDateStyle=SQL,DMY', '-c TimeZone=PST8PDT',
                    '-c IntervalStyle=sql_standard', '-c extra_float_digits=0',
                    '-c standard_conforming_strings=off', '-c search\_path=evil',
                    '-c statement_timeout=5s --Standard-Conforming-Strings=off',
                    '-e', '-ec statement_timeout=1', '-c statement_timeout', '-c', '--',
                    'search_path=evil']) WITH ORDINALITY AS t(o, n),
       LATERAL (SELECT l AS refused FROM show_error(format(
         'CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw OPTIONS (host %L, options %L)',
         '127.0.0.1', o)) l LIMIT 1) x
 ORDER BY n;
-- in a url, a keyword string, a registered URL, and an ALTER
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'postgresql://127.0.0.1/app?options=-c%20TimeZone%3DPST8PDT')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'host=127.0.0.1 dbname=app options=''-c datestyle=german''')$$);
SELECT show_error($$SELECT grant_fdw.establish_connection('sec_db2', NULL,
  'postgresql://grant_test:x@127.0.0.1/app?options=--intervalstyle%3Diso_8601')$$);
SELECT show_error($$ALTER SERVER sec_super_gss OPTIONS (ADD options '-c extra-float-digits=1')$$);
-- a superuser may set other run-time settings
ALTER SERVER sec_super_gss OPTIONS (ADD options '-c session_replication_role=replica');
-- a non-superuser only the session's own limits and memory
SET ROLE sec_user;
CREATE SERVER sec_limits FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', options '-c statement_timeout=5s -clock_timeout=1s --work-mem=64MB');
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', options '-c session_replication_role=replica')$$);
SELECT show_error($$CREATE SERVER sec_bad FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (url 'postgresql://127.0.0.1/app?options=-c%20application_name%3Dspoof')$$);
RESET ROLE;
SELECT count(*) AS refused_servers_made FROM pg_foreign_server WHERE srvname = 'sec_bad';

--
-- Settings that weigh on other users are superusers' (42501 for others)
--
SET ROLE sec_user;
SELECT show_error($$SET "grant".idle_timeout = '1h'$$);
SELECT show_error($$SET "grant".max_connections_per_endpoint = 1000$$);
SELECT show_error($$SELECT set_config('grant.max_connections_per_endpoint', '0', false)$$);
SELECT show_error($$SET "grant".log_routing = 'warning'$$);
SELECT show_error($$SET "grant".commit_prepared_delay = '1min'$$);
-- those whose effect stays in the session remain the user's
SET "grant".down_retry_interval = '1h';
SET "grant".health_check_interval = '1h';
RESET "grant".down_retry_interval;
RESET "grant".health_check_interval;
RESET ROLE;
SELECT name, context FROM pg_settings
 WHERE name IN ('grant.idle_timeout', 'grant.max_connections_per_endpoint',
                'grant.down_retry_interval', 'grant.health_check_interval')
 ORDER BY name;

-- a down-mark records when the connection failed; how long the endpoint is
-- left out is each session's own grant.down_retry_interval, so the one who
-- saw it fail (with 1h here) does not shun it for the others
SELECT grant_fdw.establish_connection('sec_health', NULL, :'writer_url') > 0 AS registered,
       grant_fdw.establish_connection('sec_health', NULL,
         format('postgresql://grant_test:%s@127.0.0.1:1/app', :'password'), 'reading') > 0 AS registered;
CREATE SERVER sec_health FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'sec_health');
CREATE FOREIGN TABLE sec_health_whoami (port int) SERVER sec_health OPTIONS (table_name 'whoami');
SET "grant".down_retry_interval = '1h';
SELECT node_of(port) AS fell_back_to FROM sec_health_whoami;
SELECT role, status, failures FROM grant_fdw.health() WHERE database = 'sec_health' ORDER BY role;
SET "grant".down_retry_interval = '10ms';
SELECT pg_sleep(0.05);
SELECT role, status, failures FROM grant_fdw.health() WHERE database = 'sec_health' ORDER BY role;
RESET "grant".down_retry_interval;

--
-- health().last_error: only for superusers, grant_admin and pg_read_all_stats
--
CREATE ROLE sec_stats IN ROLE pg_read_all_stats;
SELECT last_error IS NOT NULL AS superuser_sees_error
  FROM grant_fdw.health() WHERE database = 'sec_health' AND role = 'reading';
SET ROLE sec_user;
SELECT failures, last_error IS NOT NULL AS sees_error
  FROM grant_fdw.health() WHERE database = 'sec_health' AND role = 'reading';
SET ROLE sec_admin;
SELECT last_error IS NOT NULL AS grant_admin_sees_error
  FROM grant_fdw.health() WHERE database = 'sec_health' AND role = 'reading';
SET ROLE sec_stats;
SELECT last_error IS NOT NULL AS read_all_stats_sees_error
  FROM grant_fdw.health() WHERE database = 'sec_health' AND role = 'reading';
RESET ROLE;

--
-- One user's failed login never marks an endpoint down for the others
--
SELECT grant_fdw.establish_connection('sec_rw', NULL, :'writer_url') > 0 AS registered,
       grant_fdw.establish_connection('sec_rw', NULL, :'reader_url', 'reading') > 0 AS registered;
CREATE SERVER sec_rw FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'sec_rw');
CREATE FOREIGN TABLE sec_rw_whoami (port int, in_recovery bool, usr text)
  SERVER sec_rw OPTIONS (table_name 'whoami');
CREATE ROLE sec_other;
GRANT SELECT ON sec_rw_whoami TO sec_user, sec_other;
GRANT USAGE ON FOREIGN SERVER sec_rw TO sec_user;
SET "grant".down_retry_interval = '1h';
-- sec_user's own mapping has a wrong password: the reader refuses that
-- identity (28000), which is sec_user's failure, not the reader's
CREATE USER MAPPING FOR sec_user SERVER sec_rw
  OPTIONS (user 'grant_test', password 'wrong_sec_42');
SET ROLE sec_user;
SELECT regexp_replace(show_error('SELECT usr FROM sec_rw_whoami'), 'port [0-9]+', 'port READER');
SELECT regexp_replace(show_error('SELECT usr FROM sec_rw_whoami'), 'port [0-9]+', 'port READER');
RESET ROLE;
SELECT role, status, failures FROM grant_fdw.health() WHERE database = 'sec_rw' ORDER BY role;
-- sec_other (the registry's credentials) reads from the reader at once
SET ROLE sec_other;
SELECT node_of(port), in_recovery, usr FROM sec_rw_whoami;
RESET ROLE;
-- a password sec_user does not have is as much its own: refused before
-- connecting (2F003), and no mark either
ALTER USER MAPPING FOR sec_user SERVER sec_rw OPTIONS (SET user 'grant_trust', DROP password);
SET ROLE sec_user;
SELECT show_error('SELECT usr FROM sec_rw_whoami');
SET ROLE sec_other;
SELECT node_of(port) FROM sec_rw_whoami;
RESET ROLE;
SELECT role, status, failures FROM grant_fdw.health() WHERE database = 'sec_rw' ORDER BY role;
RESET "grant".down_retry_interval;

--
-- Install script: every SECURITY DEFINER function pins its search_path
--
SELECT p.oid::regprocedure AS unpinned_security_definer
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                  AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'grant'
 WHERE p.prosecdef
   AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false);
-- registration runs as its caller (checked above), not as the owner
SELECT p.oid::regprocedure, p.prosecdef, p.proconfig FROM pg_proc p
 WHERE p.oid IN ('grant_fdw.establish_connection(text,text,text,text,text,integer)'::regprocedure,
                 'grant_fdw.remove_connection(text,text,text,text)'::regprocedure)
 ORDER BY p.proname;

--
-- Clean up
--
DROP SERVER sec_registry, sec_nopw, sec_tls, sec_my_tls, sec_super, sec_super_my,
  sec_transport, sec_my_transport, sec_super_gss, sec_limits, sec_health, sec_rw,
  sec_su, sec_su_less CASCADE;
SELECT grant_fdw.remove_connection(d)
  FROM unnest(ARRAY['sec_db', 'sec_super', 'sec_nopw', 'sec_health', 'sec_rw', 'sec_su']) d;
REVOKE CREATE ON SCHEMA public FROM sec_user, sec_admin;
REVOKE USAGE ON FOREIGN DATA WRAPPER grant_fdw FROM sec_user, sec_admin;
SELECT grant_fdw.remove_registry_admin('sec_admin');
DROP ROLE sec_user, sec_admin, sec_stats, sec_other;
