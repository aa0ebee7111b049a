// The baskets BasketBuilder makes of transaction lines (src/core/transactions.hpp): against a
// brute-force std::set formulation on random lines, and on hand-made cases; the transactions of
// mining per group and ForEachGroup against each group's lines read on their own.
#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "basket_test_data.hpp"
#include "test_support.hpp"
#include "transactions.hpp"

namespace {

ca::Line Quantity(ca::Money q) {
    ca::Line line;
    line.has_quantity = true;
    line.quantity = q;
    return line;
}

std::vector<std::uint32_t> Basket(const ca::Baskets &b, std::size_t t) {
    return std::vector<std::uint32_t>(b.begin(t), b.end(t));
}

}  // namespace

TEST_CASE("baskets: distinct items per transaction, in ascending order", "[transactions]") {
    ca::ExecContext ctx;
    ca::BasketBuilder builder(ctx);
    builder.Add(1, 7, ca::Line{});
    builder.Add(0, 3, ca::Line{});
    builder.Add(1, 2, ca::Line{});
    builder.Add(1, 7, ca::Line{});  // the same item again: counts once
    builder.Add(0, 3, Quantity(5 * ca::kMoneyUnit));
    const ca::Baskets b = builder.Finish(3);
    REQUIRE(b.size() == 3);
    CHECK(Basket(b, 0) == std::vector<std::uint32_t>{3});
    CHECK(Basket(b, 1) == std::vector<std::uint32_t>{2, 7});
    CHECK(b.basket_size(2) == 0);  // a transaction without lines: empty, not counted in N
    CHECK(b.non_empty() == 2);
}

TEST_CASE("baskets: lines with a quantity of zero or less are skipped and counted",
          "[transactions]") {
    ca::ExecContext ctx;
    ca::BasketBuilder builder(ctx);
    builder.Add(0, 1, Quantity(0));
    builder.Add(0, 2, Quantity(-3 * ca::kMoneyUnit));
    builder.Add(0, 3, Quantity(1));  // 1e-8: positive
    builder.Add(1, 4, Quantity(-1));
    ca::Line no_quantity;  // a NULL quantity (or no quantity column): kept
    builder.Add(1, 5, no_quantity);
    const ca::Baskets b = builder.Finish(2);
    CHECK(Basket(b, 0) == std::vector<std::uint32_t>{3});
    CHECK(Basket(b, 1) == std::vector<std::uint32_t>{5});
    CHECK(builder.skips().non_positive_quantity_rows == 3);
    CHECK(builder.skips().total() == 3);
}

TEST_CASE("baskets: a line naming a transaction past the count is a data exception",
          "[transactions]") {
    ca::ExecContext ctx;
    ca::BasketBuilder builder(ctx);
    builder.Add(5, 1, ca::Line{});
    CHECK(KindOf([&] { builder.Finish(5); }) == ca::ErrorKind::DataException);
}

TEST_CASE("baskets: equal to a set per transaction on random lines", "[transactions]") {
    std::mt19937_64 rng(20261129);
    for (int round = 0; round < 300; ++round) {
        const std::uint32_t transactions = 1 + rng() % 40;
        const std::uint32_t items = 1 + rng() % 30;
        const std::size_t lines = rng() % 400;
        ca::ExecContext ctx;
        ca::BasketBuilder builder(ctx);
        std::map<std::uint32_t, std::set<std::uint32_t>> expected;
        std::int64_t skipped = 0;
        for (std::size_t i = 0; i < lines; ++i) {
            const std::uint32_t t = rng() % transactions;
            const std::uint32_t item = rng() % items;
            ca::Line line;
            switch (rng() % 4) {
                case 0:
                    break;  // no quantity
                case 1:
                    line = Quantity(-static_cast<ca::Money>(rng() % 3));
                    break;
                default:
                    line = Quantity(static_cast<ca::Money>(1 + rng() % 5));
            }
            builder.Add(t, item, line);
            if (line.has_quantity && line.quantity <= 0)
                ++skipped;
            else
                expected[t].insert(item);
        }
        const ca::Baskets b = builder.Finish(transactions);
        REQUIRE(b.size() == transactions);
        std::size_t non_empty = 0;
        for (std::uint32_t t = 0; t < transactions; ++t) {
            const std::set<std::uint32_t> &want = expected[t];
            CHECK(Basket(b, t) == std::vector<std::uint32_t>(want.begin(), want.end()));
            non_empty += !want.empty();
        }
        CHECK(b.non_empty() == non_empty);
        CHECK(builder.skips().non_positive_quantity_rows == skipped);
    }
}

