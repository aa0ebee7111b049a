// Tests for src/core/rfm.*: hand-worked cases, property tests against brute-force scorers written
// straight from the definitions (independently of rfm.cpp), an R oracle for the type-7 quantile,
// option validation, segments, cells and the per-customer summary aggregate.
#include <catch2/catch.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "rfm.hpp"

namespace {

using Scores = std::vector<int>;
using Scorer = void (*)(ca::ExecContext &, const double *, std::size_t, int, bool, std::uint8_t *);

Scores Run(Scorer scorer, const std::vector<double> &values, int bins, bool higher_is_better) {
    ca::ExecContext ctx;
    std::vector<std::uint8_t> out(values.size(), 0);
    scorer(ctx, values.data(), values.size(), bins, higher_is_better, out.data());
    CHECK(ctx.used() == 0u);  // every temporary is released
    return Scores(out.begin(), out.end());
}

Scores RunFixed(const std::vector<double> &values, const std::vector<double> &breaks,
                bool higher_is_better) {
    ca::ExecContext ctx;
    std::vector<std::uint8_t> out(values.size(), 0);
    ca::FixedScores(ctx, values.data(), values.size(), breaks, higher_is_better, out.data());
    return Scores(out.begin(), out.end());
}

// ---- Brute-force scorers, O(n^2), written from the definitions ------------------------------

// Is a strictly worse than b?
bool Worse(double a, double b, bool higher_is_better) {
    return higher_is_better ? a < b : a > b;
}

// score = 1 + floor(bins * L / n), L = number of values strictly worse.
Scores BruteQuantile(const std::vector<double> &v, int bins, bool higher_is_better) {
    const std::size_t n = v.size();
    Scores s(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t worse = 0;
        for (std::size_t j = 0; j < n; ++j)
            if (Worse(v[j], v[i], higher_is_better)) ++worse;
        s[i] = 1 + static_cast<int>((static_cast<std::size_t>(bins) * worse) / n);
    }
    return s;
}

// PostgreSQL's window_ntile() (src/backend/utils/adt/windowfuncs.c), replayed row by row: the
// bucket of each position 0..total-1 in window order.
std::vector<int> PgNtileBuckets(std::size_t total, int nbuckets) {
    std::vector<int> out;
    std::int64_t ntile = 1, rows_per_bucket = 0, remainder = 0;
    std::int64_t boundary = static_cast<std::int64_t>(total) / nbuckets;
    if (boundary <= 0) {
        boundary = 1;
    } else {
        remainder = static_cast<std::int64_t>(total) % nbuckets;
        if (remainder != 0) boundary++;
    }
    for (std::size_t row = 0; row < total; ++row) {
        rows_per_bucket++;
        if (boundary < rows_per_bucket) {
            if (remainder != 0 && ntile == remainder) {
                remainder = 0;
                boundary -= 1;
            }
            ntile += 1;
            rows_per_bucket = 1;
        }
        out.push_back(static_cast<int>(ntile));
    }
    return out;
}

// NTILE(bins) over worst-to-best order, ties by input position (earlier first).
Scores BruteNtile(const std::vector<double> &v, int bins, bool higher_is_better) {
    const std::size_t n = v.size();
    const std::vector<int> bucket = PgNtileBuckets(n, bins);
    Scores s(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t pos = 0;
        for (std::size_t j = 0; j < n; ++j)
            if (Worse(v[j], v[i], higher_is_better) || (v[j] == v[i] && j < i)) ++pos;
        s[i] = bucket[pos];
    }
    return s;
}

// R's stats::quantile(x, p, type = 7) on an ascending vector, as R writes it.
double BruteType7(const std::vector<double> &x, double p) {
    const double index = 1.0 + static_cast<double>(x.size() - 1) * p;
    const auto lo = static_cast<std::size_t>(std::floor(index));
    const auto hi = static_cast<std::size_t>(std::ceil(index));
    double qs = x[lo - 1];
    if (index > static_cast<double>(lo) && x[hi - 1] != qs) {
        const double h = index - static_cast<double>(lo);
        qs = (1.0 - h) * qs + h * x[hi - 1];
    }
    return qs;
}

// rfm 0.3.0: breaks = type-7 quantiles at k * (1 / bins) plus 1; bin = 1 + #(breaks <= value).
Scores BruteRRfm(const std::vector<double> &v, int bins, bool higher_is_better) {
    const std::size_t n = v.size();
    Scores s(n);
    if (n == 0) return s;
    std::vector<double> sorted = v;
    for (std::size_t i = 1; i < n; ++i)  // insertion sort
        for (std::size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; --j)
            std::swap(sorted[j - 1], sorted[j]);
    std::vector<double> breaks;
    for (int k = 1; k < bins; ++k)
        breaks.push_back(BruteType7(sorted, static_cast<double>(k) * (1.0 / bins)) + 1.0);
    for (std::size_t i = 0; i < n; ++i) {
        int bin = 1;
        for (double b : breaks)
            if (b <= v[i]) ++bin;
        s[i] = higher_is_better ? bin : bins + 1 - bin;
    }
    return s;
}

Scores BruteFixed(const std::vector<double> &v, const std::vector<double> &breaks,
                  bool higher_is_better) {
    const int top = static_cast<int>(breaks.size()) + 1;
    Scores s;
    for (double x : v) {
        int bin = 1;
        for (double b : breaks)
            if (b <= x) ++bin;
        s.push_back(higher_is_better ? bin : top + 1 - bin);
    }
    return s;
}

// Random small inputs with many ties: n in 0..60, small integer ranges, sometimes halves or
// negative values.
std::vector<double> RandomValues(std::mt19937_64 &rng) {
    const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 60)(rng);
    static const int kRanges[] = {0, 1, 2, 4, 10, 30};
    const int range = kRanges[std::uniform_int_distribution<int>(0, 5)(rng)];
    const int shape = std::uniform_int_distribution<int>(0, 3)(rng);
    std::uniform_int_distribution<int> pick(0, range);
    std::vector<double> v(n);
    for (double &x : v) {
        x = pick(rng);
        if (shape == 1) x *= 0.5;
        if (shape == 2) x -= range / 2;
        if (shape == 3) x *= 7.0;
    }
    return v;
}

