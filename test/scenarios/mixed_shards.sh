#!/usr/bin/env bash
# test/scenarios/mixed_shards.sh — one sharded database whose shards are two PostgreSQL
# databases (one on each shard server) and two MariaDB databases (on the MariaDB primary).
# Every row must land on its grant_fdw.shard_for() shard, in that shard's dialect; fan-out
# reads over both dialects must equal a local copy; key routing, explicit shards, direct
# UPDATE/DELETE, transactions and the refusals work across the two kinds of server.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_mixed
PW=$GRANT_TEST_PASSWORD
S1=$GRANT_SHARD1_PORT
S2=$GRANT_SHARD2_PORT
# mariadb on one database of the primary: mdb DB ARGS...
mdb() {
    local db=$1
    shift
    mariadb --no-defaults -S "$GRANT_MYSQL_SOCKET" -u root -N -B "$db" "$@"
}

# name:kind:port:database, sorted by name as the hash orders them
SHARDS=("m1:mysql:$GRANT_MYSQL_PORT:app" "m2:mysql:$GRANT_MYSQL_PORT:mix2"
        "p1:pg:$S1:app" "p2:pg:$S2:app")

# run SQL on one shard: on_shard NAME SQL (output: one row per line, tab-separated)
on_shard() {
    local s name kind port db
    for s in "${SHARDS[@]}"; do
        IFS=: read -r name kind port db <<<"$s"
        [[ $name == "$1" ]] || continue
        if [[ $kind == mysql ]]; then
            mdb "$db" -e "$2"
        else
            spsql "$port" "$db" -F $'\t' -c "$2"
        fi
    done
}

cleanup() {
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" >/dev/null 2>&1 || true
    for port in "$S1" "$S2"; do
        spsql "$port" app -c "DROP TABLE IF EXISTS items" >/dev/null 2>&1 || true
    done
    mdb app -e "DROP TABLE IF EXISTS items" >/dev/null 2>&1 || true
    mdb app -e "DROP DATABASE IF EXISTS mix2" >/dev/null 2>&1 || true
}
[[ -n ${GRANT_KEEP_SCENARIO:-} ]] || trap cleanup EXIT
cleanup

mdb app <<'SQL'
CREATE DATABASE mix2;
GRANT ALL ON mix2.* TO grant_test@'127.0.0.1';
GRANT ALL ON mix2.* TO grant_test@'localhost';
SQL
for s in "${SHARDS[@]}"; do
    IFS=: read -r name kind port db <<<"$s"
    if [[ $kind == mysql ]]; then
        mdb "$db" -e "CREATE TABLE items (id int PRIMARY KEY, name varchar(40) NOT NULL,
                        qty int, price decimal(10,2), note varchar(40)) ENGINE=InnoDB"
    else
        spsql "$port" "$db" -c "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL,
                                  qty int, price numeric(10,2), note text);
                                GRANT ALL ON items TO grant_test;"
    fi
done

LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" -c "CREATE DATABASE $LDB"
{
    echo 'CREATE EXTENSION "grant";'
    for s in "${SHARDS[@]}"; do
        IFS=: read -r name kind port db <<<"$s"
        if [[ $kind == mysql ]]; then
            echo "SELECT grant_fdw.establish_connection('mix', NULL, 'mysql://grant_test:$PW@127.0.0.1:$port/$db', shard => '$name');"
        else
            echo "SELECT grant_fdw.establish_connection('mix', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$port/$db', shard => '$name');"
        fi
    done
    cat <<'SQL'
CREATE SERVER mix FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'mix');
CREATE FOREIGN TABLE items (id int, name text, qty int, price numeric(10,2), note text)
  SERVER mix OPTIONS (shard_key 'id');
CREATE TABLE items_local (id int PRIMARY KEY, name text, qty int, price numeric(10,2), note text);
INSERT INTO items_local SELECT g, 'item ' || (g % 13), g % 97, round((g * 3.17) % 250, 2),
       CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' || g END
  FROM generate_series(1, 300) g;
SQL
} | lpsql >/dev/null

is "the registry holds shards of both adapters" \
    "$(lpsql -c "SELECT string_agg(shard || '=' || adapter, ' ' ORDER BY shard) FROM grant_fdw.connections WHERE database = 'mix'")" \
    "m1=mysql m2=mysql p1=postgresql p2=postgresql"
