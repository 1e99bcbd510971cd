#!/usr/bin/env bash
# registry_dump.sh — pg_dump keeps the registry, a restore brings it back.
#
# The registry rows (passwords and secret options included) are extension
# configuration data (pg_extension_config_dump): a dump of a database with
# the extension carries them, and restoring into a fresh database gives the
# same rows, a sequence that continues after them, and a working cache.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

src=grant_scenario_dump_src
dst=grant_scenario_dump_dst
tmp=$(mktemp -d)
pgconn=(-h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U postgres)

dropdbs() {
    LDB=postgres lpsql -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS $src WITH (FORCE)" \
        -c "DROP DATABASE IF EXISTS $dst WITH (FORCE)"
}
cleanup() {
    dropdbs >/dev/null 2>&1 || true
    rm -rf -- "$tmp"
}
trap cleanup EXIT

dropdbs
LDB=postgres lpsql -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
LDB=$src lpsql -c 'CREATE EXTENSION "grant"'
LDB=$src lpsql >/dev/null <<'SQL'
SELECT grant_fdw.establish_connection('app', NULL,
  'postgresql://app:dump_canary_1@127.0.0.1:6101/app?sslmode=require&sslpassword=dump_canary_ssl');
SELECT grant_fdw.establish_connection('app', 'pg',
  'host=127.0.0.1 port=6102 dbname=app user=app password=dump_canary_2', 'reading', weight => 2);
SELECT grant_fdw.establish_connection('app', NULL,
  'postgresql://app@127.0.0.1:6103/app', 'writing', 'eu');
SELECT grant_fdw.establish_connection('shop', NULL,
  'mysql://shop:p%40ss@[::1]:6104/shop?charset=utf8mb4&ssl-mode=required');
SQL

rows="SELECT string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s',
        id, database, adapter, role, shard, weight, host, port, dbname,
        username, password, options), E'\n' ORDER BY id)
      FROM grant_fdw.endpoints"
before=$(LDB=$src lpsql -c "$rows")
is "source has the four endpoints" "$(LDB=$src lpsql -c 'SELECT count(*) FROM grant_fdw.endpoints')" "4"

ok "pg_dump of the source database" \
    "$_grant_pgbin/pg_dump" "${pgconn[@]}" -Fc -f "$tmp/src.dump" "$src"
ok "pg_restore into a fresh database" \
    "$_grant_pgbin/pg_restore" "${pgconn[@]}" --exit-on-error -d "$dst" "$tmp/src.dump"

is "restored rows equal the source rows, passwords included" \
    "$(LDB=$dst lpsql -c "$rows")" "$before"
is "passwords came back" \
    "$(LDB=$dst lpsql -c "SELECT string_agg(password, ',' ORDER BY id) FROM grant_fdw.endpoints")" \
    "dump_canary_1,dump_canary_2,p@ss"
is "secret options came back" \
    "$(LDB=$dst lpsql -c "SELECT options FROM grant_fdw.endpoints WHERE port = 6101")" \
    "{sslmode=require,sslpassword=dump_canary_ssl}"
is "the view still hides them" \
    "$(LDB=$dst lpsql -c "SELECT count(*) FROM grant_fdw.connections c WHERE c::text LIKE '%canary%'")" "0"

# the sequence continues after the restored ids
next=$(LDB=$dst lpsql -c "SELECT grant_fdw.establish_connection('app', NULL, 'postgresql://127.0.0.1:6105/app', 'reading')")
max=$(LDB=$dst lpsql -c "SELECT max(id) FROM grant_fdw.endpoints WHERE id <> $next")
like "new id after restore" "$next" '^[0-9]+$'
is "new id follows the restored ones" "$((next > max))" "1"

# the restored registry is what the cache (the router) sees
is "cache of the restored database" \
    "$(LDB=$dst lpsql -c "SELECT string_agg(endpoint, ',' ORDER BY shard, role DESC, id) FROM grant_fdw.registry_cache('app')")" \
    "127.0.0.1:6101/app,127.0.0.1:6102/app,127.0.0.1:6105/app,127.0.0.1:6103/app"

# a plain-text dump carries the rows as well (restored with psql)
ok "plain pg_dump" "$_grant_pgbin/pg_dump" "${pgconn[@]}" -f "$tmp/src.sql" "$src"
LDB=postgres lpsql -c "DROP DATABASE $dst" -c "CREATE DATABASE $dst"
restore_plain() { LDB=$dst lpsql -f "$tmp/src.sql"; }
ok "psql restores the plain dump, stopping at any error" restore_plain
is "plain restore gives the same rows" "$(LDB=$dst lpsql -c "$rows")" "$before"

finish
