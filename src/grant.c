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
 * A user's SET must not be a lever over other users: a setting whose effect
 * reaches beyond the session (the server log, the remote connections an
 * administrator budgets for) is PGC_SUSET; the others act on the session's
 * own statements only, and where they read shared state (health.c's
 * down-marks and lags) each backend applies its own value to facts, never
 * stores its value for the others.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/bytea.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "grant.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* settings */
int			grant_commit_prepared_delay = 0;
int			grant_down_retry_interval = 10000;
int			grant_health_check_interval = 1000;
int			grant_idle_timeout = 600000;
int			grant_log_routing = 0;
int			grant_max_connections_per_endpoint = 0;
int			grant_max_replica_lag = -1;
bool		grant_prevent_writes = false;
bool		grant_prohibit_shard_swapping = false;
int			grant_read_your_writes = GRANT_RYW_LSN;
int			grant_reader_fallback = GRANT_FALLBACK_WRITER;
int			grant_remote_isolation = GRANT_ISOLATION_FOLLOW;
int			grant_replica_delay = 2000;
int			grant_replica_wait = 100;
int			grant_role_mode = GRANT_ROLE_MODE_AUTO;
bool		grant_two_phase_commit = false;
char	   *grant_shard = NULL;

/* grant.log_routing: off, or the level of the message (as log_min_messages) */
static const struct config_enum_entry log_routing_options[] = {
	{"off", 0, false},
	{"debug5", DEBUG5, false},
	{"debug4", DEBUG4, false},
	{"debug3", DEBUG3, false},
	{"debug2", DEBUG2, false},
	{"debug1", DEBUG1, false},
	{"debug", DEBUG2, true},
	{"log", LOG, false},
	{"info", INFO, false},
	{"notice", NOTICE, false},
	{"warning", WARNING, false},
	{NULL, 0, false}
};

static const struct config_enum_entry read_your_writes_options[] = {
	{"lsn", GRANT_RYW_LSN, false},
	{"position", GRANT_RYW_LSN, true},
	{"delay", GRANT_RYW_DELAY, false},
	{"off", GRANT_RYW_OFF, false},
	{NULL, 0, false}
};

static const struct config_enum_entry reader_fallback_options[] = {
	{"writer", GRANT_FALLBACK_WRITER, false},
	{"error", GRANT_FALLBACK_ERROR, false},
	{NULL, 0, false}
};

