#!/usr/bin/env bash
# bench/run.sh — grant against postgres_fdw (and against direct access), side by side in one
# run on the real test topology: primary-key lookups with pgbench, a full scan of a
# 1,000,000-row table and a 100,000-row INSERT ... SELECT.  Contenders are interleaved
# (round 1: A B C, round 2: B C A, ...) and the median of the rounds is reported, because a
# shared machine is noisy.
#
#   bash bench/run.sh                 the full run (about 16 minutes)
#   bash bench/run.sh --quick         a short run: fewer rounds, 2 s pgbench
#   bash bench/run.sh -T 20           pgbench seconds per lookup measurement (default 10)
#   bash bench/run.sh --rounds 7      rounds of the scan and INSERT measurements (default 5)
#   bash bench/run.sh --pgbench-rounds 7   rounds of the lookup measurements (default 5)
#   bash bench/run.sh --keep          leave the topology running afterwards, and reuse the
#                                     one a previous --keep run left (recorded in
#                                     /tmp/grant-bench.current) when it still runs
#   bash bench/run.sh --no-build      skip test/setup.sh and the build; use what is installed
#
# The script runs test/setup.sh, builds and installs the extension, starts a throwaway
# topology (test/topology.sh) on its own ports (16432-16437, MariaDB 16306/16307, each
# overridable through the GRANT_*_PORT variables of test/topology.sh) and always stops it
# on exit, unless it reused a running one.  When GRANT_TEST_DIR names a directory holding a
# running topology, that one is reused and left running.  A topology found only through
# /tmp/grant-topology.current is never reused: it may be someone else's test run.
#
# Results go to stdout and to bench/results/latest.md (with every round and the plans).
# Exit status: 0 when every measurement ran (whether targets are met or not), 1 when a
# measurement failed (its error is in the report), 2 on a usage error.
set -euo pipefail

# shellcheck source=../test/as_root.sh
source "$(dirname "$0")/../test/as_root.sh"
grant_become_root bench/run.sh "it installs the extension and starts servers" "$@"

cd "$(dirname "$0")/.."
ROOT=$(pwd -P)
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PGBIN=${GRANT_PGBIN:-/usr/lib/postgresql/15/bin}
RESULTS_DIR=$ROOT/bench/results
KEPT_FILE=/tmp/grant-bench.current
REPORT=$RESULTS_DIR/latest.md

# --- options ----------------------------------------------------------------------------

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
die() {
    echo "bench: error: $*" >&2
    exit 1
}
log() { printf 'bench: %s\n' "$*" >&2; }

quick=0
keep=0
build=1
pgbench_secs=
rounds=
pgbench_rounds=
while (($# > 0)); do
    case $1 in
        --quick) quick=1 ;;
        --keep) keep=1 ;;
        --no-build) build=0 ;;
        -T | --time | --rounds | --pgbench-rounds)
            (($# >= 2)) || {
                echo "bench: $1 needs a value" >&2
                exit 2
            }
            case $1 in
                -T | --time) pgbench_secs=$2 ;;
                --rounds) rounds=$2 ;;
                --pgbench-rounds) pgbench_rounds=$2 ;;
            esac
            shift
            ;;
        -T[0-9]*) pgbench_secs=${1#-T} ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "bench: unknown argument '$1' (see bash bench/run.sh --help)" >&2
            exit 2
            ;;
    esac
    shift
done
if ((quick)); then
    : "${pgbench_secs:=2}" "${rounds:=3}" "${pgbench_rounds:=3}"
else
    : "${pgbench_secs:=10}" "${rounds:=5}" "${pgbench_rounds:=5}"
fi
for v in pgbench_secs rounds pgbench_rounds; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || {
        echo "bench: $v must be a positive integer, not '${!v}'" >&2
        exit 2
    }
done

# Table sizes (the same in --quick: loading them takes a few seconds only).
ACCOUNTS_ROWS=100000
SCAN_ROWS=1000000
INSERT_ROWS=100000
BENCH_DB=grant_bench

# --- topology ---------------------------------------------------------------------------

work=$(mktemp -d /tmp/grant-bench.XXXXXX)
chmod 0755 "$work"
stop_at_exit=0

# shellcheck disable=SC2317  # invoked by the EXIT trap
stop_topology() {
    if ((stop_at_exit)); then
        stop_at_exit=0
        log "stopping the topology in $GRANT_TEST_DIR"
        GRANT_TEST_DIR=$GRANT_TEST_DIR bash test/topology.sh stop >"$work/topology-stop.log" 2>&1 ||
            cat "$work/topology-stop.log" >&2
    fi
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    trap - EXIT
    # pgbench or psql still running after Ctrl-C: they are our children.
    jobs -p | xargs -r kill 2>/dev/null || true
    stop_topology
    rm -rf -- "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# True when the topology in directory $1 has local, writer and reader running.
topology_running() {
    local dir=$1 st
    [[ -f $dir/env ]] || return 1
    st=$(GRANT_TEST_DIR=$dir bash test/topology.sh status 2>/dev/null || true)
    for node in local writer reader; do
        grep -qE "^$node +[0-9]+ +running$" <<<"$st" || return 1
    done
}

setup_and_build() {
    log "test/setup.sh"
    bash test/setup.sh
    log "building and installing the extension"
    if ! make -s >"$work/build.log" 2>&1; then
        cat "$work/build.log" >&2
        die "the build failed (rerun later, or use --no-build to bench what is installed)"
    fi
    if ! make -s install >"$work/install.log" 2>&1; then
        cat "$work/install.log" >&2
        die "make install failed"
    fi
}

reuse_dir=
if [[ -n ${GRANT_TEST_DIR:-} ]] && topology_running "$GRANT_TEST_DIR"; then
    reuse_dir=$GRANT_TEST_DIR
elif ((keep)) && [[ -z ${GRANT_TEST_DIR:-} && -s $KEPT_FILE ]] &&
    topology_running "$(<"$KEPT_FILE")"; then
    reuse_dir=$(<"$KEPT_FILE")
fi

if ((build)); then
    setup_and_build
    build_note="built and installed from this tree"
else
    build_note="not rebuilt (--no-build); installed grant.so of $(date -u -r "$("$PG_CONFIG" --pkglibdir)/grant.so" '+%Y-%m-%d %H:%M UTC' 2>/dev/null || echo '(none)')"
fi
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

if [[ -n $reuse_dir ]]; then
    export GRANT_TEST_DIR=$reuse_dir
    log "reusing the running topology in $GRANT_TEST_DIR (left running)"
else
    # Ports of our own, so that a test run on the default ports can go on meanwhile.
    export GRANT_LOCAL_PORT=${GRANT_LOCAL_PORT:-16432}
    export GRANT_WRITER_PORT=${GRANT_WRITER_PORT:-16433}
    export GRANT_READER_PORT=${GRANT_READER_PORT:-16434}
    export GRANT_READER2_PORT=${GRANT_READER2_PORT:-16437}
    export GRANT_SHARD1_PORT=${GRANT_SHARD1_PORT:-16435}
    export GRANT_SHARD2_PORT=${GRANT_SHARD2_PORT:-16436}
    export GRANT_MYSQL_PORT=${GRANT_MYSQL_PORT:-16306}
    export GRANT_MYSQL_REPLICA_PORT=${GRANT_MYSQL_REPLICA_PORT:-16307}
    if [[ -z ${GRANT_TEST_DIR:-} ]]; then
        GRANT_TEST_DIR=$(mktemp -d /tmp/grant-topology.XXXXXX)
    fi
    export GRANT_TEST_DIR
    log "starting a topology in $GRANT_TEST_DIR (local port $GRANT_LOCAL_PORT)"
    ((keep)) || stop_at_exit=1
    # topology.sh records its directory in /tmp/grant-topology.current; put back what was
    # there, so that a concurrent test run relying on it is not redirected to ours.
    previous_current=$(cat /tmp/grant-topology.current 2>/dev/null || true)
    if ! bash test/topology.sh start >/dev/null 2>"$work/topology.log"; then
        cat "$work/topology.log" >&2
        # topology.sh cleans up after a failed start itself.
        stop_at_exit=0
        die "the topology did not start"
    fi
    if [[ -n $previous_current && $(cat /tmp/grant-topology.current 2>/dev/null || true) == "$GRANT_TEST_DIR" ]]; then
        echo "$previous_current" >/tmp/grant-topology.current
    fi
    if ((keep)); then
        echo "$GRANT_TEST_DIR" >"$KEPT_FILE"
        log "the topology stays up; stop it with: GRANT_TEST_DIR=$GRANT_TEST_DIR bash test/topology.sh stop"
    fi
fi
eval "$(GRANT_TEST_DIR=$GRANT_TEST_DIR bash test/topology.sh env)"
unset PGOPTIONS PGDATABASE PGSERVICE PGPASSWORD

# --- SQL helpers ------------------------------------------------------------------------

# psql on a server: local (database grant_bench) or writer/reader (database app), as the
# postgres role, which every server of the topology trusts on loopback.
q() {
    local node=$1 port db
    shift
    case $node in
        local) port=$GRANT_LOCAL_PORT db=$BENCH_DB ;;
        local0) port=$GRANT_LOCAL_PORT db=postgres ;;
        writer) port=$GRANT_WRITER_PORT db=app ;;
        reader) port=$GRANT_READER_PORT db=app ;;
        s1) port=$GRANT_SHARD1_PORT db=app ;;
        s2) port=$GRANT_SHARD1_PORT db=app2 ;;
        s3) port=$GRANT_SHARD2_PORT db=app ;;
        s4) port=$GRANT_SHARD2_PORT db=app2 ;;
        shard1-pg) port=$GRANT_SHARD1_PORT db=postgres ;;
        shard2-pg) port=$GRANT_SHARD2_PORT db=postgres ;;
        *) die "q: unknown node $node" ;;
    esac
    "$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

