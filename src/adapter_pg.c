/*-------------------------------------------------------------------------
 *
 * adapter_pg.c
 *		  The PostgreSQL adapter: libpq connections, pipelined commands,
 *		  streamed rows and remote errors.
 *
 * Every connection runs in libpq pipeline mode.  Commands whose answer is
 * not needed at once (BEGIN, SAVEPOINT, a read-only COMMIT, ROLLBACK) are
 * queued and travel with the next query, so that a statement costs one
 * round trip.  The adapter remembers, in order, every result it still owes
 * a read for ("pending" items); whoever reads next drains them first.  An
 * error of a queued command is raised at that read, with the command's SQL
 * as context; items marked silent (ROLLBACK after an error) never raise.
 *
 * Rows are streamed in single-row mode, so memory stays bounded whatever
 * the size of the result.
 *
 * Every wait is on the latch and the socket (a wait set made once per
 * connection) with CHECK_FOR_INTERRUPTS, so query cancel and
 * statement_timeout interrupt it; the connection layer then calls
 * abort_cleanup to cancel the remote query and bring the connection back
 * to idle, or drops it.
 *
 * Behind a transaction pooler (GrantEndpoint.pooler: PgBouncer in
 * transaction mode) consecutive transactions may run on different server
 * sessions, so nothing may rely on session state: the settings go with
 * every remote transaction (set_config(..., true) queued after its BEGIN,
 * no extra round trip) instead of the startup packet, which a pooler
 * would refuse, and statements are sent unnamed instead of prepared.
 *
 * This is one of the only files that include libpq-fe.h.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>

#include "access/xact.h"
#include "commands/defrem.h"
#include "libpq-fe.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "access/tupdesc.h"

#include "grant.h"

/*
 * The settings that make remote output unambiguous: in the startup packet
 * of a direct connection, with every transaction behind a pooler.
 */
#define SESSION_SETTINGS_OPTIONS \
	"-c search_path=pg_catalog -c TimeZone=UTC -c DateStyle=ISO " \
	"-c IntervalStyle=postgres -c extra_float_digits=3 " \
	"-c standard_conforming_strings=on"
#define SETTINGS_SQL(is_local) \
	"SELECT pg_catalog.set_config('search_path', 'pg_catalog', " is_local "), " \
	"pg_catalog.set_config('TimeZone', 'UTC', " is_local "), " \
	"pg_catalog.set_config('DateStyle', 'ISO', " is_local "), " \
	"pg_catalog.set_config('IntervalStyle', 'postgres', " is_local "), " \
	"pg_catalog.set_config('extra_float_digits', '3', " is_local "), " \
	"pg_catalog.set_config('standard_conforming_strings', 'on', " is_local ")"
#define TRANSACTION_SETTINGS_SQL SETTINGS_SQL("true")

/*
 * Bounds of the cleanup after a local error (abort paths, where interrupts
 * are held): how long a cancel request may take, how often its thread is
 * looked at, how long the answers still owed may take to arrive after it,
 * and how many cancel requests may be left waiting on servers that did not
 * answer.  Together under a second, so that statement_timeout, query
 * cancel and terminate return control promptly even from a frozen server.
 * Where interrupts can be processed (a scan ended early, a new transaction
 * reading what the last one owes), the wait for answers may be longer,
 * since cancel and terminate interrupt it anyway.
 */
#define CANCEL_TIMEOUT_MS	250
#define CANCEL_POLL_MS		2
#define CLEANUP_TIMEOUT_MS	700
#define CLEANUP_INTERRUPTIBLE_MS 30000
#define MAX_CANCELS_LEFT	8

/* one result the adapter still has to read, in order */
typedef struct PendingItem
{
	char	   *sql;			/* malloc'd; NULL for a sync point */
	bool		silent;			/* errors ignored (cleanup commands) */
	bool		is_query;		/* rows are read by a GrantRemoteQuery */
	int			prepares;		/* statement cache slot + 1 this item
								 * prepares, or 0 */
} PendingItem;

/*
 * The statement cache: queries with parameters (a lookup by key from a
 * prepared statement, a parameterized join) are prepared once per
 * connection under a name and then only executed, so the remote skips
 * parsing and, once its plan cache settles, planning.  Entries are
 * replaced least recently used first.  An entry is ready once the remote
 * answered its PREPARE; an execution that failed (a remote table whose
 * columns changed makes every execution fail) sends it to be prepared
 * afresh.  Behind a transaction pooler there is no cache: a statement
 * may not be there in the next transaction.
 */
#define STMT_CACHE_SIZE		32

typedef struct CachedStmt
{
	char	   *sql;			/* malloc'd; NULL for a free slot */
	uint32		id;				/* its name is grant_s<id> */
	uint64		last_used;
	bool		ready;			/* the remote answered the PREPARE */
	bool		stale;			/* an execution failed: drop and prepare */
} CachedStmt;

struct GrantRemote
{
	PGconn	   *conn;
	char	   *label;			/* host:port/dbname, malloc'd */
	PendingItem *pending;		/* ring buffer */
	int			npending;
	int			head;
	int			capacity;
	bool		broken;
	/* first error seen while draining, raised once the sync is reached */
	PGresult   *error;
	char	   *error_sql;		/* malloc'd */
	GrantRemoteQuery *active;	/* query whose rows are being read */
	int			nprepared;		/* named statements prepared, not removed */
	bool		pooler;			/* behind a transaction pooler: no session
								 * state (settings, prepared statements) */
	WaitEventSet *waits;		/* latch, socket and postmaster death, made
								 * once: a wait costs no epoll setup */
	int			socket_event;	/* position of the socket in waits */
	bool		want_write;		/* the socket event includes WRITEABLE */
	CachedStmt	stmts[STMT_CACHE_SIZE];
	uint64		stmt_clock;		/* for least recently used */
	uint32		stmt_ids;		/* names handed out */
};

struct GrantRemoteQuery
{
	GrantRemote *remote;
	int			cached;			/* statement cache slot it executes, or -1 */
	MemoryContext cxt;			/* where this handle lives */
	char	   *sql;			/* palloc'd copy, for error context */
	PGresult   *row;			/* current single-row result */
	uint64		affected;
	int			nfields;
	Oid		   *types;			/* remote type per column, once known */
	bool		binary;			/* results in binary format */
	bool		done;			/* all rows read from the remote, sync
								 * consumed */
	bool		started;		/* its own results reached */

	/*
	 * Rows read ahead because another statement needed the connection
	 * while this one was still streaming (a nested loop over two foreign
	 * scans, UPDATE by ctid, INSERT ... SELECT on one server).  Spills to
	 * disk beyond work_mem.
	 */
	bool		buffered;
	Tuplestorestate *store;
	TupleTableSlot *store_slot;
	MemoryContext row_cxt;		/* strings of the current buffered row */
};

static void pg_parse_url(const char *url, GrantEndpoint *ep);
static GrantRemote *pg_connect(const GrantEndpoint *ep, const char *user,
							   const char *password, bool password_required,
							   const char *application_name);
static void pg_disconnect(GrantRemote *remote);
static bool pg_is_broken(GrantRemote *remote);
static bool pg_check_idle(GrantRemote *remote);
static void pg_begin(GrantRemote *remote, int isolation, bool read_only);
static void pg_commit(GrantRemote *remote, bool wait);
static void pg_rollback(GrantRemote *remote, int savepoint_level);
static void pg_prepare_xact(GrantRemote *remote, const char *gid);
static void pg_finish_prepared(GrantRemote *remote, const char *gid,
							   bool commit);
static List *pg_list_prepared(GrantRemote *remote, const char *prefix);
static void pg_command(GrantRemote *remote, const char *sql);
static void pg_send(GrantRemote *remote, const char *sql,
					const char *stmt_name, int nparams,
					const char *const *values);
static void pg_prepare(GrantRemote *remote, const char *stmt_name,
					   const char *sql);