static const struct config_enum_entry remote_isolation_options[] = {
	{"follow", GRANT_ISOLATION_FOLLOW, false},
	{"repeatable_read", GRANT_ISOLATION_AT_LEAST_RR, false},
	{"repeatable read", GRANT_ISOLATION_AT_LEAST_RR, true},
	{NULL, 0, false}
};

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
	DefineCustomIntVariable("grant.commit_prepared_delay",
							"Waits this long between the end of the local transaction and COMMIT PREPARED or ROLLBACK PREPARED on the remotes.",
							"A testing aid: it lets a test stop a remote in that window.",
							&grant_commit_prepared_delay,
							0, 0, 60000,
							PGC_SUSET,
							GUC_UNIT_MS | GUC_NOT_IN_SAMPLE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("grant.down_retry_interval",
							"How long a reader whose connection failed is left out.",
							"After this interval the next statement tries it again.  Each "
							"session applies its own value to the time of the failure, so a "
							"user's setting shuns an endpoint for that user only.",
							&grant_down_retry_interval,
							10000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("grant.health_check_interval",
							"How long a measured replica lag is trusted before it is measured again.",
							"Each session applies its own value to the time of the shared "
							"measurement: it decides how often this session measures, nobody "
							"else's.",
							&grant_health_check_interval,
							1000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("grant.idle_timeout",
							"Closes remote connections unused for longer than this.",
							"Only connections without a remote transaction are closed, when a "
							"transaction ends or while the session is idle; 0 keeps them open.  "
							"Superusers only: idle sessions hold connection slots of remotes "
							"that every user shares (grant_fdw.disconnect() closes a session's own at once).",
							&grant_idle_timeout,
							600000, 0, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomEnumVariable("grant.log_routing",
							 "Logs where each statement on a grant foreign table went, and why.",
							 "off, or the level of the message: debug5 to debug1, log, info, "
							 "notice, warning.  Each line names database, role, shard, endpoint, "
							 "the router's reason, the rows and the remote time.",
							 &grant_log_routing,
							 0,
							 log_routing_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("grant.max_connections_per_endpoint",
							"Most remote connections one backend opens to one endpoint.",
							"A statement that would open more fails; 0 sets no limit.  "
							"Superusers only: the limit budgets connection slots of remotes "
							"that every user shares.",
							&grant_max_connections_per_endpoint,
							0, 0, INT_MAX,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("grant.max_replica_lag",
							"Readers further behind their writer than this are not used.",
							"-1 turns the limit off.",
							&grant_max_replica_lag,
							-1, -1, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("grant.prevent_writes",
							 "Refuses every write through grant.",
							 "When on, INSERT, UPDATE, DELETE and TRUNCATE on grant foreign tables "
							 "fail and remote transactions are opened READ ONLY.",
							 &grant_prevent_writes,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("grant.prohibit_shard_swapping",
							 "Refuses a change of grant.shard inside a transaction.",
							 "When on, a transaction that used a shard of a database keeps it "
							 "(Rails' prohibit_shard_swapping).",
							 &grant_prohibit_shard_swapping,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("grant.read_your_writes",
							 "How a session reads its own committed writes.",
							 "lsn sends its reads only to readers that replayed its last commit "
							 "(else to the writer); delay sends them to the writer for "
							 "grant.replica_delay after a write; off reads from any reader.",
							 &grant_read_your_writes,
							 GRANT_RYW_LSN,
							 read_your_writes_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("grant.reader_fallback",
							 "What a read does when no reader can serve it.",
							 "writer reads from the writer; error raises an error.",
							 &grant_reader_fallback,
							 GRANT_FALLBACK_WRITER,
							 reader_fallback_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("grant.remote_isolation",
							 "The isolation level of remote transactions.",
							 "follow runs each remote transaction at the local one's level "
							 "(READ COMMITTED waits for concurrent writers as the server "
							 "does); repeatable_read runs READ COMMITTED ones as REPEATABLE "
							 "READ, so that every remote query of a local statement sees one "
							 "snapshot, at the price of serialization failures under "
							 "concurrent updates.",
							 &grant_remote_isolation,
							 GRANT_ISOLATION_FOLLOW,
							 remote_isolation_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("grant.replica_delay",
							"With grant.read_your_writes = delay: how long after a write reads stay on the writer.",
							NULL,
							&grant_replica_delay,
							2000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("grant.replica_wait",
							"How long a read waits for a reader to replay the session's last commit.",
							"After this wait the read goes to the writer.",
							&grant_replica_wait,
							100, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
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

	DefineCustomBoolVariable("grant.two_phase_commit",
							 "Commits a transaction that wrote to several endpoints atomically.",
							 "Uses PREPARE TRANSACTION and COMMIT PREPARED; "
							 "grant_fdw.recover_prepared() finishes what a crash left.",
							 &grant_two_phase_commit,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	MarkGUCPrefixReserved("grant");

	grant_health_init();
	grant_stats_init();
	grant_progress_init();
	grant_registry_init();
	grant_router_init();
	grant_connection_init();
}

/*
 * Output functions must write what a remote reads back, and what the shard
 * hash reads, whatever this session's settings: ISO dates (with SQL style
 * and DMY order '03/04/2026' is April 3 here and March 4 on the remote),
 * postgres-style intervals, floats with every digit, bytea in hex and,
 * when with_timezone, timestamps with time zone in UTC.  Returns the GUC
 * nest level for grant_end_portable_output, or -1 when the session already
 * writes so (the defaults do; UTC when the session's zone is UTC or an
 * alias of it): then nothing is set, which costs nothing.
 */
int
grant_begin_portable_output(bool with_timezone)
{
	int			level;
	long		gmtoff;

	if (DateStyle == USE_ISO_DATES && IntervalStyle == INTSTYLE_POSTGRES &&
		extra_float_digits > 0 && bytea_output == BYTEA_OUTPUT_HEX &&
		(!with_timezone ||
		 (pg_get_timezone_offset(session_timezone, &gmtoff) && gmtoff == 0)))
		return -1;
	level = NewGUCNestLevel();
	(void) set_config_option("datestyle", "ISO", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("intervalstyle", "postgres", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("extra_float_digits", "3", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("bytea_output", "hex", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	if (with_timezone)
		(void) set_config_option("timezone", "UTC", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	return level;
}

void
grant_end_portable_output(int level)
{
	if (level >= 0)
		AtEOXact_GUC(true, level);
}

/*
 * Does a value of this type print differently in another time zone?  Then
 * where the zone matters (MySQL, the shard hash) it is printed in UTC.
 */
bool
grant_type_shows_timezone(Oid typid)
{
	typid = getBaseType(typid);
	switch (typid)
	{
		case TIMESTAMPTZOID:
		case TIMESTAMPTZARRAYOID:
		case TSTZRANGEOID:
		case TSTZMULTIRANGEOID:
			return true;
		default:
			/* a row may hold one */
			return get_typtype(typid) == TYPTYPE_COMPOSITE;
	}
}
