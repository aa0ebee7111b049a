// The rfm_summary(ordered_at, amount, as_of) aggregate: transition, combine, serialize,
// deserialize and final functions. The state is ca::RfmSummaryState, a plain struct kept in the
// aggregate's memory context (nothing to destroy).
#include <cstring>
#include <new>

#include "door.hpp"
#include "pg_money.hpp"
#include "rfm.hpp"

namespace {

using ca::RfmSummaryState;
using ca::pg::Guard;

MemoryContext AggregateContext(FunctionCallInfo fcinfo, const char *fn) {
    MemoryContext context = nullptr;
    Guard([&] {
        if (!AggCheckCallContext(fcinfo, &context))
            elog(ERROR, "%s called in non-aggregate context", fn);
    });
    return context;
}

RfmSummaryState *NewState(MemoryContext context) {
    void *memory = nullptr;
    Guard([&] { memory = MemoryContextAllocZero(context, sizeof(RfmSummaryState)); });
    return new (memory) RfmSummaryState();
}

RfmSummaryState *StateArg(FunctionCallInfo fcinfo, int n) {
    return PG_ARGISNULL(n) ? nullptr : reinterpret_cast<RfmSummaryState *>(PG_GETARG_POINTER(n));
}

}  // namespace

CA_FUNCTION(ca_rfm_summary_transfn) {
    MemoryContext context = AggregateContext(fcinfo, "rfm_summary_transfn");
    RfmSummaryState *state = StateArg(fcinfo, 0);
    if (state == nullptr) state = NewState(context);
    const bool has_as_of = !PG_ARGISNULL(3);
    if (has_as_of && TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(3)))
        throw ca::InvalidParameter("as_of must be finite", {},
                                   "Pass a date or timestamp, or NULL to count every order.");
    // Rows with a NULL (or infinite) time or a NULL amount are not orders we can use; they are left
    // out, as rfm() leaves them out.
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(1)))
        PG_RETURN_POINTER(state);
    const TimestampTz ordered_at = PG_GETARG_TIMESTAMPTZ(1);
    ca::Money amount = 0;
    int decimals = 0;
    Guard([&] { ca::pg::NumericToMoney(PG_GETARG_DATUM(2), amount, decimals); });
    ca::RfmSummaryAdd(*state, ordered_at, amount, decimals, has_as_of,
                      has_as_of ? PG_GETARG_TIMESTAMPTZ(3) : 0);
    PG_RETURN_POINTER(state);
}

CA_FUNCTION(ca_rfm_summary_combinefn) {
    MemoryContext context = AggregateContext(fcinfo, "rfm_summary_combinefn");
    RfmSummaryState *into = StateArg(fcinfo, 0);
    const RfmSummaryState *from = StateArg(fcinfo, 1);
    if (from == nullptr) {
        if (into == nullptr) PG_RETURN_NULL();
        PG_RETURN_POINTER(into);
    }
    if (into == nullptr) {
        into = NewState(context);
        *into = *from;
        PG_RETURN_POINTER(into);
    }
    ca::RfmSummaryMerge(*into, *from);
    PG_RETURN_POINTER(into);
}

CA_FUNCTION(ca_rfm_summary_serialfn) {
    const RfmSummaryState *state = StateArg(fcinfo, 0);
    bytea *out = nullptr;
    Guard([&] {
        out = static_cast<bytea *>(palloc(VARHDRSZ + sizeof(RfmSummaryState)));
        SET_VARSIZE(out, VARHDRSZ + sizeof(RfmSummaryState));
        std::memcpy(VARDATA(out), state, sizeof(RfmSummaryState));
    });
    PG_RETURN_BYTEA_P(out);
}

CA_FUNCTION(ca_rfm_summary_deserialfn) {
    MemoryContext context = AggregateContext(fcinfo, "rfm_summary_deserialfn");
    bytea *in = nullptr;
    Guard([&] { in = PG_GETARG_BYTEA_PP(0); });
    if (VARSIZE_ANY_EXHDR(in) != sizeof(RfmSummaryState))
        throw ca::pg::SqlError(
            ERRCODE_DATA_CORRUPTED, "invalid rfm_summary state",
            "The serialized state has " + std::to_string(VARSIZE_ANY_EXHDR(in)) + " bytes.");
    RfmSummaryState *state = NewState(context);
    std::memcpy(static_cast<void *>(state), VARDATA_ANY(in), sizeof(RfmSummaryState));
    PG_RETURN_POINTER(state);
}

CA_FUNCTION(ca_rfm_summary_finalfn) {
    const RfmSummaryState *state = StateArg(fcinfo, 0);
    if (state == nullptr) PG_RETURN_NULL();
    const bool purchased = state->purchases > 0;
    HeapTuple tuple = nullptr;
    Guard([&] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "rfm_summary_finalfn must return a composite type");
        desc = BlessTupleDesc(desc);
        Datum values[5];
        bool nulls[5] = {!purchased, !purchased, true, false, state->rows == 0};
        values[0] = TimestampTzGetDatum(state->first_purchase);
        values[1] = TimestampTzGetDatum(state->last_purchase);
        values[2] = (Datum)0;
        if (purchased && state->has_as_of) {
            // Whole calendar days between the last purchase and as_of, in the session's TimeZone.
            const DateADT last = DatumGetDateADT(
                DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(state->last_purchase)));
            const DateADT as_of = DatumGetDateADT(
                DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(state->as_of)));
            values[2] = Int32GetDatum(as_of - last);
            nulls[2] = false;
        }
        values[3] = Int64GetDatum(state->purchases);
        values[4] =
            nulls[4] ? (Datum)0 : ca::pg::MoneyToNumeric(state->monetary.get(), state->decimals);
        tuple = heap_form_tuple(desc, values, nulls);
    });
    return HeapTupleGetDatum(tuple);
}
