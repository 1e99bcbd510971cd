/*-------------------------------------------------------------------------
 *
 * option.c
 *		  Options of the grant_fdw wrapper, its servers, user mappings,
 *		  foreign tables and columns: the validator and the readers the
 *		  rest of grant uses.
 *
 * Options and what they mean:
 *
 *	object        option              meaning
 *	------------  ------------------  ---------------------------------------
 *	wrapper       (none)
 *	server        database            registry database whose endpoints serve
 *	                                  this server (grant_fdw.connections);
 *	                                  excludes every endpoint option below
 *	server        url                 registry-less: the one endpoint, as a
 *	                                  postgresql://, mysql:// URL or libpq
 *	                                  keyword string, without password
 *	server        adapter             registry-less: postgresql (default) or
 *	                                  mysql; must agree with url
 *	server        host, port, dbname  registry-less: the endpoint part by part
 *	                                  (not together with url)
 *	server        libpq keywords      registry-less PostgreSQL: sslmode,
 *	                                  connect_timeout, ... (pg_libpq_options)
 *	server        MySQL parameters    registry-less MySQL: charset, ssl-mode,
 *	                                  ... (as in a mysql:// URL, see url.c)
 *	                                  non-superusers only those of
 *	                                  pg_options_for_everyone and
 *	                                  mysql_options_for_everyone
 *	server        fetch_size          rows fetched per round trip (> 0)
 *	server        batch_size          rows sent per remote INSERT (> 0)
 *	server        updatable           whether tables accept INSERT, UPDATE,
 *	                                  DELETE (default true)
 *	server        truncatable         whether tables accept TRUNCATE
 *	                                  (default true)
 *	server        binary_transfer     whether rows travel in binary format
 *	                                  (default true; PostgreSQL only)
 *	server        pooler              none (default) or transaction: the
 *	                                  endpoints sit behind a transaction
 *	                                  pooler, so no session state is used
 *	user mapping  user, password      credentials for every endpoint of the
 *	                                  server, overriding the registry's
 *	user mapping  password_required   false lets a connection succeed without
 *	                                  a password; only a superuser sets it
 *	table         schema_name         remote schema (default: the local
 *	                                  schema for PostgreSQL, the connection's
 *	                                  database for MySQL)
 *	table         table_name          remote table (default: the local name)
 *	table         shard_key           column whose value picks the shard
 *	table         key                 row identity column(s) for UPDATE and
 *	                                  DELETE, comma-separated
 *	table         updatable, truncatable, fetch_size, batch_size,
 *	              binary_transfer: as for the
 *	                                  server, which they override
 *	column        column_name         remote column (default: the local name)
 *	column        key                 whether the column is part of the row
 *	                                  identity
 *
 * Invariants:
 *	- Server options are readable by everyone (pg_foreign_server), so a
 *	  password or other secret is refused there; it belongs in a user
 *	  mapping or the registry.  No error here prints a secret's value.
 *	- A non-superuser sets only whitelisted connection options, wherever
 *	  they are set (in server options, in a server's url, in a URL
 *	  registered by a grant_admin member); what would let a user borrow
 *	  the local server's own identity is off the list, and so are a MySQL
 *	  endpoint reached through a Unix socket and password_required
 *	  'false'.
 *	- libpq's "options" sets run-time settings only, never one the adapter
 *	  pins on the remote session (pinned_remote_settings), not even for a
 *	  superuser; a non-superuser only those of remote_settings_for_everyone.
 *	- A server naming a registry database uses the registry's credentials,
 *	  so only those who may administer the registry may create or alter one.
 *	- One endpoint is one host: a list of hosts is refused, so the
 *	  password check after connecting is about the one server reached.
 *	  See docs/SECURITY.md.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/reloptions.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "catalog/pg_attribute.h"
#include "commands/defrem.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/varlena.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "grant.h"

/* how a value is checked */
typedef enum OptionKind
{
	OPT_TEXT,					/* non-empty text */
	OPT_BOOL,
	OPT_POSITIVE_INT,
	OPT_NONNEGATIVE_INT,
	OPT_PORT,
	OPT_ADAPTER,
	OPT_URL,
	OPT_COLUMN_LIST
} OptionKind;

