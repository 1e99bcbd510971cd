/*-------------------------------------------------------------------------
 *
 * execute.c
 *		  Routed raw SQL: grant_fdw.execute() and grant_fdw.query() run one
 *		  statement of the caller's on the endpoint the router picks for a
 *		  registry database, inside the local transaction.
 *
 * A registry database is routed exactly as a foreign server naming it
 * would be: the router and the connection cache are handed a transient
 * ForeignServer with no catalog row (serverid InvalidOid, option
 * database).  Hence:
 *	- no user mapping applies: the registry's credentials are used, and
 *	  the connection is the one foreign tables use when they reach the
 *	  endpoint with those credentials (connections are keyed by endpoint
 *	  and identity, see connection.c): one remote transaction, so a
 *	  foreign table sees what execute() wrote before the local COMMIT,
 *	  and execute() does not wait on a row lock its own transaction holds;
 *	- the remote transaction still begins lazily, follows savepoints and
 *	  commits or rolls back with the local one (connection.c).
 *
 * Privileges: the SQL runs with the registry's credentials, which only
 * grant_admin members and superusers manage; EXECUTE on both functions is
 * granted to grant_admin alone (see grant--0.1.sql).
 *
 * Invariants:
 *	- execute() is a write: it is refused at once (25006) while
 *	  grant.prevent_writes is on or the role in force is 'reading'.
 *	- While writes are prevented or the role is 'reading', a statement
 *	  runs in a READ ONLY remote transaction, so a write hidden in a remote
 *	  function is refused by the remote (25006).  A PostgreSQL transaction
 *	  that began read-write is made read-only for the statement with a
 *	  savepoint; a MySQL one cannot be, and the statement is refused.
 *	- Transaction control statements are refused: the remote transaction
 *	  belongs to the local one; so are, inside a transaction block, MySQL
 *	  statements that commit implicitly.  The text is run as exactly one
 *	  statement, which the remote itself enforces (PostgreSQL's extended
 *	  protocol, MySQL's multi-statement option turned off), so a second
 *	  statement cannot hide transaction control behind the first.
 *	- The role and shard arguments replace grant.role and grant.shard for
 *	  the call only, as a nested connected_to block would.
 *	- On PostgreSQL the statement runs with search_path "$user", public
 *	  (the connection's own is pg_catalog, for the deparser); TimeZone UTC,
 *	  DateStyle ISO and extra_float_digits 3 stay, so values come back in a
 *	  form the local input functions read exactly.  After it the session's
 *	  settings are restored (the adapter's restore_settings_sql), so a SET
 *	  in the caller's SQL never reaches the statements grant writes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "grant.h"

#define READ_ONLY_SAVEPOINT "grant_read_only"

/* one routed statement: where it goes and how */
typedef struct RoutedCall
{
	ForeignServer server;		/* transient: names the registry database */
	GrantRoute	route;
	GrantConnection *conn;
	bool		read_only_savepoint;	/* wrap in SAVEPOINT + READ ONLY */
} RoutedCall;

static char *text_arg(FunctionCallInfo fcinfo, int argno);
static void check_statement(const char *sql, const char *func,
							GrantAdapterKind dialect);
static void route_call(RoutedCall *call, const char *func,
					   const char *database, const char *role,
					   const char *shard, bool is_write);
static GrantRemoteQuery *start_statement(RoutedCall *call, const char *sql);
static void end_statement(RoutedCall *call);

/* argument argno as a C string, or NULL */
static char *
text_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/*
 * Refuse statements that would end or split the remote transaction, which
 * belongs to the local one, read from the first words (after comments and
 * parentheses): transaction control, MySQL's SET autocommit, and inside a
 * transaction block the MySQL statements that commit implicitly (DDL,
 * LOCK TABLES ...).  A statement hiding them deeper is the remote's to
 * run; the function comments say so.
 */
