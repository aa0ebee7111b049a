// The baskets BasketBuilder makes of transaction lines (src/core/transactions.hpp): against a
// brute-force std::set formulation on random lines, and on hand-made cases.
#include <map>
#include <random>
#include <set>
#include <vector>

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
