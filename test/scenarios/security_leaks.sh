#!/usr/bin/env bash
# security_leaks.sh — a canary password never shows where a user can see it.
#
# A role on the writer (and so on the reader) gets a canary password; grant
# holds it in the registry and in a user mapping, and a second canary is a
# wrong password.  Then, as a non-superuser (and for registration, as a
# superuser and a grant_admin member), everything grant shows is searched
# for both: every view and set-returning function of the extension, EXPLAIN
# VERBOSE of scans and modifications, every error, warning and notice
# (wrong password, unreachable host, malformed URLs at registration, bad
# options), the local server's log at log_min_messages = debug1 (with
# log_statement = 'none': a statement log would show the SQL text that
# carries the URL, which is PostgreSQL's doing, see docs/SECURITY.md),
# pg_dump run by that user, and what the writer sees of grant's session
# (application_name, pg_stat_activity).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

db=grant_scenario_leaks
user=grant_leak_user
admin=grant_leak_admin
canary=Cnry4e7bLeakPw
wrong=Cnry4e7bWrongPw
psql_as() {
    local who=$1
    shift
    "$_grant_pgbin/psql" -X -q -v VERBOSITY=verbose -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" \
        -U "$who" -d "$db" "$@"
}
logfile=$GRANT_TEST_DIR/log/local.log

cleanup() {
    LDB=postgres lpsql -c "ALTER SYSTEM RESET log_min_messages" -c "SELECT pg_reload_conf()" \
        >/dev/null 2>&1 || true
    LDB=postgres lpsql -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
        -c "DROP ROLE IF EXISTS $user" -c "DROP ROLE IF EXISTS $admin" >/dev/null 2>&1 || true
    rpsql writer -c "DROP TABLE IF EXISTS public.leak_items" \
        -c "DROP ROLE IF EXISTS grant_canary" >/dev/null 2>&1 || true
    [[ -n $tmp && -z ${KEEP:-} ]] && rm -rf -- "$tmp"
    return 0
}
tmp=
trap cleanup EXIT
cleanup
tmp=$(mktemp -d)

# --- the remote role with the canary password, and a table it may write ---
rpsql writer -v pw="$canary" >/dev/null <<'SQL'
SET password_encryption = 'scram-sha-256';
CREATE ROLE grant_canary LOGIN PASSWORD :'pw';
CREATE TABLE public.leak_items (id int PRIMARY KEY, name text);
INSERT INTO public.leak_items VALUES (1, 'one'), (2, 'two');
GRANT ALL ON public.leak_items TO grant_canary;
SQL
reader_catch_up

# --- the local side: registry, servers, tables, a mapping, two roles ---
LDB=postgres lpsql -c "CREATE DATABASE $db" -c "CREATE ROLE $user LOGIN" \
    -c "CREATE ROLE $admin LOGIN"
LDB=$db lpsql -v pw="$canary" -v wrong="$wrong" -v wp="$GRANT_WRITER_PORT" \
    -v rp="$GRANT_READER_PORT" -v user="$user" -v admin="$admin" >/dev/null <<'SQL'
CREATE EXTENSION "grant";
SELECT grant_fdw.add_registry_admin(:'admin');
SELECT grant_fdw.establish_connection('leak', 'postgresql',
  format('postgresql://grant_canary:%s@127.0.0.1:%s/app?sslmode=disable', :'pw', :'wp'));
SELECT grant_fdw.establish_connection('leak', 'postgresql',
  format('host=127.0.0.1 port=%s dbname=app user=grant_canary password=%s', :'rp', :'pw'),
  'reading');
SELECT grant_fdw.establish_connection('leak_down', 'postgresql',
  format('postgresql://grant_canary:%s@127.0.0.1:1/app?connect_timeout=2', :'pw'));
CREATE SERVER leak FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'leak');
CREATE SERVER leak_down FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'leak_down');
CREATE SERVER leak_direct FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', port :'wp', dbname 'app');
CREATE SERVER leak_wrong FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', port :'wp', dbname 'app');
-- PUBLIC mappings: their options are shown to the server's owner only (a
-- mapping for the user would show its password to that user, by design)
CREATE USER MAPPING FOR PUBLIC SERVER leak_direct
  OPTIONS (user 'grant_canary', password :'pw');