static void
check_statement(const char *sql, const char *func, GrantAdapterKind dialect)
{
	static const char *const implicit_commit[] = {
		"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "GRANT", "REVOKE",
		"ANALYZE", "OPTIMIZE", "REPAIR", "CHECK", "INSTALL", "UNINSTALL",
		"LOAD", "FLUSH", "RESET", "CACHE", NULL
	};
	static const char *const refused[] = {
		"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT",
		"RELEASE", "XA", "UNLOCK", NULL
	};
	const char *p = sql;
	char		word[16];
	char		second[16];
	char	   *upper = str_toupper(sql, strlen(sql), DEFAULT_COLLATION_OID);
	int			n;
	int			i;

	for (;;)
	{
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
			   *p == '\f' || *p == '(')
			p++;
		if (p[0] == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				p++;
		}
		else if (p[0] == '#')
		{
			while (*p && *p != '\n')
				p++;
		}
		else if (p[0] == '/' && p[1] == '*')
		{
			const char *end = strstr(p + 2, "*/");

			p = end ? end + 2 : p + strlen(p);
		}
		else
			break;
	}
	if (*p == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("%s needs a statement", func)));

	for (n = 0; n < (int) sizeof(word) - 1 && isalpha((unsigned char) p[n]); n++)
		word[n] = pg_toupper((unsigned char) p[n]);
	word[n] = '\0';
	p += n;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	for (n = 0; n < (int) sizeof(second) - 1 && isalpha((unsigned char) p[n]); n++)
		second[n] = pg_toupper((unsigned char) p[n]);
	second[n] = '\0';

	for (i = 0; refused[i] != NULL; i++)
		if (strcmp(word, refused[i]) == 0)
			break;
	if (refused[i] != NULL ||
		(strcmp(word, "PREPARE") == 0 && strcmp(second, "TRANSACTION") == 0) ||
		(strcmp(word, "LOCK") == 0 && (strcmp(second, "TABLES") == 0 ||
									   strcmp(second, "TABLE") == 0)) ||
		(strcmp(word, "SET") == 0 && strstr(upper, "AUTOCOMMIT") != NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s cannot run transaction control statements", func),
				 errdetail("The remote transaction begins, commits and rolls back with the local one."),
				 errhint("Use BEGIN, COMMIT, ROLLBACK and SAVEPOINT on the local server.")));

	if (dialect != GRANT_ADAPTER_MYSQL || !IsTransactionBlock())
		return;
	for (i = 0; implicit_commit[i] != NULL; i++)
		if (strcmp(word, implicit_commit[i]) == 0)
			break;
	if (implicit_commit[i] != NULL &&
		!(strcmp(word, "CREATE") == 0 && strcmp(second, "TEMPORARY") == 0) &&
		!(strcmp(word, "DROP") == 0 && strcmp(second, "TEMPORARY") == 0))
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("%s cannot run %s inside a transaction block on MySQL", func, word),
				 errdetail("MySQL commits the open transaction before such a statement, which would split the remote transaction from the local one."),
				 errhint("Run it outside BEGIN ... COMMIT.")));
}

/*
 * Route one statement of a registry database and get its connection, with
 * the remote transaction begun.  role and shard (NULL: the settings in
 * force) count for this call only.  The transient server lives in *call.
 */
static void
route_call(RoutedCall *call, const char *func, const char *database,
		   const char *role, const char *shard, bool is_write)
{
	int			nestlevel;
	GucContext	context = superuser() ? PGC_SUSET : PGC_USERSET;
	bool		read_only;

	if (database == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s needs a database", func)));
	if (!grant_registry_has_database(database))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("grant database \"%s\" is not registered", database),
				 errhint("Register its endpoints with grant_fdw.establish_connection().")));

	/* the arguments replace the settings until the connection is begun */
	nestlevel = NewGUCNestLevel();
	if (role != NULL)
		(void) set_config_option("grant.role", role, context, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	if (shard != NULL)
		(void) set_config_option("grant.shard", shard, context, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);

	read_only = grant_prevent_writes || grant_role_mode == GRANT_ROLE_MODE_READING;
	if (is_write)
		grant_check_write_allowed();

	MemSet(&call->server, 0, sizeof(ForeignServer));
	call->server.serverid = InvalidOid;
	call->server.servername = pstrdup(database);
	call->server.options = list_make1(makeDefElem("database",
												  (Node *) makeString(pstrdup(database)),
												  -1));
	grant_route(&call->server, GetUserId(), is_write, &call->route);
	ereport(DEBUG1,
			(errmsg_internal("%s: %s", func, grant_route_describe(&call->route))));

	call->conn = grant_get_connection(&call->server, GetUserId(),
									  call->route.endpoint);
	AtEOXact_GUC(true, nestlevel);

	call->read_only_savepoint = false;
	if (read_only && !grant_connection_read_only(call->conn))
	{
		if (call->route.endpoint->adapter != GRANT_ADAPTER_POSTGRESQL)
			ereport(ERROR,
					(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
					 errmsg("cannot run a read-only statement on grant endpoint \"%s\" in a transaction that began read-write there",
							grant_endpoint_label(call->route.endpoint)),
					 errhint("Prevent writes (or read with role 'reading') from the start of the transaction.")));
		call->read_only_savepoint = true;
	}
}

/*
 * Send sql on the routed connection, read-only when it must be, as one
 * statement: a second one could end the remote transaction.
 */
static GrantRemoteQuery *
start_statement(RoutedCall *call, const char *sql)
{
	const GrantAdapter *adapter = grant_connection_adapter(call->conn);
	GrantRemote *remote = grant_connection_remote(call->conn);

	if (call->route.endpoint->adapter == GRANT_ADAPTER_POSTGRESQL)
		adapter->command(remote, "SET LOCAL search_path = \"$user\", public");
	if (call->read_only_savepoint)
	{
		adapter->command(remote, "SAVEPOINT " READ_ONLY_SAVEPOINT);
		adapter->command(remote, "SET TRANSACTION READ ONLY");
	}
	if (adapter->query_single != NULL)
		return adapter->query_single(remote, sql);
	return adapter->query(remote, sql, NULL, 0, NULL, false);
}