# Percent-encodes $1 for the userinfo part of a URL.
urlencode() {
    local s=$1 out='' c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
            [A-Za-z0-9._~-]) out+=$c ;;
            *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}

# Waits until the reader has replayed everything the writer has written so far.
reader_catch_up() {
    local lsn i
    lsn=$(q writer -c 'SELECT pg_current_wal_insert_lsn()')
    for ((i = 0; i < 600; i++)); do
        [[ $(q reader -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn") == t ]] && return 0
        sleep 0.2
    done
    die "the reader did not catch up with the writer within 120 s"
}

# The first ERROR/FATAL lines of a command's output, on one line.
first_error() {
    grep -E 'ERROR|FATAL|error:|aborted|PANIC' "$1" | head -n 3 | tr '\n' ' ' | sed 's/ *$//' ||
        true
}

# --- data -------------------------------------------------------------------------------

# The generators are deterministic, so that the local copy equals the remote table.
scan_rows_sql() {
    cat <<SQL
SELECT i, ((i::bigint * 7919) % 1000003)::int, md5(i::text), i / 7.0,
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second'
  FROM generate_series(1, $SCAN_ROWS) i
SQL
}
insert_rows_sql() {
    cat <<SQL
SELECT i, i % 1000, md5(i::text), i / 3.0,
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second'
  FROM generate_series(1, $INSERT_ROWS) i
SQL
}

log "loading the remote tables on the writer ($ACCOUNTS_ROWS + $SCAN_ROWS rows)"
q writer <<SQL
SET client_min_messages = warning;
SET ROLE grant_test;
DROP TABLE IF EXISTS bench_accounts, bench_scan, bench_insert;
CREATE TABLE bench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84));
INSERT INTO bench_accounts
    SELECT aid, (aid - 1) / 100000 + 1, (aid * 37) % 10000 - 5000, ''
      FROM generate_series(1, $ACCOUNTS_ROWS) aid;
CREATE TABLE bench_scan (id int PRIMARY KEY, a int, b text, c float8, d timestamptz);
INSERT INTO bench_scan $(scan_rows_sql);
CREATE TABLE bench_insert (id int, a int, b text, c float8, d timestamptz)
    WITH (autovacuum_enabled = off);
RESET ROLE;
VACUUM (FREEZE, ANALYZE) bench_accounts, bench_scan, bench_insert;
CHECKPOINT;
SQL

log "setting up the local server (database $BENCH_DB): postgres_fdw, grant, local copy"
q local0 -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)"
q local0 -c "CREATE DATABASE $BENCH_DB"
export BENCH_PW=$GRANT_TEST_PASSWORD
BENCH_PW_URL=$(urlencode "$GRANT_TEST_PASSWORD")
export BENCH_PW_URL
q local <<SQL
\getenv pw BENCH_PW
CREATE EXTENSION postgres_fdw;
CREATE SERVER pf FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '127.0.0.1', port '$GRANT_WRITER_PORT', dbname 'app');
CREATE USER MAPPING FOR postgres SERVER pf OPTIONS (user 'grant_test', password :'pw');
CREATE FOREIGN TABLE pf_accounts (aid int, bid int, abalance int, filler char(84))
    SERVER pf OPTIONS (table_name 'bench_accounts');
CREATE FOREIGN TABLE pf_scan (id int, a int, b text, c float8, d timestamptz)
    SERVER pf OPTIONS (table_name 'bench_scan');
CREATE FOREIGN TABLE pf_insert (id int, a int, b text, c float8, d timestamptz)
    SERVER pf OPTIONS (table_name 'bench_insert');
CREATE FOREIGN TABLE pf_insert_b100 (id int, a int, b text, c float8, d timestamptz)
    SERVER pf OPTIONS (table_name 'bench_insert');
ALTER FOREIGN TABLE pf_insert_b100 OPTIONS (ADD batch_size '100');
CREATE TABLE local_scan (id int PRIMARY KEY, a int, b text, c float8, d timestamptz);
INSERT INTO local_scan $(scan_rows_sql);
VACUUM (FREEZE, ANALYZE) local_scan;
SQL

# grant's part may fail while the extension is young: record why and bench the rest.
grant_ok=1
grant_setup_error=
if ! q local >"$work/grant-setup.log" 2>&1 <<SQL; then
\getenv pwurl BENCH_PW_URL
CREATE EXTENSION "grant";
SELECT grant_fdw.establish_connection('bench', 'postgresql',
    'postgresql://grant_test:' || :'pwurl' || '@127.0.0.1:$GRANT_WRITER_PORT/app');
