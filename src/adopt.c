/*-------------------------------------------------------------------------
 *
 * adopt.c
 *		  The migration bridge: grant_fdw.adopt_server() takes over a server
 *		  of postgres_fdw or mysql_fdw, or a registry-less grant_fdw server,
 *		  without touching the foreign tables' identity.
 *
 * For a postgres_fdw or mysql_fdw server it
 *	1. registers the server's endpoint as the writer (shard 'default') of a
 *	   grant database, with the credentials of the caller's user mapping
 *	   (or the PUBLIC one); a writer already registered there for the same
 *	   host, port and database is reused;
 *	2. finds a grant_fdw server naming that database, or creates one named
 *	   after the database (with suffix "_grant" when the name is taken);
 *	3. copies, translated, every user mapping of the old server whose
 *	   credentials differ from the writer's, so each local user keeps its
 *	   remote identity;
 *	4. moves each foreign table of the old server in place: its
 *	   pg_foreign_table row gets the new server and translated options, its
 *	   dependency on the old server is moved to the new one, and its
 *	   columns' options are translated.
 * The tables keep their OIDs, so privileges, views, rules, comments,
 * statistics and dependent objects stay as they were; ALTER FOREIGN TABLE
 * cannot change a table's server, hence the direct catalog update, which
 * is why only a superuser may call this.
 *
 * Option translation (anything without a grant meaning is dropped and
 * reported in dropped_options):
 *	postgres_fdw  server   host, port, dbname, libpq keywords -> endpoint
 *	                       fetch_size, batch_size, updatable, truncatable
 *	                       -> each table (unless it sets its own)
 *	              mapping  user, password, password_required -> same
 *	              table    schema_name, table_name, fetch_size, batch_size,
 *	                       updatable, truncatable -> same; binary_transfer
 *	                       'false' is added, as postgres_fdw read text
 *	              column   column_name -> same
 *	mysql_fdw     server   host (default 127.0.0.1), port (default 3306),
 *	                       ssl_* -> endpoint; fetch_size -> each table
 *	              mapping  username -> user, password -> password
 *	              table    dbname -> schema_name (default: the local schema,
 *	                       as mysql_fdw does), table_name, fetch_size;
 *	                       key '<first column>' is added, mysql_fdw's row
 *	                       identity for UPDATE and DELETE
 *	              column   column_name -> same
 *
 * A registry-less grant_fdw server (url or host/port/dbname) is pointed at
 * the registry in place: its endpoint is registered as above and its
 * endpoint options are replaced by option database.
 *
 * Invariants: no password is ever printed or put into SQL text; it
 * reaches the registry as a query parameter and user mappings through
 * CreateUserMapping's parse tree.  Everything happens in the caller's
 * transaction: an error leaves nothing behind.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/reloptions.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_type.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "grant.h"

PG_FUNCTION_INFO_V1(grant_adopt_server);

/* what kind of server is being adopted */
typedef enum AdoptSource
{
	ADOPT_POSTGRES_FDW,
	ADOPT_MYSQL_FDW,
	ADOPT_GRANT_FDW				/* registry-less grant_fdw server */
} AdoptSource;

/* options of a postgres_fdw server that are not libpq keywords */
static const char *const postgres_fdw_server_options[] = {
	"use_remote_estimate", "fdw_startup_cost", "fdw_tuple_cost", "extensions",
	"fetch_size", "batch_size", "updatable", "truncatable", "async_capable",
	"parallel_commit", "parallel_abort", "keep_connections",
	"analyze_sampling", NULL
};

/* server options that become table options of every adopted table */
static const char *const inherited_options[] = {
	"fetch_size", "batch_size", "updatable", "truncatable", NULL
};

/* table options that keep their name and meaning (after dbname -> schema_name) */
static const char *const postgres_fdw_table_options[] = {
	"schema_name", "table_name", "fetch_size", "batch_size", "updatable",
	"truncatable", NULL
};
static const char *const mysql_fdw_table_options[] = {
	"schema_name", "table_name", "fetch_size", NULL
};

/* options of a grant_fdw server that do not describe its endpoint */
static const char *const grant_plain_server_options[] = {
	"fetch_size", "batch_size", "updatable", "truncatable", "binary_transfer",
	NULL
};

