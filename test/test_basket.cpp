// The frequent-itemset miner (src/core/basket.hpp): hand-made cases worked out in comments, a
// brute-force enumerator of every subset of a small item universe compared with the miner on
// thousands of random datasets (all three targets, size bounds), cancellation, the memory limit,
// and arules' published counts on the real Groceries data.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "basket.hpp"
#include "basket_test_data.hpp"
#include "test_support.hpp"

namespace {

using namespace basket_test;
using Found = std::map<Itemset, std::uint64_t>;

// Runs the miner; fails the test if an itemset comes twice or not in ascending order.
Found Mine(ca::ExecContext &ctx, const ca::Baskets &baskets, const ca::ItemsetOptions &options) {
    Found found;
    ca::MineItemsets(ctx, baskets, options,
                     [&](const std::uint32_t *items, std::size_t size, std::uint64_t count) {
                         Itemset set(items, items + size);
                         REQUIRE(std::is_sorted(set.begin(), set.end()));
                         REQUIRE(std::adjacent_find(set.begin(), set.end()) == set.end());
                         REQUIRE(found.emplace(set, count).second);
                     });
    return found;
}

Found Mine(const std::vector<Itemset> &rows, const ca::ItemsetOptions &options) {
    ca::ExecContext ctx;
    const ca::Baskets baskets = MakeBaskets(ctx, rows);
    Found found = Mine(ctx, baskets, options);
    return found;
}

ca::ItemsetOptions Options(double min_support,
                           ca::ItemsetTarget target = ca::ItemsetTarget::Frequent,
                           std::size_t min_size = 1,
                           std::size_t max_size = ca::ItemsetOptions::kNoMaxSize) {
    ca::ItemsetOptions o;
    o.min_support = min_support;
    o.target = target;
    o.min_size = min_size;
    o.max_size = max_size;
    return o;
}

// The definitions of docs/basket.md, straight: every subset of the universe (as a bit mask)
// counted over all baskets; closed and maximal by looking at every mined proper superset.
Found BruteForce(const std::vector<Itemset> &rows, unsigned universe,
                 const ca::ItemsetOptions &options) {
    const std::vector<std::uint32_t> masks = NonEmptyMasks(rows);
    const std::uint64_t n = masks.size();
    Found out;
    if (n == 0) return out;
    const std::uint64_t min_count = BruteForceMinCount(n, options.min_support);
    auto size_of = [](std::uint32_t m) { return static_cast<std::size_t>(__builtin_popcount(m)); };
    std::map<std::uint32_t, std::uint64_t> mined;  // frequent, at most max_size items
    for (std::uint32_t m = 1; m < (1u << universe); ++m) {
        if (size_of(m) > options.max_size) continue;
        std::uint64_t count = 0;
        for (std::uint32_t b : masks) count += (b & m) == m;
        if (count >= min_count) mined[m] = count;
    }
    for (const auto &[m, count] : mined) {
        if (size_of(m) < options.min_size) continue;
        bool keep = true;
        for (const auto &[super, super_count] : mined) {
            if (super == m || (super & m) != m) continue;
            if (options.target == ca::ItemsetTarget::Maximal) keep = false;
            if (options.target == ca::ItemsetTarget::Closed && super_count == count) keep = false;
        }
        if (!keep) continue;
        Itemset set;
        for (std::uint32_t i = 0; i < universe; ++i)
            if (m & (1u << i)) set.push_back(i);
        out[set] = count;
    }
    return out;
}

const ca::ItemsetCounting kCountings[] = {
    ca::ItemsetCounting::Auto, ca::ItemsetCounting::BitVectors, ca::ItemsetCounting::Occurrences};

const char *Name(ca::ItemsetTarget t) {
    return t == ca::ItemsetTarget::Frequent ? "frequent"
           : t == ca::ItemsetTarget::Closed ? "closed"
                                            : "maximal";
}

}  // namespace