SELECT grant_fdw.establish_connection('bench', 'postgresql',
    'postgresql://grant_test:' || :'pwurl' || '@127.0.0.1:$GRANT_READER_PORT/app',
    role => 'reading');
CREATE SERVER g FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'bench');
CREATE FOREIGN TABLE g_accounts (aid int, bid int, abalance int, filler char(84))
    SERVER g OPTIONS (table_name 'bench_accounts');
CREATE FOREIGN TABLE g_scan (id int, a int, b text, c float8, d timestamptz)
    SERVER g OPTIONS (table_name 'bench_scan');
CREATE FOREIGN TABLE g_insert (id int, a int, b text, c float8, d timestamptz)
    SERVER g OPTIONS (table_name 'bench_insert');
SQL
    grant_ok=0
    grant_setup_error="grant setup failed: $(first_error "$work/grant-setup.log")"
    log "$grant_setup_error"
fi

reader_catch_up

# --- plans ------------------------------------------------------------------------------

lookup_sql() { echo "SELECT abalance FROM $1 WHERE aid = 4242"; }
# Every row and every column must come back: the aggregate sits above an OFFSET 0
# subquery, so no FDW can push it down, and it reads all five columns.
scan_sql() {
    echo "SELECT count(id) AS n, count(a) AS na, count(b) AS nb, count(c) AS nc, count(d) AS nd FROM (SELECT * FROM $1 OFFSET 0) s"
}

plans=$work/plans.txt
plan_warnings=()
: >"$plans"

explain() {
    local title=$1 opts=$2 sql=$3 out=$work/explain.out
    {
        echo "-- $title"
        echo "$sql;"
    } >>"$plans"
    if PGOPTIONS=$opts q local -c "EXPLAIN (VERBOSE, COSTS OFF) $sql" >"$out" 2>&1; then
        cat "$out" >>"$plans"
    else
        echo "(failed) $(first_error "$out")" >>"$plans"
    fi
    echo >>"$plans"
    cp "$out" "$work/last-plan"
}

# Warns unless the plan in $work/last-plan scans all 5 columns and aggregates locally.
check_scan_plan() {
    local who=$1 f=$work/last-plan
    if grep -qE 'ERROR|FATAL' "$f"; then
        plan_warnings+=("$who: EXPLAIN failed: $(first_error "$f")")
    elif grep -qiE 'Relations: Aggregate|count\(' <(grep -i 'Remote SQL' "$f"; grep 'Relations' "$f"); then
        plan_warnings+=("$who: the aggregate was pushed down; the scan figure is not comparable")
    elif ! grep -qE 'Output: [a-z_]+\.id, [a-z_]+\.a, [a-z_]+\.b, [a-z_]+\.c, [a-z_]+\.d$' "$f"; then
        plan_warnings+=("$who: the foreign scan does not output all five columns")
    fi
}

explain "lookup, postgres_fdw" "" "$(lookup_sql pf_accounts)"
explain "full scan, local table" "" "$(scan_sql local_scan)"
explain "full scan, postgres_fdw" "" "$(scan_sql pf_scan)"
check_scan_plan postgres_fdw
explain "INSERT, postgres_fdw batch_size 100" "" \
    "INSERT INTO pf_insert_b100 $(insert_rows_sql | tr -s ' \n' ' ')"
if ((grant_ok)); then
    explain "lookup, grant, grant.role=writing" "-c grant.role=writing" \
        "$(lookup_sql g_accounts)"
    explain "lookup, grant, grant.role=reading" "-c grant.role=reading" \
        "$(lookup_sql g_accounts)"
    explain "full scan, grant, grant.role=writing" "-c grant.role=writing" "$(scan_sql g_scan)"
    check_scan_plan grant-writer
    explain "full scan, grant, grant.role=auto (default)" "" "$(scan_sql g_scan)"
    check_scan_plan grant-auto
    explain "INSERT, grant" "" "INSERT INTO g_insert $(insert_rows_sql | tr -s ' \n' ' ')"
fi

# --- measurements -----------------------------------------------------------------------

# Results: RES[key] = space-separated values, one per round; ERR[key] = first error.
declare -A RES=() ERR=()
failures=0

record() { RES[$1]="${RES[$1]:-}${RES[$1]:+ }$2"; }
record_error() {
    local key=$1 msg=$2
    if [[ -z ${ERR[$key]:-} ]]; then
        ERR[$key]=$msg
        log "$key failed: $msg"
        failures=$((failures + 1))
    fi
}

# Runs "$@" once per contender, rotating the starting contender each round.
#   interleave ROUNDS FUNC CONTENDER...
interleave() {
    local n=$1 fn=$2 r i k
    shift 2
    local cs=("$@")
    for ((r = 0; r < n; r++)); do
        for ((i = 0; i < ${#cs[@]}; i++)); do
            k=${cs[(r + i) % ${#cs[@]}]}
            "$fn" "$k" "$r"
        done
    done
}

# 1. primary-key lookups ------------------------------------------------------------------

for t in bench_accounts pf_accounts g_accounts; do
    printf '\\set aid random(1, %d)\nSELECT abalance FROM %s WHERE aid = :aid;\n' \
        "$ACCOUNTS_ROWS" "$t" >"$work/lookup_$t.sql"
done

# lookup_once CONTENDER ROUND [SECONDS]; CONTENDER is MODE:WHO.
# pgbench_once KEY ROUND PGOPTIONS SCRIPT [MODE [PORT [DB [SECONDS]]]]: one single-client
# pgbench run of SCRIPT (by default -M simple on the local server's bench database); records
# its tps under KEY, except in the warm-up round, or the error with the script's statements.
pgbench_once() {
    local key=$1 round=$2 opts=$3 script=$4 mode=${5:-simple} port=${6:-$GRANT_LOCAL_PORT}
    local db=${7:-$BENCH_DB} secs=${8:-$pgbench_secs} out=$work/pgbench.out tps
    if PGOPTIONS=$opts "$PGBIN/pgbench" -n -c 1 -j 1 -T "$secs" -M "$mode" \
        -f "$script" -h 127.0.0.1 -p "$port" -U postgres "$db" >"$out" 2>&1 &&
        ! grep -q 'aborted' "$out"; then
        tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time).*/\1/p' "$out")
        if [[ -z $tps ]]; then
            record_error "$key" "no tps in pgbench's output: $(tail -n 2 "$out" | tr '\n' ' ')"
        elif [[ $round != warmup ]]; then
            record "$key" "$tps"
        fi
    else
        record_error "$key" "$(first_error "$out") [statements: $(grep -v '^[\]' "$script" | tr '\n' ' ')PGOPTIONS='$opts', pgbench -M $mode]"
    fi
    return 0
}
lookup_once() {
    local key=$1 mode who port db table opts=''
    mode=${key%%:*} who=${key#*:}
    case $who in
        direct) port=$GRANT_WRITER_PORT db=app table=bench_accounts ;;
        postgres_fdw) port=$GRANT_LOCAL_PORT db=$BENCH_DB table=pf_accounts ;;
        grant-writer) port=$GRANT_LOCAL_PORT db=$BENCH_DB table=g_accounts opts='-c grant.role=writing' ;;
        grant-reader) port=$GRANT_LOCAL_PORT db=$BENCH_DB table=g_accounts opts='-c grant.role=reading' ;;
    esac
    [[ -n ${ERR[lookup:$key]:-} ]] && return 0
    pgbench_once "lookup:$key" "${2:-}" "$opts" "$work/lookup_$table.sql" "$mode" "$port" "$db" "${3:-}"
}

lookup_contenders=(direct postgres_fdw)
((grant_ok)) && lookup_contenders+=(grant-writer grant-reader)

for mode in simple prepared; do
    ks=()
    for c in "${lookup_contenders[@]}"; do ks+=("$mode:$c"); done
    log "lookups, -M $mode: warm-up"
    for k in "${ks[@]}"; do lookup_once "$k" warmup 1; done
    log "lookups, -M $mode: $pgbench_rounds rounds x ${#ks[@]} contenders x ${pgbench_secs} s"
    interleave "$pgbench_rounds" lookup_once "${ks[@]}"
done

# 2. full scan ----------------------------------------------------------------------------

# scan_once CONTENDER ROUND: a fresh connection per scan, so that VmHWM (peak RSS of the
# local backend, read from /proc/<pid>/status in the same session) belongs to this scan.
scan_once() {
    local who=$1 table out=$work/scan.out opts='' elapsed rows hwm
    case $who in
        local) table=local_scan ;;
        postgres_fdw) table=pf_scan ;;
        grant-writer) table=g_scan opts='-c grant.role=writing' ;;
        grant-auto) table=g_scan ;;
    esac
    [[ -n ${ERR[scan:$who]:-} ]] && return 0
    if PGOPTIONS=$opts q local >"$out" 2>&1 <<SQL; then
