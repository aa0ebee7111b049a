// Tests for src/core/customer_summary.*: CustomerSummaries (the per-customer summaries of one read
// of the orders, as rfm() uses them) on hand-worked streams (purchases, returns, zero amounts,
// unusable rows, the bound, r_rfm's row counting), a property test against a brute-force
// recomputation written here from docs/rfm.md, the monetary overflow; CustomerSummary's Add/Merge
// algebra and derived values; SummaryAsOf (the rfm_summary aggregate's state); and the byte
// format, with malformed input.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "customer_summary.hpp"

namespace {

using ca::Money;
using U128 = unsigned __int128;

constexpr Money kMoneyMax = static_cast<Money>(~U128{0} >> 1);  // 2^127 - 1
constexpr Money kMoneyMin = -kMoneyMax - 1;                     // -2^127

ca::PurchaseRule Rule(bool count_rows) {
    return count_rows ? ca::PurchaseRule::EveryOrder : ca::PurchaseRule::PositiveAmount;
}

// A usable one-row order.
ca::Order Order(std::int64_t time, Money amount, int decimals) {
    ca::Order o;
    o.has_time = true;
    o.time = time;
    o.has_amount = true;
    o.amount = amount;
    o.decimals = decimals;
    return o;
}

// A one-row order with a NULL field, as the glue passes it (bad_lines = 1).
ca::Order NullTime(Money amount) {
    ca::Order o = Order(0, amount, 2);
    o.has_time = false;
    o.bad_lines = 1;
    return o;
}
ca::Order NullAmount(std::int64_t time) {
    ca::Order o = Order(time, 0, 0);
    o.has_amount = false;
    o.bad_lines = 1;
    return o;
}

// An order of several lines, pre-aggregated.
ca::Order Lines(std::int64_t time, Money amount, int decimals, std::int64_t lines,
                std::int64_t bad_lines, std::int64_t after_lines) {
    ca::Order o = Order(time, amount, decimals);
    o.lines = lines;
    o.bad_lines = bad_lines;
    o.after_lines = after_lines;
    return o;
}

constexpr Money kCent = 1000000;  // 0.01 in 1e-8 units

}  // namespace

TEST_CASE("CustomerSummaries: purchases, returns and zero amounts") {
    ca::ExecContext ctx;
    ca::CustomerSummaries acc(ctx, Rule(/*count_rows=*/false), /*has_bound=*/false, 0);
    CHECK(!acc.has_latest());
    CHECK(acc.customers().empty());
    // Customer 0: +10.00 at 100, -3.5 at 200 (a return), 0 at 300 (neither), +2.125 at 150.
    acc.Add(0, Order(100, 1000 * kCent, 2));
    acc.Add(0, Order(200, -350 * kCent, 1));
    acc.Add(0, Order(300, 0, 0));
    acc.Add(0, Order(150, 212500000, 3));
    // Customer 2 (customer 1 never appears): only a return of -1 at 50.
    acc.Add(2, Order(50, -100 * kCent, 0));
    REQUIRE(acc.customers().size() == 3u);
    const ca::CustomerSummary &c0 = acc.customers()[0];
    CHECK(c0.purchases() == 2u);       // 100 and 150
    CHECK(c0.last_purchase() == 150);  // the return (200) and the zero (300) are no purchase
    CHECK(c0.net_amount() == Money{862500000});  // 10 - 3.5 + 0 + 2.125 = 8.625
    CHECK(c0.decimals() == 3u);                  // max(2, 1, 0, 3)
    const ca::CustomerSummary &c1 = acc.customers()[1];
    CHECK(c1.purchases() == 0u);
    CHECK(c1.net_amount() == 0);
    CHECK(c1.decimals() == 0u);
    const ca::CustomerSummary &c2 = acc.customers()[2];
    CHECK(c2.purchases() == 0u);
    CHECK(c2.net_amount() == -100 * kCent);
    // The latest counted order is the zero amount at 300, though it is no purchase.
    CHECK(acc.has_latest());
    CHECK(acc.latest() == 300);
    CHECK(acc.skips().null_customer_rows == 0);
    CHECK(acc.skips().null_field_rows == 0);
    CHECK(acc.skips().after_bound_rows == 0);
}

