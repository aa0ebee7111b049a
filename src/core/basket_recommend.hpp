// Market-basket analysis, step three: "also bought" recommendations for one basket, from the
// association rules X -> y (one-item consequents) whose antecedent X is contained in the basket
// and whose consequent y is not in it. Definitions and ranking: docs/basket.md, "Recommendations".
//
// The result equals what association_rules() (basket_rules.hpp) would give, filtered to those
// rules and reduced to the best rule per item, but only the itemsets inside the basket are mined:
// a depth-first walk over the basket's frequent subsets with their transaction lists, counting the
// items that co-occur with each. Memory: one transaction list per level of the walk, one counter
// per item, the candidates; all counted against the ExecContext.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>

#include "exec_context.hpp"
#include "transactions.hpp"

namespace ca {

struct RecommendOptions {
    double min_support = 0.001;  // in (0, 1]: X ∪ {y} must be frequent
    double min_confidence = 0;   // in [0, 1]
    double min_lift = 0;         // >= 0, finite
    std::size_t max_antecedent = std::numeric_limits<std::size_t>::max();  // >= 1; max: none
    std::size_t top_n = 10;                                                // >= 0
};

// Throws InvalidParameter unless the options are in range (those shared with RuleOptions with
// the same messages).
void ValidateRecommendOptions(const RecommendOptions &options);

// One recommended item with the rule X -> y that ranks it. Pointers valid during the callback.
struct Recommendation {
    std::uint32_t item;               // y
    const std::uint32_t *antecedent;  // X, ascending item rank
    std::size_t antecedent_size;
    std::uint64_t count;             // count(X ∪ {y})
    std::uint64_t antecedent_count;  // count(X)
    std::uint64_t consequent_count;  // count(y)
    std::uint64_t n;                 // N, the non-empty baskets
    double support, confidence, lift;
};

// Emits at most top_n items not in `basket`, best first: for each item y its best rule X -> y
// (X a non-empty subset of the basket of at most max_antecedent items, X ∪ {y} frequent,
// confidence and lift at least the minimums as association_rules() applies them). Best means
// higher confidence, then higher lift, then fewer antecedent items, then the antecedent first in
// rank order; items of equal confidence and lift come in rank order. `rank[i]` is item i's place
// in the items' natural order (a permutation of 0 .. items - 1, items > every index in baskets
// and basket). `basket` holds item indices, in any order, repeats allowed. Validates the options;
// ticks throughout.
void Recommend(ExecContext &ctx, const Baskets &baskets, const BudgetVector<std::uint32_t> &rank,
               const std::uint32_t *basket, std::size_t basket_size,
               const RecommendOptions &options,
               const std::function<void(const Recommendation &)> &emit);

}  // namespace ca
