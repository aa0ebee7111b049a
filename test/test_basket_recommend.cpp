// "Also bought" recommendations (src/core/basket_recommend.hpp): a hand-made case worked out in
// comments, the definition checked on thousands of random datasets against the rules MineRules
// gives (itself checked against brute force in test_basket_rules.cpp) filtered and ranked as
// docs/basket.md says, bad options, the memory limit and cancellation.
#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "basket.hpp"
#include "basket_recommend.hpp"
#include "basket_rules.hpp"
#include "basket_test_data.hpp"
#include "test_support.hpp"

namespace {

using namespace basket_test;

struct Pick {
    std::uint32_t item;
    Itemset antecedent;  // in rank order
    std::uint64_t count, x_count, y_count, n;
    double support, confidence, lift;
};

ca::BudgetVector<std::uint32_t> IdentityRank(ca::ExecContext &ctx, std::size_t items) {
    auto rank = ca::MakeBudgetVector<std::uint32_t>(ctx);
    for (std::uint32_t i = 0; i < items; ++i) rank.push_back(i);
    return rank;
}

std::vector<Pick> Recommend(ca::ExecContext &ctx, const ca::Baskets &baskets,
                            const ca::BudgetVector<std::uint32_t> &rank, const Itemset &basket,
                            const ca::RecommendOptions &options) {
    std::vector<Pick> out;
    ca::Recommend(
        ctx, baskets, rank, basket.data(), basket.size(), options,
        [&](const ca::Recommendation &r) {
            out.push_back(Pick{r.item, Itemset(r.antecedent, r.antecedent + r.antecedent_size),
                               r.count, r.antecedent_count, r.consequent_count, r.n, r.support,
                               r.confidence, r.lift});
        });
    return out;
}

// The definition, from the rules: every rule X -> y of MineRules with X inside the basket and y
// outside it; per item the best rule (confidence, then lift descending, then the shorter X, then
// X first in rank order); the items by confidence, then lift descending, then rank; the first
// top_n.
std::vector<Pick> FromRules(const ca::Baskets &baskets, const std::vector<std::uint32_t> &rank,
                            const Itemset &basket, const ca::RecommendOptions &o) {
    ca::ExecContext ctx;
    ca::RuleOptions ro;
    ro.min_support = o.min_support;
    ro.min_confidence = o.min_confidence;
    ro.min_lift = o.min_lift;
    ro.max_antecedent = o.max_antecedent;
    ro.max_consequent = 1;
    const auto in_basket = [&](std::uint32_t item) {
        return std::find(basket.begin(), basket.end(), item) != basket.end();
    };
    const auto by_rank = [&](Itemset x) {
        std::sort(x.begin(), x.end(),
                  [&](std::uint32_t a, std::uint32_t b) { return rank[a] < rank[b]; });
        return x;
    };
    const auto rank_less = [&](const Itemset &a, const Itemset &b) {
        return std::lexicographical_compare(
            a.begin(), a.end(), b.begin(), b.end(),
            [&](std::uint32_t l, std::uint32_t r) { return rank[l] < rank[r]; });
    };
    std::map<std::uint32_t, Pick> best;
    ca::MineRules(ctx, baskets, ro, [&](const ca::Rule &r) {
        const std::uint32_t y = r.consequent[0];
        if (in_basket(y)) return;
        for (std::size_t i = 0; i < r.antecedent_size; ++i)
            if (!in_basket(r.antecedent[i])) return;
        Pick p{y,
               by_rank(Itemset(r.antecedent, r.antecedent + r.antecedent_size)),
               r.count,
               r.antecedent_count,
               r.consequent_count,
               r.n,
               r.support,
               r.confidence,
               r.lift};
        auto it = best.find(y);
        if (it == best.end()) {
            best.emplace(y, p);
            return;
        }
        const Pick &q = it->second;
        const bool better = p.confidence != q.confidence ? p.confidence > q.confidence
                            : p.lift != q.lift           ? p.lift > q.lift
                            : p.antecedent.size() != q.antecedent.size()
                                ? p.antecedent.size() < q.antecedent.size()
                                : rank_less(p.antecedent, q.antecedent);
        if (better) it->second = p;
    });
    std::vector<Pick> out;
    for (const auto &entry : best) out.push_back(entry.second);
    std::sort(out.begin(), out.end(), [&](const Pick &a, const Pick &b) {
        if (a.confidence != b.confidence) return a.confidence > b.confidence;
        if (a.lift != b.lift) return a.lift > b.lift;
        return rank[a.item] < rank[b.item];
    });
    if (out.size() > o.top_n) out.resize(o.top_n);
    return out;
}

ca::RecommendOptions Options(double min_support, double min_confidence = 0, double min_lift = 0,
                             std::size_t max_antecedent = ca::RuleOptions::kNoBound,
                             std::size_t top_n = 10) {
    ca::RecommendOptions o;
    o.min_support = min_support;
    o.min_confidence = min_confidence;
    o.min_lift = min_lift;
    o.max_antecedent = max_antecedent;
    o.top_n = top_n;
    return o;
}

}  // namespace

