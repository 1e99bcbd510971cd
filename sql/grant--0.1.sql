/*
 * grant--0.1.sql: the objects of extension grant, version 0.1, the first
 * released version.  Frozen: a database may hold 0.1, so this file never
 * changes; what a later version adds or changes goes into its upgrade
 * script (grant--0.1--0.2.sql, ...), which CREATE EXTENSION also runs.
 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION \"grant\"" to load this file. \quit

/*
 * ---------------------------------------------------------------------
 * Registry: endpoints, their cache invalidation and administration
 * ---------------------------------------------------------------------
 */

-- CREATE EXTENSION adopts a schema grant_fdw that exists already, whoever
-- owns it and whatever it holds: its owner could later drop and replace
-- any object in it, establish_connection included.  Accept only the schema
-- this very command created (its row is new in this transaction) or, as
-- pg_dump's output creates it before the extension, an empty one owned by
-- a superuser in which nobody else may create objects.  This runs before
-- anything below changes the schema's row.
DO $$
DECLARE
  nsp pg_catalog.oid;
  fresh boolean;
BEGIN
  SELECT n.oid, n.xmin OPERATOR(pg_catalog.=) pg_catalog.pg_current_xact_id()::pg_catalog.xid
    INTO nsp, fresh
    FROM pg_catalog.pg_namespace n
   WHERE n.nspname OPERATOR(pg_catalog.=) 'grant_fdw';
  IF fresh THEN
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n
                   JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
                  WHERE n.oid OPERATOR(pg_catalog.=) nsp AND r.rolsuper)
     OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                 WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
                   AND d.refobjid OPERATOR(pg_catalog.=) nsp
                   AND d.classid OPERATOR(pg_catalog.<>) 'pg_catalog.pg_extension'::pg_catalog.regclass)
     OR EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n,
                       pg_catalog.aclexplode(n.nspacl) a
                 WHERE n.oid OPERATOR(pg_catalog.=) nsp
                   AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner
                   AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE') THEN
    RAISE EXCEPTION USING
      ERRCODE = 'duplicate_schema',
      MESSAGE = 'schema "grant_fdw" already exists',
      DETAIL = 'CREATE EXTENSION "grant" would adopt it with its owner, contents and privileges.',
      HINT = 'Check what the schema holds and who owns it, then drop or rename it before creating the extension.';
  END IF;
END
$$;

-- The schema is created by CREATE EXTENSION without privileges for others;
-- everyone may look up its objects (each object's own privileges still apply).
GRANT USAGE ON SCHEMA grant_fdw TO PUBLIC;

-- Members of grant_admin may register and remove endpoints; superusers can
-- anyway.  Roles are shared by the cluster, so the role outlives the
-- extension and is only created when missing.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                  WHERE r.rolname OPERATOR(pg_catalog.=) 'grant_admin') THEN
    CREATE ROLE grant_admin NOLOGIN;
  END IF;
END
$$;

-- One row per endpoint.  Passwords are stored here and nowhere else; the
-- table is readable only by its owner (and superusers), everyone else
-- reads grant_fdw.connections.  No unique key includes the password, so
-- no constraint error can print it.
CREATE TABLE grant_fdw.endpoints (
  id        serial PRIMARY KEY,
  database  text NOT NULL CHECK (database <> ''),
  adapter   text NOT NULL CHECK (adapter IN ('postgresql', 'mysql')),
  role      text NOT NULL DEFAULT 'writing' CHECK (role IN ('writing', 'reading')),
  shard     text NOT NULL DEFAULT 'default' CHECK (shard <> ''),
  weight    integer NOT NULL DEFAULT 1 CHECK (weight >= 0),
  host      text,
  port      integer CHECK (port BETWEEN 1 AND 65535),
  dbname    text,
  username  text,
  password  text,
  options   text[] NOT NULL DEFAULT '{}'
);

COMMENT ON TABLE grant_fdw.endpoints IS
  'grant endpoints; use grant_fdw.establish_connection() and grant_fdw.remove_connection()';

-- Backstops for the checks establish_connection makes under its lock.
CREATE UNIQUE INDEX endpoints_identity
  ON grant_fdw.endpoints (database, shard, COALESCE(host, ''), COALESCE(port, 0), COALESCE(dbname, ''));
