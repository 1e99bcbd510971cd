/*-------------------------------------------------------------------------
 *
 * scan.c
 *		  Executor side of foreign scans and of direct (pushed-down)
 *		  UPDATE/DELETE: route, send, stream rows back.
 *
 * The route is decided in Begin*, at execution time, so a cached plan
 * follows the settings of the moment.  Under EXPLAIN without ANALYZE the
 * route is computed (to be shown) but no connection is opened.
 *
 * Rows are converted in a per-row memory context that is reset before
 * the next row, so a scan of any size runs in bounded memory.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/xact.h"
#include "access/transam.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "grant.h"

/*
 * One shard's part of a statement: where it goes and what runs there.  A
 * statement on a database of several shards has one part per shard it
 * may touch; all parts' queries are sent before any row is read, so the
 * shards work at the same time.
 */
typedef struct GrantPart
{
	GrantRoute *route;
	GrantConnection *conn;
	GrantRemoteQuery *query;	/* running, or NULL when done */
	GrantStatPart stat;			/* its account: counters and routing log */
	int			progress;		/* its grant_fdw.progress entry, or -1 */
} GrantPart;

typedef struct GrantParts
{
	List	   *routes;			/* GrantRoute, for EXPLAIN */
	const char *how;			/* why these shards */
	int			nparts;
	GrantPart  *parts;
	int			current;		/* part whose rows are read now */
	const char *what;			/* for the routing log: scan of "t", ... */
	const char *relname;		/* scans: shown by grant_fdw.progress */
} GrantParts;

/*
 * What picks the shards of a statement on a sharded table: the values of
 * its shard key conditions, computed at execution (parameters known).
 */
typedef struct GrantShardKeys
{
	List	   *exprs;			/* ExprState; none: every shard */
	List	   *raw;			/* the plan's expressions */
	List	   *is_array;		/* Integer per expression */
	Oid			key_type;		/* the key column's type and typmod */
	int32		key_typmod;
} GrantShardKeys;

typedef struct GrantScanState
{
	char	   *sql;
	char	   *mysql_sql;		/* for MySQL shards of a mixed database */
	bool		for_update;
	ForeignServer *server;
	Oid			userid;
	bool		sharded;		/* the database has several shards */
	bool		autocommit;		/* the whole local transaction is this one
								 * read: no remote BEGIN/COMMIT needed */
	GrantShardKeys keys;
	GrantParts	parts;
	bool		started;		/* queries sent since the last rescan */
	bool		returned_rows;	/* a row was handed to the executor */
	GrantRowReader reader;
	GrantParams params;
	MemoryContext row_cxt;		/* reset per row */
	MemoryContext query_cxt;	/* lives as long as one round of queries */
} GrantScanState;

typedef struct GrantDirectState
{
	char	   *sql;
	char	   *mysql_sql;		/* as in GrantScanState */
	bool		has_returning;
	bool		set_processed;
	Relation	rel;			/* target relation */
	ForeignServer *server;
	Oid			userid;
	bool		sharded;
	GrantShardKeys keys;
	GrantParts	parts;
	bool		started;
	GrantRowReader reader;
	GrantParams params;
	MemoryContext row_cxt;
} GrantDirectState;

static void params_init(GrantParams *params, PlanState *node, List *fdw_exprs);
static void params_eval(GrantParams *params, ExprContext *econtext);
static void start_query(GrantScanState *fsstate, ExprContext *econtext);
static bool statement_outdated(GrantScanState *fsstate, ErrorData *edata);
static bool remote_went_away(ErrorData *edata);
static void check_remote_types(GrantRowReader *reader,
							   const GrantAdapter *adapter,
							   GrantRemoteQuery *query);
static Datum convert_value(GrantRowReader *reader, int col, int idx);
static void close_query(GrantConnection *conn, GrantRemoteQuery **query);
static void parts_route(GrantParts *parts, ForeignServer *server, Oid userid,
						bool is_write, GrantShardKeys *keys,
						ExprContext *econtext);
static const char *part_sql(GrantPart *part, const char *sql,
							const char *mysql_sql);
static void parts_send(GrantParts *parts, ForeignServer *server, Oid userid,
					   const char *sql, const char *mysql_sql,
					   GrantParams *params, bool binary,
					   bool is_write, bool autocommit, GrantShardKeys *keys,
					   ExprContext *econtext);
static bool whole_transaction_read(EState *estate, ForeignServer *server,
								   bool for_update);
static int	count_foreign_scans(Plan *plan, bool *modifies);
static List *split_fdw_exprs(List *fdw_exprs, List *fdw_private, int keys_index,
							 Relation rel, PlanState *node,
							 GrantShardKeys *keys);
static bool shard_key_values(GrantShardKeys *keys, ExprContext *econtext,
							 bool constants_only, List **values);
static void parts_close(GrantParts *parts);
static void parts_abandon(GrantParts *parts);
static TupleTableSlot *next_part_row(GrantScanState *fsstate, TupleTableSlot *slot);
static TupleTableSlot *first_row_with_failover(ForeignScanState *node);
static void parts_explain(GrantParts *parts, bool sharded, ExplainState *es);
static Oid	scan_userid(ForeignScan *fsplan, EState *estate);

/*
 * The local user whose identity the remote connection uses: as the
 * executor checks permissions, the view owner or else the caller.  A join
 * pushed down is checked as its first relation (the planner only joins
 * relations with the same user).
 */
static Oid
scan_userid(ForeignScan *fsplan, EState *estate)
{
	Index		rtindex;
	RangeTblEntry *rte;

	if (fsplan->scan.scanrelid > 0)
		rtindex = fsplan->scan.scanrelid;
	else
		rtindex = bms_next_member(fsplan->fs_relids, -1);
	rte = exec_rt_fetch(rtindex, estate);
	return OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
}

/*
 * Results travel in binary unless the server or table option
 * binary_transfer says false.
 */
