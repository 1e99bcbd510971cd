#!/usr/bin/env bash
# test/run.sh — the test command: build grant, install it, start the real topology, run the
# pg_regress tests (test/schedule) and the scenario scripts (test/scenarios/*.sh).
#
#   bash test/run.sh               everything
#   bash test/run.sh NAME...       only these pg_regress tests / scenarios (NAME or NAME.sh)
#
# A compiler warning fails the build step.  The topology is always stopped at the end, also
# on failure or Ctrl-C (GRANT_KEEP_TOPOLOGY=1 keeps its directory and logs).  The last line
# printed is "N passed, N failed"; the exit status is 0 only when nothing failed and at
# least one test ran.
#
# Environment: PG_CONFIG (default /usr/lib/postgresql/15/bin/pg_config),
# GRANT_SCENARIO_TIMEOUT (seconds per scenario, default 600), GRANT_DIFF_LINES (lines of
# regression.diffs shown on failure, default 300), and the ports of test/topology.sh.
set -euo pipefail

# shellcheck source=test/as_root.sh
source "$(dirname "$0")/as_root.sh"
grant_become_root run.sh "it installs packages and the extension" "$@"

cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
scenario_timeout=${GRANT_SCENARIO_TIMEOUT:-600}
diff_lines=${GRANT_DIFF_LINES:-300}

passed=0
failed=0
topology_up=0
work=$(mktemp -d /tmp/grant-run.XXXXXX)

section() { printf '\n=== %s ===\n' "$*"; }

stop_topology() {
    if ((topology_up)); then
        topology_up=0
        bash test/topology.sh stop >"$work/topology-stop.log" 2>&1 ||
            cat "$work/topology-stop.log" >&2
    fi
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    stop_topology
    rm -rf -- "$work"
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT
trap 'echo "run.sh: terminated" >&2; exit 143' TERM

# Prints the summary as the very last line and exits accordingly.
summary() {
    stop_topology
    echo
    echo "$passed passed, $failed failed"
    if ((failed == 0 && passed > 0)); then
        exit 0
    fi
    exit 1
}

# --- which tests ------------------------------------------------------------------------

[[ -f test/schedule ]] || : >test/schedule
mapfile -t all_regress < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' test/schedule | grep -v '^$' || true)
all_scenarios=()
for f in test/scenarios/*.sh; do
    [[ -f $f ]] && all_scenarios+=("$(basename "$f" .sh)")
done

regress=()
scenarios=()
if (($# == 0)); then
    regress=("${all_regress[@]}")
    scenarios=("${all_scenarios[@]}")
else
    for arg in "$@"; do
        name=$(basename "$arg")
        name=${name%.sh}
        name=${name%.sql}
        if [[ " ${all_regress[*]} " == *" $name "* ]]; then
            regress+=("$name")
        elif [[ " ${all_scenarios[*]} " == *" $name "* ]]; then
            scenarios+=("$name")
        else
            echo "run.sh: unknown test '$arg' (not in test/schedule, no test/scenarios/$name.sh)" >&2
            exit 2
        fi
    done
fi

# --- packages, build, install -----------------------------------------------------------

section "setup"
bash test/setup.sh

section "build"
# -B rebuilds every object so that warnings are seen even when the tree was built before.
if ! make -s -B PG_CONFIG="$PG_CONFIG" >"$work/build.log" 2>&1; then
    cat "$work/build.log"
    echo "build: FAILED"
    failed=$((failed + 1))
    summary
fi
if grep -q 'warning:' "$work/build.log"; then
    cat "$work/build.log"
    echo "build: FAILED (compiler warnings)"
    failed=$((failed + 1))
else
    echo "build: ok"
fi

if ! make -s install PG_CONFIG="$PG_CONFIG" >"$work/install.log" 2>&1; then
    cat "$work/install.log"
    echo "install: FAILED"
    failed=$((failed + 1))
    summary
fi
echo "install: ok"

# --- topology ---------------------------------------------------------------------------

section "topology"
if [[ -z ${GRANT_TEST_DIR:-} ]]; then
    GRANT_TEST_DIR=$(mktemp -d /tmp/grant-topology.XXXXXX)
fi
export GRANT_TEST_DIR
topology_up=1
if ! bash test/topology.sh start >/dev/null 2>"$work/topology.log"; then
    cat "$work/topology.log"
    echo "topology: FAILED"
    topology_up=0
    failed=$((failed + 1))
    summary
fi
cat "$work/topology.log"
# shellcheck disable=SC1091
source "$GRANT_TEST_DIR/env"

# --- pg_regress -------------------------------------------------------------------------

if ((${#regress[@]} > 0)); then
    section "pg_regress (${#regress[@]} tests)"
    rm -f regression.diffs regression.out
    rc=0
    # CONTRIB_TESTDB: PGXS appends its own --dbname after REGRESS_OPTS, and the last wins.
    make installcheck PG_CONFIG="$PG_CONFIG" REGRESS="${regress[*]}" \
        CONTRIB_TESTDB=grant_regress 2>&1 |
        tee "$work/installcheck.log" || rc=${PIPESTATUS[0]}
    # PostgreSQL 15 prints "test NAME ... ok  12 ms" (or "     NAME ... ok" in a
    # parallel group); anything but "ok" is a failure.
    r_ok=$(grep -cE '^(test +| +)[^ ]+ +\.\.\. +ok( |$)' "$work/installcheck.log" || true)
    r_all=$(grep -cE '^(test +| +)[^ ]+ +\.\.\. ' "$work/installcheck.log" || true)
    r_bad=$((r_all - r_ok))
    passed=$((passed + r_ok))
    failed=$((failed + r_bad))
    if ((rc != 0 && r_bad == 0)); then
        echo "pg_regress: FAILED (exit $rc) without a failing test"
        failed=$((failed + 1))
    fi
    if [[ -s regression.diffs ]]; then
        section "regression.diffs (first $diff_lines lines)"
        head -n "$diff_lines" regression.diffs
        total=$(wc -l <regression.diffs)
        if ((total > diff_lines)); then
            echo "... ($((total - diff_lines)) more lines in regression.diffs)"
        fi
    fi
fi

# --- scenarios --------------------------------------------------------------------------

restore_topology() {
    local node
    if bash test/topology.sh status >"$work/status.log" 2>&1; then
        return 0
    fi
    cat "$work/status.log"
    echo "scenario $1 left servers down; restarting them"
    failed=$((failed + 1))
    while read -r node _ state; do
        if [[ $state == down ]]; then
            bash test/topology.sh node-start "$node" || true
        fi
    done < <(grep -E ' (running|down)$' "$work/status.log")
}

for name in "${scenarios[@]}"; do
    section "scenario $name"
    rc=0
    timeout --kill-after=10 "$scenario_timeout" bash "test/scenarios/$name.sh" 2>&1 |
        tee "$work/scenario.log" || rc=${PIPESTATUS[0]}
    s_ok=$(grep -cE '^ok [0-9]+' "$work/scenario.log" || true)
    s_bad=$(grep -cE '^not ok [0-9]+' "$work/scenario.log" || true)
    passed=$((passed + s_ok))
    failed=$((failed + s_bad))
    if ((rc != 0 && s_bad == 0)); then
        if ((rc == 124)); then
            echo "not ok - scenario $name timed out after ${scenario_timeout}s"
        else
            echo "not ok - scenario $name exited with status $rc"
        fi
        failed=$((failed + 1))
    elif ((rc == 0 && s_ok + s_bad == 0)); then
        echo "# scenario $name made no assertion"
    fi
    restore_topology "$name"
done

summary