static void pg_deallocate(GrantRemote *remote, const char *stmt_name);
static int	pg_npending(GrantRemote *remote);
static void pg_sync(GrantRemote *remote);
static GrantRemoteQuery *pg_query(GrantRemote *remote, const char *sql,
								  const char *stmt_name, int nparams,
								  const char *const *values, bool binary);
static bool pg_next_row(GrantRemoteQuery *query, char **values, int *lengths,
						int ncols);
static int	pg_nfields(GrantRemoteQuery *query);
static Oid	pg_column_type(GrantRemoteQuery *query, int col);
static uint64 pg_rows_affected(GrantRemoteQuery *query);
static void pg_close(GrantRemoteQuery *query);
static void query_start(GrantRemoteQuery *query);
static void buffer_active(GrantRemote *remote);
static bool next_buffered_row(GrantRemoteQuery *query, char **values,
							  int *lengths, int ncols);
static void note_columns(GrantRemoteQuery *query, PGresult *res);
static void query_finish(GrantRemoteQuery *query);
static void pg_send_query(GrantRemoteQuery *query, const char *stmt_name,
						  int nparams, const char *const *values);
static bool pg_abort_cleanup(GrantRemote *remote);
static bool drain_quietly(GrantRemote *remote, TimestampTz deadline);
static void pg_cancel(GrantRemote *remote);
static bool cancel_within(PGconn *conn, int timeout_ms);
static void *cancel_thread_main(void *arg);
static int	no_ambient_credentials(const GrantEndpoint *ep, const char **keywords,
								   const char **values, int n);
static PGconn *connect_interruptibly(const char *const *keywords,
									 const char *const *values,
									 bool *timed_out);
static int	connect_timeout_ms(const char *const *keywords,
							   const char *const *values);
static char *pg_commit_position(GrantRemote *remote);
static bool pg_caught_up(GrantRemote *remote, const char *position, int wait_ms);
static int64 pg_lag_ms(GrantRemote *remote);
static int	pg_connect_failure_errcode(const PGconn *conn);
static char *single_value(GrantRemote *remote, const char *sql, int nparams,
						  const char *const *values);
static void queue_commit(GrantRemote *remote);
static void pg_quote_identifier(StringInfo buf, const char *ident);
static void pg_quote_literal(StringInfo buf, const char *value);

static void push_pending(GrantRemote *remote, const char *sql, bool silent,
						 bool is_query);
static void forget_statements(GrantRemote *remote);
static void drop_statement(GrantRemote *remote, CachedStmt *stmt);
static int	cached_statement(GrantRemote *remote, const char *sql);
static void query_failed(GrantRemoteQuery *query);
static void send_or_fail(GrantRemote *remote, int ok);
static void flush_or_fail(GrantRemote *remote);
static PGresult *get_result(GrantRemote *remote, TimestampTz deadline,
							bool *timed_out);
static void drain_to_query(GrantRemote *remote);
static void drain_one(GrantRemote *remote);
static void raise_pending_error(GrantRemote *remote);
static void report_remote_error(int elevel, PGresult *res, const char *label,
								const char *sql);
static void report_connection_lost(GrantRemote *remote);
static int	wait_socket(GrantRemote *remote, int events, long timeout);

const GrantAdapter grant_pg_adapter = {
	.name = "postgresql",
	.kind = GRANT_ADAPTER_POSTGRESQL,
	.parse_url = pg_parse_url,
	.connect = pg_connect,
	.disconnect = pg_disconnect,
	.is_broken = pg_is_broken,
	.check_idle = pg_check_idle,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.begin_preparable = NULL,	/* any transaction can be prepared */
	.prepare_xact = pg_prepare_xact,
	.finish_prepared = pg_finish_prepared,
	.list_prepared = pg_list_prepared,
	.command = pg_command,
	.restore_settings_sql = SETTINGS_SQL("false"),
	.send = pg_send,
	.prepare = pg_prepare,
	.deallocate = pg_deallocate,
	.npending = pg_npending,
	.sync = pg_sync,
	.query = pg_query,
	.next_row = pg_next_row,
	.nfields = pg_nfields,
	.column_type = pg_column_type,
	.rows_affected = pg_rows_affected,
	.close = pg_close,
	.abort_cleanup = pg_abort_cleanup,
	.cancel = pg_cancel,
	.quote_identifier = pg_quote_identifier,
	.quote_literal = pg_quote_literal,
	.commit_position = pg_commit_position,
	.caught_up = pg_caught_up,
	.lag_ms = pg_lag_ms,
};

static void
pg_parse_url(const char *url, GrantEndpoint *ep)
{
	grant_pg_parse_url(url, ep);
}

/*
 * Open a connection in pipeline mode.  The session settings that make
 * remote output unambiguous (search_path, time zone, date and interval
 * styles, float digits) travel in the startup packet, so they cost no
 * round trip; behind a pooler they go with each transaction instead (see
 * pg_begin).
 */