bool
grant_binary_transfer(ForeignServer *server, ForeignTable *table)
{
	char	   *value = NULL;

	if (table)
		value = grant_get_option(table->options, "binary_transfer");
	if (value == NULL)
		value = grant_get_option(server->options, "binary_transfer");
	if (value == NULL)
		return true;
	return defGetBoolean(makeDefElem("binary_transfer", (Node *) makeString(value), -1));
}

/*
 * Prepare conversion of remote rows into tuples of tupdesc.  Binary
 * results are asked for when allowed and every column read has a
 * built-in type with a receive function: built-in type OIDs mean the same
 * type on every PostgreSQL server, and the remote's reported types are
 * still checked on the first row.  The arrays live in CurrentMemoryContext
 * (the executor's query context).
 */
void
grant_reader_init(GrantRowReader *reader, TupleDesc tupdesc,
				  List *retrieved_attrs, bool allow_binary)
{
	int			natts = tupdesc->natts;
	int			ncols = list_length(retrieved_attrs);
	int			i;
	ListCell   *lc;

	reader->tupdesc = tupdesc;
	reader->retrieved_attrs = retrieved_attrs;
	reader->ncols = ncols;
	reader->attnums = palloc(sizeof(int) * Max(ncols, 1));
	reader->raw = palloc0(sizeof(char *) * Max(ncols, 1));
	reader->lengths = palloc0(sizeof(int) * Max(ncols, 1));
	reader->conversion = palloc0(sizeof(GrantColumnConversion) * Max(ncols, 1));
	reader->infuncs = palloc0(sizeof(FmgrInfo) * Max(natts, 1));
	reader->recvfuncs = palloc0(sizeof(FmgrInfo) * Max(natts, 1));
	reader->typioparams = palloc0(sizeof(Oid) * Max(natts, 1));
	reader->typmods = palloc0(sizeof(int32) * Max(natts, 1));
	reader->remote_recv = NULL;
	reader->remote_out = NULL;
	reader->remote_ioparams = NULL;
	reader->has_ctid = false;
	reader->heap_rows = false;
	reader->binary = allow_binary;
	reader->checked = false;

	i = 0;
	foreach(lc, retrieved_attrs)
	{
		int			attnum = lfirst_int(lc);

		reader->attnums[i++] = attnum;
		if (attnum == SelfItemPointerAttributeNumber)
			reader->has_ctid = true;
		else if (attnum <= 0)
			reader->binary = false;
		else if (TupleDescAttr(tupdesc, attnum - 1)->atttypid >= FirstNormalObjectId)
			reader->binary = false;
	}
	for (i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		Oid			infunc;
		Oid			recvfunc;

		if (att->attisdropped)
			continue;
		getTypeInputInfo(att->atttypid, &infunc, &reader->typioparams[i]);
		fmgr_info(infunc, &reader->infuncs[i]);
		reader->typmods[i] = att->atttypmod;
		if (reader->binary)
		{
			getTypeBinaryInputInfo(att->atttypid, &recvfunc, &reader->typioparams[i]);
			fmgr_info(recvfunc, &reader->recvfuncs[i]);
		}
	}
	for (i = 0; i < ncols; i++)
		reader->conversion[i] = reader->binary ? GRANT_CONVERT_BINARY : GRANT_CONVERT_TEXT;
}

/*
 * On the first row of a binary result: each remote column must have the
 * local column's type; another built-in type is converted through text
 * (as the text protocol would), anything else cannot be decoded.  Such a
 * conversion is done in the forms the remote session uses (UTC, ISO,
 * every float digit), never this session's: a value then reads as what the
 * remote compares it as, so a row always satisfies the filter that found
 * it.  In text, the remote already writes those forms; only a value of
 * another type read into a type with a time zone (a timestamp into a
 * timestamptz) carries no zone, and is read as UTC.
 */
static void
check_remote_types(GrantRowReader *reader, const GrantAdapter *adapter,
				   GrantRemoteQuery *query)
{
	int			i;

	reader->checked = true;
	if (!reader->binary)
	{
		for (i = 0; i < reader->ncols; i++)
		{
			int			attnum = reader->attnums[i];
			Oid			remote_type = adapter->column_type(query, i);
			Oid			local_type;

			if (attnum <= 0 || remote_type == InvalidOid)
				continue;
			local_type = TupleDescAttr(reader->tupdesc, attnum - 1)->atttypid;
			if (remote_type != local_type && grant_type_shows_timezone(local_type))
				reader->conversion[i] = GRANT_CONVERT_TEXT_PORTABLE;
		}
		return;
	}
	for (i = 0; i < reader->ncols; i++)
	{
		int			attnum = reader->attnums[i];
		Oid			local_type;
		Oid			remote_type = adapter->column_type(query, i);

		if (attnum == SelfItemPointerAttributeNumber)
			local_type = TIDOID;
		else
			local_type = TupleDescAttr(reader->tupdesc, attnum - 1)->atttypid;

		if (remote_type == InvalidOid)
		{
			/* the adapter answered in text */
			reader->conversion[i] = GRANT_CONVERT_TEXT;
			continue;
		}
		if (remote_type == local_type)
			continue;
		if (remote_type >= FirstNormalObjectId)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("remote column %d of \"%s\" has a type that is not built in, local column \"%s\" has type %s",
							i + 1, reader->relname ? reader->relname : "?",
							attnum > 0 ? NameStr(TupleDescAttr(reader->tupdesc, attnum - 1)->attname) : "ctid",
							format_type_be(local_type)),
					 errhint("Declare the column with the remote type, or set the option binary_transfer 'false' on the foreign table.")));
		if (reader->remote_recv == NULL)
		{
			reader->remote_recv = palloc0(sizeof(FmgrInfo) * reader->ncols);
			reader->remote_out = palloc0(sizeof(FmgrInfo) * reader->ncols);
			reader->remote_ioparams = palloc0(sizeof(Oid) * reader->ncols);
		}
		{
			Oid			recvfunc;
			Oid			outfunc;
			bool		isvarlena;

			getTypeBinaryInputInfo(remote_type, &recvfunc, &reader->remote_ioparams[i]);
			fmgr_info(recvfunc, &reader->remote_recv[i]);
			getTypeOutputInfo(remote_type, &outfunc, &isvarlena);
			fmgr_info(outfunc, &reader->remote_out[i]);
		}
		reader->conversion[i] = GRANT_CONVERT_VIA_TEXT;
	}
}

