/*-------------------------------------------------------------------------
 *
 * connection.c
 *		  Per-backend cache of remote connections, and remote transactions
 *		  tied to the local one.
 *
 * A connection is keyed by the endpoint and the identity it connects as:
 * the credentials actually used (the user mapping's when one exists, else
 * the registry's) and what decides how they may be used (whether a
 * password is required, a transaction pooler).  Every part of a local
 * transaction that reaches one remote as one identity — foreign tables of
 * any server naming the database, execute() and query(), views and
 * SECURITY DEFINER functions of other local roles — shares one remote
 * session and transaction, as one session would on the server itself.
 * The identity is kept as a SHA-256 digest, never as the password.
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
 *	- A registry endpoint registered without user and password lends no
 *	  identity: a local user without a user mapping (own or PUBLIC) is
 *	  refused (42704) instead of connecting with the local server's
 *	  ambient credentials, superusers included.
 *	- A connection unused for grant.idle_timeout is closed, never inside a
 *	  remote transaction and never from a signal handler: at the end of a
 *	  local transaction, or while the session is idle, where the timer's
 *	  handler only sets flags and the latch, and the backend's own idle
 *	  loop then runs an empty transaction (the sinval catch-up path) whose
 *	  end closes them.
 *	- One backend opens at most grant.max_connections_per_endpoint
 *	  connections to one endpoint (adapter, host, port, database).
 *	- A server with the option pooler 'transaction' reaches its endpoints
 *	  through a transaction pooler: every read runs in a remote
 *	  transaction, whose settings the adapter sets with it (see
 *	  adapter_pg.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/reloptions.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "catalog/pg_user_mapping.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "commands/defrem.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "storage/procarray.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "storage/sinval.h"

#include "grant.h"

typedef struct GrantConnKey
{
	int32		endpoint_id;	/* registry endpoint; 0: the server's own */
	Oid			serverid;		/* for endpoint_id 0 only */
	uint8		identity[PG_SHA256_DIGEST_LENGTH];	/* see connection_identity */
} GrantConnKey;

/* the identity a connection is made as: the key's digest is over these */
typedef struct GrantIdentity
{
	const char *user;			/* user mapping's user, or NULL */
	const char *password;		/* user mapping's password, or NULL */
	bool		password_required;
	bool		pooler;			/* behind a transaction pooler */
	const GrantEndpoint *ep;	/* the endpoint, its password dropped when
								 * the mapping names another user */
	uint32		mapping_hashvalue;	/* of the user mapping, 0: none */
} GrantIdentity;

struct GrantConnection
{
	GrantConnKey key;			/* hash key (must be first) */
	Oid			serverid;		/* the server that opened it (connection_status) */
	const GrantAdapter *adapter;
	GrantRemote *remote;		/* NULL when not connected */
	int			xact_depth;		/* 0: no remote transaction; 1: open; n:
								 * savepoints up to s<n> */
	bool		read_only;		/* remote transaction opened READ ONLY */
	bool		wrote;			/* something was written in it */
	/* the last local command that changed remote data through it */
	LocalTransactionId changed_lxid;
	CommandId	changed_cid;
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
	char		start_gid[GRANT_GID_SIZE];	/* two-phase commit: the remote
											 * transaction was begun to be
											 * prepared under this gid
											 * (begin_preparable); ""
											 * otherwise */
	char		prepared_gid[GRANT_GID_SIZE];	/* two-phase commit: prepared,
												 * waiting for the local
												 * outcome; "" otherwise */
	GrantStatSlot *stats;		/* the endpoint's counters, or NULL */
	bool		pooler;			/* behind a transaction pooler */
	bool		used;			/* used by the current transaction */
	TimestampTz last_used;		/* end of the last transaction that used
								 * it; 0 = not known */
};

static HTAB *connection_hash = NULL;

/*
 * Prepared transactions this backend finished (COMMIT PREPARED done):
 * their records are removed by the next transaction that records some.
 * In connection_context.
 */
static List *finished_gids = NIL;
static MemoryContext connection_context = NULL;
static bool xact_got_connection = false;

/* grant.idle_timeout: the timer, registered at first use in the backend */
static bool idle_timer_registered = false;
static TimeoutId idle_timer;
static volatile sig_atomic_t idle_check_due = false;
static bool exit_callback_registered = false;

static void connection_xact_callback(XactEvent event, void *arg);
static void connection_subxact_callback(SubXactEvent event,
										SubTransactionId mySubid,
										SubTransactionId parentSubid,
										void *arg);
static void connection_inval_callback(Datum arg, int cacheid, uint32 hashvalue);
static void close_idle_connections(void);
static void idle_timer_handler(void);
static void connection_exit(int code, Datum arg);
static void check_endpoint_limit(GrantConnection *entry, const GrantEndpoint *ep);
static bool connect_failure_is_endpoints(int sqlerrcode);
static bool connection_identity(ForeignServer *server, Oid userid,
								const GrantEndpoint *ep, bool raise,
								GrantIdentity *id, GrantConnKey *key);
static void open_connection(GrantConnection *entry, ForeignServer *server,
							const GrantIdentity *id);
