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
#include "access/transam.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "grant.h"

typedef struct GrantScanState
{
	char	   *sql;
	bool		for_update;
	ForeignServer *server;
	Oid			userid;
	GrantRoute	route;
	GrantConnection *conn;		/* NULL under EXPLAIN only */
	GrantRemoteQuery *query;	/* running query, or NULL */
	bool		eof;
	GrantRowReader reader;
	GrantParams params;
	MemoryContext row_cxt;		/* reset per row */
	MemoryContext query_cxt;	/* lives as long as one remote query */
} GrantScanState;

typedef struct GrantDirectState
{
	char	   *sql;
	bool		has_returning;
	bool		set_processed;
	Relation	rel;			/* target relation */
	ForeignServer *server;
	Oid			userid;
	GrantRoute	route;
	GrantConnection *conn;
	GrantRemoteQuery *query;
	bool		started;
	GrantRowReader reader;
	GrantParams params;
	MemoryContext row_cxt;
} GrantDirectState;

static void params_init(GrantParams *params, PlanState *node, List *fdw_exprs);
static void params_eval(GrantParams *params, ExprContext *econtext);
static void start_query(GrantScanState *fsstate, ExprContext *econtext);
static void check_remote_types(GrantRowReader *reader,
							   const GrantAdapter *adapter,
							   GrantRemoteQuery *query);
static Datum convert_value(GrantRowReader *reader, int col, int idx);
static void close_query(GrantConnection *conn, GrantRemoteQuery **query);
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
 * (as the text protocol would), anything else cannot be decoded.
 */
static void
check_remote_types(GrantRowReader *reader, const GrantAdapter *adapter,
				   GrantRemoteQuery *query)
{
	int			i;

	reader->checked = true;
	if (!reader->binary)
		return;
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

/* one remote value into a datum of attribute idx */
static Datum
convert_value(GrantRowReader *reader, int col, int idx)
{
	char	   *raw = reader->raw[col];
	StringInfoData buf;

	if (reader->conversion[col] == GRANT_CONVERT_TEXT)
		return InputFunctionCall(&reader->infuncs[idx], raw,
								 reader->typioparams[idx], reader->typmods[idx]);

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
		char	   *text = OutputFunctionCall(&reader->remote_out[col], remote);

		return InputFunctionCall(&reader->infuncs[idx], text,
								 reader->typioparams[idx], reader->typmods[idx]);
	}
}