/* option applies to a registry-less server's endpoint */
#define OPT_ENDPOINT	0x01

typedef struct GrantOption
{
	const char *name;
	Oid			context;		/* catalog of the object it belongs to */
	OptionKind	kind;
	int			flags;
} GrantOption;

/* every option but the adapter-specific connection parameters */
static const GrantOption grant_options[] = {
	{"database", ForeignServerRelationId, OPT_TEXT, 0},
	{"url", ForeignServerRelationId, OPT_URL, OPT_ENDPOINT},
	{"adapter", ForeignServerRelationId, OPT_ADAPTER, OPT_ENDPOINT},
	{"host", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"port", ForeignServerRelationId, OPT_PORT, OPT_ENDPOINT},
	{"dbname", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"fetch_size", ForeignServerRelationId, OPT_POSITIVE_INT, 0},
	{"batch_size", ForeignServerRelationId, OPT_POSITIVE_INT, 0},
	{"updatable", ForeignServerRelationId, OPT_BOOL, 0},
	{"truncatable", ForeignServerRelationId, OPT_BOOL, 0},
	{"binary_transfer", ForeignServerRelationId, OPT_BOOL, 0},
	{"pooler", ForeignServerRelationId, OPT_TEXT, 0},

	{"user", UserMappingRelationId, OPT_TEXT, 0},
	{"password", UserMappingRelationId, OPT_TEXT, 0},
	{"password_required", UserMappingRelationId, OPT_BOOL, 0},

	{"schema_name", ForeignTableRelationId, OPT_TEXT, 0},
	{"table_name", ForeignTableRelationId, OPT_TEXT, 0},
	{"shard_key", ForeignTableRelationId, OPT_TEXT, 0},
	{"key", ForeignTableRelationId, OPT_COLUMN_LIST, 0},
	{"updatable", ForeignTableRelationId, OPT_BOOL, 0},
	{"truncatable", ForeignTableRelationId, OPT_BOOL, 0},
	{"fetch_size", ForeignTableRelationId, OPT_POSITIVE_INT, 0},
	{"batch_size", ForeignTableRelationId, OPT_POSITIVE_INT, 0},
	{"binary_transfer", ForeignTableRelationId, OPT_BOOL, 0},

	{"column_name", AttributeRelationId, OPT_TEXT, 0},
	{"key", AttributeRelationId, OPT_BOOL, 0},

	{NULL, InvalidOid, OPT_TEXT, 0}
};

/*
 * libpq keywords a registry-less PostgreSQL server may set.  Left out:
 * credentials (user mapping) and client_encoding and replication (grant's
 * business).  Non-superusers may set only those of pg_options_for_everyone.
 */
static const GrantOption pg_libpq_options[] = {
	{"application_name", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"channel_binding", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"connect_timeout", ForeignServerRelationId, OPT_NONNEGATIVE_INT, OPT_ENDPOINT},
	{"gssencmode", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"hostaddr", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"keepalives", ForeignServerRelationId, OPT_NONNEGATIVE_INT, OPT_ENDPOINT},
	{"keepalives_count", ForeignServerRelationId, OPT_NONNEGATIVE_INT, OPT_ENDPOINT},
	{"keepalives_idle", ForeignServerRelationId, OPT_NONNEGATIVE_INT, OPT_ENDPOINT},
	{"keepalives_interval", ForeignServerRelationId, OPT_NONNEGATIVE_INT, OPT_ENDPOINT},
	{"krbsrvname", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"options", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"passfile", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"requirepeer", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"service", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"ssl_max_protocol_version", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"ssl_min_protocol_version", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"sslcert", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"sslcompression", ForeignServerRelationId, OPT_NONNEGATIVE_INT, OPT_ENDPOINT},
	{"sslcrl", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"sslcrldir", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"sslkey", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"sslmode", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"sslrootcert", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"sslsni", ForeignServerRelationId, OPT_NONNEGATIVE_INT, OPT_ENDPOINT},
	{"target_session_attrs", ForeignServerRelationId, OPT_TEXT, OPT_ENDPOINT},
	{"tcp_user_timeout", ForeignServerRelationId, OPT_NONNEGATIVE_INT, OPT_ENDPOINT},
	{NULL, InvalidOid, OPT_TEXT, 0}
};

