#include "retention.hpp"

#include <algorithm>

#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

namespace {

void AddChecked(Money &sum, Money amount) {
    if (!AddMoney(sum, amount, sum))
        throw DataException("revenue out of range",
                            "A sum of amounts is beyond 1.7 x 10^30 in absolute value.",
                            "Check the amounts of orders_sql for absurd values.");
}

}  // namespace

Error OrdersChangedBetweenReads(const std::string &detail) {
    return DataException(
        "orders_sql returned different rows when read a second time", detail,
        "This function reads orders_sql twice in one snapshot. Make the query deterministic (no "
        "TABLESAMPLE, random() or LIMIT without an ORDER BY on a unique key), or store the sample "
        "first, for example with CREATE TEMP TABLE ... AS.");
}

std::vector<std::int64_t> WindowStarts(ExecContext &ctx, Period period, std::int64_t p0,
                                       std::int64_t p1, std::int32_t months, std::int32_t days,
                                       std::int64_t usecs) {
    const std::size_t n = static_cast<std::size_t>(p1 - p0) + 2;
    std::vector<std::int64_t> starts(n);
    for (std::size_t j = 0; j < n; ++j) {
        ctx.Tick();
        const std::int64_t b = static_cast<std::int64_t>(PeriodStartFromIndex(
                                   period, p0 + static_cast<std::int64_t>(j))) *
                               kUsecsPerDay;
        starts[j] = SubtractIntervalSaturating(b, months, days, usecs);
    }
    return starts;
}

RetentionAccumulator::RetentionAccumulator(ExecContext &ctx, Period period, bool has_end,
                                           std::int64_t end)
    : ctx_(ctx),
      period_(period),
      has_end_(has_end),
      end_(end),
      customers_(MakeBudgetVector<Customer>(ctx)),
      masks_(MakeBudgetVector<std::uint64_t>(ctx)),
      orders_(MakeBudgetVector<std::int64_t>(ctx)),
      revenue_(MakeBudgetVector<Money>(ctx)),
      cohort_revenue_(MakeBudgetVector<Money>(ctx)) {}

void RetentionAccumulator::AddNullCustomer(std::int64_t lines) {
    if (!second_pass_) skips_.null_customer_rows += lines;
}

void RetentionAccumulator::Prefetch(std::uint32_t customer) const {
    if (customer < customers_.size()) __builtin_prefetch(&customers_[customer]);
    if (second_pass_) {
        const std::size_t at = static_cast<std::size_t>(customer) * Words() * 2;
        if (at < masks_.size()) __builtin_prefetch(&masks_[at], 1);
    }
}

bool RetentionAccumulator::Usable(const Order &order) {
    if (!second_pass_) {
        skips_.null_field_rows += order.bad_lines;
        skips_.after_bound_rows += order.after_lines;
    }
    if (!order.has_time || !order.has_amount) return false;
    if (has_end_ && order.time >= end_) {
        if (!second_pass_)
            skips_.after_bound_rows += order.lines - order.bad_lines - order.after_lines;
        return false;
    }
    return true;
}

std::int64_t RetentionAccumulator::first_order_period() const {
    return PeriodOfTime(min_time_);
}
std::int64_t RetentionAccumulator::last_order_period() const {
    return PeriodOfTime(max_time_);
}

