#include "clv_summary.hpp"

#include <algorithm>

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

ClvSummaries::ClvSummaries(ExecContext &ctx, bool has_as_of, std::int32_t as_of_day)
    : has_as_of_(has_as_of),
      as_of_given_(has_as_of),
      as_of_day_(has_as_of ? as_of_day : 0),
      purchases_(MakeBudgetVector<DayPurchase>(ctx)) {}

void ClvSummaries::Add(std::uint32_t customer, const Order &order) {
    skips_.null_field_rows += order.bad_lines;
    skips_.after_bound_rows += order.after_lines;
    if (!order.has_time || !order.has_amount) return;
    const std::int32_t day = DayOf(order.time);
    if (as_of_given_ && day > as_of_day_) {
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
    std::size_t i = 0;
    while (i < purchases_.size()) {
        const std::uint32_t customer = purchases_[i].customer;
        const std::int32_t first = purchases_[i].day;
        std::int32_t last = first;
        std::int64_t days = 0;
        Money repeat_total = 0;
        for (; i < purchases_.size() && purchases_[i].customer == customer; ++i) {
            ctx.Tick();
            const DayPurchase &p = purchases_[i];
            if (p.day != last || days == 0) {
                ++days;
                last = p.day;
            }
            if (p.day != first && !AddMoney(repeat_total, p.amount.get(), repeat_total))
                throw too_large;
        }
        ClvCustomer c;
        c.customer = customer;
        c.frequency = days - 1;
        c.recency = static_cast<double>(last - first) / unit_days;
        c.T = static_cast<double>(static_cast<std::int64_t>(as_of_day_) - first) / unit_days;
        c.has_monetary = days > 1;
        c.monetary =
            c.has_monetary ? MoneyToDouble(repeat_total) / static_cast<double>(days - 1) : 0;
        out.push_back(c);
    }
    return out;
}

}  // namespace ca