std::string Describe(const std::vector<double> &v, int bins, bool hib) {
    std::string s =
        "bins=" + std::to_string(bins) + " higher_is_better=" + (hib ? "1" : "0") + " values={";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s + "}";
}

}  // namespace

// ============================== 1. Hand-built cases ==========================================

TEST_CASE("quantile: ties share a score / recency is reversed") {
    // values 10 20 20 30 40, n = 5, bins = 5.
    // higher is better: L (strictly smaller) = 0 1 1 3 4 -> 1 + floor(5L/5) = 1 2 2 4 5
    // recency:          L (strictly larger)  = 4 2 2 1 0 -> 5 3 3 2 1
    const std::vector<double> v = {10, 20, 20, 30, 40};
    CHECK(Run(ca::QuantileScores, v, 5, true) == Scores{1, 2, 2, 4, 5});
    CHECK(Run(ca::QuantileScores, v, 5, false) == Scores{5, 3, 3, 2, 1});
    // Input order does not matter: the same values shuffled get the same scores.
    CHECK(Run(ca::QuantileScores, {30, 20, 40, 10, 20}, 5, true) == Scores{4, 2, 5, 1, 2});
}

TEST_CASE(
    "quantile: n not divisible by bins / bins > customers / single customer / all equal / bins = "
    "1") {
    // 70 10 60 20 50 30 40, bins 3: L = 6 0 5 1 4 2 3; floor(3L/7) = 2 0 2 0 1 0 1.
    CHECK(Run(ca::QuantileScores, {70, 10, 60, 20, 50, 30, 40}, 3, true) ==
          Scores{3, 1, 3, 1, 2, 1, 2});
    // 5 1 3, bins 9: L = 2 0 1 -> 1 + floor(18/3, 0, 9/3) = 7 1 4. Scores skip values.
    CHECK(Run(ca::QuantileScores, {5, 1, 3}, 9, true) == Scores{7, 1, 4});
    // recency: L = 0 2 1 -> 1 7 4
    CHECK(Run(ca::QuantileScores, {5, 1, 3}, 9, false) == Scores{1, 7, 4});
    // One customer: L = 0 -> 1 in both directions.
    CHECK(Run(ca::QuantileScores, {42}, 5, true) == Scores{1});
    CHECK(Run(ca::QuantileScores, {42}, 5, false) == Scores{1});
    // All equal: nobody is strictly worse -> all 1.
    CHECK(Run(ca::QuantileScores, {7, 7, 7, 7}, 5, true) == Scores{1, 1, 1, 1});
    CHECK(Run(ca::QuantileScores, {7, 7, 7, 7}, 5, false) == Scores{1, 1, 1, 1});
    // bins = 1: floor(L / n) = 0 always.
    CHECK(Run(ca::QuantileScores, {3, 1, 2, 2}, 1, true) == Scores{1, 1, 1, 1});
    CHECK(Run(ca::QuantileScores, {3, 1, 2, 2}, 1, false) == Scores{1, 1, 1, 1});
    // Empty input does nothing (and does not crash).
    CHECK(Run(ca::QuantileScores, {}, 5, true).empty());
    // The largest bin count: 100 customers 0..99, bins 100 -> score = 1 + value.
    std::vector<double> hundred(100);
    for (int i = 0; i < 100; ++i) hundred[static_cast<std::size_t>(i)] = i;
    const Scores s = Run(ca::QuantileScores, hundred, 100, true);
    for (int i = 0; i < 100; ++i) CHECK(s[static_cast<std::size_t>(i)] == i + 1);
}

