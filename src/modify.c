/*-------------------------------------------------------------------------
 *
 * modify.c
 *		  Executor side of INSERT, UPDATE, DELETE and TRUNCATE on grant
 *		  foreign tables.
 *
 * Every write goes to the writer of the routed database, inside the
 * remote transaction that follows the local one, after the write checks
 * (grant.prevent_writes, grant.role = 'reading').
 *
 * INSERT is batched by default: rows are sent as multi-row INSERTs, and
 * when no RETURNING needs the answers the batches are queued on the
 * connection (pipelined) and their answers read at the end of the
 * statement, so a bulk INSERT costs about one round trip per many
 * batches.  A failing batch fails the statement: the batches behind it
 * are skipped by the remote, and the local transaction aborts.
 *
 * An INSERT sends only the columns the statement supplied, explicitly or
 * by a local default (see insert_target_attrs in plan.c and
 * routed_insert_attrs here), so the remote's own defaults fill the rest
 * (serial, identity, now(), AUTO_INCREMENT) and RETURNING reads back what
 * the remote generated.  A sharded INSERT must supply the shard key.
 *
 * UPDATE and DELETE that could not be pushed down whole find each remote
 * row by the ctid the scan fetched (on MySQL: by its key columns, fetched
 * as junk columns grant_key_<attnum>); they wait for each answer, so the
 * count of rows changed is exact.
 *
 * Values are sent in text forms that do not depend on the session's
 * settings: ISO dates, floats with every digit and, to MySQL, timestamps
 * with time zone in UTC (see grant_begin_portable_output).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "rewrite/rewriteHandler.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "grant.h"

/* default rows per INSERT batch; capped so a batch has < 65535 parameters */
#define GRANT_DEFAULT_BATCH_SIZE	1000
#define GRANT_MAX_PARAMS			65535
/* queued batches after which their answers are read */
#define GRANT_MAX_QUEUED			64

/*
 * Where a modify's rows go: one target per shard (only one when the
 * database has one shard or grant.shard pins one).  A target connects at
 * its first row, so an INSERT opens connections only to the shards its
 * rows belong to.
 */
/*
 * The statements of a modify in one dialect.  A database whose shards mix
 * PostgreSQL and MySQL has one form per dialect; each target uses the
 * form of its shard's adapter.
 */
typedef struct ModifyForm
{
	char	   *sql;			/* one-row statement */
	int			values_end;
	bool		has_returning;
	GrantRowReader reader;		/* RETURNING */
	/* cached multi-row INSERT */
	char	   *batch_sql;
	int			batch_sql_rows;
} ModifyForm;

typedef struct ShardTarget
{
	GrantRoute *route;
	ModifyForm *form;			/* the statements for its adapter */
	GrantConnection *conn;		/* NULL until its first row */
	bool		queued;			/* batches queued, answers not read */
	/* statements prepared on this target's connection, or NULL */
	char	   *stmt_name;		/* the one-row statement */
	char	   *batch_stmt_name;	/* the INSERT of batch_size rows */
	GrantStatPart stat;			/* its account, from its first row */
} ShardTarget;

typedef struct GrantModifyState
{
	Relation	rel;
	CmdType		operation;
	ModifyForm	forms[2];		/* by GrantAdapterKind: the dialect of
								 * the database, or both when mixed */
	List	   *target_attrs;
	int			nparams;		/* per row: target attributes that are not
								 * generated (those are sent as DEFAULT) */
	AttrNumber	ctid_attno;		/* junk column with the remote ctid */
	GrantAdapterKind dialect;	/* of the one form, or PostgreSQL's */
	bool		mixed;			/* forms of both dialects */
	bool		utc;			/* values go to MySQL, some in UTC (see
								 * grant_begin_portable_output) */
	int			nkeys;			/* MySQL: row identity by key columns */
	AttrNumber *key_junk;		/* their junk columns */
	List	   *key_attrs;		/* their attnums */
	char	   *reselect_sql;	/* MySQL UPDATE with RETURNING: reads the
								 * new row back by its key; else NULL */
	FmgrInfo   *key_outfuncs;	/* their output functions */
	int			batch_size;

	ForeignServer *server;
	Oid			userid;
	const char *how;			/* why these shards (EXPLAIN) */
	bool		sharded;		/* the database has several shards */
	bool		check_pinned;	/* INSERT under grant.shard: each row's key
								 * must map to the pinned shard */
	int			ntargets;
	ShardTarget *targets;
	char	   *database;		/* sharded: the registry database */
	List	   *shard_names;	/* sharded: sorted, as routes are */
	AttrNumber	shard_key;		/* sharded: column whose value picks the
								 * shard, or 0 */
	FmgrInfo   *outfuncs;		/* per target attribute */
	MemoryContext temp_cxt;		/* reset per row or batch */
	MemoryContext row_cxt;
	bool		do_nothing;		/* ON CONFLICT DO NOTHING: count rows */
	const char *what;			/* for the routing log */
} GrantModifyState;

static GrantModifyState *modify_state_create(ModifyTableState *mtstate,
											 ResultRelInfo *rinfo, CmdType operation,
											 List *target_attrs, int eflags);
static void form_init(GrantModifyState *fmstate, GrantAdapterKind dialect,
					  char *sql, int values_end, List *retrieved_attrs);
static Oid	result_rel_userid(ResultRelInfo *rinfo, EState *estate);
static int	compute_batch_size(GrantModifyState *fmstate, ResultRelInfo *rinfo);
static const char **slot_params(GrantModifyState *fmstate, TupleTableSlot **slots,
								int nrows, const char **lead, int nlead);
static void find_key_columns(GrantModifyState *fmstate, Plan *subplan,
							 List *key_attrs);
static const char *insert_sql_for(GrantModifyState *fmstate, ShardTarget *target,
								  int nrows);
static TupleTableSlot *run_returning(GrantModifyState *fmstate,
									 ShardTarget *target, TupleTableSlot *slot,
									 const char *sql, int nparams,
									 const char **values);
