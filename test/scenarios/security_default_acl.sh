#!/usr/bin/env bash
# security_default_acl.sh — default privileges of the installing role do not
# reach grant's objects.
#
# In fresh databases the installing superuser has ALTER DEFAULT PRIVILEGES
# that grant a role `reporter` SELECT on tables (with grant option), every
# privilege on sequences, EXECUTE on functions, USAGE on types and USAGE and
# CREATE on schemas, and that revoke EXECUTE on functions from PUBLIC.
# Globally, set before CREATE EXTENSION, before CREATE EXTENSION at 0.1 or
# 0.2 followed by ALTER EXTENSION UPDATE (where reporter first passes its
# grant on endpoints to another role); or IN SCHEMA grant_fdw: an empty
# superuser's schema with such defaults is refused by CREATE EXTENSION (the
# defaults are an object in it), so they are set on the schema of an
# extension at 0.1 or 0.2 before ALTER EXTENSION UPDATE.  Each time:
# reporter reads no registry table or sequence (42501), holds no privilege on
# any object of the extension nor CREATE on its schema, may call no
# grant_admin function, and still calls the functions and reads the views
# meant for everyone; the privileges of every object are those of a database
# without such defaults, pg_dump dumps no GRANT or REVOKE on them, and a
# dump restores with the same privileges.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

acls_sql=$(cd "$(dirname "$0")/../../sql/include" && pwd)/extension_acls.sql
prefix=grant_scenario_acl
reporter=grant_acl_reporter
reporter2=grant_acl_reporter2
tmp=
dbs=("${prefix}_clean" "${prefix}_dump_control" "${prefix}_restored")
for variant in global in_schema; do
    for from in fresh 0.1 0.2; do
        dbs+=("${prefix}_${variant}_${from/./}")
    done
done

cleanup() {
    local db
    for db in "${dbs[@]}"; do
        LDB=postgres lpsql -c "SET client_min_messages = warning" \
            -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
    LDB=postgres lpsql -c "SET client_min_messages = warning" \
        -c "DROP ROLE IF EXISTS $reporter" -c "DROP ROLE IF EXISTS $reporter2" >/dev/null 2>&1 || true
    [[ -z $tmp ]] || rm -rf -- "$tmp"
}
trap cleanup EXIT
cleanup
tmp=$(mktemp -d)
LDB=postgres lpsql -c "CREATE ROLE $reporter LOGIN" -c "CREATE ROLE $reporter2 LOGIN"

# as_role ROLE DB ARGS...: psql as ROLE on DB of the local server
as_role() {
    local who=$1 db=$2
    shift 2
    "$_grant_pgbin/psql" -X -A -t -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose \
        -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U "$who" -d "$db" "$@"
}

# sqlstate ROLE DB SQL: "ok", or the SQLSTATE of the error SQL raised
sqlstate() {
    local out
    if out=$(as_role "$1" "$2" -c "$3" 2>&1); then
        echo ok
    else
        sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' <<<"$out" | head -n 1
    fi
}

# the privileges on every object of the extension, one line each
listing() {
    LDB=$1 lpsql -c "BEGIN" -f "$acls_sql" -c "SELECT extension_acls()" -c "ROLLBACK"
}

# entries for either reporter role in the ACL of any member or of the schema
reporter_entries() {
    LDB=$1 lpsql -v r1="$reporter" -v r2="$reporter2" <<'SQL'
SELECT count(*)
  FROM pg_depend d
  LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
  LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
  LEFT JOIN pg_type t ON d.classid = 'pg_type'::regclass AND t.oid = d.objid
  LEFT JOIN pg_foreign_data_wrapper w
         ON d.classid = 'pg_foreign_data_wrapper'::regclass AND w.oid = d.objid
  CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, p.proacl, t.typacl, w.fdwacl)) a
 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'grant')
   AND a.grantee IN (:'r1'::regrole, :'r2'::regrole)
UNION ALL
SELECT count(*)
  FROM pg_namespace n, aclexplode(n.nspacl) a
 WHERE n.nspname = 'grant_fdw' AND a.grantee IN (:'r1'::regrole, :'r2'::regrole)
SQL
}

