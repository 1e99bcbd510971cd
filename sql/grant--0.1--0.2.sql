/*
 * grant--0.1--0.2.sql: from version 0.1 to 0.2.  CREATE EXTENSION "grant"
 * (default_version 0.2) runs grant--0.1.sql and then this script, so a
 * fresh installation and an updated one hold the same objects; an object
 * 0.2 adds or changes is written here once.
 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "ALTER EXTENSION \"grant\" UPDATE TO '0.2'" to load this file. \quit

/*
 * ---------------------------------------------------------------------
 * Migration
 * ---------------------------------------------------------------------
 */

-- Takes over a postgres_fdw or mysql_fdw server (or points a registry-less
-- grant_fdw server at the registry): its endpoint becomes the writer of a
-- grant database and its foreign tables move to grant_fdw in place, with
-- their OIDs, so privileges and dependent views stay.  It updates the
-- catalogs directly (ALTER FOREIGN TABLE cannot change a table's server),
-- hence superusers only; the C function checks it too.
CREATE FUNCTION grant_fdw.adopt_server(server name, database text DEFAULT NULL,
    OUT foreign_table regclass, OUT grant_server name, OUT dropped_options text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'grant_adopt_server'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION grant_fdw.adopt_server(name, text) IS
  'moves the foreign tables of a postgres_fdw or mysql_fdw server to grant_fdw in place, with the server''s endpoint registered as the writer of a grant database (default: named after the server); superusers only';

REVOKE ALL ON FUNCTION grant_fdw.adopt_server(name, text) FROM PUBLIC;

/*
 * ---------------------------------------------------------------------
 * Operations: per-endpoint statistics and progress of running scans
 * ---------------------------------------------------------------------
 */

-- Counters per endpoint: of every backend when grant is in
-- shared_preload_libraries (shared = true), else of this backend only.
-- A failover is a read served here in place of a reader that was down,
-- lagging or behind the session.
CREATE FUNCTION grant_fdw.stat_endpoints(
    OUT adapter text, OUT endpoint text, OUT role text, OUT statements bigint,
    OUT reads bigint, OUT writes bigint, OUT rows bigint, OUT errors bigint,
    OUT failovers bigint, OUT connections bigint, OUT remote_time_ms double precision,
    OUT shared boolean, OUT stats_reset timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'grant_stat_endpoints'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION grant_fdw.stat_endpoints() IS
  'statements, rows, errors, failovers, connections and remote time per endpoint (never a password)';

CREATE VIEW grant_fdw.stat_endpoints AS
    SELECT * FROM grant_fdw.stat_endpoints();

COMMENT ON VIEW grant_fdw.stat_endpoints IS
  'statements, rows, errors, failovers, connections and remote time per endpoint (never a password)';

GRANT SELECT ON grant_fdw.stat_endpoints TO PUBLIC;

-- Zeroing the counters of every backend is for administrators.
CREATE FUNCTION grant_fdw.stat_reset()
RETURNS void
AS 'MODULE_PATHNAME', 'grant_stat_reset'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION grant_fdw.stat_reset() IS
  'zeroes the counters of grant_fdw.stat_endpoints';

REVOKE ALL ON FUNCTION grant_fdw.stat_reset() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION grant_fdw.stat_reset() TO grant_admin;

-- One row per shard or endpoint of each running grant scan: of every
-- backend when preloaded, else of this one.  Another role's scans show
-- only to its members and to pg_read_all_stats.
CREATE FUNCTION grant_fdw.progress(
    OUT pid integer, OUT relation text, OUT database text, OUT role text,
    OUT shard text, OUT endpoint text, OUT rows_fetched bigint, OUT done boolean,
    OUT started timestamptz, OUT shared boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'grant_progress'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION grant_fdw.progress() IS
  'rows fetched so far by each part of each running grant scan';

CREATE VIEW grant_fdw.progress AS
    SELECT * FROM grant_fdw.progress();

COMMENT ON VIEW grant_fdw.progress IS
  'rows fetched so far by each part of each running grant scan';

GRANT SELECT ON grant_fdw.progress TO PUBLIC;
