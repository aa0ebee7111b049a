#include "basket_rules.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

#include "basket.hpp"
#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

namespace {

__extension__ typedef __int128 Int128;

std::string Bound(std::size_t value) {
    return value == RuleOptions::kNoBound ? std::string("none") : std::to_string(value);
}

// num / den as a double, rounded once from long double: the measures below are ratios of
// exact integer products of counts (counts are below 2^32, so the products fit in 128 bits),
// which avoids the cancellation of formulas like sXY - sX * sY evaluated in double.
double Ratio(Int128 num, Int128 den) {
    return static_cast<double>(static_cast<long double>(num) / static_cast<long double>(den));
}

long double LogChoose(long double n, long double k) {
    return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

}  // namespace

void ValidateRuleOptions(const RuleOptions &options) {
    ItemsetOptions itemsets;
    itemsets.min_support = options.min_support;
    ValidateItemsetOptions(itemsets);
    // Written so that NaN fails too.
    if (!(options.min_confidence >= 0.0 && options.min_confidence <= 1.0))
        throw InvalidParameter("min_confidence must be at least 0 and at most 1",
                               "min_confidence was " + std::to_string(options.min_confidence) + ".",
                               "Pass a fraction, such as 0.5.");
    if (!(options.min_lift >= 0.0) || std::isinf(options.min_lift))
        throw InvalidParameter("min_lift must be a finite number of at least 0",
                               "min_lift was " + std::to_string(options.min_lift) + ".",
                               "Pass 0 to keep rules of any lift.");
    if (options.max_antecedent < 1)
        throw InvalidParameter("max_antecedent must be at least 1", "max_antecedent was 0.",
                               "Pass none for no bound.");
    if (options.max_consequent < 1)
        throw InvalidParameter("max_consequent must be at least 1", "max_consequent was 0.",
                               "Pass 1 for single-item consequents, as arules does.");
    if (options.max_size < 2)
        throw InvalidParameter("max_size must be at least 2",
                               "max_size was " + Bound(options.max_size) + ".",
                               "A rule has at least two items; pass none for no bound.");
}

double FisherUpperTail(std::uint64_t a, std::uint64_t n_x, std::uint64_t n_y, std::uint64_t n) {
    // R's phyper(x, NR, NB, n, lower.tail = FALSE) with x = a - 1, NR = n_y, NB = n - n_y,
    // n = n_x, step by step: the tail away from the mean is summed as dhyper(x) times
    // pdhyper(x) (the sum of the ratios of the terms to dhyper(x)), so a small p-value is never
    // the difference of two numbers near 1. Long double where R uses double.
    if (a == 0) return 1.0;
    std::int64_t x = static_cast<std::int64_t>(a) - 1;
    Int128 red = n_y, black = n - n_y, drawn = n_x;
    bool lower = false;
    if (Int128(x) * (red + black) > drawn * red) {  // swap the tails
        std::swap(red, black);
        x = static_cast<std::int64_t>(drawn) - x - 1;
        lower = true;
    }
    if (x < 0 || Int128(x) < drawn - black) return lower ? 0.0 : 1.0;
    if (Int128(x) >= red || Int128(x) >= drawn) return lower ? 1.0 : 0.0;
    const long double r = static_cast<long double>(red), b = static_cast<long double>(black),
                      m = static_cast<long double>(drawn);
    long double k = static_cast<long double>(x);
    const long double log_d = LogChoose(r, k) + LogChoose(b, m - k) - LogChoose(r + b, m);
    long double sum = 0, term = 1;
    while (k > 0 && term >= LDBL_EPSILON * sum) {
        term *= k * (b - m + k) / (m + 1 - k) / (r + 1 - k);
        sum += term;
        k -= 1;
    }
    const long double tail = std::exp(log_d) * (1 + sum);
    return static_cast<double>(lower ? tail : 1 - tail);
}

double RuleConfidence(std::uint64_t count, std::uint64_t antecedent_count) {
    return static_cast<double>(count) / static_cast<double>(antecedent_count);
}

bool ConfidenceReaches(double confidence, double min_confidence) {
    // arules' apriori keeps a rule when its confidence, computed in double, is at least
    // min_confidence - 1e-12 (EPSILON in its istree.c, "to cope with roundoff errors").
    return confidence >= min_confidence - 1e-12;
}

double RuleLift(std::uint64_t count, std::uint64_t antecedent_count, std::uint64_t consequent_count,
                std::uint64_t n) {
    // c N / (cX cY), correctly rounded: compared with min_lift as it is reported.
    return Ratio(Int128(count) * n, Int128(antecedent_count) * consequent_count);
}

namespace {

// Every frequent itemset of at most `max_size` items with its count, and a hash table from
// itemset to count. Arena: the items of all itemsets back to back; entries: where each starts.
class ItemsetTable {
  public:
    explicit ItemsetTable(ExecContext &ctx)
        : ctx_(ctx),
          items_(MakeBudgetVector<std::uint32_t>(ctx)),
          entries_(MakeBudgetVector<Entry>(ctx)),
          slots_(MakeBudgetVector<std::uint32_t>(ctx)),
          order_(MakeBudgetVector<std::uint32_t>(ctx)) {}

