/*-------------------------------------------------------------------------
 *
 * grant.h
 *		  Shared declarations of grant, grouped by the file that defines them.
 *
 * Data flows one way: registry -> router -> connection cache -> adapter.
 * The planner/executor glue (scan.c, modify.c) asks the router for an
 * endpoint at execution time and the deparser for the remote SQL.  Only
 * the adapter files (adapter_*.c) and url.c include libpq-fe.h or mysql.h;
 * everything else talks to a remote through the GrantAdapter callbacks.
 *
 *-------------------------------------------------------------------------
 */
#ifndef GRANT_H
#define GRANT_H

#include "postgres.h"

#include "access/xact.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"
#include "portability/instr_time.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

struct ExplainState;
struct LWLock;

#define GRANT_SCHEMA			"grant_fdw"
#define GRANT_REGISTRY_TABLE	"endpoints"
#define GRANT_DEFAULT_SHARD		"default"

/*
 * Room for the name of a prepared remote transaction and its NUL: MySQL's
 * XA takes at most 64 bytes (PostgreSQL 200).
 */
#define GRANT_GID_SIZE			65

typedef enum GrantAdapterKind
{
	GRANT_ADAPTER_POSTGRESQL = 0,
	GRANT_ADAPTER_MYSQL = 1
} GrantAdapterKind;

/* role of an endpoint in the registry */
typedef enum GrantRole
{
	GRANT_ROLE_WRITING = 0,
	GRANT_ROLE_READING = 1
} GrantRole;

/* values of the grant.role setting */
typedef enum GrantRoleMode
{
	GRANT_ROLE_MODE_AUTO = 0,
	GRANT_ROLE_MODE_WRITING,
	GRANT_ROLE_MODE_READING
} GrantRoleMode;

/*
 * One endpoint: a registry row, or the single endpoint of a registry-less
 * server.  All strings (and the options list) are palloc'd in the context of
 * whoever built the struct.  'password' and any option for which
 * grant_option_is_secret() is true are secrets: never printed anywhere.
 */
typedef struct GrantEndpoint
{
	int32		id;				/* registry id; 0 for a registry-less server */
	char	   *database;		/* logical database name ('primary', ...) */
	GrantAdapterKind adapter;
	GrantRole	role;
	char	   *shard;
	int			weight;
	char	   *host;			/* NULL: adapter default */
	int			port;			/* 0: adapter default */
	char	   *dbname;			/* NULL: adapter default */
	char	   *user;			/* NULL: adapter default */
	char	   *password;		/* NULL: none */
	List	   *options;		/* DefElem list (string values): further
								 * connection parameters */
	bool		pooler;			/* reached through a transaction pooler
								 * (server option pooler): no session state */
	Oid			registered_by;	/* who chose it: the role that registered it,
								 * the owner of a registry-less server;
								 * InvalidOid when not known */
} GrantEndpoint;

/*
 * The SQL name of a transaction isolation level (XACT_* of access/xact.h),
 * the same in PostgreSQL and MySQL; READ UNCOMMITTED is READ COMMITTED, as
 * PostgreSQL runs it.
 */
static inline const char *
grant_isolation_sql(int isolation)
{
	if (isolation >= XACT_SERIALIZABLE)
		return "SERIALIZABLE";
	if (isolation == XACT_REPEATABLE_READ)
		return "REPEATABLE READ";
	return "READ COMMITTED";
}

/* opaque handles owned by an adapter */
typedef struct GrantRemote GrantRemote;
typedef struct GrantRemoteQuery GrantRemoteQuery;

/*
 * The adapter boundary: everything grant does with a remote server.
 *
 * Errors are raised with ereport inside the callbacks: connection trouble
 * as 08xxx, remote errors with the remote SQLSTATE, the remote message in
 * errmsg/errdetail and the remote SQL in errcontext.  Waiting callbacks
 * honour query cancel (CHECK_FOR_INTERRUPTS); the caller cancels the remote
 * side on abort through 'cancel'.
 */
