#include "basket.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

ItemsetTarget ParseItemsetTarget(const std::string &name) {
    if (name == "frequent") return ItemsetTarget::Frequent;
    if (name == "closed") return ItemsetTarget::Closed;
    if (name == "maximal") return ItemsetTarget::Maximal;
    throw InvalidParameter("invalid itemset target", "The target was \"" + name + "\".",
                           "Use 'frequent', 'closed' or 'maximal'.");
}

void ValidateItemsetOptions(const ItemsetOptions &options) {
    // Written so that NaN fails too.
    if (!(options.min_support > 0.0 && options.min_support <= 1.0))
        throw InvalidParameter("min_support must be greater than 0 and at most 1",
                               "min_support was " + std::to_string(options.min_support) + ".",
                               "Pass a fraction of the transactions, such as 0.01.");
    if (options.min_size < 1)
        throw InvalidParameter("min_size must be at least 1", "min_size was 0.",
                               "Pass 1 to include single items.");
    if (options.max_size < options.min_size)
        throw InvalidParameter("max_size must be at least min_size",
                               "min_size was " + std::to_string(options.min_size) +
                                   " and max_size " + std::to_string(options.max_size) + ".",
                               "Pass a max_size of at least min_size, or none for no bound.");
}

std::uint64_t MinCount(std::uint64_t n, double min_support) {
    if (n == 0) return 0;
    const double nd = static_cast<double>(n);
    // ceil(n * s) is right but for rounding: the product and the division the support column
    // shows can each be off by an ulp, which matters when n * s is (nearly) an integer. Correctly
    // rounded division is monotone in c, so step from the estimate to the smallest c with
    // c / n >= s as computed in double; one or two steps at most.
    double estimate = std::ceil(nd * min_support);
    std::uint64_t c = estimate < 1.0 ? 1 : estimate > nd ? n : static_cast<std::uint64_t>(estimate);
    while (c > 1 && static_cast<double>(c - 1) / nd >= min_support) --c;
    while (c < n && static_cast<double>(c) / nd < min_support) ++c;
    return c;
}

namespace {

inline std::uint64_t PopCount(std::uint64_t w) {
    return static_cast<std::uint64_t>(__builtin_popcountll(w));
}

// Eclat over bit vectors of the transactions (docs/basket.md). A frame holds the frequent
// one-item extensions of the current prefix X: for each extension e, the bits of the
// transactions that contain X + e, stored only at the words where X's own bits are non-zero
// (`active`, absolute word indices), so deep frames shrink with the prefix's transactions.
struct Frame {
    explicit Frame(ExecContext &ctx)
        : active(MakeBudgetVector<std::uint32_t>(ctx)),
          parent_pos(MakeBudgetVector<std::uint32_t>(ctx)),
          words(MakeBudgetVector<std::uint64_t>(ctx)),
          items(MakeBudgetVector<std::uint32_t>(ctx)),
          counts(MakeBudgetVector<std::uint64_t>(ctx)) {}
    BudgetVector<std::uint32_t> active;      // a entries
    BudgetVector<std::uint32_t> parent_pos;  // where each active word is in the parent frame
    BudgetVector<std::uint64_t> words;       // k * a used: extension j at [j * a, (j + 1) * a)
    BudgetVector<std::uint32_t> items;       // k recoded items, ascending
    BudgetVector<std::uint64_t> counts;      // k counts of prefix + item
    std::size_t a = 0;
    std::size_t k = 0;
    bool extension_with_prefix_count = false;  // some prefix + item has the prefix's count
};

class EclatMiner {
  public:
    EclatMiner(ExecContext &ctx, const ItemsetOptions &options, const ItemsetSink &emit)
        : ctx_(ctx),
          options_(options),
          emit_(emit),
          decode_(MakeBudgetVector<std::uint32_t>(ctx)),
          in_prefix_(MakeBudgetVector<std::uint8_t>(ctx)),
          prefix_(MakeBudgetVector<std::uint32_t>(ctx)),
          out_(MakeBudgetVector<std::uint32_t>(ctx)) {}

