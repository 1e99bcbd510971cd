# shellcheck shell=bash
# test/lib.sh — helpers for the scenario scripts under test/scenarios/.
#
# A scenario starts with
#     #!/usr/bin/env bash
#     set -euo pipefail
#     source "$(dirname "$0")/../lib.sh"
# and ends with `finish`.  It runs against the topology started by test/topology.sh
# (found through $GRANT_TEST_DIR or /tmp/grant-topology.current), prints one TAP line per
# assertion, and exits non-zero when any assertion failed.
#
#   lpsql ARGS...            psql on the local server (database ${LDB:-postgres}, user postgres)
#   rpsql NODE ARGS...       psql on writer|reader|shard1|shard2, database app, user postgres
#   rmysql [--replica] ARGS  mariadb client on the MariaDB server (or its replica) as root over
#                            the Unix socket, database app, batch mode (-N -B)
#   ok DESC CMD...           passes when CMD exits 0
#   nok DESC CMD...          passes when CMD exits non-zero
#   is DESC GOT EXPECTED     passes when GOT equals EXPECTED exactly
#   like DESC GOT REGEX      passes when GOT matches the extended regex REGEX
#   diag MSG...              prints "# MSG" (a comment line)
#   finish                   prints "# N passed, N failed" and exits 1 if any failed
#   wait_until SECS CMD...   retries CMD every 0.1 s until it succeeds or SECS pass
#   reader_catch_up [SECS]   waits until the reader has replayed all WAL the writer flushed
#                            (every commit, as the writer runs synchronous_commit=on)
#   mysql_replica_catch_up [SECS]
#                            waits until the MariaDB replica applied the primary's binlog
#   node_stop NODE [fast|immediate], node_start NODE
#                            stop / start one server of the topology (restore what you stop)
#   node_freeze NODE, node_thaw NODE
#                            SIGSTOP / SIGCONT every process of one server (a PostgreSQL
#                            postmaster and all its descendants, or mariadbd): a hung server,
#                            whose kernel still accepts TCP connections that nobody answers.
#                            Thaw what you freeze, in a trap; thawing a running node is harmless

_grant_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_grant_pgbin=${GRANT_PGBIN:-/usr/lib/postgresql/15/bin}

if [[ -z ${GRANT_TEST_DIR:-} && -s /tmp/grant-topology.current ]]; then
    GRANT_TEST_DIR=$(</tmp/grant-topology.current)
fi
if [[ -z ${GRANT_TEST_DIR:-} || ! -f $GRANT_TEST_DIR/env ]]; then
    echo "lib.sh: no running topology; start one with test/topology.sh start" >&2
    exit 1
fi
# shellcheck disable=SC1091
source "$GRANT_TEST_DIR/env"
# shellcheck source=test/nodes.sh
source "$_grant_lib_dir/nodes.sh"

_grant_tap_n=0
_grant_tap_passed=0
_grant_tap_failed=0

lpsql() {
    "$_grant_pgbin/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" \
        -U postgres -d "${LDB:-postgres}" "$@"
}

# psql on one database of a server of the topology, as postgres: spsql PORT DB ARGS...
spsql() {
    local port=$1 db=$2
    shift 2
    "$_grant_pgbin/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres \
        -d "$db" "$@"
}

rpsql() {
    local node=$1 port
    shift
    case $node in
        writer | reader | reader2 | shard1 | shard2) ;;
        *)
            echo "rpsql: unknown node '$node' (writer, reader, reader2, shard1 or shard2)" >&2
            return 2
            ;;
    esac
    port=$(grant_node_port "$node")
    "$_grant_pgbin/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
        -U postgres -d app "$@"
}

rmysql() {
    local socket=$GRANT_MYSQL_SOCKET
    if [[ ${1:-} == --replica ]]; then
        socket=$GRANT_MYSQL_REPLICA_SOCKET
        shift
    fi
    mariadb --no-defaults -S "$socket" -u root -N -B app "$@"
}