void RetentionAccumulator::Add(std::uint32_t customer, const Order &order) {
    if (!Usable(order)) return;
    if (!second_pass_) {
        if (customer >= customers_.size()) customers_.resize(customer + 1);
        if (order.decimals > decimals_) decimals_ = order.decimals;
        const std::int64_t t = order.time;
        // The default range covers every order, returns too, so that no revenue falls outside it.
        if (!has_orders_ || t < min_time_) min_time_ = t;
        if (!has_orders_ || t > max_time_) max_time_ = t;
        has_orders_ = true;
        if (order.amount <= 0) return;
        Customer &c = customers_[customer];
        // Keep the two earliest purchase times.
        if (c.purchases == 0) {
            c.first_purchase = t;
        } else if (t < c.first_purchase) {
            c.second_purchase = c.first_purchase;
            c.first_purchase = t;
        } else if (c.purchases == 1 || t < c.second_purchase) {
            c.second_purchase = t;
        }
        if (c.purchases < 2) ++c.purchases;
        return;
    }

    // Indices below come from the input: a second read that differs from the first must not
    // reach past the end of anything.
    if (customer >= customers_.size())
        throw OrdersChangedBetweenReads("The second read has a customer the first did not have.");
    const std::int64_t p0 = range_.first_period, p1 = range_.last_period;
    const std::int64_t p = PeriodOfTime(order.time);
    if (p >= p0 && p <= p1) {
        const auto k = static_cast<std::size_t>(p - p0);
        AddChecked(revenue_[k], order.amount);
        if (order.amount > 0) ++orders_[k];
    }
    const Customer &c = customers_[customer];
    if (c.purchases > 0 && output_ == RetentionOutput::Cohorts) {
        const std::int64_t f = PeriodOfTime(c.first_purchase);
        if (f >= p0 && f <= p1 && p >= f && p <= p1) {
            const std::size_t width = static_cast<std::size_t>(p1 - p0) + 1;
            AddChecked(cohort_revenue_[static_cast<std::size_t>(f - p0) * width +
                                       static_cast<std::size_t>(p - f)],
                       order.amount);
        }
    }
    if (order.amount <= 0) return;
    std::uint64_t *purchased = &masks_[static_cast<std::size_t>(customer) * Words() * 2];
    std::uint64_t *covered = purchased + Words();
    if (p >= p0 && p <= p1) SetBits(purchased, p - p0, p - p0);
    // Active at the boundaries after this purchase's period, while the window still reaches it.
    const std::int64_t from = std::max(p + 1, p0);
    const std::int64_t to = std::min(CoverageEnd(order.time), p1 + 1);
    if (from <= to) SetBits(covered, from - p0, to - p0);
}

std::int64_t RetentionAccumulator::CoverageEnd(std::int64_t t) const {
    const std::int64_t p0 = range_.first_period;
    const std::int64_t last = range_.last_period + 1;
    if (range_.window_starts.empty()) return last;
    // window_starts[j - p0] is nondecreasing: the last boundary whose window start is <= t.
    const auto it = std::upper_bound(range_.window_starts.begin(), range_.window_starts.end(), t);
    return p0 + (it - range_.window_starts.begin()) - 1;
}

void RetentionAccumulator::SetBits(std::uint64_t *mask, std::int64_t from, std::int64_t to) const {
    // A word at a time: without a window one purchase covers every later boundary, which by day
    // over years is thousands of bits per order.
    if (from > to) return;
    const std::int64_t first_word = from / 64, last_word = to / 64;
    const std::uint64_t head = ~std::uint64_t{0} << (from % 64);
    const std::uint64_t tail = ~std::uint64_t{0} >> (63 - to % 64);
    if (first_word == last_word) {
        mask[first_word] |= head & tail;
        return;
    }
    mask[first_word] |= head;
    for (std::int64_t w = first_word + 1; w < last_word; ++w) mask[w] = ~std::uint64_t{0};
    mask[last_word] |= tail;
}

void RetentionAccumulator::CheckRange(std::int64_t first_period, std::int64_t last_period) {
    if (last_period < first_period - 1) throw InvalidParameter("retention range is inverted");
    // Both are period indices of valid days (|index| < 2^32), so the difference cannot overflow.
    if (last_period - first_period + 1 > kMaxPeriods)
        throw InvalidParameter("too many periods to analyse",
                               std::to_string(last_period - first_period + 1) + " periods.",
                               "Use a longer period or a shorter range (start_at, end_at); at "
                               "most " +
                                   std::to_string(kMaxPeriods) + " periods are analysed.");
}