# GRANT or REVOKE statements of pg_dump on grant_fdw's objects
dumped_grants() {
    "$_grant_pgbin/pg_dump" -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" -U postgres -s "$1" |
        grep -cE '^(GRANT|REVOKE) .* ON [A-Z ]+ grant_fdw(\.|;| )' || true
}

hostile_defaults() {
    local db=$1 variant=$2 in=""
    if [[ $variant == in_schema ]]; then
        in="IN SCHEMA grant_fdw"
    fi
    LDB=$db lpsql <<SQL
ALTER DEFAULT PRIVILEGES $in GRANT SELECT ON TABLES TO $reporter WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES $in GRANT ALL ON SEQUENCES TO $reporter;
ALTER DEFAULT PRIVILEGES $in GRANT EXECUTE ON FUNCTIONS TO $reporter;
ALTER DEFAULT PRIVILEGES $in GRANT USAGE ON TYPES TO $reporter;
-- revoking is only global: a schema's defaults only add to the global ones
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
SQL
    if [[ $variant == global ]]; then
        LDB=$db lpsql -c "ALTER DEFAULT PRIVILEGES GRANT USAGE, CREATE ON SCHEMAS TO $reporter"
    fi
}

# the database without hostile defaults: the reference
clean=${prefix}_clean
LDB=postgres lpsql -c "CREATE DATABASE $clean"
LDB=$clean lpsql -c 'CREATE EXTENSION "grant"'
reference=$(listing "$clean")
is "the reference listing covers the members and the schema" "$(($(wc -l <<<"$reference") > 40))" "1"
is "... reporter has nothing there" "$(reporter_entries "$clean" | tr '\n' ' ')" "0 0 "
is "... and pg_dump dumps no GRANT on it" "$(dumped_grants "$clean")" "0"

# a control: the checks see a privilege given to reporter
control=${prefix}_dump_control
LDB=postgres lpsql -c "CREATE DATABASE $control"
LDB=$control lpsql -c 'CREATE EXTENSION "grant"' \
    -c "GRANT SELECT ON grant_fdw.endpoints TO $reporter"
is "control: reporter reads endpoints once granted" \
    "$(sqlstate "$reporter" "$control" "SELECT count(*) FROM grant_fdw.endpoints")" "ok"
is "control: the ACL query counts that grant" "$(reporter_entries "$control" | tr '\n' ' ')" "1 0 "
is "control: pg_dump dumps that grant" "$(dumped_grants "$control")" "1"
nok "control: the listing differs" test "$(listing "$control")" == "$reference"

check_db() {
    local db=$1 label=$2 rel
    for rel in grant_fdw.endpoints grant_fdw.endpoints_id_seq grant_fdw.prepared_xacts; do
        is "$label: reporter may not read $rel" \
            "$(sqlstate "$reporter" "$db" "SELECT count(*) FROM $rel")" "42501"
    done
    is "$label: nor use the sequence" \
        "$(sqlstate "$reporter" "$db" "SELECT nextval('grant_fdw.endpoints_id_seq')")" "42501"
    is "$label: no ACL entry for reporter on any member, nor on the schema" \
        "$(reporter_entries "$db" | tr '\n' ' ')" "0 0 "
    is "$label: reporter may not create in grant_fdw" \
        "$(sqlstate "$reporter" "$db" "CREATE TABLE grant_fdw.planted (x int)")" "42501"
    is "$label: functions meant for everyone work for reporter" \
        "$(as_role "$reporter" "$db" -c "SELECT grant_fdw.quote_identifier('a b', 'mysql'),
                 grant_fdw.quote_literal('x'::text, 'postgresql'), (SELECT count(*) FROM grant_fdw.health())")" \
        '`a b`|'"'x'"'|0'
    is "$label: as do the views and sharding tables" \
        "$(sqlstate "$reporter" "$db" "SELECT (SELECT count(*) FROM grant_fdw.connections)
                 + (SELECT count(*) FROM grant_fdw.stat_endpoints) + (SELECT count(*) FROM grant_fdw.sharding)")" "ok"
    is "$label: establish_connection is refused to reporter" \
        "$(sqlstate "$reporter" "$db" "SELECT grant_fdw.establish_connection('x', NULL, 'postgresql://127.0.0.1:1/x')")" "42501"
    is "$label: execute is refused to reporter" \
        "$(sqlstate "$reporter" "$db" "SELECT grant_fdw.execute('x', 'SELECT 1')")" "42501"
    is "$label: stat_reset and recover_prepared too" \
        "$(sqlstate "$reporter" "$db" "SELECT grant_fdw.stat_reset()"),$(sqlstate "$reporter" "$db" "SELECT * FROM grant_fdw.recover_prepared()")" \
        "42501,42501"
    is "$label: every object has the privileges it has without those defaults" \
        "$(listing "$db")" "$reference"
    is "$label: pg_dump dumps no GRANT or REVOKE on grant_fdw's objects" "$(dumped_grants "$db")" "0"
}

