/*-------------------------------------------------------------------------
 *
 * pushdown.c
 *		  Paths that compute more than a scan remotely: joins between
 *		  foreign tables of one server, aggregation, the query's ORDER BY
 *		  on top of it, and LIMIT/OFFSET.
 *
 * Invariants:
 *	- A join is shipped only between relations of the same server and user
 *	  (the core only offers those), of type INNER, LEFT, RIGHT or FULL,
 *	  when both sides are entirely remote (no local condition below the
 *	  join), every join clause of an outer join ships, and no row-locking or
 *	  EvalPlanQual recheck could need the joined rows re-fetched one by one
 *	  (SELECT or INSERT ... SELECT without FOR UPDATE/SHARE only).
 *	- Aggregation ships when the relation below is entirely remote, the
 *	  grouping expressions, aggregates and HAVING clauses all ship, and
 *	  there are no grouping sets.
 *	- LIMIT/OFFSET ship only on top of a relation with no local condition,
 *	  with the query's ORDER BY shipped too when there is one.
 *	- On MySQL only the query's ORDER BY and LIMIT/OFFSET (constants) are
 *	  added on top of a single table; joins and aggregation stay local
 *	  (see deparse_mysql.c for why).
 *	- Each upper or join relation gets a GrantRelInfo in fdw_private,
 *	  with pushdown_safe false when it can't be computed remotely, so later
 *	  stages can tell.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "grant.h"

#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/prep.h"
#include "optimizer/restrictinfo.h"
#include "optimizer/tlist.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/selfuncs.h"

static const char *rel_display_name(PlannerInfo *root, RelOptInfo *rel);
static bool join_is_shippable(PlannerInfo *root, RelOptInfo *joinrel,
							  RelOptInfo *outerrel, RelOptInfo *innerrel,
							  JoinType jointype, JoinPathExtraData *extra);
static bool reads_local_system_column(Node *node, void *context);
static void move_side_conds(GrantRelInfo *info, GrantRelInfo *kept,
							GrantRelInfo *nullable);
static void estimate_join(PlannerInfo *root, RelOptInfo *joinrel);
static void add_sorted_path(PlannerInfo *root, RelOptInfo *rel, bool is_join);
static bool is_sent_as_param(PlannerInfo *root, RelOptInfo *rel, Expr *expr);
static bool grouping_is_shippable(PlannerInfo *root, RelOptInfo *grouped_rel,
								  PathTarget *target, Node *having_qual);
static void add_grouping_path(PlannerInfo *root, RelOptInfo *input_rel,
							  RelOptInfo *grouped_rel, GroupPathExtraData *extra);
static void add_ordered_path(PlannerInfo *root, RelOptInfo *input_rel,
							 RelOptInfo *ordered_rel);
static void add_final_path(PlannerInfo *root, RelOptInfo *input_rel,
						   RelOptInfo *final_rel, FinalPathExtraData *extra);


/*
 * How a base relation is shown in EXPLAIN's "Relations:" line: the local
 * schema-qualified name and, when it differs, the alias.  Built once.
 */
static const char *
rel_display_name(PlannerInfo *root, RelOptInfo *rel)
{
	GrantRelInfo *info = (GrantRelInfo *) rel->fdw_private;

	if (info->relation_name == NULL)
	{
		RangeTblEntry *rte = planner_rt_fetch(rel->relid, root);
		char	   *relname = get_rel_name(rte->relid);
		StringInfoData buf;

		initStringInfo(&buf);
		appendStringInfo(&buf, "%s.%s",
						 quote_identifier(get_namespace_name(get_rel_namespace(rte->relid))),
						 quote_identifier(relname));
		if (rte->eref && strcmp(rte->eref->aliasname, relname) != 0)
			appendStringInfo(&buf, " %s", quote_identifier(rte->eref->aliasname));
		info->relation_name = buf.data;
	}
	return info->relation_name;
}