/* names whose values are secrets, wherever they appear */
static const char *const secret_options[] = {
	"password", "sslpassword", "ssl-passphrase", NULL
};

/*
 * Connection options a non-superuser may set: a whitelist, so that a
 * keyword a newer client library brings is a superuser's until it has been
 * classified here.  Each only tunes the transport (timeouts, keepalives),
 * makes it safer (TLS verification against a CA or CRL, channel binding)
 * or is inert (application_name: grant sets its own).  Left out, among
 * others: what makes the local server present a credential of its own OS
 * user or read one from a file of the caller's choosing (sslcert, sslkey,
 * sslpassword, passfile, service; for MySQL ssl-cert, ssl-key,
 * ssl-passphrase and socket, where the unix_socket plugin authenticates the
 * local OS user whatever password is sent), and what sends the local
 * server's Kerberos credentials or ticket elsewhere (gssencmode,
 * krbsrvname, gsslib, and hostaddr, which connects to another address than
 * the host the ticket and certificate are checked for).  "options" is
 * checked further, for everyone: see check_remote_settings.
 */
static const char *const pg_options_for_everyone[] = {
	"application_name", "channel_binding", "connect_timeout", "keepalives",
	"keepalives_count", "keepalives_idle", "keepalives_interval", "options",
	"ssl_max_protocol_version", "ssl_min_protocol_version", "sslcompression",
	"sslcrl", "sslcrldir", "sslmode", "sslrootcert", "sslsni",
	"target_session_attrs", "tcp_user_timeout", NULL
};

static const char *const mysql_options_for_everyone[] = {
	"charset", "compress", "connect_timeout", "read_timeout", "write_timeout",
	"ssl-mode", "ssl-ca", "ssl-capath", "ssl-cipher", "ssl-crl",
	"tls-version", NULL
};

/*
 * Settings the PostgreSQL adapter pins on every remote session (its
 * SESSION_SETTINGS_OPTIONS and TRANSACTION_SETTINGS_SQL): the deparser and
 * the value output rely on them, so the libpq "options" of a server or URL
 * may not set them, not even a superuser's.  Lower case, '_' for '-'.
 */
static const char *const pinned_remote_settings[] = {
	"datestyle", "extra_float_digits", "intervalstyle", "search_path",
	"standard_conforming_strings", "timezone", NULL
};

/*
 * Run-time settings a non-superuser may put in "options" (-c name=value):
 * the session's own limits and memory, nothing that changes how the
 * remote reads or prints a value.  Lower case.
 */
static const char *const remote_settings_for_everyone[] = {
	"idle_in_transaction_session_timeout", "idle_session_timeout", "jit",
	"lock_timeout", "maintenance_work_mem", "statement_timeout",
	"temp_buffers", "work_mem", NULL
};

PG_FUNCTION_INFO_V1(grant_fdw_validator);

static const GrantOption *find_option(const GrantOption *table,
									  const char *name, Oid context);
static void check_value(const GrantOption *opt, DefElem *def);
static char *valid_option_names(Oid context, bool server_mysql);
static void validate_options(List *options, Oid context);
static void validate_server(List *options);
static bool server_adapter_from_options(List *options, GrantAdapterKind *kind);
static bool names_match(const char *a, const char *b);
static GrantEndpoint *endpoint_from_options(List *options, const char *name);
static bool may_use_registry(void);
static bool name_in_list(const char *name, const char *const *list);
static void check_remote_settings(const char *options);
static char *next_backend_arg(const char **p);
static void check_remote_setting(const char *arg);