TEST_CASE("ntile: bucket sizes / tie-break by input order / bins > customers") {
    // 70 10 60 20 50 30 40, bins 3: ascending order i1 i3 i5 | i6 i4 | i2 i0 (sizes 3, 2, 2).
    CHECK(Run(ca::NtileScores, {70, 10, 60, 20, 50, 30, 40}, 3, true) ==
          Scores{3, 1, 3, 1, 2, 1, 2});
    // recency: descending order i0 i2 i4 | i6 i5 | i3 i1 (sizes 3, 2, 2).
    CHECK(Run(ca::NtileScores, {70, 10, 60, 20, 50, 30, 40}, 3, false) ==
          Scores{1, 3, 1, 3, 1, 2, 2});
    // Ties: 2 1 2 1 2, bins 2 (sizes 3, 2). Ascending, ties in input order: i1 i3 i0 | i2 i4.
    CHECK(Run(ca::NtileScores, {2, 1, 2, 1, 2}, 2, true) == Scores{1, 1, 2, 1, 2});
    // Descending: i0 i2 i4 | i1 i3.
    CHECK(Run(ca::NtileScores, {2, 1, 2, 1, 2}, 2, false) == Scores{1, 2, 1, 2, 1});
    // bins > n: each row its own bucket, 1..n. 5 1 3 ascending: i1 i2 i0.
    CHECK(Run(ca::NtileScores, {5, 1, 3}, 9, true) == Scores{3, 1, 2});
    CHECK(Run(ca::NtileScores, {5, 1, 3}, 9, false) == Scores{1, 3, 2});
    // All equal, bins 5 > n = 4: input order decides in both directions.
    CHECK(Run(ca::NtileScores, {7, 7, 7, 7}, 5, true) == Scores{1, 2, 3, 4});
    CHECK(Run(ca::NtileScores, {7, 7, 7, 7}, 5, false) == Scores{1, 2, 3, 4});
    // All equal, bins 2, n = 5: sizes 3, 2.
    CHECK(Run(ca::NtileScores, {7, 7, 7, 7, 7}, 2, true) == Scores{1, 1, 1, 2, 2});
    CHECK(Run(ca::NtileScores, {42}, 5, true) == Scores{1});
    CHECK(Run(ca::NtileScores, {42}, 5, false) == Scores{1});
    CHECK(Run(ca::NtileScores, {3, 1, 2}, 1, true) == Scores{1, 1, 1});
    CHECK(Run(ca::NtileScores, {}, 5, true).empty());
    // n = 10, bins = 4: sizes 3 3 2 2.
    CHECK(Run(ca::NtileScores, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 4, true) ==
          Scores{1, 1, 1, 2, 2, 2, 3, 3, 4, 4});
}

TEST_CASE("r_rfm: breaks are type-7 quantiles plus one") {
    // 1..10, bins 5: quantiles at .2 .4 .6 .8 = 2.8 4.6 6.4 8.2, breaks 3.8 5.6 7.4 9.2.
    // bin = 1 + #(breaks <= v): 1 2 3 -> 1, 4 5 -> 2, 6 7 -> 3, 8 9 -> 4, 10 -> 5.
    const std::vector<double> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    CHECK(Run(ca::RRfmScores, v, 5, true) == Scores{1, 1, 1, 2, 2, 3, 3, 4, 4, 5});
    // recency: 6 - bin.
    CHECK(Run(ca::RRfmScores, v, 5, false) == Scores{5, 5, 5, 4, 4, 3, 3, 2, 2, 1});
    // Ties: 1 1 2 3 5 8 13, bins 5: quantiles 1.2 2.4 4.2 7.4, breaks 2.2 3.4 5.2 8.4.
    // 1 1 2 -> 1, 3 -> 2, 5 -> 3, 8 -> 4, 13 -> 5 (without the "+ 1", 2 would land in bin 2).
    CHECK(Run(ca::RRfmScores, {13, 1, 2, 1, 8, 5, 3}, 5, true) == Scores{5, 1, 1, 1, 4, 3, 2});
    CHECK(Run(ca::RRfmScores, {13, 1, 2, 1, 8, 5, 3}, 5, false) == Scores{1, 5, 5, 5, 2, 3, 4});
    // One customer 42: every break is 43 > 42 -> bin 1; recency 5 + 1 - 1 = 5 (R's asymmetry).
    CHECK(Run(ca::RRfmScores, {42}, 5, true) == Scores{1});
    CHECK(Run(ca::RRfmScores, {42}, 5, false) == Scores{5});
    // All equal 7: breaks all 8 -> bin 1.
    CHECK(Run(ca::RRfmScores, {7, 7, 7}, 4, true) == Scores{1, 1, 1});
    CHECK(Run(ca::RRfmScores, {7, 7, 7}, 4, false) == Scores{4, 4, 4});
    // bins > customers: 5 1 3, bins 9. Sorted 1 3 5, index = 1 + 2k/9:
    // k=1..8 quantiles 1.444 1.889 2.333 2.778 3.222 3.667 4.111 4.556, breaks +1:
    // 2.444 2.889 3.333 3.778 4.222 4.667 5.111 5.556. v=5: 6 breaks <= 5 -> bin 7;
    // v=1: bin 1; v=3: 2 breaks -> bin 3.
    CHECK(Run(ca::RRfmScores, {5, 1, 3}, 9, true) == Scores{7, 1, 3});
    CHECK(Run(ca::RRfmScores, {5, 1, 3}, 9, false) == Scores{3, 9, 7});
    // bins = 1: no breaks, everybody 1 in both directions.
    CHECK(Run(ca::RRfmScores, {3, 1, 2}, 1, true) == Scores{1, 1, 1});
    CHECK(Run(ca::RRfmScores, {3, 1, 2}, 1, false) == Scores{1, 1, 1});
    CHECK(Run(ca::RRfmScores, {}, 5, true).empty());
}

