// Tests for src/core/concentration.*: hand-worked cases (docs/concentration.md's worked example),
// ties at the cut, empty input, one customer, the Gini coefficient of equal and of one-has-all
// revenues, the Lorenz curve's endpoints and monotonicity, and property tests against brute-force
// versions written straight from the definitions: the Gini as the mean absolute difference over
// all pairs, the top k from one full sort, the Lorenz curve from its pieces.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "concentration.hpp"

namespace {

struct Row {
    std::uint32_t customer;
    std::int64_t cents;  // amount in cents
    bool usable = true;  // false: a row with a NULL time or amount
};

ca::Order OrderOf(const Row &row) {
    ca::Order o;
    o.has_time = row.usable;
    o.time = 0;
    o.has_amount = row.usable;
    o.amount = ca::MoneyFromInt(row.cents) / 100;
    o.decimals = 2;
    o.bad_lines = row.usable ? 0 : 1;
    return o;
}

void Fill(ca::CustomerRevenues &revenues, const std::vector<Row> &rows) {
    for (const Row &row : rows) revenues.Add(row.customer, OrderOf(row));
}

// One usable row per customer 0, 1, 2, ... with these revenues in cents.
std::vector<Row> RowsOf(const std::vector<std::int64_t> &cents) {
    std::vector<Row> rows;
    for (std::size_t i = 0; i < cents.size(); ++i)
        rows.push_back({static_cast<std::uint32_t>(i), cents[i]});
    return rows;
}

double Cents(ca::Money m) {
    return static_cast<double>(m / (ca::kMoneyUnit / 100));
}

// Ids are the customer indices: sorting by id is sorting the indices.
void SortByIndex(ca::BudgetVector<std::uint32_t> &v) {
    std::sort(v.begin(), v.end());
}

struct Analysis {
    ca::ExecContext ctx;
    ca::CustomerRevenues revenues{ctx};
    ca::RevenueBase base;
    explicit Analysis(const std::vector<Row> &rows) {
        Fill(revenues, rows);
        base = ca::CollectRevenueBase(ctx, revenues);
    }
    std::vector<ca::ConcentrationRow> Concentration(const std::vector<double> &shares) {
        return ca::RevenueConcentration(ctx, revenues, base, shares);
    }
    bool Gini(double &g) { return ca::RevenueGini(ctx, revenues, base, g); }
    std::vector<std::pair<double, double>> Lorenz(int points, bool *has_share = nullptr) {
        std::vector<std::pair<double, double>> out;
        ca::RevenueLorenz(ctx, revenues, base, points, [&](double p, bool has, double l) {
            if (has_share != nullptr) *has_share = has;
            out.push_back({p, l});
        });
        return out;
    }
    std::vector<ca::TopCustomer> Top(double share) {
        std::vector<ca::TopCustomer> out;
        ca::TopCustomers(ctx, revenues, base, share, SortByIndex,
                         [&](const ca::TopCustomer &t) { out.push_back(t); });
        return out;
    }
};

// ---- Brute force, from the definitions -------------------------------------------------------

// Gini as half the relative mean absolute difference: sum_i sum_j |x_i - x_j| / (2 N T), which
// equals sum (2i - N - 1) x_(i) / (N T) (docs/concentration.md).
double BruteGini(const std::vector<std::int64_t> &x) {
    long double pairs = 0, total = 0;
    for (std::int64_t a : x) {
        total += a;
        for (std::int64_t b : x) pairs += std::llabs(a - b);
    }
    return static_cast<double>(pairs / (2.0L * x.size() * total));
}

// The customers of the analysis, highest revenue first, ties by id, from one full sort.
std::vector<std::pair<std::int64_t, std::uint32_t>> BruteRanking(
    const std::vector<std::int64_t> &x) {
    std::vector<std::pair<std::int64_t, std::uint32_t>> r;
    for (std::uint32_t i = 0; i < x.size(); ++i)
        if (x[i] >= 0) r.push_back({x[i], i});
    std::sort(r.begin(), r.end(), [](const auto &a, const auto &b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    return r;
}

// L(p) from the pieces: the straight line between (i/N, S_i/T) and ((i+1)/N, S_(i+1)/T).
double BruteLorenz(std::vector<std::int64_t> x, double p) {
    std::sort(x.begin(), x.end());
    long double total = 0;
    for (auto v : x) total += v;
    const long double position = static_cast<long double>(p) * x.size();
    long double below = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (position <= i) break;
        below += std::min<long double>(1, position - i) * x[i];
    }
    return static_cast<double>(below / total);
}

}  // namespace

TEST_CASE("concentration: the worked example of docs/concentration.md", "[concentration]") {
    // Revenues 60, 40 - 10 = 30, 10, 0 and 5 - 8 = -3 (left out): N = 4, T = 100.
    Analysis a({{0, 6000}, {1, 4000}, {1, -1000}, {2, 1000}, {3, 0}, {4, 500}, {4, -800}});
    CHECK(a.base.customers == 4);
    CHECK(a.base.negative == 1);
    CHECK(a.base.total == ca::MoneyFromInt(100));

    const auto rows = a.Concentration({0.25, 0.5, 1});
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].customers == 1);
    CHECK(Cents(rows[0].revenue) == 6000);
    CHECK(rows[0].revenue_share == Approx(0.6));
    CHECK(rows[1].customers == 2);
    CHECK(Cents(rows[1].revenue) == 9000);
    CHECK(rows[1].revenue_share == Approx(0.9));
    CHECK(rows[2].customers == 4);
    CHECK(rows[2].revenue_share == 1.0);

    // Sorted 0, 10, 30, 60: (-3*0 - 1*10 + 1*30 + 3*60) / (4 * 100) = 0.5.
    double g = -1;
    REQUIRE(a.Gini(g));
    CHECK(g == Approx(0.5).epsilon(1e-15));

    const auto curve = a.Lorenz(4);
    const std::vector<std::pair<double, double>> expected = {
        {0, 0}, {0.25, 0}, {0.5, 0.1}, {0.75, 0.4}, {1, 1}};
    REQUIRE(curve.size() == expected.size());
    for (std::size_t i = 0; i < curve.size(); ++i) {
        CHECK(curve[i].first == expected[i].first);
        CHECK(curve[i].second == Approx(expected[i].second).margin(1e-15));
    }
    // Between the points, linear: p = 0.375 is halfway from 0 to 0.1 (customer share 1.5 / 4).
    const auto fine = a.Lorenz(8);
    CHECK(fine[3].second == Approx(0.05).epsilon(1e-15));

    const auto top = a.Top(0.5);
    REQUIRE(top.size() == 2);
    CHECK(top[0].customer == 0);
    CHECK(top[0].rank == 1);
    CHECK(top[0].revenue_share == Approx(0.6));
    CHECK(top[0].cumulative_share == Approx(0.6));
    CHECK(top[1].customer == 1);
    CHECK(Cents(top[1].revenue) == 3000);
    CHECK(top[1].cumulative_share == Approx(0.9));
    CHECK(a.revenues.skips().total() == 0);
}