static bool name_in(const char *name, const char *const *list);
static AdoptSource source_of(ForeignServer *server);
static List *caller_mapping_options(ForeignServer *server);
static char *build_url(AdoptSource source, ForeignServer *server,
					   List *mapping, const char *mysql_dbname);
static void append_keyword(StringInfo buf, const char *kw, const char *val);
static void append_encoded(StringInfo buf, const char *s);
static void append_mysql_url_start(StringInfo buf, const char *user,
								   const char *password);
static void register_writer(const char *database, AdoptSource source,
							const char *url);
static Oid	find_or_create_server(const char *database, Oid grant_fdw,
								  char **servername);
static void copy_user_mappings(ForeignServer *old, const char *newname,
							   AdoptSource source, const char *database);
static bool same_text(const char *a, const char *b);
static List *foreign_tables_of(Oid serverid);
static List *translate_table_options(AdoptSource source, Oid relid,
									 List *options, List *server_options,
									 List **dropped);
static Datum options_array(List *options);
static void validate(ForeignDataWrapper *fdw, Datum array, Oid catalog);
static List *move_table(Oid relid, AdoptSource source, ForeignServer *old,
						Oid newserver, ForeignDataWrapper *grant_fdw);
static void repoint_grant_server(ForeignServer *server, const char *database);

/*
 * grant_fdw.adopt_server(server name, database text) returns setof
 * (foreign_table regclass, grant_server name, dropped_options text[]):
 * one row per foreign table now served by grant.
 */
Datum
grant_adopt_server(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ForeignServer *server;
	ForeignDataWrapper *grant_fdw;
	AdoptSource source;
	char	   *database;
	char	   *servername;
	Oid			newserver;
	List	   *relids;
	List	   *mapping;
	char	   *mysql_dbname = NULL;
	char	   *url;
	ListCell   *lc;

	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to adopt a foreign server"),
				 errdetail("Moving foreign tables to another server updates the system catalogs directly."),
				 errhint("Ask a superuser to run grant_fdw.adopt_server().")));
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("server name must not be null")));

	server = GetForeignServerByName(NameStr(*PG_GETARG_NAME(0)), false);
	database = PG_ARGISNULL(1) ? pstrdup(server->servername)
		: text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (database[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("database name must not be empty")));

	source = source_of(server);
	grant_fdw = GetForeignDataWrapperByName("grant_fdw", false);
	InitMaterializedSRF(fcinfo, 0);

	/* no concurrent DDL on the server or its tables while they move */
	LockSharedObject(ForeignServerRelationId, server->serverid, 0,
					 AccessExclusiveLock);
	relids = foreign_tables_of(server->serverid);
	foreach(lc, relids)
		LockRelationOid(lfirst_oid(lc), AccessExclusiveLock);

	mapping = caller_mapping_options(server);

	/* a MySQL endpoint connects to the database of its (first) table */
	if (source == ADOPT_MYSQL_FDW && relids != NIL)
	{
		Oid			first = linitial_oid(relids);
		char	   *db = grant_get_option(GetForeignTable(first)->options, "dbname");

		mysql_dbname = db ? db : get_namespace_name(get_rel_namespace(first));
	}

	url = build_url(source, server, mapping, mysql_dbname);
	register_writer(database, source, url);
	CommandCounterIncrement();	/* the registry cache sees the writer */

	if (source == ADOPT_GRANT_FDW)
	{
		repoint_grant_server(server, database);
		newserver = server->serverid;
		servername = server->servername;
	}
	else
	{
		newserver = find_or_create_server(database, grant_fdw->fdwid, &servername);
		copy_user_mappings(server, servername, source, database);
	}
	CommandCounterIncrement();

	foreach(lc, relids)
	{
		Oid			relid = lfirst_oid(lc);
		List	   *dropped = NIL;
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		if (source != ADOPT_GRANT_FDW)
			dropped = move_table(relid, source, server, newserver, grant_fdw);
		values[0] = ObjectIdGetDatum(relid);
		values[1] = DirectFunctionCall1(namein, CStringGetDatum(servername));
		if (dropped == NIL)
			nulls[2] = true;
		else
		{
			Datum	   *elems = palloc(sizeof(Datum) * list_length(dropped));
			int			n = 0;
			ListCell   *dc;

			foreach(dc, dropped)
				elems[n++] = CStringGetTextDatum((char *) lfirst(dc));
			values[2] = PointerGetDatum(construct_array(elems, n, TEXTOID, -1,
														false, TYPALIGN_INT));
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}

	if (source != ADOPT_GRANT_FDW)
		ereport(NOTICE,
				(errmsg("server \"%s\" has no foreign tables left", server->servername),
				 errhint("Drop it with DROP SERVER %s CASCADE once nothing else needs it; its user mappings go with it.",
						 quote_identifier(server->servername))));
	return (Datum) 0;
}