TEST_CASE("r_rfm breaks") {
    const std::vector<double> sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const std::vector<double> b = ca::RRfmBreaks(sorted.data(), sorted.size(), 5);
    REQUIRE(b.size() == 4u);
    CHECK(b[0] == Approx(3.8).epsilon(1e-14));
    CHECK(b[1] == Approx(5.6).epsilon(1e-14));
    CHECK(b[2] == Approx(7.4).epsilon(1e-14));
    CHECK(b[3] == Approx(9.2).epsilon(1e-14));
    CHECK(ca::RRfmBreaks(sorted.data(), sorted.size(), 1).empty());
}

TEST_CASE("fixed: a value equal to a break goes up / recency reversed") {
    // breaks 30 90 180 365: bin = 1 + #(breaks <= v)
    // 0 -> 1, 30 -> 2, 89 -> 2, 90 -> 3, 200 -> 4, 365 -> 5, 1000 -> 5; reversed: 6 - bin.
    const std::vector<double> breaks = {30, 90, 180, 365};
    const std::vector<double> v = {0, 30, 89, 90, 200, 365, 1000};
    CHECK(RunFixed(v, breaks, true) == Scores{1, 2, 2, 3, 4, 5, 5});
    CHECK(RunFixed(v, breaks, false) == Scores{5, 4, 4, 3, 2, 1, 1});
    // One break: two bins.
    CHECK(RunFixed({-1, 0, 1}, {0}, true) == Scores{1, 2, 2});
    CHECK(RunFixed({-1, 0, 1}, {0}, false) == Scores{2, 1, 1});
    CHECK(RunFixed({}, {0}, true).empty());
}

// ============================== 2. Property tests ============================================

TEST_CASE("property: scorers agree with brute-force definitions on random small inputs") {
    std::mt19937_64 rng(20240611);
    int cases = 0;
    for (int iter = 0; iter < 600; ++iter) {
        const std::vector<double> v = RandomValues(rng);
        const int bins = std::uniform_int_distribution<int>(1, 9)(rng);
        for (bool hib : {true, false}) {
            INFO(Describe(v, bins, hib));
            const Scores q = Run(ca::QuantileScores, v, bins, hib);
            REQUIRE(q == BruteQuantile(v, bins, hib));
            REQUIRE(Run(ca::NtileScores, v, bins, hib) == BruteNtile(v, bins, hib));
            REQUIRE(Run(ca::RRfmScores, v, bins, hib) == BruteRRfm(v, bins, hib));
            // Invariants that hold whatever the definition details: range, equal values -> equal
            // quantile score, better value -> score not lower.
            for (std::size_t i = 0; i < v.size(); ++i) {
                REQUIRE(q[i] >= 1);
                REQUIRE(q[i] <= bins);
                for (std::size_t j = 0; j < v.size(); ++j) {
                    if (v[i] == v[j]) REQUIRE(q[i] == q[j]);
                    if (Worse(v[i], v[j], hib)) REQUIRE(q[i] <= q[j]);
                }
            }
            ++cases;
        }
    }
    CHECK(cases == 1200);
}

TEST_CASE("property: fixed scores agree with brute force on random breaks") {
    std::mt19937_64 rng(7);
    for (int iter = 0; iter < 400; ++iter) {
        const std::vector<double> v = RandomValues(rng);
        // Strictly ascending breaks drawn from a small grid, so values often equal a break.
        const int nb = std::uniform_int_distribution<int>(1, 8)(rng);
        std::vector<double> breaks;
        double b = std::uniform_int_distribution<int>(-5, 5)(rng);
        for (int k = 0; k < nb; ++k) {
            breaks.push_back(b);
            b += std::uniform_int_distribution<int>(1, 6)(rng) * 0.5;
        }
        for (bool hib : {true, false}) {
            INFO(Describe(v, nb + 1, hib));
            REQUIRE(RunFixed(v, breaks, hib) == BruteFixed(v, breaks, hib));
        }
    }
}

