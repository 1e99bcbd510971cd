#!/usr/bin/env bash
# xa — grant.two_phase_commit with MariaDB endpoints (XA transactions), alone and together
# with a PostgreSQL endpoint: commit, rollback, errors, savepoints, one-phase commits, and
# grant_fdw.recover_prepared() after the MariaDB server was killed between XA PREPARE and
# XA COMMIT (or XA ROLLBACK).  Every outcome is checked on the servers themselves.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_xa
PW=$GRANT_TEST_PASSWORD
TPC=(-c 'SET "grant".two_phase_commit = on')

# XA transactions left on a MariaDB server (rows of XA RECOVER)
xa_left() { rmysql "$@" -e "XA RECOVER" | wc -l; }

cleanup() {
    local g
    for g in $(rmysql -e "XA RECOVER" 2>/dev/null | awk '$4 ~ /^grant_/ {print $4}'); do
        rmysql -e "XA ROLLBACK '$g'" >/dev/null 2>&1 || true
    done
    rmysql -e "DROP TABLE IF EXISTS app.xa_t; DROP VIEW IF EXISTS app.xa_who; DROP DATABASE IF EXISTS xa2" >/dev/null 2>&1 || true
    for g in $(rpsql shard1 -c "SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'grant%'" 2>/dev/null); do
        rpsql shard1 -c "ROLLBACK PREPARED '$g'" >/dev/null 2>&1 || true
    done
    rpsql shard1 -c "DROP TABLE IF EXISTS xa_t, xa_d" >/dev/null 2>&1 || true
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" >/dev/null 2>&1 || true
}
[[ -n ${GRANT_KEEP_SCENARIO:-} ]] || trap cleanup EXIT
cleanup

rmysql <<'SQL'
CREATE TABLE app.xa_t (id int PRIMARY KEY, v varchar(20));
CREATE DATABASE xa2;
CREATE TABLE xa2.xa_t (id int PRIMARY KEY, v varchar(20));
GRANT ALL ON xa2.* TO grant_test@'127.0.0.1';
SQL
rpsql shard1 <<'SQL'
CREATE TABLE xa_t (id int PRIMARY KEY, v text);
CREATE TABLE xa_d (v int UNIQUE DEFERRABLE INITIALLY DEFERRED);
INSERT INTO xa_d VALUES (7);
GRANT ALL ON xa_t, xa_d TO grant_test;
SQL

LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" -c "CREATE DATABASE $LDB"
ok "endpoints: PostgreSQL, two MariaDB databases on one server" lpsql <<SQL
CREATE EXTENSION "grant";
SELECT grant_fdw.establish_connection('xpg', 'postgresql',
  'postgresql://grant_test:$PW@127.0.0.1:$GRANT_SHARD1_PORT/app');
SELECT grant_fdw.establish_connection('xmy', 'mysql',
  'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_PORT/app');
SELECT grant_fdw.establish_connection('xmy2', 'mysql',
  'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_PORT/xa2');
CREATE SERVER xpg FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'xpg');
CREATE SERVER xmy FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'xmy');
CREATE SERVER xmy2 FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'xmy2');
CREATE FOREIGN TABLE pg_t (id int, v text) SERVER xpg OPTIONS (table_name 'xa_t');
CREATE FOREIGN TABLE pg_d (v int) SERVER xpg OPTIONS (table_name 'xa_d');
CREATE FOREIGN TABLE my_t (id int OPTIONS (key 'true'), v varchar(20)) SERVER xmy
  OPTIONS (table_name 'xa_t');
CREATE FOREIGN TABLE my2_t (id int OPTIONS (key 'true'), v varchar(20)) SERVER xmy2
  OPTIONS (table_name 'xa_t');
CREATE TABLE ser (k int);
SQL

pgrows() { rpsql shard1 -c "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM xa_t"; }
myrows() { rmysql -e "SELECT coalesce(group_concat(id ORDER BY id), '') FROM ${1:-app}.xa_t"; }
pg_left() { rpsql shard1 -c "SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE 'grant%'"; }

