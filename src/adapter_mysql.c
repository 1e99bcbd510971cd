/*-------------------------------------------------------------------------
 *
 * adapter_mysql.c
 *		  The MySQL/MariaDB adapter, over MariaDB Connector/C: connections,
 *		  remote transactions, streamed rows and remote errors.
 *
 * Session invariants, set once at connect and relied on by deparse_mysql.c
 * (the two must agree):
 *	- character set utf8mb4 both ways; values are converted from and to the
 *	  local database encoding here;
 *	- time_zone '+00:00', so TIMESTAMP values travel as UTC;
 *	- sql_mode fixed to GRANT_MYSQL_SQL_MODE: strict (a value that does not
 *	  fit is an error, never silently truncated), no zero dates, division by
 *	  zero an error, no backslash escapes, and NO_AUTO_VALUE_ON_ZERO (a 0
 *	  inserted is a 0, as in PostgreSQL).  The SQL grant prints does not
 *	  depend on the mode anyway: identifiers in backticks, strings as hex
 *	  literals;
 *	- CLIENT_FOUND_ROWS: an UPDATE counts the rows it matched, as in
 *	  PostgreSQL, not only those it changed;
 *	- no automatic reconnect (it would silently lose a transaction) and no
 *	  LOAD DATA LOCAL INFILE.
 *
 * MySQL has no pipeline.  Commands whose answer is not needed at once
 * (START TRANSACTION, SAVEPOINT, RELEASE) are queued as text and travel in
 * one multi-statement round trip with the next query; a read-only COMMIT
 * is sent without waiting and its answer read at the next use.  At most
 * one batch of statements is in flight; its answers are read in order
 * ("owed" items).  A statement that fails ends its batch (the server skips
 * the rest) and its error is raised with that statement as context.
 *
 * Parameters are interpolated, never concatenated raw: $n in the SQL (only
 * outside quotes) becomes a hex string literal with the utf8mb4
 * introducer, which means the same bytes under every sql_mode.  The
 * deparser wraps a parameter in CAST(... AS SIGNED) and the like where a
 * number is meant.
 *
 * Rows stream with mysql_use_result, so memory stays bounded; when another
 * statement needs the connection while one streams, the rest of its rows
 * is read into a tuplestore (spilling to disk beyond work_mem) and served
 * from there.  Every wait, connecting included, uses the non-blocking API
 * and WaitLatchOrSocket, so query cancel, statement_timeout and terminate
 * interrupt it.  abort_cleanup, where interrupts are held, then sends KILL
 * QUERY on a second, short-lived connection (same user, same transport
 * rules) and completes the interrupted call; every wait there is bounded
 * (CANCEL_TIMEOUT_MS, CANCEL_DRAIN_MS) and ends at once when the backend
 * is terminating.  A server that does not answer the cancel in time is
 * taken for hung and the connection is dropped: well under a second.
 *
 * The connection is opened with CLIENT_MULTI_STATEMENTS for grant's own
 * batches.  Text a user wrote (query_single: execute(), query()) is sent
 * alone with the server's multi-statement option turned off, so that the
 * server itself refuses a second statement in it; the option is turned
 * back on only when a batch of several statements is sent next.
 *
 * This is the only file that includes mysql.h.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <poll.h>
#include <unistd.h>

/*
 * mysql.h declares list helpers (list_length, list_delete, list_free...)
 * that clash with PostgreSQL's pg_list.h.  The library exports none of
 * them and grant never calls them: rename the declarations away.
 */
#define list_add mariadb_list_add
#define list_delete mariadb_list_delete
#define list_cons mariadb_list_cons
#define list_reverse mariadb_list_reverse
#define list_free mariadb_list_free
#define list_length mariadb_list_length
#define list_walk mariadb_list_walk
#include <mysql.h>
#include <errmsg.h>
#undef list_add
#undef list_delete
#undef list_cons
#undef list_reverse
#undef list_free
#undef list_length
#undef list_walk

#include "access/tupdesc.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/tuptable.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "grant.h"

#define GRANT_MYSQL_SQL_MODE \
	"STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO," \
	"NO_BACKSLASH_ESCAPES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION"

/*
 * ER_XA_RBROLLBACK: the branch was rolled back.  MariaDB answers so to XA
 * COMMIT or XA ROLLBACK of a prepared branch that changed nothing (it has
 * nothing to keep), and to XA ROLLBACK of one already rolled back.
 */
#define MY_ER_XA_RBROLLBACK		1402

/* ER_PARSE_ERROR: what the server answers to a second statement */
#define MY_ER_PARSE_ERROR		1064

/*
 * Time allowed to read what a connection still owes before a new
 * transaction (the wait is interruptible).
 */
#define CLEANUP_TIMEOUT_MS		30000
/* the cancel connection, connect and KILL QUERY together */
#define CANCEL_TIMEOUT_MS		400
/*
 * After a KILL QUERY the server answered: the killed statement's answer;
 * also the XA END and XA ROLLBACK of an abort callback.  A server slower
 * than that loses the connection, which rolls its work back as well.
 */
#define CANCEL_DRAIN_MS			500
#define CANCEL_CONNECT_TIMEOUT	1
#define DEFAULT_CONNECT_TIMEOUT 10

/* what a saved connection needs to open the cancel connection */
typedef struct MyConnParams
{
	char	   *host;
	char	   *user;
	char	   *password;
	char	   *dbname;
	char	   *socket;
	int			port;
	unsigned int connect_timeout;
	bool		password_required;	/* TCP and password methods only */
	int			nopts;
	char	  **optnames;		/* TLS and timeout parameters, malloc'd */
	char	  **optvalues;
} MyConnParams;

/* a statement sent or queued, whose answer is owed */
typedef struct MyItem
{
	char	   *sql;			/* malloc'd; for errors */
	bool		silent;			/* errors ignored (cleanup commands) */
	bool		is_query;		/* rows are read by a GrantRemoteQuery */
} MyItem;

/* a non-blocking library call in progress (see nb_run) */
typedef enum NbOp
{
	NB_NONE = 0,
	NB_SEND,
	NB_READ_FIRST,
	NB_NEXT_RESULT,
	NB_FETCH_ROW,
	NB_FREE_RESULT,
	NB_STORE_RESULT,
	NB_SET_OPTION
} NbOp;

typedef struct NbCall
{
	NbOp		op;
	int			status;			/* what the library waits for */
	const char *sql;			/* NB_SEND */
	unsigned long len;
	MYSQL_RES  *res;			/* NB_FETCH_ROW, NB_FREE_RESULT */
	int			iret;
	my_bool		bret;
	MYSQL_ROW	row;
	MYSQL_RES  *rret;
	enum enum_mysql_set_option option;	/* NB_SET_OPTION */
} NbCall;

/* a named statement: MySQL gets its text each time */
typedef struct MyNamed
{
	char	   *name;
	char	   *sql;
} MyNamed;

struct GrantRemote
{
	MYSQL	   *conn;
	char	   *label;			/* malloc'd, never a password */
	MyConnParams params;
	unsigned long thread_id;
	bool		connecting;		/* mysql_real_connect not completed */
	bool		broken;
	bool		multi_off;		/* the server refuses multi-statement text */
	bool		xact_sent;		/* the open remote transaction reached the
								 * server */
	char		xa_gid[GRANT_GID_SIZE];	/* the open remote transaction is
										 * this XA transaction (XA START
										 * queued or sent); "" otherwise */

	MyItem	   *queue;			/* commands not sent yet */
	int			nqueue;
	int			qcap;

	MyItem	   *owed;			/* the batch in flight: answers to read */
	int			nowed;
	int			owed_pos;		/* next item to read */
	int			ocap;

	NbCall		call;			/* library call in progress, if any */
	char	   *sendbuf;		/* malloc'd text of the batch being sent */

	GrantRemoteQuery *active;	/* query whose rows are being read */
	MYSQL_RES  *active_res;		/* its streaming result */

	MyNamed    *named;
	int			nnamed;
};

struct GrantRemoteQuery
{
	GrantRemote *remote;
	MemoryContext cxt;			/* where this handle lives */
	char	   *sql;			/* as the deparser wrote it, for errors */
	int			nfields;
	uint64		affected;
	uint64		nrows;			/* rows read so far */
	bool		done;
	MemoryContext row_cxt;		/* converted values of the current row */

	/* rows read ahead because the connection was needed (see header) */
	bool		buffered;
	Tuplestorestate *store;
	TupleTableSlot *store_slot;
};

static void my_parse_url(const char *url, GrantEndpoint *ep);
static GrantRemote *my_connect(const GrantEndpoint *ep, const char *user,
							   const char *password, bool password_required,
							   const char *application_name);
static void my_disconnect(GrantRemote *remote);
static bool my_is_broken(GrantRemote *remote);
static bool my_check_idle(GrantRemote *remote);
static void my_begin(GrantRemote *remote, int isolation, bool read_only);
static void queue_isolation(GrantRemote *remote, int isolation);
static void my_command(GrantRemote *remote, const char *sql);
static void my_send(GrantRemote *remote, const char *sql,
					const char *stmt_name, int nparams,
					const char *const *values);
static void my_prepare(GrantRemote *remote, const char *stmt_name,
					   const char *sql);
static void my_deallocate(GrantRemote *remote, const char *stmt_name);
static int	my_npending(GrantRemote *remote);
static void my_sync(GrantRemote *remote);
static void my_commit(GrantRemote *remote, bool wait);
static void my_rollback(GrantRemote *remote, int savepoint_level);
static void my_begin_preparable(GrantRemote *remote, int isolation,
								const char *gid);
static void my_prepare_xact(GrantRemote *remote, const char *gid);
static void my_finish_prepared(GrantRemote *remote, const char *gid,
							   bool commit);
static List *my_list_prepared(GrantRemote *remote, const char *prefix);
static char *xa_sql(const char *verb, const char *gid, const char *suffix);
static void xa_statement(GrantRemote *remote, const char *sql,
						 bool rolled_back_ok);
static int	run_quietly(GrantRemote *remote, const char *sql);
static char *xa_data_gid(const char *data);
static GrantRemoteQuery *my_query(GrantRemote *remote, const char *sql,
								  const char *stmt_name, int nparams,
								  const char *const *values, bool binary);
