// The orders reader shared by the analytics: checks the user's orders_sql (customer_id, ordered_at,
// amount, optional order_id), streams its rows (or, for order lines, one row per order that
// PostgreSQL pre-aggregates) and hands each order to a ca::OrderConsumer (src/core/orders.hpp)
// with a dense customer index; reports what the analytic skipped.
#pragma once

#include "pg_headers.hpp"

#include <cstdint>
#include <string>

#include "customer_index.hpp"
#include "inner_query.hpp"
#include "key_column.hpp"
#include "orders.hpp"

namespace ca {
namespace pg {

// What DescribeOrders found in the user's query.
struct OrdersSource {
    KeyColumn customer;  // how customer_id is keyed (and given back, KeyOutput)
    Oid time_type;       // DATEOID, TIMESTAMPOID or TIMESTAMPTZOID
    bool has_order_id;
    KeyColumn order;  // how order_id is keyed, when present
};

// Checks the columns (42703/42804/42702 with the expected shape as hint). Between SPI_connect and
// SPI_finish.
OrdersSource DescribeOrders(const std::string &orders_sql);

// Which time each order gets.
enum class OrderTime {
    AsGiven,       // ordered_at itself (date, timestamp or timestamptz)
    SessionLocal,  // timestamptz input: its local time in the session's TimeZone (a timestamp)
    ZoneLocal,     // timestamptz input: its local time in OrdersRead::zone (a timestamp)
};

struct OrdersRead {
    // One row per (customer_id, order_id), summed by PostgreSQL, instead of the rows as they are.
    bool grouped = false;
    OrderTime time = OrderTime::AsGiven;
    std::string zone;  // ZoneLocal: a time zone name PostgreSQL accepts
    // For grouped reads: only lines whose time (as above) is before the bound (or at it, with
    // bound_inclusive) count; the other usable lines are reported as after_lines. The bound is
    // passed to PostgreSQL as a parameter of type bound_type, never as text.
    bool has_bound = false;
    bool bound_inclusive = false;
    Oid bound_type = InvalidOid;
    Datum bound = 0;
    // Fill OrdersReadSummary::fingerprint (callers that read twice and compare the reads).
    bool fingerprint = false;
};

// What one read saw: the rows the sink received and (with OrdersRead::fingerprint) an
// order-independent fingerprint of their contents, so that a caller that reads twice can tell
// whether both reads returned the same rows.
struct OrdersReadSummary {
    std::uint64_t rows = 0;
    std::uint64_t fingerprint = 0;
    bool operator==(const OrdersReadSummary &o) const {
        return rows == o.rows && fingerprint == o.fingerprint;
    }
    bool operator!=(const OrdersReadSummary &o) const { return !(*this == o); }
};

// Streams the orders to consumer, customers through index (whose kind must be
// source.customer.IndexKind()). Between SPI_connect and SPI_finish. The generated SQL names
// everything it uses with its schema (pg_catalog.max, OPERATOR(pg_catalog.<), ::pg_catalog.text),
// so no object of the caller's search_path runs inside it.
OrdersReadSummary ReadOrders(const std::string &orders_sql, const OrdersSource &source,
                             const OrdersRead &read, ca::CustomerIndex &index,
                             ca::OrderConsumer &consumer);

// Every row of orders_sql as it is, for the data-quality report: PostgreSQL groups identical rows
// (customer_id, ordered_at, amount[, order_id]; NULLs equal), so each distinct row reaches `sink`
// once with its number of copies, ordered by customer, day and order (the grouping and the sort
// spill to disk under work_mem instead of growing in the backend). The sink's columns: customer
// key (source.customer.StreamConversion()), ordered_at (Time), amount (Money), its calendar day
// (Time, midnight; a timestamptz's in the session's time zone), copies (Int64), and with order_id
// the order key (source.order.StreamConversion()). Between SPI_connect and SPI_finish.
void ReadDistinctOrderRows(const std::string &orders_sql, const OrdersSource &source,
                           RowSink &sink);

// One NOTICE when the analytic skipped rows (or, with customers_reason, customers), none
// otherwise: "<function> skipped N input rows [and M customers]" with the counts by reason in the
// detail. `after_bound` says what the after-bound rows were, e.g. "ordered after as_of" (nullptr:
// the analytic has no bound, and the detail does not mention them). Call outside Guard.
void ReportSkippedRows(const char *function, const ca::SkippedRows &skips, const char *after_bound,
                       std::int64_t customers = 0, const char *customers_reason = nullptr);

}  // namespace pg
}  // namespace ca