/*
 * grant_fdw.grant_fdw_validator(text[], oid): check the options of a
 * wrapper, server, user mapping, foreign table or column (catalog oid) as
 * they will be after the CREATE or ALTER.
 */
Datum
grant_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			context = PG_GETARG_OID(1);
	MemoryContext cxt = CurrentMemoryContext;

	/* the statement may hold a password: keep it out of the server log */
	PG_TRY();
	{
		validate_options(options, context);
	}
	PG_CATCH();
	{
		grant_rethrow_hiding_statement(cxt);
	}
	PG_END_TRY();
	PG_RETURN_VOID();
}

static void
validate_options(List *options, Oid context)
{
	ListCell   *lc;

	if (context == ForeignServerRelationId)
	{
		validate_server(options);
		return;
	}

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		const GrantOption *opt = find_option(grant_options, def->defname, context);

		if (opt == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", def->defname),
					 context == ForeignDataWrapperRelationId ?
					 errhint("The foreign-data wrapper grant_fdw takes no options.") :
					 errhint("Valid options in this context are: %s.",
							 valid_option_names(context, false))));
		check_value(opt, def);

		if (context == UserMappingRelationId &&
			strcmp(def->defname, "password_required") == 0 &&
			!defGetBoolean(def) && !superuser())
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("only a superuser may set \"password_required\" to false"),
					 errhint("Without a required password the remote server could accept the connection on the local server's own credentials.")));
	}
}

/*
 * A server either names a registry database or describes one endpoint;
 * its connection parameters depend on the adapter, so they are checked
 * after the adapter is known.
 */
static void
validate_server(List *options)
{
	GrantAdapterKind kind;
	bool		mysql;
	DefElem    *database = NULL;
	DefElem    *url = NULL;
	DefElem    *endpoint_opt = NULL;
	DefElem    *part_opt = NULL;
	ListCell   *lc;

	(void) server_adapter_from_options(options, &kind);
	mysql = (kind == GRANT_ADAPTER_MYSQL);

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		const GrantOption *opt;
		char	   *cname;
		char	   *cvalue;

		if (grant_option_is_secret(def->defname))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("option \"%s\" is not allowed on a server", def->defname),
					 errhint("Everyone can read server options: put credentials in a user mapping or the registry.")));

		opt = find_option(grant_options, def->defname, ForeignServerRelationId);
		if (opt == NULL && !mysql)
			opt = find_option(pg_libpq_options, def->defname, ForeignServerRelationId);
		if (opt != NULL)
			check_value(opt, def);
		else if (mysql && grant_mysql_param(def->defname, defGetString(def),
											&cname, &cvalue))
			endpoint_opt = def;
		else
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", def->defname),
					 errhint("Valid options in this context are: %s.",
							 valid_option_names(ForeignServerRelationId, mysql))));

		if (strcmp(def->defname, "database") == 0)
			database = def;
		else if (strcmp(def->defname, "url") == 0)
			url = def;
		else if (opt != NULL && (opt->flags & OPT_ENDPOINT) != 0)
		{
			endpoint_opt = def;
			if (strcmp(def->defname, "host") == 0 ||
				strcmp(def->defname, "port") == 0 ||
				strcmp(def->defname, "dbname") == 0)
				part_opt = def;
			/* as in url.c: one endpoint, one server */
			if ((strcmp(def->defname, "host") == 0 ||
				 strcmp(def->defname, "hostaddr") == 0) &&
				strchr(defGetString(def), ',') != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("connection option \"%s\" lists more than one value",
								def->defname),
						 errhint("Create a server per remote server, or register each as an endpoint of a registry database.")));
		}
	}

	if (database != NULL && !may_use_registry())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to create or alter a server for registry database \"%s\"",
						defGetString(database)),
				 errdetail("Such a server connects with the credentials of the registry."),
				 errhint("Only superusers and this database's registry administrators may set option \"database\"; others use a server an administrator created and was granted USAGE on.")));

	if (database != NULL && (url != NULL || endpoint_opt != NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("option \"%s\" cannot be used with option \"database\"",
						url ? url->defname : endpoint_opt->defname),
				 errhint("A server with \"database\" takes its endpoints from the registry; connection options belong to grant_fdw.establish_connection().")));
	if (url != NULL && part_opt != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("option \"%s\" cannot be used with option \"url\"",
						part_opt->defname),
				 errhint("Give the endpoint either as a URL or as host, port and dbname.")));

	if (database == NULL)
		grant_check_endpoint_privileges(endpoint_from_options(options, ""));
}

