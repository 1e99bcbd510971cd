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
 * Per session it remembers the position of its last committed write on
 * each (database, shard): a later read goes only to a reader that has
 * replayed it (grant.read_your_writes = lsn), or stays on the writer for
 * grant.replica_delay (delay).  choose_reader() is the one place that
 * decides whether a reader may serve: not marked down (health.c), not
 * lagging beyond grant.max_replica_lag, caught up with the session.
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
#include "utils/timestamp.h"

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

/* shard pinned by grant.shard at a database's first use in a transaction */
typedef struct XactPin
{
	char	   *database;
	char	   *shard;
} XactPin;

static List *xact_pins = NIL;	/* in TopTransactionContext */

/*
 * A registry database as this transaction sees it: its endpoints and its
 * sorted shard names, copied once per transaction (and registry change)
 * instead of at every routing step.  In TopTransactionContext; read only.
 */
typedef struct DatabaseInfo
{
	char	   *database;
	uint32		generation;
	List	   *endpoints;		/* GrantEndpoint */
	List	   *shards;			/* char *, sorted */
	bool		mixed;			/* endpoints of both adapters */
} DatabaseInfo;

static List *xact_databases = NIL;	/* DatabaseInfo, in TopTransactionContext */

/*
 * The session's last committed write per (database, shard): its reads go
 * only to readers that replayed it (read-your-writes).  In
 * TopMemoryContext, for the life of the session.
 */
typedef struct SessionWrite
{
	char	   *database;
	char	   *shard;
	char	   *position;		/* writer position of the commit, or NULL */
	TimestampTz committed_at;
	List	   *confirmed;		/* ids of readers seen past position */
} SessionWrite;

static List *session_writes = NIL;

static void router_xact_callback(XactEvent event, void *arg);
static RouteMemo *get_memo(const char *database, const char *shard);
static const char *explicit_shard(const char *database, List *shards);
static void route_in_shard(ForeignServer *server, Oid userid,
						   const char *database, const char *shard,
						   List *endpoints, bool is_write, GrantRoute *route);
static List *database_endpoints(const char *database);
static DatabaseInfo *database_info(const char *database);
static SessionWrite *find_session_write(const char *database, const char *shard);
static GrantEndpoint *pick_by_weight(List *candidates);
static bool reader_may_serve(GrantEndpoint *ep, SessionWrite *sw,
							 ForeignServer *server, Oid userid,
							 const char **reason);
static GrantEndpoint *choose_reader(RouteMemo *memo, List *readers,
									ForeignServer *server, Oid userid,
									const char **reason);

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
			xact_pins = NIL;
			xact_databases = NIL;
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

/* this transaction's view of a registry database (see DatabaseInfo) */
static DatabaseInfo *
database_info(const char *database)
{
	ListCell   *lc;
	DatabaseInfo *info;
	MemoryContext oldcxt;
	uint32		generation = grant_registry_generation();

	foreach(lc, xact_databases)
	{
		info = (DatabaseInfo *) lfirst(lc);
		if (info->generation == generation && strcmp(info->database, database) == 0)
			return info;
	}
	oldcxt = MemoryContextSwitchTo(TopTransactionContext);
	info = palloc0(sizeof(DatabaseInfo));
	info->database = pstrdup(database);
	info->endpoints = grant_registry_endpoints(database);
	info->shards = grant_shard_names(info->endpoints);
	foreach(lc, info->endpoints)
		info->mixed = info->mixed ||
			((GrantEndpoint *) lfirst(lc))->adapter !=
			((GrantEndpoint *) linitial(info->endpoints))->adapter;
	/* a reload of the registry may have bumped the generation */
	info->generation = grant_registry_generation();
	xact_databases = lappend(xact_databases, info);
	MemoryContextSwitchTo(oldcxt);
	return info;
}

/*
 * The endpoints and the sorted shard names of a registry database, as
 * this transaction sees them: lists not to be modified, valid until the
 * end of the transaction.
 */
List *
grant_database_endpoints(const char *database)
{
	return database_info(database)->endpoints;
}