TEST_CASE("basket recommend: a hand-made case", "[basket_recommend]") {
    // Items a=0 b=1 c=2 d=3 e=4 in 6 baskets:
    //   {a,b,c} {a,b,c} {a,b,d} {a,c} {b,e} {d}
    // Basket {a, b}, min_support 0.3 (min count ceil(1.8) = 2): frequent subsets of the basket: a
    // (4), b (4), ab (3).
    //   a -> c: count(ac) = 3, confidence 3/4, lift (3/4) / (3/6) = 1.5
    //   a -> d: count(ad) = 1 < 2: not frequent
    //   b -> c: count(bc) = 2, confidence 2/4, lift 1
    //   b -> e: count(be) = 1: not frequent
    //   ab -> c: count(abc) = 2, confidence 2/3, lift 4/3
    // c's best rule is a -> c (3/4 > 2/3 > 2/4); nothing else is recommended.
    ca::ExecContext ctx;
    const ca::Baskets b = MakeBaskets(ctx, {{0, 1, 2}, {0, 1, 2}, {0, 1, 3}, {0, 2}, {1, 4}, {3}});
    const auto rank = IdentityRank(ctx, 5);
    std::vector<Pick> got = Recommend(ctx, b, rank, {1, 0, 1}, Options(0.3));
    REQUIRE(got.size() == 1);
    CHECK(got[0].item == 2);
    CHECK(got[0].antecedent == Itemset{0});
    CHECK(got[0].count == 3);
    CHECK(got[0].x_count == 4);
    CHECK(got[0].y_count == 3);
    CHECK(got[0].n == 6);
    CHECK(got[0].support == 0.5);
    CHECK(got[0].confidence == 0.75);
    CHECK(got[0].lift == 1.5);
    // min_support 0.15 (min count 1) adds a -> d (1/4, lift 0.75 = (1/4)/(2/6)), b -> e (1/4,
    // lift 1.5), ab -> d (1/3, lift 1). d's best is ab -> d (1/3 > 1/4). Order: c (3/4), d (1/3), e
    // (1/4).
    got = Recommend(ctx, b, rank, {0, 1}, Options(0.15));
    REQUIRE(got.size() == 3);
    CHECK(got[0].item == 2);
    CHECK(got[1].item == 3);
    CHECK(got[1].antecedent == Itemset{0, 1});
    CHECK(got[1].confidence == 1.0 / 3);
    CHECK(got[2].item == 4);
    CHECK(got[2].antecedent == Itemset{1});
    CHECK(got[2].lift == 1.5);
    // max_antecedent 1 leaves d to a -> d and b -> d (both 1/4, lift 0.75): the tie goes to the
    // antecedent first in rank order, a. e (1/4, lift 1.5) now comes before d (1/4, lift 0.75).
    // top_n 2 keeps c and e; top_n 0 nothing.
    got = Recommend(ctx, b, rank, {0, 1}, Options(0.15, 0, 0, 1, 3));
    REQUIRE(got.size() == 3);
    CHECK(got[1].item == 4);
    CHECK(got[2].item == 3);
    CHECK(got[2].antecedent == Itemset{0});
    CHECK(got[2].confidence == 0.25);
    CHECK(got[2].lift == 0.75);
    got = Recommend(ctx, b, rank, {0, 1}, Options(0.15, 0, 0, 1, 2));
    REQUIRE(got.size() == 2);
    CHECK(got[1].item == 4);
    CHECK(Recommend(ctx, b, rank, {0, 1}, Options(0.15, 0, 0, 1, 0)).empty());
    // min_lift 1.2 drops a -> d (0.75), ab -> d (1) and b -> c (1); keeps a -> c and b -> e.
    got = Recommend(ctx, b, rank, {0, 1}, Options(0.15, 0, 1.2));
    REQUIRE(got.size() == 2);
    CHECK(got[0].item == 2);
    CHECK(got[1].item == 4);
    // An empty basket, or one of items in no rule, gets nothing; so does an empty data set.
    CHECK(Recommend(ctx, b, rank, {}, Options(0.1)).empty());
    const ca::Baskets none = MakeBaskets(ctx, {{}, {}});
    CHECK(Recommend(ctx, none, rank, {0, 1}, Options(0.1)).empty());
}