SET jit = off;
SELECT pg_backend_pid() AS pid \gset
SELECT clock_timestamp() AS t0 \gset
$(scan_sql "$table") \gset
SELECT 'elapsed=' || extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
SELECT 'rows=' || :n || ' ' || :na || ' ' || :nb || ' ' || :nc || ' ' || :nd;
SELECT 'hwm=' || (regexp_match(pg_read_file('/proc/' || :pid || '/status'), 'VmHWM:\\s*(\\d+) kB'))[1];
SQL
        elapsed=$(sed -n 's/^elapsed=//p' "$out")
        rows=$(sed -n 's/^rows=//p' "$out")
        hwm=$(sed -n 's/^hwm=//p' "$out")
        if [[ $rows != "$SCAN_ROWS $SCAN_ROWS $SCAN_ROWS $SCAN_ROWS $SCAN_ROWS" ]]; then
            record_error "scan:$who" "wrong counts '$rows' (expected $SCAN_ROWS in each column)"
        elif [[ ${2:-} != warmup ]]; then
            record "scan:$who" "$elapsed"
            record "rss:$who" "$hwm"
        fi
    else
        record_error "scan:$who" "$(first_error "$out") [statement: $(scan_sql "$table"); PGOPTIONS='$opts']"
    fi
    return 0
}

scan_contenders=(local postgres_fdw)
((grant_ok)) && scan_contenders+=(grant-writer grant-auto)
log "full scans: warm-up"
for c in "${scan_contenders[@]}"; do scan_once "$c" warmup; done
log "full scans: $rounds rounds x ${#scan_contenders[@]} contenders"
interleave "$rounds" scan_once "${scan_contenders[@]}"

# 3. INSERT ... SELECT --------------------------------------------------------------------

# insert_once CONTENDER ROUND: the remote target is emptied directly on the writer first;
# the time includes the commit (autocommit statement between two clock readings).
insert_once() {
    local who=$1 node=local table out=$work/insert.out elapsed n
    case $who in
        direct) node=writer table=bench_insert ;;
        postgres_fdw) table=pf_insert ;;
        postgres_fdw-b100) table=pf_insert_b100 ;;
        grant) table=g_insert ;;
    esac
    [[ -n ${ERR[insert:$who]:-} ]] && return 0
    q writer -c 'TRUNCATE bench_insert' -c 'CHECKPOINT' >/dev/null
    if q "$node" >"$out" 2>&1 <<SQL; then
SET jit = off;
SELECT clock_timestamp() AS t0 \gset
INSERT INTO $table $(insert_rows_sql);
SELECT 'elapsed=' || extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
SQL
        elapsed=$(sed -n 's/^elapsed=//p' "$out")
        n=$(q writer -c 'SELECT count(*) FROM bench_insert')
        if [[ $n != "$INSERT_ROWS" ]]; then
            record_error "insert:$who" "the writer holds $n rows after the INSERT, expected $INSERT_ROWS"
        elif [[ ${2:-} != warmup ]]; then
            record "insert:$who" "$elapsed"
        fi
    else
        record_error "insert:$who" "$(first_error "$out") [statement: INSERT INTO $table SELECT ... FROM generate_series(1, $INSERT_ROWS)]"
    fi
    return 0
}

insert_contenders=(direct postgres_fdw postgres_fdw-b100)
((grant_ok)) && insert_contenders+=(grant)
log "INSERT: warm-up"
for c in "${insert_contenders[@]}"; do insert_once "$c" warmup; done
log "INSERT: $rounds rounds x ${#insert_contenders[@]} contenders"
interleave "$rounds" insert_once "${insert_contenders[@]}"
q writer -c 'TRUNCATE bench_insert' >/dev/null

# 4. sharding and read-your-writes ---------------------------------------------------------

# Four shards, two databases on each shard server: bench_accounts split by the shard key
# (aid), and on every shard a view that takes 0.5 s.
shard_setup() {
    local n
    for n in shard1-pg shard2-pg; do
        q "$n" -c 'SET client_min_messages = warning' -c 'DROP DATABASE IF EXISTS app2 WITH (FORCE)'
        q "$n" -c 'CREATE DATABASE app2 OWNER grant_test'
    done
    for n in s1 s2 s3 s4; do
        q "$n" <<SQL
SET client_min_messages = warning;
SET ROLE grant_test;
DROP TABLE IF EXISTS bench_accounts, bench_accounts_alone;
DROP VIEW IF EXISTS slow_half;
CREATE TABLE bench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84));
CREATE VIEW slow_half AS SELECT pg_sleep(0.5)::text AS s;
-- as many rows as the shard holds, for the unsharded lookups on the same four databases
CREATE TABLE bench_accounts_alone (aid int PRIMARY KEY, bid int, abalance int, filler char(84));
INSERT INTO bench_accounts_alone
    SELECT aid, (aid - 1) / 100000 + 1, (aid * 37) % 10000 - 5000, ''
      FROM generate_series(1, $((ACCOUNTS_ROWS / 4))) aid;
SQL
    done
    q local <<SQL
