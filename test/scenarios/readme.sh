#!/usr/bin/env bash
# test/scenarios/readme.sh — every ```sql block of README.md and of
# docs/CONNECTION_MIGRATION_GUIDE.md runs, in order, as one psql session with ON_ERROR_STOP
# in a fresh database per file, against the running topology.  The documents are written
# for the topology's default ports and password; they are replaced here by the running
# topology's.  A failing snippet fails the scenario with psql's error.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

PGBIN=${GRANT_PGBIN:-/usr/lib/postgresql/15/bin}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/grant-readme.XXXXXX)
DOCS=(README.md docs/CONNECTION_MIGRATION_GUIDE.md)
# remote objects the documents create (through grant), removed before and after
PG_TABLES="public.users, public.orders"
MY_TABLES="invoices"
ROLES="reporting, app_user, ops_admin"

cleanup_remote() {
    local node
    for node in writer shard1 shard2; do
        rpsql "$node" -c "DROP TABLE IF EXISTS $PG_TABLES" >/dev/null 2>&1 || true
    done
    rmysql -e "DROP TABLE IF EXISTS $MY_TABLES" >/dev/null 2>&1 || true
}
cleanup() {
    local i
    for i in "${!DOCS[@]}"; do
        LDB=postgres lpsql -c "DROP DATABASE IF EXISTS grant_doc$i" >/dev/null 2>&1 || true
    done
    LDB=postgres lpsql -c "DROP ROLE IF EXISTS $ROLES" >/dev/null 2>&1 || true
    cleanup_remote
    rm -rf -- "$work"
}
trap cleanup EXIT
cleanup
mkdir -p "$work"

# the sql blocks of a Markdown file, in order, each preceded by a comment naming its line
extract() {
    awk '
        /^```sql[[:space:]]*$/ { inside = 1; printf "-- %s:%d\n", FILENAME, NR; n++; next }
        /^```/ && inside      { inside = 0; print ""; next }
        inside                { print }
        END                   { if (inside) exit 3 }
    ' "$1"
}

for i in "${!DOCS[@]}"; do
    doc=${DOCS[$i]}
    if [[ ! -f $root/$doc ]]; then
        ok "$doc exists" false
        continue
    fi
    sql=$work/doc$i.sql
    (cd "$root" && extract "$doc") |
        sed -e "s/\\b15433\\b/$GRANT_WRITER_PORT/g" -e "s/\\b15434\\b/$GRANT_READER_PORT/g" \
            -e "s/\\b15435\\b/$GRANT_SHARD1_PORT/g" -e "s/\\b15436\\b/$GRANT_SHARD2_PORT/g" \
            -e "s/\\b13306\\b/$GRANT_MYSQL_PORT/g" -e "s/\\b13307\\b/$GRANT_MYSQL_REPLICA_PORT/g" \
            -e "s/grant_test_secret_7f3a/$GRANT_TEST_PASSWORD/g" >"$sql"
    blocks=$(grep -c "^-- $doc:" "$sql" || true)
    like "$doc has sql blocks" "$blocks" '^[1-9][0-9]*$'

    cleanup_remote
    LDB=postgres lpsql -c "DROP ROLE IF EXISTS $ROLES" >/dev/null 2>&1 || true
    LDB=postgres lpsql -c "CREATE DATABASE grant_doc$i"
    rc=0
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U postgres \
        -d "grant_doc$i" -f "$sql" >"$work/doc$i.out" 2>&1 || rc=$?
    is "every sql block of $doc runs without an error ($blocks blocks)" "$rc" 0
    if ((rc != 0)); then
        diag "$(grep -m 1 -B 2 -A 3 'ERROR' "$work/doc$i.out" || tail -n 5 "$work/doc$i.out")"
    fi
    LDB=postgres lpsql -c "DROP DATABASE grant_doc$i"
done

finish
