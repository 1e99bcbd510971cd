#!/usr/bin/env bash
# freeze_mysql — a MariaDB server frozen with SIGSTOP (a hung server, a black-holed
# network) never makes a backend unkillable: at connect and mid-query, statement_timeout
# returns control within a second of its value, pg_cancel_backend and pg_terminate_backend
# end the statement or the backend within a second, and the endpoint serves again after
# SIGCONT.  Also: a non-superuser's cancel connection keeps to TCP and a password (the
# KILL QUERY reaches a server that is only reachable over TCP), and grant_fdw.execute()
# and query() refuse multi-statement text on MySQL, so 'DO 0; COMMIT' cannot commit the
# remote transaction.  Every elapsed time is measured and printed.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_freeze_my
PW=$GRANT_TEST_PASSWORD
PSQL=${GRANT_PGBIN:-/usr/lib/postgresql/15/bin}/psql
MYPID=$(head -n 1 "$GRANT_TEST_DIR/mysql/mariadbd.pid")
tmp=$(mktemp -d)

freeze() { kill -STOP "$MYPID"; }
thaw() { kill -CONT "$MYPID" 2>/dev/null || true; }

cleanup() {
    thaw
    rmysql -e 'DROP TABLE IF EXISTS fz_t; DROP VIEW IF EXISTS fz_slow, fz_slow2' >/dev/null 2>&1 || true
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB WITH (FORCE)" >/dev/null 2>&1 || true
    LDB=postgres lpsql -c "DROP ROLE IF EXISTS fz_user" >/dev/null 2>&1 || true
    rm -rf -- "$tmp"
}
trap cleanup EXIT
cleanup
tmp=$(mktemp -d)

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# a session of its own, named for pg_stat_activity, that can never hang the scenario
fpsql() {
    local app=$1
    shift
    PGAPPNAME=$app timeout 15 "$PSQL" -X -A -t -q -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" \
        -U postgres -d "$LDB" "$@"
}

# the pid of the backend of session APP, once it waits (SECS at most)
backend_of() {
    local app=$1 i pid
    for ((i = 0; i < 100; i++)); do
        pid=$(lpsql -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$app' AND state = 'active'")
        if [[ -n $pid ]]; then
            echo "$pid"
            return 0
        fi
        sleep 0.05
    done
    return 1
}

wait_event_of() {
    lpsql -c "SELECT coalesce(wait_event_type, '-') || '/' || coalesce(wait_event, '-') FROM pg_stat_activity WHERE pid = $1"
}

# waits (bounded) for a background job; prints the ms from START (ms) to its end
wait_job() {
    local job=$1 start=$2
    wait "$job" || true
    echo $(($(now_ms) - start))
}

rmysql <<'SQL'
DROP TABLE IF EXISTS fz_t;
DROP VIEW IF EXISTS fz_slow, fz_slow2;
CREATE TABLE fz_t (id int PRIMARY KEY, v varchar(20));
INSERT INTO fz_t VALUES (1, 'one'), (2, 'two');
CREATE VIEW fz_slow AS SELECT SLEEP(10) AS s;
CREATE VIEW fz_slow2 AS SELECT SLEEP(10) AS s;
SQL

LDB=postgres lpsql -c "CREATE DATABASE $LDB" -c "CREATE ROLE fz_user LOGIN"
ok "a MariaDB writer, and the same one named localhost (TCP only for non-superusers)" lpsql <<SQL
CREATE EXTENSION "grant";
SELECT grant_fdw.establish_connection('myfz', 'mysql',
  'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_PORT/app');
SELECT grant_fdw.establish_connection('myfz_lh', 'mysql',
  'mysql://grant_test:$PW@localhost:$GRANT_MYSQL_PORT/app');
CREATE SERVER myfz FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'myfz');
CREATE SERVER myfz_lh FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'myfz_lh');
CREATE FOREIGN TABLE fz_t (id int OPTIONS (key 'true'), v varchar(20)) SERVER myfz;
CREATE FOREIGN TABLE fz_slow (s int) SERVER myfz;
CREATE FOREIGN TABLE lh_t (id int, v varchar(20)) SERVER myfz_lh OPTIONS (table_name 'fz_t');
CREATE FOREIGN TABLE lh_slow (s int) SERVER myfz_lh OPTIONS (table_name 'fz_slow2');
GRANT USAGE ON FOREIGN SERVER myfz_lh TO fz_user;
GRANT SELECT ON lh_t, lh_slow TO fz_user;
CREATE USER MAPPING FOR fz_user SERVER myfz_lh OPTIONS (user 'grant_test', password '$PW');
SQL
is "the endpoint answers before the freeze" "$(fpsql fz_warm -c 'SELECT count(*) FROM fz_t')" 2

# --- a. at connect: statement_timeout ------------------------------------------------------
freeze
t0=$(now_ms)
out=$(fpsql fz_a -c '\set VERBOSITY verbose' -c "SET statement_timeout = '1s'" \
    -c 'SELECT count(*) FROM fz_t' 2>&1 || true)
