/*-------------------------------------------------------------------------
 *
 * import.c
 *		  IMPORT FOREIGN SCHEMA: foreign table definitions read from a
 *		  remote catalog.
 *
 * The catalog is read on the writer of the shard the router picks (a
 * reader may be behind it).  Remote type names come from
 * format_type() under search_path pg_catalog, so every type outside
 * pg_catalog is schema-qualified and means the same type locally, if it
 * exists there.  Options: import_not_null (default true), import_default
 * (default false; PostgreSQL only: only defaults that mean the same here,
 * constants, immutable built-ins and the current time, never one that
 * names a remote object such as a sequence or a function: the INSERTs
 * that leave those columns out leave them to the remote), import_collate
 * (default true; PostgreSQL only): a column whose collation is not its
 * type's default gets the local collation of that name (in the schema of
 * that name, else pg_catalog), and a remote collation this database lacks
 * is an error, so that an ORDER BY or comparison sent on it sorts as it
 * would here.
 *
 * From MySQL/MariaDB the columns come from information_schema.COLUMNS of
 * the remote database named as the schema; its tables are created with
 * schema_name set to it, and the primary key's columns get the column
 * option key 'true' (the row identity of UPDATE and DELETE).  Types map
 * as follows (COLUMN_TYPE as MySQL spells it):
 *
 *	MySQL                              PostgreSQL
 *	---------------------------------  ----------------------------------
 *	tinyint(1), bool                   boolean
 *	tinyint, smallint, year            smallint
 *	tinyint unsigned                   smallint
 *	smallint unsigned, mediumint, int  integer
 *	mediumint unsigned                 integer
 *	int unsigned, bigint               bigint
 *	bigint unsigned                    numeric(20,0)
 *	decimal(p,s), numeric(p,s)         numeric(p,s)
 *	float                              real
 *	double, real                       double precision
 *	bit(n)                             bit(n)
 *	char(n), varchar(n)                character varying(n) (MySQL returns
 *	                                   CHAR without its trailing spaces)
 *	tinytext, text, mediumtext,        text
 *	longtext (MariaDB json), enum, set
 *	json (MySQL)                       json
 *	binary, varbinary, *blob           bytea
 *	date                               date
 *	time(p)                            time(p) (values beyond 24 hours or
 *	                                   negative fail to read)
 *	datetime(p)                        timestamp(p) without time zone
 *	timestamp(p)                       timestamp(p) with time zone (UTC on
 *	                                   the wire)
 *	uuid (MariaDB)                     uuid
 *	anything else                      text
 *
 * A zero date ('0000-00-00') fails to read with an error, never a wrong
 * date.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_proc.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parse_expr.h"
#include "parser/parser.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "grant.h"

/* the CREATE FOREIGN TABLE commands being written, one remote column a time */
typedef struct ImportTables
{
	ForeignServer *server;
	ImportForeignSchemaStmt *stmt;
	StringInfoData cmd;			/* the table being written */
	char	   *current;		/* its remote name; NULL before the first */
	List	   *commands;		/* finished commands (palloc'd strings) */
} ImportTables;

static List *import_postgresql(ImportForeignSchemaStmt *stmt,
							   ForeignServer *server);
static List *import_mysql(ImportForeignSchemaStmt *stmt, ForeignServer *server);
static const char *mysql_type(const char *data_type, const char *column_type,
							  const char *precision, const char *scale,
							  const char *length, const char *dt_precision);
static void finish_table(ImportTables *tables);
static const GrantEndpoint *catalog_endpoint(const GrantRoute *route);
static GrantConnection *import_connect(ImportForeignSchemaStmt *stmt,
									   ForeignServer *server,
									   const char *schema_sql);
static void init_tables(ImportTables *tables, ImportForeignSchemaStmt *stmt,
						ForeignServer *server);
static bool begin_column(ImportTables *tables, const char *relname);
static List *finish_tables(ImportTables *tables);
static void append_table_filter(StringInfo buf, ImportForeignSchemaStmt *stmt,
								const GrantAdapter *adapter, const char *column);
static void parse_import_options(ImportForeignSchemaStmt *stmt,
								 bool *import_not_null, bool *import_default);
static bool function_differs(Oid funcid, void *context);
static bool default_differs_walker(Node *node, void *context);
static bool default_means_the_same(const char *expr_text);

