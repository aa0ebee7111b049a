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
#pragma once

#include <cstdint>
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
};

class ClvSummaries final : public OrderConsumer {
  public:
    // Orders count up to and including day `as_of_day` (days since 2000-01-01) when has_as_of;
    // otherwise as_of is the latest purchase day.
    ClvSummaries(ExecContext &ctx, bool has_as_of, std::int32_t as_of_day);

    void AddNullCustomer(std::int64_t lines) override { skips_.null_customer_rows += lines; }
    void Prefetch(std::uint32_t) const override {}
    // order.time is local time in microseconds since 2000-01-01 (a PostgreSQL timestamp).
    void Add(std::uint32_t customer, const Order &order) override;

    // The summaries in customer index order, times in units of `unit_days` days. Throws
    // DataException when a customer's purchases add up beyond Money's range.
    BudgetVector<ClvCustomer> Finish(ExecContext &ctx, double unit_days);

    const SkippedRows &skips() const { return skips_; }
    // Whether as_of is known (given, or some purchase was seen), and its day.
    bool has_as_of() const { return has_as_of_; }
    std::int32_t as_of_day() const { return as_of_day_; }

  private:
    struct DayPurchase {
        std::uint32_t customer;
        std::int32_t day;
        PackedMoney amount;
    };
    bool has_as_of_, as_of_given_;
    std::int32_t as_of_day_;
    BudgetVector<DayPurchase> purchases_;
    SkippedRows skips_;
};

}  // namespace ca
