#include "customer_index.hpp"

#include <cstring>

#include "cpp_only.hpp"  // last: fails the build if anything above pulled in postgres.h

namespace ca {

namespace {

std::uint64_t Mix(std::uint64_t x) {
    // splitmix64's finaliser: consecutive ids spread over the whole table.
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

std::uint64_t HashBytes(std::string_view s) {
    // FNV-1a over 8-byte words, then mixed.
    std::uint64_t h = 0xcbf29ce484222325ULL ^ s.size();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, s.data() + i, s.size() - i);
    h = (h ^ tail) * 0x100000001b3ULL;
    return Mix(h);
}

}  // namespace

CustomerIndex::CustomerIndex(ExecContext &ctx, KeyKind kind)
    : ctx_(ctx),
      kind_(kind),
      slots_(MakeBudgetVector<std::uint32_t>(ctx)),
      hashes_(MakeBudgetVector<std::uint64_t>(ctx)),
      int_ids_(MakeBudgetVector<std::int64_t>(ctx)),
      bytes_(MakeBudgetVector<char>(ctx)),
      offsets_(MakeBudgetVector<std::uint64_t>(ctx)) {
    slots_.assign(1024, kEmpty);
    if (kind_ == KeyKind::Bytes) offsets_.push_back(0);
}

std::uint64_t CustomerIndex::HashOf(std::uint32_t index) const { return hashes_[index]; }

void CustomerIndex::Grow() {
    const std::size_t capacity = slots_.size() * 2;
    if (capacity > (std::size_t{1} << 32))
        throw InvalidParameter("too many customers", "More than 2^31 distinct customer ids.",
                               "Split the input, for example by region.");
    slots_.assign(capacity, kEmpty);
    const std::size_t mask = capacity - 1;
    for (std::uint32_t i = 0; i < count_; ++i) {
        std::size_t s = HashOf(i) & mask;
        while (slots_[s] != kEmpty) s = (s + 1) & mask;
        slots_[s] = i;
    }
    ctx_.CheckInterrupts();
}

std::uint32_t CustomerIndex::FindOrAdd(std::int64_t id) {
    const std::uint64_t h = Mix(static_cast<std::uint64_t>(id));
    std::size_t mask = slots_.size() - 1;
    std::size_t s = h & mask;
    while (slots_[s] != kEmpty) {
        if (int_ids_[slots_[s]] == id) return slots_[s];
        s = (s + 1) & mask;
    }
    if ((count_ + 1) * 2 > slots_.size()) {
        Grow();
        mask = slots_.size() - 1;
        s = h & mask;
        while (slots_[s] != kEmpty) s = (s + 1) & mask;
    }
    const auto index = static_cast<std::uint32_t>(count_++);
    int_ids_.push_back(id);
    hashes_.push_back(h);
    slots_[s] = index;
    return index;
}

std::uint32_t CustomerIndex::FindOrAdd(std::string_view id) {
    const std::uint64_t h = HashBytes(id);
    std::size_t mask = slots_.size() - 1;
    std::size_t s = h & mask;
    while (slots_[s] != kEmpty) {
        const std::uint32_t i = slots_[s];
        if (hashes_[i] == h && BytesId(i) == id) return i;
        s = (s + 1) & mask;
    }
    if ((count_ + 1) * 2 > slots_.size()) {
        Grow();
        mask = slots_.size() - 1;
        s = h & mask;
        while (slots_[s] != kEmpty) s = (s + 1) & mask;
    }
    const auto index = static_cast<std::uint32_t>(count_++);
    bytes_.insert(bytes_.end(), id.begin(), id.end());
    offsets_.push_back(bytes_.size());
    hashes_.push_back(h);
    slots_[s] = index;
    return index;
}

}  // namespace ca