CREATE USER MAPPING FOR PUBLIC SERVER leak_wrong
  OPTIONS (user 'grant_canary', password :'wrong');
CREATE FOREIGN TABLE leak_items (id int, name text) SERVER leak OPTIONS (table_name 'leak_items');
CREATE FOREIGN TABLE leak_down_items (id int, name text)
  SERVER leak_down OPTIONS (table_name 'leak_items');
CREATE FOREIGN TABLE leak_direct_items (id int, name text)
  SERVER leak_direct OPTIONS (table_name 'leak_items');
CREATE FOREIGN TABLE leak_wrong_items (id int, name text)
  SERVER leak_wrong OPTIONS (table_name 'leak_items');
GRANT USAGE ON FOREIGN SERVER leak, leak_down, leak_direct, leak_wrong TO :"user";
GRANT SELECT, INSERT, UPDATE, DELETE ON leak_items, leak_down_items, leak_direct_items,
  leak_wrong_items TO :"user";
SQL
# --- the local log at debug1 from here on ---
LDB=postgres lpsql -c "ALTER SYSTEM SET log_min_messages = debug1" -c "SELECT pg_reload_conf()" >/dev/null
is "log_statement is none while the log is searched" \
    "$(LDB=$db lpsql -c 'SHOW log_statement')" "none"
log_from=$(stat -c %s "$logfile")
logging_debug1() { [[ $(LDB=$db lpsql -c 'SHOW log_min_messages') == debug1 ]]; }
wait_until 10 logging_debug1

# --- everything the non-superuser can look at or provoke ---
cat >"$tmp/user.sql" <<'SQL'
\set VERBOSITY verbose
\pset pager off
-- connect, read, write: the canary is in use
SELECT * FROM leak_items ORDER BY id;
BEGIN;
INSERT INTO leak_items VALUES (3, 'three');
UPDATE leak_items SET name = 'TWO' WHERE id = 2;
DELETE FROM leak_items WHERE id = 3;
SELECT * FROM leak_direct_items ORDER BY id;
COMMIT;
SET "grant".role = 'writing';
SELECT * FROM leak_items ORDER BY id;
RESET "grant".role;
-- EXPLAIN of scans and modifications
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM leak_items WHERE id = 1;
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM leak_direct_items;
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO leak_items VALUES (4, 'four');
EXPLAIN (VERBOSE, COSTS OFF) UPDATE leak_items SET name = 'x' WHERE id = 1;
EXPLAIN (VERBOSE, COSTS OFF) UPDATE leak_items SET name = md5(name) WHERE id = 1;
EXPLAIN (VERBOSE, COSTS OFF) DELETE FROM leak_items WHERE id = 1;
EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM leak_items;
-- failed connections: a wrong password, an unreachable host
SELECT * FROM leak_wrong_items;
SELECT * FROM leak_down_items;
-- bad options and privileges the user tries
CREATE USER MAPPING FOR CURRENT_USER SERVER leak OPTIONS (user 'grant_canary', password '');
CREATE USER MAPPING FOR CURRENT_USER SERVER leak OPTIONS (user 'grant_canary', passwd 'x');
ALTER USER MAPPING FOR CURRENT_USER SERVER leak_direct OPTIONS (ADD password 'x');
CREATE USER MAPPING FOR CURRENT_USER SERVER leak OPTIONS (password_required 'false');
SELECT * FROM grant_fdw.endpoints;
SELECT grant_fdw.establish_connection('x', NULL, 'postgresql://a:b@h/db');
SELECT * FROM pg_user_mappings;
SELECT srvname, srvoptions FROM pg_foreign_server;
-- every view of the extension, and every function that lists something
SELECT format('SELECT * FROM %s;', c.oid::regclass)
  FROM pg_class c WHERE c.relnamespace = 'grant_fdw'::regnamespace AND c.relkind = 'v'