/*
 * Rows of another query follow (the next shard): check its column types
 * again on its first row.
 */
void
grant_reader_recheck(GrantRowReader *reader)
{
	int			i;

	reader->checked = false;
	for (i = 0; i < reader->ncols; i++)
		reader->conversion[i] = reader->binary ? GRANT_CONVERT_BINARY : GRANT_CONVERT_TEXT;
}

/* one remote value into a datum of attribute idx */
static Datum
convert_value(GrantRowReader *reader, int col, int idx)
{
	char	   *raw = reader->raw[col];
	StringInfoData buf;

	if (reader->conversion[col] == GRANT_CONVERT_TEXT)
		return InputFunctionCall(&reader->infuncs[idx], raw,
								 reader->typioparams[idx], reader->typmods[idx]);
	if (reader->conversion[col] == GRANT_CONVERT_TEXT_PORTABLE)
	{
		int			level = grant_begin_portable_output(true);
		Datum		value = InputFunctionCall(&reader->infuncs[idx], raw,
											  reader->typioparams[idx],
											  reader->typmods[idx]);

		grant_end_portable_output(level);
		return value;
	}

	buf.data = raw;
	buf.len = reader->lengths[col];
	buf.maxlen = buf.len + 1;
	buf.cursor = 0;
	if (reader->conversion[col] == GRANT_CONVERT_BINARY)
		return ReceiveFunctionCall(&reader->recvfuncs[idx], &buf,
								   reader->typioparams[idx], reader->typmods[idx]);

	/* another built-in type: as the text protocol would have converted it */
	{
		Datum		remote = ReceiveFunctionCall(&reader->remote_recv[col], &buf,
												 reader->remote_ioparams[col], -1);
		int			level = grant_begin_portable_output(true);
		char	   *text = OutputFunctionCall(&reader->remote_out[col], remote);
		Datum		value = InputFunctionCall(&reader->infuncs[idx], text,
											  reader->typioparams[idx],
											  reader->typmods[idx]);

		grant_end_portable_output(level);
		return value;
	}
}

/*
 * Convert the adapter's current row (reader->raw) into slot.  Columns not
 * retrieved are NULL.  With a ctid the tuple is a heap tuple carrying it
 * (UPDATE/DELETE find the remote row by it), and so it is when the query
 * reads system columns (heap_rows): a foreign row has no local xmin, xmax
 * or cmin, so they read 0 (tableoid is the executor's); otherwise a virtual
 * tuple.  Values are allocated in row_cxt, which is reset first.
 */
void
grant_store_row(GrantRowReader *reader, TupleTableSlot *slot,
				MemoryContext row_cxt, const GrantAdapter *adapter,
				GrantRemoteQuery *query)
{
	TupleDesc	tupdesc = reader->tupdesc;
	int			natts = tupdesc->natts;
	Datum	   *values;
	bool	   *nulls;
	ItemPointer ctid = NULL;
	MemoryContext oldcxt;
	int			i;

	if (!reader->checked)
		check_remote_types(reader, adapter, query);

	ExecClearTuple(slot);
	MemoryContextReset(row_cxt);
	oldcxt = MemoryContextSwitchTo(row_cxt);

	if (reader->has_ctid || reader->heap_rows)
	{
		values = palloc(sizeof(Datum) * Max(natts, 1));
		nulls = palloc(sizeof(bool) * Max(natts, 1));
	}
	else
	{
		values = slot->tts_values;
		nulls = slot->tts_isnull;
	}
	for (i = 0; i < natts; i++)
	{
		values[i] = (Datum) 0;
		nulls[i] = true;
	}

	for (i = 0; i < reader->ncols; i++)
	{
		int			attnum = reader->attnums[i];
		char	   *raw = reader->raw[i];

		if (attnum > 0)
		{
			int			idx = attnum - 1;

			if (raw == NULL)
				values[idx] = InputFunctionCall(&reader->infuncs[idx], NULL,
												reader->typioparams[idx],
												reader->typmods[idx]);
			else
			{
				values[idx] = convert_value(reader, i, idx);
				nulls[idx] = false;
			}
		}
		else if (attnum == SelfItemPointerAttributeNumber && raw != NULL)
		{
			if (reader->conversion[i] == GRANT_CONVERT_TEXT)
				ctid = (ItemPointer) DatumGetPointer(DirectFunctionCall1(tidin,
																		 CStringGetDatum(raw)));
			else
			{
				StringInfoData buf;

				buf.data = raw;
				buf.len = reader->lengths[i];
				buf.maxlen = buf.len + 1;
				buf.cursor = 0;
				ctid = (ItemPointer) DatumGetPointer(DirectFunctionCall1(tidrecv,
																		 PointerGetDatum(&buf)));
			}
		}
	}

	if (reader->has_ctid || reader->heap_rows)
	{
		HeapTuple	tuple = heap_form_tuple(tupdesc, values, nulls);

		/* heap_form_tuple leaves datum fields where these live */
		HeapTupleHeaderSetXmin(tuple->t_data, InvalidTransactionId);
		HeapTupleHeaderSetXmax(tuple->t_data, InvalidTransactionId);
		HeapTupleHeaderSetCmin(tuple->t_data, FirstCommandId);
		if (ctid)
			tuple->t_self = *ctid;
		else
			ItemPointerSetInvalid(&tuple->t_self);
		tuple->t_tableOid = InvalidOid;
		ExecStoreHeapTuple(tuple, slot, false);
		if (ctid)
			slot->tts_tid = *ctid;
	}
	else
		ExecStoreVirtualTuple(slot);

	MemoryContextSwitchTo(oldcxt);
}

