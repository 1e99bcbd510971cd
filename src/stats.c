/*-------------------------------------------------------------------------
 *
 * stats.c
 *		  Per-endpoint statistics (grant_fdw.stat_endpoints) and the routing
 *		  log (grant.log_routing): the account of every statement grant
 *		  sends to an endpoint.
 *
 * When grant is in shared_preload_libraries the counters live in shared
 * memory and add up the work of every backend; otherwise each backend
 * counts its own work only.  The table has a fixed number of slots keyed
 * by adapter and endpoint label (host:port/dbname); a slot, once given to
 * an endpoint, is never taken back (grant_fdw.stat_reset() zeroes the
 * counters, not the keys), so a connection keeps a pointer to its slot
 * for its whole life.  An endpoint that finds no free slot is not counted.
 *
 * Cost: the slot is looked up (under the lock) when a connection is
 * opened, never per statement.  A statement part adds to its slot with a
 * few lock-free atomic increments when it is sent and when its rows are
 * read, plus two clock readings; rows are counted in the part itself.
 * Nothing is done per row but a local increment.
 *
 * Errors: the scan and modify code marks the slot of the part whose
 * adapter call runs (GRANT_STATS_ENTER/LEAVE); an error raised while one
 * is marked counts as an error of that endpoint, at the abort of the
 * (sub)transaction or where the error is caught.
 *
 * Invariant: nothing stored or logged here contains a password (slots are
 * keyed by endpoint labels).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/lwlock.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "grant.h"

#define STAT_SLOTS		256
#define STAT_LABELLEN	256

struct GrantStatSlot
{
	char		label[STAT_LABELLEN];	/* host:port/dbname; "" = free */
	int			adapter;		/* GrantAdapterKind */
	int			role;			/* GrantRole of the registry entry that
								 * first used the slot */
	pg_atomic_uint64 statements;
	pg_atomic_uint64 reads;
	pg_atomic_uint64 writes;
	pg_atomic_uint64 rows;
	pg_atomic_uint64 errors;
	pg_atomic_uint64 failovers;
	pg_atomic_uint64 connections;
	pg_atomic_uint64 remote_us;
};

typedef struct StatTable
{
	LWLock	   *lock;			/* NULL in a backend-local table */
	TimestampTz reset_at;		/* under lock */
	GrantStatSlot slots[STAT_SLOTS];
} StatTable;


/* the slot of the adapter call running for a part, or NULL */
GrantStatSlot *volatile grant_stats_active = NULL;

static Size stats_size(int nbackends);
static void stats_table_init(void *table, int nbackends, LWLock *lock);
static StatTable *stats_table(void);
static GrantStatSlot *find_slot(StatTable *table, int adapter,
								const char *label, bool create, int role);
static void stats_xact_callback(XactEvent event, void *arg);
static void stats_subxact_callback(SubXactEvent event,
								   SubTransactionId mySubid,
								   SubTransactionId parentSubid, void *arg);
static void count_error(void);

static GrantSharedTable stats = {
	"grant endpoint statistics", "grant_stats", stats_size, stats_table_init
};

/* called from _PG_init: shared memory only while preloading */
void
grant_stats_init(void)
{
	RegisterXactCallback(stats_xact_callback, NULL);
	RegisterSubXactCallback(stats_subxact_callback, NULL);
	grant_shared_table_register(&stats);
}

static Size
stats_size(int nbackends)
{
	return sizeof(StatTable);
}

static void
stats_table_init(void *arg, int nbackends, LWLock *lock)
{
	StatTable  *table = (StatTable *) arg;
	int			i;

	table->lock = lock;
	for (i = 0; i < STAT_SLOTS; i++)
	{
		GrantStatSlot *slot = &table->slots[i];

		pg_atomic_init_u64(&slot->statements, 0);
		pg_atomic_init_u64(&slot->reads, 0);
		pg_atomic_init_u64(&slot->writes, 0);
		pg_atomic_init_u64(&slot->rows, 0);
		pg_atomic_init_u64(&slot->errors, 0);
		pg_atomic_init_u64(&slot->failovers, 0);
		pg_atomic_init_u64(&slot->connections, 0);
		pg_atomic_init_u64(&slot->remote_us, 0);
	}
	table->reset_at = GetCurrentTimestamp();
}

