/*-------------------------------------------------------------------------
 *
 * quote.c
 *		  SQL literals and identifiers for each remote dialect, and
 *		  sanitize_sql(): a template whose placeholders become literals.
 *
 * What a literal written here means does not depend on settings the
 * caller cannot see:
 *	- PostgreSQL: a string is '...' with quotes doubled, or E'...' with
 *	  backslashes doubled too when it holds a backslash, so it reads the
 *	  same whatever standard_conforming_strings says; dates and times are
 *	  written in ISO form (timestamptz in UTC, intervals in ISO 8601), so
 *	  the remote DateStyle and IntervalStyle do not matter.
 *	- MySQL/MariaDB: a string is a hex literal with a character set
 *	  introducer (_utf8mb4 X'...'): no quote, backslash or double quote to
 *	  interpret, so it reads the same under every sql_mode (with and
 *	  without NO_BACKSLASH_ESCAPES and ANSI_QUOTES), and the introducer
 *	  makes it a character string, never a binary string or a number.
 *	  Dates and times are DATE/TIME/TIMESTAMP '...' whose text holds only
 *	  digits, '-', ':', '.' and spaces, which no sql_mode reads otherwise.
 *	  Values MySQL cannot hold (NaN, infinities, BC dates, intervals) are
 *	  refused, never approximated.
 *	- A negative number is parenthesized, so no placeholder after a '-'
 *	  makes a '--' comment.
 *	- A string with a NUL byte or bytes that are not valid in the database
 *	  encoding is refused (22021); text for MySQL is converted to UTF-8
 *	  first.  In a SQL_ASCII database strings must be valid UTF-8, since
 *	  nothing else says what their bytes mean.
 *
 * Arrays become a parenthesized list "(a, b, c)", the right operand of IN
 * (an empty array gives "(NULL)", which matches nothing), in both dialects:
 * MySQL has no array type and an IN list is what templates need.
 *
 * Every function here returns memory palloc'd in CurrentMemoryContext.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "grant.h"

/* a placeholder found in a template */
typedef struct Placeholder
{
	int			offset;			/* byte offset in the template */
	int			length;			/* bytes it covers */
	int			number;			/* $n: n; ?: 0 */
} Placeholder;

/* how a template is read: the dialect and, for MySQL, the sql_mode */
typedef struct LexMode
{
	GrantAdapterKind dialect;
	bool		backslash_escapes;	/* MySQL: not NO_BACKSLASH_ESCAPES */
	bool		ansi_quotes;	/* MySQL: "..." is an identifier */
} LexMode;

static GrantAdapterKind dialect_arg(FunctionCallInfo fcinfo, int argno);
static void check_string(const char *s, int len, const char *what);
static char *to_utf8(const char *s, int len, const char *what);
static void append_hex(StringInfo buf, const unsigned char *p, int len);
static void append_number(StringInfo buf, const char *digits);
static void append_special_float(StringInfo buf, GrantAdapterKind dialect,
								 const char *value, const char *pgtype);
static void append_float(StringInfo buf, GrantAdapterKind dialect,
						 double value, bool is_float4);
static void append_numeric(StringInfo buf, GrantAdapterKind dialect,
						   Datum value);
static void append_date(StringInfo buf, GrantAdapterKind dialect,
						DateADT value);
static void append_timestamp(StringInfo buf, GrantAdapterKind dialect,
							 Timestamp value, bool with_zone);
static void append_time(StringInfo buf, GrantAdapterKind dialect,
						TimeADT value);
static void append_timetz(StringInfo buf, GrantAdapterKind dialect,
						  TimeTzADT *value);
static void append_interval(StringInfo buf, GrantAdapterKind dialect,
							Interval *value);
static void append_bytea(StringInfo buf, GrantAdapterKind dialect,
						 bytea *value);
static void append_array(StringInfo buf, GrantAdapterKind dialect,
						 Datum value, Oid elemtype);
static void refuse_for_mysql(const char *what, const char *why)
			pg_attribute_noreturn();
static bool is_ident_byte(unsigned char c);
static int	skip_quoted(const unsigned char *s, int len, int i,
						unsigned char q, bool escapes);
static int	lex_template(const char *sql, int len, LexMode mode,
						 Placeholder **found, const char **error);
static List *placeholders_of(GrantAdapterKind dialect, const char *sql,
							 int len);
static void append_separated(StringInfo buf, const char *literal,
							 const char *sql, int len, int from, int to);

/*
 * The adapter named by argument argno ('postgresql', 'mysql' or an
 * alias); an error when it is NULL or unknown.
 */
