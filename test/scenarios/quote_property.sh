#!/usr/bin/env bash
# quote_property.sh — literals and identifiers quoted by grant mean, on the
# real servers, exactly the value that was quoted.
#
# 100,000 random strings (quotes, backslashes, backticks, NUL, invalid
# UTF-8, multibyte characters, comment and dollar-quote markers ...) are
# quoted by grant in a SQL_ASCII database, where text may hold any byte
# but NUL, so that grant's own encoding check is what stands between
# invalid UTF-8 and the remote.  Each literal is then evaluated on the
# PostgreSQL writer (standard_conforming_strings on and off) and on
# MariaDB under sql_mode '', NO_BACKSLASH_ESCAPES, ANSI_QUOTES and both,
# 1,000 literals per statement, and its bytes compared (hex) with the
# string's.  A string must come back byte-identical or have been refused
# before sending; exactly the strings with NUL or invalid UTF-8 are refused.
# Half of the statements are built by sanitize_sql from templates whose
# quotes and comments hold placeholders too: each must still be one
# statement with one column per argument.  2,000 random identifiers go
# through CREATE TABLE and come back from information_schema.
#
# GRANT_QUOTE_SEED fixes the random seed (printed otherwise).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

db=grant_scenario_quote
tmp=$(mktemp -d)
cleanup() {
    rm -rf -- "$tmp"
    LDB=postgres lpsql -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    rpsql writer -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS quote_prop CASCADE" >/dev/null 2>&1 || true
    rmysql -e "DROP DATABASE IF EXISTS quote_prop" >/dev/null 2>&1 || true
}
trap cleanup EXIT

LDB=postgres lpsql -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS $db" \
    -c "CREATE DATABASE $db ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
LDB=$db lpsql -c 'CREATE EXTENSION "grant"'
is "remote writer database is UTF8" \
    "$(rpsql writer -c "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'app'")" UTF8
rpsql writer -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS quote_prop CASCADE" -c "CREATE SCHEMA quote_prop"
rmysql -e "DROP DATABASE IF EXISTS quote_prop; CREATE DATABASE quote_prop CHARACTER SET utf8mb4"

seed=${GRANT_QUOTE_SEED:-$RANDOM$RANDOM}
diag "seed $seed (GRANT_QUOTE_SEED=$seed repeats this run)"

cat >"$tmp/prop.py" <<'PYTHON'
import os, random, subprocess, sys

seed, tmp, db = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rng = random.Random(seed)
NSTRINGS, BATCH, NIDENTS = 100000, 1000, 2000
pgbin = os.environ.get("GRANT_PGBIN", "/usr/lib/postgresql/15/bin")
env = os.environ
summary = {}

def psql(port, dbname, sql_bytes, extra=()):
    r = subprocess.run([pgbin + "/psql", "-X", "-A", "-t", "-q", "-F", "\t",
                        "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(port),
                        "-U", "postgres", "-d", dbname, *extra],
                       input=sql_bytes, capture_output=True,
                       env=dict(env, PGCLIENTENCODING="UTF8"))
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode("utf-8", "replace")[:2000])
    return r.returncode, r.stdout

def mysql(sql_bytes, dbname="quote_prop"):
    r = subprocess.run(["mariadb", "--no-defaults", "-S", env["GRANT_MYSQL_SOCKET"],
                        "-u", "root", "-N", "-B", "--default-character-set=utf8mb4",
                        dbname], input=sql_bytes, capture_output=True)
    return r.returncode, r.stdout, r.stderr

def local(sql):
    return psql(env["GRANT_LOCAL_PORT"], db, sql.encode())

# ---- random strings -------------------------------------------------
# invalid UTF-8 and NUL come rarer than the rest: most strings must reach
# the servers
INVALID = [b"\x00", b"\x80", b"\xc3", b"\xff", b"\xed\xa0\x80", b"\xc0\xaf",
           b"\xf4\x90\x80\x80", b"\xe6\xbc"]
PIECES = [b"'", b"''", b"\\", b"\\'", b"`", b'"', b"--", b"-- ", b"/*", b"*/",
          b"#", b"$$", b"$a$", b"?", b"$1", b";", b"\n", b"\r", b"\t", b"\x1a", b"%", b"_",
          b"\\N", b"\\0", b"0x", b"X'", b"N'", b"_utf8mb4", b"e'", b"E'",
          "é".encode(), "漢字".encode(), "😀".encode(), "\u0080".encode(),
          "\uffff".encode(), "\u2028".encode(), "\u00a0".encode(),
          b"\\\\", b"\\''", b"''\\"]