static void finish_queued(GrantModifyState *fmstate, ShardTarget *target);
static TupleTableSlot *update_and_reselect(GrantModifyState *fmstate,
										   TupleTableSlot *slot,
										   const char **values, int nparams);
static void setup_targets(GrantModifyState *fmstate, ForeignTable *table,
						  bool explain_only);
static ShardTarget *target_connected(GrantModifyState *fmstate, int i);
static char *key_text(Oid typid, Datum value);
static int	target_for_row(GrantModifyState *fmstate, TupleTableSlot *slot);
static void insert_rows(GrantModifyState *fmstate, ShardTarget *target,
						TupleTableSlot **slots, int nrows, int *inserted);
static TupleTableSlot *modify_by_ctid(GrantModifyState *fmstate,
									  TupleTableSlot *slot,
									  TupleTableSlot *planSlot,
									  bool with_values);
static const char *stmt_for(GrantModifyState *fmstate, ShardTarget *target,
							const char *sql, int nrows);
static List *routed_insert_attrs(ModifyTableState *mtstate, ResultRelInfo *rinfo);
static void check_key_supplied(GrantModifyState *fmstate, const char *key);

/* names of remote prepared statements, unique in this backend */
static uint32 stmt_counter = 0;

/*
 * The local user whose identity writes: the view owner or the caller.  A
 * partition reached by tuple routing has no range table entry of its own;
 * its root's serves.
 */
static Oid
result_rel_userid(ResultRelInfo *rinfo, EState *estate)
{
	Index		rti = rinfo->ri_RangeTableIndex;
	RangeTblEntry *rte;

	if (rti == 0 && rinfo->ri_RootResultRelInfo != NULL)
		rti = rinfo->ri_RootResultRelInfo->ri_RangeTableIndex;
	if (rti == 0)
		return GetUserId();
	rte = exec_rt_fetch(rti, estate);
	return OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
}

/*
 * Build the execution state of a foreign modify.  The route is decided
 * here (execution time); under EXPLAIN only, nothing connects.
 */
static GrantModifyState *
modify_state_create(ModifyTableState *mtstate, ResultRelInfo *rinfo,
					CmdType operation, List *target_attrs, int eflags)
{
	EState	   *estate = mtstate->ps.state;
	Relation	rel = rinfo->ri_RelationDesc;
	GrantModifyState *fmstate;
	ForeignTable *table;
	ListCell   *lc;
	int			i;

	fmstate = palloc0(sizeof(GrantModifyState));
	fmstate->rel = rel;
	fmstate->operation = operation;
	fmstate->target_attrs = target_attrs;
	fmstate->do_nothing = mtstate->ps.plan != NULL &&
		((ModifyTable *) mtstate->ps.plan)->onConflictAction == ONCONFLICT_NOTHING;
	fmstate->what = psprintf("%s \"%s\"",
							 operation == CMD_INSERT ? "insert into" :
							 operation == CMD_UPDATE ? "update of" : "delete from",
							 RelationGetRelationName(rel));

	table = GetForeignTable(RelationGetRelid(rel));
	fmstate->server = GetForeignServer(table->serverid);
	fmstate->dialect = grant_server_dialect(fmstate->server);
	fmstate->mixed = grant_server_mixed(fmstate->server);
	if (fmstate->dialect == GRANT_ADAPTER_MYSQL || fmstate->mixed)
	{
		TupleDesc	tupdesc = RelationGetDescr(rel);

		for (i = 0; i < tupdesc->natts; i++)
			if (!TupleDescAttr(tupdesc, i)->attisdropped &&
				grant_type_shows_timezone(TupleDescAttr(tupdesc, i)->atttypid))
				fmstate->utc = true;
	}
	fmstate->userid = result_rel_userid(rinfo, estate);

	setup_targets(fmstate, table, (eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0);
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return fmstate;
	grant_check_write_allowed();

	fmstate->outfuncs = palloc0(sizeof(FmgrInfo) * Max(list_length(target_attrs), 1));
	i = 0;
	foreach(lc, target_attrs)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel),
											  lfirst_int(lc) - 1);
		Oid			outfunc;
		bool		isvarlena;

		getTypeOutputInfo(att->atttypid, &outfunc, &isvarlena);
		fmgr_info(outfunc, &fmstate->outfuncs[i++]);
		if (!att->attgenerated)
			fmstate->nparams++;
	}
	fmstate->temp_cxt = AllocSetContextCreate(estate->es_query_cxt,
											  "grant modify temporary data",
											  ALLOCSET_DEFAULT_SIZES);
	fmstate->row_cxt = AllocSetContextCreate(estate->es_query_cxt,
											 "grant modify row",
											 ALLOCSET_SMALL_SIZES);
	fmstate->batch_size = 1;
	return fmstate;
}

/*
 * The statement of a modify in one dialect: sql for one row, where its
 * VALUES end (INSERT batches), the columns RETURNING brings back.
 */
static void
form_init(GrantModifyState *fmstate, GrantAdapterKind dialect, char *sql,
		  int values_end, List *retrieved_attrs)
{
	ModifyForm *form = &fmstate->forms[dialect];

	form->sql = sql;
	form->values_end = values_end;
	form->has_returning = retrieved_attrs != NIL;
	/* under EXPLAIN only (no temp_cxt) nothing is read */
	if (form->has_returning && fmstate->temp_cxt != NULL)
	{
		Relation	rel = fmstate->rel;

		grant_reader_init(&form->reader, RelationGetDescr(rel), retrieved_attrs,
						  grant_binary_transfer(fmstate->server,
												GetForeignTable(RelationGetRelid(rel))));
		form->reader.heap_rows = true;	/* RETURNING may read xmin */
		form->reader.relname = RelationGetRelationName(rel);
	}
}

/*
 * One target per shard the statement may write to.  Rows reach the
 * shard of their shard key value (INSERT); a modify that finds its rows by
 * ctid needs a single shard, since a ctid names a row of one server only.
 */
