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
    std::uint32_t FindOrAdd(std::string_view id);

    std::size_t size() const noexcept { return count_; }
    KeyKind kind() const noexcept { return kind_; }
    std::int64_t IntegerId(std::uint32_t index) const { return int_ids_[index]; }
    std::string_view BytesId(std::uint32_t index) const {
        return std::string_view(bytes_.data() + offsets_[index], offsets_[index + 1] - offsets_[index]);
    }

private:
    static constexpr std::uint32_t kEmpty = UINT32_MAX;
    void Grow();
    std::uint64_t HashOf(std::uint32_t index) const;

    ExecContext &ctx_;
    KeyKind kind_;
    std::size_t count_ = 0;
    BudgetVector<std::uint32_t> slots_;   // open addressing, linear probing; kEmpty = free
    BudgetVector<std::uint64_t> hashes_;  // per index, so growing needs no rehash of bytes
    BudgetVector<std::int64_t> int_ids_;
    BudgetVector<char> bytes_;            // Bytes ids, back to back
    BudgetVector<std::uint64_t> offsets_; // Bytes id i is bytes_[offsets_[i], offsets_[i + 1])
};

}  // namespace ca