\getenv pwurl BENCH_PW_URL
SELECT grant_fdw.establish_connection('shop', 'postgresql', 'postgresql://grant_test:' || :'pwurl' || '@127.0.0.1:$GRANT_SHARD1_PORT/app', shard => 's1');
SELECT grant_fdw.establish_connection('shop', 'postgresql', 'postgresql://grant_test:' || :'pwurl' || '@127.0.0.1:$GRANT_SHARD1_PORT/app2', shard => 's2');
SELECT grant_fdw.establish_connection('shop', 'postgresql', 'postgresql://grant_test:' || :'pwurl' || '@127.0.0.1:$GRANT_SHARD2_PORT/app', shard => 's3');
SELECT grant_fdw.establish_connection('shop', 'postgresql', 'postgresql://grant_test:' || :'pwurl' || '@127.0.0.1:$GRANT_SHARD2_PORT/app2', shard => 's4');
CREATE SERVER shop FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'shop');
CREATE FOREIGN TABLE gs_accounts (aid int, bid int, abalance int, filler char(84))
    SERVER shop OPTIONS (table_name 'bench_accounts', shard_key 'aid');
CREATE FOREIGN TABLE gs_slow (s text) SERVER shop OPTIONS (table_name 'slow_half');
-- each shard database on its own, unsharded: tables ga1 .. ga4
SELECT grant_fdw.establish_connection('alone' || i, 'postgresql', 'postgresql://grant_test:' || :'pwurl'
         || '@127.0.0.1:' || CASE WHEN i <= 2 THEN '$GRANT_SHARD1_PORT' ELSE '$GRANT_SHARD2_PORT' END
         || CASE WHEN i % 2 = 1 THEN '/app' ELSE '/app2' END)
  FROM generate_series(1, 4) i;
SELECT format('CREATE SERVER alone%s FOREIGN DATA WRAPPER grant_fdw OPTIONS (database %L);'
              'CREATE FOREIGN TABLE ga%s (aid int, bid int, abalance int, filler char(84))'
              ' SERVER alone%s OPTIONS (table_name %L)', i, 'alone' || i, i, i, 'bench_accounts_alone')
  FROM generate_series(1, 4) i \gexec
INSERT INTO gs_accounts
    SELECT aid, (aid - 1) / 100000 + 1, (aid * 37) % 10000 - 5000, ''
      FROM generate_series(1, $ACCOUNTS_ROWS) aid;
-- read-your-writes: a table on the writer (replicated to the reader)
SELECT grant_fdw.execute('bench', 'CREATE TABLE IF NOT EXISTS bench_ryw (id bigint PRIMARY KEY, v int)');
CREATE FOREIGN TABLE g_ryw (id bigint, v int) SERVER g OPTIONS (table_name 'bench_ryw');
SQL
    for n in s1 s2 s3 s4; do
        q "$n" -c 'VACUUM ANALYZE bench_accounts' -c 'VACUUM ANALYZE bench_accounts_alone' >/dev/null
    done
}

sharding_ok=0
if ((grant_ok)); then
    log "sharding: four shards"
    if shard_setup >"$work/shard-setup.log" 2>&1; then
        sharding_ok=1
    else
        record_error "sharding:setup" "$(first_error "$work/shard-setup.log")"
    fi
fi

# fanout_once CONTENDER ROUND: one shard's slow view read directly, or all four through grant
fanout_once() {
    local who=$1 node out=$work/fanout.out elapsed
    case $who in
        one-shard) node=s1 table=slow_half ;;
        grant-fanout) node=local table=gs_slow ;;
    esac
    if q "$node" >"$out" 2>&1 <<SQL; then
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) AS n FROM $table \gset
SELECT 'elapsed=' || extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) || ' n=' || :n;
SQL
        elapsed=$(sed -n 's/^elapsed=\([0-9.]*\) .*/\1/p' "$out")
        [[ ${2:-} != warmup ]] && record "fanout:$who" "$elapsed"
    else
        record_error "fanout:$who" "$(first_error "$out") [statement: SELECT count(*) FROM $table]"
    fi
    return 0
}

printf '\\set aid random(1, %d)\nSELECT abalance FROM gs_accounts WHERE aid = :aid;\n' \
    "$ACCOUNTS_ROWS" >"$work/lookup_gs_accounts.sql"
printf 'SELECT abalance FROM gs_accounts WHERE aid = 4242;\n' >"$work/lookup_gs_fixed.sql"
# the application picks one of four unsharded tables, one per shard database, itself
{
    printf '\\set t random(1, 4)\n\\set aid random(1, %d)\n' "$((ACCOUNTS_ROWS / 4))"
    for i in 1 2 3 4; do
        if ((i == 1)); then printf '\\if :t = 1\n'; else printf '\\elif :t = %d\n' "$i"; fi
        printf 'SELECT abalance FROM ga%d WHERE aid = :aid;\n' "$i"
    done
    printf '\\endif\n'
} >"$work/lookup_ga.sql"
# keyed_once CONTENDER ROUND; CONTENDER is MODE:WHO: the lookup on the unsharded table, the
# sharded one (random keys, or one key), or four unsharded tables on the shards' databases
keyed_once() {
    local key=$1 mode who table
    mode=${key%%:*} who=${key#*:}
    case $who in
        unsharded) table=g_accounts ;;
        unsharded-4) table=ga ;;
        sharded) table=gs_accounts ;;
        sharded-fixed) table=gs_fixed ;;
    esac
    pgbench_once "keyed:$key" "${2:-}" '-c grant.role=writing' "$work/lookup_$table.sql" "$mode"
}

# ryw_once MODE ROUND: a loop of write-then-read (read of the row just written, routed
# with grant.role = auto) with read_your_writes = lsn or off
printf '\\set id random(1, 1000000000)\nINSERT INTO g_ryw VALUES (:id, 1) ON CONFLICT DO NOTHING;\nSELECT v FROM g_ryw WHERE id = :id;\n' \
    >"$work/ryw.sql"
ryw_once() {
    local mode=$1 opts
    case $mode in
        lsn-nowait) opts='-c grant.read_your_writes=lsn -c grant.replica_wait=0' ;;
        *) opts="-c grant.read_your_writes=$mode" ;;
    esac
    pgbench_once "ryw:$mode" "${2:-}" "$opts" "$work/ryw.sql"
}

if ((sharding_ok)); then
    log "fan-out: warm-up"
    fanout_once one-shard warmup
    fanout_once grant-fanout warmup
    log "fan-out: $rounds rounds"
    interleave "$rounds" fanout_once one-shard grant-fanout
    for mode in simple prepared; do
        ks=()
        for c in unsharded unsharded-4 sharded sharded-fixed; do ks+=("$mode:$c"); done
        log "key-routed lookups, -M $mode: $pgbench_rounds rounds x ${#ks[@]} x ${pgbench_secs} s"
        for k in "${ks[@]}"; do keyed_once "$k" warmup; done
        interleave "$pgbench_rounds" keyed_once "${ks[@]}"
    done
    log "read-your-writes: $pgbench_rounds rounds x 3 x ${pgbench_secs} s"
    ryw_once lsn warmup
    ryw_once off warmup
    ryw_once lsn-nowait warmup
    interleave "$pgbench_rounds" ryw_once lsn off lsn-nowait
fi

# 5. MySQL: grant against mysql_fdw on the same MariaDB --------------------------------------