TEST_CASE("CustomerSummaries: times before the epoch") {
    ca::ExecContext ctx;
    ca::CustomerSummaries acc(ctx, Rule(false), false, 0);
    // Only negative times: the latest purchase is -500, not the initial 0.
    acc.Add(0, Order(-700, 5 * kCent, 2));
    acc.Add(0, Order(-500, 5 * kCent, 2));
    acc.Add(0, Order(-900, 5 * kCent, 2));
    CHECK(acc.customers()[0].last_purchase() == -500);
    CHECK(acc.customers()[0].purchases() == 3u);
    CHECK(acc.has_latest());
    CHECK(acc.latest() == -500);
    // And the extremes of the time scale.
    acc.Add(1, Order(std::numeric_limits<std::int64_t>::min(), kCent, 2));
    CHECK(acc.customers()[1].last_purchase() == std::numeric_limits<std::int64_t>::min());
    CHECK(acc.latest() == -500);
    acc.Add(1, Order(std::numeric_limits<std::int64_t>::max(), kCent, 2));
    CHECK(acc.customers()[1].last_purchase() == std::numeric_limits<std::int64_t>::max());
    CHECK(acc.latest() == std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("CustomerSummaries: unusable rows are skipped and counted") {
    ca::ExecContext ctx;
    ca::CustomerSummaries acc(ctx, Rule(false), false, 0);
    acc.Add(0, NullTime(500 * kCent));  // would be a purchase of 5.00
    acc.Add(0, NullAmount(400));        // would be the latest time
    acc.Add(3, NullAmount(900));        // a customer with nothing usable
    // An order of 5 lines: 2 had a NULL, 1 was after as_of upstream; the other 2 made +7.00 at 120.
    acc.Add(0, Lines(120, 700 * kCent, 2, 5, 2, 1));
    // An order whose 3 lines were all unusable: no time.
    ca::Order all_bad = Lines(0, 0, 0, 3, 3, 0);
    all_bad.has_time = false;
    acc.Add(1, all_bad);
    acc.AddNullCustomer(4);
    acc.AddNullCustomer(1);
    REQUIRE(acc.customers().size() == 4u);  // customer 3 has a (empty) state all the same
    CHECK(acc.customers()[0].purchases() == 1u);
    CHECK(acc.customers()[0].last_purchase() == 120);
    CHECK(acc.customers()[0].net_amount() == 700 * kCent);
    CHECK(acc.customers()[0].decimals() == 2u);
    CHECK(acc.customers()[1].purchases() == 0u);
    CHECK(acc.customers()[3].purchases() == 0u);
    CHECK(acc.customers()[3].net_amount() == 0);
    // null fields: 1 + 1 + 1 + 2 + 3 = 8; after as_of: the 1 line counted upstream.
    CHECK(acc.skips().null_field_rows == 8);
    CHECK(acc.skips().after_bound_rows == 1);
    CHECK(acc.skips().null_customer_rows == 5);
    CHECK(acc.latest() == 120);  // not 400 or 900: those rows had no amount
}

TEST_CASE("CustomerSummaries: no counted order means no latest") {
    ca::ExecContext ctx;
    ca::CustomerSummaries acc(ctx, Rule(false), true, 1000);
    CHECK(!acc.has_latest());
    acc.Add(0, NullTime(kCent));
    acc.Add(0, NullAmount(10));
    acc.Add(1, Order(1001, kCent, 2));  // after as_of
    acc.AddNullCustomer(2);
    CHECK(!acc.has_latest());
    CHECK(acc.customers().size() == 2u);
    CHECK(acc.customers()[1].purchases() == 0u);
    CHECK(acc.customers()[1].net_amount() == 0);
    CHECK(acc.skips().null_field_rows == 2);
    CHECK(acc.skips().after_bound_rows == 1);
    CHECK(acc.skips().null_customer_rows == 2);
}

TEST_CASE("CustomerSummaries: as_of leaves out later orders and keeps those at as_of") {
    ca::ExecContext ctx;
    ca::CustomerSummaries acc(ctx, Rule(false), true, 1000);
    acc.Add(0, Order(1000, 300 * kCent, 2));  // exactly as_of: counted
    acc.Add(0, Order(1001, 900 * kCent, 2));  // one microsecond later: left out (1 row)
    acc.Add(0, Order(999, -100 * kCent, 2));  // a return before as_of: counted
    // 4 lines after as_of: 1 had a NULL, 1 was already counted as after upstream; so 4 - 1 - 1 =
    // 2 more rows after as_of, plus the 1 from upstream, and 1 null field row.
    acc.Add(1, Lines(5000, 100 * kCent, 2, 4, 1, 1));
    acc.Add(1, Order(-5, 100 * kCent, 0));
    const ca::CustomerSummary &c0 = acc.customers()[0];
    CHECK(c0.purchases() == 1u);
    CHECK(c0.last_purchase() == 1000);
    CHECK(c0.net_amount() == 200 * kCent);  // 3.00 - 1.00
    CHECK(acc.customers()[1].purchases() == 1u);
    CHECK(acc.customers()[1].last_purchase() == -5);
    CHECK(acc.customers()[1].net_amount() == 100 * kCent);
    CHECK(acc.customers()[1].decimals() == 0u);  // the left-out order's 2 decimals do not count
    // after as_of: 1 (the order at 1001) + 1 (upstream) + 2 = 4; null fields: 1.
    CHECK(acc.skips().after_bound_rows == 4);
    CHECK(acc.skips().null_field_rows == 1);
    CHECK(acc.latest() == 1000);
}

TEST_CASE("CustomerSummaries: count_rows (r_rfm) counts every usable row as a purchase") {
    ca::ExecContext ctx;
    ca::CustomerSummaries acc(ctx, Rule(/*count_rows=*/true), /*has_bound=*/true, 1000);
    acc.Add(0, Order(100, 1000 * kCent, 2));
    acc.Add(0, Order(400, -350 * kCent, 1));   // a return: still a row, and the latest one
    acc.Add(0, Order(300, 0, 0));              // a zero amount: a row
    acc.Add(0, Order(2000, 5000 * kCent, 2));  // after as_of: not counted
    acc.Add(0, NullAmount(500));               // unusable: not counted
    acc.Add(1, Order(50, -100 * kCent, 0));    // only a return: one purchase for r_rfm
    const ca::CustomerSummary &c0 = acc.customers()[0];
    CHECK(c0.purchases() == 3u);
    CHECK(c0.last_purchase() == 400);
    CHECK(c0.net_amount() == 650 * kCent);  // 10.00 - 3.50 + 0
    CHECK(c0.decimals() == 2u);
    CHECK(acc.customers()[1].purchases() == 1u);
    CHECK(acc.customers()[1].last_purchase() == 50);
    CHECK(acc.customers()[1].net_amount() == -100 * kCent);
    CHECK(acc.skips().after_bound_rows == 1);
    CHECK(acc.skips().null_field_rows == 1);
    CHECK(acc.latest() == 400);
}

TEST_CASE("CustomerSummaries: the monetary total past the int128 range throws DataException") {
    ca::ExecContext ctx;
    ca::CustomerSummaries acc(ctx, Rule(false), false, 0);
    acc.Add(0, Order(10, kMoneyMax, 8));
    acc.Add(0, Order(11, -5, 8));
    acc.Add(0, Order(12, 5, 8));  // back to exactly 2^127 - 1: allowed
    CHECK(acc.customers()[0].net_amount() == kMoneyMax);
    try {
        acc.Add(0, Order(20, 1, 8));
        FAIL("no error");
    } catch (const ca::Error &e) {
        CHECK(e.kind() == ca::ErrorKind::DataException);
    }
    // The failed order left no trace.
    CHECK(acc.customers()[0].net_amount() == kMoneyMax);
    CHECK(acc.customers()[0].purchases() == 2u);
    CHECK(acc.customers()[0].last_purchase() == 12);
    CHECK(acc.latest() == 12);
    // Two large amounts, neither alone out of range.
    acc.Add(1, Order(1, kMoneyMax / 2 + 1, 8));
    CHECK_THROWS_AS(acc.Add(1, Order(2, kMoneyMax / 2 + 1, 8)), ca::Error);
    // The negative end: -2^127 is reachable, one unit below is not.
    acc.Add(2, Order(1, kMoneyMin + 1, 8));
    acc.Add(2, Order(2, -1, 8));
    CHECK(acc.customers()[2].net_amount() == kMoneyMin);
    try {
        acc.Add(2, Order(3, -1, 8));
        FAIL("no error");
    } catch (const ca::Error &e) {
        CHECK(e.kind() == ca::ErrorKind::DataException);
    }
    CHECK(acc.customers()[2].net_amount() == kMoneyMin);
    // A positive amount brings it back.
    acc.Add(2, Order(4, kMoneyMax, 8));
    CHECK(acc.customers()[2].net_amount() == -1);
}

TEST_CASE("CustomerSummary keeps any Money in its two halves, through its bytes too") {
    const Money values[] = {0,
                            1,
                            -1,
                            kMoneyMax,
                            kMoneyMin,
                            -(Money{1} << 64),
                            (Money{1} << 64) - 1,
                            Money{1} << 64,
                            -5000000};
    for (Money m : values) {
        ca::CustomerSummary s;
        s.Add(1, m, 8);
        CHECK(s.net_amount() == m);
        std::string bytes;
        s.Serialize(bytes);
        CHECK(ca::CustomerSummary::Deserialize(bytes.data(), bytes.size()) == s);
    }
}

TEST_CASE("CustomerSummaries: its customer states are charged to the ExecContext") {
    ca::ExecContext ctx;
    {
        ca::CustomerSummaries acc(ctx, Rule(false), false, 0);
        acc.Prefetch(12345);  // no state yet: harmless
        acc.Add(9999, Order(1, kCent, 2));
        CHECK(acc.customers().size() == 10000u);
        CHECK(ctx.used() == acc.customers().capacity() * sizeof(ca::CustomerSummary));
    }
    CHECK(ctx.used() == 0u);
    ca::ExecContext small(1000);
    ca::CustomerSummaries acc(small, Rule(false), false, 0);
    acc.Add(0, Order(1, kCent, 2));
    try {
        acc.Add(100, Order(1, kCent, 2));  // 101 states of 48 bytes
        FAIL("no error");
    } catch (const ca::Error &e) {
        CHECK(e.kind() == ca::ErrorKind::MemoryLimit);
    }
}

// ---- Property test: random streams against a brute-force recomputation ----------------------

namespace {

struct Added {
    std::uint32_t customer;
    ca::Order order;
};

struct Expected {
    std::size_t size = 0;
    std::vector<Money> monetary;
    std::vector<std::uint32_t> purchases;
    std::vector<std::int64_t> last_purchase;  // meaningful when purchases > 0
    std::vector<int> decimals;
    std::int64_t null_customer_rows = 0, null_field_rows = 0, after_bound_rows = 0;
    bool has_latest = false;
    std::int64_t latest = 0;
};

// Straight from the definitions, one pass per quantity: the orders that count are those with a
// time and an amount, at or before as_of when there is one.
Expected BruteForce(const std::vector<Added> &adds, std::int64_t null_customer_rows,
                    bool count_rows, bool has_as_of, std::int64_t as_of) {
    Expected e;
    for (const Added &a : adds) e.size = std::max<std::size_t>(e.size, a.customer + 1u);
    auto usable = [](const ca::Order &o) { return o.has_time && o.has_amount; };
    auto counts = [&](const ca::Order &o) { return usable(o) && !(has_as_of && o.time > as_of); };
    auto purchase = [&](const ca::Order &o) { return counts(o) && (count_rows || o.amount > 0); };
    e.null_customer_rows = null_customer_rows;
    for (const Added &a : adds) {
        e.null_field_rows += a.order.bad_lines;
        e.after_bound_rows += a.order.after_lines;
        if (usable(a.order) && has_as_of && a.order.time > as_of)
            e.after_bound_rows += a.order.lines - a.order.bad_lines - a.order.after_lines;
    }
    std::vector<std::int64_t> counted_times;
    for (const Added &a : adds)
        if (counts(a.order)) counted_times.push_back(a.order.time);
    e.has_latest = !counted_times.empty();
    if (e.has_latest) e.latest = *std::max_element(counted_times.begin(), counted_times.end());
    for (std::uint32_t c = 0; c < e.size; ++c) {
        Money total = 0;
        std::uint32_t n = 0;
        std::vector<std::int64_t> purchase_times;
        int dec = 0;
        for (const Added &a : adds) {
            if (a.customer != c || !counts(a.order)) continue;
            total += a.order.amount;
            dec = std::max(dec, a.order.decimals);
            if (purchase(a.order)) {
                ++n;
                purchase_times.push_back(a.order.time);
            }
        }
        e.monetary.push_back(total);
        e.purchases.push_back(n);
        e.last_purchase.push_back(purchase_times.empty() ? 0
                                                         : *std::max_element(purchase_times.begin(),
                                                                             purchase_times.end()));
        e.decimals.push_back(dec);
    }
    return e;
}

}  // namespace

TEST_CASE("CustomerSummaries: random streams against brute force") {
    std::mt19937_64 rng(8675309);
    for (int round = 0; round < 60; ++round) {
        const bool count_rows = rng() % 2 == 0;
        const bool has_as_of = rng() % 3 != 0;
        // Times on a small range around as_of (many ties with it), sometimes negative.
        const std::int64_t as_of = static_cast<std::int64_t>(rng() % 200) - 50;
        const std::size_t customers = 1 + rng() % 50;
        const std::size_t orders = rng() % 600;
        std::vector<Added> adds;
        std::int64_t null_customer_rows = 0;
        ca::ExecContext ctx;
        ca::CustomerSummaries acc(ctx, Rule(count_rows), has_as_of, as_of);
        for (std::size_t i = 0; i < orders; ++i) {
            if (rng() % 20 == 0) {
                const auto lines = static_cast<std::int64_t>(1 + rng() % 4);
                acc.AddNullCustomer(lines);
                null_customer_rows += lines;
                continue;
            }
            Added a;
            a.customer = static_cast<std::uint32_t>(rng() % customers);
            ca::Order &o = a.order;
            o.has_time = rng() % 10 != 0;
            o.has_amount = rng() % 10 != 0;
            o.time = static_cast<std::int64_t>(rng() % 300) - 100;
            switch (rng() % 4) {
                case 0:
                    o.amount = 0;
                    break;
                case 1:
                    o.amount = -static_cast<Money>(rng() % 100000) * kCent;
                    break;
                case 2:
                    o.amount = static_cast<Money>(rng() % 1000000000000ULL);
                    break;
                default:
                    o.amount = static_cast<Money>(rng() % 100000) * kCent;
                    break;
            }
            o.decimals = static_cast<int>(rng() % 9);
            if (rng() % 3 == 0) {  // an order of several lines
                o.lines = static_cast<std::int64_t>(1 + rng() % 6);
                o.bad_lines =
                    static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(o.lines));
                o.after_lines = static_cast<std::int64_t>(
                    rng() % static_cast<std::uint64_t>(o.lines - o.bad_lines));
                if (!o.has_time || !o.has_amount) o.bad_lines = o.lines - o.after_lines;
            } else {
                o.bad_lines = (o.has_time && o.has_amount) ? 0 : 1;
            }
            acc.Prefetch(a.customer);
            acc.Prefetch(a.customer + 1000);  // beyond the states: harmless
            acc.Add(a.customer, o);
            adds.push_back(a);
        }
        const Expected e = BruteForce(adds, null_customer_rows, count_rows, has_as_of, as_of);
        INFO("round " << round << ", count_rows " << count_rows << ", has_as_of " << has_as_of
                      << ", as_of " << as_of);
        REQUIRE(acc.customers().size() == e.size);
        for (std::size_t c = 0; c < e.size; ++c) {
            const ca::CustomerSummary &s = acc.customers()[c];
            INFO("customer " << c);
            REQUIRE(s.net_amount() == e.monetary[c]);
            REQUIRE(s.purchases() == e.purchases[c]);
            if (e.purchases[c] > 0) REQUIRE(s.last_purchase() == e.last_purchase[c]);
            REQUIRE(static_cast<int>(s.decimals()) == e.decimals[c]);
        }
        CHECK(acc.skips().null_customer_rows == e.null_customer_rows);
        CHECK(acc.skips().null_field_rows == e.null_field_rows);
        CHECK(acc.skips().after_bound_rows == e.after_bound_rows);
        REQUIRE(acc.has_latest() == e.has_latest);
        if (e.has_latest) CHECK(acc.latest() == e.latest);
        CHECK(ctx.used() == acc.customers().capacity() * sizeof(ca::CustomerSummary));
    }
}

// ---- SummaryAsOf: the rfm_summary aggregate's state (moved from test_rfm.cpp) ----------------

namespace {
// The summary tests give amounts as decimals with at most 2 places; Money counts 1e-8 units.
ca::Money ToMoney(double amount) {
    return static_cast<ca::Money>(std::llround(amount * 1e8));
}
void SummaryAdd(ca::SummaryAsOf &s, std::int64_t t, double amount, bool has_as_of,
                std::int64_t as_of) {
    s.Add(t, ToMoney(amount), 2, has_as_of, as_of);
}
double SummaryMonetary(const ca::SummaryAsOf &s) {
    return ca::MoneyToDouble(s.summary().net_amount());
}
}  // namespace

TEST_CASE("SummaryAsOf::Add: purchases / returns / as_of") {
    ca::SummaryAsOf s;
    // Rows: (t=10, 5.00) purchase, (t=20, -2.00) return, (t=5, 3.00) purchase,
    // (t=30, 0.00) neither. Purchases 2 (t 5 and 10), rows 4, net 6.00.
    SummaryAdd(s, 10, 5.0, false, 0);
    SummaryAdd(s, 20, -2.0, false, 0);
    SummaryAdd(s, 5, 3.0, false, 0);
    SummaryAdd(s, 30, 0.0, false, 0);
    CHECK(s.summary().orders() == 4);
    CHECK(s.summary().purchases() == 2);
    CHECK(s.summary().first_purchase() == 5);
    CHECK(s.summary().last_purchase() ==
          10);  // the return at t=20 and the zero at t=30 are not purchases
    CHECK(SummaryMonetary(s) == 6.0);
    CHECK_FALSE(s.has_as_of());

    // The same rows with as_of = 20: t=30 is ignored, t=20 (equal) is counted. A purchase at
    // t=25 is ignored too.
    ca::SummaryAsOf a;
    SummaryAdd(a, 10, 5.0, true, 20);
    SummaryAdd(a, 20, -2.0, true, 20);
    SummaryAdd(a, 25, 100.0, true, 20);
    SummaryAdd(a, 5, 3.0, true, 20);
    SummaryAdd(a, 30, 0.0, true, 20);
    CHECK(a.summary().orders() == 3);
    CHECK(a.summary().purchases() == 2);
    CHECK(a.summary().first_purchase() == 5);
    CHECK(a.summary().last_purchase() == 10);
    CHECK(SummaryMonetary(a) == 6.0);
    CHECK(a.has_as_of());
    CHECK(a.as_of() == 20);

    // Only returns: no purchases, negative net.
    ca::SummaryAsOf ret;
    SummaryAdd(ret, 1, -4.5, false, 0);
    SummaryAdd(ret, 2, -0.5, false, 0);
    CHECK(ret.summary().orders() == 2);
    CHECK(ret.summary().purchases() == 0);
    CHECK(SummaryMonetary(ret) == -5.0);

    // Negative times (before the epoch) are fine.
    ca::SummaryAsOf neg;
    SummaryAdd(neg, -100, 1.0, false, 0);
    SummaryAdd(neg, -200, 1.0, false, 0);
    CHECK(neg.summary().first_purchase() == -200);
    CHECK(neg.summary().last_purchase() == -100);
}

TEST_CASE("SummaryAsOf: the net amount is exact") {
    // Ten times 0.10 is exactly 1.00 (a double sum gives 0.9999999999999999).
    ca::SummaryAsOf c;
    for (int i = 0; i < 10; ++i) SummaryAdd(c, i, 0.1, false, 0);
    CHECK(c.summary().net_amount() == ca::MoneyFromInt(1));
    // A cent next to 10^20 survives: 10^20 + 0.01 - 10^20 = 0.01.
    ca::SummaryAsOf big;
    big.Add(1, ca::MoneyFromInt(100000000000000000LL) * 1000, 0, false, 0);
    big.Add(2, 1000000, 2, false, 0);  // 0.01 as 1e-8 units
    big.Add(3, -ca::MoneyFromInt(100000000000000000LL) * 1000, 0, false, 0);
    CHECK(big.summary().net_amount() == 1000000);
    CHECK(big.summary().decimals() == 2);
    // The same split over states and merged.
    ca::SummaryAsOf p1, p2, p3, merged;
    p1.Add(1, ca::MoneyFromInt(100000000000000000LL) * 1000, 0, false, 0);
    p2.Add(2, 1000000, 2, false, 0);
    p3.Add(3, -ca::MoneyFromInt(100000000000000000LL) * 1000, 0, false, 0);
    merged.Merge(p1);
    merged.Merge(p2);
    merged.Merge(p3);
    CHECK(merged.summary().net_amount() == 1000000);
    CHECK(merged.summary().decimals() == 2);
    CHECK(merged.summary().orders() == 3);
    CHECK(merged.summary().purchases() == 2);
    CHECK(merged.summary().first_purchase() == 1);
    CHECK(merged.summary().last_purchase() == 2);
    // Beyond Money's range: a data exception, the state unchanged.
    const ca::Money top = (static_cast<ca::Money>(1) << 126);
    ca::SummaryAsOf o;
    o.Add(1, top, 0, false, 0);
    o.Add(2, top - 1, 0, false, 0);
    try {
        o.Add(3, top, 0, false, 0);
        FAIL("no error");
    } catch (const ca::Error &e) {
        CHECK(e.kind() == ca::ErrorKind::DataException);
    }
    CHECK(o.summary().orders() == 2);
}

TEST_CASE("SummaryAsOf::Merge: hand cases") {
    ca::SummaryAsOf a, b, empty;
    SummaryAdd(a, 50, -1.0, false, 0);  // a: a return only, no purchases
    SummaryAdd(b, 70, 2.0, false, 0);
    SummaryAdd(b, 60, 3.0, false, 0);
    ca::SummaryAsOf ab = a;
    ab.Merge(b);
    CHECK(ab.summary().orders() == 3);
    CHECK(ab.summary().purchases() == 2);
    CHECK(ab.summary().first_purchase() == 60);
    CHECK(ab.summary().last_purchase() == 70);
    CHECK(SummaryMonetary(ab) == 4.0);
    ca::SummaryAsOf ba = b;
    ba.Merge(a);
    CHECK(ba.summary().first_purchase() == 60);
    CHECK(ba.summary().last_purchase() == 70);
    CHECK(ba.summary().purchases() == 2);
    // Merging an empty state changes nothing; merging into an empty state copies.
    ca::SummaryAsOf e = empty;
    e.Merge(b);
    CHECK(e.summary().orders() == 2);
    CHECK(e.summary().first_purchase() == 60);
    e.Merge(empty);
    CHECK(e.summary().orders() == 2);
    CHECK(e.summary().purchases() == 2);
    CHECK(SummaryMonetary(e) == 5.0);
}

TEST_CASE("SummaryAsOf: merging random splits equals adding every row to one state") {
    std::mt19937_64 rng(424242);
    for (int iter = 0; iter < 400; ++iter) {
        struct Row {
            std::int64_t t;
            double amount;
            std::int64_t cents;
        };
        const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 60)(rng);
        const bool has_as_of = std::uniform_int_distribution<int>(0, 1)(rng) == 1;
        const std::int64_t as_of = std::uniform_int_distribution<std::int64_t>(0, 100)(rng);
        std::vector<Row> rows;
        for (std::size_t i = 0; i < n; ++i) {
            const std::int64_t t = std::uniform_int_distribution<std::int64_t>(-20, 120)(rng);
            std::int64_t cents = std::uniform_int_distribution<std::int64_t>(-5000, 20000)(rng);
            if (std::uniform_int_distribution<int>(0, 5)(rng) == 0) cents = 0;
            rows.push_back({t, static_cast<double>(cents) / 100.0, cents});
        }
        // One state with every row.
        ca::SummaryAsOf all;
        for (const Row &r : rows) SummaryAdd(all, r.t, r.amount, has_as_of, as_of);
        // The expected values, straight from the definition.
        std::int64_t e_rows = 0, e_purchases = 0, e_cents = 0, e_first = 0, e_last = 0;
        for (const Row &r : rows) {
            if (has_as_of && r.t > as_of) continue;
            ++e_rows;
            e_cents += r.cents;
            if (r.cents > 0) {
                if (e_purchases == 0 || r.t < e_first) e_first = r.t;
                if (e_purchases == 0 || r.t > e_last) e_last = r.t;
                ++e_purchases;
            }
        }
        INFO("iteration " << iter << ", n " << n);
        REQUIRE(all.summary().orders() == e_rows);
        REQUIRE(all.summary().purchases() == e_purchases);
        if (e_purchases > 0) {
            REQUIRE(all.summary().first_purchase() == e_first);
            REQUIRE(all.summary().last_purchase() == e_last);
        }
        REQUIRE(all.summary().net_amount() == static_cast<ca::Money>(e_cents) * 1000000);

        // Random split into 1..6 parts (rows assigned at random, not in runs), merged in a random
        // order, partly as a tree.
        const int parts = std::uniform_int_distribution<int>(1, 6)(rng);
        std::vector<ca::SummaryAsOf> states(static_cast<std::size_t>(parts));
        for (const Row &r : rows) {
            auto &s = states[std::uniform_int_distribution<std::size_t>(0, states.size() - 1)(rng)];
            SummaryAdd(s, r.t, r.amount, has_as_of, as_of);
        }
        std::shuffle(states.begin(), states.end(), rng);
        while (states.size() > 1) {
            const std::size_t i =
                std::uniform_int_distribution<std::size_t>(0, states.size() - 2)(rng);
            states[i].Merge(states[i + 1]);
            states.erase(states.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        }
        const ca::SummaryAsOf &merged = states[0];
        REQUIRE(merged.summary().orders() == all.summary().orders());
        REQUIRE(merged.summary().purchases() == all.summary().purchases());
        if (all.summary().purchases() > 0) {
            REQUIRE(merged.summary().first_purchase() == all.summary().first_purchase());
            REQUIRE(merged.summary().last_purchase() == all.summary().last_purchase());
        }
        if (!rows.empty()) {
            REQUIRE(merged.has_as_of() == has_as_of);
            if (has_as_of) REQUIRE(merged.as_of() == as_of);
        }
        REQUIRE(merged.summary().net_amount() == all.summary().net_amount());
    }
}

// ---- CustomerSummary: definitions, algebra, byte format ---------------------------------------

namespace {

ca::CustomerSummary SummaryOf(const std::vector<ca::Order> &orders, ca::PurchaseRule rule) {
    ca::CustomerSummary s;
    for (const ca::Order &o : orders) s.Add(o.time, o.amount, o.decimals, rule);
    return s;
}

std::string BytesOf(const ca::CustomerSummary &s) {
    std::string out;
    s.Serialize(out);
    return out;
}

void CheckMalformed(const std::string &bytes) {
    try {
        ca::CustomerSummary::Deserialize(bytes.data(), bytes.size());
        FAIL("accepted malformed bytes");
    } catch (const ca::Error &e) {
        CHECK(e.kind() == ca::ErrorKind::DataException);
        CHECK(std::string(e.what()) == "malformed serialized customer summary");
    }
}

}  // namespace

TEST_CASE("CustomerSummary: purchases, returns and the derived values") {
    // Purchases of 10.00 at t=100 and 20.00 at t=400, a return of -6.00 at t=500, a zero at t=50.
    ca::CustomerSummary s;
    s.Add(100, 1000 * kCent, 2);
    s.Add(500, -600 * kCent, 2);
    s.Add(400, 2000 * kCent, 2);
    s.Add(50, 0, 0);
    CHECK(s.orders() == 4u);
    CHECK(s.purchases() == 2u);
    CHECK(s.has_purchase());
    CHECK(s.first_purchase() == 100);  // the zero at 50 is no purchase
    CHECK(s.last_purchase() == 400);   // the return at 500 is no purchase
    CHECK(s.net_amount() == 2400 * kCent);
    CHECK(s.decimals() == 2);
    CHECK(s.repeat_purchases() == 1u);  // BG/NBD x = 2 - 1
    CHECK(s.purchase_span() == 300);    // BG/NBD t_x = 400 - 100
    CHECK(s.AgeAt(1000) == 900);        // BG/NBD T = 1000 - 100
    CHECK(s.AverageAmount() == 12.0);   // (10 + 20 - 6) / 2
    // One purchase: no repeat, no span.
    ca::CustomerSummary one;
    one.Add(7, kCent, 2);
    CHECK(one.repeat_purchases() == 0u);
    CHECK(one.purchase_span() == 0);
    CHECK(one.AverageAmount() == 0.01);
    // Nothing at all, and only a return.
    ca::CustomerSummary none;
    CHECK(none.orders() == 0u);
    CHECK(!none.has_purchase());
    CHECK(none.repeat_purchases() == 0u);
    CHECK(none.purchase_span() == 0);
    ca::CustomerSummary ret;
    ret.Add(9, -100 * kCent, 0);
    CHECK(ret.orders() == 1u);
    CHECK(ret.purchases() == 0u);
    CHECK(ret.first_purchase() == 0);
    CHECK(ret.net_amount() == -100 * kCent);
    CHECK(!std::isfinite(ret.AverageAmount()));  // -1 / 0: callers use it with a purchase only
}

TEST_CASE("CustomerSummary: EveryOrder (r_rfm) makes every order a purchase") {
    ca::CustomerSummary s;
    s.Add(300, -100 * kCent, 0, ca::PurchaseRule::EveryOrder);  // a return: still a purchase
    s.Add(200, 0, 0, ca::PurchaseRule::EveryOrder);             // a zero: too
    s.Add(100, 500 * kCent, 2, ca::PurchaseRule::EveryOrder);
    CHECK(s.orders() == 3u);
    CHECK(s.purchases() == 3u);
    CHECK(s.first_purchase() == 100);
    CHECK(s.last_purchase() == 300);
    CHECK(s.net_amount() == 400 * kCent);
}

TEST_CASE("CustomerSummary: spans past 64 bits throw, a failed Merge changes nothing") {
    ca::CustomerSummary s;
    s.Add(std::numeric_limits<std::int64_t>::min(), kCent, 2);
    s.Add(std::numeric_limits<std::int64_t>::max(), kCent, 2);
    CHECK_THROWS_AS(s.purchase_span(), ca::Error);
    CHECK_THROWS_AS(s.AgeAt(1), ca::Error);
    CHECK(s.AgeAt(-1) == std::numeric_limits<std::int64_t>::max());

    ca::CustomerSummary big, more;
    big.Add(1, kMoneyMax, 8);
    more.Add(0, 1, 8);
    const ca::CustomerSummary before = big;
    CHECK_THROWS_AS(big.Merge(more), ca::Error);
    CHECK(big == before);
}

TEST_CASE("CustomerSummary: Merge over random splits equals one Add pass over the concatenation") {
    std::mt19937_64 rng(20240601);
    for (int round = 0; round < 500; ++round) {
        const ca::PurchaseRule rule =
            rng() % 2 ? ca::PurchaseRule::EveryOrder : ca::PurchaseRule::PositiveAmount;
        std::vector<ca::Order> orders(rng() % 40);
        for (ca::Order &o : orders) {
            o = Order(static_cast<std::int64_t>(rng() % 200) - 100,
                      static_cast<Money>(static_cast<std::int64_t>(rng() % 20001) - 8000) * kCent,
                      static_cast<int>(rng() % 9));
            if (rng() % 6 == 0) o.amount = 0;
        }
        const ca::CustomerSummary all = SummaryOf(orders, rule);
        INFO("round " << round);
        // Three consecutive parts (possibly empty): associativity and commutativity.
        const std::size_t i = orders.empty() ? 0 : rng() % (orders.size() + 1);
        const std::size_t j = i + (orders.size() == i ? 0 : rng() % (orders.size() - i + 1));
        const auto a = SummaryOf({orders.begin(), orders.begin() + i}, rule);
        const auto b = SummaryOf({orders.begin() + i, orders.begin() + j}, rule);
        const auto c = SummaryOf({orders.begin() + j, orders.end()}, rule);
        ca::CustomerSummary ab_c = a;
        ab_c.Merge(b);
        ab_c.Merge(c);
        ca::CustomerSummary bc = b;
        bc.Merge(c);
        ca::CustomerSummary a_bc = a;
        a_bc.Merge(bc);
        ca::CustomerSummary c_b_a = c;
        c_b_a.Merge(b);
        c_b_a.Merge(a);
        REQUIRE(ab_c == all);
        REQUIRE(a_bc == all);
        REQUIRE(c_b_a == all);
        // Rows dealt at random (not in runs) to up to 5 summaries, merged into an empty one.
        std::vector<ca::CustomerSummary> parts(1 + rng() % 5);
        for (const ca::Order &o : orders)
            parts[rng() % parts.size()].Add(o.time, o.amount, o.decimals, rule);
        ca::CustomerSummary merged;
        for (const auto &p : parts) merged.Merge(p);
        REQUIRE(merged == all);
        // And through the byte format, as parallel workers send them.
        const std::string bytes = BytesOf(all);
        REQUIRE(bytes.size() == ca::CustomerSummary::kSerializedSize);
        REQUIRE(ca::CustomerSummary::Deserialize(bytes.data(), bytes.size()) == all);
    }
}

TEST_CASE("CustomerSummary: the byte format is fixed-width little-endian with a version byte") {
    ca::CustomerSummary s;
    s.Add(0x0102030405060708, 0x1112, 3);                                  // net 0x1112 units
    s.Add(0x0102030405060709, -2, 8);                                      // a return: net 0x1110
    const std::string expected = std::string("\x01", 1) +                  // version
                                 std::string("\x10\x11\0\0\0\0\0\0", 8) +  // net, low
                                 std::string(8, '\0') +                    // net, high
                                 std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8) +  // first
                                 std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8) +  // last
                                 std::string("\x02\0\0\0", 4) +                        // orders
                                 std::string("\x01\0\0\0", 4) +                        // purchases
                                 std::string("\x08", 1);                               // decimals
    CHECK(BytesOf(s) == expected);
    // A negative net amount: two's complement over 16 bytes.
    ca::CustomerSummary neg;
    neg.Add(0, -1, 0);
    const std::string b = BytesOf(neg);
    CHECK(b.substr(1, 16) == std::string(16, '\xff'));
    CHECK(ca::CustomerSummary::Deserialize(b.data(), b.size()).net_amount() == -1);
}

