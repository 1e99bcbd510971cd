/*-------------------------------------------------------------------------
 *
 * url.c
 *		  Parse connection URLs into endpoints, and print them back without
 *		  their secrets.
 *
 * PostgreSQL URIs (postgres://, postgresql://) and libpq keyword strings
 * ("host=... port=...") are parsed by libpq itself (PQconninfoParse), so
 * grant accepts exactly what libpq accepts.  This is the one file besides
 * the adapters that includes libpq-fe.h, and it only parses: it never
 * connects.
 *
 * MySQL/MariaDB URIs (mysql://, mariadb://) have no parser in MariaDB
 * Connector/C; the small one here reads
 *
 *		mysql://[user[:password]@][host|[ipv6]][:port][/database][?k=v&...]
 *
 * with percent-decoding of every part.  Query parameters are checked
 * against a fixed table (mysql_params below); an unknown one is an error
 * whose hint lists the known ones, because a silently ignored "ssl-mode"
 * typo would quietly downgrade security.
 *
 * Invariant: no error raised here contains the password or the value of a
 * secret option.  libpq's own parse errors may quote the input, so their
 * quoted parts are masked before they reach errdetail.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <limits.h>

#include "libpq-fe.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"

#include "grant.h"

/* how the value of a MySQL query parameter is checked and normalized */
typedef enum MysqlParamKind
{
	MYSQL_PARAM_TEXT,			/* any non-empty text */
	MYSQL_PARAM_SECONDS,		/* positive integer */
	MYSQL_PARAM_BOOL,			/* normalized to "true"/"false" */
	MYSQL_PARAM_SSL_MODE		/* one of ssl_modes, upper case */
} MysqlParamKind;

typedef struct MysqlParam
{
	const char *name;			/* canonical spelling */
	MysqlParamKind kind;
} MysqlParam;

/*
 * Query parameters of a mysql:// URL, alphabetical.  Names match with '-'
 * and '_' taken as equal and case ignored; the canonical spelling is what
 * the registry stores and the MySQL adapter reads.
 */
static const MysqlParam mysql_params[] = {
	{"charset", MYSQL_PARAM_TEXT},
	{"compress", MYSQL_PARAM_BOOL},
	{"connect_timeout", MYSQL_PARAM_SECONDS},
	{"read_timeout", MYSQL_PARAM_SECONDS},
	{"socket", MYSQL_PARAM_TEXT},
	{"ssl-ca", MYSQL_PARAM_TEXT},
	{"ssl-capath", MYSQL_PARAM_TEXT},
	{"ssl-cert", MYSQL_PARAM_TEXT},
	{"ssl-cipher", MYSQL_PARAM_TEXT},
	{"ssl-crl", MYSQL_PARAM_TEXT},
	{"ssl-key", MYSQL_PARAM_TEXT},
	{"ssl-mode", MYSQL_PARAM_SSL_MODE},
	{"ssl-passphrase", MYSQL_PARAM_TEXT},
	{"tls-version", MYSQL_PARAM_TEXT},
	{"write_timeout", MYSQL_PARAM_SECONDS},
	{NULL, MYSQL_PARAM_TEXT}
};

static const char *const ssl_modes[] = {
	"DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY", NULL
};

/* libpq keywords grant sets itself, or that change what a connection is */
static const char *const pg_refused_keywords[] = {
	"client_encoding", "replication", NULL
};

static bool has_prefix_ci(const char *s, const char *prefix);
static char *mask_libpq_message(const char *msg, bool *masked);
static char *percent_decode(const char *s, int len, const char *what);
static void percent_encode(StringInfo buf, const char *s, const char *keep);
static int	parse_port(const char *s, int len);
static const MysqlParam *find_mysql_param(const char *name);
static char *nonempty_or_null(const char *s);
static void clear_connection_fields(GrantEndpoint *ep,
									GrantAdapterKind adapter);