static void
setup_targets(GrantModifyState *fmstate, ForeignTable *table, bool explain_only)
{
	List	   *routes;
	ListCell   *lc;
	int			i = 0;

	fmstate->sharded = grant_server_shard_count(fmstate->server) > 1;
	routes = grant_route_shards(fmstate->server, fmstate->userid, true,
								false, NIL, &fmstate->how);
	if (list_length(routes) > 1 && !explain_only)
	{
		char	   *key = grant_get_option(table->options, "shard_key");

		if (fmstate->operation != CMD_INSERT)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot update or delete rows of \"%s\" one by one across shards",
							RelationGetRelationName(fmstate->rel)),
					 errhint("Use a WHERE clause the shards can evaluate, or pin a shard with \"grant.shard\".")));
		if (key == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("foreign table \"%s\" has no shard_key option and its database has several shards",
							RelationGetRelationName(fmstate->rel)),
					 errhint("Set the shard_key option, or pin a shard with \"grant.shard\".")));
		fmstate->shard_key = get_attnum(RelationGetRelid(fmstate->rel), key);
		if (fmstate->shard_key == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("shard_key column \"%s\" of foreign table \"%s\" does not exist",
							key, RelationGetRelationName(fmstate->rel))));
		check_key_supplied(fmstate, key);
		fmstate->database = grant_server_database(fmstate->server);
		fmstate->shard_names = grant_database_shards(fmstate->database);
	}
	else if (fmstate->sharded && fmstate->operation == CMD_INSERT && !explain_only)
	{
		/*
		 * grant.shard pins one shard.  A row whose key maps to another is
		 * refused rather than written there, where the reads that find
		 * rows by their key would never look (nor rerouted: the session
		 * asked for this shard).
		 */
		char	   *key = grant_get_option(table->options, "shard_key");

		fmstate->shard_key = key ? get_attnum(RelationGetRelid(fmstate->rel), key) :
			InvalidAttrNumber;
		if (fmstate->shard_key != InvalidAttrNumber)
		{
			check_key_supplied(fmstate, key);
			fmstate->check_pinned = true;
			fmstate->database = grant_server_database(fmstate->server);
			fmstate->shard_names = grant_database_shards(fmstate->database);
		}
	}
	fmstate->ntargets = list_length(routes);
	fmstate->targets = palloc0(sizeof(ShardTarget) * Max(fmstate->ntargets, 1));
	foreach(lc, routes)
		fmstate->targets[i++].route = (GrantRoute *) lfirst(lc);
}

/*
 * A sharded INSERT must send the shard key: a row's shard is chosen by
 * its key before it is sent, so the key cannot be left to a remote
 * default (a serial of one shard would also give keys of other shards).
 */
static void
check_key_supplied(GrantModifyState *fmstate, const char *key)
{
	if (list_member_int(fmstate->target_attrs, fmstate->shard_key))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("INSERT into sharded foreign table \"%s\" must supply its shard key column \"%s\"",
					RelationGetRelationName(fmstate->rel), key),
			 errdetail("A row's shard is chosen by its key before the row is sent, so the key cannot come from a remote default."),
			 errhint("Give \"%s\" a value in the INSERT, or a local default on the foreign table.", key)));
}

/* a value as its type prints it, for messages */
static char *
key_text(Oid typid, Datum value)
{
	Oid			outfunc;
	bool		isvarlena;

	getTypeOutputInfo(typid, &outfunc, &isvarlena);
	return OidOutputFunctionCall(outfunc, value);
}

/* target i, connected (with its remote transaction) on first use */
static ShardTarget *
target_connected(GrantModifyState *fmstate, int i)
{
	ShardTarget *target = &fmstate->targets[i];

	if (target->conn == NULL)
	{
		target->conn = grant_get_connection(fmstate->server, fmstate->userid,
											target->route->endpoint);
		grant_connection_changed(target->conn);
		grant_stats_begin(&target->stat, target->conn, target->route,
						  fmstate->sharded ? fmstate->how : NULL, fmstate->what,
						  true);
		target->form = &fmstate->forms[fmstate->mixed ?
									   target->route->endpoint->adapter :
									   fmstate->dialect];
		if (target->form->sql == NULL)
			elog(ERROR, "grant: no %s statement planned for foreign table \"%s\"",
				 grant_adapter_name(target->route->endpoint->adapter),
				 RelationGetRelationName(fmstate->rel));
	}
	return target;
}

/*
 * The target of one row: its shard key value's shard.  A NULL key or a
 * key no shard holds is an error, and the statement writes nothing.
 */
static int
target_for_row(GrantModifyState *fmstate, TupleTableSlot *slot)
{
	Form_pg_attribute att;
	bool		isnull;
	Datum		value;
	const char *shard;
	int			i;

	if (fmstate->ntargets == 1 && !fmstate->check_pinned)
		return 0;
	att = TupleDescAttr(RelationGetDescr(fmstate->rel), fmstate->shard_key - 1);
	value = slot_getattr(slot, fmstate->shard_key, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("shard key column \"%s\" of \"%s\" must not be NULL",
						NameStr(att->attname), RelationGetRelationName(fmstate->rel))));
	shard = grant_shard_for_datum(fmstate->database, fmstate->shard_names,
								  value, false, att->atttypid);
	for (i = 0; shard != NULL && i < fmstate->ntargets; i++)
	{
		if (strcmp(fmstate->targets[i].route->endpoint->shard, shard) == 0)
			return i;
	}
	if (shard != NULL && fmstate->check_pinned)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("shard key %s of \"%s\" belongs to shard \"%s\", not to shard \"%s\" that \"grant.shard\" pins",
						key_text(att->atttypid, value), RelationGetRelationName(fmstate->rel),
						shard, fmstate->targets[0].route->endpoint->shard),
				 errdetail("Rows are placed by their key, so that the reads that find them by key look on the right shard."),
				 errhint("Reset \"grant.shard\", or set it to '%s' for this row.", shard)));
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("no shard of grant database \"%s\" holds shard key %s of \"%s\"",
					fmstate->database,
					key_text(att->atttypid, value),
					RelationGetRelationName(fmstate->rel)),
			 errhint("Add a range or list for it with grant_fdw.shard_by_range() or grant_fdw.shard_by_list().")));
	return -1;					/* keep compiler quiet */
}