static GrantAdapterKind
dialect_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *name;
	GrantAdapterKind kind;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("adapter must not be null"),
				 errhint("Pass 'postgresql' or 'mysql'.")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (!grant_adapter_from_name(name, &kind))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown grant adapter \"%s\"", name),
				 errhint("Pass 'postgresql' (or 'postgres', 'pg') or 'mysql' (or 'mariadb').")));
	return kind;
}

/*
 * Refuse a string with a NUL byte or an invalid byte sequence.  A
 * SQL_ASCII database gives its bytes no meaning: there they must be UTF-8.
 */
static void
check_string(const char *s, int len, const char *what)
{
	int			encoding = GetDatabaseEncoding();
	const char *nul = memchr(s, '\0', len);
	int			valid;

	if (nul != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("cannot quote %s containing a NUL byte", what),
				 errdetail("The NUL byte is at byte %d.", (int) (nul - s) + 1)));
	if (encoding == PG_SQL_ASCII)
		encoding = PG_UTF8;
	valid = pg_encoding_verifymbstr(encoding, s, len);
	if (valid < len)
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("cannot quote %s that is not valid %s", what,
						pg_encoding_to_char(encoding)),
				 errdetail("The invalid byte sequence starts at byte %d with 0x%02x.",
						   valid + 1, (unsigned char) s[valid])));
}

/* s (checked) as UTF-8; may return s itself */
static char *
to_utf8(const char *s, int len, const char *what)
{
	int			encoding = GetDatabaseEncoding();

	check_string(s, len, what);
	if (encoding == PG_UTF8 || encoding == PG_SQL_ASCII)
		return (char *) s;
	return pg_server_to_any(s, len, PG_UTF8);
}

static void
append_hex(StringInfo buf, const unsigned char *p, int len)
{
	static const char digits[] = "0123456789ABCDEF";
	int			i;

	enlargeStringInfo(buf, len * 2);
	for (i = 0; i < len; i++)
	{
		buf->data[buf->len++] = digits[p[i] >> 4];
		buf->data[buf->len++] = digits[p[i] & 0x0F];
	}
	buf->data[buf->len] = '\0';
}

/*
 * A character string literal; s need not be NUL-terminated.  The one rule
 * for every literal grant writes in a dialect: the deparsers, the adapters
 * and the SQL functions all come here.
 */
void
grant_append_string(StringInfo buf, GrantAdapterKind dialect, const char *s, int len)
{
	int			i;

	if (dialect == GRANT_ADAPTER_MYSQL)
	{
		char	   *utf8 = to_utf8(s, len, "a string");

		if (utf8 != s)
			len = strlen(utf8);
		appendStringInfoString(buf, "_utf8mb4 X'");
		append_hex(buf, (const unsigned char *) utf8, len);
		appendStringInfoChar(buf, '\'');
		return;
	}

	check_string(s, len, "a string");
	if (memchr(s, '\\', len) != NULL)
		appendStringInfoChar(buf, 'E');
	appendStringInfoChar(buf, '\'');
	for (i = 0; i < len; i++)
	{
		if (s[i] == '\'' || s[i] == '\\')
			appendStringInfoChar(buf, s[i]);
		appendStringInfoChar(buf, s[i]);
	}
	appendStringInfoChar(buf, '\'');
}

/* digits as they are, a negative number in parentheses */
static void
append_number(StringInfo buf, const char *digits)
{
	if (digits[0] == '-')
		appendStringInfo(buf, "(%s)", digits);
	else
		appendStringInfoString(buf, digits);
}

static void
refuse_for_mysql(const char *what, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot quote %s for MySQL", what),
			 errdetail("%s", why)));
}

/* NaN and infinities: a typed string for PostgreSQL, refused for MySQL */
static void
append_special_float(StringInfo buf, GrantAdapterKind dialect,
					 const char *value, const char *pgtype)
{
	if (dialect == GRANT_ADAPTER_MYSQL)
		refuse_for_mysql(psprintf("%s value \"%s\"", pgtype, value),
						 "MySQL numbers have no NaN or infinity.");
	appendStringInfo(buf, "'%s'::%s", value, pgtype);
}

/* the shortest text that reads back as the same float */
static void
append_float(StringInfo buf, GrantAdapterKind dialect, double value,
			 bool is_float4)
{
	char		digits[64];
	const char *pgtype = is_float4 ? "real" : "double precision";

	if (isnan(value))
		append_special_float(buf, dialect, "NaN", pgtype);
	else if (isinf(value))
		append_special_float(buf, dialect, value > 0 ? "Infinity" : "-Infinity",
							 pgtype);
	else
	{
		if (is_float4)
			float_to_shortest_decimal_buf((float) value, digits);
		else
			double_to_shortest_decimal_buf(value, digits);
		append_number(buf, digits);
	}
}

