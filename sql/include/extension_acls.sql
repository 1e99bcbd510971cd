--
-- extension_acls(): the privileges on every member object of the extension
-- "grant" and on its schema, one line per grantee and object, the built-in
-- default spelled out where an object has no ACL of its own, so that two
-- installations can be compared line by line.  The owner is shown as
-- "owner", PUBLIC as "PUBLIC"; "*" marks a grant option.
--
CREATE FUNCTION extension_acls() RETURNS SETOF text LANGUAGE sql AS $$
  WITH objects(classid, objid) AS (
    SELECT d.classid, d.objid
      FROM pg_depend d
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
       AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'grant')
    UNION ALL
    SELECT 'pg_namespace'::regclass, extnamespace FROM pg_extension WHERE extname = 'grant'
  ), acls(classid, objid, owner, acl, kind) AS (
    SELECT 'pg_class'::regclass, oid, relowner, relacl,
           CASE relkind WHEN 'S' THEN 's' ELSE 'r' END::"char" FROM pg_class
    UNION ALL SELECT 'pg_proc'::regclass, oid, proowner, proacl, 'f' FROM pg_proc
    UNION ALL SELECT 'pg_type'::regclass, oid, typowner, typacl, 'T' FROM pg_type
    UNION ALL SELECT 'pg_namespace'::regclass, oid, nspowner, nspacl, 'n' FROM pg_namespace
    UNION ALL SELECT 'pg_foreign_data_wrapper'::regclass, oid, fdwowner, fdwacl, 'F'
                FROM pg_foreign_data_wrapper
  )
  SELECT format('%s: %s %s', pg_describe_object(o.classid, o.objid, 0),
                CASE x.grantee WHEN 0 THEN 'PUBLIC' WHEN a.owner THEN 'owner'
                               ELSE x.grantee::regrole::text END,
                string_agg(x.privilege_type || CASE WHEN x.is_grantable THEN '*' ELSE '' END,
                           ',' ORDER BY x.privilege_type))
    FROM objects o
    JOIN acls a USING (classid, objid)
    CROSS JOIN LATERAL aclexplode(coalesce(a.acl, acldefault(a.kind, a.owner))) x
   GROUP BY o.classid, o.objid, a.owner, x.grantee
   ORDER BY 1 $$;