TEST_CASE("property: ScoreRfm is the three per-dimension scores plus the segment") {
    std::mt19937_64 rng(99);
    const ca::RfmMethod methods[] = {ca::RfmMethod::Quantile, ca::RfmMethod::Ntile,
                                     ca::RfmMethod::RRfm, ca::RfmMethod::Fixed};
    for (int iter = 0; iter < 200; ++iter) {
        const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 40)(rng);
        std::uniform_int_distribution<int> pick(0, 12);
        std::vector<double> r(n), f(n), m(n);
        for (std::size_t i = 0; i < n; ++i) {
            r[i] = pick(rng);
            f[i] = pick(rng);
            m[i] = pick(rng) * 2.5;
        }
        ca::RfmOptions o;
        o.method = methods[iter % 4];
        o.bins = std::uniform_int_distribution<int>(1, 9)(rng);
        o.r_breaks = {2, 5, 9};
        o.f_breaks = {1, 3, 6, 10};
        o.m_breaks = {5, 15};
        ca::ExecContext ctx;
        ca::RfmScores out(ctx);
        ca::ScoreRfm(ctx, o, r.data(), f.data(), m.data(), n, out);
        REQUIRE(out.r.size() == n);
        REQUIRE(out.segment.size() == n);
        Scores er, ef, em;
        switch (o.method) {
            case ca::RfmMethod::Quantile:
                er = BruteQuantile(r, o.bins, false), ef = BruteQuantile(f, o.bins, true),
                em = BruteQuantile(m, o.bins, true);
                break;
            case ca::RfmMethod::Ntile:
                er = BruteNtile(r, o.bins, false), ef = BruteNtile(f, o.bins, true),
                em = BruteNtile(m, o.bins, true);
                break;
            case ca::RfmMethod::RRfm:
                er = BruteRRfm(r, o.bins, false), ef = BruteRRfm(f, o.bins, true),
                em = BruteRRfm(m, o.bins, true);
                break;
            case ca::RfmMethod::Fixed:
                er = BruteFixed(r, o.r_breaks, false), ef = BruteFixed(f, o.f_breaks, true),
                em = BruteFixed(m, o.m_breaks, true);
                break;
        }
        for (std::size_t i = 0; i < n; ++i) {
            REQUIRE(out.r[i] == er[i]);
            REQUIRE(out.f[i] == ef[i]);
            REQUIRE(out.m[i] == em[i]);
            REQUIRE(out.segment[i] == ca::SegmentOf(o.segments, out.r[i], out.f[i], out.m[i]));
        }
    }
}

// ============================== 3. R oracle for the type-7 quantile ==========================

TEST_CASE("RQuantileType7 matches R's quantile()") {
    // R: quantile(c(1,2,3,4,5,6,7,8,9,10), probs = seq(0, 1, length.out = 6))
    //    0%  20%  40%  60%  80% 100%
    //   1.0  2.8  4.6  6.4  8.2 10.0
    const std::vector<double> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const double expected1[] = {1.0, 2.8, 4.6, 6.4, 8.2, 10.0};
    for (int k = 0; k <= 5; ++k) {
        const double p = k == 5 ? 1.0 : k * (1.0 / 5);  // R's seq(0, 1, length.out = 6)
        CHECK(ca::RQuantileType7(x.data(), x.size(), p) == Approx(expected1[k]).epsilon(1e-14));
    }
    // R: quantile(c(1,1,2,3,5,8,13), c(0.2, 0.4, 0.6, 0.8))
    //   20% 40% 60% 80%
    //   1.2 2.4 4.2 7.4
    // (index = 1 + 6p = 2.2, 3.4, 4.6, 5.8; e.g. p = .6: 0.4 * x[4] + 0.6 * x[5] = 0.4*3 + 0.6*5
    // = 4.2. The task brief quoted 4.6 and 7.8 for the last two, which is not what type 7 gives;
    // Python's statistics.quantiles(..., method='inclusive'), also type 7, agrees with 4.2, 7.4.)
    const std::vector<double> y = {1, 1, 2, 3, 5, 8, 13};
    const double probs2[] = {0.2, 0.4, 0.6, 0.8};
    const double expected2[] = {1.2, 2.4, 4.2, 7.4};
    for (int k = 0; k < 4; ++k)
        CHECK(ca::RQuantileType7(y.data(), y.size(), probs2[k]) ==
              Approx(expected2[k]).epsilon(1e-14));
    // Ends and degenerate inputs: p = 0 is the minimum, p = 1 the maximum, one value is itself,
    // no values is NaN, ties do not interpolate.
    CHECK(ca::RQuantileType7(y.data(), y.size(), 0.0) == 1.0);
    CHECK(ca::RQuantileType7(y.data(), y.size(), 1.0) == 13.0);
    const double one = 4.5;
    CHECK(ca::RQuantileType7(&one, 1, 0.3) == 4.5);
    CHECK(std::isnan(ca::RQuantileType7(nullptr, 0, 0.5)));
    const std::vector<double> flat = {2, 2, 2, 9};
    CHECK(ca::RQuantileType7(flat.data(), flat.size(), 0.5) == 2.0);  // index 2.5, x[2] == x[3]
    CHECK(ca::RQuantileType7(flat.data(), flat.size(), 0.9) == Approx(2 + 0.7 * 7).epsilon(1e-14));
}

