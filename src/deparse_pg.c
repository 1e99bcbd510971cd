/*-------------------------------------------------------------------------
 *
 * deparse_pg.c
 *		  Remote SQL for PostgreSQL servers, and the test of what may be
 *		  shipped to them.
 *
 * Two halves share this file: a walker that decides whether an expression
 * may be evaluated by the remote server (grant_pg_is_foreign_expr), and
 * printers that turn planner structures into SQL text.  The printers only
 * ever see expressions the walker accepted.
 *
 * Invariants:
 *	- The remote session runs with search_path = pg_catalog.  Every name
 *	  outside pg_catalog is printed schema-qualified; relation names come
 *	  from the foreign table's schema_name/table_name options and column
 *	  names from column_name, all quoted as needed.
 *	- An expression is shipped only if every function, operator, type and
 *	  aggregate in it is built in (OID below FirstGenbkiObjectId) and
 *	  immutable, so the remote computes what we would.
 *	- No COLLATE is ever printed.  A collation-sensitive operation ships only
 *	  when its input collation comes from a column of the foreign relation
 *	  (we then trust the foreign table's declaration to match the remote
 *	  column; IMPORT FOREIGN SCHEMA copies it), or is the default collation
 *	  combined with nothing else.  A column declared without COLLATE counts
 *	  only when the remote database's default collation is ours.
 *	- Constants are printed with an explicit cast wherever the remote parser
 *	  could otherwise pick another type; parameters are printed as
 *	  $n::type and their expressions returned to the caller in order.
 *
 * Everything dialect-specific lives in a few helpers near the top
 * (object_is_shippable, append_quoted_name, append_string_literal,
 * append_type_name); the walker's structure is shared in spirit with the
 * other dialects' deparsers.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "grant.h"

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "access/transam.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_collation.h"
#include "miscadmin.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/prep.h"
#include "optimizer/tlist.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

/*
 * Where the collation of a sub-expression comes from, for the walker.
 * Ordered: a larger value wins when siblings are merged.
 */
typedef enum ShipCollation
{
	SHIP_COLL_NONE,				/* noncollatable, or default from a non-column */
	SHIP_COLL_SAFE,				/* derived from a column of the relation */
	SHIP_COLL_UNSAFE			/* derived from something else */
} ShipCollation;

typedef struct ShipLocal
{
	Oid			collation;
	ShipCollation state;
} ShipLocal;

/* state for the whole walk of one expression */
typedef struct ShipGlobal
{
	PlannerInfo *root;
	RelOptInfo *rel;			/* relation the expression is evaluated for */
	Relids		relids;			/* base relations whose Vars are columns */
	bool		allow_aggs;		/* rel is a grouping relation */
	ShipLocal  *case_arg;		/* collation of the enclosing CASE arg */
	int			default_agrees; /* remote default collation is ours: 1, 0,
								 * or -1 before anyone asked */
} ShipGlobal;

/* state for printing */
typedef struct DeparseCxt
{
	PlannerInfo *root;
	RelOptInfo *rel;			/* relation being printed (any kind) */
	RelOptInfo *scanrel;		/* base or join relation under rel */
	StringInfo	buf;
	List	  **params;			/* expressions sent as $1..$n */
	bool		qualify;		/* prefix columns with their alias rN */
	bool		consts_as_params;	/* constants are sent as $n too */
	bool	   *printed_const;	/* set when a constant is printed */
} DeparseCxt;

/* dialect pieces */
static bool object_is_shippable(Oid objid);
static void append_quoted_name(StringInfo buf, const char *name);
static void append_string_literal(StringInfo buf, const char *val);
static void append_type_name(StringInfo buf, Oid typid, int32 typmod);
static void append_operator_name(StringInfo buf, Oid opno);
static void append_function_name(StringInfo buf, Oid funcid);

/* the walker */
static bool ship_walker(Node *node, ShipGlobal *glob, ShipLocal *outer);
static bool ship_const_is_safe(Const *c);
static bool default_collation_agrees(ShipGlobal *glob);
static ShipCollation result_collation_state(Oid collid, ShipLocal *inner);
static ShipCollation value_collation_state(Oid collid);
static bool ship_call(Oid objid, List *args, Oid inputcollid,
					  ShipGlobal *glob, ShipLocal *inner);
static bool sortop_is_shippable(Oid sortop);

/* statement pieces */
static void deparse_select_list(List *tlist, DeparseCxt *cxt,
								List **retrieved_attrs);
static void deparse_column_list(StringInfo buf, Index rtindex, Relation rel,
								Bitmapset *attrs_used, bool qualify,
								List **retrieved_attrs);
static void deparse_from(RelOptInfo *rel, DeparseCxt *cxt);
static void deparse_lock_clause(DeparseCxt *cxt);
static void deparse_group_by(List *tlist, DeparseCxt *cxt);
static void deparse_order_by(List *pathkeys, bool has_final_sort,
							 DeparseCxt *cxt);
static void deparse_limit(DeparseCxt *cxt);
static void deparse_and_list(List *exprs, DeparseCxt *cxt);
static void deparse_returning(StringInfo buf, Index rtindex, Relation rel,
							  bool trig_after_row, List *with_check_options,
							  List *returning_list, List **retrieved_attrs);
static void deparse_column_ref(StringInfo buf, PlannerInfo *root,
							   Index varno, AttrNumber attno, bool qualify);
static void append_column_name(StringInfo buf, Relation rel, AttrNumber attno);
static void append_values_row(StringInfo buf, TupleDesc tupdesc,
							  List *target_attrs, int *pindex);
static void direct_modify_cxt(DeparseCxt *cxt, PlannerInfo *root,
							  RelOptInfo *foreignrel, StringInfo buf,
							  List **params_list);
static void deparse_direct_tail(DeparseCxt *cxt, Index rtindex, Relation rel,
								List *remote_conds, List *returning_list,
								List **retrieved_attrs);
static void append_sort_suffix(StringInfo buf, Oid sortop, Oid type,
							   bool nulls_first);

/* expressions */
static void deparse_expr(Expr *node, DeparseCxt *cxt);
static void deparse_var(Var *node, DeparseCxt *cxt);
static void deparse_const(Const *node, DeparseCxt *cxt, int showtype);
static void deparse_param(Param *node, DeparseCxt *cxt);
static void deparse_as_param(Expr *node, DeparseCxt *cxt);
static void deparse_subscript(SubscriptingRef *node, DeparseCxt *cxt);
static void deparse_func(FuncExpr *node, DeparseCxt *cxt);
static void deparse_op(OpExpr *node, DeparseCxt *cxt);
static void deparse_distinct(DistinctExpr *node, DeparseCxt *cxt);
static void deparse_nullif(NullIfExpr *node, DeparseCxt *cxt);
static void deparse_scalar_array_op(ScalarArrayOpExpr *node,
									DeparseCxt *cxt);
static void deparse_relabel(RelabelType *node, DeparseCxt *cxt);
static void deparse_bool(BoolExpr *node, DeparseCxt *cxt);
static void deparse_null_test(NullTest *node, DeparseCxt *cxt);
static void deparse_boolean_test(BooleanTest *node, DeparseCxt *cxt);
static void deparse_case(CaseExpr *node, DeparseCxt *cxt);
static void deparse_coalesce(CoalesceExpr *node, DeparseCxt *cxt);
static void deparse_array(ArrayExpr *node, DeparseCxt *cxt);
static void deparse_aggref(Aggref *node, DeparseCxt *cxt);
static void deparse_expr_list(List *exprs, DeparseCxt *cxt);


/* ----------------------------------------------------------------
 * Dialect pieces
 * ----------------------------------------------------------------
 */

/*
 * A function, operator, type or aggregate may be named in remote SQL only
 * if it is built in: then the remote has the same object with the same
 * meaning (assuming a remote of our major version or close to it).
 */
static bool
object_is_shippable(Oid objid)
{
	return objid < FirstGenbkiObjectId;
}

static void
append_quoted_name(StringInfo buf, const char *name)
{
	appendStringInfoString(buf, quote_identifier(name));
}

/*
 * A string literal the remote parses back to exactly 'val' whatever its
 * standard_conforming_strings setting: E'' syntax when a backslash occurs.
 */
static void
append_string_literal(StringInfo buf, const char *val)
{
	const char *p;

	if (strchr(val, '\\') != NULL)
		appendStringInfoChar(buf, ESCAPE_STRING_SYNTAX);
	appendStringInfoChar(buf, '\'');
	for (p = val; *p; p++)
	{
		if (SQL_STR_DOUBLE(*p, true))
			appendStringInfoChar(buf, *p);
		appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, '\'');
}

/* built-in types print unqualified (they live in pg_catalog) */
static void
append_type_name(StringInfo buf, Oid typid, int32 typmod)
{
	bits16		flags = FORMAT_TYPE_TYPEMOD_GIVEN;

	if (!object_is_shippable(typid))
		flags |= FORMAT_TYPE_FORCE_QUALIFY;
	appendStringInfoString(buf, format_type_extended(typid, typmod, flags));
}

