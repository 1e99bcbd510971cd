#!/usr/bin/env bash
# test/scenarios/sharding.sh — horizontal sharding on the real topology: four shards, two
# databases on each shard server.  Where every row lands must equal grant_fdw.shard_for(),
# which must equal the documented hash computed here independently; fan-out reads must
# equal a local copy of all the data; explicit shards, key routing and the refusals.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_sharding
PW=$GRANT_TEST_PASSWORD
S1=$GRANT_SHARD1_PORT
S2=$GRANT_SHARD2_PORT

SHARDS=("s1:$S1:app" "s2:$S1:app2" "s3:$S2:app" "s4:$S2:app2")

cleanup() {
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" >/dev/null 2>&1 || true
    for port in "$S1" "$S2"; do
        spsql "$port" app -c "DROP TABLE IF EXISTS orders, ranged, dtab" >/dev/null 2>&1 || true
        spsql "$port" app -c "SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'app2'" >/dev/null 2>&1 || true
        for g in $(spsql "$port" app -c "SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'grant%'" 2>/dev/null); do
            spsql "$port" app -c "ROLLBACK PREPARED '$g'" >/dev/null 2>&1 || spsql "$port" app2 -c "ROLLBACK PREPARED '$g'" >/dev/null 2>&1 || true
        done
        spsql "$port" postgres -c "DROP DATABASE IF EXISTS app2" >/dev/null 2>&1 || true
    done
}
[[ -n ${GRANT_KEEP_SCENARIO:-} ]] || trap cleanup EXIT
cleanup

for port in "$S1" "$S2"; do
    spsql "$port" postgres -c "CREATE DATABASE app2 OWNER grant_test"
done
for s in "${SHARDS[@]}"; do
    IFS=: read -r name port db <<<"$s"
    spsql "$port" "$db" <<SQL
CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, amount numeric(10,2));
CREATE TABLE ranged (id int PRIMARY KEY, v text);
CREATE TABLE dtab (id int PRIMARY KEY, v int, UNIQUE (v) DEFERRABLE INITIALLY DEFERRED);
GRANT ALL ON dtab TO grant_test;
CREATE OR REPLACE VIEW where_am_i AS SELECT current_setting('port') || '/' || current_database() AS here;
GRANT ALL ON orders, ranged TO grant_test;
GRANT SELECT ON where_am_i TO grant_test;
SQL
done

LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" -c "CREATE DATABASE $LDB"
{
    echo 'CREATE EXTENSION "grant";'
    for s in "${SHARDS[@]}"; do
        IFS=: read -r name port db <<<"$s"
        echo "SELECT grant_fdw.establish_connection('shop', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$port/$db', shard => '$name');"
    done
    cat <<'SQL'
CREATE SERVER shop FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'shop');
CREATE FOREIGN TABLE orders (id int, customer text, amount numeric(10,2))
  SERVER shop OPTIONS (shard_key 'id');
CREATE FOREIGN TABLE where_am_i (here text) SERVER shop;
CREATE TABLE orders_local (id int PRIMARY KEY, customer text, amount numeric(10,2));
INSERT INTO orders_local SELECT g, 'customer ' || (g % 17), round((g * 7.31) % 500, 2)
  FROM generate_series(1, 400) g;
SQL
} | lpsql >/dev/null

# --- the documented hash, computed independently -----------------------------------------
fnv_shard() {
    python3 - "$@" <<'PY'
import sys
shards = sorted(["s1", "s2", "s3", "s4"])
for key in sys.argv[1:]:
    h = 2166136261
    for b in key.encode():
        h ^= b
        h = (h * 16777619) % 2**32
    print(key, shards[h % len(shards)])
PY
}
expected=$(fnv_shard $(seq 1 400))
got=$(lpsql -c "SELECT g || ' ' || grant_fdw.shard_for('shop', g) FROM generate_series(1, 400) g")
is "shard_for() is the documented FNV-1a hash over shards sorted by name" "$got" "$expected"
is "shard_for() of a text key" "$(lpsql -c "SELECT grant_fdw.shard_for('shop', 'abc'::text)")" \
    "$(fnv_shard abc | cut -d' ' -f2)"
is "shard_for() of date and timestamptz keys hashes their ISO, UTC text whatever the session prints" \
    "$(lpsql -c "SET datestyle = 'SQL, DMY'" -c "SET timezone = 'Asia/Kolkata'" \
             -c "SELECT grant_fdw.shard_for('shop', '2024-04-03'::date) || ' ' || grant_fdw.shard_for('shop', '2024-04-03 15:30+05:30'::timestamptz)")" \
    "$(fnv_shard 2024-04-03 | awk '{print $NF}') $(fnv_shard '2024-04-03 10:00:00+00' | awk '{print $NF}')"