/* the shared table, or this backend's own, created on first use */
static StatTable *
stats_table(void)
{
	return (StatTable *) grant_shared_table(&stats);
}

/*
 * Open addressing; the caller holds the lock (exclusive to create, with
 * the role shown for the endpoint).
 */
static GrantStatSlot *
find_slot(StatTable *table, int adapter, const char *label, bool create,
		  int role)
{
	uint32		start;
	int			i;

	start = (hash_bytes((const unsigned char *) label, strlen(label)) + adapter) % STAT_SLOTS;
	for (i = 0; i < STAT_SLOTS; i++)
	{
		GrantStatSlot *slot = &table->slots[(start + i) % STAT_SLOTS];

		if (slot->label[0] == '\0')
		{
			if (!create)
				return NULL;
			strlcpy(slot->label, label, STAT_LABELLEN);
			slot->adapter = adapter;
			slot->role = role;
			return slot;
		}
		if (slot->adapter == adapter && strcmp(slot->label, label) == 0)
			return slot;
	}
	return NULL;
}

/*
 * The counters of an endpoint, for the life of the backend; NULL when the
 * table is full.  Takes the lock: call it when a connection is opened,
 * not per statement.
 */
GrantStatSlot *
grant_stats_slot(const GrantEndpoint *ep)
{
	StatTable  *table = stats_table();
	char	   *label = grant_endpoint_label(ep);
	GrantStatSlot *slot;

	if (table->lock)
		LWLockAcquire(table->lock, LW_SHARED);
	slot = find_slot(table, ep->adapter, label, false, 0);
	if (table->lock)
		LWLockRelease(table->lock);
	if (slot == NULL)
	{
		if (table->lock)
			LWLockAcquire(table->lock, LW_EXCLUSIVE);
		slot = find_slot(table, ep->adapter, label, true, ep->role);
		if (table->lock)
			LWLockRelease(table->lock);
	}
	pfree(label);
	return slot;
}

/* a connection to the slot's endpoint was opened */
void
grant_stats_connected(GrantStatSlot *slot)
{
	if (slot != NULL)
		pg_atomic_fetch_add_u64(&slot->connections, 1);
}

/*
 * A statement part was sent (or is about to be) on conn: count it, and
 * start its clock.  route, how and what must outlive the part (the
 * executor's memory or constants): they are logged when it ends.
 */
void
grant_stats_begin(GrantStatPart *part, GrantConnection *conn,
				  const GrantRoute *route, const char *how, const char *what,
				  bool is_write)
{
	GrantStatSlot *slot = grant_connection_stats(conn);

	part->slot = slot;
	part->route = route;
	part->how = how;
	part->what = what;
	part->rows = 0;
	part->running = true;
	INSTR_TIME_SET_CURRENT(part->start);
	if (slot == NULL)
		return;
	pg_atomic_fetch_add_u64(&slot->statements, 1);
	pg_atomic_fetch_add_u64(is_write ? &slot->writes : &slot->reads, 1);
	if (route->failover)
		pg_atomic_fetch_add_u64(&slot->failovers, 1);
}

/*
 * The part's rows are all read (or it was closed early): add its rows and
 * remote time, and log it when grant.log_routing asks.  Safe to call more
 * than once.
 */
void
grant_stats_end(GrantStatPart *part)
{
	instr_time	elapsed;
	uint64		us;

	if (!part->running)
		return;
	part->running = false;
	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, part->start);
	us = INSTR_TIME_GET_MICROSEC(elapsed);
	if (part->slot != NULL)
	{
		pg_atomic_fetch_add_u64(&part->slot->rows, part->rows);
		pg_atomic_fetch_add_u64(&part->slot->remote_us, us);
	}
	if (grant_log_routing != 0 && part->route != NULL)
		ereport(grant_log_routing,
				(errmsg("grant route: %s on %s%s%s: " UINT64_FORMAT " rows, %.3f ms remote",
						part->what ? part->what : "statement",
						grant_route_describe(part->route),
						part->how ? ", shards " : "",
						part->how ? part->how : "",
						part->rows, (double) us / 1000.0),
				 errhidestmt(true)));
}