static GrantRemoteQuery *my_query_single(GrantRemote *remote, const char *sql);
static bool my_next_row(GrantRemoteQuery *query, char **values, int *lengths,
						int ncols);
static int	my_nfields(GrantRemoteQuery *query);
static Oid	my_column_type(GrantRemoteQuery *query, int col);
static uint64 my_rows_affected(GrantRemoteQuery *query);
static void my_close(GrantRemoteQuery *query);
static bool my_abort_cleanup(GrantRemote *remote);
static void my_cancel(GrantRemote *remote);
static bool send_kill(GrantRemote *remote);
static void my_quote_identifier(StringInfo buf, const char *ident);
static void my_quote_literal(StringInfo buf, const char *value);
static char *my_commit_position(GrantRemote *remote);
static bool my_caught_up(GrantRemote *remote, const char *position, int wait_ms);
static char *my_single_value(GrantRemote *remote, const char *sql);
static int64 my_lag_ms(GrantRemote *remote);
static int	my_connect_failure_errcode(unsigned int errnum);

/* connections */
static void params_save(MyConnParams *p, const GrantEndpoint *ep,
						const char *user, const char *password,
						bool password_required);
static void params_free(MyConnParams *p);
static char *params_apply(MYSQL *conn, const MyConnParams *p);
static bool password_rules(MYSQL *conn, const MyConnParams *p);
static char *xstrdup(const char *s);
static void connect_handle(GrantRemote *remote);
static void close_handle(MYSQL *conn, bool abandoned, bool connecting);
static void session_setup(GrantRemote *remote);
static void set_multi(GrantRemote *remote, bool on);

/* non-blocking calls */
static int	nb_step(GrantRemote *remote, int ready);
static bool nb_run(GrantRemote *remote, NbOp op, TimestampTz deadline,
				   bool interruptible);
static bool nb_finish(GrantRemote *remote, TimestampTz deadline,
					  bool interruptible);
static int	wait_socket(MYSQL *conn, int status, TimestampTz deadline,
						bool interruptible);
static bool terminating(void);

/* batches */
static void item_push(MyItem **items, int *n, int *cap, const char *sql,
					  bool silent, bool is_query);
static void items_clear(MyItem *items, int *n);
static void send_batch(GrantRemote *remote, const char *sql, bool silent,
					   bool is_query);
static bool read_header(GrantRemote *remote, TimestampTz deadline,
						bool interruptible, bool *failed);
static bool header_result(GrantRemote *remote, bool first, bool *failed);
static void drain_owed(GrantRemote *remote, bool until_query);
static bool drain_quietly(GrantRemote *remote, TimestampTz deadline,
						  bool interruptible);
static bool finish_interrupted(GrantRemote *remote, TimestampTz deadline,
							   bool interruptible);
static bool skip_result(GrantRemote *remote, TimestampTz deadline,
						bool interruptible);
static void raise_remote_error(GrantRemote *remote, const char *sql)
			pg_attribute_noreturn();
static void report_connection_lost(GrantRemote *remote) pg_attribute_noreturn();
static int	map_sqlstate(unsigned int errnum, const char *sqlstate);
static char *interpolate(const char *sql, int nparams,
						 const char *const *values);
static const char *named_sql(GrantRemote *remote, const char *stmt_name,
							 const char *sql);

/* rows */
static void query_finish(GrantRemoteQuery *query);
static void buffer_active(GrantRemote *remote);
static bool next_buffered_row(GrantRemoteQuery *query, char **values,
							  int *lengths, int ncols);
static char *to_server(const char *s, int len, int *outlen);

/* the session settings of the header (also restored after caller SQL) */
#define SESSION_SETTINGS_SQL \
	"SET SESSION time_zone = '+00:00', SESSION sql_mode = '" GRANT_MYSQL_SQL_MODE "'"

const GrantAdapter grant_mysql_adapter = {
	.name = "mysql",
	.kind = GRANT_ADAPTER_MYSQL,
	.parse_url = my_parse_url,
	.connect = my_connect,
	.disconnect = my_disconnect,
	.is_broken = my_is_broken,
	.check_idle = my_check_idle,
	.begin = my_begin,
	.command = my_command,
	.restore_settings_sql = SESSION_SETTINGS_SQL,
	.send = my_send,
	.prepare = my_prepare,
	.deallocate = my_deallocate,
	.npending = my_npending,
	.sync = my_sync,
	.commit = my_commit,
	.rollback = my_rollback,
	.begin_preparable = my_begin_preparable,
	.prepare_xact = my_prepare_xact,
	.finish_prepared = my_finish_prepared,
	.list_prepared = my_list_prepared,
	.query = my_query,
	.query_single = my_query_single,
	.next_row = my_next_row,
	.nfields = my_nfields,
	.column_type = my_column_type,
	.rows_affected = my_rows_affected,
	.close = my_close,
	.abort_cleanup = my_abort_cleanup,
	.cancel = my_cancel,
	.quote_identifier = my_quote_identifier,
	.quote_literal = my_quote_literal,
	.commit_position = my_commit_position,
	.caught_up = my_caught_up,
	.lag_ms = my_lag_ms,
};

static void
my_parse_url(const char *url, GrantEndpoint *ep)
{
	grant_mysql_parse_url(url, ep);
}


/* ----------------------------------------------------------------
 * Connections
 * ----------------------------------------------------------------
 */