/* may the current user use the registry's credentials through a server? */
static bool
may_use_registry(void)
{
	return grant_is_registry_admin(GetUserId());
}

/*
 * Refuse what the caller may not put in an endpoint: to everyone, an
 * "options" that sets a pinned remote setting; to a non-superuser, a
 * connection option off the whitelist of its adapter, and a MySQL endpoint
 * reached through a Unix socket (the client library takes one for host
 * "localhost" or no host).  Called when an endpoint is defined: by the
 * validator for a registry-less server and by
 * grant_fdw.establish_connection for a registered URL.
 */
void
grant_check_endpoint_privileges(const GrantEndpoint *ep)
{
	ListCell   *lc;
	bool		su = superuser();

	foreach(lc, ep->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		bool		mysql = ep->adapter == GRANT_ADAPTER_MYSQL;

		if (!mysql && strcmp(def->defname, "options") == 0)
			check_remote_settings(defGetString(def));
		if (su)
			continue;
		if (!name_in_list(def->defname, mysql ? mysql_options_for_everyone :
						  pg_options_for_everyone))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("only a superuser may set connection option \"%s\"",
							def->defname),
					 errdetail("Non-superusers may set only the options that tune or secure the transport listed in docs/SECURITY.md."),
					 errhint("Ask a superuser to create the server or register the endpoint.")));
	}

	if (!su && ep->adapter == GRANT_ADAPTER_MYSQL &&
		(ep->host == NULL || pg_strcasecmp(ep->host, "localhost") == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only a superuser may connect to MySQL through a Unix socket"),
				 errdetail("MySQL takes a socket for host \"localhost\" or no host, and may authenticate the local server's operating system user there whatever password is sent."),
				 errhint("Give the host as an address, such as 127.0.0.1.")));
}

/*
 * Check libpq's "options" as the remote backend will read it: arguments
 * split at white space, a backslash taking the next character literally.
 * Only run-time settings are accepted (-c name=value, -cname=value,
 * --name=value), never another switch (-e alone would change DateStyle),
 * and none of pinned_remote_settings; a non-superuser may set only those
 * of remote_settings_for_everyone.
 */
static void
check_remote_settings(const char *options)
{
	const char *p = options;
	char	   *arg;

	while ((arg = next_backend_arg(&p)) != NULL)
	{
		if (strcmp(arg, "-c") == 0)
		{
			arg = next_backend_arg(&p);
			if (arg == NULL)
				arg = "";
		}
		else if (strncmp(arg, "-c", 2) == 0)
			arg += 2;
		else if (strncmp(arg, "--", 2) == 0)
			arg += 2;
		else
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("connection option \"options\" may only set run-time settings"),
					 errdetail("\"%s\" is not of the form -c name=value or --name=value.", arg)));
		check_remote_setting(arg);
	}
}

/* one "name=value" of check_remote_settings */
static void
check_remote_setting(const char *arg)
{
	const char *eq = strchr(arg, '=');
	char	   *name;
	char	   *c;

	if (eq == NULL || eq == arg)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("connection option \"options\" may only set run-time settings"),
				 errdetail("\"%s\" is not of the form -c name=value or --name=value.", arg)));
	/* as the backend reads it: '-' is '_', and names ignore case */
	name = pnstrdup(arg, eq - arg);
	for (c = name; *c; c++)
		*c = (*c == '-') ? '_' : pg_tolower((unsigned char) *c);

	if (name_in_list(name, pinned_remote_settings))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("connection option \"options\" must not set \"%s\"", name),
				 errdetail("grant pins it on every remote session: the SQL grant sends and the values it reads depend on it.")));
	if (!superuser() && !name_in_list(name, remote_settings_for_everyone))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only a superuser may set \"%s\" in connection option \"options\"", name),
				 errdetail("Non-superusers may set there only the session's own limits and memory, listed in docs/SECURITY.md.")));
	pfree(name);
}