static GrantRemote *
pg_connect(const GrantEndpoint *ep, const char *user, const char *password,
		   bool password_required, const char *application_name)
{
	/* the endpoint's options, the fixed ones, those no_ambient_credentials adds */
	int			max_keywords = list_length(ep->options) + 20;
	const char **keywords = palloc(sizeof(char *) * max_keywords);
	const char **values = palloc(sizeof(char *) * max_keywords);
	int			n = 0;
	char		portbuf[16];
	StringInfoData options;
	ListCell   *lc;
	PGconn	   *conn;
	GrantRemote *remote;
	char	   *label;
	bool		timed_out;

	/*
	 * Without a password of its own, libpq would look for one in the local
	 * server's environment and password file: a non-superuser must bring
	 * one (the check after connecting then proves the remote used it).
	 */
	if (password_required &&
		(password ? password : ep->password ? ep->password : "")[0] == '\0')
	{
		label = grant_endpoint_label(ep);
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("password is required"),
				 errdetail("Non-superusers must supply a password for grant endpoint \"%s\".", label),
				 errhint("Give a password in the user mapping or in the registered URL.")));
	}

	initStringInfo(&options);

	if (ep->host)
	{
		keywords[n] = "host";
		values[n++] = ep->host;
	}
	if (ep->port > 0)
	{
		snprintf(portbuf, sizeof(portbuf), "%d", ep->port);
		keywords[n] = "port";
		values[n++] = portbuf;
	}
	if (ep->dbname)
	{
		keywords[n] = "dbname";
		values[n++] = ep->dbname;
	}
	if (user || ep->user)
	{
		keywords[n] = "user";
		values[n++] = user ? user : ep->user;
	}
	if (password || ep->password)
	{
		keywords[n] = "password";
		values[n++] = password ? password : ep->password;
	}
	foreach(lc, ep->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "options") == 0)
		{
			if (options.len > 0)
				appendStringInfoChar(&options, ' ');
			appendStringInfoString(&options, defGetString(def));
			continue;
		}
		if (strcmp(def->defname, "client_encoding") == 0 ||
			strcmp(def->defname, "application_name") == 0)
			continue;
		keywords[n] = def->defname;
		values[n++] = defGetString(def);
	}
	/* after the user's options: of two settings of one name, the last wins */
	if (!ep->pooler)
	{
		if (options.len > 0)
			appendStringInfoChar(&options, ' ');
		appendStringInfoString(&options, SESSION_SETTINGS_OPTIONS);
	}
	if (options.len > 0)
	{
		keywords[n] = "options";
		values[n++] = options.data;
	}
	keywords[n] = "application_name";
	values[n++] = application_name;
	keywords[n] = "client_encoding";
	values[n++] = GetDatabaseEncodingName();
	if (password_required)
		n = no_ambient_credentials(ep, keywords, values, n);
	Assert(n < max_keywords);
	keywords[n] = NULL;
	values[n] = NULL;

	label = grant_endpoint_label(ep);

	conn = connect_interruptibly(keywords, values, &timed_out);
	pfree(options.data);

	if (conn == NULL || timed_out || PQstatus(conn) != CONNECTION_OK)
	{
		char	   *msg = conn == NULL ? pstrdup("out of memory") :
			timed_out ? pstrdup("timeout expired") : pchomp(PQerrorMessage(conn));
		int			sqlstate = timed_out ? ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION :
			pg_connect_failure_errcode(conn);

		if (conn)
			PQfinish(conn);
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("could not connect to grant endpoint \"%s\"", label),
				 errdetail_internal("%s", msg)));
	}

	/*
	 * Whoever is not a superuser must not borrow the local server's own
	 * identity (trust or peer authentication on the remote): the remote must
	 * have asked for, and used, a password.
	 */
	if (password_required && !PQconnectionUsedPassword(conn))
	{
		PQfinish(conn);
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("password is required"),
				 errdetail("Non-superuser cannot connect to grant endpoint \"%s\" if the remote server does not request a password.",
						   label),
				 errhint("Target server's authentication method must be changed, or a password must be supplied and required by the remote.")));
	}

	if (PQenterPipelineMode(conn) != 1)
	{
		PQfinish(conn);
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("could not enter pipeline mode on grant endpoint \"%s\"", label)));
	}
	/* writes never block us forever: we flush explicitly and wait on latch */
	PQsetnonblocking(conn, 1);

	remote = calloc(1, sizeof(GrantRemote));
	if (remote == NULL)
	{
		PQfinish(conn);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	remote->conn = conn;
	remote->pooler = ep->pooler;
	remote->label = strdup(label);
	remote->capacity = 16;
	remote->pending = calloc(remote->capacity, sizeof(PendingItem));
	if (remote->label == NULL || remote->pending == NULL)
	{
		pg_disconnect(remote);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	pfree(label);
	return remote;
}

/*
 * Whoever must prove a password (a non-superuser, or anyone on an endpoint
 * a non-superuser chose) must not offer what the local server's OS user
 * holds: its password file (read when no password is given), a client
 * certificate in its home directory, a Kerberos ticket for GSS encryption
 * (a certificate or GSS mode the endpoint names, which only a superuser can
 * set, is meant);
 * with libpq 16 or later, no authentication but by password at all.
 * Appended last, so they win over anything earlier.  A path under
 * /dev/null can never exist, and libpq goes on without a file that does
 * not exist.  Returns the new count of keywords.
 */
#define NO_SUCH_FILE	"/dev/null/none"

static int
no_ambient_credentials(const GrantEndpoint *ep, const char **keywords,
					   const char **values, int n)
{
	keywords[n] = "passfile";
	values[n++] = NO_SUCH_FILE;
	/* what the endpoint names was set by a superuser: meant, not ambient */
	if (grant_get_option(ep->options, "sslcert") == NULL)
	{
		keywords[n] = "sslcert";
		values[n++] = NO_SUCH_FILE;
		keywords[n] = "sslkey";
		values[n++] = NO_SUCH_FILE;
	}
	if (grant_get_option(ep->options, "gssencmode") == NULL)
	{
		keywords[n] = "gssencmode";
		values[n++] = "disable";
	}
	if (PQlibVersion() >= 160000)
	{
		keywords[n] = "require_auth";
		values[n++] = "password,md5,scram-sha-256";
		keywords[n] = "sslcertmode";
		values[n++] = "disable";
	}
	return n;
}

/*
 * PQconnectdbParams, but every wait is on the latch and the socket with
 * CHECK_FOR_INTERRUPTS, so statement_timeout, query cancel and terminate
 * end a connection attempt to a server that does not answer (a frozen
 * process, a black-holed network).  connect_timeout is enforced here, as
 * libpq enforces it only in its own blocking loop (*timed_out is then
 * set).  Returns the handle whatever its status (NULL only when out of
 * memory); on an error raised inside, the handle is freed first.
 */
static PGconn *
connect_interruptibly(const char *const *keywords, const char *const *values,
					  bool *timed_out)
{
	PGconn	   *conn = PQconnectStartParams(keywords, values, false);
	PostgresPollingStatusType status = PGRES_POLLING_WRITING;
	int			timeout_ms = connect_timeout_ms(keywords, values);
	TimestampTz deadline = 0;

	*timed_out = false;
	if (conn == NULL || PQstatus(conn) == CONNECTION_BAD)
		return conn;
	if (timeout_ms > 0)
		deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);
	PG_TRY();
	{
		while (status != PGRES_POLLING_OK && status != PGRES_POLLING_FAILED)
		{
			int			events = WL_LATCH_SET | WL_EXIT_ON_PM_DEATH;
			long		timeout = -1L;
			int			rc;

			events |= status == PGRES_POLLING_READING ?
				WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE;
			if (deadline != 0)
			{
				timeout = TimestampDifferenceMilliseconds(GetCurrentTimestamp(),
														  deadline);
				events |= WL_TIMEOUT;
			}
			/* the socket may change between polls (another address) */
			rc = WaitLatchOrSocket(MyLatch, events, PQsocket(conn), timeout,
								   PG_WAIT_EXTENSION);
			if (rc & WL_LATCH_SET)
			{
				ResetLatch(MyLatch);
				CHECK_FOR_INTERRUPTS();
			}
			if (rc & (WL_SOCKET_READABLE | WL_SOCKET_WRITEABLE))
				status = PQconnectPoll(conn);
			else if ((rc & WL_TIMEOUT) && GetCurrentTimestamp() >= deadline)
				break;
		}
	}
	PG_CATCH();
	{
		PQfinish(conn);
		PG_RE_THROW();
	}
	PG_END_TRY();
	*timed_out = status != PGRES_POLLING_OK && status != PGRES_POLLING_FAILED;
	return conn;
}

/*
 * The connect_timeout among the parameters, in milliseconds (0: none).
 * As in libpq, a value under 2 seconds counts as 2.
 */
static int
connect_timeout_ms(const char *const *keywords, const char *const *values)
{
	int			i;

	for (i = 0; keywords[i] != NULL; i++)
	{
		if (strcmp(keywords[i], "connect_timeout") == 0 && values[i] != NULL)
		{
			int			secs = atoi(values[i]);

			if (secs <= 0)
				return 0;
			return Max(secs, 2) * 1000;
		}
	}
	return 0;
}

static void
pg_disconnect(GrantRemote *remote)
{
	if (remote == NULL)
		return;
	while (remote->npending > 0)
	{
		PendingItem *item = &remote->pending[remote->head];

		free(item->sql);
		remote->head = (remote->head + 1) % remote->capacity;
		remote->npending--;
	}
	if (remote->error)
		PQclear(remote->error);
	free(remote->error_sql);
	if (remote->waits)
		FreeWaitEventSet(remote->waits);
	forget_statements(remote);
	if (remote->conn)
		PQfinish(remote->conn);
	free(remote->pending);
	free(remote->label);
	free(remote);
}

static bool
pg_is_broken(GrantRemote *remote)
{
	return remote->broken || PQstatus(remote->conn) != CONNECTION_OK;
}

/*
 * Called before a new remote transaction starts: read the answers still
 * owed by the previous transaction's COMMIT or ROLLBACK, then make sure
 * nothing arrived unasked.  A server that terminated our session sends an
 * error and closes the socket; seeing that now, before anything of the new
 * transaction ran, lets the caller reconnect safely.  Returns false when
 * the connection is unusable.
 */
static bool
pg_check_idle(GrantRemote *remote)
{
	struct pollfd pfd;

	if (pg_is_broken(remote))
		return false;
	if (remote->npending > 0 &&
		!drain_quietly(remote, TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
														   CLEANUP_INTERRUPTIBLE_MS)))
		return false;

	pfd.fd = PQsocket(remote->conn);
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (pfd.fd < 0)
		return false;
	if (poll(&pfd, 1, 0) > 0)
	{
		/* nothing is expected: anything readable means trouble or EOF */
		remote->broken = true;
		return false;
	}
	return true;
}

