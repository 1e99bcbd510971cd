#!/usr/bin/env bash
# test/scenarios/security_audit.sh — one user cannot shun an endpoint for the others.
#
# With grant preloaded (down-marks shared by every backend), a role whose own user
# mapping has a wrong password fails to log in to a PostgreSQL reader and to a MariaDB
# replica; another role, in another backend, then reads from that very reader at once
# (which server answered is asked of the server itself).  As a control, an unreachable
# reader is marked down for every backend; and how long it stays left out is each
# backend's own grant.down_retry_interval, not that of the backend that saw it fail.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_audit
W=$GRANT_WRITER_PORT
R=$GRANT_READER_PORT
PW=$GRANT_TEST_PASSWORD

as_role() {
    local who=$1
    shift
    "$_grant_pgbin/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" \
        -U "$who" -d "$LDB" "$@"
}

preloaded=0
cleanup() {
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB WITH (FORCE)" >/dev/null 2>&1 || true
    LDB=postgres lpsql -c "DROP ROLE IF EXISTS aud_bad" -c "DROP ROLE IF EXISTS aud_good" \
        >/dev/null 2>&1 || true
    rmysql -e "DROP VIEW IF EXISTS aud_whoami" >/dev/null 2>&1 || true
    if ((preloaded)); then
        LDB=postgres lpsql -c "ALTER SYSTEM RESET shared_preload_libraries" >/dev/null 2>&1 || true
        node_stop local fast >/dev/null 2>&1 || true
        node_start local >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
cleanup

# --- grant preloaded: one health table for all backends ---
LDB=postgres lpsql -c "ALTER SYSTEM SET shared_preload_libraries = 'grant'" >/dev/null
preloaded=1
node_stop local fast
node_start local
is "grant preloaded" "$(LDB=postgres lpsql -c 'SHOW shared_preload_libraries')" '"grant"'

rmysql <<'SQL'
DROP VIEW IF EXISTS aud_whoami;
CREATE VIEW aud_whoami AS
  SELECT CAST(VARIABLE_VALUE AS UNSIGNED) AS server_id
  FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME = 'SERVER_ID';
SQL
mysql_replica_catch_up

LDB=postgres lpsql -c "CREATE DATABASE $LDB" -c "CREATE ROLE aud_bad LOGIN" \
    -c "CREATE ROLE aud_good LOGIN" >/dev/null
lpsql >/dev/null <<SQL
CREATE EXTENSION "grant";
SELECT grant_fdw.establish_connection('aud_pg', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$W/app');
SELECT grant_fdw.establish_connection('aud_pg', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$R/app', 'reading');
SELECT grant_fdw.establish_connection('aud_my', NULL, 'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_PORT/app');
SELECT grant_fdw.establish_connection('aud_my', NULL, 'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_REPLICA_PORT/app', 'reading');
SELECT grant_fdw.establish_connection('aud_dead', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$W/app');
SELECT grant_fdw.establish_connection('aud_dead', NULL, 'postgresql://grant_test:$PW@127.0.0.1:1/app', 'reading');
CREATE SERVER aud_pg FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'aud_pg');
CREATE SERVER aud_my FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'aud_my');
CREATE SERVER aud_dead FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'aud_dead');
CREATE FOREIGN TABLE pg_whoami (port int) SERVER aud_pg OPTIONS (table_name 'whoami');
CREATE FOREIGN TABLE my_whoami (server_id int) SERVER aud_my OPTIONS (table_name 'aud_whoami');
CREATE FOREIGN TABLE dead_whoami (port int) SERVER aud_dead OPTIONS (table_name 'whoami');
GRANT SELECT ON pg_whoami, my_whoami, dead_whoami TO aud_bad, aud_good;
CREATE USER MAPPING FOR aud_bad SERVER aud_pg OPTIONS (user 'grant_test', password 'wrong_audit');
CREATE USER MAPPING FOR aud_bad SERVER aud_my OPTIONS (user 'grant_test', password 'wrong_audit');
SQL

status_of() { lpsql -c "SELECT status FROM grant_fdw.health() WHERE database = '$1' AND role = 'reading'"; }

# --- a wrong password is its owner's failure ---
out=$(as_role aud_bad -v ON_ERROR_STOP=0 -v VERBOSITY=verbose \
    -c "SET \"grant\".down_retry_interval = '1h'" -c "SELECT port FROM pg_whoami" 2>&1 || true)
like "PostgreSQL: the wrong password fails as a refused identity (28000)" "$out" \
    '28000: could not connect to grant endpoint'
like "... with the remote's words" "$out" 'password authentication failed for user "grant_test"'
is "PostgreSQL: the reader is not marked down" "$(status_of aud_pg)" "unknown"
is "PostgreSQL: another role in another backend reads from the reader at once" \
    "$(as_role aud_good -c "SELECT port FROM pg_whoami")" "$R"

out=$(as_role aud_bad -v ON_ERROR_STOP=0 -v VERBOSITY=verbose \
    -c "SET \"grant\".down_retry_interval = '1h'" -c "SELECT server_id FROM my_whoami" 2>&1 || true)
like "MariaDB: the wrong password fails as a refused identity (28000)" "$out" \
    '28000: could not connect to grant endpoint'
like "... with the remote's words" "$out" 'Access denied for user'
is "MariaDB: the replica is not marked down" "$(status_of aud_my)" "unknown"
is "MariaDB: another role in another backend reads from the replica at once" \
    "$(as_role aud_good -c "SELECT server_id FROM my_whoami")" "2"

# --- control: an unreachable reader is down for everyone ... ---
is "an unreachable reader: the read falls back to the writer" \
    "$(as_role aud_bad -c "SET \"grant\".down_retry_interval = '1h'" -c "SELECT port FROM dead_whoami")" "$W"
is "... and every backend sees it down" "$(status_of aud_dead)" "down"
# ... for as long as each backend's own interval says, not the 1h of who saw it fail
out=$(as_role aud_good -c "SET \"grant\".down_retry_interval = '100ms'" -c "SELECT pg_sleep(0.2)" \
    -c "SELECT status FROM grant_fdw.health() WHERE database = 'aud_dead' AND role = 'reading'")
is "a backend with a 100ms interval tries it again after 100ms" "$(echo "$out" | tail -n 1)" "up"
is "the default interval (10s) still leaves it out" "$(status_of aud_dead)" "down"

finish
