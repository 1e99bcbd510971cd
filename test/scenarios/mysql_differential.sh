#!/usr/bin/env bash
# mysql_differential — grant must never return a wrong row from MySQL.
#
# The same rows live in a MariaDB table (default collation utf8mb4_general_ci:
# case- and trailing-space-insensitive) and in a local PostgreSQL table.  Several
# hundred generated queries over every column type (varchar with mixed case and
# trailing spaces, text with accents, integers, bigints past 2^53, decimals,
# doubles, dates, datetimes, timestamps, booleans, FLOATs past six digits,
# unsigned ints and bigints at their edges, 30-digit decimals, NULLs) run on the local copy and
# through grant; every answer must be identical.  The same queries also run through
# mysql_fdw on the same MariaDB table, and the number of its wrong answers is
# printed for comparison (not asserted: it is another product's behaviour).
#
# Setup is done here, not in pg_regress, so that it needs nothing but the
# mariadb client: the MariaDB table with rmysql, the local side with lpsql.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

export LDB=grant_mysql_diff
work=$(mktemp -d)
cleanup() {
    rmysql -e 'DROP TABLE IF EXISTS diff_t' >/dev/null 2>&1 || true
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" >/dev/null 2>&1 || true
    rm -rf -- "$work"
}
trap cleanup EXIT

LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $LDB" -c "CREATE DATABASE $LDB"

# the rows and the queries, generated once, deterministic
python3 - "$work" <<'PY'
import itertools, random, sys
work = sys.argv[1]
random.seed(20240229)
vs = ['abc', 'ABC', 'abc ', 'Abc', 'abd', 'ab', 'é', 'É', 'e', ' abc', '', 'abc  ', 'a_c', 'a%c', 'zz', None]
ts_ = ['café', 'cafe', 'CAFÉ', 'Ça', 'ça', 'zèbre', 'Zebra', 'Straße', 'STRASSE', 'ñandú', None]
ints = [-3, -1, 0, 1, 2, 3, 5, 42, None]
bigs = [9007199254740992, 9007199254740993, 9007199254740994, -9007199254740993, 0, None]
decs = ['1.50', '1.5', '2.25', '-0.01', '100.00', '0.10', None]
dbls = ['0.1', '0.30000000000000004', '0.3', '-2.5', '1e10', '0', None]
dates = ['2024-02-29', '2024-01-01', '1999-12-31', '2000-01-01', None]
dtms = ['2024-01-01 12:00:00', '2024-01-01 11:59:59', '1999-12-31 23:59:59', None]
tss = ['2024-01-01 00:00:00', '2024-06-30 12:30:00', '2001-09-09 01:46:40', None]
bools = [True, False, None]
fls = ['1234567', '0.1', '16777217', '3.4e38', '-1.5', '1e-7', '0', None]
uns = [4294967295, 2147483648, 0, 7, None]
ubigs = [18446744073709551615, 9223372036854775808, 9223372036854775807, 1, None]
wdecs = ['12345678901234567890.0123456789', '-0.0000000001', '0.1000000000', '0', None]
rows = []
for i in range(1, 121):
    rows.append((i, random.choice(vs), random.choice(ts_), random.choice(ints),
                 random.choice(bigs), random.choice(decs), random.choice(dbls),
                 random.choice(dates), random.choice(dtms), random.choice(tss),
                 random.choice(bools), random.choice(fls), random.choice(uns),
                 random.choice(ubigs), random.choice(wdecs)))

def lit(v):
    if v is None:
        return 'NULL'
    if isinstance(v, bool):
        return '1' if v else '0'
    if isinstance(v, int):
        return str(v)
    return "'" + v.replace("'", "''") + "'"

def pglit(v):
    if isinstance(v, bool):
        return 'true' if v else 'false'
    return lit(v)

with open(f'{work}/mysql.sql', 'w') as f:
    f.write("""SET NAMES utf8mb4;
CREATE TABLE diff_t (id int PRIMARY KEY, v varchar(20), t text, i int, bi bigint,
  d decimal(10,2), f double, dt date, dtm datetime, ts timestamp NULL, b tinyint(1),
  fl float, u int unsigned, ub bigint unsigned, wd decimal(30,10))
  DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_general_ci;
SET time_zone = '+00:00';
""")
    for r in rows:
        f.write('INSERT INTO diff_t VALUES (' + ', '.join(lit(v) for v in r) + ');\n')