TEST_CASE("baskets: memory is counted and the limit is enforced", "[transactions]") {
    ca::ExecContext ctx(4096, nullptr);
    ca::BasketBuilder builder(ctx);
    CHECK(KindOf([&] {
              for (std::uint32_t i = 0; i < 100000; ++i) builder.Add(i % 10, i, ca::Line{});
          }) == ca::ErrorKind::MemoryLimit);
}

// ---- Mining per group: the (group, order) transactions and one group's baskets at a time ----

TEST_CASE("grouped transactions: one per (group, order) pair, with its group", "[transactions]") {
    ca::ExecContext ctx;
    ca::GroupedTransactions t(ctx);
    CHECK(t.FindOrAdd(0, 5) == 0);
    CHECK(t.FindOrAdd(1, 5) == 1);  // order 5's lines of group 1: a transaction of its own
    CHECK(t.FindOrAdd(0, 5) == 0);
    CHECK(t.FindOrAdd(0, 7) == 2);
    CHECK(t.FindOrAdd(UINT32_MAX, UINT32_MAX) == 3);  // the pair key uses all 64 bits
    CHECK(t.FindOrAdd(1, 5) == 1);
    CHECK(t.size() == 4);
    const ca::BudgetVector<std::uint32_t> groups = t.TakeGroups();
    CHECK(std::vector<std::uint32_t>(groups.begin(), groups.end()) ==
          std::vector<std::uint32_t>{0, 1, 0, UINT32_MAX});
}

namespace {

struct Visit {
    std::uint32_t group;
    std::vector<std::vector<std::uint32_t>> baskets;  // in original item indices
    std::vector<std::uint32_t> items;
};

std::vector<Visit> Visits(ca::ExecContext &ctx, const ca::Baskets &b,
                          const ca::BudgetVector<std::uint32_t> &group_of,
                          const ca::BudgetVector<std::uint32_t> &rank) {
    std::vector<Visit> out;
    ca::ForEachGroup(ctx, b, group_of, rank, [&](const ca::GroupBaskets &g) {
        Visit v{g.group, {}, std::vector<std::uint32_t>(g.items.begin(), g.items.end())};
        REQUIRE(std::is_sorted(v.items.begin(), v.items.end()));
        for (std::size_t t = 0; t < g.baskets.size(); ++t) {
            REQUIRE(g.baskets.basket_size(t) > 0);
            REQUIRE(std::is_sorted(g.baskets.begin(t), g.baskets.end(t)));
            std::vector<std::uint32_t> basket;
            for (const std::uint32_t *p = g.baskets.begin(t); p != g.baskets.end(t); ++p) {
                REQUIRE(*p < g.items.size());  // renumbered within the group
                basket.push_back(g.items[*p]);
            }
            v.baskets.push_back(basket);
        }
        out.push_back(v);
    });
    return out;
}

ca::BudgetVector<std::uint32_t> Vec(ca::ExecContext &ctx, std::vector<std::uint32_t> v) {
    auto out = ca::MakeBudgetVector<std::uint32_t>(ctx);
    out.assign(v.begin(), v.end());
    return out;
}

}  // namespace