/*
 * Decide whether joinrel can be computed remotely and fill its
 * GrantRelInfo: the ON clause (joinclauses), the WHERE clause
 * (remote_conds) and what stays local (local_conds).
 */
static bool
join_is_shippable(PlannerInfo *root, RelOptInfo *joinrel,
				  RelOptInfo *outerrel, RelOptInfo *innerrel,
				  JoinType jointype, JoinPathExtraData *extra)
{
	GrantRelInfo *info = (GrantRelInfo *) joinrel->fdw_private;
	GrantRelInfo *oinfo = (GrantRelInfo *) outerrel->fdw_private;
	GrantRelInfo *iinfo = (GrantRelInfo *) innerrel->fdw_private;
	CmdType		cmd = root->parse->commandType;
	const char *jt;
	ListCell   *lc;

	if (jointype != JOIN_INNER && jointype != JOIN_LEFT &&
		jointype != JOIN_RIGHT && jointype != JOIN_FULL)
		return false;

	/*
	 * A row-locking query or an UPDATE/DELETE/MERGE may recheck joined rows
	 * one by one (EvalPlanQual), which a remote join can't serve.
	 */
	if ((cmd != CMD_SELECT && cmd != CMD_INSERT) || root->rowMarks != NIL)
		return false;

	if (oinfo == NULL || iinfo == NULL ||
		!oinfo->pushdown_safe || !iinfo->pushdown_safe)
		return false;
	if (oinfo->dialect != GRANT_ADAPTER_POSTGRESQL ||
		iinfo->dialect != GRANT_ADAPTER_POSTGRESQL)
		return false;

	/* a side filtered locally must be filtered before the join */
	if (oinfo->local_conds != NIL || iinfo->local_conds != NIL)
		return false;

	/* we print neither placeholders nor whole-row references */
	foreach(lc, root->placeholder_list)
	{
		PlaceHolderInfo *phinfo = lfirst_node(PlaceHolderInfo, lc);

		if (bms_is_subset(phinfo->ph_eval_at, joinrel->relids))
			return false;
	}
	foreach(lc, joinrel->reltarget->exprs)
	{
		Node	   *expr = (Node *) lfirst(lc);

		if (!IsA(expr, Var) || ((Var *) expr)->varattno == 0)
			return false;
	}
	/*
	 * tableoid, xmin and the like belong to the local foreign table, not to
	 * the remote rows: the scans of the sides fill them in.
	 */
	if (reads_local_system_column((Node *) joinrel->reltarget->exprs, NULL))
		return false;
	foreach(lc, extra->restrictlist)
	{
		if (reads_local_system_column((Node *) lfirst_node(RestrictInfo, lc)->clause,
									  NULL))
			return false;
	}

	info->outerrel = outerrel;
	info->innerrel = innerrel;
	info->jointype = jointype;
	info->joinclauses = NIL;
	info->remote_conds = NIL;
	info->local_conds = NIL;

	foreach(lc, extra->restrictlist)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		bool		is_remote = grant_pg_is_foreign_expr(root, joinrel,
														 ri->clause);

		if (IS_OUTER_JOIN(jointype) &&
			!RINFO_IS_PUSHED_DOWN(ri, joinrel->relids))
		{
			/* an outer join's own condition: all or nothing */
			if (!is_remote)
				return false;
			info->joinclauses = lappend(info->joinclauses, ri);
		}
		else if (is_remote)
			info->remote_conds = lappend(info->remote_conds, ri);
		else
			info->local_conds = lappend(info->local_conds, ri);
	}

	/*
	 * The sides' own WHERE clauses move up: to WHERE from the side that
	 * keeps all its rows, into ON for the side whose rows may be
	 * null-extended.  A FULL join has no such side, so we give up.
	 */
	switch (jointype)
	{
		case JOIN_INNER:
			info->remote_conds = list_concat(info->remote_conds,
											 oinfo->remote_conds);
			info->remote_conds = list_concat(info->remote_conds,
											 iinfo->remote_conds);
			jt = "INNER";
			break;
		case JOIN_LEFT:
			move_side_conds(info, oinfo, iinfo);
			jt = "LEFT";
			break;
		case JOIN_RIGHT:
			move_side_conds(info, iinfo, oinfo);
			jt = "RIGHT";
			break;
		case JOIN_FULL:
			if (oinfo->remote_conds != NIL || iinfo->remote_conds != NIL)
				return false;
			jt = "FULL";
			break;
		default:
			return false;
	}

	/*
	 * For an inner join, WHERE and ON mean the same; keeping everything in
	 * ON lets this join nest inside an outer one without a subquery.
	 */
	if (jointype == JOIN_INNER)
	{
		info->joinclauses = list_concat(info->joinclauses, info->remote_conds);
		info->remote_conds = NIL;
	}

	info->relation_name = psprintf("(%s) %s JOIN (%s)",
								   rel_display_name(root, outerrel), jt,
								   rel_display_name(root, innerrel));
	info->relation_index = 0;
	info->pushdown_safe = true;
	return true;
}

