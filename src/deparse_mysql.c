/*-------------------------------------------------------------------------
 *
 * deparse_mysql.c
 *		  Remote SQL for MySQL/MariaDB servers, and the test of what may be
 *		  shipped to them.
 *
 * The rule is: never a wrong row.  MySQL compares strings case- and
 * trailing-space-insensitively under its default collations, sorts text
 * by collation weights, and differs from PostgreSQL on NULL in
 * concatenation, integer overflow and division, LIKE escapes, booleans and
 * dates.  So shipping is a whitelist, by local type and operator, of what
 * gives the same answer on both sides; everything else is evaluated
 * locally on the rows fetched.  One function (emit_cond/emit_operand)
 * both decides and prints: checking is printing into a scratch buffer.
 *
 * What ships (on columns of the foreign table, constants, and integer or
 * text parameters):
 *	- comparisons = <> < <= > >= between integers, between numerics (an
 *	  integer promoted to numeric included), between float8s, between
 *	  dates, between timestamps, and booleans compared for equality;
 *	- text and varchar: = and <> always, as a byte comparison of the UTF-8
 *	  forms (CAST(CONVERT(x USING utf8mb4) AS BINARY)), which is what
 *	  PostgreSQL's deterministic equality is; = also keeps a plain
 *	  comparison beside it so that an index on the column still serves.
 *	  < <= > >= only under the C collation (byte order); LIKE with a
 *	  constant pattern without backslash, under utf8mb4_bin;
 *	- = ANY / <> ALL of constant arrays (IN, NOT IN), IS [NOT] NULL,
 *	  IS [NOT] TRUE/FALSE/UNKNOWN, AND, OR, NOT;
 *	- ORDER BY on integer, numeric, float8, date, timestamp and boolean
 *	  columns (text only under the C collation), with the NULLs placed
 *	  explicitly; LIMIT/OFFSET constants.
 * No arithmetic, functions, aggregates or joins are shipped.
 *
 * Invariants shared with adapter_mysql.c: identifiers are quoted with
 * backticks and strings are printed as _utf8mb4 X'...' hex literals, so
 * the SQL means the same under any sql_mode; parameters are printed as $n
 * (the adapter interpolates them as strings), inside CAST(... AS SIGNED)
 * where an integer is meant.  The remote session's time zone is UTC:
 * timestamptz values are read as UTC (an explicit "+00" is appended) and
 * written in UTC.  A relation without schema_name is looked up in the
 * connection's database.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "grant.h"

#include "access/sysattr.h"
#include "access/table.h"
#include "catalog/catalog.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/pg_locale.h"
#include "utils/rel.h"
#include "utils/typcache.h"
#include "utils/varlena.h"

/* what a local type is, for the comparisons we know to be identical */
typedef enum MyClass
{
	MC_NONE = 0,
	MC_INT,
	MC_NUMERIC,
	MC_FLOAT,
	MC_TEXT,
	MC_DATE,
	MC_TIMESTAMP,
	MC_BOOL
} MyClass;

typedef struct MyCxt
{
	PlannerInfo *root;
	Index		relid;			/* the foreign table's range table index */
	Relation	rel;			/* open, or NULL while only checking */
	StringInfo	buf;
	List	  **params;			/* expressions sent as $1..$n */
} MyCxt;

static MyClass type_class(Oid typid);
static Node *strip_implicit(Node *node);
static bool is_column(Node *node, MyCxt *cxt);
static void append_quoted(StringInfo buf, const char *name);
static void append_column(StringInfo buf, MyCxt *cxt, AttrNumber attno);
static void append_column_list(StringInfo buf, Relation rel, Bitmapset *attrs,
							   const char *prefix, List **retrieved_attrs);
static const char *comparison_name(Oid opno);
static void append_hex_string(StringInfo buf, const char *val);
static bool append_const(StringInfo buf, Const *c, MyClass cls);
static char *const_text(Const *c);
static bool append_date(StringInfo buf, DateADT d);
static bool append_timestamp(StringInfo buf, Timestamp ts);
static int	param_number(Node *node, MyCxt *cxt);
static bool emit_operand(Node *node, MyClass cls, MyCxt *cxt);
static const char *int_arith_operator(Node *node);
static bool int_value_ships(Node *node, Index relid, Bitmapset *assigned_before);
static bool emit_value(Node *node, MyClass cls, MyCxt *cxt);
static bool emit_text_bytes(Node *node, MyCxt *cxt);
static bool emit_cond(Node *node, MyCxt *cxt);
static bool emit_comparison(OpExpr *op, MyCxt *cxt);
static bool emit_like(OpExpr *op, bool negate, MyCxt *cxt);
static bool emit_in_list(ScalarArrayOpExpr *saop, MyCxt *cxt);
static bool collation_is_bytewise(Oid collid);
static bool check_expr(PlannerInfo *root, RelOptInfo *rel, Node *expr);
static void emit_and_list(List *conds, MyCxt *cxt);
static void append_select_column(StringInfo buf, Relation rel,
								 AttrNumber attno, const char *prefix);
static void append_value_placeholder(StringInfo buf, Form_pg_attribute att,
									 int n);
static void append_values_row(StringInfo buf, Relation rel,
							  List *target_attrs, int *pindex);
static void append_returning(StringInfo buf, Relation rel, Bitmapset *attrs,
							 List **retrieved_attrs);
static void append_key_where(StringInfo buf, Relation rel, List *key_attrs,
							 int first_param);
static EquivalenceMember *sortable_member(PlannerInfo *root, RelOptInfo *rel,
										  PathKey *pk, MyClass *cls);


/* ----------------------------------------------------------------
 * Types, names and literals
 * ----------------------------------------------------------------
 */

static MyClass
type_class(Oid typid)
{
	switch (typid)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
			return MC_INT;
		case NUMERICOID:
			return MC_NUMERIC;
		case FLOAT8OID:
			return MC_FLOAT;
		case TEXTOID:
		case VARCHAROID:
			return MC_TEXT;
		case DATEOID:
			return MC_DATE;
		case TIMESTAMPOID:
			return MC_TIMESTAMP;
		case BOOLOID:
			return MC_BOOL;
		default:
			return MC_NONE;
	}
}

/*
 * Under an implicit cast or relabeling that MySQL needs not see: varchar
 * as text, and integers widened (to a wider integer or to numeric, which
 * MySQL compares exactly as well).
 */