cols = """(id int, v varchar(20), t text, i int, bi bigint, d numeric(10,2), f float8,
  dt date, dtm timestamp, ts timestamptz, b boolean, fl real, u bigint, ub numeric(20,0),
  wd numeric(30,10))"""
with open(f'{work}/local.sql', 'w') as f:
    f.write(f"SET TimeZone = 'UTC';\nCREATE TABLE local_t {cols};\n")
    for r in rows:
        vals = list(r)
        if vals[9] is not None:
            vals[9] = vals[9] + '+00'
        f.write('INSERT INTO local_t VALUES (' + ', '.join(pglit(v) for v in vals) + ');\n')

preds = [
    "v = 'abc'", "v = 'ABC'", "v = 'abc '", "v <> 'abc'", "v < 'abd'", "v > 'ab'",
    "v >= 'abc'", "v <= 'Abc'", "v LIKE 'a%'", "v LIKE 'A_c'", "v LIKE '%c '",
    "v LIKE 'a_c'", "v NOT LIKE 'ab%'", "v ILIKE 'abc'", "v IN ('abc', 'ABC ')",
    "v NOT IN ('abc', 'e')", "v = 'é'", "v = 'e'", "v = ''", "v IS NULL",
    "v IS NOT NULL", "upper(v) = 'ABC'", "length(v) = 3", "v || 'x' = 'abcx'",
    "concat(v, NULL) = 'abc'", "v = ANY (ARRAY['abc', 'Abc'])", "v COLLATE \"C\" < 'b'",
    "t = 'café'", "t = 'CAFÉ'", "t <> 'cafe'", "t > 'c'", "t < 'Zebra'",
    "t LIKE 'caf%'", "t LIKE '%é'", "t = 'STRASSE'", "t IN ('ça', 'Straße')",
    "lower(t) = 'ça'", "t COLLATE \"C\" > 'Z'",
    "i = 3", "i <> 1", "i > 2", "i <= 0", "i IN (1, 2, 42)", "i IS NULL",
    "i / 2 = 1", "i % 2 = 1", "i * 1000000000 > 0", "-i > 0", "i::text = '3'",
    "bi = 9007199254740993", "bi > 9007199254740992", "bi < 0", "bi IN (9007199254740993, 0)",
    "bi = 9007199254740992.0", "bi::float8 = 9007199254740992",
    "d = 1.5", "d >= 2.25", "d < 0", "d = 0.1", "d IN (1.50, 100)", "d * 2 = 3",
    "d > i", "f = 0.1", "f = 0.3", "f < 0.3", "f > 0", "f = 1e10", "f + 0.2 = 0.3",
    "dt = '2024-02-29'", "dt > '2024-01-01'", "dt < '2000-01-01'", "dt IS NULL",
    "dt = '2024-01-01'::timestamp", "dt + 1 = '2024-03-01'", "extract(year from dt) = 2024",
    "dtm < '2024-01-01 12:00'", "dtm = '2024-01-01 12:00:00'", "dtm >= '1999-12-31 23:59:59'",
    "ts > '2024-01-01 00:00+00'", "ts = '2001-09-09 01:46:40+00'", "ts < '2024-06-30 14:30+02'",
    "b", "NOT b", "b IS NULL", "b = false", "b IS NOT TRUE", "b IS UNKNOWN",
    "v = 'abc' AND i > 0", "v = 'ABC' OR t = 'café'", "NOT (v = 'abc')",
    "(i > 2 OR d > 1) AND b", "v LIKE 'a%' AND NOT b", "coalesce(v, 'zz') = 'zz'",
    "v IS DISTINCT FROM 'abc'", "nullif(i, 3) IS NULL",
    "fl = 1234567", "fl = 16777216", "fl = 0.1", "fl = 0.1::real", "fl > 1e6", "fl < 0",
    "fl::float8 = 0.10000000149011612", "fl IS NULL", "fl * 2 = 2469134",
    "u = 4294967295", "u > 2147483647", "u = 0", "u IN (7, 4294967295)",
    "ub = 18446744073709551615", "ub > 9223372036854775807", "ub = 1", "ub::text LIKE '9%'",
    "wd = 12345678901234567890.0123456789", "wd < 0", "wd = 0.1", "wd > 1e19",
]
queries = []
for p in preds:
    queries.append((f"SELECT id FROM @T@ WHERE {p}", False))
    queries.append((f"SELECT count(*) FROM @T@ WHERE {p}", True))