static void
append_operator_name(StringInfo buf, Oid opno)
{
	HeapTuple	tup;
	Form_pg_operator form;

	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(opno));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for operator %u", opno);
	form = (Form_pg_operator) GETSTRUCT(tup);
	if (form->oprnamespace == PG_CATALOG_NAMESPACE)
		appendStringInfoString(buf, NameStr(form->oprname));
	else
	{
		appendStringInfoString(buf, "OPERATOR(");
		append_quoted_name(buf, get_namespace_name(form->oprnamespace));
		appendStringInfo(buf, ".%s)", NameStr(form->oprname));
	}
	ReleaseSysCache(tup);
}

static void
append_function_name(StringInfo buf, Oid funcid)
{
	HeapTuple	tup;
	Form_pg_proc form;

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", funcid);
	form = (Form_pg_proc) GETSTRUCT(tup);
	if (form->pronamespace != PG_CATALOG_NAMESPACE)
	{
		append_quoted_name(buf, get_namespace_name(form->pronamespace));
		appendStringInfoChar(buf, '.');
	}
	append_quoted_name(buf, NameStr(form->proname));
	ReleaseSysCache(tup);
}

void
grant_pg_append_literal(StringInfo buf, const char *val)
{
	append_string_literal(buf, val);
}


/* ----------------------------------------------------------------
 * What may be shipped
 * ----------------------------------------------------------------
 */

/*
 * The base or join relation whose columns an expression of 'rel' refers to:
 * for grouping, ordering and final relations, the one they were built on.
 */
RelOptInfo *
grant_scan_rel_of(RelOptInfo *rel)
{
	while (IS_UPPER_REL(rel))
	{
		GrantRelInfo *info = (GrantRelInfo *) rel->fdw_private;

		Assert(info != NULL && info->outerrel != NULL);
		rel = info->outerrel;
	}
	return rel;
}

/*
 * Can 'expr' be evaluated by the remote server as part of the SQL for
 * 'rel', giving the value we would compute?  Aggregates are accepted only
 * when rel is a grouping relation.
 */
bool
grant_pg_is_foreign_expr(PlannerInfo *root, RelOptInfo *rel, Expr *expr)
{
	ShipGlobal	glob;
	ShipLocal	loc;

	glob.root = root;
	glob.rel = rel;
	glob.relids = grant_scan_rel_of(rel)->relids;
	glob.allow_aggs = IS_UPPER_REL(rel);
	glob.case_arg = NULL;
	glob.default_agrees = -1;
	loc.collation = InvalidOid;
	loc.state = SHIP_COLL_NONE;

	if (!ship_walker((Node *) expr, &glob, &loc))
		return false;

	/* a result collated by something else than a column can't be relied on */
	if (loc.state == SHIP_COLL_UNSAFE)
		return false;

	/*
	 * Volatile or stable functions would be evaluated at another time (and
	 * clock, and settings) on the remote.  Checked last: it costs catalog
	 * lookups.
	 */
	if (contain_mutable_functions((Node *) expr))
		return false;

	return true;
}

/*
 * A column declared without COLLATE has our default collation; the remote
 * column behind it, presumably, the remote's default: the same only when
 * the two databases' defaults are (see collation.c).
 */
static bool
default_collation_agrees(ShipGlobal *glob)
{
	if (glob->default_agrees < 0)
	{
		GrantRelInfo *info = (GrantRelInfo *) glob->rel->fdw_private;
		Oid			userid = OidIsValid(glob->rel->userid) ? glob->rel->userid : GetUserId();

		glob->default_agrees = grant_default_collation_agrees(info->server, userid) ? 1 : 0;
	}
	return glob->default_agrees == 1;
}

/*
 * Collation state of a node that yields 'collid' from inputs in 'inner':
 * a result collation is trusted only when it is the one its inputs carry
 * from a column, or the default one.
 */
static ShipCollation
result_collation_state(Oid collid, ShipLocal *inner)
{
	if (!OidIsValid(collid))
		return SHIP_COLL_NONE;
	if (inner->state == SHIP_COLL_SAFE && collid == inner->collation)
		return SHIP_COLL_SAFE;
	if (collid == DEFAULT_COLLATION_OID)
		return SHIP_COLL_NONE;
	return SHIP_COLL_UNSAFE;
}

/* does an operation with input collation 'inputcollid' behave the same remotely? */
static inline bool
input_collation_ok(Oid inputcollid, ShipLocal *inner)
{
	if (!OidIsValid(inputcollid))
		return true;
	return inner->state == SHIP_COLL_SAFE && inputcollid == inner->collation;
}

/*
 * Constants of the reg* types print as names; those names must resolve on
 * the remote to the same built-in object.
 */
static bool
ship_const_is_safe(Const *c)
{
	if (c->constisnull)
		return true;
	switch (c->consttype)
	{
		case REGPROCOID:
		case REGPROCEDUREOID:
		case REGOPEROID:
		case REGOPERATOROID:
		case REGCLASSOID:
		case REGTYPEOID:
		case REGCOLLATIONOID:
		case REGCONFIGOID:
		case REGDICTIONARYOID:
		case REGNAMESPACEOID:
		case REGROLEOID:
			return object_is_shippable(DatumGetObjectId(c->constvalue));
		default:
			return true;
	}
}

/*
 * Collation state of a value sent as it is (a constant, or a parameter):
 * a non-default collation would have to be printed, which we never do.
 */
static ShipCollation
value_collation_state(Oid collid)
{
	if (!OidIsValid(collid) || collid == DEFAULT_COLLATION_OID)
		return SHIP_COLL_NONE;
	return SHIP_COLL_UNSAFE;
}

/*
 * A call of function or operator 'objid' on 'args' with input collation
 * 'inputcollid': the object must be built in, the arguments shippable
 * (their collation state merged into *inner) and the input collation one
 * the remote applies the same way.
 */
static bool
ship_call(Oid objid, List *args, Oid inputcollid, ShipGlobal *glob,
		  ShipLocal *inner)
{
	if (!object_is_shippable(objid))
		return false;
	if (!ship_walker((Node *) args, glob, inner))
		return false;
	return input_collation_ok(inputcollid, inner);
}

/* a sort operator named in ORDER BY (or an aggregate's ORDER BY) */
static bool
sortop_is_shippable(Oid sortop)
{
	return OidIsValid(sortop) && object_is_shippable(sortop);
}

/*
 * The walker.  Returns false as soon as a node can't be shipped; otherwise
 * merges the node's collation state into *outer, mirroring how the parser
 * assigns collations, so the caller can judge operations on it.
 */
