// Tests for the order-to-customer part of src/core/rfm.*: RfmAccumulator on hand-worked streams
// (purchases, returns, zero amounts, unusable rows, as_of, r_rfm's row counting), a property test
// against a brute-force recomputation written here from docs/rfm.md, and the monetary overflow.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "rfm.hpp"

namespace {

using ca::Money;
using U128 = unsigned __int128;

constexpr Money kMoneyMax = static_cast<Money>(~U128{0} >> 1);  // 2^127 - 1
constexpr Money kMoneyMin = -kMoneyMax - 1;                     // -2^127

// A usable one-row order.
ca::RfmOrder Order(std::int64_t time, Money amount, int decimals) {
    ca::RfmOrder o;
    o.has_time = true;
    o.time = time;
    o.has_amount = true;
    o.amount = amount;
    o.decimals = decimals;
    return o;
}

// A one-row order with a NULL field, as the glue passes it (bad_lines = 1).
ca::RfmOrder NullTime(Money amount) {
    ca::RfmOrder o = Order(0, amount, 2);
    o.has_time = false;
    o.bad_lines = 1;
    return o;
}
ca::RfmOrder NullAmount(std::int64_t time) {
    ca::RfmOrder o = Order(time, 0, 0);
    o.has_amount = false;
    o.bad_lines = 1;
    return o;
}

// An order of several lines, pre-aggregated.
ca::RfmOrder Lines(std::int64_t time, Money amount, int decimals, std::int64_t lines,
                   std::int64_t bad_lines, std::int64_t after_lines) {
    ca::RfmOrder o = Order(time, amount, decimals);
    o.lines = lines;
    o.bad_lines = bad_lines;
    o.after_lines = after_lines;
    return o;
}

constexpr Money kCent = 1000000;  // 0.01 in 1e-8 units

}  // namespace

TEST_CASE("RfmAccumulator: purchases, returns and zero amounts") {
    ca::ExecContext ctx;
    ca::RfmAccumulator acc(ctx, /*count_rows=*/false, /*has_as_of=*/false, 0);
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
    const ca::RfmCustomerState &c0 = acc.customers()[0];
    CHECK(c0.purchases == 2u);       // 100 and 150
    CHECK(c0.last_purchase == 150);  // the return (200) and the zero (300) are no purchase
    CHECK(c0.monetary() == Money{862500000});  // 10 - 3.5 + 0 + 2.125 = 8.625
    CHECK(c0.decimals == 3u);                  // max(2, 1, 0, 3)
    const ca::RfmCustomerState &c1 = acc.customers()[1];
    CHECK(c1.purchases == 0u);
    CHECK(c1.monetary() == 0);
    CHECK(c1.decimals == 0u);
    const ca::RfmCustomerState &c2 = acc.customers()[2];
    CHECK(c2.purchases == 0u);
    CHECK(c2.monetary() == -100 * kCent);
    // The latest counted order is the zero amount at 300, though it is no purchase.
    CHECK(acc.has_latest());
    CHECK(acc.latest() == 300);
    CHECK(acc.skips().null_customer_rows == 0);
    CHECK(acc.skips().null_field_rows == 0);
    CHECK(acc.skips().after_bound_rows == 0);
}

