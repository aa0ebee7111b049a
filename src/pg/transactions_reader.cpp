#include "transactions_reader.hpp"

#include <stdexcept>
#include <string_view>
#include <vector>

#include "door.hpp"
#include "inner_query.hpp"

namespace ca {
namespace pg {

namespace {

constexpr const char *kItemsExample =
    "SELECT order_id, item [, customer_id, quantity, amount] FROM order_items";

class LinesSink : public RowSink {
  public:
    LinesSink(bool integer_transactions, bool integer_items, bool has_quantity, bool has_amount,
              ca::CustomerIndex &transactions, ca::CustomerIndex &items, ca::LineConsumer &consumer,
              ca::SkippedRows &skips, const GroupIndices *groups, bool integer_groups,
              ca::CustomerIndex *customers, bool integer_customers)
        : integer_transactions_(integer_transactions),
          integer_items_(integer_items),
          has_quantity_(has_quantity),
          has_amount_(has_amount),
          integer_groups_(integer_groups),
          integer_customers_(integer_customers),
          transactions_(transactions),
          items_(items),
          consumer_(consumer),
          skips_(skips),
          groups_(groups),
          customers_(customers) {}

    void Row(const Value *v) override {
        // Columns: transaction key, item, then group_key, customer_id, quantity and amount when
        // read.
        if (v[0].isnull) {
            ++skips_.null_transaction_rows;
            return;
        }
        if (v[1].isnull) {
            ++skips_.null_item_rows;
            return;
        }
        int next = 2;
        if (groups_ != nullptr && v[next].isnull) {
            ++skips_.null_group_rows;
            return;
        }
        const int customer_column = next + (groups_ != nullptr);
        if (customers_ != nullptr && v[customer_column].isnull) {
            ++skips_.null_customer_rows;
            return;
        }
        std::uint32_t transaction = Index(transactions_, integer_transactions_, v[0]);
        const std::uint32_t item = Index(items_, integer_items_, v[1]);
        if (groups_ != nullptr) {
            const std::uint32_t group = Index(groups_->groups, integer_groups_, v[next++]);
            transaction = groups_->transactions.FindOrAdd(group, transaction);
        }
        ca::Line line;
        if (customers_ != nullptr)
            line.customer = Index(*customers_, integer_customers_, v[next++]);
        if (has_quantity_) {
            const Value &q = v[next++];
            line.has_quantity = !q.isnull;
            line.quantity = q.money;
            line.quantity_decimals = q.decimals;
        }
        if (has_amount_) {
            const Value &a = v[next++];
            line.has_amount = !a.isnull;
            line.amount = a.money;
            line.decimals = a.decimals;
        }
        consumer_.Add(transaction, item, line);
    }

  private:
    static std::uint32_t Index(ca::CustomerIndex &index, bool integer, const Value &v) {
        return integer ? index.FindOrAdd(v.i64) : index.FindOrAdd(std::string_view(v.ptr, v.len));
    }