/* a system column other than ctid (which means the remote row) */
static bool
reads_local_system_column(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
		return ((Var *) node)->varattno < 0 &&
			((Var *) node)->varattno != SelfItemPointerAttributeNumber;
	return expression_tree_walker(node, reads_local_system_column, context);
}

/*
 * The sides' WHERE clauses of an outer join: the side that keeps all its
 * rows filters in WHERE, the null-extended side's filter goes into ON.
 */
static void
move_side_conds(GrantRelInfo *info, GrantRelInfo *kept, GrantRelInfo *nullable)
{
	info->joinclauses = list_concat(info->joinclauses, nullable->remote_conds);
	info->remote_conds = list_concat(info->remote_conds, kept->remote_conds);
}

/* rows, width and remote costs of a shipped join (see plan.c's model) */
static void
estimate_join(PlannerInfo *root, RelOptInfo *joinrel)
{
	GrantRelInfo *info = (GrantRelInfo *) joinrel->fdw_private;
	GrantRelInfo *oinfo = (GrantRelInfo *) info->outerrel->fdw_private;
	GrantRelInfo *iinfo = (GrantRelInfo *) info->innerrel->fdw_private;
	QualCost	join_cost;
	QualCost	where_cost;

	info->local_conds_sel = clauselist_selectivity(root, info->local_conds, 0,
												   JOIN_INNER, NULL);
	cost_qual_eval(&info->local_conds_cost, info->local_conds, root);
	cost_qual_eval(&join_cost, info->joinclauses, root);
	cost_qual_eval(&where_cost, info->remote_conds, root);

	info->rows = joinrel->rows;
	info->width = joinrel->reltarget->width;
	info->retrieved_rows = clamp_row_est(joinrel->rows / info->local_conds_sel);

	/*
	 * Priced as a hash join on the remote: the inner side is read and
	 * hashed before the first row, each outer row probes it.
	 */
	info->remote_startup_cost = oinfo->remote_startup_cost +
		iinfo->remote_startup_cost + iinfo->remote_run_cost +
		cpu_operator_cost * iinfo->rows + join_cost.startup +
		where_cost.startup;
	info->remote_run_cost = oinfo->remote_run_cost +
		(cpu_operator_cost + join_cost.per_tuple) * oinfo->rows +
		(cpu_tuple_cost + where_cost.per_tuple) * info->retrieved_rows;

	grant_estimate_path_cost(root, joinrel, NULL, &info->rows, &info->width,
							 &info->startup_cost, &info->total_cost);
}

/*
 * A path of rel sorted remotely by the query's pathkeys, when they ship.
 * Records the answer in qp_is_pushdown_safe for the ORDER BY stage.
 */