static Node *
strip_implicit(Node *node)
{
	for (;;)
	{
		if (node == NULL)
			return NULL;
		if (IsA(node, RelabelType))
			node = (Node *) ((RelabelType *) node)->arg;
		else if (IsA(node, FuncExpr) &&
				 ((FuncExpr *) node)->funcformat == COERCE_IMPLICIT_CAST &&
				 list_length(((FuncExpr *) node)->args) == 1 &&
				 type_class(exprType((Node *) linitial(((FuncExpr *) node)->args))) == MC_INT &&
				 (type_class(((FuncExpr *) node)->funcresulttype) == MC_INT ||
				  type_class(((FuncExpr *) node)->funcresulttype) == MC_NUMERIC))
			node = (Node *) linitial(((FuncExpr *) node)->args);
		else
			return node;
	}
}

static bool
is_column(Node *node, MyCxt *cxt)
{
	Var		   *var = (Var *) node;

	return IsA(node, Var) && var->varno == cxt->relid &&
		var->varlevelsup == 0 && var->varattno > 0;
}

static void
append_quoted(StringInfo buf, const char *name)
{
	grant_mysql_adapter.quote_identifier(buf, name);
}

static void
append_column(StringInfo buf, MyCxt *cxt, AttrNumber attno)
{
	if (cxt->rel == NULL)
		appendStringInfo(buf, "c%d", attno);
	else
		append_quoted(buf, grant_column_remote_name(cxt->rel, attno));
}

static void
append_hex_string(StringInfo buf, const char *val)
{
	grant_mysql_adapter.quote_literal(buf, val);
}

/* `schema`.`table`, or `table` in the connection's database */
void
grant_mysql_deparse_relation(StringInfo buf, Relation rel)
{
	char	   *schema;
	char	   *table;

	grant_table_remote_name(rel, GRANT_ADAPTER_MYSQL, &schema, &table);
	if (schema != NULL)
	{
		append_quoted(buf, schema);
		appendStringInfoChar(buf, '.');
	}
	append_quoted(buf, table);
}

/* DATE'YYYY-MM-DD' for years 1 to 9999; false outside */
static bool
append_date(StringInfo buf, DateADT d)
{
	int			y,
				m,
				dd;

	if (DATE_NOT_FINITE(d))
		return false;
	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
	if (y < 1 || y > 9999)
		return false;
	appendStringInfo(buf, "DATE'%04d-%02d-%02d'", y, m, dd);
	return true;
}

/* TIMESTAMP'YYYY-MM-DD HH:MI:SS.ffffff' for years 1 to 9999; false outside */
static bool
append_timestamp(StringInfo buf, Timestamp ts)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(ts) ||
		timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		return false;
	if (tm.tm_year < 1 || tm.tm_year > 9999)
		return false;
	appendStringInfo(buf, "TIMESTAMP'%04d-%02d-%02d %02d:%02d:%02d.%06d'",
					 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour,
					 tm.tm_min, tm.tm_sec, (int) fsec);
	return true;
}

/* a constant's text form, independent of the session's settings */
static char *
const_text(Const *c)
{
	Oid			outfunc;
	bool		isvarlena;
	int			level;
	char	   *text;

	getTypeOutputInfo(c->consttype, &outfunc, &isvarlena);
	level = grant_begin_portable_output(false);
	text = OidOutputFunctionCall(outfunc, c->constvalue);
	grant_end_portable_output(level);
	return text;
}

/*
 * A constant of class cls as MySQL reads back the same value; false for
 * values MySQL has no literal for (NaN, infinities, dates out of range).
 */
static bool
append_const(StringInfo buf, Const *c, MyClass cls)
{
	char	   *s;

	if (c->constisnull)
	{
		appendStringInfoString(buf, "NULL");
		return true;
	}
	switch (cls)
	{
		case MC_INT:
			s = const_text(c);
			appendStringInfo(buf, "(%s)", s);
			return true;
		case MC_NUMERIC:
			s = const_text(c);
			if (strspn(s, "0123456789.-") != strlen(s))
				return false;
			appendStringInfo(buf, "(%s)", s);
			return true;
		case MC_FLOAT:
			{
				double		v = DatumGetFloat8(c->constvalue);
				char		num[64];

				if (isnan(v) || isinf(v))
					return false;
				snprintf(num, sizeof(num), "%.17g", v);
				/* an exponent makes it a DOUBLE literal, not a DECIMAL */
				appendStringInfo(buf, "(%s%s)", num,
								 strpbrk(num, "eE") ? "" : "E0");
				return true;
			}
		case MC_TEXT:
			append_hex_string(buf, TextDatumGetCString(c->constvalue));
			return true;
		case MC_DATE:
			return append_date(buf, DatumGetDateADT(c->constvalue));
		case MC_TIMESTAMP:
			return append_timestamp(buf, DatumGetTimestamp(c->constvalue));
		case MC_BOOL:
			appendStringInfoString(buf, DatumGetBool(c->constvalue) ? "1" : "0");
			return true;
		case MC_NONE:
			break;
	}
	return false;
}

/* the 1-based position of node in the parameter list, adding it */
static int
param_number(Node *node, MyCxt *cxt)
{
	ListCell   *lc;
	int			n = 0;

	foreach(lc, *cxt->params)
	{
		n++;
		if (equal(node, lfirst(lc)))
			return n;
	}
	*cxt->params = lappend(*cxt->params, node);
	return list_length(*cxt->params);
}

/* deterministic and byte-ordered: the C and POSIX collations */
static bool
collation_is_bytewise(Oid collid)
{
	return OidIsValid(collid) && lc_collate_is_c(collid);
}


/* ----------------------------------------------------------------
 * Expressions: decide and print
 * ----------------------------------------------------------------
 */

/*
 * A value of class cls: a column of that class, a constant, or (integers
 * and text only) a parameter.  Text operands are printed as they are;
 * callers that compare them use emit_text_bytes.  Booleans print as 0/1.
 */