static void close_connection(GrantConnection *entry);
static void begin_remote_xact(GrantConnection *entry);
static List *user_mapping_options(Oid userid, Oid serverid, uint32 *hashvalue);
static bool check_lent_identity(ForeignServer *server, Oid userid,
								const GrantEndpoint *ep, bool raise);
static int	remote_isolation(void);
static void commit_remote(GrantConnection *entry);
static void prepare_written(void);
static void finish_prepared(GrantConnection *entry, bool commit);
static void log_prepared(List *gids, List *entries);
static bool prepared_recorded(const char *gid);
static void make_start_gid(char *gid, size_t size);
static int	xa_gid_prefix(char *buf, size_t size);
static bool gid_is_ours(const char *gid, bool *in_progress);
static List *recorded_gids(void);
static void forget_finished(List *records, int endpoint_id, List *gids);

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

/*
 * The connection for one read that is the whole of its local transaction
 * (see scan.c): no remote transaction is begun, the query runs in the
 * remote's own implicit one, which saves its BEGIN and COMMIT.  When a
 * remote transaction is already open on the connection, the read joins it
 * as usual.
 */
GrantConnection *
grant_get_connection_autocommit(ForeignServer *server, Oid userid,
								const GrantEndpoint *ep)
{
	GrantConnection *entry = grant_probe_connection(server, userid, ep, NULL);

	/* behind a pooler, only a remote transaction carries the settings */
	if (entry->xact_depth > 0 || entry->pooler)
		begin_remote_xact(entry);
	return entry;
}

/*
 * A connection that failed outside a remote transaction: mark its endpoint
 * down and close it, so the next route avoids it; one that still works is
 * brought back to idle.
 */
void
grant_connection_discard_if_broken(GrantConnection *conn)
{
	if (conn->remote == NULL)
		return;
	if (conn->adapter->is_broken(conn->remote))
	{
		if (conn->endpoint)
			grant_health_mark_down(conn->endpoint, "connection lost");
		close_connection(conn);
	}
	else if (!conn->adapter->abort_cleanup(conn->remote))
		close_connection(conn);
}

/*
 * Is a remote transaction open on the cached connection for (server, user,
 * endpoint)?  Connects to nothing.
 */
bool
grant_connection_open_xact(ForeignServer *server, Oid userid,
						   const GrantEndpoint *ep)
{
	GrantConnKey key;
	GrantIdentity id;
	GrantConnection *entry;

	if (!connection_identity(server, userid, ep, false, &id, &key))
		return false;
	entry = hash_search(connection_hash, &key, HASH_FIND, NULL);
	return entry != NULL && entry->remote != NULL && entry->xact_depth > 0;
}

/* the counters of the connection's endpoint (stats.c), or NULL */
GrantStatSlot *
grant_connection_stats(GrantConnection *conn)
{
	return conn->stats;
}

/* host:port/dbname of the connection's endpoint; never a password */
const char *
grant_connection_label(GrantConnection *conn)
{
	return conn->label;
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
 * Does a failed connection attempt show that the endpoint itself cannot
 * serve, for every user: unreachable, timed out, or not accepting
 * connections (starting up, shutting down)?  Only such a failure marks it
 * down.  A remote that refused this identity (class 28: wrong password,
 * unknown user, no pg_hba entry; 08004: reached, and refused this
 * connection) or a connection refused before it was tried ("password is
 * required", 2F003) is about one user: marking the endpoint down would let
 * any user with a wrong password shun it for everyone.  The adapters raise
 * their connection failures with these codes.
 */
static bool
connect_failure_is_endpoints(int sqlerrcode)
{
	switch (sqlerrcode)
	{
		case ERRCODE_CONNECTION_EXCEPTION:
		case ERRCODE_CONNECTION_DOES_NOT_EXIST:
		case ERRCODE_CONNECTION_FAILURE:
		case ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION:
		case ERRCODE_CANNOT_CONNECT_NOW:
			return true;
		default:
			return false;
	}
}

/*
 * The connection for (server, user, endpoint), connected, without starting
 * a remote transaction on it: the router asks replicas for their position
 * through it before choosing one.  A connection that cannot be opened
 * for a reason that is the endpoint's marks it down; with error != NULL
 * such a failure is returned there (palloc'd message) instead of raised,
 * so another endpoint can serve.  Other errors, a refused identity among
 * them, are always raised.
 */
GrantConnection *
grant_probe_connection(ForeignServer *server, Oid userid,
					   const GrantEndpoint *ep, char **error)
{
	GrantConnKey key;
	GrantIdentity id;
	GrantConnection *entry;
	bool		found;

	(void) connection_identity(server, userid, ep, true, &id, &key);
	entry = hash_search(connection_hash, &key, HASH_ENTER, &found);
	if (!found)
		MemSet((char *) entry + sizeof(GrantConnKey), 0,
			   sizeof(GrantConnection) - sizeof(GrantConnKey));
	xact_got_connection = true;
	entry->used = true;

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
			open_connection(entry, server, &id);
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(oldcxt);
			edata = CopyErrorData();
			if (!connect_failure_is_endpoints(edata->sqlerrcode))
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
 * The current command changes remote data through this connection (an
 * INSERT, UPDATE or DELETE, not a row lock): a later read of the same
 * command through it would see the change, which the command's own
 * snapshot must not (see grant_connection_check_read).
 */
void
grant_connection_changed(GrantConnection *conn)
{
	conn->wrote = true;
	conn->changed_lxid = MyProc->lxid;
	conn->changed_cid = GetCurrentCommandId(false);
}

/*
 * Before a remote read (a scan, a rescan, a direct UPDATE or DELETE) through
 * conn: a local statement never sees its own changes, so it must not read
 * remote data it has changed itself (a RETURNING subquery, a data-modifying
 * WITH, a rescan after a row-by-row write).  The remote would answer with
 * the changes in; refuse instead.  A later statement of the transaction
 * (a larger command id in its snapshot) sees them, as locally.
 */
void
grant_connection_check_read(GrantConnection *conn)
{
	if (conn->changed_lxid != MyProc->lxid || !ActiveSnapshotSet())
		return;
	if (conn->changed_cid >= GetActiveSnapshot()->curcid)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a statement cannot read remote data of grant endpoint \"%s\" after changing it",
						conn->label),
				 errdetail("The remote would show the statement its own changes, which PostgreSQL never does."),
				 errhint("Read before writing (a separate statement, or a data-modifying WITH whose other parts read nothing of that database).")));
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

/*
 * Refuse a user without a user mapping (own or PUBLIC) on a registry
 * endpoint registered without user and password: it lends no identity,
 * and the adapters would connect with the local server's own (its OS user
 * name, password file, environment).  grant_fdw.adopt_server() registers
 * endpoints so, so that whoever had no mapping on the adopted server keeps
 * getting an error.  Registry-less servers keep postgres_fdw's rules.
 */
static bool
check_lent_identity(ForeignServer *server, Oid userid, const GrantEndpoint *ep,
					bool raise)
{
	char	   *label;

	if (ep->user != NULL || ep->password != NULL ||
		grant_server_database(server) == NULL)
		return true;
	if (SearchSysCacheExists2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(userid),
							  ObjectIdGetDatum(server->serverid)) ||
		SearchSysCacheExists2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(InvalidOid),
							  ObjectIdGetDatum(server->serverid)))
		return true;
	if (!raise)
		return false;
	label = grant_endpoint_label(ep);
	if (!OidIsValid(server->serverid))	/* execute(), query() */
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("grant endpoint \"%s\" has no credentials of its own", label),
				 errhint("Routed SQL connects with the registry's credentials: register the endpoint with a user and password.")));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("user mapping not found for user \"%s\", server \"%s\"",
					GetUserNameFromId(userid, false), server->servername),
			 errdetail("Grant endpoint \"%s\" is registered without credentials.", label),
			 errhint("Create a user mapping for the user on the server.")));
	return false;
}