static void
add_sorted_path(PlannerInfo *root, RelOptInfo *rel, bool is_join)
{
	GrantRelInfo *info = (GrantRelInfo *) rel->fdw_private;
	GrantPathExtra extra;
	double		rows;
	int			width;
	Cost		startup;
	Cost		total;
	Path	   *path;

	info->qp_is_pushdown_safe = false;
	if (root->query_pathkeys == NIL ||
		!grant_pg_pathkeys_are_shippable(root, rel, root->query_pathkeys))
		return;
	info->qp_is_pushdown_safe = true;

	memset(&extra, 0, sizeof(extra));
	extra.pathkeys = root->query_pathkeys;
	extra.limit_tuples = -1;
	grant_estimate_path_cost(root, rel, &extra, &rows, &width,
							 &startup, &total);
	Assert(is_join);
	path = (Path *) create_foreign_join_path(root, rel, NULL, rows, startup,
											 total, root->query_pathkeys,
											 rel->lateral_relids, NULL, NIL);
	add_path(rel, path);
}

/*
 * GetForeignJoinPaths: one remote join path (and a sorted one) when the
 * join ships.  Called once per pair of sides; the first call decides.
 */
void
grantGetForeignJoinPaths(PlannerInfo *root, RelOptInfo *joinrel,
						 RelOptInfo *outerrel, RelOptInfo *innerrel,
						 JoinType jointype, JoinPathExtraData *extra)
{
	GrantRelInfo *info;
	GrantRelInfo *oinfo = (GrantRelInfo *) outerrel->fdw_private;
	ForeignPath *path;

	if (joinrel->fdw_private != NULL)
		return;
	/* rows of sharded tables meet here, not on one remote */
	if ((oinfo != NULL && oinfo->sharded) ||
		(innerrel->fdw_private != NULL &&
		 ((GrantRelInfo *) innerrel->fdw_private)->sharded))
		return;

	info = (GrantRelInfo *) palloc0(sizeof(GrantRelInfo));
	info->pushdown_safe = false;
	joinrel->fdw_private = info;
	if (oinfo != NULL)
	{
		info->serverid = oinfo->serverid;
		info->server = oinfo->server;
		info->dialect = oinfo->dialect;
		info->fetch_size = oinfo->fetch_size;
	}

	if (!join_is_shippable(root, joinrel, outerrel, innerrel, jointype, extra))
	{
		/* another pair of sides may still do; don't remember the refusal */
		joinrel->fdw_private = NULL;
		return;
	}

	estimate_join(root, joinrel);
	path = create_foreign_join_path(root, joinrel, NULL, info->rows,
									info->startup_cost, info->total_cost,
									NIL, joinrel->lateral_relids, NULL, NIL);
	add_path(joinrel, (Path *) path);

	add_sorted_path(root, joinrel, true);
}

/*
 * Would deparse print expr (at its top) as a parameter?  Such an entry in a
 * remote SELECT list could be matched by setrefs against some other
 * occurrence of the same Param, so we keep it out of the list.
 */
static bool
is_sent_as_param(PlannerInfo *root, RelOptInfo *rel, Expr *expr)
{
	GrantRelInfo *info = (GrantRelInfo *) rel->fdw_private;

	if (IsA(expr, Param))
		return true;
	if (IsA(expr, Var))
	{
		Var		   *var = (Var *) expr;

		return var->varlevelsup != 0 ||
			!bms_is_member(var->varno, info->outerrel->relids);
	}
	return false;
}

/*
 * Can grouped_rel be computed remotely?  Builds its grouped_tlist (the
 * remote SELECT list: every grouping expression, with its sortgroupref,
 * then the shippable outputs, or the aggregates of those that aren't) and
 * remote_conds (the HAVING clauses).
 */