static void bad_param_value(const MysqlParam *param, const char *value,
							const char *hint) pg_attribute_noreturn();

/*
 * Which adapter a URL's scheme names.  Returns false for a string with no
 * "scheme://" that looks like a libpq keyword string (kind is then
 * PostgreSQL too, but the caller may want to know it was not a URI).
 * Raises an error for a scheme grant does not know; the message names the
 * scheme only, never the rest of the URL.
 */
bool
grant_url_adapter(const char *url, GrantAdapterKind *kind)
{
	const char *sep;

	if (has_prefix_ci(url, "postgresql://") || has_prefix_ci(url, "postgres://"))
	{
		*kind = GRANT_ADAPTER_POSTGRESQL;
		return true;
	}
	if (has_prefix_ci(url, "mysql://") || has_prefix_ci(url, "mariadb://"))
	{
		*kind = GRANT_ADAPTER_MYSQL;
		return true;
	}

	sep = strstr(url, "://");
	if (sep != NULL)
	{
		const char *p;
		bool		scheme_like = (sep > url);

		/* report the scheme only when it looks like one */
		for (p = url; p < sep && scheme_like; p++)
			if (!isalnum((unsigned char) *p) && *p != '+' && *p != '-' && *p != '.')
				scheme_like = false;
		if (scheme_like)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unsupported URL scheme \"%.*s\"", (int) (sep - url), url),
					 errhint("Use a postgresql://, postgres://, mysql:// or mariadb:// URL, or a libpq keyword string.")));
	}

	if (strchr(url, '=') == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("connection URL has no recognized scheme"),
				 errhint("Use a postgresql://, postgres://, mysql:// or mariadb:// URL, or a libpq keyword string.")));

	*kind = GRANT_ADAPTER_POSTGRESQL;
	return false;
}

/* ep's connection fields before parsing: the adapter's defaults, no options */
static void
clear_connection_fields(GrantEndpoint *ep, GrantAdapterKind adapter)
{
	ep->adapter = adapter;
	ep->host = NULL;
	ep->port = 0;
	ep->dbname = NULL;
	ep->user = NULL;
	ep->password = NULL;
	ep->options = NIL;
}

/*
 * Parse a postgres:// or postgresql:// URI or a libpq keyword string into
 * ep's connection fields (host, port, dbname, user, password, options) and
 * set ep->adapter.  Everything libpq was given besides the five named
 * fields goes into ep->options as string DefElems, in libpq's keyword
 * order.  Strings are palloc'd in CurrentMemoryContext.
 */