TEST_CASE("grouped baskets: each group once, in rank order, items renumbered", "[transactions]") {
    ca::ExecContext ctx;
    ca::BasketBuilder builder(ctx);
    // Transactions 0..4 in groups 0, 2, 0, 1, 2; transaction 3 (group 1) has only a return, so
    // group 1 has no non-empty basket and is not visited.
    builder.Add(0, 40, ca::Line{});
    builder.Add(0, 7, ca::Line{});
    builder.Add(1, 7, ca::Line{});
    builder.Add(2, 99, ca::Line{});
    builder.Add(3, 5, Quantity(-1));
    builder.Add(4, 3, ca::Line{});
    builder.Add(4, 99, ca::Line{});
    const ca::Baskets b = builder.Finish(5);
    const auto group_of = Vec(ctx, {0, 2, 0, 1, 2});
    const auto rank = Vec(ctx, {1, 2, 0});  // group 2 first, then 0, then 1
    const std::size_t before = ctx.used();
    const std::vector<Visit> v = Visits(ctx, b, group_of, rank);
    CHECK(ctx.used() == before);  // everything ForEachGroup allocated is released
    REQUIRE(v.size() == 2);
    CHECK(v[0].group == 2);
    CHECK(v[0].items == std::vector<std::uint32_t>{3, 7, 99});
    CHECK(v[0].baskets == std::vector<std::vector<std::uint32_t>>{{7}, {3, 99}});
    CHECK(v[1].group == 0);
    CHECK(v[1].items == std::vector<std::uint32_t>{7, 40, 99});
    CHECK(v[1].baskets == std::vector<std::vector<std::uint32_t>>{{7, 40}, {99}});
}

TEST_CASE("grouped baskets: inconsistent groups are a data exception", "[transactions]") {
    ca::ExecContext ctx;
    ca::BasketBuilder builder(ctx);
    builder.Add(0, 1, ca::Line{});
    builder.Add(1, 2, ca::Line{});
    const ca::Baskets b = builder.Finish(2);
    auto none = [](const ca::GroupBaskets &) {};
    // Too few groups for the transactions, a group past the count, a rank that is no permutation.
    CHECK(KindOf([&] { ca::ForEachGroup(ctx, b, Vec(ctx, {0}), Vec(ctx, {0}), none); }) ==
          ca::ErrorKind::DataException);
    CHECK(KindOf([&] {
              ca::ForEachGroup(ctx, b, Vec(ctx, {0, 2}), Vec(ctx, {0, 1}), none);
          }) == ca::ErrorKind::DataException);
    CHECK(KindOf([&] {
              ca::ForEachGroup(ctx, b, Vec(ctx, {0, 1}), Vec(ctx, {1, 1}), none);
          }) == ca::ErrorKind::DataException);
    CHECK(KindOf([&] {
              ca::ForEachGroup(ctx, b, Vec(ctx, {0, 1}), Vec(ctx, {0, 2}), none);
          }) == ca::ErrorKind::DataException);
    // No transactions and no groups: nothing to visit.
    const ca::Baskets empty = ca::BasketBuilder(ctx).Finish(0);
    std::size_t visits = 0;
    ca::ForEachGroup(ctx, empty, Vec(ctx, {}), Vec(ctx, {}),
                     [&](const ca::GroupBaskets &) { ++visits; });
    CHECK(visits == 0);
}

