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
    bool text_cast;    // neither integer nor text/varchar: keyed by its text form
    Oid collation;     // text/varchar ids: their collation (for ordering); else InvalidOid
    Oid time_type;     // DATEOID, TIMESTAMPOID or TIMESTAMPTZOID
    bool has_order_id;
};

// Checks the columns (42703/42804/42702 with the expected shape as hint). Between SPI_connect and
// SPI_finish.
OrdersSource DescribeOrders(const std::string &orders_sql);

struct OrdersRead {
    // One row per (customer_id, order_id), summed by PostgreSQL, instead of the rows as they are.
    bool grouped = false;
    // The time each order gets, as SQL over the user's columns (q.*): ordered_at itself, or for
    // example its local time in a zone. Must be date, timestamp or timestamptz.
    std::string time_expr = "q.ordered_at";
    // For grouped reads: SQL condition on time_expr for the lines that count (e.g. "<= '...'");
    // the other usable lines are reported as after_lines. Empty: every line counts.
    std::string keep;
};

// Streams the orders to consumer, customers through index (whose kind must match
// source.integer_ids). Between SPI_connect and SPI_finish.
void ReadOrders(const std::string &orders_sql, const OrdersSource &source, const OrdersRead &read,
                ca::CustomerIndex &index, OrderConsumer &consumer);

}  // namespace pg
}  // namespace ca