static bool
ship_walker(Node *node, ShipGlobal *glob, ShipLocal *outer)
{
	ShipLocal	inner;
	Oid			collation = InvalidOid;
	ShipCollation state = SHIP_COLL_NONE;
	bool		check_type = true;

	if (node == NULL)
		return true;

	inner.collation = InvalidOid;
	inner.state = SHIP_COLL_NONE;

	switch (nodeTag(node))
	{
		case T_Var:
			{
				Var		   *var = (Var *) node;

				if (var->varlevelsup == 0 &&
					bms_is_member(var->varno, glob->relids))
				{
					/*
					 * A column of the relation.  Whole-row references are
					 * not printed in conditions; of the system columns only
					 * ctid means the same thing remotely.
					 */
					if (var->varattno == 0)
						return false;
					if (var->varattno < 0 &&
						var->varattno != SelfItemPointerAttributeNumber)
						return false;
					collation = var->varcollid;
					state = OidIsValid(collation) ? SHIP_COLL_SAFE : SHIP_COLL_NONE;
					if (collation == DEFAULT_COLLATION_OID &&
						!default_collation_agrees(glob))
						state = SHIP_COLL_UNSAFE;
				}
				else
				{
					/* sent as a parameter value: same rules as a Const */
					if (var->varlevelsup != 0)
						return false;
					collation = var->varcollid;
					state = value_collation_state(collation);
				}
			}
			break;
		case T_Const:
			{
				Const	   *c = (Const *) node;

				if (!ship_const_is_safe(c))
					return false;
				collation = c->constcollid;
				state = value_collation_state(collation);
			}
			break;
		case T_Param:
			{
				Param	   *p = (Param *) node;

				/* a MULTIEXPR output is not a value we can send */
				if (p->paramkind == PARAM_MULTIEXPR)
					return false;
				collation = p->paramcollid;
				state = value_collation_state(collation);
			}
			break;
		case T_SubscriptingRef:
			{
				SubscriptingRef *sr = (SubscriptingRef *) node;

				/* only reads of plain arrays */
				if (sr->refassgnexpr != NULL)
					return false;
				if (get_typsubscript(sr->refcontainertype, NULL) !=
					F_ARRAY_SUBSCRIPT_HANDLER)
					return false;

				/* subscripts are integers: they don't touch the collation */
				if (!ship_walker((Node *) sr->refupperindexpr, glob, &inner) ||
					!ship_walker((Node *) sr->reflowerindexpr, glob, &inner))
					return false;
				inner.collation = InvalidOid;
				inner.state = SHIP_COLL_NONE;
				if (!ship_walker((Node *) sr->refexpr, glob, &inner))
					return false;
				collation = sr->refcollid;
				state = result_collation_state(collation, &inner);
			}
			break;
		case T_FuncExpr:
			{
				FuncExpr   *fe = (FuncExpr *) node;

				if (!ship_call(fe->funcid, fe->args, fe->inputcollid,
							   glob, &inner))
					return false;
				collation = fe->funccollid;
				state = result_collation_state(collation, &inner);
			}
			break;
		case T_OpExpr:
		case T_DistinctExpr:	/* same layout as OpExpr */
		case T_NullIfExpr:		/* same layout as OpExpr */
			{
				OpExpr	   *oe = (OpExpr *) node;

				if (!ship_call(oe->opno, oe->args, oe->inputcollid,
							   glob, &inner))
					return false;
				collation = oe->opcollid;
				state = result_collation_state(collation, &inner);
			}
			break;
		case T_ScalarArrayOpExpr:
			{
				ScalarArrayOpExpr *oe = (ScalarArrayOpExpr *) node;

				if (!ship_call(oe->opno, oe->args, oe->inputcollid,
							   glob, &inner))
					return false;
				/* boolean result */
			}
			break;
		case T_RelabelType:
			{
				RelabelType *r = (RelabelType *) node;

				if (!ship_walker((Node *) r->arg, glob, &inner))
					return false;
				collation = r->resultcollid;
				state = result_collation_state(collation, &inner);
			}
			break;
		case T_BoolExpr:
			{
				BoolExpr   *b = (BoolExpr *) node;

				if (!ship_walker((Node *) b->args, glob, &inner))
					return false;
			}
			break;
		case T_NullTest:
			{
				NullTest   *nt = (NullTest *) node;

				/*
				 * IS NULL on a composite means "all fields null"; we print
				 * only scalar tests, where the meaning can't differ.
				 */
				if (nt->argisrow || type_is_rowtype(exprType((Node *) nt->arg)))
					return false;
				if (!ship_walker((Node *) nt->arg, glob, &inner))
					return false;
			}
			break;
		case T_BooleanTest:
			{
				BooleanTest *bt = (BooleanTest *) node;

				if (!ship_walker((Node *) bt->arg, glob, &inner))
					return false;
			}
			break;
		case T_CaseExpr:
			{
				CaseExpr   *ce = (CaseExpr *) node;
				ShipLocal	arg_cxt;
				ShipLocal  *saved_case_arg = glob->case_arg;
				ListCell   *lc;

				arg_cxt.collation = InvalidOid;
				arg_cxt.state = SHIP_COLL_NONE;
				if (ce->arg != NULL)
				{
					if (!ship_walker((Node *) ce->arg, glob, &arg_cxt))
						return false;
				}

				foreach(lc, ce->args)
				{
					CaseWhen   *cw = lfirst_node(CaseWhen, lc);

					if (ce->arg != NULL)
					{
						/*
						 * "CASE x WHEN v" is stored as "CaseTestExpr = v";
						 * we print only v, so insist on that shape.
						 */
						Node	   *test = (Node *) cw->expr;
						Node	   *left;

						if (!IsA(test, OpExpr) ||
							list_length(((OpExpr *) test)->args) != 2)
							return false;
						left = linitial(((OpExpr *) test)->args);
						while (left && IsA(left, RelabelType))
							left = (Node *) ((RelabelType *) left)->arg;
						if (left == NULL || !IsA(left, CaseTestExpr))
							return false;
						glob->case_arg = &arg_cxt;
					}
					else
						glob->case_arg = NULL;

					/* the condition's collation is its own business */
					{
						ShipLocal	cond_cxt = {InvalidOid, SHIP_COLL_NONE};

						if (!ship_walker((Node *) cw->expr, glob, &cond_cxt))
						{
							glob->case_arg = saved_case_arg;
							return false;
						}
					}
					glob->case_arg = saved_case_arg;

					if (!ship_walker((Node *) cw->result, glob, &inner))
						return false;
				}
				if (!ship_walker((Node *) ce->defresult, glob, &inner))
					return false;

				collation = ce->casecollid;
				state = result_collation_state(collation, &inner);
			}
			break;
		case T_CaseTestExpr:
			{
				/* only as the left side of a simple CASE's WHEN test */
				if (glob->case_arg == NULL)
					return false;
				collation = glob->case_arg->collation;
				state = glob->case_arg->state;
			}
			break;
		case T_CoalesceExpr:
			{
				CoalesceExpr *ce = (CoalesceExpr *) node;

				if (!ship_walker((Node *) ce->args, glob, &inner))
					return false;
				collation = ce->coalescecollid;
				state = result_collation_state(collation, &inner);
			}
			break;
		case T_ArrayExpr:
			{
				ArrayExpr  *a = (ArrayExpr *) node;

				if (a->multidims)
					return false;
				if (!ship_walker((Node *) a->elements, glob, &inner))
					return false;
				collation = a->array_collid;
				state = result_collation_state(collation, &inner);
			}
			break;
		case T_List:
			{
				ListCell   *lc;

				/* siblings merge into the parent's state directly */
				foreach(lc, (List *) node)
				{
					if (!ship_walker((Node *) lfirst(lc), glob, outer))
						return false;
				}
				return true;
			}
		case T_Aggref:
			{
				Aggref	   *agg = (Aggref *) node;
				ListCell   *lc;

				if (!glob->allow_aggs)
					return false;
				/* whole aggregation only; no partial or ordered-set ones */
				if (agg->aggsplit != AGGSPLIT_SIMPLE)
					return false;
				if (agg->aggkind != AGGKIND_NORMAL)
					return false;
				if (!object_is_shippable(agg->aggfnoid))
					return false;

				foreach(lc, agg->args)
				{
					TargetEntry *tle = lfirst_node(TargetEntry, lc);

					if (!ship_walker((Node *) tle->expr, glob, &inner))
						return false;
				}

				/* ORDER BY and DISTINCT inside the aggregate: their operators */
				foreach(lc, agg->aggorder)
				{
					SortGroupClause *sgc = lfirst_node(SortGroupClause, lc);

					if (!sortop_is_shippable(sgc->sortop))
						return false;
				}
				foreach(lc, agg->aggdistinct)
				{
					SortGroupClause *sgc = lfirst_node(SortGroupClause, lc);

					if (!object_is_shippable(sgc->eqop) ||
						(OidIsValid(sgc->sortop) &&
						 !object_is_shippable(sgc->sortop)))
						return false;
				}

				if (agg->aggfilter != NULL)
				{
					ShipLocal	filter_cxt = {InvalidOid, SHIP_COLL_NONE};

					if (!ship_walker((Node *) agg->aggfilter, glob, &filter_cxt))
						return false;
				}

				if (!input_collation_ok(agg->inputcollid, &inner))
					return false;
				collation = agg->aggcollid;
				state = result_collation_state(collation, &inner);
			}
			break;
		default:
			/* anything else is not printed by us */
			return false;
	}

	/* the node's own type must exist remotely with the same meaning */
	if (check_type && !object_is_shippable(exprType(node)))
		return false;

	/* merge into the parent's state */
	if (state > outer->state)
	{
		outer->collation = collation;
		outer->state = state;
	}
	else if (state == outer->state && state == SHIP_COLL_SAFE &&
			 collation != outer->collation)
	{
		/* as the parser does: a non-default collation beats the default */
		if (outer->collation == DEFAULT_COLLATION_OID)
			outer->collation = collation;
		else if (collation != DEFAULT_COLLATION_OID)
			outer->state = SHIP_COLL_UNSAFE;
	}

	return true;
}

/*
 * The equivalence member of 'pk' the remote can sort 'rel' by, or NULL.
 * For base and join relations any member computable from the relation
 * will do; for a grouping relation the member must be one of the columns
 * it outputs (grouped_tlist).
 */
EquivalenceMember *
grant_pg_find_em(PlannerInfo *root, RelOptInfo *rel, PathKey *pk)
{
	EquivalenceClass *ec = pk->pk_eclass;
	ListCell   *lc;

	if (ec->ec_has_volatile)
		return NULL;
	if (!object_is_shippable(pk->pk_opfamily))
		return NULL;

	foreach(lc, ec->ec_members)
	{
		EquivalenceMember *em = (EquivalenceMember *) lfirst(lc);
		Oid			sortop;

		if (em->em_is_const)
			continue;

		if (IS_UPPER_REL(rel))
		{
			GrantRelInfo *info = (GrantRelInfo *) rel->fdw_private;
			Expr	   *em_expr = em->em_expr;
			ListCell   *lc2;
			bool		found = false;

			while (em_expr && IsA(em_expr, RelabelType))
				em_expr = ((RelabelType *) em_expr)->arg;
			foreach(lc2, info->grouped_tlist)
			{
				Expr	   *texpr = lfirst_node(TargetEntry, lc2)->expr;

				while (texpr && IsA(texpr, RelabelType))
					texpr = ((RelabelType *) texpr)->arg;
				if (equal(texpr, em_expr))
				{
					found = true;
					break;
				}
			}
			if (!found)
				continue;
		}
		else
		{
			/* child members stand for other relations' columns */
			if (em->em_is_child)
				continue;
			if (bms_is_empty(em->em_relids) ||
				!bms_is_subset(em->em_relids, rel->relids))
				continue;
		}

		if (!grant_pg_is_foreign_expr(root, rel, em->em_expr))
			continue;

		sortop = get_opfamily_member(pk->pk_opfamily, em->em_datatype,
									 em->em_datatype, pk->pk_strategy);
		if (!sortop_is_shippable(sortop))
			continue;

		return em;
	}
	return NULL;
}