void
grant_pg_parse_url(const char *url, GrantEndpoint *ep)
{
	PQconninfoOption *opts;
	PQconninfoOption *opt;
	char	   *libpq_err = NULL;
	char	   *input = pstrdup(url);
	char	   *sep = strstr(input, "://");
	int			i;

	/* URI schemes are case-insensitive, libpq's test is not */
	if (sep != NULL && strchr(input, '=') != NULL && strchr(input, '=') < sep)
		sep = NULL;
	if (sep != NULL)
	{
		char	   *p;

		for (p = input; p < sep; p++)
			*p = pg_tolower((unsigned char) *p);
	}

	opts = PQconninfoParse(input, &libpq_err);
	if (opts == NULL)
	{
		bool		masked = false;
		char	   *detail = libpq_err ? mask_libpq_message(libpq_err, &masked) : NULL;

		if (libpq_err)
			PQfreemem(libpq_err);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid PostgreSQL connection string"),
				 detail ? errdetail("%s", detail) : 0,
				 masked ? errhint("Quoted parts of the input are masked so that no password is shown.") : 0));
	}

	clear_connection_fields(ep, GRANT_ADAPTER_POSTGRESQL);

	PG_TRY();
	{
		for (opt = opts; opt->keyword != NULL; opt++)
		{
			const char *kw = opt->keyword;
			const char *val = opt->val;

			if (val == NULL)
				continue;

			for (i = 0; pg_refused_keywords[i] != NULL; i++)
				if (strcmp(kw, pg_refused_keywords[i]) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("connection option \"%s\" is not allowed", kw),
							 errhint("The connection encoding and the kind of connection are managed by grant.")));

			if (strcmp(kw, "host") == 0 || strcmp(kw, "hostaddr") == 0 ||
				strcmp(kw, "port") == 0)
			{
				if (strchr(val, ',') != NULL)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("connection option \"%s\" lists more than one value", kw),
							 errhint("Register each server as its own endpoint, with role \"reading\" for replicas.")));
			}

			if (strcmp(kw, "host") == 0)
				ep->host = nonempty_or_null(val);
			else if (strcmp(kw, "port") == 0)
			{
				if (val[0] != '\0')
					ep->port = parse_port(val, strlen(val));
			}
			else if (strcmp(kw, "dbname") == 0)
			{
				/* libpq could expand such a dbname into a second conninfo */
				if (strchr(val, '=') != NULL || strstr(val, "://") != NULL)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("connection option \"dbname\" must be a plain database name"),
							 errhint("Give the other connection parameters as separate keywords or URL parameters.")));
				ep->dbname = nonempty_or_null(val);
			}
			else if (strcmp(kw, "user") == 0)
				ep->user = nonempty_or_null(val);
			else if (strcmp(kw, "password") == 0)
				ep->password = nonempty_or_null(val);
			else
				ep->options = lappend(ep->options,
									  makeDefElem(pstrdup(kw),
												  (Node *) makeString(pstrdup(val)),
												  -1));
		}
	}
	PG_FINALLY();
	{
		PQconninfoFree(opts);
	}
	PG_END_TRY();
}

/*
 * Parse a mysql:// or mariadb:// URI into ep's connection fields and set
 * ep->adapter.  Query parameters become string DefElems under their
 * canonical names (see mysql_params), in URL order.  Strings are palloc'd
 * in CurrentMemoryContext.
 */
