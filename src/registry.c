/*-------------------------------------------------------------------------
 *
 * registry.c
 *		  The endpoint registry: registration and removal of endpoints in
 *		  grant_fdw.endpoints, and the per-backend cache the router reads.
 *
 * Registration (grant_establish_connection) validates everything before
 * it writes, under a lock that serializes registrations, so a failed call
 * leaves nothing behind and two concurrent ones cannot both pass the
 * duplicate checks.  The unique indexes on the table are only a backstop;
 * none of them includes the password, so even their error details cannot
 * show it.
 *
 * The cache holds every row of grant_fdw.endpoints in one named long-lived
 * memory context ("grant registry cache").  It is loaded with one scan of
 * the table on first use and dropped when the table's relcache entry is
 * invalidated: a statement trigger on the table sends that invalidation on
 * every change, and every backend sees it at its next transaction start
 * (its own changes, at the next command).  Loading reads the table
 * directly, not through SPI, so it is safe from inside SPI and from the
 * executor, and it bypasses privileges on purpose: the router needs the
 * passwords whoever runs the query.
 *
 * Invariants: passwords travel only inside GrantEndpoint; nothing here
 * prints one (labels and URLs are built without it).  Registration and
 * removal are not SECURITY DEFINER: they check what the caller may
 * register as the caller (grant_check_endpoint_privileges), and only then
 * act as the table's owner, in a restricted security context with
 * search_path pinned (run_as.c), for the few fixed statements that touch
 * the table.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "grant.h"

/*
 * SQL text: column equals parameter, or both are NULL.  Spelled out rather
 * than IS NOT DISTINCT FROM, whose "=" could not be schema-qualified.
 */
#define SAME_VALUE(col, param) \
	"(" col " OPERATOR(pg_catalog.=) " param \
	" OR (" col " IS NULL AND " param " IS NULL))"

PG_FUNCTION_INFO_V1(grant_establish_connection);
PG_FUNCTION_INFO_V1(grant_remove_connection);
PG_FUNCTION_INFO_V1(grant_registry_invalidate);
PG_FUNCTION_INFO_V1(grant_connection_url);
PG_FUNCTION_INFO_V1(grant_public_options);
PG_FUNCTION_INFO_V1(grant_registry_cache);
PG_FUNCTION_INFO_V1(grant_registry_cache_stats);

/* the cache; everything it points to lives in registry_cxt */
static MemoryContext registry_cxt = NULL;
static List *registry_entries = NIL;	/* GrantEndpoint *, sorted */
static bool registry_valid = false;
static Oid	registry_relid = InvalidOid;	/* InvalidOid: not looked up */
static uint32 registry_gen = 0;
static uint64 registry_loads = 0;

static void registry_relcache_callback(Datum arg, Oid relid);
static Oid	registry_table_oid(bool missing_ok);
static void registry_load(void);
static int	endpoint_cmp(const ListCell *a, const ListCell *b);
static char *column_text(Datum *values, bool *nulls, TupleDesc desc,
						 const char *colname, bool required);
static char *text_arg(FunctionCallInfo fcinfo, int argno);
static GrantRole role_from_name(const char *name);
static const char *role_name(GrantRole role);
static List *options_from_array(ArrayType *arr);
static Datum options_to_array(List *options);
static void check_registration(const GrantEndpoint *ep);
static int32 establish_connection(FunctionCallInfo fcinfo);
static int32 remove_connection(FunctionCallInfo fcinfo);

/*
 * Called once from _PG_init: the cache must hear about invalidations from
 * the start, before it is first loaded.
 */
void
grant_registry_init(void)
{
	CacheRegisterRelcacheCallback(registry_relcache_callback, (Datum) 0);
}

/*
 * An invalidation of the registry table (or of every relation, relid
 * InvalidOid) drops the cache.  No catalog access is allowed here: only
 * flags change, the reload happens at the next use.  The table's OID is
 * forgotten too, in case the extension was dropped and created again.
 */
static void
registry_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == registry_relid)
	{
		registry_valid = false;
		registry_relid = InvalidOid;
		registry_gen++;
	}
}

/* Generation of the registry: changes whenever the cache is invalidated. */
uint32
grant_registry_generation(void)
{
	return registry_gen;
}