static char *
xstrdup(const char *s)
{
	char	   *copy;

	if (s == NULL)
		return NULL;
	copy = strdup(s);
	if (copy == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	return copy;
}

/* keep what connecting needs, malloc'd, for this and the cancel connection */
static void
params_save(MyConnParams *p, const GrantEndpoint *ep, const char *user,
			const char *password, bool password_required)
{
	ListCell   *lc;
	int			n = 0;

	p->host = xstrdup(ep->host ? ep->host : "127.0.0.1");
	p->user = xstrdup(user ? user : ep->user);
	p->password = xstrdup(password ? password : ep->password);
	p->dbname = xstrdup(ep->dbname);
	p->port = ep->port > 0 ? ep->port : 3306;
	p->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
	p->password_required = password_required;
	p->optnames = calloc(Max(list_length(ep->options), 1), sizeof(char *));
	p->optvalues = calloc(Max(list_length(ep->options), 1), sizeof(char *));
	if (p->optnames == NULL || p->optvalues == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	foreach(lc, ep->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);
		const char *value = defGetString(def);

		if (strcmp(def->defname, "socket") == 0)
			p->socket = xstrdup(value);
		else if (strcmp(def->defname, "connect_timeout") == 0)
			p->connect_timeout = (unsigned int) strtoul(value, NULL, 10);
		else
		{
			p->optnames[n] = xstrdup(def->defname);
			p->optvalues[n] = xstrdup(value);
			n++;
		}
	}
	p->nopts = n;
}

static void
params_free(MyConnParams *p)
{
	int			i;

	for (i = 0; i < p->nopts; i++)
	{
		free(p->optnames[i]);
		free(p->optvalues[i]);
	}
	free(p->optnames);
	free(p->optvalues);
	if (p->password)
		explicit_bzero(p->password, strlen(p->password));
	free(p->password);
	free(p->host);
	free(p->user);
	free(p->dbname);
	free(p->socket);
	memset(p, 0, sizeof(*p));
}

/*
 * Set the connection options of 'p' on a fresh handle.  Returns NULL, or
 * a palloc'd message for a parameter grant cannot honour.
 */
static char *
params_apply(MYSQL *conn, const MyConnParams *p)
{
	my_bool		off = 0;
	my_bool		on = 1;
	unsigned int zero = 0;
	int			i;

	mysql_options(conn, MYSQL_OPT_NONBLOCK, 0);
	mysql_options(conn, MYSQL_OPT_CONNECT_TIMEOUT, &p->connect_timeout);
	mysql_options(conn, MYSQL_OPT_RECONNECT, &off);
	mysql_options(conn, MYSQL_OPT_LOCAL_INFILE, &zero);
	mysql_options(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	for (i = 0; i < p->nopts; i++)
	{
		const char *name = p->optnames[i];
		const char *value = p->optvalues[i];

		if (strcmp(name, "charset") == 0)
		{
			/* rows are decoded as UTF-8: nothing else can be honoured */
			if (pg_strcasecmp(value, "utf8mb4") != 0 &&
				pg_strcasecmp(value, "utf8") != 0 &&
				pg_strcasecmp(value, "utf8mb3") != 0)
				return psprintf("charset \"%s\" is not supported; grant talks utf8mb4", value);
		}
		else if (strcmp(name, "compress") == 0)
		{
			if (strcmp(value, "true") == 0)
				mysql_options(conn, MYSQL_OPT_COMPRESS, NULL);
		}
		else if (strcmp(name, "read_timeout") == 0 ||
				 strcmp(name, "write_timeout") == 0)
		{
			unsigned int secs = (unsigned int) strtoul(value, NULL, 10);

			mysql_options(conn, strcmp(name, "read_timeout") == 0 ?
						  MYSQL_OPT_READ_TIMEOUT : MYSQL_OPT_WRITE_TIMEOUT,
						  &secs);
		}
		else if (strcmp(name, "ssl-ca") == 0)
			mysql_options(conn, MYSQL_OPT_SSL_CA, value);
		else if (strcmp(name, "ssl-capath") == 0)
			mysql_options(conn, MYSQL_OPT_SSL_CAPATH, value);
		else if (strcmp(name, "ssl-cert") == 0)
			mysql_options(conn, MYSQL_OPT_SSL_CERT, value);
		else if (strcmp(name, "ssl-key") == 0)
			mysql_options(conn, MYSQL_OPT_SSL_KEY, value);
		else if (strcmp(name, "ssl-cipher") == 0)
			mysql_options(conn, MYSQL_OPT_SSL_CIPHER, value);
		else if (strcmp(name, "ssl-crl") == 0)
			mysql_options(conn, MYSQL_OPT_SSL_CRL, value);
		else if (strcmp(name, "ssl-passphrase") == 0)
			mysql_options(conn, MARIADB_OPT_TLS_PASSPHRASE, value);
		else if (strcmp(name, "tls-version") == 0)
			mysql_options(conn, MARIADB_OPT_TLS_VERSION, value);
		else if (strcmp(name, "ssl-mode") == 0)
		{
			if (strcmp(value, "REQUIRED") == 0)
				mysql_options(conn, MYSQL_OPT_SSL_ENFORCE, &on);
			else if (strcmp(value, "VERIFY_CA") == 0 ||
					 strcmp(value, "VERIFY_IDENTITY") == 0)
			{
				mysql_options(conn, MYSQL_OPT_SSL_ENFORCE, &on);
				mysql_options(conn, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
			}
		}
	}
	return NULL;
}

/*
 * Whoever must prove a password must not log in through a Unix socket
 * (where MariaDB may accept the server's OS user whatever password is
 * sent) nor by a method that sends no password.  false when the handle
 * cannot be held to that.
 */
static bool
password_rules(MYSQL *conn, const MyConnParams *p)
{
	unsigned int protocol = MYSQL_PROTOCOL_TCP;

	if (!p->password_required)
		return true;
	return p->socket == NULL &&
		mysql_optionsv(conn, MYSQL_OPT_PROTOCOL, &protocol) == 0 &&
		mysql_optionsv(conn, MARIADB_OPT_RESTRICTED_AUTH,
					   "mysql_native_password,client_ed25519,caching_sha2_password") == 0;
}

/*
 * Open a connection and pin the session settings the deparser relies on.
 * MySQL always authenticates, but an account may have an empty password:
 * a non-superuser must bring a non-empty one.  Connecting waits on the
 * latch: cancel, statement_timeout and terminate interrupt it, and the
 * handle is closed on the way out.
 */
static GrantRemote *
my_connect(const GrantEndpoint *ep, const char *user, const char *password,
		   bool password_required, const char *application_name)
{
	GrantRemote *remote;
	char	   *label = grant_endpoint_label(ep);
	const char *pw = password ? password : ep->password;
	char	   *bad;

	if (password_required && (pw == NULL || pw[0] == '\0'))
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("password is required"),
				 errdetail("Non-superusers must supply a password for grant endpoint \"%s\".", label),
				 errhint("Give a password in the user mapping or in the registered URL.")));

	remote = calloc(1, sizeof(GrantRemote));
	if (remote == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	PG_TRY();
	{
		remote->label = xstrdup(label);
		params_save(&remote->params, ep, user, password, password_required);
		remote->conn = mysql_init(NULL);
		if (remote->conn == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		bad = params_apply(remote->conn, &remote->params);
		if (bad != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid connection parameter for grant endpoint \"%s\"", label),
					 errdetail("%s", bad)));
		if (!password_rules(remote->conn, &remote->params))
			ereport(ERROR,
					(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
					 errmsg("password is required"),
					 errdetail("Non-superusers connect to grant endpoint \"%s\" over TCP with password authentication only.",
							   label)));
		connect_handle(remote);
		remote->thread_id = mysql_thread_id(remote->conn);
		session_setup(remote);
	}
	PG_CATCH();
	{
		my_disconnect(remote);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pfree(label);
	return remote;
}

/*
 * mysql_real_connect through the non-blocking API: the library's own
 * timeouts (connect_timeout) come back as MYSQL_WAIT_TIMEOUT, and the whole
 * handshake is bounded by connect_timeout as well.  Raises on failure;
 * remote->connecting stays set when the wait was left half-way.
 */
static void
connect_handle(GrantRemote *remote)
{
	MyConnParams *p = &remote->params;
	TimestampTz deadline = 0;
	MYSQL	   *ret = NULL;
	int			status;

	if (p->connect_timeout > 0)
		deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
											   (int64) p->connect_timeout * 1000);
	remote->connecting = true;
	status = mysql_real_connect_start(&ret, remote->conn, p->host, p->user,
									  p->password, p->dbname, p->port,
									  p->socket,
									  CLIENT_MULTI_STATEMENTS | CLIENT_FOUND_ROWS);
	while (status != 0)
	{
		int			ready = wait_socket(remote->conn, status, deadline, true);

		if (ready == 0)
			ereport(ERROR,
					(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
					 errmsg("could not connect to grant endpoint \"%s\"", remote->label),
					 errdetail("The server did not complete the handshake within connect_timeout (%u s).",
							   p->connect_timeout)));
		status = mysql_real_connect_cont(&ret, remote->conn, ready);
	}
	remote->connecting = false;
	if (ret == NULL)
		ereport(ERROR,
				(errcode(my_connect_failure_errcode(mysql_errno(remote->conn))),
				 errmsg("could not connect to grant endpoint \"%s\"", remote->label),
				 errdetail_internal("%s", mysql_error(remote->conn))));
}

/*
 * Close a handle.  One left in the middle of a call (abandoned) is shut
 * down first, so that mysql_close's farewell cannot wait on a socket the
 * server stopped reading.  While its TCP connect is still under way the
 * socket is not the handle's yet (mysql_close would leave it open): it is
 * closed here.
 */
static void
close_handle(MYSQL *conn, bool abandoned, bool connecting)
{
	my_socket	orphan = -1;

	if (abandoned || connecting)
	{
		if (conn->net.pvio != NULL)
			(void) mariadb_cancel(conn);
		else if (connecting)
			orphan = mysql_get_socket(conn);
	}
	mysql_close(conn);
	if (orphan >= 0)
		close(orphan);
}

/* the session settings of the header, in one round trip */

static void
session_setup(GrantRemote *remote)
{
	static const char sql[] = SESSION_SETTINGS_SQL ", SESSION autocommit = 1";

	send_batch(remote, sql, false, false);
	drain_owed(remote, false);
}

static void
my_disconnect(GrantRemote *remote)
{
	int			i;

	if (remote == NULL)
		return;
	items_clear(remote->queue, &remote->nqueue);
	items_clear(remote->owed, &remote->nowed);
	free(remote->queue);
	free(remote->owed);
	free(remote->sendbuf);
	for (i = 0; i < remote->nnamed; i++)
	{
		free(remote->named[i].name);
		free(remote->named[i].sql);
	}
	free(remote->named);
	/* closing the socket ends the remote session and rolls it back */
	if (remote->conn)
		close_handle(remote->conn,
					 remote->broken || remote->call.op != NB_NONE,
					 remote->connecting);
	params_free(&remote->params);
	free(remote->label);
	free(remote);
}

static bool
my_is_broken(GrantRemote *remote)
{
	return remote->broken || remote->conn == NULL;
}

/*
 * Before a new remote transaction: read what the last one still owes (a
 * COMMIT sent without waiting) and make sure the server did not close the
 * session meanwhile.  The wait is the statement's: cancel and
 * statement_timeout interrupt it.
 */
static bool
my_check_idle(GrantRemote *remote)
{
	if (my_is_broken(remote))
		return false;
	if (remote->nowed > remote->owed_pos || remote->call.op != NB_NONE)
	{
		if (!drain_quietly(remote, TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
															   CLEANUP_TIMEOUT_MS),
						   true))
			return false;
	}
	else
	{
		struct pollfd pfd;

		pfd.fd = mysql_get_socket(remote->conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		/* nothing is expected: anything readable means trouble or EOF */
		if (pfd.fd < 0 || poll(&pfd, 1, 0) != 0)
			remote->broken = true;
	}
	remote->xact_sent = false;
	return !my_is_broken(remote);
}


/* ----------------------------------------------------------------
 * Non-blocking calls
 *
 * The call in progress lives in remote->call, so that a call interrupted
 * by an error (query cancel inside the wait) can be completed later by
 * abort_cleanup.
 * ----------------------------------------------------------------
 */

/* start (ready < 0) or continue the call; returns what it waits for */
static int
nb_step(GrantRemote *remote, int ready)
{
	NbCall	   *c = &remote->call;
	MYSQL	   *conn = remote->conn;

	switch (c->op)
	{
		case NB_SEND:
			return ready < 0 ? mysql_send_query_start(&c->iret, conn, c->sql, c->len) :
				mysql_send_query_cont(&c->iret, conn, ready);
		case NB_READ_FIRST:
			return ready < 0 ? mysql_read_query_result_start(&c->bret, conn) :
				mysql_read_query_result_cont(&c->bret, conn, ready);
		case NB_NEXT_RESULT:
			return ready < 0 ? mysql_next_result_start(&c->iret, conn) :
				mysql_next_result_cont(&c->iret, conn, ready);
		case NB_FETCH_ROW:
			return ready < 0 ? mysql_fetch_row_start(&c->row, c->res) :
				mysql_fetch_row_cont(&c->row, c->res, ready);
		case NB_FREE_RESULT:
			return ready < 0 ? mysql_free_result_start(c->res) :
				mysql_free_result_cont(c->res, ready);
		case NB_STORE_RESULT:
			return ready < 0 ? mysql_store_result_start(&c->rret, conn) :
				mysql_store_result_cont(&c->rret, conn, ready);
		case NB_SET_OPTION:
			return ready < 0 ? mysql_set_server_option_start(&c->iret, conn, c->option) :
				mysql_set_server_option_cont(&c->iret, conn, ready);
		case NB_NONE:
			break;
	}
	return 0;
}

/*
 * Run remote->call (op and its inputs set by the caller) to completion.
 * An interruptible wait raises on cancel (the call then stays in
 * remote->call, for abort_cleanup to complete); false when the deadline
 * (0: none) passed or the backend is terminating with interrupts held:
 * the connection is then broken and never touched again but to close it.
 */
static bool
nb_run(GrantRemote *remote, NbOp op, TimestampTz deadline, bool interruptible)
{
	if (remote->broken)
		return false;
	remote->call.op = op;
	remote->call.status = nb_step(remote, -1);
	return nb_finish(remote, deadline, interruptible);
}

/* continue remote->call until it completes; see nb_run */
static bool
nb_finish(GrantRemote *remote, TimestampTz deadline, bool interruptible)
{
	NbCall	   *c = &remote->call;

	if (remote->broken)
		return false;
	while (c->op != NB_NONE && c->status != 0)
	{
		int			ready = wait_socket(remote->conn, c->status, deadline,
										interruptible);

		if (ready == 0)
		{
			remote->broken = true;
			return false;
		}
		c->status = nb_step(remote, ready);
	}
	c->op = NB_NONE;
	return true;
}

/* a terminate is pending that interrupts held back, or the backend exits */
static bool
terminating(void)
{
	return ProcDiePending || proc_exit_inprogress;
}

/*
 * Wait for what the library asked (status) or the latch; returns the
 * MYSQL_WAIT_* bits that are ready, 0 when the deadline (0: none) passed
 * or the backend is terminating.  interruptible: CHECK_FOR_INTERRUPTS on
 * every wake-up.
 */
static int
wait_socket(MYSQL *conn, int status, TimestampTz deadline, bool interruptible)
{
	for (;;)
	{
		int			events = WL_LATCH_SET | WL_EXIT_ON_PM_DEATH;
		long		timeout = -1L;
		int			rc;
		int			ready = 0;

		if (interruptible)
			CHECK_FOR_INTERRUPTS();
		if (terminating())
			return 0;
		if (status & MYSQL_WAIT_READ)
			events |= WL_SOCKET_READABLE;
		if (status & MYSQL_WAIT_WRITE)
			events |= WL_SOCKET_WRITEABLE;
		if (status & MYSQL_WAIT_TIMEOUT)
			timeout = mysql_get_timeout_value_ms(conn);
		if (deadline != 0)
		{
			TimestampTz now = GetCurrentTimestamp();
			long		left;

			if (now >= deadline)
				return 0;
			left = TimestampDifferenceMilliseconds(now, deadline);
			if (timeout < 0 || left < timeout)
				timeout = left;
		}
		if (timeout >= 0)
			events |= WL_TIMEOUT;

		rc = WaitLatchOrSocket(MyLatch, events, mysql_get_socket(conn),
							   timeout, PG_WAIT_EXTENSION);
		if (rc & WL_LATCH_SET)
			ResetLatch(MyLatch);
		if (rc & WL_SOCKET_READABLE)
			ready |= MYSQL_WAIT_READ;
		if (rc & WL_SOCKET_WRITEABLE)
			ready |= MYSQL_WAIT_WRITE;
		if ((rc & WL_TIMEOUT) && (status & MYSQL_WAIT_TIMEOUT) &&
			(deadline == 0 || GetCurrentTimestamp() < deadline))
			ready |= MYSQL_WAIT_TIMEOUT;
		if (ready != 0)
			return ready;
	}
}


/* ----------------------------------------------------------------
 * Batches of statements
 * ----------------------------------------------------------------
 */

static void
item_push(MyItem **items, int *n, int *cap, const char *sql, bool silent,
		  bool is_query)
{
	if (*n == *cap)
	{
		int			newcap = Max(*cap * 2, 8);
		MyItem	   *grown = realloc(*items, newcap * sizeof(MyItem));

		if (grown == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		*items = grown;
		*cap = newcap;
	}
	(*items)[*n].sql = xstrdup(sql);
	(*items)[*n].silent = silent;
	(*items)[*n].is_query = is_query;
	(*n)++;
}

static void
items_clear(MyItem *items, int *n)
{
	int			i;

	for (i = 0; i < *n; i++)
		free(items[i].sql);
	*n = 0;
}

/*
 * Turn the server's multi-statement option on or off: one round trip,
 * nothing owed before or after.
 */
static void
set_multi(GrantRemote *remote, bool on)
{
	remote->call.option = on ? MYSQL_OPTION_MULTI_STATEMENTS_ON :
		MYSQL_OPTION_MULTI_STATEMENTS_OFF;
	if (!nb_run(remote, NB_SET_OPTION, 0, true))
		report_connection_lost(remote);
	if (remote->call.iret != 0)
	{
		unsigned int err = mysql_errno(remote->conn);

		if (err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST)
			report_connection_lost(remote);
		raise_remote_error(remote, NULL);
	}
	remote->multi_off = !on;
}

/*
 * Send the queued commands and then sql (NULL: only the queue) as one
 * multi-statement batch, without reading anything.  The caller drained
 * the previous batch.  A batch of several statements turns the server's
 * multi-statement option back on first if query_single turned it off.
 */
static void
send_batch(GrantRemote *remote, const char *sql, bool silent, bool is_query)
{
	StringInfoData buf;
	int			i;

	Assert(remote->nowed == remote->owed_pos);
	items_clear(remote->owed, &remote->nowed);
	remote->owed_pos = 0;
	if (remote->multi_off && remote->nqueue + (sql != NULL ? 1 : 0) > 1)
		set_multi(remote, true);

	initStringInfo(&buf);
	for (i = 0; i < remote->nqueue; i++)
	{
		MyItem	   *q = &remote->queue[i];

		if (buf.len > 0)
			appendStringInfoString(&buf, ";\n");
		appendStringInfoString(&buf, q->sql);
		item_push(&remote->owed, &remote->nowed, &remote->ocap, q->sql,
				  q->silent, false);
	}
	items_clear(remote->queue, &remote->nqueue);
	if (sql != NULL)
	{
		if (buf.len > 0)
			appendStringInfoString(&buf, ";\n");
		appendStringInfoString(&buf, sql);
		item_push(&remote->owed, &remote->nowed, &remote->ocap, sql, silent,
				  is_query);
	}
	if (remote->nowed == 0)
	{
		pfree(buf.data);
		return;
	}

	/* the library reads the text while the call runs: keep it malloc'd */
	free(remote->sendbuf);
	remote->sendbuf = xstrdup(buf.data);
	pfree(buf.data);
	remote->call.sql = remote->sendbuf;
	remote->call.len = strlen(remote->sendbuf);
	remote->xact_sent = true;
	if (!nb_run(remote, NB_SEND, 0, true) || remote->call.iret != 0)
		report_connection_lost(remote);
}

/*
 * Read the answer header of the next owed item.  false when there is no
 * more (the batch ended, after an error, or the wait gave up: then the
 * connection is broken).  *failed: it is an error, left in the handle for
 * the caller to report; the rest of the batch did not run and is dropped.
 */
static bool
read_header(GrantRemote *remote, TimestampTz deadline, bool interruptible,
			bool *failed)
{
	bool		first = remote->owed_pos == 0;

	*failed = false;
	if (remote->owed_pos >= remote->nowed)
		return false;
	if (!nb_run(remote, first ? NB_READ_FIRST : NB_NEXT_RESULT, deadline,
				interruptible))
		return false;
	return header_result(remote, first, failed);
}

/* what a completed NB_READ_FIRST (first) or NB_NEXT_RESULT answered */
static bool
header_result(GrantRemote *remote, bool first, bool *failed)
{
	*failed = false;
	if (first ? remote->call.bret != 0 : remote->call.iret > 0)
	{
		unsigned int err = mysql_errno(remote->conn);

		*failed = true;
		if (err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST)
			remote->broken = true;
		return true;
	}
	if (!first && remote->call.iret < 0)
	{
		/* no more results: the batch ended early */
		remote->owed_pos = remote->nowed;
		return false;
	}
	return true;
}

/*
 * Read the answers owed, raising the first error of a statement that is
 * not silent.  With until_query, stop at the query item, its header read
 * (the caller then reads its rows).
 */
static void
drain_owed(GrantRemote *remote, bool until_query)
{
	while (remote->owed_pos < remote->nowed)
	{
		MyItem	   *item = &remote->owed[remote->owed_pos];
		bool		failed;

		if (!read_header(remote, 0, true, &failed))
		{
			if (my_is_broken(remote))
				report_connection_lost(remote);
			break;
		}
		if (failed)
		{
			char	   *sql = pstrdup(item->sql);
			bool		silent = item->silent;

			/* the server skipped the rest of the batch */
			remote->owed_pos = remote->nowed;
			if (my_is_broken(remote))
				report_connection_lost(remote);
			if (!silent)
				raise_remote_error(remote, sql);
			break;
		}
		if (until_query && item->is_query)
			return;
		/* a command's answer; a result set here is not wanted */
		if (mysql_field_count(remote->conn) > 0)
		{
			MYSQL_RES  *res;

			if (!nb_run(remote, NB_STORE_RESULT, 0, true))
				report_connection_lost(remote);
			res = remote->call.rret;
			if (res)
			{
				remote->call.res = res;
				if (!nb_run(remote, NB_FREE_RESULT, 0, true))
					report_connection_lost(remote);
			}
		}
		remote->owed_pos++;
	}
	if (remote->owed_pos >= remote->nowed)
	{
		items_clear(remote->owed, &remote->nowed);
		remote->owed_pos = 0;
	}
}

/*
 * Read and drop everything owed until the deadline, errors included.
 * Never raises unless interruptible (then a cancel may).  false when the
 * connection did not get back in step.
 */
static bool
drain_quietly(GrantRemote *remote, TimestampTz deadline, bool interruptible)
{
	if (!finish_interrupted(remote, deadline, interruptible))
		return false;
	if (remote->active_res != NULL)
	{
		remote->call.res = remote->active_res;
		remote->active_res = NULL;
		if (!nb_run(remote, NB_FREE_RESULT, deadline, interruptible))
			return false;
		remote->owed_pos++;
	}
	remote->active = NULL;
	while (remote->owed_pos < remote->nowed)
	{
		bool		failed;

		if (!read_header(remote, deadline, interruptible, &failed))
			break;
		if (failed)
			break;
		if (!skip_result(remote, deadline, interruptible))
			return false;
		remote->owed_pos++;
	}
	items_clear(remote->owed, &remote->nowed);
	remote->owed_pos = 0;
	return !my_is_broken(remote);
}

/*
 * Drop the rows of the answer whose header was just read.  Like every
 * free of a result, the caller counts the item done only after it.
 */
static bool
skip_result(GrantRemote *remote, TimestampTz deadline, bool interruptible)
{
	MYSQL_RES  *res;

	if (mysql_field_count(remote->conn) == 0)
		return true;
	res = mysql_use_result(remote->conn);
	if (res == NULL)
		return true;
	remote->call.res = res;
	return nb_run(remote, NB_FREE_RESULT, deadline, interruptible);
}

/*
 * Complete a call an error interrupted, and account for what it read, so
 * that the owed answers are read on from the right place: a header read
 * counts its item (its rows are dropped, or the batch ended on its error);
 * a result stored or freed was the current item's (an active query's
 * result is still remote->active_res while its rows are fetched).
 */
static bool
finish_interrupted(GrantRemote *remote, TimestampTz deadline,
				   bool interruptible)
{
	NbOp		op = remote->call.op;
	bool		failed;

	if (op == NB_NONE)
		return true;
	if (!nb_finish(remote, deadline, interruptible))
		return false;
	switch (op)
	{
		case NB_READ_FIRST:
		case NB_NEXT_RESULT:
			if (!header_result(remote, op == NB_READ_FIRST, &failed) || failed)
			{
				remote->owed_pos = remote->nowed;
				return true;
			}
			break;
		case NB_STORE_RESULT:
			if (remote->call.rret != NULL)
			{
				remote->call.res = remote->call.rret;
				if (!nb_run(remote, NB_FREE_RESULT, deadline, interruptible))
					return false;
			}
			remote->owed_pos++;
			return true;
		case NB_FREE_RESULT:
			remote->owed_pos++;
			return true;
		case NB_SEND:
			if (remote->call.iret != 0)
				remote->broken = true;
			return !remote->broken;
		case NB_SET_OPTION:
			if (remote->call.iret != 0)
				remote->broken = true;
			else
				remote->multi_off =
					remote->call.option == MYSQL_OPTION_MULTI_STATEMENTS_OFF;
			return !remote->broken;
		case NB_FETCH_ROW:
		case NB_NONE:
			return true;
	}
	/* a header was read: its rows go */
	if (!skip_result(remote, deadline, interruptible))
		return false;
	remote->owed_pos++;
	return true;
}

/*
 * MySQL error numbers into PostgreSQL SQLSTATEs where the meaning is the
 * same; otherwise the remote SQLSTATE when it is specific, else HV000.
 */
static int
map_sqlstate(unsigned int errnum, const char *sqlstate)
{
	switch (errnum)
	{
		case 1062:				/* ER_DUP_ENTRY */
		case 1586:				/* ER_DUP_ENTRY_WITH_KEY_NAME */
			return ERRCODE_UNIQUE_VIOLATION;
		case 1216:				/* ER_NO_REFERENCED_ROW */
		case 1217:				/* ER_ROW_IS_REFERENCED */
		case 1451:				/* ER_ROW_IS_REFERENCED_2 */
		case 1452:				/* ER_NO_REFERENCED_ROW_2 */
			return ERRCODE_FOREIGN_KEY_VIOLATION;
		case 1048:				/* ER_BAD_NULL_ERROR */
		case 1364:				/* ER_NO_DEFAULT_FOR_FIELD */
			return ERRCODE_NOT_NULL_VIOLATION;
		case 3819:				/* MySQL check constraint */
		case 4025:				/* ER_CONSTRAINT_FAILED */
			return ERRCODE_CHECK_VIOLATION;
		case 1264:				/* ER_WARN_DATA_OUT_OF_RANGE */
		case 1690:				/* ER_DATA_OUT_OF_RANGE */
			return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
		case 1406:				/* ER_DATA_TOO_LONG */
			return ERRCODE_STRING_DATA_RIGHT_TRUNCATION;
		case 1292:				/* ER_TRUNCATED_WRONG_VALUE */
		case 1366:				/* ER_TRUNCATED_WRONG_VALUE_FOR_FIELD */
		case 1265:				/* WARN_DATA_TRUNCATED */
			return ERRCODE_INVALID_TEXT_REPRESENTATION;
		case 1365:				/* ER_DIVISION_BY_ZERO */
			return ERRCODE_DIVISION_BY_ZERO;
		case 1213:				/* ER_LOCK_DEADLOCK */
			return ERRCODE_T_R_DEADLOCK_DETECTED;
		case 1205:				/* ER_LOCK_WAIT_TIMEOUT */
			return ERRCODE_LOCK_NOT_AVAILABLE;
		case 1317:				/* ER_QUERY_INTERRUPTED */
		case 1927:				/* ER_CONNECTION_KILLED */
		case 1969:				/* ER_STATEMENT_TIMEOUT */
			return ERRCODE_QUERY_CANCELED;
		case 1146:				/* ER_NO_SUCH_TABLE */
			return ERRCODE_UNDEFINED_TABLE;
		case 1054:				/* ER_BAD_FIELD_ERROR */
			return ERRCODE_UNDEFINED_COLUMN;
		case 1049:				/* ER_BAD_DB_ERROR */
			return ERRCODE_INVALID_SCHEMA_NAME;
		case 1064:				/* ER_PARSE_ERROR */
			return ERRCODE_SYNTAX_ERROR;
		case 1044:				/* ER_DBACCESS_DENIED_ERROR */
		case 1142:				/* ER_TABLEACCESS_DENIED_ERROR */
		case 1143:				/* ER_COLUMNACCESS_DENIED_ERROR */
		case 1227:				/* ER_SPECIFIC_ACCESS_DENIED_ERROR */
			return ERRCODE_INSUFFICIENT_PRIVILEGE;
		case 1290:				/* ER_OPTION_PREVENTS_STATEMENT (read_only) */
		case 1792:				/* ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION */
			return ERRCODE_READ_ONLY_SQL_TRANSACTION;
		case CR_SERVER_GONE_ERROR:
		case CR_SERVER_LOST:
			return ERRCODE_CONNECTION_FAILURE;
	}
	if (sqlstate && strlen(sqlstate) == 5 && strcmp(sqlstate, "HY000") != 0 &&
		strcmp(sqlstate, "00000") != 0)
		return MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2],
							 sqlstate[3], sqlstate[4]);
	return ERRCODE_FDW_ERROR;
}