TEST_CASE("basket: min_count is arules' ceil(N * min_support)", "[basket]") {
    CHECK(ca::MinCount(0, 0.5) == 0);
    CHECK(ca::MinCount(9835, 0.001) == 10);   // 9.835 -> 10
    CHECK(ca::MinCount(9835, 0.01) == 99);    // 98.35 -> 99
    CHECK(ca::MinCount(10000, 0.001) == 10);  // 10000 * 0.001 is exactly 10 in double
    // 100 * 0.07 is 7.000000000000001 in double: arules asks for 8 baskets, and so do we, so
    // that counts match arules' on the same data (docs/basket.md).
    CHECK(ca::MinCount(100, 0.07) == 8);
    CHECK(ca::MinCount(3, 1.0) == 3);
    CHECK(ca::MinCount(3, 1e-300) == 1);  // never 0: an itemset is in at least one basket
    // Against the formula over many n and supports: the same double computation, clamped.
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> s(1e-6, 1.0);
    for (int k = 0; k < 20000; ++k) {
        const std::uint64_t n = 1 + rng() % 5000;
        const double support = k % 2 ? s(rng) : static_cast<double>(rng() % 1000 + 1) / 1000.0;
        const double c = std::ceil(static_cast<double>(n) * support);
        const std::uint64_t want = c < 1 ? 1 : static_cast<std::uint64_t>(c);
        REQUIRE(ca::MinCount(n, support) == std::min<std::uint64_t>(want, n));
    }
}

TEST_CASE("basket: bad options are invalid parameters", "[basket]") {
    ca::ExecContext ctx;
    const ca::Baskets b = MakeBaskets(ctx, {{0, 1}});
    auto sink = [](const std::uint32_t *, std::size_t, std::uint64_t) {};
    for (double s : {0.0, -0.1, 1.0000001, std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity()}) {
        INFO("min_support " << s);
        CHECK(KindOf([&] { ca::MineItemsets(ctx, b, Options(s), sink); }) ==
              ca::ErrorKind::InvalidParameter);
    }
    CHECK(KindOf([&] {
              ca::MineItemsets(ctx, b, Options(0.5, ca::ItemsetTarget::Frequent, 0), sink);
          }) == ca::ErrorKind::InvalidParameter);
    CHECK(KindOf([&] {
              ca::MineItemsets(ctx, b, Options(0.5, ca::ItemsetTarget::Frequent, 3, 2), sink);
          }) == ca::ErrorKind::InvalidParameter);
    CHECK(KindOf([&] { ca::ParseItemsetTarget("closed frequent"); }) ==
          ca::ErrorKind::InvalidParameter);
    CHECK(ca::ParseItemsetTarget("maximal") == ca::ItemsetTarget::Maximal);
}

TEST_CASE("basket: a hand-made case, all three targets", "[basket]") {
    // Items a=0, b=1, c=2. Baskets {a,b,c} {a,b} {a,c} {b} and one empty: N = 4, and
    // min_support 0.5 means a count of at least 2.
    // Counts: a 3, b 3, c 2, ab 2, ac 2, bc 1, abc 1.
    const std::vector<Itemset> rows = {{0, 1, 2}, {0, 1}, {0, 2}, {1}, {}};
    const Found frequent = {{{0}, 3}, {{1}, 3}, {{2}, 2}, {{0, 1}, 2}, {{0, 2}, 2}};
    CHECK(Mine(rows, Options(0.5)) == frequent);
    // c (2) is not closed: ac has its count. a (3) and b (3) are: their supersets have 2.
    const Found closed = {{{0}, 3}, {{1}, 3}, {{0, 1}, 2}, {{0, 2}, 2}};
    CHECK(Mine(rows, Options(0.5, ca::ItemsetTarget::Closed)) == closed);
    const Found maximal = {{{0, 1}, 2}, {{0, 2}, 2}};
    CHECK(Mine(rows, Options(0.5, ca::ItemsetTarget::Maximal)) == maximal);
    // With max_size 1 the pairs are not mined, so every single item is closed and maximal.
    const Found singles = {{{0}, 3}, {{1}, 3}, {{2}, 2}};
    CHECK(Mine(rows, Options(0.5, ca::ItemsetTarget::Closed, 1, 1)) == singles);
    CHECK(Mine(rows, Options(0.5, ca::ItemsetTarget::Maximal, 1, 1)) == singles);
    // min_size only filters what is emitted: c is still not closed.
    const Found pairs = {{{0, 1}, 2}, {{0, 2}, 2}};
    CHECK(Mine(rows, Options(0.5, ca::ItemsetTarget::Frequent, 2)) == pairs);
    CHECK(Mine(rows, Options(0.5, ca::ItemsetTarget::Closed, 2)) == pairs);
    // min_support 1: only what is in all 4 non-empty baskets, which is nothing.
    CHECK(Mine(rows, Options(1.0)).empty());
}

