#!/usr/bin/env bash
# mysql_transactions — remote transactions, role routing, write guards, row identity
# and statement_timeout on the real MariaDB primary and replica, each outcome
# checked directly on MariaDB with the mariadb client (never through grant).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_mysql_tx
cleanup() {
    rmysql -e 'DROP TABLE IF EXISTS tx_t, nokey_t; DROP VIEW IF EXISTS whoami, slow' \
        >/dev/null 2>&1 || true
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" >/dev/null 2>&1 || true
}
trap cleanup EXIT

rmysql <<'SQL'
DROP TABLE IF EXISTS tx_t, nokey_t;
DROP VIEW IF EXISTS whoami, slow;
CREATE TABLE tx_t (id int PRIMARY KEY, v varchar(20));
CREATE TABLE nokey_t (a int, b int);
INSERT INTO nokey_t VALUES (1, 10), (2, 20);
CREATE VIEW whoami AS
  SELECT CAST(p.VARIABLE_VALUE AS UNSIGNED) AS port, CAST(s.VARIABLE_VALUE AS UNSIGNED) AS server_id
  FROM information_schema.GLOBAL_VARIABLES p, information_schema.GLOBAL_VARIABLES s
  WHERE p.VARIABLE_NAME = 'PORT' AND s.VARIABLE_NAME = 'SERVER_ID';
CREATE VIEW slow AS SELECT SLEEP(30) AS s;
SQL
mysql_replica_catch_up

LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" -c "CREATE DATABASE $LDB"
ok "endpoints and foreign tables" lpsql <<SQL
CREATE EXTENSION "grant";
SELECT grant_fdw.establish_connection('mytx', 'mysql',
  format('mysql://grant_test:%s@127.0.0.1:%s/app', '$GRANT_TEST_PASSWORD', '$GRANT_MYSQL_PORT'));
SELECT grant_fdw.establish_connection('mytx', 'mariadb',
  format('mariadb://grant_test:%s@127.0.0.1:%s/app', '$GRANT_TEST_PASSWORD', '$GRANT_MYSQL_REPLICA_PORT'),
  role => 'reading');
CREATE SERVER mytx FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'mytx');
CREATE FOREIGN TABLE tx_t (id int OPTIONS (key 'true'), v varchar(20)) SERVER mytx;
CREATE FOREIGN TABLE nokey_t (a int, b int) SERVER mytx;
CREATE FOREIGN TABLE whoami (port int, server_id int) SERVER mytx;
CREATE FOREIGN TABLE slow (s int) SERVER mytx;
SQL

my() { rmysql -e "$1"; }

# --- transactions -------------------------------------------------------------------
ok "INSERT then local ROLLBACK" lpsql -c "BEGIN" \
    -c "INSERT INTO tx_t VALUES (1, 'a'), (2, 'b')" -c "ROLLBACK"
is "a local ROLLBACK leaves nothing in MariaDB" "$(my 'SELECT count(*) FROM tx_t')" 0

ok "INSERT then COMMIT" lpsql -c "BEGIN" -c "INSERT INTO tx_t VALUES (1, 'a'), (2, 'b')" -c "COMMIT"
is "COMMIT makes the rows visible in MariaDB" "$(my 'SELECT group_concat(id ORDER BY id) FROM tx_t')" "1,2"

ok "savepoints" lpsql <<'SQL'
BEGIN;
INSERT INTO tx_t VALUES (10, 'kept');
SAVEPOINT a;
INSERT INTO tx_t VALUES (11, 'undone');
ROLLBACK TO SAVEPOINT a;
INSERT INTO tx_t VALUES (12, 'kept too');
COMMIT;
SQL
is "ROLLBACK TO SAVEPOINT undid only what followed it" \
    "$(my 'SELECT group_concat(id ORDER BY id) FROM tx_t')" "1,2,10,12"

out=$(lpsql -c '\set VERBOSITY verbose' -c "INSERT INTO tx_t VALUES (1, 'dup')" 2>&1 || true)
like "a duplicate key is a unique violation with the remote SQL as context" "$out" \
    "23505: Duplicate entry '1' for key 'PRIMARY'.*remote SQL command on"

ok "a failed statement in a subtransaction, then COMMIT" lpsql -v ON_ERROR_STOP=0 <<'SQL'
BEGIN;
INSERT INTO tx_t VALUES (20, 'before');
SAVEPOINT s;
INSERT INTO tx_t VALUES (1, 'dup');
ROLLBACK TO SAVEPOINT s;
INSERT INTO tx_t VALUES (21, 'after');
COMMIT;
SQL
is "the work around the failed statement is committed" \
    "$(my 'SELECT group_concat(id ORDER BY id) FROM tx_t WHERE id >= 20')" "20,21"

ok "a batched INSERT of 2500 rows" lpsql -c \
    "INSERT INTO tx_t SELECT g, 'row ' || g FROM generate_series(1000, 3499) g"
is "every batched row arrived" "$(my 'SELECT count(*) FROM tx_t WHERE id >= 1000')" 2500

ok "UPDATE and DELETE by key" lpsql \
    -c "UPDATE tx_t SET v = v || '!' WHERE id IN (10, 12)" \
    -c "DELETE FROM tx_t WHERE id >= 1000 AND v LIKE '%9'"
is "UPDATE changed the rows by their key" "$(my "SELECT group_concat(v ORDER BY id) FROM tx_t WHERE id IN (10, 12)")" \
    "kept!,kept too!"
is "DELETE removed exactly the matching rows" "$(my 'SELECT count(*) FROM tx_t WHERE id >= 1000')" 2250