/* grant_fdw.endpoints' OID, InvalidOid if the extension is not installed */
static Oid
registry_table_oid(bool missing_ok)
{
	if (!OidIsValid(registry_relid))
	{
		Oid			nsp = get_namespace_oid(GRANT_SCHEMA, true);

		if (OidIsValid(nsp))
			registry_relid = get_relname_relid(GRANT_REGISTRY_TABLE, nsp);
	}
	if (!OidIsValid(registry_relid) && !missing_ok)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"grant\" is not installed in this database")));
	return registry_relid;
}

/*
 * (Re)load the cache with one scan of the table under the latest snapshot.
 * An invalidation that arrives while loading clears registry_valid again,
 * so the next call loads once more.  Without the extension the cache stays
 * empty and invalid (nothing to be told about when it is created).
 */
static void
registry_load(void)
{
	Oid			relid;
	Relation	rel;
	SysScanDesc scan;
	Snapshot	snapshot;
	HeapTuple	tuple;
	TupleDesc	desc;
	MemoryContext oldcxt;
	List	   *entries = NIL;

	if (!IsTransactionState())
		elog(ERROR, "grant registry read outside a transaction");

	if (registry_cxt == NULL)
		registry_cxt = AllocSetContextCreate(TopMemoryContext,
											 "grant registry cache",
											 ALLOCSET_SMALL_SIZES);
	MemoryContextReset(registry_cxt);
	registry_entries = NIL;

	relid = registry_table_oid(true);
	if (!OidIsValid(relid))
	{
		registry_valid = false;
		return;
	}

	registry_valid = true;
	PG_TRY();
	{
		rel = table_open(relid, AccessShareLock);
		desc = RelationGetDescr(rel);
		snapshot = RegisterSnapshot(GetLatestSnapshot());
		scan = systable_beginscan(rel, InvalidOid, false, snapshot, 0, NULL);

		while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		{
			Datum	   *values = palloc(desc->natts * sizeof(Datum));
			bool	   *nulls = palloc(desc->natts * sizeof(bool));
			GrantEndpoint *ep;
			char	   *s;
			int			i;

			heap_deform_tuple(tuple, desc, values, nulls);

			oldcxt = MemoryContextSwitchTo(registry_cxt);
			ep = palloc0(sizeof(GrantEndpoint));
			for (i = 0; i < desc->natts; i++)
			{
				Form_pg_attribute att = TupleDescAttr(desc, i);
				const char *name = NameStr(att->attname);

				if (att->attisdropped || nulls[i])
					continue;
				if (strcmp(name, "id") == 0)
					ep->id = DatumGetInt32(values[i]);
				else if (strcmp(name, "weight") == 0)
					ep->weight = DatumGetInt32(values[i]);
				else if (strcmp(name, "port") == 0)
					ep->port = DatumGetInt32(values[i]);
				else if (strcmp(name, "options") == 0)
					ep->options = options_from_array(DatumGetArrayTypeP(values[i]));
				else if (strcmp(name, "registered_by") == 0)
					ep->registered_by = get_role_oid(NameStr(*DatumGetName(values[i])),
													 true);
			}
			ep->database = column_text(values, nulls, desc, "database", true);
			s = column_text(values, nulls, desc, "adapter", true);
			if (!grant_adapter_from_name(s, &ep->adapter))
				elog(ERROR, "unknown adapter in grant registry row %d", ep->id);
			ep->role = role_from_name(column_text(values, nulls, desc, "role", true));
			ep->shard = column_text(values, nulls, desc, "shard", true);
			ep->host = column_text(values, nulls, desc, "host", false);
			ep->dbname = column_text(values, nulls, desc, "dbname", false);
			ep->user = column_text(values, nulls, desc, "username", false);
			ep->password = column_text(values, nulls, desc, "password", false);
			entries = lappend(entries, ep);
			MemoryContextSwitchTo(oldcxt);

			pfree(values);
			pfree(nulls);
		}

		systable_endscan(scan);
		UnregisterSnapshot(snapshot);
		table_close(rel, AccessShareLock);
	}
	PG_CATCH();
	{
		registry_valid = false;
		PG_RE_THROW();
	}
	PG_END_TRY();

	list_sort(entries, endpoint_cmp);
	registry_entries = entries;
	registry_loads++;
}

