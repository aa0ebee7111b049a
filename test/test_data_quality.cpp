// Tests for src/core/data_quality.*: every check of order_data_quality() and basket_data_quality()
// on hand-made rows (duplicates with NULLs, the log-amount fences on small sets against fences
// worked out by hand, busy customer-days with and without order_id, examples), empty input, and a
// property test against a brute force written here from docs/data-quality.md on random rows.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "data_quality.hpp"
#include "periods.hpp"

namespace {

using ca::kUsecsPerDay;
using ca::Money;

constexpr Money kUnit = ca::kMoneyUnit;
constexpr std::int64_t kHour = 3600000000LL;

// A row of orders_sql with owned key values (the core's keys are views).
struct Row {
    bool has_customer = true;
    std::int64_t customer = 0;
    bool has_time = true;
    std::int64_t time = 0;
    bool has_amount = true;
    Money amount = 0;
    bool has_order = false;
    std::int64_t order = 0;
    std::uint64_t copies = 1;
};

Row R(std::int64_t customer, std::int64_t time, Money amount, std::int64_t order = -1,
      std::uint64_t copies = 1) {
    Row r;
    r.customer = customer;
    r.time = time;
    r.amount = amount;
    r.has_order = order >= 0;
    r.order = order;
    r.copies = copies;
    return r;
}

std::int32_t Day(int y, unsigned m, unsigned d) {
    return ca::DaysFromCivil(y, m, d);
}
std::int64_t At(std::int32_t day, std::int64_t hour = 12) {
    return static_cast<std::int64_t>(day) * kUsecsPerDay + hour * kHour;
}

ca::OrderQualityRow ToCore(const Row &r) {
    ca::OrderQualityRow q;
    q.customer.present = r.has_customer;
    q.customer.integer = r.customer;
    q.has_time = r.has_time;
    q.time = r.time;
    q.day = ca::DayOf(r.time);
    q.has_amount = r.has_amount;
    q.amount = r.amount;
    q.order.present = r.has_order;
    q.order.integer = r.order;
    q.copies = r.copies;
    return q;
}

// Feeds rows as the glue's query orders them: by customer (NULLs last), day, order_id.
std::vector<ca::QualityCheck> Report(std::vector<Row> rows,
                                     const ca::OrderQualityOptions &options) {
    std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
        auto key = [](const Row &r) {
            return std::make_tuple(!r.has_customer, r.customer, !r.has_time,
                                   r.has_time ? ca::DayOf(r.time) : 0, !r.has_order, r.order);
        };
        return key(a) < key(b);
    });
    ca::ExecContext ctx;
    ca::OrderQuality q(ctx, options);
    for (const Row &r : rows) q.Add(ToCore(r));
    return q.Finish();
}

ca::OrderQualityOptions Options(bool has_order_id, std::int64_t as_of = INT64_MAX) {
    ca::OrderQualityOptions o;
    o.has_order_id = has_order_id;
    o.as_of = as_of;
    return o;
}

const ca::QualityCheck &Check(const std::vector<ca::QualityCheck> &report,
                              const std::string &name) {
    for (const auto &c : report)
        if (c.check == name) return c;
    FAIL("no check " << name);
    return report.front();
}

std::string Example(const std::vector<ca::QualityCheck> &report, const std::string &name) {
    const auto &c = Check(report, name);
    return c.has_example ? c.example : "<null>";
}

}  // namespace

TEST_CASE("order quality: empty input has every check, no shares, no examples", "[data_quality]") {
    const auto report = Report({}, Options(true));
    REQUIRE(report.size() == ca::OrderQuality::CheckNames().size());
    for (std::size_t i = 0; i < report.size(); ++i) {
        CHECK(report[i].check == ca::OrderQuality::CheckNames()[i]);
        CHECK(report[i].rows == 0);
        CHECK_FALSE(report[i].has_share);
        CHECK_FALSE(report[i].has_example);
    }
}