static bool
name_in(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

/* which wrapper serves server: by its handler function, else its name */
static AdoptSource
source_of(ForeignServer *server)
{
	ForeignDataWrapper *fdw = GetForeignDataWrapper(server->fdwid);
	char	   *handler = OidIsValid(fdw->fdwhandler) ? get_func_name(fdw->fdwhandler) : NULL;

	if ((handler && strcmp(handler, "postgres_fdw_handler") == 0) ||
		strcmp(fdw->fdwname, "postgres_fdw") == 0)
		return ADOPT_POSTGRES_FDW;
	if ((handler && strcmp(handler, "mysql_fdw_handler") == 0) ||
		strcmp(fdw->fdwname, "mysql_fdw") == 0)
		return ADOPT_MYSQL_FDW;
	if (handler && strcmp(handler, "grant_fdw_handler") == 0)
	{
		if (grant_server_database(server) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("server \"%s\" already uses registry database \"%s\"",
							server->servername, grant_server_database(server))));
		return ADOPT_GRANT_FDW;
	}
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot adopt server \"%s\" of foreign-data wrapper \"%s\"",
					server->servername, fdw->fdwname),
			 errhint("grant_fdw.adopt_server() takes servers of postgres_fdw, mysql_fdw and registry-less grant_fdw servers.")));
	return ADOPT_POSTGRES_FDW;	/* keep the compiler quiet */
}

/*
 * The options of the user mapping the caller connects with: the caller's
 * own, else PUBLIC's, as the wrappers themselves look them up.  NIL for a
 * registry-less grant_fdw server without one (its endpoint may need no
 * credentials); an error for the other wrappers, which cannot connect
 * without one.
 */
static List *
caller_mapping_options(ForeignServer *server)
{
	Oid			users[2] = {GetUserId(), InvalidOid};
	int			i;

	for (i = 0; i < 2; i++)
	{
		HeapTuple	tp = SearchSysCache2(USERMAPPINGUSERSERVER,
										 ObjectIdGetDatum(users[i]),
										 ObjectIdGetDatum(server->serverid));

		if (HeapTupleIsValid(tp))
		{
			bool		isnull;
			Datum		d = SysCacheGetAttr(USERMAPPINGUSERSERVER, tp,
											Anum_pg_user_mapping_umoptions,
											&isnull);
			List	   *options = isnull ? NIL : untransformRelOptions(d);

			ReleaseSysCache(tp);
			return options;
		}
	}
	if (source_of(server) == ADOPT_GRANT_FDW)
		return NIL;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("user mapping not found for user \"%s\", server \"%s\"",
					GetUserNameFromId(GetUserId(), false), server->servername),
			 errhint("The endpoint is registered with the credentials of the caller's user mapping, or the PUBLIC one: create one first.")));
	return NIL;
}

/*
 * The connection URL of the server's endpoint with the mapping's
 * credentials: a libpq keyword string for PostgreSQL, a mysql:// URL for
 * MySQL.  palloc'd; holds the password, so it goes nowhere but the
 * registry.
 */