/* after the statement: leave the transaction as it was */
static void
end_statement(RoutedCall *call)
{
	const GrantAdapter *adapter = grant_connection_adapter(call->conn);
	GrantRemote *remote = grant_connection_remote(call->conn);

	if (call->read_only_savepoint)
	{
		adapter->command(remote, "ROLLBACK TO SAVEPOINT " READ_ONLY_SAVEPOINT);
		adapter->command(remote, "RELEASE SAVEPOINT " READ_ONLY_SAVEPOINT);
	}
	adapter->command(remote, adapter->restore_settings_sql);
}

/*
 * grant_fdw.execute(database, sql, role, shard) RETURNS bigint: run one
 * statement on the writer of the database (a write) and return the rows
 * it affected; rows it returns are dropped.  EXECUTE: grant_admin.
 */
PG_FUNCTION_INFO_V1(grant_execute);

Datum
grant_execute(PG_FUNCTION_ARGS)
{
	char	   *database = text_arg(fcinfo, 0);
	char	   *sql = text_arg(fcinfo, 1);
	RoutedCall	call;
	const GrantAdapter *adapter;
	GrantRemoteQuery *query;
	char	   *dummy[1];
	uint64		affected;

	if (sql == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("grant_fdw.execute() needs a statement")));
	route_call(&call, "grant_fdw.execute()", database, text_arg(fcinfo, 2),
			   text_arg(fcinfo, 3), true);
	check_statement(sql, "grant_fdw.execute()", call.route.endpoint->adapter);

	grant_connection_wrote(call.conn);
	adapter = grant_connection_adapter(call.conn);
	query = start_statement(&call, sql);
	while (adapter->next_row(query, dummy, NULL, 0))
		CHECK_FOR_INTERRUPTS();
	affected = adapter->rows_affected(query);
	adapter->close(query);
	end_statement(&call);

	if (affected > (uint64) PG_INT64_MAX)
		affected = PG_INT64_MAX;
	PG_RETURN_INT64((int64) affected);
}

/*
 * grant_fdw.query(database, sql, role, shard) RETURNS SETOF record: run
 * one statement as a read (a reader in role 'auto') and return its rows,
 * each value converted by the input function of the column declared at
 * the call site.  Landing on a writer in a read-write transaction it may
 * write (INSERT ... RETURNING with role 'writing'), so it counts as a
 * write: the local commit waits for the remote one, and the session's
 * later reads wait for readers to replay it.  EXECUTE: grant_admin.
 */
PG_FUNCTION_INFO_V1(grant_query);

Datum
grant_query(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *database = text_arg(fcinfo, 0);
	char	   *sql = text_arg(fcinfo, 1);
	RoutedCall	call;
	const GrantAdapter *adapter;
	GrantRemoteQuery *query;
	GrantRowReader reader;
	TupleDesc	tupdesc;
	TupleTableSlot *slot;
	List	   *attrs = NIL;
	MemoryContext row_cxt;
	bool		checked = false;
	int			i;

	if (sql == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("grant_fdw.query() needs a statement")));
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	tupdesc = rsinfo->setDesc;
	route_call(&call, "grant_fdw.query()", database, text_arg(fcinfo, 2),
			   text_arg(fcinfo, 3), false);
	check_statement(sql, "grant_fdw.query()", call.route.endpoint->adapter);
	if (call.route.endpoint->role == GRANT_ROLE_WRITING &&
		!grant_connection_read_only(call.conn) && !call.read_only_savepoint)
		grant_connection_wrote(call.conn);

	for (i = 1; i <= tupdesc->natts; i++)
		attrs = lappend_int(attrs, i);
	grant_reader_init(&reader, tupdesc, attrs, false);
	reader.relname = "grant_fdw.query()";
	slot = MakeSingleTupleTableSlot(tupdesc, &TTSOpsVirtual);
	row_cxt = AllocSetContextCreate(CurrentMemoryContext, "grant query row",
									ALLOCSET_SMALL_SIZES);

	adapter = grant_connection_adapter(call.conn);
	query = start_statement(&call, sql);
	for (;;)
	{
		bool		more = adapter->next_row(query, reader.raw, reader.lengths,
											 reader.ncols);

		if (!checked && (more || adapter->nfields(query) > 0))
		{
			if (adapter->nfields(query) != tupdesc->natts)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("remote statement returned %d columns, the column definition list has %d",
								adapter->nfields(query), tupdesc->natts)));
			checked = true;
		}
		if (!more)
			break;
		grant_store_row(&reader, slot, row_cxt, adapter, query);
		tuplestore_puttupleslot(rsinfo->setResult, slot);
		CHECK_FOR_INTERRUPTS();
	}
	if (!checked && tupdesc->natts > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("remote statement returned no columns, the column definition list has %d",
						tupdesc->natts),
				 errhint("Use grant_fdw.execute() for statements that return no rows.")));
	adapter->close(query);
	end_statement(&call);

	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(row_cxt);
	return (Datum) 0;
}