# mariadb client on the topology's MariaDB primary, as root over its socket
my() { mariadb --socket="$GRANT_MYSQL_SOCKET" -u root -N -B app "$@"; }

MY_SCAN_ROWS=$((SCAN_ROWS / 5))
my_setup() {
    my <<SQL
DROP TABLE IF EXISTS bench_accounts, bench_scan, bench_insert;
CREATE TABLE bench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84));
INSERT INTO bench_accounts SELECT s, (s - 1) DIV 100000 + 1, (s * 37) % 10000 - 5000, ''
  FROM (SELECT CAST(seq AS SIGNED) AS s FROM seq_1_to_$ACCOUNTS_ROWS) g;
CREATE TABLE bench_scan (id int PRIMARY KEY, a int, b varchar(40), c double, d datetime);
INSERT INTO bench_scan SELECT s, (s * 7919) % 1000003, md5(s), s / 7.0,
  '2024-01-01 00:00:00' + INTERVAL s SECOND FROM (SELECT CAST(seq AS SIGNED) AS s FROM seq_1_to_$MY_SCAN_ROWS) g;
CREATE TABLE bench_insert (id int PRIMARY KEY, a int, b varchar(40), c double, d datetime);
SQL
    [[ $(my -e 'SELECT count(*) FROM bench_accounts') == "$ACCOUNTS_ROWS" ]] || return 1
    q local <<SQL
\getenv pw BENCH_PW
\getenv pwurl BENCH_PW_URL
CREATE EXTENSION mysql_fdw;
CREATE SERVER mf FOREIGN DATA WRAPPER mysql_fdw OPTIONS (host '127.0.0.1', port '$GRANT_MYSQL_PORT');
CREATE USER MAPPING FOR postgres SERVER mf OPTIONS (username 'grant_test', password :'pw');
CREATE FOREIGN TABLE mf_accounts (aid int, bid int, abalance int, filler char(84))
    SERVER mf OPTIONS (dbname 'app', table_name 'bench_accounts');
CREATE FOREIGN TABLE mf_scan (id int, a int, b text, c float8, d timestamp)
    SERVER mf OPTIONS (dbname 'app', table_name 'bench_scan');
CREATE FOREIGN TABLE mf_insert (id int, a int, b text, c float8, d timestamp)
    SERVER mf OPTIONS (dbname 'app', table_name 'bench_insert');
SELECT grant_fdw.establish_connection('mybench', 'mysql',
    'mysql://grant_test:' || :'pwurl' || '@127.0.0.1:$GRANT_MYSQL_PORT/app');
CREATE SERVER gm FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'mybench');
CREATE FOREIGN TABLE gm_accounts (aid int OPTIONS (key 'true'), bid int, abalance int, filler char(84))
    SERVER gm OPTIONS (table_name 'bench_accounts');
CREATE FOREIGN TABLE gm_scan (id int OPTIONS (key 'true'), a int, b text, c float8, d timestamp)
    SERVER gm OPTIONS (table_name 'bench_scan');
CREATE FOREIGN TABLE gm_insert (id int OPTIONS (key 'true'), a int, b text, c float8, d timestamp)
    SERVER gm OPTIONS (table_name 'bench_insert');
SQL
}

mysql_ok=0
if ((grant_ok)); then
    log "MySQL: loading MariaDB ($ACCOUNTS_ROWS + $MY_SCAN_ROWS rows), mysql_fdw and grant"
    if my_setup >"$work/my-setup.log" 2>&1; then
        mysql_ok=1
    else
        record_error "mysql:setup" "$(first_error "$work/my-setup.log")"
    fi
fi

for t in mf_accounts gm_accounts; do
    printf '\\set aid random(1, %d)\nSELECT abalance FROM %s WHERE aid = :aid;\n' \
        "$ACCOUNTS_ROWS" "$t" >"$work/lookup_$t.sql"
done
# my_lookup_once CONTENDER ROUND
my_lookup_once() {
    local who=$1 table
    case $who in
        mysql_fdw) table=mf_accounts ;;
        grant) table=gm_accounts ;;
    esac
    pgbench_once "mylookup:$who" "${2:-}" '-c grant.role=writing' "$work/lookup_$table.sql"
}
# my_scan_once CONTENDER ROUND: every row and column travels
my_scan_once() {
    local who=$1 table out=$work/myscan.out elapsed n
    case $who in
        mysql_fdw) table=mf_scan ;;
        grant) table=gm_scan ;;
    esac
    if PGOPTIONS='-c grant.role=writing' q local >"$out" 2>&1 <<SQL; then
SET jit = off;
SELECT clock_timestamp() AS t0 \gset
SELECT count(id) AS n FROM (SELECT * FROM $table OFFSET 0) s WHERE b IS NOT NULL AND c IS NOT NULL AND d IS NOT NULL AND a IS NOT NULL \gset
SELECT 'elapsed=' || extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) || ' n=' || :n;
SQL
        elapsed=$(sed -n 's/^elapsed=\([0-9.]*\) .*/\1/p' "$out")
        n=$(sed -n 's/^elapsed=[0-9.]* n=//p' "$out")
        if [[ $n != "$MY_SCAN_ROWS" ]]; then
            record_error "myscan:$who" "counted $n rows, expected $MY_SCAN_ROWS"
        elif [[ ${2:-} != warmup ]]; then
            record "myscan:$who" "$elapsed"
        fi
    else
        record_error "myscan:$who" "$(first_error "$out") [statement: SELECT ... FROM $table]"
    fi
    return 0
}
# my_insert_once CONTENDER ROUND: 100,000 rows (mysql_fdw inserts them one by one)
# shellcheck disable=SC2317  # invoked through interleave only
my_insert_once() {
    local who=$1 table out=$work/myinsert.out elapsed n
    case $who in
        mysql_fdw) table=mf_insert ;;
        grant) table=gm_insert ;;
    esac
    my -e 'TRUNCATE bench_insert'
    if q local >"$out" 2>&1 <<SQL; then
SET jit = off;
SELECT clock_timestamp() AS t0 \gset
INSERT INTO $table SELECT i, i % 1000, md5(i::text), i / 3.0,
    timestamp '2024-01-01 00:00:00' + i * interval '1 second' FROM generate_series(1, $INSERT_ROWS) i;
SELECT 'elapsed=' || extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
SQL
        elapsed=$(sed -n 's/^elapsed=//p' "$out")
        n=$(my -e 'SELECT count(*) FROM bench_insert')
        if [[ $n != "$INSERT_ROWS" ]]; then
            record_error "myinsert:$who" "MariaDB holds $n rows after the INSERT, expected $INSERT_ROWS"
        elif [[ ${2:-} != warmup ]]; then
            record "myinsert:$who" "$elapsed"
        fi
    else
        record_error "myinsert:$who" "$(first_error "$out") [statement: INSERT INTO $table SELECT ...]"
    fi
    return 0
}

