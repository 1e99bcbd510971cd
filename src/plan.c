/*-------------------------------------------------------------------------
 *
 * plan.c
 *		  Planner callbacks of grant for foreign tables (base relations) and
 *		  for INSERT, UPDATE, DELETE on them.
 *
 * Invariants:
 *	- Planning never talks to a remote server.  Sizes come from the local
 *	  statistics of the foreign table (ANALYZE), or a fixed guess when it
 *	  was never analyzed; costs from a small model shared with pushdown.c
 *	  (grant_estimate_path_cost), so that computing something remotely is
 *	  preferred exactly when it saves rows on the wire or a round trip.
 *	- What is shipped is decided by the dialect's deparser; what it refuses
 *	  is computed locally, so a plan's result never depends on the choice.
 *	- ForeignScan and modify fdw_private lists follow the enums in grant.h.
 *	  A scan that locks rows (FOR UPDATE/SHARE, or feeding UPDATE/DELETE)
 *	  says so in GrantScanForUpdate so the executor sends it to the writer;
 *	  the remote takes the lock the query asked for, with its NOWAIT or
 *	  SKIP LOCKED (grant_scan_lock).
 *	- UPDATE and DELETE run as one remote statement (direct modify) when
 *	  the scan below has no local condition, every SET expression ships,
 *	  and no local trigger, WITH CHECK OPTION or generated column needs to
 *	  see the rows; otherwise row by row, by ctid (PostgreSQL) or by the
 *	  key columns (MySQL, see grant_mysql_key_attrs).
 *	- INSERT sends the columns the statement supplies (explicitly or by a
 *	  local default), never a NULL for a column it left out: the remote's
 *	  default applies to those (insert_target_attrs).
 *	- A MySQL relation is shipped as a single-table SELECT (conditions,
 *	  ORDER BY, LIMIT) by deparse_mysql.c; joins and aggregates stay local.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "grant.h"

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/appendinfo.h"
#include "optimizer/cost.h"
#include "optimizer/inherit.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/plancat.h"
#include "optimizer/planmain.h"
#include "optimizer/prep.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/*
 * The cost model's constants: opening a remote query costs about as much
 * as reading a hundred local pages; each row sent costs a little on top of
 * handling it locally; a remote sort somewhat less than a local one.
 */
#define GRANT_FDW_STARTUP_COST		100.0
#define GRANT_FDW_TUPLE_COST		0.01
#define GRANT_REMOTE_SORT_FACTOR	0.8
#define GRANT_LIMIT_DISCOUNT		0.05
#define GRANT_DEFAULT_FETCH_SIZE	1000
/* beyond this many parameters, constants stay literals in the SQL */
#define GRANT_MAX_CONST_PARAMS		10000
/* a never-analyzed foreign table is guessed to fill this many pages */
#define GRANT_UNKNOWN_PAGES			10

static bool dialect_is_pg(GrantRelInfo *info);
static bool expr_ships(PlannerInfo *root, RelOptInfo *rel, GrantRelInfo *info,
					   Expr *expr);
static void classify_conditions(PlannerInfo *root, RelOptInfo *rel,
								GrantRelInfo *info, List *conds,
								List **remote_conds, List **local_conds);
static List *append_shard_keys(List *fdw_private, List **params_list,
							   Index rtindex, Oid relid, bool sharded,
							   List *shipped_clauses);
static char *mixed_mysql_select(PlannerInfo *root, RelOptInfo *rel,
								List *remote_conds, List *pathkeys,
								bool has_limit, List *pg_retrieved_attrs,
								List *pg_params);
static bool values_column_defaulted(PlannerInfo *root, TargetEntry *tle);
static List *insert_target_attrs(PlannerInfo *root, Relation rel);
static bool pathkeys_ship(PlannerInfo *root, RelOptInfo *rel,
						  GrantRelInfo *info, List *pathkeys);
static List *plan_mysql_modify(PlannerInfo *root, ModifyTable *plan,
							   Index resultRelation, int subplan_index,
							   Relation rel, List *target_attrs);
static List *plan_mixed_modify(PlannerInfo *root, ModifyTable *plan,
							   Index resultRelation, int subplan_index,
							   Relation rel, List *target_attrs,
							   List *pg_private);
static bool plan_mysql_direct(PlannerInfo *root, ModifyTable *plan,
							  Index resultRelation, int subplan_index,
							  ForeignScan *fscan, Relation rel,
							  List *target_attrs, List *target_exprs);
static bool mysql_direct_sql(PlannerInfo *root, ModifyTable *plan,
							 Index resultRelation, int subplan_index,
							 ForeignScan *fscan, Relation rel,
							 List *target_attrs, List *target_exprs,
							 StringInfo sql, List **params_list,
							 List **retrieved_attrs);
static ForeignScan *find_direct_modify_scan(ModifyTable *plan,
											Index resultRelation,
											int subplan_index);


static bool
dialect_is_pg(GrantRelInfo *info)
{
	return info->dialect == GRANT_ADAPTER_POSTGRESQL;
}

/* can the relation's dialect evaluate expr remotely as we would? */
static bool
expr_ships(PlannerInfo *root, RelOptInfo *rel, GrantRelInfo *info, Expr *expr)
{
	if (info->mixed)
		return grant_pg_is_foreign_expr(root, rel, expr) &&
			grant_mysql_is_foreign_expr(root, rel, expr);
	if (dialect_is_pg(info))
		return grant_pg_is_foreign_expr(root, rel, expr);
	return grant_mysql_is_foreign_expr(root, rel, expr);
}

/*
 * Split RestrictInfos into those the remote can check and those that must
 * be checked locally.  Both lists are new; the RestrictInfos are shared.
 */