/* order of the cache: database, shard, role (writer first), id */
static int
endpoint_cmp(const ListCell *a, const ListCell *b)
{
	const GrantEndpoint *x = (const GrantEndpoint *) lfirst(a);
	const GrantEndpoint *y = (const GrantEndpoint *) lfirst(b);
	int			c;

	if ((c = strcmp(x->database, y->database)) != 0)
		return c;
	if ((c = strcmp(x->shard, y->shard)) != 0)
		return c;
	if (x->role != y->role)
		return (int) x->role - (int) y->role;
	return (x->id > y->id) - (x->id < y->id);
}

/* a text column by name, copied into CurrentMemoryContext; NULL if null */
static char *
column_text(Datum *values, bool *nulls, TupleDesc desc, const char *colname,
			bool required)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || strcmp(NameStr(att->attname), colname) != 0)
			continue;
		if (nulls[i])
			break;
		return TextDatumGetCString(values[i]);
	}
	if (required)
		elog(ERROR, "grant registry column \"%s\" is missing or null", colname);
	return NULL;
}

/*
 * The endpoints of one registry database, ordered by shard, role (writer
 * first) and id: a deep copy in CurrentMemoryContext, owned by the caller.
 * NIL when the database has none (or the extension is not installed).
 * Must be called inside a valid transaction.
 */
List *
grant_registry_endpoints(const char *database)
{
	List	   *result = NIL;
	ListCell   *lc;

	if (!registry_valid)
		registry_load();

	foreach(lc, registry_entries)
	{
		GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);

		if (strcmp(ep->database, database) == 0)
			result = lappend(result, grant_endpoint_copy(ep));
	}
	return result;
}

/* Whether the registry has at least one endpoint for database. */
/* every registered endpoint, as grant_registry_endpoints() copies them */
List *
grant_registry_all_endpoints(void)
{
	List	   *result = NIL;
	ListCell   *lc;

	if (!registry_valid)
		registry_load();
	foreach(lc, registry_entries)
		result = lappend(result, grant_endpoint_copy((GrantEndpoint *) lfirst(lc)));
	return result;
}

bool
grant_registry_has_database(const char *database)
{
	ListCell   *lc;

	if (!registry_valid)
		registry_load();

	foreach(lc, registry_entries)
	{
		if (strcmp(((GrantEndpoint *) lfirst(lc))->database, database) == 0)
			return true;
	}
	return false;
}

/*
 * Is roleid a registry administrator of this database?  A superuser, or a
 * role with EXECUTE on this database's grant_fdw.establish_connection():
 * privileges on functions are per database, so administration of one
 * database says nothing of another (add_registry_admin() grants the set).
 */
bool
grant_is_registry_admin(Oid roleid)
{
	Oid			argtypes[6] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT4OID};
	Oid			fn;

	if (superuser_arg(roleid))
		return true;
	fn = LookupFuncName(list_make2(makeString(GRANT_SCHEMA),
								   makeString("establish_connection")),
						6, argtypes, true);
	return OidIsValid(fn) && pg_proc_aclcheck(fn, roleid, ACL_EXECUTE) == ACLCHECK_OK;
}

/* A deep copy of ep in CurrentMemoryContext. */
GrantEndpoint *
grant_endpoint_copy(const GrantEndpoint *ep)
{
	GrantEndpoint *copy = palloc(sizeof(GrantEndpoint));
	ListCell   *lc;

	*copy = *ep;
	copy->database = ep->database ? pstrdup(ep->database) : NULL;
	copy->shard = ep->shard ? pstrdup(ep->shard) : NULL;
	copy->host = ep->host ? pstrdup(ep->host) : NULL;
	copy->dbname = ep->dbname ? pstrdup(ep->dbname) : NULL;
	copy->user = ep->user ? pstrdup(ep->user) : NULL;
	copy->password = ep->password ? pstrdup(ep->password) : NULL;
	copy->options = NIL;
	foreach(lc, ep->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		copy->options = lappend(copy->options,
								makeDefElem(pstrdup(def->defname),
											(Node *) makeString(pstrdup(strVal(def->arg))),
											-1));
	}
	return copy;
}

/*
 * "host:port/dbname" for messages and EXPLAIN, palloc'd; never the user or
 * password.  Missing parts print as the adapter would take them by
 * default: "(default)" for host and dbname, no ":port".
 */