TEST_CASE("order quality: a hand-made set, check by check", "[data_quality]") {
    const std::int32_t d = Day(2020, 1, 2);
    std::vector<Row> rows;
    rows.push_back(R(5, At(d), 10 * kUnit, 100, 2));  // two copies: one duplicate
    Row guest = R(0, At(d, 9), 5 * kUnit);            // NULL customer, no order_id
    guest.has_customer = false;
    rows.push_back(guest);
    Row untimed = R(3, 0, 7 * kUnit, 101);
    untimed.has_time = false;
    rows.push_back(untimed);
    Row no_amount = R(3, At(d + 1), 0, 102);
    no_amount.has_amount = false;
    rows.push_back(no_amount);
    rows.push_back(R(4, At(d + 1), 0, 103));              // zero
    rows.push_back(R(4, At(d + 1), -3 * kUnit, 104));     // negative
    rows.push_back(R(2, At(d + 2), -kUnit, -1));          // negative, no order_id value
    rows.push_back(R(6, At(d + 40), 20 * kUnit, 99, 1));  // after as_of
    const auto report = Report(rows, Options(true, At(d + 10)));
    // total: 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 = 9
    CHECK(Check(report, "total rows").rows == 9);
    CHECK(Check(report, "total rows").share == 1.0);
    CHECK_FALSE(Check(report, "total rows").has_example);
    CHECK(Check(report, "null customer_id").rows == 1);
    CHECK(Check(report, "null customer_id").share == Approx(1.0 / 9));
    CHECK(Example(report, "null customer_id") == "ordered_at 2020-01-02 09:00:00, amount 5");
    CHECK(Check(report, "null ordered_at").rows == 1);
    CHECK(Example(report, "null ordered_at") == "101");
    CHECK(Check(report, "null amount").rows == 1);
    CHECK(Example(report, "null amount") == "102");
    CHECK(Check(report, "zero amount").rows == 1);
    CHECK(Example(report, "zero amount") == "103");
    // Two negative rows; the order_id of one beats the customer of the other.
    CHECK(Check(report, "negative amount").rows == 2);
    CHECK(Example(report, "negative amount") == "104");
    CHECK(Check(report, "duplicate rows").rows == 1);
    CHECK(Example(report, "duplicate rows") == "100");
    CHECK(Check(report, "ordered after as_of").rows == 1);
    CHECK(Example(report, "ordered after as_of") == "99");
    // Positive amounts 10 (x2), 5, 7, 20: no outlier.
    CHECK(Check(report, "amount outliers").rows == 0);
    CHECK_FALSE(Check(report, "amount outliers").has_example);
    CHECK(Check(report, "implausible orders per day").rows == 0);
}

TEST_CASE("order quality: duplicates compare NULLs as equal; examples of NULL rows",
          "[data_quality]") {
    Row blank;
    blank.has_customer = false;
    blank.has_time = false;
    blank.has_amount = false;
    blank.copies = 3;
    Row blank2 = blank;
    blank2.has_amount = true;
    blank2.amount = -25 * kUnit / 10;
    blank2.copies = 1;
    const auto report = Report({blank, blank2}, Options(false));
    CHECK(Check(report, "total rows").rows == 4);
    CHECK(Check(report, "duplicate rows").rows == 2);
    CHECK(Example(report, "duplicate rows") == "ordered_at null, amount null");
    // NULL time sorts last, then the amount (NULL last): the -2.5 row is the example.
    CHECK(Example(report, "null customer_id") == "ordered_at null, amount -2.5");
    CHECK(Check(report, "null amount").rows == 3);
    CHECK(Example(report, "negative amount") == "ordered_at null, amount -2.5");
}

