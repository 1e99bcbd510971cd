#!/usr/bin/env bash
# test/scenarios/operations.sh — operating grant: the routing log (every reason, the
# client and the server log), idle remote connections closed after grant.idle_timeout
# while the session sits idle, a real PgBouncer in transaction pooling mode in front of
# the writer and the reader (server option pooler 'transaction'), and, with grant in
# shared_preload_libraries, statistics added up over backends and the progress of a slow
# scan seen from another session.  sql/stats.sql covers the per-backend counters.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_ops
W=$GRANT_WRITER_PORT
R=$GRANT_READER_PORT
S1=$GRANT_SHARD1_PORT
S2=$GRANT_SHARD2_PORT
PW=$GRANT_TEST_PASSWORD
PGB_DIR=$GRANT_TEST_DIR/pgbouncer
FIFO=$GRANT_TEST_DIR/ops_idle.fifo

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop_pgbouncer() {
    local pid
    if [[ -s $PGB_DIR/pgbouncer.pid ]]; then
        pid=$(cat "$PGB_DIR/pgbouncer.pid")
        kill "$pid" 2>/dev/null || true
        wait_until 10 bash -c "! kill -0 $pid 2>/dev/null" || true
        rm -f "$PGB_DIR/pgbouncer.pid"
    fi
}

cleanup() {
    exec 3>&- 2>/dev/null || true
    stop_pgbouncer
    rm -f "$FIFO"
    rpsql reader -c "SELECT 1" >/dev/null 2>&1 || node_start reader >/dev/null 2>&1 || true
    rpsql reader -c "SELECT pg_wal_replay_resume()" >/dev/null 2>&1 || true
    if [[ $(LDB=postgres lpsql -c "SHOW shared_preload_libraries" 2>/dev/null) == *grant* ]]; then
        LDB=postgres lpsql -c "ALTER SYSTEM RESET shared_preload_libraries" >/dev/null 2>&1 || true
        node_stop local fast >/dev/null 2>&1 || true
        node_start local >/dev/null 2>&1 || true
    fi
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" >/dev/null 2>&1 || true
    rpsql writer -c "DROP TABLE IF EXISTS ops_items; DROP VIEW IF EXISTS ops_slow, ops_settings" >/dev/null 2>&1 || true
    rpsql shard1 -c "DROP TABLE IF EXISTS ops_sh" >/dev/null 2>&1 || true
    rpsql shard2 -c "DROP TABLE IF EXISTS ops_sh" >/dev/null 2>&1 || true
}
trap cleanup EXIT

rpsql reader -c "SELECT pg_wal_replay_resume()" >/dev/null
LDB=postgres lpsql -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $LDB" -c "CREATE DATABASE $LDB"
rpsql writer >/dev/null <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS ops_items;
DROP VIEW IF EXISTS ops_slow, ops_settings;
CREATE TABLE ops_items (id int PRIMARY KEY, v text);
INSERT INTO ops_items SELECT g, 'v' || g FROM generate_series(1, 20) g;
-- rows of 10 kB, one every 50 ms (pg_sleep is volatile: it runs for every
-- row, even when the column is not read): each leaves the server as made
CREATE VIEW ops_slow AS
    SELECT g, repeat('x', 10000) AS pad, pg_sleep(0.05)::text AS pause FROM generate_series(1, 100) g;
CREATE VIEW ops_settings AS
    SELECT current_setting('search_path') AS search_path, current_setting('TimeZone') AS tz,
           current_setting('DateStyle') AS datestyle, current_setting('extra_float_digits') AS efd;
GRANT ALL ON ops_items TO grant_test;
GRANT SELECT ON ops_slow, ops_settings TO grant_test;
SQL
for node in shard1 shard2; do
    rpsql $node -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS ops_sh; CREATE TABLE ops_sh (id int PRIMARY KEY, v text);
                    GRANT ALL ON ops_sh TO grant_test" >/dev/null
