/*-------------------------------------------------------------------------
 *
 * adapter_mysql.c
 *		  The MySQL/MariaDB adapter, over MariaDB Connector/C.
 *
 * Registration and URL parsing of MySQL endpoints work today; queries
 * through MySQL foreign tables are refused with a clear error until the
 * adapter's query path is complete.  Connecting is real, so that the
 * library is linked and exercised from the start.
 *
 * This is the only file that includes mysql.h.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

/*
 * mysql.h declares list helpers (list_length, list_delete, list_free...)
 * that clash with PostgreSQL's pg_list.h.  The library exports none of
 * them and grant never calls them: rename the declarations away.
 */
#define list_add mariadb_list_add
#define list_delete mariadb_list_delete
#define list_cons mariadb_list_cons
#define list_reverse mariadb_list_reverse
#define list_free mariadb_list_free
#define list_length mariadb_list_length
#define list_walk mariadb_list_walk
#include <mysql.h>
#undef list_add
#undef list_delete
#undef list_cons
#undef list_reverse
#undef list_free
#undef list_length
#undef list_walk

#include "grant.h"

struct GrantRemote
{
	MYSQL	   *conn;
};

static void my_parse_url(const char *url, GrantEndpoint *ep);
static GrantRemote *my_connect(const GrantEndpoint *ep, const char *user,
							   const char *password, bool password_required,
							   const char *application_name);
static void my_disconnect(GrantRemote *remote);
static bool my_is_broken(GrantRemote *remote);
static bool my_check_idle(GrantRemote *remote);
static void my_begin(GrantRemote *remote, int isolation, bool read_only);
static void my_command(GrantRemote *remote, const char *sql);
static void my_send(GrantRemote *remote, const char *sql,
					const char *stmt_name, int nparams,
					const char *const *values);
static void my_prepare(GrantRemote *remote, const char *stmt_name,
					   const char *sql);
static void my_deallocate(GrantRemote *remote, const char *stmt_name);
static int	my_npending(GrantRemote *remote);
static void my_sync(GrantRemote *remote);
static void my_commit(GrantRemote *remote, bool wait);
static void my_rollback(GrantRemote *remote, int savepoint_level);
static GrantRemoteQuery *my_query(GrantRemote *remote, const char *sql,
								  const char *stmt_name, int nparams,
								  const char *const *values, bool binary);
static bool my_next_row(GrantRemoteQuery *query, char **values, int *lengths,
						int ncols);
static int	my_nfields(GrantRemoteQuery *query);
static Oid	my_column_type(GrantRemoteQuery *query, int col);
static uint64 my_rows_affected(GrantRemoteQuery *query);
static void my_close(GrantRemoteQuery *query);
static bool my_abort_cleanup(GrantRemote *remote);
static void my_cancel(GrantRemote *remote);
static void my_quote_identifier(StringInfo buf, const char *ident);
static void my_quote_literal(StringInfo buf, const char *value);
static void not_yet(void) pg_attribute_noreturn();

const GrantAdapter grant_mysql_adapter = {
	.name = "mysql",
	.kind = GRANT_ADAPTER_MYSQL,
	.parse_url = my_parse_url,
	.connect = my_connect,
	.disconnect = my_disconnect,
	.is_broken = my_is_broken,
	.check_idle = my_check_idle,
	.begin = my_begin,
	.command = my_command,
	.send = my_send,
	.prepare = my_prepare,
	.deallocate = my_deallocate,
	.npending = my_npending,
	.sync = my_sync,
	.commit = my_commit,
	.rollback = my_rollback,
	.query = my_query,
	.next_row = my_next_row,
	.nfields = my_nfields,
	.column_type = my_column_type,
	.rows_affected = my_rows_affected,
	.close = my_close,
	.abort_cleanup = my_abort_cleanup,
	.cancel = my_cancel,
	.quote_identifier = my_quote_identifier,
	.quote_literal = my_quote_literal,
};

static void
not_yet(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("queries on MySQL endpoints are not supported yet"),
			 errhint("Register the endpoint now; MySQL foreign tables become queryable in a later release of grant.")));
}