/*
 * Rows per INSERT: the batch_size option of the table or server, else
 * the default; 1 when each row's answer is needed at once (RETURNING,
 * row triggers, check options).
 */
static int
compute_batch_size(GrantModifyState *fmstate, ResultRelInfo *rinfo)
{
	Relation	rel = rinfo->ri_RelationDesc;
	TriggerDesc *trigdesc = rel->trigdesc;
	ForeignTable *table = GetForeignTable(RelationGetRelid(rel));
	int			batch_size = GRANT_DEFAULT_BATCH_SIZE;
	int			nparams = fmstate->nparams;
	ListCell   *lc;

	if (nparams == 0 ||
		rinfo->ri_projectReturning != NULL ||
		rinfo->ri_WithCheckOptions != NIL ||
		(trigdesc && (trigdesc->trig_insert_after_row ||
					  trigdesc->trig_insert_before_row)))
		return 1;

	foreach(lc, fmstate->server->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "batch_size") == 0)
			batch_size = strtol(defGetString(def), NULL, 10);
	}
	foreach(lc, table->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "batch_size") == 0)
			batch_size = strtol(defGetString(def), NULL, 10);
	}
	if (batch_size * nparams > GRANT_MAX_PARAMS)
		batch_size = GRANT_MAX_PARAMS / nparams;
	return Max(batch_size, 1);
}

/*
 * Text parameters for nrows rows: the nlead values of lead (the row
 * identity), then the target attributes of each row, in order.  In
 * temp_cxt.
 */
static const char **
slot_params(GrantModifyState *fmstate, TupleTableSlot **slots, int nrows,
			const char **lead, int nlead)
{
	TupleDesc	tupdesc = RelationGetDescr(fmstate->rel);
	const char **values;
	int			n = 0;
	int			r;
	int			level;
	MemoryContext oldcxt;

	oldcxt = MemoryContextSwitchTo(fmstate->temp_cxt);
	values = palloc(sizeof(char *) * Max(nrows * fmstate->nparams + nlead, 1));
	for (n = 0; n < nlead; n++)
		values[n] = lead[n];
	level = grant_begin_portable_output(fmstate->utc);
	for (r = 0; r < nrows; r++)
	{
		ListCell   *lc;
		int			i = 0;

		slot_getallattrs(slots[r]);
		foreach(lc, fmstate->target_attrs)
		{
			int			attnum = lfirst_int(lc);
			bool		isnull = slots[r]->tts_isnull[attnum - 1];

			/* a generated column is computed by the remote (DEFAULT) */
			if (!TupleDescAttr(tupdesc, attnum - 1)->attgenerated)
				values[n++] = isnull ? NULL :
					OutputFunctionCall(&fmstate->outfuncs[i],
									   slots[r]->tts_values[attnum - 1]);
			i++;
		}
	}
	grant_end_portable_output(level);
	MemoryContextSwitchTo(oldcxt);
	return values;
}

/* the INSERT for nrows rows, built once per distinct row count */
static const char *
insert_sql_for(GrantModifyState *fmstate, ShardTarget *target, int nrows)
{
	ModifyForm *form = target->form;
	StringInfoData buf;
	MemoryContext oldcxt;

	if (nrows == 1)
		return form->sql;
	if (form->batch_sql != NULL && form->batch_sql_rows == nrows)
		return form->batch_sql;

	oldcxt = MemoryContextSwitchTo(GetMemoryChunkContext(fmstate));
	initStringInfo(&buf);
	if (form == &fmstate->forms[GRANT_ADAPTER_MYSQL])
		grant_mysql_rebuild_insert_sql(&buf, fmstate->rel, form->sql,
									   fmstate->target_attrs, form->values_end,
									   fmstate->nparams, nrows);
	else
		grant_pg_rebuild_insert_sql(&buf, fmstate->rel, form->sql,
									fmstate->target_attrs, form->values_end,
									fmstate->nparams, nrows);
	if (form->batch_sql)
		pfree(form->batch_sql);
	form->batch_sql = buf.data;
	form->batch_sql_rows = nrows;
	MemoryContextSwitchTo(oldcxt);
	return form->batch_sql;
}

/*
 * Run a statement that returns at most one row and, with RETURNING, store
 * that row in slot.  NULL when no row was affected.
 */
static TupleTableSlot *
run_returning(GrantModifyState *fmstate, ShardTarget *target,
			  TupleTableSlot *slot, const char *sql, int nparams,
			  const char **values)
{
	const GrantAdapter *adapter = grant_connection_adapter(target->conn);
	ModifyForm *form = target->form;
	GrantRemoteQuery *query;
	uint64		affected;
	bool		got_row = false;
	MemoryContext oldcxt;

	finish_queued(fmstate, target);
	oldcxt = MemoryContextSwitchTo(fmstate->temp_cxt);
	GRANT_STATS_ENTER(&target->stat);
	query = adapter->query(grant_connection_remote(target->conn), sql,
						   stmt_for(fmstate, target, sql, 1), nparams, values,
						   form->reader.binary);
	if (form->has_returning)
		got_row = adapter->next_row(query, form->reader.raw,
									form->reader.lengths,
									form->reader.ncols);
	GRANT_STATS_LEAVE();
	if (got_row)
		grant_store_row(&form->reader, slot, fmstate->row_cxt,
						adapter, query);
	GRANT_STATS_ENTER(&target->stat);
	adapter->close(query);
	GRANT_STATS_LEAVE();
	affected = adapter->rows_affected(query);
	target->stat.rows += affected;
	MemoryContextSwitchTo(oldcxt);

	if (affected == 0)
		return NULL;
	if (form->has_returning && !got_row)
		return NULL;
	return slot;
}