/*
 * The identity (server, user) reaches endpoint ep as, and the connection
 * cache's key for it.  A user the endpoint lends no identity to is refused
 * (raise) or answered false.
 */
static bool
connection_identity(ForeignServer *server, Oid userid, const GrantEndpoint *ep,
					bool raise, GrantIdentity *id, GrantConnKey *key)
{
	List	   *um_options;
	ListCell   *lc;
	char	   *pooler;
	pg_cryptohash_ctx *ctx;
	char		flags[2];
	const char *user;
	const char *password;

	if (!check_lent_identity(server, userid, ep, raise))
		return false;
	id->user = NULL;
	id->password = NULL;
	id->password_required = true;
	um_options = user_mapping_options(userid, server->serverid,
									  &id->mapping_hashvalue);
	foreach(lc, um_options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "user") == 0)
			id->user = defGetString(def);
		else if (strcmp(def->defname, "password") == 0)
			id->password = defGetString(def);
		else if (strcmp(def->defname, "password_required") == 0)
			id->password_required = defGetBoolean(def);
	}

	/*
	 * The registry's password belongs to the registry's user: a mapping
	 * that names another user brings its own password, or none.
	 */
	if (id->user != NULL && id->password == NULL && ep->password != NULL &&
		(ep->user == NULL || strcmp(id->user, ep->user) != 0))
	{
		GrantEndpoint *copy = grant_endpoint_copy(ep);

		copy->password = NULL;
		ep = copy;
	}

	/*
	 * A superuser may use any authentication the remote accepts; anyone
	 * else must prove a password, unless a superuser said otherwise in the
	 * user mapping.  An endpoint a non-superuser chose (registered it, or
	 * owns its registry-less server) gets the rules of a non-superuser
	 * whoever connects: a superuser's connection must not offer the local
	 * server's ambient credentials (password file, Kerberos ticket, client
	 * certificate) to a host someone else picked.  A connection made
	 * without a password is therefore never shared with a user who must
	 * prove one: the flag is part of the identity.
	 */
	if (!superuser_arg(ep->registered_by))
		id->password_required = true;
	else if (superuser_arg(userid))
		id->password_required = false;

	pooler = grant_get_option(server->options, "pooler");
	if (pooler != NULL && strcmp(pooler, "none") != 0 &&
		strcmp(pooler, "transaction") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"pooler\" of server \"%s\": \"%s\"",
						server->servername, pooler),
				 errhint("Valid values are \"none\" and \"transaction\".")));
	id->pooler = pooler != NULL && strcmp(pooler, "transaction") == 0;
	if (id->pooler && !ep->pooler)
	{
		GrantEndpoint *copy = grant_endpoint_copy(ep);

		copy->pooler = true;
		ep = copy;
	}
	id->ep = ep;

	/*
	 * The key: the endpoint, and a digest of the user and password the
	 * connection logs in with (the mapping's, else the registry's) and
	 * the flags.
	 */
	user = id->user ? id->user : ep->user;
	password = id->password ? id->password : ep->password;
	MemSet(key, 0, sizeof(*key));
	key->endpoint_id = ep->id;
	if (ep->id == 0)
		key->serverid = server->serverid;
	flags[0] = id->password_required ? 'p' : '-';
	flags[1] = id->pooler ? 't' : '-';
	ctx = pg_cryptohash_create(PG_SHA256);
	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) flags, sizeof(flags)) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) (user ? "u" : "-"), 1) < 0 ||
		(user && pg_cryptohash_update(ctx, (const uint8 *) user,
									  strlen(user) + 1) < 0) ||
		pg_cryptohash_update(ctx, (const uint8 *) (password ? "p" : "-"), 1) < 0 ||
		(password && pg_cryptohash_update(ctx, (const uint8 *) password,
										  strlen(password) + 1) < 0) ||
		pg_cryptohash_final(ctx, key->identity, sizeof(key->identity)) < 0)
		elog(ERROR, "grant: could not compute a connection identity: %s",
			 pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	return true;
}

