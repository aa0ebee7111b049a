// The transactions reader, for the market-basket analytics: checks the user's items_sql (order_id,
// item, optional customer_id, quantity, amount, group_key), streams its lines and hands each one to
// a ca::LineConsumer (src/core/transactions.hpp) with dense transaction and item indices. The ids
// keep their types through KeyColumn/KeyOutput (key_column.hpp), as customer ids do in the orders
// reader.
#pragma once

#include "pg_headers.hpp"

#include <functional>
#include <memory>
#include <string>

#include "customer_index.hpp"
#include "inner_query.hpp"
#include "key_column.hpp"
#include "orders.hpp"
#include "transactions.hpp"

namespace ca {
namespace pg {

// What DescribeTransactions found in the user's query.
struct TransactionsSource {
    KeyColumn order;  // order_id
    KeyColumn item;
    bool has_customer = false;
    KeyColumn customer;  // customer_id, when present
    bool has_quantity = false;
    bool has_amount = false;
    bool has_group = false;
    KeyColumn group;  // group_key, when present (mining per group)
};

// Checks the columns (42703/42804/42702 with the expected shape as hint). `what` names the argument
// ("items_sql"). Between SPI_connect and SPI_finish.
TransactionsSource DescribeTransactions(const std::string &items_sql, const char *what);

// Which key makes a transaction.
enum class TransactionKey {
    Order,     // one basket per order_id
    Customer,  // one basket per customer_id (needs the column; 42703 otherwise)
};

// Parses a `per` argument: "order" or "customer"; InvalidParameter otherwise.
TransactionKey ParseTransactionKey(const std::string &per);

// Whether the lines are mined together or per group_key.
enum class BasketGrouping {
    None,      // one set of baskets; a group_key column is refused (42P10), as mixing groups
    PerGroup,  // a transaction per (group_key, transaction key); group_key required (42703)
};

// Mining per group: where ReadTransactions numbers the groups and the (group, order) pairs.
struct GroupIndices {
    ca::CustomerIndex &groups;  // the group_key values (source.group.IndexKind())
    ca::GroupedTransactions &transactions;
};

// Streams the lines to consumer: transaction keys through `transactions` (whose kind must be the
// transaction key's IndexKind()), items through `items` (source.item.IndexKind()). With `groups`
// (source.has_group), the consumer's transaction is the (group, transaction key) pair of
// groups->transactions instead. Lines without a transaction key, an item or (with groups) a group
// are not passed on: they are counted in `skips`. With `customers` (source.has_customer; kind
// source.customer.IndexKind()), each line's customer_id goes through it into Line::customer, and
// lines without one are counted in skips.null_customer_rows instead. Between SPI_connect and
// SPI_finish. The generated SQL names everything with its schema; no value travels as text.
void ReadTransactions(const std::string &items_sql, const char *what,
                      const TransactionsSource &source, TransactionKey key,
                      ca::CustomerIndex &transactions, ca::CustomerIndex &items,
                      ca::LineConsumer &consumer, ca::SkippedRows &skips,
                      const GroupIndices *groups = nullptr, ca::CustomerIndex *customers = nullptr);

// The key column that makes transactions under `key` (throws 42703 for Customer without a
// customer_id column).
const KeyColumn &TransactionKeyColumn(const TransactionsSource &source, TransactionKey key,
                                      const char *what);

// What every market-basket function reads: the baskets of items_sql (one per order or per
// customer, or per group), the index of their transaction keys and of their items.
struct BasketsRead {
    TransactionsSource source;
    // The transaction keys' values; without groups, baskets[t] is the basket of key t.
    std::unique_ptr<ca::CustomerIndex> transactions;
    std::unique_ptr<ca::CustomerIndex> items;
    std::unique_ptr<ca::Baskets> baskets;
    // BasketGrouping::PerGroup: the group_key values, and the group of each basket.
    std::unique_ptr<ca::CustomerIndex> groups;
    std::unique_ptr<ca::BudgetVector<std::uint32_t>> basket_groups;
};

// Describes and reads items_sql in its own SPI session, builds the baskets in the core
// (BasketBuilder; per group through GroupedTransactions) and reports the skipped lines in one
// NOTICE naming `function`. `described` runs once the columns are known and before any row is
// read: the caller checks there what depends on them (the result's item and group types, an array
// argument), so that bad arguments fail before the user's query runs. Call outside SPI.
BasketsRead ReadBaskets(ca::ExecContext &ctx, const std::string &items_sql, const char *what,
                        TransactionKey key, BasketGrouping grouping, const char *function,
                        const std::function<void(const TransactionsSource &)> &described);

// The (order_id, item) pairs of items_sql, for the data-quality report: one row per distinct pair
// (NULLs included) with its lines and those with a quantity <= 0 (0 without a quantity column; a
// NULL or NaN quantity is neither), each order's pairs in one run; PostgreSQL groups and sorts.
// The sink's columns: order key, item key (their StreamConversion()s), lines, non-positive lines
// (Int64). Between SPI_connect and SPI_finish.
void ReadItemPairs(const std::string &items_sql, const TransactionsSource &source, RowSink &sink);

// Which reasons to skip a line the function has, so that the NOTICE names only those.
struct LineSkipReasons {
    bool group = false;    // mining per group: lines without a group_key
    bool quantity = true;  // baskets: lines with a quantity of zero or less (favourite_items
                           // keeps them: they lower the net sums)
};

// One NOTICE when lines were skipped, none otherwise: "<function> skipped N input lines" with the
// counts by reason in the detail (those `reasons` names, and null customers or measures when
// there were any). Call outside Guard.
void ReportSkippedLines(const char *function, const ca::SkippedRows &skips,
                        const LineSkipReasons &reasons = {});

}  // namespace pg
}  // namespace ca
