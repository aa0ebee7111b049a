// Market-basket analysis, step two: association rules X -> Y from the frequent itemsets of
// ca::Baskets, with every measure of docs/basket.md ("Association rules") and the one-sided
// Fisher exact test p-value as arules computes it. How the rules are generated, their order and
// the memory they need: docs/basket.md, "Rules: how they are generated".
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>

#include "exec_context.hpp"
#include "transactions.hpp"

namespace ca {

struct RuleOptions {
    static constexpr std::size_t kNoBound = std::numeric_limits<std::size_t>::max();
    double min_support = 0.1;               // in (0, 1]: the itemset X ∪ Y must be frequent
    double min_confidence = 0.5;            // in [0, 1]
    double min_lift = 0;                    // >= 0; 0 keeps every rule
    std::size_t max_antecedent = kNoBound;  // >= 1
    std::size_t max_consequent = 1;         // >= 1; 1 is arules' (single-item consequents)
    std::size_t max_size = kNoBound;        // >= 2: bound on |X ∪ Y| (arules' maxlen)
};

// Throws InvalidParameter unless every option is in its range above (NaN fails).
void ValidateRuleOptions(const RuleOptions &options);

// One rule. The item pointers are valid only during the callback.
struct Rule {
    const std::uint32_t *antecedent;  // X, ascending original item indices
    std::size_t antecedent_size;
    const std::uint32_t *consequent;  // Y, ascending original item indices
    std::size_t consequent_size;
    std::uint64_t count;             // count(X ∪ Y)
    std::uint64_t antecedent_count;  // count(X)
    std::uint64_t consequent_count;  // count(Y)
    std::uint64_t n;                 // N, the non-empty baskets
    double support, antecedent_support, consequent_support;
    double confidence, lift, leverage;
    double conviction;  // +Infinity exactly when confidence = 1
    double jaccard, certainty, kulczynski, zhangs_metric;
    double fisher_p;  // P(H >= count), H hypergeometric: arules' fishersExactTest
};

// The thresholds as MineRules applies them (docs/basket.md, "Thresholds as arules computes
// them"), for every function that filters rules: the confidence count / antecedent_count in
// double, kept when >= min_confidence - 1e-12 as arules does; the lift count N / (cX cY)
// correctly rounded, kept when >= min_lift.
double RuleConfidence(std::uint64_t count, std::uint64_t antecedent_count);
bool ConfidenceReaches(double confidence, double min_confidence);
double RuleLift(std::uint64_t count, std::uint64_t antecedent_count, std::uint64_t consequent_count,
                std::uint64_t n);

// The one-sided Fisher exact test p-value of docs/basket.md: R's
// phyper(a - 1, n_y, n - n_y, n_x, lower.tail = FALSE). Requires a <= min(n_x, n_y) and
// n_x, n_y <= n.
double FisherUpperTail(std::uint64_t a, std::uint64_t n_x, std::uint64_t n_y, std::uint64_t n);

// Emits every rule X -> Y (X, Y non-empty and disjoint, X ∪ Y frequent with at most max_size
// items, |X| <= max_antecedent, |Y| <= max_consequent) whose confidence and lift reach the
// minimums, in the order of docs/basket.md. Validates the options first; ticks throughout; a
// memory limit hit is rethrown with a hint to raise min_support or lower max_size.
void MineRules(ExecContext &ctx, const Baskets &baskets, const RuleOptions &options,
               const std::function<void(const Rule &)> &emit);

}  // namespace ca