    void Run(const Baskets &baskets);

  private:
    void Expand(std::size_t depth);
    void BuildChild(const Frame &parent, std::size_t i, Frame &child);
    bool HeadItemBlocks(const Frame &frame, std::size_t i, std::uint64_t count);
    void Emit(std::size_t size, std::uint64_t count);

    ExecContext &ctx_;
    const ItemsetOptions &options_;
    const ItemsetSink &emit_;
    std::uint64_t min_count_ = 0;
    std::size_t items_ = 0;                 // frequent items, recoded 0 .. items_ - 1
    BudgetVector<std::uint32_t> decode_;    // recoded item -> original index
    BudgetVector<std::uint8_t> in_prefix_;  // by recoded item
    BudgetVector<std::uint32_t> prefix_;    // recoded items of the current itemset
    BudgetVector<std::uint32_t> out_;       // the emitted itemset, original indices
    std::vector<Frame> frames_;             // frames_[d]: extensions of a prefix of size d
};

void EclatMiner::Run(const Baskets &baskets) {
    const std::uint64_t n = baskets.non_empty();
    min_count_ = MinCount(n, options_.min_support);
    if (n == 0) return;

    // Item frequencies, over the item indices that occur.
    std::uint32_t universe = 0;
    for (std::size_t t = 0; t < baskets.size(); ++t) {
        ctx_.Tick();
        if (baskets.basket_size(t) > 0) universe = std::max(universe, *(baskets.end(t) - 1) + 1);
    }
    auto frequency = MakeBudgetVector<std::uint64_t>(ctx_);
    frequency.assign(universe, 0);
    for (std::uint32_t item : baskets.items) {
        ctx_.Tick();
        ++frequency[item];
    }

    // Recode the frequent items by ascending frequency (ties by index, for a stable order):
    // Eclat then joins each rare item with the long tail of the more frequent ones, where the
    // intersections are small, and infrequent items are gone before any bit vector is built.
    for (std::uint32_t item = 0; item < universe; ++item) {
        ctx_.Tick();
        if (frequency[item] >= min_count_) decode_.push_back(item);
    }
    ctx_.CheckInterrupts();
    std::stable_sort(decode_.begin(), decode_.end(), [&](std::uint32_t x, std::uint32_t y) {
        ctx_.Tick();
        return frequency[x] < frequency[y];
    });
    ctx_.CheckInterrupts();
    items_ = decode_.size();
    if (items_ == 0) return;
    auto recode = MakeBudgetVector<std::uint32_t>(ctx_);
    constexpr std::uint32_t kInfrequent = std::numeric_limits<std::uint32_t>::max();
    recode.assign(universe, kInfrequent);
    for (std::size_t r = 0; r < items_; ++r) {
        ctx_.Tick();
        recode[decode_[r]] = static_cast<std::uint32_t>(r);
    }

    // The transactions as recoded frequent items, most frequent first; those left empty go.
    auto offsets = MakeBudgetVector<std::uint64_t>(ctx_);
    auto recoded = MakeBudgetVector<std::uint32_t>(ctx_);
    offsets.push_back(0);
    std::size_t longest = 0;
    for (std::size_t t = 0; t < baskets.size(); ++t) {
        ctx_.Tick();
        const std::size_t start = recoded.size();
        for (const std::uint32_t *p = baskets.begin(t); p != baskets.end(t); ++p)
            if (recode[*p] != kInfrequent) recoded.push_back(recode[*p]);
        if (recoded.size() == start) continue;
        std::sort(recoded.begin() + static_cast<std::ptrdiff_t>(start), recoded.end(),
                  std::greater<std::uint32_t>());
        longest = std::max(longest, recoded.size() - start);
        offsets.push_back(recoded.size());
    }
    BudgetVector<std::uint32_t>(MakeBudgetVector<std::uint32_t>(ctx_)).swap(recode);
    BudgetVector<std::uint64_t>(MakeBudgetVector<std::uint64_t>(ctx_)).swap(frequency);

    // Bit positions: transactions in lexicographic order of their items, most frequent first,
    // so that those sharing frequent items sit in the same words and a deep prefix's bits fall
    // in few words (its frame's `active`). Identical transactions end up side by side.
    const std::size_t transactions = offsets.size() - 1;
    auto order = MakeBudgetVector<std::uint32_t>(ctx_);
    order.resize(transactions);
    for (std::size_t t = 0; t < transactions; ++t) order[t] = static_cast<std::uint32_t>(t);
    ctx_.CheckInterrupts();
    std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
        ctx_.Tick();
        return std::lexicographical_compare(
            recoded.begin() + static_cast<std::ptrdiff_t>(offsets[y]),
            recoded.begin() + static_cast<std::ptrdiff_t>(offsets[y + 1]),
            recoded.begin() + static_cast<std::ptrdiff_t>(offsets[x]),
            recoded.begin() + static_cast<std::ptrdiff_t>(offsets[x + 1]));
    });
    ctx_.CheckInterrupts();

    // Frames for every depth the search can reach: an itemset is never longer than the longest
    // transaction, nor than max_size. Created up front, so a reference to one stays valid.
    const std::size_t depth = std::min(options_.max_size, longest);
    frames_.reserve(depth + 1);
    for (std::size_t d = 0; d <= depth; ++d) frames_.emplace_back(ctx_);
    in_prefix_.assign(items_, 0);
    prefix_.reserve(depth);
    out_.reserve(depth);

    // The root frame: the empty prefix, every word active, one bit vector per frequent item.
    Frame &root = frames_[0];
    const std::size_t words = (transactions + 63) / 64;
    root.a = words;
    root.active.resize(words);
    for (std::size_t w = 0; w < words; ++w) root.active[w] = static_cast<std::uint32_t>(w);
    root.k = items_;
    root.words.assign(items_ * words, 0);
    root.counts.assign(items_, 0);
    root.items.resize(items_);
    for (std::size_t r = 0; r < items_; ++r) root.items[r] = static_cast<std::uint32_t>(r);
    for (std::size_t position = 0; position < transactions; ++position) {
        ctx_.Tick();
        const std::uint32_t t = order[position];
        for (std::uint64_t p = offsets[t]; p < offsets[t + 1]; ++p) {
            root.words[recoded[p] * words + position / 64] |= std::uint64_t{1} << (position % 64);
            ++root.counts[recoded[p]];
        }
    }
    BudgetVector<std::uint32_t>(MakeBudgetVector<std::uint32_t>(ctx_)).swap(order);
    BudgetVector<std::uint32_t>(MakeBudgetVector<std::uint32_t>(ctx_)).swap(recoded);
    BudgetVector<std::uint64_t>(MakeBudgetVector<std::uint64_t>(ctx_)).swap(offsets);

    Expand(0);
}