# --- commit, rollback, errors ------------------------------------------------------------
out=$(lpsql "${TPC[@]}" -c "DELETE FROM grant_fdw.prepared_xacts" \
    -c "BEGIN" -c "INSERT INTO pg_t VALUES (1, 'a')" -c "INSERT INTO my_t VALUES (1, 'a')" -c "COMMIT" \
    -c "CREATE TEMP TABLE first AS SELECT gid, endpoint FROM grant_fdw.prepared_xacts" \
    -c "BEGIN" -c "INSERT INTO pg_t VALUES (2, 'b')" -c "INSERT INTO my_t VALUES (2, 'b')" -c "COMMIT" \
    -c "SELECT (SELECT count(*) FROM first) || ':' ||
               (SELECT count(*) FROM first WHERE gid ~ '^grant_[0-9a-f]{16}_[0-9a-f]+_[0-9a-f]+_[0-9a-f]+_[0-9a-f]+\$') || ':' ||
               (SELECT count(*) FROM first WHERE gid ~ '^grant_[0-9a-f]{16}_x[0-9]+_[0-9]+\$') || ':' ||
               (SELECT count(*) FROM grant_fdw.prepared_xacts JOIN first USING (gid)) || ':' ||
               (SELECT count(*) FROM grant_fdw.prepared_xacts)" 2>&1)
is "PostgreSQL + MariaDB with two-phase commit: both committed" "$(pgrows)/$(myrows)" "1,2/1,2"
is "... no XA transaction and no prepared transaction left" "$(xa_left):$(pg_left)" "0:0"
is "... one record per endpoint (an XA gid for MariaDB, one naming the local xid for PostgreSQL, both after the cluster and database), removed by the next two-phase commit" \
    "$(tail -n 1 <<<"$out")" "2:1:1:0:2"
if [[ $out == *WARNING* ]]; then is "... and no warning" "$out" ""; else is "... and no warning" "" ""; fi

lpsql "${TPC[@]}" -c "BEGIN" -c "INSERT INTO pg_t VALUES (3, 'c')" -c "INSERT INTO my_t VALUES (3, 'c')" \
    -c "ROLLBACK" >/dev/null
is "ROLLBACK: the rows are on neither" "$(pgrows)/$(myrows)/$(xa_left)" "1,2/1,2/0"

lpsql "${TPC[@]}" -c "BEGIN" -c "INSERT INTO pg_t VALUES (4, 'd')" -c "INSERT INTO my_t VALUES (4, 'd')" \
    -c "SELECT 1 / 0" >/dev/null 2>&1 || true
is "an error after the writes: the rows are on neither" "$(pgrows)/$(myrows)/$(xa_left)" "1,2/1,2/0"

err=$(lpsql "${TPC[@]}" -c "BEGIN" -c "INSERT INTO my_t VALUES (5, 'e')" -c "INSERT INTO pg_d VALUES (7)" \
    -c "COMMIT" 2>&1 || true)
like "a PREPARE TRANSACTION that fails on PostgreSQL fails the commit" "$err" "duplicate key value"
is "... and MariaDB's XA transaction is rolled back" "$(myrows)/$(xa_left):$(pg_left)" "1,2/0:0"

out=$(lpsql "${TPC[@]}" -c "BEGIN" -c "INSERT INTO my_t VALUES (6, 'f')" -c "INSERT INTO my2_t VALUES (6, 'f')" \
    -c "COMMIT" 2>&1)
is "two MariaDB databases on one server: both committed" "$(myrows app)/$(myrows xa2)" "1,2,6/6"
is "... no XA transaction left" "$(xa_left)" "0"

# --- one-phase commits --------------------------------------------------------------------
out=$(lpsql "${TPC[@]}" -c "BEGIN" -c "SELECT count(*) FROM my_t" -c "COMMIT" \
    -c "BEGIN" -c "INSERT INTO my_t VALUES (7, 'g')" -c "COMMIT" \
    -c "INSERT INTO my_t VALUES (8, 'h')" \
    -c "BEGIN" -c "SELECT count(*) FROM my_t" -c "INSERT INTO my_t VALUES (9, 'i')" -c "COMMIT" \
    -c "SELECT count(*) FROM my_t" 2>&1)
is "one endpoint with two-phase commit on: reads, a lone writer, autocommit (XA ... ONE PHASE)" \
    "$(tr '\n' ' ' <<<"$out")" "3 5 6 "
is "... the rows are there and no XA transaction is left" "$(myrows)/$(xa_left)" "1,2,6,7,8,9/0"

# --- savepoints inside XA transactions ----------------------------------------------------
ok "savepoints and a failed statement in a subtransaction, with two-phase commit" \
    lpsql -v ON_ERROR_STOP=0 <<'SQL'
SET "grant".two_phase_commit = on;
BEGIN;
INSERT INTO my_t VALUES (10, 'kept');
INSERT INTO pg_t VALUES (10, 'kept');
SAVEPOINT a;
INSERT INTO my_t VALUES (11, 'undone');
INSERT INTO pg_t VALUES (11, 'undone');
ROLLBACK TO SAVEPOINT a;
SAVEPOINT b;
INSERT INTO my_t VALUES (1, 'duplicate');
ROLLBACK TO SAVEPOINT b;
INSERT INTO my_t VALUES (12, 'kept too');
COMMIT;
SQL
is "... only the work outside the rolled-back savepoints is committed, on both" \
    "$(myrows)/$(pgrows)/$(xa_left)" "1,2,6,7,8,9,10,12/1,2,10/0"

err=$(lpsql -c "BEGIN" -c "INSERT INTO my_t VALUES (20, 'x')" -c 'SET LOCAL "grant".two_phase_commit = on' \
    -c "INSERT INTO pg_t VALUES (20, 'x')" -c "COMMIT" 2>&1 || true)
like "two-phase commit turned on after a MariaDB transaction began: refused at commit" "$err" \
    'cannot prepare the remote transaction on grant endpoint "127.0.0.1:[0-9]+/app"'
is "... and nothing is committed" "$(myrows)/$(pgrows)/$(xa_left)" "1,2,6,7,8,9,10,12/1,2,10/0"

# --- MariaDB killed between XA PREPARE and XA COMMIT -------------------------------------
# Every commit flushed, so that the prepared transaction survives the kill for sure.
rmysql -e "SET GLOBAL innodb_flush_log_at_trx_commit = 1"
(lpsql "${TPC[@]}" -c "SET \"grant\".commit_prepared_delay = '3s'" \
    -c "BEGIN" -c "INSERT INTO pg_t VALUES (30, 'k')" -c "INSERT INTO my_t VALUES (30, 'k')" -c "COMMIT" \
    >"$GRANT_TEST_DIR/xa-commit.out" 2>&1 || true) &
sleep 1.5
node_stop mysql immediate
wait
like "the local commit warns that MariaDB could not be told" "$(cat "$GRANT_TEST_DIR/xa-commit.out")" \
    "could not commit prepared transaction \"grant_[0-9a-f_]+\" on grant endpoint"
node_start mysql
is "the restarted MariaDB kept its prepared XA transaction, not yet visible" \
    "$(xa_left):$(rmysql -e 'SELECT count(*) FROM xa_t WHERE id = 30')" "1:0"
out=$(lpsql -c "SELECT gid || ' ' || action FROM grant_fdw.recover_prepared() WHERE gid IS NOT NULL")
like "recover_prepared() commits it (its local transaction committed)" "$out" "^grant_[0-9a-f_]+ committed$"
is "... the row is on both, exactly once" \
    "$(rmysql -e 'SELECT count(*) FROM xa_t WHERE id = 30'):$(rpsql shard1 -c 'SELECT count(*) FROM xa_t WHERE id = 30')" "1:1"
is "... nothing left in XA RECOVER, nor its record" \
    "$(xa_left):$(lpsql -c "SELECT count(*) FROM grant_fdw.prepared_xacts WHERE gid = '${out%% *}'")" "0:0"

# --- MariaDB killed between XA PREPARE and XA ROLLBACK (the local commit failed) ---------
# The local transaction fails after PREPARE: a serialization failure found at commit.
rmysql -e "SET GLOBAL innodb_flush_log_at_trx_commit = 1"
(lpsql "${TPC[@]}" -c "SET \"grant\".commit_prepared_delay = '3s'" \
    -c "BEGIN ISOLATION LEVEL SERIALIZABLE" -c "SELECT count(*) FROM ser WHERE k = 1" \
    -c "INSERT INTO ser VALUES (2)" -c "INSERT INTO pg_t VALUES (40, 'l')" -c "INSERT INTO my_t VALUES (40, 'l')" \
    -c "SELECT pg_sleep(2)" -c "COMMIT" >"$GRANT_TEST_DIR/xa-abort.out" 2>&1 || true) &
sleep 0.7
lpsql -c "BEGIN ISOLATION LEVEL SERIALIZABLE" -c "SELECT count(*) FROM ser WHERE k = 2" \
    -c "INSERT INTO ser VALUES (1)" -c "COMMIT" >/dev/null
sleep 2.8
node_stop mysql immediate
wait
like "the local commit failed after PREPARE, and MariaDB could not be told to roll back" \
    "$(cat "$GRANT_TEST_DIR/xa-abort.out")" \
    "could not roll back prepared transaction \"grant_[0-9a-f_]+\" on grant endpoint"
node_start mysql
is "the restarted MariaDB kept its prepared XA transaction" "$(xa_left)" "1"
out=$(lpsql -c "SELECT action FROM grant_fdw.recover_prepared() WHERE gid IS NOT NULL")
is "recover_prepared() rolls it back (its local transaction failed)" "$out" "rolled back"
is "... the row is on neither, nothing left in XA RECOVER" \
    "$(rmysql -e 'SELECT count(*) FROM xa_t WHERE id = 40'):$(rpsql shard1 -c 'SELECT count(*) FROM xa_t WHERE id = 40'):$(xa_left):$(pg_left)" \
    "0:0:0:0"

# --- recover_prepared() leaves alone what a running local transaction prepared ------------
# An XA transaction named after the virtual xid of a local transaction that still runs.
(lpsql -c "BEGIN" -c "SELECT pg_sleep(3)" -c "COMMIT" >/dev/null 2>&1 || true) &
vxid=""
for _ in $(seq 50); do
    vxid=$(lpsql -c "SELECT l.virtualxid FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                     WHERE l.locktype = 'virtualxid' AND a.query = 'SELECT pg_sleep(3)'")
    [[ -n $vxid ]] && break
    sleep 0.1
done
gid=$(lpsql -c "SELECT 'grant_' || lpad(to_hex(s.system_identifier & 4294967295), 8, '0')
                       || lpad(to_hex(d.oid::int), 8, '0') || '_'
                       || to_hex(split_part('$vxid', '/', 1)::int) || '_'
                       || to_hex(split_part('$vxid', '/', 2)::bigint) || '_1_1'
                FROM pg_control_system() s, pg_database d WHERE d.datname = current_database()")
rmysql -e "XA START '$gid'; INSERT INTO xa_t VALUES (50, 'm'); XA END '$gid'; XA PREPARE '$gid'"
is "an XA transaction of a running local transaction is left alone" \
    "$(lpsql -c "SELECT action FROM grant_fdw.recover_prepared() WHERE gid IS NOT NULL"):$(xa_left)" \
    "in progress:1"
wait
is "... and rolled back once that local transaction ended without a record" \
    "$(lpsql -c "SELECT action FROM grant_fdw.recover_prepared() WHERE gid IS NOT NULL"):$(xa_left):$(rmysql -e 'SELECT count(*) FROM xa_t WHERE id = 50')" \
    "rolled back:0:0"

# --- read your writes after a two-phase commit --------------------------------------------
# a database with the MariaDB replica as its reader: right after the commit, this session
# reads it from the primary (server id 1), not from the replica (2)
rmysql -e "CREATE OR REPLACE VIEW xa_who AS SELECT CAST(VARIABLE_VALUE AS UNSIGNED) AS server_id
             FROM information_schema.GLOBAL_VARIABLES WHERE VARIABLE_NAME = 'SERVER_ID'"
mysql_replica_catch_up
lpsql >/dev/null <<SQL
SELECT grant_fdw.establish_connection('xmyr', 'mysql',
  'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_PORT/app');
SELECT grant_fdw.establish_connection('xmyr', 'mysql',
  'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_REPLICA_PORT/app', 'reading');
CREATE SERVER xmyr FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'xmyr');
CREATE FOREIGN TABLE myr_t (id int OPTIONS (key 'true'), v varchar(20)) SERVER xmyr
  OPTIONS (table_name 'xa_t');
CREATE FOREIGN TABLE who_t (server_id int) SERVER xmyr OPTIONS (table_name 'xa_who');
SQL
is "a session that did not write reads that database from the replica" \
    "$(lpsql -c "SELECT server_id FROM who_t")" "2"
out=$(lpsql "${TPC[@]}" -c "BEGIN" -c "INSERT INTO pg_t VALUES (60, 'r')" -c "INSERT INTO myr_t VALUES (60, 'r')" \
    -c "COMMIT" -c "SELECT server_id FROM who_t")
is "after a two-phase commit that wrote it, the session reads it from the primary" "$(tail -n 1 <<<"$out")" "1"

# XA COMMIT and XA PREPARE travel in the binlog: the replica must not keep any either
mysql_replica_catch_up
is "the MariaDB replica applied it all and holds no XA transaction" "$(xa_left --replica)" "0"

finish