TEST_CASE("basket recommend: equals the best rules of MineRules on random small datasets",
          "[basket_recommend]") {
    std::mt19937_64 rng(20261130);
    std::size_t picks = 0, with_long_antecedent = 0;
    for (int round = 0; round < 3000; ++round) {
        const unsigned universe = 2 + static_cast<unsigned>(rng() % 9);
        const std::vector<Itemset> rows = RandomRows(rng, universe, 80);
        // A random natural order of the items, and a basket with repeats, in any order.
        std::vector<std::uint32_t> order(universe);
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        Itemset basket;
        const std::size_t basket_size = rng() % (universe + 2);
        for (std::size_t i = 0; i < basket_size; ++i)
            basket.push_back(static_cast<std::uint32_t>(rng() % universe));
        const double supports[] = {1.0, 0.001, static_cast<double>(1 + rng() % 600) / 1000.0};
        const double confidences[] = {0.0, 0.5, 1.0, 2.0 / 3,
                                      static_cast<double>(rng() % 1001) / 1000.0};
        const double lifts[] = {0.0, 0.0, 1.0, 1.2, static_cast<double>(rng() % 3000) / 1000.0};
        const ca::RecommendOptions o = Options(
            supports[rng() % 3], confidences[rng() % 5], lifts[rng() % 5],
            rng() % 2 ? ca::RuleOptions::kNoBound : 1 + rng() % 3, rng() % 3 ? 1000 : rng() % 4);
        INFO("round " << round << ", min_support " << o.min_support << ", min_confidence "
                      << o.min_confidence << ", min_lift " << o.min_lift << ", max_antecedent "
                      << o.max_antecedent << ", top_n " << o.top_n);
        ca::ExecContext ctx;
        const ca::Baskets baskets = MakeBaskets(ctx, rows);
        auto rank = ca::MakeBudgetVector<std::uint32_t>(ctx);
        rank.assign(order.begin(), order.end());
        const std::vector<Pick> got = Recommend(ctx, baskets, rank, basket, o);
        const std::vector<Pick> expected = FromRules(baskets, order, basket, o);
        REQUIRE(got.size() == expected.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            INFO("pick " << i);
            REQUIRE(got[i].item == expected[i].item);
            REQUIRE(got[i].antecedent == expected[i].antecedent);
            REQUIRE(got[i].count == expected[i].count);
            REQUIRE(got[i].x_count == expected[i].x_count);
            REQUIRE(got[i].y_count == expected[i].y_count);
            REQUIRE(got[i].n == expected[i].n);
            REQUIRE(got[i].support == expected[i].support);
            REQUIRE(got[i].confidence == expected[i].confidence);
            REQUIRE(got[i].lift == expected[i].lift);
            with_long_antecedent += got[i].antecedent.size() > 1;
        }
        picks += got.size();
    }
    INFO("picks " << picks << ", with a longer antecedent " << with_long_antecedent);
    CHECK(picks > 1000);
    CHECK(with_long_antecedent > 200);
}