void RetentionAccumulator::BeginSecondPass(const RetentionRange &range, RetentionOutput output) {
    CheckRange(range.first_period, range.last_period);
    const auto boundaries = static_cast<std::size_t>(range.last_period - range.first_period) + 2;
    if (!range.window_starts.empty() && range.window_starts.size() != boundaries)
        throw InvalidParameter("retention window starts do not match the range",
                               std::to_string(range.window_starts.size()) + " window starts for " +
                                   std::to_string(boundaries) + " boundaries.");
    range_ = range;
    output_ = output;
    second_pass_ = true;
    const std::size_t periods = boundaries - 1;
    // Charged before anything is filled: customers x periods bits twice.
    const std::size_t words = Words() * 2;
    if (customers_.size() > 0 && words > masks_.max_size() / customers_.size())
        throw Error(ErrorKind::MemoryLimit, "customer_analytics memory limit exceeded",
                    std::to_string(customers_.size()) + " customers over " +
                        std::to_string(periods) + " periods.",
                    "Use a longer period or a shorter range (start_at, end_at).");
    masks_.assign(customers_.size() * words, 0);
    orders_.assign(periods, 0);
    revenue_.assign(periods, 0);
    if (output == RetentionOutput::Cohorts) {
        if (periods > 0 && periods > cohort_revenue_.max_size() / periods)
            throw Error(
                ErrorKind::MemoryLimit, "customer_analytics memory limit exceeded",
                std::to_string(periods) + " cohorts by " + std::to_string(periods) + " offsets.",
                "Use a longer period or pass max_offset.");
        cohort_revenue_.assign(periods * periods, 0);
    }
    ctx_.CheckInterrupts();
}

void RetentionAccumulator::PeriodRetention(
    const std::function<void(const PeriodRetentionRow &)> &emit) const {
    const std::int64_t p0 = range_.first_period, p1 = range_.last_period;
    const std::size_t periods = static_cast<std::size_t>(p1 - p0 + 1);
    auto active_at = MakeBudgetVector<std::int64_t>(ctx_),
         fresh = MakeBudgetVector<std::int64_t>(ctx_),
         retained = MakeBudgetVector<std::int64_t>(ctx_),
         reactivated = MakeBudgetVector<std::int64_t>(ctx_);
    active_at.assign(periods + 1, 0);
    fresh.assign(periods, 0);
    retained.assign(periods, 0);
    reactivated.assign(periods, 0);
    const std::size_t words = Words();
    for (std::size_t c = 0; c < customers_.size(); ++c) {
        ctx_.Tick();
        if (customers_[c].purchases == 0) continue;
        const std::uint64_t *purchased = &masks_[c * words * 2];
        const std::uint64_t *covered = purchased + words;
        const std::int64_t f = PeriodOfTime(customers_[c].first_purchase);
        for (std::size_t j = 0; j <= periods; ++j)
            if (Bit(covered, static_cast<std::int64_t>(j))) ++active_at[j];
        for (std::size_t k = 0; k < periods; ++k) {
            if (!Bit(purchased, static_cast<std::int64_t>(k))) continue;
            if (p0 + static_cast<std::int64_t>(k) == f)
                ++fresh[k];
            else if (Bit(covered, static_cast<std::int64_t>(k)))
                ++retained[k];
            else
                ++reactivated[k];
        }
    }
    for (std::size_t k = 0; k < periods; ++k)
        emit({p0 + static_cast<std::int64_t>(k), active_at[k], fresh[k], active_at[k + 1],
              retained[k], reactivated[k]});
}

void RetentionAccumulator::Kpis(const std::function<void(const KpiRow &)> &emit) const {
    const std::int64_t p0 = range_.first_period, p1 = range_.last_period;
    const std::size_t periods = static_cast<std::size_t>(p1 - p0 + 1);
    auto active = MakeBudgetVector<std::int64_t>(ctx_),
         fresh = MakeBudgetVector<std::int64_t>(ctx_),
         first_at = MakeBudgetVector<std::int64_t>(ctx_),
         second_at = MakeBudgetVector<std::int64_t>(ctx_);
    active.assign(periods, 0);
    fresh.assign(periods, 0);
    first_at.assign(periods + 1, 0);
    second_at.assign(periods + 1, 0);
    const std::size_t words = Words();
    for (std::size_t c = 0; c < customers_.size(); ++c) {
        ctx_.Tick();
        const Customer &customer = customers_[c];
        if (customer.purchases == 0) continue;
        const std::uint64_t *purchased = &masks_[c * words * 2];
        const std::int64_t f = PeriodOfTime(customer.first_purchase);
        for (std::size_t k = 0; k < periods; ++k)
            if (Bit(purchased, static_cast<std::int64_t>(k))) ++active[k];
        if (f >= p0 && f <= p1) ++fresh[static_cast<std::size_t>(f - p0)];
        // Cumulative counts from the start of the data: before p0 counts at p0.
        if (f <= p1) ++first_at[static_cast<std::size_t>(std::max(f, p0) - p0)];
        if (customer.purchases >= 2) {
            const std::int64_t s = PeriodOfTime(customer.second_purchase);
            if (s <= p1) ++second_at[static_cast<std::size_t>(std::max(s, p0) - p0)];
        }
    }
    std::int64_t customers_so_far = 0, repeaters_so_far = 0;
    for (std::size_t k = 0; k < periods; ++k) {
        customers_so_far += first_at[k];
        repeaters_so_far += second_at[k];
        emit({p0 + static_cast<std::int64_t>(k), orders_[k], revenue_[k], active[k], fresh[k],
              customers_so_far, repeaters_so_far});
    }
}

