// The input data-quality reports (docs/data-quality.md): order_data_quality() over orders_sql and
// basket_data_quality() over items_sql. One row per check, in a fixed order, every check always
// present. The glue streams distinct rows with their number of copies (PostgreSQL groups identical
// rows, so exact duplicates cost no memory here); these accumulators hold every check's logic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exec_context.hpp"
#include "money.hpp"

namespace ca {

// One row of a report.
struct QualityCheck {
    std::string check;
    std::uint64_t rows = 0;
    bool has_share = false;  // false when the input is empty
    double share = 0;        // rows / total rows
    bool has_example = false;
    std::string example;
};

// A key value of the user's query (customer_id, order_id, item): an integer, or the bytes of a text
// id (of another type's text form). `bytes` is only valid during the Add call.
struct QualityKey {
    bool present = false;
    std::int64_t integer = 0;
    std::string_view bytes;
};

// The smallest of a key column's values offered so far: integers by value, other ids by their bytes
// (as COLLATE "C" sorts them). The copy it keeps is one key.
class SmallestKey {
  public:
    explicit SmallestKey(bool integer) : integer_(integer) {}
    void Offer(const QualityKey &key);
    void Offer(const SmallestKey &other);
    bool present() const { return present_; }
    std::string Text() const;
    // Below 0 when `key` (present) sorts before the kept one (or nothing is kept), 0 when equal.
    int Compare(const QualityKey &key) const;
    QualityKey Key() const;  // valid while this object is unchanged

  private:
    bool integer_;
    bool present_ = false;
    std::int64_t int_ = 0;
    std::string bytes_;
};

// Tukey's far-out fences on the natural log of positive values, k = 3, with quartiles by R's type 7
// (PostgreSQL's percentile_cont): [Q1 - 3 w, Q3 + 3 w] with w = max(Q3 - Q1, ln 2), so that a
// distribution whose middle half is one value still has fences a factor of 8 out.
struct LogFences {
    double q1 = 0, q3 = 0, lower = 0, upper = 0;
};
constexpr double kFenceK = 3.0;

// The p-quantile (R type 7) of values given as (value, copies) pairs sorted by value, n = sum of
// copies > 0.
double WeightedQuantile7(const BudgetVector<std::pair<double, std::uint64_t>> &sorted,
                         std::uint64_t n, double p);
// Sorts (value, copies) pairs by value (ticking) and returns their fences; n > 0.
LogFences FencesOfLogs(ExecContext &ctx, BudgetVector<std::pair<double, std::uint64_t>> &logs,
                       std::uint64_t n);

// ---- order_data_quality -------------------------------------------------------------------------

// How ordered_at is typed: examples show it as a date, a timestamp, or a timestamptz in UTC.
enum class QualityTime { Date, Timestamp, TimestampTz };

// More distinct orders than this by one customer on one calendar day is implausible.
constexpr std::uint64_t kMaxOrdersPerCustomerDay = 10;

struct OrderQualityOptions {
    bool integer_customers = true;  // customer_id keys are integers (else bytes)
    bool has_order_id = false;
    bool integer_orders = true;  // order_id keys are integers (else bytes)
    QualityTime time_type = QualityTime::Timestamp;
    std::int64_t as_of = 0;  // rows whose time (as given, microseconds) is after it are flagged
};

// One distinct row of orders_sql and how often it occurs.
struct OrderQualityRow {
    QualityKey customer;
    bool has_time = false;
    std::int64_t time = 0;  // ordered_at as given, microseconds (a date at its midnight)
    std::int32_t day = 0;   // its calendar day (timestamptz: in the session's time zone)
    bool has_amount = false;
    Money amount = 0;
    QualityKey order;  // order_id (options.has_order_id)
    std::uint64_t copies = 1;
};

// Rows must arrive so that all rows of one (customer, day) are consecutive, and within them all
// rows of one order_id (the glue's query orders them so).
class OrderQuality {
  public:
    OrderQuality(ExecContext &ctx, const OrderQualityOptions &options);
    void Add(const OrderQualityRow &row);
    // The report, in the documented order.
    std::vector<QualityCheck> Finish();

    // Check names, in report order.
    static const std::vector<std::string> &CheckNames();