/* connect entry as identity id; the entry's bookkeeping starts afresh */
static void
open_connection(GrantConnection *entry, ForeignServer *server,
				const GrantIdentity *id)
{
	const GrantEndpoint *ep = id->ep;
	char	   *app_name;
	char	   *label;

	check_endpoint_limit(entry, ep);
	entry->serverid = server->serverid;
	entry->mapping_hashvalue = id->mapping_hashvalue;
	entry->pooler = id->pooler;
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
	entry->remote = entry->adapter->connect(ep, id->user, id->password,
											id->password_required, app_name);
	pfree(app_name);

	if (entry->stats == NULL)
		entry->stats = grant_stats_slot(ep);
	grant_stats_connected(entry->stats);
	entry->last_used = 0;
	if (!exit_callback_registered)
	{
		on_proc_exit(connection_exit, (Datum) 0);
		exit_callback_registered = true;
	}
}

/*
 * Refuse a connection that would exceed grant.max_connections_per_endpoint
 * for this backend: those open to the same endpoint for other servers or
 * users count.
 */
static void
check_endpoint_limit(GrantConnection *entry, const GrantEndpoint *ep)
{
	HASH_SEQ_STATUS scan;
	GrantConnection *other;
	char	   *label;
	int			n = 0;

	if (grant_max_connections_per_endpoint <= 0)
		return;
	label = grant_endpoint_label(ep);
	hash_seq_init(&scan, connection_hash);
	while ((other = (GrantConnection *) hash_seq_search(&scan)))
	{
		if (other != entry && other->remote != NULL &&
			other->adapter->kind == ep->adapter &&
			strcmp(other->label, label) == 0)
			n++;
	}
	if (n >= grant_max_connections_per_endpoint)
		ereport(ERROR,
				(errcode(ERRCODE_TOO_MANY_CONNECTIONS),
				 errmsg("this session already has %d connections to grant endpoint \"%s\"",
						n, label),
				 errdetail("\"grant.max_connections_per_endpoint\" is %d.",
						   grant_max_connections_per_endpoint),
				 errhint("Use fewer foreign servers or local users for one endpoint, close idle connections with grant_fdw.disconnect(), or raise the limit.")));
	pfree(label);
}

/*
 * At the end of a transaction: note when each connection was last used,
 * close those unused for grant.idle_timeout (none has a remote transaction
 * open any more), and set the timer for the next one to expire.  Runs in
 * transaction callbacks, never in a signal handler.
 */
static void
close_idle_connections(void)
{
	HASH_SEQ_STATUS scan;
	GrantConnection *entry;
	TimestampTz now = 0;
	TimestampTz next = 0;

	idle_check_due = false;
	hash_seq_init(&scan, connection_hash);
	while ((entry = (GrantConnection *) hash_seq_search(&scan)))
	{
		TimestampTz deadline;

		if (entry->remote == NULL)
		{
			entry->used = false;
			continue;
		}
		if (grant_idle_timeout <= 0)
		{
			entry->used = false;
			entry->last_used = 0;
			continue;
		}
		if (now == 0)
			now = GetCurrentTimestamp();
		if (entry->used || entry->last_used == 0)
			entry->last_used = now;
		entry->used = false;
		if (entry->xact_depth > 0 || entry->prepared_gid[0] != '\0')
			continue;
		deadline = TimestampTzPlusMilliseconds(entry->last_used, grant_idle_timeout);
		if (deadline <= now)
		{
			close_connection(entry);
			continue;
		}
		if (next == 0 || deadline < next)
			next = deadline;
	}
	if (next != 0)
	{
		if (!idle_timer_registered)
		{
			idle_timer = RegisterTimeout(USER_TIMEOUT, idle_timer_handler);
			idle_timer_registered = true;
		}
		enable_timeout_at(idle_timer, next);
	}
}

/*
 * SIGALRM: a connection may have been idle long enough.  Closing it here
 * would be unsafe (libpq and the hash table may be in use), so only flags
 * are set: the sinval catch-up flag makes a backend idle between
 * transactions run an empty transaction at once (ProcessCatchupInterrupt),
 * and its end closes the connections; a backend inside a transaction
 * closes them when the transaction ends.
 */