static void
params_init(GrantParams *params, PlanState *node, List *fdw_exprs)
{
	ListCell   *lc;
	int			i = 0;

	params->num = list_length(fdw_exprs);
	params->outfuncs = palloc0(sizeof(FmgrInfo) * Max(params->num, 1));
	params->values = palloc0(sizeof(char *) * Max(params->num, 1));
	foreach(lc, fdw_exprs)
	{
		Node	   *expr = (Node *) lfirst(lc);
		Oid			outfunc;
		bool		isvarlena;

		getTypeOutputInfo(exprType(expr), &outfunc, &isvarlena);
		fmgr_info(outfunc, &params->outfuncs[i++]);
	}
	params->exprs = ExecInitExprList(fdw_exprs, node);
}

/* evaluate parameters into text, in the per-tuple memory of econtext */
static void
params_eval(GrantParams *params, ExprContext *econtext)
{
	ListCell   *lc;
	int			i = 0;
	MemoryContext oldcxt;
	int			level;

	if (params->num == 0)
		return;
	oldcxt = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	level = grant_begin_portable_output(false);
	foreach(lc, params->exprs)
	{
		ExprState  *state = (ExprState *) lfirst(lc);
		bool		isnull;
		Datum		value = ExecEvalExpr(state, econtext, &isnull);

		params->values[i] = isnull ? NULL :
			OutputFunctionCall(&params->outfuncs[i], value);
		i++;
	}
	grant_end_portable_output(level);
	MemoryContextSwitchTo(oldcxt);
}

/* read and drop what is left of a running remote query, if any */
static void
close_query(GrantConnection *conn, GrantRemoteQuery **query)
{
	if (conn != NULL && *query != NULL)
	{
		grant_connection_adapter(conn)->close(*query);
		*query = NULL;
	}
}

/*
 * The shards a statement goes to and the route inside each (see
 * grant_route_shards).  palloc'd in CurrentMemoryContext.
 */
static void
parts_route(GrantParts *parts, ForeignServer *server, Oid userid,
			bool is_write, GrantShardKeys *keys, ExprContext *econtext)
{
	List	   *values = NIL;
	List	   *key_shards = NIL;
	bool		by_key = false;

	/* under EXPLAIN only constants are known: parameters are not */
	if (keys->exprs != NIL &&
		shard_key_values(keys, econtext, econtext == NULL, &values))
	{
		char	   *database = grant_server_database(server);

		by_key = true;
		key_shards = grant_shards_for_values(database,
											 grant_database_shards(database),
											 keys->key_type, keys->key_typmod,
											 values);
	}
	parts->routes = grant_route_shards(server, userid, is_write, by_key,
									   key_shards, &parts->how);
}

/*
 * The SQL a part runs: the MySQL form on a MySQL shard of a database that
 * mixes adapters, the plan's own form everywhere else.
 */
static const char *
part_sql(GrantPart *part, const char *sql, const char *mysql_sql)
{
	if (mysql_sql != NULL && mysql_sql[0] != '\0' &&
		part->route->endpoint->adapter == GRANT_ADAPTER_MYSQL)
		return mysql_sql;
	return sql;
}

/*
 * Route and send the statement to every part: connection (with its remote
 * transaction) and query, without reading any answer yet.
 */
static void
parts_send(GrantParts *parts, ForeignServer *server, Oid userid,
		   const char *sql, const char *mysql_sql, GrantParams *params,
		   bool binary, bool is_write, bool autocommit, GrantShardKeys *keys,
		   ExprContext *econtext)
{
	ListCell   *lc;
	int			i = 0;

	parts_route(parts, server, userid, is_write, keys, econtext);
	parts->nparts = list_length(parts->routes);
	parts->parts = palloc0(sizeof(GrantPart) * Max(parts->nparts, 1));
	parts->current = 0;
	for (i = 0; i < parts->nparts; i++)
		parts->parts[i].progress = -1;
	i = 0;
	foreach(lc, parts->routes)
	{
		GrantPart  *part = &parts->parts[i++];

		part->route = (GrantRoute *) lfirst(lc);
		/*
		 * In role 'reading' a read that falls back to the writer keeps its
		 * READ ONLY remote transaction; a reader is read-only anyway.
		 */
		part->conn = autocommit &&
			(grant_role_mode != GRANT_ROLE_MODE_READING ||
			 part->route->endpoint->role == GRANT_ROLE_READING) ?
			grant_get_connection_autocommit(server, userid, part->route->endpoint) :
			grant_get_connection(server, userid, part->route->endpoint);
		/* a read must not see what this statement changed: refused */
		grant_connection_check_read(part->conn);
		if (is_write)
			grant_connection_wrote(part->conn);
		grant_stats_begin(&part->stat, part->conn, part->route,
						  strcmp(parts->how, "single endpoint") != 0 &&
						  strcmp(parts->how, "only shard") != 0 ? parts->how : NULL,
						  parts->what, is_write);
		if (parts->relname != NULL)
			part->progress = grant_progress_start(parts->relname, part->route,
												  grant_connection_label(part->conn));
		GRANT_STATS_ENTER(&part->stat);
		part->query = grant_connection_adapter(part->conn)->query(grant_connection_remote(part->conn),
																  part_sql(part, sql, mysql_sql),
																  NULL,
																  params->num,
																  params->values,
																  binary);
		GRANT_STATS_LEAVE();
	}
}

/*
 * fdw_exprs holds the remote parameters, then (sharded tables) the shard
 * key value expressions: set up the latter in *keys and return the
 * former.
 */