    void Add(const std::uint32_t *items, std::size_t size, std::uint64_t count) {
        if (entries_.size() >= kEmpty - 1)
            throw Error(ErrorKind::MemoryLimit, "customer_analytics memory limit exceeded",
                        "More than 4294967294 frequent itemsets.");
        entries_.push_back(Entry{items_.size(), count, static_cast<std::uint32_t>(size)});
        items_.insert(items_.end(), items, items + size);
    }

    // Builds the hash table and the order of the itemsets: by size, then lexicographically.
    void Finish() {
        std::size_t capacity = 16;
        while (capacity < 2 * entries_.size()) capacity *= 2;
        ctx_.CheckInterrupts();
        slots_.assign(capacity, kEmpty);
        mask_ = capacity - 1;
        for (std::uint32_t e = 0; e < entries_.size(); ++e) {
            ctx_.Tick();
            std::size_t s = Hash(Items(e), entries_[e].size) & mask_;
            while (slots_[s] != kEmpty) s = (s + 1) & mask_;
            slots_[s] = e;
        }
        order_.resize(entries_.size());
        for (std::uint32_t e = 0; e < entries_.size(); ++e) {
            ctx_.Tick();
            order_[e] = e;
        }
        ctx_.CheckInterrupts();
        std::sort(order_.begin(), order_.end(), [this](std::uint32_t l, std::uint32_t r) {
            ctx_.Tick();
            const Entry &a = entries_[l], &b = entries_[r];
            if (a.size != b.size) return a.size < b.size;
            return std::lexicographical_compare(Items(l), Items(l) + a.size, Items(r),
                                                Items(r) + b.size);
        });
        ctx_.CheckInterrupts();
    }

    // The count of a mined itemset (ascending items); every subset of one is mined.
    std::uint64_t Count(const std::uint32_t *items, std::size_t size) const {
        std::size_t s = Hash(items, size) & mask_;
        while (true) {
            const std::uint32_t e = slots_[s];
            if (e == kEmpty) throw DataException("rule generation found an itemset not mined");
            if (entries_[e].size == size && std::equal(items, items + size, Items(e)))
                return entries_[e].count;
            s = (s + 1) & mask_;
        }
    }

    std::size_t size() const { return entries_.size(); }
    // The i-th itemset in the output order.
    const std::uint32_t *OrderedItems(std::size_t i) const { return Items(order_[i]); }
    std::size_t OrderedSize(std::size_t i) const { return entries_[order_[i]].size; }
    std::uint64_t OrderedCount(std::size_t i) const { return entries_[order_[i]].count; }

  private:
    struct Entry {
        std::uint64_t offset;
        std::uint64_t count;
        std::uint32_t size;
    };
    static constexpr std::uint32_t kEmpty = 0xffffffffu;

    const std::uint32_t *Items(std::size_t e) const { return items_.data() + entries_[e].offset; }

    static std::size_t Hash(const std::uint32_t *items, std::size_t size) {
        std::uint64_t h = 0x9e3779b97f4a7c15ull ^ size;
        for (std::size_t i = 0; i < size; ++i) {
            h ^= items[i];
            h *= 0xff51afd7ed558ccdull;
            h ^= h >> 32;
        }
        return static_cast<std::size_t>(h);
    }