static void
classify_conditions(PlannerInfo *root, RelOptInfo *rel, GrantRelInfo *info,
					List *conds, List **remote_conds, List **local_conds)
{
	ListCell   *lc;

	*remote_conds = NIL;
	*local_conds = NIL;
	foreach(lc, conds)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

		if (expr_ships(root, rel, info, ri->clause))
			*remote_conds = lappend(*remote_conds, ri);
		else
			*local_conds = lappend(*local_conds, ri);
	}
}

static bool
pathkeys_ship(PlannerInfo *root, RelOptInfo *rel, GrantRelInfo *info,
			  List *pathkeys)
{
	if (dialect_is_pg(info))
		return grant_pg_pathkeys_are_shippable(root, rel, pathkeys);
	return grant_mysql_pathkeys_are_shippable(root, rel, pathkeys);
}

/*
 * fdw_private of a ForeignPath: whether it carries the query's final sort
 * and LIMIT (NIL for a plain scan).  Read back by grantGetForeignPlan.
 */
List *
grant_path_private(const GrantPathExtra *extra)
{
	if (extra == NULL || (!extra->has_final_sort && !extra->has_limit))
		return NIL;
	return list_make2(makeBoolean(extra->has_final_sort),
					  makeBoolean(extra->has_limit));
}

/*
 * Rows, width and costs of computing 'rel' remotely, plus the ORDER BY and
 * LIMIT in 'extra' (may be NULL).  Uses the rel's GrantRelInfo figures:
 * rows, retrieved_rows, width and the remote startup/run costs.
 */
void
grant_estimate_path_cost(PlannerInfo *root, RelOptInfo *rel,
						 const GrantPathExtra *extra,
						 double *rows, int *width,
						 Cost *startup_cost, Cost *total_cost)
{
	GrantRelInfo *info = (GrantRelInfo *) rel->fdw_private;
	double		nrows = info->rows;
	double		retrieved = info->retrieved_rows;
	Cost		startup = info->remote_startup_cost;
	Cost		run = info->remote_run_cost;
	Cost		total;

	if (extra != NULL && extra->pathkeys != NIL)
	{
		/*
		 * The remote sorts the rows it would send, after computing them
		 * all.  Priced as a local sort of those rows, somewhat cheaper: the
		 * remote may read them in order from an index, and the rows need
		 * not be held here; so a sort that has to happen somewhere happens
		 * remotely.
		 */
		Path		sort_path;

		cost_sort(&sort_path, root, extra->pathkeys, 0.0, retrieved,
				  info->width, 0.0, work_mem,
				  extra->has_limit ? extra->limit_tuples : -1.0);
		startup += run + sort_path.startup_cost * GRANT_REMOTE_SORT_FACTOR;
		run = (sort_path.total_cost - sort_path.startup_cost) *
			GRANT_REMOTE_SORT_FACTOR;
	}
	total = startup + run;

	if (extra != NULL && extra->has_limit)
	{
		adjust_limit_rows_costs(&nrows, &startup, &total,
								extra->offset_est, extra->count_est);
		/* a limited relation has no local conditions */
		retrieved = nrows;
	}

	startup += GRANT_FDW_STARTUP_COST;
	total += GRANT_FDW_STARTUP_COST;
	total += (GRANT_FDW_TUPLE_COST + cpu_tuple_cost) * retrieved;

	startup += info->local_conds_cost.startup;
	total += info->local_conds_cost.startup +
		info->local_conds_cost.per_tuple * retrieved;

	/*
	 * A LIMIT done remotely spares the rows a local Limit would have had
	 * fetched past it, and bounds what is sent even when the row estimate
	 * is wrong; the core model sees neither, so tip the balance
	 * explicitly.
	 */
	if (extra != NULL && extra->has_limit)
		total -= (total - startup) * GRANT_LIMIT_DISCOUNT;

	*rows = nrows;
	*width = info->width;
	*startup_cost = startup;
	*total_cost = total;
}

/*
 * GetForeignRelSize: what of the WHERE clause ships, which columns are
 * fetched, and how many rows come back.
 */
void
grantGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel,
					   Oid foreigntableid)
{
	GrantRelInfo *info;
	QualCost	remote_cost;
	ListCell   *lc;

	info = (GrantRelInfo *) palloc0(sizeof(GrantRelInfo));
	baserel->fdw_private = info;

	info->table = GetForeignTable(foreigntableid);
	info->server = GetForeignServer(info->table->serverid);
	info->serverid = info->server->serverid;
	info->dialect = grant_server_dialect(info->server);
	info->sharded = grant_server_shard_count(info->server) > 1;
	info->mixed = info->sharded && grant_server_mixed(info->server);
	info->fetch_size = GRANT_DEFAULT_FETCH_SIZE;
	info->relation_index = baserel->relid;
	info->pushdown_safe = true;

	classify_conditions(root, baserel, info, baserel->baserestrictinfo,
						&info->remote_conds, &info->local_conds);

	/* columns for the output and for the conditions checked here */
	pull_varattnos((Node *) baserel->reltarget->exprs, baserel->relid,
				   &info->attrs_used);
	foreach(lc, info->local_conds)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

		pull_varattnos((Node *) ri->clause, baserel->relid, &info->attrs_used);
	}

	info->local_conds_sel = clauselist_selectivity(root, info->local_conds,
												   baserel->relid, JOIN_INNER,
												   NULL);
	cost_qual_eval(&info->local_conds_cost, info->local_conds, root);

	/* never analyzed: guess a few pages of rows of the target's width */
	if (baserel->tuples < 0)
	{
		baserel->pages = GRANT_UNKNOWN_PAGES;
		baserel->tuples =
			(GRANT_UNKNOWN_PAGES * BLCKSZ) /
			(baserel->reltarget->width + MAXALIGN(SizeofHeapTupleHeader));
	}
	set_baserel_size_estimates(root, baserel);

	info->rows = baserel->rows;
	info->width = baserel->reltarget->width;
	info->retrieved_rows = clamp_row_est(baserel->rows / info->local_conds_sel);
	if (baserel->tuples > 0)
		info->retrieved_rows = Min(info->retrieved_rows, baserel->tuples);

	/* the remote reads the table and checks the shipped conditions */
	cost_qual_eval(&remote_cost, info->remote_conds, root);
	info->remote_startup_cost = remote_cost.startup;
	info->remote_run_cost = seq_page_cost * baserel->pages +
		(cpu_tuple_cost + remote_cost.per_tuple) * baserel->tuples;

	grant_estimate_path_cost(root, baserel, NULL, &info->rows, &info->width,
							 &info->startup_cost, &info->total_cost);
}