static void
append_numeric(StringInfo buf, GrantAdapterKind dialect, Datum value)
{
	char	   *digits = DatumGetCString(DirectFunctionCall1(numeric_out, value));

	if (strcmp(digits, "NaN") == 0 || strcmp(digits, "Infinity") == 0 ||
		strcmp(digits, "-Infinity") == 0)
		append_special_float(buf, dialect, digits, "numeric");
	else
		append_number(buf, digits);
}

static void
append_date(StringInfo buf, GrantAdapterKind dialect, DateADT value)
{
	int			year,
				month,
				day;

	if (DATE_NOT_FINITE(value))
	{
		const char *text = DATE_IS_NOBEGIN(value) ? "-infinity" : "infinity";

		if (dialect == GRANT_ADAPTER_MYSQL)
			refuse_for_mysql(psprintf("date \"%s\"", text),
							 "MySQL dates are finite.");
		appendStringInfo(buf, "'%s'::date", text);
		return;
	}
	j2date(value + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	if (year <= 0)
	{
		if (dialect == GRANT_ADAPTER_MYSQL)
			refuse_for_mysql("a date before the Christian era",
							 "MySQL dates start at year 1.");
		appendStringInfo(buf, "DATE '%04d-%02d-%02d BC'", 1 - year, month, day);
		return;
	}
	if (year > 9999 && dialect == GRANT_ADAPTER_MYSQL)
		refuse_for_mysql("a date after year 9999",
						 "MySQL dates end at year 9999.");
	appendStringInfo(buf, "DATE '%04d-%02d-%02d'", year, month, day);
}

/*
 * timestamp, or timestamptz written in UTC.  For MySQL a timestamptz is
 * turned into the session time zone with CONVERT_TZ, which only converts
 * inside the TIMESTAMP range: an instant outside it is refused.
 */
static void
append_timestamp(StringInfo buf, GrantAdapterKind dialect, Timestamp value,
				 bool with_zone)
{
	struct pg_tm tm;
	fsec_t		fsec;
	char		text[MAXDATELEN + 1];
	const char *pgtype = with_zone ? "timestamp with time zone" : "timestamp";

	if (TIMESTAMP_NOT_FINITE(value))
	{
		const char *special = TIMESTAMP_IS_NOBEGIN(value) ? "-infinity" : "infinity";

		if (dialect == GRANT_ADAPTER_MYSQL)
			refuse_for_mysql(psprintf("%s \"%s\"", pgtype, special),
							 "MySQL timestamps are finite.");
		appendStringInfo(buf, "'%s'::%s", special, pgtype);
		return;
	}
	/* no time zone asked for: the fields of a timestamptz are in UTC */
	if (timestamp2tm(value, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	tm.tm_isdst = 0;			/* known: UTC, so the zone is printed */

	if (dialect == GRANT_ADAPTER_MYSQL)
	{
		if (tm.tm_year <= 0 || tm.tm_year > 9999)
			refuse_for_mysql(psprintf("%s outside years 1 to 9999", pgtype),
							 "MySQL dates start at year 1 and end at year 9999.");
		if (with_zone &&
			(tm.tm_year < 1970 || tm.tm_year > 2038 ||
			 (tm.tm_year == 1970 && tm.tm_mon == 1 && tm.tm_mday == 1 &&
			  tm.tm_hour == 0 && tm.tm_min == 0 && tm.tm_sec == 0) ||
			 (tm.tm_year == 2038 &&
			  (tm.tm_mon > 1 || tm.tm_mday > 19 ||
			   (tm.tm_mday == 19 &&
				(tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec) > 3 * 3600 + 14 * 60 + 7)))))
			refuse_for_mysql("a timestamp with time zone outside 1970-01-01 00:00:01 to 2038-01-19 03:14:07 UTC",
							 "MySQL converts time zones only inside the range of its TIMESTAMP type; pass a timestamp without time zone instead.");
		EncodeDateTime(&tm, fsec, false, 0, NULL, USE_ISO_DATES, text);
		if (with_zone)
			appendStringInfo(buf, "CONVERT_TZ(TIMESTAMP '%s', '+00:00', @@session.time_zone)",
							 text);
		else
			appendStringInfo(buf, "TIMESTAMP '%s'", text);
		return;
	}

	EncodeDateTime(&tm, fsec, with_zone, 0, NULL, USE_ISO_DATES, text);
	appendStringInfo(buf, "%s '%s'",
					 with_zone ? "TIMESTAMP WITH TIME ZONE" : "TIMESTAMP", text);
}

static void
append_time(StringInfo buf, GrantAdapterKind dialect, TimeADT value)
{
	struct pg_tm tm;
	fsec_t		fsec;
	char		text[MAXDATELEN + 1];

	time2tm(value, &tm, &fsec);
	EncodeTimeOnly(&tm, fsec, false, 0, USE_ISO_DATES, text);
	appendStringInfo(buf, "TIME '%s'", text);
}

static void
append_timetz(StringInfo buf, GrantAdapterKind dialect, TimeTzADT *value)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			tz;
	char		text[MAXDATELEN + 1];

	if (dialect == GRANT_ADAPTER_MYSQL)
		refuse_for_mysql("a time with time zone",
						 "MySQL has no time of day with a time zone.");
	timetz2tm(value, &tm, &fsec, &tz);
	EncodeTimeOnly(&tm, fsec, true, tz, USE_ISO_DATES, text);
	appendStringInfo(buf, "TIME WITH TIME ZONE '%s'", text);
}

static void
append_interval(StringInfo buf, GrantAdapterKind dialect, Interval *value)
{
	struct pg_itm itm;
	char		text[MAXDATELEN + 1];

	if (dialect == GRANT_ADAPTER_MYSQL)
		refuse_for_mysql("an interval",
						 "MySQL intervals are not values; write INTERVAL n unit in the template.");
	interval2itm(*value, &itm);
	EncodeInterval(&itm, INTSTYLE_ISO_8601, text);
	appendStringInfo(buf, "INTERVAL '%s'", text);
}

/*
 * Binary data: hex for both.  PostgreSQL's E'\\x..' is the hex form of
 * bytea input whatever standard_conforming_strings says.
 */
static void
append_bytea(StringInfo buf, GrantAdapterKind dialect, bytea *value)
{
	if (dialect == GRANT_ADAPTER_MYSQL)
	{
		appendStringInfoString(buf, "X'");
		append_hex(buf, (unsigned char *) VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
		appendStringInfoChar(buf, '\'');
		return;
	}
	appendStringInfoString(buf, "E'\\\\x");
	append_hex(buf, (unsigned char *) VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
	appendStringInfoString(buf, "'::bytea");
}

/* "(a, b, c)" of every element, in storage order; "(NULL)" when empty */
static void
append_array(StringInfo buf, GrantAdapterKind dialect, Datum value,
			 Oid elemtype)
{
	ArrayType  *array = DatumGetArrayTypeP(value);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	int			i;

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(array, elemtype, typlen, typbyval, typalign,
					  &elems, &nulls, &nelems);
	if (nelems == 0)
	{
		appendStringInfoString(buf, "(NULL)");
		return;
	}
	appendStringInfoChar(buf, '(');
	for (i = 0; i < nelems; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, ", ");
		grant_append_literal(buf, dialect, elems[i], nulls[i], elemtype);
	}
	appendStringInfoChar(buf, ')');
}

/*
 * Append the literal of a value of type typid (a domain counts as its base
 * type) in the dialect.  Types without a rule of their own are written as
 * a string of their output text, which the remote converts in context.
 */
void
grant_append_literal(StringInfo buf, GrantAdapterKind dialect, Datum value,
					 bool isnull, Oid typid)
{
	Oid			basetype;
	Oid			elemtype;

	if (isnull)
	{
		appendStringInfoString(buf, "NULL");
		return;
	}
	basetype = getBaseType(typid);

	elemtype = get_element_type(basetype);
	if (OidIsValid(elemtype) && get_typlen(basetype) == -1)
	{
		append_array(buf, dialect, value, elemtype);
		return;
	}

	switch (basetype)
	{
		case BOOLOID:
			appendStringInfoString(buf, DatumGetBool(value) ? "TRUE" : "FALSE");
			break;
		case INT2OID:
			appendStringInfo(buf, DatumGetInt16(value) < 0 ? "(%d)" : "%d",
							 (int) DatumGetInt16(value));
			break;
		case INT4OID:
			appendStringInfo(buf, DatumGetInt32(value) < 0 ? "(%d)" : "%d",
							 DatumGetInt32(value));
			break;
		case INT8OID:
			appendStringInfo(buf, DatumGetInt64(value) < 0 ? "(" INT64_FORMAT ")" : INT64_FORMAT,
							 DatumGetInt64(value));
			break;
		case OIDOID:
			appendStringInfo(buf, "%u", DatumGetObjectId(value));
			break;
		case FLOAT4OID:
			append_float(buf, dialect, DatumGetFloat4(value), true);
			break;
		case FLOAT8OID:
			append_float(buf, dialect, DatumGetFloat8(value), false);
			break;
		case NUMERICOID:
			append_numeric(buf, dialect, value);
			break;
		case DATEOID:
			append_date(buf, dialect, DatumGetDateADT(value));
			break;
		case TIMESTAMPOID:
			append_timestamp(buf, dialect, DatumGetTimestamp(value), false);
			break;
		case TIMESTAMPTZOID:
			append_timestamp(buf, dialect, DatumGetTimestampTz(value), true);
			break;
		case TIMEOID:
			append_time(buf, dialect, DatumGetTimeADT(value));
			break;
		case TIMETZOID:
			append_timetz(buf, dialect, DatumGetTimeTzADTP(value));
			break;
		case INTERVALOID:
			append_interval(buf, dialect, DatumGetIntervalP(value));
			break;
		case BYTEAOID:
			append_bytea(buf, dialect, DatumGetByteaPP(value));
			break;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			{
				text	   *t = DatumGetTextPP(value);

				grant_append_string(buf, dialect, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
				break;
			}
		default:
			{
				Oid			outfunc;
				bool		isvarlena;
				char	   *out;
				int			level;

				getTypeOutputInfo(basetype, &outfunc, &isvarlena);
				level = grant_begin_portable_output(grant_type_shows_timezone(basetype));
				out = OidOutputFunctionCall(outfunc, value);
				grant_end_portable_output(level);
				grant_append_string(buf, dialect, out, strlen(out));
				break;
			}
	}
}

/*
 * Append a quoted identifier.  PostgreSQL: quoted when it needs to be
 * (quote_identifier's rule), refused when longer than a name can be
 * rather than silently truncated.  MySQL: always in backticks with
 * backticks doubled (backticks mean the same under ANSI_QUOTES); refused
 * when MySQL would not keep it as written: more than 64 characters, a
 * trailing space (or tab, newline...), a character outside the Basic
 * Multilingual Plane.
 */
void
grant_append_identifier(StringInfo buf, GrantAdapterKind dialect,
						const char *name)
{
	int			len = strlen(name);

	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("cannot quote an empty identifier")));

	if (dialect == GRANT_ADAPTER_MYSQL)
	{
		char	   *utf8 = to_utf8(name, len, "an identifier");
		const unsigned char *p;
		int			nchars = 0;

		len = strlen(utf8);
		for (p = (const unsigned char *) utf8; *p; p += pg_utf_mblen(p))
		{
			if (*p >= 0xF0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_NAME),
						 errmsg("cannot quote identifier \"%s\" for MySQL", name),
						 errdetail("MySQL identifiers hold only characters of the Basic Multilingual Plane (up to U+FFFF).")));
			nchars++;
		}
		if (nchars > 64)
			ereport(ERROR,
					(errcode(ERRCODE_NAME_TOO_LONG),
					 errmsg("identifier \"%s\" is too long for MySQL", name),
					 errdetail("MySQL identifiers have at most 64 characters; this one has %d.", nchars)));
		if (strchr(" \t\n\v\f\r", utf8[len - 1]) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_NAME),
					 errmsg("cannot quote identifier \"%s\" for MySQL", name),
					 errdetail("MySQL identifiers cannot end with a space or other white space.")));
		appendStringInfoChar(buf, '`');
		for (p = (const unsigned char *) utf8; *p; p++)
		{
			if (*p == '`')
				appendStringInfoChar(buf, '`');
			appendStringInfoChar(buf, (char) *p);
		}
		appendStringInfoChar(buf, '`');
		return;
	}

	check_string(name, len, "an identifier");
	if (len >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("identifier \"%s\" is too long for PostgreSQL", name),
				 errdetail("PostgreSQL names have at most %d bytes; this one has %d.",
						   NAMEDATALEN - 1, len)));
	appendStringInfoString(buf, quote_identifier(name));
}