// The extensions of prefix + parent.items[i]: for each later extension j of the parent, the
// bits of prefix + items[i] + items[j] at the words where prefix + items[i] has bits.
void EclatMiner::BuildChild(const Frame &parent, std::size_t i, Frame &child) {
    const std::size_t a = parent.a;
    const std::uint64_t *base = parent.words.data() + i * a;
    child.active.clear();
    child.parent_pos.clear();
    for (std::size_t p = 0; p < a; ++p) {
        if (base[p] == 0) continue;
        child.parent_pos.push_back(static_cast<std::uint32_t>(p));
        child.active.push_back(parent.active[p]);
    }
    const std::size_t a2 = child.parent_pos.size();
    child.a = a2;
    child.k = 0;
    child.items.clear();
    child.counts.clear();
    child.extension_with_prefix_count = false;
    const std::size_t needed = (parent.k - i - 1) * a2;
    if (child.words.size() < needed) child.words.resize(needed);
    const std::uint32_t *pos = child.parent_pos.data();
    const std::uint64_t prefix_count = parent.counts[i];
    for (std::size_t j = i + 1; j < parent.k; ++j) {
        ctx_.Tick();
        const std::uint64_t *other = parent.words.data() + j * a;
        std::uint64_t *out = child.words.data() + child.k * a2;
        std::uint64_t count = 0;
        for (std::size_t q = 0; q < a2; ++q) {
            const std::uint64_t w = base[pos[q]] & other[pos[q]];
            out[q] = w;
            count += PopCount(w);
        }
        if (count < min_count_) continue;
        child.items.push_back(parent.items[j]);
        child.counts.push_back(count);
        if (count == prefix_count) child.extension_with_prefix_count = true;
        ++child.k;
    }
}