List *
grantImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	ForeignServer *server = GetForeignServer(serverOid);
	GrantAdapterKind kind = grant_server_dialect(server);

	/* shards of both dialects: that of the shard the import reads */
	if (grant_server_mixed(server))
	{
		GrantRoute	route;

		grant_route(server, GetUserId(), false, &route);
		kind = route.endpoint->adapter;
	}
	switch (kind)
	{
		case GRANT_ADAPTER_POSTGRESQL:
			return import_postgresql(stmt, server);
		case GRANT_ADAPTER_MYSQL:
			return import_mysql(stmt, server);
	}
	return NIL;
}

static void
parse_import_options(ImportForeignSchemaStmt *stmt, bool *import_not_null,
					 bool *import_default)
{
	ListCell   *lc;

	*import_not_null = true;
	*import_default = false;
	foreach(lc, stmt->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "import_not_null") == 0)
			*import_not_null = defGetBoolean(def);
		else if (strcmp(def->defname, "import_default") == 0)
			*import_default = defGetBoolean(def);
		else if (strcmp(def->defname, "import_collate") == 0)
			(void) defGetBoolean(def);	/* read by import_collate_option */
		else
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", def->defname),
					 errhint("Valid options in this context are: import_not_null, import_default, import_collate.")));
	}
}

/* AND column IN (...) / NOT IN (...) for LIMIT TO / EXCEPT */
static void
append_table_filter(StringInfo buf, ImportForeignSchemaStmt *stmt,
					const GrantAdapter *adapter, const char *column)
{
	ListCell   *lc;
	bool		first = true;

	if (stmt->list_type == FDW_IMPORT_SCHEMA_ALL || stmt->table_list == NIL)
		return;
	appendStringInfo(buf, stmt->list_type == FDW_IMPORT_SCHEMA_EXCEPT ?
					 " AND %s NOT IN (" : " AND %s IN (", column);
	foreach(lc, stmt->table_list)
	{
		RangeVar   *rv = (RangeVar *) lfirst(lc);

		if (!first)
			appendStringInfoString(buf, ", ");
		adapter->quote_literal(buf, rv->relname);
		first = false;
	}
	appendStringInfoChar(buf, ')');
}

/*
 * The endpoint whose catalog an import reads: the writer of the shard the
 * router picked, whatever the role mode says.  A reader may be behind (a
 * table just created on the writer would be silently missing), and only
 * the writer's catalog is the one later writes will meet.
 */
static const GrantEndpoint *
catalog_endpoint(const GrantRoute *route)
{
	ListCell   *lc;

	if (route->endpoint->id == 0 || route->endpoint->role == GRANT_ROLE_WRITING)
		return route->endpoint;
	foreach(lc, grant_registry_endpoints(route->endpoint->database))
	{
		GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);

		if (ep->role == GRANT_ROLE_WRITING &&
			strcmp(ep->shard, route->endpoint->shard) == 0)
			return ep;
	}
	return route->endpoint;
}

/*
 * A connection to the endpoint a read would use, after checking that the
 * remote schema exists: schema_sql returns a row when the schema named $1
 * does.
 */
static GrantConnection *
import_connect(ImportForeignSchemaStmt *stmt, ForeignServer *server,
			   const char *schema_sql)
{
	GrantRoute	route;
	GrantConnection *conn;
	const GrantAdapter *adapter;
	GrantRemoteQuery *query;
	char	   *values[1];
	const char *param[1];
	bool		found_schema = false;

	grant_route(server, GetUserId(), false, &route);
	conn = grant_get_connection(server, GetUserId(), catalog_endpoint(&route));
	adapter = grant_connection_adapter(conn);

	param[0] = stmt->remote_schema;
	query = adapter->query(grant_connection_remote(conn), schema_sql,
						   NULL, 1, param, false);
	while (adapter->next_row(query, values, NULL, 1))
		found_schema = true;
	if (!found_schema)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_SCHEMA_NOT_FOUND),
				 errmsg("schema \"%s\" is not present on foreign server \"%s\"",
						stmt->remote_schema, server->servername)));
	return conn;
}

static void
init_tables(ImportTables *tables, ImportForeignSchemaStmt *stmt,
			ForeignServer *server)
{
	tables->server = server;
	tables->stmt = stmt;
	initStringInfo(&tables->cmd);
	tables->current = NULL;
	tables->commands = NIL;
}

/* close the CREATE FOREIGN TABLE command being written, if any */
static void
finish_table(ImportTables *tables)
{
	if (tables->current == NULL)
		return;
	appendStringInfo(&tables->cmd,
					 "\n) SERVER %s OPTIONS (schema_name %s, table_name %s)",
					 quote_identifier(tables->server->servername),
					 quote_literal_cstr(tables->stmt->remote_schema),
					 quote_literal_cstr(tables->current));
	tables->commands = lappend(tables->commands, pstrdup(tables->cmd.data));
}