/*
 * The next argument of an options string, palloc'd, with its escapes
 * resolved (as the backend's pg_split_opts does); NULL at the end.
 */
static char *
next_backend_arg(const char **p)
{
	StringInfoData buf;
	const char *s = *p;

	while (*s && isspace((unsigned char) *s))
		s++;
	if (*s == '\0')
	{
		*p = s;
		return NULL;
	}
	initStringInfo(&buf);
	while (*s && !isspace((unsigned char) *s))
	{
		if (*s == '\\' && s[1] != '\0')
			s++;
		appendStringInfoChar(&buf, *s++);
	}
	*p = s;
	return buf.data;
}

static bool
name_in_list(const char *name, const char *const *list)
{
	int			i;

	for (i = 0; list[i] != NULL; i++)
		if (names_match(name, list[i]))
			return true;
	return false;
}

/*
 * The adapter a set of server options implies: the "adapter" option, else
 * the url's scheme, else PostgreSQL.  An adapter that disagrees with the
 * url is an error.  Returns true when the options give one explicitly.
 */
static bool
server_adapter_from_options(List *options, GrantAdapterKind *kind)
{
	char	   *adapter = grant_get_option(options, "adapter");
	char	   *url = grant_get_option(options, "url");
	GrantAdapterKind url_kind = GRANT_ADAPTER_POSTGRESQL;

	*kind = GRANT_ADAPTER_POSTGRESQL;
	if (adapter != NULL && !grant_adapter_from_name(adapter, kind))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("unknown adapter \"%s\"", adapter),
				 errhint("Valid adapters are \"postgresql\" (or \"postgres\", \"pg\") and \"mysql\" (or \"mariadb\").")));
	if (url != NULL)
	{
		(void) grant_url_adapter(url, &url_kind);
		if (adapter != NULL && url_kind != *kind)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("adapter \"%s\" does not match a %s connection URL",
							adapter, grant_adapter_name(url_kind)),
					 errhint("Leave out the adapter option to take it from the URL.")));
		*kind = url_kind;
	}
	return adapter != NULL || url != NULL;
}

/* check def's value against opt; errors never quote a URL */
static void
check_value(const GrantOption *opt, DefElem *def)
{
	char	   *value = defGetString(def);

	switch (opt->kind)
	{
		case OPT_TEXT:
			if (value[0] == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("option \"%s\" must not be empty", def->defname)));
			break;
		case OPT_BOOL:
			{
				bool		b;

				if (!parse_bool(value, &b))
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("invalid value for option \"%s\": \"%s\"",
									def->defname, value),
							 errhint("Give a Boolean value such as true or false.")));
			}
			break;
		case OPT_POSITIVE_INT:
		case OPT_NONNEGATIVE_INT:
		case OPT_PORT:
			{
				int			n;
				int			min = opt->kind == OPT_NONNEGATIVE_INT ? 0 : 1;
				int			max = opt->kind == OPT_PORT ? 65535 : INT_MAX;

				if (!parse_int(value, &n, 0, NULL) || n < min || n > max)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("invalid value for option \"%s\": \"%s\"",
									def->defname, value),
							 errhint("Give an integer between %d and %d.", min, max)));
			}
			break;
		case OPT_ADAPTER:
			/* checked by server_adapter_from_options */
			break;
		case OPT_URL:
			{
				GrantEndpoint ep;
				GrantAdapterKind kind;
				ListCell   *lc;

				memset(&ep, 0, sizeof(ep));
				(void) grant_url_adapter(value, &kind);
				if (kind == GRANT_ADAPTER_MYSQL)
					grant_mysql_parse_url(value, &ep);
				else
					grant_pg_parse_url(value, &ep);
				if (ep.password != NULL)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("option \"url\" must not contain a password"),
							 errhint("Everyone can read server options: put the password in a user mapping, or register the endpoint with grant_fdw.establish_connection().")));
				foreach(lc, ep.options)
				{
					DefElem    *o = (DefElem *) lfirst(lc);

					if (grant_option_is_secret(o->defname))
						ereport(ERROR,
								(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
								 errmsg("option \"url\" must not contain \"%s\"", o->defname),
								 errhint("Everyone can read server options: register the endpoint with grant_fdw.establish_connection() instead.")));
				}
			}
			break;
		case OPT_COLUMN_LIST:
			{
				List	   *names;

				if (!SplitIdentifierString(pstrdup(value), ',', &names) ||
					names == NIL)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("invalid value for option \"%s\": \"%s\"",
									def->defname, value),
							 errhint("Give one or more column names separated by commas.")));
			}
			break;
	}
}