void
grant_mysql_parse_url(const char *url, GrantEndpoint *ep)
{
	const char *p;
	const char *end;
	const char *at;
	const char *hostend;
	const char *query;

	if (has_prefix_ci(url, "mysql://"))
		p = url + strlen("mysql://");
	else if (has_prefix_ci(url, "mariadb://"))
		p = url + strlen("mariadb://");
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("MySQL connection URL must start with \"mysql://\" or \"mariadb://\"")));

	clear_connection_fields(ep, GRANT_ADAPTER_MYSQL);

	query = strchr(p, '?');
	end = query ? query : p + strlen(p);

	if (memchr(p, '#', end - p) != NULL || (query && strchr(query, '#')))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("MySQL connection URL must not contain a fragment (\"#\")"),
				 errhint("Percent-encode a \"#\" in a user name or password as %%23.")));

	/* authority ends at the first '/' after the last '@' */
	at = NULL;
	{
		const char *slash = memchr(p, '/', end - p);
		const char *q;

		for (q = p; q < end; q++)
			if (*q == '@')
				at = q;
		if (at != NULL && slash != NULL && slash < at)
		{
			/* an '@' after the path starts is part of the path */
			at = NULL;
			for (q = p; q < slash; q++)
				if (*q == '@')
					at = q;
		}
	}

	if (at != NULL)
	{
		const char *colon = memchr(p, ':', at - p);

		if (colon != NULL)
		{
			ep->user = percent_decode(p, colon - p, "user name");
			ep->password = percent_decode(colon + 1, at - colon - 1, "password");
		}
		else
			ep->user = percent_decode(p, at - p, "user name");
		if (ep->user[0] == '\0')
			ep->user = NULL;
		if (ep->password != NULL && ep->password[0] == '\0')
			ep->password = NULL;
		p = at + 1;
	}

	/* host: [ipv6] or up to ':' or '/' */
	if (*p == '[')
	{
		const char *close = memchr(p, ']', end - p);

		if (close == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("IPv6 address in MySQL connection URL lacks its closing \"]\"")));
		if (close == p + 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("IPv6 address in MySQL connection URL is empty")));
		ep->host = percent_decode(p + 1, close - p - 1, "host");
		hostend = close + 1;
		if (hostend < end && *hostend != ':' && *hostend != '/')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unexpected character after IPv6 address in MySQL connection URL"),
					 errhint("Write the port as [address]:port.")));
	}
	else
	{
		hostend = p;
		while (hostend < end && *hostend != ':' && *hostend != '/')
			hostend++;
		if (memchr(p, ',', hostend - p) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("MySQL connection URL lists more than one host"),
					 errhint("Register each server as its own endpoint, with role \"reading\" for replicas.")));
		if (hostend > p)
			ep->host = percent_decode(p, hostend - p, "host");
	}
	p = hostend;

	if (p < end && *p == ':')
	{
		const char *portstart = ++p;

		while (p < end && *p != '/')
			p++;
		if (p > portstart)
			ep->port = parse_port(portstart, p - portstart);
	}

	if (p < end && *p == '/')
	{
		p++;
		if (memchr(p, '/', end - p) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("MySQL connection URL path must be a single database name"),
					 errhint("Percent-encode a \"/\" in a database name as %%2F.")));
		if (end > p)
			ep->dbname = percent_decode(p, end - p, "database name");
	}

	/* query parameters */
	if (query != NULL)
	{
		p = query + 1;
		while (*p != '\0')
		{
			const char *amp = strchr(p, '&');
			const char *pend = amp ? amp : p + strlen(p);
			const char *eq = memchr(p, '=', pend - p);
			char	   *name;
			char	   *value;
			char	   *cname;
			char	   *cvalue;
			ListCell   *lc;

			if (pend == p)
			{
				p = amp ? amp + 1 : pend;
				continue;
			}
			if (eq == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("MySQL connection URL parameter lacks \"=\""),
						 errhint("Write each parameter as name=value.")));
			name = percent_decode(p, eq - p, "parameter name");
			value = percent_decode(eq + 1, pend - eq - 1, "parameter value");

			if (!grant_mysql_param(name, value, &cname, &cvalue))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown MySQL connection URL parameter \"%s\"", name),
						 errhint("Known parameters are: %s.", grant_mysql_param_names())));

			foreach(lc, ep->options)
			{
				DefElem    *def = (DefElem *) lfirst(lc);

				if (strcmp(def->defname, cname) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("MySQL connection URL parameter \"%s\" is given more than once",
									cname)));
			}
			ep->options = lappend(ep->options,
								  makeDefElem(cname, (Node *) makeString(cvalue), -1));
			p = amp ? amp + 1 : pend;
		}
	}
}

/*
 * Check a MySQL connection parameter.  Returns false when the name is
 * unknown; raises an error for a bad value (without printing the value of
 * a secret parameter).  On success *canon_name and *canon_value are
 * palloc'd canonical spellings.
 */