static char *
build_url(AdoptSource source, ForeignServer *server, List *mapping,
		  const char *mysql_dbname)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	if (source == ADOPT_MYSQL_FDW)
	{
		char	   *user = grant_get_option(mapping, "username");
		char	   *password = grant_get_option(mapping, "password");
		char	   *host = grant_get_option(server->options, "host");
		char	   *port = grant_get_option(server->options, "port");
		bool		first = true;

		append_mysql_url_start(&buf, user, password);
		/* mysql_fdw's defaults, explicit: grant would take a socket */
		if (host == NULL)
			host = "127.0.0.1";
		if (strchr(host, ':') != NULL)
			appendStringInfo(&buf, "[%s]", host);
		else
			append_encoded(&buf, host);
		appendStringInfo(&buf, ":%s", port ? port : "3306");
		if (mysql_dbname != NULL)
		{
			appendStringInfoChar(&buf, '/');
			append_encoded(&buf, mysql_dbname);
		}
		foreach(lc, server->options)
		{
			DefElem    *def = (DefElem *) lfirst(lc);

			if (strncmp(def->defname, "ssl_", 4) != 0)
				continue;
			appendStringInfoChar(&buf, first ? '?' : '&');
			first = false;
			append_encoded(&buf, def->defname);
			appendStringInfoChar(&buf, '=');
			append_encoded(&buf, defGetString(def));
		}
		return buf.data;
	}

	if (source == ADOPT_GRANT_FDW)
	{
		GrantEndpoint *ep = grant_server_endpoint(server);
		char	   *url = grant_endpoint_url(ep);	/* never has a password */
		char	   *user = grant_get_option(mapping, "user");
		char	   *password = grant_get_option(mapping, "password");

		if (ep->adapter == GRANT_ADAPTER_MYSQL)
		{
			/* put the credentials in front of the host */
			char	   *rest = url + strlen("mysql://");

			if (ep->user != NULL && user == NULL)
				user = ep->user;
			if (ep->user != NULL)
				rest = strchr(rest, '@') + 1;
			append_mysql_url_start(&buf, user, password);
			appendStringInfoString(&buf, rest);
			return buf.data;
		}
		append_keyword(&buf, "host", ep->host);
		if (ep->port > 0)
			append_keyword(&buf, "port", psprintf("%d", ep->port));
		append_keyword(&buf, "dbname", ep->dbname);
		append_keyword(&buf, "user", user ? user : ep->user);
		append_keyword(&buf, "password", password);
		foreach(lc, ep->options)
		{
			DefElem    *def = (DefElem *) lfirst(lc);

			append_keyword(&buf, def->defname, strVal(def->arg));
		}
		return buf.data;
	}

	/* postgres_fdw: every server option that is no option of its own */
	foreach(lc, server->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (!name_in(def->defname, postgres_fdw_server_options))
			append_keyword(&buf, def->defname, defGetString(def));
	}
	append_keyword(&buf, "user", grant_get_option(mapping, "user"));
	append_keyword(&buf, "password", grant_get_option(mapping, "password"));
	foreach(lc, mapping)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		/* postgres_fdw takes client certificates in a user mapping too */
		if (strcmp(def->defname, "sslcert") == 0 ||
			strcmp(def->defname, "sslkey") == 0)
			append_keyword(&buf, def->defname, defGetString(def));
	}
	if (buf.len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" has no connection options", server->servername),
				 errhint("Give the server at least a host or a dbname.")));
	return buf.data;
}

/* kw='val' for a libpq keyword string; nothing for a NULL value */
static void
append_keyword(StringInfo buf, const char *kw, const char *val)
{
	const char *p;

	if (val == NULL)
		return;
	appendStringInfo(buf, "%s%s='", buf->len > 0 ? " " : "", kw);
	for (p = val; *p; p++)
	{
		if (*p == '\'' || *p == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, '\'');
}

/* "mysql://" and the credentials (percent-encoded) with their '@', if any */
static void
append_mysql_url_start(StringInfo buf, const char *user, const char *password)
{
	appendStringInfoString(buf, "mysql://");
	if (user == NULL)
		return;
	append_encoded(buf, user);
	if (password != NULL)
	{
		appendStringInfoChar(buf, ':');
		append_encoded(buf, password);
	}
	appendStringInfoChar(buf, '@');
}

/* percent-encoding of everything but RFC 3986's unreserved characters */
static void
append_encoded(StringInfo buf, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *) s; *p; p++)
	{
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			(*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
			*p == '_' || *p == '~')
			appendStringInfoChar(buf, (char) *p);
		else
			appendStringInfo(buf, "%%%02X", *p);
	}
}