// Whether an item before frame.items[i] in the recoded order and not in the prefix makes
// prefix + items[i] (of `count` baskets) not closed (the item is in all its baskets) or not
// maximal (adding it leaves a frequent itemset). Items after it need no look: they are the
// frame's later extensions, checked by BuildChild, or infrequent with the prefix already.
bool EclatMiner::HeadItemBlocks(const Frame &frame, std::size_t i, std::uint64_t count) {
    const Frame &root = frames_[0];
    const std::size_t a = frame.a;
    const std::uint64_t *bits = frame.words.data() + i * a;
    const bool closed = options_.target == ItemsetTarget::Closed;
    for (std::uint32_t e = 0; e < frame.items[i]; ++e) {
        ctx_.Tick();
        if (in_prefix_[e]) continue;
        const std::uint64_t *item_bits = root.words.data() + std::size_t{e} * root.a;
        if (closed) {
            bool subset = true;
            for (std::size_t p = 0; p < a && subset; ++p)
                subset = (bits[p] & ~item_bits[frame.active[p]]) == 0;
            if (subset) return true;
        } else {
            std::uint64_t together = 0, seen = 0;
            for (std::size_t p = 0; p < a; ++p) {
                if (bits[p] == 0) continue;
                together += PopCount(bits[p] & item_bits[frame.active[p]]);
                seen += PopCount(bits[p]);
                if (together >= min_count_) return true;
                if (together + (count - seen) < min_count_) break;  // cannot reach it any more
            }
        }
    }
    return false;
}

void EclatMiner::Expand(std::size_t depth) {
    Frame &frame = frames_[depth];
    const std::size_t size = depth + 1;
    for (std::size_t i = 0; i < frame.k; ++i) {
        ctx_.Tick();
        const std::uint32_t item = frame.items[i];
        const std::uint64_t count = frame.counts[i];
        prefix_.push_back(item);
        in_prefix_[item] = 1;

        Frame *child = nullptr;
        if (size < options_.max_size && i + 1 < frame.k) {
            child = &frames_[depth + 1];
            BuildChild(frame, i, *child);
        }
        if (size >= options_.min_size) {
            // Closed and maximal are judged among the itemsets of at most max_size items.
            bool keep = true;
            if (options_.target != ItemsetTarget::Frequent && size < options_.max_size) {
                if (options_.target == ItemsetTarget::Closed)
                    keep = !(child != nullptr && child->extension_with_prefix_count);
                else
                    keep = !(child != nullptr && child->k > 0);
                if (keep) keep = !HeadItemBlocks(frame, i, count);
            }
            if (keep) Emit(size, count);
        }
        if (child != nullptr && child->k > 0) Expand(depth + 1);

        in_prefix_[item] = 0;
        prefix_.pop_back();
    }
}

void EclatMiner::Emit(std::size_t size, std::uint64_t count) {
    out_.clear();
    for (std::uint32_t r : prefix_) out_.push_back(decode_[r]);
    std::sort(out_.begin(), out_.end());
    emit_(out_.data(), size, count);
}

}  // namespace

void MineItemsets(ExecContext &ctx, const Baskets &baskets, const ItemsetOptions &options,
                  const ItemsetSink &emit) {
    ValidateItemsetOptions(options);
    try {
        EclatMiner miner(ctx, options, emit);
        miner.Run(baskets);
    } catch (const Error &e) {
        if (e.kind() != ErrorKind::MemoryLimit) throw;
        throw Error(
            ErrorKind::MemoryLimit, e.what(), e.detail(),
            "Raise min_support or lower max_size, or raise customer_analytics.memory_limit.");
    }
}

}  // namespace ca
