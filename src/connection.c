/*-------------------------------------------------------------------------
 *
 * connection.c
 *		  Per-backend cache of remote connections, and remote transactions
 *		  tied to the local one.
 *
 * A connection is keyed by (foreign server, local user, endpoint): the
 * credentials come from the user mapping when one exists, else from the
 * registry, so one key means one identity on one remote.
 *
 * Invariants:
 *	- A remote transaction is begun lazily, at the first use of the
 *	  connection in a local transaction, and its savepoint depth follows
 *	  the local subtransaction nesting (savepoint s<n> for level n).
 *	- It commits in PRE_COMMIT (waiting for the answer only if something
 *	  was written there) and rolls back at ABORT; a local ROLLBACK leaves
 *	  nothing on any remote.
 *	- A connection found dead is re-established only before its remote
 *	  transaction begins, never inside one.
 *	- A connection whose server, user mapping or registry entry changed is
 *	  dropped when no remote transaction is open on it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/reloptions.h"
#include "access/xact.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "grant.h"

typedef struct GrantConnKey
{
	Oid			serverid;
	Oid			userid;
	int32		endpoint_id;
} GrantConnKey;

struct GrantConnection
{
	GrantConnKey key;			/* hash key (must be first) */
	const GrantAdapter *adapter;
	GrantRemote *remote;		/* NULL when not connected */
	int			xact_depth;		/* 0: no remote transaction; 1: open; n:
								 * savepoints up to s<n> */
	bool		read_only;		/* remote transaction opened READ ONLY */
	bool		wrote;			/* something was written in it */
	bool		invalidated;	/* drop at the end of the transaction */
	uint32		server_hashvalue;
	uint32		mapping_hashvalue;
	uint32		registry_generation;
	/* for connection_status(); never a password */
	char		database[NAMEDATALEN];
	char		shard[NAMEDATALEN];
	char		label[256];
	bool		writer;
	GrantEndpoint *endpoint;	/* without its password, for health marks;
								 * in connection_context */
};

static HTAB *connection_hash = NULL;
static MemoryContext connection_context = NULL;
static bool xact_got_connection = false;

static void connection_xact_callback(XactEvent event, void *arg);
static void connection_subxact_callback(SubXactEvent event,
										SubTransactionId mySubid,
										SubTransactionId parentSubid,
										void *arg);
static void connection_inval_callback(Datum arg, int cacheid, uint32 hashvalue);
static void open_connection(GrantConnection *entry, ForeignServer *server,
							Oid userid, const GrantEndpoint *ep);
static void close_connection(GrantConnection *entry);
static void begin_remote_xact(GrantConnection *entry);
static List *user_mapping_options(Oid userid, Oid serverid, uint32 *hashvalue);
static void commit_remote(GrantConnection *entry);