if ((mysql_ok)); then
    log "MySQL lookups: $pgbench_rounds rounds x 2 x ${pgbench_secs} s"
    my_lookup_once mysql_fdw warmup
    my_lookup_once grant warmup
    interleave "$pgbench_rounds" my_lookup_once mysql_fdw grant
    log "MySQL scans: $rounds rounds"
    my_scan_once mysql_fdw warmup
    my_scan_once grant warmup
    interleave "$rounds" my_scan_once mysql_fdw grant
    log "MySQL INSERT: $rounds rounds"
    interleave "$rounds" my_insert_once mysql_fdw grant
    my -e 'TRUNCATE bench_insert'
fi

# --- report -----------------------------------------------------------------------------

median() {
    [[ -n ${1:-} ]] || return 0
    tr ' ' '\n' <<<"$1" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) printf "%.6f\n", v[(NR + 1) / 2];
              else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
fmt() { [[ -n ${2:-} ]] && LC_ALL=C printf "%.${1}f" "$2" || printf 'n/a'; }
fmt_list() {
    local d=$1 v out=""
    shift
    # shellcheck disable=SC2048,SC2086  # split the space-separated list on purpose
    for v in $*; do out+="${out:+, }$(fmt "$d" "$v")"; done
    printf '%s' "${out:-n/a}"
}
# cell KEY DECIMALS: the median, or the error.
cell() {
    if [[ -n ${ERR[$1]:-} ]]; then printf 'ERROR'; else fmt "$2" "$(median "${RES[$1]:-}")"; fi
}
ratio() { # A B -> A/B, or nothing
    if [[ -n ${1:-} && -n ${2:-} ]]; then
        awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b }'
    fi
}
# paired KEY_A KEY_B: the median of the per-round ratios A/B (the two contenders ran within
# the same round, so a change of the machine's load hits both alike), or nothing.
paired() {
    local -a a b r=()
    local i
    read -r -a a <<<"${RES[$1]:-}"
    read -r -a b <<<"${RES[$2]:-}"
    if [[ -n ${ERR[$1]:-} || -n ${ERR[$2]:-} ]] || ((${#a[@]} == 0 || ${#a[@]} != ${#b[@]})); then
        return 0
    fi
    for ((i = 0; i < ${#a[@]}; i++)); do
        r+=("$(ratio "${a[i]}" "${b[i]}")")
    done
    median "${r[*]}"
}
# ratio_row LABEL KEY_A KEY_B OP TARGET DECIMALS
ratio_row() {
    local p m
    p=$(paired "$2" "$3")
    m=$(ratio "$(median "${RES[$2]:-}")" "$(median "${RES[$3]:-}")")
    echo "| $1 | $(fmt "$6" "$p") | $(fmt "$6" "$m") | $4 $5 | $(verdict "$p" "$4" "$5") |"
}
verdict() { # VALUE OP TARGET -> PASS / MISS / n/a
    [[ -n ${1:-} ]] || {
        printf 'n/a'
        return
    }
    awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == ">=") ? (v >= t) : (v <= t);
        printf ok ? "PASS" : "MISS" }'
}

machine_cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //' || echo unknown)
machine_ram=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
pg_version=$(q local -c 'SELECT version()')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src sql 2>/dev/null || commit+=" (src/ or sql/ modified)"

lookup_name() {
    case $1 in
        direct) echo "direct on the writer" ;;
        postgres_fdw) echo "postgres_fdw" ;;
        grant-writer) echo "grant, grant.role=writing" ;;
        grant-reader) echo "grant, grant.role=reading (reader)" ;;
    esac
}