static void
push_pending(GrantRemote *remote, const char *sql, bool silent, bool is_query)
{
	PendingItem *item;

	if (remote->npending == remote->capacity)
	{
		int			newcap = remote->capacity * 2;
		PendingItem *grown = calloc(newcap, sizeof(PendingItem));
		int			i;

		if (grown == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		for (i = 0; i < remote->npending; i++)
			grown[i] = remote->pending[(remote->head + i) % remote->capacity];
		free(remote->pending);
		remote->pending = grown;
		remote->head = 0;
		remote->capacity = newcap;
	}
	item = &remote->pending[(remote->head + remote->npending) % remote->capacity];
	item->sql = sql ? strdup(sql) : NULL;
	item->silent = silent;
	item->is_query = is_query;
	item->prepares = 0;
	remote->npending++;
}

/* forget every cached statement (the remote dropped them all) */
static void
forget_statements(GrantRemote *remote)
{
	int			i;

	for (i = 0; i < STMT_CACHE_SIZE; i++)
	{
		free(remote->stmts[i].sql);
		remote->stmts[i].sql = NULL;
	}
}

/* queue DEALLOCATE of a cached statement; it exists, so this cannot fail */
static void
drop_statement(GrantRemote *remote, CachedStmt *stmt)
{
	char		sql[64];

	snprintf(sql, sizeof(sql), "DEALLOCATE grant_s%u", stmt->id);
	send_or_fail(remote, PQsendQueryParams(remote->conn, sql, 0, NULL, NULL,
										   NULL, NULL, 0));
	push_pending(remote, sql, true, false);
	stmt->ready = false;
}

/*
 * The cache slot of the prepared statement that runs sql, preparing it
 * (queued before the execution, so no extra round trip) when it is new or
 * must be prepared afresh.  -1 behind a pooler.
 */
static int
cached_statement(GrantRemote *remote, const char *sql)
{
	CachedStmt *stmt = NULL;
	int			slot = -1;
	int			i;
	char		name[32];

	if (remote->pooler)
		return -1;
	for (i = 0; i < STMT_CACHE_SIZE; i++)
	{
		CachedStmt *s = &remote->stmts[i];

		if (s->sql != NULL && strcmp(s->sql, sql) == 0)
		{
			slot = i;
			break;
		}
		/* else the free slot, or the least recently used one */
		if (slot < 0 || s->sql == NULL ||
			(remote->stmts[slot].sql != NULL && s->last_used < remote->stmts[slot].last_used))
			slot = i;
	}
	stmt = &remote->stmts[slot];
	if (stmt->sql != NULL && strcmp(stmt->sql, sql) == 0)
	{
		stmt->last_used = ++remote->stmt_clock;
		if (stmt->ready && !stmt->stale)
			return slot;
		if (stmt->ready)
			drop_statement(remote, stmt);
	}
	else
	{
		char	   *copy = strdup(sql);

		if (copy == NULL)
			return -1;
		if (stmt->sql != NULL && stmt->ready)
			drop_statement(remote, stmt);
		free(stmt->sql);
		stmt->sql = copy;
	}
	stmt->id = ++remote->stmt_ids;
	stmt->ready = false;
	stmt->stale = false;
	stmt->last_used = ++remote->stmt_clock;
	snprintf(name, sizeof(name), "grant_s%u", stmt->id);
	send_or_fail(remote, PQsendPrepare(remote->conn, name, sql, 0, NULL));
	push_pending(remote, sql, false, false);
	remote->pending[(remote->head + remote->npending - 1) % remote->capacity].prepares = slot + 1;
	return slot;
}

static void
send_or_fail(GrantRemote *remote, int ok)
{
	if (ok != 1)
		report_connection_lost(remote);
}

/* push everything queued to the server, waiting on the latch if needed */
static void
flush_or_fail(GrantRemote *remote)
{
	for (;;)
	{
		int			rc = PQflush(remote->conn);

		if (rc == 0)
			return;
		if (rc < 0)
			report_connection_lost(remote);
		(void) wait_socket(remote, WL_LATCH_SET | WL_SOCKET_WRITEABLE | WL_SOCKET_READABLE,
						   -1L);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (PQconsumeInput(remote->conn) != 1)
			report_connection_lost(remote);
	}
}

/*
 * Wait for the latch, the socket (readable; writeable too when events says
 * so) or the timeout, like WaitLatchOrSocket, on a wait set made once per
 * connection.  Returns the WL_* flags that fired.
 */
static int
wait_socket(GrantRemote *remote, int events, long timeout)
{
	WaitEvent	event;
	bool		want_write = (events & WL_SOCKET_WRITEABLE) != 0;
	int			rc = 0;

	if (remote->waits == NULL)
	{
		remote->waits = CreateWaitEventSet(TopMemoryContext, 3);
		AddWaitEventToSet(remote->waits, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
		AddWaitEventToSet(remote->waits, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
		remote->socket_event = AddWaitEventToSet(remote->waits, WL_SOCKET_READABLE,
												 PQsocket(remote->conn), NULL, NULL);
		remote->want_write = false;
	}
	if (want_write != remote->want_write)
	{
		ModifyWaitEvent(remote->waits, remote->socket_event,
						WL_SOCKET_READABLE | (want_write ? WL_SOCKET_WRITEABLE : 0), NULL);
		remote->want_write = want_write;
	}
	if (WaitEventSetWait(remote->waits, (events & WL_TIMEOUT) ? timeout : -1L,
						 &event, 1, PG_WAIT_EXTENSION) == 0)
		return WL_TIMEOUT;
	rc = event.events & (WL_LATCH_SET | WL_SOCKET_READABLE | WL_SOCKET_WRITEABLE);
	return rc;
}

/*
 * Wait for and return the next result (NULL at the end of the current
 * item's results).  Interruptible.  With a deadline, returns NULL and sets
 * *timed_out when it passes, or at once when a terminate or cancel is
 * pending (in abort paths, which hold interrupts, that is how they end
 * a wait).
 */
static PGresult *
get_result(GrantRemote *remote, TimestampTz deadline, bool *timed_out)
{
	PGconn	   *conn = remote->conn;

	while (PQisBusy(conn))
	{
		long		timeout = -1L;
		int			events = WL_LATCH_SET | WL_SOCKET_READABLE | WL_EXIT_ON_PM_DEATH;
		int			rc;

		if (deadline != 0)
		{
			TimestampTz now = GetCurrentTimestamp();

			/* a cleanup gives up at once when a terminate or cancel comes */
			if (now >= deadline || ProcDiePending || QueryCancelPending)
			{
				*timed_out = true;
				return NULL;
			}
			timeout = TimestampDifferenceMilliseconds(now, deadline);
			events |= WL_TIMEOUT;
		}
		if (PQflush(conn) > 0)
			events |= WL_SOCKET_WRITEABLE;
		rc = wait_socket(remote, events, timeout);
		if (rc & WL_LATCH_SET)
		{
			/* does nothing in abort paths, which hold interrupts */
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
		}
		if (rc & (WL_SOCKET_READABLE | WL_SOCKET_WRITEABLE))
		{
			if (PQconsumeInput(conn) != 1)
			{
				remote->broken = true;
				if (deadline != 0)
				{
					*timed_out = true;
					return NULL;
				}
				report_connection_lost(remote);
			}
		}
	}
	return PQgetResult(conn);
}

/*
 * Read all results of the oldest pending item, which is not a query being
 * streamed.  Errors are remembered and raised when the following sync
 * point is consumed, once the connection is back in step.
 */
static void
drain_one(GrantRemote *remote)
{
	PendingItem item = remote->pending[remote->head];
	PGresult   *res;
	bool		timed_out = false;

	remote->head = (remote->head + 1) % remote->capacity;
	remote->npending--;

	if (item.sql == NULL)
	{
		/* sync point */
		res = get_result(remote, 0, &timed_out);
		if (res == NULL || PQresultStatus(res) != PGRES_PIPELINE_SYNC)
		{
			if (res)
				PQclear(res);
			remote->broken = true;
			report_connection_lost(remote);
		}
		PQclear(res);
		raise_pending_error(remote);
		return;
	}

	while ((res = get_result(remote, 0, &timed_out)) != NULL)
	{
		ExecStatusType st = PQresultStatus(res);

		/* a statement of the cache is there once its PREPARE succeeded */
		if (item.prepares > 0 && st == PGRES_COMMAND_OK)
			remote->stmts[item.prepares - 1].ready = true;
		if (st == PGRES_FATAL_ERROR && !item.silent && remote->error == NULL)
		{
			remote->error = res;
			remote->error_sql = item.sql;
			item.sql = NULL;
			continue;
		}
		PQclear(res);
	}
	free(item.sql);
}

/* raise the error remembered by drain_one, now that we are at a sync */
static void
raise_pending_error(GrantRemote *remote)
{
	PGresult   *res = remote->error;
	char	   *sql;

	if (res == NULL)
		return;
	remote->error = NULL;
	sql = pstrdup(remote->error_sql ? remote->error_sql : "");
	free(remote->error_sql);
	remote->error_sql = NULL;
	PG_TRY();
	{
		report_remote_error(ERROR, res, remote->label, sql);
	}
	PG_FINALLY();
	{
		PQclear(res);
	}
	PG_END_TRY();
}

/* drain queued items until the query item is at the head */
static void
drain_to_query(GrantRemote *remote)
{
	while (remote->npending > 0 && !remote->pending[remote->head].is_query)
		drain_one(remote);
}

static void
pg_begin(GrantRemote *remote, int isolation, bool read_only)
{
	char		sql[96];

	snprintf(sql, sizeof(sql), "START TRANSACTION ISOLATION LEVEL %s%s",
			 grant_isolation_sql(isolation), read_only ? ", READ ONLY" : "");
	pg_command(remote, sql);
	/* behind a pooler the settings hold for this transaction only */
	if (remote->pooler)
		pg_command(remote, TRANSACTION_SETTINGS_SQL);
}

/* queue a command; its answer is read with the next query or sync */
static void
pg_command(GrantRemote *remote, const char *sql)
{
	send_or_fail(remote, PQsendQueryParams(remote->conn, sql, 0, NULL, NULL,
										   NULL, NULL, 0));
	push_pending(remote, sql, false, false);
}

/*
 * Queue a statement with parameters (a batch of an INSERT, say); the
 * statements queued after a failing one are skipped by the server up to
 * the next sync, where the error is raised.
 */
static void
pg_send(GrantRemote *remote, const char *sql, const char *stmt_name,
		int nparams, const char *const *values)
{
	if (stmt_name && !remote->pooler)
		send_or_fail(remote, PQsendQueryPrepared(remote->conn, stmt_name, nparams,
												 values, NULL, NULL, 0));
	else
		send_or_fail(remote, PQsendQueryParams(remote->conn, sql, nparams, NULL,
											   values, NULL, NULL, 0));
	push_pending(remote, sql, false, false);
	flush_or_fail(remote);
}

/* parameter types are left to the remote, as for an unnamed statement */
static void
pg_prepare(GrantRemote *remote, const char *stmt_name, const char *sql)
{
	if (remote->pooler)
		return;					/* sent unnamed: see pg_send */
	send_or_fail(remote, PQsendPrepare(remote->conn, stmt_name, sql, 0, NULL));
	push_pending(remote, sql, false, false);
	remote->nprepared++;
}

static void
pg_deallocate(GrantRemote *remote, const char *stmt_name)
{
	char	   *sql;

	if (remote->pooler)
		return;
	sql = psprintf("DEALLOCATE %s", quote_identifier(stmt_name));
	send_or_fail(remote, PQsendQueryParams(remote->conn, sql, 0, NULL, NULL,
										   NULL, NULL, 0));
	push_pending(remote, sql, true, false);
	pfree(sql);
	if (remote->nprepared > 0)
		remote->nprepared--;
}

static int
pg_npending(GrantRemote *remote)
{
	return remote->npending;
}

/* send a sync point and wait until every queued answer has been read */
static void
pg_sync(GrantRemote *remote)
{
	if (remote->active != NULL)
		buffer_active(remote);
	send_or_fail(remote, PQpipelineSync(remote->conn));
	push_pending(remote, NULL, false, false);
	flush_or_fail(remote);
	while (remote->npending > 0)
		drain_one(remote);
}

/*
 * COMMIT.  With wait = false (a transaction that wrote nothing) the answer
 * is read at the next use of the connection, so the local commit does not
 * wait for a round trip.
 */
/* queue COMMIT, and the removal of statements left prepared */
static void
queue_commit(GrantRemote *remote)
{
	pg_command(remote, "COMMIT TRANSACTION");
	/* statements of a subtransaction that failed were never removed */
	if (remote->nprepared > 0)
	{
		send_or_fail(remote, PQsendQueryParams(remote->conn, "DEALLOCATE ALL",
											   0, NULL, NULL, NULL, NULL, 0));
		push_pending(remote, "DEALLOCATE ALL", true, false);
		remote->nprepared = 0;
		forget_statements(remote);
	}
}

static void
pg_commit(GrantRemote *remote, bool wait)
{
	queue_commit(remote);
	if (wait)
		pg_sync(remote);
	else
	{
		send_or_fail(remote, PQpipelineSync(remote->conn));
		push_pending(remote, NULL, true, false);
		flush_or_fail(remote);
	}
}

/*
 * ROLLBACK (level 0) or ROLLBACK TO + RELEASE SAVEPOINT s<level>, queued
 * with a sync.  Runs in abort callbacks, so it never raises: a connection
 * that cannot take the command is marked broken.  The answer is read at
 * the next use; an error there is reported for a savepoint (the remote
 * transaction is unusable) and ignored for a whole rollback.
 */
static void
pg_rollback(GrantRemote *remote, int savepoint_level)
{
	char		sql[64];
	PGconn	   *conn = remote->conn;

	if (pg_is_broken(remote))
		return;
	if (savepoint_level == 0)
	{
		if (PQsendQueryParams(conn, "ROLLBACK TRANSACTION", 0, NULL, NULL,
							  NULL, NULL, 0) != 1)
			goto broken;
		push_pending(remote, "ROLLBACK TRANSACTION", true, false);
		/* statements an error left prepared: none is meant to outlive it */
		if (remote->nprepared > 0)
		{
			if (PQsendQueryParams(conn, "DEALLOCATE ALL", 0, NULL, NULL,
								  NULL, NULL, 0) != 1)
				goto broken;
			push_pending(remote, "DEALLOCATE ALL", true, false);
			remote->nprepared = 0;
			forget_statements(remote);
		}
	}
	else
	{
		snprintf(sql, sizeof(sql), "ROLLBACK TO SAVEPOINT s%d", savepoint_level);
		if (PQsendQueryParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0) != 1)
			goto broken;
		push_pending(remote, sql, false, false);
		snprintf(sql, sizeof(sql), "RELEASE SAVEPOINT s%d", savepoint_level);
		if (PQsendQueryParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0) != 1)
			goto broken;
		push_pending(remote, sql, false, false);
	}
	if (PQpipelineSync(conn) != 1)
		goto broken;
	push_pending(remote, NULL, savepoint_level == 0, false);
	if (PQflush(conn) < 0)
		goto broken;
	return;

broken:
	remote->broken = true;
}

/* PREPARE TRANSACTION: the remote transaction ends here, prepared */
static void
pg_prepare_xact(GrantRemote *remote, const char *gid)
{
	char	   *sql = psprintf("PREPARE TRANSACTION %s", quote_literal_cstr(gid));

	pg_command(remote, sql);
	pg_sync(remote);
	pfree(sql);
}

static void
pg_finish_prepared(GrantRemote *remote, const char *gid, bool commit)
{
	char	   *sql = psprintf("%s PREPARED %s", commit ? "COMMIT" : "ROLLBACK",
							   quote_literal_cstr(gid));

	pg_command(remote, sql);
	pg_sync(remote);
	pfree(sql);
}

/* prepared transactions are per database: only this one's are listed */
static List *
pg_list_prepared(GrantRemote *remote, const char *prefix)
{
	GrantRemoteQuery *query;
	List	   *gids = NIL;
	char	   *row[1];
	const char *params[1];

	params[0] = prefix;
	query = pg_query(remote,
					 "SELECT gid FROM pg_catalog.pg_prepared_xacts "
					 "WHERE database = pg_catalog.current_database() "
					 "AND pg_catalog.starts_with(gid, $1)",
					 NULL, 1, params, false);
	while (pg_next_row(query, row, NULL, 1))
		gids = lappend(gids, pstrdup(row[0]));
	pg_close(query);
	return gids;
}

/*
 * The query's execution failed: a cached statement it ran is prepared
 * afresh next time (if the remote table changed, every execution of the
 * old one would fail).
 */
static void
query_failed(GrantRemoteQuery *query)
{
	if (query->cached >= 0)
		query->remote->stmts[query->cached].stale = true;
}

/*
 * Send a query (with whatever commands are queued before it) and a sync
 * point, then read up to its first result.  Rows are streamed.
 */
static GrantRemoteQuery *
pg_query(GrantRemote *remote, const char *sql, const char *stmt_name,
		 int nparams, const char *const *values, bool binary)
{
	GrantRemoteQuery *query;

	if (remote->active != NULL)
		buffer_active(remote);

	query = palloc0(sizeof(GrantRemoteQuery));
	query->remote = remote;
	query->cxt = CurrentMemoryContext;
	query->sql = pstrdup(sql);
	query->binary = binary;
	pg_send_query(query, stmt_name, nparams, values);
	return query;
}

static void
pg_send_query(GrantRemoteQuery *query, const char *stmt_name, int nparams,
			  const char *const *values)
{
	GrantRemote *remote = query->remote;
	char		name[32];

	query->cached = -1;
	if (stmt_name == NULL && nparams > 0)
	{
		query->cached = cached_statement(remote, query->sql);
		if (query->cached >= 0)
		{
			snprintf(name, sizeof(name), "grant_s%u", remote->stmts[query->cached].id);
			stmt_name = name;
		}
	}
	if (stmt_name && !remote->pooler)
		send_or_fail(remote, PQsendQueryPrepared(remote->conn, stmt_name, nparams,
												 values, NULL, NULL,
												 query->binary ? 1 : 0));
	else
		send_or_fail(remote, PQsendQueryParams(remote->conn, query->sql, nparams,
											   NULL, values, NULL, NULL,
											   query->binary ? 1 : 0));
	push_pending(remote, query->sql, false, true);
	send_or_fail(remote, PQpipelineSync(remote->conn));
	push_pending(remote, NULL, false, false);
	flush_or_fail(remote);
	remote->active = query;
}

/*
 * Reach the query's own results: drain queued commands before it.  If one
 * of them failed, the query was skipped by the server; read up to the sync
 * and raise that error.
 */
static void
query_start(GrantRemoteQuery *query)
{
	GrantRemote *remote = query->remote;

	drain_to_query(remote);
	if (remote->error)
	{
		/* the query will report PIPELINE_ABORTED; consume it and the sync */
		remote->pending[remote->head].silent = true;
		remote->pending[remote->head].is_query = false;
		remote->active = NULL;
		query->done = true;
		while (remote->npending > 0)
			drain_one(remote);
		return;
	}
	if (PQsetSingleRowMode(remote->conn) != 1)
		elog(ERROR, "grant: could not switch to single-row mode on \"%s\"",
			 remote->label);
	query->started = true;
}

/* the query's results are over: pop it and read through its sync point */
static void
query_finish(GrantRemoteQuery *query)
{
	GrantRemote *remote = query->remote;
	PendingItem *item = &remote->pending[remote->head];

	free(item->sql);
	item->sql = NULL;
	remote->head = (remote->head + 1) % remote->capacity;
	remote->npending--;
	remote->active = NULL;
	query->done = true;
	/* consume through the sync that follows the query */
	while (remote->npending > 0)
	{
		bool		was_sync = remote->pending[remote->head].sql == NULL;

		drain_one(remote);
		if (was_sync)
			break;
	}
}

/* remember the remote column types the first time a result shows them */
static void
note_columns(GrantRemoteQuery *query, PGresult *res)
{
	int			i;

	query->nfields = PQnfields(res);
	if (query->types != NULL)
		return;
	query->types = MemoryContextAlloc(query->cxt,
									  sizeof(Oid) * Max(query->nfields, 1));
	for (i = 0; i < query->nfields; i++)
		query->types[i] = PQftype(res, i);
}

static bool
pg_next_row(GrantRemoteQuery *query, char **values, int *lengths, int ncols)
{
	GrantRemote *remote = query->remote;
	PGresult   *res;
	bool		timed_out = false;
	int			i;

	if (query->row)
	{
		PQclear(query->row);
		query->row = NULL;
	}
	if (query->buffered)
		return next_buffered_row(query, values, lengths, ncols);
	if (query->done)
		return false;
	if (!query->started)
	{
		query_start(query);
		if (query->done)
			return false;
	}

	for (;;)
	{
		res = get_result(remote, 0, &timed_out);
		if (res == NULL)
		{
			query_finish(query);
			return false;
		}
		switch (PQresultStatus(res))
		{
			case PGRES_SINGLE_TUPLE:
				query->row = res;
				if (query->types == NULL)
					note_columns(query, res);
				for (i = 0; i < ncols; i++)
				{
					if (i >= query->nfields || PQgetisnull(res, 0, i))
						values[i] = NULL;
					else
					{
						values[i] = PQgetvalue(res, 0, i);
						if (lengths)
							lengths[i] = PQgetlength(res, 0, i);
					}
				}
				return true;
			case PGRES_TUPLES_OK:
			case PGRES_COMMAND_OK:
				{
					char	   *tuples = PQcmdTuples(res);

					note_columns(query, res);
					if (tuples && *tuples)
						query->affected = strtou64(tuples, NULL, 10);
					PQclear(res);
					break;
				}
			default:
				/* remember the error; raise it once the sync is read */
				query_failed(query);
				if (remote->error == NULL)
				{
					remote->error = res;
					remote->error_sql = strdup(query->sql);
				}
				else
					PQclear(res);
				break;
		}
	}
}

/*
 * Read the rest of the active query's rows into its tuplestore, so the
 * connection is free for another statement.  Its reader then continues
 * from the store, unaware.
 */
static void
buffer_active(GrantRemote *remote)
{
	GrantRemoteQuery *query = remote->active;
	MemoryContext oldcxt;
	int			ncols = 0;

	oldcxt = MemoryContextSwitchTo(query->cxt);
	query->row_cxt = AllocSetContextCreate(query->cxt, "grant buffered row",
										   ALLOCSET_SMALL_SIZES);
	query->buffered = true;
	for (;;)
	{
		if (query->row)
		{
			PQclear(query->row);
			query->row = NULL;
		}
		if (query->done)
			break;
		if (!query->started)
		{
			query_start(query);
			if (query->done)
				break;
		}
		{
			PGresult   *res;
			bool		timed_out = false;
			int			i;

			res = get_result(remote, 0, &timed_out);
			if (res == NULL)
			{
				query_finish(query);
				break;
			}
			if (PQresultStatus(res) == PGRES_SINGLE_TUPLE)
			{
				Datum	   *datums;
				bool	   *nulls;

				note_columns(query, res);
				if (query->store == NULL)
				{
					TupleDesc	desc = CreateTemplateTupleDesc(Max(query->nfields, 1));

					for (i = 0; i < Max(query->nfields, 1); i++)
						TupleDescInitEntry(desc, (AttrNumber) (i + 1), NULL,
										   BYTEAOID, -1, 0);
					query->store = tuplestore_begin_heap(false, false, work_mem);
					query->store_slot = MakeSingleTupleTableSlot(desc,
																 &TTSOpsMinimalTuple);
					ncols = query->nfields;
				}
				MemoryContextReset(query->row_cxt);
				MemoryContextSwitchTo(query->row_cxt);
				datums = palloc0(sizeof(Datum) * Max(ncols, 1));
				nulls = palloc0(sizeof(bool) * Max(ncols, 1));
				for (i = 0; i < ncols; i++)
				{
					nulls[i] = PQgetisnull(res, 0, i);
					if (!nulls[i])
						datums[i] = PointerGetDatum(cstring_to_text_with_len(PQgetvalue(res, 0, i),
																			 PQgetlength(res, 0, i)));
				}
				if (ncols == 0)
					nulls[0] = true;
				MemoryContextSwitchTo(query->cxt);
				tuplestore_putvalues(query->store,
									 query->store_slot->tts_tupleDescriptor,
									 datums, nulls);
				PQclear(res);
			}
			else if (PQresultStatus(res) == PGRES_TUPLES_OK ||
					 PQresultStatus(res) == PGRES_COMMAND_OK)
			{
				char	   *tuples = PQcmdTuples(res);

				note_columns(query, res);
				if (tuples && *tuples)
					query->affected = strtou64(tuples, NULL, 10);
				PQclear(res);
			}
			else if (query_failed(query), remote->error == NULL)
			{
				remote->error = res;
				remote->error_sql = strdup(query->sql);
			}
			else
				PQclear(res);
		}
	}
	MemoryContextSwitchTo(oldcxt);
}

/* the next row of a query whose rows were read ahead */
static bool
next_buffered_row(GrantRemoteQuery *query, char **values, int *lengths,
				  int ncols)
{
	int			i;

	if (query->store == NULL)
		return false;
	if (!grant_rowbuffer_next(query->store, query->store_slot, query->row_cxt))
	{
		tuplestore_end(query->store);
		query->store = NULL;
		ExecDropSingleTupleTableSlot(query->store_slot);
		query->store_slot = NULL;
		return false;
	}
	slot_getallattrs(query->store_slot);
	for (i = 0; i < ncols; i++)
	{
		if (i >= query->nfields || query->store_slot->tts_isnull[i])
			values[i] = NULL;
		else
		{
			bytea	   *v = DatumGetByteaPP(query->store_slot->tts_values[i]);
			int			len = VARSIZE_ANY_EXHDR(v);
			char	   *copy = MemoryContextAlloc(query->row_cxt, len + 1);

			/* a terminating zero byte, as libpq gives */
			memcpy(copy, VARDATA_ANY(v), len);
			copy[len] = '\0';
			values[i] = copy;
			if (lengths)
				lengths[i] = len;
		}
	}
	return true;
}

static int
pg_nfields(GrantRemoteQuery *query)
{
	return query->nfields;
}

static Oid
pg_column_type(GrantRemoteQuery *query, int col)
{
	if (query->types == NULL || col >= query->nfields)
		return InvalidOid;
	return query->types[col];
}

static uint64
pg_rows_affected(GrantRemoteQuery *query)
{
	return query->affected;
}

/*
 * Finish a query early (LIMIT reached, rescan, end of scan): read and drop
 * its remaining rows.  For a large remainder a cancel would be cheaper;
 * results are usually consumed in full or cut by a pushed-down LIMIT.
 */
static void
pg_close(GrantRemoteQuery *query)
{
	char	   *dummy[1];

	if (query == NULL)
		return;
	if (query->buffered || query->done)
	{
		if (query->row)
		{
			PQclear(query->row);
			query->row = NULL;
		}
		if (query->store)
		{
			tuplestore_end(query->store);
			query->store = NULL;
			ExecDropSingleTupleTableSlot(query->store_slot);
			query->store_slot = NULL;
		}
		return;
	}
	while (pg_next_row(query, dummy, NULL, 0))
		;
}

/*
 * After a local error: bring the connection back to idle.  Cancel what runs,
 * read everything owed (within a time limit), drop the active query.
 * Returns false when the connection should be dropped.
 */
static bool
pg_abort_cleanup(GrantRemote *remote)
{
	TimestampTz deadline;
	bool		was_running = remote->active != NULL;

	if (pg_is_broken(remote))
		return false;

	remote->active = NULL;
	if (remote->error)
	{
		PQclear(remote->error);
		remote->error = NULL;
		free(remote->error_sql);
		remote->error_sql = NULL;
	}
	if (remote->npending == 0)
		return true;

	/*
	 * A query still streaming may run long: cancel it, then drain.  A
	 * remote that does not take the cancel in time does not answer at all:
	 * waiting for what it owes would only hang, so the connection goes.
	 */
	if (was_running &&
		(PQstatus(remote->conn) != CONNECTION_OK ||
		 !cancel_within(remote->conn, CANCEL_TIMEOUT_MS)))
	{
		remote->broken = true;
		return false;
	}
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
										   INTERRUPTS_CAN_BE_PROCESSED() ?
										   CLEANUP_INTERRUPTIBLE_MS : CLEANUP_TIMEOUT_MS);
	if (PQpipelineStatus(remote->conn) != PQ_PIPELINE_OFF)
	{
		/* the pending list ends with a sync; an unsynced tail gets one */
		if (remote->pending[(remote->head + remote->npending - 1) % remote->capacity].sql != NULL)
		{
			if (PQpipelineSync(remote->conn) != 1)
				return false;
			push_pending(remote, NULL, true, false);
		}
	}
	if (PQflush(remote->conn) < 0 || !drain_quietly(remote, deadline))
	{
		remote->broken = true;
		return false;
	}
	return true;
}