void
grant_connection_init(void)
{
	HASHCTL		ctl;

	connection_context = AllocSetContextCreate(TopMemoryContext,
											   "grant connection cache",
											   ALLOCSET_SMALL_SIZES);
	ctl.keysize = sizeof(GrantConnKey);
	ctl.entrysize = sizeof(GrantConnection);
	ctl.hcxt = connection_context;
	connection_hash = hash_create("grant connections", 16, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	RegisterXactCallback(connection_xact_callback, NULL);
	RegisterSubXactCallback(connection_subxact_callback, NULL);
	CacheRegisterSyscacheCallback(FOREIGNSERVEROID, connection_inval_callback,
								  (Datum) 0);
	CacheRegisterSyscacheCallback(USERMAPPINGOID, connection_inval_callback,
								  (Datum) 0);
}

/*
 * The connection for (server, user, endpoint), connected, with a remote
 * transaction (and savepoints) matching the local nesting queued on it.
 */
GrantConnection *
grant_get_connection(ForeignServer *server, Oid userid, const GrantEndpoint *ep)
{
	GrantConnection *entry = grant_probe_connection(server, userid, ep, NULL);

	begin_remote_xact(entry);
	return entry;
}

/* is a remote transaction open on this connection? */
bool
grant_connection_in_xact(GrantConnection *conn)
{
	return conn->xact_depth > 0;
}

/* is a remote transaction open on this connection, and READ ONLY? */
bool
grant_connection_read_only(GrantConnection *conn)
{
	return conn->xact_depth > 0 && conn->read_only;
}

/*
 * The connection for (server, user, endpoint), connected, without starting
 * a remote transaction on it: the router asks replicas for their position
 * through it before choosing one.  A connection that cannot be opened
 * marks the endpoint down; with error != NULL the failure is returned
 * there (palloc'd message) instead of raised, so another endpoint can
 * serve.  Errors other than connection failures are always raised.
 */
GrantConnection *
grant_probe_connection(ForeignServer *server, Oid userid,
					   const GrantEndpoint *ep, char **error)
{
	GrantConnKey key;
	GrantConnection *entry;
	bool		found;

	MemSet(&key, 0, sizeof(key));
	key.serverid = server->serverid;
	key.userid = userid;
	key.endpoint_id = ep->id;

	entry = hash_search(connection_hash, &key, HASH_ENTER, &found);
	if (!found)
		MemSet((char *) entry + sizeof(GrantConnKey), 0,
			   sizeof(GrantConnection) - sizeof(GrantConnKey));
	xact_got_connection = true;

	if (entry->remote != NULL && entry->xact_depth == 0)
	{
		/*
		 * Between transactions: drop a connection whose definition changed
		 * or that the remote closed, and open a fresh one below.
		 */
		if (entry->invalidated ||
			entry->registry_generation != grant_registry_generation() ||
			!entry->adapter->check_idle(entry->remote))
			close_connection(entry);
	}

	else if (entry->remote != NULL &&
			 entry->adapter->is_broken(entry->remote))
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("lost connection to grant endpoint \"%s\" inside a transaction",
						entry->label),
				 errhint("Roll back the transaction; the connection is re-established by the next one.")));

	if (entry->remote == NULL)
	{
		MemoryContext oldcxt = CurrentMemoryContext;

		PG_TRY();
		{
			open_connection(entry, server, userid, ep);
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(oldcxt);
			edata = CopyErrorData();
			if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_CONNECTION_EXCEPTION)
				PG_RE_THROW();
			grant_health_mark_down(ep, edata->detail ? edata->detail : edata->message);
			if (error == NULL)
				PG_RE_THROW();
			FlushErrorState();
			*error = edata->detail ? edata->detail : edata->message;
			return NULL;
		}
		PG_END_TRY();
		grant_health_mark_up(ep);
	}
	return entry;
}

GrantRemote *
grant_connection_remote(GrantConnection *conn)
{
	return conn->remote;
}

const GrantAdapter *
grant_connection_adapter(GrantConnection *conn)
{
	return conn->adapter;
}

/* the current transaction wrote through this connection: commit waits */
void
grant_connection_wrote(GrantConnection *conn)
{
	conn->wrote = true;
}

/*
 * The options of the user mapping for (user, server), falling back to the
 * PUBLIC mapping; NIL when there is none (the registry's credentials then
 * serve).
 */
static List *
user_mapping_options(Oid userid, Oid serverid, uint32 *hashvalue)
{
	HeapTuple	tp;
	Datum		datum;
	bool		isnull;
	List	   *options = NIL;

	*hashvalue = 0;
	tp = SearchSysCache2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(userid),
						 ObjectIdGetDatum(serverid));
	if (!HeapTupleIsValid(tp))
		tp = SearchSysCache2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(InvalidOid),
							 ObjectIdGetDatum(serverid));
	if (!HeapTupleIsValid(tp))
		return NIL;

	*hashvalue = GetSysCacheHashValue1(USERMAPPINGOID,
									   ObjectIdGetDatum(((Form_pg_user_mapping) GETSTRUCT(tp))->oid));
	datum = SysCacheGetAttr(USERMAPPINGUSERSERVER, tp,
							Anum_pg_user_mapping_umoptions, &isnull);
	if (!isnull)
		options = untransformRelOptions(datum);
	ReleaseSysCache(tp);
	return options;
}

