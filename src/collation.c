/*-------------------------------------------------------------------------
 *
 * collation.c
 *		  Does a PostgreSQL remote order and compare text under the default
 *		  collation as this database does?
 *
 * A foreign table's column declared without COLLATE has this database's
 * default collation; the remote column declared without one has the
 * remote database's.  An ORDER BY or comparison on it may be sent only
 * when the two defaults are the same: same provider, same LC_COLLATE and
 * LC_CTYPE, same ICU locale.  Each endpoint is asked once per backend (one
 * catalog query on the connection the statement will use anyway), and the
 * answer kept by endpoint id: a re-registered endpoint gets a new id and is
 * asked again (a registry-less server is kept by its OID).
 *
 * Invariant: "agrees" is only ever answered after the remote said so; a
 * remote that cannot be asked is treated as disagreeing, which costs a
 * local sort, never a wrong order.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "grant.h"

typedef struct CollationEntry
{
	int64		key;			/* endpoint id; minus the server's OID for a
								 * registry-less server */
	bool		agrees;
} CollationEntry;

static HTAB *collation_cache = NULL;
static char *local_signature = NULL;

/*
 * The remote database's default collation, in the form local_default()
 * writes ours; read from pg_database as JSON so that the query works on
 * every version (datlocprovider came in 15, daticulocale became datlocale
 * in 17).
 */
#define REMOTE_DEFAULT_SQL \
	"SELECT coalesce(j->>'datlocprovider', 'c') || '/' || (j->>'datcollate') || '/' || " \
	"(j->>'datctype') || '/' || coalesce(j->>'daticulocale', j->>'datlocale', '') " \
	"FROM (SELECT pg_catalog.row_to_json(d) AS j FROM pg_catalog.pg_database d " \
	"WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()) s"

/* this database's default collation: provider/collate/ctype/icu locale */
static const char *
local_default(void)
{
	HeapTuple	tuple;
	Form_pg_database db;
	Datum		datum;
	bool		isnull;
	StringInfoData buf;

	if (local_signature != NULL)
		return local_signature;
	tuple = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(MyDatabaseId));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for database %u", MyDatabaseId);
	db = (Form_pg_database) GETSTRUCT(tuple);
	initStringInfo(&buf);
	appendStringInfo(&buf, "%c/", db->datlocprovider);
	datum = SysCacheGetAttr(DATABASEOID, tuple, Anum_pg_database_datcollate, &isnull);
	appendStringInfo(&buf, "%s/", isnull ? "" : TextDatumGetCString(datum));
	datum = SysCacheGetAttr(DATABASEOID, tuple, Anum_pg_database_datctype, &isnull);
	appendStringInfo(&buf, "%s/", isnull ? "" : TextDatumGetCString(datum));
	datum = SysCacheGetAttr(DATABASEOID, tuple, Anum_pg_database_daticulocale, &isnull);
	if (!isnull)
		appendStringInfoString(&buf, TextDatumGetCString(datum));
	ReleaseSysCache(tuple);
	local_signature = MemoryContextStrdup(TopMemoryContext, buf.data);
	pfree(buf.data);
	return local_signature;
}

/* ask one PostgreSQL endpoint */
static bool
endpoint_agrees(ForeignServer *server, Oid userid, const GrantEndpoint *ep)
{
	GrantConnection *conn = grant_get_connection(server, userid, ep);
	const GrantAdapter *adapter = grant_connection_adapter(conn);
	GrantRemoteQuery *query;
	char	   *values[1];
	bool		agrees = false;

	query = adapter->query(grant_connection_remote(conn), REMOTE_DEFAULT_SQL,
						   NULL, 0, NULL, false);
	while (adapter->next_row(query, values, NULL, 1))
	{
		if (values[0] != NULL)
			agrees = strcmp(values[0], local_default()) == 0;
	}
	adapter->close(query);
	return agrees;
}

/*
 * Do the PostgreSQL endpoints a read of server goes to (one per shard) sort
 * and compare under their default collation as this database does under
 * its own?  MySQL endpoints are not asked: their deparser never ships a
 * collation-sensitive operation on text but under C.
 */
bool
grant_default_collation_agrees(ForeignServer *server, Oid userid)
{
	const char *how;
	List	   *routes;
	ListCell   *lc;

	if (collation_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(CollationEntry);
		ctl.hcxt = TopMemoryContext;
		collation_cache = hash_create("grant default collations", 16, &ctl,
									  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	routes = grant_route_shards(server, userid, false, false, NIL, &how);
	foreach(lc, routes)
	{
		GrantRoute *route = (GrantRoute *) lfirst(lc);
		const GrantEndpoint *ep = route->endpoint;
		CollationEntry *entry;
		int64		key;
		bool		found;

		if (ep->adapter != GRANT_ADAPTER_POSTGRESQL)
			continue;
		key = ep->id != 0 ? (int64) ep->id : -(int64) server->serverid;
		entry = hash_search(collation_cache, &key, HASH_FIND, NULL);
		if (entry == NULL)
		{
			bool		agrees = endpoint_agrees(server, userid, ep);

			entry = hash_search(collation_cache, &key, HASH_ENTER, &found);
			entry->agrees = agrees;
		}
		if (!entry->agrees)
			return false;
	}
	return true;
}
