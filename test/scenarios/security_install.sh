#!/usr/bin/env bash
# security_install.sh — CREATE EXTENSION "grant" and its registration
# functions are not hijacked by objects planted beforehand.
#
# A non-superuser plants functions and operators in public that shadow
# built-ins the install script and establish_connection use (each records
# that it ran), and the installing superuser has public and pg_temp before
# pg_catalog in its search_path; a control query proves the traps work,
# and none runs during CREATE EXTENSION, an update from 0.1, or registration.
# Then: a schema grant_fdw planted by that user, or holding an object, or
# open to others' CREATE makes CREATE EXTENSION fail instead of adopting it;
# an empty one owned by a superuser (what pg_dump's output makes) is taken.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

db=grant_scenario_install
evil=grant_install_evil
admin=grant_install_admin

cleanup() {
    LDB=postgres lpsql -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
        -c "DROP ROLE IF EXISTS $evil" -c "DROP ROLE IF EXISTS $admin" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
LDB=postgres lpsql -c "CREATE DATABASE $db" -c "CREATE ROLE $evil LOGIN" \
    -c "CREATE ROLE $admin LOGIN"
LDB=$db lpsql -v evil="$evil" <<'SQL'
CREATE TABLE public.hits (what text);
GRANT INSERT, SELECT ON public.hits TO PUBLIC;
GRANT CREATE ON DATABASE grant_scenario_install TO :"evil";
GRANT CREATE ON SCHEMA public TO :"evil";
SQL

as_user() {
    local who=$1
    shift
    "$_grant_pgbin/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$GRANT_LOCAL_PORT" \
        -U "$who" -d "$db" "$@"
}

# the traps: each shadows a built-in by name and argument types
as_user "$evil" <<'SQL'
CREATE FUNCTION public.trap_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO public.hits VALUES ('=(text,text)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END$$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.trap_eq);
CREATE FUNCTION public.trap_name_eq(name, name) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO public.hits VALUES ('=(name,name)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END$$;
CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = name, FUNCTION = public.trap_name_eq);
CREATE FUNCTION public.trap_ne(text, text) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO public.hits VALUES ('<>(text,text)'); RETURN $1 OPERATOR(pg_catalog.<>) $2; END$$;
CREATE OPERATOR public.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = public.trap_ne);
CREATE FUNCTION public.trap_oid_eq(oid, oid) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO public.hits VALUES ('=(oid,oid)'); RETURN $1 OPERATOR(pg_catalog.=) $2; END$$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = public.trap_oid_eq);
CREATE FUNCTION public.pg_current_xact_id() RETURNS xid8 LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO public.hits VALUES ('pg_current_xact_id'); RETURN pg_catalog.pg_current_xact_id(); END$$;
CREATE FUNCTION public.aclexplode(aclitem[], OUT grantor oid, OUT grantee oid,
  OUT privilege_type text, OUT is_grantable boolean) RETURNS SETOF record LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO public.hits VALUES ('aclexplode'); RETURN QUERY SELECT * FROM pg_catalog.aclexplode($1); END$$;
CREATE FUNCTION public.nextval(regclass) RETURNS bigint LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO public.hits VALUES ('nextval'); RETURN pg_catalog.nextval($1); END$$;
CREATE FUNCTION public.pg_extension_config_dump(regclass, text) RETURNS void LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO public.hits VALUES ('pg_extension_config_dump'); END$$;
CREATE FUNCTION public.array_to_string(anyarray, text) RETURNS text LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO public.hits VALUES ('array_to_string'); RETURN pg_catalog.array_to_string($1, $2); END$$;
CREATE TABLE public.endpoints (id int, password text);
CREATE TABLE public.pg_namespace (oid oid, nspname name, nspowner oid, nspacl aclitem[]);
GRANT ALL ON public.endpoints, public.pg_namespace TO PUBLIC;
SQL
hostile_path="SET search_path = public, pg_temp, pg_catalog"
hits() { LDB=$db lpsql -c "SELECT count(*) FROM public.hits"; }

# a control query: the traps do catch an unqualified reference
LDB=$db lpsql -c "$hostile_path" -c "SELECT 'a'::text = 'b'::text" >/dev/null
is "control: the planted = operator runs for an unqualified comparison" "$(hits)" "1"
LDB=$db lpsql -c "TRUNCATE public.hits"

# the installing superuser, with the hostile search_path and temp objects
install_hostile() {
    LDB=$db lpsql -c "$hostile_path" \
        -c "CREATE TEMP TABLE endpoints (id int)" \
        -c "CREATE FUNCTION pg_temp.registry_invalidate() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN INSERT INTO public.hits VALUES ('pg_temp.registry_invalidate'); RETURN NULL; END\$\$" \
        -c 'CREATE EXTENSION "grant"'
}
ok "CREATE EXTENSION under a hostile search_path" install_hostile
is "no planted object ran during CREATE EXTENSION" "$(hits)" "0"
is "the extension's schema is the superuser's" \
    "$(LDB=$db lpsql -c "SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'grant_fdw'")" "postgres"