static void
open_connection(GrantConnection *entry, ForeignServer *server, Oid userid,
				const GrantEndpoint *ep)
{
	List	   *um_options;
	ListCell   *lc;
	const char *user = NULL;
	const char *password = NULL;
	bool		password_required = true;
	char	   *app_name;
	char	   *label;

	um_options = user_mapping_options(userid, server->serverid,
									  &entry->mapping_hashvalue);
	foreach(lc, um_options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "user") == 0)
			user = defGetString(def);
		else if (strcmp(def->defname, "password") == 0)
			password = defGetString(def);
		else if (strcmp(def->defname, "password_required") == 0)
			password_required = defGetBoolean(def);
	}

	/*
	 * The registry's password belongs to the registry's user: a mapping
	 * that names another user brings its own password, or none.
	 */
	if (user != NULL && password == NULL && ep->password != NULL &&
		(ep->user == NULL || strcmp(user, ep->user) != 0))
	{
		GrantEndpoint *copy = grant_endpoint_copy(ep);

		copy->password = NULL;
		ep = copy;
	}

	/*
	 * A superuser may use any authentication the remote accepts; anyone
	 * else must prove a password, unless a superuser said otherwise in the
	 * user mapping.
	 */
	if (superuser_arg(userid))
		password_required = false;

	entry->adapter = grant_adapter(ep->adapter);
	entry->xact_depth = 0;
	entry->read_only = false;
	entry->wrote = false;
	entry->invalidated = false;
	entry->server_hashvalue = GetSysCacheHashValue1(FOREIGNSERVEROID,
													ObjectIdGetDatum(server->serverid));
	entry->registry_generation = grant_registry_generation();
	strlcpy(entry->database, ep->database ? ep->database : server->servername,
			sizeof(entry->database));
	strlcpy(entry->shard, ep->shard ? ep->shard : GRANT_DEFAULT_SHARD,
			sizeof(entry->shard));
	label = grant_endpoint_label(ep);
	strlcpy(entry->label, label, sizeof(entry->label));
	entry->writer = ep->role == GRANT_ROLE_WRITING;
	if (entry->endpoint == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(connection_context);

		entry->endpoint = palloc0(sizeof(GrantEndpoint));
		entry->endpoint->id = ep->id;
		entry->endpoint->adapter = ep->adapter;
		entry->endpoint->role = ep->role;
		entry->endpoint->port = ep->port;
		entry->endpoint->database = pstrdup(entry->database);
		entry->endpoint->shard = pstrdup(entry->shard);
		entry->endpoint->host = ep->host ? pstrdup(ep->host) : NULL;
		entry->endpoint->dbname = ep->dbname ? pstrdup(ep->dbname) : NULL;
		MemoryContextSwitchTo(oldcxt);
	}

	app_name = psprintf("grant/%d", MyProcPid);
	entry->remote = entry->adapter->connect(ep, user, password,
											password_required, app_name);
	pfree(app_name);
}

static void
close_connection(GrantConnection *entry)
{
	if (entry->remote != NULL)
	{
		GrantRemote *remote = entry->remote;

		entry->remote = NULL;
		entry->adapter->disconnect(remote);
	}
	entry->xact_depth = 0;
	entry->wrote = false;
	entry->invalidated = false;
}

/*
 * Queue BEGIN and savepoints so the remote nesting matches the local one.
 * Remote isolation is REPEATABLE READ at least, so every scan of one local
 * statement sees one snapshot; SERIALIZABLE when the local one is.  The
 * remote transaction is READ ONLY while writes are prevented or the role is
 * 'reading'.
 */
static void
begin_remote_xact(GrantConnection *entry)
{
	int			curlevel = GetCurrentTransactionNestLevel();

	if (entry->xact_depth <= 0)
	{
		bool		read_only = grant_prevent_writes ||
			grant_role_mode == GRANT_ROLE_MODE_READING || XactReadOnly;

		entry->adapter->begin(entry->remote,
							  IsolationIsSerializable() ? XACT_SERIALIZABLE : XACT_REPEATABLE_READ,
							  read_only);
		entry->xact_depth = 1;
		entry->read_only = read_only;
		entry->wrote = false;
	}
	while (entry->xact_depth < curlevel)
	{
		char		sql[64];

		snprintf(sql, sizeof(sql), "SAVEPOINT s%d", entry->xact_depth + 1);
		entry->adapter->command(entry->remote, sql);
		entry->xact_depth++;
	}
}

