#include "customer_index.hpp"

#include <cstring>

#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

std::uint64_t CustomerIndex::HashBytes(std::string_view s) {
    // FNV-1a over 8-byte words, then mixed.
    std::uint64_t h = 0xcbf29ce484222325ULL ^ s.size();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
    }
    std::uint64_t tail = 0;
    if (s.size() > i) std::memcpy(&tail, s.data() + i, s.size() - i);
    h = (h ^ tail) * 0x100000001b3ULL;
    return Mix(h);
}

CustomerIndex::CustomerIndex(ExecContext &ctx, KeyKind kind)
    : ctx_(ctx),
      kind_(kind),
      slots_(MakeBudgetVector<Slot>(ctx)),
      int_ids_(MakeBudgetVector<std::int64_t>(ctx)),
      bytes_(MakeBudgetVector<char>(ctx)),
      offsets_(MakeBudgetVector<std::uint64_t>(ctx)) {
    slots_.assign(1024, Slot{0, kEmpty});
    if (kind_ == KeyKind::Bytes) offsets_.push_back(0);
}

void CustomerIndex::Grow() {
    const std::size_t capacity = slots_.size() * 2;
    if (capacity > (std::size_t{1} << 32))
        throw InvalidParameter("too many customers",
                               "More than about 3 billion distinct customer ids.",
                               "Split the input, for example by region.");
    auto bigger = MakeBudgetVector<Slot>(ctx_);
    bigger.assign(capacity, Slot{0, kEmpty});
    const std::size_t mask = capacity - 1;
    for (const Slot &old : slots_) {
        ctx_.Tick();  // a table of a billion slots takes seconds to rehash
        if (old.index == kEmpty) continue;
        const std::uint64_t hash = kind_ == KeyKind::Integer ? Mix(old.tag) : old.tag;
        std::size_t s = hash & mask;
        while (bigger[s].index != kEmpty) s = (s + 1) & mask;
        bigger[s] = old;
    }
    slots_.swap(bigger);
}

std::uint32_t CustomerIndex::FindOrAdd(std::int64_t id) {
    const auto tag = static_cast<std::uint64_t>(id);
    std::size_t s = SlotFor(Mix(tag));
    const std::size_t mask = slots_.size() - 1;
    while (slots_[s].index != kEmpty) {
        if (slots_[s].tag == tag) return slots_[s].index;
        s = (s + 1) & mask;
    }
    // Not there: add it, growing first when the table would be more than 70 % full.
    if ((count_ + 1) * 10 > slots_.size() * 7) {
        Grow();
        return FindOrAdd(id);
    }
    const auto index = static_cast<std::uint32_t>(count_);
    int_ids_.push_back(id);
    ++count_;
    slots_[s] = Slot{tag, index};
    return index;
}

std::uint32_t CustomerIndex::FindOrAdd(std::string_view id, std::uint64_t hash) {
    std::size_t s = SlotFor(hash);
    const std::size_t mask = slots_.size() - 1;
    while (slots_[s].index != kEmpty) {
        if (slots_[s].tag == hash && BytesId(slots_[s].index) == id) return slots_[s].index;
        s = (s + 1) & mask;
    }
    if ((count_ + 1) * 10 > slots_.size() * 7) {
        Grow();
        return FindOrAdd(id, hash);
    }
    // Either both vectors grow or neither does, so a memory-limit error leaves the index intact.
    const auto index = static_cast<std::uint32_t>(count_);
    offsets_.push_back(bytes_.size() + id.size());
    try {
        bytes_.insert(bytes_.end(), id.begin(), id.end());
    } catch (...) {
        offsets_.pop_back();
        throw;
    }
    ++count_;
    slots_[s] = Slot{hash, index};
    return index;
}

}  // namespace ca
