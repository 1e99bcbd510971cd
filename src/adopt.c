/*-------------------------------------------------------------------------
 *
 * adopt.c
 *		  The migration bridge: grant_fdw.adopt_server() takes over a server
 *		  of postgres_fdw or mysql_fdw, or a registry-less grant_fdw server,
 *		  without touching the foreign tables' identity.
 *
 * For a postgres_fdw or mysql_fdw server it
 *	1. registers the server's endpoint as the writer (shard 'default') of a
 *	   grant database, with no personal credentials: with those of the
 *	   server's PUBLIC user mapping if it has one (everyone had them),
 *	   else with none; a writer already registered there for the same
 *	   host, port and database is reused only if it has those very
 *	   credentials;
 *	2. finds a grant_fdw server naming that database, or creates one named
 *	   after the database (with suffix "_grant" when the name is taken); a
 *	   server found is reused only if it gives every local user the remote
 *	   identity the old server gave (its own mappings included);
 *	3. copies, translated, every user mapping of the old server (PUBLIC's
 *	   and the caller's included) that the grant server lacks;
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
 * the registry in place: its endpoint, as the server names it (a user
 * name perhaps, never a password), is registered as above, and its
 * endpoint options are replaced by option database; its user mappings
 * stay.
 *
 * Owners: a server that names a registry database may be owned only by a
 * superuser or a registry administrator of this database (option.c).  A repointed or reused
 * server owned by anyone else is given to the caller, and its old owner
 * keeps USAGE; USAGE grants stay, since an endpoint registered here lends
 * no personal credentials.
 *
 * Invariants: each local user keeps exactly the remote identity it had:
 * its own mapping, else the PUBLIC one, else an error (connection.c
 * refuses a user without a mapping on an endpoint registered without
 * credentials, instead of using the local server's ambient ones); what
 * cannot be kept exactly is refused.  No password is ever printed or put
 * into SQL text; it reaches the registry as a query parameter and user
 * mappings through CreateUserMapping's parse tree.  Everything happens in
 * the caller's transaction: an error leaves nothing behind.
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

/* one user mapping of a server, its options under grant's names */
typedef struct AdoptMapping
{
	Oid			user;			/* InvalidOid: PUBLIC */
	List	   *options;		/* user, password, password_required */
	List	   *raw;			/* as its wrapper has them */
} AdoptMapping;

/* the remote identity a local user connects with; none: an error */
typedef struct AdoptIdentity
{
	bool		none;
	const char *user;
	const char *password;
	const char *password_required;
} AdoptIdentity;

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
static List *public_mapping_options(ForeignServer *server);
static void parse_endpoint(AdoptSource source, const char *url,
						   GrantEndpoint *ep);
static char *build_url(AdoptSource source, ForeignServer *server,
					   List *mapping, const char *mysql_dbname);
static void append_keyword(StringInfo buf, const char *kw, const char *val);
static void append_encoded(StringInfo buf, const char *s);
static void append_mysql_url_start(StringInfo buf, const char *user,
								   const char *password);
static void register_writer(const char *database, ForeignServer *server,
							const GrantEndpoint *ep, const char *url);
static Oid	find_or_create_server(const char *database, Oid grant_fdw,
								  char **servername, bool *reused);
static List *mappings_of(Oid serverid, AdoptSource source);
static AdoptMapping *mapping_for(List *mappings, Oid user);
static void check_mappings_exact(List *mappings, AdoptSource source,
								 ForeignServer *old, const GrantEndpoint *lent);
static void refuse_mapping(AdoptMapping *m, ForeignServer *old,
						   const char *detail);
static AdoptIdentity identity_of(List *mappings, Oid user,
								 const GrantEndpoint *lent);
static bool same_identity(AdoptIdentity a, AdoptIdentity b);
static void check_reuse(const char *servername, List *target, List *old,
						ForeignServer *oldserver, const GrantEndpoint *lent);
