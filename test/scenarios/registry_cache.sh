#!/usr/bin/env bash
# registry_cache.sh — the per-backend registry cache follows committed changes.
#
# One long-lived session (a psql coprocess: the same backend throughout)
# reads the registry through grant_fdw.registry_cache(), which answers from
# the cache the router uses.  Other sessions change the registry; each
# committed change must show in the long-lived session's very next
# statement, an uncommitted one must not, and an unchanged registry must
# not be read again (registry_cache_stats().loads stays put).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

db=grant_scenario_cache
LDB=postgres lpsql -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
export LDB=$db
lpsql -c 'CREATE EXTENSION "grant"'

# Sessions that stay connected: psql reading from a fifo.  Each query is
# followed by a marker so the reader knows where its answer ends.
tmp=$(mktemp -d)
session_pids=()
cleanup() {
    local pid
    for pid in "${session_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf -- "$tmp"
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# start_session NAME: sets NAME_in and NAME_out to the session's fds
start_session() {
    local name=$1 fd_in fd_out
    mkfifo "$tmp/$name.in" "$tmp/$name.out"
    lpsql <"$tmp/$name.in" >"$tmp/$name.out" 2>&1 &
    session_pids+=($!)
    exec {fd_in}>"$tmp/$name.in"
    exec {fd_out}<"$tmp/$name.out"
    printf -v "${name}_in" '%s' "$fd_in"
    printf -v "${name}_out" '%s' "$fd_out"
}

# in_session FD_IN FD_OUT SQL: run one statement (no trailing semicolon) in
# a session, print its output
in_session() {
    local in=$1 out=$2 sql=$3 line answer=""
    printf '%s;\n\\echo __grant_end__\n' "$sql" >&"$in"
    while IFS= read -r -t 20 line <&"$out"; do
        [[ $line == __grant_end__ ]] && break
        answer+=$line$'\n'
    done
    printf '%s' "${answer%$'\n'}"
}

start_session long
start_session other
s() { in_session "$long_in" "$long_out" "$1"; }
other() { in_session "$other_in" "$other_out" "$1"; }

cached="SELECT coalesce(string_agg(format('%s %s %s w%s', role, shard, endpoint, weight), ', ' ORDER BY shard, role DESC, id), '(none)') FROM grant_fdw.registry_cache('app')"
loads="SELECT loads FROM grant_fdw.registry_cache_stats()"

lpsql -c "SELECT grant_fdw.establish_connection('app', NULL, 'postgresql://app:pw@127.0.0.1:6001/app')" >/dev/null
pid=$(s 'SELECT pg_backend_pid()')
like "long-lived session is up" "$pid" '^[0-9]+$'

is "first read loads the registry" "$(s "$cached")" "writing default 127.0.0.1:6001/app w1"
loads0=$(s "$loads")
s "$cached" >/dev/null
s "$cached" >/dev/null
is "unchanged registry is not read again" "$(s "$loads")" "$loads0"

# a change committed by another session
lpsql -c "SELECT grant_fdw.establish_connection('app', NULL, 'postgresql://app:pw@127.0.0.1:6002/app', 'reading')" >/dev/null
is "committed registration seen by the next statement" "$(s "$cached")" \
    "writing default 127.0.0.1:6001/app w1, reading default 127.0.0.1:6002/app w1"
loads1=$(s "$loads")
is "one reload for one change" "$((loads1 - loads0))" "1"

# uncommitted changes stay invisible, the commit makes them visible
other 'BEGIN' >/dev/null
is "removal inside an open transaction" \
    "$(other "SELECT grant_fdw.remove_connection('app', 'reading')")" "1"
is "uncommitted removal not seen" "$(s "$cached")" \
    "writing default 127.0.0.1:6001/app w1, reading default 127.0.0.1:6002/app w1"
other 'COMMIT' >/dev/null
is "committed removal seen by the next statement" "$(s "$cached")" \
    "writing default 127.0.0.1:6001/app w1"

# a rolled-back change is never seen
other 'BEGIN' >/dev/null
other "SELECT grant_fdw.establish_connection('app', NULL, 'postgresql://127.0.0.1:6003/app', 'reading')" >/dev/null
other 'ROLLBACK' >/dev/null
is "rolled-back registration not seen" "$(s "$cached")" "writing default 127.0.0.1:6001/app w1"

# changes made to the table directly (superuser) invalidate as well
lpsql -c "UPDATE grant_fdw.endpoints SET weight = 5 WHERE port = 6001" >/dev/null
is "direct UPDATE seen" "$(s "$cached")" "writing default 127.0.0.1:6001/app w5"
lpsql -c "TRUNCATE grant_fdw.endpoints" >/dev/null
is "TRUNCATE seen" "$(s "$cached")" "(none)"

lpsql -c "SELECT grant_fdw.establish_connection('app', NULL, 'mysql://127.0.0.1:6004/shop')" >/dev/null
is "registration after TRUNCATE seen" "$(s "$cached")" "writing default 127.0.0.1:6004/shop w1"

is "the same backend answered throughout" "$(s 'SELECT pg_backend_pid()')" "$pid"

finish
