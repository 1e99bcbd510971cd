#!/usr/bin/env bash
# security_run_as.sh — the SQL grant runs as another role (the registry owner, the owner of
# grant_fdw.prepared_xacts) or on a superuser's behalf never resolves a name through the
# caller's search_path.
#
# A non-superuser plants an operator evil.=(text, text) whose function makes it a superuser
# when it runs as one (and records that it ran).  A control query proves the trap works.
# Then, with search_path = evil, pg_catalog: two-phase commits over two shards (the records
# in grant_fdw.prepared_xacts are written and deleted as that table's owner), registrations
# and removals by a grant_admin member (run as the registry's owner), and recover_prepared()
# run by a superuser — after each, the role is still no superuser and the trap never ran.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_scenario_run_as
evil=grant_run_as_evil
PW=$GRANT_TEST_PASSWORD
S1=$GRANT_SHARD1_PORT
S2=$GRANT_SHARD2_PORT

cleanup() {
    LDB=postgres lpsql -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS $LDB WITH (FORCE)" -c "DROP ROLE IF EXISTS $evil" \
        >/dev/null 2>&1 || true
    for port in "$S1" "$S2"; do
        spsql "$port" app -c "DROP TABLE IF EXISTS run_as_t" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT
cleanup

for port in "$S1" "$S2"; do
    spsql "$port" app -c "CREATE TABLE run_as_t (id int PRIMARY KEY, v text)" \
        -c "GRANT ALL ON run_as_t TO grant_test"
done

LDB=postgres lpsql -c "CREATE DATABASE $LDB" -c "CREATE ROLE $evil LOGIN"
lpsql -v evil="$evil" -v pw="$PW" -v s1="$S1" -v s2="$S2" <<'SQL' >/dev/null
CREATE EXTENSION "grant";
SELECT grant_fdw.establish_connection('sec', 'postgresql',
  'postgresql://grant_test:' || :'pw' || '@127.0.0.1:' || :'s1' || '/app', shard => 'a');
SELECT grant_fdw.establish_connection('sec', 'postgresql',
  'postgresql://grant_test:' || :'pw' || '@127.0.0.1:' || :'s2' || '/app', shard => 'b');
CREATE SERVER sec FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'sec');
GRANT USAGE ON FOREIGN SERVER sec TO :"evil";
GRANT CREATE ON DATABASE grant_scenario_run_as TO :"evil";
CREATE TABLE public.hits (who text, what text);
GRANT INSERT, SELECT, DELETE ON public.hits TO PUBLIC;
SQL

as_evil() {
    "$_grant_pgbin/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" \
        -U "$evil" -d "$LDB" "$@"
}
is_super() { lpsql -c "SELECT rolsuper FROM pg_roles WHERE rolname = '$evil'"; }
hits() { lpsql -c "SELECT count(*) FROM public.hits"; }
reset_trap() { lpsql -c "ALTER ROLE $evil NOSUPERUSER" -c "DELETE FROM public.hits" >/dev/null; }

# the trap: as a superuser it makes its owner one, and it always says it ran
as_evil -v pw="$PW" <<'SQL'
CREATE SCHEMA evil;
CREATE FUNCTION evil.eq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.hits VALUES (current_user, 'evil.=(text,text)');
  IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r
       WHERE r.rolname OPERATOR(pg_catalog.=) current_user) THEN
    EXECUTE 'ALTER ROLE grant_run_as_evil SUPERUSER';
  END IF;
  RETURN $1 OPERATOR(pg_catalog.=) $2;
END$$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.eq);
CREATE FUNCTION evil.ne(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.hits VALUES (current_user, 'evil.<>(text,text)');
  IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r
       WHERE r.rolname OPERATOR(pg_catalog.=) current_user) THEN
    EXECUTE 'ALTER ROLE grant_run_as_evil SUPERUSER';
  END IF;
  RETURN $1 OPERATOR(pg_catalog.<>) $2;
END$$;
CREATE OPERATOR evil.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.ne);
CREATE USER MAPPING FOR CURRENT_USER SERVER sec OPTIONS (user 'grant_test', password :'pw');
CREATE FOREIGN TABLE evil.run_as_t (id int, v text) SERVER sec OPTIONS (schema_name 'public', table_name 'run_as_t', shard_key 'id');
SQL