static List *
split_fdw_exprs(List *fdw_exprs, List *fdw_private, int keys_index,
				Relation rel, PlanState *node, GrantShardKeys *keys)
{
	int			nkeys = 0;
	int			nparams;

	memset(keys, 0, sizeof(GrantShardKeys));
	if (list_length(fdw_private) > keys_index + 1)
		nkeys = intVal(list_nth(fdw_private, keys_index));
	if (nkeys == 0 || rel == NULL)
		return fdw_exprs;

	nparams = list_length(fdw_exprs) - nkeys;
	keys->raw = list_copy_tail(fdw_exprs, nparams);
	keys->is_array = (List *) list_nth(fdw_private, keys_index + 1);
	{
		AttrNumber	attnum = grant_shard_key_attnum(RelationGetRelid(rel));

		if (attnum == InvalidAttrNumber)
			return list_truncate(list_copy(fdw_exprs), nparams);
		keys->key_type = TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid;
		keys->key_typmod = TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypmod;
	}
	keys->exprs = node ? ExecInitExprList(keys->raw, node) : NIL;
	return list_truncate(list_copy(fdw_exprs), nparams);
}

/*
 * The shard key values of the statement, as text (NULL entries for NULL).
 * false when they cannot be known (constants_only and an expression that
 * is not a constant): then every shard is concerned.
 */
static bool
shard_key_values(GrantShardKeys *keys, ExprContext *econtext,
				 bool constants_only, List **values)
{
	ListCell   *lc;
	ListCell   *lc_raw;
	ListCell   *lc_arr;
	int			i = 0;

	*values = NIL;
	forthree(lc, keys->exprs, lc_raw, keys->raw, lc_arr, keys->is_array)
	{
		Node	   *raw = (Node *) lfirst(lc_raw);
		Datum		value;
		bool		isnull;
		Oid			typid = exprType(raw);
		Oid			outfunc;
		bool		isvarlena;

		if (constants_only && !IsA(raw, Const))
			return false;
		if (IsA(raw, Const))
		{
			value = ((Const *) raw)->constvalue;
			isnull = ((Const *) raw)->constisnull;
		}
		else
			value = ExecEvalExpr((ExprState *) lfirst(lc), econtext, &isnull);
		if (isnull)
			continue;
		if (lfirst_int(lc_arr))
		{
			ArrayType  *arr = DatumGetArrayTypeP(value);
			Oid			elemtype = ARR_ELEMTYPE(arr);
			int16		elmlen;
			bool		elmbyval;
			char		elmalign;
			Datum	   *elems;
			bool	   *nulls;
			int			n;
			int			j;

			get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
			deconstruct_array(arr, elemtype, elmlen, elmbyval, elmalign,
							  &elems, &nulls, &n);
			getTypeOutputInfo(elemtype, &outfunc, &isvarlena);
			for (j = 0; j < n; j++)
				if (!nulls[j])
					*values = lappend(*values, OidOutputFunctionCall(outfunc, elems[j]));
		}
		else
		{
			getTypeOutputInfo(typid, &outfunc, &isvarlena);
			*values = lappend(*values, OidOutputFunctionCall(outfunc, value));
		}
		i++;
	}
	return true;
}

/*
 * Is this scan the whole of its local transaction's work on the server: a
 * read, outside a transaction block, the only foreign scan in the
 * statement, which modifies nothing?  Then no remote transaction is
 * needed: one statement has one snapshot anyway.  Not while writes are
 * prevented (the READ ONLY remote transaction is a guard; likewise when
 * role 'reading' falls back to the writer, see parts_send), nor on MySQL
 * (its reads keep their transaction: cancelling them relies on it), nor
 * in a read-only local transaction, nor when the local
 * transaction keeps one snapshot (REPEATABLE READ, SERIALIZABLE): its
 * statements must then share the remote snapshot too.  Under READ
 * COMMITTED each statement has its own snapshot locally, and so remotely.
 */
static bool
whole_transaction_read(EState *estate, ForeignServer *server, bool for_update)
{
	bool		modifies = false;
	int			n;
	ListCell   *lc;

	if (for_update || IsTransactionBlock() || grant_prevent_writes ||
		grant_server_dialect(server) != GRANT_ADAPTER_POSTGRESQL ||
		grant_server_mixed(server) ||
		XactReadOnly ||
		IsolationUsesXactSnapshot() || estate->es_plannedstmt == NULL ||
		estate->es_plannedstmt->commandType != CMD_SELECT)
		return false;
	n = count_foreign_scans(estate->es_plannedstmt->planTree, &modifies);
	foreach(lc, estate->es_plannedstmt->subplans)
		n += count_foreign_scans((Plan *) lfirst(lc), &modifies);
	return n == 1 && !modifies;
}

/*
 * Foreign scans in a plan tree, of any server: servers that reach one
 * remote as one identity share its connection (connection.c), so only a
 * statement with a single foreign scan reads alone; *modifies if it writes.
 */
static int
count_foreign_scans(Plan *plan, bool *modifies)
{
	int			n = 0;
	ListCell   *lc;
	List	   *children = NIL;

	if (plan == NULL)
		return 0;
	switch (nodeTag(plan))
	{
		case T_ForeignScan:
			n++;
			if (((ForeignScan *) plan)->operation != CMD_SELECT)
				*modifies = true;
			break;
		case T_ModifyTable:
			*modifies = true;
			break;
		case T_Append:
			children = ((Append *) plan)->appendplans;
			break;
		case T_MergeAppend:
			children = ((MergeAppend *) plan)->mergeplans;
			break;
		case T_BitmapAnd:
			children = ((BitmapAnd *) plan)->bitmapplans;
			break;
		case T_BitmapOr:
			children = ((BitmapOr *) plan)->bitmapplans;
			break;
		case T_SubqueryScan:
			n += count_foreign_scans(((SubqueryScan *) plan)->subplan, modifies);
			break;
		case T_CustomScan:
			children = ((CustomScan *) plan)->custom_plans;
			break;
		default:
			break;
	}
	foreach(lc, children)
		n += count_foreign_scans((Plan *) lfirst(lc), modifies);
	n += count_foreign_scans(plan->lefttree, modifies);
	n += count_foreign_scans(plan->righttree, modifies);
	return n;
}

