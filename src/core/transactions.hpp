// Transactions as the market-basket analytics read them: lines of (transaction, item) with an
// optional quantity and amount, from the transactions reader (src/pg/transactions_reader.*), turned
// into baskets: the distinct items of each transaction (docs/architecture.md, "Transactions").
//
// Definitions. A transaction is one order (or, on request, one customer); its basket is the set of
// its distinct items: an item on several lines counts once, quantities do not weigh. A line whose
// quantity is given and is zero or negative (a return, a correction) is skipped and counted; so is
// a line without a transaction or an item (counted by the reader). A transaction none of whose
// lines is kept has an empty basket and is not a transaction of the analysis (it does not count in
// the number of transactions N that supports are relative to).
//
// Mining per group (docs/basket.md, "Mining per group"): a transaction of group g is one order (or
// customer) restricted to its lines of group g, so an order whose lines carry several groups is a
// transaction of each. GroupedTransactions numbers those (group, order) pairs and remembers the
// group of each; ForEachGroup hands the baskets out one group at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>

#include "customer_index.hpp"
#include "errors.hpp"
#include "exec_context.hpp"
#include "money.hpp"
#include "orders.hpp"

namespace ca {

// One input line, transaction and item as dense indices (0, 1, 2, ... from a CustomerIndex each).
struct Line {
    bool has_quantity = false;  // the query has a quantity column and this line's is not NULL
    Money quantity = 0;         // exact, 8 decimals
    int quantity_decimals = 0;  // of quantity
    bool has_amount = false;
    Money amount = 0;
    int decimals = 0;  // of amount
    // The line's customer, when the reader is given a customer index (favourite_items: the
    // transaction is the order, and the customer comes with each line).
    std::uint32_t customer = 0;
};

// What an analytic does with the lines the transactions reader streams to it. Called while
// PostgreSQL's executor runs the query: it must not call PostgreSQL.
class LineConsumer {
  public:
    virtual ~LineConsumer() = default;
    virtual void Add(std::uint32_t transaction, std::uint32_t item, const Line &line) = 0;
};

// The baskets, in compressed rows: basket t is items[offsets[t], offsets[t + 1]), ascending item
// indices without repeats. Transactions whose every line was skipped have an empty basket.
struct Baskets {
    explicit Baskets(ExecContext &ctx)
        : offsets(MakeBudgetVector<std::uint64_t>(ctx)),
          items(MakeBudgetVector<std::uint32_t>(ctx)) {}
    BudgetVector<std::uint64_t> offsets;  // transactions + 1 entries
    BudgetVector<std::uint32_t> items;

    std::size_t size() const { return offsets.empty() ? 0 : offsets.size() - 1; }
    const std::uint32_t *begin(std::size_t t) const { return items.data() + offsets[t]; }
    const std::uint32_t *end(std::size_t t) const { return items.data() + offsets[t + 1]; }
    std::size_t basket_size(std::size_t t) const { return offsets[t + 1] - offsets[t]; }
    // Transactions with at least one item: N, the count supports are relative to.
    std::size_t non_empty() const {
        std::size_t n = 0;
        for (std::size_t t = 0; t < size(); ++t) n += basket_size(t) > 0;
        return n;
    }
};

// Collects lines and builds the baskets. Memory: 8 bytes per kept line until Finish(), then
// 4 bytes per distinct (transaction, item) plus 8 per transaction; all counted against ctx.
class BasketBuilder final : public LineConsumer {
  public:
    explicit BasketBuilder(ExecContext &ctx);

    void Add(std::uint32_t transaction, std::uint32_t item, const Line &line) override;

    // The baskets of transactions 0 .. transactions - 1 (the size of the reader's transaction
    // index: transactions without a kept line get an empty basket). Sorts by transaction with a
    // counting sort, then each basket's items; ticks throughout.
    Baskets Finish(std::size_t transactions);

    // Lines skipped here (quantity <= 0); the reader adds those without a transaction or item.
    const SkippedRows &skips() const { return skips_; }

  private:
    struct Pair {
        std::uint32_t transaction, item;
    };
    ExecContext &ctx_;
    BudgetVector<Pair> pairs_;
    SkippedRows skips_;
};

// The transactions of mining per group: one per (group, order) pair of dense indices (a group
// from the group keys' CustomerIndex, an order from the transaction keys'), numbered 0, 1, 2, ...
// in order of first appearance, with the group of each. Memory: a hash table of the pairs (35 to
// 70 bytes per transaction, with 4 for its group); all counted against ctx.
class GroupedTransactions {
  public:
    explicit GroupedTransactions(ExecContext &ctx);

    // The transaction of `order`'s lines of `group`, added when new.
    std::uint32_t FindOrAdd(std::uint32_t group, std::uint32_t order);

    std::size_t size() const noexcept { return pairs_.size(); }
    // The group of each transaction, taken out once the lines are read (the table of pairs is
    // no longer needed then).
    BudgetVector<std::uint32_t> TakeGroups() { return std::move(group_of_); }

  private:
    CustomerIndex pairs_;  // keyed by group << 32 | order
    BudgetVector<std::uint32_t> group_of_;
};

// One group's baskets, as ForEachGroup hands them out. Items are renumbered 0 .. k - 1 in the
// order of their original indices (so each basket stays ascending and the miner's per-item arrays
// are as small as the group), and items[local] is the original index of local item `local`.
struct GroupBaskets {
    std::uint32_t group;
    const Baskets &baskets;                    // the group's non-empty baskets
    const BudgetVector<std::uint32_t> &items;  // local item index -> original item index
};

// Calls each(group) once for every group with at least one non-empty basket, in ascending
// group_rank[group] (the order results are reported in), with a compact copy of that group's
// baskets: the transactions are counting-sorted by group once, and only one group's copy exists at
// a time. group_of[t] is the group of transaction t of `baskets` (< group_rank.size()), and
// group_rank is a permutation of 0 .. groups - 1; any other input is a DataException. Memory: 4
// bytes per transaction and per item index and 8 per group, plus the largest group's copy; all
// counted against ctx. Ticks per transaction and per item.
void ForEachGroup(ExecContext &ctx, const Baskets &baskets,
                  const BudgetVector<std::uint32_t> &group_of,
                  const BudgetVector<std::uint32_t> &group_rank,
                  const std::function<void(const GroupBaskets &group)> &each);

}  // namespace ca