{
    echo "# grant benchmark"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "- machine: $(nproc) CPUs ($machine_cpu), $machine_ram RAM, load average at the start: $load_start, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- PostgreSQL: $pg_version"
    echo "- grant commit: $commit; $build_note"
    echo "- mode: $( ((quick)) && echo "--quick" || echo "full"): lookups ${pgbench_rounds} rounds x ${pgbench_secs} s per contender and protocol; scan and INSERT $rounds rounds; contenders interleaved, rotating the first one each round; figures are medians"
    echo "- tables: bench_accounts $ACCOUNTS_ROWS rows, bench_scan $SCAN_ROWS rows x 5 columns, INSERT of $INSERT_ROWS rows x 5 columns"
    echo "- all servers on 127.0.0.1 (TCP), started by test/topology.sh (fsync off, shared_buffers 32MB)"
    if ((!grant_ok)); then
        echo
        echo "**grant was not measured**: $grant_setup_error"
    fi
    echo
    echo "## 1. Primary-key lookup (pgbench, 1 client)"
    echo
    echo "\`\\set aid random(1, $ACCOUNTS_ROWS)\` then \`SELECT abalance FROM <table> WHERE aid = :aid;\`"
    echo
    echo "| contender | simple: tps | simple: ms/lookup | prepared: tps | prepared: ms/lookup |"
    echo "|---|---:|---:|---:|---:|"
    for c in direct postgres_fdw grant-writer grant-reader; do
        [[ $c == grant-* ]] && ((!grant_ok)) && continue
        row="| $(lookup_name "$c") "
        for mode in simple prepared; do
            k=lookup:$mode:$c
            m=$(median "${RES[$k]:-}")
            if [[ -n ${ERR[$k]:-} ]]; then
                row+="| ERROR | ERROR "
            else
                row+="| $(fmt 1 "$m") | $( [[ -n $m ]] && fmt 3 "$(awk -v t="$m" 'BEGIN { print 1000 / t }')" || echo n/a) "
            fi
        done
        echo "$row|"
    done
    echo
    echo "## 2. Full scan of $SCAN_ROWS rows x 5 columns"
    echo
    echo "\`$(scan_sql '<table>')\` — all rows and columns travel (see the plans below); time from the server's clock, peak RSS = VmHWM of the local backend (fresh connection per scan)."
    echo
    echo "| contender | seconds | peak RSS (MB) |"
    echo "|---|---:|---:|"
    for c in local postgres_fdw grant-writer grant-auto; do
        [[ $c == grant* ]] && ((!grant_ok)) && continue
        case $c in
            local) name="local table" ;;
            postgres_fdw) name="postgres_fdw (fetch_size 100, default), writer" ;;
            grant-writer) name="grant (defaults), grant.role=writing: same server as postgres_fdw" ;;
            grant-auto) name="grant (defaults), grant.role=auto: routed to the reader" ;;
        esac
        rss=$(median "${RES[rss:$c]:-}")
        echo "| $name | $(cell "scan:$c" 3) | $( [[ -n $rss ]] && fmt 1 "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" || echo n/a) |"
    done
    echo
    echo "## 3. INSERT ... SELECT of $INSERT_ROWS rows"
    echo
    echo "| contender | seconds |"
    echo "|---|---:|"
    for c in direct postgres_fdw postgres_fdw-b100 grant; do
        [[ $c == grant ]] && ((!grant_ok)) && continue
        case $c in
            direct) name="direct on the writer" ;;
            postgres_fdw) name="postgres_fdw (batch_size 1, default)" ;;
            postgres_fdw-b100) name="postgres_fdw, batch_size 100" ;;
            grant) name="grant (defaults)" ;;
        esac
        echo "| $name | $(cell "insert:$c" 3) |"
    done
    if ((sharding_ok)); then
        echo
        echo "## 4. Sharding and read-your-writes"
        echo
        echo "| measurement | value |"
        echo "|---|---:|"
        echo "| one shard's 0.5 s view, read directly (s) | $(cell fanout:one-shard 3) |"
        echo "| the same view on 4 shards, fanned out by grant (s) | $(cell fanout:grant-fanout 3) |"
        for mode in simple prepared; do
            echo "| key-routed lookup on a 4-shard table, -M $mode (tps) | $(cell "keyed:$mode:sharded" 1) |"
            echo "| the same lookup on four unsharded tables, one per shard database, the client picking one (tps) | $(cell "keyed:$mode:unsharded-4" 1) |"
            echo "| the same lookup on one unsharded table (tps) | $(cell "keyed:$mode:unsharded" 1) |"
            echo "| key-routed lookup of one fixed key: routing alone, one remote backend (tps) | $(cell "keyed:$mode:sharded-fixed" 1) |"
        done
        echo "| write-then-read loop, read_your_writes = lsn (tps) | $(cell ryw:lsn 1) |"
        echo "| the same loop, read_your_writes = off (tps) | $(cell ryw:off 1) |"
        echo "| the same loop, lsn with replica_wait = 0 (tps) | $(cell ryw:lsn-nowait 1) |"
    fi
    if ((mysql_ok)); then
        echo
        echo "## 5. MySQL (MariaDB): grant against mysql_fdw"
        echo
        echo "| measurement | mysql_fdw | grant |"
        echo "|---|---:|---:|"
        echo "| primary-key lookup, pgbench 1 client (tps) | $(cell mylookup:mysql_fdw 1) | $(cell mylookup:grant 1) |"
        echo "| full scan of $MY_SCAN_ROWS rows x 5 columns (s) | $(cell myscan:mysql_fdw 3) | $(cell myscan:grant 3) |"
        echo "| INSERT ... SELECT of $INSERT_ROWS rows (s) | $(cell myinsert:mysql_fdw 3) | $(cell myinsert:grant 3) |"
    fi
    echo
    echo "## Ratios and targets"
    echo
    echo "Value: the median of the per-round ratios (both contenders run within the same round, so a"
    echo "change of the machine's load hits both alike); the ratio of the medians is shown beside it."
    echo
    echo "| ratio | value | ratio of medians | target | result |"
    echo "|---|---:|---:|---:|---|"
    if ((grant_ok)); then
        ratio_row "lookup tps, grant (writer) / postgres_fdw, -M simple **(primary)**" \
            lookup:simple:grant-writer lookup:simple:postgres_fdw '>=' 2.5 2
        ratio_row "lookup tps, grant (writer) / postgres_fdw, -M prepared" \
            lookup:prepared:grant-writer lookup:prepared:postgres_fdw '>=' 2.5 2
        ratio_row "lookup tps, grant reader / grant writer, -M simple **(primary)**" \
            lookup:simple:grant-reader lookup:simple:grant-writer '>=' 0.95 3
        ratio_row "lookup tps, grant reader / grant writer, -M prepared" \
            lookup:prepared:grant-reader lookup:prepared:grant-writer '>=' 0.95 3
        ratio_row "full scan time, grant (writer) / postgres_fdw **(primary)**" \
            scan:grant-writer scan:postgres_fdw '<=' 0.5 3
        ratio_row "full scan time, grant (auto, reader) / postgres_fdw" \
            scan:grant-auto scan:postgres_fdw '<=' 0.5 3
        ratio_row "INSERT time, grant / postgres_fdw batch_size 100" \
            insert:grant insert:postgres_fdw-b100 '<=' 1.0 3
        if ((mysql_ok)); then
            ratio_row "MySQL lookup tps, grant / mysql_fdw" \
                mylookup:grant mylookup:mysql_fdw '>=' 1.0 2
            ratio_row "MySQL full scan time, grant / mysql_fdw" \
                myscan:grant myscan:mysql_fdw '<=' 1.0 3
            ratio_row "MySQL INSERT time, grant / mysql_fdw" \
                myinsert:grant myinsert:mysql_fdw '<=' 1.0 3
        fi
        if ((sharding_ok)); then
            ratio_row "fan-out over 4 shards / one shard's time" \
                fanout:grant-fanout fanout:one-shard '<=' 1.3 3
            for mode in simple prepared; do
                ratio_row "key-routed lookup cost, -M $mode: unsharded tps / sharded tps, both over the same four databases **(primary)**" \
                    "keyed:$mode:unsharded-4" "keyed:$mode:sharded" '<=' 1.1 3
                ratio_row "key-routed lookup cost, -M $mode: one unsharded table (one remote backend) tps / sharded tps (four)" \
                    "keyed:$mode:unsharded" "keyed:$mode:sharded" '<=' 1.1 3
                ratio_row "key routing alone, -M $mode: one unsharded table tps / sharded tps of one key (one remote backend each)" \
                    "keyed:$mode:unsharded" "keyed:$mode:sharded-fixed" '<=' 1.1 3
            done
            ratio_row "write-then-read tps, read_your_writes lsn / off (its cost, default replica_wait)" \
                ryw:lsn ryw:off '>=' 0.5 3
            ratio_row "write-then-read tps, lsn with replica_wait 0 / off" \
                ryw:lsn-nowait ryw:off '>=' 0.5 3
        fi
    else
        echo "| (grant not measured) | n/a | n/a | | |"
    fi
    echo
    echo "For reference: postgres_fdw / direct lookup latency $(fmt 2 "$(ratio "$(median "${RES[lookup:simple:direct]:-}")" "$(median "${RES[lookup:simple:postgres_fdw]:-}")")")x, postgres_fdw / local scan time $(fmt 2 "$(ratio "$(median "${RES[scan:postgres_fdw]:-}")" "$(median "${RES[scan:local]:-}")")")x."
    if ((${#ERR[@]} > 0)) || ((${#plan_warnings[@]} > 0)); then
        echo
        echo "## Errors and warnings"
        echo
        for k in $(printf '%s\n' "${!ERR[@]}" | sort); do
            echo "- \`$k\`: ${ERR[$k]}"
        done
        for w in "${plan_warnings[@]}"; do
            echo "- plan: $w"
        done
    fi
    echo
    echo "## Every round"
    echo
    echo "| measurement | unit | rounds |"
    echo "|---|---|---|"
    for k in $(printf '%s\n' "${!RES[@]}" | sort); do
        case $k in
            lookup:* | keyed:* | ryw:* | mylookup:*) unit=tps d=1 ;;
            rss:*) unit="VmHWM kB" d=0 ;;
            *) unit=s d=3 ;;
        esac
        echo "| $k | $unit | $(fmt_list "$d" "${RES[$k]}") |"
    done
    echo
    echo "## Plans (EXPLAIN VERBOSE on the local server)"
    echo
    echo '```'
    cat "$plans"
    echo '```'
} >"$work/report.md"

mkdir -p "$RESULTS_DIR"
cp "$work/report.md" "$REPORT"
echo
# Everything but the plans on stdout.
sed '/^## Plans/,$d' "$work/report.md"
echo "(full report with the plans: $REPORT)"

((failures == 0)) || exit 1
exit 0