# Hides the test password in diagnostics.
_grant_mask() {
    local text=$1
    if [[ -n ${GRANT_TEST_PASSWORD:-} ]]; then
        text=${text//"$GRANT_TEST_PASSWORD"/********}
    fi
    printf '%s' "$text"
}

# Prints TEXT as comment lines: "#   LABEL" followed by the text, each line prefixed.
_grant_tap_diag_block() {
    local label=$1 text=$2 line
    echo "#   $label"
    while IFS= read -r line || [[ -n $line ]]; do
        echo "#     $line"
    done <<<"$(_grant_mask "$text")"
}

_grant_tap_result() {
    local passed=$1 desc=$2
    _grant_tap_n=$((_grant_tap_n + 1))
    if ((passed)); then
        _grant_tap_passed=$((_grant_tap_passed + 1))
        echo "ok $_grant_tap_n - $desc"
    else
        _grant_tap_failed=$((_grant_tap_failed + 1))
        echo "not ok $_grant_tap_n - $desc"
    fi
}

diag() {
    local line
    while IFS= read -r line || [[ -n $line ]]; do
        echo "# $line"
    done <<<"$*"
}

# Runs CMD in the current shell (so functions may set variables), its output captured
# and shown only when the assertion fails.
_grant_run_captured() {
    local out=$1
    shift
    "$@" >"$out" 2>&1
}

# ok and nok: run CMD, its output kept for the diagnostics, and pass when it exits 0
# (want=success) or non-zero (want=failure).
_grant_expect_exit() {
    local want=$1 desc=$2 out rc=0
    shift 2
    out=$(mktemp)
    _grant_run_captured "$out" "$@" || rc=$?
    if [[ ($want == success && $rc -eq 0) || ($want == failure && $rc -ne 0) ]]; then
        _grant_tap_result 1 "$desc"
    else
        _grant_tap_result 0 "$desc"
        if [[ $want == success ]]; then
            echo "#   command failed (exit $rc): $(_grant_mask "$*")"
        else
            echo "#   command succeeded but was expected to fail: $(_grant_mask "$*")"
        fi
        [[ -s $out ]] && _grant_tap_diag_block "output:" "$(<"$out")"
    fi
    rm -f -- "$out"
    return 0
}

ok() { _grant_expect_exit success "$@"; }
nok() { _grant_expect_exit failure "$@"; }

is() {
    local desc=$1 got=$2 expected=$3
    if [[ $got == "$expected" ]]; then
        _grant_tap_result 1 "$desc"
    else
        _grant_tap_result 0 "$desc"
        _grant_tap_diag_block "got:" "$got"
        _grant_tap_diag_block "expected:" "$expected"
    fi
    return 0
}

like() {
    local desc=$1 got=$2 regex=$3
    if [[ $got =~ $regex ]]; then
        _grant_tap_result 1 "$desc"
    else
        _grant_tap_result 0 "$desc"
        _grant_tap_diag_block "got:" "$got"
        _grant_tap_diag_block "expected to match:" "$regex"
    fi
    return 0
}

finish() {
    echo "1..$_grant_tap_n"
    echo "# $_grant_tap_passed passed, $_grant_tap_failed failed"
    if ((_grant_tap_failed > 0)); then
        exit 1
    fi
    exit 0
}

wait_until() {
    local secs=$1 i
    shift
    for ((i = 0; i < secs * 10; i++)); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

_grant_reader_replayed() {
    [[ $(rpsql reader -c "SELECT pg_last_wal_replay_lsn() >= '$1'::pg_lsn") == t ]]
}

reader_catch_up() {
    local lsn
    lsn=$(rpsql writer -c 'SELECT pg_current_wal_flush_lsn()')
    wait_until "${1:-30}" _grant_reader_replayed "$lsn"
}

_grant_mysql_replica_applied() {
    [[ $(rmysql --replica -e "SELECT MASTER_GTID_WAIT('$1', 1)") == 0 ]]
}

mysql_replica_catch_up() {
    local pos
    pos=$(rmysql -e 'SELECT @@gtid_binlog_pos')
    wait_until "${1:-30}" _grant_mysql_replica_applied "$pos"
}

node_stop() {
    bash "$_grant_lib_dir/topology.sh" node-stop "$@"
}

node_start() {
    bash "$_grant_lib_dir/topology.sh" node-start "$@"
}

# The pid of NODE's main process (postmaster or mariadbd), from its pid file.
_grant_node_main_pid() {
    local node=$1 file pid
    case $node in
        mysql | mysql_replica) file=$GRANT_TEST_DIR/$node/mariadbd.pid ;;
        local | writer | reader | reader2 | shard1 | shard2) file=$GRANT_TEST_DIR/$node/postmaster.pid ;;
        *)
            echo "node_freeze/node_thaw: unknown node '$node'" >&2
            return 2
            ;;
    esac
    pid=$(head -n 1 "$file" 2>/dev/null || true)
    if [[ ! $pid =~ ^[0-9]+$ ]]; then
        echo "node_freeze/node_thaw: $node is not running (no pid in $file)" >&2
        return 1
    fi
    echo "$pid"
}

# Prints the descendants of PID, parents before their children.
_grant_descendants() {
    local child
    for child in $(pgrep -P "$1" || true); do
        echo "$child"
        _grant_descendants "$child"
    done
}

# True when every process of the tree under PID (PID included) is stopped (state T).
_grant_tree_stopped() {
    local pid state
    for pid in "$1" $(_grant_descendants "$1"); do
        state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo T)
        [[ $state == [TtZ] ]] || return 1
    done
}

# Returns once every process of the node is stopped (a child forked meanwhile is stopped
# by the next pass); fails after 5 s.
node_freeze() {
    local main pid i
    main=$(_grant_node_main_pid "$1") || return 1
    # Stopped first, the main process forks no more.
    kill -STOP "$main"
    for ((i = 0; i < 100; i++)); do
        for pid in $(_grant_descendants "$main"); do
            kill -STOP "$pid" 2>/dev/null || true
        done
        _grant_tree_stopped "$main" && return 0
        sleep 0.05
    done
    echo "node_freeze: some process of $1 did not stop" >&2
    return 1
}

node_thaw() {
    local main pid
    main=$(_grant_node_main_pid "$1") || return 1
    for pid in $(_grant_descendants "$main"); do
        kill -CONT "$pid" 2>/dev/null || true
    done
    kill -CONT "$main"
}