/* can the remote produce 'rel' sorted by all of 'pathkeys'? */
bool
grant_pg_pathkeys_are_shippable(PlannerInfo *root, RelOptInfo *rel,
								List *pathkeys)
{
	ListCell   *lc;

	if (pathkeys == NIL)
		return false;
	foreach(lc, pathkeys)
	{
		if (grant_pg_find_em(root, rel, (PathKey *) lfirst(lc)) == NULL)
			return false;
	}
	return true;
}


/* ----------------------------------------------------------------
 * SELECT
 * ----------------------------------------------------------------
 */

/*
 * Columns a join relation must fetch: those its target needs plus those of
 * its local conditions.  A grouping relation fetches its grouped_tlist.
 * The list is new; its TargetEntries number the remote SELECT list.
 */
List *
grant_pg_build_tlist_to_deparse(RelOptInfo *rel)
{
	GrantRelInfo *info = (GrantRelInfo *) rel->fdw_private;
	List	   *tlist;
	ListCell   *lc;

	if (IS_UPPER_REL(rel))
		return info->grouped_tlist;

	tlist = add_to_flat_tlist(NIL,
							  pull_var_clause((Node *) rel->reltarget->exprs,
											  PVC_RECURSE_PLACEHOLDERS));
	foreach(lc, info->local_conds)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);

		tlist = add_to_flat_tlist(tlist,
								  pull_var_clause((Node *) ri->clause,
												  PVC_RECURSE_PLACEHOLDERS));
	}
	return tlist;
}

/*
 * The SELECT for 'rel' (base, join, grouping; or a final/ordered step
 * whose path carries rel as its parent).
 *
 * tlist: for join and grouping relations the columns to fetch (from
 * grant_pg_build_tlist_to_deparse); NIL for base relations, which fetch
 * GrantRelInfo->attrs_used.  remote_conds: RestrictInfos or bare clauses
 * for the WHERE clause of a base or join relation (for a grouping
 * relation its HAVING clauses come from its GrantRelInfo and the WHERE
 * clause from the relation below).  pathkeys: ORDER BY, if any;
 * has_final_sort says they are the query's ORDER BY on a grouping
 * relation's output; has_limit adds the query's LIMIT/OFFSET.
 *
 * *retrieved_attrs gets the attnums (base) or 1-based tlist positions
 * that the remote SELECT list returns, in order; *params_list gets the
 * expressions printed as $1..$n, appended in order.
 */
void
grant_pg_deparse_select(StringInfo buf, PlannerInfo *root, RelOptInfo *rel,
						List *tlist, List *remote_conds, List *pathkeys,
						bool has_final_sort, bool has_limit,
						bool consts_as_params, bool *printed_const,
						List **retrieved_attrs, List **params_list)
{
	DeparseCxt	cxt;
	GrantRelInfo *info = (GrantRelInfo *) rel->fdw_private;
	List	   *quals;

	cxt.root = root;
	cxt.rel = rel;
	cxt.scanrel = grant_scan_rel_of(rel);
	cxt.buf = buf;
	cxt.params = params_list;
	cxt.qualify = IS_JOIN_REL(cxt.scanrel);
	cxt.consts_as_params = consts_as_params;
	cxt.printed_const = printed_const;

	/* SELECT list */
	appendStringInfoString(buf, "SELECT ");
	if (IS_JOIN_REL(rel) || IS_UPPER_REL(rel))
		deparse_select_list(tlist, &cxt, retrieved_attrs);
	else
	{
		RangeTblEntry *rte = planner_rt_fetch(rel->relid, root);
		Relation	relation = table_open(rte->relid, NoLock);

		deparse_column_list(buf, rel->relid, relation, info->attrs_used,
							false, retrieved_attrs);
		table_close(relation, NoLock);
	}

	/* FROM and WHERE */
	appendStringInfoString(buf, " FROM ");
	deparse_from(cxt.scanrel, &cxt);

	if (IS_UPPER_REL(rel))
		quals = ((GrantRelInfo *) cxt.scanrel->fdw_private)->remote_conds;
	else
		quals = remote_conds;
	if (quals != NIL)
	{
		appendStringInfoString(buf, " WHERE ");
		deparse_and_list(quals, &cxt);
	}

	/* GROUP BY and HAVING */
	if (IS_UPPER_REL(rel))
	{
		deparse_group_by(tlist, &cxt);
		if (info->remote_conds != NIL)
		{
			appendStringInfoString(buf, " HAVING ");
			deparse_and_list(info->remote_conds, &cxt);
		}
	}

	if (pathkeys != NIL)
		deparse_order_by(pathkeys, has_final_sort, &cxt);

	if (has_limit)
		deparse_limit(&cxt);

	deparse_lock_clause(&cxt);
}

/* a join or grouping relation's SELECT list, numbering its entries */
static void
deparse_select_list(List *tlist, DeparseCxt *cxt, List **retrieved_attrs)
{
	ListCell   *lc;
	int			i = 0;

	*retrieved_attrs = NIL;
	foreach(lc, tlist)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);

		if (i > 0)
			appendStringInfoString(cxt->buf, ", ");
		deparse_expr(tle->expr, cxt);
		*retrieved_attrs = lappend_int(*retrieved_attrs, i + 1);
		i++;
	}
	if (i == 0)
		appendStringInfoString(cxt->buf, "NULL");
}

/*
 * The columns in attrs_used (offset by FirstLowInvalidHeapAttributeNumber;
 * 0 means the whole row), in attnum order, then ctid if wanted; "NULL" when
 * nothing is.  *retrieved_attrs gets their attnums.
 */
static void
deparse_column_list(StringInfo buf, Index rtindex, Relation rel,
					Bitmapset *attrs_used, bool qualify,
					List **retrieved_attrs)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	bool		whole_row;
	bool		first = true;
	int			i;

	*retrieved_attrs = NIL;
	whole_row = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber,
							  attrs_used);
	for (i = 1; i <= tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i - 1);

		if (attr->attisdropped)
			continue;
		if (!whole_row &&
			!bms_is_member(i - FirstLowInvalidHeapAttributeNumber, attrs_used))
			continue;
		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;
		if (qualify)
			appendStringInfo(buf, "r%u.", rtindex);
		append_column_name(buf, rel, i);
		*retrieved_attrs = lappend_int(*retrieved_attrs, i);
	}

	if (bms_is_member(SelfItemPointerAttributeNumber -
					  FirstLowInvalidHeapAttributeNumber, attrs_used))
	{
		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;
		if (qualify)
			appendStringInfo(buf, "r%u.", rtindex);
		appendStringInfoString(buf, "ctid");
		*retrieved_attrs = lappend_int(*retrieved_attrs,
									   SelfItemPointerAttributeNumber);
	}

	if (first)
		appendStringInfoString(buf, "NULL");
}

/*
 * FROM item of a base or join relation.  Inside joins every base relation
 * gets the alias r<rtindex>, which column references use.
 */
static void
deparse_from(RelOptInfo *rel, DeparseCxt *cxt)
{
	StringInfo	buf = cxt->buf;

	if (IS_JOIN_REL(rel))
	{
		GrantRelInfo *info = (GrantRelInfo *) rel->fdw_private;
		const char *jt;

		switch (info->jointype)
		{
			case JOIN_INNER:
				jt = "INNER";
				break;
			case JOIN_LEFT:
				jt = "LEFT";
				break;
			case JOIN_RIGHT:
				jt = "RIGHT";
				break;
			case JOIN_FULL:
				jt = "FULL";
				break;
			default:
				elog(ERROR, "unsupported join type %d", (int) info->jointype);
				jt = NULL;		/* keep compiler quiet */
		}

		appendStringInfoChar(buf, '(');
		deparse_from(info->outerrel, cxt);
		appendStringInfo(buf, " %s JOIN ", jt);
		deparse_from(info->innerrel, cxt);
		appendStringInfoString(buf, " ON (");
		if (info->joinclauses != NIL)
			deparse_and_list(info->joinclauses, cxt);
		else
			appendStringInfoString(buf, "TRUE");
		appendStringInfoString(buf, "))");
	}
	else
	{
		RangeTblEntry *rte = planner_rt_fetch(rel->relid, cxt->root);
		Relation	relation = table_open(rte->relid, NoLock);

		grant_pg_deparse_relation(buf, relation);
		if (cxt->qualify)
			appendStringInfo(buf, " r%u", rel->relid);
		table_close(relation, NoLock);
	}
}