static void
connection_xact_callback(XactEvent event, void *arg)
{
	HASH_SEQ_STATUS scan;
	GrantConnection *entry;

	if (!xact_got_connection)
		return;

	hash_seq_init(&scan, connection_hash);
	while ((entry = (GrantConnection *) hash_seq_search(&scan)))
	{
		if (entry->remote == NULL || entry->xact_depth == 0)
		{
			if (entry->remote != NULL && entry->invalidated)
				close_connection(entry);
			continue;
		}

		switch (event)
		{
			case XACT_EVENT_PARALLEL_PRE_COMMIT:
			case XACT_EVENT_PRE_COMMIT:

				/*
				 * An error here aborts the local transaction; the ABORT
				 * event then rolls back the other remotes.  Mark the depth
				 * first so that abort handling sees an open transaction.
				 */
				commit_remote(entry);
				entry->xact_depth = 0;
				entry->wrote = false;
				break;
			case XACT_EVENT_PRE_PREPARE:
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot PREPARE a transaction that has used grant foreign tables")));
				break;
			case XACT_EVENT_PARALLEL_COMMIT:
			case XACT_EVENT_COMMIT:
			case XACT_EVENT_PREPARE:
				/* PRE_COMMIT closed every remote transaction */
				elog(WARNING, "grant: remote transaction still open at commit");
				break;
			case XACT_EVENT_PARALLEL_ABORT:
			case XACT_EVENT_ABORT:
				/* a reader lost in a transaction is left out for a while */
				if (!entry->writer && entry->endpoint &&
					entry->adapter->is_broken(entry->remote))
					grant_health_mark_down(entry->endpoint,
										   "connection lost during a transaction");
				if (entry->adapter->abort_cleanup(entry->remote))
					entry->adapter->rollback(entry->remote, 0);
				else
					close_connection(entry);
				if (entry->remote != NULL &&
					entry->adapter->is_broken(entry->remote))
					close_connection(entry);
				else
				{
					entry->xact_depth = 0;
					entry->wrote = false;
				}
				break;
		}
		if (entry->remote != NULL && entry->invalidated && entry->xact_depth == 0)
			close_connection(entry);
	}

	if (event != XACT_EVENT_PRE_COMMIT &&
		event != XACT_EVENT_PARALLEL_PRE_COMMIT &&
		event != XACT_EVENT_PRE_PREPARE)
		xact_got_connection = false;
}

/*
 * COMMIT one remote transaction.  A transaction that wrote on a registry
 * writer also brings back the writer's position, so that this session's
 * later reads go only to readers that show the commit; one that wrote
 * nothing does not wait for the answer.
 */
static void
commit_remote(GrantConnection *entry)
{
	if (entry->wrote && entry->writer && entry->endpoint && entry->endpoint->id != 0)
	{
		char	   *position = NULL;

		if (grant_read_your_writes == GRANT_RYW_LSN && entry->adapter->commit_position)
			position = entry->adapter->commit_position(entry->remote);
		else
			entry->adapter->commit(entry->remote, true);
		grant_router_note_commit(entry->database, entry->shard, position);
		return;
	}
	entry->adapter->commit(entry->remote, entry->wrote);
}