/*
 * Start the next column definition, of remote table relname (rows come
 * ordered by table): a new CREATE FOREIGN TABLE when the table changes,
 * else a comma.  Returns true when a new table began.
 */
static bool
begin_column(ImportTables *tables, const char *relname)
{
	if (tables->current != NULL && strcmp(tables->current, relname) == 0)
	{
		appendStringInfoChar(&tables->cmd, ',');
		return false;
	}
	finish_table(tables);
	tables->current = pstrdup(relname);
	resetStringInfo(&tables->cmd);
	appendStringInfo(&tables->cmd, "CREATE FOREIGN TABLE %s (",
					 quote_identifier(tables->current));
	return true;
}

/* option import_collate (PostgreSQL remotes; default true) */
static bool
import_collate_option(ImportForeignSchemaStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "import_collate") == 0)
			return defGetBoolean(def);
	}
	return true;
}

/*
 * The local collation a remote column's collation maps to, qualified for
 * CREATE FOREIGN TABLE: the one of the same name in the schema of the same
 * name, else in pg_catalog.  There is no other to guess: without it, an
 * ORDER BY or comparison on the column could not be told to agree.
 */
static char *
local_collation(const char *table, const char *column, const char *remote_schema,
				const char *name)
{
	Oid			collid = InvalidOid;

	if (remote_schema != NULL)
		collid = get_collation_oid(list_make2(makeString(pstrdup(remote_schema)),
											  makeString(pstrdup(name))), true);
	if (!OidIsValid(collid))
		collid = get_collation_oid(list_make2(makeString("pg_catalog"),
											  makeString(pstrdup(name))), true);
	if (!OidIsValid(collid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("remote column \"%s\".\"%s\" has collation \"%s\", which this database does not have",
						table, column, name),
				 errhint("Create the collation here, or import with OPTIONS (import_collate 'false') and declare the column's collation yourself.")));
	{
		HeapTuple	tuple = SearchSysCache1(COLLOID, ObjectIdGetDatum(collid));
		Form_pg_collation coll;
		char	   *qualified;

		if (!HeapTupleIsValid(tuple))
			elog(ERROR, "cache lookup failed for collation %u", collid);
		coll = (Form_pg_collation) GETSTRUCT(tuple);
		qualified = psprintf("%s.%s",
							 quote_identifier(get_namespace_name(coll->collnamespace)),
							 quote_identifier(NameStr(coll->collname)));
		ReleaseSysCache(tuple);
		return qualified;
	}
}

/* the finished commands, the last table closed */
static List *
finish_tables(ImportTables *tables)
{
	finish_table(tables);
	return tables->commands;
}

static List *
import_postgresql(ImportForeignSchemaStmt *stmt, ForeignServer *server)
{
	bool		import_not_null;
	bool		import_default;
	GrantConnection *conn;
	const GrantAdapter *adapter;
	GrantRemoteQuery *query;
	StringInfoData sql;
	ImportTables tables;
	char	   *values[9];
	const char *param[1];
	bool		import_collate = import_collate_option(stmt);

	parse_import_options(stmt, &import_not_null, &import_default);
	conn = import_connect(stmt, server,
						  "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1");
	adapter = grant_connection_adapter(conn);
	param[0] = stmt->remote_schema;

	initStringInfo(&sql);
	appendStringInfoString(&sql,
						   "SELECT c.relname, a.attname, "
						   "pg_catalog.format_type(a.atttypid, a.atttypmod), "
						   "a.attnotnull, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), "
						   "a.attgenerated, "
						   "(SELECT co.collname FROM pg_catalog.pg_collation co, pg_catalog.pg_type t "
						   "WHERE co.oid = a.attcollation AND t.oid = a.atttypid "
						   "AND a.attcollation <> t.typcollation), "
						   "(SELECT cn.nspname FROM pg_catalog.pg_collation co "
						   "JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace "
						   "WHERE co.oid = a.attcollation), "
						   /* the default names no object of the remote's own */
						   "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d "
						   "WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass "
						   "AND d.objid = ad.oid "
						   "AND NOT (d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass "
						   "AND d.refobjid = c.oid) "
						   "AND d.refclassid <> 'pg_catalog.pg_type'::pg_catalog.regclass "
						   "AND d.refclassid <> 'pg_catalog.pg_collation'::pg_catalog.regclass) "
						   "FROM pg_catalog.pg_class c "
						   "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
						   "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
						   "AND a.attnum > 0 AND NOT a.attisdropped "
						   "LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = c.oid "
						   "AND ad.adnum = a.attnum "
						   "WHERE c.relkind IN ('r', 'v', 'f', 'm', 'p') "
						   "AND NOT c.relispartition AND n.nspname = $1");
	append_table_filter(&sql, stmt, adapter, "c.relname");
	appendStringInfoString(&sql, " ORDER BY c.relname, a.attnum");

	query = adapter->query(grant_connection_remote(conn), sql.data, NULL, 1, param,
						   false);
	init_tables(&tables, stmt, server);
	while (adapter->next_row(query, values, NULL, 9))
	{
		if (begin_column(&tables, values[0]) && values[1] == NULL)
			continue;			/* a relation without columns */

		appendStringInfo(&tables.cmd, "\n  %s %s OPTIONS (column_name %s)",
						 quote_identifier(values[1]), values[2],
						 quote_literal_cstr(values[1]));
		if (import_collate && values[6] != NULL)
			appendStringInfo(&tables.cmd, " COLLATE %s",
							 local_collation(values[0], values[1], values[7], values[6]));
		/*
		 * A generated column's value comes from the remote, and so does a
		 * default that would not mean the same here: the INSERTs that
		 * leave the column out leave it to the remote.
		 */
		if (import_default && values[4] != NULL &&
			(values[5] == NULL || values[5][0] == '\0') &&
			values[8] != NULL && strcmp(values[8], "t") == 0 &&
			default_means_the_same(values[4]))
			appendStringInfo(&tables.cmd, " DEFAULT %s", values[4]);
		if (import_not_null && values[3] && strcmp(values[3], "t") == 0)
			appendStringInfoString(&tables.cmd, " NOT NULL");
	}
	return finish_tables(&tables);
}

