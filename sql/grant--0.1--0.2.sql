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
