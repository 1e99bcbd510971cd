/*
 * grant--0.2--0.3.sql: from version 0.2 to 0.3.  CREATE EXTENSION "grant"
 * (default_version 0.3) runs grant--0.1.sql, grant--0.1--0.2.sql and then
 * this script, so a fresh installation and an updated one hold the same
 * objects with the same privileges; an object 0.3 adds or changes is
 * written here once, ABOVE the privileges block that ends this script.
 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "ALTER EXTENSION \"grant\" UPDATE TO '0.3'" to load this file. \quit

/*
 * ---------------------------------------------------------------------
 * Registry: who chose each endpoint
 * ---------------------------------------------------------------------
 */

-- The role that registered the endpoint (by name, so that a dump restores
-- it).  A connection to an endpoint that a non-superuser chose follows the
-- rules for non-superusers whoever makes it: a password is required and
-- used, and the local server's password file, client certificate and
-- Kerberos ticket are never offered.  Rows registered before 0.3 have no
-- name, and follow those rules too.
ALTER TABLE grant_fdw.endpoints ADD COLUMN registered_by name;

COMMENT ON COLUMN grant_fdw.endpoints.registered_by IS
  'the role that registered the endpoint; NULL: registered before version 0.3';

CREATE OR REPLACE VIEW grant_fdw.connections AS
  SELECT e.id, e.database, e.adapter, e.role, e.shard, e.weight,
         e.host, e.port, e.dbname, e.username,
         grant_fdw.public_options(e.options) AS options,
         grant_fdw.connection_url(e.adapter, e.host, e.port, e.dbname,
                                  e.username, e.options) AS url,
         e.password IS NOT NULL AS has_password,
         e.registered_by
    FROM grant_fdw.endpoints e;

/*
 * ---------------------------------------------------------------------
 * Sharding: rows whose shard is not the one their key maps to
 * ---------------------------------------------------------------------
 */

-- Rows placed before a change of the hash's key normalization (0.3: -0 and
-- 0, 1.0 and 1, '1 mon' and '30 days' hash alike), or written to an
-- explicit shard, may sit where key routing does not look.  Reads each
-- shard of the table's database (grant.shard pinned in turn) and returns
-- the rows whose key belongs elsewhere.  Runs as the caller, who needs
-- SELECT on the table.
CREATE FUNCTION grant_fdw.check_placement(rel regclass,
    OUT shard text, OUT key text, OUT belongs_to text)
RETURNS SETOF record
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  db text;
  keycol text;
  saved text := pg_catalog.current_setting('grant.shard', true);
  s text;
  r record;