typedef struct GrantAdapter
{
	const char *name;			/* "postgresql" or "mysql" */
	GrantAdapterKind kind;

	/* parse a URL (or libpq keyword string) into ep's connection fields */
	void		(*parse_url) (const char *url, GrantEndpoint *ep);

	/*
	 * Open a connection.  user/password override the endpoint's when not
	 * NULL.  password_required: the remote must have asked for and used a
	 * password, else the connection is closed and an error raised.  The
	 * handle is malloc'd (lives across transactions).
	 */
	GrantRemote *(*connect) (const GrantEndpoint *ep, const char *user,
							 const char *password, bool password_required,
							 const char *application_name);
	void		(*disconnect) (GrantRemote *remote);
	/* true when the connection is known to be unusable */
	bool		(*is_broken) (GrantRemote *remote);
	/*
	 * Before a new remote transaction: read what the last one still owes
	 * and check the connection; false when it must be re-established.
	 */
	bool		(*check_idle) (GrantRemote *remote);

	/*
	 * Remote transaction control.  'begin' and 'command' are queued and
	 * travel with the next query or 'sync'; an error surfaces there.  A
	 * 'commit' with wait = false (nothing was written) does not wait for
	 * its answer.  'rollback' is queued too and never raises.
	 */
	void		(*begin) (GrantRemote *remote, int isolation, bool read_only);
	void		(*command) (GrantRemote *remote, const char *sql);
	/*
	 * A statement for 'command' that gives the session back the settings
	 * the adapter made it with (search_path, time zone, sql_mode...), also
	 * inside a transaction: run after SQL of the caller's (execute(),
	 * query()), which shares the session with grant's own statements.
	 */
	const char *restore_settings_sql;
	/*
	 * Queue a statement with text parameters; its rows are discarded.
	 * With stmt_name, the statement prepared under that name runs (sql is
	 * then only the context of an error).
	 */
	void		(*send) (GrantRemote *remote, const char *sql,
						 const char *stmt_name, int nparams,
						 const char *const *values);
	/*
	 * Queue the preparation of sql under stmt_name (unique on the
	 * connection), and later its removal.  Statements still prepared when
	 * a remote transaction rolls back are all removed then.
	 */
	void		(*prepare) (GrantRemote *remote, const char *stmt_name,
							const char *sql);
	void		(*deallocate) (GrantRemote *remote, const char *stmt_name);
	/* number of queued answers not read yet */
	int			(*npending) (GrantRemote *remote);
	void		(*sync) (GrantRemote *remote);
	void		(*commit) (GrantRemote *remote, bool wait);
	/* level 0: the transaction; n > 0: back to savepoint sn, released */
	void		(*rollback) (GrantRemote *remote, int savepoint_level);

	/*
	 * Two-phase commit (grant.two_phase_commit).
	 *
	 * begin_preparable: like begin (read-write), for a transaction that may
	 * be prepared later under gid.  NULL when any transaction can be
	 * prepared (PostgreSQL): the gid is then chosen at prepare time.  With
	 * it, 'commit' and 'rollback' end such a transaction in one phase.
	 *
	 * prepare_xact: prepare the open transaction under gid (the one given
	 * to begin_preparable, if any) and wait; raises on failure.  Afterwards
	 * the connection serves only finish_prepared of that gid.
	 *
	 * finish_prepared: COMMIT or ROLLBACK the transaction prepared under
	 * gid, from any connection to the same server; waits, raises.
	 *
	 * list_prepared: the gids of the transactions prepared on the server
	 * (PostgreSQL: in the connection's database) that start with prefix,
	 * as a List of palloc'd strings.  Runs outside a remote transaction.
	 */
	void		(*begin_preparable) (GrantRemote *remote, int isolation,
									 const char *gid);
	void		(*prepare_xact) (GrantRemote *remote, const char *gid);
	void		(*finish_prepared) (GrantRemote *remote, const char *gid,
									bool commit);
	List	   *(*list_prepared) (GrantRemote *remote, const char *prefix);

	/*
	 * Send a query with text parameters (NULL entry = SQL NULL); rows are
	 * streamed by next_row.  The handle lives in CurrentMemoryContext.  One
	 * query at a time per connection.
	 */
	GrantRemoteQuery *(*query) (GrantRemote *remote, const char *sql,
								const char *stmt_name, int nparams,
								const char *const *values, bool binary);
	/*
	 * Like query (no parameters), for text a user wrote (execute(),
	 * query()): the remote itself refuses more than one statement in it.
	 * NULL when query already does (PostgreSQL's extended protocol).
	 */
	GrantRemoteQuery *(*query_single) (GrantRemote *remote, const char *sql);
	/*
	 * Next row: values[i] is the column's value or NULL for SQL NULL: a C
	 * string, or with binary = true (an adapter may ignore it and answer
	 * in text: see column_type) the type's binary send format, of
	 * lengths[i] bytes (lengths may be NULL for text).  The values stay
	 * valid until the next call on the same query.  false at the end.
	 */
	bool		(*next_row) (GrantRemoteQuery *query, char **values,
							 int *lengths, int ncols);
	int			(*nfields) (GrantRemoteQuery *query);
	/*
	 * PostgreSQL type OID of a result column as the remote reports it, once
	 * a row (or the end) was read; InvalidOid when the adapter answers in
	 * text whatever was asked.
	 */
	Oid			(*column_type) (GrantRemoteQuery *query, int col);
	/* rows affected by a command (after next_row returned false) */
	uint64		(*rows_affected) (GrantRemoteQuery *query);
	/* read and drop what is left; safe to call more than once */
	void		(*close) (GrantRemoteQuery *query);

	/*
	 * After a local error: cancel what runs and bring the connection back
	 * to idle; false when it must be dropped.  Never raises.
	 */
	bool		(*abort_cleanup) (GrantRemote *remote);
	/* ask the remote to cancel what it runs now; never raises */
	void		(*cancel) (GrantRemote *remote);

	/* dialect */
	void		(*quote_identifier) (StringInfo buf, const char *ident);
	void		(*quote_literal) (StringInfo buf, const char *value);

	/*
	 * Replication positions, for read-your-writes and lag limits.  Each may
	 * be NULL when the adapter cannot tell (grant then keeps reads of a
	 * writing session on the writer).  All run outside a remote transaction.
	 *
	 * commit_position: COMMIT, then the writer's position that a replica
	 * must have replayed to show that commit (palloc'd text, e.g. an LSN).
	 * caught_up: whether this replica has replayed position, waiting up to
	 * wait_ms for it.  lag_ms: how far this replica is behind, in
	 * milliseconds (0 when it has replayed all it received), -1 unknown.
	 */
	char	   *(*commit_position) (GrantRemote *remote);
	bool		(*caught_up) (GrantRemote *remote, const char *position,
							  int wait_ms);
	int64		(*lag_ms) (GrantRemote *remote);
} GrantAdapter;