char *
grant_endpoint_label(const GrantEndpoint *ep)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (ep->host == NULL)
		appendStringInfoString(&buf, "(default)");
	else if (strchr(ep->host, ':') != NULL)
		appendStringInfo(&buf, "[%s]", ep->host);
	else
		appendStringInfoString(&buf, ep->host);
	if (ep->port > 0)
		appendStringInfo(&buf, ":%d", ep->port);
	appendStringInfo(&buf, "/%s", ep->dbname ? ep->dbname : "(default)");
	return buf.data;
}

/* The adapter callbacks for kind. */
const GrantAdapter *
grant_adapter(GrantAdapterKind kind)
{
	switch (kind)
	{
		case GRANT_ADAPTER_POSTGRESQL:
			return &grant_pg_adapter;
		case GRANT_ADAPTER_MYSQL:
			return &grant_mysql_adapter;
	}
	elog(ERROR, "unknown grant adapter kind %d", (int) kind);
	return NULL;				/* keep compiler quiet */
}

/* Canonical name of an adapter: "postgresql" or "mysql". */
const char *
grant_adapter_name(GrantAdapterKind kind)
{
	return kind == GRANT_ADAPTER_MYSQL ? "mysql" : "postgresql";
}

/*
 * Adapter named by name: 'postgresql' (or 'postgres', 'pg') or 'mysql' (or
 * 'mariadb'), case ignored.  false for anything else.
 */
bool
grant_adapter_from_name(const char *name, GrantAdapterKind *kind)
{
	if (pg_strcasecmp(name, "postgresql") == 0 ||
		pg_strcasecmp(name, "postgres") == 0 ||
		pg_strcasecmp(name, "pg") == 0)
		*kind = GRANT_ADAPTER_POSTGRESQL;
	else if (pg_strcasecmp(name, "mysql") == 0 ||
			 pg_strcasecmp(name, "mariadb") == 0)
		*kind = GRANT_ADAPTER_MYSQL;
	else
		return false;
	return true;
}

static GrantRole
role_from_name(const char *name)
{
	if (name != NULL && pg_strcasecmp(name, "writing") == 0)
		return GRANT_ROLE_WRITING;
	if (name != NULL && pg_strcasecmp(name, "reading") == 0)
		return GRANT_ROLE_READING;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown role \"%s\"", name ? name : ""),
			 errhint("The role of an endpoint is \"writing\" or \"reading\".")));
	return GRANT_ROLE_WRITING;	/* keep compiler quiet */
}

static const char *
role_name(GrantRole role)
{
	return role == GRANT_ROLE_READING ? "reading" : "writing";
}

/* argument argno as a palloc'd C string, NULL for SQL NULL */
static char *
text_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/* text[] of 'key=value' (split at the first '=') to a string DefElem list */
static List *
options_from_array(ArrayType *arr)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	List	   *result = NIL;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		char	   *s;
		char	   *eq;

		if (nulls[i])
			continue;
		s = TextDatumGetCString(elems[i]);
		eq = strchr(s, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		result = lappend(result, makeDefElem(s, (Node *) makeString(eq + 1), -1));
	}
	return result;
}

/* a string DefElem list to text[] of 'key=value' */
static Datum
options_to_array(List *options)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(list_length(options), 1));
	ListCell   *lc;
	int			n = 0;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		elems[n++] = CStringGetTextDatum(psprintf("%s=%s", def->defname,
												  strVal(def->arg)));
	}
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/*
 * Re-raise the error being handled without the "STATEMENT:" line the
 * server log would add: the statement may hold a connection URL with its
 * password.  Call from a PG_CATCH block; cxt is the context the PG_TRY
 * started in.  (log_statement still logs statements when so configured.)
 */
void
grant_rethrow_hiding_statement(MemoryContext cxt)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	edata->hide_stmt = true;
	ReThrowError(edata);
}

/*
 * grant_fdw.establish_connection(database, adapter, url, role, shard,
 * weight) returns int: register one endpoint and return its id.
 *
 * Every check runs before the INSERT; errors never quote the URL, and the
 * server log does not get the statement that holds it.
 */