/* FOR UPDATE / FOR SHARE of a base relation that locks rows */
static void
deparse_lock_clause(DeparseCxt *cxt)
{
	RelOptInfo *rel = cxt->scanrel;
	LockWaitPolicy wait;

	if (rel->reloptkind != RELOPT_BASEREL &&
		rel->reloptkind != RELOPT_OTHER_MEMBER_REL)
		return;
	switch (grant_scan_lock(cxt->root, rel, &wait))
	{
		case LCS_NONE:
			return;
		case LCS_FORKEYSHARE:
			appendStringInfoString(cxt->buf, " FOR KEY SHARE");
			break;
		case LCS_FORSHARE:
			appendStringInfoString(cxt->buf, " FOR SHARE");
			break;
		case LCS_FORNOKEYUPDATE:
			appendStringInfoString(cxt->buf, " FOR NO KEY UPDATE");
			break;
		case LCS_FORUPDATE:
			appendStringInfoString(cxt->buf, " FOR UPDATE");
			break;
	}
	grant_append_lock_wait(cxt->buf, wait);
}

/*
 * GROUP BY by position in the SELECT list (which is the grouped_tlist), so
 * the remote groups by exactly the expressions we would.
 */
static void
deparse_group_by(List *tlist, DeparseCxt *cxt)
{
	Query	   *query = cxt->root->parse;
	ListCell   *lc;
	bool		first = true;

	if (query->groupClause == NIL)
		return;
	/* grouping sets are never shipped; see pushdown.c */
	Assert(query->groupingSets == NIL);

	appendStringInfoString(cxt->buf, " GROUP BY ");
	foreach(lc, query->groupClause)
	{
		SortGroupClause *grp = lfirst_node(SortGroupClause, lc);
		TargetEntry *tle = get_sortgroupref_tle(grp->tleSortGroupRef, tlist);

		if (!first)
			appendStringInfoString(cxt->buf, ", ");
		first = false;
		appendStringInfo(cxt->buf, "%d", tle->resno);
	}
}

/* ORDER BY with explicit direction and NULLS FIRST/LAST for each key */
static void
deparse_order_by(List *pathkeys, bool has_final_sort, DeparseCxt *cxt)
{
	ListCell   *lc;
	bool		first = true;
	RelOptInfo *rel = IS_UPPER_REL(cxt->rel) ? cxt->rel : cxt->scanrel;

	appendStringInfoString(cxt->buf, " ORDER BY ");
	foreach(lc, pathkeys)
	{
		PathKey    *pk = (PathKey *) lfirst(lc);
		EquivalenceMember *em;
		Expr	   *expr;
		Oid			sortop;

		em = grant_pg_find_em(cxt->root, rel, pk);
		if (em == NULL)
			elog(ERROR, "could not find a shippable sort key for the remote query");
		expr = em->em_expr;
		sortop = get_opfamily_member(pk->pk_opfamily, em->em_datatype,
									 em->em_datatype, pk->pk_strategy);

		if (!first)
			appendStringInfoString(cxt->buf, ", ");
		first = false;

		/* a bare constant would be read as a column position */
		if (IsA(expr, Const))
			deparse_const((Const *) expr, cxt, 1);
		else
			deparse_expr(expr, cxt);
		append_sort_suffix(cxt->buf, sortop, em->em_datatype,
						   pk->pk_nulls_first);
	}
}

/*
 * ASC or DESC when sortop is the type's default ordering, else USING op;
 * then the NULLS placement, always explicit.
 */
static void
append_sort_suffix(StringInfo buf, Oid sortop, Oid type, bool nulls_first)
{
	TypeCacheEntry *tce;

	tce = lookup_type_cache(type, TYPECACHE_LT_OPR | TYPECACHE_GT_OPR);
	if (sortop == tce->lt_opr)
		appendStringInfoString(buf, " ASC");
	else if (sortop == tce->gt_opr)
		appendStringInfoString(buf, " DESC");
	else
	{
		appendStringInfoString(buf, " USING ");
		append_operator_name(buf, sortop);
	}
	appendStringInfoString(buf, nulls_first ? " NULLS FIRST" : " NULLS LAST");
}

static void
deparse_limit(DeparseCxt *cxt)
{
	Query	   *query = cxt->root->parse;

	if (query->limitCount != NULL)
	{
		appendStringInfoString(cxt->buf, " LIMIT ");
		deparse_expr((Expr *) query->limitCount, cxt);
	}
	if (query->limitOffset != NULL)
	{
		appendStringInfoString(cxt->buf, " OFFSET ");
		deparse_expr((Expr *) query->limitOffset, cxt);
	}
}

/* (c1) AND (c2) ...; elements are RestrictInfos or bare clauses */
static void
deparse_and_list(List *exprs, DeparseCxt *cxt)
{
	ListCell   *lc;
	bool		first = true;

	foreach(lc, exprs)
	{
		Expr	   *expr = (Expr *) lfirst(lc);

		if (IsA(expr, RestrictInfo))
			expr = ((RestrictInfo *) expr)->clause;
		if (!first)
			appendStringInfoString(cxt->buf, " AND ");
		first = false;
		appendStringInfoChar(cxt->buf, '(');
		deparse_expr(expr, cxt);
		appendStringInfoChar(cxt->buf, ')');
	}
}


/* ----------------------------------------------------------------
 * Names
 * ----------------------------------------------------------------
 */

/* schema.table of the remote relation behind a foreign table, quoted */
void
grant_pg_deparse_relation(StringInfo buf, Relation rel)
{
	char	   *schema;
	char	   *table;

	grant_table_remote_name(rel, GRANT_ADAPTER_POSTGRESQL, &schema, &table);
	append_quoted_name(buf, schema);
	appendStringInfoChar(buf, '.');
	append_quoted_name(buf, table);
}

/* a column by its remote name; ctid as itself */
static void
deparse_column_ref(StringInfo buf, PlannerInfo *root, Index varno,
				   AttrNumber attno, bool qualify)
{
	RangeTblEntry *rte = planner_rt_fetch(varno, root);

	if (qualify)
		appendStringInfo(buf, "r%u.", varno);
	if (attno == SelfItemPointerAttributeNumber)
		appendStringInfoString(buf, "ctid");
	else
	{
		Relation	relation = table_open(rte->relid, NoLock);

		append_column_name(buf, relation, attno);
		table_close(relation, NoLock);
	}
}

static void
append_column_name(StringInfo buf, Relation rel, AttrNumber attno)
{
	append_quoted_name(buf, grant_column_remote_name(rel, attno));
}


/* ----------------------------------------------------------------
 * INSERT, UPDATE, DELETE, TRUNCATE, COPY
 * ----------------------------------------------------------------
 */

/*
 * INSERT INTO rel(cols) VALUES ($1, ...) [ON CONFLICT DO NOTHING]
 * [RETURNING ...].  Generated columns get DEFAULT and no parameter, so the
 * parameters number the other target_attrs in order.  *values_end_len is
 * the length up to the end of the VALUES row (for batching).
 */
void
grant_pg_deparse_insert(StringInfo buf, Index rtindex, Relation rel,
						List *target_attrs, bool do_nothing,
						List *with_check_options, List *returning_list,
						List **retrieved_attrs, int *values_end_len)
{
	TriggerDesc *trig = rel->trigdesc;
	ListCell   *lc;
	bool		first;
	int			pindex = 1;

	appendStringInfoString(buf, "INSERT INTO ");
	grant_pg_deparse_relation(buf, rel);

	if (target_attrs != NIL)
	{
		appendStringInfoChar(buf, '(');
		first = true;
		foreach(lc, target_attrs)
		{
			if (!first)
				appendStringInfoString(buf, ", ");
			first = false;
			append_column_name(buf, rel, lfirst_int(lc));
		}
		appendStringInfoString(buf, ") VALUES ");
		append_values_row(buf, RelationGetDescr(rel), target_attrs, &pindex);
	}
	else
		appendStringInfoString(buf, " DEFAULT VALUES");
	*values_end_len = buf->len;

	if (do_nothing)
		appendStringInfoString(buf, " ON CONFLICT DO NOTHING");

	deparse_returning(buf, rtindex, rel,
					  trig && trig->trig_insert_after_row,
					  with_check_options, returning_list, retrieved_attrs);
}

/*
 * One VALUES row "(...)" for target_attrs: DEFAULT for a generated column,
 * else the next parameter $*pindex (advanced).
 */
static void
append_values_row(StringInfo buf, TupleDesc tupdesc, List *target_attrs,
				  int *pindex)
{
	ListCell   *lc;
	bool		first = true;

	appendStringInfoChar(buf, '(');
	foreach(lc, target_attrs)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, lfirst_int(lc) - 1);

		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;
		if (attr->attgenerated)
			appendStringInfoString(buf, "DEFAULT");
		else
			appendStringInfo(buf, "$%d", (*pindex)++);
	}
	appendStringInfoChar(buf, ')');
}

/*
 * The INSERT of a row routed to the foreign table outside a planned
 * INSERT (tuple routing, COPY): as grant_pg_deparse_insert, RETURNING
 * every column when returning_all (the caller projects RETURNING and
 * fires triggers itself), nothing otherwise.
 */
