/* grant--0.1.sql: the objects of extension grant, version 0.1 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION \"grant\"" to load this file. \quit

/*
 * ---------------------------------------------------------------------
 * Registry: endpoints, their cache invalidation and administration
 * ---------------------------------------------------------------------
 */

-- (registry objects)

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

-- (routing objects)
