#!/usr/bin/env bash
# test/topology.sh — the real servers grant is tested against, under one temporary directory.
#
#   test/topology.sh start            create and start everything, print the directory
#   test/topology.sh stop             stop everything, remove the directory
#                                     (kept when GRANT_KEEP_TOPOLOGY=1)
#   test/topology.sh status           one line per server; exit 1 if any is down
#   test/topology.sh env              print the export lines: eval "$(test/topology.sh env)"
#   test/topology.sh node-stop NODE [fast|immediate]
#   test/topology.sh node-start NODE  stop / start one server (for failure scenarios)
#
# Servers (all on 127.0.0.1, ports overridable by the environment):
#   local          PostgreSQL with the extension installed          GRANT_LOCAL_PORT=15432
#   writer         PostgreSQL, remote writer                        GRANT_WRITER_PORT=15433
#   reader         streaming replica of writer (pg_basebackup -R)   GRANT_READER_PORT=15434
#   reader2        a second streaming replica of writer             GRANT_READER2_PORT=15437
#   shard1/shard2  independent PostgreSQL servers                   GRANT_SHARD1_PORT=15435
#                                                                   GRANT_SHARD2_PORT=15436
#   mysql          MariaDB, binlog + GTID                           GRANT_MYSQL_PORT=13306
#   mysql_replica  MariaDB replica of mysql (GTID, read_only)       GRANT_MYSQL_REPLICA_PORT=13307
#
# The directory is $GRANT_TEST_DIR when set, else a fresh /tmp/grant-topology.XXXXXX; its
# path is also written to /tmp/grant-topology.current so that later commands find it.
# PostgreSQL refuses to run as root, so every server runs as the `postgres` OS user.
set -euo pipefail

PGBIN=${GRANT_PGBIN:-/usr/lib/postgresql/15/bin}
MARIADBD=${GRANT_MARIADBD:-/usr/sbin/mariadbd}
CURRENT_FILE=/tmp/grant-topology.current
RUN_AS=postgres
PG_NODES=(local writer reader reader2 shard1 shard2)
MY_NODES=(mysql mysql_replica)
REPL_USER=grant_repl

# shellcheck source=test/nodes.sh
source "$(dirname "${BASH_SOURCE[0]}")/nodes.sh"

