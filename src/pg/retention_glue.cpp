// SQL face of retention: retention(), cohort_retention() and kpis() (docs/retention.md). The
// orders come through the shared reader on local time; src/core/retention.* does the counting.
#include <memory>
#include <string>
#include <vector>

#include "args.hpp"
#include "customer_index.hpp"
#include "door.hpp"
#include "inner_query.hpp"
#include "orders_reader.hpp"
#include "periods.hpp"
#include "pg_money.hpp"
#include "retention.hpp"
#include "srf.hpp"

namespace {

using ca::ExecContext;
using ca::pg::Guard;
using ca::pg::SqlError;

// What the three functions share: the arguments, both passes over the orders, the results.
struct RetentionInputs {
    std::string orders_sql;
    ca::Period period = ca::Period::Month;
    bool has_zone = false;
    std::string zone;
    bool has_window = false;
    Interval window{};
    bool has_start = false, has_end = false;
    TimestampTz start_at = 0, end_at = 0;
};

// timestamptz -> local timestamp in the analysis zone (the session's when none is given).
Timestamp LocalTime(const RetentionInputs &in, TimestampTz t) {
    Timestamp local = 0;
    const char *zone = in.zone.c_str();
    const bool has_zone = in.has_zone;
    Guard([&] {
        Datum d = has_zone ? DirectFunctionCall2(timestamptz_zone, CStringGetTextDatum(zone),
                                                 TimestampTzGetDatum(t))
                           : DirectFunctionCall1(timestamptz_timestamp, TimestampTzGetDatum(t));
        local = DatumGetTimestamp(d);
    });
    return local;
}

void ReportSkips(const char *function, const ca::SkippedRows &s) {
    ca::pg::ReportSkippedRows(function, s, "ordered at or after end_at");
}

// Runs both passes. Returns false when there is nothing to report (no order and no range).
bool Accumulate(const char *function, ExecContext &ctx, const RetentionInputs &in,
                ca::RetentionOutput output, std::unique_ptr<ca::CustomerIndex> &index,
                std::unique_ptr<ca::RetentionAccumulator> &acc) {
    ca::pg::SpiSession spi;
    const ca::pg::OrdersSource source = ca::pg::DescribeOrders(in.orders_sql);
    ca::pg::OrdersRead read;
    read.grouped = source.has_order_id;
    read.fingerprint = true;  // both reads are compared
    if (source.time_type == TIMESTAMPTZOID) {
        read.time = in.has_zone ? ca::pg::OrderTime::ZoneLocal : ca::pg::OrderTime::SessionLocal;
        read.zone = in.zone;
    }
    Timestamp end_local = 0;
    if (in.has_end) {
        end_local = LocalTime(in, in.end_at);
        read.has_bound = true;
        read.bound_inclusive = false;
        read.bound_type = TIMESTAMPOID;
        read.bound = TimestampGetDatum(end_local);
    }
    index = std::make_unique<ca::CustomerIndex>(ctx, source.customer.IndexKind());
    acc = std::make_unique<ca::RetentionAccumulator>(ctx, in.period, in.has_end, end_local);
    const ca::pg::OrdersReadSummary first =
        ca::pg::ReadOrders(in.orders_sql, source, read, *index, *acc);

    if (!acc->has_orders() && !(in.has_start && in.has_end)) {
        spi.Finish();
        ReportSkips(function, acc->skips());
        return false;
    }
    ca::RetentionRange range;
    range.first_period = in.has_start
                             ? ca::PeriodIndex(in.period, ca::DayOf(LocalTime(in, in.start_at)))
                             : acc->first_order_period();
    range.last_period = in.has_end ? ca::PeriodIndex(in.period, ca::DayOf(end_local - 1))
                                   : acc->last_order_period();
    if (range.last_period < range.first_period) {
        spi.Finish();
        ReportSkips(function, acc->skips());
        return false;
    }
    // Sized by the range: check it before anything is computed per period.
    ca::RetentionAccumulator::CheckRange(range.first_period, range.last_period);
    if (in.has_window)
        range.window_starts =
            ca::WindowStarts(ctx, in.period, range.first_period, range.last_period, in.window.month,
                             in.window.day, in.window.time);
    acc->BeginSecondPass(range, output);
    const ca::pg::OrdersReadSummary second =
        ca::pg::ReadOrders(in.orders_sql, source, read, *index, *acc);
    if (second != first)
        throw ca::OrdersChangedBetweenReads(
            "The first read returned " + std::to_string(first.rows) + " rows, the second " +
            std::to_string(second.rows) +
            (second.rows == first.rows ? " with different contents." : "."));
    spi.Finish();
    ReportSkips(function, acc->skips());
    return true;
}

RetentionInputs CommonInputs(FunctionCallInfo fcinfo, int zone_arg) {
    RetentionInputs in;
    in.orders_sql = ca::pg::RequiredTextArg(fcinfo, 0, "orders_sql");
    in.period = ca::ParsePeriod(ca::pg::RequiredTextArg(fcinfo, 1, "period"));
    // Checked up front, whatever the input's type or size (22023 when unknown).
    in.has_zone = ca::pg::TimeZoneArg(fcinfo, zone_arg, in.zone);
    return in;
}

// 100 * part / whole as numeric, unrounded (PostgreSQL's numeric division: at least 16
// significant digits; rounding is the client's choice); NULL (returns false) when whole is 0.
// Call inside Guard (ResultWriter::Row).
bool Percent(std::int64_t part, std::int64_t whole, Datum &out) {
    if (whole == 0) return false;
    Datum p = DirectFunctionCall1(int8_numeric, Int64GetDatum(part));
    Datum w = DirectFunctionCall1(int8_numeric, Int64GetDatum(whole));
    Datum hundred = DirectFunctionCall1(int8_numeric, Int64GetDatum(100));
    out = DirectFunctionCall2(numeric_div, DirectFunctionCall2(numeric_mul, p, hundred), w);
    return true;
}

}  // namespace

