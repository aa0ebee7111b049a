// Customer ids to dense indices 0, 1, 2, ... in order of first appearance. Ids are either 64-bit
// integers or byte strings (text ids, compared byte for byte); one index holds one kind. All
// memory is charged to the ExecContext. Shared by the analytics that aggregate per customer.
#pragma once

#include <cstdint>
#include <string_view>

#include "exec_context.hpp"

namespace ca {

class CustomerIndex {
  public:
    enum class KeyKind { Integer, Bytes };

    CustomerIndex(ExecContext &ctx, KeyKind kind);

    // The index of the customer, added when new.
    std::uint32_t FindOrAdd(std::int64_t id);
    std::uint32_t FindOrAdd(std::string_view id) { return FindOrAdd(id, HashBytes(id)); }
    // The same with the id's HashBytes(id) computed by the caller, who needed it anyway.
    std::uint32_t FindOrAdd(std::string_view id, std::uint64_t hash);

    // Hints that FindOrAdd(id) comes soon: callers that look up a batch of ids prefetch them all
    // first, so the table's cache misses overlap instead of queueing.
    void Prefetch(std::int64_t id) const {
        __builtin_prefetch(&slots_[SlotFor(Mix(static_cast<std::uint64_t>(id)))]);
    }
    void Prefetch(std::string_view id) const { PrefetchHash(HashBytes(id)); }
    void PrefetchHash(std::uint64_t hash) const { __builtin_prefetch(&slots_[SlotFor(hash)]); }

    static std::uint64_t Mix(std::uint64_t x) {
        // splitmix64's finaliser: consecutive ids spread over the whole table.
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9ULL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebULL;
        x ^= x >> 31;
        return x;
    }
    static std::uint64_t HashBytes(std::string_view s);

    std::size_t size() const noexcept { return count_; }
    KeyKind kind() const noexcept { return kind_; }
    std::int64_t IntegerId(std::uint32_t index) const { return int_ids_[index]; }
    std::string_view BytesId(std::uint32_t index) const {
        return std::string_view(bytes_.data() + offsets_[index],
                                offsets_[index + 1] - offsets_[index]);
    }

  private:
    static constexpr std::uint32_t kEmpty = UINT32_MAX;
    // Open addressing with linear probing. The slot holds what a probe compares (the id itself for
    // integers, the hash for bytes), so a lookup touches one cache line of the table.
    struct Slot {
        std::uint64_t tag;
        std::uint32_t index;  // kEmpty: free
    };
    void Grow();
    std::size_t SlotFor(std::uint64_t hash) const { return hash & (slots_.size() - 1); }

    ExecContext &ctx_;
    KeyKind kind_;
    std::size_t count_ = 0;
    BudgetVector<Slot> slots_;
    BudgetVector<std::int64_t> int_ids_;
    BudgetVector<char> bytes_;             // Bytes ids, back to back
    BudgetVector<std::uint64_t> offsets_;  // Bytes id i is bytes_[offsets_[i], offsets_[i + 1])
};

}  // namespace ca