/* read and drop what is left of every part's query */
static void
parts_close(GrantParts *parts)
{
	int			i;

	for (i = 0; i < parts->nparts; i++)
	{
		GrantPart  *part = &parts->parts[i];

		GRANT_STATS_ENTER(&part->stat);
		close_query(part->conn, &part->query);
		GRANT_STATS_LEAVE();
		grant_stats_end(&part->stat);
		grant_progress_end(part->progress);
		part->progress = -1;
	}
	parts->nparts = 0;
}

/*
 * After a connection failed under a read that can be sent again: forget
 * every part, dropping the connections that broke (their endpoints are
 * marked down) and draining the others.
 */
static void
parts_abandon(GrantParts *parts)
{
	int			i;

	for (i = 0; i < parts->nparts; i++)
	{
		GrantPart  *part = &parts->parts[i];

		part->query = NULL;
		part->stat.running = false;
		grant_progress_end(part->progress);
		part->progress = -1;
		if (part->conn != NULL)
			grant_connection_discard_if_broken(part->conn);
	}
	parts->nparts = 0;
}

/* one Route line per part; for a sharded database, which shards and why */
static void
parts_explain(GrantParts *parts, bool sharded, ExplainState *es)
{
	ListCell   *lc;

	if (sharded)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		foreach(lc, parts->routes)
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
							 ((GrantRoute *) lfirst(lc))->endpoint->shard);
		appendStringInfo(&buf, "%s(%s)", buf.len ? " " : "", parts->how);
		ExplainPropertyText("Shards", buf.data, es);
	}
	foreach(lc, parts->routes)
		ExplainPropertyText("Route", grant_route_describe((GrantRoute *) lfirst(lc)), es);
}

void
grantBeginForeignScan(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	GrantScanState *fsstate;
	TupleDesc	tupdesc;

	fsstate = palloc0(sizeof(GrantScanState));
	node->fdw_state = fsstate;

	fsstate->sql = strVal(list_nth(fsplan->fdw_private, GrantScanSQL));
	fsstate->mysql_sql = strVal(list_nth(fsplan->fdw_private, GrantScanMySQLSQL));
	fsstate->for_update = boolVal(list_nth(fsplan->fdw_private, GrantScanForUpdate));
	fsstate->server = GetForeignServer(fsplan->fs_server);
	fsstate->userid = scan_userid(fsplan, estate);
	fsstate->sharded = grant_server_shard_count(fsstate->server) > 1;

	{
		List	   *params = split_fdw_exprs(fsplan->fdw_exprs, fsplan->fdw_private,
											 GrantScanShardKeys,
											 fsplan->scan.scanrelid > 0 ?
											 node->ss.ss_currentRelation : NULL,
											 (PlanState *) node, &fsstate->keys);

		if (!(eflags & EXEC_FLAG_EXPLAIN_ONLY))
			params_init(&fsstate->params, (PlanState *) node, params);
	}

	/* EXPLAIN shows the routes; a real scan routes when it starts */
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
	{
		parts_route(&fsstate->parts, fsstate->server, fsstate->userid,
					fsstate->for_update, &fsstate->keys, NULL);
		return;
	}
	if (fsstate->for_update)
		grant_check_write_allowed();
	fsstate->autocommit = whole_transaction_read(estate, fsstate->server,
												 fsstate->for_update);

	if (fsplan->scan.scanrelid > 0)
		tupdesc = RelationGetDescr(node->ss.ss_currentRelation);
	else
		tupdesc = node->ss.ss_ScanTupleSlot->tts_tupleDescriptor;
	grant_reader_init(&fsstate->reader, tupdesc,
					  (List *) list_nth(fsplan->fdw_private, GrantScanRetrievedAttrs),
					  grant_binary_transfer(fsstate->server,
											fsplan->scan.scanrelid > 0 ?
											GetForeignTable(RelationGetRelid(node->ss.ss_currentRelation)) : NULL));
	fsstate->reader.heap_rows = fsplan->fsSystemCol && fsplan->scan.scanrelid > 0;
	fsstate->reader.relname = fsplan->scan.scanrelid > 0 ?
		RelationGetRelationName(node->ss.ss_currentRelation) : "join or aggregate";
	/* a join or aggregate is named by its relations, as EXPLAIN does */
	fsstate->parts.relname = list_length(fsplan->fdw_private) > GrantScanRelations &&
		strVal(list_nth(fsplan->fdw_private, GrantScanRelations))[0] != '\0' ?
		strVal(list_nth(fsplan->fdw_private, GrantScanRelations)) : fsstate->reader.relname;
	fsstate->parts.what = psprintf("scan of \"%s\"", fsstate->parts.relname);

	fsstate->row_cxt = AllocSetContextCreate(estate->es_query_cxt,
											 "grant scan row",
											 ALLOCSET_SMALL_SIZES);
	fsstate->query_cxt = AllocSetContextCreate(estate->es_query_cxt,
											   "grant scan query",
											   ALLOCSET_SMALL_SIZES);
}

static void
start_query(GrantScanState *fsstate, ExprContext *econtext)
{
	MemoryContext oldcxt;

	params_eval(&fsstate->params, econtext);
	MemoryContextReset(fsstate->query_cxt);
	oldcxt = MemoryContextSwitchTo(fsstate->query_cxt);
	parts_send(&fsstate->parts, fsstate->server, fsstate->userid, fsstate->sql,
			   fsstate->mysql_sql, &fsstate->params, fsstate->reader.binary, fsstate->for_update,
			   fsstate->autocommit, &fsstate->keys, econtext);
	MemoryContextSwitchTo(oldcxt);
	fsstate->started = true;
}

