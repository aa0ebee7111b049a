#include "clv_summary.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "errors.hpp"
#include "periods.hpp"
#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

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
      purchases_(MakeBudgetVector<DayPurchase>(ctx)),
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
    DayPurchase p{customer, day, {}};
    p.amount.set(order.amount);
    purchases_.push_back(p);
    if (!as_of_given_ && (!has_as_of_ || day > as_of_day_)) {
        as_of_day_ = day;
        has_as_of_ = true;
    }
}

BudgetVector<ClvCustomer> ClvSummaries::Finish(ExecContext &ctx, double unit_days) {
    std::sort(purchases_.begin(), purchases_.end(), [](const DayPurchase &a, const DayPurchase &b) {
        return a.customer != b.customer ? a.customer < b.customer : a.day < b.day;
    });
    auto out = MakeBudgetVector<ClvCustomer>(ctx);
    const Error too_large = DataException("monetary total out of range",
                                          "A customer's purchases add up beyond 1.7 x 10^30.");
    first_days_.clear();
    repeat_days_.clear();
    std::size_t i = 0;
    while (i < purchases_.size()) {
        const std::uint32_t customer = purchases_[i].customer;
        const std::int32_t first = purchases_[i].day;
        std::int32_t last = first, previous = first;
        std::int64_t days = 0, holdout_days = 0;
        Money repeat_total = 0;
        for (; i < purchases_.size() && purchases_[i].customer == customer; ++i) {
            ctx.Tick();
            const DayPurchase &p = purchases_[i];
            const bool new_day = p.day != previous || (days == 0 && holdout_days == 0);
            previous = p.day;
            if (p.day > as_of_day_) {  // holdout (only kept with a holdout end)
                if (new_day) {
                    ++holdout_days;
                    if (first <= as_of_day_) repeat_days_.push_back(p.day);
                }
                continue;
            }
            if (new_day) {
                ++days;
                last = p.day;
                if (days > 1) repeat_days_.push_back(p.day);
            }
            if (p.day != first && !AddMoney(repeat_total, p.amount.get(), repeat_total))
                throw too_large;
        }
        if (first > as_of_day_) continue;  // first purchase in the holdout: not in the cohort
        first_days_.push_back(first);
        ClvCustomer c;
        c.customer = customer;
        c.frequency = days - 1;
        c.recency = static_cast<double>(last - first) / unit_days;
        c.T = static_cast<double>(static_cast<std::int64_t>(as_of_day_) - first) / unit_days;
        c.has_monetary = days > 1;
        c.monetary =
            c.has_monetary ? MoneyToDouble(repeat_total) / static_cast<double>(days - 1) : 0;
        c.first_day = first;
        c.holdout_purchases = holdout_days;
        out.push_back(c);
    }
    std::sort(first_days_.begin(), first_days_.end());
    std::sort(repeat_days_.begin(), repeat_days_.end());
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
    std::vector<std::pair<std::int32_t, std::int64_t>> births;
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
