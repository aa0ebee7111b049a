// The per-customer summary the CLV models read (docs/clv.md, "The customer summary"), as the BTYD
// literature and Python lifetimes define it, at a calibration end as_of and in a time unit:
//
//   purchase day   a day (local calendar day) with at least one order of amount >= 0; the orders
//                  of one day make one purchase whose value is their sum. A zero amount is a
//                  purchase (a transaction took place: CDNOW has free items); orders with
//                  amount < 0 (returns) are not purchases and add nothing.
//   frequency x    purchase days - 1 (repeat purchases)
//   recency t_x    days from the first to the last purchase day, in units
//   T              days from the first purchase day to as_of's day, in units
//   monetary       the mean value of the repeat purchases (all purchase days but the first); none
//                  when x = 0
//
// Orders on days after as_of's day are left out (and counted); customers without a purchase by
// then have no summary.
//
// Holdout evaluation (docs/clv.md, "Holdout evaluation"): with a holdout end, as_of is the end of
// calibration, and the purchase days in (as_of's day, holdout end's day] of the customers with a
// summary are counted too, per customer and per day (the tracking table).
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <string>

#include "exec_context.hpp"
#include "money.hpp"
#include "orders.hpp"

namespace ca {

// "day" (1), "week" (7), "month" (365.25 / 12 = 30.4375) or "year" (365.25): the unit's length in
// days. Throws InvalidParameter for any other text.
double ParseTimeUnit(const std::string &unit);

struct ClvCustomer {
    std::uint32_t customer;  // index from the reader's CustomerIndex
    std::int64_t frequency;
    double recency;
    double T;
    bool has_monetary;  // frequency > 0
    double monetary;
    std::int32_t first_day;              // of the first purchase (days since 2000-01-01)
    std::int64_t holdout_purchases = 0;  // purchase days in the holdout period
};

// One period of the tracking table: repeat purchases of the cohort (the customers with a summary)
// in period k, whose days are [start + (k - 1) unit, start + k unit) after the cohort's first
// purchase day, actual and expected (the fitted model's E[X(t)] of each customer from its first
// purchase on, summed).
struct TrackingPeriod {
    std::int32_t period;     // 1, 2, ...
    std::int32_t first_day;  // the first whole day in it
    bool holdout;            // it ends after as_of's day
    std::int64_t actual;
    double expected;
};

class ClvSummaries final : public OrderConsumer {
  public:
    // Orders count up to and including day `as_of_day` (days since 2000-01-01) when has_as_of;
    // otherwise as_of is the latest purchase day. With has_holdout (and has_as_of), purchases up to
    // holdout_end_day (>= as_of_day) are kept for the holdout counts.
    ClvSummaries(ExecContext &ctx, bool has_as_of, std::int32_t as_of_day, bool has_holdout = false,
                 std::int32_t holdout_end_day = 0);

    void AddNullCustomer(std::int64_t lines) override { skips_.null_customer_rows += lines; }
    void Prefetch(std::uint32_t) const override {}
    // order.time is local time in microseconds since 2000-01-01 (a PostgreSQL timestamp). Throws
    // DataException when a customer's purchases add up beyond Money's range.
    void Add(std::uint32_t customer, const Order &order) override;

    // The summaries in customer index order, times in units of `unit_days` days. Call once: it
    // frees what it read.
    BudgetVector<ClvCustomer> Finish(ExecContext &ctx, double unit_days);

    // The tracking table from the first purchase day of the cohort to the holdout end (or as_of),
    // in periods of `unit_days`; `expected_new(t)` is E[X(t)] of a customer t units after its
    // first purchase. Call after Finish.
    BudgetVector<TrackingPeriod> Track(ExecContext &ctx, double unit_days,
                                       const std::function<double(double)> &expected_new) const;

    const SkippedRows &skips() const { return skips_; }
    // Whether as_of is known (given, or some purchase was seen), and its day.
    bool has_as_of() const { return has_as_of_; }
    std::int32_t as_of_day() const { return as_of_day_; }
    std::int32_t holdout_end_day() const { return has_holdout_ ? holdout_end_day_ : as_of_day_; }

  private:
    // Per customer, kept as the orders stream in: the earliest purchase day up to as_of, the value
    // of that day's purchases and of all purchases up to as_of (40 bytes).
    struct Amounts {
        std::int32_t first_day = INT32_MAX;
        PackedMoney first_total, total;
    };
    bool has_as_of_, as_of_given_, has_holdout_;
    std::int32_t as_of_day_, holdout_end_day_;
    BudgetVector<Amounts> amounts_;
    // (customer << 32) | (day + 2^31) of every purchase: sorted and made unique, the purchase days
    // (8 bytes an order: the distinct days are the one thing that cannot be counted as the orders
    // stream in, in any order).
    BudgetVector<std::uint64_t> day_keys_;
    // Filled by Finish for Track: the first purchase day of each customer with a summary, and the
    // days of their repeat purchases (one per purchase day), both sorted.
    BudgetVector<std::int32_t> first_days_, repeat_days_;
    SkippedRows skips_;

    std::int32_t LastDay() const { return has_holdout_ ? holdout_end_day_ : as_of_day_; }
};

}  // namespace ca