el=$(($(now_ms) - t0))
thaw
diag "a: statement_timeout 1s at connect to the frozen server: $el ms"
like "at connect: statement_timeout ends the statement (57014)" "$out" \
    "57014: canceling statement due to statement timeout"
ok "... within 2 s of the start ($el ms)" test "$el" -lt 2000

# --- b. at connect: pg_cancel_backend ------------------------------------------------------
freeze
fpsql fz_b -c '\set VERBOSITY verbose' -c 'SELECT count(*) FROM fz_t' >"$tmp/b" 2>&1 &
job=$!
pid=$(backend_of fz_b) || pid=0
sleep 1
ev=$(wait_event_of "$pid")
t0=$(now_ms)
lpsql -c "SELECT pg_cancel_backend($pid)" >/dev/null
el=$(wait_job "$job" "$t0")
thaw
diag "b: pg_cancel_backend at connect: the statement ended $el ms after the cancel"
is "at connect the backend waits on its latch, not inside the library" "$ev" "Extension/Extension"
like "pg_cancel_backend ends the connecting statement (57014)" "$(<"$tmp/b")" \
    "57014: canceling statement due to user request"
ok "... within 1 s of the cancel ($el ms)" test "$el" -lt 1000

# --- c. at connect: pg_terminate_backend ---------------------------------------------------
freeze
fpsql fz_c -c 'SELECT count(*) FROM fz_t' >"$tmp/c" 2>&1 &
job=$!
pid=$(backend_of fz_c) || pid=0
sleep 1
t0=$(now_ms)
gone=$(lpsql -c "SELECT pg_terminate_backend($pid, 1000)" 2>&1 || true)
el=$(($(now_ms) - t0))
wait "$job" || true
thaw
diag "c: pg_terminate_backend at connect: the backend was gone after $el ms"
is "pg_terminate_backend ends a connecting backend within 1 s" "$gone" t
ok "... measured: $el ms" test "$el" -lt 1000
like "... and the client learns why" "$(<"$tmp/c")" "terminating connection due to administrator command"

# --- d. mid-query -----------------------------------------------------------------------------
# An open connection and a query running on it (SELECT SLEEP(10)) when the server freezes.
# START: the moment the slow statement is sent (written by the session itself).
start_slow() {
    local app=$1 timeout=$2
    rm -f "$tmp/$app.t0"
    fpsql "$app" -c '\set VERBOSITY verbose' -c 'SELECT count(*) FROM fz_t' \
        -c "SET statement_timeout = '$timeout'" \
        -c "\\! date +%s%N > $tmp/$app.t0" -c 'SELECT * FROM fz_slow' >"$tmp/$app" 2>&1 &
    job=$!
    wait_until 10 test -s "$tmp/$app.t0" || true
    slow_t0=$(($(<"$tmp/$app.t0") / 1000000))
    sleep 0.5
    freeze
}

start_slow fz_d1 2s
wait "$job" || true
el=$(($(now_ms) - slow_t0))
thaw
diag "d1: statement_timeout 2s, server frozen mid-query: control back after $el ms"
like "mid-query: statement_timeout ends the statement (57014)" "$(<"$tmp/fz_d1")" \
    "57014: canceling statement due to statement timeout"
ok "... within 1 s of its value ($el ms < 3000)" test "$el" -lt 3000

start_slow fz_d2 0
pid=$(backend_of fz_d2) || pid=0
sleep 0.5
t0=$(now_ms)
lpsql -c "SELECT pg_cancel_backend($pid)" >/dev/null
el=$(wait_job "$job" "$t0")
thaw
diag "d2: pg_cancel_backend, server frozen mid-query: the statement ended $el ms after the cancel"
like "mid-query: pg_cancel_backend ends the statement (57014)" "$(<"$tmp/fz_d2")" \
    "57014: canceling statement due to user request"
ok "... within 1 s of the cancel ($el ms)" test "$el" -lt 1000

start_slow fz_d3 0
pid=$(backend_of fz_d3) || pid=0
sleep 0.5
t0=$(now_ms)
gone=$(lpsql -c "SELECT pg_terminate_backend($pid, 1000)" 2>&1 || true)
el=$(($(now_ms) - t0))
wait "$job" || true
thaw
diag "d3: pg_terminate_backend, server frozen mid-query: the backend was gone after $el ms"
is "mid-query: pg_terminate_backend ends the backend within 1 s" "$gone" t
ok "... measured: $el ms" test "$el" -lt 1000

# Frozen between two statements of a session: the next one meets the hung server on an
# open connection; after SIGCONT the same session is served again (a fresh connection,
# outside a transaction).
out=$(fpsql fz_d4 -v ON_ERROR_STOP=0 -c '\set VERBOSITY verbose' \
    -c 'SELECT count(*) FROM fz_t' \
    -c "\\! kill -STOP $MYPID; date +%s%N > $tmp/d4.t0" \
    -c "SET statement_timeout = '1s'" -c 'SELECT count(*) FROM fz_t' \
    -c "\\! date +%s%N > $tmp/d4.t1; kill -CONT $MYPID" \
    -c 'RESET statement_timeout' -c 'SELECT count(*) + 40 FROM fz_t' 2>&1 || true)
