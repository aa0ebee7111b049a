// SQL face of RFM: rfm(), rfm_default_segments() and the rfm_summary aggregate. Definitions live
// in src/core/rfm.*; this file reads inputs, builds the inner query and returns rows.
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "args.hpp"
#include "door.hpp"
#include "inner_query.hpp"
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

constexpr const char *kOrdersExample =
    "SELECT customer_id, ordered_at, amount [, order_id] FROM orders";

// ---- Segment map from a query --------------------------------------------------------------

class SegmentSink : public ca::pg::RowSink {
  public:
    std::vector<ca::SegmentRule> rules;
    void Row(const Value *v) override {
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
        "SELECT q.segment::text, q.r_min, q.r_max, q.f_min, q.f_max, q.m_min, q.m_max FROM (" +
        ca::pg::SubqueryText(sql) + "\n) AS q";
    if (found[7].present()) query += " ORDER BY q.priority";
    SegmentSink sink;
    ca::pg::StreamQuery(query,
                        {Conversion::Text, Conversion::Int64, Conversion::Int64, Conversion::Int64,
                         Conversion::Int64, Conversion::Int64, Conversion::Int64},
                        CurrentMemoryContext, sink);
    return std::move(sink.rules);
}

// ---- Orders, reduced to one row per customer by the inner query ---------------------------

// Result columns of the per-customer query built by CustomerQuery().
enum CustomerColumn {
    kId,
    kRows,
    kBad,
    kAfter,
    kFrequency,
    kLastDay,
    kMonetary,
    kMonetaryF8,
    kLastAnyDay,
    kColumns
};

struct SkipCounts {
    std::int64_t null_customer_rows = 0;
    std::int64_t null_field_rows = 0;
    std::int64_t after_as_of_rows = 0;
    std::int64_t customers_without_purchase = 0;
};

class CustomerSink : public ca::pg::RowSink {
  public:
    explicit CustomerSink(ExecContext &ctx)
        : ctx_(ctx),
          ids(MakeBudgetVector<Datum>(ctx)),
          monetary(MakeBudgetVector<Datum>(ctx)),
          last_day(MakeBudgetVector<std::int32_t>(ctx)),
          frequency(MakeBudgetVector<double>(ctx)),
          monetary_f8(MakeBudgetVector<double>(ctx)) {}

    // No interrupt check here: this runs inside the executor, which checks for interrupts itself.
    void Row(const Value *v) override {
        // The copies made for this row count against the limit whether kept or not.
        ctx_.Charge(v[kId].len + v[kMonetary].len);
        if (v[kId].isnull) {
            skips.null_customer_rows += v[kRows].i64;
            return;
        }
        skips.null_field_rows += v[kBad].i64;
        skips.after_as_of_rows += v[kAfter].i64;
        if (!v[kLastAnyDay].isnull && v[kLastAnyDay].i64 > max_last_any_day)
            max_last_any_day = static_cast<std::int32_t>(v[kLastAnyDay].i64);
        if (v[kFrequency].i64 == 0 || v[kLastDay].isnull) {
            ++skips.customers_without_purchase;
            return;
        }
        ids.push_back(v[kId].datum);
        last_day.push_back(static_cast<std::int32_t>(v[kLastDay].i64));
        frequency.push_back(static_cast<double>(v[kFrequency].i64));
        monetary.push_back(v[kMonetary].isnull ? (Datum)0 : v[kMonetary].datum);
        monetary_f8.push_back(v[kMonetaryF8].isnull ? 0.0 : v[kMonetaryF8].f8);
    }