TEST_CASE("RfmAccumulator: times before the epoch") {
    ca::ExecContext ctx;
    ca::RfmAccumulator acc(ctx, false, false, 0);
    // Only negative times: the latest purchase is -500, not the initial 0.
    acc.Add(0, Order(-700, 5 * kCent, 2));
    acc.Add(0, Order(-500, 5 * kCent, 2));
    acc.Add(0, Order(-900, 5 * kCent, 2));
    CHECK(acc.customers()[0].last_purchase == -500);
    CHECK(acc.customers()[0].purchases == 3u);
    CHECK(acc.has_latest());
    CHECK(acc.latest() == -500);
    // And the extremes of the time scale.
    acc.Add(1, Order(std::numeric_limits<std::int64_t>::min(), kCent, 2));
    CHECK(acc.customers()[1].last_purchase == std::numeric_limits<std::int64_t>::min());
    CHECK(acc.latest() == -500);
    acc.Add(1, Order(std::numeric_limits<std::int64_t>::max(), kCent, 2));
    CHECK(acc.customers()[1].last_purchase == std::numeric_limits<std::int64_t>::max());
    CHECK(acc.latest() == std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("RfmAccumulator: unusable rows are skipped and counted") {
    ca::ExecContext ctx;
    ca::RfmAccumulator acc(ctx, false, false, 0);
    acc.Add(0, NullTime(500 * kCent));  // would be a purchase of 5.00
    acc.Add(0, NullAmount(400));        // would be the latest time
    acc.Add(3, NullAmount(900));        // a customer with nothing usable
    // An order of 5 lines: 2 had a NULL, 1 was after as_of upstream; the other 2 made +7.00 at 120.
    acc.Add(0, Lines(120, 700 * kCent, 2, 5, 2, 1));
    // An order whose 3 lines were all unusable: no time.
    ca::RfmOrder all_bad = Lines(0, 0, 0, 3, 3, 0);
    all_bad.has_time = false;
    acc.Add(1, all_bad);
    acc.AddNullCustomer(4);
    acc.AddNullCustomer(1);
    REQUIRE(acc.customers().size() == 4u);  // customer 3 has a (empty) state all the same
    CHECK(acc.customers()[0].purchases == 1u);
    CHECK(acc.customers()[0].last_purchase == 120);
    CHECK(acc.customers()[0].monetary() == 700 * kCent);
    CHECK(acc.customers()[0].decimals == 2u);
    CHECK(acc.customers()[1].purchases == 0u);
    CHECK(acc.customers()[3].purchases == 0u);
    CHECK(acc.customers()[3].monetary() == 0);
    // null fields: 1 + 1 + 1 + 2 + 3 = 8; after as_of: the 1 line counted upstream.
    CHECK(acc.skips().null_field_rows == 8);
    CHECK(acc.skips().after_bound_rows == 1);
    CHECK(acc.skips().null_customer_rows == 5);
    CHECK(acc.latest() == 120);  // not 400 or 900: those rows had no amount
}

TEST_CASE("RfmAccumulator: no counted order means no latest") {
    ca::ExecContext ctx;
    ca::RfmAccumulator acc(ctx, false, true, 1000);
    CHECK(!acc.has_latest());
    acc.Add(0, NullTime(kCent));
    acc.Add(0, NullAmount(10));
    acc.Add(1, Order(1001, kCent, 2));  // after as_of
    acc.AddNullCustomer(2);
    CHECK(!acc.has_latest());
    CHECK(acc.customers().size() == 2u);
    CHECK(acc.customers()[1].purchases == 0u);
    CHECK(acc.customers()[1].monetary() == 0);
    CHECK(acc.skips().null_field_rows == 2);
    CHECK(acc.skips().after_bound_rows == 1);
    CHECK(acc.skips().null_customer_rows == 2);
}

TEST_CASE("RfmAccumulator: as_of leaves out later orders and keeps those at as_of") {
    ca::ExecContext ctx;
    ca::RfmAccumulator acc(ctx, false, true, 1000);
    acc.Add(0, Order(1000, 300 * kCent, 2));  // exactly as_of: counted
    acc.Add(0, Order(1001, 900 * kCent, 2));  // one microsecond later: left out (1 row)
    acc.Add(0, Order(999, -100 * kCent, 2));  // a return before as_of: counted
    // 4 lines after as_of: 1 had a NULL, 1 was already counted as after upstream; so 4 - 1 - 1 =
    // 2 more rows after as_of, plus the 1 from upstream, and 1 null field row.
    acc.Add(1, Lines(5000, 100 * kCent, 2, 4, 1, 1));
    acc.Add(1, Order(-5, 100 * kCent, 0));
    const ca::RfmCustomerState &c0 = acc.customers()[0];
    CHECK(c0.purchases == 1u);
    CHECK(c0.last_purchase == 1000);
    CHECK(c0.monetary() == 200 * kCent);  // 3.00 - 1.00
    CHECK(acc.customers()[1].purchases == 1u);
    CHECK(acc.customers()[1].last_purchase == -5);
    CHECK(acc.customers()[1].monetary() == 100 * kCent);
    CHECK(acc.customers()[1].decimals == 0u);  // the left-out order's 2 decimals do not count
    // after as_of: 1 (the order at 1001) + 1 (upstream) + 2 = 4; null fields: 1.
    CHECK(acc.skips().after_bound_rows == 4);
    CHECK(acc.skips().null_field_rows == 1);
    CHECK(acc.latest() == 1000);
}

TEST_CASE("RfmAccumulator: count_rows (r_rfm) counts every usable row as a purchase") {
    ca::ExecContext ctx;
    ca::RfmAccumulator acc(ctx, /*count_rows=*/true, /*has_as_of=*/true, 1000);
    acc.Add(0, Order(100, 1000 * kCent, 2));
    acc.Add(0, Order(400, -350 * kCent, 1));   // a return: still a row, and the latest one
    acc.Add(0, Order(300, 0, 0));              // a zero amount: a row
    acc.Add(0, Order(2000, 5000 * kCent, 2));  // after as_of: not counted
    acc.Add(0, NullAmount(500));               // unusable: not counted
    acc.Add(1, Order(50, -100 * kCent, 0));    // only a return: one purchase for r_rfm
    const ca::RfmCustomerState &c0 = acc.customers()[0];
    CHECK(c0.purchases == 3u);
    CHECK(c0.last_purchase == 400);
    CHECK(c0.monetary() == 650 * kCent);  // 10.00 - 3.50 + 0
    CHECK(c0.decimals == 2u);
    CHECK(acc.customers()[1].purchases == 1u);
    CHECK(acc.customers()[1].last_purchase == 50);
    CHECK(acc.customers()[1].monetary() == -100 * kCent);
    CHECK(acc.skips().after_bound_rows == 1);
    CHECK(acc.skips().null_field_rows == 1);
    CHECK(acc.latest() == 400);
}

TEST_CASE("RfmAccumulator: the monetary total past the int128 range throws DataException") {
    ca::ExecContext ctx;
    ca::RfmAccumulator acc(ctx, false, false, 0);
    acc.Add(0, Order(10, kMoneyMax, 8));
    acc.Add(0, Order(11, -5, 8));
    acc.Add(0, Order(12, 5, 8));  // back to exactly 2^127 - 1: allowed
    CHECK(acc.customers()[0].monetary() == kMoneyMax);
    try {
        acc.Add(0, Order(20, 1, 8));
        FAIL("no error");
    } catch (const ca::Error &e) {
        CHECK(e.kind() == ca::ErrorKind::DataException);
    }
    // The failed order left no trace.
    CHECK(acc.customers()[0].monetary() == kMoneyMax);
    CHECK(acc.customers()[0].purchases == 2u);
    CHECK(acc.customers()[0].last_purchase == 12);
    CHECK(acc.latest() == 12);
    // Two large amounts, neither alone out of range.
    acc.Add(1, Order(1, kMoneyMax / 2 + 1, 8));
    CHECK_THROWS_AS(acc.Add(1, Order(2, kMoneyMax / 2 + 1, 8)), ca::Error);
    // The negative end: -2^127 is reachable, one unit below is not.
    acc.Add(2, Order(1, kMoneyMin + 1, 8));
    acc.Add(2, Order(2, -1, 8));
    CHECK(acc.customers()[2].monetary() == kMoneyMin);
    try {
        acc.Add(2, Order(3, -1, 8));
        FAIL("no error");
    } catch (const ca::Error &e) {
        CHECK(e.kind() == ca::ErrorKind::DataException);
    }
    CHECK(acc.customers()[2].monetary() == kMoneyMin);
    // A positive amount brings it back.
    acc.Add(2, Order(4, kMoneyMax, 8));
    CHECK(acc.customers()[2].monetary() == -1);
}

TEST_CASE("RfmCustomerState (PackedMoney) keeps any Money in its two halves") {
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
        ca::RfmCustomerState s;
        s.total.set(m);
        CHECK(s.monetary() == m);
    }
}

TEST_CASE("RfmAccumulator: its customer states are charged to the ExecContext") {
    ca::ExecContext ctx;
    {
        ca::RfmAccumulator acc(ctx, false, false, 0);
        acc.Prefetch(12345);  // no state yet: harmless
        acc.Add(9999, Order(1, kCent, 2));
        CHECK(acc.customers().size() == 10000u);
        CHECK(ctx.used() == acc.customers().capacity() * sizeof(ca::RfmCustomerState));
    }
    CHECK(ctx.used() == 0u);
    ca::ExecContext small(1000);
    ca::RfmAccumulator acc(small, false, false, 0);
    acc.Add(0, Order(1, kCent, 2));
    try {
        acc.Add(100, Order(1, kCent, 2));  // 101 states of 32 bytes
        FAIL("no error");
    } catch (const ca::Error &e) {
        CHECK(e.kind() == ca::ErrorKind::MemoryLimit);
    }
}

// ---- Property test: random streams against a brute-force recomputation ----------------------

namespace {

struct Added {
    std::uint32_t customer;
    ca::RfmOrder order;
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
    auto usable = [](const ca::RfmOrder &o) { return o.has_time && o.has_amount; };
    auto counts = [&](const ca::RfmOrder &o) {
        return usable(o) && !(has_as_of && o.time > as_of);
    };
    auto purchase = [&](const ca::RfmOrder &o) {
        return counts(o) && (count_rows || o.amount > 0);
    };
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

TEST_CASE("RfmAccumulator: random streams against brute force") {
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
        ca::RfmAccumulator acc(ctx, count_rows, has_as_of, as_of);
        for (std::size_t i = 0; i < orders; ++i) {
            if (rng() % 20 == 0) {
                const auto lines = static_cast<std::int64_t>(1 + rng() % 4);
                acc.AddNullCustomer(lines);
                null_customer_rows += lines;
                continue;
            }
            Added a;
            a.customer = static_cast<std::uint32_t>(rng() % customers);
            ca::RfmOrder &o = a.order;
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
            const ca::RfmCustomerState &s = acc.customers()[c];
            INFO("customer " << c);
            REQUIRE(s.monetary() == e.monetary[c]);
            REQUIRE(s.purchases == e.purchases[c]);
            if (e.purchases[c] > 0) REQUIRE(s.last_purchase == e.last_purchase[c]);
            REQUIRE(static_cast<int>(s.decimals) == e.decimals[c]);
        }
        CHECK(acc.skips().null_customer_rows == e.null_customer_rows);
        CHECK(acc.skips().null_field_rows == e.null_field_rows);
        CHECK(acc.skips().after_bound_rows == e.after_bound_rows);
        REQUIRE(acc.has_latest() == e.has_latest);
        if (e.has_latest) CHECK(acc.latest() == e.latest);
        CHECK(ctx.used() == acc.customers().capacity() * sizeof(ca::RfmCustomerState));
    }
}