# registration, removal and the views under the same search_path, by a
# superuser and by a registry administrator
LDB=$db lpsql -c "SELECT grant_fdw.add_registry_admin('$admin')" >/dev/null
use_registry() {
    local who=$1
    as_user "$who" -v wp="$GRANT_WRITER_PORT" <<SQL
$hostile_path;
CREATE TEMP TABLE endpoints (id int);
SELECT grant_fdw.establish_connection('inst', NULL,
  format('postgresql://grant_test:x@127.0.0.1:%s/app', :'wp'), 'writing', 'sh_$who');
SELECT grant_fdw.establish_connection('inst', 'pg',
  format('host=127.0.0.1 port=%s dbname=postgres user=grant_test password=x', :'wp'), 'reading', 'sh_$who');
SELECT count(*) FROM grant_fdw.connections;
SELECT count(*) FROM grant_fdw.registry_cache('inst');
SELECT grant_fdw.remove_connection('inst', 'reading', 'sh_$who');
SELECT grant_fdw.remove_connection('inst', shard => 'sh_$who',
  url => format('postgresql://127.0.0.1:%s/app', :'wp'));
SQL
}
ok "a superuser registers and removes under a hostile search_path" use_registry postgres
ok "a registry administrator does too" use_registry "$admin"
is "no planted object ran during registration, removal or the views" "$(hits)" "0"
is "the registry is empty again" "$(LDB=$db lpsql -c "SELECT count(*) FROM grant_fdw.endpoints")" "0"
# DROP EXTENSION leaves the schema CREATE EXTENSION made (it is no member)
LDB=$db lpsql -c 'DROP EXTENSION "grant"' -c "DROP SCHEMA grant_fdw"

# an update, each step under the hostile search_path
update_hostile() {
    LDB=$db lpsql -c "$hostile_path" -c "CREATE EXTENSION \"grant\" VERSION '0.1'" &&
        LDB=$db lpsql -c "$hostile_path" -c 'ALTER EXTENSION "grant" UPDATE'
}
ok "CREATE EXTENSION at 0.1, then ALTER EXTENSION UPDATE, under a hostile search_path" update_hostile
is "the update reached the default version" \
    "$(LDB=$db lpsql -c "SELECT extversion = default_version FROM pg_extension JOIN pg_available_extensions ON name = extname WHERE extname = 'grant'")" "t"
is "no planted object ran during the update" "$(hits)" "0"
LDB=$db lpsql -c 'DROP EXTENSION "grant"' -c "DROP SCHEMA grant_fdw"

# --- a schema grant_fdw that exists before CREATE EXTENSION ---
create_ext() { LDB=$db lpsql -c 'CREATE EXTENSION "grant"' 2>&1; }
ext_count() { LDB=$db lpsql -c "SELECT count(*) FROM pg_extension WHERE extname = 'grant'"; }

as_user "$evil" -c "CREATE SCHEMA grant_fdw"
out=$(create_ext || true)
like "a schema planted by a non-superuser is refused" "$out" 'schema "grant_fdw" already exists'
is "... and the extension is not created" "$(ext_count)" "0"
LDB=$db lpsql -c "DROP SCHEMA grant_fdw"

LDB=$db lpsql -c "CREATE SCHEMA grant_fdw" \
    -c "CREATE FUNCTION grant_fdw.connections_hook() RETURNS int LANGUAGE sql AS 'SELECT 1'"
out=$(create_ext || true)
like "a superuser's schema that holds an object is refused" "$out" 'schema "grant_fdw" already exists'
is "... and the extension is not created" "$(ext_count)" "0"
LDB=$db lpsql -c "DROP SCHEMA grant_fdw CASCADE" 2>/dev/null

LDB=$db lpsql -c "CREATE SCHEMA grant_fdw" -c "GRANT CREATE ON SCHEMA grant_fdw TO $evil"
out=$(create_ext || true)
like "a superuser's empty schema others may create in is refused" "$out" 'schema "grant_fdw" already exists'
is "... and the extension is not created" "$(ext_count)" "0"
LDB=$db lpsql -c "DROP SCHEMA grant_fdw"

LDB=$db lpsql -c "CREATE SCHEMA grant_fdw"
ok "an empty schema owned by a superuser (as pg_dump's output makes it) is taken" create_ext
is "... and the extension exists" "$(ext_count)" "1"
is "no planted object ran meanwhile" "$(hits)" "0"

finish