static void
idle_timer_handler(void)
{
	idle_check_due = true;
	catchupInterruptPending = true;
	SetLatch(MyLatch);
}

/* backend exit: end every idle remote session cleanly */
static void
connection_exit(int code, Datum arg)
{
	HASH_SEQ_STATUS scan;
	GrantConnection *entry;

	if (connection_hash == NULL)
		return;
	hash_seq_init(&scan, connection_hash);
	while ((entry = (GrantConnection *) hash_seq_search(&scan)))
	{
		if (entry->remote != NULL && entry->xact_depth == 0 &&
			entry->prepared_gid[0] == '\0')
			close_connection(entry);
	}
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
 * The isolation level of a remote transaction begun now: the local one's,
 * as the server itself would run the statements (READ COMMITTED waits for
 * a concurrent writer and then sees its commit, never a serialization
 * failure).  With grant.remote_isolation = repeatable_read, READ COMMITTED
 * runs as REPEATABLE READ instead, as postgres_fdw does.
 */
static int
remote_isolation(void)
{
	if (IsolationIsSerializable())
		return XACT_SERIALIZABLE;
	if (IsolationUsesXactSnapshot() ||
		grant_remote_isolation == GRANT_ISOLATION_AT_LEAST_RR)
		return XACT_REPEATABLE_READ;
	return XACT_READ_COMMITTED;
}

/*
 * Queue BEGIN and savepoints so the remote nesting matches the local one,
 * at remote_isolation()'s level.  The remote transaction is READ ONLY
 * while writes are prevented or the role is 'reading'.
 */
static void
begin_remote_xact(GrantConnection *entry)
{
	int			curlevel = GetCurrentTransactionNestLevel();

	if (entry->xact_depth <= 0)
	{
		bool		read_only = grant_prevent_writes ||
			grant_role_mode == GRANT_ROLE_MODE_READING || XactReadOnly;
		int			isolation = remote_isolation();

		/*
		 * Where the server must know from the start that a transaction may
		 * be prepared (MySQL's XA), a writer's read-write transaction is
		 * begun so under two-phase commit: whether it will write, and
		 * alongside which other endpoints, is known only at commit.
		 */
		entry->start_gid[0] = '\0';
		if (grant_two_phase_commit && !read_only && entry->writer &&
			entry->adapter->begin_preparable != NULL)
		{
			make_start_gid(entry->start_gid, sizeof(entry->start_gid));
			entry->adapter->begin_preparable(entry->remote, isolation,
											 entry->start_gid);
		}
		else
			entry->adapter->begin(entry->remote, isolation, read_only);
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
	{
		/* perhaps the empty transaction the idle timer asked for */
		if (idle_check_due &&
			(event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT))
			close_idle_connections();
		return;
	}

	if (event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PARALLEL_PRE_COMMIT)
		prepare_written();

	hash_seq_init(&scan, connection_hash);
	while ((entry = (GrantConnection *) hash_seq_search(&scan)))
	{
		if (entry->remote != NULL && entry->prepared_gid[0] != '\0')
		{
			/* prepared in PRE_COMMIT: now the local outcome is known */
			if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT)
				finish_prepared(entry, true);
			else if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
				finish_prepared(entry, false);
			continue;
		}
		if (entry->remote == NULL || entry->xact_depth == 0)
		{
			/*
			 * No remote transaction, but a read in the remote's own
			 * implicit transaction may still run: cancel it on abort.
			 */
			if (entry->remote != NULL &&
				(event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) &&
				!entry->adapter->abort_cleanup(entry->remote))
				close_connection(entry);
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
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT)
		close_idle_connections();
}

/*
 * Before the remote commits: when this transaction wrote through more than
 * one connection, either prepare them all (grant.two_phase_commit) so that
 * they commit or roll back with the local transaction even across a
 * crash, or warn that they commit one by one.  The prepared transactions
 * are recorded in grant_fdw.prepared_xacts inside the local transaction:
 * a record exists exactly when the local transaction committed, which is
 * what grant_fdw.recover_prepared() goes by.
 *
 * PostgreSQL prepares any transaction, under a gid made here from the local
 * xid; MySQL only an XA transaction, begun under its gid by
 * begin_remote_xact.  The other remote transactions (one writer alone, or
 * readers) then commit in one phase as usual, an XA one with XA COMMIT ...
 * ONE PHASE.
 */
static void
prepare_written(void)
{
	HASH_SEQ_STATUS scan;
	GrantConnection *entry;
	List	   *written = NIL;
	List	   *gids = NIL;
	ListCell   *lc;
	int			n = 0;

	hash_seq_init(&scan, connection_hash);
	while ((entry = (GrantConnection *) hash_seq_search(&scan)))
	{
		if (entry->remote != NULL && entry->xact_depth > 0 && entry->wrote)
			written = lappend(written, entry);
	}
	if (list_length(written) < 2)
		return;

	if (!grant_two_phase_commit)
	{
		ereport(WARNING,
				(errmsg("this transaction wrote to %d grant endpoints, which commit one by one",
						list_length(written)),
				 errdetail("If a commit fails after another succeeded, the endpoints diverge."),
				 errhint("Set \"grant.two_phase_commit\" to on to commit them atomically.")));
		return;
	}

	foreach(lc, written)
	{
		entry = (GrantConnection *) lfirst(lc);
		if (entry->adapter->begin_preparable != NULL && entry->start_gid[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot prepare the remote transaction on grant endpoint \"%s\"",
							entry->label),
					 errdetail("It was not begun as an XA transaction: \"grant.two_phase_commit\" was off when it began."),
					 errhint("Set \"grant.two_phase_commit\" before the transaction's first statement.")));
	}
	foreach(lc, written)
	{
		char		gid[GRANT_GID_SIZE];

		entry = (GrantConnection *) lfirst(lc);
		if (entry->start_gid[0] != '\0')
			strlcpy(gid, entry->start_gid, sizeof(gid));
		else
		{
			/* the cluster and database, as for XA, then x and the xid */
			int			len = xa_gid_prefix(gid, sizeof(gid));

			snprintf(gid + len, sizeof(gid) - len, "x%u_%d",
					 XidFromFullTransactionId(GetTopFullTransactionId()), ++n);
		}

		/*
		 * Marked prepared only once it is: one whose PREPARE failed is
		 * still an open transaction, which the abort rolls back.
		 */
		entry->adapter->prepare_xact(entry->remote, gid);
		strlcpy(entry->prepared_gid, gid, sizeof(entry->prepared_gid));
		entry->xact_depth = 0;
		entry->wrote = false;
		entry->start_gid[0] = '\0';
		gids = lappend(gids, entry->prepared_gid);
	}
	log_prepared(gids, written);
}

/*
 * Record the prepared transactions in grant_fdw.prepared_xacts, as the
 * table's owner (the session user may not write it).
 */
static void
log_prepared(List *gids, List *entries)
{
	Oid			nsp = get_namespace_oid(GRANT_SCHEMA, false);
	Oid			relid = get_relname_relid("prepared_xacts", nsp);
	GrantRunAs	run_as;
	ListCell   *lc;
	ListCell   *lc2;

	if (!OidIsValid(relid))
		elog(ERROR, "grant: table grant_fdw.prepared_xacts is missing");
	grant_run_as_begin(&run_as, grant_relation_owner(relid));
	/* commit processing has no active snapshot of its own */
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "grant: SPI_connect failed");
	forboth(lc, gids, lc2, entries)
	{
		GrantConnection *entry = (GrantConnection *) lfirst(lc2);
		Oid			types[4] = {TEXTOID, INT4OID, TEXTOID, TEXTOID};
		Datum		values[4];

		values[0] = CStringGetTextDatum((char *) lfirst(lc));
		values[1] = Int32GetDatum(entry->endpoint ? entry->endpoint->id : 0);
		values[2] = CStringGetTextDatum(entry->database);
		values[3] = CStringGetTextDatum(entry->label);
		if (SPI_execute_with_args("INSERT INTO grant_fdw.prepared_xacts "
								  "(gid, endpoint_id, database, endpoint) VALUES ($1, $2, $3, $4)",
								  4, types, values, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "grant: could not record a prepared transaction");
	}
	/* records of transactions finished since: no longer needed */
	foreach(lc, finished_gids)
	{
		Oid			types[1] = {TEXTOID};
		Datum		values[1];

		values[0] = CStringGetTextDatum((char *) lfirst(lc));
		SPI_execute_with_args("DELETE FROM grant_fdw.prepared_xacts WHERE gid OPERATOR(pg_catalog.=) $1",
							  1, types, values, NULL, false, 0);
	}
	list_free_deep(finished_gids);
	finished_gids = NIL;
	SPI_finish();
	PopActiveSnapshot();
	grant_run_as_end(&run_as);
}

/*
 * The local transaction has ended: COMMIT PREPARED or ROLLBACK PREPARED
 * (XA COMMIT or XA ROLLBACK on MySQL).
 * Nothing may fail here any more: a remote that cannot be told keeps its
 * prepared transaction for grant_fdw.recover_prepared(), with a WARNING.
 */
static void
finish_prepared(GrantConnection *entry, bool commit)
{
	MemoryContext oldcxt = CurrentMemoryContext;

	/* a testing aid: a test stops a remote in this window */
	if (grant_commit_prepared_delay > 0)
		pg_usleep((long) grant_commit_prepared_delay * 1000L);

	/*
	 * The session's next reads must see these writes: with no position to
	 * wait for, reads of this shard stay on the writer for a while (even if
	 * the commit below fails: recovery commits it later).
	 */
	if (commit && entry->writer && entry->endpoint && entry->endpoint->id != 0)
		grant_router_note_commit(entry->database, entry->shard, NULL);

	PG_TRY();
	{
		if (!entry->adapter->check_idle(entry->remote))
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("lost connection to grant endpoint \"%s\"", entry->label)));
		entry->adapter->finish_prepared(entry->remote, entry->prepared_gid, commit);
		if (commit)
		{
			MemoryContextSwitchTo(connection_context);
			finished_gids = lappend(finished_gids, pstrdup(entry->prepared_gid));
			MemoryContextSwitchTo(oldcxt);
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		ereport(WARNING,
				(errmsg("could not %s prepared transaction \"%s\" on grant endpoint \"%s\"",
						commit ? "commit" : "roll back", entry->prepared_gid, entry->label),
				 errdetail_internal("%s", edata->message),
				 errhint("Run grant_fdw.recover_prepared() once the endpoint is back.")));
		close_connection(entry);
	}
	PG_END_TRY();
	entry->prepared_gid[0] = '\0';
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
		server = OidIsValid(entry->serverid) ?
			GetForeignServerExtended(entry->serverid, FSV_MISSING_OK) : NULL;
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

/*
 * The gid of a remote transaction begun to be prepared (MySQL's XA START).
 * It is chosen when the transaction begins, when the local transaction may
 * have no xid yet (a read-only one never gets one), so it names the local
 * transaction by its virtual xid, which recover_prepared() can ask about:
 *
 *		grant_<system id><database>_<backend id>_<local xid>_<start>_<n>
 *
 * all in hex.  XA transactions are server-wide on MySQL, so the low 32 bits
 * of the cluster's system identifier and the database OID tell this
 * database's from those of another database or cluster using the same
 * server; the local transaction's start time (microseconds) keeps gids
 * unique when backend ids and local xids start over after a restart; n
 * tells the connections of one local transaction apart.  At most 61
 * characters: MySQL allows 64.
 */
static void
make_start_gid(char *gid, size_t size)
{
	static uint32 counter = 0;
	char		prefix[32];
	int			len;

	(void) xa_gid_prefix(prefix, sizeof(prefix));
	len = snprintf(gid, size, "%s%x_%x_%llx_%x", prefix, (unsigned int) MyBackendId,
				   (unsigned int) MyProc->lxid,
				   (unsigned long long) GetCurrentTransactionStartTimestamp(),
				   ++counter);
	if (len < 0 || len >= (int) size)
		elog(ERROR, "grant: transaction name \"%s\" is too long", gid);
}

/*
 * "grant_<system id><database>_", the start of this database's gids: the
 * cluster's system identifier keeps apart routers whose databases have the
 * same OID and share a remote.
 */
static int
xa_gid_prefix(char *buf, size_t size)
{
	return snprintf(buf, size, "grant_%08x%08x_",
					(unsigned int) (GetSystemIdentifier() & 0xFFFFFFFF),
					(unsigned int) MyDatabaseId);
}

/*
 * Is gid the name of a remote transaction this database prepared, and is
 * its local transaction still running?  Two forms after the prefix of
 * xa_gid_prefix(): x<xid>_<n> (decimal), chosen at PREPARE TRANSACTION
 * time, when the xid is known, and the XA form of make_start_gid(), which
 * names a virtual xid.  Gids of an earlier version, grant_<database>_<xid>_<n>,
 * are still recognized.
 */
static bool
gid_is_ours(const char *gid, bool *in_progress)
{
	char		prefix[32];
	size_t		len;

	/* an earlier version's PostgreSQL form: grant_<database oid>_<xid>_<n> */
	len = snprintf(prefix, sizeof(prefix), "grant_%u_", MyDatabaseId);
	if (strncmp(gid, prefix, len) == 0)
	{
		TransactionId xid = (TransactionId) strtoul(gid + len, NULL, 10);

		*in_progress = TransactionIdIsValid(xid) && TransactionIdIsInProgress(xid);
		return true;
	}
	len = xa_gid_prefix(prefix, sizeof(prefix));
	/* PostgreSQL: <prefix>x<xid>_<n>, a transaction id of this cluster */
	if (strncmp(gid, prefix, len) == 0 && gid[len] == 'x')
	{
		TransactionId xid = (TransactionId) strtoul(gid + len + 1, NULL, 10);

		*in_progress = TransactionIdIsValid(xid) && TransactionIdIsInProgress(xid);
		return true;
	}
	if (strncmp(gid, prefix, len) == 0)
	{
		unsigned int backend;
		unsigned int lxid;
		VirtualTransactionId vxid;

		if (sscanf(gid + len, "%x_%x_", &backend, &lxid) != 2)
			return false;
		vxid.backendId = (BackendId) backend;
		vxid.localTransactionId = (LocalTransactionId) lxid;
		/* VirtualXactLock without waiting: true once it has ended */
		*in_progress = vxid.backendId > 0 && backend <= (unsigned int) MaxBackends &&
			LocalTransactionIdIsValid(vxid.localTransactionId) &&
			!VirtualXactLock(vxid, false);
		return true;
	}
	return false;
}

/*
 * Is there a record of prepared transaction gid (its local commit)?  Read
 * with a fresh snapshot (read_only = false): the caller found the local
 * transaction no longer running, and its commit must be seen.
 */
static bool
prepared_recorded(const char *gid)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];

	values[0] = CStringGetTextDatum(gid);
	if (SPI_execute_with_args("SELECT 1 FROM grant_fdw.prepared_xacts WHERE gid OPERATOR(pg_catalog.=) $1",
							  1, types, values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "grant: could not read grant_fdw.prepared_xacts");
	return SPI_processed > 0;
}