done
reader_catch_up
lpsql >/dev/null <<SQL
CREATE EXTENSION "grant";
SELECT grant_fdw.establish_connection('primary', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$W/app');
SELECT grant_fdw.establish_connection('primary', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$R/app', role => 'reading');
SELECT grant_fdw.establish_connection('sharded', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$S1/app', shard => 's1');
SELECT grant_fdw.establish_connection('sharded', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$S2/app', shard => 's2');
CREATE SERVER app FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'primary');
CREATE SERVER sh FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'sharded');
CREATE FOREIGN TABLE ops_items (id int, v text) SERVER app;
CREATE FOREIGN TABLE ops_slow (g int, pad text) SERVER app;
CREATE FOREIGN TABLE ops_logged (port int) SERVER app OPTIONS (table_name 'whoami');
CREATE FOREIGN TABLE ops_sh (id int, v text) SERVER sh OPTIONS (shard_key 'id');
SQL

# --- routing log --------------------------------------------------------------------
route_re() { # what, role, port, reason
    printf 'NOTICE:  grant route: %s on database=[a-z]+ role=%s shard=[a-z0-9]+ endpoint=127\\.0\\.0\\.1:%s/app adapter=postgresql \\(%s\\)' "$1" "$2" "$3" "$4"
}
out=$(lpsql 2>&1 <<'SQL'
SET "grant".log_routing = notice;
SELECT id FROM ops_items WHERE id <= 3;
INSERT INTO ops_items VALUES (100, 'hundred');
SQL
)
like "a read logs database, role, shard, endpoint, reason, rows and remote time" "$out" \
    "$(route_re 'scan of "ops_items"' reading "$R" read): 3 rows, [0-9]+\\.[0-9]{3} ms remote"
like "a write logs its route" "$out" "$(route_re 'insert into "ops_items"' writing "$W" write): 1 rows, "
nok "the log line never shows the password" grep -q "$PW" <<<"$out"

rpsql reader -c "SELECT pg_wal_replay_pause()" >/dev/null
out=$(lpsql 2>&1 <<'SQL'
SET "grant".log_routing = notice;
INSERT INTO ops_items VALUES (101, 'hundred and one');
SELECT v FROM ops_items WHERE id = 101;
SQL
)
rpsql reader -c "SELECT pg_wal_replay_resume()" >/dev/null
like "a read the paused reader cannot serve says why" "$out" \
    "$(route_re 'scan of "ops_items"' writing "$W" 'read-your-writes: reader behind'): 1 rows"

node_stop reader fast
out=$(lpsql 2>&1 <<'SQL'
SET "grant".log_routing = notice;
SELECT v FROM ops_items WHERE id = 1;
SQL
)
node_start reader
reader_catch_up
like "a read with its reader down goes to the writer and says why" "$out" \
    "$(route_re 'scan of "ops_items"' writing "$W" 'readers down'): 1 rows"

out=$(lpsql 2>&1 <<'SQL'
SET "grant".log_routing = notice;
INSERT INTO ops_sh SELECT g, 'v' FROM generate_series(1, 10) g;
SELECT count(*) FROM ops_sh;
SELECT v FROM ops_sh WHERE id = 3;
SET "grant".shard = 's2';
SELECT count(*) FROM ops_sh;
SQL
)
like "a fan-out logs one line per shard, first" "$out" \
    "$(route_re 'scan of "ops_sh"' writing "$S1" 'no reader'), shards fan-out to every shard: "
like "a fan-out logs one line per shard, second" "$out" \
    "$(route_re 'scan of "ops_sh"' writing "$S2" 'no reader'), shards fan-out to every shard: "
like "a key routes to one shard and says so" "$out" "$(route_re 'scan of "ops_sh"' writing "($S1|$S2)" 'no reader'), shards by shard key: 1 rows"
like "a pinned shard says so" "$out" "$(route_re 'scan of "ops_sh"' writing "$S2" 'no reader'), shards explicit shard: "

before=$(grep -c 'grant route: scan of "ops_logged"' "$GRANT_TEST_DIR/log/local.log" || true)
lpsql -c 'SET "grant".log_routing = log' -c "SELECT port FROM ops_logged" >/dev/null
after=$(grep -c 'grant route: scan of "ops_logged"' "$GRANT_TEST_DIR/log/local.log" || true)
is "at level log the line goes to the server log" "$((after - before))" 1
is "no routing line in the server log shows the password" \
    "$(grep 'grant route:' "$GRANT_TEST_DIR/log/local.log" | grep -c "$PW" || true)" 0
out=$(lpsql 2>&1 -c "SELECT count(*) FROM ops_items WHERE id = 1")
is "off by default: nothing is logged" "$out" 1

# --- idle connections -----------------------------------------------------------------
rm -f "$FIFO"
mkfifo "$FIFO"
PGAPPNAME=ops_idle lpsql <"$FIFO" >"$GRANT_TEST_DIR/ops_idle.out" 2>&1 &
idle_job=$!
exec 3>"$FIFO"
echo "SET \"grant\".idle_timeout = '3s'; SELECT count(*) FROM ops_items WHERE id = 1;" >&3
idle_pid_known() { [[ -n $(lpsql -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'ops_idle'") ]]; }
wait_until 10 idle_pid_known
idle_pid=$(lpsql -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'ops_idle'")
reader_sessions() { rpsql reader -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'grant/$idle_pid'"; }
reader_has() { [[ $(reader_sessions) == "$1" ]]; }
ok "the session's remote connection is open, named after its pid" wait_until 10 reader_has 1
sleep 1
is "still open after 1 s of a 3 s idle_timeout" "$(reader_sessions)" 1
start=$(date +%s)
ok "closed by the idle session itself once idle for 3 s" wait_until 10 reader_has 0
like "the local session is still there (idle)" \
    "$(lpsql -c "SELECT state FROM pg_stat_activity WHERE pid = $idle_pid")" '^idle$'
echo "SELECT count(*) FROM ops_items WHERE id = 2; SET \"grant\".idle_timeout = 0; SELECT 1;" >&3
ok "the next statement connects again" wait_until 10 reader_has 1
sleep 4
is "with idle_timeout 0 the connection stays" "$(reader_sessions)" 1
exec 3>&-
wait "$idle_job" || true
is "the idle session saw no error" "$(grep -c ERROR "$GRANT_TEST_DIR/ops_idle.out" || true)" 0
ok "the remote session ends with the local one" wait_until 10 reader_has 0

# --- PgBouncer in transaction pooling mode ----------------------------------------------
PGB_PORT=$(free_port)
rm -rf "$PGB_DIR"
mkdir -p "$PGB_DIR"
cat >"$PGB_DIR/pgbouncer.ini" <<EOF
[databases]
app = host=127.0.0.1 port=$W dbname=app
app_reader = host=127.0.0.1 port=$R dbname=app
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $PGB_DIR/userlist.txt
pool_mode = transaction
default_pool_size = 1
max_client_conn = 50
pidfile = $PGB_DIR/pgbouncer.pid
logfile = $PGB_DIR/pgbouncer.log
EOF
printf '"grant_test" "%s"\n' "$PW" >"$PGB_DIR/userlist.txt"
chown -R postgres "$PGB_DIR"
chmod 700 "$PGB_DIR"
chmod 600 "$PGB_DIR/userlist.txt"
runuser -u postgres -- pgbouncer -d "$PGB_DIR/pgbouncer.ini"
bouncer() { # direct client of the pool, as grant_test
    PGPASSWORD=$PW psql -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGB_PORT" -U grant_test -d "$@"
}
ok "pgbouncer accepts clients" wait_until 10 bouncer app -c "SELECT 1"

lpsql >/dev/null <<SQL
SELECT grant_fdw.establish_connection('bounced', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$PGB_PORT/app');
SELECT grant_fdw.establish_connection('bounced', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$PGB_PORT/app_reader', role => 'reading');
CREATE SERVER bounced FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'bounced', pooler 'transaction');
CREATE SERVER bounced_raw FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'bounced');
CREATE FOREIGN TABLE b_items (id int, v text) SERVER bounced OPTIONS (table_name 'ops_items');
CREATE FOREIGN TABLE b_whoami (port int) SERVER bounced OPTIONS (table_name 'whoami');
CREATE FOREIGN TABLE b_settings (search_path text, tz text, datestyle text, efd text)
    SERVER bounced OPTIONS (table_name 'ops_settings');
CREATE FOREIGN TABLE b_raw_whoami (port int) SERVER bounced_raw OPTIONS (table_name 'whoami');
SQL

out=$(lpsql -c "SELECT port FROM b_raw_whoami" 2>&1 || true)
like "without the pooler option PgBouncer refuses the session settings" "$out" 'unsupported startup parameter'
is "a read goes to the reader through the pooler" "$(lpsql -c "SELECT port FROM b_whoami")" "$R"
is "role writing goes to the writer through the pooler" \
    "$(lpsql -c "SET \"grant\".role = writing" -c "SELECT port FROM b_whoami")" "$W"
is "a read in the remote's own transaction still has grant's settings" \
    "$(lpsql -c 'SET "grant".role = writing' -c "SELECT search_path, tz, datestyle, efd FROM b_settings")" \
    "pg_catalog|UTC|ISO, MDY|3"
is "so does a read inside a transaction block" \
    "$(lpsql -c 'BEGIN' -c 'SET LOCAL "grant".role = writing' -c "SELECT search_path, tz FROM b_settings" -c 'COMMIT')" \
    "pg_catalog|UTC"
is "the settings do not outlive grant's transaction on the pooled session" \
    "$(bouncer app -c "SHOW search_path")" '"$user", public'

lpsql -c "INSERT INTO b_items VALUES (300, 'committed')"
is "a write commits on the writer" "$(rpsql writer -c "SELECT v FROM ops_items WHERE id = 300")" committed
lpsql -c "BEGIN" -c "INSERT INTO b_items VALUES (301, 'rolled back')" -c "ROLLBACK"
is "a rollback leaves nothing on the writer" "$(rpsql writer -c "SELECT count(*) FROM ops_items WHERE id = 301")" 0
lpsql >/dev/null <<'SQL'
BEGIN;
INSERT INTO b_items VALUES (302, 'kept');
SAVEPOINT a;
INSERT INTO b_items VALUES (303, 'undone');
ROLLBACK TO SAVEPOINT a;
INSERT INTO b_items VALUES (304, 'kept too');
COMMIT;
SQL
is "savepoints through the pooler" \
    "$(rpsql writer -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM ops_items WHERE id BETWEEN 302 AND 304")" "302,304"
out=$(lpsql -c "INSERT INTO b_items VALUES (300, 'duplicate')" 2>&1 || true)
like "a remote error through the pooler" "$out" 'duplicate key'
lpsql -c "INSERT INTO b_items VALUES (305, 'after the error')"
is "the next transaction works" "$(rpsql writer -c "SELECT count(*) FROM ops_items WHERE id = 305")" 1
lpsql -c "INSERT INTO b_items SELECT g, 'batch' FROM generate_series(10001, 20000) g"
is "a batch INSERT of 10,000 rows" "$(rpsql writer -c "SELECT count(*) FROM ops_items WHERE v = 'batch'")" 10000
out=$(lpsql -c "BEGIN" -c "INSERT INTO b_items SELECT g, 'batch2' FROM generate_series(20001, 30000) g" \
      -c "SELECT count(*) FROM b_items WHERE v = 'batch2'" -c "ROLLBACK")
is "a batch read back in its transaction, then rolled back" \
    "$out|$(rpsql writer -c "SELECT count(*) FROM ops_items WHERE v = 'batch2'")" "10000|0"
is "no prepared statement left on the pooled session" \
    "$(bouncer app -c "SELECT count(*) FROM pg_prepared_statements")" 0
like "EXPLAIN shows the route through the pooler" \
    "$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM b_items WHERE id = 1")" \
    "Route: database=bounced role=reading shard=default endpoint=127\\.0\\.0\\.1:$PGB_PORT/app_reader"
is "one connection to the pooler served all of a session's transactions" \
    "$(lpsql -c "SELECT grant_fdw.stat_reset()" -c "SELECT count(*) FROM b_items WHERE id = 1" \
        -c "INSERT INTO b_items VALUES (306, 'x')" -c "INSERT INTO b_items VALUES (307, 'x')" \
        -c "SELECT sum(connections) || '/' || sum(statements) FROM grant_fdw.stat_endpoints WHERE endpoint LIKE '%:$PGB_PORT/%'" | tail -1)" "2/3"
stop_pgbouncer

# --- shared statistics and progress (grant preloaded) -----------------------------------
# rows come back one by one (an aggregate would be computed remotely), and
# large enough for the remote to send each at once
slow_scan() { PGAPPNAME=ops_slow lpsql -c "SELECT g, pad FROM ops_slow" >"$GRANT_TEST_DIR/ops_slow.out" 2>&1; }
slow_pid() { lpsql -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'ops_slow' AND state = 'active'"; }
slow_running() { [[ -n $(slow_pid) ]]; }

reader_catch_up
slow_scan &
slow_job=$!
wait_until 10 slow_running
sleep 0.5
is "not preloaded: another session sees no progress" "$(lpsql -c "SELECT count(*) FROM grant_fdw.progress")" 0
wait "$slow_job"

LDB=postgres lpsql -c "ALTER SYSTEM SET shared_preload_libraries = 'grant'" >/dev/null
node_stop local fast
node_start local
is "grant preloaded" "$(LDB=postgres lpsql -c 'SHOW shared_preload_libraries')" '"grant"'

lpsql -c "SELECT grant_fdw.stat_reset()" >/dev/null
lpsql >/dev/null <<'SQL'
SELECT v FROM ops_items WHERE id = 1;
SELECT v FROM ops_items WHERE id = 2;
SELECT v FROM ops_items WHERE id = 3;
SQL
lpsql >/dev/null <<'SQL'
SET "grant".read_your_writes = off;
SELECT v FROM ops_items WHERE id BETWEEN 4 AND 5;
INSERT INTO ops_items VALUES (400, 'a'), (401, 'b');
UPDATE ops_items SET v = 'c' WHERE id = 400;
SQL
q="SELECT role, statements, reads, writes, rows, errors, connections, shared FROM grant_fdw.stat_endpoints
   WHERE endpoint IN ('127.0.0.1:$W/app', '127.0.0.1:$R/app') AND statements > 0 ORDER BY role"
is "counters add up the work of two backends" "$(lpsql -c "$q" | tr '\n' ' ')" \
    "reading|4|4|0|5|0|2|t writing|2|0|2|3|0|1|t "

slow_scan &
slow_job=$!
wait_until 10 slow_running
pid=$(slow_pid)
progress_seen() { [[ $(lpsql -c "SELECT rows_fetched > 0 FROM grant_fdw.progress WHERE pid = $pid") == t ]]; }
ok "another session sees the slow scan's progress" wait_until 10 progress_seen
first=$(lpsql -c "SELECT relation || '|' || role || '|' || endpoint || '|' || done FROM grant_fdw.progress WHERE pid = $pid")
is "which relation, where, not done" "$first" "ops_slow|reading|127.0.0.1:$R/app|false"
n1=$(lpsql -c "SELECT rows_fetched FROM grant_fdw.progress WHERE pid = $pid")
sleep 2
n2=$(lpsql -c "SELECT coalesce(max(rows_fetched), 100) FROM grant_fdw.progress WHERE pid = $pid")
ok "rows fetched grow ($n1, then $n2)" test "$n2" -gt "$n1"
ok "published every few rows, never beyond the total" test "$n1" -lt 100
wait "$slow_job"
is "the slow scan answered" "$(wc -l <"$GRANT_TEST_DIR/ops_slow.out")" 100
is "the entry is gone when the scan ends" "$(lpsql -c "SELECT count(*) FROM grant_fdw.progress")" 0

finish