# --- row identity -------------------------------------------------------------------
out=$(lpsql -c "UPDATE nokey_t SET b = b + (random() * 0)::int" 2>&1 || true)
like "UPDATE without a key: a clear error" "$out" 'has no row identity for UPDATE or DELETE'
out=$(lpsql -c "DELETE FROM nokey_t WHERE a + 0 = 1" 2>&1 || true)
like "DELETE without a key: a clear error" "$out" 'has no row identity for UPDATE or DELETE'
is "nothing changed in the keyless table" "$(my 'SELECT group_concat(a, ":", b ORDER BY a) FROM nokey_t')" "1:10,2:20"
# integer arithmetic ships: one remote UPDATE, no row identity needed; MariaDB's
# left-to-right SET must not see a column assigned before it, so b = a reads the old a
lpsql -c "UPDATE nokey_t SET b = b * 2 + a" >/dev/null
is "SET b = b * 2 + a runs as one remote UPDATE on a keyless table" \
    "$(my 'SELECT group_concat(a, ":", b ORDER BY a) FROM nokey_t')" "1:21,2:42"
out=$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) UPDATE nokey_t SET a = a + 1, b = a" 2>&1 || true)
like "SET a = a + 1, b = a is not shipped (MariaDB would give b the new a)" "$out" \
    'has no row identity for UPDATE or DELETE'

# UPDATE ... RETURNING: MariaDB has none; the new row is read back by its key, so
# what the remote changed itself (a BEFORE UPDATE trigger) shows
rmysql <<'SQL'
DROP TABLE IF EXISTS ret_t;
CREATE TABLE ret_t (id int PRIMARY KEY, v varchar(20), n int);
INSERT INTO ret_t VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3);
CREATE TRIGGER ret_t_upper BEFORE UPDATE ON ret_t FOR EACH ROW SET NEW.v = UPPER(NEW.v);
SQL
lpsql -c "CREATE FOREIGN TABLE ret_t (id int OPTIONS (key 'true'), v varchar(20), n int) SERVER mytx" >/dev/null
out=$(lpsql -c "UPDATE ret_t SET v = v || 'x', n = n * 10 WHERE id + 0 >= 2 RETURNING id, v, n" | sort)
is "UPDATE ... RETURNING gives the rows as MariaDB stored them" "$(echo $out)" "2|BX|20 3|CX|30"
is "... which MariaDB holds" "$(my 'SELECT group_concat(id, ":", v, ":", n ORDER BY id) FROM ret_t')" "1:a:1,2:BX:20,3:CX:30"
out=$(lpsql -c "BEGIN" -c "UPDATE ret_t SET n = 0 WHERE id + 0 = 1 RETURNING n" -c "ROLLBACK" | tail -n 1)
is "... and a local ROLLBACK undoes it" "$out:$(my 'SELECT n FROM ret_t WHERE id = 1')" "0:1"
rmysql -e 'DROP TABLE ret_t' >/dev/null

# --- routing ------------------------------------------------------------------------
mysql_replica_catch_up
is "role reading answers from the replica" \
    "$(lpsql -c "SET \"grant\".role = 'reading'" -c "SELECT server_id FROM whoami")" 2
is "role writing answers from the primary" \
    "$(lpsql -c "SET \"grant\".role = 'writing'" -c "SELECT server_id FROM whoami")" 1
is "role auto reads from the replica" "$(lpsql -c "SELECT server_id FROM whoami")" 2
is "after a write in the transaction, auto reads from the primary" \
    "$(lpsql -c "BEGIN" -c "INSERT INTO tx_t VALUES (30, 'w')" \
        -c "SELECT server_id FROM whoami" -c "ROLLBACK")" 1
plan=$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM tx_t WHERE id = 10")
like "EXPLAIN VERBOSE shows the route and the remote SQL" "$plan" \
    "Route: database=mytx role=reading.*Remote SQL: SELECT \`id\`, \`v\` FROM \`tx_t\` WHERE \(\`id\` = \(10\)\)"

# --- write guards ---------------------------------------------------------------------
out=$(lpsql -c '\set VERBOSITY verbose' -c "SET \"grant\".prevent_writes = on" \
    -c "INSERT INTO tx_t VALUES (40, 'no')" 2>&1 || true)
like "prevent_writes refuses a write with 25006" "$out" "25006"
out=$(lpsql -c '\set VERBOSITY verbose' -c "SET \"grant\".role = 'reading'" \
    -c "DELETE FROM tx_t WHERE id = 1" 2>&1 || true)
like "role reading refuses a write with 25006" "$out" "25006"
is "neither reached MariaDB" "$(my 'SELECT count(*) FROM tx_t WHERE id = 40 OR id = 1')" 1

# --- statement_timeout --------------------------------------------------------------
start=$(date +%s)
out=$(lpsql -c "SET \"grant\".role = 'writing'" -c "SET statement_timeout = '1s'" \
    -c "SELECT * FROM slow" 2>&1 || true)
elapsed=$(($(date +%s) - start))
like "statement_timeout cancels a remote SELECT SLEEP(30)" "$out" "canceling statement due to statement timeout"
ok "within seconds, not thirty ($elapsed s)" test "$elapsed" -lt 10
is "the remote query was killed" \
    "$(my "SELECT count(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT %slow%' AND ID <> CONNECTION_ID()")" 0
is "the connection serves the next statement of the session" \
    "$(lpsql -c "SET \"grant\".role = 'writing'" -c "SET statement_timeout = '1s'" \
        -c "SELECT count(*) FROM slow WHERE false" -c "SELECT server_id FROM whoami")" "0
1"

finish