def random_string():
    out = bytearray()
    for _ in range(rng.randint(0, 12)):
        r = rng.random()
        if r < 0.015:
            out += rng.choice(INVALID)
        elif r < 0.6:
            out += rng.choice(PIECES)
        else:
            out += bytes(rng.choice(b"abcXYZ019 ,.()=+-*/<>|&!@~^") for _ in range(rng.randint(1, 4)))
    return bytes(out)

def valid_text(b):
    if b"\x00" in b:
        return False
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False

strings = [random_string() for _ in range(NSTRINGS - 3)] + [b"", b"'", b"\\"]
nvalid = sum(1 for s in strings if valid_text(s))
summary["strings"] = len(strings)
summary["strings_invalid"] = len(strings) - nvalid

# ---- quote every string locally, both adapters ----------------------
with open(tmp + "/strings.copy", "w") as f:
    for i, s in enumerate(strings):
        f.write("%d\t\\\\x%s\n" % (i, s.hex()))
rc, out = local("""
CREATE TEMP TABLE s (i int, b bytea);
\\copy s FROM '%s/strings.copy'
CREATE FUNCTION pg_temp.q(b bytea, adapter text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
  RETURN encode(convert_to(grant_fdw.quote_literal(convert_from(b, 'SQL_ASCII'), adapter), 'SQL_ASCII'), 'hex');
EXCEPTION WHEN OTHERS THEN
  RETURN '!' || SQLSTATE || ' ' || SQLERRM;
END $f$;
SELECT i, pg_temp.q(b, 'postgresql'), pg_temp.q(b, 'mysql') FROM s ORDER BY i;
""" % tmp)
if rc != 0:
    sys.exit("local quoting failed")
lit = {"pg": {}, "mysql": {}}
refused = {"pg": {}, "mysql": {}}
for line in out.decode("ascii").splitlines():
    i, qp, qm = line.split("\t", 2)
    for key, q in (("pg", qp), ("mysql", qm)):
        if q.startswith("!"):
            refused[key][int(i)] = q[1:]
        else:
            lit[key][int(i)] = bytes.fromhex(q)

for key in ("pg", "mysql"):
    wrong_refusal = [i for i in refused[key] if valid_text(strings[i])]
    wrong_accept = [i for i in lit[key] if not valid_text(strings[i])]
    # invalid UTF-8 without NUL reaches grant, which must say 22021
    not_grant = [i for i, e in refused[key].items()
                 if b"\x00" not in strings[i] and not e.startswith("22021 cannot quote")]
    summary[key + "_refused"] = len(refused[key])
    summary[key + "_wrongly_refused"] = len(wrong_refusal)
    summary[key + "_wrongly_accepted"] = len(wrong_accept)
    summary[key + "_refused_not_by_grant"] = len(not_grant)
    for i in (wrong_refusal + wrong_accept + not_grant)[:3]:
        print("# %s: string %r refused=%r" % (key, strings[i], refused[key].get(i)), file=sys.stderr)

accepted = sorted(lit["pg"])

# ---- statements: literals directly, or sanitize_sql templates -------
# Each template part holds one placeholder among look-alikes in quotes,
# quoted identifiers and comments, and hex-encodes its value; its expected
# value is the argument plus what the part adds.
PG_HEX = "encode(convert_to(%s, 'UTF8'), 'hex')"
PG_PARTS = [(PG_HEX % "?", b""), (PG_HEX % "CONCAT(?, '?')", b"?"),
            (PG_HEX % "? /* ? /* ? */ */", b""), (PG_HEX % "CONCAT(?, $$?$$)", b"?"),
            (PG_HEX % "CONCAT(?, E'?\\'')" + ' AS "?"', b"?'"),
            (PG_HEX % "? -- ?\n", b"")]
MY_PARTS = [("HEX(?)", b""), ("HEX(CONCAT(?, '?'))", b"?"), ("HEX(? /* ? */)", b""),
            ("HEX(?) AS `?`", b""), ("HEX(?) # ?\n", b""), ("HEX(?) -- ?\n", b"")]