static bool
grouping_is_shippable(PlannerInfo *root, RelOptInfo *grouped_rel,
					  PathTarget *target, Node *having_qual)
{
	Query	   *query = root->parse;
	GrantRelInfo *info = (GrantRelInfo *) grouped_rel->fdw_private;
	List	   *tlist = NIL;
	ListCell   *lc;
	int			i = 0;

	if (query->groupingSets != NIL)
		return false;

	foreach(lc, target->exprs)
	{
		Expr	   *expr = (Expr *) lfirst(lc);
		Index		sgref = get_pathtarget_sortgroupref(target, i);

		i++;
		if (sgref != 0 &&
			get_sortgroupref_clause_noerr(sgref, query->groupClause) != NULL)
		{
			TargetEntry *tle;

			/* a grouping expression: must be computed remotely */
			if (!grant_pg_is_foreign_expr(root, grouped_rel, expr) ||
				is_sent_as_param(root, grouped_rel, expr))
				return false;

			/* one entry per sortgroupref, even for equal expressions */
			tle = makeTargetEntry(expr, list_length(tlist) + 1, NULL, false);
			tle->ressortgroupref = sgref;
			tlist = lappend(tlist, tle);
		}
		else if (grant_pg_is_foreign_expr(root, grouped_rel, expr) &&
				 !is_sent_as_param(root, grouped_rel, expr))
			tlist = add_to_flat_tlist(tlist, list_make1(expr));
		else
		{
			/*
			 * Computed locally from remote aggregates; its plain Vars are
			 * grouping columns, already in the list.
			 */
			List	   *aggvars = pull_var_clause((Node *) expr,
												  PVC_INCLUDE_AGGREGATES);
			ListCell   *lc2;

			foreach(lc2, aggvars)
			{
				Expr	   *v = (Expr *) lfirst(lc2);

				if (!grant_pg_is_foreign_expr(root, grouped_rel, v))
					return false;
				if (IsA(v, Aggref))
					tlist = add_to_flat_tlist(tlist, list_make1(v));
			}
		}
	}

	/* HAVING: all of it remotely, or no aggregation pushdown */
	info->remote_conds = NIL;
	if (having_qual != NULL)
	{
		List	   *quals = IsA(having_qual, List) ?
			(List *) having_qual : list_make1(having_qual);

		foreach(lc, quals)
		{
			Expr	   *qual = (Expr *) lfirst(lc);

			if (!grant_pg_is_foreign_expr(root, grouped_rel, qual))
				return false;
			info->remote_conds = lappend(info->remote_conds, qual);
		}
	}

	info->grouped_tlist = tlist;
	return true;
}

/* UPPERREL_GROUP_AGG: GROUP BY, aggregates and HAVING remotely */
static void
add_grouping_path(PlannerInfo *root, RelOptInfo *input_rel,
				  RelOptInfo *grouped_rel, GroupPathExtraData *extra)
{
	Query	   *query = root->parse;
	GrantRelInfo *info = (GrantRelInfo *) grouped_rel->fdw_private;
	GrantRelInfo *iinfo = (GrantRelInfo *) input_rel->fdw_private;
	PathTarget *target = grouped_rel->reltarget;
	AggClauseCosts aggcosts;
	QualCost	having_cost;
	double		input_rows;
	double		num_groups;
	Path	   *path;

	if (!query->hasAggs && query->groupClause == NIL)
		return;
	if (extra->patype == PARTITIONWISE_AGGREGATE_PARTIAL)
		return;
	if (IS_UPPER_REL(input_rel) || iinfo->local_conds != NIL)
		return;
	if (!grouping_is_shippable(root, grouped_rel, target, extra->havingQual))
		return;

	/* estimates */
	input_rows = iinfo->rows;
	if (query->groupClause != NIL)
		num_groups = estimate_num_groups(root,
										 get_sortgrouplist_exprs(query->groupClause,
																 info->grouped_tlist),
										 input_rows, NULL, NULL);
	else
		num_groups = 1;

	memset(&aggcosts, 0, sizeof(aggcosts));
	get_agg_clause_costs(root, AGGSPLIT_SIMPLE, &aggcosts);
	cost_qual_eval(&having_cost, info->remote_conds, root);

	info->rows = clamp_row_est(num_groups *
							   clauselist_selectivity(root, info->remote_conds,
													  0, JOIN_INNER, NULL));
	info->retrieved_rows = info->rows;
	info->width = target->width;
	info->local_conds_sel = 1.0;

	/* every input row is aggregated before the first group comes out */
	info->remote_startup_cost = iinfo->remote_startup_cost +
		iinfo->remote_run_cost +
		aggcosts.transCost.startup +
		aggcosts.transCost.per_tuple * input_rows +
		cpu_operator_cost * list_length(query->groupClause) * input_rows +
		aggcosts.finalCost.startup + having_cost.startup;
	info->remote_run_cost = (aggcosts.finalCost.per_tuple +
							 having_cost.per_tuple + cpu_tuple_cost) * num_groups;

	grant_estimate_path_cost(root, grouped_rel, NULL, &info->rows,
							 &info->width, &info->startup_cost,
							 &info->total_cost);

	info->relation_name = psprintf("Aggregate on (%s)",
								   IS_JOIN_REL(input_rel) ?
								   iinfo->relation_name :
								   rel_display_name(root, input_rel));
	info->pushdown_safe = true;

	path = (Path *) create_foreign_upper_path(root, grouped_rel, target,
											  info->rows, info->startup_cost,
											  info->total_cost, NIL, NULL,
											  NIL);
	add_path(grouped_rel, path);
}