/*
 * GetForeignPaths: the plain scan, and a remotely sorted one when the
 * query's ORDER BY (or merge-friendly order) can be sent.
 */
void
grantGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel,
					 Oid foreigntableid)
{
	GrantRelInfo *info = (GrantRelInfo *) baserel->fdw_private;
	ForeignPath *path;

	path = create_foreignscan_path(root, baserel, NULL,
								   info->rows, info->startup_cost,
								   info->total_cost, NIL,
								   baserel->lateral_relids, NULL, NIL);
	add_path(baserel, (Path *) path);

	info->qp_is_pushdown_safe = false;
	/* rows of several shards come back in no particular order */
	if (root->query_pathkeys != NIL && !info->sharded &&
		pathkeys_ship(root, baserel, info, root->query_pathkeys))
	{
		GrantPathExtra extra;
		double		rows;
		int			width;
		Cost		startup;
		Cost		total;

		info->qp_is_pushdown_safe = true;
		memset(&extra, 0, sizeof(extra));
		extra.pathkeys = root->query_pathkeys;
		extra.limit_tuples = -1;
		grant_estimate_path_cost(root, baserel, &extra, &rows, &width,
								 &startup, &total);
		path = create_foreignscan_path(root, baserel, NULL, rows, startup,
									   total, root->query_pathkeys,
									   baserel->lateral_relids, NULL, NIL);
		add_path(baserel, (Path *) path);
	}
}

/*
 * The SELECT of a mixed database's base relation for its MySQL shards.  It
 * reads the same columns with the same parameters as the PostgreSQL one
 * (both deparsers list columns in attnum order and number parameters in
 * the order of the conditions, which only both could ship), so that one
 * row reader and one parameter list serve every shard.
 */
static char *
mixed_mysql_select(PlannerInfo *root, RelOptInfo *rel, List *remote_conds,
				   List *pathkeys, bool has_limit, List *pg_retrieved_attrs,
				   List *pg_params)
{
	StringInfoData sql;
	List	   *retrieved_attrs = NIL;
	List	   *params = NIL;

	if (!IS_SIMPLE_REL(rel))
		elog(ERROR, "grant: a join or aggregate of a mixed database cannot be shipped");
	initStringInfo(&sql);
	grant_mysql_deparse_select(&sql, root, rel, remote_conds, pathkeys,
							   has_limit, &retrieved_attrs, &params);
	if (!equal(retrieved_attrs, pg_retrieved_attrs) || !equal(params, pg_params))
		elog(ERROR, "grant: the MySQL and PostgreSQL forms of a scan differ in columns or parameters");
	return sql.data;
}

/*
 * Append to fdw_private how the executor finds the shards a statement on a
 * sharded table can touch: the shard key conditions among the shipped
 * ones (their value expressions go after the remote parameters in
 * fdw_exprs, which *params_list becomes).  Zero expressions: every shard.
 */
static List *
append_shard_keys(List *fdw_private, List **params_list, Index rtindex,
				  Oid relid, bool sharded, List *shipped_clauses)
{
	List	   *key_exprs = NIL;
	List	   *key_arrays = NIL;

	if (sharded && rtindex > 0)
		grant_shard_key_conditions(rtindex, relid, shipped_clauses,
								   &key_exprs, &key_arrays);
	fdw_private = lappend(fdw_private, makeInteger(list_length(key_exprs)));
	fdw_private = lappend(fdw_private, key_arrays);
	*params_list = list_concat(*params_list, key_exprs);
	return fdw_private;
}

/*
 * Does the scan of base relation 'rel' lock rows remotely?  The remote
 * locks every row the scan returns, while the server itself locks only the
 * rows that reach the query's result: the same rows when the relation is
 * the query's only one, every condition ships and so does any LIMIT.
 * Otherwise the remote locks more rows than the server would; a waiting
 * lock merely waits for more (as postgres_fdw's do), but SKIP LOCKED would
 * make other sessions skip rows the server would give them and NOWAIT fail
 * on rows the server would not touch, so those are refused.
 */
static bool
scan_locks(PlannerInfo *root, RelOptInfo *rel, List *local_exprs,
		   bool has_limit)
{
	LockWaitPolicy wait;
	Query	   *query = root->parse;
	const char *why = NULL;

	if (grant_scan_lock(root, rel, &wait) == LCS_NONE)
		return false;
	if (wait == LockWaitBlock)
		return true;
	if (local_exprs != NIL)
		why = "A condition of the query is evaluated locally.";
	else if (bms_num_members(root->all_baserels) > 1)
		why = "The query joins the table locally.";
	else if ((query->limitCount != NULL || query->limitOffset != NULL) &&
			 !has_limit)
		why = "The query's LIMIT or OFFSET is applied locally.";
	if (why != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s on foreign table \"%s\" would lock rows the query does not return",
						wait == LockWaitSkip ? "SKIP LOCKED" : "NOWAIT",
						get_rel_name(planner_rt_fetch(rel->relid, root)->relid)),
				 errdetail_internal("%s", why),
				 errhint("Make every condition, the ORDER BY and the LIMIT shippable to the remote, or lock without %s.",
						 wait == LockWaitSkip ? "SKIP LOCKED" : "NOWAIT")));
	return true;
}