CohortMode ParseCohortMode(const std::string &name) {
    if (name == "on") return CohortMode::On;
    if (name == "on_or_after") return CohortMode::OnOrAfter;
    throw InvalidParameter("unknown retention mode \"" + name + "\"", {},
                           "Valid modes are on and on_or_after.");
}

void CheckBrackets(const std::vector<std::int64_t> &brackets, std::int64_t max_offset) {
    const std::string hint =
        "Pass the first offset of each bracket, strictly ascending and starting with 0, for "
        "example ARRAY[0, 1, 4, 7, 13].";
    if (brackets.empty()) throw InvalidParameter("brackets must not be empty", {}, hint);
    if (brackets.size() > kMaxBrackets)
        throw InvalidParameter("brackets has too many elements",
                               "It has " + std::to_string(brackets.size()) + " elements; at most " +
                                   std::to_string(kMaxBrackets) + " are accepted.",
                               hint);
    for (std::size_t i = 0; i < brackets.size(); ++i)
        if (brackets[i] < 0)
            throw InvalidParameter(
                "brackets must not be negative",
                "Element " + std::to_string(i + 1) + " is " + std::to_string(brackets[i]) + ".",
                hint);
    if (brackets[0] != 0)
        throw InvalidParameter("brackets must start at offset 0",
                               "The first element is " + std::to_string(brackets[0]) + ".", hint);
    for (std::size_t i = 1; i < brackets.size(); ++i)
        if (brackets[i] <= brackets[i - 1])
            throw InvalidParameter("brackets must be strictly ascending",
                                   "Element " + std::to_string(i + 1) + " (" +
                                       std::to_string(brackets[i]) +
                                       ") is not greater than element " + std::to_string(i) + " (" +
                                       std::to_string(brackets[i - 1]) + ").",
                                   hint);
    if (max_offset >= 0 && brackets.back() > max_offset)
        throw InvalidParameter("brackets must not start after max_offset",
                               "Element " + std::to_string(brackets.size()) + " is " +
                                   std::to_string(brackets.back()) + "; max_offset is " +
                                   std::to_string(max_offset) + ".",
                               "Drop the brackets after max_offset, or raise max_offset.");
}

std::int64_t RetentionAccumulator::HighestBit(const std::uint64_t *mask, std::size_t words) {
    for (std::size_t w = words; w-- > 0;)
        if (mask[w] != 0) return static_cast<std::int64_t>(w * 64) + 63 - __builtin_clzll(mask[w]);
    return -1;
}

