#!/usr/bin/env bash
# test/scenarios/replicas.sh — replica sets on the real topology: read-your-writes by
# position (and by delay), the lag limit, a reader going down and coming back, failover
# to the writer or an error, a reader lost inside a transaction, and down-marks shared
# by all backends when grant is preloaded.  Lag is made deterministic with
# pg_wal_replay_pause() on the reader.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_replicas
W=$GRANT_WRITER_PORT
R=$GRANT_READER_PORT
PW=$GRANT_TEST_PASSWORD

cleanup() {
    rpsql reader -c "SELECT 1" >/dev/null 2>&1 || node_start reader >/dev/null 2>&1 || true
    rpsql reader -c "SELECT pg_wal_replay_resume()" >/dev/null 2>&1 || true
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" >/dev/null 2>&1 || true
    rpsql writer -c "DROP TABLE IF EXISTS rs_items; DROP VIEW IF EXISTS rs_slow" >/dev/null 2>&1 || true
    rmysql --replica -e "START SLAVE" >/dev/null 2>&1 || true
    rmysql -e "DROP TABLE IF EXISTS rs_my; DROP VIEW IF EXISTS rs_whoami" >/dev/null 2>&1 || true
}
trap cleanup EXIT

rpsql reader -c "SELECT pg_wal_replay_resume()" >/dev/null
LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" -c "CREATE DATABASE $LDB"
rpsql writer -c "DROP TABLE IF EXISTS rs_items; CREATE TABLE rs_items (id int PRIMARY KEY, v text);
                 GRANT ALL ON rs_items TO grant_test"