/*
 * The remote prepared statement that runs sql for nrows rows: prepared on
 * first use for one row or a full batch (those repeat), none (NULL: sent
 * unnamed) for the odd last batch.  Parsing and planning then happen once
 * per statement instead of once per row or batch.
 */
static const char *
stmt_for(GrantModifyState *fmstate, ShardTarget *target, const char *sql,
		 int nrows)
{
	char	  **slot;
	MemoryContext oldcxt;

	if (nrows == 1)
		slot = &target->stmt_name;
	else if (nrows == fmstate->batch_size)
		slot = &target->batch_stmt_name;
	else
		return NULL;
	if (*slot == NULL)
	{
		oldcxt = MemoryContextSwitchTo(GetMemoryChunkContext(fmstate));
		*slot = psprintf("grant_%u", ++stmt_counter);
		MemoryContextSwitchTo(oldcxt);
		grant_connection_adapter(target->conn)->prepare(grant_connection_remote(target->conn),
														*slot, sql);
	}
	return *slot;
}

/* read the answers of a target's queued batches; raises the first error */
static void
finish_queued(GrantModifyState *fmstate, ShardTarget *target)
{
	if (!target->queued)
		return;
	target->queued = false;
	GRANT_STATS_ENTER(&target->stat);
	grant_connection_adapter(target->conn)->sync(grant_connection_remote(target->conn));
	GRANT_STATS_LEAVE();
}

void
grantBeginForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
						List *fdw_private, int subplan_index, int eflags)
{
	GrantModifyState *fmstate;
	CmdType		operation = mtstate->operation;

	fmstate = modify_state_create(mtstate, rinfo, operation,
								  (List *) list_nth(fdw_private, GrantModifyTargetAttrs),
								  eflags);
	form_init(fmstate, fmstate->dialect,
			  strVal(list_nth(fdw_private, GrantModifySQL)),
			  intVal(list_nth(fdw_private, GrantModifyValuesEnd)),
			  (List *) list_nth(fdw_private, GrantModifyRetrievedAttrs));
	if (fmstate->mixed)
	{
		if (list_length(fdw_private) <= GrantModifyMySQLRetrievedAttrs)
			elog(ERROR, "grant: the plan of a mixed database lacks its MySQL statement");
		form_init(fmstate, GRANT_ADAPTER_MYSQL,
				  strVal(list_nth(fdw_private, GrantModifyMySQLSQL)),
				  intVal(list_nth(fdw_private, GrantModifyMySQLValuesEnd)),
				  (List *) list_nth(fdw_private, GrantModifyMySQLRetrievedAttrs));
	}
	rinfo->ri_FdwState = fmstate;
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;

	if (operation == CMD_UPDATE || operation == CMD_DELETE)
	{
		Plan	   *subplan = outerPlanState(mtstate)->plan;

		if (list_length(fdw_private) > GrantModifyKeyAttrs)
		{
			find_key_columns(fmstate, subplan,
							 (List *) list_nth(fdw_private, GrantModifyKeyAttrs));
			if (list_length(fdw_private) > GrantModifyReselectSQL &&
				strVal(list_nth(fdw_private, GrantModifyReselectSQL))[0] != '\0')
				fmstate->reselect_sql = strVal(list_nth(fdw_private, GrantModifyReselectSQL));
			return;
		}
		fmstate->ctid_attno = ExecFindJunkAttributeInTlist(subplan->targetlist, "ctid");
		if (!AttributeNumberIsValid(fmstate->ctid_attno))
			elog(ERROR, "grant: could not find junk ctid column");
	}
}

/* the junk columns carrying the MySQL key (see grantAddForeignUpdateTargets) */
static void
find_key_columns(GrantModifyState *fmstate, Plan *subplan, List *key_attrs)
{
	ListCell   *lc;
	int			i = 0;

	fmstate->nkeys = list_length(key_attrs);
	fmstate->key_attrs = key_attrs;
	fmstate->key_junk = palloc(sizeof(AttrNumber) * Max(fmstate->nkeys, 1));
	fmstate->key_outfuncs = palloc0(sizeof(FmgrInfo) * Max(fmstate->nkeys, 1));
	foreach(lc, key_attrs)
	{
		AttrNumber	attno = lfirst_int(lc);
		char		name[32];
		Oid			outfunc;
		bool		isvarlena;

		snprintf(name, sizeof(name), "grant_key_%d", attno);
		fmstate->key_junk[i] = ExecFindJunkAttributeInTlist(subplan->targetlist, name);
		if (!AttributeNumberIsValid(fmstate->key_junk[i]))
			elog(ERROR, "grant: could not find junk column \"%s\"", name);
		getTypeOutputInfo(TupleDescAttr(RelationGetDescr(fmstate->rel), attno - 1)->atttypid,
						  &outfunc, &isvarlena);
		fmgr_info(outfunc, &fmstate->key_outfuncs[i]);
		i++;
	}
}

int
grantGetForeignModifyBatchSize(ResultRelInfo *rinfo)
{
	GrantModifyState *fmstate = (GrantModifyState *) rinfo->ri_FdwState;

	if (fmstate == NULL || fmstate->temp_cxt == NULL)
		return 1;
	fmstate->batch_size = compute_batch_size(fmstate, rinfo);
	return fmstate->batch_size;
}

/*
 * Send nrows rows to one target as one multi-row INSERT.  Batches are
 * queued (answers read later) only when every row is certain to be
 * inserted or fail the statement; with ON CONFLICT DO NOTHING the count
 * of rows inserted is needed, so the answer is read now and added to
 * *inserted.
 */