UNION ALL
SELECT format('SELECT * FROM %s();', p.oid::regproc)
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
       AND d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'grant')
 WHERE p.pronargs = p.pronargdefaults AND p.proretset
\gexec
SELECT * FROM grant_fdw.registry_cache('leak');
SELECT * FROM grant_fdw.registry_cache('leak_down');
SELECT * FROM grant_fdw.registry_cache_stats();
SELECT * FROM grant_fdw.health();
SELECT * FROM grant_fdw.connection_status();
SELECT grant_fdw.disconnect();
SQL
psql_as "$user" -f "$tmp/user.sql" >"$tmp/user.out" 2>&1 || true

# the writer's view of grant's sessions: taken while a session holds one open
(psql_as "$user" -c "BEGIN" -c "SET LOCAL \"grant\".role = 'writing'" -c "SELECT count(*) FROM leak_items" -c "SELECT pg_sleep(3)" \
    -c "COMMIT" >/dev/null 2>&1 &)
grant_on_writer() {
    (($(rpsql writer -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'grant_canary'") > 0))
}
ok "grant's session is on the writer" wait_until 10 grant_on_writer
activity=$(rpsql writer -c "SELECT a::text FROM pg_stat_activity a WHERE usename = 'grant_canary'")
appnames=$(rpsql writer -c "SELECT DISTINCT application_name FROM pg_stat_activity WHERE usename = 'grant_canary'")
like "the writer sees application_name grant/<pid>" "$appnames" '^grant/[0-9]+$'

# --- registration with malformed URLs, by a superuser and a grant_admin member ---
cat >"$tmp/register.sql" <<'SQL'
\set VERBOSITY verbose
SELECT grant_fdw.establish_connection('leak_bad', NULL, format('http://grant_canary:%s@h/db', :'pw'));
SELECT grant_fdw.establish_connection('leak_bad', NULL, format('postgresql://grant_canary:%s@h:99999/db', :'pw'));
SELECT grant_fdw.establish_connection('leak_bad', NULL, format('postgresql://grant_canary:%s@h/db?bogus=1', :'pw'));
SELECT grant_fdw.establish_connection('leak_bad', NULL, format('postgresql://grant_canary:%s@[h/db', :'pw'));
SELECT grant_fdw.establish_connection('leak_bad', NULL, format('host=h password=''%s', :'pw'));
SELECT grant_fdw.establish_connection('leak_bad', NULL, format('mysql://grant_canary:%s@h:%s/db', :'pw', :'pw'));
SELECT grant_fdw.establish_connection('leak_bad', NULL, format('mysql://grant_canary:%s%%zz@h/db', :'pw'));
SELECT grant_fdw.establish_connection('leak_bad', NULL, format('mysql://grant_canary:%s@h/db#frag', :'pw'));
SELECT grant_fdw.establish_connection('leak_bad', 'mysql', format('postgresql://grant_canary:%s@h/db', :'pw'));
SELECT grant_fdw.establish_connection('leak', NULL, format('postgresql://grant_canary:%s@127.0.0.1:%s/app', :'pw', :'wp'));
SELECT grant_fdw.establish_connection('leak', NULL, format('postgresql://grant_canary:%s@127.0.0.1:%s/app', :'pw', :'wp'), 'reading', weight => -1);
SELECT grant_fdw.remove_connection('leak_bad', url => format('postgresql://grant_canary:%s@h:0/db', :'pw'));
SELECT grant_fdw.establish_connection('leak_ok', NULL, format('postgresql://grant_canary:%s@127.0.0.1:%s/app', :'pw', :'wp')) > 0 AS registered;
SELECT grant_fdw.remove_connection('leak_ok');
SQL
for who in postgres "$admin"; do
    psql_as "$who" -v pw="$canary" -v wp="$GRANT_WRITER_PORT" \
            -f "$tmp/register.sql" >"$tmp/register.$who.out" 2>&1 || true
done
# a password in a server's url: the validator's error hides the statement
# (a grant_admin member without USAGE on the wrapper would meet
# PostgreSQL's own permission error, which logs it: docs/SECURITY.md)
psql_as postgres -v url="postgresql://grant_canary:$canary@h/db" \
    <<<"CREATE SERVER leak_bad FOREIGN DATA WRAPPER grant_fdw OPTIONS (url :'url');" \
    >>"$tmp/register.postgres.out" 2>&1 || true
like "a server url with a password is refused" "$(cat "$tmp/register.postgres.out")" \
    'option "url" must not contain a password'
is "no malformed registration was stored" \
    "$(LDB=$db lpsql -c "SELECT count(*) FROM grant_fdw.endpoints WHERE database = 'leak_bad'")" "0"

# --- pg_dump by the user, and by a superuser ---
nok "pg_dump by the non-superuser fails (it may not read the registry)" \
    "$_grant_pgbin/pg_dump" -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U "$user" -f "$tmp/user.dump" "$db"
"$_grant_pgbin/pg_dump" -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U "$user" -f "$tmp/user.dump" "$db" \
    >"$tmp/user.dump.err" 2>&1 || true
like "... because of the registry" "$(cat "$tmp/user.dump.err")" \
    'permission denied for (table endpoints|sequence endpoints_id_seq)'
"$_grant_pgbin/pg_dump" -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U "$user" --exclude-table-data='grant_fdw.*' \
    -f "$tmp/user-schema.dump" "$db" >"$tmp/user-schema.dump.err" 2>&1 || true
like "without the registry's rows the user's pg_dump works, mappings included" \
    "$(cat "$tmp/user-schema.dump")" 'CREATE USER MAPPING FOR public SERVER leak_direct'
"$_grant_pgbin/pg_dump" -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U postgres -f "$tmp/super.dump" "$db"

# --- the log, back to normal first ---
LDB=postgres lpsql -c "ALTER SYSTEM RESET log_min_messages" -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
tail -c +"$((log_from + 1))" "$logfile" >"$tmp/local.log"

# --- what was shown must have worked, and hold no canary ---
user_out=$(cat "$tmp/user.out")
like "the user read the rows" "$user_out" 'TWO'
like "EXPLAIN shows the route" "$user_out" 'endpoint=127\.0\.0\.1:[0-9]+/app'
like "the wrong password failed" "$user_out" 'password authentication failed for user "grant_canary"'
like "the unreachable host failed" "$user_out" 'could not connect to grant endpoint "127\.0\.0\.1:1/app"'
like "health() shows the failure" "$user_out" 'down'
like "the user may not read the registry table" "$user_out" 'permission denied for table endpoints'
like "the user may not register" "$user_out" 'permission denied for function establish_connection'
like "the views and listing functions ran" "$user_out" 'has_password'
like "the superuser's malformed URLs were refused" "$(cat "$tmp/register.postgres.out")" 'unsupported URL scheme "http"'
like "the grant_admin member's too" "$(cat "$tmp/register.$admin.out")" 'port number is out of range'
like "the local log holds debug1 lines" "$(cat "$tmp/local.log")" 'DEBUG:'
like "the superuser's dump holds the registry, by design" "$(cat "$tmp/super.dump")" "$canary"

count_hits() {
    local f n=0
    for f in "$@"; do
        n=$((n + $(grep -c -e "$canary" -e "$wrong" -- "$f" || true)))
    done
    echo "$n"
}
echo "$activity" >"$tmp/activity.out"
is "no canary in what the user saw (views, functions, EXPLAIN, errors)" "$(count_hits "$tmp/user.out")" 0
is "no canary in the superuser's registration errors" "$(count_hits "$tmp/register.postgres.out")" 0
is "no canary in the grant_admin member's registration errors" "$(count_hits "$tmp/register.$admin.out")" 0
is "no canary in the local server's log at debug1" "$(count_hits "$tmp/local.log")" 0
is "no canary in the user's pg_dump output or errors" \
    "$(count_hits "$tmp/user.dump.err" "$tmp/user-schema.dump.err" $(ls "$tmp"/user*.dump 2>/dev/null))" 0
is "no canary in the writer's pg_stat_activity rows of grant's session" "$(count_hits "$tmp/activity.out")" 0

finish