// retention(orders_sql, period, active_window, start_at, end_at, time_zone)
CA_FUNCTION(ca_retention) {
    RetentionInputs in = CommonInputs(fcinfo, 5);
    if (!PG_ARGISNULL(2)) {
        in.has_window = true;
        in.window = *PG_GETARG_INTERVAL_P(2);
        bool positive = false;
        Interval zero{};
        Interval *w = &in.window;
        Guard([&] {
            positive = DatumGetInt32(DirectFunctionCall2(interval_cmp, IntervalPGetDatum(w),
                                                         IntervalPGetDatum(&zero))) > 0;
        });
        if (!positive)
            throw ca::InvalidParameter("active_window must be positive", {},
                                       "Pass for example '365 days', or NULL for \"has ever "
                                       "purchased\".");
    }
    in.has_start = !PG_ARGISNULL(3);
    in.has_end = !PG_ARGISNULL(4);
    if (in.has_start) in.start_at = PG_GETARG_TIMESTAMPTZ(3);
    if (in.has_end) in.end_at = PG_GETARG_TIMESTAMPTZ(4);
    if ((in.has_start && TIMESTAMP_NOT_FINITE(in.start_at)) ||
        (in.has_end && TIMESTAMP_NOT_FINITE(in.end_at)))
        throw ca::InvalidParameter("start_at and end_at must be finite");
    if (in.has_start && in.has_end && in.start_at >= in.end_at)
        throw ca::InvalidParameter("start_at must be before end_at");

    ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    std::unique_ptr<ca::CustomerIndex> index;
    std::unique_ptr<ca::RetentionAccumulator> acc;
    const bool any = Accumulate("retention", ctx, in, ca::RetentionOutput::Periods, index, acc);
    const ca::Period period = in.period;
    ca::pg::ResultWriter out(fcinfo);
    if (!any) return (Datum)0;
    acc->PeriodRetention([&](const ca::PeriodRetentionRow &r) {
        out.Row<10>([&](Datum *values, bool *nulls) {
            const std::int64_t churned = r.s_start - r.retained;
            values[0] = DateADTGetDatum(ca::PeriodStartFromIndex(period, r.period));
            values[1] = Int64GetDatum(r.s_start);
            values[2] = Int64GetDatum(r.n_new);
            values[3] = Int64GetDatum(r.e_end);
            nulls[4] = !Percent(r.e_end - r.n_new, r.s_start, values[4]);
            values[5] = Int64GetDatum(r.retained);
            nulls[6] = !Percent(r.retained, r.s_start, values[6]);
            values[7] = Int64GetDatum(r.reactivated);
            values[8] = Int64GetDatum(churned);
            nulls[9] = !Percent(churned, r.s_start, values[9]);
        });
    });
    return (Datum)0;
}

