// Market-basket analysis, step one: exact frequent-itemset mining over ca::Baskets
// (transactions.hpp). Definitions, the choice of algorithm and its costs: docs/basket.md.
//
// An itemset is frequent when count >= MinCount(N, min_support) = ceil(N * min_support), N the
// number of non-empty baskets and count the number of baskets that contain every item of the set
// (arules' semantics and arithmetic). The miner
// streams what it finds to a callback and keeps no copy of the result: its memory is that of the
// search (bit vectors of the transactions), counted against the ExecContext.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include "errors.hpp"
#include "exec_context.hpp"
#include "transactions.hpp"

namespace ca {

enum class ItemsetTarget {
    Frequent,  // every frequent itemset
    Closed,    // frequent, and no mined proper superset has the same count
    Maximal,   // frequent, and no mined proper superset is frequent
};

// Parses "frequent", "closed" or "maximal"; throws InvalidParameter otherwise.
ItemsetTarget ParseItemsetTarget(const std::string &name);

// How the search finds which extensions of an itemset are frequent, and checks closed/maximal.
// The results are the same; Auto picks per itemset by an estimate of the work. The others are
// for tests and measurements.
enum class ItemsetCounting {
    Auto,
    BitVectors,   // AND and popcount the bit vectors of every candidate
    Occurrences,  // walk the itemset's transactions and count their items first (LCM's
                  // occurrence delivery), then build bit vectors only for the frequent ones
};

struct ItemsetOptions {
    static constexpr std::size_t kNoMaxSize = std::numeric_limits<std::size_t>::max();
    double min_support = 0.1;  // in (0, 1]
    std::size_t min_size = 1;  // >= 1
    // Itemsets larger than this are neither mined nor emitted; closed and maximal are judged
    // among the itemsets of at most this size (arules' maxlen semantics, docs/basket.md).
    std::size_t max_size = kNoMaxSize;
    ItemsetTarget target = ItemsetTarget::Frequent;
    ItemsetCounting counting = ItemsetCounting::Auto;
};

// Throws InvalidParameter unless 0 < min_support <= 1 and 1 <= min_size <= max_size.
void ValidateItemsetOptions(const ItemsetOptions &options);

// ceil(n * min_support) computed in double precision exactly as arules computes it, at least 1
// and at most n; 0 when n is 0 (there is nothing to mine then).
std::uint64_t MinCount(std::uint64_t n, double min_support);

// Receives one itemset: `size` ascending original item indices and the number of baskets that
// contain them all. The pointer is valid only during the call.
using ItemsetSink =
    std::function<void(const std::uint32_t *items, std::size_t size, std::uint64_t count)>;

// Emits every itemset of the options' target whose size is within [min_size, max_size], each
// once, in no particular order. Validates the options first. Ticks throughout; a memory limit
// hit while mining is rethrown with a hint to raise min_support or lower max_size.
void MineItemsets(ExecContext &ctx, const Baskets &baskets, const ItemsetOptions &options,
                  const ItemsetSink &emit);

// Runs `mine`; a memory limit error from it is rethrown with the hint every basket analytic
// gives: raise min_support or lower max_size (the two options that bound the itemsets).
template <typename F>
void WithMiningMemoryHint(F &&mine) {
    try {
        mine();
    } catch (const Error &e) {
        if (e.kind() != ErrorKind::MemoryLimit) throw;
        throw Error(
            ErrorKind::MemoryLimit, e.what(), e.detail(),
            "Raise min_support or lower max_size, or raise customer_analytics.memory_limit.");
    }
}

}  // namespace ca
