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
    // arules' own formula, `(int)ceil(tacnt * supp)` in double precision, so that every count
    // equals arules' on the same data (docs/basket.md, "How min_count is computed").
    const double nd = static_cast<double>(n);
    const double c = std::ceil(nd * min_support);
    return c < 1.0 ? 1 : c > nd ? n : static_cast<std::uint64_t>(c);
}

namespace {

inline std::uint64_t PopCount(std::uint64_t w) {
    return static_cast<std::uint64_t>(__builtin_popcountll(w));
}

// The hot loops, compiled twice on x86-64: with the POPCNT instruction, and without for CPUs
// that lack it (the loader picks one). Without this, __builtin_popcountll is a libgcc call.
#if defined(__x86_64__) && defined(__GNUC__) && defined(__linux__)
#define CA_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define CA_POPCNT_CLONES
#endif

// out[q] = a[pos[q]] & b[pos[q]]; returns the number of bits set in out.
CA_POPCNT_CLONES std::uint64_t AndCount(const std::uint64_t *a, const std::uint64_t *b,
                                        const std::uint32_t *pos, std::size_t n,
                                        std::uint64_t *out) {
    std::uint64_t count = 0;
    for (std::size_t q = 0; q < n; ++q) {
        const std::uint64_t w = a[pos[q]] & b[pos[q]];
        out[q] = w;
        count += PopCount(w);
    }
    return count;
}

// Whether at least `need` of the `total` bits of bits[0 .. n) are also set in
// other[active[p]]; stops as soon as the answer is known.
CA_POPCNT_CLONES bool AndCountReaches(const std::uint64_t *bits, const std::uint64_t *other,
                                      const std::uint32_t *active, std::size_t n,
                                      std::uint64_t total, std::uint64_t need) {
    std::uint64_t together = 0, seen = 0;
    for (std::size_t p = 0; p < n; ++p) {
        if (bits[p] == 0) continue;
        together += PopCount(bits[p] & other[active[p]]);
        seen += PopCount(bits[p]);
        if (together >= need) return true;
        if (together + (total - seen) < need) return false;
    }
    return together >= need;
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
          out_(MakeBudgetVector<std::uint32_t>(ctx)),
          tx_offsets_(MakeBudgetVector<std::uint64_t>(ctx)),
          tx_items_(MakeBudgetVector<std::uint32_t>(ctx)),
          slot_(MakeBudgetVector<std::uint32_t>(ctx)),
          hits_(MakeBudgetVector<std::uint64_t>(ctx)),
          touched_(MakeBudgetVector<std::uint32_t>(ctx)) {}

    void Run(const Baskets &baskets);

  private:
    void Expand(std::size_t depth);
    void BuildChild(const Frame &parent, std::size_t i, Frame &child);
    bool HeadItemBlocks(const Frame &frame, std::size_t i, std::uint64_t count);
    bool UseOccurrences(std::uint64_t count, std::size_t bit_vector_words) const;
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
    // The transactions by bit position: recoded frequent items, descending, for occurrence
    // delivery; their mean length for the cost estimates.
    BudgetVector<std::uint64_t> tx_offsets_;
    BudgetVector<std::uint32_t> tx_items_;
    double mean_length_ = 0;
    // Scratch of occurrence delivery, all zero / kNoSlot between uses.
    BudgetVector<std::uint32_t> slot_;     // recoded item -> its extension index in the frame
    BudgetVector<std::uint64_t> hits_;     // by extension index, or by item for the head check
    BudgetVector<std::uint32_t> touched_;  // items whose hits_ the head check raised
};

constexpr std::uint32_t kNoSlot = std::numeric_limits<std::uint32_t>::max();

// Calls f(position) for each bit set in bits[0 .. n), whose word p is word active[p].
template <typename F>
void ForEachTransaction(const std::uint64_t *bits, const std::uint32_t *active, std::size_t n,
                        F &&f) {
    for (std::size_t p = 0; p < n; ++p) {
        for (std::uint64_t w = bits[p]; w != 0; w &= w - 1)
            f(std::size_t{active[p]} * 64 + static_cast<std::size_t>(__builtin_ctzll(w)));
    }
}

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
    tx_offsets_.reserve(transactions + 1);
    tx_items_.reserve(recoded.size());
    tx_offsets_.push_back(0);
    for (std::size_t position = 0; position < transactions; ++position) {
        ctx_.Tick();
        const std::uint32_t t = order[position];
        for (std::uint64_t p = offsets[t]; p < offsets[t + 1]; ++p) {
            root.words[recoded[p] * words + position / 64] |= std::uint64_t{1} << (position % 64);
            ++root.counts[recoded[p]];
            tx_items_.push_back(recoded[p]);
        }
        tx_offsets_.push_back(tx_items_.size());
    }
    mean_length_ = static_cast<double>(tx_items_.size()) / static_cast<double>(transactions);
    BudgetVector<std::uint32_t>(MakeBudgetVector<std::uint32_t>(ctx_)).swap(order);
    BudgetVector<std::uint32_t>(MakeBudgetVector<std::uint32_t>(ctx_)).swap(recoded);
    BudgetVector<std::uint64_t>(MakeBudgetVector<std::uint64_t>(ctx_)).swap(offsets);
    slot_.assign(items_, kNoSlot);
    hits_.assign(items_, 0);
    touched_.reserve(items_);

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
    const bool deliver = UseOccurrences(prefix_count, (parent.k - i - 1) * a2);
    if (deliver) {
        // Count prefix + items[i] + items[j] for every later j over the transactions of
        // prefix + items[i]; only the frequent ones get their bit vectors below.
        for (std::size_t j = i + 1; j < parent.k; ++j)
            slot_[parent.items[j]] = static_cast<std::uint32_t>(j);
        const std::uint32_t first = parent.items[i];
        ForEachTransaction(base, parent.active.data(), a, [&](std::size_t t) {
            ctx_.Tick();
            for (std::uint64_t q = tx_offsets_[t]; q < tx_offsets_[t + 1]; ++q) {
                const std::uint32_t e = tx_items_[q];
                if (e <= first) break;  // descending: the rest come before items[i]
                if (slot_[e] != kNoSlot) ++hits_[slot_[e]];
            }
        });
    }
    for (std::size_t j = i + 1; j < parent.k; ++j) {
        ctx_.Tick();
        if (deliver) {
            const bool frequent = hits_[j] >= min_count_;
            hits_[j] = 0;
            slot_[parent.items[j]] = kNoSlot;
            if (!frequent) continue;
        }
        std::uint64_t *out = child.words.data() + child.k * a2;
        const std::uint64_t count = AndCount(base, parent.words.data() + j * a, pos, a2, out);
        if (count < min_count_) continue;
        child.items.push_back(parent.items[j]);
        child.counts.push_back(count);
        if (count == prefix_count) child.extension_with_prefix_count = true;
        ++child.k;
    }
}

