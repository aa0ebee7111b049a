// The order as every analytic receives it from the reader: one input row, or (with order_id) one
// order pre-aggregated from its lines (docs/rfm.md, "Orders and purchases"); what an analytic does
// with the orders (OrderConsumer); and the rows it skipped (SkippedRows).
#pragma once

#include <cstdint>

#include "money.hpp"

namespace ca {

// A missing time or amount means the row (or every line) was unusable.
struct Order {
    bool has_time = false;
    std::int64_t time = 0;  // a monotone time scale (the glue uses microseconds)
    bool has_amount = false;
    Money amount = 0;
    int decimals = 0;              // decimal places the amount is shown with (0..8)
    std::int64_t lines = 1;        // input rows this order stands for
    std::int64_t bad_lines = 0;    // of them, rows with a NULL (or non-finite) field
    std::int64_t after_lines = 0;  // of them, rows found after as_of before they got here
};

// Input rows an analytic left out, by reason: the one report of skipped rows every analytic gives
// (the glue raises one NOTICE when any count is non-zero, docs/architecture.md).
struct SkippedRows {
    std::int64_t null_customer_rows = 0;  // customer_id NULL
    std::int64_t null_field_rows = 0;     // a NULL (or non-finite) time or amount, or order_id
    std::int64_t after_bound_rows = 0;    // after the analysis bound (rfm's as_of, end_at)
    // Transactions (transactions.hpp): lines without a transaction (order_id, or customer_id when
    // baskets are per customer) or item, and lines whose quantity is zero or negative.
    std::int64_t null_transaction_rows = 0;
    std::int64_t null_item_rows = 0;
    std::int64_t non_positive_quantity_rows = 0;
    // Mining per group: lines whose group_key is NULL (they belong to no group).
    std::int64_t null_group_rows = 0;
    std::int64_t total() const {
        return null_customer_rows + null_field_rows + after_bound_rows + null_transaction_rows +
               null_item_rows + non_positive_quantity_rows + null_group_rows;
    }
};

// What an analytic does with the orders the reader streams to it, customers as dense indices
// (CustomerIndex). Called while PostgreSQL's executor runs the query: it must not call PostgreSQL.
class OrderConsumer {
  public:
    virtual ~OrderConsumer() = default;
    virtual void AddNullCustomer(std::int64_t lines) = 0;
    // Hint that Add(customer, ...) follows soon, so its state can be fetched meanwhile.
    virtual void Prefetch(std::uint32_t customer) const = 0;
    virtual void Add(std::uint32_t customer, const Order &order) = 0;
};

}  // namespace ca