bool
grant_mysql_param(const char *name, const char *value,
				  char **canon_name, char **canon_value)
{
	const MysqlParam *param = find_mysql_param(name);
	int			i;

	if (param == NULL)
		return false;

	if (value[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("MySQL connection parameter \"%s\" must not be empty",
						param->name)));

	*canon_name = pstrdup(param->name);
	switch (param->kind)
	{
		case MYSQL_PARAM_TEXT:
			*canon_value = pstrdup(value);
			break;
		case MYSQL_PARAM_SECONDS:
			{
				char	   *endp;
				long		n;

				errno = 0;
				n = strtol(value, &endp, 10);
				if (errno != 0 || *endp != '\0' || n <= 0 || n > INT_MAX ||
					!isdigit((unsigned char) value[0]))
					bad_param_value(param, value,
									"Give a positive number of seconds.");
				*canon_value = psprintf("%ld", n);
			}
			break;
		case MYSQL_PARAM_BOOL:
			{
				bool		b;

				if (!parse_bool(value, &b))
					bad_param_value(param, value,
									"Give a Boolean value such as true or false.");
				*canon_value = pstrdup(b ? "true" : "false");
			}
			break;
		case MYSQL_PARAM_SSL_MODE:
			for (i = 0; ssl_modes[i] != NULL; i++)
				if (pg_strcasecmp(value, ssl_modes[i]) == 0)
					break;
			if (ssl_modes[i] == NULL)
				bad_param_value(param, value,
								"Valid values are DISABLED, PREFERRED, REQUIRED, VERIFY_CA and VERIFY_IDENTITY.");
			*canon_value = pstrdup(ssl_modes[i]);
			break;
	}
	return true;
}

/*
 * The error for a value a parameter does not take.  Only the checked
 * kinds (seconds, Boolean, ssl-mode) get here, never a secret, so the
 * value may be shown.
 */
static void
bad_param_value(const MysqlParam *param, const char *value, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for MySQL connection parameter \"%s\": \"%s\"",
					param->name, value),
			 errhint("%s", hint)));
}

/* The known MySQL connection parameters, comma-separated, for hints. */
char *
grant_mysql_param_names(void)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; mysql_params[i].name != NULL; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", mysql_params[i].name);
	return buf.data;
}

/*
 * A normalized URL for ep without its password or secret options:
 * scheme postgresql:// or mysql://, user, host (IPv6 in brackets), port,
 * database and the remaining options as query parameters, every part
 * percent-encoded.  palloc'd in CurrentMemoryContext.
 */
char *
grant_endpoint_url(const GrantEndpoint *ep)
{
	StringInfoData buf;
	ListCell   *lc;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoString(&buf, ep->adapter == GRANT_ADAPTER_MYSQL ?
						   "mysql://" : "postgresql://");
	if (ep->user != NULL)
	{
		percent_encode(&buf, ep->user, "");
		appendStringInfoChar(&buf, '@');
	}
	if (ep->host != NULL)
	{
		if (strchr(ep->host, ':') != NULL)
		{
			appendStringInfoChar(&buf, '[');
			percent_encode(&buf, ep->host, ":");
			appendStringInfoChar(&buf, ']');
		}
		else
			percent_encode(&buf, ep->host, "");
	}
	if (ep->port > 0)
		appendStringInfo(&buf, ":%d", ep->port);
	if (ep->dbname != NULL)
	{
		appendStringInfoChar(&buf, '/');
		percent_encode(&buf, ep->dbname, "");
	}
	foreach(lc, ep->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (grant_option_is_secret(def->defname))
			continue;
		appendStringInfoChar(&buf, first ? '?' : '&');
		first = false;
		percent_encode(&buf, def->defname, "");
		appendStringInfoChar(&buf, '=');
		percent_encode(&buf, strVal(def->arg), "");
	}
	return buf.data;
}