TEST_CASE("order quality: examples show dates and timestamptz in UTC", "[data_quality]") {
    Row guest = R(0, At(Day(2011, 12, 9), 13) + 1500000, 12345 * kUnit / 100);
    guest.has_customer = false;
    auto options = Options(false);
    options.time_type = ca::QualityTime::TimestampTz;
    CHECK(Example(Report({guest}, options), "null customer_id") ==
          "ordered_at 2011-12-09 13:00:01.5+00, amount 123.45");
    options.time_type = ca::QualityTime::Date;
    guest.time = At(Day(2011, 12, 9), 0);
    CHECK(Example(Report({guest}, options), "null customer_id") ==
          "ordered_at 2011-12-09, amount 123.45");
}

TEST_CASE("fences: type-7 quartiles of log amounts, worked by hand", "[data_quality]") {
    // Amounts 0.002, 1, 2, 4, 8, 16, 6000; l = ln 2. Sorted logs: ln 0.002, 0, l, 2l, 3l, 4l,
    // ln 6000. Q1: h = 0.25 * 6 = 1.5 -> 0 + 0.5 (l - 0) = 0.5 l. Q3: h = 4.5 -> 3l + 0.5 l = 3.5
    // l. IQR = 3 l; fences 0.5 l - 9 l = -8.5 l (2^-8.5 = 0.00276) and 3.5 l + 9 l = 12.5 l (2^12.5
    // = 5792.6): 0.002 and 6000 are outliers.
    const double l = std::log(2.0);
    ca::ExecContext ctx;
    auto logs = ca::MakeBudgetVector<std::pair<double, std::uint64_t>>(ctx);
    for (double a : {16.0, 0.002, 1.0, 2.0, 6000.0, 4.0, 8.0}) logs.emplace_back(std::log(a), 1);
    const ca::LogFences f = ca::FencesOfLogs(ctx, logs, 7);
    CHECK(f.q1 == Approx(0.5 * l));
    CHECK(f.q3 == Approx(3.5 * l));
    CHECK(f.lower == Approx(-8.5 * l));
    CHECK(f.upper == Approx(12.5 * l));

    const std::int32_t d = Day(2021, 3, 1);
    std::vector<Row> rows;
    std::int64_t order = 10;
    for (Money a :
         {16 * kUnit, kUnit / 500, kUnit, 2 * kUnit, 6000 * kUnit, 4 * kUnit, 8 * kUnit}) {
        rows.push_back(R(order % 3, At(d), a, order));
        ++order;
    }
    rows.push_back(R(1, At(d), -kUnit, order++));  // not positive: not in the distribution
    auto report = Report(rows, Options(true));
    CHECK(Check(report, "amount outliers").rows == 2);
    // The largest outlier shows: 6000 was order 14.
    CHECK(Example(report, "amount outliers") == "14");

    // Copies weigh: 1 (x3), 2, 4 (x3): Q1 = ln 1 = 0, Q3 = ln 4; n = 7, h = 1.5 and 4.5.
    logs.clear();
    logs.emplace_back(0.0, 3);
    logs.emplace_back(l, 1);
    logs.emplace_back(2 * l, 3);
    const ca::LogFences g = ca::FencesOfLogs(ctx, logs, 7);
    CHECK(g.q1 == 0.0);
    CHECK(g.q3 == Approx(2 * l));
}

TEST_CASE("fences: a middle half of one value keeps fences a factor of 8 out", "[data_quality]") {
    // Eight amounts of 10, one of 79 and one of 81: Q1 = Q3 = ln 10, the width is ln 2, the
    // fences are 10 / 8 = 1.25 and 10 * 8 = 80. 81 and 1.2 are outliers, 79 and 1.3 are not.
    const std::int32_t d = Day(2021, 3, 1);
    std::vector<Row> rows;
    for (int i = 0; i < 8; ++i) rows.push_back(R(i, At(d), 10 * kUnit));
    rows.push_back(R(20, At(d), 79 * kUnit));
    rows.push_back(R(21, At(d), 81 * kUnit));
    rows.push_back(R(22, At(d), 12 * kUnit / 10));
    rows.push_back(R(23, At(d), 13 * kUnit / 10));
    // With 12 values Q1 (h = 2.75) and Q3 (h = 8.25) are still 10.
    const auto report = Report(rows, Options(false));
    CHECK(Check(report, "amount outliers").rows == 2);
    CHECK(Example(report, "amount outliers") == "21");
    // Only a low outlier: the smallest amount shows.
    rows.pop_back();
    rows.pop_back();
    rows.pop_back();
    rows.pop_back();
    rows.push_back(R(30, At(d), kUnit));
    CHECK(Example(Report(rows, Options(false)), "amount outliers") == "30");
}