/*
 * The SQLSTATE of a failed mysql_real_connect, which connection.c reads to
 * tell one identity's failure from the endpoint's: 08001 only when the
 * server could not be reached or takes no connection from anyone (too
 * many connections, shutting down, this host blocked); 28000 when it
 * refused these credentials; 08004 for any other refusal of this one
 * connection (an account's TLS or plugin requirement, its database).
 */
static int
my_connect_failure_errcode(unsigned int errnum)
{
	switch (errnum)
	{
		case CR_CONNECTION_ERROR:
		case CR_CONN_HOST_ERROR:
		case CR_UNKNOWN_HOST:
		case CR_SERVER_GONE_ERROR:
		case CR_SERVER_HANDSHAKE_ERR:
		case CR_SERVER_LOST:
		case CR_SERVER_LOST_EXTENDED:
		case 1040:				/* ER_CON_COUNT_ERROR */
		case 1053:				/* ER_SERVER_SHUTDOWN */
		case 1129:				/* ER_HOST_IS_BLOCKED */
		case 1130:				/* ER_HOST_NOT_PRIVILEGED */
			return ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION;
		case 1044:				/* ER_DBACCESS_DENIED_ERROR */
		case 1045:				/* ER_ACCESS_DENIED_ERROR */
		case 1251:				/* ER_NOT_SUPPORTED_AUTH_MODE */
		case 1698:				/* ER_ACCESS_DENIED_NO_PASSWORD_ERROR */
		case 1862:				/* ER_MUST_CHANGE_PASSWORD_LOGIN */
		case 4151:				/* ER_ACCOUNT_HAS_BEEN_LOCKED */
			return ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
		default:
			return ERRCODE_SQLSERVER_REJECTED_ESTABLISHMENT_OF_SQLCONNECTION;
	}
}