TEST_CASE("basket: edge cases", "[basket]") {
    // No baskets, or only empty ones: N = 0, nothing is frequent.
    CHECK(Mine({}, Options(0.1)).empty());
    CHECK(Mine({{}, {}}, Options(0.1)).empty());
    // One basket of one item: it is in 100% of the baskets.
    const Found one = {{{5}, 1}};
    for (auto t :
         {ca::ItemsetTarget::Frequent, ca::ItemsetTarget::Closed, ca::ItemsetTarget::Maximal})
        CHECK(Mine({{5}}, Options(1.0, t)) == one);
    // Identical baskets: every subset has count 3; only the full set is closed or maximal.
    const std::vector<Itemset> same = {{1, 4, 9}, {1, 4, 9}, {1, 4, 9}};
    CHECK(Mine(same, Options(1.0)).size() == 7);
    const Found full = {{{1, 4, 9}, 3}};
    CHECK(Mine(same, Options(1.0, ca::ItemsetTarget::Closed)) == full);
    CHECK(Mine(same, Options(1.0, ca::ItemsetTarget::Maximal)) == full);
    // More than 64 transactions, so bit vectors span several words, and a sparse item index.
    std::vector<Itemset> many(200, Itemset{2});
    many[137] = {2, 100000};
    many[199] = {100000};
    const Found big = {{{2}, 199}, {{100000}, 2}, {{2, 100000}, 1}};
    CHECK(Mine(many, Options(0.001)) == big);
}

TEST_CASE("basket: the miner matches brute-force enumeration on random small datasets",
          "[basket]") {
    std::mt19937_64 rng(20240601);
    const ca::ItemsetTarget targets[] = {ca::ItemsetTarget::Frequent, ca::ItemsetTarget::Closed,
                                         ca::ItemsetTarget::Maximal};
    std::size_t itemsets = 0;
    for (int round = 0; round < 3000; ++round) {
        const unsigned universe = 1 + static_cast<unsigned>(rng() % 9);
        const std::vector<Itemset> rows =
            RandomRows(rng, universe, 90);  // past 64: two bit-vector words
        double min_support;
        switch (rng() % 4) {
            case 0:
                min_support = 1.0;
                break;
            case 1:
                min_support = 0.001;
                break;
            default:
                min_support = static_cast<double>(1 + rng() % 1000) / 1000.0;
        }
        const std::size_t min_size = 1 + rng() % 3;
        const std::size_t max_size =
            rng() % 3 == 0 ? ca::ItemsetOptions::kNoMaxSize : min_size + rng() % 4;
        for (ca::ItemsetTarget target : targets) {
            const ca::ItemsetOptions options = Options(min_support, target, min_size, max_size);
            INFO("round " << round << ", target " << Name(target) << ", min_support " << min_support
                          << ", sizes " << min_size << ".." << max_size);
            const Found expected = BruteForce(rows, universe, options);
            for (ca::ItemsetCounting counting : kCountings) {
                ca::ItemsetOptions o = options;
                o.counting = counting;
                INFO("counting " << static_cast<int>(counting));
                REQUIRE(Mine(rows, o) == expected);
            }
            itemsets += expected.size();
        }
    }
    CHECK(itemsets > 10000);  // the comparison saw a fair number of itemsets
}