reader_catch_up
lpsql >/dev/null <<SQL
CREATE EXTENSION "grant";
SELECT grant_fdw.establish_connection('primary', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$W/app');
SELECT grant_fdw.establish_connection('primary', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$R/app', role => 'reading');
CREATE SERVER app FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'primary');
CREATE FOREIGN TABLE rs_items (id int, v text) SERVER app;
CREATE FOREIGN TABLE whoami (port int) SERVER app;
SQL


# --- read-your-writes ----------------------------------------------------------------
rpsql reader -c "SELECT pg_wal_replay_pause()" >/dev/null
out=$(lpsql <<'SQL'
INSERT INTO rs_items VALUES (1, 'one');
SELECT (SELECT count(*) FROM rs_items WHERE id = 1) || ':' || (SELECT port FROM whoami);
SQL
)
is "lsn: own write read back at once (reader paused)" "$out" "1:$W"

out=$(lpsql <<'SQL'
SET "grant".read_your_writes = off;
INSERT INTO rs_items VALUES (2, 'two');
SELECT (SELECT count(*) FROM rs_items WHERE id = 2) || ':' || (SELECT port FROM whoami);
SQL
)
is "off: the paused reader answers without the write (stale read)" "$out" "0:$R"

out=$(lpsql <<'SQL'
SET "grant".read_your_writes = delay;
SET "grant".replica_delay = '700ms';
INSERT INTO rs_items VALUES (3, 'three');
SELECT (SELECT count(*) FROM rs_items WHERE id = 3) || ':' || (SELECT port FROM whoami);
SELECT pg_sleep(1);
SELECT (SELECT count(*) FROM rs_items WHERE id = 3) || ':' || (SELECT port FROM whoami);
SQL
)
is "delay: writer within replica_delay, then the (stale) reader" "$(echo $out)" "1:$W 0:$R"

out=$(lpsql <<'SQL'
INSERT INTO rs_items VALUES (4, 'four');
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM whoami;
SQL
)
like "EXPLAIN says why the writer serves" "$out" "read-your-writes: reader behind"

rpsql reader -c "SELECT pg_wal_replay_resume()" >/dev/null
out=$(lpsql <<'SQL'
INSERT INTO rs_items VALUES (5, 'five');
SELECT (SELECT count(*) FROM rs_items WHERE id = 5) || ':' || (SELECT port FROM whoami);
SELECT (SELECT count(*) FROM rs_items WHERE id = 5) || ':' || (SELECT port FROM whoami);
SQL
)
is "lsn: a reader that replays in time serves the session's own write" "$(echo $out)" "1:$R 1:$R"

# a session that wrote nothing reads from the reader, and costs no extra round trip
out=$(lpsql -c "SELECT count(*) || ':' || (SELECT port FROM whoami) FROM rs_items")
is "a session without writes reads from the reader" "$out" "5:$R"

# --- lag limit -------------------------------------------------------------------------
rpsql reader -c "SELECT pg_wal_replay_pause()" >/dev/null
rpsql writer -c "INSERT INTO rs_items VALUES (100, 'while paused')" >/dev/null
sleep 1.2
out=$(lpsql <<'SQL'
SET "grant".max_replica_lag = '500ms';
SELECT port FROM whoami;
SET "grant".max_replica_lag = '1h';
SELECT port FROM whoami;
SQL
)
is "a reader behind max_replica_lag is left out; a looser limit uses it" "$(echo $out)" "$W $R"
lag=$(lpsql -c "SET \"grant\".max_replica_lag = '500ms'" -c "SELECT count(*) FROM whoami" \
    -c "SELECT lag_ms >= 1000 FROM grant_fdw.health() WHERE role = 'reading'")
is "health() shows the measured lag" "$(echo "$lag" | tail -n 1)" "t"
rpsql reader -c "SELECT pg_wal_replay_resume()" >/dev/null
reader_catch_up

# --- failover --------------------------------------------------------------------------
# down-marks are per backend here (grant is not preloaded): one session sees it all
TOPO="bash $_grant_lib_dir/topology.sh"
out="$(lpsql 2>&1 <<SQL
SET "grant".down_retry_interval = '1500ms';
SELECT 'a', port FROM whoami;
\! $TOPO node-stop reader fast >/dev/null 2>&1
SELECT 'b', port FROM whoami;
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM whoami;
SELECT 'c', status, last_error IS NOT NULL, failures FROM grant_fdw.health() WHERE role = 'reading';
SET "grant".reader_fallback = error;
SELECT 'd', port FROM whoami;
SQL
)" || true
like "a reader serves while up" "$out" "a\|$R"
like "reader down: the same session fails over to the writer" "$out" "b\|$W"
like "EXPLAIN says the readers are down" "$out" "readers down"
like "health() shows the reader down with its error" "$out" "c\|down\|t\|1"
like "reader_fallback = error refuses instead, with a clear message" "$out" \
    'no reader of grant database "primary" can serve this read \(readers down\)'
if [[ $out == *"$PW"* ]]; then is "no password in any message" "leaked" "clean"; else is "no password in any message" "clean" "clean"; fi

out=$(lpsql 2>&1 <<SQL
SET "grant".down_retry_interval = '1500ms';
\! $TOPO node-stop reader fast >/dev/null 2>&1
SELECT 'a', port FROM whoami;
\! $TOPO node-start reader >/dev/null 2>&1
SELECT 'b', port FROM whoami;
SELECT pg_sleep(1.6);
SELECT 'c', port FROM whoami;
SELECT 'd', port FROM whoami;
SELECT 'e', status FROM grant_fdw.health() WHERE role = 'reading';
SQL
)
like "down: the writer serves" "$out" "a\|$W"
like "back, but within the retry interval: still the writer (no flapping)" "$out" "b\|$W"
like "after the interval the reader serves again" "$out" "c\|$R"
like "... and keeps serving" "$out" "d\|$R"
like "health() shows it up" "$out" "e\|up"
reader_catch_up

