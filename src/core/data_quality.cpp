#include "data_quality.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "periods.hpp"

#include "cpp_only.hpp"

namespace ca {

namespace {

bool SameKey(bool integer, const QualityKey &a, std::int64_t b_int, const std::string &b_bytes) {
    if (integer) return a.integer == b_int;
    return a.bytes == std::string_view(b_bytes);
}

void KeepKey(bool integer, const QualityKey &k, std::int64_t &out_int, std::string &out_bytes) {
    if (integer)
        out_int = k.integer;
    else
        out_bytes.assign(k.bytes.data(), k.bytes.size());
}

std::string DayText(std::int32_t day) {
    int y = 0;
    unsigned m = 0, d = 0;
    CivilFromDays(day, y, m, d);
    char buf[32];
    if (y > 0)
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    else  // year 0 is 1 BC, as PostgreSQL shows it
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02u BC", 1 - y, m, d);
    return buf;
}

std::string MoneyText(Money m) {
    char buf[kMoneyTextMax];
    const std::size_t n = FormatMoney(buf, m, MoneyDecimals(m));
    return std::string(buf, n);
}

QualityCheck Report(const std::string &name, std::uint64_t rows, std::uint64_t total, bool example,
                    std::string text) {
    QualityCheck c;
    c.check = name;
    c.rows = rows;
    c.has_share = total > 0;
    c.share = total > 0 ? static_cast<double>(rows) / static_cast<double>(total) : 0.0;
    c.has_example = rows > 0 && example;
    if (c.has_example) c.example = std::move(text);
    return c;
}

}  // namespace

// ---- Shared pieces ------------------------------------------------------------------------------

int SmallestKey::Compare(const QualityKey &key) const {
    if (!present_) return -1;
    if (integer_) return key.integer < int_ ? -1 : (key.integer == int_ ? 0 : 1);
    const int c = key.bytes.compare(std::string_view(bytes_));
    return c < 0 ? -1 : (c == 0 ? 0 : 1);
}

QualityKey SmallestKey::Key() const {
    QualityKey k;
    k.present = present_;
    k.integer = int_;
    k.bytes = bytes_;
    return k;
}

void SmallestKey::Offer(const QualityKey &key) {
    if (!key.present || Compare(key) >= 0) return;
    KeepKey(integer_, key, int_, bytes_);
    present_ = true;
}

void SmallestKey::Offer(const SmallestKey &other) {
    if (other.present_) Offer(other.Key());
}

std::string SmallestKey::Text() const {
    return integer_ ? std::to_string(int_) : bytes_;
}

double WeightedQuantile7(const BudgetVector<std::pair<double, std::uint64_t>> &sorted,
                         std::uint64_t n, double p) {
    if (n == 0 || sorted.empty()) throw std::logic_error("WeightedQuantile7: no values");
    // As PostgreSQL's percentile_cont: h = p (n - 1), x[floor h] + (h - floor h) (x[ceil h] - ...).
    const double h = p * static_cast<double>(n - 1);
    const auto first = static_cast<std::uint64_t>(std::floor(h));
    const auto second = static_cast<std::uint64_t>(std::ceil(h));
    auto at = [&](std::uint64_t k) {
        std::uint64_t seen = 0;
        for (const auto &vc : sorted) {
            seen += vc.second;
            if (k < seen) return vc.first;
        }
        return sorted.back().first;
    };
    const double lo = at(first);
    if (second == first) return lo;
    const double hi = at(second);
    return lo + (hi - lo) * (h - static_cast<double>(first));
}

LogFences FencesOfLogs(ExecContext &ctx, BudgetVector<std::pair<double, std::uint64_t>> &logs,
                       std::uint64_t n) {
    ctx.CheckInterrupts();
    std::sort(logs.begin(), logs.end(),
              [&ctx](const std::pair<double, std::uint64_t> &a,
                     const std::pair<double, std::uint64_t> &b) {
                  ctx.Tick();
                  return a.first < b.first;
              });
    ctx.CheckInterrupts();
    LogFences f;
    f.q1 = WeightedQuantile7(logs, n, 0.25);
    f.q3 = WeightedQuantile7(logs, n, 0.75);
    const double width = std::max(f.q3 - f.q1, std::log(2.0));
    f.lower = f.q1 - kFenceK * width;
    f.upper = f.q3 + kFenceK * width;
    return f;
}

// ---- order_data_quality -------------------------------------------------------------------------

namespace {
enum OrderCount {
    kNullCustomer,
    kNullTime,
    kNullAmount,
    kZeroAmount,
    kNegativeAmount,
    kDuplicates,
    kAfterAsOf,
    kOrderCounts
};
}  // namespace

const std::vector<std::string> &OrderQuality::CheckNames() {
    static const std::vector<std::string> names = {
        "total rows",      "null customer_id",          "null ordered_at", "null amount",
        "zero amount",     "negative amount",           "duplicate rows",  "ordered after as_of",
        "amount outliers", "implausible orders per day"};
    return names;
}

OrderQuality::OrderQuality(ExecContext &ctx, const OrderQualityOptions &options)
    : ctx_(ctx),
      options_(options),
      logs_(MakeBudgetVector<std::pair<double, std::uint64_t>>(ctx)),
      max_example_(options.integer_orders, options.integer_customers),
      min_example_(options.integer_orders, options.integer_customers),
      busy_customer_(options.integer_customers) {
    counts_.assign(kOrderCounts, Count(options.integer_orders, options.integer_customers));
}

void OrderQuality::Example::Offer(const OrderQualityRow &row) {
    order.Offer(row.order);
    customer.Offer(row.customer);
    if (row.order.present || row.customer.present) return;
    // Earliest time, NULLs last; then smallest amount, NULLs last.
    bool better = !has_row;
    if (!better && row.has_time != row_has_time) better = row.has_time;
    if (!better && row.has_time == row_has_time) {
        if (row.has_time && row.time != row_time) {
            better = row.time < row_time;
        } else if (row.has_amount != row_has_amount) {
            better = row.has_amount;
        } else if (row.has_amount) {
            better = row.amount < row_amount;
        }
    }
    if (!better) return;
    has_row = true;
    row_has_time = row.has_time;
    row_time = row.time;
    row_has_amount = row.has_amount;
    row_amount = row.amount;
}

void OrderQuality::Add(const OrderQualityRow &row) {
    ctx_.Tick();
    const std::uint64_t n = row.copies;
    if (n == 0) return;
    total_ += n;
    if (!row.customer.present) counts_[kNullCustomer].Add(row, n);
    if (!row.has_time) counts_[kNullTime].Add(row, n);
    if (!row.has_amount) {
        counts_[kNullAmount].Add(row, n);
    } else if (row.amount == 0) {
        counts_[kZeroAmount].Add(row, n);
    } else if (row.amount < 0) {
        counts_[kNegativeAmount].Add(row, n);
    } else {
        logs_.emplace_back(std::log(MoneyToDouble(row.amount)), n);
        positive_ += n;
        if (!has_extremes_ || row.amount > max_amount_) {
            max_amount_ = row.amount;
            max_example_ = Example(options_.integer_orders, options_.integer_customers);
        }
        if (!has_extremes_ || row.amount < min_amount_) {
            min_amount_ = row.amount;
            min_example_ = Example(options_.integer_orders, options_.integer_customers);
        }
        has_extremes_ = true;
        if (row.amount == max_amount_) max_example_.Offer(row);
        if (row.amount == min_amount_) min_example_.Offer(row);
    }
    if (n > 1) counts_[kDuplicates].Add(row, n - 1);
    if (row.has_time && row.time > options_.as_of) counts_[kAfterAsOf].Add(row, n);

    // Customer-days: the rows of one (customer, day) arrive together, an order's rows together.
    if (!row.customer.present || !row.has_time) return;
    const bool same_day =
        in_day_ && row.day == day_ &&
        SameKey(options_.integer_customers, row.customer, day_customer_int_, day_customer_bytes_);
    if (!same_day) {
        CloseCustomerDay();
        in_day_ = true;
        KeepKey(options_.integer_customers, row.customer, day_customer_int_, day_customer_bytes_);
        day_ = row.day;
        day_has_order_ = false;
    }
    day_rows_ += n;
    if (!options_.has_order_id || !row.order.present) {
        day_orders_ += n;  // each row an order of its own
    } else if (!day_has_order_ ||
               !SameKey(options_.integer_orders, row.order, day_order_int_, day_order_bytes_)) {
        ++day_orders_;
        day_has_order_ = true;
        KeepKey(options_.integer_orders, row.order, day_order_int_, day_order_bytes_);
    }
}

void OrderQuality::CloseCustomerDay() {
    if (in_day_ && day_orders_ > kMaxOrdersPerCustomerDay) {
        busy_rows_ += day_rows_;
        QualityKey key;
        key.present = true;
        key.integer = day_customer_int_;
        key.bytes = day_customer_bytes_;
        // The smallest customer, then its earliest day.
        const int c = busy_customer_.Compare(key);
        if (c < 0 || (c == 0 && day_ < busy_day_)) {
            busy_customer_.Offer(key);
            busy_day_ = day_;
        }
    }
    in_day_ = false;
    day_orders_ = 0;
    day_rows_ = 0;
}

std::string OrderQuality::TimeText(std::int64_t usecs) const {
    const std::int32_t day = DayOf(usecs);
    std::string text = DayText(day);
    if (options_.time_type == QualityTime::Date) return text;
    const std::int64_t in_day = usecs - static_cast<std::int64_t>(day) * kUsecsPerDay;
    const std::int64_t secs = in_day / 1000000, micros = in_day % 1000000;
    char buf[48];
    std::snprintf(buf, sizeof buf, " %02lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                  static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
    text += buf;
    if (micros != 0) {
        std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(micros));
        std::string frac = buf;
        while (frac.back() == '0') frac.pop_back();
        text += frac;
    }
    if (options_.time_type == QualityTime::TimestampTz) text += "+00";
    return text;
}

std::string OrderQuality::ExampleText(const Example &e) const {
    if (e.order.present()) return e.order.Text();
    if (e.customer.present()) return e.customer.Text();
    return "ordered_at " + (e.row_has_time ? TimeText(e.row_time) : std::string("null")) +
           ", amount " + (e.row_has_amount ? MoneyText(e.row_amount) : std::string("null"));
}

std::vector<QualityCheck> OrderQuality::Finish() {
    CloseCustomerDay();
    const auto &names = CheckNames();
    std::vector<QualityCheck> out;
    out.push_back(Report(names[0], total_, total_, false, {}));
    for (int i = 0; i < kOrderCounts; ++i)
        out.push_back(Report(names[1 + i], counts_[i].rows, total_, counts_[i].example.present(),
                             ExampleText(counts_[i].example)));

    // Amount outliers: Tukey's far-out fences on log(amount) of the positive amounts.
    std::uint64_t outliers = 0;
    const Example *example = nullptr;
    if (positive_ > 0) {
        const LogFences f = FencesOfLogs(ctx_, logs_, positive_);
        for (const auto &vc : logs_) {
            ctx_.Tick();
            if (vc.first < f.lower || vc.first > f.upper) outliers += vc.second;
        }
        if (std::log(MoneyToDouble(max_amount_)) > f.upper)
            example = &max_example_;
        else if (std::log(MoneyToDouble(min_amount_)) < f.lower)
            example = &min_example_;
    }
    out.push_back(Report(names[8], outliers, total_, example != nullptr,
                         example != nullptr ? ExampleText(*example) : std::string()));
    out.push_back(Report(names[9], busy_rows_, total_, busy_customer_.present(),
                         busy_customer_.Text() + " on " + DayText(busy_day_)));
    return out;
}

// ---- basket_data_quality ------------------------------------------------------------------------

namespace {
enum BasketCount { kNullOrder, kNullItem, kNonPositiveQuantity, kRepeatedItem, kBasketCounts };
}  // namespace

const std::vector<std::string> &BasketQuality::CheckNames() {
    static const std::vector<std::string> names = {
        "total lines",   "null order_id",          "null item",
        "quantity <= 0", "repeated item in order", "outlier basket size"};
    return names;
}

BasketQuality::BasketQuality(ExecContext &ctx, const BasketQualityOptions &options)
    : ctx_(ctx), options_(options) {
    counts_.assign(kBasketCounts, Count(options.integer_orders, options.integer_items));
}

void BasketQuality::Add(const BasketQualityPair &p) {
    ctx_.Tick();
    if (p.lines == 0) return;
    total_ += p.lines;
    auto count = [&](int which, std::uint64_t n) {
        if (n == 0) return;
        counts_[which].rows += n;
        counts_[which].example.Offer(p);
    };
    if (!p.order.present) count(kNullOrder, p.lines);
    if (!p.item.present) count(kNullItem, p.lines);
    count(kNonPositiveQuantity, p.non_positive_quantity);
    if (p.order.present && p.item.present) count(kRepeatedItem, p.lines - 1);

    if (!p.order.present) return;
    if (!in_order_ || !SameKey(options_.integer_orders, p.order, order_int_, order_bytes_)) {
        CloseOrder();
        in_order_ = true;
        KeepKey(options_.integer_orders, p.order, order_int_, order_bytes_);
    }
    order_lines_ += p.lines;
    if (p.item.present) ++order_items_;
}

void BasketQuality::CloseOrder() {
    if (in_order_ && order_items_ > 0) {
        auto it = std::lower_bound(sizes_.begin(), sizes_.end(), order_items_,
                                   [](const std::pair<std::uint64_t, SizeBin> &e, std::uint64_t s) {
                                       return e.first < s;
                                   });
        if (it == sizes_.end() || it->first != order_items_)
            it = sizes_.insert(it, {order_items_, SizeBin(options_.integer_orders)});
        it->second.orders += 1;
        it->second.lines += order_lines_;
        QualityKey key;
        key.present = true;
        key.integer = order_int_;
        key.bytes = order_bytes_;
        it->second.smallest.Offer(key);
    }
    in_order_ = false;
    order_items_ = 0;
    order_lines_ = 0;
}

std::vector<QualityCheck> BasketQuality::Finish() {
    CloseOrder();
    const auto &names = CheckNames();
    std::vector<QualityCheck> out;
    out.push_back(Report(names[0], total_, total_, false, {}));
    for (int i = 0; i < kBasketCounts; ++i) {
        const Example &e = counts_[i].example;
        const bool has = e.order.present() || e.item.present();
        out.push_back(Report(names[1 + i], counts_[i].rows, total_, has,
                             e.order.present() ? e.order.Text() : e.item.Text()));
    }

    // Outlier basket sizes: the upper far-out fence on log(size), one value per basket.
    std::uint64_t baskets = 0;
    for (const auto &s : sizes_) baskets += s.second.orders;
    std::uint64_t lines = 0;
    SmallestKey smallest(options_.integer_orders);
    if (baskets > 0) {
        auto logs = MakeBudgetVector<std::pair<double, std::uint64_t>>(ctx_);
        logs.reserve(sizes_.size());
        for (const auto &s : sizes_)
            logs.emplace_back(std::log(static_cast<double>(s.first)), s.second.orders);
        const LogFences f = FencesOfLogs(ctx_, logs, baskets);
        for (const auto &s : sizes_) {
            if (!(std::log(static_cast<double>(s.first)) > f.upper)) continue;
            lines += s.second.lines;
            smallest.Offer(s.second.smallest);
        }
    }
    out.push_back(Report(names[5], lines, total_, smallest.present(), smallest.Text()));
    return out;
}

}  // namespace ca