TEST_CASE("order quality: implausible orders per customer-day", "[data_quality]") {
    const std::int32_t d = Day(2022, 6, 30);
    std::vector<Row> rows;
    // Customer 7: 11 orders on d (flagged), 10 on d + 1 (not).
    for (int i = 0; i < 11; ++i) rows.push_back(R(7, At(d, i), kUnit, 700 + i));
    for (int i = 0; i < 10; ++i) rows.push_back(R(7, At(d + 1, i), kUnit, 800 + i));
    // Customer 9: 12 lines of 2 orders on d (not flagged); customer 3: 10 orders with ids and two
    // rows without one, each an order of its own (flagged, 12 rows).
    for (int i = 0; i < 12; ++i) rows.push_back(R(9, At(d, 1), kUnit * (i + 1), 900 + i % 2));
    for (int i = 0; i < 10; ++i) rows.push_back(R(3, At(d + 2, 1), kUnit * (i + 1), 300 + i));
    rows.push_back(R(3, At(d + 2, 2), kUnit));
    rows.push_back(R(3, At(d + 2, 3), kUnit));
    auto report = Report(rows, Options(true));
    CHECK(Check(report, "implausible orders per day").rows == 11 + 12);
    CHECK(Example(report, "implausible orders per day") == "3 on 2022-07-02");

    // Without order_id every row is an order, copies included: customer 9 (12 rows) is flagged.
    for (Row &r : rows) r.has_order = false;
    report = Report(rows, Options(false));
    CHECK(Check(report, "implausible orders per day").rows == 11 + 12 + 12);
    // Customer 4: 6 rows of 2 copies each: 12 orders.
    rows.clear();
    for (int i = 0; i < 6; ++i) rows.push_back(R(4, At(d, i), kUnit, -1, 2));
    report = Report(rows, Options(false));
    CHECK(Check(report, "implausible orders per day").rows == 12);
    CHECK(Example(report, "implausible orders per day") == "4 on 2022-06-30");
    // The earliest flagged day of the smallest customer.
    for (int i = 0; i < 6; ++i) rows.push_back(R(4, At(d - 3, i), kUnit, -1, 2));
    CHECK(Example(Report(rows, Options(false)), "implausible orders per day") == "4 on 2022-06-27");
}

TEST_CASE("order quality: text ids are ordered by their bytes", "[data_quality]") {
    ca::ExecContext ctx;
    auto options = Options(true);
    options.integer_customers = false;
    options.integer_orders = false;
    ca::OrderQuality q(ctx, options);
    const std::vector<std::string> orders = {"b10", "B2", "a", "b9"};
    // QualityKey::bytes is a view: the customer ids must outlive the rows that point at them.
    const std::string customer_c = "c", customer_cx = "cx";
    for (const std::string &o : orders) {
        ca::OrderQualityRow r;
        r.customer.present = true;
        r.customer.bytes = o == "a" ? customer_c : customer_cx;
        r.has_time = true;
        r.has_amount = true;
        r.amount = -kUnit;
        r.order.present = true;
        r.order.bytes = o;
        q.Add(r);
    }
    const auto report = q.Finish();
    CHECK(Example(report, "negative amount") == "B2");
}