/*
 * Convert the adapter's current row (reader->raw) into slot.  Columns not
 * retrieved are NULL.  With a ctid the tuple is a heap tuple carrying it
 * (UPDATE/DELETE find the remote row by it); otherwise a virtual tuple.
 * Values are allocated in row_cxt, which is reset first.
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

	if (reader->has_ctid)
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

	if (reader->has_ctid)
	{
		HeapTuple	tuple = heap_form_tuple(tupdesc, values, nulls);

		if (ctid)
			tuple->t_self = *ctid;
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

	if (params->num == 0)
		return;
	oldcxt = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	foreach(lc, params->exprs)
	{
		ExprState  *state = (ExprState *) lfirst(lc);
		bool		isnull;
		Datum		value = ExecEvalExpr(state, econtext, &isnull);

		params->values[i] = isnull ? NULL :
			OutputFunctionCall(&params->outfuncs[i], value);
		i++;
	}
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
	fsstate->for_update = boolVal(list_nth(fsplan->fdw_private, GrantScanForUpdate));
	fsstate->server = GetForeignServer(fsplan->fs_server);
	fsstate->userid = scan_userid(fsplan, estate);

	grant_route(fsstate->server, fsstate->userid, fsstate->for_update,
				&fsstate->route);

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	if (fsstate->for_update)
		grant_check_write_allowed();

	fsstate->conn = grant_get_connection(fsstate->server, fsstate->userid,
										 fsstate->route.endpoint);
	if (fsstate->for_update)
		grant_connection_wrote(fsstate->conn);

	if (fsplan->scan.scanrelid > 0)
		tupdesc = RelationGetDescr(node->ss.ss_currentRelation);
	else
		tupdesc = node->ss.ss_ScanTupleSlot->tts_tupleDescriptor;
	grant_reader_init(&fsstate->reader, tupdesc,
					  (List *) list_nth(fsplan->fdw_private, GrantScanRetrievedAttrs),
					  grant_binary_transfer(fsstate->server,
											fsplan->scan.scanrelid > 0 ?
											GetForeignTable(RelationGetRelid(node->ss.ss_currentRelation)) : NULL));
	fsstate->reader.relname = fsplan->scan.scanrelid > 0 ?
		RelationGetRelationName(node->ss.ss_currentRelation) : "join or aggregate";
	params_init(&fsstate->params, (PlanState *) node, fsplan->fdw_exprs);

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
	const GrantAdapter *adapter = grant_connection_adapter(fsstate->conn);
	MemoryContext oldcxt;

	params_eval(&fsstate->params, econtext);
	MemoryContextReset(fsstate->query_cxt);
	oldcxt = MemoryContextSwitchTo(fsstate->query_cxt);
	fsstate->query = adapter->query(grant_connection_remote(fsstate->conn),
									fsstate->sql, NULL, fsstate->params.num,
									fsstate->params.values, fsstate->reader.binary);
	MemoryContextSwitchTo(oldcxt);
	fsstate->eof = false;
}

TupleTableSlot *
grantIterateForeignScan(ForeignScanState *node)
{
	GrantScanState *fsstate = (GrantScanState *) node->fdw_state;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	const GrantAdapter *adapter = grant_connection_adapter(fsstate->conn);

	if (fsstate->query == NULL)
	{
		if (fsstate->eof)
			return ExecClearTuple(slot);
		start_query(fsstate, node->ss.ps.ps_ExprContext);
	}

	if (!adapter->next_row(fsstate->query, fsstate->reader.raw,
						   fsstate->reader.lengths, fsstate->reader.ncols))
	{
		fsstate->query = NULL;
		fsstate->eof = true;
		return ExecClearTuple(slot);
	}
	grant_store_row(&fsstate->reader, slot, fsstate->row_cxt, adapter,
					fsstate->query);
	return slot;
}

void
grantReScanForeignScan(ForeignScanState *node)
{
	GrantScanState *fsstate = (GrantScanState *) node->fdw_state;

	close_query(fsstate->conn, &fsstate->query);
	fsstate->eof = false;
}

void
grantEndForeignScan(ForeignScanState *node)
{
	GrantScanState *fsstate = (GrantScanState *) node->fdw_state;

	if (fsstate != NULL)
		close_query(fsstate->conn, &fsstate->query);
}

void
grantExplainForeignScan(ForeignScanState *node, ExplainState *es)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	GrantScanState *fsstate = (GrantScanState *) node->fdw_state;
	List	   *fdw_private = fsplan->fdw_private;

	if (list_length(fdw_private) > GrantScanRelations)
		ExplainPropertyText("Relations",
							strVal(list_nth(fdw_private, GrantScanRelations)),
							es);
	if (es->verbose)
	{
		if (fsstate && fsstate->route.endpoint)
			ExplainPropertyText("Route", grant_route_describe(&fsstate->route), es);
		ExplainPropertyText("Remote SQL",
							strVal(list_nth(fdw_private, GrantScanSQL)), es);
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
	dmstate->has_returning = boolVal(list_nth(fdw_private, GrantDirectModifyHasReturning));
	dmstate->set_processed = boolVal(list_nth(fdw_private, GrantDirectModifySetProcessed));
	dmstate->server = GetForeignServer(fsplan->fs_server);
	dmstate->userid = scan_userid(fsplan, estate);

	grant_route(dmstate->server, dmstate->userid, true, &dmstate->route);
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	grant_check_write_allowed();

	dmstate->conn = grant_get_connection(dmstate->server, dmstate->userid,
										 dmstate->route.endpoint);
	grant_connection_wrote(dmstate->conn);

	if (fsplan->scan.scanrelid == 0)
		dmstate->rel = ExecOpenScanRelation(estate, fsplan->resultRelation, eflags);
	else
		dmstate->rel = node->ss.ss_currentRelation;

	if (dmstate->has_returning)
	{
		grant_reader_init(&dmstate->reader, RelationGetDescr(dmstate->rel),
						  (List *) list_nth(fdw_private, GrantDirectModifyRetrievedAttrs),
						  grant_binary_transfer(dmstate->server,
												GetForeignTable(RelationGetRelid(dmstate->rel))));
		dmstate->reader.relname = RelationGetRelationName(dmstate->rel);
	}
	params_init(&dmstate->params, (PlanState *) node, fsplan->fdw_exprs);
	dmstate->row_cxt = AllocSetContextCreate(estate->es_query_cxt,
											 "grant direct modify row",
											 ALLOCSET_SMALL_SIZES);
}

TupleTableSlot *
grantIterateDirectModify(ForeignScanState *node)
{
	GrantDirectState *dmstate = (GrantDirectState *) node->fdw_state;
	EState	   *estate = node->ss.ps.state;
	ResultRelInfo *resultRelInfo = node->resultRelInfo;
	const GrantAdapter *adapter = grant_connection_adapter(dmstate->conn);
	TupleTableSlot *slot;

	if (!dmstate->started)
	{
		/* the handle outlives this call: keep it in the query's memory */
		MemoryContext oldcxt = MemoryContextSwitchTo(estate->es_query_cxt);

		params_eval(&dmstate->params, node->ss.ps.ps_ExprContext);
		dmstate->query = adapter->query(grant_connection_remote(dmstate->conn),
										dmstate->sql, NULL, dmstate->params.num,
										dmstate->params.values,
										dmstate->reader.binary);
		dmstate->started = true;
		MemoryContextSwitchTo(oldcxt);
	}

	if (!dmstate->has_returning)
	{
		char	   *dummy[1];

		while (adapter->next_row(dmstate->query, dummy, NULL, 0))
			;
		if (dmstate->set_processed)
			estate->es_processed += adapter->rows_affected(dmstate->query);
		dmstate->query = NULL;
		return ExecClearTuple(node->ss.ss_ScanTupleSlot);
	}

	/* RETURNING: hand one returned row at a time to the projection */
	slot = ExecGetReturningSlot(estate, resultRelInfo);
	if (dmstate->query == NULL ||
		!adapter->next_row(dmstate->query, dmstate->reader.raw,
						   dmstate->reader.lengths, dmstate->reader.ncols))
	{
		dmstate->query = NULL;
		return ExecClearTuple(node->ss.ss_ScanTupleSlot);
	}
	grant_store_row(&dmstate->reader, slot, dmstate->row_cxt, adapter,
					dmstate->query);
	if (dmstate->set_processed)
		estate->es_processed++;
	resultRelInfo->ri_projectReturning->pi_exprContext->ecxt_scantuple = slot;
	return slot;
}

void
grantEndDirectModify(ForeignScanState *node)
{
	GrantDirectState *dmstate = (GrantDirectState *) node->fdw_state;

	if (dmstate != NULL)
		close_query(dmstate->conn, &dmstate->query);
}

void
grantExplainDirectModify(ForeignScanState *node, ExplainState *es)
{
	ForeignScan *fsplan = (ForeignScan *) node->ss.ps.plan;
	GrantDirectState *dmstate = (GrantDirectState *) node->fdw_state;

	if (es->verbose)
	{
		if (dmstate && dmstate->route.endpoint)
			ExplainPropertyText("Route", grant_route_describe(&dmstate->route), es);
		ExplainPropertyText("Remote SQL",
							strVal(list_nth(fsplan->fdw_private, GrantDirectModifySQL)),
							es);
	}
}
