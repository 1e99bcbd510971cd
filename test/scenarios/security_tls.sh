#!/usr/bin/env bash
# security_tls.sh — TLS options pass through to the remote and are honoured.
#
# A CA and a certificate for 127.0.0.1 (and a second, unrelated CA) are made
# with openssl; an extra PostgreSQL server with ssl = on that rejects
# non-TLS connections, and an extra MariaDB with the same certificate and
# an account that REQUIRES SSL, run under the topology directory on free
# ports, and are stopped and removed at the end whatever happens.
#   PostgreSQL: verify-full succeeds with the right CA and fails with the
#   wrong one, fails for a name the certificate does not carry where
#   verify-ca passes; require works without a CA; disable is refused by
#   the server.  The same for a non-superuser, through the registry and
#   through a registry-less server of their own.
#   MariaDB: ssl-mode=VERIFY_IDENTITY with the right CA succeeds, with the
#   wrong one fails; REQUIRED works without a CA; the session's cipher is
#   read back through grant.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

db=grant_scenario_tls
user=grant_tls_user
dir=$GRANT_TEST_DIR/tls
pgdata=$dir/pg
mydata=$dir/my
pw=tls_pw_51c2
pgbin=$_grant_pgbin

free_port() {
    local p
    # below the ephemeral range, where no outgoing connection holds a port
    for ((p = 29000 + RANDOM % 800; p < 30000; p++)); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}
as_pg() { runuser -u postgres -- "$@"; }

cleanup() {
    if [[ -f $pgdata/postmaster.pid ]]; then
        as_pg "$pgbin/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [[ -s $dir/mariadbd.pid ]]; then
        local pid
        pid=$(head -n 1 "$dir/mariadbd.pid")
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    LDB=postgres lpsql -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP ROLE IF EXISTS $user" \
        >/dev/null 2>&1 || true
    [[ -z ${KEEP:-} ]] && rm -rf -- "$dir"
    return 0
}
trap cleanup EXIT
KEEP= cleanup
mkdir -p "$dir"

# --- certificates: a CA, a server certificate for 127.0.0.1, a wrong CA ---
(
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=grant test CA" \
        -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=grant wrong CA" \
        -keyout wrong.key -out wrong.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
        -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName = IP:127.0.0.1\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile server.ext -out server.crt 2>/dev/null
    chmod 600 server.key
)
chown -R postgres: "$dir"
ok "openssl made the certificates" test -s "$dir/server.crt"

# --- a PostgreSQL server with ssl = on that takes TLS connections only ---
pgport=$(free_port)
as_pg "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C -N \
    --no-instructions >"$dir/initdb.log" 2>&1
as_pg tee -a "$pgdata/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $pgport
unix_socket_directories = '$dir'
ssl = on
ssl_cert_file = '$dir/server.crt'
ssl_key_file = '$dir/server.key'
password_encryption = 'scram-sha-256'
fsync = off
lc_messages = 'C'
EOF
as_pg tee "$pgdata/pg_hba.conf" >/dev/null <<'EOF'
local      all  postgres                trust
hostnossl  all  all       127.0.0.1/32  reject
hostssl    all  postgres  127.0.0.1/32  trust
hostssl    all  all       127.0.0.1/32  scram-sha-256
EOF
if ! as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$dir/pg.log" -w start >/dev/null; then
    diag "$(tail -n 20 "$dir/pg.log")"
    exit 1
fi
as_pg "$pgbin/psql" -X -q -h "$dir" -p "$pgport" -U postgres -d postgres -v pw="$pw" <<'SQL'
CREATE ROLE grant_tls LOGIN PASSWORD :'pw';
CREATE VIEW public.tls_info AS
  SELECT s.ssl, s.version FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid();
GRANT SELECT ON public.tls_info TO grant_tls;
SQL
diag "PostgreSQL with TLS on port $pgport"

LDB=postgres lpsql -c "CREATE DATABASE $db" -c "CREATE ROLE $user LOGIN"
LDB=$db lpsql -c 'CREATE EXTENSION "grant"'