TEST_CASE("property: order quality agrees with a brute force on random rows", "[data_quality]") {
    std::mt19937_64 rng(11);
    for (int round = 0; round < 200; ++round) {
        const bool with_orders = round % 2 == 0;
        std::vector<Row> rows;
        const int n = static_cast<int>(rng() % 80);
        const Money amounts[] = {-2 * kUnit, 0,         kUnit / 100, kUnit,       3 * kUnit,
                                 5 * kUnit,  7 * kUnit, 40 * kUnit,  5000 * kUnit};
        for (int i = 0; i < n; ++i) {
            Row r;
            r.has_customer = rng() % 8 != 0;
            r.customer = static_cast<std::int64_t>(rng() % 3);
            r.has_time = rng() % 10 != 0;
            r.time = r.has_time ? At(Day(2020, 1, 1) + static_cast<int>(rng() % 2),
                                     static_cast<std::int64_t>(rng() % 3))
                                : 0;
            r.has_amount = rng() % 10 != 0;
            r.amount = r.has_amount ? amounts[rng() % 9] : 0;
            r.has_order = with_orders && rng() % 6 != 0;
            r.order = r.has_order ? static_cast<std::int64_t>(rng() % 40) : 0;
            rows.push_back(r);
        }
        // Identical rows become one row with copies, as PostgreSQL's GROUP BY hands them over.
        std::vector<Row> distinct;
        for (const Row &r : rows) {
            auto same = [&](const Row &o) {
                return o.has_customer == r.has_customer && o.customer == r.customer &&
                       o.has_time == r.has_time && o.time == r.time &&
                       o.has_amount == r.has_amount && o.amount == r.amount &&
                       o.has_order == r.has_order && o.order == r.order;
            };
            auto it = std::find_if(distinct.begin(), distinct.end(), same);
            if (it == distinct.end())
                distinct.push_back(r);
            else
                ++it->copies;
        }
        const std::int64_t as_of = At(Day(2020, 1, 1), 1);
        const auto report = Report(distinct, Options(with_orders, as_of));

        // Brute force over the rows one by one.
        std::uint64_t null_customer = 0, negative = 0, after = 0, duplicates = 0, outliers = 0;
        std::vector<double> logs;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const Row &r = rows[i];
            null_customer += !r.has_customer;
            negative += r.has_amount && r.amount < 0;
            after += r.has_time && r.time > as_of;
            if (r.has_amount && r.amount > 0) logs.push_back(std::log(ca::MoneyToDouble(r.amount)));
            for (std::size_t j = 0; j < i; ++j) {
                const Row &o = rows[j];
                if (o.has_customer == r.has_customer && o.customer == r.customer &&
                    o.has_time == r.has_time && o.time == r.time && o.has_amount == r.has_amount &&
                    o.amount == r.amount && o.has_order == r.has_order && o.order == r.order) {
                    ++duplicates;
                    break;
                }
            }
        }
        std::sort(logs.begin(), logs.end());
        if (!logs.empty()) {
            auto quantile = [&](double p) {
                const double h = p * static_cast<double>(logs.size() - 1);
                const std::size_t lo = static_cast<std::size_t>(h);
                const std::size_t hi = std::min(lo + 1, logs.size() - 1);
                return logs[lo] + (h - static_cast<double>(lo)) * (logs[hi] - logs[lo]);
            };
            const double q1 = quantile(0.25), q3 = quantile(0.75);
            const double w = std::max(q3 - q1, std::log(2.0));
            for (double v : logs) outliers += v < q1 - 3 * w || v > q3 + 3 * w;
        }
        // Busy customer-days: distinct order_ids (rows without one each count) per (customer, day).
        std::map<std::pair<std::int64_t, std::int32_t>, std::pair<std::set<std::int64_t>, int>>
            days;
        for (const Row &r : rows) {
            if (!r.has_customer || !r.has_time) continue;
            auto &e = days[{r.customer, ca::DayOf(r.time)}];
            if (r.has_order)
                e.first.insert(r.order);
            else
                ++e.second;
        }
        std::uint64_t busy = 0;
        std::string busy_example = "<null>";
        for (const auto &kv : days) {
            const auto orders = kv.second.first.size() + static_cast<std::size_t>(kv.second.second);
            if (orders <= ca::kMaxOrdersPerCustomerDay) continue;
            for (const Row &r : rows)
                busy += r.has_customer && r.has_time && r.customer == kv.first.first &&
                        ca::DayOf(r.time) == kv.first.second;
            if (busy_example == "<null>") {
                int y;
                unsigned m, dd;
                ca::CivilFromDays(kv.first.second, y, m, dd);
                char buf[32];
                std::snprintf(buf, sizeof buf, "%lld on %04d-%02u-%02u",
                              static_cast<long long>(kv.first.first), y, m, dd);
                busy_example = buf;
            }
        }
        // The smallest negative order_id, else customer, as the example.
        std::string negative_example = "<null>";
        std::int64_t best_order = INT64_MAX, best_customer = INT64_MAX;
        for (const Row &r : rows) {
            if (!(r.has_amount && r.amount < 0)) continue;
            if (r.has_order) best_order = std::min(best_order, r.order);
            if (r.has_customer) best_customer = std::min(best_customer, r.customer);
        }
        if (best_order != INT64_MAX)
            negative_example = std::to_string(best_order);
        else if (best_customer != INT64_MAX)
            negative_example = std::to_string(best_customer);

        INFO("round " << round);
        CHECK(Check(report, "total rows").rows == rows.size());
        CHECK(Check(report, "null customer_id").rows == null_customer);
        CHECK(Check(report, "negative amount").rows == negative);
        if (negative_example != "<null>" || negative == 0)
            CHECK(Example(report, "negative amount") == negative_example);
        CHECK(Check(report, "ordered after as_of").rows == after);
        CHECK(Check(report, "duplicate rows").rows == duplicates);
        CHECK(Check(report, "amount outliers").rows == outliers);
        CHECK(Check(report, "implausible orders per day").rows == busy);
        CHECK(Example(report, "implausible orders per day") == busy_example);
    }
}