/*
 * Planner state of a foreign relation, kept in RelOptInfo->fdw_private.
 * Base relations are filled by plan.c; join and upper relations by
 * pushdown.c.  The deparser reads it.
 */
typedef struct GrantRelInfo
{
	bool		pushdown_safe;	/* can the relation be computed remotely? */
	Oid			serverid;
	ForeignServer *server;
	ForeignTable *table;		/* base relations only */
	GrantAdapterKind dialect;	/* which deparser writes its SQL */
	bool		mixed;			/* shards of both dialects: PostgreSQL's
								 * SQL first, MySQL's beside it, and only
								 * what both can evaluate is shipped */
	char	   *database;		/* registry database, or NULL */

	List	   *remote_conds;	/* RestrictInfos shipped in WHERE */
	List	   *local_conds;	/* RestrictInfos checked locally */
	Bitmapset  *attrs_used;		/* columns needed (base relations) */
	QualCost	local_conds_cost;
	Selectivity local_conds_sel;
	double		rows;
	int			width;
	Cost		startup_cost;
	Cost		total_cost;
	int			fetch_size;
	double		retrieved_rows; /* rows the remote sends (before local_conds) */
	Cost		remote_startup_cost;	/* remote work before the first row */
	Cost		remote_run_cost;	/* remote work for all the rows */
	bool		qp_is_pushdown_safe;	/* query_pathkeys can be sent */
	bool		sharded;		/* its database has several shards: only
								 * WHERE and columns are sent, the rest is
								 * computed here over every shard's rows */

	/* join relations */
	RelOptInfo *outerrel;
	RelOptInfo *innerrel;
	JoinType	jointype;
	List	   *joinclauses;

	/* upper relations */
	UpperRelationKind stage;
	List	   *grouped_tlist;

	/* EXPLAIN: e.g. "public.users" or "(public.a) INNER JOIN (public.b)" */
	char	   *relation_name;
	int			relation_index;	/* alias number used in remote SQL */
	bool		make_outerrel_subquery;
	bool		make_innerrel_subquery;
	Relids		lower_subquery_rels;
	Relids		hidden_subquery_rels;
} GrantRelInfo;

/*
 * ForeignScan->fdw_private, indexed by this enum (planner side writes it,
 * executor side reads it).  fdw_exprs holds the expressions whose values
 * are sent as remote parameters $1..$n, in order.
 */
enum GrantScanPrivateIndex
{
	GrantScanSQL,				/* String: remote SQL */
	GrantScanRetrievedAttrs,	/* Integer list: attnums (base rel) or
								 * 1-based fdw_scan_tlist positions */
	GrantScanFetchSize,			/* Integer */
	GrantScanForUpdate,			/* Boolean: locks rows or feeds a modify:
								 * must run on the writer */
	GrantScanRelations,			/* String: relation names for EXPLAIN;
								 * "" for base relations */
	GrantScanMySQLSQL,			/* String: the same SELECT for the MySQL
								 * shards of a mixed database; else "" */
	GrantScanExplainSQL,		/* String: GrantScanSQL with its constants
								 * as literals, for EXPLAIN; "" when it has
								 * none */
	GrantScanShardKeys,			/* Integer: how many expressions at the end
								 * of fdw_exprs give shard key values (they
								 * are not remote parameters) */
	GrantScanShardKeyArrays		/* Integer list: per such expression,
								 * whether it yields an array of keys */
};

/* ForeignModify fdw_private (UPDATE/DELETE by ctid, INSERT) */
enum GrantModifyPrivateIndex
{
	GrantModifySQL,				/* String: remote SQL (INSERT: one row) */
	GrantModifyTargetAttrs,		/* Integer list: target attnums */
	GrantModifyValuesEnd,		/* Integer: INSERT, length of the SQL up to
								 * the end of VALUES, for batching */
	GrantModifyHasReturning,	/* Boolean */
	GrantModifyRetrievedAttrs,	/* Integer list: RETURNING attnums */
	GrantModifyKeyAttrs,		/* Integer list: row identity attnums, MySQL
								 * only (absent: the row is found by ctid) */
	GrantModifyReselectSQL,		/* String: MySQL UPDATE with RETURNING: the
								 * SELECT that reads the new row back */
	/* INSERT into a mixed database: the statement for its MySQL shards */
	GrantModifyMySQLSQL,		/* String */
	GrantModifyMySQLValuesEnd,	/* Integer */
	GrantModifyMySQLRetrievedAttrs	/* Integer list */
};

