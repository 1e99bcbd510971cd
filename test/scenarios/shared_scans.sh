#!/usr/bin/env bash
# test/scenarios/shared_scans.sh — plans in which several scans share the shards'
# connections: self-joins (nested loop, hash), nested loops that rescan, subplans and
# cursors fetched in turns, on tables many times larger than fetch_size, with work_mem so
# small that the rows read ahead for a shared connection spill to disk.  Every answer must
# equal the same query on a local copy, on PostgreSQL shards, MariaDB shards and a database
# that mixes both, and the local server must never restart.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_shared_scans
PW=$GRANT_TEST_PASSWORD
S1=$GRANT_SHARD1_PORT
S2=$GRANT_SHARD2_PORT
ROWS=6000
mdb() {
    local db=$1
    shift
    mariadb --no-defaults -S "$GRANT_MYSQL_SOCKET" -u root -N -B "$db" "$@"
}

cleanup() {
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB WITH (FORCE)" >/dev/null 2>&1 || true
    for port in "$S1" "$S2"; do
        spsql "$port" app -c "DROP TABLE IF EXISTS ss_ev" >/dev/null 2>&1 || true
    done
    mdb app -e "DROP TABLE IF EXISTS ss_ev" >/dev/null 2>&1 || true
    mdb app -e "DROP DATABASE IF EXISTS ss2" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

mdb app -e "CREATE DATABASE ss2; GRANT ALL ON ss2.* TO grant_test@'127.0.0.1'"
for port in "$S1" "$S2"; do
    spsql "$port" app -c "CREATE TABLE ss_ev (id int PRIMARY KEY, k int NOT NULL, v int NOT NULL);
                          GRANT ALL ON ss_ev TO grant_test"
done
for db in app ss2; do
    mdb "$db" -e "CREATE TABLE ss_ev (id int PRIMARY KEY, k int NOT NULL, v int NOT NULL) ENGINE=InnoDB"
done

LDB=postgres lpsql -c "CREATE DATABASE $LDB"
start_time=$(lpsql -c "SELECT pg_postmaster_start_time()")
lpsql >/dev/null <<SQL
CREATE EXTENSION "grant";
SELECT grant_fdw.establish_connection('sspg', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$S1/app', shard => 'a');
SELECT grant_fdw.establish_connection('sspg', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$S2/app', shard => 'b');
SELECT grant_fdw.establish_connection('ssmy', NULL, 'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_PORT/app', shard => 'a');
SELECT grant_fdw.establish_connection('ssmy', NULL, 'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_PORT/ss2', shard => 'b');
CREATE SERVER sspg FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'sspg', fetch_size '100');
CREATE SERVER ssmy FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'ssmy', fetch_size '100');
CREATE FOREIGN TABLE ev_pg (id int, k int, v int) SERVER sspg OPTIONS (table_name 'ss_ev', shard_key 'id');
CREATE FOREIGN TABLE ev_my (id int, k int, v int) SERVER ssmy OPTIONS (table_name 'ss_ev', shard_key 'id');
CREATE TABLE ev_local (id int PRIMARY KEY, k int NOT NULL, v int NOT NULL);
INSERT INTO ev_local SELECT g, g % 10, (g * 7919) % 1000 FROM generate_series(1, $ROWS) g;
INSERT INTO ev_pg SELECT * FROM ev_local;
INSERT INTO ev_my SELECT * FROM ev_local;
ANALYZE ev_local;
SQL
# the mixed database: its shards are the PostgreSQL shard a and the MariaDB shard b
lpsql >/dev/null <<SQL
SELECT grant_fdw.establish_connection('ssmix', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$S1/app', shard => 'a');
SELECT grant_fdw.establish_connection('ssmix', NULL, 'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_PORT/ss2', shard => 'b');
CREATE SERVER ssmix FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'ssmix', fetch_size '100');
CREATE FOREIGN TABLE ev_mix (id int, k int, v int) SERVER ssmix OPTIONS (table_name 'ss_ev', shard_key 'id');
SQL
is "the copies hold every row" \
    "$(lpsql -c "SELECT (SELECT count(*) FROM ev_pg) || ' ' || (SELECT count(*) FROM ev_my)")" "$ROWS $ROWS"
# the same two-shard hash spreads the mixed table's keys over a and b as over sspg's
is "the mixed table holds the rows of its shards" \
    "$(lpsql -c "SELECT count(*) > 0 FROM ev_mix")" t

SETTINGS="SET work_mem = '64kB'; SET enable_hashjoin = off; SET enable_mergejoin = off;"
QUERIES=(
    "SELECT count(*), sum(a.v + b.v) FROM ev a JOIN ev b ON a.id = b.id WHERE a.id < 2500"
    "SELECT count(*), sum(b.v) FROM ev a JOIN ev b ON a.k = b.k WHERE a.id < 4 AND b.id < 3000"
    "SELECT count(*) FROM ev a WHERE a.v > (SELECT avg(v) FROM ev b WHERE b.k = a.k) AND a.id < 200"
    "SELECT g, x.id FROM generate_series(1, 40) g, LATERAL (SELECT id FROM ev WHERE k = g % 10 ORDER BY id LIMIT 2) x ORDER BY 1, 2"
    "SELECT count(*) FROM ev a WHERE EXISTS (SELECT 1 FROM ev b WHERE b.id = a.id + 1) AND a.id > $((ROWS - 300))"
)
for t in pg my; do
    for q in "${QUERIES[@]}"; do
        is "$t: $q" "$(lpsql -c "$SETTINGS ${q//ev /ev_$t }" 2>&1 || true)" \
            "$(lpsql -c "$SETTINGS ${q//ev /ev_local }")"
    done
    # a hash self-join with spilled read-ahead (the default join methods)
    is "$t: hash self-join" \
        "$(lpsql -c "SET work_mem = '64kB'" -c "SELECT count(*), sum(a.v) FROM ev_$t a JOIN ev_$t b ON a.id = b.id WHERE a.k = 5" 2>&1 || true)" \
        "$(lpsql -c "SELECT count(*), sum(a.v) FROM ev_local a JOIN ev_local b ON a.id = b.id WHERE a.k = 5")"
done

# the mixed database compared with a local copy of what it holds
lpsql -c "CREATE TABLE ev_mix_local AS SELECT * FROM ev_mix" -c "ANALYZE ev_mix_local" >/dev/null
for q in "${QUERIES[@]}"; do
    is "mix: $q" "$(lpsql -c "$SETTINGS ${q//ev /ev_mix }" 2>&1 || true)" \
        "$(lpsql -c "$SETTINGS ${q//ev /ev_mix_local }")"
done

# two cursors over the same shards, fetched in turns
cursors() {
    lpsql -c "BEGIN" -c "SET LOCAL work_mem = '64kB'" \
        -c "DECLARE c1 CURSOR FOR SELECT id FROM $1 ORDER BY id" \
        -c "DECLARE c2 CURSOR FOR SELECT v FROM $1 WHERE k < 5 ORDER BY id" \
        -c "FETCH 700 FROM c1" -c "FETCH 700 FROM c2" -c "FETCH 700 FROM c1" \
        -c "FETCH ALL FROM c2" -c "FETCH ALL FROM c1" -c "COMMIT" | md5sum
}
want=$(cursors ev_local)
for t in pg my; do
    is "$t: two cursors fetched in turns" "$(cursors "ev_$t" 2>&1)" "$want"
done
is "mix: two cursors fetched in turns" "$(cursors ev_mix 2>&1)" "$(cursors ev_mix_local)"

is "the local server never restarted" "$(lpsql -c "SELECT pg_postmaster_start_time()")" "$start_time"
finish