static bool
emit_operand(Node *node, MyClass cls, MyCxt *cxt)
{
	StringInfo	buf = cxt->buf;

	node = strip_implicit(node);
	if (node == NULL)
		return false;
	if (is_column(node, cxt))
	{
		MyClass		ccls = type_class(((Var *) node)->vartype);

		if (ccls != cls && !(ccls == MC_INT && cls == MC_NUMERIC))
			return false;
		if (cls == MC_BOOL)
		{
			appendStringInfoString(buf, "(");
			append_column(buf, cxt, ((Var *) node)->varattno);
			appendStringInfoString(buf, " <> 0)");
		}
		else
			append_column(buf, cxt, ((Var *) node)->varattno);
		return true;
	}
	if (IsA(node, Const))
	{
		MyClass		ccls = type_class(((Const *) node)->consttype);

		if (ccls != cls && !(ccls == MC_INT && cls == MC_NUMERIC))
			return false;
		return append_const(buf, (Const *) node, ccls);
	}
	if (IsA(node, Param) || (IsA(node, Var) && ((Var *) node)->varlevelsup == 0))
	{
		MyClass		pcls = type_class(exprType(node));

		if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_MULTIEXPR)
			return false;
		/* their text forms do not depend on any setting */
		if (pcls == MC_INT && (cls == MC_INT || cls == MC_NUMERIC))
			appendStringInfo(buf, "CAST($%d AS SIGNED)", param_number(node, cxt));
		else if (pcls == MC_TEXT && cls == MC_TEXT)
			appendStringInfo(buf, "$%d", param_number(node, cxt));
		else
			return false;
		return true;
	}
	return false;
}

/* a text operand as the bytes of its UTF-8 form */
static bool
emit_text_bytes(Node *node, MyCxt *cxt)
{
	appendStringInfoString(cxt->buf, "CAST(CONVERT(");
	if (!emit_operand(node, MC_TEXT, cxt))
		return false;
	appendStringInfoString(cxt->buf, " USING utf8mb4) AS BINARY)");
	return true;
}

/* the name of a built-in comparison operator, or NULL */
static const char *
comparison_name(Oid opno)
{
	static const char *const names[] = {"=", "<>", "<", "<=", ">", ">=", NULL};
	char	   *name;
	int			i;

	if (opno >= FirstGenbkiObjectId ||
		get_op_rettype(opno) != BOOLOID)
		return NULL;
	name = get_opname(opno);
	if (name == NULL)
		return NULL;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(name, names[i]) == 0)
			return names[i];
	return NULL;
}

static bool
emit_comparison(OpExpr *op, MyCxt *cxt)
{
	StringInfo	buf = cxt->buf;
	const char *name = comparison_name(op->opno);
	Node	   *l;
	Node	   *r;
	MyClass		cls;

	if (name == NULL || list_length(op->args) != 2)
		return false;
	l = linitial(op->args);
	r = lsecond(op->args);
	cls = type_class(exprType(l));
	if (cls == MC_NONE || cls != type_class(exprType(r)))
		return false;

	if (cls == MC_TEXT)
	{
		if (!OidIsValid(op->inputcollid) ||
			!get_collation_isdeterministic(op->inputcollid))
			return false;
		if (strcmp(name, "=") == 0)
		{
			/* the plain test can use an index; the byte test decides */
			appendStringInfoString(buf, "(");
			if (!emit_operand(l, cls, cxt))
				return false;
			appendStringInfoString(buf, " = ");
			if (!emit_operand(r, cls, cxt))
				return false;
			appendStringInfoString(buf, " AND ");
		}
		else if (strcmp(name, "<>") != 0 &&
				 !collation_is_bytewise(op->inputcollid))
			return false;
		else
			appendStringInfoString(buf, "(");
		if (!emit_text_bytes(l, cxt))
			return false;
		appendStringInfo(buf, " %s ", name);
		if (!emit_text_bytes(r, cxt))
			return false;
		appendStringInfoChar(buf, ')');
		return true;
	}
	if (cls == MC_BOOL && strcmp(name, "=") != 0 && strcmp(name, "<>") != 0)
		return false;

	appendStringInfoChar(buf, '(');
	if (!emit_operand(l, cls, cxt))
		return false;
	appendStringInfo(buf, " %s ", name);
	if (!emit_operand(r, cls, cxt))
		return false;
	appendStringInfoChar(buf, ')');
	return true;
}

/*
 * text LIKE 'constant' without backslash (no escape rules to translate):
 * compared character by character and case-sensitively, as PostgreSQL
 * does, under utf8mb4_bin.  LIKE pads nothing on either side.
 */
static bool
emit_like(OpExpr *op, bool negate, MyCxt *cxt)
{
	StringInfo	buf = cxt->buf;
	Node	   *l = linitial(op->args);
	Node	   *r = strip_implicit(lsecond(op->args));
	char	   *pattern;

	if (type_class(exprType(l)) != MC_TEXT || !IsA(r, Const) ||
		((Const *) r)->constisnull || type_class(((Const *) r)->consttype) != MC_TEXT)
		return false;
	if (!OidIsValid(op->inputcollid) ||
		!get_collation_isdeterministic(op->inputcollid))
		return false;
	pattern = TextDatumGetCString(((Const *) r)->constvalue);
	if (strchr(pattern, '\\') != NULL)
		return false;
	appendStringInfoString(buf, negate ? "(NOT (CONVERT(" : "((CONVERT(");
	if (!emit_operand(l, MC_TEXT, cxt))
		return false;
	appendStringInfoString(buf, " USING utf8mb4) COLLATE utf8mb4_bin LIKE ");
	append_hex_string(buf, pattern);
	appendStringInfoString(buf, " COLLATE utf8mb4_bin))");
	return true;
}

