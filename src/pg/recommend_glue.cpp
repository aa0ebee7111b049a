// SQL face of the "also bought" recommendations: also_bought(). The definition lives in
// src/core/basket_recommend.* (docs/basket.md, "Recommendations"); this file reads the
// arguments, reads the baskets through the transactions reader, maps the basket argument onto
// the items and writes rows.
#include <optional>
#include <string>

#include "args.hpp"
#include "basket_recommend.hpp"
#include "basket_rules.hpp"
#include "customer_index.hpp"
#include "door.hpp"
#include "key_column.hpp"
#include "srf.hpp"
#include "transactions_reader.hpp"

// also_bought(items_sql, basket anyarray, top_n, min_support, min_confidence, min_lift,
//             max_antecedent, per)
//   RETURNS TABLE (item anyelement, antecedent anyarray, count bigint, support, confidence, lift)
CA_FUNCTION(ca_also_bought) {
    const std::string items_sql = ca::pg::RequiredTextArg(fcinfo, 0, "items_sql");
    ca::RecommendOptions options;
    options.top_n = ca::pg::SizeArg(fcinfo, 2, "top_n", ca::RuleOptions::kNoBound);
    options.min_support = ca::pg::RequiredFloat8Arg(fcinfo, 3, "min_support");
    options.min_confidence = ca::pg::RequiredFloat8Arg(fcinfo, 4, "min_confidence");
    options.min_lift = PG_ARGISNULL(5) ? 0.0 : PG_GETARG_FLOAT8(5);
    options.max_antecedent =
        ca::pg::SizeArg(fcinfo, 6, "max_antecedent", ca::RuleOptions::kNoBound);
    const ca::pg::TransactionKey per =
        ca::pg::ParseTransactionKey(ca::pg::RequiredTextArg(fcinfo, 7, "per"));
    ca::ValidateRecommendOptions(options);

    ca::ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    // The basket must match the items' type, and so must the result (the basket's element
    // type): both checked before the user's query runs.
    ca::pg::KeyList basket;
    std::optional<ca::pg::KeyOutput> item_out;
    const ca::pg::BasketsRead in = ca::pg::ReadBaskets(
        ctx, items_sql, "items_sql", per, ca::pg::BasketGrouping::None, "also_bought",
        [&](const ca::pg::TransactionsSource &source) {
            basket = ca::pg::KeyArrayArg(fcinfo, 1, "basket", source.item);
            item_out.emplace(source.item, ca::pg::ResultColumnType(fcinfo, 1), "item", "basket");
        });
    ca::CustomerIndex &items = *in.items;
    const ca::BudgetVector<std::uint32_t> rank = ca::pg::KeyRanks(ctx, items, in.source.item);
    // The basket's items as item indices; items that no line has cannot be in a rule.
    auto basket_items = ca::MakeBudgetVector<std::uint32_t>(ctx);
    const std::size_t known = items.size();
    for (std::size_t i = 0; i < basket.size(); ++i) {
        ctx.Tick();
        const std::uint32_t index =
            basket.integer ? items.FindOrAdd(basket.ints[i]) : items.FindOrAdd(basket.bytes[i]);
        if (index < known) basket_items.push_back(index);
    }
    ca::pg::ResultWriter out(fcinfo);
    ca::Recommend(ctx, *in.baskets, rank, basket_items.data(), basket_items.size(), options,
                  [&](const ca::Recommendation &r) {
                      out.Row<6>([&](Datum *values, bool *) {
                          values[0] = item_out->Make(items, r.item);
                          values[1] = item_out->MakeArray(items, r.antecedent, r.antecedent_size);
                          values[2] = Int64GetDatum(static_cast<int64>(r.count));
                          values[3] = Float8GetDatum(r.support);
                          values[4] = Float8GetDatum(r.confidence);
                          values[5] = Float8GetDatum(r.lift);
                      });
                  });
    return (Datum)0;
}
