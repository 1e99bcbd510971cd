#!/usr/bin/env bash
# test/scenarios/locking.sh — row-locking clauses reach the remote as the query wrote them:
# FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE with NOWAIT or SKIP LOCKED, on
# PostgreSQL and MariaDB, and a locking read goes to the writer even for a reading role.
# A job queue of two workers through grant takes two different jobs without waiting, as it
# does on the server itself; NOWAIT fails with lock_not_available (55P03).  Rows are locked
# by sessions that stay open (fed through a FIFO) while the other session runs.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_locking
W=$GRANT_WRITER_PORT
R=$GRANT_READER_PORT
PW=$GRANT_TEST_PASSWORD
T=$(mktemp -d)
chmod 777 "$T"

cleanup() {
    local fd
    for fd in 7 8; do
        eval "exec $fd>&-" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB WITH (FORCE)" >/dev/null 2>&1 || true
    rpsql writer -c "DROP TABLE IF EXISTS lk_jobs" >/dev/null 2>&1 || true
    rmysql -e "DROP TABLE IF EXISTS lk_jobs" >/dev/null 2>&1 || true
    rm -rf -- "$T"
}
trap cleanup EXIT

rpsql writer -c "DROP TABLE IF EXISTS lk_jobs;
                 CREATE TABLE lk_jobs (id int PRIMARY KEY, state int NOT NULL, note text);
                 INSERT INTO lk_jobs SELECT g, 0, NULL FROM generate_series(1, 5) g;
                 GRANT ALL ON lk_jobs TO grant_test"
rmysql -e "DROP TABLE IF EXISTS lk_jobs;
           CREATE TABLE lk_jobs (id int PRIMARY KEY, state int NOT NULL, note text) ENGINE=InnoDB;
           INSERT INTO lk_jobs VALUES (1,0,NULL),(2,0,NULL),(3,0,NULL),(4,0,NULL),(5,0,NULL)"
reader_catch_up
mysql_replica_catch_up
LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" -c "CREATE DATABASE $LDB"
lpsql >/dev/null <<SQL
CREATE EXTENSION "grant";
SELECT grant_fdw.establish_connection('lkpg', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$W/app');
SELECT grant_fdw.establish_connection('lkpg', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$R/app', role => 'reading');
SELECT grant_fdw.establish_connection('lkmy', 'mysql', 'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_PORT/app');
SELECT grant_fdw.establish_connection('lkmy', 'mysql', 'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_REPLICA_PORT/app', role => 'reading');
CREATE SERVER lkpg FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'lkpg');
CREATE SERVER lkmy FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'lkmy');
CREATE FOREIGN TABLE jobs_pg (id int, state int, note text) SERVER lkpg OPTIONS (table_name 'lk_jobs');
CREATE FOREIGN TABLE jobs_my (id int OPTIONS (key 'true') NOT NULL, state int, note text) SERVER lkmy OPTIONS (table_name 'lk_jobs');
CREATE TABLE pjobs (id int, state int, note text) PARTITION BY RANGE (id);
CREATE FOREIGN TABLE pjobs_1 PARTITION OF pjobs FOR VALUES FROM (0) TO (1000)
    SERVER lkpg OPTIONS (table_name 'lk_jobs');
SQL

# EXPLAIN VERBOSE's remote SQL of a query
remote_sql() {
    lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) $1" | sed -n 's/^ *Remote SQL: //p' | head -1
}

