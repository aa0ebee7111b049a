#include "basket_recommend.hpp"

#include <algorithm>
#include <limits>

#include "basket.hpp"
#include "basket_rules.hpp"
#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

void ValidateRecommendOptions(const RecommendOptions &options) {
    RuleOptions rules;
    rules.min_support = options.min_support;
    rules.min_confidence = options.min_confidence;
    rules.min_lift = options.min_lift;
    rules.max_antecedent = options.max_antecedent;
    ValidateRuleOptions(rules);
}

namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// The best rule found so far for one item.
struct Candidate {
    std::uint32_t item;
    std::uint32_t antecedent_size;
    std::uint64_t antecedent_offset;  // in the antecedents arena
    std::uint64_t count, antecedent_count;
    double confidence, lift;
};

// Whether rule a ranks an item before rule b: higher confidence, then higher lift, then a shorter
// antecedent. Equal antecedent sizes are left to the walk's order (lexicographic in rank), which
// visits the antecedent that comes first in rank order first.
bool Better(const Candidate &a, const Candidate &b) {
    if (a.confidence != b.confidence) return a.confidence > b.confidence;
    if (a.lift != b.lift) return a.lift > b.lift;
    return a.antecedent_size < b.antecedent_size;
}

class Recommender {
  public:
    Recommender(ExecContext &ctx, const Baskets &baskets, const BudgetVector<std::uint32_t> &rank,
                const RecommendOptions &options)
        : ctx_(ctx),
          baskets_(baskets),
          rank_(rank),
          options_(options),
          n_(baskets.non_empty()),
          min_count_(MinCount(n_, options.min_support)),
          frequency_(MakeBudgetVector<std::uint64_t>(ctx)),
          in_basket_(MakeBudgetVector<std::uint8_t>(ctx)),
          co_count_(MakeBudgetVector<std::uint32_t>(ctx)),
          touched_(MakeBudgetVector<std::uint32_t>(ctx)),
          members_(MakeBudgetVector<std::uint32_t>(ctx)),
          member_offsets_(MakeBudgetVector<std::uint64_t>(ctx)),
          member_tids_(MakeBudgetVector<std::uint32_t>(ctx)),
          tids_(MakeBudgetVector<std::uint32_t>(ctx)),
          path_(MakeBudgetVector<std::uint32_t>(ctx)),
          best_of_(MakeBudgetVector<std::uint32_t>(ctx)),
          candidates_(MakeBudgetVector<Candidate>(ctx)),
          antecedents_(MakeBudgetVector<std::uint32_t>(ctx)) {}

    void Run(const std::uint32_t *basket, std::size_t basket_size,
             const std::function<void(const Recommendation &)> &emit) {
        if (n_ == 0 || options_.top_n == 0) return;
        const std::size_t universe = rank_.size();
        frequency_.assign(universe, 0);
        for (std::uint32_t item : baskets_.items) {
            ctx_.Tick();
            ++frequency_[item];
        }
        // The basket's items that can be in a frequent antecedent, in rank order: the walk then
        // builds every antecedent in rank order and visits them lexicographically.
        in_basket_.assign(universe, 0);
        for (std::size_t i = 0; i < basket_size; ++i) {
            ctx_.Tick();
            const std::uint32_t item = basket[i];
            if (item >= universe || in_basket_[item]) continue;
            in_basket_[item] = 1;
            if (frequency_[item] >= min_count_) members_.push_back(item);
        }
        std::sort(members_.begin(), members_.end(),
                  [this](std::uint32_t a, std::uint32_t b) { return rank_[a] < rank_[b]; });
        CollectMemberTransactions();
        co_count_.assign(universe, 0);
        best_of_.assign(universe, kNone);
        Walk();
        EmitBest(emit);
    }

  private:
    // member_tids_[member_offsets_[m] .. member_offsets_[m + 1]): the transactions (ascending)
    // that contain members_[m].
    void CollectMemberTransactions() {
        auto position = MakeBudgetVector<std::uint32_t>(ctx_);
        position.assign(rank_.size(), kNone);
        member_offsets_.assign(members_.size() + 1, 0);
        for (std::size_t m = 0; m < members_.size(); ++m) {
            position[members_[m]] = static_cast<std::uint32_t>(m);
            member_offsets_[m + 1] = member_offsets_[m] + frequency_[members_[m]];
        }
        member_tids_.resize(member_offsets_.back());
        auto fill = MakeBudgetVector<std::uint64_t>(ctx_);
        fill.assign(member_offsets_.begin(), member_offsets_.end() - 1);
        for (std::size_t t = 0; t < baskets_.size(); ++t) {
            for (const std::uint32_t *it = baskets_.begin(t); it != baskets_.end(t); ++it) {
                ctx_.Tick();
                const std::uint32_t m = position[*it];
                if (m != kNone) member_tids_[fill[m]++] = static_cast<std::uint32_t>(t);
            }
        }
    }

    // Depth-first over the frequent subsets X of the members, with an explicit stack (a basket
    // can have thousands of items): each level keeps X's transactions in tids_.
    void Walk() {
        struct Level {
            std::size_t begin, end;  // X's transactions in tids_
            std::size_t next;        // the next member to extend X with
        };
        auto levels = MakeBudgetVector<Level>(ctx_);
        for (std::size_t first = 0; first < members_.size(); ++first) {
            ctx_.Tick();
            tids_.assign(member_tids_.begin() + member_offsets_[first],
                         member_tids_.begin() + member_offsets_[first + 1]);
            path_.assign(1, members_[first]);
            levels.push_back(Level{0, tids_.size(), first + 1});
            Evaluate(0, tids_.size());
            while (!levels.empty()) {
                ctx_.Tick();
                const Level top = levels.back();
                if (path_.size() >= options_.max_antecedent || top.next >= members_.size()) {
                    tids_.resize(top.begin);
                    levels.pop_back();
                    path_.pop_back();
                    continue;
                }
                const std::size_t m = top.next;
                ++levels.back().next;
                const std::size_t begin = tids_.size();
                Intersect(top.begin, top.end, m);
                if (tids_.size() - begin >= min_count_) {
                    path_.push_back(members_[m]);
                    levels.push_back(Level{begin, tids_.size(), m + 1});
                    Evaluate(begin, tids_.size());
                } else {
                    tids_.resize(begin);
                }
            }
        }
    }