static void
my_parse_url(const char *url, GrantEndpoint *ep)
{
	grant_mysql_parse_url(url, ep);
}

static GrantRemote *
my_connect(const GrantEndpoint *ep, const char *user, const char *password,
		   bool password_required, const char *application_name)
{
	MYSQL	   *conn = mysql_init(NULL);
	GrantRemote *remote;
	char	   *label = grant_endpoint_label(ep);

	if (conn == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	if (password_required && password == NULL && ep->password == NULL)
	{
		mysql_close(conn);
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("password is required"),
				 errdetail("Non-superusers must supply a password for grant endpoint \"%s\".", label)));
	}
	if (mysql_real_connect(conn, ep->host ? ep->host : "127.0.0.1",
						   user ? user : ep->user,
						   password ? password : ep->password,
						   ep->dbname, ep->port > 0 ? ep->port : 3306,
						   NULL, 0) == NULL)
	{
		char	   *msg = pstrdup(mysql_error(conn));

		mysql_close(conn);
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("could not connect to grant endpoint \"%s\"", label),
				 errdetail_internal("%s", msg)));
	}
	remote = calloc(1, sizeof(GrantRemote));
	if (remote == NULL)
	{
		mysql_close(conn);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	remote->conn = conn;
	return remote;
}

static void
my_disconnect(GrantRemote *remote)
{
	if (remote == NULL)
		return;
	if (remote->conn)
		mysql_close(remote->conn);
	free(remote);
}

static bool
my_is_broken(GrantRemote *remote)
{
	return remote->conn == NULL;
}

static bool
my_check_idle(GrantRemote *remote)
{
	return remote->conn != NULL;
}

static void
my_begin(GrantRemote *remote, int isolation, bool read_only)
{
	not_yet();
}

static void
my_command(GrantRemote *remote, const char *sql)
{
	not_yet();
}

static void
my_send(GrantRemote *remote, const char *sql, const char *stmt_name,
		int nparams, const char *const *values)
{
	not_yet();
}

static void
my_prepare(GrantRemote *remote, const char *stmt_name, const char *sql)
{
	not_yet();
}

static void
my_deallocate(GrantRemote *remote, const char *stmt_name)
{
}

static int
my_npending(GrantRemote *remote)
{
	return 0;
}

static void
my_sync(GrantRemote *remote)
{
	not_yet();
}

static void
my_commit(GrantRemote *remote, bool wait)
{
	not_yet();
}

/* nothing can have been started, so there is nothing to undo */
static void
my_rollback(GrantRemote *remote, int savepoint_level)
{
}

static GrantRemoteQuery *
my_query(GrantRemote *remote, const char *sql, const char *stmt_name,
		 int nparams, const char *const *values, bool binary)
{
	not_yet();
}

static bool
my_next_row(GrantRemoteQuery *query, char **values, int *lengths, int ncols)
{
	not_yet();
}

static int
my_nfields(GrantRemoteQuery *query)
{
	return 0;
}

/* MySQL answers in text */
static Oid
my_column_type(GrantRemoteQuery *query, int col)
{
	return InvalidOid;
}

static uint64
my_rows_affected(GrantRemoteQuery *query)
{
	return 0;
}

static void
my_close(GrantRemoteQuery *query)
{
}

static bool
my_abort_cleanup(GrantRemote *remote)
{
	return remote->conn != NULL;
}

static void
my_cancel(GrantRemote *remote)
{
}

/* backticks, embedded backticks doubled: valid under every sql_mode */
static void
my_quote_identifier(StringInfo buf, const char *ident)
{
	const char *p;

	appendStringInfoChar(buf, '`');
	for (p = ident; *p; p++)
	{
		if (*p == '`')
			appendStringInfoChar(buf, '`');
		appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, '`');
}

/* a hex literal means the same bytes under every sql_mode */
static void
my_quote_literal(StringInfo buf, const char *value)
{
	const unsigned char *p;

	if (*value == '\0')
	{
		appendStringInfoString(buf, "''");
		return;
	}
	appendStringInfoString(buf, "X'");
	for (p = (const unsigned char *) value; *p; p++)
		appendStringInfo(buf, "%02X", *p);
	appendStringInfoChar(buf, '\'');
}