/* the next row of the statement's parts, in part order; NULL at the end */
static TupleTableSlot *
next_part_row(GrantScanState *fsstate, TupleTableSlot *slot)
{
	GrantParts *parts = &fsstate->parts;

	while (parts->current < parts->nparts)
	{
		GrantPart  *part = &parts->parts[parts->current];
		const GrantAdapter *adapter = grant_connection_adapter(part->conn);

		if (part->query != NULL)
		{
			bool		got;

			GRANT_STATS_ENTER(&part->stat);
			got = adapter->next_row(part->query, fsstate->reader.raw,
									fsstate->reader.lengths, fsstate->reader.ncols);
			GRANT_STATS_LEAVE();
			if (got)
			{
				/* progress is published every few rows: no shared write per row */
				if (++part->stat.rows % GRANT_PROGRESS_EVERY == 0)
					grant_progress_rows(part->progress, part->stat.rows, false);
				grant_store_row(&fsstate->reader, slot, fsstate->row_cxt, adapter,
								part->query);
				return slot;
			}
			grant_stats_end(&part->stat);
			grant_progress_rows(part->progress, part->stat.rows, true);
		}
		part->query = NULL;
		parts->current++;
		/* the next shard may answer with other types (another adapter) */
		grant_reader_recheck(&fsstate->reader);
	}
	return NULL;
}

/*
 * Did the remote end the session: shut down (57P01, 57P02) or starting or
 * stopping (57P03)?  Its error can arrive before the socket closes; the
 * read is then as lost as with a broken connection.
 */
static bool
remote_went_away(ErrorData *edata)
{
	return edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
		edata->sqlerrcode == ERRCODE_CRASH_SHUTDOWN ||
		edata->sqlerrcode == ERRCODE_CANNOT_CONNECT_NOW;
}

/*
 * Did a remote statement prepared earlier (the statement cache of
 * adapter_pg.c) fail because the remote table's columns changed type?  The
 * adapter prepares it afresh next time; a read in autocommit, which ran
 * nothing else, can simply be sent again.
 */
static bool
statement_outdated(GrantScanState *fsstate, ErrorData *edata)
{
	return fsstate->autocommit &&
		edata->sqlerrcode == ERRCODE_FEATURE_NOT_SUPPORTED &&
		edata->message != NULL &&
		strcmp(edata->message, "cached plan must not change result type") == 0;
}

/*
 * The first row of a read that is its transaction's only work on the
 * server (autocommit).  If an endpoint's connection fails before any row
 * came back, nothing of the transaction ran anywhere else: its endpoint is
 * marked down and the read is routed and sent again (another reader, or
 * the writer), a few times at most.  Any other error, or a failure after
 * rows were returned, is raised as usual.
 */
static TupleTableSlot *
first_row_with_failover(ForeignScanState *node)
{
	GrantScanState *fsstate = (GrantScanState *) node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	int			attempt;

	for (attempt = 0;; attempt++)
	{
		MemoryContext oldcxt = CurrentMemoryContext;
		TupleTableSlot *volatile result = NULL;
		volatile bool failed = false;

		PG_TRY();
		{
			if (!fsstate->started)
				start_query(fsstate, node->ss.ps.ps_ExprContext);
			result = next_part_row(fsstate, slot);
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(oldcxt);
			edata = CopyErrorData();
			if ((ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_CONNECTION_EXCEPTION &&
				 !remote_went_away(edata) &&
				 !statement_outdated(fsstate, edata)) ||
				attempt >= 3)
				PG_RE_THROW();
			FlushErrorState();
			grant_stats_error();
			failed = true;
		}
		PG_END_TRY();

		if (!failed)
			return result;
		parts_abandon(&fsstate->parts);
		fsstate->started = false;
	}
}

TupleTableSlot *
grantIterateForeignScan(ForeignScanState *node)
{
	GrantScanState *fsstate = (GrantScanState *) node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	TupleTableSlot *result;

	if (fsstate->autocommit && !fsstate->returned_rows)
		result = first_row_with_failover(node);
	else
	{
		if (!fsstate->started)
			start_query(fsstate, node->ss.ps.ps_ExprContext);
		result = next_part_row(fsstate, slot);
	}
	if (result == NULL)
		return ExecClearTuple(slot);
	fsstate->returned_rows = true;
	return result;
}

void
grantReScanForeignScan(ForeignScanState *node)
{
	GrantScanState *fsstate = (GrantScanState *) node->fdw_state;

	parts_close(&fsstate->parts);
	fsstate->started = false;
}

void
grantEndForeignScan(ForeignScanState *node)
{
	GrantScanState *fsstate = (GrantScanState *) node->fdw_state;

	if (fsstate != NULL)
		parts_close(&fsstate->parts);
}

void
grantExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	GrantScanState *fsstate = (GrantScanState *) node->fdw_state;
	List	   *fdw_private = fsplan->fdw_private;

	if (list_length(fdw_private) > GrantScanRelations &&
		strVal(list_nth(fdw_private, GrantScanRelations))[0] != '\0')
		ExplainPropertyText("Relations",
							strVal(list_nth(fdw_private, GrantScanRelations)),
							es);
	if (es->verbose)
	{
		if (fsstate)
			parts_explain(&fsstate->parts, fsstate->sharded, es);
		ExplainPropertyText("Remote SQL",
							strVal(list_nth(fdw_private, GrantScanExplainSQL))[0] != '\0' ?
							strVal(list_nth(fdw_private, GrantScanExplainSQL)) :
							strVal(list_nth(fdw_private, GrantScanSQL)), es);
		if (strVal(list_nth(fdw_private, GrantScanMySQLSQL))[0] != '\0')
			ExplainPropertyText("Remote SQL (MySQL shards)",
								strVal(list_nth(fdw_private, GrantScanMySQLSQL)), es);
	}
}

/*
 * Direct modification: the whole UPDATE/DELETE runs as one remote
 * statement on the writer.
 */