/*
 * GetForeignPlan: the remote SELECT and the plan node, for base, join and
 * upper relations alike.
 */
ForeignScan *
grantGetForeignPlan(PlannerInfo *root, RelOptInfo *foreignrel,
					Oid foreigntableid, ForeignPath *best_path,
					List *tlist, List *scan_clauses, Plan *outer_plan)
{
	GrantRelInfo *info = (GrantRelInfo *) foreignrel->fdw_private;
	Index		scan_relid;
	List	   *remote_conds = NIL;
	List	   *local_exprs = NIL;
	List	   *fdw_scan_tlist = NIL;
	List	   *fdw_recheck_quals = NIL;
	List	   *retrieved_attrs = NIL;
	List	   *params_list = NIL;
	List	   *fdw_private;
	bool		has_final_sort = false;
	bool		has_limit = false;
	bool		for_update = false;
	StringInfoData sql;
	char	   *explain_sql = "";
	ListCell   *lc;

	if (best_path->fdw_private != NIL)
	{
		has_final_sort = boolVal(linitial(best_path->fdw_private));
		has_limit = boolVal(lsecond(best_path->fdw_private));
	}

	if (IS_SIMPLE_REL(foreignrel))
	{
		scan_relid = foreignrel->relid;

		/*
		 * scan_clauses are the RestrictInfos of the relation (and of a
		 * parameterization, if any): those classified as remote go into
		 * the SQL, the others stay in the plan's qual.
		 */
		foreach(lc, scan_clauses)
		{
			RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

			if (ri->pseudoconstant)
				continue;		/* handled by a gating Result */
			if (list_member_ptr(info->remote_conds, ri))
				remote_conds = lappend(remote_conds, ri);
			else if (list_member_ptr(info->local_conds, ri))
				local_exprs = lappend(local_exprs, ri->clause);
			else if (expr_ships(root, foreignrel, info, ri->clause))
				remote_conds = lappend(remote_conds, ri);
			else
				local_exprs = lappend(local_exprs, ri->clause);
		}

		/* under EvalPlanQual the shipped conditions are checked here */
		fdw_recheck_quals = extract_actual_clauses(remote_conds, false);
		for_update = scan_locks(root, foreignrel, local_exprs, has_limit);
	}
	else
	{
		/* join or upper relation: everything was classified already */
		scan_relid = 0;
		Assert(scan_clauses == NIL);
		remote_conds = info->remote_conds;
		local_exprs = extract_actual_clauses(info->local_conds, false);
		fdw_scan_tlist = grant_pg_build_tlist_to_deparse(foreignrel);
		if (IS_UPPER_REL(foreignrel))
		{
			/* ORDER BY and LIMIT of a locking query ship with its lock */
			RelOptInfo *base = grant_scan_rel_of(foreignrel);

			remote_conds = NIL; /* HAVING is read from info */
			if (IS_SIMPLE_REL(base))
				for_update = scan_locks(root, base,
										((GrantRelInfo *) base->fdw_private)->local_conds,
										has_limit);
		}
	}

	initStringInfo(&sql);
	if (dialect_is_pg(info))
	{
		bool		printed_const = false;

		grant_pg_deparse_select(&sql, root, foreignrel, fdw_scan_tlist,
								remote_conds, best_path->path.pathkeys,
								has_final_sort, has_limit, false,
								&printed_const, &retrieved_attrs, &params_list);

		/*
		 * What runs sends the constants as parameters too: one statement
		 * text for every value, which the remote prepares once (see the
		 * statement cache of adapter_pg.c).  EXPLAIN shows the literals.
		 * Not for a mixed database, whose MySQL form must take the same
		 * parameters.
		 */
		if (printed_const && !info->mixed)
		{
			StringInfoData psql;
			List	   *pretrieved = NIL;
			List	   *pparams = NIL;

			initStringInfo(&psql);
			grant_pg_deparse_select(&psql, root, foreignrel, fdw_scan_tlist,
									remote_conds, best_path->path.pathkeys,
									has_final_sort, has_limit, true, NULL,
									&pretrieved, &pparams);
			/* the protocol allows 65535 parameters; shard keys come too */
			if (list_length(pparams) <= GRANT_MAX_CONST_PARAMS)
			{
				explain_sql = sql.data;
				sql = psql;
				retrieved_attrs = pretrieved;
				params_list = pparams;
			}
		}
	}
	else
		grant_mysql_deparse_select(&sql, root, foreignrel, remote_conds,
								   best_path->path.pathkeys, has_limit,
								   &retrieved_attrs, &params_list);

	fdw_private = list_make4(makeString(sql.data),
							 retrieved_attrs,
							 makeInteger(info->fetch_size),
							 makeBoolean(for_update));
	fdw_private = lappend(fdw_private,
						  makeString(scan_relid == 0 && info->relation_name ?
									 info->relation_name : ""));
	fdw_private = lappend(fdw_private,
						  makeString(info->mixed ?
									 mixed_mysql_select(root, foreignrel,
														remote_conds,
														best_path->path.pathkeys,
														has_limit, retrieved_attrs,
														params_list) : ""));
	fdw_private = lappend(fdw_private, makeString(explain_sql));
	fdw_private = append_shard_keys(fdw_private, &params_list, scan_relid,
									foreigntableid, info->sharded,
									fdw_recheck_quals);

	return make_foreignscan(tlist, local_exprs, scan_relid, params_list,
							fdw_private, fdw_scan_tlist, fdw_recheck_quals,
							outer_plan);
}

/*
 * AddForeignUpdateTargets: rows are identified by their remote ctid, or
 * on MySQL by their key columns (junk columns "grant_key_<attnum>").  A
 * MySQL table without a key gets none here, nor a table of a database
 * whose shards mix both: a direct modification needs none, and planning
 * it row by row fails with a clear error.
 */