/*
 * Read and drop every answer still owed, errors included, until the
 * deadline.  Raises nothing of the remote's; an interrupt raises where
 * interrupts can be processed (never in abort paths, which hold them).
 * false when the connection did not get back in step and must be dropped.
 */
static bool
drain_quietly(GrantRemote *remote, TimestampTz deadline)
{
	bool		timed_out = false;

	remote->active = NULL;
	while (remote->npending > 0)
	{
		PendingItem *item = &remote->pending[remote->head];
		PGresult   *res;

		if (item->sql == NULL)
		{
			res = get_result(remote, deadline, &timed_out);
			if (timed_out || res == NULL)
				return false;
			if (PQresultStatus(res) != PGRES_PIPELINE_SYNC)
			{
				/* still results of the previous item: drop and retry */
				PQclear(res);
				continue;
			}
			PQclear(res);
		}
		else
		{
			while ((res = get_result(remote, deadline, &timed_out)) != NULL)
				PQclear(res);
			if (timed_out)
				return false;
		}
		free(item->sql);
		item->sql = NULL;
		remote->head = (remote->head + 1) % remote->capacity;
		remote->npending--;
	}
	if (remote->error)
	{
		PQclear(remote->error);
		remote->error = NULL;
		free(remote->error_sql);
		remote->error_sql = NULL;
	}
	return !pg_is_broken(remote);
}