err=$(lpsql -c "SELECT grant_fdw.establish_connection('mix', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$S1/app2', 'reading', shard => 'm1')" 2>&1 || true)
like "a PostgreSQL reader for a MySQL shard is refused" "$err" \
    'shard "m1" of database "mix" already has endpoints with adapter "mysql"'

# where each row is: "id shard" for every shard
placement() {
    local s name kind port db
    for s in "${SHARDS[@]}"; do
        IFS=: read -r name kind port db <<<"$s"
        on_shard "$name" "SELECT id FROM items ORDER BY id" | sed "s/\$/ $name/"
    done | sort -n
}

# --- INSERT: each row to its shard, in its dialect ---------------------------------------
lpsql -c "INSERT INTO items SELECT * FROM items_local" >/dev/null
is "every row landed on its shard_for() shard, once (batched INSERT)" "$(placement)" \
    "$(lpsql -c "SELECT id || ' ' || grant_fdw.shard_for('mix', id) FROM items_local ORDER BY id")"
is "rows are on both kinds of server" \
    "$(for n in m1 m2 p1 p2; do on_shard "$n" "SELECT count(*) > 0 FROM items"; done | sort -u | paste -sd ' ')" \
    "1 t"
row_on() { lpsql -c "SELECT grant_fdw.shard_for('mix', $1)"; }
# one key of each dialect, found rather than assumed
kmy=$(lpsql -c "SELECT g FROM generate_series(1001, 1100) g WHERE grant_fdw.shard_for('mix', g) LIKE 'm%' LIMIT 1")
kpg=$(lpsql -c "SELECT g FROM generate_series(1001, 1100) g WHERE grant_fdw.shard_for('mix', g) LIKE 'p%' LIMIT 1")
is "single-row INSERT ... RETURNING on a MySQL shard" \
    "$(lpsql -c "INSERT INTO items VALUES ($kmy, 'solo', 1, 2.50, NULL) RETURNING id, name, price")" \
    "$kmy|solo|2.50"
is "single-row INSERT ... RETURNING on a PostgreSQL shard" \
    "$(lpsql -c "INSERT INTO items VALUES ($kpg, 'solo', 1, 2.50, NULL) RETURNING id, name, price")" \
    "$kpg|solo|2.50"
is "... each on its shard_for() shard" \
    "$(on_shard "$(row_on "$kmy")" "SELECT name FROM items WHERE id = $kmy") $(on_shard "$(row_on "$kpg")" "SELECT name FROM items WHERE id = $kpg")" \
    "solo solo"
lpsql -c "INSERT INTO items_local VALUES ($kmy, 'solo', 1, 2.50, NULL), ($kpg, 'solo', 1, 2.50, NULL)" >/dev/null