TEST_CASE("basket: a cancel from the interrupt hook stops the miner and frees its memory",
          "[basket]") {
    const std::vector<Itemset> rows = Dense();
    for (int throw_at : {1, 2, 5, 50}) {
        HookState hook;
        hook.throw_at = throw_at;
        ca::ExecContext ctx(ca::ExecContext::kUnlimited, CountingHook, &hook);
        std::size_t emitted = 0;
        {
            const ca::Baskets baskets = MakeBaskets(ctx, rows);
            const std::size_t before = ctx.used();
            INFO("cancel at hook call " << throw_at);
            CHECK(KindOf([&] {
                      ca::MineItemsets(
                          ctx, baskets, Options(0.01),
                          [&](const std::uint32_t *, std::size_t, std::uint64_t) { ++emitted; });
                  }) == ca::ErrorKind::Cancelled);
            CHECK(hook.calls == throw_at);
            CHECK(ctx.used() == before);  // the miner's budget vectors are all released
        }
        CHECK(ctx.used() == 0);
    }
}

TEST_CASE("basket: the hook is called regularly while an explosion of itemsets is emitted",
          "[basket]") {
    // At min_support 0.08 the dense data has about 100,000 frequent itemsets (every 4-set of 40
    // items is in about 0.6^4 = 13% of the baskets); the hook must be called along the way.
    HookState hook;
    ca::ExecContext ctx(ca::ExecContext::kUnlimited, CountingHook, &hook);
    const ca::Baskets baskets = MakeBaskets(ctx, Dense());
    std::size_t emitted = 0;
    ca::MineItemsets(ctx, baskets, Options(0.08),
                     [&](const std::uint32_t *, std::size_t, std::uint64_t) { ++emitted; });
    INFO("emitted " << emitted << ", hook calls " << hook.calls);
    CHECK(emitted > 100000);
    CHECK(static_cast<std::size_t>(hook.calls) > emitted / ca::ExecContext::kTickInterval);
}

TEST_CASE("basket: past the memory limit the miner fails with a hint naming min_support",
          "[basket]") {
    // The miner's peak, measured, is exactly what it needs: one byte less fails, at any point
    // of the search, with the limit error and a hint on what to change; nothing stays charged.
    ca::ExecContext data_ctx;
    const ca::Baskets baskets = MakeBaskets(data_ctx, Dense());
    auto sink = [](const std::uint32_t *, std::size_t, std::uint64_t) {};
    std::size_t peak;
    {
        ca::ExecContext ctx;
        ca::MineItemsets(ctx, baskets, Options(0.08), sink);
        CHECK(ctx.used() == 0);
        peak = ctx.peak();
    }
    INFO("peak " << peak << " bytes");
    CHECK(peak > 0);
    for (std::size_t limit : {std::size_t{1024}, peak / 2, peak - 1}) {
        ca::ExecContext ctx(limit);
        try {
            ca::MineItemsets(ctx, baskets, Options(0.08), sink);
            FAIL("no error at a limit of " << limit);
        } catch (const ca::Error &e) {
            CHECK(e.kind() == ca::ErrorKind::MemoryLimit);
            CHECK(std::string(e.what()) == "customer_analytics memory limit exceeded");
            CHECK(e.hint().find("min_support") != std::string::npos);
            CHECK(e.hint().find("max_size") != std::string::npos);
            CHECK(!e.detail().empty());
        }
        CHECK(ctx.used() == 0);
    }
    ca::ExecContext enough(peak);
    ca::MineItemsets(enough, baskets, Options(0.08), sink);
}

// ---- The Groceries data (arules), against the counts arules' apriori gives. ----

