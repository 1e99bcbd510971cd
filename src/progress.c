/*-------------------------------------------------------------------------
 *
 * progress.c
 *		  Progress of running grant scans: grant_fdw.progress() lists, per
 *		  part of each running scan (one per shard or endpoint), the rows
 *		  fetched so far and whether that part is done.
 *
 * When grant is in shared_preload_libraries every backend has a few
 * entries in shared memory that only it writes, and any backend reads
 * them all; otherwise a backend sees only its own scans.
 *
 * Invariants:
 *	- A backend writes only its own entries, without a lock.  The fields
 *	  that describe a part are written between two increments of the
 *	  entry's change counter (odd while they change); a reader copies an
 *	  entry until it sees the same even counter before and after, as
 *	  pg_stat_activity does.  The row count is a single 8-byte atomic
 *	  store, published every GRANT_PROGRESS_EVERY rows and at the end of
 *	  the part: no lock and no shared write per row.
 *	- Entries are freed when their scan ends and, at the latest, at the
 *	  end of the (sub)transaction that started them, so an error never
 *	  leaves one behind.
 *	- Another role's scans are shown only to members of that role or of
 *	  pg_read_all_stats.  Endpoints are labels: never a password.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/backendid.h"
#include "storage/lwlock.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "grant.h"

/* entries per backend: parts of scans running at the same time */
#define PROGRESS_PER_BACKEND	8
#define PROGRESS_NAMELEN		128
#define PROGRESS_LABELLEN		256

typedef struct ProgressEntry
{
	pg_atomic_uint32 changecount;	/* odd while the fields below change */
	bool		in_use;
	int			pid;
	Oid			userid;
	TimestampTz started;
	int			role;			/* GrantRole */
	char		relation[PROGRESS_NAMELEN];
	char		database[NAMEDATALEN];
	char		shard[NAMEDATALEN];
	char		endpoint[PROGRESS_LABELLEN];
	pg_atomic_uint64 rows;
	bool		done;
} ProgressEntry;

typedef struct ProgressTable
{
	int			nbackends;
	ProgressEntry entries[FLEXIBLE_ARRAY_MEMBER];
} ProgressTable;


/* transaction nesting level that started each of this backend's entries */
static int	entry_level[PROGRESS_PER_BACKEND];

static Size progress_size(int nbackends);
static void progress_table_init(void *table, int nbackends, LWLock *lock);
static ProgressEntry *own_entries(void);
static void release_entry(ProgressEntry *entry);
static void progress_xact_callback(XactEvent event, void *arg);
static void progress_subxact_callback(SubXactEvent event,
									  SubTransactionId mySubid,
									  SubTransactionId parentSubid, void *arg);

/* without a lock: see the header */
static GrantSharedTable progress = {
	"grant scan progress", NULL, progress_size, progress_table_init
};

/* called from _PG_init: shared memory only while preloading */
void
grant_progress_init(void)
{
	RegisterXactCallback(progress_xact_callback, NULL);
	RegisterSubXactCallback(progress_subxact_callback, NULL);
	grant_shared_table_register(&progress);
}

static Size
progress_size(int nbackends)
{
	return add_size(offsetof(ProgressTable, entries),
					mul_size(mul_size(nbackends, PROGRESS_PER_BACKEND),
							 sizeof(ProgressEntry)));
}

static void
progress_table_init(void *arg, int nbackends, LWLock *lock)
{
	ProgressTable *table = (ProgressTable *) arg;
	int			i;

	table->nbackends = nbackends;
	for (i = 0; i < nbackends * PROGRESS_PER_BACKEND; i++)
	{
		pg_atomic_init_u32(&table->entries[i].changecount, 0);
		pg_atomic_init_u64(&table->entries[i].rows, 0);
	}
}

/*
 * This backend's entries: its own area of the shared table, or a table of
 * its own; NULL when it has no area (not a regular backend).
 */
static ProgressEntry *
own_entries(void)
{
	ProgressTable *table = (ProgressTable *) grant_shared_table(&progress);

	if (!progress.shared)
		return table->entries;
	if (MyBackendId == InvalidBackendId || MyBackendId > table->nbackends)
		return NULL;
	return &table->entries[(MyBackendId - 1) * PROGRESS_PER_BACKEND];
}

/*
 * A part of a scan started (label: its endpoint's): returns its entry
 * number, or -1 when this backend has no free entry (the part then runs
 * without progress).  No allocation, no lock, no system call.
 */
