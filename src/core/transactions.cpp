#include "transactions.hpp"

#include <algorithm>
#include <string>

#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

BasketBuilder::BasketBuilder(ExecContext &ctx) : ctx_(ctx), pairs_(MakeBudgetVector<Pair>(ctx)) {}

void BasketBuilder::Add(std::uint32_t transaction, std::uint32_t item, const Line &line) {
    if (line.has_quantity && line.quantity <= 0) {
        ++skips_.non_positive_quantity_rows;
        return;
    }
    pairs_.push_back({transaction, item});
}

Baskets BasketBuilder::Finish(std::size_t transactions) {
    Baskets out(ctx_);
    // Counting sort by transaction: offsets first, then the items into place.
    out.offsets.assign(transactions + 1, 0);
    for (const Pair &p : pairs_) {
        ctx_.Tick();
        if (p.transaction >= transactions)
            throw DataException("transaction index out of range",
                                "A line names transaction " + std::to_string(p.transaction) +
                                    " of " + std::to_string(transactions) + ".");
        ++out.offsets[p.transaction + 1];
    }
    for (std::size_t t = 0; t < transactions; ++t) out.offsets[t + 1] += out.offsets[t];
    {
        auto next = MakeBudgetVector<std::uint64_t>(ctx_);
        next.assign(out.offsets.begin(), out.offsets.end() - 1);
        out.items.resize(pairs_.size());
        for (const Pair &p : pairs_) {
            ctx_.Tick();
            out.items[next[p.transaction]++] = p.item;
        }
    }
    // The pairs are no longer needed: give their memory back before sorting.
    BudgetVector<Pair>(MakeBudgetVector<Pair>(ctx_)).swap(pairs_);
    // Sort each basket and drop repeated items, compacting in place.
    std::uint64_t write = 0;
    for (std::size_t t = 0; t < transactions; ++t) {
        ctx_.Tick();
        std::uint32_t *first = out.items.data() + out.offsets[t];
        std::uint32_t *last = out.items.data() + out.offsets[t + 1];
        std::sort(first, last);
        std::uint32_t *unique_end = std::unique(first, last);
        out.offsets[t] = write;
        for (std::uint32_t *p = first; p != unique_end; ++p) out.items[write++] = *p;
    }
    out.offsets[transactions] = write;
    out.items.resize(write);
    out.items.shrink_to_fit();
    return out;
}

GroupedTransactions::GroupedTransactions(ExecContext &ctx)
    : pairs_(ctx, CustomerIndex::KeyKind::Integer),
      group_of_(MakeBudgetVector<std::uint32_t>(ctx)) {}

std::uint32_t GroupedTransactions::FindOrAdd(std::uint32_t group, std::uint32_t order) {
    const std::size_t before = pairs_.size();
    const std::uint32_t t =
        pairs_.FindOrAdd(static_cast<std::int64_t>((std::uint64_t{group} << 32) | order));
    if (pairs_.size() != before) group_of_.push_back(group);
    return t;
}

namespace {

constexpr std::uint32_t kNoIndex = UINT32_MAX;

Error BadGroups(const std::string &detail) {
    return DataException("inconsistent transaction groups", detail);
}

}  // namespace

void ForEachGroup(ExecContext &ctx, const Baskets &baskets,
                  const BudgetVector<std::uint32_t> &group_of,
                  const BudgetVector<std::uint32_t> &group_rank,
                  const std::function<void(const GroupBaskets &group)> &each) {
    const std::size_t transactions = baskets.size();
    const std::size_t groups = group_rank.size();
    if (group_of.size() != transactions)
        throw BadGroups(std::to_string(group_of.size()) + " groups for " +
                        std::to_string(transactions) + " transactions.");
    // The group of each rank; group_rank must be a permutation.
    auto by_rank = MakeBudgetVector<std::uint32_t>(ctx);
    by_rank.assign(groups, kNoIndex);
    for (std::size_t g = 0; g < groups; ++g) {
        ctx.Tick();
        const std::uint32_t r = group_rank[g];
        if (r >= groups || by_rank[r] != kNoIndex)
            throw BadGroups("Group " + std::to_string(g) + " has rank " + std::to_string(r) + ".");
        by_rank[r] = static_cast<std::uint32_t>(g);
    }
    // Counting sort of the non-empty baskets by their group's rank (transactions in their own
    // order within a group); the item universe on the way.
    auto start = MakeBudgetVector<std::uint64_t>(ctx);
    start.assign(groups + 1, 0);
    std::uint32_t universe = 0;
    for (std::size_t t = 0; t < transactions; ++t) {
        ctx.Tick();
        if (baskets.basket_size(t) == 0) continue;
        if (group_of[t] >= groups)
            throw BadGroups("Transaction " + std::to_string(t) + " names group " +
                            std::to_string(group_of[t]) + " of " + std::to_string(groups) + ".");
        ++start[group_rank[group_of[t]] + 1];
        universe = std::max(universe, *(baskets.end(t) - 1) + 1);
    }
    for (std::size_t r = 0; r < groups; ++r) start[r + 1] += start[r];
    auto members = MakeBudgetVector<std::uint32_t>(ctx);
    {
        auto next = MakeBudgetVector<std::uint64_t>(ctx);
        next.assign(start.begin(), start.end() - 1);
        members.resize(start[groups]);
        for (std::size_t t = 0; t < transactions; ++t) {
            ctx.Tick();
            if (baskets.basket_size(t) > 0)
                members[next[group_rank[group_of[t]]]++] = static_cast<std::uint32_t>(t);
        }
    }
    // local[item]: the item's index within the current group, kNoIndex outside it.
    auto local = MakeBudgetVector<std::uint32_t>(ctx);
    local.assign(universe, kNoIndex);
    auto items = MakeBudgetVector<std::uint32_t>(ctx);
    for (std::size_t r = 0; r < groups; ++r) {
        ctx.Tick();
        if (start[r] == start[r + 1]) continue;
        // The group's distinct items, in the order of their original indices.
        items.clear();
        std::uint64_t occurrences = 0;
        for (std::uint64_t k = start[r]; k < start[r + 1]; ++k) {
            for (const std::uint32_t *p = baskets.begin(members[k]); p != baskets.end(members[k]);
                 ++p) {
                ctx.Tick();
                if (local[*p] == kNoIndex) {
                    local[*p] = 0;
                    items.push_back(*p);
                }
            }
            occurrences += baskets.basket_size(members[k]);
        }
        ctx.CheckInterrupts();
        std::sort(items.begin(), items.end(), [&](std::uint32_t a, std::uint32_t b) {
            ctx.Tick();
            return a < b;
        });
        ctx.CheckInterrupts();
        for (std::size_t i = 0; i < items.size(); ++i) {
            ctx.Tick();
            local[items[i]] = static_cast<std::uint32_t>(i);
        }
        {
            // The compact copy; an order-preserving renumbering keeps every basket ascending.
            Baskets copy(ctx);
            copy.offsets.reserve(start[r + 1] - start[r] + 1);
            copy.items.reserve(occurrences);
            copy.offsets.push_back(0);
            for (std::uint64_t k = start[r]; k < start[r + 1]; ++k) {
                for (const std::uint32_t *p = baskets.begin(members[k]);
                     p != baskets.end(members[k]); ++p) {
                    ctx.Tick();
                    copy.items.push_back(local[*p]);
                }
                copy.offsets.push_back(copy.items.size());
            }
            each(GroupBaskets{by_rank[r], copy, items});
        }
        for (const std::uint32_t item : items) {
            ctx.Tick();
            local[item] = kNoIndex;
        }
    }
}

}  // namespace ca
