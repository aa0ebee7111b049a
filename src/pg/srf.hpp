// Materialised set-returning results: InitMaterializedSRF where PostgreSQL has it (15+), the same
// steps by hand before.
#pragma once

#include "pg_headers.hpp"

#include <cstddef>

#include "door.hpp"

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

// The one way set-returning functions emit rows: each row goes to the tuplestore as soon as it is
// made (the tuplestore spills to disk past work_mem), built in a memory context reset per row, with
// an interrupt check every kTickInterval rows. Nothing keeps the whole result in memory.
class ResultWriter {
  public:
    static constexpr std::size_t kTickInterval = 4096;

    explicit ResultWriter(FunctionCallInfo fcinfo) {
        auto *rsinfo_slot = &rsinfo_;
        auto *context_slot = &row_context_;
        Guard([&] {
            BeginMaterializedResult(fcinfo);
            *rsinfo_slot = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
            *context_slot = AllocSetContextCreate(CurrentMemoryContext, "customer_analytics row",
                                                  ALLOCSET_SMALL_SIZES);
        });
    }
    ResultWriter(const ResultWriter &) = delete;
    ResultWriter &operator=(const ResultWriter &) = delete;

    // fill(Datum *values, bool *nulls) sets the row's columns (nulls start false); it runs inside
    // Guard in the per-row context, so it may call PostgreSQL but must keep only trivially
    // destructible locals.
    template <int N, typename Fill>
    void Row(Fill &&fill) {
        const bool tick = rows_++ % kTickInterval == 0;
        ReturnSetInfo *rsinfo = rsinfo_;
        MemoryContext row_context = row_context_;
        Guard([&] {
            if (tick) CHECK_FOR_INTERRUPTS();
            MemoryContextReset(row_context);
            MemoryContext outer = MemoryContextSwitchTo(row_context);
            Datum values[N];
            bool nulls[N];
            for (int i = 0; i < N; ++i) {
                values[i] = (Datum)0;
                nulls[i] = false;
            }
            fill(values, nulls);
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
            MemoryContextSwitchTo(outer);
        });
    }

  private:
    ReturnSetInfo *rsinfo_ = nullptr;
    MemoryContext row_context_ = nullptr;  // freed with the caller's context
    std::size_t rows_ = 0;
};

}  // namespace pg
}  // namespace ca