# --- INSERT routes each row by its key ---------------------------------------------------
lpsql -c "INSERT INTO orders SELECT * FROM orders_local" >/dev/null
placement=""
for s in "${SHARDS[@]}"; do
    IFS=: read -r name port db <<<"$s"
    placement+=$(spsql "$port" "$db" -c "SELECT id || ' $name' FROM orders ORDER BY id")$'\n'
done
is "every row landed on its shard_for() shard, once" \
    "$(printf '%s' "$placement" | sort -n | sed '/^$/d')" "$(echo "$expected" | sort -n)"
total=$(for s in "${SHARDS[@]}"; do IFS=: read -r n p d <<<"$s"; spsql "$p" "$d" -c "SELECT count(*) FROM orders"; done | awk "{ t += \$1 } END { print t }")
is "no row lost or doubled" "$total" "400"

# --- fan-out reads equal a local copy ------------------------------------------------------
same() {
    local q=$1 remote localq
    localq=${q//orders/orders_local}
    remote=$(lpsql -c "$q")
    localr=$(lpsql -c "$localq")
    is "fan-out: $q" "$remote" "$localr"
}
same "SELECT count(*), sum(amount), min(customer), max(id) FROM orders"
same "SELECT id, customer, amount FROM orders ORDER BY amount DESC, id LIMIT 7"
same "SELECT customer, count(*), sum(amount) FROM orders GROUP BY customer ORDER BY customer"
same "SELECT DISTINCT customer FROM orders ORDER BY 1"
same "SELECT id FROM orders WHERE amount BETWEEN 100 AND 120 ORDER BY id"
same "SELECT id FROM orders WHERE id IN (3, 77, 150, 399) ORDER BY id"
same "SELECT o.id, o.amount FROM orders o JOIN generate_series(1, 400, 50) g ON g = o.id ORDER BY 1"

out=$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM orders")
like "EXPLAIN names every shard of a fan-out" "$out" "Shards: s1, s2, s3, s4 \\(fan-out to every shard\\)"

# --- key routing: only the shards that can hold the rows -------------------------------------
s42=$(fnv_shard 42 | cut -d' ' -f2)
like "WHERE key = const goes to one shard" \
    "$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM orders WHERE id = 42")" \
    "Shards: $s42 \\(by shard key\\)"
in_shards=$(fnv_shard 3 77 | cut -d' ' -f2 | sort -u | paste -sd, | sed 's/,/, /g')
like "WHERE key IN (...) goes to the shards of its values" \
    "$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM orders WHERE id IN (3, 77)")" \
    "Shards: $in_shards \\(by shard key\\)"
out=$(lpsql <<'SQL'
SET plan_cache_mode = force_generic_plan;
PREPARE one(int) AS SELECT id, customer FROM orders WHERE id = $1;
EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE one(42);
EXECUTE one(42);
SQL
)
like "key = \$1 in a prepared (generic) statement goes to one shard" "$out" "Shards: $s42 \\(by shard key\\)"
like "... and finds the row" "$out" "42\\|customer 8"
out=$(lpsql -c "EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) UPDATE orders SET amount = amount WHERE id = 42")
like "UPDATE with a pinned key goes to that shard only" "$out" "Shards: $s42 \\(by shard key\\)"
err=$(lpsql -c "UPDATE orders SET id = id + 1000 WHERE id = 42" 2>&1 || true)
like "an UPDATE of the shard key is refused" "$err" 'cannot update shard key column "id" of foreign table "orders"'

# --- explicit shard ------------------------------------------------------------------------
n2=$(spsql "$S1" app2 -c "SELECT count(*) FROM orders")
is "grant.shard sends the statement to that shard only" \
    "$(lpsql -c "SET \"grant\".shard = 's2'" -c "SELECT count(*) FROM orders")" "$n2"
is "connected_to(shard => ...) likewise" \
    "$(lpsql -c "BEGIN" -c "SELECT grant_fdw.connected_to(shard => 's3')" -c "SELECT here FROM where_am_i" -c "COMMIT" | tail -n 1)" \
    "$S2/app"
err=$(lpsql -c "SET \"grant\".shard = 's9'" -c "SELECT count(*) FROM orders" 2>&1 || true)
like "an unknown shard is an error naming the known ones" "$err" \
    'grant database "shop" has no shard "s9".*Known shards: "s1", "s2", "s3", "s4"'