/* x = ANY('{...}') as IN, x <> ALL('{...}') as NOT IN; no NULL elements */
static bool
emit_in_list(ScalarArrayOpExpr *saop, MyCxt *cxt)
{
	StringInfo	buf = cxt->buf;
	const char *name = comparison_name(saop->opno);
	Node	   *l = linitial(saop->args);
	Node	   *r = lsecond(saop->args);
	Const	   *arr;
	ArrayType  *a;
	Oid			elemtype;
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	MyClass		cls;
	int			pass;
	int			i;

	if (name == NULL || !IsA(r, Const) || ((Const *) r)->constisnull)
		return false;
	if (!(saop->useOr && strcmp(name, "=") == 0) &&
		!(!saop->useOr && strcmp(name, "<>") == 0))
		return false;
	arr = (Const *) r;
	a = DatumGetArrayTypeP(arr->constvalue);
	elemtype = ARR_ELEMTYPE(a);
	cls = type_class(elemtype);
	if (cls == MC_NONE || cls == MC_BOOL || cls != type_class(exprType(l)))
		return false;
	if (cls == MC_TEXT && (!OidIsValid(saop->inputcollid) ||
						   !get_collation_isdeterministic(saop->inputcollid)))
		return false;
	get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
	deconstruct_array(a, elemtype, elmlen, elmbyval, elmalign,
					  &elems, &nulls, &nelems);
	if (nelems == 0)
		return false;
	for (i = 0; i < nelems; i++)
		if (nulls[i])
			return false;

	appendStringInfoChar(buf, '(');
	/* text: a plain IN for an index (= only), then the byte test */
	for (pass = (cls == MC_TEXT && saop->useOr) ? 0 : 1; pass < 2; pass++)
	{
		bool		bytes = (cls == MC_TEXT && pass == 1);

		if (bytes ? !emit_text_bytes(l, cxt) : !emit_operand(l, cls, cxt))
			return false;
		appendStringInfoString(buf, saop->useOr ? " IN (" : " NOT IN (");
		for (i = 0; i < nelems; i++)
		{
			Const		c;

			memset(&c, 0, sizeof(c));
			c.xpr.type = T_Const;
			c.consttype = elemtype;
			c.constvalue = elems[i];
			if (i > 0)
				appendStringInfoString(buf, ", ");
			if (bytes)
				appendStringInfoString(buf, "CAST(");
			if (!append_const(buf, &c, cls))
				return false;
			if (bytes)
				appendStringInfoString(buf, " AS BINARY)");
		}
		appendStringInfoChar(buf, ')');
		if (pass == 0)
			appendStringInfoString(buf, " AND ");
	}
	appendStringInfoChar(buf, ')');
	return true;
}

/* a boolean condition */
static bool
emit_cond(Node *node, MyCxt *cxt)
{
	StringInfo	buf = cxt->buf;

	if (node == NULL)
		return false;
	if (IsA(node, RestrictInfo))
		node = (Node *) ((RestrictInfo *) node)->clause;
	switch (nodeTag(node))
	{
		case T_BoolExpr:
			{
				BoolExpr   *b = (BoolExpr *) node;
				ListCell   *lc;
				bool		first = true;

				if (b->boolop == NOT_EXPR)
				{
					appendStringInfoString(buf, "(NOT ");
					if (!emit_cond(linitial(b->args), cxt))
						return false;
					appendStringInfoChar(buf, ')');
					return true;
				}
				appendStringInfoChar(buf, '(');
				foreach(lc, b->args)
				{
					if (!first)
						appendStringInfoString(buf, b->boolop == AND_EXPR ?
											   " AND " : " OR ");
					first = false;
					if (!emit_cond(lfirst(lc), cxt))
						return false;
				}
				appendStringInfoChar(buf, ')');
				return true;
			}
		case T_OpExpr:
			{
				OpExpr	   *op = (OpExpr *) node;
				char	   *name;

				if (op->opno < FirstGenbkiObjectId && list_length(op->args) == 2 &&
					(name = get_opname(op->opno)) != NULL &&
					(strcmp(name, "~~") == 0 || strcmp(name, "!~~") == 0))
					return emit_like(op, name[0] == '!', cxt);
				return emit_comparison(op, cxt);
			}
		case T_ScalarArrayOpExpr:
			return emit_in_list((ScalarArrayOpExpr *) node, cxt);
		case T_NullTest:
			{
				NullTest   *nt = (NullTest *) node;
				Node	   *arg = strip_implicit((Node *) nt->arg);

				if (nt->argisrow || !is_column(arg, cxt) ||
					type_is_rowtype(exprType(arg)))
					return false;
				appendStringInfoChar(buf, '(');
				append_column(buf, cxt, ((Var *) arg)->varattno);
				appendStringInfoString(buf, nt->nulltesttype == IS_NULL ?
									   " IS NULL)" : " IS NOT NULL)");
				return true;
			}
		case T_BooleanTest:
			{
				BooleanTest *bt = (BooleanTest *) node;
				static const char *const tests[] = {
					[IS_TRUE] = " IS TRUE)",[IS_NOT_TRUE] = " IS NOT TRUE)",
					[IS_FALSE] = " IS FALSE)",[IS_NOT_FALSE] = " IS NOT FALSE)",
					[IS_UNKNOWN] = " IS UNKNOWN)",[IS_NOT_UNKNOWN] = " IS NOT UNKNOWN)"
				};

				appendStringInfoChar(buf, '(');
				if (!emit_cond((Node *) bt->arg, cxt))
					return false;
				appendStringInfoString(buf, tests[bt->booltesttype]);
				return true;
			}
		case T_Var:
		case T_Const:
			return exprType(node) == BOOLOID &&
				emit_operand(node, MC_BOOL, cxt);
		default:
			return false;
	}
}

/*
 * Would expr, evaluated remotely for base relation rel, give what we
 * compute?  A boolean expression is checked as a condition, anything else
 * as an operand of its own class (LIMIT counts, SET values).
 */
static bool
check_expr(PlannerInfo *root, RelOptInfo *rel, Node *expr)
{
	MyCxt		cxt;
	StringInfoData scratch;
	List	   *params = NIL;
	bool		ok;

	if (rel->reloptkind != RELOPT_BASEREL &&
		rel->reloptkind != RELOPT_OTHER_MEMBER_REL)
		return false;
	initStringInfo(&scratch);
	cxt.root = root;
	cxt.relid = rel->relid;
	cxt.rel = NULL;
	cxt.buf = &scratch;
	cxt.params = &params;
	if (exprType(expr) == BOOLOID && !IsA(expr, Const))
		ok = emit_cond(expr, &cxt);
	else
	{
		MyClass		cls = type_class(exprType(expr));

		ok = cls != MC_NONE && emit_operand(expr, cls, &cxt);
	}
	pfree(scratch.data);
	list_free(params);
	return ok && !contain_mutable_functions(expr);
}

bool
grant_mysql_is_foreign_expr(PlannerInfo *root, RelOptInfo *rel, Expr *expr)
{
	return check_expr(root, rel, (Node *) expr);
}

/*
 * The column of the base relation 'pk' sorts by, when MySQL orders it the
 * same way: the type's default order on a class with identical ordering
 * (text only under the C collation).
 */