TEST_CASE("basket: Groceries, arules' frequent-itemset counts", "[basket][data]") {
    ca::ExecContext ctx;
    ca::Baskets baskets(ctx);
    std::vector<std::string> item_names;
    if (!LoadGroceries(ctx, baskets, item_names)) return;

    auto count = [&](const ca::ItemsetOptions &options, Found *keep = nullptr) {
        std::size_t n = 0;
        ca::MineItemsets(ctx, baskets, options,
                         [&](const std::uint32_t *items, std::size_t size, std::uint64_t c) {
                             ++n;
                             if (keep != nullptr) (*keep)[Itemset(items, items + size)] = c;
                         });
        return n;
    };

    // arules: apriori(Groceries, parameter = list(support = 0.001, target = "frequent itemsets"))
    // with its defaults minlen = 1 and maxlen = 10 finds 13,492 itemsets. No frequent itemset
    // at 0.001 has more than 10 items, so the count is the same without a size bound.
    Found at_0001;
    const auto start = std::chrono::steady_clock::now();
    CHECK(count(Options(0.001), &at_0001) == 13492);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WARN("Groceries at min_support 0.001: " << at_0001.size() << " frequent itemsets mined in "
                                            << seconds
                                            << " s (information only; includes the test's own "
                                               "map inserts)");
    CHECK(count(Options(0.001, ca::ItemsetTarget::Frequent, 1, 10)) == 13492);
    std::size_t longest = 0;
    for (const auto &[set, c] : at_0001) longest = std::max(longest, set.size());
    CHECK(longest <= 10);
    // arules: support = 0.01 gives 333.
    Found at_001;
    CHECK(count(Options(0.01), &at_001) == 333);

    // Every count at 0.01 recounted by scanning the baskets.
    for (const auto &[set, c] : at_001) {
        std::uint64_t direct = 0;
        for (std::size_t t = 0; t < baskets.size(); ++t)
            direct += std::includes(baskets.begin(t), baskets.end(t), set.begin(), set.end());
        REQUIRE(direct == c);
    }

    // Closed and maximal at 0.001 against the frequent itemsets: X is closed when no X + e is
    // frequent with X's count, maximal when no X + e is frequent (a frequent proper superset of
    // X implies such an X + e, by anti-monotonicity).
    std::size_t closed = 0, maximal = 0;
    for (const auto &[set, c] : at_0001) {
        bool is_closed = true, is_maximal = true;
        for (std::uint32_t e = 0; e < item_names.size(); ++e) {
            if (std::binary_search(set.begin(), set.end(), e)) continue;
            Itemset super = set;
            super.insert(std::upper_bound(super.begin(), super.end(), e), e);
            auto it = at_0001.find(super);
            if (it == at_0001.end()) continue;
            is_maximal = false;
            if (it->second == c) is_closed = false;
        }
        closed += is_closed;
        maximal += is_maximal;
    }
    std::size_t mined_closed = 0, mined_maximal = 0;
    for (ca::ItemsetCounting counting : kCountings) {
        INFO("counting " << static_cast<int>(counting));
        ca::ItemsetOptions o = Options(0.001, ca::ItemsetTarget::Closed);
        o.counting = counting;
        Found found;
        mined_closed = count(o, &found);
        CHECK(mined_closed == closed);
        for (const auto &[set, c] : found) REQUIRE(at_0001.at(set) == c);
        o.target = ca::ItemsetTarget::Maximal;
        found.clear();
        mined_maximal = count(o, &found);
        CHECK(mined_maximal == maximal);
        for (const auto &[set, c] : found) REQUIRE(at_0001.at(set) == c);
        o.target = ca::ItemsetTarget::Frequent;
        found.clear();
        CHECK(count(o, &found) == 13492);
        CHECK(found == at_0001);
    }
    WARN("Groceries at min_support 0.001: " << mined_closed << " closed, " << mined_maximal
                                            << " maximal itemsets");
}

// Not run by default (`ca_core_tests "[.retail]"`): the FIMI retail data at min_support 0.001, the
// issue's performance target, for a timing to compare with arules by hand.
TEST_CASE("basket: retail.dat at 0.001, timing", "[.retail]") {
    std::string text;
    if (!ReadDataFile("retail.dat.gz", text)) return;
    ca::ExecContext ctx;
    ca::BasketBuilder builder(ctx);
    std::uint32_t t = 0, item = 0;
    bool in_number = false;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            item = item * 10 + static_cast<std::uint32_t>(c - '0');
            in_number = true;
            continue;
        }
        if (in_number) builder.Add(t, item, ca::Line{});
        in_number = false;
        item = 0;
        if (c == '\n') ++t;
    }
    const ca::Baskets baskets = builder.Finish(t);
    REQUIRE(baskets.size() == 88162);
    const char *counting_names[] = {"auto", "bit vectors", "occurrences"};
    for (auto target :
         {ca::ItemsetTarget::Frequent, ca::ItemsetTarget::Closed, ca::ItemsetTarget::Maximal}) {
        for (ca::ItemsetCounting counting : kCountings) {
            ca::ItemsetOptions options = Options(0.001, target);
            options.counting = counting;
            std::size_t n = 0;
            const auto start = std::chrono::steady_clock::now();
            ca::MineItemsets(ctx, baskets, options,
                             [&](const std::uint32_t *, std::size_t, std::uint64_t) { ++n; });
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            WARN("retail.dat at 0.001, "
                 << Name(target) << ", " << counting_names[static_cast<int>(counting)] << ": " << n
                 << " itemsets in " << seconds << " s, peak memory " << ctx.peak() / 1024 << " kB");
        }
    }
}