TEST_CASE("order quality: memory is charged and a cancel stops the sort", "[data_quality]") {
    ca::ExecContext small(1024);
    ca::OrderQuality q(small, Options(false));
    CHECK(KindOf([&] {
              for (int i = 0; i < 1000; ++i) q.Add(ToCore(R(i, At(0), (i + 1) * kUnit)));
          }) == ca::ErrorKind::MemoryLimit);

    HookState hook;
    hook.throw_at = 6;  // 4 calls while adding, 1 before the sort, then the sort
    ca::ExecContext ctx(ca::ExecContext::kUnlimited, CountingHook, &hook);
    ca::OrderQuality r(ctx, Options(false));
    for (int i = 0; i < 20000; ++i) r.Add(ToCore(R(i, At(0), (20000 - i) * kUnit)));
    CHECK(KindOf([&] { r.Finish(); }) == ca::ErrorKind::Cancelled);
    CHECK(hook.calls == 6);
}

// ---- basket_data_quality ------------------------------------------------------------------------

namespace {

struct Pair {
    bool has_order = true;
    std::int64_t order = 0;
    bool has_item = true;
    std::string item;
    std::uint64_t lines = 1;
    std::uint64_t non_positive = 0;
};

Pair P(std::int64_t order, const std::string &item, std::uint64_t lines = 1,
       std::uint64_t non_positive = 0) {
    Pair p;
    p.order = order;
    p.item = item;
    p.lines = lines;
    p.non_positive = non_positive;
    return p;
}

std::vector<ca::QualityCheck> Baskets(std::vector<Pair> pairs, bool has_quantity = true) {
    std::stable_sort(pairs.begin(), pairs.end(), [](const Pair &a, const Pair &b) {
        return std::make_pair(!a.has_order, a.order) < std::make_pair(!b.has_order, b.order);
    });
    ca::ExecContext ctx;
    ca::BasketQualityOptions options;
    options.integer_items = false;
    options.has_quantity = has_quantity;
    ca::BasketQuality q(ctx, options);
    for (const Pair &p : pairs) {
        ca::BasketQualityPair c;
        c.order.present = p.has_order;
        c.order.integer = p.order;
        c.item.present = p.has_item;
        c.item.bytes = p.item;
        c.lines = p.lines;
        c.non_positive_quantity = p.non_positive;
        q.Add(c);
    }
    return q.Finish();
}

}  // namespace