/* ForeignScan fdw_private of a direct UPDATE/DELETE */
enum GrantDirectModifyPrivateIndex
{
	GrantDirectModifySQL,		/* String */
	GrantDirectModifyHasReturning,	/* Boolean */
	GrantDirectModifyRetrievedAttrs,	/* Integer list */
	GrantDirectModifySetProcessed,	/* Boolean */
	GrantDirectModifyMySQLSQL,	/* as GrantScanMySQLSQL */
	GrantDirectModifyShardKeys, /* as GrantScanShardKeys */
	GrantDirectModifyShardKeyArrays /* as GrantScanShardKeyArrays */
};

/* in grant.c: settings */
typedef enum GrantReadYourWrites
{
	GRANT_RYW_LSN = 0,
	GRANT_RYW_DELAY,
	GRANT_RYW_OFF
} GrantReadYourWrites;

typedef enum GrantRemoteIsolation
{
	GRANT_ISOLATION_FOLLOW = 0,	/* the local transaction's level */
	GRANT_ISOLATION_AT_LEAST_RR /* READ COMMITTED runs as REPEATABLE READ */
} GrantRemoteIsolation;

typedef enum GrantReaderFallback
{
	GRANT_FALLBACK_WRITER = 0,
	GRANT_FALLBACK_ERROR
} GrantReaderFallback;

extern void _PG_init(void);
extern int	grant_down_retry_interval;	/* ms */
extern bool grant_prohibit_shard_swapping;
extern bool grant_two_phase_commit;
extern int	grant_commit_prepared_delay;	/* ms; a testing aid */
extern int	grant_health_check_interval;	/* ms */
extern int	grant_idle_timeout;	/* ms, 0 = never */
extern int	grant_log_routing;	/* elevel, 0 = off */
extern int	grant_max_connections_per_endpoint;	/* 0 = no limit */
extern int	grant_max_replica_lag;	/* ms, -1 = off */
extern int	grant_read_your_writes;	/* GrantReadYourWrites */
extern int	grant_reader_fallback;	/* GrantReaderFallback */
extern int	grant_remote_isolation;	/* GrantRemoteIsolation */
extern int	grant_replica_delay;	/* ms */
extern int	grant_replica_wait;	/* ms */
extern int	grant_role_mode;		/* GrantRoleMode */
extern char *grant_shard;
extern bool grant_prevent_writes;

/* in adapter_pg.c */
extern const GrantAdapter grant_pg_adapter;

/* in adapter_mysql.c */
extern const GrantAdapter grant_mysql_adapter;

/* in registry.c */
extern void grant_registry_init(void);
extern const GrantAdapter *grant_adapter(GrantAdapterKind kind);
extern const char *grant_adapter_name(GrantAdapterKind kind);
extern bool grant_adapter_from_name(const char *name, GrantAdapterKind *kind);
extern List *grant_registry_endpoints(const char *database);
extern List *grant_registry_all_endpoints(void);
extern bool grant_registry_has_database(const char *database);
extern char *grant_endpoint_label(const GrantEndpoint *ep);
extern GrantEndpoint *grant_endpoint_copy(const GrantEndpoint *ep);
extern bool grant_is_registry_admin(Oid roleid);
extern uint32 grant_registry_generation(void);
extern void grant_rethrow_hiding_statement(MemoryContext cxt) pg_attribute_noreturn();

/* in url.c */
extern bool grant_url_adapter(const char *url, GrantAdapterKind *kind);
extern void grant_pg_parse_url(const char *url, GrantEndpoint *ep);
extern void grant_mysql_parse_url(const char *url, GrantEndpoint *ep);
extern bool grant_mysql_param(const char *name, const char *value,
							  char **canon_name, char **canon_value);
extern char *grant_mysql_param_names(void);
extern char *grant_endpoint_url(const GrantEndpoint *ep);

/* in deparse_pg.c */
extern void grant_pg_append_literal(StringInfo buf, const char *val);
extern bool grant_pg_is_foreign_expr(PlannerInfo *root, RelOptInfo *rel,
									 Expr *expr);
extern EquivalenceMember *grant_pg_find_em(PlannerInfo *root, RelOptInfo *rel,
										   PathKey *pk);
extern bool grant_pg_pathkeys_are_shippable(PlannerInfo *root,
											RelOptInfo *rel, List *pathkeys);
extern List *grant_pg_build_tlist_to_deparse(RelOptInfo *rel);
extern RelOptInfo *grant_scan_rel_of(RelOptInfo *rel);
extern void grant_pg_deparse_select(StringInfo buf, PlannerInfo *root,
									RelOptInfo *rel, List *tlist,
									List *remote_conds, List *pathkeys,
									bool has_final_sort, bool has_limit,
									bool consts_as_params, bool *printed_const,
									List **retrieved_attrs, List **params_list);