for c in ['v', 't', 'i', 'bi', 'd', 'f', 'dt', 'dtm', 'ts', 'b', 'fl', 'u', 'ub', 'wd']:
    for order in ['', ' DESC', ' NULLS FIRST', ' DESC NULLS LAST']:
        queries.append((f"SELECT id, {c} FROM @T@ ORDER BY {c}{order}, id", True))
        queries.append((f"SELECT id FROM @T@ ORDER BY {c}{order}, id LIMIT 7", True))
        queries.append((f"SELECT id FROM @T@ ORDER BY {c}{order}, id LIMIT 5 OFFSET 3", True))
    queries.append((f"SELECT {c}, count(*) FROM @T@ GROUP BY {c}", False))
    queries.append((f"SELECT DISTINCT {c} FROM @T@", False))
    queries.append((f"SELECT min({c}), max({c}) FROM @T@", True) if c != 'b' else
                   ("SELECT bool_and(b), bool_or(b) FROM @T@", True))
    queries.append((f"SELECT count(DISTINCT {c}) FROM @T@", True))
for p in ["v = 'abc'", "t > 'c'", "i > 2", "dt > '2024-01-01'", "b"]:
    queries.append((f"SELECT id FROM @T@ WHERE {p} ORDER BY v COLLATE \"C\", id LIMIT 4", True))
    queries.append((f"SELECT v, t FROM @T@ WHERE {p} ORDER BY id", True))
queries.append(("SELECT string_agg(v, ',' ORDER BY id) FROM @T@", True))
queries.append(("SELECT sum(d), sum(i), avg(f)::numeric(20,10) FROM @T@", True))
queries.append(("SELECT v, count(*) FROM @T@ GROUP BY v HAVING count(*) > 3", False))
with open(f'{work}/queries.txt', 'w') as f:
    for q, ordered in queries:
        f.write(('O' if ordered else 'U') + '\t' + q + '\n')
print(len(queries))
PY

nq=$(wc -l <"$work/queries.txt")
ok "MariaDB table created" rmysql <"$work/mysql.sql"
ok "local copy created" lpsql -f "$work/local.sql"
ok "grant and mysql_fdw foreign tables" lpsql <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS "grant";
CREATE EXTENSION IF NOT EXISTS mysql_fdw;
SELECT grant_fdw.establish_connection('mydiff', 'mysql',
  format('mysql://grant_test:%s@127.0.0.1:%s/app', '$GRANT_TEST_PASSWORD', '$GRANT_MYSQL_PORT'));
CREATE SERVER mydiff FOREIGN DATA WRAPPER grant_fdw OPTIONS (database 'mydiff');
CREATE FOREIGN TABLE grant_t (id int OPTIONS (key 'true'), v varchar(20), t text, i int,
  bi bigint, d numeric(10,2), f float8, dt date, dtm timestamp, ts timestamptz, b boolean,
  fl real, u bigint, ub numeric(20,0), wd numeric(30,10))
  SERVER mydiff OPTIONS (table_name 'diff_t');
CREATE SERVER anchor FOREIGN DATA WRAPPER mysql_fdw
  OPTIONS (host '127.0.0.1', port '$GRANT_MYSQL_PORT');
CREATE USER MAPPING FOR CURRENT_USER SERVER anchor
  OPTIONS (username 'grant_test', password '$GRANT_TEST_PASSWORD');
CREATE FOREIGN TABLE anchor_t (id int, v varchar(20), t text, i int, bi bigint,
  d numeric(10,2), f float8, dt date, dtm timestamp, ts timestamptz, b boolean,
  fl real, u bigint, ub numeric(20,0), wd numeric(30,10))
  SERVER anchor OPTIONS (dbname 'app', table_name 'diff_t');