pg_url() {   # host mode [rootcert]
    local u="postgresql://grant_tls:$pw@$1:$pgport/postgres?sslmode=$2"
    [[ -n ${3:-} ]] && u+="&sslrootcert=$3"
    echo "$u"
}
register_pg() {   # name url
    LDB=$db lpsql -v url="$2" >/dev/null <<SQL
SELECT grant_fdw.establish_connection('$1', NULL, :'url');
CREATE SERVER $1 FOREIGN DATA WRAPPER grant_fdw OPTIONS (database '$1');
CREATE FOREIGN TABLE $1_info (ssl boolean, version text) SERVER $1 OPTIONS (schema_name 'public', table_name 'tls_info');
GRANT USAGE ON FOREIGN SERVER $1 TO $user;
GRANT SELECT ON $1_info TO $user;
SQL
}
read_info() {   # table [role]
    "$pgbin/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" \
        -U "${2:-postgres}" -d "$db" -c "SELECT ssl FROM $1" 2>&1
}

register_pg pg_full "$(pg_url 127.0.0.1 verify-full "$dir/ca.crt")"
register_pg pg_wrong "$(pg_url 127.0.0.1 verify-full "$dir/wrong.crt")"
register_pg pg_name "$(pg_url localhost verify-full "$dir/ca.crt")"
register_pg pg_ca "$(pg_url localhost verify-ca "$dir/ca.crt")"
register_pg pg_ca_wrong "$(pg_url 127.0.0.1 verify-ca "$dir/wrong.crt")"
register_pg pg_require "$(pg_url 127.0.0.1 require)"
register_pg pg_plain "$(pg_url 127.0.0.1 disable)"

is "verify-full with the right CA connects over TLS" "$(read_info pg_full_info)" "t"
is "... for a non-superuser too" "$(read_info pg_full_info "$user")" "t"
out=$(read_info pg_wrong_info || true)
like "verify-full with the wrong CA fails" "$out" 'could not connect to grant endpoint.*'
like "... because the certificate does not verify" "$out" 'certificate verify failed'
like "... for a non-superuser too" "$(read_info pg_wrong_info "$user" || true)" 'certificate verify failed'
like "verify-full fails for a name the certificate does not carry" \
    "$(read_info pg_name_info || true)" 'does not match host name "localhost"'
is "verify-ca accepts that name: it checks the CA only" "$(read_info pg_ca_info)" "t"
like "verify-ca with the wrong CA fails" "$(read_info pg_ca_wrong_info || true)" 'certificate verify failed'
is "require connects over TLS without a CA" "$(read_info pg_require_info)" "t"
like "disable is refused by a server that takes TLS only" "$(read_info pg_plain_info || true)" \
    'no encryption|pg_hba.conf rejects'

# a registry-less server a non-superuser makes: TLS options are theirs to set
LDB=$db lpsql -c "GRANT USAGE ON FOREIGN DATA WRAPPER grant_fdw TO $user" \
    -c "GRANT CREATE ON SCHEMA public TO $user"
own_server() {   # rootcert
    "$pgbin/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" \
        -U "$user" -d "$db" -v pw="$pw" -v port="$pgport" -v ca="$1" 2>&1 <<'SQL'
SET client_min_messages = warning;
DROP SERVER IF EXISTS mine CASCADE;
CREATE SERVER mine FOREIGN DATA WRAPPER grant_fdw
  OPTIONS (host '127.0.0.1', port :'port', dbname 'postgres', sslmode 'verify-full', sslrootcert :'ca');
CREATE USER MAPPING FOR CURRENT_USER SERVER mine OPTIONS (user 'grant_tls', password :'pw');
CREATE FOREIGN TABLE mine_info (ssl boolean, version text) SERVER mine
  OPTIONS (schema_name 'public', table_name 'tls_info');
SELECT ssl FROM mine_info;
SQL
}
is "a non-superuser's own server verifies with the right CA" "$(own_server "$dir/ca.crt")" "t"
like "... and fails with the wrong one" "$(own_server "$dir/wrong.crt" || true)" 'certificate verify failed'
"$pgbin/psql" -X -q -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U "$user" -d "$db" \
    -c "DROP SERVER IF EXISTS mine CASCADE" >/dev/null 2>&1 || true