TEST_CASE("basket quality: empty input and a hand-made set", "[data_quality]") {
    auto report = Baskets({});
    REQUIRE(report.size() == ca::BasketQuality::CheckNames().size());
    for (const auto &c : report) {
        CHECK(c.rows == 0);
        CHECK_FALSE(c.has_share);
        CHECK_FALSE(c.has_example);
    }

    std::vector<Pair> pairs = {P(1, "a", 2), P(1, "b"), P(2, "a", 1, 1), P(5, "z", 3, 2)};
    Pair guest = P(0, "c");
    guest.has_order = false;
    pairs.push_back(guest);
    Pair blank = P(3, "", 2);
    blank.has_item = false;
    pairs.push_back(blank);
    report = Baskets(pairs);
    // 2 + 1 + 1 + 3 + 1 + 2 = 10 lines.
    CHECK(Check(report, "total lines").rows == 10);
    CHECK(Check(report, "null order_id").rows == 1);
    CHECK(Example(report, "null order_id") == "c");
    CHECK(Check(report, "null item").rows == 2);
    CHECK(Check(report, "null item").share == Approx(0.2));
    CHECK(Example(report, "null item") == "3");
    CHECK(Check(report, "quantity <= 0").rows == 3);
    CHECK(Example(report, "quantity <= 0") == "2");
    // "a" twice in order 1 (one surplus line), "z" three times in order 5 (two).
    CHECK(Check(report, "repeated item in order").rows == 3);
    CHECK(Example(report, "repeated item in order") == "1");
    CHECK(Check(report, "outlier basket size").rows == 0);
}

TEST_CASE("basket quality: outlier basket sizes, worked by hand", "[data_quality]") {
    // 10 baskets of 1 item, 10 of 2, one of 15 and one of 20 (l = ln 2). n = 22, sorted logs:
    // 0 x10, l x10, ln 15, ln 20. Q1: h = 5.25 -> 0; Q3: h = 15.75 -> l. Width l, upper fence
    // l + 3 l = 4 l = ln 16: only the basket of 20 is an outlier. Its lines: 20 plus a repeat.
    std::vector<Pair> pairs;
    std::int64_t order = 100;
    for (int i = 0; i < 10; ++i) pairs.push_back(P(order++, "a"));
    for (int i = 0; i < 10; ++i) {
        pairs.push_back(P(order, "a"));
        pairs.push_back(P(order++, "b"));
    }
    for (int i = 0; i < 15; ++i) pairs.push_back(P(500, "i" + std::to_string(i)));
    for (int i = 0; i < 20; ++i) pairs.push_back(P(400, "i" + std::to_string(i), i == 0 ? 2 : 1));
    Pair untyped = P(400, "");  // a NULL item line: a line of the basket, not an item
    untyped.has_item = false;
    pairs.push_back(untyped);
    const auto report = Baskets(pairs);
    CHECK(Check(report, "outlier basket size").rows == 22);
    CHECK(Example(report, "outlier basket size") == "400");
    // An order whose lines all lack an item has no size: it is no basket.
    Pair empty = P(50, "", 100);
    empty.has_item = false;
    auto more = pairs;
    more.push_back(empty);
    CHECK(Check(Baskets(more), "outlier basket size").rows == 22);
}