TEST_CASE("concentration: k(s) = ceil(s::numeric * N)", "[concentration]") {
    CHECK(ca::TopCount(0.07, 100) == 7);  // the double 0.07 times 100 is 7.000000000000001
    CHECK(ca::TopCount(0.2, 2000) == 400);
    CHECK(ca::TopCount(0.01, 50) == 1);  // 0.5 -> 1
    CHECK(ca::TopCount(0.01, 100) == 1);
    CHECK(ca::TopCount(0.01, 101) == 2);  // 1.01 -> 2
    CHECK(ca::TopCount(1, 4294967295ULL) == 4294967295ULL);
    CHECK(ca::TopCount(1e-300, 5) == 1);
    CHECK(ca::TopCount(std::numeric_limits<double>::denorm_min(), 5) == 1);
    CHECK(ca::TopCount(0.333, 3) == 1);    // 0.999
    CHECK(ca::TopCount(0.3334, 3) == 2);   // 1.0002
    CHECK(ca::TopCount(1.0 / 3, 3) == 1);  // 0.333333333333333 (15 digits) * 3 < 1
    CHECK(ca::TopCount(0.5, 0) == 0);
    // Against the definition on a grid: s = m / 1000 exactly as decimals, k = ceil(m * N / 1000).
    for (int m = 1; m <= 1000; ++m)
        for (std::uint64_t n : {1ULL, 7ULL, 100ULL, 999ULL, 12345ULL}) {
            const std::uint64_t k = (static_cast<std::uint64_t>(m) * n + 999) / 1000;
            if (ca::TopCount(m / 1000.0, n) != k) FAIL("m = " << m << ", n = " << n);
        }
}

TEST_CASE("concentration: shares and points are validated", "[concentration]") {
    for (double bad :
         {0.0, -0.1, 1.0000001, 2.0, std::nan(""), std::numeric_limits<double>::infinity(),
          -std::numeric_limits<double>::infinity()})
        CHECK(KindOf([&] { ca::ValidateShare(bad, "share"); }) == ca::ErrorKind::InvalidParameter);
    ca::ValidateShare(1, "share");
    ca::ValidateShare(std::numeric_limits<double>::denorm_min(), "share");
    for (std::int64_t bad : {0LL, -1LL, 1000001LL})
        CHECK(KindOf([&] { ca::ValidateLorenzPoints(bad); }) == ca::ErrorKind::InvalidParameter);
    ca::ValidateLorenzPoints(1);
    ca::ValidateLorenzPoints(ca::kMaxLorenzPoints);
}