List *
grant_database_shards(const char *database)
{
	return database_info(database)->shards;
}

/*
 * The dialect the deparser must write for this server: that of its
 * endpoints (registry) or of its own URL (registry-less); PostgreSQL's
 * first when its shards mix adapters (see grant_server_mixed).
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
	endpoints = grant_database_endpoints(database);
	if (endpoints == NIL || grant_server_mixed(server))
		return GRANT_ADAPTER_POSTGRESQL;
	ep = (GrantEndpoint *) linitial(endpoints);
	return ep->adapter;
}

/*
 * Does this server's database mix adapters, PostgreSQL shards beside
 * MySQL ones?  Its plans then carry the SQL of both dialects (the
 * PostgreSQL one first), and each shard gets its own.
 */
bool
grant_server_mixed(ForeignServer *server)
{
	char	   *database = grant_server_database(server);

	return database != NULL && database_info(database)->mixed;
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
 * The shard pinned by grant.shard for database, or NULL when none is set.
 * It must exist (the error names the known ones); with
 * grant.prohibit_shard_swapping a transaction keeps the first one it used.
 */
static const char *
explicit_shard(const char *database, List *shards)
{
	ListCell   *lc;
	StringInfoData known;
	XactPin    *pin = NULL;
	MemoryContext oldcxt;

	if (grant_shard == NULL || grant_shard[0] == '\0')
		return NULL;

	foreach(lc, xact_pins)
	{
		if (strcmp(((XactPin *) lfirst(lc))->database, database) == 0)
			pin = (XactPin *) lfirst(lc);
	}
	if (pin != NULL && grant_prohibit_shard_swapping &&
		strcmp(pin->shard, grant_shard) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("cannot switch grant database \"%s\" from shard \"%s\" to \"%s\" inside a transaction",
						database, pin->shard, grant_shard),
				 errhint("Finish the transaction first, or turn \"grant.prohibit_shard_swapping\" off.")));

	foreach(lc, shards)
	{
		const char *shard = (const char *) lfirst(lc);

		if (strcmp(shard, grant_shard) != 0)
			continue;
		if (pin == NULL)
		{
			oldcxt = MemoryContextSwitchTo(TopTransactionContext);
			pin = palloc(sizeof(XactPin));
			pin->database = pstrdup(database);
			pin->shard = pstrdup(shard);
			xact_pins = lappend(xact_pins, pin);
			MemoryContextSwitchTo(oldcxt);
		}
		return shard;
	}

	initStringInfo(&known);
	foreach(lc, shards)
		appendStringInfo(&known, "%s\"%s\"", known.len ? ", " : "",
						 (const char *) lfirst(lc));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("grant database \"%s\" has no shard \"%s\"", database, grant_shard),
			 errdetail("Known shards: %s.", known.data)));
	return NULL;				/* keep compiler quiet */
}

/*
 * The session's last write commit on (database, shard), or NULL.
 */
static SessionWrite *
find_session_write(const char *database, const char *shard)
{
	ListCell   *lc;

	foreach(lc, session_writes)
	{
		SessionWrite *sw = (SessionWrite *) lfirst(lc);

		if (strcmp(sw->database, database) == 0 && strcmp(sw->shard, shard) == 0)
			return sw;
	}
	return NULL;
}

/*
 * A transaction of this session committed writes on (database, shard);
 * position is the writer's position of that commit (NULL when the adapter
 * cannot tell: the delay rule then applies).  Called at commit.
 */
void
grant_router_note_commit(const char *database, const char *shard,
						 const char *position)
{
	SessionWrite *sw = find_session_write(database, shard);
	MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);

	if (sw == NULL)
	{
		sw = palloc0(sizeof(SessionWrite));
		sw->database = pstrdup(database);
		sw->shard = pstrdup(shard);
		session_writes = lappend(session_writes, sw);
	}
	if (sw->position)
		pfree(sw->position);
	sw->position = position ? pstrdup(position) : NULL;
	sw->committed_at = GetCurrentTimestamp();
	list_free(sw->confirmed);
	sw->confirmed = NIL;
	MemoryContextSwitchTo(oldcxt);
}