/* ask the remote to cancel its current query; errors are ignored */
static void
pg_cancel(GrantRemote *remote)
{
	if (remote->conn != NULL && PQstatus(remote->conn) == CONNECTION_OK)
		(void) cancel_within(remote->conn, CANCEL_TIMEOUT_MS);
}

/*
 * A cancel request runs in a thread of its own, because PQcancel (the only
 * cancel libpq 15 has) blocks until the remote closes the cancel
 * connection, and a frozen server never does.  The backend waits for it at
 * most timeout_ms, then leaves it: the thread frees the request whenever
 * PQcancel returns (the server thawed, or its host reset the connection).
 * The thread touches nothing but the request; every signal is blocked in
 * it, so that the backend's handlers keep running in the backend's thread.
 */
typedef struct CancelRequest
{
	PGcancel   *cancel;
	pg_atomic_uint32 state;		/* CANCEL_RUNNING, _DONE or _LEFT */
	bool		ok;
} CancelRequest;

#define CANCEL_RUNNING	0
#define CANCEL_DONE		1
#define CANCEL_LEFT		2

/* cancel threads left waiting on servers that did not answer */
static pg_atomic_uint32 cancels_left;
static bool cancels_left_init = false;

static void *
cancel_thread_main(void *arg)
{
	CancelRequest *req = (CancelRequest *) arg;
	char		errbuf[256];
	uint32		expected = CANCEL_RUNNING;

	req->ok = PQcancel(req->cancel, errbuf, sizeof(errbuf)) == 1;
	if (!pg_atomic_compare_exchange_u32(&req->state, &expected, CANCEL_DONE))
	{
		/* the backend gave up on it: the request is the thread's to free */
		PQfreeCancel(req->cancel);
		free(req);
		pg_atomic_fetch_sub_u32(&cancels_left, 1);
	}
	return NULL;
}

