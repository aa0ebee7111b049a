// Tests for src/core/retention.*: RetentionAccumulator (period retention S, N, E, retained,
// reactivated; KPIs per period; cohort rows) on hand-worked data (the textbook "100 active, 15 new,
// 105 at the end = 90 %" example rebuilt as orders, returns and zero amounts, window edges and
// reactivation, purchases before the range, the end cut-off and its skip counts, no-window mode,
// ISO weeks across a year end, cohorts and max_offset), and a property test against a brute force
// written here straight from docs/retention.md (loops over customers, boundaries and orders,
// comparing times with the period boundaries).
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "errors.hpp"
#include "periods.hpp"
#include "retention.hpp"

namespace {

using ca::kUsecsPerDay;
using ca::Money;
using ca::Period;

constexpr Money kCent = 1000000;  // 0.01 in 1e-8 units
constexpr std::int64_t kUsecsPerHour = 3600000000LL;

// Exact decimal text of a Money (Catch cannot print __int128).
std::string Str(Money m) {
    if (m == 0) return "0";
    const bool negative = m < 0;
    unsigned __int128 u =
        negative ? static_cast<unsigned __int128>(-(m + 1)) + 1 : static_cast<unsigned __int128>(m);
    std::string s;
    while (u != 0) {
        s.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
        u /= 10;
    }
    if (negative) s.push_back('-');
    std::reverse(s.begin(), s.end());
    return s;
}

std::int32_t Day(int y, unsigned m, unsigned d) {
    return ca::DaysFromCivil(y, m, d);
}
// Local microseconds of y-m-d at `hour` o'clock.
std::int64_t At(int y, unsigned m, unsigned d, std::int64_t hour = 12) {
    return static_cast<std::int64_t>(Day(y, m, d)) * kUsecsPerDay + hour * kUsecsPerHour;
}
std::int64_t Month(int y, unsigned m) {
    return ca::PeriodIndex(Period::Month, Day(y, m, 1));
}

// A usable one-row order.
ca::Order Ord(std::int64_t time, Money amount) {
    ca::Order o;
    o.has_time = true;
    o.time = time;
    o.has_amount = true;
    o.amount = amount;
    o.decimals = 2;
    return o;
}

struct Row {
    bool null_customer;
    std::uint32_t customer;
    ca::Order order;
};

std::int64_t Boundary(Period p, std::int64_t j) {
    return static_cast<std::int64_t>(ca::PeriodStartFromIndex(p, j)) * kUsecsPerDay;
}

// The range p0..p1 with window_starts b_j - window_days for j = p0..p1+1 (none when < 0).
ca::RetentionRange Range(Period p, std::int64_t p0, std::int64_t p1, std::int64_t window_days) {
    ca::RetentionRange r;
    r.first_period = p0;
    r.last_period = p1;
    if (window_days >= 0)
        for (std::int64_t j = p0; j <= p1 + 1; ++j)
            r.window_starts.push_back(Boundary(p, j) - window_days * kUsecsPerDay);
    return r;
}

// The rows each result function emits, collected.
std::vector<ca::PeriodRetentionRow> PeriodRows(const ca::RetentionAccumulator &acc) {
    std::vector<ca::PeriodRetentionRow> rows;
    acc.PeriodRetention([&](const ca::PeriodRetentionRow &r) { rows.push_back(r); });
    return rows;
}
std::vector<ca::KpiRow> KpiRows(const ca::RetentionAccumulator &acc) {
    std::vector<ca::KpiRow> rows;
    acc.Kpis([&](const ca::KpiRow &r) { rows.push_back(r); });
    return rows;
}
std::vector<ca::CohortRow> CohortRows(const ca::RetentionAccumulator &acc,
                                      const ca::CohortOptions &options) {
    std::vector<ca::CohortRow> rows;
    acc.Cohorts(options, [&](const ca::CohortRow &r) { rows.push_back(r); });
    return rows;
}
std::vector<ca::CohortRow> CohortRows(const ca::RetentionAccumulator &acc,
                                      std::int64_t max_offset) {
    ca::CohortOptions options;
    options.max_offset = max_offset;
    return CohortRows(acc, options);
}

// Both passes: rows in order, then BeginSecondPass, then rows in reverse order.
void Feed(ca::RetentionAccumulator &acc, const std::vector<Row> &rows,
          const ca::RetentionRange &range,
          ca::RetentionOutput output = ca::RetentionOutput::Cohorts) {
    for (const Row &r : rows) {
        if (r.null_customer)
            acc.AddNullCustomer(r.order.lines);
        else
            acc.Add(r.customer, r.order);
    }
    acc.BeginSecondPass(range, output);
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
        if (it->null_customer)
            acc.AddNullCustomer(it->order.lines);
        else
            acc.Add(it->customer, it->order);
    }
}

Row R(std::uint32_t customer, std::int64_t time, Money amount) {
    return Row{false, customer, Ord(time, amount)};
}

}  // namespace

TEST_CASE("Retention: the textbook example, 100 active, 15 new, 105 active at the end") {
    // March 2001, window 365 days.
    //   b_start = 2001-03-01, window start 2000-03-01 (365 days back: Mar 2000 .. Feb 2001);
    //   b_end   = 2001-04-01, window start 2000-04-01.
    // Customers:
    //   0..59   bought in Feb 2001 and again in March 2001: active at start and end, retained;
    //   60..89  bought only on 2000-12-10: active at start and end (inside both windows);
    //   90..99  bought only on 2000-03-15: active at start (>= 2000-03-01), lapsed at the end
    //           (< 2000-04-01): churned;
    //   100..114 first purchase in March 2001: new;
    //   115..117 bought only in June 1999: active at neither boundary.
    // S = 60 + 30 + 10 = 100, N = 15, E = 60 + 30 + 15 = 105: (105 - 15) / 100 * 100 = 90 %.
    // retained = 60, reactivated = 0, churned = S - retained = 40.
    std::vector<Row> rows;
    for (std::uint32_t c = 0; c < 60; ++c) {
        rows.push_back(R(c, At(2001, 2, 1 + c % 28), 1000 * kCent));
        rows.push_back(R(c, At(2001, 3, 1 + c % 31), 1000 * kCent));
    }
    for (std::uint32_t c = 60; c < 90; ++c) rows.push_back(R(c, At(2000, 12, 10), 1000 * kCent));
    for (std::uint32_t c = 90; c < 100; ++c) rows.push_back(R(c, At(2000, 3, 15), 1000 * kCent));
    for (std::uint32_t c = 100; c < 115; ++c)
        rows.push_back(R(c, At(2001, 3, 2 + (c - 100)), 1000 * kCent));
    for (std::uint32_t c = 115; c < 118; ++c) rows.push_back(R(c, At(1999, 6, 1), 1000 * kCent));

    ca::ExecContext ctx;
    ca::RetentionAccumulator acc(ctx, Period::Month, false, 0);
    const std::int64_t march = Month(2001, 3);
    Feed(acc, rows, Range(Period::Month, march, march, 365));
    REQUIRE(acc.has_orders());
    CHECK(acc.first_order_period() == Month(1999, 6));
    CHECK(acc.last_order_period() == march);

    const auto pr = PeriodRows(acc);
    REQUIRE(pr.size() == 1u);
    CHECK(pr[0].period == march);
    CHECK(pr[0].s_start == 100);
    CHECK(pr[0].n_new == 15);
    CHECK(pr[0].e_end == 105);
    CHECK((pr[0].e_end - pr[0].n_new) * 100 / pr[0].s_start == 90);
    CHECK(pr[0].retained == 60);
    CHECK(pr[0].reactivated == 0);

    // KPIs: 60 + 15 purchases of 10.00 in March; 100 + 3 + 15 customers so far; the 60 with Feb
    // and March purchases are the repeaters.
    const auto kp = KpiRows(acc);
    REQUIRE(kp.size() == 1u);
    CHECK(kp[0].orders == 75);
    CHECK(Str(kp[0].revenue) == Str(75 * 1000 * kCent));
    CHECK(kp[0].active_customers == 75);
    CHECK(kp[0].new_customers == 15);
    CHECK(kp[0].customers_so_far == 118);
    CHECK(kp[0].repeaters_so_far == 60);

    // One cohort in range (March): 15 customers, 150.00.
    const auto co = CohortRows(acc, -1);
    REQUIRE(co.size() == 1u);
    CHECK(co[0].cohort == march);
    CHECK(co[0].offset == 0);
    CHECK(co[0].cohort_size == 15);
    CHECK(co[0].active_customers == 15);
    CHECK(Str(co[0].revenue) == Str(15 * 1000 * kCent));
}

