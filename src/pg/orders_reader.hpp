// The orders reader shared by the analytics: checks the user's orders_sql (customer_id, ordered_at,
// amount, optional order_id), streams its rows (or, for order lines, one row per order that
// PostgreSQL pre-aggregates) and hands each order to an OrderConsumer with a dense customer index.
#pragma once

#include "pg_headers.hpp"

#include <cstdint>
#include <string>

#include "customer_index.hpp"
#include "orders.hpp"

namespace ca {
namespace pg {

// What an analytic does with the orders. Add() runs inside the executor: no PostgreSQL calls.
class OrderConsumer {
  public:
    virtual ~OrderConsumer() = default;
    virtual void AddNullCustomer(std::int64_t lines) = 0;
    // Hint that Add(customer, ...) follows soon.
    virtual void Prefetch(std::uint32_t customer) const = 0;
    virtual void Add(std::uint32_t customer, const ca::Order &order) = 0;
};

// What DescribeOrders found in the user's query.
struct OrdersSource {
    bool integer_ids;  // customer_id is smallint/integer/bigint: keyed as integers
    bool text_cast;    // neither integer nor text/varchar: keyed by its text form (numeric
                       // with trailing zeros removed, so 1.0 and 1.00 are one customer)
    bool numeric_ids;  // customer_id is numeric
    Oid collation;     // text/varchar ids: their collation (for ordering); else InvalidOid
    Oid time_type;     // DATEOID, TIMESTAMPOID or TIMESTAMPTZOID
    bool has_order_id;
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

// Streams the orders to consumer, customers through index (whose kind must match
// source.integer_ids). Between SPI_connect and SPI_finish. The generated SQL names everything it
// uses with its schema (pg_catalog.max, OPERATOR(pg_catalog.<), ::pg_catalog.text), so no object
// of the caller's search_path runs inside it.
OrdersReadSummary ReadOrders(const std::string &orders_sql, const OrdersSource &source,
                             const OrdersRead &read, ca::CustomerIndex &index,
                             OrderConsumer &consumer);

}  // namespace pg
}  // namespace ca