static bool
has_prefix_ci(const char *s, const char *prefix)
{
	return pg_strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * libpq's parse errors may quote the input ("... in \"<whole URI>\""), and
 * the input may hold a password.  Keep the message, mask every quoted part
 * longer than one character ("=" and ":" stay readable), except for the
 * two messages that quote only an option name.
 */
static char *
mask_libpq_message(const char *msg, bool *masked)
{
	StringInfoData buf;
	const char *p;
	int			len = strlen(msg);

	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		len--;

	initStringInfo(&buf);
	if (strncmp(msg, "invalid connection option", 25) == 0 ||
		strncmp(msg, "invalid URI query parameter", 27) == 0)
	{
		appendBinaryStringInfo(&buf, msg, len);
		return buf.data;
	}

	p = msg;
	while (p < msg + len)
	{
		const char *close;

		if (*p != '"')
		{
			appendStringInfoChar(&buf, *p++);
			continue;
		}
		close = memchr(p + 1, '"', msg + len - p - 1);
		if (close == NULL)
		{
			/* unbalanced: drop the rest rather than risk showing it */
			appendStringInfoString(&buf, "\"...\"");
			*masked = true;
			break;
		}
		if (close - p - 1 <= 1)
			appendBinaryStringInfo(&buf, p, close - p + 1);
		else
		{
			appendStringInfoString(&buf, "\"...\"");
			*masked = true;
		}
		p = close + 1;
	}
	return buf.data;
}

/*
 * Percent-decode s[0..len).  'what' names the part for errors, which never
 * quote the input (it may be a password).  palloc'd.
 */
static char *
percent_decode(const char *s, int len, const char *what)
{
	char	   *out = palloc(len + 1);
	char	   *o = out;
	int			i;

	for (i = 0; i < len; i++)
	{
		if (s[i] == '%')
		{
			int			hi,
						lo;

			if (i + 2 >= len)
				hi = lo = -1;
			else
			{
				hi = isxdigit((unsigned char) s[i + 1]) ?
					(isdigit((unsigned char) s[i + 1]) ? s[i + 1] - '0' :
					 pg_tolower((unsigned char) s[i + 1]) - 'a' + 10) : -1;
				lo = isxdigit((unsigned char) s[i + 2]) ?
					(isdigit((unsigned char) s[i + 2]) ? s[i + 2] - '0' :
					 pg_tolower((unsigned char) s[i + 2]) - 'a' + 10) : -1;
			}
			if (hi < 0 || lo < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid percent-encoding in the %s of a MySQL connection URL", what),
						 errhint("Write \"%%\" followed by two hexadecimal digits.")));
			if (hi == 0 && lo == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%%00 is not allowed in the %s of a MySQL connection URL", what)));
			*o++ = (char) (hi * 16 + lo);
			i += 2;
		}
		else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

/* append s percent-encoded: RFC 3986 unreserved characters and 'keep' stay */
static void
percent_encode(StringInfo buf, const char *s, const char *keep)
{
	const unsigned char *p;

	for (p = (const unsigned char *) s; *p; p++)
	{
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~' ||
			strchr(keep, *p) != NULL)
			appendStringInfoChar(buf, (char) *p);
		else
			appendStringInfo(buf, "%%%02X", *p);
	}
}

/*
 * A port number in s[0..len): digits only, 1..65535.  The text is not
 * quoted in errors: in "mysql://host:secret" it would be a password.
 */
static int
parse_port(const char *s, int len)
{
	int			port = 0;
	int			i;

	for (i = 0; i < len; i++)
	{
		if (!isdigit((unsigned char) s[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("port must be a number"),
					 errhint("A port is a number between 1 and 65535.")));
		if (port <= 65535)
			port = port * 10 + (s[i] - '0');
	}
	if (port < 1 || port > 65535)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("port number is out of range"),
				 errhint("A port is a number between 1 and 65535.")));
	return port;
}

/* match '-' and '_' as equal, case ignored */
static const MysqlParam *
find_mysql_param(const char *name)
{
	int			i;

	for (i = 0; mysql_params[i].name != NULL; i++)
	{
		const char *a = mysql_params[i].name;
		const char *b = name;

		for (; *a && *b; a++, b++)
		{
			char		ca = (*a == '_') ? '-' : pg_tolower((unsigned char) *a);
			char		cb = (*b == '_') ? '-' : pg_tolower((unsigned char) *b);

			if (ca != cb)
				break;
		}
		if (*a == '\0' && *b == '\0')
			return &mysql_params[i];
	}
	return NULL;
}

static char *
nonempty_or_null(const char *s)
{
	return (s == NULL || s[0] == '\0') ? NULL : pstrdup(s);
}