extern void grant_pg_deparse_relation(StringInfo buf, Relation rel);
extern void grant_pg_deparse_insert(StringInfo buf, Index rtindex, Relation rel,
									List *target_attrs, bool do_nothing,
									List *with_check_options,
									List *returning_list,
									List **retrieved_attrs, int *values_end_len);
extern void grant_pg_deparse_insert_sql(StringInfo buf, Relation rel,
										List *target_attrs, bool do_nothing,
										bool returning_all,
										List **retrieved_attrs,
										int *values_end_len);
extern void grant_pg_rebuild_insert_sql(StringInfo buf, Relation rel,
										const char *orig_sql, List *target_attrs,
										int values_end_len, int num_params,
										int nrows);
extern void grant_pg_deparse_copy_from(StringInfo buf, Relation rel,
									   List *target_attrs);
extern void grant_pg_deparse_update(StringInfo buf, Index rtindex, Relation rel,
									List *target_attrs,
									List *with_check_options,
									List *returning_list,
									List **retrieved_attrs);
extern void grant_pg_deparse_delete(StringInfo buf, Index rtindex, Relation rel,
									List *returning_list,
									List **retrieved_attrs);
extern void grant_pg_deparse_direct_update(StringInfo buf, PlannerInfo *root,
										   Index rtindex, Relation rel,
										   RelOptInfo *foreignrel,
										   List *target_attrs,
										   List *target_exprs,
										   List *remote_conds,
										   List *returning_list,
										   List **params_list,
										   List **retrieved_attrs);
extern void grant_pg_deparse_direct_delete(StringInfo buf, PlannerInfo *root,
										   Index rtindex, Relation rel,
										   RelOptInfo *foreignrel,
										   List *remote_conds,
										   List *returning_list,
										   List **params_list,
										   List **retrieved_attrs);
extern void grant_pg_deparse_truncate(StringInfo buf, List *rels,
									  DropBehavior behavior, bool restart_seqs);

/* in deparse_mysql.c */
extern void grant_mysql_deparse_relation(StringInfo buf, Relation rel);
extern bool grant_mysql_is_foreign_expr(PlannerInfo *root, RelOptInfo *rel,
										Expr *expr);
extern bool grant_mysql_pathkeys_are_shippable(PlannerInfo *root,
											   RelOptInfo *rel, List *pathkeys);
extern bool grant_mysql_limit_is_shippable(Node *node);
extern void grant_mysql_deparse_select(StringInfo buf, PlannerInfo *root,
									   RelOptInfo *rel, List *remote_conds,
									   List *pathkeys, bool has_limit,
									   List **retrieved_attrs,
									   List **params_list);
extern Bitmapset *grant_mysql_returning_attrs(Index rtindex, bool trig_after_row,
											  List *with_check_options,
											  List *returning_list);
extern void grant_mysql_deparse_insert(StringInfo buf, Relation rel,
									   List *target_attrs,
									   Bitmapset *returning_attrs,
									   List **retrieved_attrs,
									   int *values_end_len);
extern void grant_mysql_rebuild_insert_sql(StringInfo buf, Relation rel,
										   const char *orig_sql,
										   List *target_attrs,
										   int values_end_len, int num_params,
										   int nrows);
extern List *grant_mysql_key_attrs(Relation rel);
extern void grant_mysql_check_key(Relation rel, List *key_attrs);
extern void grant_mysql_deparse_update(StringInfo buf, Relation rel,
									   List *target_attrs, List *key_attrs);
extern void grant_mysql_deparse_reselect(StringInfo buf, Relation rel,
										 List *key_attrs,
										 Bitmapset *returning_attrs,
										 List **retrieved_attrs);
extern void grant_mysql_deparse_delete(StringInfo buf, Relation rel,
									   List *key_attrs,
									   Bitmapset *returning_attrs,
									   List **retrieved_attrs);
extern void grant_mysql_deparse_direct(StringInfo buf, PlannerInfo *root,
									   Index rtindex, Relation rel,
									   List *target_attrs, List *target_exprs,
									   List *remote_conds,
									   Bitmapset *returning_attrs,
									   List **params_list,
									   List **retrieved_attrs);
extern bool grant_mysql_value_is_shippable(Node *expr, Oid coltype, Index relid,
										   Bitmapset *assigned_before);
extern void grant_mysql_deparse_truncate(StringInfo buf, Relation rel);

/* in plan.c */

/* what a path adds on top of its relation: ORDER BY and LIMIT */
typedef struct GrantPathExtra
{
	List	   *pathkeys;		/* remote ORDER BY, or NIL */
	bool		has_final_sort; /* pathkeys are the query's ORDER BY */
	bool		has_limit;		/* the query's LIMIT/OFFSET is shipped */
	double		limit_tuples;	/* rows the LIMIT lets through, or -1 */
	int64		count_est;
	int64		offset_est;
} GrantPathExtra;