static void copy_user_mappings(List *old, List *target, const char *newname);
static void check_owner(Oid serverid);
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
	List	   *old_mappings = NIL;
	char	   *mysql_dbname = NULL;
	char	   *url;
	GrantEndpoint lent;
	bool		reused;
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

	/* a MySQL endpoint connects to the database of its (first) table */
	if (source == ADOPT_MYSQL_FDW && relids != NIL)
	{
		Oid			first = linitial_oid(relids);
		char	   *db = grant_get_option(GetForeignTable(first)->options, "dbname");

		mysql_dbname = db ? db : get_namespace_name(get_rel_namespace(first));
	}

	/* the endpoint lends only what everyone had: PUBLIC's credentials */
	url = build_url(source, server,
					source == ADOPT_GRANT_FDW ? NIL : public_mapping_options(server),
					mysql_dbname);
	parse_endpoint(source, url, &lent);
	if (source != ADOPT_GRANT_FDW)
	{
		old_mappings = mappings_of(server->serverid, source);
		check_mappings_exact(old_mappings, source, server, &lent);
	}
	register_writer(database, server, &lent, url);
	CommandCounterIncrement();	/* the registry cache sees the writer */

	if (source == ADOPT_GRANT_FDW)
	{
		repoint_grant_server(server, database);
		newserver = server->serverid;
		servername = server->servername;
	}
	else
	{
		List	   *target;

		newserver = find_or_create_server(database, grant_fdw->fdwid,
										  &servername, &reused);
		target = mappings_of(newserver, ADOPT_GRANT_FDW);
		if (reused)
			check_reuse(servername, target, old_mappings, server, &lent);
		copy_user_mappings(old_mappings, target, servername);
	}
	CommandCounterIncrement();
	check_owner(newserver);
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
 * The options of the server's PUBLIC user mapping, as its wrapper names
 * them; NIL when it has none.  Only they may go into the registry: every
 * local user without a mapping of its own connected with them.
 */
static List *
public_mapping_options(ForeignServer *server)
{
	AdoptMapping *m = mapping_for(mappings_of(server->serverid, source_of(server)),
								  InvalidOid);

	return m ? m->raw : NIL;
}

/* ep: the endpoint of url, as the registry will hold it */
static void
parse_endpoint(AdoptSource source, const char *url, GrantEndpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (source == ADOPT_MYSQL_FDW ||
		(source == ADOPT_GRANT_FDW && strncmp(url, "mysql://", 8) == 0))
		grant_mysql_parse_url(url, ep);
	else
		grant_pg_parse_url(url, ep);
}

/*
 * The connection URL of the server's endpoint with the credentials of
 * mapping (the PUBLIC one's options, or NIL): a libpq keyword string for
 * PostgreSQL, a mysql:// URL for MySQL.  palloc'd; may hold a password,
 * so it goes nowhere but the registry.
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
		/* the server's own endpoint: its user name, if any, no password */
		GrantEndpoint *ep = grant_server_endpoint(server);

		if (ep->adapter == GRANT_ADAPTER_MYSQL)
			return grant_endpoint_url(ep);	/* never has a password */
		append_keyword(&buf, "host", ep->host);
		if (ep->port > 0)
			append_keyword(&buf, "port", psprintf("%d", ep->port));
		append_keyword(&buf, "dbname", ep->dbname);
		append_keyword(&buf, "user", ep->user);
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
 * Register url (parsed: ep) as the writer of database, shard 'default',
 * unless that writer is already registered for the same endpoint with the
 * same credentials; with others, it would lend them to users of server
 * who had no mapping.  Registration runs through
 * grant_fdw.establish_connection(), with every check it makes.
 */