TEST_CASE("basket recommend: bad options are invalid parameters", "[basket_recommend]") {
    ca::ExecContext ctx;
    const ca::Baskets b = MakeBaskets(ctx, {{0, 1}});
    const auto rank = IdentityRank(ctx, 2);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<std::pair<std::string, ca::RecommendOptions>> bad;
    for (double s : {0.0, 1.5, nan}) bad.emplace_back("min_support", Options(s));
    for (double c : {-0.01, nan}) bad.emplace_back("min_confidence", Options(0.5, c));
    bad.emplace_back("min_lift", Options(0.5, 0, -1));
    bad.emplace_back("max_antecedent", Options(0.5, 0, 0, 0));
    for (const auto &[name, o] : bad) {
        INFO(name);
        try {
            Recommend(ctx, b, rank, {0}, o);
            FAIL("no error");
        } catch (const ca::Error &e) {
            CHECK(e.kind() == ca::ErrorKind::InvalidParameter);
            CHECK(std::string(e.what()).find(name) == 0);
        }
    }
}

TEST_CASE("basket recommend: memory limit and cancellation", "[basket_recommend]") {
    // The dense data (3000 baskets, 40 items at 60 %) and a basket of 20 of its items: at
    // min_support 0.05 about 2^13 antecedents are frequent.
    const std::vector<Itemset> rows = Dense();
    Itemset basket;
    for (std::uint32_t i = 0; i < 40; i += 2) basket.push_back(i);
    const ca::RecommendOptions options = Options(0.05, 0, 0, 6);
    ca::ExecContext data_ctx;
    const ca::Baskets baskets = MakeBaskets(data_ctx, rows);
    const auto rank = IdentityRank(data_ctx, 40);
    std::size_t peak;
    int total_calls;
    {
        HookState hook;
        ca::ExecContext ctx(ca::ExecContext::kUnlimited, CountingHook, &hook);
        const std::vector<Pick> got = Recommend(ctx, baskets, rank, basket, options);
        CHECK(got.size() == 10);
        CHECK(ctx.used() == 0);
        peak = ctx.peak();
        total_calls = hook.calls;
    }
    INFO("peak " << peak << ", hook calls " << total_calls);
    CHECK(total_calls > 100);
    for (int throw_at : {1, 2, total_calls / 2, total_calls}) {
        HookState hook;
        hook.throw_at = throw_at;
        ca::ExecContext ctx(ca::ExecContext::kUnlimited, CountingHook, &hook);
        INFO("cancel at hook call " << throw_at);
        CHECK(KindOf([&] { Recommend(ctx, baskets, rank, basket, options); }) ==
              ca::ErrorKind::Cancelled);
        CHECK(hook.calls == throw_at);
        CHECK(ctx.used() == 0);
    }
    // The walk's memory counts: a limit below its peak fails with the mining hint.
    for (std::size_t limit : {std::size_t{512}, peak / 2, peak - 1}) {
        ca::ExecContext ctx(limit);
        try {
            Recommend(ctx, baskets, rank, basket, options);
            FAIL("no error at a limit of " << limit);
        } catch (const ca::Error &e) {
            CHECK(e.kind() == ca::ErrorKind::MemoryLimit);
            CHECK(e.hint().find("min_support") != std::string::npos);
        }
        CHECK(ctx.used() == 0);
    }
    ca::ExecContext enough(peak);
    CHECK(Recommend(enough, baskets, rank, basket, options).size() == 10);
}