void
grantAddForeignUpdateTargets(PlannerInfo *root, Index rtindex,
							 RangeTblEntry *target_rte,
							 Relation target_relation)
{
	Var		   *var;
	ForeignTable *table = GetForeignTable(RelationGetRelid(target_relation));
	ListCell   *lc;

	/* shards of both dialects: only a direct modification is possible */
	if (grant_server_mixed(GetForeignServer(table->serverid)))
		return;
	if (grant_server_dialect(GetForeignServer(table->serverid)) == GRANT_ADAPTER_POSTGRESQL)
	{
		var = makeVar(rtindex, SelfItemPointerAttributeNumber, TIDOID, -1,
					  InvalidOid, 0);
		add_row_identity_var(root, var, rtindex, "ctid");
		return;
	}
	foreach(lc, grant_mysql_key_attrs(target_relation))
	{
		AttrNumber	attno = lfirst_int(lc);
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(target_relation),
											  attno - 1);

		var = makeVar(rtindex, attno, att->atttypid, att->atttypmod,
					  att->attcollation, 0);
		add_row_identity_var(root, var, rtindex, psprintf("grant_key_%d", attno));
	}
}

/*
 * A column of a multi-row VALUES that is DEFAULT in every row and has no
 * local default: the rewriter put a NULL constant of its own (no parse
 * location) in each row.  A literal NULL keeps its location, so it is
 * sent.  When the plan has bound parameters, a NULL parameter folded
 * into a constant looks the same: the column is then taken as supplied
 * (DEFAULT sent as NULL), never an explicit NULL dropped.
 */
static bool
values_column_defaulted(PlannerInfo *root, TargetEntry *tle)
{
	Var		   *var = (Var *) tle->expr;
	RangeTblEntry *rte;
	ListCell   *lc;

	if (!IsA(var, Var) || var->varlevelsup != 0 || var->varattno < 1 ||
		root->glob->boundParams != NULL)
		return false;
	rte = planner_rt_fetch(var->varno, root);
	if (rte->rtekind != RTE_VALUES)
		return false;
	foreach(lc, rte->values_lists)
	{
		Node	   *item = list_nth((List *) lfirst(lc), var->varattno - 1);

		while (IsA(item, CoerceToDomain) || IsA(item, RelabelType))
			item = IsA(item, CoerceToDomain) ?
				(Node *) ((CoerceToDomain *) item)->arg :
				(Node *) ((RelabelType *) item)->arg;
		if (!IsA(item, Const) || !((Const *) item)->constisnull ||
			((Const *) item)->location >= 0)
			return false;
	}
	return true;
}

/*
 * The columns an INSERT sends, in attnum order: those the statement
 * supplies, explicitly or through a local default of the foreign table
 * (the rewriter leaves exactly those in the target list), and generated
 * columns (sent as DEFAULT).  The others are left out of the remote
 * INSERT, so that the remote's own defaults apply: serial, identity,
 * DEFAULT now(), AUTO_INCREMENT.  An explicit NULL is supplied; DEFAULT
 * without a local default is not (for multi-row VALUES, only when every
 * row says DEFAULT: see values_column_defaulted).  A BEFORE INSERT row
 * trigger may set any column, so with one every column is sent.
 */
static List *
insert_target_attrs(PlannerInfo *root, Relation rel)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	bool		all = rel->trigdesc && rel->trigdesc->trig_insert_before_row;
	Bitmapset  *supplied = NULL;
	List	   *target_attrs = NIL;
	ListCell   *lc;
	int			attnum;

	foreach(lc, root->parse->targetList)
	{
		TargetEntry *tle = (TargetEntry *) lfirst(lc);

		if (!tle->resjunk && !values_column_defaulted(root, tle))
			supplied = bms_add_member(supplied, tle->resno);
	}
	for (attnum = 1; attnum <= tupdesc->natts; attnum++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, attnum - 1);

		if (!att->attisdropped &&
			(all || att->attgenerated || bms_is_member(attnum, supplied)))
			target_attrs = lappend_int(target_attrs, attnum);
	}
	return target_attrs;
}

/*
 * PlanForeignModify: the statement for one row (INSERT, or UPDATE/DELETE
 * by ctid).  Target attrs of INSERT are the columns the statement
 * supplies (insert_target_attrs); of UPDATE, the columns assigned.
 */
