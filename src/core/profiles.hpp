// Buyer profiles (docs/profiles.md): each customer's favourite items (FavouriteItems, from order
// lines) and when orders are placed, as a weekday x hour histogram (ShoppingTimes, from orders).
//
// favourite_items. A line buys its item when its quantity (if the query has one) is positive and
// its amount (if it has one) is not negative; other lines are returns or corrections. For each
// (customer, item): orders = distinct orders with a buying line of the item, quantity and spend =
// net sums over all its lines (returns lower them). Only pairs with orders >= 1 are ranked. Each
// customer's pairs are ranked by the chosen measure, descending, then by the other measures in
// the order orders, quantity, spend (those the query has), descending, then by the item in its
// type's order (the rank the caller passes), ascending: ranks are 1, 2, 3, ... without ties.
//
// shopping_times. Each order (a row, or an order pre-aggregated from its lines by the reader)
// falls into the cell of its local time's ISO weekday (Monday = 1 .. Sunday = 7) and hour (0..23);
// a cell counts its orders (returns included) and sums their amounts (net revenue). Time zones are
// dealt with before this code: times are local wall-clock microseconds since 2000-01-01.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "customer_index.hpp"
#include "exec_context.hpp"
#include "money.hpp"
#include "orders.hpp"
#include "transactions.hpp"

namespace ca {

// ---- favourite_items --------------------------------------------------------------------------

enum class FavouriteRanking { Orders, Quantity, Spend };

// "orders", "quantity" or "spend"; InvalidParameter otherwise.
FavouriteRanking ParseFavouriteRanking(const std::string &by);
// "orders", "quantity" or "spend".
const char *FavouriteRankingName(FavouriteRanking by) noexcept;

// top_n must be at least 1 (InvalidParameter).
void ValidateTopN(std::int64_t top_n);

// One ranked (customer, item) pair.
struct FavouriteItem {
    std::uint32_t customer = 0;  // dense indices, as the reader gave them
    std::uint32_t item = 0;
    int rank = 0;  // 1 .. top_n
    std::uint64_t orders = 0;
    Money quantity = 0;  // meaningful when the lines have a quantity column
    int quantity_decimals = 0;
    Money spend = 0;  // meaningful when the lines have an amount column
    int spend_decimals = 0;
};

// The LineConsumer of favourite_items: the transaction of a line is its order, Line::customer its
// customer. Memory: per distinct (customer, item) a hash-table entry and a 48-byte tally, and 8
// bytes per buying line whose order differs from the previous buying line of the same pair (the
// distinct orders are counted at the end by sorting these); all counted against ctx.
class FavouriteItems final : public LineConsumer {
  public:
    FavouriteItems(ExecContext &ctx, bool has_quantity, bool has_amount);

    void Add(std::uint32_t order, std::uint32_t item, const Line &line) override;

    // Lines skipped here: a NULL quantity or amount (when the query has that column).
    const SkippedRows &skips() const { return skips_; }

    // Ranks every customer's items and calls each() for the first top_n of every customer, by
    // customer in ascending customer_rank (a rank per customer index: a permutation of 0 ..
    // customers - 1), then by rank. item_rank gives the items' order for the last tie-break
    // (one entry per item index). Call once, after the last Add.
    void Emit(FavouriteRanking by, std::int64_t top_n,
              const BudgetVector<std::uint32_t> &customer_rank,
              const BudgetVector<std::uint32_t> &item_rank,
              const std::function<void(const FavouriteItem &)> &each);

  private:
    struct Tally {
        PackedMoney quantity;
        PackedMoney spend;
        std::uint32_t orders = 0;               // distinct orders, once counted
        std::uint32_t last_order = UINT32_MAX;  // the order of the last buying line recorded
        std::uint8_t quantity_decimals = 0;
        std::uint8_t spend_decimals = 0;
    };
    void CountOrders();

    ExecContext &ctx_;
    bool has_quantity_, has_amount_;
    CustomerIndex pairs_;  // keyed by customer << 32 | item
    BudgetVector<Tally> tallies_;
    BudgetVector<std::uint64_t> buys_;  // pair << 32 | order of buying lines
    SkippedRows skips_;
};

// ---- shopping_times ---------------------------------------------------------------------------

constexpr int kWeekHours = 7 * 24;

// The ISO weekday (1 = Monday .. 7 = Sunday) and hour (0..23) of a local time in microseconds
// since 2000-01-01 00:00 (negative before; any int64).
struct WeekHour {
    int weekday;
    int hour;
};
WeekHour WeekHourOf(std::int64_t local_usecs) noexcept;
// The cell of a time: (weekday - 1) * 24 + hour, 0 .. 167.
int WeekHourCell(std::int64_t local_usecs) noexcept;

// One cell of the histogram.
struct ShoppingCell {
    bool has_customer = false;  // per customer
    std::uint32_t customer = 0;
    int weekday = 1;
    int hour = 0;
    std::uint64_t orders = 0;
    Money revenue = 0;
    int decimals = 0;  // most decimal places among the cell's amounts
};

// The OrderConsumer of shopping_times: one histogram for the shop, or one per customer. Memory:
// shop-wide 168 cells; per customer a hash-table entry and a 32-byte tally per non-empty
// (customer, cell); counted against ctx.
class ShoppingTimes final : public OrderConsumer {
  public:
    ShoppingTimes(ExecContext &ctx, bool per_customer);

    void AddNullCustomer(std::int64_t lines) override;
    void Prefetch(std::uint32_t) const override {}
    void Add(std::uint32_t customer, const Order &order) override;

    const SkippedRows &skips() const { return skips_; }

    // Shop-wide: all 168 cells, Monday 0h to Sunday 23h, empty ones with 0 orders and 0 revenue.
    // Per customer: the non-empty cells of each customer, customers in ascending customer_rank
    // (one entry per customer index, a permutation), then by weekday and hour. Call once.
    void Emit(const BudgetVector<std::uint32_t> &customer_rank,
              const std::function<void(const ShoppingCell &)> &each);

  private:
    struct Tally {
        PackedMoney revenue;
        std::uint64_t orders = 0;
        std::uint32_t decimals = 0;
    };
    void AddTo(Tally &t, const Order &order);

    ExecContext &ctx_;
    bool per_customer_;
    CustomerIndex cells_;  // per customer: keyed by customer * 168 + cell
    BudgetVector<Tally> tallies_;
    SkippedRows skips_;
};

}  // namespace ca
