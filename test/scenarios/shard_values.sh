#!/usr/bin/env bash
# test/scenarios/shard_values.sh — shard placement by value, not by spelling: keys that
# their type's equality calls equal (float -0 and 0, numeric 1.0 and 1, interval '1 mon'
# and '30 days') land on one shard, so a read by key finds the row and a second row with
# an equal key is refused by the shard's own unique index; the documented normalized
# forms hash as published; a constant out of the key's range selects no shard instead of
# failing; check_placement() finds rows that sit on another shard than their key's.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_shard_values
PW=$GRANT_TEST_PASSWORD
S1=$GRANT_SHARD1_PORT
S2=$GRANT_SHARD2_PORT

cleanup() {
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB WITH (FORCE)" >/dev/null 2>&1 || true
    for port in "$S1" "$S2"; do
        spsql "$port" app -c "DROP TABLE IF EXISTS sv_f, sv_n, sv_i, sv_int" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT
cleanup

for port in "$S1" "$S2"; do
    spsql "$port" app -c "CREATE TABLE sv_f (k float8 PRIMARY KEY, v text);
        CREATE TABLE sv_n (k numeric PRIMARY KEY, v text);
        CREATE TABLE sv_i (k interval PRIMARY KEY, v text);
        CREATE TABLE sv_int (id int PRIMARY KEY, v text);
        GRANT ALL ON sv_f, sv_n, sv_i, sv_int TO grant_test"
done
LDB=postgres lpsql -c "CREATE DATABASE $LDB"
lpsql >/dev/null <<SQL
CREATE EXTENSION "grant";
SELECT grant_fdw.establish_connection('sv', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$S1/app', shard => 'a');
SELECT grant_fdw.establish_connection('sv', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$S2/app', shard => 'b');
CREATE SERVER sv FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'sv');
CREATE FOREIGN TABLE sv_f (k float8, v text) SERVER sv OPTIONS (shard_key 'k');
CREATE FOREIGN TABLE sv_n (k numeric, v text) SERVER sv OPTIONS (shard_key 'k');
CREATE FOREIGN TABLE sv_i (k interval, v text) SERVER sv OPTIONS (shard_key 'k');
CREATE FOREIGN TABLE sv_int (id int, v text) SERVER sv OPTIONS (shard_key 'id');
SQL

# --- equal keys, one shard ---------------------------------------------------------------
pair() {   # table, stored key, equal key
    lpsql -c "INSERT INTO $1 VALUES ('$2', 'first')" >/dev/null
    is "$1: a row stored with key $2 is found by the equal key $3" \
        "$(lpsql -c "SELECT v FROM $1 WHERE k = '$3'")" first
    is "$1: shard_for() of $2 and $3 agree" \
        "$(lpsql -c "SELECT grant_fdw.shard_for('sv', '$2'::$4) = grant_fdw.shard_for('sv', '$3'::$4)")" t
    like "$1: a second row with key $3 is refused by the shard's unique index" \
        "$(lpsql -c "INSERT INTO $1 VALUES ('$3', 'second')" 2>&1 || true)" 'duplicate key value'
}
pair sv_f -0 0 float8
pair sv_n 1.0 1 numeric
pair sv_n -0.00 0 numeric
pair sv_n 2.50 2.5 numeric
pair sv_i '1 mon' '30 days' interval
pair sv_i '1 day' '24 hours' interval

# --- the published normalized forms and their hash --------------------------------------
fnv_shard() {
    python3 - "$@" <<'PY'
import sys
shards = ["a", "b"]
for text in sys.argv[1:]:
    h = 2166136261
    for b in text.encode():
        h ^= b
        h = (h * 16777619) % 2**32
    print(shards[h % len(shards)])
PY
}
is "test vectors: -0::float8 hashes as '0', 1.50 as '1.5', '1 mon' as '2592000000000 us', 42 as '42'" \
    "$(lpsql -c "SELECT grant_fdw.shard_for('sv', '-0'::float8)" -c "SELECT grant_fdw.shard_for('sv', 1.50::numeric)" \
        -c "SELECT grant_fdw.shard_for('sv', '1 mon'::interval)" -c "SELECT grant_fdw.shard_for('sv', 42)")" \
    "$(fnv_shard 0 1.5 '2592000000000 us' 42)"

# --- constants that do not fit the key's type ---------------------------------------------
lpsql -c "INSERT INTO sv_int VALUES (7, 'seven'), (8, 'eight')" >/dev/null
is "WHERE int_key = 3000000000: no rows, no error" \
    "$(lpsql -c "SELECT count(*) FROM sv_int WHERE id = 3000000000" 2>&1)" 0
is "IN (7, 3000000000) returns the row of 7" \
    "$(lpsql -c "SELECT v FROM sv_int WHERE id IN (7, 3000000000)" 2>&1)" seven
is "IN (-3000000000, 8) returns the row of 8" \
    "$(lpsql -c "SELECT v FROM sv_int WHERE id = ANY (ARRAY[-3000000000, 8])" 2>&1)" eight
like "EXPLAIN of such a statement works" \
    "$(lpsql -c "EXPLAIN (COSTS OFF) SELECT * FROM sv_int WHERE id = 3000000000" 2>&1)" 'Foreign Scan'

# --- check_placement: a row on the wrong shard ----------------------------------------------
key=$(lpsql -c "SELECT g FROM generate_series(100, 200) g WHERE grant_fdw.shard_for('sv', g) = 'a' LIMIT 1")
spsql "$S2" app -c "INSERT INTO sv_int VALUES ($key, 'misplaced')"
is "check_placement() lists the row on shard b whose key belongs to a" \
    "$(lpsql -c "SELECT shard || ' ' || key || ' ' || belongs_to FROM grant_fdw.check_placement('sv_int')")" \
    "b $key a"
is "... and nothing for the tables whose rows all sit right" \
    "$(lpsql -c "SELECT count(*) FROM grant_fdw.check_placement('sv_f')")" 0
like "check_placement() of a table that is not sharded is an error" \
    "$(lpsql -c "CREATE TABLE plain (id int)" -c "SELECT * FROM grant_fdw.check_placement('plain')" 2>&1 || true)" \
    'is not a sharded grant foreign table'
is "grant.shard is as it was after check_placement()" \
    "$(lpsql -c "SELECT count(*) FROM grant_fdw.check_placement('sv_int')" \
        -c "SELECT current_setting('grant.shard') = ''")" "1
t"
# --- INSERT under grant.shard: a key of another shard is refused -----------------------------
ka=$(lpsql -c "SELECT g FROM generate_series(300, 400) g WHERE grant_fdw.shard_for('sv', g) = 'a' LIMIT 1")
kb=$(lpsql -c "SELECT g FROM generate_series(300, 400) g WHERE grant_fdw.shard_for('sv', g) = 'b' LIMIT 1")
like "INSERT of a shard-b key under grant.shard = 'a' is refused, naming both shards" \
    "$(lpsql -c "SET \"grant\".shard = 'a'" -c "INSERT INTO sv_int VALUES ($kb, 'wrong')" 2>&1 || true)" \
    "shard key $kb of \"sv_int\" belongs to shard \"b\", not to shard \"a\""
is "... and wrote nothing on either shard" \
    "$(spsql "$S1" app -c "SELECT count(*) FROM sv_int WHERE id = $kb")$(spsql "$S2" app -c "SELECT count(*) FROM sv_int WHERE id = $kb")" "00"
like "a batch with one such row is refused whole" \
    "$(lpsql -c "SET \"grant\".shard = 'a'" -c "INSERT INTO sv_int VALUES ($ka, 'right'), ($kb, 'wrong')" 2>&1 || true)" \
    "belongs to shard \"b\""
is "... and wrote none of its rows" \
    "$(spsql "$S1" app -c "SELECT count(*) FROM sv_int WHERE id IN ($ka, $kb)")" 0
ok "a shard-a key under grant.shard = 'a' is written" \
    lpsql -c "SET \"grant\".shard = 'a'" -c "INSERT INTO sv_int VALUES ($ka, 'right')"
is "... on shard a, where reads by key find it" \
    "$(spsql "$S1" app -c "SELECT v FROM sv_int WHERE id = $ka") $(lpsql -c "SELECT v FROM sv_int WHERE id = $ka")" "right right"
finish