static void
register_writer(const char *database, ForeignServer *server,
				const GrantEndpoint *ep, const char *url)
{
	List	   *endpoints = grant_registry_endpoints(database);
	ListCell   *lc;
	Oid			argtypes[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	int			ret;
	GrantRunAs	run_as;

	foreach(lc, endpoints)
	{
		GrantEndpoint *reg = (GrantEndpoint *) lfirst(lc);

		if (reg->role != GRANT_ROLE_WRITING ||
			strcmp(reg->shard, GRANT_DEFAULT_SHARD) != 0)
			continue;
		if (reg->adapter == ep->adapter && reg->port == ep->port &&
			same_text(reg->host, ep->host) && same_text(reg->dbname, ep->dbname))
		{
			if (!same_text(reg->user, ep->user) ||
				!same_text(reg->password, ep->password))
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("writer \"%s\" of grant database \"%s\" has other credentials than server \"%s\" gives everyone",
								grant_endpoint_label(reg), database,
								server->servername),
						 errdetail("Local users without a user mapping would connect with the writer's credentials."),
						 errhint("Pass another database name as the second argument of grant_fdw.adopt_server().")));
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
	values[1] = CStringGetTextDatum(ep->adapter == GRANT_ADAPTER_MYSQL ?
									"mysql" : "postgresql");
	values[2] = CStringGetTextDatum(url);
	ret = SPI_execute_with_args("SELECT grant_fdw.establish_connection($1, $2, $3)",
								3, argtypes, values, NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not register endpoint: %s", SPI_result_code_string(ret));
	SPI_finish();
	grant_run_as_end(&run_as);
	ereport(NOTICE,
			(errmsg("registered \"%s\" as the writer of grant database \"%s\"",
					grant_endpoint_label(ep), database)));
}

/*
 * The grant_fdw server for database: the first by name among those that
 * name it (*reused), else a new one named after the database (or
 * database_grant when that name is taken).  Returns its OID and, in
 * *servername, its name.
 */
static Oid
find_or_create_server(const char *database, Oid grant_fdw, char **servername,
					  bool *reused)
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

	*reused = OidIsValid(found);
	if (*reused)
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
 * The user mappings of a server, options translated to grant's names
 * (mysql_fdw's username is user); those without a grant meaning are left
 * out of options and kept in raw.  palloc'd.
 */
static List *
mappings_of(Oid serverid, AdoptSource source)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	List	   *result = NIL;

	ScanKeyInit(&key, Anum_pg_user_mapping_umserver, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(serverid));
	rel = table_open(UserMappingRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		AdoptMapping *m = palloc0(sizeof(AdoptMapping));
		bool		isnull;
		Datum		d = heap_getattr(tup, Anum_pg_user_mapping_umoptions,
									 RelationGetDescr(rel), &isnull);
		ListCell   *lc;

		m->user = ((Form_pg_user_mapping) GETSTRUCT(tup))->umuser;
		m->raw = isnull ? NIL : untransformRelOptions(d);
		foreach(lc, m->raw)
		{
			DefElem    *def = (DefElem *) lfirst(lc);
			const char *name = def->defname;

			if (source == ADOPT_MYSQL_FDW && strcmp(name, "username") == 0)
				name = "user";
			if (strcmp(name, "user") == 0 || strcmp(name, "password") == 0 ||
				strcmp(name, "password_required") == 0)
				m->options = lappend(m->options,
									 makeDefElem(pstrdup(name),
												 (Node *) makeString(pstrdup(defGetString(def))),
												 -1));
		}
		result = lappend(result, m);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

/* the mapping of user (InvalidOid: PUBLIC) in mappings, or NULL */
static AdoptMapping *
mapping_for(List *mappings, Oid user)
{
	ListCell   *lc;

	foreach(lc, mappings)
	{
		AdoptMapping *m = (AdoptMapping *) lfirst(lc);

		if (m->user == user)
			return m;
	}
	return NULL;
}

/*
 * Refuse a personal mapping whose copy would connect otherwise than it
 * did, because grant completes a mapping from the endpoint, which lends
 * PUBLIC's credentials (lent): one naming no user (its wrapper took the
 * local server's default user name), one naming PUBLIC's user without a
 * password (it had none), one with a client certificate other than
 * PUBLIC's (grant takes certificates from the endpoint).
 */
static void
check_mappings_exact(List *mappings, AdoptSource source, ForeignServer *old,
					 const GrantEndpoint *lent)
{
	AdoptMapping *pub = mapping_for(mappings, InvalidOid);
	ListCell   *lc;

	foreach(lc, mappings)
	{
		AdoptMapping *m = (AdoptMapping *) lfirst(lc);
		char	   *user = grant_get_option(m->options, "user");
		char	   *password = grant_get_option(m->options, "password");

		if (!OidIsValid(m->user))
			continue;
		if (user == NULL && (lent->user != NULL || lent->password != NULL))
			refuse_mapping(m, old, "It names no remote user, so grant would connect as the PUBLIC mapping's user.");
		if (password == NULL && lent->password != NULL &&
			same_text(user, lent->user))
			refuse_mapping(m, old, "It names the PUBLIC mapping's user without a password, so grant would send the PUBLIC mapping's password.");
		if (source == ADOPT_POSTGRES_FDW &&
			(!same_text(grant_get_option(m->raw, "sslcert"),
						pub ? grant_get_option(pub->raw, "sslcert") : NULL) ||
			 !same_text(grant_get_option(m->raw, "sslkey"),
						pub ? grant_get_option(pub->raw, "sslkey") : NULL)))
			refuse_mapping(m, old, "It has a client certificate of its own, and grant takes client certificates from the endpoint, which has the PUBLIC mapping's.");
	}
}

static void
refuse_mapping(AdoptMapping *m, ForeignServer *old, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot keep the remote identity of user \"%s\" on server \"%s\"",
					GetUserNameFromId(m->user, false), old->servername),
			 errdetail_internal("%s", detail),
			 errhint("Give the user mapping its own user and password, or drop it, before adopting the server.")));
}

/*
 * The identity user (InvalidOid: anyone without a mapping) connects with
 * through a server with mappings, as connection.c completes it from the
 * endpoint's lent credentials: the user's mapping, else PUBLIC's, else
 * the endpoint's own credentials, else none (an error).
 */
static AdoptIdentity
identity_of(List *mappings, Oid user, const GrantEndpoint *lent)
{
	AdoptMapping *m = mapping_for(mappings, user);
	AdoptIdentity id = {false, NULL, NULL, NULL};

	if (m == NULL)
		m = mapping_for(mappings, InvalidOid);
	if (m == NULL)
	{
		id.none = (lent->user == NULL && lent->password == NULL);
		id.user = lent->user;
		id.password = lent->password;
		return id;
	}
	id.user = grant_get_option(m->options, "user");
	id.password = grant_get_option(m->options, "password");
	id.password_required = grant_get_option(m->options, "password_required");
	if (id.password == NULL && (id.user == NULL || same_text(id.user, lent->user)))
		id.password = lent->password;
	if (id.user == NULL)
		id.user = lent->user;
	return id;
}

static bool
same_identity(AdoptIdentity a, AdoptIdentity b)
{
	if (a.none || b.none)
		return a.none == b.none;
	return same_text(a.user, b.user) && same_text(a.password, b.password) &&
		same_text(a.password_required, b.password_required);
}

/*
 * A grant server found for the database is reused only if, once the old
 * server's mappings are added where it has none, every local user
 * connects through it as through the old server: its other tables then
 * keep their identities, and the adopted ones theirs.
 */
static void
check_reuse(const char *servername, List *target, List *old,
			ForeignServer *oldserver, const GrantEndpoint *lent)
{
	List	   *users = list_make1_oid(InvalidOid);
	ListCell   *lc;

	foreach(lc, target)
		users = list_append_unique_oid(users, ((AdoptMapping *) lfirst(lc))->user);
	foreach(lc, old)
		users = list_append_unique_oid(users, ((AdoptMapping *) lfirst(lc))->user);
	foreach(lc, users)
	{
		Oid			user = lfirst_oid(lc);

		if (same_identity(identity_of(target, user, lent),
						  identity_of(old, user, lent)))
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("server \"%s\" would give %s another remote identity than server \"%s\"",
						servername,
						OidIsValid(user) ? psprintf("user \"%s\"", GetUserNameFromId(user, false))
						: "users without a user mapping",
						oldserver->servername),
				 errhint("Make the user mappings of both servers agree, or pass another database name as the second argument of grant_fdw.adopt_server().")));
	}
}