void
grant_pg_deparse_insert_sql(StringInfo buf, Relation rel, List *target_attrs,
							bool do_nothing, bool returning_all,
							List **retrieved_attrs, int *values_end_len)
{
	TriggerDesc *trig = rel->trigdesc;

	/* rtindex is unused when there is no RETURNING list to look into */
	grant_pg_deparse_insert(buf, 1, rel, target_attrs, do_nothing, NIL, NIL,
							retrieved_attrs, values_end_len);
	if (*retrieved_attrs == NIL &&
		(returning_all || (trig && trig->trig_insert_after_row)))
	{
		appendStringInfoString(buf, " RETURNING ");
		deparse_column_list(buf, 1, rel,
							bms_make_singleton(0 - FirstLowInvalidHeapAttributeNumber),
							false, retrieved_attrs);
	}
}

/*
 * The SQL of a batch of nrows rows from the one-row INSERT orig_sql made
 * by grant_pg_deparse_insert: the VALUES row is repeated with parameters
 * numbered on, each row taking num_params of them.  Rows need a target
 * column (DEFAULT VALUES can't be repeated).
 */
void
grant_pg_rebuild_insert_sql(StringInfo buf, Relation rel, const char *orig_sql,
							List *target_attrs, int values_end_len,
							int num_params, int nrows)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	int			pindex = num_params + 1;
	int			row;

	if (target_attrs == NIL && nrows > 1)
		elog(ERROR, "cannot batch an INSERT without target columns");

	appendBinaryStringInfo(buf, orig_sql, values_end_len);
	for (row = 1; row < nrows; row++)
	{
		appendStringInfoString(buf, ", ");
		append_values_row(buf, tupdesc, target_attrs, &pindex);
	}
	if (pindex - 1 != num_params * nrows)
		elog(ERROR, "INSERT batch has %d parameters, expected %d",
			 pindex - 1, num_params * nrows);
	appendStringInfoString(buf, orig_sql + values_end_len);
}

/*
 * COPY rel(cols) FROM STDIN, text format.  The columns are target_attrs
 * without the generated ones (the remote computes those); data must be
 * sent for exactly those, in order.
 */
void
grant_pg_deparse_copy_from(StringInfo buf, Relation rel, List *target_attrs)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	ListCell   *lc;
	bool		first = true;

	appendStringInfoString(buf, "COPY ");
	grant_pg_deparse_relation(buf, rel);
	appendStringInfoChar(buf, '(');
	foreach(lc, target_attrs)
	{
		AttrNumber	attno = lfirst_int(lc);

		if (TupleDescAttr(tupdesc, attno - 1)->attgenerated)
			continue;
		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;
		append_column_name(buf, rel, attno);
	}
	if (first)
		elog(ERROR, "COPY needs at least one column");
	appendStringInfoString(buf, ") FROM STDIN");
}

/*
 * UPDATE rel SET col = $2, ... WHERE ctid = $1 [RETURNING ...]: $1 is the
 * row's ctid, then one parameter per non-generated target_attrs entry in
 * order; generated columns are set to DEFAULT.
 */
void
grant_pg_deparse_update(StringInfo buf, Index rtindex, Relation rel,
						List *target_attrs,
						List *with_check_options, List *returning_list,
						List **retrieved_attrs)
{
	TriggerDesc *trig = rel->trigdesc;
	ListCell   *lc;
	bool		first = true;
	int			pindex = 2;

	appendStringInfoString(buf, "UPDATE ");
	grant_pg_deparse_relation(buf, rel);
	appendStringInfoString(buf, " SET ");
	foreach(lc, target_attrs)
	{
		AttrNumber	attno = lfirst_int(lc);
		Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel), attno - 1);

		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;
		append_column_name(buf, rel, attno);
		if (attr->attgenerated)
			appendStringInfoString(buf, " = DEFAULT");
		else
			appendStringInfo(buf, " = $%d", pindex++);
	}
	appendStringInfoString(buf, " WHERE ctid = $1");

	deparse_returning(buf, rtindex, rel,
					  trig && trig->trig_update_after_row,
					  with_check_options, returning_list, retrieved_attrs);
}

/* DELETE FROM rel WHERE ctid = $1 [RETURNING ...] */
void
grant_pg_deparse_delete(StringInfo buf, Index rtindex, Relation rel,
						List *returning_list, List **retrieved_attrs)
{
	TriggerDesc *trig = rel->trigdesc;

	appendStringInfoString(buf, "DELETE FROM ");
	grant_pg_deparse_relation(buf, rel);
	appendStringInfoString(buf, " WHERE ctid = $1");

	deparse_returning(buf, rtindex, rel,
					  trig && trig->trig_delete_after_row,
					  NIL, returning_list, retrieved_attrs);
}

/*
 * UPDATE rel SET col = expr, ... [WHERE remote_conds] [RETURNING ...] as
 * one statement.  target_attrs and target_exprs run in parallel; every
 * expression was accepted by grant_pg_is_foreign_expr for 'foreignrel'.
 */
void
grant_pg_deparse_direct_update(StringInfo buf, PlannerInfo *root,
							   Index rtindex, Relation rel,
							   RelOptInfo *foreignrel, List *target_attrs,
							   List *target_exprs, List *remote_conds,
							   List *returning_list, List **params_list,
							   List **retrieved_attrs)
{
	DeparseCxt	cxt;
	ListCell   *lc1;
	ListCell   *lc2;
	bool		first = true;

	direct_modify_cxt(&cxt, root, foreignrel, buf, params_list);

	appendStringInfoString(buf, "UPDATE ");
	grant_pg_deparse_relation(buf, rel);
	appendStringInfoString(buf, " SET ");
	forboth(lc1, target_attrs, lc2, target_exprs)
	{
		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;
		append_column_name(buf, rel, lfirst_int(lc1));
		appendStringInfoString(buf, " = ");
		deparse_expr((Expr *) lfirst(lc2), &cxt);
	}
	deparse_direct_tail(&cxt, rtindex, rel, remote_conds, returning_list,
						retrieved_attrs);
}

/* DELETE FROM rel [WHERE remote_conds] [RETURNING ...] as one statement */
void
grant_pg_deparse_direct_delete(StringInfo buf, PlannerInfo *root,
							   Index rtindex, Relation rel,
							   RelOptInfo *foreignrel, List *remote_conds,
							   List *returning_list, List **params_list,
							   List **retrieved_attrs)
{
	DeparseCxt	cxt;

	direct_modify_cxt(&cxt, root, foreignrel, buf, params_list);

	appendStringInfoString(buf, "DELETE FROM ");
	grant_pg_deparse_relation(buf, rel);
	deparse_direct_tail(&cxt, rtindex, rel, remote_conds, returning_list,
						retrieved_attrs);
}

/* printing state of a direct UPDATE/DELETE on base relation foreignrel */
static void
direct_modify_cxt(DeparseCxt *cxt, PlannerInfo *root, RelOptInfo *foreignrel,
				  StringInfo buf, List **params_list)
{
	cxt->root = root;
	cxt->rel = foreignrel;
	cxt->scanrel = foreignrel;
	cxt->buf = buf;
	cxt->params = params_list;
	cxt->qualify = false;
	cxt->consts_as_params = false;
	cxt->printed_const = NULL;
}

/* [WHERE remote_conds] [RETURNING ...] of a direct UPDATE/DELETE */
static void
deparse_direct_tail(DeparseCxt *cxt, Index rtindex, Relation rel,
					List *remote_conds, List *returning_list,
					List **retrieved_attrs)
{
	if (remote_conds != NIL)
	{
		appendStringInfoString(cxt->buf, " WHERE ");
		deparse_and_list(remote_conds, cxt);
	}
	deparse_returning(cxt->buf, rtindex, rel, false, NIL, returning_list,
					  retrieved_attrs);
}

/*
 * RETURNING of the columns the local side needs: those RETURNING and WITH
 * CHECK OPTION refer to, or every column when an AFTER ROW trigger will
 * see the row.  Nothing is printed when no column is needed, and then
 * *retrieved_attrs is NIL.
 */
static void
deparse_returning(StringInfo buf, Index rtindex, Relation rel,
				  bool trig_after_row, List *with_check_options,
				  List *returning_list, List **retrieved_attrs)
{
	Bitmapset  *attrs_used = NULL;

	if (trig_after_row)
		attrs_used = bms_make_singleton(0 - FirstLowInvalidHeapAttributeNumber);
	else
	{
		if (with_check_options != NIL)
			pull_varattnos((Node *) with_check_options, rtindex, &attrs_used);
		if (returning_list != NIL)
			pull_varattnos((Node *) returning_list, rtindex, &attrs_used);
	}
	/* tableoid, xmin and the like are the local row's, not fetched */
	for (AttrNumber attno = FirstLowInvalidHeapAttributeNumber + 1; attno < 0; attno++)
	{
		if (attno != SelfItemPointerAttributeNumber)
			attrs_used = bms_del_member(attrs_used,
										attno - FirstLowInvalidHeapAttributeNumber);
	}

	*retrieved_attrs = NIL;
	if (bms_is_empty(attrs_used))
		return;
	appendStringInfoString(buf, " RETURNING ");
	deparse_column_list(buf, rtindex, rel, attrs_used, false,
						retrieved_attrs);
}