log() { printf 'topology: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

as_pg() { runuser -u "$RUN_AS" -- "$@"; }

# --- locating the directory and the settings --------------------------------------------

# Sets DIR to the topology directory of an existing topology, or fails.
find_dir() {
    if [[ -n ${GRANT_TEST_DIR:-} ]]; then
        DIR=$GRANT_TEST_DIR
    elif [[ -s $CURRENT_FILE ]]; then
        DIR=$(<"$CURRENT_FILE")
    else
        return 1
    fi
    [[ -d $DIR ]]
}

# Defaults for every setting, overridable from the environment.
load_defaults() {
    GRANT_LOCAL_PORT=${GRANT_LOCAL_PORT:-15432}
    GRANT_WRITER_PORT=${GRANT_WRITER_PORT:-15433}
    GRANT_READER_PORT=${GRANT_READER_PORT:-15434}
    GRANT_READER2_PORT=${GRANT_READER2_PORT:-15437}
    GRANT_SHARD1_PORT=${GRANT_SHARD1_PORT:-15435}
    GRANT_SHARD2_PORT=${GRANT_SHARD2_PORT:-15436}
    GRANT_MYSQL_PORT=${GRANT_MYSQL_PORT:-13306}
    GRANT_MYSQL_REPLICA_PORT=${GRANT_MYSQL_REPLICA_PORT:-13307}
    GRANT_TEST_PASSWORD=${GRANT_TEST_PASSWORD:-grant_test_secret_7f3a}
}

# Loads the env file of an existing topology (its ports win over the environment).
load_env_file() {
    if [[ -f $DIR/env ]]; then
        # shellcheck disable=SC1091
        source "$DIR/env"
    fi
    load_defaults
}

port_of() {
    grant_node_port "$1" || die "unknown node '$1' (expected one of: ${PG_NODES[*]} ${MY_NODES[*]})"
}

is_pg_node() { [[ " ${PG_NODES[*]} " == *" $1 "* ]]; }
is_my_node() { [[ " ${MY_NODES[*]} " == *" $1 "* ]]; }

port_in_use() {
    # A successful connect means something listens there.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# --- PostgreSQL -------------------------------------------------------------------------

# Runs SQL (stdin) on a PostgreSQL node as the postgres role.
pg_sql() {
    local node=$1 db=$2
    shift 2
    "$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(port_of "$node")" \
        -U postgres -d "$db" "$@"
}

pg_running() {
    [[ -f $DIR/$1/postmaster.pid ]] &&
        as_pg "$PGBIN/pg_ctl" -D "$DIR/$1" status >/dev/null 2>&1
}

pg_wait_ready() {
    local node=$1 port i
    port=$(port_of "$node")
    for ((i = 0; i < 120; i++)); do
        if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
            return 0
        fi
        sleep 0.5
    done
    die "$node (port $port) did not accept connections; see $DIR/log/$node.log"
}

pg_start() {
    local node=$1
    as_pg "$PGBIN/pg_ctl" -D "$DIR/$node" -l "$DIR/log/$node.log" -w -t 60 start >/dev/null ||
        die "$node did not start; see $DIR/log/$node.log"
    pg_wait_ready "$node"
}

pg_stop() {
    local node=$1 mode=${2:-fast} pid
    [[ -f $DIR/$node/postmaster.pid ]] || return 0
    if ! as_pg "$PGBIN/pg_ctl" -D "$DIR/$node" -m "$mode" -w -t 60 stop >/dev/null 2>&1; then
        pid=$(head -n 1 "$DIR/$node/postmaster.pid" 2>/dev/null || true)
        if [[ $pid =~ ^[0-9]+$ ]] && alive "$pid"; then
            log "$node did not stop cleanly; killing postmaster $pid"
            kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid"
        fi
    fi
}

# Settings shared by every PostgreSQL server: small and fast, loopback only.
pg_conf() {
    local node=$1 port=$2
    cat <<EOF

# --- grant test topology: $node ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DIR'
cluster_name = 'grant_$node'
shared_buffers = 32MB
max_connections = 50
max_prepared_transactions = 20
max_wal_senders = 5
max_replication_slots = 5
wal_level = replica
hot_standby = on
hot_standby_feedback = on
fsync = off
full_page_writes = off
password_encryption = 'scram-sha-256'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
lc_messages = 'C'
EOF
}

pg_init() {
    local node=$1 port
    port=$(port_of "$node")
    as_pg "$PGBIN/initdb" -D "$DIR/$node" -U postgres --auth=trust -E UTF8 --locale=C \
        -N --no-instructions >"$DIR/log/$node.initdb.log" 2>&1 ||
        die "initdb for $node failed; see $DIR/log/$node.initdb.log"
    pg_conf "$node" "$port" | as_pg tee -a "$DIR/$node/postgresql.conf" >/dev/null
}

init_local() {
    pg_init local
    as_pg tee "$DIR/local/pg_hba.conf" >/dev/null <<'EOF'
# grant test topology: the local server trusts everything on loopback and the socket.
local   all          all                    trust
host    all          all    127.0.0.1/32    trust
host    replication  all    127.0.0.1/32    trust
EOF
    pg_start local
}

# A remote server: roles grant_test (SCRAM) and grant_trust (trust), database app
# owned by grant_test, and the view public.whoami telling which server answered.
init_remote() {
    local node=$1
    pg_init "$node"
    as_pg tee "$DIR/$node/pg_hba.conf" >/dev/null <<'EOF'
# grant test topology: a remote server.  Order matters: first match wins.
local   all          postgres                  trust
host    replication  postgres     127.0.0.1/32 trust
host    all          postgres     127.0.0.1/32 trust
host    all          grant_trust  127.0.0.1/32 trust
host    all          all          127.0.0.1/32 scram-sha-256
EOF
    pg_start "$node"
    # The password travels through the environment, never on a command line.
    GRANT_TEST_PASSWORD=$GRANT_TEST_PASSWORD pg_sql "$node" postgres <<'SQL'
\getenv pw GRANT_TEST_PASSWORD
SET password_encryption = 'scram-sha-256';
CREATE ROLE grant_test LOGIN PASSWORD :'pw';
CREATE ROLE grant_trust LOGIN;
CREATE DATABASE app OWNER grant_test;
SQL
    pg_sql "$node" app <<'SQL'
CREATE VIEW public.whoami AS
    SELECT current_setting('port')::int AS port,
           pg_is_in_recovery() AS in_recovery,
           current_user::text AS usr;
GRANT SELECT ON public.whoami TO PUBLIC;
SQL
}

# A streaming replica of the writer (reader or reader2), with its own slot.
init_reader() {
    local node=$1 port
    port=$(port_of "$node")
    as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$GRANT_WRITER_PORT" -U postgres \
        -D "$DIR/$node" -R -C -S "grant_$node" -X stream -c fast -N \
        >"$DIR/log/$node.basebackup.log" 2>&1 ||
        die "pg_basebackup of the writer failed; see $DIR/log/$node.basebackup.log"
    # The base backup copied the writer's settings; later lines win.
    as_pg tee -a "$DIR/$node/postgresql.conf" >/dev/null <<EOF

# --- grant test topology: $node (streaming replica of writer) ---
port = $port
cluster_name = 'grant_$node'
hot_standby = on
EOF
    pg_start "$node"
    wait_reader_streaming "$node"
}

# Waits until the writer reports the reader as streaming and the reader has replayed
# everything the writer had written when the wait began.
wait_reader_streaming() {
    local node=$1 lsn i
    lsn=$(pg_sql writer postgres -c 'SELECT pg_current_wal_flush_lsn()')
    for ((i = 0; i < 120; i++)); do
        if [[ $(pg_sql writer postgres -c \
            "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'grant_$node' AND state = 'streaming'") == 1 ]] &&
            [[ $(pg_sql "$node" postgres -c \
                "SELECT pg_is_in_recovery() AND pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn") == t ]]; then
            return 0
        fi
        sleep 0.5
    done
    die "$node is not streaming from writer; see $DIR/log/$node.log"
}

# --- MariaDB ----------------------------------------------------------------------------

my_socket() { echo "$DIR/$1.sock"; }

my_client() {
    local node=$1
    shift
    mariadb --no-defaults -S "$(my_socket "$node")" -u root "$@"
}

my_pid() {
    local f=$DIR/$1/mariadbd.pid
    [[ -s $f ]] && head -n 1 "$f"
}

my_running() {
    local pid
    pid=$(my_pid "$1") || return 1
    alive "$pid"
}

my_start() {
    local node=$1 port server_id extra=() i pid
    port=$(port_of "$node")
    if [[ $node == mysql ]]; then
        server_id=1
    else
        server_id=2
        extra=(--read-only=1 --relay-log=relay-bin)
    fi
    # setsid: the server must not share the caller's process group (nor its Ctrl-C).
    setsid "$MARIADBD" --no-defaults \
        --user="$RUN_AS" \
        --datadir="$DIR/$node/data" \
        --pid-file="$DIR/$node/mariadbd.pid" \
        --socket="$(my_socket "$node")" \
        --port="$port" \
        --bind-address=127.0.0.1 \
        --log-error="$DIR/log/$node.log" \
        --skip-name-resolve \
        --server-id="$server_id" \
        --log-bin=mysql-bin \
        --log-slave-updates=1 \
        --binlog-format=ROW \
        --gtid-strict-mode=1 \
        --character-set-server=utf8mb4 \
        --collation-server=utf8mb4_general_ci \
        --max-connections=50 \
        --innodb-buffer-pool-size=32M \
        --innodb-log-file-size=16M \
        --innodb-flush-log-at-trx-commit=0 \
        --sync-binlog=0 \
        --performance-schema=0 \
        "${extra[@]}" \
        </dev/null >>"$DIR/log/$node.log" 2>&1 &
    pid=$!
    for ((i = 0; i < 120; i++)); do
        alive "$pid" || die "$node exited while starting; see $DIR/log/$node.log"
        if mariadb-admin --no-defaults -S "$(my_socket "$node")" -u root \
            --connect-timeout=2 ping >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.5
    done
    die "$node (port $port) did not accept connections; see $DIR/log/$node.log"
}

my_stop() {
    local node=$1 mode=${2:-fast} pid
    pid=$(my_pid "$node") || return 0
    alive "$pid" || return 0
    if [[ $mode == fast ]]; then
        mariadb-admin --no-defaults -S "$(my_socket "$node")" -u root \
            --connect-timeout=5 shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
        wait_gone "$pid" 60 && return 0
        log "$node did not stop cleanly; killing mariadbd $pid"
    fi
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid"
}

init_mysql_node() {
    local node=$1
    as_pg mkdir -p "$DIR/$node/data"
    mariadb-install-db --no-defaults --user="$RUN_AS" --datadir="$DIR/$node/data" \
        --auth-root-authentication-method=normal --skip-test-db \
        >"$DIR/log/$node.install.log" 2>&1 ||
        die "mariadb-install-db for $node failed; see $DIR/log/$node.install.log"
    my_start "$node"
    # root only over the socket; kept out of the binlog since each node does it itself.
    my_client "$node" <<'SQL'
SET sql_log_bin = 0;
DELETE FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost';
DELETE FROM mysql.global_priv WHERE User = '';
FLUSH PRIVILEGES;
SQL
}

init_mysql() {
    init_mysql_node mysql
    # Written after the binlog starts, so the replica replays it all through GTID.
    # SQL goes through stdin so that the password never appears on a command line.
    local pw
    pw=$(sql_quote_my "$GRANT_TEST_PASSWORD")
    my_client mysql <<SQL
CREATE DATABASE app;
CREATE USER grant_test@'127.0.0.1' IDENTIFIED BY '$pw';
CREATE USER grant_test@'localhost' IDENTIFIED BY '$pw';
GRANT ALL ON app.* TO grant_test@'127.0.0.1';
GRANT ALL ON app.* TO grant_test@'localhost';
GRANT SLAVE MONITOR ON *.* TO grant_test@'127.0.0.1';
GRANT SLAVE MONITOR ON *.* TO grant_test@'localhost';
CREATE USER $REPL_USER@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO $REPL_USER@'127.0.0.1';
SQL
}

init_mysql_replica() {
    init_mysql_node mysql_replica
    local pw
    pw=$(sql_quote_my "$GRANT_TEST_PASSWORD")
    my_client mysql_replica <<SQL
CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$GRANT_MYSQL_PORT,
    MASTER_USER='$REPL_USER', MASTER_PASSWORD='$pw',
    MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
START SLAVE;
SQL
    wait_mysql_replica
}

# Escapes a value for a single-quoted MariaDB string literal.
sql_quote_my() {
    local s=${1//\\/\\\\}
    printf '%s' "${s//\'/\'\'}"
}

# Waits until the replica's threads run and it has applied the primary's whole binlog.
wait_mysql_replica() {
    local pos i io sqlt res
    pos=$(my_client mysql -N -B -e 'SELECT @@gtid_binlog_pos' </dev/null)
    for ((i = 0; i < 120; i++)); do
        io=$(my_client mysql_replica -e 'SHOW SLAVE STATUS\G' </dev/null |
            awk -F': ' '$1 ~ /Slave_IO_Running$/ {print $2}')
        sqlt=$(my_client mysql_replica -e 'SHOW SLAVE STATUS\G' </dev/null |
            awk -F': ' '$1 ~ /Slave_SQL_Running$/ {print $2}')
        if [[ $io == Yes && $sqlt == Yes ]]; then
            res=$(my_client mysql_replica -N -B -e "SELECT MASTER_GTID_WAIT('$pos', 1)" </dev/null)
            [[ $res == 0 ]] && return 0
        fi
        sleep 0.5
    done
    my_client mysql_replica -e 'SHOW SLAVE STATUS\G' </dev/null |
        grep -E 'Running|Error' >&2 || true
    die "mysql_replica is not replicating from mysql; see $DIR/log/mysql_replica.log"
}

# --- common -----------------------------------------------------------------------------

# True while process PID runs.  A zombie counts as gone: its parent may be an init that
# never reaps.
alive() {
    local state
    kill -0 "$1" 2>/dev/null || return 1
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
    [[ -n $state && $state != Z ]]
}

wait_gone() {
    local pid=$1 secs=${2:-30} i
    for ((i = 0; i < secs * 10; i++)); do
        alive "$pid" || return 0
        sleep 0.1
    done
    return 1
}

write_env_file() {
    local v
    {
        echo "# grant test topology — source this file or eval \"\$(test/topology.sh env)\""
        for v in GRANT_TEST_DIR GRANT_LOCAL_PORT GRANT_WRITER_PORT GRANT_READER_PORT \
            GRANT_READER2_PORT GRANT_SHARD1_PORT GRANT_SHARD2_PORT GRANT_MYSQL_PORT GRANT_MYSQL_REPLICA_PORT \
            GRANT_TEST_PASSWORD GRANT_MYSQL_SOCKET GRANT_MYSQL_REPLICA_SOCKET \
            PGHOST PGPORT PGUSER; do
            printf 'export %s=%q\n' "$v" "${!v}"
        done
    } >"$DIR/env"
    chmod 0644 "$DIR/env"
}

# --- commands ---------------------------------------------------------------------------

cmd_start() {
    local v node port
    ((EUID == 0)) || die "run as root (servers are started as the '$RUN_AS' OS user)"
    id "$RUN_AS" >/dev/null 2>&1 || die "OS user '$RUN_AS' does not exist; run test/setup.sh"
    [[ -x $PGBIN/initdb ]] || die "$PGBIN/initdb not found; run test/setup.sh"
    [[ -x $MARIADBD ]] || die "$MARIADBD not found; run test/setup.sh"
    load_defaults

    for v in GRANT_LOCAL_PORT GRANT_WRITER_PORT GRANT_READER_PORT GRANT_READER2_PORT \
        GRANT_SHARD1_PORT GRANT_SHARD2_PORT GRANT_MYSQL_PORT GRANT_MYSQL_REPLICA_PORT; do
        port=${!v}
        [[ $port =~ ^[0-9]+$ ]] || die "$v='$port' is not a port number"
        if port_in_use "$port"; then
            die "port $port ($v) is already in use on 127.0.0.1; stop what listens there or set $v to a free port"
        fi
    done

    if [[ -n ${GRANT_TEST_DIR:-} ]]; then
        DIR=$GRANT_TEST_DIR
        mkdir -p "$DIR"
        [[ -z $(ls -A "$DIR") ]] || die "GRANT_TEST_DIR=$DIR is not empty"
    else
        DIR=$(mktemp -d /tmp/grant-topology.XXXXXX)
    fi
    DIR=$(cd "$DIR" && pwd -P)
    chown "$RUN_AS:" "$DIR"
    chmod 0755 "$DIR"
    as_pg mkdir -p "$DIR/log"
    echo "$DIR" >"$CURRENT_FILE"

    # Read indirectly by write_env_file.
    # shellcheck disable=SC2034
    {
        GRANT_TEST_DIR=$DIR
        GRANT_MYSQL_SOCKET=$(my_socket mysql)
        GRANT_MYSQL_REPLICA_SOCKET=$(my_socket mysql_replica)
        PGHOST=127.0.0.1
        PGPORT=$GRANT_LOCAL_PORT
        PGUSER=postgres
    }
    # Written first so that `stop` finds the ports even if starting fails halfway.
    write_env_file

    # A failure from here on (including die) stops whatever was started.
    trap 'on_start_exit' EXIT

    log "starting in $DIR"
    init_local
    for node in writer shard1 shard2; do
        init_remote "$node"
    done
    init_reader reader
    init_reader reader2
    init_mysql
    init_mysql_replica

    trap - EXIT
    log "ready: local=$GRANT_LOCAL_PORT writer=$GRANT_WRITER_PORT reader=$GRANT_READER_PORT reader2=$GRANT_READER2_PORT" \
        "shard1=$GRANT_SHARD1_PORT shard2=$GRANT_SHARD2_PORT mysql=$GRANT_MYSQL_PORT" \
        "mysql_replica=$GRANT_MYSQL_REPLICA_PORT"
    echo "$DIR"
}

on_start_exit() {
    local rc=$? f
    trap - EXIT
    ((rc != 0)) || return 0
    log "start failed; last lines of the server logs:"
    for f in "$DIR"/log/*.log; do
        # initdb / install logs are named in the error when they matter.
        [[ -s $f && $f != *.initdb.log && $f != *.install.log ]] || continue
        echo "==> $f <==" >&2
        tail -n 10 "$f" >&2
    done
    stop_all
    if [[ ${GRANT_KEEP_TOPOLOGY:-0} != 1 ]]; then
        remove_dir
    else
        log "kept $DIR"
    fi
    exit "$rc"
}

stop_all() {
    local node
    # The replicas first, so that they do not log their primary vanishing.
    for node in mysql_replica mysql; do
        my_stop "$node" || true
    done
    for node in reader reader2 writer shard1 shard2 local; do
        pg_stop "$node" || true
    done
}

remove_dir() {
    rm -rf -- "$DIR"
    if [[ -f $CURRENT_FILE && $(<"$CURRENT_FILE") == "$DIR" ]]; then
        rm -f -- "$CURRENT_FILE"
    fi
}

cmd_stop() {
    if ! find_dir; then
        log "no topology to stop"
        [[ -f $CURRENT_FILE ]] && rm -f -- "$CURRENT_FILE"
        return 0
    fi
    load_env_file
    stop_all
    if [[ ${GRANT_KEEP_TOPOLOGY:-0} == 1 ]]; then
        log "stopped; kept $DIR"
    else
        remove_dir
        log "stopped and removed $DIR"
    fi
}

cmd_status() {
    local node down=0 state
    find_dir || die "no topology found (start one with: test/topology.sh start)"
    load_env_file
    echo "directory $DIR"
    for node in "${PG_NODES[@]}" "${MY_NODES[@]}"; do
        if { is_pg_node "$node" && pg_running "$node"; } ||
            { is_my_node "$node" && my_running "$node"; }; then
            state=running
        else
            state=down
            down=1
        fi
        printf '%-14s %-6s %s\n' "$node" "$(port_of "$node")" "$state"
    done
    return "$down"
}

cmd_env() {
    find_dir || die "no topology found (start one with: test/topology.sh start)"
    [[ -f $DIR/env ]] || die "$DIR/env is missing"
    cat "$DIR/env"
}

cmd_node() {
    local action=$1 node=${2:-} mode=${3:-fast}
    [[ -n $node ]] || die "usage: topology.sh node-$action NODE"
    find_dir || die "no topology found"
    load_env_file
    port_of "$node" >/dev/null
    case $action in
        stop)
            [[ $mode == fast || $mode == immediate ]] || die "mode must be fast or immediate"
            if is_pg_node "$node"; then pg_stop "$node" "$mode"; else my_stop "$node" "$mode"; fi
            ;;
        start)
            if is_pg_node "$node"; then
                pg_running "$node" || pg_start "$node"
            else
                my_running "$node" || my_start "$node"
            fi
            ;;
    esac
}

main() {
    local cmd=${1:-}
    shift || true
    case $cmd in
        start) cmd_start ;;
        stop) cmd_stop ;;
        status) cmd_status ;;
        env) cmd_env ;;
        node-stop) cmd_node stop "$@" ;;
        node-start) cmd_node start "$@" ;;
        *)
            echo "usage: $0 start|stop|status|env|node-stop NODE [fast|immediate]|node-start NODE" >&2
            exit 2
            ;;
    esac
}

main "$@"
