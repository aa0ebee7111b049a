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

}  // namespace ca