all_batches = [(k // BATCH, accepted[k:k + BATCH]) for k in range(0, len(accepted), BATCH)]
san_ids = [ids for n, ids in all_batches if n % 2 == 1]
summary["sanitize_statements"] = len(san_ids) * 2

def sanitized(adapter, parts, ids):
    """statements built by sanitize_sql, one per batch, and the suffixes
    their parts add to each value"""
    stmts, suffixes = [], []
    for ids_k in ids:
        chosen = [rng.randrange(len(parts)) for _ in ids_k]
        tpl = "SELECT " + ", ".join(parts[c][0] for c in chosen)
        args = ", ".join("convert_from('\\x%s'::bytea, 'SQL_ASCII')" % strings[i].hex() for i in ids_k)
        stmts.append("SELECT encode(convert_to(grant_fdw.sanitize_sql('%s', $tpl$%s$tpl$, VARIADIC ARRAY[%s]), 'SQL_ASCII'), 'hex');"
                     % (adapter, tpl, args))
        suffixes.append([parts[c][1] for c in chosen])
    rc, out = local("\n".join(stmts))
    if rc != 0:
        sys.exit("sanitize_sql failed")
    return [bytes.fromhex(l) for l in out.decode("ascii").splitlines()], suffixes

def statements(adapter, hex_of, parts):
    """(statement, expected values) per batch: even batches concatenate
    quote_literal's literals, odd ones come from sanitize_sql"""
    san, suffixes = sanitized(adapter, parts, san_ids)
    result, si = [], 0
    for n, ids in all_batches:
        if n % 2 == 0:
            sql = b"SELECT " + b", ".join(hex_of(lit[adapter][i]) for i in ids) + b";"
            expected = [strings[i] for i in ids]
        else:
            sql = san[si] + b";"
            expected = [strings[i] + suffixes[si][j] for j, i in enumerate(ids)]
            si += 1
        result.append((sql, expected))
    return result

def check(label, output, stmts):
    """one line per statement, one field per value, each the value's hex"""
    lines = output.decode("ascii", "replace").splitlines()
    mismatches = 0
    shape = abs(len(lines) - len(stmts))
    for line, (_, expected) in zip(lines, stmts):
        fields = line.split("\t")
        if len(fields) != len(expected):
            shape += 1
            continue
        for got, want in zip(fields, expected):
            if got.lower() != want.hex():
                mismatches += 1
                if mismatches <= 3:
                    print("# %s: want %s got %s" % (label, want.hex(), got), file=sys.stderr)
    summary[label + "_values"] = sum(len(e) for _, e in stmts)
    summary[label + "_mismatches"] = mismatches
    summary[label + "_shape_errors"] = shape

pg_stmts = statements("pg", lambda l: b"encode(convert_to(" + l + b", 'UTF8'), 'hex')", PG_PARTS)
for scs in ("on", "off"):
    body = (b"SET standard_conforming_strings = " + scs.encode() + b";\nSET escape_string_warning = off;\n"
            + b"\n".join(s for s, _ in pg_stmts) + b"\n")
    rc, out = psql(env["GRANT_WRITER_PORT"], "app", body)
    summary["pg_scs_" + scs + "_exit"] = rc
    check("pg_scs_" + scs, out, pg_stmts)

my_stmts = statements("mysql", lambda l: b"HEX(" + l + b")", MY_PARTS)
for mode in ("", "NO_BACKSLASH_ESCAPES", "ANSI_QUOTES", "ANSI_QUOTES,NO_BACKSLASH_ESCAPES"):
    label = "mysql_" + (mode.replace(",", "+") or "default")
    body = b"SET SESSION sql_mode = '" + mode.encode() + b"';\n" + b"\n".join(s for s, _ in my_stmts) + b"\n"
    rc, out, err = mysql(body)
    if rc != 0:
        sys.stderr.write(err.decode("utf-8", "replace")[:2000])
    summary[label + "_exit"] = rc
    check(label, out, my_stmts)

# ---- identifiers ------------------------------------------------------
IDENT_PIECES = [b"'", b"\"", b"`", b"``", b"\\", b" ", b".", b"-", b"$", b"$1", b"#", b"--", b"/*",
                b"?", b";", b"select", b"Table", b"\t", "é".encode(), "Ω".encode(), "漢".encode(),
                "😀".encode(), b"\xc3", b"\x00"]
def random_ident():
    out = bytearray()
    for _ in range(rng.randint(1, 8)):
        if rng.random() < 0.5:
            out += rng.choice(IDENT_PIECES)
        else:
            out += bytes(rng.choice(b"abcxyzABC_019") for _ in range(rng.randint(1, 5)))
    return bytes(out)
idents = [random_ident() for _ in range(NIDENTS)]
summary["identifiers"] = len(idents)
with open(tmp + "/idents.copy", "w") as f:
    for i, s in enumerate(idents):
        f.write("%d\t\\\\x%s\n" % (i, s.hex()))
rc, out = local("""
CREATE TEMP TABLE s (i int, b bytea);
\\copy s FROM '%s/idents.copy'
CREATE FUNCTION pg_temp.q(b bytea, adapter text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
  RETURN encode(convert_to(grant_fdw.quote_identifier(convert_from(b, 'SQL_ASCII'), adapter), 'SQL_ASCII'), 'hex');
EXCEPTION WHEN OTHERS THEN
  RETURN '!' || SQLSTATE;
END $f$;
SELECT i, pg_temp.q(b, 'postgresql'), pg_temp.q(b, 'mysql') FROM s ORDER BY i;
""" % tmp)
if rc != 0:
    sys.exit("local identifier quoting failed")
qid = {"pg": {}, "mysql": {}}
for line in out.decode("ascii").splitlines():
    i, qp, qm = line.split("\t", 2)
    for key, q in (("pg", qp), ("mysql", qm)):
        if not q.startswith("!"):
            qid[key][int(i)] = bytes.fromhex(q)

def pg_ident_ok(b):
    return valid_text(b) and 0 < len(b) <= 63
def my_ident_ok(b):
    if not valid_text(b) or not b:
        return False
    t = b.decode()
    return len(t) <= 64 and t[-1] not in " \t\n\v\f\r" and all(ord(c) <= 0xFFFF for c in t)
for key, ok in (("pg", pg_ident_ok), ("mysql", my_ident_ok)):
    wrong = [i for i in range(len(idents)) if (i in qid[key]) != ok(idents[i])]
    summary[key + "_identifiers_refused"] = len(idents) - len(qid[key])
    summary[key + "_identifiers_wrong_refusal"] = len(wrong)
    for i in wrong[:3]:
        print("# %s identifier %r accepted=%r" % (key, idents[i], i in qid[key]), file=sys.stderr)

def unique_groups(ids, fold):
    """groups of up to 50 identifiers no two of which collide under fold"""
    groups, cur, seen = [], [], set()
    for i in ids:
        k = fold(idents[i])
        if k in seen or len(cur) == 50:
            groups.append(cur)
            cur, seen = [], set()
        cur.append(i)
        seen.add(k)
    if cur:
        groups.append(cur)
    return groups

# PostgreSQL: names are compared byte for byte
ids = sorted(qid["pg"])
ids = [i for k, i in enumerate(ids) if idents[i] not in {idents[j] for j in ids[:k]}] if len(ids) < 50 else \
      list({idents[i]: i for i in ids}.values())
groups = unique_groups(ids, lambda b: b)
sql = []
for g, grp in enumerate(groups):
    sql.append(b"CREATE TABLE quote_prop.t%d (" % g + b", ".join(qid["pg"][i] + b" int" for i in grp) + b");")
    sql.append(b"SELECT string_agg(encode(convert_to(column_name::text, 'UTF8'), 'hex'), ',' ORDER BY ordinal_position) "
               b"FROM information_schema.columns WHERE table_schema = 'quote_prop' AND table_name = 't%d';" % g)
rc, out = psql(env["GRANT_WRITER_PORT"], "app", b"\n".join(sql) + b"\n")
lines = out.decode("ascii").splitlines()
bad = 0 if rc == 0 and len(lines) == len(groups) else len(groups)
for line, grp in zip(lines, groups):
    got = line.split(",")
    bad += sum(1 for a, i in zip(got, grp) if a != idents[i].hex()) + abs(len(got) - len(grp))
summary["pg_identifiers_checked"] = len(ids)
summary["pg_identifier_mismatches"] = bad

# MariaDB: column names compare without case and accents, so a group
# holds names that differ under a generous fold; tables created under
# ANSI_QUOTES,NO_BACKSLASH_ESCAPES, names read back in the default mode
import unicodedata
def fold(b):
    t = unicodedata.normalize("NFKD", b.decode()).casefold()
    return "".join(c for c in t if not unicodedata.combining(c)).rstrip()
ids = list({fold(idents[i]): i for i in sorted(qid["mysql"])}.values())
groups = unique_groups(ids, fold)
sql = [b"SET SESSION sql_mode = 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES';"]
for g, grp in enumerate(groups):
    sql.append(b"CREATE TABLE `t%d` (" % g + b", ".join(qid["mysql"][i] + b" int" for i in grp) + b");")
sql.append(b"SET SESSION sql_mode = '';")
for g, grp in enumerate(groups):
    sql.append(b"SELECT GROUP_CONCAT(HEX(COLUMN_NAME) ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS "
               b"WHERE TABLE_SCHEMA = 'quote_prop' AND TABLE_NAME = 't%d';" % g)
# a few as table names too: they become file names on the server
tables = ids[:200]
for i in tables:
    sql.append(b"CREATE TABLE " + qid["mysql"][i] + b" (x int);")
sql.append(b"SELECT HEX(TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'quote_prop' AND TABLE_NAME NOT LIKE 't%' ORDER BY 1;")
rc, out, err = mysql(b"SET SESSION group_concat_max_len = 1000000;\n" + b"\n".join(sql) + b"\n")
if rc != 0:
    sys.stderr.write(err.decode("utf-8", "replace")[:2000])
lines = out.decode("ascii").splitlines()
bad = 0 if rc == 0 else len(groups)
for line, grp in zip(lines[:len(groups)], groups):
    got = line.split(",")
    bad += sum(1 for a, i in zip(got, grp) if a.lower() != idents[i].hex()) + abs(len(got) - len(grp))
summary["mysql_identifiers_checked"] = len(ids)
summary["mysql_identifier_mismatches"] = bad
want_tables = sorted(idents[i].hex().upper() for i in tables if not idents[i].decode().lower().startswith("t"))
got_tables = sorted(l.upper() for l in lines[len(groups):])
summary["mysql_table_names_checked"] = len(want_tables)
summary["mysql_table_name_mismatches"] = 0 if got_tables == want_tables else max(1, len(set(got_tables) ^ set(want_tables)))

for k, v in summary.items():
    print(k, v)
PYTHON

start=$SECONDS
python3 "$tmp/prop.py" "$seed" "$tmp" "$db" >"$tmp/summary" 2>"$tmp/errors" || true
elapsed=$((SECONDS - start))
if [[ -s $tmp/errors ]]; then
    sed 's/^/# /' "$tmp/errors" | head -20
fi
get() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/summary"; }

diag "$(get strings) strings, $(get strings_invalid) with NUL or invalid UTF-8; ${elapsed}s"
is "100,000 strings generated" "$(get strings)" 100000
for key in pg mysql; do
    diag "$key: $(get ${key}_refused) refused before sending"
    is "$key: no valid string refused" "$(get ${key}_wrongly_refused)" 0
    is "$key: every string with NUL or invalid UTF-8 refused" "$(get ${key}_wrongly_accepted)" 0
    is "$key: invalid UTF-8 refused by grant with 22021" "$(get ${key}_refused_not_by_grant)" 0
done
for label in pg_scs_on pg_scs_off mysql_default mysql_NO_BACKSLASH_ESCAPES mysql_ANSI_QUOTES \
    mysql_ANSI_QUOTES+NO_BACKSLASH_ESCAPES; do
    diag "$label: $(get ${label}_values) values evaluated"
    is "$label: statements ran" "$(get ${label}_exit)" 0
    like "$label: every accepted string evaluated" "$(get ${label}_values)" '^[0-9]{5,}$'
    is "$label: byte-identical values" "$(get ${label}_mismatches)" 0
    is "$label: one statement, one column per argument" "$(get ${label}_shape_errors)" 0
done
diag "identifiers: $(get identifiers); refused pg $(get pg_identifiers_refused), mysql $(get mysql_identifiers_refused)"
is "pg: identifiers refused exactly when PostgreSQL cannot keep them" "$(get pg_identifiers_wrong_refusal)" 0
is "mysql: identifiers refused exactly when MySQL cannot keep them" "$(get mysql_identifiers_wrong_refusal)" 0
like "pg: identifiers checked" "$(get pg_identifiers_checked)" '^[0-9]{3,}$'
is "pg: column names back from information_schema" "$(get pg_identifier_mismatches)" 0
like "mysql: identifiers checked" "$(get mysql_identifiers_checked)" '^[0-9]{3,}$'
is "mysql: column names back from information_schema" "$(get mysql_identifier_mismatches)" 0
is "mysql: table names back from information_schema" "$(get mysql_table_name_mismatches)" 0
finish
