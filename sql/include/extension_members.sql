--
-- extension_members(): every member object of the extension "grant" in
-- this database, one line each, a function with a digest of its body,
-- settings, volatility, strictness, arguments and privileges, so that two
-- installations can be compared line by line.
--
CREATE FUNCTION extension_members() RETURNS SETOF text LANGUAGE sql AS $$
  SELECT pg_describe_object(d.classid, d.objid, d.objsubid)
         || coalesce(' ' || (SELECT md5(p.prosrc || coalesce(array_to_string(p.proconfig, ','), '')
                                        || p.provolatile::text || p.proisstrict::text
                                        || pg_get_function_arguments(p.oid)
                                        || coalesce(array_to_string(p.proacl::text[], ','), ''))
                               FROM pg_proc p
                              WHERE d.classid = 'pg_proc'::regclass AND p.oid = d.objid), '')
    FROM pg_depend d
   WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
     AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'grant')
   ORDER BY 1 $$;