# --- fan-out reads over both dialects equal a local copy -------------------------------
same() {
    local q=$1
    is "fan-out: $q" "$(lpsql -c "$q")" "$(lpsql -c "${q//items/items_local}")"
}
same "SELECT count(*), sum(price), min(name), max(id), count(note) FROM items"
same "SELECT id, name, price FROM items ORDER BY price DESC, id LIMIT 9"
same "SELECT name, count(*), sum(qty), avg(price)::numeric(10,4) FROM items GROUP BY name ORDER BY name"
same "SELECT DISTINCT qty % 7 FROM items ORDER BY 1"
same "SELECT id FROM items WHERE price BETWEEN 40 AND 60 AND qty > 10 ORDER BY id"
same "SELECT id, note FROM items WHERE note IS NULL AND id < 60 ORDER BY id"
same "SELECT id FROM items WHERE name = 'item 4' ORDER BY id"
same "SELECT i.id, i.qty FROM items i JOIN generate_series(1, 300, 37) g ON g = i.id ORDER BY 1"

out=$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM items WHERE qty > 3")
like "EXPLAIN of a fan-out names every shard" "$out" "Shards: m1, m2, p1, p2 \\(fan-out to every shard\\)"
like "... and shows the SQL of each dialect" "$out" 'Remote SQL: SELECT id FROM public\.items WHERE \(\(qty > 3\)\).*Remote SQL \(MySQL shards\): SELECT `id` FROM `items` WHERE \(`qty` > \(3\)\)'

# --- key routing ---------------------------------------------------------------------------
for k in "$kmy" "$kpg" 7 150; do
    out=$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM items WHERE id = $k")
    like "WHERE id = $k goes to its shard only ($(row_on "$k"))" "$out" "Shards: $(row_on "$k") \\(by shard key\\)"
done
same "SELECT id, name, qty, price, note FROM items WHERE id IN ($kmy, $kpg, 7, 150, 299) ORDER BY id"
is "key = \$1 in a prepared statement, across both dialects" \
    "$(lpsql -c "PREPARE q(int) AS SELECT name || ':' || qty FROM items WHERE id = \$1" \
             -c "EXECUTE q($kmy)" -c "EXECUTE q($kpg)" -c "EXECUTE q(7)" -c "EXECUTE q(8)" \
             -c "EXECUTE q(9)" -c "EXECUTE q(10)" -c "EXECUTE q(11)" | paste -sd ' ')" \
    "$(lpsql -c "SELECT name || ':' || qty FROM items_local WHERE id IN ($kmy, $kpg) ORDER BY id = $kpg" \
             -c "SELECT name || ':' || qty FROM items_local WHERE id BETWEEN 7 AND 11 ORDER BY id" | paste -sd ' ')"

# --- explicit shards ----------------------------------------------------------------------
for n in m2 p1; do
    is "grant.shard = '$n' reads that shard only" \
        "$(lpsql -c "SET \"grant\".shard = '$n'" -c "SELECT count(*) FROM items")" \
        "$(on_shard "$n" "SELECT count(*) FROM items")"
done

# --- direct UPDATE / DELETE --------------------------------------------------------------
lpsql -c "UPDATE items SET qty = qty + 1000, note = 'upd' WHERE id = $kmy" >/dev/null
lpsql -c "UPDATE items_local SET qty = qty + 1000, note = 'upd' WHERE id = $kmy" >/dev/null
is "UPDATE pinned to a MySQL shard's key changed that row there" \
    "$(on_shard "$(row_on "$kmy")" "SELECT qty, note FROM items WHERE id = $kmy")" "$(printf '1001\tupd')"
is "UPDATE across all shards reports every shard's rows" \
    "$(lpsql -c "UPDATE items SET qty = qty * 2 + 1, price = 9.99 WHERE qty BETWEEN 40 AND 50" -c '\echo :ROW_COUNT')" \
    "$(lpsql -c "SELECT count(*) FROM items_local WHERE qty BETWEEN 40 AND 50")"
lpsql -c "UPDATE items_local SET qty = qty * 2 + 1, price = 9.99 WHERE qty BETWEEN 40 AND 50" >/dev/null
same "SELECT id, qty, price FROM items ORDER BY id"
out=$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) UPDATE items SET qty = qty - 1, price = 0 WHERE id = $kmy")
like "EXPLAIN of a direct UPDATE shows both dialects' statements" "$out" \
    'Remote SQL: UPDATE public\.items SET qty = \(qty - 1\), price = 0.*Remote SQL \(MySQL shards\): UPDATE `items` SET `qty` = \(`qty` - \(1\)\), `price` = \(0\.00\) WHERE'
lpsql -c "DELETE FROM items WHERE id IN ($kmy, $kpg, 5, 6)" >/dev/null
lpsql -c "DELETE FROM items_local WHERE id IN ($kmy, $kpg, 5, 6)" >/dev/null
is "DELETE by keys removed the rows from both kinds of shard" \
    "$(for n in m1 m2 p1 p2; do on_shard "$n" "SELECT count(*) FROM items WHERE id IN ($kmy, $kpg, 5, 6)"; done | paste -sd ' ')" \
    "0 0 0 0"
is "... and nothing else" "$(placement)" \
    "$(lpsql -c "SELECT id || ' ' || grant_fdw.shard_for('mix', id) FROM items_local ORDER BY id")"

# --- transactions over both dialects -----------------------------------------------------
lpsql -c "BEGIN" -c "INSERT INTO items VALUES ($kmy, 'tx', 1, 1, NULL), ($kpg, 'tx', 1, 1, NULL)" \
      -c "ROLLBACK" >/dev/null
