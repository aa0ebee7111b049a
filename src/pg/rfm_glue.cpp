// SQL face of RFM: rfm(), rfm_default_segments() and the rfm_summary aggregate. Definitions live
// in src/core/rfm.*; this file reads inputs, builds the inner query and returns rows.
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include <algorithm>
#include <string_view>

#include "args.hpp"
#include "collation_sort.hpp"
#include "customer_index.hpp"
#include "customer_summary.hpp"
#include "door.hpp"
#include "inner_query.hpp"
#include "key_column.hpp"
#include "orders_reader.hpp"
#include "periods.hpp"
#include "pg_money.hpp"
#include "rfm.hpp"
#include "srf.hpp"

namespace {

using ca::BudgetVector;
using ca::ExecContext;
using ca::MakeBudgetVector;
using ca::pg::Conversion;
using ca::pg::Guard;
using ca::pg::SqlError;
using ca::pg::Value;

// ---- Segment map from a query --------------------------------------------------------------

class SegmentSink : public ca::pg::RowSink {
  public:
    std::vector<ca::SegmentRule> rules;
    void Row(const Value *v) override {
        // Stop early rather than read a huge table into memory before ValidateSegmentRules.
        if (rules.size() >= ca::kMaxSegmentRules)
            throw ca::InvalidParameter(
                "too many segment rules", {},
                "Give at most " + std::to_string(ca::kMaxSegmentRules) + " rules.");
        for (int i = 0; i < 7; ++i)
            if (v[i].isnull)
                throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "segments_sql returned a null value",
                               "Rule " + std::to_string(rules.size() + 1) + " has a null column.",
                               "Every rule needs segment, r_min, r_max, f_min, f_max, m_min and "
                               "m_max.");
        auto bound = [&](int i) {
            const std::int64_t x = v[i].i64;
            return static_cast<int>(x < -1000 ? -1000 : (x > 1000 ? 1000 : x));
        };
        rules.push_back({std::string(v[0].ptr, v[0].len), bound(1), bound(2), bound(3), bound(4),
                         bound(5), bound(6)});
    }
};

std::vector<ca::SegmentRule> ReadSegmentRules(const std::string &sql) {
    const std::vector<Oid> ints = {INT2OID, INT4OID, INT8OID};
    const std::vector<ca::pg::ColumnSpec> specs = {
        {"segment", true, {TEXTOID, VARCHAROID}, "text", "text"},
        {"r_min", true, ints, "integer", "integer"},
        {"r_max", true, ints, "integer", "integer"},
        {"f_min", true, ints, "integer", "integer"},
        {"f_max", true, ints, "integer", "integer"},
        {"m_min", true, ints, "integer", "integer"},
        {"m_max", true, ints, "integer", "integer"},
        {"priority", false, {}, "", ""},
    };
    const auto found = ca::pg::DescribeInnerQuery(
        sql, "segments_sql", specs,
        "SELECT segment, r_min, r_max, f_min, f_max, m_min, m_max [, priority] FROM my_segments "
        "ORDER BY priority");
    std::string query =
        "SELECT q.segment::pg_catalog.text, q.r_min, q.r_max, q.f_min, q.f_max, q.m_min, q.m_max "
        "FROM (" +
        ca::pg::SubqueryText(sql, "segments_sql") + "\n) AS q";
    if (found[7].present()) query += " ORDER BY q.priority";
    SegmentSink sink;
    ca::pg::StreamQuery(query,
                        {Conversion::Text, Conversion::Int64, Conversion::Int64, Conversion::Int64,
                         Conversion::Int64, Conversion::Int64, Conversion::Int64},
                        sink);
    return std::move(sink.rules);
}

}  // namespace