/*
 * grant_fdw.quote_literal(value anyelement | text, adapter text): the
 * literal of value in the adapter's dialect; NULL gives the keyword NULL.
 */
PG_FUNCTION_INFO_V1(grant_quote_literal);

Datum
grant_quote_literal(PG_FUNCTION_ARGS)
{
	GrantAdapterKind dialect = dialect_arg(fcinfo, 1);
	Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, 0);
	StringInfoData buf;

	if (!OidIsValid(typid))
		elog(ERROR, "could not determine the type of the value to quote");
	initStringInfo(&buf);
	grant_append_literal(&buf, dialect, PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0),
						 PG_ARGISNULL(0), typid);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/* grant_fdw.quote_identifier(name text, adapter text) */
PG_FUNCTION_INFO_V1(grant_quote_identifier);

Datum
grant_quote_identifier(PG_FUNCTION_ARGS)
{
	GrantAdapterKind dialect = dialect_arg(fcinfo, 1);
	StringInfoData buf;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	initStringInfo(&buf);
	grant_append_identifier(&buf, dialect, text_to_cstring(PG_GETARG_TEXT_PP(0)));
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}


/* ----------------------------------------------------------------
 * Templates
 * ----------------------------------------------------------------
 */

/* a byte that may continue an unquoted identifier (or a number) */
static bool
is_ident_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

