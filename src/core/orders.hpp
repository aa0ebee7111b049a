// The order as every analytic receives it from the reader: one input row, or (with order_id) one
// order pre-aggregated from its lines (docs/rfm.md, "Orders and purchases").
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

}  // namespace ca