TEST_CASE("grouped baskets: equal to each group's lines read on their own", "[transactions]") {
    std::mt19937_64 rng(20260115);
    for (int round = 0; round < 300; ++round) {
        const std::uint32_t groups = 1 + rng() % 6;
        const std::uint32_t orders = rng() % 30;
        ca::ExecContext ctx;
        const auto lines = basket_test::RandomGroupLines(rng, groups, orders, 1 + rng() % 12);
        const basket_test::GroupedBaskets grouped = basket_test::BuildGrouped(ctx, lines);
        const auto rank = basket_test::RandomRanks(ctx, rng, groups);
        const std::vector<Visit> v = Visits(ctx, grouped.baskets, grouped.group_of, rank);
        std::size_t next = 0;
        for (std::uint32_t r = 0; r < groups; ++r) {
            std::uint32_t g = 0;
            while (rank[g] != r) ++g;
            const ca::Baskets alone = basket_test::BuildOneGroup(ctx, lines, g, orders);
            std::vector<std::vector<std::uint32_t>> want;
            for (std::size_t t = 0; t < alone.size(); ++t)
                if (alone.basket_size(t) > 0) want.push_back(Basket(alone, t));
            if (want.empty()) continue;  // a group without a non-empty basket is not visited
            REQUIRE(next < v.size());
            CHECK(v[next].group == g);
            // Transactions are numbered by first appearance in either path, so compare as sets.
            auto got = v[next].baskets;
            std::sort(got.begin(), got.end());
            std::sort(want.begin(), want.end());
            CHECK(got == want);
            ++next;
        }
        CHECK(next == v.size());
    }
}

TEST_CASE("grouped baskets: a cancel releases every charge", "[transactions]") {
    std::mt19937_64 rng(5);
    ca::ExecContext data;
    const auto lines = basket_test::RandomGroupLines(rng, 50, 2000, 30);
    const basket_test::GroupedBaskets grouped = basket_test::BuildGrouped(data, lines);
    const auto rank = basket_test::RandomRanks(data, rng, 50);
    for (int throw_at : {1, 3, 10}) {
        HookState hook;
        hook.throw_at = throw_at;
        ca::ExecContext ctx(ca::ExecContext::kUnlimited, CountingHook, &hook);
        INFO("cancel at hook call " << throw_at);
        CHECK(KindOf([&] {
                  ca::ForEachGroup(ctx, grouped.baskets, grouped.group_of, rank,
                                   [](const ca::GroupBaskets &) {});
              }) == ca::ErrorKind::Cancelled);
        CHECK(ctx.used() == 0);
    }
}

TEST_CASE("grouped baskets: memory is counted, and past the limit nothing stays charged",
          "[transactions]") {
    // ForEachGroup's own peak (the sort, the item map and one group's copy), measured, passes;
    // any lower limit fails with the limit error and releases every charge.
    std::mt19937_64 rng(8);
    ca::ExecContext data;
    const auto lines = basket_test::RandomGroupLines(rng, 20, 1500, 40);
    const basket_test::GroupedBaskets grouped = basket_test::BuildGrouped(data, lines);
    const auto rank = basket_test::RandomRanks(data, rng, 20);
    auto none = [](const ca::GroupBaskets &) {};
    std::size_t peak;
    {
        ca::ExecContext ctx;
        ca::ForEachGroup(ctx, grouped.baskets, grouped.group_of, rank, none);
        CHECK(ctx.used() == 0);
        peak = ctx.peak();
    }
    INFO("peak " << peak << " bytes");
    // One group's copy at a time: far below copies of all 20 groups at once (8 bytes per basket
    // and 4 per item occurrence), yet more than the 4 bytes per transaction of the sort alone.
    const std::size_t all_copies = 8 * grouped.baskets.size() + 4 * grouped.baskets.items.size();
    CHECK(peak < all_copies / 2);
    CHECK(peak > 4 * grouped.baskets.size());
    for (std::size_t limit : {std::size_t{64}, peak / 2, peak - 1}) {
        ca::ExecContext ctx(limit);
        CHECK(KindOf([&] {
                  ca::ForEachGroup(ctx, grouped.baskets, grouped.group_of, rank, none);
              }) == ca::ErrorKind::MemoryLimit);
        CHECK(ctx.used() == 0);
    }
    ca::ExecContext enough(peak);
    ca::ForEachGroup(enough, grouped.baskets, grouped.group_of, rank, none);
}