    bool integer_transactions_, integer_items_, has_quantity_, has_amount_, integer_groups_,
        integer_customers_;
    ca::CustomerIndex &transactions_;
    ca::CustomerIndex &items_;
    ca::LineConsumer &consumer_;
    ca::SkippedRows &skips_;
    const GroupIndices *groups_;
    ca::CustomerIndex *customers_;
};

}  // namespace

TransactionsSource DescribeTransactions(const std::string &items_sql, const char *what) {
    const std::vector<Oid> numbers = {INT2OID, INT4OID, INT8OID, NUMERICOID, FLOAT4OID, FLOAT8OID};
    const auto found = DescribeInnerQuery(
        items_sql, what,
        {{"order_id", true, {}, "", ""},
         {"item", true, {}, "", ""},
         {"customer_id", false, {}, "", ""},
         {"quantity", false, numbers, "a number (numeric, integer or double precision)", "numeric"},
         {"amount", false, numbers, "a number (numeric, integer or double precision)", "numeric"},
         {"group_key", false, {}, "", ""}},
        kItemsExample);
    TransactionsSource source;
    source.order = DescribeKey(found[0]);
    source.item = DescribeKey(found[1]);
    source.has_customer = found[2].present();
    if (source.has_customer) source.customer = DescribeKey(found[2]);
    source.has_quantity = found[3].present();
    source.has_amount = found[4].present();
    source.has_group = found[5].present();
    if (source.has_group) source.group = DescribeKey(found[5]);
    return source;
}

TransactionKey ParseTransactionKey(const std::string &per) {
    if (per == "order") return TransactionKey::Order;
    if (per == "customer") return TransactionKey::Customer;
    throw ca::InvalidParameter("unknown per \"" + per + "\"", {},
                               "Valid values are order (a basket per order_id) and customer (a "
                               "basket per customer_id).");
}

const KeyColumn &TransactionKeyColumn(const TransactionsSource &source, TransactionKey key,
                                      const char *what) {
    if (key == TransactionKey::Order) return source.order;
    if (!source.has_customer)
        throw SqlError(ERRCODE_UNDEFINED_COLUMN, std::string(what) + " has no column customer_id",
                       "Baskets per customer need the customer of each line.",
                       std::string("Return customer_id too, for example: ") + kItemsExample);
    return source.customer;
}

void ReadTransactions(const std::string &items_sql, const char *what,
                      const TransactionsSource &source, TransactionKey key,
                      ca::CustomerIndex &transactions, ca::CustomerIndex &items,
                      ca::LineConsumer &consumer, ca::SkippedRows &skips,
                      const GroupIndices *groups, ca::CustomerIndex *customers) {
    const KeyColumn &tkey = TransactionKeyColumn(source, key, what);
    const char *tcolumn = key == TransactionKey::Order ? "q.order_id" : "q.customer_id";
    std::string query =
        "SELECT " + tkey.Expression(tcolumn) + ", " + source.item.Expression("q.item");
    std::vector<Conversion> conversions = {tkey.StreamConversion(), source.item.StreamConversion()};
    if (groups != nullptr) {
        if (!source.has_group) throw std::logic_error("ReadTransactions: groups without group_key");
        query += ", " + source.group.Expression("q.group_key");
        conversions.push_back(source.group.StreamConversion());
    }
    if (customers != nullptr) {
        if (!source.has_customer)
            throw std::logic_error("ReadTransactions: customers without customer_id");
        query += ", " + source.customer.Expression("q.customer_id");
        conversions.push_back(source.customer.StreamConversion());
    }
    if (source.has_quantity) {
        query += ", q.quantity";
        conversions.push_back(Conversion::Money);
    }
    if (source.has_amount) {
        query += ", q.amount";
        conversions.push_back(Conversion::Money);
    }
    query += " FROM (" + SubqueryText(items_sql, what) + "\n) AS q";
    LinesSink sink(tkey.kind == KeyColumn::Kind::Integer,
                   source.item.kind == KeyColumn::Kind::Integer, source.has_quantity,
                   source.has_amount, transactions, items, consumer, skips, groups,
                   groups != nullptr && source.group.kind == KeyColumn::Kind::Integer, customers,
                   customers != nullptr && source.customer.kind == KeyColumn::Kind::Integer);
    StreamQuery(query, conversions, sink);
}

BasketsRead ReadBaskets(ca::ExecContext &ctx, const std::string &items_sql, const char *what,
                        TransactionKey key, BasketGrouping grouping, const char *function,
                        const std::function<void(const TransactionsSource &)> &described) {
    BasketsRead in;
    SpiSession spi;
    in.source = DescribeTransactions(items_sql, what);
    const bool per_group = grouping == BasketGrouping::PerGroup;
    if (per_group && !in.source.has_group)
        throw SqlError(ERRCODE_UNDEFINED_COLUMN, std::string(what) + " has no column group_key",
                       std::string(function) + " mines the lines of each group_key separately.",
                       std::string("Return group_key too, for example: ") +
                           "SELECT order_id, item, store_id AS group_key FROM order_items");
    if (!per_group && in.source.has_group) {
        // The miners have a _by_group variant; the others (also_bought) read one group at a time.
        const std::string name = function;
        const bool has_variant = name == "frequent_itemsets" || name == "association_rules";
        throw SqlError(ERRCODE_INVALID_COLUMN_REFERENCE,
                       std::string(what) + " has a column group_key",
                       name + " mines all lines together, which would mix the groups.",
                       has_variant ? "Call " + name +
                                         "_by_group() to mine each group separately, or leave "
                                         "group_key out."
                                   : std::string("Keep the lines of one group (WHERE group_key = "
                                                 "...) and leave group_key out."));
    }
    in.transactions = std::make_unique<ca::CustomerIndex>(
        ctx, TransactionKeyColumn(in.source, key, what).IndexKind());
    described(in.source);
    in.items = std::make_unique<ca::CustomerIndex>(ctx, in.source.item.IndexKind());
    ca::BasketBuilder builder(ctx);
    ca::SkippedRows skips;
    if (per_group) {
        in.groups = std::make_unique<ca::CustomerIndex>(ctx, in.source.group.IndexKind());
        ca::GroupedTransactions pairs(ctx);
        const GroupIndices groups{*in.groups, pairs};
        ReadTransactions(items_sql, what, in.source, key, *in.transactions, *in.items, builder,
                         skips, &groups);
        spi.Finish();
        in.basket_groups = std::make_unique<ca::BudgetVector<std::uint32_t>>(pairs.TakeGroups());
        in.baskets = std::make_unique<ca::Baskets>(builder.Finish(pairs.size()));
    } else {
        ReadTransactions(items_sql, what, in.source, key, *in.transactions, *in.items, builder,
                         skips);
        spi.Finish();
        in.baskets = std::make_unique<ca::Baskets>(builder.Finish(in.transactions->size()));
    }
    skips.non_positive_quantity_rows += builder.skips().non_positive_quantity_rows;
    LineSkipReasons reasons;
    reasons.group = per_group;
    ReportSkippedLines(function, skips, reasons);
    return in;
}

void ReadItemPairs(const std::string &items_sql, const TransactionsSource &source, RowSink &sink) {
    const std::string query =
        "SELECT " + source.order.Expression("q.order_id") + ", " +
        source.item.Expression("q.item") + ", pg_catalog.count(*), " +
        (source.has_quantity
             ? "pg_catalog.count(*) FILTER (WHERE q.quantity OPERATOR(pg_catalog.<=) 0)"
             : "0::pg_catalog.int8") +
        " FROM (" + SubqueryText(items_sql, "items_sql") + "\n) AS q GROUP BY 1, 2 ORDER BY 1";
    StreamQuery(query,
                {source.order.StreamConversion(), source.item.StreamConversion(), Conversion::Int64,
                 Conversion::Int64},
                sink);
}

void ReportSkippedLines(const char *function, const ca::SkippedRows &s,
                        const LineSkipReasons &reasons) {
    const std::int64_t lines = s.total();
    if (lines == 0) return;
    const std::string message =
        std::string(function) + " skipped " + std::to_string(lines) + " input lines";
    std::vector<std::string> parts = {
        std::to_string(s.null_transaction_rows) +
            " lines had no transaction (a null order_id, or customer_id for baskets per customer)",
        std::to_string(s.null_item_rows) + " a null item"};
    if (reasons.group) parts.push_back(std::to_string(s.null_group_rows) + " a null group_key");
    if (reasons.quantity)
        parts.push_back(std::to_string(s.non_positive_quantity_rows) +
                        " a quantity of zero or less");
    // Only functions that read customers or need every measure skip these.
    if (s.null_customer_rows != 0)
        parts.push_back(std::to_string(s.null_customer_rows) + " a null customer_id");
    if (s.null_field_rows != 0)
        parts.push_back(std::to_string(s.null_field_rows) + " a null quantity or amount");
    std::string detail;
    for (const std::string &part : parts) detail += (detail.empty() ? "" : ", ") + part;
    Notice(message, detail + ".");
}

}  // namespace pg
}  // namespace ca