/* pick one endpoint of candidates by weight; NULL when all weigh 0 */
static GrantEndpoint *
pick_by_weight(List *candidates)
{
	ListCell   *lc;
	int64		total = 0;
	int64		pick;

	foreach(lc, candidates)
		total += Max(((GrantEndpoint *) lfirst(lc))->weight, 0);
	if (total == 0)
		return NULL;
	pick = (int64) pg_prng_uint64_range(&pg_global_prng_state, 0, total - 1);
	foreach(lc, candidates)
	{
		GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);

		pick -= Max(ep->weight, 0);
		if (pick < 0)
			return ep;
	}
	return NULL;
}

/*
 * May this reader serve now?  It must be reachable (a connection that
 * fails marks it down and the read goes elsewhere).  Checks that need the
 * reader itself run on that connection outside any remote transaction: its
 * lag (when
 * grant.max_replica_lag is set; measured at most once per
 * grant.health_check_interval) and whether it replayed the session's last
 * commit (waiting up to grant.replica_wait).  A reader that cannot be
 * reached is marked down.  On refusal, *reason says why.
 */
static bool
reader_may_serve(GrantEndpoint *ep, SessionWrite *sw, ForeignServer *server,
				 Oid userid, const char **reason)
{
	GrantConnection *conn;
	const GrantAdapter *adapter;
	char	   *error = NULL;
	bool		check_position = sw != NULL && sw->position != NULL &&
		!list_member_int(sw->confirmed, ep->id);

	/* reach it now: a reader that is down must not fail the statement */
	conn = grant_probe_connection(server, userid, ep, &error);
	if (conn == NULL)
	{
		*reason = "readers down";
		return false;
	}
	if (grant_connection_in_xact(conn))
		return true;			/* its snapshot is taken: keep it */
	adapter = grant_connection_adapter(conn);

	if (grant_max_replica_lag >= 0)
	{
		int64		lag = grant_health_recent_lag(ep, grant_health_check_interval);

		if (lag == -2)
		{
			lag = adapter->lag_ms ? adapter->lag_ms(grant_connection_remote(conn)) : -1;
			grant_health_set_lag(ep, lag);
		}
		if (lag > grant_max_replica_lag)
		{
			*reason = "readers lagging";
			return false;
		}
	}

	if (check_position)
	{
		MemoryContext oldcxt;

		if (adapter->caught_up == NULL ||
			!adapter->caught_up(grant_connection_remote(conn), sw->position,
								grant_replica_wait))
		{
			*reason = "read-your-writes: reader behind";
			return false;
		}
		oldcxt = MemoryContextSwitchTo(TopMemoryContext);
		sw->confirmed = lappend_int(sw->confirmed, ep->id);
		MemoryContextSwitchTo(oldcxt);
	}
	return true;
}

/*
 * Choose the reader that serves this read, keeping the transaction's
 * earlier choice: by weight among readers not marked down, and only one
 * that may serve now (reader_may_serve).  NULL when none: *reason says
 * why.  EXPLAIN routes too (it shows the route a statement takes), so it
 * may connect to readers to check them.
 */