/*
 * Register url as the writer of database, shard 'default', unless that
 * writer is already registered for the same endpoint.  Registration runs
 * through grant_fdw.establish_connection(), with every check it makes.
 */
static void
register_writer(const char *database, AdoptSource source, const char *url)
{
	GrantEndpoint ep;
	List	   *endpoints = grant_registry_endpoints(database);
	ListCell   *lc;
	Oid			argtypes[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	int			ret;
	bool		mysql;
	GrantRunAs	run_as;

	memset(&ep, 0, sizeof(ep));
	mysql = source == ADOPT_MYSQL_FDW ||
		(source == ADOPT_GRANT_FDW && strncmp(url, "mysql://", 8) == 0);
	if (mysql)
		grant_mysql_parse_url(url, &ep);
	else
		grant_pg_parse_url(url, &ep);

	foreach(lc, endpoints)
	{
		GrantEndpoint *reg = (GrantEndpoint *) lfirst(lc);

		if (reg->role != GRANT_ROLE_WRITING ||
			strcmp(reg->shard, GRANT_DEFAULT_SHARD) != 0)
			continue;
		if (reg->adapter == ep.adapter && reg->port == ep.port &&
			((reg->host == NULL && ep.host == NULL) ||
			 (reg->host && ep.host && strcmp(reg->host, ep.host) == 0)) &&
			((reg->dbname == NULL && ep.dbname == NULL) ||
			 (reg->dbname && ep.dbname && strcmp(reg->dbname, ep.dbname) == 0)))
		{
			ereport(NOTICE,
					(errmsg("endpoint \"%s\" is already the writer of grant database \"%s\"",
							grant_endpoint_label(reg), database)));
			return;
		}
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("grant database \"%s\" already has another writer", database),
				 errdetail("Its writer is \"%s\".", grant_endpoint_label(reg)),
				 errhint("Pass another database name as the second argument of grant_fdw.adopt_server().")));
	}

	grant_run_as_begin(&run_as, InvalidOid);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	values[0] = CStringGetTextDatum(database);
	values[1] = CStringGetTextDatum(mysql ? "mysql" : "postgresql");
	values[2] = CStringGetTextDatum(url);
	ret = SPI_execute_with_args("SELECT grant_fdw.establish_connection($1, $2, $3)",
								3, argtypes, values, NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not register endpoint: %s", SPI_result_code_string(ret));
	SPI_finish();
	grant_run_as_end(&run_as);
	ereport(NOTICE,
			(errmsg("registered \"%s\" as the writer of grant database \"%s\"",
					grant_endpoint_label(&ep), database)));
}

/*
 * The grant_fdw server for database: the first by name among those that
 * name it, else a new one named after the database (or database_grant
 * when that name is taken).  Returns its OID and, in *servername, its name.
 */