/*
 * The end of the quoted run that opens with quote byte q at s[i]: the
 * index just past its closing quote, or -1 when it is not closed.  The
 * quote doubled stands for itself; with escapes, a backslash escapes the
 * byte after it.
 */
static int
skip_quoted(const unsigned char *s, int len, int i, unsigned char q,
			bool escapes)
{
	for (i++;; i++)
	{
		if (i >= len)
			return -1;
		if (escapes && s[i] == '\\')
		{
			i++;
			continue;
		}
		if (s[i] == q)
		{
			if (i + 1 < len && s[i + 1] == q)
			{
				i++;
				continue;
			}
			return i + 1;
		}
	}
}

/*
 * Find the placeholders of a template read in one mode: '?' and '$n'
 * outside string literals, quoted identifiers, comments and (PostgreSQL)
 * dollar quotes.  A '$' that continues an identifier is not a placeholder.
 * Returns the number found, the array in *found (palloc'd); -1 with
 * *error set when a quote or comment is not closed.
 */
static int
lex_template(const char *sql, int len, LexMode mode, Placeholder **found,
			 const char **error)
{
	const unsigned char *s = (const unsigned char *) sql;
	int			i = 0;
	int			n = 0;
	int			cap = 8;
	bool		pg = mode.dialect == GRANT_ADAPTER_POSTGRESQL;

	*found = palloc(sizeof(Placeholder) * cap);
	*error = NULL;

	while (i < len)
	{
		unsigned char c = s[i];
		bool		after_ident = i > 0 && is_ident_byte(s[i - 1]);

		if (c == '\'' || (c == '"' && !pg && !mode.ansi_quotes))
		{
			/* a string literal */
			bool		escapes;

			if (pg)
				escapes = i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') &&
					!(i > 1 && is_ident_byte(s[i - 2]));
			else
				escapes = mode.backslash_escapes;
			i = skip_quoted(s, len, i, c, escapes);
			if (i < 0)
			{
				*error = "unterminated quoted string";
				return -1;
			}
		}
		else if (c == '"' || (c == '`' && !pg))
		{
			/* a quoted identifier; the quote doubled stands for itself */
			i = skip_quoted(s, len, i, c, false);
			if (i < 0)
			{
				*error = "unterminated quoted identifier";
				return -1;
			}
		}
		else if (c == '-' && i + 1 < len && s[i + 1] == '-' &&
				 (pg || i + 2 >= len || s[i + 2] <= ' '))
		{
			while (i < len && s[i] != '\n')
				i++;
		}
		else if (c == '#' && !pg)
		{
			while (i < len && s[i] != '\n')
				i++;
		}
		else if (c == '/' && i + 1 < len && s[i + 1] == '*')
		{
			if (!pg && i + 2 < len &&
				(s[i + 2] == '!' || (s[i + 2] == 'M' && i + 3 < len && s[i + 3] == '!')))
			{
				/* MySQL runs what an executable comment holds: read it as SQL */
				i += s[i + 2] == '!' ? 3 : 4;
				continue;
			}
			else
			{
				int			depth = 1;

				i += 2;
				while (depth > 0)
				{
					if (i + 1 >= len)
					{
						*error = "unterminated comment";
						return -1;
					}
					if (s[i] == '*' && s[i + 1] == '/')
					{
						depth--;
						i += 2;
					}
					else if (pg && s[i] == '/' && s[i + 1] == '*')
					{
						/* PostgreSQL comments nest, MySQL's do not */
						depth++;
						i += 2;
					}
					else
						i++;
				}
			}
		}
		else if (c == '$' && !after_ident && i + 1 < len &&
				 s[i + 1] >= '0' && s[i + 1] <= '9')
		{
			int			start = i;
			int64		number = 0;

			for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			{
				number = number * 10 + (s[i] - '0');
				if (number > PG_INT32_MAX)
					number = PG_INT32_MAX;
			}
			if (n == cap)
			{
				cap *= 2;
				*found = repalloc(*found, sizeof(Placeholder) * cap);
			}
			(*found)[n].offset = start;
			(*found)[n].length = i - start;
			(*found)[n].number = number == 0 ? -1 : (int) number;
			n++;
		}
		else if (c == '$' && pg && !after_ident)
		{
			/* a dollar quote $tag$ ... $tag$, or a lone '$' */
			int			j = i + 1;

			while (j < len && is_ident_byte(s[j]) && s[j] != '$')
				j++;
			if (j < len && s[j] == '$')
			{
				int			taglen = j - i + 1;
				const char *close = NULL;
				int			k;

				for (k = j + 1; k + taglen <= len; k++)
				{
					if (memcmp(sql + k, sql + i, taglen) == 0)
					{
						close = sql + k;
						break;
					}
				}
				if (close == NULL)
				{
					*error = "unterminated dollar-quoted string";
					return -1;
				}
				i = (close - sql) + taglen;
			}
			else
				i++;
		}
		else if (c == '?')
		{
			if (n == cap)
			{
				cap *= 2;
				*found = repalloc(*found, sizeof(Placeholder) * cap);
			}
			(*found)[n].offset = i;
			(*found)[n].length = 1;
			(*found)[n].number = 0;
			n++;
			i++;
		}
		else if (c == '*' && !pg && i + 1 < len && s[i + 1] == '/')
			i += 2;				/* the end of an executable comment */
		else if (is_ident_byte(c))
		{
			/* a whole word, so that '$' inside it is seen as part of it */
			while (i < len && is_ident_byte(s[i]))
				i++;
		}
		else
			i++;
	}
	return n;
}

