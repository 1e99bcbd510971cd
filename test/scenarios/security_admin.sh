#!/usr/bin/env bash
# security_admin.sh — registry administration is granted per database, never by one role of
# the whole cluster, and an update from 0.2 keeps the administrators a database had.
#
# Two fresh databases: a role made administrator in one registers, runs execute() and makes
# registry servers there, and is refused all of it in the other; membership in grant_admin
# alone gives nothing in a fresh installation.  A database at 0.2 with a member of
# grant_admin is updated: that member stays administrator there, a role that joins
# grant_admin afterwards does not become one.  A superuser's connection to an endpoint a
# non-superuser registered follows the non-superuser rules, on MariaDB too.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

A=grant_scenario_admin_a
B=grant_scenario_admin_b
C=grant_scenario_admin_c
adm=grant_sa_admin
old=grant_sa_old
late=grant_sa_late
PW=$GRANT_TEST_PASSWORD
WP=$GRANT_WRITER_PORT

cleanup() {
    LDB=postgres lpsql -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS $A WITH (FORCE)" -c "DROP DATABASE IF EXISTS $B WITH (FORCE)" \
        -c "DROP DATABASE IF EXISTS $C WITH (FORCE)" \
        -c "DROP ROLE IF EXISTS $adm" -c "DROP ROLE IF EXISTS $old" -c "DROP ROLE IF EXISTS $late" \
        >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

LDB=postgres lpsql -c "CREATE ROLE $adm LOGIN" -c "CREATE ROLE $old LOGIN" -c "CREATE ROLE $late LOGIN" \
    -c "CREATE DATABASE $A" -c "CREATE DATABASE $B" -c "CREATE DATABASE $C"
for db in $A $B; do
    LDB=$db lpsql -c 'CREATE EXTENSION "grant"' -c "GRANT USAGE ON FOREIGN DATA WRAPPER grant_fdw TO $adm, $old, $late" \
        -c "GRANT CREATE ON SCHEMA public TO $adm, $old, $late"
done
LDB=$A lpsql -c "SELECT grant_fdw.add_registry_admin('$adm')" >/dev/null
# (the role exists once any database installed the extension)
LDB=postgres lpsql -c "GRANT grant_admin TO $old" >/dev/null

as() {
    local who=$1 db=$2
    shift 2
    "$_grant_pgbin/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" \
        -U "$who" -d "$db" "$@"
}
register() {
    as "$1" "$2" -c "SELECT grant_fdw.establish_connection('$3', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$WP/app') > 0"
}
sqlstate() {
    as "$@" -v VERBOSITY=verbose 2>&1 >/dev/null | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -1
}

# --- administrator of A, nothing in B -----------------------------------------------------
is "the administrator of A registers in A" "$(register $adm $A pa)" t
ok "... makes a server for a registry database in A" \
    as $adm $A -c "CREATE SERVER pa FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'pa')"
is "... and runs execute() in A" \
    "$(as $adm $A -c "SELECT grant_fdw.execute('pa', 'SELECT 1')")" 1
is "in B, registration is refused (42501)" \
    "$(sqlstate $adm $B -c "SELECT grant_fdw.establish_connection('pb', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$WP/app')")" 42501
LDB=$B lpsql -c "SELECT grant_fdw.establish_connection('pb', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$WP/app')" >/dev/null
is "in B, execute() with B's stored credentials is refused (42501)" \
    "$(sqlstate $adm $B -c "SELECT grant_fdw.execute('pb', 'SELECT 1')")" 42501
is "in B, query() too" \
    "$(sqlstate $adm $B -c "SELECT * FROM grant_fdw.query('pb', 'SELECT 1') AS t(x int)")" 42501
is "in B, a server for a registry database is refused (42501)" \
    "$(sqlstate $adm $B -c "CREATE SERVER pb FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'pb')")" 42501
is "in B, recover_prepared() is refused (42501)" \
    "$(sqlstate $adm $B -c "SELECT * FROM grant_fdw.recover_prepared()")" 42501

# --- grant_admin means nothing in a fresh installation -----------------------------------
is "a member of grant_admin is refused registration in a fresh installation (A)" \
    "$(sqlstate $old $A -c "SELECT grant_fdw.establish_connection('po', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$WP/app')")" 42501
is "... and in B" \
    "$(sqlstate $old $B -c "SELECT grant_fdw.execute('pb', 'SELECT 1')")" 42501
is "grant_admin holds no privilege on any member of the extension" \
    "$(LDB=$A lpsql -c "SELECT count(*) FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'grant'
        LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
        LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid,
        aclexplode(COALESCE(p.proacl, c.relacl)) a
        WHERE d.deptype = 'e' AND a.grantee = 'grant_admin'::regrole")" 0

# --- removing administration ----------------------------------------------------------------
LDB=$A lpsql -c "SELECT grant_fdw.remove_registry_admin('$adm')" >/dev/null
is "remove_registry_admin(): registration refused again in A" \
    "$(sqlstate $adm $A -c "SELECT grant_fdw.establish_connection('pa2', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$WP/app')")" 42501
is "add_registry_admin() is for superusers (42501)" \
    "$(sqlstate $adm $A -c "SELECT grant_fdw.add_registry_admin('$adm')")" 42501

# --- an update from 0.2 keeps the administrators the database had --------------------------
LDB=$C lpsql -c "CREATE EXTENSION \"grant\" VERSION '0.2'" -c "GRANT USAGE ON FOREIGN DATA WRAPPER grant_fdw TO $old, $late"
is "at 0.2, the member of grant_admin registers" "$(register $old $C pc1)" t
LDB=$C lpsql -c 'ALTER EXTENSION "grant" UPDATE'
is "after the update, the member still registers in that database" "$(register $old $C pc2)" t
LDB=postgres lpsql -c "GRANT grant_admin TO $late" >/dev/null
is "a role that joins grant_admin after the update is no administrator" \
    "$(sqlstate $late $C -c "SELECT grant_fdw.establish_connection('pc3', NULL, 'postgresql://grant_test:$PW@127.0.0.1:$WP/app')")" 42501
is "rows registered before 0.3 have no registered_by; later ones do" \
    "$(LDB=$C lpsql -c "SELECT string_agg(database || '=' || COALESCE(registered_by, '?'), ',' ORDER BY database) FROM grant_fdw.connections")" \
    "pc1=?,pc2=$old"

# --- a superuser on an endpoint a non-superuser chose: MariaDB too --------------------------
LDB=$A lpsql -c "SELECT grant_fdw.add_registry_admin('$adm')" >/dev/null
as $adm $A -c "SELECT grant_fdw.establish_connection('pm', 'mysql', 'mysql://grant_test@127.0.0.1:$GRANT_MYSQL_PORT/app')" \
    -c "CREATE SERVER pm FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'pm')" >/dev/null
is "a superuser's connection to a password-less MariaDB endpoint a non-superuser registered: 2F003" \
    "$(sqlstate postgres $A -c "SELECT grant_fdw.execute('pm', 'DO 1')")" 2F003
LDB=$A lpsql -c "SELECT grant_fdw.establish_connection('pm2', 'mysql', 'mysql://grant_test:$PW@127.0.0.1:$GRANT_MYSQL_PORT/app')" >/dev/null
is "the same endpoint registered by a superuser with a password works" \
    "$(LDB=$A lpsql -c "SELECT grant_fdw.execute('pm2', 'DO 1')")" 0

finish
