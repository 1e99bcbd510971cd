/*-------------------------------------------------------------------------
 *
 * grant.c
 *		  Module initialization and every setting (GUC) of grant.
 *
 * All settings are registered here, alphabetically, each with a
 * description.  Routing settings are PGC_USERSET and are read at execution
 * time (never baked into a plan), so prepared statements and cached
 * PL/pgSQL plans follow a later SET.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "grant.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* settings */
bool		grant_prevent_writes = false;
int			grant_role_mode = GRANT_ROLE_MODE_AUTO;
char	   *grant_shard = NULL;

static const struct config_enum_entry role_mode_options[] = {
	{"auto", GRANT_ROLE_MODE_AUTO, false},
	{"writing", GRANT_ROLE_MODE_WRITING, false},
	{"reading", GRANT_ROLE_MODE_READING, false},
	{NULL, 0, false}
};

/*
 * Module load: settings first, then the caches that register invalidation
 * callbacks.
 */
void
_PG_init(void)
{
	DefineCustomBoolVariable("grant.prevent_writes",
							 "Refuses every write through grant.",
							 "When on, INSERT, UPDATE, DELETE and TRUNCATE on grant foreign tables "
							 "fail and remote transactions are opened READ ONLY.",
							 &grant_prevent_writes,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("grant.role",
							 "Role of the endpoint that serves statements on grant foreign tables.",
							 "auto sends reads to a reader and writes to the writer; "
							 "writing sends everything to the writer; reading sends "
							 "everything to a reader and refuses writes.",
							 &grant_role_mode,
							 GRANT_ROLE_MODE_AUTO,
							 role_mode_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("grant.shard",
							   "Shard that serves statements on grant foreign tables.",
							   "Empty routes by shard key and fans out when no key is pinned.",
							   &grant_shard,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	MarkGUCPrefixReserved("grant");

	grant_registry_init();
	grant_router_init();
	grant_connection_init();
}