CREATE UNIQUE INDEX endpoints_one_writer
  ON grant_fdw.endpoints (database, shard) WHERE role = 'writing';

SELECT pg_catalog.pg_extension_config_dump('grant_fdw.endpoints', '');
SELECT pg_catalog.pg_extension_config_dump('grant_fdw.endpoints_id_seq', '');

REVOKE ALL ON grant_fdw.endpoints FROM PUBLIC;
REVOKE ALL ON SEQUENCE grant_fdw.endpoints_id_seq FROM PUBLIC;

-- Every change tells each backend's registry cache to reload.
CREATE FUNCTION grant_fdw.registry_invalidate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'grant_registry_invalidate'
LANGUAGE C;

CREATE TRIGGER endpoints_invalidate
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON grant_fdw.endpoints
  FOR EACH STATEMENT EXECUTE FUNCTION grant_fdw.registry_invalidate();

-- Not SECURITY DEFINER: the C code checks what the caller may register as
-- the caller (a grant_admin member is no superuser), then acts as the
-- table's owner for its own fixed statements.  The search_path setting
-- keeps those statements from ever resolving to a caller's object.
CREATE FUNCTION grant_fdw.establish_connection(
  database text,
  adapter text,
  url text,
  role text DEFAULT 'writing',
  shard text DEFAULT 'default',
  weight integer DEFAULT 1)
RETURNS integer
AS 'MODULE_PATHNAME', 'grant_establish_connection'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION grant_fdw.establish_connection(text, text, text, text, text, integer) IS
  'registers an endpoint of a logical database and returns its id';

CREATE FUNCTION grant_fdw.remove_connection(
  database text,
  role text DEFAULT NULL,
  shard text DEFAULT NULL,
  url text DEFAULT NULL)
RETURNS integer
AS 'MODULE_PATHNAME', 'grant_remove_connection'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION grant_fdw.remove_connection(text, text, text, text) IS
  'removes the endpoints of a logical database matching role, shard and URL; returns how many';