/*
 * Whether a function in a default computes here what it computes on the
 * remote: a built-in that is immutable, or one of the clocks of the
 * transaction or statement.  Other stable built-ins read the session
 * (its time zone, user, settings), which differs between the two.
 */
static bool
function_differs(Oid funcid, void *context)
{
	if (funcid >= FirstNormalObjectId)
		return true;
	switch (func_volatile(funcid))
	{
		case PROVOLATILE_IMMUTABLE:
			return false;
		case PROVOLATILE_STABLE:
			return funcid != F_NOW && funcid != F_TRANSACTION_TIMESTAMP &&
				funcid != F_STATEMENT_TIMESTAMP;
		default:
			return true;
	}
}

/* true when a node of a default expression may mean something else here */
static bool
default_differs_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, SQLValueFunction))
		return ((SQLValueFunction *) node)->op != SVFOP_CURRENT_TIMESTAMP &&
			((SQLValueFunction *) node)->op != SVFOP_CURRENT_TIMESTAMP_N;
	if (IsA(node, Var) || IsA(node, Param) || IsA(node, SubLink) ||
		IsA(node, NextValueExpr))
		return true;
	if (check_functions_in_node(node, function_differs, NULL))
		return true;
	return expression_tree_walker(node, default_differs_walker, context);
}

/*
 * Whether a remote default (pg_get_expr's text, which names no remote
 * object: the catalog query checked its dependencies) means the same as
 * a local default: constants, immutable built-ins and the current time.
 * The text is parsed here, in a subtransaction, so that an expression
 * this server cannot read (a newer server's function) is merely not
 * imported.
 */
static bool
default_means_the_same(const char *expr_text)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	bool		same = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		List	   *raw = raw_parser(psprintf("SELECT %s", expr_text), RAW_PARSE_DEFAULT);
		SelectStmt *select = list_length(raw) == 1 ?
			(SelectStmt *) ((RawStmt *) linitial(raw))->stmt : NULL;

		if (select != NULL && IsA(select, SelectStmt) &&
			list_length(select->targetList) == 1 && select->fromClause == NIL)
		{
			ParseState *pstate = make_parsestate(NULL);
			Node	   *expr;

			expr = transformExpr(pstate,
								 ((ResTarget *) linitial(select->targetList))->val,
								 EXPR_KIND_COLUMN_DEFAULT);
			same = !default_differs_walker(expr, NULL);
		}
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		same = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcxt);
	CurrentResourceOwner = oldowner;
	return same;
}