TEST_CASE("property: RQuantileType7 equals R's formula on random sorted inputs") {
    std::mt19937_64 rng(3);
    for (int iter = 0; iter < 300; ++iter) {
        std::vector<double> v = RandomValues(rng);
        if (v.empty()) continue;
        std::sort(v.begin(), v.end());
        const int bins = std::uniform_int_distribution<int>(1, 12)(rng);
        for (int k = 0; k <= bins; ++k) {
            const double p = k * (1.0 / bins);
            if (p > 1.0) continue;
            REQUIRE(ca::RQuantileType7(v.data(), v.size(), p) == BruteType7(v, p));
        }
    }
}

// ============================== 4. Options and errors ========================================

TEST_CASE("ParseRfmMethod") {
    CHECK(ca::ParseRfmMethod("quantile") == ca::RfmMethod::Quantile);
    CHECK(ca::ParseRfmMethod("r_rfm") == ca::RfmMethod::RRfm);
    CHECK(ca::ParseRfmMethod("ntile") == ca::RfmMethod::Ntile);
    CHECK(ca::ParseRfmMethod("fixed") == ca::RfmMethod::Fixed);
    for (const char *bad : {"", "Quantile", "quantiles", "rfm", "r-rfm", " ntile"}) {
        INFO(bad);
        CHECK(KindOf([&] { ca::ParseRfmMethod(bad); }) == ca::ErrorKind::InvalidParameter);
    }
}

TEST_CASE("bad options raise InvalidParameter / non-finite values DataException") {
    const std::vector<double> r = {1, 2, 3}, f = {3, 2, 1}, m = {10, 20, 30};
    auto score = [&](const ca::RfmOptions &o) {
        ca::ExecContext ctx;
        ca::RfmScores out(ctx);
        ca::ScoreRfm(ctx, o, r.data(), f.data(), m.data(), r.size(), out);
    };
    auto kind = [&](const ca::RfmOptions &o) { return KindOf([&] { score(o); }); };

    SECTION("bins must be 1..100 for the bin-based methods") {
        for (ca::RfmMethod method :
             {ca::RfmMethod::Quantile, ca::RfmMethod::Ntile, ca::RfmMethod::RRfm}) {
            ca::RfmOptions o;
            o.method = method;
            for (int bins : {0, -1, 101, 1000, std::numeric_limits<int>::min(),
                             std::numeric_limits<int>::max()}) {
                o.bins = bins;
                INFO("bins " << bins);
                CHECK(kind(o) == ca::ErrorKind::InvalidParameter);
                CHECK(KindOf([&] { ca::ValidateRfmOptions(o); }) ==
                      ca::ErrorKind::InvalidParameter);
            }
            for (int bins : {1, 2, 5, 99, 100}) {
                o.bins = bins;
                CHECK_NOTHROW(score(o));
            }
        }
    }
    SECTION("fixed needs non-empty, finite, strictly ascending breaks for every dimension") {
        ca::RfmOptions good;
        good.method = ca::RfmMethod::Fixed;
        good.r_breaks = {30, 90};
        good.f_breaks = {2};
        good.m_breaks = {10, 100, 1000};
        CHECK_NOTHROW(score(good));
        const double inf = std::numeric_limits<double>::infinity();
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const std::vector<std::vector<double>> bad = {
            {}, {1, 1}, {2, 1}, {1, 3, 2}, {nan}, {1, nan}, {inf}, {-inf, 0}, {0, inf}, {nan, 1}};
        for (int dim = 0; dim < 3; ++dim) {
            for (const auto &breaks : bad) {
                ca::RfmOptions o = good;
                (dim == 0 ? o.r_breaks : dim == 1 ? o.f_breaks : o.m_breaks) = breaks;
                INFO("dimension " << dim << ", " << breaks.size() << " breaks");
                CHECK(kind(o) == ca::ErrorKind::InvalidParameter);
            }
        }
        // At most kMaxBins - 1 = 99 breaks (scores up to 100).
        ca::RfmOptions o = good;
        o.m_breaks.clear();
        for (int i = 0; i < 99; ++i) o.m_breaks.push_back(i);
        CHECK_NOTHROW(score(o));
        CHECK(ca::MaxScores(o).m == 100);
        o.m_breaks.push_back(99);
        CHECK(kind(o) == ca::ErrorKind::InvalidParameter);
    }
    SECTION("segment rules") {
        ca::RfmOptions o;
        o.segments = {{"", 1, 5, 1, 5, 1, 5}};
        CHECK(kind(o) == ca::ErrorKind::InvalidParameter);
        o.segments = {{"a", 3, 2, 1, 5, 1, 5}};
        CHECK(kind(o) == ca::ErrorKind::InvalidParameter);
        o.segments = {{"a", 1, 5, 4, 3, 1, 5}};
        CHECK(kind(o) == ca::ErrorKind::InvalidParameter);
        o.segments = {{"a", 1, 5, 1, 5, 5, 1}};
        CHECK(kind(o) == ca::ErrorKind::InvalidParameter);
        o.segments = {{"ok", 1, 5, 1, 5, 1, 5}, {"", 1, 1, 1, 1, 1, 1}};
        CHECK(kind(o) == ca::ErrorKind::InvalidParameter);
        o.segments = {};  // no rules: everybody is "Others"
        CHECK_NOTHROW(score(o));
        CHECK_NOTHROW(ca::ValidateSegmentRules(ca::DefaultSegmentRules()));
    }
    SECTION("non-finite input values") {
        const double inf = std::numeric_limits<double>::infinity();
        const double nan = std::numeric_limits<double>::quiet_NaN();
        for (ca::RfmMethod method : {ca::RfmMethod::Quantile, ca::RfmMethod::Ntile,
                                     ca::RfmMethod::RRfm, ca::RfmMethod::Fixed}) {
            ca::RfmOptions o;
            o.method = method;
            o.r_breaks = o.f_breaks = o.m_breaks = {1, 2};
            for (double bad : {nan, inf, -inf}) {
                for (int dim = 0; dim < 3; ++dim) {
                    std::vector<double> rr = r, ff = f, mm = m;
                    (dim == 0 ? rr : dim == 1 ? ff : mm)[1] = bad;
                    ca::ExecContext ctx;
                    ca::RfmScores out(ctx);
                    INFO("method " << static_cast<int>(method) << " dim " << dim << " value "
                                   << bad);
                    CHECK(KindOf([&] {
                              ca::ScoreRfm(ctx, o, rr.data(), ff.data(), mm.data(), 3, out);
                          }) == ca::ErrorKind::DataException);
                }
            }
        }
    }
}