/* raise the error in the handle; the remote's text is the message */
static void
raise_remote_error(GrantRemote *remote, const char *sql)
{
	unsigned int errnum = mysql_errno(remote->conn);
	const char *sqlstate = mysql_sqlstate(remote->conn);
	bool		one_statement = errnum == MY_ER_PARSE_ERROR &&
		remote->multi_off && sql != NULL && strchr(sql, ';') != NULL;

	ereport(ERROR,
			(errcode(map_sqlstate(errnum, sqlstate)),
			 errmsg_internal("%s", mysql_error(remote->conn)),
			 errdetail("MySQL error %u, SQLSTATE %s.", errnum, sqlstate),
			 one_statement ? errhint("MySQL runs one statement per call here: send each statement in its own call.") : 0,
			 sql && *sql ? errcontext("remote SQL command on \"%s\": %s",
									  remote->label, sql) : 0));
}

static void
report_connection_lost(GrantRemote *remote)
{
	remote->broken = true;
	ereport(ERROR,
			(errcode(ERRCODE_CONNECTION_FAILURE),
			 errmsg("lost connection to grant endpoint \"%s\"", remote->label),
			 errdetail_internal("%s", mysql_error(remote->conn))));
}


/* ----------------------------------------------------------------
 * Transactions and commands
 * ----------------------------------------------------------------
 */

/*
 * SET TRANSACTION applies to the next transaction only, so the level is
 * said every time; READ ONLY makes the server refuse writes as well.
 * Otherwise the access mode is left to the server: a read_only replica
 * refuses an explicit READ WRITE even for a transaction that only reads.
 */
static void
my_begin(GrantRemote *remote, int isolation, bool read_only)
{
	queue_isolation(remote, isolation);
	my_command(remote, read_only ? "START TRANSACTION READ ONLY" :
			   "START TRANSACTION");
	remote->xact_sent = false;
	remote->xa_gid[0] = '\0';
}

/* queue SET TRANSACTION: the next transaction's isolation level */
static void
queue_isolation(GrantRemote *remote, int isolation)
{
	char		sql[64];

	snprintf(sql, sizeof(sql), "SET TRANSACTION ISOLATION LEVEL %s",
			 grant_isolation_sql(isolation));
	my_command(remote, sql);
}

/*
 * XA START instead of START TRANSACTION: only a transaction begun so can be
 * prepared.  SET TRANSACTION applies to it as to any other.  Savepoints
 * work inside it (MariaDB 10.11); 'commit' and 'rollback' end it with XA
 * END and XA COMMIT ... ONE PHASE or XA ROLLBACK.
 */
static void
my_begin_preparable(GrantRemote *remote, int isolation, const char *gid)
{
	char	   *sql = xa_sql("XA START", gid, "");

	if (strlen(gid) >= sizeof(remote->xa_gid))
		elog(ERROR, "grant: XA transaction name \"%s\" is too long", gid);
	queue_isolation(remote, isolation);
	my_command(remote, sql);
	pfree(sql);
	remote->xact_sent = false;
	strlcpy(remote->xa_gid, gid, sizeof(remote->xa_gid));
}