# a reader lost inside a transaction: an error, never a silent switch
out=$(lpsql -v ON_ERROR_STOP=0 2>&1 <<SQL || true
BEGIN;
SELECT port FROM whoami;
SELECT pg_sleep(0.1);
\! bash $_grant_lib_dir/topology.sh node-stop reader immediate >/dev/null 2>&1
SELECT port FROM whoami;
ROLLBACK;
SET "grant".down_retry_interval = '60s';
SELECT port FROM whoami;
SQL
)
like "reader lost mid-transaction: the statement fails" "$out" "lost connection to grant endpoint"
like "the next transaction fails over to the writer" "$(echo "$out" | tail -n 1)" "^$W\$"
node_start reader
reader_catch_up

# --- weighted choice across two real replicas ------------------------------------------------
R2=$GRANT_READER2_PORT
lpsql >/dev/null <<SQL
SELECT grant_fdw.establish_connection('weighted', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$W/app');
SELECT grant_fdw.establish_connection('weighted', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$R/app', role => 'reading', weight => 1);
SELECT grant_fdw.establish_connection('weighted', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$R2/app', role => 'reading', weight => 3);
CREATE SERVER weighted FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'weighted');
CREATE FOREIGN TABLE weighted_whoami (port int) SERVER weighted OPTIONS (table_name 'whoami');
SQL
counts=$(for i in $(seq 1 800); do echo "SELECT port FROM weighted_whoami;"; done | lpsql -f - | sort | uniq -c)
n1=$(awk -v p="$R" '$2 == p { print $1 }' <<<"$counts")
n2=$(awk -v p="$R2" '$2 == p { print $1 }' <<<"$counts")
diag "800 transactions: reader (weight 1) ${n1:-0}, reader2 (weight 3) ${n2:-0}"
is "every read went to one of the two readers" "$((${n1:-0} + ${n2:-0}))" "800"
ok "the weight-1 reader served 25% +- 6 points (expected 200 of 800)" \
    test "${n1:-0}" -ge 152 -a "${n1:-0}" -le 248

# --- a reader session terminated in the middle of a read -------------------------------------
# the remote says "terminating connection due to administrator command" (57P01) and closes:
# a read in autocommit ran nothing else, so it is sent again (the reader, taken for down,
# or the writer answers)
rpsql writer -c "CREATE OR REPLACE VIEW rs_slow AS SELECT pg_sleep(1)::text AS s, current_setting('port')::int AS port;
                 GRANT SELECT ON rs_slow TO grant_test"
reader_catch_up
lpsql -c "CREATE FOREIGN TABLE rs_slow (s text, port int) SERVER app" >/dev/null
(sleep 0.4; rpsql reader -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                             WHERE application_name LIKE 'grant/%' AND query LIKE '%rs_slow%'" >/dev/null) &
killer=$!
out=$(lpsql -c "SELECT port FROM rs_slow" 2>&1 || true)
wait "$killer" || true
like "a read whose remote session is terminated mid-query is sent again and answered" "$out" "^($R|$W)\$"

# --- a reader killed under two clients' loops of reads ---------------------------------------
# every read is answered (by the reader, or after its failure by the writer), none fails
loop_reads() {
    local i
    for i in $(seq 1 250); do
        echo "SELECT port FROM whoami; SELECT pg_sleep(0.005);"
    done | lpsql -v ON_ERROR_STOP=0 -c "SET \"grant\".down_retry_interval = '60s'" -f - 2>&1
}
loop_reads >"$GRANT_TEST_DIR/loop1.out" &
p1=$!
loop_reads >"$GRANT_TEST_DIR/loop2.out" &
p2=$!
sleep 0.6
node_stop reader immediate
wait "$p1" "$p2" || true
answers=$(cat "$GRANT_TEST_DIR/loop1.out" "$GRANT_TEST_DIR/loop2.out")
is "every one of 500 reads was answered" "$(echo "$answers" | grep -cE "^($R|$W)\$")" "500"
is "no read failed" "$(echo "$answers" | grep -c ERROR || true)" "0"
failures=$(echo "$answers" | grep -A2 ERROR || true)
[[ -z $failures ]] || diag "failed reads: $failures"
ok "reads before the stop came from the reader" grep -q "^$R\$" <<<"$answers"
last_port() { grep -E '^[0-9]+$' "$1" | tail -n 1; }
is "reads after it came from the writer" \
    "$(last_port "$GRANT_TEST_DIR/loop1.out"):$(last_port "$GRANT_TEST_DIR/loop2.out")" "$W:$W"
node_start reader
reader_catch_up

# --- read-your-writes on MariaDB: GTID position ------------------------------------------
rmysql <<'SQL'
DROP TABLE IF EXISTS rs_my; DROP VIEW IF EXISTS rs_whoami;
CREATE TABLE rs_my (id int PRIMARY KEY, v varchar(20));
CREATE VIEW rs_whoami AS
  SELECT CAST(VARIABLE_VALUE AS UNSIGNED) AS server_id
  FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME = 'SERVER_ID';
SQL
mysql_replica_catch_up
lpsql >/dev/null <<SQL
SELECT grant_fdw.establish_connection('rsmy', 'mysql', 'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_PORT/app');
SELECT grant_fdw.establish_connection('rsmy', 'mysql', 'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_REPLICA_PORT/app', role => 'reading');
CREATE SERVER rsmy FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'rsmy');
CREATE FOREIGN TABLE rs_my (id int OPTIONS (key 'true'), v varchar(20)) SERVER rsmy;
CREATE FOREIGN TABLE rs_whoami (server_id int) SERVER rsmy;
SQL
rmysql --replica -e "STOP SLAVE" >/dev/null
out=$(lpsql <<'SQL'
INSERT INTO rs_my VALUES (1, 'one');
SELECT (SELECT count(*) FROM rs_my WHERE id = 1) || ':' || (SELECT server_id FROM rs_whoami);
SET "grant".read_your_writes = off;
SELECT (SELECT count(*) FROM rs_my WHERE id = 1) || ':' || (SELECT server_id FROM rs_whoami);
SQL
)
is "MariaDB: own write read back from the primary while the replica is stopped; stale with off" \
    "$(echo $out)" "1:1 0:2"
out=$(lpsql -c "SET \"grant\".max_replica_lag = '5s'" -c "SELECT server_id FROM rs_whoami" \
    -c "SET \"grant\".max_replica_lag = -1" -c "SELECT server_id FROM rs_whoami")
is "MariaDB: a stopped replica is behind any lag limit; without a limit it serves" "$(echo $out)" "1 2"
rmysql --replica -e "START SLAVE" >/dev/null
out=$(lpsql <<'SQL'
INSERT INTO rs_my VALUES (2, 'two');
SELECT (SELECT count(*) FROM rs_my WHERE id = 2) || ':' || (SELECT server_id FROM rs_whoami);
SQL
)
is "MariaDB: a replica that applies the GTID in time serves the session's own write" "$out" "1:2"
rmysql -e "DROP TABLE IF EXISTS rs_my; DROP VIEW IF EXISTS rs_whoami" >/dev/null

# --- shared down-marks (grant preloaded) ------------------------------------------------
LDB=postgres lpsql -c "ALTER SYSTEM SET shared_preload_libraries = 'grant'" >/dev/null
node_stop local fast
node_start local
is "grant preloaded" "$(lpsql -c 'SHOW shared_preload_libraries')" '"grant"'
node_stop reader fast
lpsql -c "SET \"grant\".down_retry_interval = '60s'" -c "SELECT port FROM whoami" >/dev/null
out=$(lpsql -c "SELECT status FROM grant_fdw.health() WHERE role = 'reading' AND database = 'primary'")
is "another backend sees the reader down without trying it" "$out" "down"
node_start reader
reader_catch_up
LDB=postgres lpsql -c "ALTER SYSTEM RESET shared_preload_libraries" >/dev/null
node_stop local fast
node_start local
out=$(lpsql -c "SELECT status FROM grant_fdw.health() WHERE role = 'reading' AND database = 'primary'")
is "without preloading, each backend keeps its own marks" "$out" "unknown"

finish
