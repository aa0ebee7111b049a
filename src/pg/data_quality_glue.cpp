// SQL face of the data-quality reports: order_data_quality() and basket_data_quality(). The
// checks are defined in src/core/data_quality.*; this file reads the arguments, reads the rows
// through the readers (ReadDistinctOrderRows, ReadItemPairs: PostgreSQL groups identical rows, so
// that exact duplicates arrive once with their number of copies, and the grouping spills to disk
// under work_mem instead of growing here) and returns the report.
#include <string>
#include <string_view>
#include <vector>

#include "args.hpp"
#include "data_quality.hpp"
#include "door.hpp"
#include "inner_query.hpp"
#include "key_column.hpp"
#include "orders_reader.hpp"
#include "periods.hpp"
#include "srf.hpp"
#include "transactions_reader.hpp"

namespace {

using ca::pg::Guard;
using ca::pg::Value;

ca::QualityKey KeyOf(const Value &v, bool integer) {
    ca::QualityKey k;
    k.present = !v.isnull;
    if (k.present) {
        if (integer)
            k.integer = v.i64;
        else
            k.bytes = std::string_view(v.ptr, v.len);
    }
    return k;
}

// Columns: customer key, ordered_at, amount, day, copies[, order key].
class OrderQualitySink : public ca::pg::RowSink {
  public:
    OrderQualitySink(ca::OrderQuality &quality, bool integer_customers, bool integer_orders,
                     bool has_order_id)
        : quality_(quality),
          integer_customers_(integer_customers),
          integer_orders_(integer_orders),
          has_order_id_(has_order_id) {}
    void Row(const Value *v) override {
        ca::OrderQualityRow row;
        row.customer = KeyOf(v[0], integer_customers_);
        row.has_time = !v[1].isnull;
        row.time = v[1].i64;
        row.has_amount = !v[2].isnull;
        row.amount = v[2].money;
        // The day is NULL exactly when the time is (both non-finite or NULL).
        row.day = v[3].isnull ? 0 : ca::DayOf(v[3].i64);
        row.copies = static_cast<std::uint64_t>(v[4].i64);
        if (has_order_id_) row.order = KeyOf(v[5], integer_orders_);
        quality_.Add(row);
    }

  private:
    ca::OrderQuality &quality_;
    bool integer_customers_, integer_orders_, has_order_id_;
};

// Columns: order key, item key, lines, lines with quantity <= 0.
class BasketQualitySink : public ca::pg::RowSink {
  public:
    BasketQualitySink(ca::BasketQuality &quality, bool integer_orders, bool integer_items)
        : quality_(quality), integer_orders_(integer_orders), integer_items_(integer_items) {}
    void Row(const Value *v) override {
        ca::BasketQualityPair pair;
        pair.order = KeyOf(v[0], integer_orders_);
        pair.item = KeyOf(v[1], integer_items_);
        pair.lines = static_cast<std::uint64_t>(v[2].i64);
        pair.non_positive_quantity = static_cast<std::uint64_t>(v[3].i64);
        quality_.Add(pair);
    }

  private:
    ca::BasketQuality &quality_;
    bool integer_orders_, integer_items_;
};

void WriteReport(FunctionCallInfo fcinfo, const std::vector<ca::QualityCheck> &report) {
    ca::pg::ResultWriter out(fcinfo);
    for (const ca::QualityCheck &c : report) {
        const char *name = c.check.c_str();
        const char *example = c.example.c_str();
        const int example_len = static_cast<int>(c.example.size());
        out.Row<4>([&](Datum *values, bool *nulls) {
            values[0] = PointerGetDatum(cstring_to_text(name));
            values[1] = Int64GetDatum(static_cast<int64>(c.rows));
            nulls[2] = !c.has_share;
            values[2] = Float8GetDatum(c.share);
            nulls[3] = !c.has_example;
            if (c.has_example)
                values[3] = PointerGetDatum(cstring_to_text_with_len(example, example_len));
        });
    }
}

}  // namespace

// order_data_quality(orders_sql, as_of)
CA_FUNCTION(ca_order_data_quality) {
    const std::string orders_sql = ca::pg::RequiredTextArg(fcinfo, 0, "orders_sql");
    // as_of defaults to now(): the transaction's start, as now() is.
    TimestampTz as_of = 0;
    if (PG_ARGISNULL(1)) {
        as_of = GetCurrentTransactionStartTimestamp();
    } else {
        as_of = PG_GETARG_TIMESTAMPTZ(1);
        if (TIMESTAMP_NOT_FINITE(as_of))
            throw ca::InvalidParameter("as_of must be finite", {},
                                       "Pass a timestamp, or NULL for the current time.");
    }
    // as_of on each ordered_at type's scale: a date is after as_of when it is after as_of's day
    // (both in the session's time zone), a timestamp when it is after as_of's local time.
    DateADT as_of_day = 0;
    Timestamp as_of_local = 0;
    Guard([&] {
        const Datum ts = TimestampTzGetDatum(as_of);
        as_of_day = DatumGetDateADT(DirectFunctionCall1(timestamptz_date, ts));
        as_of_local = DatumGetTimestamp(DirectFunctionCall1(timestamptz_timestamp, ts));
    });

    ca::ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    ca::pg::SpiSession spi;
    const ca::pg::OrdersSource source = ca::pg::DescribeOrders(orders_sql);
    const ca::pg::KeyColumn &order_key = source.order;

    ca::OrderQualityOptions options;
    options.integer_customers = source.customer.kind == ca::pg::KeyColumn::Kind::Integer;
    options.has_order_id = source.has_order_id;
    options.integer_orders = order_key.kind == ca::pg::KeyColumn::Kind::Integer;
    if (source.time_type == DATEOID) {
        options.time_type = ca::QualityTime::Date;
        options.as_of = static_cast<std::int64_t>(as_of_day) * USECS_PER_DAY;
    } else if (source.time_type == TIMESTAMPOID) {
        options.time_type = ca::QualityTime::Timestamp;
        options.as_of = as_of_local;
    } else {
        options.time_type = ca::QualityTime::TimestampTz;
        options.as_of = as_of;
    }

    ca::OrderQuality quality(ctx, options);
    OrderQualitySink sink(quality, options.integer_customers, options.integer_orders,
                          options.has_order_id);
    ca::pg::ReadDistinctOrderRows(orders_sql, source, sink);
    spi.Finish();
    WriteReport(fcinfo, quality.Finish());
    return (Datum)0;
}

// basket_data_quality(items_sql)
CA_FUNCTION(ca_basket_data_quality) {
    const std::string items_sql = ca::pg::RequiredTextArg(fcinfo, 0, "items_sql");
    ca::ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    ca::pg::SpiSession spi;
    const ca::pg::TransactionsSource source = ca::pg::DescribeTransactions(items_sql, "items_sql");

    ca::BasketQualityOptions options;
    options.integer_orders = source.order.kind == ca::pg::KeyColumn::Kind::Integer;
    options.integer_items = source.item.kind == ca::pg::KeyColumn::Kind::Integer;
    options.has_quantity = source.has_quantity;
    ca::BasketQuality quality(ctx, options);
    BasketQualitySink sink(quality, options.integer_orders, options.integer_items);
    ca::pg::ReadItemPairs(items_sql, source, sink);
    spi.Finish();
    WriteReport(fcinfo, quality.Finish());
    return (Datum)0;
}
