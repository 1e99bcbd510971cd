/*-------------------------------------------------------------------------
 *
 * health.c
 *		  What grant knows of each endpoint's health: down-marks after a
 *		  failed connection, last error, replication lag and when each was
 *		  last checked; and grant_fdw.health() that shows them.
 *
 * When grant is in shared_preload_libraries the table lives in shared
 * memory, so one backend's failed connection spares all the others the
 * wait; otherwise each backend keeps its own.  The table has a fixed
 * number of slots, keyed by adapter and endpoint (host:port/dbname); an
 * endpoint that finds no free slot is simply never marked down.
 *
 * Invariants:
 *	- Nothing stored here contains a password (keys are endpoint labels,
 *	  errors are the client library's connection messages).
 *	- What one user does weighs on the others only through facts about the
 *	  endpoint: a mark records when a connection failed, and each backend
 *	  leaves the endpoint out for its own grant.down_retry_interval after
 *	  that, so nobody's setting shuns an endpoint for everyone; a lag is
 *	  shared only when measured (a user who may not ask the replica stores
 *	  nothing for those who may).  Which failures are about the endpoint,
 *	  and not about one identity, connection.c decides.
 *	- last_error may name a remote user and quote the remote's words: it
 *	  is shown only to superusers and members of grant_admin or
 *	  pg_read_all_stats; others see NULL.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "catalog/pg_authid.h"
#include "miscadmin.h"
#include "storage/lwlock.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "grant.h"

#define HEALTH_SLOTS	256
#define HEALTH_KEYLEN	256
#define HEALTH_ERRLEN	256

typedef struct HealthEntry
{
	char		key[HEALTH_KEYLEN]; /* "" = free */
	TimestampTz down_since;		/* last failed connection; 0: up since */
	TimestampTz last_check;		/* last connection attempt or lag check */
	TimestampTz lag_checked;	/* 0: lag never measured */
	int64		lag_ms;			/* -1: unknown */
	uint64		failures;
	char		last_error[HEALTH_ERRLEN];
} HealthEntry;

typedef struct HealthTable
{
	LWLock	   *lock;			/* NULL in a backend-local table */
	HealthEntry entries[HEALTH_SLOTS];
} HealthTable;

static Size health_size(int nbackends);
static void health_init(void *table, int nbackends, LWLock *lock);
static HealthTable *health_table(void);
static HealthEntry *find_entry(HealthTable *table, const GrantEndpoint *ep,
							   bool create);
static void make_key(const GrantEndpoint *ep, char *key);
static void lock_table(HealthTable *table, LWLockMode mode);
static void unlock_table(HealthTable *table);
static bool down_now(const HealthEntry *entry, TimestampTz now);
static bool may_see_errors(void);

static GrantSharedTable health = {
	"grant endpoint health", "grant_health", health_size, health_init
};

/* called from _PG_init: shared memory only while preloading */
void
grant_health_init(void)
{
	grant_shared_table_register(&health);
}

static Size
health_size(int nbackends)
{
	return sizeof(HealthTable);
}

static void
health_init(void *table, int nbackends, LWLock *lock)
{
	((HealthTable *) table)->lock = lock;
}

/* the shared table, or this backend's own, created on first use */
static HealthTable *
health_table(void)
{
	return (HealthTable *) grant_shared_table(&health);
}

static void
lock_table(HealthTable *table, LWLockMode mode)
{
	if (table->lock)
		LWLockAcquire(table->lock, mode);
}

static void
unlock_table(HealthTable *table)
{
	if (table->lock)
		LWLockRelease(table->lock);
}

static void
make_key(const GrantEndpoint *ep, char *key)
{
	snprintf(key, HEALTH_KEYLEN, "%s:%s:%d/%s",
			 grant_adapter_name(ep->adapter),
			 ep->host ? ep->host : "", ep->port, ep->dbname ? ep->dbname : "");
}

/* open addressing; the caller holds the lock (exclusive to create) */
static HealthEntry *
find_entry(HealthTable *table, const GrantEndpoint *ep, bool create)
{
	char		key[HEALTH_KEYLEN];
	uint32		start;
	int			i;

	make_key(ep, key);
	start = hash_bytes((const unsigned char *) key, strlen(key)) % HEALTH_SLOTS;
	for (i = 0; i < HEALTH_SLOTS; i++)
	{
		HealthEntry *entry = &table->entries[(start + i) % HEALTH_SLOTS];

		if (entry->key[0] == '\0')
		{
			if (!create)
				return NULL;
			MemSet(entry, 0, sizeof(HealthEntry));
			strlcpy(entry->key, key, HEALTH_KEYLEN);
			entry->lag_ms = -1;
			return entry;
		}
		if (strcmp(entry->key, key) == 0)
			return entry;
	}
	return NULL;
}

/*
 * Did a connection fail less than this backend's grant.down_retry_interval
 * ago, with no success since?
 */
static bool
down_now(const HealthEntry *entry, TimestampTz now)
{
	return entry->down_since != 0 &&
		TimestampTzPlusMilliseconds(entry->down_since,
									grant_down_retry_interval) > now;
}