static Oid
find_or_create_server(const char *database, Oid grant_fdw, char **servername)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	Oid			found = InvalidOid;
	char	   *found_name = NULL;
	CreateForeignServerStmt *stmt;
	ObjectAddress addr;

	ScanKeyInit(&key, Anum_pg_foreign_server_srvfdw, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(grant_fdw));
	rel = table_open(ForeignServerRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_foreign_server srv = (Form_pg_foreign_server) GETSTRUCT(tup);
		ForeignServer *fs = GetForeignServer(srv->oid);
		char	   *db = grant_server_database(fs);

		if (db != NULL && strcmp(db, database) == 0 &&
			(found_name == NULL || strcmp(fs->servername, found_name) < 0))
		{
			found = fs->serverid;
			found_name = fs->servername;
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	if (OidIsValid(found))
	{
		*servername = found_name;
		return found;
	}

	stmt = makeNode(CreateForeignServerStmt);
	stmt->servername = GetForeignServerByName(database, true) == NULL ?
		pstrdup(database) : psprintf("%s_grant", database);
	stmt->fdwname = "grant_fdw";
	stmt->options = list_make1(makeDefElem("database",
										   (Node *) makeString(pstrdup(database)),
										   -1));
	addr = CreateForeignServer(stmt);
	CommandCounterIncrement();
	ereport(NOTICE,
			(errmsg("created server \"%s\" for grant database \"%s\"",
					stmt->servername, database)));
	*servername = stmt->servername;
	return addr.objectId;
}

/*
 * Give the grant server a translated copy of every user mapping of the old
 * one, so that each local user keeps its remote identity.  A mapping with
 * the very credentials of the database's writer is not copied: without it
 * the registry gives the same, and a reused server's other tables are left
 * as they were.  Neither is one the grant server has already.  Options
 * without a grant meaning are left out.
 */
static void
copy_user_mappings(ForeignServer *old, const char *newname, AdoptSource source,
				   const char *database)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	Oid			newserver = GetForeignServerByName(newname, false)->serverid;
	List	   *users = NIL;
	List	   *optlists = NIL;
	ListCell   *lu;
	ListCell   *lo;
	GrantEndpoint *writer = NULL;

	foreach(lu, grant_registry_endpoints(database))
	{
		GrantEndpoint *ep = (GrantEndpoint *) lfirst(lu);

		if (ep->role == GRANT_ROLE_WRITING &&
			strcmp(ep->shard, GRANT_DEFAULT_SHARD) == 0)
			writer = ep;
	}

	ScanKeyInit(&key, Anum_pg_user_mapping_umserver, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(old->serverid));
	rel = table_open(UserMappingRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_user_mapping um = (Form_pg_user_mapping) GETSTRUCT(tup);
		bool		isnull;
		Datum		d = heap_getattr(tup, Anum_pg_user_mapping_umoptions,
									 RelationGetDescr(rel), &isnull);

		users = lappend_oid(users, um->umuser);
		optlists = lappend(optlists, isnull ? NIL : untransformRelOptions(d));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	forboth(lu, users, lo, optlists)
	{
		Oid			user = lfirst_oid(lu);
		List	   *translated = NIL;
		ListCell   *lc;
		CreateUserMappingStmt *stmt;
		RoleSpec   *role;

		if (SearchSysCacheExists2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(user),
								  ObjectIdGetDatum(newserver)))
			continue;
		foreach(lc, (List *) lfirst(lo))
		{
			DefElem    *def = (DefElem *) lfirst(lc);
			const char *name = def->defname;

			if (source == ADOPT_MYSQL_FDW && strcmp(name, "username") == 0)
				name = "user";
			if (strcmp(name, "user") == 0 || strcmp(name, "password") == 0 ||
				strcmp(name, "password_required") == 0)
				translated = lappend(translated,
									 makeDefElem(pstrdup(name),
												 (Node *) makeString(pstrdup(defGetString(def))),
												 -1));
		}
		if (writer != NULL &&
			same_text(grant_get_option(translated, "user"), writer->user) &&
			same_text(grant_get_option(translated, "password"), writer->password) &&
			grant_get_option(translated, "password_required") == NULL)
			continue;
		role = makeNode(RoleSpec);
		role->location = -1;
		if (OidIsValid(user))
		{
			role->roletype = ROLESPEC_CSTRING;
			role->rolename = GetUserNameFromId(user, false);
		}
		else
			role->roletype = ROLESPEC_PUBLIC;
		stmt = makeNode(CreateUserMappingStmt);
		stmt->user = role;
		stmt->servername = pstrdup(newname);
		stmt->options = translated;
		CreateUserMapping(stmt);
	}
}

/* equal strings, or both NULL */
static bool
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* OIDs of the foreign tables of a server, in OID order */
static List *
foreign_tables_of(Oid serverid)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	List	   *relids = NIL;

	ScanKeyInit(&key, Anum_pg_foreign_table_ftserver, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(serverid));
	rel = table_open(ForeignTableRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		relids = lappend_oid(relids, ((Form_pg_foreign_table) GETSTRUCT(tup))->ftrelid);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	list_sort(relids, list_oid_cmp);
	return relids;
}

/*
 * grant's options for a foreign table of the old wrapper; the names of
 * those dropped are appended to *dropped.
 */