is "ROLLBACK leaves neither a MySQL nor a PostgreSQL shard written" \
    "$(on_shard "$(row_on "$kmy")" "SELECT count(*) FROM items WHERE id = $kmy") $(on_shard "$(row_on "$kpg")" "SELECT count(*) FROM items WHERE id = $kpg")" \
    "0 0"
err=$(lpsql -c "BEGIN" -c "INSERT INTO items VALUES ($kmy, 'tx', 1, 1, NULL)" \
            -c "INSERT INTO items VALUES ($kpg, NULL, 1, 1, NULL)" -c "COMMIT" 2>&1 || true)
like "an error on the PostgreSQL shard fails the statement" "$err" 'null value in column "name"'
is "... and the MySQL shard's row of the transaction is gone too" \
    "$(on_shard "$(row_on "$kmy")" "SELECT count(*) FROM items WHERE id = $kmy")" "0"
out=$(lpsql -c "BEGIN" -c "INSERT INTO items VALUES ($kmy, 'tx', 1, 1, NULL), ($kpg, 'tx', 1, 1, NULL)" \
            -c "COMMIT" 2>&1)
like "COMMIT of a write to both dialects warns that they commit one by one" "$out" \
    'wrote to 2 grant endpoints, which commit one by one'
is "... and both rows are there" \
    "$(on_shard "$(row_on "$kmy")" "SELECT name FROM items WHERE id = $kmy") $(on_shard "$(row_on "$kpg")" "SELECT name FROM items WHERE id = $kpg")" \
    "tx tx"

# two-phase commit: PREPARE TRANSACTION on the PostgreSQL shard, XA PREPARE on the MariaDB one
lpsql -c "DELETE FROM items WHERE id IN ($kmy, $kpg)" >/dev/null
lpsql -c "SET \"grant\".two_phase_commit = on" -c "BEGIN" \
      -c "INSERT INTO items VALUES ($kmy, '2pc', 1, 1, NULL), ($kpg, '2pc', 1, 1, NULL)" \
      -c "COMMIT" >/dev/null
is "two-phase COMMIT over a PostgreSQL and a MariaDB shard: both rows there" \
    "$(on_shard "$(row_on "$kmy")" "SELECT name FROM items WHERE id = $kmy") $(on_shard "$(row_on "$kpg")" "SELECT name FROM items WHERE id = $kpg")" \
    "2pc 2pc"
is "... and nothing left prepared on either" \
    "$(mdb app -e "XA RECOVER" | wc -l) $(on_shard "$(row_on "$kpg")" "SELECT count(*) FROM pg_prepared_xacts")" "0 0"
lpsql -c "SET \"grant\".two_phase_commit = on" -c "BEGIN" \
      -c "UPDATE items SET name = 'rolled back' WHERE id IN ($kmy, $kpg)" -c "ROLLBACK" >/dev/null
is "two-phase ROLLBACK leaves both shards as they were" \
    "$(lpsql -c "SELECT string_agg(name, ' ') FROM items WHERE id IN ($kmy, $kpg)")" "2pc 2pc"
lpsql -c "DELETE FROM items WHERE id IN ($kmy, $kpg)" >/dev/null

# --- refusals --------------------------------------------------------------------------------
err=$(lpsql -c "UPDATE items SET qty = (random() * 0)::int WHERE id = 7" 2>&1 || true)
like "an UPDATE that would go row by row is refused with a clear error" "$err" \
    'cannot update rows of foreign table "items" one by one.*PostgreSQL and MySQL shards'
is "... and changed nothing" "$(lpsql -c "SELECT qty FROM items WHERE id = 7")" \
    "$(lpsql -c "SELECT qty FROM items_local WHERE id = 7")"
err=$(lpsql -c "UPDATE items SET id = id + 1 WHERE id = 7" 2>&1 || true)
like "an UPDATE of the shard key is refused" "$err" 'cannot update shard key column "id" of foreign table "items"'
err=$(lpsql -c "INSERT INTO items VALUES (NULL, 'x', 1, 1, NULL)" 2>&1 || true)
like "a NULL shard key is refused" "$err" 'shard key column "id" of "items" must not be NULL'
lpsql -c "TRUNCATE items" >/dev/null
is "TRUNCATE empties the shards of both dialects" \
    "$(for n in m1 m2 p1 p2; do on_shard "$n" "SELECT count(*) FROM items"; done | paste -sd ' ')" \
    "0 0 0 0"

finish
