/*-------------------------------------------------------------------------
 *
 * rowbuffer.c
 *		  Rows of a remote query read ahead into a tuplestore, handed back
 *		  one at a time: the adapters' buffer for a connection that another
 *		  statement part needs while a query still streams.
 *
 * Invariant: a row read back from the tuplestore lives in the buffer's own
 * row context, never in the caller's.  A tuplestore that spilled to disk
 * pallocs each tuple it reads back in the current memory context and frees
 * it when the slot moves on; read in a caller's per-tuple context, that
 * tuple would be freed twice (once by the context's reset, once by the
 * slot).  So the slot lets go of the last row before the row context is
 * reset, and the next row is read inside it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/tuptable.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "grant.h"

/*
 * The next buffered row of store into slot, read in row_cxt (reset here,
 * so the caller's copies of the last row die with it).  false at the end.
 */
bool
grant_rowbuffer_next(Tuplestorestate *store, TupleTableSlot *slot,
					 MemoryContext row_cxt)
{
	MemoryContext oldcxt;
	bool		got;

	ExecClearTuple(slot);
	MemoryContextReset(row_cxt);
	oldcxt = MemoryContextSwitchTo(row_cxt);
	got = tuplestore_gettupleslot(store, true, false, slot);
	MemoryContextSwitchTo(oldcxt);
	return got;
}