static EquivalenceMember *
sortable_member(PlannerInfo *root, RelOptInfo *rel, PathKey *pk, MyClass *cls)
{
	ListCell   *lc;

	if (pk->pk_eclass->ec_has_volatile)
		return NULL;
	if (pk->pk_strategy != BTLessStrategyNumber &&
		pk->pk_strategy != BTGreaterStrategyNumber)
		return NULL;
	foreach(lc, pk->pk_eclass->ec_members)
	{
		EquivalenceMember *em = (EquivalenceMember *) lfirst(lc);
		Node	   *expr = strip_implicit((Node *) em->em_expr);
		Var		   *var = (Var *) expr;
		TypeCacheEntry *tce;

		if (em->em_is_const || em->em_is_child || !IsA(expr, Var) ||
			var->varno != rel->relid || var->varlevelsup != 0 || var->varattno <= 0)
			continue;
		*cls = type_class(var->vartype);
		if (*cls == MC_NONE)
			continue;
		if (*cls == MC_TEXT && !collation_is_bytewise(pk->pk_eclass->ec_collation))
			continue;
		tce = lookup_type_cache(var->vartype, TYPECACHE_BTREE_OPFAMILY);
		if (tce->btree_opf != pk->pk_opfamily)
			continue;
		return em;
	}
	return NULL;
}

bool
grant_mysql_pathkeys_are_shippable(PlannerInfo *root, RelOptInfo *rel,
								   List *pathkeys)
{
	ListCell   *lc;
	MyClass		cls;

	if (pathkeys == NIL ||
		(rel->reloptkind != RELOPT_BASEREL &&
		 rel->reloptkind != RELOPT_OTHER_MEMBER_REL))
		return false;
	foreach(lc, pathkeys)
	{
		if (sortable_member(root, rel, (PathKey *) lfirst(lc), &cls) == NULL)
			return false;
	}
	return true;
}

/* a LIMIT or OFFSET that MySQL takes: a non-negative integer constant */
bool
grant_mysql_limit_is_shippable(Node *node)
{
	Const	   *c = (Const *) node;

	if (node == NULL)
		return true;
	if (!IsA(node, Const) || c->consttype != INT8OID)
		return false;
	return c->constisnull || DatumGetInt64(c->constvalue) >= 0;
}


/* ----------------------------------------------------------------
 * SELECT
 * ----------------------------------------------------------------
 */

/*
 * A column as the SELECT list reads it, in a text form the local input
 * function takes as the same value: timestamptz gets its UTC offset,
 * bytea the \x hex form, booleans 0/1, bits their binary digits, floats
 * every digit (read into real, a FLOAT's exact value rounds back to it).
 */
static void
append_select_column(StringInfo buf, Relation rel, AttrNumber attno,
					 const char *prefix)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attno - 1);
	StringInfoData col;

	initStringInfo(&col);
	appendStringInfoString(&col, prefix);
	append_quoted(&col, grant_column_remote_name(rel, attno));
	switch (att->atttypid)
	{
		case TIMESTAMPTZOID:
			appendStringInfo(buf, "CONCAT(%s, '+00')", col.data);
			break;
		case BYTEAOID:
			appendStringInfo(buf, "CONCAT(X'5C78', HEX(%s))", col.data);
			break;
		case BOOLOID:
			appendStringInfo(buf, "(%s <> 0)", col.data);
			break;
		case FLOAT4OID:
		case FLOAT8OID:
			/* MySQL prints a FLOAT with 6 digits, a DOUBLE with all */
			appendStringInfo(buf, "CAST(%s AS DOUBLE)", col.data);
			break;
		case BITOID:
		case VARBITOID:
			if (att->atttypmod > 0)
				appendStringInfo(buf, "LPAD(BIN(%s), %d, '0')", col.data,
								 att->atttypmod);
			else
				appendStringInfo(buf, "BIN(%s)", col.data);
			break;
		default:
			appendStringInfoString(buf, col.data);
			break;
	}
	pfree(col.data);
}

/* the columns in attrs (attnum - FirstLowInvalidHeapAttributeNumber; 0 = all) */
static void
append_column_list(StringInfo buf, Relation rel, Bitmapset *attrs,
				   const char *prefix, List **retrieved_attrs)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	bool		all = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs);
	bool		first = true;
	int			i;

	*retrieved_attrs = NIL;
	for (i = 1; i <= tupdesc->natts; i++)
	{
		if (TupleDescAttr(tupdesc, i - 1)->attisdropped)
			continue;
		if (!all && !bms_is_member(i - FirstLowInvalidHeapAttributeNumber, attrs))
			continue;
		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;
		append_select_column(buf, rel, i, prefix);
		*retrieved_attrs = lappend_int(*retrieved_attrs, i);
	}
	if (first)
		appendStringInfoString(buf, "NULL");
}

static void
emit_and_list(List *conds, MyCxt *cxt)
{
	ListCell   *lc;

	foreach(lc, conds)
	{
		if (lc != list_head(conds))
			appendStringInfoString(cxt->buf, " AND ");
		if (!emit_cond(lfirst(lc), cxt))
			elog(ERROR, "grant: condition accepted for MySQL cannot be printed");
	}
}

/* is 'expr' a column of 'rel' declared NOT NULL on the foreign table? */
static bool
column_is_not_null(Relation relation, RelOptInfo *rel, Expr *expr)
{
	Var		   *var = (Var *) expr;

	return IsA(expr, Var) && var->varno == rel->relid &&
		var->varlevelsup == 0 && var->varattno > 0 &&
		TupleDescAttr(RelationGetDescr(relation), var->varattno - 1)->attnotnull;
}

/*
 * SELECT cols FROM rel [WHERE conds] [ORDER BY ...] [LIMIT ...] [locking]
 * for a base relation.  *retrieved_attrs gets the attnums fetched, in
 * order; *params_list the expressions printed as $1..$n.
 */