/*
 * grant_fdw.recover_prepared(): finish what a crash left between PREPARE
 * and COMMIT PREPARED (XA PREPARE and XA COMMIT on MySQL).  On every
 * reachable writer, each transaction this database prepared is left alone
 * while its local transaction still runs, then committed when that one
 * committed (it is recorded), and rolled back otherwise.  Records of
 * transactions found finished are removed.  One row per decision; a
 * transaction seen through several endpoints (XA is server-wide on MySQL)
 * is decided once.
 */
PG_FUNCTION_INFO_V1(grant_recover_prepared);

Datum
grant_recover_prepared(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	List	   *endpoints = grant_registry_all_endpoints();
	List	   *seen = NIL;
	List	   *records;
	ListCell   *lc;
	GrantRunAs	run_as;

	InitMaterializedSRF(fcinfo, 0);
	/* the caller's rights, never the caller's search_path */
	grant_run_as_begin(&run_as, InvalidOid);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "grant: SPI_connect failed");

	/*
	 * The records as they stand before any endpoint is asked: each one's
	 * local transaction committed, after its PREPARE, so an endpoint that
	 * lists no such transaction any more has finished it, and the record
	 * is of no use.  (Read later, a record could belong to a transaction
	 * prepared after its endpoint was asked.)
	 */
	records = recorded_gids();

	foreach(lc, endpoints)
	{
		GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);
		ForeignServer server;
		GrantConnection *conn;
		const GrantAdapter *adapter;
		GrantRemote *remote;
		List	   *gids;
		char	   *error = NULL;
		ListCell   *lc2;

		if (ep->role != GRANT_ROLE_WRITING)
			continue;
		MemSet(&server, 0, sizeof(server));
		server.serverid = InvalidOid;
		server.servername = ep->database;
		server.options = list_make1(makeDefElem("database",
												(Node *) makeString(ep->database), -1));
		conn = grant_probe_connection(&server, GetUserId(), ep, &error);
		if (conn == NULL || grant_connection_in_xact(conn))
		{
			Datum		values[3];
			bool		nulls[3] = {false, true, false};

			values[0] = CStringGetTextDatum(grant_endpoint_label(ep));
			values[2] = CStringGetTextDatum(conn == NULL ? "unreachable" : "busy");
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			continue;
		}
		adapter = grant_connection_adapter(conn);
		remote = grant_connection_remote(conn);
		gids = adapter->list_prepared(remote, "grant_");

		foreach(lc2, gids)
		{
			char	   *gid = (char *) lfirst(lc2);
			bool		in_progress;
			bool		done = false;
			const char *action;
			ListCell   *lc3;
			Datum		values[3];
			bool		nulls[3] = {false, false, false};

			if (!gid_is_ours(gid, &in_progress))
				continue;
			foreach(lc3, seen)
				done = done || strcmp((char *) lfirst(lc3), gid) == 0;
			if (done)
				continue;
			seen = lappend(seen, gid);

			/* running: the record, if any, is not visible yet */
			if (in_progress)
				action = "in progress";
			else if (prepared_recorded(gid))
				action = "committed";
			else
				action = "rolled back";
			if (!in_progress)
				adapter->finish_prepared(remote, gid, action[0] == 'c');
			if (action[0] == 'c')
			{
				Oid			types[1] = {TEXTOID};
				Datum		args[1];

				args[0] = CStringGetTextDatum(gid);
				SPI_execute_with_args("DELETE FROM grant_fdw.prepared_xacts WHERE gid OPERATOR(pg_catalog.=) $1",
									  1, types, args, NULL, false, 0);
			}
			values[0] = CStringGetTextDatum(grant_endpoint_label(ep));
			values[1] = CStringGetTextDatum(gid);
			values[2] = CStringGetTextDatum(action);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		forget_finished(records, ep->id, gids);
	}
	SPI_finish();
	grant_run_as_end(&run_as);
	return (Datum) 0;
}

