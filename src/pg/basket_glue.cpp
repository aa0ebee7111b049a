// SQL face of market-basket analysis: frequent_itemsets() and association_rules(), and their
// _by_group() forms that mine each group_key separately. Definitions live in src/core/basket.*
// and basket_rules.* (docs/basket.md); this file reads the arguments, reads the baskets through
// the transactions reader and writes rows.
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

// The items first[0 .. n) (original indices, or a group's local ones mapped through `decode`) in
// their natural order (KeyRanks), so that equal itemsets are equal arrays.
void SortByRank(const ca::BudgetVector<std::uint32_t> &rank, const std::uint32_t *first,
                std::size_t n, const std::uint32_t *decode, ca::BudgetVector<std::uint32_t> &out) {
    out.resize(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = decode != nullptr ? decode[first[i]] : first[i];
    std::sort(out.begin(), out.end(),
              [&](std::uint32_t a, std::uint32_t b) { return rank[a] < rank[b]; });
}

// The baskets of items_sql with the outputs of its items and, per group, of its groups. The
// result columns are (group_key,) items...: the items' array type is result column 1, or 2 after
// group_key.
struct BasketInput {
    ca::pg::BasketsRead in;
    std::optional<ca::pg::KeyOutput> items_out;
    std::optional<ca::pg::KeyOutput> groups_out;
};

BasketInput ReadInput(FunctionCallInfo fcinfo, ca::ExecContext &ctx, const std::string &items_sql,
                      ca::pg::TransactionKey per, bool per_group, const char *function) {
    BasketInput input;
    input.in = ca::pg::ReadBaskets(
        ctx, items_sql, "items_sql", per,
        per_group ? ca::pg::BasketGrouping::PerGroup : ca::pg::BasketGrouping::None, function,
        [&](const ca::pg::TransactionsSource &source) {
            // The types group_type and item_type resolved to; checked before reading.
            if (per_group)
                input.groups_out.emplace(source.group, ca::pg::ResultColumnType(fcinfo, 1),
                                         "group_key", "group_type");
            input.items_out.emplace(
                source.item,
                ca::pg::ArrayElementType(ca::pg::ResultColumnType(fcinfo, 1 + per_group)), "item",
                "item_type");
        });
    return input;
}

// Calls mine(group, baskets, decode): once with all the baskets (group 0, decode null), or per
// group, groups in the group key's natural order (KeyRanks), with that group's baskets and the
// map of its local item indices to the original ones (ForEachGroup).
template <typename Mine>
void ForEachBasketSet(ca::ExecContext &ctx, const BasketInput &input, Mine &&mine) {
    const ca::pg::BasketsRead &in = input.in;
    if (in.groups == nullptr) {
        mine(std::uint32_t{0}, *in.baskets, static_cast<const std::uint32_t *>(nullptr));
        return;
    }
    const ca::BudgetVector<std::uint32_t> group_rank =
        ca::pg::KeyRanks(ctx, *in.groups, in.source.group);
    ca::ForEachGroup(ctx, *in.baskets, *in.basket_groups, group_rank,
                     [&](const ca::GroupBaskets &g) { mine(g.group, g.baskets, g.items.data()); });
}

// Writes one row: fill(values) sets the N columns after group_key, which comes first per group.
template <int N, typename Fill>
void WriteRow(ca::pg::ResultWriter &out, const BasketInput &input, std::uint32_t group,
              Fill &&fill) {
    if (input.groups_out) {
        out.Row<N + 1>([&](Datum *values, bool *) {
            values[0] = input.groups_out->Make(*input.in.groups, group);
            fill(values + 1);
        });
    } else {
        out.Row<N>([&](Datum *values, bool *) { fill(values); });
    }
}

// frequent_itemsets(item_type, items_sql, min_support, max_size, target, min_size, per)
//   RETURNS TABLE (items anyarray, size integer, count bigint, support double precision)
// frequent_itemsets_by_group(group_type, item_type, items_sql, ...the same)
//   RETURNS TABLE (group_key anycompatible, items anyarray, ...the same)
Datum FrequentItemsets(FunctionCallInfo fcinfo, bool per_group, const char *function) {
    const int a = per_group ? 2 : 1;  // items_sql
    const std::string items_sql = ca::pg::RequiredTextArg(fcinfo, a, "items_sql");
    ca::ItemsetOptions options;
    options.min_support = ca::pg::RequiredFloat8Arg(fcinfo, a + 1, "min_support");
    options.max_size = ca::pg::SizeArg(fcinfo, a + 2, "max_size", ca::ItemsetOptions::kNoMaxSize);
    options.target = ca::ParseItemsetTarget(ca::pg::RequiredTextArg(fcinfo, a + 3, "target"));
    options.min_size = ca::pg::SizeArg(fcinfo, a + 4, "min_size", 1);
    const ca::pg::TransactionKey per =
        ca::pg::ParseTransactionKey(ca::pg::RequiredTextArg(fcinfo, a + 5, "per"));
    ca::ValidateItemsetOptions(options);

    ca::ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    const BasketInput input = ReadInput(fcinfo, ctx, items_sql, per, per_group, function);
    const ca::CustomerIndex &items = *input.in.items;
    const ca::BudgetVector<std::uint32_t> rank = ca::pg::KeyRanks(ctx, items, input.in.source.item);
    auto sorted = ca::MakeBudgetVector<std::uint32_t>(ctx);
    ca::pg::ResultWriter out(fcinfo);
    ForEachBasketSet(
        ctx, input,
        [&](std::uint32_t group, const ca::Baskets &baskets, const std::uint32_t *decode) {
            const double n = static_cast<double>(baskets.non_empty());
            ca::MineItemsets(ctx, baskets, options,
                             [&](const std::uint32_t *set, std::size_t size, std::uint64_t count) {
                                 SortByRank(rank, set, size, decode, sorted);
                                 const std::uint32_t *ordered = sorted.data();
                                 WriteRow<4>(out, input, group, [&](Datum *values) {
                                     values[0] = input.items_out->MakeArray(items, ordered, size);
                                     values[1] = Int32GetDatum(static_cast<int32>(size));
                                     values[2] = Int64GetDatum(static_cast<int64>(count));
                                     values[3] = Float8GetDatum(static_cast<double>(count) / n);
                                 });
                             });
        });
    return (Datum)0;
}

// association_rules(item_type, items_sql, min_support, min_confidence, min_lift, max_antecedent,
//                   max_consequent, max_size, per)
//   RETURNS TABLE (antecedent anyarray, consequent anyarray, count bigint, support, ...)
// association_rules_by_group(group_type, item_type, items_sql, ...the same)
//   RETURNS TABLE (group_key anycompatible, antecedent anyarray, ...the same)
Datum AssociationRules(FunctionCallInfo fcinfo, bool per_group, const char *function) {
    const int a = per_group ? 2 : 1;  // items_sql
    const std::string items_sql = ca::pg::RequiredTextArg(fcinfo, a, "items_sql");
    ca::RuleOptions options;
    options.min_support = ca::pg::RequiredFloat8Arg(fcinfo, a + 1, "min_support");
    options.min_confidence = ca::pg::RequiredFloat8Arg(fcinfo, a + 2, "min_confidence");
    options.min_lift = PG_ARGISNULL(a + 3) ? 0.0 : PG_GETARG_FLOAT8(a + 3);
    options.max_antecedent =
        ca::pg::SizeArg(fcinfo, a + 4, "max_antecedent", ca::RuleOptions::kNoBound);
    options.max_consequent =
        ca::pg::SizeArg(fcinfo, a + 5, "max_consequent", ca::RuleOptions::kNoBound);
    options.max_size = ca::pg::SizeArg(fcinfo, a + 6, "max_size", ca::RuleOptions::kNoBound);
    const ca::pg::TransactionKey per =
        ca::pg::ParseTransactionKey(ca::pg::RequiredTextArg(fcinfo, a + 7, "per"));
    ca::ValidateRuleOptions(options);

    ca::ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    const BasketInput input = ReadInput(fcinfo, ctx, items_sql, per, per_group, function);
    const ca::CustomerIndex &items = *input.in.items;
    const ca::BudgetVector<std::uint32_t> rank = ca::pg::KeyRanks(ctx, items, input.in.source.item);
    auto antecedent = ca::MakeBudgetVector<std::uint32_t>(ctx);
    auto consequent = ca::MakeBudgetVector<std::uint32_t>(ctx);
    ca::pg::ResultWriter out(fcinfo);
    ForEachBasketSet(
        ctx, input,
        [&](std::uint32_t group, const ca::Baskets &baskets, const std::uint32_t *decode) {
            ca::MineRules(ctx, baskets, options, [&](const ca::Rule &r) {
                SortByRank(rank, r.antecedent, r.antecedent_size, decode, antecedent);
                SortByRank(rank, r.consequent, r.consequent_size, decode, consequent);
                const std::uint32_t *x = antecedent.data();
                const std::uint32_t *y = consequent.data();
                WriteRow<15>(out, input, group, [&](Datum *values) {
                    values[0] = input.items_out->MakeArray(items, x, r.antecedent_size);
                    values[1] = input.items_out->MakeArray(items, y, r.consequent_size);
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
        });
    return (Datum)0;
}

}  // namespace

CA_FUNCTION(ca_frequent_itemsets) {
    return FrequentItemsets(fcinfo, false, "frequent_itemsets");
}

CA_FUNCTION(ca_frequent_itemsets_by_group) {
    return FrequentItemsets(fcinfo, true, "frequent_itemsets_by_group");
}

CA_FUNCTION(ca_association_rules) {
    return AssociationRules(fcinfo, false, "association_rules");
}

CA_FUNCTION(ca_association_rules_by_group) {
    return AssociationRules(fcinfo, true, "association_rules_by_group");
}
