// SQL face of market-basket analysis: frequent_itemsets() and association_rules(). Definitions
// live in src/core/basket.* and basket_rules.* (docs/basket.md); this file reads the arguments,
// reads the baskets through the transactions reader and writes rows.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "args.hpp"
#include "basket.hpp"
#include "basket_rules.hpp"
#include "customer_index.hpp"
#include "door.hpp"
#include "key_column.hpp"
#include "srf.hpp"
#include "transactions.hpp"
#include "transactions_reader.hpp"

namespace {

// Sorts items (original indices) by their rank in the items' natural order (KeyRanks), so that
// equal itemsets are equal arrays.
void SortByRank(const ca::BudgetVector<std::uint32_t> &rank, const std::uint32_t *first,
                std::size_t n, ca::BudgetVector<std::uint32_t> &out) {
    out.assign(first, first + n);
    std::sort(out.begin(), out.end(),
              [&](std::uint32_t a, std::uint32_t b) { return rank[a] < rank[b]; });
}

}  // namespace

// frequent_itemsets(item_type, items_sql, min_support, max_size, target, min_size, per)
//   RETURNS TABLE (items anyarray, size integer, count bigint, support double precision)
CA_FUNCTION(ca_frequent_itemsets) {
    const std::string items_sql = ca::pg::RequiredTextArg(fcinfo, 1, "items_sql");
    ca::ItemsetOptions options;
    options.min_support = ca::pg::RequiredFloat8Arg(fcinfo, 2, "min_support");
    options.max_size = ca::pg::SizeArg(fcinfo, 3, "max_size", ca::ItemsetOptions::kNoMaxSize);
    options.target = ca::ParseItemsetTarget(ca::pg::RequiredTextArg(fcinfo, 4, "target"));
    options.min_size = ca::pg::SizeArg(fcinfo, 5, "min_size", 1);
    const ca::pg::TransactionKey per =
        ca::pg::ParseTransactionKey(ca::pg::RequiredTextArg(fcinfo, 6, "per"));
    ca::ValidateItemsetOptions(options);

    ca::ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    // Items come back as arrays of the type item_type resolved to; checked before reading.
    std::optional<ca::pg::KeyOutput> item_out;
    const ca::pg::BasketsRead in = ca::pg::ReadBaskets(
        ctx, items_sql, "items_sql", per, "frequent_itemsets",
        [&](const ca::pg::TransactionsSource &source) {
            item_out.emplace(source.item,
                             ca::pg::ArrayElementType(ca::pg::ResultColumnType(fcinfo, 1)), "item",
                             "item_type");
        });
    const ca::pg::KeyOutput &items_out = *item_out;
    const ca::CustomerIndex &items = *in.items;
    const ca::Baskets &baskets = *in.baskets;

    // The items of each itemset in their natural order (KeyRanks), so that equal itemsets are
    // equal arrays.
    const ca::BudgetVector<std::uint32_t> rank = ca::pg::KeyRanks(ctx, items, in.source.item);
    auto sorted = ca::MakeBudgetVector<std::uint32_t>(ctx);
    const double n = static_cast<double>(baskets.non_empty());
    ca::pg::ResultWriter out(fcinfo);
    ca::MineItemsets(ctx, baskets, options,
                     [&](const std::uint32_t *set, std::size_t size, std::uint64_t count) {
                         sorted.assign(set, set + size);
                         std::sort(
                             sorted.begin(), sorted.end(),
                             [&](std::uint32_t a, std::uint32_t b) { return rank[a] < rank[b]; });
                         const std::uint32_t *ordered = sorted.data();
                         out.Row<4>([&](Datum *values, bool *) {
                             values[0] = items_out.MakeArray(items, ordered, size);
                             values[1] = Int32GetDatum(static_cast<int32>(size));
                             values[2] = Int64GetDatum(static_cast<int64>(count));
                             values[3] = Float8GetDatum(static_cast<double>(count) / n);
                         });
                     });
    return (Datum)0;
}

// association_rules(item_type, items_sql, min_support, min_confidence, min_lift, max_antecedent,
//                   max_consequent, max_size, per)
//   RETURNS TABLE (antecedent anyarray, consequent anyarray, count bigint, support, ...)
CA_FUNCTION(ca_association_rules) {
    const std::string items_sql = ca::pg::RequiredTextArg(fcinfo, 1, "items_sql");
    ca::RuleOptions options;
    options.min_support = ca::pg::RequiredFloat8Arg(fcinfo, 2, "min_support");
    options.min_confidence = ca::pg::RequiredFloat8Arg(fcinfo, 3, "min_confidence");
    options.min_lift = PG_ARGISNULL(4) ? 0.0 : PG_GETARG_FLOAT8(4);
    options.max_antecedent =
        ca::pg::SizeArg(fcinfo, 5, "max_antecedent", ca::RuleOptions::kNoBound);
    options.max_consequent =
        ca::pg::SizeArg(fcinfo, 6, "max_consequent", ca::RuleOptions::kNoBound);
    options.max_size = ca::pg::SizeArg(fcinfo, 7, "max_size", ca::RuleOptions::kNoBound);
    const ca::pg::TransactionKey per =
        ca::pg::ParseTransactionKey(ca::pg::RequiredTextArg(fcinfo, 8, "per"));
    ca::ValidateRuleOptions(options);

    ca::ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    // Items come back as arrays of the type item_type resolved to; checked before reading.
    std::optional<ca::pg::KeyOutput> item_out;
    const ca::pg::BasketsRead in = ca::pg::ReadBaskets(
        ctx, items_sql, "items_sql", per, "association_rules",
        [&](const ca::pg::TransactionsSource &source) {
            item_out.emplace(source.item,
                             ca::pg::ArrayElementType(ca::pg::ResultColumnType(fcinfo, 1)), "item",
                             "item_type");
        });
    const ca::pg::KeyOutput &items_out = *item_out;
    const ca::CustomerIndex &items = *in.items;
    const ca::BudgetVector<std::uint32_t> rank = ca::pg::KeyRanks(ctx, items, in.source.item);
    auto antecedent = ca::MakeBudgetVector<std::uint32_t>(ctx);
    auto consequent = ca::MakeBudgetVector<std::uint32_t>(ctx);
    ca::pg::ResultWriter out(fcinfo);
    ca::MineRules(ctx, *in.baskets, options, [&](const ca::Rule &r) {
        SortByRank(rank, r.antecedent, r.antecedent_size, antecedent);
        SortByRank(rank, r.consequent, r.consequent_size, consequent);
        const std::uint32_t *x = antecedent.data();
        const std::uint32_t *y = consequent.data();
        out.Row<15>([&](Datum *values, bool *) {
            values[0] = items_out.MakeArray(items, x, r.antecedent_size);
            values[1] = items_out.MakeArray(items, y, r.consequent_size);
            values[2] = Int64GetDatum(static_cast<int64>(r.count));
            values[3] = Float8GetDatum(r.support);
            values[4] = Float8GetDatum(r.antecedent_support);
            values[5] = Float8GetDatum(r.consequent_support);
            values[6] = Float8GetDatum(r.confidence);
            values[7] = Float8GetDatum(r.lift);
            values[8] = Float8GetDatum(r.leverage);
            values[9] = Float8GetDatum(r.conviction);
            values[10] = Float8GetDatum(r.jaccard);
            values[11] = Float8GetDatum(r.certainty);
            values[12] = Float8GetDatum(r.kulczynski);
            values[13] = Float8GetDatum(r.zhangs_metric);
            values[14] = Float8GetDatum(r.fisher_p);
        });
    });
    return (Datum)0;
}
