/*-------------------------------------------------------------------------
 *
 * shmem.c
 *		  Tables of grant's that live in shared memory when grant is in
 *		  shared_preload_libraries, and in each backend otherwise: endpoint
 *		  health, endpoint statistics and scan progress.
 *
 * The file that owns a table describes it in a GrantSharedTable (name,
 * size, how to set it up, whether it has a lock) and registers it from
 * _PG_init.  While preloading, this file requests the memory and the lock
 * and attaches every registered table at shared memory startup, in the
 * order registered; otherwise nothing is requested, and a backend makes
 * its own table, for one backend, the first time it asks for it.
 *
 * Invariant: a table is set up exactly once, on zeroed memory, before
 * anyone sees it: in shared memory under AddinShmemInitLock by the first
 * process that attaches it, in a backend by its first use.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/memutils.h"

#include "grant.h"

/* the tables there are: health, statistics and progress */
#define GRANT_MAX_SHARED_TABLES		4

static GrantSharedTable *tables[GRANT_MAX_SHARED_TABLES];
static int	ntables = 0;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void shared_tables_request(void);
static void shared_tables_startup(void);

/*
 * Called from _PG_init for each table: while preloading, the table will
 * be in shared memory.  'def' must live as long as the process.
 */
void
grant_shared_table_register(GrantSharedTable *def)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	if (ntables >= GRANT_MAX_SHARED_TABLES)
		elog(ERROR, "too many shared tables");
	if (ntables == 0)
	{
		prev_shmem_request_hook = shmem_request_hook;
		shmem_request_hook = shared_tables_request;
		prev_shmem_startup_hook = shmem_startup_hook;
		shmem_startup_hook = shared_tables_startup;
	}
	tables[ntables++] = def;
}

static void
shared_tables_request(void)
{
	int			i;

	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	for (i = 0; i < ntables; i++)
	{
		RequestAddinShmemSpace(MAXALIGN(tables[i]->size(MaxBackends)));
		if (tables[i]->tranche != NULL)
			RequestNamedLWLockTranche(tables[i]->tranche, 1);
	}
}

static void
shared_tables_startup(void)
{
	int			i;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	for (i = 0; i < ntables; i++)
	{
		GrantSharedTable *def = tables[i];
		Size		size = def->size(MaxBackends);
		bool		found;

		def->table = ShmemInitStruct(def->name, size, &found);
		if (!found)
		{
			MemSet(def->table, 0, size);
			def->init(def->table, MaxBackends,
					  def->tranche != NULL ?
					  &(GetNamedLWLockTranche(def->tranche))->lock : NULL);
		}
		def->shared = true;
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * The table: the shared one, or this backend's own, made in
 * TopMemoryContext on first use.  Never NULL.
 */
void *
grant_shared_table(GrantSharedTable *def)
{
	if (def->table == NULL)
	{
		def->table = MemoryContextAllocZero(TopMemoryContext, def->size(1));
		def->init(def->table, 1, NULL);
	}
	return def->table;
}
