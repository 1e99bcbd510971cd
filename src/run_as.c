/*-------------------------------------------------------------------------
 *
 * run_as.c
 *		  Running grant's own fixed SQL safely: as another role (the owner
 *		  of a registry table) or as the caller, never under the caller's
 *		  search_path.
 *
 * Every statement grant runs through SPI goes between grant_run_as_begin
 * and grant_run_as_end.  In between:
 *	- the current user is the role given (or stays the caller's), with
 *	  SECURITY_RESTRICTED_OPERATION, so that nothing the statement reaches
 *	  (a trigger, an index expression, a default) can change the session's
 *	  role or leave state behind that outlives the section;
 *	- search_path is "pg_catalog, pg_temp": a function or operator planted
 *	  by the caller in a schema of its own, or in pg_temp, is never found
 *	  before the built-in one.  The statements also write their operators
 *	  as OPERATOR(pg_catalog.=), so they mean the same whatever the path.
 *
 * An error inside the section needs no cleanup here: the (sub)transaction
 * abort restores the user, the security context and the settings.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/syscache.h"

#include "grant.h"

/* the search_path of every section: built-ins first, temporary objects last */
#define RUN_AS_SEARCH_PATH	"pg_catalog, pg_temp"

/*
 * Enter a section run as role userid (InvalidOid: the current user), in a
 * restricted security context, with search_path pinned.  state keeps what
 * grant_run_as_end restores.
 */
void
grant_run_as_begin(GrantRunAs *state, Oid userid)
{
	GetUserIdAndSecContext(&state->save_userid, &state->save_sec_context);
	SetUserIdAndSecContext(OidIsValid(userid) ? userid : state->save_userid,
						   state->save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	state->save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", RUN_AS_SEARCH_PATH,
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
}

/* Leave the section: the caller's settings, user and security context. */
void
grant_run_as_end(GrantRunAs *state)
{
	AtEOXact_GUC(false, state->save_nestlevel);
	SetUserIdAndSecContext(state->save_userid, state->save_sec_context);
}

/* The owner of relation relid (which must exist). */
Oid
grant_relation_owner(Oid relid)
{
	HeapTuple	tp;
	Oid			owner;

	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tp))->relowner;
	ReleaseSysCache(tp);
	return owner;
}
