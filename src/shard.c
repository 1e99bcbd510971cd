/*-------------------------------------------------------------------------
 *
 * shard.c
 *		  Which shard of a registry database holds a key: the sharding
 *		  schemes (hash, range, list), grant_fdw.shard_for(), and the cache
 *		  of grant_fdw.sharding / grant_fdw.shard_bounds.
 *
 * The hash scheme is meant to be computed by any application:
 *
 *		shard = shards[fnv1a32(key_text) % n]
 *
 * where shards are the database's shard names sorted bytewise (strcmp),
 * n their number, key_text the key as PostgreSQL prints it (its type's
 * output function: 42 -> "42", a uuid in lower case with dashes, text as
 * is) in UTF-8, normalized so that keys its equality calls equal print
 * alike (normalized_text), and fnv1a32 the 32-bit FNV-1a hash (offset
 * basis 2166136261, prime 16777619).
 *
 * Range bounds are numeric: a shard holds keys k with from <= k < to (a
 * NULL bound is unbounded); the key must be numeric-like.  List shards hold
 * the listed keys, compared by their text form.  A key that no range or
 * list covers belongs to no shard.
 *
 * The cache lives in a named context and is rebuilt when the registry
 * generation changes (every change of these tables or the endpoints bumps
 * it).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "foreign/foreign.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "grant.h"

typedef struct ShardBound
{
	char	   *shard;
	Datum		range_from;		/* numeric, or 0 when unbounded */
	Datum		range_to;
	List	   *list_values;	/* text keys (char *) */
} ShardBound;

typedef struct ShardScheme
{
	char	   *database;
	GrantShardScheme scheme;
	List	   *bounds;			/* ShardBound */
} ShardScheme;

static MemoryContext shard_context = NULL;
static List *schemes = NIL;		/* ShardScheme, in shard_context */
static uint32 schemes_generation = 0;
static bool schemes_loaded = false;

static void load_schemes(void);
static ShardScheme *find_scheme(const char *database);
static uint32 fnv1a32(const char *s);
static int	name_cmp(const ListCell *a, const ListCell *b);
static char *portable_text(Oid outfunc, Oid typid, Datum value);
static char *normalized_text(Oid typid, Datum value, char *text);
static bool fits_key_type(Oid typid, const char *text);

/* FNV-1a, 32 bits, over the bytes of s */
static uint32
fnv1a32(const char *s)
{
	uint32		h = 2166136261u;
	const unsigned char *p;

	for (p = (const unsigned char *) s; *p; p++)
	{
		h ^= *p;
		h *= 16777619u;
	}
	return h;
}

static int
name_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp((const char *) lfirst(a), (const char *) lfirst(b));
}

/*
 * The distinct shard names of a database's endpoints, sorted bytewise.
 * palloc'd list of palloc'd strings.
 */
List *
grant_shard_names(List *endpoints)
{
	List	   *names = NIL;
	ListCell   *lc;

	foreach(lc, endpoints)
	{
		GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);
		ListCell   *lc2;
		bool		seen = false;

		foreach(lc2, names)
		{
			if (strcmp((char *) lfirst(lc2), ep->shard) == 0)
				seen = true;
		}
		if (!seen)
			names = lappend(names, pstrdup(ep->shard));
	}
	list_sort(names, name_cmp);
	return names;
}