# --- control: the trap works when a superuser resolves "=" through that path ------------
lpsql -c "SET search_path = evil, pg_catalog" -c "SELECT 'a'::text = 'a'::text" >/dev/null
is "control: a superuser's '=' under search_path evil, pg_catalog runs the trap" "$(hits)" 1
is "control: ... and the trap makes its owner a superuser" "$(is_super)" t
reset_trap
is "control undone" "$(is_super)/$(hits)" "f/0"

# two keys on different shards
read -r ka kb < <(lpsql -c "SELECT min(g) FILTER (WHERE grant_fdw.shard_for('sec', g) = 'a'),
    min(g) FILTER (WHERE grant_fdw.shard_for('sec', g) = 'b') FROM generate_series(1, 50) g" |
    tr '|' ' ')

# --- two-phase commits: records written and deleted as the table's owner ------------------
# in one session, so that each commit also deletes the records of the one before
stmts=()
for round in 1 2 3; do
    stmts+=(-c "BEGIN" -c "INSERT INTO evil.run_as_t VALUES ($((ka + round * 100)), 'x'), ($((kb + round * 100)), 'y')" -c "COMMIT")
done
as_evil -c "SET search_path = evil, pg_catalog" -c 'SET "grant".two_phase_commit = on' \
    "${stmts[@]}" >/dev/null
# make sure these really were two-shard commits that wrote records
is "the 2PC inserts reached both shards" \
    "$(spsql "$S1" app -c "SELECT count(*) FROM run_as_t")/$(spsql "$S2" app -c "SELECT count(*) FROM run_as_t")" \
    "3/3"
like "two-phase commits left records in grant_fdw.prepared_xacts" \
    "$(lpsql -c "SELECT count(*) FROM grant_fdw.prepared_xacts")" '^[1-9][0-9]*$'
is "after 2PC commits under search_path evil, pg_catalog: still no superuser" "$(is_super)" f
is "... and the trap never ran" "$(hits)" 0
reset_trap

# --- recover_prepared() run by a superuser under that search_path ----------------------------
out=$(lpsql -c "SET search_path = evil, pg_catalog" -c "SELECT count(*) FROM grant_fdw.recover_prepared()")
like "recover_prepared() by a superuser under search_path evil, pg_catalog runs" "$out" '^[0-9]+$'
is "... the records of finished transactions are deleted" \
    "$(lpsql -c "SELECT count(*) FROM grant_fdw.prepared_xacts")" 0
is "... still no superuser" "$(is_super)" f
is "... and the trap never ran" "$(hits)" 0
reset_trap

# --- registration and removal by a registry administrator (run as the registry's owner) ------
lpsql -c "SELECT grant_fdw.add_registry_admin('$evil')" >/dev/null
as_evil -v pw="$PW" -v s1="$S1" <<'SQL' >/dev/null
SET search_path = evil, pg_catalog;
SELECT grant_fdw.establish_connection('sec2', 'postgresql',
  'postgresql://grant_test:' || :'pw' || '@127.0.0.1:' || :'s1' || '/app', shard => 'a');
SELECT grant_fdw.establish_connection('sec2', 'postgresql',
  'postgresql://grant_test:' || :'pw' || '@127.0.0.1:' || :'s1' || '/app', role => 'reading', shard => 'b');
SELECT grant_fdw.remove_connection('sec2', shard => 'b');
SELECT grant_fdw.remove_connection('sec2', url => 'postgresql://127.0.0.1:' || :'s1' || '/app');
SQL
is "establish_connection/remove_connection by a registry administrator under search_path evil: no superuser" \
    "$(is_super)" f
is "... and the trap never ran" "$(hits)" 0
is "... and both registrations were removed" \
    "$(lpsql -c "SELECT count(*) FROM grant_fdw.connections WHERE database = 'sec2'")" 0
reset_trap
# a duplicate is still found (the checks compare with the built-in operators)
as_evil -v pw="$PW" -v s1="$S1" -c "SET search_path = evil, pg_catalog" \
    -c "SELECT grant_fdw.establish_connection('sec3', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$S1/app')" >/dev/null
err=$(as_evil -c "SET search_path = evil, pg_catalog" \
    -c "SELECT grant_fdw.establish_connection('sec3', 'postgresql', 'postgresql://grant_test:$PW@127.0.0.1:$S1/app')" 2>&1 || true)
like "a duplicate registration is refused under that search_path too" "$err" 'already registered'
is "... and the trap never ran" "$(hits)/$(is_super)" "0/f"

finish