    // Appends to tids_ the transactions in tids_[begin, end) that contain member m.
    void Intersect(std::size_t begin, std::size_t end, std::size_t m) {
        std::size_t i = begin;
        std::uint64_t j = member_offsets_[m];
        const std::uint64_t j_end = member_offsets_[m + 1];
        while (i < end && j < j_end) {
            ctx_.Tick();
            const std::uint32_t a = tids_[i], b = member_tids_[j];
            if (a < b) {
                ++i;
            } else if (b < a) {
                ++j;
            } else {
                tids_.push_back(a);
                ++i;
                ++j;
            }
        }
    }

    // The rules path_ -> y for every item y outside the basket that co-occurs with path_ in the
    // transactions tids_[begin, end).
    void Evaluate(std::size_t begin, std::size_t end) {
        const std::uint64_t antecedent_count = end - begin;
        for (std::size_t i = begin; i < end; ++i) {
            const std::uint32_t t = tids_[i];
            for (const std::uint32_t *it = baskets_.begin(t); it != baskets_.end(t); ++it) {
                ctx_.Tick();
                if (co_count_[*it]++ == 0) touched_.push_back(*it);
            }
        }
        for (std::uint32_t y : touched_) {
            ctx_.Tick();
            const std::uint64_t count = co_count_[y];
            co_count_[y] = 0;
            if (in_basket_[y] || count < min_count_) continue;
            const double confidence = RuleConfidence(count, antecedent_count);
            if (!ConfidenceReaches(confidence, options_.min_confidence)) continue;
            const double lift = RuleLift(count, antecedent_count, frequency_[y], n_);
            if (lift < options_.min_lift) continue;
            Candidate c{y,
                        static_cast<std::uint32_t>(path_.size()),
                        0,
                        count,
                        antecedent_count,
                        confidence,
                        lift};
            const std::uint32_t held = best_of_[y];
            if (held != kNone && !Better(c, candidates_[held])) continue;
            c.antecedent_offset = antecedents_.size();
            antecedents_.insert(antecedents_.end(), path_.begin(), path_.end());
            if (held == kNone) {
                best_of_[y] = static_cast<std::uint32_t>(candidates_.size());
                candidates_.push_back(c);
            } else {
                candidates_[held] = c;
            }
        }
        touched_.clear();
    }

    void EmitBest(const std::function<void(const Recommendation &)> &emit) {
        const auto by_rank = [this](const Candidate &a, const Candidate &b) {
            ctx_.Tick();
            if (a.confidence != b.confidence) return a.confidence > b.confidence;
            if (a.lift != b.lift) return a.lift > b.lift;
            return rank_[a.item] < rank_[b.item];
        };
        const std::size_t shown = std::min(options_.top_n, candidates_.size());
        ctx_.CheckInterrupts();
        std::partial_sort(candidates_.begin(), candidates_.begin() + shown, candidates_.end(),
                          by_rank);
        ctx_.CheckInterrupts();
        for (std::size_t i = 0; i < shown; ++i) {
            const Candidate &c = candidates_[i];
            Recommendation r{};
            r.item = c.item;
            r.antecedent = antecedents_.data() + c.antecedent_offset;
            r.antecedent_size = c.antecedent_size;
            r.count = c.count;
            r.antecedent_count = c.antecedent_count;
            r.consequent_count = frequency_[c.item];
            r.n = n_;
            r.support = static_cast<double>(c.count) / static_cast<double>(n_);
            r.confidence = c.confidence;
            r.lift = c.lift;
            emit(r);
        }
    }

    ExecContext &ctx_;
    const Baskets &baskets_;
    const BudgetVector<std::uint32_t> &rank_;
    const RecommendOptions &options_;
    const std::uint64_t n_;
    const std::uint64_t min_count_;
    BudgetVector<std::uint64_t> frequency_;  // count of each item
    BudgetVector<std::uint8_t> in_basket_;
    BudgetVector<std::uint32_t> co_count_;  // per item, while evaluating one X; else 0
    BudgetVector<std::uint32_t> touched_;
    BudgetVector<std::uint32_t> members_;  // the basket's frequent items, in rank order
    BudgetVector<std::uint64_t> member_offsets_;
    BudgetVector<std::uint32_t> member_tids_;
    BudgetVector<std::uint32_t> tids_;     // the transactions of every level of the walk
    BudgetVector<std::uint32_t> path_;     // X
    BudgetVector<std::uint32_t> best_of_;  // item -> its candidate, kNone when none
    BudgetVector<Candidate> candidates_;
    BudgetVector<std::uint32_t> antecedents_;  // of the candidates, back to back
};

}  // namespace

void Recommend(ExecContext &ctx, const Baskets &baskets, const BudgetVector<std::uint32_t> &rank,
               const std::uint32_t *basket, std::size_t basket_size,
               const RecommendOptions &options,
               const std::function<void(const Recommendation &)> &emit) {
    ValidateRecommendOptions(options);
    WithMiningMemoryHint([&] {
        Recommender recommender(ctx, baskets, rank, options);
        recommender.Run(basket, basket_size, emit);
    });
}

}  // namespace ca