TEST_CASE("CustomerSummary: Deserialize rejects malformed bytes with DataException") {
    ca::CustomerSummary s;
    s.Add(10, 500 * kCent, 2);
    s.Add(20, -100 * kCent, 2);
    s.Add(30, 100 * kCent, 2);
    const std::string good = BytesOf(s);
    REQUIRE(ca::CustomerSummary::Deserialize(good.data(), good.size()) == s);
    // Every truncation, the empty input and a null pointer with size 0 included.
    for (std::size_t n = 0; n < good.size(); ++n) CheckMalformed(good.substr(0, n));
    CHECK_THROWS_AS(ca::CustomerSummary::Deserialize(nullptr, 0), ca::Error);
    // A trailing byte, another version.
    CheckMalformed(good + '\0');
    for (int v : {0, 2, 255}) {
        std::string bad = good;
        bad[0] = static_cast<char>(v);
        CheckMalformed(bad);
    }
    // Fields that Add and Merge cannot produce. Offsets: net 1, first 17, last 25, orders 33,
    // purchases 37, decimals 41.
    auto with = [&](std::size_t offset, std::initializer_list<int> bytes_at) {
        std::string bad = good;
        std::size_t k = offset;
        for (int byte : bytes_at) bad[k++] = static_cast<char>(byte);
        return bad;
    };
    CheckMalformed(with(41, {9}));           // decimals 9
    CheckMalformed(with(37, {4}));           // 4 purchases of 3 orders
    CheckMalformed(with(17, {31}));          // first purchase (31) after the last (30)
    CheckMalformed(with(33, {0, 0, 0, 0}));  // no orders, yet purchases
    ca::CustomerSummary none;
    std::string empty = BytesOf(none);
    REQUIRE(ca::CustomerSummary::Deserialize(empty.data(), empty.size()) == none);
    std::string net_without_orders = empty;
    net_without_orders[1] = 1;
    CheckMalformed(net_without_orders);
    ca::CustomerSummary ret;
    ret.Add(5, -1, 0);
    std::string times_without_purchase = BytesOf(ret);
    times_without_purchase[25] = 5;
    CheckMalformed(times_without_purchase);
    ca::CustomerSummary one;
    one.Add(5, 1, 0);
    std::string one_at_two_times = BytesOf(one);
    one_at_two_times[25] = 6;
    CheckMalformed(one_at_two_times);
}

