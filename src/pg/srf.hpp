// Materialised set-returning results: InitMaterializedSRF where PostgreSQL has it (15+), the same
// steps by hand before.
#pragma once

#include "pg_headers.hpp"

namespace ca {
namespace pg {

// Sets fcinfo up to return a tuplestore; call inside Guard.
inline void BeginMaterializedResult(FunctionCallInfo fcinfo) {
#if PG_VERSION_NUM >= 150000
    InitMaterializedSRF(fcinfo, 0);
#else
    auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    if (rsinfo == nullptr || !IsA(rsinfo, ReturnSetInfo) ||
        (rsinfo->allowedModes & SFRM_Materialize) == 0)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("set-valued function called in context that cannot accept a set")));
    MemoryContext old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "return type must be a row type");
    rsinfo->returnMode = SFRM_Materialize;
    rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
    rsinfo->setDesc = desc;
    MemoryContextSwitchTo(old);
#endif
}

}  // namespace pg
}  // namespace ca