BEGIN
  SELECT (SELECT pg_catalog.substr(o, 10) FROM pg_catalog.unnest(fs.srvoptions) o
           WHERE o LIKE 'database=%'),
         (SELECT pg_catalog.substr(o, 11) FROM pg_catalog.unnest(ft.ftoptions) o
           WHERE o LIKE 'shard_key=%')
    INTO db, keycol
    FROM pg_catalog.pg_foreign_table ft
    JOIN pg_catalog.pg_foreign_server fs ON fs.oid OPERATOR(pg_catalog.=) ft.ftserver
   WHERE ft.ftrelid OPERATOR(pg_catalog.=) rel;
  IF db IS NULL OR keycol IS NULL THEN
    RAISE EXCEPTION USING
      ERRCODE = 'invalid_parameter_value',
      MESSAGE = pg_catalog.format('%s is not a sharded grant foreign table', rel),
      HINT = 'Its server must name a registry database and the table must have option shard_key.';
  END IF;
  FOR s IN SELECT DISTINCT e.shard FROM grant_fdw.connections e
            WHERE e.database OPERATOR(pg_catalog.=) db ORDER BY 1 LOOP
    PERFORM pg_catalog.set_config('grant.shard', s, true);
    FOR r IN EXECUTE pg_catalog.format(
        'SELECT k::pg_catalog.text AS key, grant_fdw.shard_for($1, k) AS belongs_to
           FROM (SELECT %I AS k FROM %s) t
          WHERE grant_fdw.shard_for($1, k) IS DISTINCT FROM $2', keycol, rel)
      USING db, s LOOP
      shard := s;
      key := r.key;
      belongs_to := r.belongs_to;
      RETURN NEXT;
    END LOOP;
  END LOOP;
  PERFORM pg_catalog.set_config('grant.shard', COALESCE(saved, ''), true);
END
$$;

COMMENT ON FUNCTION grant_fdw.check_placement(regclass) IS
  'rows of a sharded foreign table that sit on another shard than their key maps to';

/*
 * ---------------------------------------------------------------------
 * Registry administration, granted per database
 * ---------------------------------------------------------------------
 */

-- Up to 0.2 the admin functions were granted to grant_admin, one role of
-- the whole cluster: a member made admin for one database was admin in
-- every database with the extension, with each one's stored credentials.
-- From 0.3 a registry administrator is whoever holds EXECUTE on the
-- registry functions in this database (PostgreSQL checks it per database,
-- and grant's own checks look at establish_connection's EXECUTE).  These
-- two functions grant and revoke the whole set at once; only a superuser
-- (or the extension's owner) may call them.  grant_admin itself is no
-- longer granted anything.
CREATE FUNCTION grant_fdw.registry_admin_privileges(OUT privileges text, OUT target text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
  VALUES ('EXECUTE', 'FUNCTION grant_fdw.establish_connection(text, text, text, text, text, integer)'),
         ('EXECUTE', 'FUNCTION grant_fdw.remove_connection(text, text, text, text)'),
         ('EXECUTE', 'FUNCTION grant_fdw.shard_by_range(text, text, numeric, numeric)'),
         ('EXECUTE', 'FUNCTION grant_fdw.shard_by_list(text, text, text[])'),
         ('EXECUTE', 'FUNCTION grant_fdw.shard_by_hash(text)'),
         ('EXECUTE', 'FUNCTION grant_fdw.recover_prepared()'),
         ('EXECUTE', 'FUNCTION grant_fdw.execute(text, text, text, text)'),
         ('EXECUTE', 'FUNCTION grant_fdw.query(text, text, text, text)'),
         ('EXECUTE', 'FUNCTION grant_fdw.stat_reset()'),
         ('SELECT, DELETE', 'TABLE grant_fdw.prepared_xacts')
$$;

COMMENT ON FUNCTION grant_fdw.registry_admin_privileges() IS
  'the privileges that make a role registry administrator in this database';

CREATE FUNCTION grant_fdw.add_registry_admin(role name)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  p record;
BEGIN
  FOR p IN SELECT * FROM grant_fdw.registry_admin_privileges() LOOP
    EXECUTE pg_catalog.format('GRANT %s ON %s TO %I', p.privileges, p.target, role);
  END LOOP;
END
$$;

CREATE FUNCTION grant_fdw.remove_registry_admin(role name)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  p record;
BEGIN
  FOR p IN SELECT * FROM grant_fdw.registry_admin_privileges() LOOP
    EXECUTE pg_catalog.format('REVOKE %s ON %s FROM %I', p.privileges, p.target, role);
  END LOOP;
END
$$;

COMMENT ON FUNCTION grant_fdw.add_registry_admin(name) IS
  'makes a role registry administrator of this database (superusers only)';
COMMENT ON FUNCTION grant_fdw.remove_registry_admin(name) IS
  'ends a role''s registry administration of this database (superusers only)';

-- An update keeps the administrators this database had: each direct
-- member of grant_admin, while grant_admin holds the admin functions here
-- (a fresh installation, whose schema is new in this transaction, makes
-- nobody administrator).  They are noted here and granted after the
-- privileges block, which would otherwise take back what it does not know.
DO $$
DECLARE
  members pg_catalog.text[];
BEGIN
  SELECT pg_catalog.array_agg(m.rolname::pg_catalog.text ORDER BY m.rolname)
    INTO members
    FROM pg_catalog.pg_auth_members a
    JOIN pg_catalog.pg_roles g ON g.oid OPERATOR(pg_catalog.=) a.roleid
    JOIN pg_catalog.pg_roles m ON m.oid OPERATOR(pg_catalog.=) a.member
   WHERE g.rolname OPERATOR(pg_catalog.=) 'grant_admin'
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n
                      WHERE n.nspname OPERATOR(pg_catalog.=) 'grant_fdw'
                        AND n.xmin OPERATOR(pg_catalog.=) pg_catalog.pg_current_xact_id()::pg_catalog.xid)
     AND pg_catalog.has_function_privilege('grant_admin',
           'grant_fdw.establish_connection(text, text, text, text, text, integer)', 'EXECUTE');
  PERFORM pg_catalog.set_config('grant_fdw.update_admins',
                                COALESCE(members, '{}')::pg_catalog.text, true);
END
$$;

/*
 * =====================================================================
 * Privileges of every object: exactly those the scripts mean.
 *
 * THIS BLOCK MUST STAY LAST: it stays at the end of this script, and it
 * moves to the end of each later upgrade script (with the model brought
 * up to date), so that it sees every object the scripts create.
 * =====================================================================
 *
 * Every object CREATE EXTENSION makes also gets the default privileges of
 * the installing role (ALTER DEFAULT PRIVILEGES, global or IN SCHEMA
 * grant_fdw; ON SCHEMAS too for the schema itself): a role given SELECT ON
 * TABLES could read the passwords in grant_fdw.endpoints, one given CREATE
 * ON SCHEMAS could plant objects in grant_fdw, and a default that revokes
 * EXECUTE from PUBLIC breaks the functions meant for everyone.  The earlier
 * scripts only revoke from PUBLIC, and they are frozen; so this block
 * brings each object to the privileges of the model below, which is the
 * one place that says who may use what.  A member of the extension that
 * default privileges can reach (a relation, function or type) and that is
 * missing from the model, or a model line that names no member, is an
 * error: a later version that adds, drops or regrants an object writes it
 * in the model (its own GRANT/REVOKE statements above are overridden by
 * the model).  The foreign data wrapper is left alone: no default
 * privilege reaches it, and USAGE on it is the administrator's choice.
 *
 * Per object, with C the privileges it has now (NULL read as the built-in
 * default), P those the installation gave it (pg_init_privs, which every
 * GRANT/REVOKE of an extension script records; C where there is no
 * record) and M the model's plus the owner's own:
 *   revoke (C and P) minus M  (granted by the scripts or by default
 *                              privileges, and not meant; CASCADE also
 *                              takes what a grant option passed on)
 *   grant  M minus C minus P  (meant, and neither there nor taken away
 *                              after the installation)
 * In CREATE EXTENSION, P is C: the object gets exactly M.  In an update,
 * what an administrator granted or revoked after the installation (in C
 * and not in P, or the other way round) is kept.  The GRANT and REVOKE
 * statements update pg_init_privs, so pg_dump, which dumps an extension
 * object's privileges as the difference from pg_init_privs, dumps none.
 */
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN
    WITH model(kind, name, grantee, privileges) AS (VALUES
      -- kind: schema, table, view, sequence, function, type; grantee:
      -- PUBLIC, a role, or NULL for nobody but the owner
      ('schema',   'grant_fdw',                      'PUBLIC',      '{USAGE}'::pg_catalog.text[]),
      -- registry: passwords live in endpoints, readable by its owner only
      ('table',    'grant_fdw.endpoints',            NULL,          NULL),
      ('sequence', 'grant_fdw.endpoints_id_seq',     NULL,          NULL),
      ('view',     'grant_fdw.connections',          'PUBLIC',      '{SELECT}'),
      ('function', 'grant_fdw.establish_connection(text, text, text, text, text, integer)',
                                                     NULL,          NULL),
      ('function', 'grant_fdw.remove_connection(text, text, text, text)',
                                                     NULL,          NULL),
      ('function', 'grant_fdw.registry_invalidate()', 'PUBLIC',     '{EXECUTE}'),
      ('function', 'grant_fdw.connection_url(text, text, integer, text, text, text[])',
                                                     'PUBLIC',      '{EXECUTE}'),
      ('function', 'grant_fdw.public_options(text[])', 'PUBLIC',    '{EXECUTE}'),
      ('function', 'grant_fdw.registry_cache(text)', 'PUBLIC',      '{EXECUTE}'),
      ('function', 'grant_fdw.registry_cache_stats()', 'PUBLIC',    '{EXECUTE}'),
      -- foreign data wrapper
      ('function', 'grant_fdw.grant_fdw_handler()',  'PUBLIC',      '{EXECUTE}'),
      ('function', 'grant_fdw.grant_fdw_validator(text[], oid)', 'PUBLIC', '{EXECUTE}'),
      -- routing and connections
      ('function', 'grant_fdw.connected_to(text, text, boolean)', 'PUBLIC', '{EXECUTE}'),
      ('function', 'grant_fdw.connection_status()',  'PUBLIC',      '{EXECUTE}'),
      ('function', 'grant_fdw.disconnect(text)',     'PUBLIC',      '{EXECUTE}'),
      ('function', 'grant_fdw.health()',             'PUBLIC',      '{EXECUTE}'),
      -- sharding
      ('table',    'grant_fdw.sharding',             'PUBLIC',      '{SELECT}'),
      ('table',    'grant_fdw.shard_bounds',         'PUBLIC',      '{SELECT}'),
      ('function', 'grant_fdw.shard_by_range(text, text, numeric, numeric)',
                                                     NULL,          NULL),
      ('function', 'grant_fdw.shard_by_list(text, text, text[])', NULL, NULL),
      ('function', 'grant_fdw.shard_by_hash(text)',  NULL, NULL),
      ('function', 'grant_fdw.check_shard(text, text, text)', NULL, NULL),
      ('function', 'grant_fdw.shard_for(text, anyelement)', 'PUBLIC', '{EXECUTE}'),
      ('function', 'grant_fdw.check_placement(regclass)', 'PUBLIC', '{EXECUTE}'),
      -- two-phase commit
      ('table',    'grant_fdw.prepared_xacts',       NULL, NULL),
      ('function', 'grant_fdw.recover_prepared()',   NULL, NULL),
      -- quoting and routed SQL
      ('function', 'grant_fdw.quote_literal(anyelement, text)', 'PUBLIC', '{EXECUTE}'),
      ('function', 'grant_fdw.quote_literal(text, text)', 'PUBLIC',  '{EXECUTE}'),
      ('function', 'grant_fdw.quote_identifier(text, text)', 'PUBLIC', '{EXECUTE}'),
      ('function', 'grant_fdw.sanitize_sql(text, text, "any")', 'PUBLIC', '{EXECUTE}'),
      ('function', 'grant_fdw.sanitize_sql(text, text)', 'PUBLIC',   '{EXECUTE}'),
      ('function', 'grant_fdw.execute(text, text, text, text)', NULL, NULL),
      ('function', 'grant_fdw.query(text, text, text, text)', NULL, NULL),
      -- 0.2: migration (superusers only), statistics, progress
      ('function', 'grant_fdw.adopt_server(name, text)', NULL,       NULL),
      ('function', 'grant_fdw.stat_endpoints()',     'PUBLIC',      '{EXECUTE}'),
      ('view',     'grant_fdw.stat_endpoints',       'PUBLIC',      '{SELECT}'),
      ('function', 'grant_fdw.stat_reset()',         NULL, NULL),
      ('function', 'grant_fdw.progress()',           'PUBLIC',      '{EXECUTE}'),
      ('view',     'grant_fdw.progress',             'PUBLIC',      '{SELECT}'),
      -- 0.3: registry administration per database (superusers grant it)
      ('function', 'grant_fdw.registry_admin_privileges()', 'PUBLIC', '{EXECUTE}'),
      ('function', 'grant_fdw.add_registry_admin(name)', NULL,     NULL),
      ('function', 'grant_fdw.remove_registry_admin(name)', NULL,  NULL)
    ),
    -- the model's objects, resolved (NULL: no such object)
    meant AS (
      SELECT m.kind, m.name, m.grantee, m.privileges,
             CASE WHEN m.kind OPERATOR(pg_catalog.=) 'schema'
                    THEN 'pg_catalog.pg_namespace'::pg_catalog.regclass
                  WHEN m.kind OPERATOR(pg_catalog.=) 'function'
                    THEN 'pg_catalog.pg_proc'::pg_catalog.regclass
                  WHEN m.kind OPERATOR(pg_catalog.=) 'type'
                    THEN 'pg_catalog.pg_type'::pg_catalog.regclass
                  ELSE 'pg_catalog.pg_class'::pg_catalog.regclass END AS classid,
             CASE WHEN m.kind OPERATOR(pg_catalog.=) 'schema'
                    THEN pg_catalog.to_regnamespace(m.name)::pg_catalog.oid
                  WHEN m.kind OPERATOR(pg_catalog.=) 'function'
                    THEN pg_catalog.to_regprocedure(m.name)::pg_catalog.oid
                  WHEN m.kind OPERATOR(pg_catalog.=) 'type'
                    THEN pg_catalog.to_regtype(m.name)::pg_catalog.oid
                  ELSE pg_catalog.to_regclass(m.name)::pg_catalog.oid END AS objid
        FROM model m
    ),
    -- the members default privileges reach, and the extension's schema
    objects AS (
      SELECT d.classid, d.objid
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
       WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
         AND e.extname OPERATOR(pg_catalog.=) 'grant'
         AND d.deptype OPERATOR(pg_catalog.=) 'e'
         AND d.classid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_class', 'pg_catalog.pg_proc',
                                                         'pg_catalog.pg_type']::pg_catalog.regclass[])
      UNION ALL
      SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass, e.extnamespace
        FROM pg_catalog.pg_extension e
       WHERE e.extname OPERATOR(pg_catalog.=) 'grant'
    ),
    -- each object's owner, privileges now, privileges at installation,
    -- its acldefault() kind, and how GRANT names it
    acls AS (
      SELECT o.classid, o.objid, a.owner, a.kind,
             COALESCE(a.acl, pg_catalog.acldefault(a.kind, a.owner)) AS now_acl,
             COALESCE(i.initprivs, a.acl, pg_catalog.acldefault(a.kind, a.owner)) AS installed_acl,
             pg_catalog.format('%s %s', a.keyword, n.identity) AS target
        FROM objects o
        CROSS JOIN LATERAL pg_catalog.pg_identify_object(o.classid, o.objid, 0) n
        CROSS JOIN LATERAL (
          SELECT c.relowner, c.relacl,
                 CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 's' ELSE 'r' END::pg_catalog."char",
                 CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 'SEQUENCE' ELSE 'TABLE' END
            FROM pg_catalog.pg_class c
           WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
             AND c.oid OPERATOR(pg_catalog.=) o.objid
          UNION ALL
          SELECT p.proowner, p.proacl, 'f', 'ROUTINE'
            FROM pg_catalog.pg_proc p
           WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
             AND p.oid OPERATOR(pg_catalog.=) o.objid
          UNION ALL
          SELECT t.typowner, t.typacl, 'T', 'TYPE'
            FROM pg_catalog.pg_type t
           WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
             AND t.oid OPERATOR(pg_catalog.=) o.objid
          UNION ALL
          SELECT s.nspowner, s.nspacl, 'n', 'SCHEMA'
            FROM pg_catalog.pg_namespace s
           WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
             AND s.oid OPERATOR(pg_catalog.=) o.objid
        ) a(owner, acl, kind, keyword)
        LEFT JOIN pg_catalog.pg_init_privs i
               ON i.classoid OPERATOR(pg_catalog.=) o.classid
              AND i.objoid OPERATOR(pg_catalog.=) o.objid
              AND i.objsubid OPERATOR(pg_catalog.=) 0
    ),
    problems AS (
      SELECT pg_catalog.format('%s %s of the model is no member of extension "grant"', m.kind, m.name) AS problem
        FROM meant m
       WHERE NOT EXISTS (SELECT 1 FROM acls a
                          WHERE a.classid OPERATOR(pg_catalog.=) m.classid
                            AND a.objid OPERATOR(pg_catalog.=) m.objid)
      UNION ALL
      SELECT pg_catalog.format('%s is missing from the model of privileges', a.target)
        FROM acls a
       WHERE NOT EXISTS (SELECT 1 FROM meant m
                          WHERE a.classid OPERATOR(pg_catalog.=) m.classid
                            AND a.objid OPERATOR(pg_catalog.=) m.objid)
      UNION ALL
      SELECT pg_catalog.format('role %s of the model does not exist', m.grantee)
        FROM meant m
       WHERE m.grantee OPERATOR(pg_catalog.<>) 'PUBLIC'
         AND pg_catalog.to_regrole(m.grantee) IS NULL
    ),
    -- M: the owner's own privileges (as the built-in default has them) and the model's
    intended AS (
      SELECT a.classid, a.objid, x.grantee, x.privilege_type, false AS is_grantable
        FROM acls a, pg_catalog.aclexplode(pg_catalog.acldefault(a.kind, a.owner)) x
       WHERE x.grantee OPERATOR(pg_catalog.=) a.owner
      UNION
      SELECT m.classid, m.objid,
             CASE WHEN m.grantee OPERATOR(pg_catalog.=) 'PUBLIC' THEN 0::pg_catalog.oid
                  ELSE pg_catalog.to_regrole(m.grantee)::pg_catalog.oid END,
             p.privilege, false
        FROM meant m, pg_catalog.unnest(m.privileges) p(privilege)
    ),
    now_privs AS (
      SELECT a.classid, a.objid, x.grantee, x.privilege_type, x.is_grantable
        FROM acls a, pg_catalog.aclexplode(a.now_acl) x
    ),
    installed_privs AS (
      SELECT a.classid, a.objid, x.grantee, x.privilege_type, x.is_grantable
        FROM acls a, pg_catalog.aclexplode(a.installed_acl) x
    ),
    revokes AS (
      SELECT DISTINCT v.classid, v.objid, v.grantee, v.privilege_type
        FROM ((SELECT * FROM now_privs INTERSECT SELECT * FROM installed_privs)
              EXCEPT SELECT * FROM intended) v
        JOIN acls a ON a.classid OPERATOR(pg_catalog.=) v.classid
                   AND a.objid OPERATOR(pg_catalog.=) v.objid
       WHERE v.grantee OPERATOR(pg_catalog.<>) a.owner
    ),
    grants AS (
      SELECT * FROM intended EXCEPT SELECT * FROM now_privs EXCEPT SELECT * FROM installed_privs
    ),
    statements(step, sql) AS (
      SELECT 1, p.problem FROM problems p
      UNION ALL
      SELECT 2, pg_catalog.format('REVOKE %s ON %s FROM %s CASCADE', v.privilege_type, a.target,
                                  CASE WHEN v.grantee OPERATOR(pg_catalog.=) 0::pg_catalog.oid THEN 'PUBLIC'
                                       ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(v.grantee)) END)
        FROM revokes v
        JOIN acls a ON a.classid OPERATOR(pg_catalog.=) v.classid
                   AND a.objid OPERATOR(pg_catalog.=) v.objid
      UNION ALL
      SELECT 3, pg_catalog.format('GRANT %s ON %s TO %s', g.privilege_type, a.target,
                                  CASE WHEN g.grantee OPERATOR(pg_catalog.=) 0::pg_catalog.oid THEN 'PUBLIC'
                                       ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) END)
        FROM grants g
        JOIN acls a ON a.classid OPERATOR(pg_catalog.=) g.classid
                   AND a.objid OPERATOR(pg_catalog.=) g.objid
    )
    SELECT s.step, s.sql FROM statements s ORDER BY s.step, s.sql
  LOOP
    IF r.step OPERATOR(pg_catalog.=) 1 THEN
      RAISE EXCEPTION USING
        ERRCODE = 'internal_error',
        MESSAGE = 'the privileges of extension "grant" are not those of its model',
        DETAIL = r.sql,
        HINT = 'Bring the model at the end of the latest upgrade script up to date.';
    END IF;
    EXECUTE r.sql;
  END LOOP;
END
$$;

-- The administrators an update keeps (noted above the privileges block):
-- given their privileges here, directly, now that grant_admin has none.
DO $$
DECLARE
  member text;
BEGIN
  FOR member IN
    SELECT m FROM pg_catalog.unnest(COALESCE(NULLIF(
             pg_catalog.current_setting('grant_fdw.update_admins', true), ''),
             '{}')::pg_catalog.text[]) m
  LOOP
    PERFORM grant_fdw.add_registry_admin(member::pg_catalog.name);
  END LOOP;
  PERFORM pg_catalog.set_config('grant_fdw.update_admins', '', true);
END
$$;
