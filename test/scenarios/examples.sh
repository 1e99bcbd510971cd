#!/usr/bin/env bash
# test/scenarios/examples.sh — runs examples/multiple_databases.sql as a user would (psql,
# ON_ERROR_STOP, a fresh database) and checks the result lines the walkthrough marks
# "-- checked:": which server answered each read, the refusals, shard placement, the fan-out
# and the join across PostgreSQL and MariaDB; then that it removed its remote tables.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_examples
PGBIN=${GRANT_PGBIN:-/usr/lib/postgresql/15/bin}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp /tmp/grant-examples.XXXXXX)

cleanup() {
    rm -f -- "$out"
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

LDB=postgres lpsql -c "CREATE DATABASE $LDB"
rc=0
# unaligned, with headers: a value is the line after its column header
"$PGBIN/psql" -X -A -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U postgres \
    -d "$LDB" -f "$root/examples/multiple_databases.sql" >"$out" 2>&1 || rc=$?
is "the walkthrough runs to its end without an error" "$rc" 0
((rc == 0)) || diag "$(tail -n 20 "$out")"

# after HEADER [N]: the N lines (default 1) after the first line equal to HEADER
after() {
    grep -m 1 -x -A "${2:-1}" -- "$1" "$out" | tail -n +2 || true
}

is "auto: a read after the commit goes to the reader, which has the rows" \
    "$(after 'read_on|users')" "reader|3"
is "auto: reads after a write in the transaction stay on the writer" \
    "$(after 'read_after_write_on')" "writer"
like "EXPLAIN shows the route of a read" "$(cat "$out")" \
    "Route: database=primary role=reading shard=default endpoint=127\\.0\\.0\\.1:$GRANT_READER_PORT/app adapter=postgresql \\(read\\)"
is "grant.role = writing reads on the writer" "$(after 'role_writing_on')" "writer"
like "grant.role = reading refuses a write" "$(cat "$out")" \
    'NOTICE:  role reading refused the write: cannot write through grant while "grant.role" is "reading"'
like "grant.prevent_writes refuses a write" "$(cat "$out")" \
    'NOTICE:  prevent_writes refused the write: cannot write through grant while "grant.prevent_writes" is on'
is "reads still work while writes are prevented" "$(after 'users_while_preventing_writes')" "3"
is "connected_to(role => writing) reads on the writer" "$(after 'connected_to_writing_on')" "writer"
is "after that transaction, reads go to the reader again" "$(after 'after_connected_to_on')" "reader"
is "connected_to(shard => two) answers from shard2" "$(after 'connected_to_shard_two_on')" "shard2"

placement=$(after 'shard|orders_held|orders_expected' 2)
like "every shard holds the orders shard_for() assigns it" "$placement" \
    '^one\|([0-9]+)\|\1'$'\n''two\|([0-9]+)\|\2$'
is "both shards hold orders" "$(grep -c '|0|' <<<"$placement" || true)" 0
like "a pinned shard key reads one shard" "$(cat "$out")" "Shards: (one|two) \\(by shard key\\)"
like "no shard key fans out to every shard" "$(cat "$out")" "Shards: one, two \\(fan-out to every shard\\)"
is "the fan-out read sums both shards" "$(after 'total_all_shards|orders_all_shards')" "144.40|4"
is "grant.shard pins a shard" "$(after 'pinned_shard_on')" "shard1"
is "one query joins PostgreSQL, both shards and MariaDB" "$(after 'name|country|spent' 3)" \
    "Ada L.|France|37.50"$'\n'"Ana|Brazil|7.00"$'\n'"Kenji|Japan|99.90"

is "the walkthrough dropped its table on the writer" \
    "$(rpsql writer -c "SELECT to_regclass('public.md_users') IS NULL")" "t"
is "the walkthrough dropped its tables on the shards" \
    "$(rpsql shard1 -c "SELECT to_regclass('public.md_orders') IS NULL")$(rpsql shard2 -c "SELECT to_regclass('public.md_orders') IS NULL")" "tt"
is "the walkthrough dropped its MariaDB table" "$(rmysql -e "SHOW TABLES LIKE 'md_countries'")" ""

finish
