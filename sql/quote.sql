--
-- Quoting: literals and identifiers for PostgreSQL and MySQL, and
-- sanitize_sql templates.  Every literal written for PostgreSQL is also
-- evaluated here, on PostgreSQL, to show it reads back as the value.
-- (The property test test/scenarios/quote_property.sh evaluates random
-- strings on the real remote servers, MariaDB under four sql_modes.)
--
\i sql/include/fdw_setup.sql

-- evaluate a literal written for PostgreSQL
CREATE FUNCTION eval_literal(lit text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
  EXECUTE 'SELECT (' || lit || ')::text' INTO v;
  RETURN v;
END $$;

-- strings: quotes doubled, E'' with backslashes doubled when one occurs;
-- MySQL: hex with the utf8mb4 introducer, whatever the content
SELECT v, grant_fdw.quote_literal(v, 'postgresql') AS pg,
       eval_literal(grant_fdw.quote_literal(v, 'postgresql')) = v AS same,
       grant_fdw.quote_literal(v, 'mysql') AS mysql
  FROM (VALUES (''), ('plain'), ('it''s'), (E'back\\slash'), (E'\\''; --'),
               ('`tick`'), ('"dq"'), ('$$ $a$ -- /* # ?'), ('żółw 🐢'),
               (E'line\nbreak\ttab')) t(v);
-- unknown-typed literals resolve to the text form; aliases of adapters
SELECT grant_fdw.quote_literal('x', 'pg'), grant_fdw.quote_literal('x', 'postgres'),
       grant_fdw.quote_literal('x', 'mariadb');
-- char(n) and varchar, a domain over text
CREATE DOMAIN short_text AS text CHECK (length(VALUE) < 10);
SELECT grant_fdw.quote_literal('ab'::char(4), 'pg') AS bpchar,
       grant_fdw.quote_literal('ab'::varchar, 'mysql') AS varchar,
       grant_fdw.quote_literal('a''b'::short_text, 'pg') AS domain;

-- numbers: digits, negatives in parentheses; floats in their shortest
-- exact form; NaN and infinities typed for PostgreSQL, refused for MySQL
SELECT a.adapter, v.t, v.v
  FROM (VALUES ('postgresql'), ('mysql')) a(adapter),
       LATERAL (VALUES ('int2', grant_fdw.quote_literal((-32768)::int2, a.adapter)),
                       ('int4', grant_fdw.quote_literal(42, a.adapter)),
                       ('int8', grant_fdw.quote_literal((-9223372036854775808)::int8, a.adapter)),
                       ('numeric', grant_fdw.quote_literal(-0.000000000000000000001234::numeric, a.adapter)),
                       ('numeric', grant_fdw.quote_literal(123456789012345678901234567890.5::numeric, a.adapter)),
                       ('float8', grant_fdw.quote_literal(0.1::float8, a.adapter)),
                       ('float8', grant_fdw.quote_literal(-1.5e300::float8, a.adapter)),
                       ('float4', grant_fdw.quote_literal(0.1::float4, a.adapter)),
                       ('oid', grant_fdw.quote_literal(4294967295::oid, a.adapter)),
                       ('bool', grant_fdw.quote_literal(true, a.adapter)),
                       ('bool', grant_fdw.quote_literal(false, a.adapter))) v(t, v)
  ORDER BY 1 DESC, 2;
-- PostgreSQL reads them back as the same values
SELECT eval_literal(grant_fdw.quote_literal(v, 'pg'))::float8 = v AS same
  FROM unnest(ARRAY[0.1, -1.5e300, 5e-324, 1.7976931348623157e308, 'NaN', 'Infinity', '-Infinity']::float8[]) v;
SELECT eval_literal(grant_fdw.quote_literal(v, 'pg'))::numeric = v AS same
  FROM unnest(ARRAY[-0.000000000000000000001234, 1e100, 'NaN', 'Infinity', '-Infinity']::numeric[]) v;
SELECT eval_literal(grant_fdw.quote_literal(0.1::float4, 'pg'))::float4 = 0.1::float4 AS same;
SELECT * FROM show_error($$SELECT grant_fdw.quote_literal('NaN'::float8, 'mysql')$$);
SELECT * FROM show_error($$SELECT grant_fdw.quote_literal('-Infinity'::numeric, 'mysql')$$);

-- dates and times: ISO text whatever DateStyle; timestamptz in UTC
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'America/New_York';
SET IntervalStyle = 'sql_standard';
SELECT a.adapter, v.t, v.v
  FROM (VALUES ('postgresql'), ('mysql')) a(adapter),
       LATERAL (VALUES ('date', grant_fdw.quote_literal('2024-01-02'::date, a.adapter)),
                       ('timestamp', grant_fdw.quote_literal('2024-01-02 03:04:05.123456'::timestamp, a.adapter)),
                       ('timestamptz', grant_fdw.quote_literal('2024-07-02 03:04:05.5-04'::timestamptz, a.adapter)),
                       ('time', grant_fdw.quote_literal('23:59:59.999999'::time, a.adapter))) v(t, v)
  ORDER BY 1 DESC, 2;
SELECT grant_fdw.quote_literal('03:04:05+02'::timetz, 'pg') AS timetz,
       grant_fdw.quote_literal('1 year 2 mons -3 days 04:05:06.5'::interval, 'pg') AS interval,
       grant_fdw.quote_literal('0044-03-15 BC'::date, 'pg') AS bc,
       grant_fdw.quote_literal('infinity'::timestamptz, 'pg') AS inf;
SELECT eval_literal(grant_fdw.quote_literal('2024-07-02 03:04:05.5-04'::timestamptz, 'pg'))::timestamptz
         = '2024-07-02 03:04:05.5-04'::timestamptz AS same_tstz,
       eval_literal(grant_fdw.quote_literal('1 year 2 mons -3 days 04:05:06.5'::interval, 'pg'))::interval
         = '1 year 2 mons -3 days 04:05:06.5'::interval AS same_interval,
       eval_literal(grant_fdw.quote_literal('0044-03-15 BC'::date, 'pg'))::date
         = '0044-03-15 BC'::date AS same_bc,
       eval_literal(grant_fdw.quote_literal('03:04:05+02'::timetz, 'pg'))::timetz
         = '03:04:05+02'::timetz AS same_timetz;
RESET DateStyle;
RESET TimeZone;
RESET IntervalStyle;
SELECT * FROM show_error($$SELECT grant_fdw.quote_literal('infinity'::date, 'mysql')$$);
SELECT * FROM show_error($$SELECT grant_fdw.quote_literal('0044-03-15 BC'::date, 'mysql')$$);
SELECT * FROM show_error($$SELECT grant_fdw.quote_literal('1960-01-01 00:00:00+00'::timestamptz, 'mysql')$$);
SELECT * FROM show_error($$SELECT grant_fdw.quote_literal('1 day'::interval, 'mysql')$$);
SELECT * FROM show_error($$SELECT grant_fdw.quote_literal('03:04:05+02'::timetz, 'mysql')$$);

-- bytea: hex for both
SELECT grant_fdw.quote_literal('\x00ff27'::bytea, 'pg') AS pg,
       grant_fdw.quote_literal('\x00ff27'::bytea, 'mysql') AS mysql,
       grant_fdw.quote_literal(''::bytea, 'mysql') AS empty;
SELECT eval_literal(grant_fdw.quote_literal('\x00ff275c'::bytea, 'pg')) AS back;

-- other types: a string of their output text
SELECT grant_fdw.quote_literal('{"a": "it''s"}'::jsonb, 'pg') AS jsonb,
       grant_fdw.quote_literal('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 'mysql') AS uuid;

-- arrays: an IN list; NULL elements and NULL itself are the keyword NULL
SELECT grant_fdw.quote_literal(ARRAY[1, -2, NULL], 'pg') AS ints,
       grant_fdw.quote_literal(ARRAY['a''b', 'c'], 'mysql') AS texts,
       grant_fdw.quote_literal('{}'::int[], 'pg') AS empty,
       grant_fdw.quote_literal(ARRAY[[1, 2], [3, 4]], 'pg') AS two_dims,
       grant_fdw.quote_literal(NULL::int, 'mysql') AS null_int,
       grant_fdw.quote_literal(NULL::text, 'pg') AS null_text;
SELECT eval_literal('(SELECT string_agg(g::text, '','') FROM generate_series(1, 5) g WHERE g IN '
                    || grant_fdw.quote_literal(ARRAY[2, 4], 'pg') || ')') AS in_list;

-- identifiers
SELECT v, grant_fdw.quote_identifier(v, 'postgresql') AS pg,
       grant_fdw.quote_identifier(v, 'mysql') AS mysql
  FROM (VALUES ('users'), ('Users'), ('select'), ('a"b'), ('a`b'), ('with space'),
               ('żółw'), ('$1'), (repeat('x', 63))) t(v);
SELECT * FROM show_error($$SELECT grant_fdw.quote_identifier('', 'pg')$$);
SELECT * FROM show_error($$SELECT grant_fdw.quote_identifier(repeat('x', 64), 'pg')$$);
SELECT * FROM show_error($$SELECT grant_fdw.quote_identifier(repeat('x', 65), 'mysql')$$);
SELECT * FROM show_error($$SELECT grant_fdw.quote_identifier('trailing ', 'mysql')$$);
SELECT * FROM show_error($$SELECT grant_fdw.quote_identifier('🐢', 'mysql')$$);
SELECT grant_fdw.quote_identifier(NULL, 'pg') IS NULL AS null_name;

-- adapters
SELECT * FROM show_error($$SELECT grant_fdw.quote_literal(1, 'oracle')$$);
SELECT * FROM show_error($$SELECT grant_fdw.quote_literal(1, NULL)$$);

-- NUL bytes and invalid UTF-8 never become text: PostgreSQL refuses them
-- before grant sees them (grant checks again; see the property test)
SELECT * FROM show_error($$SELECT grant_fdw.quote_literal(convert_from('\x610062'::bytea, 'UTF8'), 'mysql')$$);
SELECT * FROM show_error($$SELECT grant_fdw.quote_literal(convert_from('\xc328'::bytea, 'UTF8'), 'mysql')$$);

-- sanitize_sql: ? in order, $n by number
SELECT grant_fdw.sanitize_sql('pg', 'SELECT * FROM t WHERE a = ? AND b IN ? AND c = ?',
                              'it''s', ARRAY[1, 2], NULL::int);
SELECT grant_fdw.sanitize_sql('mysql', 'SELECT $2, $1, $2', 10, 'x');
SELECT grant_fdw.sanitize_sql('pg', 'SELECT ?, ?', VARIADIC ARRAY['a', 'b']);
SELECT grant_fdw.sanitize_sql('pg', 'SELECT 1');
-- placeholders inside quotes, comments and dollar quotes are text
SELECT grant_fdw.sanitize_sql('pg', $t$SELECT '?', "?", E'\'?', $$?$$, $x$ ? $x$ -- ?
  /* ? /* nested ? */ ? */ , ?$t$, 1);
SELECT grant_fdw.sanitize_sql('mysql', $t$SELECT '?', "?", `?`, '\\?' # ?
  -- ?
  /* ? */, ?$t$, 1);
-- a '$' inside a word is part of it, not a placeholder
SELECT grant_fdw.sanitize_sql('pg', 'SELECT a$1, ?', 2);
-- MySQL executable comments are SQL: their placeholders count
SELECT grant_fdw.sanitize_sql('mysql', 'SELECT 1 /*!50000 + ? */', 2);
-- an argument stays one token: no comment from '-', no word or string joined
SELECT grant_fdw.sanitize_sql('pg', 'SELECT 1-?, x?, ?e5, ''a''?', -1, 'y', 2, 'b');
SELECT eval_literal(grant_fdw.sanitize_sql('pg', '1-?', -1)) AS two;
-- mismatches and mixing
SELECT * FROM show_error($$SELECT grant_fdw.sanitize_sql('pg', 'SELECT ?, ?', 1)$$);
SELECT * FROM show_error($$SELECT grant_fdw.sanitize_sql('pg', 'SELECT ?', 1, 2)$$);
SELECT * FROM show_error($$SELECT grant_fdw.sanitize_sql('pg', 'SELECT ?')$$);
SELECT * FROM show_error($$SELECT grant_fdw.sanitize_sql('pg', 'SELECT $2', 1, 2)$$);
SELECT * FROM show_error($$SELECT grant_fdw.sanitize_sql('pg', 'SELECT $3', 1, 2)$$);
SELECT * FROM show_error($$SELECT grant_fdw.sanitize_sql('pg', 'SELECT $0', 1)$$);
SELECT * FROM show_error($$SELECT grant_fdw.sanitize_sql('pg', 'SELECT ?, $1', 1)$$);
-- unterminated quotes and comments
SELECT * FROM show_error($$SELECT grant_fdw.sanitize_sql('pg', 'SELECT ''?', 1)$$);
SELECT * FROM show_error($$SELECT grant_fdw.sanitize_sql('pg', 'SELECT $a$ ?', 1)$$);
SELECT * FROM show_error($$SELECT grant_fdw.sanitize_sql('pg', 'SELECT /* /* */ ?', 1)$$);
-- MySQL: a template read differently under NO_BACKSLASH_ESCAPES or
-- ANSI_QUOTES is refused
SELECT * FROM show_error($t$SELECT grant_fdw.sanitize_sql('mysql', $$SELECT 'a\'', ?, '?'$$, 1)$t$);
SELECT * FROM show_error($t$SELECT grant_fdw.sanitize_sql('mysql', $$SELECT "a\"?", ?$$, 1)$t$);
SELECT * FROM show_error($t$SELECT grant_fdw.sanitize_sql('mysql', $$SELECT '\' ? \' ?'$$, 1)$t$);
SELECT grant_fdw.sanitize_sql('mysql', $$SELECT 'a\\b', "c", ?$$, 1);
-- NULL template gives NULL
SELECT grant_fdw.sanitize_sql('pg', NULL, 1) IS NULL AS null_template;

DROP FUNCTION eval_literal(text);
DROP DOMAIN short_text;