static GrantEndpoint *
choose_reader(RouteMemo *memo, List *readers, ForeignServer *server,
			  Oid userid, const char **reason)
{
	ListCell   *lc;
	List	   *candidates = NIL;
	SessionWrite *sw = NULL;

	if (memo->reader_id != 0)
	{
		foreach(lc, readers)
		{
			GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);

			/*
			 * The transaction's reader; if it went down, another one only
			 * when no remote transaction is open on it (never a silent
			 * switch inside one: that statement fails instead).
			 */
			if (ep->id == memo->reader_id &&
				(!grant_health_is_down(ep) ||
				 grant_connection_open_xact(server, userid, ep)))
				return ep;
		}
		memo->reader_id = 0;
	}

	*reason = "no reader";
	if (readers == NIL)
		return NULL;

	if (grant_read_your_writes != GRANT_RYW_OFF)
	{
		sw = find_session_write(memo->database, memo->shard);
		if (sw != NULL &&
			(grant_read_your_writes == GRANT_RYW_DELAY || sw->position == NULL) &&
			GetCurrentTimestamp() <
			TimestampTzPlusMilliseconds(sw->committed_at, grant_replica_delay))
		{
			*reason = "read-your-writes: within replica_delay";
			return NULL;
		}
		if (grant_read_your_writes == GRANT_RYW_DELAY)
			sw = NULL;
	}

	foreach(lc, readers)
	{
		GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);

		if (ep->weight <= 0)
			continue;
		if (grant_health_is_down(ep))
		{
			*reason = "readers down";
			continue;
		}
		candidates = lappend(candidates, ep);
	}

	while (candidates != NIL)
	{
		GrantEndpoint *ep = pick_by_weight(candidates);

		if (ep == NULL)
			break;
		if (reader_may_serve(ep, sw, server, userid, reason))
		{
			memo->reader_id = ep->id;
			return ep;
		}
		candidates = list_delete_ptr(candidates, ep);
	}
	return NULL;
}

/*
 * Route one statement within one shard of database: the writer for a
 * write, a locking read, role writing, a read after this transaction's
 * write or a read of a transaction that keeps one snapshot and may write
 * (or is SERIALIZABLE); else a reader that may serve, or the writer as
 * fallback.
 */
static void
route_in_shard(ForeignServer *server, Oid userid, const char *database,
			   const char *shard, List *endpoints, bool is_write,
			   GrantRoute *route)
{
	ListCell   *lc;
	GrantEndpoint *writer = NULL;
	List	   *readers = NIL;
	RouteMemo  *memo;
	GrantEndpoint *reader;
	const char *reason = NULL;

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
	route->failover = false;

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

	/*
	 * A transaction that keeps one snapshot reads it from one endpoint: a
	 * reader's snapshot and the writer's are different ones.  One that
	 * may write therefore reads on the writer from its start, and so does
	 * a SERIALIZABLE one, which a hot standby cannot serve; a READ ONLY
	 * REPEATABLE READ one keeps its one reader.
	 */
	if (grant_role_mode == GRANT_ROLE_MODE_AUTO && IsolationUsesXactSnapshot() &&
		(IsolationIsSerializable() || !XactReadOnly) && writer != NULL)
	{
		route->endpoint = writer;
		route->reason = IsolationIsSerializable() ?
			"serializable transaction" : "repeatable read transaction";
		return;
	}

	reader = choose_reader(memo, readers, server, userid, &reason);
	if (reader != NULL && IsolationIsSerializable() &&
		reader->adapter == GRANT_ADAPTER_POSTGRESQL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a SERIALIZABLE transaction cannot read from a reader of grant database \"%s\"",
						database),
				 errdetail("A hot standby cannot serve serializable mode."),
				 errhint("Use REPEATABLE READ, or set \"grant.role\" to 'auto' or 'writing' to read from the writer.")));
	if (reader != NULL)
	{
		route->endpoint = reader;
		route->reason = grant_role_mode == GRANT_ROLE_MODE_READING ?
			"role reading" : "read";
		/* another reader was refused first (reason says why) */
		route->failover = reason != NULL && strcmp(reason, "no reader") != 0;
		return;
	}

	/*
	 * No reader: the writer serves, unless readers exist but are down or
	 * lagging and grant.reader_fallback says error.  Reading one's own
	 * writes from the writer is no fallback: it is the right answer.
	 */
	if (readers != NIL && grant_reader_fallback == GRANT_FALLBACK_ERROR &&
		strncmp(reason, "read-your-writes", 16) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("no reader of grant database \"%s\" can serve this read (%s)",
						database, reason),
				 errhint("Set \"grant.reader_fallback\" to 'writer' to read from the writer instead.")));
	if (writer == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("grant database \"%s\" has no endpoint for shard \"%s\"",
						database, shard)));
	route->endpoint = writer;
	route->reason = reason;
	route->failover = readers != NIL &&
		(strcmp(reason, "readers down") == 0 ||
		 strcmp(reason, "readers lagging") == 0 ||
		 strcmp(reason, "read-your-writes: reader behind") == 0);
}

