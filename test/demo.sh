#!/usr/bin/env bash
# test/demo.sh — the demo command: build and install grant, start a throwaway topology,
# run the walkthrough examples/multiple_databases.sql on the local server with every
# statement echoed next to its result, then stop the topology (also on failure or Ctrl-C).
# CI runs the same walkthrough and checks its results (test/scenarios/examples.sh).
#
#   bash test/demo.sh              run examples/multiple_databases.sql
#   bash test/demo.sh FILE.sql     run another script the same way
set -euo pipefail

# shellcheck source=test/as_root.sh
source "$(dirname "$0")/as_root.sh"
grant_become_root demo.sh "it installs packages and the extension" "$@"

cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
psql_bin=/usr/lib/postgresql/15/bin/psql
script=${1:-examples/multiple_databases.sql}
[[ -f $script ]] || {
    echo "demo.sh: $script not found" >&2
    exit 1
}

topology_up=0
log=$(mktemp /tmp/grant-demo.XXXXXX)

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    if ((topology_up)); then
        bash test/topology.sh stop >/dev/null 2>&1 || true
    fi
    rm -f -- "$log"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bash test/setup.sh

echo "== building and installing grant" >&2
if ! make -s PG_CONFIG="$PG_CONFIG" >"$log" 2>&1 ||
    ! make -s install PG_CONFIG="$PG_CONFIG" >>"$log" 2>&1; then
    cat "$log" >&2
    echo "demo.sh: build failed" >&2
    exit 1
fi

echo "== starting the topology" >&2
if [[ -z ${GRANT_TEST_DIR:-} ]]; then
    GRANT_TEST_DIR=$(mktemp -d /tmp/grant-topology.XXXXXX)
fi
export GRANT_TEST_DIR
topology_up=1
bash test/topology.sh start >/dev/null
# shellcheck disable=SC1091
source "$GRANT_TEST_DIR/env"

echo "== running $script" >&2
# A fresh database, so that the demo never depends on what ran before.
"$psql_bin" -X -q -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U postgres -d postgres \
    -c 'CREATE DATABASE grant_demo'
rc=0
"$psql_bin" -X -a -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U postgres \
    -d grant_demo -f "$script" || rc=$?

echo "== stopping the topology" >&2
exit "$rc"