void
grant_mysql_deparse_select(StringInfo buf, PlannerInfo *root, RelOptInfo *rel,
						   List *remote_conds, List *pathkeys, bool has_limit,
						   List **retrieved_attrs, List **params_list)
{
	GrantRelInfo *info = (GrantRelInfo *) rel->fdw_private;
	RangeTblEntry *rte = planner_rt_fetch(rel->relid, root);
	Relation	relation = table_open(rte->relid, NoLock);
	LockWaitPolicy wait;
	MyCxt		cxt;

	cxt.root = root;
	cxt.relid = rel->relid;
	cxt.rel = relation;
	cxt.buf = buf;
	cxt.params = params_list;

	appendStringInfoString(buf, "SELECT ");
	append_column_list(buf, relation, info->attrs_used, "", retrieved_attrs);
	appendStringInfoString(buf, " FROM ");
	grant_mysql_deparse_relation(buf, relation);
	if (remote_conds != NIL)
	{
		appendStringInfoString(buf, " WHERE ");
		emit_and_list(remote_conds, &cxt);
	}
	if (pathkeys != NIL)
	{
		ListCell   *lc;

		appendStringInfoString(buf, " ORDER BY ");
		foreach(lc, pathkeys)
		{
			PathKey    *pk = (PathKey *) lfirst(lc);
			MyClass		cls;
			EquivalenceMember *em = sortable_member(root, rel, pk, &cls);
			StringInfoData key;
			bool		desc = pk->pk_strategy == BTGreaterStrategyNumber;

			if (em == NULL)
				elog(ERROR, "grant: sort key accepted for MySQL cannot be printed");
			initStringInfo(&key);
			cxt.buf = &key;
			if (cls == MC_TEXT)
				(void) emit_text_bytes((Node *) em->em_expr, &cxt);
			else
				(void) emit_operand((Node *) em->em_expr, cls, &cxt);
			cxt.buf = buf;
			if (lc != list_head(pathkeys))
				appendStringInfoString(buf, ", ");
			/*
			 * MySQL puts NULLs first ascending, last descending: say where
			 * they go unless that is where MySQL puts them or there are
			 * none, so that an index can still give the order (and a
			 * locking read with LIMIT lock only the rows it returns).
			 */
			if (pk->pk_nulls_first == desc &&
				!column_is_not_null(relation, rel, em->em_expr))
				appendStringInfo(buf, "(%s IS NULL) %s, ", key.data,
								 pk->pk_nulls_first ? "DESC" : "ASC");
			appendStringInfo(buf, "%s %s", key.data, desc ? "DESC" : "ASC");
			pfree(key.data);
		}
	}
	if (has_limit)
	{
		Query	   *query = root->parse;
		Const	   *count = (Const *) query->limitCount;
		Const	   *offset = (Const *) query->limitOffset;

		if (count != NULL && !count->constisnull)
			appendStringInfo(buf, " LIMIT " INT64_FORMAT,
							 DatumGetInt64(count->constvalue));
		else
			appendStringInfoString(buf, " LIMIT 18446744073709551615");
		if (offset != NULL && !offset->constisnull)
			appendStringInfo(buf, " OFFSET " INT64_FORMAT,
							 DatumGetInt64(offset->constvalue));
	}
	/* InnoDB has no key-only locks: the stronger lock of each pair */
	switch (grant_scan_lock(root, rel, &wait))
	{
		case LCS_NONE:
			break;
		case LCS_FORKEYSHARE:
		case LCS_FORSHARE:
			appendStringInfoString(buf, " LOCK IN SHARE MODE");
			grant_append_lock_wait(buf, wait);
			break;
		case LCS_FORNOKEYUPDATE:
		case LCS_FORUPDATE:
			appendStringInfoString(buf, " FOR UPDATE");
			grant_append_lock_wait(buf, wait);
			break;
	}
	table_close(relation, NoLock);
}


/* ----------------------------------------------------------------
 * INSERT, UPDATE, DELETE, TRUNCATE
 * ----------------------------------------------------------------
 */

/*
 * Parameter n as a value for column att: the adapter sends it as a
 * string, which MySQL converts on assignment; types whose text forms
 * differ are translated.  The values come in the transmission formats
 * (ISO dates, UTC timestamps with "+00", hex bytea).
 */
static void
append_value_placeholder(StringInfo buf, Form_pg_attribute att, int n)
{
	switch (att->atttypid)
	{
		case BOOLOID:
			appendStringInfo(buf, "(CASE $%d WHEN 't' THEN 1 WHEN 'f' THEN 0 END)", n);
			break;
		case BYTEAOID:
			appendStringInfo(buf, "UNHEX(SUBSTRING($%d, 3))", n);
			break;
		case BITOID:
		case VARBITOID:
			appendStringInfo(buf, "CAST(CONV($%d, 2, 10) AS UNSIGNED)", n);
			break;
		case TIMESTAMPTZOID:
			appendStringInfo(buf, "SUBSTRING($%d, 1, CHAR_LENGTH($%d) - 3)", n, n);
			break;
		default:
			appendStringInfo(buf, "$%d", n);
			break;
	}
}

/* (v1, v2, ...) for the target columns, parameters numbered from *pindex */
static void
append_values_row(StringInfo buf, Relation rel, List *target_attrs,
				  int *pindex)
{
	ListCell   *lc;

	appendStringInfoChar(buf, '(');
	foreach(lc, target_attrs)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel),
											  lfirst_int(lc) - 1);

		if (lc != list_head(target_attrs))
			appendStringInfoString(buf, ", ");
		if (att->attgenerated)
			appendStringInfoString(buf, "DEFAULT");
		else
			append_value_placeholder(buf, att, (*pindex)++);
	}
	appendStringInfoChar(buf, ')');
}

/* RETURNING of attrs (MariaDB), printed as the SELECT list reads them */
static void
append_returning(StringInfo buf, Relation rel, Bitmapset *attrs,
				 List **retrieved_attrs)
{
	*retrieved_attrs = NIL;
	if (attrs == NULL)
		return;
	appendStringInfoString(buf, " RETURNING ");
	append_column_list(buf, rel, attrs, "", retrieved_attrs);
}

/* the columns RETURNING and WITH CHECK OPTION read, or all for triggers */
Bitmapset *
grant_mysql_returning_attrs(Index rtindex, bool trig_after_row,
							List *with_check_options, List *returning_list)
{
	Bitmapset  *attrs = NULL;

	if (trig_after_row)
		return bms_make_singleton(0 - FirstLowInvalidHeapAttributeNumber);
	if (with_check_options != NIL)
		pull_varattnos((Node *) with_check_options, rtindex, &attrs);
	if (returning_list != NIL)
		pull_varattnos((Node *) returning_list, rtindex, &attrs);
	return attrs;
}

/*
 * INSERT INTO rel (cols) VALUES (...) [RETURNING ...].  Generated columns
 * get DEFAULT and no parameter.  *values_end_len: the length up to the
 * end of the VALUES row, for batching.
 */
void
grant_mysql_deparse_insert(StringInfo buf, Relation rel, List *target_attrs,
						   Bitmapset *returning_attrs,
						   List **retrieved_attrs, int *values_end_len)
{
	ListCell   *lc;
	int			pindex = 1;

	appendStringInfoString(buf, "INSERT INTO ");
	grant_mysql_deparse_relation(buf, rel);
	appendStringInfoString(buf, " (");
	foreach(lc, target_attrs)
	{
		if (lc != list_head(target_attrs))
			appendStringInfoString(buf, ", ");
		append_quoted(buf, grant_column_remote_name(rel, lfirst_int(lc)));
	}
	appendStringInfoString(buf, ") VALUES ");
	append_values_row(buf, rel, target_attrs, &pindex);
	*values_end_len = buf->len;
	append_returning(buf, rel, returning_attrs, retrieved_attrs);
}