// rfm(id_type, orders_sql, as_of, bins, method, segments_sql, monetary, r_breaks, f_breaks,
//     m_breaks). id_type (a NULL of any type) only decides customer_id's result type.
CA_FUNCTION(ca_rfm) {
    const std::string orders_sql = ca::pg::RequiredTextArg(fcinfo, 1, "orders_sql");
    if (PG_ARGISNULL(3)) throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "bins must not be null");
    ca::RfmOptions options;
    options.bins = PG_GETARG_INT32(3);
    options.method = ca::ParseRfmMethod(ca::pg::RequiredTextArg(fcinfo, 4, "method"));
    const std::string monetary_mode = ca::pg::RequiredTextArg(fcinfo, 6, "monetary");
    if (monetary_mode != "total" && monetary_mode != "average")
        throw ca::InvalidParameter("unknown monetary \"" + monetary_mode + "\"", {},
                                   "Valid values are total and average.");
    const bool average = monetary_mode == "average";
    ca::pg::Float8ArrayArg(fcinfo, 7, "r_breaks", options.r_breaks);
    ca::pg::Float8ArrayArg(fcinfo, 8, "f_breaks", options.f_breaks);
    ca::pg::Float8ArrayArg(fcinfo, 9, "m_breaks", options.m_breaks);
    if (options.method != ca::RfmMethod::Fixed &&
        !(options.r_breaks.empty() && options.f_breaks.empty() && options.m_breaks.empty()))
        throw ca::InvalidParameter("r_breaks, f_breaks and m_breaks need method \"fixed\"", {},
                                   "Pass method => 'fixed' to score with your own breaks.");

    // as_of: its calendar day in the session's time zone, and its value in each ordered_at type
    // (date: the whole day counts; timestamp: as_of's local time). Values, never SQL text.
    const bool has_as_of = !PG_ARGISNULL(2);
    std::int32_t as_of_day = 0;
    Timestamp as_of_local = 0;
    TimestampTz as_of = 0;
    if (has_as_of) {
        as_of = PG_GETARG_TIMESTAMPTZ(2);
        if (TIMESTAMP_NOT_FINITE(as_of))
            throw ca::InvalidParameter("as_of must be finite", {},
                                       "Pass a date or timestamp, or NULL for the day after the "
                                       "latest order.");
        Guard([&] {
            const Datum ts = TimestampTzGetDatum(as_of);
            as_of_day = DatumGetDateADT(DirectFunctionCall1(timestamptz_date, ts));
            as_of_local = DatumGetTimestamp(DirectFunctionCall1(timestamptz_timestamp, ts));
        });
    }

    ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    ca::pg::SpiSession spi;
    if (PG_ARGISNULL(5)) {
        options.segments = ca::DefaultSegmentRules();
    } else {
        std::string segments_sql;
        ca::pg::TextArg(fcinfo, 5, segments_sql);
        options.segments = ReadSegmentRules(segments_sql);
    }
    ca::ValidateRfmOptions(options);

    const ca::pg::OrdersSource source = ca::pg::DescribeOrders(orders_sql);
    const Oid time_type = source.time_type;
    std::int64_t as_of_usecs = as_of;
    Datum as_of_bound = TimestampTzGetDatum(as_of);
    if (time_type == DATEOID) {
        as_of_usecs = static_cast<std::int64_t>(as_of_day) * USECS_PER_DAY;
        as_of_bound = DateADTGetDatum(as_of_day);
    } else if (time_type == TIMESTAMPOID) {
        as_of_usecs = as_of_local;
        as_of_bound = TimestampGetDatum(as_of_local);
    }

    // r_rfm counts rows, as R does, and so ignores order_id.
    const bool count_rows = options.method == ca::RfmMethod::RRfm;
    ca::pg::OrdersRead read;
    read.grouped = source.has_order_id && !count_rows;
    if (has_as_of) {
        read.has_bound = true;
        read.bound_inclusive = true;
        read.bound_type = time_type;
        read.bound = as_of_bound;
    }
    // customer_id comes back in the type id_type resolved to (text unless given).
    const ca::pg::KeyOutput customer_out(source.customer, ca::pg::ResultColumnType(fcinfo, 1),
                                         "customer_id", "id_type");
    ca::CustomerIndex index(ctx, source.customer.IndexKind());
    ca::CustomerSummaries orders(
        ctx, count_rows ? ca::PurchaseRule::EveryOrder : ca::PurchaseRule::PositiveAmount,
        has_as_of, as_of_usecs);
    ca::pg::ReadOrders(orders_sql, source, read, index, orders);
    spi.Finish();

    // The customers with a purchase, in customer_id order when NTILE needs its tie-break.
    auto scored = orders.WithPurchase(ctx);
    const std::int64_t without_purchase =
        static_cast<std::int64_t>(index.size()) - static_cast<std::int64_t>(scored.size());
    if (options.method == ca::RfmMethod::Ntile) {
        if (source.customer.kind == ca::pg::KeyColumn::Kind::Integer) {
            std::sort(scored.begin(), scored.end(),
                      [&index, &ctx](std::uint32_t a, std::uint32_t b) {
                          ctx.Tick();
                          return index.IntegerId(a) < index.IntegerId(b);
                      });
        } else {
            ca::pg::SortByCollation(ctx, index, scored, source.customer.collation);
        }
    }

    // Days of the last purchases (and of the latest order, for the default as_of), in the
    // session's time zone for timestamptz.
    const std::size_t n = scored.size();
    auto last_day = MakeBudgetVector<std::int32_t>(ctx);
    last_day.resize(n);
    std::int32_t latest_day = 0;
    const std::uint32_t *order = scored.data();
    const ca::CustomerSummary *state = orders.customers().data();
    const bool has_latest = orders.has_latest();
    const std::int64_t latest = orders.latest();
    if (time_type == TIMESTAMPTZOID) {
        std::int32_t *days = last_day.data();
        Guard([&] {
            for (std::size_t i = 0; i < n; ++i) {
                if (i % ExecContext::kTickInterval == 0) CHECK_FOR_INTERRUPTS();
                days[i] = DatumGetDateADT(DirectFunctionCall1(
                    timestamptz_date, TimestampTzGetDatum(state[order[i]].last_purchase())));
            }
            if (has_latest)
                latest_day = DatumGetDateADT(
                    DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(latest)));
        });
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            ctx.Tick();
            last_day[i] = ca::DayOf(state[order[i]].last_purchase());
        }
        latest_day = ca::DayOf(latest);
    }
    if (!has_as_of) as_of_day = latest_day + 1;

    auto recency = MakeBudgetVector<double>(ctx);
    auto frequency = MakeBudgetVector<double>(ctx);
    auto monetary = MakeBudgetVector<double>(ctx);
    recency.resize(n);
    frequency.resize(n);
    monetary.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        ctx.Tick();
        const ca::CustomerSummary &c = state[order[i]];
        recency[i] = static_cast<double>(as_of_day) - last_day[i];
        frequency[i] = static_cast<double>(c.purchases());
        monetary[i] = average ? c.AverageAmount() : ca::MoneyToDouble(c.net_amount());
    }

    ca::RfmScores scores(ctx);
    ca::ScoreRfm(ctx, options, recency.data(), frequency.data(), monetary.data(), n, scores);
    const ca::RfmScoreRange max_scores = ca::MaxScores(options);

    // Segment names as text datums, "Others" last.
    const std::size_t nrules = options.segments.size();
    std::vector<const char *> names;
    for (const auto &rule : options.segments) names.push_back(rule.name.c_str());
    names.push_back("Others");

    ca::pg::ReportSkippedRows("rfm", orders.skips(), "ordered after as_of", without_purchase,
                              "had no purchase with a positive amount by as_of");
    ca::pg::ResultWriter out(fcinfo);
    Datum *segment_text = nullptr;
    Guard([&] {
        // Allocated in the function's context, outside the per-row one.
        segment_text = static_cast<Datum *>(palloc(sizeof(Datum) * (nrules + 1)));
        for (std::size_t i = 0; i <= nrules; ++i)
            segment_text[i] = PointerGetDatum(cstring_to_text(names[i]));
    });
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t customer = order[i];
        const ca::CustomerSummary &c = state[customer];
        const ca::Money net = c.net_amount();
        const int decimals = c.decimals();
        const std::int64_t purchases = c.purchases();
        char cell[ca::kRfmCellBuffer];
        ca::FormatRfmCell(cell, scores.r[i], scores.f[i], scores.m[i], max_scores);
        const int seg = scores.segment[i];
        const Datum segment = segment_text[seg < 0 ? nrules : static_cast<std::size_t>(seg)];
        const double recency_days = recency[i];
        const int r = scores.r[i], f = scores.f[i], m = scores.m[i];
        out.Row<9>([&](Datum *values, bool *) {
            values[0] = customer_out.Make(index, customer);
            Datum total = ca::pg::MoneyToNumeric(net, decimals);
            if (average)
                total = DirectFunctionCall2(
                    numeric_div, total,
                    DirectFunctionCall1(int8_numeric, Int64GetDatum(purchases)));
            values[1] = Int32GetDatum(static_cast<int32>(recency_days));
            values[2] = Int64GetDatum(purchases);
            values[3] = total;
            values[4] = Int32GetDatum(r);
            values[5] = Int32GetDatum(f);
            values[6] = Int32GetDatum(m);
            values[7] = PointerGetDatum(cstring_to_text(cell));
            values[8] = segment;
        });
    }
    return (Datum)0;
}

// rfm_default_segments(): the default map as rows.
CA_FUNCTION(ca_rfm_default_segments) {
    const std::vector<ca::SegmentRule> rules = ca::DefaultSegmentRules();
    ca::pg::ResultWriter out(fcinfo);
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const ca::SegmentRule &r = rules[i];
        out.Row<8>([&](Datum *values, bool *) {
            values[0] = Int32GetDatum(static_cast<int32>(i + 1));
            values[1] = PointerGetDatum(cstring_to_text(r.name.c_str()));
            values[2] = Int32GetDatum(r.r_lo);
            values[3] = Int32GetDatum(r.r_hi);
            values[4] = Int32GetDatum(r.f_lo);
            values[5] = Int32GetDatum(r.f_hi);
            values[6] = Int32GetDatum(r.m_lo);
            values[7] = Int32GetDatum(r.m_hi);
        });
    }
    return (Datum)0;
}