/*
 * Give the grant server (its mappings: target) a copy of each mapping of
 * the old server it lacks; those it has give the same identity (see
 * check_reuse).
 */
static void
copy_user_mappings(List *old, List *target, const char *newname)
{
	ListCell   *lc;

	foreach(lc, old)
	{
		AdoptMapping *m = (AdoptMapping *) lfirst(lc);
		CreateUserMappingStmt *stmt;
		RoleSpec   *role;

		if (mapping_for(target, m->user) != NULL)
			continue;
		role = makeNode(RoleSpec);
		role->location = -1;
		if (OidIsValid(m->user))
		{
			role->roletype = ROLESPEC_CSTRING;
			role->rolename = GetUserNameFromId(m->user, false);
		}
		else
			role->roletype = ROLESPEC_PUBLIC;
		stmt = makeNode(CreateUserMappingStmt);
		stmt->user = role;
		stmt->servername = pstrdup(newname);
		stmt->options = m->options;
		CreateUserMapping(stmt);
	}
}

/*
 * A server naming a registry database belongs to a superuser or a
 * registry administrator (option.c lets only them create one).  Give one
 * owned by anyone else to the caller; the old owner keeps USAGE, which
 * reaches the database only with credentials of its own, as the
 * endpoint lends none but PUBLIC's.
 */
static void
check_owner(Oid serverid)
{
	ForeignServer *fs = GetForeignServer(serverid);
	char	   *old_owner;
	GrantStmt  *grant;
	AccessPriv *usage;
	RoleSpec   *grantee;

	if (grant_is_registry_admin(fs->owner))
		return;
	old_owner = GetUserNameFromId(fs->owner, false);
	AlterForeignServerOwner(fs->servername, GetUserId());
	CommandCounterIncrement();

	usage = makeNode(AccessPriv);
	usage->priv_name = "usage";
	grantee = makeNode(RoleSpec);
	grantee->roletype = ROLESPEC_CSTRING;
	grantee->rolename = old_owner;
	grantee->location = -1;
	grant = makeNode(GrantStmt);
	grant->is_grant = true;
	grant->targtype = ACL_TARGET_OBJECT;
	grant->objtype = OBJECT_FOREIGN_SERVER;
	grant->objects = list_make1(makeString(pstrdup(fs->servername)));
	grant->privileges = list_make1(usage);
	grant->grantees = list_make1(grantee);
	grant->behavior = DROP_RESTRICT;
	ExecuteGrantStmt(grant);

	ereport(NOTICE,
			(errmsg("server \"%s\" now belongs to \"%s\" instead of \"%s\"",
					fs->servername, GetUserNameFromId(GetUserId(), false),
					old_owner),
			 errdetail("Only superusers and registry administrators may own a server that uses the registry; \"%s\" keeps USAGE on it.",
					   old_owner)));
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