static void
insert_rows(GrantModifyState *fmstate, ShardTarget *target,
			TupleTableSlot **slots, int nrows, int *inserted)
{
	const GrantAdapter *adapter = grant_connection_adapter(target->conn);
	GrantRemote *remote = grant_connection_remote(target->conn);
	const char **values = slot_params(fmstate, slots, nrows, NULL, 0);
	const char *sql = insert_sql_for(fmstate, target, nrows);

	if (!fmstate->do_nothing)
	{
		GRANT_STATS_ENTER(&target->stat);
		adapter->send(remote, sql, stmt_for(fmstate, target, sql, nrows),
					  nrows * fmstate->nparams, values);
		GRANT_STATS_LEAVE();
		target->queued = true;
		if (adapter->npending(remote) >= GRANT_MAX_QUEUED)
			finish_queued(fmstate, target);
		*inserted += nrows;
		target->stat.rows += nrows;
	}
	else
	{
		GrantRemoteQuery *query;
		MemoryContext oldcxt = MemoryContextSwitchTo(fmstate->temp_cxt);

		finish_queued(fmstate, target);
		GRANT_STATS_ENTER(&target->stat);
		query = adapter->query(remote, sql, stmt_for(fmstate, target, sql, nrows),
							   nrows * fmstate->nparams, values, false);
		adapter->close(query);
		GRANT_STATS_LEAVE();
		*inserted += (int) adapter->rows_affected(query);
		target->stat.rows += adapter->rows_affected(query);
		MemoryContextSwitchTo(oldcxt);
	}
}

/*
 * A batch of rows: each goes to the shard of its key, one INSERT per
 * shard.  The slots handed back are the rows inserted (all of them unless
 * ON CONFLICT DO NOTHING skipped some).
 */
TupleTableSlot **
grantExecForeignBatchInsert(EState *estate, ResultRelInfo *rinfo,
							TupleTableSlot **slots, TupleTableSlot **planSlots,
							int *numSlots)
{
	GrantModifyState *fmstate = (GrantModifyState *) rinfo->ri_FdwState;
	int			nrows = *numSlots;
	int			inserted = 0;
	int			t;

	MemoryContextReset(fmstate->temp_cxt);
	if (fmstate->ntargets == 1)
	{
		for (t = 0; fmstate->check_pinned && t < nrows; t++)
			(void) target_for_row(fmstate, slots[t]);
		insert_rows(fmstate, target_connected(fmstate, 0), slots, nrows, &inserted);
		*numSlots = inserted;
		return slots;
	}

	{
		int		   *target_of = MemoryContextAlloc(fmstate->temp_cxt, sizeof(int) * nrows);
		TupleTableSlot **group = MemoryContextAlloc(fmstate->temp_cxt,
													sizeof(TupleTableSlot *) * nrows);
		int			r;

		/* every row's shard first: a row with no shard writes nothing */
		for (r = 0; r < nrows; r++)
			target_of[r] = target_for_row(fmstate, slots[r]);
		for (t = 0; t < fmstate->ntargets; t++)
		{
			int			n = 0;

			for (r = 0; r < nrows; r++)
				if (target_of[r] == t)
					group[n++] = slots[r];
			if (n > 0)
				insert_rows(fmstate, target_connected(fmstate, t), group, n, &inserted);
		}
	}
	*numSlots = inserted;
	return slots;
}

TupleTableSlot *
grantExecForeignInsert(EState *estate, ResultRelInfo *rinfo,
					   TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	GrantModifyState *fmstate = (GrantModifyState *) rinfo->ri_FdwState;
	const char **values;
	ShardTarget *target;

	MemoryContextReset(fmstate->temp_cxt);
	target = target_connected(fmstate, target_for_row(fmstate, slot));
	values = slot_params(fmstate, &slot, 1, NULL, 0);
	return run_returning(fmstate, target, slot, target->form->sql,
						 fmstate->nparams, values);
}

/*
 * UPDATE or DELETE of the remote row the scan fetched, found by its ctid:
 * $1 is the ctid, then (UPDATE) the new values.
 */
static TupleTableSlot *
modify_by_ctid(GrantModifyState *fmstate, TupleTableSlot *slot,
			   TupleTableSlot *planSlot, bool with_values)
{
	Datum		ctid;
	bool		isnull;
	const char **values;
	const char **lead;
	int			nlead = Max(fmstate->nkeys, 1);
	int			i;

	MemoryContextReset(fmstate->temp_cxt);
	lead = MemoryContextAlloc(fmstate->temp_cxt, sizeof(char *) * nlead);
	if (fmstate->nkeys > 0)
	{
		/* the key values, as the remote reads them back */
		int			level = grant_begin_portable_output(fmstate->utc);

		for (i = 0; i < fmstate->nkeys; i++)
		{
			Datum		key = ExecGetJunkAttribute(planSlot, fmstate->key_junk[i],
												   &isnull);

			if (isnull)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("a key column of a row of foreign table \"%s\" is NULL",
								RelationGetRelationName(fmstate->rel)),
						 errdetail("The row cannot be found again on the remote.")));
			lead[i] = OutputFunctionCall(&fmstate->key_outfuncs[i], key);
		}
		grant_end_portable_output(level);
	}
	else
	{
		ctid = ExecGetJunkAttribute(planSlot, fmstate->ctid_attno, &isnull);
		if (isnull)
			elog(ERROR, "grant: ctid is NULL");
		lead[0] = DatumGetCString(DirectFunctionCall1(tidout, ctid));
	}
	values = slot_params(fmstate, &slot, with_values ? 1 : 0, lead, nlead);
	if (fmstate->reselect_sql != NULL)
		return update_and_reselect(fmstate, slot, values,
								   fmstate->nparams + nlead);
	{
		ShardTarget *target = target_connected(fmstate, 0);

		return run_returning(fmstate, target, slot, target->form->sql,
							 (with_values ? fmstate->nparams : 0) + nlead, values);
	}
}

/*
 * MySQL UPDATE whose new row is needed (RETURNING, check options, AFTER
 * triggers): MariaDB has no UPDATE ... RETURNING, so the row is read back
 * by its new key in the same remote transaction, as the remote stored it
 * (its defaults, ON UPDATE columns and triggers included).  NULL when the
 * UPDATE changed no row.
 */