int
grant_progress_start(const char *relname, const GrantRoute *route,
					 const char *label)
{
	ProgressEntry *entries = own_entries();
	const GrantEndpoint *ep = route->endpoint;
	int			i;

	if (entries == NULL)
		return -1;
	for (i = 0; i < PROGRESS_PER_BACKEND; i++)
	{
		ProgressEntry *entry = &entries[i];

		if (entry->in_use)
			continue;
		pg_atomic_fetch_add_u32(&entry->changecount, 1);
		entry->pid = MyProcPid;
		entry->userid = GetUserId();
		entry->started = GetCurrentStatementStartTimestamp();
		entry->role = ep->role;
		strlcpy(entry->relation, relname ? relname : "", PROGRESS_NAMELEN);
		strlcpy(entry->database, ep->database ? ep->database : "", NAMEDATALEN);
		strlcpy(entry->shard, ep->shard ? ep->shard : GRANT_DEFAULT_SHARD, NAMEDATALEN);
		strlcpy(entry->endpoint, label, PROGRESS_LABELLEN);
		pg_atomic_write_u64(&entry->rows, 0);
		entry->done = false;
		entry->in_use = true;
		pg_atomic_fetch_add_u32(&entry->changecount, 1);
		entry_level[i] = GetCurrentTransactionNestLevel();
		return i;
	}
	return -1;
}

/* publish a part's row count (a plain atomic store), and whether it is done */
void
grant_progress_rows(int slot, uint64 rows, bool done)
{
	ProgressEntry *entries;

	if (slot < 0 || (entries = own_entries()) == NULL)
		return;
	pg_atomic_write_u64(&entries[slot].rows, rows);
	if (done)
		entries[slot].done = true;
}

static void
release_entry(ProgressEntry *entry)
{
	if (!entry->in_use)
		return;
	pg_atomic_fetch_add_u32(&entry->changecount, 1);
	entry->in_use = false;
	pg_atomic_fetch_add_u32(&entry->changecount, 1);
}

/* the part's scan ended: its entry is free again */
void
grant_progress_end(int slot)
{
	ProgressEntry *entries;

	if (slot < 0 || (entries = own_entries()) == NULL)
		return;
	release_entry(&entries[slot]);
}

static void
progress_xact_callback(XactEvent event, void *arg)
{
	ProgressEntry *entries;
	int			i;

	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
		event != XACT_EVENT_PREPARE)
		return;
	if (progress.table == NULL || (entries = own_entries()) == NULL)
		return;
	for (i = 0; i < PROGRESS_PER_BACKEND; i++)
		release_entry(&entries[i]);
}

static void
progress_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						  SubTransactionId parentSubid, void *arg)
{
	ProgressEntry *entries;
	int			level;
	int			i;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	if (progress.table == NULL || (entries = own_entries()) == NULL)
		return;
	level = GetCurrentTransactionNestLevel();
	for (i = 0; i < PROGRESS_PER_BACKEND; i++)
	{
		if (entries[i].in_use && entry_level[i] >= level)
			release_entry(&entries[i]);
	}
}

/*
 * grant_fdw.progress(): the parts of running grant scans, of every
 * backend (shared) or of this one.
 */
PG_FUNCTION_INFO_V1(grant_progress);

Datum
grant_progress(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ProgressTable *table = (ProgressTable *) grant_shared_table(&progress);
	int			n;
	int			i;
	bool		read_all;

	InitMaterializedSRF(fcinfo, 0);
	n = table->nbackends * PROGRESS_PER_BACKEND;
	read_all = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);

	for (i = 0; i < n; i++)
	{
		ProgressEntry *entry = &table->entries[i];
		ProgressEntry copy;
		Datum		values[10];
		bool		nulls[10];

		/* a consistent copy: the same even counter before and after */
		for (;;)
		{
			uint32		before = pg_atomic_read_u32(&entry->changecount);

			pg_read_barrier();
			memcpy(&copy, entry, sizeof(ProgressEntry));
			pg_read_barrier();
			if (before == pg_atomic_read_u32(&entry->changecount) &&
				(before & 1) == 0)
				break;
			CHECK_FOR_INTERRUPTS();
		}
		if (!copy.in_use)
			continue;
		if (!read_all && !has_privs_of_role(GetUserId(), copy.userid))
			continue;

		MemSet(nulls, 0, sizeof(nulls));
		values[0] = Int32GetDatum(copy.pid);
		values[1] = CStringGetTextDatum(copy.relation);
		values[2] = CStringGetTextDatum(copy.database);
		values[3] = CStringGetTextDatum(copy.role == GRANT_ROLE_WRITING ? "writing" : "reading");
		values[4] = CStringGetTextDatum(copy.shard);
		values[5] = CStringGetTextDatum(copy.endpoint);
		values[6] = Int64GetDatum((int64) pg_atomic_read_u64(&entry->rows));
		values[7] = BoolGetDatum(copy.done);
		values[8] = TimestampTzGetDatum(copy.started);
		values[9] = BoolGetDatum(progress.shared);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