/* the gids of grant_fdw.prepared_xacts, each with its endpoint id */
static List *
recorded_gids(void)
{
	List	   *result = NIL;
	uint64		i;

	if (SPI_execute("SELECT gid, endpoint_id FROM grant_fdw.prepared_xacts", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "grant: could not read grant_fdw.prepared_xacts");
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		id = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2,
									   &isnull);

		result = lappend(result,
						 list_make2(makeString(SPI_getvalue(SPI_tuptable->vals[i],
															SPI_tuptable->tupdesc, 1)),
									makeInteger(isnull ? 0 : DatumGetInt32(id))));
	}
	return result;
}

/*
 * Delete the records of endpoint_id whose transaction the endpoint no
 * longer lists as prepared (gids): it was committed, by its session or by
 * this recovery.
 */
static void
forget_finished(List *records, int endpoint_id, List *gids)
{
	ListCell   *lc;

	foreach(lc, records)
	{
		List	   *record = (List *) lfirst(lc);
		char	   *gid = strVal(linitial(record));
		bool		listed = false;
		ListCell   *lc2;

		if (intVal(lsecond(record)) != endpoint_id)
			continue;
		foreach(lc2, gids)
			listed = listed || strcmp((char *) lfirst(lc2), gid) == 0;
		if (!listed)
		{
			Oid			types[1] = {TEXTOID};
			Datum		args[1];

			args[0] = CStringGetTextDatum(gid);
			SPI_execute_with_args("DELETE FROM grant_fdw.prepared_xacts WHERE gid OPERATOR(pg_catalog.=) $1",
								  1, types, args, NULL, false, 0);
		}
	}
}
