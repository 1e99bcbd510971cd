#!/usr/bin/env bash
# test/scenarios/freeze_pg.sh — a remote PostgreSQL frozen with SIGSTOP (a hung server or a
# black-holed network: the kernel still completes the TCP handshake, nobody answers), at
# connect, on an idle open connection and in the middle of a remote query, in autocommit and
# inside BEGIN.  In every case statement_timeout ends the statement within 1 s of its value,
# pg_cancel_backend ends it within 1 s, pg_terminate_backend ends the backend within 1 s, and
# after SIGCONT the same session and a new one are answered with the right rows.  Then a
# live, slow remote: statement_timeout cancels the remote query for real and the session
# goes on.  Every elapsed time is measured and shown.
#
# The scenario itself never hangs: each local session is a psql fed through a fifo, read
# with deadlines; every other psql that may wait runs under timeout; the trap thaws the
# frozen node whatever happens.  shard1 is the node frozen: nothing replicates from it.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_freeze
FN=shard1
FPORT=$(grant_node_port "$FN")
PW=$GRANT_TEST_PASSWORD
SD=$GRANT_TEST_DIR/freeze_pg
ROWS='one,two,three'
Q_ROWS="SELECT string_agg(v, ',' ORDER BY id) FROM frz_items;"
Q_SLOW="SELECT s FROM frz_sleep30;"
HANG=5          # seconds a statement expected within 2 s may take before it counts as hung
RECOVER=60      # seconds a hung statement may take to end once the node is thawed

declare -A SFD SPID SMARK
LAST=''
MS=0

# psql under a deadline (timeout runs programs, not functions): tpsql SECS PORT DB ARGS...
tpsql() {
    local secs=$1 port=$2 db=$3
    shift 3
    timeout "$secs" "$_grant_pgbin/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
        -U postgres -d "$db" "$@"
}
tlocal() {
    local secs=$1
    shift
    tpsql "$secs" "$GRANT_LOCAL_PORT" "$LDB" "$@"
}
tremote() {
    local secs=$1
    shift
    tpsql "$secs" "$FPORT" app "$@"
}

now_ms() {
    local t
    t=$(date +%s%N)
    echo $((t / 1000000))
}

# --- sessions: psql fed through a fifo, each step closed by a marker on stderr -------------

sess_open() {
    local name=$1 fd
    rm -f "$SD/$name.in"
    mkfifo "$SD/$name.in"
    PGAPPNAME=$name "$_grant_pgbin/psql" -X -A -t -q -v ON_ERROR_STOP=0 -v VERBOSITY=verbose \
        -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U postgres -d "$LDB" \
        <"$SD/$name.in" >"$SD/$name.out" 2>&1 &
    SPID[$name]=$!
    exec {fd}>"$SD/$name.in"
    SFD[$name]=$fd
    SMARK[$name]=0
}

sess_alive() { kill -0 "${SPID[$1]}" 2>/dev/null; }

# Sends SQL, then the marker that tells it was done.
sess_send() {
    local name=$1 sql=$2
    SMARK[$name]=$((SMARK[$name] + 1))
    sess_alive "$name" || return 0
    printf '%s\n\\warn @@%s@@\n' "$sql" "${SMARK[$name]}" 1>&"${SFD[$name]}" 2>/dev/null || true
}