REVOKE ALL ON FUNCTION grant_fdw.establish_connection(text, text, text, text, text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION grant_fdw.remove_connection(text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION grant_fdw.establish_connection(text, text, text, text, text, integer) TO grant_admin;
GRANT EXECUTE ON FUNCTION grant_fdw.remove_connection(text, text, text, text) TO grant_admin;

-- Helpers of the view: never given a password, they drop secret options.
CREATE FUNCTION grant_fdw.connection_url(adapter text, host text, port integer,
                                         dbname text, username text, options text[])
RETURNS text
AS 'MODULE_PATHNAME', 'grant_connection_url'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION grant_fdw.public_options(options text[])
RETURNS text[]
AS 'MODULE_PATHNAME', 'grant_public_options'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE VIEW grant_fdw.connections AS
  SELECT e.id, e.database, e.adapter, e.role, e.shard, e.weight,
         e.host, e.port, e.dbname, e.username,
         grant_fdw.public_options(e.options) AS options,
         grant_fdw.connection_url(e.adapter, e.host, e.port, e.dbname,
                                  e.username, e.options) AS url,
         e.password IS NOT NULL AS has_password
    FROM grant_fdw.endpoints e;

COMMENT ON VIEW grant_fdw.connections IS
  'registered endpoints of grant, without passwords';

GRANT SELECT ON grant_fdw.connections TO PUBLIC;

-- Inspection of this backend's registry cache (what the router reads).
CREATE FUNCTION grant_fdw.registry_cache(database text,
  OUT id integer, OUT adapter text, OUT role text, OUT shard text,
  OUT weight integer, OUT endpoint text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'grant_registry_cache'
LANGUAGE C STABLE STRICT;

CREATE FUNCTION grant_fdw.registry_cache_stats(
  OUT generation bigint, OUT loads bigint, OUT valid boolean)
RETURNS record
AS 'MODULE_PATHNAME', 'grant_registry_cache_stats'
LANGUAGE C VOLATILE;

/*
 * ---------------------------------------------------------------------
 * Foreign data wrapper
 * ---------------------------------------------------------------------
 */

CREATE FUNCTION grant_fdw.grant_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME', 'grant_fdw_handler'
LANGUAGE C STRICT;

CREATE FUNCTION grant_fdw.grant_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME', 'grant_fdw_validator'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER grant_fdw
  HANDLER grant_fdw.grant_fdw_handler
  VALIDATOR grant_fdw.grant_fdw_validator;

/*
 * ---------------------------------------------------------------------
 * Routing and connections
 * ---------------------------------------------------------------------
 */

CREATE FUNCTION grant_fdw.connected_to(role text DEFAULT NULL,
                                       shard text DEFAULT NULL,
                                       prevent_writes boolean DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'grant_connected_to'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION grant_fdw.connected_to(text, text, boolean) IS
  'sets grant.role, grant.shard and grant.prevent_writes for the rest of the current transaction';

CREATE FUNCTION grant_fdw.connection_status(
    OUT server_name text, OUT database text, OUT role text, OUT shard text,
    OUT endpoint text, OUT adapter text, OUT in_transaction boolean,
    OUT valid boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'grant_connection_status'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION grant_fdw.connection_status() IS
  'open remote connections of this backend (never a password)';

CREATE FUNCTION grant_fdw.disconnect(database text DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'grant_disconnect'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION grant_fdw.disconnect(text) IS
  'closes this backend''s idle remote connections, all or those of one database';

CREATE FUNCTION grant_fdw.health(
    OUT database text, OUT role text, OUT shard text, OUT endpoint text,
    OUT adapter text, OUT status text, OUT last_error text, OUT lag_ms bigint,
    OUT last_check timestamptz, OUT failures bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'grant_health'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION grant_fdw.health() IS
  'what is known of each registered endpoint: up or down, last error, replication lag, last check (never a password)';

/*
 * ---------------------------------------------------------------------
 * Sharding: how a key picks the shard of a database
 * ---------------------------------------------------------------------
 */

-- The scheme of each sharded database (hash when absent) and, for range
-- and list schemes, which keys each shard holds.  Nothing secret: PUBLIC
-- may read them; members of grant_admin change them through the functions
-- below.  A change is seen by the next statement of every session.
CREATE TABLE grant_fdw.sharding (
  database  text PRIMARY KEY CHECK (database <> ''),
  scheme    text NOT NULL CHECK (scheme IN ('hash', 'range', 'list'))
);

CREATE TABLE grant_fdw.shard_bounds (
  database    text NOT NULL REFERENCES grant_fdw.sharding ON DELETE CASCADE,
  shard       text NOT NULL,
  range_from  numeric,            -- range: inclusive lower bound, NULL = unbounded
  range_to    numeric,            -- range: exclusive upper bound, NULL = unbounded
  list_values text[],             -- list: the keys (as text) the shard holds
  CHECK (range_from IS NULL OR range_to IS NULL OR range_from < range_to)
);

SELECT pg_catalog.pg_extension_config_dump('grant_fdw.sharding', '');
SELECT pg_catalog.pg_extension_config_dump('grant_fdw.shard_bounds', '');
REVOKE ALL ON grant_fdw.sharding, grant_fdw.shard_bounds FROM PUBLIC;
GRANT SELECT ON grant_fdw.sharding, grant_fdw.shard_bounds TO PUBLIC;

CREATE TRIGGER sharding_invalidate
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON grant_fdw.sharding
  FOR EACH STATEMENT EXECUTE FUNCTION grant_fdw.registry_invalidate();
CREATE TRIGGER shard_bounds_invalidate
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON grant_fdw.shard_bounds
  FOR EACH STATEMENT EXECUTE FUNCTION grant_fdw.registry_invalidate();

-- shard_by_range: the shard holds keys k with range_from <= k < range_to
CREATE FUNCTION grant_fdw.shard_by_range(database text, shard text,
                                         range_from numeric, range_to numeric)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM grant_fdw.check_shard(database, shard, 'range');
  IF EXISTS (SELECT 1 FROM grant_fdw.shard_bounds b
              WHERE b.database = shard_by_range.database
                AND (b.range_to IS NULL OR shard_by_range.range_from IS NULL
                     OR shard_by_range.range_from < b.range_to)
                AND (b.range_from IS NULL OR shard_by_range.range_to IS NULL
                     OR b.range_from < shard_by_range.range_to)) THEN
    RAISE EXCEPTION 'range [%, %) overlaps a range of grant database "%"',
                    coalesce(range_from::text, '-infinity'), coalesce(range_to::text, 'infinity'), database
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Inspect grant_fdw.shard_bounds; each key must map to one shard.';
  END IF;
  INSERT INTO grant_fdw.shard_bounds (database, shard, range_from, range_to)
       VALUES (database, shard, range_from, range_to);
END $$;

-- shard_by_list: the shard holds exactly these keys (compared as text)
CREATE FUNCTION grant_fdw.shard_by_list(database text, shard text, list_values text[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE taken text;
BEGIN
  PERFORM grant_fdw.check_shard(database, shard, 'list');
  IF list_values IS NULL OR cardinality(list_values) = 0 OR array_position(list_values, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'a list of shard keys must be non-empty and without NULL'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT v INTO taken FROM grant_fdw.shard_bounds b, unnest(b.list_values) v
   WHERE b.database = shard_by_list.database AND v = ANY (shard_by_list.list_values) LIMIT 1;
  IF taken IS NOT NULL THEN
    RAISE EXCEPTION 'key "%" already belongs to a shard of grant database "%"', taken, database
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO grant_fdw.shard_bounds (database, shard, list_values)
       VALUES (database, shard, list_values);
END $$;

-- back to the default hash scheme
CREATE FUNCTION grant_fdw.shard_by_hash(database text)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ DELETE FROM grant_fdw.sharding WHERE sharding.database = shard_by_hash.database $$;

-- shared checks of shard_by_range/list: the shard is registered, the
-- database keeps one scheme
CREATE FUNCTION grant_fdw.check_shard(database text, shard text, scheme text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE current text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM grant_fdw.endpoints e
                  WHERE e.database = check_shard.database AND e.shard = check_shard.shard) THEN
    RAISE EXCEPTION 'grant database "%" has no shard "%"', database, shard
      USING ERRCODE = 'undefined_object',
            HINT = 'Register its endpoints first with grant_fdw.establish_connection(..., shard => ...).';
  END IF;
  SELECT s.scheme INTO current FROM grant_fdw.sharding s WHERE s.database = check_shard.database;
  IF current IS NULL THEN
    INSERT INTO grant_fdw.sharding VALUES (database, scheme);
  ELSIF current <> scheme THEN
    RAISE EXCEPTION 'grant database "%" is sharded by %, not by %', database, current, scheme
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Call grant_fdw.shard_by_hash() first to start over.';
  END IF;
END $$;

REVOKE ALL ON FUNCTION grant_fdw.shard_by_range(text, text, numeric, numeric),
                       grant_fdw.shard_by_list(text, text, text[]),
                       grant_fdw.shard_by_hash(text),
                       grant_fdw.check_shard(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION grant_fdw.shard_by_range(text, text, numeric, numeric),
                          grant_fdw.shard_by_list(text, text, text[]),
                          grant_fdw.shard_by_hash(text) TO grant_admin;

CREATE FUNCTION grant_fdw.shard_for(database text, key anyelement)
RETURNS text
AS 'MODULE_PATHNAME', 'grant_shard_for'
LANGUAGE C STABLE;

COMMENT ON FUNCTION grant_fdw.shard_for(text, anyelement) IS
  'the shard of a grant database that holds key: hash (default: FNV-1a 32 of the key''s text form, modulo the number of shards ordered by name), range or list';

-- Two-phase commit: one row per remote transaction prepared by a local
-- transaction that committed (written inside it), until it is finished.
CREATE TABLE grant_fdw.prepared_xacts (
  gid          text PRIMARY KEY,
  endpoint_id  integer NOT NULL,
  database     text NOT NULL,
  endpoint     text NOT NULL,         -- host:port/dbname, never a password
  prepared_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
REVOKE ALL ON grant_fdw.prepared_xacts FROM PUBLIC;
GRANT SELECT, DELETE ON grant_fdw.prepared_xacts TO grant_admin;

CREATE FUNCTION grant_fdw.recover_prepared(OUT endpoint text, OUT gid text, OUT action text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'grant_recover_prepared'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION grant_fdw.recover_prepared() IS
  'commits or rolls back the remote transactions a crash left prepared, by the outcome of their local transaction';
REVOKE ALL ON FUNCTION grant_fdw.recover_prepared() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION grant_fdw.recover_prepared() TO grant_admin;

/*
 * ---------------------------------------------------------------------
 * Quoting and routed SQL
 * ---------------------------------------------------------------------
 */

-- Literals that mean the same on the remote whatever its settings: for
-- MySQL under every sql_mode.  Arrays become an IN list "(a, b, c)".
-- STABLE: values without a rule of their own are written from their
-- output function, which may read settings.
CREATE FUNCTION grant_fdw.quote_literal(value anyelement, adapter text)
RETURNS text
AS 'MODULE_PATHNAME', 'grant_quote_literal'
LANGUAGE C CALLED ON NULL INPUT STABLE PARALLEL SAFE;

-- The same for string literals written in a query, whose type is unknown.
CREATE FUNCTION grant_fdw.quote_literal(value text, adapter text)
RETURNS text
AS 'MODULE_PATHNAME', 'grant_quote_literal'
LANGUAGE C CALLED ON NULL INPUT STABLE PARALLEL SAFE;

COMMENT ON FUNCTION grant_fdw.quote_literal(anyelement, text) IS
  'the SQL literal of a value for adapter ''postgresql'' or ''mysql'' (NULL gives NULL; an array gives an IN list)';
COMMENT ON FUNCTION grant_fdw.quote_literal(text, text) IS
  'the SQL string literal of a text for adapter ''postgresql'' or ''mysql'' (NULL gives NULL)';

CREATE FUNCTION grant_fdw.quote_identifier(name text, adapter text)
RETURNS text
AS 'MODULE_PATHNAME', 'grant_quote_identifier'
LANGUAGE C CALLED ON NULL INPUT IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION grant_fdw.quote_identifier(text, text) IS
  'an identifier quoted for adapter ''postgresql'' (when needed) or ''mysql'' (backticks)';

-- ? placeholders take the arguments in order, $n placeholders argument n;
-- one style per template; placeholders inside quotes, comments and
-- dollar quotes are text.
CREATE FUNCTION grant_fdw.sanitize_sql(adapter text, template text, VARIADIC args "any")
RETURNS text
AS 'MODULE_PATHNAME', 'grant_sanitize_sql'
LANGUAGE C CALLED ON NULL INPUT STABLE PARALLEL SAFE;

CREATE FUNCTION grant_fdw.sanitize_sql(adapter text, template text)
RETURNS text
AS 'MODULE_PATHNAME', 'grant_sanitize_sql'
LANGUAGE C CALLED ON NULL INPUT STABLE PARALLEL SAFE;

COMMENT ON FUNCTION grant_fdw.sanitize_sql(text, text, "any") IS
  'the template with each ? or $n placeholder replaced by the literal of its argument';
COMMENT ON FUNCTION grant_fdw.sanitize_sql(text, text) IS
  'the template, checked to have no placeholder';

-- Routed raw SQL: one statement on the endpoint the router picks for a
-- registry database, inside the local transaction.  It runs with the
-- registry's credentials (no user mapping applies), so only grant_admin
-- members (and superusers) may call these functions.
CREATE FUNCTION grant_fdw.execute(database text, sql text,
                                  role text DEFAULT NULL,
                                  shard text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'grant_execute'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

CREATE FUNCTION grant_fdw.query(database text, sql text,
                                role text DEFAULT NULL,
                                shard text DEFAULT NULL)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'grant_query'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION grant_fdw.execute(text, text, text, text) IS
  'runs one statement on the writer of a grant database in the local transaction and returns the rows affected; refused while writes are prevented or the role is reading; role and shard replace grant.role and grant.shard for the call; transaction control, and inside a transaction block MySQL statements that commit implicitly (DDL), are refused';
COMMENT ON FUNCTION grant_fdw.query(text, text, text, text) IS
  'runs one statement as a read of a grant database (a reader in role auto) in the local transaction and returns its rows, typed by the column definition list; READ ONLY while writes are prevented or the role is reading';

REVOKE ALL ON FUNCTION grant_fdw.execute(text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION grant_fdw.query(text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION grant_fdw.execute(text, text, text, text) TO grant_admin;
GRANT EXECUTE ON FUNCTION grant_fdw.query(text, text, text, text) TO grant_admin;