Datum
grant_establish_connection(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = CurrentMemoryContext;
	int32		id = 0;

	Oid			save_userid;
	int			save_sec_context;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	PG_TRY();
	{
		id = establish_connection(fcinfo);
	}
	PG_CATCH();
	{
		SetUserIdAndSecContext(save_userid, save_sec_context);
		grant_rethrow_hiding_statement(cxt);
	}
	PG_END_TRY();
	PG_RETURN_INT32(id);
}

/*
 * grant_fdw.remove_connection(database, role, shard, url) returns int:
 * remove the endpoints of database that match every non-NULL filter (the
 * URL matches on host, port and dbname) and return how many.  Removing
 * nothing is an error, so a typo does not pass silently.
 */
Datum
grant_remove_connection(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = CurrentMemoryContext;
	int32		removed = 0;

	Oid			save_userid;
	int			save_sec_context;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	PG_TRY();
	{
		removed = remove_connection(fcinfo);
	}
	PG_CATCH();
	{
		SetUserIdAndSecContext(save_userid, save_sec_context);
		grant_rethrow_hiding_statement(cxt);
	}
	PG_END_TRY();
	PG_RETURN_INT32(removed);
}

/* the body of grant_establish_connection */
static int32
establish_connection(FunctionCallInfo fcinfo)
{
	char	   *database = text_arg(fcinfo, 0);
	char	   *adapter = text_arg(fcinfo, 1);
	char	   *url = text_arg(fcinfo, 2);
	char	   *role = text_arg(fcinfo, 3);
	char	   *shard = text_arg(fcinfo, 4);
	GrantEndpoint ep;
	GrantAdapterKind url_kind;
	Oid			argtypes[12] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT4OID,
	TEXTOID, INT4OID, TEXTOID, TEXTOID, TEXTOID, TEXTARRAYOID, NAMEOID};
	Datum		values[12];
	char		nulls[12];
	Oid			caller = GetUserId();
	bool		recorded;
	int			ret;
	bool		isnull;
	int32		id;
	GrantRunAs	run_as;

	memset(&ep, 0, sizeof(ep));

	if (database == NULL || database[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("database name must not be empty"),
				 errhint("Name the logical database the endpoint serves, such as 'primary'.")));
	ep.database = database;

	ep.role = role_from_name(role);

	if (shard == NULL || shard[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("shard name must not be empty"),
				 errhint("Endpoints of an unsharded database use the shard 'default'.")));
	ep.shard = shard;

	if (PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("weight must not be null")));
	ep.weight = PG_GETARG_INT32(5);
	if (ep.weight < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weight must not be negative"),
				 errhint("A reader with weight 0 is registered but receives no reads.")));

	if (adapter != NULL && adapter[0] != '\0' &&
		!grant_adapter_from_name(adapter, &ep.adapter))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown adapter \"%s\"", adapter),
				 errhint("Valid adapters are \"postgresql\" (or \"postgres\", \"pg\") and \"mysql\" (or \"mariadb\").")));

	if (url == NULL || url[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("connection URL must not be empty")));

	(void) grant_url_adapter(url, &url_kind);
	if (adapter != NULL && adapter[0] != '\0' && ep.adapter != url_kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("adapter \"%s\" does not match a %s connection URL",
						adapter, grant_adapter_name(url_kind)),
				 errhint("Leave the adapter NULL to take it from the URL, or give a URL for adapter \"%s\".",
						 grant_adapter_name(ep.adapter))));

	if (url_kind == GRANT_ADAPTER_MYSQL)
		grant_mysql_parse_url(url, &ep);
	else
		grant_pg_parse_url(url, &ep);

	/* a grant_admin member is no superuser: same limits as on servers */
	grant_check_endpoint_privileges(&ep);

	grant_run_as_begin(&run_as, grant_relation_owner(registry_table_oid(false)));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* serialize registrations: the checks below must stay true until commit */
	ret = SPI_execute("LOCK TABLE grant_fdw.endpoints IN SHARE ROW EXCLUSIVE MODE",
					  false, 0);
	if (ret != SPI_OK_UTILITY)
		elog(ERROR, "could not lock the grant registry: %s", SPI_result_code_string(ret));

	check_registration(&ep);

	values[0] = CStringGetTextDatum(ep.database);
	values[1] = CStringGetTextDatum(grant_adapter_name(ep.adapter));
	values[2] = CStringGetTextDatum(role_name(ep.role));
	values[3] = CStringGetTextDatum(ep.shard);
	values[4] = Int32GetDatum(ep.weight);
	values[5] = ep.host ? CStringGetTextDatum(ep.host) : (Datum) 0;
	values[6] = Int32GetDatum(ep.port);
	values[7] = ep.dbname ? CStringGetTextDatum(ep.dbname) : (Datum) 0;
	values[8] = ep.user ? CStringGetTextDatum(ep.user) : (Datum) 0;
	values[9] = ep.password ? CStringGetTextDatum(ep.password) : (Datum) 0;
	values[10] = options_to_array(ep.options);
	values[11] = DirectFunctionCall1(namein,
									 CStringGetDatum(GetUserNameFromId(caller, false)));
	memset(nulls, ' ', sizeof(nulls));
	nulls[5] = ep.host ? ' ' : 'n';
	nulls[6] = ep.port > 0 ? ' ' : 'n';
	nulls[7] = ep.dbname ? ' ' : 'n';
	nulls[8] = ep.user ? ' ' : 'n';
	nulls[9] = ep.password ? ' ' : 'n';

	/* versions before 0.3 do not record who registered an endpoint */
	recorded = get_attnum(registry_table_oid(false), "registered_by") != InvalidAttrNumber;
	ret = SPI_execute_with_args(recorded ?
								"INSERT INTO grant_fdw.endpoints"
								" (database, adapter, role, shard, weight, host, port,"
								"  dbname, username, password, options, registered_by)"
								" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
								" RETURNING id" :
								"INSERT INTO grant_fdw.endpoints"
								" (database, adapter, role, shard, weight, host, port,"
								"  dbname, username, password, options)"
								" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
								" RETURNING id",
								recorded ? 12 : 11, argtypes, values, nulls, false, 0);
	/* no row limit: it would stop the INSERT before its statement trigger */
	if (ret != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "could not register endpoint: %s", SPI_result_code_string(ret));
	id = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
									 SPI_tuptable->tupdesc, 1, &isnull));

	SPI_finish();
	grant_run_as_end(&run_as);
	return id;
}