/* the INSERT of nrows rows from the one-row INSERT orig_sql */
void
grant_mysql_rebuild_insert_sql(StringInfo buf, Relation rel,
							   const char *orig_sql, List *target_attrs,
							   int values_end_len, int num_params, int nrows)
{
	int			pindex = num_params + 1;
	int			row;

	appendBinaryStringInfo(buf, orig_sql, values_end_len);
	for (row = 1; row < nrows; row++)
	{
		appendStringInfoString(buf, ", ");
		append_values_row(buf, rel, target_attrs, &pindex);
	}
	appendStringInfoString(buf, orig_sql + values_end_len);
}

/*
 * The row identity of a MySQL foreign table: the columns named by the
 * table option key (comma-separated local names), else those with the
 * column option key 'true'.  NIL when there is none.
 */
List *
grant_mysql_key_attrs(Relation rel)
{
	ForeignTable *table = GetForeignTable(RelationGetRelid(rel));
	TupleDesc	tupdesc = RelationGetDescr(rel);
	char	   *keys = grant_get_option(table->options, "key");
	List	   *attrs = NIL;
	int			i;

	if (keys != NULL)
	{
		List	   *names;
		ListCell   *lc;

		if (!SplitIdentifierString(pstrdup(keys), ',', &names))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid value for option \"key\" of foreign table \"%s\"",
							RelationGetRelationName(rel))));
		foreach(lc, names)
		{
			AttrNumber	attno = get_attnum(RelationGetRelid(rel), lfirst(lc));

			if (attno <= 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("key column \"%s\" of foreign table \"%s\" does not exist",
								(char *) lfirst(lc), RelationGetRelationName(rel))));
			attrs = lappend_int(attrs, attno);
		}
		return attrs;
	}
	for (i = 1; i <= tupdesc->natts; i++)
	{
		char	   *v;
		bool		is_key;

		if (TupleDescAttr(tupdesc, i - 1)->attisdropped)
			continue;
		v = grant_get_option(GetForeignColumnOptions(RelationGetRelid(rel), i), "key");
		/* read with the parser that validated it ('yes', 't' count too) */
		if (v != NULL && parse_bool(v, &is_key) && is_key)
			attrs = lappend_int(attrs, i);
	}
	return attrs;
}

/*
 * WHERE k1 = $first AND k2 = $first+1 ...: integer keys compare as
 * integers, text keys by their bytes, other keys as MySQL converts the
 * string to the column's type (exact for decimals and dates).
 */
static void
append_key_where(StringInfo buf, Relation rel, List *key_attrs,
				 int first_param)
{
	ListCell   *lc;
	int			n = first_param;

	appendStringInfoString(buf, " WHERE ");
	foreach(lc, key_attrs)
	{
		AttrNumber	attno = lfirst_int(lc);
		Oid			typid = TupleDescAttr(RelationGetDescr(rel), attno - 1)->atttypid;
		StringInfoData col;

		initStringInfo(&col);
		append_quoted(&col, grant_column_remote_name(rel, attno));
		if (lc != list_head(key_attrs))
			appendStringInfoString(buf, " AND ");
		switch (type_class(typid))
		{
			case MC_INT:
				appendStringInfo(buf, "%s = CAST($%d AS SIGNED)", col.data, n);
				break;
			case MC_TEXT:
				appendStringInfo(buf, "%s = $%d AND CAST(CONVERT(%s USING utf8mb4) AS BINARY) = CAST($%d AS BINARY)",
								 col.data, n, col.data, n);
				break;
			case MC_NUMERIC:
				appendStringInfo(buf, "%s = CAST($%d AS DECIMAL(65,30))", col.data, n);
				break;
			default:
				appendStringInfo(buf, "%s = $%d", col.data, n);
				break;
		}
		n++;
		pfree(col.data);
	}
}

/* refuse what MySQL cannot do as PostgreSQL means it */
void
grant_mysql_check_key(Relation rel, List *key_attrs)
{
	ListCell   *lc;

	if (key_attrs == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("foreign table \"%s\" has no row identity for UPDATE or DELETE",
						RelationGetRelationName(rel)),
				 errdetail("A MySQL row is found again by its key columns; none is declared."),
				 errhint("Set the table option key (for example OPTIONS (ADD key 'id')) or the column option key 'true'; IMPORT FOREIGN SCHEMA sets it from the remote primary key.")));
	foreach(lc, key_attrs)
	{
		Oid			typid = TupleDescAttr(RelationGetDescr(rel), lfirst_int(lc) - 1)->atttypid;
		MyClass		cls = type_class(typid);

		if (cls != MC_INT && cls != MC_TEXT && cls != MC_NUMERIC)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("key column \"%s\" of foreign table \"%s\" has type %s",
							NameStr(TupleDescAttr(RelationGetDescr(rel), lfirst_int(lc) - 1)->attname),
							RelationGetRelationName(rel), format_type_be(typid)),
					 errdetail("MySQL rows are found again only by integer, numeric or text keys.")));
	}
}

/*
 * UPDATE rel SET col = $k+1, ... WHERE key = $1 ...: the key values come
 * first, then one parameter per non-generated target column.
 */
void
grant_mysql_deparse_update(StringInfo buf, Relation rel, List *target_attrs,
						   List *key_attrs)
{
	ListCell   *lc;
	int			pindex = list_length(key_attrs) + 1;

	appendStringInfoString(buf, "UPDATE ");
	grant_mysql_deparse_relation(buf, rel);
	appendStringInfoString(buf, " SET ");
	foreach(lc, target_attrs)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel),
											  lfirst_int(lc) - 1);

		if (lc != list_head(target_attrs))
			appendStringInfoString(buf, ", ");
		append_quoted(buf, grant_column_remote_name(rel, lfirst_int(lc)));
		appendStringInfoString(buf, " = ");
		if (att->attgenerated)
			appendStringInfoString(buf, "DEFAULT");
		else
			append_value_placeholder(buf, att, pindex++);
	}
	append_key_where(buf, rel, key_attrs, 1);
}

/*
 * SELECT cols FROM rel WHERE key = $1 ...: an updated row read back by its
 * (new) key, MariaDB having no UPDATE ... RETURNING.
 */