static TupleTableSlot *
update_and_reselect(GrantModifyState *fmstate, TupleTableSlot *slot,
					const char **values, int nparams)
{
	ShardTarget *target = target_connected(fmstate, 0);
	const GrantAdapter *adapter = grant_connection_adapter(target->conn);
	GrantRemoteQuery *query;
	const char **keys;
	bool		found;
	int			level;
	int			i = 0;
	ListCell   *lc;
	MemoryContext oldcxt;

	target->form->has_returning = false;
	slot = run_returning(fmstate, target, slot, target->form->sql, nparams, values);
	target->form->has_returning = true;
	if (slot == NULL)
		return NULL;

	/* the new key values, as the remote reads them back */
	keys = MemoryContextAlloc(fmstate->temp_cxt, sizeof(char *) * Max(fmstate->nkeys, 1));
	level = grant_begin_portable_output(fmstate->utc);
	slot_getallattrs(slot);
	foreach(lc, fmstate->key_attrs)
	{
		int			attnum = lfirst_int(lc);

		keys[i] = slot->tts_isnull[attnum - 1] ? NULL :
			OutputFunctionCall(&fmstate->key_outfuncs[i], slot->tts_values[attnum - 1]);
		i++;
	}
	grant_end_portable_output(level);

	oldcxt = MemoryContextSwitchTo(fmstate->temp_cxt);
	query = adapter->query(grant_connection_remote(target->conn),
						   fmstate->reselect_sql, NULL, fmstate->nkeys, keys, false);
	found = adapter->next_row(query, target->form->reader.raw,
							  target->form->reader.lengths,
							  target->form->reader.ncols);
	if (found)
		grant_store_row(&target->form->reader, slot, fmstate->row_cxt, adapter, query);
	adapter->close(query);
	MemoryContextSwitchTo(oldcxt);
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("the row updated in foreign table \"%s\" could not be read back by its key",
						RelationGetRelationName(fmstate->rel))));
	return slot;
}

TupleTableSlot *
grantExecForeignUpdate(EState *estate, ResultRelInfo *rinfo,
					   TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	return modify_by_ctid((GrantModifyState *) rinfo->ri_FdwState, slot,
						  planSlot, true);
}

TupleTableSlot *
grantExecForeignDelete(EState *estate, ResultRelInfo *rinfo,
					   TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	return modify_by_ctid((GrantModifyState *) rinfo->ri_FdwState, slot,
						  planSlot, false);
}

void
grantEndForeignModify(EState *estate, ResultRelInfo *rinfo)
{
	GrantModifyState *fmstate = (GrantModifyState *) rinfo->ri_FdwState;
	int			t;

	if (fmstate == NULL || fmstate->temp_cxt == NULL)
		return;
	for (t = 0; t < fmstate->ntargets; t++)
	{
		ShardTarget *target = &fmstate->targets[t];
		const GrantAdapter *adapter;

		if (target->conn == NULL)
			continue;
		finish_queued(fmstate, target);
		grant_stats_end(&target->stat);
		/* queued: read with the next use of the connection */
		adapter = grant_connection_adapter(target->conn);
		if (target->stmt_name)
			adapter->deallocate(grant_connection_remote(target->conn), target->stmt_name);
		if (target->batch_stmt_name)
			adapter->deallocate(grant_connection_remote(target->conn), target->batch_stmt_name);
	}
}

/*
 * The columns a COPY FROM or a row routed into a foreign partition sends,
 * as insert_target_attrs (plan.c) decides for a planned INSERT: those the
 * statement names (the insertedCols of its range table entry: COPY's
 * column list, the INSERT's columns; for a routed row, its root's) and
 * those with a local default, which COPY and the rewriter fill in;
 * generated columns, sent as DEFAULT.  A row moved by an UPDATE or MERGE
 * supplies every column, and so does one a BEFORE INSERT row trigger of
 * the foreign table may have changed.
 */
static List *
routed_insert_attrs(ModifyTableState *mtstate, ResultRelInfo *rinfo)
{
	Relation	rel = rinfo->ri_RelationDesc;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	ResultRelInfo *source = rinfo;
	RangeTblEntry *rte = NULL;
	List	   *target_attrs = NIL;
	int			attnum;

	if (rinfo->ri_RangeTableIndex == 0 && rinfo->ri_RootResultRelInfo != NULL)
		source = rinfo->ri_RootResultRelInfo;
	if (mtstate->operation == CMD_INSERT && source->ri_RangeTableIndex != 0 &&
		!(rel->trigdesc && rel->trigdesc->trig_insert_before_row))
		rte = exec_rt_fetch(source->ri_RangeTableIndex, mtstate->ps.state);

	for (attnum = 1; attnum <= tupdesc->natts; attnum++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, attnum - 1);
		AttrNumber	source_attnum = attnum;

		if (att->attisdropped)
			continue;
		if (rte != NULL && !att->attgenerated)
		{
			if (source != rinfo)
				source_attnum = get_attnum(RelationGetRelid(source->ri_RelationDesc),
										   NameStr(att->attname));
			if (source_attnum == InvalidAttrNumber ||
				(!bms_is_member(source_attnum - FirstLowInvalidHeapAttributeNumber,
								rte->insertedCols) &&
				 build_column_default(source->ri_RelationDesc, source_attnum) == NULL))
				continue;
		}
		target_attrs = lappend_int(target_attrs, attnum);
	}
	return target_attrs;
}

/*
 * COPY FROM into a foreign table, and rows routed into a foreign
 * partition: an INSERT of the columns routed_insert_attrs gives, batched
 * like any INSERT.
 */
