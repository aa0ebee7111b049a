// The transactions reader, for the market-basket analytics: checks the user's items_sql (order_id,
// item, optional customer_id, quantity, amount), streams its lines and hands each one to a
// ca::LineConsumer (src/core/transactions.hpp) with dense transaction and item indices. The ids
// keep their types through KeyColumn/KeyOutput (key_column.hpp), as customer ids do in the orders
// reader.
#pragma once

#include "pg_headers.hpp"

#include <functional>
#include <memory>
#include <string>

#include "customer_index.hpp"
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

// Streams the lines to consumer: transactions through `transactions` (whose kind must be the
// transaction key's IndexKind()), items through `items` (source.item.IndexKind()). Lines without a
// transaction key or an item are not passed on: they are counted in `skips`. Between SPI_connect
// and SPI_finish. The generated SQL names everything with its schema; no value travels as text.
void ReadTransactions(const std::string &items_sql, const char *what,
                      const TransactionsSource &source, TransactionKey key,
                      ca::CustomerIndex &transactions, ca::CustomerIndex &items,
                      ca::LineConsumer &consumer, ca::SkippedRows &skips);

// The key column that makes transactions under `key` (throws 42703 for Customer without a
// customer_id column).
const KeyColumn &TransactionKeyColumn(const TransactionsSource &source, TransactionKey key,
                                      const char *what);

// What every market-basket function reads: the baskets of items_sql (one per order or per
// customer), the index of their transactions and of their items.
struct BasketsRead {
    TransactionsSource source;
    std::unique_ptr<ca::CustomerIndex> transactions;
    std::unique_ptr<ca::CustomerIndex> items;
    std::unique_ptr<ca::Baskets> baskets;
};

// Describes and reads items_sql in its own SPI session, builds the baskets in the core
// (BasketBuilder) and reports the skipped lines in one NOTICE naming `function`. `described`
// runs once the columns are known and before any row is read: the caller checks there what
// depends on them (the result's item type, an array argument), so that bad arguments fail before
// the user's query runs. Call outside SPI.
BasketsRead ReadBaskets(ca::ExecContext &ctx, const std::string &items_sql, const char *what,
                        TransactionKey key, const char *function,
                        const std::function<void(const TransactionsSource &)> &described);

// One NOTICE when lines were skipped, none otherwise: "<function> skipped N input lines" with the
// counts by reason in the detail. Call outside Guard.
void ReportSkippedLines(const char *function, const ca::SkippedRows &skips);

}  // namespace pg
}  // namespace ca