TEST_CASE("CustomerSummary: random bytes are rejected or read back to the same bytes") {
    std::mt19937_64 rng(77);
    ca::CustomerSummary s;
    s.Add(10, 500 * kCent, 2);
    s.Add(20, 100 * kCent, 2);
    const std::string good = BytesOf(s);
    int accepted = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string bytes;
        if (round % 2 == 0) {  // a valid state with a few bytes flipped
            bytes = good;
            for (int k = 0, flips = 1 + static_cast<int>(rng() % 3); k < flips; ++k)
                bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
        } else {  // any bytes of any length up to 60
            bytes.resize(rng() % 61);
            for (char &c : bytes) c = static_cast<char>(rng());
        }
        try {
            const ca::CustomerSummary d =
                ca::CustomerSummary::Deserialize(bytes.data(), bytes.size());
            REQUIRE(BytesOf(d) == bytes);
            ++accepted;
        } catch (const ca::Error &e) {
            REQUIRE(e.kind() == ca::ErrorKind::DataException);
        }
    }
    CHECK(accepted > 0);  // flips of the amount's bytes give other valid states
}

TEST_CASE("SummaryAsOf: the byte format round-trips and rejects malformed bytes") {
    ca::SummaryAsOf a;
    a.Add(10, 500 * kCent, 2, true, 15);
    a.Add(20, 100 * kCent, 2, true, 99);  // after the first as_of (15): left out
    a.Add(12, -100 * kCent, 1, false, 0);
    std::string bytes;
    a.Serialize(bytes);
    REQUIRE(bytes.size() == ca::SummaryAsOf::kSerializedSize);
    const ca::SummaryAsOf back = ca::SummaryAsOf::Deserialize(bytes.data(), bytes.size());
    CHECK(back == a);
    CHECK(back.as_of() == 15);
    CHECK(back.summary().orders() == 2u);
    ca::SummaryAsOf without;
    std::string plain;
    without.Serialize(plain);
    CHECK(ca::SummaryAsOf::Deserialize(plain.data(), plain.size()) == without);
    auto malformed = [](const std::string &b) {
        try {
            ca::SummaryAsOf::Deserialize(b.data(), b.size());
            FAIL("accepted malformed bytes");
        } catch (const ca::Error &e) {
            CHECK(e.kind() == ca::ErrorKind::DataException);
        }
    };
    for (std::size_t n = 0; n < bytes.size(); ++n) malformed(bytes.substr(0, n));
    malformed(bytes + 'x');
    std::string bad = bytes;
    bad[0] = 2;  // version
    malformed(bad);
    bad = bytes;
    bad[1] = 2;  // the as_of flag is 0 or 1
    malformed(bad);
    bad = plain;
    bad[2] = 1;  // an as_of without its flag
    malformed(bad);
    bad = bytes;
    bad[10] = 9;  // the nested summary's version
    malformed(bad);
}
