/*-------------------------------------------------------------------------
 *
 * import.c
 *		  IMPORT FOREIGN SCHEMA: foreign table definitions read from a
 *		  remote catalog.
 *
 * The catalog is read on the endpoint the router picks for a read (a
 * reader has the writer's catalog).  Remote type names come from
 * format_type() under search_path pg_catalog, so every type outside
 * pg_catalog is schema-qualified and means the same type locally, if it
 * exists there.  Options: import_not_null (default true), import_default
 * (default false).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"

#include "grant.h"

static List *import_postgresql(ImportForeignSchemaStmt *stmt,
							   ForeignServer *server);
static char *finish_table(StringInfo cmd, ForeignServer *server,
						  ImportForeignSchemaStmt *stmt, const char *relname);
static void append_table_filter(StringInfo buf, ImportForeignSchemaStmt *stmt,
								const GrantAdapter *adapter);

List *
grantImportForeignSchema(ImportForeignSchemaStmt *stmt, Oid serverOid)
{
	ForeignServer *server = GetForeignServer(serverOid);

	switch (grant_server_dialect(server))
	{
		case GRANT_ADAPTER_POSTGRESQL:
			return import_postgresql(stmt, server);
		case GRANT_ADAPTER_MYSQL:
			break;
	}
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("IMPORT FOREIGN SCHEMA from MySQL servers is not supported yet")));
	return NIL;
}

/* AND relname IN (...) / NOT IN (...) for LIMIT TO / EXCEPT */
static void
append_table_filter(StringInfo buf, ImportForeignSchemaStmt *stmt,
					const GrantAdapter *adapter)
{
	ListCell   *lc;
	bool		first = true;

	if (stmt->list_type == FDW_IMPORT_SCHEMA_ALL || stmt->table_list == NIL)
		return;
	appendStringInfoString(buf, stmt->list_type == FDW_IMPORT_SCHEMA_EXCEPT ?
						   " AND c.relname NOT IN (" : " AND c.relname IN (");
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

/* close a CREATE FOREIGN TABLE command; returns a palloc'd copy */
static char *
finish_table(StringInfo cmd, ForeignServer *server,
			 ImportForeignSchemaStmt *stmt, const char *relname)
{
	appendStringInfo(cmd, "\n) SERVER %s OPTIONS (schema_name %s, table_name %s)",
					 quote_identifier(server->servername),
					 quote_literal_cstr(stmt->remote_schema),
					 quote_literal_cstr(relname));
	return pstrdup(cmd->data);
}

static List *
import_postgresql(ImportForeignSchemaStmt *stmt, ForeignServer *server)
{
	bool		import_not_null = true;
	bool		import_default = false;
	ListCell   *lc;
	GrantRoute	route;
	GrantConnection *conn;
	const GrantAdapter *adapter;
	GrantRemoteQuery *query;
	StringInfoData sql;
	StringInfoData cmd;
	char	   *values[6];
	const char *param[1];
	char	   *current = NULL;
	List	   *commands = NIL;
	bool		found_schema = false;

	foreach(lc, stmt->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "import_not_null") == 0)
			import_not_null = defGetBoolean(def);
		else if (strcmp(def->defname, "import_default") == 0)
			import_default = defGetBoolean(def);
		else
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", def->defname),
					 errhint("Valid options in this context are: import_not_null, import_default.")));
	}

	grant_route(server, GetUserId(), false, &route);
	conn = grant_get_connection(server, GetUserId(), route.endpoint);
	adapter = grant_connection_adapter(conn);

	/* does the schema exist at all? */
	param[0] = stmt->remote_schema;
	query = adapter->query(grant_connection_remote(conn),
						   "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
						   NULL, 1, param, false);
	while (adapter->next_row(query, values, NULL, 1))
		found_schema = true;
	if (!found_schema)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_SCHEMA_NOT_FOUND),
				 errmsg("schema \"%s\" is not present on foreign server \"%s\"",
						stmt->remote_schema, server->servername)));

	initStringInfo(&sql);
	appendStringInfoString(&sql,
						   "SELECT c.relname, a.attname, "
						   "pg_catalog.format_type(a.atttypid, a.atttypmod), "
						   "a.attnotnull, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), "
						   "a.attgenerated "
						   "FROM pg_catalog.pg_class c "
						   "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
						   "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
						   "AND a.attnum > 0 AND NOT a.attisdropped "
						   "LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = c.oid "
						   "AND ad.adnum = a.attnum "
						   "WHERE c.relkind IN ('r', 'v', 'f', 'm', 'p') "
						   "AND NOT c.relispartition AND n.nspname = $1");
	append_table_filter(&sql, stmt, adapter);
	appendStringInfoString(&sql, " ORDER BY c.relname, a.attnum");

	query = adapter->query(grant_connection_remote(conn), sql.data, NULL, 1, param,
						   false);
	initStringInfo(&cmd);
	while (adapter->next_row(query, values, NULL, 6))
	{
		char	   *relname = values[0];

		if (current == NULL || strcmp(current, relname) != 0)
		{
			if (current != NULL)
				commands = lappend(commands,
								   finish_table(&cmd, server, stmt, current));
			current = pstrdup(relname);
			resetStringInfo(&cmd);
			appendStringInfo(&cmd, "CREATE FOREIGN TABLE %s (",
							 quote_identifier(current));
			if (values[1] == NULL)
				continue;		/* a relation without columns */
		}
		else
			appendStringInfoChar(&cmd, ',');

		appendStringInfo(&cmd, "\n  %s %s OPTIONS (column_name %s)",
						 quote_identifier(values[1]), values[2],
						 quote_literal_cstr(values[1]));
		/* a generated column's value comes from the remote */
		if (import_default && values[4] != NULL &&
			(values[5] == NULL || values[5][0] == '\0'))
			appendStringInfo(&cmd, " DEFAULT %s", values[4]);
		if (import_not_null && values[3] && strcmp(values[3], "t") == 0)
			appendStringInfoString(&cmd, " NOT NULL");
	}
	if (current != NULL)
		commands = lappend(commands, finish_table(&cmd, server, stmt, current));
	return commands;
}
