/*-------------------------------------------------------------------------
 *
 * fdw.c
 *		  The handler of foreign data wrapper grant_fdw: which function
 *		  serves each FDW callback.
 *
 * Planning lives in plan.c and pushdown.c, execution of scans and direct
 * modifications in scan.c, of row-by-row writes and TRUNCATE in modify.c,
 * IMPORT FOREIGN SCHEMA in import.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "foreign/fdwapi.h"

#include "grant.h"

PG_FUNCTION_INFO_V1(grant_fdw_handler);

Datum
grant_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	/* planning */
	routine->GetForeignRelSize = grantGetForeignRelSize;
	routine->GetForeignPaths = grantGetForeignPaths;
	routine->GetForeignPlan = grantGetForeignPlan;
	routine->GetForeignJoinPaths = grantGetForeignJoinPaths;
	routine->GetForeignUpperPaths = grantGetForeignUpperPaths;
	routine->AddForeignUpdateTargets = grantAddForeignUpdateTargets;
	routine->PlanForeignModify = grantPlanForeignModify;
	routine->PlanDirectModify = grantPlanDirectModify;
	routine->IsForeignRelUpdatable = grantIsForeignRelUpdatable;

	/* scans */
	routine->BeginForeignScan = grantBeginForeignScan;
	routine->IterateForeignScan = grantIterateForeignScan;
	routine->ReScanForeignScan = grantReScanForeignScan;
	routine->EndForeignScan = grantEndForeignScan;
	routine->ExplainForeignScan = grantExplainForeignScan;

	/* direct modification */
	routine->BeginDirectModify = grantBeginDirectModify;
	routine->IterateDirectModify = grantIterateDirectModify;
	routine->EndDirectModify = grantEndDirectModify;
	routine->ExplainDirectModify = grantExplainDirectModify;

	/* row-by-row modification */
	routine->BeginForeignModify = grantBeginForeignModify;
	routine->ExecForeignInsert = grantExecForeignInsert;
	routine->ExecForeignBatchInsert = grantExecForeignBatchInsert;
	routine->GetForeignModifyBatchSize = grantGetForeignModifyBatchSize;
	routine->ExecForeignUpdate = grantExecForeignUpdate;
	routine->ExecForeignDelete = grantExecForeignDelete;
	routine->EndForeignModify = grantEndForeignModify;
	routine->BeginForeignInsert = grantBeginForeignInsert;
	routine->EndForeignInsert = grantEndForeignInsert;
	routine->ExplainForeignModify = grantExplainForeignModify;
	routine->ExecForeignTruncate = grantExecForeignTruncate;

	/* IMPORT FOREIGN SCHEMA */
	routine->ImportForeignSchema = grantImportForeignSchema;

	PG_RETURN_POINTER(routine);
}