static List *
translate_table_options(AdoptSource source, Oid relid, List *options,
						List *server_options, List **dropped)
{
	List	   *result = NIL;
	ListCell   *lc;
	const char *const *inh;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		const char *name = def->defname;

		if (source == ADOPT_MYSQL_FDW && strcmp(name, "dbname") == 0)
			name = "schema_name";
		if (name_in(name, source == ADOPT_MYSQL_FDW ? mysql_fdw_table_options
					: postgres_fdw_table_options))
			result = lappend(result,
							 makeDefElem(pstrdup(name),
										 (Node *) makeString(pstrdup(defGetString(def))),
										 -1));
		else
			*dropped = lappend(*dropped, pstrdup(def->defname));
	}

	/* what the server said for all its tables, each table now says */
	for (inh = inherited_options; *inh != NULL; inh++)
	{
		char	   *v = grant_get_option(server_options, *inh);

		if (v == NULL || grant_get_option(result, *inh) != NULL)
			continue;
		if (source == ADOPT_MYSQL_FDW && strcmp(*inh, "fetch_size") != 0)
			continue;
		result = lappend(result, makeDefElem(pstrdup(*inh),
											 (Node *) makeString(pstrdup(v)), -1));
	}

	if (source == ADOPT_POSTGRES_FDW)
		result = lappend(result, makeDefElem("binary_transfer",
											 (Node *) makeString("false"), -1));
	else
	{
		Relation	rel = relation_open(relid, NoLock);
		TupleDesc	desc = RelationGetDescr(rel);
		int			i;

		/* mysql_fdw reads the database from the local schema by default */
		if (grant_get_option(result, "schema_name") == NULL)
			result = lappend(result,
							 makeDefElem("schema_name",
										 (Node *) makeString(get_namespace_name(RelationGetNamespace(rel))),
										 -1));
		/* mysql_fdw finds rows to update or delete by the first column */
		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (att->attisdropped)
				continue;
			result = lappend(result,
							 makeDefElem("key",
										 (Node *) makeString(pstrdup(quote_identifier(NameStr(att->attname)))),
										 -1));
			break;
		}
		relation_close(rel, NoLock);
	}
	return result;
}

/* a text[] of name=value, as the catalogs store options; 0 for none */
static Datum
options_array(List *options)
{
	ArrayBuildState *astate = NULL;
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		astate = accumArrayResult(astate,
								  CStringGetTextDatum(psprintf("%s=%s", def->defname,
															   defGetString(def))),
								  false, TEXTOID, CurrentMemoryContext);
	}
	if (astate == NULL)
		return (Datum) 0;
	return makeArrayResult(astate, CurrentMemoryContext);
}

/* run grant's validator on options for catalog, as CREATE would */
static void
validate(ForeignDataWrapper *fdw, Datum array, Oid catalog)
{
	if (!OidIsValid(fdw->fdwvalidator))
		return;
	if (array == (Datum) 0)
		array = PointerGetDatum(construct_empty_array(TEXTOID));
	OidFunctionCall2(fdw->fdwvalidator, array, ObjectIdGetDatum(catalog));
}

/*
 * Move one foreign table to newserver with translated table and column
 * options; returns the names of the options dropped ("column.option" for
 * a column's).
 */