/* is the endpoint marked down (and this backend's retry interval not over)? */
bool
grant_health_is_down(const GrantEndpoint *ep)
{
	HealthTable *table = health_table();
	HealthEntry *entry;
	bool		down = false;

	lock_table(table, LW_SHARED);
	entry = find_entry(table, ep, false);
	if (entry)
		down = down_now(entry, GetCurrentTimestamp());
	unlock_table(table);
	return down;
}

/*
 * A connection to the endpoint failed (for a reason that is the endpoint's,
 * see connection.c): no statement of a backend tries it again before that
 * backend's grant.down_retry_interval has passed.
 */
void
grant_health_mark_down(const GrantEndpoint *ep, const char *error)
{
	HealthTable *table = health_table();
	HealthEntry *entry;
	TimestampTz now = GetCurrentTimestamp();

	lock_table(table, LW_EXCLUSIVE);
	entry = find_entry(table, ep, true);
	if (entry)
	{
		entry->down_since = now;
		entry->last_check = now;
		entry->failures++;
		strlcpy(entry->last_error, error ? error : "", HEALTH_ERRLEN);
	}
	unlock_table(table);
}

/* a connection to the endpoint succeeded */
void
grant_health_mark_up(const GrantEndpoint *ep)
{
	HealthTable *table = health_table();
	HealthEntry *entry;

	lock_table(table, LW_EXCLUSIVE);
	entry = find_entry(table, ep, true);
	if (entry)
	{
		entry->down_since = 0;
		entry->last_check = GetCurrentTimestamp();
	}
	unlock_table(table);
}

/*
 * The lag last measured on the endpoint, if measured less than max_age_ms
 * ago; -2 when it must be measured again.
 */
int64
grant_health_recent_lag(const GrantEndpoint *ep, int max_age_ms)
{
	HealthTable *table = health_table();
	HealthEntry *entry;
	int64		lag = -2;

	lock_table(table, LW_SHARED);
	entry = find_entry(table, ep, false);
	if (entry && entry->lag_checked != 0 &&
		TimestampTzPlusMilliseconds(entry->lag_checked, max_age_ms) > GetCurrentTimestamp())
		lag = entry->lag_ms;
	unlock_table(table);
	return lag;
}

/*
 * Record a measured lag; an unknown one (-1: not a replica, or the user
 * may not ask) is not recorded, so that it stands for nobody else.
 */
void
grant_health_set_lag(const GrantEndpoint *ep, int64 lag_ms)
{
	HealthTable *table = health_table();
	HealthEntry *entry;

	if (lag_ms < 0)
		return;
	lock_table(table, LW_EXCLUSIVE);
	entry = find_entry(table, ep, true);
	if (entry)
	{
		entry->lag_ms = lag_ms;
		entry->lag_checked = entry->last_check = GetCurrentTimestamp();
	}
	unlock_table(table);
}

/*
 * May the current user read last_error?  It may name another user's
 * remote identity and quote what the remote said of it, so, as
 * pg_stat_activity does with other sessions' queries: superusers, members
 * of pg_read_all_stats and this database's registry administrators.
 */
static bool
may_see_errors(void)
{
	return has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS) ||
		grant_is_registry_admin(GetUserId());
}

/*
 * grant_fdw.health(): every registered endpoint with what is known of it,
 * its status as this backend's grant.down_retry_interval sees it.  Never a
 * password; last_error only for may_see_errors().
 */
PG_FUNCTION_INFO_V1(grant_health);

Datum
grant_health(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	List	   *endpoints;
	ListCell   *lc;
	HealthTable *table = health_table();
	TimestampTz now = GetCurrentTimestamp();
	bool		show_errors = may_see_errors();

	InitMaterializedSRF(fcinfo, 0);
	endpoints = grant_registry_all_endpoints();
	foreach(lc, endpoints)
	{
		GrantEndpoint *ep = (GrantEndpoint *) lfirst(lc);
		HealthEntry copy;
		HealthEntry *entry;
		bool		known;
		Datum		values[10];
		bool		nulls[10];

		lock_table(table, LW_SHARED);
		entry = find_entry(table, ep, false);
		known = entry != NULL;
		if (known)
			copy = *entry;
		unlock_table(table);

		MemSet(nulls, 0, sizeof(nulls));
		values[0] = CStringGetTextDatum(ep->database);
		values[1] = CStringGetTextDatum(ep->role == GRANT_ROLE_WRITING ? "writing" : "reading");
		values[2] = CStringGetTextDatum(ep->shard);
		values[3] = CStringGetTextDatum(grant_endpoint_label(ep));
		values[4] = CStringGetTextDatum(grant_adapter_name(ep->adapter));
		if (!known || copy.last_check == 0)
			values[5] = CStringGetTextDatum("unknown");
		else if (down_now(&copy, now))
			values[5] = CStringGetTextDatum("down");
		else
			values[5] = CStringGetTextDatum("up");
		if (known && show_errors && copy.last_error[0] != '\0')
			values[6] = CStringGetTextDatum(copy.last_error);
		else
			nulls[6] = true;
		if (known && copy.lag_checked != 0 && copy.lag_ms >= 0)
			values[7] = Int64GetDatum(copy.lag_ms);
		else
			nulls[7] = true;
		if (known && copy.last_check != 0)
			values[8] = TimestampTzGetDatum(copy.last_check);
		else
			nulls[8] = true;
		values[9] = Int64GetDatum(known ? (int64) copy.failures : 0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
