/*-------------------------------------------------------------------------
 *
 * router.c
 *		  Picks the endpoint that serves one statement on one foreign server.
 *
 * The decision is made at execution time from the settings in force then
 * (grant.role, grant.shard, grant.prevent_writes), never at plan time, so
 * prepared statements and cached plans follow a later SET.
 *
 * Per transaction the router remembers, for each (database, shard):
 *	- whether the transaction wrote there: in role 'auto' its later reads
 *	  go to the writer, so it reads its own writes;
 *	- which reader it chose: one reader serves a whole transaction, so its
 *	  reads see one consistent stream of replay.
 * That memory lives in TopTransactionContext and is forgotten at the end
 * of the transaction.
 *
 * Health, lag and failover plug in at choose_reader(): it is the one place
 * that decides whether a reader may serve.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "common/pg_prng.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "grant.h"

/* routing memory of the current transaction, per (database, shard) */
typedef struct RouteMemo
{
	char	   *database;
	char	   *shard;
	bool		wrote;
	int32		reader_id;		/* chosen reader, 0 = none chosen yet */
} RouteMemo;

static List *xact_memos = NIL;	/* in TopTransactionContext */

static void router_xact_callback(XactEvent event, void *arg);
static RouteMemo *get_memo(const char *database, const char *shard);
static const char *pick_shard(const char *database, List *endpoints);
static GrantEndpoint *choose_reader(RouteMemo *memo, List *readers);

void
grant_router_init(void)
{
	RegisterXactCallback(router_xact_callback, NULL);
}

static void
router_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			xact_memos = NIL;
			break;
		default:
			break;
	}
}

static RouteMemo *
get_memo(const char *database, const char *shard)
{
	ListCell   *lc;
	RouteMemo  *memo;
	MemoryContext oldcxt;

	foreach(lc, xact_memos)
	{
		memo = (RouteMemo *) lfirst(lc);
		if (strcmp(memo->database, database) == 0 &&
			strcmp(memo->shard, shard) == 0)
			return memo;
	}
	oldcxt = MemoryContextSwitchTo(TopTransactionContext);
	memo = palloc0(sizeof(RouteMemo));
	memo->database = pstrdup(database);
	memo->shard = pstrdup(shard);
	xact_memos = lappend(xact_memos, memo);
	MemoryContextSwitchTo(oldcxt);
	return memo;
}

/*
 * The dialect the deparser must write for this server: that of its
 * endpoints (registry) or of its own URL (registry-less).
 */
GrantAdapterKind
grant_server_dialect(ForeignServer *server)
{
	char	   *database = grant_server_database(server);
	GrantEndpoint *ep;
	List	   *endpoints;

	if (database == NULL)
	{
		ep = grant_server_endpoint(server);
		return ep->adapter;
	}
	endpoints = grant_registry_endpoints(database);
	if (endpoints == NIL)
		return GRANT_ADAPTER_POSTGRESQL;
	ep = (GrantEndpoint *) linitial(endpoints);
	return ep->adapter;
}

/*
 * Refuse a write when the settings forbid it: grant.prevent_writes, or
 * grant.role = 'reading' (as Rails refuses writes on a reading connection).
 */
void
grant_check_write_allowed(void)
{
	if (grant_prevent_writes)
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot write through grant while \"grant.prevent_writes\" is on"),
				 errhint("Turn \"grant.prevent_writes\" off to write.")));
	if (grant_role_mode == GRANT_ROLE_MODE_READING)
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot write through grant while \"grant.role\" is \"reading\""),
				 errhint("Set \"grant.role\" to 'writing' or 'auto' to write.")));
}

/*
 * The shard this statement goes to: grant.shard when set (it must exist),
 * else the only shard of the database.  Several shards without a pinned
 * one is refused here; key-based routing and fan-out replace that refusal.
 */
static const char *
pick_shard(const char *database, List *endpoints)
{
	ListCell   *lc;
	const char *only = NULL;
	bool		several = false;
	StringInfoData known;

	if (grant_shard != NULL && grant_shard[0] != '\0')
	{
		foreach(lc, endpoints)
		{
			GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);

			if (strcmp(ep->shard, grant_shard) == 0)
				return ep->shard;
		}
		initStringInfo(&known);
		foreach(lc, endpoints)
		{
			GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);

			if (strstr(known.data, ep->shard) == NULL)
				appendStringInfo(&known, "%s\"%s\"", known.len ? ", " : "", ep->shard);
		}
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("grant database \"%s\" has no shard \"%s\"", database, grant_shard),
				 errdetail("Known shards: %s.", known.data)));
	}

	foreach(lc, endpoints)
	{
		GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);

		if (only == NULL)
			only = ep->shard;
		else if (strcmp(only, ep->shard) != 0)
			several = true;
	}
	if (several)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("grant database \"%s\" has several shards and no shard is selected", database),
				 errhint("Set \"grant.shard\" or call grant_fdw.connected_to(shard => ...).")));
	return only;
}

/*
 * Choose a reader by weight, keeping the transaction's earlier choice.
 * Readers of weight 0 are never chosen.  NULL when none may serve.
 */