extern void grantGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
								   Oid foreigntableid);
extern void grantGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
								 Oid foreigntableid);
extern ForeignScan *grantGetForeignPlan(PlannerInfo *root, RelOptInfo *foreignrel,
										Oid foreigntableid, ForeignPath *best_path,
										List *tlist, List *scan_clauses,
										Plan *outer_plan);
extern void grantAddForeignUpdateTargets(PlannerInfo *root, Index rtindex,
										 RangeTblEntry *target_rte,
										 Relation target_relation);
extern List *grantPlanForeignModify(PlannerInfo *root, ModifyTable *plan,
									Index resultRelation, int subplan_index);
extern bool grantPlanDirectModify(PlannerInfo *root, ModifyTable *plan,
								  Index resultRelation, int subplan_index);
extern int	grantIsForeignRelUpdatable(Relation rel);
extern bool grantIsForeignPathAsyncCapable(ForeignPath *path);
extern void grant_estimate_path_cost(PlannerInfo *root, RelOptInfo *rel,
									 const GrantPathExtra *extra,
									 double *rows, int *width,
									 Cost *startup_cost, Cost *total_cost);
extern List *grant_path_private(const GrantPathExtra *extra);
extern LockClauseStrength grant_scan_lock(PlannerInfo *root, RelOptInfo *rel,
										  LockWaitPolicy *wait);
extern void grant_append_lock_wait(StringInfo buf, LockWaitPolicy wait);

/* in pushdown.c */
extern void grantGetForeignJoinPaths(PlannerInfo *root, RelOptInfo *joinrel,
									 RelOptInfo *outerrel, RelOptInfo *innerrel,
									 JoinType jointype, JoinPathExtraData *extra);
extern void grantGetForeignUpperPaths(PlannerInfo *root, UpperRelationKind stage,
									  RelOptInfo *input_rel, RelOptInfo *output_rel,
									  void *extra);

/* in scan.c */

/* how one remote column becomes a local datum */
typedef enum GrantColumnConversion
{
	GRANT_CONVERT_TEXT,			/* local input function on text */
	GRANT_CONVERT_TEXT_PORTABLE,	/* the same, read in UTC: text of
									 * another type, without a zone */
	GRANT_CONVERT_BINARY,		/* local receive function: same type */
	GRANT_CONVERT_VIA_TEXT		/* binary of another built-in type: its
								 * receive, its output and the local
								 * input, in the portable forms */
} GrantColumnConversion;

/* conversion of remote rows into tuples of a descriptor */
typedef struct GrantRowReader
{
	TupleDesc	tupdesc;
	List	   *retrieved_attrs;	/* attnums, in remote column order */
	int			ncols;			/* length of retrieved_attrs */
	int		   *attnums;		/* retrieved_attrs as an array */
	FmgrInfo   *infuncs;		/* per attribute of tupdesc */
	FmgrInfo   *recvfuncs;		/* per attribute, when binary */
	Oid		   *typioparams;
	int32	   *typmods;
	char	  **raw;			/* per remote column, filled by next_row */
	int		   *lengths;		/* per remote column */
	bool		has_ctid;
	bool		heap_rows;		/* rows are heap tuples, so that system
								 * columns read as on any foreign row */
	bool		binary;			/* results asked in binary */
	bool		checked;		/* remote column types verified */
	GrantColumnConversion *conversion;	/* per remote column */
	FmgrInfo   *remote_recv;	/* per remote column, for VIA_TEXT */
	FmgrInfo   *remote_out;
	Oid		   *remote_ioparams;
	const char *relname;		/* for errors */
} GrantRowReader;

/* parameters sent with a remote query, as text */
typedef struct GrantParams
{
	int			num;
	FmgrInfo   *outfuncs;
	List	   *exprs;			/* ExprState list */
	const char **values;
} GrantParams;

extern void grant_reader_init(GrantRowReader *reader, TupleDesc tupdesc,
							  List *retrieved_attrs, bool allow_binary);
extern void grant_reader_recheck(GrantRowReader *reader);
extern void grant_store_row(GrantRowReader *reader, TupleTableSlot *slot,
							MemoryContext row_cxt,
							const GrantAdapter *adapter,
							GrantRemoteQuery *query);
extern bool grant_binary_transfer(ForeignServer *server, ForeignTable *table);
extern void grantBeginForeignScan(ForeignScanState *node, int eflags);
extern TupleTableSlot *grantIterateForeignScan(ForeignScanState *node);
extern void grantReScanForeignScan(ForeignScanState *node);
extern void grantEndForeignScan(ForeignScanState *node);
extern void grantExplainForeignScan(ForeignScanState *node, struct ExplainState *es);
extern void grantBeginDirectModify(ForeignScanState *node, int eflags);
extern TupleTableSlot *grantIterateDirectModify(ForeignScanState *node);
extern void grantEndDirectModify(ForeignScanState *node);
extern void grantExplainDirectModify(ForeignScanState *node, struct ExplainState *es);