# A session that stays open: hold_open FD CLIENT... feeds CLIENT from a FIFO on FD.
hold_open() {
    local fd=$1
    shift
    rm -f "$T/fifo$fd"
    mkfifo "$T/fifo$fd"
    "$@" <"$T/fifo$fd" >"$T/out$fd" 2>&1 &
    eval "exec $fd>$T/fifo$fd"
}
hold_close() {
    local fd=$1
    eval "exec $fd>&-"
    wait
}
pg_holder_locks() {
    [[ $(rpsql writer -c "SELECT count(*) FROM pg_stat_activity
                          WHERE state = 'idle in transaction' AND usename = 'grant_test'") -ge 1 ]]
}
my_holder_locks() {
    [[ $(rmysql -e "SELECT count(*) FROM information_schema.innodb_trx
                    WHERE trx_rows_locked > 0") -ge 1 ]]
}

# --- the clauses, as the remote receives them --------------------------------------------
like "pg: FOR UPDATE SKIP LOCKED with its LIMIT" \
    "$(remote_sql "SELECT id FROM jobs_pg WHERE state = 0 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED")" \
    'ORDER BY id ASC NULLS LAST LIMIT 1(::bigint)? FOR UPDATE SKIP LOCKED$'
like "pg: FOR SHARE NOWAIT" "$(remote_sql "SELECT id FROM jobs_pg WHERE id = 1 FOR SHARE NOWAIT")" \
    ' FOR SHARE NOWAIT$'
like "pg: FOR KEY SHARE" "$(remote_sql "SELECT id FROM jobs_pg FOR KEY SHARE")" ' FOR KEY SHARE$'
like "pg: FOR NO KEY UPDATE" "$(remote_sql "SELECT id FROM jobs_pg FOR NO KEY UPDATE")" \
    ' FOR NO KEY UPDATE$'
like "pg: the clause of a partition" "$(remote_sql "SELECT id FROM pjobs FOR UPDATE SKIP LOCKED")" \
    ' FOR UPDATE SKIP LOCKED$'
like "pg: FOR UPDATE OF one table leaves the other unlocked" \
    "$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT a.id FROM jobs_pg a, jobs_pg b
                 WHERE a.id = b.id FOR UPDATE OF b" | sed -n 's/^ *Remote SQL: //p' | sort | tr '\n' '|')" \
    '^SELECT [^|]*lk_jobs\|SELECT [^|]*lk_jobs FOR UPDATE\|$'
like "my: FOR UPDATE SKIP LOCKED with its LIMIT" \
    "$(remote_sql "SELECT id FROM jobs_my WHERE state = 0 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED")" \
    'LIMIT 1 FOR UPDATE SKIP LOCKED$'
like "my: a NOT NULL sort key is sorted by the index order" \
    "$(remote_sql "SELECT id FROM jobs_my ORDER BY id LIMIT 2")" 'ORDER BY `id` ASC LIMIT 2$'
like "my: a nullable one says where NULLs go" \
    "$(remote_sql "SELECT id FROM jobs_my ORDER BY state DESC, id DESC LIMIT 2")" \
    'ORDER BY \(`state` IS NULL\) DESC, `state` DESC, `id` DESC LIMIT 2$'
like "my: NULLS FIRST ascending is MySQL's own order" \
    "$(remote_sql "SELECT id FROM jobs_my ORDER BY state NULLS FIRST LIMIT 2")" 'ORDER BY `state` ASC LIMIT 2$'
like "my: FOR SHARE NOWAIT is LOCK IN SHARE MODE NOWAIT" \
    "$(remote_sql "SELECT id FROM jobs_my WHERE id = 1 FOR SHARE NOWAIT")" ' LOCK IN SHARE MODE NOWAIT$'
like "my: FOR KEY SHARE takes InnoDB's shared lock" \
    "$(remote_sql "SELECT id FROM jobs_my FOR KEY SHARE")" ' LOCK IN SHARE MODE$'
like "pg: a locking read goes to the writer" \
    "$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM jobs_pg FOR UPDATE SKIP LOCKED" | grep Route)" \
    "role=writing .*endpoint=127.0.0.1:$W/app"
like "my: a locking read goes to the writer" \
    "$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM jobs_my FOR SHARE" | grep Route)" \
    "role=writing .*endpoint=127.0.0.1:$GRANT_MYSQL_PORT/app"

# --- what cannot lock exactly the server's rows ---------------------------------------------
for tbl in jobs_pg jobs_my; do
    out=$(lpsql -c "SELECT id FROM $tbl WHERE random() >= 0 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED" 2>&1) || true
    like "$tbl: SKIP LOCKED with a local condition is refused" "$out" \
        "SKIP LOCKED on foreign table \"$tbl\" would lock rows the query does not return"
    out=$(lpsql -c "\\set VERBOSITY verbose" \
                -c "SELECT j.id FROM $tbl j JOIN generate_series(1, 2) g ON j.id = g FOR UPDATE OF j NOWAIT" 2>&1) || true
    like "$tbl: NOWAIT in a local join is refused (0A000)" "$out" "ERROR: +0A000: NOWAIT on foreign table"
    is "$tbl: a waiting lock with a local condition runs" \
        "$(lpsql -c "SELECT id FROM $tbl WHERE random() >= 0 AND id = 4 FOR UPDATE")" 4
done
out=$(lpsql -c "SELECT id FROM pjobs ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED" 2>&1) || true
like "pg: SKIP LOCKED under a LIMIT applied locally (partitioned table) is refused" "$out" \
    "DETAIL: +The query's LIMIT or OFFSET is applied locally"

# --- a job queue: two workers through grant --------------------------------------------
for tbl in jobs_pg jobs_my; do
    case $tbl in
        jobs_pg) locked=pg_holder_locks ;;
        *) locked=my_holder_locks ;;
    esac
    # worker 1 takes the first job and keeps its transaction open
    hold_open 7 "$_grant_pgbin/psql" -X -A -t -q -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U postgres -d "$LDB"
    echo "BEGIN;
          SELECT 'took ' || id FROM $tbl WHERE state = 0 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED;
          UPDATE $tbl SET state = 1 WHERE id = 1;" >&7
    ok "$tbl: worker 1 holds job 1" wait_until 10 $locked
    # a reading role's locking read is a write: refused, as a hot standby refuses it
    out=$(lpsql -c "SET \"grant\".role = 'reading'" -c "SET statement_timeout = '3s'" \
                -c "SELECT id FROM $tbl ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED" 2>&1) || true
    like "$tbl: a reading role's locking read is refused" "$out" 'cannot write through grant while "grant.role" is "reading"'
    # worker 2 skips it at once and takes the next
    out=$(lpsql 2>&1 <<SQL
SET statement_timeout = '3s';
BEGIN;
SELECT id FROM $tbl WHERE state = 0 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED;
UPDATE $tbl SET state = 2 WHERE id = 2;
COMMIT;
SQL
    ) || true
    is "$tbl: worker 2 skips the locked job and takes job 2" "$out" "2"
    out=$(lpsql -c "SET statement_timeout = '3s'" -c "\\set VERBOSITY verbose" \
                -c "SELECT id FROM $tbl WHERE id = 1 FOR UPDATE NOWAIT" 2>&1) || true
    like "$tbl: NOWAIT on the locked job fails at once with 55P03" "$out" 'ERROR: +55P03'
    out=$(lpsql -c "SET statement_timeout = '3s'" \
                -c "SELECT id FROM $tbl ORDER BY id FOR SHARE SKIP LOCKED" 2>&1 | paste -sd,) || true
    is "$tbl: FOR SHARE SKIP LOCKED reads every unlocked row" "$out" "2,3,4,5"
    echo "COMMIT;" >&7
    hold_close 7
    like "$tbl: worker 1 took job 1" "$(<"$T/out7")" '^took 1$'
    is "$tbl: both jobs done, by their workers" \
        "$(lpsql -c "SELECT string_agg(id || '=' || state, ',' ORDER BY id) FROM $tbl")" \
        "1=1,2=2,3=0,4=0,5=0"
done

# --- lock strength: FOR KEY SHARE lets a non-key update through, FOR SHARE does not -------
hold_open 8 "$_grant_pgbin/psql" -X -A -t -q -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U postgres -d "$LDB"
echo "BEGIN; SELECT id FROM jobs_pg WHERE id = 3 FOR KEY SHARE;" >&8
ok "pg: FOR KEY SHARE held" wait_until 10 pg_holder_locks
ok "pg: a non-key update of a FOR KEY SHARE row does not wait on the server" \
    rpsql writer -c "SET lock_timeout = '1s'; UPDATE lk_jobs SET note = 'x' WHERE id = 3"
nok "pg: deleting it waits (lock_timeout)" \
    rpsql writer -c "SET lock_timeout = '1s'; DELETE FROM lk_jobs WHERE id = 3"
echo "COMMIT;" >&8
hold_close 8
hold_open 8 "$_grant_pgbin/psql" -X -A -t -q -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U postgres -d "$LDB"
echo "BEGIN; SELECT id FROM jobs_pg WHERE id = 3 FOR SHARE;" >&8
ok "pg: FOR SHARE held" wait_until 10 pg_holder_locks
nok "pg: a non-key update of a FOR SHARE row waits (lock_timeout)" \
    rpsql writer -c "SET lock_timeout = '1s'; UPDATE lk_jobs SET note = 'y' WHERE id = 3"
echo "COMMIT;" >&8
hold_close 8
is "pg: row 3 as the server left it" "$(rpsql writer -c "SELECT id || ':' || note FROM lk_jobs WHERE id = 3")" "3:x"

finish