void
grantBeginForeignInsert(ModifyTableState *mtstate, ResultRelInfo *rinfo)
{
	Relation	rel = rinfo->ri_RelationDesc;
	List	   *target_attrs;
	List	   *retrieved_attrs = NIL;
	StringInfoData sql;
	int			values_end = 0;
	bool		do_nothing = false;
	GrantModifyState *fmstate;

	if (mtstate->ps.plan && ((ModifyTable *) mtstate->ps.plan)->onConflictAction != ONCONFLICT_NONE)
	{
		if (((ModifyTable *) mtstate->ps.plan)->onConflictAction == ONCONFLICT_NOTHING)
			do_nothing = true;
		else
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("INSERT with ON CONFLICT DO UPDATE is not supported on grant foreign tables")));
	}

	target_attrs = routed_insert_attrs(mtstate, rinfo);
	fmstate = modify_state_create(mtstate, rinfo, CMD_INSERT, target_attrs, 0);
	if (fmstate->dialect == GRANT_ADAPTER_MYSQL || fmstate->mixed)
	{
		if (do_nothing)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("ON CONFLICT is not supported on MySQL foreign table \"%s\"",
							RelationGetRelationName(rel))));
		initStringInfo(&sql);
		grant_mysql_deparse_insert(&sql, rel, target_attrs,
								   rinfo->ri_returningList != NIL ||
								   (rel->trigdesc && rel->trigdesc->trig_insert_after_row) ?
								   bms_make_singleton(0 - FirstLowInvalidHeapAttributeNumber) : NULL,
								   &retrieved_attrs, &values_end);
		form_init(fmstate, GRANT_ADAPTER_MYSQL, sql.data, values_end, retrieved_attrs);
	}
	if (fmstate->dialect == GRANT_ADAPTER_POSTGRESQL)
	{
		initStringInfo(&sql);
		retrieved_attrs = NIL;
		grant_pg_deparse_insert_sql(&sql, rel, target_attrs, do_nothing,
									rinfo->ri_returningList != NIL,
									&retrieved_attrs, &values_end);
		form_init(fmstate, GRANT_ADAPTER_POSTGRESQL, sql.data, values_end,
				  retrieved_attrs);
	}
	rinfo->ri_FdwState = fmstate;
}

void
grantEndForeignInsert(EState *estate, ResultRelInfo *rinfo)
{
	grantEndForeignModify(estate, rinfo);
}

void
grantExplainForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
						  List *fdw_private, int subplan_index,
						  struct ExplainState *es)
{
	GrantModifyState *fmstate = (GrantModifyState *) rinfo->ri_FdwState;

	if (!es->verbose)
		return;
	if (fmstate)
	{
		int			t;

		if (fmstate->sharded)
			ExplainPropertyText("Shards", fmstate->how, es);
		for (t = 0; t < fmstate->ntargets; t++)
			ExplainPropertyText("Route",
								grant_route_describe(fmstate->targets[t].route), es);
	}
	ExplainPropertyText("Remote SQL", strVal(list_nth(fdw_private, GrantModifySQL)), es);
	if (fmstate && fmstate->batch_size > 1)
		ExplainPropertyInteger("Batch Size", NULL, fmstate->batch_size, es);
}

/*
 * TRUNCATE: one statement per server and shard, on each shard's writer.  The relations of a
 * server are truncated together, so CASCADE and RESTART IDENTITY mean on
 * the remote what they mean locally.
 */
void
grantExecForeignTruncate(List *rels, DropBehavior behavior, bool restart_seqs)
{
	List	   *servers = NIL;
	ListCell   *lc;

	grant_check_write_allowed();

	foreach(lc, rels)
	{
		Relation	rel = (Relation) lfirst(lc);
		Oid			serverid = GetForeignTable(RelationGetRelid(rel))->serverid;

		if (!grant_table_flag(RelationGetRelid(rel), "truncatable", true))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("foreign table \"%s\" does not allow truncates",
							RelationGetRelationName(rel)),
					 errhint("Its option \"truncatable\" (or its server's) is false.")));
		servers = list_append_unique_oid(servers, serverid);
	}

	foreach(lc, servers)
	{
		Oid			serverid = lfirst_oid(lc);
		ForeignServer *server = GetForeignServer(serverid);
		List	   *server_rels = NIL;
		ListCell   *lc2;
		StringInfoData sql;
		List	   *routes;
		const char *how;
		ListCell   *lc3;
		GrantConnection *conn;
		GrantRemoteQuery *query;
		const GrantAdapter *adapter;
		GrantStatPart stat;

		foreach(lc2, rels)
		{
			Relation	rel = (Relation) lfirst(lc2);

			if (GetForeignTable(RelationGetRelid(rel))->serverid == serverid)
				server_rels = lappend(server_rels, rel);
		}
		routes = grant_route_shards(server, GetUserId(), true, false, NIL, &how);
		foreach(lc3, routes)
		{
			GrantRoute *route = (GrantRoute *) lfirst(lc3);

			conn = grant_get_connection(server, GetUserId(), route->endpoint);
			grant_connection_changed(conn);
			adapter = grant_connection_adapter(conn);
			grant_stats_begin(&stat, conn, route, NULL, "truncate", true);
			GRANT_STATS_ENTER(&stat);
			if (route->endpoint->adapter == GRANT_ADAPTER_MYSQL)
			{
				/* one DELETE per table: MySQL's TRUNCATE would commit */
				if (behavior == DROP_CASCADE || restart_seqs)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("TRUNCATE ... CASCADE and RESTART IDENTITY are not supported on MySQL foreign tables")));
				foreach(lc2, server_rels)
				{
					initStringInfo(&sql);
					grant_mysql_deparse_truncate(&sql, (Relation) lfirst(lc2));
					query = adapter->query(grant_connection_remote(conn), sql.data,
										   NULL, 0, NULL, false);
					adapter->close(query);
				}
				GRANT_STATS_LEAVE();
				grant_stats_end(&stat);
				continue;
			}
			initStringInfo(&sql);
			grant_pg_deparse_truncate(&sql, server_rels, behavior, restart_seqs);
			query = adapter->query(grant_connection_remote(conn), sql.data, NULL,
								   0, NULL, false);
			adapter->close(query);
			GRANT_STATS_LEAVE();
			grant_stats_end(&stat);
		}
	}
}