# --- MariaDB with the same certificate, an account that requires TLS ---
myport=$(free_port)
mkdir -p "$mydata"
chown postgres: "$mydata"
mariadb-install-db --no-defaults --user=postgres --datadir="$mydata" \
    --auth-root-authentication-method=normal --skip-test-db >"$dir/my.install.log" 2>&1
setsid /usr/sbin/mariadbd --no-defaults --user=postgres --datadir="$mydata" \
    --pid-file="$dir/mariadbd.pid" --socket="$dir/my.sock" --port="$myport" \
    --bind-address=127.0.0.1 --skip-name-resolve --log-error="$dir/my.log" \
    --ssl-ca="$dir/ca.crt" --ssl-cert="$dir/server.crt" --ssl-key="$dir/server.key" \
    --character-set-server=utf8mb4 --innodb-buffer-pool-size=16M --performance-schema=0 \
    </dev/null >>"$dir/my.log" 2>&1 &
my_up() { mariadb-admin --no-defaults -S "$dir/my.sock" -u root --connect-timeout=2 ping; }
if ! wait_until 60 my_up; then
    diag "$(tail -n 20 "$dir/my.log")"
fi
ok "MariaDB with TLS started" my_up
mariadb --no-defaults -S "$dir/my.sock" -u root <<SQL
CREATE DATABASE app;
CREATE USER grant_tls@'127.0.0.1' IDENTIFIED BY '$pw' REQUIRE SSL;
GRANT ALL ON app.* TO grant_tls@'127.0.0.1';
CREATE TABLE app.t (id int PRIMARY KEY);
INSERT INTO app.t VALUES (1);
SQL
diag "MariaDB with TLS on port $myport"

my_url() {   # mode [ca]
    local u="mysql://grant_tls:$pw@127.0.0.1:$myport/app?ssl-mode=$1"
    [[ -n ${2:-} ]] && u+="&ssl-ca=$2"
    echo "$u"
}
register_my() {   # name url
    LDB=$db lpsql -v url="$2" >/dev/null <<SQL
SELECT grant_fdw.establish_connection('$1', NULL, :'url');
CREATE SERVER $1 FOREIGN DATA WRAPPER grant_fdw OPTIONS (database '$1');
CREATE FOREIGN TABLE $1_t (id int) SERVER $1 OPTIONS (table_name 't');
SQL
}
read_my() { LDB=$db lpsql -c "SELECT id FROM $1_t" 2>&1; }
cipher() {
    LDB=$db lpsql -c "SELECT value <> '' FROM grant_fdw.query('$1', \$\$SHOW SESSION STATUS LIKE 'Ssl_cipher'\$\$) AS t(name text, value text)" 2>&1
}
register_my my_full "$(my_url VERIFY_IDENTITY "$dir/ca.crt")"
register_my my_wrong "$(my_url VERIFY_IDENTITY "$dir/wrong.crt")"
register_my my_require "$(my_url REQUIRED)"
register_my my_plain "$(my_url DISABLED)"

is "MariaDB: VERIFY_IDENTITY with the right CA connects" "$(read_my my_full)" "1"
is "... over TLS (the session has a cipher)" "$(cipher my_full)" "t"
like "MariaDB: VERIFY_IDENTITY with the wrong CA fails" "$(read_my my_wrong || true)" \
    'could not connect to grant endpoint'
is "MariaDB: REQUIRED connects without a CA" "$(read_my my_require)" "1"
is "... over TLS" "$(cipher my_require)" "t"
like "MariaDB: DISABLED is refused to an account that requires TLS" "$(read_my my_plain || true)" \
    'could not connect to grant endpoint'

finish