void
grantBeginDirectModify(ForeignScanState *node, int eflags)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	GrantDirectState *dmstate;
	List	   *fdw_private = fsplan->fdw_private;

	dmstate = palloc0(sizeof(GrantDirectState));
	node->fdw_state = dmstate;

	dmstate->sql = strVal(list_nth(fdw_private, GrantDirectModifySQL));
	dmstate->mysql_sql = strVal(list_nth(fdw_private, GrantDirectModifyMySQLSQL));
	dmstate->has_returning = boolVal(list_nth(fdw_private, GrantDirectModifyHasReturning));
	dmstate->set_processed = boolVal(list_nth(fdw_private, GrantDirectModifySetProcessed));
	dmstate->server = GetForeignServer(fsplan->fs_server);
	dmstate->userid = scan_userid(fsplan, estate);
	dmstate->sharded = grant_server_shard_count(dmstate->server) > 1;

	if (fsplan->scan.scanrelid == 0)
		dmstate->rel = ExecOpenScanRelation(estate, fsplan->resultRelation, eflags);
	else
		dmstate->rel = node->ss.ss_currentRelation;
	{
		List	   *params = split_fdw_exprs(fsplan->fdw_exprs, fdw_private,
											 GrantDirectModifyShardKeys,
											 dmstate->rel, (PlanState *) node,
											 &dmstate->keys);

		if (!(eflags & EXEC_FLAG_EXPLAIN_ONLY))
			params_init(&dmstate->params, (PlanState *) node, params);
	}

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
	{
		parts_route(&dmstate->parts, dmstate->server, dmstate->userid, true,
					&dmstate->keys, NULL);
		return;
	}
	grant_check_write_allowed();

	if (dmstate->has_returning)
	{
		grant_reader_init(&dmstate->reader, RelationGetDescr(dmstate->rel),
						  (List *) list_nth(fdw_private, GrantDirectModifyRetrievedAttrs),
						  grant_binary_transfer(dmstate->server,
												GetForeignTable(RelationGetRelid(dmstate->rel))));
		dmstate->reader.heap_rows = true;	/* RETURNING may read xmin */
		dmstate->reader.relname = RelationGetRelationName(dmstate->rel);
	}
	dmstate->row_cxt = AllocSetContextCreate(estate->es_query_cxt,
											 "grant direct modify row",
											 ALLOCSET_SMALL_SIZES);
	dmstate->parts.what = psprintf("%s \"%s\"",
								   fsplan->operation == CMD_UPDATE ? "update of" : "delete from",
								   RelationGetRelationName(dmstate->rel));
}

/*
 * The first call sends the statement to every shard it concerns (all at
 * once); without RETURNING it then waits for all and counts the rows,
 * with RETURNING it hands one returned row per call to the projection.
 */
TupleTableSlot *
grantIterateDirectModify(ForeignScanState *node)
{
	GrantDirectState *dmstate = (GrantDirectState *) node->fdw_state;
	EState	   *estate = node->ss.ps.state;
	ResultRelInfo *resultRelInfo = node->resultRelInfo;
	GrantParts *parts = &dmstate->parts;
	TupleTableSlot *slot;

	if (!dmstate->started)
	{
		/* the handles outlive this call: keep them in the query's memory */
		MemoryContext oldcxt = MemoryContextSwitchTo(estate->es_query_cxt);
		int			p;

		params_eval(&dmstate->params, node->ss.ps.ps_ExprContext);
		parts_send(parts, dmstate->server, dmstate->userid, dmstate->sql,
				   dmstate->mysql_sql, &dmstate->params, dmstate->reader.binary, true, false,
				   &dmstate->keys, node->ss.ps.ps_ExprContext);
		for (p = 0; p < parts->nparts; p++)
			grant_connection_changed(parts->parts[p].conn);
		dmstate->started = true;
		MemoryContextSwitchTo(oldcxt);
	}

	if (!dmstate->has_returning)
	{
		int			i;

		for (i = 0; i < parts->nparts; i++)
		{
			GrantPart  *part = &parts->parts[i];
			const GrantAdapter *adapter = grant_connection_adapter(part->conn);

			GRANT_STATS_ENTER(&part->stat);
			adapter->close(part->query);
			GRANT_STATS_LEAVE();
			part->stat.rows = adapter->rows_affected(part->query);
			grant_stats_end(&part->stat);
			if (dmstate->set_processed)
				estate->es_processed += part->stat.rows;
			part->query = NULL;
		}
		return ExecClearTuple(node->ss.ss_ScanTupleSlot);
	}

	slot = ExecGetReturningSlot(estate, resultRelInfo);
	while (parts->current < parts->nparts)
	{
		GrantPart  *part = &parts->parts[parts->current];
		const GrantAdapter *adapter = grant_connection_adapter(part->conn);
		bool		got = false;

		if (part->query != NULL)
		{
			GRANT_STATS_ENTER(&part->stat);
			got = adapter->next_row(part->query, dmstate->reader.raw,
									dmstate->reader.lengths, dmstate->reader.ncols);
			GRANT_STATS_LEAVE();
		}
		if (got)
		{
			part->stat.rows++;
			grant_store_row(&dmstate->reader, slot, dmstate->row_cxt, adapter,
							part->query);
			if (dmstate->set_processed)
				estate->es_processed++;
			resultRelInfo->ri_projectReturning->pi_exprContext->ecxt_scantuple = slot;
			return slot;
		}
		grant_stats_end(&part->stat);
		part->query = NULL;
		parts->current++;
		grant_reader_recheck(&dmstate->reader);
	}
	return ExecClearTuple(node->ss.ss_ScanTupleSlot);
}

void
grantEndDirectModify(ForeignScanState *node)
{
	GrantDirectState *dmstate = (GrantDirectState *) node->fdw_state;

	if (dmstate != NULL)
		parts_close(&dmstate->parts);
}

void
grantExplainDirectModify(ForeignScanState *node, ExplainState *es)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	GrantDirectState *dmstate = (GrantDirectState *) node->fdw_state;

	if (es->verbose)
	{
		if (dmstate)
			parts_explain(&dmstate->parts, dmstate->sharded, es);
		ExplainPropertyText("Remote SQL",
							strVal(list_nth(fsplan->fdw_private, GrantDirectModifySQL)),
							es);
		if (strVal(list_nth(fsplan->fdw_private, GrantDirectModifyMySQLSQL))[0] != '\0')
			ExplainPropertyText("Remote SQL (MySQL shards)",
								strVal(list_nth(fsplan->fdw_private, GrantDirectModifyMySQLSQL)),
								es);
	}
}