static List *
move_table(Oid relid, AdoptSource source, ForeignServer *old, Oid newserver,
		   ForeignDataWrapper *grant_fdw)
{
	Relation	ftrel;
	Relation	attrel;
	HeapTuple	tup;
	HeapTuple	newtup;
	Datum		values[Natts_pg_foreign_table];
	bool		nulls[Natts_pg_foreign_table];
	bool		replace[Natts_pg_foreign_table];
	Datum		array;
	List	   *options;
	List	   *dropped = NIL;
	int			natts;
	AttrNumber	attnum;
	Relation	rel;

	rel = relation_open(relid, NoLock);	/* locked by the caller */
	natts = RelationGetNumberOfAttributes(rel);
	relation_close(rel, NoLock);

	options = translate_table_options(source, relid, GetForeignTable(relid)->options,
									  old->options, &dropped);
	array = options_array(options);
	validate(grant_fdw, array, ForeignTableRelationId);

	ftrel = table_open(ForeignTableRelationId, RowExclusiveLock);
	tup = SearchSysCacheCopy1(FOREIGNTABLEREL, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for foreign table %u", relid);
	memset(values, 0, sizeof(values));
	memset(nulls, false, sizeof(nulls));
	memset(replace, false, sizeof(replace));
	values[Anum_pg_foreign_table_ftserver - 1] = ObjectIdGetDatum(newserver);
	replace[Anum_pg_foreign_table_ftserver - 1] = true;
	values[Anum_pg_foreign_table_ftoptions - 1] = array;
	nulls[Anum_pg_foreign_table_ftoptions - 1] = (array == (Datum) 0);
	replace[Anum_pg_foreign_table_ftoptions - 1] = true;
	newtup = heap_modify_tuple(tup, RelationGetDescr(ftrel), values, nulls, replace);
	CatalogTupleUpdate(ftrel, &newtup->t_self, newtup);
	table_close(ftrel, RowExclusiveLock);

	if (changeDependencyFor(RelationRelationId, relid, ForeignServerRelationId,
							old->serverid, newserver) != 1)
		elog(ERROR, "could not move the dependency of foreign table %u on its server",
			 relid);

	attrel = table_open(AttributeRelationId, RowExclusiveLock);
	for (attnum = 1; attnum <= natts; attnum++)
	{
		Datum		avalues[Natts_pg_attribute];
		bool		anulls[Natts_pg_attribute];
		bool		areplace[Natts_pg_attribute];
		bool		isnull;
		Datum		d;
		List	   *kept = NIL;
		ListCell   *lc;
		Form_pg_attribute att;

		tup = SearchSysCacheCopyAttNum(relid, attnum);
		if (!HeapTupleIsValid(tup))
			continue;
		att = (Form_pg_attribute) GETSTRUCT(tup);
		d = SysCacheGetAttr(ATTNUM, tup, Anum_pg_attribute_attfdwoptions, &isnull);
		if (att->attisdropped || isnull)
			continue;
		foreach(lc, untransformRelOptions(d))
		{
			DefElem    *def = (DefElem *) lfirst(lc);

			if (strcmp(def->defname, "column_name") == 0)
				kept = lappend(kept, def);
			else
				dropped = lappend(dropped, psprintf("%s.%s", NameStr(att->attname),
													def->defname));
		}
		array = options_array(kept);
		validate(grant_fdw, array, AttributeRelationId);
		memset(anulls, false, sizeof(anulls));
		memset(areplace, false, sizeof(areplace));
		avalues[Anum_pg_attribute_attfdwoptions - 1] = array;
		anulls[Anum_pg_attribute_attfdwoptions - 1] = (array == (Datum) 0);
		areplace[Anum_pg_attribute_attfdwoptions - 1] = true;
		newtup = heap_modify_tuple(tup, RelationGetDescr(attrel), avalues, anulls,
								   areplace);
		CatalogTupleUpdate(attrel, &newtup->t_self, newtup);
	}
	table_close(attrel, RowExclusiveLock);

	InvokeObjectPostAlterHook(ForeignTableRelationId, relid, 0);
	/* plans and the relcache's FDW routine must see the new server */
	CacheInvalidateRelcacheByRelid(relid);
	return dropped;
}

/*
 * Point a registry-less grant_fdw server at registry database database:
 * drop its endpoint options and add option database, as ALTER SERVER
 * would (its validator and invalidations included).
 */
static void
repoint_grant_server(ForeignServer *server, const char *database)
{
	AlterForeignServerStmt *stmt = makeNode(AlterForeignServerStmt);
	ListCell   *lc;

	stmt->servername = server->servername;
	foreach(lc, server->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (!name_in(def->defname, grant_plain_server_options))
			stmt->options = lappend(stmt->options,
									makeDefElemExtended(NULL, pstrdup(def->defname),
														NULL, DEFELEM_DROP, -1));
	}
	stmt->options = lappend(stmt->options,
							makeDefElemExtended(NULL, "database",
												(Node *) makeString(pstrdup(database)),
												DEFELEM_ADD, -1));
	AlterForeignServer(stmt);
	ereport(NOTICE,
			(errmsg("server \"%s\" now uses grant database \"%s\"",
					server->servername, database)));
}