/*
 * UPPERREL_ORDERED.  On a base or join relation the sorted path exists
 * already (the query's pathkeys are its ORDER BY); just remember whether
 * it could be made.  On a grouping relation, sort the groups remotely.
 */
static void
add_ordered_path(PlannerInfo *root, RelOptInfo *input_rel,
				 RelOptInfo *ordered_rel)
{
	GrantRelInfo *info = (GrantRelInfo *) ordered_rel->fdw_private;
	GrantRelInfo *iinfo = (GrantRelInfo *) input_rel->fdw_private;
	GrantPathExtra extra;
	double		rows;
	int			width;
	Cost		startup;
	Cost		total;
	Path	   *path;

	if (!IS_UPPER_REL(input_rel))
	{
		info->pushdown_safe = iinfo->qp_is_pushdown_safe;
		return;
	}

	if (root->parse->hasTargetSRFs)
		return;
	if (iinfo->stage != UPPERREL_GROUP_AGG)
		return;
	if (!grant_pg_pathkeys_are_shippable(root, input_rel, root->sort_pathkeys))
		return;

	memset(&extra, 0, sizeof(extra));
	extra.pathkeys = root->sort_pathkeys;
	extra.has_final_sort = true;
	extra.limit_tuples = -1;
	grant_estimate_path_cost(root, input_rel, &extra, &rows, &width,
							 &startup, &total);

	/* the path's parent is the grouping relation whose SQL it extends */
	path = (Path *) create_foreign_upper_path(root, input_rel,
											  root->upper_targets[UPPERREL_ORDERED],
											  rows, startup, total,
											  root->sort_pathkeys, NULL,
											  grant_path_private(&extra));
	add_path(ordered_rel, path);
	info->pushdown_safe = true;
}

