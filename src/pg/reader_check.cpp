// Diagnostics of the shared readers for the regression tests (the test-only extension
// customer_analytics_test, test/extension/): read_transactions() returns the baskets the
// transactions reader and the core's BasketBuilder make of items_sql, and basket_keys() shows how
// an array argument is matched to the items' key column (KeyArrayArg) and given back (KeyOutput).
// The market-basket analytics will use the same pieces.
#include <optional>
#include <string>

#include "args.hpp"
#include "customer_index.hpp"
#include "door.hpp"
#include "exec_context.hpp"
#include "inner_query.hpp"
#include "key_column.hpp"
#include "srf.hpp"
#include "transactions.hpp"
#include "transactions_reader.hpp"

// read_transactions(item_type anyelement, items_sql text, per text)
//   RETURNS TABLE (transaction text, items anyarray)
CA_FUNCTION(ca_read_transactions) {
    const std::string items_sql = ca::pg::RequiredTextArg(fcinfo, 1, "items_sql");
    const ca::pg::TransactionKey per =
        ca::pg::ParseTransactionKey(ca::pg::RequiredTextArg(fcinfo, 2, "per"));
    ca::ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    std::optional<ca::pg::KeyOutput> transaction_out, item_out;
    const ca::pg::BasketsRead in = ca::pg::ReadBaskets(
        ctx, items_sql, "items_sql", per, ca::pg::BasketGrouping::None, "read_transactions",
        [&](const ca::pg::TransactionsSource &source) {
            transaction_out.emplace(ca::pg::TransactionKeyColumn(source, per, "items_sql"), TEXTOID,
                                    "transaction", "per");
            item_out.emplace(source.item,
                             ca::pg::ArrayElementType(ca::pg::ResultColumnType(fcinfo, 2)), "item",
                             "item_type");
        });
    const ca::Baskets &baskets = *in.baskets;
    ca::pg::ResultWriter out(fcinfo);
    for (std::size_t t = 0; t < baskets.size(); ++t) {
        if (baskets.basket_size(t) == 0) continue;  // not a transaction (transactions.hpp)
        out.Row<2>([&](Datum *values, bool *) {
            values[0] = transaction_out->Make(*in.transactions, static_cast<std::uint32_t>(t));
            values[1] = item_out->MakeArray(*in.items, baskets.begin(t), baskets.basket_size(t));
        });
    }
    return (Datum)0;
}

// basket_keys(items_sql text, basket anyarray) RETURNS TABLE (item anyelement, known boolean)
CA_FUNCTION(ca_basket_keys) {
    const std::string items_sql = ca::pg::RequiredTextArg(fcinfo, 0, "items_sql");
    ca::ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    ca::pg::KeyList basket;
    std::optional<ca::pg::KeyOutput> item_out;
    const ca::pg::BasketsRead in = ca::pg::ReadBaskets(
        ctx, items_sql, "items_sql", ca::pg::TransactionKey::Order, ca::pg::BasketGrouping::None,
        "basket_keys", [&](const ca::pg::TransactionsSource &source) {
            basket = ca::pg::KeyArrayArg(fcinfo, 1, "basket", source.item);
            item_out.emplace(source.item, ca::pg::ResultColumnType(fcinfo, 1), "item", "basket");
        });
    ca::CustomerIndex &items = *in.items;
    const std::size_t known_items = items.size();
    ca::pg::ResultWriter out(fcinfo);
    for (std::size_t i = 0; i < basket.size(); ++i) {
        const std::uint32_t index =
            basket.integer ? items.FindOrAdd(basket.ints[i]) : items.FindOrAdd(basket.bytes[i]);
        out.Row<2>([&](Datum *values, bool *) {
            values[0] = item_out->Make(items, index);
            values[1] = BoolGetDatum(index < known_items);
        });
    }
    return (Datum)0;
}