/*
 * The checks that need the table (called under the registration lock):
 * one adapter per shard, no endpoint twice for one database and shard,
 * one writer per database and shard.
 */
static void
check_registration(const GrantEndpoint *ep)
{
	Oid			argtypes[5] = {TEXTOID, TEXTOID, TEXTOID, INT4OID, TEXTOID};
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	int			ret;
	bool		isnull;

	values[0] = CStringGetTextDatum(ep->database);
	values[1] = CStringGetTextDatum(grant_adapter_name(ep->adapter));
	values[2] = CStringGetTextDatum(ep->shard);
	argtypes[2] = TEXTOID;
	ret = SPI_execute_with_args("SELECT adapter FROM grant_fdw.endpoints"
								" WHERE database OPERATOR(pg_catalog.=) $1"
								" AND adapter OPERATOR(pg_catalog.<>) $2"
								" AND shard OPERATOR(pg_catalog.=) $3 LIMIT 1",
								3, argtypes, values, nulls, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read the grant registry: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("shard \"%s\" of database \"%s\" already has endpoints with adapter \"%s\"",
						ep->shard, ep->database,
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1)),
				 errhint("A shard's writer and readers use one adapter; the shards of a database may differ.")));

	values[1] = CStringGetTextDatum(ep->shard);
	values[2] = ep->host ? CStringGetTextDatum(ep->host) : (Datum) 0;
	nulls[2] = ep->host ? ' ' : 'n';
	values[3] = Int32GetDatum(ep->port);
	nulls[3] = ep->port > 0 ? ' ' : 'n';
	values[4] = ep->dbname ? CStringGetTextDatum(ep->dbname) : (Datum) 0;
	nulls[4] = ep->dbname ? ' ' : 'n';
	argtypes[1] = TEXTOID;
	ret = SPI_execute_with_args("SELECT id FROM grant_fdw.endpoints"
								" WHERE database OPERATOR(pg_catalog.=) $1"
								" AND shard OPERATOR(pg_catalog.=) $2"
								" AND " SAME_VALUE("host", "$3")
								" AND " SAME_VALUE("port", "$4")
								" AND " SAME_VALUE("dbname", "$5") " LIMIT 1",
								5, argtypes, values, nulls, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read the grant registry: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("endpoint \"%s\" is already registered for database \"%s\", shard \"%s\"",
						grant_endpoint_label(ep), ep->database, ep->shard),
				 errdetail("It has id %d.",
						   DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
													   SPI_tuptable->tupdesc, 1,
													   &isnull)))));

	if (ep->role == GRANT_ROLE_WRITING)
	{
		ret = SPI_execute_with_args("SELECT id FROM grant_fdw.endpoints"
									" WHERE database OPERATOR(pg_catalog.=) $1"
									" AND shard OPERATOR(pg_catalog.=) $2"
									" AND role OPERATOR(pg_catalog.=) 'writing' LIMIT 1",
									2, argtypes, values, nulls, true, 1);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "could not read the grant registry: %s", SPI_result_code_string(ret));
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("database \"%s\" already has a writer for shard \"%s\"",
							ep->database, ep->shard),
					 errdetail("The writer has id %d.",
							   DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
														   SPI_tuptable->tupdesc, 1,
														   &isnull))),
					 errhint("Register replicas with role \"reading\", or remove the writer first.")));
	}
}