TEST_CASE("concentration: ties at the cut", "[concentration]") {
    // Revenues 50, 20, 20, 20, 10: the top 2 have 70 whichever 20 is taken; top_customers takes
    // the lowest id among the tied (customer 1), and with share 0.8, customers 1, 2, 3.
    Analysis a(RowsOf({5000, 2000, 2000, 2000, 1000}));
    const auto rows = a.Concentration({0.4, 0.6, 0.8});
    CHECK(Cents(rows[0].revenue) == 7000);
    CHECK(Cents(rows[1].revenue) == 9000);
    CHECK(Cents(rows[2].revenue) == 11000);
    const auto top = a.Top(0.4);
    REQUIRE(top.size() == 2);
    CHECK(top[0].customer == 0);
    CHECK(top[1].customer == 1);
    const auto more = a.Top(0.8);
    REQUIRE(more.size() == 4);
    CHECK(more[1].customer == 1);
    CHECK(more[2].customer == 2);
    CHECK(more[3].customer == 3);
    CHECK(more[3].rank == 4);

    // Tied customers inserted in reverse id order still come out by id; ids decide, not input.
    Analysis b({{3, 100}, {2, 100}, {1, 100}, {0, 100}});
    const auto all = b.Top(0.5);
    REQUIRE(all.size() == 2);
    CHECK(all[0].customer == 0);
    CHECK(all[1].customer == 1);
}

TEST_CASE("concentration: empty input, one customer, total 0", "[concentration]") {
    Analysis empty({});
    CHECK(empty.Concentration({0.5}).empty());
    double g = -1;
    CHECK_FALSE(empty.Gini(g));
    CHECK(empty.Lorenz(10).empty());
    CHECK(empty.Top(1).empty());

    // Only unusable rows and a negative customer: no customer either; the rows are counted.
    Analysis skipped({{0, 500, false}, {1, -300}, {1, 100}});
    CHECK(skipped.base.customers == 0);
    CHECK(skipped.base.negative == 1);
    CHECK(skipped.revenues.skips().null_field_rows == 1);
    CHECK(skipped.Concentration({1}).empty());
    CHECK_FALSE(skipped.Gini(g));

    Analysis one({{0, 1234}});
    REQUIRE(one.Gini(g));
    CHECK(g == 0.0);
    const auto rows = one.Concentration({0.01, 1});
    CHECK(rows[0].customers == 1);
    CHECK(rows[0].revenue_share == 1.0);
    const auto curve = one.Lorenz(2);
    REQUIRE(curve.size() == 3);
    CHECK(curve[1].second == Approx(0.5));  // linear from (0, 0) to (1, 1)

    // Customers with revenue 0 stay in, but with T = 0 every share is undefined.
    Analysis zero({{0, 100}, {0, -100}, {1, 0}});
    CHECK(zero.base.customers == 2);
    CHECK_FALSE(zero.Gini(g));
    const auto z = zero.Concentration({0.5});
    REQUIRE(z.size() == 1);
    CHECK(z[0].customers == 1);
    CHECK(z[0].revenue == 0);
    CHECK_FALSE(z[0].has_share);
    bool has_share = true;
    CHECK(zero.Lorenz(3, &has_share).size() == 4);
    CHECK_FALSE(has_share);
    const auto t = zero.Top(1);
    REQUIRE(t.size() == 2);
    CHECK_FALSE(t[0].has_share);
}

TEST_CASE("concentration: Gini of equal revenues is 0, of one-has-all (N-1)/N", "[concentration]") {
    for (std::size_t n : {1u, 2u, 3u, 10u, 1000u}) {
        Analysis equal(RowsOf(std::vector<std::int64_t>(n, 1999)));
        double g = -1;
        REQUIRE(equal.Gini(g));
        CHECK(g == 0.0);  // exact, not merely close
        std::vector<std::int64_t> all(n, 0);
        all[n / 2] = 123456789;
        Analysis one_has_all(RowsOf(all));
        REQUIRE(one_has_all.Gini(g));
        CHECK(g == Approx(static_cast<double>(n - 1) / n).epsilon(1e-15));
    }
    // Huge revenues (near Money's range, 2^127 / 1e8): the numerator needs more than 128 bits.
    ca::ExecContext ctx;
    ca::CustomerRevenues r(ctx);
    ca::Order o;
    o.has_time = o.has_amount = true;
    o.amount = ca::MoneyFromInt(400000000000000000LL) * 1000000000LL;  // 4e26
    for (std::uint32_t c = 0; c < 3; ++c) r.Add(c, o);
    r.Add(3, o);
    r.Add(3, o);
    r.Add(3, o);  // 4e26, 4e26, 4e26, 1.2e27: T = 2.4e27
    double g = -1;
    REQUIRE(ca::RevenueGini(ctx, r, ca::CollectRevenueBase(ctx, r), g));
    CHECK(g == Approx(BruteGini({4, 4, 4, 12})).epsilon(1e-15));  // 0.25
}