  private:
    // The offending row to show: smallest order_id, else smallest customer_id, else the earliest
    // (ordered_at, amount) of a row that has neither.
    struct Example {
        Example(bool integer_orders, bool integer_customers)
            : order(integer_orders), customer(integer_customers) {}
        SmallestKey order, customer;
        bool has_row = false;
        bool row_has_time = false, row_has_amount = false;
        std::int64_t row_time = 0;
        Money row_amount = 0;
        void Offer(const OrderQualityRow &row);
        bool present() const { return order.present() || customer.present() || has_row; }
    };
    struct Count {
        Count(bool integer_orders, bool integer_customers)
            : example(integer_orders, integer_customers) {}
        std::uint64_t rows = 0;
        Example example;
        void Add(const OrderQualityRow &row, std::uint64_t n) {
            rows += n;
            example.Offer(row);
        }
    };
    void CloseCustomerDay();
    std::string ExampleText(const Example &e) const;
    std::string TimeText(std::int64_t usecs) const;

    ExecContext &ctx_;
    OrderQualityOptions options_;
    std::uint64_t total_ = 0;
    // null customer, null ordered_at, null amount, zero, negative, duplicates, after as_of
    std::vector<Count> counts_;
    // Positive amounts: their logs with copies, and the rows with the largest and smallest.
    BudgetVector<std::pair<double, std::uint64_t>> logs_;
    std::uint64_t positive_ = 0;
    bool has_extremes_ = false;
    Money max_amount_ = 0, min_amount_ = 0;
    Example max_example_, min_example_;
    // The current (customer, day): its key, orders and rows so far.
    bool in_day_ = false;
    bool day_integer_customer_ = true;
    std::int64_t day_customer_int_ = 0;
    std::string day_customer_bytes_;
    std::int32_t day_ = 0;
    bool day_has_order_ = false;
    std::int64_t day_order_int_ = 0;
    std::string day_order_bytes_;
    std::uint64_t day_orders_ = 0, day_rows_ = 0;
    std::uint64_t busy_rows_ = 0;
    // Smallest customer (then earliest day) of the flagged customer-days.
    SmallestKey busy_customer_;
    std::int32_t busy_day_ = 0;
};

// ---- basket_data_quality ------------------------------------------------------------------------

struct BasketQualityOptions {
    bool integer_orders = true;
    bool integer_items = true;
    bool has_quantity = false;
};

// One distinct (order_id, item) pair of items_sql: its lines, and those of them with a quantity of
// zero or less.
struct BasketQualityPair {
    QualityKey order;
    QualityKey item;
    std::uint64_t lines = 1;
    std::uint64_t non_positive_quantity = 0;
};

// Pairs must arrive with all pairs of one order_id consecutive (the NULL order_id as one more).
class BasketQuality {
  public:
    BasketQuality(ExecContext &ctx, const BasketQualityOptions &options);
    void Add(const BasketQualityPair &pair);
    std::vector<QualityCheck> Finish();
    static const std::vector<std::string> &CheckNames();

  private:
    // Smallest order_id, else smallest item.
    struct Example {
        Example(bool integer_orders, bool integer_items)
            : order(integer_orders), item(integer_items) {}
        SmallestKey order, item;
        void Offer(const BasketQualityPair &p) {
            order.Offer(p.order);
            item.Offer(p.item);
        }
    };
    struct Count {
        Count(bool integer_orders, bool integer_items) : example(integer_orders, integer_items) {}
        std::uint64_t rows = 0;
        Example example;
    };
    // Orders of one basket size (distinct non-NULL items): how many, their lines, the smallest.
    struct SizeBin {
        explicit SizeBin(bool integer_orders) : smallest(integer_orders) {}
        std::uint64_t orders = 0, lines = 0;
        SmallestKey smallest;
    };
    void CloseOrder();

    ExecContext &ctx_;
    BasketQualityOptions options_;
    std::uint64_t total_ = 0;
    // null order_id, null item, quantity <= 0, repeated item
    std::vector<Count> counts_;
    bool in_order_ = false;
    std::int64_t order_int_ = 0;
    std::string order_bytes_;
    std::uint64_t order_items_ = 0, order_lines_ = 0;
    // Basket sizes: at most sqrt(2 lines) distinct ones, kept sorted.
    std::vector<std::pair<std::uint64_t, SizeBin>> sizes_;
};

}  // namespace ca