    ExecContext &ctx_;
    BudgetVector<std::uint32_t> items_;
    BudgetVector<Entry> entries_;
    BudgetVector<std::uint32_t> slots_;
    BudgetVector<std::uint32_t> order_;
    std::size_t mask_ = 0;
};

double Lift(const Rule &rule) {
    return RuleLift(rule.count, rule.antecedent_count, rule.consequent_count, rule.n);
}

void FillMeasures(Rule &rule) {
    const Int128 c = rule.count, cx = rule.antecedent_count, cy = rule.consequent_count, n = rule.n;
    const double nd = static_cast<double>(rule.n);
    rule.support = static_cast<double>(rule.count) / nd;
    rule.antecedent_support = static_cast<double>(rule.antecedent_count) / nd;
    rule.consequent_support = static_cast<double>(rule.consequent_count) / nd;
    rule.confidence = RuleConfidence(rule.count, rule.antecedent_count);
    rule.lift = Lift(rule);
    // leverage = sXY - sX sY = (c n - cx cy) / n^2
    const Int128 dependence = c * n - cx * cy;
    rule.leverage = Ratio(dependence, n * n);
    // conviction = (1 - sY) / (1 - confidence) = (n - cy) cx / (n (cx - c))
    rule.conviction = c == cx ? HUGE_VAL : Ratio((n - cy) * cx, n * (cx - c));
    rule.jaccard = Ratio(c, cx + cy - c);
    // certainty = (confidence - sY) / (1 - sY) = (c n - cx cy) / (cx (n - cy)); 0 when sY = 1
    rule.certainty = cy == n ? 0.0 : Ratio(dependence, cx * (n - cy));
    rule.kulczynski = Ratio(c * cy + c * cx, 2 * cx * cy);
    // zhang = leverage / max(sXY (1 - sX), sX (sY - sXY)), the n^2 cancelled; 0 when both are 0
    const Int128 zhang_den = std::max(c * (n - cx), cx * (cy - c));
    rule.zhangs_metric = zhang_den == 0 ? 0.0 : Ratio(dependence, zhang_den);
    rule.fisher_p =
        FisherUpperTail(rule.count, rule.antecedent_count, rule.consequent_count, rule.n);
}

void GenerateRules(ExecContext &ctx, const ItemsetTable &table, std::uint64_t n,
                   const RuleOptions &options, const std::function<void(const Rule &)> &emit) {
    auto antecedent = MakeBudgetVector<std::uint32_t>(ctx);
    auto consequent = MakeBudgetVector<std::uint32_t>(ctx);
    auto chosen = MakeBudgetVector<std::size_t>(ctx);  // positions in Z of the consequent
    Rule rule{};
    rule.n = n;
    for (std::size_t i = 0; i < table.size(); ++i) {
        ctx.Tick();
        const std::size_t k = table.OrderedSize(i);
        if (k < 2) continue;
        const std::uint32_t *z = table.OrderedItems(i);
        rule.count = table.OrderedCount(i);
        const std::size_t max_y = std::min(options.max_consequent, k - 1);
        for (std::size_t y_size = 1; y_size <= max_y; ++y_size) {
            if (k - y_size > options.max_antecedent) continue;
            chosen.resize(y_size);
            for (std::size_t j = 0; j < y_size; ++j) chosen[j] = j;
            while (true) {  // every y_size-subset of Z's positions, lexicographically
                ctx.Tick();
                consequent.clear();
                antecedent.clear();
                for (std::size_t p = 0, j = 0; p < k; ++p) {
                    if (j < y_size && chosen[j] == p) {
                        consequent.push_back(z[p]);
                        ++j;
                    } else {
                        antecedent.push_back(z[p]);
                    }
                }
                rule.antecedent_count = table.Count(antecedent.data(), antecedent.size());
                if (ConfidenceReaches(RuleConfidence(rule.count, rule.antecedent_count),
                                      options.min_confidence)) {
                    rule.consequent_count = table.Count(consequent.data(), consequent.size());
                    if (Lift(rule) >= options.min_lift) {
                        FillMeasures(rule);
                        rule.antecedent = antecedent.data();
                        rule.antecedent_size = antecedent.size();
                        rule.consequent = consequent.data();
                        rule.consequent_size = consequent.size();
                        emit(rule);
                    }
                }
                // next combination
                std::size_t j = y_size;
                while (j > 0 && chosen[j - 1] == k - y_size + j - 1) --j;
                if (j == 0) break;
                ++chosen[j - 1];
                for (std::size_t q = j; q < y_size; ++q) chosen[q] = chosen[q - 1] + 1;
            }
        }
    }
}

}  // namespace

void MineRules(ExecContext &ctx, const Baskets &baskets, const RuleOptions &options,
               const std::function<void(const Rule &)> &emit) {
    ValidateRuleOptions(options);
    WithMiningMemoryHint([&] {
        ItemsetOptions itemsets;
        itemsets.min_support = options.min_support;
        // Larger itemsets cannot be split within the antecedent and consequent bounds.
        const std::size_t split_bound =
            options.max_antecedent > RuleOptions::kNoBound - options.max_consequent
                ? RuleOptions::kNoBound
                : options.max_antecedent + options.max_consequent;
        itemsets.max_size = std::min(options.max_size, split_bound);
        ItemsetTable table(ctx);
        MineItemsets(ctx, baskets, itemsets,
                     [&](const std::uint32_t *items, std::size_t size, std::uint64_t count) {
                         ctx.Tick();
                         table.Add(items, size, count);
                     });
        table.Finish();
        GenerateRules(ctx, table, baskets.non_empty(), options, emit);
    });
}

}  // namespace ca