void
grant_mysql_deparse_reselect(StringInfo buf, Relation rel, List *key_attrs,
							 Bitmapset *returning_attrs, List **retrieved_attrs)
{
	appendStringInfoString(buf, "SELECT ");
	append_column_list(buf, rel, returning_attrs, "", retrieved_attrs);
	appendStringInfoString(buf, " FROM ");
	grant_mysql_deparse_relation(buf, rel);
	append_key_where(buf, rel, key_attrs, 1);
}

/* DELETE FROM rel WHERE key = $1 ... [RETURNING ...] */
void
grant_mysql_deparse_delete(StringInfo buf, Relation rel, List *key_attrs,
						   Bitmapset *returning_attrs, List **retrieved_attrs)
{
	appendStringInfoString(buf, "DELETE FROM ");
	grant_mysql_deparse_relation(buf, rel);
	append_key_where(buf, rel, key_attrs, 1);
	append_returning(buf, rel, returning_attrs, retrieved_attrs);
}

/*
 * UPDATE rel SET col = value, ... WHERE conds, or DELETE FROM rel WHERE
 * conds [RETURNING] (target_attrs NIL), as one statement.  Every value
 * and condition was accepted by grant_mysql_is_foreign_expr.
 */
void
grant_mysql_deparse_direct(StringInfo buf, PlannerInfo *root, Index rtindex,
						   Relation rel, List *target_attrs,
						   List *target_exprs, List *remote_conds,
						   Bitmapset *returning_attrs, List **params_list,
						   List **retrieved_attrs)
{
	MyCxt		cxt;
	ListCell   *lc1;
	ListCell   *lc2;

	cxt.root = root;
	cxt.relid = rtindex;
	cxt.rel = rel;
	cxt.buf = buf;
	cxt.params = params_list;

	*retrieved_attrs = NIL;
	if (target_attrs != NIL)
	{
		appendStringInfoString(buf, "UPDATE ");
		grant_mysql_deparse_relation(buf, rel);
		appendStringInfoString(buf, " SET ");
		forboth(lc1, target_attrs, lc2, target_exprs)
		{
			Node	   *expr = lfirst(lc2);

			if (lc1 != list_head(target_attrs))
				appendStringInfoString(buf, ", ");
			append_quoted(buf, grant_column_remote_name(rel, lfirst_int(lc1)));
			appendStringInfoString(buf, " = ");
			if (!emit_value(expr, type_class(exprType(expr)), &cxt))
				elog(ERROR, "grant: value accepted for MySQL cannot be printed");
		}
	}
	else
	{
		appendStringInfoString(buf, "DELETE FROM ");
		grant_mysql_deparse_relation(buf, rel);
	}
	if (remote_conds != NIL)
	{
		appendStringInfoString(buf, " WHERE ");
		emit_and_list(remote_conds, &cxt);
	}
	if (target_attrs == NIL)
		append_returning(buf, rel, returning_attrs, retrieved_attrs);
}

/*
 * A value a direct UPDATE may assign to a column: a constant of the
 * column's own class (so MySQL stores what we would), or for an integer
 * column integer arithmetic (+, -, *) over constants, parameters and
 * integer columns of the relation.  MySQL evaluates SET assignments left
 * to right, each seeing the ones before it, so a column assigned earlier
 * in the statement (attnums in assigned_before) must not be read.  Both
 * sides raise an error where the result leaves the column's range.
 */
bool
grant_mysql_value_is_shippable(Node *expr, Oid coltype, Index relid,
							   Bitmapset *assigned_before)
{
	MyClass		cls = type_class(coltype);

	expr = strip_implicit(expr);
	if (cls == MC_INT && !IsA(expr, Const))
		return int_value_ships(expr, relid, assigned_before);
	if (cls == MC_NONE || !IsA(expr, Const) ||
		type_class(((Const *) expr)->consttype) != cls)
		return false;
	/* booleans are written as 0/1, which is what the column holds */
	return true;
}

/* the built-in integer +, - or * that node is, or NULL */
static const char *
int_arith_operator(Node *node)
{
	OpExpr	   *op = (OpExpr *) node;
	char	   *name;

	if (!IsA(node, OpExpr) || list_length(op->args) != 2 ||
		op->opno >= FirstGenbkiObjectId ||
		type_class(op->opresulttype) != MC_INT)
		return NULL;
	name = get_opname(op->opno);
	if (name == NULL ||
		(strcmp(name, "+") != 0 && strcmp(name, "-") != 0 && strcmp(name, "*") != 0))
		return NULL;
	return name;
}

static bool
int_value_ships(Node *node, Index relid, Bitmapset *assigned_before)
{
	node = strip_implicit(node);
	if (node == NULL || type_class(exprType(node)) != MC_INT)
		return false;
	if (IsA(node, Const))
		return true;
	if (IsA(node, Param))
		return ((Param *) node)->paramkind != PARAM_MULTIEXPR;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		return var->varno == relid && var->varlevelsup == 0 &&
			var->varattno > 0 &&
			!bms_is_member(var->varattno, assigned_before);
	}
	if (int_arith_operator(node) != NULL)
		return int_value_ships(linitial(((OpExpr *) node)->args), relid, assigned_before) &&
			int_value_ships(lsecond(((OpExpr *) node)->args), relid, assigned_before);
	return false;
}

/* a value accepted by grant_mysql_value_is_shippable */
static bool
emit_value(Node *node, MyClass cls, MyCxt *cxt)
{
	const char *opname;

	node = strip_implicit(node);
	opname = node != NULL ? int_arith_operator(node) : NULL;
	if (opname == NULL)
		return emit_operand(node, cls, cxt);
	appendStringInfoChar(cxt->buf, '(');
	if (!emit_value(linitial(((OpExpr *) node)->args), MC_INT, cxt))
		return false;
	appendStringInfo(cxt->buf, " %s ", opname);
	if (!emit_value(lsecond(((OpExpr *) node)->args), MC_INT, cxt))
		return false;
	appendStringInfoChar(cxt->buf, ')');
	return true;
}

/*
 * TRUNCATE of one relation.  MySQL's TRUNCATE commits the transaction
 * implicitly, so a DELETE stands in for it: transactional, undone by a
 * local ROLLBACK.
 */
void
grant_mysql_deparse_truncate(StringInfo buf, Relation rel)
{
	appendStringInfoString(buf, "DELETE FROM ");
	grant_mysql_deparse_relation(buf, rel);
}