TEST_CASE("concentration: revenue beyond Money's range is a data exception", "[concentration]") {
    ca::ExecContext ctx;
    ca::CustomerRevenues r(ctx);
    ca::Order o;
    o.has_time = o.has_amount = true;
    o.amount = (static_cast<ca::Money>(1) << 126);
    r.Add(0, o);
    CHECK(KindOf([&] { r.Add(0, o); }) == ca::ErrorKind::DataException);
    r.Add(1, o);
    CHECK(KindOf([&] { ca::CollectRevenueBase(ctx, r); }) == ca::ErrorKind::DataException);
}

TEST_CASE("concentration: random inputs against brute force", "[concentration]") {
    std::mt19937_64 rng(20240611);
    for (int round = 0; round < 300; ++round) {
        const std::size_t n = 1 + rng() % 40;
        // Few distinct values, so that ties are common; some negative customers.
        std::vector<std::int64_t> x(n);
        for (auto &v : x) v = static_cast<std::int64_t>(rng() % 7) * 1000 - 1000;
        std::vector<Row> rows;
        for (std::uint32_t c = 0; c < n; ++c) {
            // The revenue split over up to three rows, one of them maybe a return.
            const std::int64_t part = static_cast<std::int64_t>(rng() % 500);
            rows.push_back({c, x[c] + part});
            rows.push_back({c, -part});
        }
        std::shuffle(rows.begin(), rows.end(), rng);
        Analysis a(rows);
        const auto ranking = BruteRanking(x);
        std::vector<std::int64_t> kept;
        for (auto v : x)
            if (v >= 0) kept.push_back(v);
        std::int64_t total = 0;
        for (auto v : kept) total += v;
        REQUIRE(a.base.customers == kept.size());
        REQUIRE(a.base.negative == static_cast<std::int64_t>(n - kept.size()));

        const std::vector<double> shares = {0.01, 0.1, 0.25, 0.5, 0.77, 1};
        const auto conc = a.Concentration(shares);
        REQUIRE(conc.size() == (kept.empty() ? 0 : shares.size()));
        for (std::size_t s = 0; s < conc.size(); ++s) {
            const std::size_t k =
                static_cast<std::size_t>(std::ceil(shares[s] * kept.size() - 1e-9));
            std::int64_t top = 0;
            for (std::size_t i = 0; i < k; ++i) top += ranking[i].first;
            CHECK(conc[s].customers == k);
            CHECK(Cents(conc[s].revenue) == top);
            CHECK(conc[s].has_share == (total != 0));
            if (total != 0) CHECK(conc[s].revenue_share == Approx(double(top) / total));
        }

        double g = -1;
        CHECK(a.Gini(g) == (total != 0));
        if (total != 0) CHECK(g == Approx(BruteGini(kept)).margin(1e-14));

        if (total != 0) {
            const int points = 1 + static_cast<int>(rng() % 13);
            const auto curve = a.Lorenz(points);
            REQUIRE(curve.size() == static_cast<std::size_t>(points) + 1);
            CHECK(curve.front() == std::make_pair(0.0, 0.0));
            CHECK(curve.back() == std::make_pair(1.0, 1.0));
            for (std::size_t j = 0; j < curve.size(); ++j) {
                CHECK(curve[j].second == Approx(BruteLorenz(kept, curve[j].first)).margin(1e-14));
                if (j > 0) CHECK(curve[j].second >= curve[j - 1].second);
                CHECK(curve[j].second <= curve[j].first + 1e-15);  // below the diagonal
            }
        }

        for (double share : {0.2, 0.5, 1.0}) {
            const auto top = a.Top(share);
            const std::size_t k = static_cast<std::size_t>(std::ceil(share * kept.size() - 1e-9));
            REQUIRE(top.size() == k);
            std::int64_t cumulative = 0;
            for (std::size_t i = 0; i < k; ++i) {
                cumulative += ranking[i].first;
                CHECK(top[i].customer == ranking[i].second);
                CHECK(top[i].rank == i + 1);
                CHECK(Cents(top[i].revenue) == ranking[i].first);
                if (total != 0)
                    CHECK(top[i].cumulative_share == Approx(double(cumulative) / total));
            }
        }
        CHECK(a.ctx.used() == a.revenues.bytes());  // every temporary released
    }
}