/* queue a command; it travels with the next statement */
static void
my_command(GrantRemote *remote, const char *sql)
{
	item_push(&remote->queue, &remote->nqueue, &remote->qcap, sql, false, false);
}

/*
 * The text a named statement stands for.  MySQL gets statement text each
 * time: parsing is cheap there, and the text protocol keeps one code path.
 */
static const char *
named_sql(GrantRemote *remote, const char *stmt_name, const char *sql)
{
	int			i;

	if (stmt_name == NULL)
		return sql;
	for (i = 0; i < remote->nnamed; i++)
		if (strcmp(remote->named[i].name, stmt_name) == 0)
			return remote->named[i].sql;
	return sql;
}

static void
my_prepare(GrantRemote *remote, const char *stmt_name, const char *sql)
{
	MyNamed    *grown = realloc(remote->named,
								(remote->nnamed + 1) * sizeof(MyNamed));

	if (grown == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	remote->named = grown;
	remote->named[remote->nnamed].name = xstrdup(stmt_name);
	remote->named[remote->nnamed].sql = xstrdup(sql);
	remote->nnamed++;
}

static void
my_deallocate(GrantRemote *remote, const char *stmt_name)
{
	int			i;

	for (i = 0; i < remote->nnamed; i++)
	{
		if (strcmp(remote->named[i].name, stmt_name) == 0)
		{
			free(remote->named[i].name);
			free(remote->named[i].sql);
			remote->named[i] = remote->named[remote->nnamed - 1];
			remote->nnamed--;
			return;
		}
	}
}

/*
 * Send a statement whose rows are not wanted (an INSERT batch) without
 * waiting: its answer is read before the next statement is sent, so the
 * server works on one batch while the next one is built.
 */
static void
my_send(GrantRemote *remote, const char *sql, const char *stmt_name,
		int nparams, const char *const *values)
{
	char	   *text;

	if (remote->active != NULL)
		buffer_active(remote);
	drain_owed(remote, false);
	text = interpolate(named_sql(remote, stmt_name, sql), nparams, values);
	send_batch(remote, text, false, false);
	pfree(text);
}

static int
my_npending(GrantRemote *remote)
{
	return (remote->nowed - remote->owed_pos) + remote->nqueue;
}

/* send what is queued and read every answer owed; raises the first error */
static void
my_sync(GrantRemote *remote)
{
	if (remote->active != NULL)
		buffer_active(remote);
	drain_owed(remote, false);
	if (remote->nqueue > 0)
	{
		send_batch(remote, NULL, false, false);
		drain_owed(remote, false);
	}
}

/*
 * COMMIT.  A transaction that never reached the server has nothing to
 * commit.  With wait = false (nothing written) the answer is read at the
 * next use of the connection.
 */
static void
my_commit(GrantRemote *remote, bool wait)
{
	if (remote->active != NULL)
		buffer_active(remote);
	if (!remote->xact_sent)
	{
		items_clear(remote->queue, &remote->nqueue);
		remote->xa_gid[0] = '\0';
		drain_owed(remote, false);
		return;
	}
	drain_owed(remote, false);
	if (remote->xa_gid[0] != '\0')
	{
		char	   *end = xa_sql("XA END", remote->xa_gid, "");
		char	   *commit = xa_sql("XA COMMIT", remote->xa_gid, " ONE PHASE");

		/*
		 * Always waited for: an XA transaction left open would refuse the
		 * next XA START on this connection.  On failure xa_gid stays, so
		 * that the rollback that follows ends it.
		 */
		my_command(remote, end);
		send_batch(remote, commit, false, false);
		drain_owed(remote, false);
		pfree(end);
		pfree(commit);
		remote->xa_gid[0] = '\0';
		remote->xact_sent = false;
		return;
	}
	send_batch(remote, "COMMIT", !wait, false);
	if (wait)
		drain_owed(remote, false);
	remote->xact_sent = false;
}

/*
 * ROLLBACK (level 0) or ROLLBACK TO + RELEASE SAVEPOINT s<level>.  Runs in
 * abort callbacks after abort_cleanup, so it never raises.  What is still
 * queued is simply forgotten: a transaction or savepoint the server never
 * saw needs no undoing.
 */
static void
my_rollback(GrantRemote *remote, int savepoint_level)
{
	char		sql[64];
	int			i;

	if (my_is_broken(remote))
		return;
	if (savepoint_level == 0)
	{
		items_clear(remote->queue, &remote->nqueue);
		if (!remote->xact_sent)
		{
			remote->xa_gid[0] = '\0';
			return;
		}
		if (remote->xa_gid[0] != '\0')
		{
			char	   *end = xa_sql("XA END", remote->xa_gid, "");
			char	   *rollback = xa_sql("XA ROLLBACK", remote->xa_gid, "");
			int			rc;

			/*
			 * XA END fails harmlessly when the transaction was ended
			 * already (a failed XA PREPARE); it must not take XA ROLLBACK
			 * down with it, so each goes alone.  When XA ROLLBACK fails
			 * too, the connection is dropped: closing the session rolls
			 * back an XA transaction that was not prepared.
			 */
			(void) run_quietly(remote, end);
			rc = run_quietly(remote, rollback);
			if (rc != 0 && rc != MY_ER_XA_RBROLLBACK)
				remote->broken = true;
			pfree(end);
			pfree(rollback);
			remote->xa_gid[0] = '\0';
			remote->xact_sent = false;
			return;
		}
		/* abort_cleanup left nothing owed: send and read it now, quietly */
		PG_TRY();
		{
			send_batch(remote, "ROLLBACK", true, false);
		}
		PG_CATCH();
		{
			FlushErrorState();
			remote->broken = true;
		}
		PG_END_TRY();
		remote->xact_sent = false;
		return;
	}

	snprintf(sql, sizeof(sql), "SAVEPOINT s%d", savepoint_level);
	for (i = 0; i < remote->nqueue; i++)
	{
		if (strcmp(remote->queue[i].sql, sql) == 0)
		{
			/* the savepoint was never sent: drop it and what followed */
			int			n = remote->nqueue - i;

			items_clear(remote->queue + i, &n);
			remote->nqueue = i;
			return;
		}
	}
	snprintf(sql, sizeof(sql), "ROLLBACK TO SAVEPOINT s%d", savepoint_level);
	my_command(remote, sql);
	snprintf(sql, sizeof(sql), "RELEASE SAVEPOINT s%d", savepoint_level);
	my_command(remote, sql);
}


/*
 * XA END and XA PREPARE of the XA transaction begun under gid.  After it
 * the session serves nothing but XA COMMIT or XA ROLLBACK of that gid; the
 * prepared transaction survives the session and a server restart.
 */
static void
my_prepare_xact(GrantRemote *remote, const char *gid)
{
	char	   *end;
	char	   *prepare;

	if (strcmp(gid, remote->xa_gid) != 0)
		elog(ERROR, "grant: no XA transaction \"%s\" is open on \"%s\"",
			 gid, remote->label);
	if (remote->active != NULL)
		buffer_active(remote);
	drain_owed(remote, false);
	end = xa_sql("XA END", gid, "");
	prepare = xa_sql("XA PREPARE", gid, "");
	my_command(remote, end);
	send_batch(remote, prepare, false, false);
	drain_owed(remote, false);
	pfree(end);
	pfree(prepare);
	remote->xa_gid[0] = '\0';
	remote->xact_sent = false;
}

/* XA COMMIT or XA ROLLBACK of a prepared transaction, from any session */
static void
my_finish_prepared(GrantRemote *remote, const char *gid, bool commit)
{
	char	   *sql = xa_sql(commit ? "XA COMMIT" : "XA ROLLBACK", gid, "");

	/* a branch that changed nothing is answered "rolled back": it is gone */
	xa_statement(remote, sql, true);
	pfree(sql);
}

/*
 * The XA transactions prepared on the server (XA RECOVER lists those of
 * every session and database) whose xid is grant's: format 1, no branch
 * qualifier, a gtrid that starts with prefix.  FORMAT='SQL' prints the
 * xid as SQL literals, so an application's binary xid arrives as hex
 * rather than as bytes that are not text.
 */
static List *
my_list_prepared(GrantRemote *remote, const char *prefix)
{
	GrantRemoteQuery *query;
	List	   *gids = NIL;
	char	   *row[4];

	query = my_query(remote, "XA RECOVER FORMAT='SQL'", NULL, 0, NULL, false);
	while (my_next_row(query, row, NULL, 4))
	{
		char	   *gid;

		/* formatID, gtrid_length, bqual_length, data */
		if (row[0] == NULL || strcmp(row[0], "1") != 0 ||
			row[2] == NULL || strcmp(row[2], "0") != 0 || row[3] == NULL)
			continue;
		gid = xa_data_gid(row[3]);
		if (gid != NULL && strncmp(gid, prefix, strlen(prefix)) == 0)
			gids = lappend(gids, gid);
	}
	my_close(query);
	return gids;
}

/*
 * The gid in the data column of XA RECOVER FORMAT='SQL' for a gtrid
 * alone: 'text' or X'hex'.  NULL unless it is made of the characters
 * grant puts in a gid (letters, digits, underscores).  palloc'd.
 */
static char *
xa_data_gid(const char *data)
{
	size_t		len = strlen(data);
	StringInfoData buf;
	const char *p;

	initStringInfo(&buf);
	if (len >= 2 && data[0] == '\'' && data[len - 1] == '\'')
		appendBinaryStringInfo(&buf, data + 1, len - 2);
	else if (len >= 3 && (data[0] == 'X' || data[0] == 'x') &&
			 data[1] == '\'' && data[len - 1] == '\'' && len % 2 == 1)
	{
		for (p = data + 2; p < data + len - 1; p += 2)
		{
			char		hex[3] = {p[0], p[1], '\0'};
			char	   *endp;
			long		c = strtol(hex, &endp, 16);

			if (*endp != '\0' || c == 0)
				return NULL;
			appendStringInfoChar(&buf, (char) c);
		}
	}
	else
		return NULL;
	if (buf.len == 0)
		return NULL;
	for (p = buf.data; *p; p++)
		if (!isalnum((unsigned char) *p) && *p != '_')
			return NULL;
	return buf.data;
}

/*
 * An XA statement naming gid, palloc'd.  grant's gids are letters, digits
 * and underscores: anything else is refused rather than quoted.
 */
static char *
xa_sql(const char *verb, const char *gid, const char *suffix)
{
	const char *p;

	for (p = gid; *p; p++)
		if (!isalnum((unsigned char) *p) && *p != '_')
			elog(ERROR, "grant: invalid XA transaction name \"%s\"", gid);
	return psprintf("%s '%s'%s", verb, gid, suffix);
}

/*
 * Run one XA statement now and wait for it; raises its error, except
 * ER_XA_RBROLLBACK when rolled_back_ok.
 */
static void
xa_statement(GrantRemote *remote, const char *sql, bool rolled_back_ok)
{
	bool		failed;

	if (remote->active != NULL)
		buffer_active(remote);
	drain_owed(remote, false);
	send_batch(remote, sql, false, false);
	if (!read_header(remote, 0, true, &failed))
		report_connection_lost(remote);
	items_clear(remote->owed, &remote->nowed);
	remote->owed_pos = 0;
	if (failed)
	{
		if (my_is_broken(remote))
			report_connection_lost(remote);
		if (!(rolled_back_ok && mysql_errno(remote->conn) == MY_ER_XA_RBROLLBACK))
			raise_remote_error(remote, sql);
	}
}

/*
 * Run one statement now, for an abort callback (interrupts held), within
 * CANCEL_DRAIN_MS: 0 when it succeeded, its MySQL error number when it
 * failed, -1 when the connection is lost, out of step or too slow (then
 * marked broken; closing it rolls back an XA transaction not prepared).
 * Never raises.  Nothing may be owed.
 */
static int
run_quietly(GrantRemote *remote, const char *sql)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													   CANCEL_DRAIN_MS);
	MemoryContext oldcxt = CurrentMemoryContext;
	volatile int result = -1;

	if (my_is_broken(remote))
		return -1;
	PG_TRY();
	{
		bool		failed;

		send_batch(remote, sql, true, false);
		if (read_header(remote, deadline, false, &failed))
			result = failed ? (int) mysql_errno(remote->conn) : 0;
		else
			remote->broken = true;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		FlushErrorState();
		remote->broken = true;
	}
	PG_END_TRY();
	items_clear(remote->owed, &remote->nowed);
	remote->owed_pos = 0;
	return my_is_broken(remote) ? -1 : result;
}