TEST_CASE("Retention: returns and zero amounts do not make a customer active") {
    // Months Jan..Mar 2001, no window.
    //   C0: -5.00 on Jan 10 (return), 0 on Jan 11, -1.00 on Feb 1, +10.00 on Feb 5 (first
    //       purchase), -3.00 on Mar 3, 0 on Mar 4.
    //   C1: only a return of -2.00 on Feb 20: never a customer.
    // Jan: nobody active or new; revenue -5.00.  Feb: C0 new; revenue -1 + 10 - 2 = 7.00, 1 order.
    // Mar: C0 active at start and end, no purchase (not retained); revenue -3.00.
    // Cohort Feb (C0): offset 0: 1 active, 10 - 1 = 9.00 (the Feb 1 return is in it, the Jan one
    // is before the cohort); offset 1: 0 active, -3.00.
    std::vector<Row> rows = {
        R(0, At(2001, 1, 10), -500 * kCent), R(0, At(2001, 1, 11), 0),
        R(0, At(2001, 2, 1), -100 * kCent),  R(0, At(2001, 2, 5), 1000 * kCent),
        R(0, At(2001, 3, 3), -300 * kCent),  R(0, At(2001, 3, 4), 0),
        R(1, At(2001, 2, 20), -200 * kCent)};
    ca::ExecContext ctx;
    ca::RetentionAccumulator acc(ctx, Period::Month, false, 0);
    const std::int64_t jan = Month(2001, 1);
    Feed(acc, rows, Range(Period::Month, jan, jan + 2, -1));
    // The default range covers the returns of January and March too.
    CHECK(acc.first_order_period() == jan);
    CHECK(acc.last_order_period() == jan + 2);

    const auto pr = PeriodRows(acc);
    REQUIRE(pr.size() == 3u);
    // period, s, n, e, retained, reactivated
    CHECK(pr[0].s_start == 0);
    CHECK(pr[0].n_new == 0);
    CHECK(pr[0].e_end == 0);
    CHECK(pr[1].s_start == 0);
    CHECK(pr[1].n_new == 1);
    CHECK(pr[1].e_end == 1);
    CHECK(pr[2].s_start == 1);
    CHECK(pr[2].n_new == 0);
    CHECK(pr[2].e_end == 1);
    for (const auto &r : pr) {
        CHECK(r.retained == 0);
        CHECK(r.reactivated == 0);
    }

    const auto kp = KpiRows(acc);
    REQUIRE(kp.size() == 3u);
    CHECK(kp[0].orders == 0);
    CHECK(Str(kp[0].revenue) == Str(-500 * kCent));
    CHECK(kp[0].active_customers == 0);
    CHECK(kp[0].customers_so_far == 0);
    CHECK(kp[1].orders == 1);
    CHECK(Str(kp[1].revenue) == Str(700 * kCent));
    CHECK(kp[1].active_customers == 1);
    CHECK(kp[1].new_customers == 1);
    CHECK(kp[1].customers_so_far == 1);
    CHECK(kp[2].orders == 0);
    CHECK(Str(kp[2].revenue) == Str(-300 * kCent));
    CHECK(kp[2].active_customers == 0);
    CHECK(kp[2].customers_so_far == 1);
    for (const auto &k : kp) CHECK(k.repeaters_so_far == 0);

    const auto co = CohortRows(acc, -1);
    REQUIRE(co.size() == 2u);
    CHECK(co[0].cohort == jan + 1);
    CHECK(co[0].offset == 0);
    CHECK(co[0].cohort_size == 1);
    CHECK(co[0].active_customers == 1);
    CHECK(Str(co[0].revenue) == Str(900 * kCent));
    CHECK(co[1].offset == 1);
    CHECK(co[1].active_customers == 0);
    CHECK(Str(co[1].revenue) == Str(-300 * kCent));
}