/*
 * The placeholders of a template, as a List of Placeholder pointers.  For
 * MySQL the template is read under each combination of
 * NO_BACKSLASH_ESCAPES and ANSI_QUOTES, and all readings must find the
 * same placeholders: otherwise what an argument becomes would depend on
 * the remote's sql_mode.
 */
static List *
placeholders_of(GrantAdapterKind dialect, const char *sql, int len)
{
	LexMode		modes[4];
	int			nmodes;
	Placeholder *first = NULL;
	int			nfirst = 0;
	int			m;
	List	   *result = NIL;

	MemSet(modes, 0, sizeof(modes));
	if (dialect == GRANT_ADAPTER_POSTGRESQL)
	{
		modes[0].dialect = dialect;
		nmodes = 1;
	}
	else
	{
		for (m = 0; m < 4; m++)
		{
			modes[m].dialect = dialect;
			modes[m].backslash_escapes = (m & 1) == 0;
			modes[m].ansi_quotes = (m & 2) != 0;
		}
		nmodes = 4;
	}

	for (m = 0; m < nmodes; m++)
	{
		Placeholder *found;
		const char *error;
		int			n = lex_template(sql, len, modes[m], &found, &error);

		if (n < 0)
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("%s in template", error),
					 nmodes > 1 ? errdetail("Read with sql_mode \"%s\".",
											m == 0 ? "" : m == 1 ? "NO_BACKSLASH_ESCAPES" :
											m == 2 ? "ANSI_QUOTES" :
											"ANSI_QUOTES,NO_BACKSLASH_ESCAPES") : 0));
		if (m == 0)
		{
			first = found;
			nfirst = n;
		}
		else if (n != nfirst || memcmp(found, first, sizeof(Placeholder) * n) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("template has different placeholders under different sql_mode settings"),
					 errdetail("A backslash or double quote in the template is read differently with NO_BACKSLASH_ESCAPES or ANSI_QUOTES."),
					 errhint("Pass such strings as arguments instead of writing them in the template.")));
	}
	for (m = 0; m < nfirst; m++)
		result = lappend(result, &first[m]);
	return result;
}