static const GrantOption *
find_option(const GrantOption *table, const char *name, Oid context)
{
	const GrantOption *opt;

	for (opt = table; opt->name != NULL; opt++)
		if (opt->context == context && strcmp(opt->name, name) == 0)
			return opt;
	return NULL;
}

/* the valid option names of context, comma-separated, for hints */
static char *
valid_option_names(Oid context, bool server_mysql)
{
	StringInfoData buf;
	const GrantOption *opt;

	initStringInfo(&buf);
	for (opt = grant_options; opt->name != NULL; opt++)
		if (opt->context == context)
			appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "", opt->name);
	if (context == ForeignServerRelationId)
	{
		if (server_mysql)
		{
			List	   *names;
			ListCell   *lc;

			/* secret parameters are refused on servers: not worth a mention */
			(void) SplitIdentifierString(grant_mysql_param_names(), ',', &names);
			foreach(lc, names)
				if (!grant_option_is_secret((char *) lfirst(lc)))
					appendStringInfo(&buf, ", %s", (char *) lfirst(lc));
		}
		else
			for (opt = pg_libpq_options; opt->name != NULL; opt++)
				appendStringInfo(&buf, ", %s", opt->name);
	}
	return buf.data;
}

/* '-' and '_' equal, case ignored: MySQL spells option names both ways */
static bool
names_match(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
	{
		char		ca = (*a == '_') ? '-' : pg_tolower((unsigned char) *a);
		char		cb = (*b == '_') ? '-' : pg_tolower((unsigned char) *b);

		if (ca != cb)
			return false;
	}
	return *a == '\0' && *b == '\0';
}

/*
 * Whether the value of connection option name is a secret (never shown in
 * views, errors, logs or EXPLAIN): passwords, the TLS key passphrase.
 */
bool
grant_option_is_secret(const char *name)
{
	int			i;

	for (i = 0; secret_options[i] != NULL; i++)
		if (names_match(name, secret_options[i]))
			return true;
	return false;
}

/* The string value of option name in a DefElem list, or NULL. */
char *
grant_get_option(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, name) == 0)
			return defGetString(def);
	}
	return NULL;
}

/* The server's "database" option (a registry database), or NULL. */
char *
grant_server_database(ForeignServer *server)
{
	return grant_get_option(server->options, "database");
}

/*
 * The single endpoint of a registry-less server, palloc'd in
 * CurrentMemoryContext: id 0, database = the server's name, role writing,
 * shard "default", weight 1, connection fields from url or host/port/dbname
 * and the adapter's further parameters in options.  NULL for a server that
 * names a registry database.
 */
GrantEndpoint *
grant_server_endpoint(ForeignServer *server)
{
	GrantEndpoint *ep;

	if (grant_server_database(server) != NULL)
		return NULL;
	ep = endpoint_from_options(server->options, server->servername);
	/* whoever may change the server's options chooses its endpoint */
	ep->registered_by = server->owner;
	return ep;
}