err=$(lpsql 2>&1 <<'SQL' || true
SET "grant".prohibit_shard_swapping = on;
BEGIN;
SET LOCAL "grant".shard = 's1';
SELECT count(*) FROM orders;
SET LOCAL "grant".shard = 's2';
SELECT count(*) FROM orders;
SQL
)
like "prohibit_shard_swapping refuses a switch inside a transaction" "$err" \
    'cannot switch grant database "shop" from shard "s1" to "s2" inside a transaction'
ok "... and allows it across transactions" lpsql -c "SET \"grant\".prohibit_shard_swapping = on" \
    -c "SET \"grant\".shard = 's1'" -c "SELECT count(*) FROM orders" \
    -c "SET \"grant\".shard = 's2'" -c "SELECT count(*) FROM orders"

# --- writes that span shards ----------------------------------------------------------------
lpsql -c "UPDATE orders SET amount = amount + 1 WHERE customer = 'customer 3'" >/dev/null
lpsql -c "UPDATE orders_local SET amount = amount + 1 WHERE customer = 'customer 3'" >/dev/null
same "SELECT id, amount FROM orders WHERE customer = 'customer 3' ORDER BY id"
is "UPDATE fanned out reports every shard's rows" \
    "$(lpsql -c "WITH u AS (UPDATE orders SET amount = amount WHERE customer = 'customer 5' RETURNING id) SELECT count(*) FROM u")" \
    "$(lpsql -c "SELECT count(*) FROM orders_local WHERE customer = 'customer 5'")"
lpsql -c "DELETE FROM orders WHERE id > 390" >/dev/null
lpsql -c "DELETE FROM orders_local WHERE id > 390" >/dev/null
same "SELECT count(*), max(id) FROM orders"

err=$(lpsql -c "INSERT INTO orders VALUES (NULL, 'nobody', 1)" 2>&1 || true)
like "a NULL shard key is refused" "$err" 'shard key column "id" of "orders" must not be NULL'
is "... and nothing was written" "$(lpsql -c "SELECT count(*) FROM orders")" "390"
err=$(lpsql -c "INSERT INTO orders VALUES (1000, 'x', 1), (NULL, 'y', 2)" 2>&1 || true)
is "a batch with one bad row writes none of its rows" "$(lpsql -c "SELECT count(*) FROM orders WHERE id = 1000")" "0"

err=$(lpsql -c "UPDATE orders SET amount = 0 WHERE customer = 'customer 1' AND random() >= 0" 2>&1 || true)
like "row-by-row UPDATE across shards is refused with a clear error" "$err" \
    'cannot update or delete rows of "orders" one by one across shards'
ok "... but allowed on a pinned shard" lpsql -c "SET \"grant\".shard = 's1'" \
    -c "UPDATE orders SET amount = amount WHERE customer = 'customer 1' AND random() >= 0"

# --- atomic multi-shard commits ------------------------------------------------------------
lpsql -c "CREATE FOREIGN TABLE dtab (id int, v int) SERVER shop OPTIONS (shard_key 'id')" >/dev/null
# two keys on two different shard servers
ka=""; kb=""
while read -r key shard; do
    [[ -z $ka && ( $shard == s1 || $shard == s2 ) ]] && ka=$key
    [[ -z $kb && ( $shard == s3 || $shard == s4 ) ]] && kb=$key
done < <(fnv_shard $(seq 1000 1100))
prepared() { for p in "$S1" "$S2"; do spsql "$p" app -c "SELECT count(*) FROM pg_prepared_xacts WHERE gid LIKE 'grant%'"; done | awk "{ t += \$1 } END { print t }"; }
rows() { lpsql -c "SET \"grant\".role = writing" -c "SELECT count(*) FROM dtab WHERE id IN ($ka, $kb)" | tail -n 1; }

out=$(lpsql -c "BEGIN" -c "INSERT INTO dtab VALUES ($ka, 1), ($kb, 2)" -c "COMMIT" 2>&1)
like "without two-phase commit, a write to two shards warns" "$out" "wrote to 2 grant endpoints, which commit one by one"
lpsql -c "DELETE FROM dtab" >/dev/null

out=$(lpsql -c "SET \"grant\".two_phase_commit = on" -c "BEGIN" -c "INSERT INTO dtab VALUES ($ka, 1), ($kb, 2)" -c "COMMIT" 2>&1)
is "two-phase commit: both shards committed" "$(rows)" "2"
is "... no prepared transaction left" "$(prepared)" "0"
if [[ $out == *WARNING* ]]; then is "... and no warning" "$out" ""; else is "... and no warning" "" ""; fi
lpsql -c "SET \"grant\".two_phase_commit = on" -c "BEGIN" -c "DELETE FROM dtab" -c "ROLLBACK" >/dev/null
is "two-phase: ROLLBACK leaves both shards as they were" "$(rows)" "2"