// ---- Mining per group: ForEachGroup's baskets mined one group at a time ----

TEST_CASE("basket: mining per group equals mining each group's lines on their own", "[basket]") {
    // For each random dataset of lines in several groups, the itemsets of each group that
    // ForEachGroup hands out (items mapped back to their original indices) equal those of the
    // group's lines made into baskets and mined separately, for every target and size bound.
    std::mt19937_64 rng(20260116);
    const ca::ItemsetTarget targets[] = {ca::ItemsetTarget::Frequent, ca::ItemsetTarget::Closed,
                                         ca::ItemsetTarget::Maximal};
    std::size_t itemsets = 0, groups_mined = 0;
    for (int round = 0; round < 1000; ++round) {
        const std::uint32_t groups = 1 + static_cast<std::uint32_t>(rng() % 6);
        const std::uint32_t orders = static_cast<std::uint32_t>(rng() % 60);
        const std::uint32_t universe = 1 + static_cast<std::uint32_t>(rng() % 9);
        ca::ExecContext ctx;
        const auto lines = RandomGroupLines(rng, groups, orders, universe);
        const GroupedBaskets grouped = BuildGrouped(ctx, lines);
        const auto rank = RandomRanks(ctx, rng, groups);
        const double min_support =
            rng() % 4 == 0 ? 1.0 : static_cast<double>(1 + rng() % 1000) / 1000.0;
        const std::size_t min_size = 1 + rng() % 3;
        const std::size_t max_size =
            rng() % 3 == 0 ? ca::ItemsetOptions::kNoMaxSize : min_size + rng() % 3;
        for (ca::ItemsetTarget target : targets) {
            const ca::ItemsetOptions options = Options(min_support, target, min_size, max_size);
            INFO("round " << round << ", target " << Name(target) << ", min_support " << min_support
                          << ", sizes " << min_size << ".." << max_size);
            std::map<std::uint32_t, Found> per_group;
            std::vector<std::uint32_t> visited;
            ca::ForEachGroup(ctx, grouped.baskets, grouped.group_of, rank,
                             [&](const ca::GroupBaskets &g) {
                                 visited.push_back(g.group);
                                 Found &found = per_group[g.group];
                                 for (const auto &[set, count] : Mine(ctx, g.baskets, options)) {
                                     Itemset original;
                                     for (std::uint32_t local : set)
                                         original.push_back(g.items[local]);
                                     REQUIRE(std::is_sorted(original.begin(), original.end()));
                                     found[original] = count;
                                 }
                             });
            // Groups come in rank order, each once.
            for (std::size_t k = 1; k < visited.size(); ++k)
                REQUIRE(rank[visited[k - 1]] < rank[visited[k]]);
            for (std::uint32_t g = 0; g < groups; ++g) {
                INFO("group " << g);
                const ca::Baskets alone = BuildOneGroup(ctx, lines, g, orders);
                const Found expected = Mine(ctx, alone, options);
                const auto it = per_group.find(g);
                if (alone.non_empty() == 0) {
                    REQUIRE(it == per_group.end());  // no basket: not visited, no rows
                    continue;
                }
                REQUIRE(it != per_group.end());
                REQUIRE(it->second == expected);
                itemsets += expected.size();
                ++groups_mined;
            }
        }
    }
    CHECK(groups_mined > 5000);
    CHECK(itemsets > 20000);  // the comparison saw a fair number of itemsets
}