static void
connection_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							SubTransactionId parentSubid, void *arg)
{
	HASH_SEQ_STATUS scan;
	GrantConnection *entry;
	int			curlevel;

	if (event != SUBXACT_EVENT_PRE_COMMIT_SUB && event != SUBXACT_EVENT_ABORT_SUB)
		return;
	if (!xact_got_connection)
		return;

	curlevel = GetCurrentTransactionNestLevel();
	hash_seq_init(&scan, connection_hash);
	while ((entry = (GrantConnection *) hash_seq_search(&scan)))
	{
		if (entry->remote == NULL || entry->xact_depth < curlevel)
			continue;

		if (event == SUBXACT_EVENT_PRE_COMMIT_SUB)
		{
			char		sql[64];

			snprintf(sql, sizeof(sql), "RELEASE SAVEPOINT s%d", curlevel);
			entry->adapter->command(entry->remote, sql);
		}
		else
		{
			/*
			 * Cancel what runs, then undo the subtransaction's remote work.
			 * A connection that cannot be brought back to idle fails the
			 * next statement of this transaction: never a silent gap.
			 */
			if (entry->adapter->abort_cleanup(entry->remote))
				entry->adapter->rollback(entry->remote, curlevel);
		}
		entry->xact_depth = curlevel - 1;
	}
}

/*
 * A foreign server or user mapping changed: connections using it are
 * dropped, now if idle, else at the end of their transaction.
 */
static void
connection_inval_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS scan;
	GrantConnection *entry;

	if (connection_hash == NULL)
		return;
	hash_seq_init(&scan, connection_hash);
	while ((entry = (GrantConnection *) hash_seq_search(&scan)))
	{
		if (entry->remote == NULL)
			continue;
		/*
		 * A connection made without a user mapping is affected by any new
		 * mapping (one may now exist for its user): drop those too.
		 */
		if (hashvalue == 0 ||
			(cacheid == FOREIGNSERVEROID && entry->server_hashvalue == hashvalue) ||
			(cacheid == USERMAPPINGOID &&
			 (entry->mapping_hashvalue == hashvalue || entry->mapping_hashvalue == 0)))
			entry->invalidated = true;
	}
}

/*
 * grant_fdw.connection_status(): this backend's open remote connections.
 * Never shows a password.
 */
PG_FUNCTION_INFO_V1(grant_connection_status);

Datum
grant_connection_status(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HASH_SEQ_STATUS scan;
	GrantConnection *entry;

	InitMaterializedSRF(fcinfo, 0);
	if (connection_hash == NULL)
		return (Datum) 0;

	hash_seq_init(&scan, connection_hash);
	while ((entry = (GrantConnection *) hash_seq_search(&scan)))
	{
		Datum		values[8];
		bool		nulls[8];
		ForeignServer *server;

		if (entry->remote == NULL)
			continue;
		MemSet(nulls, 0, sizeof(nulls));
		server = GetForeignServerExtended(entry->key.serverid, FSV_MISSING_OK);
		if (server)
			values[0] = CStringGetTextDatum(server->servername);
		else
			nulls[0] = true;
		values[1] = CStringGetTextDatum(entry->database);
		values[2] = CStringGetTextDatum(entry->writer ? "writing" : "reading");
		values[3] = CStringGetTextDatum(entry->shard);
		values[4] = CStringGetTextDatum(entry->label);
		values[5] = CStringGetTextDatum(entry->adapter->name);
		values[6] = BoolGetDatum(entry->xact_depth > 0);
		values[7] = BoolGetDatum(!entry->invalidated &&
								 !entry->adapter->is_broken(entry->remote));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * grant_fdw.disconnect(database text DEFAULT NULL): close this backend's
 * connections (all, or those of one database) that are not inside a
 * remote transaction.  Returns true when something was closed.
 */
PG_FUNCTION_INFO_V1(grant_disconnect);

Datum
grant_disconnect(PG_FUNCTION_ARGS)
{
	char	   *database = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	HASH_SEQ_STATUS scan;
	GrantConnection *entry;
	bool		closed = false;

	if (connection_hash == NULL)
		PG_RETURN_BOOL(false);

	hash_seq_init(&scan, connection_hash);
	while ((entry = (GrantConnection *) hash_seq_search(&scan)))
	{
		if (entry->remote == NULL)
			continue;
		if (database != NULL && strcmp(entry->database, database) != 0)
			continue;
		if (entry->xact_depth > 0)
		{
			ereport(WARNING,
					(errmsg("cannot close connection to \"%s\" because it is still in use",
							entry->label)));
			continue;
		}
		close_connection(entry);
		closed = true;
	}
	PG_RETURN_BOOL(closed);
}