# a deferred unique constraint fails at PREPARE on one shard: nothing anywhere
err=$(lpsql -c "SET \"grant\".two_phase_commit = on" -c "BEGIN" \
    -c "INSERT INTO dtab VALUES ($((ka + 100000)), 7)" -c "INSERT INTO dtab VALUES ($kb, 3)" -c "COMMIT" 2>&1 || true)
is "a failed PREPARE on one shard rolls back the others" \
    "$(lpsql -c "SET \"grant\".role = writing" -c "SELECT count(*) FROM dtab WHERE v = 7" | tail -n 1):$(prepared)" "0:0"

# a shard server stopped between PREPARE and COMMIT PREPARED, then recovered
lpsql -c "DELETE FROM dtab" >/dev/null
(lpsql -c "SET \"grant\".two_phase_commit = on" -c "SET \"grant\".commit_prepared_delay = '2s'" \
    -c "BEGIN" -c "INSERT INTO dtab VALUES ($ka, 11), ($kb, 12)" -c "COMMIT" >"$GRANT_TEST_DIR/2pc.out" 2>&1 || true) &
sleep 1
node_stop shard2 immediate
wait
like "the local commit warns that a shard could not be told" "$(cat "$GRANT_TEST_DIR/2pc.out")" \
    "could not commit prepared transaction"
node_start shard2
is "the stopped shard kept its prepared transaction" "$(prepared)" "1"
out=$(lpsql -c "SELECT action FROM grant_fdw.recover_prepared() WHERE gid IS NOT NULL")
is "recover_prepared() commits it (its local transaction committed)" "$out" "committed"
is "no row lost or doubled" "$(rows)" "2"
is "no prepared transaction left" "$(prepared)" "0"
# the first two-phase commit's records stayed (its session ended before another one)
is "recover_prepared() also deletes the records of transactions finished earlier" \
    "$(lpsql -c "SELECT count(*) FROM grant_fdw.prepared_xacts")" "0"

# --- range and list schemes --------------------------------------------------------------
lpsql >/dev/null <<'SQL'
CREATE FOREIGN TABLE ranged (id int, v text) SERVER shop OPTIONS (shard_key 'id');
SELECT grant_fdw.shard_by_range('shop', 's1', NULL, 100);
SELECT grant_fdw.shard_by_range('shop', 's2', 100, 200);
SELECT grant_fdw.shard_by_range('shop', 's3', 200, 300);
SELECT grant_fdw.shard_by_range('shop', 's4', 300, NULL);
SQL
is "range: shard_for follows the ranges" \
    "$(lpsql -c "SELECT string_agg(grant_fdw.shard_for('shop', k), ',' ORDER BY k) FROM unnest(ARRAY[-5, 99, 100, 250, 300, 10000]) k")" \
    "s1,s1,s2,s3,s4,s4"
err=$(lpsql -c "SELECT grant_fdw.shard_by_range('shop', 's2', 150, 160)" 2>&1 || true)
like "overlapping ranges are refused" "$err" "overlaps a range of grant database \"shop\""
lpsql -c "INSERT INTO ranged SELECT g, 'v' || g FROM generate_series(0, 399, 7) g" >/dev/null
is "range: rows of [100, 200) landed on s2" \
    "$(spsql "$S1" app2 -c "SELECT min(id) >= 100 AND max(id) < 200 FROM ranged")" "t"
lpsql >/dev/null <<'SQL'
SELECT grant_fdw.shard_by_hash('shop');
SELECT grant_fdw.shard_by_list('shop', 's1', ARRAY['1', '2']);
SELECT grant_fdw.shard_by_list('shop', 's4', ARRAY['3']);
SQL
is "list: shard_for follows the lists, NULL for an unlisted key" \
    "$(lpsql -c "SELECT coalesce(grant_fdw.shard_for('shop', 1), '-') || coalesce(grant_fdw.shard_for('shop', 3), '-') || coalesce(grant_fdw.shard_for('shop', 4), '-')")" \
    "s1s4-"
err=$(lpsql -c "INSERT INTO ranged VALUES (4, 'unlisted')" 2>&1 || true)
like "list: a key no shard holds is refused" "$err" 'no shard of grant database "shop" holds shard key 4 of "ranged"'
err=$(lpsql -c "SELECT grant_fdw.shard_by_range('shop', 's2', 1, 2)" 2>&1 || true)
like "one scheme per database" "$err" 'grant database "shop" is sharded by list, not by range'
lpsql -c "SELECT grant_fdw.shard_by_hash('shop')" >/dev/null

finish