/* the PostgreSQL type for a MySQL column (see the table in the header) */
static const char *
mysql_type(const char *data_type, const char *column_type,
		   const char *precision, const char *scale, const char *length,
		   const char *dt_precision)
{
	bool		is_unsigned = strstr(column_type, "unsigned") != NULL;

	if (strcmp(column_type, "tinyint(1)") == 0)
		return "boolean";
	if (strcmp(data_type, "tinyint") == 0 || strcmp(data_type, "year") == 0)
		return "smallint";
	if (strcmp(data_type, "smallint") == 0)
		return is_unsigned ? "integer" : "smallint";
	if (strcmp(data_type, "mediumint") == 0)
		return "integer";
	if (strcmp(data_type, "int") == 0)
		return is_unsigned ? "bigint" : "integer";
	if (strcmp(data_type, "bigint") == 0)
		return is_unsigned ? "numeric(20,0)" : "bigint";
	if (strcmp(data_type, "decimal") == 0 || strcmp(data_type, "numeric") == 0)
		return psprintf("numeric(%s,%s)", precision ? precision : "10",
						scale ? scale : "0");
	if (strcmp(data_type, "float") == 0)
		return "real";
	if (strcmp(data_type, "double") == 0 || strcmp(data_type, "real") == 0)
		return "double precision";
	if (strcmp(data_type, "bit") == 0)
		return psprintf("bit(%s)", precision ? precision : "1");
	if ((strcmp(data_type, "char") == 0 || strcmp(data_type, "varchar") == 0) &&
		length != NULL)
		return psprintf("character varying(%s)", length);
	if (strstr(data_type, "text") != NULL || strcmp(data_type, "enum") == 0 ||
		strcmp(data_type, "set") == 0)
		return "text";
	if (strcmp(data_type, "json") == 0)
		return "json";
	if (strstr(data_type, "binary") != NULL || strstr(data_type, "blob") != NULL)
		return "bytea";
	if (strcmp(data_type, "date") == 0)
		return "date";
	if (strcmp(data_type, "time") == 0)
		return psprintf("time(%s)", dt_precision ? dt_precision : "0");
	if (strcmp(data_type, "datetime") == 0)
		return psprintf("timestamp(%s) without time zone",
						dt_precision ? dt_precision : "0");
	if (strcmp(data_type, "timestamp") == 0)
		return psprintf("timestamp(%s) with time zone",
						dt_precision ? dt_precision : "0");
	if (strcmp(data_type, "uuid") == 0)
		return "uuid";
	return "text";
}

/* IMPORT FOREIGN SCHEMA from a MySQL database (see the header) */
static List *
import_mysql(ImportForeignSchemaStmt *stmt, ForeignServer *server)
{
	bool		import_not_null;
	bool		import_default;
	GrantConnection *conn;
	const GrantAdapter *adapter;
	GrantRemoteQuery *query;
	StringInfoData sql;
	ImportTables tables;
	char	   *values[10];
	const char *param[1];

	parse_import_options(stmt, &import_not_null, &import_default);
	if (import_default)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("option \"import_default\" is not supported for MySQL servers"),
				 errdetail("MySQL default expressions are not PostgreSQL expressions.")));

	conn = import_connect(stmt, server,
						  "SELECT 1 FROM information_schema.SCHEMATA "
						  "WHERE BINARY SCHEMA_NAME = BINARY $1");
	adapter = grant_connection_adapter(conn);
	param[0] = stmt->remote_schema;

	initStringInfo(&sql);
	appendStringInfoString(&sql,
						   "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, "
						   "c.IS_NULLABLE, c.NUMERIC_PRECISION, c.NUMERIC_SCALE, "
						   "c.CHARACTER_MAXIMUM_LENGTH, c.DATETIME_PRECISION, c.COLUMN_KEY "
						   "FROM information_schema.COLUMNS c "
						   "JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA "
						   "AND t.TABLE_NAME = c.TABLE_NAME "
						   "WHERE BINARY c.TABLE_SCHEMA = BINARY $1");
	append_table_filter(&sql, stmt, adapter, "BINARY c.TABLE_NAME");
	appendStringInfoString(&sql, " ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION");

	query = adapter->query(grant_connection_remote(conn), sql.data, NULL, 1,
						   param, false);
	init_tables(&tables, stmt, server);
	while (adapter->next_row(query, values, NULL, 10))
	{
		begin_column(&tables, values[0]);
		appendStringInfo(&tables.cmd, "\n  %s %s OPTIONS (column_name %s%s)",
						 quote_identifier(values[1]),
						 mysql_type(values[2], values[3], values[5], values[6],
									values[7], values[8]),
						 quote_literal_cstr(values[1]),
						 values[9] && strcmp(values[9], "PRI") == 0 ?
						 ", key 'true'" : "");
		if (import_not_null && values[4] && strcmp(values[4], "NO") == 0)
			appendStringInfoString(&tables.cmd, " NOT NULL");
	}
	return finish_tables(&tables);
}