TEST_CASE("MaxScores") {
    ca::RfmOptions o;
    o.bins = 7;
    CHECK(ca::MaxScores(o).r == 7);
    CHECK(ca::MaxScores(o).f == 7);
    CHECK(ca::MaxScores(o).m == 7);
    o.method = ca::RfmMethod::Fixed;
    o.r_breaks = {1};
    o.f_breaks = {1, 2, 3};
    o.m_breaks = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    CHECK(ca::MaxScores(o).r == 2);
    CHECK(ca::MaxScores(o).f == 4);
    CHECK(ca::MaxScores(o).m == 10);
}

// ============================== Segments and cells ===========================================

TEST_CASE("DefaultSegmentRules is R rfm's documented map / first match wins") {
    // rfm 0.3.0, ?rfm_segment example:
    const char *names[] = {"Champions", "Potential Loyalist", "Loyal Customers",
                           "Promising", "New Customers",      "Can't Lose Them",
                           "At Risk",   "Need Attention",     "About To Sleep",
                           "Lost"};
    const int recency_lower[] = {5, 3, 2, 3, 4, 1, 1, 1, 2, 1};
    const int recency_upper[] = {5, 5, 4, 4, 5, 2, 2, 3, 3, 1};
    const int frequency_lower[] = {5, 3, 2, 1, 1, 3, 2, 3, 1, 1};
    const int frequency_upper[] = {5, 5, 4, 3, 3, 4, 5, 5, 3, 5};
    const int monetary_lower[] = {5, 2, 2, 3, 1, 4, 4, 3, 1, 1};
    const int monetary_upper[] = {5, 5, 4, 5, 5, 5, 5, 5, 4, 5};
    const auto rules = ca::DefaultSegmentRules();
    REQUIRE(rules.size() == 10u);
    for (std::size_t i = 0; i < 10; ++i) {
        INFO(names[i]);
        CHECK(rules[i].name == names[i]);
        CHECK(rules[i].r_lo == recency_lower[i]);
        CHECK(rules[i].r_hi == recency_upper[i]);
        CHECK(rules[i].f_lo == frequency_lower[i]);
        CHECK(rules[i].f_hi == frequency_upper[i]);
        CHECK(rules[i].m_lo == monetary_lower[i]);
        CHECK(rules[i].m_hi == monetary_upper[i]);
    }
    // Every score triple (including out-of-range ones) against a brute-force first-match scan.
    for (int r = 0; r <= 6; ++r)
        for (int f = 0; f <= 6; ++f)
            for (int m = 0; m <= 6; ++m) {
                int expected = -1;
                for (int i = 9; i >= 0; --i)  // scanning backwards, the last hit is the first rule
                    if (recency_lower[i] <= r && r <= recency_upper[i] && frequency_lower[i] <= f &&
                        f <= frequency_upper[i] && monetary_lower[i] <= m && m <= monetary_upper[i])
                        expected = i;
                INFO(r << f << m);
                CHECK(ca::SegmentOf(rules, r, f, m) == expected);
            }
    // Worked examples: 555 Champions; 444 matches Potential Loyalist before Loyal Customers;
    // 222 Loyal Customers; 111 Lost; 551 matches nothing (Others).
    CHECK(ca::SegmentOf(rules, 5, 5, 5) == 0);
    CHECK(ca::SegmentOf(rules, 4, 4, 4) == 1);
    CHECK(ca::SegmentOf(rules, 2, 2, 2) == 2);
    CHECK(ca::SegmentOf(rules, 1, 1, 1) == 9);
    CHECK(ca::SegmentOf(rules, 5, 5, 1) == -1);
}