/* an error was raised during an adapter call of a part: count it once */
static void
count_error(void)
{
	GrantStatSlot *slot = grant_stats_active;

	grant_stats_active = NULL;
	if (slot != NULL)
		pg_atomic_fetch_add_u64(&slot->errors, 1);
}

/* for code that catches an error of an adapter call and goes on */
void
grant_stats_error(void)
{
	count_error();
}

static void
stats_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		count_error();
	else if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT)
		grant_stats_active = NULL;
}

static void
stats_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					   SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		count_error();
}

/*
 * grant_fdw.stat_endpoints(): one row per endpoint grant has connected
 * to since the server started (shared) or this backend did (not
 * preloaded).  Never a password.
 */
PG_FUNCTION_INFO_V1(grant_stat_endpoints);

Datum
grant_stat_endpoints(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	StatTable  *table = stats_table();
	TimestampTz reset_at;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	if (table->lock)
		LWLockAcquire(table->lock, LW_SHARED);
	reset_at = table->reset_at;
	for (i = 0; i < STAT_SLOTS; i++)
	{
		GrantStatSlot *slot = &table->slots[i];
		Datum		values[13];
		bool		nulls[13];

		if (slot->label[0] == '\0')
			continue;
		MemSet(nulls, 0, sizeof(nulls));
		values[0] = CStringGetTextDatum(grant_adapter_name(slot->adapter));
		values[1] = CStringGetTextDatum(slot->label);
		values[2] = CStringGetTextDatum(slot->role == GRANT_ROLE_WRITING ? "writing" : "reading");
		values[3] = Int64GetDatum((int64) pg_atomic_read_u64(&slot->statements));
		values[4] = Int64GetDatum((int64) pg_atomic_read_u64(&slot->reads));
		values[5] = Int64GetDatum((int64) pg_atomic_read_u64(&slot->writes));
		values[6] = Int64GetDatum((int64) pg_atomic_read_u64(&slot->rows));
		values[7] = Int64GetDatum((int64) pg_atomic_read_u64(&slot->errors));
		values[8] = Int64GetDatum((int64) pg_atomic_read_u64(&slot->failovers));
		values[9] = Int64GetDatum((int64) pg_atomic_read_u64(&slot->connections));
		values[10] = Float8GetDatum((double) pg_atomic_read_u64(&slot->remote_us) / 1000.0);
		values[11] = BoolGetDatum(stats.shared);
		values[12] = TimestampTzGetDatum(reset_at);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	if (table->lock)
		LWLockRelease(table->lock);
	return (Datum) 0;
}

/*
 * grant_fdw.stat_reset(): zero every counter (of all backends when
 * shared).  Endpoints keep their slots.
 */
PG_FUNCTION_INFO_V1(grant_stat_reset);

Datum
grant_stat_reset(PG_FUNCTION_ARGS)
{
	StatTable  *table = stats_table();
	int			i;

	if (table->lock)
		LWLockAcquire(table->lock, LW_EXCLUSIVE);
	for (i = 0; i < STAT_SLOTS; i++)
	{
		GrantStatSlot *slot = &table->slots[i];

		pg_atomic_write_u64(&slot->statements, 0);
		pg_atomic_write_u64(&slot->reads, 0);
		pg_atomic_write_u64(&slot->writes, 0);
		pg_atomic_write_u64(&slot->rows, 0);
		pg_atomic_write_u64(&slot->errors, 0);
		pg_atomic_write_u64(&slot->failovers, 0);
		pg_atomic_write_u64(&slot->connections, 0);
		pg_atomic_write_u64(&slot->remote_us, 0);
	}
	table->reset_at = GetCurrentTimestamp();
	if (table->lock)
		LWLockRelease(table->lock);
	PG_RETURN_VOID();
}