List *
grantPlanForeignModify(PlannerInfo *root, ModifyTable *plan,
					   Index resultRelation, int subplan_index)
{
	CmdType		operation = plan->operation;
	RangeTblEntry *rte = planner_rt_fetch(resultRelation, root);
	Relation	rel;
	List	   *target_attrs = NIL;
	List	   *wco_list = NIL;
	List	   *returning_list = NIL;
	List	   *retrieved_attrs = NIL;
	bool		do_nothing = false;
	int			values_end_len = -1;
	StringInfoData sql;

	rel = table_open(rte->relid, NoLock);

	if (operation == CMD_INSERT)
		target_attrs = insert_target_attrs(root, rel);
	else if (operation == CMD_UPDATE)
	{
		RelOptInfo *relinfo = find_base_rel(root, resultRelation);
		Bitmapset  *cols = get_rel_all_updated_cols(root, relinfo);
		int			col = -1;

		while ((col = bms_next_member(cols, col)) >= 0)
		{
			AttrNumber	attno = col + FirstLowInvalidHeapAttributeNumber;

			if (attno <= InvalidAttrNumber)
				elog(ERROR, "system-column update is not supported");
			target_attrs = lappend_int(target_attrs, attno);
		}
		grant_shard_check_update(rte->relid, target_attrs);
	}

	if (plan->withCheckOptionLists != NIL)
		wco_list = (List *) list_nth(plan->withCheckOptionLists, subplan_index);
	if (plan->returningLists != NIL)
		returning_list = (List *) list_nth(plan->returningLists, subplan_index);

	if (grant_server_dialect(GetForeignServer(GetForeignTable(rte->relid)->serverid)) ==
		GRANT_ADAPTER_MYSQL)
	{
		List	   *result = plan_mysql_modify(root, plan, resultRelation,
											   subplan_index, rel, target_attrs);

		table_close(rel, NoLock);
		return result;
	}

	if (plan->onConflictAction == ONCONFLICT_NOTHING)
		do_nothing = true;
	else if (plan->onConflictAction != ONCONFLICT_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ON CONFLICT DO UPDATE is not supported on foreign table \"%s\"",
						RelationGetRelationName(rel))));

	initStringInfo(&sql);
	switch (operation)
	{
		case CMD_INSERT:
			grant_pg_deparse_insert(&sql, resultRelation, rel, target_attrs,
									do_nothing, wco_list, returning_list,
									&retrieved_attrs, &values_end_len);
			break;
		case CMD_UPDATE:
			grant_pg_deparse_update(&sql, resultRelation, rel, target_attrs,
									wco_list, returning_list,
									&retrieved_attrs);
			break;
		case CMD_DELETE:
			grant_pg_deparse_delete(&sql, resultRelation, rel, returning_list,
									&retrieved_attrs);
			break;
		default:
			elog(ERROR, "unexpected operation: %d", (int) operation);
			break;
	}

	if (grant_server_mixed(GetForeignServer(GetForeignTable(rte->relid)->serverid)))
	{
		List	   *result = plan_mixed_modify(root, plan, resultRelation,
											   subplan_index, rel, target_attrs,
											   list_make5(makeString(sql.data),
														  target_attrs,
														  makeInteger(values_end_len),
														  makeBoolean(retrieved_attrs != NIL),
														  retrieved_attrs));

		table_close(rel, NoLock);
		return result;
	}
	table_close(rel, NoLock);

	return list_make5(makeString(sql.data),
					  target_attrs,
					  makeInteger(values_end_len),
					  makeBoolean(retrieved_attrs != NIL),
					  retrieved_attrs);
}

/*
 * A row-by-row modify of a database whose shards mix PostgreSQL and MySQL:
 * INSERT carries the statement of each dialect (every row goes to the
 * shard of its key, in that shard's dialect).  An UPDATE or DELETE that
 * must find its rows one by one is refused: a row is found by ctid on
 * PostgreSQL and by key on MySQL, and one plan cannot carry both.
 */
static List *
plan_mixed_modify(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
				  int subplan_index, Relation rel, List *target_attrs,
				  List *pg_private)
{
	List	   *mysql_private;

	if (plan->operation != CMD_INSERT)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot %s rows of foreign table \"%s\" one by one",
						plan->operation == CMD_UPDATE ? "update" : "delete",
						RelationGetRelationName(rel)),
				 errdetail("Its database has PostgreSQL and MySQL shards, so the statement must run on the shards as a whole."),
				 errhint("Use SET values and WHERE conditions that both MySQL and PostgreSQL can evaluate, without RETURNING on UPDATE.")));

	mysql_private = plan_mysql_modify(root, plan, resultRelation, subplan_index,
									  rel, target_attrs);
	pg_private = lappend(pg_private, NIL);	/* GrantModifyKeyAttrs */
	pg_private = lappend(pg_private, makeString(""));
	pg_private = lappend(pg_private, list_nth(mysql_private, GrantModifySQL));
	pg_private = lappend(pg_private, list_nth(mysql_private, GrantModifyValuesEnd));
	return lappend(pg_private, list_nth(mysql_private, GrantModifyRetrievedAttrs));
}

/*
 * The ForeignScan on resultRelation directly under the ModifyTable (or
 * under its Append, at subplan_index), or NULL.  Anything deeper means a
 * local join or computation, which rules out a direct modification.
 */
static ForeignScan *
find_direct_modify_scan(ModifyTable *plan, Index resultRelation,
						int subplan_index)
{
	Plan	   *subplan = outerPlan(plan);

	if (subplan == NULL)
		return NULL;
	if (IsA(subplan, Append))
	{
		Append	   *append = (Append *) subplan;

		if (subplan_index >= list_length(append->appendplans))
			return NULL;
		subplan = (Plan *) list_nth(append->appendplans, subplan_index);
	}
	if (!IsA(subplan, ForeignScan))
		return NULL;
	if (((ForeignScan *) subplan)->scan.scanrelid != resultRelation)
		return NULL;
	return (ForeignScan *) subplan;
}

/*
 * PlanDirectModify: turn the ForeignScan under an UPDATE or DELETE into
 * one remote UPDATE/DELETE when nothing needs to see the rows locally.
 */