/* ----------------------------------------------------------------
 * Queries and rows
 * ----------------------------------------------------------------
 */

/*
 * sql with each $n outside quotes replaced by parameter n as a literal:
 * NULL, or _utf8mb4 X'...' (its bytes in UTF-8).  palloc'd.
 */
static char *
interpolate(const char *sql, int nparams, const char *const *values)
{
	StringInfoData buf;
	const char *p = sql;

	if (nparams == 0)
		return pstrdup(sql);
	initStringInfo(&buf);
	while (*p)
	{
		char		c = *p;

		if (c == '\'' || c == '`' || c == '"')
		{
			/* copy a quoted part whole; doubled quotes stay inside */
			const char *start = p++;

			while (*p)
			{
				if (*p == c && p[1] == c)
					p += 2;
				else if (*p == c)
				{
					p++;
					break;
				}
				else
					p++;
			}
			appendBinaryStringInfo(&buf, start, p - start);
		}
		else if (c == '$' && isdigit((unsigned char) p[1]))
		{
			char	   *end;
			long		n = strtol(p + 1, &end, 10);

			if (n < 1 || n > nparams)
				elog(ERROR, "grant: parameter $%ld out of range", n);
			if (values[n - 1] == NULL)
				appendStringInfoString(&buf, "NULL");
			else
				my_quote_literal(&buf, values[n - 1]);
			p = end;
		}
		else
		{
			appendStringInfoChar(&buf, c);
			p++;
		}
	}
	return buf.data;
}

/*
 * Send a query with the queued commands in one round trip and read up to
 * the first row of its answer; a failing command before it fails the
 * query.  Rows stream from there.
 */
static GrantRemoteQuery *
my_query(GrantRemote *remote, const char *sql, const char *stmt_name,
		 int nparams, const char *const *values, bool binary)
{
	GrantRemoteQuery *query;
	char	   *text;

	if (remote->active != NULL)
		buffer_active(remote);
	drain_owed(remote, false);

	query = palloc0(sizeof(GrantRemoteQuery));
	query->remote = remote;
	query->cxt = CurrentMemoryContext;
	query->sql = pstrdup(named_sql(remote, stmt_name, sql));
	query->row_cxt = AllocSetContextCreate(CurrentMemoryContext,
										   "grant mysql row",
										   ALLOCSET_SMALL_SIZES);

	text = interpolate(query->sql, nparams, values);
	send_batch(remote, text, false, true);
	pfree(text);
	drain_owed(remote, true);

	if (remote->owed_pos >= remote->nowed)
	{
		/* nothing to read: an error was raised, or the batch ended */
		query->done = true;
		return query;
	}
	query->nfields = mysql_field_count(remote->conn);
	if (query->nfields == 0)
	{
		query->affected = mysql_affected_rows(remote->conn);
		remote->owed_pos++;
		drain_owed(remote, false);
		query->done = true;
		return query;
	}
	remote->active_res = mysql_use_result(remote->conn);
	if (remote->active_res == NULL)
		raise_remote_error(remote, query->sql);
	remote->active = query;
	return query;
}

/*
 * A query whose text a user wrote: the server must run exactly one
 * statement of it, so that 'DO 0; COMMIT' cannot end the remote
 * transaction that belongs to the local one.  The queued commands go
 * first in a batch of their own; then, with the server's multi-statement
 * option off, the text alone: the server answers a second statement with
 * its own syntax error.  send_batch turns the option back on when grant
 * next sends several statements at once.
 */
static GrantRemoteQuery *
my_query_single(GrantRemote *remote, const char *sql)
{
	if (remote->active != NULL)
		buffer_active(remote);
	drain_owed(remote, false);
	if (remote->nqueue > 0)
	{
		send_batch(remote, NULL, false, false);
		drain_owed(remote, false);
	}
	if (!remote->multi_off)
		set_multi(remote, false);
	return my_query(remote, sql, NULL, 0, NULL, false);
}

/* the query's rows are over: free its result and read on */
static void
query_finish(GrantRemoteQuery *query)
{
	GrantRemote *remote = query->remote;
	MYSQL_RES  *res = remote->active_res;

	remote->active_res = NULL;
	remote->active = NULL;
	query->done = true;
	query->affected = query->nrows;
	if (res)
	{
		remote->call.res = res;
		if (!nb_run(remote, NB_FREE_RESULT, 0, true))
			report_connection_lost(remote);
	}
	remote->owed_pos++;
	drain_owed(remote, false);
}

/* a remote value in the server encoding (palloc'd when converted) */
static char *
to_server(const char *s, int len, int *outlen)
{
	char	   *conv = pg_any_to_server(s, len, PG_UTF8);

	*outlen = conv == s ? len : (int) strlen(conv);
	return conv;
}

static bool
my_next_row(GrantRemoteQuery *query, char **values, int *lengths, int ncols)
{
	GrantRemote *remote = query->remote;
	MYSQL_ROW	row;
	unsigned long *lens;
	MemoryContext oldcxt;
	int			i;

	/* a buffered row's context is reset once its slot let go of it */
	if (query->buffered)
		return next_buffered_row(query, values, lengths, ncols);
	MemoryContextReset(query->row_cxt);
	if (query->done)
		return false;

	remote->call.res = remote->active_res;
	if (!nb_run(remote, NB_FETCH_ROW, 0, true))
		report_connection_lost(remote);
	row = remote->call.row;
	if (row == NULL)
	{
		if (mysql_errno(remote->conn) != 0)
		{
			char	   *sql = query->sql;

			/* the stream broke off: the result is over either way */
			remote->active_res = NULL;
			remote->active = NULL;
			query->done = true;
			remote->owed_pos = remote->nowed;
			drain_owed(remote, false);
			raise_remote_error(remote, sql);
		}
		query_finish(query);
		return false;
	}
	query->nrows++;
	lens = mysql_fetch_lengths(remote->active_res);
	oldcxt = MemoryContextSwitchTo(query->row_cxt);
	for (i = 0; i < ncols; i++)
	{
		if (i >= query->nfields || row[i] == NULL)
			values[i] = NULL;
		else
		{
			int			len;

			values[i] = to_server(row[i], (int) lens[i], &len);
			if (lengths)
				lengths[i] = len;
		}
	}
	MemoryContextSwitchTo(oldcxt);
	return true;
}

/*
 * Read the rest of the active query's rows into its tuplestore, so the
 * connection is free for another statement.  Each row is stored as one
 * bytea: per column a 4-byte length (-1 for NULL) and the bytes.
 */
static void
buffer_active(GrantRemote *remote)
{
	GrantRemoteQuery *query = remote->active;
	MemoryContext oldcxt = MemoryContextSwitchTo(query->cxt);
	TupleDesc	desc = CreateTemplateTupleDesc(1);
	StringInfoData row;

	TupleDescInitEntry(desc, (AttrNumber) 1, NULL, BYTEAOID, -1, 0);
	query->store = tuplestore_begin_heap(false, false, work_mem);
	query->store_slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	query->buffered = true;
	initStringInfo(&row);
	for (;;)
	{
		MYSQL_ROW	r;
		unsigned long *lens;
		Datum		d;
		bool		isnull = false;
		int			i;

		remote->call.res = remote->active_res;
		if (!nb_run(remote, NB_FETCH_ROW, 0, true))
			report_connection_lost(remote);
		r = remote->call.row;
		if (r == NULL)
			break;
		query->nrows++;
		lens = mysql_fetch_lengths(remote->active_res);
		resetStringInfo(&row);
		appendStringInfoSpaces(&row, VARHDRSZ);
		for (i = 0; i < query->nfields; i++)
		{
			int32		len = r[i] ? (int32) lens[i] : -1;

			appendBinaryStringInfo(&row, (char *) &len, sizeof(len));
			if (r[i])
				appendBinaryStringInfo(&row, r[i], lens[i]);
		}
		SET_VARSIZE(row.data, row.len);
		d = PointerGetDatum(row.data);
		tuplestore_putvalues(query->store, desc, &d, &isnull);
	}
	pfree(row.data);
	MemoryContextSwitchTo(oldcxt);
	if (mysql_errno(remote->conn) != 0)
	{
		remote->active_res = NULL;
		remote->active = NULL;
		remote->owed_pos = remote->nowed;
		drain_owed(remote, false);
		raise_remote_error(remote, query->sql);
	}
	query_finish(query);
	query->done = false;		/* rows remain, in the store */
}