// cohort_retention(orders_sql, period, max_offset, time_zone, mode, brackets)
CA_FUNCTION(ca_cohort_retention) {
    RetentionInputs in = CommonInputs(fcinfo, 3);
    ca::CohortOptions options;
    if (!PG_ARGISNULL(2)) {
        options.max_offset = PG_GETARG_INT32(2);
        if (options.max_offset < 0)
            throw ca::InvalidParameter("max_offset must not be negative",
                                       "max_offset is " + std::to_string(options.max_offset) + ".",
                                       "Pass NULL for every offset.");
    }
    options.mode = ca::ParseCohortMode(ca::pg::RequiredTextArg(fcinfo, 4, "mode"));
    // Checked before the orders are read, so a bad bracket fails at once.
    if (ca::pg::Int32ArrayArg(fcinfo, 5, "brackets", ca::kMaxBrackets, options.brackets))
        ca::CheckBrackets(options.brackets, options.max_offset);
    ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    std::unique_ptr<ca::CustomerIndex> index;
    std::unique_ptr<ca::RetentionAccumulator> acc;
    const bool any =
        Accumulate("cohort_retention", ctx, in, ca::RetentionOutput::Cohorts, index, acc);
    const ca::Period period = in.period;
    const int decimals = any ? acc->decimals() : 0;
    ca::pg::ResultWriter out(fcinfo);
    if (!any) return (Datum)0;
    acc->Cohorts(options, [&](const ca::CohortRow &r) {
        out.Row<8>([&](Datum *values, bool *nulls) {
            values[0] = DateADTGetDatum(ca::PeriodStartFromIndex(period, r.cohort));
            values[1] = Int32GetDatum(static_cast<int32>(r.offset));
            values[2] = Int32GetDatum(static_cast<int32>(r.offset_end));
            values[3] = Int64GetDatum(r.cohort_size);
            values[4] = Int64GetDatum(r.active_customers);
            nulls[5] = !Percent(r.active_customers, r.cohort_size, values[5]);
            values[6] = ca::pg::MoneyToNumeric(r.revenue, decimals);
            values[7] = BoolGetDatum(r.complete);
        });
    });
    return (Datum)0;
}

// kpis(orders_sql, period, time_zone)
CA_FUNCTION(ca_kpis) {
    RetentionInputs in = CommonInputs(fcinfo, 2);
    ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    std::unique_ptr<ca::CustomerIndex> index;
    std::unique_ptr<ca::RetentionAccumulator> acc;
    const bool any = Accumulate("kpis", ctx, in, ca::RetentionOutput::Periods, index, acc);
    const ca::Period period = in.period;
    const int decimals = any ? acc->decimals() : 0;
    ca::pg::ResultWriter out(fcinfo);
    if (!any) return (Datum)0;
    acc->Kpis([&](const ca::KpiRow &r) {
        out.Row<8>([&](Datum *values, bool *nulls) {
            values[0] = DateADTGetDatum(ca::PeriodStartFromIndex(period, r.period));
            values[1] = Int64GetDatum(r.orders);
            values[2] = ca::pg::MoneyToNumeric(r.revenue, decimals);
            if (r.orders > 0)
                values[3] = DirectFunctionCall2(
                    numeric_round,
                    DirectFunctionCall2(numeric_div, values[2],
                                        DirectFunctionCall1(int8_numeric, Int64GetDatum(r.orders))),
                    Int32GetDatum(2));
            else
                nulls[3] = true;
            values[4] = Int64GetDatum(r.active_customers);
            values[5] = Int64GetDatum(r.new_customers);
            values[6] = Int64GetDatum(r.active_customers - r.new_customers);
            nulls[7] = !Percent(r.repeaters_so_far, r.customers_so_far, values[7]);
        });
    });
    return (Datum)0;
}
