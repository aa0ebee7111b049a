#include "clv_summary.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "errors.hpp"
#include "periods.hpp"
#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

namespace {

Error TooLarge() {
    return DataException("monetary total out of range",
                         "A customer's purchases add up beyond 1.7 x 10^30.");
}

}  // namespace

double ParseTimeUnit(const std::string &unit) {
    if (unit == "day") return 1;
    if (unit == "week") return 7;
    if (unit == "month") return 365.25 / 12;
    if (unit == "year") return 365.25;
    throw InvalidParameter("unknown time unit \"" + unit + "\"", {},
                           "Use day, week, month (365.25 / 12 days) or year (365.25 days).");
}

ClvSummaries::ClvSummaries(ExecContext &ctx, bool has_as_of, std::int32_t as_of_day,
                           bool has_holdout, std::int32_t holdout_end_day)
    : has_as_of_(has_as_of),
      as_of_given_(has_as_of),
      has_holdout_(has_as_of && has_holdout),
      as_of_day_(has_as_of ? as_of_day : 0),
      holdout_end_day_(has_holdout_ ? holdout_end_day : 0),
      amounts_(MakeBudgetVector<Amounts>(ctx)),
      day_keys_(MakeBudgetVector<std::uint64_t>(ctx)),
      first_days_(MakeBudgetVector<std::int32_t>(ctx)),
      repeat_days_(MakeBudgetVector<std::int32_t>(ctx)) {
    if (has_holdout_ && holdout_end_day_ < as_of_day_)
        throw InvalidParameter("the holdout must end on or after the calibration end", {},
                               "Pass holdout_end later than calibration_end.");
}

void ClvSummaries::Add(std::uint32_t customer, const Order &order) {
    skips_.null_field_rows += order.bad_lines;
    skips_.after_bound_rows += order.after_lines;
    if (!order.has_time || !order.has_amount) return;
    const std::int32_t day = DayOf(order.time);
    if (as_of_given_ && day > LastDay()) {
        skips_.after_bound_rows += order.lines - order.bad_lines - order.after_lines;
        return;
    }
    if (order.amount < 0) return;  // a return is not a purchase (docs/clv.md)
    day_keys_.push_back(static_cast<std::uint64_t>(customer) << 32 |
                        static_cast<std::uint32_t>(static_cast<std::int64_t>(day) - INT32_MIN));
    if (!as_of_given_ && (!has_as_of_ || day > as_of_day_)) {
        as_of_day_ = day;
        has_as_of_ = true;
    }
    if (as_of_given_ && day > as_of_day_) return;  // a holdout purchase: counted, not valued
    if (customer >= amounts_.size()) amounts_.resize(customer + 1);
    Amounts &a = amounts_[customer];
    Money total;
    if (!AddMoney(a.total.get(), order.amount, total)) throw TooLarge();
    a.total.set(total);
    if (day < a.first_day) {
        a.first_day = day;
        a.first_total.set(order.amount);
    } else if (day == a.first_day) {
        a.first_total.set(a.first_total.get() + order.amount);  // <= total: no overflow
    }
}

BudgetVector<ClvCustomer> ClvSummaries::Finish(ExecContext &ctx, double unit_days) {
    std::sort(day_keys_.begin(), day_keys_.end());
    day_keys_.erase(std::unique(day_keys_.begin(), day_keys_.end()), day_keys_.end());
    auto out = MakeBudgetVector<ClvCustomer>(ctx);
    first_days_.clear();
    repeat_days_.clear();
    auto day_of = [](std::uint64_t key) {
        return static_cast<std::int32_t>(static_cast<std::int64_t>(key & 0xffffffffu) + INT32_MIN);
    };
    std::size_t i = 0;
    while (i < day_keys_.size()) {
        ctx.Tick();
        const auto customer = static_cast<std::uint32_t>(day_keys_[i] >> 32);
        const std::int32_t first = day_of(day_keys_[i]);
        std::int32_t last = first;
        std::int64_t days = 0, holdout_days = 0;
        const bool cohort = first <= as_of_day_;
        for (; i < day_keys_.size() && day_keys_[i] >> 32 == customer; ++i) {
            const std::int32_t day = day_of(day_keys_[i]);
            if (day > as_of_day_) {
                ++holdout_days;  // only kept with a holdout end
            } else {
                ++days;
                last = day;
            }
            if (cohort && day != first) repeat_days_.push_back(day);
        }
        if (!cohort) continue;  // first purchase in the holdout
        first_days_.push_back(first);
        const Amounts &a = amounts_[customer];
        ClvCustomer c;
        c.customer = customer;
        c.frequency = days - 1;
        c.recency = static_cast<double>(last - first) / unit_days;
        c.T = static_cast<double>(static_cast<std::int64_t>(as_of_day_) - first) / unit_days;
        c.has_monetary = days > 1;
        c.monetary = c.has_monetary ? MoneyToDouble(a.total.get() - a.first_total.get()) /
                                          static_cast<double>(days - 1)
                                    : 0;
        c.first_day = first;
        c.holdout_purchases = holdout_days;
        out.push_back(c);
    }
    std::sort(first_days_.begin(), first_days_.end());
    std::sort(repeat_days_.begin(), repeat_days_.end());
    // Not needed any more: give their memory back before the caller makes its rows.
    BudgetVector<std::uint64_t>(day_keys_.get_allocator()).swap(day_keys_);
    BudgetVector<Amounts>(amounts_.get_allocator()).swap(amounts_);
    return out;
}

BudgetVector<TrackingPeriod> ClvSummaries::Track(
    ExecContext &ctx, double unit_days, const std::function<double(double)> &expected_new) const {
    auto out = MakeBudgetVector<TrackingPeriod>(ctx);
    if (first_days_.empty()) return out;
    const std::int32_t start = first_days_.front();
    const double span = static_cast<double>(LastDay()) + 1 - start;  // whole days covered
    const auto periods = static_cast<std::int64_t>(std::ceil(span / unit_days));
    if (periods > 1000000)
        throw InvalidParameter("the tracking table would have more than 1,000,000 periods", {},
                               "Use a longer unit.");
    // Customers by first purchase day, with counts: E[X(t)] is evaluated once per distinct day.
    auto births = MakeBudgetVector<std::pair<std::int32_t, std::int64_t>>(ctx);
    for (std::int32_t d : first_days_) {
        if (!births.empty() && births.back().first == d)
            ++births.back().second;
        else
            births.emplace_back(d, 1);
    }
    std::size_t next_repeat = 0;
    double expected_before = 0;
    for (std::int64_t k = 1; k <= periods; ++k) {
        const double end = start + static_cast<double>(k) * unit_days;  // exclusive, in days
        TrackingPeriod p;
        p.period = static_cast<std::int32_t>(k);
        p.first_day =
            static_cast<std::int32_t>(std::ceil(start + static_cast<double>(k - 1) * unit_days));
        p.holdout = end > static_cast<double>(as_of_day_) + 1;
        p.actual = 0;
        while (next_repeat < repeat_days_.size() && repeat_days_[next_repeat] < end) {
            ++p.actual;
            ++next_repeat;
        }
        double expected_by_end = 0;
        for (const auto &b : births) {
            ctx.Tick();
            if (b.first >= end) break;
            expected_by_end +=
                static_cast<double>(b.second) * expected_new((end - b.first) / unit_days);
        }
        p.expected = expected_by_end - expected_before;
        expected_before = expected_by_end;
        out.push_back(p);
    }
    return out;
}

}  // namespace ca