/*
 * TRUNCATE rel, ... [RESTART IDENTITY] CASCADE|RESTRICT.  rels is a list
 * of open Relations, all of one server.
 */
void
grant_pg_deparse_truncate(StringInfo buf, List *rels, DropBehavior behavior,
						  bool restart_seqs)
{
	ListCell   *lc;
	bool		first = true;

	appendStringInfoString(buf, "TRUNCATE ");
	foreach(lc, rels)
	{
		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;
		grant_pg_deparse_relation(buf, (Relation) lfirst(lc));
	}
	if (restart_seqs)
		appendStringInfoString(buf, " RESTART IDENTITY");
	appendStringInfoString(buf, behavior == DROP_CASCADE ? " CASCADE" : " RESTRICT");
}


/* ----------------------------------------------------------------
 * Expressions
 * ----------------------------------------------------------------
 */

static void
deparse_expr(Expr *node, DeparseCxt *cxt)
{
	if (node == NULL)
		return;

	switch (nodeTag(node))
	{
		case T_Var:
			deparse_var((Var *) node, cxt);
			break;
		case T_Const:
			deparse_const((Const *) node, cxt, 0);
			break;
		case T_Param:
			deparse_param((Param *) node, cxt);
			break;
		case T_SubscriptingRef:
			deparse_subscript((SubscriptingRef *) node, cxt);
			break;
		case T_FuncExpr:
			deparse_func((FuncExpr *) node, cxt);
			break;
		case T_OpExpr:
			deparse_op((OpExpr *) node, cxt);
			break;
		case T_DistinctExpr:
			deparse_distinct((DistinctExpr *) node, cxt);
			break;
		case T_NullIfExpr:
			deparse_nullif((NullIfExpr *) node, cxt);
			break;
		case T_ScalarArrayOpExpr:
			deparse_scalar_array_op((ScalarArrayOpExpr *) node, cxt);
			break;
		case T_RelabelType:
			deparse_relabel((RelabelType *) node, cxt);
			break;
		case T_BoolExpr:
			deparse_bool((BoolExpr *) node, cxt);
			break;
		case T_NullTest:
			deparse_null_test((NullTest *) node, cxt);
			break;
		case T_BooleanTest:
			deparse_boolean_test((BooleanTest *) node, cxt);
			break;
		case T_CaseExpr:
			deparse_case((CaseExpr *) node, cxt);
			break;
		case T_CoalesceExpr:
			deparse_coalesce((CoalesceExpr *) node, cxt);
			break;
		case T_ArrayExpr:
			deparse_array((ArrayExpr *) node, cxt);
			break;
		case T_Aggref:
			deparse_aggref((Aggref *) node, cxt);
			break;
		default:
			elog(ERROR, "unsupported expression type for deparse: %d",
				 (int) nodeTag(node));
			break;
	}
}

/* a column of the relation, or an outer value sent as a parameter */
static void
deparse_var(Var *node, DeparseCxt *cxt)
{
	if (node->varlevelsup == 0 &&
		bms_is_member(node->varno, cxt->scanrel->relids))
		deparse_column_ref(cxt->buf, cxt->root, node->varno, node->varattno,
						   cxt->qualify);
	else
		deparse_as_param((Expr *) node, cxt);
}

/*
 * A constant, printed so the remote reads back the same value and type.
 * showtype: -1 never add a cast, 0 only where the literal alone could be
 * read as another type, 1 always.
 */
static void
deparse_const(Const *node, DeparseCxt *cxt, int showtype)
{
	StringInfo	buf = cxt->buf;
	Oid			typoutput;
	bool		typisvarlena;
	char	   *extval;
	bool		needcast = true;

	if (cxt->printed_const)
		*cxt->printed_const = true;
	if (cxt->consts_as_params)
	{
		/* $n::type with the same text as value: the remote reads the same */
		deparse_as_param((Expr *) node, cxt);
		return;
	}
	if (node->constisnull)
	{
		appendStringInfoString(buf, "NULL");
		if (showtype >= 0)
		{
			appendStringInfoString(buf, "::");
			append_type_name(buf, node->consttype, node->consttypmod);
		}
		return;
	}

	getTypeOutputInfo(node->consttype, &typoutput, &typisvarlena);
	{
		int			level = grant_begin_portable_output(false);

		extval = OidOutputFunctionCall(typoutput, node->constvalue);
		grant_end_portable_output(level);
	}

	switch (node->consttype)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			if (strspn(extval, "0123456789+-eE.") == strlen(extval))
			{
				/* a plain number; keep a sign away from a preceding operator */
				if (extval[0] == '+' || extval[0] == '-')
					appendStringInfo(buf, "(%s)", extval);
				else
					appendStringInfoString(buf, extval);

				/*
				 * Digits alone read as integer, and with a point or exponent
				 * as numeric; other types need the cast.
				 */
				if (node->consttype == INT4OID)
					needcast = false;
				else if (node->consttype == NUMERICOID)
					needcast = (strcspn(extval, "eE.") == strlen(extval)) ||
						node->consttypmod >= 0;
			}
			else
				append_string_literal(buf, extval);	/* NaN, Infinity */
			break;
		case BITOID:
		case VARBITOID:
			appendStringInfo(buf, "B'%s'", extval);
			break;
		case BOOLOID:
			appendStringInfoString(buf, strcmp(extval, "t") == 0 ? "true" : "false");
			needcast = false;
			break;
		default:
			append_string_literal(buf, extval);
			break;
	}
	pfree(extval);

	if (showtype > 0 || (showtype == 0 && needcast))
	{
		appendStringInfoString(buf, "::");
		append_type_name(buf, node->consttype, node->consttypmod);
	}
}

/* a Param's value is sent as a remote parameter */
static void
deparse_param(Param *node, DeparseCxt *cxt)
{
	deparse_as_param((Expr *) node, cxt);
}

/*
 * $n::type, n being the expression's (first) position in the parameter
 * list; the cast fixes the remote's idea of the parameter's type.
 */
static void
deparse_as_param(Expr *node, DeparseCxt *cxt)
{
	ListCell   *lc;
	int			n = 0;
	int			found = 0;

	foreach(lc, *cxt->params)
	{
		n++;
		if (equal(node, (Node *) lfirst(lc)))
		{
			found = n;
			break;
		}
	}
	if (found == 0)
	{
		*cxt->params = lappend(*cxt->params, node);
		found = list_length(*cxt->params);
	}
	appendStringInfo(cxt->buf, "$%d::", found);
	append_type_name(cxt->buf, exprType((Node *) node),
					 exprTypmod((Node *) node));
}

static void
deparse_subscript(SubscriptingRef *node, DeparseCxt *cxt)
{
	StringInfo	buf = cxt->buf;
	ListCell   *lower = NULL;
	ListCell   *upper;

	/* parenthesize the array unless it is a plain column */
	appendStringInfoChar(buf, '(');
	if (IsA(node->refexpr, Var))
		deparse_expr(node->refexpr, cxt);
	else
	{
		appendStringInfoChar(buf, '(');
		deparse_expr(node->refexpr, cxt);
		appendStringInfoChar(buf, ')');
	}

	if (node->reflowerindexpr != NIL)
		lower = list_head(node->reflowerindexpr);
	foreach(upper, node->refupperindexpr)
	{
		appendStringInfoChar(buf, '[');
		if (lower != NULL)
		{
			deparse_expr((Expr *) lfirst(lower), cxt);
			appendStringInfoChar(buf, ':');
			lower = lnext(node->reflowerindexpr, lower);
		}
		deparse_expr((Expr *) lfirst(upper), cxt);
		appendStringInfoChar(buf, ']');
	}
	appendStringInfoChar(buf, ')');
}

static void
deparse_func(FuncExpr *node, DeparseCxt *cxt)
{
	StringInfo	buf = cxt->buf;
	ListCell   *lc;
	bool		first = true;

	/* an implicit cast: the remote applies the same one on its own */
	if (node->funcformat == COERCE_IMPLICIT_CAST)
	{
		deparse_expr((Expr *) linitial(node->args), cxt);
		return;
	}

	if (node->funcformat == COERCE_EXPLICIT_CAST)
	{
		int32		coercedTypmod;

		/* a length coercion carries the typmod */
		(void) exprIsLengthCoercion((Node *) node, &coercedTypmod);
		appendStringInfoChar(buf, '(');
		deparse_expr((Expr *) linitial(node->args), cxt);
		appendStringInfoString(buf, ")::");
		append_type_name(buf, node->funcresulttype, coercedTypmod);
		return;
	}

	append_function_name(buf, node->funcid);
	appendStringInfoChar(buf, '(');
	foreach(lc, node->args)
	{
		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;
		if (node->funcvariadic && lnext(node->args, lc) == NULL)
			appendStringInfoString(buf, "VARIADIC ");
		deparse_expr((Expr *) lfirst(lc), cxt);
	}
	appendStringInfoChar(buf, ')');
}