static GrantEndpoint *
choose_reader(RouteMemo *memo, List *readers)
{
	ListCell   *lc;
	int64		total = 0;
	int64		pick;

	if (memo->reader_id != 0)
	{
		foreach(lc, readers)
		{
			GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);

			if (ep->id == memo->reader_id)
				return ep;
		}
	}
	foreach(lc, readers)
		total += Max(((GrantEndpoint *) lfirst(lc))->weight, 0);
	if (total == 0)
		return NULL;
	pick = (int64) pg_prng_uint64_range(&pg_global_prng_state, 0, total - 1);
	foreach(lc, readers)
	{
		GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);

		pick -= Max(ep->weight, 0);
		if (pick < 0)
		{
			memo->reader_id = ep->id;
			return ep;
		}
	}
	return NULL;
}

/*
 * Route one statement.  is_write: the statement modifies rows or locks
 * them (SELECT FOR UPDATE), so it must run on the writer; whether writes
 * are allowed at all is grant_check_write_allowed()'s business (EXPLAIN
 * shows the route of a write it would refuse).  The endpoint is returned
 * in route->endpoint, palloc'd in the caller's context.
 */
void
grant_route(ForeignServer *server, bool is_write, GrantRoute *route)
{
	char	   *database = grant_server_database(server);
	List	   *endpoints;
	const char *shard;
	ListCell   *lc;
	GrantEndpoint *writer = NULL;
	List	   *readers = NIL;
	RouteMemo  *memo;
	GrantEndpoint *reader;

	if (database == NULL)
	{
		route->endpoint = grant_server_endpoint(server);
		route->reason = "server endpoint";
		return;
	}

	endpoints = grant_registry_endpoints(database);
	if (endpoints == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("grant database \"%s\" has no registered endpoint", database),
				 errhint("Register one with grant_fdw.establish_connection().")));

	shard = pick_shard(database, endpoints);
	foreach(lc, endpoints)
	{
		GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);

		if (strcmp(ep->shard, shard) != 0)
			continue;
		if (ep->role == GRANT_ROLE_WRITING)
			writer = ep;
		else
			readers = lappend(readers, ep);
	}
	memo = get_memo(database, shard);

	if (is_write || grant_role_mode == GRANT_ROLE_MODE_WRITING ||
		(grant_role_mode == GRANT_ROLE_MODE_AUTO && memo->wrote))
	{
		if (writer == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
					 errmsg("grant database \"%s\" has no writer for shard \"%s\"",
							database, shard),
					 errhint("Register one with grant_fdw.establish_connection(..., role => 'writing').")));
		if (is_write)
		{
			memo->wrote = true;
			route->reason = "write";
		}
		else if (grant_role_mode == GRANT_ROLE_MODE_WRITING)
			route->reason = "role writing";
		else
			route->reason = "read after write in this transaction";
		route->endpoint = writer;
		return;
	}

	reader = choose_reader(memo, readers);
	if (reader != NULL)
	{
		route->endpoint = reader;
		route->reason = grant_role_mode == GRANT_ROLE_MODE_READING ?
			"role reading" : "read";
		return;
	}
	if (writer == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("grant database \"%s\" has no endpoint for shard \"%s\"",
						database, shard)));
	route->endpoint = writer;
	route->reason = "no reader";
}

/*
 * One line for EXPLAIN and logs: database, role, shard, endpoint, reason.
 * Never a password.  palloc'd.
 */
char *
grant_route_describe(const GrantRoute *route)
{
	const GrantEndpoint *ep = route->endpoint;

	return psprintf("database=%s role=%s shard=%s endpoint=%s adapter=%s (%s)",
					ep->database,
					ep->role == GRANT_ROLE_WRITING ? "writing" : "reading",
					ep->shard,
					grant_endpoint_label(ep),
					grant_adapter_name(ep->adapter),
					route->reason);
}

/*
 * grant_fdw.connected_to(role, shard, prevent_writes): set the routing
 * settings for the rest of the current transaction, the SQL form of a
 * connected_to block.  NULL arguments leave a setting as it is.  Outside
 * a transaction block it would last one statement, so it warns there.
 */
PG_FUNCTION_INFO_V1(grant_connected_to);

Datum
grant_connected_to(PG_FUNCTION_ARGS)
{
	if (!IsTransactionBlock())
		ereport(WARNING,
				(errcode(ERRCODE_NO_ACTIVE_SQL_TRANSACTION),
				 errmsg("grant_fdw.connected_to() has no effect outside a transaction block"),
				 errhint("Call it after BEGIN; its settings last until the end of the transaction.")));

	if (!PG_ARGISNULL(0))
		(void) set_config_option("grant.role", text_to_cstring(PG_GETARG_TEXT_PP(0)),
								 superuser() ? PGC_SUSET : PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_LOCAL, true, 0, false);
	if (!PG_ARGISNULL(1))
		(void) set_config_option("grant.shard", text_to_cstring(PG_GETARG_TEXT_PP(1)),
								 superuser() ? PGC_SUSET : PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_LOCAL, true, 0, false);
	if (!PG_ARGISNULL(2))
		(void) set_config_option("grant.prevent_writes",
								 PG_GETARG_BOOL(2) ? "on" : "off",
								 superuser() ? PGC_SUSET : PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_LOCAL, true, 0, false);
	PG_RETURN_VOID();
}