bool
grantPlanDirectModify(PlannerInfo *root, ModifyTable *plan,
					  Index resultRelation, int subplan_index)
{
	CmdType		operation = plan->operation;
	ForeignScan *fscan;
	RelOptInfo *foreignrel;
	GrantRelInfo *info;
	RangeTblEntry *rte;
	Relation	rel;
	List	   *processed_tlist = NIL;
	List	   *target_attrs = NIL;
	List	   *target_exprs = NIL;
	List	   *returning_list = NIL;
	List	   *retrieved_attrs = NIL;
	List	   *params_list = NIL;
	StringInfoData sql;
	StringInfoData mysql_sql = {0};
	Bitmapset  *assigned = NULL;	/* columns SET so far, in SET order */
	List	   *mysql_params = NIL;
	List	   *mysql_retrieved = NIL;
	ListCell   *lc;
	ListCell   *lc2;

	if (operation != CMD_UPDATE && operation != CMD_DELETE)
		return false;

	fscan = find_direct_modify_scan(plan, resultRelation, subplan_index);
	if (fscan == NULL)
		return false;

	/* local conditions would have to see each row */
	if (fscan->scan.plan.qual != NIL)
		return false;

	foreignrel = find_base_rel(root, resultRelation);
	info = (GrantRelInfo *) foreignrel->fdw_private;
	if (info == NULL)
		return false;

	/* row triggers and WITH CHECK OPTION need the rows locally */
	if (has_row_triggers(root, resultRelation, operation))
		return false;
	if (plan->withCheckOptionLists != NIL &&
		list_nth(plan->withCheckOptionLists, subplan_index) != NIL)
		return false;

	if (operation == CMD_UPDATE)
	{
		get_translated_update_targetlist(root, resultRelation,
										 &processed_tlist, &target_attrs);
		forboth(lc, processed_tlist, lc2, target_attrs)
		{
			TargetEntry *tle = lfirst_node(TargetEntry, lc);

			if (lfirst_int(lc2) <= InvalidAttrNumber)
				return false;
			if ((dialect_is_pg(info) &&
				 !grant_pg_is_foreign_expr(root, foreignrel, tle->expr)) ||
				((!dialect_is_pg(info) || info->mixed) &&
				 !grant_mysql_value_is_shippable((Node *) tle->expr,
												 exprType((Node *) tle->expr),
												 resultRelation, assigned)))
				return false;
			target_exprs = lappend(target_exprs, tle->expr);
			assigned = bms_add_member(assigned, lfirst_int(lc2));
		}
	}

	rte = planner_rt_fetch(resultRelation, root);
	if (operation == CMD_UPDATE)
		grant_shard_check_update(rte->relid, target_attrs);
	rel = table_open(rte->relid, NoLock);

	/* generated columns are computed locally from the new row */
	if (operation == CMD_UPDATE && rel->rd_att->constr &&
		rel->rd_att->constr->has_generated_stored)
	{
		table_close(rel, NoLock);
		return false;
	}

	if (!dialect_is_pg(info))
	{
		bool		done = plan_mysql_direct(root, plan, resultRelation,
											 subplan_index, fscan, rel,
											 target_attrs, target_exprs);

		if (done)
			fscan->fdw_private = append_shard_keys(fscan->fdw_private,
												   &fscan->fdw_exprs,
												   resultRelation, rte->relid,
												   info->sharded,
												   fscan->fdw_recheck_quals);
		table_close(rel, NoLock);
		return done;
	}
	if (info->mixed)
	{
		/* the MySQL shards' statement first: it may not be possible */
		if (!mysql_direct_sql(root, plan, resultRelation, subplan_index,
							  fscan, rel, target_attrs, target_exprs,
							  &mysql_sql, &mysql_params, &mysql_retrieved))
		{
			table_close(rel, NoLock);
			return false;
		}
	}

	if (plan->returningLists != NIL)
		returning_list = (List *) list_nth(plan->returningLists, subplan_index);

	initStringInfo(&sql);
	if (operation == CMD_UPDATE)
		grant_pg_deparse_direct_update(&sql, root, resultRelation, rel,
									   foreignrel, target_attrs, target_exprs,
									   fscan->fdw_recheck_quals,
									   returning_list, &params_list,
									   &retrieved_attrs);
	else
		grant_pg_deparse_direct_delete(&sql, root, resultRelation, rel,
									   foreignrel, fscan->fdw_recheck_quals,
									   returning_list, &params_list,
									   &retrieved_attrs);
	table_close(rel, NoLock);
	/* RETURNING that needs no column (RETURNING 42) still wants every row */
	if (returning_list != NIL && retrieved_attrs == NIL)
		appendStringInfoString(&sql, " RETURNING NULL");
	/* one parameter list and row reader serve both: else row by row (refused) */
	if (info->mixed &&
		(!equal(mysql_retrieved, retrieved_attrs) || !equal(mysql_params, params_list)))
		return false;

	fscan->operation = operation;
	fscan->resultRelation = resultRelation;
	fscan->fdw_private = list_make4(makeString(sql.data),
									makeBoolean(returning_list != NIL),
									retrieved_attrs,
									makeBoolean(plan->canSetTag));
	fscan->fdw_private = lappend(fscan->fdw_private,
								 makeString(info->mixed ? mysql_sql.data : ""));
	fscan->fdw_private = append_shard_keys(fscan->fdw_private, &params_list,
										   resultRelation, rte->relid,
										   info->sharded,
										   fscan->fdw_recheck_quals);
	fscan->fdw_exprs = params_list;
	return true;
}

/*
 * PlanForeignModify on MySQL: INSERT (MariaDB's RETURNING where needed),
 * UPDATE and DELETE by the key columns, whose values come first among the
 * parameters.  What MySQL cannot do as PostgreSQL means it is refused
 * here, before anything runs.
 */