TEST_CASE("concentration: a large Lorenz curve never decreases and ends at (1, 1)",
          "[concentration]") {
    std::mt19937_64 rng(7);
    std::vector<std::int64_t> x(20000);
    for (auto &v : x) v = static_cast<std::int64_t>(std::exp((rng() % 2000) / 100.0));
    Analysis a(RowsOf(x));
    const auto curve = a.Lorenz(ca::kMaxLorenzPoints);
    REQUIRE(curve.size() == static_cast<std::size_t>(ca::kMaxLorenzPoints) + 1);
    CHECK(curve.front() == std::make_pair(0.0, 0.0));
    CHECK(curve.back() == std::make_pair(1.0, 1.0));
    bool monotone = true;
    for (std::size_t j = 1; j < curve.size(); ++j)
        monotone = monotone && curve[j].second >= curve[j - 1].second &&
                   curve[j].first > curve[j - 1].first;
    CHECK(monotone);
    // The area between the diagonal and the curve, with points on every customer, is G / 2.
    const auto exact = a.Lorenz(static_cast<int>(x.size()));
    long double area = 0;
    for (std::size_t j = 1; j < exact.size(); ++j)
        area += (exact[j].first - exact[j - 1].first) *
                ((exact[j].first + exact[j - 1].first) - (exact[j].second + exact[j - 1].second)) /
                2;
    double g = -1;
    REQUIRE(a.Gini(g));
    CHECK(static_cast<double>(area) == Approx(g / 2).epsilon(1e-9));
}

TEST_CASE("concentration: cancellation and the memory limit", "[concentration]") {
    std::vector<std::int64_t> x(50000);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::int64_t>((i * 7919) % 1000);
    const auto rows = RowsOf(x);
    // A cancel at points spread over each computation ends it with Cancelled, charges released.
    for (int throw_at = 1; throw_at <= 60; throw_at += 4) {
        HookState hook;
        hook.throw_at = throw_at;
        ca::ExecContext ctx(ca::ExecContext::kUnlimited, CountingHook, &hook);
        {
            ca::CustomerRevenues r(ctx);
            bool cancelled = false;
            try {
                Fill(r, rows);
                const auto base = ca::CollectRevenueBase(ctx, r);
                ca::RevenueConcentration(ctx, r, base, {0.5});
                double g;
                ca::RevenueGini(ctx, r, base, g);
                ca::RevenueLorenz(ctx, r, base, 1000, [](double, bool, double) {});
                ca::TopCustomers(ctx, r, base, 1, SortByIndex, [](const ca::TopCustomer &) {});
            } catch (const ca::Error &e) {
                CHECK(e.kind() == ca::ErrorKind::Cancelled);
                cancelled = true;
            }
            CHECK(cancelled);
            CHECK(ctx.used() == r.bytes());
        }
        CHECK(ctx.used() == 0);
    }
    // A tight limit stops the per-customer revenues (17 bytes each, 1.1 MB here), the Gini's
    // sorted copy (16 bytes each) or the top customers' ranking (28 bytes each) with MemoryLimit.
    for (std::size_t limit : {1000u, 1700000u, 2000000u}) {
        ca::ExecContext ctx(limit);
        {
            ca::CustomerRevenues r(ctx);
            const auto kind = KindOf([&] {
                Fill(r, rows);
                const auto base = ca::CollectRevenueBase(ctx, r);
                double g;
                ca::RevenueGini(ctx, r, base, g);
                ca::TopCustomers(ctx, r, base, 1, SortByIndex, [](const ca::TopCustomer &) {});
            });
            CHECK(kind == ca::ErrorKind::MemoryLimit);
        }
        CHECK(ctx.used() == 0);
    }
    ca::ExecContext enough(4000000);
    ca::CustomerRevenues r(enough);
    Fill(r, rows);
    const auto base = ca::CollectRevenueBase(enough, r);
    double g;
    CHECK(ca::RevenueGini(enough, r, base, g));
    std::size_t emitted = 0;
    ca::TopCustomers(enough, r, base, 1, SortByIndex, [&](const ca::TopCustomer &) { ++emitted; });
    CHECK(emitted == x.size());
    CHECK(enough.peak() > 2000000);
}
