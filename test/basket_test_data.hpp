// Data for the market-basket tests (test_basket.cpp, test_basket_rules.cpp): baskets from rows of
// items, a dense dataset whose itemsets explode, and the Groceries baskets.
#pragma once

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "test_support.hpp"
#include "transactions.hpp"

namespace basket_test {

using Itemset = std::vector<std::uint32_t>;

inline ca::Baskets MakeBaskets(ca::ExecContext &ctx, const std::vector<Itemset> &rows) {
    ca::Baskets b(ctx);
    b.offsets.push_back(0);
    for (const Itemset &row : rows) {
        for (std::uint32_t item : row) b.items.push_back(item);
        b.offsets.push_back(b.items.size());
    }
    return b;
}

// For the brute-force enumerators: the non-empty baskets as bit masks of a universe of at most
// 32 items (an empty basket is no transaction of the analysis).
inline std::vector<std::uint32_t> NonEmptyMasks(const std::vector<Itemset> &rows) {
    std::vector<std::uint32_t> masks;
    for (const Itemset &row : rows) {
        std::uint32_t m = 0;
        for (std::uint32_t item : row) m |= 1u << item;
        if (m != 0) masks.push_back(m);
    }
    return masks;
}

// arules' threshold, ceil(n * min_support) in double, at least 1 and at most n: written out
// independently of ca::MinCount.
inline std::uint64_t BruteForceMinCount(std::uint64_t n, double min_support) {
    double threshold = std::ceil(static_cast<double>(n) * min_support);
    if (threshold < 1) threshold = 1;
    return std::min<std::uint64_t>(static_cast<std::uint64_t>(threshold), n);
}

// Random baskets for the property tests: fewer than max_transactions baskets over items
// 0 .. universe - 1 at a random density, about one in five a copy of an earlier one (identical
// baskets), some empty.
template <typename Rng>
std::vector<Itemset> RandomRows(Rng &rng, unsigned universe, std::size_t max_transactions) {
    const std::size_t transactions = rng() % max_transactions;
    const double density = 0.1 + 0.8 * static_cast<double>(rng() % 1000) / 1000.0;
    std::vector<Itemset> rows;
    for (std::size_t t = 0; t < transactions; ++t) {
        if (!rows.empty() && rng() % 5 == 0) {
            rows.push_back(rows[rng() % rows.size()]);
            continue;
        }
        Itemset row;
        for (std::uint32_t i = 0; i < universe; ++i)
            if (static_cast<double>(rng() % 1000) / 1000.0 < density) row.push_back(i);
        rows.push_back(row);
    }
    return rows;
}

// 3000 baskets over 40 items, each item in about 60% of them: explodes at a low min_support.
inline std::vector<Itemset> Dense() {
    std::mt19937_64 rng(99);
    std::vector<Itemset> rows(3000);
    for (Itemset &row : rows)
        for (std::uint32_t i = 0; i < 40; ++i)
            if (rng() % 10 < 6) row.push_back(i);
    return rows;
}

// ---- Mining per group (transactions.hpp: GroupedTransactions, ForEachGroup) ----

// A line of mining per group: one item of one order, carrying one group; a `returned` line has a
// quantity of zero or less.
struct GroupLine {
    std::uint32_t group, order, item;
    bool returned;
};

inline ca::Line LineOf(const GroupLine &l) {
    ca::Line line;
    line.has_quantity = true;
    line.quantity = l.returned ? -ca::kMoneyUnit : ca::kMoneyUnit;
    return line;
}

// Random lines: each order has lines in one to three groups (so orders span groups), each
// group its own item density (so groups differ), repeated items and returns, and at times an
// order whose lines in a group are all returned (an empty basket).
inline std::vector<GroupLine> RandomGroupLines(std::mt19937_64 &rng, std::uint32_t groups,
                                               std::uint32_t orders, std::uint32_t universe) {
    std::vector<double> density(groups);
    for (double &d : density) d = 0.1 + 0.8 * static_cast<double>(rng() % 1000) / 1000.0;
    std::vector<GroupLine> lines;
    for (std::uint32_t o = 0; o < orders; ++o) {
        const std::uint32_t spans = 1 + static_cast<std::uint32_t>(rng() % 3);
        for (std::uint32_t k = 0; k < spans; ++k) {
            const std::uint32_t g = static_cast<std::uint32_t>(rng() % groups);
            const bool all_returned = rng() % 10 == 0;
            for (std::uint32_t i = 0; i < universe; ++i) {
                if (static_cast<double>(rng() % 1000) / 1000.0 >= density[g]) continue;
                const std::uint32_t copies = rng() % 5 == 0 ? 2 : 1;  // an item on two lines
                for (std::uint32_t c = 0; c < copies; ++c)
                    lines.push_back({g, o, i, all_returned || rng() % 20 == 0});
            }
        }
    }
    std::shuffle(lines.begin(), lines.end(), rng);  // the reader sees lines in any order
    return lines;
}

// The grouped path as the transactions reader feeds the core: (group, order) pairs numbered by
// GroupedTransactions, every line into one BasketBuilder.
struct GroupedBaskets {
    ca::Baskets baskets;
    ca::BudgetVector<std::uint32_t> group_of;
};

inline GroupedBaskets BuildGrouped(ca::ExecContext &ctx, const std::vector<GroupLine> &lines) {
    ca::GroupedTransactions transactions(ctx);
    ca::BasketBuilder builder(ctx);
    for (const GroupLine &l : lines)
        builder.Add(transactions.FindOrAdd(l.group, l.order), l.item, LineOf(l));
    ca::Baskets baskets = builder.Finish(transactions.size());
    return GroupedBaskets{std::move(baskets), transactions.TakeGroups()};
}

// One group's baskets made on their own, as the ungrouped functions would make them from a
// query filtered to that group: only its lines, one transaction per order.
inline ca::Baskets BuildOneGroup(ca::ExecContext &ctx, const std::vector<GroupLine> &lines,
                                 std::uint32_t group, std::uint32_t orders) {
    ca::BasketBuilder builder(ctx);
    for (const GroupLine &l : lines)
        if (l.group == group) builder.Add(l.order, l.item, LineOf(l));
    return builder.Finish(orders);
}

// A random order of the groups: rank[g] is group g's place.
inline ca::BudgetVector<std::uint32_t> RandomRanks(ca::ExecContext &ctx, std::mt19937_64 &rng,
                                                   std::uint32_t groups) {
    std::vector<std::uint32_t> order(groups);
    for (std::uint32_t g = 0; g < groups; ++g) order[g] = g;
    std::shuffle(order.begin(), order.end(), rng);
    auto rank = ca::MakeBudgetVector<std::uint32_t>(ctx);
    rank.resize(groups);
    for (std::uint32_t r = 0; r < groups; ++r) rank[order[r]] = r;
    return rank;
}

// One basket per line, items separated by commas; a field may be in double quotes, with a
// quote inside written twice (the data README says Groceries has none, but costs nothing).
inline std::vector<std::vector<std::string>> ParseBasketLines(const std::string &text) {
    std::vector<std::vector<std::string>> lines;
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false, any = false;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : '\n';
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = any = true;
        } else if (c == ',') {
            fields.push_back(field);
            field.clear();
        } else if (c == '\n') {
            if (!field.empty() || !fields.empty() || any) {
                fields.push_back(field);
                lines.push_back(fields);
            } else if (i < text.size()) {
                lines.emplace_back();  // an empty line: an empty basket
            }
            fields.clear();
            field.clear();
            any = false;
        } else if (c != '\r') {
            field += c;
            any = true;
        }
    }
    return lines;
}

// The Groceries baskets (arules' data: 9,835 baskets, 169 items), items indexed in order of first
// appearance, with their names; false, with a visible SKIP message, when the file is not there.
inline bool LoadGroceries(ca::ExecContext &ctx, ca::Baskets &baskets,
                          std::vector<std::string> &item_names) {
    std::string text;
    if (!ReadDataFile("groceries.csv.gz", text)) return false;
    const auto lines = ParseBasketLines(text);
    ca::BasketBuilder builder(ctx);
    std::unordered_map<std::string, std::uint32_t> item_index;
    for (std::size_t t = 0; t < lines.size(); ++t) {
        for (const std::string &name : lines[t]) {
            auto [it, added] =
                item_index.emplace(name, static_cast<std::uint32_t>(item_index.size()));
            if (added) item_names.push_back(name);
            builder.Add(static_cast<std::uint32_t>(t), it->second, ca::Line{});
        }
    }
    baskets = builder.Finish(lines.size());
    REQUIRE(baskets.size() == 9835);  // the data README's figures
    REQUIRE(baskets.non_empty() == 9835);
    REQUIRE(item_names.size() == 169);
    REQUIRE(baskets.items.size() == 43367);
    return true;
}

}  // namespace basket_test