static List *
plan_mysql_modify(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
				  int subplan_index, Relation rel, List *target_attrs)
{
	CmdType		operation = plan->operation;
	TriggerDesc *trig = rel->trigdesc;
	List	   *wco_list = NIL;
	List	   *returning_list = NIL;
	List	   *retrieved_attrs = NIL;
	List	   *key_attrs = NIL;
	Bitmapset  *returning_attrs;
	int			values_end_len = -1;
	StringInfoData sql;
	StringInfoData reselect = {0};

	if (plan->withCheckOptionLists != NIL)
		wco_list = (List *) list_nth(plan->withCheckOptionLists, subplan_index);
	if (plan->returningLists != NIL)
		returning_list = (List *) list_nth(plan->returningLists, subplan_index);
	if (plan->onConflictAction != ONCONFLICT_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ON CONFLICT is not supported on MySQL foreign table \"%s\"",
						RelationGetRelationName(rel)),
				 errdetail("MySQL's INSERT IGNORE would also hide other errors, and ON DUPLICATE KEY UPDATE miscounts the rows inserted.")));

	initStringInfo(&sql);
	switch (operation)
	{
		case CMD_INSERT:
			returning_attrs = grant_mysql_returning_attrs(resultRelation,
														  trig && trig->trig_insert_after_row,
														  wco_list, returning_list);
			grant_mysql_deparse_insert(&sql, rel, target_attrs, returning_attrs,
									   &retrieved_attrs, &values_end_len);
			break;
		case CMD_UPDATE:
			key_attrs = grant_mysql_key_attrs(rel);
			grant_mysql_check_key(rel, key_attrs);
			grant_mysql_deparse_update(&sql, rel, target_attrs, key_attrs);
			/* the new row, for RETURNING, check options, AFTER triggers */
			returning_attrs = grant_mysql_returning_attrs(resultRelation,
														  trig && trig->trig_update_after_row,
														  wco_list, returning_list);
			if (returning_attrs != NULL)
			{
				initStringInfo(&reselect);
				grant_mysql_deparse_reselect(&reselect, rel, key_attrs,
											 returning_attrs, &retrieved_attrs);
			}
			break;
		case CMD_DELETE:
			key_attrs = grant_mysql_key_attrs(rel);
			grant_mysql_check_key(rel, key_attrs);
			returning_attrs = grant_mysql_returning_attrs(resultRelation,
														  trig && trig->trig_delete_after_row,
														  NIL, returning_list);
			grant_mysql_deparse_delete(&sql, rel, key_attrs, returning_attrs,
									   &retrieved_attrs);
			break;
		default:
			elog(ERROR, "unexpected operation: %d", (int) operation);
			break;
	}
	return lappend(lappend(list_make5(makeString(sql.data), target_attrs,
									  makeInteger(values_end_len),
									  makeBoolean(retrieved_attrs != NIL),
									  retrieved_attrs),
						   key_attrs),
				   makeString(reselect.data ? reselect.data : ""));
}

/*
 * PlanDirectModify on MySQL: the UPDATE or DELETE as one statement when
 * every condition and value ships.  UPDATE ... RETURNING is left to the
 * row-by-row path, which reads each updated row back by its key.
 */
static bool
plan_mysql_direct(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
				  int subplan_index, ForeignScan *fscan, Relation rel,
				  List *target_attrs, List *target_exprs)
{
	List	   *params_list = NIL;
	List	   *retrieved_attrs = NIL;
	StringInfoData sql;

	if (!mysql_direct_sql(root, plan, resultRelation, subplan_index, fscan,
						  rel, target_attrs, target_exprs, &sql,
						  &params_list, &retrieved_attrs))
		return false;

	fscan->operation = plan->operation;
	fscan->resultRelation = resultRelation;
	fscan->fdw_exprs = params_list;
	fscan->fdw_private = list_make5(makeString(sql.data),
									makeBoolean(plan->returningLists != NIL),
									retrieved_attrs,
									makeBoolean(plan->canSetTag),
									makeString(""));
	return true;
}

/* the MySQL UPDATE or DELETE of a direct modification, if there is one */
static bool
mysql_direct_sql(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
				 int subplan_index, ForeignScan *fscan, Relation rel,
				 List *target_attrs, List *target_exprs, StringInfo sql,
				 List **params_list, List **retrieved_attrs)
{
	List	   *returning_list = NIL;

	if (plan->returningLists != NIL)
		returning_list = (List *) list_nth(plan->returningLists, subplan_index);
	if (plan->operation == CMD_UPDATE && returning_list != NIL)
		return false;

	initStringInfo(sql);
	grant_mysql_deparse_direct(sql, root, resultRelation, rel, target_attrs,
							   target_exprs, fscan->fdw_recheck_quals,
							   grant_mysql_returning_attrs(resultRelation, false,
														   NIL, returning_list),
							   params_list, retrieved_attrs);
	/* RETURNING that needs no column (RETURNING 42) still wants every row */
	if (returning_list != NIL && *retrieved_attrs == NIL)
		appendStringInfoString(sql, " RETURNING NULL");
	return true;
}

/*
 * IsForeignRelUpdatable: INSERT, UPDATE and DELETE unless an "updatable"
 * option of the table (or else of the server) says false.
 */
int
grantIsForeignRelUpdatable(Relation rel)
{
	bool		updatable = grant_table_flag(RelationGetRelid(rel), "updatable", true);

	return updatable ?
		(1 << CMD_INSERT) | (1 << CMD_UPDATE) | (1 << CMD_DELETE) : 0;
}

/* IsForeignPathAsyncCapable: not yet */
bool
grantIsForeignPathAsyncCapable(ForeignPath *path)
{
	return false;
}

/*
 * The row lock a scan of base relation 'rel' takes on the remote, and how
 * it waits.  Rows an UPDATE or DELETE will change are locked as the scan
 * reads them; FOR [KEY] SHARE / FOR [NO KEY] UPDATE of the query apply to
 * the remote rows with the query's NOWAIT or SKIP LOCKED, so a job queue
 * takes the next free row as it would on the server itself.  The plan's
 * row marks (not the parse tree's) are read: they exist for partitions
 * and inheritance children too.
 */
LockClauseStrength
grant_scan_lock(PlannerInfo *root, RelOptInfo *rel, LockWaitPolicy *wait)
{
	PlanRowMark *rc;

	*wait = LockWaitBlock;
	if (bms_is_member(rel->relid, root->all_result_relids) &&
		(root->parse->commandType == CMD_UPDATE ||
		 root->parse->commandType == CMD_DELETE))
		return LCS_FORUPDATE;

	rc = get_plan_rowmark(root->rowMarks, rel->relid);
	if (rc == NULL)
		return LCS_NONE;
	*wait = rc->waitPolicy;
	return rc->strength;
}

/* NOWAIT or SKIP LOCKED after a locking clause (both dialects spell them so) */
void
grant_append_lock_wait(StringInfo buf, LockWaitPolicy wait)
{
	switch (wait)
	{
		case LockWaitBlock:
			break;
		case LockWaitSkip:
			appendStringInfoString(buf, " SKIP LOCKED");
			break;
		case LockWaitError:
			appendStringInfoString(buf, " NOWAIT");
			break;
	}
}
