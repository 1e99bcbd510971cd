#!/usr/bin/env bash
# mysql_inserts — INSERT into a MariaDB table leaves the columns a statement does not supply
# to MariaDB's own defaults (AUTO_INCREMENT, DEFAULT CURRENT_TIMESTAMP, constants), and
# RETURNING gives what MariaDB generated: single rows, batches, multi-row VALUES, INSERT ...
# SELECT, COPY with a column list.  Each outcome is read directly on MariaDB with the
# mariadb client (never through grant).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_mysql_inserts
cleanup() {
    rmysql -e 'DROP TABLE IF EXISTS ins_authors, ins_counters' >/dev/null 2>&1 || true
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" >/dev/null 2>&1 || true
}
trap cleanup EXIT

rmysql <<'SQL'
DROP TABLE IF EXISTS ins_authors, ins_counters;
CREATE TABLE ins_counters (id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE ins_authors (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name varchar(40) NOT NULL,
  created_at timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  status varchar(10) NOT NULL DEFAULT 'new',
  score int);
SQL

my() { rmysql -e "$1"; }

LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" -c "CREATE DATABASE $LDB"
ok "endpoint and foreign table" lpsql <<SQL
CREATE EXTENSION "grant";
SELECT grant_fdw.establish_connection('myins', 'mysql',
  format('mysql://grant_test:%s@127.0.0.1:%s/app', '$GRANT_TEST_PASSWORD', '$GRANT_MYSQL_PORT'));
CREATE SERVER myins FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'myins');
CREATE SCHEMA app;
IMPORT FOREIGN SCHEMA app LIMIT TO (ins_authors, ins_counters) FROM SERVER myins INTO app;
SQL

plan=$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO app.ins_authors (name) VALUES ('ann') RETURNING id")
like "the remote INSERT names only the supplied column" "$plan" \
    'Remote SQL: INSERT INTO `app`.`ins_authors` \(`name`\) VALUES \(\$1\) RETURNING `id`'

id=$(lpsql -c "INSERT INTO app.ins_authors (name) VALUES ('ann') RETURNING id")
is "RETURNING gives the AUTO_INCREMENT id MariaDB stored" "$id" \
    "$(my "SELECT id FROM ins_authors WHERE name = 'ann'")"
is "MariaDB's defaults filled the other columns" \
    "$(my "SELECT concat(status, ' ', created_at IS NOT NULL, ' ', score IS NULL) FROM ins_authors WHERE name = 'ann'")" \
    "new 1 1"

got=$(lpsql -c "INSERT INTO app.ins_authors (name, created_at) VALUES ('bo', '2024-01-01 00:00+00') RETURNING id, created_at = '2024-01-01 00:00+00', status")
is "Rails' INSERT with a timestamp: the next id, the given time" "$got" "$((id + 1))|t|new"
is "as stored" "$(my "SELECT concat(id, ' ', created_at) FROM ins_authors WHERE name = 'bo'")" \
    "$((id + 1)) 2024-01-01 00:00:00.000000"

got=$(lpsql -c "INSERT INTO app.ins_authors (name) VALUES ('cy') RETURNING created_at")
stored=$(my "SELECT created_at FROM ins_authors WHERE name = 'cy'")
is "RETURNING gives the CURRENT_TIMESTAMP MariaDB stored" \
    "$(lpsql -c "SELECT '$got'::timestamptz = '$stored+00'::timestamptz")" t

out=$(lpsql -c "INSERT INTO app.ins_authors (name, status) VALUES ('dee', NULL)" 2>&1 || true)
like "an explicit NULL is sent as NULL" "$out" "cannot be null"

# multi-row VALUES with RETURNING: each row's own id
got=$(lpsql -c "INSERT INTO app.ins_authors (id, name) VALUES (DEFAULT, 'm1'), (DEFAULT, 'm2'), (DEFAULT, 'm3') RETURNING name || '=' || id")
is "multi-row VALUES RETURNING gives each row's AUTO_INCREMENT id" "$got" \
    "$(my "SELECT group_concat(concat(name, '=', id) ORDER BY id SEPARATOR '\n') FROM ins_authors WHERE name LIKE 'm_'" | sed 's/\\n/\n/g')"

# batched INSERT ... SELECT (batch_size 4): 10 rows, ids from AUTO_INCREMENT
lpsql -c "ALTER FOREIGN TABLE app.ins_authors OPTIONS (ADD batch_size '4')"
plan=$(lpsql -c "EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) INSERT INTO app.ins_authors (name) SELECT 'b' || g FROM generate_series(1, 10) g")
like "the batches of 4 name only the supplied column" "$plan" \
    'Remote SQL: INSERT INTO `app`.`ins_authors` \(`name`\) VALUES \(\$1\).*Batch Size: 4'
is "10 rows, 10 ids, MariaDB's defaults" \
    "$(my "SELECT concat(count(*), ' ', count(DISTINCT id), ' ', sum(status = 'new' AND created_at IS NOT NULL)) FROM ins_authors WHERE name REGEXP '^b[0-9]+$'")" \
    "10 10 10"
got=$(lpsql -c "INSERT INTO app.ins_authors (name) SELECT 's' || g FROM generate_series(1, 3) g RETURNING name || '=' || id")
is "INSERT ... SELECT RETURNING gives each stored id" "$got" \
    "$(my "SELECT group_concat(concat(name, '=', id) ORDER BY id SEPARATOR '\n') FROM ins_authors WHERE name REGEXP '^s[0-9]$'" | sed 's/\\n/\n/g')"
lpsql -c "ALTER FOREIGN TABLE app.ins_authors OPTIONS (DROP batch_size)"

ok "COPY with a column list" lpsql -c "COPY app.ins_authors (name, score) FROM STDIN" <<'EOF'
c1	1
c2	2
\.
EOF
is "COPY left the id and the defaults to MariaDB" \
    "$(my "SELECT concat(count(DISTINCT id), ' ', sum(status = 'new')) FROM ins_authors WHERE name IN ('c1', 'c2')")" "2 2"

got=$(lpsql -c "INSERT INTO app.ins_counters (id) VALUES (DEFAULT), (DEFAULT) RETURNING id")
is "no column supplied: MariaDB gives every value" "$got" "1
2"
is "as stored" "$(my "SELECT group_concat(concat(id, ' ', at IS NOT NULL) ORDER BY id) FROM ins_counters")" "1 1,2 1"

is "every id is MariaDB's, none repeated" \
    "$(my "SELECT count(*) = count(DISTINCT id) AND max(id) + 1 = (SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'ins_authors') FROM ins_authors")" 1

finish