/*
 * A boolean option of foreign table relid: the table's own, else its
 * server's, else dflt (updatable, truncatable).
 */
bool
grant_table_flag(Oid relid, const char *name, bool dflt)
{
	ForeignTable *table = GetForeignTable(relid);
	List	   *lists[2];
	int			i;

	lists[0] = table->options;
	lists[1] = GetForeignServer(table->serverid)->options;
	for (i = 0; i < 2; i++)
	{
		ListCell   *lc;

		foreach(lc, lists[i])
		{
			DefElem    *def = (DefElem *) lfirst(lc);

			if (strcmp(def->defname, name) == 0)
				return defGetBoolean(def);
		}
	}
	return dflt;
}

/* grant_server_endpoint's work on a server's options; name: the server's */
static GrantEndpoint *
endpoint_from_options(List *options, const char *name)
{
	GrantEndpoint *ep;
	GrantAdapterKind kind;
	char	   *url;
	ListCell   *lc;

	(void) server_adapter_from_options(options, &kind);
	ep = palloc0(sizeof(GrantEndpoint));
	url = grant_get_option(options, "url");
	if (url != NULL)
	{
		if (kind == GRANT_ADAPTER_MYSQL)
			grant_mysql_parse_url(url, ep);
		else
			grant_pg_parse_url(url, ep);
	}
	ep->id = 0;
	ep->database = pstrdup(name);
	ep->adapter = kind;
	ep->role = GRANT_ROLE_WRITING;
	ep->shard = pstrdup(GRANT_DEFAULT_SHARD);
	ep->weight = 1;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		const GrantOption *opt;
		char	   *cname;
		char	   *cvalue;

		if (strcmp(def->defname, "host") == 0)
			ep->host = pstrdup(defGetString(def));
		else if (strcmp(def->defname, "port") == 0)
			ep->port = pg_strtoint32(defGetString(def));
		else if (strcmp(def->defname, "dbname") == 0)
			ep->dbname = pstrdup(defGetString(def));
		else if (kind == GRANT_ADAPTER_POSTGRESQL &&
				 (opt = find_option(pg_libpq_options, def->defname,
									ForeignServerRelationId)) != NULL)
			ep->options = lappend(ep->options,
								  makeDefElem(pstrdup(def->defname),
											  (Node *) makeString(pstrdup(defGetString(def))),
											  -1));
		else if (kind == GRANT_ADAPTER_MYSQL &&
				 grant_mysql_param(def->defname, defGetString(def), &cname, &cvalue))
			ep->options = lappend(ep->options,
								  makeDefElem(cname, (Node *) makeString(cvalue), -1));
	}
	return ep;
}

/*
 * The remote schema and table of a foreign table, palloc'd: the
 * schema_name and table_name options, else for the schema the local
 * schema's name (PostgreSQL) or NULL (MySQL: the connection's database),
 * and for the table the local name.
 */
void
grant_table_remote_name(Relation rel, GrantAdapterKind dialect, char **schema,
						char **table)
{
	ForeignTable *ft = GetForeignTable(RelationGetRelid(rel));
	char	   *s = grant_get_option(ft->options, "schema_name");
	char	   *t = grant_get_option(ft->options, "table_name");

	if (s != NULL)
		*schema = pstrdup(s);
	else if (dialect == GRANT_ADAPTER_MYSQL)
		*schema = NULL;
	else
		*schema = get_namespace_name(RelationGetNamespace(rel));
	*table = pstrdup(t != NULL ? t : RelationGetRelationName(rel));
}

/* The remote name of a column, palloc'd: column_name, else attname. */
char *
grant_column_remote_name(Relation rel, AttrNumber attnum)
{
	List	   *options = GetForeignColumnOptions(RelationGetRelid(rel), attnum);
	char	   *name = grant_get_option(options, "column_name");

	if (name != NULL)
		return pstrdup(name);
	return pstrdup(NameStr(TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attname));
}