/* the body of grant_remove_connection */
static int32
remove_connection(FunctionCallInfo fcinfo)
{
	char	   *database = text_arg(fcinfo, 0);
	char	   *role = text_arg(fcinfo, 1);
	char	   *shard = text_arg(fcinfo, 2);
	char	   *url = text_arg(fcinfo, 3);
	StringInfoData sql;
	Oid			argtypes[6];
	Datum		values[6];
	char		nulls[6];
	int			nargs = 0;
	int			ret;
	uint64		removed;
	GrantRunAs	run_as;

	if (database == NULL || database[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("database name must not be empty")));

	initStringInfo(&sql);
	appendStringInfoString(&sql, "DELETE FROM grant_fdw.endpoints WHERE database OPERATOR(pg_catalog.=) $1");
	argtypes[nargs] = TEXTOID;
	values[nargs] = CStringGetTextDatum(database);
	nulls[nargs++] = ' ';

	if (role != NULL)
	{
		appendStringInfo(&sql, " AND role OPERATOR(pg_catalog.=) $%d", nargs + 1);
		argtypes[nargs] = TEXTOID;
		values[nargs] = CStringGetTextDatum(role_name(role_from_name(role)));
		nulls[nargs++] = ' ';
	}
	if (shard != NULL)
	{
		appendStringInfo(&sql, " AND shard OPERATOR(pg_catalog.=) $%d", nargs + 1);
		argtypes[nargs] = TEXTOID;
		values[nargs] = CStringGetTextDatum(shard);
		nulls[nargs++] = ' ';
	}
	if (url != NULL)
	{
		GrantEndpoint ep;
		GrantAdapterKind kind;

		memset(&ep, 0, sizeof(ep));
		(void) grant_url_adapter(url, &kind);
		if (kind == GRANT_ADAPTER_MYSQL)
			grant_mysql_parse_url(url, &ep);
		else
			grant_pg_parse_url(url, &ep);

		appendStringInfo(&sql,
						 " AND adapter OPERATOR(pg_catalog.=) $%d"
						 " AND " SAME_VALUE("host", "$%d")
						 " AND " SAME_VALUE("port", "$%d")
						 " AND " SAME_VALUE("dbname", "$%d"),
						 nargs + 1, nargs + 2, nargs + 2, nargs + 3, nargs + 3,
						 nargs + 4, nargs + 4);
		argtypes[nargs] = TEXTOID;
		values[nargs] = CStringGetTextDatum(grant_adapter_name(kind));
		nulls[nargs++] = ' ';
		argtypes[nargs] = TEXTOID;
		values[nargs] = ep.host ? CStringGetTextDatum(ep.host) : (Datum) 0;
		nulls[nargs++] = ep.host ? ' ' : 'n';
		argtypes[nargs] = INT4OID;
		values[nargs] = Int32GetDatum(ep.port);
		nulls[nargs++] = ep.port > 0 ? ' ' : 'n';
		argtypes[nargs] = TEXTOID;
		values[nargs] = ep.dbname ? CStringGetTextDatum(ep.dbname) : (Datum) 0;
		nulls[nargs++] = ep.dbname ? ' ' : 'n';
	}

	grant_run_as_begin(&run_as, grant_relation_owner(registry_table_oid(false)));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(sql.data, nargs, argtypes, values, nulls, false, 0);
	if (ret != SPI_OK_DELETE)
		elog(ERROR, "could not remove endpoints: %s", SPI_result_code_string(ret));
	removed = SPI_processed;
	SPI_finish();
	grant_run_as_end(&run_as);

	if (removed == 0)
	{
		if (role == NULL && shard == NULL && url == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("database \"%s\" has no registered endpoints", database),
					 errhint("The view grant_fdw.connections lists the registered endpoints.")));
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("no endpoint of database \"%s\" matches the given role, shard and URL",
						database),
				 errhint("The view grant_fdw.connections lists the registered endpoints.")));
	}
	return (int32) removed;
}