TEST_CASE("Retention: daily periods, window edges, reactivation, purchases before the range") {
    // Days D..D+9 (D = 2001-05-10), so boundaries j = 0..10 are the starts of D+j.
    // Window 3 days: active at b_j iff some purchase t with b_j - 3 days <= t < b_j.
    //   C0: D noon (first), D+6 noon.  From D noon: j = 1, 2, 3 (b_4 - 3 days = D+1 00:00 > t).
    //       From D+6 noon: j = 7, 8, 9.  At D+6 not active and not new: reactivated.
    //   C1: D-2 noon (first, before the range), D+1 noon.  From D-2: j = D-1, D, D+1 -> 0, 1.
    //       From D+1 noon: j = 2, 3, 4.  At D+1 active at the start: retained.
    //   C2: exactly b_2 = D+2 00:00 (first).  Not active at b_2 (t < b_j is strict); active at
    //       j = 3, 4 and 5 (b_5 - 3 days = D+2 00:00 = t: the window start is inclusive).
    // Active per boundary j:  0:1  1:2  2:2  3:3  4:2  5:1  6:0  7:1  8:1  9:1  10:0.
    const std::int32_t d = Day(2001, 5, 10);
    const auto noon = [](std::int32_t day) {
        return static_cast<std::int64_t>(day) * kUsecsPerDay + 12 * kUsecsPerHour;
    };
    std::vector<Row> rows = {R(0, noon(d), 100 * kCent), R(0, noon(d + 6), 100 * kCent),
                             R(1, noon(d - 2), 100 * kCent), R(1, noon(d + 1), 100 * kCent),
                             R(2, static_cast<std::int64_t>(d + 2) * kUsecsPerDay, 100 * kCent)};
    const std::int64_t p0 = ca::PeriodIndex(Period::Day, d);
    REQUIRE(p0 == d);

    SECTION("window of 3 days") {
        ca::ExecContext ctx;
        ca::RetentionAccumulator acc(ctx, Period::Day, false, 0);
        Feed(acc, rows, Range(Period::Day, p0, p0 + 9, 3));
        const std::int64_t active[11] = {1, 2, 2, 3, 2, 1, 0, 1, 1, 1, 0};
        const std::int64_t fresh[10] = {1, 0, 1, 0, 0, 0, 0, 0, 0, 0};
        const std::int64_t retained[10] = {0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
        const std::int64_t reactivated[10] = {0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
        const auto pr = PeriodRows(acc);
        REQUIRE(pr.size() == 10u);
        for (std::size_t k = 0; k < 10; ++k) {
            INFO("day D+" << k);
            CHECK(pr[k].period == p0 + static_cast<std::int64_t>(k));
            CHECK(pr[k].s_start == active[k]);
            CHECK(pr[k].e_end == active[k + 1]);
            CHECK(pr[k].n_new == fresh[k]);
            CHECK(pr[k].retained == retained[k]);
            CHECK(pr[k].reactivated == reactivated[k]);
        }
        // KPIs: one purchase on D, D+1, D+2, D+6. Customers so far: C1 (before the range) and C0
        // at D, C2 from D+2. Repeaters: C1 (2nd purchase D+1) from D+1, C0 (D+6) from D+6.
        const std::int64_t orders[10] = {1, 1, 1, 0, 0, 0, 1, 0, 0, 0};
        const std::int64_t so_far[10] = {2, 2, 3, 3, 3, 3, 3, 3, 3, 3};
        const std::int64_t repeaters[10] = {0, 1, 1, 1, 1, 1, 2, 2, 2, 2};
        const auto kp = KpiRows(acc);
        REQUIRE(kp.size() == 10u);
        for (std::size_t k = 0; k < 10; ++k) {
            INFO("day D+" << k);
            CHECK(kp[k].orders == orders[k]);
            CHECK(kp[k].active_customers == orders[k]);
            CHECK(kp[k].new_customers == fresh[k]);
            CHECK(Str(kp[k].revenue) == Str(orders[k] * 100 * kCent));
            CHECK(kp[k].customers_so_far == so_far[k]);
            CHECK(kp[k].repeaters_so_far == repeaters[k]);
        }
    }

    SECTION("no window: active from the first purchase on") {
        // C0 active at j >= 1, C1 at every j, C2 at j >= 3: 1 2 2 3 3 3 3 3 3 3 3.
        // D+1: C1 retained; D+6: C0 retained (no longer reactivated).
        ca::ExecContext ctx;
        ca::RetentionAccumulator acc(ctx, Period::Day, false, 0);
        Feed(acc, rows, Range(Period::Day, p0, p0 + 9, -1));
        const std::int64_t active[11] = {1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3};
        const auto pr = PeriodRows(acc);
        REQUIRE(pr.size() == 10u);
        for (std::size_t k = 0; k < 10; ++k) {
            INFO("day D+" << k);
            CHECK(pr[k].s_start == active[k]);
            CHECK(pr[k].e_end == active[k + 1]);
            CHECK(pr[k].retained == ((k == 1 || k == 6) ? 1 : 0));
            CHECK(pr[k].reactivated == 0);
        }
    }

    SECTION("a range starting later: earlier purchases still count") {
        // Range D+4..D+6 with the 3-day window: s/e from the table above (j = 4..7: 2 1 0 1);
        // nobody is new (all first purchases are before D+4); C0 reactivated at D+6.
        ca::ExecContext ctx;
        ca::RetentionAccumulator acc(ctx, Period::Day, false, 0);
        Feed(acc, rows, Range(Period::Day, p0 + 4, p0 + 6, 3));
        const auto pr = PeriodRows(acc);
        REQUIRE(pr.size() == 3u);
        CHECK(pr[0].s_start == 2);
        CHECK(pr[0].e_end == 1);
        CHECK(pr[1].s_start == 1);
        CHECK(pr[1].e_end == 0);
        CHECK(pr[2].s_start == 0);
        CHECK(pr[2].e_end == 1);
        CHECK(pr[2].reactivated == 1);
        for (const auto &r : pr) CHECK(r.n_new == 0);
        const auto kp = KpiRows(acc);
        REQUIRE(kp.size() == 3u);
        CHECK(kp[0].customers_so_far == 3);
        CHECK(kp[0].repeaters_so_far == 1);
        CHECK(kp[2].repeaters_so_far == 2);
        CHECK(CohortRows(acc, -1).empty());  // every cohort is before the range
    }
}

TEST_CASE("Retention: the end cut-off and the skip counts") {
    // end = 2001-03-01 00:00. Months Feb..Mar 2001, no window.
    //   C0: +1.00 at 2001-02-28 23:59:59.999999 (kept), +2.00 exactly at end (left out),
    //       +4.00 on 2001-05-01 (left out).
    //   C1: only +5.00 on 2001-03-10 (left out): never a customer.
    //   C2: -1.00 on 2001-02-03 (kept: a return), +3.00 on 2001-04-02 (left out).
    //   A NULL time and a NULL amount for C2, 2 + 1 rows without a customer.
    // Skips: after end 4, null fields 2, null customer 3 (counted in the first pass only).
    const std::int64_t end = static_cast<std::int64_t>(Day(2001, 3, 1)) * kUsecsPerDay;
    std::vector<Row> rows = {R(0, end - 1, 100 * kCent),         R(0, end, 200 * kCent),
                             R(0, At(2001, 5, 1), 400 * kCent),  R(1, At(2001, 3, 10), 500 * kCent),
                             R(2, At(2001, 2, 3), -100 * kCent), R(2, At(2001, 4, 2), 300 * kCent)};
    ca::Order null_time = Ord(At(2001, 2, 5), 700 * kCent);
    null_time.has_time = false;
    null_time.bad_lines = 1;
    ca::Order null_amount = Ord(At(2001, 2, 6), 0);
    null_amount.has_amount = false;
    null_amount.bad_lines = 1;
    rows.push_back(Row{false, 2, null_time});
    rows.push_back(Row{false, 2, null_amount});
    ca::Order two_lines = Ord(0, 0);
    two_lines.lines = 2;
    rows.push_back(Row{true, 0, two_lines});
    rows.push_back(Row{true, 0, Ord(0, 0)});

    ca::ExecContext ctx;
    ca::RetentionAccumulator acc(ctx, Period::Month, true, end);
    const std::int64_t feb = Month(2001, 2);
    Feed(acc, rows, Range(Period::Month, feb, feb + 1, -1));
    CHECK(acc.skips().after_bound_rows == 4);
    CHECK(acc.skips().null_field_rows == 2);
    CHECK(acc.skips().null_customer_rows == 3);
    REQUIRE(acc.has_orders());
    CHECK(acc.first_order_period() == feb);
    CHECK(acc.last_order_period() == feb);

    const auto pr = PeriodRows(acc);
    REQUIRE(pr.size() == 2u);
    CHECK(pr[0].s_start == 0);
    CHECK(pr[0].n_new == 1);
    CHECK(pr[0].e_end == 1);
    CHECK(pr[1].s_start == 1);
    CHECK(pr[1].n_new == 0);
    CHECK(pr[1].e_end == 1);
    CHECK(pr[1].retained == 0);
    CHECK(pr[1].reactivated == 0);
    const auto kp = KpiRows(acc);
    REQUIRE(kp.size() == 2u);
    CHECK(kp[0].orders == 1);
    CHECK(Str(kp[0].revenue) == Str(0));  // 1.00 - 1.00
    CHECK(kp[1].orders == 0);
    CHECK(Str(kp[1].revenue) == Str(0));
    CHECK(kp[1].customers_so_far == 1);
    CHECK(kp[1].repeaters_so_far == 0);  // C0's second purchase was at the end: left out
    const auto co = CohortRows(acc, -1);
    REQUIRE(co.size() == 2u);
    CHECK(co[0].cohort_size == 1);
    CHECK(Str(co[0].revenue) == Str(100 * kCent));
    CHECK(co[1].active_customers == 0);
    CHECK(Str(co[1].revenue) == Str(0));
}

TEST_CASE("Retention: only orders after the end means no orders") {
    ca::ExecContext ctx;
    ca::RetentionAccumulator acc(ctx, Period::Month, true, At(2001, 1, 1, 0));
    std::vector<Row> rows = {R(0, At(2001, 1, 1, 0), 100 * kCent), R(1, At(2002, 1, 1), kCent)};
    const std::int64_t jan = Month(2001, 1);
    Feed(acc, rows, Range(Period::Month, jan, jan, 30));
    CHECK(!acc.has_orders());
    CHECK(acc.skips().after_bound_rows == 2);
    const auto pr = PeriodRows(acc);
    REQUIRE(pr.size() == 1u);
    CHECK(pr[0].s_start == 0);
    CHECK(pr[0].e_end == 0);
    CHECK(pr[0].n_new == 0);
    CHECK(KpiRows(acc)[0].orders == 0);
    CHECK(CohortRows(acc, -1).empty());
}

TEST_CASE("Retention: ISO weeks across a year end") {
    // 2001-12-31 is a Monday: week W0 = Mon 2001-12-24 .. Sun 12-30, W1 = Mon 12-31 .. Sun
    // 2002-01-06.
    //   C0: Sun 2001-12-30 23:00 (W0, first), Sat 2002-01-05 (W1): retained in W1.
    //   C1: Mon 2001-12-31 00:00 (W1, first): new in W1.
    // No window. W0: S 0, N 1, E 1. W1: S 1, N 1, E 2, retained 1.
    const std::int64_t w0 = ca::PeriodIndex(Period::Week, Day(2001, 12, 24));
    REQUIRE(ca::PeriodIndex(Period::Week, Day(2001, 12, 30)) == w0);
    REQUIRE(ca::PeriodStartFromIndex(Period::Week, w0 + 1) == Day(2001, 12, 31));
    std::vector<Row> rows = {R(0, At(2001, 12, 30, 23), 100 * kCent),
                             R(0, At(2002, 1, 5), 100 * kCent),
                             R(1, At(2001, 12, 31, 0), 100 * kCent)};
    ca::ExecContext ctx;
    ca::RetentionAccumulator acc(ctx, Period::Week, false, 0);
    Feed(acc, rows, Range(Period::Week, w0, w0 + 1, -1));
    const auto pr = PeriodRows(acc);
    REQUIRE(pr.size() == 2u);
    CHECK(pr[0].s_start == 0);
    CHECK(pr[0].n_new == 1);
    CHECK(pr[0].e_end == 1);
    CHECK(pr[1].s_start == 1);
    CHECK(pr[1].n_new == 1);
    CHECK(pr[1].e_end == 2);
    CHECK(pr[1].retained == 1);
    CHECK(pr[1].reactivated == 0);
    const auto kp = KpiRows(acc);
    CHECK(kp[1].orders == 2);
    CHECK(kp[1].repeaters_so_far == 1);
}

TEST_CASE("Retention: cohort rows and max_offset") {
    // Months Jan..Apr 2001.
    //   A: Jan 10 +10, Mar 5 +20, Mar 6 -4 (return), Apr 1 0.        cohort Jan
    //   B: Jan 20 +5, Feb 2 +1.                                        cohort Jan
    //   C: Mar 15 +7, Apr 30 +3.                                       cohort Mar
    //   D: 2000-12-05 +100, Jan 2001 +50.     cohort Dec 2000: before the range, no rows
    //   E: only a return -9 in Feb: no cohort.
    // Cohort Jan (2): offset 0: 2 active, 15; 1: 1 (B), 1; 2: 1 (A), 16; 3: 0, 0.
    // Cohort Feb: size 0, no rows.  Cohort Mar (1): offset 0: 1, 7; 1: 1, 3.  Apr: no cohort.
    std::vector<Row> rows = {
        R(0, At(2001, 1, 10), 1000 * kCent),  R(0, At(2001, 3, 5), 2000 * kCent),
        R(0, At(2001, 3, 6), -400 * kCent),   R(0, At(2001, 4, 1), 0),
        R(1, At(2001, 1, 20), 500 * kCent),   R(1, At(2001, 2, 2), 100 * kCent),
        R(2, At(2001, 3, 15), 700 * kCent),   R(2, At(2001, 4, 30), 300 * kCent),
        R(3, At(2000, 12, 5), 10000 * kCent), R(3, At(2001, 1, 7), 5000 * kCent),
        R(4, At(2001, 2, 9), -900 * kCent)};
    ca::ExecContext ctx;
    ca::RetentionAccumulator acc(ctx, Period::Month, false, 0);
    const std::int64_t jan = Month(2001, 1);
    Feed(acc, rows, Range(Period::Month, jan, jan + 3, 90));

    struct Want {
        std::int64_t cohort, offset, size, active;
        Money revenue;
    };
    const std::vector<Want> all = {
        {jan, 0, 2, 2, 1500 * kCent},    {jan, 1, 2, 1, 100 * kCent},
        {jan, 2, 2, 1, 1600 * kCent},    {jan, 3, 2, 0, 0},
        {jan + 2, 0, 1, 1, 700 * kCent}, {jan + 2, 1, 1, 1, 300 * kCent}};
    const auto check = [&](std::int64_t max_offset, std::vector<Want> want) {
        INFO("max_offset " << max_offset);
        const auto co = CohortRows(acc, max_offset);
        REQUIRE(co.size() == want.size());
        for (std::size_t i = 0; i < want.size(); ++i) {
            INFO("row " << i);
            CHECK(co[i].cohort == want[i].cohort);
            CHECK(co[i].offset == want[i].offset);
            CHECK(co[i].cohort_size == want[i].size);
            CHECK(co[i].active_customers == want[i].active);
            CHECK(Str(co[i].revenue) == Str(want[i].revenue));
        }
    };
    check(-1, all);
    check(3, all);
    check(100, all);
    check(2, {all[0], all[1], all[2], all[4], all[5]});
    check(1, {all[0], all[1], all[4], all[5]});
    check(0, {all[0], all[4]});
}

namespace {

// The hand example of the modes, brackets and complete tests. Months Jan..Jun 2001; the latest
// order is in June, so June is the incomplete period (p_last).
//   A: Jan +10, Mar +10, Jun +1          cohort Jan, purchases at offsets 0, 2, 5: last 5
//   B: Jan +5, Feb +5                    cohort Jan, offsets 0, 1: last 1
//   C: Jan +2                            cohort Jan, offset 0: last 0
//   D: Mar +7, May +3, May -1 (return)   cohort Mar, offsets 0, 2: last 2
//   E: Jun +4                            cohort Jun, offset 0
std::vector<Row> ModesExample() {
    return {R(0, At(2001, 1, 10), 1000 * kCent), R(0, At(2001, 3, 10), 1000 * kCent),
            R(0, At(2001, 6, 10), 100 * kCent),  R(1, At(2001, 1, 11), 500 * kCent),
            R(1, At(2001, 2, 11), 500 * kCent),  R(2, At(2001, 1, 12), 200 * kCent),
            R(3, At(2001, 3, 13), 700 * kCent),  R(3, At(2001, 5, 13), 300 * kCent),
            R(3, At(2001, 5, 14), -100 * kCent), R(4, At(2001, 6, 15), 400 * kCent)};
}

struct WantCell {
    std::int64_t cohort, offset, offset_end, size, active;
    Money revenue;
    bool complete;
};

void CheckCells(const ca::RetentionAccumulator &acc, const ca::CohortOptions &options,
                const std::vector<WantCell> &want) {
    const auto co = CohortRows(acc, options);
    REQUIRE(co.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO("row " << i);
        CHECK(co[i].cohort == want[i].cohort);
        CHECK(co[i].offset == want[i].offset);
        CHECK(co[i].offset_end == want[i].offset_end);
        CHECK(co[i].cohort_size == want[i].size);
        CHECK(co[i].active_customers == want[i].active);
        CHECK(Str(co[i].revenue) == Str(want[i].revenue));
        CHECK(co[i].complete == want[i].complete);
    }
}

}  // namespace

TEST_CASE("Retention: cohort modes on and on_or_after, and complete cells") {
    ca::ExecContext ctx;
    ca::RetentionAccumulator acc(ctx, Period::Month, false, 0);
    const std::int64_t jan = Month(2001, 1), mar = jan + 2, jun = jan + 5;
    Feed(acc, ModesExample(), Range(Period::Month, jan, jun, -1));
    // Complete: cohort + offset < June. Jan: offsets 0..4 complete, 5 not; Mar: 0..2, 3 not;
    // Jun: offset 0 is June itself, not complete.
    // on: Jan 0: A, B, C (10 + 5 + 2); 1: B (5); 2: A (10); 3, 4: nobody; 5: A (1).
    //     Mar 0: D (7); 1: nobody; 2: D (3 - 1); 3: nobody.  Jun 0: E (4).
    ca::CohortOptions on;
    std::vector<WantCell> want = {{jan, 0, 0, 3, 3, 1700 * kCent, true},
                                  {jan, 1, 1, 3, 1, 500 * kCent, true},
                                  {jan, 2, 2, 3, 1, 1000 * kCent, true},
                                  {jan, 3, 3, 3, 0, 0, true},
                                  {jan, 4, 4, 3, 0, 0, true},
                                  {jan, 5, 5, 3, 1, 100 * kCent, false},
                                  {mar, 0, 0, 1, 1, 700 * kCent, true},
                                  {mar, 1, 1, 1, 0, 0, true},
                                  {mar, 2, 2, 1, 1, 200 * kCent, true},
                                  {mar, 3, 3, 1, 0, 0, false},
                                  {jun, 0, 0, 1, 1, 400 * kCent, false}};
    CheckCells(acc, on, want);
    // on_or_after: active at k when the last purchase's offset >= k. Jan: last offsets A 5, B 1,
    // C 0: 3, 2, 1, 1, 1, 1. Mar: D's last offset 2: 1, 1, 1, 0. Revenue as with on.
    ca::CohortOptions rolling;
    rolling.mode = ca::CohortMode::OnOrAfter;
    for (std::size_t i : {1, 3, 4, 7}) want[i].active += 1;  // Jan 1, 3, 4; Mar 1
    CheckCells(acc, rolling, want);
    // A purchase after max_offset still counts for on_or_after: max_offset 1 keeps Jan's
    // offset 1 at 2 (A's last purchase is at offset 5).
    rolling.max_offset = 1;
    CheckCells(acc, rolling,
               {{jan, 0, 0, 3, 3, 1700 * kCent, true},
                {jan, 1, 1, 3, 2, 500 * kCent, true},
                {mar, 0, 0, 1, 1, 700 * kCent, true},
                {mar, 1, 1, 1, 1, 0, true},
                {jun, 0, 0, 1, 1, 400 * kCent, false}});
}

TEST_CASE("Retention: cohort brackets count each customer once per bracket") {
    ca::ExecContext ctx;
    ca::RetentionAccumulator acc(ctx, Period::Month, false, 0);
    const std::int64_t jan = Month(2001, 1), mar = jan + 2, jun = jan + 5;
    Feed(acc, ModesExample(), Range(Period::Month, jan, jun, -1));
    // ARRAY[0, 1, 3] without max_offset: [0], [1..2], [3..last offset of the data].
    //   Jan (last offset 5): [0] A B C, 17, complete; [1..2] B (1), A (2): 2, 5 + 10, complete
    //     (Jan + 2 = Mar < Jun); [3..5] A (5): 1, 1, incomplete (Jan + 5 = Jun).
    //   Mar (last offset 3): [0] D, 7; [1..2] D (2): 1, 2, complete (May < Jun); [3..3] nobody,
    //     incomplete.  Jun (last offset 0): only [0], E, 4, incomplete.
    //   on_or_after: Jan [1..2]: last offset >= 1: A, B; [3..5]: >= 3: A. Mar [1..2]: D (2 >= 1);
    //     [3..3]: nobody. The same counts here.
    ca::CohortOptions options;
    options.brackets = {0, 1, 3};
    const std::vector<WantCell> want = {
        {jan, 0, 0, 3, 3, 1700 * kCent, true}, {jan, 1, 2, 3, 2, 1500 * kCent, true},
        {jan, 3, 5, 3, 1, 100 * kCent, false}, {mar, 0, 0, 1, 1, 700 * kCent, true},
        {mar, 1, 2, 1, 1, 200 * kCent, true},  {mar, 3, 3, 1, 0, 0, false},
        {jun, 0, 0, 1, 1, 400 * kCent, false}};
    CheckCells(acc, options, want);
    options.mode = ca::CohortMode::OnOrAfter;
    CheckCells(acc, options, want);

    // ARRAY[0, 2] with max_offset 3: [0..1], [2..3].
    //   Jan: [0..1] A, B, C: 3 (B bought at offsets 0 and 1, counted once), 17 + 5; complete
    //     (Feb < Jun). [2..3] A (2): 1, 10, complete (Apr < Jun).
    //   Mar: [0..1] D: 1, 7, complete (Apr); [2..3] D (2): 1, 2, incomplete (Jun).
    //   Jun: [0..1] E: 1, 4, incomplete (it reaches past the data: nominal end 1 kept);
    //     [2..3] starts after the data: no row.
    //   on_or_after: Jan [2..3]: last offset >= 2: A only. The same counts.
    options.brackets = {0, 2};
    options.max_offset = 3;
    options.mode = ca::CohortMode::On;
    const std::vector<WantCell> want2 = {{jan, 0, 1, 3, 3, 2200 * kCent, true},
                                         {jan, 2, 3, 3, 1, 1000 * kCent, true},
                                         {mar, 0, 1, 1, 1, 700 * kCent, true},
                                         {mar, 2, 3, 1, 1, 200 * kCent, false},
                                         {jun, 0, 1, 1, 1, 400 * kCent, false}};
    CheckCells(acc, options, want2);
    options.mode = ca::CohortMode::OnOrAfter;
    CheckCells(acc, options, want2);
    // ARRAY[0, 1, 2]: [0], [1], [2..last]. The modes differ where a customer bought after a
    // bracket but not in it: on_or_after counts A in Jan [1] (A's last offset is 5), on does not.
    //   on: Jan [0] 3, 17; [1] B: 1, 5; [2..5] A: 1, 10 + 1, incomplete.
    //       Mar [0] 1, 7; [1] nobody, complete (Apr < Jun); [2..3] D: 1, 2, incomplete. Jun [0].
    //   on_or_after: Jan [1] A, B: 2; Mar [1] D: 1; the rest as with on.
    options.brackets = {0, 1, 2};
    options.max_offset = -1;
    options.mode = ca::CohortMode::On;
    std::vector<WantCell> want3 = {{jan, 0, 0, 3, 3, 1700 * kCent, true},
                                   {jan, 1, 1, 3, 1, 500 * kCent, true},
                                   {jan, 2, 5, 3, 1, 1100 * kCent, false},
                                   {mar, 0, 0, 1, 1, 700 * kCent, true},
                                   {mar, 1, 1, 1, 0, 0, true},
                                   {mar, 2, 3, 1, 1, 200 * kCent, false},
                                   {jun, 0, 0, 1, 1, 400 * kCent, false}};
    CheckCells(acc, options, want3);
    options.mode = ca::CohortMode::OnOrAfter;
    want3[1].active = 2;
    want3[4].active = 1;
    CheckCells(acc, options, want3);
}

TEST_CASE("Retention: cohort modes and brackets are checked") {
    CHECK(ca::ParseCohortMode("on") == ca::CohortMode::On);
    CHECK(ca::ParseCohortMode("on_or_after") == ca::CohortMode::OnOrAfter);
    for (const char *bad : {"", "On", "rolling", "unbounded", "on or after"})
        CHECK(KindOf([&] { ca::ParseCohortMode(bad); }) == ca::ErrorKind::InvalidParameter);
    CHECK_NOTHROW(ca::CheckBrackets({0}, -1));
    CHECK_NOTHROW(ca::CheckBrackets({0, 1, 4, 7, 13}, -1));
    CHECK_NOTHROW(ca::CheckBrackets({0, 1, 4, 7, 13}, 13));
    const std::vector<std::pair<std::vector<std::int64_t>, std::int64_t>> bad = {
        {{}, -1},        {{1, 2}, -1},    {{0, -1}, -1},    {{-1, 0}, -1},
        {{0, 3, 3}, -1}, {{0, 4, 2}, -1}, {{0, 1, 13}, 12}, {{0, 5}, 0}};
    for (const auto &[brackets, max_offset] : bad) {
        INFO("brackets of " << brackets.size() << ", max_offset " << max_offset);
        CHECK(KindOf([&] { ca::CheckBrackets(brackets, max_offset); }) ==
              ca::ErrorKind::InvalidParameter);
    }
    std::vector<std::int64_t> many(ca::kMaxBrackets + 1);
    for (std::size_t i = 0; i < many.size(); ++i) many[i] = static_cast<std::int64_t>(i);
    CHECK(KindOf([&] { ca::CheckBrackets(many, -1); }) == ca::ErrorKind::InvalidParameter);
    many.pop_back();
    CHECK_NOTHROW(ca::CheckBrackets(many, -1));
    // Cohorts() checks them too.
    ca::ExecContext ctx;
    ca::RetentionAccumulator acc(ctx, Period::Month, false, 0);
    const std::int64_t jan = Month(2001, 1);
    Feed(acc, ModesExample(), Range(Period::Month, jan, jan + 5, -1));
    ca::CohortOptions options;
    options.brackets = {0, 2, 1};
    CHECK(KindOf([&] { CohortRows(acc, options); }) == ca::ErrorKind::InvalidParameter);
}

TEST_CASE("Retention: BeginSecondPass rejects a mismatched range") {
    ca::ExecContext ctx;
    ca::RetentionAccumulator acc(ctx, Period::Month, false, 0);
    acc.Add(0, Ord(At(2001, 1, 1), kCent));
    ca::RetentionRange bad = Range(Period::Month, 10, 12, 30);
    bad.window_starts.pop_back();
    CHECK(KindOf([&] { acc.BeginSecondPass(bad, ca::RetentionOutput::Cohorts); }) ==
          ca::ErrorKind::InvalidParameter);
    ca::RetentionRange inverted;
    inverted.first_period = 10;
    inverted.last_period = 8;
    CHECK(KindOf([&] { acc.BeginSecondPass(inverted, ca::RetentionOutput::Cohorts); }) ==
          ca::ErrorKind::InvalidParameter);
}

// ---- Property test ------------------------------------------------------------------------------

namespace {

struct Expected {
    std::vector<ca::PeriodRetentionRow> retention;
    std::vector<ca::KpiRow> kpis;
    std::vector<ca::CohortRow> cohorts;
    ca::SkippedRows skips;
    bool has_orders = false;
    std::int64_t first_period = 0, last_period = 0;  // of every usable order, returns included
};

// Straight from the definitions: times are compared with the boundaries b_j directly.
Expected BruteForce(const std::vector<Row> &rows, std::uint32_t customers, Period period,
                    bool has_end, std::int64_t end, std::int64_t p0, std::int64_t p1,
                    std::int64_t window_days, const ca::CohortOptions &options) {
    Expected x;
    const std::int64_t max_offset = options.max_offset;
    std::vector<std::vector<std::pair<std::int64_t, Money>>> orders(customers);  // usable
    for (const Row &r : rows) {
        if (r.null_customer) {
            x.skips.null_customer_rows += r.order.lines;
            continue;
        }
        if (!r.order.has_time || !r.order.has_amount) {
            ++x.skips.null_field_rows;
            continue;
        }
        if (has_end && r.order.time >= end) {
            ++x.skips.after_bound_rows;
            continue;
        }
        orders[r.customer].push_back({r.order.time, r.order.amount});
    }
    const auto b = [&](std::int64_t j) { return Boundary(period, j); };
    const auto period_of = [&](std::int64_t t) { return ca::PeriodIndex(period, ca::DayOf(t)); };
    std::vector<std::vector<std::int64_t>> purchases(customers);
    for (std::uint32_t c = 0; c < customers; ++c) {
        for (const auto &o : orders[c]) {
            if (o.second > 0) purchases[c].push_back(o.first);
            const std::int64_t p = period_of(o.first);
            if (!x.has_orders || p < x.first_period) x.first_period = p;
            if (!x.has_orders || p > x.last_period) x.last_period = p;
            x.has_orders = true;
        }
        std::sort(purchases[c].begin(), purchases[c].end());
    }
    const auto active = [&](std::uint32_t c, std::int64_t j) {
        for (std::int64_t t : purchases[c])
            if (t < b(j) && (window_days < 0 || b(j) - window_days * kUsecsPerDay <= t))
                return true;
        return false;
    };
    const auto purchased_in = [&](std::uint32_t c, std::int64_t k) {
        for (std::int64_t t : purchases[c])
            if (b(k) <= t && t < b(k + 1)) return true;
        return false;
    };
    const auto first = [&](std::uint32_t c) { return period_of(purchases[c][0]); };

    for (std::int64_t k = p0; k <= p1; ++k) {
        ca::PeriodRetentionRow pr{k, 0, 0, 0, 0, 0};
        ca::KpiRow kp{k, 0, 0, 0, 0, 0, 0};
        for (std::uint32_t c = 0; c < customers; ++c) {
            for (const auto &o : orders[c])
                if (b(k) <= o.first && o.first < b(k + 1)) {
                    kp.revenue += o.second;
                    if (o.second > 0) ++kp.orders;
                }
            if (purchases[c].empty()) continue;
            const bool at_start = active(c, k), bought = purchased_in(c, k);
            const bool is_new = first(c) == k;
            if (at_start) ++pr.s_start;
            if (active(c, k + 1)) ++pr.e_end;
            if (is_new) ++pr.n_new;
            if (at_start && bought) ++pr.retained;
            if (bought && !at_start && !is_new) ++pr.reactivated;
            if (bought) ++kp.active_customers;
            if (is_new) ++kp.new_customers;
            if (first(c) <= k) ++kp.customers_so_far;
            if (purchases[c].size() >= 2 && period_of(purchases[c][1]) <= k) ++kp.repeaters_so_far;
        }
        x.retention.push_back(pr);
        x.kpis.push_back(kp);
    }
    for (std::int64_t g = p0; g <= p1; ++g) {
        std::vector<std::uint32_t> members;
        for (std::uint32_t c = 0; c < customers; ++c)
            if (!purchases[c].empty() && first(c) == g) members.push_back(c);
        if (members.empty()) continue;
        // Brackets [first, last] as docs/retention.md defines them; without brackets one per
        // offset up to max_offset or the last period of the data.
        const std::int64_t data_last = p1 - g;
        std::vector<std::pair<std::int64_t, std::int64_t>> brackets;
        if (options.brackets.empty()) {
            const std::int64_t last = max_offset >= 0 ? std::min(data_last, max_offset) : data_last;
            for (std::int64_t o = 0; o <= last; ++o) brackets.push_back({o, o});
        } else {
            const auto &bs = options.brackets;
            for (std::size_t i = 0; i < bs.size() && bs[i] <= data_last; ++i)
                brackets.push_back({bs[i], i + 1 < bs.size() ? bs[i + 1] - 1
                                           : max_offset >= 0 ? max_offset
                                                             : data_last});
        }
        // Active at offset o: a purchase in period g + o, or (on_or_after) in any analysed period
        // from g + o to p1.
        const auto active_at = [&](std::uint32_t c, std::int64_t o) {
            if (options.mode == ca::CohortMode::On) return purchased_in(c, g + o);
            for (std::int64_t q = g + o; q <= p1; ++q)
                if (purchased_in(c, q)) return true;
            return false;
        };
        for (const auto &[from, to] : brackets) {
            ca::CohortRow row{g, from, to,         static_cast<std::int64_t>(members.size()),
                              0, 0,    g + to < p1};
            for (std::uint32_t c : members) {
                bool any = false;
                for (std::int64_t o = from; o <= std::min(to, data_last); ++o)
                    any = any || active_at(c, o);
                if (any) ++row.active_customers;
                for (const auto &ord : orders[c])
                    if (b(g + from) <= ord.first && ord.first < b(g + std::min(to, data_last) + 1))
                        row.revenue += ord.second;
            }
            x.cohorts.push_back(row);
        }
    }
    return x;
}

}  // namespace

TEST_CASE("Retention: random data against a brute force") {
    std::mt19937_64 rng(20240611);
    const auto uniform = [&](std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    };
    constexpr Period kPeriods[] = {Period::Day, Period::Week, Period::Month, Period::Quarter,
                                   Period::Year};
    constexpr std::int64_t kSpanDays[] = {45, 300, 3 * 365, 5 * 365, 8 * 365};
    constexpr std::int64_t kWindows[] = {-1, 30, 90, 365};
    int with_rows = 0, complete_cells = 0, bracket_cells = 0;
    std::int64_t total_retained = 0, total_reactivated = 0, total_after_end = 0, total_new = 0;
    for (int iteration = 0; iteration < 200; ++iteration) {
        const int pi = static_cast<int>(uniform(0, 4));
        const Period period = kPeriods[pi];
        const std::int64_t span = kSpanDays[pi];
        const std::int64_t first_day = uniform(-800, 400);
        const auto customers = static_cast<std::uint32_t>(uniform(1, 30));
        std::vector<Row> rows;
        std::int64_t min_day = first_day + span, max_day = first_day;
        for (std::uint32_t c = 0; c < customers; ++c) {
            const std::int64_t n = uniform(0, 3) == 0 ? uniform(0, 3) : uniform(0, 80);
            for (std::int64_t i = 0; i < n; ++i) {
                const std::int64_t day = first_day + uniform(0, span);
                min_day = std::min(min_day, day);
                max_day = std::max(max_day, day);
                const std::int64_t tod = uniform(0, 3) == 0 ? 0 : uniform(0, kUsecsPerDay - 1);
                Money amount;
                const std::int64_t kind = uniform(0, 9);
                if (kind < 2)
                    amount = -uniform(1, 500000) * 100;
                else if (kind == 2)
                    amount = 0;
                else
                    amount = uniform(1, 2000000) * 100;
                ca::Order o = Ord(day * kUsecsPerDay + tod, amount);
                const std::int64_t bad = uniform(0, 39);
                if (bad == 0) {
                    o.has_time = false;
                    o.bad_lines = 1;
                } else if (bad == 1) {
                    o.has_amount = false;
                    o.bad_lines = 1;
                }
                rows.push_back(Row{false, c, o});
            }
        }
        for (std::int64_t i = uniform(0, 2); i > 0; --i) rows.push_back(Row{true, 0, Ord(0, 0)});
        std::shuffle(rows.begin(), rows.end(), rng);

        // Analysed range: around the data's periods, sometimes cutting it at either end,
        // occasionally empty.
        const std::int64_t pmin = ca::PeriodIndex(period, static_cast<std::int32_t>(min_day));
        const std::int64_t pmax = ca::PeriodIndex(period, static_cast<std::int32_t>(max_day));
        const std::int64_t width = std::max<std::int64_t>(pmax - pmin, 0);
        std::int64_t p0 = pmin + uniform(-2, width / 3 + 1);
        std::int64_t p1 = pmax - uniform(-2, width / 3 + 1);
        if (p1 < p0 - 1 || uniform(0, 29) == 0) p1 = p0 - 1;
        const std::int64_t window_days = kWindows[uniform(0, 3)];
        const bool has_end = uniform(0, 1) == 1;
        std::int64_t end = 0;
        if (has_end) {
            const std::int64_t e = uniform(0, 2);
            if (e == 0 && !rows.empty())  // exactly an order's time
                end = rows[static_cast<std::size_t>(
                               uniform(0, static_cast<std::int64_t>(rows.size()) - 1))]
                          .order.time;
            else if (e == 1)  // a period boundary
                end = Boundary(period, uniform(pmin, pmax + 1));
            else
                end = (first_day + uniform(0, span + 1)) * kUsecsPerDay +
                      uniform(0, kUsecsPerDay - 1);
        }
        ca::CohortOptions options;
        options.max_offset = uniform(0, 2) == 0 ? -1 : uniform(0, 6);
        options.mode = uniform(0, 1) == 0 ? ca::CohortMode::On : ca::CohortMode::OnOrAfter;
        if (uniform(0, 1) == 0) {  // brackets of random widths, none past max_offset
            options.brackets.push_back(0);
            for (std::int64_t n = uniform(0, 4); n > 0; --n) {
                const std::int64_t next = options.brackets.back() + uniform(1, 4);
                if (options.max_offset >= 0 && next > options.max_offset) break;
                options.brackets.push_back(next);
            }
        }
        const std::int64_t max_offset = options.max_offset;

        INFO("iteration " << iteration << ": period " << ca::PeriodName(period) << ", p0 " << p0
                          << ", p1 " << p1 << ", window " << window_days << ", has_end " << has_end
                          << ", end " << end << ", max_offset " << max_offset << ", mode "
                          << static_cast<int>(options.mode) << ", brackets "
                          << options.brackets.size() << ", customers " << customers << ", rows "
                          << rows.size());
        const Expected x =
            BruteForce(rows, customers, period, has_end, end, p0, p1, window_days, options);

        ca::ExecContext ctx;
        ca::RetentionAccumulator acc(ctx, period, has_end, end);
        for (const Row &r : rows) {
            if (r.null_customer)
                acc.AddNullCustomer(r.order.lines);
            else
                acc.Add(r.customer, r.order);
        }
        CHECK(acc.skips().null_customer_rows == x.skips.null_customer_rows);
        CHECK(acc.skips().null_field_rows == x.skips.null_field_rows);
        CHECK(acc.skips().after_bound_rows == x.skips.after_bound_rows);
        REQUIRE(acc.has_orders() == x.has_orders);
        if (x.has_orders) {
            CHECK(acc.first_order_period() == x.first_period);
            CHECK(acc.last_order_period() == x.last_period);
        }
        acc.BeginSecondPass(Range(period, p0, p1, window_days), ca::RetentionOutput::Cohorts);
        std::vector<Row> second = rows;
        std::shuffle(second.begin(), second.end(), rng);
        for (const Row &r : second) {
            if (r.null_customer)
                acc.AddNullCustomer(r.order.lines);
            else
                acc.Add(r.customer, r.order);
        }
        // The second pass counts nothing more.
        CHECK(acc.skips().null_customer_rows == x.skips.null_customer_rows);
        CHECK(acc.skips().null_field_rows == x.skips.null_field_rows);
        CHECK(acc.skips().after_bound_rows == x.skips.after_bound_rows);

        const auto pr = PeriodRows(acc);
        REQUIRE(pr.size() == x.retention.size());
        for (std::size_t k = 0; k < pr.size(); ++k) {
            INFO("retention row " << k);
            CHECK(pr[k].period == x.retention[k].period);
            CHECK(pr[k].s_start == x.retention[k].s_start);
            CHECK(pr[k].n_new == x.retention[k].n_new);
            CHECK(pr[k].e_end == x.retention[k].e_end);
            CHECK(pr[k].retained == x.retention[k].retained);
            CHECK(pr[k].reactivated == x.retention[k].reactivated);
        }
        const auto kp = KpiRows(acc);
        REQUIRE(kp.size() == x.kpis.size());
        for (std::size_t k = 0; k < kp.size(); ++k) {
            INFO("kpi row " << k);
            CHECK(kp[k].period == x.kpis[k].period);
            CHECK(kp[k].orders == x.kpis[k].orders);
            CHECK(Str(kp[k].revenue) == Str(x.kpis[k].revenue));
            CHECK(kp[k].active_customers == x.kpis[k].active_customers);
            CHECK(kp[k].new_customers == x.kpis[k].new_customers);
            CHECK(kp[k].customers_so_far == x.kpis[k].customers_so_far);
            CHECK(kp[k].repeaters_so_far == x.kpis[k].repeaters_so_far);
        }
        const auto co = CohortRows(acc, options);
        REQUIRE(co.size() == x.cohorts.size());
        for (std::size_t i = 0; i < co.size(); ++i) {
            INFO("cohort row " << i);
            CHECK(co[i].cohort == x.cohorts[i].cohort);
            CHECK(co[i].offset == x.cohorts[i].offset);
            CHECK(co[i].offset_end == x.cohorts[i].offset_end);
            CHECK(co[i].complete == x.cohorts[i].complete);
            if (co[i].complete) ++complete_cells;
            if (co[i].offset_end > co[i].offset) ++bracket_cells;
            CHECK(co[i].cohort_size == x.cohorts[i].cohort_size);
            CHECK(co[i].active_customers == x.cohorts[i].active_customers);
            CHECK(Str(co[i].revenue) == Str(x.cohorts[i].revenue));
        }
        if (!x.cohorts.empty()) ++with_rows;
        for (const auto &r : x.retention) {
            total_retained += r.retained;
            total_reactivated += r.reactivated;
            total_new += r.n_new;
        }
        total_after_end += x.skips.after_bound_rows;
    }
    // The generator reaches every case: cohorts inside the range, retained, reactivated and new
    // customers, orders after the end.
    CHECK(with_rows > 100);
    CHECK(complete_cells > 100);
    CHECK(bracket_cells > 100);
    CHECK(total_retained > 1000);
    CHECK(total_reactivated > 100);
    CHECK(total_new > 100);
    CHECK(total_after_end > 100);
}

// ---- Hardening ----------------------------------------------------------------------------------

TEST_CASE("Retention: a second read with a customer the first did not have is an error") {
    // The first read saw customer 0 only; a nondeterministic orders_sql can return customer 1
    // the second time. Its index is past every per-customer array: the accumulator must refuse it
    // (this was an out-of-bounds write in release builds).
    ca::ExecContext ctx;
    ca::RetentionAccumulator acc(ctx, Period::Month, false, 0);
    acc.Add(0, Ord(At(2001, 1, 10), kCent));
    acc.BeginSecondPass(Range(Period::Month, Month(2001, 1), Month(2001, 1), 30),
                        ca::RetentionOutput::Periods);
    acc.Add(0, Ord(At(2001, 1, 10), kCent));
    for (std::uint32_t customer : {1u, 1000u, 4000000000u})
        CHECK(KindOf([&] { acc.Add(customer, Ord(At(2001, 1, 12), kCent)); }) ==
              ca::ErrorKind::DataException);
}

TEST_CASE("Retention: revenue sums are checked, not wrapped") {
    // 200 orders of 9.99e27 in one month: the sum (1.998e30) is beyond Money's range (about
    // 1.7e30); it must be an error, not a negative revenue.
    const Money big = static_cast<Money>(999) * static_cast<Money>(10000000000000LL) *
                      static_cast<Money>(10000000000000LL) *
                      static_cast<Money>(100000000);  // 9.99e27
    for (auto output : {ca::RetentionOutput::Periods, ca::RetentionOutput::Cohorts}) {
        ca::ExecContext ctx;
        ca::RetentionAccumulator acc(ctx, Period::Month, false, 0);
        std::vector<Row> rows;
        for (std::uint32_t i = 0; i < 200; ++i) rows.push_back(R(i % 3, At(2001, 1, 10), big));
        for (const Row &r : rows) acc.Add(r.customer, r.order);
        acc.BeginSecondPass(Range(Period::Month, Month(2001, 1), Month(2001, 1), -1), output);
        CHECK(KindOf([&] {
                  for (const Row &r : rows) acc.Add(r.customer, r.order);
              }) == ca::ErrorKind::DataException);
    }
}

TEST_CASE("Retention: the range is checked before anything is sized by it") {
    CHECK_NOTHROW(ca::RetentionAccumulator::CheckRange(0, 999999));  // 1,000,000 periods
    CHECK(KindOf([] { ca::RetentionAccumulator::CheckRange(0, 1000000); }) ==
          ca::ErrorKind::InvalidParameter);
    CHECK(KindOf([] { ca::RetentionAccumulator::CheckRange(-5000000, 5000000); }) ==
          ca::ErrorKind::InvalidParameter);
    CHECK(KindOf([] { ca::RetentionAccumulator::CheckRange(10, 8); }) ==
          ca::ErrorKind::InvalidParameter);
}

TEST_CASE("Retention: period retention and KPIs need no cohort matrix") {
    // Two purchases 25 years apart by day: 9,132 periods. A periods x periods matrix would be
    // 9132^2 x 16 bytes = 1.3 GB; retention() and kpis() must stay linear in periods.
    const std::int64_t p0 = ca::PeriodIndex(Period::Day, Day(2000, 1, 1));
    const std::int64_t p1 = ca::PeriodIndex(Period::Day, Day(2025, 1, 1));
    ca::ExecContext ctx(std::size_t{16} * 1024 * 1024);  // 16 MB
    ca::RetentionAccumulator acc(ctx, Period::Day, false, 0);
    const std::vector<Row> rows = {R(0, At(2000, 1, 1), kCent), R(1, At(2025, 1, 1), kCent)};
    Feed(acc, rows, Range(Period::Day, p0, p1, 365), ca::RetentionOutput::Periods);
    const auto pr = PeriodRows(acc);
    REQUIRE(pr.size() == static_cast<std::size_t>(p1 - p0 + 1));
    CHECK(pr.back().n_new == 1);
    CHECK(KpiRows(acc).size() == pr.size());
    CHECK(ctx.peak() < std::size_t{2} * 1024 * 1024);
    // Asking for cohorts without having begun the pass for them is a caller's error.
    CHECK(KindOf([&] { CohortRows(acc, -1); }) == ca::ErrorKind::InvalidParameter);
    // The cohort matrix itself is charged: under this limit it fails cleanly.
    ca::RetentionAccumulator cohorts(ctx, Period::Day, false, 0);
    CHECK(KindOf([&] {
              Feed(cohorts, rows, Range(Period::Day, p0, p1, 365), ca::RetentionOutput::Cohorts);
          }) == ca::ErrorKind::MemoryLimit);
}

TEST_CASE("Retention: window starts are the boundaries minus PostgreSQL's interval") {
    // Monthly boundaries Jan 1, Feb 1, Mar 1 and Apr 1 2001 (p0 = Jan, p1 = Mar) minus '1 month
    // 1 day' (months first, then days): Dec 1 - 1 day = Nov 30, Jan 1 - 1 day = Dec 31, Feb 1 -
    // 1 day = Jan 31, Mar 1 - 1 day = Feb 28. Minus 100000 years: before the timestamp range,
    // INT64_MIN.
    ca::ExecContext ctx;
    const std::int64_t jan = Month(2001, 1);
    const auto starts = ca::WindowStarts(ctx, Period::Month, jan, jan + 2, 1, 1, 0);
    REQUIRE(starts.size() == 4u);
    CHECK(starts[0] == At(2000, 11, 30, 0));
    CHECK(starts[1] == At(2000, 12, 31, 0));
    CHECK(starts[2] == At(2001, 1, 31, 0));
    CHECK(starts[3] == At(2001, 2, 28, 0));
    const auto forever = ca::WindowStarts(ctx, Period::Month, jan, jan, 1200000, 0, 0);
    REQUIRE(forever.size() == 2u);
    CHECK(forever[0] == INT64_MIN);
    CHECK(forever[1] == INT64_MIN);
}