void RetentionAccumulator::Cohorts(const CohortOptions &options,
                                   const std::function<void(const CohortRow &)> &emit) const {
    if (output_ != RetentionOutput::Cohorts)
        throw InvalidParameter("cohorts need the second pass begun for cohorts");
    const bool bracketed = !options.brackets.empty();
    if (bracketed) CheckBrackets(options.brackets, options.max_offset);
    const std::int64_t p0 = range_.first_period, p1 = range_.last_period;
    const std::size_t periods = static_cast<std::size_t>(p1 - p0 + 1);
    if (periods == 0) return;
    // The last offset any row can have.
    std::size_t cap = periods - 1;
    if (options.max_offset >= 0 && static_cast<std::size_t>(options.max_offset) < cap)
        cap = static_cast<std::size_t>(options.max_offset);

    // Columns: the brackets (one per offset without brackets) that start at or before cap; each
    // with its first offset and its nominal last offset, kOpen for the open last bracket without
    // max_offset (it ends at the cohort's last offset of the data).
    constexpr std::int64_t kOpen = -1;
    auto starts = MakeBudgetVector<std::int64_t>(ctx_), ends = MakeBudgetVector<std::int64_t>(ctx_);
    if (bracketed) {
        const auto &b = options.brackets;
        for (std::size_t i = 0; i < b.size() && static_cast<std::size_t>(b[i]) <= cap; ++i) {
            starts.push_back(b[i]);
            ends.push_back(i + 1 < b.size()          ? b[i + 1] - 1
                           : options.max_offset >= 0 ? options.max_offset
                                                     : kOpen);
        }
    } else {
        for (std::size_t k = 0; k <= cap; ++k) {
            ctx_.Tick();
            starts.push_back(static_cast<std::int64_t>(k));
            ends.push_back(static_cast<std::int64_t>(k));
        }
    }
    const std::size_t width = starts.size();
    // column[o]: the bracket of offset o, for o = 0 .. cap.
    auto column = MakeBudgetVector<std::uint32_t>(ctx_);
    column.resize(cap + 1);
    for (std::size_t o = 0, i = 0; o <= cap; ++o) {
        ctx_.Tick();
        while (i + 1 < width && static_cast<std::size_t>(starts[i + 1]) <= o) ++i;
        column[o] = static_cast<std::uint32_t>(i);
    }

    auto size = MakeBudgetVector<std::int64_t>(ctx_);
    size.assign(periods, 0);
    // [cohort - p0][bracket]: customers counted once per bracket (On), or by the bracket of
    // their last purchase and then summed from the right (OnOrAfter).
    auto active = MakeBudgetVector<std::int64_t>(ctx_);
    if (width > active.max_size() / periods)
        throw Error(ErrorKind::MemoryLimit, "customer_analytics memory limit exceeded",
                    std::to_string(periods) + " cohorts by " + std::to_string(width) + " brackets.",
                    "Use a longer period, pass max_offset or fewer brackets.");
    active.assign(periods * width, 0);
    const std::size_t words = Words();
    for (std::size_t c = 0; c < customers_.size(); ++c) {
        ctx_.Tick();
        if (customers_[c].purchases == 0) continue;
        const std::int64_t f = PeriodOfTime(customers_[c].first_purchase);
        if (f < p0 || f > p1) continue;
        const auto row = static_cast<std::size_t>(f - p0);
        ++size[row];
        const std::uint64_t *purchased = &masks_[c * words * 2];
        std::int64_t *counts = &active[row * width];
        if (options.mode == CohortMode::On) {
            const std::size_t last = std::min(periods - 1, row + cap);
            std::size_t counted = width;  // the last bracket this customer was counted in
            for (std::size_t k = row; k <= last; ++k) {
                if (!Bit(purchased, static_cast<std::int64_t>(k))) continue;
                const std::size_t i = column[k - row];
                if (i != counted) ++counts[i];
                counted = i;
            }
        } else {
            // The first purchase is in period f, so the highest bit is at least row.
            const auto l = static_cast<std::size_t>(HighestBit(purchased, words));
            ++counts[column[std::min(l - row, cap)]];
        }
    }
    if (options.mode == CohortMode::OnOrAfter)
        for (std::size_t row = 0; row < periods; ++row)
            for (std::size_t i = width - 1; i-- > 0;) {
                ctx_.Tick();
                active[row * width + i] += active[row * width + i + 1];
            }

    for (std::size_t row = 0; row < periods; ++row) {
        if (size[row] == 0) continue;
        const auto data_last = static_cast<std::int64_t>(periods - 1 - row);  // p1 - cohort
        for (std::size_t i = 0; i < width && starts[i] <= data_last; ++i) {
            const std::int64_t b = starts[i];
            const std::int64_t e = ends[i] == kOpen ? data_last : ends[i];
            Money revenue = 0;
            for (std::int64_t o = b; o <= std::min(e, data_last); ++o) {
                ctx_.Tick();
                AddChecked(revenue, cohort_revenue_[row * periods + static_cast<std::size_t>(o)]);
            }
            emit({p0 + static_cast<std::int64_t>(row), b, e, size[row], active[row * width + i],
                  revenue, e < data_last});
        }
    }
}

}  // namespace ca