static void
deparse_op(OpExpr *node, DeparseCxt *cxt)
{
	StringInfo	buf = cxt->buf;

	appendStringInfoChar(buf, '(');
	if (list_length(node->args) == 2)
	{
		deparse_expr((Expr *) linitial(node->args), cxt);
		appendStringInfoChar(buf, ' ');
		append_operator_name(buf, node->opno);
		appendStringInfoChar(buf, ' ');
		deparse_expr((Expr *) lsecond(node->args), cxt);
	}
	else
	{
		/* prefix operator */
		append_operator_name(buf, node->opno);
		appendStringInfoChar(buf, ' ');
		deparse_expr((Expr *) linitial(node->args), cxt);
	}
	appendStringInfoChar(buf, ')');
}

static void
deparse_distinct(DistinctExpr *node, DeparseCxt *cxt)
{
	StringInfo	buf = cxt->buf;

	Assert(list_length(node->args) == 2);
	appendStringInfoChar(buf, '(');
	deparse_expr((Expr *) linitial(node->args), cxt);
	appendStringInfoString(buf, " IS DISTINCT FROM ");
	deparse_expr((Expr *) lsecond(node->args), cxt);
	appendStringInfoChar(buf, ')');
}

static void
deparse_nullif(NullIfExpr *node, DeparseCxt *cxt)
{
	StringInfo	buf = cxt->buf;

	Assert(list_length(node->args) == 2);
	appendStringInfoString(buf, "NULLIF(");
	deparse_expr((Expr *) linitial(node->args), cxt);
	appendStringInfoString(buf, ", ");
	deparse_expr((Expr *) lsecond(node->args), cxt);
	appendStringInfoChar(buf, ')');
}

/* left op ANY|ALL (right) */
static void
deparse_scalar_array_op(ScalarArrayOpExpr *node, DeparseCxt *cxt)
{
	StringInfo	buf = cxt->buf;

	Assert(list_length(node->args) == 2);
	appendStringInfoChar(buf, '(');
	deparse_expr((Expr *) linitial(node->args), cxt);
	appendStringInfoChar(buf, ' ');
	append_operator_name(buf, node->opno);
	appendStringInfo(buf, " %s (", node->useOr ? "ANY" : "ALL");
	deparse_expr((Expr *) lsecond(node->args), cxt);
	appendStringInfoString(buf, "))");
}

static void
deparse_relabel(RelabelType *node, DeparseCxt *cxt)
{
	if (node->relabelformat == COERCE_IMPLICIT_CAST)
	{
		deparse_expr(node->arg, cxt);
		return;
	}
	appendStringInfoChar(cxt->buf, '(');
	deparse_expr(node->arg, cxt);
	appendStringInfoString(cxt->buf, ")::");
	append_type_name(cxt->buf, node->resulttype, node->resulttypmod);
}

static void
deparse_bool(BoolExpr *node, DeparseCxt *cxt)
{
	StringInfo	buf = cxt->buf;
	const char *op = NULL;
	ListCell   *lc;
	bool		first = true;

	switch (node->boolop)
	{
		case AND_EXPR:
			op = "AND";
			break;
		case OR_EXPR:
			op = "OR";
			break;
		case NOT_EXPR:
			appendStringInfoString(buf, "(NOT ");
			deparse_expr((Expr *) linitial(node->args), cxt);
			appendStringInfoChar(buf, ')');
			return;
	}

	appendStringInfoChar(buf, '(');
	foreach(lc, node->args)
	{
		if (!first)
			appendStringInfo(buf, " %s ", op);
		first = false;
		deparse_expr((Expr *) lfirst(lc), cxt);
	}
	appendStringInfoChar(buf, ')');
}

static void
deparse_null_test(NullTest *node, DeparseCxt *cxt)
{
	StringInfo	buf = cxt->buf;

	appendStringInfoChar(buf, '(');
	deparse_expr(node->arg, cxt);
	appendStringInfoString(buf, node->nulltesttype == IS_NULL ?
						   " IS NULL)" : " IS NOT NULL)");
}

static void
deparse_boolean_test(BooleanTest *node, DeparseCxt *cxt)
{
	StringInfo	buf = cxt->buf;
	const char *test = NULL;

	switch (node->booltesttype)
	{
		case IS_TRUE:
			test = " IS TRUE)";
			break;
		case IS_NOT_TRUE:
			test = " IS NOT TRUE)";
			break;
		case IS_FALSE:
			test = " IS FALSE)";
			break;
		case IS_NOT_FALSE:
			test = " IS NOT FALSE)";
			break;
		case IS_UNKNOWN:
			test = " IS UNKNOWN)";
			break;
		case IS_NOT_UNKNOWN:
			test = " IS NOT UNKNOWN)";
			break;
	}
	appendStringInfoChar(buf, '(');
	deparse_expr(node->arg, cxt);
	appendStringInfoString(buf, test);
}

static void
deparse_case(CaseExpr *node, DeparseCxt *cxt)
{
	StringInfo	buf = cxt->buf;
	ListCell   *lc;

	appendStringInfoString(buf, "(CASE");
	if (node->arg != NULL)
	{
		appendStringInfoChar(buf, ' ');
		deparse_expr(node->arg, cxt);
	}
	foreach(lc, node->args)
	{
		CaseWhen   *cw = lfirst_node(CaseWhen, lc);

		appendStringInfoString(buf, " WHEN ");
		if (node->arg != NULL)
		{
			/* only the compared value; the walker checked the shape */
			deparse_expr((Expr *) lsecond(((OpExpr *) cw->expr)->args), cxt);
		}
		else
			deparse_expr(cw->expr, cxt);
		appendStringInfoString(buf, " THEN ");
		deparse_expr(cw->result, cxt);
	}
	if (node->defresult != NULL)
	{
		appendStringInfoString(buf, " ELSE ");
		deparse_expr(node->defresult, cxt);
	}
	appendStringInfoString(buf, " END)");
}

static void
deparse_coalesce(CoalesceExpr *node, DeparseCxt *cxt)
{
	appendStringInfoString(cxt->buf, "COALESCE(");
	deparse_expr_list(node->args, cxt);
	appendStringInfoChar(cxt->buf, ')');
}

/* ARRAY[...] with the array type spelled out (needed when empty) */
static void
deparse_array(ArrayExpr *node, DeparseCxt *cxt)
{
	appendStringInfoString(cxt->buf, "ARRAY[");
	deparse_expr_list(node->elements, cxt);
	appendStringInfoString(cxt->buf, "]::");
	append_type_name(cxt->buf, node->array_typeid, -1);
}

/*
 * name([DISTINCT] args [ORDER BY ...]) [FILTER (WHERE ...)], or name(*).
 * Only whole, normal aggregates reach here (see the walker).
 */
static void
deparse_aggref(Aggref *node, DeparseCxt *cxt)
{
	StringInfo	buf = cxt->buf;
	ListCell   *lc;
	bool		first = true;
	int			nargs = 0;

	append_function_name(buf, node->aggfnoid);
	appendStringInfoChar(buf, '(');

	if (node->aggdistinct != NIL)
		appendStringInfoString(buf, "DISTINCT ");

	if (node->aggstar)
		appendStringInfoChar(buf, '*');
	else
	{
		foreach(lc, node->args)
		{
			TargetEntry *tle = lfirst_node(TargetEntry, lc);

			if (!tle->resjunk)
				nargs++;
		}
		foreach(lc, node->args)
		{
			TargetEntry *tle = lfirst_node(TargetEntry, lc);

			/* ORDER BY-only expressions are not arguments */
			if (tle->resjunk)
				continue;
			if (!first)
				appendStringInfoString(buf, ", ");
			first = false;
			if (node->aggvariadic && --nargs == 0)
				appendStringInfoString(buf, "VARIADIC ");
			deparse_expr(tle->expr, cxt);
		}
	}

	if (node->aggorder != NIL)
	{
		appendStringInfoString(buf, " ORDER BY ");
		first = true;
		foreach(lc, node->aggorder)
		{
			SortGroupClause *sgc = lfirst_node(SortGroupClause, lc);
			TargetEntry *tle = get_sortgroupref_tle(sgc->tleSortGroupRef,
													node->args);
			Expr	   *expr = tle->expr;

			if (!first)
				appendStringInfoString(buf, ", ");
			first = false;
			if (IsA(expr, Const))
				deparse_const((Const *) expr, cxt, 1);
			else
				deparse_expr(expr, cxt);
			append_sort_suffix(buf, sgc->sortop, exprType((Node *) expr),
							   sgc->nulls_first);
		}
	}
	appendStringInfoChar(buf, ')');

	if (node->aggfilter != NULL)
	{
		appendStringInfoString(buf, " FILTER (WHERE ");
		deparse_expr(node->aggfilter, cxt);
		appendStringInfoChar(buf, ')');
	}
}

static void
deparse_expr_list(List *exprs, DeparseCxt *cxt)
{
	ListCell   *lc;
	bool		first = true;

	foreach(lc, exprs)
	{
		if (!first)
			appendStringInfoString(cxt->buf, ", ");
		first = false;
		deparse_expr((Expr *) lfirst(lc), cxt);
	}
}