/*
 * Append a literal in place of sql[from..to), with a space on a side where
 * the neighbouring byte could otherwise join it into one token (a word, a
 * number, another quoted string): an argument is always one token.
 */
static void
append_separated(StringInfo buf, const char *literal, const char *sql,
				 int len, int from, int to)
{
	if (from > 0)
	{
		unsigned char before = (unsigned char) sql[from - 1];

		if (is_ident_byte(before) || before == '\'' || before == '"' ||
			before == '`' || before == '.' || before == '?')
			appendStringInfoChar(buf, ' ');
	}
	appendStringInfoString(buf, literal);
	if (to < len)
	{
		unsigned char after = (unsigned char) sql[to];

		if (is_ident_byte(after) || after == '\'' || after == '"' ||
			after == '`' || after == '.' || after == '?')
			appendStringInfoChar(buf, ' ');
	}
}

/*
 * grant_fdw.sanitize_sql(adapter text, template text, VARIADIC args "any"):
 * the template with each placeholder replaced by the literal of its
 * argument.  Placeholders are either all '?' (arguments in order) or all
 * '$n' (argument n, any order, repeatable; every argument used).  Also
 * declared without arguments, for a template with no placeholder.
 */
PG_FUNCTION_INFO_V1(grant_sanitize_sql);