/* the endpoints of a registry database; an error when it has none */
static List *
database_endpoints(const char *database)
{
	List	   *endpoints = grant_database_endpoints(database);

	if (endpoints == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("grant database \"%s\" has no registered endpoint", database),
				 errhint("Register one with grant_fdw.establish_connection().")));
	return endpoints;
}

/*
 * Route one statement that runs on a single shard: the shard pinned by
 * grant.shard, or the database's only one.  is_write: the statement
 * modifies rows or locks them (SELECT FOR UPDATE), so it must run on the
 * writer; whether writes are allowed at all is grant_check_write_allowed()'s
 * business (EXPLAIN shows the route of a write it would refuse).  The
 * endpoint is returned in route->endpoint, palloc'd in the caller's
 * context.
 */
void
grant_route(ForeignServer *server, Oid userid, bool is_write,
			GrantRoute *route)
{
	char	   *database = grant_server_database(server);
	List	   *endpoints;
	List	   *shards;
	const char *shard;

	route->failover = false;
	if (database == NULL)
	{
		route->endpoint = grant_server_endpoint(server);
		route->reason = "server endpoint";
		return;
	}
	endpoints = database_endpoints(database);
	shards = grant_database_shards(database);
	shard = explicit_shard(database, shards);
	if (shard == NULL)
	{
		if (list_length(shards) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("grant database \"%s\" has several shards and this statement must run on one", database),
					 errhint("Set \"grant.shard\" or call grant_fdw.connected_to(shard => ...).")));
		shard = (const char *) linitial(shards);
	}
	route_in_shard(server, userid, database, shard, endpoints, is_write, route);
}

/*
 * Route one statement that may run on several shards: the shard pinned by
 * grant.shard; else, when by_key, the shards of the key values the
 * statement is restricted to (key_shards: names, possibly none: then no
 * shard can hold a row); else every shard.  Returns a list of palloc'd
 * GrantRoute, one per shard in shard-name order, and in *how why these.
 */
List *
grant_route_shards(ForeignServer *server, Oid userid, bool is_write,
				   bool by_key, List *key_shards, const char **how)
{
	char	   *database = grant_server_database(server);
	List	   *endpoints;
	List	   *shards;
	const char *pinned;
	List	   *routes = NIL;
	ListCell   *lc;

	if (database == NULL)
	{
		GrantRoute *route = palloc0(sizeof(GrantRoute));

		grant_route(server, userid, is_write, route);
		*how = "single endpoint";
		return list_make1(route);
	}
	endpoints = database_endpoints(database);
	shards = grant_database_shards(database);
	pinned = explicit_shard(database, shards);

	foreach(lc, shards)
	{
		const char *shard = (const char *) lfirst(lc);
		GrantRoute *route;

		if (pinned != NULL && strcmp(shard, pinned) != 0)
			continue;
		if (pinned == NULL && by_key)
		{
			ListCell   *lc2;
			bool		wanted = false;

			foreach(lc2, key_shards)
				if (strcmp((const char *) lfirst(lc2), shard) == 0)
					wanted = true;
			if (!wanted)
				continue;
		}
		route = palloc0(sizeof(GrantRoute));
		route_in_shard(server, userid, database, shard, endpoints, is_write, route);
		routes = lappend(routes, route);
	}
	if (pinned != NULL)
		*how = "explicit shard";
	else if (by_key)
		*how = "by shard key";
	else if (list_length(shards) > 1)
		*how = "fan-out to every shard";
	else
		*how = "only shard";
	return routes;
}

/* the number of shards of the server's database (1 for registry-less) */
int
grant_server_shard_count(ForeignServer *server)
{
	char	   *database = grant_server_database(server);

	if (database == NULL)
		return 1;
	return Max(list_length(grant_database_shards(database)), 1);
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
