// SQL face of market-basket analysis: frequent_itemsets(). Definitions live in src/core/basket.*
// (docs/basket.md); this file reads the arguments and the transactions and writes rows.
#include <algorithm>
#include <cmath>
#include <string>

#include "args.hpp"
#include "basket.hpp"
#include "customer_index.hpp"
#include "door.hpp"
#include "key_column.hpp"
#include "srf.hpp"
#include "transactions.hpp"
#include "transactions_reader.hpp"

namespace {

using ca::pg::SqlError;

double RequiredFloat8(FunctionCallInfo fcinfo, int n, const char *name) {
    if (PG_ARGISNULL(n))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, std::string(name) + " must not be null");
    return PG_GETARG_FLOAT8(n);
}

// An optional size bound: NULL is `none`; otherwise at least 1.
std::size_t SizeArg(FunctionCallInfo fcinfo, int n, const char *name, std::size_t none) {
    if (PG_ARGISNULL(n)) return none;
    const int32 v = PG_GETARG_INT32(n);
    if (v < 1)
        throw ca::InvalidParameter(std::string(name) + " must be at least 1",
                                   std::string(name) + " was " + std::to_string(v) + ".",
                                   "Pass a positive size, or NULL for no bound.");
    return static_cast<std::size_t>(v);
}

}  // namespace

// frequent_itemsets(item_type, items_sql, min_support, max_size, target, min_size, per)
//   RETURNS TABLE (items anyarray, size integer, count bigint, support double precision)
CA_FUNCTION(ca_frequent_itemsets) {
    const std::string items_sql = ca::pg::RequiredTextArg(fcinfo, 1, "items_sql");
    ca::ItemsetOptions options;
    options.min_support = RequiredFloat8(fcinfo, 2, "min_support");
    options.max_size = SizeArg(fcinfo, 3, "max_size", ca::ItemsetOptions::kNoMaxSize);
    options.target = ca::ParseItemsetTarget(ca::pg::RequiredTextArg(fcinfo, 4, "target"));
    options.min_size = SizeArg(fcinfo, 5, "min_size", 1);
    const ca::pg::TransactionKey per =
        ca::pg::ParseTransactionKey(ca::pg::RequiredTextArg(fcinfo, 6, "per"));
    ca::ValidateItemsetOptions(options);

    ca::ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    ca::pg::SpiSession spi;
    const ca::pg::TransactionsSource source = ca::pg::DescribeTransactions(items_sql, "items_sql");
    const ca::pg::KeyColumn &transaction_key =
        ca::pg::TransactionKeyColumn(source, per, "items_sql");
    // Items come back as arrays of the type item_type resolved to.
    const ca::pg::KeyOutput item_out(source.item,
                                     ca::pg::ArrayElementType(ca::pg::ResultColumnType(fcinfo, 1)),
                                     "item", "item_type");
    ca::CustomerIndex transactions(ctx, transaction_key.IndexKind());
    ca::CustomerIndex items(ctx, source.item.IndexKind());
    ca::BasketBuilder builder(ctx);
    ca::SkippedRows skips;
    ca::pg::ReadTransactions(items_sql, "items_sql", source, per, transactions, items, builder,
                             skips);
    spi.Finish();
    const ca::Baskets baskets = builder.Finish(transactions.size());
    skips.non_positive_quantity_rows += builder.skips().non_positive_quantity_rows;
    ca::pg::ReportSkippedLines("frequent_itemsets", skips);

    // The items of each itemset in their natural order (KeyRanks), so that equal itemsets are
    // equal arrays.
    const ca::BudgetVector<std::uint32_t> rank = ca::pg::KeyRanks(ctx, items, source.item);
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
                             values[0] = item_out.MakeArray(items, ordered, size);
                             values[1] = Int32GetDatum(static_cast<int32>(size));
                             values[2] = Int64GetDatum(static_cast<int64>(count));
                             values[3] = Float8GetDatum(static_cast<double>(count) / n);
                         });
                     });
    return (Datum)0;
}