/* UPPERREL_FINAL: LIMIT/OFFSET remotely, with the ORDER BY under it */
static void
add_final_path(PlannerInfo *root, RelOptInfo *input_rel,
			   RelOptInfo *final_rel, FinalPathExtraData *extra)
{
	Query	   *query = root->parse;
	GrantRelInfo *info = (GrantRelInfo *) final_rel->fdw_private;
	GrantRelInfo *iinfo = (GrantRelInfo *) input_rel->fdw_private;
	RelOptInfo *rel = input_rel;
	GrantPathExtra pextra;
	double		rows;
	int			width;
	Cost		startup;
	Cost		total;
	Path	   *path;

	if (query->commandType != CMD_SELECT || !extra->limit_needed)
		return;
	if (query->hasTargetSRFs || query->limitOption == LIMIT_OPTION_WITH_TIES)
		return;

	memset(&pextra, 0, sizeof(pextra));

	/* under an ORDER BY stage, extend the relation below it */
	if (IS_UPPER_REL(rel) && iinfo->stage == UPPERREL_ORDERED)
	{
		rel = iinfo->outerrel;
		iinfo = (GrantRelInfo *) rel->fdw_private;
		pextra.pathkeys = root->sort_pathkeys;
		pextra.has_final_sort = true;
	}
	else if (query->sortClause != NIL)
		return;					/* some local stage sorts; can't go under it */

	if (iinfo == NULL || !iinfo->pushdown_safe || iinfo->sharded)
		return;
	if (IS_UPPER_REL(rel) && iinfo->stage != UPPERREL_GROUP_AGG)
		return;
	/* LIMIT counts rows after every condition */
	if (iinfo->local_conds != NIL)
		return;
	if (iinfo->dialect != GRANT_ADAPTER_POSTGRESQL)
	{
		if (IS_UPPER_REL(rel) ||
			!grant_mysql_limit_is_shippable(query->limitOffset) ||
			!grant_mysql_limit_is_shippable(query->limitCount))
			return;
	}
	else if ((query->limitOffset != NULL &&
			  !grant_pg_is_foreign_expr(root, rel, (Expr *) query->limitOffset)) ||
			 (query->limitCount != NULL &&
			  !grant_pg_is_foreign_expr(root, rel, (Expr *) query->limitCount)))
		return;

	pextra.has_limit = true;
	pextra.limit_tuples = extra->limit_tuples;
	pextra.count_est = extra->count_est;
	pextra.offset_est = extra->offset_est;
	grant_estimate_path_cost(root, rel, &pextra, &rows, &width,
							 &startup, &total);

	info->outerrel = rel;
	info->pushdown_safe = true;

	path = (Path *) create_foreign_upper_path(root, rel,
											  root->upper_targets[UPPERREL_FINAL],
											  rows, startup, total,
											  pextra.pathkeys, NULL,
											  grant_path_private(&pextra));
	add_path(final_rel, path);
}

/*
 * GetForeignUpperPaths: aggregation, ORDER BY and LIMIT on top of a
 * relation computed remotely.
 */
void
grantGetForeignUpperPaths(PlannerInfo *root, UpperRelationKind stage,
						  RelOptInfo *input_rel, RelOptInfo *output_rel,
						  void *extra)
{
	GrantRelInfo *iinfo = (GrantRelInfo *) input_rel->fdw_private;
	GrantRelInfo *info;

	if (iinfo == NULL || !iinfo->pushdown_safe || iinfo->sharded)
		return;
	if (iinfo->dialect != GRANT_ADAPTER_POSTGRESQL &&
		stage == UPPERREL_GROUP_AGG)
		return;
	if (stage != UPPERREL_GROUP_AGG && stage != UPPERREL_ORDERED &&
		stage != UPPERREL_FINAL)
		return;
	if (output_rel->fdw_private != NULL)
		return;

	info = (GrantRelInfo *) palloc0(sizeof(GrantRelInfo));
	info->pushdown_safe = false;
	info->stage = stage;
	info->outerrel = input_rel;
	info->serverid = iinfo->serverid;
	info->server = iinfo->server;
	info->dialect = iinfo->dialect;
	info->fetch_size = iinfo->fetch_size;
	output_rel->fdw_private = info;

	switch (stage)
	{
		case UPPERREL_GROUP_AGG:
			add_grouping_path(root, input_rel, output_rel,
							  (GroupPathExtraData *) extra);
			break;
		case UPPERREL_ORDERED:
			add_ordered_path(root, input_rel, output_rel);
			break;
		case UPPERREL_FINAL:
			add_final_path(root, input_rel, output_rel,
						   (FinalPathExtraData *) extra);
			break;
		default:
			break;
	}
}