    ExecContext &ctx_;
    BudgetVector<Datum> ids, monetary;
    BudgetVector<std::int32_t> last_day;
    BudgetVector<double> frequency, monetary_f8;
    std::int32_t max_last_any_day = INT32_MIN;
    SkipCounts skips;
};

// The query that reduces the user's rows to one row per customer, in PostgreSQL (where it can use
// parallel workers). `count_rows`: frequency counts every row (r_rfm) instead of orders with a
// positive net amount. `by_customer`: return customers in customer_id order (the id's own type),
// which is NTILE's documented tie-break. `as_of`: a literal of ordered_at's own type (so the
// comparison needs no per-row conversion), or empty when no row is cut off.
std::string CustomerQuery(const std::string &user_sql, bool has_order_id, bool count_rows,
                          bool average, bool by_customer, const std::string &as_of) {
    const std::string src = "(" + ca::pg::SubqueryText(user_sql) + "\n) AS q";
    // A row counts when it has a time (at or before as_of); rows after as_of are only counted.
    const std::string in_time =
        as_of.empty() ? "q.ordered_at IS NOT NULL" : "q.ordered_at <= " + as_of;
    const std::string n_after =
        as_of.empty() ? "0::bigint" : "count(*) FILTER (WHERE q.ordered_at > " + as_of + ")";
    // Only the default as_of needs the latest row of each customer.
    const std::string last_any =
        as_of.empty() ? "max(q.ordered_at) FILTER (WHERE q.amount IS NOT NULL)" : "NULL::date";
    std::string per_customer;
    if (!has_order_id || count_rows) {
        const std::string counted = count_rows ? "q.amount IS NOT NULL" : "q.amount > 0";
        per_customer =
            "SELECT q.customer_id AS sort_key, q.customer_id::text AS id, count(*) AS n_rows,"
            " count(*) FILTER (WHERE q.ordered_at IS NULL OR q.amount IS NULL) AS n_bad, " +
            n_after +
            " AS n_after,"
            " count(*) FILTER (WHERE " +
            in_time + " AND " + counted +
            ") AS freq,"
            " (max(q.ordered_at) FILTER (WHERE " +
            in_time + " AND " + counted +
            "))::date AS last_day,"
            " (sum(q.amount) FILTER (WHERE " +
            in_time + "))::numeric AS mon, (" + last_any + ")::date AS last_any_day FROM " + src +
            " GROUP BY q.customer_id";
    } else {
        // Order lines: first one row per order (its latest line time and net amount), then per
        // customer; an order counts as a purchase when its net amount is positive.
        const std::string per_order =
            "SELECT q.customer_id AS cid, q.order_id AS oid, count(*) AS n_rows,"
            " count(*) FILTER (WHERE q.ordered_at IS NULL OR q.amount IS NULL OR q.order_id IS "
            "NULL)"
            " AS n_bad, " +
            n_after +
            " AS n_after,"
            " max(q.ordered_at) FILTER (WHERE " +
            in_time +
            " AND q.amount IS NOT NULL) AS at,"
            " sum(q.amount) FILTER (WHERE " +
            in_time + ") AS amt, " + last_any +
            " AS at_any"
            " FROM " +
            src + " GROUP BY 1, 2";
        per_customer =
            "SELECT o.cid AS sort_key, o.cid::text AS id, sum(o.n_rows)::bigint AS n_rows,"
            " sum(o.n_bad)::bigint AS n_bad, sum(o.n_after)::bigint AS n_after,"
            " count(*) FILTER (WHERE o.oid IS NOT NULL AND o.amt > 0) AS freq,"
            " (max(o.at) FILTER (WHERE o.oid IS NOT NULL AND o.amt > 0))::date AS last_day,"
            " (sum(o.amt) FILTER (WHERE o.oid IS NOT NULL))::numeric AS mon,"
            " (max(o.at_any))::date AS last_any_day"
            " FROM (" +
            per_order + ") AS o GROUP BY o.cid";
    }
    const std::string mon = average ? "(c.mon / NULLIF(c.freq, 0))" : "c.mon";
    return "SELECT c.id, c.n_rows, c.n_bad, c.n_after, c.freq, c.last_day, " + mon + ", " + mon +
           "::float8, c.last_any_day FROM (" + per_customer + ") AS c" +
           (by_customer ? " ORDER BY c.sort_key" : "");
}

void ReportSkips(const SkipCounts &s) {
    const std::int64_t skipped = s.null_customer_rows + s.null_field_rows + s.after_as_of_rows;
    if (skipped == 0 && s.customers_without_purchase == 0) return;
    Guard([&] {
        ereport(NOTICE,
                (errmsg("rfm skipped %lld input rows and %lld customers",
                        static_cast<long long>(skipped),
                        static_cast<long long>(s.customers_without_purchase)),
                 errdetail("%lld rows had a null customer_id, %lld a null ordered_at or amount "
                           "(or order_id), %lld were ordered after as_of; %lld customers had no "
                           "purchase with a positive amount by as_of.",
                           static_cast<long long>(s.null_customer_rows),
                           static_cast<long long>(s.null_field_rows),
                           static_cast<long long>(s.after_as_of_rows),
                           static_cast<long long>(s.customers_without_purchase))));
    });
}

}  // namespace