Datum
grant_sanitize_sql(PG_FUNCTION_ARGS)
{
	GrantAdapterKind dialect = dialect_arg(fcinfo, 0);
	text	   *template_text;
	char	   *sql;
	int			len;
	int			nargs;
	Datum	   *values;
	bool	   *nulls;
	Oid		   *types;
	bool	   *used;
	List	   *placeholders;
	ListCell   *lc;
	int			nquestion = 0;
	int			ndollar = 0;
	int			next_arg = 0;
	int			pos = 0;
	int			i;
	StringInfoData buf;
	StringInfoData literal;

	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	template_text = PG_GETARG_TEXT_PP(1);
	sql = VARDATA_ANY(template_text);
	len = VARSIZE_ANY_EXHDR(template_text);
	check_string(sql, len, "a template");
	sql = text_to_cstring(template_text);

	/* the arguments, spread out when given as VARIADIC array */
	if (PG_NARGS() > 2 && get_fn_expr_variadic(fcinfo->flinfo))
	{
		Oid			arraytype = get_fn_expr_argtype(fcinfo->flinfo, 2);
		Oid			elemtype = get_base_element_type(arraytype);

		if (!OidIsValid(elemtype))
			elog(ERROR, "VARIADIC argument of sanitize_sql is not an array");
		if (PG_ARGISNULL(2))
		{
			nargs = 0;
			values = NULL;
			nulls = NULL;
		}
		else
		{
			int16		typlen;
			bool		typbyval;
			char		typalign;

			get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
			deconstruct_array(PG_GETARG_ARRAYTYPE_P(2), elemtype, typlen,
							  typbyval, typalign, &values, &nulls, &nargs);
		}
		types = palloc(sizeof(Oid) * Max(nargs, 1));
		for (i = 0; i < nargs; i++)
			types[i] = elemtype;
	}
	else
	{
		nargs = PG_NARGS() - 2;
		values = palloc(sizeof(Datum) * Max(nargs, 1));
		nulls = palloc(sizeof(bool) * Max(nargs, 1));
		types = palloc(sizeof(Oid) * Max(nargs, 1));
		for (i = 0; i < nargs; i++)
		{
			nulls[i] = PG_ARGISNULL(i + 2);
			values[i] = nulls[i] ? (Datum) 0 : PG_GETARG_DATUM(i + 2);
			types[i] = get_fn_expr_argtype(fcinfo->flinfo, i + 2);
			if (!OidIsValid(types[i]))
				elog(ERROR, "could not determine the type of argument %d", i + 1);
		}
	}

	placeholders = placeholders_of(dialect, sql, len);
	used = palloc0(sizeof(bool) * Max(nargs, 1));
	foreach(lc, placeholders)
	{
		Placeholder *ph = (Placeholder *) lfirst(lc);

		if (ph->number == 0)
			nquestion++;
		else
		{
			ndollar++;
			if (ph->number < 0 || ph->number > nargs)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_PARAMETER),
						 errmsg("there is no argument for placeholder %.*s",
								ph->length, sql + ph->offset),
						 errdetail_plural("%d argument was given.",
										  "%d arguments were given.",
										  nargs, nargs)));
			used[ph->number - 1] = true;
		}
	}
	if (nquestion > 0 && ndollar > 0)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("template mixes ? and $n placeholders"),
				 errhint("Use one style of placeholder in a template.")));
	if (ndollar == 0 && nquestion != nargs)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_PARAMETER),
				 errmsg_plural("template has %d placeholder but %d arguments were given",
							   "template has %d placeholders but %d arguments were given",
							   nquestion, nquestion, nargs)));
	for (i = 0; ndollar > 0 && i < nargs; i++)
		if (!used[i])
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_PARAMETER),
					 errmsg("argument %d is not used by the template", i + 1),
					 errhint("Refer to every argument with $n.")));

	initStringInfo(&buf);
	initStringInfo(&literal);
	foreach(lc, placeholders)
	{
		Placeholder *ph = (Placeholder *) lfirst(lc);
		int			arg = ph->number == 0 ? next_arg++ : ph->number - 1;

		appendBinaryStringInfo(&buf, sql + pos, ph->offset - pos);
		resetStringInfo(&literal);
		grant_append_literal(&literal, dialect, values[arg], nulls[arg], types[arg]);
		append_separated(&buf, literal.data, sql, len, ph->offset,
						 ph->offset + ph->length);
		pos = ph->offset + ph->length;
	}
	appendBinaryStringInfo(&buf, sql + pos, len - pos);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}