/*
 * Statement trigger on grant_fdw.endpoints: tell every backend (this one
 * at its next command) that the registry changed.
 */
Datum
grant_registry_invalidate(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("grant_fdw.registry_invalidate() must be called as a trigger")));

	/*
	 * Every relcache entry, not only the registry's: plans of foreign
	 * tables depend on the registry (dialect, number of shards), and a
	 * relcache flush makes cached plans be made again.  Registry changes
	 * are rare.
	 */
	(void) trigdata;
	CacheInvalidateRelcacheAll();
	return PointerGetDatum(NULL);
}

/*
 * grant_fdw.connection_url(adapter, host, port, dbname, username, options)
 * returns text: the view's normalized URL.  It is never given the
 * password, and drops secret options.
 */
Datum
grant_connection_url(PG_FUNCTION_ARGS)
{
	GrantEndpoint ep;
	char	   *adapter = text_arg(fcinfo, 0);

	memset(&ep, 0, sizeof(ep));
	if (adapter == NULL || !grant_adapter_from_name(adapter, &ep.adapter))
		PG_RETURN_NULL();
	ep.host = text_arg(fcinfo, 1);
	ep.port = PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2);
	ep.dbname = text_arg(fcinfo, 3);
	ep.user = text_arg(fcinfo, 4);
	ep.options = PG_ARGISNULL(5) ? NIL : options_from_array(PG_GETARG_ARRAYTYPE_P(5));
	PG_RETURN_TEXT_P(cstring_to_text(grant_endpoint_url(&ep)));
}

/*
 * grant_fdw.public_options(options text[]) returns text[]: the options
 * without the secret ones, for the view.
 */
Datum
grant_public_options(PG_FUNCTION_ARGS)
{
	List	   *options = options_from_array(PG_GETARG_ARRAYTYPE_P(0));
	List	   *shown = NIL;
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (!grant_option_is_secret(def->defname))
			shown = lappend(shown, def);
	}
	PG_RETURN_DATUM(options_to_array(shown));
}

/*
 * grant_fdw.registry_cache(database text) returns setof record: what
 * grant_registry_endpoints() gives the router for database, read from this
 * backend's cache (loading it if invalid).  Shows no password.  For tests
 * and inspection.
 */
Datum
grant_registry_cache(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *database = text_to_cstring(PG_GETARG_TEXT_PP(0));
	List	   *endpoints;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	endpoints = grant_registry_endpoints(database);
	foreach(lc, endpoints)
	{
		GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};

		values[0] = Int32GetDatum(ep->id);
		values[1] = CStringGetTextDatum(grant_adapter_name(ep->adapter));
		values[2] = CStringGetTextDatum(role_name(ep->role));
		values[3] = CStringGetTextDatum(ep->shard);
		values[4] = Int32GetDatum(ep->weight);
		values[5] = CStringGetTextDatum(grant_endpoint_label(ep));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * grant_fdw.registry_cache_stats(OUT generation bigint, OUT loads bigint,
 * OUT valid boolean): this backend's cache counters.  loads counts table
 * scans, so a test can tell a cached answer from a reload.
 */
Datum
grant_registry_cache_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc = BlessTupleDesc(desc);
	values[0] = Int64GetDatum((int64) registry_gen);
	values[1] = Int64GetDatum((int64) registry_loads);
	values[2] = BoolGetDatum(registry_valid);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
