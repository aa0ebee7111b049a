#include "profiles.hpp"

#include <algorithm>

#include "errors.hpp"
#include "periods.hpp"

#include "cpp_only.hpp"

namespace ca {

namespace {

// Sum into a packed total; a DataException when it leaves Money's range.
void AddChecked(PackedMoney &total, Money add, const char *what) {
    Money sum;
    if (!AddMoney(total.get(), add, sum))
        throw DataException(std::string(what) + " out of range",
                            "A sum exceeds the range of numeric(38, 8) values this function adds.",
                            "Check the input for absurd values.");
    total.set(sum);
}

// The entries 0 .. n - 1 grouped by owner (a customer index < owners): by_owner lists the entries
// of owner o at [start[o], start[o + 1]), in ascending entry order. A counting sort; ticks.
template <typename OwnerOf>
void GroupByOwner(ExecContext &ctx, std::size_t n, std::size_t owners, OwnerOf &&owner_of,
                  BudgetVector<std::uint32_t> &start, BudgetVector<std::uint32_t> &by_owner) {
    start.assign(owners + 1, 0);
    for (std::size_t i = 0; i < n; ++i) {
        ctx.Tick();
        const std::uint32_t o = owner_of(i);
        if (o >= owners) throw DataException("customer index out of range");
        ++start[o + 1];
    }
    for (std::size_t o = 0; o < owners; ++o) start[o + 1] += start[o];
    by_owner.resize(n);
    auto next = MakeBudgetVector<std::uint32_t>(ctx);
    next.assign(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < n; ++i) {
        ctx.Tick();
        by_owner[next[owner_of(i)]++] = static_cast<std::uint32_t>(i);
    }
}

// Owners in ascending rank: rank must be a permutation of 0 .. owners - 1.
BudgetVector<std::uint32_t> ByRank(ExecContext &ctx, const BudgetVector<std::uint32_t> &rank) {
    auto by_rank = MakeBudgetVector<std::uint32_t>(ctx);
    by_rank.assign(rank.size(), UINT32_MAX);
    for (std::uint32_t o = 0; o < rank.size(); ++o) {
        ctx.Tick();
        if (rank[o] >= rank.size() || by_rank[rank[o]] != UINT32_MAX)
            throw DataException("customer ranks are not a permutation");
        by_rank[rank[o]] = o;
    }
    return by_rank;
}

}  // namespace

// ---- favourite_items --------------------------------------------------------------------------

FavouriteRanking ParseFavouriteRanking(const std::string &by) {
    if (by == "orders") return FavouriteRanking::Orders;
    if (by == "quantity") return FavouriteRanking::Quantity;
    if (by == "spend") return FavouriteRanking::Spend;
    throw InvalidParameter("unknown by \"" + by + "\"", {},
                           "Valid values are orders (distinct orders containing the item), "
                           "quantity (net quantity) and spend (net amount).");
}

const char *FavouriteRankingName(FavouriteRanking by) noexcept {
    switch (by) {
        case FavouriteRanking::Orders:
            return "orders";
        case FavouriteRanking::Quantity:
            return "quantity";
        case FavouriteRanking::Spend:
            return "spend";
    }
    return "orders";
}

void ValidateTopN(std::int64_t top_n) {
    if (top_n < 1)
        throw InvalidParameter("top_n must be at least 1",
                               "top_n was " + std::to_string(top_n) + ".",
                               "Pass how many items to list per customer, for example 3.");
}

FavouriteItems::FavouriteItems(ExecContext &ctx, bool has_quantity, bool has_amount)
    : ctx_(ctx),
      has_quantity_(has_quantity),
      has_amount_(has_amount),
      pairs_(ctx, CustomerIndex::KeyKind::Integer),
      tallies_(MakeBudgetVector<Tally>(ctx)),
      buys_(MakeBudgetVector<std::uint64_t>(ctx)) {}

void FavouriteItems::Add(std::uint32_t order, std::uint32_t item, const Line &line) {
    if ((has_quantity_ && !line.has_quantity) || (has_amount_ && !line.has_amount)) {
        ++skips_.null_field_rows;
        return;
    }
    const std::uint32_t pair =
        pairs_.FindOrAdd(static_cast<std::int64_t>((std::uint64_t{line.customer} << 32) | item));
    if (pair == tallies_.size()) tallies_.emplace_back();
    Tally &t = tallies_[pair];
    if (has_quantity_) {
        AddChecked(t.quantity, line.quantity, "quantity");
        t.quantity_decimals = std::max<std::uint8_t>(
            t.quantity_decimals, static_cast<std::uint8_t>(line.quantity_decimals));
    }
    if (has_amount_) {
        AddChecked(t.spend, line.amount, "spend");
        t.spend_decimals =
            std::max<std::uint8_t>(t.spend_decimals, static_cast<std::uint8_t>(line.decimals));
    }
    const bool buys = (!has_quantity_ || line.quantity > 0) && (!has_amount_ || line.amount >= 0);
    if (buys && t.last_order != order) {
        t.last_order = order;
        buys_.push_back((std::uint64_t{pair} << 32) | order);
    }
}

void FavouriteItems::CountOrders() {
    // Group the buying lines by pair, then count each pair's distinct orders (usually ascending
    // already: orders are numbered as they first appear).
    auto start = MakeBudgetVector<std::uint32_t>(ctx_);
    auto by_pair = MakeBudgetVector<std::uint32_t>(ctx_);
    if (buys_.size() >= UINT32_MAX)
        throw DataException("too many order lines", {}, "Pass fewer than 2^32 lines.");
    GroupByOwner(
        ctx_, buys_.size(), tallies_.size(),
        [&](std::size_t i) { return static_cast<std::uint32_t>(buys_[i] >> 32); }, start, by_pair);
    auto orders = MakeBudgetVector<std::uint32_t>(ctx_);
    for (std::size_t p = 0; p < tallies_.size(); ++p) {
        ctx_.Tick();
        orders.clear();
        bool ascending = true;
        for (std::uint32_t k = start[p]; k < start[p + 1]; ++k) {
            const auto o = static_cast<std::uint32_t>(buys_[by_pair[k]]);
            ascending = ascending && (orders.empty() || orders.back() < o);
            orders.push_back(o);
        }
        if (!ascending) {
            ctx_.CheckInterrupts();
            std::sort(orders.begin(), orders.end());
            orders.erase(std::unique(orders.begin(), orders.end()), orders.end());
        }
        tallies_[p].orders = static_cast<std::uint32_t>(orders.size());
    }
    buys_ = MakeBudgetVector<std::uint64_t>(ctx_);  // no longer needed
}

void FavouriteItems::Emit(FavouriteRanking by, std::int64_t top_n,
                          const BudgetVector<std::uint32_t> &customer_rank,
                          const BudgetVector<std::uint32_t> &item_rank,
                          const std::function<void(const FavouriteItem &)> &each) {
    ValidateTopN(top_n);
    CountOrders();
    auto customer_of = [&](std::size_t p) {
        return static_cast<std::uint32_t>(static_cast<std::uint64_t>(pairs_.IntegerId(p)) >> 32);
    };
    auto item_of = [&](std::uint32_t p) {
        return static_cast<std::uint32_t>(static_cast<std::uint64_t>(pairs_.IntegerId(p)));
    };
    auto start = MakeBudgetVector<std::uint32_t>(ctx_);
    auto by_customer = MakeBudgetVector<std::uint32_t>(ctx_);
    GroupByOwner(ctx_, tallies_.size(), customer_rank.size(), customer_of, start, by_customer);
    const BudgetVector<std::uint32_t> customers = ByRank(ctx_, customer_rank);
    for (std::uint32_t p = 0; p < tallies_.size(); ++p)
        if (item_of(p) >= item_rank.size()) throw DataException("item index out of range");

    // -1, 0, 1 for a before, equal to, after b in each measure (larger first).
    auto by_orders = [&](std::uint32_t a, std::uint32_t b) {
        const auto x = tallies_[a].orders, y = tallies_[b].orders;
        return x > y ? -1 : (x < y ? 1 : 0);
    };
    auto by_quantity = [&](std::uint32_t a, std::uint32_t b) {
        if (!has_quantity_) return 0;
        const Money x = tallies_[a].quantity.get(), y = tallies_[b].quantity.get();
        return x > y ? -1 : (x < y ? 1 : 0);
    };
    auto by_spend = [&](std::uint32_t a, std::uint32_t b) {
        if (!has_amount_) return 0;
        const Money x = tallies_[a].spend.get(), y = tallies_[b].spend.get();
        return x > y ? -1 : (x < y ? 1 : 0);
    };
    auto before = [&](std::uint32_t a, std::uint32_t b) {
        ctx_.Tick();
        int c = 0;
        switch (by) {
            case FavouriteRanking::Orders:
                c = by_orders(a, b);
                if (c == 0) c = by_quantity(a, b);
                if (c == 0) c = by_spend(a, b);
                break;
            case FavouriteRanking::Quantity:
                c = by_quantity(a, b);
                if (c == 0) c = by_orders(a, b);
                if (c == 0) c = by_spend(a, b);
                break;
            case FavouriteRanking::Spend:
                c = by_spend(a, b);
                if (c == 0) c = by_orders(a, b);
                if (c == 0) c = by_quantity(a, b);
                break;
        }
        if (c != 0) return c < 0;
        return item_rank[item_of(a)] < item_rank[item_of(b)];
    };

    auto candidates = MakeBudgetVector<std::uint32_t>(ctx_);
    FavouriteItem row;
    for (const std::uint32_t c : customers) {
        ctx_.Tick();
        candidates.clear();
        for (std::uint32_t k = start[c]; k < start[c + 1]; ++k)
            if (tallies_[by_customer[k]].orders > 0) candidates.push_back(by_customer[k]);
        const std::size_t n =
            std::min<std::size_t>(candidates.size(), static_cast<std::uint64_t>(top_n));
        std::partial_sort(candidates.begin(), candidates.begin() + n, candidates.end(), before);
        for (std::size_t r = 0; r < n; ++r) {
            const Tally &t = tallies_[candidates[r]];
            row.customer = c;
            row.item = item_of(candidates[r]);
            row.rank = static_cast<int>(r + 1);
            row.orders = t.orders;
            row.quantity = t.quantity.get();
            row.quantity_decimals = t.quantity_decimals;
            row.spend = t.spend.get();
            row.spend_decimals = t.spend_decimals;
            each(row);
        }
    }
}

// ---- shopping_times ---------------------------------------------------------------------------

WeekHour WeekHourOf(std::int64_t local_usecs) noexcept {
    const std::int32_t day = DayOf(local_usecs);
    // The time of day, 0 .. kUsecsPerDay - 1, computed modulo 2^64 (unsigned: defined to wrap),
    // since day * kUsecsPerDay itself is below INT64_MIN for the earliest times.
    const std::int64_t time_of_day = static_cast<std::int64_t>(
        static_cast<std::uint64_t>(local_usecs) -
        static_cast<std::uint64_t>(std::int64_t{day}) * static_cast<std::uint64_t>(kUsecsPerDay));
    return {Weekday(day), static_cast<int>(time_of_day / 3600000000LL)};
}

int WeekHourCell(std::int64_t local_usecs) noexcept {
    const WeekHour w = WeekHourOf(local_usecs);
    return (w.weekday - 1) * 24 + w.hour;
}

ShoppingTimes::ShoppingTimes(ExecContext &ctx, bool per_customer)
    : ctx_(ctx),
      per_customer_(per_customer),
      cells_(ctx, CustomerIndex::KeyKind::Integer),
      tallies_(MakeBudgetVector<Tally>(ctx)) {
    if (!per_customer_) tallies_.resize(kWeekHours);
}

void ShoppingTimes::AddNullCustomer(std::int64_t lines) {
    skips_.null_customer_rows += lines;
}

void ShoppingTimes::AddTo(Tally &t, const Order &order) {
    AddChecked(t.revenue, order.amount, "revenue");
    ++t.orders;
    t.decimals = std::max<std::uint32_t>(t.decimals, static_cast<std::uint32_t>(order.decimals));
}

void ShoppingTimes::Add(std::uint32_t customer, const Order &order) {
    skips_.null_field_rows += order.bad_lines;
    skips_.after_bound_rows += order.after_lines;
    if (!order.has_time || !order.has_amount) return;
    const int cell = WeekHourCell(order.time);
    if (!per_customer_) {
        AddTo(tallies_[cell], order);
        return;
    }
    const std::uint32_t i =
        cells_.FindOrAdd(static_cast<std::int64_t>(std::uint64_t{customer} * kWeekHours + cell));
    if (i == tallies_.size()) tallies_.emplace_back();
    AddTo(tallies_[i], order);
}

void ShoppingTimes::Emit(const BudgetVector<std::uint32_t> &customer_rank,
                         const std::function<void(const ShoppingCell &)> &each) {
    ShoppingCell row;
    auto fill = [&](const Tally &t, std::uint64_t key) {
        row.weekday = static_cast<int>(key % kWeekHours) / 24 + 1;
        row.hour = static_cast<int>(key % kWeekHours) % 24;
        row.orders = t.orders;
        row.revenue = t.revenue.get();
        row.decimals = static_cast<int>(t.decimals);
    };
    if (!per_customer_) {
        for (int cell = 0; cell < kWeekHours; ++cell) {
            fill(tallies_[cell], static_cast<std::uint64_t>(cell));
            each(row);
        }
        return;
    }
    auto key_of = [&](std::size_t i) { return static_cast<std::uint64_t>(cells_.IntegerId(i)); };
    auto start = MakeBudgetVector<std::uint32_t>(ctx_);
    auto by_customer = MakeBudgetVector<std::uint32_t>(ctx_);
    GroupByOwner(
        ctx_, tallies_.size(), customer_rank.size(),
        [&](std::size_t i) { return static_cast<std::uint32_t>(key_of(i) / kWeekHours); }, start,
        by_customer);
    const BudgetVector<std::uint32_t> customers = ByRank(ctx_, customer_rank);
    row.has_customer = true;
    for (const std::uint32_t c : customers) {
        ctx_.Tick();
        // A customer's cells share the key's high part: sorting by key sorts by weekday, hour.
        std::sort(by_customer.begin() + start[c], by_customer.begin() + start[c + 1],
                  [&](std::uint32_t a, std::uint32_t b) { return key_of(a) < key_of(b); });
        row.customer = c;
        for (std::uint32_t k = start[c]; k < start[c + 1]; ++k) {
            fill(tallies_[by_customer[k]], key_of(by_customer[k]));
            each(row);
        }
    }
}

}  // namespace ca