SQL

# one script per table; each answer framed by markers, errors kept inside
for target in local_t grant_t anchor_t; do
    {
        echo "SET TimeZone = 'UTC';"
        echo "SET extra_float_digits = 0;"
        n=0
        while IFS=$'\t' read -r _ q; do
            n=$((n + 1))
            echo "\\echo ==Q$n"
            echo "${q//@T@/$target};"
        done <"$work/queries.txt"
        echo "\\echo ==END"
    } >"$work/$target.sql"
    lpsql -v ON_ERROR_STOP=0 -f "$work/$target.sql" >"$work/$target.out" 2>&1 || true
done

python3 - "$work" <<'PY' >"$work/compare.txt"
import sys
work = sys.argv[1]
qs = [l.rstrip('\n').split('\t', 1) for l in open(f'{work}/queries.txt')]
def blocks(name):
    out, cur, key = {}, [], None
    for line in open(f'{work}/{name}.out'):
        line = line.rstrip('\n')
        if line.startswith('==Q') or line == '==END':
            if key is not None:
                out[key] = cur
            key, cur = (line[3:] if line != '==END' else None), []
        else:
            # error lines carry the script's line number: keep only the message
            if 'ERROR:' in line:
                line = 'ERROR:' + line.split('ERROR:', 1)[1]
            cur.append(line)
    return out
ref, gr, an = blocks('local_t'), blocks('grant_t'), blocks('anchor_t')
gwrong, awrong, aerr = [], 0, 0
for i, (kind, q) in enumerate(qs, 1):
    k = str(i)
    norm = (lambda b: b) if kind == 'O' else sorted
    r = norm(ref.get(k, ['missing']))
    if norm(gr.get(k, ['missing'])) != r:
        gwrong.append((q, ref.get(k), gr.get(k)))
    a = an.get(k, ['missing'])
    if any('ERROR:' in l for l in a):
        aerr += 1
    elif norm(a) != r:
        awrong += 1
print(f'grant_wrong={len(gwrong)}')
print(f'anchor_wrong={awrong}')
print(f'anchor_errors={aerr}')
print(f'reference_errors={sum(1 for b in ref.values() if any("ERROR:" in l for l in b))}')
for q, r, g in gwrong[:20]:
    print('# differs: ' + q)
    print('#   local: ' + ' | '.join(r or [])[:300])
    print('#   grant: ' + ' | '.join(g or [])[:300])
PY

grant_wrong=$(sed -n 's/^grant_wrong=//p' "$work/compare.txt")
anchor_wrong=$(sed -n 's/^anchor_wrong=//p' "$work/compare.txt")
anchor_errors=$(sed -n 's/^anchor_errors=//p' "$work/compare.txt")
reference_errors=$(sed -n 's/^reference_errors=//p' "$work/compare.txt")
grep '^#' "$work/compare.txt" || true
# a query that fails locally (integer overflow) must fail through grant too
diag "$reference_errors of the queries fail on the local copy (overflow): grant must fail alike"
is "grant answers all $nq queries exactly as the local copy" "$grant_wrong" 0
diag "mysql_fdw on the same table: $anchor_wrong of $nq answers differ from the local copy, $anchor_errors failed"

# the suite must exercise pushdown, or it proves nothing about it
plan=$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM grant_t WHERE v = 'abc' AND i > 2 ORDER BY d LIMIT 3")
like "text equality is compared remotely as bytes" "$plan" \
    "WHERE .*CAST\(CONVERT\(\`v\` USING utf8mb4\) AS BINARY\) = "
like "integer comparison, ORDER BY and LIMIT are computed remotely" "$plan" \
    "\(\`i\` > \(2\)\).* ORDER BY \(\`d\` IS NULL\) ASC, \`d\` ASC LIMIT 3"
plan=$(lpsql -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM grant_t WHERE v COLLATE \"und-x-icu\" < 'b' ORDER BY v COLLATE \"und-x-icu\"")
like "text ordering under a linguistic collation stays local" "$plan" \
    "Sort Key: .*und-x-icu.*Filter: .*Remote SQL: SELECT \`id\`, \`v\` FROM \`diff_t\`$"

finish