TEST_CASE("SegmentOf: closed ranges / custom and empty rules") {
    const std::vector<ca::SegmentRule> rules = {{"low", 1, 2, 1, 2, 1, 2},
                                                {"any", 1, 3, 1, 3, 1, 3}};
    CHECK(ca::SegmentOf(rules, 1, 1, 1) == 0);
    CHECK(ca::SegmentOf(rules, 2, 2, 2) == 0);  // upper bounds are inclusive
    CHECK(ca::SegmentOf(rules, 2, 2, 3) == 1);
    CHECK(ca::SegmentOf(rules, 3, 3, 3) == 1);
    CHECK(ca::SegmentOf(rules, 4, 1, 1) == -1);
    CHECK(ca::SegmentOf(rules, 0, 1, 1) == -1);
    CHECK(ca::SegmentOf({}, 1, 1, 1) == -1);
}

TEST_CASE("RfmCell") {
    CHECK(ca::RfmCell(5, 4, 5, {5, 5, 5}) == "545");
    CHECK(ca::RfmCell(1, 1, 1, {1, 1, 1}) == "111");
    CHECK(ca::RfmCell(9, 9, 9, {9, 9, 9}) == "999");
    CHECK(ca::RfmCell(10, 3, 5, {10, 5, 5}) == "10-3-5");
    CHECK(ca::RfmCell(1, 3, 5, {5, 10, 5}) == "1-3-5");  // the format depends on max scores only
    CHECK(ca::RfmCell(1, 3, 5, {5, 5, 10}) == "1-3-5");
    CHECK(ca::RfmCell(100, 100, 1, {100, 100, 100}) == "100-100-1");
    // The allocation-free variant writes the same text.
    char buf[ca::kRfmCellBuffer];
    ca::FormatRfmCell(buf, 5, 4, 5, {5, 5, 5});
    CHECK(std::string(buf) == "545");
    ca::FormatRfmCell(buf, 100, 100, 100, {100, 100, 100});
    CHECK(std::string(buf) == "100-100-100");
    ca::FormatRfmCell(buf, 10, 3, 5, {10, 5, 5});
    CHECK(std::string(buf) == "10-3-5");
}

TEST_CASE("ScoreRfm end to end with the default segments") {
    // Three customers, quantile, bins 5 (n = 3):
    //   recency 1 10 100 (lower better): L = 2 1 0 -> 1 + floor(5L/3) = 4 2 1
    //   frequency 9 5 1:                 L = 2 1 0 -> 4 2 1
    //   monetary 900 500 100:            L = 2 1 0 -> 4 2 1
    // 444 -> Potential Loyalist (1), 222 -> Loyal Customers (2), 111 -> Lost (9).
    const std::vector<double> r = {1, 10, 100}, f = {9, 5, 1}, m = {900, 500, 100};
    ca::ExecContext ctx;
    ca::RfmScores out(ctx);
    ca::RfmOptions o;
    ca::ScoreRfm(ctx, o, r.data(), f.data(), m.data(), 3, out);
    CHECK(Scores(out.r.begin(), out.r.end()) == Scores{4, 2, 1});
    CHECK(Scores(out.f.begin(), out.f.end()) == Scores{4, 2, 1});
    CHECK(Scores(out.m.begin(), out.m.end()) == Scores{4, 2, 1});
    CHECK(std::vector<int>(out.segment.begin(), out.segment.end()) == std::vector<int>{1, 2, 9});
    CHECK(ca::RfmCell(out.r[0], out.f[0], out.m[0], ca::MaxScores(o)) == "444");
    // No customers: empty outputs, no error.
    ca::RfmScores empty(ctx);
    ca::ScoreRfm(ctx, o, nullptr, nullptr, nullptr, 0, empty);
    CHECK(empty.r.empty());
    CHECK(empty.segment.empty());
}