/* read grant_fdw.sharding and grant_fdw.shard_bounds into the cache */
static void
load_schemes(void)
{
	Oid			nsp = get_namespace_oid(GRANT_SCHEMA, true);
	Oid			sharding_oid;
	Oid			bounds_oid;
	MemoryContext oldcxt;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tuple;

	if (shard_context == NULL)
		shard_context = AllocSetContextCreate(TopMemoryContext,
											  "grant shard cache",
											  ALLOCSET_SMALL_SIZES);
	MemoryContextReset(shard_context);
	schemes = NIL;
	schemes_generation = grant_registry_generation();
	schemes_loaded = true;

	if (!OidIsValid(nsp))
		return;
	sharding_oid = get_relname_relid("sharding", nsp);
	bounds_oid = get_relname_relid("shard_bounds", nsp);
	if (!OidIsValid(sharding_oid) || !OidIsValid(bounds_oid))
		return;

	oldcxt = MemoryContextSwitchTo(shard_context);

	rel = table_open(sharding_oid, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, GetLatestSnapshot(), 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Datum		values[2];
		bool		nulls[2];
		ShardScheme *scheme = palloc0(sizeof(ShardScheme));
		char	   *name;

		heap_deform_tuple(tuple, RelationGetDescr(rel), values, nulls);
		scheme->database = TextDatumGetCString(values[0]);
		name = TextDatumGetCString(values[1]);
		scheme->scheme = strcmp(name, "range") == 0 ? GRANT_SHARD_RANGE :
			strcmp(name, "list") == 0 ? GRANT_SHARD_LIST : GRANT_SHARD_HASH;
		schemes = lappend(schemes, scheme);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	rel = table_open(bounds_oid, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, GetLatestSnapshot(), 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Datum		values[5];
		bool		nulls[5];
		ShardBound *bound = palloc0(sizeof(ShardBound));
		ShardScheme *scheme;

		heap_deform_tuple(tuple, RelationGetDescr(rel), values, nulls);
		scheme = find_scheme(TextDatumGetCString(values[0]));
		if (scheme == NULL)
			continue;
		bound->shard = TextDatumGetCString(values[1]);
		if (!nulls[2])
			bound->range_from = datumCopy(values[2], false, -1);
		if (!nulls[3])
			bound->range_to = datumCopy(values[3], false, -1);
		if (!nulls[4])
		{
			Datum	   *elems;
			bool	   *elem_nulls;
			int			n;
			int			i;

			deconstruct_array(DatumGetArrayTypeP(values[4]), TEXTOID, -1, false,
							  TYPALIGN_INT, &elems, &elem_nulls, &n);
			for (i = 0; i < n; i++)
				if (!elem_nulls[i])
					bound->list_values = lappend(bound->list_values,
												 TextDatumGetCString(elems[i]));
		}
		scheme->bounds = lappend(scheme->bounds, bound);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	MemoryContextSwitchTo(oldcxt);
}

static ShardScheme *
find_scheme(const char *database)
{
	ListCell   *lc;

	foreach(lc, schemes)
	{
		ShardScheme *scheme = (ShardScheme *) lfirst(lc);

		if (strcmp(scheme->database, database) == 0)
			return scheme;
	}
	return NULL;
}

/*
 * The shard of database that holds the key whose text form is key_text
 * (as its type's output function prints it); NULL when no shard does.
 * shards: the database's shard names, sorted (grant_shard_names).
 */
const char *
grant_shard_for_text(const char *database, List *shards, const char *key_text)
{
	ShardScheme *scheme;
	ListCell   *lc;

	if (shards == NIL)
		return NULL;
	if (!schemes_loaded || schemes_generation != grant_registry_generation())
		load_schemes();
	scheme = find_scheme(database);

	if (scheme == NULL || scheme->scheme == GRANT_SHARD_HASH)
		return (const char *) list_nth(shards, fnv1a32(key_text) % list_length(shards));

	if (scheme->scheme == GRANT_SHARD_LIST)
	{
		foreach(lc, scheme->bounds)
		{
			ShardBound *bound = (ShardBound *) lfirst(lc);
			ListCell   *lc2;

			foreach(lc2, bound->list_values)
				if (strcmp((char *) lfirst(lc2), key_text) == 0)
					return bound->shard;
		}
		return NULL;
	}

	/* range: the key must read as a number */
	{
		Datum		key;

		key = DirectFunctionCall3(numeric_in, CStringGetDatum(key_text),
								  ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
		foreach(lc, scheme->bounds)
		{
			ShardBound *bound = (ShardBound *) lfirst(lc);

			if (bound->range_from != (Datum) 0 &&
				DatumGetInt32(DirectFunctionCall2(numeric_cmp, key, bound->range_from)) < 0)
				continue;
			if (bound->range_to != (Datum) 0 &&
				DatumGetInt32(DirectFunctionCall2(numeric_cmp, key, bound->range_to)) >= 0)
				continue;
			return bound->shard;
		}
	}
	return NULL;
}

/*
 * A key as the hash reads it: its text with ISO dates, UTC timestamps and
 * every float digit, so the shard does not depend on the session's
 * settings.
 */
static char *
portable_text(Oid outfunc, Oid typid, Datum value)
{
	int			level = grant_begin_portable_output(grant_type_shows_timezone(typid));
	char	   *text = OidOutputFunctionCall(outfunc, value);

	grant_end_portable_output(level);
	return normalized_text(getBaseType(typid), value, text);
}

/*
 * One text for every key its type's equality calls equal, so that equal
 * keys land on one shard: a float's -0 is 0; a numeric has no trailing
 * fractional zeros (1.50 is 1.5, 1.0 is 1, -0.00 is 0); an interval is its
 * span in microseconds, months counting 30 days and days 24 hours, as
 * interval equality compares ('1 mon' = '30 days').  Other types print one
 * text per value already.  text is the type's output; returns it or a
 * palloc'd replacement.
 */
static char *
normalized_text(Oid typid, Datum value, char *text)
{
	switch (typid)
	{
		case FLOAT4OID:
		case FLOAT8OID:
			return strcmp(text, "-0") == 0 ? pstrdup("0") : text;
		case NUMERICOID:
			if (strchr(text, '.') != NULL)
			{
				int			len = strlen(text);

				while (text[len - 1] == '0')
					text[--len] = '\0';
				if (text[len - 1] == '.')
					text[--len] = '\0';
			}
			return strcmp(text, "-0") == 0 ? pstrdup("0") : text;
		case INTERVALOID:
			{
				Interval   *iv = DatumGetIntervalP(value);
				int128		span = (int128) iv->time +
				(int128) iv->day * USECS_PER_DAY +
				(int128) iv->month * DAYS_PER_MONTH * USECS_PER_DAY;
				char		buf[48];
				char	   *p = buf + sizeof(buf) - 1;
				bool		negative = span < 0;

				/* int128 has no printf conversion: digits from the end */
				*p = '\0';
				do
				{
					int			digit = (int) (span % 10);

					*--p = '0' + (negative ? -digit : digit);
					span /= 10;
				} while (span != 0);
				if (negative)
					*--p = '-';
				return psprintf("%s us", p);
			}
		default:
			return text;
	}
}

/* the shard of a key datum of type typid; NULL for a NULL key or none */
const char *
grant_shard_for_datum(const char *database, List *shards, Datum value,
					  bool isnull, Oid typid)
{
	Oid			outfunc;
	bool		isvarlena;

	if (isnull)
		return NULL;
	getTypeOutputInfo(typid, &outfunc, &isvarlena);
	return grant_shard_for_text(database, shards, portable_text(outfunc, typid, value));
}

/*
 * grant_fdw.shard_for(database, key): the shard name, NULL when no shard
 * holds the key.  An unknown database is an error.
 */
PG_FUNCTION_INFO_V1(grant_shard_for);

Datum
grant_shard_for(PG_FUNCTION_ARGS)
{
	char	   *database;
	List	   *endpoints;
	const char *shard;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	database = text_to_cstring(PG_GETARG_TEXT_PP(0));
	endpoints = grant_registry_endpoints(database);
	if (endpoints == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("grant database \"%s\" has no registered endpoint", database)));
	shard = grant_shard_for_datum(database, grant_shard_names(endpoints),
								  PG_GETARG_DATUM(1), PG_ARGISNULL(1),
								  get_fn_expr_argtype(fcinfo->flinfo, 1));
	if (shard == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(shard));
}

/*
 * The shard_key column of a foreign table when its database has several
 * shards, else InvalidAttrNumber.
 */
AttrNumber
grant_shard_key_attnum(Oid relid)
{
	ForeignTable *table = GetForeignTable(relid);
	char	   *key;

	if (grant_server_shard_count(GetForeignServer(table->serverid)) <= 1)
		return InvalidAttrNumber;
	key = grant_get_option(table->options, "shard_key");
	if (key == NULL)
		return InvalidAttrNumber;
	return get_attnum(relid, key);
}

/*
 * Planner side: the conditions that pin the shard key of base relation
 * rtindex (table relid) among clauses (plain expressions the remote
 * evaluates, ANDed): "key = value" or "key = ANY (array)", value and array
 * computable at execution (constants, parameters).  Returns the value
 * expressions (*key_exprs) with, for each, whether it yields an array
 * (*is_array); the executor computes the shards they map to.  Only an
 * equality that is one (hash- or merge-joinable, deterministic collation)
 * counts; the first such condition is enough, further ones only narrow.
 */
void
grant_shard_key_conditions(Index rtindex, Oid relid, List *clauses,
						   List **key_exprs, List **is_array)
{
	AttrNumber	key = grant_shard_key_attnum(relid);
	ListCell   *lc;

	*key_exprs = NIL;
	*is_array = NIL;
	if (key == InvalidAttrNumber)
		return;

	foreach(lc, clauses)
	{
		Node	   *clause = (Node *) lfirst(lc);
		Oid			opno;
		Node	   *left;
		Node	   *right;
		bool		array;

		if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
		{
			opno = ((OpExpr *) clause)->opno;
			left = linitial(((OpExpr *) clause)->args);
			right = lsecond(((OpExpr *) clause)->args);
			array = false;
		}
		else if (IsA(clause, ScalarArrayOpExpr) && ((ScalarArrayOpExpr *) clause)->useOr)
		{
			opno = ((ScalarArrayOpExpr *) clause)->opno;
			left = linitial(((ScalarArrayOpExpr *) clause)->args);
			right = lsecond(((ScalarArrayOpExpr *) clause)->args);
			array = true;
		}
		else
			continue;

		/* the key may stand on either side of a plain equality */
		if (!array && !(IsA(left, Var)) && IsA(right, Var))
		{
			Node	   *tmp = left;

			left = right;
			right = tmp;
		}
		while (IsA(left, RelabelType))
			left = (Node *) ((RelabelType *) left)->arg;
		if (!IsA(left, Var) || ((Var *) left)->varno != rtindex ||
			((Var *) left)->varattno != key || ((Var *) left)->varlevelsup != 0)
			continue;
		if (!op_hashjoinable(opno, exprType(left)) && !op_mergejoinable(opno, exprType(left)))
			continue;
		if (OidIsValid(exprCollation(left)) &&
			!get_collation_isdeterministic(exprCollation(left)))
			continue;
		if (contain_var_clause(right) || contain_volatile_functions(right))
			continue;
		*key_exprs = list_make1(right);
		*is_array = list_make1_int(array ? 1 : 0);
		return;
	}
}

/*
 * Can an integer key column hold the value whose text this is?  A constant
 * out of the column's range equals no key (WHERE int4_col = 3000000000 is
 * simply false), so it selects no shard instead of failing the key's input
 * function.  Other types: true (their input function decides).
 */
static bool
fits_key_type(Oid typid, const char *text)
{
	long long	v;
	char	   *end;

	if (typid != INT2OID && typid != INT4OID && typid != INT8OID)
		return true;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (end == text)
		return true;
	while (*end == ' ')
		end++;
	if (*end != '\0')
		return true;
	if (errno == ERANGE)
		return false;
	if (typid == INT2OID)
		return v >= PG_INT16_MIN && v <= PG_INT16_MAX;
	if (typid == INT4OID)
		return v >= PG_INT32_MIN && v <= PG_INT32_MAX;
	return true;
}

/*
 * The shards that can hold rows whose key is one of the values: key_type
 * is the key column's type (values are first converted to it, so 1.0 and
 * 1.00 of a numeric(10,2) key hash alike, as stored rows do).  Returns a
 * list of shard names (possibly empty: no shard holds such a row).
 */
List *
grant_shards_for_values(const char *database, List *shards, Oid key_type,
						int32 key_typmod, List *values)
{
	List	   *result = NIL;
	ListCell   *lc;
	Oid			infunc;
	Oid			ioparam;
	Oid			outfunc;
	bool		isvarlena;

	getTypeInputInfo(key_type, &infunc, &ioparam);
	getTypeOutputInfo(key_type, &outfunc, &isvarlena);
	foreach(lc, values)
	{
		char	   *text = (char *) lfirst(lc);	/* the value as text */
		Datum		keyval;
		const char *shard;

		if (text == NULL || !fits_key_type(getBaseType(key_type), text))
			continue;
		keyval = OidInputFunctionCall(infunc, text, ioparam, key_typmod);
		shard = grant_shard_for_text(database, shards,
									 portable_text(outfunc, key_type, keyval));
		if (shard != NULL && !list_member(result, makeString((char *) shard)))
			result = lappend(result, makeString(pstrdup(shard)));
	}
	/* plain names for the router */
	{
		List	   *names = NIL;

		foreach(lc, result)
			names = lappend(names, strVal(lfirst(lc)));
		return names;
	}
}

/*
 * An UPDATE that sets the shard key of a table of a sharded database would
 * leave the row on a shard that no longer holds its key: refused.
 */
void
grant_shard_check_update(Oid relid, List *target_attrs)
{
	AttrNumber	key = grant_shard_key_attnum(relid);

	if (key != InvalidAttrNumber && list_member_int(target_attrs, key))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot update shard key column \"%s\" of foreign table \"%s\"",
						get_attname(relid, key, false), get_rel_name(relid)),
				 errdetail("The row would stay on a shard that does not hold its new key."),
				 errhint("Delete the row and insert it again with the new key.")));
}