bool EclatMiner::UseOccurrences(std::uint64_t count, std::size_t bit_vector_words) const {
    switch (options_.counting) {
        case ItemsetCounting::BitVectors:
            return false;
        case ItemsetCounting::Occurrences:
            return true;
        case ItemsetCounting::Auto:
            break;
    }
    // Both are a few cycles per unit: an item occurrence delivered, a word ANDed.
    return static_cast<double>(count) * mean_length_ < static_cast<double>(bit_vector_words);
}

// Whether an item before frame.items[i] in the recoded order and not in the prefix makes
// prefix + items[i] (of `count` baskets) not closed (the item is in all its baskets) or not
// maximal (adding it leaves a frequent itemset). Items after it need no look: they are the
// frame's later extensions, checked by BuildChild, or infrequent with the prefix already.
bool EclatMiner::HeadItemBlocks(const Frame &frame, std::size_t i, std::uint64_t count) {
    const Frame &root = frames_[0];
    const std::size_t a = frame.a;
    const std::uint64_t *bits = frame.words.data() + i * a;
    const std::uint32_t item = frame.items[i];
    const bool closed = options_.target == ItemsetTarget::Closed;
    if (UseOccurrences(count, std::size_t{item} * a)) {
        // Count, over the itemset's transactions, the earlier items that are not in it.
        ForEachTransaction(bits, frame.active.data(), a, [&](std::size_t t) {
            ctx_.Tick();
            for (std::uint64_t q = tx_offsets_[t + 1]; q > tx_offsets_[t]; --q) {
                const std::uint32_t e = tx_items_[q - 1];
                if (e >= item) break;  // ascending from the end: the rest come after
                if (in_prefix_[e]) continue;
                if (hits_[e]++ == 0) touched_.push_back(e);
            }
        });
        bool blocks = false;
        for (std::uint32_t e : touched_) {
            blocks = blocks || (closed ? hits_[e] == count : hits_[e] >= min_count_);
            hits_[e] = 0;
        }
        touched_.clear();
        return blocks;
    }
    for (std::uint32_t e = 0; e < item; ++e) {
        ctx_.Tick();
        if (in_prefix_[e]) continue;
        const std::uint64_t *item_bits = root.words.data() + std::size_t{e} * root.a;
        if (closed) {
            bool subset = true;
            for (std::size_t p = 0; p < a && subset; ++p)
                subset = (bits[p] & ~item_bits[frame.active[p]]) == 0;
            if (subset) return true;
        } else if (AndCountReaches(bits, item_bits, frame.active.data(), a, count, min_count_)) {
            return true;
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
    WithMiningMemoryHint([&] {
        EclatMiner miner(ctx, options, emit);
        miner.Run(baskets);
    });
}

}  // namespace ca