for from in fresh 0.1 0.2; do
    db=${prefix}_global_${from/./}
    label="global defaults, $([[ $from == fresh ]] && echo "CREATE EXTENSION" || echo "from $from")"
    LDB=postgres lpsql -c "CREATE DATABASE $db"
    hostile_defaults "$db" global
    if [[ $from == fresh ]]; then
        LDB=$db lpsql -c 'CREATE EXTENSION "grant"'
    else
        LDB=$db lpsql -c "CREATE EXTENSION \"grant\" VERSION '$from'"
        # the flaw the update closes, and a grant passed on through its grant option
        is "$label: before the update reporter reads endpoints" \
            "$(sqlstate "$reporter" "$db" "SELECT count(*) FROM grant_fdw.endpoints")" "ok"
        as_role "$reporter" "$db" -c "GRANT SELECT ON grant_fdw.endpoints TO $reporter2"
        LDB=$db lpsql -c 'ALTER EXTENSION "grant" UPDATE'
        is "$label: the passed-on grant is gone too" \
            "$(sqlstate "$reporter2" "$db" "SELECT count(*) FROM grant_fdw.endpoints")" "42501"
    fi
    check_db "$db" "$label"
done

db=${prefix}_in_schema_fresh
LDB=postgres lpsql -c "CREATE DATABASE $db"
LDB=$db lpsql -c "CREATE SCHEMA grant_fdw"
hostile_defaults "$db" in_schema
like "in_schema defaults: CREATE EXTENSION refuses the schema that holds them" \
    "$(LDB=$db lpsql -c 'CREATE EXTENSION "grant"' 2>&1 || true)" 'schema "grant_fdw" already exists'

for from in 0.1 0.2; do
    db=${prefix}_in_schema_${from/./}
    label="in_schema defaults, from $from"
    LDB=postgres lpsql -c "CREATE DATABASE $db"
    LDB=$db lpsql -c "CREATE EXTENSION \"grant\" VERSION '$from'"
    hostile_defaults "$db" in_schema
    is "$label: control: the defaults reach a new table in grant_fdw" \
        "$(LDB=$db lpsql -c "CREATE TABLE grant_fdw.probe ()" \
            -c "SELECT has_table_privilege('$reporter', 'grant_fdw.probe', 'SELECT')" \
            -c "DROP TABLE grant_fdw.probe")" "t"
    LDB=$db lpsql -c 'ALTER EXTENSION "grant" UPDATE'
    check_db "$db" "$label"
done

# a dump of a database with IN SCHEMA defaults restores with the same
# privileges: pg_dump's output creates the schema, then the extension, then
# sets the defaults
restored=${prefix}_restored
LDB=postgres lpsql -c "CREATE DATABASE $restored"
ok "pg_dump of the in_schema database" "$_grant_pgbin/pg_dump" -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" \
    -U postgres -Fc -f "$tmp/acl.dump" "${prefix}_in_schema_01"
ok "pg_restore into a fresh database" "$_grant_pgbin/pg_restore" -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" \
    -U postgres --exit-on-error -d "$restored" "$tmp/acl.dump"
is "restored: every object has the reference privileges" "$(listing "$restored")" "$reference"
is "restored: reporter may not read endpoints" \
    "$(sqlstate "$reporter" "$restored" "SELECT count(*) FROM grant_fdw.endpoints")" "42501"

finish