/*
 * Send a cancel request for conn's current query and wait for the remote
 * to take it, at most timeout_ms.  Never raises, never waits longer: true
 * when the remote confirmed it (by closing the cancel connection).
 */
static bool
cancel_within(PGconn *conn, int timeout_ms)
{
	CancelRequest *req;
	pthread_t	thread;
	sigset_t	all;
	sigset_t	saved;
	TimestampTz deadline;
	uint32		expected = CANCEL_RUNNING;
	bool		ok;
	int			rc;

	if (!cancels_left_init)
	{
		pg_atomic_init_u32(&cancels_left, 0);
		cancels_left_init = true;
	}
	/* a server that left this many cancels unanswered will not take one */
	if (pg_atomic_read_u32(&cancels_left) >= MAX_CANCELS_LEFT)
		return false;
	req = calloc(1, sizeof(CancelRequest));
	if (req == NULL)
		return false;
	req->cancel = PQgetCancel(conn);
	if (req->cancel == NULL)
	{
		free(req);
		return false;
	}
	pg_atomic_init_u32(&req->state, CANCEL_RUNNING);

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	rc = pthread_create(&thread, NULL, cancel_thread_main, req);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (rc != 0)
	{
		PQfreeCancel(req->cancel);
		free(req);
		return false;
	}

	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);
	while (pg_atomic_read_u32(&req->state) == CANCEL_RUNNING &&
		   GetCurrentTimestamp() < deadline && !ProcDiePending)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 CANCEL_POLL_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
	/* counted before the thread could see it left and uncount it */
	pg_atomic_fetch_add_u32(&cancels_left, 1);
	if (pg_atomic_compare_exchange_u32(&req->state, &expected, CANCEL_LEFT))
	{
		pthread_detach(thread);
		return false;
	}
	pg_atomic_fetch_sub_u32(&cancels_left, 1);
	pthread_join(thread, NULL);
	ok = req->ok;
	PQfreeCancel(req->cancel);
	free(req);
	return ok;
}