/* the next row of a query whose rows were read ahead */
static bool
next_buffered_row(GrantRemoteQuery *query, char **values, int *lengths,
				  int ncols)
{
	bytea	   *b;
	const char *p;
	MemoryContext oldcxt;
	bool		isnull;
	int			i;

	if (query->store == NULL)
		return false;
	if (!grant_rowbuffer_next(query->store, query->store_slot, query->row_cxt))
	{
		tuplestore_end(query->store);
		query->store = NULL;
		ExecDropSingleTupleTableSlot(query->store_slot);
		query->store_slot = NULL;
		query->done = true;
		return false;
	}
	oldcxt = MemoryContextSwitchTo(query->row_cxt);
	b = DatumGetByteaPCopy(slot_getattr(query->store_slot, 1, &isnull));
	p = VARDATA(b);
	for (i = 0; i < query->nfields; i++)
	{
		int32		len;
		char	   *copy = NULL;

		memcpy(&len, p, sizeof(len));
		p += sizeof(len);
		if (len >= 0)
		{
			copy = palloc(len + 1);
			memcpy(copy, p, len);
			copy[len] = '\0';
			p += len;
		}
		if (i < ncols)
		{
			if (copy == NULL)
				values[i] = NULL;
			else
			{
				int			outlen;

				values[i] = to_server(copy, len, &outlen);
				if (lengths)
					lengths[i] = outlen;
			}
		}
	}
	for (; i < ncols; i++)
		values[i] = NULL;
	MemoryContextSwitchTo(oldcxt);
	return true;
}

static int
my_nfields(GrantRemoteQuery *query)
{
	return query->nfields;
}

/* MySQL answers in text */
static Oid
my_column_type(GrantRemoteQuery *query, int col)
{
	return InvalidOid;
}

/*
 * Rows changed by a command; for a statement with rows (INSERT ...
 * RETURNING, DELETE ... RETURNING), the rows it returned.
 */
static uint64
my_rows_affected(GrantRemoteQuery *query)
{
	return query->affected;
}

/* read and drop what is left of the query's rows */
static void
my_close(GrantRemoteQuery *query)
{
	char	   *dummy[1];

	if (query == NULL)
		return;
	if (query->buffered)
	{
		if (query->store)
		{
			tuplestore_end(query->store);
			query->store = NULL;
			ExecDropSingleTupleTableSlot(query->store_slot);
			query->store_slot = NULL;
		}
		query->done = true;
		return;
	}
	while (!query->done && my_next_row(query, dummy, NULL, 0))
		;
}

/*
 * After a local error: cancel what runs, complete an interrupted call,
 * drop the streaming result and every answer owed.  Runs with interrupts
 * held, so every wait is bounded: a server that does not answer the
 * cancel is hung (or gone) and the connection is dropped at once; one
 * that did has CANCEL_DRAIN_MS to answer the killed statement.  A
 * terminating backend drops it without a word.  Never raises.  false
 * when the connection must be dropped.
 */
static bool
my_abort_cleanup(GrantRemote *remote)
{
	bool		running;

	if (my_is_broken(remote))
		return false;
	/* a statement sent whose answer was not read may still run */
	running = remote->call.op != NB_NONE || remote->active_res != NULL ||
		remote->nowed > remote->owed_pos;
	if (!running)
	{
		remote->active = NULL;
		return true;
	}
	if (terminating() || !send_kill(remote))
	{
		remote->broken = true;
		return false;
	}
	if (!drain_quietly(remote,
					   TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
												   CANCEL_DRAIN_MS),
					   false))
	{
		remote->broken = true;
		return false;
	}
	return true;
}

/* ask the server to stop what the connection runs; never raises */
static void
my_cancel(GrantRemote *remote)
{
	(void) send_kill(remote);
}

/*
 * KILL QUERY on a second, short-lived connection as the same user (who
 * may always kill their own statements), under the same transport and
 * password rules as the main connection.  Every wait is bounded by
 * CANCEL_TIMEOUT_MS in all and none is interruptible (this runs where
 * interrupts are held); a terminating backend gives up at once.  true
 * when the server answered the KILL QUERY.  Never raises.
 */
static bool
send_kill(GrantRemote *remote)
{
	TimestampTz deadline;
	MYSQL	   *conn;
	MyConnParams p = remote->params;
	MemoryContext oldcxt = CurrentMemoryContext;
	volatile bool answered = false;
	volatile bool connecting = true;
	volatile bool abandoned = false;

	if (remote->conn == NULL || remote->thread_id == 0 || terminating())
		return false;
	conn = mysql_init(NULL);
	if (conn == NULL)
		return false;
	p.connect_timeout = CANCEL_CONNECT_TIMEOUT;
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
										   CANCEL_TIMEOUT_MS);
	PG_TRY();
	{
		MYSQL	   *ret = NULL;
		int			iret = 1;
		int			status = 0;
		int			ready = 1;
		char		sql[64];

		if (params_apply(conn, &p) == NULL && password_rules(conn, &p))
		{
			status = mysql_real_connect_start(&ret, conn, p.host, p.user,
											  p.password, NULL, p.port,
											  p.socket, 0);
			while (status != 0 &&
				   (ready = wait_socket(conn, status, deadline, false)) != 0)
				status = mysql_real_connect_cont(&ret, conn, ready);
			connecting = status != 0;
			if (status == 0 && ret != NULL)
			{
				snprintf(sql, sizeof(sql), "KILL QUERY %lu", remote->thread_id);
				status = mysql_real_query_start(&iret, conn, sql, strlen(sql));
				while (status != 0 &&
					   (ready = wait_socket(conn, status, deadline, false)) != 0)
					status = mysql_real_query_cont(&iret, conn, ready);
				answered = status == 0 &&
					(iret == 0 || mysql_errno(conn) < CR_MIN_ERROR);
			}
			abandoned = status != 0;
		}
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		FlushErrorState();
		abandoned = true;
	}
	PG_END_TRY();
	close_handle(conn, abandoned, connecting);
	return answered;
}

/*
 * Quoting is quote.c's, as for the SQL functions: backticks (the same under
 * every sql_mode), UTF-8, and a name MySQL would not keep as written is
 * refused; a literal is a hex string with the utf8mb4 introducer.
 */
static void
my_quote_identifier(StringInfo buf, const char *ident)
{
	grant_append_identifier(buf, GRANT_ADAPTER_MYSQL, ident);
}

static void
my_quote_literal(StringInfo buf, const char *value)
{
	grant_append_string(buf, GRANT_ADAPTER_MYSQL, value, strlen(value));
}

/* the first column of the only row of a query, palloc'd, or NULL */
static char *
my_single_value(GrantRemote *remote, const char *sql)
{
	GrantRemoteQuery *query = my_query(remote, sql, NULL, 0, NULL, false);
	char	   *row[1];
	char	   *result = NULL;

	while (my_next_row(query, row, NULL, 1))
	{
		if (result == NULL && row[0] != NULL)
			result = pstrdup(row[0]);
	}
	my_close(query);
	return result;
}

/*
 * COMMIT, then the writer's GTID position: it contains the commit's GTID,
 * so a replica whose @@gtid_slave_pos reaches it shows the commit.
 */
static char *
my_commit_position(GrantRemote *remote)
{
	my_commit(remote, true);
	return my_single_value(remote, "SELECT @@gtid_binlog_pos");
}

/*
 * Has this replica applied position?  MASTER_GTID_WAIT waits on the server
 * itself, up to wait_ms (0 when reached, -1 on timeout, NULL when the
 * server does not replicate).
 */
static bool
my_caught_up(GrantRemote *remote, const char *position, int wait_ms)
{
	StringInfoData sql;
	char	   *answer;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT MASTER_GTID_WAIT(");
	my_quote_literal(&sql, position);
	appendStringInfo(&sql, ", %d.%03d)", Max(wait_ms, 0) / 1000, Max(wait_ms, 0) % 1000);
	answer = my_single_value(remote, sql.data);
	pfree(sql.data);
	return answer != NULL && strcmp(answer, "0") == 0;
}

/*
 * How far this replica is behind: Seconds_Behind_Master of SHOW SLAVE
 * STATUS (it needs the SLAVE MONITOR privilege), in milliseconds; a
 * replica whose SQL thread is stopped is behind by an unknown, large
 * amount; -1 when the server is not a replica or will not say.
 */
static int64
my_lag_ms(GrantRemote *remote)
{
	GrantRemoteQuery *volatile query = NULL;
	MemoryContext oldcxt = CurrentMemoryContext;
	int			col = -1;
	int64		lag = -1;
	char	  **row;

	/* without the SLAVE MONITOR privilege the lag is unknown, not an error */
	PG_TRY();
	{
		query = my_query(remote, "SHOW SLAVE STATUS", NULL, 0, NULL, false);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		if (my_is_broken(remote))
			PG_RE_THROW();
		FlushErrorState();
	}
	PG_END_TRY();
	if (query == NULL)
		return -1;

	if (remote->active_res != NULL)
	{
		MYSQL_FIELD *fields = mysql_fetch_fields(remote->active_res);
		unsigned int n = mysql_num_fields(remote->active_res);
		unsigned int i;

		for (i = 0; i < n; i++)
			if (strcmp(fields[i].name, "Seconds_Behind_Master") == 0)
				col = (int) i;
	}
	row = palloc0(sizeof(char *) * Max(query->nfields, 1));
	if (col >= 0 && my_next_row(query, row, NULL, query->nfields))
		lag = row[col] == NULL ? INT64CONST(4611686018427387904) :
			strtoi64(row[col], NULL, 10) * 1000;
	my_close(query);
	return lag;
}
