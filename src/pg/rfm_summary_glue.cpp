// The rfm_summary(ordered_at, amount, as_of) aggregate: transition, combine, serialize,
// deserialize and final functions. The state is the core's ca::SummaryAsOf (a CustomerSummary of
// the rows at or before as_of), kept in the aggregate's memory context through aggregate_state.hpp;
// it travels between processes in the core's portable byte format.
#include "aggregate_state.hpp"
#include "customer_summary.hpp"
#include "door.hpp"
#include "pg_money.hpp"

namespace {

using State = ca::SummaryAsOf;
using ca::pg::AggregateContext;
using ca::pg::Guard;
using ca::pg::NewAggregateState;
using ca::pg::StateArg;

}  // namespace

CA_FUNCTION(ca_rfm_summary_transfn) {
    MemoryContext context = AggregateContext(fcinfo, "rfm_summary_transfn");
    State *state = StateArg<State>(fcinfo, 0);
    if (state == nullptr) state = NewAggregateState<State>(context);
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
    state->Add(ordered_at, amount, decimals, has_as_of, has_as_of ? PG_GETARG_TIMESTAMPTZ(3) : 0);
    PG_RETURN_POINTER(state);
}

CA_FUNCTION(ca_rfm_summary_combinefn) {
    MemoryContext context = AggregateContext(fcinfo, "rfm_summary_combinefn");
    State *into = StateArg<State>(fcinfo, 0);
    const State *from = StateArg<State>(fcinfo, 1);
    if (from == nullptr) {
        if (into == nullptr) PG_RETURN_NULL();
        PG_RETURN_POINTER(into);
    }
    if (into == nullptr) PG_RETURN_POINTER(NewAggregateState<State>(context, *from));
    into->Merge(*from);
    PG_RETURN_POINTER(into);
}

CA_FUNCTION(ca_rfm_summary_serialfn) {
    return ca::pg::SerializeState(*StateArg<State>(fcinfo, 0));
}

CA_FUNCTION(ca_rfm_summary_deserialfn) {
    MemoryContext context = AggregateContext(fcinfo, "rfm_summary_deserialfn");
    PG_RETURN_POINTER(ca::pg::DeserializeState<State>(fcinfo, context, "rfm_summary"));
}

CA_FUNCTION(ca_rfm_summary_finalfn) {
    const State *state = StateArg<State>(fcinfo, 0);
    if (state == nullptr) PG_RETURN_NULL();
    const ca::CustomerSummary &s = state->summary();
    const bool purchased = s.has_purchase();
    const bool has_as_of = state->has_as_of();
    const TimestampTz first = s.first_purchase(), last = s.last_purchase(), as_of = state->as_of();
    const std::int64_t purchases = s.purchases();
    const bool no_orders = s.orders() == 0;
    const ca::Money net = s.net_amount();
    const int decimals = s.decimals();
    HeapTuple tuple = nullptr;
    Guard([&] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "rfm_summary_finalfn must return a composite type");
        desc = BlessTupleDesc(desc);
        Datum values[5];
        bool nulls[5] = {!purchased, !purchased, true, false, no_orders};
        values[0] = TimestampTzGetDatum(first);
        values[1] = TimestampTzGetDatum(last);
        values[2] = (Datum)0;
        if (purchased && has_as_of) {
            // Whole calendar days between the last purchase and as_of, in the session's TimeZone.
            const DateADT last_day =
                DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(last)));
            const DateADT as_of_day =
                DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(as_of)));
            values[2] = Int32GetDatum(as_of_day - last_day);
            nulls[2] = false;
        }
        values[3] = Int64GetDatum(purchases);
        values[4] = no_orders ? (Datum)0 : ca::pg::MoneyToNumeric(net, decimals);
        tuple = heap_form_tuple(desc, values, nulls);
    });
    return HeapTupleGetDatum(tuple);
}
