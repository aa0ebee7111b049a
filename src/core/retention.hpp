// Retention from orders (docs/retention.md): period retention (S, N, E, retained, reactivated),
// cohort retention and KPIs per period. Times are LOCAL wall-clock microseconds (periods.hpp);
// the glue converts to the analysis time zone before orders get here.
//
// Two passes over the same orders, each through Add(): the first finds every customer's first
// two purchases and the range of the data (every order's period, returns included); the second
// (after BeginSecondPass with the analysed range and the window start of each period boundary)
// fills per-customer bitmasks of the periods with a purchase and of the boundaries at which the
// customer is active, and the per-period and per-cohort sums. Memory: about 40 bytes per customer
// plus 16 bytes per 64 analysed periods.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "exec_context.hpp"
#include "money.hpp"
#include "orders.hpp"
#include "periods.hpp"

namespace ca {

// The analysed periods and the activity window, fixed between the two passes.
struct RetentionRange {
    std::int64_t first_period = 0;  // p0 (PeriodIndex)
    std::int64_t last_period = -1;  // p1 >= p0 - 1 (empty when below p0)
    // For the boundaries j = p0 .. p1 + 1 (the starts of those periods), the earliest purchase
    // time that still makes a customer active at b_j: b_j - active_window, in local microseconds,
    // nondecreasing. Empty: no window ("has ever purchased").
    std::vector<std::int64_t> window_starts;
};

// b_j - active_window for every boundary j = p0 .. p1 + 1 of `period`, the window being
// PostgreSQL's interval (months, days, microseconds) subtracted as PostgreSQL subtracts it from a
// timestamp; a start before the timestamp range is INT64_MIN ("every earlier purchase counts").
// Ticks ctx per boundary; call after RetentionAccumulator::CheckRange.
std::vector<std::int64_t> WindowStarts(ExecContext &ctx, Period period, std::int64_t p0,
                                       std::int64_t p1, std::int32_t months, std::int32_t days,
                                       std::int64_t usecs);

struct PeriodRetentionRow {
    std::int64_t period;  // PeriodIndex
    std::int64_t s_start, n_new, e_end, retained, reactivated;
};

struct KpiRow {
    std::int64_t period;
    std::int64_t orders;  // purchases
    Money revenue;        // all orders, returns included
    std::int64_t active_customers, new_customers;
    std::int64_t customers_so_far, repeaters_so_far;  // >= 1 and >= 2 purchases by the period's end
};

struct CohortRow {
    std::int64_t cohort;      // PeriodIndex of the first purchase
    std::int64_t offset;      // the bracket's first offset (the offset without brackets)
    std::int64_t offset_end;  // the bracket's last offset (== offset without brackets)
    std::int64_t cohort_size, active_customers;
    Money revenue;
    bool complete;  // every period of the bracket ends before the last analysed period
};

// When a customer of cohort c counts as active at offset k (docs/retention.md): On, a purchase in
// period c + k; OnOrAfter, a purchase in period c + k or any later analysed period.
enum class CohortMode { On, OnOrAfter };
// "on" or "on_or_after"; anything else is InvalidParameter with the valid names in the hint.
CohortMode ParseCohortMode(const std::string &name);

struct CohortOptions {
    std::int64_t max_offset = -1;  // < 0: every offset of the data
    CohortMode mode = CohortMode::On;
    // The first offset of each bracket (docs/retention.md); empty: one bracket per offset.
    std::vector<std::int64_t> brackets;
};
constexpr std::size_t kMaxBrackets = 10000;
// InvalidParameter unless `brackets` is non-empty, at most kMaxBrackets long, starts at 0, is
// strictly ascending and (when max_offset >= 0) ends at or before max_offset.
void CheckBrackets(const std::vector<std::int64_t> &brackets, std::int64_t max_offset);

// The error for a second read of the orders that differs from the first (a sampled or
// nondeterministic query, or a plain LIMIT under synchronized scans); `detail` says how.
Error OrdersChangedBetweenReads(const std::string &detail);

// What the second pass needs besides the range.
enum class RetentionOutput {
    Periods,  // PeriodRetention() or Kpis(): memory linear in customers and in periods
    Cohorts,  // Cohorts(): also a cohort x offset matrix of revenue and active customers
};

class RetentionAccumulator final : public OrderConsumer {
  public:
    // Orders at or after `end` (local microseconds), when has_end, are left out and counted.
    RetentionAccumulator(ExecContext &ctx, Period period, bool has_end, std::int64_t end);