/*
 * The first column of the only row of a query, palloc'd, or NULL.  Runs
 * with whatever is queued before it, in one round trip.
 */
static char *
single_value(GrantRemote *remote, const char *sql, int nparams,
			 const char *const *values)
{
	GrantRemoteQuery *query;
	char	   *row[1];
	char	   *result = NULL;

	query = pg_query(remote, sql, NULL, nparams, values, false);
	while (pg_next_row(query, row, NULL, 1))
	{
		if (result == NULL && row[0] != NULL)
			result = pstrdup(row[0]);
	}
	return result;
}

/*
 * COMMIT and, in the same round trip, the writer's WAL insert position:
 * at least the end of the commit record, so a replica that has replayed
 * it shows the commit.  NULL when the "writer" is itself in recovery.
 */
static char *
pg_commit_position(GrantRemote *remote)
{
	queue_commit(remote);
	return single_value(remote,
						"SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN NULL "
						"ELSE pg_catalog.pg_current_wal_insert_lsn()::text END",
						0, NULL);
}

/*
 * Has this replica replayed position?  Polled every millisecond up to
 * wait_ms.  A server that is not replaying (not a replica) cannot show it.
 */
static bool
pg_caught_up(GrantRemote *remote, const char *position, int wait_ms)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													   Max(wait_ms, 0));
	const char *params[1];

	params[0] = position;
	for (;;)
	{
		char	   *answer = single_value(remote,
										  "SELECT pg_catalog.pg_last_wal_replay_lsn() >= $1::pg_catalog.pg_lsn",
										  1, params);

		if (answer != NULL && answer[0] == 't')
			return true;
		if (answer == NULL || GetCurrentTimestamp() >= deadline)
			return false;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 1L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * How far this replica is behind: 0 when it has replayed everything it
 * received, else the age of the last transaction it replayed (an upper
 * bound of its lag); -1 when it is not a replica.
 */
static int64
pg_lag_ms(GrantRemote *remote)
{
	char	   *answer = single_value(remote,
									  "SELECT CASE WHEN NOT pg_catalog.pg_is_in_recovery() THEN NULL "
									  "WHEN pg_catalog.pg_last_wal_receive_lsn() IS NOT DISTINCT FROM "
									  "pg_catalog.pg_last_wal_replay_lsn() THEN 0 "
									  "ELSE coalesce((extract(epoch FROM pg_catalog.clock_timestamp() - "
									  "pg_catalog.pg_last_xact_replay_timestamp()) * 1000)::bigint, "
									  "4611686018427387904) END",
									  0, NULL);

	if (answer == NULL)
		return -1;
	return strtoi64(answer, NULL, 10);
}

static void
pg_quote_identifier(StringInfo buf, const char *ident)
{
	appendStringInfoString(buf, quote_identifier(ident));
}

/* the deparser's literal rule: valid whatever standard_conforming_strings */
static void
pg_quote_literal(StringInfo buf, const char *value)
{
	grant_pg_append_literal(buf, value);
}

/*
 * The SQLSTATE of a failed connection attempt, which connection.c reads to
 * tell one identity's failure from the endpoint's.  A remote that asked for
 * a password was reached and is refusing these credentials (or what comes
 * after them: the database, the role's connection limit): 28000, about
 * this user alone.  Otherwise it could not be reached: 08001.
 */
static int
pg_connect_failure_errcode(const PGconn *conn)
{
	if (conn != NULL &&
		(PQconnectionNeedsPassword(conn) || PQconnectionUsedPassword(conn)))
		return ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
	return ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION;
}

/*
 * Raise a remote error with its own SQLSTATE; the remote's message is the
 * primary message (as postgres_fdw does), its detail and hint are kept and
 * the remote SQL goes to the context.
 */
static void
report_remote_error(int elevel, PGresult *res, const char *label,
					const char *sql)
{
	const char *diag_sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *message_primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *message_detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *message_hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	const char *message_context = PQresultErrorField(res, PG_DIAG_CONTEXT);
	int			sqlstate;

	if (diag_sqlstate && strlen(diag_sqlstate) == 5)
		sqlstate = MAKE_SQLSTATE(diag_sqlstate[0], diag_sqlstate[1],
								 diag_sqlstate[2], diag_sqlstate[3],
								 diag_sqlstate[4]);
	else
		sqlstate = ERRCODE_CONNECTION_FAILURE;

	ereport(elevel,
			(errcode(sqlstate),
			 message_primary ? errmsg_internal("%s", message_primary) :
			 errmsg("could not obtain message string for remote error"),
			 message_detail ? errdetail_internal("%s", message_detail) : 0,
			 message_hint ? errhint("%s", message_hint) : 0,
			 message_context ? errcontext("%s", message_context) : 0,
			 sql && *sql ? errcontext("remote SQL command on \"%s\": %s", label, sql) : 0));
}

static void
report_connection_lost(GrantRemote *remote)
{
	char	   *msg = pchomp(PQerrorMessage(remote->conn));

	remote->broken = true;
	ereport(ERROR,
			(errcode(ERRCODE_CONNECTION_FAILURE),
			 errmsg("lost connection to grant endpoint \"%s\"", remote->label),
			 *msg ? errdetail_internal("%s", msg) : 0));
}