thaw
el=$((($(<"$tmp/d4.t1") - $(<"$tmp/d4.t0")) / 1000000))
diag "d4: statement_timeout 1s on an open connection to the frozen server: $el ms"
like "on an open connection: statement_timeout ends the statement (57014)" "$out" \
    "57014: canceling statement due to statement timeout"
ok "... within 1 s of its value ($el ms < 2000)" test "$el" -lt 2000

# --- e. after SIGCONT ---------------------------------------------------------------------------
is "e: after SIGCONT the same session is served again" "$(grep -x 42 <<<"$out" || true)" 42
is "e: ... and so is a new session" "$(fpsql fz_e -c 'SELECT count(*) FROM fz_t')" 2

# --- f. a non-superuser's cancel connection: TCP and a password ----------------------------
# The endpoint is named localhost: over a Unix socket it is not reachable at all (the
# server listens on its own socket path), so only a cancel connection that keeps to TCP,
# as the main one does for a non-superuser, reaches the server with its KILL QUERY.
is "f: a non-superuser reads through the localhost endpoint (over TCP)" \
    "$(lpsql -c 'SET ROLE fz_user' -c 'SELECT count(*) FROM lh_t')" 2
t0=$(now_ms)
out=$(timeout 15 "$PSQL" -X -A -t -q -v ON_ERROR_STOP=0 -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" \
    -U postgres -d "$LDB" -c '\set VERBOSITY verbose' -c 'SET ROLE fz_user' \
    -c "SET statement_timeout = '1s'" -c 'SELECT * FROM lh_slow' \
    -c "\\! date +%s%N > $tmp/f.t1" \
    -c "\\! mariadb --no-defaults -S $GRANT_MYSQL_SOCKET -u root -N -B -e \"SELECT 'sleeping', count(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%fz_slow2%' AND ID <> CONNECTION_ID()\"" \
    -c 'RESET statement_timeout' -c 'SELECT count(*) + 50 FROM lh_t' 2>&1 || true)
el=$(($(<"$tmp/f.t1") / 1000000 - t0))
diag "f: statement_timeout 1s on SELECT SLEEP(10) as a non-superuser: $el ms"
like "f: statement_timeout cancels the non-superuser's SLEEP(10) (57014)" "$out" \
    "57014: canceling statement due to statement timeout"
ok "f: ... at once ($el ms < 2000)" test "$el" -lt 2000
like "f: the KILL QUERY reached MariaDB: no query sleeps there any more" "$out" \
    "sleeping"$'\t'"0"
is "f: the session's next statement is served" "$(grep -x 52 <<<"$out" || true)" 52

# --- g. execute() and query() run one statement ----------------------------------------------
out=$(lpsql -v ON_ERROR_STOP=0 2>&1 <<'SQL' || true
\set VERBOSITY verbose
BEGIN;
SELECT grant_fdw.execute('myfz', 'INSERT INTO fz_t VALUES (100, ''before'')');
SELECT grant_fdw.execute('myfz', 'DO 0; COMMIT');
ROLLBACK;
SQL
)
like "g: execute('DO 0; COMMIT') is refused by MariaDB itself (syntax error, remote SQLSTATE)" \
    "$out" "42601: .*SQL syntax.*near 'COMMIT'.*SQLSTATE 42000"
like "g: ... with a hint" "$out" "one statement per call"
is "g: after the local ROLLBACK the row inserted before it is not on MariaDB" \
    "$(rmysql -e 'SELECT count(*) FROM fz_t WHERE id = 100')" 0

out=$(lpsql -v ON_ERROR_STOP=0 2>&1 <<SQL || true
BEGIN;
SELECT grant_fdw.execute('myfz', 'INSERT INTO fz_t VALUES (101, ''a;b'')');
SAVEPOINT s;
SELECT * FROM grant_fdw.query('myfz', 'SELECT 1; COMMIT') AS t(x int);
ROLLBACK TO SAVEPOINT s;
\\! mariadb --no-defaults -S $GRANT_MYSQL_SOCKET -u root -N -B app -e "SELECT 'outside', count(*) FROM fz_t WHERE id = 101"
SELECT grant_fdw.execute('myfz', 'INSERT INTO fz_t VALUES (102, ''after'')');
INSERT INTO fz_t VALUES (103, 'table');
COMMIT;
SQL
)
like "g: query('SELECT 1; COMMIT') is refused too" "$out" "SQL syntax"
like "g: ... and the remote transaction stayed open: its row is not visible outside" "$out" \
    "outside"$'\t'"0"
is "g: a ';' inside a literal is one statement; the transaction goes on and commits whole" \
    "$(rmysql -e 'SELECT group_concat(id, ":", v ORDER BY id) FROM fz_t WHERE id > 100')" \
    "101:a;b,102:after,103:table"

finish