# Waits up to SECS for the last marker sent; sets LAST to what the step printed.
# Fails when the marker did not come (the session still waits, or psql is gone).
sess_wait() {
    local name=$1 secs=$2 mark=${SMARK[$1]} deadline
    deadline=$(($(now_ms) + secs * 1000))
    while ! grep -q "^@@$mark@@\$" "$SD/$name.out"; do
        if (($(now_ms) > deadline)) || ! sess_alive "$name"; then
            grep -q "^@@$mark@@\$" "$SD/$name.out" && break
            LAST="(no answer after ${secs}s$(sess_alive "$name" || echo '; psql is gone'))"
            return 1
        fi
        sleep 0.02
    done
    LAST=$(awk -v from="@@$((mark - 1))@@" -v to="@@$mark@@" '
        $0 == to { exit } show { print } $0 == from { show = 1 }
        BEGIN { show = (from == "@@0@@") }' "$SD/$name.out")
}

# sess_step NAME SECS SQL: sends, waits; MS is the elapsed time in milliseconds.
sess_step() {
    local t0 rc=0
    t0=$(now_ms)
    sess_send "$1" "$3"
    sess_wait "$1" "$2" || rc=$?
    MS=$(($(now_ms) - t0))
    return $rc
}

sess_close() {
    local name=$1 fd=${SFD[$1]:-}
    [[ -n $fd ]] || return 0
    exec {fd}>&- 2>/dev/null || true
    unset "SFD[$name]"
    wait_until 10 bash -c "! kill -0 ${SPID[$name]} 2>/dev/null" || kill "${SPID[$name]}" 2>/dev/null || true
    wait "${SPID[$name]}" 2>/dev/null || true
}

# --- the frozen node and the backends -------------------------------------------------------

frozen=0
freeze() {
    node_freeze "$FN"
    frozen=1
}
thaw() {
    node_thaw "$FN"
    frozen=0
}

backend_gone() {
    [[ $(tlocal 5 -c "SELECT count(*) FROM pg_stat_activity WHERE pid = $1") == 0 ]]
}

# Waits up to SECS for backend PID to leave pg_stat_activity; MS counts from T0.
wait_backend_gone() {
    local pid=$1 secs=$2 t0=$3 deadline
    deadline=$(($(now_ms) + secs * 1000))
    until backend_gone "$pid"; do
        if (($(now_ms) > deadline)); then
            MS=$(($(now_ms) - t0))
            return 1
        fi
        sleep 0.05
    done
    MS=$(($(now_ms) - t0))
}

# Is a query naming WHAT running on the frozen node (it must be thawed)?
remote_running() {
    [[ $(tremote 5 -c "SELECT count(*) FROM pg_stat_activity
            WHERE state = 'active' AND query LIKE '%$1%' AND pid <> pg_backend_pid()") != 0 ]]
}
remote_idle() { ! remote_running "$1"; }

cleanup() {
    local name fd
    trap - EXIT
    node_thaw "$FN" 2>/dev/null || true
    for name in "${!SFD[@]}"; do
        fd=${SFD[$name]}
        exec {fd}>&- 2>/dev/null || true
    done
    for name in "${!SPID[@]}"; do
        kill "${SPID[$name]}" 2>/dev/null || true
    done
    tremote 20 -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                               WHERE query LIKE '%frz_%' AND pid <> pg_backend_pid()" >/dev/null 2>&1 || true
    tpsql 30 "$GRANT_LOCAL_PORT" postgres -c "DROP DATABASE IF EXISTS $LDB WITH (FORCE)" >/dev/null 2>&1 || true
    tremote 20 -c "DROP TABLE IF EXISTS frz_items; DROP VIEW IF EXISTS frz_sleep30, frz_sleep5" \
        >/dev/null 2>&1 || true
    rm -rf -- "$SD"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# A write to the fifo of a psql that is gone must fail, not kill the scenario.
trap '' PIPE

# --- setup ----------------------------------------------------------------------------------

rm -rf -- "$SD"
mkdir -p "$SD"
tpsql 60 "$GRANT_LOCAL_PORT" postgres -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS $LDB" -c "CREATE DATABASE $LDB"
rpsql "$FN" >/dev/null <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS frz_items;
DROP VIEW IF EXISTS frz_sleep30, frz_sleep5;
CREATE TABLE frz_items (id int PRIMARY KEY, v text);
INSERT INTO frz_items VALUES (1, 'one'), (2, 'two'), (3, 'three');
CREATE VIEW frz_sleep30 AS SELECT pg_sleep(30)::text AS s;
CREATE VIEW frz_sleep5 AS SELECT pg_sleep(5)::text AS s;
GRANT ALL ON frz_items TO grant_test;
GRANT SELECT ON frz_sleep30, frz_sleep5 TO grant_test;
SQL
lpsql >/dev/null <<SQL
CREATE EXTENSION "grant";
SELECT grant_fdw.establish_connection('frz', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$FPORT/app');
CREATE SERVER frz FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'frz');
CREATE FOREIGN TABLE frz_items (id int, v text) SERVER frz;
CREATE FOREIGN TABLE frz_sleep30 (s text) SERVER frz;
CREATE FOREIGN TABLE frz_sleep5 (s text) SERVER frz;
SQL
started=$(lpsql -c "SELECT pg_postmaster_start_time()")
is "the endpoint answers before anything is frozen" "$(tlocal 20 -c "$Q_ROWS")" "$ROWS"

# The freeze is real: every process of the node stops, and a plain connection then hangs.
freeze
main=$(head -n 1 "$GRANT_TEST_DIR/$FN/postmaster.pid")
nproc=$(($(_grant_descendants "$main" | wc -l) + 1))
ok "node_freeze stops all $nproc processes of $FN" _grant_tree_stopped "$main"
t0=$(now_ms)
nok "a plain psql to the frozen $FN gets no answer (killed after 2 s)" \
    tremote 2 -c "SELECT 1"
diag "plain psql to the frozen node: given up after $(($(now_ms) - t0)) ms"
thaw
ok "after node_thaw $FN answers again" tremote 10 -c "SELECT 1"

# --- one case: where the remote freezes x how the statement is ended x transaction mode ------
#   where: connect  the session has no connection to the endpoint yet
#          idle     a first query opened the connection, then the node froze
#          running  the node froze while it ran the query (remote pg_sleep(30))
#   how:   timeout | cancel | terminate
#   mode:  autocommit | transaction

run_case() {
    local where=$1 how=$2 mode=$3 name="frz_${1}_${2}_${3}" label="$1/$2/$3" pid q t0 t_sig hung=0 t_thaw
    sess_open "$name"
    if ! sess_step "$name" 10 "SELECT pg_backend_pid();"; then
        is "$label: the session starts" "$LAST" "a pid"
        sess_close "$name"
        return 0
    fi
    pid=$LAST
    [[ $mode == autocommit ]] || sess_step "$name" 10 "BEGIN;" || true
    if [[ $where != connect ]]; then
        sess_step "$name" 20 "$Q_ROWS" || true
        is "$label: a first query opens the connection" "$LAST" "$ROWS"
    fi
    [[ $how != timeout ]] || sess_step "$name" 10 "SET statement_timeout = '1s';" || true

    if [[ $where == running ]]; then
        q=$Q_SLOW
        t0=$(now_ms)
        sess_send "$name" "$q"
        wait_until 5 remote_running frz_sleep30 || diag "$label: the remote query was not seen running"
        freeze
    else
        q=$Q_ROWS
        freeze
        t0=$(now_ms)
        sess_send "$name" "$q"
    fi

    case $how in
        timeout)
            sess_wait "$name" "$HANG" || hung=1
            MS=$(($(now_ms) - t0))
            like "$label: statement_timeout ends the statement (57014)" "$LAST" \
                "57014: canceling statement due to statement timeout"
            ok "$label: ... within 1 s of its 1 s deadline ($MS ms from the start)" test "$MS" -le 2000
            ;;
        cancel)
            sleep 1
            t_sig=$(now_ms)
            tlocal 5 -c "SELECT pg_cancel_backend($pid)" >/dev/null || true
            sess_wait "$name" "$HANG" || hung=1
            MS=$(($(now_ms) - t_sig))
            like "$label: pg_cancel_backend ends the statement (57014)" "$LAST" \
                "57014: canceling statement due to user request"
            ok "$label: ... within 1 s of the cancel ($MS ms)" test "$MS" -le 1000
            ;;
        terminate)
            sleep 1
            t_sig=$(now_ms)
            tlocal 5 -c "SELECT pg_terminate_backend($pid)" >/dev/null || true
            wait_backend_gone "$pid" "$HANG" "$t_sig" || hung=1
            ok "$label: pg_terminate_backend ends the backend within 1 s ($MS ms)" test "$MS" -le 1000
            ok "$label: ... and the client is told why (57P01)" wait_until 2 \
                grep -q "57P01: terminating connection due to administrator command" "$SD/$name.out"
            ;;
    esac

    if ((hung)); then
        diag "$label: still waiting while frozen: $(tlocal 5 -c "SELECT 'state=' || coalesce(state, '')
            || ' wait_event=' || coalesce(wait_event_type || '/' || wait_event, 'none') FROM pg_stat_activity
            WHERE pid = $pid") wchan=$(cat "/proc/$pid/wchan" 2>/dev/null || true)"
        t_thaw=$(now_ms)
        thaw
        if [[ $how == terminate ]]; then
            wait_backend_gone "$pid" "$RECOVER" "$t_thaw" || true
            diag "$label: hung while frozen; the backend left $MS ms after SIGCONT"
        else
            sess_wait "$name" "$RECOVER" || true
            diag "$label: hung while frozen; after SIGCONT it ended in $(($(now_ms) - t_thaw)) ms with: $LAST"
        fi
    fi

    if [[ $how != terminate && $mode == transaction ]]; then
        sess_step "$name" 10 "SELECT 1;" || true
        like "$label: the error aborted the transaction (25P02)" "$LAST" "25P02"
        sess_step "$name" 10 "ROLLBACK;" || true
        if ((frozen)); then
            ok "$label: ROLLBACK while still frozen returns within 1 s ($MS ms)" test "$MS" -le 1000
        else
            diag "$label: ROLLBACK while frozen not tried (the statement hung until SIGCONT)"
        fi
    fi
    thaw

    if [[ $how != terminate ]]; then
        sess_step "$name" 30 "$Q_ROWS" || true
        is "$label: after SIGCONT the same session reads the right rows" "$LAST" "$ROWS"
    fi
    is "$label: after SIGCONT a new session reads the right rows" \
        "$(tlocal 30 -c "$Q_ROWS" 2>&1)" "$ROWS"
    sess_close "$name"
}

for where in connect idle running; do
    for mode in autocommit transaction; do
        for how in timeout cancel terminate; do
            run_case "$where" "$how" "$mode"
        done
    done
done

# --- a live, slow remote: statement_timeout cancels the remote query for real ----------------

slow_case() {
    local mode=$1 name="frz_slow_$1" label="slow/$1"
    sess_open "$name"
    [[ $mode == autocommit ]] || sess_step "$name" 10 "BEGIN;" || true
    sess_step "$name" 10 "SET statement_timeout = '500ms';" || true
    sess_step "$name" 10 "SELECT s FROM frz_sleep5;" || true
    like "$label: a remote pg_sleep(5) under statement_timeout 500ms fails with 57014" "$LAST" \
        "57014: canceling statement due to statement timeout"
    ok "$label: ... within 1.5 s ($MS ms)" test "$MS" -le 1500
    ok "$label: the remote query was cancelled (no active pg_sleep on $FN within 1 s)" \
        wait_until 1 remote_idle frz_sleep5
    if [[ $mode == transaction ]]; then
        sess_step "$name" 10 "SELECT 1;" || true
        like "$label: the error aborted the transaction (25P02)" "$LAST" "25P02"
        sess_step "$name" 10 "ROLLBACK;" || true
    fi
    sess_step "$name" 10 "$Q_ROWS" || true
    is "$label: the next statement on the same session reads the right rows ($MS ms)" "$LAST" "$ROWS"
    sess_close "$name"
}
slow_case autocommit
slow_case transaction

# --- nothing left behind ----------------------------------------------------------------------

is "the local server did not restart" "$(lpsql -c "SELECT pg_postmaster_start_time()")" "$started"
# Every session of the test is closed: a backend still in the database is stuck.
left_in_db() {
    tpsql 5 "$GRANT_LOCAL_PORT" postgres -c "SELECT pid, application_name, state, wait_event
        FROM pg_stat_activity WHERE datname = '$LDB'" || echo '(pg_stat_activity unreadable)'
}
no_backend_left() { [[ -z $(left_in_db) ]]; }
wait_until 15 no_backend_left || true
is "no backend is left in $LDB once its sessions are closed" "$(left_in_db)" ""
# A remote session dropped while frozen sees its client gone once thawed: no remote
# transaction of the test stays open (a remote pg_sleep(30) may still run out its time).
open_on_remote() {
    tremote 5 -c "SELECT pid, state, left(query, 60) FROM pg_stat_activity
        WHERE usename = 'grant_test' AND state LIKE 'idle in transaction%'" || echo '(unreadable)'
}
no_open_on_remote() { [[ -z $(open_on_remote) ]]; }
wait_until 15 no_open_on_remote || true
is "no remote transaction is left open on $FN" "$(open_on_remote)" ""

finish