/* in modify.c */
extern void grantBeginForeignModify(ModifyTableState *mtstate,
									ResultRelInfo *rinfo, List *fdw_private,
									int subplan_index, int eflags);
extern int	grantGetForeignModifyBatchSize(ResultRelInfo *rinfo);
extern TupleTableSlot **grantExecForeignBatchInsert(EState *estate,
													ResultRelInfo *rinfo,
													TupleTableSlot **slots,
													TupleTableSlot **planSlots,
													int *numSlots);
extern TupleTableSlot *grantExecForeignInsert(EState *estate, ResultRelInfo *rinfo,
											  TupleTableSlot *slot,
											  TupleTableSlot *planSlot);
extern TupleTableSlot *grantExecForeignUpdate(EState *estate, ResultRelInfo *rinfo,
											  TupleTableSlot *slot,
											  TupleTableSlot *planSlot);
extern TupleTableSlot *grantExecForeignDelete(EState *estate, ResultRelInfo *rinfo,
											  TupleTableSlot *slot,
											  TupleTableSlot *planSlot);
extern void grantEndForeignModify(EState *estate, ResultRelInfo *rinfo);
extern void grantBeginForeignInsert(ModifyTableState *mtstate,
									ResultRelInfo *rinfo);
extern void grantEndForeignInsert(EState *estate, ResultRelInfo *rinfo);
extern void grantExplainForeignModify(ModifyTableState *mtstate,
									  ResultRelInfo *rinfo, List *fdw_private,
									  int subplan_index, struct ExplainState *es);
extern void grantExecForeignTruncate(List *rels, DropBehavior behavior,
									 bool restart_seqs);

/* in import.c */
extern List *grantImportForeignSchema(ImportForeignSchemaStmt *stmt,
									  Oid serverOid);

/* in router.c */

/* where one statement on one foreign server goes, and why */
typedef struct GrantRoute
{
	GrantEndpoint *endpoint;	/* palloc'd in the caller's context */
	const char *reason;			/* constant text, for EXPLAIN and logs */
	bool		failover;		/* a read that a reader should have served
								 * went elsewhere: one was down, lagging or
								 * behind the session */
} GrantRoute;

/* in collation.c */
extern bool grant_default_collation_agrees(ForeignServer *server, Oid userid);

extern void grant_router_init(void);
extern GrantAdapterKind grant_server_dialect(ForeignServer *server);
extern bool grant_server_mixed(ForeignServer *server);
extern int	grant_begin_portable_output(bool with_timezone);
extern void grant_end_portable_output(int level);
extern bool grant_type_shows_timezone(Oid typid);
extern void grant_route(ForeignServer *server, Oid userid, bool is_write,
						GrantRoute *route);
extern List *grant_route_shards(ForeignServer *server, Oid userid, bool is_write,
								bool by_key, List *key_shards, const char **how);
extern int	grant_server_shard_count(ForeignServer *server);
extern List *grant_database_endpoints(const char *database);
extern List *grant_database_shards(const char *database);
extern void grant_router_note_commit(const char *database, const char *shard,
									 const char *position);
extern void grant_check_write_allowed(void);
extern char *grant_route_describe(const GrantRoute *route);

/* in connection.c */

/* a cached remote connection (see connection.c) */
typedef struct GrantConnection GrantConnection;

extern void grant_connection_init(void);
extern GrantConnection *grant_get_connection(ForeignServer *server, Oid userid,
											 const GrantEndpoint *ep);
extern GrantConnection *grant_probe_connection(ForeignServer *server, Oid userid,
											   const GrantEndpoint *ep,
											   char **error);
extern GrantConnection *grant_get_connection_autocommit(ForeignServer *server,
														Oid userid,
														const GrantEndpoint *ep);
extern bool grant_connection_in_xact(GrantConnection *conn);
extern struct GrantStatSlot *grant_connection_stats(GrantConnection *conn);
extern const char *grant_connection_label(GrantConnection *conn);
extern void grant_connection_discard_if_broken(GrantConnection *conn);
extern bool grant_connection_open_xact(ForeignServer *server, Oid userid,
									   const GrantEndpoint *ep);
extern bool grant_connection_read_only(GrantConnection *conn);
extern GrantRemote *grant_connection_remote(GrantConnection *conn);
extern const GrantAdapter *grant_connection_adapter(GrantConnection *conn);
extern void grant_connection_wrote(GrantConnection *conn);
extern void grant_connection_changed(GrantConnection *conn);
extern void grant_connection_check_read(GrantConnection *conn);

/* in shard.c */
typedef enum GrantShardScheme
{
	GRANT_SHARD_HASH = 0,
	GRANT_SHARD_RANGE,
	GRANT_SHARD_LIST
} GrantShardScheme;

extern List *grant_shard_names(List *endpoints);
extern const char *grant_shard_for_text(const char *database, List *shards,
										const char *key_text);