    void AddNullCustomer(std::int64_t lines) override;
    void Prefetch(std::uint32_t customer) const override;
    void Add(std::uint32_t customer, const Order &order) override;

    // After the first pass: whether any usable order (purchase or return) was seen, and the
    // periods of the first and last: the default range, so that every order's revenue is in it.
    bool has_orders() const noexcept { return has_orders_; }
    std::int64_t first_order_period() const;
    std::int64_t last_order_period() const;
    Period period() const noexcept { return period_; }

    // Throws InvalidParameter when the second pass over [first_period, last_period] would have
    // more than kMaxPeriods periods (or the range is inverted). Call before building the window
    // starts, so that an absurd range fails at once.
    static void CheckRange(std::int64_t first_period, std::int64_t last_period);
    static constexpr std::int64_t kMaxPeriods = 1000000;

    // Switches Add() to the second pass over the same orders. Throws InvalidParameter for a range
    // whose window_starts do not match it. In the second pass an order of a customer the first
    // pass did not see throws OrdersChangedBetweenReads().
    void BeginSecondPass(const RetentionRange &range, RetentionOutput output);

    // After the second pass: each row goes to `emit` as soon as it is computed (the caller writes
    // it out; nothing holds the whole result).
    void PeriodRetention(const std::function<void(const PeriodRetentionRow &)> &emit) const;
    void Kpis(const std::function<void(const KpiRow &)> &emit) const;
    // One row per cohort and bracket (per offset without brackets) whose first offset is at most
    // max_offset and within the analysed range; the last bracket runs to max_offset, or to the
    // last analysed period when max_offset < 0. Needs RetentionOutput::Cohorts; checks the
    // brackets (CheckBrackets).
    void Cohorts(const CohortOptions &options,
                 const std::function<void(const CohortRow &)> &emit) const;
    void Cohorts(std::int64_t max_offset,
                 const std::function<void(const CohortRow &)> &emit) const {
        CohortOptions options;
        options.max_offset = max_offset;
        Cohorts(options, emit);
    }
    // Rows counted in the first pass.
    const SkippedRows &skips() const noexcept { return skips_; }
    int decimals() const noexcept { return decimals_; }

  private:
    struct Customer {
        std::int64_t first_purchase = 0;   // valid when purchases >= 1
        std::int64_t second_purchase = 0;  // valid when purchases >= 2
        std::uint32_t purchases = 0;       // saturates at 2: only "at least 2" matters
    };
    bool Usable(const Order &order);  // first-pass filter (counts skips)
    std::size_t Words() const {
        return (static_cast<std::size_t>(range_.last_period - range_.first_period) + 2 + 63) / 64;
    }
    std::int64_t PeriodOfTime(std::int64_t t) const { return PeriodIndex(period_, DayOf(t)); }
    std::int64_t CoverageEnd(std::int64_t t) const;  // last boundary j covered by a purchase at t
    void SetBits(std::uint64_t *mask, std::int64_t from,
                 std::int64_t to) const;  // boundary/period indices
    static bool Bit(const std::uint64_t *mask, std::int64_t k) {
        return (mask[k / 64] >> (k % 64)) & 1U;
    }
    static std::int64_t HighestBit(const std::uint64_t *mask, std::size_t words);  // -1: none

    ExecContext &ctx_;
    Period period_;
    bool has_end_;
    std::int64_t end_;
    bool second_pass_ = false;
    bool has_orders_ = false;
    std::int64_t min_time_ = 0, max_time_ = 0;
    int decimals_ = 0;
    SkippedRows skips_;
    BudgetVector<Customer> customers_;
    RetentionRange range_;
    // Second pass, per customer: Words() words of `purchased` (bit k: a purchase in period p0 + k)
    // then Words() words of `covered` (bit j: active at the start of period p0 + j).
    BudgetVector<std::uint64_t> masks_;
    BudgetVector<std::int64_t> orders_;   // per analysed period
    BudgetVector<Money> revenue_;         // per analysed period
    BudgetVector<Money> cohort_revenue_;  // [cohort - p0][offset], RetentionOutput::Cohorts only
    RetentionOutput output_ = RetentionOutput::Periods;
};

}  // namespace ca