// rfm(orders_sql, as_of, bins, method, segments_sql, monetary, r_breaks, f_breaks, m_breaks)
CA_FUNCTION(ca_rfm) {
    const std::string orders_sql = ca::pg::RequiredTextArg(fcinfo, 0, "orders_sql");
    if (PG_ARGISNULL(2)) throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "bins must not be null");
    ca::RfmOptions options;
    options.bins = PG_GETARG_INT32(2);
    options.method = ca::ParseRfmMethod(ca::pg::RequiredTextArg(fcinfo, 3, "method"));
    const std::string monetary_mode = ca::pg::RequiredTextArg(fcinfo, 5, "monetary");
    if (monetary_mode != "total" && monetary_mode != "average")
        throw ca::InvalidParameter("unknown monetary \"" + monetary_mode + "\"", {},
                                   "Valid values are total and average.");
    ca::pg::Float8ArrayArg(fcinfo, 6, "r_breaks", options.r_breaks);
    ca::pg::Float8ArrayArg(fcinfo, 7, "f_breaks", options.f_breaks);
    ca::pg::Float8ArrayArg(fcinfo, 8, "m_breaks", options.m_breaks);
    if (options.method != ca::RfmMethod::Fixed &&
        !(options.r_breaks.empty() && options.f_breaks.empty() && options.m_breaks.empty()))
        throw ca::InvalidParameter("r_breaks, f_breaks and m_breaks need method \"fixed\"", {},
                                   "Pass method => 'fixed' to score with your own breaks.");

    // as_of: its calendar day in the session's time zone, and literals of each ordered_at type
    // for the inner query (date: rows of as_of's own day count; timestamp: as_of's local time).
    const bool has_as_of = !PG_ARGISNULL(1);
    std::int32_t as_of_day = 0;
    std::string as_of_date, as_of_timestamp, as_of_timestamptz;
    if (has_as_of) {
        const TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);
        if (TIMESTAMP_NOT_FINITE(as_of))
            throw ca::InvalidParameter("as_of must be finite", {},
                                       "Pass a date or timestamp, or NULL for the day after the "
                                       "latest order.");
        char *literals[3] = {nullptr, nullptr, nullptr};
        Guard([&] {
            const Datum ts = TimestampTzGetDatum(as_of);
            const Datum day = DirectFunctionCall1(timestamptz_date, ts);
            as_of_day = DatumGetDateADT(day);
            literals[0] = quote_literal_cstr(DatumGetCString(DirectFunctionCall1(date_out, day)));
            literals[1] = quote_literal_cstr(DatumGetCString(DirectFunctionCall1(
                timestamp_out, DirectFunctionCall1(timestamptz_timestamp, ts))));
            literals[2] =
                quote_literal_cstr(DatumGetCString(DirectFunctionCall1(timestamptz_out, ts)));
        });
        as_of_date = std::string(literals[0]) + "::date";
        as_of_timestamp = std::string(literals[1]) + "::timestamp";
        as_of_timestamptz = std::string(literals[2]) + "::timestamptz";
    }

    ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    MemoryContext copies = nullptr;
    Guard([&] {
        copies = AllocSetContextCreate(CurrentMemoryContext, "customer_analytics rfm",
                                       ALLOCSET_DEFAULT_SIZES);
    });

    ca::pg::SpiSession spi;
    if (PG_ARGISNULL(4)) {
        options.segments = ca::DefaultSegmentRules();
    } else {
        std::string segments_sql;
        ca::pg::TextArg(fcinfo, 4, segments_sql);
        options.segments = ReadSegmentRules(segments_sql);
    }
    ca::ValidateRfmOptions(options);

    const std::vector<Oid> times = {DATEOID, TIMESTAMPOID, TIMESTAMPTZOID};
    const std::vector<Oid> amounts = {INT2OID, INT4OID, INT8OID, NUMERICOID, FLOAT4OID, FLOAT8OID};
    const auto found = ca::pg::DescribeInnerQuery(
        orders_sql, "orders_sql",
        {{"customer_id", true, {}, "", ""},
         {"ordered_at", true, times, "date, timestamp or timestamptz", "timestamptz"},
         {"amount", true, amounts, "a number (numeric, integer or double precision)", "numeric"},
         {"order_id", false, {}, "", ""}},
        kOrdersExample);
    const bool count_rows = options.method == ca::RfmMethod::RRfm;
    const Oid time_type = found[1].type;
    const std::string &as_of_literal = time_type == DATEOID        ? as_of_date
                                       : time_type == TIMESTAMPOID ? as_of_timestamp
                                                                   : as_of_timestamptz;
    const std::string query =
        CustomerQuery(orders_sql, found[3].present(), count_rows, monetary_mode == "average",
                      options.method == ca::RfmMethod::Ntile, as_of_literal);
    CustomerSink customers(ctx);
    ca::pg::StreamQuery(query,
                        {Conversion::Copy, Conversion::Int64, Conversion::Int64, Conversion::Int64,
                         Conversion::Int64, Conversion::Int32, Conversion::Copy, Conversion::Float8,
                         Conversion::Int32},
                        copies, customers);
    spi.Finish();

    const std::size_t n = customers.ids.size();
    if (!has_as_of) as_of_day = n > 0 ? customers.max_last_any_day + 1 : 0;
    auto recency = MakeBudgetVector<double>(ctx);
    recency.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        recency[i] = static_cast<double>(as_of_day) - customers.last_day[i];

    ca::RfmScores scores(ctx);
    ca::ScoreRfm(ctx, options, recency.data(), customers.frequency.data(),
                 customers.monetary_f8.data(), n, scores);
    const ca::RfmScoreRange max_scores = ca::MaxScores(options);

    // Segment names as text datums, "Others" last.
    const std::size_t nrules = options.segments.size();
    std::vector<const char *> names;
    for (const auto &rule : options.segments) names.push_back(rule.name.c_str());
    names.push_back("Others");

    ReportSkips(customers.skips);
    Guard([&] {
        ca::pg::BeginMaterializedResult(fcinfo);
        auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
        Datum *segment_text = static_cast<Datum *>(palloc(sizeof(Datum) * (nrules + 1)));
        for (std::size_t i = 0; i <= nrules; ++i)
            segment_text[i] = PointerGetDatum(cstring_to_text(names[i]));
        Datum values[9];
        bool nulls[9] = {false};
        for (std::size_t i = 0; i < n; ++i) {
            if (i % ExecContext::kTickInterval == 0) CHECK_FOR_INTERRUPTS();
            char cell[ca::kRfmCellBuffer];
            ca::FormatRfmCell(cell, scores.r[i], scores.f[i], scores.m[i], max_scores);
            values[0] = customers.ids[i];
            values[1] = Int32GetDatum(static_cast<int32>(recency[i]));
            values[2] = Int64GetDatum(static_cast<int64>(customers.frequency[i]));
            values[3] = customers.monetary[i];
            nulls[3] = customers.monetary[i] == (Datum)0;
            values[4] = Int32GetDatum(scores.r[i]);
            values[5] = Int32GetDatum(scores.f[i]);
            values[6] = Int32GetDatum(scores.m[i]);
            text *cell_text = cstring_to_text(cell);
            values[7] = PointerGetDatum(cell_text);
            const int seg = scores.segment[i];
            values[8] = segment_text[seg < 0 ? nrules : static_cast<std::size_t>(seg)];
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
            pfree(cell_text);
        }
        MemoryContextDelete(copies);
    });
    return (Datum)0;
}

// rfm_default_segments(): the default map as rows.
CA_FUNCTION(ca_rfm_default_segments) {
    const std::vector<ca::SegmentRule> rules = ca::DefaultSegmentRules();
    Guard([&] {
        ca::pg::BeginMaterializedResult(fcinfo);
        auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
        for (std::size_t i = 0; i < rules.size(); ++i) {
            const ca::SegmentRule &r = rules[i];
            Datum values[8] = {Int32GetDatum(static_cast<int32>(i + 1)),
                               PointerGetDatum(cstring_to_text(r.name.c_str())),
                               Int32GetDatum(r.r_lo),
                               Int32GetDatum(r.r_hi),
                               Int32GetDatum(r.f_lo),
                               Int32GetDatum(r.f_hi),
                               Int32GetDatum(r.m_lo),
                               Int32GetDatum(r.m_hi)};
            bool nulls[8] = {false};
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        }
    });
    return (Datum)0;
}