extern const char *grant_shard_for_datum(const char *database, List *shards,
										 Datum value, bool isnull, Oid typid);
extern AttrNumber grant_shard_key_attnum(Oid relid);
extern void grant_shard_key_conditions(Index rtindex, Oid relid, List *clauses,
									   List **key_exprs, List **is_array);
extern List *grant_shards_for_values(const char *database, List *shards,
									 Oid key_type, int32 key_typmod,
									 List *values);
extern void grant_shard_check_update(Oid relid, List *target_attrs);

/* in shmem.c */

/*
 * A table in shared memory when grant is preloaded, else in each backend
 * (see shmem.c).  The owner fills in the first four fields; shmem.c sets
 * the last two.
 */
typedef struct GrantSharedTable
{
	const char *name;			/* of its shared memory */
	const char *tranche;		/* LWLock tranche of its one lock, or NULL */
	Size		(*size) (int nbackends);	/* bytes for so many backends */
	/* set up zeroed memory; lock is NULL in a backend's own table */
	void		(*init) (void *table, int nbackends, struct LWLock *lock);
	void	   *table;			/* NULL until attached or first used */
	bool		shared;			/* in shared memory */
} GrantSharedTable;

extern void grant_shared_table_register(GrantSharedTable *def);
extern void *grant_shared_table(GrantSharedTable *def);

/* in health.c */
extern void grant_health_init(void);
extern bool grant_health_is_down(const GrantEndpoint *ep);
extern void grant_health_mark_down(const GrantEndpoint *ep, const char *error);
extern void grant_health_mark_up(const GrantEndpoint *ep);
extern int64 grant_health_recent_lag(const GrantEndpoint *ep, int max_age_ms);
extern void grant_health_set_lag(const GrantEndpoint *ep, int64 lag_ms);

/* in stats.c */

/* one endpoint's counters (see stats.c) */
typedef struct GrantStatSlot GrantStatSlot;

/*
 * The account of one statement on one endpoint (a "part"), kept by the
 * scan or modify that runs it: begun when it is sent, ended when its rows
 * are read, and logged then with grant.log_routing.
 */
typedef struct GrantStatPart
{
	GrantStatSlot *slot;		/* NULL: not counted */
	const GrantRoute *route;
	const char *how;			/* why these shards, or NULL */
	const char *what;			/* what runs there, e.g. scan of "t" */
	instr_time	start;
	uint64		rows;
	bool		running;
} GrantStatPart;

extern void grant_stats_init(void);
extern GrantStatSlot *grant_stats_slot(const GrantEndpoint *ep);
extern void grant_stats_connected(GrantStatSlot *slot);
extern void grant_stats_begin(GrantStatPart *part, GrantConnection *conn,
							  const GrantRoute *route, const char *how,
							  const char *what, bool is_write);
extern void grant_stats_end(GrantStatPart *part);
extern void grant_stats_error(void);
extern GrantStatSlot *volatile grant_stats_active;

/*
 * Around each adapter call made for a part: an error raised inside counts
 * as an error of that part's endpoint.  Two stores, no lock.
 */
#define GRANT_STATS_ENTER(part)	(grant_stats_active = (part)->slot)
#define GRANT_STATS_LEAVE()		(grant_stats_active = NULL)

/* in progress.c */
extern void grant_progress_init(void);
extern int	grant_progress_start(const char *relname, const GrantRoute *route,
								 const char *label);
extern void grant_progress_rows(int slot, uint64 rows, bool done);
extern void grant_progress_end(int slot);

/* rows between two publications of a scan's progress */
#define GRANT_PROGRESS_EVERY	32

/* in option.c */
extern bool grant_option_is_secret(const char *name);
extern void grant_check_endpoint_privileges(const GrantEndpoint *ep);
extern char *grant_get_option(List *options, const char *name);
extern bool grant_table_flag(Oid relid, const char *name, bool dflt);
extern GrantEndpoint *grant_server_endpoint(ForeignServer *server);
extern char *grant_server_database(ForeignServer *server);
extern void grant_table_remote_name(Relation rel, GrantAdapterKind dialect,
									char **schema, char **table);
extern char *grant_column_remote_name(Relation rel, AttrNumber attnum);

/* in rowbuffer.c */
extern bool grant_rowbuffer_next(Tuplestorestate *store, TupleTableSlot *slot,
								 MemoryContext row_cxt);

/* in run_as.c */
typedef struct GrantRunAs
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
} GrantRunAs;

extern void grant_run_as_begin(GrantRunAs *state, Oid userid);
extern void grant_run_as_end(GrantRunAs *state);
extern Oid	grant_relation_owner(Oid relid);

/* in quote.c */
extern void grant_append_literal(StringInfo buf, GrantAdapterKind dialect,
								 Datum value, bool isnull, Oid typid);
extern void grant_append_string(StringInfo buf, GrantAdapterKind dialect,
								const char *s, int len);
extern void grant_append_identifier(StringInfo buf, GrantAdapterKind dialect,
									const char *name);

#endif							/* GRANT_H */
